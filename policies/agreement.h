/*
 * agreement.h - agreeing to drafts (PROTOCOL.md §5.7, REVIEW-MECHANISM.md
 * para 39): which document an agreement may name, and when a draft is
 * final. The daemon (before it stores an agreement) and every client (when
 * it sends one, and when it reads one in the log) run this same code.
 *
 * Drafts are the envelopes of a kind that has agreed_by in the policy
 * (observations_draft, summary_draft). Of the drafts of one kind on one
 * channel of one review, the newest in log order is the current one; every
 * older one is stale (superseded). An agreement may name only a current
 * draft at the point of the log where it joins, so a newer draft starts
 * agreement afresh; and only one its signer can read. A current draft is
 * final when a focal point of every State that must agree
 * (plm_agreement_tally) has agreed to its id, which can happen only on a
 * channel that all of them read (plm_agreement_channel).
 */
#ifndef PLM_AGREEMENT_H
#define PLM_AGREEMENT_H

#include <stdint.h>

#include "keys/record.h"
#include "policies/policy.h"
#include "policies/review.h"

/* An envelope of a review as the caller's store holds it (accepted ones only). */
typedef struct plm_draft {
	unsigned char id[PLM_HASH_BYTES]; /* the envelope id (§7.3) */
	char review[PLM_RECORD_ID_MAX + 1];
	char kind[PLM_RECORD_NAME_MAX + 1];
	char channel[PLM_RECORD_NAME_MAX + 1];
	uint64_t seq; /* its index in the log */
} plm_draft;

/*
 * May agreement RECORD (decoded, its signature verified) join REVIEW?
 * DOCUMENT is the accepted envelope whose id the record names, NULL when
 * there is none; NEWEST the accepted envelope of the same review, of
 * DOCUMENT's kind and on DOCUMENT's channel, that stands last in the log
 * before the agreement (NULL when there is none). Checks, in this order: the document
 * is an envelope of the record's review (PLM_ERR_NOTFOUND); its kind is the record's
 * (PLM_ERR_MISMATCH); the signer may agree to that kind for the State
 * named, in the current stage (plm_review_apply: PLM_ERR_POLICY); the
 * signer may read the draft's channel, for nobody agrees to what they
 * cannot read (PLM_ERR_POLICY); and the document is the current draft of
 * its kind (PLM_ERR_POLICY, naming the newer draft). REVIEW is not changed.
 */
int plm_agreement_check(plm_review *review, const plm_policy *policy,
                        const unsigned char root_fpr[PLM_FPR_BYTES],
                        const plm_record *record, const plm_draft *document,
                        const plm_draft *newest, plm_error *err);

/*
 * 1 if KIND is agreed to, may go on CHANNEL, and every (role, side) pair of
 * kinds.KIND.agreed_by may read CHANNEL, so that a draft of KIND there can
 * become final; else 0.
 */
int plm_agreement_channel(const plm_policy *policy, const char *kind,
                          const char *channel);

#define PLM_AGREEMENT_PARTIES_MAX                                                      \
	(1 + PLM_ROSTER_INSTRUMENTS_MAX * PLM_ROSTER_REVIEWING_MAX)

/* Where the agreement to one draft stands. */
typedef struct plm_agreement_tally {
	unsigned char document[PLM_HASH_BYTES]; /* the draft counted */
	size_t n_parties;
	struct plm_agreement_party {
		char state[PLM_RECORD_STATE_MAX + 1];
		int agreed;                          /* 1 once an agreement counted */
		unsigned char signer[PLM_FPR_BYTES]; /* who agreed first, if agreed */
		uint64_t at;                         /* that agreement's created_at */
	} parties[PLM_AGREEMENT_PARTIES_MAX];
} plm_agreement_tally;

/*
 * Starts counting agreements to DOCUMENT, a draft of KIND, in the review
 * of ROSTER (the newest): the States that must agree are the State under
 * review if kinds.KIND.agreed_by names the side sur, and each reviewing
 * State (once, in roster order) if it names the side reviewer.
 * PLM_ERR_POLICY for a kind that is not agreed to.
 */
int plm_agreement_tally_init(plm_agreement_tally *tally, const plm_policy *policy,
                             const plm_roster *roster, const char *kind,
                             const unsigned char document[PLM_HASH_BYTES],
                             plm_error *err);

/*
 * Counts accepted agreement RECORD if it names the tally's draft (others
 * are passed over). Returns 1 if it counted, else 0.
 */
int plm_agreement_tally_add(plm_agreement_tally *tally, const plm_record *record);

/* 1 when every State that must agree has agreed: the draft is final. */
int plm_agreement_tally_final(const plm_agreement_tally *tally);

#endif
