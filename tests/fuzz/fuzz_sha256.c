/*
 * fuzz_sha256.c - keys/sha256.h gives libsodium's crypto_hash_sha256 bytes
 * on every path (the SHA extensions where the CPU has them, the portable
 * one always) for any message fed in any pieces.
 *
 * The first input byte gives the number of cuts (its low 4 bits, up to 15),
 * each cut is the next two bytes (a little-endian piece length, clamped to
 * what is left); the rest of the input is the message, whose remainder after
 * the cuts is fed in one last update.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The digest of MSG on PATH, cut as CUTS (NCUTS two-byte lengths) says. */
static void digest_pieces(enum plm_sha256_path path, const uint8_t *cuts, size_t ncuts,
                          const uint8_t *msg, size_t len,
                          unsigned char out[PLM_SHA256_BYTES])
{
	plm_sha256_state st;
	size_t i, piece, at = 0;

	if (plm_sha256_init_path(&st, path) != 0)
		abort();
	for (i = 0; i < ncuts; i++) {
		piece = (size_t)cuts[2 * i] | (size_t)cuts[2 * i + 1] << 8;
		if (piece > len - at)
			piece = len - at;
		plm_sha256_update(&st, piece ? msg + at : NULL, piece);
		at += piece;
	}
	plm_sha256_update(&st, len - at ? msg + at : NULL, len - at);
	plm_sha256_final(&st, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char want[PLM_SHA256_BYTES], got[PLM_SHA256_BYTES];
	const uint8_t *cuts, *msg;
	size_t ncuts, len;

	if (size < 1)
		return 0;
	ncuts = data[0] & 0x0f;
	if (size < 1 + 2 * ncuts)
		ncuts = (size - 1) / 2;
	cuts = data + 1;
	msg = data + 1 + 2 * ncuts;
	len = size - 1 - 2 * ncuts;

	crypto_hash_sha256(want, msg, len);
	digest_pieces(PLM_SHA256_PORTABLE, cuts, ncuts, msg, len, got);
	if (memcmp(want, got, sizeof(want)) != 0)
		abort();
	if (plm_sha256_best_path() == PLM_SHA256_EXTENSIONS) {
		digest_pieces(PLM_SHA256_EXTENSIONS, cuts, ncuts, msg, len, got);
		if (memcmp(want, got, sizeof(want)) != 0)
			abort();
	}
	plm_sha256(got, len ? msg : NULL, len);
	if (memcmp(want, got, sizeof(want)) != 0)
		abort();
	return 0;
}
