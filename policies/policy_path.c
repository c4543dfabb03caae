/*
 * policy_path.c - where the policy file is when nobody says: the daemon and
 * the client must find the same one, so this is the only place that knows.
 */
#define _GNU_SOURCE
#include "policies/policy.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PLM_POLICY_DIR
#define PLM_POLICY_DIR "/usr/local/share/palermo"
#endif

int plm_policy_locate(char *out, size_t cap, plm_error *err)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	const char *env = getenv("PALERMO_POLICY");
	ssize_t n;
	int w;

	if (env != NULL && *env != '\0')
		w = snprintf(out, cap, "%s", env);
	else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		path[0] = '\0';
		if (n > 0) {
			exe[n] = '\0';
			snprintf(path, sizeof(path), "%s/../policies/untoc.yaml", dirname(exe));
		}
		if (path[0] != '\0' && access(path, R_OK) == 0)
			w = snprintf(out, cap, "%s", path);
		else
			w = snprintf(out, cap, "%s/untoc.yaml", PLM_POLICY_DIR);
	}
	if (w < 0 || (size_t)w >= cap)
		return plm_error_set(err, PLM_ERR_INVALID, "the policy path is too long");
	return 0;
}
