/*
 * envelope_pipe.c - the ring of frame buffers between two threads (see
 * envelope_pipe.h).
 *
 * Slot i % n belongs to the filling thread from plm_frame_ring_slot until
 * plm_frame_ring_push counts it in PUSHED, then to the consuming thread
 * until it is counted in CONSUMED. PUSHED - CONSUMED never exceeds N. The
 * counters, the flags and STATUS are guarded by LOCK.
 */
#include "keys/envelope_pipe.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct plm_frame_ring {
	plm_frame_consume_fn consume;
	void *ctx;
	unsigned char *slot[PLM_FRAME_RING_SLOTS];
	size_t len[PLM_FRAME_RING_SLOTS];
	size_t n;     /* slots in use: 1 inline, else PLM_FRAME_RING_SLOTS */
	int threaded; /* the consuming thread runs */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled; /* the consumer waits for a frame */
	pthread_cond_t freed;  /* the filler waits for a slot */
	uint64_t pushed;       /* frames handed over */
	uint64_t consumed;     /* frames consumed, slots free again */
	int closing;           /* no more frames: consume what is left and stop */
	int aborting;          /* stop now, leave the rest */
	int status;            /* the consumer's first error, 0 if none */
	plm_error thread_err;
	unsigned char *write_slot; /* plm_frame_ring_write's buffer being filled */
	size_t write_fill;         /* bytes in it */
};

int plm_frame_ring_wanted(plm_envelope_mode mode, uint64_t size)
{
	if (mode != PLM_ENVELOPE_AUTO)
		return mode == PLM_ENVELOPE_PIPELINED;
	return size >= PLM_FRAME_RING_MIN_BYTES && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/*
 * The consuming thread: takes the frames in the order pushed, frees each
 * slot, and stops when the ring is closing and drained, when it is
 * aborted, or at the consumer's first error (kept in STATUS).
 */
static void *consume_thread(void *arg)
{
	plm_frame_ring *ring = arg;
	size_t i;
	int r;

	pthread_mutex_lock(&ring->lock);
	for (;;) {
		while (ring->consumed == ring->pushed && !ring->closing &&
		       !ring->aborting)
			pthread_cond_wait(&ring->filled, &ring->lock);
		if (ring->aborting || ring->consumed == ring->pushed)
			break;
		i = (size_t)(ring->consumed % ring->n);
		pthread_mutex_unlock(&ring->lock);
		r = ring->consume(ring->ctx, ring->slot[i], ring->len[i],
		                  &ring->thread_err);
		pthread_mutex_lock(&ring->lock);
		if (r != 0) {
			ring->status = r;
			pthread_cond_signal(&ring->freed);
			break;
		}
		ring->consumed++;
		pthread_cond_signal(&ring->freed);
	}
	pthread_mutex_unlock(&ring->lock);
	return NULL;
}

/* Starts the consuming thread; 0 (and one slot only) if it cannot. */
static int thread_start(plm_frame_ring *ring)
{
	if (pthread_mutex_init(&ring->lock, NULL) != 0)
		return 0;
	if (pthread_cond_init(&ring->filled, NULL) != 0)
		goto no_filled;
	if (pthread_cond_init(&ring->freed, NULL) != 0)
		goto no_freed;
	if (pthread_create(&ring->thread, NULL, consume_thread, ring) == 0)
		return 1;
	pthread_cond_destroy(&ring->freed);
no_freed:
	pthread_cond_destroy(&ring->filled);
no_filled:
	pthread_mutex_destroy(&ring->lock);
	return 0;
}

/* Joins the consuming thread (after setting closing or aborting). */
static void thread_stop(plm_frame_ring *ring)
{
	pthread_join(ring->thread, NULL);
	ring->threaded = 0;
	pthread_cond_destroy(&ring->freed);
	pthread_cond_destroy(&ring->filled);
	pthread_mutex_destroy(&ring->lock);
}

int plm_frame_ring_new(plm_frame_ring **out, int threaded, plm_frame_consume_fn consume,
                       void *ctx, plm_error *err)
{
	plm_frame_ring *ring;
	size_t i;

	*out = NULL;
	if ((ring = calloc(1, sizeof(*ring))) == NULL)
		goto nomem;
	ring->consume = consume;
	ring->ctx = ctx;
	ring->n = threaded ? PLM_FRAME_RING_SLOTS : 1;
	for (i = 0; i < ring->n; i++)
		if ((ring->slot[i] = malloc(PLM_FRAME_RING_SLOT_BYTES)) == NULL)
			goto nomem;
	if (threaded)
		ring->threaded = thread_start(ring);
	*out = ring;
	return 0;
nomem:
	plm_frame_ring_free(ring);
	return plm_error_set(err, PLM_ERR_NOMEM,
	                     "out of memory for the buffers of an envelope");
}

int plm_frame_ring_threaded(const plm_frame_ring *ring)
{
	return ring->threaded;
}

int plm_frame_ring_slot(plm_frame_ring *ring, unsigned char **frame, plm_error *err)
{
	int r = 0;

	if (ring->threaded) {
		pthread_mutex_lock(&ring->lock);
		while (ring->pushed - ring->consumed == ring->n && ring->status == 0)
			pthread_cond_wait(&ring->freed, &ring->lock);
		if ((r = ring->status) != 0 && err != NULL)
			*err = ring->thread_err;
		pthread_mutex_unlock(&ring->lock);
	}
	*frame = r == 0 ? ring->slot[ring->pushed % ring->n] : NULL;
	return r;
}

int plm_frame_ring_push(plm_frame_ring *ring, size_t len, plm_error *err)
{
	size_t i = (size_t)(ring->pushed % ring->n);
	int r;

	if (!ring->threaded) {
		if ((r = ring->consume(ring->ctx, ring->slot[i], len, err)) != 0)
			return r;
		ring->pushed++;
		return 0;
	}
	pthread_mutex_lock(&ring->lock);
	ring->len[i] = len;
	ring->pushed++;
	pthread_cond_signal(&ring->filled);
	pthread_mutex_unlock(&ring->lock);
	return 0;
}

int plm_frame_ring_write(plm_frame_ring *ring, const void *data, size_t len,
                         plm_error *err)
{
	const unsigned char *p = data;
	size_t take;
	int r;

	while (len > 0) {
		if (ring->write_slot == NULL &&
		    (r = plm_frame_ring_slot(ring, &ring->write_slot, err)) != 0)
			return r;
		take = PLM_FRAME_RING_SLOT_BYTES - ring->write_fill;
		if (take > len)
			take = len;
		memcpy(ring->write_slot + ring->write_fill, p, take);
		ring->write_fill += take;
		p += take;
		len -= take;
		if (ring->write_fill == PLM_FRAME_RING_SLOT_BYTES) {
			ring->write_slot = NULL;
			ring->write_fill = 0;
			if ((r = plm_frame_ring_push(ring, PLM_FRAME_RING_SLOT_BYTES,
			                             err)) != 0)
				return r;
		}
	}
	return 0;
}

int plm_frame_ring_finish(plm_frame_ring *ring, plm_error *err)
{
	size_t fill = ring->write_fill;
	int r;

	/* The last buffer plm_frame_ring_write began. */
	if (fill > 0) {
		ring->write_slot = NULL;
		ring->write_fill = 0;
		if ((r = plm_frame_ring_push(ring, fill, err)) != 0)
			return r;
	}
	if (!ring->threaded)
		return 0;
	pthread_mutex_lock(&ring->lock);
	ring->closing = 1;
	pthread_cond_signal(&ring->filled);
	pthread_mutex_unlock(&ring->lock);
	thread_stop(ring);
	if (ring->status != 0 && err != NULL)
		*err = ring->thread_err;
	return ring->status;
}

void plm_frame_ring_free(plm_frame_ring *ring)
{
	size_t i;

	if (ring == NULL)
		return;
	if (ring->threaded) {
		pthread_mutex_lock(&ring->lock);
		ring->aborting = 1;
		pthread_cond_signal(&ring->filled);
		pthread_mutex_unlock(&ring->lock);
		thread_stop(ring);
	}
	for (i = 0; i < PLM_FRAME_RING_SLOTS; i++)
		free(ring->slot[i]);
	free(ring);
}
