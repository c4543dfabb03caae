/*
 * server.h - what every part of palermod shares: the server (configuration,
 * stores, keys, counters) and one request in flight, with the helpers the
 * routes use to answer. http.c owns the libmicrohttpd side; the routes_*.c
 * files own the API; auth.c owns request signatures.
 */
#ifndef PALERMOD_SERVER_H
#define PALERMOD_SERVER_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "daemon/auth.h"
#include "daemon/blobs.h"
#include "daemon/body_digest.h"
#include "daemon/config.h"
#include "daemon/metrics.h"
#include "daemon/store.h"
#include "keys/crypto.h"
#include "keys/httpsig.h"
#include "keys/record.h"
#include "policies/policy.h"

struct server {
	struct config cfg;
	struct store *store;
	struct blobs *blobs;
	plm_policy *policy;
	unsigned char policy_digest[PLM_HASH_BYTES];
	plm_identity *log_key;        /* signs tree heads */
	pthread_mutex_t root_lock;
	int root_known;               /* the root certificate is stored */
	unsigned char root_fpr[PLM_FPR_BYTES];
	plm_pubkeys root_keys;
	struct auth *auth;
	struct metrics metrics;
	struct MHD_Daemon *mhd;
	uint16_t port;                /* the port actually bound */
	uint64_t started_at;
};

struct request;

/* Route flags. */
enum {
	ROUTE_AUTH = 1,      /* a signed request from a certified key */
	ROUTE_STREAM = 2,    /* the body goes to route->body as it arrives */
	ROUTE_SELF_AUTH = 4, /* signed by the key in its own body (POST /v1/root) */
	ROUTE_BODY_RECORD = 8,  /* a body of up to limits.max_record_bytes */
	ROUTE_BODY_REQUEST = 16, /* a body of up to limits.max_request_bytes */
};

#define ROUTE_MAX_PARAMS 2
#define ROUTE_PARAM_MAX 80

struct route {
	const char *method;
	const char *pattern;   /* "/v1/reviews/{}/records": {} matches one segment */
	const char *name;      /* for logs and metrics */
	int flags;             /* no ROUTE_BODY_*: no body (non-stream routes) */
	/*
	 * ROUTE_STREAM: called once headers (and authentication) are in, before
	 * the body; may answer at once. Others: called when the body is in,
	 * before the digest check and END; may answer (GET routes do).
	 */
	int (*begin)(struct request *req);
	/* ROUTE_STREAM only: the next piece of body. */
	int (*body)(struct request *req, const unsigned char *data, size_t len);
	/* Called when the whole body is in (buffered in req->body for others). */
	int (*end)(struct request *req);
	/* Called when the request is over, answered or not (connection lost). */
	void (*done)(struct request *req, int completed);
};

struct request {
	struct server *srv;
	struct MHD_Connection *conn;
	char *uri;                 /* raw request target, query included */
	char path[512];            /* decoded path without query */
	const char *method;
	const struct route *route;
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
	/* authentication */
	int authenticated;
	unsigned char caller[PLM_FPR_BYTES];
	plm_certificate caller_cert;
	plm_httpsig sig;
	char content_digest[PLM_HTTPSIG_HEADER_MAX + 1];
	struct body_digest digest; /* SHA-256 of the body as it comes */
	/* body */
	unsigned char *body;
	size_t body_len;
	uint64_t body_total;
	/* route state */
	void *state;
	int digest_failed;         /* the body did not match Content-Digest */
	/* a refusal found mid-body, answered once the body is in */
	unsigned pending_status;
	const char *pending_type, *pending_title;
	char pending_detail[400];
	uint64_t discarded;
	/* answer */
	int answered;
	unsigned status;
	uint64_t bytes_out;
	const char *reject_reason;  /* for metrics */
	uint64_t started_us;
};

/* The largest body REQ's route buffers (0 for routes without a body). */
uint64_t http_body_max(const struct request *req);
/* Answers with JSON (takes ownership of BODY). */
int http_json(struct request *req, unsigned status, json_t *body);
/*
 * Answers with RFC 9457 problem+json: TYPE is the stable short name (the
 * type URI is "/problems/<type>"), TITLE a fixed summary, DETAIL one
 * sentence for the person (printf-style).
 */
int http_problem(struct request *req, unsigned status, const char *type,
                 const char *title, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/*
 * Records a refusal found while the body streams in (libmicrohttpd cannot
 * answer mid-body); it is sent once the body has been read. Returns -1 so
 * a body callback can `return http_fail_later(...)`.
 */
int http_fail_later(struct request *req, unsigned status, const char *type,
                    const char *title, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/*
 * Authenticates a signed request. 0: authenticated. Non-zero: refused, and
 * answered with 401/429 when the answer could be queued (req->answered);
 * the caller must not go on either way. KEY_OVERRIDE: verify with this key
 * instead of looking up the signer's certificate (POST /v1/root).
 */
int http_authenticate(struct request *req, const plm_pubkeys *key_override);
/* Answers with raw bytes (copied). */
int http_bytes(struct request *req, unsigned status, const char *content_type,
               const void *data, size_t len);
/* Queues a prepared libmicrohttpd response, adding the common headers. */
int http_queue(struct request *req, unsigned status, struct MHD_Response *resp);
/* A query argument, or NULL. */
const char *http_arg(struct request *req, const char *name);
/* A request header, or NULL. */
const char *http_header(struct request *req, const char *name);
/* Parses an unsigned decimal query argument; DEF when absent. -1 on junk. */
int http_arg_u64(struct request *req, const char *name, uint64_t def, uint64_t max,
                 uint64_t *out);
/* Parses 64 hex digits; 0 on success. */
int http_parse_hex32(const char *s, unsigned char out[32]);

/* Starts and stops the HTTP side (http.c). */
int http_start(struct server *srv, plm_error *err);
void http_stop(struct server *srv);

/* The route table (routes.c). */
extern const struct route routes[];
extern const size_t routes_count;

#endif
