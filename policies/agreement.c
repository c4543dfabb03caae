/* agreement.c - which draft an agreement may name, and finality (see agreement.h). */
#include "policies/agreement.h"

#include <stdio.h>
#include <string.h>

#include "policies/policy_impl.h"

int plm_agreement_check(plm_review *review, const plm_policy *policy,
                        const unsigned char root_fpr[PLM_FPR_BYTES],
                        const plm_record *record, const plm_draft *document,
                        const plm_draft *newest, plm_error *err)
{
	const plm_agreement *a = &record->body.agreement;
	char named[2 * PLM_HASH_BYTES + 1], newer[2 * PLM_HASH_BYTES + 1];
	char path[sizeof("channels..audience") + PLM_RECORD_NAME_MAX];
	const plm_roster_member *m;
	enum plm_policy_side side;
	int r;

	if (record->type != PLM_RECORD_AGREEMENT)
		return plm_error_set(err, PLM_ERR_TYPE, "not an agreement");
	plm_hex(named, a->document, PLM_HASH_BYTES);
	if (document == NULL || strcmp(document->review, a->review_id) != 0 ||
	    memcmp(document->id, a->document, PLM_HASH_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "the draft this agreement names (%.12s) is not a "
		                     "document of review %s",
		                     named, a->review_id);
	if (strcmp(document->kind, a->kind) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the agreement names a %s, but document %.12s is a %s", a->kind,
		    named, document->kind);
	/* Who may agree to what, when: the state machine's rule (review.c). */
	if ((r = plm_review_apply(review, policy, root_fpr, record, err)) != 0)
		return r;
	/* Nobody agrees to a draft they cannot read. */
	if ((r = plm_review_member(review, record->signer, &m, &side, err)) != 0)
		return r;
	if (plm_policy_may_read(policy, m->role, side, document->channel, NULL) != 0) {
		snprintf(path, sizeof(path), "channels.%s.audience", document->channel);
		return plm_policy_refuse(err, path, NULL,
		                         "%s cannot read draft %.12s (channel %s), so "
		                         "they cannot agree to it; the draft must be "
		                         "written where they can read it",
		                         m->user_id, named, document->channel);
	}
	/* PROTOCOL.md §5.7: only the current draft of its kind on its channel. */
	if (newest != NULL && newest->seq > document->seq &&
	    strcmp(newest->kind, document->kind) == 0 &&
	    strcmp(newest->channel, document->channel) == 0 &&
	    memcmp(newest->id, document->id, PLM_HASH_BYTES) != 0) {
		plm_hex(newer, newest->id, PLM_HASH_BYTES);
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "draft %.12s is stale: a newer %s (%.12s) on the "
		    "channel %s superseded it, and agreement starts afresh "
		    "on the newest draft; read %.12s and agree to it "
		    "instead",
		    named, document->kind, newer, document->channel, newer);
	}
	return 0;
}

int plm_agreement_channel(const plm_policy *policy, const char *kind,
                          const char *channel)
{
	int ki = plm_policy_find(policy, PLM_POLICY_KINDS, kind);
	int ci = plm_policy_find(policy, PLM_POLICY_CHANNELS, channel);
	const struct plm_policy_kind *k;
	size_t role;
	int side;

	if (ki < 0 || ci < 0 || !(k = &policy->kinds[ki])->needs_agreement ||
	    !(k->channels & (1u << ci)))
		return 0;
	for (side = PLM_SIDE_SUR; side <= PLM_SIDE_SECRETARIAT; side++)
		for (role = 0; role < policy->n_roles; role++)
			if (plm_policy_who_has(&k->agreed_by, role, side) &&
			    plm_policy_may_read(policy, policy->roles[role].head.name,
			                        side, channel, NULL) != 0)
				return 0;
	return 1;
}

int plm_agreement_tally_init(plm_agreement_tally *tally, const plm_policy *policy,
                             const plm_roster *roster, const char *kind,
                             const unsigned char document[PLM_HASH_BYTES],
                             plm_error *err)
{
	const struct plm_policy_kind *k;
	size_t ki = 0, p;
	unsigned i, j;
	int r;

	memset(tally, 0, sizeof(*tally));
	memcpy(tally->document, document, PLM_HASH_BYTES);
	if ((r = plm_policy_lookup(policy, PLM_POLICY_KINDS, kind, &ki, err)) != 0)
		return r;
	k = &policy->kinds[ki];
	if (!k->needs_agreement)
		return plm_policy_refuse(err, "kinds", k->head.source,
		                         "documents of kind '%s' are not agreed to",
		                         kind);
	if (k->agreed_by.roles[PLM_SIDE_SUR - 1] != 0)
		snprintf(tally->parties[tally->n_parties++].state,
		         sizeof(tally->parties[0].state), "%s", roster->sur_state);
	if (k->agreed_by.roles[PLM_SIDE_REVIEWER - 1] == 0)
		return 0;
	for (i = 0; i < roster->n_instruments; i++)
		for (j = 0; j < roster->instruments[i].n_reviewing; j++) {
			const char *state = roster->instruments[i].reviewing[j];
			for (p = 0; p < tally->n_parties; p++)
				if (strcmp(tally->parties[p].state, state) == 0)
					break;
			if (p < tally->n_parties || p >= PLM_AGREEMENT_PARTIES_MAX)
				continue;
			snprintf(tally->parties[tally->n_parties++].state,
			         sizeof(tally->parties[0].state), "%s", state);
		}
	return 0;
}

int plm_agreement_tally_add(plm_agreement_tally *tally, const plm_record *record)
{
	const plm_agreement *a = &record->body.agreement;
	size_t p;

	if (record->type != PLM_RECORD_AGREEMENT ||
	    memcmp(a->document, tally->document, PLM_HASH_BYTES) != 0)
		return 0;
	for (p = 0; p < tally->n_parties; p++) {
		struct plm_agreement_party *party = &tally->parties[p];
		if (strcmp(party->state, a->state) != 0)
			continue;
		if (!party->agreed) {
			party->agreed = 1;
			memcpy(party->signer, record->signer, PLM_FPR_BYTES);
			party->at = a->created_at;
		}
		return 1;
	}
	return 0;
}

int plm_agreement_tally_final(const plm_agreement_tally *tally)
{
	size_t p;

	if (tally->n_parties == 0)
		return 0;
	for (p = 0; p < tally->n_parties; p++)
		if (!tally->parties[p].agreed)
			return 0;
	return 1;
}
