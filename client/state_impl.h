/*
 * state_impl.h - the inside of struct state, for the client/state*.c files
 * only (state.c opens and owns it; state_sync.c, state_outbox.c ... add
 * the queries of their area).
 */
#ifndef PALERMO_STATE_IMPL_H
#define PALERMO_STATE_IMPL_H

#include <sqlite3.h>

#include "client/state.h"

struct state {
	char home[4096];
	sqlite3 *db;
};

/* Reports the last SQLite error of ST as PLM_ERR_IO "...failed to WHAT". */
int state_db_error(struct state *st, plm_error *err, const char *what);

#endif
