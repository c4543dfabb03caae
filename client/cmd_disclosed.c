/*
 * cmd_disclosed.c - `palermo disclosed`: what the States under review have
 * disclosed to all States parties (para 40) and to the public (para 41),
 * verified (client/disclosed.h), for any member of the parties group; and
 * disclosed_get, through which `palermo get ID` reads such a document
 * when ID is of a review this member is not on.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/attach.h"
#include "client/commands.h"
#include "client/disclosed.h"
#include "client/reader.h"
#include "client/sync.h"
#include "keys/codec.h"

const char usage_disclosed[] =
    "usage: palermo disclosed\n"
    "\n"
    "Syncs, then lists every document that a State under review disclosed to all\n"
    "States parties (para 40) or to the public (para 41), in every review, your\n"
    "own State's or not. You see the list if you are in the parties group (every\n"
    "certified focal point and expert the secretariat names) or the secretariat.\n"
    "Read a document with `palermo get ID`.\n"
    "\n"
    "Each entry is verified before it is shown: the disclosure's signature by a\n"
    "certified key; the review's rosters up to it, signed by the root and\n"
    "chained; that its signer was then the focal point of the State under review\n"
    "and that the policy lets that kind be disclosed; and that all of it is in\n"
    "the server's log as this client verified it. `palermo get` then checks the\n"
    "document itself: the author's signature, and the disclosed key against the\n"
    "key commitment the author signed, so that you read exactly what the\n"
    "review's members read.\n"
    "\n"
    "One line per document: id, date of the disclosure, review, kind, to whom,\n"
    "and who disclosed it. With --json: {\"disclosed\": [{\"id\", \"review\",\n"
    "\"sur_state\", \"kind\", \"size\", \"scope\", \"parties_epoch\",\n"
    "\"disclosed_by\", \"disclosed_at\", \"seq\"}], \"pending\": N}.\n"
    "\n"
    "Exit status: 0 all verified, 3 something failed verification (it is not\n"
    "shown), 4 the server cannot be reached, 5 you are not in the parties group.\n";

/* Collects refusals for the exit status. */
struct refusals {
	struct cli *cli;
	size_t n;
};

static void on_refused(void *ctx, const char *review, int64_t seq, const char *what,
                       const char *problem)
{
	struct refusals *f = ctx;

	(void)seq;
	f->n++;
	cli_warn(f->cli, "VERIFICATION FAILED: review %s, %s: %s", review, what,
	         problem);
}

/*
 * The verified list of disclosures, after a sync when SYNC (head,
 * certificates, the parties group), else against what the last sync
 * verified. Returns 0, or the exit status after printing the problem; with
 * QUIET_NOTFOUND, -1 without a word when the server shows no list to this
 * member, cannot be reached, or nothing was verified here yet.
 */
static int fetch(struct cli *cli, struct refusals *f, struct disclosed_list *list,
                 int sync, int quiet_notfound)
{
	struct sync_observer obs = {f, on_refused, NULL, NULL, NULL, NULL};
	struct sync_result res;
	plm_error err;
	int status;

	if ((status = cli_open_state(cli, 0)) != 0 || (status = cli_unlock(cli)) != 0 ||
	    (status = cli_connect(cli)) != 0)
		return status;
	if (sync && sync_run(cli, &obs, &res, &err) != 0)
		return cli_fail_err(cli, &err);
	if (disclosed_fetch(cli, &obs, list, &err) != 0) {
		if ((err.code == PLM_ERR_NOTFOUND || err.code == PLM_ERR_NET) &&
		    quiet_notfound)
			return -1; /* the caller says it is not known here */
		if (err.code == PLM_ERR_NOTFOUND)
			return cli_fail(
			    cli, EXIT_AUTH,
			    "the server shows what was disclosed to all States "
			    "parties only to the members of the parties group, and "
			    "you are not one; ask the secretariat");
		return cli_fail_err(cli, &err);
	}
	return 0;
}

static const char *scope_name(const struct disclosed *d)
{
	return d->record->body.disclosure.scope == PLM_DISCLOSE_PUBLIC ? "public"
	                                                               : "parties";
}

int cmd_disclosed(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct refusals f = {cli, 0};
	struct disclosed_list list;
	char hex[2 * PLM_HASH_BYTES + 1], date[32];
	json_t *items;
	size_t i;
	int status;

	if (getopt_long(argc, argv, "h", options, NULL) != -1 || optind != argc)
		return cli_fail(cli, EXIT_USAGE, "see `palermo help disclosed`");
	memset(&list, 0, sizeof(list));
	if ((status = fetch(cli, &f, &list, 1, 0)) != 0)
		return status;
	items = json_array();
	for (i = 0; i < list.n; i++) {
		const struct disclosed *d = &list.v[i];
		plm_hex(hex, d->env.id, PLM_HASH_BYTES);
		reader_date(d->record->body.disclosure.created_at, date);
		json_array_append_new(
		    items,
		    json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:I, s:I}",
		              "id", hex, "review", d->review, "sur_state", d->sur_state,
		              "kind", d->env.kind, "size", (json_int_t)d->env.size,
		              "scope", scope_name(d), "parties_epoch",
		              (json_int_t)d->record->body.disclosure.parties_epoch,
		              "disclosed_by", d->discloser, "disclosed_at",
		              (json_int_t)d->record->body.disclosure.created_at, "seq",
		              (json_int_t)d->seq));
		if (!cli->json)
			printf("%.12s  %s  %s  %-22s  to %s  by %s (%s, %s)\n", hex,
			       date, d->review, d->env.kind,
			       d->record->body.disclosure.scope == PLM_DISCLOSE_PUBLIC
			           ? "the public"
			           : "all parties",
			       d->discloser, d->sur_state, d->role);
	}
	if (cli->json)
		cli_json(cli, json_pack("{s:o, s:I}", "disclosed", items, "pending",
		                        (json_int_t)list.skipped));
	else
		json_decref(items);
	if (!cli->json && list.n == 0)
		cli_say(cli, "nothing was disclosed to the parties yet");
	disclosed_free(&list);
	if (f.n > 0)
		return cli_fail(
		    cli, EXIT_VERIFY,
		    "%zu %s failed verification and %s not shown (see above)", f.n,
		    f.n == 1 ? "disclosure" : "disclosures", f.n == 1 ? "is" : "are");
	return EXIT_OK;
}

int disclosed_get(struct cli *cli, const char *prefix, const char *output, int force)
{
	struct refusals f = {cli, 0};
	struct disclosed_list list;
	const struct disclosed *d = NULL;
	plm_manifest *manifest = NULL;
	char hex[2 * PLM_HASH_BYTES + 1], final[4096];
	size_t i, len = strlen(prefix);
	plm_error err;
	int status, r;

	memset(&list, 0, sizeof(list));
	if (len < 4 || len > 2 * PLM_HASH_BYTES)
		return cli_fail(cli, EXIT_USAGE,
		                "give 4 to 64 digits of the document's id");
	if ((status = fetch(cli, &f, &list, 0, 1)) != 0)
		return status;
	for (i = 0; i < list.n; i++) {
		plm_hex(hex, list.v[i].env.id, PLM_HASH_BYTES);
		if (strncasecmp(hex, prefix, len) != 0)
			continue;
		if (d != NULL &&
		    memcmp(d->env.id, list.v[i].env.id, PLM_HASH_BYTES) != 0) {
			status = cli_fail(
			    cli, EXIT_USAGE,
			    "%s names several disclosed documents; give more digits",
			    prefix);
			goto out;
		}
		/* Public rather than parties: it needs no key of the group. */
		if (d == NULL ||
		    list.v[i].record->body.disclosure.scope == PLM_DISCLOSE_PUBLIC)
			d = &list.v[i];
	}
	if (d == NULL) {
		status = -1;
		goto out;
	}
	plm_hex(hex, d->env.id, PLM_HASH_BYTES);
	if (plm_manifest_new(&manifest, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (output == NULL) {
		if ((r = disclosed_open(cli, d, NULL, manifest, &err)) != 0) {
			status = cli_fail_err(cli, &err);
			goto out;
		}
		if (manifest->file_name[0] != '\0')
			snprintf(final, sizeof(final), "%s", manifest->file_name);
		else
			snprintf(final, sizeof(final), "%.12s.%s", hex,
			         strncmp(manifest->mime, "text/", 5) == 0 ? "txt"
			                                                  : "bin");
	} else {
		snprintf(final, sizeof(final), "%s", output);
	}
	if (!force && access(final, F_OK) == 0) {
		status = cli_fail(
		    cli, EXIT_FAILURE_,
		    "%s exists; use --force to replace it, or -o to choose another "
		    "name",
		    final);
		goto out;
	}
	if ((r = disclosed_open(cli, d, final, manifest, &err)) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if ((r = attach_check_file(cli, final, manifest->mime, &err)) != 0) {
		unlink(final);
		status =
		    cli_fail(cli, r == PLM_ERR_IO ? EXIT_FAILURE_ : cli_exit_for(r),
		             "%s; nothing was written to %s", err.message, final);
		goto out;
	}
	if (cli->json)
		status = cli_json(cli, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
		                                 "id", hex, "review", d->review, "file",
		                                 final, "title", manifest->title,
		                                 "mime", manifest->mime, "size",
		                                 (json_int_t)manifest->size,
		                                 "disclosed_to", scope_name(d)));
	else
		cli_say(cli, "wrote %s (%s, %" PRIu64 " bytes), disclosed by %s of %s",
		        final, manifest->mime, manifest->size, d->discloser,
		        d->sur_state);
	status = f.n > 0 ? EXIT_VERIFY : EXIT_OK;
out:
	plm_manifest_free(manifest);
	disclosed_free(&list);
	return status;
}
