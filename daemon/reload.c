/*
 * reload.c - SIGHUP (see reload.h). Everything is loaded and checked
 * before anything is applied, so a broken file leaves the running daemon
 * exactly as it was. Connections are never touched: settings read per
 * request change between two requests, and the policy is swapped under the
 * reviews lock (daemon/reviews.c).
 */
#define _GNU_SOURCE
#include "daemon/reload.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/reviews.h"

/* Policies replaced by a reload: a request may still hold one (reload.h). */
struct retired {
	plm_policy *policy;
	struct retired *next;
};
static struct retired *retired;

/* Appends ", NAME" (or "NAME") to the list LIST of CAP bytes. */
static void add_name(char *list, size_t cap, const char *name)
{
	size_t n = strlen(list);

	snprintf(list + n, cap - n, "%s%s", n ? ", " : "", name);
}

static int str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/*
 * Names in LIST the settings of NEXT that differ from the running CUR but
 * only take effect at start-up (the listening socket, TLS, the stores, the
 * thread pool, the signature window whose nonce cache is sized for it).
 */
static void restart_only(const struct config *cur, const struct config *next,
                         const struct reload_source *src, char *list, size_t cap)
{
	if (!src->listen_overridden && strcmp(cur->listen_address, next->listen_address) != 0)
		add_name(list, cap, "listen");
	if (!src->port_overridden && cur->port != next->port)
		add_name(list, cap, "port");
	if (!src->data_overridden && str_differs(cur->data_dir, next->data_dir))
		add_name(list, cap, "data");
	if (strcmp(cur->public_url, next->public_url) != 0)
		add_name(list, cap, "public_url");
	if (str_differs(cur->tls_certificate, next->tls_certificate) ||
	    str_differs(cur->tls_key, next->tls_key))
		add_name(list, cap, "tls");
	if (cur->root_pinned != next->root_pinned ||
	    memcmp(cur->root_fpr, next->root_fpr, PLM_FPR_BYTES) != 0)
		add_name(list, cap, "root");
	if (cur->connections != next->connections)
		add_name(list, cap, "limits.connections");
	if (cur->connection_timeout != next->connection_timeout)
		add_name(list, cap, "limits.connection_timeout");
	if (cur->clock_skew != next->clock_skew)
		add_name(list, cap, "limits.clock_skew");
	if (cur->threads != next->threads)
		add_name(list, cap, "limits.threads");
}

/* Applies the settings of NEXT that are read per request, naming them in LIST. */
static void apply_live(struct server *srv, const struct config *next, char *list,
                       size_t cap)
{
	struct config *cur = &srv->cfg;

	if (cur->log_level != next->log_level) {
		__atomic_store_n(&cur->log_level, next->log_level, __ATOMIC_RELAXED);
		add_name(list, cap, "log_level");
	}
	if (cur->max_record_bytes != next->max_record_bytes) {
		__atomic_store_n(&cur->max_record_bytes, next->max_record_bytes,
		                 __ATOMIC_RELAXED);
		add_name(list, cap, "limits.max_record_bytes");
	}
	if (cur->max_request_bytes != next->max_request_bytes) {
		__atomic_store_n(&cur->max_request_bytes, next->max_request_bytes,
		                 __ATOMIC_RELAXED);
		add_name(list, cap, "limits.max_request_bytes");
	}
	if (cur->requests_per_minute != next->requests_per_minute) {
		auth_set_rate(srv->auth, next->requests_per_minute);
		cur->requests_per_minute = next->requests_per_minute;
		add_name(list, cap, "limits.requests_per_minute");
	}
}

/* Logs why the reload was refused and counts it; returns -1. */
static int refuse(struct server *srv, const char *why)
{
	atomic_fetch_add(&srv->metrics.reloads_failed, 1);
	log_message(srv->cfg.log_level, LOG_ERROR,
	            "SIGHUP: %s; nothing was changed, the running configuration and "
	            "policy stay in force",
	            why);
	return -1;
}

int reload_apply(struct server *srv, const struct reload_source *src)
{
	struct config next;
	struct retired *old = NULL;
	plm_policy *policy = NULL, *replaced = NULL;
	unsigned char digest[PLM_HASH_BYTES];
	char path[PATH_MAX], why[PATH_MAX + 400], later[300] = "", changed[300] = "";
	uint64_t reviews;
	plm_error err;
	int r = -1;

	if (config_defaults(&next, &err) != 0)
		return refuse(srv, err.message);
	if (src->config_path != NULL && config_load(&next, src->config_path, &err) != 0) {
		r = refuse(srv, err.message);
		goto out;
	}
	if (next.policy_path != NULL)
		snprintf(path, sizeof(path), "%s", next.policy_path);
	else if (plm_policy_locate(path, sizeof(path), &err) != 0) {
		r = refuse(srv, err.message);
		goto out;
	}
	if (plm_policy_load(path, &policy, &err) != 0) {
		snprintf(why, sizeof(why), "cannot load the policy: %s", err.message);
		r = refuse(srv, why);
		goto out;
	}
	plm_policy_digest(policy, digest);
	if (memcmp(digest, srv->policy_digest, PLM_HASH_BYTES) == 0) {
		plm_policy_free(policy);
		policy = NULL;
	} else if ((reviews = store_count_reviews(srv->store)) > 0) {
		snprintf(why, sizeof(why),
		         "the policy %s differs from the running one, but %llu review(s) "
		         "were created under the running one and each roster names its "
		         "digest; put the running policy back, or start a new deployment "
		         "for the new policy",
		         path, (unsigned long long)reviews);
		r = refuse(srv, why);
		goto out;
	} else if ((old = malloc(sizeof(*old))) == NULL) {
		r = refuse(srv, "out of memory");
		goto out;
	}
	restart_only(&srv->cfg, &next, src, later, sizeof(later));
	apply_live(srv, &next, changed, sizeof(changed));
	if (policy != NULL) {
		reviews_set_policy(srv, policy, &replaced);
		old->policy = replaced;
		old->next = retired;
		retired = old;
		old = NULL;
		policy = NULL;
		add_name(changed, sizeof(changed), "policy");
	}
	atomic_fetch_add(&srv->metrics.reloads_ok, 1);
	log_message(srv->cfg.log_level, LOG_INFO,
	            "SIGHUP: configuration %s and policy %s reloaded; changed: %s",
	            src->config_path ? src->config_path : "(none)", path,
	            changed[0] ? changed : "nothing");
	if (later[0] != '\0')
		log_message(srv->cfg.log_level, LOG_WARN,
		            "SIGHUP: %s changed in the file but only take(s) effect at "
		            "start-up; restart palermod to apply them",
		            later);
	r = 0;
out:
	free(old);
	plm_policy_free(policy);
	config_free(&next);
	return r;
}

void reload_free(void)
{
	struct retired *r, *next;

	for (r = retired; r != NULL; r = next) {
		next = r->next;
		plm_policy_free(r->policy);
		free(r);
	}
	retired = NULL;
}
