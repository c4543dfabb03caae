/*
 * sig_ahead.h - envelope signatures checked ahead on the second core, for
 * the sync (client/sync_batch.c) and the listing (client/reader.c).
 *
 * A thread reads the envelopes a command is about to check, in the order
 * it will check them, each through a key-less plm_envelope_reader of its
 * own whose author keys are public keys this run already certified
 * (sig_ahead_author), and keeps every signature that verified. The
 * command still reads and checks every envelope itself, in its order, with
 * all its checks; what it takes from here is only the fact that this
 * signature of this digest under this key is valid
 * (plm_envelope_reader_known): bytes altered since are caught by the digest
 * the command computes itself, and the author's key is still the one its
 * own header callback decides.
 */
#ifndef PALERMO_SIG_AHEAD_H
#define PALERMO_SIG_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/envelope.h"

struct state;

/* AUTHOR's public keys, certified in this run: signatures under them may be checked ahead. */
void sig_ahead_author(const plm_pubkeys *author);

/* Changes whenever sig_ahead_author learns a new author. */
unsigned sig_ahead_generation(void);

/*
 * Checks the envelope BYTES (LEN) as a key-less reader would, with the
 * author's keys from sig_ahead_author; 0 and *OUT when its signature
 * verified, else nonzero (author not certified yet, malformed, invalid:
 * the command will find out itself; PLM_ERR_NOTFOUND for an author not
 * certified yet). Any thread.
 */
int sig_ahead_check(const unsigned char *bytes, size_t len, plm_envelope_signature *out);

/*
 * The cached copies of REVIEW's verified documents, read in log order by a
 * thread with a connection of its own to ST's database, their signatures
 * checked ahead of a listing. NULL when it cannot start (the listing
 * simply checks everything itself).
 */
struct cache_ahead;
struct cache_ahead *cache_ahead_start(struct state *st, const char *review);
/*
 * The signature of the cached copy of document ID, at log index SEQ,
 * checked ahead, or NULL (not reached yet, or not checked: the thread then
 * leaves it and those before). Valid until the next call. Call in log
 * order.
 */
const plm_envelope_signature *cache_ahead_known(struct cache_ahead *a, int64_t seq,
                                                const unsigned char id[PLM_HASH_BYTES]);
/* Stops and joins the thread and frees A (NULL: nothing). */
void cache_ahead_stop(struct cache_ahead *a);

#endif
