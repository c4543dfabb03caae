/* parties.c - the parties group's state machine (see parties.h). */
#include "policies/parties.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "policies/policy_impl.h"

int plm_parties_new(plm_parties **out, plm_error *err)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	return 0;
}

void plm_parties_free(plm_parties *group)
{
	if (group == NULL)
		return;
	plm_record_free(group->roster);
	plm_record_free(group->epoch_keys);
	free(group);
}

uint64_t plm_parties_epoch(const plm_parties *group)
{
	return group->epoch_keys != NULL ? group->roster->body.parties.epoch : 0;
}

const plm_roster_member *plm_parties_member(const plm_parties *group,
                                            const unsigned char fpr[PLM_FPR_BYTES])
{
	if (group->roster == NULL)
		return NULL;
	return plm_members_find(group->roster->body.parties.n_members,
	                        group->roster->body.parties.members, fpr);
}

/* A member's certificate must be trusted now and say what the roster says. */
static int check_certificate(const plm_roster_member *m, plm_parties_cert_fn cert,
                             void *ctx, plm_error *err)
{
	plm_certificate c;
	plm_error why;

	if (cert(ctx, m->fingerprint, &c, &why) != 0)
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "parties group member %s holds no valid certificate "
		    "(%s); a new epoch may name only certified, "
		    "unrevoked keys",
		    m->user_id, why.message);
	if (c.usage != PLM_USAGE_MEMBER || strcmp(c.user_id, m->user_id) != 0 ||
	    strcmp(c.state, m->state) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "parties group member %s of %s does not match the "
		                     "certificate of those keys (%s of %s)",
		                     m->user_id, m->state, c.user_id, c.state);
	return 0;
}

static int apply_roster(plm_parties *g, const plm_policy *policy,
                        const unsigned char root_fpr[PLM_FPR_BYTES],
                        const plm_record *record, plm_parties_cert_fn cert, void *ctx,
                        plm_error *err)
{
	const plm_parties_roster *p = &record->body.parties;
	unsigned char digest[PLM_HASH_BYTES];
	plm_record *copy = NULL;
	size_t i;
	int r;

	if (g->roster == NULL) {
		if (p->epoch != 1)
			return plm_error_set(
			    err, PLM_ERR_MISMATCH,
			    "the parties group's first roster must have "
			    "epoch 1, not %llu",
			    (unsigned long long)p->epoch);
	} else {
		if ((r = plm_parties_check_successor(g->roster, record, err)) != 0)
			return r;
		if (g->epoch_keys == NULL)
			return plm_error_set(
			    err, PLM_ERR_MISMATCH,
			    "parties roster epoch %llu came before the keys "
			    "of epoch %llu",
			    (unsigned long long)p->epoch,
			    (unsigned long long)p->epoch - 1);
	}
	plm_policy_digest(policy, digest);
	if (memcmp(digest, p->policy_digest, PLM_HASH_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "parties roster epoch %llu was made under another "
		                     "policy than the one in force here",
		                     (unsigned long long)p->epoch);
	for (i = 0; i < p->n_members; i++) {
		const plm_roster_member *m = &p->members[i];
		if (sodium_memcmp(m->fingerprint, root_fpr, PLM_FPR_BYTES) == 0)
			return plm_error_set(
			    err, PLM_ERR_POLICY,
			    "the deployment root is not a member of the "
			    "parties group");
		if (!plm_policy_in_parties_group(policy, m->role))
			return plm_policy_refuse(
			    err, "disclosure.parties_group", NULL,
			    "%s has the role '%s', which is not one of "
			    "the parties group's roles",
			    m->user_id, m->role);
		if (cert != NULL && (r = check_certificate(m, cert, ctx, err)) != 0)
			return r;
	}
	if ((r = plm_record_decode(record->encoding, record->encoding_len, &copy,
	                           err)) != 0)
		return r;
	plm_record_free(g->roster);
	plm_record_free(g->epoch_keys);
	g->roster = copy;
	g->epoch_keys = NULL;
	return 0;
}

static int apply_epoch_keys(plm_parties *g, const unsigned char root_fpr[PLM_FPR_BYTES],
                            const plm_record *record, plm_error *err)
{
	const plm_epoch_keys *k = &record->body.epoch_keys;
	const plm_parties_roster *p;
	const plm_epoch_channel *ch;
	plm_record *copy = NULL;
	size_t i;
	int r;

	if (g->roster == NULL)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the parties group's keys arrived before its roster");
	p = &g->roster->body.parties;
	if (k->epoch != p->epoch ||
	    memcmp(k->roster_id, g->roster->id, PLM_HASH_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "parties keys of epoch %llu do not belong to the "
		                     "newest parties roster (epoch %llu)",
		                     (unsigned long long)k->epoch,
		                     (unsigned long long)p->epoch);
	if (g->epoch_keys != NULL)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "epoch %llu of the parties group already has its keys",
		    (unsigned long long)k->epoch);
	ch = &k->channels[0];
	if (k->n_channels != 1 || strcmp(ch->name, PLM_PARTIES_CHANNEL) != 0)
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "the parties group's keys have exactly one channel, "
		    "named %s",
		    PLM_PARTIES_CHANNEL);
	/*
	 * Sealed to exactly the members and the root (which makes the keys and
	 * needs the last one to chain the next, so this hides nothing). Both
	 * lists are strictly ascending and the root is no member: equal sizes
	 * and every recipient expected make equal sets.
	 */
	if (ch->n_recipients != p->n_members + 1)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the parties key of epoch %llu is sealed to %u keys "
		    "but the group has %u members and the root",
		    (unsigned long long)k->epoch, ch->n_recipients, p->n_members);
	for (i = 0; i < ch->n_recipients; i++)
		if (sodium_memcmp(ch->recipients[i].fingerprint, root_fpr,
		                  PLM_FPR_BYTES) != 0 &&
		    plm_members_find(p->n_members, p->members,
		                     ch->recipients[i].fingerprint) == NULL)
			return plm_error_set(
			    err, PLM_ERR_MISMATCH,
			    "the parties key of epoch %llu is sealed to "
			    "someone who is not in the group",
			    (unsigned long long)k->epoch);
	if ((r = plm_record_decode(record->encoding, record->encoding_len, &copy,
	                           err)) != 0)
		return r;
	g->epoch_keys = copy;
	return 0;
}

int plm_parties_apply(plm_parties *group, const plm_policy *policy,
                      const unsigned char root_fpr[PLM_FPR_BYTES],
                      const plm_record *record, plm_parties_cert_fn cert,
                      void *cert_ctx, plm_error *err)
{
	const char *id = plm_record_review(record);

	if (id == NULL || strcmp(id, PLM_PARTIES_REVIEW_ID) != 0 ||
	    (record->type != PLM_RECORD_PARTIES_ROSTER &&
	     record->type != PLM_RECORD_EPOCH_KEYS))
		return plm_error_set(
		    err, PLM_ERR_TYPE,
		    "only parties rosters and the parties group's epoch "
		    "keys belong to the parties group");
	if (sodium_memcmp(record->signer, root_fpr, PLM_FPR_BYTES) != 0)
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "the parties group's records must be signed by the "
		    "deployment root, and this one is signed by another "
		    "key");
	if (record->type == PLM_RECORD_PARTIES_ROSTER)
		return apply_roster(group, policy, root_fpr, record, cert, cert_ctx,
		                    err);
	return apply_epoch_keys(group, root_fpr, record, err);
}
