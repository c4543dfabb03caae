/*
 * commit.c - group commit of small envelopes (commit.h).
 *
 * No thread of its own: the first waiting request that finds no batch
 * running becomes the leader, takes the whole queue (up to COMMIT_BATCH_MAX
 * envelopes), commits it without the queue's lock, then marks its items
 * done and wakes their requests, each on its own condition (no herd), and
 * the request at the head of the queue, if any, to lead the next batch.
 * While one batch is being made durable, the next one gathers.
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
static int leading; /* a batch is being committed */

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
 * checked and recorded in one transaction. Called by the leader alone, so
 * pack_append has one caller at a time.
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
		plm_error_set(&err, PLM_ERR_NOMEM, "out of memory");
		fail_all(batch, n, PLM_ERR_NOMEM, &err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		packed[i].bytes = batch[i]->bytes;
		packed[i].len = batch[i]->len;
	}
	if ((r = pack_append(srv->blobs, packed, n, &pack, &err)) != 0) {
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
	if ((r = reviews_commit_envelopes(srv, headers, envs, results, errs, n, &err)) != 0) {
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
		commit_batch(srv, batch, n);
		pthread_mutex_lock(&queue_lock);
		leading = 0;
		for (i = 0; i < n; i++) {
			batch[i]->done = 1;
			if (batch[i] != item)
				pthread_cond_signal(&batch[i]->wake);
		}
		if (queue_head != NULL)
			pthread_cond_signal(&queue_head->wake); /* lead the next batch */
	}
	pthread_mutex_unlock(&queue_lock);
	pthread_cond_destroy(&item->wake);
}
