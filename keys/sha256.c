/*
 * sha256.c - SHA-256 (FIPS 180-4) on the x86-64 SHA extensions when the CPU
 * has them, libsodium's crypto_hash_sha256 otherwise (keys/sha256.h).
 *
 * The SHA-NI path keeps FIPS 180-4's structure: this file buffers the input
 * into 64-byte blocks and pads the message (§5.1.1); the CPU's
 * SHA256RNDS2 runs two rounds of §6.2.2 step 3 at a time, SHA256MSG1 and
 * SHA256MSG2 compute the message schedule of step 1. Its functions are
 * compiled for the SHA extensions with a per-function target attribute, not
 * a global -msha, and are only called after CPUID said the CPU has them, so
 * the same binary runs on every x86-64 CPU.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "keys/error.h"
#include "keys/sha256.h"

#if defined(__x86_64__)

/* FIPS 180-4 §4.2.2: the round constants K0..K63. */
/* clang-format off */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 §5.3.3: the initial hash value H(0). */
static const uint32_t sha256_h0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};
/* clang-format on */

#define SHA_NI __attribute__((target("sha,sse4.1")))

/*
 * Four rounds (§6.2.2 step 3) on the working variables, held as SHA256RNDS2
 * wants them: *ABEF = (A, B, E, F) and *CDGH = (C, D, G, H) from the high
 * doubleword down. W holds the schedule words W[4g..4g+3], lowest first.
 * Each SHA256RNDS2 returns the new (A, B, E, F) of two rounds; the old one
 * becomes (C, D, G, H), so the two registers swap roles twice.
 */
SHA_NI static inline __attribute__((always_inline)) void
ni_rounds4(__m128i *abef, __m128i *cdgh, __m128i w, int g)
{
	__m128i wk =
	    _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)&sha256_k[4 * g]));

	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0e));
}

/*
 * The next four schedule words (§6.2.2 step 1) W[t..t+3], t = 4g + 16:
 * PARTIAL = W[t-16..t-13] + sigma0(W[t-15..t-12]) (from SHA256MSG1), PREV
 * and CUR the words W[t-8..t-5] and W[t-4..t-1]; W[t-7] is taken across
 * them, and SHA256MSG2 adds sigma1(W[t-2]).
 */
SHA_NI static inline __attribute__((always_inline)) __m128i
ni_schedule(__m128i partial, __m128i prev, __m128i cur)
{
	partial = _mm_add_epi32(partial, _mm_alignr_epi8(cur, prev, 4));
	return _mm_sha256msg2_epu32(partial, cur);
}

/*
 * FIPS 180-4 §6.2.2 for NBLOCKS consecutive 64-byte blocks of DATA on the
 * hash value H. The state stays in registers across blocks.
 */
SHA_NI static void ni_blocks(uint32_t h[8], const unsigned char *data, size_t nblocks)
{
	/* Reverses the bytes of each doubleword: the words are big-endian. */
	const __m128i bswap =
	    _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
	__m128i abcd, efgh, abef, cdgh, abef_in, cdgh_in, m0, m1, m2, m3;
	int g;

	/* (A, B, C, D), (E, F, G, H) lowest first -> (A, B, E, F), (C, D, G, H). */
	abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);
	efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);
	abef = _mm_alignr_epi8(abcd, efgh, 8);
	cdgh = _mm_blend_epi16(efgh, abcd, 0xf0);

	for (; nblocks > 0; nblocks--, data += PLM_SHA256_BLOCK_BYTES) {
		abef_in = abef;
		cdgh_in = cdgh;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)),
		                      bswap);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)),
		                      bswap);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)),
		                      bswap);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)),
		                      bswap);

		/*
		 * Rounds 4g..4g+3 use the register of group g (g mod 4); right
		 * after them that register's successor group g+4 is prepared:
		 * SHA256MSG1 once group g+1 is in, SHA256MSG2 (ni_schedule) once
		 * group g+3 is.
		 */
		ni_rounds4(&abef, &cdgh, m0, 0);
		ni_rounds4(&abef, &cdgh, m1, 1);
		m0 = _mm_sha256msg1_epu32(m0, m1);
		ni_rounds4(&abef, &cdgh, m2, 2);
		m1 = _mm_sha256msg1_epu32(m1, m2);
		ni_rounds4(&abef, &cdgh, m3, 3);
		m0 = ni_schedule(m0, m2, m3);
		m2 = _mm_sha256msg1_epu32(m2, m3);
		for (g = 4; g < 12; g += 4) {
			ni_rounds4(&abef, &cdgh, m0, g);
			m1 = ni_schedule(m1, m3, m0);
			m3 = _mm_sha256msg1_epu32(m3, m0);
			ni_rounds4(&abef, &cdgh, m1, g + 1);
			m2 = ni_schedule(m2, m0, m1);
			m0 = _mm_sha256msg1_epu32(m0, m1);
			ni_rounds4(&abef, &cdgh, m2, g + 2);
			m3 = ni_schedule(m3, m1, m2);
			m1 = _mm_sha256msg1_epu32(m1, m2);
			ni_rounds4(&abef, &cdgh, m3, g + 3);
			m0 = ni_schedule(m0, m2, m3);
			m2 = _mm_sha256msg1_epu32(m2, m3);
		}
		ni_rounds4(&abef, &cdgh, m0, 12);
		m1 = ni_schedule(m1, m3, m0);
		m3 = _mm_sha256msg1_epu32(m3, m0);
		ni_rounds4(&abef, &cdgh, m1, 13);
		m2 = ni_schedule(m2, m0, m1);
		ni_rounds4(&abef, &cdgh, m2, 14);
		m3 = ni_schedule(m3, m1, m2);
		ni_rounds4(&abef, &cdgh, m3, 15);

		/* §6.2.2 step 4: H(i) = working variables + H(i-1). */
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	/* Back to (A, B, C, D), (E, F, G, H). */
	abef = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(abef, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, abef, 8));
}

/* 1 if the CPU has SSE4.1 and the SHA extensions (CPUID 1 ECX.19, 7 EBX.29). */
static int cpu_has_sha_ni(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 19)))
		return 0;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return 0;
	return (ebx & (1u << 29)) != 0;
}

static void ni_init(plm_sha256_state *st)
{
	memcpy(st->u.ni.h, sha256_h0, sizeof(st->u.ni.h));
	st->u.ni.bytes = 0;
}

/* Buffers DATA into whole blocks; full blocks go straight from DATA. */
static void ni_update(plm_sha256_state *st, const unsigned char *data, size_t len)
{
	size_t used = (size_t)(st->u.ni.bytes % PLM_SHA256_BLOCK_BYTES), take;

	st->u.ni.bytes += len;
	if (used > 0) {
		take = PLM_SHA256_BLOCK_BYTES - used;
		if (take > len)
			take = len;
		memcpy(st->u.ni.block + used, data, take);
		data += take;
		len -= take;
		if (used + take < PLM_SHA256_BLOCK_BYTES)
			return;
		ni_blocks(st->u.ni.h, st->u.ni.block, 1);
	}
	if (len >= PLM_SHA256_BLOCK_BYTES) {
		ni_blocks(st->u.ni.h, data, len / PLM_SHA256_BLOCK_BYTES);
		data += len - len % PLM_SHA256_BLOCK_BYTES;
		len %= PLM_SHA256_BLOCK_BYTES;
	}
	if (len > 0)
		memcpy(st->u.ni.block, data, len);
}

/*
 * §5.1.1 padding: a 1 bit, zeros up to 56 bytes mod 64, the message length
 * in bits as a 64-bit big-endian number; then H as big-endian words.
 */
static void ni_final(plm_sha256_state *st, unsigned char out[PLM_SHA256_BYTES])
{
	size_t used = (size_t)(st->u.ni.bytes % PLM_SHA256_BLOCK_BYTES);
	uint64_t bits = st->u.ni.bytes * 8;
	int i;

	st->u.ni.block[used++] = 0x80;
	if (used > PLM_SHA256_BLOCK_BYTES - 8) {
		memset(st->u.ni.block + used, 0, PLM_SHA256_BLOCK_BYTES - used);
		ni_blocks(st->u.ni.h, st->u.ni.block, 1);
		used = 0;
	}
	memset(st->u.ni.block + used, 0, PLM_SHA256_BLOCK_BYTES - 8 - used);
	for (i = 0; i < 8; i++)
		st->u.ni.block[PLM_SHA256_BLOCK_BYTES - 1 - i] =
		    (unsigned char)(bits >> (8 * i));
	ni_blocks(st->u.ni.h, st->u.ni.block, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(st->u.ni.h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(st->u.ni.h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(st->u.ni.h[i] >> 8);
		out[4 * i + 3] = (unsigned char)st->u.ni.h[i];
	}
}

#else /* not x86-64: libsodium only */

static int cpu_has_sha_ni(void)
{
	return 0;
}

static void ni_init(plm_sha256_state *st)
{
	(void)st;
}

static void ni_update(plm_sha256_state *st, const unsigned char *data, size_t len)
{
	(void)st;
	(void)data;
	(void)len;
}

static void ni_final(plm_sha256_state *st, unsigned char out[PLM_SHA256_BYTES])
{
	(void)st;
	memset(out, 0, PLM_SHA256_BYTES);
}

#endif

/* 0 until detected, then an enum plm_sha256_path; every thread finds the same. */
static atomic_int best_path;

enum plm_sha256_path plm_sha256_best_path(void)
{
	int path = atomic_load_explicit(&best_path, memory_order_relaxed);

	if (path == 0) {
		path = cpu_has_sha_ni() ? PLM_SHA256_EXTENSIONS : PLM_SHA256_PORTABLE;
		atomic_store_explicit(&best_path, path, memory_order_relaxed);
	}
	return (enum plm_sha256_path)path;
}

int plm_sha256_init_path(plm_sha256_state *st, enum plm_sha256_path path)
{
	memset(st, 0, sizeof(*st));
	if (path == PLM_SHA256_PORTABLE) {
		crypto_hash_sha256_init(&st->u.portable);
	} else if (path == PLM_SHA256_EXTENSIONS &&
	           plm_sha256_best_path() == PLM_SHA256_EXTENSIONS) {
		ni_init(st);
	} else {
		return PLM_ERR_INVALID;
	}
	st->path = path;
	return 0;
}

void plm_sha256_init(plm_sha256_state *st)
{
	(void)plm_sha256_init_path(st, plm_sha256_best_path());
}

void plm_sha256_update(plm_sha256_state *st, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (st->path == PLM_SHA256_EXTENSIONS)
		ni_update(st, (const unsigned char *)data, len);
	else
		crypto_hash_sha256_update(&st->u.portable, (const unsigned char *)data,
		                          len);
}

void plm_sha256_final(plm_sha256_state *st, unsigned char out[PLM_SHA256_BYTES])
{
	if (st->path == PLM_SHA256_EXTENSIONS)
		ni_final(st, out);
	else
		crypto_hash_sha256_final(&st->u.portable, out);
	sodium_memzero(st, sizeof(*st));
}

void plm_sha256(unsigned char out[PLM_SHA256_BYTES], const void *data, size_t len)
{
	plm_sha256_state st;

	plm_sha256_init(&st);
	plm_sha256_update(&st, data, len);
	plm_sha256_final(&st, out);
}
