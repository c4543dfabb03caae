/* review_facts.c - stage dates, deadlines and parties of a review (see review_facts.h). */
#include "client/review_facts.h"

#include <string.h>

#include "client/state.h"
#include "client/sync.h"
#include "keys/record.h"

#define DAY 86400

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
	json_t *list = json_array();
	uint64_t due;
	long long days;
	const char *state;
	size_t i;
	int from;

	for (i = 0; (d = plm_policy_deadline_at(policy, i)) != NULL; i++) {
		from = facts_stage_index(policy, d->from_stage);
		if (from < 0 || from > current || entered[from] == 0 ||
		    plm_policy_due(&d->within, entered[from], &due, NULL) != 0) {
			json_array_append_new(
			    list,
			    json_pack("{s:s, s:s, s:s, s:n, s:n, s:s}", "name", d->name,
			              "title", d->title, "from_stage", d->from_stage,
			              "due", "days_left", "state", "not started"));
			continue;
		}
		days = due >= now ? (long long)((due - now) / DAY)
		                  : -(long long)((now - due + DAY - 1) / DAY);
		state = from < current ? "passed" : due >= now ? "running" : "overdue";
		json_array_append_new(
		    list, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "name", d->name,
		                    "title", d->title, "from_stage", d->from_stage,
		                    "due", (json_int_t)due, "days_left",
		                    (json_int_t)days, "state", state));
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
