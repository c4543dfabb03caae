/* review_facts.c - stage dates, deadlines and parties of a review (see review_facts.h). */
#include "client/review_facts.h"

#include <string.h>

#include "client/state.h"
#include "client/sync.h"
#include "keys/record.h"
#include "policies/deadline.h"


int facts_stage_index(const plm_policy *policy, const char *name)
{
	size_t i, n = plm_policy_count(policy, PLM_POLICY_STAGES);

	for (i = 0; i < n && i < PLM_POLICY_STAGES_MAX; i++)
		if (strcmp(plm_policy_nth(policy, PLM_POLICY_STAGES, i), name) == 0)
			return (int)i;
	return -1;
}

struct entered_ctx {
	const plm_policy *policy;
	uint64_t *entered;
	plm_error *err;
};

/* A stored stage transition: when its stage began. */
static int one_stage(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct entered_ctx *c = ctx;
	plm_record *rec = NULL;
	int i;

	(void)seq;
	if (plm_record_decode(bytes, len, &rec, NULL) != 0)
		return plm_error_set(c->err, PLM_ERR_CORRUPT,
		                     "a stored stage record is damaged");
	i = facts_stage_index(c->policy, rec->body.stage.to_stage);
	if (i >= 0)
		c->entered[i] = rec->body.stage.effective_at;
	plm_record_free(rec);
	return 0;
}

int facts_stages_entered(struct cli *cli, const plm_policy *policy,
                         const plm_review *state, const char *review,
                         uint64_t entered[PLM_POLICY_STAGES_MAX], plm_error *err)
{
	struct entered_ctx c = {policy, entered, err};

	memset(entered, 0, PLM_POLICY_STAGES_MAX * sizeof(entered[0]));
	entered[0] = state->started_at;
	return state_records_each(cli->state, review, PLM_RECORD_STAGE, one_stage, &c, err);
}

json_t *facts_deadlines(const plm_policy *policy, const uint64_t entered[], int current,
                        uint64_t now)
{
	const plm_policy_deadline *d;
	plm_deadline_status ds;
	json_t *list = json_array(), *item;
	size_t i, n = plm_policy_count(policy, PLM_POLICY_STAGES);

	if (n > PLM_POLICY_STAGES_MAX)
		n = PLM_POLICY_STAGES_MAX;
	for (i = 0; (d = plm_policy_deadline_at(policy, i)) != NULL; i++) {
		if (current < 0 || plm_deadline_status_at(policy, d, entered, n, (size_t)current,
		                                          now, &ds, NULL) != 0)
			memset(&ds, 0, sizeof(ds));
		item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", d->name, "title",
		                 d->title, "from_stage", d->from_stage, "until_stage",
		                 d->until_stage, "state", plm_deadline_state_name(ds.state));
		json_object_set_new(item, "due",
		                    ds.state == PLM_DEADLINE_NOT_STARTED
		                        ? json_null()
		                        : json_integer((json_int_t)ds.due));
		json_object_set_new(item, "days_left",
		                    ds.state == PLM_DEADLINE_RUNNING ||
		                            ds.state == PLM_DEADLINE_OVERDUE
		                        ? json_integer((json_int_t)ds.days_left)
		                        : json_null());
		json_object_set_new(item, "met_at",
		                    ds.state == PLM_DEADLINE_PASSED
		                        ? json_integer((json_int_t)ds.met_at)
		                        : json_null());
		json_object_set_new(item, "days_late",
		                    ds.state == PLM_DEADLINE_PASSED
		                        ? json_integer((json_int_t)ds.days_late)
		                        : json_null());
		json_array_append_new(list, item);
	}
	return list;
}

json_t *facts_parties(const plm_roster *roster)
{
	json_t *list = json_array(), *s;
	unsigned i, j;
	size_t k;
	int seen;

	json_array_append_new(list, json_string(roster->sur_state));
	for (i = 0; i < roster->n_instruments; i++)
		for (j = 0; j < roster->instruments[i].n_reviewing; j++) {
			seen = 0;
			json_array_foreach(list, k, s) seen |=
			    strcmp(json_string_value(s),
			           roster->instruments[i].reviewing[j]) == 0;
			if (!seen)
				json_array_append_new(
				    list,
				    json_string(roster->instruments[i].reviewing[j]));
		}
	return list;
}
