/*
 * test_envelope.c - envelopes and manifests (keys/envelope.h, keys/manifest.h,
 * PROTOCOL.md §7): round trips of every interesting size, sealing from a
 * pipe, the push reader under any slicing, and every way a reader must
 * refuse an envelope, each with its exact error code. Envelopes that the
 * sealer would never write (no FINAL chunk, a frame after FINAL, a wrong
 * size, a key that does not match its commitment) are crafted here with the
 * low-level secretstream API and given a valid trailer and signature, so
 * that the check under test is the one that fires.
 */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "keys/codec.h"
#include "keys/envelope.h"

#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define CHUNK PLM_ENVELOPE_CHUNK_BYTES

/* ---- fixtures ---------------------------------------------------------- */

static plm_identity *author, *stranger, *log_id;
static unsigned char channel_key[PLM_KEY_BYTES];
static unsigned char other_channel_key[PLM_KEY_BYTES];

static void fixtures_free(void);

static void fixtures(void)
{
	unsigned char seed[PLM_SEED_BYTES];

	if (author != NULL)
		return;
	if (sodium_init() < 0)
		abort();
	memset(seed, 1, sizeof(seed));
	if (plm_identity_from_seed(&author, seed, NULL) != 0)
		abort();
	memset(seed, 2, sizeof(seed));
	if (plm_identity_from_seed(&stranger, seed, NULL) != 0)
		abort();
	memset(seed, 3, sizeof(seed));
	if (plm_identity_from_seed(&log_id, seed, NULL) != 0)
		abort();
	memset(channel_key, 0x5a, sizeof(channel_key));
	memset(other_channel_key, 0xa5, sizeof(other_channel_key));
	atexit(fixtures_free);
}

static void fixtures_free(void)
{
	plm_identity_free(author);
	plm_identity_free(stranger);
	plm_identity_free(log_id);
}

/* An envelope (or any bytes) in memory. */
struct blob {
	unsigned char *data;
	size_t len;
};

static void blob_free(struct blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static void blob_put(struct blob *b, const void *data, size_t len)
{
	b->data = realloc(b->data, b->len + len + 1);
	if (b->data == NULL)
		abort();
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void blob_u32(struct blob *b, uint32_t v)
{
	unsigned char x[4];

	plm_store_u32(x, v);
	blob_put(b, x, 4);
}

static void file_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		abort();
}

static struct blob file_read(const char *path)
{
	struct blob b = {NULL, 0};
	unsigned char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return b;
	blob_put(&b, "", 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		blob_put(&b, buf, n);
	fclose(f);
	return b;
}

/* Number of entries in DIR other than . and .. */
static int dir_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* A fresh empty folder under the test's tmpdir. */
static const char *fresh_dir(void)
{
	static char dir[4096];
	static int n;

	snprintf(dir, sizeof(dir), "%s/out%d", check_tmpdir(), n++);
	if (mkdir(dir, 0700) != 0)
		abort();
	return dir;
}

static void fill_random(unsigned char *p, size_t n)
{
	randombytes_buf(p, n);
}

/* A manifest in secure memory, with SIZE and a couple of fields. */
static plm_manifest *manifest_make(uint64_t size)
{
	plm_manifest *m = NULL;

	if (plm_manifest_new(&m, NULL) != 0)
		abort();
	snprintf(m->title, sizeof(m->title), "Reply to question 3");
	snprintf(m->file_name, sizeof(m->file_name), "réponse.pdf");
	snprintf(m->mime, sizeof(m->mime), "application/pdf");
	snprintf(m->language, sizeof(m->language), "fr");
	m->size = size;
	if (plm_manifest_set_field(m, "question", "3", NULL) != 0 ||
	    plm_manifest_set_field(m, "cluster", "II", NULL) != 0)
		abort();
	return m;
}

static void params_default(plm_seal_params *p, const plm_manifest *m)
{
	memset(p, 0, sizeof(*p));
	p->review_id = "rev-2026-ita";
	p->channel = "review";
	p->epoch = 3;
	p->kind = "questionnaire_response";
	p->created_at = 1767225600;
	p->channel_key = channel_key;
	p->author = author;
	p->manifest = m;
}

/*
 * Seals CONTENT (LEN bytes) with P (or defaults) into *ENV through files.
 * Returns the plm_envelope_seal status.
 */
static int seal_with(const plm_seal_params *p, const unsigned char *content, size_t len,
                     struct blob *env, unsigned char id[32], plm_error *err)
{
	const char *in = fixture_path("seal.in"), *out = fixture_path("seal.out");
	int in_fd, out_fd, r;

	file_write(in, content, len);
	in_fd = open(in, O_RDONLY);
	out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in_fd < 0 || out_fd < 0)
		abort();
	r = plm_envelope_seal(in_fd, out_fd, p, id, err);
	close(in_fd);
	close(out_fd);
	*env = file_read(out);
	unlink(in);
	unlink(out);
	return r;
}

static int seal_buf(const unsigned char *content, size_t len, struct blob *env,
                    unsigned char id[32])
{
	plm_manifest *m = manifest_make(len);
	plm_seal_params p;
	plm_error err;
	int r;

	params_default(&p, m);
	r = seal_with(&p, content, len, env, id, &err);
	if (r != 0)
		printf("# seal: %s\n", err.message);
	plm_manifest_free(m);
	return r;
}

/* What the key callbacks hand out. */
struct keyring {
	const plm_identity *author;       /* public keys given as the author's */
	const unsigned char *channel_key; /* unwrap with this ... */
	const unsigned char *doc_key;     /* ... or hand out this key as is */
	int refuse;                       /* non-zero: refuse with this code */
};

static int keyring_header(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                          plm_error *err)
{
	struct keyring *k = ctx;

	(void)h;
	if (k->refuse != 0)
		return plm_error_set(err, k->refuse, "refused by the test");
	*pub = k->author->pub;
	return 0;
}

static int keyring_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                        unsigned char doc_key[32], plm_error *err)
{
	struct keyring *k = ctx;
	int r;

	if ((r = keyring_header(ctx, h, pub, err)) != 0)
		return r;
	if (k->doc_key != NULL) {
		memcpy(doc_key, k->doc_key, PLM_KEY_BYTES);
		return 0;
	}
	return plm_envelope_unwrap_key(h, k->channel_key, doc_key, err);
}

static struct keyring keyring_default(void)
{
	struct keyring k = {author, channel_key, NULL, 0};

	return k;
}

/*
 * Opens ENV (through a file) to OUT_PATH with keys K. Every case also opens
 * it from memory first (plm_envelope_open_bytes, which leaves OUT_PATH as it
 * was on failure), and fails unless both sources give the same outcome:
 * the same code, error sentence, id and header.
 */
static int open_with(const struct blob *env, const char *out_path, struct keyring *k,
                     plm_manifest *m, plm_envelope_header *h, unsigned char id[32],
                     plm_error *err)
{
	const char *in = fixture_path("open.in");
	unsigned char mem_id[32], fd_id[32];
	plm_envelope_header mem_h, fd_h;
	plm_manifest *mem_m = NULL;
	plm_error mem_err;
	int fd, r, mem_r;

	if (plm_manifest_new(&mem_m, NULL) != 0)
		abort();
	plm_error_clear(&mem_err);
	mem_r = plm_envelope_open_bytes(NULL, NULL, env->data, env->len, out_path,
	                                keyring_keys, k, mem_m, &mem_h,
	                                PLM_ENVELOPE_AUTO, mem_id,
	                                &mem_err);
	file_write(in, env->data, env->len);
	fd = open(in, O_RDONLY);
	if (fd < 0)
		abort();
	r = plm_envelope_open(fd, out_path, keyring_keys, k, m, &fd_h, fd_id, err);
	close(fd);
	unlink(in);
	if (mem_r != r ||
	    (err != NULL && r != 0 && strcmp(mem_err.message, err->message) != 0) ||
	    memcmp(mem_id, fd_id, sizeof(fd_id)) != 0 ||
	    (r == 0 && (mem_h.epoch != fd_h.epoch ||
	                memcmp(mem_h.document_id, fd_h.document_id,
	                       sizeof(fd_h.document_id)) != 0 ||
	                memcmp(mem_h.key_commitment, fd_h.key_commitment,
	                       sizeof(fd_h.key_commitment)) != 0)) ||
	    (r == 0 && m != NULL && (strcmp(mem_m->title, m->title) != 0 ||
	                             mem_m->size != m->size)))
		check_fail(__FILE__, __LINE__,
		           "opening from memory gave %d (%s), from a file %d", mem_r,
		           mem_err.message, r);
	plm_manifest_free(mem_m);
	if (h != NULL)
		*h = fd_h;
	if (id != NULL)
		memcpy(id, fd_id, sizeof(fd_id));
	return r;
}

/* Opens ENV with the default keys into a fresh folder holding an old file
 * "doc" and checks that a failure leaves exactly that file, unchanged. */
static int open_fails_cleanly(const struct blob *env, struct keyring *k)
{
	const char *dir = fresh_dir();
	char dest[4200];
	struct blob old;
	plm_error err;
	int r;

	snprintf(dest, sizeof(dest), "%s/doc", dir);
	file_write(dest, "old content", 11);
	plm_error_clear(&err);
	r = open_with(env, dest, k, NULL, NULL, NULL, &err);
	if (r == 0)
		return 0;
	if (err.code != r || err.message[0] == '\0') {
		printf("# error report missing for code %d\n", r);
		return 1000;
	}
	old = file_read(dest);
	if (dir_count(dir) != 1 || old.len != 11 ||
	    memcmp(old.data, "old content", 11) != 0) {
		printf("# the output folder was changed by a failed open\n");
		blob_free(&old);
		return 1001;
	}
	blob_free(&old);
	return r;
}

static int open_default(const struct blob *env)
{
	struct keyring k = keyring_default();

	return open_fails_cleanly(env, &k);
}

/* Key-less verification, fed in slices of STEP bytes (0: all at once). */
static int verify_sliced(const struct blob *env, size_t step, int with_frames,
                         unsigned char id[32]);

/* A keyring (first member, so header callbacks take it) and a frame count. */
struct keyring_frames {
	struct keyring k;
	int frames;
};

static int count_frames_cb(void *ctx, uint32_t seq, const unsigned char *c, size_t len,
                           plm_error *err)
{
	struct keyring_frames *kf = ctx;

	(void)c;
	(void)err;
	if (len < PLM_STREAM_ABYTES || seq != (uint32_t)kf->frames)
		return plm_error_set(err, PLM_ERR_INVALID, "frame callback misused");
	kf->frames++;
	return 0;
}

/* Non-zero: verify_sliced pipelines its reader for an envelope of this size. */
static uint64_t pipeline_size;

static int verify_sliced(const struct blob *env, size_t step, int with_frames,
                         unsigned char id[32])
{
	struct keyring_frames kf = {keyring_default(), 0};
	plm_envelope_handlers h = {keyring_header,
	                           with_frames ? count_frames_cb : NULL};
	plm_envelope_reader *r = NULL;
	plm_error err;
	size_t off = 0, n;
	int rc;

	if ((rc = plm_envelope_reader_new(&r, &h, &kf, &err)) != 0)
		return rc;
	if (pipeline_size != 0 &&
	    (rc = plm_envelope_reader_pipeline(r, pipeline_size, &err)) != 0)
		goto out;
	while (off < env->len) {
		n = step == 0 ? env->len - off : step;
		if (step == (size_t)-1)
			n = 1 + randombytes_uniform(100000);
		if (n > env->len - off)
			n = env->len - off;
		if ((rc = plm_envelope_reader_feed(r, env->data + off, n, &err)) != 0)
			goto out;
		off += n;
	}
	rc = plm_envelope_reader_finish(r, id, &err);
out:
	plm_envelope_reader_free(r);
	return rc;
}

static int verify_default(const struct blob *env)
{
	unsigned char id[32];

	return verify_sliced(env, 0, 0, id);
}

/* Offsets into an envelope. */
static size_t header_len_of(const struct blob *env)
{
	return PLM_ENVELOPE_PREAMBLE_BYTES + ((size_t)env->data[5] << 8) + env->data[6];
}

/* Offset of frame SEQ's head (0 = manifest), walking the frames. */
static size_t frame_offset(const struct blob *env, uint32_t seq)
{
	size_t off = header_len_of(env);
	uint32_t i;

	for (i = 0; i < seq; i++)
		off += 8 + plm_load_u32(env->data + off + 4);
	return off;
}

/* Recomputes the trailer of ENV (digest, signature by SIGNER). */
static void resign(struct blob *env, const plm_identity *signer)
{
	size_t body = env->len - PLM_ENVELOPE_TRAILER_BYTES;

	plm_hash(env->data + body, env->data, body);
	if (plm_sign(env->data + body + 32, "envelope", env->data + body, 32,
	             signer->sign_sk, NULL) != 0)
		abort();
}

/* ---- crafting envelopes the sealer would never write -------------------- */

struct chunk_spec {
	size_t len;
	unsigned char tag;
};

struct craft {
	uint64_t manifest_size;
	unsigned char manifest_tag;
	const struct chunk_spec *chunks;
	size_t n_chunks;
	const unsigned char *wrap_key; /* re-wrap this key and encrypt under it */
};

/*
 * Builds an envelope from BASE's header (sealed by the default author under
 * channel_key) with the payload described by C, a correct end marker, digest
 * and the author's signature.
 */
static struct blob craft_envelope(const struct blob *base, const struct craft *c)
{
	crypto_secretstream_xchacha20poly1305_state st;
	plm_envelope_header *h = malloc(sizeof(*h));
	unsigned char key[32], ad[5000], *plain, *cipher;
	unsigned char manifest[PLM_MANIFEST_MAX_BYTES];
	unsigned long long clen;
	size_t hlen = header_len_of(base), mlen, i, adlen;
	plm_manifest *m = manifest_make(c->manifest_size);
	struct blob out = {NULL, 0};
	unsigned char trailer[96];

	plain = calloc(1, CHUNK);
	cipher = malloc(CHUNK + 17);
	if (h == NULL || plain == NULL || cipher == NULL ||
	    plm_envelope_header_decode(h, base->data, hlen, NULL) != 0 ||
	    plm_envelope_unwrap_key(h, channel_key, key, NULL) != 0)
		abort();
	blob_put(&out, base->data, hlen);
	if (c->wrap_key != NULL) {
		memcpy(key, c->wrap_key, 32);
		memcpy(ad, "palermo/v1/document-key", 24);
		memcpy(ad + 24, h->raw, h->wrapped_key_offset);
		adlen = 24 + h->wrapped_key_offset;
		if (plm_key_wrap(out.data + h->wrapped_key_offset, key, channel_key, ad,
		                 adlen, NULL) != 0)
			abort();
	}
	crypto_secretstream_xchacha20poly1305_init_push(&st, out.data + hlen - 24, key);
	if (plm_manifest_encode(m, manifest, sizeof(manifest), &mlen, NULL) != 0)
		abort();
	crypto_secretstream_xchacha20poly1305_push(&st, cipher, &clen, manifest, mlen,
	                                           NULL, 0, c->manifest_tag);
	blob_u32(&out, 0);
	blob_u32(&out, (uint32_t)clen);
	blob_put(&out, cipher, clen);
	for (i = 0; i < c->n_chunks; i++) {
		memset(plain, (int)i + 'a', c->chunks[i].len);
		crypto_secretstream_xchacha20poly1305_push(&st, cipher, &clen, plain,
		                                           c->chunks[i].len, NULL, 0,
		                                           c->chunks[i].tag);
		blob_u32(&out, (uint32_t)(i + 1));
		blob_u32(&out, (uint32_t)clen);
		blob_put(&out, cipher, clen);
	}
	blob_u32(&out, (uint32_t)(c->n_chunks + 1));
	blob_u32(&out, 0);
	memset(trailer, 0, sizeof(trailer));
	blob_put(&out, trailer, sizeof(trailer));
	resign(&out, author);
	plm_manifest_free(m);
	sodium_memzero(key, sizeof(key));
	free(plain);
	free(cipher);
	free(h);
	return out;
}

/* ---- manifests ---------------------------------------------------------- */

static void test_manifest_roundtrip(void)
{
	plm_manifest *m = manifest_make(123456789), *d = NULL;
	unsigned char buf[PLM_MANIFEST_MAX_BYTES], again[PLM_MANIFEST_MAX_BYTES];
	size_t len, len2;
	plm_error err;

	fixtures();
	CHECK_INT(plm_manifest_new(&d, &err), 0);
	CHECK_INT(plm_manifest_set_field(m, "annex", "B", &err), 0);
	CHECK_INT(plm_manifest_encode(m, buf, sizeof(buf), &len, &err), 0);
	CHECK_INT(plm_manifest_decode(d, buf, len, &err), 0);
	CHECK_STR(d->title, "Reply to question 3");
	CHECK_STR(d->file_name, "réponse.pdf");
	CHECK_STR(d->mime, "application/pdf");
	CHECK_STR(d->language, "fr");
	CHECK(d->size == 123456789);
	CHECK_INT(d->n_fields, 3);
	CHECK_STR(d->fields[0].key, "annex");
	CHECK_STR(d->fields[1].key, "cluster");
	CHECK_STR(d->fields[1].value, "II");
	CHECK_STR(d->fields[2].key, "question");
	CHECK_INT(plm_manifest_encode(d, again, sizeof(again), &len2, &err), 0);
	CHECK_INT(len2, len);
	CHECK_MEM(again, buf, len);
	/* No language, no file, no field: the smallest manifest. */
	memset(d, 0, sizeof(*d));
	snprintf(d->mime, sizeof(d->mime), "text/plain");
	CHECK_INT(plm_manifest_encode(d, buf, sizeof(buf), &len, &err), 0);
	CHECK_INT(len, 1 + 2 + 2 + 1 + 10 + 1 + 8 + 1);
	CHECK_INT(plm_manifest_decode(m, buf, len, &err), 0);
	CHECK_STR(m->language, "");
	CHECK_INT(m->n_fields, 0);
	plm_manifest_free(m);
	plm_manifest_free(d);
}

/* Encodes the smallest valid manifest into B by hand, with FIELDS. */
static void manifest_bytes(plm_wbuf *b, const char *title, size_t title_len,
                           const char *lang, unsigned n_fields)
{
	plm_wbuf_init(b, 1 << 20, "test", NULL);
	plm_wbuf_u8(b, 1);
	plm_wbuf_u16(b, (uint16_t)title_len);
	plm_wbuf_put(b, title, title_len);
	plm_wbuf_u16(b, 0);
	plm_wbuf_u8(b, 10);
	plm_wbuf_put(b, "text/plain", 10);
	plm_wbuf_u8(b, (uint8_t)strlen(lang));
	plm_wbuf_put(b, lang, strlen(lang));
	plm_wbuf_u64(b, 42);
	plm_wbuf_u8(b, (uint8_t)n_fields);
}

static void field_bytes(plm_wbuf *b, const char *key, const char *value)
{
	plm_wbuf_u8(b, (uint8_t)strlen(key));
	plm_wbuf_put(b, key, strlen(key));
	plm_wbuf_u16(b, (uint16_t)strlen(value));
	plm_wbuf_put(b, value, strlen(value));
}

static void test_manifest_strict(void)
{
	plm_manifest *m = NULL;
	plm_wbuf b;
	plm_error err;
	unsigned i;

	fixtures();
	CHECK_INT(plm_manifest_new(&m, &err), 0);

	manifest_bytes(&b, "ok", 2, "en", 2);
	field_bytes(&b, "alpha", "1");
	field_bytes(&b, "beta", "2");
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), 0);
	/* the same plus one byte */
	plm_wbuf_u8(&b, 0);
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_TRAILING);
	CHECK_INT(err.code, PLM_ERR_TRAILING);
	CHECK_INT(plm_manifest_decode(m, b.data, b.len - 2, &err), PLM_ERR_TRUNCATED);
	CHECK_INT(m->n_fields, 0); /* zeroed on failure */
	b.data[0] = 2;
	CHECK_INT(plm_manifest_decode(m, b.data, b.len - 1, &err), PLM_ERR_VERSION);
	plm_wbuf_free(&b);

	manifest_bytes(&b, "ok", 2, "en", 2); /* unsorted keys */
	field_bytes(&b, "beta", "2");
	field_bytes(&b, "alpha", "1");
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "en", 2); /* duplicate keys */
	field_bytes(&b, "alpha", "1");
	field_bytes(&b, "alpha", "2");
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "en", 1); /* key outside NAME */
	field_bytes(&b, "Alpha", "1");
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "en", 1); /* empty key */
	field_bytes(&b, "", "1");
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_LIMIT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "en", 33); /* too many fields */
	for (i = 0; i < 33; i++) {
		char key[8];
		snprintf(key, sizeof(key), "k%02u", i);
		field_bytes(&b, key, "");
	}
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_LIMIT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "\xc3\x28", 2, "en", 0); /* bad UTF-8 title */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "\xe0\x80\xaf", 3, "en", 0); /* overlong UTF-8 */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "a\rb", 3, "en", 0); /* control character */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "e", 0); /* language of 1 letter */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_LIMIT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "EN", 0); /* language in capitals */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	manifest_bytes(&b, "ok", 2, "", 0); /* no language: fine */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), 0);
	b.data[7] = 2; /* mime length 2 */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_LIMIT);
	b.data[7] = 10;
	b.data[8 + 4] = ' '; /* "text plain" */
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	plm_wbuf_free(&b);
	/* a file name with a slash */
	plm_wbuf_init(&b, 4096, "test", NULL);
	plm_wbuf_u8(&b, 1);
	plm_wbuf_u16(&b, 0);
	plm_wbuf_u16(&b, 6);
	plm_wbuf_put(&b, "../etc", 6);
	plm_wbuf_u8(&b, 10);
	plm_wbuf_put(&b, "text/plain", 10);
	plm_wbuf_u8(&b, 0);
	plm_wbuf_u64(&b, 0);
	plm_wbuf_u8(&b, 0);
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), PLM_ERR_FORMAT);
	memcpy(b.data + 5, "..etc.", 6);
	CHECK_INT(plm_manifest_decode(m, b.data, b.len, &err), 0);
	plm_wbuf_free(&b);
	/* over 16 KiB in all */
	{
		unsigned char *big = calloc(1, PLM_MANIFEST_MAX_BYTES + 1);
		CHECK(big != NULL);
		big[0] = 1;
		CHECK_INT(plm_manifest_decode(m, big, PLM_MANIFEST_MAX_BYTES + 1, &err),
		          PLM_ERR_LIMIT);
		free(big);
	}
	CHECK_INT(plm_manifest_decode(m, (const unsigned char *)"", 0, &err),
	          PLM_ERR_TRUNCATED);
	plm_manifest_free(m);
}

static void test_manifest_encode_checks(void)
{
	plm_manifest *m = manifest_make(1);
	unsigned char *buf = plm_secret_alloc(PLM_MANIFEST_MAX_BYTES);
	size_t len = 99;
	plm_error err;
	unsigned i;
	char key[8];

	fixtures();
	CHECK(buf != NULL);
	CHECK_INT(plm_manifest_set_field(m, "question", "4", &err), PLM_ERR_EXISTS);
	CHECK_INT(plm_manifest_set_field(m, "Bad", "4", &err), PLM_ERR_FORMAT);
	CHECK_INT(plm_manifest_set_field(m, "ok", "a\x01", &err), PLM_ERR_FORMAT);
	CHECK_INT(m->n_fields, 2);
	/* fields out of order are refused, not silently sorted */
	plm_manifest_field tmp = m->fields[0];
	m->fields[0] = m->fields[1];
	m->fields[1] = tmp;
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err),
	          PLM_ERR_FORMAT);
	CHECK_INT(len, 0);
	m->fields[1] = m->fields[0];
	m->fields[0] = tmp;
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err), 0);
	snprintf(m->mime, sizeof(m->mime), "pdf");
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err),
	          PLM_ERR_FORMAT);
	snprintf(m->mime, sizeof(m->mime), "a/");
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err),
	          PLM_ERR_LIMIT);
	snprintf(m->mime, sizeof(m->mime), "text/plain");
	snprintf(m->language, sizeof(m->language), "e");
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err),
	          PLM_ERR_LIMIT);
	m->language[0] = '\0';
	/* 32 fields of 4096 bytes are more than 16 KiB */
	memset(m->fields, 0, sizeof(m->fields));
	m->n_fields = 0;
	for (i = 0; i < PLM_MANIFEST_FIELDS_MAX; i++) {
		char value[PLM_MANIFEST_VALUE_MAX + 1];
		memset(value, 'x', PLM_MANIFEST_VALUE_MAX);
		value[PLM_MANIFEST_VALUE_MAX] = '\0';
		snprintf(key, sizeof(key), "k%02u", i);
		CHECK_INT(plm_manifest_set_field(m, key, value, &err), 0);
	}
	CHECK_INT(plm_manifest_set_field(m, "zz", "", &err), PLM_ERR_LIMIT);
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err),
	          PLM_ERR_LIMIT);
	m->n_fields = 33;
	CHECK_INT(plm_manifest_encode(m, buf, PLM_MANIFEST_MAX_BYTES, &len, &err),
	          PLM_ERR_LIMIT);
	plm_secret_free(buf);
	plm_manifest_free(m);
}

/* ---- round trips --------------------------------------------------------- */

/* Seals SIZE random bytes, opens them, checks everything that must agree. */
static void roundtrip(size_t size)
{
	unsigned char *content = malloc(size + 1);
	unsigned char id[32], id2[32], id3[32];
	struct blob env = {NULL, 0}, got = {NULL, 0};
	struct keyring k = keyring_default();
	plm_manifest *m = NULL;
	plm_envelope_header *h = malloc(sizeof(*h));
	const char *dir = fresh_dir();
	char dest[4200];
	plm_error err;
	size_t chunks = size == 0 ? 1 : (size + CHUNK - 1) / CHUNK, manifest_len;
	unsigned char mbuf[PLM_MANIFEST_MAX_BYTES];

	CHECK(content != NULL && h != NULL);
	fill_random(content, size);
	CHECK_INT(seal_buf(content, size, &env, id), 0);
	/* exact length: header, manifest frame, n frames, end, trailer */
	m = manifest_make(size);
	CHECK_INT(plm_manifest_encode(m, mbuf, sizeof(mbuf), &manifest_len, &err), 0);
	CHECK_INT(env.len, header_len_of(&env) + 8 + manifest_len + 17 +
	                       chunks * (8 + 17) + size + 8 + 96);
	CHECK_INT(plm_load_u32(env.data + env.len - 96 - 8), chunks + 1);

	snprintf(dest, sizeof(dest), "%s/doc.pdf", dir);
	CHECK_INT(open_with(&env, dest, &k, m, h, id2, &err), 0);
	CHECK_MEM(id2, id, 32);
	got = file_read(dest);
	CHECK_INT(got.len, size);
	CHECK(size == 0 || memcmp(got.data, content, size) == 0);
	CHECK_INT(dir_count(dir), 1);
	CHECK(m->size == size);
	CHECK_STR(m->title, "Reply to question 3");
	CHECK_STR(m->file_name, "réponse.pdf");
	CHECK_STR(h->review_id, "rev-2026-ita");
	CHECK_STR(h->channel, "review");
	CHECK_STR(h->kind, "questionnaire_response");
	CHECK(h->epoch == 3);
	CHECK(h->created_at == 1767225600);
	CHECK_INT(h->has_reply, 0);
	CHECK_INT(h->has_head, 0);
	{
		unsigned char fpr[32];
		plm_fingerprint(fpr, &author->pub);
		CHECK_MEM(h->author, fpr, 32);
	}
	/* the id is the digest of everything before the trailer */
	plm_hash(id3, env.data, env.len - 96);
	CHECK_MEM(id3, id, 32);
	CHECK_INT(verify_sliced(&env, 0, 0, id3), 0);
	CHECK_MEM(id3, id, 32);
	CHECK_INT(verify_sliced(&env, 0, 1, id3), 0);
	CHECK_MEM(id3, id, 32);
	/* out_path NULL: verify and decrypt only */
	memset(m, 0, sizeof(*m));
	CHECK_INT(open_with(&env, NULL, &k, m, NULL, id3, &err), 0);
	CHECK_MEM(id3, id, 32);
	CHECK(m->size == size);
	/* opening again replaces the file */
	CHECK_INT(open_with(&env, dest, &k, NULL, NULL, NULL, &err), 0);
	CHECK_INT(dir_count(dir), 1);
	blob_free(&got);
	got = file_read(dest);
	CHECK_INT(got.len, size);
	{
		struct stat st;
		CHECK_INT(stat(dest, &st), 0);
		CHECK_INT(st.st_mode & 0777, 0600);
	}
	blob_free(&got);
	blob_free(&env);
	plm_manifest_free(m);
	free(content);
	free(h);
}

static void test_roundtrip_0(void)
{
	fixtures();
	roundtrip(0);
}
static void test_roundtrip_1(void)
{
	fixtures();
	roundtrip(1);
}
static void test_roundtrip_65535(void)
{
	fixtures();
	roundtrip(CHUNK - 1);
}
static void test_roundtrip_65536(void)
{
	fixtures();
	roundtrip(CHUNK);
}
static void test_roundtrip_65537(void)
{
	fixtures();
	roundtrip(CHUNK + 1);
}
static void test_roundtrip_3x65536(void)
{
	fixtures();
	roundtrip(3 * CHUNK);
}
static void test_roundtrip_1mib(void)
{
	fixtures();
	roundtrip((1 << 20) + 4321);
}

static void test_header_fields(void)
{
	plm_manifest *m = manifest_make(5);
	plm_seal_params p;
	plm_tree_head head;
	plm_envelope_header *h = malloc(sizeof(*h));
	unsigned char reply[32], id[32], key[32];
	struct blob env = {NULL, 0};
	struct keyring k = keyring_default();
	plm_error err;

	fixtures();
	CHECK(h != NULL);
	memset(&head, 0, sizeof(head));
	head.tree_size = 77;
	head.timestamp = 1767225600123ULL;
	memset(head.root_hash, 0xcc, 32);
	CHECK_INT(plm_tree_head_sign(&head, log_id, &err), 0);
	memset(reply, 0x77, sizeof(reply));
	params_default(&p, m);
	p.reply_to = reply;
	p.head = &head;
	CHECK_INT(seal_with(&p, (const unsigned char *)"hello", 5, &env, id, &err), 0);
	CHECK_INT(plm_envelope_header_decode(h, env.data, header_len_of(&env), &err),
	          0);
	CHECK_INT(h->has_reply, 1);
	CHECK_MEM(h->reply_to, reply, 32);
	CHECK_INT(h->has_head, 1);
	CHECK(h->head.tree_size == 77);
	CHECK(h->head.timestamp == 1767225600123ULL);
	CHECK_INT(plm_tree_head_verify(&h->head, log_id->pub.sign_pk, &err), 0);
	CHECK_INT(h->raw_len, header_len_of(&env));
	CHECK_MEM(h->raw, env.data, h->raw_len);
	CHECK_INT(h->wrapped_key_offset, h->raw_len - 128);
	CHECK_INT(plm_envelope_unwrap_key(h, channel_key, key, &err), 0);
	CHECK_INT(plm_envelope_check_key(h, key, &err), 0);
	key[0] ^= 1;
	CHECK_INT(plm_envelope_check_key(h, key, &err), PLM_ERR_COMMITMENT);
	CHECK_INT(plm_envelope_unwrap_key(h, other_channel_key, key, &err),
	          PLM_ERR_KEY);
	CHECK_INT(open_with(&env, NULL, &k, NULL, NULL, NULL, &err), 0);
	/* strict decoding of the header alone */
	CHECK_INT(
	    plm_envelope_header_decode(h, env.data, header_len_of(&env) - 1, &err),
	    PLM_ERR_TRUNCATED);
	CHECK_INT(
	    plm_envelope_header_decode(h, env.data, header_len_of(&env) + 1, &err),
	    PLM_ERR_TRAILING);
	CHECK_INT(h->raw_len, 0);
	/* each envelope has its own document id and key */
	{
		struct blob env2 = {NULL, 0};
		plm_envelope_header *h2 = malloc(sizeof(*h2));
		CHECK(h2 != NULL);
		CHECK_INT(
		    seal_with(&p, (const unsigned char *)"hello", 5, &env2, id, &err),
		    0);
		CHECK_INT(
		    plm_envelope_header_decode(h, env.data, header_len_of(&env), &err),
		    0);
		CHECK_INT(plm_envelope_header_decode(h2, env2.data,
		                                     header_len_of(&env2), &err),
		          0);
		CHECK(memcmp(h->document_id, h2->document_id, 16) != 0);
		CHECK(memcmp(h->key_commitment, h2->key_commitment, 32) != 0);
		free(h2);
		blob_free(&env2);
	}
	/* a tree head with a bad version inside the header */
	env.data[h->wrapped_key_offset - PLM_TREE_HEAD_BYTES] = 9;
	CHECK_INT(verify_default(&env), PLM_ERR_VERSION);
	blob_free(&env);
	plm_manifest_free(m);
	free(h);
}

static void test_seal_from_pipe(void)
{
	size_t size = 5 * CHUNK + 1234;
	unsigned char *content = malloc(size);
	const char *out = fixture_path("pipe.env");
	int fds[2], out_fd, status;
	pid_t pid;
	unsigned char id[32], id2[32];
	plm_manifest *m = manifest_make(size);
	plm_seal_params p;
	plm_error err;
	struct blob env, got;
	struct keyring k = keyring_default();
	char dest[4200];

	fixtures();
	CHECK(content != NULL);
	fill_random(content, size);
	CHECK_INT(pipe(fds), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* the writer dribbles the content in uneven pieces */
		size_t off = 0, n;
		close(fds[0]);
		while (off < size) {
			n = 1 + (off * 7919) % 9000;
			if (n > size - off)
				n = size - off;
			if (write(fds[1], content + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(fds[1]);
	out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(out_fd >= 0);
	params_default(&p, m);
	CHECK_INT(plm_envelope_seal(fds[0], out_fd, &p, id, &err), 0);
	close(fds[0]);
	close(out_fd);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	env = file_read(out);
	snprintf(dest, sizeof(dest), "%s/piped", fresh_dir());
	CHECK_INT(open_with(&env, dest, &k, NULL, NULL, id2, &err), 0);
	CHECK_MEM(id2, id, 32);
	got = file_read(dest);
	CHECK_INT(got.len, size);
	CHECK_MEM(got.data, content, size);
	blob_free(&got);
	blob_free(&env);
	plm_manifest_free(m);
	free(content);
}

static void test_seal_size_mismatch(void)
{
	unsigned char content[CHUNK + 10];
	plm_manifest *m = manifest_make(CHUNK + 5);
	plm_seal_params p;
	struct blob env = {NULL, 0};
	unsigned char id[32], zero[32] = {0};
	plm_error err;

	fixtures();
	fill_random(content, sizeof(content));
	params_default(&p, m);
	/* fewer bytes than the manifest says */
	CHECK_INT(seal_with(&p, content, CHUNK + 4, &env, id, &err), PLM_ERR_MISMATCH);
	CHECK_INT(err.code, PLM_ERR_MISMATCH);
	CHECK_MEM(id, zero, 32);
	CHECK_INT(verify_default(&env), PLM_ERR_TRUNCATED); /* nothing usable */
	blob_free(&env);
	/* more bytes than the manifest says */
	CHECK_INT(seal_with(&p, content, CHUNK + 6, &env, id, &err), PLM_ERR_MISMATCH);
	CHECK_INT(verify_default(&env), PLM_ERR_TRUNCATED);
	blob_free(&env);
	m->size = 0;
	CHECK_INT(seal_with(&p, content, 1, &env, id, &err), PLM_ERR_MISMATCH);
	blob_free(&env);
	m->size = CHUNK;
	CHECK_INT(seal_with(&p, content, CHUNK + 1, &env, id, &err), PLM_ERR_MISMATCH);
	blob_free(&env);
	CHECK_INT(seal_with(&p, content, CHUNK, &env, id, &err), 0);
	blob_free(&env);
	plm_manifest_free(m);
}

static void test_seal_params(void)
{
	plm_manifest *m = manifest_make(1);
	plm_seal_params p;
	struct blob env = {NULL, 0};
	unsigned char id[32];
	plm_error err;

	fixtures();
	params_default(&p, m);
	p.epoch = 0;
	CHECK_INT(seal_with(&p, (const unsigned char *)"x", 1, &env, id, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(env.len, 0);
	blob_free(&env);
	params_default(&p, m);
	p.review_id = "Rev";
	CHECK_INT(seal_with(&p, (const unsigned char *)"x", 1, &env, id, &err),
	          PLM_ERR_FORMAT);
	blob_free(&env);
	p.review_id = "";
	CHECK_INT(seal_with(&p, (const unsigned char *)"x", 1, &env, id, &err),
	          PLM_ERR_LIMIT);
	blob_free(&env);
	params_default(&p, m);
	p.kind = "this_kind_name_is_far_too_long_for_it";
	CHECK_INT(seal_with(&p, (const unsigned char *)"x", 1, &env, id, &err),
	          PLM_ERR_LIMIT);
	blob_free(&env);
	params_default(&p, m);
	p.channel_key = NULL;
	CHECK_INT(seal_with(&p, (const unsigned char *)"x", 1, &env, id, &err),
	          PLM_ERR_INVALID);
	blob_free(&env);
	params_default(&p, m);
	snprintf(m->mime, sizeof(m->mime), "nomime");
	CHECK_INT(seal_with(&p, (const unsigned char *)"x", 1, &env, id, &err),
	          PLM_ERR_FORMAT);
	CHECK_INT(env.len, 0); /* refused before writing anything */
	blob_free(&env);
	plm_manifest_free(m);
}

/* ---- the push reader ------------------------------------------------------ */

static void test_reader_slicing(void)
{
	size_t size = 2 * CHUNK + 999;
	unsigned char *content = malloc(size);
	unsigned char id[32], id2[32];
	struct blob env = {NULL, 0};
	int round;

	fixtures();
	CHECK(content != NULL);
	fill_random(content, size);
	CHECK_INT(seal_buf(content, size, &env, id), 0);
	CHECK_INT(verify_sliced(&env, 1, 0, id2), 0);
	CHECK_MEM(id2, id, 32);
	CHECK_INT(verify_sliced(&env, 1, 1, id2), 0);
	CHECK_MEM(id2, id, 32);
	for (round = 0; round < 20; round++) {
		memset(id2, 0, 32);
		CHECK_INT(verify_sliced(&env, (size_t)-1, round & 1, id2), 0);
		CHECK_MEM(id2, id, 32);
	}
	CHECK_INT(verify_sliced(&env, 7, 1, id2), 0);
	CHECK_MEM(id2, id, 32);
	CHECK_INT(verify_sliced(&env, 65553, 1, id2), 0);
	CHECK_MEM(id2, id, 32);
	blob_free(&env);
	free(content);
}

/*
 * A pipelined reader (hashing on its own thread, through whole ring buffers
 * and a last partial one) gives the same id and the same refusals.
 */
static void test_reader_pipelined(void)
{
	size_t size = 20 * CHUNK + 4321;
	unsigned char *content = malloc(size);
	unsigned char id[32], id2[32];
	struct blob env = {NULL, 0}, bad = {NULL, 0};
	size_t steps[] = {0, 1, 7, 65553, (size_t)-1};
	size_t i;

	fixtures();
	CHECK(content != NULL);
	fill_random(content, size);
	CHECK_INT(seal_buf(content, size, &env, id), 0);
	pipeline_size = env.len;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		memset(id2, 0, 32);
		CHECK_INT(verify_sliced(&env, steps[i], (int)(i & 1), id2), 0);
		CHECK_MEM(id2, id, 32);
	}
	/* a bit flipped in the last content frame, then in the first one */
	blob_put(&bad, env.data, env.len);
	bad.data[env.len - 200] ^= 0x10;
	CHECK_INT(verify_sliced(&bad, 65553, 0, id2), PLM_ERR_DIGEST);
	bad.data[env.len - 200] ^= 0x10;
	bad.data[frame_offset(&env, 1) + 8 + 10] ^= 1;
	CHECK_INT(verify_sliced(&bad, 0, 1, id2), PLM_ERR_DIGEST);
	blob_free(&bad);
	/* cut short: truncated, the hashing thread stopped cleanly */
	blob_put(&bad, env.data, env.len / 2);
	CHECK_INT(verify_sliced(&bad, 0, 0, id2), PLM_ERR_TRUNCATED);
	blob_free(&bad);
	/* too small to pipeline: the same result inline */
	pipeline_size = 1000;
	CHECK_INT(verify_sliced(&env, 0, 0, id2), 0);
	CHECK_MEM(id2, id, 32);
	pipeline_size = 0;
	blob_free(&env);
	free(content);
}

/* Key-less verification of ENV with KNOWN handed to the reader (may be NULL). */
static int verify_known(const struct blob *env, const plm_envelope_signature *known,
                        plm_envelope_signature *sig)
{
	struct keyring k = keyring_default();
	plm_envelope_handlers h = {keyring_header, NULL};
	plm_envelope_reader *r = NULL;
	plm_error err;
	int rc;

	if ((rc = plm_envelope_reader_new(&r, &h, &k, &err)) != 0)
		return rc;
	plm_envelope_reader_known(r, known);
	/* none before the end */
	if (sig != NULL && plm_envelope_reader_signature(r, sig) != PLM_ERR_INVALID) {
		plm_envelope_reader_free(r);
		return -1;
	}
	if ((rc = plm_envelope_reader_feed(r, env->data, env->len, &err)) == 0 &&
	    (rc = plm_envelope_reader_finish(r, NULL, &err)) == 0 && sig != NULL)
		rc = plm_envelope_reader_signature(r, sig);
	plm_envelope_reader_free(r);
	return rc;
}

/*
 * plm_envelope_reader_known: a signature verified elsewhere spares Ed25519
 * only when the trailer holds that very signature of that digest under the
 * key the header callback gave; anything else is verified as always.
 */
static void test_reader_known(void)
{
	unsigned char content[1000], id[32];
	struct blob env = {NULL, 0}, bad = {NULL, 0};
	plm_envelope_signature sig, other;

	fixtures();
	fill_random(content, sizeof(content));
	CHECK_INT(seal_buf(content, sizeof(content), &env, id), 0);
	CHECK_INT(verify_known(&env, NULL, &sig), 0);
	CHECK_MEM(sig.digest, id, 32);
	CHECK_MEM(sig.sig, env.data + env.len - 64, 64);
	CHECK_INT(verify_known(&env, &sig, NULL), 0);
	/* a flipped signature bit: not the one known, so verified, and refused */
	blob_put(&bad, env.data, env.len);
	bad.data[env.len - 1] ^= 1;
	CHECK_INT(verify_known(&bad, &sig, NULL), PLM_ERR_SIGNATURE);
	/* known for another digest, or another key: verified, refused */
	other = sig;
	memcpy(other.sig, bad.data + bad.len - 64, 64);
	other.digest[0] ^= 1;
	CHECK_INT(verify_known(&bad, &other, NULL), PLM_ERR_SIGNATURE);
	other = sig;
	memcpy(other.sig, bad.data + bad.len - 64, 64);
	other.sign_pk[0] ^= 1;
	CHECK_INT(verify_known(&bad, &other, NULL), PLM_ERR_SIGNATURE);
	/* a byte of content altered: the digest the reader computes differs */
	blob_free(&bad);
	blob_put(&bad, env.data, env.len);
	bad.data[frame_offset(&bad, 1) + 8 + 3] ^= 1;
	CHECK_INT(verify_known(&bad, &sig, NULL), PLM_ERR_DIGEST);
	/* what it takes on trust is exactly (key, digest, signature): told so, it is spared */
	blob_free(&bad);
	blob_put(&bad, env.data, env.len);
	bad.data[env.len - 1] ^= 1;
	other = sig;
	memcpy(other.sig, bad.data + bad.len - 64, 64);
	CHECK_INT(verify_known(&bad, &other, NULL), 0);
	blob_free(&bad);
	blob_free(&env);
}

static void test_reader_frames_and_offset(void)
{
	struct blob env = {NULL, 0};
	unsigned char id[32];
	unsigned char content[3 * CHUNK];
	struct keyring_frames kf = {keyring_default(), 0};
	plm_envelope_handlers h = {keyring_header, count_frames_cb};
	plm_envelope_reader *r = NULL;
	plm_error err;

	fixtures();
	fill_random(content, sizeof(content));
	CHECK_INT(seal_buf(content, sizeof(content), &env, id), 0);
	CHECK_INT(plm_envelope_reader_new(&r, &h, &kf, &err), 0);
	CHECK(plm_envelope_reader_header(r) == NULL);
	CHECK_INT(plm_envelope_reader_feed(r, env.data, header_len_of(&env), &err), 0);
	CHECK(plm_envelope_reader_header(r) != NULL);
	CHECK_STR(plm_envelope_reader_header(r)->kind, "questionnaire_response");
	CHECK_INT(plm_envelope_reader_feed(r, env.data + header_len_of(&env),
	                                   env.len - header_len_of(&env), &err),
	          0);
	CHECK(plm_envelope_reader_offset(r) == env.len);
	CHECK_INT(kf.frames, 4); /* manifest and three chunks */
	CHECK_INT(plm_envelope_reader_finish(r, id, &err), 0);
	/* a byte after the signature */
	CHECK_INT(plm_envelope_reader_feed(r, "x", 1, &err), PLM_ERR_TRAILING);
	CHECK_INT(err.code, PLM_ERR_TRAILING);
	CHECK_INT(plm_envelope_reader_feed(r, "x", 1, &err), PLM_ERR_TRAILING);
	CHECK_INT(plm_envelope_reader_finish(r, id, &err), PLM_ERR_TRAILING);
	plm_envelope_reader_free(r);
	plm_envelope_reader_free(NULL);
	/* a reader needs a header callback */
	h.header = NULL;
	CHECK_INT(plm_envelope_reader_new(&r, &h, &kf, &err), PLM_ERR_INVALID);
	CHECK(r == NULL);
	blob_free(&env);
}

static void test_verify_fd(void)
{
	struct blob env = {NULL, 0};
	unsigned char id[32], id2[32];
	struct keyring k = keyring_default();
	plm_envelope_handlers h = {keyring_header, NULL};
	const char *path = fixture_path("verify.env");
	plm_error err;
	int fd;

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"abc", 3, &env, id), 0);
	file_write(path, env.data, env.len);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_INT(plm_envelope_verify_fd(fd, &h, &k, id2, &err), 0);
	close(fd);
	CHECK_MEM(id2, id, 32);
	file_write(path, env.data, env.len - 1);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_INT(plm_envelope_verify_fd(fd, &h, &k, id2, &err), PLM_ERR_TRUNCATED);
	close(fd);
	CHECK_INT(plm_envelope_verify_fd(-1, &h, &k, id2, &err), PLM_ERR_IO);
	unlink(path);
	blob_free(&env);
}

/* ---- refusals -------------------------------------------------------------- */

static void test_truncated(void)
{
	struct blob env = {NULL, 0}, cut = {NULL, 0};
	unsigned char id[32], content[CHUNK + 3];
	size_t n, step;

	fixtures();
	fill_random(content, sizeof(content));
	CHECK_INT(seal_buf(content, 40, &env, id), 0);
	/* every proper prefix of a small envelope, the empty one included */
	for (n = 0; n < env.len; n++) {
		cut.data = env.data;
		cut.len = n;
		if (verify_default(&cut) != PLM_ERR_TRUNCATED) {
			CHECK_INT(verify_default(&cut), PLM_ERR_TRUNCATED);
		}
	}
	CHECK_INT(open_default(&cut), PLM_ERR_TRUNCATED);
	cut.len = header_len_of(&env) + 20;
	CHECK_INT(open_default(&cut), PLM_ERR_TRUNCATED);
	blob_free(&env);
	/* and a sample of cuts in a two-chunk envelope, opened */
	CHECK_INT(seal_buf(content, sizeof(content), &env, id), 0);
	for (step = 1; step < env.len; step += env.len / 17) {
		cut.data = env.data;
		cut.len = step;
		CHECK_INT(open_default(&cut), PLM_ERR_TRUNCATED);
	}
	blob_free(&env);
}

static void test_order(void)
{
	unsigned char *content = malloc(3 * CHUNK + 100), id[32];
	struct blob env = {NULL, 0}, bad = {NULL, 0};
	size_t f1, f2, f3, flen = 8 + PLM_ENVELOPE_FRAME_MAX;

	fixtures();
	CHECK(content != NULL);
	fill_random(content, 3 * CHUNK + 100);
	CHECK_INT(seal_buf(content, 3 * CHUNK + 100, &env, id), 0);
	f1 = frame_offset(&env, 1);
	f2 = frame_offset(&env, 2);
	f3 = frame_offset(&env, 3);
	CHECK_INT(f2 - f1, flen);
	CHECK_INT(f3 - f2, flen);
	/* frames 1 and 2 swapped, trailer recomputed by the author */
	blob_put(&bad, env.data, env.len);
	memcpy(bad.data + f1, env.data + f2, flen);
	memcpy(bad.data + f2, env.data + f1, flen);
	resign(&bad, author);
	CHECK_INT(verify_default(&bad), PLM_ERR_ORDER);
	CHECK_INT(open_default(&bad), PLM_ERR_ORDER);
	blob_free(&bad);
	/* frame 1 replayed in place of frame 2 */
	blob_put(&bad, env.data, env.len);
	memcpy(bad.data + f2, env.data + f1, flen);
	resign(&bad, author);
	CHECK_INT(verify_default(&bad), PLM_ERR_ORDER);
	CHECK_INT(open_default(&bad), PLM_ERR_ORDER);
	blob_free(&bad);
	/* frame 1 replayed as an extra frame */
	blob_put(&bad, env.data, f2);
	blob_put(&bad, env.data + f1, flen);
	blob_put(&bad, env.data + f2, env.len - f2);
	resign(&bad, author);
	CHECK_INT(verify_default(&bad), PLM_ERR_ORDER);
	CHECK_INT(open_default(&bad), PLM_ERR_ORDER);
	blob_free(&bad);
	/* frame 2 dropped */
	blob_put(&bad, env.data, f2);
	blob_put(&bad, env.data + f3, env.len - f3);
	resign(&bad, author);
	CHECK_INT(verify_default(&bad), PLM_ERR_ORDER);
	blob_free(&bad);
	/* renumbered frames cannot fool the opener: the stream refuses them */
	blob_put(&bad, env.data, env.len);
	memcpy(bad.data + f1 + 8, env.data + f2 + 8, flen - 8);
	memcpy(bad.data + f2 + 8, env.data + f1 + 8, flen - 8);
	resign(&bad, author);
	CHECK_INT(verify_default(&bad), 0);
	CHECK_INT(open_default(&bad), PLM_ERR_DECRYPT);
	blob_free(&bad);
	blob_free(&env);
	free(content);
}

static void test_tampering(void)
{
	unsigned char content[CHUNK + 500], id[32];
	struct blob env = {NULL, 0}, bad = {NULL, 0};
	size_t f1 = 0;

	fixtures();
	fill_random(content, sizeof(content));
	CHECK_INT(seal_buf(content, sizeof(content), &env, id), 0);
	CHECK_INT(verify_default(&env), 0);
	CHECK_INT(open_default(&env), 0);
	f1 = frame_offset(&env, 1);

	/* one bit flipped inside a ciphertext frame */
	blob_put(&bad, env.data, env.len);
	bad.data[f1 + 8 + 1000] ^= 0x10;
	CHECK_INT(verify_default(&bad), PLM_ERR_DIGEST);
	CHECK_INT(open_default(&bad), PLM_ERR_DECRYPT);
	/* ... and the digest recomputed and re-signed by the author: still caught */
	resign(&bad, author);
	CHECK_INT(verify_default(&bad), 0);
	CHECK_INT(open_default(&bad), PLM_ERR_DECRYPT);
	blob_free(&bad);
	/* a bit flipped in the manifest frame */
	blob_put(&bad, env.data, env.len);
	bad.data[frame_offset(&env, 0) + 8 + 3] ^= 1;
	CHECK_INT(verify_default(&bad), PLM_ERR_DIGEST);
	CHECK_INT(open_default(&bad), PLM_ERR_DECRYPT);
	blob_free(&bad);
	/* a bit flipped in the header's creation time: the key no longer unwraps */
	blob_put(&bad, env.data, env.len);
	bad.data[header_len_of(&env) - 128 - 2] ^= 1;
	CHECK_INT(verify_default(&bad), PLM_ERR_DIGEST);
	CHECK_INT(open_default(&bad), PLM_ERR_KEY);
	blob_free(&bad);
	/* the digest in the trailer */
	blob_put(&bad, env.data, env.len);
	bad.data[env.len - 96] ^= 1;
	CHECK_INT(verify_default(&bad), PLM_ERR_DIGEST);
	CHECK_INT(open_default(&bad), PLM_ERR_DIGEST);
	blob_free(&bad);
	/* the signature */
	blob_put(&bad, env.data, env.len);
	bad.data[env.len - 1] ^= 1;
	CHECK_INT(verify_default(&bad), PLM_ERR_SIGNATURE);
	CHECK_INT(open_default(&bad), PLM_ERR_SIGNATURE);
	blob_free(&bad);
	/* re-signed by another identity: a valid signature, not the author's */
	blob_put(&bad, env.data, env.len);
	resign(&bad, stranger);
	CHECK_INT(verify_default(&bad), PLM_ERR_SIGNATURE);
	CHECK_INT(open_default(&bad), PLM_ERR_SIGNATURE);
	blob_free(&bad);
	/* a byte after the signature */
	blob_put(&bad, env.data, env.len);
	blob_put(&bad, "", 1);
	CHECK_INT(verify_default(&bad), PLM_ERR_TRAILING);
	CHECK_INT(open_default(&bad), PLM_ERR_TRAILING);
	blob_free(&bad);
	blob_free(&env);
}

static void test_keys(void)
{
	unsigned char id[32], wrong[32];
	struct blob env = {NULL, 0};
	struct keyring k = keyring_default();

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"secret", 6, &env, id), 0);
	/* wrong epoch (channel) key */
	k.channel_key = other_channel_key;
	CHECK_INT(open_fails_cleanly(&env, &k), PLM_ERR_KEY);
	/* a document key that is not the committed one */
	k = keyring_default();
	memset(wrong, 0x33, sizeof(wrong));
	k.doc_key = wrong;
	CHECK_INT(open_fails_cleanly(&env, &k), PLM_ERR_COMMITMENT);
	/* the author's keys are someone else's */
	k = keyring_default();
	k.author = stranger;
	CHECK_INT(open_fails_cleanly(&env, &k), PLM_ERR_MISMATCH);
	k.doc_key = wrong; /* the author's keys are checked before the key */
	CHECK_INT(open_fails_cleanly(&env, &k), PLM_ERR_MISMATCH);
	CHECK_INT(verify_sliced(&env, 0, 0, id) == 0, 1);
	/* the caller refuses the header (the daemon: not a writer) */
	k = keyring_default();
	k.refuse = PLM_ERR_POLICY;
	CHECK_INT(open_fails_cleanly(&env, &k), PLM_ERR_POLICY);
	{
		plm_envelope_handlers h = {keyring_header, NULL};
		plm_envelope_reader *r = NULL;
		plm_error err;
		CHECK_INT(plm_envelope_reader_new(&r, &h, &k, &err), 0);
		CHECK_INT(plm_envelope_reader_feed(r, env.data, env.len, &err),
		          PLM_ERR_POLICY);
		CHECK_STR(err.message, "refused by the test");
		plm_envelope_reader_free(r);
	}
	blob_free(&env);
}

static void test_crafted_no_final(void)
{
	unsigned char id[32];
	struct blob base = {NULL, 0}, bad;
	const struct chunk_spec short_message[] = {{10, TAG_MESSAGE}};
	const struct chunk_spec full_message[] = {{CHUNK, TAG_MESSAGE}};
	const struct chunk_spec two_no_final[] = {{CHUNK, TAG_MESSAGE},
	                                          {7, TAG_MESSAGE}};
	const struct chunk_spec good[] = {{CHUNK, TAG_MESSAGE}, {7, TAG_FINAL}};
	struct craft c = {10, TAG_MESSAGE, short_message, 1, NULL};

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"x", 1, &base, id), 0);
	/* the crafting itself is right: a well-formed payload opens */
	c.chunks = good;
	c.n_chunks = 2;
	c.manifest_size = CHUNK + 7;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), 0);
	blob_free(&bad);

	c.chunks = short_message;
	c.n_chunks = 1;
	c.manifest_size = 10;
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), 0); /* the key-less reader cannot tell */
	CHECK_INT(open_default(&bad), PLM_ERR_NO_FINAL);
	blob_free(&bad);
	c.chunks = full_message;
	c.manifest_size = CHUNK;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), PLM_ERR_NO_FINAL);
	blob_free(&bad);
	c.chunks = two_no_final;
	c.n_chunks = 2;
	c.manifest_size = CHUNK + 7;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), PLM_ERR_NO_FINAL);
	blob_free(&bad);
	blob_free(&base);
}

static void test_crafted_after_final(void)
{
	unsigned char id[32];
	struct blob base = {NULL, 0}, bad;
	const struct chunk_spec full_final_then[] = {{CHUNK, TAG_FINAL},
	                                             {5, TAG_FINAL}};
	const struct chunk_spec short_then[] = {{5, TAG_FINAL}, {5, TAG_FINAL}};
	const struct chunk_spec empty_second[] = {{CHUNK, TAG_MESSAGE}, {0, TAG_FINAL}};
	const struct chunk_spec push_tag[] = {
	    {5, crypto_secretstream_xchacha20poly1305_TAG_PUSH}};
	const struct chunk_spec one[] = {{5, TAG_FINAL}};
	struct craft c = {CHUNK + 5, TAG_MESSAGE, full_final_then, 2, NULL};

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"x", 1, &base, id), 0);
	/* a full FINAL chunk, then another frame: only the opener sees it */
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), 0);
	CHECK_INT(open_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	/* a short chunk, then another: the structure alone is wrong */
	c.chunks = short_then;
	c.manifest_size = 10;
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	CHECK_INT(open_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	/* an empty last chunk after a full one (size 65536 has one encoding) */
	c.chunks = empty_second;
	c.manifest_size = CHUNK;
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	CHECK_INT(open_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	/* a content chunk with another tag */
	c.chunks = push_tag;
	c.n_chunks = 1;
	c.manifest_size = 5;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	/* the manifest tagged FINAL */
	c.chunks = one;
	c.manifest_tag = TAG_FINAL;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	/* no content frame at all: the end marker is frame 1 */
	c.n_chunks = 0;
	c.manifest_tag = TAG_MESSAGE;
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	CHECK_INT(open_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	blob_free(&base);
}

static void test_crafted_size_and_commitment(void)
{
	unsigned char id[32], other_key[32];
	struct blob base = {NULL, 0}, bad;
	const struct chunk_spec ten[] = {{10, TAG_FINAL}};
	const struct chunk_spec two[] = {{CHUNK, TAG_MESSAGE}, {10, TAG_FINAL}};
	struct craft c = {11, TAG_MESSAGE, ten, 1, NULL};

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"x", 1, &base, id), 0);
	/* the manifest says more than the content has */
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), 0);
	CHECK_INT(open_default(&bad), PLM_ERR_MISMATCH);
	blob_free(&bad);
	/* ... or less */
	c.manifest_size = 9;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), PLM_ERR_MISMATCH);
	/* too much content is refused as it arrives, before the trailer */
	bad.data[bad.len - 1] ^= 1;
	CHECK_INT(open_default(&bad), PLM_ERR_MISMATCH);
	blob_free(&bad);
	c.chunks = two;
	c.n_chunks = 2;
	c.manifest_size = 100;
	bad = craft_envelope(&base, &c);
	CHECK_INT(open_default(&bad), PLM_ERR_MISMATCH);
	blob_free(&bad);
	/* the key wrapped for the channel is not the committed key, though the
	 * payload decrypts under it and the author signed it all */
	c.chunks = ten;
	c.n_chunks = 1;
	c.manifest_size = 10;
	memset(other_key, 0x44, sizeof(other_key));
	c.wrap_key = other_key;
	bad = craft_envelope(&base, &c);
	CHECK_INT(verify_default(&bad), 0);
	CHECK_INT(open_default(&bad), PLM_ERR_COMMITMENT);
	blob_free(&bad);
	blob_free(&base);
}

/*
 * Builds a header by hand: FIELDS (the bytes after header_len), with
 * HEADER_LEN (or the true length when -1), VERSION and MAGIC.
 */
static struct blob header_by_hand(const char *magic, unsigned version, long header_len,
                                  const struct blob *fields)
{
	struct blob b = {NULL, 0};
	unsigned char v = (unsigned char)version, hl[2];
	size_t n = header_len < 0 ? fields->len : (size_t)header_len;

	blob_put(&b, magic, 4);
	blob_put(&b, &v, 1);
	hl[0] = (unsigned char)(n >> 8);
	hl[1] = (unsigned char)n;
	blob_put(&b, hl, 2);
	blob_put(&b, fields->data, fields->len);
	return b;
}

/* Header fields with one of them replaced: WHICH names it, VALUE is raw. */
static struct blob fields_with(const char *which, const void *value, size_t len)
{
	struct blob f = {NULL, 0};
	unsigned char zero[200] = {0}, one = 1, u8;
	unsigned char epoch[8] = {0, 0, 0, 0, 0, 0, 0, 3};

#define FIELD(name, dflt, dlen)                                                        \
	do {                                                                           \
		if (strcmp(which, name) == 0)                                          \
			blob_put(&f, value, len);                                      \
		else                                                                   \
			blob_put(&f, dflt, dlen);                                      \
	} while (0)
	FIELD("review_id", "\x05rev-1", 6);
	FIELD("channel", "\x06review", 7);
	FIELD("epoch", epoch, 8);
	FIELD("kind", "\x05reply", 6);
	FIELD("author", zero, 32);
	FIELD("document_id", zero, 16);
	FIELD("has_reply", &one, 1);
	if (strcmp(which, "has_reply") != 0 || ((const unsigned char *)value)[0] == 1)
		blob_put(&f, zero, 32);
	FIELD("created_at", zero, 8);
	u8 = 0;
	FIELD("has_head", &u8, 1);
	blob_put(&f, zero, 72 + 32 + 24);
#undef FIELD
	return f;
}

static void test_header_refusals(void)
{
	struct blob env = {NULL, 0}, bad = {NULL, 0}, f;
	unsigned char id[32], big[5000];
	size_t hl;

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"x", 1, &env, id), 0);
	/* magic and version */
	blob_put(&bad, env.data, env.len);
	bad.data[0] = 'X';
	CHECK_INT(verify_default(&bad), PLM_ERR_VERSION);
	CHECK_INT(open_default(&bad), PLM_ERR_VERSION);
	bad.data[0] = 'P';
	bad.data[3] = 'e';
	CHECK_INT(verify_default(&bad), PLM_ERR_VERSION);
	bad.data[3] = 'E';
	bad.data[4] = 2;
	CHECK_INT(verify_default(&bad), PLM_ERR_VERSION);
	CHECK_INT(open_default(&bad), PLM_ERR_VERSION);
	bad.data[4] = 0;
	CHECK_INT(verify_default(&bad), PLM_ERR_VERSION);
	bad.data[4] = 1;
	/* a wrong magic is refused at its first byte, before any more input */
	{
		struct keyring k = keyring_default();
		plm_envelope_handlers h = {keyring_header, NULL};
		plm_envelope_reader *r = NULL;
		plm_error err;
		CHECK_INT(plm_envelope_reader_new(&r, &h, &k, &err), 0);
		CHECK_INT(plm_envelope_reader_feed(r, "Q", 1, &err), PLM_ERR_VERSION);
		plm_envelope_reader_free(r);
	}
	/* header_len over the bound, or not the size of the fields */
	hl = header_len_of(&env) - 7;
	bad.data[5] = 0x10;
	bad.data[6] = 0x01;
	CHECK_INT(verify_default(&bad), PLM_ERR_LIMIT);
	bad.data[5] = (unsigned char)((hl + 1) >> 8);
	bad.data[6] = (unsigned char)(hl + 1);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	bad.data[5] = (unsigned char)((hl - 1) >> 8);
	bad.data[6] = (unsigned char)(hl - 1);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	bad.data[5] = 0;
	bad.data[6] = 0;
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	blob_free(&bad);
	/* the largest header_len, all zeros: refused at its first field */
	memset(big, 0, sizeof(big));
	memcpy(big, "PLME\x01\x10\x00", 7);
	bad.data = big;
	bad.len = 7 + 4096;
	CHECK_INT(verify_default(&bad), PLM_ERR_LIMIT); /* empty review_id */
	bad.data = NULL;
	bad.len = 0;

	/* the hand-made header is accepted as far as the header goes */
	f = fields_with("", NULL, 0);
	bad = header_by_hand("PLME", 1, -1, &f);
	CHECK_INT(verify_default(&bad), PLM_ERR_MISMATCH); /* author of zeros */
	blob_free(&bad);
	blob_free(&f);
#define REFUSE(which, bytes, len, code)                                                \
	do {                                                                           \
		f = fields_with(which, bytes, len);                                    \
		bad = header_by_hand("PLME", 1, -1, &f);                               \
		CHECK_INT(verify_default(&bad), code);                                 \
		blob_free(&bad);                                                       \
		blob_free(&f);                                                         \
	} while (0)
	REFUSE("review_id", "\x05Rev-1", 6, PLM_ERR_FORMAT);
	REFUSE("review_id", "\x00", 1, PLM_ERR_LIMIT);
	REFUSE("review_id", "\x05-rev1", 6, PLM_ERR_FORMAT);
	{
		unsigned char longid[66];
		memset(longid, 'a', sizeof(longid));
		longid[0] = 65;
		REFUSE("review_id", longid, sizeof(longid), PLM_ERR_LIMIT);
	}
	REFUSE("channel", "\x06rev ew", 7, PLM_ERR_FORMAT);
	REFUSE("channel", "\x00", 1, PLM_ERR_LIMIT);
	REFUSE("kind", "\x05Reply", 6, PLM_ERR_FORMAT);
	REFUSE("kind", "\x21reply_reply_reply_reply_reply_rep", 34, PLM_ERR_LIMIT);
	REFUSE("epoch", "\0\0\0\0\0\0\0\0", 8, PLM_ERR_FORMAT);
	REFUSE("has_reply", "\x02", 1, PLM_ERR_FORMAT);
	REFUSE("has_head", "\x02", 1, PLM_ERR_FORMAT);
	/* has_reply 0 without the reply_to bytes: fine as far as the header goes */
	REFUSE("has_reply", "\x00", 1, PLM_ERR_MISMATCH);
#undef REFUSE
	blob_free(&env);
}

static void test_frame_refusals(void)
{
	struct blob env = {NULL, 0}, bad = {NULL, 0};
	unsigned char id[32];
	size_t f0, f1;

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"some text", 9, &env, id), 0);
	f0 = frame_offset(&env, 0);
	f1 = frame_offset(&env, 1);
	/* manifest frame longer than a manifest can be */
	blob_put(&bad, env.data, env.len);
	plm_store_u32(bad.data + f0 + 4, PLM_ENVELOPE_MANIFEST_FRAME_MAX + 1);
	CHECK_INT(verify_default(&bad), PLM_ERR_LIMIT);
	CHECK_INT(open_default(&bad), PLM_ERR_LIMIT);
	/* a content frame longer than a chunk */
	memcpy(bad.data, env.data, env.len);
	plm_store_u32(bad.data + f1 + 4, PLM_ENVELOPE_FRAME_MAX + 1);
	CHECK_INT(verify_default(&bad), PLM_ERR_LIMIT);
	/* a frame too short to be ciphertext */
	memcpy(bad.data, env.data, env.len);
	plm_store_u32(bad.data + f1 + 4, 16);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	memcpy(bad.data, env.data, env.len);
	plm_store_u32(bad.data + f0 + 4, 3);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT);
	/* the manifest frame is not frame 0 */
	memcpy(bad.data, env.data, env.len);
	plm_store_u32(bad.data + f0, 1);
	CHECK_INT(verify_default(&bad), PLM_ERR_ORDER);
	/* an end marker with the wrong number */
	memcpy(bad.data, env.data, env.len);
	plm_store_u32(bad.data + env.len - 96 - 8, 3);
	CHECK_INT(verify_default(&bad), PLM_ERR_ORDER);
	/* a frame where the end marker belongs */
	memcpy(bad.data, env.data, env.len);
	plm_store_u32(bad.data + env.len - 96 - 4, 17);
	CHECK_INT(verify_default(&bad), PLM_ERR_FORMAT); /* follows a short frame */
	blob_free(&bad);
	blob_free(&env);
}

static void test_open_output(void)
{
	struct blob env = {NULL, 0};
	unsigned char id[32];
	struct keyring k = keyring_default();
	plm_error err;
	char dest[4200];
	const char *dir;

	fixtures();
	CHECK_INT(seal_buf((const unsigned char *)"abc", 3, &env, id), 0);
	/* a folder that does not exist: an I/O error, nothing created */
	snprintf(dest, sizeof(dest), "%s/missing/doc", check_tmpdir());
	CHECK_INT(open_with(&env, dest, &k, NULL, NULL, NULL, &err), PLM_ERR_IO);
	/* a path naming a folder */
	dir = fresh_dir();
	snprintf(dest, sizeof(dest), "%s/", dir);
	CHECK_INT(open_with(&env, dest, &k, NULL, NULL, NULL, &err), PLM_ERR_INVALID);
	CHECK_INT(dir_count(dir), 0);
	/* no key callback */
	CHECK_INT(plm_envelope_open(0, NULL, NULL, NULL, NULL, NULL, id, &err),
	          PLM_ERR_INVALID);
	/* the header is handed out even when the envelope is then refused */
	{
		plm_envelope_header *h = malloc(sizeof(*h));
		CHECK(h != NULL);
		k.channel_key = other_channel_key;
		CHECK_INT(open_with(&env, NULL, &k, NULL, h, NULL, &err), PLM_ERR_KEY);
		CHECK_STR(h->review_id, "rev-2026-ita");
		free(h);
	}
	blob_free(&env);
}

/* Opening from memory: nothing at all is a truncated envelope, as an empty
 * file is (open_with), and NULL bytes of a nonzero length are refused. */
static void test_open_bytes_edges(void)
{
	struct keyring k = keyring_default();
	struct blob empty = {(unsigned char *)"", 0};
	unsigned char id[32];
	plm_error err;

	plm_error_clear(&err);
	CHECK_INT(open_with(&empty, NULL, &k, NULL, NULL, id, &err), PLM_ERR_TRUNCATED);
	plm_error_clear(&err);
	CHECK_INT(plm_envelope_open_bytes(NULL, NULL, NULL, 0, NULL, keyring_keys, &k,
	                                  NULL, NULL, PLM_ENVELOPE_AUTO, id, &err),
	          PLM_ERR_TRUNCATED);
	plm_error_clear(&err);
	CHECK_INT(plm_envelope_open_bytes(NULL, NULL, NULL, 1, NULL, keyring_keys, &k,
	                                  NULL, NULL, PLM_ENVELOPE_AUTO, id, &err),
	          PLM_ERR_INVALID);
	CHECK(strstr(err.message, "needs its bytes") != NULL);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_manifest_roundtrip),
    CHECK_CASE(test_manifest_strict),
    CHECK_CASE(test_manifest_encode_checks),
    CHECK_CASE(test_roundtrip_0),
    CHECK_CASE(test_roundtrip_1),
    CHECK_CASE(test_roundtrip_65535),
    CHECK_CASE(test_roundtrip_65536),
    CHECK_CASE(test_roundtrip_65537),
    CHECK_CASE(test_roundtrip_3x65536),
    CHECK_CASE(test_roundtrip_1mib),
    CHECK_CASE(test_header_fields),
    CHECK_CASE(test_seal_from_pipe),
    CHECK_CASE(test_seal_size_mismatch),
    CHECK_CASE(test_seal_params),
    CHECK_CASE(test_reader_slicing),
    CHECK_CASE(test_reader_pipelined),
    CHECK_CASE(test_reader_frames_and_offset),
    CHECK_CASE(test_reader_known),
    CHECK_CASE(test_verify_fd),
    CHECK_CASE(test_truncated),
    CHECK_CASE(test_order),
    CHECK_CASE(test_tampering),
    CHECK_CASE(test_keys),
    CHECK_CASE(test_crafted_no_final),
    CHECK_CASE(test_crafted_after_final),
    CHECK_CASE(test_crafted_size_and_commitment),
    CHECK_CASE(test_header_refusals),
    CHECK_CASE(test_frame_refusals),
    CHECK_CASE(test_open_output),
    CHECK_CASE(test_open_bytes_edges),
};

CHECK_MAIN("test_envelope", cases)
