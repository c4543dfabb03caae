/*
 * cmd_list.c - `palermo list REVIEW`: a review's documents in log order,
 * each verified again and its manifest decrypted for the title
 * (client/reader.h). Nothing decrypted is written anywhere.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_list[] =
    "usage: palermo list [--all] REVIEW\n"
    "\n"
    "Lists REVIEW's documents as of your last `palermo sync`, oldest first: the\n"
    "first 12 digits of the id (give them to `palermo get`), the date, the author\n"
    "with State and role, the kind, the channel and the title. Each document is\n"
    "verified again and its manifest decrypted in memory to read the title;\n"
    "nothing decrypted is written anywhere.\n"
    "\n"
    "A document that failed verification when it was synced is shown as REFUSED\n"
    "with the reason; one whose cached copy no longer verifies as DAMAGED (and\n"
    "the exit status is then 3). Documents of a channel you cannot read (the\n"
    "reviewing States' channel, for the State under review) are left out.\n"
    "\n"
    "Options:\n"
    "  -a, --all   also list the documents you cannot read (without a title)\n"
    "\n"
    "With --json, prints {\"review\", \"documents\": [{\"id\", \"seq\",\n"
    "\"created_at\", \"author\": {\"fingerprint\", \"user_id\", \"state\", \"role\"},\n"
    "\"kind\", \"channel\", \"epoch\", \"reply_to\", \"size\", \"status\",\n"
    "\"problem\", \"title\", \"file_name\", \"mime\", \"language\",\n"
    "\"content_size\", \"fields\": {KEY: VALUE}}]}, status being \"verified\",\n"
    "\"refused\", \"damaged\" or \"unreadable\"; the manifest's fields only when\n"
    "verified.\n"
    "\n"
    "Exit status: 3 if a document no longer verifies, 6 if the review is unknown.\n"
    "\n"
    "Examples:\n"
    "  palermo list 2026-ita-crim\n"
    "  palermo --json list 2026-ita-crim | jq -r '.documents[].title'\n";

struct list_ctx {
	struct cli *cli;
	struct reader *rd;
	plm_manifest *manifest;
	int all;
	int damaged;
	size_t shown;
	json_t *documents;
};

/* Prints S on one line: tabs and line breaks become spaces. */
static void print_one_line(const char *s)
{
	for (; *s != '\0'; s++)
		putchar(*s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s);
}

static int list_one(void *vctx, const struct stored_envelope *env)
{
	struct list_ctx *c = vctx;
	static const char *const status[] = {NULL, "verified", "refused", "unreadable",
	                                     "damaged"};
	enum reader_outcome outcome;
	char line[256], style[64];
	plm_error err;
	json_t *entry;

	plm_error_clear(&err);
	outcome = reader_try(c->rd, env, c->manifest, &err);
	if (outcome == READER_UNREADABLE && !c->all)
		return 0;
	if (outcome == READER_DAMAGED)
		c->damaged = 1;
	c->shown++;
	if (outcome == READER_OPENED && reader_warning(c->rd)[0] != '\0')
		cli_warn(c->cli, "%s", reader_warning(c->rd));
	if (c->cli->json) {
		entry = reader_entry_json(c->rd, env);
		json_object_set_new(entry, "status", json_string(status[outcome]));
		json_object_set_new(
		    entry, "problem",
		    outcome == READER_OPENED ? json_null() : json_string(err.message));
		if (outcome == READER_OPENED)
			reader_manifest_json(entry, c->manifest);
		json_array_append_new(c->documents, entry);
		return 0;
	}
	reader_entry_line(c->rd, env, line, sizeof(line));
	printf("%s ", line);
	switch (outcome) {
	case READER_OPENED:
		if (c->manifest->title[0] != '\0')
			print_one_line(c->manifest->title);
		else if (c->manifest->file_name[0] != '\0')
			print_one_line(c->manifest->file_name);
		else
			fputs("(untitled)", stdout);
		break;
	case READER_REFUSED:
		printf("%s: %s",
		       cli_style(c->cli, "1;31", "REFUSED", style, sizeof(style)),
		       err.message);
		break;
	case READER_DAMAGED:
		printf("%s: %s",
		       cli_style(c->cli, "1;31", "DAMAGED", style, sizeof(style)),
		       err.message);
		break;
	case READER_UNREADABLE:
		printf("%s", cli_style(c->cli, "2", "(you cannot read this channel)",
		                       style, sizeof(style)));
		break;
	}
	putchar('\n');
	return 0;
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"all", no_argument, NULL, 'a'},
	                                        {"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct list_ctx c;
	plm_error err;
	int opt, status;

	memset(&c, 0, sizeof(c));
	c.cli = cli;
	while ((opt = getopt_long(argc, argv, "ah", options, NULL)) != -1) {
		if (opt != 'a')
			return cli_fail(cli, EXIT_USAGE, "see `palermo help list`");
		c.all = 1;
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the review: palermo list REVIEW");
	if (cli->json)
		reader_json_wipe(); /* titles go into JSON: wipe jansson's copies */
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	if (reader_new(cli, argv[optind], &c.rd, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((status = cli_unlock(cli)) != 0)
		goto out;
	if (plm_manifest_new(&c.manifest, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	c.documents = json_array();
	reader_check_ahead(c.rd);
	if (state_envelopes_each(cli->state, argv[optind], list_one, &c, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (cli->json) {
		cli_json(cli, json_pack("{s:s, s:o}", "review", argv[optind],
		                        "documents", c.documents));
		c.documents = NULL;
	} else if (c.shown == 0) {
		cli_say(cli, "No documents in %s yet (as of your last `palermo sync`).",
		        argv[optind]);
	}
	status = EXIT_OK;
	if (c.damaged)
		status =
		    cli_fail(cli, EXIT_VERIFY,
		             "some documents no longer verify (DAMAGED above): their "
		             "cached copies were altered; tell the secretariat");
out:
	json_decref(c.documents);
	plm_manifest_free(c.manifest);
	reader_free(c.rd);
	return status;
}
