/*
 * transport.h - the client's side of the HTTP API (docs/API.md) on libcurl:
 * every request signed with the member's key (RFC 9421, keys/httpsig.h),
 * answers checked, problem+json turned into one sentence, envelopes
 * uploaded resumably and downloaded streaming, with a progress bar on
 * transfers over 1 MiB when stderr is a terminal.
 *
 * The transport trusts nothing it receives: callers verify every byte
 * with keys/ and policies/ before using it.
 */
#ifndef PALERMO_TRANSPORT_H
#define PALERMO_TRANSPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

struct state;
struct transport;

#define TRANSPORT_UPLOAD_ID_BYTES 16

/* An answer. BODY is malloc'd (NUL-terminated for convenience). */
struct response {
	long status;
	unsigned char *body;
	size_t len;
	char content_type[96];
	uint64_t upload_offset; /* Upload-Offset header, when present */
	int has_upload_offset;
	uint64_t date;          /* the Date header (Unix seconds), 0 if absent */
};

void response_free(struct response *resp);

/*
 * A transport to the server pinned in ST (setting "server"), signing with
 * ME (NULL: unsigned requests only, e.g. GET /v1/root before enrolment).
 * ME is borrowed and must outlive the transport.
 */
int transport_new(struct state *st, const plm_identity *me, struct transport **out,
                  plm_error *err);
/* The same for an explicit URL (palermo init, before the state knows it). */
int transport_new_url(const char *url, const plm_identity *me, struct transport **out,
                      plm_error *err);
void transport_free(struct transport *t);
/* Sets whether a progress bar may be shown (default: stderr is a terminal). */
void transport_set_progress(struct transport *t, int on);

/*
 * Sends METHOD on PATH ("/v1/...", query included) with BODY (LEN bytes,
 * may be NULL), signed if the transport has an identity. Fills RESP with
 * whatever the server answered. Only a failure to talk to the server is an
 * error here (PLM_ERR_NET, saying what to do); see transport_check.
 */
int transport_request(struct transport *t, const char *method, const char *path,
                      const void *body, size_t len, struct response *resp,
                      plm_error *err);
/*
 * Turns a non-2xx RESP into an error with the server's problem detail:
 * 401/403 PLM_ERR_DENIED, 404 PLM_ERR_NOTFOUND, 413 PLM_ERR_LIMIT, other
 * 4xx (409 conflicts included) PLM_ERR_POLICY, 5xx PLM_ERR_NET.
 */
int transport_check(const struct response *resp, const char *what, plm_error *err);
/* Request + check + JSON body into *OUT (caller json_decref). */
int transport_json(struct transport *t, const char *method, const char *path,
                   const void *body, size_t len, json_t **out, plm_error *err);
/*
 * Streams the body of GET PATH into FD (bytes as received, unverified),
 * resuming with Range from OFFSET. TOTAL (0 if unknown) sizes the progress
 * bar. PLM_ERR_NET when interrupted: call again with the new offset.
 */
int transport_download(struct transport *t, const char *path, int fd, uint64_t offset,
                       uint64_t total, plm_error *err);
/*
 * Uploads the sealed envelope in FILE to REVIEW under UPLOAD_ID, resuming
 * where the server stopped (HEAD, then PUT from Upload-Offset). On success
 * *OUT is the server's JSON answer ({"id", "seq", "size"}).
 */
int transport_upload(struct transport *t, const char *review,
                     const unsigned char upload_id[TRANSPORT_UPLOAD_ID_BYTES],
                     const char *file, json_t **out, plm_error *err);

#endif
