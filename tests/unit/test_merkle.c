/*
 * test_merkle.c - RFC 9162 Merkle hashing and proofs (keys/merkle.h).
 *
 * Known answers come from published vectors in tests/vectors/ (see its
 * README.md), found through $PLM_TOP. Beyond them: every corruption of a
 * published proof is rejected with PLM_ERR_PROOF, generated proofs equal a
 * literal transcription of the RFC's recursive definitions for every tree
 * up to 64 leaves, proof generation asks the store for exactly the
 * published set of subtrees, and trees of 2^63 leaves work.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/merkle.h"
#include "tests/unit/check.h"

#define HASH PLM_MERKLE_HASH_BYTES

/* ---- reading tests/vectors ---- */

struct proof_vector {
	uint64_t a, b; /* index and size, or old and new size */
	plm_merkle_proof proof;
};

struct vectors {
	unsigned char empty[HASH];
	unsigned char leaves[8][64];
	size_t leaf_len[8];
	unsigned nleaves;
	unsigned char roots[9][HASH];
	int have_root[9];
	struct proof_vector inclusion[16];
	unsigned ninclusion;
	struct proof_vector consistency[16];
	unsigned nconsistency;
};

struct node_vector {
	int consistency;
	uint64_t a, b;
	unsigned count;
	unsigned level[16];
	uint64_t index[16];
};

static struct vectors vec;
static struct node_vector node_vec[64];
static unsigned n_node_vec;

static FILE *open_vector_file(const char *name)
{
	const char *top = getenv("PLM_TOP");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/vectors/%s", top ? top : ".", name);
	return fopen(path, "r");
}

/* Decodes hex TEXT into exactly N bytes ("-" means zero bytes). */
static int hex_exact(unsigned char *out, size_t n, const char *text)
{
	size_t len = 0;

	if (strcmp(text, "-") == 0)
		return n == 0 ? 0 : -1;
	if (sodium_hex2bin(out, n, text, strlen(text), NULL, &len, NULL) != 0 ||
	    len != n || strlen(text) != 2 * n)
		return -1;
	return 0;
}

static int parse_u64(const char *text, uint64_t *v)
{
	char *end;

	if (text == NULL)
		return -1;
	*v = strtoull(text, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* Reads the hex hashes left on the strtok line into PROOF. */
static int parse_hashes(plm_merkle_proof *proof)
{
	char *tok;

	proof->count = 0;
	while ((tok = strtok(NULL, " \n")) != NULL) {
		if (proof->count >= PLM_MERKLE_PROOF_MAX ||
		    hex_exact(proof->hashes[proof->count], HASH, tok) != 0)
			return -1;
		proof->count++;
	}
	return 0;
}

/* Loads merkle-rfc6962.txt into VEC once; 0 on success. */
static int load_vectors(void)
{
	static int loaded;
	char line[4096], *kw, *tok;
	struct proof_vector *pv;
	uint64_t size;
	FILE *f;
	int bad = 0;

	if (loaded)
		return 0;
	memset(&vec, 0, sizeof(vec));
	if ((f = open_vector_file("merkle-rfc6962.txt")) == NULL)
		return -1;
	while (!bad && fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		kw = strtok(line, " \n");
		if (kw == NULL)
			continue;
		if (strcmp(kw, "empty") == 0) {
			tok = strtok(NULL, " \n");
			bad = tok == NULL || hex_exact(vec.empty, HASH, tok) != 0;
		} else if (strcmp(kw, "leaf") == 0) {
			tok = strtok(NULL, " \n");
			if (tok == NULL || vec.nleaves >= 8) {
				bad = 1;
				break;
			}
			vec.leaf_len[vec.nleaves] =
			    strcmp(tok, "-") == 0 ? 0 : strlen(tok) / 2;
			bad = hex_exact(vec.leaves[vec.nleaves],
			                vec.leaf_len[vec.nleaves], tok) != 0;
			vec.nleaves++;
		} else if (strcmp(kw, "root") == 0) {
			bad = parse_u64(strtok(NULL, " \n"), &size) != 0 || size < 1 ||
			      size > 8;
			tok = strtok(NULL, " \n");
			if (!bad && tok != NULL &&
			    hex_exact(vec.roots[size], HASH, tok) == 0)
				vec.have_root[size] = 1;
			else
				bad = 1;
		} else if (strcmp(kw, "inclusion") == 0 ||
		           strcmp(kw, "consistency") == 0) {
			if (kw[0] == 'i')
				pv = vec.ninclusion < 16
				         ? &vec.inclusion[vec.ninclusion++]
				         : NULL;
			else
				pv = vec.nconsistency < 16
				         ? &vec.consistency[vec.nconsistency++]
				         : NULL;
			bad = pv == NULL ||
			      parse_u64(strtok(NULL, " \n"), &pv->a) != 0 ||
			      parse_u64(strtok(NULL, " \n"), &pv->b) != 0 ||
			      parse_hashes(&pv->proof) != 0;
		} else {
			bad = 1;
		}
	}
	fclose(f);
	if (bad || vec.nleaves != 8 || vec.ninclusion == 0 || vec.nconsistency == 0)
		return -1;
	loaded = 1;
	return 0;
}

/* Loads merkle-proof-nodes.txt once; 0 on success. */
static int load_node_vectors(void)
{
	static int loaded;
	char line[4096], *kw, *tok, *colon;
	struct node_vector *nv;
	uint64_t level;
	FILE *f;
	int bad = 0;

	if (loaded)
		return 0;
	if ((f = open_vector_file("merkle-proof-nodes.txt")) == NULL)
		return -1;
	while (!bad && fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		kw = strtok(line, " \n");
		if (kw == NULL)
			continue;
		if (n_node_vec >= 64 || (strcmp(kw, "inclusion-nodes") != 0 &&
		                         strcmp(kw, "consistency-nodes") != 0)) {
			bad = 1;
			break;
		}
		nv = &node_vec[n_node_vec++];
		memset(nv, 0, sizeof(*nv));
		nv->consistency = kw[0] == 'c';
		bad = parse_u64(strtok(NULL, " \n"), &nv->a) != 0 ||
		      parse_u64(strtok(NULL, " \n"), &nv->b) != 0;
		while (!bad && (tok = strtok(NULL, " \n")) != NULL) {
			colon = strchr(tok, ':');
			if (colon == NULL || nv->count >= 16) {
				bad = 1;
				break;
			}
			*colon = '\0';
			bad = parse_u64(tok, &level) != 0 || level > 63 ||
			      parse_u64(colon + 1, &nv->index[nv->count]) != 0;
			nv->level[nv->count++] = (unsigned)level;
		}
	}
	fclose(f);
	if (bad || n_node_vec == 0)
		return -1;
	loaded = 1;
	return 0;
}

/* The in-memory log of the 8 published leaves. */
static int published_log(plm_merkle_mem *mem)
{
	unsigned i;

	plm_merkle_mem_init(mem);
	for (i = 0; i < vec.nleaves; i++)
		if (plm_merkle_mem_append(mem, vec.leaves[i], vec.leaf_len[i], NULL) !=
		    0)
			return -1;
	return 0;
}

/* ---- reference implementation: RFC 9162 §2.1 transcribed literally ---- */

static uint64_t ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

static void ref_mth(const unsigned char (*d)[HASH], uint64_t n, unsigned char out[HASH])
{
	unsigned char l[HASH], r[HASH];
	uint64_t k;

	if (n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HASH);
		return;
	}
	k = ref_split(n);
	ref_mth(d, k, l);
	ref_mth(d + k, n - k, r);
	plm_merkle_node_hash(out, l, r);
}

static void ref_append(plm_merkle_proof *p, const unsigned char (*d)[HASH], uint64_t n)
{
	ref_mth(d, n, p->hashes[p->count++]);
}

/* PATH(m, D[n]) */
static void ref_path(uint64_t m, const unsigned char (*d)[HASH], uint64_t n,
                     plm_merkle_proof *p)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = ref_split(n);
	if (m < k) {
		ref_path(m, d, k, p);
		ref_append(p, d + k, n - k);
	} else {
		ref_path(m - k, d + k, n - k, p);
		ref_append(p, d, k);
	}
}

/* SUBPROOF(m, D[n], b) */
static void ref_subproof(uint64_t m, const unsigned char (*d)[HASH], uint64_t n, int b,
                         plm_merkle_proof *p)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_append(p, d, m);
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		ref_subproof(m, d, k, b, p);
		ref_append(p, d + k, n - k);
	} else {
		ref_subproof(m - k, d + k, n - k, 0, p);
		ref_append(p, d, k);
	}
}

static int proof_equal(const plm_merkle_proof *a, const plm_merkle_proof *b)
{
	return a->count == b->count &&
	       memcmp(a->hashes, b->hashes, (size_t)a->count * HASH) == 0;
}

/* ---- callbacks ---- */

/* Records every subtree asked for, then answers from a plm_merkle_mem. */
struct recorder {
	plm_merkle_mem *mem;
	unsigned count;
	unsigned level[128];
	uint64_t index[128];
};

static int recording_subtree(void *ctx, unsigned level, uint64_t index,
                             unsigned char out[HASH])
{
	struct recorder *rec = ctx;

	if (rec->count < 128) {
		rec->level[rec->count] = level;
		rec->index[rec->count] = index;
	}
	rec->count++;
	return plm_merkle_mem_subtree(rec->mem, level, index, out);
}

/*
 * A log of any size up to 2^63 whose leaves all have the same hash: the
 * perfect subtree at level h is then uniform[h], uniform[h+1] =
 * H(uniform[h], uniform[h]), so every subtree costs nothing to answer.
 */
struct uniform_log {
	unsigned char level_hash[64][HASH];
	uint64_t size;
	unsigned calls;
};

static void uniform_init(struct uniform_log *u, uint64_t size)
{
	unsigned h;

	plm_merkle_leaf_hash(u->level_hash[0], "palermo", 7);
	for (h = 1; h < 64; h++)
		plm_merkle_node_hash(u->level_hash[h], u->level_hash[h - 1],
		                     u->level_hash[h - 1]);
	u->size = size;
	u->calls = 0;
}

static int uniform_subtree(void *ctx, unsigned level, uint64_t index,
                           unsigned char out[HASH])
{
	struct uniform_log *u = ctx;

	u->calls++;
	if (level > 63 || index >= (u->size >> level))
		return PLM_ERR_NOTFOUND;
	memcpy(out, u->level_hash[level], HASH);
	return 0;
}

static int failing_subtree(void *ctx, unsigned level, uint64_t index,
                           unsigned char out[HASH])
{
	(void)level;
	(void)index;
	memset(out, 0, HASH);
	return *(int *)ctx;
}

/* ---- known answers ---- */

static void test_published_roots(void)
{
	plm_merkle_mem mem;
	unsigned char root[HASH], leaf[HASH];
	plm_error err;
	uint64_t size;

	CHECK(load_vectors() == 0);
	CHECK(published_log(&mem) == 0);
	plm_merkle_empty_root(root);
	CHECK_MEM(root, vec.empty, HASH);
	CHECK_INT(plm_merkle_root(0, plm_merkle_mem_subtree, &mem, root, &err), 0);
	CHECK_MEM(root, vec.empty, HASH);
	for (size = 1; size <= 8; size++) {
		CHECK(vec.have_root[size]);
		CHECK_INT(
		    plm_merkle_root(size, plm_merkle_mem_subtree, &mem, root, &err), 0);
		CHECK_MEM(root, vec.roots[size], HASH);
	}
	/* A one-leaf tree's root is that leaf's hash. */
	plm_merkle_leaf_hash(leaf, vec.leaves[0], vec.leaf_len[0]);
	CHECK_MEM(leaf, vec.roots[1], HASH);
	plm_merkle_mem_free(&mem);
}

static void test_published_inclusion(void)
{
	plm_merkle_mem mem;
	plm_merkle_proof proof;
	unsigned char leaf[HASH];
	plm_error err;
	unsigned i;

	CHECK(load_vectors() == 0);
	CHECK(published_log(&mem) == 0);
	for (i = 0; i < vec.ninclusion; i++) {
		const struct proof_vector *v = &vec.inclusion[i];

		CHECK_INT(plm_merkle_inclusion_prove(
		              &proof, v->a, v->b, plm_merkle_mem_subtree, &mem, &err),
		          0);
		CHECK(proof_equal(&proof, &v->proof));
		plm_merkle_leaf_hash(leaf, vec.leaves[v->a], vec.leaf_len[v->a]);
		CHECK_INT(plm_merkle_inclusion_verify(leaf, v->a, v->b, &v->proof,
		                                      vec.roots[v->b], &err),
		          0);
	}
	plm_merkle_mem_free(&mem);
}

static void test_published_consistency(void)
{
	plm_merkle_mem mem;
	plm_merkle_proof proof;
	plm_error err;
	unsigned i;

	CHECK(load_vectors() == 0);
	CHECK(published_log(&mem) == 0);
	for (i = 0; i < vec.nconsistency; i++) {
		const struct proof_vector *v = &vec.consistency[i];

		CHECK_INT(plm_merkle_consistency_prove(
		              &proof, v->a, v->b, plm_merkle_mem_subtree, &mem, &err),
		          0);
		CHECK(proof_equal(&proof, &v->proof));
		CHECK_INT(plm_merkle_consistency_verify(v->a, v->b, vec.roots[v->a],
		                                        vec.roots[v->b], &v->proof,
		                                        &err),
		          0);
	}
	plm_merkle_mem_free(&mem);
}

/* ---- corrupted published proofs ---- */

/* Inserts HASH_ at position AT of a copy of SRC. */
static void proof_insert(plm_merkle_proof *dst, const plm_merkle_proof *src,
                         unsigned at, const unsigned char hash_[HASH])
{
	unsigned i, j = 0;

	dst->count = 0;
	for (i = 0; i <= src->count; i++) {
		if (i == at)
			memcpy(dst->hashes[dst->count++], hash_, HASH);
		if (i < src->count)
			memcpy(dst->hashes[dst->count++], src->hashes[j++], HASH);
	}
}

static void test_inclusion_corrupted(void)
{
	plm_merkle_proof bad;
	unsigned char leaf[HASH], other[HASH], zero[HASH] = {0};
	plm_error err;
	unsigned i, h, bit;

	CHECK(load_vectors() == 0);
	for (i = 0; i < vec.ninclusion; i++) {
		const struct proof_vector *v = &vec.inclusion[i];
		const plm_merkle_proof *p = &v->proof;
		const unsigned char *root = vec.roots[v->b];
		uint64_t idx = v->a, size = v->b;

		plm_merkle_leaf_hash(leaf, vec.leaves[idx], vec.leaf_len[idx]);
		/* Every single flipped bit of every proof hash. */
		for (h = 0; h < p->count; h++)
			for (bit = 0; bit < 8 * HASH; bit++) {
				bad = *p;
				bad.hashes[h][bit / 8] ^=
				    (unsigned char)(1u << (bit % 8));
				CHECK_INT(plm_merkle_inclusion_verify(leaf, idx, size,
				                                      &bad, root, NULL),
				          PLM_ERR_PROOF);
			}
		/* Wrong index (idx - 1 wraps for 0: out of range, still rejected). */
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx - 1, size, p, root, NULL),
		    PLM_ERR_PROOF);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx + 1, size, p, root, NULL),
		    PLM_ERR_PROOF);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx ^ 2, size, p, root, NULL),
		    PLM_ERR_PROOF);
		/* Wrong size. */
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size * 2, p, root, NULL),
		    PLM_ERR_PROOF);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size / 2, p, root, NULL),
		    PLM_ERR_PROOF);
		/* Wrong leaf or root. */
		plm_merkle_leaf_hash(other, "WrongLeaf", 9);
		CHECK_INT(plm_merkle_inclusion_verify(other, idx, size, p, root, NULL),
		          PLM_ERR_PROOF);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size, p, vec.empty, NULL),
		    PLM_ERR_PROOF);
		memcpy(other, root, HASH);
		other[HASH - 1] ^= 1;
		CHECK_INT(plm_merkle_inclusion_verify(leaf, idx, size, p, other, NULL),
		          PLM_ERR_PROOF);
		/* Extended at the end or the front. */
		proof_insert(&bad, p, p->count, zero);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size, &bad, root, &err),
		    PLM_ERR_PROOF);
		CHECK(strstr(err.message, "more than such a proof has") != NULL);
		proof_insert(&bad, p, p->count, root);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size, &bad, root, NULL),
		    PLM_ERR_PROOF);
		proof_insert(&bad, p, 0, zero);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size, &bad, root, NULL),
		    PLM_ERR_PROOF);
		proof_insert(&bad, p, 0, root);
		CHECK_INT(
		    plm_merkle_inclusion_verify(leaf, idx, size, &bad, root, NULL),
		    PLM_ERR_PROOF);
		if (p->count > 0) {
			/* Truncated. */
			bad = *p;
			bad.count--;
			CHECK_INT(plm_merkle_inclusion_verify(leaf, idx, size, &bad,
			                                      root, &err),
			          PLM_ERR_PROOF);
			CHECK(strstr(err.message, "fewer than such a proof has") !=
			      NULL);
			/* A hash inserted in the middle. */
			proof_insert(&bad, p, 1, vec.empty);
			CHECK_INT(plm_merkle_inclusion_verify(leaf, idx, size, &bad,
			                                      root, NULL),
			          PLM_ERR_PROOF);
		}
	}
}

static void test_consistency_corrupted(void)
{
	plm_merkle_proof bad, empty_proof = {0};
	unsigned char zero[HASH] = {0}, other[HASH];
	plm_error err;
	unsigned i, h, bit;

	CHECK(load_vectors() == 0);
	for (i = 0; i < vec.nconsistency; i++) {
		const struct proof_vector *v = &vec.consistency[i];
		const plm_merkle_proof *p = &v->proof;
		uint64_t m = v->a, n = v->b;
		const unsigned char *r1 = vec.roots[m], *r2 = vec.roots[n];

		if (p->count == 0)
			continue; /* m == n: see test_consistency_edges */
		for (h = 0; h < p->count; h++)
			for (bit = 0; bit < 8 * HASH; bit++) {
				bad = *p;
				bad.hashes[h][bit / 8] ^=
				    (unsigned char)(1u << (bit % 8));
				CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2,
				                                        &bad, NULL),
				          PLM_ERR_PROOF);
			}
		/* Wrong old size. */
		CHECK_INT(plm_merkle_consistency_verify(m - 1, n, r1, r2, p, NULL),
		          PLM_ERR_PROOF);
		CHECK_INT(plm_merkle_consistency_verify(m + 1, n, r1, r2, p, NULL),
		          PLM_ERR_PROOF);
		CHECK_INT(plm_merkle_consistency_verify(m ^ 2, n, r1, r2, p, NULL),
		          PLM_ERR_PROOF);
		/* Wrong new size. */
		CHECK_INT(plm_merkle_consistency_verify(m, n * 2, r1, r2, p, NULL),
		          PLM_ERR_PROOF);
		CHECK_INT(plm_merkle_consistency_verify(m, n / 2, r1, r2, p, NULL),
		          PLM_ERR_PROOF);
		/* Wrong or swapped roots. */
		memcpy(other, r1, HASH);
		other[0] ^= 0x80;
		CHECK_INT(plm_merkle_consistency_verify(m, n, other, r2, p, NULL),
		          PLM_ERR_PROOF);
		memcpy(other, r2, HASH);
		other[0] ^= 0x80;
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, other, p, NULL),
		          PLM_ERR_PROOF);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r2, r1, p, NULL),
		          PLM_ERR_PROOF);
		/* Empty, truncated, extended. */
		CHECK_INT(
		    plm_merkle_consistency_verify(m, n, r1, r2, &empty_proof, NULL),
		    PLM_ERR_PROOF);
		bad = *p;
		bad.count--;
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
		proof_insert(&bad, p, p->count, zero);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, &err),
		          PLM_ERR_PROOF);
		CHECK(strstr(err.message, "more than such a proof has") != NULL);
		proof_insert(&bad, p, p->count, r1);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
		proof_insert(&bad, p, p->count, r2);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
		proof_insert(&bad, p, 0, zero);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
		proof_insert(&bad, p, 0, r1);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
		proof_insert(&bad, p, 0, r2);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
		proof_insert(&bad, p, 0, p->hashes[0]);
		CHECK_INT(plm_merkle_consistency_verify(m, n, r1, r2, &bad, NULL),
		          PLM_ERR_PROOF);
	}
}

/* ---- edge cases ---- */

static void test_inclusion_edges(void)
{
	plm_merkle_proof empty_proof = {0}, too_long = {0};
	unsigned char leaf[HASH], other[HASH];
	plm_error err;

	plm_merkle_leaf_hash(leaf, "data", 4);
	plm_merkle_leaf_hash(other, "atad", 4);
	/* A one-leaf tree: empty proof, root = leaf hash. */
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, 1, &empty_proof, leaf, &err), 0);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, 1, &empty_proof, other, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_inclusion_verify(other, 0, 1, &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	/* Index out of range, including every index of the empty tree. */
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, 0, &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	CHECK(strstr(err.message, "not in a log") != NULL);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 1, 0, &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 1, 1, &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 2, 1, &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, UINT64_MAX, UINT64_MAX,
	                                      &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	/* Sizes over 2^63. */
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, PLM_MERKLE_MAX_SIZE + 1,
	                                      &empty_proof, leaf, &err),
	          PLM_ERR_PROOF);
	/* A proof struct that cannot exist. */
	too_long.count = PLM_MERKLE_PROOF_MAX + 1;
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, 1, &too_long, leaf, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_verify(NULL, 0, 1, &empty_proof, leaf, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, 1, NULL, leaf, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_verify(leaf, 0, 1, &empty_proof, NULL, &err),
	          PLM_ERR_INVALID);
}

static void test_consistency_edges(void)
{
	plm_merkle_proof empty_proof = {0}, one = {0}, too_long = {0};
	unsigned char empty[HASH], a[HASH], b[HASH];
	plm_error err;

	plm_merkle_empty_root(empty);
	plm_merkle_leaf_hash(a, "a", 1);
	plm_merkle_leaf_hash(b, "b", 1);
	one.count = 1;
	memcpy(one.hashes[0], empty, HASH);

	/* m > n: a rollback, whatever the proof. */
	CHECK_INT(plm_merkle_consistency_verify(1, 0, a, empty, &empty_proof, &err),
	          PLM_ERR_PROOF);
	CHECK(strstr(err.message, "shrank") != NULL);
	CHECK_INT(plm_merkle_consistency_verify(2, 1, a, b, &empty_proof, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_consistency_verify(8, 5, a, b, &one, &err), PLM_ERR_PROOF);
	/* m == 0: empty proof, and the old root must be the empty-tree hash. */
	CHECK_INT(plm_merkle_consistency_verify(0, 0, empty, empty, &empty_proof, &err),
	          0);
	CHECK_INT(plm_merkle_consistency_verify(0, 1, empty, a, &empty_proof, &err), 0);
	CHECK_INT(plm_merkle_consistency_verify(0, 12345, empty, b, &empty_proof, &err),
	          0);
	CHECK_INT(plm_merkle_consistency_verify(0, 1, a, a, &empty_proof, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_consistency_verify(0, 0, empty, empty, &one, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_consistency_verify(0, 1, empty, a, &one, &err),
	          PLM_ERR_PROOF);
	/* m == n: empty proof and equal roots. */
	CHECK_INT(plm_merkle_consistency_verify(1, 1, a, a, &empty_proof, &err), 0);
	CHECK_INT(plm_merkle_consistency_verify(7, 7, b, b, &empty_proof, &err), 0);
	CHECK_INT(plm_merkle_consistency_verify(1, 1, a, b, &empty_proof, &err),
	          PLM_ERR_PROOF);
	CHECK(strstr(err.message, "different histories") != NULL);
	CHECK_INT(plm_merkle_consistency_verify(1, 1, a, a, &one, &err), PLM_ERR_PROOF);
	CHECK_INT(plm_merkle_consistency_verify(0, 0, empty, a, &empty_proof, &err),
	          PLM_ERR_PROOF);
	/* 0 < m < n needs a non-empty proof. */
	CHECK_INT(plm_merkle_consistency_verify(1, 2, a, b, &empty_proof, &err),
	          PLM_ERR_PROOF);
	/* Sizes over 2^63 and impossible proof structs. */
	CHECK_INT(
	    plm_merkle_consistency_verify(1, PLM_MERKLE_MAX_SIZE + 1, a, b, &one, &err),
	    PLM_ERR_PROOF);
	too_long.count = PLM_MERKLE_PROOF_MAX + 1;
	CHECK_INT(plm_merkle_consistency_verify(1, 2, a, b, &too_long, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_consistency_verify(1, 2, NULL, b, &one, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_consistency_verify(1, 2, a, NULL, &one, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_consistency_verify(1, 2, a, b, NULL, &err),
	          PLM_ERR_INVALID);
}

static void test_generation_errors(void)
{
	plm_merkle_mem mem;
	plm_merkle_proof proof;
	unsigned char root[HASH];
	plm_error err;
	int code;

	CHECK(load_vectors() == 0);
	CHECK(published_log(&mem) == 0);
	/* Index out of range (the sources' error cases, among others). */
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 0, 0, plm_merkle_mem_subtree, &mem,
	                                     &err),
	          PLM_ERR_INVALID);
	CHECK_INT(proof.count, 0);
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 1, 0, plm_merkle_mem_subtree, &mem,
	                                     &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 2, 1, plm_merkle_mem_subtree, &mem,
	                                     &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 3, 0, plm_merkle_mem_subtree, &mem,
	                                     &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 8, 7, plm_merkle_mem_subtree, &mem,
	                                     &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 0, PLM_MERKLE_MAX_SIZE + 1,
	                                     plm_merkle_mem_subtree, &mem, &err),
	          PLM_ERR_INVALID);
	/* m > n, n over 2^63. */
	CHECK_INT(plm_merkle_consistency_prove(&proof, 5, 0, plm_merkle_mem_subtree,
	                                       &mem, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_consistency_prove(&proof, 9, 8, plm_merkle_mem_subtree,
	                                       &mem, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_consistency_prove(&proof, 1, PLM_MERKLE_MAX_SIZE + 1,
	                                       plm_merkle_mem_subtree, &mem, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_root(PLM_MERKLE_MAX_SIZE + 1, plm_merkle_mem_subtree, &mem,
	                          root, &err),
	          PLM_ERR_INVALID);
	/* m == 0 and m == n: empty proofs. */
	CHECK_INT(plm_merkle_consistency_prove(&proof, 0, 8, plm_merkle_mem_subtree,
	                                       &mem, &err),
	          0);
	CHECK_INT(proof.count, 0);
	CHECK_INT(plm_merkle_consistency_prove(&proof, 0, 0, plm_merkle_mem_subtree,
	                                       &mem, &err),
	          0);
	CHECK_INT(proof.count, 0);
	CHECK_INT(plm_merkle_consistency_prove(&proof, 8, 8, plm_merkle_mem_subtree,
	                                       &mem, &err),
	          0);
	CHECK_INT(proof.count, 0);
	/* A tree larger than the store: the store's answer comes through. */
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 0, 9, plm_merkle_mem_subtree, &mem,
	                                     &err),
	          PLM_ERR_NOTFOUND);
	CHECK_INT(err.code, PLM_ERR_NOTFOUND);
	CHECK_INT(proof.count, 0);
	CHECK_INT(plm_merkle_root(9, plm_merkle_mem_subtree, &mem, root, &err),
	          PLM_ERR_NOTFOUND);
	CHECK_INT(plm_merkle_consistency_prove(&proof, 3, 9, plm_merkle_mem_subtree,
	                                       &mem, &err),
	          PLM_ERR_NOTFOUND);
	/* A failing store: its code, or PLM_ERR_IO for a positive one. */
	code = PLM_ERR_CORRUPT;
	CHECK_INT(plm_merkle_root(5, failing_subtree, &code, root, &err),
	          PLM_ERR_CORRUPT);
	CHECK(strstr(err.message, "subtree") != NULL);
	CHECK_INT(
	    plm_merkle_inclusion_prove(&proof, 1, 5, failing_subtree, &code, &err),
	    PLM_ERR_CORRUPT);
	CHECK_INT(
	    plm_merkle_consistency_prove(&proof, 3, 5, failing_subtree, &code, &err),
	    PLM_ERR_CORRUPT);
	code = 1;
	CHECK_INT(plm_merkle_root(5, failing_subtree, &code, root, &err), PLM_ERR_IO);
	/* Missing arguments. */
	CHECK_INT(plm_merkle_root(1, NULL, &mem, root, &err), PLM_ERR_INVALID);
	CHECK_INT(
	    plm_merkle_inclusion_prove(NULL, 0, 1, plm_merkle_mem_subtree, &mem, &err),
	    PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_inclusion_prove(&proof, 0, 1, NULL, &mem, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_consistency_prove(NULL, 1, 2, plm_merkle_mem_subtree, &mem,
	                                       &err),
	          PLM_ERR_INVALID);
	plm_merkle_mem_free(&mem);
}

/* ---- which subtrees the store is asked for ---- */

static int node_cmp(unsigned la, uint64_t ia, unsigned lb, uint64_t ib)
{
	if (la != lb)
		return la < lb ? -1 : 1;
	if (ia != ib)
		return ia < ib ? -1 : 1;
	return 0;
}

/* Sorts parallel arrays LEVEL/INDEX of N nodes (insertion sort: N is tiny). */
static void node_sort(unsigned *level, uint64_t *index, unsigned n)
{
	unsigned i, j, l;
	uint64_t x;

	for (i = 1; i < n; i++) {
		l = level[i];
		x = index[i];
		for (j = i; j > 0 && node_cmp(level[j - 1], index[j - 1], l, x) > 0;
		     j--) {
			level[j] = level[j - 1];
			index[j] = index[j - 1];
		}
		level[j] = l;
		index[j] = x;
	}
}

static void test_published_proof_nodes(void)
{
	plm_merkle_mem mem;
	plm_merkle_proof proof;
	struct recorder rec;
	struct node_vector want;
	unsigned i, j;
	unsigned char leaf = 0;

	CHECK(load_node_vectors() == 0);
	plm_merkle_mem_init(&mem);
	for (i = 0; i < 95; i++, leaf++)
		CHECK_INT(plm_merkle_mem_append(&mem, &leaf, 1, NULL), 0);
	for (i = 0; i < n_node_vec; i++) {
		want = node_vec[i];
		memset(&rec, 0, sizeof(rec));
		rec.mem = &mem;
		if (want.consistency)
			CHECK_INT(plm_merkle_consistency_prove(&proof, want.a, want.b,
			                                       recording_subtree, &rec,
			                                       NULL),
			          0);
		else
			CHECK_INT(plm_merkle_inclusion_prove(&proof, want.a, want.b,
			                                     recording_subtree, &rec,
			                                     NULL),
			          0);
		CHECK_INT(rec.count, want.count);
		node_sort(rec.level, rec.index, rec.count);
		node_sort(want.level, want.index, want.count);
		for (j = 0; j < want.count; j++) {
			CHECK_INT(rec.level[j], want.level[j]);
			CHECK_INT(rec.index[j], want.index[j]);
		}
	}
	plm_merkle_mem_free(&mem);
}

/* ---- property: every tree up to 64 leaves ---- */

static void test_all_small_trees(void)
{
	plm_merkle_mem mem;
	plm_merkle_proof proof, ref, bad;
	unsigned char roots[65][HASH], root[HASH], data[2];
	plm_error err;
	uint64_t n, i, m;

	plm_merkle_mem_init(&mem);
	for (i = 0; i < 64; i++) {
		data[0] = (unsigned char)i;
		data[1] = (unsigned char)(i * 7);
		CHECK_INT(plm_merkle_mem_append(&mem, data, sizeof(data), &err), 0);
	}
	for (n = 0; n <= 64; n++) {
		CHECK_INT(
		    plm_merkle_root(n, plm_merkle_mem_subtree, &mem, roots[n], &err),
		    0);
		ref_mth((const unsigned char(*)[HASH])mem.leaf_hashes, n, root);
		CHECK_MEM(roots[n], root, HASH);
	}
	for (n = 1; n <= 64; n++) {
		for (i = 0; i < n; i++) {
			CHECK_INT(plm_merkle_inclusion_prove(
			              &proof, i, n, plm_merkle_mem_subtree, &mem, &err),
			          0);
			ref.count = 0;
			ref_path(i, (const unsigned char(*)[HASH])mem.leaf_hashes, n,
			         &ref);
			CHECK(proof_equal(&proof, &ref));
			CHECK_INT(plm_merkle_inclusion_verify(mem.leaf_hashes[i], i, n,
			                                      &proof, roots[n], &err),
			          0);
			/* Another leaf, another index, a modified or shortened proof.
			 */
			CHECK_INT(
			    plm_merkle_inclusion_verify(mem.leaf_hashes[(i + 1) % 64],
			                                i, n, &proof, roots[n], NULL),
			    PLM_ERR_PROOF);
			if (n > 1)
				CHECK_INT(plm_merkle_inclusion_verify(
				              mem.leaf_hashes[i], (i + 1) % n, n,
				              &proof, roots[n], NULL),
				          PLM_ERR_PROOF);
			if (proof.count > 0) {
				bad = proof;
				bad.hashes[i % bad.count][(i * 5) % HASH] ^=
				    (unsigned char)(1u << (i % 8));
				CHECK_INT(
				    plm_merkle_inclusion_verify(
				        mem.leaf_hashes[i], i, n, &bad, roots[n], NULL),
				    PLM_ERR_PROOF);
				bad = proof;
				bad.count--;
				CHECK_INT(
				    plm_merkle_inclusion_verify(
				        mem.leaf_hashes[i], i, n, &bad, roots[n], NULL),
				    PLM_ERR_PROOF);
			}
		}
		for (m = 0; m <= n; m++) {
			CHECK_INT(plm_merkle_consistency_prove(
			              &proof, m, n, plm_merkle_mem_subtree, &mem, &err),
			          0);
			ref.count = 0;
			if (m > 0)
				ref_subproof(
				    m, (const unsigned char(*)[HASH])mem.leaf_hashes, n,
				    1, &ref);
			CHECK(proof_equal(&proof, &ref));
			CHECK_INT(plm_merkle_consistency_verify(m, n, roots[m],
			                                        roots[n], &proof, &err),
			          0);
			if (proof.count > 0) {
				bad = proof;
				bad.hashes[m % bad.count][(m * 3) % HASH] ^=
				    (unsigned char)(1u << (m % 8));
				CHECK_INT(plm_merkle_consistency_verify(
				              m, n, roots[m], roots[n], &bad, NULL),
				          PLM_ERR_PROOF);
				bad = proof;
				bad.count--;
				CHECK_INT(plm_merkle_consistency_verify(
				              m, n, roots[m], roots[n], &bad, NULL),
				          PLM_ERR_PROOF);
				/* The old root of another size does not pass. */
				CHECK_INT(
				    plm_merkle_consistency_verify(
				        m, n, roots[m - 1], roots[n], &proof, NULL),
				    PLM_ERR_PROOF);
			}
		}
	}
	plm_merkle_mem_free(&mem);
}

/* ---- the largest trees ---- */

static void test_huge_trees(void)
{
	struct uniform_log u;
	plm_merkle_proof proof;
	unsigned char root[HASH], small_root[HASH];
	const uint64_t max = PLM_MERKLE_MAX_SIZE;
	const uint64_t sizes[] = {max, max - 1, max / 2 + 12345,
	                          ((uint64_t)1 << 40) + 3};
	plm_error err;
	unsigned s;
	uint64_t n, idx[4], olds[4];
	unsigned j;

	uniform_init(&u, max);
	/* MTH of 2^63 identical leaves is the level-63 subtree: one callback. */
	CHECK_INT(plm_merkle_root(max, uniform_subtree, &u, root, &err), 0);
	CHECK_MEM(root, u.level_hash[63], HASH);
	CHECK_INT(u.calls, 1);

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		n = sizes[s];
		uniform_init(&u, n);
		CHECK_INT(plm_merkle_root(n, uniform_subtree, &u, root, &err), 0);
		idx[0] = 0;
		idx[1] = n - 1;
		idx[2] = n / 3;
		idx[3] = n - 2;
		for (j = 0; j < 4; j++) {
			u.calls = 0;
			CHECK_INT(plm_merkle_inclusion_prove(&proof, idx[j], n,
			                                     uniform_subtree, &u, &err),
			          0);
			CHECK(proof.count <= 63);
			CHECK(u.calls <= 2 * 64); /* O(log n), not O(n) */
			CHECK_INT(plm_merkle_inclusion_verify(u.level_hash[0], idx[j],
			                                      n, &proof, root, &err),
			          0);
			proof.hashes[proof.count - 1][7] ^= 0x10;
			CHECK_INT(plm_merkle_inclusion_verify(u.level_hash[0], idx[j],
			                                      n, &proof, root, NULL),
			          PLM_ERR_PROOF);
		}
		olds[0] = 1;
		olds[1] = n - 1;
		olds[2] = n / 2 + 1;
		olds[3] = 3;
		for (j = 0; j < 4; j++) {
			uniform_init(&u, olds[j]);
			CHECK_INT(plm_merkle_root(olds[j], uniform_subtree, &u,
			                          small_root, &err),
			          0);
			uniform_init(&u, n);
			CHECK_INT(plm_merkle_consistency_prove(
			              &proof, olds[j], n, uniform_subtree, &u, &err),
			          0);
			CHECK(proof.count <= PLM_MERKLE_PROOF_MAX);
			CHECK(u.calls <= 2 * 64);
			CHECK_INT(plm_merkle_consistency_verify(olds[j], n, small_root,
			                                        root, &proof, &err),
			          0);
			CHECK_INT(plm_merkle_consistency_verify(
			              olds[j], n, root, small_root, &proof, NULL),
			          PLM_ERR_PROOF);
		}
	}
	/* The longest consistency proof: 2^63 - 1 to 2^63 leaves, 64 hashes. */
	uniform_init(&u, max - 1);
	CHECK_INT(plm_merkle_root(max - 1, uniform_subtree, &u, small_root, &err), 0);
	uniform_init(&u, max);
	CHECK_INT(plm_merkle_consistency_prove(&proof, max - 1, max, uniform_subtree,
	                                       &u, &err),
	          0);
	CHECK_INT(proof.count, 64);
	CHECK_INT(plm_merkle_consistency_verify(max - 1, max, small_root,
	                                        u.level_hash[63], &proof, &err),
	          0);
	/* The longest inclusion proof: 63 hashes. */
	CHECK_INT(
	    plm_merkle_inclusion_prove(&proof, max - 1, max, uniform_subtree, &u, &err),
	    0);
	CHECK_INT(proof.count, 63);
}

/* ---- encoding (PROTOCOL.md §6.5) ---- */

static void test_proof_encoding(void)
{
	unsigned char buf[PLM_MERKLE_PROOF_MAX_BYTES + 2];
	plm_merkle_proof proof, back;
	plm_wbuf w;
	plm_rbuf r;
	unsigned char *enc;
	size_t len, enclen;
	plm_error err;
	unsigned i;

	CHECK(load_vectors() == 0);
	/* A published proof: u8 count, then the hashes in order. */
	proof = vec.inclusion[1].proof;
	CHECK_INT(plm_merkle_proof_encode(buf, &len, &proof, &err), 0);
	CHECK_INT(len, 1 + 3 * HASH);
	CHECK_INT(buf[0], 3);
	CHECK_MEM(buf + 1, proof.hashes, 3 * HASH);
	CHECK_INT(plm_merkle_proof_decode(&back, buf, len, &err), 0);
	CHECK(proof_equal(&back, &proof));
	/* Empty and full proofs. */
	proof.count = 0;
	CHECK_INT(plm_merkle_proof_encode(buf, &len, &proof, &err), 0);
	CHECK_INT(len, 1);
	CHECK_INT(buf[0], 0);
	CHECK_INT(plm_merkle_proof_decode(&back, buf, len, &err), 0);
	CHECK_INT(back.count, 0);
	for (i = 0; i < PLM_MERKLE_PROOF_MAX; i++)
		memset(proof.hashes[i], (int)i, HASH);
	proof.count = PLM_MERKLE_PROOF_MAX;
	CHECK_INT(plm_merkle_proof_encode(buf, &len, &proof, &err), 0);
	CHECK_INT(len, PLM_MERKLE_PROOF_MAX_BYTES);
	CHECK_INT(plm_merkle_proof_decode(&back, buf, len, &err), 0);
	CHECK(proof_equal(&back, &proof));
	/* Strict decoding. */
	CHECK_INT(plm_merkle_proof_decode(&back, buf, 0, &err), PLM_ERR_TRUNCATED);
	CHECK_INT(plm_merkle_proof_decode(&back, buf, len - 1, &err),
	          PLM_ERR_TRUNCATED);
	CHECK_INT(back.count, 0);
	buf[len] = 0;
	CHECK_INT(plm_merkle_proof_decode(&back, buf, len + 1, &err), PLM_ERR_TRAILING);
	CHECK_INT(back.count, 0);
	buf[0] = PLM_MERKLE_PROOF_MAX + 1;
	CHECK_INT(plm_merkle_proof_decode(&back, buf, 1 + 65 * HASH, &err),
	          PLM_ERR_LIMIT);
	buf[0] = 255;
	CHECK_INT(plm_merkle_proof_decode(&back, buf, sizeof(buf), &err),
	          PLM_ERR_LIMIT);
	buf[0] = 2;
	CHECK_INT(plm_merkle_proof_decode(&back, buf, 1 + HASH, &err),
	          PLM_ERR_TRUNCATED);
	CHECK_INT(plm_merkle_proof_decode(&back, buf, 1 + 3 * HASH, &err),
	          PLM_ERR_TRAILING);
	CHECK_INT(plm_merkle_proof_decode(&back, buf, 1 + 2 * HASH, &err), 0);
	CHECK_INT(plm_merkle_proof_decode(NULL, buf, 1, &err), PLM_ERR_INVALID);
	/* Encoding refuses an impossible proof. */
	proof.count = PLM_MERKLE_PROOF_MAX + 1;
	CHECK_INT(plm_merkle_proof_encode(buf, &len, &proof, &err), PLM_ERR_INVALID);
	/* Inside a larger object through plm_wbuf / plm_rbuf. */
	proof = vec.consistency[3].proof;
	plm_wbuf_init(&w, 4096, "test object", &err);
	plm_wbuf_u8(&w, 0xaa);
	plm_merkle_proof_put(&w, &proof);
	plm_wbuf_u8(&w, 0xbb);
	CHECK_INT(plm_wbuf_finish(&w, &enc, &enclen), 0);
	CHECK_INT(enclen, 1 + 1 + proof.count * HASH + 1);
	plm_rbuf_init(&r, enc, enclen, "test object", &err);
	CHECK_INT(plm_rbuf_u8(&r, "a", &buf[0]), 0);
	CHECK_INT(plm_merkle_proof_get(&r, "proof", &back), 0);
	CHECK_INT(plm_rbuf_u8(&r, "b", &buf[0]), 0);
	CHECK_INT(buf[0], 0xbb);
	CHECK_INT(plm_rbuf_end(&r), 0);
	CHECK(proof_equal(&back, &proof));
	free(enc);
	proof.count = PLM_MERKLE_PROOF_MAX + 1;
	plm_wbuf_init(&w, 4096, "test object", &err);
	plm_merkle_proof_put(&w, &proof);
	CHECK_INT(plm_wbuf_finish(&w, &enc, &enclen), PLM_ERR_LIMIT);
}

/* ---- the in-memory store ---- */

static void test_mem_store(void)
{
	plm_merkle_mem mem;
	unsigned char out[HASH], l0[HASH], l1[HASH], node[HASH];
	plm_error err;

	plm_merkle_mem_init(&mem);
	CHECK_INT(plm_merkle_mem_subtree(&mem, 0, 0, out), PLM_ERR_NOTFOUND);
	CHECK_INT(plm_merkle_mem_append(&mem, "x", 1, &err), 0);
	CHECK_INT(plm_merkle_mem_append(&mem, "y", 1, &err), 0);
	CHECK_INT(plm_merkle_mem_append(&mem, "z", 1, &err), 0);
	CHECK_INT(mem.size, 3);
	plm_merkle_leaf_hash(l0, "x", 1);
	plm_merkle_leaf_hash(l1, "y", 1);
	plm_merkle_node_hash(node, l0, l1);
	CHECK_INT(plm_merkle_mem_subtree(&mem, 0, 1, out), 0);
	CHECK_MEM(out, l1, HASH);
	CHECK_INT(plm_merkle_mem_subtree(&mem, 1, 0, out), 0);
	CHECK_MEM(out, node, HASH);
	/* Leaves [2, 4) are not all there yet; nor is level 2. */
	CHECK_INT(plm_merkle_mem_subtree(&mem, 1, 1, out), PLM_ERR_NOTFOUND);
	CHECK_INT(plm_merkle_mem_subtree(&mem, 2, 0, out), PLM_ERR_NOTFOUND);
	CHECK_INT(plm_merkle_mem_subtree(&mem, 0, 3, out), PLM_ERR_NOTFOUND);
	CHECK_INT(plm_merkle_mem_subtree(&mem, 64, 0, out), PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_mem_subtree(NULL, 0, 0, out), PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_mem_append(&mem, NULL, 1, &err), PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_mem_append_hash(&mem, NULL, &err), PLM_ERR_INVALID);
	CHECK_INT(plm_merkle_mem_append(&mem, NULL, 0, &err), 0); /* the empty leaf */
	CHECK_INT(mem.size, 4);
	plm_merkle_mem_free(&mem);
	CHECK(mem.leaf_hashes == NULL);
	CHECK_INT(mem.size, 0);
	plm_merkle_mem_free(&mem);
	plm_merkle_mem_free(NULL);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_published_roots),
    CHECK_CASE(test_published_inclusion),
    CHECK_CASE(test_published_consistency),
    CHECK_CASE(test_inclusion_corrupted),
    CHECK_CASE(test_consistency_corrupted),
    CHECK_CASE(test_inclusion_edges),
    CHECK_CASE(test_consistency_edges),
    CHECK_CASE(test_generation_errors),
    CHECK_CASE(test_published_proof_nodes),
    CHECK_CASE(test_all_small_trees),
    CHECK_CASE(test_huge_trees),
    CHECK_CASE(test_proof_encoding),
    CHECK_CASE(test_mem_store),
};

CHECK_MAIN("test_merkle", cases)
