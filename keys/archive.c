/*
 * archive.c - writing and reading the sealed archive of a review (see
 * archive.h, PROTOCOL.md §9).
 *
 * Writer and reader share one notion of order: a section number per tag
 * (deployment records, then channel keys, then the review's records and
 * envelopes together, then the end), strictly ascending log indexes inside
 * the two log sections, channel keys strictly ascending by (epoch, name),
 * and the "before" chain that gives every log entry and the end item the
 * log index of the log entry before it. Both hash every byte they pass
 * (BLAKE2b-256) so that the trailer needs no second pass.
 */
#include "keys/archive.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/codec.h"

#define IO_CHUNK 65536

const char *plm_archive_tag_name(int tag)
{
	switch (tag) {
	case PLM_ARCHIVE_END: return "end";
	case PLM_ARCHIVE_DEPLOYMENT: return "certificate or revocation";
	case PLM_ARCHIVE_CHANNEL_KEY: return "channel key";
	case PLM_ARCHIVE_RECORD: return "record";
	case PLM_ARCHIVE_ENVELOPE: return "envelope";
	default: return "unknown item";
	}
}

/* The section of a tag: the order in which items must come (§9.2). */
static int tag_section(int tag)
{
	switch (tag) {
	case PLM_ARCHIVE_DEPLOYMENT: return 1;
	case PLM_ARCHIVE_CHANNEL_KEY: return 2;
	case PLM_ARCHIVE_RECORD:
	case PLM_ARCHIVE_ENVELOPE: return 3;
	case PLM_ARCHIVE_END: return 4;
	default: return -1;
	}
}

static int is_log_entry(int tag)
{
	return tag == PLM_ARCHIVE_DEPLOYMENT || tag == PLM_ARCHIVE_RECORD ||
	       tag == PLM_ARCHIVE_ENVELOPE;
}

/* Where the order of items stands; the writer and the reader both keep one. */
struct order {
	int section;            /* section of the last item, 0 before the first */
	int have_seq;           /* a log entry of this section was seen */
	uint64_t last_seq;      /* its log index */
	int have_log;           /* any log entry was seen (for the chain) */
	uint64_t last_log;      /* the last log entry's index, any section */
	int have_key;           /* a channel key was seen */
	uint64_t key_epoch;     /* the last channel key's epoch and name */
	char key_name[PLM_RECORD_NAME_MAX + 1];
};

/* The "before" value of the next log entry or end item (§9.2). */
static uint64_t order_before(const struct order *o)
{
	return o->have_log ? o->last_log + 1 : 0;
}

/*
 * Checks that an item of TAG (log index SEQ for log entries; EPOCH and NAME
 * for channel keys) may follow what ORDER saw, under HEAD, and records it.
 * NAME_OF names the item in the sentence.
 */
static int order_next(struct order *o, const plm_tree_head *head, int tag, uint64_t seq,
                      uint64_t epoch, const char *name, const char *item_desc,
                      plm_error *err)
{
	int section = tag_section(tag), fresh;

	if (section < 0)
		return plm_error_set(err, PLM_ERR_FORMAT, "%s: the tag %d is not defined",
		                     item_desc, tag);
	if (section < o->section)
		return plm_error_set(err, PLM_ERR_ORDER,
		                     "%s comes after the section it belongs to: the items "
		                     "are out of order",
		                     item_desc);
	/* Check first, then record: a refused item changes nothing. */
	fresh = section != o->section;
	if (is_log_entry(tag)) {
		if (seq >= head->tree_size)
			return plm_error_set(err, PLM_ERR_PROOF,
			                     "%s is beyond the archive's log head (size %" PRIu64
			                     ")",
			                     item_desc, head->tree_size);
		if (!fresh && o->have_seq && seq <= o->last_seq)
			return plm_error_set(err, PLM_ERR_ORDER,
			                     "%s comes after log index %" PRIu64
			                     ": entries must be in log order; the archive "
			                     "was reordered",
			                     item_desc, o->last_seq);
	} else if (tag == PLM_ARCHIVE_CHANNEL_KEY) {
		if (o->have_key && (epoch < o->key_epoch ||
		                    (epoch == o->key_epoch && strcmp(name, o->key_name) <= 0)))
			return plm_error_set(err, PLM_ERR_ORDER,
			                     "%s is out of order: channel keys are sorted by "
			                     "epoch, then channel name",
			                     item_desc);
	}
	if (fresh) {
		o->section = section;
		o->have_seq = 0;
	}
	if (is_log_entry(tag)) {
		o->have_seq = 1;
		o->last_seq = seq;
		o->have_log = 1;
		o->last_log = seq;
	} else if (tag == PLM_ARCHIVE_CHANNEL_KEY) {
		o->have_key = 1;
		o->key_epoch = epoch;
		snprintf(o->key_name, sizeof(o->key_name), "%s", name);
	}
	return 0;
}

/* "archive item 7 (envelope at log index 14)" into OUT. */
static void describe_item(char *out, size_t cap, uint64_t number, int tag, uint64_t seq)
{
	if (is_log_entry(tag))
		snprintf(out, cap, "archive item %" PRIu64 " (%s at log index %" PRIu64 ")",
		         number, plm_archive_tag_name(tag), seq);
	else
		snprintf(out, cap, "archive item %" PRIu64 " (%s)", number,
		         plm_archive_tag_name(tag));
}

/* ---- writer ------------------------------------------------------------ */

struct plm_archive_writer {
	int fd;
	int failed;
	crypto_generichash_state digest;
	plm_archive_header header; /* policy not kept */
	struct order order;
	uint64_t items;
	size_t used;
	unsigned char buf[IO_CHUNK];
};

/* Writes the buffered bytes to the file. */
static int writer_flush(plm_archive_writer *w, plm_error *err)
{
	size_t off = 0;
	ssize_t k;

	while (off < w->used) {
		k = write(w->fd, w->buf + off, w->used - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->failed = 1;
			return plm_error_set(err, PLM_ERR_IO, "writing the archive failed: %s",
			                     k < 0 ? strerror(errno) : "nothing written");
		}
		off += (size_t)k;
	}
	w->used = 0;
	return 0;
}

/* Appends bytes to the archive (buffered, hashed). */
static int writer_put(plm_archive_writer *w, const void *data, size_t len, plm_error *err)
{
	const unsigned char *p = data;
	size_t n;
	int r;

	crypto_generichash_update(&w->digest, p, len);
	while (len > 0) {
		if (w->used == sizeof(w->buf) && (r = writer_flush(w, err)) != 0)
			return r;
		n = sizeof(w->buf) - w->used;
		if (n > len)
			n = len;
		memcpy(w->buf + w->used, p, n);
		w->used += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* Appends the canonical bytes of B (built by the caller) and frees B. */
static int writer_put_wbuf(plm_archive_writer *w, plm_wbuf *b, plm_error *err)
{
	int r;

	if ((r = plm_wbuf_status(b)) == 0)
		r = writer_put(w, b->data, b->len, err);
	plm_wbuf_free(b);
	return r;
}

int plm_archive_writer_new(plm_archive_writer **out, int fd, const plm_archive_header *h,
                           plm_error *err)
{
	plm_archive_writer *w;
	unsigned char head[PLM_TREE_HEAD_BYTES];
	plm_wbuf b;
	int r;

	*out = NULL;
	if (h == NULL || fd < 0 || h->policy == NULL || h->policy_len == 0 ||
	    h->policy_len > PLM_ARCHIVE_POLICY_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "an archive needs a header and a policy file of 1 byte "
		                     "to %u bytes",
		                     PLM_ARCHIVE_POLICY_MAX);
	if ((r = plm_init(err)) != 0)
		return r;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory for the archive writer");
	w->fd = fd;
	w->header = *h;
	w->header.policy = NULL;
	crypto_generichash_init(&w->digest, NULL, 0, PLM_HASH_BYTES);
	plm_wbuf_init(&b, 1024, "archive header", err);
	plm_wbuf_put(&b, PLM_ARCHIVE_MAGIC, PLM_ARCHIVE_MAGIC_BYTES);
	plm_wbuf_u8(&b, PLM_ARCHIVE_VERSION);
	plm_wbuf_str(&b, "review_id", h->review_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_u64(&b, h->sealed_at);
	plm_wbuf_put(&b, h->sealer, PLM_FPR_BYTES);
	plm_wbuf_put(&b, h->root, PLM_FPR_BYTES);
	plm_wbuf_put(&b, h->archive_pk, PLM_BOX_PK_BYTES);
	plm_tree_head_encode(head, &h->head);
	plm_wbuf_put(&b, head, sizeof(head));
	plm_wbuf_u32(&b, (uint32_t)h->policy_len);
	if ((r = writer_put_wbuf(w, &b, err)) != 0 ||
	    (r = writer_put(w, h->policy, h->policy_len, err)) != 0) {
		plm_archive_writer_free(w);
		return r;
	}
	*out = w;
	return 0;
}

/* Starts the item of TAG: checks the order and writes tag (and before). */
static int writer_item(plm_archive_writer *w, int tag, uint64_t seq, uint64_t epoch,
                       const char *name, plm_wbuf *b, plm_error *err)
{
	char desc[96];
	uint64_t before = order_before(&w->order);
	int r;

	if (w->failed)
		return plm_error_set(err, PLM_ERR_INVALID, "the archive writer failed before");
	describe_item(desc, sizeof(desc), w->items, tag, seq);
	if ((r = order_next(&w->order, &w->header.head, tag, seq, epoch, name, desc, err)) !=
	    0)
		return r;
	w->items++;
	plm_wbuf_u8(b, (uint8_t)tag);
	if (is_log_entry(tag) || tag == PLM_ARCHIVE_END)
		plm_wbuf_u64(b, before);
	return 0;
}

/*
 * Starts log entry TAG at SEQ in B (initialized here): tag, before, seq
 * and PROOF. On failure B is freed.
 */
static int writer_log_entry(plm_archive_writer *w, int tag, uint64_t seq,
                            const plm_merkle_proof *proof, plm_wbuf *b, plm_error *err)
{
	int r;

	plm_wbuf_init(b, 4096, "archive item", err);
	if ((r = writer_item(w, tag, seq, 0, "", b, err)) != 0) {
		plm_wbuf_free(b);
		return r;
	}
	plm_wbuf_u64(b, seq);
	plm_merkle_proof_put(b, proof);
	return 0;
}

int plm_archive_write_record(plm_archive_writer *w, int tag, uint64_t seq,
                             const plm_merkle_proof *proof, const unsigned char *record,
                             size_t len, plm_error *err)
{
	plm_wbuf b;
	int r;

	if ((tag != PLM_ARCHIVE_DEPLOYMENT && tag != PLM_ARCHIVE_RECORD) || record == NULL ||
	    len < PLM_ARCHIVE_RECORD_MIN || len > PLM_RECORD_MAX_BYTES)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "an archived record needs its tag and %d to %zu bytes",
		                     PLM_ARCHIVE_RECORD_MIN, (size_t)PLM_RECORD_MAX_BYTES);
	if ((r = writer_log_entry(w, tag, seq, proof, &b, err)) != 0)
		return r;
	plm_wbuf_u32(&b, (uint32_t)len);
	if ((r = writer_put_wbuf(w, &b, err)) != 0 || (r = writer_put(w, record, len, err)) != 0)
		w->failed = 1;
	return r;
}

int plm_archive_write_channel_key(plm_archive_writer *w, uint64_t epoch,
                                  const char *channel,
                                  const unsigned char key[PLM_KEY_BYTES], plm_error *err)
{
	unsigned char sealed[PLM_SEALED_KEY_BYTES];
	plm_wbuf b;
	int r;

	if (channel == NULL || epoch == 0 || key == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "an archived channel key needs a channel, an epoch of 1 "
		                     "or more and the key");
	plm_wbuf_init(&b, 256, "archive channel key", err);
	if ((r = writer_item(w, PLM_ARCHIVE_CHANNEL_KEY, 0, epoch, channel, &b, err)) != 0 ||
	    (r = plm_key_seal(sealed, key, w->header.archive_pk, err)) != 0) {
		plm_wbuf_free(&b);
		return r;
	}
	plm_wbuf_u64(&b, epoch);
	plm_wbuf_str(&b, "channel", channel, 1, 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME);
	plm_wbuf_put(&b, sealed, sizeof(sealed));
	if ((r = writer_put_wbuf(w, &b, err)) != 0)
		w->failed = 1;
	return r;
}

int plm_archive_write_envelope(plm_archive_writer *w, uint64_t seq,
                               const plm_merkle_proof *proof, int in_fd, uint64_t len,
                               plm_error *err)
{
	unsigned char *chunk = NULL;
	uint64_t left = len;
	plm_wbuf b;
	ssize_t k;
	int r;

	if (in_fd < 0 || len < PLM_ARCHIVE_ENVELOPE_MIN || len > PLM_ARCHIVE_ENVELOPE_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "an archived envelope needs its file and a length");
	if ((r = writer_log_entry(w, PLM_ARCHIVE_ENVELOPE, seq, proof, &b, err)) != 0)
		return r;
	plm_wbuf_u64(&b, len);
	if ((r = writer_put_wbuf(w, &b, err)) != 0)
		goto out;
	if ((chunk = malloc(IO_CHUNK)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory while archiving");
		goto out;
	}
	while (left > 0) {
		k = read(in_fd, chunk, left < IO_CHUNK ? (size_t)left : IO_CHUNK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = plm_error_set(err, PLM_ERR_IO,
			                  "reading the envelope at log index %" PRIu64
			                  " failed: %s",
			                  seq, k < 0 ? strerror(errno) : "it is shorter than stored");
			goto out;
		}
		if ((r = writer_put(w, chunk, (size_t)k, err)) != 0)
			goto out;
		left -= (uint64_t)k;
	}
	do
		k = read(in_fd, chunk, 1);
	while (k < 0 && errno == EINTR);
	if (k != 0)
		r = plm_error_set(err, PLM_ERR_IO,
		                  "the envelope at log index %" PRIu64
		                  " is longer than its stored length",
		                  seq);
out:
	free(chunk);
	if (r != 0)
		w->failed = 1;
	return r;
}

int plm_archive_writer_finish(plm_archive_writer *w, const plm_identity *sealer,
                              plm_error *err)
{
	unsigned char digest[PLM_HASH_BYTES], sig[PLM_SIG_BYTES], fpr[PLM_FPR_BYTES];
	crypto_generichash_state copy;
	plm_wbuf b;
	int r;

	plm_fingerprint(fpr, &sealer->pub);
	if (memcmp(fpr, w->header.sealer, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the archive is signed by another key than its header "
		                     "names as the sealer");
	plm_wbuf_init(&b, 16, "archive end", err);
	if ((r = writer_item(w, PLM_ARCHIVE_END, 0, 0, "", &b, err)) != 0) {
		plm_wbuf_free(&b);
		return r;
	}
	if ((r = writer_put_wbuf(w, &b, err)) != 0)
		return r;
	copy = w->digest;
	crypto_generichash_final(&copy, digest, sizeof(digest));
	if ((r = plm_sign(sig, PLM_ARCHIVE_SIGN_TYPE, digest, sizeof(digest), sealer->sign_sk,
	                  err)) != 0)
		return r;
	if ((r = writer_put(w, digest, sizeof(digest), err)) != 0 ||
	    (r = writer_put(w, sig, sizeof(sig), err)) != 0 || (r = writer_flush(w, err)) != 0)
		return r;
	w->failed = 1; /* nothing more may be written */
	return 0;
}

void plm_archive_writer_free(plm_archive_writer *w)
{
	free(w);
}

/* ---- reader ------------------------------------------------------------ */

struct plm_archive_reader {
	int fd;
	int status;              /* sticky failure */
	plm_error error;         /* its report */
	int done;                /* the trailer was read and the digest matched */
	int envelope_pending;    /* an ENVELOPE item's bytes are still to be read */
	int last_tag;
	uint64_t last_seq;
	uint64_t envelope_left;
	uint64_t offset;         /* bytes consumed */
	uint64_t items;
	crypto_generichash_state digest_state;
	unsigned char digest[PLM_HASH_BYTES];
	unsigned char signature[PLM_SIG_BYTES];
	struct order order;
	plm_archive_header header;
	unsigned char *policy;
	unsigned char *record; /* one record, grown to the largest read */
	size_t record_cap;
	size_t pos, fill;      /* the input buffer */
	unsigned char in[IO_CHUNK];
};

/* Makes failure CODE (with ERR's report, already written) sticky. */
static int reader_fail(plm_archive_reader *r, int code, plm_error *err)
{
	r->status = code;
	if (err != NULL)
		r->error = *err;
	else
		r->error.code = code;
	return code;
}

/* Reports the sticky failure again. */
static int reader_failed(const plm_archive_reader *r, plm_error *err)
{
	if (err != NULL)
		*err = r->error;
	return r->status;
}

/*
 * Reads exactly LEN bytes into OUT (or hashes them only when OUT is NULL),
 * hashing them when HASH. The input ending first is PLM_ERR_TRUNCATED,
 * naming WHAT.
 */
static int reader_take(plm_archive_reader *r, void *out, size_t len, int hash,
                       const char *what, plm_error *err)
{
	unsigned char *p = out;
	size_t n;
	ssize_t k;

	while (len > 0) {
		if (r->pos == r->fill) {
			do
				k = read(r->fd, r->in, sizeof(r->in));
			while (k < 0 && errno == EINTR);
			if (k < 0)
				return plm_error_set(err, PLM_ERR_IO, "reading the archive failed: %s",
				                     strerror(errno));
			if (k == 0)
				return plm_error_set(err, PLM_ERR_TRUNCATED,
				                     "the archive ends at byte %" PRIu64
				                     " in the middle of %s: it is cut short",
				                     r->offset, what);
			r->pos = 0;
			r->fill = (size_t)k;
		}
		n = r->fill - r->pos;
		if (n > len)
			n = len;
		if (hash)
			crypto_generichash_update(&r->digest_state, r->in + r->pos, n);
		if (p != NULL) {
			memcpy(p, r->in + r->pos, n);
			p += n;
		}
		r->pos += n;
		r->offset += n;
		len -= n;
	}
	return 0;
}

/* A str8 of class CLS and length MINLEN..MAXLEN into OUT (cap MAXLEN + 1). */
static int reader_str8(plm_archive_reader *r, const char *what, size_t minlen,
                       size_t maxlen, enum plm_str_class cls, char *out, plm_error *err)
{
	unsigned char len;
	int rc;

	out[0] = '\0';
	if ((rc = reader_take(r, &len, 1, 1, what, err)) != 0)
		return rc;
	if (len < minlen || len > maxlen)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "%s has %u bytes, outside %zu..%zu (byte %" PRIu64 ")", what,
		                     len, minlen, maxlen, r->offset - 1);
	if ((rc = reader_take(r, out, len, 1, what, err)) != 0)
		return rc;
	out[len] = '\0';
	if (!plm_str_valid(out, len, cls))
		return plm_error_set(err, PLM_ERR_FORMAT, "%s holds bytes outside its class", what);
	return 0;
}

static int reader_u64(plm_archive_reader *r, const char *what, uint64_t *v, plm_error *err)
{
	unsigned char b[8];
	int rc;

	if ((rc = reader_take(r, b, 8, 1, what, err)) == 0)
		*v = plm_load_u64(b);
	return rc;
}

static int reader_u32(plm_archive_reader *r, const char *what, uint32_t *v, plm_error *err)
{
	unsigned char b[4];
	int rc;

	if ((rc = reader_take(r, b, 4, 1, what, err)) == 0)
		*v = plm_load_u32(b);
	return rc;
}

/* A §6.5 proof: count, then count hashes. */
static int reader_proof(plm_archive_reader *r, const char *what, plm_merkle_proof *proof,
                        plm_error *err)
{
	unsigned char count;
	unsigned i;
	int rc;

	proof->count = 0;
	if ((rc = reader_take(r, &count, 1, 1, what, err)) != 0)
		return rc;
	if (count > PLM_MERKLE_PROOF_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT, "%s has %u hashes, at most %d allowed",
		                     what, count, PLM_MERKLE_PROOF_MAX);
	for (i = 0; i < count; i++)
		if ((rc = reader_take(r, proof->hashes[i], PLM_MERKLE_HASH_BYTES, 1, what, err)) !=
		    0)
			return rc;
	proof->count = count;
	return 0;
}

int plm_archive_reader_new(plm_archive_reader **out, int fd, plm_error *err)
{
	plm_archive_reader *r;
	unsigned char magic[PLM_ARCHIVE_MAGIC_BYTES], version,
	    head[PLM_TREE_HEAD_BYTES];
	plm_archive_header *h;
	uint32_t policy_len;
	plm_error why;
	int rc;

	*out = NULL;
	if ((rc = plm_init(err)) != 0)
		return rc;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory for the archive reader");
	r->fd = fd;
	h = &r->header;
	crypto_generichash_init(&r->digest_state, NULL, 0, PLM_HASH_BYTES);
	if ((rc = reader_take(r, magic, sizeof(magic), 1, "the magic", err)) != 0)
		goto fail;
	if (memcmp(magic, PLM_ARCHIVE_MAGIC, PLM_ARCHIVE_MAGIC_BYTES) != 0) {
		rc = plm_error_set(err, PLM_ERR_VERSION,
		                   "this is not a Palermo archive (it does not start with "
		                   "PLMA)");
		goto fail;
	}
	if ((rc = reader_take(r, &version, 1, 1, "the version", err)) != 0)
		goto fail;
	if (version != PLM_ARCHIVE_VERSION) {
		rc = plm_error_set(err, PLM_ERR_VERSION,
		                   "archive version %u is not supported (only %d)", version,
		                   PLM_ARCHIVE_VERSION);
		goto fail;
	}
	if ((rc = reader_str8(r, "the header's review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID,
	                      h->review_id, err)) != 0 ||
	    (rc = reader_u64(r, "the header's sealed_at", &h->sealed_at, err)) != 0 ||
	    (rc = reader_take(r, h->sealer, PLM_FPR_BYTES, 1, "the header's sealer", err)) !=
	        0 ||
	    (rc = reader_take(r, h->root, PLM_FPR_BYTES, 1, "the header's root", err)) != 0 ||
	    (rc = reader_take(r, h->archive_pk, PLM_BOX_PK_BYTES, 1,
	                      "the header's archive_pk", err)) != 0 ||
	    (rc = reader_take(r, head, sizeof(head), 1, "the header's log head", err)) != 0)
		goto fail;
	if ((rc = plm_tree_head_decode(&h->head, head, sizeof(head), &why)) != 0) {
		plm_error_set(err, rc, "the archive's log head (header): %s", why.message);
		goto fail;
	}
	if ((rc = reader_u32(r, "the header's policy_len", &policy_len, err)) != 0)
		goto fail;
	if (policy_len == 0 || policy_len > PLM_ARCHIVE_POLICY_MAX) {
		rc = plm_error_set(err, PLM_ERR_LIMIT,
		                   "the archive's policy file has %" PRIu32
		                   " bytes, outside 1..%u",
		                   policy_len, PLM_ARCHIVE_POLICY_MAX);
		goto fail;
	}
	if ((r->policy = malloc(policy_len)) == NULL) {
		rc = plm_error_set(err, PLM_ERR_NOMEM, "out of memory for the archive's policy");
		goto fail;
	}
	if ((rc = reader_take(r, r->policy, policy_len, 1, "the policy file", err)) != 0)
		goto fail;
	h->policy = r->policy;
	h->policy_len = policy_len;
	*out = r;
	return 0;
fail:
	plm_archive_reader_free(r);
	return rc;
}

const plm_archive_header *plm_archive_reader_header(const plm_archive_reader *r)
{
	return &r->header;
}

/* Reads the trailer after the end item and checks the digest and the end. */
static int reader_trailer(plm_archive_reader *r, const char *desc, plm_error *err)
{
	unsigned char stored[PLM_HASH_BYTES], extra;
	crypto_generichash_state copy = r->digest_state;
	int rc;

	crypto_generichash_final(&copy, r->digest, sizeof(r->digest));
	if ((rc = reader_take(r, stored, sizeof(stored), 0, "the trailer's digest", err)) !=
	        0 ||
	    (rc = reader_take(r, r->signature, sizeof(r->signature), 0,
	                      "the trailer's signature", err)) != 0)
		return rc;
	if (sodium_memcmp(stored, r->digest, sizeof(stored)) != 0)
		return plm_error_set(err, PLM_ERR_DIGEST,
		                     "the archive's digest (trailer) does not match its "
		                     "contents: the archive was altered after it was sealed");
	rc = reader_take(r, &extra, 1, 0, "", NULL);
	if (rc == 0)
		return plm_error_set(err, PLM_ERR_TRAILING,
		                     "bytes follow the archive's signature (after %s, at byte "
		                     "%" PRIu64 ")",
		                     desc, r->offset - 1);
	if (rc != PLM_ERR_TRUNCATED)
		return plm_error_set(err, rc, "reading the end of the archive failed");
	return 0;
}

int plm_archive_reader_next(plm_archive_reader *r, plm_archive_item *item,
                            plm_error *err)
{
	char desc[128];
	unsigned char tag;
	uint64_t before, expect;
	uint32_t len32;
	plm_error why;
	int rc;

	memset(item, 0, sizeof(*item));
	if (r->status != 0)
		return reader_failed(r, err);
	if (r->done)
		return 0;
	if (r->envelope_pending)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the envelope of the previous archive item was not read");
	plm_error_clear(&why);
	item->number = r->items;
	item->offset = r->offset;
	snprintf(desc, sizeof(desc), "archive item %" PRIu64, r->items);
	if ((rc = reader_take(r, &tag, 1, 1, desc, &why)) != 0)
		goto fail;
	item->tag = tag;
	if (tag_section(tag) < 0) {
		rc = plm_error_set(&why, PLM_ERR_FORMAT,
		                   "%s has the tag %u, which is not defined (byte %" PRIu64 ")",
		                   desc, tag, r->offset - 1);
		goto fail;
	}
	expect = order_before(&r->order);
	if (is_log_entry(tag) || tag == PLM_ARCHIVE_END) {
		if ((rc = reader_u64(r, desc, &before, &why)) != 0)
			goto fail;
		if (is_log_entry(tag) && (rc = reader_u64(r, desc, &item->seq, &why)) != 0)
			goto fail;
		describe_item(desc, sizeof(desc), r->items, tag, item->seq);
		if (before != expect) {
			if (before == 0)
				rc = plm_error_set(&why, PLM_ERR_ORDER,
				                   "%s claims to be the first log entry, but log index "
				                   "%" PRIu64 " comes before it: the archive was "
				                   "reordered",
				                   desc, expect - 1);
			else if (expect == 0)
				rc = plm_error_set(&why, PLM_ERR_ORDER,
				                   "%s: the entry at log index %" PRIu64
				                   " should come before it, and is missing",
				                   desc, before - 1);
			else
				rc = plm_error_set(&why, PLM_ERR_ORDER,
				                   "%s: the entry before it should be the one at log "
				                   "index %" PRIu64 ", not log index %" PRIu64
				                   ": that entry is missing or the archive was "
				                   "reordered",
				                   desc, before - 1, expect - 1);
			goto fail;
		}
	}
	switch (tag) {
	case PLM_ARCHIVE_END:
		if ((rc = order_next(&r->order, &r->header.head, tag, 0, 0, "", desc, &why)) != 0 ||
		    (rc = reader_trailer(r, desc, &why)) != 0)
			goto fail;
		r->done = 1;
		r->items++;
		return 0;
	case PLM_ARCHIVE_CHANNEL_KEY:
		describe_item(desc, sizeof(desc), r->items, tag, 0);
		if ((rc = reader_u64(r, desc, &item->epoch, &why)) != 0 ||
		    (rc = reader_str8(r, desc, 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME, item->channel,
		                      &why)) != 0 ||
		    (rc = reader_take(r, item->sealed_key, PLM_SEALED_KEY_BYTES, 1, desc, &why)) !=
		        0)
			goto fail;
		if (item->epoch == 0) {
			rc = plm_error_set(&why, PLM_ERR_FORMAT, "%s has epoch 0", desc);
			goto fail;
		}
		if ((rc = order_next(&r->order, &r->header.head, tag, 0, item->epoch,
		                     item->channel, desc, &why)) != 0)
			goto fail;
		break;
	default: /* the log entries */
		if ((rc = order_next(&r->order, &r->header.head, tag, item->seq, 0, "", desc,
		                     &why)) != 0 ||
		    (rc = reader_proof(r, desc, &item->proof, &why)) != 0)
			goto fail;
		if (tag == PLM_ARCHIVE_ENVELOPE) {
			if ((rc = reader_u64(r, desc, &item->envelope_len, &why)) != 0)
				goto fail;
			if (item->envelope_len < PLM_ARCHIVE_ENVELOPE_MIN ||
			    item->envelope_len > PLM_ARCHIVE_ENVELOPE_MAX) {
				rc = plm_error_set(&why, PLM_ERR_LIMIT,
				                   "%s has a length of %" PRIu64 " bytes, out of bounds",
				                   desc, item->envelope_len);
				goto fail;
			}
			r->envelope_pending = 1;
			r->envelope_left = item->envelope_len;
			break;
		}
		if ((rc = reader_u32(r, desc, &len32, &why)) != 0)
			goto fail;
		if (len32 < PLM_ARCHIVE_RECORD_MIN || len32 > PLM_RECORD_MAX_BYTES) {
			rc = plm_error_set(&why, PLM_ERR_LIMIT,
			                   "%s has a length of %" PRIu32 " bytes, outside %d..%zu",
			                   desc, len32, PLM_ARCHIVE_RECORD_MIN,
			                   (size_t)PLM_RECORD_MAX_BYTES);
			goto fail;
		}
		if (len32 > r->record_cap) {
			unsigned char *bigger = realloc(r->record, len32);
			if (bigger == NULL) {
				rc = plm_error_set(&why, PLM_ERR_NOMEM, "out of memory for %s", desc);
				goto fail;
			}
			r->record = bigger;
			r->record_cap = len32;
		}
		if ((rc = reader_take(r, r->record, len32, 1, desc, &why)) != 0)
			goto fail;
		item->record = r->record;
		item->record_len = len32;
		break;
	}
	item->length = r->offset - item->offset + item->envelope_len;
	r->last_tag = tag;
	r->last_seq = item->seq;
	r->items++;
	return 1;
fail:
	plm_error_set(err, rc, "%s", why.message);
	return reader_fail(r, rc, err);
}

int plm_archive_reader_envelope(plm_archive_reader *r,
                                const plm_envelope_handlers *handlers, void *ctx,
                                plm_archive_sink_fn sink, void *sink_ctx,
                                unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	plm_envelope_reader *env = NULL;
	unsigned char *chunk = NULL;
	char desc[128];
	size_t n;
	plm_error why;
	int rc;

	memset(id, 0, PLM_HASH_BYTES);
	if (r->status != 0)
		return reader_failed(r, err);
	if (!r->envelope_pending)
		return plm_error_set(err, PLM_ERR_INVALID, "no envelope of the archive is pending");
	plm_error_clear(&why);
	describe_item(desc, sizeof(desc), r->items - 1, PLM_ARCHIVE_ENVELOPE, r->last_seq);
	if ((chunk = malloc(IO_CHUNK)) == NULL) {
		rc = plm_error_set(&why, PLM_ERR_NOMEM, "out of memory for an envelope");
		goto fail;
	}
	if ((rc = plm_envelope_reader_new(&env, handlers, ctx, &why)) != 0)
		goto fail;
	while (r->envelope_left > 0) {
		n = r->envelope_left < IO_CHUNK ? (size_t)r->envelope_left : IO_CHUNK;
		if ((rc = reader_take(r, chunk, n, 1, desc, &why)) != 0)
			goto fail;
		r->envelope_left -= n;
		if ((rc = plm_envelope_reader_feed(env, chunk, n, &why)) != 0 ||
		    (sink != NULL && (rc = sink(sink_ctx, chunk, n, &why)) != 0)) {
			goto fail_named;
		}
	}
	r->envelope_pending = 0;
	if ((rc = plm_envelope_reader_finish(env, id, &why)) != 0)
		goto fail_named;
	plm_envelope_reader_free(env);
	free(chunk);
	return 0;
fail_named:
	/* The envelope reader's sentence, named by the item it is in. */
	plm_envelope_reader_free(env);
	free(chunk);
	plm_error_set(err, rc, "%s: %s", desc, why.message);
	return reader_fail(r, rc, err);
fail:
	plm_envelope_reader_free(env);
	free(chunk);
	plm_error_set(err, rc, "%s", why.message);
	return reader_fail(r, rc, err);
}

void plm_archive_reader_digest(const plm_archive_reader *r,
                               unsigned char digest[PLM_HASH_BYTES])
{
	memcpy(digest, r->digest, PLM_HASH_BYTES);
}

int plm_archive_reader_verify(const plm_archive_reader *r, const plm_pubkeys *sealer,
                              plm_error *err)
{
	unsigned char fpr[PLM_FPR_BYTES];

	if (!r->done)
		return plm_error_set(err, PLM_ERR_INVALID, "the archive was not read to its end");
	plm_fingerprint(fpr, sealer);
	if (memcmp(fpr, r->header.sealer, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the keys given for the archive's sealer are not the "
		                     "sealer's the header names");
	if (plm_verify(r->signature, PLM_ARCHIVE_SIGN_TYPE, r->digest, PLM_HASH_BYTES,
	               sealer->sign_pk, NULL) != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the archive's signature (trailer) does not verify with "
		                     "its sealer's key: the archive was altered or not sealed "
		                     "by that member");
	return 0;
}

void plm_archive_reader_free(plm_archive_reader *r)
{
	if (r == NULL)
		return;
	free(r->policy);
	free(r->record);
	free(r);
}

int plm_archive_open_channel_key(const plm_archive_header *h,
                                 const plm_archive_item *item,
                                 const plm_identity *archive, unsigned char **key,
                                 plm_error *err)
{
	unsigned char *out;
	int rc;

	*key = NULL;
	if (item->tag != PLM_ARCHIVE_CHANNEL_KEY)
		return plm_error_set(err, PLM_ERR_INVALID, "not a channel key item");
	if (sodium_memcmp(archive->pub.box_pk, h->archive_pk, PLM_BOX_PK_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_KEY,
		                     "this is not the archive key the archive was sealed to");
	if ((out = plm_secret_alloc(PLM_KEY_BYTES)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory for a channel key");
	if ((rc = plm_key_unseal(out, item->sealed_key, archive->pub.box_pk, archive->box_sk,
	                         NULL)) != 0) {
		plm_secret_free(out);
		return plm_error_set(err, PLM_ERR_KEY,
		                     "the key of channel %s, epoch %" PRIu64
		                     " (archive item %" PRIu64 ") does not open with the "
		                     "archive key",
		                     item->channel, item->epoch, item->number);
	}
	*key = out;
	return 0;
}

int plm_archive_check_inclusion(const plm_tree_head *head, const plm_archive_item *item,
                                int kind, const unsigned char id[PLM_HASH_BYTES],
                                plm_error *err)
{
	unsigned char leaf[PLM_MERKLE_HASH_BYTES];
	char desc[128], hex[2 * PLM_HASH_BYTES + 1];
	plm_error why;

	plm_merkle_entry_leaf(leaf, kind, id);
	if (plm_merkle_inclusion_verify(leaf, item->seq, head->tree_size, &item->proof,
	                                head->root_hash, &why) == 0)
		return 0;
	describe_item(desc, sizeof(desc), item->number, item->tag, item->seq);
	plm_hex(hex, id, PLM_HASH_BYTES);
	return plm_error_set(err, PLM_ERR_PROOF,
	                     "%s (id %.16s): its inclusion proof does not lead to the "
	                     "archive's log head (size %" PRIu64 "): %s",
	                     desc, hex, head->tree_size, why.message);
}
