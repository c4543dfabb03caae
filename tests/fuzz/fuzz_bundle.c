/*
 * fuzz_bundle.c - libFuzzer target for the public disclosure's signature
 * bundle decoder (keys/bundle.h, PROTOCOL.md §10).
 *
 * Any input is decoded as a whole bundle file. Beyond memory safety it
 * checks the canonical property: whatever plm_bundle_decode accepts,
 * plm_bundle_encode_prefix gives back exactly the input's bytes up to the
 * envelope, and the envelope is exactly the rest of the input. Accepted
 * bundles then go through what `palermo verify` runs on the records before
 * the envelope: signatures against the bundle's root, the disclosure's key.
 * The seed corpus (tests/fuzz/corpus/fuzz_bundle/) holds a real bundle made
 * by `palermo disclose --to public` and damaged copies of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/bundle.h"
#include "keys/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const plm_bundle *b)
{
	const plm_pubkeys *root = &b->root->body.certificate.keys;
	unsigned char *key = NULL;
	size_t i;

	(void)plm_record_verify_signer(b->root, root, NULL);
	for (i = 0; i < b->n_certs; i++)
		(void)plm_record_verify_signer(b->certs[i], root, NULL);
	for (i = 0; i < b->n_rosters; i++)
		(void)plm_record_verify_signer(b->rosters[i], root, NULL);
	if (plm_disclosure_document_key(b->disclosure, NULL, &key, NULL) != 0 &&
	    key != NULL)
		abort(); /* a key only on success */
	plm_secret_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plm_record *records[1 + PLM_BUNDLE_CERTS_MAX + PLM_BUNDLE_ROSTERS_MAX + 1];
	unsigned char *again = NULL;
	plm_bundle *b = NULL;
	size_t n = 0, len = 0, i;

	if (plm_bundle_decode(data, size, size, &b, NULL) != 0) {
		if (b != NULL)
			abort(); /* nothing on failure */
		return 0;
	}
	if (b->envelope_offset + b->envelope_len != size)
		abort();
	records[n++] = b->root;
	for (i = 0; i < b->n_certs; i++)
		records[n++] = b->certs[i];
	for (i = 0; i < b->n_rosters; i++)
		records[n++] = b->rosters[i];
	records[n++] = b->disclosure;
	if (plm_bundle_encode_prefix(records, n, b->envelope_len, &again, &len, NULL) !=
	        0 ||
	    len != b->envelope_offset || memcmp(again, data, len) != 0)
		abort(); /* one bundle, one encoding */
	free(again);
	exercise(b);
	plm_bundle_free(b);
	return 0;
}
