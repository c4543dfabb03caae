/*
 * main.c - palermo, the command-line client (DESIGN.md §11): global
 * options, the command table (git's commands[] style; one file per
 * command), `palermo help`, and the exit code.
 *
 *   palermo [--home DIR] [--json] [--quiet] [--no-color] COMMAND [ARGS]
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cli.h"
#include "client/commands.h"

const struct command commands[] = {
    {"init", cmd_init, "make your identity and enrol with an invitation", usage_init},
    {"whoami", cmd_whoami, "show who you are here and your fingerprint", usage_whoami},
    {"keys", cmd_keys, "show or export your public keys, change your passphrase",
     usage_keys},
    {"sync", cmd_sync, "send the outbox, fetch and verify everything new", usage_sync},
    {"reviews", cmd_reviews, "list the reviews you are on and your role", usage_reviews},
    {"status", cmd_status, "show a review's stage, deadlines and members", usage_status},
    {"roster", cmd_roster, "show a review's members with fingerprints and history",
     usage_roster},
    {"send", cmd_send, "seal a message or document and send it to a review", usage_send},
    {"list", cmd_list, "list a review's documents with their titles", usage_list},
    {"thread", cmd_thread, "show a review's documents as threads of replies",
     usage_thread},
    {"get", cmd_get, "verify and decrypt a document into a file", usage_get},
    {"outbox", cmd_outbox, "show what waits to be sent", usage_outbox},
    {"questionnaire", cmd_questionnaire,
     "write, check and submit the self-assessment questionnaire (offline)",
     usage_questionnaire},
    {"agree", cmd_agree, "agree, for your State, to a draft list of observations or summary",
     usage_agree},
    {"admin", cmd_admin, "the secretariat's commands (root, invite, certify, reviews)",
     usage_admin},
    {"report", cmd_report, "the secretariat's overview of every review (text, JSON, HTML)",
     usage_report},
    {"doctor", cmd_doctor, "check this client's set-up and say what to fix", usage_doctor},
    /* hidden (not listed by `palermo help`): for the shell completions */
    {"__complete", cmd___complete, NULL, usage___complete},
    {"archive", cmd_archive, "seal a review into one signed file, verify it offline, open it",
     usage_archive},
    {"disclose", cmd_disclose, "open a document to all States parties or to the public",
     usage_disclose},
    {"disclosed", cmd_disclosed, "list what was disclosed to all States parties",
     usage_disclosed},
    {"verify", cmd_verify, "check a public document and its signature bundle offline",
     usage_verify},
};
const size_t commands_count = sizeof(commands) / sizeof(commands[0]);

static const char main_usage[] =
    "usage: palermo [--home DIR] [--json] [--quiet] [--no-color] COMMAND [ARGS]\n"
    "\n"
    "Palermo keeps a treaty review's documents confidential to its members:\n"
    "everything is encrypted and signed here, the server sees ciphertext only.\n"
    "\n"
    "Options:\n"
    "  --home DIR   the state folder (default $PALERMO_HOME, else\n"
    "               $XDG_DATA_HOME/palermo, else ~/.local/share/palermo)\n"
    "  --json       machine-readable output on stdout (commands that list or show)\n"
    "  --quiet      say nothing on success\n"
    "  --no-color   no colours (also when NO_COLOR is set)\n"
    "\n"
    "Commands:\n";

static void print_usage(FILE *f)
{
	size_t i;

	fputs(main_usage, f);
	for (i = 0; i < commands_count; i++)
		if (commands[i].summary != NULL)
			fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\n`palermo help COMMAND` or `palermo COMMAND --help` tells more.\n"
	      "Exit codes: 0 ok, 1 failure, 2 usage, 3 verification failed, 4 network,\n"
	      "5 refused (authorization), 6 not found. See palermo(1).\n",
	      f);
}

const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < commands_count; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The state folder: --home, $PALERMO_HOME, $XDG_DATA_HOME/palermo, ~/.local/share/palermo. */
static int resolve_home(struct cli *cli, const char *option)
{
	const char *env = getenv("PALERMO_HOME"), *xdg = getenv("XDG_DATA_HOME"),
	           *home = getenv("HOME");
	int n;

	if (option != NULL)
		n = snprintf(cli->home, sizeof(cli->home), "%s", option);
	else if (env != NULL && *env != '\0')
		n = snprintf(cli->home, sizeof(cli->home), "%s", env);
	else if (xdg != NULL && *xdg != '\0')
		n = snprintf(cli->home, sizeof(cli->home), "%s/palermo", xdg);
	else if (home != NULL && *home != '\0')
		n = snprintf(cli->home, sizeof(cli->home), "%s/.local/share/palermo", home);
	else
		return cli_fail(cli, EXIT_USAGE,
		                "no home folder: give --home DIR, or set PALERMO_HOME or HOME");
	if (n < 0 || (size_t)n >= sizeof(cli->home) - 64)
		return cli_fail(cli, EXIT_USAGE, "the home folder path is too long");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"home", required_argument, NULL, 'H'}, {"json", no_argument, NULL, 'j'},
	    {"quiet", no_argument, NULL, 'q'},      {"no-color", no_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},       {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct cli cli;
	const struct command *cmd;
	const char *home = NULL, *no_color = getenv("NO_COLOR");
	plm_error err;
	int c, status;

	memset(&cli, 0, sizeof(cli));
	cli.program = "palermo";
	cli.color = isatty(STDOUT_FILENO) && (no_color == NULL || *no_color == '\0');
	/* "+": stop at the command name; the command parses the rest. */
	while ((c = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
		switch (c) {
		case 'H': home = optarg; break;
		case 'j': cli.json = 1; break;
		case 'q': cli.quiet = 1; break;
		case 'C': cli.color = 0; break;
		case 'h': print_usage(stdout); return EXIT_OK;
		case 'V': puts("palermo 0.1 (protocol v1)"); return EXIT_OK;
		default: print_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc) {
			print_usage(stdout);
			return EXIT_OK;
		}
		if ((cmd = find_command(argv[optind + 1])) == NULL)
			return cli_fail(&cli, EXIT_USAGE,
			                "there is no command '%s'; `palermo help` lists them",
			                argv[optind + 1]);
		cli_usage(cmd, stdout);
		return EXIT_OK;
	}
	if ((cmd = find_command(argv[optind])) == NULL)
		return cli_fail(&cli, EXIT_USAGE,
		                "there is no command '%s'; `palermo help` lists them",
		                argv[optind]);
	if ((status = resolve_home(&cli, home)) != 0)
		return status;
	if (plm_init(&err) != 0)
		return cli_fail_err(&cli, &err);
	argc -= optind;
	argv += optind;
	optind = 0; /* each command runs its own getopt_long from argv[1]; 0 also
	             * resets GNU getopt, which remembers the "+" ordering */
	if (cli_wants_help(cmd, argc, argv))
		return EXIT_OK;
	status = cmd->fn(&cli, argc, argv);
	cli_close(&cli);
	return status;
}
