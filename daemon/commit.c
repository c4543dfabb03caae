/*
 * commit.c - group commit of small envelopes (commit.h).
 *
 * No thread of its own: the first waiting request that finds no batch
 * being packed becomes the leader, takes the whole queue (up to
 * COMMIT_BATCH_MAX envelopes) and appends it to the pack (one fdatasync).
 * Then it hands the lead over (waking the request at the head of the
 * queue, if any, which packs the next batch meanwhile) and records its
 * batch (one SQLite commit); then it marks its items done and wakes their
 * requests, each on its own condition (no herd). So the pack flush of one
 * batch runs while the commit of the one before it is flushed, and the
 * next batch gathers while both are.
 */
#include "daemon/commit.h"

#include <pthread.h>
#include <stdlib.h>

#include "daemon/reviews.h"
#include "daemon/server.h"

/* At most this many envelopes in one batch (one pack write, one commit). */
#define COMMIT_BATCH_MAX 256

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static struct commit_item *queue_head, **queue_tail = &queue_head;
static int leading; /* a batch is being packed */

/* The leader's batch is packed: the next may be packed meanwhile. */
static void hand_over(void)
{
	pthread_mutex_lock(&queue_lock);
	leading = 0;
	if (queue_head != NULL)
		pthread_cond_signal(&queue_head->wake);
	pthread_mutex_unlock(&queue_lock);
}

/* Sets the result of every item of BATCH to R with the sentence of ERR. */
static void fail_all(struct commit_item **batch, size_t n, int r, const plm_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		batch[i]->result = r;
		batch[i]->err = *err;
	}
}

/*
 * Commits the N items of BATCH: bodies into a pack (one fdatasync), then
 * checked and recorded in one transaction. Called by the leader, which
 * hands the lead over once the pack is written (so pack_append has one
 * caller at a time; transactions take the store's lock in turn).
 */
static void commit_batch(struct server *srv, struct commit_item **batch, size_t n)
{
	const plm_envelope_header **headers = malloc(n * sizeof(*headers));
	struct store_envelope *envs = malloc(n * sizeof(*envs));
	struct pack_item *packed = malloc(n * sizeof(*packed));
	int *results = malloc(n * sizeof(*results));
	plm_error *errs = malloc(n * sizeof(*errs)), err;
	uint64_t pack, bytes = 0;
	size_t i;
	int r;

	if (headers == NULL || envs == NULL || packed == NULL || results == NULL ||
	    errs == NULL) {
		hand_over();
		plm_error_set(&err, PLM_ERR_NOMEM, "out of memory");
		fail_all(batch, n, PLM_ERR_NOMEM, &err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		packed[i].bytes = batch[i]->bytes;
		packed[i].len = batch[i]->len;
	}
	r = pack_append(srv->blobs, packed, n, &pack, &err);
	hand_over();
	if (r != 0) {
		fail_all(batch, n, PLM_ERR_IO, &err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		headers[i] = batch[i]->header;
		envs[i] = batch[i]->env;
		envs[i].pack = pack;
		envs[i].pack_offset = packed[i].offset;
		envs[i].size = batch[i]->len;
	}
	if ((r = reviews_commit_envelopes(srv, headers, envs, results, errs, n,
	                                  &err)) != 0) {
		fail_all(batch, n, r == PLM_ERR_NOMEM ? r : PLM_ERR_IO, &err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		batch[i]->env = envs[i];
		batch[i]->result = results[i];
		batch[i]->err = errs[i];
		if (results[i] == 0)
			bytes += batch[i]->len;
	}
	blobs_count(srv->blobs, bytes);
out:
	free(headers);
	free(envs);
	free(packed);
	free(results);
	free(errs);
}

void commit_envelope(struct server *srv, struct commit_item *item)
{
	struct commit_item *batch[COMMIT_BATCH_MAX];
	size_t n, i;

	item->done = 0;
	item->next = NULL;
	pthread_cond_init(&item->wake, NULL);
	pthread_mutex_lock(&queue_lock);
	*queue_tail = item;
	queue_tail = &item->next;
	while (!item->done) {
		if (leading) {
			pthread_cond_wait(&item->wake, &queue_lock);
			continue;
		}
		/* Lead: take what is queued (this item among it, or a later batch). */
		leading = 1;
		for (n = 0; n < COMMIT_BATCH_MAX && queue_head != NULL; n++) {
			batch[n] = queue_head;
			queue_head = queue_head->next;
		}
		if (queue_head == NULL)
			queue_tail = &queue_head;
		pthread_mutex_unlock(&queue_lock);
		commit_batch(srv, batch, n); /* hands the lead over half way */
		pthread_mutex_lock(&queue_lock);
		for (i = 0; i < n; i++) {
			batch[i]->done = 1;
			if (batch[i] != item)
				pthread_cond_signal(&batch[i]->wake);
		}
	}
	pthread_mutex_unlock(&queue_lock);
	pthread_cond_destroy(&item->wake);
}
