/*
 * routes_envelopes.c - envelope uploads (streamed, verified while they
 * stream, resumable), listings and downloads (docs/API.md "Envelopes").
 *
 * An upload is PUT /v1/reviews/{review}/uploads/{upload id} with the bytes
 * from Upload-Offset on. Every byte goes through the key-less envelope
 * reader (keys/envelope.h) and into the upload file; the first bytes that
 * break the format, or a header whose author may not write there, end it.
 * A complete envelope whose digest and signature verify is fsynced, moved
 * into the blob store, and only then recorded (201). An incomplete one is
 * kept, fsynced, for the client to resume (202, or the connection drops).
 *
 * A small envelope sent whole (from offset 0, a Content-Length of at most
 * COMMIT_SMALL_MAX, no part stored before) is verified the same way but
 * kept in memory, then handed to the group commit (commit.h), which packs
 * and records it with the others waiting and answers only once that batch
 * is durable. If it turns out incomplete, it becomes an upload file as above.
 */
#include "daemon/routes.h"
#include "daemon/parties.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/commit.h"
#include "daemon/reviews.h"

struct upload_state {
	struct upload *upload;
	plm_envelope_reader *reader;
	plm_envelope_header header;
	int have_header;
	uint64_t start;     /* bytes stored before this request */
	uint64_t limit;     /* largest envelope allowed once the kind is known */
	int too_large;      /* refused for exceeding LIMIT */
	int failed;         /* the bytes are refused: discard */
	int committed;
	/* a small envelope sent whole: in memory, for the group commit */
	int small;
	unsigned char uid[BLOB_UPLOAD_ID_BYTES];
	unsigned char *buf;
	size_t len, cap;
};

/*
 * The largest envelope that can carry MAX content bytes: header, manifest,
 * 25 bytes of framing per 64 KiB chunk, end marker and trailer.
 */
static uint64_t envelope_limit(uint64_t max)
{
	return max + (max / PLM_ENVELOPE_CHUNK_BYTES + 2) * 25 + PLM_ENVELOPE_HEADER_MAX_BYTES +
	       PLM_ENVELOPE_MANIFEST_FRAME_MAX + 200;
}

/* The largest envelope of any kind the policy defines. */
static uint64_t any_envelope_limit(const plm_policy *policy)
{
	uint64_t max = 0, m;
	size_t i, n = plm_policy_count(policy, PLM_POLICY_KINDS);

	for (i = 0; i < n; i++)
		if (plm_policy_max_size(policy, plm_policy_nth(policy, PLM_POLICY_KINDS, i), &m,
		                        NULL) == 0 &&
		    m > max)
			max = m;
	return envelope_limit(max);
}

/* Parses 32 hex digits into a 16-byte upload id. */
static int parse_upload_id(const char *s, unsigned char id[BLOB_UPLOAD_ID_BYTES])
{
	unsigned char full[32];
	char padded[65];

	if (strlen(s) != 2 * BLOB_UPLOAD_ID_BYTES)
		return -1;
	memcpy(padded, s, 32);
	memset(padded + 32, '0', 32);
	padded[64] = '\0';
	if (http_parse_hex32(padded, full) != 0)
		return -1;
	memcpy(id, full, BLOB_UPLOAD_ID_BYTES);
	return 0;
}

/*
 * Reader callback: the header is parsed. The author must be the caller,
 * the review the one in the URL, and the review's state must let the
 * author write this kind on this channel now (policies/review.c).
 */
static int upload_header(void *ctx, const plm_envelope_header *header,
                         plm_pubkeys *author, plm_error *err)
{
	struct request *req = ctx;
	struct upload_state *st = req->state;
	uint64_t max;
	int r;

	if (strcmp(header->review_id, req->params[0]) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "this envelope is for review %s, not %s", header->review_id,
		                     req->params[0]);
	if (memcmp(header->author, req->caller, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "an envelope must be uploaded by its author");
	if ((r = reviews_check_envelope(req->srv, header, NULL, err)) != 0)
		return r;
	if ((r = plm_policy_max_size(req->srv->policy, header->kind, &max, err)) != 0)
		return r;
	st->limit = envelope_limit(max);
	st->header = *header;
	st->have_header = 1;
	*author = req->caller_cert.keys;
	return 0;
}

/* Turns a reader error into the answer the client gets once the body is in. */
static int refuse_envelope(struct request *req, int code, const plm_error *err)
{
	struct upload_state *st = req->state;

	st->failed = 1;
	metrics_reject(&req->srv->metrics, code == PLM_ERR_POLICY ? REJECT_FORBIDDEN
	                                                          : REJECT_INVALID_ENVELOPE);
	req->reject_reason = code == PLM_ERR_POLICY ? "forbidden" : "invalid_envelope";
	if (code == PLM_ERR_POLICY)
		return http_fail_later(req, 403, "policy", "Forbidden", "%s", err->message);
	if (code == PLM_ERR_NOTFOUND)
		return http_fail_later(req, 404, "not-found", "Not Found", "%s", err->message);
	if (code == PLM_ERR_MISMATCH)
		return http_fail_later(req, 409, "conflict", "Conflict", "%s", err->message);
	if (st->too_large)
		return http_fail_later(req, 413, "too-large", "Content Too Large", "%s",
		                       err->message);
	return http_fail_later(req, 422, "invalid-envelope", "Unprocessable Content",
	                       "the envelope was refused (%s): %s", plm_error_name(code),
	                       err->message);
}

/* Feeds bytes to the reader, enforcing the size limit. */
static int feed(struct request *req, const unsigned char *data, size_t len)
{
	struct upload_state *st = req->state;
	plm_error err;
	int r;

	r = plm_envelope_reader_feed(st->reader, data, len, &err);
	if (r == 0 && st->have_header && plm_envelope_reader_offset(st->reader) > st->limit) {
		st->too_large = 1;
		r = plm_error_set(&err, PLM_ERR_LIMIT,
		                  "this envelope is larger than a %s may be (%llu bytes at "
		                  "most)",
		                  st->header.kind, (unsigned long long)st->limit);
	}
	if (r != 0)
		return refuse_envelope(req, r, &err);
	return 0;
}

/* 409 upload-busy: another request is writing this upload right now. */
static int upload_busy(struct request *req)
{
	metrics_reject(&req->srv->metrics, REJECT_CONFLICT);
	req->reject_reason = "conflict";
	return http_problem(req, 409, "upload-busy", "Conflict",
	                    "another request is still sending this upload (or the "
	                    "server has not yet noticed that it was cut); try again "
	                    "in a second");
}

/* HEAD /v1/reviews/{review}/uploads/{id}: how much of an upload is stored. */
int route_upload_head(struct request *req)
{
	unsigned char uid[BLOB_UPLOAD_ID_BYTES];
	struct MHD_Response *resp;
	uint64_t offset;
	char value[24];
	plm_error err;
	int r;

	if (!require_member(req, req->params[0]))
		return 0;
	if (parse_upload_id(req->params[1], uid) != 0)
		return http_problem(req, 400, "bad-upload-id", "Bad Request",
		                    "an upload id is 32 hexadecimal digits");
	r = upload_stat(req->srv->blobs, req->caller, uid, &offset, &err);
	if (r == PLM_ERR_EXISTS)
		return upload_busy(req);
	if (r != 0)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not open the upload; try again later");
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return -1;
	snprintf(value, sizeof(value), "%llu", (unsigned long long)offset);
	MHD_add_response_header(resp, "Upload-Offset", value);
	return http_queue(req, 200, resp);
}

/*
 * PUT, first call, small envelopes: when the whole envelope comes in this
 * request (offset 0, a Content-Length up to COMMIT_SMALL_MAX) and no part of
 * this upload is stored, it will be kept in memory (0; its buffer is taken
 * now, after authentication). Also 0 when answered (409 upload-busy); -1
 * failed; 2: not small, take the upload file path.
 */
static int begin_small(struct request *req, uint64_t offset, const char *length)
{
	static const plm_envelope_handlers handlers = {upload_header, NULL};
	struct upload_state *st = req->state;
	unsigned long long cl = length != NULL ? strtoull(length, NULL, 10) : 0;
	uint64_t stored;
	plm_error err;
	int r;

	if (offset != 0 || cl == 0 || cl > COMMIT_SMALL_MAX)
		return 2;
	r = upload_stat(req->srv->blobs, req->caller, st->uid, &stored, &err);
	if (r == PLM_ERR_EXISTS)
		return upload_busy(req);
	if (r != 0 || stored != 0)
		return 2;
	if ((st->buf = malloc((size_t)cl)) == NULL ||
	    plm_envelope_reader_new(&st->reader, &handlers, req, &err) != 0)
		return -1;
	st->cap = (size_t)cl;
	st->small = 1;
	return 0;
}

/* PUT, first call: open (or resume) the upload and re-verify what is stored. */
int route_upload_begin(struct request *req)
{
	static const plm_envelope_handlers handlers = {upload_header, NULL};
	unsigned char uid[BLOB_UPLOAD_ID_BYTES], *buf = NULL;
	const char *claimed = http_header(req, "Upload-Offset");
	const char *length = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct upload_state *st;
	uint64_t stored, offset = 0, limit = any_envelope_limit(req->srv->policy);
	plm_error err;
	ssize_t n;
	int fd = -1, r = 0;

	if (!require_member(req, req->params[0]))
		return 0;
	if (parse_upload_id(req->params[1], uid) != 0)
		return http_problem(req, 400, "bad-upload-id", "Bad Request",
		                    "an upload id is 32 hexadecimal digits");
	if (claimed != NULL) {
		char *end;
		errno = 0;
		offset = strtoull(claimed, &end, 10);
		/* strtoull alone would take " 5", "+5" and "-1" (as 2^64 - 1). */
		if (*claimed < '0' || *claimed > '9' || *end != '\0' || errno != 0)
			return http_problem(req, 400, "bad-offset", "Bad Request",
			                    "Upload-Offset must be a whole number");
	}
	/* No envelope of any kind is this large: refuse before reading it. */
	if (length != NULL && (strtoull(length, NULL, 10) > limit || offset > limit)) {
		metrics_reject(&req->srv->metrics, REJECT_TOO_LARGE);
		req->reject_reason = "too_large";
		return http_problem(req, 413, "too-large", "Content Too Large",
		                    "no envelope may be larger than %llu bytes",
		                    (unsigned long long)limit);
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	req->state = st;
	atomic_fetch_add(&req->srv->metrics.uploads_in_flight, 1);
	memcpy(st->uid, uid, BLOB_UPLOAD_ID_BYTES);
	if ((r = begin_small(req, offset, length)) <= 0)
		return r;
	r = upload_open(req->srv->blobs, req->caller, uid, &st->upload, &stored, &err);
	if (r == PLM_ERR_EXISTS)
		return upload_busy(req);
	if (r != 0)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not open the upload; try again later");
	st->start = stored;
	if (offset != stored) {
		metrics_reject(&req->srv->metrics, REJECT_CONFLICT);
		req->reject_reason = "conflict";
		return http_problem(req, 409, "offset-mismatch", "Conflict",
		                    "the server holds %llu bytes of this upload, not %llu; "
		                    "resume from %llu",
		                    (unsigned long long)stored, (unsigned long long)offset,
		                    (unsigned long long)stored);
	}
	if (plm_envelope_reader_new(&st->reader, &handlers, req, &err) != 0)
		return -1;
	/* A large body: the reader hashes (BLAKE2b) on a thread of its own. */
	if (length != NULL && plm_envelope_reader_pipeline(
	                          st->reader, strtoull(length, NULL, 10), &err) != 0)
		return -1;
	if (stored == 0)
		return 0;
	/* Resuming: what was stored must still verify, from its first byte. */
	if ((buf = malloc(1 << 16)) == NULL || upload_reader(st->upload, &fd, &err) != 0) {
		free(buf);
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not reopen the upload");
	}
	while ((n = read(fd, buf, 1 << 16)) > 0)
		if ((r = plm_envelope_reader_feed(st->reader, buf, (size_t)n, &err)) != 0)
			break;
	close(fd);
	free(buf);
	if (r != 0 || n < 0) {
		st->failed = 1;
		return http_problem(req, 422, "invalid-envelope", "Unprocessable Content",
		                    "the stored part of this upload does not verify; start "
		                    "a new upload");
	}
	return 0;
}

/* PUT, body: verify, then store, each piece. */
int route_upload_body(struct request *req, const unsigned char *data, size_t len)
{
	struct upload_state *st = req->state;
	plm_error err;

	if (feed(req, data, len) != 0)
		return -1;
	if (st->small) {
		if (len > st->cap - st->len) { /* libmicrohttpd holds to Content-Length */
			st->failed = 1;
			return http_fail_later(req, 400, "bad-request", "Bad Request",
			                       "the body is longer than its Content-Length");
		}
		memcpy(st->buf + st->len, data, len);
		st->len += len;
		return 0;
	}
	if (upload_append(st->upload, data, len, &err) != 0) {
		st->failed = 1;
		return http_fail_later(req, 503, "store-failed", "Service Unavailable",
		                       "the server could not store the upload; try again later");
	}
	return 0;
}

/* The metadata row of the verified envelope ID of SIZE bytes. */
static void envelope_meta(const struct upload_state *st, const unsigned char id[PLM_HASH_BYTES],
                          uint64_t size, struct store_envelope *env)
{
	memset(env, 0, sizeof(*env));
	memcpy(env->id, id, PLM_HASH_BYTES);
	snprintf(env->review, sizeof(env->review), "%s", st->header.review_id);
	snprintf(env->channel, sizeof(env->channel), "%s", st->header.channel);
	snprintf(env->kind, sizeof(env->kind), "%s", st->header.kind);
	env->epoch = st->header.epoch;
	memcpy(env->author, st->header.author, PLM_FPR_BYTES);
	env->has_reply = st->header.has_reply;
	memcpy(env->reply_to, st->header.reply_to, PLM_HASH_BYTES);
	env->created_at = st->header.created_at;
	env->size = size;
}

/* 201 (recorded now) or 200 (already recorded): {"id", "seq", "size"}. */
static int answer_stored(struct request *req, unsigned status,
                         const unsigned char id[PLM_HASH_BYTES],
                         const struct store_envelope *env)
{
	return http_json(req, status,
	                 json_pack("{s:o, s:I, s:I}", "id", json_hex(id, PLM_HASH_BYTES), "seq",
	                           (json_int_t)env->seq, "size", (json_int_t)env->size));
}

/*
 * A small envelope that is not complete (or whose request was cut): what
 * came is kept as an upload file, fsynced, as if it had come that way, for
 * the client to resume. PLM_ERR_EXISTS if another request holds or has
 * stored part of this upload meanwhile (it is left alone).
 */
static int keep_small(struct request *req, plm_error *err)
{
	struct upload_state *st = req->state;
	uint64_t stored;
	int r;

	st->small = 0;
	if ((r = upload_open(req->srv->blobs, req->caller, st->uid, &st->upload, &stored,
	                     err)) != 0)
		return r;
	if (stored != 0) {
		upload_close(st->upload);
		st->upload = NULL;
		return plm_error_set(err, PLM_ERR_EXISTS,
		                     "another request stored part of this upload");
	}
	if ((r = upload_append(st->upload, st->buf, st->len, err)) != 0 ||
	    (r = upload_sync(st->upload, err)) != 0)
		st->failed = 1; /* route_upload_done removes it */
	return r;
}

/*
 * End of a small envelope, verified and not stored yet: the group commit
 * packs it with the others waiting, checks it again under its review's
 * lock and records it; the answer waits for that batch to be durable.
 */
static int end_small(struct request *req, const unsigned char id[PLM_HASH_BYTES])
{
	struct upload_state *st = req->state;
	struct commit_item item;

	memset(&item, 0, sizeof(item));
	item.header = &st->header;
	item.bytes = st->buf;
	item.len = st->len;
	envelope_meta(st, id, st->len, &item.env);
	commit_envelope(req->srv, &item);
	st->committed = 1; /* stored, or refused: nothing to keep either way */
	if (item.result == 0)
		return answer_stored(req, 201, id, &item.env);
	if (item.result == PLM_ERR_EXISTS)
		return answer_stored(req, 200, id, &item.env);
	if (item.result == PLM_ERR_IO || item.result == PLM_ERR_NOMEM)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not record the envelope; try again");
	refuse_envelope(req, item.result, &item.err);
	return http_problem(req, req->pending_status, req->pending_type, req->pending_title,
	                    "%s", req->pending_detail);
}

/* PUT, end of body: commit a complete envelope or keep a partial one. */
int route_upload_end(struct request *req)
{
	struct upload_state *st = req->state;
	struct store_envelope env;
	unsigned char id[PLM_HASH_BYTES];
	struct MHD_Response *resp;
	char value[24];
	plm_error err;
	int r;

	r = plm_envelope_reader_finish(st->reader, id, &err);
	if (r == PLM_ERR_TRUNCATED) {
		/* A part: keep it durably and say how much is stored. */
		if (st->small && (r = keep_small(req, &err)) == PLM_ERR_EXISTS)
			return upload_busy(req);
		if (r == PLM_ERR_TRUNCATED && upload_sync(st->upload, &err) != 0)
			r = PLM_ERR_IO;
		if (r != PLM_ERR_TRUNCATED && r != 0)
			return http_problem(req, 503, "store-failed", "Service Unavailable",
			                    "the server could not store the upload");
		snprintf(value, sizeof(value), "%llu",
		         (unsigned long long)upload_size(st->upload));
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Upload-Offset", value);
		return http_queue(req, 202, resp);
	}
	if (r != 0) {
		refuse_envelope(req, r, &err);
		return http_problem(req, req->pending_status, req->pending_type,
		                    req->pending_title, "%s", req->pending_detail);
	}
	/* Already stored (a retry whose first answer was lost): keep the original. */
	if (store_get_envelope(req->srv->store, id, &env, NULL) == 0) {
		st->failed = 1; /* drop this copy */
		return answer_stored(req, 200, id, &env);
	}
	if (st->small)
		return end_small(req, id);
	if (upload_commit(st->upload, id, &err) != 0)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not store the envelope; try again");
	st->committed = 1;
	envelope_meta(st, id, upload_size(st->upload), &env);
	/* Check again under the review's lock: the roster may have moved on. */
	r = reviews_check_envelope(req->srv, &st->header, &env, &err);
	if (r == PLM_ERR_EXISTS)
		return answer_stored(req, 200, id, &env);
	if (r != 0) {
		/* Remove the blob unless a concurrent upload of it was recorded. */
		if (!store_has_envelope(req->srv->store, id))
			blob_remove(req->srv->blobs, id);
		if (r == PLM_ERR_IO || r == PLM_ERR_NOMEM)
			return http_problem(req, 503, "store-failed", "Service Unavailable",
			                    "the server could not record the envelope; try again");
		refuse_envelope(req, r, &err);
		return http_problem(req, req->pending_status, req->pending_type,
		                    req->pending_title, "%s", req->pending_detail);
	}
	return answer_stored(req, 201, id, &env);
}

/*
 * PUT, over: keep an interrupted upload for a resume, drop a refused one,
 * and drop what this request added if its body failed its Content-Digest.
 */
void route_upload_done(struct request *req, int completed)
{
	struct upload_state *st = req->state;

	(void)completed;
	if (st == NULL)
		return;
	/* A small envelope cut short: keep what came for a resume, as others. */
	if (st->small && !st->committed && !st->failed && !req->digest_failed && st->len > 0)
		keep_small(req, NULL);
	if (st->upload != NULL && !st->committed) {
		if (st->failed)
			upload_discard(st->upload);
		else if (req->digest_failed && upload_truncate(st->upload, st->start, NULL) != 0)
			upload_discard(st->upload);
		else
			upload_sync(st->upload, NULL);
	}
	upload_close(st->upload);
	plm_envelope_reader_free(st->reader);
	free(st->buf);
	free(st);
	req->state = NULL;
	atomic_fetch_sub(&req->srv->metrics.uploads_in_flight, 1);
}

struct env_list {
	json_t *items;
	uint64_t last;
};

static int list_envelope(void *ctx, const struct store_envelope *env)
{
	struct env_list *l = ctx;
	json_t *item = json_pack(
	    "{s:I, s:o, s:s, s:s, s:I, s:o, s:I, s:I, s:I}", "seq", (json_int_t)env->seq, "id",
	    json_hex(env->id, PLM_HASH_BYTES), "channel", env->channel, "kind", env->kind,
	    "epoch", (json_int_t)env->epoch, "author", json_hex(env->author, PLM_FPR_BYTES),
	    "created_at", (json_int_t)env->created_at, "size", (json_int_t)env->size,
	    "accepted_at", (json_int_t)env->accepted_at);

	if (env->has_reply)
		json_object_set_new(item, "reply_to", json_hex(env->reply_to, PLM_HASH_BYTES));
	json_array_append_new(l->items, item);
	l->last = env->seq;
	return 0;
}

/* GET /v1/reviews/{review}/envelopes?after=&limit=: metadata in log order. */
int route_envelopes_list(struct request *req)
{
	struct env_list l = {NULL, UINT64_MAX};
	uint64_t after, limit;
	plm_error err;

	if (!require_member(req, req->params[0]))
		return 0;
	if (http_arg_u64(req, "after", UINT64_MAX, UINT64_MAX - 1, &after) != 0 ||
	    http_arg_u64(req, "limit", 1000, 10000, &limit) != 0)
		return http_problem(req, 400, "bad-query", "Bad Request",
		                    "after and limit must be whole numbers (limit at most 10000)");
	l.items = json_array();
	if (store_list_envelopes(req->srv->store, req->params[0], after, (unsigned)limit,
	                         list_envelope, &l, &err) != 0) {
		json_decref(l.items);
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not read its store; try again later");
	}
	return http_json(req, 200,
	                 json_pack("{s:o, s:o}", "envelopes", l.items, "next",
	                           l.last == UINT64_MAX ? json_null()
	                                                : json_integer((json_int_t)l.last)));
}

/*
 * Parses "bytes=A-B", "bytes=A-" or "bytes=-N" against SIZE into the
 * inclusive range [*FIRST, *LAST]. 0 ok, -1 unsatisfiable, -2 malformed or
 * several ranges (RFC 9110 §14.2: the header is then ignored).
 */
static int parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
	unsigned long long a = 0, b = 0;
	char *end;

	if (strncmp(h, "bytes=", 6) != 0)
		return -2;
	h += 6;
	if (*h == '-') {
		if (h[1] < '0' || h[1] > '9')
			return -2;
		errno = 0;
		b = strtoull(h + 1, &end, 10);
		if (*end != '\0' || errno != 0)
			return -2;
		if (size == 0 || b == 0)
			return -1;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 0;
	}
	if (*h < '0' || *h > '9')
		return -2;
	errno = 0;
	a = strtoull(h, &end, 10);
	if (*end != '-' || errno != 0)
		return -2;
	h = end + 1;
	if (*h == '\0') {
		b = size ? size - 1 : 0;
	} else {
		if (*h < '0' || *h > '9')
			return -2;
		b = strtoull(h, &end, 10);
		if (*end != '\0' || errno != 0 || b < a)
			return -2;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*first = a;
	*last = b;
	return 0;
}

/* 416 with Content-Range "bytes *\/SIZE" and a problem+json body. */
static int range_not_satisfiable(struct request *req, uint64_t size)
{
	char detail[160], text[400], value[40];
	struct MHD_Response *resp;
	json_t *body;
	char *json;

	snprintf(detail, sizeof(detail), "the envelope has %llu bytes; ask for a range "
	         "inside them", (unsigned long long)size);
	snprintf(value, sizeof(value), "bytes */%llu", (unsigned long long)size);
	body = json_pack("{s:s, s:s, s:i, s:s}", "type", "/problems/range-not-satisfiable",
	                 "title", "Range Not Satisfiable", "status", 416, "detail", detail);
	json = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (json == NULL)
		return -1;
	snprintf(text, sizeof(text), "%s", json);
	free(json);
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return -1;
	MHD_add_response_header(resp, "Content-Type", "application/problem+json");
	MHD_add_response_header(resp, "Content-Range", value);
	req->bytes_out += strlen(text);
	return http_queue(req, 416, resp);
}

/*
 * GET /v1/envelopes/{id}: the stored bytes, streamed from the file (the
 * descriptor goes to libmicrohttpd, which sends it with sendfile), whole or
 * one Range.
 */
int route_envelope_get(struct request *req)
{
	unsigned char id[PLM_HASH_BYTES];
	struct store_envelope env;
	struct MHD_Response *resp;
	const char *range = http_header(req, "Range");
	uint64_t size, base, first = 0, last = 0;
	char value[80];
	plm_error err;
	int fd, pr = -2;

	if (http_parse_hex32(req->params[0], id) != 0 ||
	    store_get_envelope(req->srv->store, id, &env, NULL) != 0) {
		metrics_reject(&req->srv->metrics, REJECT_NOT_FOUND);
		req->reject_reason = "not_found";
		return http_problem(req, 404, "not-found", "Not Found", "there is nothing at %s",
		                    req->path);
	}
	/* A disclosed envelope also goes to those it was disclosed to (§4.6). */
	if (!parties_may_fetch(req, &env) && !require_member(req, env.review))
		return 0;
	if (blob_open(req->srv->blobs, &env, &fd, &base, &size, &err) != 0)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not read the envelope; try again later");
	if (range != NULL)
		pr = parse_range(range, size, &first, &last);
	if (pr == -1) {
		close(fd);
		return range_not_satisfiable(req, size);
	}
	if (pr == -2) {
		first = 0;
		last = size - 1;
	}
	resp = size == 0 ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
	                 : MHD_create_response_from_fd_at_offset64(last - first + 1, fd,
	                                                           base + first);
	if (size == 0)
		close(fd);
	if (resp == NULL) {
		if (size != 0)
			close(fd);
		return -1;
	}
	MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
	MHD_add_response_header(resp, "Accept-Ranges", "bytes");
	if (pr == 0) {
		snprintf(value, sizeof(value), "bytes %llu-%llu/%llu", (unsigned long long)first,
		         (unsigned long long)last, (unsigned long long)size);
		MHD_add_response_header(resp, "Content-Range", value);
	}
	req->bytes_out += size == 0 ? 0 : last - first + 1;
	return http_queue(req, pr == 0 ? 206 : 200, resp);
}
