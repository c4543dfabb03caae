/*
 * main.c - palermod: the relay that stores only ciphertext (DESIGN.md §10).
 *
 *   palermod [--config FILE] [--data DIR] [--listen ADDR] [--port N]
 *            [--ready-file FILE] [--user NAME] [--no-seccomp]
 *
 * With no options it listens on 127.0.0.1:8470, plain HTTP, with its store
 * in ./palermo-data. Exit codes: 0 after a clean stop (SIGTERM, SIGINT),
 * 1 when it cannot run, 64 for a usage error, 78 for a bad configuration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/log.h"
#include "daemon/reload.h"
#include "daemon/parties.h"
#include "daemon/reviews.h"
#include "daemon/routes.h"
#include "daemon/sandbox.h"

#define EXIT_USAGE 64
#define EXIT_CONFIG 78

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: palermod [--config FILE] [--data DIR] [--listen ADDR] [--port N]\n"
	        "                [--ready-file FILE] [--user NAME] [--no-seccomp]\n"
	        "\n"
	        "Runs the Palermo relay. With no options: 127.0.0.1 port %d, plain HTTP,\n"
	        "data in ./%s. See palermod(8) and docs/API.md.\n",
	        CONFIG_DEFAULT_PORT, CONFIG_DEFAULT_DATA);
}

/*
 * Loads the log signing identity from DATA/log.seed, creating it (0600,
 * O_EXCL) at the first start. WARNING: this seed must stay on the server:
 * it signs the tree heads every client checks.
 */
static int load_log_key(const char *data, plm_identity **out, plm_error *err)
{
	unsigned char *seed = plm_secret_alloc(PLM_SEED_BYTES);
	char path[4096];
	ssize_t n;
	int fd, r;

	if (seed == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory");
	snprintf(path, sizeof(path), "%s/log.seed", data);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, seed, PLM_SEED_BYTES);
		close(fd);
		if (n != PLM_SEED_BYTES) {
			plm_secret_free(seed);
			return plm_error_set(err, PLM_ERR_CORRUPT,
			                     "%s is damaged; restore it from a backup", path);
		}
	} else if (errno == ENOENT) {
		randombytes_buf(seed, PLM_SEED_BYTES);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, seed, PLM_SEED_BYTES) != PLM_SEED_BYTES || fsync(fd) != 0) {
			if (fd >= 0)
				close(fd);
			plm_secret_free(seed);
			return plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s", path,
			                     strerror(errno));
		}
		close(fd);
	} else {
		plm_secret_free(seed);
		return plm_error_set(err, PLM_ERR_IO, "cannot open %s: %s", path, strerror(errno));
	}
	r = plm_identity_from_seed(out, seed, err);
	plm_secret_free(seed);
	return r;
}

/* Start-up sweep callback: keep a blob only if its envelope row exists. */
static int blob_is_recorded(void *ctx, const unsigned char id[32])
{
	return store_has_envelope(ctx, id);
}

/* Restores the pinned root from the store, if one was published. */
static int load_root(struct server *srv, plm_error *err)
{
	unsigned char fpr[PLM_FPR_BYTES], *bytes = NULL;
	plm_record *cert = NULL;
	size_t len;
	int r;

	if (store_meta_get(srv->store, "root", fpr, sizeof(fpr), &len, NULL) != 0)
		return 0;
	if ((r = store_find_subject(srv->store, PLM_RECORD_CERTIFICATE, fpr, &bytes, &len,
	                            err)) != 0 ||
	    (r = plm_record_decode(bytes, len, &cert, err)) != 0) {
		free(bytes);
		return plm_error_set(err, PLM_ERR_CORRUPT,
		                     "the stored root certificate is damaged");
	}
	memcpy(srv->root_fpr, fpr, PLM_FPR_BYTES);
	srv->root_keys = cert->body.certificate.keys;
	srv->root_known = 1;
	free(bytes);
	plm_record_free(cert);
	return 0;
}

static int write_ready_file(const char *path, uint16_t port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"data", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"port", required_argument, NULL, 'p'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"user", required_argument, NULL, 'u'},
	    {"no-seccomp", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *data = NULL, *listen = NULL, *port = NULL,
	           *ready = NULL;
	struct server srv;
	sigset_t signals;
	plm_error err;
	char *policy_path = NULL;
	unsigned swept = 0;
	int c, sig, status = 1;
	const char *user = NULL; /* --user: drop root for this account */
	struct sandbox_user run_as;
	int use_seccomp = 1;

	memset(&srv, 0, sizeof(srv));
	while ((c = getopt_long(argc, argv, "c:d:l:p:r:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'd': data = optarg; break;
		case 'l': listen = optarg; break;
		case 'p': port = optarg; break;
		case 'r': ready = optarg; break;
		case 'u': user = optarg; break;
		case 'S': use_seccomp = 0; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("palermod 0.1 (protocol v1)"); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	umask(077); /* every file palermod creates is private (SQLite's too) */
	if (plm_init(&err) != 0 || config_defaults(&srv.cfg, &err) != 0) {
		fprintf(stderr, "palermod: %s\n", err.message);
		return 1;
	}
	if (config_path != NULL && config_load(&srv.cfg, config_path, &err) != 0) {
		fprintf(stderr, "palermod: %s\n", err.message);
		config_free(&srv.cfg);
		return EXIT_CONFIG;
	}
	if (data != NULL) {
		free(srv.cfg.data_dir);
		if ((srv.cfg.data_dir = strdup(data)) == NULL) {
			fprintf(stderr, "palermod: out of memory\n");
			return 1;
		}
	}
	if (listen != NULL)
		snprintf(srv.cfg.listen_address, sizeof(srv.cfg.listen_address), "%s", listen);
	if (port != NULL) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || p < 0 || p > 65535) {
			fprintf(stderr, "palermod: --port takes a number from 0 to 65535\n");
			config_free(&srv.cfg);
			return EXIT_USAGE;
		}
		srv.cfg.port = (uint16_t)p;
	}
	if (srv.cfg.policy_path != NULL) {
		policy_path = strdup(srv.cfg.policy_path);
	} else if ((policy_path = malloc(PATH_MAX)) != NULL &&
	           plm_policy_locate(policy_path, PATH_MAX, &err) != 0) {
		fprintf(stderr, "palermod: %s\n", err.message);
		status = EXIT_CONFIG;
		goto out;
	}
	if (policy_path == NULL || plm_policy_load(policy_path, &srv.policy, &err) != 0) {
		fprintf(stderr, "palermod: cannot load the policy: %s\n",
		        policy_path ? err.message : "out of memory");
		status = EXIT_CONFIG;
		goto out;
	}
	plm_policy_digest(srv.policy, srv.policy_digest);
	/* Signals are taken by sigwait below: block them before threads start. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&srv.root_lock, NULL);
	srv.started_at = (uint64_t)time(NULL);
	/* The data folder is opened as the --user account, so it owns it all. */
	if (user != NULL && (sandbox_user_lookup(user, &run_as, &err) != 0 ||
	                     sandbox_enter_user(&run_as, srv.cfg.data_dir, &err) != 0)) {
		fprintf(stderr, "palermod: %s\n", err.message);
		goto out;
	}
	if (blobs_open(srv.cfg.data_dir, &srv.blobs, &err) != 0 ||
	    store_open(srv.cfg.data_dir, &srv.store, &err) != 0 ||
	    blobs_sweep(srv.blobs, blob_is_recorded, srv.store, 14 * 86400, &swept, &err) != 0 ||
	    load_root(&srv, &err) != 0 || load_log_key(srv.cfg.data_dir, &srv.log_key, &err) != 0 ||
	    reviews_init(&srv, &err) != 0) {
		fprintf(stderr, "palermod: %s\n", err.message);
		goto out;
	}
	if (user != NULL && sandbox_leave_user(&err) != 0) {
		fprintf(stderr, "palermod: %s\n", err.message);
		goto out;
	}
	if (auth_new(&srv.auth, srv.cfg.clock_skew, srv.cfg.requests_per_minute,
	             srv.started_at) != 0) {
		fprintf(stderr, "palermod: out of memory\n");
		goto out;
	}
	/* Requests signed in the start second are refused (auth_before_start):
	 * serve from the next second on, so that no honest request is. */
	while ((uint64_t)time(NULL) <= srv.started_at) {
		struct timespec tick = {0, 20 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	if (http_start(&srv, &err) != 0) {
		fprintf(stderr, "palermod: %s\n", err.message);
		goto out;
	}
	log_message(srv.cfg.log_level, LOG_INFO,
	            "listening on %s port %u (%s), data in %s, policy %s, %u orphans removed",
	            srv.cfg.listen_address, srv.port, srv.cfg.tls_certificate ? "https" : "http",
	            srv.cfg.data_dir, policy_path, swept);
	if (ready != NULL && write_ready_file(ready, srv.port) != 0) {
		fprintf(stderr, "palermod: cannot write %s: %s\n", ready, strerror(errno));
		http_stop(&srv);
		goto out;
	}
	/*
	 * Bound, keys read, ready file written (where root chose): give up
	 * root, then most system calls (sandbox.h).
	 */
	if ((user != NULL && sandbox_drop(&run_as, &err) != 0) ||
	    (use_seccomp && sandbox_seccomp(&err) != 0)) {
		fprintf(stderr, "palermod: %s\n", err.message);
		http_stop(&srv);
		goto out;
	}
	if (geteuid() == 0)
		log_message(srv.cfg.log_level, LOG_WARN,
		            "running as root: start palermod with --user NAME to drop root "
		            "once it listens");
	log_message(srv.cfg.log_level, LOG_INFO, "sandbox: uid %u, seccomp %s",
	            (unsigned)geteuid(), use_seccomp ? "on" : "off");
	for (;;) {
		if (sigwait(&signals, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			struct reload_source source = {config_path, data != NULL,
			                               listen != NULL, port != NULL};
			reload_apply(&srv, &source);
			continue;
		}
		break;
	}
	log_message(srv.cfg.log_level, LOG_INFO, "stopping: finishing requests in flight");
	http_stop(&srv);
	status = 0;
out:
	reviews_free(&srv);
	parties_free();
	auth_free(srv.auth);
	store_close(srv.store);
	blobs_close(srv.blobs);
	plm_identity_free(srv.log_key);
	plm_policy_free(srv.policy);
	reload_free();
	free(policy_path);
	config_free(&srv.cfg);
	return status;
}
