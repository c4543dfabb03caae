/*
 * parties.h - palermod's view of the deployment-wide parties group
 * (PROTOCOL.md §5.12, policies/parties.h) and of what was disclosed to it
 * (§5.6): the group's verified state, rebuilt from the store the first
 * time it is needed, checked and extended under one lock; who may fetch a
 * disclosed envelope. Routes in routes_parties.c (docs/API.md §4.6).
 */
#ifndef PALERMOD_PARTIES_H
#define PALERMOD_PARTIES_H

#include "daemon/server.h"
#include "daemon/store.h"
#include "keys/record.h"

/*
 * Checks RECORD (decoded, signature verified) with plm_parties_apply and
 * every member's certificate in the store, and stores it under review
 * `parties`. *SEQ gets its log index. PLM_ERR_EXISTS for a retry.
 */
int parties_add_record(struct server *srv, const plm_record *record, uint64_t *seq,
                       plm_error *err);

/* 1 if FPR is on the newest parties roster, else 0. */
int parties_is_member(struct server *srv, const unsigned char fpr[PLM_FPR_BYTES]);

/* The parties group's newest epoch with keys, 0 if none. */
uint64_t parties_current_epoch(struct server *srv);

/*
 * 1 if the caller of REQ may fetch envelope ENV although not a member of
 * its review: a disclosure of it exists and the caller is in the parties
 * group or the secretariat, or it was disclosed to the public.
 */
int parties_may_fetch(struct request *req, const struct store_envelope *env);

/* Forgets the cached state (at shutdown). */
void parties_free(void);

#endif
