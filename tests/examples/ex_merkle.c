/*
 * ex_merkle.c - worked examples of PROTOCOL.md §6: the Merkle root of the
 * eight leaves of the RFC 6962 reference tree (tests/vectors/), an inclusion
 * and a consistency proof in the §6.5 encoding, and a signed tree head.
 */
#include "examples.h"

#include <string.h>

#include "keys/merkle.h"
#include "keys/treehead.h"

/* The reference tree's leaves (tests/vectors/merkle-rfc6962.txt). */
static const struct {
	const char *bytes;
	size_t len;
} leaves[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

void examples_merkle(void)
{
	unsigned char root[PLM_MERKLE_HASH_BYTES];
	unsigned char enc[PLM_MERKLE_PROOF_MAX_BYTES];
	unsigned char head_bytes[PLM_TREE_HEAD_BYTES];
	unsigned char seed[PLM_SEED_BYTES];
	plm_identity *log = NULL;
	plm_merkle_proof proof;
	plm_merkle_mem mem;
	plm_tree_head head;
	plm_error err;
	size_t i, len;
	int r;

	memset(&err, 0, sizeof(err));
	plm_merkle_mem_init(&mem);
	for (i = 0; i < 8; i++)
		if ((r = plm_merkle_mem_append(&mem, leaves[i].bytes, leaves[i].len,
		                               &err)) != 0)
			example_die("plm_merkle_mem_append", r, err.message);
	if ((r = plm_merkle_root(8, plm_merkle_mem_subtree, &mem, root, &err)) != 0)
		example_die("plm_merkle_root", r, err.message);
	example_block("merkle-root", "MTH of the eight reference leaves", root,
	              sizeof(root));

	if ((r = plm_merkle_inclusion_prove(&proof, 5, 8, plm_merkle_mem_subtree, &mem,
	                                    &err)) != 0 ||
	    (r = plm_merkle_proof_encode(enc, &len, &proof, &err)) != 0)
		example_die("inclusion proof", r, err.message);
	example_block("merkle-inclusion-proof",
	              "Inclusion proof of leaf index 5 in the tree of 8 leaves", enc,
	              len);

	if ((r = plm_merkle_consistency_prove(&proof, 6, 8, plm_merkle_mem_subtree,
	                                      &mem, &err)) != 0 ||
	    (r = plm_merkle_proof_encode(enc, &len, &proof, &err)) != 0)
		example_die("consistency proof", r, err.message);
	example_block("merkle-consistency-proof",
	              "Consistency proof from 6 to 8 leaves", enc, len);

	example_seed(seed, 0x10);
	if ((r = plm_identity_from_seed(&log, seed, &err)) != 0)
		example_die("plm_identity_from_seed", r, err.message);
	memset(&head, 0, sizeof(head));
	head.tree_size = 8;
	head.timestamp = UINT64_C(1767225600000); /* 2026-01-01T00:00:00Z */
	memcpy(head.root_hash, root, sizeof(root));
	if ((r = plm_tree_head_sign(&head, log, &err)) != 0)
		example_die("plm_tree_head_sign", r, err.message);
	plm_tree_head_encode(head_bytes, &head);
	example_block("tree-head",
	              "Signed tree head of the 8-leaf log, log identity from "
	              "example seed 0x10, timestamp 2026-01-01T00:00:00Z",
	              head_bytes, sizeof(head_bytes));

	plm_identity_free(log);
	plm_merkle_mem_free(&mem);
}
