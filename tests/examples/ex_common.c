/*
 * ex_common.c - what several worked examples build alike: their people
 * (identities from example seeds), a roster's head and members, a review
 * channel's epoch keys, and the "label hex" lines of the blocks of ids.
 * The bytes they make are part of PROTOCOL.md: change nothing here without
 * `make examples`.
 */
#include "examples.h"

#include <stdio.h>
#include <string.h>

void example_people(plm_identity **people, const unsigned char *seeds, size_t n)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_error err;
	size_t i;
	int r;

	memset(&err, 0, sizeof(err));
	for (i = 0; i < n; i++) {
		example_seed(seed, seeds[i]);
		if ((r = plm_identity_from_seed(&people[i], seed, &err)) != 0)
			example_die("plm_identity_from_seed", r, err.message);
	}
}

void example_roster_head(plm_roster *ro, const char *review, uint64_t epoch,
                         const plm_record *prev)
{
	snprintf(ro->review_id, sizeof(ro->review_id), "%s", review);
	ro->epoch = epoch;
	if (prev != NULL)
		memcpy(ro->prev_roster, prev->id, PLM_HASH_BYTES);
	plm_hash(ro->policy_digest, "example policy", 14);
	strcpy(ro->sur_state, "ITA");
	strcpy(ro->cluster, "criminalization");
	ro->n_languages = 1;
	strcpy(ro->languages[0], "en");
}

void example_roster_member(plm_roster_member *m, const plm_identity *id,
                           const char *user_id, const char *state, const char *role)
{
	plm_fingerprint(m->fingerprint, &id->pub);
	snprintf(m->user_id, sizeof(m->user_id), "%s", user_id);
	snprintf(m->state, sizeof(m->state), "%s", state);
	snprintf(m->role, sizeof(m->role), "%s", role);
}

plm_record *example_review_keys(const char *review, const plm_record *roster,
                                const unsigned char *key, const plm_identity *a,
                                const plm_identity *b)
{
	plm_record *keys = NULL;
	plm_pubkeys audience[2];
	plm_channel_grant grant;
	plm_error err;
	int r;

	memset(&err, 0, sizeof(err));
	audience[0] = a->pub;
	audience[1] = b->pub;
	grant.name = "review";
	grant.key = key;
	grant.recipients = audience;
	grant.n_recipients = 2;
	if ((r = plm_epoch_keys_build(&keys, review, roster->body.roster.epoch, roster->id,
	                              &grant, 1, &err)) != 0)
		example_die("plm_epoch_keys_build", r, err.message);
	return keys;
}

void example_add_line(char *text, size_t cap, const char *label, const unsigned char *bytes,
                      size_t len)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, bytes, len);
	snprintf(text + strlen(text), cap - strlen(text), "%s%-24s %s",
	         text[0] ? "\n" : "", label, hex);
}
