/*
 * plmload.c - the load and crash generator (issue 9): several concurrent
 * clients seal envelopes with keys/ and upload them through the real
 * client's transport (client/transport.c: signed requests, resumable
 * uploads), while a watcher reads back everything the server lists; then
 * every client reads its own envelopes back and checks them.
 *
 *   plmload --port-file F --review ID --keys FILE --reader SEED
 *           --author SEED:KIND:CHANNEL [--author ...]
 *           [--clients N] [--messages M] [--min-size B] [--max-size B]
 *           [--think MS] [--work DIR] [--acked FILE] [--done-file F]
 *           [--deadline S]
 *
 * Client i writes as the author i mod (number of --author). Each message is
 * sealed from random bytes of MIN..MAX size (epoch 1, the keys file of
 * plmtest epoch-keys); with --think a client pauses a random 0..MS
 * milliseconds before each message, as people do. The port is read from F before every attempt, so a
 * script may kill the daemon and restart it on another port: an attempt
 * that fails (no connection, a cut transfer, a 5xx, a request signed before
 * the restart) is retried, resuming the upload where the server stands,
 * until DEADLINE seconds have passed since the start (default 600).
 *
 * An envelope counts as acknowledged when the server answered 201 (or 200:
 * already stored, for a retry whose first 201 was lost with the daemon).
 * (first_try: on the first attempt; after_retry: after attempts cut by a
 * kill.) Its id is appended to --acked as it comes. When every upload is done,
 * --done-file is created (the crash script stops killing), and the checks
 * run:
 *   - the watcher, during the uploads, fetched every envelope the moment
 *     the server listed it, and each one verified completely (signature,
 *     digest, structure): nothing partial is ever served, and nothing
 *     listed ever disappeared;
 *   - every acknowledged envelope is listed exactly once, downloads whole,
 *     verifies, and has the id the client computed when sealing: no loss,
 *     no duplicate;
 *   - the listing holds nothing else than what was there before plus what
 *     was acknowledged.
 * Prints one summary line (key=value) and exits 0 only if all of this held;
 * every failure is also one line on standard error.
 *
 * WARNING: a test tool: seeds and channel keys come from plain files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "client/transport.h"
#include "keys/envelope.h"
#include "keys/manifest.h"

#define MAX_AUTHORS 16
#define LINE_MAX_BYTES 256

struct author {
	plm_identity *id;
	unsigned char fpr[PLM_FPR_BYTES];
	char kind[64], channel[64];
	unsigned char *channel_key; /* plm_secret_alloc */
};

/* One sealed message of a client. */
struct message {
	unsigned char id[PLM_HASH_BYTES];
	uint64_t size;
	int acked;
};

struct client {
	pthread_t thread;
	unsigned index;
	struct author *author;
	struct message *messages;
	unsigned failures;
};

static struct {
	const char *port_file, *review, *keys, *reader_seed, *work, *acked_path, *done_file;
	unsigned clients, messages, think_ms;
	uint64_t min_size, max_size;
	time_t deadline;
	struct author authors[MAX_AUTHORS];
	unsigned n_authors;
	plm_identity *reader;
	pthread_mutex_t lock;
	FILE *acked;
	volatile int uploads_done;
	/* counters, under lock */
	uint64_t created, retried_ok, attempts_failed, served_verified, served_bad,
	    listed_lost, bytes;
	unsigned failed;
} g;

/* Counts a failure and says what it was, on standard error. */
static void failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failure(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g.lock);
	g.failed++;
	fputs("plmload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&g.lock);
}

/* Loads the identity of a 32-byte seed file (plmtest identity). */
static int seed_identity(const char *path, plm_identity **out)
{
	unsigned char *seed = plm_secret_alloc(PLM_SEED_BYTES);
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -1;

	if (seed != NULL && fd >= 0 && read(fd, seed, PLM_SEED_BYTES) == PLM_SEED_BYTES)
		r = plm_identity_from_seed(out, seed, NULL);
	if (fd >= 0)
		close(fd);
	plm_secret_free(seed);
	if (r != 0)
		fprintf(stderr, "plmload: %s is not a readable seed file\n", path);
	return r;
}

/* The channel key "REVIEW 1 CHANNEL HEX" of the keys file into KEY. */
static int channel_key(const char *channel, unsigned char *key)
{
	FILE *f = fopen(g.keys, "r");
	char line[LINE_MAX_BYTES], prefix[160];
	size_t n, plen;
	int r = -1;

	if (f == NULL)
		return -1;
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s 1 %s ", g.review, channel);
	while (r != 0 && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, prefix, plen) == 0 &&
		    sodium_hex2bin(key, PLM_KEY_BYTES, line + plen, 2 * PLM_KEY_BYTES, NULL, &n,
		                   NULL) == 0 &&
		    n == PLM_KEY_BYTES)
			r = 0;
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return r;
}

/* "SEED:KIND:CHANNEL" into the next author. */
static int add_author(const char *spec)
{
	struct author *a = &g.authors[g.n_authors];
	char seed[1024];
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (g.n_authors == MAX_AUTHORS || c2 == NULL || (size_t)(c1 - spec) >= sizeof(seed) ||
	    (size_t)(c2 - c1 - 1) >= sizeof(a->kind) || strlen(c2 + 1) >= sizeof(a->channel)) {
		fprintf(stderr, "plmload: --author takes SEED:KIND:CHANNEL\n");
		return -1;
	}
	memcpy(seed, spec, (size_t)(c1 - spec));
	seed[c1 - spec] = '\0';
	memcpy(a->kind, c1 + 1, (size_t)(c2 - c1 - 1));
	a->kind[c2 - c1 - 1] = '\0';
	strcpy(a->channel, c2 + 1);
	if (seed_identity(seed, &a->id) != 0)
		return -1;
	plm_fingerprint(a->fpr, &a->id->pub);
	if ((a->channel_key = plm_secret_alloc(PLM_KEY_BYTES)) == NULL ||
	    channel_key(a->channel, a->channel_key) != 0) {
		fprintf(stderr, "plmload: %s has no key for channel %s\n", g.keys, a->channel);
		return -1;
	}
	g.n_authors++;
	return 0;
}

/* A transport to the daemon on the port the port file names now. */
static struct transport *connect_now(const plm_identity *me)
{
	struct transport *t = NULL;
	char url[64], line[32] = "";
	FILE *f = fopen(g.port_file, "r");

	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)strtoul(line, NULL, 10));
	if (transport_new_url(url, me, &t, NULL) != 0)
		return NULL;
	transport_set_progress(t, 0);
	return t;
}

static int past_deadline(void) { return time(NULL) >= g.deadline; }

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Seals SIZE random bytes as client C's message N into PATH. */
static int seal_message(struct client *c, unsigned n, const char *path, struct message *m)
{
	plm_manifest *manifest = NULL;
	plm_seal_params p;
	plm_error err;
	unsigned char chunk[4096];
	uint64_t left;
	int in = -1, out = -1, r = -1;
	char plain[1100];

	snprintf(plain, sizeof(plain), "%s.plain", path);
	m->size = g.min_size + (g.max_size > g.min_size
	                            ? randombytes_uniform((uint32_t)(g.max_size - g.min_size + 1))
	                            : 0);
	if ((in = open(plain, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto out;
	for (left = m->size; left > 0;) {
		size_t k = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
		randombytes_buf(chunk, k);
		if (write(in, chunk, k) != (ssize_t)k)
			goto out;
		left -= k;
	}
	if (lseek(in, 0, SEEK_SET) != 0 || plm_manifest_new(&manifest, NULL) != 0 ||
	    (out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto out;
	snprintf(manifest->title, sizeof(manifest->title), "load %u-%u", c->index, n);
	snprintf(manifest->mime, sizeof(manifest->mime), "application/octet-stream");
	manifest->size = m->size;
	memset(&p, 0, sizeof(p));
	p.review_id = g.review;
	p.channel = c->author->channel;
	p.epoch = 1;
	p.kind = c->author->kind;
	p.created_at = (uint64_t)time(NULL);
	p.channel_key = c->author->channel_key;
	p.author = c->author->id;
	p.manifest = manifest;
	if (plm_envelope_seal(in, out, &p, m->id, &err) != 0) {
		fprintf(stderr, "plmload: cannot seal: %s\n", err.message);
		goto out;
	}
	r = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	unlink(plain);
	plm_manifest_free(manifest);
	return r;
}

/* Uploads the envelope in PATH until it is acknowledged or the deadline. */
static int upload_message(struct client *c, const char *path, struct message *m)
{
	unsigned char uid[TRANSPORT_UPLOAD_ID_BYTES], got[PLM_HASH_BYTES];
	char idhex[2 * PLM_HASH_BYTES + 1];
	struct transport *t;
	const char *hex;
	json_t *answer = NULL;
	plm_error err;
	int r, attempts = 0;
	size_t n;

	randombytes_buf(uid, sizeof(uid));
	for (;;) {
		if (past_deadline()) {
			failure("client %u: an upload was still not acknowledged at the deadline "
			        "(%s)", c->index, attempts ? err.message : "no attempt");
			return -1;
		}
		if ((t = connect_now(c->author->id)) == NULL)
			return -1;
		r = transport_upload(t, g.review, uid, path, &answer, &err);
		transport_free(t);
		attempts++;
		if (r == 0)
			break;
		/* A refusal of a valid envelope is a failure, not a retry, except a
		 * request signed before a restart (401) or the network. */
		if (r != PLM_ERR_NET && !(r == PLM_ERR_DENIED && attempts < 20)) {
			failure("client %u: upload refused: %s", c->index, err.message);
			return -1;
		}
		pthread_mutex_lock(&g.lock);
		g.attempts_failed++;
		pthread_mutex_unlock(&g.lock);
		pause_ms(50 + (long)randombytes_uniform(150));
	}
	hex = json_string_value(json_object_get(answer, "id"));
	if (hex == NULL || sodium_hex2bin(got, sizeof(got), hex, strlen(hex), NULL, &n, NULL) != 0 ||
	    n != sizeof(got) || memcmp(got, m->id, sizeof(got)) != 0) {
		failure("client %u: the server acknowledged another id than the one sealed",
		        c->index);
		json_decref(answer);
		return -1;
	}
	json_decref(answer);
	plm_hex(idhex, m->id, PLM_HASH_BYTES);
	m->acked = 1;
	pthread_mutex_lock(&g.lock);
	if (attempts == 1)
		g.created++;
	else
		g.retried_ok++;
	g.bytes += m->size;
	if (g.acked != NULL) {
		fprintf(g.acked, "%s\n", idhex);
		fflush(g.acked);
	}
	pthread_mutex_unlock(&g.lock);
	return 0;
}

/* plm_envelope_handlers.header: the author is one of ours. */
static int known_author(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                        plm_error *err)
{
	unsigned i;

	(void)ctx;
	for (i = 0; i < g.n_authors; i++)
		if (memcmp(g.authors[i].fpr, h->author, PLM_FPR_BYTES) == 0) {
			*author = g.authors[i].id->pub;
			return 0;
		}
	return plm_error_set(err, PLM_ERR_MISMATCH, "an envelope by an unknown author");
}

/*
 * Downloads envelope HEX with T and verifies it completely; its id must be
 * HEX (and its size SIZE, when non-zero). 0 if it verified, 1 if the daemon
 * could not be reached (try again), -1 for a bad or missing envelope.
 */
static int fetch_and_verify(struct transport *t, const char *hex, uint64_t size,
                            const char **why)
{
	static const plm_envelope_handlers handlers = {known_author, NULL};
	plm_envelope_reader *reader = NULL;
	unsigned char id[PLM_HASH_BYTES];
	char path[128], idhex[2 * PLM_HASH_BYTES + 1];
	struct response resp;
	plm_error err;
	int r = -1;

	snprintf(path, sizeof(path), "/v1/envelopes/%s", hex);
	if (transport_request(t, "GET", path, NULL, 0, &resp, &err) != 0)
		return 1;
	if (resp.status >= 500) {
		response_free(&resp);
		return 1;
	}
	*why = "not served (status other than 200)";
	if (resp.status == 200) {
		*why = "does not verify";
		if (plm_envelope_reader_new(&reader, &handlers, NULL, &err) == 0 &&
		    plm_envelope_reader_feed(reader, resp.body, resp.len, &err) == 0 &&
		    plm_envelope_reader_finish(reader, id, &err) == 0) {
			plm_hex(idhex, id, sizeof(id));
			*why = "has another id or size than listed";
			if (strcmp(idhex, hex) == 0 && (size == 0 || size == resp.len))
				r = 0;
		}
	}
	plm_envelope_reader_free(reader);
	response_free(&resp);
	return r;
}

/*
 * One page of the review's envelopes after AFTER (limit LIMIT) into *OUT.
 * 0, 1 if the daemon could not be reached, -1 on a bad answer.
 */
static int list_page(struct transport *t, uint64_t after, unsigned limit, json_t **out)
{
	char path[256];
	plm_error err;
	int r;

	snprintf(path, sizeof(path), "/v1/reviews/%s/envelopes?after=%" PRIu64 "&limit=%u",
	         g.review, after, limit);
	r = transport_json(t, "GET", path, NULL, 0, out, &err);
	if (r == PLM_ERR_NET || r == PLM_ERR_DENIED)
		return 1;
	if (r != 0 || !json_is_array(json_object_get(*out, "envelopes"))) {
		failure("listing: %s", r ? err.message : "no envelopes array");
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * The next page after AFTER, as ME through *T, connecting again (*T
 * replaced) while the daemon restarts. 0, or -1 on a bad answer or past
 * the deadline.
 */
static int next_page(struct transport **t, const plm_identity *me, uint64_t after,
                     unsigned limit, json_t **page)
{
	int r;

	for (;;) {
		if (past_deadline())
			return -1;
		if (*t == NULL && (*t = connect_now(me)) == NULL)
			return -1;
		if ((r = list_page(*t, after, limit, page)) <= 0)
			return r;
		transport_free(*t);
		*t = NULL;
		pause_ms(100);
	}
}

/*
 * The watcher: while the uploads run, fetches each envelope as soon as
 * it is listed and verifies it. A listed envelope that is not served, or
 * does not verify, is a failure. Starts after SEQ *ARG.
 */
static void *watch(void *arg)
{
	uint64_t after = *(uint64_t *)arg;
	struct transport *t = NULL;
	json_t *page = NULL, *item;
	const char *why = "";
	size_t i;
	int r;

	for (;;) {
		int last_round = g.uploads_done;
		if (next_page(&t, g.reader, after, 200, &page) != 0)
			break;
		json_array_foreach(json_object_get(page, "envelopes"), i, item) {
			const char *hex = json_string_value(json_object_get(item, "id"));
			uint64_t size = (uint64_t)json_integer_value(json_object_get(item, "size"));
			while ((r = fetch_and_verify(t, hex ? hex : "", size, &why)) > 0 &&
			       !past_deadline()) {
				transport_free(t);
				pause_ms(100);
				if ((t = connect_now(g.reader)) == NULL)
					break;
			}
			if (t == NULL)
				break;
			pthread_mutex_lock(&g.lock);
			if (r == 0)
				g.served_verified++;
			else
				g.served_bad++;
			pthread_mutex_unlock(&g.lock);
			if (r < 0)
				failure("watcher: listed envelope %s %s", hex ? hex : "?", why);
			after = (uint64_t)json_integer_value(json_object_get(item, "seq"));
		}
		if (json_array_size(json_object_get(page, "envelopes")) == 0) {
			if (last_round)
				break;
			pause_ms(100);
		}
		json_decref(page);
		page = NULL;
		if (t == NULL)
			break;
	}
	json_decref(page);
	transport_free(t);
	return NULL;
}

/* A client: seal and upload its messages, one after the other. */
static void *upload_all(void *arg)
{
	struct client *c = arg;
	char path[1024];
	unsigned n;

	for (n = 0; n < g.messages && !past_deadline(); n++) {
		if (g.think_ms > 0)
			pause_ms((long)randombytes_uniform(g.think_ms + 1));
		snprintf(path, sizeof(path), "%s/c%u-m%u.env", g.work, c->index, n);
		if (seal_message(c, n, path, &c->messages[n]) != 0) {
			failure("client %u: cannot seal message %u", c->index, n);
			c->failures++;
			continue;
		}
		if (upload_message(c, path, &c->messages[n]) != 0)
			c->failures++;
		unlink(path);
	}
	return NULL;
}

/*
 * Every envelope of the review: ids in *LISTED, sizes in *SIZES (N of them,
 * malloc'd, the caller frees both),
 * reading pages until an empty one; retries while the daemon restarts.
 */
static int list_all(const plm_identity *me, char (**listed)[2 * PLM_HASH_BYTES + 1],
                    uint64_t **sizes, size_t *n)
{
	struct transport *t = NULL;
	json_t *page = NULL, *item;
	uint64_t after = 0;
	size_t i, cap = 0;
	int r;

	*listed = NULL;
	*sizes = NULL;
	*n = 0;
	for (;;) {
		if ((r = next_page(&t, me, after, 10000, &page)) != 0)
			break;
		if (json_array_size(json_object_get(page, "envelopes")) == 0)
			break;
		json_array_foreach(json_object_get(page, "envelopes"), i, item) {
			const char *hex = json_string_value(json_object_get(item, "id"));
			if (*n == cap) {
				cap = cap ? 2 * cap : 1024;
				*listed = realloc(*listed, cap * sizeof(**listed));
				*sizes = realloc(*sizes, cap * sizeof(**sizes));
				if (*listed == NULL || *sizes == NULL)
					abort();
			}
			snprintf((*listed)[*n], sizeof((*listed)[*n]), "%s", hex ? hex : "");
			(*sizes)[*n] = (uint64_t)json_integer_value(json_object_get(item, "size"));
			(*n)++;
			after = (uint64_t)json_integer_value(json_object_get(item, "seq"));
		}
		json_decref(page);
		page = NULL;
	}
	json_decref(page);
	transport_free(t);
	return r < 0 ? -1 : 0;
}

static int compare_ids(const void *a, const void *b) { return strcmp(a, b); }

/* The id listed at index I of LISTED equal to HEX, by binary search. */
static long find_listed(char (*sorted)[2 * PLM_HASH_BYTES + 1], size_t n, const char *hex)
{
	char(*hit)[2 * PLM_HASH_BYTES + 1] = bsearch(hex, sorted, n, sizeof(*sorted), compare_ids);
	return hit ? (long)(hit - sorted) : -1;
}

/* After the uploads: client C reads back and checks all its messages. */
static void *check_all(void *arg)
{
	struct client *c = arg;
	char(*listed)[2 * PLM_HASH_BYTES + 1] = NULL, hex[2 * PLM_HASH_BYTES + 1];
	uint64_t *sizes = NULL;
	struct transport *t = NULL;
	const char *why = "";
	size_t n = 0;
	unsigned m;
	int r;

	if (list_all(c->author->id, &listed, &sizes, &n) != 0) {
		failure("client %u: cannot list the review's envelopes", c->index);
		goto out;
	}
	qsort(listed, n, sizeof(*listed), compare_ids);
	for (m = 0; m < g.messages; m++) {
		if (!c->messages[m].acked)
			continue;
		plm_hex(hex, c->messages[m].id, PLM_HASH_BYTES);
		if (find_listed(listed, n, hex) < 0) {
			pthread_mutex_lock(&g.lock);
			g.listed_lost++;
			pthread_mutex_unlock(&g.lock);
			failure("client %u: acknowledged envelope %s is not listed", c->index, hex);
			continue;
		}
		do {
			if (t == NULL && (t = connect_now(c->author->id)) == NULL)
				goto out;
			if ((r = fetch_and_verify(t, hex, 0, &why)) > 0) {
				transport_free(t);
				t = NULL;
				pause_ms(100);
			}
		} while (r > 0 && !past_deadline());
		if (r != 0)
			failure("client %u: acknowledged envelope %s %s", c->index, hex, why);
	}
out:
	transport_free(t);
	free(listed);
	free(sizes);
	return NULL;
}

/* The whole listing once more: no duplicate, nothing unexpected. */
static void check_listing(size_t before)
{
	char(*listed)[2 * PLM_HASH_BYTES + 1] = NULL;
	uint64_t *sizes = NULL;
	size_t n = 0, i, dups = 0;

	if (list_all(g.reader, &listed, &sizes, &n) != 0) {
		failure("cannot list the review's envelopes for the final check");
		return;
	}
	qsort(listed, n, sizeof(*listed), compare_ids);
	for (i = 1; i < n; i++)
		if (strcmp(listed[i], listed[i - 1]) == 0)
			dups++;
	if (dups > 0)
		failure("%zu envelope ids are listed twice", dups);
	if (n != before + g.created + g.retried_ok)
		failure("the review lists %zu envelopes: %zu before plus %" PRIu64
		        " acknowledged were expected",
		        n, before, g.created + g.retried_ok);
	printf("listed=%zu duplicates=%zu ", n, dups);
	free(listed);
	free(sizes);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"port-file", required_argument, NULL, 'p'}, {"review", required_argument, NULL, 'r'},
	    {"keys", required_argument, NULL, 'k'},      {"reader", required_argument, NULL, 'R'},
	    {"author", required_argument, NULL, 'a'},    {"clients", required_argument, NULL, 'c'},
	    {"messages", required_argument, NULL, 'm'},  {"min-size", required_argument, NULL, 's'},
	    {"max-size", required_argument, NULL, 'S'},  {"work", required_argument, NULL, 'w'},
	    {"acked", required_argument, NULL, 'A'},     {"done-file", required_argument, NULL, 'd'},
	    {"deadline", required_argument, NULL, 'D'},  {"think", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct client *clients = NULL;
	struct transport *t;
	pthread_t watcher;
	char(*listed)[2 * PLM_HASH_BYTES + 1] = NULL;
	uint64_t *sizes = NULL, start_after = 0, total;
	size_t before = 0;
	struct timespec t0, t1;
	unsigned i, deadline = 600, unacked = 0;
	int c;

	g.clients = 4;
	g.messages = 10;
	g.min_size = 1000;
	g.max_size = 4000;
	g.work = ".";
	pthread_mutex_init(&g.lock, NULL);
	if (plm_init(NULL) != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'p': g.port_file = optarg; break;
		case 'r': g.review = optarg; break;
		case 'k': g.keys = optarg; break;
		case 'R': g.reader_seed = optarg; break;
		case 'a':
			if (g.review == NULL || g.keys == NULL) {
				fprintf(stderr, "plmload: give --review and --keys before --author\n");
				return 2;
			}
			if (add_author(optarg) != 0)
				return 2;
			break;
		case 'c': g.clients = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': g.messages = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': g.min_size = strtoull(optarg, NULL, 10); break;
		case 'S': g.max_size = strtoull(optarg, NULL, 10); break;
		case 'w': g.work = optarg; break;
		case 'A': g.acked_path = optarg; break;
		case 'd': g.done_file = optarg; break;
		case 't': g.think_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'D': deadline = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind != argc || g.port_file == NULL || g.reader_seed == NULL || g.n_authors == 0 ||
	    g.clients == 0 || g.clients > 1000 || g.max_size < g.min_size) {
		fprintf(stderr, "usage: plmload --port-file F --review ID --keys FILE --reader SEED "
		                "--author SEED:KIND:CHANNEL... [--clients N] [--messages M] "
		                "[--min-size B] [--max-size B] [--think MS] [--work DIR] [--acked FILE] "
		                "[--done-file F] [--deadline S]\n");
		return 2;
	}
	if (seed_identity(g.reader_seed, &g.reader) != 0)
		return 2;
	if (g.acked_path != NULL && (g.acked = fopen(g.acked_path, "a")) == NULL) {
		fprintf(stderr, "plmload: cannot create %s: %s\n", g.acked_path, strerror(errno));
		return 2;
	}
	g.deadline = time(NULL) + (time_t)deadline;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The first transport sets libcurl up before any thread runs. */
	if ((t = connect_now(g.reader)) == NULL)
		return 1;
	transport_free(t);
	if (list_all(g.reader, &listed, &sizes, &before) != 0) {
		fprintf(stderr, "plmload: cannot list the review before starting\n");
		return 1;
	}
	free(listed);
	free(sizes);
	clients = calloc(g.clients, sizeof(*clients));
	if (clients == NULL)
		return 1;
	/* The watcher starts at the first seq: it reads back everything listed. */
	if (pthread_create(&watcher, NULL, watch, &start_after) != 0)
		return 1;
	for (i = 0; i < g.clients; i++) {
		clients[i].index = i;
		clients[i].author = &g.authors[i % g.n_authors];
		clients[i].messages = calloc(g.messages ? g.messages : 1, sizeof(struct message));
		if (clients[i].messages == NULL ||
		    pthread_create(&clients[i].thread, NULL, upload_all, &clients[i]) != 0)
			return 1;
	}
	for (i = 0; i < g.clients; i++)
		pthread_join(clients[i].thread, NULL);
	g.uploads_done = 1;
	if (g.done_file != NULL) {
		FILE *f = fopen(g.done_file, "w");
		if (f != NULL)
			fclose(f);
	}
	pthread_join(watcher, NULL);
	for (i = 0; i < g.clients; i++)
		if (pthread_create(&clients[i].thread, NULL, check_all, &clients[i]) != 0)
			return 1;
	for (i = 0; i < g.clients; i++)
		pthread_join(clients[i].thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	total = (uint64_t)g.clients * g.messages;
	unacked = (unsigned)(total - g.created - g.retried_ok);
	if (unacked > 0)
		failure("%u of %" PRIu64 " messages were never acknowledged", unacked, total);
	printf("clients=%u messages=%u uploads=%" PRIu64 " acknowledged=%" PRIu64
	       " first_try=%" PRIu64 " after_retry=%" PRIu64 " failed_attempts=%" PRIu64
	       " lost=%" PRIu64 " served_verified=%" PRIu64 " served_bad=%" PRIu64 " ",
	       g.clients, g.messages, total, g.created + g.retried_ok, g.created, g.retried_ok,
	       g.attempts_failed, g.listed_lost, g.served_verified, g.served_bad);
	check_listing(before);
	printf("bytes=%" PRIu64 " seconds=%.1f failures=%u\n", g.bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       g.failed);
	for (i = 0; i < g.clients; i++)
		free(clients[i].messages);
	free(clients);
	for (i = 0; i < g.n_authors; i++) {
		plm_identity_free(g.authors[i].id);
		plm_secret_free(g.authors[i].channel_key);
	}
	plm_identity_free(g.reader);
	if (g.acked != NULL)
		fclose(g.acked);
	curl_global_cleanup();
	return g.failed == 0 ? 0 : 1;
}
