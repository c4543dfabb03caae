/*
 * archive.h - the sealed archive of one review (PROTOCOL.md §9): a single
 * file holding the review's certificates, revocations and records, its
 * envelopes exactly as stored, a signed log head with an inclusion proof of
 * every entry, the policy file, and the review's channel keys sealed to an
 * archive key; signed as a whole by the secretariat member who sealed it.
 *
 * Both directions stream: the writer copies envelopes in chunks and hashes
 * as it writes; the reader pulls one item at a time from a file descriptor,
 * hashes as it reads and hands envelope bytes to a caller's sink, so an
 * archive of any size is written and read in constant memory (one record,
 * at most 4 MiB, or one 64 KiB chunk at a time; the policy file, at most
 * 1 MiB, is kept for the whole read).
 *
 * This module checks the format: structure, bounds, the order of sections
 * and log indexes, the chain of log indexes (a missing entry is named), the
 * digest and the archive's signature. What the entries mean (certificates
 * chaining to the root, the head's signature by the log key, the review's
 * state machine, every inclusion proof) is checked by the reader's caller
 * with keys/ and policies/ (client/archive_check.c).
 */
#ifndef PLM_ARCHIVE_H
#define PLM_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/envelope.h"
#include "keys/error.h"
#include "keys/merkle.h"
#include "keys/record.h"
#include "keys/treehead.h"

#define PLM_ARCHIVE_MAGIC "PLMA"
#define PLM_ARCHIVE_MAGIC_BYTES 4
#define PLM_ARCHIVE_VERSION 1
#define PLM_ARCHIVE_POLICY_MAX (1024u * 1024) /* bytes of the policy file */
#define PLM_ARCHIVE_RECORD_MIN 102            /* the smallest record, §5.1 */
#define PLM_ARCHIVE_ENVELOPE_MIN 8            /* bound for the length field only */
#define PLM_ARCHIVE_ENVELOPE_MAX ((uint64_t)1 << 62)
#define PLM_ARCHIVE_TRAILER_BYTES (PLM_HASH_BYTES + PLM_SIG_BYTES) /* 96 */
#define PLM_ARCHIVE_SIGN_TYPE "archive"

/* The item tags, in the order their sections must appear (§9.2). */
enum plm_archive_tag {
	PLM_ARCHIVE_END = 0,         /* the end of the items, then the trailer */
	PLM_ARCHIVE_DEPLOYMENT = 1,  /* a certificate or revocation, with its proof */
	PLM_ARCHIVE_CHANNEL_KEY = 2, /* one channel key sealed to the archive key */
	PLM_ARCHIVE_RECORD = 3,      /* a record of the review, with its proof */
	PLM_ARCHIVE_ENVELOPE = 4,    /* an envelope of the review, with its proof */
};

/* The archive's header (§9.1). */
typedef struct plm_archive_header {
	char review_id[PLM_RECORD_ID_MAX + 1];
	uint64_t sealed_at; /* Unix seconds */
	unsigned char sealer[PLM_FPR_BYTES];
	unsigned char root[PLM_FPR_BYTES];
	unsigned char archive_pk[PLM_BOX_PK_BYTES];
	plm_tree_head head;
	const unsigned char *policy; /* the policy file's bytes (borrowed or reader's) */
	size_t policy_len;
} plm_archive_header;

/* One item as read (§9.2). Pointers are the reader's, valid until the next call. */
typedef struct plm_archive_item {
	int tag;            /* enum plm_archive_tag */
	uint64_t number;    /* its position among the archive's items, from 0 */
	uint64_t offset;    /* the byte of the file where the item starts */
	uint64_t length;    /* its bytes, an envelope's included */
	uint64_t seq;       /* log entries: the log index */
	plm_merkle_proof proof;          /* log entries: inclusion in the head */
	const unsigned char *record;     /* DEPLOYMENT, RECORD: the record's bytes */
	size_t record_len;
	uint64_t envelope_len;           /* ENVELOPE: bytes to read with _envelope */
	uint64_t epoch;                  /* CHANNEL_KEY */
	char channel[PLM_RECORD_NAME_MAX + 1];
	unsigned char sealed_key[PLM_SEALED_KEY_BYTES];
} plm_archive_item;

/* The name of a tag for messages ("certificate or revocation", "envelope"...). */
const char *plm_archive_tag_name(int tag);

/* ---- writing ----------------------------------------------------------- */

typedef struct plm_archive_writer plm_archive_writer;

/*
 * Starts an archive on FD (written from its current position) with the
 * header H (H->policy borrowed for the call). *OUT: free with
 * plm_archive_writer_free. The writer refuses, with the reader's error,
 * everything a reader would refuse: items out of section order, log
 * indexes not strictly ascending, a log index at or beyond the head.
 */
int plm_archive_writer_new(plm_archive_writer **out, int fd, const plm_archive_header *h,
                           plm_error *err);
/* A certificate or revocation (TAG DEPLOYMENT) or a review record (TAG RECORD). */
int plm_archive_write_record(plm_archive_writer *w, int tag, uint64_t seq,
                             const plm_merkle_proof *proof, const unsigned char *record,
                             size_t len, plm_error *err);
/* The channel key KEY of CHANNEL at EPOCH, sealed now to the archive key. */
int plm_archive_write_channel_key(plm_archive_writer *w, uint64_t epoch,
                                  const char *channel,
                                  const unsigned char key[PLM_KEY_BYTES], plm_error *err);
/*
 * An envelope of LEN bytes read from IN_FD (copied in 64 KiB chunks; an
 * input shorter or longer than LEN is PLM_ERR_IO).
 */
int plm_archive_write_envelope(plm_archive_writer *w, uint64_t seq,
                               const plm_merkle_proof *proof, int in_fd, uint64_t len,
                               plm_error *err);
/*
 * Writes the end item and the trailer: the digest of every byte before it
 * and SEALER's signature over it (type "archive"). SEALER's fingerprint
 * must be the header's sealer (PLM_ERR_MISMATCH).
 */
int plm_archive_writer_finish(plm_archive_writer *w, const plm_identity *sealer,
                              plm_error *err);
void plm_archive_writer_free(plm_archive_writer *w);

/* ---- reading ----------------------------------------------------------- */

typedef struct plm_archive_reader plm_archive_reader;

/*
 * Reads and decodes the header from FD (strictly, §9.1). *OUT: free with
 * plm_archive_reader_free. Errors as §2.3, PLM_ERR_VERSION for another
 * magic or version, and §6.4's for the head (its signature is the
 * caller's: it needs the log key's certificate).
 */
int plm_archive_reader_new(plm_archive_reader **out, int fd, plm_error *err);
/* The decoded header (owned by R). */
const plm_archive_header *plm_archive_reader_header(const plm_archive_reader *r);

/*
 * Reads the next item into *ITEM: 1 for an item, 0 when the end item and
 * the trailer have been read and the digest matches (nothing may follow),
 * or a negative PLM_ERR_* whose sentence names the item by its number and
 * log index. After an ENVELOPE item, call plm_archive_reader_envelope
 * before the next item.
 */
int plm_archive_reader_next(plm_archive_reader *r, plm_archive_item *item,
                            plm_error *err);

/*
 * Sink for an envelope's bytes as they are read (optional): non-zero stops.
 */
typedef int (*plm_archive_sink_fn)(void *ctx, const unsigned char *bytes, size_t len,
                                   plm_error *err);

/*
 * Streams the current ENVELOPE item's bytes through the key-less envelope
 * reader (keys/envelope.h) with HANDLERS and CTX, and to SINK (SINK_CTX)
 * if given; on success ID is the envelope id (§7.3). The envelope must
 * end exactly at its length: an envelope cut short or with bytes after its
 * signature is refused with the envelope reader's error.
 */
int plm_archive_reader_envelope(plm_archive_reader *r,
                                const plm_envelope_handlers *handlers, void *ctx,
                                plm_archive_sink_fn sink, void *sink_ctx,
                                unsigned char id[PLM_HASH_BYTES], plm_error *err);

/*
 * After plm_archive_reader_next returned 0: the archive's digest, and the
 * check of its signature with the public keys SEALER (whose fingerprint
 * must be the header's sealer: PLM_ERR_MISMATCH; a bad signature is
 * PLM_ERR_SIGNATURE).
 */
void plm_archive_reader_digest(const plm_archive_reader *r,
                               unsigned char digest[PLM_HASH_BYTES]);
int plm_archive_reader_verify(const plm_archive_reader *r, const plm_pubkeys *sealer,
                              plm_error *err);
void plm_archive_reader_free(plm_archive_reader *r);

/*
 * Opens a CHANNEL_KEY item with the archive key ARCHIVE (an identity whose
 * box key pair is the archive key): PLM_ERR_KEY when ARCHIVE is not the
 * archive key of the header H, or the sealed key does not open. *KEY is
 * plm_secret_alloc memory (plm_secret_free).
 */
int plm_archive_open_channel_key(const plm_archive_header *h,
                                 const plm_archive_item *item,
                                 const plm_identity *archive, unsigned char **key,
                                 plm_error *err);

/*
 * Checks a log entry's inclusion proof against HEAD: the leaf of KIND
 * (PLM_LOG_RECORD, PLM_LOG_ENVELOPE) and ID at the item's log index.
 */
int plm_archive_check_inclusion(const plm_tree_head *head, const plm_archive_item *item,
                                int kind, const unsigned char id[PLM_HASH_BYTES],
                                plm_error *err);

#endif
