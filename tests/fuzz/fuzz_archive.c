/*
 * fuzz_archive.c - libFuzzer target for the sealed archive's streaming
 * reader (keys/archive.h, PROTOCOL.md §9).
 *
 * Input: the archive. It is read from a memfd, item by item, as `palermo
 * archive verify` reads it: records are decoded, every log entry's proof is
 * checked against the header's head, envelopes stream through the key-less
 * envelope reader (the author is a fixed identity, the seed's), channel keys
 * are opened with a fixed archive key, and a complete archive's signature
 * is checked with a fixed sealer. The seed corpus
 * (tests/fuzz/corpus/fuzz_archive/) holds the PROTOCOL.md example and the
 * archive tests/unit/test_archive.c builds (PLM_ARCHIVE_CORPUS=DIR).
 *
 * Invariant beyond memory safety: when the reader reaches the end, the
 * digest it computed is BLAKE2b-256 of every byte but the 96-byte trailer,
 * and the trailer's first 32 bytes are that digest.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keys/archive.h"

static plm_identity *author, *archive_key, *sealer;

static plm_identity *fixed(unsigned char n)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_identity *id = NULL;
	size_t i;

	/* The seeds of tests/unit/fixtures.c and the examples: N, N+1, ... */
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (unsigned char)(n + i);
	if (plm_identity_from_seed(&id, seed, NULL) != 0)
		abort();
	return id;
}

static int header_cb(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                     plm_error *err)
{
	(void)ctx;
	(void)h;
	(void)err;
	*pub = author->pub;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const plm_envelope_handlers handlers = {.header = header_cb};
	plm_archive_reader *r = NULL;
	plm_archive_item item;
	plm_record *rec = NULL;
	unsigned char id[PLM_HASH_BYTES], digest[PLM_HASH_BYTES], *key = NULL;
	int fd, rc;

	if (author == NULL) {
		author = fixed(0x20);
		archive_key = fixed(0x30);
		sealer = fixed(0x01);
	}
	if ((fd = memfd_create("fuzz_archive", 0)) < 0)
		abort();
	if ((size > 0 && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (plm_archive_reader_new(&r, fd, NULL) != 0)
		goto out;
	while ((rc = plm_archive_reader_next(r, &item, NULL)) > 0) {
		switch (item.tag) {
		case PLM_ARCHIVE_CHANNEL_KEY:
			if (plm_archive_open_channel_key(plm_archive_reader_header(r), &item,
			                                 archive_key, &key, NULL) == 0)
				plm_secret_free(key);
			key = NULL;
			break;
		case PLM_ARCHIVE_ENVELOPE:
			if (plm_archive_reader_envelope(r, &handlers, NULL, NULL, NULL, id, NULL) !=
			    0)
				goto out;
			plm_archive_check_inclusion(&plm_archive_reader_header(r)->head, &item,
			                            PLM_LOG_ENVELOPE, id, NULL);
			break;
		default:
			if (plm_record_decode(item.record, item.record_len, &rec, NULL) == 0) {
				plm_archive_check_inclusion(&plm_archive_reader_header(r)->head, &item,
				                            PLM_LOG_RECORD, rec->id, NULL);
				plm_record_free(rec);
				rec = NULL;
			}
			break;
		}
	}
	if (rc == 0) {
		if (size < PLM_ARCHIVE_TRAILER_BYTES)
			abort();
		plm_archive_reader_digest(r, digest);
		plm_hash(id, data, size - PLM_ARCHIVE_TRAILER_BYTES);
		if (memcmp(digest, id, PLM_HASH_BYTES) != 0 ||
		    memcmp(data + size - PLM_ARCHIVE_TRAILER_BYTES, digest, PLM_HASH_BYTES) != 0)
			abort();
		plm_archive_reader_verify(r, &sealer->pub, NULL);
	}
out:
	plm_archive_reader_free(r);
	close(fd);
	return 0;
}
