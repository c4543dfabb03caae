/*
 * blobs.h - envelope bodies as content-addressed files (DESIGN.md §10).
 *
 * Layout under the data folder:
 *   blobs/ab/abcdef...   one file per envelope, named by the hex of its id
 *   packs/00000001.pack  small envelopes, appended back to back (group commit)
 *   uploads/<owner>-<upload id>   uploads in progress (resumable)
 *
 * An upload is appended to under its own name, fsynced before any partial
 * progress is acknowledged, and committed by fsync + rename into blobs/ +
 * fsync of both folders, so a committed blob is complete on disk before the
 * metadata row that makes it visible is committed. Nothing under uploads/
 * is ever served.
 *
 * Small envelopes sent whole in one request skip uploads/ (docs/ARCHITECTURE.md
 * "Group commit"): a batch of them is appended to the current pack with one
 * fdatasync, and each is then known by (pack, offset, size) in its metadata
 * row, committed after the fdatasync. Bytes of a pack that no row points at
 * (a batch cut by a crash before its commit, an envelope refused at the
 * commit) are never served; packs are never rewritten.
 *
 * This is the blob half of the storage interface; another backend (an
 * S3-compatible store) would implement the same functions.
 */
#ifndef PALERMOD_BLOBS_H
#define PALERMOD_BLOBS_H

#include <stdint.h>

#include "daemon/store.h"
#include "keys/crypto.h"
#include "keys/error.h"

#define BLOB_UPLOAD_ID_BYTES 16

struct blobs;
struct upload;

/* Opens (creating 0700 folders as needed) the blob store under DATA_DIR. */
int blobs_open(const char *data_dir, struct blobs **out, plm_error *err);
void blobs_close(struct blobs *b);

/*
 * Opens the upload UPLOAD_ID of OWNER, creating it if absent, and locks it
 * for this request alone; *OFFSET is the number of bytes already stored (0
 * for a new upload). PLM_ERR_EXISTS while another request holds it (a
 * resume racing a request that is still running). The caller frees with
 * upload_close (which keeps the bytes for a later resume and unlocks).
 */
int upload_open(struct blobs *b, const unsigned char owner[PLM_FPR_BYTES],
                const unsigned char upload_id[BLOB_UPLOAD_ID_BYTES],
                struct upload **out, uint64_t *offset, plm_error *err);
/*
 * How many bytes of OWNER's upload UPLOAD_ID are stored (0 if there is no
 * such upload; nothing is created). PLM_ERR_EXISTS while a request holds it.
 */
int upload_stat(struct blobs *b, const unsigned char owner[PLM_FPR_BYTES],
                const unsigned char upload_id[BLOB_UPLOAD_ID_BYTES], uint64_t *offset,
                plm_error *err);
/* A read-only descriptor of the bytes stored so far (to re-verify on resume). */
int upload_reader(struct upload *u, int *fd, plm_error *err);
/* Appends LEN bytes (not yet durable). */
int upload_append(struct upload *u, const void *data, size_t len, plm_error *err);
/* Cuts the upload back to its first SIZE bytes (a request refused late). */
int upload_truncate(struct upload *u, uint64_t size, plm_error *err);
/* Makes what was appended durable (fsync). */
int upload_sync(struct upload *u, plm_error *err);
/* Current length. */
uint64_t upload_size(const struct upload *u);
/*
 * Moves the complete upload into blobs/ as ID: fsync, rename, fsync folders.
 * After success the upload is gone; upload_close still must be called.
 */
int upload_commit(struct upload *u, const unsigned char id[PLM_HASH_BYTES],
                  plm_error *err);
/* Deletes the upload's bytes (a failed verification). */
void upload_discard(struct upload *u);
void upload_close(struct upload *u);

/*
 * Opens the bytes of the stored envelope ENV (as the store gives it: its id,
 * and its pack and pack_offset when it is packed) for reading: they are the
 * *SIZE bytes of *FD from *OFFSET on (0 for an envelope in a file of its
 * own). Caller closes *FD; read with pread or sendfile at the offset.
 */
int blob_open(struct blobs *b, const struct store_envelope *env, int *fd,
              uint64_t *offset, uint64_t *size, plm_error *err);
/* One small envelope of a batch for pack_append. */
struct pack_item {
	const unsigned char *bytes;
	size_t len;
	uint64_t offset; /* filled by pack_append */
};
/*
 * Appends the N envelopes of ITEMS to the current pack and makes them durable
 * with one fdatasync (starting a new pack, created and its folder fsynced,
 * when the current one is full); *PACK gets the pack's number (>= 1) and each
 * item its offset. One caller at a time (the group committer, commit.c).
 */
int pack_append(struct blobs *b, struct pack_item *items, size_t n, uint64_t *pack,
                plm_error *err);
/* Counts BYTES as stored (metrics): packed envelopes just recorded. */
void blobs_count(struct blobs *b, uint64_t bytes);
/* Removes blob ID (an envelope refused after its bytes were committed). */
int blob_remove(struct blobs *b, const unsigned char id[PLM_HASH_BYTES]);
/* Total bytes of committed blobs (for metrics), computed at open and kept. */
uint64_t blobs_bytes(const struct blobs *b);

/*
 * Start-up sweep: calls KEEP(ctx, id) for every committed blob and removes
 * those it answers 0 for (blobs renamed into place whose row never
 * committed); removes uploads untouched for MAX_AGE seconds. Packs are
 * kept whole (their size counts in blobs_bytes).
 */
int blobs_sweep(struct blobs *b, int (*keep)(void *ctx, const unsigned char id[32]),
                void *ctx, uint64_t max_age, unsigned *removed, plm_error *err);

#endif
