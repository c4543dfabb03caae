/*
 * body_digest.h - the SHA-256 of a request body for its Content-Digest
 * (PROTOCOL.md §8.2), hashed as the body streams in.
 *
 * A large streamed body (an envelope upload) is hashed on a thread of its
 * own through a ring of buffers (keys/envelope_pipe.h), while the request's
 * thread goes on receiving, verifying the envelope (BLAKE2b) and writing
 * it: on two cores the upload then costs about the larger of the two
 * instead of their sum. Small bodies, one core, or a thread that cannot
 * start: hashed inline, with the same result.
 */
#ifndef PLM_DAEMON_BODY_DIGEST_H
#define PLM_DAEMON_BODY_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "keys/envelope_pipe.h"
#include "keys/httpsig.h"

struct body_digest {
	plm_content_digest_state state;
	plm_frame_ring *ring; /* NULL: hashed inline */
};

/*
 * Starts the digest of a body of about EXPECTED bytes (0 if unknown); a
 * large one gets its hashing thread. Never fails: without memory or a
 * thread, the body is hashed inline.
 */
void body_digest_init(struct body_digest *d, uint64_t expected);
/* Adds LEN bytes of DATA (copied: DATA may go away after the call). */
void body_digest_update(struct body_digest *d, const void *data, size_t len);
/* Waits for the hashing thread and writes the body's SHA-256 into SHA256. */
void body_digest_final(struct body_digest *d, unsigned char sha256[PLM_SHA256_BYTES]);
/* Stops the hashing thread if any (abandoning the digest). D may be unused. */
void body_digest_free(struct body_digest *d);

#endif
