/*
 * fuzz_tree_head.c - libFuzzer target for signed tree head decoding
 * (keys/treehead.h, PROTOCOL.md §6.4). A head that decodes must re-encode
 * to exactly the input bytes; verifying it must not crash (it only
 * succeeds for a genuine signature by the fixed test key below).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/treehead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static plm_identity *log;
	unsigned char seed[PLM_SEED_BYTES];
	unsigned char again[PLM_TREE_HEAD_BYTES];
	plm_tree_head head;
	plm_error err;
	size_t i;

	if (log == NULL) {
		/* The key the seed corpus was signed with (seed bytes 7, 8, ...). */
		for (i = 0; i < sizeof(seed); i++)
			seed[i] = (unsigned char)(7 + i);
		if (plm_identity_from_seed(&log, seed, NULL) != 0)
			abort();
	}
	if (plm_tree_head_decode(&head, data, size, &err) != 0)
		return 0;
	if (size != PLM_TREE_HEAD_BYTES)
		abort();
	plm_tree_head_encode(again, &head);
	if (memcmp(again, data, size) != 0)
		abort();
	plm_tree_head_verify(&head, log->pub.sign_pk, &err);
	return 0;
}
