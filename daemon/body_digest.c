/* body_digest.c - a request body's SHA-256, on a thread of its own when large. */
#include "daemon/body_digest.h"

#include <string.h>

/* The ring's consumer: hashes one buffer of body. Cannot fail. */
static int hash_buffer(void *ctx, const unsigned char *buf, size_t len, plm_error *err)
{
	(void)err;
	plm_content_digest_update(ctx, buf, len);
	return 0;
}

void body_digest_init(struct body_digest *d, uint64_t expected)
{
	memset(d, 0, sizeof(*d));
	plm_content_digest_init(&d->state);
	if (!plm_frame_ring_wanted(PLM_ENVELOPE_AUTO, expected) ||
	    plm_frame_ring_new(&d->ring, 1, hash_buffer, &d->state, NULL) != 0)
		return;
	/* No thread (the system refused one): inline, without the copy. */
	if (!plm_frame_ring_threaded(d->ring)) {
		plm_frame_ring_free(d->ring);
		d->ring = NULL;
	}
}

void body_digest_update(struct body_digest *d, const void *data, size_t len)
{
	/* The consumer never fails, so neither does the ring. */
	if (d->ring != NULL)
		(void)plm_frame_ring_write(d->ring, data, len, NULL);
	else
		plm_content_digest_update(&d->state, data, len);
}

void body_digest_final(struct body_digest *d, unsigned char sha256[PLM_SHA256_BYTES])
{
	if (d->ring != NULL) {
		(void)plm_frame_ring_finish(d->ring, NULL);
		plm_frame_ring_free(d->ring);
		d->ring = NULL;
	}
	plm_content_digest_final(&d->state, sha256, NULL);
}

void body_digest_free(struct body_digest *d)
{
	plm_frame_ring_free(d->ring);
	d->ring = NULL;
}
