/*
 * cmd_complete.c - `palermo __complete WHAT`: the words the shell
 * completions (client/completion/) offer, so that the scripts hard-code
 * neither the commands nor their options:
 *   commands                    the command table's visible commands
 *   options COMMAND             the long options COMMAND's usage text shows
 *   subcommands COMMAND [WORD]  the words its synopsis puts after COMMAND WORD
 *   reviews, documents [REVIEW] ids that only the local state knows
 * The commands and their usage texts (commands[] in client/main.c, usage_*)
 * are the one source of truth: a new command or option is completed as soon
 * as its usage shows it. Hidden from `palermo help`. Reads the local state
 * only: no network, no passphrase, and silent on any error (a completion
 * must never print an error into the middle of a command line being typed).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "client/commands.h"
#include "client/state.h"
#include "client/sync.h"

const char usage___complete[] =
    "usage: palermo __complete commands\n"
    "       palermo __complete options COMMAND\n"
    "       palermo __complete subcommands COMMAND [WORD]...\n"
    "       palermo __complete reviews\n"
    "       palermo __complete documents [REVIEW]\n"
    "\n"
    "For the shell completions, one per line: the commands `palermo help`\n"
    "lists (a tab, then their summary); the long options of COMMAND's usage\n"
    "text, each with a tab and the value it takes, if any (FILE, ID,\n"
    "moderate|interactive, ...); the subcommands its synopsis shows after\n"
    "COMMAND WORD...; the review ids known here; or the document ids (16 hex\n"
    "digits, enough for `palermo get`), a tab, their kind and review, from the\n"
    "local state only.\n";

#define COMPLETE_ID_DIGITS 16
#define COMPLETE_MAX_WORDS 64 /* distinct options or subcommands of one command */
#define COMPLETE_WORD_BYTES 48

/* The distinct words printed so far (first appearance wins, order kept). */
struct word_set {
	char words[COMPLETE_MAX_WORDS][COMPLETE_WORD_BYTES];
	size_t count;
};

/* Adds the LEN bytes at WORD to SET; 1 if new, 0 if seen, too long or full. */
static int word_set_add(struct word_set *set, const char *word, size_t len)
{
	size_t i;

	if (len == 0 || len >= COMPLETE_WORD_BYTES || set->count == COMPLETE_MAX_WORDS)
		return 0;
	for (i = 0; i < set->count; i++)
		if (strlen(set->words[i]) == len && memcmp(set->words[i], word, len) == 0)
			return 0;
	memcpy(set->words[set->count], word, len);
	set->words[set->count++][len] = '\0';
	return 1;
}

static int print_commands(void)
{
	size_t i;

	for (i = 0; i < commands_count; i++)
		if (commands[i].summary != NULL) /* NULL: hidden, as in `palermo help` */
			printf("%s\t%s\n", commands[i].name, commands[i].summary);
	return EXIT_OK;
}

/* The length of the long option name at S ("--" then [a-z0-9-]), 0 if none. */
static size_t option_length(const char *s)
{
	size_t n = 2;

	if (s[0] != '-' || s[1] != '-' || !islower((unsigned char)s[2]))
		return 0;
	while (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-')
		n++;
	return n;
}

/*
 * The length of the value placeholder at S, right after an option and one
 * space ("--output FILE", "[--kdf moderate|interactive]"), 0 if the option
 * takes none: a placeholder is in capitals or lists its choices with '|'.
 */
static size_t value_length(const char *s)
{
	size_t n = 0;

	if (s[0] != ' ')
		return 0;
	s++;
	while (s[n] != '\0' && !isspace((unsigned char)s[n]) && s[n] != ']')
		n++;
	if (isupper((unsigned char)s[0]))
		return n;
	if (islower((unsigned char)s[0]) && memchr(s, '|', n) != NULL)
		return n;
	return 0;
}

/* Prints the option at S once: its name, and a tab and its value if it takes one. */
static void print_option(struct word_set *seen, const char *s, size_t len)
{
	size_t vlen = value_length(s + len);

	if (!word_set_add(seen, s, len))
		return;
	if (vlen > 0)
		printf("%.*s\t%.*s\n", (int)len, s, (int)vlen, s + len + 1);
	else
		printf("%.*s\n", (int)len, s);
}

/*
 * The options of USAGE: every --option of its synopsis (up to the first
 * blank line), then the option each later line starts with ("  --kind KIND
 * ...", "  -o, --output FILE ..."): options named in the prose, often those
 * of other commands ("like `palermo send --kind ...`"), are not its own.
 */
static int print_options(const char *usage)
{
	struct word_set seen = {.count = 0};
	const char *s = usage, *end = strstr(usage, "\n\n"), *line;
	size_t len;

	if (end == NULL)
		end = usage + strlen(usage);
	for (; s < end; s++)
		if ((s == usage || strchr(" [(|", s[-1]) != NULL) && (len = option_length(s)) > 0)
			print_option(&seen, s, len);
	for (line = end; (line = strchr(line, '\n')) != NULL;) {
		s = ++line;
		while (*s == ' ')
			s++;
		if (s[0] == '-' && islower((unsigned char)s[1]) && strncmp(s + 2, ", ", 2) == 0)
			s += 4; /* "-o, --output" */
		if ((len = option_length(s)) > 0)
			print_option(&seen, s, len);
	}
	return EXIT_OK;
}

/*
 * The subcommands of USAGE after WORDS (N of them, the command first): the
 * word in small letters that follows "palermo WORDS..." on a synopsis line
 * ("       palermo admin review advance REVIEW" gives advance after admin
 * review). Placeholders (REVIEW) and options are not subcommands.
 */
static int print_subcommands(const char *usage, char **words, int n)
{
	struct word_set seen = {.count = 0};
	const char *line, *next, *end = strstr(usage, "\n\n"), *s;
	size_t len;
	int i;

	if (end == NULL)
		end = usage + strlen(usage);
	for (line = usage; line < end; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : end;
		s = line;
		if (strncmp(s, "usage:", 6) == 0)
			s += 6;
		while (*s == ' ')
			s++;
		if (strncmp(s, "palermo ", 8) != 0)
			continue;
		s += 8;
		for (i = 0; i < n; i++) {
			len = strlen(words[i]);
			if (strncmp(s, words[i], len) != 0 || s[len] != ' ')
				break;
			s += len + 1;
		}
		if (i < n || !islower((unsigned char)*s))
			continue;
		for (len = 0; islower((unsigned char)s[len]) || s[len] == '-'; len++)
			;
		if ((s[len] == ' ' || s[len] == '\n' || s[len] == '\0') && word_set_add(&seen, s, len))
			printf("%.*s\n", (int)len, s);
	}
	return EXIT_OK;
}

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
	const struct command *cmd;
	plm_error err;

	if (argc < 2)
		return EXIT_USAGE;
	if (strcmp(argv[1], "commands") == 0)
		return argc == 2 ? print_commands() : EXIT_USAGE;
	if (strcmp(argv[1], "options") == 0 || strcmp(argv[1], "subcommands") == 0) {
		if (argc < 3 || (cmd = find_command(argv[2])) == NULL)
			return EXIT_NOTFOUND;
		if (argv[1][0] == 'o')
			return argc == 3 ? print_options(cmd->usage) : EXIT_USAGE;
		return print_subcommands(cmd->usage, argv + 2, argc - 2);
	}
	if (argc > 3)
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
