/*
 * store_impl.h - the inside of struct store, for the SQLite backend's files
 * only (store_sqlite.c owns the connection and the schema; store_enroll.c
 * adds the queries of enrollment). Everyone else uses daemon/store.h.
 */
#ifndef PALERMOD_STORE_IMPL_H
#define PALERMOD_STORE_IMPL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "daemon/store.h"

/*
 * Statements prepared once and kept, per connection, for the queries every
 * request or every stored envelope runs (parsing SQL each time cost a
 * sixth of palermod's time per post); keyed by the address of their text.
 */
#define STORE_STMTS_MAX 16
struct store_stmts {
	const char *sql[STORE_STMTS_MAX];
	sqlite3_stmt *st[STORE_STMTS_MAX];
	size_t n;
};

struct store {
	sqlite3 *db;
	struct store_stmts stmts;  /* of db, used under lock */
	struct store_stmts rstmts; /* of rdb, used under rlock */
	pthread_mutex_t lock; /* held around every use of db */
	/*
	 * A second connection for the reads every request makes (certificates,
	 * membership, envelope lookups): in WAL mode it reads the last commit
	 * while the writer holds LOCK across a commit's fsync (commit.c).
	 */
	sqlite3 *rdb;
	pthread_mutex_t rlock; /* held around every use of rdb */
	uint64_t log_size;
	uint64_t envelopes;
};

#endif
