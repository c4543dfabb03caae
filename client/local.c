/* local.c - what this client has verified, read back (see local.h). */
#include "client/local.h"

#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/history.h"
#include "client/state_impl.h"

int local_policy(struct cli *cli, const plm_policy **out, plm_error *err)
{
	char path[PATH_MAX];
	int r;

	if (cli->policy == NULL) {
		if ((r = plm_policy_locate(path, sizeof(path), err)) != 0 ||
		    (r = plm_policy_load(path, &cli->policy, err)) != 0)
			return r;
	}
	*out = cli->policy;
	return 0;
}

void local_free(struct cli *cli)
{
	plm_policy_free(cli->policy);
	cli->policy = NULL;
}

/* Reads the stored bytes of the certificate of FPR; caller frees. */
static int certificate_bytes(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                             unsigned char **bytes, size_t *len, plm_error *err)
{
	sqlite3_stmt *q;
	int r = 0;

	*bytes = NULL;
	if (state_prepare(st, "SELECT bytes FROM certificates WHERE fpr = ?", &q) != SQLITE_OK)
		return state_db_error(st, err, "read a certificate");
	sqlite3_bind_blob(q, 1, fpr, PLM_FPR_BYTES, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		char text[PLM_FPR_TEXT_BYTES];
		plm_fingerprint_format(text, fpr);
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "no certificate is known here for %.19s...; run `palermo sync`",
		                  text);
	} else {
		*len = (size_t)sqlite3_column_bytes(q, 0);
		if ((*bytes = malloc(*len ? *len : 1)) == NULL)
			r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		else
			memcpy(*bytes, sqlite3_column_blob(q, 0), *len);
	}
	state_finish(st, q);
	return r;
}

int local_certificate_record(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                             plm_record **out, plm_error *err)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if ((r = certificate_bytes(st, fpr, &bytes, &len, err)) == 0)
		r = plm_record_decode(bytes, len, out, err);
	free(bytes);
	return r;
}

/*
 * Certificates whose signature verified in this process, by the digest of
 * their bytes and of the key that verified them: a sync or a listing asks
 * for the same few authors' certificates for every document, and the
 * same bytes under the same key verify the same way (one Ed25519 check
 * each instead of two per document).
 */
#define VERIFIED_MEMO 16
static unsigned char verified_memo[VERIFIED_MEMO][PLM_HASH_BYTES];
static size_t verified_memo_n;

/* The memo's key: BLAKE2b-256 of the signing key, then of the bytes. */
static void memo_key(unsigned char key[PLM_HASH_BYTES], const unsigned char *bytes,
                     size_t len, const plm_pubkeys *keys)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, PLM_HASH_BYTES);
	crypto_generichash_update(&h, keys->sign_pk, sizeof(keys->sign_pk));
	crypto_generichash_update(&h, bytes, len);
	crypto_generichash_final(&h, key, PLM_HASH_BYTES);
}

/* REC (encoded as BYTES) verified with KEYS, remembered or checked now. */
static int verify_memo(const plm_record *rec, const unsigned char *bytes, size_t len,
                       const plm_pubkeys *keys, plm_error *err)
{
	unsigned char key[PLM_HASH_BYTES];
	size_t i;
	int r;

	memo_key(key, bytes, len, keys);
	for (i = 0; i < verified_memo_n && i < VERIFIED_MEMO; i++)
		if (memcmp(verified_memo[i], key, PLM_HASH_BYTES) == 0)
			return 0;
	if ((r = plm_record_verify_signer(rec, keys, err)) == 0)
		memcpy(verified_memo[verified_memo_n++ % VERIFIED_MEMO], key, PLM_HASH_BYTES);
	return r;
}

/* Decodes a stored certificate and checks it is signed by ROOT (ROOT_KEYS). */
static int verified_certificate(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                                const unsigned char root[PLM_FPR_BYTES],
                                const plm_pubkeys *root_keys, plm_certificate *out,
                                plm_error *err)
{
	unsigned char *bytes = NULL, cfpr[PLM_FPR_BYTES];
	plm_record *rec = NULL;
	size_t len = 0;
	int r;

	if ((r = certificate_bytes(st, fpr, &bytes, &len, err)) != 0)
		return r;
	if ((r = plm_record_decode(bytes, len, &rec, err)) == 0 &&
	    (r = plm_record_expect_type(rec, PLM_RECORD_CERTIFICATE, err)) == 0) {
		plm_certificate_fingerprint(cfpr, &rec->body.certificate);
		if (memcmp(cfpr, fpr, PLM_FPR_BYTES) != 0 ||
		    memcmp(rec->signer, root, PLM_FPR_BYTES) != 0)
			r = plm_error_set(err, PLM_ERR_CORRUPT,
			                  "a stored certificate does not match its key or root; "
			                  "the local state is damaged");
		else
			r = verify_memo(rec, bytes, len,
			                root_keys != NULL ? root_keys : &rec->body.certificate.keys,
			                err);
		if (r == 0)
			*out = rec->body.certificate;
	}
	free(bytes);
	plm_record_free(rec);
	return r;
}

int local_root(struct state *st, unsigned char fpr[PLM_FPR_BYTES], plm_pubkeys *keys,
               plm_error *err)
{
	plm_certificate cert;
	size_t len = 0;
	int r;

	if (state_get(st, "root", fpr, PLM_FPR_BYTES, &len, NULL) != 0 || len != PLM_FPR_BYTES)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "no root is pinned here; run `palermo init --trust "
		                     "FINGERPRINT` with the fingerprint the secretariat gave you");
	if (keys == NULL)
		return 0;
	/* The root certificate is self-signed: verified with its own keys. */
	if ((r = verified_certificate(st, fpr, fpr, NULL, &cert, err)) != 0)
		return r;
	if (cert.usage != PLM_USAGE_ROOT)
		return plm_error_set(err, PLM_ERR_CORRUPT, "the pinned root's certificate is not a root's");
	*keys = cert.keys;
	return 0;
}

/*
 * 1 if FPR has a stored revocation before log index SEQ (one of unknown
 * index, -1, always counts).
 */
static int is_revoked(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                      int64_t seq)
{
	sqlite3_stmt *q;
	int found = 0;

	if (state_prepare(st,
	                  "SELECT 1 FROM revocations WHERE fpr = ? AND (seq < ? OR seq < 0)",
	                  &q) == SQLITE_OK) {
		sqlite3_bind_blob(q, 1, fpr, PLM_FPR_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, seq);
		found = sqlite3_step(q) == SQLITE_ROW;
		state_finish(st, q);
	}
	return found;
}

int local_certificate(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                      plm_certificate *out, plm_error *err)
{
	return local_certificate_at(st, fpr, INT64_MAX, out, err);
}

int local_certificate_at(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                         int64_t seq, plm_certificate *out, plm_error *err)
{
	unsigned char root[PLM_FPR_BYTES];
	plm_pubkeys root_keys;
	int r;

	if ((r = local_root(st, root, &root_keys, err)) != 0)
		return r;
	if (memcmp(fpr, root, PLM_FPR_BYTES) == 0)
		return verified_certificate(st, fpr, root, NULL, out, err);
	if ((r = verified_certificate(st, fpr, root, &root_keys, out, err)) != 0)
		return r;
	if (is_revoked(st, fpr, seq))
		return plm_error_set(err, PLM_ERR_DENIED,
		                     "the certificate of %s (%s) was revoked", out->user_id,
		                     out->state);
	if ((uint64_t)time(NULL) > out->not_after)
		return plm_error_set(err, PLM_ERR_DENIED, "the certificate of %s (%s) has expired",
		                     out->user_id, out->state);
	return 0;
}

int local_find_user(struct state *st, const char *user_id, plm_certificate *out,
                    unsigned char fpr[PLM_FPR_BYTES], plm_error *err)
{
	sqlite3_stmt *q;
	int r = PLM_ERR_NOTFOUND;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT fpr FROM certificates WHERE user_id = ? ORDER BY seq DESC",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read certificates");
	sqlite3_bind_text(q, 1, user_id, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 0) != PLM_FPR_BYTES)
			continue;
		memcpy(fpr, sqlite3_column_blob(q, 0), PLM_FPR_BYTES);
		if ((r = local_certificate(st, fpr, out, NULL)) == 0)
			break;
	}
	sqlite3_finalize(q);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "no valid certificate for the user '%s' is known here; "
		                     "check the user id, or run `palermo sync`",
		                     user_id);
	return 0;
}

int local_store_deployment_record(struct state *st, const plm_record *record,
                                  int64_t seq, plm_error *err)
{
	unsigned char fpr[PLM_FPR_BYTES];
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (record->type == PLM_RECORD_CERTIFICATE) {
		const plm_certificate *c = &record->body.certificate;
		plm_certificate_fingerprint(fpr, c);
		if (sqlite3_prepare_v2(st->db,
		                       "INSERT OR REPLACE INTO certificates(fpr, seq, user_id, state,"
		                       " usage, bytes) VALUES(?, ?, ?, ?, ?, ?)",
		                       -1, &q, NULL) != SQLITE_OK)
			return state_db_error(st, err, "store a certificate");
		sqlite3_bind_blob(q, 1, fpr, PLM_FPR_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, seq);
		sqlite3_bind_text(q, 3, c->user_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, c->state, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 5, c->usage);
		sqlite3_bind_blob(q, 6, record->encoding, (int)record->encoding_len, SQLITE_STATIC);
	} else if (record->type == PLM_RECORD_REVOCATION) {
		if (sqlite3_prepare_v2(st->db,
		                       "INSERT OR REPLACE INTO revocations(fpr, seq, bytes) VALUES(?, ?, ?)",
		                       -1, &q, NULL) != SQLITE_OK)
			return state_db_error(st, err, "store a revocation");
		sqlite3_bind_blob(q, 1, record->body.revocation.revoked, PLM_FPR_BYTES,
		                  SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, seq);
		sqlite3_bind_blob(q, 3, record->encoding, (int)record->encoding_len, SQLITE_STATIC);
	} else {
		return plm_error_set(err, PLM_ERR_TYPE, "not a deployment record");
	}
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "store a deployment record");
	sqlite3_finalize(q);
	return r;
}

int local_review(struct cli *cli, const char *review, int64_t upto, plm_review **out,
                 plm_error *err)
{
	const plm_policy *policy;
	unsigned char root[PLM_FPR_BYTES];
	plm_review *state = NULL;
	plm_record *rec = NULL;
	sqlite3_stmt *q = NULL;
	int r, rc, any = 0;

	*out = NULL;
	if ((r = local_policy(cli, &policy, err)) != 0 ||
	    (r = local_root(cli->state, root, NULL, err)) != 0 ||
	    (r = plm_review_new(&state, policy, err)) != 0)
		return r;
	if (sqlite3_prepare_v2(cli->state->db,
	                       "SELECT bytes, type FROM records WHERE review = ? AND seq <= ?"
	                       " ORDER BY seq",
	                       -1, &q, NULL) != SQLITE_OK) {
		r = state_db_error(cli->state, err, "read a review");
		goto out;
	}
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, upto);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		any = 1;
		if (sqlite3_column_int(q, 1) == PLM_RECORD_DISCLOSURE)
			continue; /* changes nothing in the state */
		if ((r = plm_record_decode(sqlite3_column_blob(q, 0),
		                           (size_t)sqlite3_column_bytes(q, 0), &rec, err)) != 0 ||
		    (r = plm_review_apply(state, policy, root, rec, err)) != 0) {
			r = plm_error_set(err, PLM_ERR_CORRUPT,
			                  "the stored records of review %s no longer verify (%s); "
			                  "the local state is damaged",
			                  review, err ? err->message : "");
			goto out;
		}
		plm_record_free(rec);
		rec = NULL;
	}
	if (rc != SQLITE_DONE) {
		r = state_db_error(cli->state, err, "read a review");
		goto out;
	}
	if (!any) {
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "review %s is not known here; check its id, or run "
		                  "`palermo sync`",
		                  review);
		goto out;
	}
	*out = state;
	state = NULL;
out:
	sqlite3_finalize(q);
	plm_record_free(rec);
	plm_review_free(state);
	return r;
}

int local_epoch_keys(struct state *st, const char *review, uint64_t epoch,
                     plm_record **out, plm_error *err)
{
	plm_record *rec = NULL;
	sqlite3_stmt *q = NULL;
	int r;

	*out = NULL;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT bytes FROM records WHERE review = ? AND type = ? ORDER BY seq",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read epoch keys");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, PLM_RECORD_EPOCH_KEYS);
	r = plm_error_set(err, PLM_ERR_NOTFOUND,
	                  "you hold no key of epoch %llu of review %s (you were not a "
	                  "member then)",
	                  (unsigned long long)epoch, review);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (plm_record_decode(sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0),
		                      &rec, NULL) != 0)
			continue;
		if (rec->body.epoch_keys.epoch == epoch) {
			*out = rec;
			r = 0;
			break;
		}
		plm_record_free(rec);
		rec = NULL;
	}
	sqlite3_finalize(q);
	return r;
}

int local_channel_key(struct cli *cli, const char *review, const char *channel,
                      uint64_t epoch, unsigned char **key, uint64_t *epoch_out,
                      plm_error *err)
{
	plm_review *state = NULL;
	plm_record *rec = NULL;
	int r;

	*key = NULL;
	if ((r = local_review(cli, review, INT64_MAX, &state, err)) != 0)
		return r;
	if (epoch == 0) {
		epoch = state->roster->body.roster.epoch;
		if (state->epoch_keys == NULL) {
			r = plm_error_set(err, PLM_ERR_NOTFOUND,
			                  "the keys of epoch %llu of review %s have not arrived "
			                  "yet; run `palermo sync` again later",
			                  (unsigned long long)epoch, review);
			goto out;
		}
		r = plm_epoch_keys_open(state->epoch_keys, channel, cli->me, key, err);
		goto found;
	}
	/* An older epoch: its keys record was verified when it was applied. */
	if ((r = local_epoch_keys(cli->state, review, epoch, &rec, err)) != 0)
		goto out;
	r = plm_epoch_keys_open(rec, channel, cli->me, key, err);
	/* Not sealed to me then: a history grant may give it (PROTOCOL.md §5.11). */
	if (r == PLM_ERR_NOTFOUND)
		r = history_channel_key(cli, review, channel, rec, key, err);
found:
	if (r == 0 && epoch_out != NULL)
		*epoch_out = epoch;
out:
	plm_record_free(rec);
	plm_review_free(state);
	return r;
}
