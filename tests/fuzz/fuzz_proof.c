/*
 * fuzz_proof.c - libFuzzer target for Merkle proof decoding and verification
 * (keys/merkle.h, PROTOCOL.md §6.2, §6.3, §6.5).
 *
 * Input: u8 mode || u64 a || u64 b || [32] h1 || [32] h2 || proof encoding.
 *   mode & 3 == 0: inclusion of leaf hash h1 at index a in a tree of size b
 *                  with root h2;
 *   mode & 3 == 1: consistency from size a (root h1) to size b (root h2);
 *   mode & 3 == 2: inclusion of leaf a % 64 in the first b % 65 leaves of a
 *                  fixed 64-leaf log, against that log's real hashes;
 *   mode & 3 == 3: consistency from a % 65 to b % 65 leaves of that log.
 * Must never crash. Checked invariants: a decoded proof re-encodes to the
 * same bytes; against the fixed log, the generated proof verifies, and a
 * proof that verifies is the generated one (anything else would be a
 * SHA-256 collision, i.e. a bug).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/merkle.h"

#define HEADER_BYTES (1 + 8 + 8 + 2 * PLM_MERKLE_HASH_BYTES)
#define LOG_LEAVES 64

static plm_merkle_mem fixed_log;
static unsigned char fixed_roots[LOG_LEAVES + 1][PLM_MERKLE_HASH_BYTES];

static void fixed_log_init(void)
{
	unsigned char leaf;
	unsigned i;

	if (fixed_log.size == LOG_LEAVES)
		return;
	plm_merkle_mem_init(&fixed_log);
	for (i = 0; i < LOG_LEAVES; i++) {
		leaf = (unsigned char)i;
		if (plm_merkle_mem_append(&fixed_log, &leaf, 1, NULL) != 0)
			abort();
	}
	for (i = 0; i <= LOG_LEAVES; i++)
		if (plm_merkle_root(i, plm_merkle_mem_subtree, &fixed_log,
		                    fixed_roots[i], NULL) != 0)
			abort();
}

static int same_proof(const plm_merkle_proof *a, const plm_merkle_proof *b)
{
	return a->count == b->count &&
	       memcmp(a->hashes, b->hashes, (size_t)a->count * PLM_MERKLE_HASH_BYTES) ==
	           0;
}

static void check_against_fixed_log(int consistency, uint64_t a, uint64_t b,
                                    const plm_merkle_proof *proof)
{
	plm_merkle_proof real;
	uint64_t m, n, index;

	if (consistency) {
		m = a % (LOG_LEAVES + 1);
		n = b % (LOG_LEAVES + 1);
		if (m > n) {
			uint64_t t = m;

			m = n;
			n = t;
		}
		if (plm_merkle_consistency_prove(&real, m, n, plm_merkle_mem_subtree,
		                                 &fixed_log, NULL) != 0 ||
		    plm_merkle_consistency_verify(m, n, fixed_roots[m], fixed_roots[n],
		                                  &real, NULL) != 0)
			abort();
		if (plm_merkle_consistency_verify(m, n, fixed_roots[m], fixed_roots[n],
		                                  proof, NULL) == 0 &&
		    !same_proof(proof, &real))
			abort();
	} else {
		n = 1 + b % LOG_LEAVES;
		index = a % n;
		if (plm_merkle_inclusion_prove(&real, index, n, plm_merkle_mem_subtree,
		                               &fixed_log, NULL) != 0 ||
		    plm_merkle_inclusion_verify(fixed_log.leaf_hashes[index], index, n,
		                                &real, fixed_roots[n], NULL) != 0)
			abort();
		if (plm_merkle_inclusion_verify(fixed_log.leaf_hashes[index], index, n,
		                                proof, fixed_roots[n], NULL) == 0 &&
		    !same_proof(proof, &real))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char again[PLM_MERKLE_PROOF_MAX_BYTES];
	const unsigned char *h1, *h2;
	plm_merkle_proof proof;
	plm_error err;
	uint64_t a, b;
	size_t len;
	int mode;

	fixed_log_init();
	if (size < HEADER_BYTES)
		return 0;
	mode = data[0] & 3;
	a = plm_load_u64(data + 1);
	b = plm_load_u64(data + 9);
	h1 = data + 17;
	h2 = data + 17 + PLM_MERKLE_HASH_BYTES;
	if (plm_merkle_proof_decode(&proof, data + HEADER_BYTES, size - HEADER_BYTES,
	                            &err) != 0)
		return 0;
	if (plm_merkle_proof_encode(again, &len, &proof, &err) != 0 ||
	    len != size - HEADER_BYTES || memcmp(again, data + HEADER_BYTES, len) != 0)
		abort();
	switch (mode) {
	case 0:
		plm_merkle_inclusion_verify(h1, a, b, &proof, h2, &err);
		break;
	case 1:
		plm_merkle_consistency_verify(a, b, h1, h2, &proof, &err);
		break;
	default:
		check_against_fixed_log(mode == 3, a, b, &proof);
		break;
	}
	return 0;
}
