/*
 * envelope_pipe.c - writing and hashing a sealed envelope, in one thread or
 * pipelined on two (see envelope_pipe.h).
 *
 * The ring: slot i % n belongs to the sealing thread from plm_seal_pipe_slot
 * until plm_seal_pipe_push has written it and counted it in WRITTEN, then
 * to the hashing thread until it is counted in HASHED. WRITTEN - HASHED is
 * never more than N, so at most N frames are in flight. The counters, the
 * flags and STATUS are guarded by LOCK.
 */
#include "keys/envelope_pipe.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct plm_seal_pipe {
	int fd;
	crypto_generichash_state digest;
	unsigned char *slot[PLM_SEAL_PIPE_SLOTS];
	size_t len[PLM_SEAL_PIPE_SLOTS];
	size_t n;        /* slots in use: 1 in one thread, else PLM_SEAL_PIPE_SLOTS */
	int threaded;    /* the hashing thread runs */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled; /* the hashing thread waits for a frame */
	pthread_cond_t freed;  /* the sealing thread waits for a slot */
	uint64_t written;      /* frames written and handed over */
	uint64_t hashed;       /* frames hashed, slots free again */
	int closing;           /* no more frames: hash what is left and stop */
	int aborting;          /* stop now, leave the rest */
	int status;            /* the hashing thread's error, 0 if none */
	plm_error thread_err;
};

/* Adds LEN bytes of FRAME to the digest (PROTOCOL.md §7.3). */
static int digest_add(plm_seal_pipe *p, const unsigned char *frame, size_t len,
                      plm_error *err)
{
	if (crypto_generichash_update(&p->digest, frame, len) != 0)
		return plm_error_set(err, PLM_ERR_CRYPTO,
		                     "hashing the envelope for its signature failed");
	return 0;
}

/*
 * The hashing thread: digests the frames in the order they were written,
 * frees each slot, and stops when the pipe is closing and drained, when it
 * is aborted, or at its first error (kept in STATUS for the sealing thread).
 */
static void *hash_thread(void *arg)
{
	plm_seal_pipe *p = arg;
	size_t i;
	int r;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->hashed == p->written && !p->closing && !p->aborting)
			pthread_cond_wait(&p->filled, &p->lock);
		if (p->aborting || p->hashed == p->written)
			break;
		i = (size_t)(p->hashed % p->n);
		pthread_mutex_unlock(&p->lock);
		r = digest_add(p, p->slot[i], p->len[i], &p->thread_err);
		pthread_mutex_lock(&p->lock);
		if (r != 0) {
			p->status = r;
			pthread_cond_signal(&p->freed);
			break;
		}
		p->hashed++;
		pthread_cond_signal(&p->freed);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int plm_seal_pipe_new(plm_seal_pipe **out, int fd, int pipelined, plm_error *err)
{
	plm_seal_pipe *p;
	size_t i;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto nomem;
	p->fd = fd;
	p->n = pipelined ? PLM_SEAL_PIPE_SLOTS : 1;
	for (i = 0; i < p->n; i++)
		if ((p->slot[i] = malloc(PLM_SEAL_PIPE_SLOT_BYTES)) == NULL)
			goto nomem;
	crypto_generichash_init(&p->digest, NULL, 0, PLM_HASH_BYTES);
	if (pipelined) {
		if (pthread_mutex_init(&p->lock, NULL) != 0)
			goto nomem;
		if (pthread_cond_init(&p->filled, NULL) != 0) {
			pthread_mutex_destroy(&p->lock);
			goto nomem;
		}
		if (pthread_cond_init(&p->freed, NULL) != 0) {
			pthread_cond_destroy(&p->filled);
			pthread_mutex_destroy(&p->lock);
			goto nomem;
		}
		p->threaded = pthread_create(&p->thread, NULL, hash_thread, p) == 0;
		if (!p->threaded) {
			/* No thread: the same bytes from one thread. */
			pthread_cond_destroy(&p->freed);
			pthread_cond_destroy(&p->filled);
			pthread_mutex_destroy(&p->lock);
		}
	}
	*out = p;
	return 0;
nomem:
	plm_seal_pipe_free(p);
	return plm_error_set(err, PLM_ERR_NOMEM, "out of memory while sealing a document");
}

int plm_seal_pipe_slot(plm_seal_pipe *p, unsigned char **frame, plm_error *err)
{
	int r = 0;

	if (p->threaded) {
		pthread_mutex_lock(&p->lock);
		while (p->written - p->hashed == p->n && p->status == 0)
			pthread_cond_wait(&p->freed, &p->lock);
		if ((r = p->status) != 0 && err != NULL)
			*err = p->thread_err;
		pthread_mutex_unlock(&p->lock);
	}
	*frame = r == 0 ? p->slot[p->written % p->n] : NULL;
	return r;
}

int plm_seal_pipe_write(plm_seal_pipe *p, const unsigned char *buf, size_t len,
                        plm_error *err)
{
	ssize_t k;
	size_t done = 0;

	while (done < len) {
		k = write(p->fd, buf + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return plm_error_set(err, PLM_ERR_IO,
			                     "writing the envelope failed: %s",
			                     strerror(errno));
		done += (size_t)k;
	}
	return 0;
}

int plm_seal_pipe_push(plm_seal_pipe *p, size_t len, plm_error *err)
{
	size_t i = (size_t)(p->written % p->n);
	int r;

	if ((r = plm_seal_pipe_write(p, p->slot[i], len, err)) != 0)
		return r;
	if (!p->threaded) {
		if ((r = digest_add(p, p->slot[i], len, err)) != 0)
			return r;
		p->written++;
		return 0;
	}
	pthread_mutex_lock(&p->lock);
	p->len[i] = len;
	p->written++;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int plm_seal_pipe_finish(plm_seal_pipe *p, unsigned char digest[PLM_HASH_BYTES],
                         plm_error *err)
{
	int r = 0;

	if (p->threaded) {
		pthread_mutex_lock(&p->lock);
		p->closing = 1;
		pthread_cond_signal(&p->filled);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
		p->threaded = 0;
		pthread_cond_destroy(&p->freed);
		pthread_cond_destroy(&p->filled);
		pthread_mutex_destroy(&p->lock);
		if ((r = p->status) != 0) {
			if (err != NULL)
				*err = p->thread_err;
			return r;
		}
	}
	crypto_generichash_final(&p->digest, digest, PLM_HASH_BYTES);
	return 0;
}

void plm_seal_pipe_free(plm_seal_pipe *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->threaded) {
		pthread_mutex_lock(&p->lock);
		p->aborting = 1;
		pthread_cond_signal(&p->filled);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
		pthread_cond_destroy(&p->freed);
		pthread_cond_destroy(&p->filled);
		pthread_mutex_destroy(&p->lock);
	}
	for (i = 0; i < PLM_SEAL_PIPE_SLOTS; i++)
		free(p->slot[i]);
	sodium_memzero(&p->digest, sizeof(p->digest));
	free(p);
}
