/* agreement.c - drafts from the local state for the shared rule (see agreement.h). */
#include "client/agreement.h"

#include <stdio.h>
#include <string.h>

#include "client/sync.h"

/* A stored envelope as the shared rule sees it. */
static void as_draft(const struct stored_envelope *env, plm_draft *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->id, env->id, PLM_HASH_BYTES);
	snprintf(out->review, sizeof(out->review), "%s", env->review);
	snprintf(out->kind, sizeof(out->kind), "%s", env->kind);
	snprintf(out->channel, sizeof(out->channel), "%s", env->channel);
	out->seq = env->seq < 0 ? 0 : (uint64_t)env->seq;
}

struct newest {
	const char *kind, *channel;
	int64_t before;
	plm_draft *out;
	int found;
};

/* Envelopes come in log order: the last verified one of the kind wins. */
static int one_envelope(void *ctx, const struct stored_envelope *env)
{
	struct newest *n = ctx;

	if (env->seq >= n->before)
		return 1;
	if (env->status == ENVELOPE_VERIFIED && strcmp(env->kind, n->kind) == 0 &&
	    strcmp(env->channel, n->channel) == 0) {
		as_draft(env, n->out);
		n->found = 1;
	}
	return 0;
}

int agreement_newest(struct state *st, const char *review, const char *kind,
                     const char *channel, int64_t before, plm_draft *out,
                     plm_error *err)
{
	struct newest n = {kind, channel, before, out, 0};
	int r = state_envelopes_each(st, review, one_envelope, &n, err);

	if (r < 0)
		return r;
	if (!n.found)
		return plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "review %s has no draft of kind %s on channel %s here", review,
		    kind, channel);
	return 0;
}

int agreement_check(struct state *st, plm_review *review, const plm_policy *policy,
                    const unsigned char root_fpr[PLM_FPR_BYTES],
                    const plm_record *record, int64_t seq, plm_error *err)
{
	struct stored_envelope env;
	plm_draft document, newest;
	int have_doc, have_newest = 0, r;

	r = state_envelope_get(st, record->body.agreement.document, &env, NULL);
	if (r != 0 && r != PLM_ERR_NOTFOUND)
		return state_envelope_get(st, record->body.agreement.document, &env,
		                          err);
	have_doc = r == 0 && env.status == ENVELOPE_VERIFIED && env.seq < seq;
	if (have_doc) {
		as_draft(&env, &document);
		r = agreement_newest(st, env.review, env.kind, env.channel, seq,
		                     &newest, err);
		if (r != 0 && r != PLM_ERR_NOTFOUND)
			return r;
		have_newest = r == 0;
	}
	return plm_agreement_check(review, policy, root_fpr, record,
	                           have_doc ? &document : NULL,
	                           have_newest ? &newest : NULL, err);
}
