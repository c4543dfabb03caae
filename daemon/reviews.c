/* reviews.c - the daemon's cache of review states (see reviews.h). */
#include "daemon/reviews.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/evil.h"
#include "daemon/server.h"
#include "policies/agreement.h"

struct cached_review {
	char id[PLM_RECORD_ID_MAX + 1];
	plm_review *state;
	struct cached_review *next;
};

static pthread_mutex_t reviews_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_review *cache;

int reviews_init(struct server *srv, plm_error *err)
{
	(void)srv;
	(void)err;
	return 0;
}

/* Forgets every cached review state. Called with reviews_lock held. */
static void drop_cache(void)
{
	struct cached_review *c, *next;

	for (c = cache; c != NULL; c = next) {
		next = c->next;
		plm_review_free(c->state);
		free(c);
	}
	cache = NULL;
}

void reviews_free(struct server *srv)
{
	(void)srv;
	pthread_mutex_lock(&reviews_lock);
	drop_cache();
	pthread_mutex_unlock(&reviews_lock);
}

struct replay {
	struct server *srv;
	plm_review *state;
	plm_error *err;
};

/* Re-applies one stored record while rebuilding a review's state. */
static int replay_record(void *ctx, const struct store_record *rec)
{
	struct replay *rp = ctx;
	plm_record *record = NULL;
	int r;

	if (rec->type == PLM_RECORD_DISCLOSURE)
		return 0; /* changes nothing in the state */
	if ((r = plm_record_decode(rec->bytes, rec->len, &record, rp->err)) == 0)
		r = plm_review_apply(rp->state, rp->srv->policy, rp->srv->root_fpr, record,
		                     rp->err);
	plm_record_free(record);
	if (r != 0 && !evil_accept())
		return plm_error_set(rp->err, PLM_ERR_CORRUPT,
		                     "the stored records of a review no longer verify: %s",
		                     rp->err ? rp->err->message : "");
	return 0;
}

/*
 * The cached state of REVIEW_ID, built from the store if needed. Called with
 * reviews_lock held. PLM_ERR_NOTFOUND when the review has no roster and
 * CREATE is 0.
 */
static int lookup(struct server *srv, const char *review_id, int create,
                  plm_review **out, plm_error *err)
{
	struct cached_review *c;
	struct replay rp;
	uint64_t after = UINT64_MAX;
	int r;

	for (c = cache; c != NULL; c = c->next)
		if (strcmp(c->id, review_id) == 0) {
			if (c->state->roster == NULL && !create)
				return plm_error_set(err, PLM_ERR_NOTFOUND, "no such review");
			*out = c->state;
			return 0;
		}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	snprintf(c->id, sizeof(c->id), "%s", review_id);
	if ((r = plm_review_new(&c->state, srv->policy, err)) != 0) {
		free(c);
		return r;
	}
	rp.srv = srv;
	rp.state = c->state;
	rp.err = err;
	r = store_list_records(srv->store, review_id, after, UINT32_MAX, replay_record, &rp,
	                       err);
	if (r == 0 && c->state->roster == NULL && !create)
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "no such review");
	if (r != 0) {
		plm_review_free(c->state);
		free(c);
		return r;
	}
	c->next = cache;
	cache = c;
	*out = c->state;
	return 0;
}


/* The newest envelope of one review, kind and channel (check_agreement). */
struct newest_draft {
	const char *kind, *channel;
	plm_draft *out;
	int found;
};

static int newer_draft(void *ctx, const struct store_envelope *env)
{
	struct newest_draft *nd = ctx;

	if (strcmp(env->kind, nd->kind) != 0 || strcmp(env->channel, nd->channel) != 0 ||
	    (nd->found && env->seq <= nd->out->seq))
		return 0;
	memcpy(nd->out->id, env->id, PLM_HASH_BYTES);
	snprintf(nd->out->review, sizeof(nd->out->review), "%s", env->review);
	snprintf(nd->out->kind, sizeof(nd->out->kind), "%s", env->kind);
	snprintf(nd->out->channel, sizeof(nd->out->channel), "%s", env->channel);
	nd->out->seq = env->seq;
	nd->found = 1;
	return 0;
}

/*
 * Checks agreement RECORD against TRIAL with the shared rule
 * (plm_agreement_check): the document it names as stored here, and the
 * newest stored envelope of that review, kind and channel. Called with reviews_lock
 * held, which every envelope also takes to be stored: no draft can slip in
 * between this check and the agreement's place in the log.
 */
static int check_agreement(struct server *srv, plm_review *trial,
                           const plm_record *record, plm_error *err)
{
	struct store_envelope env;
	plm_draft document, newest;
	struct newest_draft nd = {NULL, NULL, &newest, 0};
	int r, have_doc;

	memset(&document, 0, sizeof(document));
	have_doc = store_get_envelope(srv->store, record->body.agreement.document, &env,
	                              NULL) == 0;
	if (have_doc) {
		memcpy(document.id, env.id, PLM_HASH_BYTES);
		snprintf(document.review, sizeof(document.review), "%s", env.review);
		snprintf(document.kind, sizeof(document.kind), "%s", env.kind);
		snprintf(document.channel, sizeof(document.channel), "%s", env.channel);
		document.seq = env.seq;
		nd.kind = env.kind;
		nd.channel = env.channel;
		if ((r = store_list_envelopes(srv->store, env.review, UINT64_MAX, UINT32_MAX,
		                              newer_draft, &nd, err)) != 0)
			return r;
	}
	r = plm_agreement_check(trial, srv->policy, srv->root_fpr, record,
	                        have_doc ? &document : NULL, nd.found ? &newest : NULL, err);
	/* A missing document is the record's fault (409), not a missing review (404). */
	if (r == PLM_ERR_NOTFOUND)
		r = err != NULL ? (err->code = PLM_ERR_MISMATCH) : PLM_ERR_MISMATCH;
	return r;
}

int reviews_add_record(struct server *srv, const plm_record *record,
                       const char *kind, uint64_t *seq, plm_error *err)
{
	const char *review_id = plm_record_review(record);
	unsigned char (*members)[PLM_FPR_BYTES] = NULL;
	struct store_record rec;
	plm_review *state, *trial = NULL;
	size_t n = 0, i;
	int r;

	if (review_id == NULL)
		return plm_error_set(err, PLM_ERR_TYPE, "not a review record");
	pthread_mutex_lock(&reviews_lock);
	/* Already accepted (a retry): the same answer, not a state error. */
	if (store_log_index(srv->store, record->id, seq) == 0) {
		r = plm_error_set(err, PLM_ERR_EXISTS, "this record is already stored");
		goto out;
	}
	if ((r = lookup(srv, review_id, record->type == PLM_RECORD_ROSTER, &state, err)) != 0)
		goto out;
	/* Check on a copy of the state first: nothing changes unless it is stored. */
	if (record->type == PLM_RECORD_DISCLOSURE) {
		r = plm_review_check_disclosure(state, srv->policy, record, kind, err);
		if (r != 0 && !evil_accept())
			goto out;
	} else {
		if ((r = plm_review_new(&trial, srv->policy, err)) != 0)
			goto out;
		*trial = *state;
		trial->roster = NULL;
		trial->epoch_keys = NULL;
		if ((state->roster != NULL &&
		     (r = plm_record_decode(state->roster->encoding, state->roster->encoding_len,
		                            &trial->roster, err)) != 0) ||
		    (state->epoch_keys != NULL &&
		     (r = plm_record_decode(state->epoch_keys->encoding,
		                            state->epoch_keys->encoding_len, &trial->epoch_keys,
		                            err)) != 0))
			goto out;
		if (record->type == PLM_RECORD_AGREEMENT)
			r = check_agreement(srv, trial, record, err);
		else
			r = plm_review_apply(trial, srv->policy, srv->root_fpr, record, err);
		if (r != 0) {
			if (!evil_accept())
				goto out;
			plm_review_free(trial); /* palermod-evil: stored, state kept */
			trial = NULL;
		}
	}
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.id, record->id, PLM_HASH_BYTES);
	rec.type = record->type;
	snprintf(rec.review, sizeof(rec.review), "%s", review_id);
	rec.bytes = record->encoding;
	rec.len = record->encoding_len;
	if (record->type == PLM_RECORD_ROSTER) {
		const plm_roster *roster = &record->body.roster;
		rec.epoch = roster->epoch;
		n = roster->n_members;
		members = malloc(n * sizeof(*members));
		if (members == NULL) {
			r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++)
			memcpy(members[i], roster->members[i].fingerprint, PLM_FPR_BYTES);
	} else if (record->type == PLM_RECORD_EPOCH_KEYS) {
		rec.epoch = record->body.epoch_keys.epoch;
	} else if (record->type == PLM_RECORD_HISTORY_GRANT) {
		rec.epoch = record->body.history_grant.epoch;
	} else if (record->type == PLM_RECORD_DISCLOSURE) {
		/* The disclosed envelope: who else may fetch it (routes_parties.c). */
		memcpy(rec.subject, record->body.disclosure.envelope_id, PLM_HASH_BYTES);
		rec.has_subject = 1;
	}
	r = store_add_record(srv->store, &rec, (const unsigned char(*)[PLM_FPR_BYTES])members,
	                     n, err);
	*seq = rec.seq;
	if (r == 0 && trial != NULL) {
		/* Stored: the trial state becomes the review's state. */
		plm_record_free(state->roster);
		plm_record_free(state->epoch_keys);
		*state = *trial;
		trial->roster = trial->epoch_keys = NULL;
	}
out:
	plm_review_free(trial);
	free(members);
	pthread_mutex_unlock(&reviews_lock);
	return r;
}

/* store_add_envelopes' INSERTED: the rows are in, the commit follows. */
static void unlock_reviews(void *ctx)
{
	(void)ctx;
	pthread_mutex_unlock(&reviews_lock);
}

/* Checks HEADER against its review's current state; reviews_lock held. */
static int check_envelope_locked(struct server *srv, const plm_envelope_header *header,
                                 plm_error *err)
{
	plm_review *state;
	int r;

	if ((r = lookup(srv, header->review_id, 0, &state, err)) == 0 &&
	    (r = plm_review_check_envelope(state, srv->policy, header, err)) != 0 &&
	    evil_accept())
		r = 0; /* build/tests/palermod-evil only (evil.h) */
	return r;
}

int reviews_check_envelope(struct server *srv, const plm_envelope_header *header,
                           struct store_envelope *commit, plm_error *err)
{
	int r;

	pthread_mutex_lock(&reviews_lock);
	r = check_envelope_locked(srv, header, err);
	if (r == 0 && commit != NULL)
		r = store_add_envelope(srv->store, commit, err);
	pthread_mutex_unlock(&reviews_lock);
	return r;
}

int reviews_commit_envelopes(struct server *srv, const plm_envelope_header *const *headers,
                             struct store_envelope *envs, int *results, plm_error *errs,
                             size_t n, plm_error *err)
{
	size_t i;
	int r;

	pthread_mutex_lock(&reviews_lock);
	for (i = 0; i < n; i++)
		results[i] = check_envelope_locked(srv, headers[i], &errs[i]);
	/* The lock goes before the fsync of the commit (store.h says why it may). */
	r = store_add_envelopes(srv->store, envs, results, n, unlock_reviews, NULL, err);
	return r;
}

int reviews_member(struct server *srv, const char *review_id,
                   const unsigned char fpr[PLM_FPR_BYTES], plm_roster_member *out,
                   enum plm_policy_side *side, char stage[PLM_RECORD_NAME_MAX + 1])
{
	const plm_roster_member *m;
	plm_review *state;
	int r;

	pthread_mutex_lock(&reviews_lock);
	if ((r = lookup(srv, review_id, 0, &state, NULL)) == 0 &&
	    (r = plm_review_member(state, fpr, &m, side, NULL)) == 0) {
		*out = *m;
		if (stage != NULL)
			memcpy(stage, state->stage, PLM_RECORD_NAME_MAX + 1);
	}
	pthread_mutex_unlock(&reviews_lock);
	return r;
}

void reviews_set_policy(struct server *srv, plm_policy *policy, plm_policy **old)
{
	pthread_mutex_lock(&reviews_lock);
	drop_cache();
	*old = srv->policy;
	__atomic_store_n(&srv->policy, policy, __ATOMIC_RELEASE);
	plm_policy_digest(policy, srv->policy_digest);
	pthread_mutex_unlock(&reviews_lock);
}
