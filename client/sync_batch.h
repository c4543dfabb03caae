/*
 * sync_batch.h - the envelopes of a review fetched many at a time, each
 * with its inclusion proof (GET /v1/reviews/{review}/bodies, PROTOCOL.md
 * §6.8), for client/sync.c.
 *
 * Nothing in a batch is trusted: the entries only stand in for GET
 * /v1/envelopes/{id} and GET /v1/log/inclusion, and the sync checks each
 * envelope and each proof exactly as it checks those answers. A batch that
 * does not parse, or whose entries do not go forward in log order inside
 * what was asked, is refused as a malformed answer (the sync stops, as for
 * a malformed listing).
 */
#ifndef PALERMO_SYNC_BATCH_H
#define PALERMO_SYNC_BATCH_H

#include <stdint.h>

#include "keys/crypto.h"
#include "keys/envelope.h"
#include "keys/merkle.h"
#include "keys/treehead.h"

struct state;
struct transport;

/* How many envelopes the client asks for at once. */
#define SYNC_BATCH_LIMIT 256

/* One entry of a batch: what the server says is at log index SEQ. */
struct batch_entry {
	int64_t seq;
	unsigned char id[32];
	plm_merkle_proof proof;    /* of leaf SEQ in the run's head */
	int has_bytes;             /* 0: too large, fetch it alone */
	uint64_t size;
	const unsigned char *bytes; /* SIZE bytes when HAS_BYTES (owned by the batch) */
};

struct sync_batch;

/*
 * The batch holder of one review for one run, with a connection of its own
 * to the server of ST (signing as ME) on which it asks for the next batch
 * while the sync checks the current one. NULL on out of memory.
 */
struct sync_batch *sync_batch_new(struct state *st, const plm_identity *me);
void sync_batch_free(struct sync_batch *b);

/* 1 if the batch in hand reaches log index SEQ (no request needed for it). */
int sync_batch_covers(const struct sync_batch *b, int64_t seq);

/*
 * The entry for envelope ID, listed at log index SEQ of REVIEW: looked up
 * in the batch in hand when it reaches SEQ, else in a new batch asked for
 * after AFTER (the review's cursor) at HEAD's size. *ENTRY is NULL when the
 * server's batch has no entry for ID (the caller fetches it alone); it
 * stays valid until the next call. PLM_ERR_FORMAT for a malformed batch;
 * transport errors pass on.
 */
int sync_batch_find(struct sync_batch *b, struct transport *net, const char *review,
                    int64_t after, int64_t seq, const unsigned char id[32],
                    const plm_tree_head *head, const struct batch_entry **entry,
                    plm_error *err);

/* Signatures checked ahead on the second core: see client/sig_ahead.h. */
/*
 * The signature of ENTRY (of B's batch in hand) checked ahead, or NULL
 * when the thread has not reached it, is on it or could not check it (the
 * caller verifies it itself, and the thread then leaves it).
 */
const plm_envelope_signature *sync_batch_known(struct sync_batch *b,
                                               const struct batch_entry *entry);

#endif
