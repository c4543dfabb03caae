/* deadline.c - where a deadline stands (see deadline.h). */
#include "policies/deadline.h"

#include <string.h>

#include "policies/policy_impl.h"

/* Whole days in SECONDS, rounded up: a second late is a day late. */
static int64_t days_up(uint64_t seconds)
{
	return (int64_t)((seconds + PLM_DAY_SECONDS - 1) / PLM_DAY_SECONDS);
}

int plm_deadline_status_at(const plm_policy *policy,
                           const plm_policy_deadline *deadline, const uint64_t *entered,
                           size_t n_entered, size_t current, uint64_t now,
                           plm_deadline_status *out, plm_error *err)
{
	int from = plm_policy_find(policy, PLM_POLICY_STAGES, deadline->from_stage);
	int until = plm_policy_find(policy, PLM_POLICY_STAGES, deadline->until_stage);
	int r;

	memset(out, 0, sizeof(*out));
	if (from < 0 || until < from || (size_t)until >= n_entered)
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "the deadline '%s' names stages the policy does not "
		    "have",
		    deadline->name);
	if ((size_t)from > current || entered[from] == 0)
		return 0; /* not started */
	if ((r = plm_policy_due(&deadline->within, entered[from], &out->due, err)) != 0)
		return r;
	if ((size_t)until < current && (size_t)until + 1 < n_entered &&
	    entered[until + 1] != 0) {
		out->state = PLM_DEADLINE_PASSED;
		out->met_at = entered[until + 1];
		out->days_late =
		    out->met_at > out->due ? days_up(out->met_at - out->due) : 0;
	} else if (now <= out->due) {
		out->state = PLM_DEADLINE_RUNNING;
		out->days_left = (int64_t)((out->due - now) / PLM_DAY_SECONDS);
	} else {
		out->state = PLM_DEADLINE_OVERDUE;
		out->days_left = -days_up(now - out->due);
	}
	return 0;
}

const char *plm_deadline_state_name(enum plm_deadline_state state)
{
	switch (state) {
	case PLM_DEADLINE_RUNNING:
		return "running";
	case PLM_DEADLINE_OVERDUE:
		return "overdue";
	case PLM_DEADLINE_PASSED:
		return "passed";
	case PLM_DEADLINE_NOT_STARTED:
		break;
	}
	return "not started";
}
