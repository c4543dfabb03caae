/*
 * log.h - palermod's log: one logfmt line per request on standard error
 * (method, route, status, bytes, milliseconds, key fingerprint prefix),
 * never a payload, a title or a full key; and start-up/shutdown messages.
 */
#ifndef PALERMOD_LOG_H
#define PALERMOD_LOG_H

#include <stdint.h>

#include "daemon/config.h"

void log_request(enum log_level level, const char *method, const char *route,
                 unsigned status, uint64_t bytes_in, uint64_t bytes_out,
                 uint64_t micros, const char *key, const char *note,
                 const char *reason);
void log_message(enum log_level level, enum log_level at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
