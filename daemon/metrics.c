/* metrics.c - counters (see metrics.h); the exporter is in routes_ops.c. */
#include "daemon/metrics.h"

static const char *const reason_names[REJECT_REASONS] = {
    "unsigned",  "bad_signature", "unknown_key",      "revoked",
    "stale",     "replay",        "rate_limited",     "digest_mismatch",
    "too_large", "malformed",     "forbidden",        "not_found",
    "invalid_envelope", "invalid_record", "conflict",
};

const char *metrics_reason_name(enum metrics_reason r)
{
	return (unsigned)r < REJECT_REASONS ? reason_names[r] : "other";
}

void metrics_reject(struct metrics *m, enum metrics_reason r)
{
	if ((unsigned)r < REJECT_REASONS)
		atomic_fetch_add(&m->rejected[r], 1);
}
