/*
 * cmd_keys.c - `palermo keys`: show the fingerprint, export the public
 * keys, change the keystore's passphrase (PROTOCOL.md §4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/commands.h"
#include "client/identity.h"

const char usage_keys[] =
    "usage: palermo keys\n"
    "       palermo keys export\n"
    "       palermo keys passwd [--kdf moderate|interactive] [--new-passphrase-file "
    "FILE]\n"
    "\n"
    "palermo keys         shows your fingerprint in groups (no passphrase needed).\n"
    "palermo keys export  prints your public keys (Ed25519 signing key, X25519\n"
    "                     encryption key, both in hex) and their fingerprint,\n"
    "                     after unlocking the keystore, which proves that they\n"
    "                     are the keys of your secret seed.\n"
    "palermo keys passwd  changes the passphrase of your keystore: asks the current\n"
    "                     one, then the new one twice. The keys stay the same; the\n"
    "                     keystore is rewritten atomically (a crash leaves the old\n"
    "                     or the new file, never half of one).\n"
    "\n"
    "Options of passwd:\n"
    "  --kdf moderate|interactive   the passphrase hashing cost of the new file\n"
    "                               (default: keep the current one; interactive\n"
    "                               is for tests and low-memory machines only)\n"
    "  --new-passphrase-file FILE   read the new passphrase from the first line of\n"
    "                               FILE (scripts: PALERMO_PASSPHRASE_FILE gives\n"
    "                               the current one)\n"
    "\n"
    "With --json: keys prints {\"fingerprint\", \"fingerprint_groups\"}; keys export\n"
    "{\"sign_pk\", \"box_pk\", \"fingerprint\"}.\n"
    "\n"
    "Exit status: 0 done, 5 wrong passphrase, 6 no identity here.\n";


/* `palermo keys`: the fingerprint, read from the keystore without a passphrase. */
static int keys_show(struct cli *cli)
{
	unsigned char fpr[PLM_FPR_BYTES];
	char path[4200];
	plm_pubkeys pub;
	plm_error err;

	identity_keystore_path(cli, path, sizeof(path));
	/* For display only (keystore.h). */
	if (plm_keystore_read_public(path, &pub, &err) != 0)
		return cli_fail_err(cli, &err);
	plm_fingerprint(fpr, &pub);
	if (cli->json)
		return cli_json(cli, json_pack("{s:o, s:o}", "fingerprint",
		                               identity_json_hex(fpr, PLM_FPR_BYTES),
		                               "fingerprint_groups",
		                               identity_json_groups(fpr)));
	identity_print_fingerprint(stdout, fpr, "", "");
	return EXIT_OK;
}

/* `palermo keys export`: the public keys, proven by unlocking. */
static int keys_export(struct cli *cli)
{
	char sign_hex[2 * PLM_SIGN_PK_BYTES + 1], box_hex[2 * PLM_BOX_PK_BYTES + 1];
	char fpr_hex[2 * PLM_FPR_BYTES + 1];
	unsigned char fpr[PLM_FPR_BYTES];
	int status;

	if ((status = cli_unlock(cli)) != 0)
		return status;
	plm_fingerprint(fpr, &cli->me->pub);
	plm_hex(sign_hex, cli->me->pub.sign_pk, PLM_SIGN_PK_BYTES);
	plm_hex(box_hex, cli->me->pub.box_pk, PLM_BOX_PK_BYTES);
	plm_hex(fpr_hex, fpr, PLM_FPR_BYTES);
	if (cli->json)
		return cli_json(cli,
		                json_pack("{s:s, s:s, s:s}", "sign_pk", sign_hex,
		                          "box_pk", box_hex, "fingerprint", fpr_hex));
	printf("sign_pk      %s\nbox_pk       %s\nfingerprint  %s\n", sign_hex, box_hex,
	       fpr_hex);
	return EXIT_OK;
}

/* The Argon2id limits of the keystore at PATH (to keep them by default). */
static int current_limits(const char *path, plm_kdf_limits *limits, plm_error *err)
{
	unsigned char bytes[PLM_KEYSTORE_BYTES + 1];
	plm_keystore ks;
	ssize_t n;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return plm_error_set(
		    err, errno == ENOENT ? PLM_ERR_NOTFOUND : PLM_ERR_IO,
		    "cannot read the keystore %s: %s", path, strerror(errno));
	n = read(fd, bytes, sizeof(bytes));
	close(fd);
	if (n < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the keystore %s",
		                     path);
	if ((r = plm_keystore_parse(bytes, (size_t)n, &ks, err)) != 0)
		return r;
	*limits = ks.limits;
	return 0;
}

/* `palermo keys passwd`. */
static int keys_passwd(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"kdf", required_argument, NULL, 'k'},
	    {"new-passphrase-file", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const char *kdf = NULL, *new_file = NULL,
	           *env = getenv("PALERMO_PASSPHRASE_FILE");
	unsigned char *old_pass = NULL, *new_pass = NULL;
	size_t old_len = 0, new_len = 0;
	plm_kdf_limits limits;
	char path[4200];
	plm_error err;
	int c, status = EXIT_OK;

	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'k':
			kdf = optarg;
			break;
		case 'n':
			new_file = optarg;
			break;
		default:
			return cli_fail(cli, EXIT_USAGE, "see `palermo help keys`");
		}
	}
	if (optind < argc)
		return cli_fail(cli, EXIT_USAGE, "unexpected argument '%s'; see `palermo help keys`",
		                argv[optind]);
	if (new_file == NULL && env != NULL && *env != '\0')
		return cli_fail(
		    cli, EXIT_USAGE,
		    "PALERMO_PASSPHRASE_FILE gives the current passphrase; give "
		    "the new one with --new-passphrase-file FILE");
	identity_keystore_path(cli, path, sizeof(path));
	if (!identity_exists(cli))
		return cli_fail(cli, EXIT_NOTFOUND,
		                "there is no identity in %s; run `palermo init` first",
		                cli->home);
	if ((kdf != NULL ? identity_parse_kdf(kdf, &limits, &err)
	                 : current_limits(path, &limits, &err)) != 0)
		return cli_fail_err(cli, &err);
	if (cli_passphrase(cli, "Current passphrase: ", 0, &old_pass, &old_len, &err) !=
	        0 ||
	    (new_file != NULL
	         ? cli_passphrase_file(new_file, &new_pass, &new_len, &err)
	         : cli_passphrase(cli, "New passphrase: ", 1, &new_pass, &new_len,
	                          &err)) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (plm_keystore_change_passphrase(path, old_pass, old_len, new_pass, new_len,
	                                   limits, &err) != 0) {
		if (err.code == PLM_ERR_PASSPHRASE)
			status =
			    cli_fail(cli, EXIT_AUTH,
			             "wrong current passphrase; nothing was changed");
		else
			status = cli_fail_err(cli, &err);
		goto out;
	}
	cli_say(cli, "The passphrase of %s is changed.", path);
out:
	plm_secret_free(old_pass);
	plm_secret_free(new_pass);
	return status;
}

int cmd_keys(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return keys_show(cli);
	if (strcmp(argv[1], "export") == 0) {
		if (argc > 2)
			return cli_fail(cli, EXIT_USAGE,
			                "keys export takes no argument; see `palermo help keys`");
		return keys_export(cli);
	}
	if (strcmp(argv[1], "passwd") == 0)
		return keys_passwd(cli, argc - 1, argv + 1);
	return cli_fail(cli, EXIT_USAGE,
	                "there is no `keys %s`: use keys, keys export or keys passwd",
	                argv[1]);
}
