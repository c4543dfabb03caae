/*
 * reviews.h - palermod's cache of each review's verified state
 * (policies/review.h), rebuilt from the store in log order the first time a
 * review is touched, then kept current as records are accepted. Checking a
 * new record and storing it happen under one lock, so two records can
 * never both be accepted against the same old state.
 */
#ifndef PALERMOD_REVIEWS_H
#define PALERMOD_REVIEWS_H

#include "daemon/store.h"
#include "keys/envelope.h"
#include "keys/record.h"
#include "policies/review.h"

struct server;

/* Creates/destroys the cache of SRV. */
int reviews_init(struct server *srv, plm_error *err);
void reviews_free(struct server *srv);

/*
 * Checks RECORD (decoded, signature verified) against its review and, if it
 * may join, stores it (and its log leaf) before anyone else can change the
 * review. *SEQ gets its log index. KIND: for a disclosure, the kind of the
 * disclosed envelope (else NULL).
 */
int reviews_add_record(struct server *srv, const plm_record *record,
                       const char *kind, uint64_t *seq, plm_error *err);
/*
 * Checks an envelope header against the current state of its review; with
 * COMMIT, also stores ENV (its blob already in place) under the same lock.
 */
int reviews_check_envelope(struct server *srv, const plm_envelope_header *header,
                           struct store_envelope *commit, plm_error *err);
/*
 * The group commit's step (commit.c): under the same lock, checks each of
 * the N envelopes (HEADERS[i], metadata ENVS[i], bodies already durable)
 * against the current state of its review, then stores those that pass in
 * one transaction (store_add_envelopes). RESULTS[i]: 0 (stored), the
 * refusal (its sentence in ERRS[i]), or PLM_ERR_EXISTS (already stored:
 * envs[i].seq is the stored copy's). Non-zero when the store failed: then
 * none of them was stored.
 */
int reviews_commit_envelopes(struct server *srv, const plm_envelope_header *const *headers,
                             struct store_envelope *envs, int *results, plm_error *errs,
                             size_t n, plm_error *err);
/* Copies the member record of FPR in REVIEW_ID: 0, or PLM_ERR_NOTFOUND. */
int reviews_member(struct server *srv, const char *review_id,
                   const unsigned char fpr[PLM_FPR_BYTES], plm_roster_member *out,
                   enum plm_policy_side *side, char stage[PLM_RECORD_NAME_MAX + 1]);

/*
 * Makes POLICY the daemon's policy (for SIGHUP, daemon/reload.c): under the
 * reviews lock, so that no check runs half under each, and drops the cache
 * of review states so they are rebuilt under it. *OLD receives the policy
 * it replaces, which the caller must keep alive until the threads that may
 * still read it have stopped (routes read srv->policy outside this lock).
 */
void reviews_set_policy(struct server *srv, plm_policy *policy, plm_policy **old);

#endif
