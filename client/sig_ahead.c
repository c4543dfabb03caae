/*
 * sig_ahead.c - the authors certified in this run, and one envelope's
 * signature checked ahead (see sig_ahead.h).
 */
#include "client/sig_ahead.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* The authors this run certified: public keys only, found by fingerprint. */
#define AUTHORS_MAX 64
static pthread_mutex_t authors_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	unsigned char fpr[PLM_FPR_BYTES];
	plm_pubkeys keys;
} authors[AUTHORS_MAX];
static size_t authors_n;
static atomic_uint generation;

void sig_ahead_author(const plm_pubkeys *author)
{
	unsigned char fpr[PLM_FPR_BYTES];
	size_t i;

	plm_fingerprint(fpr, author);
	pthread_mutex_lock(&authors_lock);
	for (i = 0; i < authors_n && i < AUTHORS_MAX; i++)
		if (memcmp(authors[i].fpr, fpr, PLM_FPR_BYTES) == 0)
			break;
	if (i == authors_n || i == AUTHORS_MAX) { /* new: the oldest makes room */
		i = authors_n++ % AUTHORS_MAX;
		memcpy(authors[i].fpr, fpr, PLM_FPR_BYTES);
		authors[i].keys = *author;
		atomic_fetch_add(&generation, 1);
	}
	pthread_mutex_unlock(&authors_lock);
}

unsigned sig_ahead_generation(void)
{
	return atomic_load(&generation);
}

/* The reader's header callback: the author's keys, if certified this run. */
static int author_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                       plm_error *err)
{
	size_t i;
	int r = PLM_ERR_NOTFOUND;

	(void)ctx;
	pthread_mutex_lock(&authors_lock);
	for (i = 0; i < authors_n && i < AUTHORS_MAX; i++)
		if (memcmp(authors[i].fpr, h->author, PLM_FPR_BYTES) == 0) {
			*author = authors[i].keys;
			r = 0;
			break;
		}
	pthread_mutex_unlock(&authors_lock);
	return r != 0 ? plm_error_set(err, r, "its author is not certified yet") : 0;
}

int sig_ahead_check(const unsigned char *bytes, size_t len, plm_envelope_signature *out)
{
	static const plm_envelope_handlers handlers = {author_keys, NULL};
	plm_envelope_reader *rd = NULL;
	int r;

	if ((r = plm_envelope_reader_new(&rd, &handlers, NULL, NULL)) != 0)
		return r;
	if ((r = plm_envelope_reader_feed(rd, bytes, len, NULL)) == 0 &&
	    (r = plm_envelope_reader_finish(rd, NULL, NULL)) == 0)
		r = plm_envelope_reader_signature(rd, out);
	plm_envelope_reader_free(rd);
	return r;
}
