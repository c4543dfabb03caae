/*
 * envelope_pipe.h - a ring of frame buffers between two threads, for the
 * envelope code of keys/ (internal): one thread fills frames in order, a
 * second consumes them in the same order, at most PLM_FRAME_RING_SLOTS in
 * flight (about 1 MiB), so memory stays constant whatever the document's
 * size. A buffer may hold several frames, handed over together.
 *
 *  - Sealing (envelope.c): the caller encrypts and writes frames while
 *    the ring's thread hashes the ones before for the trailer's digest.
 *  - Opening (envelope_read.c): the caller reads, parses and hashes frames
 *    while the ring's thread decrypts and writes the ones before.
 *  - Uploads (daemon/body_digest.c): palermod's request thread copies a
 *    large body into the ring while the ring's thread hashes it for its
 *    Content-Digest (the "frames" are then plain buffers of body).
 *
 * On two cores that costs about the larger of the two halves instead of
 * their sum; the bytes produced are the same as in one thread, because the
 * consumer sees exactly the frames pushed, in the order pushed. Without a
 * thread (one core, small documents, or a thread that could not start) the
 * ring has one slot and plm_frame_ring_push consumes inline.
 *
 * Use: plm_frame_ring_slot gives the buffer to fill, plm_frame_ring_push
 * hands it over, plm_frame_ring_finish waits until everything pushed is
 * consumed, plm_frame_ring_free releases it all (stopping the thread,
 * unconsumed frames abandoned, after a failure).
 */
#ifndef PLM_ENVELOPE_PIPE_H
#define PLM_ENVELOPE_PIPE_H

#include <stddef.h>

#include "keys/envelope.h"
#include "keys/error.h"

/* Buffers in the ring when threaded. */
#define PLM_FRAME_RING_SLOTS 4
/* Largest frames one buffer holds: fewer hand-overs between the threads. */
#define PLM_FRAME_RING_BATCH 4
/* Capacity of one buffer (about 256 KiB): a batch of the largest frames. */
#define PLM_FRAME_RING_SLOT_BYTES                                                      \
	(PLM_FRAME_RING_BATCH *                                                        \
	 (PLM_ENVELOPE_FRAME_HEAD_BYTES + PLM_ENVELOPE_FRAME_MAX))

/*
 * Consumes one frame (LEN bytes of FRAME, valid only during the call).
 * Returns 0 or a PLM_ERR_* after filling ERR; the first error stops the
 * ring and is returned by the next plm_frame_ring_slot or _finish.
 */
typedef int (*plm_frame_consume_fn)(void *ctx, const unsigned char *frame, size_t len,
                                    plm_error *err);

typedef struct plm_frame_ring plm_frame_ring;

/* Smallest content that PLM_ENVELOPE_AUTO pipelines: 4 chunks. */
#define PLM_FRAME_RING_MIN_BYTES (4 * (uint64_t)PLM_ENVELOPE_CHUNK_BYTES)

/*
 * Whether a document of SIZE content bytes in MODE runs on two threads:
 * asked, or left to AUTO with at least two cores and enough content to pay
 * for starting a thread.
 */
int plm_frame_ring_wanted(plm_envelope_mode mode, uint64_t size);

/*
 * Starts a ring whose frames go to CONSUME (with CTX). THREADED non-zero
 * starts the consuming thread (if it cannot be created the ring quietly
 * consumes inline: same result, one core). Free with plm_frame_ring_free.
 * PLM_ERR_NOMEM.
 */
int plm_frame_ring_new(plm_frame_ring **out, int threaded, plm_frame_consume_fn consume,
                       void *ctx, plm_error *err);

/* 1 when the ring runs a consuming thread. */
int plm_frame_ring_threaded(const plm_frame_ring *ring);

/*
 * Sets *FRAME to the next buffer to fill (PLM_FRAME_RING_SLOT_BYTES),
 * waiting while all are in flight. Returns the consumer's error if it
 * failed.
 */
int plm_frame_ring_slot(plm_frame_ring *ring, unsigned char **frame, plm_error *err);

/*
 * Hands the first LEN bytes of the buffer from the last plm_frame_ring_slot
 * to the consumer (inline without a thread: then its error is returned).
 */
int plm_frame_ring_push(plm_frame_ring *ring, size_t len, plm_error *err);

/*
 * The ring as a byte stream: copies LEN bytes of DATA into its buffers and
 * hands each one over when full (the consumer then sees whole buffers of
 * PLM_FRAME_RING_SLOT_BYTES, not frames); plm_frame_ring_finish hands over
 * the last, partial one. Not to be mixed with _slot and _push. Returns the
 * consumer's error if it failed.
 */
int plm_frame_ring_write(plm_frame_ring *ring, const void *data, size_t len,
                         plm_error *err);

/*
 * Waits until every frame pushed is consumed and stops the thread; returns
 * 0 or the consumer's first error. The ring takes no more frames.
 */
int plm_frame_ring_finish(plm_frame_ring *ring, plm_error *err);

/* Stops the thread if it still runs (abandoning what it had left) and frees RING. */
void plm_frame_ring_free(plm_frame_ring *ring);

#endif
