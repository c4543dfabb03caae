/*
 * cmd_reviews.c - `palermo reviews`: the reviews this client has verified
 * and my place in each, from the local state (no network).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_reviews[] =
    "usage: palermo reviews\n"
    "\n"
    "Lists the reviews you are on, as of your last `palermo sync`: the review id,\n"
    "the State under review (SUR), the cluster, your role and the current stage.\n"
    "A review whose newest roster no longer lists you shows the role \"removed\".\n"
    "Reads only the local state: run `palermo sync` first for news.\n"
    "\n"
    "With --json, prints {\"reviews\": [{\"review\", \"sur\", \"cluster\",\n"
    "\"instruments\": [{\"name\", \"reviewing\": [...]}], \"languages\", \"epoch\",\n"
    "\"role\", \"side\", \"stage\"}]}; role and side are null when you are not on\n"
    "the newest roster.\n"
    "\n"
    "Examples:\n"
    "  palermo reviews\n"
    "  palermo --json reviews | jq -r '.reviews[].review'\n";

struct reviews_ctx {
	struct cli *cli;
	unsigned char me[PLM_FPR_BYTES];
	json_t *list;
	plm_error err;
};

/* The instruments of ROSTER with their reviewing States, as JSON. */
static json_t *instruments_json(const plm_roster *roster)
{
	json_t *list = json_array(), *states;
	unsigned i, j;

	for (i = 0; i < roster->n_instruments; i++) {
		states = json_array();
		for (j = 0; j < roster->instruments[i].n_reviewing; j++)
			json_array_append_new(
			    states, json_string(roster->instruments[i].reviewing[j]));
		json_array_append_new(list, json_pack("{s:s, s:o}", "name",
		                                      roster->instruments[i].name,
		                                      "reviewing", states));
	}
	return list;
}

static int one_review(void *vctx, const char *id)
{
	struct reviews_ctx *c = vctx;
	const plm_roster_member *m;
	const plm_roster *roster;
	enum plm_policy_side side;
	plm_review *state = NULL;
	json_t *languages;
	unsigned i;
	int r;

	if ((r = local_review(c->cli, id, INT64_MAX, &state, &c->err)) != 0)
		return r;
	roster = &state->roster->body.roster;
	languages = json_array();
	for (i = 0; i < roster->n_languages; i++)
		json_array_append_new(languages, json_stringn(roster->languages[i], 2));
	r = plm_review_member(state, c->me, &m, &side, NULL);
	json_array_append_new(
	    c->list,
	    json_pack(
	        "{s:s, s:s, s:s, s:o, s:o, s:I, s:s?, s:s?, s:s}", "review", id, "sur",
	        roster->sur_state, "cluster", roster->cluster, "instruments",
	        instruments_json(roster), "languages", languages, "epoch",
	        (json_int_t)roster->epoch, "role", r == 0 ? m->role : NULL, "side",
	        r == 0 ? plm_policy_side_name(side) : NULL, "stage", state->stage));
	plm_review_free(state);
	return 0;
}

int cmd_reviews(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct reviews_ctx c;
	json_t *item;
	size_t i;
	int status;

	if (getopt_long(argc, argv, "h", options, NULL) != -1)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help reviews`");
	if (optind != argc)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "reviews takes no arguments; see `palermo help reviews`");
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	if (reader_my_fingerprint(cli, c.me, &c.err) != 0)
		return cli_fail_err(cli, &c.err);
	c.list = json_array();
	if (state_reviews_each(cli->state, one_review, &c, &c.err) != 0) {
		json_decref(c.list);
		return cli_fail_err(cli, &c.err);
	}
	if (cli->json)
		return cli_json(cli, json_pack("{s:o}", "reviews", c.list));
	if (json_array_size(c.list) == 0) {
		json_decref(c.list);
		cli_say(cli,
		        "You are on no review yet (as of your last sync); run `palermo "
		        "sync`.");
		return EXIT_OK;
	}
	printf("%-24s %-6s %-20s %-12s %s\n", "REVIEW", "SUR", "CLUSTER", "ROLE",
	       "STAGE");
	json_array_foreach(c.list, i, item)
	{
		const char *role = json_string_value(json_object_get(item, "role"));
		printf("%-24s %-6s %-20s %-12s %s\n",
		       json_string_value(json_object_get(item, "review")),
		       json_string_value(json_object_get(item, "sur")),
		       json_string_value(json_object_get(item, "cluster")),
		       role != NULL ? role : "removed",
		       json_string_value(json_object_get(item, "stage")));
	}
	json_decref(c.list);
	return EXIT_OK;
}
