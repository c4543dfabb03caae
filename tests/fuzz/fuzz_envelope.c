/*
 * fuzz_envelope.c - libFuzzer target for the envelope push reader and the
 * opener (keys/envelope.h, PROTOCOL.md §7.5).
 *
 * Input: two bytes of slicing seed, then the envelope. The seed drives a
 * small generator that cuts the envelope into slices of 1 to 4096 bytes
 * (or, for odd seeds, 1 to 70000), so that every state of the reader meets
 * every split point; bit 1 of the seed adds a frame callback (the buffered
 * path), bit 2 also opens the envelope from a memfd with the fixed channel
 * key (the decrypting path). The author is a fixed identity; the seed
 * corpus was sealed with it (tests/fuzz/corpus/fuzz_envelope/).
 *
 * Invariants checked beyond memory safety: an accepted envelope's id is the
 * BLAKE2b-256 of all but its 96-byte trailer, the sliced reader agrees with
 * itself fed in one piece, and whatever the opener accepts the key-less
 * reader accepts with the same id.
 */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keys/envelope.h"

static plm_identity *author;
static unsigned char channel_key[PLM_KEY_BYTES];

static void setup(void)
{
	unsigned char seed[PLM_SEED_BYTES];

	if (author != NULL)
		return;
	memset(seed, 0x46, sizeof(seed)); /* 'F' */
	if (plm_identity_from_seed(&author, seed, NULL) != 0)
		abort();
	memset(channel_key, 0x4b, sizeof(channel_key)); /* 'K' */
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

static int frame_cb(void *ctx, uint32_t seq, const unsigned char *c, size_t len,
                    plm_error *err)
{
	uint32_t *expected = ctx;
	volatile unsigned char sink = 0;
	size_t i;

	(void)err;
	if (seq != *expected || len < PLM_STREAM_ABYTES || len > PLM_ENVELOPE_FRAME_MAX)
		abort();
	for (i = 0; i < len; i += 4096)
		sink ^= c[i]; /* touch the buffer: ASan checks its bounds */
	(void)sink;
	(*expected)++;
	return 0;
}

static int keys_cb(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                   unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	(void)ctx;
	*pub = author->pub;
	return plm_envelope_unwrap_key(h, channel_key, doc_key, err);
}

/* Feeds ENV to a fresh reader in slices from SEED; returns the status. */
static int read_sliced(const uint8_t *env, size_t len, uint32_t seed, int with_frames,
                       unsigned char id[PLM_HASH_BYTES])
{
	plm_envelope_handlers h = {header_cb, with_frames ? frame_cb : NULL};
	plm_envelope_reader *r = NULL;
	uint32_t expected = 0, state = seed * 2654435761u + 1;
	size_t off = 0, n, max = (seed & 1) ? 70000 : 4096;
	int rc;

	if (plm_envelope_reader_new(&r, &h, &expected, NULL) != 0)
		abort();
	while (off < len) {
		state = state * 1103515245u + 12345u;
		n = 1 + (state >> 8) % max;
		if (n > len - off)
			n = len - off;
		if ((rc = plm_envelope_reader_feed(r, env + off, n, NULL)) != 0)
			goto out;
		off += n;
	}
	rc = plm_envelope_reader_finish(r, id, NULL);
out:
	plm_envelope_reader_free(r);
	return rc;
}

static int open_memfd(const uint8_t *env, size_t len, unsigned char id[PLM_HASH_BYTES])
{
	int fd = memfd_create("envelope", MFD_CLOEXEC), rc;
	size_t off = 0;
	ssize_t k;

	if (fd < 0)
		abort();
	while (off < len) {
		k = write(fd, env + off, len - off);
		if (k <= 0)
			abort();
		off += (size_t)k;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	rc = plm_envelope_open(fd, NULL, keys_cb, NULL, NULL, NULL, id, NULL);
	close(fd);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char id[PLM_HASH_BYTES], id_whole[PLM_HASH_BYTES],
	    id_open[PLM_HASH_BYTES], digest[PLM_HASH_BYTES];
	uint32_t seed;
	int rc, rc_whole, rc_open;

	setup();
	if (size < 2)
		return 0;
	seed = ((uint32_t)data[0] << 8) | data[1];
	data += 2;
	size -= 2;

	rc = read_sliced(data, size, seed, (seed >> 1) & 1, id);
	rc_whole = read_sliced(data, size, 0, 0, id_whole);
	if (rc_whole == 0) {
		/* slicing may only change where an error is seen, not whether */
		if (rc != 0 || memcmp(id, id_whole, sizeof(id)) != 0)
			abort();
		if (size < PLM_ENVELOPE_TRAILER_BYTES)
			abort();
		crypto_generichash(digest, sizeof(digest), data,
		                   size - PLM_ENVELOPE_TRAILER_BYTES, NULL, 0);
		if (memcmp(digest, id, sizeof(id)) != 0)
			abort();
	}
	if ((seed >> 2) & 1) {
		rc_open = open_memfd(data, size, id_open);
		if (rc_open == 0 &&
		    (rc_whole != 0 || memcmp(id_open, id_whole, sizeof(id)) != 0))
			abort();
	}
	return 0;
}
