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

struct store {
	sqlite3 *db;
	pthread_mutex_t lock; /* held around every use of db */
	uint64_t log_size;
	uint64_t envelopes;
};

#endif
