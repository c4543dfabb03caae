/*
 * admin_identity.c - the secretariat's identity commands (DESIGN.md §5):
 * `admin root`, `admin invite`, `admin requests`, `admin certify`,
 * `admin recertify` and `admin revoke` (usage in cmd_admin.c).
 *
 * Nothing is certified on the server's word: every enrollment request is
 * verified here (its signature by its own keys), and a certificate is
 * signed only for the keys whose fingerprint the person read out and the
 * secretariat typed, compared with the request's.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin.h"
#include "client/identity.h"
#include "client/local.h"
#include "client/state.h"
#include "client/transport.h"
#include "keys/codec.h"

#define DAY 86400u
#define ROOT_VALID_DAYS 3653u   /* ten years */
#define MEMBER_VALID_DAYS 1095u /* three years: a review phase and then some */
#define INVITATION_SECONDS (10u * DAY)
#define CLOCK_SKEW 300u /* not_before this far back, for slow clocks */

/* 1 if S is MINLEN..MAXLEN bytes of class CLS. */
static int valid_str(const char *s, size_t minlen, size_t maxlen,
                     enum plm_str_class cls)
{
	size_t n = strlen(s);

	return n >= minlen && n <= maxlen && plm_str_valid(s, n, cls);
}

/* Checks --user, --name and --state values; prints the problem and returns 2. */
static int check_person(struct cli *cli, const char *user, const char *name,
                        const char *state)
{
	if (user != NULL && !valid_str(user, 1, PLM_RECORD_ID_MAX, PLM_STR_ID))
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--user must be 1 to 64 lower-case letters, digits, dots, "
		    "dashes or underscores, starting with a letter or digit");
	if (name != NULL && !valid_str(name, 1, PLM_RECORD_TEXT_MAX, PLM_STR_TEXT))
		return cli_fail(cli, EXIT_USAGE,
		                "--name must be 1 to 128 bytes of text without control "
		                "characters");
	if (state != NULL && !valid_str(state, PLM_RECORD_STATE_MIN,
	                                PLM_RECORD_STATE_MAX, PLM_STR_STATE))
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--state must be an ISO 3166-1 alpha-3 code (ITA) or an "
		    "organization code (UNODC), in capitals");
	return 0;
}

/* Parses a positive whole number of days (at most 100 years). */
static int parse_days(const char *text, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v == 0 || v > 36500)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A fresh random certificate serial (never 0). */
static uint64_t new_serial(void)
{
	uint64_t serial = 0;

	while (serial == 0) {
		randombytes_buf(&serial, sizeof(serial));
		serial &= UINT64_C(0x7fffffffffffffff);
	}
	return serial;
}

/* ---- admin root ------------------------------------------------------ */

/*
 * A certificate (PROTOCOL.md §5.2) for KEYS of USER (NAME, STATE) with
 * USAGE, valid DAYS from now (less the clock skew), signed by SIGNER: the
 * root for everyone, itself for the root. *OUT: caller frees.
 */
static int sign_certificate(const plm_identity *signer, const char *user,
                            const char *name, const char *state, uint8_t usage,
                            const plm_pubkeys *keys, unsigned days, plm_record **out,
                            plm_error *err)
{
	uint64_t now = (uint64_t)time(NULL);
	plm_certificate *c;
	int r;

	if ((r = plm_record_new(out, PLM_RECORD_CERTIFICATE, err)) != 0)
		return r;
	c = &(*out)->body.certificate;
	c->serial = new_serial();
	snprintf(c->user_id, sizeof(c->user_id), "%s", user);
	snprintf(c->display_name, sizeof(c->display_name), "%s", name);
	snprintf(c->state, sizeof(c->state), "%s", state);
	c->usage = usage;
	c->keys = *keys;
	c->not_before = now - CLOCK_SKEW;
	c->not_after = now + (uint64_t)days * DAY;
	if ((r = plm_record_encode_sign(*out, signer, NULL, NULL, err)) != 0) {
		plm_record_free(*out);
		*out = NULL;
	}
	return r;
}

/* Publishes ROOT (POST /v1/root, signed by the root key itself). */
static int publish_root(struct cli *cli, const char *url, const plm_record *root,
                        plm_error *err)
{
	struct transport *t = NULL;
	struct response resp;
	int r;

	memset(&resp, 0, sizeof(resp));
	if ((r = transport_new_url(url, cli->me, &t, err)) == 0 &&
	    (r = transport_request(t, "POST", "/v1/root", root->encoding,
	                           root->encoding_len, &resp, err)) == 0)
		r = transport_check(&resp, "publish the root", err);
	response_free(&resp);
	transport_free(t);
	return r;
}

/*
 * The root certificate this home pinned, signed again: Ed25519 signatures
 * are deterministic, so the same body signed by the same key gives back
 * exactly the bytes that were pinned (and published) the first time.
 */
static int pinned_root_certificate(struct cli *cli, plm_record **out, plm_error *err)
{
	unsigned char fpr[PLM_FPR_BYTES], again[PLM_FPR_BYTES];
	plm_certificate cert;
	int r;

	*out = NULL;
	if ((r = local_root(cli->state, fpr, NULL, err)) != 0 ||
	    (r = local_certificate(cli->state, fpr, &cert, err)) != 0 ||
	    (r = plm_record_new(out, PLM_RECORD_CERTIFICATE, err)) != 0)
		return r;
	(*out)->body.certificate = cert;
	if ((r = plm_record_encode_sign(*out, cli->me, NULL, NULL, err)) == 0) {
		plm_certificate_fingerprint(again, &cert);
		if (memcmp(again, fpr, PLM_FPR_BYTES) != 0)
			r = plm_error_set(err, PLM_ERR_CORRUPT,
			                  "the pinned root is damaged");
	}
	if (r != 0) {
		plm_record_free(*out);
		*out = NULL;
	}
	return r;
}

int admin_root(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"server", required_argument, NULL, 's'},
	    {"name", required_argument, NULL, 'n'},
	    {"user", required_argument, NULL, 'u'},
	    {"state", required_argument, NULL, 'S'},
	    {"kdf", required_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	const char *server = NULL, *name = "UNODC Secretariat", *user = "unodc-root";
	const char *state = "UNODC", *kdf = "moderate";
	unsigned char fpr[PLM_FPR_BYTES], pinned[PLM_FPR_BYTES];
	char pinned_url[1024];
	plm_record *root = NULL;
	plm_kdf_limits limits;
	plm_error err;
	int c, status;

	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 's':
			server = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'S':
			state = optarg;
			break;
		case 'k':
			kdf = optarg;
			break;
		default:
			return cli_fail(cli, EXIT_USAGE, "see `palermo help admin`");
		}
	}
	if (optind < argc || server == NULL)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo admin root --server URL "
		                "[--name NAME]; see `palermo help admin`");
	if ((status = check_person(cli, user, name, state)) != 0)
		return status;
	if (identity_parse_kdf(kdf, &limits, &err) != 0)
		return cli_fail(cli, EXIT_USAGE, "%s", err.message);
	if (identity_exists(cli)) {
		/* Run again: publish the root this home holds, and nothing else. */
		if ((status = cli_open_state(cli, 0)) != 0)
			return status;
		if (local_root(cli->state, pinned, NULL, NULL) != 0)
			return cli_fail(
			    cli, EXIT_FAILURE_,
			    "there is already an identity in %s and it is not a "
			    "root; use a home of its own for the root (--home)",
			    cli->home);
		if ((status = cli_unlock(cli)) != 0)
			return status;
		plm_fingerprint(fpr, &cli->me->pub);
		if (memcmp(fpr, pinned, PLM_FPR_BYTES) != 0)
			return cli_fail(
			    cli, EXIT_FAILURE_,
			    "the identity in %s is not the root pinned there; use a "
			    "home of its own for the root (--home)",
			    cli->home);
		if (state_get_str(cli->state, "server", pinned_url, sizeof(pinned_url),
		                  NULL) == 0 &&
		    strcmp(pinned_url, server) != 0)
			return cli_fail(cli, EXIT_USAGE,
			                "this root is pinned to the server %s, not %s; give "
			                "--server %s, or another --home for another deployment",
			                pinned_url, server, pinned_url);
		if (pinned_root_certificate(cli, &root, &err) != 0)
			return cli_fail_err(cli, &err);
	} else {
		if ((status = cli_open_state(cli, 1)) != 0)
			return status;
		if (identity_create(cli, limits, &cli->me, &err) != 0 ||
		    sign_certificate(cli->me, user, name, state, PLM_USAGE_ROOT, &cli->me->pub,
		                     ROOT_VALID_DAYS, &root, &err) !=
		        0 ||
		    identity_pin(cli->state, server, root, &err) != 0 ||
		    state_set_str(cli->state, IDENTITY_SETTING_USER, user, &err) != 0) {
			status = cli_fail_err(cli, &err);
			goto out;
		}
		plm_fingerprint(fpr, &cli->me->pub);
	}
	if (publish_root(cli, server, root, &err) != 0) {
		status =
		    err.code == PLM_ERR_NET
		        ? cli_fail(cli, EXIT_NETWORK,
		                   "%s; the root is made and pinned here: run `palermo "
		                   "admin root --server %s` again to publish it",
		                   err.message, server)
		        : cli_fail_err(cli, &err);
		goto out;
	}
	if (cli->json) {
		status = cli_json(cli, json_pack("{s:o, s:o, s:s}", "fingerprint",
		                                 identity_json_hex(fpr, PLM_FPR_BYTES),
		                                 "fingerprint_groups",
		                                 identity_json_groups(fpr), "server",
		                                 server));
		goto out;
	}
	printf("The deployment root is published. Its fingerprint, for every member's\n"
	       "`palermo init --trust` (give it to them out of band):\n\n");
	identity_print_fingerprint(stdout, fpr, "    ", "    ");
out:
	plm_record_free(root);
	return status;
}

/* ---- admin invite ---------------------------------------------------- */

int admin_invite(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"name", required_argument, NULL, 'n'},
	    {"state", required_argument, NULL, 'S'},
	    {"usage", required_argument, NULL, 'U'},
	    {"expires-in", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	const char *user = NULL, *name = NULL, *state = NULL, *usage = "member";
	char code[PLM_INVITATION_CODE_TEXT_BYTES], when[64], url[1024];
	char root_hex[2 * PLM_FPR_BYTES + 1], *text = NULL, *end;
	unsigned char root[PLM_FPR_BYTES];
	unsigned long seconds = INVITATION_SECONDS;
	struct local_invitation inv;
	json_t *body = NULL, *answer = NULL;
	plm_error err;
	int c, status;

	memset(&inv, 0, sizeof(inv));
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'S':
			state = optarg;
			break;
		case 'U':
			usage = optarg;
			break;
		case 'e':
			seconds = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || seconds == 0 ||
			    seconds > INVITATION_SECONDS)
				return cli_fail(
				    cli, EXIT_USAGE,
				    "--expires-in takes 1 to %u seconds (10 days)",
				    INVITATION_SECONDS);
			break;
		default:
			return cli_fail(cli, EXIT_USAGE, "see `palermo help admin`");
		}
	}
	if (optind < argc || user == NULL || name == NULL || state == NULL)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "usage: palermo admin invite --user ID --name NAME --state "
		    "STATE [--usage member|secretariat]");
	if ((status = check_person(cli, user, name, state)) != 0)
		return status;
	if (identity_usage_parse(usage, &inv.usage, &err) != 0)
		return cli_fail(cli, EXIT_USAGE, "%s", err.message);
	if ((status = admin_begin(cli, 0)) != 0)
		return status;
	/* The code is a secret until used: only its hash leaves this machine. */
	if (plm_invitation_code_new(code, &err) != 0 ||
	    plm_invitation_code_hash(inv.hash, code, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	snprintf(inv.user_id, sizeof(inv.user_id), "%s", user);
	snprintf(inv.name, sizeof(inv.name), "%s", name);
	snprintf(inv.state, sizeof(inv.state), "%s", state);
	inv.issued_at = (uint64_t)time(NULL);
	inv.expires_at = inv.issued_at + seconds;
	body = json_pack("{s:o, s:s, s:s, s:s, s:s, s:I}", "invitation",
	                 identity_json_hex(inv.hash, PLM_HASH_BYTES), "user_id", user,
	                 "name", name, "state", state, "usage",
	                 identity_usage_name(inv.usage), "expires_at",
	                 (json_int_t)inv.expires_at);
	if (body == NULL || (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		status = cli_fail(cli, EXIT_FAILURE_, "out of memory");
		goto out;
	}
	if (transport_json(cli->net, "POST", "/v1/invitations", text, strlen(text),
	                   &answer, &err) != 0 ||
	    state_invitation_add(cli->state, &inv, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	identity_format_time(inv.expires_at, when, sizeof(when));
	local_root(cli->state, root, NULL, NULL);
	plm_hex(root_hex, root, PLM_FPR_BYTES);
	state_get_str(cli->state, "server", url, sizeof(url), NULL);
	if (cli->json) {
		status = cli_json(
		    cli,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s}", "code",
		              code, "user_id", user, "name", name, "state", state,
		              "usage", identity_usage_name(inv.usage), "expires_at",
		              (json_int_t)inv.expires_at, "invitation",
		              identity_json_hex(inv.hash, PLM_HASH_BYTES), "server",
		              url, "root", root_hex));
		goto out;
	}
	printf("Invitation for %s (%s, %s, %s), valid until %s:\n\n    %s\n\n"
	       "Give the code to the person out of band, with the root fingerprint.\n"
	       "They run:\n\n"
	       "    palermo init --server %s \\\n"
	       "        --trust %s \\\n"
	       "        --invite %s --user %s --name \"%s\" --state %s\n",
	       user, name, state, identity_usage_name(inv.usage), when, code, url,
	       root_hex, code, user, name, state);
out:
	sodium_memzero(code, sizeof(code));
	if (text != NULL)
		sodium_memzero(text, strlen(text));
	free(text);
	json_decref(body);
	json_decref(answer);
	return status;
}

/* ---- enrollment requests --------------------------------------------- */

/* One pending request, verified here. */
struct pending_request {
	plm_record *record; /* the enrollment record, NULL if it failed */
	unsigned char fpr[PLM_FPR_BYTES];
	char problem[PLM_ERROR_MESSAGE_MAX];
	uint64_t received_at, expires_at;
	const char *usage; /* what the server says the invitation was for */
};

/*
 * Fetches the pending requests (GET /v1/enrollments) and verifies each:
 * the record decodes, is signed by the keys it carries (PROTOCOL.md
 * §5.10), and says what the listing says. *OUT (N of them) is freed with
 * free_requests; a request that fails keeps record NULL and PROBLEM.
 */
static int fetch_requests(struct cli *cli, struct pending_request **out, size_t *n,
                          json_t **doc, plm_error *err)
{
	struct pending_request *reqs = NULL;
	unsigned char *bytes = NULL;
	json_t *items, *item;
	size_t i, len;
	plm_error why;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = transport_json(cli->net, "GET", "/v1/enrollments", NULL, 0, doc,
	                        err)) != 0)
		return r;
	items = json_object_get(*doc, "enrollments");
	if (!json_is_array(items))
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the server's list of enrollment requests is malformed");
	if ((reqs = calloc(json_array_size(items) + 1, sizeof(*reqs))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	json_array_foreach(items, i, item)
	{
		struct pending_request *q = &reqs[i];
		const char *b64 = json_string_value(json_object_get(item, "record"));
		const char *user = json_string_value(json_object_get(item, "user_id"));

		q->received_at =
		    (uint64_t)json_integer_value(json_object_get(item, "received_at"));
		q->expires_at =
		    (uint64_t)json_integer_value(json_object_get(item, "expires_at"));
		q->usage = json_string_value(json_object_get(item, "usage"));
		memset(&why, 0, sizeof(why));
		if (b64 == NULL ||
		    identity_base64_decode(b64, &bytes, &len, &why) != 0 ||
		    plm_record_decode(bytes, len, &q->record, &why) != 0 ||
		    plm_enrollment_verify(q->record, &why) != 0 ||
		    (user != NULL &&
		     strcmp(user, q->record->body.enrollment.user_id) != 0 &&
		     plm_error_set(&why, PLM_ERR_MISMATCH,
		                   "the listing names another user") != 0)) {
			snprintf(q->problem, sizeof(q->problem), "%s",
			         why.message[0] ? why.message
			                        : "the request is malformed");
			plm_record_free(q->record);
			q->record = NULL;
		} else {
			plm_fingerprint(q->fpr, &q->record->body.enrollment.keys);
		}
		free(bytes);
		bytes = NULL;
	}
	*out = reqs;
	*n = json_array_size(items);
	return 0;
}

static void free_requests(struct pending_request *reqs, size_t n)
{
	size_t i;

	if (reqs == NULL)
		return;
	for (i = 0; i < n; i++)
		plm_record_free(reqs[i].record);
	free(reqs);
}

int admin_requests(struct cli *cli, int argc, char **argv)
{
	struct pending_request *reqs = NULL;
	json_t *doc = NULL, *list = NULL;
	char when[64], style[128];
	size_t n = 0, i;
	plm_error err;
	int status;

	(void)argv;
	if (argc > 1)
		return cli_fail(cli, EXIT_USAGE, "admin requests takes no argument; see `palermo help admin`");
	if ((status = admin_begin(cli, 0)) != 0)
		return status;
	if (fetch_requests(cli, &reqs, &n, &doc, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (cli->json) {
		list = json_array();
		for (i = 0; i < n; i++) {
			const plm_enrollment *e =
			    reqs[i].record ? &reqs[i].record->body.enrollment : NULL;
			if (e == NULL) {
				json_array_append_new(
				    list, json_pack("{s:b, s:s}", "verified", 0,
				                    "problem", reqs[i].problem));
				continue;
			}
			json_array_append_new(
			    list,
			    json_pack("{s:b, s:s, s:s, s:s, s:s?, s:o, s:o, s:I, s:I}",
			              "verified", 1, "user_id", e->user_id, "name",
			              e->display_name, "state", e->state, "usage",
			              reqs[i].usage, "fingerprint",
			              identity_json_hex(reqs[i].fpr, PLM_FPR_BYTES),
			              "fingerprint_groups",
			              identity_json_groups(reqs[i].fpr), "received_at",
			              (json_int_t)reqs[i].received_at, "expires_at",
			              (json_int_t)reqs[i].expires_at));
		}
		status = cli_json(cli, json_pack("{s:o}", "requests", list));
		goto out;
	}
	if (n == 0)
		cli_say(cli, "No enrollment request is waiting.");
	for (i = 0; i < n; i++) {
		const plm_enrollment *e;
		if (reqs[i].record == NULL) {
			printf("%s %s\n\n",
			       cli_style(cli, "1;31", "REQUEST FAILED VERIFICATION:",
			                 style, sizeof(style)),
			       reqs[i].problem);
			continue;
		}
		e = &reqs[i].record->body.enrollment;
		identity_format_time(reqs[i].received_at, when, sizeof(when));
		printf("%s  %s  (%s, %s)  filed %s\n",
		       cli_style(cli, "1", e->user_id, style, sizeof(style)),
		       e->display_name, e->state,
		       reqs[i].usage ? reqs[i].usage : "member", when);
		identity_print_fingerprint(stdout, reqs[i].fpr, "    ", "    ");
		printf("\n");
	}
	if (n > 0 && !cli->quiet)
		printf("Certify a request only when the person reads you the same "
		       "fingerprint:\n"
		       "    palermo admin certify USER --fingerprint \"...\"\n");
out:
	free_requests(reqs, n);
	json_decref(doc);
	return status;
}

/*
 * Finds USER's verified pending request whose keys have the fingerprint
 * TYPED (the one the person read out). Prints the problem and returns the
 * exit status when there is none; *OUT (plm_record_free) otherwise.
 */
static int find_request(struct cli *cli, const char *user,
                        const unsigned char typed[PLM_FPR_BYTES], plm_record **out)
{
	struct pending_request *reqs = NULL;
	json_t *doc = NULL;
	size_t n = 0, i, mine = 0;
	plm_error err;
	int status = 0;

	*out = NULL;
	if (fetch_requests(cli, &reqs, &n, &doc, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (reqs[i].record == NULL ||
		    strcmp(reqs[i].record->body.enrollment.user_id, user) != 0)
			continue;
		mine++;
		if (sodium_memcmp(reqs[i].fpr, typed, PLM_FPR_BYTES) == 0) {
			*out = reqs[i].record;
			reqs[i].record = NULL;
			goto out;
		}
	}
	if (mine == 0)
		status =
		    cli_fail(cli, EXIT_NOTFOUND,
		             "there is no pending enrollment request from %s; check "
		             "`palermo admin requests`, or ask them to run `palermo "
		             "init --invite ...`",
		             user);
	else
		/* Never show the request's fingerprint here: it must come from the
		 * person. */
		status = cli_fail(
		    cli, EXIT_VERIFY,
		    "the fingerprint you typed is not the one of %s's request: "
		    "do not certify; ask them to read it again from `palermo "
		    "whoami` (someone else may have filed the request)",
		    user);
out:
	free_requests(reqs, n);
	json_decref(doc);
	return status;
}

/* ---- certify, recertify, revoke -------------------------------------- */

/*
 * The certificate of the keys in verified enrollment request REQ, signed by
 * the root (cli->me), valid DAYS, with USAGE (0: what this home's
 * invitation said, else member). The request must match the invitation
 * this home issued, when it issued it.
 */
static int make_certificate(struct cli *cli, const plm_record *req, uint8_t usage,
                            unsigned days, plm_record **out, plm_error *err)
{
	const plm_enrollment *e = &req->body.enrollment;
	struct local_invitation inv;

	*out = NULL;
	if (state_invitation_get(cli->state, e->invitation, &inv, NULL) == 0) {
		if (strcmp(inv.user_id, e->user_id) != 0 ||
		    strcmp(inv.state, e->state) != 0)
			return plm_error_set(
			    err, PLM_ERR_MISMATCH,
			    "the request is for %s of %s but its invitation was "
			    "issued here for %s of %s; do not certify it",
			    e->user_id, e->state, inv.user_id, inv.state);
		if (usage == 0)
			usage = inv.usage;
	}
	if (usage == 0)
		usage = PLM_USAGE_MEMBER;
	return sign_certificate(cli->me, e->user_id, e->display_name, e->state, usage,
	                        &e->keys, days, out, err);
}

/* The revocation of CERT (whose keys have FPR), signed by the root. */
static int make_revocation(struct cli *cli, const plm_certificate *cert,
                           const unsigned char fpr[PLM_FPR_BYTES], uint8_t reason,
                           plm_record **out, plm_error *err)
{
	int r;

	if ((r = plm_record_new(out, PLM_RECORD_REVOCATION, err)) != 0)
		return r;
	(*out)->body.revocation.serial = cert->serial;
	memcpy((*out)->body.revocation.revoked, fpr, PLM_FPR_BYTES);
	(*out)->body.revocation.revoked_at = (uint64_t)time(NULL);
	(*out)->body.revocation.reason = reason;
	if ((r = plm_record_encode_sign(*out, cli->me, NULL, NULL, err)) != 0) {
		plm_record_free(*out);
		*out = NULL;
	}
	return r;
}

static int parse_reason(const char *text, uint8_t *reason)
{
	static const char *const names[] = {NULL, "key_compromise", "device_lost",
	                                    "superseded", "left_office"};
	uint8_t i;

	for (i = PLM_REVOKED_KEY_COMPROMISE; i <= PLM_REVOKED_LEFT_OFFICE; i++)
		if (strcmp(text, names[i]) == 0) {
			*reason = i;
			return 0;
		}
	return -1;
}

/* Options shared by certify, recertify and revoke. */
struct cert_options {
	const char *user;
	unsigned char typed[PLM_FPR_BYTES];
	int has_typed;
	uint8_t usage;  /* 0: from the invitation */
	uint8_t reason; /* 0: none given */
	unsigned days;
};

/* Parses USER and the options ALLOWED ("fuRd"); prints the problem, returns 2. */
static int parse_cert_options(struct cli *cli, int argc, char **argv,
                              const char *allowed, struct cert_options *o)
{
	static const struct option options[] = {
	    {"fingerprint", required_argument, NULL, 'f'},
	    {"usage", required_argument, NULL, 'u'},
	    {"reason", required_argument, NULL, 'R'},
	    {"days", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	plm_error err;
	int c;

	memset(o, 0, sizeof(*o));
	o->days = MEMBER_VALID_DAYS;
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == '?' || strchr(allowed, c) == NULL)
			return cli_fail(cli, EXIT_USAGE, "see `palermo help admin`");
		switch (c) {
		case 'f':
			if (plm_fingerprint_parse(o->typed, optarg, &err) != 0)
				return cli_fail(cli, EXIT_USAGE,
				                "--fingerprint must be the 64 hex "
				                "digits the person "
				                "read out (spaces allowed)");
			o->has_typed = 1;
			break;
		case 'u':
			if (identity_usage_parse(optarg, &o->usage, &err) != 0)
				return cli_fail(cli, EXIT_USAGE, "%s", err.message);
			break;
		case 'R':
			if (parse_reason(optarg, &o->reason) != 0)
				return cli_fail(
				    cli, EXIT_USAGE,
				    "--reason must be key_compromise, device_lost, "
				    "superseded or left_office");
			break;
		case 'd':
			if (parse_days(optarg, &o->days) != 0)
				return cli_fail(cli, EXIT_USAGE,
				                "--days takes 1 to 36500 days");
			break;
		}
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name exactly one USER; see `palermo help admin`");
	o->user = argv[optind];
	if (!valid_str(o->user, 1, PLM_RECORD_ID_MAX, PLM_STR_ID))
		return cli_fail(cli, EXIT_USAGE, "'%s' is not a user id", o->user);
	if (strchr(allowed, 'f') != NULL && !o->has_typed)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "give --fingerprint with the fingerprint the person read to "
		    "you: it is what proves the keys are theirs");
	return 0;
}

/* Says what was certified. */
static void say_certified(struct cli *cli, const plm_record *cert)
{
	const plm_certificate *c = &cert->body.certificate;
	char when[64];

	identity_format_time(c->not_after, when, sizeof(when));
	cli_say(cli,
	        "Certified %s (%s, %s, %s) until %s; they see it at their next "
	        "`palermo sync` or `palermo whoami`.",
	        c->user_id, c->display_name, c->state, identity_usage_name(c->usage),
	        when);
}

int admin_certify(struct cli *cli, int argc, char **argv)
{
	struct cert_options o;
	plm_record *req = NULL, *cert = NULL;
	plm_error err;
	int status;

	if ((status = parse_cert_options(cli, argc, argv, "fud", &o)) != 0)
		return status;
	if ((status = admin_begin(cli, 1)) != 0 ||
	    (status = find_request(cli, o.user, o.typed, &req)) != 0)
		goto out;
	if (make_certificate(cli, req, o.usage, o.days, &cert, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (admin_publish(cli, "", &cert, 1, &err) != 0) {
		status = admin_publish_failed(cli, "certificate", &err);
		goto out;
	}
	say_certified(cli, cert);
out:
	plm_record_free(req);
	plm_record_free(cert);
	return status;
}

int admin_recertify(struct cli *cli, int argc, char **argv)
{
	struct cert_options o;
	plm_record *req = NULL, *records[2] = {NULL, NULL};
	unsigned char old_fpr[PLM_FPR_BYTES], new_fpr[PLM_FPR_BYTES];
	plm_certificate old;
	size_t n = 0;
	plm_error err;
	int status, has_old;

	if ((status = parse_cert_options(cli, argc, argv, "fRd", &o)) != 0)
		return status;
	if (o.reason == 0)
		o.reason = PLM_REVOKED_DEVICE_LOST;
	if ((status = admin_begin(cli, 1)) != 0 ||
	    (status = find_request(cli, o.user, o.typed, &req)) != 0)
		goto out;
	plm_fingerprint(new_fpr, &req->body.enrollment.keys);
	has_old = local_find_user(cli->state, o.user, &old, old_fpr, NULL) == 0;
	if (has_old && old.usage == PLM_USAGE_ROOT) {
		status =
		    cli_fail(cli, EXIT_USAGE,
		             "%s is the deployment root, which is never revoked or "
		             "recertified",
		             o.user);
		goto out;
	}
	if (has_old && memcmp(old_fpr, new_fpr, PLM_FPR_BYTES) == 0) {
		status = cli_fail(cli, EXIT_FAILURE_,
		                  "these keys of %s are certified already", o.user);
		goto out;
	}
	/* The old keys go first: from now on only the new ones count. */
	if (has_old &&
	    make_revocation(cli, &old, old_fpr, o.reason, &records[n++], &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (make_certificate(cli, req, has_old ? old.usage : 0, o.days, &records[n++],
	                     &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (admin_publish(cli, "", records, n, &err) != 0) {
		status = admin_publish_failed(cli, "revocation and certificate", &err);
		goto out;
	}
	if (!has_old)
		cli_warn(
		    cli,
		    "no valid certificate of %s was known here, so none was revoked",
		    o.user);
	say_certified(cli, records[n - 1]);
	cli_say(cli,
	        "Give the new keys their place in %s's reviews with `palermo admin "
	        "review add REVIEW --member %s:ROLE`.",
	        o.user, o.user);
out:
	plm_record_free(req);
	plm_record_free(records[0]);
	plm_record_free(records[1]);
	return status;
}

int admin_revoke(struct cli *cli, int argc, char **argv)
{
	struct cert_options o;
	unsigned char fpr[PLM_FPR_BYTES];
	plm_record *rev = NULL;
	plm_certificate cert;
	plm_error err;
	int status;

	if ((status = parse_cert_options(cli, argc, argv, "R", &o)) != 0)
		return status;
	if (o.reason == 0)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "give --reason: key_compromise, device_lost, superseded or "
		    "left_office");
	if ((status = admin_begin(cli, 1)) != 0)
		return status;
	if (local_find_user(cli->state, o.user, &cert, fpr, &err) != 0)
		return cli_fail_err(cli, &err);
	if (cert.usage == PLM_USAGE_ROOT)
		return cli_fail(cli, EXIT_USAGE,
		                "the deployment root cannot be revoked");
	if (make_revocation(cli, &cert, fpr, o.reason, &rev, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (admin_publish(cli, "", &rev, 1, &err) != 0) {
		status = admin_publish_failed(cli, "revocation", &err);
		goto out;
	}
	cli_say(
	    cli,
	    "Revoked the certificate of %s (%s, %s): the server refuses their key "
	    "from now on. Remove them from their reviews with `palermo admin review "
	    "remove REVIEW %s`.",
	    cert.user_id, cert.display_name, cert.state, cert.user_id);
out:
	plm_record_free(rev);
	return status;
}

/* ---- admin log-key ----------------------------------------------------- */

#define LOG_USER_ID "palermo-log"
#define LOG_DISPLAY_NAME "Transparency log"
#define LOG_STATE "UNODC"

/*
 * Reads the hex field NAME of DOC (GET /v1/log/key) into OUT (LEN bytes).
 * PLM_ERR_FORMAT if it is missing or not LEN bytes of hex.
 */
static int log_key_field(const json_t *doc, const char *name, unsigned char *out,
                         size_t len, plm_error *err)
{
	const char *hex = json_string_value(json_object_get(doc, name));
	size_t got = 0;

	if (hex == NULL || strlen(hex) != 2 * len ||
	    sodium_hex2bin(out, len, hex, 2 * len, NULL, &got, NULL) != 0 || got != len)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the server's log key has no valid %s", name);
	return 0;
}

/*
 * The server's log public keys (GET /v1/log/key) into *KEYS, checked
 * against the fingerprint the server states with them.
 */
static int fetch_log_key(struct cli *cli, plm_pubkeys *keys, plm_error *err)
{
	unsigned char stated[PLM_FPR_BYTES], fpr[PLM_FPR_BYTES];
	json_t *doc = NULL;
	int r;

	if ((r = transport_json(cli->net, "GET", "/v1/log/key", NULL, 0, &doc, err)) !=
	    0)
		return r;
	if ((r = log_key_field(doc, "sign_pk", keys->sign_pk, PLM_SIGN_PK_BYTES,
	                       err)) != 0 ||
	    (r = log_key_field(doc, "box_pk", keys->box_pk, PLM_BOX_PK_BYTES, err)) !=
	        0 ||
	    (r = log_key_field(doc, "fingerprint", stated, PLM_FPR_BYTES, err)) != 0)
		goto out;
	plm_fingerprint(fpr, keys);
	if (memcmp(fpr, stated, PLM_FPR_BYTES) != 0)
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "the server's log key does not have the fingerprint "
		                  "the server states for it");
out:
	json_decref(doc);
	return r;
}

int admin_log_key(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"fingerprint", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	unsigned char fpr[PLM_FPR_BYTES], typed[PLM_FPR_BYTES];
	const char *want = NULL;
	plm_pubkeys keys;
	plm_certificate known;
	plm_record *cert = NULL;
	plm_error err;
	int opt, status = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (opt != 'f')
			return cli_fail(cli, EXIT_USAGE,
			                "admin log-key takes only --fingerprint FPR; "
			                "see `palermo help admin`");
		want = optarg;
	}
	if (optind != argc)
		return cli_fail(cli, EXIT_USAGE, "admin log-key takes no arguments; see `palermo help admin`");
	if (want != NULL && plm_fingerprint_parse(typed, want, &err) != 0)
		return cli_fail(cli, EXIT_USAGE, "--fingerprint: %s", err.message);
	if ((status = admin_begin(cli, 1)) != 0)
		return status;
	if (fetch_log_key(cli, &keys, &err) != 0)
		return cli_fail_err(cli, &err);
	plm_fingerprint(fpr, &keys);
	if (want != NULL && memcmp(typed, fpr, PLM_FPR_BYTES) != 0)
		return cli_fail(cli, EXIT_VERIFY,
		                "the server's log key is not the one whose fingerprint "
		                "you typed; do not certify it");
	if (local_certificate(cli->state, fpr, &known, NULL) == 0 &&
	    known.usage == PLM_USAGE_LOG) {
		cli_say(cli, "The server's log key is certified already.");
	} else {
		if (sign_certificate(cli->me, LOG_USER_ID, LOG_DISPLAY_NAME, LOG_STATE,
		                     PLM_USAGE_LOG, &keys, MEMBER_VALID_DAYS, &cert, &err) !=
		    0) {
			status = cli_fail_err(cli, &err);
			goto out;
		}
		if (admin_publish(cli, "", &cert, 1, &err) != 0) {
			status = admin_publish_failed(cli, "log certificate", &err);
			goto out;
		}
	}
	if (cli->json) {
		status = cli_json(cli, json_pack("{s:o, s:o, s:b}", "fingerprint",
		                                 identity_json_hex(fpr, PLM_FPR_BYTES),
		                                 "fingerprint_groups",
		                                 identity_json_groups(fpr), "certified",
		                                 cert != NULL));
		goto out;
	}
	if (cert != NULL)
		printf("Certified the server's log key (usage log) for three years; "
		       "members\n"
		       "learn it at their next `palermo sync`. Its fingerprint:\n\n");
	else
		printf("Its fingerprint:\n\n");
	identity_print_fingerprint(stdout, fpr, "    ", "    ");
out:
	plm_record_free(cert);
	return status;
}
