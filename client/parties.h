/*
 * parties.h - the parties group as this client verifies it (PROTOCOL.md
 * §5.12): its records fetched and checked at `palermo sync` (root
 * signature, log inclusion, policies/parties.c in log order, my key
 * against its commitment, the chain of keys), kept under the pseudo review
 * `parties` in the local state; and my key of any epoch, opened from what
 * was sealed to me, walking the chain down from a later epoch if I joined
 * later. The keys stay sealed in the records: nothing else is stored.
 */
#ifndef PALERMO_PARTIES_H
#define PALERMO_PARTIES_H

#include <jansson.h>
#include <stdint.h>

#include "client/cli.h"
#include "client/sync.h"
#include "keys/treehead.h"
#include "policies/parties.h"

struct parties_sync;

/*
 * Starts the parties part of one sync run: the group's state replayed from
 * what is stored, and *AFTER, the log index of the last record handled
 * (-1: none). Refusals go to OBS, counts to RES. Free with parties_sync_end.
 */
int parties_sync_begin(struct cli *cli, const struct sync_observer *obs,
                       struct sync_result *res, struct parties_sync **out,
                       int64_t *after, plm_error *err);
/*
 * Handles the group's record listed as ELEM at log index SEQ (in log
 * order, below HEAD): verified, included in HEAD, applied, stored with the
 * cursor; or refused (reported, not stored). Returns 0 unless the run must
 * stop (the network, the local state).
 */
int parties_sync_item(struct parties_sync *ps, const json_t *elem, int64_t seq,
                      const plm_tree_head *head, plm_error *err);
void parties_sync_end(struct parties_sync *ps);

/*
 * The group as verified here: the stored records replayed. An empty group
 * if none is stored. Caller frees *OUT with plm_parties_free.
 */
int parties_local(struct cli *cli, plm_parties **out, plm_error *err);

/*
 * My channel key of the parties group at EPOCH (cli_unlock first): opened
 * from the first epoch at or after EPOCH whose keys were sealed to me,
 * then unwrapped down the chain, each step checked against the commitment
 * of its epoch. *KEY is plm_secret_alloc memory (plm_secret_free).
 * PLM_ERR_NOTFOUND when I was in no epoch from EPOCH on.
 */
int parties_key(struct cli *cli, uint64_t epoch, unsigned char **key, plm_error *err);

#endif
