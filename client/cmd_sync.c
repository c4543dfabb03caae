/*
 * cmd_sync.c - `palermo sync`: send the outbox, fetch and verify everything
 * new (client/sync.h), and tell the user what changed and what failed.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/history.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_sync[] =
    "usage: palermo sync\n"
    "\n"
    "Sends what waits in the outbox (`palermo outbox`): first the signed records\n"
    "queued while the server could not be reached (agreements, stage moves, the\n"
    "secretariat's records), in the order they were made, then the sealed\n"
    "documents. Each reaches the server once however often it is tried; a record\n"
    "the server refuses is reported on stderr and dropped, with the later records\n"
    "of its review, which depend on it. Then fetches everything new from the\n"
    "server and verifies it before keeping it, in the order of the server's log:\n"
    "  - certificates and revocations: signed by the pinned root;\n"
    "  - each review's records (rosters, epoch keys, stages, agreements,\n"
    "    disclosures): signed by the root or by a certified member, and allowed\n"
    "    by the review's policy at that point of its history;\n"
    "  - each review's documents: downloaded (resuming an interrupted download),\n"
    "    their signature and digest checked against the author's certificate, and\n"
    "    the author's right to write them checked. Nothing is decrypted.\n"
    "\n"
    "Every roster change is shown: who was added or removed, in what role, who\n"
    "signed it and when (also with --quiet); so is every history grant: who\n"
    "received the keys of which earlier epochs, from whom and when, and every\n"
    "change of the parties group, the focal points and experts of all States\n"
    "parties who read what is disclosed to them (its records are checked the\n"
    "same way, and a key of the group sealed to you is checked against its\n"
    "commitment). Anything that fails verification is not kept and is\n"
    "reported on stderr, one line each with the review (or \"parties\"), the\n"
    "position in the log and what failed; sync then goes on with the rest and\n"
    "exits with status 3. So are a document of yours the server acknowledged\n"
    "but does not list in its log (it dropped it) and a document listed again\n"
    "at another place of the log (a replay).\n"
    "\n"
    "With --json, prints {\"sent\", \"queued\", \"records_sent\", \"records_queued\",\n"
    "\"certificates\", \"records\", \"documents\", \"reviews\", \"refused\": [{\"review\", \"seq\", \"what\",\n"
    "\"problem\"}], \"roster_changes\": [{\"review\", \"seq\", \"epoch\",\n"
    "\"signed_by\", \"created_at\", \"changes\": [...]}], \"unlisted\": [REVIEW...],\n"
    "\"history_grants\": [{\"review\", \"seq\", \"epoch\", \"user_id\", \"state\", \"role\",\n"
    "\"epochs\": [N...], \"granted_by\", \"created_at\"}]}.\n"
    "\n"
    "Exit status: 0 all verified, 3 something failed verification (the rest was\n"
    "kept), 4 the server cannot be reached (queued documents and records stay\n"
    "queued), 5 the server refused us.\n"
    "\n"
    "Examples:\n"
    "  palermo sync\n"
    "  palermo --json sync | jq .documents\n";

/* What the observer collects for the output. */
struct sync_output {
	struct cli *cli;
	json_t *refused;
	json_t *rosters;
	json_t *unlisted;
	json_t *changes; /* the roster being reported */
	json_t *grants;
};

static void on_refused(void *ctx, const char *review, int64_t seq, const char *what,
                       const char *problem)
{
	struct sync_output *o = ctx;
	char style[64];

	json_array_append_new(o->refused, json_pack("{s:s, s:I, s:s, s:s}", "review",
	                                            review, "seq", (json_int_t)seq,
	                                            "what", what, "problem", problem));
	/* Loud, on stderr, whatever --quiet or --json say. */
	fflush(stdout);
	if (seq >= 0)
		fprintf(stderr, "%s: %s: review %s, log entry %" PRId64 ", %s: %s\n",
		        o->cli->program,
		        cli_style(o->cli, "1;31", "VERIFICATION FAILED", style,
		                  sizeof(style)),
		        review, seq, what, problem);
	else
		fprintf(stderr, "%s: %s: review %s, %s: %s\n", o->cli->program,
		        cli_style(o->cli, "1;31", "VERIFICATION FAILED", style,
		                  sizeof(style)),
		        review, what, problem);
}

static void on_change(void *ctx, enum sync_change change,
                      const plm_roster_member *before, const plm_roster_member *after)
{
	struct sync_output *o = ctx;
	char line[256], style[300];

	json_array_append_new(o->changes, reader_change_json(change, before, after));
	if (o->cli->json)
		return;
	reader_change_line(change, before, after, line, sizeof(line));
	printf("  %s\n", cli_style(o->cli,
	                           change == SYNC_ADDED     ? "32"
	                           : change == SYNC_REMOVED ? "31"
	                                                    : "33",
	                           line, style, sizeof(style)));
}

/* A new roster: shown to the user even with --quiet (DESIGN.md §5). */
static void on_roster(void *ctx, const char *review, int64_t seq,
                      const plm_record *prev, const plm_record *next,
                      const plm_certificate *signer)
{
	struct sync_output *o = ctx;
	const plm_roster *roster = &next->body.roster;
	char date[32], style[128];

	reader_date(roster->created_at, date);
	o->changes = json_array();
	if (!o->cli->json)
		printf("%s: roster epoch %" PRIu64 " signed by %s (%s) on %s UTC\n",
		       cli_style(o->cli, "1", review, style, sizeof(style)),
		       roster->epoch, signer->display_name, signer->state, date);
	sync_roster_diff(prev != NULL ? &prev->body.roster : NULL, roster, on_change,
	                 o);
	json_array_append_new(
	    o->rosters,
	    json_pack("{s:s, s:I, s:I, s:s, s:I, s:o}", "review", review, "seq",
	              (json_int_t)seq, "epoch", (json_int_t)roster->epoch, "signed_by",
	              signer->display_name, "created_at",
	              (json_int_t)roster->created_at, "changes", o->changes));
	o->changes = NULL;
}

/*
 * A new parties roster (PROTOCOL.md §5.12): shown like a review's, under
 * the name "parties group" (the member lists are compared the same way).
 */
static void on_parties(void *ctx, int64_t seq, const plm_record *prev,
                       const plm_record *next, const plm_certificate *signer)
{
	struct sync_output *o = ctx;
	const plm_parties_roster *p = &next->body.parties;
	plm_roster before, after;
	char date[32], style[128];

	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	if (prev != NULL) {
		before.n_members = prev->body.parties.n_members;
		before.members = prev->body.parties.members;
	}
	after.n_members = p->n_members;
	after.members = p->members;
	reader_date(p->created_at, date);
	o->changes = json_array();
	if (!o->cli->json)
		printf("%s: epoch %" PRIu64 " signed by %s (%s) on %s UTC\n",
		       cli_style(o->cli, "1", "parties group", style, sizeof(style)),
		       p->epoch, signer->display_name, signer->state, date);
	sync_roster_diff(prev != NULL ? &before : NULL, &after, on_change, o);
	json_array_append_new(
	    o->rosters,
	    json_pack("{s:s, s:I, s:I, s:s, s:I, s:o}", "review", PLM_PARTIES_REVIEW_ID,
	              "seq", (json_int_t)seq, "epoch", (json_int_t)p->epoch, "signed_by",
	              signer->display_name, "created_at", (json_int_t)p->created_at,
	              "changes", o->changes));
	o->changes = NULL;
}

static void on_unlisted(void *ctx, const char *review)
{
	struct sync_output *o = ctx;

	json_array_append_new(o->unlisted, json_string(review));
	cli_warn(
	    o->cli,
	    "the server no longer lists review %s for you: you were probably removed "
	    "from its roster (`palermo reviews` shows it as you last saw it)",
	    review);
}

/* A history grant: shown like a roster change (DESIGN.md §5-§6). */
static void on_grant(void *ctx, const char *review, int64_t seq, const plm_record *grant,
                     const plm_roster_member *grantee, const plm_certificate *signer)
{
	struct sync_output *o = ctx;
	char line[256], date[32], style[128];

	json_array_append_new(o->grants,
	                      history_grant_json(grant, grantee, signer->display_name, seq));
	if (o->cli->json)
		return;
	history_grant_line(grant, grantee, line, sizeof(line));
	reader_date(grant->body.history_grant.created_at, date);
	printf("%s: %s, granted by %s (%s) on %s UTC\n",
	       cli_style(o->cli, "1", review, style, sizeof(style)), line,
	       signer->display_name, signer->state, date);
}

/* "3 new documents" / "1 new document". */
static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int cmd_sync(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct sync_output out = {cli, NULL, NULL, NULL, NULL, NULL};
	struct sync_observer obs = {&out, on_refused, on_roster, on_unlisted, on_grant,
	                            on_parties};
	struct sync_result res;
	plm_error err;
	int r, status;

	if (getopt_long(argc, argv, "h", options, NULL) != -1)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help sync`");
	if (optind != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "sync takes no arguments; see `palermo help sync`");
	if ((status = cli_open_state(cli, 0)) != 0 || (status = cli_unlock(cli)) != 0 ||
	    (status = cli_connect(cli)) != 0)
		return status;
	out.refused = json_array();
	out.rosters = json_array();
	out.unlisted = json_array();
	out.grants = json_array();
	r = sync_run(cli, &obs, &res, &err);
	if (r != 0) {
		json_decref(out.refused);
		json_decref(out.rosters);
		json_decref(out.unlisted);
		json_decref(out.grants);
		if (r == PLM_ERR_NET && res.records_queued + res.queued > 0) {
			char waiting[128];
			if (res.records_queued > 0)
				snprintf(waiting, sizeof(waiting),
				         "%zu signed %s and %zu %s stay",
				         res.records_queued,
				         plural(res.records_queued, "record", "records"),
				         res.queued,
				         plural(res.queued, "document", "documents"));
			else
				snprintf(waiting, sizeof(waiting), "%zu %s", res.queued,
				         plural(res.queued, "document stays",
				                "documents stay"));
			return cli_fail(
			    cli, EXIT_NETWORK,
			    "%s; %s in the outbox and the next `palermo sync` "
			    "will send %s",
			    err.message, waiting,
			    plural(res.records_queued + res.queued, "it", "them"));
		}
		return cli_fail_err(cli, &err);
	}
	if (cli->json) {
		cli_json(cli, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, "
		                        "s:o, s:o}",
		                        "sent", (json_int_t)res.sent, "queued",
		                        (json_int_t)res.queued, "records_sent",
		                        (json_int_t)res.records_sent, "records_queued",
		                        (json_int_t)res.records_queued, "certificates",
		                        (json_int_t)res.certificates, "records",
		                        (json_int_t)res.records, "documents",
		                        (json_int_t)res.documents, "reviews",
		                        (json_int_t)res.reviews, "refused", out.refused,
		                        "roster_changes", out.rosters, "unlisted",
		                        out.unlisted, "history_grants", out.grants));
	} else {
		json_decref(out.refused);
		json_decref(out.rosters);
		json_decref(out.unlisted);
		json_decref(out.grants);
		cli_say(cli, "synced %zu %s: %zu new %s, %zu %s, %zu %s", res.reviews,
		        plural(res.reviews, "review", "reviews"), res.documents,
		        plural(res.documents, "document", "documents"), res.records,
		        plural(res.records, "record", "records"), res.certificates,
		        plural(res.certificates, "certificate", "certificates"));
		if (res.records_sent > 0)
			cli_say(cli, "sent %zu queued signed %s", res.records_sent,
			        plural(res.records_sent, "record", "records"));
		if (res.sent > 0)
			cli_say(cli, "sent %zu queued %s", res.sent,
			        plural(res.sent, "document", "documents"));
	}
	if (res.queued > 0)
		cli_warn(cli,
		         "%zu %s in the outbox could not be sent; see `palermo outbox`",
		         res.queued, plural(res.queued, "document", "documents"));
	if (res.refused > 0)
		return cli_fail(
		    cli, EXIT_VERIFY,
		    "%zu %s failed verification and %s not kept (see above); "
		    "everything else was; tell the secretariat",
		    res.refused, plural(res.refused, "item", "items"),
		    plural(res.refused, "was", "were"));
	return EXIT_OK;
}
