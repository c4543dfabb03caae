/*
 * fuzz_manifest.c - libFuzzer target for the manifest decoder
 * (keys/manifest.h, PROTOCOL.md §7.4).
 *
 * Whatever the decoder accepts must be canonical: re-encoding the decoded
 * manifest gives back exactly the input bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static plm_manifest m;
	static unsigned char again[PLM_MANIFEST_MAX_BYTES];
	size_t len = 0;

	if (plm_manifest_decode(&m, data, size, NULL) != 0)
		return 0;
	if (plm_manifest_encode(&m, again, sizeof(again), &len, NULL) != 0)
		abort();
	if (len != size || memcmp(again, data, size) != 0)
		abort();
	return 0;
}
