/* cli.c - messages, exit codes, output, passphrases (see cli.h). */
#define _GNU_SOURCE
#include "client/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <sodium.h>
#include <unistd.h>

#include "client/local.h"
#include "client/state.h"
#include "client/transport.h"
#include "keys/keystore.h"

int cli_fail(struct cli *cli, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", cli->program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_say(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet || cli->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int cli_exit_for(int code)
{
	switch (code) {
	case 0:
		return EXIT_OK;
	case PLM_ERR_SIGNATURE:
	case PLM_ERR_DIGEST:
	case PLM_ERR_TRUNCATED:
	case PLM_ERR_ORDER:
	case PLM_ERR_NO_FINAL:
	case PLM_ERR_DECRYPT:
	case PLM_ERR_KEY:
	case PLM_ERR_COMMITMENT:
	case PLM_ERR_PROOF:
	case PLM_ERR_MISMATCH:
	case PLM_ERR_FORMAT:
	case PLM_ERR_VERSION:
	case PLM_ERR_TRAILING:
	case PLM_ERR_TYPE:
		return EXIT_VERIFY;
	case PLM_ERR_NET:
		return EXIT_NETWORK;
	case PLM_ERR_DENIED:
	case PLM_ERR_POLICY:
	case PLM_ERR_PASSPHRASE:
		return EXIT_AUTH;
	case PLM_ERR_NOTFOUND:
		return EXIT_NOTFOUND;
	case PLM_ERR_INVALID:
		return EXIT_USAGE;
	}
	return EXIT_FAILURE_;
}

int cli_fail_err(struct cli *cli, const plm_error *err)
{
	return cli_fail(cli, cli_exit_for(err->code), "%s",
	                err->message[0] ? err->message : plm_strerror(err->code));
}

int cli_json(struct cli *cli, json_t *doc)
{
	(void)cli;
	if (doc == NULL)
		return EXIT_FAILURE_;
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(doc);
	return EXIT_OK;
}

const char *cli_style(struct cli *cli, const char *style, const char *s, char *buf,
                      size_t cap)
{
	if (!cli->color)
		return s;
	snprintf(buf, cap, "\033[%sm%s\033[0m", style, s);
	return buf;
}

/* Reads one line without echo from the terminal into BUF (secret memory). */
static int read_tty(const char *prompt, unsigned char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), r = -1;
	size_t n = 0;
	char c;

	if (fd < 0)
		return -1;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcgetattr(fd, &old) != 0)
		goto out;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		goto out;
	while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		if (n < cap)
			buf[n++] = (unsigned char)c;
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		goto out;
	*len = n;
	r = 0;
out:
	close(fd);
	return r;
}

#define PASSPHRASE_MAX 1024

int cli_passphrase_file(const char *file, unsigned char **out, size_t *len,
                        plm_error *err)
{
	unsigned char *p = plm_secret_alloc(PASSPHRASE_MAX);
	ssize_t got;
	size_t n;
	int fd, r = 0;

	*out = NULL;
	*len = 0;
	if (p == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory");
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot read the passphrase file %s: %s",
		                  file, strerror(errno));
		goto out;
	}
	got = read(fd, p, PASSPHRASE_MAX);
	close(fd);
	if (got < 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot read the passphrase file %s: %s",
		                  file, strerror(errno));
		goto out;
	}
	for (n = 0; n < (size_t)got && p[n] != '\n' && p[n] != '\r'; n++)
		;
	if (n == 0) {
		r = plm_error_set(err, PLM_ERR_INVALID, "the passphrase in %s is empty", file);
		goto out;
	}
	*out = p;
	*len = n;
	p = NULL;
out:
	plm_secret_free(p);
	return r;
}

int cli_passphrase(struct cli *cli, const char *prompt, int confirm,
                   unsigned char **out, size_t *len, plm_error *err)
{
	const char *file = getenv("PALERMO_PASSPHRASE_FILE");
	unsigned char *p, *again = NULL;
	size_t n = 0, m = 0;
	int r = 0;

	(void)cli;
	*out = NULL;
	*len = 0;
	if (file != NULL && *file != '\0')
		return cli_passphrase_file(file, out, len, err);
	if ((p = plm_secret_alloc(PASSPHRASE_MAX)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory");
	if (read_tty(prompt, p, PASSPHRASE_MAX, &n) != 0) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "a passphrase is needed and there is no terminal to ask "
		                  "it on; set PALERMO_PASSPHRASE_FILE to a file holding it");
		goto out;
	}
	if (confirm) {
		if ((again = plm_secret_alloc(PASSPHRASE_MAX)) == NULL ||
		    read_tty("Again, to confirm: ", again, PASSPHRASE_MAX, &m) != 0 ||
		    m != n || sodium_memcmp(p, again, n) != 0) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "the two passphrases differ; run the command again");
			goto out;
		}
	}
	if (n == 0) {
		r = plm_error_set(err, PLM_ERR_INVALID, "the passphrase is empty; choose one");
		goto out;
	}
	*out = p;
	*len = n;
	p = NULL;
out:
	plm_secret_free(p);
	plm_secret_free(again);
	return r;
}

int cli_open_state(struct cli *cli, int create)
{
	plm_error err;

	if (cli->state != NULL)
		return 0;
	if (state_open(cli->home, create, &cli->state, &err) != 0)
		return cli_fail_err(cli, &err);
	return 0;
}

int cli_unlock(struct cli *cli)
{
	unsigned char *pass = NULL;
	char path[4200];
	size_t len;
	plm_error err;
	int r;

	if (cli->me != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/identity.key", cli->home);
	if (access(path, F_OK) != 0)
		return cli_fail(cli, EXIT_NOTFOUND,
		                "there is no identity in %s yet; run `palermo init` first "
		                "(or set PALERMO_HOME)",
		                cli->home);
	if (cli_passphrase(cli, "Passphrase: ", 0, &pass, &len, &err) != 0)
		return cli_fail_err(cli, &err);
	r = plm_keystore_open(path, pass, len, &cli->me, &err);
	plm_secret_free(pass);
	if (r != 0) {
		if (r == PLM_ERR_PASSPHRASE)
			return cli_fail(cli, EXIT_AUTH, "wrong passphrase; try again");
		return cli_fail_err(cli, &err);
	}
	return 0;
}

int cli_connect(struct cli *cli)
{
	plm_error err;
	int r;

	if (cli->net != NULL)
		return 0;
	if ((r = cli_open_state(cli, 0)) != 0)
		return r;
	if (transport_new(cli->state, cli->me, &cli->net, &err) != 0)
		return cli_fail_err(cli, &err);
	return 0;
}

void cli_close(struct cli *cli)
{
	local_free(cli);
	transport_free(cli->net);
	state_close(cli->state);
	plm_identity_free(cli->me);
	cli->net = NULL;
	cli->state = NULL;
	cli->me = NULL;
}

void cli_usage(const struct command *cmd, FILE *f)
{
	fprintf(f, "%s", cmd->usage);
}

int cli_wants_help(const struct command *cmd, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_usage(cmd, stdout);
			return 1;
		}
	}
	return 0;
}
