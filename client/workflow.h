/*
 * workflow.h - moving a review to its next stage (PROTOCOL.md §5.8), shared
 * by `palermo admin review advance` (the secretariat) and `palermo
 * questionnaire submit --final` (the focal point of the State under review,
 * whose final submission moves the review on where the policy says so:
 * stages.S.advanced_by with "as: final_submission").
 */
#ifndef PALERMO_WORKFLOW_H
#define PALERMO_WORKFLOW_H

#include "client/cli.h"
#include "keys/record.h"
#include "policies/review.h"

/*
 * Signs, as CLI->me, the move of REVIEW_ID from REVIEW's stage to the
 * policy's next one, checks it as every member will (plm_review_apply on
 * REVIEW, the review's verified and current state, which then holds the new
 * stage) and publishes it (admin_publish). *OUT gets the record (caller
 * frees with plm_record_free; NULL on failure before signing).
 * Errors, each with a sentence: PLM_ERR_POLICY (the last stage, or the
 * signer may not make that move), PLM_ERR_MISMATCH, PLM_ERR_NET (the
 * record stays queued), or the server's refusal.
 */
int workflow_advance(struct cli *cli, plm_review *review, const char *review_id,
                     plm_record **out, plm_error *err);

/*
 * After the final submission of REVIEW_ID was delivered: if the policy lets
 * its author move the review on by submitting (stages.S.advanced_by with
 * "as: final_submission" for the current stage), brings the review up to
 * date (sync) and publishes the move (workflow_advance); otherwise the
 * secretariat moves it on, and nothing is done here. A submission still in
 * the outbox moves nothing: the secretariat moves the review on once it is
 * delivered. A move signed but not sent (the server went away) stays
 * queued for `palermo sync`. Prints what happened on stderr; returns the
 * exit status.
 */
int workflow_submitted(struct cli *cli, const char *review_id);

#endif
