/*
 * routes_parties.c - the parties group's records and what was disclosed to
 * it (docs/API.md §4.6): the secretariat publishes the group's rosters and
 * keys; every certified member reads them (a removed member learns that
 * it was removed, and holds no later key); the group's members list the
 * disclosures of every review with what they need to verify them.
 */
#include "daemon/routes.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/parties.h"

int answer_record_stored(struct request *req, int rc, const plm_error *err,
                         const plm_record *record, uint64_t seq)
{
	if (rc == PLM_ERR_IO || rc == PLM_ERR_NOMEM || rc == PLM_ERR_CORRUPT)
		return http_problem(
		    req, 503, "store-failed", "Service Unavailable",
		    "the server could not store the record; try again later");
	if (rc == PLM_ERR_NOTFOUND)
		return http_problem(req, 404, "not-found", "Not Found",
		                    "there is nothing at %s", req->path);
	if (rc != 0 && rc != PLM_ERR_EXISTS) {
		metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
		req->reject_reason = "refused_by_policy";
		return http_problem(req, rc == PLM_ERR_POLICY ? 403 : 409,
		                    rc == PLM_ERR_POLICY ? "policy" : "conflict",
		                    rc == PLM_ERR_POLICY ? "Forbidden" : "Conflict",
		                    "%s", err->message);
	}
	return http_json(req, rc == 0 ? 201 : 200,
	                 json_pack("{s:I, s:o}", "seq", (json_int_t)seq, "id",
	                           json_hex(record->id, PLM_HASH_BYTES)));
}

/* POST /v1/parties/records: a parties roster or the group's epoch keys. */
int route_parties_post(struct request *req)
{
	plm_record *record = NULL;
	const char *id;
	uint64_t seq = 0;
	plm_error err;
	int r, rc;

	if (!req->srv->root_known)
		return http_problem(req, 409, "no-root", "Conflict",
		                    "this server has no root yet; publish it first");
	if (!caller_is_secretariat(req)) {
		metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
		return http_problem(req, 403, "forbidden", "Forbidden",
		                    "only the secretariat changes the parties group");
	}
	if (plm_record_decode(req->body, req->body_len, &record, &err) != 0) {
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	id = plm_record_review(record);
	if (id == NULL || strcmp(id, PLM_PARTIES_REVIEW_ID) != 0) {
		plm_error_set(&err, PLM_ERR_MISMATCH,
		              "only parties rosters and the parties group's epoch keys "
		              "go to /v1/parties/records");
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	if (memcmp(record->signer, req->srv->root_fpr, PLM_FPR_BYTES) != 0 ||
	    plm_record_verify_signer(record, &req->srv->root_keys, &err) != 0) {
		plm_error_set(
		    &err, PLM_ERR_SIGNATURE,
		    "the parties group's records must carry a valid signature "
		    "of the deployment root");
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	rc = parties_add_record(req->srv, record, &seq, &err);
	r = answer_record_stored(req, rc, &err, record, seq);
out:
	plm_record_free(record);
	return r;
}

/* GET /v1/parties/records: the group's records, for every certified member. */
int route_parties_list(struct request *req)
{
	return list_records(req, PLM_PARTIES_REVIEW_ID);
}

/* 1 if the caller may see what was disclosed (else answers 404). */
static int require_parties(struct request *req)
{
	if (caller_is_secretariat(req) || parties_is_member(req->srv, req->caller))
		return 1;
	metrics_reject(&req->srv->metrics, REJECT_NOT_FOUND);
	req->reject_reason = "not_found";
	http_problem(
	    req, 404, "not-found", "Not Found",
	    "there is nothing at %s for you: only members of the parties group "
	    "see what was disclosed to it",
	    req->path);
	return 0;
}

struct disclosed_list {
	json_t *items;
	uint64_t last;
};

static int add_disclosure(void *ctx, const struct store_record *rec)
{
	struct disclosed_list *l = ctx;

	json_array_append_new(
	    l->items,
	    json_pack("{s:I, s:s, s:o, s:o, s:o}", "seq", (json_int_t)rec->seq,
	              "review", rec->review, "id", json_hex(rec->id, PLM_HASH_BYTES),
	              "record", json_base64(rec->bytes, rec->len), "envelope_id",
	              json_hex(rec->subject, PLM_HASH_BYTES)));
	l->last = rec->seq;
	return 0;
}

/* The disclosed envelope's metadata, as GET /v1/reviews/{review}/envelopes gives it. */
static json_t *envelope_json(const struct store_envelope *env)
{
	return json_pack("{s:o, s:I, s:s, s:s, s:I, s:o, s:I, s:I}", "id",
	                 json_hex(env->id, PLM_HASH_BYTES), "seq", (json_int_t)env->seq,
	                 "channel", env->channel, "kind", env->kind, "epoch",
	                 (json_int_t)env->epoch, "author",
	                 json_hex(env->author, PLM_FPR_BYTES), "created_at",
	                 (json_int_t)env->created_at, "size", (json_int_t)env->size);
}

/* GET /v1/disclosures: every disclosure of every review, in log order. */
int route_disclosures_list(struct request *req)
{
	struct disclosed_list l = {NULL, UINT64_MAX};
	unsigned char id[PLM_HASH_BYTES];
	struct store_envelope env;
	uint64_t after, limit;
	json_t *item;
	plm_error err;
	size_t i;

	if (!require_parties(req))
		return 0;
	if (http_arg_u64(req, "after", UINT64_MAX, UINT64_MAX - 1, &after) != 0 ||
	    http_arg_u64(req, "limit", 500, 5000, &limit) != 0)
		return http_problem(
		    req, 400, "bad-query", "Bad Request",
		    "after and limit must be whole numbers (limit at most 5000)");
	l.items = json_array();
	if (store_list_type(req->srv->store, PLM_RECORD_DISCLOSURE, after,
	                    (unsigned)limit, add_disclosure, &l, &err) != 0) {
		json_decref(l.items);
		return http_problem(
		    req, 503, "store-failed", "Service Unavailable",
		    "the server could not read its store; try again later");
	}
	/* The envelopes after the listing: the store is not re-entered above. */
	json_array_foreach(l.items, i, item)
	{
		if (http_parse_hex32(
		        json_string_value(json_object_get(item, "envelope_id")), id) ==
		        0 &&
		    store_get_envelope(req->srv->store, id, &env, NULL) == 0)
			json_object_set_new(item, "envelope", envelope_json(&env));
		json_object_del(item, "envelope_id");
	}
	return http_json(req, 200,
	                 json_pack("{s:o, s:o}", "disclosures", l.items, "next",
	                           l.last == UINT64_MAX
	                               ? json_null()
	                               : json_integer((json_int_t)l.last)));
}

static int add_roster(void *ctx, const struct store_record *rec)
{
	if (rec->type == PLM_RECORD_ROSTER)
		json_array_append_new(
		    ctx, json_pack("{s:I, s:s, s:o, s:o}", "seq", (json_int_t)rec->seq,
		                   "type", plm_record_type_name(rec->type), "id",
		                   json_hex(rec->id, PLM_HASH_BYTES), "record",
		                   json_base64(rec->bytes, rec->len)));
	return 0;
}

struct review_disclosed {
	const char *review;
	int found;
};

static int disclosure_of(void *ctx, const struct store_record *rec)
{
	struct review_disclosed *d = ctx;

	if (strcmp(rec->review, d->review) == 0) {
		d->found = 1;
		return 1;
	}
	return 0;
}

/*
 * GET /v1/disclosures/{review}/rosters: the rosters of a review that has
 * disclosed something, so that a reader outside it can check that the
 * discloser was the focal point of the State under review.
 */
int route_disclosure_rosters(struct request *req)
{
	struct review_disclosed d = {req->params[0], 0};
	json_t *items;
	plm_error err;

	if (!require_parties(req))
		return 0;
	if (store_list_type(req->srv->store, PLM_RECORD_DISCLOSURE, UINT64_MAX,
	                    UINT32_MAX, disclosure_of, &d, &err) < 0)
		return http_problem(
		    req, 503, "store-failed", "Service Unavailable",
		    "the server could not read its store; try again later");
	if (!d.found) {
		metrics_reject(&req->srv->metrics, REJECT_NOT_FOUND);
		req->reject_reason = "not_found";
		return http_problem(req, 404, "not-found", "Not Found",
		                    "review %s has disclosed nothing", req->params[0]);
	}
	items = json_array();
	if (store_list_records(req->srv->store, req->params[0], UINT64_MAX, UINT32_MAX,
	                       add_roster, items, &err) != 0) {
		json_decref(items);
		return http_problem(
		    req, 503, "store-failed", "Service Unavailable",
		    "the server could not read its store; try again later");
	}
	return http_json(req, 200, json_pack("{s:o, s:n}", "records", items, "next"));
}
