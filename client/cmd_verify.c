/*
 * cmd_verify.c - `palermo verify FILE BUNDLE [--trust FPR]`: checks,
 * offline and with no Palermo home, that FILE is exactly a document a
 * State under review made public, with its signature bundle (PROTOCOL.md
 * §10, keys/bundle.h): the root certificate (pinned with --trust), the
 * certificates it signed, the review's roster chain, the disclosure by the
 * focal point of the State under review under the policy's rule, the
 * envelope signed by its author, the disclosed key against the key
 * commitment the author signed, and FILE's digest against the envelope's
 * decrypted content. Nothing is fetched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/commands.h"
#include "client/local.h"
#include "client/reader.h"
#include "keys/bundle.h"
#include "keys/codec.h"
#include "policies/review.h"

const char usage_verify[] =
    "usage: palermo verify [--trust FINGERPRINT] FILE BUNDLE\n"
    "\n"
    "Checks offline that FILE is a document made public by the State under\n"
    "review (`palermo disclose --to public`), with BUNDLE, the signature bundle\n"
    "written beside it (PROTOCOL.md §10). Needs no network and no Palermo home;\n"
    "anyone can run it. It checks, and says which one failed:\n"
    "  - the root certificate in the bundle is self-signed, and is the root\n"
    "    whose fingerprint you give with --trust (from the secretariat, out of\n"
    "    band); without --trust its fingerprint is printed for you to compare;\n"
    "  - every certificate and roster in the bundle is signed by that root, and\n"
    "    the rosters form one chain from epoch 1 under the policy in force;\n"
    "  - the disclosure is signed by a certified key, whose holder is the focal\n"
    "    point of the State under review on the roster, for a kind the policy\n"
    "    lets that State make public;\n"
    "  - the document is signed by its certified author, and the key the\n"
    "    disclosure publishes is the one the author committed to;\n"
    "  - FILE is byte for byte the document's content (BLAKE2b-256).\n"
    "\n"
    "Options:\n"
    "  --trust FINGERPRINT  the deployment root's fingerprint (64 hex digits,\n"
    "                       spaces allowed)\n"
    "\n"
    "With --json, prints {\"verified\", \"id\", \"review\", \"kind\", \"author\",\n"
    "\"disclosed_by\", \"disclosed_at\", \"root\", \"root_pinned\", \"digest\"}.\n"
    "\n"
    "Exit status: 0 verified, 1 a file cannot be read, 2 bad options,\n"
    "3 verification failed (the message says what).\n"
    "\n"
    "Examples:\n"
    "  palermo verify --trust '20c4 6b1c ...' responses.txt responses.txt.plmsig\n";

/* What the envelope's opener needs from the bundle. */
struct bundle_open {
	const plm_bundle *bundle;
	plm_certificate author;
	const char *what; /* the check under way, for the message */
};

/* The certificate in B for FPR, or NULL. */
static const plm_certificate *bundle_cert(const plm_bundle *b,
                                          const unsigned char fpr[PLM_FPR_BYTES])
{
	unsigned char got[PLM_FPR_BYTES];
	size_t i;

	for (i = 0; i < b->n_certs; i++) {
		plm_certificate_fingerprint(got, &b->certs[i]->body.certificate);
		if (memcmp(got, fpr, PLM_FPR_BYTES) == 0)
			return &b->certs[i]->body.certificate;
	}
	return NULL;
}

/* The author from the bundle's certificates; the key from the disclosure. */
static int bundle_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                       unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct bundle_open *o = ctx;
	const plm_certificate *cert = bundle_cert(o->bundle, h->author);
	unsigned char *key = NULL;
	int r;

	if (strcmp(h->review_id, o->bundle->disclosure->body.disclosure.review_id) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the document is of review %s, the disclosure of review %s",
		    h->review_id, o->bundle->disclosure->body.disclosure.review_id);
	if (cert == NULL)
		return plm_error_set(
		    err, PLM_ERR_SIGNATURE,
		    "the bundle holds no certificate of the document's author");
	if (h->created_at < cert->not_before || h->created_at >= cert->not_after)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the document was written outside its author's "
		                     "certificate's validity");
	o->author = *cert;
	*author = cert->keys;
	o->what = "the document (its author's signature and content)";
	if ((r = plm_disclosure_document_key(o->bundle->disclosure, NULL, &key, err)) ==
	    0)
		memcpy(doc_key, key, PLM_KEY_BYTES);
	plm_secret_free(key);
	return r;
}

/* BLAKE2b-256 of the file open on FD, from its start. */
static int file_digest(int fd, unsigned char out[PLM_HASH_BYTES], uint64_t *size,
                       plm_error *err)
{
	crypto_generichash_state st;
	unsigned char buf[65536];
	ssize_t n;

	*size = 0;
	crypto_generichash_init(&st, NULL, 0, PLM_HASH_BYTES);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		crypto_generichash_update(&st, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	crypto_generichash_final(&st, out, PLM_HASH_BYTES);
	sodium_memzero(buf, sizeof(buf));
	if (n < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read: %s",
		                     strerror(errno));
	return 0;
}

/* Reads and decodes the bundle at PATH (open on FD). */
static int read_bundle(int fd, plm_bundle **out, plm_error *err)
{
	unsigned char head[PLM_BUNDLE_HEAD_BYTES], *prefix = NULL;
	size_t prefix_len;
	struct stat sb;
	ssize_t n;
	int r;

	if (fstat(fd, &sb) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read it: %s",
		                     strerror(errno));
	if ((n = pread(fd, head, sizeof(head), 0)) != (ssize_t)sizeof(head))
		return plm_error_set(err, PLM_ERR_TRUNCATED,
		                     "it is too short to be a signature bundle");
	if ((r = plm_bundle_prefix_len(head, &prefix_len, err)) != 0)
		return r;
	if ((uint64_t)sb.st_size < prefix_len)
		return plm_error_set(err, PLM_ERR_TRUNCATED,
		                     "it ends inside its records");
	if ((prefix = malloc(prefix_len)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	if (pread(fd, prefix, prefix_len, 0) != (ssize_t)prefix_len)
		r = plm_error_set(err, PLM_ERR_IO, "cannot read it: %s",
		                  strerror(errno));
	else
		r = plm_bundle_decode(prefix, prefix_len, (uint64_t)sb.st_size, out,
		                      err);
	free(prefix);
	return r;
}

/*
 * Checks B's records: the root (pinned if TRUST is given), the certificates
 * and rosters it signed, the disclosure's signature. *REVIEW gets the
 * review's state after the rosters. WHAT names the failing check.
 */
static int check_records(const plm_bundle *b, const unsigned char *trust,
                         const plm_policy *policy, unsigned char root[PLM_FPR_BYTES],
                         plm_review **review, const char **what, plm_error *err)
{
	const plm_certificate *rc = &b->root->body.certificate, *signer;
	const plm_disclosure *d = &b->disclosure->body.disclosure;
	size_t i;
	int r;

	*what = "the root certificate";
	plm_certificate_fingerprint(root, rc);
	if (memcmp(b->root->signer, root, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE, "it is not self-signed");
	if ((r = plm_record_verify_signer(b->root, &rc->keys, err)) != 0)
		return r;
	if (trust != NULL && sodium_memcmp(trust, root, PLM_FPR_BYTES) != 0)
		return plm_error_set(
		    err, PLM_ERR_SIGNATURE,
		    "it is not the root whose fingerprint you trust (--trust)");
	*what = "a certificate";
	for (i = 0; i < b->n_certs; i++)
		if (memcmp(b->certs[i]->signer, root, PLM_FPR_BYTES) != 0 ||
		    (r = plm_record_verify_signer(b->certs[i], &rc->keys, err)) != 0)
			return plm_error_set(
			    err, PLM_ERR_SIGNATURE,
			    "the certificate of %s is not signed by the root",
			    b->certs[i]->body.certificate.user_id);
	*what = "the review's rosters";
	if ((r = plm_review_new(review, policy, err)) != 0)
		return r;
	for (i = 0; i < b->n_rosters; i++)
		if ((r = plm_record_verify_signer(b->rosters[i], &rc->keys, err)) !=
		        0 ||
		    (r = plm_review_apply(*review, policy, root, b->rosters[i], err)) !=
		        0)
			return r;
	*what = "the disclosure";
	if ((signer = bundle_cert(b, b->disclosure->signer)) == NULL)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the bundle holds no certificate of its signer");
	if ((r = plm_record_verify_signer(b->disclosure, &signer->keys, err)) != 0)
		return r;
	if (d->created_at < signer->not_before || d->created_at >= signer->not_after)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "it was signed outside its signer's certificate's "
		                     "validity");
	return 0;
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"trust", required_argument, NULL, 't'},
	                                        {"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	unsigned char trust[PLM_FPR_BYTES], root[PLM_FPR_BYTES], id[PLM_HASH_BYTES];
	unsigned char want[PLM_HASH_BYTES], got[PLM_HASH_BYTES];
	char dir[] = "/tmp/palermo-verify-XXXXXX", plain[64],
	     hex[2 * PLM_HASH_BYTES + 1];
	char fpr_text[PLM_FPR_TEXT_BYTES], date[32], dhex[2 * PLM_HASH_BYTES + 1];
	const char *file, *bundle_path, *what = "the bundle";
	struct bundle_open o;
	plm_envelope_header header;
	const plm_roster_member *m;
	enum plm_policy_side side;
	const plm_policy *policy;
	plm_bundle *b = NULL;
	plm_review *review = NULL;
	uint64_t want_size = 0, got_size = 0;
	int opt, have_trust = 0, bfd = -1, pfd = -1, ffd = -1, status, made_dir = 0;
	plm_error err;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt == 't') {
			if (plm_fingerprint_parse(trust, optarg, &err) != 0)
				return cli_fail(cli, EXIT_USAGE,
				                "--trust takes the root's fingerprint, "
				                "64 hex digits");
			have_trust = 1;
		} else {
			return cli_fail(cli, EXIT_USAGE, "see `palermo help verify`");
		}
	}
	if (optind + 2 != argc)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "usage: palermo verify [--trust FINGERPRINT] FILE BUNDLE");
	file = argv[optind];
	bundle_path = argv[optind + 1];
	if ((ffd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		status = cli_fail(cli, EXIT_FAILURE_, "cannot read %s: %s", file,
		                  strerror(errno));
		goto out;
	}
	if ((bfd = open(bundle_path, O_RDONLY | O_CLOEXEC)) < 0) {
		status = cli_fail(cli, EXIT_FAILURE_, "cannot read %s: %s", bundle_path,
		                  strerror(errno));
		goto out;
	}
	if (local_policy(cli, &policy, &err) != 0) {
		status =
		    cli_fail(cli, EXIT_FAILURE_,
		             "%s; verify checks the disclosure against the policy (set "
		             "PALERMO_POLICY to its file)",
		             err.message);
		goto out;
	}
	if (read_bundle(bfd, &b, &err) != 0) {
		status = cli_fail(
		    cli, EXIT_VERIFY,
		    "VERIFICATION FAILED: %s is not a valid signature bundle: %s",
		    bundle_path, err.message);
		goto out;
	}
	if (check_records(b, have_trust ? trust : NULL, policy, root, &review, &what,
	                  &err) != 0) {
		status = cli_fail(cli, EXIT_VERIFY, "VERIFICATION FAILED: %s: %s", what,
		                  err.message);
		goto out;
	}
	/* The envelope: decrypted into a private folder, then compared. */
	if (mkdtemp(dir) == NULL) {
		status =
		    cli_fail(cli, EXIT_FAILURE_, "cannot make a temporary folder: %s",
		             strerror(errno));
		goto out;
	}
	made_dir = 1;
	snprintf(plain, sizeof(plain), "%s/document", dir);
	memset(&o, 0, sizeof(o));
	o.bundle = b;
	o.what = "the document";
	if (lseek(bfd, (off_t)b->envelope_offset, SEEK_SET) < 0 ||
	    plm_envelope_open(bfd, plain, bundle_keys, &o, NULL, &header, id, &err) !=
	        0) {
		status = cli_fail(
		    cli, EXIT_VERIFY, "VERIFICATION FAILED: %s: %s",
		    err.code == PLM_ERR_COMMITMENT
		        ? "the disclosed key against the author's key commitment"
		    : o.what != NULL ? o.what
		                     : "the document",
		    err.message);
		goto out;
	}
	if (memcmp(id, b->disclosure->body.disclosure.envelope_id, PLM_HASH_BYTES) !=
	    0) {
		status = cli_fail(
		    cli, EXIT_VERIFY,
		    "VERIFICATION FAILED: the disclosure names another document "
		    "than the one in the bundle");
		goto out;
	}
	if (plm_review_check_disclosure(review, policy, b->disclosure, header.kind,
	                                &err) != 0 ||
	    plm_review_member(review, b->disclosure->signer, &m, &side, &err) != 0) {
		status = cli_fail(
		    cli, EXIT_VERIFY,
		    "VERIFICATION FAILED: the disclosure's signer may not make "
		    "this document public: %s",
		    err.message);
		goto out;
	}
	if ((pfd = open(plain, O_RDONLY | O_CLOEXEC)) < 0 ||
	    file_digest(pfd, want, &want_size, &err) != 0 ||
	    file_digest(ffd, got, &got_size, &err) != 0) {
		status = cli_fail(cli, EXIT_FAILURE_, "cannot compare %s: %s", file,
		                  strerror(errno));
		goto out;
	}
	plm_hex(dhex, want, PLM_HASH_BYTES);
	if (sodium_memcmp(want, got, PLM_HASH_BYTES) != 0) {
		status = cli_fail(
		    cli, EXIT_VERIFY,
		    "VERIFICATION FAILED: %s is not the disclosed document: its "
		    "content (%" PRIu64 " bytes) differs from what the author "
		    "signed (%" PRIu64 " bytes, BLAKE2b-256 %.16s...)",
		    file, got_size, want_size, dhex);
		goto out;
	}
	plm_hex(hex, id, PLM_HASH_BYTES);
	plm_fingerprint_format(fpr_text, root);
	reader_date(b->disclosure->body.disclosure.created_at, date);
	if (cli->json) {
		status = cli_json(
		    cli,
		    json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:s}",
		              "verified", 1, "id", hex, "review", header.review_id,
		              "kind", header.kind, "author", o.author.user_id,
		              "disclosed_by", m->user_id, "disclosed_at",
		              (json_int_t)b->disclosure->body.disclosure.created_at,
		              "root", fpr_text, "root_pinned", have_trust, "digest",
		              dhex));
	} else {
		cli_say(
		    cli,
		    "%s verified: %s %.12s of review %s by %s (%s), made public by %s "
		    "(%s, %s) on %s UTC",
		    file, header.kind, hex, header.review_id, o.author.user_id,
		    o.author.state, m->user_id, m->state, m->role, date);
		if (!have_trust)
			cli_warn(cli,
			         "the bundle's root is %s: compare it with the "
			         "fingerprint the "
			         "secretariat publishes, or give it with --trust",
			         fpr_text);
		status = EXIT_OK;
	}
out:
	if (made_dir) {
		unlink(plain);
		rmdir(dir);
	}
	if (ffd >= 0)
		close(ffd);
	if (bfd >= 0)
		close(bfd);
	if (pfd >= 0)
		close(pfd);
	plm_review_free(review);
	plm_bundle_free(b);
	return status;
}
