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
 * recovery for disclosures, the self-signature of enrollments. The seed
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
