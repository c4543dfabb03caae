/*
 * cmd_init.c - `palermo init`: make this person's identity on this machine,
 * pin the server and the deployment root, and (with an invitation) file the
 * enrollment request that the secretariat certifies once the fingerprint
 * has been compared out of band (DESIGN.md §5, PROTOCOL.md §5.10).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/commands.h"
#include "client/identity.h"
#include "client/state.h"
#include "client/transport.h"
#include "keys/codec.h"

const char usage_init[] =
    "usage: palermo init --server URL --trust FINGERPRINT [--kdf "
    "moderate|interactive]\n"
    "       palermo init --server URL --trust FINGERPRINT --invite CODE --user ID\n"
    "                    --name NAME --state STATE [--kdf moderate|interactive]\n"
    "\n"
    "Makes your identity on this machine: a signing key and an encryption key,\n"
    "kept in $PALERMO_HOME/identity.key (mode 0600) under a passphrase you choose\n"
    "(asked twice on the terminal; scripts set PALERMO_PASSPHRASE_FILE). The\n"
    "private keys never leave this machine. An existing identity is never\n"
    "replaced.\n"
    "\n"
    "It fetches the server's root certificate and pins it only if its\n"
    "fingerprint is the one the secretariat gave you (--trust): a server that\n"
    "shows another root is refused and nothing is kept.\n"
    "\n"
    "With an invitation (--invite), it then files your enrollment request: your\n"
    "user id, name and State with your public keys, signed by your new keys, sent\n"
    "with the one-time code. No password reaches the server. It prints your\n"
    "fingerprint in groups: read it aloud to the secretariat (or send it by note\n"
    "verbale); they certify your keys when it matches. `palermo whoami` tells\n"
    "when you are certified. If the request could not be sent, run the same\n"
    "command again: it reuses the keys already made.\n"
    "\n"
    "Options:\n"
    "  --server URL          the Palermo server (https://...)\n"
    "  --trust FINGERPRINT   the root fingerprint the secretariat gave you\n"
    "                        (64 hex digits; spaces, dashes, colons allowed)\n"
    "  --invite CODE         your invitation code (valid 10 days, used once)\n"
    "  --user ID             the user id the invitation is for (it-fp-rossi)\n"
    "  --name NAME           your name as it will appear to others\n"
    "  --state STATE         your State (ISO 3166-1 alpha-3: ITA) or organization\n"
    "  --kdf moderate|interactive\n"
    "                        the passphrase hashing cost: moderate (default, about\n"
    "                        1 s and 256 MiB); interactive is far weaker and is\n"
    "                        meant for tests and low-memory machines only\n"
    "\n"
    "Exit status: 0 done, 2 bad options, 3 the server's root is not the one you\n"
    "trust, 4 the server cannot be reached, 5 the invitation was refused\n"
    "(unknown, used, expired, or for someone else).\n"
    "\n"
    "Example:\n"
    "  palermo init --server https://palermo.unodc.org \\\n"
    "      --trust '3f2a 9c41 ...' --invite 7KQ2-M9XD-4HTW-0PB1-RZ8C \\\n"
    "      --user it-fp-rossi --name 'Giulia Rossi' --state ITA\n";

struct init_options {
	const char *server, *trust, *invite, *user, *name, *state;
	unsigned char root[PLM_FPR_BYTES];
	unsigned char invitation[PLM_HASH_BYTES];
	plm_kdf_limits limits;
};

/* 1 if S is MINLEN..MAXLEN bytes of class CLS. */
static int valid_str(const char *s, size_t minlen, size_t maxlen,
                     enum plm_str_class cls)
{
	size_t n = strlen(s);

	return n >= minlen && n <= maxlen && plm_str_valid(s, n, cls);
}

/* Parses and checks the command line; prints the problem and returns 2. */
static int parse_options(struct cli *cli, int argc, char **argv, struct init_options *o)
{
	static const struct option options[] = {
	    {"server", required_argument, NULL, 's'},
	    {"trust", required_argument, NULL, 't'},
	    {"invite", required_argument, NULL, 'i'},
	    {"user", required_argument, NULL, 'u'},
	    {"name", required_argument, NULL, 'n'},
	    {"state", required_argument, NULL, 'S'},
	    {"kdf", required_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	const char *kdf = "moderate";
	plm_error err;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 's':
			o->server = optarg;
			break;
		case 't':
			o->trust = optarg;
			break;
		case 'i':
			o->invite = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'S':
			o->state = optarg;
			break;
		case 'k':
			kdf = optarg;
			break;
		default:
			return cli_fail(cli, EXIT_USAGE, "see `palermo help init`");
		}
	}
	if (optind < argc)
		return cli_fail(cli, EXIT_USAGE,
		                "unexpected argument '%s'; see `palermo help init`",
		                argv[optind]);
	if (o->server == NULL || o->trust == NULL)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "give --server URL and --trust FINGERPRINT (both from the "
		    "secretariat); see `palermo help init`");
	if (plm_fingerprint_parse(o->root, o->trust, &err) != 0)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--trust is not a fingerprint: it has 64 hex digits, in "
		    "groups or not; check what the secretariat gave you");
	if (identity_parse_kdf(kdf, &o->limits, &err) != 0)
		return cli_fail(cli, EXIT_USAGE, "%s", err.message);
	if (o->invite == NULL) {
		if (o->user != NULL || o->name != NULL || o->state != NULL)
			return cli_fail(
			    cli, EXIT_USAGE,
			    "--user, --name and --state go with --invite CODE");
		return 0;
	}
	if (o->user == NULL || o->name == NULL || o->state == NULL)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--invite needs --user, --name and --state, exactly as the "
		    "secretariat invited you");
	if (plm_invitation_code_hash(o->invitation, o->invite, &err) != 0)
		return cli_fail(cli, EXIT_USAGE, "%s", err.message);
	if (!valid_str(o->user, 1, PLM_RECORD_ID_MAX, PLM_STR_ID))
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--user must be 1 to 64 lower-case letters, digits, dots, "
		    "dashes or underscores, starting with a letter or digit");
	if (!valid_str(o->name, 1, PLM_RECORD_TEXT_MAX, PLM_STR_TEXT))
		return cli_fail(cli, EXIT_USAGE,
		                "--name must be 1 to 128 bytes of text without control "
		                "characters");
	if (!valid_str(o->state, PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	               PLM_STR_STATE))
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--state must be an ISO 3166-1 alpha-3 code (ITA) or an "
		    "organization code (UNODC), in capitals");
	return 0;
}

/*
 * Makes and signs my enrollment record (PROTOCOL.md §5.10) and files it
 * with the code (POST /v1/enrollments, unsigned: the record's signature is
 * the proof). Remembers it in the state once the server has it.
 */
static int file_enrollment(struct cli *cli, struct transport *t,
                           const struct init_options *o, plm_error *err)
{
	plm_record *record = NULL;
	struct response resp;
	json_t *body = NULL;
	char *text = NULL;
	int r;

	memset(&resp, 0, sizeof(resp));
	if ((r = plm_record_new(&record, PLM_RECORD_ENROLLMENT, err)) != 0)
		goto out;
	snprintf(record->body.enrollment.user_id,
	         sizeof(record->body.enrollment.user_id), "%s", o->user);
	snprintf(record->body.enrollment.display_name,
	         sizeof(record->body.enrollment.display_name), "%s", o->name);
	snprintf(record->body.enrollment.state, sizeof(record->body.enrollment.state),
	         "%s", o->state);
	record->body.enrollment.keys = cli->me->pub;
	record->body.enrollment.created_at = (uint64_t)time(NULL);
	memcpy(record->body.enrollment.invitation, o->invitation, PLM_HASH_BYTES);
	if ((r = plm_record_encode_sign(record, cli->me, NULL, NULL, err)) != 0)
		goto out;
	body = json_pack("{s:s, s:o}", "code", o->invite, "record",
	                 identity_json_base64(record->encoding, record->encoding_len));
	if (body == NULL || (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = transport_request(t, "POST", "/v1/enrollments", text, strlen(text),
	                           &resp, err)) != 0)
		goto out;
	if ((r = transport_check(&resp, "file the enrollment request", err)) != 0) {
		/* A refused invitation is a refusal, whatever HTTP status says it. */
		if (resp.status >= 400 && resp.status < 500 && resp.status != 404)
			err->code = r = PLM_ERR_DENIED;
		goto out;
	}
	if ((r = state_set_str(cli->state, IDENTITY_SETTING_USER, o->user, err)) != 0 ||
	    (r = state_set(cli->state, IDENTITY_SETTING_ENROLLMENT, record->encoding,
	                   record->encoding_len, err)) != 0)
		goto out;
out:
	response_free(&resp);
	free(text);
	json_decref(body);
	plm_record_free(record);
	return r;
}

/* Prints what the person must do next (or the JSON summary). */
static int print_result(struct cli *cli, const struct init_options *o,
                        const unsigned char root[PLM_FPR_BYTES])
{
	unsigned char fpr[PLM_FPR_BYTES];

	plm_fingerprint(fpr, &cli->me->pub);
	if (cli->json)
		return cli_json(
		    cli, json_pack("{s:o, s:o, s:s, s:o, s:s, s:s?}", "fingerprint",
		                   identity_json_hex(fpr, PLM_FPR_BYTES),
		                   "fingerprint_groups", identity_json_groups(fpr),
		                   "server", o->server, "root",
		                   identity_json_hex(root, PLM_FPR_BYTES), "enrollment",
		                   o->invite ? "filed" : "none", "user_id", o->user));
	if (o->invite != NULL) {
		printf("Your enrollment request as %s (%s, %s) is filed.\n"
		       "Read your fingerprint aloud to the secretariat, or send it by "
		       "note "
		       "verbale:\n\n",
		       o->user, o->name, o->state);
		identity_print_fingerprint(stdout, fpr, "    ", "    ");
		printf("\nThey certify your keys when it matches; `palermo whoami` "
		       "then shows "
		       "you as certified.\n");
	} else {
		printf(
		    "Your keys are made and this home trusts the server's root. Your "
		    "fingerprint:\n\n");
		identity_print_fingerprint(stdout, fpr, "    ", "    ");
		printf("\nTo enrol, run `palermo init` again with --invite, --user, "
		       "--name "
		       "and --state\nfrom the secretariat's invitation.\n");
	}
	return EXIT_OK;
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	struct init_options o;
	struct transport *t = NULL;
	plm_record *root = NULL;
	plm_error err;
	int status, resuming;

	if ((status = parse_options(cli, argc, argv, &o)) != 0)
		return status;
	resuming = identity_exists(cli);
	if (resuming && o.invite == NULL)
		return cli_fail(
		    cli, EXIT_FAILURE_,
		    "there is already an identity in %s; palermo never replaces "
		    "one (to enrol it, add --invite CODE --user --name --state; "
		    "for another identity, use another --home)",
		    cli->home);
	/* The root first: nothing is made or kept for a server we do not trust. */
	if (transport_new_url(o.server, NULL, &t, &err) != 0 ||
	    identity_fetch_root(t, o.root, &root, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if ((status = cli_open_state(cli, 1)) != 0)
		goto out;
	if (identity_pin(cli->state, o.server, root, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (resuming) {
		if ((status = cli_unlock(cli)) != 0)
			goto out;
	} else if (identity_create(cli, o.limits, &cli->me, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (o.invite != NULL && file_enrollment(cli, t, &o, &err) != 0) {
		if (err.code == PLM_ERR_NET)
			status = cli_fail(
			    cli, EXIT_NETWORK,
			    "%s; your keys are kept: run the same command again "
			    "later to file the request",
			    err.message);
		else
			status = cli_fail_err(cli, &err);
		goto out;
	}
	status = print_result(cli, &o, o.root);
out:
	plm_record_free(root);
	transport_free(t);
	return status;
}
