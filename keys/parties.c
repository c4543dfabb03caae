/*
 * parties.c - the parties roster (PROTOCOL.md §5.12): who is in the
 * deployment-wide parties group at one epoch (every certified focal point
 * and expert the secretariat names), chained like a review's roster, with
 * the previous epoch's channel key wrapped under the new one. The group's
 * keys are an epoch_keys record (§5.5) of the reserved review id
 * `parties`. Framing in record.c; member lists in roster.c.
 */
#include "keys/record.h"

#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

#define CHAIN_DOMAIN "palermo/v1/parties-chain"
#define CHAIN_AD_BYTES (sizeof(CHAIN_DOMAIN) + 8)

/* PROTOCOL.md §5.12 */
int plm_parties_roster_body_check(const plm_record *record, plm_error *err)
{
	const plm_parties_roster *p = &record->body.parties;

	if (p->epoch == 0)
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "parties_roster: epochs start at 1, epoch 0 is not "
		    "valid");
	if ((p->epoch == 1) != plm_record_is_zero(p->prev_roster, PLM_HASH_BYTES))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "parties_roster: prev_roster must be all zero for "
		                     "epoch 1 and the previous roster's id for any "
		                     "later epoch (this is epoch %llu)",
		                     (unsigned long long)p->epoch);
	if ((p->epoch == 1) != plm_record_is_zero(p->prev_key, PLM_WRAPPED_KEY_BYTES))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "parties_roster: prev_key must be all zero for "
		                     "epoch 1 and the previous epoch's key wrapped "
		                     "under this one for any later epoch (this is "
		                     "epoch %llu)",
		                     (unsigned long long)p->epoch);
	return plm_members_check("parties_roster", p->n_members, p->members, err);
}

void plm_parties_roster_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_parties_roster *p = &record->body.parties;

	plm_wbuf_u64(b, p->epoch);
	plm_wbuf_put(b, p->prev_roster, PLM_HASH_BYTES);
	plm_wbuf_put(b, p->policy_digest, PLM_HASH_BYTES);
	plm_wbuf_put(b, p->prev_key, PLM_WRAPPED_KEY_BYTES);
	plm_members_encode(b, p->n_members, p->members);
	plm_wbuf_u64(b, p->created_at);
}

void plm_parties_roster_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_parties_roster *p = &record->body.parties;

	plm_rbuf_u64(r, "epoch", &p->epoch);
	plm_rbuf_fixed(r, "prev_roster", p->prev_roster, PLM_HASH_BYTES);
	plm_rbuf_fixed(r, "policy_digest", p->policy_digest, PLM_HASH_BYTES);
	plm_rbuf_fixed(r, "prev_key", p->prev_key, PLM_WRAPPED_KEY_BYTES);
	if (plm_members_decode(r, &p->n_members, &p->members) != 0)
		return;
	plm_rbuf_u64(r, "created_at", &p->created_at);
}

void plm_parties_roster_body_free(plm_record *record)
{
	free(record->body.parties.members);
	record->body.parties.members = NULL;
	record->body.parties.n_members = 0;
}

int plm_parties_members_alloc(plm_parties_roster *p, size_t n, plm_error *err)
{
	if (p->members != NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "parties_roster: the members are allocated already");
	if (n < 1 || n > PLM_ROSTER_MEMBERS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "parties_roster: the group has 1 to %d members, "
		                     "not %zu",
		                     PLM_ROSTER_MEMBERS_MAX, n);
	if ((p->members = calloc(n, sizeof(*p->members))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of memory for %zu members", n);
	p->n_members = (uint16_t)n;
	return 0;
}

static int compare_members(const void *a, const void *b)
{
	return memcmp(((const plm_roster_member *)a)->fingerprint,
	              ((const plm_roster_member *)b)->fingerprint, PLM_FPR_BYTES);
}

void plm_parties_sort(plm_parties_roster *p)
{
	if (p->members != NULL)
		qsort(p->members, p->n_members, sizeof(p->members[0]), compare_members);
}

/* PROTOCOL.md §5.12, "Successive parties rosters". */
int plm_parties_check_successor(const plm_record *prev, const plm_record *next,
                                plm_error *err)
{
	int r;

	if ((r = plm_record_expect_type(prev, PLM_RECORD_PARTIES_ROSTER, err)) != 0 ||
	    (r = plm_record_expect_type(next, PLM_RECORD_PARTIES_ROSTER, err)) != 0)
		return r;
	if (next->body.parties.epoch != prev->body.parties.epoch + 1)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the parties group is at epoch %llu; a roster of "
		    "epoch %llu cannot follow (an old roster replayed, "
		    "or one skipped)",
		    (unsigned long long)prev->body.parties.epoch,
		    (unsigned long long)next->body.parties.epoch);
	if (memcmp(next->body.parties.prev_roster, prev->id, PLM_HASH_BYTES) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "parties roster epoch %llu does not name the roster "
		    "of epoch %llu as its previous one: the chain forks",
		    (unsigned long long)next->body.parties.epoch,
		    (unsigned long long)prev->body.parties.epoch);
	return 0;
}

/* "palermo/v1/parties-chain" NUL || u64 epoch */
static void chain_ad(unsigned char out[CHAIN_AD_BYTES], uint64_t epoch)
{
	memcpy(out, CHAIN_DOMAIN, sizeof(CHAIN_DOMAIN));
	plm_store_u64(out + sizeof(CHAIN_DOMAIN), epoch);
}

int plm_parties_chain_wrap(plm_parties_roster *p,
                           const unsigned char prev_key[PLM_KEY_BYTES],
                           const unsigned char key[PLM_KEY_BYTES], plm_error *err)
{
	unsigned char ad[CHAIN_AD_BYTES];

	if (p->epoch < 2)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "the parties group's first epoch has no previous key");
	chain_ad(ad, p->epoch);
	return plm_key_wrap(p->prev_key, prev_key, key, ad, sizeof(ad), err);
}

int plm_parties_chain_unwrap(const plm_record *record,
                             const unsigned char key[PLM_KEY_BYTES],
                             unsigned char **prev, plm_error *err)
{
	const plm_parties_roster *p = &record->body.parties;
	unsigned char ad[CHAIN_AD_BYTES];
	unsigned char *out = NULL;
	int r;

	*prev = NULL;
	if ((r = plm_record_expect_type(record, PLM_RECORD_PARTIES_ROSTER, err)) != 0)
		return r;
	if (p->epoch < 2)
		return plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "the parties group's first epoch has no previous key");
	if ((out = plm_secret_alloc(PLM_KEY_BYTES)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of secure memory for a channel key");
	chain_ad(ad, p->epoch);
	if ((r = plm_key_unwrap(out, p->prev_key, key, ad, sizeof(ad), err)) != 0) {
		plm_secret_free(out);
		return plm_error_set(
		    err, r,
		    "the parties group's key of epoch %llu does not open "
		    "the key of epoch %llu its roster carries",
		    (unsigned long long)p->epoch, (unsigned long long)p->epoch - 1);
	}
	*prev = out;
	return 0;
}
