/*
 * routes_batch.c - many envelopes in one answer, each with its inclusion
 * proof (docs/API.md "GET /v1/reviews/{review}/bodies", PROTOCOL.md §6.8).
 *
 * A fresh client syncing a review of 10,000 small documents would otherwise
 * make two round trips per document (the envelope, then its proof). This
 * route answers, for one review and one tree size, the next envelopes in
 * log order after a place, each as its log index, id, inclusion proof and
 * (when small) its bytes. It checks what the single GET checks (the caller
 * must be a member of the review) and reads the bytes only through
 * blob_open, as GET /v1/envelopes/{id} does. Nothing here is trusted by the
 * client: it verifies every envelope and every proof as it would one by one.
 */
#include "daemon/routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/codec.h"
#include "keys/merkle.h"

/* Bounds of one answer (PROTOCOL.md §6.8). */
#define BATCH_INLINE_MAX (1u << 20)    /* larger envelopes: GET /v1/envelopes/{id} */
#define BATCH_BYTES_MAX (8u << 20)     /* inline bytes of one answer, about */
#define BATCH_LIMIT_DEFAULT 256
#define BATCH_LIMIT_MAX 1024
#define MEMO_SLOTS 8192 /* a power of two, several times the nodes of a batch */

/* An envelope of the answer, as the store lists it. */
struct batch_entry {
	uint64_t seq, size;
	unsigned char id[PLM_HASH_BYTES];
	uint64_t pack, pack_offset; /* where blob_open finds it (store.h) */
};

struct batch_list {
	struct batch_entry *entries;
	size_t n, cap;
	uint64_t size; /* only entries below the tree size */
};

/*
 * The perfect subtrees one answer reads, remembered: neighbouring leaves
 * share all but a few nodes of their proofs, so a batch costs about two
 * store lookups per envelope instead of one per proof hash.
 */
struct memo_slot {
	uint64_t index;
	unsigned level; /* 0: empty slot; else level + 1 */
	unsigned char hash[PLM_MERKLE_HASH_BYTES];
};

struct memo {
	struct server *srv;
	struct memo_slot *slots;
};

static int memo_subtree(void *ctx, unsigned level, uint64_t index,
                        unsigned char out[PLM_MERKLE_HASH_BYTES])
{
	struct memo *m = ctx;
	struct memo_slot *s;
	uint64_t h = (index * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)level << 58);
	size_t i = (size_t)(h >> 40) & (MEMO_SLOTS - 1), probes;

	for (probes = 0; probes < 8; probes++, i = (i + 1) & (MEMO_SLOTS - 1)) {
		s = &m->slots[i];
		if (s->level == level + 1 && s->index == index) {
			memcpy(out, s->hash, PLM_MERKLE_HASH_BYTES);
			return 0;
		}
		if (s->level == 0)
			break;
	}
	if (store_log_subtree(m->srv->store, level, index, out, NULL) != 0)
		return -1;
	if (probes == 8)
		i = (size_t)(h >> 40) & (MEMO_SLOTS - 1); /* full run: overwrite */
	s = &m->slots[i];
	s->level = level + 1;
	s->index = index;
	memcpy(s->hash, out, PLM_MERKLE_HASH_BYTES);
	return 0;
}

static int list_entry(void *ctx, const struct store_envelope *env)
{
	struct batch_list *l = ctx;
	struct batch_entry *p;

	if (env->seq >= l->size)
		return 1; /* past the tree size asked for: the answer ends */
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((p = realloc(l->entries, l->cap * sizeof(*p))) == NULL)
			return -1;
		l->entries = p;
	}
	p = &l->entries[l->n++];
	p->seq = env->seq;
	p->size = env->size;
	memcpy(p->id, env->id, PLM_HASH_BYTES);
	p->pack = env->pack;
	p->pack_offset = env->pack_offset;
	return 0;
}

/* Appends the bytes of entry E to B (read through blob_open). */
static int put_blob(struct server *srv, plm_wbuf *b, const struct batch_entry *e)
{
	struct store_envelope env;
	unsigned char buf[16384];
	uint64_t base, have, left;
	plm_error err;
	ssize_t n;
	int fd, r = 0;

	memset(&env, 0, sizeof(env));
	memcpy(env.id, e->id, PLM_HASH_BYTES);
	env.size = e->size;
	env.pack = e->pack;
	env.pack_offset = e->pack_offset;
	if (blob_open(srv->blobs, &env, &fd, &base, &have, &err) != 0)
		return -1;
	if (have != e->size)
		r = -1;
	for (left = e->size; r == 0 && left > 0; left -= (uint64_t)n) {
		n = pread(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf),
		          (off_t)(base + e->size - left));
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			r = -1;
		else
			plm_wbuf_put(b, buf, (size_t)n);
	}
	close(fd);
	return r;
}

/*
 * GET /v1/reviews/{review}/bodies?after=SEQ&size=N&limit=K: the review's
 * next envelopes after log index SEQ and below N, each with its inclusion
 * proof in the tree of size N (PROTOCOL.md §6.8).
 */
int route_bodies(struct request *req)
{
	struct batch_list l = {NULL, 0, 0, 0};
	struct memo m = {req->srv, NULL};
	uint64_t after, limit, log_size = store_log_size(req->srv->store), inline_bytes = 0;
	struct MHD_Response *resp;
	plm_merkle_proof proof;
	unsigned char *out = NULL;
	size_t i, len = 0;
	plm_wbuf b;
	plm_error err;
	int r, in;

	if (!require_member(req, req->params[0]))
		return 0;
	if (http_arg_u64(req, "after", UINT64_MAX, UINT64_MAX - 1, &after) != 0 ||
	    http_arg_u64(req, "size", log_size, log_size, &l.size) != 0 ||
	    http_arg_u64(req, "limit", BATCH_LIMIT_DEFAULT, BATCH_LIMIT_MAX, &limit) != 0 ||
	    limit == 0)
		return http_problem(req, 400, "bad-query", "Bad Request",
		                    "after, size (at most %llu) and limit (1 to %u) must be "
		                    "whole numbers",
		                    (unsigned long long)log_size, BATCH_LIMIT_MAX);
	r = store_list_envelopes(req->srv->store, req->params[0], after, (unsigned)limit,
	                         list_entry, &l, &err);
	if (r < 0 || (m.slots = calloc(MEMO_SLOTS, sizeof(*m.slots))) == NULL) {
		free(l.entries);
		free(m.slots);
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not read its store; try again later");
	}
	plm_wbuf_init(&b, (size_t)BATCH_BYTES_MAX + BATCH_INLINE_MAX +
	                      (size_t)BATCH_LIMIT_MAX * (PLM_MERKLE_PROOF_MAX_BYTES + 64),
	              "bodies", &err);
	for (i = 0, r = 0; i < l.n && r == 0; i++) {
		const struct batch_entry *e = &l.entries[i];
		in = e->size <= BATCH_INLINE_MAX;
		/* The first entry always goes; after it, stop near the budget. */
		if (i > 0 && in && inline_bytes + e->size > BATCH_BYTES_MAX)
			break;
		if (plm_merkle_inclusion_prove(&proof, e->seq, l.size, memo_subtree, &m,
		                               &err) != 0) {
			r = -1;
			break;
		}
		plm_wbuf_u8(&b, 1);
		plm_wbuf_u64(&b, e->seq);
		plm_wbuf_put(&b, e->id, PLM_HASH_BYTES);
		plm_merkle_proof_put(&b, &proof);
		plm_wbuf_u8(&b, (uint8_t)in);
		plm_wbuf_u64(&b, e->size);
		if (in) {
			r = put_blob(req->srv, &b, e);
			inline_bytes += e->size;
		}
	}
	plm_wbuf_u8(&b, 0);
	free(l.entries);
	free(m.slots);
	if (r != 0)
		plm_wbuf_free(&b);
	if (r != 0 || plm_wbuf_finish(&b, &out, &len) != 0)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not read the envelopes; try again later");
	/* The answer goes out from this buffer, which libmicrohttpd frees. */
	if ((resp = MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE)) == NULL) {
		free(out);
		return -1;
	}
	MHD_add_response_header(resp, "Content-Type", "application/vnd.palermo.bodies");
	req->bytes_out += len;
	return http_queue(req, 200, resp);
}
