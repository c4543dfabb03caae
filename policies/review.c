/* review.c - the shared review state machine (see review.h). */
#include "policies/review.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "policies/policy_impl.h"

int plm_review_new(plm_review **out, const plm_policy *policy, plm_error *err)
{
	plm_review *r;
	const char *first;

	*out = NULL;
	first = plm_policy_nth(policy, PLM_POLICY_STAGES, 0);
	if (first == NULL)
		return plm_error_set(err, PLM_ERR_POLICY, "the policy defines no stages");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	snprintf(r->stage, sizeof(r->stage), "%s", first);
	*out = r;
	return 0;
}

void plm_review_free(plm_review *review)
{
	if (review == NULL)
		return;
	plm_record_free(review->roster);
	plm_record_free(review->epoch_keys);
	free(review);
}

int plm_review_side(const plm_roster *roster, const plm_roster_member *member,
                    enum plm_policy_side *side, plm_error *err)
{
	unsigned i, j;

	if (strcmp(member->role, "secretariat") == 0) {
		*side = PLM_SIDE_SECRETARIAT;
		return 0;
	}
	if (strcmp(member->state, roster->sur_state) == 0) {
		*side = PLM_SIDE_SUR;
		return 0;
	}
	for (i = 0; i < roster->n_instruments; i++)
		for (j = 0; j < roster->instruments[i].n_reviewing; j++)
			if (strcmp(member->state, roster->instruments[i].reviewing[j]) == 0) {
				*side = PLM_SIDE_REVIEWER;
				return 0;
			}
	return plm_error_set(err, PLM_ERR_POLICY,
	                     "member %s of %s is neither of the State under review, "
	                     "nor of a reviewing State, nor of the secretariat",
	                     member->user_id, member->state);
}

int plm_review_member(const plm_review *review,
                      const unsigned char fpr[PLM_FPR_BYTES],
                      const plm_roster_member **member,
                      enum plm_policy_side *side, plm_error *err)
{
	*member = NULL;
	if (review->roster == NULL ||
	    (*member = plm_roster_find_member(&review->roster->body.roster, fpr)) == NULL)
		return plm_error_set(err, PLM_ERR_NOTFOUND, "not a member of this review");
	return plm_review_side(&review->roster->body.roster, *member, side, err);
}

/* Keeps a private copy of RECORD (decoded again from its exact bytes). */
static int copy_record(const plm_record *record, plm_record **out, plm_error *err)
{
	return plm_record_decode(record->encoding, record->encoding_len, out, err);
}

static int require_root(const plm_record *record,
                        const unsigned char root_fpr[PLM_FPR_BYTES], plm_error *err)
{
	if (sodium_memcmp(record->signer, root_fpr, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "a %s must be signed by the deployment root, and this "
		                     "one is signed by another key",
		                     plm_record_type_name(record->type));
	return 0;
}

static int apply_roster(plm_review *review, const plm_policy *policy,
                        const plm_record *record, plm_error *err)
{
	const plm_roster *roster = &record->body.roster;
	unsigned char digest[PLM_HASH_BYTES];
	enum plm_policy_side side;
	plm_record *copy = NULL;
	unsigned i;
	int r;

	if (review->roster == NULL) {
		if (roster->epoch != 1)
			return plm_error_set(err, PLM_ERR_MISMATCH,
			                     "the first roster of review %s must have epoch 1, "
			                     "not %llu",
			                     roster->review_id, (unsigned long long)roster->epoch);
	} else if ((r = plm_roster_check_successor(review->roster, record, err)) != 0) {
		return r;
	}
	plm_policy_digest(policy, digest);
	if (memcmp(digest, roster->policy_digest, PLM_HASH_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "roster epoch %llu of review %s was made under another "
		                     "policy than the one in force here; everyone must use "
		                     "the same policy file",
		                     (unsigned long long)roster->epoch, roster->review_id);
	for (i = 0; i < roster->n_members; i++) {
		const plm_roster_member *m = &roster->members[i];
		if (!plm_policy_role_has(policy, m->role, PLM_RIGHT_READ))
			return plm_policy_refuse(err, "roles", NULL,
			                         "member %s has the role '%s', which the "
			                         "policy does not define (or which may not "
			                         "read)",
			                         m->user_id, m->role);
		if ((r = plm_review_side(roster, m, &side, err)) != 0)
			return r;
	}
	if ((r = copy_record(record, &copy, err)) != 0)
		return r;
	plm_record_free(review->roster);
	plm_record_free(review->epoch_keys);
	review->roster = copy;
	review->epoch_keys = NULL;
	if (roster->epoch == 1) {
		review->started_at = roster->created_at;
		if (review->stage_seq == 0)
			review->stage_since = roster->created_at;
	}
	return 0;
}

/* 1 if FPR is among CHANNEL's recipients. */
static int is_recipient(const plm_epoch_channel *channel,
                        const unsigned char fpr[PLM_FPR_BYTES])
{
	uint16_t i;

	for (i = 0; i < channel->n_recipients; i++)
		if (memcmp(channel->recipients[i].fingerprint, fpr, PLM_FPR_BYTES) == 0)
			return 1;
	return 0;
}

/*
 * Refuses epoch keys with PLM_ERR_POLICY: the sentence FMT, then where the
 * audience of CHANNEL (a channel the policy defines) is written.
 */
static int refuse_audience(plm_error *err, const plm_policy *policy, const char *channel,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse_audience(plm_error *err, const plm_policy *policy, const char *channel,
                           const char *fmt, ...)
{
	char path[sizeof("channels..audience") + PLM_RECORD_NAME_MAX];
	char sentence[PLM_ERROR_MESSAGE_MAX];
	int ci = plm_policy_find(policy, PLM_POLICY_CHANNELS, channel);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sentence, sizeof(sentence), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "channels.%s.audience", channel);
	return plm_policy_refuse(err, path, ci >= 0 ? policy->channels[ci].head.source : NULL,
	                         "%s", sentence);
}

/*
 * A refusal unless EPOCH and ROSTER_ID name the newest roster of REVIEW;
 * WHAT (with a %llu for EPOCH) says what was issued under them.
 */
static int refuse_stale_roster(const plm_review *review, uint64_t epoch,
                               const unsigned char *roster_id, const char *what,
                               const char *review_id, plm_error *err)
{
	const plm_roster *roster = &review->roster->body.roster;
	char subject[160];

	if (epoch == roster->epoch && memcmp(roster_id, review->roster->id, PLM_HASH_BYTES) == 0)
		return 0;
	snprintf(subject, sizeof(subject), what, (unsigned long long)epoch);
	return plm_error_set(err, PLM_ERR_MISMATCH,
	                     "%s belong to the newest roster (epoch %llu) of review %s", subject,
	                     (unsigned long long)roster->epoch, review_id);
}

/*
 * Epoch keys (PROTOCOL.md §5.5) for the newest roster, once per epoch, one
 * key for each of the policy's channels and for no other, each sealed to
 * exactly the members whose role and side may read that channel.
 */
static int apply_epoch_keys(plm_review *review, const plm_policy *policy,
                            const plm_record *record, plm_error *err)
{
	const plm_epoch_keys *keys = &record->body.epoch_keys;
	const plm_roster *roster;
	const plm_roster_member *m;
	enum plm_policy_side side;
	plm_record *copy = NULL;
	unsigned c, i;
	int r, may;

	if (review->roster == NULL)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "epoch keys arrived before any roster of review %s",
		                     keys->review_id);
	roster = &review->roster->body.roster;
	if ((r = refuse_stale_roster(review, keys->epoch, keys->roster_id,
	                             "epoch keys for epoch %llu do not", keys->review_id, err)) != 0)
		return r;
	if (review->epoch_keys != NULL)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "epoch %llu of review %s already has its keys",
		                     (unsigned long long)keys->epoch, keys->review_id);
	if (keys->n_channels != plm_policy_count(policy, PLM_POLICY_CHANNELS))
		return plm_policy_refuse(err, "channels", NULL,
		                         "epoch keys must give a key for each of the "
		                         "policy's %zu channels, not %u",
		                         plm_policy_count(policy, PLM_POLICY_CHANNELS),
		                         keys->n_channels);
	/*
	 * The names are distinct (the record's channels are in strictly
	 * ascending order), so as many names, all defined, are the policy's.
	 */
	for (c = 0; c < keys->n_channels; c++)
		if (plm_policy_find(policy, PLM_POLICY_CHANNELS, keys->channels[c].name) < 0)
			return plm_policy_refuse(err, "channels", NULL,
			                         "epoch keys give a key for the channel "
			                         "'%s', which the policy does not define",
			                         keys->channels[c].name);
	for (c = 0; c < keys->n_channels; c++) {
		const plm_epoch_channel *ch = &keys->channels[c];
		/* Every recipient is a member who may read the channel... */
		for (i = 0; i < ch->n_recipients; i++) {
			m = plm_roster_find_member(roster, ch->recipients[i].fingerprint);
			if (m == NULL)
				return refuse_audience(err, policy, ch->name,
				                       "the %s key of epoch %llu is sealed to "
				                       "someone who is not on the roster",
				                       ch->name,
				                       (unsigned long long)keys->epoch);
			if ((r = plm_review_side(roster, m, &side, err)) != 0)
				return r;
			if (plm_policy_may_read(policy, m->role, side, ch->name, NULL) != 0)
				return refuse_audience(err, policy, ch->name,
				                       "the %s key of epoch %llu is sealed to "
				                       "%s, whose role may not read that "
				                       "channel",
				                       ch->name,
				                       (unsigned long long)keys->epoch,
				                       m->user_id);
		}
		/* ...and every member who may read it is a recipient. */
		for (i = 0; i < roster->n_members; i++) {
			m = &roster->members[i];
			if ((r = plm_review_side(roster, m, &side, err)) != 0)
				return r;
			may = plm_policy_may_read(policy, m->role, side, ch->name, NULL) == 0;
			if (may && !is_recipient(ch, m->fingerprint))
				return refuse_audience(err, policy, ch->name,
				                       "the %s key of epoch %llu is not sealed "
				                       "to %s, who may read that channel",
				                       ch->name,
				                       (unsigned long long)keys->epoch,
				                       m->user_id);
		}
	}
	if ((r = copy_record(record, &copy, err)) != 0)
		return r;
	review->epoch_keys = copy;
	return 0;
}

/* The member who signed RECORD, and their side; a refusal if none. */
static int signer_member(const plm_review *review, const plm_record *record,
                         const plm_roster_member **m, enum plm_policy_side *side,
                         plm_error *err)
{
	if (plm_review_member(review, record->signer, m, side, NULL) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "this %s is signed by someone who is not a member of "
		                     "the review",
		                     plm_record_type_name(record->type));
	return 0;
}

static int apply_stage(plm_review *review, const plm_policy *policy,
                       const plm_record *record, plm_error *err)
{
	const plm_stage *stage = &record->body.stage;
	const plm_roster_member *m;
	enum plm_policy_side side;
	int r;

	if ((r = signer_member(review, record, &m, &side, err)) != 0)
		return r;
	if (stage->sequence != review->stage_seq + 1 || strcmp(stage->from_stage, review->stage) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "stage transition %llu from %s does not follow the "
		                     "review's state (transition %llu, stage %s)",
		                     (unsigned long long)stage->sequence, stage->from_stage,
		                     (unsigned long long)review->stage_seq + 1, review->stage);
	if ((r = plm_policy_may_advance(policy, stage->from_stage, stage->to_stage, m->role,
	                                side, err)) != 0)
		return r;
	snprintf(review->stage, sizeof(review->stage), "%s", stage->to_stage);
	review->stage_seq = stage->sequence;
	review->stage_since = stage->effective_at;
	return 0;
}

static int apply_agreement(plm_review *review, const plm_policy *policy,
                           const plm_record *record, plm_error *err)
{
	const plm_agreement *a = &record->body.agreement;
	const plm_roster_member *m;
	enum plm_policy_side side;
	int r;

	if ((r = signer_member(review, record, &m, &side, err)) != 0)
		return r;
	if (strcmp(a->state, m->state) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "%s of %s may agree only in the name of %s, not %s",
		                     m->user_id, m->state, m->state, a->state);
	return plm_policy_may_agree(policy, m->role, side, a->kind, review->stage, err);
}

/*
 * A history grant (PROTOCOL.md §5.11), signed by the root: issued under the
 * newest roster, to one of its members, with keys only of channels that
 * member's role and side may read (the policy of a review is the same in
 * every epoch). The keys themselves only the grantee can check
 * (plm_history_grant_open); the state does not change.
 */
static int apply_history_grant(const plm_review *review, const plm_policy *policy,
                               const plm_record *record, plm_error *err)
{
	const plm_history_grant *g = &record->body.history_grant;
	const plm_roster_member *m;
	enum plm_policy_side side;
	uint16_t i;
	int r;

	if ((r = refuse_stale_roster(review, g->epoch, g->roster_id,
	                             "a history grant issued under epoch %llu does not",
	                             g->review_id, err)) != 0)
		return r;
	if (plm_review_member(review, g->grantee, &m, &side, NULL) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "a history grant of review %s is for someone who is "
		                     "not on its roster",
		                     g->review_id);
	for (i = 0; i < g->n_keys; i++) {
		if (plm_policy_find(policy, PLM_POLICY_CHANNELS, g->keys[i].channel) < 0)
			return plm_policy_refuse(err, "channels", NULL,
			                         "a history grant gives a key of the "
			                         "channel '%s', which the policy does not "
			                         "define",
			                         g->keys[i].channel);
		if (plm_policy_may_read(policy, m->role, side, g->keys[i].channel, NULL) !=
		    0)
			return refuse_audience(err, policy, g->keys[i].channel,
			                       "a history grant gives %s the %s key of "
			                       "epoch %llu, but their role may not read "
			                       "that channel",
			                       m->user_id, g->keys[i].channel,
			                       (unsigned long long)g->keys[i].epoch);
	}
	return 0;
}

int plm_review_apply(plm_review *review, const plm_policy *policy,
                     const unsigned char root_fpr[PLM_FPR_BYTES],
                     const plm_record *record, plm_error *err)
{
	const char *id = plm_record_review(record);
	int r;

	if (id == NULL)
		return plm_error_set(err, PLM_ERR_TYPE, "a %s is not part of a review",
		                     plm_record_type_name(record->type));
	if (review->roster != NULL &&
	    strcmp(id, review->roster->body.roster.review_id) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "a record of review %s cannot join review %s", id,
		                     review->roster->body.roster.review_id);
	if (review->roster == NULL && record->type != PLM_RECORD_ROSTER)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "review %s has no roster yet; its first record must "
		                     "be a roster",
		                     id);
	switch (record->type) {
	case PLM_RECORD_ROSTER:
		if ((r = require_root(record, root_fpr, err)) != 0)
			return r;
		return apply_roster(review, policy, record, err);
	case PLM_RECORD_EPOCH_KEYS:
		if ((r = require_root(record, root_fpr, err)) != 0)
			return r;
		return apply_epoch_keys(review, policy, record, err);
	case PLM_RECORD_STAGE:
		return apply_stage(review, policy, record, err);
	case PLM_RECORD_AGREEMENT:
		return apply_agreement(review, policy, record, err);
	case PLM_RECORD_HISTORY_GRANT:
		if ((r = require_root(record, root_fpr, err)) != 0)
			return r;
		return apply_history_grant(review, policy, record, err);
	case PLM_RECORD_DISCLOSURE:
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "disclosures are checked with plm_review_check_disclosure");
	}
	return plm_error_set(err, PLM_ERR_TYPE, "unknown record type %u", record->type);
}

int plm_review_check_disclosure(const plm_review *review, const plm_policy *policy,
                                const plm_record *record, const char *kind,
                                plm_error *err)
{
	const plm_disclosure *d = &record->body.disclosure;
	const plm_roster_member *m;
	enum plm_policy_side side;
	int r;

	if (record->type != PLM_RECORD_DISCLOSURE)
		return plm_error_set(err, PLM_ERR_TYPE, "not a disclosure");
	if (review->roster == NULL ||
	    strcmp(d->review_id, review->roster->body.roster.review_id) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "a disclosure of review %s cannot join this review",
		                     d->review_id);
	if ((r = signer_member(review, record, &m, &side, err)) != 0)
		return r;
	return plm_policy_may_disclose(policy, m->role, side, kind,
	                               d->scope == PLM_DISCLOSE_PUBLIC ? "public" : "parties",
	                               err);
}

int plm_review_check_envelope(const plm_review *review, const plm_policy *policy,
                              const plm_envelope_header *header, plm_error *err)
{
	const plm_roster_member *m;
	enum plm_policy_side side;
	const plm_roster *roster;

	if (review->roster == NULL)
		return plm_error_set(err, PLM_ERR_NOTFOUND, "review %s has no roster",
		                     header->review_id);
	roster = &review->roster->body.roster;
	if (strcmp(header->review_id, roster->review_id) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "an envelope of review %s cannot join review %s",
		                     header->review_id, roster->review_id);
	if (plm_review_member(review, header->author, &m, &side, NULL) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "the author of this envelope is not a member of review "
		                     "%s (epoch %llu)",
		                     roster->review_id, (unsigned long long)roster->epoch);
	if (header->epoch != roster->epoch)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "this envelope is sealed for epoch %llu but review %s is "
		                     "at epoch %llu; sync and send it again",
		                     (unsigned long long)header->epoch, roster->review_id,
		                     (unsigned long long)roster->epoch);
	return plm_policy_may_write(policy, m->role, side, header->channel, header->kind,
	                            review->stage, err);
}
