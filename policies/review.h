/*
 * review.h - the state of one review as every party verifies it, and the
 * rules that decide whether a new record or envelope may join it.
 *
 * The daemon and every client run exactly this code over the same sequence
 * (the log's order of acceptance), so they reach the same decisions: the
 * server's checks are a second line, never the only one (DESIGN.md §8).
 * Signatures are the caller's job (it knows the certificates); everything
 * after the signature is decided here: who may sign which record, the
 * roster chain, epoch keys that reach exactly the channel's audience, stage
 * order, who may write which kind where and when.
 */
#ifndef PLM_REVIEW_H
#define PLM_REVIEW_H

#include <stdint.h>

#include "keys/envelope.h"
#include "keys/record.h"
#include "policies/policy.h"

typedef struct plm_review {
	plm_record *roster;     /* newest accepted roster (owned), NULL at first */
	plm_record *epoch_keys; /* epoch keys of that roster (owned), or NULL */
	char stage[PLM_RECORD_NAME_MAX + 1];
	uint64_t stage_seq;     /* sequence of the last transition, 0 = none */
	uint64_t stage_since;   /* when the current stage began (Unix seconds) */
	uint64_t started_at;    /* created_at of the epoch-1 roster */
} plm_review;

/* A review before its first roster, in the policy's first stage. */
int plm_review_new(plm_review **out, const plm_policy *policy, plm_error *err);
void plm_review_free(plm_review *review);

/*
 * The side a member acts for: secretariat for the role "secretariat", the
 * State under review for a member of the SUR's State, a reviewing State
 * for a member of a State that reviews an instrument of this review.
 * PLM_ERR_POLICY for a member who is none of these.
 */
int plm_review_side(const plm_roster *roster, const plm_roster_member *member,
                    enum plm_policy_side *side, plm_error *err);

/*
 * The member FPR of REVIEW's newest roster and their side. PLM_ERR_NOTFOUND
 * ("not a member of this review") when absent or before the first roster.
 */
int plm_review_member(const plm_review *review,
                      const unsigned char fpr[PLM_FPR_BYTES],
                      const plm_roster_member **member,
                      enum plm_policy_side *side, plm_error *err);

/*
 * Decides whether RECORD (decoded, its signature already verified against
 * its signer's certified key) may join REVIEW, and if so applies it:
 * - roster: signed by the root ROOT_FPR; the first has epoch 1, every other
 *   follows the newest (plm_roster_check_successor); made under this
 *   policy (digest); every member's role is a policy role and its side
 *   known. Replaces the roster and forgets the old epoch's keys.
 * - epoch keys: signed by the root, for the newest roster; its channels are
 *   the policy's and each channel is sealed to exactly the members whose
 *   role and side may read it (nobody missing, nobody extra).
 * - stage: signed by a member allowed to advance from the current stage to
 *   the next one, with the next sequence number.
 * - agreement: signed by a member allowed to agree to that kind in the
 *   current stage, for their own State. (Whether the document exists is the
 *   caller's check.)
 * - history grant: signed by the root, issued under the newest roster, to
 *   a member of it, with keys only of earlier epochs (the record's rule)
 *   and of channels that member's role and side may read.
 * - disclosure: use plm_review_check_disclosure, which needs the kind.
 * Errors: PLM_ERR_POLICY with a sentence quoting the rule, PLM_ERR_MISMATCH
 * for chain and sequence breaks, PLM_ERR_TYPE for deployment records.
 */
int plm_review_apply(plm_review *review, const plm_policy *policy,
                     const unsigned char root_fpr[PLM_FPR_BYTES],
                     const plm_record *record, plm_error *err);

/*
 * May the signer of disclosure RECORD disclose a document of KIND in this
 * review (the focal point of the State under review, for the kinds the
 * policy lists under that scope)?
 */
int plm_review_check_disclosure(const plm_review *review, const plm_policy *policy,
                                const plm_record *record, const char *kind,
                                plm_error *err);

/*
 * May HEADER's author add this envelope to REVIEW now? The review id
 * matches, the author is a member of the newest roster, the epoch is the
 * roster's, and the policy lets the author's role and side write that kind
 * on that channel in the current stage. Observers are refused here.
 */
int plm_review_check_envelope(const plm_review *review, const plm_policy *policy,
                              const plm_envelope_header *header, plm_error *err);

#endif
