/*
 * fuzz_record.c - libFuzzer target for the signed-record decoder
 * (keys/record.h, PROTOCOL.md §5).
 *
 * Any input is decoded. Beyond memory safety it checks the canonical
 * property: whatever plm_record_decode accepts, plm_record_encode turns
 * back into exactly the same bytes (so the encoder accepts everything the
 * decoder does and one record has one encoding), and the record id is the
 * BLAKE2b-256 of the input. Accepted records then go through the helpers a
 * client runs on them: signature checks, member lookup and the successor
 * rule for rosters, channel-key opening for epoch keys, document-key
 * recovery for disclosures, the self-signature of enrollments, the
 * grantee's opening of history-grant keys against their epoch keys. The seed
 * corpus (tests/fuzz/corpus/fuzz_record/) was signed by the fixed root below
 * and seals its epoch keys to the fixed member (who signs the enrollment
 * seeds), so mutations reach the unsealing and commitment paths too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/crypto.h"
#include "keys/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static plm_identity *root, *member;
static unsigned char parties_key[PLM_KEY_BYTES];
/* Epoch keys of epochs 1 and 2 that the history-grant seeds' keys match. */
static plm_record *history_keys[2];

/*
 * The epoch keys the history-grant seeds were made against: review
 * 2026-ita-crim, epoch 1 (channel review, key 'K' x 32) and epoch 2
 * (channels review and reviewers, key 'L' x 32), sealed to the member.
 */
static void history_epoch_keys(void)
{
	static const unsigned char zero[PLM_HASH_BYTES];
	unsigned char k[PLM_KEY_BYTES], l[PLM_KEY_BYTES];
	plm_channel_grant one = {"review", k, &member->pub, 1};
	plm_channel_grant two[2] = {{"review", l, &member->pub, 1},
	                            {"reviewers", l, &member->pub, 1}};

	memset(k, 0x4b, sizeof(k));
	memset(l, 0x4c, sizeof(l));
	if (plm_epoch_keys_build(&history_keys[0], "2026-ita-crim", 1, zero, &one, 1,
	                         NULL) != 0 ||
	    plm_epoch_keys_build(&history_keys[1], "2026-ita-crim", 2, zero, two, 2,
	                         NULL) != 0)
		abort();
}

static void setup(void)
{
	unsigned char seed[PLM_SEED_BYTES];

	if (root != NULL)
		return;
	memset(seed, 0x52, sizeof(seed)); /* 'R': the root */
	if (plm_identity_from_seed(&root, seed, NULL) != 0)
		abort();
	memset(seed, 0x4d, sizeof(seed)); /* 'M': a member */
	if (plm_identity_from_seed(&member, seed, NULL) != 0)
		abort();
	memset(parties_key, 0x50, sizeof(parties_key)); /* 'P' */
	history_epoch_keys();
}

/* The helpers a client runs on a decoded record must fail cleanly or work. */
static void exercise(const plm_record *record)
{
	unsigned char *key = NULL;
	size_t i;
	int r;

	plm_record_verify(record, root->pub.sign_pk, NULL);
	plm_record_verify_signer(record, &root->pub, NULL);
	switch (record->type) {
	case PLM_RECORD_ROSTER: {
		const plm_roster *ro = &record->body.roster;

		for (i = 0; i < ro->n_members; i++)
			if (plm_roster_find_member(ro, ro->members[i].fingerprint) !=
			    &ro->members[i])
				abort();
		if (plm_roster_check_successor(record, record, NULL) !=
		    PLM_ERR_MISMATCH)
			abort();
		break;
	}
	case PLM_RECORD_EPOCH_KEYS:
		if (plm_epoch_keys_check_roster(record, record, NULL) != PLM_ERR_TYPE)
			abort();
		for (i = 0; i < record->body.epoch_keys.n_channels; i++) {
			r = plm_epoch_keys_open(
			    record, record->body.epoch_keys.channels[i].name, member,
			    &key, NULL);
			if ((r == 0) != (key != NULL))
				abort();
			plm_secret_free(key);
			key = NULL;
		}
		break;
	case PLM_RECORD_DISCLOSURE:
		r = plm_disclosure_document_key(record, parties_key, &key, NULL);
		if ((r == 0) != (key != NULL))
			abort();
		plm_secret_free(key);
		break;
	case PLM_RECORD_HISTORY_GRANT:
		if (plm_history_grant_open(record, 1, "review", record, member, &key,
		                           NULL) != PLM_ERR_TYPE || key != NULL)
			abort();
		for (i = 0; i < record->body.history_grant.n_keys; i++) {
			const plm_history_key *k = &record->body.history_grant.keys[i];
			r = plm_history_grant_open(record, k->epoch, k->channel,
			                           history_keys[k->epoch == 1 ? 0 : 1],
			                           member, &key, NULL);
			if ((r == 0) != (key != NULL))
				abort();
			plm_secret_free(key);
			key = NULL;
		}
		break;
	case PLM_RECORD_ENROLLMENT:
		/* Seeds are signed by the member's own keys (proof of possession). */
		plm_enrollment_verify(record, NULL);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plm_record *record = NULL;
	unsigned char *again = NULL, id[PLM_HASH_BYTES];
	size_t again_len = 0;
	plm_error err;

	setup();
	if (plm_record_decode(data, size, &record, &err) != 0) {
		if (record != NULL)
			abort();
		return 0;
	}
	/* The canonical property. */
	if (plm_record_encode(record, &again, &again_len, &err) != 0)
		abort();
	if (again_len != size || memcmp(again, data, size) != 0)
		abort();
	plm_hash(id, data, size);
	if (memcmp(id, record->id, sizeof(id)) != 0)
		abort();
	free(again);
	exercise(record);
	plm_record_free(record);
	return 0;
}
