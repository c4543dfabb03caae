/*
 * bench_client.c - drives a real palermod through the client's own code
 * (client/transport.c signing every request, client/local.c for the
 * verified channel key, keys/ for sealing), for make bench:
 *
 *   bench_client seal HOME REVIEW KIND IN OUT
 *       seal the file IN as the member of HOME (a `palermo` home that has
 *       synced REVIEW) on channel "review" into OUT
 *   bench_client upload HOME REVIEW ENVELOPE
 *       upload a sealed envelope as `palermo send` does (HEAD, then PUT
 *       from the server's offset); prints the envelope id
 *   bench_client download HOME ID OUT
 *       stream GET /v1/envelopes/ID into OUT as `palermo get` does
 *   bench_client post HOME REVIEW KIND COUNT CONNECTIONS SIZE
 *       seal COUNT documents of SIZE bytes first, then upload each with
 *       one signed PUT over CONNECTIONS parallel connections (one thread
 *       each); the server answers 201 only once the envelope is verified,
 *       fsynced and in the log. Prints "posts seconds posts/s p50 p90 p99
 *       max" (latencies in milliseconds)
 *
 * The passphrase comes from $PALERMO_PASSPHRASE_FILE, as for palermo. With
 * $BENCH_CLIENT_REPORT set, the time and peak memory of the work itself
 * (after unlocking) are appended there.
 * WARNING: a measuring tool; it skips the policy checks `palermo send` makes
 * before sealing (the server still makes them).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/cli.h"
#include "client/local.h"
#include "client/transport.h"
#include "keys/envelope.h"
#include "keys/manifest.h"

#define MAX_CONNECTIONS 64

/* One sealed document in memory. */
struct doc {
	unsigned char *bytes;
	size_t len;
};

/* What one posting thread does: documents FIRST, FIRST + STEP, ... */
struct poster {
	struct transport *net;
	const char *review;
	struct doc *docs;
	double *latency_ms;
	size_t first, step, count;
	int failed;
	plm_error err;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const plm_error *err)
{
	fprintf(stderr, "bench_client: %s\n", err->message);
	return 1;
}

/*
 * Appends "SECONDS PEAK_KIB" to the file named by $BENCH_CLIENT_REPORT, if
 * set: the time of the command's own work (SECONDS) and this process's
 * peak resident memory since the last reset (VmHWM), both without opening
 * the home and unlocking the identity (Argon2id), which came before.
 */
static void report(double seconds)
{
	const char *path = getenv("BENCH_CLIENT_REPORT");
	char line[256];
	FILE *in, *out;

	if (path == NULL || (in = fopen("/proc/self/status", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), in) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0 &&
		    (out = fopen(path, "a")) != NULL) {
			fprintf(out, "%.6f %ld\n", seconds, strtol(line + 6, NULL, 10));
			fclose(out);
		}
	fclose(in);
}

/* Resets the peak resident memory (VmHWM) of this process. */
static void rss_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

/* Opens HOME, unlocks its identity and connects to its server. */
static int cli_start(struct cli *cli, const char *home, plm_error *err)
{
	memset(cli, 0, sizeof(*cli));
	cli->program = "bench_client";
	cli->quiet = 1;
	snprintf(cli->home, sizeof(cli->home), "%s", home);
	if (cli_open_state(cli, 0) != 0 || cli_unlock(cli) != 0 ||
	    cli_connect(cli) != 0)
		return plm_error_set(err, PLM_ERR_INVALID, "cannot open the home %s",
		                     home);
	transport_set_progress(cli->net, 0);
	rss_reset();
	return 0;
}

/*
 * Seals IN_FD (SIZE bytes) as KIND on channel "review" of REVIEW into
 * OUT_FD with the member's newest channel key.
 */
static int seal_fd(struct cli *cli, const char *review, const char *kind, int in_fd,
                   uint64_t size, int out_fd, unsigned char id[PLM_HASH_BYTES],
                   plm_error *err)
{
	unsigned char *channel_key = NULL;
	plm_manifest *m = NULL;
	plm_seal_params p;
	uint64_t epoch = 0;
	int r;

	if ((r = local_channel_key(cli, review, "review", 0, &channel_key, &epoch,
	                           err)) != 0 ||
	    (r = plm_manifest_new(&m, err)) != 0)
		goto out;
	snprintf(m->title, sizeof(m->title), "benchmark %s", kind);
	snprintf(m->file_name, sizeof(m->file_name), "bench.bin");
	snprintf(m->mime, sizeof(m->mime), "application/octet-stream");
	m->size = size;
	memset(&p, 0, sizeof(p));
	p.review_id = review;
	p.channel = "review";
	p.epoch = epoch;
	p.kind = kind;
	p.created_at = (uint64_t)time(NULL);
	p.channel_key = channel_key;
	p.author = cli->me;
	p.manifest = m;
	r = plm_envelope_seal(in_fd, out_fd, &p, id, err);
out:
	plm_manifest_free(m);
	plm_secret_free(channel_key);
	return r;
}

static int cmd_seal(struct cli *cli, char **argv, plm_error *err)
{
	unsigned char id[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1];
	struct stat st;
	int in = open(argv[4], O_RDONLY), out, r;

	if (in < 0 || fstat(in, &st) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read %s", argv[4]);
	if ((out = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot create %s", argv[5]);
	r = seal_fd(cli, argv[2], argv[3], in, (uint64_t)st.st_size, out, id, err);
	close(in);
	close(out);
	if (r == 0) {
		plm_hex(hex, id, PLM_HASH_BYTES);
		printf("%s\n", hex);
	}
	return r;
}

static int cmd_upload(struct cli *cli, char **argv, plm_error *err)
{
	unsigned char upload_id[TRANSPORT_UPLOAD_ID_BYTES];
	json_t *answer = NULL;
	int r;

	randombytes_buf(upload_id, sizeof(upload_id));
	if ((r = transport_upload(cli->net, argv[2], upload_id, argv[3], &answer,
	                          err)) == 0)
		printf("%s\n", json_string_value(json_object_get(answer, "id")));
	json_decref(answer);
	return r;
}

static int cmd_download(struct cli *cli, char **argv, plm_error *err)
{
	char path[128];
	int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600), r;

	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot create %s", argv[3]);
	snprintf(path, sizeof(path), "/v1/envelopes/%.64s", argv[2]);
	r = transport_download(cli->net, path, fd, 0, 0, err);
	close(fd);
	return r;
}

/* Seals document I (SIZE bytes of varying content) into D. */
static int seal_doc(struct cli *cli, const char *review, const char *kind, size_t size,
                    size_t i, struct doc *d, plm_error *err)
{
	unsigned char id[PLM_HASH_BYTES], *content;
	char in_path[] = "/tmp/bench-client-in-XXXXXX",
	     out_path[] = "/tmp/bench-client-out-XXXXXX";
	int in = mkstemp(in_path), out = mkstemp(out_path), r = PLM_ERR_IO;
	struct stat st;

	unlink(in_path);
	unlink(out_path);
	if (in < 0 || out < 0 || (content = malloc(size + 1)) == NULL)
		goto out;
	randombytes_buf(content, size);
	snprintf((char *)content, size, "message %zu ", i);
	if (write(in, content, size) == (ssize_t)size && lseek(in, 0, SEEK_SET) == 0)
		r = seal_fd(cli, review, kind, in, size, out, id, err);
	free(content);
	if (r != 0 || fstat(out, &st) != 0 ||
	    (d->bytes = malloc((size_t)st.st_size)) == NULL ||
	    pread(out, d->bytes, (size_t)st.st_size, 0) != st.st_size) {
		r = r != 0 ? r
		           : plm_error_set(err, PLM_ERR_IO,
		                           "cannot read a sealed document");
		goto out;
	}
	d->len = (size_t)st.st_size;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

/* A posting thread: one signed PUT per document, 201 expected. */
static void *post_thread(void *arg)
{
	struct poster *w = arg;
	unsigned char upload_id[TRANSPORT_UPLOAD_ID_BYTES];
	char path[256], hex[2 * TRANSPORT_UPLOAD_ID_BYTES + 1];
	struct response resp;
	double t0;
	size_t i;

	for (i = w->first; i < w->count; i += w->step) {
		randombytes_buf(upload_id, sizeof(upload_id));
		plm_hex(hex, upload_id, sizeof(upload_id));
		snprintf(path, sizeof(path), "/v1/reviews/%s/uploads/%s", w->review,
		         hex);
		t0 = now_seconds();
		if (transport_request(w->net, "PUT", path, w->docs[i].bytes,
		                      w->docs[i].len, &resp, &w->err) != 0 ||
		    transport_check(&resp, "posting a document", &w->err) != 0 ||
		    resp.status != 201) {
			if (resp.status != 0 && w->err.code == 0)
				plm_error_set(&w->err, PLM_ERR_NET, "answer %ld",
				              resp.status);
			response_free(&resp);
			w->failed = 1;
			return NULL;
		}
		w->latency_ms[i] = (now_seconds() - t0) * 1000.0;
		response_free(&resp);
	}
	return NULL;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmd_post(struct cli *cli, char **argv, plm_error *err)
{
	const char *review = argv[2], *kind = argv[3];
	size_t count = strtoul(argv[4], NULL, 10), conns = strtoul(argv[5], NULL, 10);
	size_t size = strtoul(argv[6], NULL, 10), i;
	struct poster w[MAX_CONNECTIONS];
	pthread_t th[MAX_CONNECTIONS];
	struct doc *docs = calloc(count ? count : 1, sizeof(*docs));
	double *lat = calloc(count ? count : 1, sizeof(*lat)), t0, secs;
	int r = 0;

	if (docs == NULL || lat == NULL || conns < 1 || conns > MAX_CONNECTIONS ||
	    count < 1)
		return plm_error_set(err, PLM_ERR_INVALID, "bad post arguments");
	for (i = 0; i < count && r == 0; i++)
		r = seal_doc(cli, review, kind, size, i, &docs[i], err);
	memset(w, 0, sizeof(w));
	for (i = 0; i < conns && r == 0; i++) {
		w[i].review = review;
		w[i].docs = docs;
		w[i].latency_ms = lat;
		w[i].first = i;
		w[i].step = conns;
		w[i].count = count;
		r = transport_new(cli->state, cli->me, &w[i].net, err);
		if (r == 0)
			transport_set_progress(w[i].net, 0);
	}
	if (r != 0)
		goto out;
	t0 = now_seconds();
	for (i = 0; i < conns; i++)
		if (pthread_create(&th[i], NULL, post_thread, &w[i]) != 0)
			abort();
	for (i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	secs = now_seconds() - t0;
	for (i = 0; i < conns; i++)
		if (w[i].failed && r == 0) {
			*err = w[i].err;
			r = err->code ? err->code : PLM_ERR_NET;
		}
	if (r == 0) {
		qsort(lat, count, sizeof(*lat), compare_double);
		printf("%zu %.3f %.0f %.2f %.2f %.2f %.2f\n", count, secs,
		       (double)count / secs, lat[count / 2], lat[count * 9 / 10],
		       lat[count * 99 / 100], lat[count - 1]);
	}
out:
	for (i = 0; i < conns; i++)
		transport_free(w[i].net);
	for (i = 0; i < count; i++)
		free(docs[i].bytes);
	free(docs);
	free(lat);
	return r;
}

int main(int argc, char **argv)
{
	struct cli cli;
	plm_error err;
	double t0;
	int r;

	memset(&err, 0, sizeof(err));
	if (argc < 4 || (strcmp(argv[1], "seal") == 0 && argc != 7) ||
	    (strcmp(argv[1], "upload") == 0 && argc != 5) ||
	    (strcmp(argv[1], "download") == 0 && argc != 5) ||
	    (strcmp(argv[1], "post") == 0 && argc != 8)) {
		fprintf(
		    stderr,
		    "usage: bench_client seal HOME REVIEW KIND IN OUT | upload HOME "
		    "REVIEW ENVELOPE | download HOME ID OUT | post HOME REVIEW "
		    "KIND COUNT CONNECTIONS SIZE\n");
		return 2;
	}
	if (cli_start(&cli, argv[2], &err) != 0) {
		cli_close(&cli);
		return fail(&err);
	}
	argv++; /* argv[0] the command, argv[1] HOME, then its arguments */
	t0 = now_seconds();
	if (strcmp(argv[0], "seal") == 0)
		r = cmd_seal(&cli, argv, &err);
	else if (strcmp(argv[0], "upload") == 0)
		r = cmd_upload(&cli, argv, &err);
	else if (strcmp(argv[0], "download") == 0)
		r = cmd_download(&cli, argv, &err);
	else
		r = cmd_post(&cli, argv, &err);
	if (r == 0)
		report(now_seconds() - t0);
	cli_close(&cli);
	return r == 0 ? 0 : fail(&err);
}
