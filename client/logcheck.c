/*
 * logcheck.c - fetching and checking tree heads, consistency and inclusion
 * proofs (see logcheck.h, PROTOCOL.md §6.7, docs/API.md §4.5).
 */
#include "client/logcheck.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/merkle.h"

void logcheck_describe(char out[LOGCHECK_DESCRIBE_MAX], const plm_tree_head *head)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, head->root_hash, PLM_HASH_BYTES);
	snprintf(out, LOGCHECK_DESCRIBE_MAX, "size %" PRIu64 ", root %.12s",
	         head->tree_size, hex);
}

int logcheck_stored_head(struct state *st, plm_tree_head *head, plm_error *err)
{
	unsigned char bytes[PLM_TREE_HEAD_BYTES];
	size_t len = 0;
	plm_error why;

	if (state_get(st, "tree_head", bytes, sizeof(bytes), &len, &why) != 0)
		return why.code == PLM_ERR_NOTFOUND
		           ? 0
		           : plm_error_set(err, why.code, "%s", why.message);
	if (plm_tree_head_decode(head, bytes, len, &why) != 0)
		return plm_error_set(err, PLM_ERR_CORRUPT,
		                     "the tree head stored here does not decode (%s)",
		                     why.message);
	return 1;
}

int logcheck_store_head(struct state *st, const plm_tree_head *head, plm_error *err)
{
	unsigned char bytes[PLM_TREE_HEAD_BYTES];

	plm_tree_head_encode(bytes, head);
	return state_set(st, "tree_head", bytes, sizeof(bytes), err);
}

/* Decodes the base64 proof of DOC's "proof" into *PROOF. */
static int json_proof(const json_t *doc, plm_merkle_proof *proof, plm_error *err)
{
	const char *b64 = json_string_value(json_object_get(doc, "proof"));
	unsigned char *bytes = NULL;
	size_t len = 0;
	plm_error why;
	int r;

	if (b64 == NULL || plm_base64_decode(&bytes, &len, b64,
	                                     PLM_MERKLE_PROOF_MAX_BYTES + 3, &why) != 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the server's answer has no valid proof");
	r = plm_merkle_proof_decode(proof, bytes, len, &why);
	free(bytes);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the server's proof is malformed (%s)",
		                     why.message);
	return 0;
}

int logcheck_fetch_head(struct transport *net, plm_tree_head *head, plm_error *err)
{
	const char *b64, *root;
	char hex[2 * PLM_HASH_BYTES + 1];
	unsigned char *bytes = NULL;
	json_t *doc = NULL, *size;
	size_t len = 0;
	plm_error why;
	int r;

	if ((r = transport_json(net, "GET", "/v1/log/head", NULL, 0, &doc, err)) != 0)
		return r;
	b64 = json_string_value(json_object_get(doc, "head"));
	root = json_string_value(json_object_get(doc, "root_hash"));
	size = json_object_get(doc, "tree_size");
	if (b64 == NULL || root == NULL || !json_is_integer(size) ||
	    plm_base64_decode(&bytes, &len, b64, PLM_TREE_HEAD_BYTES + 3, &why) != 0 ||
	    plm_tree_head_decode(head, bytes, len, &why) != 0) {
		r = plm_error_set(err, PLM_ERR_FORMAT,
		                  "the server's log head is malformed");
		/* (base64's bound counts padding: MAX leaves room, the decode is exact)
		 */
		goto out;
	}
	plm_hex(hex, head->root_hash, PLM_HASH_BYTES);
	if (json_integer_value(size) < 0 ||
	    (uint64_t)json_integer_value(size) != head->tree_size ||
	    strcmp(hex, root) != 0)
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "the server's log head states another size or root "
		                  "than it signs");
out:
	free(bytes);
	json_decref(doc);
	return r;
}

int logcheck_consistent(struct transport *net, const char *whose,
                        const plm_tree_head *old, const plm_tree_head *next,
                        plm_error *err)
{
	char a[LOGCHECK_DESCRIBE_MAX], b[LOGCHECK_DESCRIBE_MAX], path[96];
	plm_merkle_proof proof;
	json_t *doc = NULL;
	plm_error why;
	int r;

	logcheck_describe(a, old);
	logcheck_describe(b, next);
	if (old->tree_size > next->tree_size)
		return plm_error_set(
		    err, PLM_ERR_PROOF,
		    "the server's log went back: %s was %s, the server "
		    "now signs %s (a rollback or a fork of history)",
		    whose, a, b);
	snprintf(path, sizeof(path), "/v1/log/consistency?from=%" PRIu64 "&to=%" PRIu64,
	         old->tree_size, next->tree_size);
	if ((r = transport_json(net, "GET", path, NULL, 0, &doc, err)) != 0)
		return r;
	if ((r = json_proof(doc, &proof, err)) != 0)
		goto out;
	if (plm_merkle_consistency_verify(old->tree_size, next->tree_size,
	                                  old->root_hash, next->root_hash, &proof,
	                                  &why) != 0)
		r = plm_error_set(err, PLM_ERR_PROOF,
		                  "the server's log forked: %s (%s) is not a prefix of "
		                  "the head it signs now (%s): %s",
		                  whose, a, b, why.message);
out:
	json_decref(doc);
	return r;
}

int logcheck_inclusion_check(int kind, const unsigned char id[32], int64_t seq,
                             int64_t index, uint64_t size, const plm_tree_head *head,
                             const plm_merkle_proof *proof, plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1], h[LOGCHECK_DESCRIBE_MAX];
	unsigned char leaf[PLM_MERKLE_HASH_BYTES];
	plm_error why;

	plm_hex(hex, id, PLM_HASH_BYTES);
	logcheck_describe(h, head);
	if (index != seq || index < 0 || size != head->tree_size)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "the server proves %.12s at another place than seq "
		                     "%" PRId64 " of the head it signed (%s)",
		                     hex, seq, h);
	plm_merkle_entry_leaf(leaf, kind, id);
	if (plm_merkle_inclusion_verify(leaf, (uint64_t)seq, head->tree_size, proof,
	                                head->root_hash, &why) != 0)
		return plm_error_set(err, PLM_ERR_PROOF,
		                     "%.12s at seq %" PRId64 " is not in the log head the "
		                     "server signed (%s): %s",
		                     hex, seq, h, why.message);
	return 0;
}

int logcheck_inclusion(struct transport *net, int kind, const unsigned char id[32],
                       int64_t *seq, const plm_tree_head *head, plm_merkle_proof *proof,
                       plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1], path[160];
	json_t *doc = NULL, *index, *size;
	int r;

	plm_hex(hex, id, PLM_HASH_BYTES);
	snprintf(path, sizeof(path), "/v1/log/inclusion?id=%s&size=%" PRIu64, hex,
	         head->tree_size);
	if ((r = transport_json(net, "GET", path, NULL, 0, &doc, err)) != 0)
		return r;
	index = json_object_get(doc, "index");
	size = json_object_get(doc, "size");
	if ((r = json_proof(doc, proof, err)) != 0)
		goto out;
	if (*seq < 0 && json_is_integer(index) && json_integer_value(index) >= 0)
		*seq = json_integer_value(index);
	r = logcheck_inclusion_check(
	    kind, id, *seq, json_is_integer(index) ? json_integer_value(index) : -1,
	    json_is_integer(size) && json_integer_value(size) >= 0
	        ? (uint64_t)json_integer_value(size)
	        : UINT64_MAX,
	    head, proof, err);
out:
	json_decref(doc);
	return r;
}

int logcheck_included(struct transport *net, int kind, const unsigned char id[32],
                      int64_t seq, const plm_tree_head *head, plm_error *err)
{
	plm_merkle_proof proof;

	return logcheck_inclusion(net, kind, id, &seq, head, &proof, err);
}
