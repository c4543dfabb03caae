/*
 * merkle.h - the transparency log's Merkle tree (PROTOCOL.md §6), exactly as
 * RFC 9162 section 2.1: SHA-256, leaf hash SHA-256(0x00 || data), node hash
 * SHA-256(0x01 || left || right), the empty tree hashes to SHA-256("").
 *
 * Proof generation does not need the log in memory. It asks a callback for
 * the hashes of perfect subtrees - the subtree at LEVEL and INDEX covers the
 * leaves [INDEX * 2^LEVEL, (INDEX + 1) * 2^LEVEL), level 0 being a single
 * leaf hash - and builds every other hash the RFC's recursion needs from
 * those. A store that keeps complete subtrees answers a proof in O(log n)
 * callbacks; plm_merkle_mem is a small in-memory store for tests and small
 * logs that recomputes them from the leaf hashes.
 *
 * Verification is the RFC's algorithm step by step and needs no callback.
 * Proofs are at most 64 hashes and travel as u8 count || count * [32]
 * (§6.5); what a proof proves (index and size, or old and new size) travels
 * beside it.
 *
 * Errors: arguments a caller controls (generation, encoding) fail with
 * PLM_ERR_INVALID; everything a verifier receives from the network fails
 * with PLM_ERR_PROOF, including an index or size out of range.
 */
#ifndef PLM_MERKLE_H
#define PLM_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/codec.h"
#include "keys/error.h"

#define PLM_MERKLE_HASH_BYTES 32 /* SHA-256 */
#define PLM_MERKLE_PROOF_MAX 64  /* hashes in one proof */
#define PLM_MERKLE_PROOF_MAX_BYTES                                                     \
	(1 + PLM_MERKLE_PROOF_MAX * PLM_MERKLE_HASH_BYTES) /* 2049 */
/* The largest tree: 2^63 leaves, so that every proof fits in 64 hashes. */
#define PLM_MERKLE_MAX_SIZE ((uint64_t)1 << 63)

/*
 * Supplies the hash of the perfect subtree at LEVEL (0..63) and INDEX, i.e.
 * MTH of leaves [INDEX * 2^LEVEL, (INDEX + 1) * 2^LEVEL), into OUT. Returns
 * 0, or a negative PLM_ERR_* code that the caller passes on (a positive
 * value is reported as PLM_ERR_IO). The library only asks for subtrees that
 * lie wholly inside the tree size it was given.
 */
typedef int (*plm_merkle_subtree_fn)(void *ctx, unsigned level, uint64_t index,
                                     unsigned char out[PLM_MERKLE_HASH_BYTES]);

/* A proof: COUNT (0..PLM_MERKLE_PROOF_MAX) hashes, deepest first. */
typedef struct plm_merkle_proof {
	unsigned count;
	unsigned char hashes[PLM_MERKLE_PROOF_MAX][PLM_MERKLE_HASH_BYTES];
} plm_merkle_proof;

/* RFC 9162 hashes (PROTOCOL.md §6.1). */
void plm_merkle_leaf_hash(unsigned char out[PLM_MERKLE_HASH_BYTES], const void *data,
                          size_t len);
void plm_merkle_node_hash(unsigned char out[PLM_MERKLE_HASH_BYTES],
                          const unsigned char left[PLM_MERKLE_HASH_BYTES],
                          const unsigned char right[PLM_MERKLE_HASH_BYTES]);
/* What a log entry points at (PROTOCOL.md §6.6). */
enum plm_log_entry_kind { PLM_LOG_RECORD = 1, PLM_LOG_ENVELOPE = 2 };
/*
 * The leaf hash of the log entry for object ID of KIND: RFC 9162's leaf
 * hash over the 33 bytes u8 kind || [32] id (PROTOCOL.md §6.6).
 */
void plm_merkle_entry_leaf(unsigned char out[PLM_MERKLE_HASH_BYTES], int kind,
                           const unsigned char id[32]);
/* MTH({}) = SHA-256 of the empty string. */
void plm_merkle_empty_root(unsigned char out[PLM_MERKLE_HASH_BYTES]);

/*
 * MTH of the first SIZE leaves (0..2^63) of the log behind SUBTREE/CTX.
 * Fails with PLM_ERR_INVALID for a size over 2^63, or with whatever the
 * callback returned.
 */
int plm_merkle_root(uint64_t size, plm_merkle_subtree_fn subtree, void *ctx,
                    unsigned char out[PLM_MERKLE_HASH_BYTES], plm_error *err);

/*
 * Inclusion proof PATH(INDEX, D[SIZE]) (RFC 9162 §2.1.3.1) into *PROOF.
 * PLM_ERR_INVALID if INDEX >= SIZE or SIZE > 2^63; callback errors pass on.
 */
int plm_merkle_inclusion_prove(plm_merkle_proof *proof, uint64_t index, uint64_t size,
                               plm_merkle_subtree_fn subtree, void *ctx,
                               plm_error *err);
/*
 * Checks that LEAF_HASH is leaf INDEX of the tree of SIZE leaves whose root
 * is ROOT, with RFC 9162 §2.1.3.2. PLM_ERR_PROOF if not (index out of range,
 * proof too short or too long, wrong hash); PLM_ERR_INVALID for a proof
 * struct with more than 64 hashes.
 */
int plm_merkle_inclusion_verify(const unsigned char leaf_hash[PLM_MERKLE_HASH_BYTES],
                                uint64_t index, uint64_t size,
                                const plm_merkle_proof *proof,
                                const unsigned char root[PLM_MERKLE_HASH_BYTES],
                                plm_error *err);

/*
 * Consistency proof PROOF(OLD_SIZE, D[NEW_SIZE]) (RFC 9162 §2.1.4.1) into
 * *PROOF. Empty when OLD_SIZE is 0 or equal to NEW_SIZE. PLM_ERR_INVALID if
 * OLD_SIZE > NEW_SIZE or NEW_SIZE > 2^63; callback errors pass on.
 */
int plm_merkle_consistency_prove(plm_merkle_proof *proof, uint64_t old_size,
                                 uint64_t new_size, plm_merkle_subtree_fn subtree,
                                 void *ctx, plm_error *err);
/*
 * Checks that the tree of OLD_SIZE leaves with root OLD_ROOT is a prefix of
 * the tree of NEW_SIZE leaves with root NEW_ROOT (RFC 9162 §2.1.4.2, with
 * the edge cases of PROTOCOL.md §6.3: OLD_SIZE 0 needs an empty proof and
 * the empty-tree root, equal sizes need an empty proof and equal roots).
 * PLM_ERR_PROOF if not, including OLD_SIZE > NEW_SIZE (a rollback);
 * PLM_ERR_INVALID for a proof struct with more than 64 hashes.
 */
int plm_merkle_consistency_verify(uint64_t old_size, uint64_t new_size,
                                  const unsigned char old_root[PLM_MERKLE_HASH_BYTES],
                                  const unsigned char new_root[PLM_MERKLE_HASH_BYTES],
                                  const plm_merkle_proof *proof, plm_error *err);

/*
 * Proof encoding (PROTOCOL.md §6.5): u8 count (0..64), count * [32].
 * _put appends to a write buffer (a count over 64 fails it with
 * PLM_ERR_LIMIT); _get reads one from a read buffer (PLM_ERR_LIMIT for a
 * count over 64, PLM_ERR_TRUNCATED when hashes are missing). FIELD names
 * the proof in error messages.
 */
void plm_merkle_proof_put(plm_wbuf *b, const plm_merkle_proof *proof);
int plm_merkle_proof_get(plm_rbuf *r, const char *field, plm_merkle_proof *proof);
/* Writes the encoding into OUT and its length into *OUTLEN. */
int plm_merkle_proof_encode(unsigned char out[PLM_MERKLE_PROOF_MAX_BYTES],
                            size_t *outlen, const plm_merkle_proof *proof,
                            plm_error *err);
/* Strict decode of exactly LEN bytes; PLM_ERR_TRAILING for bytes left over. */
int plm_merkle_proof_decode(plm_merkle_proof *proof, const unsigned char *in,
                            size_t len, plm_error *err);

/*
 * In-memory log: a growable array of leaf hashes. Zero it (or call
 * plm_merkle_mem_init), append, pass plm_merkle_mem_subtree with the
 * struct's address as CTX, and release with plm_merkle_mem_free. Each
 * subtree callback recomputes its hash from the leaves (2^level hashes):
 * fine for tests and small logs, not for a server.
 */
typedef struct plm_merkle_mem {
	unsigned char (*leaf_hashes)[PLM_MERKLE_HASH_BYTES];
	uint64_t size;
	uint64_t cap;
} plm_merkle_mem;

void plm_merkle_mem_init(plm_merkle_mem *mem);
/* Appends the leaf hash of DATA. PLM_ERR_NOMEM, or PLM_ERR_LIMIT at 2^63. */
int plm_merkle_mem_append(plm_merkle_mem *mem, const void *data, size_t len,
                          plm_error *err);
/* Appends an already computed leaf hash. */
int plm_merkle_mem_append_hash(plm_merkle_mem *mem,
                               const unsigned char leaf_hash[PLM_MERKLE_HASH_BYTES],
                               plm_error *err);
/* Frees the array and zeroes MEM; accepts NULL and a zeroed struct. */
void plm_merkle_mem_free(plm_merkle_mem *mem);
/*
 * plm_merkle_subtree_fn over a plm_merkle_mem (CTX). PLM_ERR_NOTFOUND when
 * the subtree is not wholly inside the leaves appended so far.
 */
int plm_merkle_mem_subtree(void *ctx, unsigned level, uint64_t index,
                           unsigned char out[PLM_MERKLE_HASH_BYTES]);

#endif
