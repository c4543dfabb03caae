/*
 * store.h - palermod's metadata store: signed records, envelope metadata and
 * the order of acceptance (the transparency log's leaves), behind a narrow
 * interface so that another backend (PostgreSQL) can be added later. The
 * SQLite backend (store_sqlite.c) runs in WAL mode with synchronous=FULL:
 * a function that returns 0 after adding something has made it durable.
 *
 * The store checks nothing about what it is given: the routes verify first.
 * All functions are safe to call from several threads.
 */
#ifndef PALERMOD_STORE_H
#define PALERMOD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

struct store;

/* What a log leaf points at (PROTOCOL.md §6.6: leaf input = u8 kind || id). */
enum store_entry_kind { STORE_ENTRY_RECORD = 1, STORE_ENTRY_ENVELOPE = 2 };

/* A signed record as stored. REVIEW is "" for deployment-wide records. */
struct store_record {
	unsigned char id[PLM_HASH_BYTES];
	int type;
	char review[65];
	unsigned char subject[PLM_FPR_BYTES]; /* certificates, revocations */
	int has_subject;
	uint64_t epoch;                       /* rosters, epoch keys */
	const unsigned char *bytes;
	size_t len;
	uint64_t seq;                         /* filled by the store */
};

/*
 * An envelope's cleartext metadata as stored (the body is in blobs: a file
 * of its own when PACK is 0, else SIZE bytes at PACK_OFFSET of pack PACK).
 */
struct store_envelope {
	unsigned char id[PLM_HASH_BYTES];
	char review[65];
	char channel[33];
	char kind[33];
	uint64_t epoch;
	unsigned char author[PLM_FPR_BYTES];
	int has_reply;
	unsigned char reply_to[PLM_HASH_BYTES];
	uint64_t created_at;
	uint64_t size;
	uint64_t seq;        /* filled by the store */
	uint64_t accepted_at;
	uint64_t pack;       /* 0: a file of its own (blobs.h) */
	uint64_t pack_offset;
};

int store_open(const char *data_dir, struct store **out, plm_error *err);
void store_close(struct store *s);

/* Small named values (the pinned root fingerprint, ...). */
int store_meta_get(struct store *s, const char *key, unsigned char *buf,
                   size_t cap, size_t *len, plm_error *err);
int store_meta_put(struct store *s, const char *key, const unsigned char *buf,
                   size_t len, plm_error *err);

/*
 * Adds a record and its log leaf in one transaction; fills rec->seq.
 * PLM_ERR_EXISTS (with rec->seq of the stored copy) if the same id is there.
 * For a roster, MEMBERS (N fingerprints) replace the review's membership.
 */
int store_add_record(struct store *s, struct store_record *rec,
                     const unsigned char (*members)[PLM_FPR_BYTES], size_t n,
                     plm_error *err);
/*
 * The newest record of TYPE about SUBJECT (certificates, revocations) or for
 * REVIEW (rosters, epoch keys: the highest epoch). *BYTES is malloc'd, the
 * caller frees. PLM_ERR_NOTFOUND when there is none.
 */
int store_find_subject(struct store *s, int type,
                       const unsigned char subject[PLM_FPR_BYTES],
                       unsigned char **bytes, size_t *len, plm_error *err);
int store_find_latest(struct store *s, int type, const char *review,
                      unsigned char **bytes, size_t *len, uint64_t *epoch,
                      plm_error *err);
/* Calls FN for records of REVIEW ("" = deployment-wide) with seq > AFTER. */
int store_list_records(struct store *s, const char *review, uint64_t after,
                       unsigned limit,
                       int (*fn)(void *ctx, const struct store_record *rec),
                       void *ctx, plm_error *err);
/* Calls FN for the records of TYPE in every review with seq > AFTER. */
int store_list_type(struct store *s, int type, uint64_t after, unsigned limit,
                    int (*fn)(void *ctx, const struct store_record *rec), void *ctx,
                    plm_error *err);
/* 1 if FPR is a member of REVIEW's newest roster. */
int store_is_member(struct store *s, const char *review,
                    const unsigned char fpr[PLM_FPR_BYTES]);
/* Calls FN with each review whose newest roster lists FPR. */
int store_reviews_of(struct store *s, const unsigned char fpr[PLM_FPR_BYTES],
                     int (*fn)(void *ctx, const char *review, uint64_t epoch),
                     void *ctx, plm_error *err);

/* Adds an envelope's metadata and its log leaf; fills env->seq. */
int store_add_envelope(struct store *s, struct store_envelope *env,
                       plm_error *err);
/*
 * Adds the N envelopes of ENVS (their bodies already durable) with their log
 * leaves in ONE transaction, in this order, skipping those whose RESULTS[i]
 * is not 0 on entry; RESULTS[i] becomes 0 (added, envs[i].seq filled) or
 * PLM_ERR_EXISTS (already stored, or earlier in this batch: envs[i].seq is
 * that copy's). Returns non-zero, with nothing added, when the store fails.
 * INSERTED (if not NULL) is called once the rows are in, before the commit
 * that makes them durable: whatever it unlocks cannot come between them
 * and the log, since the next writer waits for that commit.
 */
int store_add_envelopes(struct store *s, struct store_envelope *envs, int *results,
                        size_t n, void (*inserted)(void *ctx), void *ctx,
                        plm_error *err);
int store_get_envelope(struct store *s, const unsigned char id[PLM_HASH_BYTES],
                       struct store_envelope *env, plm_error *err);
/*
 * 1 if envelope ID is recorded, 0 only if it is certainly not: a store
 * failure answers 1, because callers remove the blob of an envelope that
 * is not recorded.
 */
int store_has_envelope(struct store *s, const unsigned char id[PLM_HASH_BYTES]);
int store_list_envelopes(struct store *s, const char *review, uint64_t after,
                         unsigned limit,
                         int (*fn)(void *ctx, const struct store_envelope *env),
                         void *ctx, plm_error *err);

/* The number of entries in the log. */
uint64_t store_log_size(struct store *s);
/*
 * The hash of the log's perfect subtree (LEVEL, INDEX): a leaf hash at level
 * 0, a stored node above (see plm_merkle_subtree_fn). PLM_ERR_NOTFOUND for a
 * subtree not complete yet.
 */
int store_log_subtree(struct store *s, unsigned level, uint64_t index,
                      unsigned char out[PLM_HASH_BYTES], plm_error *err);
/* The log index of the record or envelope ID; PLM_ERR_NOTFOUND if absent. */
int store_log_index(struct store *s, const unsigned char id[PLM_HASH_BYTES],
                    uint64_t *index);
/* Counts for metrics. */
uint64_t store_count_envelopes(struct store *s);
/* The number of reviews that have a roster (0 on a store error). */
uint64_t store_count_reviews(struct store *s);

/*
 * Enrollment (store_enroll.c; docs/API.md "Enrollment", PROTOCOL.md §5.10).
 * An invitation is kept as the hash of its code only; an enrollment request
 * is kept beside the invitation it used up, pending until a certificate
 * for its keys is stored.
 */
struct store_invitation {
	unsigned char hash[PLM_HASH_BYTES];
	char user_id[65];
	char name[129];
	char state[9];
	int usage;                              /* enum plm_cert_usage */
	unsigned char issued_by[PLM_FPR_BYTES]; /* the secretariat key */
	uint64_t issued_at;
	uint64_t expires_at;
	uint64_t used_at;                       /* 0 while unused */
	unsigned char used_by[PLM_FPR_BYTES];   /* the enrolled fingerprint */
};

struct store_enrollment {
	unsigned char invitation[PLM_HASH_BYTES];
	unsigned char fpr[PLM_FPR_BYTES];
	char user_id[65];
	char name[129];
	char state[9];
	uint64_t received_at;
	const unsigned char *bytes; /* the enrollment record */
	size_t len;
};

/* Adds an invitation; PLM_ERR_EXISTS if one has the same hash. */
int store_add_invitation(struct store *s, const struct store_invitation *inv,
                         plm_error *err);
/*
 * Files REQ under its invitation in one transaction: the invitation is
 * marked used by REQ's fingerprint and REQ is stored, or nothing changes.
 * *INV gets the invitation whenever there is one. Refusals, in this order:
 * PLM_ERR_NOTFOUND (no invitation has that hash), PLM_ERR_EXISTS (already
 * used: inv->used_by says by which keys), PLM_ERR_LIMIT (expired: NOW is
 * at or past inv->expires_at), PLM_ERR_MISMATCH (REQ's user id or State
 * differ from the invitation's).
 */
int store_add_enrollment(struct store *s, const struct store_enrollment *req,
                         uint64_t now, struct store_invitation *inv, plm_error *err);
/*
 * Calls FN, oldest first, for each request whose keys have no certificate
 * yet, with its invitation. FN's non-zero return stops the walk.
 */
int store_list_enrollments(struct store *s,
                           int (*fn)(void *ctx, const struct store_enrollment *req,
                                     const struct store_invitation *inv),
                           void *ctx, plm_error *err);
/* 1 if FPR has a request waiting for its certificate, else 0. */
int store_enrollment_pending(struct store *s, const unsigned char fpr[PLM_FPR_BYTES]);

#endif
