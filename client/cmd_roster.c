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

#include "client/changes.h"
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
    "removed or changed role, and who received the history of earlier epochs\n"
    "(history grants). Every roster was verified by `palermo sync`\n"
    "(signed by the pinned root, chained to the one before).\n"
    "\n"
    "With --json, prints {\"review\", \"epoch\", \"members\": [{\"user_id\",\n"
    "\"state\", \"role\", \"side\", \"fingerprint\"}], \"history\": [{\"epoch\",\n"
    "\"seq\", \"created_at\", \"signed_by\", \"changes\": [{\"change\", \"user_id\",\n"
    "\"state\", \"role\", \"fingerprint\"}], \"grants\": [{\"user_id\", \"state\",\n"
    "\"role\", \"epochs\", \"granted_by\", \"created_at\", ...}]}]}.\n"
    "\n"
    "Exit status: 6 when the review is not known here.\n"
    "\n"
    "Examples:\n"
    "  palermo roster 2026-ita-crim\n"
    "  palermo --json roster 2026-ita-crim | jq -r '.members[].user_id'\n";

static void print_roster(struct cli *cli, const plm_record *rec, json_t *history)
{
	const plm_roster *roster = &rec->body.roster;
	plm_roster_member *members;
	char fpr[PLM_FPR_TEXT_BYTES], style[256];
	const char *group = "";
	enum plm_policy_side side;
	size_t i;

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
	changes_print(cli, "History", history);
}

int cmd_roster(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	plm_record *newest = NULL;
	const plm_roster *roster;
	plm_review *state = NULL;
	json_t *members, *history = NULL;
	plm_error err;
	unsigned i;
	int status;

	if (getopt_long(argc, argv, "h", options, NULL) != -1)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help roster`");
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the review: palermo roster REVIEW");
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	/* The stored history must still replay (chain, policy) before it is shown. */
	if (local_review(cli, argv[optind], INT64_MAX, &state, &err) != 0)
		return cli_fail_err(cli, &err);
	plm_review_free(state);
	if (changes_history(cli, argv[optind], &history, &newest, &err) != 0)
		return cli_fail_err(cli, &err);
	roster = &newest->body.roster;
	if (cli->json) {
		members = json_array();
		for (i = 0; i < roster->n_members; i++)
			json_array_append_new(
			    members, reader_member_json(roster, &roster->members[i]));
		status = cli_json(cli, json_pack("{s:s, s:I, s:o, s:o}", "review",
		                                 roster->review_id, "epoch",
		                                 (json_int_t)roster->epoch, "members",
		                                 members, "history", history));
	} else {
		print_roster(cli, newest, history);
		json_decref(history);
	}
	plm_record_free(newest);
	return status;
}
