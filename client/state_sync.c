/*
 * state_sync.c - the SQL of sync and of the reader (see client/sync.h):
 * cursors, verified review records and envelope metadata. The tables are
 * in state.c's schema; nothing here checks a signature: callers store
 * only what they verified.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/state_impl.h"
#include "client/sync.h"

/* The setting that holds the deployment records' cursor. */
#define DEPLOYMENT_CURSOR "sync.deployment_after"

int state_sync_cursor(struct state *st, const char *review, int64_t *records_after,
                      int64_t *envelopes_after, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	char text[32];
	int rc, r = 0;

	*records_after = -1;
	*envelopes_after = -1;
	if (review == NULL) {
		if (state_get_str(st, DEPLOYMENT_CURSOR, text, sizeof(text), NULL) == 0)
			*records_after = strtoll(text, NULL, 10);
		return 0;
	}
	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT records_after, envelopes_after FROM reviews WHERE review = ?",
	        -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read where the sync stands");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*records_after = sqlite3_column_int64(q, 0);
		*envelopes_after = sqlite3_column_int64(q, 1);
	} else if (rc != SQLITE_DONE) {
		r = state_db_error(st, err, "read where the sync stands");
	}
	sqlite3_finalize(q);
	return r;
}

int state_sync_set_cursor(struct state *st, const char *review, int64_t records_after,
                          int64_t envelopes_after, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	char text[32];
	int r = 0;

	if (review == NULL) {
		snprintf(text, sizeof(text), "%" PRId64, records_after);
		return state_set_str(st, DEPLOYMENT_CURSOR, text, err);
	}
	if (state_prepare(st, "INSERT INTO reviews(review, records_after, envelopes_after)"
	        " VALUES(?, ?, ?) ON CONFLICT(review) DO UPDATE SET"
	        " records_after = excluded.records_after,"
	        " envelopes_after = excluded.envelopes_after", &q) != SQLITE_OK)
		return state_db_error(st, err, "record where the sync stands");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, records_after);
	sqlite3_bind_int64(q, 3, envelopes_after);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "record where the sync stands");
	state_finish(st, q);
	return r;
}

int state_reviews_each(struct state *st, int (*fn)(void *ctx, const char *review),
                       void *ctx, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, r = 0;

	/* Only reviews of which a record was verified: a row alone is a cursor. */
	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT review FROM reviews WHERE EXISTS (SELECT 1 FROM records"
	        " WHERE records.review = reviews.review) ORDER BY review",
	        -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "list the reviews");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((r = fn(ctx, (const char *)sqlite3_column_text(q, 0))) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = state_db_error(st, err, "list the reviews");
	sqlite3_finalize(q);
	return r;
}

int state_record_add(struct state *st, const char *review, int64_t seq,
                     const plm_record *record, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO records(review, seq, id, type, bytes)"
	                       " VALUES(?, ?, ?, ?, ?)",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "store a record");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, seq);
	sqlite3_bind_blob(q, 3, record->id, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, record->type);
	sqlite3_bind_blob(q, 5, record->encoding, (int)record->encoding_len,
	                  SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "store a record");
	sqlite3_finalize(q);
	return r;
}

int state_record_id_at(struct state *st, const char *review, int64_t seq,
                       unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, r = 0;

	if (state_prepare(st, "SELECT id FROM records WHERE review = ? AND seq = ?", &q) != SQLITE_OK)
		return state_db_error(st, err, "read a record");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, seq);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == PLM_HASH_BYTES)
		memcpy(id, sqlite3_column_blob(q, 0), PLM_HASH_BYTES);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "no record is stored there");
	else
		r = state_db_error(st, err, "read a record");
	state_finish(st, q);
	return r;
}

int state_records_each(struct state *st, const char *review, int type,
                       int (*fn)(void *ctx, int64_t seq, const unsigned char *bytes,
                                 size_t len),
                       void *ctx, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT seq, bytes FROM records WHERE review = ?"
	                       " AND (?2 = 0 OR type = ?2) ORDER BY seq",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read a review's records");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, type);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((r = fn(ctx, sqlite3_column_int64(q, 0), sqlite3_column_blob(q, 1),
		            (size_t)sqlite3_column_bytes(q, 1))) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = state_db_error(st, err, "read a review's records");
	sqlite3_finalize(q);
	return r;
}

int state_envelope_add(struct state *st, const struct stored_envelope *env,
                       plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (state_prepare(st, "INSERT OR REPLACE INTO envelopes(id, review, seq, channel, kind,"
	        " epoch, author, reply_to, created_at, size, status, problem)"
	        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &q) != SQLITE_OK)
		return state_db_error(st, err, "store a document's metadata");
	sqlite3_bind_blob(q, 1, env->id, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, env->review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, env->seq);
	sqlite3_bind_text(q, 4, env->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, env->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)env->epoch);
	sqlite3_bind_blob(q, 7, env->author, PLM_FPR_BYTES, SQLITE_STATIC);
	if (env->has_reply)
		sqlite3_bind_blob(q, 8, env->reply_to, PLM_HASH_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 8);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)env->created_at);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)env->size);
	sqlite3_bind_int(q, 11, env->status);
	if (env->status == ENVELOPE_REFUSED)
		sqlite3_bind_text(q, 12, env->problem, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 12);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "store a document's metadata");
	state_finish(st, q);
	return r;
}

#define ENVELOPE_COLUMNS                                                               \
	"id, review, seq, channel, kind, epoch, author, reply_to, created_at, size,"   \
	" status, problem"

/* Copies TEXT (may be NULL) into DST of CAP bytes. */
static void copy_text(char *dst, size_t cap, const unsigned char *text)
{
	snprintf(dst, cap, "%s", text != NULL ? (const char *)text : "");
}

/* Reads a row of ENVELOPE_COLUMNS; PLM_ERR_CORRUPT if a column is malformed. */
static int read_envelope(struct state *st, sqlite3_stmt *q, struct stored_envelope *out,
                         plm_error *err)
{
	(void)st;
	memset(out, 0, sizeof(*out));
	if (sqlite3_column_bytes(q, 0) != PLM_HASH_BYTES ||
	    sqlite3_column_bytes(q, 6) != PLM_FPR_BYTES ||
	    (sqlite3_column_type(q, 7) != SQLITE_NULL &&
	     sqlite3_column_bytes(q, 7) != PLM_HASH_BYTES))
		return plm_error_set(
		    err, PLM_ERR_CORRUPT,
		    "a document's metadata in the local state is damaged");
	memcpy(out->id, sqlite3_column_blob(q, 0), PLM_HASH_BYTES);
	copy_text(out->review, sizeof(out->review), sqlite3_column_text(q, 1));
	out->seq = sqlite3_column_int64(q, 2);
	copy_text(out->channel, sizeof(out->channel), sqlite3_column_text(q, 3));
	copy_text(out->kind, sizeof(out->kind), sqlite3_column_text(q, 4));
	out->epoch = (uint64_t)sqlite3_column_int64(q, 5);
	memcpy(out->author, sqlite3_column_blob(q, 6), PLM_FPR_BYTES);
	if (sqlite3_column_type(q, 7) != SQLITE_NULL) {
		out->has_reply = 1;
		memcpy(out->reply_to, sqlite3_column_blob(q, 7), PLM_HASH_BYTES);
	}
	out->created_at = (uint64_t)sqlite3_column_int64(q, 8);
	out->size = (uint64_t)sqlite3_column_int64(q, 9);
	out->status = sqlite3_column_int(q, 10);
	copy_text(out->problem, sizeof(out->problem), sqlite3_column_text(q, 11));
	return 0;
}

int state_envelope_get(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                       struct stored_envelope *out, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, r;

	if (state_prepare(st, "SELECT " ENVELOPE_COLUMNS " FROM envelopes WHERE id = ?", &q) != SQLITE_OK)
		return state_db_error(st, err, "read a document's metadata");
	sqlite3_bind_blob(q, 1, id, PLM_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		r = read_envelope(st, q, out, err);
	else if (rc == SQLITE_DONE)
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "no such document is known here; run `palermo sync`");
	else
		r = state_db_error(st, err, "read a document's metadata");
	state_finish(st, q);
	return r;
}

int state_envelope_find(struct state *st, const char *prefix,
                        struct stored_envelope *out, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	char lower[2 * PLM_HASH_BYTES + 1];
	size_t i, n = strlen(prefix);
	int rc, r = 0, found = 0;

	if (n < 4 || n > 2 * PLM_HASH_BYTES)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "a document id is 4 to 64 hexadecimal digits (as `palermo "
		    "list` shows them), not '%.70s'",
		    prefix);
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)prefix[i]))
			return plm_error_set(
			    err, PLM_ERR_INVALID,
			    "a document id is hexadecimal digits only, not "
			    "'%.70s'",
			    prefix);
		lower[i] = (char)tolower((unsigned char)prefix[i]);
	}
	lower[n] = '\0';
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " ENVELOPE_COLUMNS " FROM envelopes"
	                       " WHERE substr(lower(hex(id)), 1, ?1) = ?2 LIMIT 2",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "find a document");
	sqlite3_bind_int(q, 1, (int)n);
	sqlite3_bind_text(q, 2, lower, (int)n, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (++found == 2)
			break;
		if ((r = read_envelope(st, q, out, err)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = state_db_error(st, err, "find a document");
	else if (r == 0 && found == 0)
		r = plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "no document here has an id starting with %s; check it with "
		    "`palermo list REVIEW`, or run `palermo sync`",
		    lower);
	else if (r == 0 && found > 1)
		r = plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "several documents have an id starting with %s; give more "
		    "digits",
		    lower);
	sqlite3_finalize(q);
	return r;
}

int state_envelopes_each(struct state *st, const char *review,
                         int (*fn)(void *ctx, const struct stored_envelope *env),
                         void *ctx, plm_error *err)
{
	struct stored_envelope env;
	sqlite3_stmt *q = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " ENVELOPE_COLUMNS
	                       " FROM envelopes WHERE review = ?"
	                       " ORDER BY seq",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "list a review's documents");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((r = read_envelope(st, q, &env, err)) != 0 ||
		    (r = fn(ctx, &env)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = state_db_error(st, err, "list a review's documents");
	sqlite3_finalize(q);
	return r;
}

int state_ack_add(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                  const char *review, int64_t seq, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(st->db,
	                       "INSERT OR REPLACE INTO acknowledged(id, review, seq)"
	                       " VALUES(?, ?, ?)",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "remember an acknowledged upload");
	sqlite3_bind_blob(q, 1, id, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, seq);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "remember an acknowledged upload");
	sqlite3_finalize(q);
	return r;
}

int state_acks_missing(struct state *st, const char *review,
                       void (*fn)(void *ctx, const unsigned char id[PLM_HASH_BYTES],
                                  const char *review, int64_t seq),
                       void *ctx, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT a.id, a.seq FROM acknowledged a WHERE a.review = ?1"
	        " AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.id = a.id)"
	        " ORDER BY a.seq",
	        -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "check the acknowledged uploads");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (sqlite3_column_bytes(q, 0) == PLM_HASH_BYTES)
			fn(ctx, sqlite3_column_blob(q, 0), review,
			   sqlite3_column_int64(q, 1));
	if (rc != SQLITE_DONE)
		r = state_db_error(st, err, "check the acknowledged uploads");
	sqlite3_finalize(q);
	if (r == 0) {
		if (sqlite3_prepare_v2(st->db,
		                       "DELETE FROM acknowledged WHERE review = ?", -1,
		                       &q, NULL) != SQLITE_OK)
			return state_db_error(st, err,
			                      "forget the acknowledged uploads");
		sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			r = state_db_error(st, err, "forget the acknowledged uploads");
		sqlite3_finalize(q);
	}
	return r;
}
