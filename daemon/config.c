/* config.c - palermod configuration (see config.h). */
#include "daemon/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/record.h"
#include "policies/yaml.h"

int config_defaults(struct config *cfg, plm_error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->listen_address, "127.0.0.1");
	cfg->port = CONFIG_DEFAULT_PORT;
	cfg->data_dir = strdup(CONFIG_DEFAULT_DATA);
	cfg->max_record_bytes = PLM_RECORD_MAX_BYTES;
	cfg->max_request_bytes = 64u << 10;
	cfg->requests_per_minute = 6000;
	cfg->connections = 1024;
	cfg->connection_timeout = 60;
	cfg->clock_skew = 300;
	cfg->threads = 0;
	cfg->log_level = LOG_INFO;
	if (cfg->data_dir == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	return 0;
}

void config_free(struct config *cfg)
{
	free(cfg->data_dir);
	free(cfg->tls_certificate);
	free(cfg->tls_key);
	free(cfg->policy_path);
	memset(cfg, 0, sizeof(*cfg));
}

/* The text of a scalar NODE for a message, or what it is instead. */
static const char *shown(const plm_ynode *node)
{
	if (node->kind == PLM_Y_MAP)
		return "a mapping";
	if (node->kind == PLM_Y_SEQ)
		return "a list";
	return node->value;
}

/*
 * Replaces *DST with a copy of the string value of NODE, the value of KEY
 * (named in every message, with the line). With MUST_READ, the value is a
 * file that must be readable now.
 */
static int set_string(const plm_ydoc *doc, const plm_ynode *node, const char *key,
                      int must_read, char **dst, plm_error *err)
{
	char *copy;

	if (node->kind != PLM_Y_SCALAR || node->value[0] == '\0')
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
		                      "%s: expected a path, found %s", key,
		                      node->kind == PLM_Y_SCALAR ? "an empty value" : shown(node));
	if (must_read && access(node->value, R_OK) != 0)
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err, "%s: cannot read %s: %s",
		                      key, node->value, strerror(errno));
	if ((copy = strdup(node->value)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	free(*dst);
	*dst = copy;
	return 0;
}

/* The text of the scalar NODE, the value of KEY. */
static int get_string(const plm_ydoc *doc, const plm_ynode *node, const char *key,
                      const char **out, plm_error *err)
{
	if (node->kind != PLM_Y_SCALAR)
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
		                      "%s: expected a single value, found %s", key, shown(node));
	*out = node->value;
	return 0;
}

/* Reads the whole number NODE, the value of KEY, within [MIN, MAX]. */
static int get_uint(const plm_ydoc *doc, const plm_ynode *node, const char *key,
                    uint64_t min, uint64_t max, uint64_t *out, plm_error *err)
{
	int r = plm_yaml_uint(doc, node, min, max, out, NULL);

	if (r != 0)
		return plm_yaml_error(doc, node, r, err,
		                      "%s: expected a whole number from %llu to %llu, found %s%s%s",
		                      key, (unsigned long long)min, (unsigned long long)max,
		                      node->kind == PLM_Y_SCALAR ? "'" : "", shown(node),
		                      node->kind == PLM_Y_SCALAR ? "'" : "");
	return 0;
}

/*
 * public_url: the scheme and authority clients use to reach this server
 * ("https://relay.example.org", "http://127.0.0.1:8470"), from which the
 * signed @target-uri is rebuilt (PROTOCOL.md §8.4). No path, no trailing
 * slash, nothing outside the characters §8.4 allows in an authority.
 */
static int load_public_url(struct config *cfg, const plm_ydoc *doc,
                           const plm_ynode *node, plm_error *err)
{
	const char *s = NULL, *authority;
	size_t i;
	int r;

	if ((r = get_string(doc, node, "public_url", &s, err)) != 0)
		return r;
	if (strncmp(s, "https://", 8) == 0)
		authority = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		authority = s + 7;
	else
		authority = NULL;
	for (i = 0; authority != NULL && authority[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		           "-._~!$&'()*+,;=:@[]%",
		           authority[i]) == NULL)
			authority = NULL;
	if (authority == NULL || authority[0] == '\0' || strlen(s) >= sizeof(cfg->public_url))
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
		                      "public_url: expected the scheme and host clients use, "
		                      "such as https://relay.example.org (no path), found '%s'",
		                      s);
	strcpy(cfg->public_url, s);
	return 0;
}

static int load_listen(struct config *cfg, const plm_ydoc *doc,
                       const plm_ynode *node, plm_error *err)
{
	unsigned char addr[16];
	const char *s = NULL;
	int r;

	if ((r = get_string(doc, node, "listen", &s, err)) != 0)
		return r;
	if (strlen(s) >= sizeof(cfg->listen_address) ||
	    (inet_pton(AF_INET, s, addr) != 1 && inet_pton(AF_INET6, s, addr) != 1))
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
		                      "listen: expected an IP address such as 127.0.0.1 "
		                      "or ::1, found '%s'",
		                      s);
	strcpy(cfg->listen_address, s);
	return 0;
}

static int load_tls(struct config *cfg, const plm_ydoc *doc, const plm_ynode *tls,
                    plm_error *err)
{
	static const char *const keys[] = {"certificate", "key", NULL};
	const plm_ynode *n;
	int r;

	if ((r = plm_yaml_expect(doc, tls, PLM_Y_MAP, "tls settings", err)) != 0 ||
	    (r = plm_yaml_check_keys(doc, tls, keys, err)) != 0)
		return r;
	if (plm_yaml_get(tls, "certificate") == NULL || plm_yaml_get(tls, "key") == NULL)
		return plm_yaml_error(doc, tls, PLM_ERR_FORMAT, err,
		                      "tls: give both certificate and key (PEM files), "
		                      "or leave tls out for plain HTTP");
	n = plm_yaml_get(tls, "certificate");
	if ((r = set_string(doc, n, "tls.certificate", 1, &cfg->tls_certificate, err)) != 0)
		return r;
	n = plm_yaml_get(tls, "key");
	return set_string(doc, n, "tls.key", 1, &cfg->tls_key, err);
}

static int load_limits(struct config *cfg, const plm_ydoc *doc,
                       const plm_ynode *limits, plm_error *err)
{
	static const char *const keys[] = {
	    "max_record_bytes", "max_request_bytes", "requests_per_minute",
	    "connections",      "connection_timeout", "clock_skew",
	    "threads",          NULL};
	struct {
		const char *key;
		uint64_t *dst, min, max;
	} fields[] = {
	    {"max_record_bytes", &cfg->max_record_bytes, 1024, PLM_RECORD_MAX_BYTES},
	    {"max_request_bytes", &cfg->max_request_bytes, 1024, 16u << 20},
	    {"requests_per_minute", &cfg->requests_per_minute, 0, 10000000},
	    {"connections", &cfg->connections, 1, 65536},
	    {"connection_timeout", &cfg->connection_timeout, 1, 3600},
	    {"clock_skew", &cfg->clock_skew, 10, 3600},
	    {"threads", &cfg->threads, 0, 256},
	};
	const plm_ynode *n;
	char key[64];
	size_t i;
	int r;

	if ((r = plm_yaml_expect(doc, limits, PLM_Y_MAP, "limits", err)) != 0 ||
	    (r = plm_yaml_check_keys(doc, limits, keys, err)) != 0)
		return r;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if ((n = plm_yaml_get(limits, fields[i].key)) == NULL)
			continue;
		snprintf(key, sizeof(key), "limits.%s", fields[i].key);
		if ((r = get_uint(doc, n, key, fields[i].min, fields[i].max, fields[i].dst,
		                  err)) != 0)
			return r;
	}
	return 0;
}

static int load_log_level(struct config *cfg, const plm_ydoc *doc,
                          const plm_ynode *node, plm_error *err)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	const char *s = NULL;
	size_t i;
	int r;

	if ((r = get_string(doc, node, "log_level", &s, err)) != 0)
		return r;
	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			cfg->log_level = (enum log_level)i;
			return 0;
		}
	return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
	                      "log_level: expected error, warn, info or debug, found '%s'",
	                      s);
}

int config_load(struct config *cfg, const char *path, plm_error *err)
{
	static const char *const keys[] = {"listen",    "port",   "public_url",
	                                   "data",      "tls",    "root",
	                                   "policy",    "limits", "log_level",
	                                   NULL};
	plm_ydoc *doc = NULL;
	const plm_ynode *root, *n;
	uint64_t port;
	int r;

	if ((r = plm_yaml_load(path, &doc, err)) != 0)
		return r;
	root = doc->root;
	if ((r = plm_yaml_expect(doc, root, PLM_Y_MAP, "the configuration", err)) != 0 ||
	    (r = plm_yaml_check_keys(doc, root, keys, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "listen")) != NULL &&
	    (r = load_listen(cfg, doc, n, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "port")) != NULL) {
		if ((r = get_uint(doc, n, "port", 0, 65535, &port, err)) != 0)
			goto out;
		cfg->port = (uint16_t)port;
	}
	if ((n = plm_yaml_get(root, "public_url")) != NULL &&
	    (r = load_public_url(cfg, doc, n, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "data")) != NULL &&
	    (r = set_string(doc, n, "data", 0, &cfg->data_dir, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "policy")) != NULL &&
	    (r = set_string(doc, n, "policy", 1, &cfg->policy_path, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "tls")) != NULL &&
	    (r = load_tls(cfg, doc, n, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "limits")) != NULL &&
	    (r = load_limits(cfg, doc, n, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "log_level")) != NULL &&
	    (r = load_log_level(cfg, doc, n, err)) != 0)
		goto out;
	if ((n = plm_yaml_get(root, "root")) != NULL) {
		if (n->kind != PLM_Y_SCALAR ||
		    plm_fingerprint_parse(cfg->root_fpr, n->value, NULL) != 0) {
			r = plm_yaml_error(doc, n, PLM_ERR_FORMAT, err,
			                   "root: expected the root's fingerprint "
			                   "(64 hexadecimal digits, as `palermo admin "
			                   "root` prints it)");
			goto out;
		}
		cfg->root_pinned = 1;
	}
out:
	plm_yaml_free(doc);
	return r;
}
