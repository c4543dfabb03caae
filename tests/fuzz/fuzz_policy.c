/*
 * fuzz_policy.c - any bytes given to the policy loader as a policy: it
 * never crashes, leaks or loops, and a policy that loads answers every
 * question of the evaluator about every name it defines.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policies/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every State is party to every treaty: the party rules then pass. */
static int party_to_all(void *ctx, const char *state, const char *treaty)
{
	(void)ctx;
	(void)state;
	(void)treaty;
	return 1;
}

/* Asks every evaluator question about the names of P, a bounded number. */
static void exercise(const plm_policy *p)
{
	static const char *const scopes[] = {"parties", "public", "press"};
	static const char *const mimes[] = {"application/pdf", "text/plain; a=b", ""};
	char warning[PLM_POLICY_WARNING_MAX];
	unsigned articles[PLM_POLICY_ARTICLES_MAX];
	const char *party_to[3] = {NULL, NULL, NULL};
	const plm_policy_grant *grants;
	const char *role, *channel, *kind, *stage, *next, *cluster, *instrument;
	plm_policy_review_instrument in;
	plm_policy_review review;
	const char *reviewing[1] = {"BRA"};
	const char *langs[1];
	plm_error err;
	uint64_t bytes, due;
	size_t r, c, k, s, n, i;
	int side;

	for (r = 0; (role = plm_policy_nth(p, PLM_POLICY_ROLES, r)) != NULL; r++) {
		plm_policy_in_parties_group(p, role);
		for (side = 0; side <= 4; side++) {
			for (c = 0; (channel = plm_policy_nth(p, PLM_POLICY_CHANNELS,
			                                      c)) != NULL;
			     c++) {
				plm_policy_may_read(p, role, side, channel, &err);
				for (k = 0; k < 4; k++) {
					kind = plm_policy_nth(p, PLM_POLICY_KINDS, k);
					stage = plm_policy_nth(p, PLM_POLICY_STAGES, k);
					plm_policy_may_write(p, role, side, channel,
					                     kind, stage, &err);
				}
			}
			for (k = 0;
			     (kind = plm_policy_nth(p, PLM_POLICY_KINDS, k)) != NULL;
			     k++) {
				for (i = 0; i < 3; i++)
					plm_policy_may_disclose(p, role, side, kind,
					                        scopes[i], &err);
				stage = plm_policy_nth(p, PLM_POLICY_STAGES, 0);
				plm_policy_may_agree(p, role, side, kind, stage, &err);
			}
			for (s = 0;
			     (stage = plm_policy_nth(p, PLM_POLICY_STAGES, s)) != NULL;
			     s++) {
				next = plm_policy_nth(p, PLM_POLICY_STAGES, s + 1);
				plm_policy_may_advance(p, stage,
				                       next != NULL ? next : stage,
				                       role, side, &err);
			}
		}
	}
	for (c = 0; (channel = plm_policy_nth(p, PLM_POLICY_CHANNELS, c)) != NULL; c++)
		plm_policy_channel_audience(p, channel, &grants, &n, &err);
	for (k = 0; (kind = plm_policy_nth(p, PLM_POLICY_KINDS, k)) != NULL; k++) {
		plm_policy_max_size(p, kind, &bytes, &err);
		plm_policy_check_words(p, kind, 1500, warning, &err);
		plm_policy_check_words(p, kind, UINT64_MAX, warning, &err);
		plm_policy_disclosed_by_default(p, kind, "parties");
	}
	for (s = 0; (stage = plm_policy_nth(p, PLM_POLICY_STAGES, s)) != NULL; s++)
		plm_policy_next_stage(p, stage, &next, &err);
	for (i = 0; i < 3; i++)
		plm_policy_attachment_allowed(p, mimes[i], &err);
	for (i = 0; i < plm_policy_deadline_count(p); i++) {
		plm_policy_due(&plm_policy_deadline_at(p, i)->within, 1700000000, &due,
		               &err);
	}
	party_to[0] = plm_policy_nth(p, PLM_POLICY_TREATIES, 0);
	for (c = 0; (cluster = plm_policy_nth(p, PLM_POLICY_PHASES, c)) != NULL; c++)
		for (i = 0; (instrument =
		                 plm_policy_nth(p, PLM_POLICY_INSTRUMENTS, i)) != NULL;
		     i++)
			plm_policy_articles(p, instrument, cluster, party_to, articles,
			                    &n, &err);
	/* One small review, with every State party to everything. */
	memset(&review, 0, sizeof(review));
	in.name = plm_policy_nth(p, PLM_POLICY_INSTRUMENTS, 0);
	in.reviewing = reviewing;
	in.n_reviewing = 1;
	langs[0] = plm_policy_nth(p, PLM_POLICY_LANGUAGES, 0);
	review.sur_state = "ITA";
	review.cluster = plm_policy_nth(p, PLM_POLICY_CLUSTERS, 0);
	review.instruments = &in;
	review.n_instruments = 1;
	review.languages = langs;
	review.n_languages = 1;
	review.is_party = party_to_all;
	plm_policy_check_review(p, &review, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plm_policy *p = NULL;
	plm_error err;

	plm_word_count((const char *)data, size);
	if (plm_policy_parse("fuzz.yaml", (const char *)data, size, &p, &err) == 0) {
		exercise(p);
		plm_policy_free(p);
	}
	return 0;
}
