/*
 * cmd_doctor.c - `palermo doctor`: checks this client's set-up, one line
 * per check, and says what to fix: the state folder and keystore
 * permissions, the local state, the pinned root, the policy, the server
 * (reachable, healthy, its clock against ours), my certificate (known,
 * valid, not revoked, not about to expire) and the outbox. Needs no
 * passphrase; the network only for the server's health (unsigned).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/commands.h"
#include "client/identity.h"
#include "client/local.h"
#include "client/outbox.h"
#include "client/outbox_records.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/transport.h"

const char usage_doctor[] =
    "usage: palermo doctor [--max-skew SECONDS]\n"
    "\n"
    "Checks this client's set-up and prints one line per check: \"ok\", \"warn\"\n"
    "(works, but look at it) or \"FAIL\", and for each problem what to do:\n"
    "  home       the state folder exists and only you can read it (0700)\n"
    "  keystore   identity.key exists and only you can read it (0600)\n"
    "  state      the local state opens\n"
    "  root       a deployment root is pinned (palermo init --trust)\n"
    "  policy     the policy loads\n"
    "  server     the pinned server answers /v1/health\n"
    "  clock      this machine's clock is within SECONDS of the server's Date\n"
    "             (default 60; requests signed further off than the server's\n"
    "             window, 300 s by default, are refused)\n"
    "  certificate  your certificate is known here, valid and not revoked (the\n"
    "             server is asked about a revocation, and the answer kept only if\n"
    "             the pinned root signed it); warn when it expires within 30 days\n"
    "  outbox     nothing waits to be sent (warn), nothing was refused (FAIL)\n"
    "Needs no passphrase. Reads the local state as of your last sync.\n"
    "\n"
    "With --json, prints {\"ok\": BOOL, \"checks\": [{\"check\", \"status\",\n"
    "\"detail\"}]} with status \"ok\", \"warn\" or \"fail\".\n"
    "\n"
    "Exit status: 0 when no check failed (warnings allowed), 1 otherwise.\n"
    "\n"
    "Examples:\n"
    "  palermo doctor\n"
    "  palermo --json doctor | jq '.checks[] | select(.status != \"ok\")'\n";

#define DAY 86400
#define CERT_WARN_DAYS 30

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };

struct doctor {
	struct cli *cli;
	json_t *checks;
	int failed;
};

/* Records one check; DETAIL says what was found and, on a problem, what to do. */
static void report(struct doctor *d, const char *check, enum check_status status,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(struct doctor *d, const char *check, enum check_status status,
                   const char *fmt, ...)
{
	static const char *const names[] = {"ok", "warn", "fail"};
	char detail[1200], style[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (status == CHECK_FAIL)
		d->failed = 1;
	json_array_append_new(d->checks, json_pack("{s:s, s:s, s:s}", "check", check,
	                                           "status", names[status], "detail",
	                                           detail));
	if (d->cli->json)
		return;
	printf("%-5s %-12s %s\n",
	       cli_style(d->cli, status == CHECK_OK ? "32" : status == CHECK_WARN ? "33" : "1;31",
	                 status == CHECK_OK ? "ok" : status == CHECK_WARN ? "warn" : "FAIL",
	                 style, sizeof(style)),
	       check, detail);
}

/* Checks that PATH exists and has no permission bit for group or others. */
static int check_private(struct doctor *d, const char *check, const char *path,
                         int want_dir, const char *fix_missing)
{
	struct stat sb;
	unsigned mode;

	if (lstat(path, &sb) != 0) {
		report(d, check, CHECK_FAIL, "%s: %s; %s", path, strerror(errno), fix_missing);
		return -1;
	}
	mode = (unsigned)sb.st_mode & 0777;
	if (want_dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode)) {
		report(d, check, CHECK_FAIL, "%s is not a %s; move it away and %s", path,
		       want_dir ? "folder" : "file", fix_missing);
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		report(d, check, CHECK_FAIL, "%s belongs to another user (uid %u); run palermo "
		       "as its owner", path, (unsigned)sb.st_uid);
		return -1;
	}
	if ((mode & 077) != 0) {
		report(d, check, CHECK_FAIL, "%s can be read by other users (mode %03o); run "
		       "`chmod %s %s`", path, mode, want_dir ? "700" : "600", path);
		return -1;
	}
	report(d, check, CHECK_OK, "%s is yours alone (mode %03o)", path, mode);
	return 0;
}

/* Server health and clock: one unsigned GET /v1/health. 1 if it answered. */
static int check_server(struct doctor *d, uint64_t max_skew)
{
	struct transport *t = NULL;
	struct response resp;
	char url[1024] = "";
	plm_error err;
	long long skew;
	uint64_t now;
	int answered = 0;

	memset(&resp, 0, sizeof(resp));
	state_get_str(d->cli->state, "server", url, sizeof(url), NULL);
	if (transport_new(d->cli->state, NULL, &t, &err) != 0) {
		report(d, "server", CHECK_FAIL, "%s", err.message);
		report(d, "clock", CHECK_WARN, "not checked: the server is unknown");
		return 0;
	}
	if (transport_request(t, "GET", "/v1/health", NULL, 0, &resp, &err) != 0) {
		report(d, "server", CHECK_FAIL, "%s", err.message);
		report(d, "clock", CHECK_WARN, "not checked: the server did not answer");
		goto out;
	}
	now = (uint64_t)time(NULL);
	answered = 1;
	if (resp.status != 200)
		report(d, "server", CHECK_FAIL, "%s answers /v1/health with status %ld; tell "
		       "the server's operator", url, resp.status);
	else
		report(d, "server", CHECK_OK, "%s answers", url);
	if (resp.date == 0) {
		report(d, "clock", CHECK_WARN, "the server sent no Date header; cannot compare "
		       "clocks");
		goto out;
	}
	skew = (long long)now - (long long)resp.date;
	if ((uint64_t)llabs(skew) > max_skew)
		report(d, "clock", CHECK_FAIL, "this machine's clock is %lld s %s the server's; "
		       "set the time (for example `timedatectl set-ntp true`), or signed "
		       "requests will be refused", llabs(skew), skew > 0 ? "ahead of" : "behind");
	else
		report(d, "clock", CHECK_OK, "within %lld s of the server's", llabs(skew));
out:
	response_free(&resp);
	transport_free(t);
	return answered;
}

/*
 * My certificate as this client verified it, after asking the server
 * (when ONLINE) whether it was revoked: the answer is kept only if the
 * pinned root signed it (identity_fetch_keys).
 */
static void check_certificate(struct doctor *d, int online)
{
	unsigned char fpr[PLM_FPR_BYTES];
	enum identity_keys keys;
	plm_certificate cert;
	char date[32];
	plm_error err;
	uint64_t now = (uint64_t)time(NULL);
	int r;

	if (reader_my_fingerprint(d->cli, fpr, &err) != 0) {
		report(d, "certificate", CHECK_FAIL, "%s", err.message);
		return;
	}
	if (online && identity_fetch_keys(d->cli, fpr, &keys, &err) != 0)
		report(d, "certificate", CHECK_WARN, "could not learn from the server whether "
		       "your keys were revoked (%s); judged from the local state", err.message);
	memset(&cert, 0, sizeof(cert));
	r = local_certificate(d->cli->state, fpr, &cert, &err);
	if (r == PLM_ERR_NOTFOUND) {
		report(d, "certificate", CHECK_FAIL, "no certificate of your key is known here; "
		       "run `palermo sync`, and if it stays missing ask the secretariat to "
		       "certify you (`palermo whoami` shows what to read out)");
		return;
	}
	if (r != 0) {
		report(d, "certificate", CHECK_FAIL, "%s; ask the secretariat for a new "
		       "certificate", err.message);
		return;
	}
	reader_date(cert.not_after, date);
	if (cert.not_after < now + CERT_WARN_DAYS * DAY)
		report(d, "certificate", CHECK_WARN, "valid, but expires on %.10s; ask the "
		       "secretariat to renew it (`palermo admin recertify`)", date);
	else
		report(d, "certificate", CHECK_OK, "%s (%s), valid until %.10s", cert.user_id,
		       cert.state, date);
}

/* What waits in the outbox, and what the server refused. */
static void check_outbox(struct doctor *d)
{
	struct outbox_item *items = NULL;
	struct records_item *records = NULL;
	size_t n = 0, n_records = 0, i, refused = 0;
	plm_error err;

	if (state_outbox_list(d->cli->state, NULL, &items, &n, &err) != 0) {
		report(d, "outbox", CHECK_FAIL, "%s", err.message);
		return;
	}
	for (i = 0; i < n; i++)
		refused += items[i].refused != 0;
	free(items);
	if (refused > 0)
		report(d, "outbox", CHECK_FAIL, "%zu document(s) were refused; `palermo outbox` "
		       "says why: drop or retry each", refused);
	else if (records_list(d->cli, NULL, &records, &n_records, &err) == 0 &&
	         n_records > 0)
		report(d, "outbox", CHECK_WARN, "%zu signed record(s) and %zu document(s) "
		       "wait to be sent; run `palermo sync` once the server is reachable",
		       n_records, n);
	else if (n > 0)
		report(d, "outbox", CHECK_WARN, "%zu document(s) wait to be sent; run "
		       "`palermo sync` once the server is reachable", n);
	else
		report(d, "outbox", CHECK_OK, "empty");
	free(records);
}

int cmd_doctor(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"max-skew", required_argument, NULL, 's'},
	                                        {"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct doctor d = {cli, json_array(), 0};
	unsigned char root[PLM_FPR_BYTES];
	const plm_policy *policy;
	char path[4200], hex[2 * PLM_FPR_BYTES + 1], *end;
	long max_skew = 60;
	plm_error err;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt != 's') {
			json_decref(d.checks);
			return cli_fail(cli, EXIT_USAGE, "see `palermo help doctor`");
		}
		max_skew = strtol(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || max_skew < 1 || max_skew > 3600) {
			json_decref(d.checks);
			return cli_fail(cli, EXIT_USAGE,
			                "--max-skew takes a number of seconds from 1 to 3600");
		}
	}
	if (optind != argc) {
		json_decref(d.checks);
		return cli_fail(cli, EXIT_USAGE,
		                "doctor takes no arguments; see `palermo help doctor`");
	}
	if (check_private(&d, "home", cli->home, 1,
	                  "run `palermo init` (or set PALERMO_HOME to your state folder)") != 0)
		goto done;
	snprintf(path, sizeof(path), "%s/identity.key", cli->home);
	check_private(&d, "keystore", path, 0,
	              "restore it from your backup, or enrol again with `palermo init`");
	if (state_open(cli->home, 0, &cli->state, &err) != 0) {
		report(&d, "state", CHECK_FAIL, "%s", err.message);
		goto done;
	}
	report(&d, "state", CHECK_OK, "%s/state.db opens", cli->home);
	if (local_root(cli->state, root, NULL, &err) != 0)
		report(&d, "root", CHECK_FAIL, "%s", err.message);
	else {
		plm_hex(hex, root, PLM_FPR_BYTES);
		report(&d, "root", CHECK_OK, "pinned: %.16s...", hex);
	}
	if (local_policy(cli, &policy, &err) != 0)
		report(&d, "policy", CHECK_FAIL, "%s", err.message);
	else
		report(&d, "policy", CHECK_OK, "loads");
	check_certificate(&d, check_server(&d, (uint64_t)max_skew));
	check_outbox(&d);
done:
	if (cli->json) {
		cli_json(cli, json_pack("{s:b, s:o}", "ok", !d.failed, "checks", d.checks));
	} else {
		json_decref(d.checks);
		if (d.failed)
			fprintf(stderr, "palermo: some checks failed; fix what the FAIL lines say, "
			                "then run `palermo doctor` again\n");
	}
	return d.failed ? EXIT_FAILURE_ : EXIT_OK;
}
