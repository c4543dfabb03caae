/*
 * sandbox.h - what palermod gives up once it has started
 * (docs/SECURITY.md "Sandboxing"):
 *
 *  - started as root with --user NAME, it opens its data folder as NAME
 *    (so that every file it creates belongs to NAME), binds its port and
 *    reads its TLS key as root, then drops root for good: supplementary
 *    groups, group, user. Started as root without --user it runs on as
 *    root, with a warning.
 *  - then every thread enters a seccomp filter (written by hand in classic
 *    BPF, no library): an allow-list of the system calls that serving
 *    requests needs; execve, execveat and ptrace kill the process; any
 *    other call fails with EPERM.
 */
#ifndef PALERMOD_SANDBOX_H
#define PALERMOD_SANDBOX_H

#include <sys/types.h>

#include "keys/error.h"

struct sandbox_user {
	char name[64];
	uid_t uid;
	gid_t gid;
};

/*
 * Looks NAME up (the password database) into U. PLM_ERR_NOTFOUND for an
 * unknown account, PLM_ERR_INVALID for root itself, or when palermod does
 * not run as root (and is not already NAME).
 */
int sandbox_user_lookup(const char *name, struct sandbox_user *u, plm_error *err);

/*
 * Runs as U while the data folder DATA_DIR is opened: creates DATA_DIR
 * (0700, owned by U) if it is missing, then switches the effective group
 * and user to U's. sandbox_leave_user switches back to root. Call both
 * before any thread starts.
 */
int sandbox_enter_user(const struct sandbox_user *u, const char *data_dir, plm_error *err);
int sandbox_leave_user(plm_error *err);

/*
 * Drops root for good, in every thread: supplementary groups to U's group
 * alone, then the real, effective and saved group and user ids. Checks
 * that root cannot be regained.
 */
int sandbox_drop(const struct sandbox_user *u, plm_error *err);

/*
 * Installs the system-call allow-list on every thread of the process
 * (SECCOMP_FILTER_FLAG_TSYNC), after setting no_new_privs. PLM_ERR_INVALID
 * on an architecture whose list was not written (x86_64 and aarch64 are).
 * WARNING: from then on, code that needs a call outside the list gets
 * EPERM; add it to the list in sandbox.c with the reason.
 */
int sandbox_seccomp(plm_error *err);

#endif
