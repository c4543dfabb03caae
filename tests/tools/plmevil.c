/*
 * plmevil.c - the malicious relay of the adversarial tests (tests/t50*.sh,
 * docs/SECURITY.md): an HTTP proxy in front of a real palermod that
 * forwards every request and tampers with the answers, case by case, plus
 * the two key helpers a test needs to play a member who cheats.
 *
 *   plmevil proxy --backend PORT --ready-file FILE --mode-file FILE
 *                 [--routes FILE] [--log FILE]
 *       listens on a loopback port (written to --ready-file) and forwards
 *       every request, byte for byte and with its Host header, to
 *       127.0.0.1:PORT, so that the daemon verifies the member's request
 *       signature as if the member had sent it directly. The first line of
 *       --mode-file, read again for every request, says what to do to the
 *       answer (see apply_mode). --routes holds lines "KEYID PORT": the
 *       requests signed by KEYID (the fingerprint in Signature-Input) go to
 *       that other daemon instead, which is how one server shows two
 *       members two histories. --log gets one line per request and the
 *       answer to each replayed request. Modes: honest, flip-envelope,
 *       swap-key USER, add-member FPR USER STATE ROLE, replay-record ID SEQ,
 *       replay-envelope ID SEQ, swap-envelopes ID ID, hide ID..., drop-upload,
 *       replay-head, forge-head LOGSEED, replay-requests, capture DIR; on
 *       batches of envelopes (GET .../bodies, PROTOCOL.md §6.8) flip-envelope
 *       too, and batch-swap, batch-drop ID, batch-foreign ID, batch-proof ID,
 *       stall-batch SEQ (a batch asked after SEQ or later: no answer for 20 s,
 *       then 503, for a test to kill the client meanwhile).
 *   plmevil export-seed --keystore FILE --out FILE
 *       the 32-byte seed of a palermo keystore (passphrase from
 *       PALERMO_PASSPHRASE_FILE), for plmtest to sign as that member.
 *   plmevil channel-key --seed FILE --record FILE --channel NAME
 *       opens the channel key sealed to the seed's identity in an epoch-keys
 *       record and prints the line "REVIEW EPOCH CHANNEL HEX" of a plmtest
 *       keys file.
 *
 * WARNING: a test tool that handles secrets in the clear and serves lies on
 * purpose. It is never installed and nothing in a deployment may use it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/keystore.h"
#include "keys/record.h"
#include "keys/treehead.h"

#define BODY_MAX (64u * 1024 * 1024)
#define MODE_MAX 512

/* Prints "plmevil: MESSAGE" on standard error; returns 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("plmevil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* The whole of the small file PATH into *OUT (malloc'd, caller frees). */
static int slurp(const char *path, unsigned char **out, size_t *len)
{
	struct stat sb;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size > (off_t)BODY_MAX) {
		if (fd >= 0)
			close(fd);
		return fail("cannot read %s", path);
	}
	*out = malloc((size_t)sb.st_size + 1);
	got = *out != NULL ? read(fd, *out, (size_t)sb.st_size) : -1;
	close(fd);
	if (got != (ssize_t)sb.st_size) {
		free(*out);
		*out = NULL;
		return fail("cannot read %s", path);
	}
	*len = (size_t)got;
	return 0;
}

/* The identity of a 32-byte seed file (the daemon's log.seed, plmtest's). */
static int seed_identity(const char *path, plm_identity **out)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	plm_error err;
	int r;

	if (slurp(path, &bytes, &len) != 0)
		return 1;
	r = len == PLM_SEED_BYTES ? plm_identity_from_seed(out, bytes, &err) : -1;
	sodium_memzero(bytes, len);
	free(bytes);
	if (r != 0)
		return fail("%s is not a seed file", path);
	return 0;
}

/* ---- the proxy ---------------------------------------------------------- */

struct proxy {
	long backend;
	const char *mode_file, *routes_file, *log_file;
	pthread_mutex_t lock;
	json_t *seen_envelopes; /* every envelope listing item served: id -> item */
	json_t *seen_records;   /* every record listing item served: id -> item */
	json_t *first_head;     /* the first /v1/log/head answer served */
};

/* One request being received. */
struct exchange {
	char *uri; /* the request-target exactly as received (signed) */
	unsigned char *body;
	size_t len, cap;
	int started, too_large;
};

/* An answer from the daemon. */
struct answer {
	long status;
	unsigned char *body;
	size_t len;
	struct curl_slist *headers; /* "Name: value" lines to pass on */
};

static void plog(struct proxy *p, const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	if (p->log_file == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if ((f = fopen(p->log_file, "a")) != NULL) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fputc('\n', f);
		fclose(f);
	}
	pthread_mutex_unlock(&p->lock);
}

/* The first line of FILE into BUF ("" when there is none). */
static void first_line(const char *file, char *buf, size_t cap)
{
	FILE *f = file != NULL ? fopen(file, "r") : NULL;

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)cap, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	fclose(f);
}

/* The keyid of a Signature-Input header, into KEYID (64 hex digits). */
static void signer_of(struct MHD_Connection *conn, char keyid[65])
{
	const char *in =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Signature-Input");
	const char *k = in != NULL ? strstr(in, "keyid=\"") : NULL;

	keyid[0] = '\0';
	if (k != NULL && strlen(k + 7) >= 64) {
		memcpy(keyid, k + 7, 64);
		keyid[64] = '\0';
	}
}

/* The daemon that serves KEYID: a line of the routes file, else the backend. */
static long route(const struct proxy *p, const char *keyid)
{
	char line[256], id[129];
	long port, chosen = p->backend;
	FILE *f;

	if (p->routes_file == NULL || keyid[0] == '\0' ||
	    (f = fopen(p->routes_file, "r")) == NULL)
		return chosen;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%128s %ld", id, &port) == 2 && strcmp(id, keyid) == 0)
			chosen = port;
	fclose(f);
	return chosen;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct answer *a = ctx;
	unsigned char *p = realloc(a->body, a->len + size * n + 1);

	if (p == NULL)
		return 0;
	a->body = p;
	memcpy(a->body + a->len, data, size * n);
	a->len += size * n;
	return size * n;
}

/* Keeps the answer headers a client may need; the rest MHD sets itself. */
static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	static const char *const keep[] = {
	    "Content-Type:",  "Content-Range:", "Accept-Ranges:",
	    "Upload-Offset:", "Retry-After:",   "Cache-Control:"};
	struct answer *a = ctx;
	char line[1024];
	size_t len = size * n, i;

	if (len >= sizeof(line))
		return len;
	memcpy(line, data, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strncasecmp(line, keep[i], strlen(keep[i])) == 0)
			a->headers = curl_slist_append(a->headers, line);
	return len;
}

struct header_copy {
	struct curl_slist *list;
};

static enum MHD_Result copy_header(void *ctx, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct header_copy *hc = ctx;
	char line[4096];

	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0 || strcasecmp(key, "Expect") == 0 ||
	    strcasecmp(key, "Connection") == 0 ||
	    strcasecmp(key, "Transfer-Encoding") == 0)
		return MHD_YES;
	snprintf(line, sizeof(line), "%s: %s", key, value);
	hc->list = curl_slist_append(hc->list, line);
	return MHD_YES;
}

/* Sends the request as received to the daemon on PORT; fills A. */
static int forward(struct MHD_Connection *conn, const char *method,
                   const struct exchange *x, long port, struct answer *a)
{
	struct header_copy hc = {NULL};
	char url[8192];
	CURL *curl = curl_easy_init();
	CURLcode rc;

	memset(a, 0, sizeof(*a));
	if (curl == NULL)
		return -1;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_header, &hc);
	hc.list = curl_slist_append(hc.list, "Expect:");
	snprintf(url, sizeof(url), "http://127.0.0.1:%ld%s", port, x->uri);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hc.list);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
		                 x->body != NULL ? (char *)x->body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->len);
	}
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(hc.list);
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
}

static void answer_free(struct answer *a)
{
	free(a->body);
	curl_slist_free_all(a->headers);
	memset(a, 0, sizeof(*a));
}

/* Replaces A's body by the JSON document DOC (stolen). */
static void set_json(struct answer *a, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(doc);
	if (text == NULL)
		return;
	free(a->body);
	a->body = (unsigned char *)text;
	a->len = strlen(text);
}

static json_t *parse_answer(const struct answer *a)
{
	return a->status == 200 && a->body != NULL
	           ? json_loadb((const char *)a->body, a->len, 0, NULL)
	           : NULL;
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Remembers every item of a listing under its id, to replay it later. */
static void remember(struct proxy *p, json_t *seen, json_t *list)
{
	json_t *item;
	size_t i;

	pthread_mutex_lock(&p->lock);
	json_array_foreach(list, i, item)
	{
		const char *id = json_string_value(json_object_get(item, "id"));
		if (id != NULL)
			json_object_set(seen, id, item);
	}
	pthread_mutex_unlock(&p->lock);
}

static int by_seq(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "seq"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "seq"));

	return x < y ? -1 : x > y;
}

/* Puts LIST back in seq order (the client refuses a listing out of order). */
static void sort_list(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **items = calloc(n + 1, sizeof(*items));

	if (items == NULL)
		return;
	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(list, i));
	qsort(items, n, sizeof(*items), by_seq);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, items[i]);
	free(items);
}

/* The listing item of ID in LIST, or NULL. */
static json_t *item_of(json_t *list, const char *id)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
	{
		const char *s = json_string_value(json_object_get(item, "id"));
		if (s != NULL && starts(s, id))
			return item;
	}
	return NULL;
}

/*
 * Adds a copy of the remembered item ID of SEEN to LIST at SEQ, if that
 * place is after the listing's cursor (the client asked with after=N).
 */
static void replay_item(struct proxy *p, json_t *seen, json_t *list, const char *id,
                        json_int_t seq)
{
	const char *key;
	json_t *item, *copy = NULL;

	pthread_mutex_lock(&p->lock);
	json_object_foreach(seen, key, item) if (starts(key, id) && copy == NULL) copy =
	    json_deep_copy(item);
	pthread_mutex_unlock(&p->lock);
	if (copy == NULL)
		return;
	json_object_set_new(copy, "seq", json_integer(seq));
	json_array_append_new(list, copy);
	sort_list(list);
}

/* Decodes the base64 "record" of ITEM. */
static plm_record *item_record(json_t *item)
{
	const char *b64 = json_string_value(json_object_get(item, "record"));
	unsigned char *bytes = NULL;
	plm_record *rec = NULL;
	size_t len = 0;

	if (b64 != NULL &&
	    plm_base64_decode(&bytes, &len, b64, PLM_RECORD_MAX_BYTES, NULL) == 0)
		plm_record_decode(bytes, len, &rec, NULL);
	free(bytes);
	return rec;
}

/*
 * Re-encodes REC as it now is in memory, with its old signature, into ITEM:
 * the bytes and the id of the new bytes, so that only the signature can
 * tell (as a server that rewrites a record would do).
 */
static void item_rewrite(json_t *item, const plm_record *rec)
{
	unsigned char *bytes = NULL, id[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1], *b64 = NULL;
	plm_record *again = NULL;
	size_t len = 0;

	if (plm_record_encode(rec, &bytes, &len, NULL) != 0 ||
	    plm_record_decode(bytes, len, &again, NULL) != 0 ||
	    plm_base64_encode(&b64, bytes, len, NULL) != 0)
		goto out;
	memcpy(id, again->id, PLM_HASH_BYTES);
	plm_hex(hex, id, PLM_HASH_BYTES);
	json_object_set_new(item, "record", json_string(b64));
	json_object_set_new(item, "id", json_string(hex));
out:
	plm_record_free(again);
	free(bytes);
	free(b64);
}

/* swap-key USER: the certificate of USER served with other public keys. */
static void swap_key(json_t *list, const char *user)
{
	plm_identity *other = NULL;
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
	{
		plm_record *rec = item_record(item);
		if (rec != NULL && rec->type == PLM_RECORD_CERTIFICATE &&
		    strcmp(rec->body.certificate.user_id, user) == 0 &&
		    plm_identity_generate(&other, NULL) == 0) {
			rec->body.certificate.keys = other->pub;
			item_rewrite(item, rec);
			plm_identity_free(other);
			other = NULL;
		}
		plm_record_free(rec);
	}
}

/* add-member FPR USER STATE ROLE: one more member in every roster served. */
static void add_member(json_t *list, const char *args)
{
	char fpr_hex[65], user[65], state[PLM_RECORD_STATE_MAX + 1], role[33];
	unsigned char fpr[PLM_FPR_BYTES];
	plm_roster_member *old;
	json_t *item;
	size_t i, n, bin = 0;

	if (sscanf(args, "%64s %64s %8s %32s", fpr_hex, user, state, role) != 4 ||
	    sodium_hex2bin(fpr, sizeof(fpr), fpr_hex, 64, NULL, &bin, NULL) != 0)
		return;
	json_array_foreach(list, i, item)
	{
		plm_record *rec = item_record(item);
		plm_roster *ro = rec != NULL && rec->type == PLM_RECORD_ROSTER
		                     ? &rec->body.roster
		                     : NULL;
		if (ro != NULL) {
			old = ro->members;
			n = ro->n_members;
			ro->members = NULL;
			if (plm_roster_members_alloc(ro, n + 1, NULL) == 0) {
				memcpy(ro->members, old, n * sizeof(*old));
				memcpy(ro->members[n].fingerprint, fpr, PLM_FPR_BYTES);
				snprintf(ro->members[n].user_id,
				         sizeof(ro->members[n].user_id), "%s", user);
				snprintf(ro->members[n].state,
				         sizeof(ro->members[n].state), "%s", state);
				snprintf(ro->members[n].role,
				         sizeof(ro->members[n].role), "%s", role);
				plm_roster_sort(ro);
				item_rewrite(item, rec);
			}
			free(old);
		}
		plm_record_free(rec);
	}
}

/* forge-head LOGSEED: the head of the log with another root, signed by its key. */
static void forge_head(struct answer *a, const char *seed_path)
{
	json_t *doc = parse_answer(a);
	const char *b64 = json_string_value(json_object_get(doc, "head"));
	unsigned char *bytes = NULL, enc[PLM_TREE_HEAD_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1], *text = NULL;
	plm_identity *log = NULL;
	plm_tree_head head;
	size_t len = 0;

	if (b64 == NULL || plm_base64_decode(&bytes, &len, b64, 1024, NULL) != 0 ||
	    plm_tree_head_decode(&head, bytes, len, NULL) != 0 ||
	    seed_identity(seed_path, &log) != 0)
		goto out;
	head.root_hash[0] ^= 0xff; /* a history that never was */
	if (plm_tree_head_sign(&head, log, NULL) != 0)
		goto out;
	plm_tree_head_encode(enc, &head);
	plm_hex(hex, head.root_hash, PLM_HASH_BYTES);
	if (plm_base64_encode(&text, enc, sizeof(enc), NULL) != 0)
		goto out;
	json_object_set_new(doc, "head", json_string(text));
	json_object_set_new(doc, "root_hash", json_string(hex));
	set_json(a, doc);
	doc = NULL;
out:
	json_decref(doc);
	plm_identity_free(log);
	free(bytes);
	free(text);
}

/*
 * drop-upload: the upload is never forwarded, yet answered 201 with the
 * envelope's id (its trailer's digest, PROTOCOL.md §7.3) and the place the
 * log would have given it, as a server that loses what it acknowledged.
 */
static void drop_upload(struct proxy *p, const struct exchange *x, struct answer *a)
{
	char hex[2 * PLM_HASH_BYTES + 1], url[64];
	struct answer health;
	json_t *doc;
	json_int_t seq = 0;
	CURL *curl;

	memset(&health, 0, sizeof(health));
	if (x->len < PLM_HASH_BYTES + PLM_SIG_BYTES ||
	    (curl = curl_easy_init()) == NULL)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%ld/v1/health", p->backend);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &health);
	if (curl_easy_perform(curl) == CURLE_OK && health.body != NULL) {
		doc = json_loadb((const char *)health.body, health.len, 0, NULL);
		seq = json_integer_value(json_object_get(doc, "log_size"));
		json_decref(doc);
	}
	curl_easy_cleanup(curl);
	answer_free(&health);
	plm_hex(hex, x->body + x->len - PLM_HASH_BYTES - PLM_SIG_BYTES, PLM_HASH_BYTES);
	answer_free(a);
	a->status = 201;
	a->headers = curl_slist_append(NULL, "Content-Type: application/json");
	set_json(a, json_pack("{s:s, s:I, s:I}", "id", hex, "seq", seq, "size",
	                      (json_int_t)x->len));
}

/* One entry of a batch answer (PROTOCOL.md §6.8), as offsets into it. */
struct bentry {
	size_t start, end;        /* the whole entry */
	size_t id, proof, bytes;  /* offsets of the id, proof hashes, bytes */
	unsigned hashes;
	uint64_t size;
	int has_bytes;
};

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Splits batch answer A into at most MAX entries; -1 if it does not parse. */
static int split_batch(const struct answer *a, struct bentry *e, size_t max, size_t *n)
{
	size_t off = 0;

	*n = 0;
	while (off < a->len && a->body[off] == 1 && *n < max) {
		struct bentry *x = &e[*n];
		x->start = off;
		off += 1 + 8;
		x->id = off;
		off += 32;
		if (off >= a->len)
			return -1;
		x->hashes = a->body[off];
		x->proof = off + 1;
		off += 1 + 32 * (size_t)x->hashes;
		if (off + 9 > a->len)
			return -1;
		x->has_bytes = a->body[off];
		x->size = get_u64(a->body + off + 1);
		off += 9;
		x->bytes = off;
		if (x->has_bytes)
			off += (size_t)x->size;
		if (off > a->len)
			return -1;
		x->end = off;
		(*n)++;
	}
	return off < a->len && a->body[off] == 0 ? 0 : -1;
}

/* The entry of E (N) whose id is the hex ID, or NULL. */
static struct bentry *bentry_of(const struct answer *a, struct bentry *e, size_t n,
                                const char *id)
{
	char hex[65];
	size_t i;

	for (i = 0; i < n; i++) {
		sodium_bin2hex(hex, sizeof(hex), a->body + e[i].id, 32);
		if (strcmp(hex, id) == 0)
			return &e[i];
	}
	return NULL;
}

/*
 * The batch modes on answer A: flip-envelope alters a byte of every
 * envelope, batch-swap puts the first two entries in each other's place,
 * batch-drop leaves ID out, batch-foreign serves another entry's bytes as
 * ID's, batch-proof alters ID's proof.
 */
static void tamper_batch(struct answer *a, const char *mode, const char *args)
{
	struct bentry e[1024], *x, *y;
	unsigned char *out;
	size_t n, i, len = 0;
	char id[65] = "";

	if (split_batch(a, e, 1024, &n) != 0 || n == 0)
		return;
	sscanf(args, "%64s", id);
	x = bentry_of(a, e, n, id);
	if (starts(mode, "flip-envelope")) {
		for (i = 0; i < n; i++)
			if (e[i].has_bytes && e[i].size > 0)
				a->body[e[i].bytes + e[i].size / 2] ^= 0x01;
		return;
	}
	if (starts(mode, "batch-proof ")) {
		if (x != NULL && x->hashes > 0)
			a->body[x->proof] ^= 0x01;
		return;
	}
	if ((out = malloc(a->len * 2 + 1)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		y = &e[i];
		if (starts(mode, "batch-swap") && n >= 2 && i < 2)
			y = &e[1 - i];
		if (starts(mode, "batch-drop ") && y == x)
			continue;
		if (starts(mode, "batch-foreign ") && y == x && n >= 2) {
			/* ID's place, proof and header; the bytes of its neighbour. */
			const struct bentry *o = &e[i + 1 < n ? i + 1 : i - 1];
			memcpy(out + len, a->body + y->start, y->bytes - 9 - y->start);
			len += y->bytes - 9 - y->start;
			out[len++] = 1;
			memcpy(out + len, a->body + o->bytes - 8, 8 + (size_t)o->size);
			len += 8 + (size_t)o->size;
			continue;
		}
		memcpy(out + len, a->body + y->start, y->end - y->start);
		len += y->end - y->start;
	}
	out[len++] = 0;
	free(a->body);
	a->body = out;
	a->len = len;
}

/*
 * What the mode of the moment does to the answer A of METHOD on X->uri.
 * Every listing item seen is remembered first, for the replay modes.
 */
static void apply_mode(struct proxy *p, const char *method, const struct exchange *x,
                       struct answer *a, const char *mode)
{
	const char *args = strchr(mode, ' ') ? strchr(mode, ' ') + 1 : "";
	const char *uri = x->uri;
	int records = starts(uri, "/v1/reviews/") && strstr(uri, "/records") != NULL;
	int envelopes =
	    starts(uri, "/v1/reviews/") && strstr(uri, "/envelopes") != NULL;
	int certs = starts(uri, "/v1/certificates") && strcmp(method, "GET") == 0;
	json_t *doc, *list;
	char id[65];
	json_int_t seq;

	if (strcmp(method, "GET") != 0 || a->status != 200)
		return;
	if (starts(uri, "/v1/log/head")) {
		pthread_mutex_lock(&p->lock);
		if (p->first_head == NULL)
			p->first_head =
			    json_loadb((const char *)a->body, a->len, 0, NULL);
		doc =
		    starts(mode, "replay-head") ? json_deep_copy(p->first_head) : NULL;
		pthread_mutex_unlock(&p->lock);
		if (doc != NULL)
			set_json(a, doc);
		else if (starts(mode, "forge-head "))
			forge_head(a, args);
		return;
	}
	if (starts(uri, "/v1/envelopes/") && starts(mode, "flip-envelope") &&
	    a->len > 0) {
		a->body[a->len / 2] ^= 0x01;
		return;
	}
	if (starts(uri, "/v1/reviews/") && strstr(uri, "/bodies") != NULL) {
		tamper_batch(a, mode, args);
		return;
	}
	if (!records && !envelopes && !certs)
		return;
	if ((doc = parse_answer(a)) == NULL)
		return;
	list = json_object_get(doc, envelopes ? "envelopes" : "records");
	if (!json_is_array(list)) {
		json_decref(doc);
		return;
	}
	remember(p, envelopes ? p->seen_envelopes : p->seen_records, list);
	if (certs && starts(mode, "swap-key "))
		swap_key(list, args);
	else if (records && starts(mode, "add-member "))
		add_member(list, args);
	else if ((records && starts(mode, "replay-record ")) ||
	         (envelopes && starts(mode, "replay-envelope ")))
		if (sscanf(args, "%64s %lld", id, &seq) == 2)
			replay_item(p, envelopes ? p->seen_envelopes : p->seen_records,
			            list, id, seq);
	if (envelopes && starts(mode, "swap-envelopes ")) {
		char id2[65];
		json_t *e1, *e2, *s1;
		if (sscanf(args, "%64s %64s", id, id2) == 2 &&
		    (e1 = item_of(list, id)) != NULL &&
		    (e2 = item_of(list, id2)) != NULL) {
			s1 = json_incref(json_object_get(e1, "seq"));
			json_object_set(e1, "seq", json_object_get(e2, "seq"));
			json_object_set_new(e2, "seq", s1);
			sort_list(list);
		}
	}
	if ((envelopes || records) && starts(mode, "hide ")) {
		const char *rest = args;
		json_t *e;
		size_t i;
		json_t *it;
		while (sscanf(rest, "%64s", id) == 1) {
			e = item_of(list, id);
			json_array_foreach(list, i, it) if (it == e)
			{
				json_array_remove(list, i);
				break;
			}
			rest = strchr(rest, ' ') ? strchr(rest, ' ') + 1 : "";
		}
	}
	/* A careful liar keeps the page's cursor consistent with its items. */
	if (json_is_integer(json_object_get(doc, "next"))) {
		if (json_array_size(list) == 0)
			json_object_del(doc, "next");
		else
			json_object_set(
			    doc, "next",
			    json_object_get(
			        json_array_get(list, json_array_size(list) - 1),
			        "seq"));
	}
	set_json(a, doc);
}

static enum MHD_Result reply(struct MHD_Connection *conn, struct answer *a)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    a->len, a->body != NULL ? a->body : (void *)"", MHD_RESPMEM_MUST_COPY);
	struct curl_slist *h;
	enum MHD_Result ret;
	char name[128];
	const char *colon;

	if (resp == NULL)
		return MHD_NO;
	for (h = a->headers; h != NULL; h = h->next)
		if ((colon = strchr(h->data, ':')) != NULL &&
		    (size_t)(colon - h->data) < sizeof(name)) {
			memcpy(name, h->data, (size_t)(colon - h->data));
			name[colon - h->data] = '\0';
			MHD_add_response_header(resp, name,
			                        colon + 1 + strspn(colon + 1, " "));
		}
	ret = MHD_queue_response(conn, (unsigned)(a->status ? a->status : 502), resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * capture DIR: keeps the request in DIR (method, target, headers as curl's
 * -H @FILE reads them, body), for a test to replay it later as it is.
 */
static void capture(struct MHD_Connection *conn, const char *method,
                    const struct exchange *x, const char *dir)
{
	struct header_copy hc = {NULL};
	struct curl_slist *h;
	char path[4096];
	FILE *f;

	MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_header, &hc);
	snprintf(path, sizeof(path), "%s/request", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "%s %s\n", method, x->uri);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/headers", dir);
	if ((f = fopen(path, "w")) != NULL) {
		for (h = hc.list; h != NULL; h = h->next)
			fprintf(f, "%s\n", h->data);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/body", dir);
	if ((f = fopen(path, "wb")) != NULL) {
		if (x->len > 0)
			fwrite(x->body, 1, x->len, f);
		fclose(f);
	}
	curl_slist_free_all(hc.list);
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct exchange *x = calloc(1, sizeof(*x));

	(void)cls;
	(void)conn;
	if (x != NULL)
		x->uri = strdup(uri);
	return x;
}

static void completed(void *cls, struct MHD_Connection *conn, void **ctx,
                      enum MHD_RequestTerminationCode code)
{
	struct exchange *x = *ctx;

	(void)cls;
	(void)conn;
	(void)code;
	if (x != NULL) {
		free(x->uri);
		free(x->body);
		free(x);
	}
	*ctx = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **ctx)
{
	struct proxy *p = cls;
	struct exchange *x = *ctx;
	struct answer a, again;
	char mode[MODE_MAX], keyid[65];
	long port;
	enum MHD_Result ret;

	(void)url;
	(void)version;
	if (x == NULL || x->uri == NULL)
		return MHD_NO;
	if (!x->started) { /* the headers only: the body (if any) follows */
		x->started = 1;
		return MHD_YES;
	}
	if (*size > 0) {
		if (x->len + *size > BODY_MAX)
			x->too_large = 1;
		else {
			if (x->len + *size > x->cap) {
				size_t cap = (x->len + *size) * 2;
				unsigned char *b = realloc(x->body, cap);
				if (b == NULL)
					return MHD_NO;
				x->body = b;
				x->cap = cap;
			}
			memcpy(x->body + x->len, data, *size);
			x->len += *size;
		}
		*size = 0;
		return MHD_YES;
	}
	if (x->too_large)
		return MHD_NO;
	first_line(p->mode_file, mode, sizeof(mode));
	signer_of(conn, keyid);
	port = route(p, keyid);
	memset(&a, 0, sizeof(a));
	if (strcmp(method, "PUT") == 0 && starts(mode, "drop-upload")) {
		drop_upload(p, x, &a);
		plog(p, "DROPPED %s %s", method, x->uri);
		ret = reply(conn, &a);
		answer_free(&a);
		return ret;
	}
	if (strcmp(method, "PUT") == 0 && starts(mode, "capture "))
		capture(conn, method, x, mode + strlen("capture "));
	if (strcmp(method, "GET") == 0 && starts(mode, "stall-batch ") &&
	    starts(x->uri, "/v1/reviews/") && strstr(x->uri, "/bodies") != NULL &&
	    strstr(x->uri, "after=") != NULL &&
	    strtoll(strstr(x->uri, "after=") + 6, NULL, 10) >=
	        strtoll(mode + strlen("stall-batch "), NULL, 10)) {
		plog(p, "STALLED %s %s", method, x->uri);
		sleep(20);
		a.status = 503;
		ret = reply(conn, &a);
		answer_free(&a);
		return ret;
	}
	if (forward(conn, method, x, port, &a) != 0)
		a.status = 502;
	plog(p, "%s %s -> %ld (port %ld)", method, x->uri, a.status, port);
	if (starts(mode, "replay-requests") && a.status != 502) {
		/* The same signed request again, as a network attacker would. */
		if (forward(conn, method, x, port, &again) == 0) {
			json_t *doc =
			    json_loadb((const char *)again.body, again.len, 0, NULL);
			const char *type =
			    json_string_value(json_object_get(doc, "type"));
			const char *detail =
			    json_string_value(json_object_get(doc, "detail"));
			plog(p, "REPLAY %s %s -> %ld %s: %s", method, x->uri,
			     again.status, type != NULL ? type : "",
			     detail != NULL ? detail : "");
			json_decref(doc);
		}
		answer_free(&again);
	}
	apply_mode(p, method, x, &a, mode);
	ret = reply(conn, &a);
	answer_free(&a);
	return ret;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_proxy(long backend, const char *ready, const char *mode_file,
                     const char *routes, const char *log_file)
{
	struct proxy p;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char port_text[16];
	FILE *f;

	memset(&p, 0, sizeof(p));
	p.backend = backend;
	p.mode_file = mode_file;
	p.routes_file = routes;
	p.log_file = log_file;
	pthread_mutex_init(&p.lock, NULL);
	p.seen_envelopes = json_object();
	p.seen_records = json_object();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	        MHD_USE_POLL,
	    0, NULL, NULL, handle, &p, MHD_OPTION_URI_LOG_CALLBACK, uri_logger, &p,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, &p, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&(struct sockaddr_in){
	        .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
	    MHD_OPTION_END);
	if (d == NULL ||
	    (info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)) == NULL)
		return fail("cannot listen on a loopback port");
	snprintf(port_text, sizeof(port_text), "%u\n", (unsigned)info->port);
	if ((f = fopen(ready, "w")) == NULL || fputs(port_text, f) < 0 ||
	    fclose(f) != 0)
		return fail("cannot write %s", ready);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	json_decref(p.seen_envelopes);
	json_decref(p.seen_records);
	json_decref(p.first_head);
	curl_global_cleanup();
	return 0;
}

/* ---- key helpers ---------------------------------------------------------- */

static int cmd_export_seed(const char *keystore, const char *out)
{
	const char *pass_file = getenv("PALERMO_PASSPHRASE_FILE");
	unsigned char *pass = NULL;
	plm_identity *id = NULL;
	size_t len = 0;
	plm_error err;
	int fd, r = 1;

	if (pass_file == NULL || slurp(pass_file, &pass, &len) != 0)
		return fail("set PALERMO_PASSPHRASE_FILE");
	while (len > 0 && (pass[len - 1] == '\n' || pass[len - 1] == '\r'))
		len--;
	if (plm_keystore_open(keystore, pass, len, &id, &err) != 0)
		r = fail("%s: %s", keystore, err.message);
	else if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	         write(fd, id->seed, PLM_SEED_BYTES) != PLM_SEED_BYTES ||
	         close(fd) != 0)
		r = fail("cannot write %s", out);
	else
		r = 0;
	sodium_memzero(pass, len);
	free(pass);
	plm_identity_free(id);
	return r;
}

static int cmd_channel_key(const char *seed, const char *record_path,
                           const char *channel)
{
	unsigned char *bytes = NULL, *key = NULL;
	char hex[2 * PLM_KEY_BYTES + 1];
	plm_identity *id = NULL;
	plm_record *rec = NULL;
	size_t len = 0;
	plm_error err;
	int r = 1;

	if (seed_identity(seed, &id) != 0 || slurp(record_path, &bytes, &len) != 0)
		goto out;
	if (plm_record_decode(bytes, len, &rec, &err) != 0 ||
	    plm_epoch_keys_open(rec, channel, id, &key, &err) != 0) {
		r = fail("%s: %s", record_path, err.message);
		goto out;
	}
	plm_hex(hex, key, PLM_KEY_BYTES);
	printf("%s %" PRIu64 " %s %s\n", rec->body.epoch_keys.review_id,
	       rec->body.epoch_keys.epoch, channel, hex);
	sodium_memzero(hex, sizeof(hex));
	r = 0;
out:
	plm_secret_free(key);
	plm_record_free(rec);
	plm_identity_free(id);
	free(bytes);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"backend", required_argument, NULL, 'b'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"mode-file", required_argument, NULL, 'm'},
	    {"routes", required_argument, NULL, 'R'},
	    {"log", required_argument, NULL, 'l'},
	    {"keystore", required_argument, NULL, 'k'},
	    {"out", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"record", required_argument, NULL, 'c'},
	    {"channel", required_argument, NULL, 'C'},
	    {NULL, 0, NULL, 0}};
	const char *backend = NULL, *ready = NULL, *mode = NULL, *routes = NULL,
	           *log_file = NULL, *keystore = NULL, *out = NULL, *seed = NULL,
	           *record = NULL, *channel = NULL;
	const char *cmd = argc > 1 ? argv[1] : "";
	int c;

	if (sodium_init() < 0)
		return fail("libsodium did not start");
	optind = 2;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'R':
			routes = optarg;
			break;
		case 'l':
			log_file = optarg;
			break;
		case 'k':
			keystore = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			seed = optarg;
			break;
		case 'c':
			record = optarg;
			break;
		case 'C':
			channel = optarg;
			break;
		default:
			return 2;
		}
	}
	if (strcmp(cmd, "proxy") == 0 && backend && ready && mode)
		return cmd_proxy(strtol(backend, NULL, 10), ready, mode, routes,
		                 log_file);
	if (strcmp(cmd, "export-seed") == 0 && keystore && out)
		return cmd_export_seed(keystore, out);
	if (strcmp(cmd, "channel-key") == 0 && seed && record && channel)
		return cmd_channel_key(seed, record, channel);
	fprintf(stderr, "usage: plmevil proxy|export-seed|channel-key ... (see "
	                "tests/tools/plmevil.c)\n");
	return 2;
}
