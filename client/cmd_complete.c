/*
 * cmd_complete.c - `palermo __complete reviews|documents [REVIEW]`: the
 * words the shell completions (client/completion/) offer that only the
 * local state knows: review ids, and document ids with their kind. Hidden
 * from `palermo help`. Reads the local state only: no network, no
 * passphrase, and silent on any error (a completion must never print an
 * error into the middle of a command line being typed).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/state.h"
#include "client/sync.h"

const char usage___complete[] =
    "usage: palermo __complete reviews\n"
    "       palermo __complete documents [REVIEW]\n"
    "\n"
    "For the shell completions: prints the review ids known here, or the\n"
    "document ids (16 hex digits, enough for `palermo get`), a tab, their kind\n"
    "and review, one per line, from the local state only.\n";

#define COMPLETE_ID_DIGITS 16

static int print_review(void *ctx, const char *review)
{
	(void)ctx;
	printf("%s\n", review);
	return 0;
}

static int print_document(void *ctx, const struct stored_envelope *env)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	(void)ctx;
	if (env->status != ENVELOPE_VERIFIED)
		return 0;
	plm_hex(hex, env->id, PLM_HASH_BYTES);
	printf("%.*s\t%s %s\n", COMPLETE_ID_DIGITS, hex, env->kind, env->review);
	return 0;
}

/* Every review's documents, one review after the other. */
static int each_review_documents(void *ctx, const char *review)
{
	struct state *st = ctx;

	return state_envelopes_each(st, review, print_document, NULL, NULL);
}

int cmd___complete(struct cli *cli, int argc, char **argv)
{
	plm_error err;

	if (argc < 2 || argc > 3)
		return EXIT_USAGE;
	if (state_open(cli->home, 0, &cli->state, &err) != 0)
		return EXIT_NOTFOUND; /* no home yet: nothing to offer, quietly */
	if (strcmp(argv[1], "reviews") == 0 && argc == 2)
		return state_reviews_each(cli->state, print_review, NULL, NULL) == 0
		           ? EXIT_OK : EXIT_FAILURE_;
	if (strcmp(argv[1], "documents") == 0) {
		if (argc == 3)
			return state_envelopes_each(cli->state, argv[2], print_document, NULL,
			                            NULL) == 0
			           ? EXIT_OK : EXIT_FAILURE_;
		return state_reviews_each(cli->state, each_review_documents, cli->state, NULL) == 0
		           ? EXIT_OK : EXIT_FAILURE_;
	}
	return EXIT_USAGE;
}
