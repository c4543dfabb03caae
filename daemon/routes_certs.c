/*
 * routes_certs.c - the deployment root, certificates and revocations
 * (docs/API.md "Identities"). Every record is verified here exactly as a
 * client verifies it: decoded strictly, signed by the root.
 */
#include "daemon/routes.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/log.h"

/* GET /v1/root: the self-signed root certificate, once one is pinned. */
int route_root_get(struct request *req)
{
	unsigned char *bytes = NULL;
	size_t len;
	int r;

	if (!req->srv->root_known ||
	    store_find_subject(req->srv->store, PLM_RECORD_CERTIFICATE, req->srv->root_fpr,
	                       &bytes, &len, NULL) != 0)
		return http_problem(req, 404, "no-root", "Not Found",
		                    "this server has no root certificate yet; the "
		                    "secretariat publishes it with `palermo admin root`");
	r = http_bytes(req, 200, "application/octet-stream", bytes, len);
	free(bytes);
	return r;
}

/* POST /v1/root, first call: remember the Content-Digest to check the body. */
int route_root_post_begin(struct request *req)
{
	const char *digest = http_header(req, "Content-Digest");

	if (digest == NULL || strlen(digest) >= sizeof(req->content_digest))
		return http_problem(req, 401, "unauthorized", "Unauthorized",
		                    "this request is not signed: use the palermo client");
	strcpy(req->content_digest, digest);
	return 0;
}

/* Reports a record that failed verification as 400 invalid-record. */
static int refuse_record(struct request *req, const plm_error *err)
{
	return answer_invalid(req, "invalid-record", err);
}

/*
 * POST /v1/root: pins the deployment root (DESIGN.md §5). The body is the
 * root's self-signed certificate; the request must be signed by that key.
 * With `root:` in the configuration only that fingerprint is accepted;
 * without, the first root published is pinned for good (clients pin it
 * out of band anyway, so a wrong one here would be refused by everyone).
 */
int route_root_post(struct request *req)
{
	struct server *srv = req->srv;
	struct store_record rec;
	plm_record *record = NULL;
	plm_certificate *cert;
	unsigned char fpr[PLM_FPR_BYTES];
	plm_error err;
	int r = 0, existed;

	if (plm_record_decode(req->body, req->body_len, &record, &err) != 0 ||
	    plm_record_expect_type(record, PLM_RECORD_CERTIFICATE, &err) != 0) {
		r = refuse_record(req, &err);
		goto out;
	}
	cert = &record->body.certificate;
	plm_certificate_fingerprint(fpr, cert);
	if (cert->usage != PLM_USAGE_ROOT || memcmp(record->signer, fpr, PLM_FPR_BYTES) != 0 ||
	    plm_record_verify_signer(record, &cert->keys, &err) != 0) {
		plm_error_set(&err, PLM_ERR_POLICY,
		              "a root certificate must have usage root and be signed by "
		              "its own key");
		r = refuse_record(req, &err);
		goto out;
	}
	if (http_authenticate(req, &cert->keys) != 0)
		goto out;
	pthread_mutex_lock(&srv->root_lock);
	if ((srv->cfg.root_pinned && memcmp(srv->cfg.root_fpr, fpr, PLM_FPR_BYTES) != 0) ||
	    (srv->root_known && memcmp(srv->root_fpr, fpr, PLM_FPR_BYTES) != 0)) {
		pthread_mutex_unlock(&srv->root_lock);
		r = http_problem(req, 409, "root-conflict", "Conflict",
		                 "this server is pinned to another root; a deployment has "
		                 "one root for good");
		goto out;
	}
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.id, record->id, PLM_HASH_BYTES);
	rec.type = PLM_RECORD_CERTIFICATE;
	memcpy(rec.subject, fpr, PLM_FPR_BYTES);
	rec.has_subject = 1;
	rec.bytes = record->encoding;
	rec.len = record->encoding_len;
	r = store_add_record(srv->store, &rec, NULL, 0, &err);
	existed = r == PLM_ERR_EXISTS;
	if (r == 0 || existed)
		r = store_meta_put(srv->store, "root", fpr, PLM_FPR_BYTES, &err);
	if (r == 0) {
		memcpy(srv->root_fpr, fpr, PLM_FPR_BYTES);
		srv->root_keys = cert->keys;
		srv->root_known = 1;
	}
	pthread_mutex_unlock(&srv->root_lock);
	if (r != 0) {
		r = http_problem(req, 503, "store-failed", "Service Unavailable",
		                 "the server could not store the root: %s", err.message);
		goto out;
	}
	r = http_json(req, existed ? 200 : 201,
	              json_pack("{s:I, s:o}", "seq", (json_int_t)rec.seq, "id",
	                        json_hex(record->id, PLM_HASH_BYTES)));
out:
	plm_record_free(record);
	return r;
}

/*
 * Decodes the body as a record of TYPE signed by the root and verifies it.
 * Returns 0 with *OUT set (caller frees), or 1 after answering the refusal
 * (*OUT NULL).
 */
static int root_record(struct request *req, int type, plm_record **out)
{
	plm_error err;

	*out = NULL;
	if (!req->srv->root_known) {
		http_problem(req, 409, "no-root", "Conflict",
		             "this server has no root yet; publish it first with "
		             "`palermo admin root`");
		return 1;
	}
	if (!caller_is_secretariat(req)) {
		metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
		req->reject_reason = "forbidden";
		http_problem(req, 403, "forbidden", "Forbidden",
		             "only the secretariat publishes certificates and revocations");
		return 1;
	}
	if (plm_record_decode(req->body, req->body_len, out, &err) != 0 ||
	    plm_record_expect_type(*out, type, &err) != 0 ||
	    (memcmp((*out)->signer, req->srv->root_fpr, PLM_FPR_BYTES) != 0 &&
	     plm_error_set(&err, PLM_ERR_POLICY, "it is not signed by this deployment's root") != 0) ||
	    plm_record_verify_signer(*out, &req->srv->root_keys, &err) != 0) {
		plm_record_free(*out);
		*out = NULL;
		refuse_record(req, &err);
		return 1;
	}
	return 0;
}

/* Stores a deployment-wide record about SUBJECT and answers 201 (200 if known). */
static int store_deployment_record(struct request *req, const plm_record *record,
                                   const unsigned char subject[PLM_FPR_BYTES])
{
	struct store_record rec;
	plm_error err;
	int r;

	memset(&rec, 0, sizeof(rec));
	memcpy(rec.id, record->id, PLM_HASH_BYTES);
	rec.type = record->type;
	memcpy(rec.subject, subject, PLM_FPR_BYTES);
	rec.has_subject = 1;
	rec.bytes = record->encoding;
	rec.len = record->encoding_len;
	r = store_add_record(req->srv->store, &rec, NULL, 0, &err);
	if (r != 0 && r != PLM_ERR_EXISTS)
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not store the record; try again later");
	return http_json(req, r == 0 ? 201 : 200,
	                 json_pack("{s:I, s:o}", "seq", (json_int_t)rec.seq, "id",
	                           json_hex(record->id, PLM_HASH_BYTES)));
}

/* POST /v1/certificates: a certificate signed by the root. */
int route_certificate_post(struct request *req)
{
	plm_record *record = NULL;
	unsigned char fpr[PLM_FPR_BYTES];
	plm_error err;
	int r;

	if (root_record(req, PLM_RECORD_CERTIFICATE, &record) != 0)
		return 0;
	if (record->body.certificate.usage == PLM_USAGE_ROOT) {
		plm_error_set(&err, PLM_ERR_POLICY, "the root certificate is published at /v1/root");
		r = refuse_record(req, &err);
	} else {
		plm_certificate_fingerprint(fpr, &record->body.certificate);
		r = store_deployment_record(req, record, fpr);
	}
	plm_record_free(record);
	return r;
}

/* POST /v1/revocations: a revocation signed by the root. */
int route_revocation_post(struct request *req)
{
	plm_record *record = NULL;
	plm_error err;
	int r;

	if (root_record(req, PLM_RECORD_REVOCATION, &record) != 0)
		return 0;
	if (memcmp(record->body.revocation.revoked, req->srv->root_fpr, PLM_FPR_BYTES) == 0) {
		plm_error_set(&err, PLM_ERR_POLICY, "the deployment root cannot be revoked");
		r = refuse_record(req, &err);
	} else {
		r = store_deployment_record(req, record, record->body.revocation.revoked);
	}
	plm_record_free(record);
	return r;
}

/* GET /v1/certificates/{fingerprint}: the newest certificate of those keys. */
int route_certificate_get(struct request *req)
{
	unsigned char fpr[PLM_FPR_BYTES], *bytes = NULL;
	size_t len;
	int r;

	if (http_parse_hex32(req->params[0], fpr) != 0 ||
	    store_find_subject(req->srv->store, PLM_RECORD_CERTIFICATE, fpr, &bytes, &len,
	                       NULL) != 0)
		return http_problem(req, 404, "not-found", "Not Found",
		                    "no certificate has that fingerprint");
	r = http_bytes(req, 200, "application/octet-stream", bytes, len);
	free(bytes);
	return r;
}

struct list_ctx {
	json_t *items;
	uint64_t last;
};

static int list_record(void *ctx, const struct store_record *rec)
{
	struct list_ctx *l = ctx;

	json_array_append_new(l->items,
	                      json_pack("{s:I, s:s, s:o, s:o}", "seq", (json_int_t)rec->seq,
	                                "type", plm_record_type_name(rec->type), "id",
	                                json_hex(rec->id, PLM_HASH_BYTES), "record",
	                                json_base64(rec->bytes, rec->len)));
	l->last = rec->seq;
	return 0;
}

int list_records(struct request *req, const char *review)
{
	struct list_ctx l = {json_array(), UINT64_MAX};
	uint64_t after, limit;
	plm_error err;

	if (http_arg_u64(req, "after", UINT64_MAX, UINT64_MAX - 1, &after) != 0 ||
	    http_arg_u64(req, "limit", 500, 5000, &limit) != 0) {
		json_decref(l.items);
		return http_problem(req, 400, "bad-query", "Bad Request",
		                    "after and limit must be whole numbers (limit at most 5000)");
	}
	if (store_list_records(req->srv->store, review, after, (unsigned)limit, list_record,
	                       &l, &err) != 0) {
		json_decref(l.items);
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not read its store; try again later");
	}
	return http_json(req, 200,
	                 json_pack("{s:o, s:o}", "records", l.items, "next",
	                           l.last == UINT64_MAX ? json_null() : json_integer((json_int_t)l.last)));
}

/* GET /v1/certificates: every certificate and revocation, in log order. */
int route_certificates_list(struct request *req)
{
	return list_records(req, "");
}
