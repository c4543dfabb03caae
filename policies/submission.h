/*
 * submission.h - who may make a State's final submission (REVIEW-MECHANISM.md
 * para 34, docs/QUESTIONNAIRE.md). A questionnaire response carries the
 * manifest field "submission": "draft" or "final". The manifest is
 * encrypted, so only the members can check the marker: the client before it
 * seals one, and every reader when it opens one. The server checks the part
 * it can see, the stage transition that the final submission signs
 * (plm_policy_may_advance with "as: final_submission").
 */
#ifndef PLM_SUBMISSION_H
#define PLM_SUBMISSION_H

#include "policies/policy.h"

#define PLM_SUBMISSION_FIELD "submission"

/*
 * 1 if a ROLE member of SIDE may make the final submission: the pair is in
 * the advanced_by list of a stage with "as: final_submission" (which the
 * loader lets only roles with the right submit into). Else 0.
 */
int plm_submission_may_finalize(const plm_policy *policy, const char *role,
                                enum plm_policy_side side);

/*
 * May a ROLE member of SIDE have written a document of KIND whose manifest
 * field "submission" is VALUE (NULL: absent)? Only a questionnaire_response
 * may carry it, only as "draft" or "final", and "final" only from a member
 * who may make the final submission. PLM_ERR_POLICY with a sentence that
 * names the rule otherwise.
 */
int plm_submission_check(const plm_policy *policy, const char *role,
                         enum plm_policy_side side, const char *kind, const char *value,
                         plm_error *err);

#endif
