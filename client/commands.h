/*
 * commands.h - every palermo command: cmd_NAME in client/cmd_NAME.c, with
 * its usage text usage_NAME (printed by --help and `palermo help NAME`).
 */
#ifndef PALERMO_COMMANDS_H
#define PALERMO_COMMANDS_H

#include "client/cli.h"

#define PALERMO_COMMAND(name)                                                \
	int cmd_##name(struct cli *cli, int argc, char **argv);              \
	extern const char usage_##name[]

PALERMO_COMMAND(init);
PALERMO_COMMAND(whoami);
PALERMO_COMMAND(keys);
PALERMO_COMMAND(sync);
PALERMO_COMMAND(reviews);
PALERMO_COMMAND(status);
PALERMO_COMMAND(roster);
PALERMO_COMMAND(send);
PALERMO_COMMAND(list);
PALERMO_COMMAND(thread);
PALERMO_COMMAND(get);
PALERMO_COMMAND(outbox);
PALERMO_COMMAND(questionnaire);
PALERMO_COMMAND(admin);
PALERMO_COMMAND(report);
PALERMO_COMMAND(doctor);
PALERMO_COMMAND(__complete);
PALERMO_COMMAND(agree);
PALERMO_COMMAND(archive);
PALERMO_COMMAND(disclose);
PALERMO_COMMAND(disclosed);
PALERMO_COMMAND(verify);

#endif
