/* merkle.c - RFC 9162 Merkle tree hashing and proofs (see merkle.h, PROTOCOL.md §6). */
#include "keys/merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01

/* Longest list of perfect subtrees one range splits into: one per bit. */
#define RANGE_NODES_MAX 64

/* PROTOCOL.md §6.1 */
void plm_merkle_leaf_hash(unsigned char out[PLM_MERKLE_HASH_BYTES], const void *data,
                          size_t len)
{
	crypto_hash_sha256_state st;
	const unsigned char prefix = LEAF_PREFIX;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	if (len > 0)
		crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

/* PROTOCOL.md §6.1. OUT may alias LEFT or RIGHT. */
void plm_merkle_node_hash(unsigned char out[PLM_MERKLE_HASH_BYTES],
                          const unsigned char left[PLM_MERKLE_HASH_BYTES],
                          const unsigned char right[PLM_MERKLE_HASH_BYTES])
{
	crypto_hash_sha256_state st;
	const unsigned char prefix = NODE_PREFIX;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, left, PLM_MERKLE_HASH_BYTES);
	crypto_hash_sha256_update(&st, right, PLM_MERKLE_HASH_BYTES);
	crypto_hash_sha256_final(&st, out);
}

void plm_merkle_empty_root(unsigned char out[PLM_MERKLE_HASH_BYTES])
{
	crypto_hash_sha256(out, NULL, 0);
}

/* The largest power of two strictly less than N (N >= 2): the RFC's k. */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while ((k << 1) < n)
		k <<= 1;
	return k;
}

/* Asks the store for one perfect subtree, turning its failure into a report. */
static int fetch_subtree(plm_merkle_subtree_fn subtree, void *ctx, unsigned level,
                         uint64_t index, unsigned char out[PLM_MERKLE_HASH_BYTES],
                         plm_error *err)
{
	int r = subtree(ctx, level, index, out);

	if (r == 0)
		return 0;
	if (r > 0)
		r = PLM_ERR_IO;
	return plm_error_set(err, r,
	                     "the log store could not supply the hash of the "
	                     "subtree at level %u, index %llu (%s)",
	                     level, (unsigned long long)index, plm_strerror(r));
}

/*
 * MTH(D[BEGIN:END]) for 0 <= BEGIN < END, from perfect subtrees only.
 * Every range the RFC's recursion visits starts at a multiple of the
 * smallest power of two >= its width, so it is a run of aligned perfect
 * subtrees of decreasing size (one per set bit of the width), and its MTH
 * is their right fold: H(T1, H(T2, ... H(Tr-1, Tr))). One callback per set
 * bit. PLM_ERR_INVALID if the range is not aligned (a bug in the caller).
 */
static int range_root(uint64_t begin, uint64_t end, plm_merkle_subtree_fn subtree,
                      void *ctx, unsigned char out[PLM_MERKLE_HASH_BYTES],
                      plm_error *err)
{
	unsigned char nodes[RANGE_NODES_MAX][PLM_MERKLE_HASH_BYTES];
	uint64_t width = end - begin, pos = begin, span;
	unsigned level, count = 0;
	int r = 0;

	for (level = RANGE_NODES_MAX; level-- > 0;) {
		if (((width >> level) & 1) == 0)
			continue;
		span = (uint64_t)1 << level;
		if ((pos & (span - 1)) != 0) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "Merkle range [%llu, %llu) is not made of "
			                  "aligned subtrees",
			                  (unsigned long long)begin,
			                  (unsigned long long)end);
			goto out;
		}
		if ((r = fetch_subtree(subtree, ctx, level, pos >> level, nodes[count],
		                       err)) != 0)
			goto out;
		count++;
		pos += span;
	}
	if (count == 0) {
		r = plm_error_set(err, PLM_ERR_INVALID, "empty Merkle range");
		goto out;
	}
	memcpy(out, nodes[count - 1], PLM_MERKLE_HASH_BYTES);
	while (--count > 0)
		plm_merkle_node_hash(out, nodes[count - 1], out);
out:
	return r;
}

/* Reverses the first COUNT hashes of PROOF in place. */
static void proof_reverse(plm_merkle_proof *proof)
{
	unsigned char tmp[PLM_MERKLE_HASH_BYTES];
	unsigned i, j;

	if (proof->count < 2)
		return;
	for (i = 0, j = proof->count - 1; i < j; i++, j--) {
		memcpy(tmp, proof->hashes[i], sizeof(tmp));
		memcpy(proof->hashes[i], proof->hashes[j], sizeof(tmp));
		memcpy(proof->hashes[j], tmp, sizeof(tmp));
	}
}

int plm_merkle_root(uint64_t size, plm_merkle_subtree_fn subtree, void *ctx,
                    unsigned char out[PLM_MERKLE_HASH_BYTES], plm_error *err)
{
	if (subtree == NULL || out == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_root needs a subtree callback and "
		                     "an output buffer");
	if (size > PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a Merkle log holds at most 2^63 leaves, not %llu",
		                     (unsigned long long)size);
	if (size == 0) {
		plm_merkle_empty_root(out);
		return 0;
	}
	return range_root(0, size, subtree, ctx, out, err);
}

/*
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1, walked from the root down: at each
 * split the sibling of the half holding the leaf is one proof hash. The
 * walk finds them top first, the proof lists them deepest first, hence the
 * reversal. Once the walk turns left every later range is perfect, so at
 * most one sibling costs more than one callback.
 */
int plm_merkle_inclusion_prove(plm_merkle_proof *proof, uint64_t index, uint64_t size,
                               plm_merkle_subtree_fn subtree, void *ctx, plm_error *err)
{
	uint64_t begin = 0, end = size, k;
	int r = 0;

	if (proof == NULL || subtree == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_inclusion_prove needs a proof and a "
		                     "subtree callback");
	proof->count = 0;
	if (size > PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a Merkle log holds at most 2^63 leaves, not %llu",
		                     (unsigned long long)size);
	if (index >= size)
		return plm_error_set(
		    err, PLM_ERR_INVALID, "leaf %llu is not in a log of %llu leaves",
		    (unsigned long long)index, (unsigned long long)size);
	while (end - begin > 1) {
		if (proof->count >= PLM_MERKLE_PROOF_MAX) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "inclusion proof would exceed %d hashes",
			                  PLM_MERKLE_PROOF_MAX);
			goto out;
		}
		k = split_point(end - begin);
		if (index < begin + k) {
			r = range_root(begin + k, end, subtree, ctx,
			               proof->hashes[proof->count], err);
			end = begin + k;
		} else {
			r = range_root(begin, begin + k, subtree, ctx,
			               proof->hashes[proof->count], err);
			begin += k;
		}
		if (r != 0)
			goto out;
		proof->count++;
	}
	proof_reverse(proof);
out:
	if (r != 0)
		proof->count = 0;
	return r;
}

/*
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1, walked
 * from the root down. OLD_SIZE stays an absolute leaf count, so the RFC's
 * "m == size of the current range" is "OLD_SIZE == end". Hashes found on
 * the way down are appended by the recursion after the deeper part, so
 * they come out in reverse, after the terminal MTH(D[m]) (present only when
 * the walk went right at least once, i.e. the old root is not itself a
 * node of the new tree).
 */
int plm_merkle_consistency_prove(plm_merkle_proof *proof, uint64_t old_size,
                                 uint64_t new_size, plm_merkle_subtree_fn subtree,
                                 void *ctx, plm_error *err)
{
	uint64_t begin = 0, end = new_size, k;
	int known_old_root = 1; /* the RFC's b */
	int r = 0;

	if (proof == NULL || subtree == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_consistency_prove needs a proof and "
		                     "a subtree callback");
	proof->count = 0;
	if (new_size > PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a Merkle log holds at most 2^63 leaves, not %llu",
		                     (unsigned long long)new_size);
	if (old_size > new_size)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no consistency proof from %llu leaves to fewer "
		                     "(%llu)",
		                     (unsigned long long)old_size,
		                     (unsigned long long)new_size);
	if (old_size == 0 || old_size == new_size)
		return 0; /* PROTOCOL.md §6.3: nothing to prove */
	while (old_size != end) {
		if (proof->count >= PLM_MERKLE_PROOF_MAX) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "consistency proof would exceed %d hashes",
			                  PLM_MERKLE_PROOF_MAX);
			goto out;
		}
		k = split_point(end - begin);
		if (old_size <= begin + k) {
			r = range_root(begin + k, end, subtree, ctx,
			               proof->hashes[proof->count], err);
			end = begin + k;
		} else {
			r = range_root(begin, begin + k, subtree, ctx,
			               proof->hashes[proof->count], err);
			begin += k;
			known_old_root = 0;
		}
		if (r != 0)
			goto out;
		proof->count++;
	}
	if (!known_old_root) {
		if (proof->count >= PLM_MERKLE_PROOF_MAX) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "consistency proof would exceed %d hashes",
			                  PLM_MERKLE_PROOF_MAX);
			goto out;
		}
		if ((r = range_root(begin, end, subtree, ctx,
		                    proof->hashes[proof->count], err)) != 0)
			goto out;
		proof->count++;
	}
	proof_reverse(proof);
out:
	if (r != 0)
		proof->count = 0;
	return r;
}

/* RFC 9162's "right-shift both equally until LSB(fn) is set or fn is 0". */
static void shift_to_odd(uint64_t *fn, uint64_t *sn)
{
	while ((*fn & 1) == 0 && *fn != 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

/* RFC 9162 §2.1.3.2, step by step (PROTOCOL.md §6.2). */
int plm_merkle_inclusion_verify(const unsigned char leaf_hash[PLM_MERKLE_HASH_BYTES],
                                uint64_t index, uint64_t size,
                                const plm_merkle_proof *proof,
                                const unsigned char root[PLM_MERKLE_HASH_BYTES],
                                plm_error *err)
{
	unsigned char r[PLM_MERKLE_HASH_BYTES];
	const unsigned char *p;
	uint64_t fn, sn;
	unsigned i;

	if (leaf_hash == NULL || proof == NULL || root == NULL ||
	    proof->count > PLM_MERKLE_PROOF_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_inclusion_verify needs a leaf hash, "
		                     "a root and a proof of at most %d hashes",
		                     PLM_MERKLE_PROOF_MAX);
	if (size > PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the inclusion proof is for a log of %llu leaves, "
		                     "more than the 2^63 allowed",
		                     (unsigned long long)size);
	/* 1. */
	if (index >= size)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the inclusion proof is for leaf %llu, which is "
		                     "not in a log of %llu leaves",
		                     (unsigned long long)index,
		                     (unsigned long long)size);
	/* 2., 3. */
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, sizeof(r));
	/* 4. */
	for (i = 0; i < proof->count; i++) {
		p = proof->hashes[i];
		if (sn == 0)
			return plm_error_set(
			    err, PLM_ERR_PROOF,
			    "the inclusion proof for leaf %llu of %llu "
			    "has %u hashes, more than such a proof has",
			    (unsigned long long)index, (unsigned long long)size,
			    proof->count);
		if ((fn & 1) == 1 || fn == sn) {
			plm_merkle_node_hash(r, p, r);
			shift_to_odd(&fn, &sn);
		} else {
			plm_merkle_node_hash(r, r, p);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the inclusion proof for leaf %llu of %llu has "
		                     "only %u hashes, fewer than such a proof has",
		                     (unsigned long long)index,
		                     (unsigned long long)size, proof->count);
	if (memcmp(r, root, sizeof(r)) != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the inclusion proof for leaf %llu of %llu does "
		                     "not lead to the signed root: the entry is not "
		                     "in that log, or the proof is damaged",
		                     (unsigned long long)index,
		                     (unsigned long long)size);
	return 0;
}

/*
 * RFC 9162 §2.1.4.2, step by step, for 0 < OLD_SIZE < NEW_SIZE; the edge
 * cases before it are PROTOCOL.md §6.3's. Step 2's "prepend first_hash" is
 * done by reading the path through path_at() instead of copying it.
 */
static const unsigned char *path_at(const plm_merkle_proof *proof,
                                    const unsigned char *prepended, unsigned i)
{
	if (prepended == NULL)
		return proof->hashes[i];
	return i == 0 ? prepended : proof->hashes[i - 1];
}

int plm_merkle_consistency_verify(uint64_t old_size, uint64_t new_size,
                                  const unsigned char old_root[PLM_MERKLE_HASH_BYTES],
                                  const unsigned char new_root[PLM_MERKLE_HASH_BYTES],
                                  const plm_merkle_proof *proof, plm_error *err)
{
	unsigned char fr[PLM_MERKLE_HASH_BYTES], sr[PLM_MERKLE_HASH_BYTES];
	unsigned char empty[PLM_MERKLE_HASH_BYTES];
	const unsigned char *prepended = NULL, *c;
	unsigned i, path_len;
	uint64_t fn, sn;

	if (old_root == NULL || new_root == NULL || proof == NULL ||
	    proof->count > PLM_MERKLE_PROOF_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_consistency_verify needs two roots "
		                     "and a proof of at most %d hashes",
		                     PLM_MERKLE_PROOF_MAX);
	if (new_size > PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the consistency proof is for a log of %llu "
		                     "leaves, more than the 2^63 allowed",
		                     (unsigned long long)new_size);
	if (old_size > new_size)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the log shrank from %llu to %llu leaves: a log "
		                     "only grows, so the server is rolling back "
		                     "history",
		                     (unsigned long long)old_size,
		                     (unsigned long long)new_size);
	if (old_size == 0) {
		plm_merkle_empty_root(empty);
		if (proof->count != 0)
			return plm_error_set(err, PLM_ERR_PROOF,
			                     "a consistency proof from the empty log "
			                     "must be empty, this one has %u hashes",
			                     proof->count);
		if (memcmp(old_root, empty, sizeof(empty)) != 0)
			return plm_error_set(
			    err, PLM_ERR_PROOF,
			    "the old tree head has size 0 but its root "
			    "is not the empty-tree hash");
		if (new_size == 0 && memcmp(new_root, empty, sizeof(empty)) != 0)
			return plm_error_set(
			    err, PLM_ERR_PROOF,
			    "the new tree head has size 0 but its root "
			    "is not the empty-tree hash");
		return 0;
	}
	if (old_size == new_size) {
		if (proof->count != 0)
			return plm_error_set(
			    err, PLM_ERR_PROOF,
			    "a consistency proof between two heads of "
			    "the same size must be empty, this one has "
			    "%u hashes",
			    proof->count);
		if (memcmp(old_root, new_root, PLM_MERKLE_HASH_BYTES) != 0)
			return plm_error_set(
			    err, PLM_ERR_PROOF,
			    "two tree heads of the same size %llu have "
			    "different roots: the log shows different "
			    "histories",
			    (unsigned long long)new_size);
		return 0;
	}
	/* 1. */
	if (proof->count == 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the consistency proof from %llu to %llu leaves "
		                     "is empty",
		                     (unsigned long long)old_size,
		                     (unsigned long long)new_size);
	/* 2. */
	if ((old_size & (old_size - 1)) == 0)
		prepended = old_root;
	path_len = proof->count + (prepended != NULL);
	/* 3. */
	fn = old_size - 1;
	sn = new_size - 1;
	/* 4. */
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	memcpy(fr, path_at(proof, prepended, 0), sizeof(fr));
	memcpy(sr, fr, sizeof(sr));
	/* 6. */
	for (i = 1; i < path_len; i++) {
		c = path_at(proof, prepended, i);
		if (sn == 0)
			return plm_error_set(err, PLM_ERR_PROOF,
			                     "the consistency proof from %llu to %llu "
			                     "leaves has %u hashes, more than such a "
			                     "proof has",
			                     (unsigned long long)old_size,
			                     (unsigned long long)new_size,
			                     proof->count);
		if ((fn & 1) == 1 || fn == sn) {
			plm_merkle_node_hash(fr, c, fr);
			plm_merkle_node_hash(sr, c, sr);
			shift_to_odd(&fn, &sn);
		} else {
			plm_merkle_node_hash(sr, sr, c);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 7. */
	if (memcmp(fr, old_root, sizeof(fr)) != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the consistency proof from %llu to %llu leaves "
		                     "does not lead to the old root: the log rewrote "
		                     "history, or the proof is damaged",
		                     (unsigned long long)old_size,
		                     (unsigned long long)new_size);
	if (memcmp(sr, new_root, sizeof(sr)) != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the consistency proof from %llu to %llu leaves "
		                     "does not lead to the new root: the log rewrote "
		                     "history, or the proof is damaged",
		                     (unsigned long long)old_size,
		                     (unsigned long long)new_size);
	if (sn != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the consistency proof from %llu to %llu leaves "
		                     "has only %u hashes, fewer than such a proof has",
		                     (unsigned long long)old_size,
		                     (unsigned long long)new_size, proof->count);
	return 0;
}

/* PROTOCOL.md §6.5 */
void plm_merkle_proof_put(plm_wbuf *b, const plm_merkle_proof *proof)
{
	unsigned i;

	if (b->status != 0)
		return;
	if (proof == NULL || proof->count > PLM_MERKLE_PROOF_MAX) {
		b->status = plm_error_set(b->err, PLM_ERR_LIMIT,
		                          "%s: a Merkle proof has at most %d hashes",
		                          b->what, PLM_MERKLE_PROOF_MAX);
		return;
	}
	plm_wbuf_u8(b, (uint8_t)proof->count);
	for (i = 0; i < proof->count; i++)
		plm_wbuf_put(b, proof->hashes[i], PLM_MERKLE_HASH_BYTES);
}

/* PROTOCOL.md §6.5. *PROOF is empty (count 0) on failure. */
int plm_merkle_proof_get(plm_rbuf *r, const char *field, plm_merkle_proof *proof)
{
	uint8_t count;
	unsigned i;

	proof->count = 0;
	if (plm_rbuf_u8(r, field, &count) != 0)
		return r->status;
	if (count > PLM_MERKLE_PROOF_MAX)
		return plm_rbuf_fail(r, PLM_ERR_LIMIT, field,
		                     "a Merkle proof has at most %d hashes, not %u",
		                     PLM_MERKLE_PROOF_MAX, count);
	for (i = 0; i < count; i++)
		if (plm_rbuf_fixed(r, field, proof->hashes[i], PLM_MERKLE_HASH_BYTES) !=
		    0)
			return r->status;
	proof->count = count;
	return 0;
}

int plm_merkle_proof_encode(unsigned char out[PLM_MERKLE_PROOF_MAX_BYTES],
                            size_t *outlen, const plm_merkle_proof *proof,
                            plm_error *err)
{
	unsigned i;

	if (out == NULL || outlen == NULL || proof == NULL ||
	    proof->count > PLM_MERKLE_PROOF_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a Merkle proof to encode has at most %d hashes",
		                     PLM_MERKLE_PROOF_MAX);
	out[0] = (unsigned char)proof->count;
	for (i = 0; i < proof->count; i++)
		memcpy(out + 1 + (size_t)i * PLM_MERKLE_HASH_BYTES, proof->hashes[i],
		       PLM_MERKLE_HASH_BYTES);
	*outlen = 1 + (size_t)proof->count * PLM_MERKLE_HASH_BYTES;
	return 0;
}

int plm_merkle_proof_decode(plm_merkle_proof *proof, const unsigned char *in,
                            size_t len, plm_error *err)
{
	plm_rbuf r;
	int status;

	if (proof == NULL || (in == NULL && len > 0))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_proof_decode needs a proof and input");
	plm_rbuf_init(&r, in, len, "Merkle proof", err);
	plm_merkle_proof_get(&r, "hashes", proof);
	if ((status = plm_rbuf_end(&r)) != 0)
		proof->count = 0;
	return status;
}

void plm_merkle_mem_init(plm_merkle_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
}

int plm_merkle_mem_append_hash(plm_merkle_mem *mem,
                               const unsigned char leaf_hash[PLM_MERKLE_HASH_BYTES],
                               plm_error *err)
{
	unsigned char(*grown)[PLM_MERKLE_HASH_BYTES];
	uint64_t cap;

	if (mem == NULL || leaf_hash == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_mem_append needs a log and a leaf");
	if (mem->size >= PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "a Merkle log holds at most 2^63 leaves");
	if (mem->size == mem->cap) {
		cap = mem->cap ? mem->cap * 2 : 64;
		if (cap > SIZE_MAX / PLM_MERKLE_HASH_BYTES ||
		    (grown = realloc(mem->leaf_hashes,
		                     (size_t)cap * PLM_MERKLE_HASH_BYTES)) == NULL)
			return plm_error_set(err, PLM_ERR_NOMEM,
			                     "out of memory for %llu Merkle leaves",
			                     (unsigned long long)cap);
		mem->leaf_hashes = grown;
		mem->cap = cap;
	}
	memcpy(mem->leaf_hashes[mem->size], leaf_hash, PLM_MERKLE_HASH_BYTES);
	mem->size++;
	return 0;
}

int plm_merkle_mem_append(plm_merkle_mem *mem, const void *data, size_t len,
                          plm_error *err)
{
	unsigned char leaf_hash[PLM_MERKLE_HASH_BYTES];

	if (data == NULL && len > 0)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "plm_merkle_mem_append got no leaf data");
	plm_merkle_leaf_hash(leaf_hash, data, len);
	return plm_merkle_mem_append_hash(mem, leaf_hash, err);
}

void plm_merkle_mem_free(plm_merkle_mem *mem)
{
	if (mem == NULL)
		return;
	free(mem->leaf_hashes);
	memset(mem, 0, sizeof(*mem));
}

/* MTH of the 2^LEVEL leaves from FIRST, recomputed (depth LEVEL <= 63). */
static void mem_subtree_hash(const plm_merkle_mem *mem, unsigned level, uint64_t first,
                             unsigned char out[PLM_MERKLE_HASH_BYTES])
{
	unsigned char left[PLM_MERKLE_HASH_BYTES], right[PLM_MERKLE_HASH_BYTES];

	if (level == 0) {
		memcpy(out, mem->leaf_hashes[first], PLM_MERKLE_HASH_BYTES);
		return;
	}
	mem_subtree_hash(mem, level - 1, first, left);
	mem_subtree_hash(mem, level - 1, first + ((uint64_t)1 << (level - 1)), right);
	plm_merkle_node_hash(out, left, right);
}

int plm_merkle_mem_subtree(void *ctx, unsigned level, uint64_t index,
                           unsigned char out[PLM_MERKLE_HASH_BYTES])
{
	const plm_merkle_mem *mem = ctx;

	if (mem == NULL || out == NULL || level >= 64)
		return PLM_ERR_INVALID;
	/* size >> level complete subtrees exist at this level. */
	if (index >= (mem->size >> level))
		return PLM_ERR_NOTFOUND;
	mem_subtree_hash(mem, level, index << level, out);
	return 0;
}

void plm_merkle_entry_leaf(unsigned char out[PLM_MERKLE_HASH_BYTES], int kind,
                           const unsigned char id[32])
{
	unsigned char input[33];

	input[0] = (unsigned char)kind;
	memcpy(input + 1, id, 32);
	plm_merkle_leaf_hash(out, input, sizeof(input));
}
