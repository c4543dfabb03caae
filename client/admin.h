/*
 * admin.h - the secretariat's commands (`palermo admin ...`), internal to
 * client/cmd_admin.c (dispatch, shared steps), client/admin_identity.c
 * (root, invite, requests, certify, recertify, revoke) and
 * client/admin_review.c (review create, add, remove, advance) and
 * client/admin_history.c (history grants, review grant).
 *
 * Each admin_* command function has the signature of a command: it gets
 * the arguments after its own name in argv[0], prints what the user sees
 * and returns the exit status.
 */
#ifndef PALERMO_ADMIN_H
#define PALERMO_ADMIN_H

#include "client/cli.h"
#include "keys/record.h"

int admin_root(struct cli *cli, int argc, char **argv);
int admin_invite(struct cli *cli, int argc, char **argv);
int admin_requests(struct cli *cli, int argc, char **argv);
int admin_certify(struct cli *cli, int argc, char **argv);
int admin_recertify(struct cli *cli, int argc, char **argv);
int admin_revoke(struct cli *cli, int argc, char **argv);
int admin_log_key(struct cli *cli, int argc, char **argv);
int admin_review(struct cli *cli, int argc, char **argv);
int admin_review_grant(struct cli *cli, int argc, char **argv);

/*
 * The history grant (PROTOCOL.md §5.11, client/admin_history.c) of the
 * member of ROSTER (signed) whose keys are GRANTEE: every key of an epoch
 * before ROSTER's, of a channel their role may read, that they were not
 * given then, read from the root's own copies and re-sealed to them; signed
 * by the root (cli->me). *OUT is NULL when they lack nothing (caller frees
 * with plm_record_free).
 */
int admin_history_grant(struct cli *cli, const struct plm_policy *policy,
                        const plm_record *roster, const plm_pubkeys *grantee,
                        plm_record **out, plm_error *err);
/* Tells who receives the history of which epochs (unless --quiet or --json). */
void admin_history_say(struct cli *cli, const plm_record *grant);
int admin_parties(struct cli *cli, int argc, char **argv);

/*
 * The common start of a command that talks to the server as the
 * secretariat: opens the state, unlocks the identity, checks that it is
 * the pinned root when NEED_ROOT (only the root signs certificates,
 * revocations, rosters and epoch keys), connects, and first delivers the
 * records queued by an earlier run. Returns 0 or the exit status (the
 * problem is printed).
 */
int admin_begin(struct cli *cli, int need_root);

/*
 * Queues the signed records RECORDS[0..N) of REVIEW ("" for certificates
 * and revocations) in one transaction, then delivers the queue in order
 * (records_flush, client/outbox_records.h). Certificates and revocations the server accepted are kept
 * in the local state too. PLM_ERR_NET when the server cannot be reached:
 * the records stay queued and `palermo sync` or the next admin command
 * sends them.
 */
int admin_publish(struct cli *cli, const char *review, plm_record *const *records,
                  size_t n, plm_error *err);

/*
 * Reports a failed admin_publish: a network failure as "queued" (exit 4),
 * anything else as the refusal it is. WHAT names what was published.
 */
int admin_publish_failed(struct cli *cli, const char *what, const plm_error *err);

#endif
