/*
 * cmd_admin.c - `palermo admin`: the secretariat's commands (DESIGN.md §5,
 * §6). This file dispatches to them and holds the steps they share:
 * unlocking the root, and delivering the signed records they make through
 * a local queue, so that a lost connection never leaves a roster without
 * its keys or a revocation unsent.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin.h"
#include "client/commands.h"
#include "client/identity.h"
#include "client/local.h"
#include "client/outbox_records.h"
#include "client/state.h"
#include "client/transport.h"

const char usage_admin[] =
    "usage: palermo admin root --server URL [--name NAME] [--user ID] [--state CODE]\n"
    "                          [--kdf moderate|interactive]\n"
    "       palermo admin invite --user ID --name NAME --state STATE\n"
    "                            [--usage member|secretariat] [--expires-in SECONDS]\n"
    "       palermo admin requests\n"
    "       palermo admin certify USER --fingerprint FPR [--usage member|secretariat]\n"
    "                             [--days N]\n"
    "       palermo admin recertify USER --fingerprint FPR [--reason REASON] [--days "
    "N]\n"
    "       palermo admin revoke USER --reason REASON\n"
    "       palermo admin log-key [--fingerprint FPR]\n"
    "       palermo admin review create REVIEW --sur STATE --cluster CLUSTER\n"
    "                   --instrument NAME:STATE,... --language LANG --member "
    "USER:ROLE...\n"
    "                   [--party STATE:TREATY,...]...\n"
    "       palermo admin review add REVIEW --member USER:ROLE... [--remove USER]...\n"
    "                   [--history | --no-history]\n"
    "       palermo admin review remove REVIEW USER... [--member USER:ROLE]...\n"
    "                   [--history | --no-history]\n"
    "       palermo admin review advance REVIEW\n"
    "       palermo admin review grant REVIEW USER\n"
    "       palermo admin parties [add USER:ROLE... | remove USER... | rekey]\n"
    "\n"
    "The secretariat's commands. All but invite and requests need the home of the\n"
    "deployment root: only the root signs certificates, revocations, rosters and\n"
    "epoch keys.\n"
    "\n"
    "admin root\n"
    "  First run of the secretariat, in a home of its own: makes the root identity\n"
    "  (keystore under a passphrase asked twice), a self-signed root certificate\n"
    "  (usage root; defaults: --user unodc-root, --name \"UNODC Secretariat\",\n"
    "  --state UNODC, valid 10 years), publishes it (POST /v1/root, signed with the\n"
    "  root key), pins it here, and prints the fingerprint that every member\n"
    "  passes to `palermo init --trust`. Run again, it publishes the same root.\n"
    "\n"
    "admin invite\n"
    "  Makes a one-time invitation code (20 characters in groups, valid 10 days)\n"
    "  for user ID of STATE, registers only its hash on the server, and prints the\n"
    "  code and the `palermo init` command to give to the person out of band.\n"
    "  --usage secretariat invites a secretariat officer (default: member).\n"
    "  --expires-in SECONDS makes it expire sooner (tests; at most 10 days).\n"
    "  The root or a certified secretariat officer may invite.\n"
    "\n"
    "admin requests\n"
    "  Lists the enrollment requests waiting for a certificate: user id, name,\n"
    "  State, usage, and the fingerprint in groups. Each request's signature by its\n"
    "  own keys is verified; a request that fails is shown as such.\n"
    "\n"
    "admin certify USER --fingerprint FPR\n"
    "  FPR is the fingerprint the person read to you (or sent by note verbale);\n"
    "  it must equal the one of USER's pending request, or nothing is signed: the\n"
    "  comparison out of band is what proves that the keys are theirs. Then signs\n"
    "  their certificate with the root (valid --days, default 1095: three years)\n"
    "  and publishes it; they see it at their next `palermo sync` or `whoami`.\n"
    "\n"
    "admin recertify USER --fingerprint FPR\n"
    "  A lost or compromised device: USER filed a new request from a new device\n"
    "  (with a new invitation). Revokes their current certificate (--reason,\n"
    "  default device_lost), then certifies the new keys as certify does. Give\n"
    "  them the new keys in their reviews with `admin review add`.\n"
    "\n"
    "admin revoke USER --reason REASON\n"
    "  Revokes USER's current certificate. REASON: key_compromise, device_lost,\n"
    "  superseded or left_office. The server then refuses their key; remove them\n"
    "  from their reviews with `admin review remove` for new keys to exclude them.\n"
    "\n"
    "admin log-key [--fingerprint FPR]\n"
    "  Fetches the key that signs the server's transparency log heads (GET\n"
    "  /v1/log/key), shows its fingerprint, and certifies it with usage log\n"
    "  (signed by the root, published like any certificate). Members' sync refuses\n"
    "  a log head whose key the root has not certified. With --fingerprint, the\n"
    "  key is certified only if it has this fingerprint (read from the server's\n"
    "  operator out of band).\n"
    "\n"
    "admin review create REVIEW ...\n"
    "  Creates review REVIEW (an id such as 2026-ita-crim): roster epoch 1 and\n"
    "  fresh keys for every channel of the policy, each sealed to exactly its\n"
    "  audience, both signed by the root, checked here exactly as every member\n"
    "  will check them, then published (roster first).\n"
    "    --sur STATE                   the State under review\n"
    "    --cluster CLUSTER             criminalization, cooperation, ...\n"
    "    --instrument NAME:STATE,...   an instrument and its reviewing States\n"
    "                                  (repeat per instrument: untoc:FRA,BRA)\n"
    "    --language LANG               a working language (repeat: en, fr, ...)\n"
    "    --member USER:ROLE            a certified user and their role: focal_point,\n"
    "                                  expert, observer or secretariat (repeat)\n"
    "    --party STATE:TREATY,...      the treaties STATE is party to (repeat).\n"
    "  The policy's rules for a new review are checked first and a violation is\n"
    "  refused with the rule (para 28, para 49-50): a State reviewing itself, too\n"
    "  many reviewing States, a reviewer or SUR not party to an instrument, too\n"
    "  many languages. Nobody holds the list of States parties yet: without any\n"
    "  --party, every State named is ASSUMED to be party to every instrument of\n"
    "  the review; with --party, exactly the pairs given are parties.\n"
    "  The root joins every review it creates as its secretariat member (it makes\n"
    "  the channel keys, so this hides nothing): it may then advance the review\n"
    "  and read its records.\n"
    "\n"
    "admin review add REVIEW --member USER:ROLE... [--remove USER]...\n"
    "admin review remove REVIEW USER... [--member USER:ROLE]...\n"
    "  Syncs, then makes the next epoch: a roster with the members removed, then\n"
    "  those added, chained to the newest one, and fresh keys for everyone still\n"
    "  on it. A removed member gets no key of the new epoch. Adding a user whose\n"
    "  keys changed (after recertify) replaces their old keys on the roster. Every\n"
    "  member of the new epoch needs a valid certificate: drop a revoked member\n"
    "  (--remove) in the same change that adds someone, if need be.\n"
    "  History: a member added in the place of one of the same State and role\n"
    "  who leaves in the same change (a replacement focal point or expert, or a\n"
    "  member's new keys after recertify) also receives the keys of every earlier\n"
    "  epoch their role may read, in a history grant signed by the root, when\n"
    "  the policy lists the role under history.on_replacement; anyone else only\n"
    "  reads what is written from the new epoch on. --history gives the history\n"
    "  to every member added, --no-history to none.\n"
    "\n"
    "admin review grant REVIEW USER\n"
    "  Syncs, then gives USER, on the newest roster of REVIEW with their current\n"
    "  keys, the keys of the earlier epochs they lack, of every channel their\n"
    "  role may read, in a history grant signed by the root.\n"
    "\n"
    "admin review advance REVIEW\n"
    "  Syncs, then signs the move of the review to the policy's next stage, as\n"
    "  the root's secretariat membership.\n"
    "\n"
    "admin parties\n"
    "  Shows the parties group: every certified focal point and expert of every\n"
    "  State party, who read what a State under review discloses to all parties\n"
    "  (para 40), with its epoch, roles, States and fingerprints. Any member may\n"
    "  run it; --json gives {\"epoch\", \"keys\", \"created_at\", \"members\"}.\n"
    "admin parties add USER:ROLE...\n"
    "admin parties remove USER...\n"
    "admin parties rekey\n"
    "  Syncs, then starts the group's next epoch: a parties roster (ROLE one of\n"
    "  the policy's disclosure.parties_group: focal_point, expert) and a fresh\n"
    "  key sealed to every member and the root, with the previous key wrapped\n"
    "  under it so that members read what was disclosed before they joined.\n"
    "  Members whose certificate was revoked or expired leave the group in every\n"
    "  new epoch (named on stderr): they receive no later key. rekey starts a\n"
    "  new epoch over the current set.\n"
    "\n"
    "A record that could not be sent stays queued in this home (`palermo outbox`\n"
    "shows it), and `palermo sync` or the next admin command sends it first.\n"
    "Exit status: 0 done, 2 bad options, 3 a fingerprint or signature does not\n"
    "match, 4 the server cannot be reached (records stay queued), 5 refused by\n"
    "the policy or the server, 6 no such user, request or review.\n"
    "\n"
    "Examples:\n"
    "  palermo admin root --server https://palermo.unodc.org\n"
    "  palermo admin invite --user it-fp-rossi --name 'Giulia Rossi' --state ITA\n"
    "  palermo admin certify it-fp-rossi --fingerprint '3f2a 9c41 ...'\n"
    "  palermo admin review create 2026-ita-crim --sur ITA --cluster criminalization "
    "\\\n"
    "      --instrument untoc:FRA,BRA --instrument tip:FRA,BRA --language en \\\n"
    "      --member it-fp-rossi:focal_point --member fr-fp-martin:focal_point\n"
    "  palermo admin parties add it-fp-rossi:focal_point br-fp-costa:focal_point\n";

int admin_begin(struct cli *cli, int need_root)
{
	unsigned char root[PLM_FPR_BYTES], mine[PLM_FPR_BYTES];
	plm_error err;
	int status;

	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	if (local_root(cli->state, root, NULL, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((status = cli_unlock(cli)) != 0)
		return status;
	plm_fingerprint(mine, &cli->me->pub);
	if (need_root && memcmp(mine, root, PLM_FPR_BYTES) != 0)
		return cli_fail(
		    cli, EXIT_AUTH,
		    "this needs the deployment root's key, and %s holds another "
		    "identity; run it in the root's home (--home)",
		    cli->home);
	if ((status = cli_connect(cli)) != 0)
		return status;
	/* Records queued earlier go first; a refused one is reported and dropped. */
	if (records_flush(cli, 1, NULL, NULL, &err) != 0)
		return admin_publish_failed(cli, "records queued earlier", &err);
	return 0;
}

int admin_publish(struct cli *cli, const char *review, plm_record *const *records,
                  size_t n, plm_error *err)
{
	size_t i;
	int r;

	if ((r = state_begin(cli->state, err)) != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = state_admin_queue(cli->state, review, records[i], err)) != 0) {
			state_rollback(cli->state);
			return r;
		}
	if ((r = state_commit(cli->state, err)) != 0) {
		state_rollback(cli->state);
		return r;
	}
	return records_flush(cli, 0, NULL, NULL, err);
}

int admin_publish_failed(struct cli *cli, const char *what, const plm_error *err)
{
	if (err->code == PLM_ERR_NET)
		return cli_fail(
		    cli, EXIT_NETWORK,
		    "%s; the %s stay queued here and the next `palermo admin` "
		    "command sends them, as does `palermo sync`",
		    err->message, what);
	return cli_fail_err(cli, err);
}

int cmd_admin(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *cli, int argc, char **argv);
	} subcommands[] = {
	    {"root", admin_root},           {"invite", admin_invite},
	    {"requests", admin_requests},   {"certify", admin_certify},
	    {"recertify", admin_recertify}, {"revoke", admin_revoke},
	    {"review", admin_review},       {"log-key", admin_log_key},
	    {"parties", admin_parties},
	};
	size_t i;

	if (argc < 2)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "admin needs a subcommand: root, invite, requests, certify, "
		    "recertify, revoke, log-key, review or parties; see `palermo help "
		    "admin`");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(cli, argc - 1, argv + 1);
	return cli_fail(cli, EXIT_USAGE,
	                "there is no `admin %s`; see `palermo help admin`", argv[1]);
}
