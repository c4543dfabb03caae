/* routes_common.c - helpers shared by the route handlers (see routes.h). */
#include "daemon/routes.h"

#include "keys/codec.h"

#include <sodium.h>
#include <stdlib.h>

json_t *json_hex(const unsigned char *bytes, size_t len)
{
	char *hex = malloc(2 * len + 1);
	json_t *j;

	if (hex == NULL)
		return NULL;
	plm_hex(hex, bytes, len);
	j = json_string(hex);
	free(hex);
	return j;
}

json_t *json_base64(const unsigned char *bytes, size_t len)
{
	char *b64;
	json_t *j;

	if (plm_base64_encode(&b64, bytes, len, NULL) != 0)
		return NULL;
	j = json_string(b64);
	free(b64);
	return j;
}

int require_member(struct request *req, const char *review)
{
	if (store_is_member(req->srv->store, review, req->caller))
		return 1;
	/* A review the caller is not on looks exactly like one that does not exist. */
	metrics_reject(&req->srv->metrics, REJECT_NOT_FOUND);
	req->reject_reason = "not_found";
	http_problem(req, 404, "not-found", "Not Found", "there is nothing at %s", req->path);
	return 0;
}

int caller_is_secretariat(const struct request *req)
{
	return req->caller_cert.usage == PLM_USAGE_ROOT ||
	       req->caller_cert.usage == PLM_USAGE_SECRETARIAT;
}

int answer_invalid(struct request *req, const char *type, const plm_error *err)
{
	metrics_reject(&req->srv->metrics, REJECT_INVALID_RECORD);
	req->reject_reason = "invalid_record";
	return http_problem(req, 400, type, "Bad Request", "%s", err->message);
}
