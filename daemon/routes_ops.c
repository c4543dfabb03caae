/* routes_ops.c - health, readiness and metrics (docs/API.md "Operations"). */
#define _GNU_SOURCE
#include "daemon/routes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int route_health(struct request *req)
{
	return http_json(req, 200,
	                 json_pack("{s:s, s:s, s:I}", "status", "ok", "version", "1",
	                           "log_size", (json_int_t)store_log_size(req->srv->store)));
}

/*
 * 0 if a file can be created, written, fsynced and removed in the data
 * folder DATA; else fills WHY (CAP bytes) with what failed.
 */
static int data_writable(const char *data, char *why, size_t cap)
{
	char path[4096];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/.ready-probe", data);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, cap, "cannot create a file in the data folder %s: %s", data,
		         strerror(errno));
		return -1;
	}
	ok = write(fd, "ready\n", 6) == 6 && fsync(fd) == 0;
	if (!ok)
		snprintf(why, cap, "cannot write to the data folder %s: %s", data,
		         strerror(errno));
	close(fd);
	unlink(path);
	return ok ? 0 : -1;
}

/*
 * GET /v1/ready: 200 when the store accepts a write (the data folder and
 * SQLite both), else 503 saying which one refused, for load balancers and
 * systemd health checks.
 */
int route_ready(struct request *req)
{
	struct server *srv = req->srv;
	unsigned char stamp[8];
	uint64_t now = (uint64_t)time(NULL);
	char why[4400];
	plm_error err;
	int i;

	for (i = 0; i < 8; i++)
		stamp[i] = (unsigned char)(now >> (56 - 8 * i));
	if (data_writable(srv->cfg.data_dir, why, sizeof(why)) != 0 ||
	    (store_meta_put(srv->store, "ready_probe", stamp, sizeof(stamp), &err) != 0 &&
	     snprintf(why, sizeof(why), "the database refuses writes: %s", err.message) > 0)) {
		atomic_fetch_add(&srv->metrics.not_ready, 1);
		return http_problem(req, 503, "not-ready", "Service Unavailable",
		                    "%s; free disk space or fix the folder's permissions",
		                    why);
	}
	return http_json(req, 200, json_pack("{s:s}", "status", "ready"));
}

/* Bytes of the SQLite database in DATA (main file and write-ahead log). */
static uint64_t database_bytes(const char *data)
{
	static const char *const files[] = {"palermo.db", "palermo.db-wal"};
	char path[4096];
	struct stat st;
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", data, files[i]);
		if (stat(path, &st) == 0)
			total += (uint64_t)st.st_size;
	}
	return total;
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
	r |= append(&t, &len, &cap,
	            "# HELP palermo_store_database_bytes Bytes of the SQLite database and its WAL.\n"
	            "# TYPE palermo_store_database_bytes gauge\n"
	            "palermo_store_database_bytes %llu\n"
	            "# HELP palermo_reviews Reviews with a roster.\n"
	            "# TYPE palermo_reviews gauge\n"
	            "palermo_reviews %llu\n"
	            "# HELP palermo_not_ready_total Readiness checks answered 503.\n"
	            "# TYPE palermo_not_ready_total counter\n"
	            "palermo_not_ready_total %llu\n"
	            "# HELP palermo_reloads_total SIGHUP reloads by result.\n"
	            "# TYPE palermo_reloads_total counter\n"
	            "palermo_reloads_total{result=\"applied\"} %llu\n"
	            "palermo_reloads_total{result=\"refused\"} %llu\n"
	            "# HELP palermo_uptime_seconds Seconds since palermod started.\n"
	            "# TYPE palermo_uptime_seconds gauge\n"
	            "palermo_uptime_seconds %llu\n",
	            (unsigned long long)database_bytes(req->srv->cfg.data_dir),
	            (unsigned long long)store_count_reviews(req->srv->store),
	            (unsigned long long)atomic_load(&m->not_ready),
	            (unsigned long long)atomic_load(&m->reloads_ok),
	            (unsigned long long)atomic_load(&m->reloads_failed),
	            (unsigned long long)((uint64_t)time(NULL) - req->srv->started_at));
	if (r == 0)
		r = http_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", t, len);
	free(t);
	return r;
}
