/* routes_ops.c - health and metrics (docs/API.md "Operations"). */
#include "daemon/routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int route_health(struct request *req)
{
	return http_json(req, 200,
	                 json_pack("{s:s, s:s, s:I}", "status", "ok", "version", "1",
	                           "log_size", (json_int_t)store_log_size(req->srv->store)));
}

/* Appends printf output to the growing text T (size *LEN, capacity *CAP). */
static int append(char **t, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int append(char **t, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*t + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return 0;
		}
		p = realloc(*t, *cap * 2);
		if (p == NULL)
			return -1;
		*t = p;
		*cap *= 2;
	}
}

/* GET /v1/metrics: the Prometheus text format, version 0.0.4. */
int route_metrics(struct request *req)
{
	struct metrics *m = &req->srv->metrics;
	size_t len = 0, cap = 8192, i, c;
	char *t = malloc(cap);
	int r = 0;

	if (t == NULL)
		return -1;
	t[0] = '\0';
	r |= append(&t, &len, &cap,
	            "# HELP palermo_requests_total Requests by route and status class.\n"
	            "# TYPE palermo_requests_total counter\n");
	for (i = 0; i < routes_count + 1 && i < METRICS_ROUTES_MAX; i++)
		for (c = 1; c <= 5; c++) {
			uint64_t v = atomic_load(&m->requests[i == routes_count ? METRICS_ROUTES_MAX - 1 : i][c]);
			if (v == 0)
				continue;
			r |= append(&t, &len, &cap,
			            "palermo_requests_total{route=\"%s\",method=\"%s\",status=\"%zuxx\"} %llu\n",
			            i == routes_count ? "unmatched" : routes[i].name,
			            i == routes_count ? "" : routes[i].method, c,
			            (unsigned long long)v);
		}
	r |= append(&t, &len, &cap,
	            "# HELP palermo_bytes_received_total Request body bytes received.\n"
	            "# TYPE palermo_bytes_received_total counter\n"
	            "palermo_bytes_received_total %llu\n"
	            "# HELP palermo_bytes_sent_total Response body bytes sent.\n"
	            "# TYPE palermo_bytes_sent_total counter\n"
	            "palermo_bytes_sent_total %llu\n"
	            "# HELP palermo_uploads_in_flight Envelope uploads in progress.\n"
	            "# TYPE palermo_uploads_in_flight gauge\n"
	            "palermo_uploads_in_flight %lld\n"
	            "# HELP palermo_store_envelope_bytes Bytes of stored envelopes.\n"
	            "# TYPE palermo_store_envelope_bytes gauge\n"
	            "palermo_store_envelope_bytes %llu\n"
	            "# HELP palermo_store_envelopes Stored envelopes.\n"
	            "# TYPE palermo_store_envelopes gauge\n"
	            "palermo_store_envelopes %llu\n"
	            "# HELP palermo_log_size Entries in the transparency log.\n"
	            "# TYPE palermo_log_size gauge\n"
	            "palermo_log_size %llu\n"
	            "# HELP palermo_rejected_requests_total Refused requests by reason.\n"
	            "# TYPE palermo_rejected_requests_total counter\n",
	            (unsigned long long)atomic_load(&m->bytes_in),
	            (unsigned long long)atomic_load(&m->bytes_out),
	            (long long)atomic_load(&m->uploads_in_flight),
	            (unsigned long long)blobs_bytes(req->srv->blobs),
	            (unsigned long long)store_count_envelopes(req->srv->store),
	            (unsigned long long)store_log_size(req->srv->store));
	for (i = 0; i < REJECT_REASONS; i++)
		r |= append(&t, &len, &cap, "palermo_rejected_requests_total{reason=\"%s\"} %llu\n",
		            metrics_reason_name((enum metrics_reason)i),
		            (unsigned long long)atomic_load(&m->rejected[i]));
	if (r == 0)
		r = http_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", t, len);
	free(t);
	return r;
}
