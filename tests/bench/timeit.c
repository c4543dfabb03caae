/*
 * timeit.c - runs a command and reports its wall time and peak resident
 * memory (wait4 rusage), for make bench:
 *
 *   timeit OUT COMMAND [ARGS...]
 *
 * appends "SECONDS MAXRSS_KIB" (microsecond resolution) to the file OUT and
 * exits with the command's status (128 + signal if it was killed). The
 * command's own output goes where timeit's goes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: timeit OUT COMMAND [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0) {
		perror("timeit: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("timeit: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((out = fopen(argv[1], "a")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(out, "%.6f %ld\n",
	        (double)(t1.tv_sec - t0.tv_sec) +
	            (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	        ru.ru_maxrss);
	fclose(out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
