/*
 * cmd_roster.c - `palermo roster REVIEW`: a review's members with their
 * fingerprints, and its roster history epoch by epoch, from the rosters
 * this client verified (no network).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/commands.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_roster[] =
    "usage: palermo roster REVIEW\n"
    "\n"
    "Shows the members of REVIEW on its newest roster, grouped by State (the\n"
    "State under review, the reviewing States, the secretariat), with their role\n"
    "and fingerprint in groups of four digits for reading aloud; then the roster\n"
    "history epoch by epoch: who signed each roster, when, and who was added,\n"
    "removed or changed role. Every roster was verified by `palermo sync`\n"
    "(signed by the pinned root, chained to the one before).\n"
    "\n"
    "With --json, prints {\"review\", \"epoch\", \"members\": [{\"user_id\",\n"
    "\"state\", \"role\", \"side\", \"fingerprint\"}], \"history\": [{\"epoch\",\n"
    "\"seq\", \"created_at\", \"signed_by\", \"changes\": [{\"change\", \"user_id\",\n"
    "\"state\", \"role\", \"fingerprint\"}]}]}.\n"
    "\n"
    "Exit status: 6 when the review is not known here.\n"
    "\n"
    "Examples:\n"
    "  palermo roster 2026-ita-crim\n"
    "  palermo --json roster 2026-ita-crim | jq -r '.members[].user_id'\n";

struct roster_ctx {
	struct cli *cli;
	plm_record *newest; /* owned */
	json_t *history;
	json_t *changes; /* of the epoch being read */
	plm_error err;
};

static void collect_change(void *ctx, enum sync_change change,
                           const plm_roster_member *before,
                           const plm_roster_member *after)
{
	struct roster_ctx *c = ctx;

	json_array_append_new(c->changes, reader_change_json(change, before, after));
}

/* One stored roster, in log order: what changed since the one before. */
static int one_roster(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct roster_ctx *c = ctx;
	plm_certificate signer;
	plm_record *rec = NULL;
	const char *signed_by = "an unknown key";

	if (plm_record_decode(bytes, len, &rec, &c->err) != 0)
		return plm_error_set(
		    &c->err, PLM_ERR_CORRUPT,
		    "a stored roster is damaged; the local state is damaged");
	if (local_certificate(c->cli->state, rec->signer, &signer, NULL) == 0)
		signed_by = signer.display_name;
	c->changes = json_array();
	sync_roster_diff(c->newest != NULL ? &c->newest->body.roster : NULL,
	                 &rec->body.roster, collect_change, c);
	json_array_append_new(c->history,
	                      json_pack("{s:I, s:I, s:I, s:s, s:o}", "epoch",
	                                (json_int_t)rec->body.roster.epoch, "seq",
	                                (json_int_t)seq, "created_at",
	                                (json_int_t)rec->body.roster.created_at,
	                                "signed_by", signed_by, "changes", c->changes));
	plm_record_free(c->newest);
	c->newest = rec;
	return 0;
}

static void print_roster(struct cli *cli, const plm_record *rec, json_t *history)
{
	const plm_roster *roster = &rec->body.roster;
	plm_roster_member *members;
	char fpr[PLM_FPR_TEXT_BYTES], date[32], style[256], line[256];
	const char *group = "";
	enum plm_policy_side side;
	json_t *epoch, *change;
	size_t i, j;

	printf("Review %s: %s under review, cluster %s, epoch %" PRIu64 "\n",
	       roster->review_id, roster->sur_state, roster->cluster, roster->epoch);
	if (reader_sorted_members(roster, &members) == 0) {
		for (i = 0; i < roster->n_members; i++) {
			const plm_roster_member *m = &members[i];
			if (strcmp(group, m->state) != 0) {
				group = m->state;
				if (plm_review_side(roster, m, &side, NULL) != 0)
					side = 0;
				printf(
				    "\n%s (%s)\n",
				    cli_style(cli, "1", m->state, style, sizeof(style)),
				    side == PLM_SIDE_SUR        ? "State under review"
				    : side == PLM_SIDE_REVIEWER ? "reviewing State"
				                                : "secretariat");
			}
			plm_fingerprint_format(fpr, m->fingerprint);
			printf("  %-12s %-20s %s\n", m->role, m->user_id, fpr);
		}
		free(members);
	}
	printf("\nHistory:\n");
	json_array_foreach(history, i, epoch)
	{
		reader_date(
		    (uint64_t)json_integer_value(json_object_get(epoch, "created_at")),
		    date);
		printf("  epoch %" JSON_INTEGER_FORMAT ", %s UTC, signed by %s\n",
		       json_integer_value(json_object_get(epoch, "epoch")), date,
		       json_string_value(json_object_get(epoch, "signed_by")));
		json_array_foreach(json_object_get(epoch, "changes"), j, change)
		{
			const char *what =
			    json_string_value(json_object_get(change, "change"));
			const char *uid =
			    json_string_value(json_object_get(change, "user_id"));
			const char *st =
			    json_string_value(json_object_get(change, "state"));
			const char *role =
			    json_string_value(json_object_get(change, "role"));
			if (strcmp(what, "changed") == 0)
				snprintf(line, sizeof(line), "~ %s (%s): %s -> %s", uid,
				         st,
				         json_string_value(
				             json_object_get(change, "from_role")),
				         role);
			else
				snprintf(line, sizeof(line), "%c %s (%s) as %s",
				         what[0] == 'a' ? '+' : '-', uid, st, role);
			printf("    %s\n", cli_style(cli,
			                             what[0] == 'a'   ? "32"
			                             : what[0] == 'r' ? "31"
			                                              : "33",
			                             line, style, sizeof(style)));
		}
	}
}

int cmd_roster(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct roster_ctx c;
	const plm_roster *roster;
	plm_review *state = NULL;
	json_t *members;
	unsigned i;
	int status, r;

	if (getopt_long(argc, argv, "h", options, NULL) != -1)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help roster`");
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the review: palermo roster REVIEW");
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	/* The stored history must still replay (chain, policy) before it is shown. */
	if (local_review(cli, argv[optind], INT64_MAX, &state, &c.err) != 0)
		return cli_fail_err(cli, &c.err);
	plm_review_free(state);
	c.history = json_array();
	r = state_records_each(cli->state, argv[optind], PLM_RECORD_ROSTER, one_roster,
	                       &c, &c.err);
	if (r == 0 && c.newest == NULL)
		r = plm_error_set(
		    &c.err, PLM_ERR_NOTFOUND,
		    "review %.64s is not known here; check its id (`palermo "
		    "reviews`), or run `palermo sync`",
		    argv[optind]);
	if (r != 0) {
		plm_record_free(c.newest);
		json_decref(c.history);
		return cli_fail_err(cli, &c.err);
	}
	roster = &c.newest->body.roster;
	if (cli->json) {
		members = json_array();
		for (i = 0; i < roster->n_members; i++)
			json_array_append_new(
			    members, reader_member_json(roster, &roster->members[i]));
		status = cli_json(cli, json_pack("{s:s, s:I, s:o, s:o}", "review",
		                                 roster->review_id, "epoch",
		                                 (json_int_t)roster->epoch, "members",
		                                 members, "history", c.history));
	} else {
		print_roster(cli, c.newest, c.history);
		json_decref(c.history);
	}
	plm_record_free(c.newest);
	return status;
}
