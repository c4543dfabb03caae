/*
 * state_ahead.c - the cached copies of a review's documents read in log
 * order on a thread of its own, with its own connection to the state's
 * database, their signatures checked ahead of a listing (sig_ahead.h).
 * Only small documents kept in the table "cached" are read ahead; those
 * kept as files are checked by the listing alone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/sig_ahead.h"
#include "client/state_impl.h"
#include "client/sync.h"

struct ahead_result {
	int64_t seq;
	unsigned char id[PLM_HASH_BYTES];
	plm_envelope_signature sig;
};

struct cache_ahead {
	pthread_t thread;
	sqlite3 *db;
	char review[PLM_RECORD_ID_MAX + 1];
	atomic_int stop;
	atomic_llong listed; /* the seq the listing has reached: no use going there */
	pthread_mutex_t lock;
	struct ahead_result *results; /* in log order, under LOCK */
	size_t n, cap, next;          /* NEXT: where the listing's lookups stand */
	plm_envelope_signature taken; /* the last one handed out */
};

/* Keeps the signature of document ID at SEQ. 0, or -1 out of memory. */
static int keep(struct cache_ahead *a, int64_t seq, const unsigned char *id,
                const plm_envelope_signature *sig)
{
	struct ahead_result *p;
	int r = 0;

	pthread_mutex_lock(&a->lock);
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 1024;
		if ((p = realloc(a->results, a->cap * sizeof(*p))) == NULL)
			r = -1;
		else
			a->results = p;
	}
	if (r == 0) {
		a->results[a->n].seq = seq;
		memcpy(a->results[a->n].id, id, PLM_HASH_BYTES);
		a->results[a->n].sig = *sig;
		a->n++;
	}
	pthread_mutex_unlock(&a->lock);
	return r;
}

/*
 * Checks one cached copy, at SEQ: while its author is not certified yet
 * (the listing certifies authors as it goes), waits for that, or for the
 * listing to pass it.
 */
static void check_one(struct cache_ahead *a, int64_t seq, const unsigned char *id,
                      const unsigned char *bytes, size_t len)
{
	const struct timespec pause = {0, 200 * 1000}; /* 0.2 ms */
	plm_envelope_signature sig;
	unsigned gen;
	int r;

	for (;;) {
		if (atomic_load(&a->stop) || seq <= atomic_load(&a->listed))
			return;
		gen = sig_ahead_generation();
		if ((r = sig_ahead_check(bytes, len, &sig)) == 0) {
			if (keep(a, seq, id, &sig) != 0)
				atomic_store(&a->stop, 1);
			return;
		}
		if (r != PLM_ERR_NOTFOUND)
			return; /* the listing will find out what is wrong */
		while (gen == sig_ahead_generation() && !atomic_load(&a->stop) &&
		       seq > atomic_load(&a->listed))
			nanosleep(&pause, NULL);
	}
}

static void *ahead_run(void *arg)
{
	struct cache_ahead *a = arg;
	sqlite3_stmt *q = NULL;

	if (sqlite3_prepare_v2(a->db,
	                       "SELECT e.seq, e.id, c.bytes FROM envelopes e"
	                       " JOIN cached c ON c.id = e.id"
	                       " WHERE e.review = ? AND e.status = ? ORDER BY e.seq",
	                       -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, a->review, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, ENVELOPE_VERIFIED);
	while (!atomic_load(&a->stop) && sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 1) != PLM_HASH_BYTES)
			continue;
		check_one(a, sqlite3_column_int64(q, 0), sqlite3_column_blob(q, 1),
		          sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2));
	}
	sqlite3_finalize(q);
	return NULL;
}

struct cache_ahead *cache_ahead_start(struct state *st, const char *review)
{
	struct cache_ahead *a;
	char path[4200];

	if (strlen(review) > PLM_RECORD_ID_MAX || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	snprintf(a->review, sizeof(a->review), "%s", review);
	atomic_init(&a->stop, 0);
	atomic_init(&a->listed, -1);
	snprintf(path, sizeof(path), "%s/state.db", st->home);
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		sqlite3_close(a->db);
		free(a);
		return NULL;
	}
	sqlite3_busy_timeout(a->db, 10000);
	pthread_mutex_init(&a->lock, NULL);
	if (pthread_create(&a->thread, NULL, ahead_run, a) != 0) {
		pthread_mutex_destroy(&a->lock);
		sqlite3_close(a->db);
		free(a);
		return NULL;
	}
	return a;
}

const plm_envelope_signature *cache_ahead_known(struct cache_ahead *a, int64_t seq,
                                                const unsigned char id[PLM_HASH_BYTES])
{
	const plm_envelope_signature *found = NULL;

	if (a == NULL)
		return NULL;
	atomic_store(&a->listed, seq); /* the thread leaves this one and those before */
	pthread_mutex_lock(&a->lock);
	while (a->next < a->n && a->results[a->next].seq < seq)
		a->next++;
	if (a->next < a->n && a->results[a->next].seq == seq &&
	    memcmp(a->results[a->next].id, id, PLM_HASH_BYTES) == 0) {
		a->taken = a->results[a->next++].sig;
		found = &a->taken;
	}
	pthread_mutex_unlock(&a->lock);
	return found;
}

void cache_ahead_stop(struct cache_ahead *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->stop, 1);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->lock);
	sqlite3_close(a->db);
	free(a->results);
	free(a);
}
