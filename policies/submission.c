/* submission.c - who may make the final submission (see submission.h). */
#include "policies/submission.h"

#include <stdio.h>
#include <string.h>

#include "policies/policy_impl.h"

int plm_submission_may_finalize(const plm_policy *policy, const char *role,
                                enum plm_policy_side side)
{
	int ri = plm_policy_find(policy, PLM_POLICY_ROLES, role);
	size_t i;

	if (ri < 0 || side < PLM_SIDE_SUR || side > PLM_SIDE_SECRETARIAT)
		return 0;
	for (i = 0; i < policy->n_stages; i++)
		if (plm_policy_who_has(&policy->stages[i].advance_submit, (size_t)ri,
		                       side))
			return 1;
	return 0;
}

int plm_submission_check(const plm_policy *policy, const char *role,
                         enum plm_policy_side side, const char *kind, const char *value,
                         plm_error *err)
{
	char path[sizeof("stages..advanced_by") + PLM_POLICY_NAME_MAX];
	size_t i;

	if (value == NULL)
		return 0;
	if (strcmp(kind, "questionnaire_response") != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "a %s cannot be a submission; only questionnaire "
		                     "responses are submitted",
		                     kind);
	if (strcmp(value, "draft") == 0)
		return 0;
	if (strcmp(value, "final") != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "a submission is 'draft' or 'final', not '%.40s'",
		                     value);
	if (plm_submission_may_finalize(policy, role, side))
		return 0;
	/* The rule is where the policy says who moves a stage on by submitting. */
	for (i = 0; i < policy->n_stages; i++) {
		const plm_policy_who *w = &policy->stages[i].advance_submit;
		if (w->roles[0] | w->roles[1] | w->roles[2])
			break;
	}
	snprintf(path, sizeof(path), "stages.%s.advanced_by",
	         i < policy->n_stages ? policy->stages[i].head.name : "*");
	return plm_policy_refuse(
	    err, path, i < policy->n_stages ? policy->stages[i].head.source : NULL,
	    "it is marked as the final submission, which only the "
	    "focal point of the State under review makes, but its "
	    "author is %s of %s",
	    plm_policy_title(policy, PLM_POLICY_ROLES, role)
	        ? plm_policy_title(policy, PLM_POLICY_ROLES, role)
	        : role,
	    plm_policy_side_phrase(side));
}
