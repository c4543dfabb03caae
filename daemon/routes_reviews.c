/*
 * routes_reviews.c - the reviews a caller belongs to and their signed
 * records (docs/API.md "Reviews"). A record joins a review only if
 * policies/review.c, the same code every client runs, accepts it.
 */
#include "daemon/routes.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/parties.h"
#include "daemon/reviews.h"

static int list_review(void *ctx, const char *review, uint64_t epoch)
{
	json_array_append_new(ctx, json_pack("{s:s, s:I}", "review", review, "epoch",
	                                     (json_int_t)epoch));
	return 0;
}

/* GET /v1/reviews: the reviews whose newest roster lists the caller. */
int route_reviews_list(struct request *req)
{
	json_t *items = json_array();
	plm_error err;

	if (store_reviews_of(req->srv->store, req->caller, list_review, items, &err) != 0) {
		json_decref(items);
		return http_problem(req, 503, "store-failed", "Service Unavailable",
		                    "the server could not read its store; try again later");
	}
	return http_json(req, 200, json_pack("{s:o}", "reviews", items));
}

/*
 * Finds and verifies the signer of RECORD: the root for the records it
 * signs, else a certified, unrevoked member key. Fills ERR on failure.
 */
static int verify_signer(struct request *req, const plm_record *record, plm_error *err)
{
	unsigned char *bytes = NULL;
	plm_record *cert = NULL;
	size_t len;
	int r;

	if (memcmp(record->signer, req->srv->root_fpr, PLM_FPR_BYTES) == 0)
		return plm_record_verify_signer(record, &req->srv->root_keys, err);
	if (store_find_subject(req->srv->store, PLM_RECORD_REVOCATION, record->signer, &bytes,
	                       &len, NULL) == 0) {
		free(bytes);
		return plm_error_set(err, PLM_ERR_POLICY, "the record's signer was revoked");
	}
	if ((r = store_find_subject(req->srv->store, PLM_RECORD_CERTIFICATE, record->signer,
	                            &bytes, &len, NULL)) != 0 ||
	    (r = plm_record_decode(bytes, len, &cert, err)) != 0) {
		free(bytes);
		return plm_error_set(err, PLM_ERR_POLICY, "the record's signer has no certificate");
	}
	r = plm_record_verify_signer(record, &cert->body.certificate.keys, err);
	free(bytes);
	plm_record_free(cert);
	return r;
}


/*
 * POST /v1/reviews/{review}/records: a roster, epoch keys or a history
 * grant (from the secretariat), a stage transition, an agreement or a disclosure.
 */
int route_records_post(struct request *req)
{
	const char *review = req->params[0];
	struct store_envelope env;
	plm_record *record = NULL;
	const char *kind = NULL, *id;
	uint64_t seq = 0;
	plm_error err;
	int r = 0, rc;

	if (!req->srv->root_known)
		return http_problem(req, 409, "no-root", "Conflict",
		                    "this server has no root yet; publish it first "
		                    "with `palermo admin root`");
	if (plm_record_decode(req->body, req->body_len, &record, &err) != 0) {
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	id = plm_record_review(record);
	if (id == NULL || strcmp(id, review) != 0) {
		plm_error_set(&err, PLM_ERR_MISMATCH,
		              "this record does not belong to review %s", review);
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	/* Only the secretariat creates and changes reviews; others must be on them. */
	if (record->type == PLM_RECORD_ROSTER || record->type == PLM_RECORD_EPOCH_KEYS ||
	    record->type == PLM_RECORD_HISTORY_GRANT) {
		if (!caller_is_secretariat(req)) {
			metrics_reject(&req->srv->metrics, REJECT_FORBIDDEN);
			r = http_problem(req, 403, "forbidden", "Forbidden",
			                 "only the secretariat changes rosters and keys");
			goto out;
		}
	} else if (!require_member(req, review)) {
		goto out;
	}
	if (verify_signer(req, record, &err) != 0) {
		r = answer_invalid(req, "invalid-record", &err);
		goto out;
	}
	/* An agreement's document is checked with the review's state (reviews.c). */
	if (record->type == PLM_RECORD_DISCLOSURE) {
		const unsigned char *doc = record->body.disclosure.envelope_id;
		if (store_get_envelope(req->srv->store, doc, &env, NULL) != 0 ||
		    strcmp(env.review, review) != 0) {
			plm_error_set(&err, PLM_ERR_NOTFOUND,
			              "the document this %s names is not in review %s",
			              plm_record_type_name(record->type), review);
			r = answer_invalid(req, "invalid-record", &err);
			goto out;
		}
		kind = env.kind;
	}
	/* A parties disclosure uses the parties group's current key (§5.6). */
	if (record->type == PLM_RECORD_DISCLOSURE &&
	    record->body.disclosure.scope == PLM_DISCLOSE_PARTIES &&
	    record->body.disclosure.parties_epoch != parties_current_epoch(req->srv)) {
		r = http_problem(req, 409, "conflict", "Conflict",
		                 "this disclosure wraps the key under epoch %llu of the "
		                 "parties group, which is at epoch %llu; sync and disclose "
		                 "again",
		                 (unsigned long long)record->body.disclosure.parties_epoch,
		                 (unsigned long long)parties_current_epoch(req->srv));
		goto out;
	}
	rc = reviews_add_record(req->srv, record, kind, &seq, &err);
	r = answer_record_stored(req, rc, &err, record, seq);
out:
	plm_record_free(record);
	return r;
}

/* GET /v1/reviews/{review}/records: the review's records in log order. */
int route_records_list(struct request *req)
{
	if (!require_member(req, req->params[0]))
		return 0;
	return list_records(req, req->params[0]);
}
