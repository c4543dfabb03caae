/*
 * cmd_disclose.c - `palermo disclose ID --to parties|public` (PROTOCOL.md
 * §5.6, REVIEW-MECHANISM.md para 40-41): the focal point of the State
 * under review opens one document of its review to every State party (its
 * key re-wrapped under the parties group's key) or to the public (its key
 * in clear, with the plaintext and a signature bundle that anyone can
 * check offline with `palermo verify`). Nothing is uploaded again.
 *
 * The rule (who may disclose which kinds to whom) is the policy's, checked
 * here with the same code the daemon and every reader run
 * (plm_review_check_disclosure) before anything is signed.
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
#include <time.h>
#include <unistd.h>

#include "client/commands.h"
#include "client/local.h"
#include "client/parties.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"
#include "client/transport.h"
#include "keys/bundle.h"
#include "keys/codec.h"
#include "policies/review.h"

const char usage_disclose[] =
    "usage: palermo disclose ID --to parties|public [-o FILE] [--bundle FILE]\n"
    "\n"
    "Opens the document ID of your review to every State party (--to parties,\n"
    "para 40 of the mechanism) or to the public (--to public, para 41), without\n"
    "sending it again. Only the focal point of the State under review may do\n"
    "this, and only for the kinds of document the policy lists under\n"
    "disclosure.scopes (questionnaire responses and the dialogue by default);\n"
    "anything else is refused with the rule, here and by the server.\n"
    "\n"
    "First syncs. Then signs a disclosure record (PROTOCOL.md §5.6):\n"
    "  --to parties  the document's key wrapped under the parties group's\n"
    "                current key: every focal point and expert of every State\n"
    "                party in the group then reads it (`palermo disclosed`,\n"
    "                `palermo get ID`), whether or not their State is in the\n"
    "                review;\n"
    "  --to public   the document's key in clear; the document is also written\n"
    "                to FILE with a detached signature bundle beside it\n"
    "                (PROTOCOL.md §10) that anyone checks offline with\n"
    "                `palermo verify FILE BUNDLE`.\n"
    "\n"
    "Options:\n"
    "  --to SCOPE         parties or public (required)\n"
    "  -o, --output FILE  --to public: where to write the document (default: its\n"
    "                     own file name, else the first 12 digits of its id)\n"
    "  --bundle FILE      --to public: where to write the bundle (default:\n"
    "                     FILE.plmsig)\n"
    "  -f, --force        replace existing files\n"
    "\n"
    "With --json, prints {\"id\", \"review\", \"scope\", \"record\", \"file\",\n"
    "\"bundle\"}.\n"
    "\n"
    "Exit status: 0 disclosed, 1 a file exists, 2 bad options, 3 the document\n"
    "failed verification, 4 the server cannot be reached, 5 the rule refuses it\n"
    "(not the focal point of the State under review, a kind that may not be\n"
    "disclosed, not in the parties group), 6 no such document here.\n"
    "\n"
    "Examples:\n"
    "  palermo disclose 3f2a9c0d1e2f --to parties\n"
    "  palermo disclose 3f2a9c0d1e2f --to public -o responses.txt\n";

/* The document key of the envelope being opened, kept from the callback. */
struct opening {
	struct cli *cli;
	const struct stored_envelope *env;
	unsigned char *doc_key; /* plm_secret_alloc */
};

/*
 * plm_envelope_open's keys: the author's certified keys, the document key
 * unwrapped with my key of its channel and epoch (a copy is kept).
 */
static int my_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                   unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct opening *o = ctx;
	unsigned char *channel_key = NULL;
	plm_certificate cert;
	int r;

	if (strcmp(h->review_id, o->env->review) != 0 ||
	    memcmp(h->author, o->env->author, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the cached file is not the document that was "
		                     "verified under this id");
	r = local_certificate(o->cli->state, h->author, &cert, err);
	if (r == PLM_ERR_DENIED)
		r = 0; /* revoked since: the document was verified when written */
	if (r != 0)
		return r;
	*author = cert.keys;
	if ((r = local_channel_key(o->cli, h->review_id, h->channel, h->epoch,
	                           &channel_key, NULL, err)) != 0)
		return r;
	r = plm_envelope_unwrap_key(h, channel_key, doc_key, err);
	plm_secret_free(channel_key);
	if (r == 0)
		memcpy(o->doc_key, doc_key, PLM_KEY_BYTES);
	return r;
}

/* Verifies and decrypts ENV (into OUT_PATH, or nowhere), keeping its key in O. */
static int open_document(struct opening *o, const char *out_path,
                         plm_manifest *manifest, plm_error *err)
{
	plm_error why;
	int fd, r;

	if (state_cache_open(o->cli->state, o->env->id, &fd, &why) != 0)
		return plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "the document is not in the cache (%s); run `palermo "
		    "sync`",
		    why.message);
	r = plm_envelope_open(fd, out_path, my_keys, o, manifest, NULL, NULL, err);
	close(fd);
	return r;
}

/* Collects a review's stored rosters, in log order. */
struct rosters {
	plm_record **v;
	size_t n;
};

static int add_roster(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct rosters *rs = ctx;
	plm_record **more;

	(void)seq;
	if ((more = realloc(rs->v, (rs->n + 1) * sizeof(*more))) == NULL)
		return PLM_ERR_NOMEM;
	rs->v = more;
	if (plm_record_decode(bytes, len, &rs->v[rs->n], NULL) != 0)
		return PLM_ERR_CORRUPT;
	rs->n++;
	return 0;
}

/* Copies the file at FROM to the end of OUT_FD. */
static int copy_file(int in_fd, int out_fd, plm_error *err)
{
	unsigned char buf[65536];
	ssize_t n;

	while ((n = read(in_fd, buf, sizeof(buf))) > 0)
		if (write(out_fd, buf, (size_t)n) != n)
			return plm_error_set(err, PLM_ERR_IO,
			                     "cannot write the bundle: %s",
			                     strerror(errno));
	if (n < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the cached document: %s",
		                     strerror(errno));
	return 0;
}

/*
 * Writes the signature bundle of public disclosure DISCLOSURE of ENV to
 * PATH (PROTOCOL.md §10): the root certificate, the author's and my
 * certificates, the review's rosters, the disclosure, then the envelope.
 */
static int write_bundle(struct cli *cli, const struct stored_envelope *env,
                        const plm_record *disclosure, const char *path, int force,
                        plm_error *err)
{
	unsigned char root[PLM_FPR_BYTES], me[PLM_FPR_BYTES], *prefix = NULL;
	plm_record *records[3 + PLM_BUNDLE_ROSTERS_MAX + 1];
	plm_record *root_cert = NULL, *author = NULL, *mine = NULL;
	struct rosters rs = {NULL, 0};
	char tmp[4200] = "";
	size_t n = 0, i, prefix_len;
	struct stat sb;
	int fd = -1, in = -1, r;

	plm_fingerprint(me, &cli->me->pub);
	if ((r = local_root(cli->state, root, NULL, err)) != 0 ||
	    (r = local_certificate_record(cli->state, root, &root_cert, err)) != 0 ||
	    (r = local_certificate_record(cli->state, env->author, &author, err)) !=
	        0 ||
	    (memcmp(me, env->author, PLM_FPR_BYTES) != 0 &&
	     (r = local_certificate_record(cli->state, me, &mine, err)) != 0))
		goto out;
	if ((r = state_records_each(cli->state, env->review, PLM_RECORD_ROSTER,
	                            add_roster, &rs, err)) != 0) {
		r = plm_error_set(err, r, "the stored rosters of review %s are damaged",
		                  env->review);
		goto out;
	}
	if (rs.n == 0 || rs.n > PLM_BUNDLE_ROSTERS_MAX) {
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "review %s has %zu rosters; a bundle "
		                  "carries 1 to %d",
		                  env->review, rs.n, PLM_BUNDLE_ROSTERS_MAX);
		goto out;
	}
	records[n++] = root_cert;
	records[n++] = author;
	if (mine != NULL)
		records[n++] = mine;
	for (i = 0; i < rs.n; i++)
		records[n++] = rs.v[i];
	records[n++] = (plm_record *)disclosure;
	if ((r = state_cache_open(cli->state, env->id, &in, err)) != 0)
		goto out;
	if (fstat(in, &sb) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot read the cached document: %s",
		                  strerror(errno));
		goto out;
	}
	if ((r = plm_bundle_encode_prefix(records, n, (uint64_t)sb.st_size, &prefix,
	                                  &prefix_len, err)) != 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	               0644)) < 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", tmp,
		                  strerror(errno));
		goto out;
	}
	if (write(fd, prefix, prefix_len) != (ssize_t)prefix_len) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", tmp,
		                  strerror(errno));
		goto out;
	}
	if ((r = copy_file(in, fd, err)) != 0)
		goto out;
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", tmp,
		                  strerror(errno));
		goto out;
	}
	fd = -1;
	if (!force && access(path, F_OK) == 0) {
		r = plm_error_set(err, PLM_ERR_EXISTS,
		                  "%s exists; use --force to replace it", path);
		goto out;
	}
	if (rename(tmp, path) != 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s", path,
		                  strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (in >= 0)
		close(in);
	if (r != 0 && tmp[0] != '\0')
		unlink(tmp);
	free(prefix);
	for (i = 0; i < rs.n; i++)
		plm_record_free(rs.v[i]);
	free(rs.v);
	plm_record_free(root_cert);
	plm_record_free(author);
	plm_record_free(mine);
	return r;
}

/* Sends the signed disclosure RECORD of REVIEW to the server. */
static int publish(struct cli *cli, const char *review, const plm_record *record,
                   plm_error *err)
{
	struct response resp;
	char path[PLM_RECORD_ID_MAX + 32];
	int r;

	snprintf(path, sizeof(path), "/v1/reviews/%s/records", review);
	if ((r = transport_request(cli->net, "POST", path, record->encoding,
	                           record->encoding_len, &resp, err)) != 0)
		return r;
	r = transport_check(&resp, "accept the disclosure", err);
	response_free(&resp);
	return r;
}

int cmd_disclose(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"to", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'},
	    {"bundle", required_argument, NULL, 'b'},
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *to = NULL, *output = NULL, *bundle = NULL;
	char file[4096], bundle_path[4200], hex[2 * PLM_HASH_BYTES + 1];
	char rhex[2 * PLM_HASH_BYTES + 1], tmp[4300];
	unsigned char me[PLM_FPR_BYTES], *group_key = NULL;
	struct opening o = {cli, NULL, NULL};
	struct stored_envelope env;
	struct sync_result res;
	plm_manifest *manifest = NULL;
	plm_parties *group = NULL;
	plm_review *review = NULL;
	plm_record *rec = NULL;
	const plm_policy *policy;
	plm_disclosure *d;
	int opt, force = 0, status, scope;
	plm_error err;

	while ((opt = getopt_long(argc, argv, "o:fh", options, NULL)) != -1) {
		if (opt == 't')
			to = optarg;
		else if (opt == 'o')
			output = optarg;
		else if (opt == 'b')
			bundle = optarg;
		else if (opt == 'f')
			force = 1;
		else
			return cli_fail(cli, EXIT_USAGE, "see `palermo help disclose`");
	}
	if (optind + 1 != argc || to == NULL)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo disclose ID --to parties|public");
	if (strcmp(to, "parties") == 0)
		scope = PLM_DISCLOSE_PARTIES;
	else if (strcmp(to, "public") == 0)
		scope = PLM_DISCLOSE_PUBLIC;
	else
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--to takes parties (all States parties, para 40) or public "
		    "(para 41), not '%s'",
		    to);
	if (scope == PLM_DISCLOSE_PARTIES && (output != NULL || bundle != NULL))
		return cli_fail(cli, EXIT_USAGE,
		                "-o and --bundle go with --to public only");
	if ((output != NULL && (*output == '\0' || strlen(output) >= sizeof(file))) ||
	    (bundle != NULL && (*bundle == '\0' || strlen(bundle) >= sizeof(file))))
		return cli_fail(cli, EXIT_USAGE, "give usable file names");
	if ((status = cli_open_state(cli, 0)) != 0 || (status = cli_unlock(cli)) != 0 ||
	    (status = cli_connect(cli)) != 0)
		return status;
	if (local_policy(cli, &policy, &err) != 0)
		return cli_fail_err(cli, &err);
	/* Up to date: the review's roster and the parties group's epoch. */
	if (sync_run(cli, NULL, &res, &err) != 0)
		return cli_fail(
		    cli, cli_exit_for(err.code),
		    "%s; a disclosure needs the review and the parties group "
		    "up to date",
		    err.message);
	if ((status = reader_find_verified(cli, argv[optind], 0, &env)) != 0)
		return status;
	plm_hex(hex, env.id, PLM_HASH_BYTES);
	o.env = &env;
	/* The rule first: the policy, through the review's state (§5.6). */
	if (local_review(cli, env.review, INT64_MAX, &review, &err) != 0 ||
	    plm_record_new(&rec, PLM_RECORD_DISCLOSURE, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	d = &rec->body.disclosure;
	snprintf(d->review_id, sizeof(d->review_id), "%s", env.review);
	memcpy(d->envelope_id, env.id, PLM_HASH_BYTES);
	d->scope = (uint8_t)scope;
	d->created_at = (uint64_t)time(NULL);
	plm_fingerprint(me, &cli->me->pub);
	memcpy(rec->signer, me, PLM_FPR_BYTES);
	if (plm_review_check_disclosure(review, policy, rec, env.kind, &err) != 0) {
		status = cli_fail(cli, cli_exit_for(err.code),
		                  "%s; nothing was disclosed", err.message);
		goto out;
	}
	/* The document key, from a full verification of the document. */
	if ((o.doc_key = plm_secret_alloc(PLM_KEY_BYTES)) == NULL ||
	    plm_manifest_new(&manifest, &err) != 0) {
		status = cli_fail(cli, EXIT_FAILURE_, "out of memory");
		goto out;
	}
	if (open_document(&o, NULL, manifest, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (scope == PLM_DISCLOSE_PARTIES) {
		if (parties_local(cli, &group, &err) != 0) {
			status = cli_fail_err(cli, &err);
			goto out;
		}
		d->parties_epoch = plm_parties_epoch(group);
		if (d->parties_epoch == 0) {
			status =
			    cli_fail(cli, EXIT_NOTFOUND,
			             "the parties group has no keys yet; ask the "
			             "secretariat to start it (`palermo admin parties "
			             "add`)");
			goto out;
		}
		if (parties_key(cli, d->parties_epoch, &group_key, &err) != 0) {
			status = cli_fail(
			    cli, cli_exit_for(err.code),
			    "%s; only a member of the parties group can wrap a "
			    "key under its key: ask the secretariat to add you",
			    err.message);
			goto out;
		}
	} else {
		if (output != NULL)
			snprintf(file, sizeof(file), "%s", output);
		else if (manifest->file_name[0] != '\0')
			snprintf(file, sizeof(file), "%s", manifest->file_name);
		else
			snprintf(file, sizeof(file), "%.12s.%s", hex,
			         strncmp(manifest->mime, "text/", 5) == 0 ? "txt"
			                                                  : "bin");
		snprintf(bundle_path, sizeof(bundle_path), "%s",
		         bundle != NULL ? bundle : file);
		if (bundle == NULL)
			strcat(bundle_path, ".plmsig");
		if (!force &&
		    (access(file, F_OK) == 0 || access(bundle_path, F_OK) == 0)) {
			status = cli_fail(
			    cli, EXIT_FAILURE_,
			    "%s or %s exists; use --force to replace them, or -o "
			    "and --bundle to choose other names",
			    file, bundle_path);
			goto out;
		}
	}
	if (plm_disclosure_set_key(d, o.doc_key, group_key, &err) != 0 ||
	    plm_record_encode_sign(rec, cli->me, NULL, NULL, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (publish(cli, env.review, rec, &err) != 0) {
		status = cli_fail(cli, cli_exit_for(err.code),
		                  "%s; nothing was disclosed", err.message);
		goto out;
	}
	plm_hex(rhex, rec->id, PLM_HASH_BYTES);
	if (scope == PLM_DISCLOSE_PUBLIC) {
		/* The plaintext (verified again on the way) and its bundle. */
		snprintf(tmp, sizeof(tmp), "%s", file);
		if (force)
			unlink(file);
		if (open_document(&o, tmp, manifest, &err) != 0 ||
		    write_bundle(cli, &env, rec, bundle_path, force, &err) != 0) {
			status =
			    cli_fail(cli, cli_exit_for(err.code),
			             "the document was disclosed to the public (record "
			             "%.12s) but its files could not be written: %s",
			             rhex, err.message);
			goto out;
		}
	}
	if (cli->json)
		status = cli_json(
		    cli,
		    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "id", hex, "review",
		              env.review, "scope", to, "record", rhex, "file",
		              scope == PLM_DISCLOSE_PUBLIC ? file : NULL, "bundle",
		              scope == PLM_DISCLOSE_PUBLIC ? bundle_path : NULL));
	else if (scope == PLM_DISCLOSE_PARTIES)
		cli_say(
		    cli,
		    "Document %.12s of review %s is disclosed to all States parties "
		    "(parties group epoch %" PRIu64 "); they read it after their next "
		    "`palermo sync`.",
		    hex, env.review, d->parties_epoch);
	else
		cli_say(
		    cli,
		    "Document %.12s of review %s is disclosed to the public: wrote %s "
		    "and its signature bundle %s (check with `palermo verify %s %s`).",
		    hex, env.review, file, bundle_path, file, bundle_path);
	status = EXIT_OK;
out:
	plm_secret_free(o.doc_key);
	plm_secret_free(group_key);
	plm_manifest_free(manifest);
	plm_parties_free(group);
	plm_review_free(review);
	plm_record_free(rec);
	return status;
}
