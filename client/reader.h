/*
 * reader.h - opening the envelopes that sync verified and cached
 * (PROTOCOL.md §7), for `palermo list`, `thread` and `get`.
 *
 * An envelope is opened with plm_envelope_open, which verifies everything
 * again (structure, digest, the author's signature, the document key
 * against its signed commitment, the FINAL chunk, the size) and writes the
 * plaintext to the destination only once all of it verified. The keys come
 * from what this client verified itself:
 *
 *  - the author's public keys from the author's certificate
 *    (local_certificate: signed by the pinned root);
 *  - the document key unwrapped with my key of the envelope's channel at
 *    the envelope's epoch (local_channel_key: from the verified epoch-keys
 *    record, checked against its commitment), or else from a disclosure
 *    record of the review: public, or to the parties group with my key of
 *    the group (client/parties.c). Reviews I am not on: client/disclosed.h.
 *
 * A reader also names people: who a fingerprint is in a review (user id,
 * State, role), from the review's verified rosters.
 *
 * WARNING: a manifest is decrypted plaintext; keep it in plm_manifest_new
 * memory. Call reader_json_wipe first in a command that puts titles into
 * JSON, so that jansson's copies are wiped when freed.
 */
#ifndef PALERMO_READER_H
#define PALERMO_READER_H

#include <stdint.h>

#include "client/cli.h"
#include "client/sync.h"
#include "keys/envelope.h"
#include "keys/manifest.h"

struct reader;

/* Who a fingerprint is in a review, from its verified rosters. */
struct reader_person {
	char user_id[PLM_RECORD_ID_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	char role[PLM_RECORD_NAME_MAX + 1];
	int on_roster; /* 1: on the newest roster; 0: only on an older one */
};

/*
 * The stored envelope whose id starts with PREFIX (state_envelope_find),
 * verified when it was synced, into ENV. Returns 0, or prints why not and
 * returns the exit status: 2 for a malformed or ambiguous prefix, 3 when it
 * failed verification, 6 when it is not known here; with NOTFOUND_QUIET, an
 * unknown id returns -1 and prints nothing (the caller looks elsewhere).
 */
int reader_find_verified(struct cli *cli, const char *prefix, int notfound_quiet,
                         struct stored_envelope *env);

/*
 * A reader of REVIEW for CLI (state open; cli_unlock before reader_open).
 * Loads the review's rosters to name people. PLM_ERR_NOTFOUND when the
 * review is not known here. Free with reader_free.
 */
int reader_new(struct cli *cli, const char *review, struct reader **out,
               plm_error *err);
void reader_free(struct reader *rd);

/*
 * Opens the cached envelope ENV (a stored envelope of the reader's review):
 * verifies and decrypts it into OUT_PATH (NULL: verify and decrypt, keep
 * only the manifest). MANIFEST (plm_manifest_new memory, may be NULL) gets
 * the manifest on success. Errors:
 *  - PLM_ERR_POLICY: sync refused this envelope (ERR gives its reason), or,
 *    with MANIFEST, it breaks a rule only members can check: marked as the
 *    final submission by someone who may not make it (policies/submission.h;
 *    whatever was written to OUT_PATH is removed);
 *  - PLM_ERR_NOTFOUND: I hold no key to it (not in its channel's audience
 *    at its epoch, and no disclosure), or the cached file is missing;
 *  - PLM_ERR_MISMATCH: the cached file is not the envelope listed;
 *  - any verification error of plm_envelope_open (the cache was damaged
 *    or tampered with since sync verified it);
 *  - PLM_ERR_IO.
 * After a success, reader_warning gives a sentence the user should read
 * ("" if none): e.g. that the author's certificate was revoked since.
 */
int reader_open(struct reader *rd, const struct stored_envelope *env,
                const char *out_path, plm_manifest *manifest, plm_error *err);
const char *reader_warning(const struct reader *rd);
/*
 * For a reader about to open the review's documents in log order (a
 * listing): a thread checks the signatures of their cached copies ahead,
 * on the second core (client/sig_ahead.h); reader_open still checks
 * everything else itself. Does nothing on one core or if it cannot start.
 */
void reader_check_ahead(struct reader *rd);

/* What reader_try made of one envelope. */
enum reader_outcome {
	READER_OPENED = 1,     /* verified and decrypted: the manifest is filled */
	READER_REFUSED = 2,    /* sync refused it (ERR: why) */
	READER_UNREADABLE = 3, /* I hold no key to it (ERR: why) */
	READER_DAMAGED = 4,    /* it no longer verifies, or cannot be read (ERR: why) */
};

/*
 * reader_open without a destination, sorted into the four outcomes above,
 * for listings: MANIFEST is filled only for READER_OPENED.
 */
enum reader_outcome reader_try(struct reader *rd, const struct stored_envelope *env,
                               plm_manifest *manifest, plm_error *err);

/*
 * An envelope's verified metadata as JSON (no plaintext): {"id", "seq",
 * "created_at", "author": {"fingerprint", "user_id", "state", "role"},
 * "kind", "channel", "epoch", "reply_to" (or null), "size"}.
 */
json_t *reader_entry_json(const struct reader *rd, const struct stored_envelope *env);
/*
 * The same as one line for people, without the title:
 * "3f2a9c0d1e2f  2026-03-01 14:05  ita-fp (ITA, focal_point)  question  review".
 */
void reader_entry_line(const struct reader *rd, const struct stored_envelope *env,
                       char *out, size_t cap);
/*
 * Adds MANIFEST's title, file_name, mime, language, size ("content_size")
 * and kind-specific fields ("fields": {KEY: VALUE}) to ENTRY.
 */
void reader_manifest_json(json_t *entry, const plm_manifest *manifest);

/*
 * Who FPR is in the reader's review: from the newest roster that lists it.
 * PLM_ERR_NOTFOUND if no roster of the review ever listed it.
 */
int reader_person(const struct reader *rd, const unsigned char fpr[PLM_FPR_BYTES],
                  struct reader_person *out);

/*
 * One roster change as a line for people: "+ fra-fp (FRA) as focal_point",
 * "- ita-fp (ITA) as focal_point", "~ ita-expert (ITA): expert -> focal_point".
 */
void reader_change_line(enum sync_change change, const plm_roster_member *before,
                        const plm_roster_member *after, char *out, size_t cap);
/*
 * The same as JSON: {"change": "added"|"removed"|"changed", "user_id",
 * "state", "role", "fingerprint", and "from_role"/"from_state" when changed}.
 */
json_t *reader_change_json(enum sync_change change, const plm_roster_member *before,
                           const plm_roster_member *after);
/*
 * A copy of ROSTER's members in display order: the State under review,
 * the reviewing States, the secretariat; then by State, role and user id.
 * *OUT is malloc'ed (caller frees). PLM_ERR_NOMEM.
 */
int reader_sorted_members(const plm_roster *roster, plm_roster_member **out);
/* A roster member as JSON: {"user_id", "state", "role", "side", "fingerprint"}. */
json_t *reader_member_json(const plm_roster *roster, const plm_roster_member *m);

/*
 * My fingerprint: from the unlocked identity if CLI has one, else from the
 * public half of the keystore, without a passphrase.
 * WARNING: the second is for display only (whose role to show): never
 * decide anything about trust with it (see plm_keystore_read_public).
 */
int reader_my_fingerprint(struct cli *cli, unsigned char fpr[PLM_FPR_BYTES],
                          plm_error *err);

/* "2026-03-01 14:05" (UTC) for Unix seconds T. */
void reader_date(uint64_t t, char out[32]);

/*
 * Makes jansson wipe every block it frees, for commands that put decrypted
 * titles and file names into JSON. Call before any JSON is made.
 */
void reader_json_wipe(void);

#endif
