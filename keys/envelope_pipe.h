/*
 * envelope_pipe.h - the output side of plm_envelope_seal (internal to
 * keys/): writes the envelope's bytes in order and feeds the same bytes to
 * the BLAKE2b digest of the trailer (PROTOCOL.md §7.3), either in the
 * calling thread or, pipelined, on a second thread.
 *
 * Pipelined, the caller encrypts and writes frame n+1 while the hashing
 * thread digests frame n: on two cores sealing costs about the larger of
 * the two instead of their sum. The frames pass through a fixed ring of
 * PLM_SEAL_PIPE_SLOTS buffers, so memory stays constant, and the digest
 * covers exactly the bytes written, in the order written: the output is
 * the same bytes whichever way it runs.
 *
 * Use: plm_seal_pipe_slot gives the buffer to fill, plm_seal_pipe_push
 * writes it and hands it to the digest, plm_seal_pipe_finish waits for the
 * digest and returns it, plm_seal_pipe_free releases everything (and stops
 * the thread after a failure).
 */
#ifndef PLM_ENVELOPE_PIPE_H
#define PLM_ENVELOPE_PIPE_H

#include <stddef.h>

#include "keys/crypto.h"
#include "keys/envelope.h"
#include "keys/error.h"

/* Buffers in the ring when pipelined (each a frame: about 64 KiB). */
#define PLM_SEAL_PIPE_SLOTS 4
/* Capacity of one buffer: the largest frame, and more than any header. */
#define PLM_SEAL_PIPE_SLOT_BYTES (PLM_ENVELOPE_FRAME_HEAD_BYTES + PLM_ENVELOPE_FRAME_MAX)

typedef struct plm_seal_pipe plm_seal_pipe;

/*
 * Starts a pipe writing to FD. PIPELINED non-zero starts the hashing
 * thread (if the thread cannot be created, the pipe quietly runs in the
 * calling thread: same bytes, one core). Free with plm_seal_pipe_free.
 * PLM_ERR_NOMEM.
 */
int plm_seal_pipe_new(plm_seal_pipe **out, int fd, int pipelined, plm_error *err);

/*
 * Sets *FRAME to the next buffer to fill (PLM_SEAL_PIPE_SLOT_BYTES),
 * waiting while every buffer is still being hashed. Returns the hashing
 * thread's error if it failed (PLM_ERR_CRYPTO).
 */
int plm_seal_pipe_slot(plm_seal_pipe *p, unsigned char **frame, plm_error *err);

/*
 * Writes the first LEN bytes of the buffer from the last plm_seal_pipe_slot
 * to the output and adds them to the digest. PLM_ERR_IO.
 */
int plm_seal_pipe_push(plm_seal_pipe *p, size_t len, plm_error *err);

/*
 * Waits until everything pushed is hashed, stops the thread and puts the
 * digest (BLAKE2b-256 of every byte pushed) in DIGEST. The pipe takes no
 * more pushes. PLM_ERR_CRYPTO.
 */
int plm_seal_pipe_finish(plm_seal_pipe *p, unsigned char digest[PLM_HASH_BYTES],
                         plm_error *err);

/*
 * Writes LEN bytes of BUF to the output without adding them to the digest:
 * the trailer's digest and signature, after plm_seal_pipe_finish. PLM_ERR_IO.
 */
int plm_seal_pipe_write(plm_seal_pipe *p, const unsigned char *buf, size_t len,
                        plm_error *err);

/* Stops the thread if it still runs (abandoning what it had left) and frees P. */
void plm_seal_pipe_free(plm_seal_pipe *p);

#endif
