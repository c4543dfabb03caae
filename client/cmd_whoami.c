/*
 * cmd_whoami.c - `palermo whoami`: who this home is (user id, name, State,
 * fingerprint in groups), which server it uses, and whether its keys are
 * certified by the pinned root, still waiting for the secretariat,
 * revoked or expired. Needs no passphrase: the public keys are read from
 * the keystore for display, and the certificate, when one is fetched, is
 * verified against the pinned root before it is believed.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/commands.h"
#include "client/identity.h"
#include "client/local.h"
#include "client/state.h"
#include "client/transport.h"

const char usage_whoami[] =
    "usage: palermo whoami [--offline]\n"
    "\n"
    "Shows who you are in this home: user id, name, State, your fingerprint in\n"
    "groups (to read aloud), the server, and the state of your keys:\n"
    "  certified     the deployment root certified them (until the date shown)\n"
    "  pending       your enrollment request waits for the secretariat\n"
    "  revoked       the secretariat revoked them (ask it to certify new keys)\n"
    "  expired       the certificate's validity is over\n"
    "  not enrolled  no request was filed (`palermo init --invite ...`)\n"
    "  root          this home holds the deployment root\n"
    "Unless --offline, whoami asks the server whether your keys were certified\n"
    "or revoked, verifies the answer against the pinned root and keeps it; the\n"
    "server cannot make you look certified or revoked. No passphrase is needed.\n"
    "\n"
    "Options:\n"
    "  --offline   do not ask the server\n"
    "\n"
    "With --json: {\"user_id\", \"name\", \"state\", \"usage\", \"status\",\n"
    "\"not_after\", \"fingerprint\", \"fingerprint_groups\", \"server\", \"root\"}.\n"
    "\n"
    "Examples:\n"
    "  palermo whoami\n"
    "  palermo --json whoami | jq -r .status\n";

/* What whoami found out. */
struct whoami {
	unsigned char fpr[PLM_FPR_BYTES];
	unsigned char root[PLM_FPR_BYTES];
	int has_root;
	plm_certificate cert;
	int has_cert;
	const char *status;
	char note[PLM_ERROR_MESSAGE_MAX]; /* why the server was not asked, or "" */
	char user_id[PLM_RECORD_ID_MAX + 1];
	char name[PLM_RECORD_TEXT_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	char server[1024];
};

/*
 * Asks the server what became of my keys (identity_fetch_keys, which keeps
 * a verified certificate or revocation); sets W->status when they are
 * pending, unknown to the server or revoked.
 */
static int fetch_status(struct cli *cli, struct whoami *w, plm_error *err)
{
	enum identity_keys keys;
	int r;

	if ((r = identity_fetch_keys(cli, w->fpr, &keys, err)) != 0)
		return r;
	if (keys == IDENTITY_KEYS_PENDING) {
		w->status = "pending";
	} else if (keys == IDENTITY_KEYS_UNKNOWN && !w->has_cert) {
		if (w->user_id[0])
			snprintf(w->note, sizeof(w->note),
			         "the server knows no request for these keys: "
			         "file one with "
			         "`palermo init --invite ...`");
		w->status = "not enrolled";
	} else if (keys == IDENTITY_KEYS_REVOKED) {
		w->status = "revoked";
	}
	return 0;
}

/* Fills W's user id, name and State from my enrollment request, if any. */
static void from_enrollment(struct cli *cli, struct whoami *w)
{
	unsigned char bytes[1024];
	plm_record *rec = NULL;
	size_t len = 0;

	state_get_str(cli->state, IDENTITY_SETTING_USER, w->user_id, sizeof(w->user_id),
	              NULL);
	if (state_get(cli->state, IDENTITY_SETTING_ENROLLMENT, bytes, sizeof(bytes),
	              &len, NULL) != 0 ||
	    plm_record_decode(bytes, len, &rec, NULL) != 0 ||
	    rec->type != PLM_RECORD_ENROLLMENT) {
		plm_record_free(rec);
		return;
	}
	snprintf(w->user_id, sizeof(w->user_id), "%s", rec->body.enrollment.user_id);
	snprintf(w->name, sizeof(w->name), "%s", rec->body.enrollment.display_name);
	snprintf(w->state, sizeof(w->state), "%s", rec->body.enrollment.state);
	plm_record_free(rec);
}

/* Looks at the local certificate of my keys; sets W->status from it. */
static void check_certificate(struct cli *cli, struct whoami *w)
{
	int r;

	memset(&w->cert, 0, sizeof(w->cert));
	r = local_certificate(cli->state, w->fpr, &w->cert, NULL);
	w->has_cert = r == 0 || r == PLM_ERR_DENIED;
	if (r == 0)
		w->status = w->has_root && memcmp(w->fpr, w->root, PLM_FPR_BYTES) == 0
		                ? "root"
		                : "certified";
	else if (r == PLM_ERR_DENIED)
		w->status =
		    (uint64_t)time(NULL) > w->cert.not_after ? "expired" : "revoked";
}

static int print_text(struct cli *cli, const struct whoami *w)
{
	char when[64], line[160], style[200];
	const char *colour = "33";

	if (strcmp(w->status, "certified") == 0 || strcmp(w->status, "root") == 0)
		colour = "32";
	else if (strcmp(w->status, "revoked") == 0 || strcmp(w->status, "expired") == 0)
		colour = "31";
	printf("user id      %s\n", w->user_id[0] ? w->user_id : "(not enrolled)");
	if (w->name[0])
		printf("name         %s\n", w->name);
	if (w->state[0])
		printf("State        %s\n", w->state);
	if (w->has_cert)
		printf("usage        %s\n", identity_usage_name(w->cert.usage));
	identity_format_time(w->cert.not_after, when, sizeof(when));
	if (strcmp(w->status, "revoked") == 0) {
		snprintf(line, sizeof(line),
		         "revoked (ask the secretariat to certify new keys)");
	} else if (w->has_cert && strcmp(w->status, "root") != 0) {
		snprintf(line, sizeof(line), "%s (%s %s)", w->status,
		         strcmp(w->status, "expired") == 0 ? "on" : "valid until",
		         when);
	} else if (strcmp(w->status, "pending") == 0) {
		snprintf(line, sizeof(line),
		         "pending (the secretariat has yet to certify "
		         "your keys)");
	} else {
		snprintf(line, sizeof(line), "%s", w->status);
	}
	printf("status       %s\n", cli_style(cli, colour, line, style, sizeof(style)));
	if (w->note[0])
		printf("             (%s)\n", w->note);
	printf("server       %s\n", w->server[0] ? w->server : "(none)");
	printf("fingerprint  ");
	identity_print_fingerprint(stdout, w->fpr, "", "             ");
	return EXIT_OK;
}

static int print_json(struct cli *cli, const struct whoami *w)
{
	json_t *doc = json_pack(
	    "{s:s?, s:s?, s:s?, s:s, s:o, s:o, s:s?}", "user_id",
	    w->user_id[0] ? w->user_id : NULL, "name", w->name[0] ? w->name : NULL,
	    "state", w->state[0] ? w->state : NULL, "status", w->status, "fingerprint",
	    identity_json_hex(w->fpr, PLM_FPR_BYTES), "fingerprint_groups",
	    identity_json_groups(w->fpr), "server", w->server[0] ? w->server : NULL);

	if (doc == NULL)
		return cli_fail(cli, EXIT_FAILURE_, "out of memory");
	if (w->has_cert) {
		json_object_set_new(doc, "usage",
		                    json_string(identity_usage_name(w->cert.usage)));
		json_object_set_new(doc, "not_after",
		                    json_integer((json_int_t)w->cert.not_after));
	}
	if (w->has_root)
		json_object_set_new(doc, "root",
		                    identity_json_hex(w->root, PLM_FPR_BYTES));
	if (w->note[0])
		json_object_set_new(doc, "note", json_string(w->note));
	return cli_json(cli, doc);
}

int cmd_whoami(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"offline", no_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct whoami w;
	plm_pubkeys pub;
	char path[4200];
	plm_error err;
	int c, offline = 0, status;

	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'o')
			return cli_fail(cli, EXIT_USAGE, "see `palermo help whoami`");
		offline = 1;
	}
	if (optind < argc)
		return cli_fail(cli, EXIT_USAGE, "whoami takes no argument; see `palermo help whoami`");
	memset(&w, 0, sizeof(w));
	identity_keystore_path(cli, path, sizeof(path));
	if (!identity_exists(cli))
		return cli_fail(
		    cli, EXIT_NOTFOUND,
		    "there is no identity in %s yet; run `palermo init` first "
		    "(or set PALERMO_HOME)",
		    cli->home);
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	/* For display only (keystore.h): nothing here is signed or certified. */
	if (plm_keystore_read_public(path, &pub, &err) != 0)
		return cli_fail_err(cli, &err);
	plm_fingerprint(w.fpr, &pub);
	w.has_root = local_root(cli->state, w.root, NULL, NULL) == 0;
	state_get_str(cli->state, "server", w.server, sizeof(w.server), NULL);
	from_enrollment(cli, &w);
	w.status = w.user_id[0] ? "pending" : "not enrolled";
	check_certificate(cli, &w);
	if (strcmp(w.status, "root") != 0 && !offline && w.has_root && w.server[0]) {
		if (fetch_status(cli, &w, &err) != 0) {
			if (err.code != PLM_ERR_NET)
				return cli_fail_err(cli, &err);
			snprintf(w.note, sizeof(w.note),
			         "not checked: the server cannot be "
			         "reached");
		}
		check_certificate(cli, &w);
	}
	if (w.has_cert) {
		snprintf(w.user_id, sizeof(w.user_id), "%s", w.cert.user_id);
		snprintf(w.name, sizeof(w.name), "%s", w.cert.display_name);
		snprintf(w.state, sizeof(w.state), "%s", w.cert.state);
	}
	return cli->json ? print_json(cli, &w) : print_text(cli, &w);
}
