/*
 * envelope_tool.c - seals or opens one envelope between files, for
 * measuring time and peak memory from outside (/usr/bin/time -v):
 *
 *   envelope_tool seal IN OUT     seal IN (any size) into envelope OUT
 *   envelope_tool seal1 IN OUT    the same in one thread (PLM_ENVELOPE_SERIAL)
 *   envelope_tool open IN OUT     verify and decrypt envelope IN into OUT
 *   envelope_tool open1 IN OUT    the same in one thread (PLM_ENVELOPE_SERIAL)
 *   envelope_tool verify IN       key-less verify (what the server does)
 *
 * Like age, seal leaves OUT in the page cache (no fsync); open fsyncs, as
 * plm_envelope_open always does before it renames the plaintext into place.
 *
 * Fixed test identities and channel key (seeds below): this measures the
 * library, it is not a tool for real documents.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keys/envelope.h"
#include "keys/manifest.h"

static unsigned char channel_key[PLM_KEY_BYTES];
static plm_identity *author;

static int keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	(void)ctx;
	*pub = author->pub;
	return plm_envelope_unwrap_key(h, channel_key, doc_key, err);
}

static int header(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                  plm_error *err)
{
	(void)ctx;
	(void)h;
	(void)err;
	*pub = author->pub;
	return 0;
}

int main(int argc, char **argv)
{
	static const plm_envelope_handlers handlers = {header, NULL};
	unsigned char seed[PLM_SEED_BYTES], id[PLM_HASH_BYTES];
	plm_manifest *m = NULL;
	plm_seal_params p;
	plm_envelope_mode mode;
	struct stat st;
	plm_error err;
	int in, out, r;

	if (argc < 3 || plm_init(&err) != 0) {
		fprintf(
		    stderr,
		    "usage: envelope_tool seal|seal1|open|open1 IN OUT | verify IN\n");
		return 2;
	}
	memset(seed, 7, sizeof(seed));
	memset(channel_key, 9, sizeof(channel_key));
	if (plm_identity_from_seed(&author, seed, &err) != 0 ||
	    plm_manifest_new(&m, &err) != 0)
		goto fail;
	if ((in = open(argv[2], O_RDONLY)) < 0 || fstat(in, &st) != 0) {
		perror(argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "verify") == 0) {
		if (plm_envelope_verify_fd(in, &handlers, NULL, id, &err) != 0)
			goto fail;
		return 0;
	}
	if (argc != 4)
		return 2;
	if (strcmp(argv[1], "open") == 0 || strcmp(argv[1], "open1") == 0) {
		mode = strcmp(argv[1], "open1") == 0 ? PLM_ENVELOPE_SERIAL
		                                     : PLM_ENVELOPE_AUTO;
		r = plm_envelope_open_mode(in, argv[3], keys, NULL, m, NULL, mode, id,
		                           &err);
		if (r != 0)
			goto fail;
		return 0;
	}
	if ((out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(argv[3]);
		return 1;
	}
	snprintf(m->title, sizeof(m->title), "benchmark");
	snprintf(m->file_name, sizeof(m->file_name), "data.bin");
	snprintf(m->mime, sizeof(m->mime), "application/octet-stream");
	m->size = (uint64_t)st.st_size;
	memset(&p, 0, sizeof(p));
	p.review_id = "bench";
	p.channel = "review";
	p.epoch = 1;
	p.kind = "attachment";
	p.created_at = (uint64_t)time(NULL);
	p.channel_key = channel_key;
	p.author = author;
	p.manifest = m;
	mode = strcmp(argv[1], "seal1") == 0 ? PLM_ENVELOPE_SERIAL : PLM_ENVELOPE_AUTO;
	if (plm_envelope_seal_mode(in, out, &p, mode, id, &err) != 0)
		goto fail;
	close(out);
	plm_manifest_free(m);
	plm_identity_free(author);
	return 0;
fail:
	fprintf(stderr, "envelope_tool: %s\n", err.message);
	return 1;
}
