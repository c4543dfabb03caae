/*
 * local.h - what this client knows and has verified itself, read back from
 * its local state: the pinned root, certificates (checked against the root
 * and revocations), each review's state (policies/review.c replayed over
 * the records stored in log order) and the channel keys sealed to me.
 *
 * Everything here was verified when sync stored it (client/sync.c) and is
 * checked again on the way out where that is cheap (signatures of
 * certificates, the replay of each review's records), so a damaged or
 * doctored state.db fails loudly instead of misleading.
 */
#ifndef PALERMO_LOCAL_H
#define PALERMO_LOCAL_H

#include "client/cli.h"
#include "client/state.h"
#include "keys/record.h"
#include "policies/policy.h"
#include "policies/review.h"

/* The policy this client enforces (loaded once per run; owned by LOCAL). */
int local_policy(struct cli *cli, const plm_policy **out, plm_error *err);

/* The pinned root fingerprint (setting "root") and, once known, its keys. */
int local_root(struct state *st, unsigned char fpr[PLM_FPR_BYTES], plm_pubkeys *keys,
               plm_error *err);

/*
 * The verified certificate of FPR: signed by the pinned root, not revoked,
 * not expired. PLM_ERR_NOTFOUND when unknown here (sync first),
 * PLM_ERR_DENIED when revoked or expired now. *OUT is filled whenever the
 * certificate itself verifies, also with PLM_ERR_DENIED, so that a reader
 * can still judge a document written before the revocation or expiry.
 */
int local_certificate(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                      plm_certificate *out, plm_error *err);
/*
 * The same as it stood at log index SEQ: a revocation that joined the log
 * after SEQ does not count (the root keeps its revocations before its sync
 * reaches them), so what a member signed before being revoked still
 * verifies at its place in the log.
 */
int local_certificate_at(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                         int64_t seq, plm_certificate *out, plm_error *err);
/*
 * The stored certificate record of FPR as it came (for a bundle that
 * carries it, client/cmd_disclose.c): check it with local_certificate
 * first. *OUT: plm_record_free.
 */
int local_certificate_record(struct state *st, const unsigned char fpr[PLM_FPR_BYTES],
                             plm_record **out, plm_error *err);
/* The newest unrevoked certificate of USER_ID, and its fingerprint. */
int local_find_user(struct state *st, const char *user_id, plm_certificate *out,
                    unsigned char fpr[PLM_FPR_BYTES], plm_error *err);
/*
 * Stores a certificate or revocation record that the caller verified
 * (sync does); SEQ is its log index (or -1 if it came another way).
 */
int local_store_deployment_record(struct state *st, const plm_record *record,
                                  int64_t seq, plm_error *err);

/*
 * Rebuilds REVIEW's verified state by replaying its stored records in log
 * order through policies/review.c, up to and including log index UPTO
 * (INT64_MAX: all). Caller frees *OUT with plm_review_free.
 * PLM_ERR_NOTFOUND when this client has no record of the review.
 */
int local_review(struct cli *cli, const char *review, int64_t upto, plm_review **out,
                 plm_error *err);

/*
 * The stored epoch-keys record of EPOCH of REVIEW (verified when it was
 * applied), decoded: caller frees *OUT with plm_record_free.
 * PLM_ERR_NOTFOUND when none is stored.
 */
int local_epoch_keys(struct state *st, const char *review, uint64_t epoch,
                     plm_record **out, plm_error *err);

/*
 * My key of CHANNEL in REVIEW at EPOCH (0: the newest epoch), opened from
 * the verified epoch-keys record with my identity, or for an older epoch
 * not sealed to me from a history grant (client/history.c), and checked
 * against the epoch's commitment. *KEY is plm_secret_alloc memory (plm_secret_free).
 * PLM_ERR_NOTFOUND when I hold no key of that epoch (not a member then).
 */
int local_channel_key(struct cli *cli, const char *review, const char *channel,
                      uint64_t epoch, unsigned char **key, uint64_t *epoch_out,
                      plm_error *err);

/* Frees what local_* cached in CLI (called by cli_close). */
void local_free(struct cli *cli);

#endif
