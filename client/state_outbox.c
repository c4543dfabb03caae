/*
 * state_outbox.c - the outbox's rows in the local state (tables outbox and
 * outbox_refused of client/state.c); the files are handled by outbox.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/outbox.h"
#include "client/state_impl.h"

/* The columns every item query reads, in the order row_to_item expects. */
#define ITEM_COLUMNS                                                                   \
	"o.id, o.review, o.channel, o.kind, o.upload_id, o.size, o.queued_at,"         \
	" o.attempts, o.last_error, r.id IS NOT NULL"
#define ITEM_FROM " FROM outbox o LEFT JOIN outbox_refused r ON r.id = o.id"

/* Copies text column COL of Q into OUT (capacity CAP); "" for NULL. */
static void column_text(sqlite3_stmt *q, int col, char *out, size_t cap)
{
	const unsigned char *text = sqlite3_column_text(q, col);

	snprintf(out, cap, "%s", text != NULL ? (const char *)text : "");
}

/* Fills ITEM from the current row of Q; PLM_ERR_CORRUPT for a damaged row. */
static int row_to_item(struct state *st, sqlite3_stmt *q, struct outbox_item *item,
                       plm_error *err)
{
	(void)st;
	memset(item, 0, sizeof(*item));
	if (sqlite3_column_bytes(q, 0) != PLM_HASH_BYTES ||
	    sqlite3_column_bytes(q, 4) != TRANSPORT_UPLOAD_ID_BYTES)
		return plm_error_set(err, PLM_ERR_CORRUPT,
		                     "an outbox entry of the local state is damaged");
	memcpy(item->id, sqlite3_column_blob(q, 0), PLM_HASH_BYTES);
	column_text(q, 1, item->review, sizeof(item->review));
	column_text(q, 2, item->channel, sizeof(item->channel));
	column_text(q, 3, item->kind, sizeof(item->kind));
	memcpy(item->upload_id, sqlite3_column_blob(q, 4), TRANSPORT_UPLOAD_ID_BYTES);
	item->size = (uint64_t)sqlite3_column_int64(q, 5);
	item->queued_at = sqlite3_column_int64(q, 6);
	item->attempts = (unsigned)sqlite3_column_int(q, 7);
	column_text(q, 8, item->last_error, sizeof(item->last_error));
	item->refused = sqlite3_column_int(q, 9);
	return 0;
}

int state_outbox_insert(struct state *st, const struct outbox_item *item,
                        plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0, rc;

	if (sqlite3_prepare_v2(
	        st->db,
	        "INSERT INTO outbox(id, review, channel, kind, upload_id, size,"
	        " queued_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
	        -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "queue an envelope");
	sqlite3_bind_blob(q, 1, item->id, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, item->review, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, item->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, item->kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 5, item->upload_id, TRANSPORT_UPLOAD_ID_BYTES,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)item->size);
	sqlite3_bind_int64(q, 7, item->queued_at);
	rc = sqlite3_step(q);
	if (rc == SQLITE_CONSTRAINT)
		r = plm_error_set(err, PLM_ERR_EXISTS,
		                  "this envelope is already in the outbox");
	else if (rc != SQLITE_DONE)
		r = state_db_error(st, err, "queue an envelope");
	sqlite3_finalize(q);
	return r;
}

/*
 * Runs the item query SQL whose one parameter is the id BLOB or the hex
 * prefix TEXT; its first row into OUT (MISSING is the sentence when there
 * is none). With TEXT, a second row means the prefix is ambiguous.
 */
static int item_query(struct state *st, const char *sql, const void *blob,
                      const char *text, struct outbox_item *out, const char *missing,
                      plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r, rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read the outbox");
	if (blob != NULL)
		sqlite3_bind_blob(q, 1, blob, PLM_HASH_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "%s", missing);
	else if (rc != SQLITE_ROW)
		r = state_db_error(st, err, "read the outbox");
	else if ((r = row_to_item(st, q, out, err)) == 0 && text != NULL &&
	         sqlite3_step(q) == SQLITE_ROW)
		r = plm_error_set(
		    err, PLM_ERR_INVALID,
		    "several items in the outbox start with %s; give more "
		    "digits of the id",
		    text);
	sqlite3_finalize(q);
	return r;
}

int state_outbox_get(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                     struct outbox_item *out, plm_error *err)
{
	return item_query(st, "SELECT " ITEM_COLUMNS ITEM_FROM " WHERE o.id = ?", id,
	                  NULL, out, "this envelope is not in the outbox", err);
}

int state_outbox_find(struct state *st, const char *hex_prefix, struct outbox_item *out,
                      plm_error *err)
{
	char missing[160];

	snprintf(
	    missing, sizeof(missing),
	    "nothing in the outbox has an id starting with %.64s; `palermo outbox` "
	    "lists what waits",
	    hex_prefix);
	return item_query(
	    st,
	    "SELECT " ITEM_COLUMNS ITEM_FROM
	    " WHERE substr(lower(hex(o.id)), 1, length(?1)) = ?1 ORDER BY o.n"
	    " LIMIT 2",
	    NULL, hex_prefix, out, missing, err);
}

int state_outbox_list(struct state *st, const char *review, struct outbox_item **items,
                      size_t *n, plm_error *err)
{
	struct outbox_item *list = NULL, *grown;
	sqlite3_stmt *q = NULL;
	size_t count = 0, cap = 0;
	int r = 0, rc;

	*items = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db,
	                       "SELECT " ITEM_COLUMNS ITEM_FROM
	                       " WHERE ?1 IS NULL OR o.review = ?1 ORDER BY o.n",
	                       -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, "read the outbox");
	if (review != NULL)
		sqlite3_bind_text(q, 1, review, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? 2 * cap : 8;
			if ((grown = realloc(list, cap * sizeof(*list))) == NULL) {
				r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
				goto out;
			}
			list = grown;
		}
		if ((r = row_to_item(st, q, &list[count], err)) != 0)
			goto out;
		count++;
	}
	if (rc != SQLITE_DONE) {
		r = state_db_error(st, err, "read the outbox");
		goto out;
	}
	*items = list;
	*n = count;
	list = NULL;
out:
	sqlite3_finalize(q);
	free(list);
	return r;
}

/* Savepoints, so that these work inside a caller's transaction too. */
static int savepoint(struct state *st, plm_error *err)
{
	return state_exec(st, "SAVEPOINT outbox", err);
}

static int release(struct state *st, plm_error *err)
{
	return state_exec(st, "RELEASE outbox", err);
}

static void undo(struct state *st)
{
	sqlite3_exec(st->db, "ROLLBACK TO outbox; RELEASE outbox", NULL, NULL, NULL);
}

/* Runs SQL (parameters: ?1 the id, ?2 TEXT if non-NULL, ?3 now); *CHANGES rows. */
static int run_on_id(struct state *st, const char *sql, const unsigned char *id,
                     const char *text, int *changes, const char *what, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return state_db_error(st, err, what);
	sqlite3_bind_blob(q, 1, id, PLM_HASH_BYTES, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(q) >= 3)
		sqlite3_bind_int64(q, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, what);
	else if (changes != NULL)
		*changes = sqlite3_changes(st->db);
	sqlite3_finalize(q);
	return r;
}

int state_outbox_attempt(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                         const char *problem, plm_error *err)
{
	return run_on_id(st,
	                 "UPDATE outbox SET attempts = attempts + 1, last_error = ?2"
	                 " WHERE id = ?1",
	                 id, problem, NULL, "record an upload attempt", err);
}

int state_outbox_refuse(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                        const char *reason, plm_error *err)
{
	int r;

	if ((r = savepoint(st, err)) != 0)
		return r;
	if ((r = state_outbox_attempt(st, id, reason, err)) != 0 ||
	    (r = run_on_id(
	         st,
	         "INSERT OR REPLACE INTO outbox_refused(id, reason, refused_at)"
	         " VALUES(?1, ?2, ?3)",
	         id, reason, NULL, "record a refusal", err)) != 0 ||
	    (r = release(st, err)) != 0) {
		undo(st);
		return r;
	}
	return 0;
}

int state_outbox_unrefuse(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                          plm_error *err)
{
	int changes = 0, r;

	if ((r = run_on_id(st, "DELETE FROM outbox_refused WHERE id = ?1", id, NULL,
	                   &changes, "clear a refusal", err)) != 0)
		return r;
	if (changes == 0)
		return plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "the server has not refused this item; `palermo sync` "
		    "sends it");
	return 0;
}

int state_outbox_delete(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                        plm_error *err)
{
	int changes = 0, r;

	if ((r = savepoint(st, err)) != 0)
		return r;
	if ((r = run_on_id(st, "DELETE FROM outbox_refused WHERE id = ?1", id, NULL,
	                   NULL, "drop an outbox item", err)) != 0 ||
	    (r = run_on_id(st, "DELETE FROM outbox WHERE id = ?1", id, NULL, &changes,
	                   "drop an outbox item", err)) != 0 ||
	    (r = release(st, err)) != 0) {
		undo(st);
		return r;
	}
	if (changes == 0)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "this envelope is not in the outbox");
	return 0;
}
