/* state.c - opening the client's local state (see state.h). */
#define _GNU_SOURCE
#include "client/state_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The schema; later areas add their tables in their own files at open. */
static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
    /* Verified deployment records: certificates and revocations. */
    "CREATE TABLE IF NOT EXISTS certificates(fpr BLOB PRIMARY KEY, seq INTEGER,"
    "  user_id TEXT NOT NULL, state TEXT NOT NULL, usage INTEGER NOT NULL,"
    "  bytes BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS certificates_user ON certificates(user_id);"
    "CREATE TABLE IF NOT EXISTS revocations(fpr BLOB PRIMARY KEY, seq INTEGER,"
    "  bytes BLOB NOT NULL);"
    /* Reviews I am on, and how far each was synced. */
    "CREATE TABLE IF NOT EXISTS reviews(review TEXT PRIMARY KEY,"
    "  records_after INTEGER NOT NULL DEFAULT -1,"
    "  envelopes_after INTEGER NOT NULL DEFAULT -1);"
    /* Each review's records, verified and applied, in log order. */
    "CREATE TABLE IF NOT EXISTS records(review TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  id BLOB NOT NULL, type INTEGER NOT NULL, bytes BLOB NOT NULL,"
    "  PRIMARY KEY(review, seq));"
    /* Envelope metadata; the ciphertext is in cache/. status: 1 verified,
     * 2 refused (problem says why). */
    "CREATE TABLE IF NOT EXISTS envelopes(id BLOB PRIMARY KEY, review TEXT NOT NULL,"
    "  seq INTEGER NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL,"
    "  epoch INTEGER NOT NULL, author BLOB NOT NULL, reply_to BLOB,"
    "  created_at INTEGER NOT NULL, size INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, problem TEXT);"
    "CREATE INDEX IF NOT EXISTS envelopes_review ON envelopes(review, seq);"
    /* Sealed envelopes waiting to be sent: the file is outbox/<id>. */
    "CREATE TABLE IF NOT EXISTS outbox(n INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id BLOB NOT NULL UNIQUE, review TEXT NOT NULL, channel TEXT NOT NULL,"
    "  kind TEXT NOT NULL, upload_id BLOB NOT NULL, size INTEGER NOT NULL,"
    "  queued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT);"
    /* Outbox items the server refused (4xx): not retried until the user
     * says so (`palermo outbox retry`), or dropped. */
    "CREATE TABLE IF NOT EXISTS outbox_refused(id BLOB PRIMARY KEY,"
    "  reason TEXT NOT NULL, refused_at INTEGER NOT NULL);"
    /* Uploads the server acknowledged, until a sync finds them in its log. */
    "CREATE TABLE IF NOT EXISTS acknowledged(id BLOB PRIMARY KEY,"
    "  review TEXT NOT NULL, seq INTEGER NOT NULL);"
    /* Verified small envelopes, kept here rather than one file each in
     * cache/ (state_cache.c): a batch of them is one transaction. */
    "CREATE TABLE IF NOT EXISTS cached(id BLOB PRIMARY KEY, bytes BLOB NOT NULL);";

int state_db_error(struct state *st, plm_error *err, const char *what)
{
	return plm_error_set(err, PLM_ERR_IO, "the local state failed to %s: %s", what,
	                     sqlite3_errmsg(st->db));
}

/* Creates DIR (0700) if missing; refuses one that others can read. */
static int ensure_dir(const char *dir, int create, plm_error *err)
{
	struct stat sb;

	if (lstat(dir, &sb) != 0) {
		if (errno != ENOENT || !create)
			return plm_error_set(err, PLM_ERR_NOTFOUND,
			                     "%s does not exist; run `palermo init` first (or "
			                     "set PALERMO_HOME)",
			                     dir);
		if (mkdir(dir, 0700) != 0)
			return plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s", dir,
			                     strerror(errno));
		return 0;
	}
	if (!S_ISDIR(sb.st_mode))
		return plm_error_set(err, PLM_ERR_IO, "%s is not a folder", dir);
	if ((sb.st_mode & 077) != 0)
		return plm_error_set(err, PLM_ERR_DENIED,
		                     "%s can be read by other users; run `chmod 700 %s`", dir,
		                     dir);
	return 0;
}

int state_open(const char *home, int create, struct state **out, plm_error *err)
{
	static const char *const subs[] = {"cache", "outbox"};
	struct state *st;
	char path[4200];
	char *msg = NULL;
	size_t i;
	int r;

	*out = NULL;
	if (strlen(home) >= sizeof(st->home) - 64)
		return plm_error_set(err, PLM_ERR_INVALID, "PALERMO_HOME is too long");
	if ((r = ensure_dir(home, create, err)) != 0)
		return r;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", home, subs[i]);
		if ((r = ensure_dir(path, 1, err)) != 0)
			return r;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	snprintf(st->home, sizeof(st->home), "%s", home);
	snprintf(path, sizeof(path), "%s/state.db", home);
	if (sqlite3_open_v2(path, &st->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot open the local state %s: %s", path,
		                  msg ? msg : (st->db ? sqlite3_errmsg(st->db) : "out of memory"));
		sqlite3_free(msg);
		state_close(st);
		return r;
	}
	chmod(path, 0600);
	sqlite3_busy_timeout(st->db, 10000);
	*out = st;
	return 0;
}

int state_prepare(struct state *st, const char *sql, sqlite3_stmt **q)
{
	size_t i;
	int rc;

	for (i = 0; i < STATE_STATEMENTS && st->statements[i].sql != NULL; i++)
		if (st->statements[i].sql == sql) {
			*q = st->statements[i].stmt;
			return SQLITE_OK;
		}
	rc = sqlite3_prepare_v3(st->db, sql, -1,
	                        i < STATE_STATEMENTS ? SQLITE_PREPARE_PERSISTENT : 0, q, NULL);
	if (rc == SQLITE_OK && i < STATE_STATEMENTS) {
		st->statements[i].sql = sql;
		st->statements[i].stmt = *q;
	}
	return rc;
}

void state_finish(struct state *st, sqlite3_stmt *q)
{
	size_t i;

	for (i = 0; i < STATE_STATEMENTS; i++)
		if (st->statements[i].stmt == q) {
			sqlite3_reset(q);
			sqlite3_clear_bindings(q);
			return;
		}
	sqlite3_finalize(q); /* the table was full: prepared for this use only */
}

void state_close(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STATE_STATEMENTS; i++)
		sqlite3_finalize(st->statements[i].stmt);
	sqlite3_close(st->db);
	free(st);
}

const char *state_home(const struct state *st)
{
	return st->home;
}

int state_get(struct state *st, const char *key, unsigned char *buf, size_t cap,
              size_t *len, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0, rc;

	if (state_prepare(st, "SELECT value FROM settings WHERE key = ?", &q) != SQLITE_OK)
		return state_db_error(st, err, "read a setting");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "the setting %s is not set", key);
	} else if (rc != SQLITE_ROW) {
		r = state_db_error(st, err, "read a setting");
	} else {
		*len = (size_t)sqlite3_column_bytes(q, 0);
		if (*len > cap)
			r = plm_error_set(err, PLM_ERR_CORRUPT, "the setting %s is damaged", key);
		else if (*len > 0)
			memcpy(buf, sqlite3_column_blob(q, 0), *len);
	}
	state_finish(st, q);
	return r;
}

int state_set(struct state *st, const char *key, const void *value, size_t len,
              plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (state_prepare(st, "INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)", &q) != SQLITE_OK)
		return state_db_error(st, err, "store a setting");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, len ? value : "", (int)len, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "store a setting");
	state_finish(st, q);
	return r;
}

int state_get_str(struct state *st, const char *key, char *buf, size_t cap,
                  plm_error *err)
{
	size_t len = 0;
	int r;

	if (cap == 0)
		return plm_error_set(err, PLM_ERR_INVALID, "no room for a setting");
	if ((r = state_get(st, key, (unsigned char *)buf, cap - 1, &len, err)) != 0)
		return r;
	buf[len] = '\0';
	return 0;
}

int state_set_str(struct state *st, const char *key, const char *value, plm_error *err)
{
	return state_set(st, key, value, strlen(value), err);
}

void state_path(const struct state *st, const char *sub,
                const unsigned char id[PLM_HASH_BYTES], char *out, size_t cap)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, id, PLM_HASH_BYTES);
	snprintf(out, cap, "%s/%s/%s", st->home, sub, hex);
}

int state_exec(struct state *st, const char *sql, plm_error *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return state_db_error(st, err, "update");
	return 0;
}

int state_begin(struct state *st, plm_error *err)
{
	return state_exec(st, "BEGIN IMMEDIATE", err);
}

int state_commit(struct state *st, plm_error *err)
{
	return state_exec(st, "COMMIT", err);
}

void state_rollback(struct state *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}
