/*
 * cmd_get.c - `palermo get ID`: verify and decrypt one document into a
 * file (client/reader.h), then check that the file is of the type its
 * manifest announced (client/attach.h).
 *
 * The plaintext goes first to a hidden name in the destination's folder
 * (plm_envelope_open writes it there only once everything verified), is
 * type-checked there, and only then takes its final name: a link that
 * cannot replace an existing file, or a rename with --force. Whatever
 * fails, nothing is left behind and an existing file is untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/attach.h"
#include "client/commands.h"
#include "client/local.h"
#include "client/disclosed.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"
#include "client/words.h"
#include "policies/questionnaire.h"
#include "policies/submission.h"
#include "policies/yaml.h"

const char usage_get[] =
    "usage: palermo get [-o FILE] [--force] ID\n"
    "\n"
    "Verifies and decrypts the document ID (its full id, or enough of its first\n"
    "digits to be unique, as `palermo list` shows them) into a file. Nothing is\n"
    "written unless everything verifies: the author's signature and certificate,\n"
    "the digest, the document key against its signed commitment, and every chunk\n"
    "to the last. The written file's type is then detected (libmagic) and must be\n"
    "the type the document announced and one the policy allows; if it is not,\n"
    "the file is deleted and get says so.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  write to FILE (a folder: the document's own file name\n"
    "                     in it). Default: the document's own file name in the\n"
    "                     current folder (for a message without one, the first\n"
    "                     12 digits of its id with .txt or .bin).\n"
    "  -f, --force        replace FILE if it exists (only once the new content has\n"
    "                     verified); without it an existing file is never touched\n"
    "\n"
    "There is no `-o -`: a document is never printed, because nothing may be\n"
    "shown before all of it verified; write it to a file and read that.\n"
    "\n"
    "With --json, prints {\"id\", \"review\", \"file\", \"title\", \"mime\",\n"
    "\"size\"}.\n"
    "\n"
    "A document of a review you are not on, disclosed to all States parties or\n"
    "to the public (`palermo disclosed`), is fetched and verified the same way\n"
    "(plus the disclosure, the discloser's role and the key commitment), against\n"
    "what your last `palermo sync` verified.\n"
    "\n"
    "Exit status: 1 the file exists (use --force), 3 verification failed or the\n"
    "file is not of its announced type (nothing was kept), 5 the type is not\n"
    "allowed, 6 no such document here (run `palermo sync`).\n"
    "\n"
    "Examples:\n"
    "  palermo get 3f2a9c0d1e2f\n"
    "  palermo get -o responses.pdf 3f2a9c0d1e2f\n";

/* The name to give the document when the user gave none (in DIR). */
static void default_name(const struct stored_envelope *env, const plm_manifest *m,
                         char *out, size_t cap)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	if (m->file_name[0] != '\0') {
		snprintf(out, cap, "%s", m->file_name);
		return;
	}
	plm_hex(hex, env->id, PLM_HASH_BYTES);
	snprintf(out, cap, "%.12s.%s", hex,
	         strncmp(m->mime, "text/", 5) == 0 ? "txt" : "bin");
}

/* 1 if PATH exists (whatever it is, a dangling link included). */
static int exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* 1 if PATH is a folder. */
static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Gives the verified, type-checked file at TMP its name FINAL: link(2)
 * never replaces an existing file; with FORCE, rename(2) does.
 */
static int place(const char *tmp, const char *final, int force, plm_error *err)
{
	if (force) {
		if (rename(tmp, final) != 0)
			return plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s",
			                     final, strerror(errno));
		return 0;
	}
	if (link(tmp, final) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return plm_error_set(
		    err, PLM_ERR_EXISTS,
		    "%s exists; use --force to replace it, or -o to choose "
		    "another name",
		    final);
	/* A file system without hard links: check, then rename. */
	if (exists(final))
		return plm_error_set(
		    err, PLM_ERR_EXISTS,
		    "%s exists; use --force to replace it, or -o to choose "
		    "another name",
		    final);
	if (rename(tmp, final) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s", final,
		                     strerror(errno));
	return 0;
}

/*
 * The word limits of ENV's kind on the decrypted file TMP (client/words.h):
 * the server could not count them, so the reader does. Over refuse_above
 * is refused (PLM_ERR_POLICY, whoever wrote it); over warn_above warns.
 */
static int check_words(struct cli *cli, const struct stored_envelope *env,
                       const plm_manifest *manifest, const char *tmp, plm_error *err)
{
	char warning[PLM_POLICY_WARNING_MAX], hex[2 * PLM_HASH_BYTES + 1];
	const plm_policy *policy;
	uint64_t words;
	int fd, r;

	if ((r = local_policy(cli, &policy, err)) != 0)
		return r;
	if (!words_limited(policy, env->kind) || !words_countable(manifest->mime))
		return 0;
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read %s: %s", tmp,
		                     strerror(errno));
	r = words_count_file(fd, &words, err);
	close(fd);
	if (r != 0)
		return r;
	plm_hex(hex, env->id, PLM_HASH_BYTES);
	if ((r = plm_policy_check_words(policy, env->kind, words, warning, err)) != 0) {
		char why[PLM_ERROR_MESSAGE_MAX];
		snprintf(why, sizeof(why), "%s", err->message);
		return plm_error_set(err, r, "document %.12s breaks the policy: %s", hex,
		                     why);
	}
	if (warning[0] != '\0')
		cli_warn(cli, "document %.12s: %s", hex, warning);
	return 0;
}

/*
 * Questionnaire responses (docs/QUESTIONNAIRE.md) are checked again when
 * read, as `questionnaire check` checks them before they are sent: the
 * server cannot read them. Problems in the final submission refuse it
 * (PLM_ERR_POLICY); in a draft they are a warning. A response that is not
 * a YAML answers file at all counts as a problem.
 */
static int check_questionnaire(struct cli *cli, const struct stored_envelope *env,
                               const plm_manifest *manifest, const char *tmp,
                               plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1], first[PLM_ERROR_MESSAGE_MAX] = "";
	plm_questionnaire_report *report = NULL;
	const plm_policy *policy;
	const char *submission = "draft";
	char *text = NULL;
	size_t len, problems = 0;
	unsigned i;
	int r;

	if (strcmp(env->kind, "questionnaire_response") != 0 ||
	    strcmp(manifest->mime, "text/plain") != 0)
		return 0;
	for (i = 0; i < manifest->n_fields; i++)
		if (strcmp(manifest->fields[i].key, PLM_SUBMISSION_FIELD) == 0)
			submission = manifest->fields[i].value;
	if ((r = local_policy(cli, &policy, err)) != 0 ||
	    (r = plm_yaml_read_file(tmp, &text, &len, err)) != 0)
		return r;
	plm_hex(hex, env->id, PLM_HASH_BYTES);
	r = plm_questionnaire_check(policy, hex, text, len, &report, err);
	if (r == PLM_ERR_NOMEM)
		goto out;
	if (r != 0) {
		problems = 1;
		snprintf(first, sizeof(first), "%s", err->message);
	} else if (report->review == NULL || strcmp(report->review, env->review) != 0) {
		problems = 1 + report->n_problems;
		snprintf(first, sizeof(first), "it answers review %s, not %s",
		         report->review != NULL ? report->review : "(none)", env->review);
	} else if ((problems = report->n_problems) > 0) {
		snprintf(first, sizeof(first), "%s", report->problems[0]);
	}
	r = 0;
	if (problems > 0 && strcmp(submission, "final") == 0)
		r = plm_error_set(err, PLM_ERR_POLICY,
		                  "document %.12s, the final submission, is not a complete "
		                  "and valid questionnaire (%zu problems; the first: %s)",
		                  hex, problems, first);
	else if (problems > 0)
		cli_warn(cli,
		         "document %.12s, a draft questionnaire, has %zu problems; the "
		         "first: %s",
		         hex, problems, first);
out:
	plm_questionnaire_report_free(report);
	if (text != NULL) {
		sodium_memzero(text, len);
		free(text);
	}
	return r;
}

int cmd_get(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct stored_envelope env;
	struct reader *rd = NULL;
	plm_manifest *manifest = NULL;
	const char *output = NULL;
	char final[4096], tmp[4200], dir[4096], name[PLM_MANIFEST_FILE_NAME_MAX + 16];
	char hex[2 * PLM_HASH_BYTES + 1], rnd[17];
	unsigned char rnd_bytes[8];
	int opt, force = 0, status, r, tmp_made = 0;
	plm_error err;

	while ((opt = getopt_long(argc, argv, "o:fh", options, NULL)) != -1) {
		if (opt == 'o')
			output = optarg;
		else if (opt == 'f')
			force = 1;
		else
			return cli_fail(cli, EXIT_USAGE, "see `palermo help get`");
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the document: palermo get [-o FILE] ID");
	if (output != NULL && strcmp(output, "-") == 0)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "get writes documents to files only, never to the terminal "
		    "(nothing is shown before all of it verified); give -o FILE");
	if (output != NULL &&
	    (output[0] == '\0' || strlen(output) >= sizeof(final) - 300))
		return cli_fail(cli, EXIT_USAGE, "give -o a usable file name");
	if (cli->json)
		reader_json_wipe(); /* the title goes into JSON */
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	status = reader_find_verified(cli, argv[optind], 1, &env);
	if (status == -1) { /* not in my reviews: disclosed to the parties? */
		if ((status = disclosed_get(cli, argv[optind], output, force)) != -1)
			return status;
		return reader_find_verified(cli, argv[optind], 0, &env);
	}
	if (status != 0)
		return status;
	plm_hex(hex, env.id, PLM_HASH_BYTES);
	if ((status = cli_unlock(cli)) != 0)
		return status;
	if (reader_new(cli, env.review, &rd, &err) != 0 ||
	    plm_manifest_new(&manifest, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	/* Where to: the document's own name needs its manifest (a first, full pass). */
	if (output == NULL || is_dir(output)) {
		if (reader_open(rd, &env, NULL, manifest, &err) != 0) {
			status = cli_fail_err(cli, &err);
			goto out;
		}
		default_name(&env, manifest, name, sizeof(name));
		if (output == NULL)
			snprintf(final, sizeof(final), "%s", name);
		else
			snprintf(final, sizeof(final), "%s/%s", output, name);
	} else {
		snprintf(final, sizeof(final), "%s", output);
	}
	if (exists(final) && !force) {
		status =
		    cli_fail(cli, EXIT_FAILURE_,
		             "%s exists; use --force to replace it, or -o to choose "
		             "another name",
		             final);
		goto out;
	}
	/* A hidden name beside the destination, ending like it (Markdown by name). */
	snprintf(dir, sizeof(dir), "%s", final);
	snprintf(tmp, sizeof(tmp), "%s", final); /* basename(3) may write into it */
	snprintf(name, sizeof(name), "%.255s", basename(tmp));
	randombytes_buf(rnd_bytes, sizeof(rnd_bytes));
	plm_hex(rnd, rnd_bytes, sizeof(rnd_bytes));
	snprintf(tmp, sizeof(tmp), "%s/.palermo-%s-%s", dirname(dir), rnd, name);
	if ((r = reader_open(rd, &env, tmp, manifest, &err)) != 0) {
		status = cli_fail_err(cli, &err); /* plm_envelope_open left nothing */
		goto out;
	}
	tmp_made = 1;
	if ((r = attach_check_file(cli, tmp, manifest->mime, &err)) != 0) {
		status =
		    cli_fail(cli, r == PLM_ERR_IO ? EXIT_FAILURE_ : cli_exit_for(r),
		             "%s; nothing was written to %s", err.message, final);
		goto out;
	}
	if ((r = check_words(cli, &env, manifest, tmp, &err)) != 0 ||
	    (r = check_questionnaire(cli, &env, manifest, tmp, &err)) != 0) {
		status = cli_fail(cli, cli_exit_for(r), "%s; nothing was written to %s",
		                  err.message, final);
		goto out;
	}
	if ((r = place(tmp, final, force, &err)) != 0) {
		status =
		    cli_fail(cli, r == PLM_ERR_EXISTS ? EXIT_FAILURE_ : cli_exit_for(r),
		             "%s", err.message);
		goto out;
	}
	tmp_made = 0;
	if (reader_warning(rd)[0] != '\0')
		cli_warn(cli, "%s", reader_warning(rd));
	if (cli->json)
		status = cli_json(cli, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "id",
		                                 hex, "review", env.review, "file",
		                                 final, "title", manifest->title,
		                                 "mime", manifest->mime, "size",
		                                 (json_int_t)manifest->size));
	else
		cli_say(cli, "wrote %s (%s, %" PRIu64 " bytes)", final, manifest->mime,
		        manifest->size);
	status = EXIT_OK;
out:
	if (tmp_made)
		unlink(tmp);
	plm_manifest_free(manifest);
	reader_free(rd);
	return status;
}
