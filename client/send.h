/*
 * send.h - sealing a document and its attachments for a review, shared by
 * `palermo send` (cmd_send.c, which implements it) and the commands that
 * send a document of their own (`palermo questionnaire submit`).
 */
#ifndef PALERMO_SEND_H
#define PALERMO_SEND_H

#include "client/cli.h"

/*
 * Runs `palermo send` with the arguments ARGV (ARGV[0] the command name,
 * then what usage_send describes), adding the manifest field FIELD = VALUE
 * to the main document when FIELD is not NULL (a kind-specific field such
 * as "submission" = "final"). Every check of `palermo send` applies: the
 * membership, the policy, the sizes, the types of the files. Returns the
 * command's exit code; the messages are printed.
 */
int send_document(struct cli *cli, int argc, char **argv, const char *field,
                  const char *value);

#endif
