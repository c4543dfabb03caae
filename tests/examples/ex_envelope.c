/*
 * ex_envelope.c - worked examples of PROTOCOL.md §7: the manifest of a short
 * answer, the complete envelope that carries it, and the keys and
 * ids needed to check both by hand.
 */
#include "examples.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keys/envelope.h"

#define BODY "Italy confirms article 5 applies."

/* Reads all of F (rewound) into BUF (capacity CAP); returns the length. */
static size_t slurp(FILE *f, unsigned char *buf, size_t cap)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, cap, f);
	if (n == cap)
		example_die("reading the sealed envelope", -1, "larger than expected");
	return n;
}

void examples_envelope(void)
{
	unsigned char seed[PLM_SEED_BYTES], channel_key[PLM_KEY_BYTES];
	unsigned char reply_to[PLM_HASH_BYTES], id[PLM_HASH_BYTES];
	unsigned char manifest_bytes[PLM_MANIFEST_MAX_BYTES], env[2048];
	unsigned char doc_key[PLM_KEY_BYTES];
	char hex[2 * PLM_KEY_BYTES + 1], text[1024];
	plm_identity *author = NULL, *log = NULL;
	plm_manifest *manifest = NULL;
	plm_envelope_header header;
	plm_tree_head head;
	plm_seal_params p;
	plm_error err;
	FILE *in, *out;
	size_t manifest_len, env_len;
	int r;

	memset(&err, 0, sizeof(err));
	example_seed(seed, 0x20);
	if ((r = plm_identity_from_seed(&author, seed, &err)) != 0)
		example_die("plm_identity_from_seed", r, err.message);
	example_seed(seed, 0x10);
	if ((r = plm_identity_from_seed(&log, seed, &err)) != 0)
		example_die("plm_identity_from_seed", r, err.message);
	example_seed(channel_key, 0x40);

	/* The document answers the envelope whose id is BLAKE2b-256("question 3"). */
	plm_hash(reply_to, "question 3", 10);
	memset(&head, 0, sizeof(head));
	head.tree_size = 8;
	head.timestamp = UINT64_C(1767225600000); /* 2026-01-01T00:00:00Z */
	memset(head.root_hash, 0xab, sizeof(head.root_hash));
	if ((r = plm_tree_head_sign(&head, log, &err)) != 0)
		example_die("plm_tree_head_sign", r, err.message);

	if ((r = plm_manifest_new(&manifest, &err)) != 0)
		example_die("plm_manifest_new", r, err.message);
	snprintf(manifest->title, sizeof(manifest->title), "Reply to question 3");
	snprintf(manifest->mime, sizeof(manifest->mime), "text/plain");
	snprintf(manifest->language, sizeof(manifest->language), "en");
	manifest->size = strlen(BODY);
	if ((r = plm_manifest_set_field(manifest, "question", "3", &err)) != 0)
		example_die("plm_manifest_set_field", r, err.message);
	if ((r = plm_manifest_encode(manifest, manifest_bytes, sizeof(manifest_bytes),
	                             &manifest_len, &err)) != 0)
		example_die("plm_manifest_encode", r, err.message);
	example_block("envelope-manifest",
	              "Manifest (plaintext of frame 0): title \"Reply to question "
	              "3\", no file name, text/plain, language en, size 33, one "
	              "field question = \"3\"",
	              manifest_bytes, manifest_len);

	memset(&p, 0, sizeof(p));
	p.review_id = "rev-2026-ita";
	p.channel = "review";
	p.epoch = 1;
	p.kind = "answer";
	p.reply_to = reply_to;
	p.created_at = 1767225600; /* 2026-01-01T00:00:00Z */
	p.head = &head;
	p.channel_key = channel_key;
	p.author = author;
	p.manifest = manifest;
	in = tmpfile();
	out = tmpfile();
	if (in == NULL || out == NULL || fputs(BODY, in) == EOF || fflush(in) != 0)
		example_die("tmpfile", -1, "cannot create temporary files");
	rewind(in);
	if ((r = plm_envelope_seal(fileno(in), fileno(out), &p, id, &err)) != 0)
		example_die("plm_envelope_seal", r, err.message);
	env_len = slurp(out, env, sizeof(env));
	fclose(in);
	fclose(out);
	example_block("envelope",
	              "Envelope of the 33-byte text \"" BODY "\" in review "
	              "rev-2026-ita, channel review, epoch 1, kind "
	              "answer, created 2026-01-01T00:00:00Z, replying "
	              "to BLAKE2b-256(\"question 3\"), carrying a tree head of "
	              "size 8 (root ab..ab) signed by the log identity of "
	              "example seed 0x10; author from example seed 0x20",
	              env, env_len);

	if ((r = plm_envelope_header_decode(
	         &header, env,
	         PLM_ENVELOPE_PREAMBLE_BYTES + ((size_t)env[5] << 8 | env[6]), &err)) !=
	        0 ||
	    (r = plm_envelope_unwrap_key(&header, channel_key, doc_key, &err)) != 0)
		example_die("reading back the example envelope", r, err.message);
	text[0] = '\0';
	plm_hex(hex, channel_key, sizeof(channel_key));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "channel key   %s\n",
	         hex);
	plm_hex(hex, doc_key, sizeof(doc_key));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "document key  %s\n",
	         hex);
	plm_hex(hex, header.document_id, sizeof(header.document_id));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "document id   %s\n",
	         hex);
	plm_hex(hex, id, sizeof(id));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "envelope id   %s",
	         hex);
	example_text("envelope-keys", text);

	plm_manifest_free(manifest);
	plm_identity_free(author);
	plm_identity_free(log);
}
