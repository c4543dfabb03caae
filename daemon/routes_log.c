/*
 * routes_log.c - the transparency log (DESIGN.md §9, PROTOCOL.md §6): signed
 * tree heads, inclusion and consistency proofs, computed from the perfect
 * subtrees the store keeps (daemon/store.h), each in O(log n) lookups.
 */
#include "daemon/routes.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "keys/merkle.h"
#include "keys/treehead.h"

static int subtree(void *ctx, unsigned level, uint64_t index,
                   unsigned char out[PLM_MERKLE_HASH_BYTES])
{
	struct server *srv = ctx;

	return store_log_subtree(srv->store, level, index, out, NULL);
}

static uint64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

/* GET /v1/log/head: a fresh signed tree head over the whole log. */
int route_log_head(struct request *req)
{
	unsigned char bytes[PLM_TREE_HEAD_BYTES];
	plm_tree_head head;
	plm_error err;

	memset(&head, 0, sizeof(head));
	head.tree_size = store_log_size(req->srv->store);
	head.timestamp = now_ms();
	if (plm_merkle_root(head.tree_size, subtree, req->srv, head.root_hash, &err) != 0 ||
	    plm_tree_head_sign(&head, req->srv->log_key, &err) != 0)
		return http_problem(req, 503, "log-failed", "Service Unavailable",
		                    "the server could not compute its tree head; try again");
	plm_tree_head_encode(bytes, &head);
	return http_json(req, 200,
	                 json_pack("{s:I, s:I, s:o, s:o}", "tree_size", (json_int_t)head.tree_size,
	                           "timestamp", (json_int_t)head.timestamp, "root_hash",
	                           json_hex(head.root_hash, PLM_HASH_BYTES), "head",
	                           json_base64(bytes, sizeof(bytes))));
}

/* Answers PROOF as {"proof": base64 of the §6.5 encoding, ...EXTRA}. */
static int answer_proof(struct request *req, const plm_merkle_proof *proof, json_t *extra)
{
	unsigned char bytes[PLM_MERKLE_PROOF_MAX_BYTES];
	size_t len;

	if (plm_merkle_proof_encode(bytes, &len, proof, NULL) != 0) {
		json_decref(extra);
		return -1;
	}
	json_object_set_new(extra, "proof", json_base64(bytes, len));
	return http_json(req, 200, extra);
}

/* GET /v1/log/inclusion?id=HEX&size=N: where an object is, and the proof. */
int route_log_inclusion(struct request *req)
{
	unsigned char id[PLM_HASH_BYTES];
	plm_merkle_proof proof;
	uint64_t index, size, log_size = store_log_size(req->srv->store);
	plm_error err;

	if (http_parse_hex32(http_arg(req, "id"), id) != 0 ||
	    http_arg_u64(req, "size", log_size, log_size, &size) != 0)
		return http_problem(req, 400, "bad-query", "Bad Request",
		                    "give id (64 hexadecimal digits) and size (at most %llu)",
		                    (unsigned long long)log_size);
	if (store_log_index(req->srv->store, id, &index) != 0 || index >= size)
		return http_problem(req, 404, "not-found", "Not Found",
		                    "that object is not in the first %llu entries of the log",
		                    (unsigned long long)size);
	if (plm_merkle_inclusion_prove(&proof, index, size, subtree, req->srv, &err) != 0)
		return http_problem(req, 503, "log-failed", "Service Unavailable",
		                    "the server could not compute the proof; try again");
	return answer_proof(req, &proof,
	                    json_pack("{s:I, s:I}", "index", (json_int_t)index, "size",
	                              (json_int_t)size));
}

/* GET /v1/log/consistency?from=M&to=N: the proof that M is a prefix of N. */
int route_log_consistency(struct request *req)
{
	plm_merkle_proof proof;
	uint64_t from, to, log_size = store_log_size(req->srv->store);
	plm_error err;

	if (http_arg_u64(req, "from", 0, log_size, &from) != 0 ||
	    http_arg_u64(req, "to", log_size, log_size, &to) != 0 || from > to)
		return http_problem(req, 400, "bad-query", "Bad Request",
		                    "give from <= to <= %llu", (unsigned long long)log_size);
	if (plm_merkle_consistency_prove(&proof, from, to, subtree, req->srv, &err) != 0)
		return http_problem(req, 503, "log-failed", "Service Unavailable",
		                    "the server could not compute the proof; try again");
	return answer_proof(req, &proof,
	                    json_pack("{s:I, s:I}", "from", (json_int_t)from, "to",
	                              (json_int_t)to));
}

/* GET /v1/log/key: the public keys that sign tree heads, for certification. */
int route_log_key(struct request *req)
{
	unsigned char fpr[PLM_FPR_BYTES];

	plm_fingerprint(fpr, &req->srv->log_key->pub);
	return http_json(req, 200,
	                 json_pack("{s:o, s:o, s:o}", "fingerprint", json_hex(fpr, PLM_FPR_BYTES),
	                           "sign_pk",
	                           json_hex(req->srv->log_key->pub.sign_pk, PLM_SIGN_PK_BYTES),
	                           "box_pk",
	                           json_hex(req->srv->log_key->pub.box_pk, PLM_BOX_PK_BYTES)));
}
