/*
 * cli.h - what every palermo command shares: exit codes, messages for
 * people, --json output, colours, passphrases, and the command context
 * (home folder, local state, identity, server connection).
 *
 * Only main() and the cmd_* functions decide what the user sees and the
 * exit code; the modules below them (state, transport, sync, outbox,
 * attach) return PLM_ERR_* codes with a sentence, like keys/.
 */
#ifndef PALERMO_CLI_H
#define PALERMO_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "keys/crypto.h"
#include "keys/error.h"

/* Exit codes (documented in palermo(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,  /* anything else that went wrong */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_VERIFY = 3,    /* something failed verification: a signature, a
	                       proof, a roster chain, a policy rule */
	EXIT_NETWORK = 4,   /* the server could not be reached (writes stay queued) */
	EXIT_AUTH = 5,      /* the server refused us: unknown, revoked, not allowed */
	EXIT_NOTFOUND = 6,  /* no such review, document or member */
};

struct state;
struct transport;
struct plm_policy;

/* Everything a command may need; fields are filled on demand. */
struct cli {
	const char *program;       /* "palermo" */
	char home[4096];           /* $PALERMO_HOME */
	int json;                  /* --json: machine output on stdout */
	int color;                 /* stdout is a terminal and NO_COLOR unset */
	int quiet;
	struct state *state;       /* cli_open_state */
	plm_identity *me;          /* cli_unlock */
	struct transport *net;     /* cli_connect */
	struct plm_policy *policy; /* local_policy */
};

/* "palermo: <sentence>" on stderr; returns CODE for `return cli_fail(...)`. */
int cli_fail(struct cli *cli, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "palermo: warning: <sentence>" on stderr. */
void cli_warn(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line on stdout unless --quiet or --json. */
void cli_say(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit code that fits a PLM_ERR_* from the modules. */
int cli_exit_for(int plm_code);
/* Reports ERR and returns the exit code that fits it. */
int cli_fail_err(struct cli *cli, const plm_error *err);
/* Prints JSON (takes ownership) on stdout, one document, newline-ended. */
int cli_json(struct cli *cli, json_t *doc);
/* Wraps S in an ANSI style when colours are on ("1" bold, "2" dim, "31" red...). */
const char *cli_style(struct cli *cli, const char *style, const char *s, char *buf,
                      size_t cap);

/*
 * Reads a passphrase: from the file named by $PALERMO_PASSPHRASE_FILE (its
 * first line), else from the terminal without echo (twice when CONFIRM).
 * *OUT is plm_secret_alloc memory (plm_secret_free), *LEN its length.
 */
int cli_passphrase(struct cli *cli, const char *prompt, int confirm,
                   unsigned char **out, size_t *len, plm_error *err);

/*
 * Reads the first line of FILE as a passphrase into *OUT (plm_secret_alloc
 * memory, plm_secret_free) and its length into *LEN. PLM_ERR_IO when
 * unreadable, PLM_ERR_INVALID when empty.
 */
int cli_passphrase_file(const char *file, unsigned char **out, size_t *len,
                        plm_error *err);

/* Opens the local state in cli->home (creating the folder 0700 if CREATE). */
int cli_open_state(struct cli *cli, int create);
/* Unlocks the identity (asks for the passphrase once per run). */
int cli_unlock(struct cli *cli);
/* Prepares the connection to the pinned server (needs the state). */
int cli_connect(struct cli *cli);
/* Releases everything. */
void cli_close(struct cli *cli);

/* One command: git-style, one file each (client/cmd_*.c). */
struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *summary;
	const char *usage;  /* full usage text for --help and `palermo help CMD` */
};

extern const struct command commands[];
extern const size_t commands_count;
/* The command NAME of the table (client/main.c), or NULL. */
const struct command *find_command(const char *name);

/* Prints CMD's usage on F. */
void cli_usage(const struct command *cmd, FILE *f);
/* 1 if argv has -h/--help as its first option (prints the usage). */
int cli_wants_help(const struct command *cmd, int argc, char **argv);

#endif
