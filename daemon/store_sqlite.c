/*
 * store_sqlite.c - the SQLite backend of store.h: WAL mode, synchronous=FULL,
 * one connection guarded by a mutex (SQLite work is short and never waits
 * on the network, so the lock is never held across network I/O), and a
 * second one, with its own mutex, for the reads of every request
 * (store_impl.h), which WAL lets run while a commit is being flushed.
 */
#include "daemon/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/store_impl.h"
#include "keys/merkle.h"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    /* seq is the 0-based leaf index of the transparency log. */
    "CREATE TABLE IF NOT EXISTS log(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
    "  object BLOB NOT NULL UNIQUE, leaf BLOB NOT NULL, accepted_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS records(id BLOB PRIMARY KEY, seq INTEGER NOT NULL,"
    "  type INTEGER NOT NULL, review TEXT NOT NULL, subject BLOB, epoch INTEGER,"
    "  bytes BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS records_review ON records(review, seq);"
    "CREATE INDEX IF NOT EXISTS records_subject ON records(subject, type, seq);"
    "CREATE TABLE IF NOT EXISTS members(review TEXT NOT NULL, fpr BLOB NOT NULL,"
    "  epoch INTEGER NOT NULL, PRIMARY KEY(review, fpr));"
    "CREATE INDEX IF NOT EXISTS members_fpr ON members(fpr);"
    "CREATE TABLE IF NOT EXISTS envelopes(id BLOB PRIMARY KEY, seq INTEGER NOT NULL,"
    "  review TEXT NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL,"
    "  epoch INTEGER NOT NULL, author BLOB NOT NULL, reply_to BLOB,"
    "  created_at INTEGER NOT NULL, size INTEGER NOT NULL, accepted_at INTEGER NOT NULL,"
    "  pack INTEGER, pack_offset INTEGER);"
    "CREATE INDEX IF NOT EXISTS envelopes_review ON envelopes(review, seq);"
    /* Complete perfect subtrees (level >= 1) of the log, so that any node a
     * proof needs is one lookup: node(level, idx) covers leaves
     * [idx * 2^level, (idx + 1) * 2^level). */
    "CREATE TABLE IF NOT EXISTS log_nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
    "  hash BLOB NOT NULL, PRIMARY KEY(level, idx));"
    /* Invitations to enrol: only the hash of each code (store_enroll.c). */
    "CREATE TABLE IF NOT EXISTS invitations(hash BLOB PRIMARY KEY, user_id TEXT NOT NULL,"
    "  name TEXT NOT NULL, state TEXT NOT NULL, usage INTEGER NOT NULL,"
    "  issued_by BLOB NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    "  used_at INTEGER, used_by BLOB);"
    /* Enrollment requests, one per invitation; pending until certified. */
    "CREATE TABLE IF NOT EXISTS enrollments(invitation BLOB PRIMARY KEY, fpr BLOB NOT NULL,"
    "  user_id TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,"
    "  received_at INTEGER NOT NULL, bytes BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS enrollments_fpr ON enrollments(fpr);";

static int db_error(struct store *s, plm_error *err, const char *what)
{
	return plm_error_set(err, PLM_ERR_IO, "the metadata store failed to %s: %s",
	                     what, sqlite3_errmsg(s->db));
}

/*
 * The kept statement for SQL (a string literal: its address is the key) on
 * DB, whose cache is C, prepared the first time; NULL if it does not
 * prepare. Called with DB's lock held; give it back with stmt_done.
 */
static sqlite3_stmt *stmt_get(sqlite3 *db, struct store_stmts *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->sql[i] == sql)
			return c->st[i];
	if (sqlite3_prepare_v3(db, sql, -1, c->n < STORE_STMTS_MAX ? SQLITE_PREPARE_PERSISTENT : 0,
	                       &st, NULL) != SQLITE_OK)
		return NULL;
	if (c->n < STORE_STMTS_MAX) {
		c->sql[c->n] = sql;
		c->st[c->n++] = st;
	}
	return st;
}

/* Gives back a statement of stmt_get: reset (ending its read), unbound. */
static void stmt_done(struct store_stmts *c, sqlite3_stmt *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < c->n; i++)
		if (c->st[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st); /* the cache was full */
}

/* Finalizes the statements of C (before its connection closes). */
static void stmts_free(struct store_stmts *c)
{
	while (c->n > 0)
		sqlite3_finalize(c->st[--c->n]);
}

/* db_error for the reading connection. */
static int rdb_error(struct store *s, plm_error *err, const char *what)
{
	return plm_error_set(err, PLM_ERR_IO, "the metadata store failed to %s: %s",
	                     what, sqlite3_errmsg(s->rdb));
}

static uint64_t query_u64(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	uint64_t v = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Opens the connection *DB to PATH with FLAGS (and a busy timeout). */
static int open_db(const char *path, int flags, sqlite3 **db, plm_error *err)
{
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK)
		return plm_error_set(err, PLM_ERR_IO, "cannot open the metadata store %s: %s",
		                     path, *db ? sqlite3_errmsg(*db) : "out of memory");
	sqlite3_busy_timeout(*db, 10000);
	return 0;
}

/* Runs the statements SQL on DB at start-up; WHAT names the step. */
static int setup_db(sqlite3 *db, const char *sql, const char *what, const char *path,
                    plm_error *err)
{
	char *msg = NULL;
	int r = 0;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		r = plm_error_set(err, PLM_ERR_IO, "cannot %s the metadata store %s: %s", what,
		                  path, msg ? msg : "?");
	sqlite3_free(msg);
	return r;
}

int store_open(const char *data_dir, struct store **out, plm_error *err)
{
	struct store *s;
	char path[4096];

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/palermo.db", data_dir) >= (int)sizeof(path))
		return plm_error_set(err, PLM_ERR_INVALID, "the data folder path is too long");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->rlock, NULL);
	if (open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s->db, err) != 0 ||
	    setup_db(s->db, schema, "prepare", path, err) != 0 ||
	    /* Stores made before packs (blobs.h): their envelopes are all files. */
	    (sqlite3_exec(s->db, "SELECT pack FROM envelopes LIMIT 0", NULL, NULL, NULL) !=
	         SQLITE_OK &&
	     setup_db(s->db,
	              "ALTER TABLE envelopes ADD COLUMN pack INTEGER;"
	              "ALTER TABLE envelopes ADD COLUMN pack_offset INTEGER;",
	              "update", path, err) != 0) ||
	    open_db(path, SQLITE_OPEN_READONLY, &s->rdb, err) != 0) {
		store_close(s);
		return PLM_ERR_IO;
	}
	s->log_size = query_u64(s, "SELECT COUNT(*) FROM log");
	s->envelopes = query_u64(s, "SELECT COUNT(*) FROM envelopes");
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	stmts_free(&s->rstmts);
	stmts_free(&s->stmts);
	sqlite3_close(s->rdb);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->rlock);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int store_meta_get(struct store *s, const char *key, unsigned char *buf,
                   size_t cap, size_t *len, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st,
	                       NULL) != SQLITE_OK) {
		r = db_error(s, err, "read a setting");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "no stored %s", key);
	} else if (rc != SQLITE_ROW) {
		r = db_error(s, err, "read a setting");
	} else {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if (*len > cap)
			r = plm_error_set(err, PLM_ERR_CORRUPT, "stored %s is too long", key);
		else
			memcpy(buf, sqlite3_column_blob(st, 0), *len);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_meta_put(struct store *s, const char *key, const unsigned char *buf,
                   size_t len, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
	                       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(s, err, "store a setting");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, buf, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "store a setting");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Reads node (LEVEL >= 1, IDX) of the log; 0 if found. */
static int node_get(struct store *s, unsigned level, uint64_t idx,
                    unsigned char out[PLM_HASH_BYTES])
{
	sqlite3_stmt *st;
	int r = -1;

	if ((st = stmt_get(s->db, &s->stmts,
	                   "SELECT hash FROM log_nodes WHERE level = ? AND idx = ?")) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PLM_HASH_BYTES) {
		memcpy(out, sqlite3_column_blob(st, 0), PLM_HASH_BYTES);
		r = 0;
	}
	stmt_done(&s->stmts, st);
	return r;
}

/* Reads leaf hash INDEX from the log table; 0 if found. */
static int leaf_get(struct store *s, uint64_t index, unsigned char out[PLM_HASH_BYTES])
{
	sqlite3_stmt *st;
	int r = -1;

	if ((st = stmt_get(s->db, &s->stmts, "SELECT leaf FROM log WHERE seq = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == PLM_HASH_BYTES) {
		memcpy(out, sqlite3_column_blob(st, 0), PLM_HASH_BYTES);
		r = 0;
	}
	stmt_done(&s->stmts, st);
	return r;
}

/*
 * After leaf INDEX (hash LEAF) was appended inside the caller's transaction,
 * stores every perfect subtree it completes: level k is complete when
 * (INDEX + 1) is a multiple of 2^k. O(1) amortized per leaf.
 */
static int log_complete_nodes(struct store *s, uint64_t index,
                              const unsigned char leaf[PLM_HASH_BYTES], plm_error *err)
{
	unsigned char right[PLM_HASH_BYTES], left[PLM_HASH_BYTES], node[PLM_HASH_BYTES];
	uint64_t count = index + 1, idx;
	sqlite3_stmt *st = NULL;
	unsigned level;
	int r = 0;

	memcpy(right, leaf, PLM_HASH_BYTES);
	if ((st = stmt_get(s->db, &s->stmts,
	                   "INSERT OR REPLACE INTO log_nodes(level, idx, hash) VALUES(?, ?, ?)")) ==
	    NULL)
		return db_error(s, err, "append to the log");
	for (level = 1; level < 64 && count % ((uint64_t)1 << level) == 0; level++) {
		idx = count / ((uint64_t)1 << level) - 1;
		/* The left sibling: node (level - 1, 2 * idx). */
		if ((level == 1 ? leaf_get(s, 2 * idx, left) : node_get(s, level - 1, 2 * idx, left)) != 0) {
			r = plm_error_set(err, PLM_ERR_CORRUPT, "the log is missing a node");
			break;
		}
		plm_merkle_node_hash(node, left, right);
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, (int)level);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
		sqlite3_bind_blob(st, 3, node, PLM_HASH_BYTES, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			r = db_error(s, err, "append to the log");
			break;
		}
		memcpy(right, node, PLM_HASH_BYTES);
	}
	stmt_done(&s->stmts, st);
	return r;
}

/*
 * Appends the log leaf for (KIND, ID) inside the caller's transaction; the
 * leaf input is u8 kind || [32] id (PROTOCOL.md §6.6). *SEQ gets its index.
 */
static int log_append(struct store *s, int kind, const unsigned char id[32],
                      uint64_t *seq, uint64_t now, plm_error *err)
{
	unsigned char leaf[PLM_MERKLE_HASH_BYTES];
	sqlite3_stmt *st = NULL;
	int r = 0;

	plm_merkle_entry_leaf(leaf, kind, id);
	if ((st = stmt_get(s->db, &s->stmts, "INSERT INTO log(seq, kind, object, leaf, accepted_at) "
	                       "VALUES(?, ?, ?, ?, ?)")) == NULL)
		return db_error(s, err, "append to the log");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)s->log_size);
	sqlite3_bind_int(st, 2, kind);
	sqlite3_bind_blob(st, 3, id, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, leaf, sizeof(leaf), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_error(s, err, "append to the log");
	else
		*seq = s->log_size;
	stmt_done(&s->stmts, st);
	if (r == 0)
		r = log_complete_nodes(s, s->log_size, leaf, err);
	return r;
}

/* Looks up the seq of an object already in the log; 0 if found. */
static int log_find(struct store *s, const unsigned char id[32], uint64_t *seq)
{
	sqlite3_stmt *st;
	int found = -1;

	if ((st = stmt_get(s->db, &s->stmts, "SELECT seq FROM log WHERE object = ?")) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		found = 0;
	}
	stmt_done(&s->stmts, st);
	return found;
}

static int exec(struct store *s, const char *sql, plm_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, "run a transaction");
	return 0;
}

int store_add_record(struct store *s, struct store_record *rec,
                     const unsigned char (*members)[PLM_FPR_BYTES], size_t n,
                     plm_error *err)
{
	sqlite3_stmt *st = NULL;
	uint64_t now = (uint64_t)time(NULL);
	size_t i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	if (log_find(s, rec->id, &rec->seq) == 0) {
		r = plm_error_set(err, PLM_ERR_EXISTS, "this record is already stored");
		goto unlock;
	}
	if ((r = exec(s, "BEGIN IMMEDIATE", err)) != 0)
		goto unlock;
	if ((r = log_append(s, STORE_ENTRY_RECORD, rec->id, &rec->seq, now, err)) != 0)
		goto rollback;
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO records(id, seq, type, review, subject, epoch, bytes)"
	                       " VALUES(?, ?, ?, ?, ?, ?, ?)",
	                       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(s, err, "store a record");
		goto rollback;
	}
	sqlite3_bind_blob(st, 1, rec->id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)rec->seq);
	sqlite3_bind_int(st, 3, rec->type);
	sqlite3_bind_text(st, 4, rec->review, -1, SQLITE_STATIC);
	if (rec->has_subject)
		sqlite3_bind_blob(st, 5, rec->subject, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)rec->epoch);
	sqlite3_bind_blob(st, 7, rec->bytes, (int)rec->len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		r = db_error(s, err, "store a record");
		goto rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (members != NULL) {
		if (sqlite3_prepare_v2(s->db, "DELETE FROM members WHERE review = ?", -1, &st,
		                       NULL) != SQLITE_OK) {
			r = db_error(s, err, "update a membership");
			goto rollback;
		}
		sqlite3_bind_text(st, 1, rec->review, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			r = db_error(s, err, "update a membership");
			goto rollback;
		}
		sqlite3_finalize(st);
		if (sqlite3_prepare_v2(s->db,
		                       "INSERT INTO members(review, fpr, epoch) VALUES(?, ?, ?)",
		                       -1, &st, NULL) != SQLITE_OK) {
			r = db_error(s, err, "update a membership");
			goto rollback;
		}
		for (i = 0; i < n; i++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, rec->review, -1, SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, members[i], 32, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)rec->epoch);
			if (sqlite3_step(st) != SQLITE_DONE) {
				r = db_error(s, err, "update a membership");
				goto rollback;
			}
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if ((r = exec(s, "COMMIT", err)) != 0)
		goto rollback;
	s->log_size++;
	goto unlock;
rollback:
	sqlite3_finalize(st);
	st = NULL;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
unlock:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Runs ST (already bound) and copies the first column of the first row. */
static int fetch_blob(struct store *s, sqlite3_stmt *st, unsigned char **bytes,
                      size_t *len, uint64_t *second, plm_error *err)
{
	int rc = sqlite3_step(st);
	size_t n;

	if (rc == SQLITE_DONE)
		return plm_error_set(err, PLM_ERR_NOTFOUND, "not found");
	if (rc != SQLITE_ROW)
		return db_error(s, err, "read a record");
	n = (size_t)sqlite3_column_bytes(st, 0);
	*bytes = malloc(n ? n : 1);
	if (*bytes == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	memcpy(*bytes, sqlite3_column_blob(st, 0), n);
	*len = n;
	if (second != NULL)
		*second = (uint64_t)sqlite3_column_int64(st, 1);
	return 0;
}

int store_find_subject(struct store *s, int type,
                       const unsigned char subject[PLM_FPR_BYTES],
                       unsigned char **bytes, size_t *len, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	*bytes = NULL;
	pthread_mutex_lock(&s->rlock);
	if ((st = stmt_get(s->rdb, &s->rstmts, "SELECT bytes FROM records WHERE subject = ? AND type = ?"
	                       " ORDER BY seq DESC LIMIT 1")) == NULL) {
		r = rdb_error(s, err, "read a record");
		goto out;
	}
	sqlite3_bind_blob(st, 1, subject, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, type);
	r = fetch_blob(s, st, bytes, len, NULL, err);
out:
	stmt_done(&s->rstmts, st);
	pthread_mutex_unlock(&s->rlock);
	return r;
}

int store_find_latest(struct store *s, int type, const char *review,
                      unsigned char **bytes, size_t *len, uint64_t *epoch,
                      plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	*bytes = NULL;
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT bytes, epoch FROM records WHERE review = ? AND type = ?"
	                       " ORDER BY epoch DESC, seq DESC LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(s, err, "read a record");
		goto out;
	}
	sqlite3_bind_text(st, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, type);
	r = fetch_blob(s, st, bytes, len, epoch, err);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/*
 * The records with seq > AFTER, in log order, at most LIMIT: of REVIEW when
 * REVIEW is not NULL, else of TYPE in every review. FN gets each.
 */
static int list_records_where(struct store *s, const char *review, int type,
                              uint64_t after, unsigned limit,
                              int (*fn)(void *ctx, const struct store_record *rec),
                              void *ctx, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	struct store_record rec;
	int r = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db,
	                       review != NULL
	                           ? "SELECT id, seq, type, subject, epoch, bytes, review"
	                             " FROM records WHERE review = ? AND seq > ?"
	                             " ORDER BY seq LIMIT ?"
	                           : "SELECT id, seq, type, subject, epoch, bytes, review"
	                             " FROM records WHERE type = ? AND seq > ?"
	                             " ORDER BY seq LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(s, err, "list records");
		goto out;
	}
	if (review != NULL)
		sqlite3_bind_text(st, 1, review, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int(st, 1, type);
	sqlite3_bind_int64(st, 2, after == UINT64_MAX ? -1 : (sqlite3_int64)after);
	sqlite3_bind_int(st, 3, (int)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&rec, 0, sizeof(rec));
		memcpy(rec.id, sqlite3_column_blob(st, 0), 32);
		rec.seq = (uint64_t)sqlite3_column_int64(st, 1);
		rec.type = sqlite3_column_int(st, 2);
		snprintf(rec.review, sizeof(rec.review), "%s",
		         (const char *)sqlite3_column_text(st, 6));
		if (sqlite3_column_bytes(st, 3) == 32) {
			memcpy(rec.subject, sqlite3_column_blob(st, 3), 32);
			rec.has_subject = 1;
		}
		rec.epoch = (uint64_t)sqlite3_column_int64(st, 4);
		rec.bytes = sqlite3_column_blob(st, 5);
		rec.len = (size_t)sqlite3_column_bytes(st, 5);
		if ((r = fn(ctx, &rec)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_error(s, err, "list records");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int store_list_records(struct store *s, const char *review, uint64_t after,
                       unsigned limit,
                       int (*fn)(void *ctx, const struct store_record *rec),
                       void *ctx, plm_error *err)
{
	return list_records_where(s, review, 0, after, limit, fn, ctx, err);
}

int store_list_type(struct store *s, int type, uint64_t after, unsigned limit,
                    int (*fn)(void *ctx, const struct store_record *rec), void *ctx,
                    plm_error *err)
{
	return list_records_where(s, NULL, type, after, limit, fn, ctx, err);
}

int store_is_member(struct store *s, const char *review,
                    const unsigned char fpr[PLM_FPR_BYTES])
{
	sqlite3_stmt *st;
	int found = 0;

	pthread_mutex_lock(&s->rlock);
	if ((st = stmt_get(s->rdb, &s->rstmts,
	                   "SELECT 1 FROM members WHERE review = ? AND fpr = ?")) != NULL) {
		sqlite3_bind_text(st, 1, review, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, fpr, 32, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
		stmt_done(&s->rstmts, st);
	}
	pthread_mutex_unlock(&s->rlock);
	return found;
}

int store_reviews_of(struct store *s, const unsigned char fpr[PLM_FPR_BYTES],
                     int (*fn)(void *ctx, const char *review, uint64_t epoch),
                     void *ctx, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT review, epoch FROM members WHERE fpr = ? ORDER BY review",
	                       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(s, err, "list reviews");
		goto out;
	}
	sqlite3_bind_blob(st, 1, fpr, 32, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = fn(ctx, (const char *)sqlite3_column_text(st, 0),
		            (uint64_t)sqlite3_column_int64(st, 1))) != 0)
			goto out;
	if (rc != SQLITE_DONE)
		r = db_error(s, err, "list reviews");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Inserts ENV's row and log leaf inside the caller's transaction. */
static int insert_envelope(struct store *s, struct store_envelope *env, uint64_t now,
                           plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	if ((r = log_append(s, STORE_ENTRY_ENVELOPE, env->id, &env->seq, now, err)) != 0)
		return r;
	if ((st = stmt_get(s->db, &s->stmts, "INSERT INTO envelopes(id, seq, review, channel, kind, epoch,"
	                       " author, reply_to, created_at, size, accepted_at, pack,"
	                       " pack_offset) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		return db_error(s, err, "store an envelope");
	sqlite3_bind_blob(st, 1, env->id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)env->seq);
	sqlite3_bind_text(st, 3, env->review, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, env->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, env->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)env->epoch);
	sqlite3_bind_blob(st, 7, env->author, 32, SQLITE_STATIC);
	if (env->has_reply)
		sqlite3_bind_blob(st, 8, env->reply_to, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)env->created_at);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)env->size);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)now);
	if (env->pack != 0) {
		sqlite3_bind_int64(st, 12, (sqlite3_int64)env->pack);
		sqlite3_bind_int64(st, 13, (sqlite3_int64)env->pack_offset);
	}
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "store an envelope");
	stmt_done(&s->stmts, st);
	if (r == 0) {
		env->accepted_at = now;
		s->log_size++;
	}
	return r;
}

int store_add_envelopes(struct store *s, struct store_envelope *envs, int *results,
                        size_t n, void (*inserted)(void *ctx), void *ctx,
                        plm_error *err)
{
	uint64_t now = (uint64_t)time(NULL), log_size, added = 0;
	size_t i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	log_size = s->log_size;
	if ((r = exec(s, "BEGIN IMMEDIATE", err)) != 0)
		goto unlock;
	for (i = 0; i < n; i++) {
		if (results[i] != 0)
			continue;
		/* Already stored, or earlier in this batch (this transaction sees it). */
		if (log_find(s, envs[i].id, &envs[i].seq) == 0) {
			results[i] = PLM_ERR_EXISTS;
			continue;
		}
		if ((r = insert_envelope(s, &envs[i], now, err)) != 0)
			goto rollback;
		added++;
	}
	if (inserted != NULL) {
		inserted(ctx);
		inserted = NULL;
	}
	if ((r = exec(s, "COMMIT", err)) != 0)
		goto rollback;
	s->envelopes += added;
	goto unlock;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->log_size = log_size;
unlock:
	pthread_mutex_unlock(&s->lock);
	if (inserted != NULL)
		inserted(ctx);
	return r;
}

int store_add_envelope(struct store *s, struct store_envelope *env, plm_error *err)
{
	int result = 0, r;

	if ((r = store_add_envelopes(s, env, &result, 1, NULL, NULL, err)) != 0)
		return r;
	if (result == PLM_ERR_EXISTS)
		return plm_error_set(err, PLM_ERR_EXISTS, "this envelope is already stored");
	return 0;
}

/* Fills ENV from a row of "SELECT id, seq, review, channel, kind, epoch,
 * author, reply_to, created_at, size, accepted_at, pack, pack_offset". */
static void envelope_row(sqlite3_stmt *st, struct store_envelope *env)
{
	memset(env, 0, sizeof(*env));
	memcpy(env->id, sqlite3_column_blob(st, 0), 32);
	env->seq = (uint64_t)sqlite3_column_int64(st, 1);
	snprintf(env->review, sizeof(env->review), "%s", sqlite3_column_text(st, 2));
	snprintf(env->channel, sizeof(env->channel), "%s", sqlite3_column_text(st, 3));
	snprintf(env->kind, sizeof(env->kind), "%s", sqlite3_column_text(st, 4));
	env->epoch = (uint64_t)sqlite3_column_int64(st, 5);
	memcpy(env->author, sqlite3_column_blob(st, 6), 32);
	if (sqlite3_column_bytes(st, 7) == 32) {
		env->has_reply = 1;
		memcpy(env->reply_to, sqlite3_column_blob(st, 7), 32);
	}
	env->created_at = (uint64_t)sqlite3_column_int64(st, 8);
	env->size = (uint64_t)sqlite3_column_int64(st, 9);
	env->accepted_at = (uint64_t)sqlite3_column_int64(st, 10);
	env->pack = (uint64_t)sqlite3_column_int64(st, 11); /* NULL reads 0: a file */
	env->pack_offset = (uint64_t)sqlite3_column_int64(st, 12);
}

#define ENVELOPE_COLUMNS                                                     \
	"SELECT id, seq, review, channel, kind, epoch, author, reply_to,"    \
	" created_at, size, accepted_at, pack, pack_offset FROM envelopes "

int store_get_envelope(struct store *s, const unsigned char id[PLM_HASH_BYTES],
                       struct store_envelope *env, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	pthread_mutex_lock(&s->rlock);
	if ((st = stmt_get(s->rdb, &s->rstmts, ENVELOPE_COLUMNS "WHERE id = ?")) == NULL) {
		r = rdb_error(s, err, "read an envelope");
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		envelope_row(st, env);
	else if (rc == SQLITE_DONE)
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "no such envelope");
	else
		r = rdb_error(s, err, "read an envelope");
out:
	stmt_done(&s->rstmts, st);
	pthread_mutex_unlock(&s->rlock);
	return r;
}

int store_has_envelope(struct store *s, const unsigned char id[PLM_HASH_BYTES])
{
	struct store_envelope env;

	/* When in doubt (the store failed), it exists: callers delete on 0. */
	return store_get_envelope(s, id, &env, NULL) != PLM_ERR_NOTFOUND;
}

int store_list_envelopes(struct store *s, const char *review, uint64_t after,
                         unsigned limit,
                         int (*fn)(void *ctx, const struct store_envelope *env),
                         void *ctx, plm_error *err)
{
	sqlite3_stmt *st = NULL;
	struct store_envelope env;
	int r = 0, rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db,
	                       ENVELOPE_COLUMNS "WHERE review = ? AND seq > ? ORDER BY seq LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK) {
		r = db_error(s, err, "list envelopes");
		goto out;
	}
	sqlite3_bind_text(st, 1, review, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after == UINT64_MAX ? -1 : (sqlite3_int64)after);
	sqlite3_bind_int(st, 3, (int)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		envelope_row(st, &env);
		if ((r = fn(ctx, &env)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = db_error(s, err, "list envelopes");
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return r;
}

uint64_t store_log_size(struct store *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->lock);
	n = s->log_size;
	pthread_mutex_unlock(&s->lock);
	return n;
}

uint64_t store_count_envelopes(struct store *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->lock);
	n = s->envelopes;
	pthread_mutex_unlock(&s->lock);
	return n;
}

uint64_t store_count_reviews(struct store *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->lock);
	n = query_u64(s, "SELECT COUNT(DISTINCT review) FROM members");
	pthread_mutex_unlock(&s->lock);
	return n;
}

int store_log_subtree(struct store *s, unsigned level, uint64_t index,
                      unsigned char out[PLM_HASH_BYTES], plm_error *err)
{
	int r;

	pthread_mutex_lock(&s->lock);
	r = level == 0 ? leaf_get(s, index, out) : node_get(s, level, index, out);
	pthread_mutex_unlock(&s->lock);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_NOTFOUND, "the log has no node %u/%llu",
		                     level, (unsigned long long)index);
	return 0;
}

int store_log_index(struct store *s, const unsigned char id[PLM_HASH_BYTES],
                    uint64_t *index)
{
	int r;

	pthread_mutex_lock(&s->lock);
	r = log_find(s, id, index);
	pthread_mutex_unlock(&s->lock);
	return r == 0 ? 0 : PLM_ERR_NOTFOUND;
}
