/* sandbox.c - privilege drop and the seccomp allow-list (see sandbox.h). */
#define _GNU_SOURCE
#include "daemon/sandbox.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

int sandbox_user_lookup(const char *name, struct sandbox_user *u, plm_error *err)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	memset(u, 0, sizeof(*u));
	if (strlen(name) >= sizeof(u->name) ||
	    getpwnam_r(name, &pw, buf, sizeof(buf), &found) != 0 || found == NULL)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "--user: there is no account named '%s'; create a "
		                     "system account for palermod (adduser --system palermo)",
		                     name);
	if (pw.pw_uid == 0)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "--user must name an unprivileged account, not root");
	if (geteuid() != 0 && geteuid() != pw.pw_uid)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "--user %s needs palermod to start as root (it runs as "
		                     "uid %u); start it as root or leave --user out",
		                     name, (unsigned)geteuid());
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	return 0;
}

int sandbox_enter_user(const struct sandbox_user *u, const char *data_dir, plm_error *err)
{
	if (geteuid() != 0)
		return 0; /* already the user */
	if (mkdir(data_dir, 0700) == 0) {
		if (chown(data_dir, u->uid, u->gid) != 0)
			return plm_error_set(err, PLM_ERR_IO, "cannot give %s to %s: %s", data_dir,
			                     u->name, strerror(errno));
	} else if (errno != EEXIST) {
		return plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s", data_dir,
		                     strerror(errno));
	}
	if (setegid(u->gid) != 0 || seteuid(u->uid) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot switch to the user %s: %s", u->name,
		                     strerror(errno));
	return 0;
}

int sandbox_leave_user(plm_error *err)
{
	uid_t ruid, euid, suid;

	if (getresuid(&ruid, &euid, &suid) != 0 || suid != 0)
		return 0; /* not started as root: nothing to go back to */
	if (seteuid(0) != 0 || setegid(0) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot switch back to root: %s",
		                     strerror(errno));
	return 0;
}

int sandbox_drop(const struct sandbox_user *u, plm_error *err)
{
	if (getuid() == u->uid && geteuid() == u->uid)
		return 0; /* started as the user */
	/* glibc applies each of these to every thread of the process. */
	if (setgroups(1, &u->gid) != 0 || setresgid(u->gid, u->gid, u->gid) != 0 ||
	    setresuid(u->uid, u->uid, u->uid) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot drop root for the user %s: %s",
		                     u->name, strerror(errno));
	if (setuid(0) == 0 || seteuid(0) == 0)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "root could be regained after dropping it; stopping");
	return 0;
}

/*
 * The calls serving requests needs, once started (found by running every
 * test with the filter on, and strace -f of the daemon under load).
 * Missing names on an architecture (open, stat ... on aarch64) are skipped.
 */
static const int allowed[] = {
    /* files: the blob folder, uploads, SQLite (WAL, -shm), config reload */
    SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64,
    SYS_lseek, SYS_close, SYS_openat, SYS_fstat, SYS_newfstatat, SYS_statx,
    SYS_fcntl, SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_fallocate,
    SYS_renameat, SYS_unlinkat, SYS_mkdirat, SYS_getdents64, SYS_faccessat,
    SYS_readlinkat, SYS_getcwd, SYS_fchmod, SYS_fchown, SYS_fstatfs,
    SYS_flock, /* one request at a time per upload (blobs.c) */
#ifdef SYS_open
    SYS_open, SYS_stat, SYS_lstat, SYS_rename, SYS_unlink, SYS_mkdir, SYS_access,
    SYS_readlink,
#endif
#ifdef SYS_renameat2
    SYS_renameat2,
#endif
    /* uploads start their writeback as they come (blobs.c) */
#ifdef SYS_sync_file_range
    SYS_sync_file_range,
#endif
#ifdef SYS_faccessat2
    SYS_faccessat2,
#endif
    /* memory: malloc, sodium_malloc (guard pages, mlock, MADV_DONTDUMP) */
    SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise,
    SYS_mlock, SYS_munlock,
    /* threads of the libmicrohttpd pool, locks, time */
    SYS_futex, SYS_set_robust_list, SYS_sched_yield, SYS_sched_getaffinity,
    SYS_clock_gettime, SYS_clock_getres, SYS_gettimeofday, SYS_nanosleep,
    SYS_clock_nanosleep, SYS_getrandom, SYS_restart_syscall,
#ifdef SYS_rseq
    SYS_rseq,
#endif
#ifdef SYS_time
    SYS_time,
#endif
    /* connections: accept, poll, send (sendfile for envelopes), close */
    SYS_accept, SYS_accept4, SYS_recvfrom, SYS_sendto, SYS_recvmsg, SYS_sendmsg,
    SYS_shutdown, SYS_setsockopt, SYS_getsockopt, SYS_getsockname, SYS_getpeername,
    SYS_ppoll, SYS_pselect6, SYS_sendfile,
#ifdef SYS_poll
    SYS_poll, SYS_select,
#endif
    /* signals: sigwait in main, SIGPIPE ignored, abort() on a bug */
    SYS_rt_sigprocmask, SYS_rt_sigaction, SYS_rt_sigreturn, SYS_rt_sigtimedwait,
    SYS_sigaltstack, SYS_tgkill, SYS_getpid, SYS_gettid,
    /* identity checks by SQLite (geteuid) and libc, resource use, exit */
    SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid, SYS_getrusage,
    SYS_exit, SYS_exit_group,
};

/*
 * An AddressSanitizer build (make SANITIZE=1) checks for leaks at exit from
 * a thread that ptraces the others: there the filter lets every call pass
 * but execve and execveat, which still kill. The allow-list is enforced in
 * every other build, which is what runs and what the tests check.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

/* Calls that only an attack would make: the process dies on the spot. */
#ifdef SANDBOX_SANITIZER
static const int fatal[] = {SYS_execve, SYS_execveat};
#define SANDBOX_DEFAULT SECCOMP_RET_ALLOW
#else
static const int fatal[] = {SYS_execve, SYS_execveat, SYS_ptrace};
#define SANDBOX_DEFAULT (SECCOMP_RET_ERRNO | EPERM)
#endif

/* The low 32 bits of the first argument of a call. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + 4)
#endif

/* clone flags that would make a new namespace: never allowed. */
#define SANDBOX_CLONE_NEW                                                              \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWNET)

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

int sandbox_seccomp(plm_error *err)
{
#ifndef SANDBOX_ARCH
	return plm_error_set(err, PLM_ERR_INVALID,
	                     "no system-call list for this architecture; run with "
	                     "--no-seccomp");
#else
	struct sock_filter prog[20 + 2 * (sizeof(allowed) / sizeof(allowed[0]) +
	                                  sizeof(fatal) / sizeof(fatal[0]))];
	struct sock_fprog fprog;
	size_t n = 0, i;
	long r;

	/* The architecture first: a call number means nothing on another. */
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                         offsetof(struct seccomp_data, arch));
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                         offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* The x32 ABI reaches the same calls under numbers with bit 30 set. */
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		                                         (unsigned)fatal[i], 0, 1);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		                                         (unsigned)allowed[i], 0, 1);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	/*
	 * New threads only (daemon/body_digest.c hashes a large upload on one):
	 * clone with CLONE_THREAD and no namespace flag. clone3, whose flags sit
	 * in memory the filter cannot read, fails with ENOSYS: the C library
	 * then falls back to clone.
	 */
#ifdef SYS_clone3
	prog[n++] =
	    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
	prog[n++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
#endif
	prog[n++] =
	    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 5);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
	                                         CLONE_THREAD, 0, 2);
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
	                                         SANDBOX_CLONE_NEW, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SANDBOX_DEFAULT);
	/* prctl(PR_SET_NAME) only: libmicrohttpd names its threads as they start. */
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 3);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_NAME, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SANDBOX_DEFAULT);
	fprog.len = (unsigned short)n;
	fprog.filter = prog;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot set no_new_privs: %s",
		                     strerror(errno));
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_IO,
		                     "cannot install the system-call filter (%s); run with "
		                     "--no-seccomp on this kernel",
		                     r > 0 ? "a thread could not be synchronised" : strerror(errno));
	return 0;
#endif
}
