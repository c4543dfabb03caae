/*
 * store_enroll.c - invitations and enrollment requests in the SQLite store
 * (see store.h "Enrollment"; the tables are in store_sqlite.c's schema).
 * Like the rest of the store it checks nothing about what it is given:
 * daemon/routes_enroll.c verifies the record and the code first.
 */
#include "daemon/store_impl.h"

#include <stdio.h>
#include <string.h>

static int enroll_db_error(struct store *s, plm_error *err, const char *what)
{
	return plm_error_set(err, PLM_ERR_IO, "the metadata store failed to %s: %s",
	                     what, sqlite3_errmsg(s->db));
}

/* Copies column COL of Q (text) into OUT (CAP bytes, NUL-terminated). */
static void column_text(sqlite3_stmt *q, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

/* Copies column COL of Q (a blob of exactly N bytes, else zeros) into OUT. */
static void column_blob(sqlite3_stmt *q, int col, unsigned char *out, size_t n)
{
	if (sqlite3_column_bytes(q, col) == (int)n)
		memcpy(out, sqlite3_column_blob(q, col), n);
	else
		memset(out, 0, n);
}

int store_add_invitation(struct store *s, const struct store_invitation *inv,
                         plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT INTO invitations(hash, user_id, name, state, usage,"
	        " issued_by, issued_at, expires_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
	        -1, &q, NULL) != SQLITE_OK) {
		r = enroll_db_error(s, err, "store an invitation");
		goto out;
	}
	sqlite3_bind_blob(q, 1, inv->hash, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, inv->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, inv->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, inv->state, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, inv->usage);
	sqlite3_bind_blob(q, 6, inv->issued_by, PLM_FPR_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)inv->issued_at);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)inv->expires_at);
	rc = sqlite3_step(q);
	if (rc == SQLITE_CONSTRAINT)
		r = plm_error_set(err, PLM_ERR_EXISTS,
		                  "an invitation with this code exists");
	else if (rc != SQLITE_DONE)
		r = enroll_db_error(s, err, "store an invitation");
out:
	sqlite3_finalize(q);
	pthread_mutex_unlock(&s->lock);
	return r;
}

#define INVITATION_COLUMNS                                                             \
	"hash, user_id, name, state, usage, issued_by, issued_at, expires_at,"         \
	" COALESCE(used_at, 0), used_by"

/* Fills INV from the INVITATION_COLUMNS of Q starting at column FIRST. */
static void read_invitation(sqlite3_stmt *q, int first, struct store_invitation *inv)
{
	memset(inv, 0, sizeof(*inv));
	column_blob(q, first, inv->hash, PLM_HASH_BYTES);
	column_text(q, first + 1, inv->user_id, sizeof(inv->user_id));
	column_text(q, first + 2, inv->name, sizeof(inv->name));
	column_text(q, first + 3, inv->state, sizeof(inv->state));
	inv->usage = sqlite3_column_int(q, first + 4);
	column_blob(q, first + 5, inv->issued_by, PLM_FPR_BYTES);
	inv->issued_at = (uint64_t)sqlite3_column_int64(q, first + 6);
	inv->expires_at = (uint64_t)sqlite3_column_int64(q, first + 7);
	inv->used_at = (uint64_t)sqlite3_column_int64(q, first + 8);
	column_blob(q, first + 9, inv->used_by, PLM_FPR_BYTES);
}

/* Reads the invitation HASH into INV; PLM_ERR_NOTFOUND if there is none. */
static int find_invitation(struct store *s, const unsigned char hash[PLM_HASH_BYTES],
                           struct store_invitation *inv, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0, rc;

	if (sqlite3_prepare_v2(
	        s->db, "SELECT " INVITATION_COLUMNS " FROM invitations WHERE hash = ?",
	        -1, &q, NULL) != SQLITE_OK)
		return enroll_db_error(s, err, "read an invitation");
	sqlite3_bind_blob(q, 1, hash, PLM_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		read_invitation(q, 0, inv);
	else if (rc == SQLITE_DONE)
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "no invitation has this code; check "
		                  "the 20 characters, or ask the secretariat for a new "
		                  "invitation");
	else
		r = enroll_db_error(s, err, "read an invitation");
	sqlite3_finalize(q);
	return r;
}

/* Runs SQL (no result) inside the caller's lock. */
static int enroll_exec(struct store *s, const char *sql, plm_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return enroll_db_error(s, err, "run a transaction");
	return 0;
}

int store_add_enrollment(struct store *s, const struct store_enrollment *req,
                         uint64_t now, struct store_invitation *inv, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r;

	memset(inv, 0, sizeof(*inv));
	pthread_mutex_lock(&s->lock);
	if ((r = enroll_exec(s, "BEGIN IMMEDIATE", err)) != 0)
		goto unlock;
	/* PROTOCOL.md §5.10 "Accepting a request": exists, unused, not expired, same
	 * person. */
	if ((r = find_invitation(s, req->invitation, inv, err)) != 0)
		goto rollback;
	if (inv->used_at != 0) {
		r = plm_error_set(err, PLM_ERR_EXISTS,
		                  "this invitation was used already");
		goto rollback;
	}
	if (now >= inv->expires_at) {
		r = plm_error_set(err, PLM_ERR_LIMIT, "this invitation has expired; ask "
		                  "the secretariat for a new one");
		goto rollback;
	}
	if (strcmp(req->user_id, inv->user_id) != 0 ||
	    strcmp(req->state, inv->state) != 0) {
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "this invitation is for another user id or State; give "
		                  "--user and --state exactly as the secretariat invited you");
		goto rollback;
	}
	if (sqlite3_prepare_v2(s->db,
	                       "UPDATE invitations SET used_at = ?, used_by = ?"
	                       " WHERE hash = ? AND used_at IS NULL",
	                       -1, &q, NULL) != SQLITE_OK) {
		r = enroll_db_error(s, err, "use an invitation");
		goto rollback;
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)(now ? now : 1));
	sqlite3_bind_blob(q, 2, req->fpr, PLM_FPR_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, req->invitation, PLM_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE || sqlite3_changes(s->db) != 1) {
		r = enroll_db_error(s, err, "use an invitation");
		goto rollback;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT INTO enrollments(invitation, fpr, user_id, name, state,"
	        " received_at, bytes) VALUES(?, ?, ?, ?, ?, ?, ?)",
	        -1, &q, NULL) != SQLITE_OK) {
		r = enroll_db_error(s, err, "store an enrollment request");
		goto rollback;
	}
	sqlite3_bind_blob(q, 1, req->invitation, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, req->fpr, PLM_FPR_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, req->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, req->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, req->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)req->received_at);
	sqlite3_bind_blob(q, 7, req->bytes, (int)req->len, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		r = enroll_db_error(s, err, "store an enrollment request");
		goto rollback;
	}
	sqlite3_finalize(q);
	q = NULL;
	if ((r = enroll_exec(s, "COMMIT", err)) != 0)
		goto rollback;
	inv->used_at = now;
	memcpy(inv->used_by, req->fpr, PLM_FPR_BYTES);
	goto unlock;
rollback:
	sqlite3_finalize(q);
	q = NULL;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
unlock:
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_list_enrollments(struct store *s,
                           int (*fn)(void *ctx, const struct store_enrollment *req,
                                     const struct store_invitation *inv),
                           void *ctx, plm_error *err)
{
	struct store_enrollment req;
	struct store_invitation inv;
	sqlite3_stmt *q = NULL;
	int r = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT e.invitation, e.fpr, e.user_id, e.name, e.state, e.received_at,"
	        " e.bytes, i.hash, i.user_id, i.name, i.state, i.usage, i.issued_by,"
	        " i.issued_at, i.expires_at, COALESCE(i.used_at, 0), i.used_by"
	        " FROM enrollments e JOIN invitations i ON i.hash = e.invitation"
	        " WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.type = 1"
	        "   AND r.subject = e.fpr)"
	        " ORDER BY e.received_at, e.fpr",
	        -1, &q, NULL) != SQLITE_OK) {
		r = enroll_db_error(s, err, "list enrollment requests");
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&req, 0, sizeof(req));
		column_blob(q, 0, req.invitation, PLM_HASH_BYTES);
		column_blob(q, 1, req.fpr, PLM_FPR_BYTES);
		column_text(q, 2, req.user_id, sizeof(req.user_id));
		column_text(q, 3, req.name, sizeof(req.name));
		column_text(q, 4, req.state, sizeof(req.state));
		req.received_at = (uint64_t)sqlite3_column_int64(q, 5);
		req.bytes = sqlite3_column_blob(q, 6);
		req.len = (size_t)sqlite3_column_bytes(q, 6);
		read_invitation(q, 7, &inv);
		if (fn(ctx, &req, &inv) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = enroll_db_error(s, err, "list enrollment requests");
out:
	sqlite3_finalize(q);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_enrollment_pending(struct store *s, const unsigned char fpr[PLM_FPR_BYTES])
{
	sqlite3_stmt *q = NULL;
	int found = 0;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM enrollments WHERE fpr = ?", -1, &q,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_blob(q, 1, fpr, PLM_FPR_BYTES, SQLITE_STATIC);
		found = sqlite3_step(q) == SQLITE_ROW;
	}
	sqlite3_finalize(q);
	pthread_mutex_unlock(&s->lock);
	return found;
}
