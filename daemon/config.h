/*
 * config.h - palermod's configuration: defaults that work with no file at all
 * (loopback, plain HTTP, ./palermo-data), and one YAML file for the rest.
 * A bad file is refused with one message naming the key and its line.
 *
 * Keys (docs/API.md "Configuration"): listen, port, public_url, data, tls
 * {certificate, key}, root, policy, limits {max_record_bytes,
 * max_request_bytes, requests_per_minute, connections, connection_timeout,
 * clock_skew, threads}, log_level.
 */
#ifndef PALERMOD_CONFIG_H
#define PALERMOD_CONFIG_H

#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

#define CONFIG_DEFAULT_PORT 8470
#define CONFIG_DEFAULT_DATA "palermo-data"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

struct config {
	char listen_address[64];   /* IPv4 or IPv6 literal */
	uint16_t port;             /* 0: any free port */
	/* scheme://authority clients reach us at ("" = from the Host header) */
	char public_url[256];
	char *data_dir;
	char *tls_certificate;     /* PEM files; both or neither */
	char *tls_key;
	int root_pinned;           /* 1 if root_fpr was configured */
	unsigned char root_fpr[PLM_FPR_BYTES];
	char *policy_path;         /* NULL: the default policy */
	uint64_t max_record_bytes;  /* POST .../records bodies (rosters, keys) */
	uint64_t max_request_bytes; /* other bodies: root, certificates, revocations */
	uint64_t requests_per_minute; /* per key; 0: unlimited */
	uint64_t connections;
	uint64_t connection_timeout; /* seconds of silence before closing */
	uint64_t clock_skew;       /* seconds a signed request may be off */
	uint64_t threads;          /* 0: 32 (4 per core beyond 8 cores) */
	enum log_level log_level;
};

/* Fills CFG with the defaults (heap strings; config_free releases them). */
int config_defaults(struct config *cfg, plm_error *err);
/*
 * Reads PATH over the defaults already in CFG. Errors name the file, line and
 * key ("palermod.yaml:7:3: unknown key 'prot'; expected one of: ...").
 */
int config_load(struct config *cfg, const char *path, plm_error *err);
void config_free(struct config *cfg);

#endif
