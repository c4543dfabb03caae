/*
 * sync.h - `palermo sync`: send what waits in the outbox, then fetch and
 * verify everything new on the server (DESIGN.md §5-§9, docs/API.md).
 *
 * Everything the server sends is checked here before it is stored, in the
 * log's order (seq), exactly as the daemon checked it when it accepted it:
 *
 *  - the log's signed head (PROTOCOL.md §6.7, client/logcheck.c): signed by
 *    the root-certified log key, consistent with the head kept from the
 *    last sync (else a rollback or fork: the run stops, nothing accepted),
 *    and every item below must be included in it at its seq;
 *  - deployment records (certificates, revocations): decoded strictly,
 *    signed by the pinned root;
 *  - each review's records: decoded strictly, signed by the root (rosters,
 *    epoch keys) or by a member's certified, unrevoked key, then run through
 *    policies/review.c (plm_review_apply) on the review's state as it stands
 *    at that point of the log;
 *  - each envelope: downloaded into cache/ (resumable), verified without a
 *    key (structure, digest, the author's signature with the author's
 *    certificate), its header checked with plm_review_check_envelope
 *    against the review's state at its seq.
 *
 * What fails is not stored (a refused envelope is remembered with status
 * refused and the reason) and is reported through the observer; what
 * verified is kept. The module prints nothing: cmd_sync.c decides what the
 * user sees. The functions named state_* are the SQL of this area
 * (client/state_sync.c), shared with the reader.
 */
#ifndef PALERMO_SYNC_H
#define PALERMO_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "client/cli.h"
#include "client/state.h"
#include "keys/envelope.h"
#include "keys/record.h"

/* The pseudo review under which deployment records are reported. */
#define SYNC_DEPLOYMENT "deployment"

/* How a member differs between two rosters. */
enum sync_change {
	SYNC_ADDED = 1,   /* on the new roster only */
	SYNC_REMOVED = 2, /* on the old roster only */
	SYNC_CHANGED = 3, /* on both, with another role or State */
};

/* What sync tells its caller while it works. Every callback is optional. */
struct sync_observer {
	void *ctx;
	/*
	 * Something failed verification and was not accepted: REVIEW (or
	 * SYNC_DEPLOYMENT), its log index SEQ (-1 if unknown), WHAT it was
	 * ("roster", "envelope 3f2a9c...") and the sentence saying what failed.
	 */
	void (*refused)(void *ctx, const char *review, int64_t seq, const char *what,
	                const char *problem);
	/*
	 * A verified roster NEXT replaced PREV (NULL before the first) in
	 * REVIEW at log index SEQ; SIGNER is the certificate that signed it.
	 * Use sync_roster_diff to name who was added, removed or changed.
	 */
	void (*roster)(void *ctx, const char *review, int64_t seq,
	               const plm_record *prev, const plm_record *next,
	               const plm_certificate *signer);
	/*
	 * REVIEW is known here but the server no longer lists it for me: the
	 * server shows a review only to the members of its newest roster, so
	 * I was most likely removed (the roster that removed me is not shown
	 * to me), or the server hides it.
	 */
	void (*unlisted)(void *ctx, const char *review);
	/*
	 * A verified history grant GRANT (PROTOCOL.md §5.11) joined REVIEW at
	 * log index SEQ: GRANTEE (on the review's roster) received the keys of
	 * earlier epochs; SIGNER is the certificate that signed it.
	 */
	void (*grant)(void *ctx, const char *review, int64_t seq, const plm_record *grant,
	              const plm_roster_member *grantee, const plm_certificate *signer);
	/*
	 * A verified parties roster NEXT replaced PREV (NULL before the
	 * first) at log index SEQ, signed by SIGNER (client/parties.c).
	 */
	void (*parties)(void *ctx, int64_t seq, const plm_record *prev,
	                const plm_record *next, const plm_certificate *signer);
};

/* What one sync did. */
struct sync_result {
	size_t sent;         /* outbox items the server accepted */
	size_t queued;       /* outbox items still waiting */
	size_t certificates; /* new certificates and revocations */
	size_t records;      /* new review records */
	size_t documents;    /* new envelopes that verified */
	size_t refused;      /* items that failed verification */
	size_t reviews;      /* reviews synced */
	size_t records_sent;   /* queued signed records the server accepted */
	size_t records_queued; /* queued signed records still waiting */
};

/*
 * Runs one sync for the unlocked identity of CLI (cli_unlock first): the
 * queued signed records (client/outbox_records.h), the outbox, then
 * deployment records, then every review the server lists for
 * me, all merged in log order up to the log's size when the sync started.
 * Returns 0 when the run went through, even if items were refused
 * (RESULT->refused counts them; the observer named each). Errors stop the
 * run, keeping what was verified so far: PLM_ERR_NET (the server cannot be
 * reached: sync again later, downloads resume), PLM_ERR_DENIED (the server
 * refused us), PLM_ERR_IO / PLM_ERR_CORRUPT (the local state).
 */
int sync_run(struct cli *cli, const struct sync_observer *obs,
             struct sync_result *result, plm_error *err);

/*
 * Calls FN for every member who differs between roster PREV (NULL: an
 * empty roster) and NEXT, in fingerprint order: BEFORE is the member on
 * PREV (NULL if added), AFTER on NEXT (NULL if removed).
 */
typedef void (*sync_change_fn)(void *ctx, enum sync_change change,
                               const plm_roster_member *before,
                               const plm_roster_member *after);
void sync_roster_diff(const plm_roster *prev, const plm_roster *next, sync_change_fn fn,
                      void *ctx);

/*
 * Decodes the record of a listing element ELEM ({"seq", "id", "record"}):
 * base64, strict decoding, and the id listed must be the record's. *OUT
 * (plm_record_free) on success.
 */
int sync_decode_listed_record(const json_t *elem, plm_record **out, plm_error *err);

/* ---- the local state of this area (client/state_sync.c) --------------- */

/* Envelope status in the local state. */
enum {
	ENVELOPE_VERIFIED = 1,
	ENVELOPE_REFUSED = 2,
};

/* One envelope's metadata as stored (from its verified header). */
struct stored_envelope {
	unsigned char id[PLM_HASH_BYTES];
	char review[PLM_ENVELOPE_REVIEW_ID_MAX + 1];
	int64_t seq;
	char channel[PLM_ENVELOPE_NAME_MAX + 1];
	char kind[PLM_ENVELOPE_NAME_MAX + 1];
	uint64_t epoch;
	unsigned char author[PLM_FPR_BYTES];
	int has_reply;
	unsigned char reply_to[PLM_HASH_BYTES];
	uint64_t created_at;
	uint64_t size;
	int status; /* ENVELOPE_VERIFIED or ENVELOPE_REFUSED */
	char problem[PLM_ERROR_MESSAGE_MAX];
};

/*
 * Where the sync of REVIEW stands: the log index of the last record and of
 * the last envelope handled (-1: none yet). REVIEW NULL: the deployment
 * records. A review not known yet gives -1, -1.
 */
int state_sync_cursor(struct state *st, const char *review, int64_t *records_after,
                      int64_t *envelopes_after, plm_error *err);
/* Moves REVIEW's cursors (creating its row); NULL: the deployment cursor (records
 * only). */
int state_sync_set_cursor(struct state *st, const char *review, int64_t records_after,
                          int64_t envelopes_after, plm_error *err);

/* The reviews known here, in id order: FN(CTX, id) for each (non-zero stops). */
int state_reviews_each(struct state *st, int (*fn)(void *ctx, const char *review),
                       void *ctx, plm_error *err);

/* Stores verified review record RECORD of REVIEW at log index SEQ. */
int state_record_add(struct state *st, const char *review, int64_t seq,
                     const plm_record *record, plm_error *err);
/*
 * The id of the record stored at REVIEW's SEQ into ID; PLM_ERR_NOTFOUND if
 * none is stored there.
 */
int state_record_id_at(struct state *st, const char *review, int64_t seq,
                       unsigned char id[PLM_HASH_BYTES], plm_error *err);
/*
 * Calls FN for REVIEW's stored records of TYPE (0: every type) in log
 * order with their exact bytes (valid during the call). Non-zero from FN
 * stops and is returned.
 */
int state_records_each(struct state *st, const char *review, int type,
                       int (*fn)(void *ctx, int64_t seq, const unsigned char *bytes,
                                 size_t len),
                       void *ctx, plm_error *err);

/* Stores an envelope's metadata (insert or replace). */
int state_envelope_add(struct state *st, const struct stored_envelope *env,
                       plm_error *err);
/* The stored envelope ID; PLM_ERR_NOTFOUND if unknown here. */
int state_envelope_get(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                       struct stored_envelope *out, plm_error *err);
/*
 * The stored envelope whose hex id starts with PREFIX (4 to 64 hex digits,
 * either case). PLM_ERR_INVALID for a malformed prefix, PLM_ERR_NOTFOUND if
 * none, PLM_ERR_MISMATCH if several match (the sentence asks for more
 * digits).
 */
int state_envelope_find(struct state *st, const char *prefix,
                        struct stored_envelope *out, plm_error *err);
/*
 * Remembers that the server acknowledged the upload of envelope ID of
 * REVIEW at log index SEQ, until a sync checks it (state_acks_missing).
 */
int state_ack_add(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                  const char *review, int64_t seq, plm_error *err);
/*
 * Calls FN for each acknowledged upload of REVIEW that no stored envelope
 * is (the server dropped it), then forgets REVIEW's acknowledgements. Run
 * when a sync has handled everything of REVIEW up to its head.
 */
int state_acks_missing(struct state *st, const char *review,
                       void (*fn)(void *ctx, const unsigned char id[PLM_HASH_BYTES],
                                  const char *review, int64_t seq),
                       void *ctx, plm_error *err);
/* Calls FN for each stored envelope of REVIEW in log order (non-zero stops). */
int state_envelopes_each(struct state *st, const char *review,
                         int (*fn)(void *ctx, const struct stored_envelope *env),
                         void *ctx, plm_error *err);

#endif
