/*
 * http.c - palermod's HTTP side on libmicrohttpd: one request state per
 * request, routing, authentication of signed requests (RFC 9421, with
 * keys/httpsig.h), bounded body buffering or streaming to a route,
 * RFC 9457 problem answers, one log line per request and the counters.
 *
 * Threads: libmicrohttpd's thread pool, each thread polling its own
 * connections; a request is handled by one thread at a time. Nothing here
 * holds a lock across network I/O.
 *
 * poll(), not epoll: with libmicrohttpd 0.9.75 (Debian 12) in epoll mode, a
 * client that closes its connection in the middle of a request body is not
 * noticed until connection_timeout, so a cut upload stays locked (409
 * upload-busy on resume) and SIGTERM waits for it; poll mode notices at once
 * (tests/t1040-daemon-resume.sh). Revisit with a newer libmicrohttpd.
 */
#define _GNU_SOURCE
#include "daemon/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

/* limits.threads 0: this many pool threads (4 per core on larger machines). */
#define HTTP_THREADS_DEFAULT 32

/* After an error found mid-body, how much more body we read and drop so the
 * client can still get its answer; beyond this the connection is closed. */
#define DISCARD_MAX (16u << 20)
/*
 * libmicrohttpd's memory per connection: the request line and headers, then
 * the body as it is read, in reads of about half of it (256 KiB: 2,000 reads
 * for 512 MiB where 64 KiB reads took 8,000, each also a hand-over to the
 * hashing threads). The pool alone would then let headers of almost that
 * size through: HEADERS_MAX is the limit, checked in the access handler.
 */
#define CONNECTION_MEMORY (512u * 1024)
#define HEADERS_MAX (32u * 1024)

static atomic_int_fast64_t in_flight;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int http_queue(struct request *req, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ok;

	if (resp == NULL)
		return -1;
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ok = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	if (ok != MHD_YES)
		return -1;
	req->answered = 1;
	req->status = status;
	return 0;
}

int http_bytes(struct request *req, unsigned status, const char *content_type,
               const void *data, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);

	if (resp == NULL)
		return -1;
	MHD_add_response_header(resp, "Content-Type", content_type);
	req->bytes_out += len;
	return http_queue(req, status, resp);
}

int http_json(struct request *req, unsigned status, json_t *body)
{
	char *text;
	int r;

	if (body == NULL)
		return -1;
	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	if (text == NULL)
		return -1;
	r = http_bytes(req, status, "application/json", text, strlen(text));
	free(text);
	return r;
}

int http_problem(struct request *req, unsigned status, const char *type,
                 const char *title, const char *fmt, ...)
{
	char detail[512], type_uri[96];
	json_t *body;
	va_list ap;
	char *text;
	int r;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(type_uri, sizeof(type_uri), "/problems/%s", type);
	body = json_pack("{s:s, s:s, s:i, s:s}", "type", type_uri, "title", title,
	                 "status", (int)status, "detail", detail);
	/* A detail quoting the request may not be UTF-8: answer without it. */
	if (body == NULL)
		body = json_pack("{s:s, s:s, s:i, s:s}", "type", type_uri, "title", title,
		                 "status", (int)status, "detail", title);
	if (body == NULL)
		return -1;
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return -1;
	r = http_bytes(req, status, "application/problem+json", text, strlen(text));
	free(text);
	return r;
}

int http_fail_later(struct request *req, unsigned status, const char *type,
                    const char *title, const char *fmt, ...)
{
	va_list ap;

	if (req->pending_status != 0)
		return -1;
	req->pending_status = status;
	req->pending_type = type;
	req->pending_title = title;
	va_start(ap, fmt);
	vsnprintf(req->pending_detail, sizeof(req->pending_detail), fmt, ap);
	va_end(ap);
	return -1;
}

const char *http_arg(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int http_arg_u64(struct request *req, const char *name, uint64_t def, uint64_t max,
                 uint64_t *out)
{
	const char *s = http_arg(req, name);
	uint64_t v = 0;

	*out = def;
	if (s == NULL)
		return 0;
	if (*s == '\0' || strlen(s) > 19)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int http_parse_hex32(const char *s, unsigned char out[32])
{
	size_t i;
	int hi, lo;

	if (s == NULL || strlen(s) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = (hi >= '0' && hi <= '9') ? hi - '0' : (hi >= 'a' && hi <= 'f') ? hi - 'a' + 10 : -1;
		lo = (lo >= '0' && lo <= '9') ? lo - '0' : (lo >= 'a' && lo <= 'f') ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Matches PATH against PATTERN, copying "{}" segments into PARAMS. */
static int route_match(const char *pattern, const char *path,
                       char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX])
{
	unsigned n = 0;
	size_t len;

	while (*pattern && *path) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			len = strcspn(path, "/");
			if (len == 0 || len >= ROUTE_PARAM_MAX || n >= ROUTE_MAX_PARAMS)
				return 0;
			memcpy(params[n], path, len);
			params[n++][len] = '\0';
			path += len;
			pattern += 2;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

/* Finds the route; sets *WRONG_METHOD when the path exists for other methods. */
static const struct route *route_find(struct request *req, int *wrong_method)
{
	size_t i;

	*wrong_method = 0;
	for (i = 0; i < routes_count; i++) {
		if (!route_match(routes[i].pattern, req->path, req->params))
			continue;
		if (strcmp(routes[i].method, req->method) == 0)
			return &routes[i];
		*wrong_method = 1;
	}
	return NULL;
}

static size_t route_index(const struct route *r)
{
	return r == NULL ? METRICS_ROUTES_MAX - 1 : (size_t)(r - routes);
}

/*
 * Refuses the request with 401 and counts why. Returns 1 (refused) even
 * when the answer could not be queued: the caller must never go on.
 */
static int unauthorized(struct request *req, enum metrics_reason why,
                        const char *fmt, const char *detail)
{
	req->reject_reason = metrics_reason_name(why);
	metrics_reject(&req->srv->metrics, why);
	http_problem(req, 401, "unauthorized", "Unauthorized", fmt, detail);
	return 1;
}

/*
 * Rebuilds the target URI the client signed (PROTOCOL.md §8.4): the
 * configured public_url, or (with none, as on a loopback test daemon) the
 * scheme we serve and the Host header, followed by the request-target
 * exactly as received.
 */
static int target_uri(struct request *req, char *out, size_t cap)
{
	const char *host = http_header(req, MHD_HTTP_HEADER_HOST);
	int n;

	if (req->srv->cfg.public_url[0] != '\0')
		n = snprintf(out, cap, "%s%s", req->srv->cfg.public_url, req->uri);
	else if (host == NULL || strlen(host) > 255)
		return -1;
	else
		n = snprintf(out, cap, "%s://%s%s",
		             req->srv->cfg.tls_certificate ? "https" : "http", host, req->uri);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/*
 * Authenticates a signed request (DESIGN.md §10): parses the signature,
 * checks the window, finds the signer's certificate (unknown, expired or
 * revoked: 401), verifies the signature over method, target URI and the
 * Content-Digest header, refuses a nonce seen before and applies the rate
 * limit. The body's digest is checked once the body is in. KEY_OVERRIDE
 * (POST /v1/root) verifies with a key the caller already trusts instead.
 */
int http_authenticate(struct request *req, const plm_pubkeys *key_override)
{
	struct server *srv = req->srv;
	const char *input = http_header(req, "Signature-Input");
	const char *signature = http_header(req, "Signature");
	const char *digest = http_header(req, "Content-Digest");
	char uri[PLM_HTTPSIG_URI_MAX + 300];
	unsigned char *bytes = NULL;
	plm_record *rec = NULL;
	plm_pubkeys keys;
	uint64_t now = (uint64_t)time(NULL);
	plm_error err;
	size_t len;
	int r = -1;

	if (input == NULL || signature == NULL || digest == NULL)
		return unauthorized(req, REJECT_UNSIGNED,
		                    "%s", "this request is not signed: use the palermo "
		                    "client, which signs every request with your key");
	if (plm_httpsig_parse(input, signature, &req->sig, &err) != 0 ||
	    plm_content_digest_parse(digest, (unsigned char[32]){0}, &err) != 0)
		return unauthorized(req, REJECT_BAD_SIGNATURE, "the request signature is malformed: %s",
		                    err.message);
	if (strlen(digest) >= sizeof(req->content_digest))
		return unauthorized(req, REJECT_BAD_SIGNATURE, "%s", "the Content-Digest header is too long");
	strcpy(req->content_digest, digest);
	if (plm_httpsig_check_time(&req->sig, now, srv->cfg.clock_skew, &err) != 0)
		return unauthorized(req, REJECT_STALE, "%s", err.message);
	if (auth_before_start(srv->auth, req->sig.created))
		return unauthorized(req, REJECT_STALE, "%s",
		                    "the request was signed before the server started; "
		                    "sign it again (the client does this by itself)");
	if (key_override != NULL) {
		keys = *key_override;
	} else {
		if (store_find_subject(srv->store, PLM_RECORD_CERTIFICATE, req->sig.keyid,
		                       &bytes, &len, &err) != 0 ||
		    plm_record_decode(bytes, len, &rec, &err) != 0) {
			r = unauthorized(req, REJECT_UNKNOWN_KEY, "%s",
			                 "the key that signed this request has no certificate "
			                 "here; ask the secretariat to certify it");
			goto out;
		}
		req->caller_cert = rec->body.certificate;
		keys = req->caller_cert.keys;
		if (now < req->caller_cert.not_before || now > req->caller_cert.not_after) {
			r = unauthorized(req, REJECT_REVOKED, "%s",
			                 "the certificate of the key that signed this request "
			                 "is not valid now; ask the secretariat to renew it");
			goto out;
		}
		free(bytes);
		bytes = NULL;
		if (store_find_subject(srv->store, PLM_RECORD_REVOCATION, req->sig.keyid,
		                       &bytes, &len, NULL) == 0) {
			r = unauthorized(req, REJECT_REVOKED, "%s",
			                 "the key that signed this request was revoked; ask the "
			                 "secretariat to certify your new keys");
			goto out;
		}
	}
	if (target_uri(req, uri, sizeof(uri)) != 0 ||
	    plm_httpsig_verify(&req->sig, req->method, uri, req->content_digest,
	                       keys.sign_pk, &err) != 0) {
		r = unauthorized(req, REJECT_BAD_SIGNATURE, "%s",
		                 "the request signature does not verify; check that the "
		                 "server URL you use is the one you signed for");
		goto out;
	}
	if (auth_nonce_fresh(srv->auth, req->sig.keyid, req->sig.nonce, req->sig.created,
	                     now) != 0) {
		r = unauthorized(req, REJECT_REPLAY, "%s",
		                 "this signed request was already received once (a replay); "
		                 "sign a new request");
		goto out;
	}
	if (auth_rate_take(srv->auth, req->sig.keyid, now_us() / 1000) != 0) {
		req->reject_reason = metrics_reason_name(REJECT_RATE);
		metrics_reject(&srv->metrics, REJECT_RATE);
		http_problem(req, 429, "rate-limited", "Too Many Requests",
		             "this key sent more requests than the server allows per "
		             "minute; wait a little and try again");
		r = 1;
		goto out;
	}
	memcpy(req->caller, req->sig.keyid, PLM_FPR_BYTES);
	req->authenticated = 1;
	r = 0;
out:
	free(bytes);
	plm_record_free(rec);
	return r;
}

uint64_t http_body_max(const struct request *req)
{
	if (req->route->flags & ROUTE_BODY_RECORD)
		return req->srv->cfg.max_record_bytes;
	if (req->route->flags & ROUTE_BODY_REQUEST)
		return req->srv->cfg.max_request_bytes;
	return 0;
}

/* First call of a request: route, limits, authentication, route begin. */
static int request_begin(struct request *req)
{
	const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int wrong_method, r;

	req->route = route_find(req, &wrong_method);
	if (req->route == NULL) {
		metrics_reject(&req->srv->metrics, REJECT_NOT_FOUND);
		if (wrong_method)
			return http_problem(req, 405, "method-not-allowed",
			                    "Method Not Allowed",
			                    "%s is not allowed on %s", req->method, req->path);
		return http_problem(req, 404, "not-found", "Not Found",
		                    "there is nothing at %s", req->path);
	}
	if (!(req->route->flags & ROUTE_STREAM) && cl != NULL &&
	    strtoull(cl, NULL, 10) > http_body_max(req)) {
		metrics_reject(&req->srv->metrics, REJECT_TOO_LARGE);
		req->reject_reason = "too_large";
		return http_problem(req, 413, "too-large", "Content Too Large",
		                    "the body is larger than the %llu bytes allowed here",
		                    (unsigned long long)http_body_max(req));
	}
	body_digest_init(&req->digest, 0);
	/* Refused: answered, or (if even that failed) the connection closes. */
	if ((req->route->flags & ROUTE_AUTH) && http_authenticate(req, NULL) != 0)
		return req->answered ? 0 : -1;
	if (req->answered)
		return 0;
	/*
	 * A streaming route starts now, to take the body as it comes. Others
	 * answer once the (empty or buffered) body is in: an answer queued
	 * before that makes libmicrohttpd close the connection, and clients
	 * that sync over slow links need it kept alive.
	 */
	if ((req->route->flags & ROUTE_STREAM) && req->route->begin != NULL) {
		if ((r = req->route->begin(req)) != 0 || req->answered)
			return r;
		/* An accepted upload: a large body is hashed on a thread of its own. */
		body_digest_free(&req->digest);
		body_digest_init(&req->digest, cl != NULL ? strtoull(cl, NULL, 10) : 0);
	}
	return 0;
}

/* Takes the next piece of body. */
static int request_body(struct request *req, const char *data, size_t len)
{
	const struct route *rt = req->route;
	unsigned char *p;

	req->body_total += len;
	atomic_fetch_add(&req->srv->metrics.bytes_in, len);
	body_digest_update(&req->digest, data, len);
	if (rt->flags & ROUTE_STREAM)
		return rt->body(req, (const unsigned char *)data, len);
	if (req->body_len + len > http_body_max(req)) {
		req->reject_reason = "too_large";
		metrics_reject(&req->srv->metrics, REJECT_TOO_LARGE);
		return http_fail_later(req, 413, "too-large", "Content Too Large",
		                       "the body is larger than the %llu bytes allowed here",
		                       (unsigned long long)http_body_max(req));
	}
	p = realloc(req->body, req->body_len + len);
	if (p == NULL)
		return -1;
	req->body = p;
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	return 0;
}

/* The whole body is in: check its digest, then let the route answer. */
static int request_end(struct request *req)
{
	unsigned char sha[32];
	plm_error err;
	int r, late_begin = !(req->route->flags & ROUTE_STREAM) && req->route->begin != NULL;

	/* POST /v1/root's begin takes the Content-Digest checked below. */
	if (late_begin && (req->route->flags & ROUTE_SELF_AUTH)) {
		if ((r = req->route->begin(req)) != 0 || req->answered)
			return r;
		late_begin = 0;
	}

	if (req->route->flags & (ROUTE_AUTH | ROUTE_SELF_AUTH)) {
		body_digest_final(&req->digest, sha);
		if (req->content_digest[0] != '\0' &&
		    plm_content_digest_check(req->content_digest, sha, &err) != 0) {
			req->reject_reason = "digest_mismatch";
			req->digest_failed = 1;
			metrics_reject(&req->srv->metrics, REJECT_DIGEST);
			return http_problem(req, 400, "digest-mismatch", "Bad Request",
			                    "the body does not match its Content-Digest "
			                    "header; it was damaged on the way, send it again");
		}
	}
	if (late_begin && ((r = req->route->begin(req)) != 0 || req->answered))
		return r;
	if (req->route->end != NULL)
		return req->route->end(req);
	return -1;
}

/* libmicrohttpd: the raw URI arrives first; the request state starts here. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *req = calloc(1, sizeof(*req));

	(void)conn; /* the connection is given again to the access handler */

	if (req == NULL)
		return NULL;
	req->srv = cls;
	req->uri = strdup(uri);
	req->started_us = now_us();
	atomic_fetch_add(&in_flight, 1);
	return req;
}

/* MHD_get_connection_values iterator: adds one header's size to *CLS. */
static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
	size_t *total = cls;

	(void)kind;
	*total += strlen(key) + (value != NULL ? strlen(value) : 0) + 4; /* ": ", CRLF */
	return MHD_YES;
}

/* The size of CONN's request headers as sent (names, values, separators). */
static size_t headers_size(struct MHD_Connection *conn)
{
	size_t total = 0;

	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_size, &total);
	return total;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn,
                                      const char *url, const char *method,
                                      const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **con_cls)
{
	struct request *req = *con_cls;
	size_t len = *upload_data_size;

	(void)cls;
	(void)version;
	if (req == NULL || req->uri == NULL)
		return MHD_NO;
	if (req->method == NULL) {
		req->conn = conn;
		req->method = method;
		if (strlen(url) >= sizeof(req->path)) {
			snprintf(req->path, sizeof(req->path), "(long)");
			metrics_reject(&req->srv->metrics, REJECT_MALFORMED);
			return http_problem(req, 414, "uri-too-long", "URI Too Long",
			                    "the request path is too long") == 0 ? MHD_YES : MHD_NO;
		}
		strcpy(req->path, url);
		if (headers_size(conn) > HEADERS_MAX) {
			metrics_reject(&req->srv->metrics, REJECT_MALFORMED);
			return http_problem(req, 431, "headers-too-large",
			                    "Request Header Fields Too Large",
			                    "the request headers are larger than the %u bytes "
			                    "allowed; send fewer or shorter headers",
			                    HEADERS_MAX) == 0
			           ? MHD_YES
			           : MHD_NO;
		}
		if (request_begin(req) != 0 && !req->answered)
			return MHD_NO;
		return MHD_YES;
	}
	if (len > 0) {
		*upload_data_size = 0;
		if (req->answered || req->pending_status != 0) {
			/* Already refused: drop the rest, within reason. */
			req->discarded += len;
			return req->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		if (request_body(req, upload_data, len) != 0) {
			if (req->pending_status == 0)
				http_fail_later(req, 400, "bad-request", "Bad Request",
				                "the request body was refused");
			/* The rest is read and dropped (up to DISCARD_MAX), then answered. */
			return MHD_YES;
		}
		return MHD_YES;
	}
	if (req->answered)
		return MHD_YES;
	if (req->pending_status != 0) {
		http_problem(req, req->pending_status, req->pending_type, req->pending_title,
		             "%s", req->pending_detail);
		return req->answered ? MHD_YES : MHD_NO;
	}
	if (request_end(req) != 0 && !req->answered)
		http_problem(req, 500, "internal", "Internal Server Error",
		             "the server could not complete this request; try again later");
	return req->answered ? MHD_YES : MHD_NO;
}

/* libmicrohttpd: the request is over (answered, or the connection died). */
static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *req = *con_cls;
	unsigned cls_index;
	char key[9] = "-";

	(void)conn;
	if (req == NULL)
		return;
	if (req->route != NULL && req->route->done != NULL)
		req->route->done(req, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	cls_index = req->status / 100;
	if (cls_index > 5)
		cls_index = 5;
	atomic_fetch_add(&srv->metrics.requests[route_index(req->route)][cls_index], 1);
	atomic_fetch_add(&srv->metrics.bytes_out, req->bytes_out);
	if (req->authenticated)
		plm_hex(key, req->caller, 4);
	log_request(srv->cfg.log_level, req->method ? req->method : "-",
	            req->route ? req->route->name : req->path, req->status,
	            req->body_total, req->bytes_out, now_us() - req->started_us, key,
	            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? NULL : "connection closed",
	            req->reject_reason);
	body_digest_free(&req->digest);
	free(req->uri);
	free(req->body);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

/*
 * The listening socket, made here rather than by libmicrohttpd, which in
 * this version sets no SO_REUSEADDR with MHD_OPTION_LISTENING_ADDRESS_REUSE
 * 0: a restart then failed to bind while the last run's connections were in
 * TIME_WAIT. SO_REUSEADDR only, never SO_REUSEPORT, which would let a
 * second palermod share the port and take half the connections. Returns
 * the socket or -1 with ERR filled.
 */
static int open_listener(const struct sockaddr_storage *ss, const char *address,
                         unsigned port, plm_error *err)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                          : sizeof(struct sockaddr_in);
	int fd, one = 1, saved;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		plm_error_set(err, PLM_ERR_IO, "cannot make a listening socket: %s",
		              strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
		saved = errno;
		close(fd);
		plm_error_set(err, PLM_ERR_IO,
		              "cannot listen on %s port %u: %s; choose another with port: in "
		              "the configuration, or stop what uses it",
		              address, port,
		              saved == EADDRINUSE ? "the port is in use" : strerror(saved));
		return -1;
	}
	return fd;
}

/* The port FD is bound to (the one the kernel chose for port 0), else FALLBACK. */
static unsigned bound_port(int fd, unsigned fallback)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return fallback;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Reads a whole PEM file for TLS (certificate or key) into a NUL-ended string. */
static char *read_pem(const char *path, plm_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL) {
		plm_error_set(err, PLM_ERR_IO, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		plm_error_set(err, PLM_ERR_IO, "cannot read %s", path);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		plm_error_set(err, PLM_ERR_IO, "cannot read %s", path);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int http_start(struct server *srv, plm_error *err)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC; /* see top */
	char *cert = NULL, *key = NULL;
	int listener;
	unsigned threads = (unsigned)srv->cfg.threads;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, srv->cfg.listen_address, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(srv->cfg.port);
	} else if (inet_pton(AF_INET6, srv->cfg.listen_address, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(srv->cfg.port);
		flags |= MHD_USE_IPv6;
	} else {
		return plm_error_set(err, PLM_ERR_INVALID, "cannot listen on %s: not an IP address",
		                     srv->cfg.listen_address);
	}
	/*
	 * A request waiting on the group commit (commit.c) holds its pool
	 * thread, and with it the other connections that thread polls: the
	 * default keeps HTTP_THREADS_DEFAULT requests in flight, whatever the
	 * number of cores (more if the machine has more than 8 cores).
	 */
	if (threads == 0)
		threads = ncpu > HTTP_THREADS_DEFAULT / 4 ? 4 * (unsigned)ncpu : HTTP_THREADS_DEFAULT;
	if (srv->cfg.tls_certificate != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "this libmicrohttpd has no TLS support; install "
			                     "Debian's libmicrohttpd12 built with GnuTLS");
		if ((cert = read_pem(srv->cfg.tls_certificate, err)) == NULL ||
		    (key = read_pem(srv->cfg.tls_key, err)) == NULL) {
			free(cert);
			return PLM_ERR_IO;
		}
		flags |= MHD_USE_TLS;
	}
	if ((listener = open_listener(&ss, srv->cfg.listen_address, srv->cfg.port, err)) < 0) {
		free(cert);
		free(key);
		return PLM_ERR_IO;
	}
	srv->mhd = MHD_start_daemon(
	    flags, srv->cfg.port, NULL, NULL, access_handler, srv,
	    MHD_OPTION_LISTEN_SOCKET, listener,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->cfg.connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->cfg.connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	if (key != NULL)
		sodium_memzero(key, strlen(key));
	free(cert);
	free(key);
	if (srv->mhd == NULL) {
		close(listener);
		return plm_error_set(err, PLM_ERR_IO,
		                     "cannot serve on %s port %u: libmicrohttpd refused to start; "
		                     "check the threads and connections settings",
		                     srv->cfg.listen_address, srv->cfg.port);
	}
	srv->port = bound_port(listener, srv->cfg.port);
	return 0;
}

void http_stop(struct server *srv)
{
	MHD_socket listener;
	int waited = 0;

	if (srv->mhd == NULL)
		return;
	/* Stop accepting, let requests in flight finish (up to 30 s), then stop. */
	listener = MHD_quiesce_daemon(srv->mhd); /* now ours to close */
	while (atomic_load(&in_flight) > 0 && waited < 3000) {
		usleep(10000);
		waited++;
	}
	MHD_stop_daemon(srv->mhd);
	srv->mhd = NULL;
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
}
