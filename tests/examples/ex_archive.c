/*
 * ex_archive.c - the worked example of PROTOCOL.md §9: the smallest archive
 * that shows every kind of item but an envelope. Its log has two entries,
 * the root's own certificate (index 0) and the certificate of the log key
 * (index 1); the head of that log is signed by the log key; one channel key
 * is sealed to the archive key; the root, which here is also the sealer,
 * signs the whole. (A real archive then holds the review's records and
 * envelopes, and a verifier also wants the review's rosters: this one shows
 * the bytes, not a review.)
 *
 *   0x01 the deployment root (and sealer)   0x10 the log key
 *   0x30 the archive key                    channel key: bytes 0x40 .. 0x5f
 */
#include "examples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/archive.h"

#define T_2026_01_01 UINT64_C(1767225600)
#define T_2028_01_01 UINT64_C(1830297600)
#define T_2026_03_01 UINT64_C(1772323200)
#define EXAMPLE_POLICY "# the policy file, byte for byte\n"

static plm_identity *identity(unsigned char n)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_identity *id = NULL;
	plm_error err;
	int r;

	example_seed(seed, n);
	if ((r = plm_identity_from_seed(&id, seed, &err)) != 0)
		example_die("plm_identity_from_seed", r, err.message);
	return id;
}

/* A certificate of KEYS signed by ROOT; *BYTES (malloc'd) and *LEN. */
static void certificate(unsigned char **bytes, size_t *len, uint64_t serial,
                        const char *user, const char *name, uint8_t usage,
                        const plm_identity *keys, const plm_identity *root)
{
	plm_record *rec = NULL;
	plm_certificate *c;
	plm_error err;
	int r;

	if ((r = plm_record_new(&rec, PLM_RECORD_CERTIFICATE, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	c = &rec->body.certificate;
	c->serial = serial;
	snprintf(c->user_id, sizeof(c->user_id), "%s", user);
	snprintf(c->display_name, sizeof(c->display_name), "%s", name);
	snprintf(c->state, sizeof(c->state), "UNODC");
	c->usage = usage;
	c->keys = keys->pub;
	c->not_before = T_2026_01_01;
	c->not_after = T_2028_01_01;
	if ((r = plm_record_encode_sign(rec, root, bytes, len, &err)) != 0)
		example_die("certificate", r, err.message);
	plm_record_free(rec);
}

/* Prints where each part of the archive in F (LEN bytes) starts, read back. */
static void layout(FILE *f, size_t len)
{
	plm_archive_reader *rd = NULL;
	plm_archive_item item;
	char text[2048], hex[2 * PLM_HASH_BYTES + 1];
	unsigned char digest[PLM_HASH_BYTES];
	uint64_t start;
	plm_error err;
	int r;

	r = -1;
	if (lseek(fileno(f), 0, SEEK_SET) != 0 ||
	    (r = plm_archive_reader_new(&rd, fileno(f), &err)) != 0)
		example_die("plm_archive_reader_new", r, err.message);
	snprintf(text, sizeof(text), "offset  length  part");
	start = 0;
	for (;;) {
		if ((r = plm_archive_reader_next(rd, &item, &err)) < 0)
			example_die("plm_archive_reader_next", r, err.message);
		if (r == 0)
			break;
		if (item.number == 0)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
			         "\n%06llx  %6llu  header (magic .. policy)", 0ULL,
			         (unsigned long long)item.offset);
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		         "\n%06llx  %6llu  item %llu: %s", (unsigned long long)item.offset,
		         (unsigned long long)item.length, (unsigned long long)item.number,
		         plm_archive_tag_name(item.tag));
		start = item.offset + item.length;
	}
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	         "\n%06llx  %6d  item 3: end (tag, before)\n%06llx  %6d  trailer (digest, "
	         "signature)",
	         (unsigned long long)start, 9, (unsigned long long)(start + 9),
	         PLM_ARCHIVE_TRAILER_BYTES);
	if (start + 9 + PLM_ARCHIVE_TRAILER_BYTES != len)
		example_die("archive layout", -1, "the parts do not add up");
	plm_archive_reader_digest(rd, digest);
	plm_hex(hex, digest, sizeof(digest));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "\n\ndigest  %s", hex);
	example_text("archive-layout", text);
	plm_archive_reader_free(rd);
}

void examples_archive(void)
{
	plm_identity *root = identity(0x01), *log = identity(0x10), *archive = identity(0x30);
	unsigned char *certs[2] = {NULL, NULL}, id[PLM_HASH_BYTES], leaf[PLM_MERKLE_HASH_BYTES];
	unsigned char channel_key[PLM_KEY_BYTES], *bytes = NULL;
	size_t lens[2], i, len;
	plm_archive_writer *w = NULL;
	plm_archive_header h;
	plm_merkle_proof proofs[2];
	plm_merkle_mem mem;
	plm_error err;
	FILE *f;
	long n = 0;
	int r;

	memset(&err, 0, sizeof(err));
	certificate(&certs[0], &lens[0], 1, "unodc-root", "UNODC Secretariat", PLM_USAGE_ROOT,
	            root, root);
	certificate(&certs[1], &lens[1], 2, "relay-log", "The relay's log key", PLM_USAGE_LOG,
	            log, root);
	plm_merkle_mem_init(&mem);
	for (i = 0; i < 2; i++) {
		plm_hash(id, certs[i], lens[i]);
		plm_merkle_entry_leaf(leaf, PLM_LOG_RECORD, id);
		if ((r = plm_merkle_mem_append_hash(&mem, leaf, &err)) != 0)
			example_die("plm_merkle_mem_append_hash", r, err.message);
	}
	memset(&h, 0, sizeof(h));
	snprintf(h.review_id, sizeof(h.review_id), "rev-2026-ita");
	h.sealed_at = T_2026_03_01;
	plm_fingerprint(h.sealer, &root->pub);
	plm_fingerprint(h.root, &root->pub);
	memcpy(h.archive_pk, archive->pub.box_pk, PLM_BOX_PK_BYTES);
	h.head.tree_size = 2;
	h.head.timestamp = T_2026_03_01 * 1000;
	if ((r = plm_merkle_root(2, plm_merkle_mem_subtree, &mem, h.head.root_hash, &err)) !=
	        0 ||
	    (r = plm_tree_head_sign(&h.head, log, &err)) != 0)
		example_die("tree head", r, err.message);
	for (i = 0; i < 2; i++)
		if ((r = plm_merkle_inclusion_prove(&proofs[i], i, 2, plm_merkle_mem_subtree, &mem,
		                                    &err)) != 0)
			example_die("plm_merkle_inclusion_prove", r, err.message);
	h.policy = (const unsigned char *)EXAMPLE_POLICY;
	h.policy_len = strlen(EXAMPLE_POLICY);
	for (i = 0; i < PLM_KEY_BYTES; i++)
		channel_key[i] = (unsigned char)(0x40 + i);

	if ((f = tmpfile()) == NULL)
		example_die("tmpfile", -1, NULL);
	if ((r = plm_archive_writer_new(&w, fileno(f), &h, &err)) != 0 ||
	    (r = plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 0, &proofs[0], certs[0],
	                                  lens[0], &err)) != 0 ||
	    (r = plm_archive_write_record(w, PLM_ARCHIVE_DEPLOYMENT, 1, &proofs[1], certs[1],
	                                  lens[1], &err)) != 0 ||
	    (r = plm_archive_write_channel_key(w, 1, "review", channel_key, &err)) != 0 ||
	    (r = plm_archive_writer_finish(w, root, &err)) != 0)
		example_die("archive", r, err.message);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (bytes = malloc((size_t)n)) == NULL || fread(bytes, 1, (size_t)n, f) != (size_t)n)
		example_die("reading the archive back", -1, NULL);
	len = (size_t)n;
	example_block("archive",
	              "Archive of review rev-2026-ita sealed 2026-03-01 by the root (example "
	              "seed 0x01): policy file \"" "# the policy file, byte for byte\\n"
	              "\", the root certificate (log index 0) and the log key's certificate "
	              "(seed 0x10, log index 1) with their inclusion proofs in the log head of "
	              "size 2, the key 40 41 .. 5f of channel review, epoch 1, sealed to the "
	              "archive key (seed 0x30), the end item and the trailer",
	              bytes, len);
	layout(f, len);
	fclose(f);
	free(bytes);
	free(certs[0]);
	free(certs[1]);
	plm_archive_writer_free(w);
	plm_merkle_mem_free(&mem);
	plm_identity_free(root);
	plm_identity_free(log);
	plm_identity_free(archive);
}
