/*
 * deadline.h - where one of the policy's deadlines stands in a review
 * (policies/untoc.yaml `deadlines`, docs/POLICY.md §3.7), for `palermo
 * status` and anyone else who shows them: a pure function of the times the
 * review entered its stages and the time now, so that it can be tested
 * without waiting weeks.
 */
#ifndef PLM_DEADLINE_H
#define PLM_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

#include "policies/policy.h"

#define PLM_DAY_SECONDS 86400

enum plm_deadline_state {
	PLM_DEADLINE_NOT_STARTED = 0, /* the review has not entered from_stage */
	PLM_DEADLINE_RUNNING,         /* in from_stage..until_stage, due is ahead */
	PLM_DEADLINE_OVERDUE,         /* in from_stage..until_stage, due is past */
	PLM_DEADLINE_PASSED,          /* the review moved on from until_stage */
};

typedef struct plm_deadline_status {
	enum plm_deadline_state state;
	uint64_t due;      /* Unix seconds (0: not started) */
	int64_t days_left; /* running: whole days left, rounded down; overdue: minus
	                      the days overdue, rounded up (a second late is a day) */
	uint64_t met_at;   /* passed: when the review moved on from until_stage */
	int64_t
	    days_late; /* passed: days after due it moved on, rounded up; 0 in time */
} plm_deadline_status;

/*
 * The status of DEADLINE at NOW in a review that is in stage CURRENT (an
 * index into the policy's stages) and entered stage i at ENTERED[i]
 * (N_ENTERED entries, 0 = not entered; the first stage at the start).
 * PLM_ERR_POLICY for a deadline whose stages are not the policy's.
 */
int plm_deadline_status_at(const plm_policy *policy,
                           const plm_policy_deadline *deadline, const uint64_t *entered,
                           size_t n_entered, size_t current, uint64_t now,
                           plm_deadline_status *out, plm_error *err);

/* "not started", "running", "overdue" or "passed". */
const char *plm_deadline_state_name(enum plm_deadline_state state);

#endif
