/*
 * envelope.c - envelope header, document key and sealing (see envelope.h,
 * PROTOCOL.md §7). Reading and opening are in envelope_read.c.
 */
#include "keys/envelope.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/codec.h"
#include "keys/envelope_pipe.h"

_Static_assert(PLM_STREAM_HEADER_BYTES ==
                   crypto_secretstream_xchacha20poly1305_HEADERBYTES,
               "secretstream header size");
_Static_assert(PLM_STREAM_ABYTES == crypto_secretstream_xchacha20poly1305_ABYTES,
               "secretstream overhead");
_Static_assert(PLM_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES,
               "secretstream key size");

/* Associated data of the wrapped document key (PROTOCOL.md §7.1). */
#define DOCUMENT_KEY_DOMAIN "palermo/v1/document-key"
#define DOCUMENT_KEY_AD_MAX                                                            \
	(sizeof(DOCUMENT_KEY_DOMAIN) + PLM_ENVELOPE_HEADER_MAX_BYTES)
/* Context of the document key commitment (PROTOCOL.md §3.4, §7.1). */
#define DOCUMENT_COMMIT_CONTEXT "document"
/* Fields after the wrapped key: wrapped key, commitment, stream header. */
#define HEADER_KEY_FIELDS_BYTES                                                        \
	(PLM_WRAPPED_KEY_BYTES + PLM_HASH_BYTES + PLM_STREAM_HEADER_BYTES)

/*
 * Builds the associated data of the wrapped document key in AD (capacity
 * DOCUMENT_KEY_AD_MAX): "palermo/v1/document-key" NUL followed by the first
 * PREFIX_LEN header bytes (magic up to the wrapped key). Returns its length.
 */
static size_t document_key_ad(unsigned char ad[DOCUMENT_KEY_AD_MAX],
                              const unsigned char *raw, size_t prefix_len)
{
	memcpy(ad, DOCUMENT_KEY_DOMAIN, sizeof(DOCUMENT_KEY_DOMAIN));
	memcpy(ad + sizeof(DOCUMENT_KEY_DOMAIN), raw, prefix_len);
	return sizeof(DOCUMENT_KEY_DOMAIN) + prefix_len;
}

/*
 * Reads the header fields that follow the preamble (PROTOCOL.md §7.1) from
 * RB into H. Sticky errors stay in RB.
 */
static void header_fields_decode(plm_rbuf *rb, plm_envelope_header *h, plm_error *err)
{
	const unsigned char *view;
	int r;

	plm_rbuf_str(rb, "review_id", 1, 1, PLM_ENVELOPE_REVIEW_ID_MAX, PLM_STR_ID,
	             h->review_id, sizeof(h->review_id));
	plm_rbuf_str(rb, "channel", 1, 1, PLM_ENVELOPE_NAME_MAX, PLM_STR_NAME,
	             h->channel, sizeof(h->channel));
	if (plm_rbuf_u64(rb, "epoch", &h->epoch) == 0 && h->epoch == 0)
		plm_rbuf_fail(rb, PLM_ERR_FORMAT, "epoch", "epochs start at 1");
	plm_rbuf_str(rb, "kind", 1, 1, PLM_ENVELOPE_NAME_MAX, PLM_STR_NAME, h->kind,
	             sizeof(h->kind));
	plm_rbuf_fixed(rb, "author", h->author, sizeof(h->author));
	plm_rbuf_fixed(rb, "document_id", h->document_id, sizeof(h->document_id));
	if (plm_rbuf_bool(rb, "has_reply", &h->has_reply) == 0 && h->has_reply)
		plm_rbuf_fixed(rb, "reply_to", h->reply_to, sizeof(h->reply_to));
	plm_rbuf_u64(rb, "created_at", &h->created_at);
	if (plm_rbuf_bool(rb, "has_head", &h->has_head) == 0 && h->has_head &&
	    plm_rbuf_view(rb, "head", PLM_TREE_HEAD_BYTES, &view) == 0) {
		r = plm_tree_head_decode(&h->head, view, PLM_TREE_HEAD_BYTES, err);
		if (r != 0)
			plm_rbuf_fail(rb, r, "head", "%s",
			              err ? err->message : plm_strerror(r));
	}
	h->wrapped_key_offset = rb->off;
	plm_rbuf_fixed(rb, "wrapped_key", h->wrapped_key, sizeof(h->wrapped_key));
	plm_rbuf_fixed(rb, "key_commitment", h->key_commitment,
	               sizeof(h->key_commitment));
	plm_rbuf_fixed(rb, "stream_header", h->stream_header, sizeof(h->stream_header));
}

/* PROTOCOL.md §7.1, checked in the order of §7.5 */
int plm_envelope_header_decode(plm_envelope_header *h, const unsigned char *in,
                               size_t len, plm_error *err)
{
	plm_rbuf rb;
	const unsigned char *magic;
	uint8_t version = 0;
	uint16_t header_len = 0;
	size_t raw_len;
	int r;

	memset(h, 0, sizeof(*h));
	plm_rbuf_init(&rb, in, len, "envelope header", err);
	if (plm_rbuf_view(&rb, "magic", PLM_ENVELOPE_MAGIC_BYTES, &magic) == 0 &&
	    memcmp(magic, PLM_ENVELOPE_MAGIC, PLM_ENVELOPE_MAGIC_BYTES) != 0)
		plm_rbuf_fail(&rb, PLM_ERR_VERSION, "magic",
		              "this is not a Palermo envelope (no \"PLME\" magic)");
	if (plm_rbuf_u8(&rb, "version", &version) == 0 &&
	    version != PLM_ENVELOPE_VERSION)
		plm_rbuf_fail(&rb, PLM_ERR_VERSION, "version",
		              "envelope version %u is not supported (expected %d); "
		              "a newer Palermo may read it",
		              version, PLM_ENVELOPE_VERSION);
	if (plm_rbuf_u16(&rb, "header_len", &header_len) == 0 &&
	    header_len > PLM_ENVELOPE_HEADER_LEN_MAX)
		plm_rbuf_fail(&rb, PLM_ERR_LIMIT, "header_len",
		              "%u bytes, at most %d are allowed", header_len,
		              PLM_ENVELOPE_HEADER_LEN_MAX);
	if ((r = rb.status) != 0)
		goto out;
	raw_len = PLM_ENVELOPE_PREAMBLE_BYTES + (size_t)header_len;
	if (len < raw_len) {
		r = plm_error_set(err, PLM_ERR_TRUNCATED,
		                  "the envelope header is truncated: %zu of %zu bytes",
		                  len, raw_len);
		goto out;
	}
	if (len > raw_len) {
		r = plm_error_set(err, PLM_ERR_TRAILING,
		                  "%zu bytes follow the envelope header",
		                  len - raw_len);
		goto out;
	}

	/* The fields must fill header_len exactly: no more, no less. */
	plm_rbuf_init(&rb, in, raw_len, "envelope header", err);
	plm_rbuf_view(&rb, "preamble", PLM_ENVELOPE_PREAMBLE_BYTES, &magic);
	header_fields_decode(&rb, h, err);
	r = plm_rbuf_end(&rb);
	if (r == PLM_ERR_TRUNCATED || r == PLM_ERR_TRAILING) {
		r = plm_error_set(err, PLM_ERR_FORMAT,
		                  "malformed envelope header: header_len (%u) does not "
		                  "equal the size of the header's fields",
		                  header_len);
		goto out;
	}
	if (r != 0)
		goto out;
	memcpy(h->raw, in, raw_len);
	h->raw_len = raw_len;
out:
	if (r != 0)
		memset(h, 0, sizeof(*h));
	return r;
}

int plm_envelope_unwrap_key(const plm_envelope_header *h,
                            const unsigned char channel_key[PLM_KEY_BYTES],
                            unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	unsigned char ad[DOCUMENT_KEY_AD_MAX];
	size_t adlen;
	int r;

	if (h == NULL || channel_key == NULL || doc_key == NULL || h->raw_len == 0)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "unwrapping a document key needs a parsed header "
		                     "and a channel key");
	adlen = document_key_ad(ad, h->raw, h->wrapped_key_offset);
	r = plm_key_unwrap(doc_key, h->wrapped_key, channel_key, ad, adlen, err);
	if (r == PLM_ERR_KEY)
		plm_error_set(err, r,
		              "the document key could not be unwrapped: this is not "
		              "the key of channel \"%s\" at epoch %llu, or the "
		              "envelope's header was altered",
		              h->channel, (unsigned long long)h->epoch);
	return r;
}

int plm_envelope_check_key(const plm_envelope_header *h,
                           const unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	int r;

	if (h == NULL || doc_key == NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "checking a document key needs a header and a key");
	/* PROTOCOL.md §3.4: binding = the 16-byte document id */
	r = plm_key_commit_check(h->key_commitment, DOCUMENT_COMMIT_CONTEXT,
	                         h->document_id, sizeof(h->document_id), doc_key, err);
	if (r == PLM_ERR_COMMITMENT)
		plm_error_set(
		    err, r,
		    "the document key does not match the key the author "
		    "committed to in the envelope header; it must not be used");
	return r;
}

/*
 * Reads up to N bytes from FD into BUF, retrying short reads and EINTR,
 * stopping early only at end of file. *GOT is the count read.
 * PLM_ERR_IO on a read error.
 */
static int read_full(int fd, unsigned char *buf, size_t n, size_t *got, plm_error *err)
{
	ssize_t k;

	*got = 0;
	while (*got < n) {
		k = read(fd, buf + *got, n - *got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return plm_error_set(err, PLM_ERR_IO,
			                     "reading the document failed: %s",
			                     strerror(errno));
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

int plm_write_full(int fd, const unsigned char *buf, size_t n, plm_error *err)
{
	ssize_t k;
	size_t done = 0;

	while (done < n) {
		k = write(fd, buf + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return plm_error_set(err, PLM_ERR_IO,
			                     "writing the envelope failed: %s",
			                     strerror(errno));
		done += (size_t)k;
	}
	return 0;
}

/*
 * Where a seal's bytes go: gathered in BATCH (a buffer of the ring, FILL
 * bytes so far, up to PLM_FRAME_RING_BATCH frames), written to FD by the
 * sealing thread when full, then through the ring to its consumer, which
 * hashes them into DIGEST in the same order. Batches, rather than single
 * frames, make fewer hand-overs between the threads and fewer writes.
 */
struct sealer {
	int fd;
	plm_frame_ring *ring;
	unsigned char *batch; /* NULL: none started */
	size_t fill;
	crypto_generichash_state digest;
};

/*
 * Consumer of the seal's ring: the trailer's digest (PROTOCOL.md §7.3).
 * Pipelined, this is the second thread's half. Measured here in one thread
 * over 128 MiB, BLAKE2b took 0.13 s of CPU and reading, encrypting and
 * writing 0.09 s plus 0.07 s in the kernel: the write stays with the
 * encryption, which leaves the two halves close (moved to this thread, it
 * would make this one the longer).
 */
static int seal_hash(void *ctx, const unsigned char *bytes, size_t len, plm_error *err)
{
	struct sealer *s = ctx;

	if (crypto_generichash_update(&s->digest, bytes, len) != 0)
		return plm_error_set(err, PLM_ERR_CRYPTO,
		                     "hashing the envelope for its signature failed");
	return 0;
}

/* Writes the current batch, if any, and hands it to the digest. */
static int seal_flush(struct sealer *s, plm_error *err)
{
	int r;

	if (s->batch == NULL)
		return 0;
	r = plm_write_full(s->fd, s->batch, s->fill, err);
	s->batch = NULL;
	if (r != 0)
		return r;
	return plm_frame_ring_push(s->ring, s->fill, err);
}

/*
 * Sets *AT where the next LEN bytes (at most one frame) go: in the current
 * batch if they fit, else in a new one, the full one flushed first. The
 * caller then adds what it wrote to s->fill.
 */
static int seal_room(struct sealer *s, size_t len, unsigned char **at, plm_error *err)
{
	int r;

	if (s->batch != NULL && s->fill + len > PLM_FRAME_RING_SLOT_BYTES &&
	    (r = seal_flush(s, err)) != 0)
		return r;
	if (s->batch == NULL) {
		if ((r = plm_frame_ring_slot(s->ring, &s->batch, err)) != 0)
			return r;
		s->fill = 0;
	}
	*at = s->batch + s->fill;
	return 0;
}

/*
 * Builds the header of a new envelope in RAW (PLM_ENVELOPE_HEADER_MAX_BYTES)
 * and *RAW_LEN: the fields of P, DOC_ID, DOC_KEY wrapped under the channel
 * key, its commitment, and the stream header of STREAM, which this
 * initialises for pushing with DOC_KEY. PROTOCOL.md §7.1
 */
static int header_build(unsigned char *raw, size_t *raw_len, const plm_seal_params *p,
                        const unsigned char doc_id[PLM_DOCUMENT_ID_BYTES],
                        const unsigned char doc_key[PLM_KEY_BYTES],
                        crypto_secretstream_xchacha20poly1305_state *stream,
                        plm_error *err)
{
	plm_wbuf b;
	unsigned char author[PLM_FPR_BYTES];
	unsigned char head[PLM_TREE_HEAD_BYTES];
	unsigned char ad[DOCUMENT_KEY_AD_MAX];
	unsigned char *fields = NULL;
	size_t fields_len = 0, header_len, off, adlen;
	int r;

	plm_fingerprint(author, &p->author->pub);
	plm_wbuf_init(&b, PLM_ENVELOPE_HEADER_LEN_MAX - HEADER_KEY_FIELDS_BYTES,
	              "envelope header", err);
	plm_wbuf_str(&b, "review_id", p->review_id, 1, 1, PLM_ENVELOPE_REVIEW_ID_MAX,
	             PLM_STR_ID);
	plm_wbuf_str(&b, "channel", p->channel, 1, 1, PLM_ENVELOPE_NAME_MAX,
	             PLM_STR_NAME);
	plm_wbuf_u64(&b, p->epoch);
	plm_wbuf_str(&b, "kind", p->kind, 1, 1, PLM_ENVELOPE_NAME_MAX, PLM_STR_NAME);
	plm_wbuf_put(&b, author, sizeof(author));
	plm_wbuf_put(&b, doc_id, PLM_DOCUMENT_ID_BYTES);
	plm_wbuf_u8(&b, p->reply_to != NULL);
	if (p->reply_to != NULL)
		plm_wbuf_put(&b, p->reply_to, PLM_HASH_BYTES);
	plm_wbuf_u64(&b, p->created_at);
	plm_wbuf_u8(&b, p->head != NULL);
	if (p->head != NULL) {
		plm_tree_head_encode(head, p->head);
		plm_wbuf_put(&b, head, sizeof(head));
	}
	if ((r = plm_wbuf_finish(&b, &fields, &fields_len)) != 0)
		goto out;

	header_len = fields_len + HEADER_KEY_FIELDS_BYTES;
	memcpy(raw, PLM_ENVELOPE_MAGIC, PLM_ENVELOPE_MAGIC_BYTES);
	raw[4] = PLM_ENVELOPE_VERSION;
	raw[5] = (unsigned char)(header_len >> 8);
	raw[6] = (unsigned char)header_len;
	memcpy(raw + PLM_ENVELOPE_PREAMBLE_BYTES, fields, fields_len);
	off = PLM_ENVELOPE_PREAMBLE_BYTES + fields_len;

	adlen = document_key_ad(ad, raw, off);
	if ((r = plm_key_wrap(raw + off, doc_key, p->channel_key, ad, adlen, err)) != 0)
		goto out;
	off += PLM_WRAPPED_KEY_BYTES;
	plm_key_commit(raw + off, DOCUMENT_COMMIT_CONTEXT, doc_id,
	               PLM_DOCUMENT_ID_BYTES, doc_key);
	off += PLM_HASH_BYTES;
	if (crypto_secretstream_xchacha20poly1305_init_push(stream, raw + off,
	                                                    doc_key) != 0) {
		r = plm_error_set(err, PLM_ERR_CRYPTO,
		                  "starting the document's encryption failed");
		goto out;
	}
	off += PLM_STREAM_HEADER_BYTES;
	*raw_len = off;
out:
	free(fields);
	return r;
}

/*
 * Encrypts PLAIN (LEN bytes) as frame SEQ with secretstream TAG into the
 * current batch (frame head + ciphertext). PROTOCOL.md §7.2
 */
static int frame_push(struct sealer *s, uint32_t seq, const unsigned char *plain,
                      size_t len, unsigned char tag,
                      crypto_secretstream_xchacha20poly1305_state *stream,
                      plm_error *err)
{
	unsigned char *frame;
	unsigned long long clen = 0;
	int r;

	if ((r = seal_room(s, PLM_ENVELOPE_FRAME_HEAD_BYTES + len + PLM_STREAM_ABYTES,
	                   &frame, err)) != 0)
		return r;
	if (crypto_secretstream_xchacha20poly1305_push(
	        stream, frame + PLM_ENVELOPE_FRAME_HEAD_BYTES, &clen, plain, len, NULL,
	        0, tag) != 0)
		return plm_error_set(err, PLM_ERR_CRYPTO,
		                     "encrypting chunk %u of the document failed", seq);
	plm_store_u32(frame, seq);
	plm_store_u32(frame + 4, (uint32_t)clen);
	s->fill += PLM_ENVELOPE_FRAME_HEAD_BYTES + (size_t)clen;
	return 0;
}

/* Checks that P has everything a seal needs. */
static int seal_params_check(const plm_seal_params *p, plm_error *err)
{
	if (p == NULL || p->review_id == NULL || p->channel == NULL ||
	    p->kind == NULL || p->channel_key == NULL || p->author == NULL ||
	    p->manifest == NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "sealing an envelope needs a review, channel, kind, "
		    "channel key, author identity and manifest");
	if (p->epoch == 0)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "sealing an envelope needs an epoch of at least 1");
	if (p->manifest->size > PLM_ENVELOPE_CONTENT_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "a document has at most %llu bytes",
		                     (unsigned long long)PLM_ENVELOPE_CONTENT_MAX);
	return 0;
}

/*
 * PROTOCOL.md §7. One pass over IN_FD; memory: one 64 KiB plaintext buffer
 * (secure memory, also used for the manifest) and the ring's buffers (one,
 * or PLM_FRAME_RING_SLOTS when pipelined), which also carry the header.
 */
int plm_envelope_seal_mode(int in_fd, int out_fd, const plm_seal_params *p,
                           plm_envelope_mode mode, unsigned char id[PLM_HASH_BYTES],
                           plm_error *err)
{
	crypto_secretstream_xchacha20poly1305_state *stream = NULL;
	struct sealer s;
	unsigned char *doc_key = NULL, *plain = NULL, *raw;
	unsigned char doc_id[PLM_DOCUMENT_ID_BYTES];
	unsigned char end_and_trailer[PLM_ENVELOPE_FRAME_HEAD_BYTES +
	                              PLM_ENVELOPE_TRAILER_BYTES];
	unsigned char *trailer = end_and_trailer + PLM_ENVELOPE_FRAME_HEAD_BYTES;
	size_t raw_len = 0, manifest_len = 0, want, got, extra;
	uint64_t remaining;
	uint32_t seq;
	plm_error ring_err;
	int r, last, ring_r;

	memset(&s, 0, sizeof(s));
	s.fd = out_fd;
	crypto_generichash_init(&s.digest, NULL, 0, PLM_HASH_BYTES);
	if (id != NULL)
		memset(id, 0, PLM_HASH_BYTES);
	if ((r = plm_init(err)) != 0 || (r = seal_params_check(p, err)) != 0)
		goto out;
	if ((r = plm_key_new(&doc_key, err)) != 0)
		goto out;
	/* One spare byte after a full chunk, to find input beyond the size. */
	plain = plm_secret_alloc(PLM_ENVELOPE_CHUNK_BYTES + 1);
	stream = (crypto_secretstream_xchacha20poly1305_state *)plm_secret_alloc(
	    sizeof(*stream));
	if (plain == NULL || stream == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM,
		                  "out of memory while sealing a document");
		goto out;
	}
	if ((r = plm_frame_ring_new(&s.ring, plm_frame_ring_wanted(mode, p->manifest->size),
	                            seal_hash, &s, err)) != 0)
		goto out;
	if ((r = plm_manifest_encode(p->manifest, plain, PLM_MANIFEST_MAX_BYTES,
	                             &manifest_len, err)) != 0)
		goto out;
	randombytes_buf(doc_id, sizeof(doc_id));

	/* §7.1 header, at the start of the first batch */
	if ((r = seal_room(&s, PLM_ENVELOPE_HEADER_MAX_BYTES, &raw, err)) != 0 ||
	    (r = header_build(raw, &raw_len, p, doc_id, doc_key, stream, err)) != 0)
		goto out;
	s.fill += raw_len;

	/* §7.2 frame 0: the manifest */
	r = frame_push(&s, 0, plain, manifest_len,
	               crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, stream, err);
	sodium_memzero(plain, manifest_len);
	if (r != 0)
		goto out;

	/* §7.2 frames 1..n: the content, the last chunk tagged FINAL */
	remaining = p->manifest->size;
	seq = 1;
	do {
		want = remaining < PLM_ENVELOPE_CHUNK_BYTES ? (size_t)remaining
		                                            : PLM_ENVELOPE_CHUNK_BYTES;
		if ((r = read_full(in_fd, plain, want, &got, err)) != 0)
			goto out;
		if (got < want) {
			r = plm_error_set(
			    err, PLM_ERR_MISMATCH,
			    "the document has %llu bytes but its manifest says %llu; "
			    "nothing was sealed",
			    (unsigned long long)(p->manifest->size - remaining + got),
			    (unsigned long long)p->manifest->size);
			goto out;
		}
		remaining -= want;
		last = remaining == 0;
		if (last) {
			if ((r = read_full(in_fd, plain + want, 1, &extra, err)) != 0)
				goto out;
			if (extra != 0) {
				r = plm_error_set(
				    err, PLM_ERR_MISMATCH,
				    "the document is longer than the %llu bytes its "
				    "manifest says; nothing was sealed",
				    (unsigned long long)p->manifest->size);
				goto out;
			}
		}
		r = frame_push(&s, seq, plain, want,
		               last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
		                    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
		               stream, err);
		if (r != 0)
			goto out;
		seq++;
	} while (!last);

	/* §7.2 end marker (hashed), §7.3 trailer: digest and signature */
	plm_store_u32(end_and_trailer, seq);
	plm_store_u32(end_and_trailer + 4, 0);
	if ((r = seal_room(&s, PLM_ENVELOPE_FRAME_HEAD_BYTES, &raw, err)) != 0)
		goto out;
	memcpy(raw, end_and_trailer, PLM_ENVELOPE_FRAME_HEAD_BYTES);
	s.fill += PLM_ENVELOPE_FRAME_HEAD_BYTES;
	if ((r = seal_flush(&s, err)) != 0 || (r = plm_frame_ring_finish(s.ring, err)) != 0)
		goto out;
	crypto_generichash_final(&s.digest, trailer, PLM_HASH_BYTES);
	if ((r = plm_sign(trailer + PLM_HASH_BYTES, "envelope", trailer, PLM_HASH_BYTES,
	                  p->author->sign_sk, err)) != 0)
		goto out;
	if ((r = plm_write_full(out_fd, trailer, PLM_ENVELOPE_TRAILER_BYTES, err)) != 0)
		goto out;
	if (id != NULL)
		memcpy(id, trailer, PLM_HASH_BYTES);
out:
	/*
	 * A failure with frames still in the ring: let them be hashed first,
	 * and if that fails, report it, as one thread would have (those bytes
	 * came earlier).
	 */
	if (r != 0 && s.ring != NULL &&
	    (ring_r = plm_frame_ring_finish(s.ring, &ring_err)) != 0) {
		r = ring_r;
		if (err != NULL)
			*err = ring_err;
	}
	plm_frame_ring_free(s.ring);
	sodium_memzero(&s.digest, sizeof(s.digest));
	plm_secret_free(doc_key);
	plm_secret_free(plain);
	plm_secret_free(stream);
	return r;
}

int plm_envelope_seal(int in_fd, int out_fd, const plm_seal_params *p,
                      unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	return plm_envelope_seal_mode(in_fd, out_fd, p, PLM_ENVELOPE_AUTO, id, err);
}
