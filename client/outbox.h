/*
 * outbox.h - sealed envelopes waiting to be sent (DESIGN.md §11, offline
 * first).
 *
 * Every write is sealed into $PALERMO_HOME/outbox/ and recorded in the
 * local state BEFORE any network call, so that a write succeeds with the
 * server down and nothing is lost when the connection drops or the
 * program is killed. outbox_flush (run by `palermo send` and `palermo
 * sync`) then uploads each item, oldest first:
 *
 *  - each item has a random upload id fixed when it is queued, so every
 *    attempt resumes the same upload (transport_upload: HEAD, then PUT
 *    from Upload-Offset) instead of starting a second copy;
 *  - an item leaves the outbox only when the server answered 201 (stored)
 *    or 200 (it already had that envelope: an earlier attempt got through
 *    but its answer was lost) - so each envelope is delivered exactly once;
 *  - a network failure (or a 5xx) keeps the item and its error for the
 *    next sync;
 *  - a refusal (4xx: not allowed, too large, invalid, sealed for a roster
 *    epoch that has passed) marks the item refused with the server's
 *    reason. Before each upload the item is also checked against the
 *    review as this client last verified it (the same rules as the
 *    server's): one that can no longer join the review (its epoch has
 *    passed, the stage has moved on, the author's role changed) is
 *    refused here with the rule, without an upload. A refused item is not retried: the
 *    user reads why in `palermo outbox` and drops it (`palermo outbox drop
 *    ID`) or, once the cause is fixed, queues it again (`palermo outbox
 *    retry ID`).
 *
 * The outbox holds ciphertext only: envelopes exactly as the server will
 * store them.
 */
#ifndef PALERMO_OUTBOX_H
#define PALERMO_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "client/cli.h"
#include "client/transport.h"
#include "keys/envelope.h"

/* One queued envelope. */
struct outbox_item {
	unsigned char id[PLM_HASH_BYTES]; /* envelope id; the file is outbox/<hex id> */
	char review[PLM_ENVELOPE_REVIEW_ID_MAX + 1];
	char channel[PLM_ENVELOPE_NAME_MAX + 1];
	char kind[PLM_ENVELOPE_NAME_MAX + 1];
	unsigned char upload_id[TRANSPORT_UPLOAD_ID_BYTES];
	uint64_t size;                          /* bytes of the sealed envelope */
	int64_t queued_at;                      /* Unix seconds */
	unsigned attempts;                      /* uploads tried so far */
	char last_error[PLM_ERROR_MESSAGE_MAX]; /* "" when none */
	int refused;                            /* the server refused it: not retried */
};

/*
 * Queues the sealed envelope in the file SEALED_PATH (which must be in
 * this home's outbox/ folder, so that the move is a rename on one file
 * system) under its id ID: fsyncs it, renames it to outbox/<hex id>,
 * fsyncs the folder, and records it with a fresh random upload id. When it
 * returns 0 the item survives a crash. A caller that queues several
 * envelopes which belong together (a document and its attachments) wraps
 * the calls in state_begin/state_commit: then none or all are queued.
 * PLM_ERR_EXISTS if that envelope is already queued, PLM_ERR_IO otherwise.
 */
int outbox_add(struct cli *cli, const char *review, const char *channel,
               const char *kind, const char *sealed_path,
               const unsigned char id[PLM_HASH_BYTES], plm_error *err);

/*
 * Sends what is queued, oldest first (needs cli_open_state and cli_unlock:
 * the uploads are signed). *SENT: items delivered now; *LEFT: items still
 * in the outbox afterwards (refused ones included). Items the server
 * refuses are marked refused and reported on stderr, one sentence each
 * (cli_warn), and the others are still sent. Returns 0 when every item was
 * delivered or refused, PLM_ERR_NET (ERR says why: the server cannot be
 * reached) when the rest stays queued for the next sync, or a local error
 * (PLM_ERR_IO). If another palermo process is sending the outbox right
 * now, returns 0 at once and leaves everything to it.
 */
int outbox_flush(struct cli *cli, unsigned *sent, unsigned *left, plm_error *err);

/*
 * Everything queued, oldest first: *ITEMS (free with free(), may be NULL
 * when *N is 0) of *N items. REVIEW non-NULL: that review's only.
 */
int outbox_list(struct cli *cli, const char *review, struct outbox_item **items,
                size_t *n, plm_error *err);

/* The queued item ID into OUT; PLM_ERR_NOTFOUND when it is not queued. */
int outbox_get(struct cli *cli, const unsigned char id[PLM_HASH_BYTES],
               struct outbox_item *out, plm_error *err);

/*
 * The one queued item whose hex id starts with PREFIX (at least 4 hex
 * digits) into OUT. PLM_ERR_NOTFOUND when none, PLM_ERR_INVALID when
 * PREFIX is not hex or matches several items.
 */
int outbox_find(struct cli *cli, const char *prefix, struct outbox_item *out,
                plm_error *err);

/* Discards the queued item ID: its record, then its file. */
int outbox_drop(struct cli *cli, const unsigned char id[PLM_HASH_BYTES],
                plm_error *err);

/* Queues a refused item again (clears the refusal; attempts are kept). */
int outbox_retry(struct cli *cli, const unsigned char id[PLM_HASH_BYTES],
                 plm_error *err);

/* ---- the local records of this area (client/state_outbox.c) ---------- */

struct state;

/* Records ITEM (attempts 0, no error). PLM_ERR_EXISTS if its id is queued. */
int state_outbox_insert(struct state *st, const struct outbox_item *item,
                        plm_error *err);
/* ITEM ID into OUT; PLM_ERR_NOTFOUND when not queued. */
int state_outbox_get(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                     struct outbox_item *out, plm_error *err);
/* The item whose lower-case hex id starts with HEX_PREFIX (checked by the caller). */
int state_outbox_find(struct state *st, const char *hex_prefix, struct outbox_item *out,
                      plm_error *err);
/* All items (REVIEW's only if non-NULL), oldest first; *ITEMS from malloc. */
int state_outbox_list(struct state *st, const char *review, struct outbox_item **items,
                      size_t *n, plm_error *err);
/* One more attempt, ending with PROBLEM (NULL: none). */
int state_outbox_attempt(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                         const char *problem, plm_error *err);
/* Marks ID refused by the server for REASON (also its last error). */
int state_outbox_refuse(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                        const char *reason, plm_error *err);
/* Clears ID's refusal. PLM_ERR_NOTFOUND if it was not refused. */
int state_outbox_unrefuse(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                          plm_error *err);
/* Forgets ID (its refusal too). PLM_ERR_NOTFOUND if it was not queued. */
int state_outbox_delete(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                        plm_error *err);

#endif
