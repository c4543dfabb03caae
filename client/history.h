/*
 * history.h - history grants as a member holds them (PROTOCOL.md §5.11,
 * DESIGN.md §6): the channel keys of epochs before I joined a review,
 * re-sealed to me by the root, each checked against the commitment of its
 * own epoch's verified epoch-keys record before it is used. The records
 * themselves were verified by sync (signature, policies/review.c) and are
 * read from the local state.
 */
#ifndef PALERMO_HISTORY_H
#define PALERMO_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "client/cli.h"
#include "keys/record.h"

/*
 * My key of CHANNEL in the epoch of EPOCH_KEYS (the verified epoch-keys
 * record of that epoch of REVIEW), from a stored history grant to me, checked
 * against EPOCH_KEYS' commitment. *KEY is plm_secret_alloc memory
 * (plm_secret_free). PLM_ERR_NOTFOUND, with a sentence saying why and what
 * to do, when no grant gives it to me; PLM_ERR_COMMITMENT when a grant
 * gives another key than that epoch's members hold.
 */
int history_channel_key(struct cli *cli, const char *review, const char *channel,
                        const plm_record *epoch_keys, unsigned char **key,
                        plm_error *err);

/*
 * Checks every key of history grant GRANT (to me) against the stored epoch
 * keys of its epoch; FN(CTX, WHAT, PROBLEM) for each that fails. Returns 0,
 * or a local-state error.
 */
int history_check_mine(struct cli *cli, const plm_record *grant,
                       void (*fn)(void *ctx, const char *what, const char *problem),
                       void *ctx, plm_error *err);

/*
 * The epochs of GRANT as a reader says them: "epoch 2", "epochs 1-3",
 * "epochs 1, 3-4"; cut short with "..." if CAP is too small.
 */
void history_epochs_text(const plm_history_grant *grant, char *out, size_t cap);
/* The same for the N EPOCHS given, in ascending order (repeats allowed). */
void history_epochs_format(const uint64_t *epochs, size_t n, char *out, size_t cap);

/*
 * GRANT for people: "it-fp-neri (ITA) as focal_point received the history of
 * epochs 1-2"; GRANTEE is the member it was for (NULL: "a member").
 */
void history_grant_line(const plm_record *grant, const plm_roster_member *grantee,
                        char *out, size_t cap);
/*
 * The same as JSON: {"review", "seq", "epoch", "user_id", "state", "role",
 * "epochs": [N...], "granted_by", "created_at"} (who fields absent when
 * GRANTEE is NULL). Caller owns the result.
 */
json_t *history_grant_json(const plm_record *grant, const plm_roster_member *grantee,
                           const char *granted_by, int64_t seq);

#endif
