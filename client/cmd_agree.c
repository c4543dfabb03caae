/*
 * cmd_agree.c - `palermo agree ID`: the focal point of a party signs, for
 * their State, an agreement record (PROTOCOL.md §5.7) to one exact draft:
 * the envelope id of a draft list of observations or a draft summary. It
 * syncs first, so that the draft it checks against is the newest the
 * server holds, checks the agreement with the rule every member and the
 * server run (policies/agreement.c), and sends nothing that rule refuses.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin.h"
#include "client/agreement.h"
#include "client/commands.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_agree[] =
    "usage: palermo agree ID\n"
    "\n"
    "Agrees, for your State, to the draft ID (a draft list of observations or a\n"
    "draft summary: its full id, or enough of its first digits to be unique, as\n"
    "`palermo list` shows them). The agreement is a signed record of the draft's\n"
    "exact id: a newer draft of the same kind supersedes it and needs agreeing\n"
    "afresh. A draft is final once the focal points of the State under review\n"
    "and of every reviewing State have agreed to it (`palermo status REVIEW`).\n"
    "\n"
    "Only a focal point may agree (the policy's kinds.KIND.agreed_by), only in\n"
    "the stage where the draft's kind is written, only to a draft you can read,\n"
    "and only to the newest draft of its kind on its channel; anything else is\n"
    "refused here, before anything is sent, with the rule, and would be refused\n"
    "by the server and by every member.\n"
    "agree syncs first; without a server it checks against what this client\n"
    "last verified, the agreement is queued here with the other signed records\n"
    "(`palermo outbox` shows it), agree succeeds saying so, and `palermo sync`\n"
    "sends it once the server can be reached.\n"
    "\n"
    "With --json, prints {\"review\", \"document\", \"kind\", \"state\", \"id\",\n"
    "\"queued\"} (queued: true when it waits in the outbox).\n"
    "\n"
    "Exit status: 0 agreed (sent, or queued without a server), 2 usage, 5 refused\n"
    "by the policy or the server (who, which kind, which stage, a stale draft),\n"
    "6 no such document here (run `palermo sync`).\n"
    "\n"
    "Examples:\n"
    "  palermo agree 3f2a9c0d1e2f\n"
    "  palermo status 2026-ita-crim\n";

/*
 * The agreement of ME (a member of REVIEW) to ENV, signed; *OUT is freed
 * by the caller with plm_record_free.
 */
static int sign_agreement(struct cli *cli, const struct stored_envelope *env,
                          const plm_roster_member *me, plm_record **out, plm_error *err)
{
	plm_agreement *a;
	int r;

	if ((r = plm_record_new(out, PLM_RECORD_AGREEMENT, err)) != 0)
		return r;
	a = &(*out)->body.agreement;
	snprintf(a->review_id, sizeof(a->review_id), "%s", env->review);
	memcpy(a->document, env->id, PLM_HASH_BYTES);
	snprintf(a->kind, sizeof(a->kind), "%s", env->kind);
	snprintf(a->state, sizeof(a->state), "%s", me->state);
	a->created_at = (uint64_t)time(NULL);
	return plm_record_encode_sign(*out, cli->me, NULL, NULL, err);
}

int cmd_agree(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	unsigned char root[PLM_FPR_BYTES], mine[PLM_FPR_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1], rec_hex[2 * PLM_HASH_BYTES + 1];
	const plm_roster_member *me;
	const plm_policy *policy;
	enum plm_policy_side side;
	struct stored_envelope env;
	struct sync_result result;
	plm_review *review = NULL;
	plm_record *record = NULL;
	plm_error err;
	int status, queued = 0;

	if (getopt_long(argc, argv, "h", options, NULL) != -1)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help agree`");
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE, "name the draft: palermo agree ID");
	if ((status = cli_open_state(cli, 0)) != 0 || (status = cli_unlock(cli)) != 0 ||
	    (status = cli_connect(cli)) != 0)
		return status;
	/* The newest draft is the one the server holds: sync first (it also
	 * sends what waits in the outbox). */
	if (sync_run(cli, NULL, &result, &err) != 0) {
		if (err.code != PLM_ERR_NET)
			return cli_fail_err(cli, &err);
		cli_warn(cli, "%s; checking against what this client last verified",
		         err.message);
	}
	if ((status = reader_find_verified(cli, argv[optind], 0, &env)) != 0)
		return status;
	plm_hex(hex, env.id, PLM_HASH_BYTES);
	if (local_policy(cli, &policy, &err) != 0 ||
	    local_review(cli, env.review, INT64_MAX, &review, &err) != 0 ||
	    local_root(cli->state, root, NULL, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	plm_fingerprint(mine, &cli->me->pub);
	if (plm_review_member(review, mine, &me, &side, NULL) != 0) {
		status =
		    cli_fail(cli, EXIT_AUTH,
		             "you are not a member of review %s, so you cannot agree "
		             "to its drafts",
		             env.review);
		goto out;
	}
	/* The rule the server and every member run, before anything is sent. */
	if (sign_agreement(cli, &env, me, &record, &err) != 0 ||
	    agreement_check(cli->state, review, policy, root, record, INT64_MAX,
	                    &err) != 0) {
		status = cli_fail(cli, cli_exit_for(err.code),
		                  "you cannot agree to %.12s: %s", hex, err.message);
		goto out;
	}
	/* Queued before any network call: offline, it waits for `palermo sync`. */
	if (admin_publish(cli, env.review, &record, 1, &err) != 0) {
		if (err.code != PLM_ERR_NET) {
			status = cli_fail_err(cli, &err);
			goto out;
		}
		queued = 1;
		cli_warn(cli,
		         "%s; the agreement is queued here and `palermo sync` sends it",
		         err.message);
	}
	plm_hex(rec_hex, record->id, PLM_HASH_BYTES);
	/* So that `palermo status` shows it at once (a failure changes nothing). */
	if (!queued)
		(void)sync_run(cli, NULL, &result, &err);
	if (cli->json)
		status = cli_json(cli, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "review",
		                                 env.review, "document", hex, "kind",
		                                 env.kind, "state", me->state, "id",
		                                 rec_hex, "queued", queued));
	else if (queued) {
		cli_say(cli,
		        "%s agreed to %s %.12s of review %s; the agreement is queued "
		        "(see `palermo outbox`).",
		        me->state, env.kind, hex, env.review);
		status = EXIT_OK;
	} else {
		cli_say(cli,
		        "%s agreed to %s %.12s of review %s; see `palermo status %s`.",
		        me->state, env.kind, hex, env.review, env.review);
		status = EXIT_OK;
	}
out:
	plm_record_free(record);
	plm_review_free(review);
	return status;
}
