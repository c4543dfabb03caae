/*
 * routes.h - the handlers of palermod's HTTP API (docs/API.md lists every
 * route with an example). One file per area: routes_ops.c (health,
 * metrics), routes_certs.c (root, certificates, revocations),
 * routes_enroll.c (invitations and enrollment requests),
 * routes_reviews.c (reviews and their records), routes_envelopes.c
 * (uploads, listings, downloads), routes_log.c (the transparency log).
 */
#ifndef PALERMOD_ROUTES_H
#define PALERMOD_ROUTES_H

#include "daemon/server.h"

int route_health(struct request *req);
int route_metrics(struct request *req);
int route_ready(struct request *req);

int route_root_get(struct request *req);
int route_root_post_begin(struct request *req);
int route_root_post(struct request *req);
int route_certificate_post(struct request *req);
int route_certificate_get(struct request *req);
int route_certificates_list(struct request *req);
int route_revocation_post(struct request *req);

int route_invitation_post(struct request *req);
int route_enrollment_post(struct request *req);
int route_enrollments_list(struct request *req);
int route_enrollment_get(struct request *req);

int route_reviews_list(struct request *req);
int route_records_post(struct request *req);
int route_records_list(struct request *req);

int route_upload_head(struct request *req);
int route_upload_begin(struct request *req);
int route_upload_body(struct request *req, const unsigned char *data, size_t len);
int route_upload_end(struct request *req);
void route_upload_done(struct request *req, int completed);
int route_envelopes_list(struct request *req);
/* routes_batch.c: many envelopes with their proofs in one answer. */
int route_bodies(struct request *req);
int route_envelope_get(struct request *req);

int route_log_head(struct request *req);
int route_log_inclusion(struct request *req);
int route_log_consistency(struct request *req);
int route_log_key(struct request *req);
int route_parties_post(struct request *req);
int route_parties_list(struct request *req);
int route_disclosures_list(struct request *req);
int route_disclosure_rosters(struct request *req);

/* Shared helpers (routes_common.c). */
/* JSON string of the lower-case hex of LEN bytes. */
json_t *json_hex(const unsigned char *bytes, size_t len);
/* JSON string of standard base64 of LEN bytes. */
json_t *json_base64(const unsigned char *bytes, size_t len);
/* 1 if the caller is a member of REVIEW (else answers 404 and returns 0). */
int require_member(struct request *req, const char *review);
/* 1 if the caller's certificate is the root's or the secretariat's. */
int caller_is_secretariat(const struct request *req);
/* Lists the records of REVIEW ("" = deployment-wide) after ?after=, ?limit=. */
int list_records(struct request *req, const char *review);
/*
 * Answers a record POST from the store's verdict RC (routes_parties.c):
 * 201/200 with {"seq", "id"}, 403 policy, 409 conflict, 404, 503.
 */
int answer_record_stored(struct request *req, int rc, const plm_error *err,
                         const plm_record *record, uint64_t seq);
/* Answers 400 with PLM error ERR as the detail. */
int answer_invalid(struct request *req, const char *type, const plm_error *err);

#endif
