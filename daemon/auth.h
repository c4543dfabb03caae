/*
 * auth.h - the replay and rate state of request authentication: a cache of
 * the nonces seen inside the time window, and a token bucket per key.
 * The signature itself is checked with keys/httpsig.h; which certificate a
 * key belongs to, and whether it is revoked, comes from the store.
 *
 * The nonce cache lives in memory. It does not survive a restart, so a
 * request signed before the daemon started is refused as stale: a replay
 * across a restart is impossible too.
 */
#ifndef PALERMOD_AUTH_H
#define PALERMOD_AUTH_H

#include <stdint.h>

#include "keys/crypto.h"

struct auth;

int auth_new(struct auth **out, uint64_t window, uint64_t per_minute,
             uint64_t started_at);
void auth_free(struct auth *a);
/*
 * Records (KEY, NONCE) seen at NOW for a request CREATED at; returns 0 if it
 * is new, -1 if it was seen already inside the window (a replay).
 */
int auth_nonce_fresh(struct auth *a, const unsigned char key[PLM_FPR_BYTES],
                     const char *nonce, uint64_t created, uint64_t now);
/*
 * 1 if CREATED is not after the second the daemon started in: the nonce
 * cache cannot vouch for it (main.c serves only from the next second on).
 */
int auth_before_start(const struct auth *a, uint64_t created);
/* Takes one token from KEY's bucket; -1 when it is empty (rate limited). */
int auth_rate_take(struct auth *a, const unsigned char key[PLM_FPR_BYTES],
                   uint64_t now_ms);

/* Changes the per-key rate limit (SIGHUP); buckets keep their tokens. */
void auth_set_rate(struct auth *a, uint64_t per_minute);

#endif
