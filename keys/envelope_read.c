/*
 * envelope_read.c - the push reader (key-less verification) and the opener
 * of envelopes (see envelope.h, PROTOCOL.md §7.5).
 *
 * The reader is a byte-driven state machine: each state says how many bytes
 * it still needs, buffers them (at most one frame) and acts when they are
 * all there. It hashes every byte from the magic through the end marker as
 * it arrives, so that the trailer can be checked without a second pass;
 * pipelined (plm_envelope_reader_pipeline), a second thread does that
 * hashing through a ring of buffers while the first parses and stores.
 *
 * The opener decrypts the frames the reader hands it. Pipelined, the
 * content frames go through a ring (envelope_pipe.h) to a second thread
 * that decrypts and writes them while the reader goes on hashing; that
 * thread's errors come first, as they concern earlier bytes.
 */
#define _GNU_SOURCE /* sync_file_range, where there is one */
#include "keys/envelope.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/codec.h"
#include "keys/envelope_pipe.h"
#include "keys/writeback.h"

enum reader_state {
	ST_PREAMBLE,   /* magic, version, header_len */
	ST_HEADER,     /* the header_len bytes of the header */
	ST_FRAME_HEAD, /* u32 seq, u32 len */
	ST_FRAME_BODY, /* len bytes of ciphertext */
	ST_TRAILER,    /* digest and signature */
	ST_DONE,       /* complete and verified: nothing may follow */
	ST_FAILED,     /* sticky error in status */
};

struct plm_envelope_reader {
	plm_envelope_handlers handlers;
	void *ctx;
	enum reader_state state;
	int status;
	plm_error error; /* report of the sticky error */
	crypto_generichash_state digest_state;
	plm_frame_ring *digest_ring; /* hashing on its own thread; NULL: inline */
	unsigned char digest[PLM_HASH_BYTES];
	plm_pubkeys author;
	const plm_envelope_signature *known; /* verified elsewhere; NULL: none */
	int have_header;
	plm_envelope_header header;
	uint64_t offset;       /* bytes accepted so far */
	size_t need;           /* bytes the current state needs in all */
	size_t have;           /* bytes of it buffered (or hashed) */
	uint32_t expected_seq; /* the next frame's sequence number */
	uint32_t frame_seq;
	uint32_t frame_len;
	uint32_t last_content_len; /* len of the previous content frame */
	unsigned char small[PLM_ENVELOPE_TRAILER_BYTES]; /* frame head, trailer */
	unsigned char buf[PLM_ENVELOPE_FRAME_MAX];       /* header or one frame */
};

_Static_assert(PLM_ENVELOPE_FRAME_MAX >= PLM_ENVELOPE_HEADER_MAX_BYTES,
               "the frame buffer also holds the header");

/* Stops the reader with CODE and a message (sticky). Returns CODE. */
static int reader_fail(plm_envelope_reader *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reader_fail(plm_envelope_reader *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error.message, sizeof(r->error.message), fmt, ap);
	va_end(ap);
	r->error.code = code;
	r->status = code;
	r->state = ST_FAILED;
	return code;
}

/*
 * Records a failure whose report a callee already wrote into r->error; fills
 * in a generic sentence when it did not (a caller's callback may not have).
 */
static int reader_fail_reported(plm_envelope_reader *r, int code, const char *what)
{
	if (r->error.code != code || r->error.message[0] == '\0')
		return reader_fail(r, code, "%s: %s", what, plm_strerror(code));
	r->status = code;
	r->state = ST_FAILED;
	return code;
}

int plm_envelope_reader_new(plm_envelope_reader **out,
                            const plm_envelope_handlers *handlers, void *ctx,
                            plm_error *err)
{
	plm_envelope_reader *r;
	int rc;

	*out = NULL;
	if (handlers == NULL || handlers->header == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "an envelope reader needs a header callback that "
		                     "supplies the author's key");
	if ((rc = plm_init(err)) != 0)
		return rc;
	/* Its buffers are filled before they are read: only the rest is cleared. */
	r = malloc(sizeof(*r));
	if (r == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of memory for an envelope reader");
	memset(r, 0, offsetof(plm_envelope_reader, small));
	r->handlers = *handlers;
	r->ctx = ctx;
	r->state = ST_PREAMBLE;
	r->need = PLM_ENVELOPE_PREAMBLE_BYTES;
	crypto_generichash_init(&r->digest_state, NULL, 0, PLM_HASH_BYTES);
	*out = r;
	return 0;
}

void plm_envelope_reader_free(plm_envelope_reader *r)
{
	if (r != NULL)
		plm_frame_ring_free(r->digest_ring);
	free(r);
}

/* The digest ring's consumer: hashes one buffer. Cannot fail. */
static int digest_consume(void *ctx, const unsigned char *buf, size_t len,
                          plm_error *err)
{
	(void)err;
	crypto_generichash_update(ctx, buf, len);
	return 0;
}

int plm_envelope_reader_pipeline(plm_envelope_reader *r, uint64_t size, plm_error *err)
{
	int rc;

	if (r == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "pipelining an envelope reader needs the reader");
	/* Not worth a thread, already done, or past the end marker's digest. */
	if (!plm_frame_ring_wanted(PLM_ENVELOPE_AUTO, size) || r->digest_ring != NULL ||
	    r->status != 0 || r->state == ST_TRAILER || r->state == ST_DONE)
		return 0;
	if ((rc = plm_frame_ring_new(&r->digest_ring, 1, digest_consume,
	                             &r->digest_state, err)) != 0)
		return rc;
	/* No thread: hash inline, without the copy. */
	if (!plm_frame_ring_threaded(r->digest_ring)) {
		plm_frame_ring_free(r->digest_ring);
		r->digest_ring = NULL;
	}
	return 0;
}

/* Hashes LEN bytes of DATA into the envelope's digest (§7.4). */
static void digest_update(plm_envelope_reader *r, const unsigned char *data, size_t len)
{
	/* The consumer never fails, so neither does the ring. */
	if (r->digest_ring != NULL)
		(void)plm_frame_ring_write(r->digest_ring, data, len, NULL);
	else
		crypto_generichash_update(&r->digest_state, data, len);
}

/* The digest of everything through the end marker, into r->digest. */
static void digest_final(plm_envelope_reader *r)
{
	if (r->digest_ring != NULL) {
		(void)plm_frame_ring_finish(r->digest_ring, NULL);
		plm_frame_ring_free(r->digest_ring);
		r->digest_ring = NULL;
	}
	crypto_generichash_final(&r->digest_state, r->digest, PLM_HASH_BYTES);
}

const plm_envelope_header *plm_envelope_reader_header(const plm_envelope_reader *r)
{
	return r != NULL && r->have_header ? &r->header : NULL;
}

uint64_t plm_envelope_reader_offset(const plm_envelope_reader *r)
{
	return r != NULL ? r->offset : 0;
}

/*
 * The preamble so far (r->have of 7 bytes): refuses a wrong magic or version
 * as soon as the byte is there, and a header_len over the bound.
 */
static int preamble_check(plm_envelope_reader *r)
{
	size_t n =
	    r->have < PLM_ENVELOPE_MAGIC_BYTES ? r->have : PLM_ENVELOPE_MAGIC_BYTES;
	size_t header_len;

	if (memcmp(r->buf, PLM_ENVELOPE_MAGIC, n) != 0)
		return reader_fail(
		    r, PLM_ERR_VERSION,
		    "this is not a Palermo envelope (no \"PLME\" magic)");
	if (r->have > 4 && r->buf[4] != PLM_ENVELOPE_VERSION)
		return reader_fail(r, PLM_ERR_VERSION,
		                   "envelope version %u is not supported (expected "
		                   "%d); a newer Palermo may read it",
		                   r->buf[4], PLM_ENVELOPE_VERSION);
	if (r->have < PLM_ENVELOPE_PREAMBLE_BYTES)
		return 0;
	header_len = ((size_t)r->buf[5] << 8) | r->buf[6];
	if (header_len > PLM_ENVELOPE_HEADER_LEN_MAX)
		return reader_fail(r, PLM_ERR_LIMIT,
		                   "the envelope header is %zu bytes long, at most %d "
		                   "are allowed",
		                   header_len, PLM_ENVELOPE_HEADER_LEN_MAX);
	r->state = ST_HEADER;
	r->need = PLM_ENVELOPE_PREAMBLE_BYTES + header_len;
	return 0;
}

/*
 * The whole header is in r->buf: decode it, let the caller check it and
 * name the author's keys, and check that those keys are the author's.
 */
static int header_done(plm_envelope_reader *r)
{
	unsigned char fpr[PLM_FPR_BYTES];
	int rc;

	rc = plm_envelope_header_decode(&r->header, r->buf, r->have, &r->error);
	if (rc != 0)
		return reader_fail_reported(r, rc, "the envelope header is invalid");
	r->have_header = 1;
	plm_error_clear(&r->error);
	rc = r->handlers.header(r->ctx, &r->header, &r->author, &r->error);
	if (rc != 0)
		return reader_fail_reported(r, rc, "the envelope was refused");
	plm_fingerprint(fpr, &r->author);
	if (sodium_memcmp(fpr, r->header.author, PLM_FPR_BYTES) != 0)
		return reader_fail(r, PLM_ERR_MISMATCH,
		                   "the public keys given for the envelope's author "
		                   "do not have the author's fingerprint");
	r->state = ST_FRAME_HEAD;
	r->need = PLM_ENVELOPE_FRAME_HEAD_BYTES;
	r->have = 0;
	r->expected_seq = 0;
	return 0;
}

/* A frame head is complete in r->small: check it (PROTOCOL.md §7.2, §7.5). */
static int frame_head_done(plm_envelope_reader *r)
{
	uint32_t seq = plm_load_u32(r->small);
	uint32_t len = plm_load_u32(r->small + 4);

	if (seq != r->expected_seq)
		return reader_fail(r, PLM_ERR_ORDER,
		                   "envelope frame %u arrived where frame %u was due: "
		                   "frames were reordered, replayed or dropped",
		                   seq, r->expected_seq);
	if (len == 0) {
		/* The end marker. */
		if (seq < 2)
			return reader_fail(r, PLM_ERR_FORMAT,
			                   "the envelope ends before its content: it "
			                   "needs a manifest and at least one content "
			                   "frame");
		digest_final(r);
		r->state = ST_TRAILER;
		r->need = PLM_ENVELOPE_TRAILER_BYTES;
		r->have = 0;
		return 0;
	}
	if (len < PLM_STREAM_ABYTES)
		return reader_fail(r, PLM_ERR_FORMAT,
		                   "envelope frame %u is %u bytes long, shorter than "
		                   "any ciphertext (%d)",
		                   seq, len, PLM_STREAM_ABYTES);
	if (seq == 0) {
		if (len > PLM_ENVELOPE_MANIFEST_FRAME_MAX)
			return reader_fail(r, PLM_ERR_LIMIT,
			                   "the envelope's manifest frame is %u bytes, "
			                   "at most %d are allowed",
			                   len, PLM_ENVELOPE_MANIFEST_FRAME_MAX);
	} else {
		if (len > PLM_ENVELOPE_FRAME_MAX)
			return reader_fail(r, PLM_ERR_LIMIT,
			                   "envelope frame %u is %u bytes, at most %d "
			                   "are allowed",
			                   seq, len, PLM_ENVELOPE_FRAME_MAX);
		if (seq >= 2 && r->last_content_len != PLM_ENVELOPE_FRAME_MAX)
			return reader_fail(r, PLM_ERR_FORMAT,
			                   "envelope frame %u follows a short frame: "
			                   "only the last content chunk may be shorter "
			                   "than 64 KiB",
			                   seq);
		if (seq >= 2 && len == PLM_STREAM_ABYTES)
			return reader_fail(
			    r, PLM_ERR_FORMAT,
			    "envelope frame %u is an empty chunk: only an "
			    "empty document has one",
			    seq);
		if (seq == UINT32_MAX)
			return reader_fail(r, PLM_ERR_LIMIT,
			                   "the envelope has more frames than frame "
			                   "numbers");
	}
	r->frame_seq = seq;
	r->frame_len = len;
	r->state = ST_FRAME_BODY;
	r->need = len;
	r->have = 0;
	return 0;
}

/* A frame's body is complete (in r->buf when there is a frame callback). */
static int frame_body_done(plm_envelope_reader *r)
{
	int rc;

	if (r->handlers.frame != NULL) {
		plm_error_clear(&r->error);
		rc = r->handlers.frame(r->ctx, r->frame_seq, r->buf, r->frame_len,
		                       &r->error);
		if (rc != 0)
			return reader_fail_reported(r, rc,
			                            "an envelope frame was refused");
	}
	if (r->frame_seq >= 1)
		r->last_content_len = r->frame_len;
	r->expected_seq++;
	r->state = ST_FRAME_HEAD;
	r->need = PLM_ENVELOPE_FRAME_HEAD_BYTES;
	r->have = 0;
	return 0;
}

/* The trailer is complete: compare the digest, verify the signature. */
static int trailer_done(plm_envelope_reader *r)
{
	int rc;

	/* PROTOCOL.md §7.3 */
	if (sodium_memcmp(r->small, r->digest, PLM_HASH_BYTES) != 0)
		return reader_fail(r, PLM_ERR_DIGEST,
		                   "the envelope's digest does not match its bytes: "
		                   "it was damaged or altered");
	plm_error_clear(&r->error);
	/* The same signature, digest and key as one already verified: valid. */
	if (r->known != NULL &&
	    memcmp(r->known->sign_pk, r->author.sign_pk, PLM_SIGN_PK_BYTES) == 0 &&
	    memcmp(r->known->digest, r->digest, PLM_HASH_BYTES) == 0 &&
	    memcmp(r->known->sig, r->small + PLM_HASH_BYTES, PLM_SIG_BYTES) == 0)
		rc = 0;
	else
		rc = plm_verify(r->small + PLM_HASH_BYTES, "envelope", r->digest,
		                PLM_HASH_BYTES, r->author.sign_pk, &r->error);
	if (rc == PLM_ERR_SIGNATURE)
		return reader_fail(r, rc,
		                   "the envelope's signature is not its author's: it "
		                   "was forged or re-signed");
	if (rc != 0)
		return reader_fail_reported(r, rc, "verifying the envelope failed");
	r->state = ST_DONE;
	r->have = r->need = 0;
	return 0;
}

/*
 * Takes the bytes the current state still needs from *DATA (*LEN left),
 * buffers them where that state keeps them and hashes them; advances both.
 * The preamble goes one byte at a time, to refuse a wrong magic at once.
 */
static int reader_take(plm_envelope_reader *r, const unsigned char **data, size_t *len)
{
	size_t take = r->state == ST_PREAMBLE ? 1 : r->need - r->have;
	unsigned char *dst = NULL;

	if (r->state == ST_DONE)
		return reader_fail(r, PLM_ERR_TRAILING,
		                   "%zu unexpected bytes follow the envelope's "
		                   "signature",
		                   *len);
	if (take > *len)
		take = *len;
	switch (r->state) {
	case ST_PREAMBLE:
	case ST_HEADER:
		dst = r->buf + r->have;
		break;
	case ST_FRAME_HEAD:
	case ST_TRAILER:
		dst = r->small + r->have;
		break;
	case ST_FRAME_BODY:
		/* Without a frame callback the body is only hashed. */
		dst = r->handlers.frame != NULL ? r->buf + r->have : NULL;
		break;
	default:
		return r->status;
	}
	if (dst != NULL)
		memcpy(dst, *data, take);
	if (r->state != ST_TRAILER) /* the digest covers all but the trailer */
		digest_update(r, *data, take);
	r->have += take;
	r->offset += take;
	*data += take;
	*len -= take;
	return r->state == ST_PREAMBLE ? preamble_check(r) : 0;
}

/* 1 when the current state has all its bytes and can act. */
static int reader_ready(const plm_envelope_reader *r)
{
	switch (r->state) {
	case ST_HEADER:
	case ST_FRAME_HEAD:
	case ST_FRAME_BODY:
	case ST_TRAILER:
		return r->have == r->need;
	default:
		return 0;
	}
}

/* Runs the action of a state whose bytes are all there. */
static int reader_act(plm_envelope_reader *r)
{
	switch (r->state) {
	case ST_HEADER:
		return header_done(r);
	case ST_FRAME_HEAD:
		return frame_head_done(r);
	case ST_FRAME_BODY:
		return frame_body_done(r);
	case ST_TRAILER:
		return trailer_done(r);
	default:
		return r->status;
	}
}

/* PROTOCOL.md §7.5 */
int plm_envelope_reader_feed(plm_envelope_reader *r, const void *data, size_t len,
                             plm_error *err)
{
	const unsigned char *p = data;

	if (r == NULL || (data == NULL && len > 0))
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "feeding an envelope reader needs a reader and data");
	while (r->status == 0) {
		if (reader_ready(r))
			reader_act(r); /* may complete a state that needs no byte */
		else if (len > 0)
			reader_take(r, &p, &len);
		else
			break;
	}
	if (r->status != 0 && err != NULL)
		*err = r->error;
	return r->status;
}

int plm_envelope_reader_finish(plm_envelope_reader *r, unsigned char id[PLM_HASH_BYTES],
                               plm_error *err)
{
	static const char *const where[] = {
	    [ST_PREAMBLE] = "before the end of its header",
	    [ST_HEADER] = "inside its header",
	    [ST_FRAME_HEAD] = "between frames, before the end marker",
	    [ST_FRAME_BODY] = "inside a frame",
	    [ST_TRAILER] = "inside its trailer (digest and signature)",
	};

	if (id != NULL)
		memset(id, 0, PLM_HASH_BYTES);
	if (r == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "finishing an envelope reader needs the reader");
	if (r->status == 0 && r->state != ST_DONE)
		reader_fail(r, PLM_ERR_TRUNCATED,
		            "the envelope is truncated: it ends %s after %llu bytes",
		            where[r->state], (unsigned long long)r->offset);
	if (r->status != 0) {
		if (err != NULL)
			*err = r->error;
		return r->status;
	}
	if (id != NULL)
		memcpy(id, r->digest, PLM_HASH_BYTES);
	return 0;
}

void plm_envelope_reader_known(plm_envelope_reader *r, const plm_envelope_signature *known)
{
	r->known = known;
}

int plm_envelope_reader_signature(const plm_envelope_reader *r,
                                  plm_envelope_signature *out)
{
	if (r->state != ST_DONE)
		return PLM_ERR_INVALID;
	memcpy(out->sign_pk, r->author.sign_pk, PLM_SIGN_PK_BYTES);
	memcpy(out->digest, r->digest, PLM_HASH_BYTES);
	memcpy(out->sig, r->small + PLM_HASH_BYTES, PLM_SIG_BYTES);
	return 0;
}

/* Reads FD to its end into R. PLM_ERR_IO or the reader's error. */
static int reader_feed_fd(plm_envelope_reader *r, int fd, plm_error *err)
{
	unsigned char *chunk = NULL;
	ssize_t k;
	int rc = 0;

	chunk = malloc(PLM_ENVELOPE_FRAME_MAX);
	if (chunk == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of memory while reading an envelope");
	for (;;) {
		k = read(fd, chunk, PLM_ENVELOPE_FRAME_MAX);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = plm_error_set(err, PLM_ERR_IO,
			                   "reading the envelope failed: %s",
			                   strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		if ((rc = plm_envelope_reader_feed(r, chunk, (size_t)k, err)) != 0)
			goto out;
	}
out:
	free(chunk);
	return rc;
}

int plm_envelope_verify_fd(int fd, const plm_envelope_handlers *handlers, void *ctx,
                           unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	plm_envelope_reader *r = NULL;
	int rc;

	if (id != NULL)
		memset(id, 0, PLM_HASH_BYTES);
	if ((rc = plm_envelope_reader_new(&r, handlers, ctx, err)) != 0)
		goto out;
	if ((rc = reader_feed_fd(r, fd, err)) != 0)
		goto out;
	rc = plm_envelope_reader_finish(r, id, err);
out:
	plm_envelope_reader_free(r);
	return rc;
}

/* State of one plm_envelope_open: the reader's callbacks work on it. */
/*
 * The opener's secrets in one piece of secure memory: each sodium_malloc
 * costs several system calls (guard pages, mlock), which a listing of
 * thousands of documents pays for every one of them.
 */
struct plm_envelope_scratch {
	crypto_secretstream_xchacha20poly1305_state stream;
	unsigned char doc_key[PLM_KEY_BYTES];
	unsigned char plain[PLM_ENVELOPE_CHUNK_BYTES];
	plm_manifest manifest;
};

struct opener {
	struct plm_envelope_scratch *secrets;                /* secure memory */
	plm_envelope_keys_fn keys;
	void *keys_ctx;
	plm_envelope_header *header_out;
	unsigned char *doc_key;                              /* secure memory */
	crypto_secretstream_xchacha20poly1305_state *stream; /* secure memory */
	unsigned char *plain;                                /* secure memory */
	plm_manifest *manifest;                              /* secure memory */
	int final_seen;
	size_t plain_used; /* how much of PLAIN may hold plaintext (to wipe) */
	uint64_t content_bytes;
	int out_fd;       /* -1: discard */
	uint64_t flushed; /* plaintext bytes whose writeback was started */
	plm_envelope_mode mode;
	plm_frame_ring *ring; /* content frames, once pipelined (after frame 0) */
	unsigned char *batch; /* the ring buffer being filled, NULL: none */
	size_t fill;
};

/* Header callback of the opener: get and check the keys, start decrypting. */
static int open_header(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                       plm_error *err)
{
	struct opener *o = ctx;
	unsigned char fpr[PLM_FPR_BYTES];
	int rc;

	if (o->header_out != NULL)
		*o->header_out = *h;
	if ((rc = o->keys(o->keys_ctx, h, author, o->doc_key, err)) != 0)
		return rc;
	/* §7.5 step 6 (the reader checks it again when this returns) */
	plm_fingerprint(fpr, author);
	if (sodium_memcmp(fpr, h->author, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the public keys given for the envelope's author "
		                     "do not have the author's fingerprint");
	/* §7.1, §7.5 step 7: whatever its origin, the key must be the committed one. */
	if ((rc = plm_envelope_check_key(h, o->doc_key, err)) != 0)
		return rc;
	if (crypto_secretstream_xchacha20poly1305_init_pull(o->stream, h->stream_header,
	                                                    o->doc_key) != 0)
		return plm_error_set(err, PLM_ERR_DECRYPT,
		                     "the envelope's stream header is invalid");
	return 0;
}

/*
 * Writes the N plaintext bytes of o->plain to the output file, if any
 * (called once o->content_bytes counts them). Every PLM_WRITEBACK_BYTES
 * it asks the kernel to start writing the last stretch back to disk
 * (Linux, keys/writeback.h), so that the disk works while the rest is
 * decrypted and the fsync at the end has little left to wait for. The
 * fsync still decides: this only moves work earlier.
 */
static int open_write(struct opener *o, size_t n, plm_error *err)
{
	ssize_t k;
	size_t done = 0;

	if (o->out_fd < 0)
		return 0;
	while (done < n) {
		k = write(o->out_fd, o->plain + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return plm_error_set(
			    err, PLM_ERR_IO,
			    "writing the decrypted document failed: %s",
			    strerror(errno));
		done += (size_t)k;
	}
	/* o->content_bytes already counts these N bytes: it is the file's size. */
	plm_writeback_start(o->out_fd, &o->flushed, o->content_bytes);
	return 0;
}

/* Notes that up to CLEN bytes of o->plain (a frame's ciphertext length) may be written. */
static void plain_touch(struct opener *o, size_t clen)
{
	if (clen > o->plain_used)
		o->plain_used = clen < PLM_ENVELOPE_CHUNK_BYTES ? clen : PLM_ENVELOPE_CHUNK_BYTES;
}

/*
 * Decrypts content frame SEQ (C, CLEN bytes), checks its tag and the size
 * so far, and writes the plaintext (§7.5). In the ring's thread when
 * pipelined: only it touches the stream, the plaintext and the counters
 * until the ring is finished.
 */
static int open_content(struct opener *o, uint32_t seq, const unsigned char *c,
                        size_t clen, plm_error *err)
{
	unsigned long long plen = 0;
	unsigned char tag = 0;

	if (o->final_seen)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "envelope frame %u follows the FINAL chunk", seq);
	plain_touch(o, clen);
	if (crypto_secretstream_xchacha20poly1305_pull(o->stream, o->plain, &plen, &tag,
	                                               c, clen, NULL, 0) != 0)
		return plm_error_set(err, PLM_ERR_DECRYPT,
		                     "envelope frame %u failed authentication: the "
		                     "document was damaged or altered",
		                     seq);
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
		o->final_seen = 1;
	else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "envelope frame %u has tag %u: content chunks are "
		                     "MESSAGE or, the last, FINAL",
		                     seq, tag);
	if (plen > o->manifest->size - o->content_bytes)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the document is longer than the %llu bytes its "
		                     "manifest says",
		                     (unsigned long long)o->manifest->size);
	o->content_bytes += plen;
	return open_write(o, (size_t)plen, err);
}

/*
 * Consumer of the opener's ring: a buffer holds frames as u32 seq, u32
 * length, ciphertext, one after the other (up to PLM_FRAME_RING_BATCH).
 */
static int open_consume(void *ctx, const unsigned char *batch, size_t len,
                        plm_error *err)
{
	size_t off = 0, clen;
	int rc;

	while (off < len) {
		clen = plm_load_u32(batch + off + 4);
		if ((rc = open_content(ctx, plm_load_u32(batch + off), batch + off + 8,
		                       clen, err)) != 0)
			return rc;
		off += 8 + clen;
	}
	return 0;
}

/* Hands the batch being filled, if any, to the decrypting thread. */
static int open_flush(struct opener *o, plm_error *err)
{
	if (o->batch == NULL)
		return 0;
	o->batch = NULL;
	return plm_frame_ring_push(o->ring, o->fill, err);
}

/* Frame 0: decrypt the manifest (§7.4), then choose how to go on. */
static int open_manifest(struct opener *o, const unsigned char *c, size_t clen,
                         plm_error *err)
{
	unsigned long long plen = 0;
	unsigned char tag = 0;
	int rc;

	plain_touch(o, clen);
	if (crypto_secretstream_xchacha20poly1305_pull(o->stream, o->plain, &plen, &tag,
	                                               c, clen, NULL, 0) != 0)
		return plm_error_set(err, PLM_ERR_DECRYPT,
		                     "envelope frame 0 failed authentication: the "
		                     "document was damaged or altered");
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the envelope's manifest frame has tag %u, "
		                     "not MESSAGE",
		                     tag);
	if ((rc = plm_manifest_decode(o->manifest, o->plain, (size_t)plen, err)) != 0)
		return rc;
	if (plm_frame_ring_wanted(o->mode, o->manifest->size))
		return plm_frame_ring_new(&o->ring, 1, open_consume, o, err);
	return 0;
}

/* Frame callback of the opener: decrypt, check tags and size (§7.5). */
static int open_frame(void *ctx, uint32_t seq, const unsigned char *c, size_t clen,
                      plm_error *err)
{
	struct opener *o = ctx;
	int rc;

	if (seq == 0)
		return open_manifest(o, c, clen, err);
	if (o->ring == NULL)
		return open_content(o, seq, c, clen, err);
	if (o->batch != NULL && o->fill + 8 + clen > PLM_FRAME_RING_SLOT_BYTES &&
	    (rc = open_flush(o, err)) != 0)
		return rc;
	if (o->batch == NULL) {
		if ((rc = plm_frame_ring_slot(o->ring, &o->batch, err)) != 0)
			return rc;
		o->fill = 0;
	}
	plm_store_u32(o->batch + o->fill, seq);
	plm_store_u32(o->batch + o->fill + 4, (uint32_t)clen);
	memcpy(o->batch + o->fill + 8, c, clen);
	o->fill += 8 + clen;
	return 0;
}

/*
 * Creates the temporary file beside PATH: "<dir>/.<name>.XXXXXX", mode 0600,
 * O_EXCL (mkstemp). *TMP_PATH is malloc'd (caller frees), *FD open.
 */
static int temp_create(const char *path, char **tmp_path, int *fd, plm_error *err)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	const char *name = path + dir_len;
	size_t n = strlen(path) + 16;
	char *tmp;

	*tmp_path = NULL;
	*fd = -1;
	if (*name == '\0')
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "the output path \"%s\" names a folder, not a file", path);
	tmp = malloc(n);
	if (tmp == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dir_len, path, name);
	*fd = mkstemp(tmp);
	if (*fd < 0) {
		plm_error_set(err, PLM_ERR_IO,
		              "cannot create a temporary file beside %s: %s", path,
		              strerror(errno));
		free(tmp);
		return PLM_ERR_IO;
	}
	if (fchmod(*fd, S_IRUSR | S_IWUSR) != 0 ||
	    fcntl(*fd, F_SETFD, FD_CLOEXEC) != 0) {
		plm_error_set(err, PLM_ERR_IO, "cannot protect %s: %s", tmp,
		              strerror(errno));
		close(*fd);
		unlink(tmp);
		free(tmp);
		*fd = -1;
		return PLM_ERR_IO;
	}
	*tmp_path = tmp;
	return 0;
}

/* Flushes the folder of PATH so that a rename into it survives a crash. */
static int dir_sync(const char *path, plm_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int fd = -1, rc = 0;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL) {
		rc = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
		rc = plm_error_set(err, PLM_ERR_IO,
		                   "cannot flush the folder %s to disk: %s", dir,
		                   strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/*
 * Wipes S after an opening that wrote at most PLAIN_USED bytes of its
 * plaintext buffer: the rest of it is still zero from the last wipe (a
 * listing of small documents need not clear 64 KiB each time).
 */
static void scratch_wipe(plm_envelope_scratch *s, size_t plain_used)
{
	sodium_memzero(&s->stream, sizeof(s->stream));
	sodium_memzero(s->doc_key, sizeof(s->doc_key));
	sodium_memzero(s->plain, plain_used);
	sodium_memzero(&s->manifest, sizeof(s->manifest));
}

int plm_envelope_scratch_new(plm_envelope_scratch **out, plm_error *err)
{
	int rc;

	*out = NULL;
	if ((rc = plm_init(err)) != 0)
		return rc;
	if ((*out = (plm_envelope_scratch *)plm_secret_alloc(sizeof(**out))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of secure memory while opening an envelope");
	sodium_memzero(*out, sizeof(**out));
	return 0;
}

void plm_envelope_scratch_free(plm_envelope_scratch *s)
{
	plm_secret_free(s); /* sodium_free wipes it */
}

int plm_envelope_open(int in_fd, const char *out_path, plm_envelope_keys_fn keys,
                      void *keys_ctx, plm_manifest *manifest_out,
                      plm_envelope_header *header_out, unsigned char id[PLM_HASH_BYTES],
                      plm_error *err)
{
	return plm_envelope_open_mode(in_fd, out_path, keys, keys_ctx, manifest_out,
	                              header_out, PLM_ENVELOPE_AUTO, id, err);
}

/* Where an opening reads the envelope from: FD, or the LEN bytes at BYTES. */
struct open_source {
	int in_memory;
	int fd;
	const unsigned char *bytes;
	size_t len;
};

/*
 * Feeds the LEN bytes at BYTES to R in the pieces a read of a descriptor
 * would give it, so that both sources drive the reader alike.
 */
static int reader_feed_bytes(plm_envelope_reader *r, const unsigned char *bytes,
                             size_t len, plm_error *err)
{
	size_t k;
	int rc = 0;

	while (rc == 0 && len > 0) {
		k = len < PLM_ENVELOPE_FRAME_MAX ? len : PLM_ENVELOPE_FRAME_MAX;
		rc = plm_envelope_reader_feed(r, bytes, k, err);
		bytes += k;
		len -= k;
	}
	return rc;
}

/*
 * Reads SRC into R and finishes it (digest and signature into DIGEST);
 * then, if O was pipelined, waits for the decrypting thread. The thread's
 * error wins: it concerns bytes before the reader's position, so it is the
 * one a single thread would have met first.
 */
static int open_read(plm_envelope_reader *r, const struct open_source *src,
                     struct opener *o, unsigned char digest[PLM_HASH_BYTES],
                     plm_error *err)
{
	plm_error ring_err;
	int rc, ring_rc = 0;

	rc = src->in_memory ? reader_feed_bytes(r, src->bytes, src->len, err)
	                    : reader_feed_fd(r, src->fd, err);
	if (rc == 0)
		rc = plm_envelope_reader_finish(r, digest, err);
	/* The frames still gathered go first, then everything is decrypted. */
	if (o->ring != NULL &&
	    ((ring_rc = open_flush(o, &ring_err)) != 0 ||
	     (ring_rc = plm_frame_ring_finish(o->ring, &ring_err)) != 0)) {
		if (err != NULL)
			*err = ring_err;
		return ring_rc;
	}
	return rc;
}

/* PROTOCOL.md §7.5 */
int plm_envelope_open_mode(int in_fd, const char *out_path, plm_envelope_keys_fn keys,
                           void *keys_ctx, plm_manifest *manifest_out,
                           plm_envelope_header *header_out, plm_envelope_mode mode,
                           unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	return plm_envelope_open_scratch(NULL, NULL, in_fd, out_path, keys, keys_ctx,
	                                 manifest_out, header_out, mode, id, err);
}

/* plm_envelope_open_scratch and plm_envelope_open_bytes, reading SRC. */
static int open_source(plm_envelope_scratch *scratch, const plm_envelope_signature *known,
                       const struct open_source *src, const char *out_path,
                       plm_envelope_keys_fn keys, void *keys_ctx,
                       plm_manifest *manifest_out, plm_envelope_header *header_out,
                       plm_envelope_mode mode, unsigned char id[PLM_HASH_BYTES],
                       plm_error *err)
{
	static const plm_envelope_handlers handlers = {open_header, open_frame};
	struct opener o;
	plm_envelope_reader *r = NULL;
	unsigned char digest[PLM_HASH_BYTES];
	char *tmp_path = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.out_fd = -1;
	if (id != NULL)
		memset(id, 0, PLM_HASH_BYTES);
	if (header_out != NULL)
		memset(header_out, 0, sizeof(*header_out));
	if (keys == NULL) {
		rc = plm_error_set(err, PLM_ERR_INVALID,
		                   "opening an envelope needs a callback for its keys");
		goto out;
	}
	o.keys = keys;
	o.keys_ctx = keys_ctx;
	o.header_out = header_out;
	o.mode = mode;
	if ((rc = plm_init(err)) != 0)
		goto out;
	o.secrets = scratch;
	if (o.secrets == NULL && (rc = plm_envelope_scratch_new(&o.secrets, err)) != 0)
		goto out;
	o.stream = &o.secrets->stream;
	o.doc_key = o.secrets->doc_key;
	o.plain = o.secrets->plain;
	o.manifest = &o.secrets->manifest;
	memset(o.manifest, 0, sizeof(*o.manifest));
	if (out_path != NULL &&
	    (rc = temp_create(out_path, &tmp_path, &o.out_fd, err)) != 0)
		goto out;

	if ((rc = plm_envelope_reader_new(&r, &handlers, &o, err)) != 0)
		goto out;
	plm_envelope_reader_known(r, known);
	if ((rc = open_read(r, src, &o, digest, err)) != 0)
		goto out;
	/* Signature verified: now the payload's own completeness. */
	if (!o.final_seen) {
		rc = plm_error_set(err, PLM_ERR_NO_FINAL,
		                   "the envelope's content ends without a FINAL chunk: "
		                   "it was cut short");
		goto out;
	}
	if (o.content_bytes != o.manifest->size) {
		rc = plm_error_set(err, PLM_ERR_MISMATCH,
		                   "the document has %llu bytes but its manifest says "
		                   "%llu",
		                   (unsigned long long)o.content_bytes,
		                   (unsigned long long)o.manifest->size);
		goto out;
	}
	if (tmp_path != NULL) {
		rc = fsync(o.out_fd);
		if (close(o.out_fd) != 0)
			rc = -1;
		o.out_fd = -1;
		if (rc != 0) {
			rc = plm_error_set(err, PLM_ERR_IO,
			                   "cannot write the document to disk: %s",
			                   strerror(errno));
			goto out;
		}
		if (rename(tmp_path, out_path) != 0) {
			rc = plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s",
			                   out_path, strerror(errno));
			goto out;
		}
		free(tmp_path);
		tmp_path = NULL;
		if ((rc = dir_sync(out_path, err)) != 0)
			goto out;
	}
	if (manifest_out != NULL)
		*manifest_out = *o.manifest;
	if (id != NULL)
		memcpy(id, digest, PLM_HASH_BYTES);
out:
	if (o.out_fd >= 0)
		close(o.out_fd);
	if (tmp_path != NULL) {
		unlink(tmp_path);
		free(tmp_path);
	}
	plm_frame_ring_free(o.ring); /* before the buffers its thread uses */
	plm_envelope_reader_free(r);
	if (scratch == NULL)
		plm_secret_free(o.secrets); /* and the manifest in it */
	else
		scratch_wipe(scratch, o.plain_used); /* the caller's, reused */
	return rc;
}

int plm_envelope_open_scratch(plm_envelope_scratch *scratch,
                              const plm_envelope_signature *known, int in_fd,
                              const char *out_path, plm_envelope_keys_fn keys,
                              void *keys_ctx, plm_manifest *manifest_out,
                              plm_envelope_header *header_out, plm_envelope_mode mode,
                              unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	struct open_source src = {0, in_fd, NULL, 0};

	return open_source(scratch, known, &src, out_path, keys, keys_ctx, manifest_out,
	                   header_out, mode, id, err);
}

int plm_envelope_open_bytes(plm_envelope_scratch *scratch,
                            const plm_envelope_signature *known,
                            const unsigned char *bytes, size_t len,
                            const char *out_path, plm_envelope_keys_fn keys,
                            void *keys_ctx, plm_manifest *manifest_out,
                            plm_envelope_header *header_out, plm_envelope_mode mode,
                            unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	struct open_source src = {1, -1, bytes, len};

	if (bytes == NULL && len > 0) {
		if (id != NULL)
			memset(id, 0, PLM_HASH_BYTES);
		if (header_out != NULL)
			memset(header_out, 0, sizeof(*header_out));
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "opening an envelope from memory needs its bytes");
	}
	return open_source(scratch, known, &src, out_path, keys, keys_ctx, manifest_out,
	                   header_out, mode, id, err);
}
