/*
 * metrics.h - palermod's counters, exported at /v1/metrics in the Prometheus
 * text format. Lock-free: every counter is a C11 atomic.
 */
#ifndef PALERMOD_METRICS_H
#define PALERMOD_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define METRICS_ROUTES_MAX 32
#define METRICS_REASONS_MAX 16

struct metrics {
	/* requests[route][status class 1..5] */
	atomic_uint_fast64_t requests[METRICS_ROUTES_MAX][6];
	atomic_uint_fast64_t bytes_in;
	atomic_uint_fast64_t bytes_out;
	atomic_int_fast64_t uploads_in_flight;
	atomic_uint_fast64_t rejected[METRICS_REASONS_MAX];
	atomic_uint_fast64_t reloads_ok;      /* SIGHUP reloads applied */
	atomic_uint_fast64_t reloads_failed;  /* SIGHUP reloads refused */
	atomic_uint_fast64_t not_ready;       /* /v1/ready answers 503 */
};

/* Rejection reasons, stable names for the rejected_requests metric. */
enum metrics_reason {
	REJECT_UNSIGNED = 0,
	REJECT_BAD_SIGNATURE,
	REJECT_UNKNOWN_KEY,
	REJECT_REVOKED,
	REJECT_STALE,
	REJECT_REPLAY,
	REJECT_RATE,
	REJECT_DIGEST,
	REJECT_TOO_LARGE,
	REJECT_MALFORMED,
	REJECT_FORBIDDEN,
	REJECT_NOT_FOUND,
	REJECT_INVALID_ENVELOPE,
	REJECT_INVALID_RECORD,
	REJECT_CONFLICT,
	REJECT_REASONS
};

const char *metrics_reason_name(enum metrics_reason r);
void metrics_reject(struct metrics *m, enum metrics_reason r);

#endif
