/*
 * state_identity.c - the local state of the identity area (see identity.h):
 * the invitations this home issued and the secretariat's signed records
 * waiting to be delivered. The tables are created on first use.
 */
#include "client/identity.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/state_impl.h"

static const char identity_schema[] =
    /* Invitations issued here: never the code, only its hash. */
    "CREATE TABLE IF NOT EXISTS admin_invitations(hash BLOB PRIMARY KEY,"
    "  user_id TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,"
    "  usage INTEGER NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT "
    "NULL);"
    /* Signed records the server has not accepted yet, in the order made. */
    "CREATE TABLE IF NOT EXISTS admin_queue(n INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  review TEXT NOT NULL, type INTEGER NOT NULL, bytes BLOB NOT NULL,"
    "  queued_at INTEGER NOT NULL);";

static int ensure_tables(struct state *st, plm_error *err)
{
	if (sqlite3_exec(st->db, identity_schema, NULL, NULL, NULL) != SQLITE_OK)
		return state_db_error(st, err, "prepare its tables");
	return 0;
}

int state_invitation_add(struct state *st, const struct local_invitation *inv,
                         plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r;

	if ((r = ensure_tables(st, err)) != 0)
		return r;
	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT OR REPLACE INTO admin_invitations(hash, user_id, name, state,"
	        " usage, issued_at, expires_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
	        -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "remember an invitation");
	sqlite3_bind_blob(q, 1, inv->hash, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, inv->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, inv->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, inv->state, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, inv->usage);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)inv->issued_at);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)inv->expires_at);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "remember an invitation");
	sqlite3_finalize(q);
	return r;
}

int state_invitation_get(struct state *st, const unsigned char hash[PLM_HASH_BYTES],
                         struct local_invitation *out, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = ensure_tables(st, err)) != 0)
		return r;
	if (sqlite3_prepare_v2(
	        st->db,
	        "SELECT user_id, name, state, usage, issued_at, expires_at"
	        " FROM admin_invitations WHERE hash = ?",
	        -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read an invitation");
	sqlite3_bind_blob(q, 1, hash, PLM_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		memcpy(out->hash, hash, PLM_HASH_BYTES);
		snprintf(out->user_id, sizeof(out->user_id), "%s",
		         (const char *)sqlite3_column_text(q, 0));
		snprintf(out->name, sizeof(out->name), "%s",
		         (const char *)sqlite3_column_text(q, 1));
		snprintf(out->state, sizeof(out->state), "%s",
		         (const char *)sqlite3_column_text(q, 2));
		out->usage = (uint8_t)sqlite3_column_int(q, 3);
		out->issued_at = (uint64_t)sqlite3_column_int64(q, 4);
		out->expires_at = (uint64_t)sqlite3_column_int64(q, 5);
	} else if (rc == SQLITE_DONE) {
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "this invitation was not issued here");
	} else {
		r = state_db_error(st, err, "read an invitation");
	}
	sqlite3_finalize(q);
	return r;
}

int state_admin_queue(struct state *st, const char *review, const plm_record *record,
                      plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r;

	if (record->encoding == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "only a signed record can be queued");
	if ((r = ensure_tables(st, err)) != 0)
		return r;
	if (sqlite3_prepare_v2(st->db,
	                       "INSERT INTO admin_queue(review, type, bytes, queued_at)"
	                       " VALUES(?, ?, ?, ?)",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "queue a signed record");
	sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, record->type);
	sqlite3_bind_blob(q, 3, record->encoding, (int)record->encoding_len,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)time(NULL));
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "queue a signed record");
	sqlite3_finalize(q);
	return r;
}

int state_admin_each(struct state *st,
                     int (*fn)(void *ctx, int64_t n, const char *review, int type,
                               const unsigned char *bytes, size_t len,
                               int64_t queued_at),
                     void *ctx, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r, rc;

	if ((r = ensure_tables(st, err)) != 0)
		return r;
	if (sqlite3_prepare_v2(
	        st->db, "SELECT n, review, type, bytes, queued_at FROM admin_queue"
	        " ORDER BY n", -1,
	        &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read the queued records");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		r = fn(ctx, sqlite3_column_int64(q, 0),
		       (const char *)sqlite3_column_text(q, 1),
		       sqlite3_column_int(q, 2), sqlite3_column_blob(q, 3),
		       (size_t)sqlite3_column_bytes(q, 3), sqlite3_column_int64(q, 4));
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = state_db_error(st, err, "read the queued records");
	sqlite3_finalize(q);
	return r;
}

/* Runs SQL with N (and REVIEW if not NULL) bound. */
static int admin_delete(struct state *st, const char *sql, const char *review,
                        int64_t n, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r;

	if ((r = ensure_tables(st, err)) != 0)
		return r;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "update the queued records");
	sqlite3_bind_int64(q, 1, n);
	if (review != NULL)
		sqlite3_bind_text(q, 2, review, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "update the queued records");
	sqlite3_finalize(q);
	return r;
}

int state_admin_remove(struct state *st, int64_t n, plm_error *err)
{
	return admin_delete(st, "DELETE FROM admin_queue WHERE n = ?", NULL, n, err);
}

int state_admin_remove_from(struct state *st, const char *review, int64_t n,
                            plm_error *err)
{
	return admin_delete(st, "DELETE FROM admin_queue WHERE n >= ? AND review = ?",
	                    review, n, err);
}
