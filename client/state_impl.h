/*
 * state_impl.h - the inside of struct state, for the client/state*.c files
 * only (state.c opens and owns it; state_sync.c, state_outbox.c ... add
 * the queries of their area).
 */
#ifndef PALERMO_STATE_IMPL_H
#define PALERMO_STATE_IMPL_H

#include <sqlite3.h>

#include "client/state.h"

/* Prepared statements kept for the life of the state (state_prepare). */
#define STATE_STATEMENTS 24

struct state {
	char home[4096];
	sqlite3 *db;
	struct {
		const char *sql; /* the literal it was prepared from (by address) */
		sqlite3_stmt *stmt;
	} statements[STATE_STATEMENTS];
};

/*
 * A prepared statement for SQL (a string literal: it is remembered by its
 * address), prepared once and kept until state_close, for the queries a
 * sync or a listing runs once per document. Returns SQLITE_OK and *Q, to
 * be handed back with state_finish (not sqlite3_finalize). Only for a
 * query that is not running already (no recursion through it).
 */
int state_prepare(struct state *st, const char *sql, sqlite3_stmt **q);
/* Resets Q from state_prepare for its next use. */
void state_finish(struct state *st, sqlite3_stmt *q);

/* Reports the last SQLite error of ST as PLM_ERR_IO "...failed to WHAT". */
int state_db_error(struct state *st, plm_error *err, const char *what);

#endif
