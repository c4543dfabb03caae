/* log.c - logfmt lines on standard error (see log.h). */
#include "daemon/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* Writes "ts=2026-11-22T13:00:00.123Z " into BUF. */
static void timestamp(char *buf, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "ts=%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

/*
 * Copies S into OUT (CAP bytes) with every byte that could break a logfmt
 * line or forge another (controls, quotes, backslashes, non-ASCII) made
 * '?': request paths and methods come from the network.
 */
static const char *clean(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\') ? '?' : s[i];
	out[i] = '\0';
	return out;
}

void log_request(enum log_level level, const char *method, const char *route,
                 unsigned status, uint64_t bytes_in, uint64_t bytes_out,
                 uint64_t micros, const char *key, const char *note,
                 const char *reason)
{
	char ts[64], extra[160] = "", method_clean[40], route_clean[120];
	size_t n = 0;

	if (level < LOG_INFO)
		return;
	timestamp(ts, sizeof(ts));
	if (reason != NULL)
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, " reason=%s", reason);
	if (note != NULL && n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - n, " note=\"%s\"", note);
	/* One call per line, so that lines from several threads do not mix. */
	fprintf(stderr,
	        "%s level=info msg=request method=%s route=\"%s\" status=%u "
	        "bytes_in=%llu bytes_out=%llu ms=%.1f key=%s%s\n",
	        ts, clean(method_clean, sizeof(method_clean), method),
	        clean(route_clean, sizeof(route_clean), route), status,
	        (unsigned long long)bytes_in,
	        (unsigned long long)bytes_out, (double)micros / 1000.0, key, extra);
}

void log_message(enum log_level level, enum log_level at, const char *fmt, ...)
{
	char ts[64], msg[600];
	va_list ap;

	if (at > level)
		return;
	timestamp(ts, sizeof(ts));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s level=%s msg=\"%s\"\n", ts, level_names[at], msg);
}
