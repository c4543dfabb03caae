/* workflow.c - moving a review to its next stage (see workflow.h). */
#include "client/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin.h"
#include "client/local.h"
#include "client/outbox.h"
#include "client/sync.h"

int workflow_advance(struct cli *cli, plm_review *review, const char *review_id,
                     plm_record **out, plm_error *err)
{
	unsigned char root[PLM_FPR_BYTES];
	char why[PLM_ERROR_MESSAGE_MAX];
	const plm_policy *policy;
	const char *next;
	plm_stage *st;
	int r;

	*out = NULL;
	if ((r = local_policy(cli, &policy, err)) != 0)
		return r;
	if ((r = plm_policy_next_stage(policy, review->stage, &next, err)) != 0) {
		snprintf(why, sizeof(why), "%s", err->message);
		return plm_error_set(err, r, "review %s cannot advance: %s", review_id,
		                     why);
	}
	if ((r = plm_record_new(out, PLM_RECORD_STAGE, err)) != 0)
		return r;
	st = &(*out)->body.stage;
	snprintf(st->review_id, sizeof(st->review_id), "%s", review_id);
	st->sequence = review->stage_seq + 1;
	snprintf(st->from_stage, sizeof(st->from_stage), "%s", review->stage);
	snprintf(st->to_stage, sizeof(st->to_stage), "%s", next);
	st->effective_at = (uint64_t)time(NULL);
	if ((r = plm_record_encode_sign(*out, cli->me, NULL, NULL, err)) != 0 ||
	    (r = local_root(cli->state, root, NULL, err)) != 0)
		return r;
	/* Checked as every member will check it, before it leaves. */
	if ((r = plm_review_apply(review, policy, root, *out, err)) != 0) {
		snprintf(why, sizeof(why), "%s", err->message);
		return plm_error_set(
		    err, r,
		    "the move would be refused by every member, so it is "
		    "not published: %s",
		    why);
	}
	return admin_publish(cli, review_id, out, 1, err);
}

/* 1 if a questionnaire response of REVIEW_ID still waits in the outbox. */
static int submission_queued(struct cli *cli, const char *review_id)
{
	struct outbox_item *items = NULL;
	size_t n = 0, i;
	int queued = 0;

	if (outbox_list(cli, review_id, &items, &n, NULL) != 0)
		return 1;
	for (i = 0; i < n; i++)
		queued |= strcmp(items[i].kind, "questionnaire_response") == 0;
	free(items);
	return queued;
}

int workflow_submitted(struct cli *cli, const char *review_id)
{
	const plm_roster_member *member;
	unsigned char mine[PLM_FPR_BYTES];
	enum plm_policy_side side;
	struct sync_result result;
	const plm_policy *policy;
	plm_review *review = NULL;
	plm_record *record = NULL;
	const char *next;
	plm_error err;
	int status = EXIT_OK;

	if (submission_queued(cli, review_id)) {
		cli_warn(cli,
		         "the final submission is still queued, so review %s stays in "
		         "its stage; once `palermo sync` has delivered it, the "
		         "secretariat moves the review on",
		         review_id);
		return EXIT_OK;
	}
	if (sync_run(cli, NULL, &result, &err) != 0 ||
	    local_policy(cli, &policy, &err) != 0 ||
	    local_review(cli, review_id, INT64_MAX, &review, &err) != 0)
		goto fail;
	plm_fingerprint(mine, &cli->me->pub);
	/* Follow the policy: only where submitting moves this stage on. */
	if (plm_review_member(review, mine, &member, &side, NULL) != 0 ||
	    plm_policy_next_stage(policy, review->stage, &next, NULL) != 0 ||
	    plm_policy_may_advance(policy, review->stage, next, member->role, side,
	                           NULL) != 0)
		goto out;
	if (workflow_advance(cli, review, review_id, &record, &err) != 0)
		goto fail;
	if (!cli->quiet)
		fprintf(stderr,
		        "Review %s moved from %s to %s with your final submission.\n",
		        review_id, record->body.stage.from_stage,
		        record->body.stage.to_stage);
	goto out;
fail:
	/* Signed but not sent: it waits in the outbox for `palermo sync`. */
	if (err.code == PLM_ERR_NET && record != NULL) {
		cli_warn(cli,
		         "%s; the move of review %s to its next stage is queued here "
		         "and `palermo sync` sends it",
		         err.message, review_id);
		goto out;
	}
	status = cli_fail(cli, cli_exit_for(err.code),
	                  "your final submission was delivered, but review %s did not "
	                  "move on: %s",
	                  review_id, err.message);
out:
	plm_record_free(record);
	plm_review_free(review);
	return status;
}
