/*
 * archive_state.h - the local state `palermo archive seal` reads besides
 * what client/sync.h and client/local.h offer (client/state_archive.c).
 */
#ifndef PALERMO_ARCHIVE_STATE_H
#define PALERMO_ARCHIVE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "client/state.h"
#include "keys/record.h"

/*
 * Calls FN for every stored certificate, then every stored revocation,
 * each in log order: TYPE (PLM_RECORD_CERTIFICATE or _REVOCATION), the
 * fingerprint it certifies or revokes, its log index (-1 if it came another
 * way, as the root certificate from init) and its exact bytes (valid during
 * the call). Non-zero from FN stops and is returned (FN reports it).
 */
int state_deployment_each(struct state *st,
                          int (*fn)(void *ctx, int type, const unsigned char *fpr,
                                    int64_t seq, const unsigned char *bytes, size_t len),
                          void *ctx, plm_error *err);

#endif
