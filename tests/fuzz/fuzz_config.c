/*
 * fuzz_config.c - palermod's configuration loader (daemon/config.c, the
 * keys of docs/API.md §7.2) on any bytes: it never crashes, leaks or loops;
 * a file it refuses leaves a positioned one-sentence error, and a file it
 * accepts gives values inside their documented ranges.
 *
 * config_load reads a path, so each input is written to a memory file and
 * loaded through /proc/self/fd. daemon/config.c is compiled into the target
 * (the fuzz build links only keys/ and policies/).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	plm_error err;
	char path[64];
	int fd, r;

	fd = memfd_create("palermod.yaml", MFD_CLOEXEC);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (config_defaults(&cfg, &err) != 0)
		abort();
	r = config_load(&cfg, path, &err);
	if (r != 0) {
		if (r > 0 || err.message[0] == '\0')
			abort();
	} else if (cfg.clock_skew < 10 || cfg.clock_skew > 3600 || cfg.data_dir == NULL ||
	           (cfg.tls_certificate == NULL) != (cfg.tls_key == NULL)) {
		abort();
	}
	config_free(&cfg);
	close(fd);
	return 0;
}
