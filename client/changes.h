/*
 * changes.h - the membership history of a review as this client verified
 * it (DESIGN.md §5): every roster, with who was added, removed or changed
 * role, who signed it and when, and every history grant (PROTOCOL.md
 * §5.11), in log order, from the local state (no network). Shown by
 * `palermo roster` and `palermo status`; `palermo sync` shows the same as
 * it arrives (client/cmd_sync.c).
 */
#ifndef PALERMO_CHANGES_H
#define PALERMO_CHANGES_H

#include <jansson.h>

#include "client/cli.h"
#include "keys/record.h"

/*
 * The history of REVIEW into *OUT (caller owns it): [{"epoch", "seq",
 * "created_at", "signed_by", "changes": [reader_change_json...], "grants":
 * [history_grant_json...]}], one entry per roster, each grant under the
 * roster it was issued under. *NEWEST (if not NULL) gets the newest roster
 * (caller frees with plm_record_free). PLM_ERR_NOTFOUND when no roster of
 * REVIEW is stored here; PLM_ERR_CORRUPT for a damaged stored record.
 */
int changes_history(struct cli *cli, const char *review, json_t **out,
                    plm_record **newest, plm_error *err);

/* Prints HISTORY (from changes_history) for people, indented under TITLE. */
void changes_print(struct cli *cli, const char *title, json_t *history);

#endif
