/*
 * agreement.h - the client's side of agreeing to drafts: the drafts a
 * review holds here (verified envelopes in the local state) handed to the
 * shared rule policies/agreement.c, for `palermo agree` before it signs,
 * for sync when it reads an agreement in the log, and for `palermo status`.
 */
#ifndef PALERMO_AGREEMENT_H
#define PALERMO_AGREEMENT_H

#include <stdint.h>

#include "client/state.h"
#include "policies/agreement.h"

/*
 * The verified envelope of REVIEW that stands last in the log before index
 * BEFORE (INT64_MAX: of all) among those of KIND on CHANNEL, into OUT.
 * PLM_ERR_NOTFOUND when there is none.
 */
int agreement_newest(struct state *st, const char *review, const char *kind,
                     const char *channel, int64_t before, plm_draft *out,
                     plm_error *err);

/*
 * Checks agreement RECORD, at log index SEQ (INT64_MAX: one about to be
 * sent), against REVIEW (the review's verified state at that point) with
 * plm_agreement_check: the document it names must be a verified envelope
 * here, of its kind, and the current draft of that kind on its channel at
 * SEQ. REVIEW is not changed.
 */
int agreement_check(struct state *st, plm_review *review, const plm_policy *policy,
                    const unsigned char root_fpr[PLM_FPR_BYTES],
                    const plm_record *record, int64_t seq, plm_error *err);

#endif
