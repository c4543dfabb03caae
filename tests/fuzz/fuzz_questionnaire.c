/*
 * fuzz_questionnaire.c - any bytes given to plm_questionnaire_check as an
 * answers file, under the shipped policy: it never crashes, leaks or loops,
 * and every problem it reports is a positioned sentence.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/policy.h"
#include "policies/questionnaire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shipped policy ($PLM_TOP/policies/untoc.yaml, else ./policies/). */
static const plm_policy *untoc(void)
{
	static plm_policy *policy;
	char path[4096];
	const char *top = getenv("PLM_TOP");
	plm_error err;

	if (policy == NULL) {
		snprintf(path, sizeof(path), "%s/policies/untoc.yaml",
		         top != NULL && top[0] != '\0' ? top : ".");
		if (plm_policy_load(path, &policy, &err) != 0) {
			fprintf(stderr, "cannot load %s: %s\n", path, err.message);
			abort();
		}
	}
	return policy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plm_questionnaire_report *rep = NULL;
	plm_error err;
	size_t i;

	if (plm_questionnaire_check(untoc(), "fuzz.yaml", (const char *)data, size,
	                            &rep, &err) != 0) {
		if (rep != NULL)
			abort();
		return 0;
	}
	if (rep->n_kept > rep->n_problems ||
	    rep->n_kept > PLM_QUESTIONNAIRE_PROBLEMS_MAX ||
	    rep->n_attachments > PLM_QUESTIONNAIRE_ATTACHMENTS_MAX ||
	    rep->n_answers > rep->n_expected)
		abort();
	for (i = 0; i < rep->n_kept; i++)
		if (strncmp(rep->problems[i], "fuzz.yaml:", 10) != 0)
			abort();
	plm_questionnaire_report_free(rep);
	return 0;
}
