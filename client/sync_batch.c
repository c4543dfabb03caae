/*
 * sync_batch.c - fetching and parsing batches of envelopes (see
 * sync_batch.h, PROTOCOL.md §6.8, docs/API.md).
 */
#include "client/sync_batch.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/sig_ahead.h"
#include "client/transport.h"
#include "keys/codec.h"
#include "keys/record.h"

/*
 * The next batch, asked for on a connection of its own while the sync
 * checks the one in hand: the server builds it and the network carries it
 * while this core verifies (at most two requests in flight per review).
 */
struct prefetch {
	struct transport *net; /* its own connection (NULL: none, fetch inline) */
	pthread_t thread;
	int running;
	char path[PLM_RECORD_ID_MAX + 128];
	int64_t after;
	struct response resp;
	int r;
	plm_error err;
};

/* Where the thread checking signatures ahead stands on one entry. */
enum {
	AHEAD_NONE,    /* not reached */
	AHEAD_BUSY,    /* the thread is checking it */
	AHEAD_VALID,   /* its signature verified: in sigs[] */
	AHEAD_LEFT,    /* the thread could not check it (unknown author, invalid) */
	AHEAD_TAKEN,   /* the sync got there first and checks it itself */
};

/* The thread that checks a batch's signatures ahead (see sync_batch.h). */
struct checker {
	pthread_t thread;
	int running;
	atomic_int stop;
	size_t n;
	const struct batch_entry *entries;
	atomic_int *state;            /* one per entry: AHEAD_* */
	plm_envelope_signature *sigs; /* one per entry */
};

struct sync_batch {
	char review[PLM_RECORD_ID_MAX + 1];
	int64_t covers;           /* log indexes up to this one were asked for */
	struct response resp;     /* the answer; entries point into its body */
	struct batch_entry *entries;
	size_t n, cap, next;      /* NEXT: where the last lookup stopped */
	struct prefetch ahead;
	struct checker check;
};

/* The checking thread: every entry with bytes, in order, unless the sync took it. */
static void *checker_run(void *arg)
{
	struct checker *k = arg;
	int expected, done;
	size_t i;

	for (i = 0; i < k->n && !atomic_load(&k->stop); i++) {
		expected = AHEAD_NONE;
		if (!k->entries[i].has_bytes ||
		    !atomic_compare_exchange_strong(&k->state[i], &expected, AHEAD_BUSY))
			continue;
		done = sig_ahead_check(k->entries[i].bytes, (size_t)k->entries[i].size,
		                       &k->sigs[i]) == 0
		           ? AHEAD_VALID
		           : AHEAD_LEFT;
		atomic_store(&k->state[i], done);
	}
	return NULL;
}

/* Stops and joins the checking thread, if any, and forgets its results. */
static void checker_stop(struct checker *k)
{
	if (k->running) {
		atomic_store(&k->stop, 1);
		pthread_join(k->thread, NULL);
	}
	k->running = 0;
	free(k->state);
	free(k->sigs);
	k->state = NULL;
	k->sigs = NULL;
	k->n = 0;
}

/* Starts checking the N entries of the batch in hand ahead (nothing if it cannot). */
static void checker_start(struct checker *k, const struct batch_entry *entries, size_t n)
{
	size_t i;

	if (n == 0 || (k->state = malloc(n * sizeof(*k->state))) == NULL ||
	    (k->sigs = malloc(n * sizeof(*k->sigs))) == NULL) {
		checker_stop(k);
		return;
	}
	for (i = 0; i < n; i++)
		atomic_init(&k->state[i], AHEAD_NONE);
	atomic_init(&k->stop, 0);
	k->entries = entries;
	k->n = n;
	k->running = pthread_create(&k->thread, NULL, checker_run, k) == 0;
	if (!k->running)
		checker_stop(k);
}

const plm_envelope_signature *sync_batch_known(struct sync_batch *b,
                                               const struct batch_entry *entry)
{
	struct checker *k = &b->check;
	size_t i;
	int expected = AHEAD_NONE;

	if (k->n == 0 || entry < b->entries || entry >= b->entries + k->n)
		return NULL;
	i = (size_t)(entry - b->entries);
	if (atomic_compare_exchange_strong(&k->state[i], &expected, AHEAD_TAKEN))
		return NULL;
	return expected == AHEAD_VALID ? &k->sigs[i] : NULL;
}

struct sync_batch *sync_batch_new(struct state *st, const plm_identity *me)
{
	struct sync_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->covers = -1;
	/* Without a second connection the batches are simply fetched in turn. */
	if (transport_new(st, me, &b->ahead.net, NULL) != 0)
		b->ahead.net = NULL;
	return b;
}

/* Waits for the request ahead, if any. */
static void prefetch_join(struct prefetch *pf)
{
	if (pf->running)
		pthread_join(pf->thread, NULL);
	pf->running = 0;
}

void sync_batch_free(struct sync_batch *b)
{
	if (b == NULL)
		return;
	checker_stop(&b->check); /* before the bytes it reads */
	prefetch_join(&b->ahead);
	response_free(&b->ahead.resp);
	transport_free(b->ahead.net);
	response_free(&b->resp);
	free(b->entries);
	free(b);
}

static void *prefetch_run(void *arg)
{
	struct prefetch *pf = arg;

	plm_error_clear(&pf->err);
	pf->r = transport_request(pf->net, "GET", pf->path, NULL, 0, &pf->resp, &pf->err);
	return NULL;
}

/* Parses B->resp into B->entries: strictly after AFTER, below SIZE. */
static int parse(struct sync_batch *b, int64_t after, uint64_t size, plm_error *err)
{
	struct batch_entry *e, *p;
	plm_rbuf r;
	uint64_t seq;
	uint8_t more;
	int64_t last = after;
	plm_error why;

	plm_rbuf_init(&r, b->resp.body, b->resp.len, "batch", &why);
	for (;;) {
		if (plm_rbuf_u8(&r, "entry marker", &more) != 0 || more > 1)
			break;
		if (more == 0) {
			if (plm_rbuf_end(&r) != 0)
				break;
			return 0;
		}
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 64;
			if ((p = realloc(b->entries, b->cap * sizeof(*p))) == NULL)
				return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
			b->entries = p;
		}
		e = &b->entries[b->n];
		memset(e, 0, sizeof(*e));
		if (plm_rbuf_u64(&r, "seq", &seq) != 0 ||
		    plm_rbuf_fixed(&r, "id", e->id, sizeof(e->id)) != 0 ||
		    plm_merkle_proof_get(&r, "proof", &e->proof) != 0 ||
		    plm_rbuf_bool(&r, "inline", &e->has_bytes) != 0 ||
		    plm_rbuf_u64(&r, "size", &e->size) != 0)
			break;
		if (seq > (uint64_t)INT64_MAX || (int64_t)seq <= last || seq >= size) {
			plm_rbuf_fail(&r, PLM_ERR_FORMAT, "seq",
			              "entries out of log order or outside what was asked");
			break;
		}
		e->seq = last = (int64_t)seq;
		if (e->has_bytes &&
		    (e->size > plm_rbuf_left(&r) ||
		     plm_rbuf_view(&r, "bytes", (size_t)e->size, &e->bytes) != 0))
			break;
		b->n++;
	}
	return plm_error_set(err, PLM_ERR_FORMAT,
	                     "the server's batch of envelopes of review %s is malformed "
	                     "(%s); nothing of it was accepted",
	                     b->review, why.code != 0 ? why.message : "truncated");
}

/* The request for the envelopes of REVIEW after AFTER, at tree SIZE. */
static void batch_path(char *path, size_t cap, const char *review, int64_t after,
                       uint64_t size)
{
	if (after < 0)
		snprintf(path, cap, "/v1/reviews/%s/bodies?size=%" PRIu64 "&limit=%d", review,
		         size, SYNC_BATCH_LIMIT);
	else
		snprintf(path, cap,
		         "/v1/reviews/%s/bodies?after=%" PRId64 "&size=%" PRIu64 "&limit=%d",
		         review, after, size, SYNC_BATCH_LIMIT);
}

/* Asks for the envelopes of REVIEW after AFTER, at HEAD's size. */
static int fetch(struct sync_batch *b, struct transport *net, const char *review,
                 int64_t after, int64_t seq, const plm_tree_head *head, plm_error *err)
{
	struct prefetch *pf = &b->ahead;
	char path[PLM_RECORD_ID_MAX + 128];
	int r, was_ahead;

	checker_stop(&b->check); /* before the bytes it reads */
	response_free(&b->resp);
	memset(&b->resp, 0, sizeof(b->resp));
	b->n = b->next = 0;
	snprintf(b->review, sizeof(b->review), "%s", review);
	batch_path(path, sizeof(path), review, after, head->tree_size);
	/* The answer asked for ahead, if it is this one. */
	was_ahead = pf->running && strcmp(pf->path, path) == 0;
	prefetch_join(pf);
	if (was_ahead) {
		b->resp = pf->resp;
		memset(&pf->resp, 0, sizeof(pf->resp));
		if ((r = pf->r) != 0)
			*err = pf->err;
	} else {
		response_free(&pf->resp);
		memset(&pf->resp, 0, sizeof(pf->resp));
		r = transport_request(net, "GET", path, NULL, 0, &b->resp, err);
	}
	if (r != 0 || (r = transport_check(&b->resp, "send a batch of envelopes", err)) != 0 ||
	    (r = parse(b, after, head->tree_size, err)) != 0) {
		b->n = 0;
		b->covers = -1;
		return r;
	}
	/* What was asked for up to SEQ at least: never asked again for it. */
	b->covers = b->n > 0 && b->entries[b->n - 1].seq > seq ? b->entries[b->n - 1].seq : seq;
	/* The next answer is asked for now, while this one is checked. */
	if (pf->net != NULL && b->n > 0) {
		batch_path(pf->path, sizeof(pf->path), review, b->entries[b->n - 1].seq,
		           head->tree_size);
		memset(&pf->resp, 0, sizeof(pf->resp));
		pf->running = pthread_create(&pf->thread, NULL, prefetch_run, pf) == 0;
	}
	/* And this one's signatures on the second core, ahead of the sync. */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		checker_start(&b->check, b->entries, b->n);
	return 0;
}

int sync_batch_covers(const struct sync_batch *b, int64_t seq)
{
	return b->covers >= 0 && seq <= b->covers;
}

int sync_batch_find(struct sync_batch *b, struct transport *net, const char *review,
                    int64_t after, int64_t seq, const unsigned char id[32],
                    const plm_tree_head *head, const struct batch_entry **entry,
                    plm_error *err)
{
	size_t i, k;
	int r;

	*entry = NULL;
	if (!sync_batch_covers(b, seq) &&
	    (r = fetch(b, net, review, after, seq, head, err)) != 0)
		return r;
	/* Entries are in log order, and so are the lookups: start where the last stopped. */
	for (k = 0; k < b->n; k++) {
		i = (b->next + k) % b->n;
		if (memcmp(b->entries[i].id, id, sizeof(b->entries[i].id)) == 0) {
			b->next = i + 1 < b->n ? i + 1 : 0;
			*entry = &b->entries[i];
			return 0;
		}
	}
	return 0;
}
