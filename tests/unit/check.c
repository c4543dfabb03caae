/* check.c - unit-test harness (see check.h). */
#define _GNU_SOURCE
#include "check.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

static const char *current_program;
static const char *current_case;
static int current_failed;
static char tmpdir[4096];

void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (current_failed)
		return;
	current_failed = 1;
	printf("FAIL - %s/%s: %s:%d: ", current_program, current_case, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int check_failed(void)
{
	return current_failed;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *check_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/plm-unit-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	atexit(remove_tmpdir);
	return tmpdir;
}

int check_main(const char *program, const struct check_case *cases, size_t n,
               int argc, char **argv)
{
	size_t i;
	int failures = 0;

	current_program = program;
	for (i = 0; i < n; i++) {
		/* An argument selects a single case by name, for debugging. */
		if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		current_case = cases[i].name;
		current_failed = 0;
		cases[i].fn();
		if (current_failed)
			failures++;
		else
			printf("ok - %s/%s\n", program, cases[i].name);
		fflush(stdout);
	}
	return failures ? 1 : 0;
}
