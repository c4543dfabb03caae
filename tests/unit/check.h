/*
 * check.h - the smallest unit-test harness that does the job.
 *
 * A test program lists its cases in a table and calls check_main. Each case
 * prints one line, "ok - <program>/<case>" or "FAIL - <program>/<case>:
 * file:line: what", which tests/run.sh counts. A case stops at its first
 * failed CHECK.
 */
#ifndef PLM_CHECK_H
#define PLM_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

/* Marks the running case failed (first failure only) and prints why. */
void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 1 if the running case has failed already. */
int check_failed(void);
/* Runs CASES (N of them) named under PROGRAM; returns the exit status. */
int check_main(const char *program, const struct check_case *cases, size_t n,
               int argc, char **argv);
/* A fresh empty directory under $TMPDIR for this process; removed at exit. */
const char *check_tmpdir(void);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			check_fail(__FILE__, __LINE__, "%s", #cond);         \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                      \
	do {                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_) {                                  \
			check_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
			           #a, check_a_, #b, check_b_);              \
			return;                                              \
		}                                                            \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)
#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

#define CHECK_CASE(fn) {#fn, fn}
#define CHECK_MAIN(program, cases)                                           \
	int main(int argc, char **argv)                                      \
	{                                                                    \
		return check_main(program, cases,                            \
		                  sizeof(cases) / sizeof(cases[0]), argc, argv); \
	}

#endif
