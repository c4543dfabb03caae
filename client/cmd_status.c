/*
 * cmd_status.c - `palermo status REVIEW`: where a review stands, from the
 * records this client verified (no network): its stage, the policy's
 * deadlines with their due dates, its members, and who agreed to which
 * draft.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/changes.h"
#include "client/agreement.h"
#include "client/commands.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/review_facts.h"
#include "client/state.h"
#include "client/sync.h"
#include "policies/deadline.h"

const char usage_status[] =
    "usage: palermo status REVIEW\n"
    "\n"
    "Shows where REVIEW stands as of your last `palermo sync`:\n"
    "  - its stage, since when, and which of the policy's stages it is;\n"
    "  - each deadline of the policy (counted from when the review entered its\n"
    "    from_stage, met when the review moves on from its until_stage) with its\n"
    "    due date: the whole days left (rounded down) or overdue (rounded up)\n"
    "    while it runs, \"passed\" once the review moved on (in time, or how many\n"
    "    days late), \"not started\" before;\n"
    "  - its members with their State and role;\n"
    "  - every roster change, epoch by epoch: who signed it, when, who was\n"
    "    added, removed or changed role, and who received the history of\n"
    "    earlier epochs (history grants);\n"
    "  - for the newest draft of each kind that is agreed to (list of\n"
    "    observations, summary), on each channel that every party reads: who\n"
    "    agreed for which State, which States are still to agree, and \"final\"\n"
    "    once all have (`palermo agree`).\n"
    "\n"
    "With --json, prints {\"review\", \"sur\", \"cluster\", \"epoch\",\n"
    "\"stage\": {\"name\", \"title\", \"since\", \"number\", \"of\"},\n"
    "\"deadlines\": [{\"name\", \"title\", \"from_stage\", \"until_stage\", \"due\",\n"
    "\"days_left\", \"met_at\", \"days_late\", \"state\"}], \"members\": [...],\n"
    "\"agreements\": [{\"kind\", \"title\", \"channel\", \"document\",\n"
    "\"agreed\": [{\"state\", \"user_id\", \"at\"}], \"waiting\": [State...],\n"
    "\"final\"}], \"roster_changes\": [as the \"history\" of `palermo roster`]};\n"
    "state is\n"
    "\"running\", \"overdue\" (days_left negative), \"passed\" (met_at, days_late)\n"
    "or \"not started\" (due null); document is null before the first draft.\n"
    "\n"
    "Exit status: 6 when the review is not known here.\n"
    "\n"
    "Examples:\n"
    "  palermo status 2026-ita-crim\n"
    "  palermo --json status 2026-ita-crim | jq .stage.name\n";

struct status_ctx {
	struct cli *cli;
	const plm_policy *policy;
	uint64_t
	    entered[PLM_POLICY_STAGES_MAX]; /* when each stage began, 0 = not yet */
	plm_error err;
};

/* A stored agreement: counted if it names the tally's draft. */
static int one_agreement(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	plm_agreement_tally *tally = ctx;
	plm_record *rec = NULL;

	(void)seq;
	if (plm_record_decode(bytes, len, &rec, NULL) != 0)
		return PLM_ERR_CORRUPT;
	plm_agreement_tally_add(tally, rec);
	plm_record_free(rec);
	return 0;
}

/*
 * Where agreement stands for the newest draft of KIND on CHANNEL
 * (PROTOCOL.md §5.7): {"kind", "title", "channel", "document" (null: no
 * draft yet), "agreed": [{"state", "user_id", "at"}], "waiting": [State...],
 * "final"}. NULL (and nothing in C->err) when no draft of KIND on CHANNEL
 * can become final (plm_agreement_channel).
 */
static json_t *agreement_json(struct status_ctx *c, const char *review,
                              const plm_roster *roster, const char *kind,
                              const char *channel)
{
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_agreement_tally tally;
	plm_certificate signer;
	plm_draft draft;
	json_t *agreed, *waiting;
	int have, r;
	size_t i;

	if (!plm_agreement_channel(c->policy, kind, channel))
		return NULL;
	memset(&draft, 0, sizeof(draft));
	r = agreement_newest(c->cli->state, review, kind, channel, INT64_MAX, &draft,
	                     &c->err);
	if (r != 0 && r != PLM_ERR_NOTFOUND)
		return NULL;
	have = r == 0;
	plm_error_clear(&c->err);
	if (plm_agreement_tally_init(&tally, c->policy, roster, kind, draft.id, NULL) != 0)
		return NULL;
	if (have && state_records_each(c->cli->state, review, PLM_RECORD_AGREEMENT,
	                               one_agreement, &tally, &c->err) != 0) {
		plm_error_set(&c->err, PLM_ERR_CORRUPT, "a stored agreement is damaged");
		return NULL;
	}
	agreed = json_array();
	waiting = json_array();
	for (i = 0; i < tally.n_parties; i++) {
		if (!tally.parties[i].agreed) {
			json_array_append_new(waiting, json_string(tally.parties[i].state));
			continue;
		}
		json_array_append_new(
		    agreed,
		    json_pack("{s:s, s:s, s:I}", "state", tally.parties[i].state, "user_id",
		              local_certificate(c->cli->state, tally.parties[i].signer,
		                                &signer, NULL) == 0
		                  ? signer.user_id
		                  : "?",
		              "at", (json_int_t)tally.parties[i].at));
	}
	plm_hex(hex, draft.id, PLM_HASH_BYTES);
	return json_pack("{s:s, s:s?, s:s, s:s?, s:o, s:o, s:b}", "kind", kind, "title",
	                 plm_policy_title(c->policy, PLM_POLICY_KINDS, kind), "channel",
	                 channel, "document", have ? hex : NULL, "agreed", agreed,
	                 "waiting", waiting, "final",
	                 have && plm_agreement_tally_final(&tally));
}


static void print_status(struct cli *cli, json_t *doc)
{
	json_t *stage = json_object_get(doc, "stage"), *item, *a;
	char date[32], style[128], when[96];
	const char *state;
	size_t i, j;
	long long days;

	printf(
	    "Review %s: %s under review, cluster %s, roster epoch %" JSON_INTEGER_FORMAT
	    "\n",
	    json_string_value(json_object_get(doc, "review")),
	    json_string_value(json_object_get(doc, "sur")),
	    json_string_value(json_object_get(doc, "cluster")),
	    json_integer_value(json_object_get(doc, "epoch")));
	reader_date((uint64_t)json_integer_value(json_object_get(stage, "since")),
	            date);
	printf("Stage %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
	       ": %s (%s), since %s UTC\n",
	       json_integer_value(json_object_get(stage, "number")),
	       json_integer_value(json_object_get(stage, "of")),
	       cli_style(cli, "1", json_string_value(json_object_get(stage, "name")),
	                 style, sizeof(style)),
	       json_string_value(json_object_get(stage, "title")), date);
	printf("\nDeadlines:\n");
	json_array_foreach(json_object_get(doc, "deadlines"), i, item)
	{
		state = json_string_value(json_object_get(item, "state"));
		if (strcmp(state, "not started") == 0) {
			printf("  %-36s not started (counted from %s)\n",
			       json_string_value(json_object_get(item, "title")),
			       json_string_value(json_object_get(item, "from_stage")));
			continue;
		}
		reader_date((uint64_t)json_integer_value(json_object_get(item, "due")),
		            date);
		days = json_integer_value(json_object_get(item, "days_left"));
		if (strcmp(state, "passed") == 0) {
			days = json_integer_value(json_object_get(item, "days_late"));
			if (days > 0)
				snprintf(when, sizeof(when),
				         "passed (the review moved on %lld days late)", days);
			else
				snprintf(when, sizeof(when), "passed (the review moved on in time)");
		} else if (strcmp(state, "running") == 0) {
			snprintf(when, sizeof(when), "%lld days left", days);
		} else {
			snprintf(when, sizeof(when), "%s by %lld days",
			         cli_style(cli, "1;31", "overdue", style, sizeof(style)), -days);
		}
		printf("  %-36s due %.10s  %s\n",
		       json_string_value(json_object_get(item, "title")), date, when);
	}
	printf("\nMembers:\n");
	json_array_foreach(json_object_get(doc, "members"), i, item) printf(
	    "  %-6s %-12s %s\n", json_string_value(json_object_get(item, "state")),
	    json_string_value(json_object_get(item, "role")),
	    json_string_value(json_object_get(item, "user_id")));
	changes_print(cli, "Roster changes", json_object_get(doc, "roster_changes"));
	if (json_array_size(json_object_get(doc, "agreements")) == 0)
		return;
	printf("\nAgreement (the newest draft of each kind, where every party reads it):\n");
	json_array_foreach(json_object_get(doc, "agreements"), i, item)
	{
		if (json_is_null(json_object_get(item, "document"))) {
			printf("  %s: no draft yet\n",
			       json_string_value(json_object_get(item, "kind")));
			continue;
		}
		printf("  %s %.12s:", json_string_value(json_object_get(item, "kind")),
		       json_string_value(json_object_get(item, "document")));
		if (json_array_size(json_object_get(item, "agreed")) > 0)
			printf(" agreed by");
		json_array_foreach(json_object_get(item, "agreed"), j, a)
		    printf(" %s (%s)", json_string_value(json_object_get(a, "state")),
		           json_string_value(json_object_get(a, "user_id")));
		if (json_is_true(json_object_get(item, "final"))) {
			printf("%s %s\n",
			       json_array_size(json_object_get(item, "agreed")) > 0 ? ";"
			                                                             : "",
			       cli_style(cli, "32", "final", style, sizeof(style)));
			continue;
		}
		printf("%s waiting for",
		       json_array_size(json_object_get(item, "agreed")) > 0 ? ";" : "");
		json_array_foreach(json_object_get(item, "waiting"), j, a)
		    printf(" %s", json_string_value(a));
		printf("\n");
	}
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct status_ctx c;
	const plm_roster *roster;
	plm_review *state = NULL;
	plm_roster_member *sorted = NULL;
	json_t *doc = NULL, *members, *list, *item, *history;
	const char *review;
	size_t i, j;
	int status, current, r;

	if (getopt_long(argc, argv, "h", options, NULL) != -1)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help status`");
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the review: palermo status REVIEW");
	review = argv[optind];
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	if (local_policy(cli, &c.policy, &c.err) != 0 ||
	    local_review(cli, review, INT64_MAX, &state, &c.err) != 0)
		return cli_fail_err(cli, &c.err);
	roster = &state->roster->body.roster;
	current = facts_stage_index(c.policy, state->stage);
	if ((r = facts_stages_entered(cli, c.policy, state, review, c.entered, &c.err)) != 0) {
		status = cli_fail_err(cli, &c.err);
		goto out;
	}
	members = json_array();
	if (reader_sorted_members(roster, &sorted) == 0) {
		for (i = 0; i < roster->n_members; i++)
			json_array_append_new(members,
			                      reader_member_json(roster, &sorted[i]));
		free(sorted);
	}
	list = json_array();
	for (i = 0; i < plm_policy_count(c.policy, PLM_POLICY_KINDS); i++)
		for (j = 0; j < plm_policy_count(c.policy, PLM_POLICY_CHANNELS); j++) {
			item = agreement_json(
			    &c, review, roster, plm_policy_nth(c.policy, PLM_POLICY_KINDS, i),
			    plm_policy_nth(c.policy, PLM_POLICY_CHANNELS, j));
			if (item != NULL) {
				json_array_append_new(list, item);
			} else if (c.err.code != 0) {
				json_decref(list);
				json_decref(members);
				status = cli_fail_err(cli, &c.err);
				goto out;
			}
		}
	doc = json_pack(
	    "{s:s, s:s, s:s, s:I, s:{s:s, s:s?, s:I, s:i, s:i}, s:o, s:o, s:o}",
	    "review", review, "sur", roster->sur_state, "cluster", roster->cluster,
	    "epoch", (json_int_t)roster->epoch, "stage", "name", state->stage, "title",
	    plm_policy_title(c.policy, PLM_POLICY_STAGES, state->stage), "since",
	    (json_int_t)state->stage_since, "number", current + 1, "of",
	    (int)plm_policy_count(c.policy, PLM_POLICY_STAGES), "deadlines",
	    facts_deadlines(c.policy, c.entered, current, (uint64_t)time(NULL)), "members", members, "agreements", list);
	if (doc == NULL) {
		status = cli_fail(cli, EXIT_FAILURE_, "out of memory");
		goto out;
	}
	/* Every roster change and history grant (DESIGN.md §5). */
	if (changes_history(cli, review, &history, NULL, &c.err) != 0) {
		status = cli_fail_err(cli, &c.err);
		goto out;
	}
	json_object_set_new(doc, "roster_changes", history);
	if (cli->json) {
		status = cli_json(cli, doc);
		doc = NULL;
	} else {
		print_status(cli, doc);
		status = EXIT_OK;
	}
out:
	json_decref(doc);
	plm_review_free(state);
	return status;
}
