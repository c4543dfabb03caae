/*
 * record_body.h - internal to the signed-record module (keys/record.c and
 * the per-type files certificate.c, roster.c, epoch_keys.c, disclosure.c,
 * workflow.c, enrollment.c, history_grant.c). Not part of the public API:
 * use keys/record.h.
 *
 * Each record type provides four functions over its body, listed in the
 * type table of record.c:
 *   check   - every rule of its PROTOCOL.md section on the body in memory
 *             (bounds, string classes, orderings, enumerations); used by the
 *             encoder before it writes and by the decoder after it reads, so
 *             the two can never disagree;
 *   encode  - writes the canonical body (after check succeeded);
 *   decode  - reads the body's fields, checking counts before allocating;
 *   free    - releases the arrays the body owns (may be NULL).
 */
#ifndef PLM_RECORD_BODY_H
#define PLM_RECORD_BODY_H

#include "keys/codec.h"
#include "keys/record.h"

struct plm_record_body_ops {
	int type;
	const char *name; /* the domain type name: "roster" */
	int (*check)(const plm_record *record, plm_error *err);
	void (*encode)(plm_wbuf *b, const plm_record *record);
	void (*decode)(plm_rbuf *r, plm_record *record);
	void (*free)(plm_record *record);
};

/*
 * Checks the in-memory string S (an array of CAP bytes) for field FIELD of
 * a WHAT body: NUL-terminated inside the array and MINLEN..MAXLEN bytes long
 * (PLM_ERR_LIMIT), of class CLS (PLM_ERR_FORMAT).
 */
int plm_record_check_str(plm_error *err, const char *what, const char *field,
                         const char *s, size_t cap, size_t minlen, size_t maxlen,
                         enum plm_str_class cls);

/* The same for a review id, which must also not be the reserved "parties". */
int plm_record_check_review_id(plm_error *err, const char *what, const char *s,
                               size_t cap);

/* Shorthands for the string fields of the bodies. */
#define PLM_CHECK_STR(err, what, field, s, minlen, maxlen, cls)                        \
	plm_record_check_str((err), (what), (field), (s), sizeof(s), (minlen),         \
	                     (maxlen), (cls))

/* Reads a str8 of class CLS into the array FIELD_ARRAY (bounds from its size). */
#define PLM_READ_STR8(r, field, minlen, maxlen, cls, array)                            \
	plm_rbuf_str((r), (field), 1, (minlen), (maxlen), (cls), (array), sizeof(array))

/* 1 if all N bytes at P are zero. */
int plm_record_is_zero(const unsigned char *p, size_t n);

/*
 * Fails R with PLM_ERR_TRUNCATED unless COUNT entries of at least
 * MIN_ENTRY_BYTES each can still follow, so that a decoder never allocates
 * for entries the input cannot hold. Returns the cursor's status.
 */
int plm_record_need(plm_rbuf *r, const char *field, size_t count,
                    size_t min_entry_bytes);

/*
 * A member list as rosters (§5.4) and the parties roster (§5.12) carry it:
 * u16 count, then fingerprint, user_id, state, role each (roster.c).
 */
int plm_members_check(const char *what, uint16_t n, const plm_roster_member *members,
                      plm_error *err);
void plm_members_encode(plm_wbuf *b, uint16_t n, const plm_roster_member *members);
/* Reads the count and the members into a new array (*MEMBERS, malloc'ed). */
int plm_members_decode(plm_rbuf *r, uint16_t *n, plm_roster_member **members);

/* Per-type body functions (see the struct above). */
int plm_certificate_body_check(const plm_record *record, plm_error *err);
void plm_certificate_body_encode(plm_wbuf *b, const plm_record *record);
void plm_certificate_body_decode(plm_rbuf *r, plm_record *record);

int plm_revocation_body_check(const plm_record *record, plm_error *err);
void plm_revocation_body_encode(plm_wbuf *b, const plm_record *record);
void plm_revocation_body_decode(plm_rbuf *r, plm_record *record);

int plm_roster_body_check(const plm_record *record, plm_error *err);
void plm_roster_body_encode(plm_wbuf *b, const plm_record *record);
void plm_roster_body_decode(plm_rbuf *r, plm_record *record);
void plm_roster_body_free(plm_record *record);

int plm_epoch_keys_body_check(const plm_record *record, plm_error *err);
void plm_epoch_keys_body_encode(plm_wbuf *b, const plm_record *record);
void plm_epoch_keys_body_decode(plm_rbuf *r, plm_record *record);
void plm_epoch_keys_body_free(plm_record *record);

int plm_disclosure_body_check(const plm_record *record, plm_error *err);
void plm_disclosure_body_encode(plm_wbuf *b, const plm_record *record);
void plm_disclosure_body_decode(plm_rbuf *r, plm_record *record);

int plm_agreement_body_check(const plm_record *record, plm_error *err);
void plm_agreement_body_encode(plm_wbuf *b, const plm_record *record);
void plm_agreement_body_decode(plm_rbuf *r, plm_record *record);

int plm_stage_body_check(const plm_record *record, plm_error *err);
void plm_stage_body_encode(plm_wbuf *b, const plm_record *record);
void plm_stage_body_decode(plm_rbuf *r, plm_record *record);

int plm_history_grant_body_check(const plm_record *record, plm_error *err);
void plm_history_grant_body_encode(plm_wbuf *b, const plm_record *record);
void plm_history_grant_body_decode(plm_rbuf *r, plm_record *record);
void plm_history_grant_body_free(plm_record *record);

int plm_enrollment_body_check(const plm_record *record, plm_error *err);
void plm_enrollment_body_encode(plm_wbuf *b, const plm_record *record);
void plm_enrollment_body_decode(plm_rbuf *r, plm_record *record);

int plm_parties_roster_body_check(const plm_record *record, plm_error *err);
void plm_parties_roster_body_encode(plm_wbuf *b, const plm_record *record);
void plm_parties_roster_body_decode(plm_rbuf *r, plm_record *record);
void plm_parties_roster_body_free(plm_record *record);

#endif
