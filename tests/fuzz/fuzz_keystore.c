/*
 * fuzz_keystore.c - libFuzzer target for the keystore file parser
 * (keys/keystore.h, PROTOCOL.md §4). Parse only: no Argon2id runs here.
 *
 * Each input is parsed twice: as given, and (when it has the size of a
 * keystore) with its checksum recomputed, so that the fuzzer also reaches
 * the checks behind the checksum. A refusal must carry one of the codes
 * §4.2 allows, with a message, and leave the output zeroed; an accepted
 * file must re-encode, field by field, to exactly the input bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/keystore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* Writes the fields of KS back in the §4.1 layout. */
static void reencode(unsigned char out[PLM_KEYSTORE_BYTES], const plm_keystore *ks)
{
	unsigned char *p = out;

	memcpy(p, PLM_KEYSTORE_MAGIC, 4);
	p += 4;
	*p++ = ks->version;
	*p++ = ks->kdf;
	plm_store_u64(p, ks->limits.opslimit);
	p += 8;
	plm_store_u64(p, ks->limits.memlimit);
	p += 8;
	memcpy(p, ks->salt, sizeof(ks->salt));
	p += sizeof(ks->salt);
	memcpy(p, ks->pub.sign_pk, sizeof(ks->pub.sign_pk));
	p += sizeof(ks->pub.sign_pk);
	memcpy(p, ks->pub.box_pk, sizeof(ks->pub.box_pk));
	p += sizeof(ks->pub.box_pk);
	memcpy(p, ks->nonce, sizeof(ks->nonce));
	p += sizeof(ks->nonce);
	memcpy(p, ks->ciphertext, sizeof(ks->ciphertext));
	p += sizeof(ks->ciphertext);
	memcpy(p, ks->checksum, sizeof(ks->checksum));
	p += sizeof(ks->checksum);
	if (p != out + PLM_KEYSTORE_BYTES)
		abort();
}

static void parse_and_check(const unsigned char *data, size_t size)
{
	unsigned char again[PLM_KEYSTORE_BYTES], sum[PLM_HASH_BYTES];
	plm_keystore ks;
	plm_error err;
	int r;

	plm_error_clear(&err);
	r = plm_keystore_parse(data, size, &ks, &err);
	if (r != 0) {
		if (r != PLM_ERR_VERSION && r != PLM_ERR_CORRUPT)
			abort();
		if (err.code != r || err.message[0] == '\0')
			abort();
		if (!all_zero(&ks, sizeof(ks)))
			abort();
		/* The code must not depend on whether a report was asked for. */
		if (plm_keystore_parse(data, size, &ks, NULL) != r)
			abort();
		return;
	}
	if (size != PLM_KEYSTORE_BYTES || ks.version != PLM_KEYSTORE_VERSION ||
	    ks.kdf != PLM_KEYSTORE_KDF_ARGON2ID13)
		abort();
	if (ks.limits.opslimit < PLM_KDF_OPSLIMIT_MIN ||
	    ks.limits.opslimit > PLM_KDF_OPSLIMIT_MAX ||
	    ks.limits.memlimit < PLM_KDF_MEMLIMIT_MIN ||
	    ks.limits.memlimit > PLM_KDF_MEMLIMIT_MAX)
		abort();
	plm_hash(sum, data, PLM_KEYSTORE_CHECKED_BYTES);
	if (memcmp(sum, ks.checksum, sizeof(sum)) != 0)
		abort();
	reencode(again, &ks);
	if (memcmp(again, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char fixed[PLM_KEYSTORE_BYTES];

	parse_and_check(data, size);
	if (size == PLM_KEYSTORE_BYTES) {
		memcpy(fixed, data, size);
		plm_hash(fixed + PLM_KEYSTORE_CHECKED_BYTES, fixed,
		         PLM_KEYSTORE_CHECKED_BYTES);
		parse_and_check(fixed, size);
	}
	return 0;
}
