/*
 * routes_enroll.c - invitations and enrollment requests (docs/API.md
 * "Enrollment", PROTOCOL.md §5.10, DESIGN.md §5).
 *
 * The secretariat registers an invitation: only the hash of its one-time
 * code, the user id and State it is for, and when it expires. The person
 * files an enrollment record signed by their new keys, with the code; the
 * server checks both and uses the invitation up in the same transaction as
 * it stores the request. The secretariat lists the pending requests and
 * certifies the keys (POST /v1/certificates) once the fingerprint was
 * compared out of band. No password is involved anywhere: the code proves
 * the invitation, the signature proves the keys.
 */
#include "daemon/routes.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys/codec.h"

/* An invitation is valid for at most this long after it is registered. */
#define INVITATION_MAX_SECONDS (10u * 24 * 3600)
/* Room for the clocks of client and server to disagree. */
#define INVITATION_SKEW_SECONDS 300u
/* The largest enrollment record: every string at its bound. */
#define ENROLLMENT_RECORD_MAX 1024

/* A string field NAME of OBJ, or NULL if absent or not a string. */
static const char *json_str(json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

/* 1 if S is a string of class CLS, MINLEN..MAXLEN bytes long. */
static int valid_str(const char *s, size_t minlen, size_t maxlen,
                     enum plm_str_class cls)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return n >= minlen && n <= maxlen && plm_str_valid(s, n, cls);
}

/* Unix time T as "2026-03-01 14:05 UTC". */
static void format_time(uint64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, cap, "%llu", (unsigned long long)t);
}

/* Answers 400 bad-request with DETAIL. */
static int bad_request(struct request *req, const char *type, const char *detail)
{
	metrics_reject(&req->srv->metrics, REJECT_MALFORMED);
	req->reject_reason = "malformed";
	return http_problem(req, 400, type, "Bad Request", "%s", detail);
}

/*
 * POST /v1/invitations (signed by the root or a secretariat key):
 * {"invitation": hex of the code's hash, "user_id", "name", "state",
 *  "usage": "member"|"secretariat", "expires_at": Unix seconds}.
 */
int route_invitation_post(struct request *req)
{
	struct store_invitation inv;
	const char *hash, *user_id, *name, *state, *usage;
	json_t *body = NULL, *expires;
	uint64_t now = (uint64_t)time(NULL);
	plm_error err;
	int r;

	if (!req->srv->root_known)
		return http_problem(
		    req, 409, "no-root", "Conflict",
		    "this server has no root yet; publish it first with "
		    "`palermo admin root`");
	if (!caller_is_secretariat(req)) {
		metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
		req->reject_reason = "forbidden";
		return http_problem(req, 403, "forbidden", "Forbidden",
		                    "only the secretariat invites people");
	}
	body = json_loadb((const char *)req->body, req->body_len, 0, NULL);
	memset(&inv, 0, sizeof(inv));
	hash = json_str(body, "invitation");
	user_id = json_str(body, "user_id");
	name = json_str(body, "name");
	state = json_str(body, "state");
	usage = json_str(body, "usage");
	expires = json_object_get(body, "expires_at");
	if (!json_is_object(body) || hash == NULL ||
	    http_parse_hex32(hash, inv.hash) != 0 ||
	    !valid_str(user_id, 1, PLM_RECORD_ID_MAX, PLM_STR_ID) ||
	    !valid_str(name, 1, PLM_RECORD_TEXT_MAX, PLM_STR_TEXT) ||
	    !valid_str(state, PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	               PLM_STR_STATE) ||
	    usage == NULL || !json_is_integer(expires) ||
	    json_integer_value(expires) < 0) {
		r = bad_request(
		    req, "bad-invitation",
		    "an invitation needs invitation (64 hex digits), user_id, "
		    "name, state, usage and expires_at, each valid");
		goto out;
	}
	if (strcmp(usage, "member") == 0) {
		inv.usage = PLM_USAGE_MEMBER;
	} else if (strcmp(usage, "secretariat") == 0) {
		inv.usage = PLM_USAGE_SECRETARIAT;
	} else {
		r = bad_request(req, "bad-invitation",
		                "usage must be member or secretariat");
		goto out;
	}
	inv.expires_at = (uint64_t)json_integer_value(expires);
	if (inv.expires_at <= now ||
	    inv.expires_at > now + INVITATION_MAX_SECONDS + INVITATION_SKEW_SECONDS) {
		r = bad_request(
		    req, "bad-invitation",
		    "an invitation must expire in the future and within 10 days");
		goto out;
	}
	snprintf(inv.user_id, sizeof(inv.user_id), "%s", user_id);
	snprintf(inv.name, sizeof(inv.name), "%s", name);
	snprintf(inv.state, sizeof(inv.state), "%s", state);
	memcpy(inv.issued_by, req->caller, PLM_FPR_BYTES);
	inv.issued_at = now;
	r = store_add_invitation(req->srv->store, &inv, &err);
	if (r == PLM_ERR_EXISTS) {
		metrics_reject(&req->srv->metrics, REJECT_CONFLICT);
		r = http_problem(
		    req, 409, "invitation-exists", "Conflict",
		    "an invitation with this code exists already; make a new code");
	} else if (r != 0) {
		r = http_problem(
		    req, 503, "store-failed", "Service Unavailable",
		    "the server could not store the invitation; try again later");
	} else {
		r = http_json(req, 201,
		              json_pack("{s:o, s:s, s:s, s:I}", "invitation",
		                        json_hex(inv.hash, PLM_HASH_BYTES), "user_id",
		                        inv.user_id, "state", inv.state, "expires_at",
		                        (json_int_t)inv.expires_at));
	}
out:
	json_decref(body);
	return r;
}

/* Answers the refusal of an enrollment by the store (RC, INV). */
static int refuse_enrollment(struct request *req, int rc,
                             const struct store_invitation *inv)
{
	char when[64];

	switch (rc) {
	case PLM_ERR_NOTFOUND:
		metrics_reject(&req->srv->metrics, REJECT_NOT_FOUND);
		return http_problem(
		    req, 404, "invitation-unknown", "Not Found",
		    "no invitation has this code; check the code, or ask "
		    "the secretariat for a new invitation");
	case PLM_ERR_EXISTS:
		metrics_reject(&req->srv->metrics, REJECT_CONFLICT);
		return http_problem(req, 409, "invitation-used", "Conflict",
		                    "this invitation was used already; an invitation "
		                    "enrols one person once: ask the secretariat for a "
		                    "new one");
	case PLM_ERR_LIMIT:
		format_time(inv->expires_at, when, sizeof(when));
		metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
		return http_problem(
		    req, 410, "invitation-expired", "Gone",
		    "the invitation expired on %s; ask the secretariat for a "
		    "new one",
		    when);
	case PLM_ERR_MISMATCH:
		metrics_reject(&req->srv->metrics, REJECT_INVALID_RECORD);
		return http_problem(
		    req, 400, "invitation-mismatch", "Bad Request",
		    "this invitation is for %s of %s; enrol with exactly "
		    "that user id and State",
		    inv->user_id, inv->state);
	}
	return http_problem(req, 503, "store-failed", "Service Unavailable",
	                    "the server could not store the request; try again later");
}

/*
 * POST /v1/enrollments (unsigned: the record's signature proves the keys,
 * the code proves the invitation): {"code": "XXXX-...", "record": base64
 * of the enrollment record}.
 */
int route_enrollment_post(struct request *req)
{
	unsigned char bytes[ENROLLMENT_RECORD_MAX], hash[PLM_HASH_BYTES];
	struct store_enrollment enr;
	struct store_invitation inv;
	const plm_enrollment *e;
	plm_record *record = NULL;
	const char *code, *b64;
	json_t *body = NULL;
	size_t len = 0;
	plm_error err;
	int r, rc;

	if (!req->srv->root_known) {
		r = http_problem(req, 409, "no-root", "Conflict",
		                 "this server has no root yet; the secretariat must "
		                 "publish it before anyone can enrol");
		goto out;
	}
	body = json_loadb((const char *)req->body, req->body_len, 0, NULL);
	code = json_str(body, "code");
	b64 = json_str(body, "record");
	if (!json_is_object(body) || code == NULL || b64 == NULL ||
	    sodium_base642bin(bytes, sizeof(bytes), b64, strlen(b64), NULL, &len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		r = bad_request(req, "bad-enrollment",
		                "an enrollment needs code and record (base64 of an "
		                "enrollment record)");
		goto out;
	}
	/* PROTOCOL.md §5.10: decoded, then signed by the keys it carries. */
	if (plm_record_decode(bytes, len, &record, &err) != 0 ||
	    plm_enrollment_verify(record, &err) != 0) {
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	if (plm_invitation_code_hash(hash, code, &err) != 0) {
		r = bad_request(req, "bad-code", err.message);
		goto out;
	}
	e = &record->body.enrollment;
	if (sodium_memcmp(hash, e->invitation, PLM_HASH_BYTES) != 0) {
		metrics_reject(&req->srv->metrics, REJECT_INVALID_RECORD);
		r = http_problem(
		    req, 400, "invitation-mismatch", "Bad Request",
		    "the request was made for another invitation code than "
		    "the one sent with it");
		goto out;
	}
	memset(&enr, 0, sizeof(enr));
	memcpy(enr.invitation, hash, PLM_HASH_BYTES);
	plm_fingerprint(enr.fpr, &e->keys);
	snprintf(enr.user_id, sizeof(enr.user_id), "%s", e->user_id);
	snprintf(enr.name, sizeof(enr.name), "%s", e->display_name);
	snprintf(enr.state, sizeof(enr.state), "%s", e->state);
	enr.received_at = (uint64_t)time(NULL);
	enr.bytes = record->encoding;
	enr.len = record->encoding_len;
	rc = store_add_enrollment(req->srv->store, &enr, enr.received_at, &inv, &err);
	/* The same keys filing again (a retry after a lost answer) get the same answer.
	 */
	if (rc == PLM_ERR_EXISTS && memcmp(inv.used_by, enr.fpr, PLM_FPR_BYTES) == 0)
		rc = 1;
	if (rc < 0) {
		r = refuse_enrollment(req, rc, &inv);
		goto out;
	}
	r = http_json(req, rc == 0 ? 201 : 200,
	              json_pack("{s:o, s:s, s:s, s:s}", "fingerprint",
	                        json_hex(enr.fpr, PLM_FPR_BYTES), "user_id",
	                        enr.user_id, "state", enr.state, "status", "pending"));
out:
	plm_record_free(record);
	json_decref(body);
	return r;
}

/* Adds one pending request to the JSON array CTX. */
static int list_enrollment(void *ctx, const struct store_enrollment *req,
                           const struct store_invitation *inv)
{
	json_array_append_new(
	    ctx,
	    json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:o}", "user_id",
	              req->user_id, "name", req->name, "state", req->state, "usage",
	              inv->usage == PLM_USAGE_SECRETARIAT ? "secretariat" : "member",
	              "fingerprint", json_hex(req->fpr, PLM_FPR_BYTES), "received_at",
	              (json_int_t)req->received_at, "expires_at",
	              (json_int_t)inv->expires_at, "record",
	              json_base64(req->bytes, req->len)));
	return 0;
}

/* GET /v1/enrollments (secretariat): the requests waiting for a certificate. */
int route_enrollments_list(struct request *req)
{
	json_t *items;
	plm_error err;

	if (!caller_is_secretariat(req)) {
		metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
		req->reject_reason = "forbidden";
		return http_problem(req, 403, "forbidden", "Forbidden",
		                    "only the secretariat sees enrollment requests");
	}
	items = json_array();
	if (store_list_enrollments(req->srv->store, list_enrollment, items, &err) !=
	    0) {
		json_decref(items);
		return http_problem(
		    req, 503, "store-failed", "Service Unavailable",
		    "the server could not read its store; try again later");
	}
	return http_json(req, 200, json_pack("{s:o}", "enrollments", items));
}

/*
 * GET /v1/enrollments/{fingerprint} (unsigned, for `palermo whoami`, which
 * may not be able to sign yet): the revocation of those keys (410) if they
 * were revoked, else their newest certificate (200), else 202 {"status":
 * "pending"} while a request waits, else 404. Whoever asks must know the
 * fingerprint; the client verifies what it gets against its pinned root.
 */
int route_enrollment_get(struct request *req)
{
	unsigned char fpr[PLM_FPR_BYTES], *bytes = NULL;
	size_t len;
	int r;

	if (http_parse_hex32(req->params[0], fpr) != 0)
		return http_problem(req, 404, "not-found", "Not Found",
		                    "no enrollment has that fingerprint");
	if (store_find_subject(req->srv->store, PLM_RECORD_REVOCATION, fpr, &bytes,
	                       &len, NULL) == 0) {
		r = http_bytes(req, 410, "application/octet-stream", bytes, len);
		free(bytes);
		return r;
	}
	if (store_find_subject(req->srv->store, PLM_RECORD_CERTIFICATE, fpr, &bytes,
	                       &len, NULL) == 0) {
		r = http_bytes(req, 200, "application/octet-stream", bytes, len);
		free(bytes);
		return r;
	}
	if (store_enrollment_pending(req->srv->store, fpr))
		return http_json(req, 202, json_pack("{s:s}", "status", "pending"));
	return http_problem(req, 404, "not-found", "Not Found",
	                    "no enrollment has that fingerprint");
}
