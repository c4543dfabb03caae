/*
 * sync.c - send the outbox, then fetch and verify everything new, in log
 * order (see sync.h).
 *
 * One run works on a snapshot: it asks the log's size first (the horizon)
 * and handles only what the log held then, so that the lists it fetches
 * one after another (deployment records, each review's records and
 * envelopes) are complete up to the same point and can be merged into the
 * log's one order. Each item is then checked against the state as it stood
 * at that point of the log, exactly as the daemon checked it when it
 * accepted it, and stored with the cursor that says it was handled, in one
 * transaction: a sync that stops halfway (network, kill) resumes where it
 * stopped, and a partly downloaded envelope resumes with Range.
 */
#define _GNU_SOURCE
#include "client/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/history.h"
#include "client/agreement.h"
#include "client/local.h"
#include "client/logcheck.h"
#include "client/outbox.h"
#include "client/parties.h"
#include "client/outbox_records.h"
#include "client/state.h"
#include "client/sig_ahead.h"
#include "client/sync_batch.h"
#include "client/transport.h"
#include "keys/codec.h"
#include "keys/merkle.h"
#include "policies/review.h"

/* What a fetched item is. */
enum item_type {
	ITEM_DEPLOYMENT = 1, /* a certificate or revocation */
	ITEM_RECORD = 2,     /* a review's signed record */
	ITEM_ENVELOPE = 3,   /* a review's envelope (metadata; bytes fetched later) */
	ITEM_PARTIES = 4,    /* a record of the parties group (client/parties.c) */
};

struct item {
	int64_t seq;
	enum item_type type;
	size_t review; /* index into sync_ctx.reviews (records, envelopes) */
	json_t *json;  /* borrowed: the pages in sync_ctx.pages own it */
};

/* One review being synced. */
struct review_sync {
	char id[PLM_RECORD_ID_MAX + 1];
	plm_review *state; /* verified state so far; NULL: the local one is damaged */
	int64_t records_after, envelopes_after;
	struct sync_batch *batch; /* its envelopes fetched many at a time */
	size_t last_envelope;     /* 1 + index of its last envelope item (0: none) */
};

/* Author heads already checked in this run (most envelopes share a few). */
#define HEADS_CHECKED_MAX 8

struct sync_ctx {
	struct cli *cli;
	struct state *st;
	const plm_policy *policy;
	const struct sync_observer *obs;
	struct sync_result *res;
	unsigned char root[PLM_FPR_BYTES];
	plm_pubkeys root_keys;
	unsigned char me[PLM_FPR_BYTES];
	int64_t horizon;      /* items with seq >= horizon wait for the next run */
	plm_tree_head head;   /* the server's head of this run (horizon = its size) */
	plm_pubkeys log_keys; /* the certified log key that signs it */
	int64_t deployment_after; /* cursor of the deployment records */
	struct review_sync *reviews;
	size_t n_reviews;
	struct item *items;
	size_t n_items, cap_items;
	json_t *pages; /* every page fetched, kept until the end */
	struct parties_sync *parties;
	int txn_open;          /* envelopes share one transaction (txn_begin) */
	unsigned txn_items;
	unsigned char heads_checked[HEADS_CHECKED_MAX][PLM_TREE_HEAD_BYTES];
	size_t n_heads_checked;
};

static int check_author_head(struct sync_ctx *c, const plm_tree_head *h,
                             plm_error *err);

/*
 * The log entry of KIND for ID (computed here from the verified bytes) must
 * be leaf SEQ of this run's head (PROTOCOL.md §6.7): one request per entry.
 * PLM_ERR_PROOF (or the server's refusal) makes the item refused; network
 * and local errors stop the run (is_local_failure).
 */
static int included(struct sync_ctx *c, int kind,
                    const unsigned char id[PLM_HASH_BYTES], int64_t seq, plm_error *err)
{
	return logcheck_included(c->cli->net, kind, id, seq, &c->head, err);
}

/* Errors that are about this machine, not about what the server sent: stop. */
static int is_local_failure(int code)
{
	return code == PLM_ERR_IO || code == PLM_ERR_NOMEM || code == PLM_ERR_CORRUPT ||
	       code == PLM_ERR_NET || code == PLM_ERR_DENIED;
}

/* Reports a refused item to the observer and counts it. */
static void refuse(struct sync_ctx *c, const char *review, int64_t seq,
                   const char *what, const char *problem)
{
	c->res->refused++;
	if (c->obs != NULL && c->obs->refused != NULL)
		c->obs->refused(c->obs->ctx, review, seq, what, problem);
}

void sync_roster_diff(const plm_roster *prev, const plm_roster *next, sync_change_fn fn,
                      void *ctx)
{
	size_t i = 0, j = 0, n_prev = prev != NULL ? prev->n_members : 0;
	const plm_roster_member *a, *b;
	int cmp;

	/* Both member lists are in fingerprint order (PROTOCOL.md §5.4): merge. */
	while (i < n_prev || j < next->n_members) {
		a = i < n_prev ? &prev->members[i] : NULL;
		b = j < next->n_members ? &next->members[j] : NULL;
		cmp = a == NULL ? 1
		      : b == NULL
		          ? -1
		          : memcmp(a->fingerprint, b->fingerprint, PLM_FPR_BYTES);
		if (cmp < 0) {
			fn(ctx, SYNC_REMOVED, a, NULL);
			i++;
		} else if (cmp > 0) {
			fn(ctx, SYNC_ADDED, NULL, b);
			j++;
		} else {
			if (strcmp(a->role, b->role) != 0 ||
			    strcmp(a->state, b->state) != 0 ||
			    strcmp(a->user_id, b->user_id) != 0)
				fn(ctx, SYNC_CHANGED, a, b);
			i++;
			j++;
		}
	}
}

/* ---- fetching --------------------------------------------------------- */

static int add_item(struct sync_ctx *c, int64_t seq, enum item_type type, size_t review,
                    json_t *json, plm_error *err)
{
	struct item *p;
	size_t cap;

	if (c->n_items == c->cap_items) {
		cap = c->cap_items ? 2 * c->cap_items : 64;
		p = realloc(c->items, cap * sizeof(*p));
		if (p == NULL)
			return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		c->items = p;
		c->cap_items = cap;
	}
	c->items[c->n_items].seq = seq;
	c->items[c->n_items].type = type;
	c->items[c->n_items].review = review;
	c->items[c->n_items].json = json;
	c->n_items++;
	return 0;
}

/*
 * Fetches every page of the listing at BASE ("/v1/certificates",
 * "/v1/reviews/ID/records" ...) after AFTER (-1: from the start) whose
 * array is KEY, and adds each element below the horizon as an item of
 * TYPE. The server's pages must go forward: anything else is refused as
 * a malformed answer.
 */
static int fetch_listing(struct sync_ctx *c, const char *base, const char *key,
                         int64_t after, enum item_type type, size_t review,
                         plm_error *err)
{
	char path[512];
	json_t *doc, *list, *elem, *next, *seq;
	size_t i;
	int r;

	for (;;) {
		if (after >= 0)
			snprintf(path, sizeof(path), "%s?after=%" PRId64, base, after);
		else
			snprintf(path, sizeof(path), "%s", base);
		if ((r = transport_json(c->cli->net, "GET", path, NULL, 0, &doc,
		                        err)) != 0)
			return r;
		json_array_append_new(c->pages, doc);
		list = json_object_get(doc, key);
		if (!json_is_array(list))
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "the server's answer to %s has no list of %s", path, key);
		if (json_array_size(list) == 0)
			return 0;
		json_array_foreach(list, i, elem)
		{
			seq = json_object_get(elem, "seq");
			if (!json_is_integer(seq) || json_integer_value(seq) <= after)
				return plm_error_set(
				    err, PLM_ERR_FORMAT,
				    "the server's answer to %s lists %s out of log "
				    "order",
				    path, key);
			after = json_integer_value(seq);
			if (after >= c->horizon)
				return 0; /* for the next sync */
			if ((r = add_item(c, after, type, review, elem, err)) != 0)
				return r;
		}
		next = json_object_get(doc, "next");
		if (!json_is_integer(next))
			return 0;
		if (json_integer_value(next) != after)
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "the server's answer to %s points to the wrong next "
			    "page",
			    path);
	}
}

/*
 * The log's signed head now: its size is the horizon of this run. Its
 * signature and consistency are checked by check_log, before anything of
 * the run is accepted.
 */
static int fetch_horizon(struct sync_ctx *c, plm_error *err)
{
	int r;

	if ((r = logcheck_fetch_head(c->cli->net, &c->head, err)) != 0)
		return r;
	if (c->head.tree_size > (uint64_t)INT64_MAX)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the server's log head has an impossible size");
	c->horizon = (int64_t)c->head.tree_size;
	return 0;
}

/* Adds REVIEW (an id the server listed) to the reviews to sync. */
static int add_review(struct sync_ctx *c, const char *id, plm_error *err)
{
	struct review_sync *p, *rs;
	int r;

	p = realloc(c->reviews, (c->n_reviews + 1) * sizeof(*p));
	if (p == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	c->reviews = p;
	rs = &c->reviews[c->n_reviews];
	memset(rs, 0, sizeof(*rs));
	snprintf(rs->id, sizeof(rs->id), "%s", id);
	c->n_reviews++;
	if ((r = state_sync_cursor(c->st, id, &rs->records_after, &rs->envelopes_after,
	                           err)) != 0)
		return r;
	/* The state as verified so far: the stored records replayed. */
	r = local_review(c->cli, id, INT64_MAX, &rs->state, err);
	if (r == PLM_ERR_NOTFOUND)
		r = plm_review_new(&rs->state, c->policy, err);
	if (r == PLM_ERR_CORRUPT) {
		refuse(c, id, -1, "review", err->message);
		return 0; /* rs->state stays NULL: its items are skipped */
	}
	return r;
}

/* Tells the observer about a review known here that the server did not list. */
static int check_listed(void *vctx, const char *review)
{
	struct sync_ctx *c = vctx;
	size_t i;

	for (i = 0; i < c->n_reviews; i++)
		if (strcmp(c->reviews[i].id, review) == 0)
			return 0;
	if (c->obs != NULL && c->obs->unlisted != NULL)
		c->obs->unlisted(c->obs->ctx, review);
	return 0;
}

/* Fetches the list of my reviews and what is new in each. */
static int fetch_reviews(struct sync_ctx *c, plm_error *err)
{
	char base[PLM_RECORD_ID_MAX + 64];
	json_t *doc = NULL, *list, *elem;
	const char *id;
	size_t i, first;
	int r;

	if ((r = transport_json(c->cli->net, "GET", "/v1/reviews", NULL, 0, &doc,
	                        err)) != 0)
		return r;
	json_array_append_new(c->pages, doc);
	list = json_object_get(doc, "reviews");
	if (!json_is_array(list))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the server's list of reviews is not a list");
	first = c->n_reviews;
	json_array_foreach(list, i, elem)
	{
		id = json_string_value(json_object_get(elem, "review"));
		if (id == NULL || strlen(id) > PLM_RECORD_ID_MAX ||
		    !plm_str_valid(id, strlen(id), PLM_STR_ID))
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "the server's list of reviews holds an invalid "
			    "review id");
		if ((r = add_review(c, id, err)) != 0)
			return r;
	}
	if ((r = state_reviews_each(c->st, check_listed, c, err)) != 0)
		return r;
	for (i = first; i < c->n_reviews; i++) {
		if (c->reviews[i].state == NULL)
			continue;
		snprintf(base, sizeof(base), "/v1/reviews/%s/records",
		         c->reviews[i].id);
		if ((r = fetch_listing(c, base, "records", c->reviews[i].records_after,
		                       ITEM_RECORD, i, err)) != 0)
			return r;
		snprintf(base, sizeof(base), "/v1/reviews/%s/envelopes",
		         c->reviews[i].id);
		if ((r = fetch_listing(c, base, "envelopes",
		                       c->reviews[i].envelopes_after, ITEM_ENVELOPE, i,
		                       err)) != 0)
			return r;
	}
	c->res->reviews = c->n_reviews - first;
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- records ------------------------------------------------------------ */

/* "a record of type roster (3f2a9c0d1e2f)" style name of a record. */
static void record_name(char *out, size_t cap, const plm_record *rec)
{
	char hex[2 * PLM_HASH_BYTES + 1];
	const char *type = plm_record_type_name(rec->type);

	plm_hex(hex, rec->id, PLM_HASH_BYTES);
	snprintf(out, cap, "%s %.12s", type != NULL ? type : "record", hex);
}

/* The same from what the listing says, for a record that does not decode. */
static void listed_name(char *out, size_t cap, const json_t *elem)
{
	const char *type = json_string_value(json_object_get(elem, "type"));
	const char *id = json_string_value(json_object_get(elem, "id"));

	if (type == NULL || strlen(type) > PLM_RECORD_NAME_MAX ||
	    !plm_str_valid(type, strlen(type), PLM_STR_NAME))
		type = "record";
	if (id == NULL || strlen(id) < 12 || !plm_str_valid(id, 12, PLM_STR_ID))
		snprintf(out, cap, "%s", type);
	else
		snprintf(out, cap, "%s %.12s", type, id);
}

/*
 * Decodes the record of listing element ELEM ({"seq", "id", "record"}):
 * base64, strict decoding, and the id the server gave must be the record's.
 */
int sync_decode_listed_record(const json_t *elem, plm_record **out, plm_error *err)
{
	const char *b64 = json_string_value(json_object_get(elem, "record"));
	const char *id = json_string_value(json_object_get(elem, "id"));
	char hex[2 * PLM_HASH_BYTES + 1];
	unsigned char *bytes = NULL;
	size_t len = 0, cap;
	int r;

	*out = NULL;
	if (b64 == NULL || id == NULL)
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the server listed a record without its bytes or id");
	cap = strlen(b64) / 4 * 3 + 3;
	if (cap > PLM_RECORD_MAX_BYTES + 3)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "the server listed an oversized record");
	if ((bytes = malloc(cap)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	if (sodium_base642bin(bytes, cap, b64, strlen(b64), NULL, &len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		r = plm_error_set(err, PLM_ERR_FORMAT,
		                  "the server listed a record that is not "
		                  "valid base64");
		goto out;
	}
	if ((r = plm_record_decode(bytes, len, out, err)) != 0)
		goto out;
	plm_hex(hex, (*out)->id, PLM_HASH_BYTES);
	if (strcmp(hex, id) != 0)
		r = plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the server lists record %.12s under another id (%.12s)", hex, id);
out:
	free(bytes);
	if (r != 0) {
		plm_record_free(*out);
		*out = NULL;
	}
	return r;
}

/*
 * Checks REC's signature: the pinned root's keys when the root signed it,
 * else the signer's certificate, which must be verified here, signed by
 * the root and not revoked before REC's place SEQ in the log
 * (local_certificate_at). SIGNER gets the
 * certificate (the root's own for the root).
 */
static int verify_signer(struct sync_ctx *c, const plm_record *rec, int64_t seq,
                         plm_certificate *signer, plm_error *err)
{
	plm_error why;
	int r;

	if ((r = local_certificate_at(c->st, rec->signer, seq, signer, &why)) != 0) {
		if (r == PLM_ERR_NOTFOUND)
			return plm_error_set(
			    err, PLM_ERR_SIGNATURE,
			    "its signer has no certificate from this deployment's "
			    "root");
		/* Revoked or expired before it joined the log: this item fails. */
		if (r == PLM_ERR_DENIED)
			return plm_error_set(err, PLM_ERR_POLICY,
			                     "its signer may no longer sign: %s", why.message);
		return plm_error_set(err, r, "%s", why.message);
	}
	return plm_record_verify_signer(rec, &signer->keys, err);
}

/* Handles a certificate or revocation: signed by the pinned root. */
static int check_deployment_record(struct sync_ctx *c, const plm_record *rec,
                                   plm_error *err)
{
	unsigned char fpr[PLM_FPR_BYTES];

	switch (rec->type) {
	case PLM_RECORD_CERTIFICATE:
		plm_certificate_fingerprint(fpr, &rec->body.certificate);
		if (memcmp(fpr, c->root, PLM_FPR_BYTES) == 0) {
			/* The root's own: self-signed, usage root. */
			if (rec->body.certificate.usage != PLM_USAGE_ROOT ||
			    memcmp(rec->signer, fpr, PLM_FPR_BYTES) != 0)
				return plm_error_set(
				    err, PLM_ERR_SIGNATURE,
				    "the pinned root's certificate must be "
				    "self-signed with usage root");
			return plm_record_verify_signer(
			    rec, &rec->body.certificate.keys, err);
		}
		if (rec->body.certificate.usage == PLM_USAGE_ROOT)
			return plm_error_set(
			    err, PLM_ERR_POLICY,
			    "it certifies another root than the pinned one");
		break;
	case PLM_RECORD_REVOCATION:
		if (memcmp(rec->body.revocation.revoked, c->root, PLM_FPR_BYTES) == 0)
			return plm_error_set(err, PLM_ERR_POLICY,
			                     "it claims to revoke the deployment root");
		break;
	default:
		return PLM_ERR_TYPE; /* not for members: passed over quietly */
	}
	if (memcmp(rec->signer, c->root, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "it is not signed by this deployment's root");
	return plm_record_verify_signer(rec, &c->root_keys, err);
}

static int process_deployment(struct sync_ctx *c, const struct item *it, plm_error *err)
{
	plm_record *rec = NULL;
	char what[64] = "deployment record";
	plm_error why;
	int r, verdict, stored = 0;

	plm_error_clear(&why);
	listed_name(what, sizeof(what), it->json);
	if ((verdict = sync_decode_listed_record(it->json, &rec, &why)) == 0) {
		record_name(what, sizeof(what), rec);
		verdict = check_deployment_record(c, rec, &why);
		if (verdict == 0)
			verdict = included(c, PLM_LOG_RECORD, rec->id, it->seq, &why);
		if (verdict != 0 && is_local_failure(verdict)) {
			r = verdict;
			*err = why;
			goto out;
		}
	}
	if ((r = state_begin(c->st, err)) != 0)
		goto out;
	if (verdict == 0) {
		if ((r = local_store_deployment_record(c->st, rec, it->seq, err)) !=
		    0) {
			state_rollback(c->st);
			goto out;
		}
		stored = 1;
	}
	if ((r = state_sync_set_cursor(c->st, NULL, it->seq, -1, err)) != 0 ||
	    (r = state_commit(c->st, err)) != 0) {
		state_rollback(c->st);
		goto out;
	}
	c->deployment_after = it->seq;
	if (stored)
		c->res->certificates++;
	else if (verdict != PLM_ERR_TYPE ||
	         why.code != 0) /* a quiet TYPE: not for members */
		refuse(c, SYNC_DEPLOYMENT, it->seq, what, why.message);
out:
	plm_record_free(rec);
	return r;
}

/* Saves RS's cursors, inside the caller's transaction. */
static int save_cursor(struct sync_ctx *c, const struct review_sync *rs, plm_error *err)
{
	return state_sync_set_cursor(c->st, rs->id, rs->records_after,
	                             rs->envelopes_after, err);
}

/*
 * The document an agreement or disclosure names must be a verified
 * envelope of the same review (the daemon checks the same).
 */
static int named_document(struct sync_ctx *c, const struct review_sync *rs,
                          const unsigned char id[PLM_HASH_BYTES],
                          struct stored_envelope *env, plm_error *err)
{
	int r = state_envelope_get(c->st, id, env, NULL);

	if (r != 0 && r != PLM_ERR_NOTFOUND)
		return state_envelope_get(c->st, id, env, err);
	if (r != 0 || strcmp(env->review, rs->id) != 0 ||
	    env->status != ENVELOPE_VERIFIED)
		return plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "the document it names is not a verified document of "
		    "review %s",
		    rs->id);
	return 0;
}

/*
 * After verified epoch keys joined: every channel key sealed to me must
 * open and match its commitment, or I would be unable to read what the
 * others read. Reports a failure; the record itself is valid for the rest.
 */
static void check_my_keys(struct sync_ctx *c, const struct review_sync *rs, int64_t seq,
                          const plm_record *rec)
{
	const plm_epoch_keys *keys = &rec->body.epoch_keys;
	unsigned char *key = NULL;
	char what[80];
	plm_error why;
	unsigned i, j;

	for (i = 0; i < keys->n_channels; i++) {
		for (j = 0; j < keys->channels[i].n_recipients; j++)
			if (memcmp(keys->channels[i].recipients[j].fingerprint, c->me,
			           PLM_FPR_BYTES) == 0)
				break;
		if (j == keys->channels[i].n_recipients)
			continue;
		if (plm_epoch_keys_open(rec, keys->channels[i].name, c->cli->me, &key,
		                        &why) != 0) {
			snprintf(what, sizeof(what),
			         "epoch %" PRIu64 " key of channel %s", keys->epoch,
			         keys->channels[i].name);
			refuse(c, rs->id, seq, what, why.message);
		}
		plm_secret_free(key);
		key = NULL;
	}
}

/* A failed key of a history grant to me, reported like a refused item. */
struct grant_report {
	struct sync_ctx *c;
	const char *review;
	int64_t seq;
};

static void report_grant_key(void *ctx, const char *what, const char *problem)
{
	struct grant_report *g = ctx;

	refuse(g->c, g->review, g->seq, what, problem);
}

/*
 * A verified history grant joined: told to the observer, and when it is
 * mine, each key it re-seals to me is checked against the commitment of
 * its epoch (PROTOCOL.md §5.11), or reported. Local errors stop the run.
 */
static int history_grant_joined(struct sync_ctx *c, const struct review_sync *rs,
                                int64_t seq, const plm_record *rec,
                                const plm_certificate *signer, plm_error *err)
{
	const plm_history_grant *g = &rec->body.history_grant;
	struct grant_report report = {c, rs->id, seq};

	if (c->obs != NULL && c->obs->grant != NULL)
		c->obs->grant(c->obs->ctx, rs->id, seq, rec,
		              plm_roster_find_member(&rs->state->roster->body.roster,
		                                     g->grantee),
		              signer);
	if (memcmp(g->grantee, c->me, PLM_FPR_BYTES) != 0)
		return 0;
	return history_check_mine(c->cli, rec, report_grant_key, &report, err);
}

/*
 * Checks a review record against the review's state at this point and
 * applies it. PREV gets a copy of the roster it replaces, if it is one.
 */
static int check_review_record(struct sync_ctx *c, struct review_sync *rs,
                               const plm_record *rec, int64_t seq,
                               plm_certificate *signer, plm_record **prev,
                               plm_error *err)
{
	const char *review = plm_record_review(rec);
	struct stored_envelope env;
	int r;

	*prev = NULL;
	if (review == NULL || strcmp(review, rs->id) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the server lists it under review %s, where it does not "
		    "belong",
		    rs->id);
	if ((r = verify_signer(c, rec, seq, signer, err)) != 0 ||
	    (r = included(c, PLM_LOG_RECORD, rec->id, seq, err)) != 0)
		return r;
	switch (rec->type) {
	case PLM_RECORD_DISCLOSURE:
		if ((r = named_document(c, rs, rec->body.disclosure.envelope_id, &env,
		                        err)) != 0)
			return r;
		return plm_review_check_disclosure(rs->state, c->policy, rec, env.kind,
		                                   err);
	case PLM_RECORD_AGREEMENT:
		/* The shared rule: the current draft of its kind at this point. */
		return agreement_check(c->st, rs->state, c->policy, c->root, rec, seq,
		                       err);
	case PLM_RECORD_ROSTER:
		if (rs->state->roster != NULL &&
		    (r = plm_record_decode(rs->state->roster->encoding,
		                           rs->state->roster->encoding_len, prev,
		                           err)) != 0)
			return r;
		break;
	}
	/* PROTOCOL.md §5: the state machine the daemon ran, run again here. */
	if ((r = plm_review_apply(rs->state, c->policy, c->root, rec, err)) != 0) {
		plm_record_free(*prev);
		*prev = NULL;
	}
	return r;
}

static int process_record(struct sync_ctx *c, const struct item *it, plm_error *err)
{
	struct review_sync *rs = &c->reviews[it->review];
	unsigned char stored_id[PLM_HASH_BYTES];
	plm_record *rec = NULL, *prev = NULL;
	plm_certificate signer;
	char what[64] = "record";
	plm_error why;
	int r, accepted = 0, known = 0;

	plm_error_clear(&why);
	listed_name(what, sizeof(what), it->json);
	if ((r = sync_decode_listed_record(it->json, &rec, &why)) == 0) {
		record_name(what, sizeof(what), rec);
		/* Seen before (an interrupted sync)? It must be the same record. */
		r = state_record_id_at(c->st, rs->id, it->seq, stored_id, NULL);
		if (r == 0) {
			known = 1;
			if (sodium_memcmp(stored_id, rec->id, PLM_HASH_BYTES) != 0)
				r = plm_error_set(
				    &why, PLM_ERR_MISMATCH,
				    "the server now shows another record at a "
				    "place of the log where this client verified one");
		} else {
			r = check_review_record(c, rs, rec, it->seq, &signer, &prev,
			                        &why);
			if (r != 0 && is_local_failure(r)) {
				*err = why;
				goto out;
			}
			accepted = r == 0;
		}
	}
	if ((r = state_begin(c->st, err)) != 0)
		goto out;
	rs->records_after = it->seq;
	if ((accepted &&
	     (r = state_record_add(c->st, rs->id, it->seq, rec, err)) != 0) ||
	    (r = save_cursor(c, rs, err)) != 0 || (r = state_commit(c->st, err)) != 0) {
		state_rollback(c->st);
		goto out;
	}
	if (accepted) {
		c->res->records++;
		if (rec->type == PLM_RECORD_ROSTER && c->obs != NULL &&
		    c->obs->roster != NULL)
			c->obs->roster(c->obs->ctx, rs->id, it->seq, prev, rec,
			               &signer);
		if (rec->type == PLM_RECORD_EPOCH_KEYS)
			check_my_keys(c, rs, it->seq, rec);
		if (rec->type == PLM_RECORD_HISTORY_GRANT &&
		    (r = history_grant_joined(c, rs, it->seq, rec, &signer, err)) != 0)
			goto out;
	} else if (!known || why.code != 0) {
		refuse(c, rs->id, it->seq, what, why.message);
	}
out:
	plm_record_free(prev);
	plm_record_free(rec);
	return r;
}

/* ---- envelopes ---------------------------------------------------------- */

/* The context of the key-less verification of one envelope. */
struct envelope_check {
	struct sync_ctx *c;
	struct review_sync *rs;
	plm_envelope_header header; /* as parsed (trusted only if verified) */
	int have_header;
	int64_t seq; /* its place in the log */
};

/*
 * Reader callback: the header is parsed. It must be of this review, its
 * author certified (local_certificate), and the review's state at this
 * point of the log must let the author write it (plm_review_check_envelope).
 */
static int check_header(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                        plm_error *err)
{
	struct envelope_check *ec = ctx;
	plm_certificate cert;
	plm_error why;
	int r;

	ec->header = *h;
	ec->have_header = 1;
	if (strcmp(h->review_id, ec->rs->id) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "it is an envelope of review %s, listed under review %s",
		    h->review_id, ec->rs->id);
	if ((r = local_certificate_at(ec->c->st, h->author, ec->seq, &cert, &why)) != 0) {
		/* Revoked or expired before it joined the log: this item fails. */
		if (r == PLM_ERR_DENIED)
			return plm_error_set(err, PLM_ERR_POLICY,
			                     "its author may no longer write: %s", why.message);
		return plm_error_set(err, r, "%s", why.message);
	}
	if ((r = plm_review_check_envelope(ec->rs->state, ec->c->policy, h, err)) != 0)
		return r;
	*author = cert.keys;
	sig_ahead_author(&cert.keys); /* the next ones by it are checked ahead */
	return 0;
}

/* The listing's description of an envelope, as far as it can be read. */
struct listed_envelope {
	unsigned char id[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1];
	uint64_t size;
	const json_t *json;
};

static int parse_listed(const json_t *elem, struct listed_envelope *out, plm_error *err)
{
	const char *id = json_string_value(json_object_get(elem, "id"));
	json_t *size = json_object_get(elem, "size");
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	out->json = elem;
	if (id == NULL || strlen(id) != 2 * PLM_HASH_BYTES ||
	    sodium_hex2bin(out->id, PLM_HASH_BYTES, id, strlen(id), NULL, &len, NULL) !=
	        0 ||
	    len != PLM_HASH_BYTES)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the server listed an envelope "
		                     "without a valid id");
	plm_hex(out->hex, out->id, PLM_HASH_BYTES);
	if (!json_is_integer(size) || json_integer_value(size) <= 0)
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the server listed envelope %.12s without its size", out->hex);
	out->size = (uint64_t)json_integer_value(size);
	return 0;
}

/*
 * The listing must say what the signed header says: anything else is the
 * server misdescribing the envelope.
 */
static int check_listing(const struct listed_envelope *le, const plm_envelope_header *h,
                         plm_error *err)
{
	const json_t *e = le->json;
	const char *channel = json_string_value(json_object_get(e, "channel"));
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *author = json_string_value(json_object_get(e, "author"));
	const char *reply = json_string_value(json_object_get(e, "reply_to"));
	json_t *epoch = json_object_get(e, "epoch"),
	       *created = json_object_get(e, "created_at");
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, h->author, PLM_FPR_BYTES);
	if (channel == NULL || strcmp(channel, h->channel) != 0 || kind == NULL ||
	    strcmp(kind, h->kind) != 0 || author == NULL || strcmp(author, hex) != 0 ||
	    !json_is_integer(epoch) ||
	    (uint64_t)json_integer_value(epoch) != h->epoch ||
	    !json_is_integer(created) ||
	    (uint64_t)json_integer_value(created) != h->created_at)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the server describes it otherwise than its signed header "
		    "does");
	plm_hex(hex, h->reply_to, PLM_HASH_BYTES);
	if ((reply != NULL) != (h->has_reply != 0) ||
	    (reply != NULL && strcmp(reply, hex) != 0))
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the server names another document it replies to than "
		    "its signed header does");
	return 0;
}

/* The verified envelope ID must be the one listed, as the listing says. */
static int verified_as_listed(const unsigned char id[PLM_HASH_BYTES],
                              const struct listed_envelope *le,
                              const struct envelope_check *ec, plm_error *err)
{
	if (sodium_memcmp(id, le->id, PLM_HASH_BYTES) != 0)
		return plm_error_set(
		    err, PLM_ERR_DIGEST,
		    "its digest is not the id the server lists it under");
	return check_listing(le, &ec->header, err);
}

/*
 * Downloads LE into the file open on FD (resuming after what it holds)
 * and verifies it. Returns the verification's result; *RESUMED says the
 * file already held bytes from an earlier attempt.
 */
static int download_verify(struct sync_ctx *c, struct envelope_check *ec,
                           const struct listed_envelope *le, int fd, int *resumed,
                           plm_error *err)
{
	static const plm_envelope_handlers handlers = {check_header, NULL};
	unsigned char id[PLM_HASH_BYTES];
	char path[128];
	struct stat sb;
	int r;

	if (fstat(fd, &sb) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the cache: %s",
		                     strerror(errno));
	if ((uint64_t)sb.st_size > le->size) {
		if (ftruncate(fd, 0) != 0)
			return plm_error_set(err, PLM_ERR_IO,
			                     "cannot write the cache: %s",
			                     strerror(errno));
		sb.st_size = 0;
	}
	*resumed = sb.st_size > 0;
	if ((uint64_t)sb.st_size < le->size) {
		snprintf(path, sizeof(path), "/v1/envelopes/%s", le->hex);
		if ((r = transport_download(c->cli->net, path, fd, (uint64_t)sb.st_size,
		                            le->size, err)) != 0)
			return r;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the cache: %s",
		                     strerror(errno));
	ec->have_header = 0;
	if ((r = plm_envelope_verify_fd(fd, &handlers, ec, id, err)) != 0)
		return r;
	return verified_as_listed(id, le, ec, err);
}

/*
 * Verifies envelope LE from the entry BE of a batch (PROTOCOL.md §6.8):
 * the same checks as download_verify on the bytes, then the entry's proof
 * as included() checks the one it fetches.
 */
static int batched_verify(struct sync_ctx *c, struct envelope_check *ec,
                          const struct listed_envelope *le, const struct batch_entry *be,
                          plm_error *err)
{
	static const plm_envelope_handlers handlers = {check_header, NULL};
	plm_envelope_reader *rd = NULL;
	unsigned char id[PLM_HASH_BYTES];
	int r;

	ec->have_header = 0;
	if ((r = plm_envelope_reader_new(&rd, &handlers, ec, err)) != 0)
		return r;
	/* Its signature perhaps verified already, on the other core. */
	plm_envelope_reader_known(rd, sync_batch_known(ec->rs->batch, be));
	if ((r = plm_envelope_reader_feed(rd, be->bytes, (size_t)be->size, err)) == 0)
		r = plm_envelope_reader_finish(rd, id, err);
	plm_envelope_reader_free(rd);
	if (r != 0 || (r = verified_as_listed(id, le, ec, err)) != 0)
		return r;
	if (be->size != le->size)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the server lists it with %" PRIu64 " bytes, but it "
		                     "has %" PRIu64,
		                     le->size, be->size);
	return logcheck_inclusion_check(PLM_LOG_ENVELOPE, le->id, ec->seq, be->seq,
	                                c->head.tree_size, &c->head, &be->proof, err);
}

/* Fills ENV from the verified (or at least parsed) header, else the listing. */
static void describe(struct stored_envelope *env, const struct envelope_check *ec,
                     const struct listed_envelope *le, int64_t seq)
{
	const json_t *e = le->json;
	const char *s;

	memset(env, 0, sizeof(*env));
	memcpy(env->id, le->id, PLM_HASH_BYTES);
	snprintf(env->review, sizeof(env->review), "%s", ec->rs->id);
	env->seq = seq;
	env->size = le->size;
	if (ec->have_header) {
		const plm_envelope_header *h = &ec->header;
		snprintf(env->channel, sizeof(env->channel), "%s", h->channel);
		snprintf(env->kind, sizeof(env->kind), "%s", h->kind);
		env->epoch = h->epoch;
		memcpy(env->author, h->author, PLM_FPR_BYTES);
		env->has_reply = h->has_reply;
		memcpy(env->reply_to, h->reply_to, PLM_HASH_BYTES);
		env->created_at = h->created_at;
		return;
	}
	/* Unparsed: the server's words, only to name what was refused. */
	s = json_string_value(json_object_get(e, "channel"));
	if (s != NULL && strlen(s) < sizeof(env->channel) &&
	    plm_str_valid(s, strlen(s), PLM_STR_NAME))
		snprintf(env->channel, sizeof(env->channel), "%s", s);
	s = json_string_value(json_object_get(e, "kind"));
	if (s != NULL && strlen(s) < sizeof(env->kind) &&
	    plm_str_valid(s, strlen(s), PLM_STR_NAME))
		snprintf(env->kind, sizeof(env->kind), "%s", s);
	if (json_is_integer(json_object_get(e, "created_at")))
		env->created_at =
		    (uint64_t)json_integer_value(json_object_get(e, "created_at"));
}

/*
 * Opens the transaction that consecutive envelopes share: a batch of them
 * is stored with one commit (one fsync), the cursor with them, so that a
 * sync cut anywhere resumes after the last batch committed.
 */
static int txn_begin(struct sync_ctx *c, plm_error *err)
{
	int r;

	if (c->txn_open)
		return 0;
	if ((r = state_begin(c->st, err)) != 0)
		return r;
	c->txn_open = 1;
	c->txn_items = 0;
	return 0;
}

/* Commits the shared transaction, if one is open. */
static int txn_commit(struct sync_ctx *c, plm_error *err)
{
	int r;

	if (!c->txn_open)
		return 0;
	c->txn_open = 0;
	if ((r = state_commit(c->st, err)) != 0)
		state_rollback(c->st);
	return r;
}

/* Drops the shared transaction (a failure: the run stops). */
static void txn_abort(struct sync_ctx *c)
{
	if (c->txn_open)
		state_rollback(c->st);
	c->txn_open = 0;
}

/*
 * Fetches envelope LE alone (GET /v1/envelopes/{id}, resumable into
 * cache/<id>.part) and verifies it; its proof comes from the batch entry
 * BE when there is one, else from GET /v1/log/inclusion. Returns 0
 * verified (the file is in place), FETCH_REFUSED with the reason in *WHY,
 * or a failure that stops the run in *ERR.
 */
#define FETCH_REFUSED 1
static int fetch_alone(struct sync_ctx *c, struct envelope_check *ec,
                       const struct listed_envelope *le, const struct batch_entry *be,
                       plm_error *why, plm_error *err)
{
	char part[4220], final[4200];
	int fd, r, resumed = 0;

	/* A long download does not hold the state's write lock. */
	if ((r = txn_commit(c, err)) != 0)
		return r;
	state_path(c->st, "cache", le->id, final, sizeof(final));
	snprintf(part, sizeof(part), "%s.part", final);
	fd = open(part, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", part,
		                     strerror(errno));
	r = download_verify(c, ec, le, fd, &resumed, why);
	if (r != 0 && !is_local_failure(r) && resumed) {
		/* Perhaps only the bytes kept from before are bad: once more, whole. */
		if (ftruncate(fd, 0) != 0) {
			r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", part,
			                  strerror(errno));
			goto out;
		}
		plm_error_clear(why);
		r = download_verify(c, ec, le, fd, &resumed, why);
	}
	if (r == 0)
		r = be != NULL ? logcheck_inclusion_check(PLM_LOG_ENVELOPE, le->id, ec->seq,
		                                          be->seq, c->head.tree_size,
		                                          &c->head, &be->proof, why)
		               : included(c, PLM_LOG_ENVELOPE, le->id, ec->seq, why);
	if (r != 0 && is_local_failure(r)) {
		*err = *why; /* the .part file stays: the next sync resumes it */
		goto out;
	}
	if (r != 0) {
		unlink(part); /* nothing of it is kept but the reason */
		r = FETCH_REFUSED;
		goto out;
	}
	if (ec->have_header && ec->header.has_head &&
	    (r = check_author_head(c, &ec->header.head, err)) != 0)
		goto out; /* a fork: stop, this envelope is not kept */
	if (fsync(fd) != 0 || rename(part, final) != 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", final,
		                  strerror(errno));
out:
	close(fd);
	return r;
}

/* 1 if part of envelope ID was downloaded before (it resumes alone, with Range). */
static int has_part(struct sync_ctx *c, const unsigned char id[PLM_HASH_BYTES])
{
	char part[4220];

	state_path(c->st, "cache", id, part, sizeof(part) - 5);
	strcat(part, ".part");
	return access(part, F_OK) == 0;
}

static int process_envelope(struct sync_ctx *c, const struct item *it, plm_error *err)
{
	struct review_sync *rs = &c->reviews[it->review];
	struct envelope_check *ec = NULL;
	struct stored_envelope *env = NULL;
	const struct batch_entry *be = NULL;
	struct listed_envelope le;
	char what[80];
	plm_error why;
	int r, verified = 0, have_id, replayed = 0, in_batch = 0;

	plm_error_clear(&why);
	ec = calloc(1, sizeof(*ec));
	env = calloc(1, sizeof(*env));
	if (ec == NULL || env == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	ec->c = c;
	ec->rs = rs;
	ec->seq = it->seq;
	have_id = parse_listed(it->json, &le, &why) == 0;
	snprintf(what, sizeof(what), "envelope %.12s", have_id ? le.hex : "(no id)");
	if (have_id && state_envelope_get(c->st, le.id, env, NULL) == 0) {
		verified =
		    -1; /* known already (an interrupted sync): only the cursor moves */
		/* The log never holds one envelope twice: at another place, a replay.
		 */
		if (env->seq != it->seq)
			replayed = plm_error_set(
			    &why, PLM_ERR_MISMATCH,
			    "the server lists it again at log entry %" PRId64
			    ", but this client verified it at log entry %" PRId64
			    ": a replay, ignored",
			    it->seq, env->seq);
	} else if (have_id) {
		if (rs->batch == NULL && (rs->batch = sync_batch_new(c->st, c->cli->me)) == NULL) {
			r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
			goto out;
		}
		/* One batch, one transaction: it commits before the next is asked. */
		if (!sync_batch_covers(rs->batch, it->seq) && (r = txn_commit(c, err)) != 0)
			goto out;
		if (!has_part(c, le.id) &&
		    (r = sync_batch_find(rs->batch, c->cli->net, rs->id, rs->envelopes_after,
		                         it->seq, le.id, &c->head, &be, err)) != 0)
			goto out;
		if (be != NULL && be->has_bytes) {
			in_batch = 1;
			r = batched_verify(c, ec, &le, be, &why);
			if (r != 0 && is_local_failure(r)) {
				*err = why;
				goto out;
			}
			if (r == 0 && ec->have_header && ec->header.has_head &&
			    (r = check_author_head(c, &ec->header.head, err)) != 0)
				goto out; /* a fork: stop, this envelope is not kept */
		} else {
			r = fetch_alone(c, ec, &le, be, &why, err);
			if (r != 0 && r != FETCH_REFUSED)
				goto out;
		}
		verified = r == 0;
		describe(env, ec, &le, it->seq);
		env->status = verified ? ENVELOPE_VERIFIED : ENVELOPE_REFUSED;
		snprintf(env->problem, sizeof(env->problem), "%s",
		         verified ? "" : why.message);
	}
	if ((r = txn_begin(c, err)) != 0)
		goto out;
	rs->envelopes_after = it->seq;
	if ((have_id && verified >= 0 &&
	     (r = state_envelope_add(c->st, env, err)) != 0) ||
	    (verified == 1 && in_batch &&
	     (r = state_cache_put(c->st, le.id, be->bytes, (size_t)be->size, err)) != 0) ||
	    (r = save_cursor(c, rs, err)) != 0 ||
	    (++c->txn_items >= SYNC_BATCH_LIMIT && (r = txn_commit(c, err)) != 0)) {
		txn_abort(c);
		goto out;
	}
	if (verified == 1)
		c->res->documents++;
	else if (verified == 0 || replayed != 0)
		refuse(c, rs->id, it->seq, what, why.message);
out:
	free(ec);
	free(env);
	return r;
}

/* ---- the transparency log (PROTOCOL.md §6.7) --------------------------- */

/*
 * The keys of the log key FPR when a deployment record of this run (not
 * processed yet) certifies it: a certificate with usage log signed by the
 * root, not revoked by a revocation of this run. 0 and *KEYS, or
 * PLM_ERR_NOTFOUND.
 */
static int log_key_in_run(struct sync_ctx *c, const unsigned char fpr[PLM_FPR_BYTES],
                          plm_pubkeys *keys)
{
	unsigned char got[PLM_FPR_BYTES];
	plm_record *rec;
	plm_error why;
	int found = 0;
	size_t i;

	for (i = 0; i < c->n_items; i++) {
		if (c->items[i].type != ITEM_DEPLOYMENT ||
		    sync_decode_listed_record(c->items[i].json, &rec, &why) != 0)
			continue;
		if (check_deployment_record(c, rec, &why) == 0) {
			if (rec->type == PLM_RECORD_CERTIFICATE &&
			    rec->body.certificate.usage == PLM_USAGE_LOG) {
				plm_certificate_fingerprint(got,
				                            &rec->body.certificate);
				if (memcmp(got, fpr, PLM_FPR_BYTES) == 0) {
					*keys = rec->body.certificate.keys;
					found = 1;
				}
			} else if (rec->type == PLM_RECORD_REVOCATION &&
			           memcmp(rec->body.revocation.revoked, fpr,
			                  PLM_FPR_BYTES) == 0) {
				found = -1;
			}
		}
		plm_record_free(rec);
		if (found < 0)
			break;
	}
	return found > 0 ? 0 : PLM_ERR_NOTFOUND;
}

/*
 * The certified, unrevoked log key whose fingerprint is FPR into *KEYS:
 * known here already, or certified by a deployment record of this run.
 * PLM_ERR_SIGNATURE if the pinned root has not certified it.
 */
static int log_key(struct sync_ctx *c, const unsigned char fpr[PLM_FPR_BYTES],
                   plm_pubkeys *keys, plm_error *err)
{
	char text[PLM_FPR_TEXT_BYTES];
	plm_certificate cert;
	plm_error why;
	int r;

	r = local_certificate(c->st, fpr, &cert, &why);
	if (r == 0 && cert.usage == PLM_USAGE_LOG) {
		*keys = cert.keys;
		return 0;
	}
	if (r != 0 && r != PLM_ERR_NOTFOUND && r != PLM_ERR_DENIED)
		return plm_error_set(err, why.code, "%s", why.message);
	if (r == PLM_ERR_NOTFOUND && log_key_in_run(c, fpr, keys) == 0)
		return 0;
	plm_fingerprint_format(text, fpr);
	return plm_error_set(err, PLM_ERR_SIGNATURE,
	                     "the server's log head is signed by the key %.19s..., "
	                     "which this deployment's root has not certified for the "
	                     "log (or has revoked); nothing was accepted (the "
	                     "secretariat certifies it with `palermo admin log-key`)",
	                     text);
}

/*
 * Checks this run's head before anything of it is accepted: its signature
 * by the certified log key, its consistency with the head accepted before
 * (a smaller head or a failing proof is a rollback or a fork). The
 * inclusion of each item is checked as it is processed (included()).
 * PLM_ERR_SIGNATURE or PLM_ERR_PROOF naming the heads; transport errors
 * pass on.
 */
static int check_log(struct sync_ctx *c, plm_error *err)
{
	plm_tree_head old;
	plm_error why;
	int r;

	if ((r = log_key(c, c->head.log_fpr, &c->log_keys, err)) != 0)
		return r;
	if (plm_tree_head_verify(&c->head, c->log_keys.sign_pk, &why) != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the server's log head does not verify with the "
		                     "certified log key (%s); nothing was accepted",
		                     why.message);
	if ((r = logcheck_stored_head(c->st, &old, err)) < 0)
		return r;
	if (r == 1)
		return logcheck_consistent(c->cli->net,
		                           "the head this client accepted before", &old,
		                           &c->head, err);
	return 0;
}

/*
 * An envelope's author head H (its header's): signed by a certified log
 * key, and, when not newer than this run's head, a prefix of it. Anything
 * else means the author and this client were shown different histories.
 */
static int check_author_head(struct sync_ctx *c, const plm_tree_head *h, plm_error *err)
{
	unsigned char bytes[PLM_TREE_HEAD_BYTES];
	plm_pubkeys keys;
	plm_error why;
	size_t i;
	int r;

	/* The same head, checked already in this run against the same head. */
	plm_tree_head_encode(bytes, h);
	for (i = 0; i < c->n_heads_checked && i < HEADS_CHECKED_MAX; i++)
		if (memcmp(c->heads_checked[i], bytes, sizeof(bytes)) == 0)
			return 0;
	if ((r = log_key(c, h->log_fpr, &keys, err)) != 0)
		return r;
	if (plm_tree_head_verify(h, keys.sign_pk, &why) != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "an envelope carries a log head that does not "
		                     "verify with the certified log key (%s)",
		                     why.message);
	if (h->tree_size <= c->head.tree_size &&
	    (r = logcheck_consistent(c->cli->net, "the author's head", h, &c->head,
	                             err)) != 0)
		return r;
	/* (a head newer than mine is checked when I see that far) */
	memcpy(c->heads_checked[c->n_heads_checked % HEADS_CHECKED_MAX], bytes,
	       sizeof(bytes));
	c->n_heads_checked++;
	return 0;
}

/* Reports one acknowledged upload that the server's log does not hold. */
static void report_dropped(void *ctx, const unsigned char id[PLM_HASH_BYTES],
                           const char *review, int64_t seq)
{
	struct sync_ctx *c = ctx;
	char hex[2 * PLM_HASH_BYTES + 1], what[80], problem[320];

	plm_hex(hex, id, PLM_HASH_BYTES);
	snprintf(what, sizeof(what), "envelope %.12s", hex);
	snprintf(problem, sizeof(problem),
	         "the server acknowledged this upload at log entry %" PRId64
	         " but its signed log of %" PRId64
	         " entries does not list it: the server dropped it; send the "
	         "document again and tell the secretariat",
	         seq, c->horizon);
	refuse(c, review, seq, what, problem);
}

/*
 * Every upload the server acknowledged is in its log and listed by the
 * time a sync has handled everything up to a later head (PROTOCOL.md §6.7,
 * step 7): one this sync did not meet was dropped (issue 7).
 */
static int check_acknowledged(struct sync_ctx *c, plm_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < c->n_reviews; i++)
		if (c->reviews[i].state != NULL &&
		    (r = state_acks_missing(c->st, c->reviews[i].id, report_dropped, c,
		                            err)) != 0)
			return r;
	return 0;
}

/* ---- the run ------------------------------------------------------------ */

/*
 * The pinned root's keys. The root's certificate normally came with
 * `palermo init`; if it is not stored, it is fetched (GET /v1/root) and
 * accepted only with the pinned fingerprint, self-signed.
 */
static int root_keys(struct sync_ctx *c, plm_error *err)
{
	struct response resp;
	plm_record *rec = NULL;
	plm_error why;
	int r;

	if ((r = local_root(c->st, c->root, NULL, err)) != 0)
		return r;
	if (local_root(c->st, c->root, &c->root_keys, NULL) == 0)
		return 0;
	if ((r = transport_request(c->cli->net, "GET", "/v1/root", NULL, 0, &resp,
	                           err)) != 0)
		return r;
	if ((r = transport_check(&resp, "send its root certificate", err)) == 0 &&
	    ((r = plm_record_decode(resp.body, resp.len, &rec, &why)) != 0 ||
	     (r = plm_record_expect_type(rec, PLM_RECORD_CERTIFICATE, &why)) != 0 ||
	     (r = check_deployment_record(c, rec, &why)) != 0))
		r = plm_error_set(
		    err, PLM_ERR_SIGNATURE,
		    "the server's root certificate is not the pinned root's (%s); "
		    "check the fingerprint with the secretariat",
		    why.message);
	if (r == 0 && (r = local_store_deployment_record(c->st, rec, -1, err)) == 0)
		r = local_root(c->st, c->root, &c->root_keys, err);
	response_free(&resp);
	plm_record_free(rec);
	return r;
}

int sync_run(struct cli *cli, const struct sync_observer *obs,
             struct sync_result *result, plm_error *err)
{
	struct outbox_item *waiting = NULL;
	struct sync_ctx c;
	unsigned sent = 0, left = 0;
	int64_t unused, parties_after = -1;
	size_t i;
	int r;

	memset(result, 0, sizeof(*result));
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	c.st = cli->state;
	c.obs = obs;
	c.res = result;
	if (cli->state == NULL || cli->me == NULL || cli->net == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "sync needs the state, the identity "
		                     "and the connection");
	plm_fingerprint(c.me, &cli->me->pub);
	if ((r = local_policy(cli, &c.policy, err)) != 0)
		return r;
	/* 1. What waits in the outbox goes first (DESIGN.md §11): records first. */
	r = records_flush(cli, 1, &sent, &left, err);
	result->records_sent = sent;
	result->records_queued = left;
	if (r != 0) {
		/* The documents wait too: count them for the user. */
		if (outbox_list(cli, NULL, &waiting, &result->queued, NULL) != 0)
			result->queued = 0;
		free(waiting);
		return r;
	}
	r = outbox_flush(cli, &sent, &left, err);
	result->sent = sent;
	result->queued = left;
	if (r != 0)
		return r;
	if ((c.pages = json_array()) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	/* 2. The snapshot: everything the log held at this moment. */
	if ((r = root_keys(&c, err)) != 0 || (r = fetch_horizon(&c, err)) != 0 ||
	    (r = state_sync_cursor(c.st, NULL, &c.deployment_after, &unused, err)) !=
	        0 ||
	    (r = fetch_listing(&c, "/v1/certificates", "records", c.deployment_after,
	                       ITEM_DEPLOYMENT, 0, err)) != 0 ||
	    (r = fetch_reviews(&c, err)) != 0 ||
	    (r = parties_sync_begin(cli, obs, result, &c.parties, &parties_after, err)) != 0 ||
	    (r = fetch_listing(&c, "/v1/parties/records", "records", parties_after,
	                       ITEM_PARTIES, 0, err)) != 0 ||
	    (r = check_log(&c, err)) != 0)
		goto out;
	/* 3. Everything in the log's one order. */
	if (c.n_items > 0)
		qsort(c.items, c.n_items, sizeof(*c.items), by_seq);
	for (i = 0; i < c.n_items; i++)
		if (c.items[i].type == ITEM_ENVELOPE)
			c.reviews[c.items[i].review].last_envelope = i + 1;
	for (i = 0; i < c.n_items && r == 0; i++) {
		const struct item *it = &c.items[i];
		/* What is not an envelope stores in its own transaction. */
		if (it->type != ITEM_ENVELOPE && (r = txn_commit(&c, err)) != 0)
			break;
		if (it->type == ITEM_DEPLOYMENT)
			r = process_deployment(&c, it, err);
		else if (it->type == ITEM_PARTIES)
			r = parties_sync_item(c.parties, it->json, it->seq, &c.head, err);
		else if (c.reviews[it->review].state == NULL)
			continue;
		else if (it->type == ITEM_RECORD)
			r = process_record(&c, it, err);
		else
			r = process_envelope(&c, it, err);
		/* A review done with: its batches' memory goes (a run may hold many). */
		if (it->type == ITEM_ENVELOPE && c.reviews[it->review].last_envelope == i + 1) {
			sync_batch_free(c.reviews[it->review].batch);
			c.reviews[it->review].batch = NULL;
		}
	}
	/* 4. Everything up to the head is in: it is the one to check from next. */
	if (r == 0)
		r = txn_commit(&c, err);
	if (r == 0)
		r = check_acknowledged(&c, err);
	if (r == 0)
		r = logcheck_store_head(c.st, &c.head, err);
out:
	txn_abort(&c);
	parties_sync_end(c.parties);
	for (i = 0; i < c.n_reviews; i++) {
		plm_review_free(c.reviews[i].state);
		sync_batch_free(c.reviews[i].batch);
	}
	free(c.reviews);
	free(c.items);
	json_decref(c.pages);
	return r;
}
