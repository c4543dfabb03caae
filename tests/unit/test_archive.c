/*
 * test_archive.c - the sealed archive's format (keys/archive.h, PROTOCOL.md
 * §9): a round trip through the writer and the streaming reader, the order
 * rules the writer enforces, the chain that names a missing entry, every
 * truncation and every flipped byte refused, the digest and signature, and
 * channel keys that open only with the archive key.
 *
 * With PLM_ARCHIVE_CORPUS set to a folder, also writes the archive it builds
 * there as a seed of tests/fuzz/corpus/fuzz_archive/.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keys/archive.h"
#include "keys/manifest.h"
#include "tests/unit/check.h"
#include "tests/unit/fixtures.h"

#define REVIEW "rev-2026-ita"
#define POLICY "# policy\n"

/* The people and the log of the test archive. */
static plm_identity *root, *log_key, *archive_key, *author, *stranger;
static unsigned char channel_key[PLM_KEY_BYTES];

/* One entry of the test log: its tag, bytes and id. */
struct entry {
	int tag;
	unsigned char *bytes;
	size_t len;
	unsigned char id[PLM_HASH_BYTES];
};

/* The test archive: four log entries and its bytes. */
static struct entry entries[4];
static plm_tree_head head;
static plm_merkle_proof proofs[4];
static unsigned char *archive;
static size_t archive_len;
static unsigned char envelope_id[PLM_HASH_BYTES];

static int setup_people(void)
{
	if (root != NULL)
		return 0;
	root = fixture_identity(0x01);
	log_key = fixture_identity(0x10);
	archive_key = fixture_identity(0x30);
	author = fixture_identity(0x20);
	stranger = fixture_identity(0x70);
	memset(channel_key, 0x4b, sizeof(channel_key));
	return root && log_key && archive_key && author && stranger ? 0 : -1;
}

/* A certificate of KEYS signed by the root. */
static int certificate(struct entry *e, uint64_t serial, const char *user, uint8_t usage,
                       const plm_identity *keys)
{
	plm_record *rec = NULL;
	int r;

	if (plm_record_new(&rec, PLM_RECORD_CERTIFICATE, NULL) != 0)
		return -1;
	rec->body.certificate.serial = serial;
	SET_STR(rec->body.certificate.user_id, user);
	SET_STR(rec->body.certificate.display_name, user);
	SET_STR(rec->body.certificate.state, "UNODC");
	rec->body.certificate.usage = usage;
	rec->body.certificate.keys = keys->pub;
	rec->body.certificate.not_before = 1767225600;
	rec->body.certificate.not_after = 1830297600;
	r = plm_record_encode_sign(rec, root, &e->bytes, &e->len, NULL);
	plm_record_free(rec);
	if (r == 0)
		plm_hash(e->id, e->bytes, e->len);
	return r;
}

/* A memfd holding LEN bytes of DATA, positioned at 0. */
static int memfd(const unsigned char *data, size_t len)
{
	int fd = memfd_create("archive", 0);

	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* Reads all of FD into a malloc'd buffer. */
static unsigned char *slurp(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	unsigned char *p = malloc(end > 0 ? (size_t)end : 1);

	if (p == NULL || lseek(fd, 0, SEEK_SET) != 0 ||
	    (end > 0 && read(fd, p, (size_t)end) != (ssize_t)end))
		abort();
	*len = (size_t)end;
	return p;
}

/* A small envelope by the author, as entry E. */
static int envelope(struct entry *e)
{
	static const char text[] = "Italy confirms article 5 applies.";
	plm_manifest *m = NULL;
	plm_seal_params p;
	int in, out, r;

	if (plm_manifest_new(&m, NULL) != 0)
		return -1;
	snprintf(m->title, sizeof(m->title), "Answer");
	snprintf(m->mime, sizeof(m->mime), "text/plain");
	m->size = strlen(text);
	memset(&p, 0, sizeof(p));
	p.review_id = REVIEW;
	p.channel = "review";
	p.epoch = 1;
	p.kind = "answer";
	p.created_at = 1767225600;
	p.channel_key = channel_key;
	p.author = author;
	p.manifest = m;
	in = memfd((const unsigned char *)text, strlen(text));
	out = memfd(NULL, 0);
	r = plm_envelope_seal(in, out, &p, e->id, NULL);
	plm_manifest_free(m);
	if (r == 0)
		e->bytes = slurp(out, &e->len);
	close(in);
	close(out);
	return r;
}

/* The header of the test archive. */
static void header(plm_archive_header *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->review_id, sizeof(h->review_id), REVIEW);
	h->sealed_at = 1772323200;
	plm_fingerprint(h->sealer, &root->pub);
	plm_fingerprint(h->root, &root->pub);
	memcpy(h->archive_pk, archive_key->pub.box_pk, PLM_BOX_PK_BYTES);
	h->head = head;
	h->policy = (const unsigned char *)POLICY;
	h->policy_len = strlen(POLICY);
}

/*
 * Builds the test archive once: a log of the root certificate, the log
 * certificate, a record (a third certificate) and an envelope; the head of
 * that log; then the archive with one channel key.
 */
static int build(void)
{
	unsigned char leaf[PLM_MERKLE_HASH_BYTES];
	plm_archive_writer *w = NULL;
	plm_archive_header h;
	plm_merkle_mem mem;
	const char *corpus;
	char path[4096];
	FILE *f;
	int i, fd, r = -1;

	if (archive != NULL)
		return 0;
	if (setup_people() != 0 ||
	    certificate(&entries[0], 1, "unodc-root", PLM_USAGE_ROOT, root) != 0 ||
	    certificate(&entries[1], 2, "relay-log", PLM_USAGE_LOG, log_key) != 0 ||
	    certificate(&entries[2], 3, "it-fp-rossi", PLM_USAGE_MEMBER, author) != 0 ||
	    envelope(&entries[3]) != 0)
		return -1;
	entries[0].tag = entries[1].tag = PLM_ARCHIVE_DEPLOYMENT;
	entries[2].tag = PLM_ARCHIVE_RECORD;
	entries[3].tag = PLM_ARCHIVE_ENVELOPE;
	memcpy(envelope_id, entries[3].id, PLM_HASH_BYTES);
	plm_merkle_mem_init(&mem);
	for (i = 0; i < 4; i++) {
		plm_merkle_entry_leaf(leaf, i == 3 ? PLM_LOG_ENVELOPE : PLM_LOG_RECORD,
		                      entries[i].id);
		if (plm_merkle_mem_append_hash(&mem, leaf, NULL) != 0)
			goto out;
	}
	memset(&head, 0, sizeof(head));
	head.tree_size = 4;
	head.timestamp = 1772323200000;
	if (plm_merkle_root(4, plm_merkle_mem_subtree, &mem, head.root_hash, NULL) != 0 ||
	    plm_tree_head_sign(&head, log_key, NULL) != 0)
		goto out;
	for (i = 0; i < 4; i++)
		if (plm_merkle_inclusion_prove(&proofs[i], (uint64_t)i, 4, plm_merkle_mem_subtree,
		                               &mem, NULL) != 0)
			goto out;
	header(&h);
	fd = memfd(NULL, 0);
	if (plm_archive_writer_new(&w, fd, &h, NULL) != 0 ||
	    plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 0, &proofs[0],
	                             entries[0].bytes, entries[0].len, NULL) != 0 ||
	    plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 1, &proofs[1],
	                             entries[1].bytes, entries[1].len, NULL) != 0 ||
	    plm_archive_write_channel_key(w, 1, "review", channel_key, NULL) != 0 ||
	    plm_archive_write_record(w, PLM_ARCHIVE_RECORD, 2, &proofs[2], entries[2].bytes,
	                             entries[2].len, NULL) != 0)
		goto out_fd;
	{
		int in = memfd(entries[3].bytes, entries[3].len);
		r = plm_archive_write_envelope(w, 3, &proofs[3], in, entries[3].len, NULL);
		close(in);
	}
	if (r != 0 || (r = plm_archive_writer_finish(w, root, NULL)) != 0)
		goto out_fd;
	archive = slurp(fd, &archive_len);
	if ((corpus = getenv("PLM_ARCHIVE_CORPUS")) != NULL) {
		snprintf(path, sizeof(path), "%s/small-review", corpus);
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(archive, 1, archive_len, f);
			fclose(f);
		}
	}
	r = 0;
out_fd:
	close(fd);
out:
	plm_archive_writer_free(w);
	plm_merkle_mem_free(&mem);
	return r;
}

/* Author keys for the envelope reader. */
static int author_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                       plm_error *err)
{
	(void)ctx;
	(void)h;
	(void)err;
	*pub = author->pub;
	return 0;
}

static const plm_envelope_handlers handlers = {.header = author_keys};

/*
 * Reads BYTES (LEN) as an archive to the end and checks the signature:
 * 0, or the first error (its sentence in ERR).
 */
static int read_all(const unsigned char *bytes, size_t len, plm_error *err)
{
	plm_archive_reader *r = NULL;
	plm_archive_item item;
	unsigned char id[PLM_HASH_BYTES];
	int fd = memfd(bytes, len), rc;

	plm_error_clear(err);
	if ((rc = plm_archive_reader_new(&r, fd, err)) != 0)
		goto out;
	while ((rc = plm_archive_reader_next(r, &item, err)) > 0) {
		if (item.tag == PLM_ARCHIVE_ENVELOPE &&
		    (rc = plm_archive_reader_envelope(r, &handlers, NULL, NULL, NULL, id, err)) !=
		        0)
			break;
	}
	if (rc == 0)
		rc = plm_archive_reader_verify(r, &root->pub, err);
out:
	plm_archive_reader_free(r);
	close(fd);
	return rc;
}

static void test_round_trip(void)
{
	plm_archive_reader *r = NULL;
	plm_archive_item item, other;
	const plm_archive_header *h;
	unsigned char id[PLM_HASH_BYTES], digest[PLM_HASH_BYTES], *key = NULL;
	static const int tags[] = {PLM_ARCHIVE_DEPLOYMENT, PLM_ARCHIVE_DEPLOYMENT,
	                           PLM_ARCHIVE_CHANNEL_KEY, PLM_ARCHIVE_RECORD,
	                           PLM_ARCHIVE_ENVELOPE};
	plm_error err;
	int fd, i, e = 0;

	CHECK_INT(build(), 0);
	CHECK_MEM(archive, "PLMA\x01", 5);
	fd = memfd(archive, archive_len);
	CHECK_INT(plm_archive_reader_new(&r, fd, &err), 0);
	h = plm_archive_reader_header(r);
	CHECK_STR(h->review_id, REVIEW);
	CHECK(h->sealed_at == 1772323200);
	CHECK(h->head.tree_size == 4);
	CHECK_MEM(h->head.root_hash, head.root_hash, PLM_HASH_BYTES);
	CHECK_INT(h->policy_len, strlen(POLICY));
	CHECK_MEM(h->policy, POLICY, h->policy_len);
	for (i = 0; i < 5; i++) {
		CHECK_INT(plm_archive_reader_next(r, &item, &err), 1);
		CHECK_INT(item.tag, tags[i]);
		CHECK_INT(item.number, i);
		if (item.tag == PLM_ARCHIVE_CHANNEL_KEY) {
			CHECK(item.epoch == 1);
			CHECK_STR(item.channel, "review");
			CHECK_INT(plm_archive_open_channel_key(h, &item, archive_key, &key, &err), 0);
			CHECK_MEM(key, channel_key, PLM_KEY_BYTES);
			plm_secret_free(key);
			CHECK_INT(plm_archive_open_channel_key(h, &item, stranger, &key, &err),
			          PLM_ERR_KEY);
			CHECK(key == NULL);
			continue;
		}
		CHECK(item.seq == (uint64_t)e);
		if (item.tag == PLM_ARCHIVE_ENVELOPE) {
			CHECK(item.envelope_len == entries[3].len);
			CHECK_INT(plm_archive_reader_next(r, &other, &err), PLM_ERR_INVALID);
			CHECK_INT(plm_archive_reader_envelope(r, &handlers, NULL, NULL, NULL, id, &err),
			          0);
			CHECK_MEM(id, envelope_id, PLM_HASH_BYTES);
			CHECK_INT(plm_archive_check_inclusion(&h->head, &item, PLM_LOG_ENVELOPE, id,
			                                      &err),
			          0);
		} else {
			CHECK(item.record_len == entries[e].len);
			CHECK_MEM(item.record, entries[e].bytes, item.record_len);
			CHECK_INT(plm_archive_check_inclusion(&h->head, &item, PLM_LOG_RECORD,
			                                      entries[e].id, &err),
			          0);
			CHECK_INT(plm_archive_check_inclusion(&h->head, &item, PLM_LOG_ENVELOPE,
			                                      entries[e].id, &err),
			          PLM_ERR_PROOF);
		}
		e++;
	}
	CHECK_INT(plm_archive_reader_next(r, &item, &err), 0);
	CHECK_INT(plm_archive_reader_next(r, &item, &err), 0);
	plm_archive_reader_digest(r, digest);
	plm_hash(id, archive, archive_len - PLM_ARCHIVE_TRAILER_BYTES);
	CHECK_MEM(digest, id, PLM_HASH_BYTES);
	CHECK_MEM(archive + archive_len - PLM_ARCHIVE_TRAILER_BYTES, digest, PLM_HASH_BYTES);
	CHECK_INT(plm_archive_reader_verify(r, &root->pub, &err), 0);
	CHECK_INT(plm_archive_reader_verify(r, &stranger->pub, &err), PLM_ERR_MISMATCH);
	plm_archive_reader_free(r);
	close(fd);
}

static void test_writer_order(void)
{
	plm_archive_writer *w = NULL;
	plm_archive_header h;
	plm_error err;
	int fd;

	CHECK_INT(build(), 0);
	header(&h);
	fd = memfd(NULL, 0);
	CHECK_INT(plm_archive_writer_new(&w, fd, &h, &err), 0);
	CHECK_INT(plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 1, &proofs[1],
	                                   entries[1].bytes, entries[1].len, &err),
	          0);
	/* Log indexes strictly ascending within a section. */
	CHECK_INT(plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 1, &proofs[1],
	                                   entries[1].bytes, entries[1].len, &err),
	          PLM_ERR_ORDER);
	CHECK_INT(plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 0, &proofs[0],
	                                   entries[0].bytes, entries[0].len, &err),
	          PLM_ERR_ORDER);
	/* Nothing at or beyond the head. */
	CHECK_INT(plm_archive_write_record(w, PLM_ARCHIVE_RECORD, 4, &proofs[2],
	                                   entries[2].bytes, entries[2].len, &err),
	          PLM_ERR_PROOF);
	CHECK_INT(plm_archive_write_channel_key(w, 2, "review", channel_key, &err), 0);
	CHECK_INT(plm_archive_write_channel_key(w, 2, "review", channel_key, &err),
	          PLM_ERR_ORDER);
	CHECK_INT(plm_archive_write_channel_key(w, 1, "reviewers", channel_key, &err),
	          PLM_ERR_ORDER);
	CHECK_INT(plm_archive_write_channel_key(w, 2, "reviewers", channel_key, &err), 0);
	CHECK_INT(plm_archive_write_record(w, PLM_ARCHIVE_RECORD, 0, &proofs[0],
	                                   entries[0].bytes, entries[0].len, &err),
	          0);
	/* Sections in order: no certificate or key after the review's entries. */
	CHECK_INT(plm_archive_write_channel_key(w, 3, "review", channel_key, &err),
	          PLM_ERR_ORDER);
	CHECK(strstr(err.message, "out of order") != NULL);
	plm_archive_writer_free(w);
	close(fd);
	/* Only the sealer named in the header may sign. */
	fd = memfd(NULL, 0);
	CHECK_INT(plm_archive_writer_new(&w, fd, &h, &err), 0);
	CHECK_INT(plm_archive_writer_finish(w, stranger, &err), PLM_ERR_MISMATCH);
	plm_archive_writer_free(w);
	close(fd);
}

static void test_every_truncation(void)
{
	plm_error err;
	size_t n;

	CHECK_INT(build(), 0);
	CHECK_INT(read_all(archive, archive_len, &err), 0);
	for (n = 0; n < archive_len; n++) {
		int rc = read_all(archive, n, &err);
		if (rc != PLM_ERR_TRUNCATED) {
			check_fail(__FILE__, __LINE__, "prefix of %zu bytes: %d (%s)", n, rc,
			           err.message);
			return;
		}
	}
}

static void test_trailing_and_magic(void)
{
	unsigned char *copy = malloc(archive_len + 1);
	plm_error err;

	CHECK_INT(build(), 0);
	CHECK(copy != NULL);
	memcpy(copy, archive, archive_len);
	copy[archive_len] = 0;
	CHECK_INT(read_all(copy, archive_len + 1, &err), PLM_ERR_TRAILING);
	copy[0] = 'X';
	CHECK_INT(read_all(copy, archive_len, &err), PLM_ERR_VERSION);
	copy[0] = 'P';
	copy[4] = 2;
	CHECK_INT(read_all(copy, archive_len, &err), PLM_ERR_VERSION);
	free(copy);
}

static void test_every_flipped_byte(void)
{
	unsigned char *copy = malloc(archive_len);
	plm_error err;
	size_t i;

	CHECK_INT(build(), 0);
	CHECK(copy != NULL);
	for (i = 0; i < archive_len; i++) {
		memcpy(copy, archive, archive_len);
		copy[i] ^= 0x01;
		if (read_all(copy, archive_len, &err) == 0) {
			check_fail(__FILE__, __LINE__, "a flip at byte %zu went unnoticed", i);
			break;
		}
	}
	free(copy);
}

/* Finds the offset of the N-th item by reading the good archive. */
static int item_place(uint64_t n, uint64_t *offset, uint64_t *length)
{
	plm_archive_reader *r = NULL;
	plm_archive_item item;
	unsigned char id[PLM_HASH_BYTES];
	int fd = memfd(archive, archive_len), rc, found = -1;

	if (plm_archive_reader_new(&r, fd, NULL) == 0)
		while ((rc = plm_archive_reader_next(r, &item, NULL)) > 0) {
			if (item.number == n) {
				*offset = item.offset;
				*length = item.length;
				found = 0;
				break;
			}
			if (item.tag == PLM_ARCHIVE_ENVELOPE &&
			    plm_archive_reader_envelope(r, &handlers, NULL, NULL, NULL, id, NULL) != 0)
				break;
		}
	plm_archive_reader_free(r);
	close(fd);
	return found;
}

static void test_missing_entry_is_named(void)
{
	unsigned char *cut = malloc(archive_len);
	uint64_t off = 0, len = 0;
	plm_error err;

	CHECK_INT(build(), 0);
	CHECK(cut != NULL);
	/* Item 3 is the review record at log index 2. */
	CHECK_INT(item_place(3, &off, &len), 0);
	CHECK(len > 100 && off + len < archive_len);
	memcpy(cut, archive, off);
	memcpy(cut + off, archive + off + len, archive_len - off - len);
	CHECK_INT(read_all(cut, archive_len - len, &err), PLM_ERR_ORDER);
	CHECK(strstr(err.message, "archive item 3 (envelope at log index 3)") != NULL);
	CHECK(strstr(err.message, "should be the one at log index 2, not log index 1") !=
	      NULL);
	/* The envelope, the last entry: the end item names it. */
	CHECK_INT(item_place(4, &off, &len), 0);
	memcpy(cut, archive, off);
	memcpy(cut + off, archive + off + len, archive_len - off - len);
	CHECK_INT(read_all(cut, archive_len - len, &err), PLM_ERR_ORDER);
	CHECK(strstr(err.message, "log index 3") != NULL);
	free(cut);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_round_trip),
    CHECK_CASE(test_writer_order),
    CHECK_CASE(test_every_truncation),
    CHECK_CASE(test_trailing_and_magic),
    CHECK_CASE(test_every_flipped_byte),
    CHECK_CASE(test_missing_entry_is_named),
};

CHECK_MAIN("test_archive", cases)
