/* disclosed.c - reading what was disclosed (see disclosed.h). */
#define _GNU_SOURCE
#include "client/disclosed.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/local.h"
#include "client/logcheck.h"
#include "client/parties.h"
#include "client/state.h"
#include "client/transport.h"
#include "keys/codec.h"
#include "keys/merkle.h"
#include "policies/review.h"

void disclosed_free(struct disclosed_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		plm_record_free(list->v[i].record);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/* The listed envelope ({"id", "seq", "channel", "kind", ...}) into ENV. */
static int listed_envelope(const char *review, const json_t *e,
                           struct stored_envelope *env, plm_error *err)
{
	const char *id = json_string_value(json_object_get(e, "id"));
	const char *kind = json_string_value(json_object_get(e, "kind"));
	const char *channel = json_string_value(json_object_get(e, "channel"));
	const char *author = json_string_value(json_object_get(e, "author"));
	size_t len = 0;

	memset(env, 0, sizeof(*env));
	if (id == NULL || kind == NULL || channel == NULL || author == NULL ||
	    strlen(kind) >= sizeof(env->kind) ||
	    strlen(channel) >= sizeof(env->channel) ||
	    sodium_hex2bin(env->id, PLM_HASH_BYTES, id, strlen(id), NULL, &len, NULL) !=
	        0 ||
	    len != PLM_HASH_BYTES ||
	    sodium_hex2bin(env->author, PLM_FPR_BYTES, author, strlen(author), NULL,
	                   &len, NULL) != 0 ||
	    len != PLM_FPR_BYTES || !json_is_integer(json_object_get(e, "seq")) ||
	    !json_is_integer(json_object_get(e, "size")))
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the server describes the disclosed document badly");
	snprintf(env->review, sizeof(env->review), "%s", review);
	snprintf(env->kind, sizeof(env->kind), "%s", kind);
	snprintf(env->channel, sizeof(env->channel), "%s", channel);
	env->seq = (int64_t)json_integer_value(json_object_get(e, "seq"));
	env->size = (uint64_t)json_integer_value(json_object_get(e, "size"));
	env->epoch = (uint64_t)json_integer_value(json_object_get(e, "epoch"));
	env->created_at =
	    (uint64_t)json_integer_value(json_object_get(e, "created_at"));
	env->status = ENVELOPE_VERIFIED;
	return 0;
}

/*
 * The state of REVIEW just before log index BEFORE: its rosters (GET
 * /v1/disclosures/{review}/rosters), each signed by the root, included in
 * HEAD and chained, replayed through policies/review.c. *OUT: plm_review_free.
 */
static int review_before(struct cli *cli, const char *review, int64_t before,
                         const plm_tree_head *head, plm_review **out, plm_error *err)
{
	const plm_policy *policy;
	unsigned char root[PLM_FPR_BYTES];
	plm_pubkeys root_keys;
	char path[PLM_RECORD_ID_MAX + 48];
	json_t *doc = NULL, *elem;
	plm_record *rec = NULL;
	int64_t seq;
	size_t i;
	int r;

	*out = NULL;
	if ((r = local_policy(cli, &policy, err)) != 0 ||
	    (r = local_root(cli->state, root, &root_keys, err)) != 0 ||
	    (r = plm_review_new(out, policy, err)) != 0)
		return r;
	snprintf(path, sizeof(path), "/v1/disclosures/%s/rosters", review);
	if ((r = transport_json(cli->net, "GET", path, NULL, 0, &doc, err)) != 0)
		goto out;
	json_array_foreach(json_object_get(doc, "records"), i, elem)
	{
		seq = (int64_t)json_integer_value(json_object_get(elem, "seq"));
		if (seq >= before)
			break;
		if ((r = sync_decode_listed_record(elem, &rec, err)) != 0 ||
		    (r = plm_record_expect_type(rec, PLM_RECORD_ROSTER, err)) != 0 ||
		    (r = plm_record_verify_signer(rec, &root_keys, err)) != 0 ||
		    (r = logcheck_included(cli->net, PLM_LOG_RECORD, rec->id, seq, head,
		                           err)) != 0 ||
		    (r = plm_review_apply(*out, policy, root, rec, err)) != 0)
			goto out;
		plm_record_free(rec);
		rec = NULL;
	}
	if ((*out)->roster == NULL)
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "the server shows no roster of review %s before the "
		                  "disclosure",
		                  review);
out:
	plm_record_free(rec);
	json_decref(doc);
	if (r != 0) {
		plm_review_free(*out);
		*out = NULL;
	}
	return r;
}

/* Verifies the listed disclosure ELEM into D. */
static int verify_one(struct cli *cli, const json_t *elem, const plm_tree_head *head,
                      struct disclosed *d, plm_error *err)
{
	const char *review = json_string_value(json_object_get(elem, "review"));
	const plm_roster_member *m;
	enum plm_policy_side side;
	const plm_policy *policy;
	plm_certificate signer;
	plm_review *state = NULL;
	int r;

	memset(d, 0, sizeof(*d));
	d->seq = (int64_t)json_integer_value(json_object_get(elem, "seq"));
	if (review == NULL || strlen(review) > PLM_RECORD_ID_MAX)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the server lists a disclosure badly");
	snprintf(d->review, sizeof(d->review), "%s", review);
	if ((r = local_policy(cli, &policy, err)) != 0 ||
	    (r = sync_decode_listed_record(elem, &d->record, err)) != 0 ||
	    (r = plm_record_expect_type(d->record, PLM_RECORD_DISCLOSURE, err)) != 0)
		goto out;
	if (strcmp(d->record->body.disclosure.review_id, review) != 0) {
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "it is a disclosure of review %s listed under %s",
		                  d->record->body.disclosure.review_id, review);
		goto out;
	}
	if ((r = listed_envelope(review, json_object_get(elem, "envelope"), &d->env,
	                         err)) != 0)
		goto out;
	if (memcmp(d->env.id, d->record->body.disclosure.envelope_id, PLM_HASH_BYTES) !=
	    0) {
		r = plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the server lists another document than the disclosure "
		    "names");
		goto out;
	}
	r = local_certificate(cli->state, d->record->signer, &signer, err);
	if (r == PLM_ERR_DENIED)
		r = 0; /* revoked since; the log shows it disclosed before */
	if (r != 0 ||
	    (r = plm_record_verify_signer(d->record, &signer.keys, err)) != 0 ||
	    (r = logcheck_included(cli->net, PLM_LOG_RECORD, d->record->id, d->seq,
	                           head, err)) != 0 ||
	    (r = review_before(cli, review, d->seq, head, &state, err)) != 0 ||
	    (r = plm_review_check_disclosure(state, policy, d->record, d->env.kind,
	                                     err)) != 0 ||
	    (r = plm_review_member(state, d->record->signer, &m, &side, err)) != 0)
		goto out;
	snprintf(d->discloser, sizeof(d->discloser), "%s", m->user_id);
	snprintf(d->role, sizeof(d->role), "%s", m->role);
	snprintf(d->sur_state, sizeof(d->sur_state), "%s",
	         state->roster->body.roster.sur_state);
out:
	plm_review_free(state);
	if (r != 0) {
		plm_record_free(d->record);
		d->record = NULL;
	}
	return r;
}

int disclosed_fetch(struct cli *cli, const struct sync_observer *obs,
                    struct disclosed_list *out, plm_error *err)
{
	char path[64], what[64];
	json_t *doc = NULL, *elem, *list;
	plm_tree_head head;
	struct disclosed d, *more;
	int64_t after = -1;
	plm_error why;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = logcheck_stored_head(cli->state, &head, err)) < 0)
		return r;
	if (r == 0)
		return plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "no log head is verified here yet; run `palermo sync`");
	for (;;) {
		if (after >= 0)
			snprintf(path, sizeof(path), "/v1/disclosures?after=%" PRId64,
			         after);
		else
			snprintf(path, sizeof(path), "/v1/disclosures");
		if ((r = transport_json(cli->net, "GET", path, NULL, 0, &doc, err)) !=
		    0)
			goto fail;
		list = json_object_get(doc, "disclosures");
		if (!json_is_array(list)) {
			r = plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "the server's list of disclosures is not a list");
			goto fail;
		}
		json_array_foreach(list, i, elem)
		{
			int64_t seq =
			    (int64_t)json_integer_value(json_object_get(elem, "seq"));
			if (seq <= after) {
				r = plm_error_set(
				    err, PLM_ERR_FORMAT,
				    "the server lists disclosures out of log order");
				goto fail;
			}
			after = seq;
			if ((uint64_t)seq >= head.tree_size) {
				out->skipped++;
				continue;
			}
			plm_error_clear(&why);
			r = verify_one(cli, elem, &head, &d, &why);
			if (r == PLM_ERR_NET || r == PLM_ERR_IO || r == PLM_ERR_NOMEM) {
				*err = why;
				goto fail;
			}
			if (r != 0) {
				snprintf(what, sizeof(what),
				         "disclosure at log entry %" PRId64, seq);
				if (obs != NULL && obs->refused != NULL)
					obs->refused(
					    obs->ctx,
					    json_string_value(
					        json_object_get(elem, "review"))
					        ? json_string_value(
					              json_object_get(elem, "review"))
					        : "?",
					    seq, what, why.message);
				continue;
			}
			if ((more = realloc(out->v, (out->n + 1) * sizeof(*more))) ==
			    NULL) {
				plm_record_free(d.record);
				r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
				goto fail;
			}
			out->v = more;
			out->v[out->n++] = d;
		}
		if (!json_is_integer(json_object_get(doc, "next")) ||
		    json_array_size(list) == 0)
			break;
		json_decref(doc);
		doc = NULL;
	}
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	disclosed_free(out);
	return r;
}

/* What the opener of a disclosed envelope needs. */
struct opener {
	struct cli *cli;
	const struct disclosed *d;
};

/*
 * plm_envelope_open's keys: the header must be the listed document's and
 * of the kind the rule was checked for; the author's certified keys; the
 * document key from the disclosure (plm_envelope_open then checks it
 * against the envelope's signed key commitment).
 */
static int disclosure_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                           unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct opener *o = ctx;
	const plm_disclosure *dr = &o->d->record->body.disclosure;
	unsigned char *parties = NULL, *key = NULL;
	plm_certificate cert;
	int r;

	if (strcmp(h->review_id, o->d->review) != 0 ||
	    strcmp(h->kind, o->d->env.kind) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the document is a %s of review %s, not the %s of review "
		    "%s that was disclosed",
		    h->kind, h->review_id, o->d->env.kind, o->d->review);
	r = local_certificate(o->cli->state, h->author, &cert, err);
	if (r == PLM_ERR_DENIED)
		r = 0; /* revoked since: the log shows the document was written before
		        */
	if (r != 0)
		return r;
	*author = cert.keys;
	if (dr->scope == PLM_DISCLOSE_PARTIES &&
	    (r = parties_key(o->cli, dr->parties_epoch, &parties, err)) != 0)
		return r;
	if ((r = plm_disclosure_document_key(o->d->record, parties, &key, err)) == 0)
		memcpy(doc_key, key, PLM_KEY_BYTES);
	plm_secret_free(parties);
	plm_secret_free(key);
	return r;
}

int disclosed_open(struct cli *cli, const struct disclosed *d, const char *out_path,
                   plm_manifest *manifest, plm_error *err)
{
	struct opener o = {cli, d};
	unsigned char id[PLM_HASH_BYTES];
	char cache[4200], part[4220], hex[2 * PLM_HASH_BYTES + 1], path[128];
	plm_tree_head head;
	off_t have;
	int fd = -1, r;

	plm_hex(hex, d->env.id, PLM_HASH_BYTES);
	state_path(cli->state, "cache", d->env.id, cache, sizeof(cache));
	snprintf(part, sizeof(part), "%s.part", cache);
	if ((fd = open(cache, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		/* Fetched into .part (resumable), kept once it verified. */
		if ((fd = open(part,
		               O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		               0600)) < 0)
			return plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s",
			                     part, strerror(errno));
		have = lseek(fd, 0, SEEK_END);
		snprintf(path, sizeof(path), "/v1/envelopes/%s", hex);
		if (have < 0 || (uint64_t)have > d->env.size) {
			r = plm_error_set(err, PLM_ERR_IO,
			                  "the cached part of %.12s is damaged", hex);
			goto out;
		}
		if ((uint64_t)have < d->env.size &&
		    (r = transport_download(cli->net, path, fd, (uint64_t)have,
		                            d->env.size, err)) != 0)
			goto out;
		if (lseek(fd, 0, SEEK_SET) != 0) {
			r = plm_error_set(err, PLM_ERR_IO, "cannot read %s", part);
			goto out;
		}
	}
	if ((r = logcheck_stored_head(cli->state, &head, err)) < 0)
		goto out;
	if ((r = plm_envelope_open(fd, out_path, disclosure_keys, &o, manifest, NULL,
	                           id, err)) != 0)
		goto out;
	if (sodium_memcmp(id, d->env.id, PLM_HASH_BYTES) != 0) {
		r = plm_error_set(
		    err, PLM_ERR_DIGEST,
		    "the server sent another document than the one disclosed");
		goto out;
	}
	if ((r = logcheck_included(cli->net, PLM_LOG_ENVELOPE, id, d->env.seq, &head,
	                           err)) != 0)
		goto out;
	if (access(cache, F_OK) != 0 && rename(part, cache) != 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", cache,
		                  strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (r != 0 && r != PLM_ERR_NET)
		unlink(part);
	return r;
}
