/* parties.c - palermod's cache of the parties group (see parties.h). */
#include "daemon/parties.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/routes.h"
#include "policies/parties.h"

static pthread_mutex_t parties_lock = PTHREAD_MUTEX_INITIALIZER;
static plm_parties *cache;

void parties_free(void)
{
	pthread_mutex_lock(&parties_lock);
	plm_parties_free(cache);
	cache = NULL;
	pthread_mutex_unlock(&parties_lock);
}

struct replay {
	struct server *srv;
	plm_parties *group;
	plm_error *err;
};

/* Re-applies one stored record of the group (certificates were checked then). */
static int replay_record(void *ctx, const struct store_record *rec)
{
	struct replay *rp = ctx;
	plm_record *record = NULL;
	int r;

	if ((r = plm_record_decode(rec->bytes, rec->len, &record, rp->err)) == 0)
		r = plm_parties_apply(rp->group, rp->srv->policy, rp->srv->root_fpr,
		                      record, NULL, NULL, rp->err);
	plm_record_free(record);
	if (r != 0)
		return plm_error_set(
		    rp->err, PLM_ERR_CORRUPT,
		    "the stored records of the parties group no longer "
		    "verify: %s",
		    rp->err ? rp->err->message : "");
	return 0;
}

/* The cached group, built from the store if needed. Called with the lock held. */
static int lookup(struct server *srv, plm_parties **out, plm_error *err)
{
	struct replay rp;
	int r;

	if (cache == NULL) {
		if ((r = plm_parties_new(&rp.group, err)) != 0)
			return r;
		rp.srv = srv;
		rp.err = err;
		if ((r = store_list_records(srv->store, PLM_PARTIES_REVIEW_ID,
		                            UINT64_MAX, UINT32_MAX, replay_record, &rp,
		                            err)) != 0) {
			plm_parties_free(rp.group);
			return r;
		}
		cache = rp.group;
	}
	*out = cache;
	return 0;
}

/*
 * plm_parties_cert_fn over the store: the newest certificate of FPR, not
 * revoked and valid now.
 */
static int stored_certificate(void *ctx, const unsigned char fpr[PLM_FPR_BYTES],
                              plm_certificate *out, plm_error *err)
{
	struct server *srv = ctx;
	unsigned char *bytes = NULL;
	plm_record *rec = NULL;
	uint64_t now = (uint64_t)time(NULL);
	size_t len;
	int r;

	if (store_find_subject(srv->store, PLM_RECORD_REVOCATION, fpr, &bytes, &len,
	                       NULL) == 0) {
		free(bytes);
		return plm_error_set(err, PLM_ERR_DENIED, "those keys were revoked");
	}
	if (store_find_subject(srv->store, PLM_RECORD_CERTIFICATE, fpr, &bytes, &len,
	                       NULL) != 0 ||
	    plm_record_decode(bytes, len, &rec, NULL) != 0) {
		free(bytes);
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "those keys have no certificate");
	}
	*out = rec->body.certificate;
	r = now < out->not_before || now >= out->not_after
	        ? plm_error_set(err, PLM_ERR_DENIED,
	                        "their certificate is not valid now")
	        : 0;
	free(bytes);
	plm_record_free(rec);
	return r;
}

int parties_add_record(struct server *srv, const plm_record *record, uint64_t *seq,
                       plm_error *err)
{
	struct store_record rec;
	plm_parties *group, *trial = NULL;
	int r;

	pthread_mutex_lock(&parties_lock);
	if (store_log_index(srv->store, record->id, seq) == 0) {
		r = plm_error_set(err, PLM_ERR_EXISTS, "this record is already stored");
		goto out;
	}
	if ((r = lookup(srv, &group, err)) != 0 ||
	    (r = plm_parties_new(&trial, err)) != 0)
		goto out;
	/* Check on a copy: nothing changes unless it is stored. */
	if ((group->roster != NULL &&
	     (r = plm_record_decode(group->roster->encoding,
	                            group->roster->encoding_len, &trial->roster,
	                            err)) != 0) ||
	    (group->epoch_keys != NULL &&
	     (r = plm_record_decode(group->epoch_keys->encoding,
	                            group->epoch_keys->encoding_len, &trial->epoch_keys,
	                            err)) != 0))
		goto out;
	if ((r = plm_parties_apply(trial, srv->policy, srv->root_fpr, record,
	                           stored_certificate, srv, err)) != 0)
		goto out;
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.id, record->id, PLM_HASH_BYTES);
	rec.type = record->type;
	snprintf(rec.review, sizeof(rec.review), "%s", PLM_PARTIES_REVIEW_ID);
	rec.epoch = record->type == PLM_RECORD_PARTIES_ROSTER
	                ? record->body.parties.epoch
	                : record->body.epoch_keys.epoch;
	rec.bytes = record->encoding;
	rec.len = record->encoding_len;
	if ((r = store_add_record(srv->store, &rec, NULL, 0, err)) != 0)
		goto out;
	*seq = rec.seq;
	plm_parties_free(cache);
	cache = trial;
	trial = NULL;
out:
	plm_parties_free(trial);
	pthread_mutex_unlock(&parties_lock);
	return r;
}

int parties_is_member(struct server *srv, const unsigned char fpr[PLM_FPR_BYTES])
{
	plm_parties *group;
	int found = 0;

	pthread_mutex_lock(&parties_lock);
	if (lookup(srv, &group, NULL) == 0)
		found = plm_parties_member(group, fpr) != NULL;
	pthread_mutex_unlock(&parties_lock);
	return found;
}

uint64_t parties_current_epoch(struct server *srv)
{
	plm_parties *group;
	uint64_t epoch = 0;

	pthread_mutex_lock(&parties_lock);
	if (lookup(srv, &group, NULL) == 0)
		epoch = plm_parties_epoch(group);
	pthread_mutex_unlock(&parties_lock);
	return epoch;
}

int parties_may_fetch(struct request *req, const struct store_envelope *env)
{
	unsigned char *bytes = NULL;
	plm_record *rec = NULL;
	size_t len;
	int ok = 0;

	if (store_find_subject(req->srv->store, PLM_RECORD_DISCLOSURE, env->id, &bytes,
	                       &len, NULL) != 0)
		return 0;
	if (plm_record_decode(bytes, len, &rec, NULL) == 0 &&
	    strcmp(rec->body.disclosure.review_id, env->review) == 0)
		ok = rec->body.disclosure.scope == PLM_DISCLOSE_PUBLIC ||
		     caller_is_secretariat(req) ||
		     parties_is_member(req->srv, req->caller);
	free(bytes);
	plm_record_free(rec);
	return ok;
}
