/*
 * record.h - signed records, the control plane of Palermo (PROTOCOL.md §5).
 *
 * A signed record is a small cleartext object that the server must see to
 * enforce the workflow and that every client verifies itself: certificates,
 * revocations, rosters, epoch keys, disclosures, agreements, stage
 * transitions and enrollment requests. Every type shares one framing
 * (PROTOCOL.md §5.1):
 *
 *   u8  version (1)
 *   u8  type (enum plm_record_type)
 *   u32 body_len (<= PLM_RECORD_BODY_MAX)
 *   [body_len] body (the type's canonical body, PROTOCOL.md §5.2-§5.10)
 *   [32] signer fingerprint
 *   [64] Ed25519 signature over "palermo/v1/<typename>" NUL || every byte
 *        from version through the signer fingerprint
 *
 * and the record id is the BLAKE2b-256 of the complete encoding.
 *
 * Life of a record: a writer fills a plm_record (plm_record_new, or a builder
 * such as plm_epoch_keys_build) and calls plm_record_encode_sign, which checks
 * every rule a decoder checks before it signs. A reader calls
 * plm_record_decode (structure only), then plm_record_verify_signer or
 * plm_record_verify (signature), and only then acts on the content.
 *
 * WARNING: plm_record_decode does not check the signature, and nothing here
 * decides whether the signer may sign that record (root for certificates,
 * rosters and epoch keys, the SUR's focal point for disclosures, ...): that
 * is the caller's job, against the pinned root, the roster and the policy.
 */
#ifndef PLM_RECORD_H
#define PLM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

#define PLM_RECORD_VERSION 1
#define PLM_RECORD_HEADER_BYTES 6 /* version, type, body_len */
#define PLM_RECORD_TRAILER_BYTES (PLM_FPR_BYTES + PLM_SIG_BYTES) /* 96 */
#define PLM_RECORD_BODY_MAX (4u * 1024 * 1024)
#define PLM_RECORD_MAX_BYTES                                                           \
	(PLM_RECORD_HEADER_BYTES + PLM_RECORD_BODY_MAX + PLM_RECORD_TRAILER_BYTES)

/* String bounds of the record bodies (classes in keys/codec.h). */
#define PLM_RECORD_ID_MAX 64    /* ID: user ids, review ids */
#define PLM_RECORD_TEXT_MAX 128 /* TEXT: display names */
#define PLM_RECORD_STATE_MIN 2  /* STATE: ITA, BRA, UNODC ... */
#define PLM_RECORD_STATE_MAX 8
#define PLM_RECORD_NAME_MAX 32 /* NAME: roles, channels, kinds, stages ... */

/* Count bounds. */
#define PLM_ROSTER_INSTRUMENTS_MAX 8
#define PLM_ROSTER_REVIEWING_MAX 4 /* reviewing States per instrument */
#define PLM_ROSTER_LANGUAGES_MAX 3
#define PLM_ROSTER_MEMBERS_MAX 2048
#define PLM_EPOCH_CHANNELS_MAX 16
#define PLM_EPOCH_RECIPIENTS_MAX 2048
#define PLM_HISTORY_KEYS_MAX 4096 /* (epoch, channel) keys in one history grant */

/* The review id reserved for the deployment-wide parties group. */
#define PLM_PARTIES_REVIEW_ID "parties"
/* The one channel of the parties group's epoch keys (§5.12). */
#define PLM_PARTIES_CHANNEL "parties"

/*
 * Record types. To add one: a number here, a body struct in plm_record's
 * union, and one entry in the type table of keys/record.c.
 */
enum plm_record_type {
	PLM_RECORD_CERTIFICATE = 1,
	PLM_RECORD_REVOCATION = 2,
	PLM_RECORD_ROSTER = 3,
	PLM_RECORD_EPOCH_KEYS = 4,
	PLM_RECORD_DISCLOSURE = 5,
	PLM_RECORD_AGREEMENT = 6,
	PLM_RECORD_STAGE = 7,
	PLM_RECORD_ENROLLMENT = 8,
	PLM_RECORD_HISTORY_GRANT = 9,
	PLM_RECORD_PARTIES_ROSTER = 10, /* who is in the parties group (§5.12) */
	/* 11 and up: reserved for later types */
};

/* What a certificate's keys may be used for. */
enum plm_cert_usage {
	PLM_USAGE_MEMBER = 1,
	PLM_USAGE_SECRETARIAT = 2,
	PLM_USAGE_LOG = 3,
	PLM_USAGE_ROOT = 4,
};

enum plm_revocation_reason {
	PLM_REVOKED_KEY_COMPROMISE = 1,
	PLM_REVOKED_DEVICE_LOST = 2,
	PLM_REVOKED_SUPERSEDED = 3,
	PLM_REVOKED_LEFT_OFFICE = 4,
};

enum plm_disclosure_scope {
	PLM_DISCLOSE_PARTIES = 1, /* to every State party, in the parties group */
	PLM_DISCLOSE_PUBLIC = 2,  /* to everyone: the document key in clear */
};

/* PROTOCOL.md §5.2 - signed by the root; the root certificate by itself. */
typedef struct plm_certificate {
	uint64_t serial;
	char user_id[PLM_RECORD_ID_MAX + 1];
	char display_name[PLM_RECORD_TEXT_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	uint8_t usage; /* enum plm_cert_usage */
	plm_pubkeys keys;
	uint64_t not_before; /* Unix seconds, not_before < not_after */
	uint64_t not_after;
} plm_certificate;

/* PROTOCOL.md §5.3 - signed by the root. */
typedef struct plm_revocation {
	uint64_t serial; /* of the revoked certificate */
	unsigned char revoked[PLM_FPR_BYTES];
	uint64_t revoked_at;
	uint8_t reason; /* enum plm_revocation_reason */
} plm_revocation;

typedef struct plm_roster_instrument {
	char name[PLM_RECORD_NAME_MAX + 1];
	uint8_t n_reviewing;
	char reviewing[PLM_ROSTER_REVIEWING_MAX][PLM_RECORD_STATE_MAX + 1];
} plm_roster_instrument;

typedef struct plm_roster_member {
	unsigned char fingerprint[PLM_FPR_BYTES];
	char user_id[PLM_RECORD_ID_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	char role[PLM_RECORD_NAME_MAX + 1];
} plm_roster_member;

/* PROTOCOL.md §5.4 - signed by the root. */
typedef struct plm_roster {
	char review_id[PLM_RECORD_ID_MAX + 1];
	uint64_t epoch;                            /* >= 1 */
	unsigned char prev_roster[PLM_HASH_BYTES]; /* zero iff epoch == 1 */
	unsigned char policy_digest[PLM_HASH_BYTES];
	char sur_state[PLM_RECORD_STATE_MAX + 1];
	char cluster[PLM_RECORD_NAME_MAX + 1];
	uint8_t n_instruments;
	plm_roster_instrument instruments[PLM_ROSTER_INSTRUMENTS_MAX];
	uint8_t n_languages;
	char languages[PLM_ROSTER_LANGUAGES_MAX][3];
	uint16_t n_members;
	plm_roster_member *members; /* owned: plm_roster_members_alloc */
	uint64_t created_at;
} plm_roster;

typedef struct plm_epoch_recipient {
	unsigned char fingerprint[PLM_FPR_BYTES];
	unsigned char sealed_key[PLM_SEALED_KEY_BYTES];
} plm_epoch_recipient;

typedef struct plm_epoch_channel {
	char name[PLM_RECORD_NAME_MAX + 1];
	unsigned char commitment[PLM_HASH_BYTES];
	uint16_t n_recipients;
	plm_epoch_recipient *recipients; /* owned, malloc'ed */
} plm_epoch_channel;

/* PROTOCOL.md §5.5 - signed by the root, beside the roster of the epoch. */
typedef struct plm_epoch_keys {
	char review_id[PLM_RECORD_ID_MAX + 1];
	uint64_t epoch; /* >= 1 */
	unsigned char roster_id[PLM_HASH_BYTES];
	uint8_t n_channels;
	plm_epoch_channel channels[PLM_EPOCH_CHANNELS_MAX];
} plm_epoch_keys;

/* PROTOCOL.md §5.6 - signed by the SUR's focal point. */
typedef struct plm_disclosure {
	char review_id[PLM_RECORD_ID_MAX + 1];
	unsigned char envelope_id[PLM_HASH_BYTES];
	uint8_t scope;          /* enum plm_disclosure_scope */
	uint64_t parties_epoch; /* scope parties only (>= 1), else 0 */
	unsigned char wrapped_key[PLM_WRAPPED_KEY_BYTES]; /* scope parties only */
	unsigned char public_key[PLM_KEY_BYTES]; /* scope public only: in clear */
	uint64_t created_at;
} plm_disclosure;

/* PROTOCOL.md §5.7 - signed by a party's focal point. */
typedef struct plm_agreement {
	char review_id[PLM_RECORD_ID_MAX + 1];
	unsigned char document[PLM_HASH_BYTES]; /* envelope id of the draft */
	char kind[PLM_RECORD_NAME_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	uint64_t created_at;
} plm_agreement;

/* PROTOCOL.md §5.8 - signed by whoever the policy allows (secretariat). */
typedef struct plm_stage {
	char review_id[PLM_RECORD_ID_MAX + 1];
	uint64_t sequence; /* 1 for the first transition, +1 each time */
	char from_stage[PLM_RECORD_NAME_MAX + 1];
	char to_stage[PLM_RECORD_NAME_MAX + 1];
	uint64_t effective_at;
} plm_stage;

/*
 * PROTOCOL.md §5.10 - a request to be certified, signed by the keys it asks
 * a certificate for (proof of possession), bound to one invitation.
 */
typedef struct plm_enrollment {
	char user_id[PLM_RECORD_ID_MAX + 1];
	char display_name[PLM_RECORD_TEXT_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	plm_pubkeys keys;
	uint64_t created_at;
	unsigned char invitation[PLM_HASH_BYTES]; /* plm_invitation_code_hash */
} plm_enrollment;

/* One older channel key re-sealed to a history grant's grantee. */
typedef struct plm_history_key {
	uint64_t epoch; /* 1 .. the grant's epoch - 1 */
	char channel[PLM_RECORD_NAME_MAX + 1];
	unsigned char sealed_key[PLM_SEALED_KEY_BYTES];
} plm_history_key;

/*
 * PROTOCOL.md §5.11 - signed by the root: channel keys of epochs before
 * EPOCH re-sealed to one member of the roster of EPOCH, so that they read
 * what was written before they joined (DESIGN.md §6).
 */
typedef struct plm_history_grant {
	char review_id[PLM_RECORD_ID_MAX + 1];
	uint64_t epoch;                          /* the roster it is issued under */
	unsigned char roster_id[PLM_HASH_BYTES]; /* that roster's record id */
	unsigned char grantee[PLM_FPR_BYTES];
	uint16_t n_keys;
	plm_history_key *keys; /* owned, malloc'ed; by (epoch, channel) */
	uint64_t created_at;
} plm_history_grant;

/*
 * PROTOCOL.md §5.12 - who is in the deployment-wide parties group at one
 * epoch, signed by the root; chained like a review's roster. PREV_KEY is
 * the channel key of epoch - 1 wrapped under this epoch's (all zero for
 * epoch 1), so that every member reads what was disclosed before they
 * joined, and no later key reaches anyone removed.
 */
typedef struct plm_parties_roster {
	uint64_t epoch;                            /* >= 1 */
	unsigned char prev_roster[PLM_HASH_BYTES]; /* zero iff epoch == 1 */
	unsigned char policy_digest[PLM_HASH_BYTES];
	unsigned char prev_key[PLM_WRAPPED_KEY_BYTES]; /* zero iff epoch == 1 */
	uint16_t n_members;
	plm_roster_member *members; /* owned, ascending fingerprints */
	uint64_t created_at;
} plm_parties_roster;

/*
 * One record in memory. TYPE selects the member of BODY. SIGNER, SIGNATURE,
 * ID and ENCODING are set by plm_record_decode and plm_record_encode_sign;
 * ENCODING (owned) is the complete byte string they were made from, kept so
 * that the signature is always verified over the exact bytes received.
 */
typedef struct plm_record {
	uint8_t type; /* enum plm_record_type */
	unsigned char signer[PLM_FPR_BYTES];
	unsigned char signature[PLM_SIG_BYTES];
	unsigned char id[PLM_HASH_BYTES];
	unsigned char *encoding;
	size_t encoding_len;
	union {
		plm_certificate certificate;
		plm_revocation revocation;
		plm_roster roster;
		plm_epoch_keys epoch_keys;
		plm_disclosure disclosure;
		plm_agreement agreement;
		plm_stage stage;
		plm_enrollment enrollment;
		plm_history_grant history_grant;
		plm_parties_roster parties;
	} body;
} plm_record;

/*
 * The review a review record belongs to (roster, epoch keys, disclosure,
 * agreement, stage), or NULL for deployment records (certificate,
 * revocation). Points into RECORD.
 */
const char *plm_record_review(const plm_record *record);

/* The type name used in the signature domain ("roster"), or NULL if unknown. */
const char *plm_record_type_name(int type);

/*
 * Allocates a zeroed record of TYPE for a writer to fill in. Fails with
 * PLM_ERR_TYPE for an unknown type. Caller frees with plm_record_free.
 */
int plm_record_new(plm_record **out, int type, plm_error *err);

/* Frees RECORD, its encoding and the arrays it owns. Accepts NULL. */
void plm_record_free(plm_record *record);

/*
 * Checks every rule of PROTOCOL.md §5 on RECORD as it is in memory (bounds,
 * string classes, orderings, enumerations), and signs it with SIGNER's
 * signing key: fills record->signer, ->signature, ->id and ->encoding. If
 * OUT is not NULL, *OUT gets a copy of the encoding (caller frees with
 * free()) and *OUTLEN its length. Nothing is signed if a rule fails
 * (PLM_ERR_LIMIT, PLM_ERR_FORMAT, PLM_ERR_TYPE, PLM_ERR_INVALID), so an
 * encoder never produces bytes a decoder would refuse.
 */
int plm_record_encode_sign(plm_record *record, const plm_identity *signer,
                           unsigned char **out, size_t *outlen, plm_error *err);

/*
 * Encodes RECORD as it is in memory, with its current signer and signature
 * fields, signing nothing. The same rules as plm_record_encode_sign apply.
 * For a decoded record this gives back exactly the bytes it was decoded
 * from (the canonical property, fuzzed by tests/fuzz/fuzz_record.c). Caller
 * frees *OUT with free().
 */
int plm_record_encode(const plm_record *record, unsigned char **out, size_t *outlen,
                      plm_error *err);

/*
 * Strict decode of the LEN bytes at IN (PROTOCOL.md §5.1): the framing first
 * (PLM_ERR_TRUNCATED, PLM_ERR_VERSION, PLM_ERR_TYPE for an unknown type,
 * PLM_ERR_LIMIT, PLM_ERR_TRAILING), then the body (bounds, classes, ordering:
 * PLM_ERR_LIMIT, PLM_ERR_FORMAT, PLM_ERR_TRUNCATED, PLM_ERR_TRAILING).
 * Computes the record id. Does NOT check the signature. *OUT is a new record
 * the caller frees with plm_record_free, NULL on error.
 */
int plm_record_decode(const unsigned char *in, size_t len, plm_record **out,
                      plm_error *err);

/*
 * Checks RECORD's signature, over its kept encoding and under its own type's
 * domain string, with SIGN_PK. PLM_ERR_SIGNATURE if it does not verify,
 * PLM_ERR_INVALID if the record was never encoded or decoded. This does not
 * check that SIGN_PK belongs to record->signer: prefer
 * plm_record_verify_signer, which does.
 */
int plm_record_verify(const plm_record *record,
                      const unsigned char sign_pk[PLM_SIGN_PK_BYTES], plm_error *err);

/*
 * Checks that record->signer is the fingerprint of SIGNER's public keys
 * (PLM_ERR_MISMATCH otherwise), then the signature (PLM_ERR_SIGNATURE).
 * SIGNER comes from a certificate the caller trusts; a root certificate
 * verifies with its own keys.
 */
int plm_record_verify_signer(const plm_record *record, const plm_pubkeys *signer,
                             plm_error *err);

/* PLM_ERR_TYPE with a sentence unless RECORD is of TYPE. */
int plm_record_expect_type(const plm_record *record, int type, plm_error *err);

/* The fingerprint of the keys a certificate certifies. */
void plm_certificate_fingerprint(unsigned char out[PLM_FPR_BYTES],
                                 const plm_certificate *certificate);

/* The member with FINGERPRINT among N MEMBERS in ascending order, or NULL. */
const plm_roster_member *plm_members_find(uint16_t n, const plm_roster_member *members,
                                          const unsigned char fingerprint[PLM_FPR_BYTES]);

/*
 * Allocates room for N zeroed members in ROSTER (which must have none yet)
 * and sets n_members. N must be 1..PLM_ROSTER_MEMBERS_MAX (PLM_ERR_LIMIT).
 * The members belong to the record and go with plm_record_free.
 */
int plm_roster_members_alloc(plm_roster *roster, size_t n, plm_error *err);

/*
 * Puts ROSTER's lists into their canonical order: instruments by name, each
 * instrument's reviewing States, languages, members by fingerprint.
 * Duplicates stay and are refused by the encoder.
 */
void plm_roster_sort(plm_roster *roster);

/* The member with FINGERPRINT (binary search), or NULL if absent. */
const plm_roster_member *
plm_roster_find_member(const plm_roster *roster,
                       const unsigned char fingerprint[PLM_FPR_BYTES]);

/*
 * Checks that roster record NEXT may follow roster record PREV (PROTOCOL.md
 * §5.4): both rosters (PLM_ERR_TYPE), the same review, SUR and cluster,
 * next epoch = prev epoch + 1 and next prev_roster = PREV's record id
 * (PLM_ERR_MISMATCH with a sentence). Signatures are not checked here.
 */
int plm_roster_check_successor(const plm_record *prev, const plm_record *next,
                               plm_error *err);

/* One channel given to plm_epoch_keys_build. */
typedef struct plm_channel_grant {
	const char *name;              /* NAME, the channel */
	const unsigned char *key;      /* PLM_KEY_BYTES: the fresh channel key */
	const plm_pubkeys *recipients; /* public keys of the channel's audience */
	size_t n_recipients;
} plm_channel_grant;

/*
 * Builds an unsigned epoch_keys record (PROTOCOL.md §5.5): for each of the
 * N_CHANNELS channels, the commitment to its key and the key sealed to each
 * recipient's box_pk under the recipient's fingerprint; channels and
 * recipients sorted. Fails with PLM_ERR_INVALID on a duplicate channel or
 * recipient, PLM_ERR_LIMIT / PLM_ERR_FORMAT on a bound or class. The keys
 * stay the caller's. *OUT (caller frees with plm_record_free) is ready for
 * plm_record_encode_sign.
 */
int plm_epoch_keys_build(plm_record **out, const char *review_id, uint64_t epoch,
                         const unsigned char roster_id[PLM_HASH_BYTES],
                         const plm_channel_grant *channels, size_t n_channels,
                         plm_error *err);

/*
 * Checks that epoch_keys record KEYS goes with roster record ROSTER
 * (PROTOCOL.md §5.5): both of their types (PLM_ERR_TYPE), the same review
 * and epoch, KEYS' roster_id = ROSTER's record id, and every recipient of
 * every channel a member of ROSTER (PLM_ERR_MISMATCH with a sentence).
 * Which members belong in which channel is the policy's question.
 */
int plm_epoch_keys_check_roster(const plm_record *keys, const plm_record *roster,
                                plm_error *err);

/*
 * Opens CHANNEL's key in epoch_keys record RECORD for identity ME: finds the
 * entry sealed to ME's fingerprint, unseals it and checks it against the
 * channel's signed commitment, so that the signer cannot hand different
 * members different keys. *KEY (PLM_KEY_BYTES in plm_secret_alloc memory,
 * caller frees with plm_secret_free) is set only on success.
 * Errors: PLM_ERR_TYPE (not epoch keys), PLM_ERR_NOTFOUND (no such channel,
 * or ME is not a recipient), PLM_ERR_KEY (the entry is not sealed to ME),
 * PLM_ERR_COMMITMENT (the key is not the committed one).
 * WARNING: verify the record's signature before trusting the key.
 */
int plm_epoch_keys_open(const plm_record *record, const char *channel,
                        const plm_identity *me, unsigned char **key, plm_error *err);

/*
 * Checks KEY against the commitment of CHANNEL in epoch_keys record RECORD
 * (PROTOCOL.md §5.5), as a key received some other way than sealed to a
 * member (a history grant, §5.11; a sealed archive, §9). PLM_ERR_TYPE, PLM_ERR_NOTFOUND (no such
 * channel), PLM_ERR_COMMITMENT (not the committed key).
 */
int plm_epoch_keys_check_key(const plm_record *record, const char *channel,
                             const unsigned char key[PLM_KEY_BYTES], plm_error *err);

/*
 * Puts DOCUMENT_KEY into DISCLOSURE (whose review_id, envelope_id and scope
 * are set): wrapped under PARTIES_KEY (the parties group's channel key of
 * parties_epoch) for scope parties, in clear for scope public (PARTIES_KEY
 * unused, may be NULL). PLM_ERR_INVALID on a bad scope or a missing key.
 */
int plm_disclosure_set_key(plm_disclosure *disclosure,
                           const unsigned char document_key[PLM_KEY_BYTES],
                           const unsigned char *parties_key, plm_error *err);

/*
 * The document key a disclosure record RECORD opens: unwrapped with
 * PARTIES_KEY for scope parties (PLM_ERR_INVALID if NULL, PLM_ERR_KEY if it
 * is the wrong key or the wrapped key was moved from another review or
 * document), copied for scope public. *KEY (PLM_KEY_BYTES, plm_secret_alloc
 * memory, caller frees with plm_secret_free) is set only on success.
 * WARNING: check the key against the envelope's signed key commitment
 * before decrypting with it; only that ties it to what the members read.
 */
int plm_disclosure_document_key(const plm_record *record,
                                const unsigned char *parties_key, unsigned char **key,
                                plm_error *err);

/* ---- history grants (PROTOCOL.md §5.11) ------------------------------- */

/*
 * Builds an unsigned history_grant record for the roster record ROSTER
 * (its review, epoch and id) and the member GRANTEE (public keys): the key
 * of channel CHANNELS[i] of epoch EPOCHS[i] (KEYS[i], PLM_KEY_BYTES each)
 * sealed to GRANTEE's box_pk, for i < N, sorted by (epoch, channel).
 * PLM_ERR_INVALID on a duplicate, PLM_ERR_LIMIT / PLM_ERR_FORMAT on a
 * bound or class. The keys stay the caller's. *OUT (caller frees with
 * plm_record_free) is ready for plm_record_encode_sign.
 */
int plm_history_grant_build(plm_record **out, const plm_record *roster,
                            const plm_pubkeys *grantee, const uint64_t *epochs,
                            const char *const *channels,
                            const unsigned char *const *keys, size_t n,
                            uint64_t created_at, plm_error *err);

/*
 * Opens the key of CHANNEL of epoch EPOCH that history_grant record GRANT
 * re-seals to ME, and checks it against the commitment of the verified
 * epoch_keys record EPOCH_KEYS of that epoch, so that the root cannot hand
 * the grantee another key than the members of that epoch hold. *KEY
 * (PLM_KEY_BYTES, plm_secret_alloc memory, caller frees with
 * plm_secret_free) is set only on success. Errors: PLM_ERR_TYPE,
 * PLM_ERR_MISMATCH (EPOCH_KEYS is of another review or epoch),
 * PLM_ERR_NOTFOUND (ME is not the grantee, or no such key in GRANT),
 * PLM_ERR_KEY (not sealed to ME), PLM_ERR_COMMITMENT.
 * WARNING: verify both records (signature, review state) first.
 */
int plm_history_grant_open(const plm_record *grant, uint64_t epoch, const char *channel,
                           const plm_record *epoch_keys, const plm_identity *me,
                           unsigned char **key, plm_error *err);
/* ---- the parties group (PROTOCOL.md §5.12, keys/parties.c) ------------ */

/*
 * Allocates N zeroed members for parties roster P (which has none yet);
 * PLM_ERR_LIMIT outside 1..PLM_ROSTER_MEMBERS_MAX. They go with the record.
 */
int plm_parties_members_alloc(plm_parties_roster *p, size_t n, plm_error *err);

/* Sorts P's members by fingerprint (duplicates stay; the encoder refuses them). */
void plm_parties_sort(plm_parties_roster *p);

/*
 * Checks that parties roster NEXT may follow PREV (both type
 * parties_roster, PLM_ERR_TYPE): next epoch = prev epoch + 1 and
 * prev_roster = PREV's record id (PLM_ERR_MISMATCH). Signatures aside.
 */
int plm_parties_check_successor(const plm_record *prev, const plm_record *next,
                                plm_error *err);

/*
 * Sets P->prev_key: PREV_KEY (the channel key of epoch P->epoch - 1)
 * wrapped under KEY (this epoch's), associated data "palermo/v1/parties-
 * chain" NUL || u64 epoch. P->epoch must be at least 2.
 */
int plm_parties_chain_wrap(plm_parties_roster *p,
                           const unsigned char prev_key[PLM_KEY_BYTES],
                           const unsigned char key[PLM_KEY_BYTES], plm_error *err);

/*
 * The channel key of epoch E - 1 from parties roster RECORD of epoch E and
 * KEY, the channel key of epoch E: *PREV (plm_secret_alloc memory, caller
 * frees with plm_secret_free). PLM_ERR_KEY if it does not unwrap,
 * PLM_ERR_NOTFOUND for epoch 1. WARNING: check the result against the
 * commitment of epoch E - 1 (plm_epoch_keys_check_key) before using it.
 */
int plm_parties_chain_unwrap(const plm_record *record, const unsigned char key[PLM_KEY_BYTES],
                             unsigned char **prev, plm_error *err);


/* ---- enrollment (PROTOCOL.md §5.10) ----------------------------------- */

/* An invitation code: 20 characters of Crockford's base32, shown in groups. */
#define PLM_INVITATION_CODE_CHARS 20
#define PLM_INVITATION_CODE_TEXT_BYTES 25 /* "XXXX-XXXX-XXXX-XXXX-XXXX" NUL */

/*
 * Makes a fresh random invitation code (100 bits from libsodium's random
 * source) as five dash-separated groups of four characters of the alphabet
 * 0123456789ABCDEFGHJKMNPQRSTVWXYZ. PLM_ERR_CRYPTO if libsodium cannot start.
 * WARNING: the code is a one-time secret until it is used: give it to the
 * person out of band, and store or send only its hash.
 */
int plm_invitation_code_new(char out[PLM_INVITATION_CODE_TEXT_BYTES], plm_error *err);

/*
 * The hash of an invitation code as a person typed it (PROTOCOL.md §5.10):
 * spaces and dashes dropped, letters upper-cased, O read as 0 and I or L as
 * 1; then exactly 20 characters of the alphabet must remain (PLM_ERR_FORMAT
 * otherwise). OUT = BLAKE2b-256("palermo/v1/invitation" NUL || the 20
 * characters).
 */
int plm_invitation_code_hash(unsigned char out[PLM_HASH_BYTES], const char *code,
                             plm_error *err);

/*
 * Checks that RECORD is an enrollment (PLM_ERR_TYPE) signed by the very keys
 * it carries: signer = their fingerprint (PLM_ERR_MISMATCH), and the
 * signature verifies under its sign_pk (PLM_ERR_SIGNATURE). This proves
 * that whoever made the request holds the private keys.
 * WARNING: it proves nothing about who that is: only the fingerprint,
 * compared out of band with the person, and the invitation do.
 */
int plm_enrollment_verify(const plm_record *record, plm_error *err);

#endif
