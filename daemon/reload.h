/*
 * reload.h - SIGHUP: re-read the configuration file and the policy while
 * palermod keeps serving (docs/API.md §7.4). What can change live is
 * applied; what needs a restart is named in the log and kept as it was;
 * a file that does not load changes nothing.
 */
#ifndef PALERMOD_RELOAD_H
#define PALERMOD_RELOAD_H

#include "daemon/server.h"

/* How palermod was started: the file to re-read and the command-line overrides. */
struct reload_source {
	const char *config_path;   /* NULL: no file (defaults only) */
	int data_overridden;       /* --data given */
	int listen_overridden;     /* --listen given */
	int port_overridden;       /* --port given */
};

/*
 * Re-reads SRC's configuration and the policy it names and applies them to
 * SRV. Logs one line saying what changed, or why nothing did. 0 when
 * applied (possibly with settings that wait for a restart), -1 when
 * refused (the old configuration and policy stay in force).
 */
int reload_apply(struct server *srv, const struct reload_source *src);

/* Frees the policies replaced by reloads (call after http_stop). */
void reload_free(void);

#endif
