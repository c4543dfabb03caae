/*
 * envelope.h - documents: sealing, streaming verification and opening of
 * envelopes (PROTOCOL.md §7).
 *
 * An envelope is one document: a cleartext header (review, channel, epoch,
 * kind, author, document id, reply-to, time, the author's last tree head, the
 * document key wrapped under the channel's epoch key, a commitment to that
 * key, the secretstream header), then frames of secretstream ciphertext (the
 * manifest, then the content in 64 KiB chunks, the last one tagged FINAL),
 * an end marker, and a trailer: the BLAKE2b-256 digest of everything before
 * it (the envelope id) and the author's Ed25519 signature over that digest.
 *
 * Three ways in:
 *  - plm_envelope_seal writes an envelope from a file descriptor, one pass,
 *    constant memory; from 256 KiB on it encrypts and hashes on two cores.
 *  - plm_envelope_reader is a push parser: feed it slices of any size (as an
 *    HTTP upload arrives) and it checks structure, digest and signature
 *    without any key. plm_envelope_verify_fd is the same over a descriptor.
 *  - plm_envelope_open verifies and decrypts, and puts the plaintext on disk
 *    only after everything verified; from 256 KiB on it hashes and decrypts
 *    on two cores.
 */
#ifndef PLM_ENVELOPE_H
#define PLM_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"
#include "keys/manifest.h"
#include "keys/treehead.h"

#define PLM_ENVELOPE_MAGIC "PLME"
#define PLM_ENVELOPE_MAGIC_BYTES 4
#define PLM_ENVELOPE_VERSION 1
#define PLM_ENVELOPE_PREAMBLE_BYTES 7    /* magic, version, header_len */
#define PLM_ENVELOPE_HEADER_LEN_MAX 4096 /* bound on header_len */
#define PLM_ENVELOPE_HEADER_MAX_BYTES                                                  \
	(PLM_ENVELOPE_PREAMBLE_BYTES + PLM_ENVELOPE_HEADER_LEN_MAX)
#define PLM_ENVELOPE_REVIEW_ID_MAX 64
#define PLM_ENVELOPE_NAME_MAX 32 /* channel and kind */
#define PLM_DOCUMENT_ID_BYTES 16
#define PLM_STREAM_HEADER_BYTES 24      /* secretstream header */
#define PLM_STREAM_ABYTES 17            /* secretstream overhead per chunk */
#define PLM_ENVELOPE_CHUNK_BYTES 65536  /* content plaintext per frame */
#define PLM_ENVELOPE_FRAME_HEAD_BYTES 8 /* u32 seq, u32 len */
#define PLM_ENVELOPE_FRAME_MAX (PLM_ENVELOPE_CHUNK_BYTES + PLM_STREAM_ABYTES)
#define PLM_ENVELOPE_MANIFEST_FRAME_MAX (PLM_MANIFEST_MAX_BYTES + PLM_STREAM_ABYTES)
#define PLM_ENVELOPE_TRAILER_BYTES (PLM_HASH_BYTES + PLM_SIG_BYTES) /* 96 */
/* The largest content: frame numbers are u32 and the end marker needs one. */
#define PLM_ENVELOPE_CONTENT_MAX ((uint64_t)(UINT32_MAX - 1) * PLM_ENVELOPE_CHUNK_BYTES)

/*
 * A parsed header (PROTOCOL.md §7.1). RAW holds the header's exact bytes,
 * magic included, so that the wrapped key's associated data can be rebuilt.
 */
typedef struct plm_envelope_header {
	char review_id[PLM_ENVELOPE_REVIEW_ID_MAX + 1];
	char channel[PLM_ENVELOPE_NAME_MAX + 1];
	uint64_t epoch;
	char kind[PLM_ENVELOPE_NAME_MAX + 1];
	unsigned char author[PLM_FPR_BYTES]; /* author's fingerprint */
	unsigned char document_id[PLM_DOCUMENT_ID_BYTES];
	int has_reply;
	unsigned char reply_to[PLM_HASH_BYTES]; /* zero when !has_reply */
	uint64_t created_at;                    /* Unix seconds */
	int has_head;
	plm_tree_head head; /* zero when !has_head */
	unsigned char wrapped_key[PLM_WRAPPED_KEY_BYTES];
	unsigned char key_commitment[PLM_HASH_BYTES];
	unsigned char stream_header[PLM_STREAM_HEADER_BYTES];
	size_t wrapped_key_offset; /* where wrapped_key starts in RAW */
	size_t raw_len;            /* PLM_ENVELOPE_PREAMBLE_BYTES + header_len */
	unsigned char raw[PLM_ENVELOPE_HEADER_MAX_BYTES];
} plm_envelope_header;

/*
 * Decodes a complete header: exactly LEN bytes from the magic through the
 * secretstream header (PROTOCOL.md §7.1, checks in the order of §7.5).
 * PLM_ERR_VERSION (magic, version), PLM_ERR_LIMIT (header_len or a string
 * length out of bounds), PLM_ERR_FORMAT (a field out of its class or range,
 * header_len not equal to the fields' size), PLM_ERR_TRUNCATED (LEN too
 * short for header_len), PLM_ERR_TRAILING (LEN longer), or the error of the
 * embedded tree head's decoding (§6.4).
 */
int plm_envelope_header_decode(plm_envelope_header *h, const unsigned char *in,
                               size_t len, plm_error *err);

/*
 * Unwraps the document key of H with the channel's epoch key CHANNEL_KEY
 * (PROTOCOL.md §7.1). PLM_ERR_KEY when CHANNEL_KEY is not the key the
 * document was sealed under (another epoch or channel) or the header was
 * altered. Does not check the commitment: plm_envelope_check_key does, and
 * plm_envelope_open always does. DOC_KEY should be plm_secret_alloc memory;
 * it is zeroed on failure.
 */
int plm_envelope_unwrap_key(const plm_envelope_header *h,
                            const unsigned char channel_key[PLM_KEY_BYTES],
                            unsigned char doc_key[PLM_KEY_BYTES], plm_error *err);

/*
 * Checks DOC_KEY against H's key commitment; PLM_ERR_COMMITMENT if it is not
 * the key the author committed to. Run it before trusting a document key
 * that came from anywhere (a disclosure record, for instance).
 */
int plm_envelope_check_key(const plm_envelope_header *h,
                           const unsigned char doc_key[PLM_KEY_BYTES], plm_error *err);

/* What plm_envelope_seal needs. Pointers are borrowed for the call. */
typedef struct plm_seal_params {
	const char *review_id;            /* ID, 1..64 */
	const char *channel;              /* NAME, 1..32 */
	uint64_t epoch;                   /* >= 1 */
	const char *kind;                 /* NAME, 1..32 */
	const unsigned char *reply_to;    /* [PLM_HASH_BYTES] or NULL */
	uint64_t created_at;              /* Unix seconds */
	const plm_tree_head *head;        /* author's last head, or NULL */
	const unsigned char *channel_key; /* [PLM_KEY_BYTES] epoch key */
	const plm_identity *author;
	const plm_manifest *manifest; /* ->size: exact bytes of IN_FD */
} plm_seal_params;

/*
 * Seals the bytes read from IN_FD (a file, a pipe: read until end of file)
 * into an envelope written to OUT_FD, in one pass and constant memory, with
 * a fresh random document key and document id. Puts the envelope id (the
 * digest) in ID. IN_FD must yield exactly P->manifest->size bytes: fewer or
 * more is PLM_ERR_MISMATCH and no trailer is written. Other failures:
 * PLM_ERR_INVALID (missing parameter, epoch 0), PLM_ERR_LIMIT/PLM_ERR_FORMAT
 * (a header string or the manifest out of bounds or class), PLM_ERR_IO,
 * PLM_ERR_NOMEM.
 * WARNING: on failure OUT_FD holds a partial envelope without a valid
 * trailer; the caller discards it (every reader would refuse it anyway).
 */
int plm_envelope_seal(int in_fd, int out_fd, const plm_seal_params *p,
                      unsigned char id[PLM_HASH_BYTES], plm_error *err);

/*
 * How plm_envelope_seal_mode and plm_envelope_open_mode spread their work;
 * every mode gives the same bytes and the same errors. PIPELINED runs the
 * work on two cores through a ring of a few frame buffers (memory stays
 * constant): sealing encrypts and writes frame n+1 while a second thread
 * hashes frame n for the trailer's digest; opening reads and hashes frame
 * n+1 while a second thread decrypts and writes frame n.
 */
typedef enum plm_envelope_mode {
	PLM_ENVELOPE_AUTO = 0,  /* pipelined from 256 KiB of content, >= 2 cores */
	PLM_ENVELOPE_SERIAL,    /* one thread */
	PLM_ENVELOPE_PIPELINED, /* two threads whatever the size */
} plm_envelope_mode;

/*
 * plm_envelope_seal with a choice of MODE (tests and benchmarks compare the
 * modes; plm_envelope_seal is PLM_ENVELOPE_AUTO). Same contract and errors.
 */
int plm_envelope_seal_mode(int in_fd, int out_fd, const plm_seal_params *p,
                           plm_envelope_mode mode, unsigned char id[PLM_HASH_BYTES],
                           plm_error *err);

/* Callbacks of the push reader. CTX is the reader's context pointer. */
typedef struct plm_envelope_handlers {
	/*
	 * Required. Called once the header is parsed (not yet authenticated).
	 * Checks what the caller must (the daemon: author, role, review,
	 * channel, epoch) and fills AUTHOR with the public keys of the identity
	 * whose fingerprint is header->author. Returns 0 or a PLM_ERR_* (after
	 * filling ERR), which stops the reader with that code.
	 */
	int (*header)(void *ctx, const plm_envelope_header *header, plm_pubkeys *author,
	              plm_error *err);
	/*
	 * Optional. Called with each complete ciphertext frame in order: SEQ 0
	 * is the manifest, 1.. the content. CIPHERTEXT is valid only during
	 * the call. Not called for the end marker. Non-zero stops the reader.
	 */
	int (*frame)(void *ctx, uint32_t seq, const unsigned char *ciphertext,
	             size_t len, plm_error *err);
} plm_envelope_handlers;

typedef struct plm_envelope_reader plm_envelope_reader;

/*
 * Starts a push reader with HANDLERS (copied) and CTX. Its memory is bounded
 * (one frame, about 70 KiB) whatever the envelope's size. Free it with
 * plm_envelope_reader_free.
 */
int plm_envelope_reader_new(plm_envelope_reader **out,
                            const plm_envelope_handlers *handlers, void *ctx,
                            plm_error *err);
/*
 * Feeds the next LEN bytes (any slicing, even one byte at a time). Returns
 * 0 while everything so far is valid, else the first error (sticky: every
 * later call returns it again). Errors are listed, in the order they are
 * checked, in PROTOCOL.md §7.5; the signature is checked as soon as the
 * trailer is complete, and any byte after it is PLM_ERR_TRAILING.
 */
int plm_envelope_reader_feed(plm_envelope_reader *r, const void *data, size_t len,
                             plm_error *err);
/*
 * Ends the input: 0 and the envelope id in ID when a complete envelope with
 * a valid digest and signature was fed, PLM_ERR_TRUNCATED when the input
 * stopped before the end of the trailer, or the earlier sticky error.
 */
int plm_envelope_reader_finish(plm_envelope_reader *r, unsigned char id[PLM_HASH_BYTES],
                               plm_error *err);
/*
 * From now on, hashes the bytes fed on a thread of its own (through a ring of
 * about 1 MiB) when an envelope of SIZE bytes makes it worth it (two cores,
 * 256 KiB or more), while the caller's thread parses and handles the
 * frames; the digest, the errors and their order are those of one thread.
 * Does nothing when not worth it or without a thread. PLM_ERR_NOMEM.
 */
int plm_envelope_reader_pipeline(plm_envelope_reader *r, uint64_t size, plm_error *err);
/* The parsed header once it has been read, else NULL. Owned by R. */
const plm_envelope_header *plm_envelope_reader_header(const plm_envelope_reader *r);
/* How many bytes the reader has accepted so far. */
uint64_t plm_envelope_reader_offset(const plm_envelope_reader *r);
void plm_envelope_reader_free(plm_envelope_reader *r);

/*
 * An envelope signature known to be valid: SIG, the Ed25519 signature of
 * DIGEST (the envelope's BLAKE2b digest, §7.3) under SIGN_PK. A fact about
 * those bytes only, whoever found it: which key is the author's is still
 * decided by the header callback of the reader that uses it.
 */
typedef struct {
	unsigned char sign_pk[PLM_SIGN_PK_BYTES];
	unsigned char digest[PLM_HASH_BYTES];
	unsigned char sig[PLM_SIG_BYTES];
} plm_envelope_signature;
/*
 * After a successful plm_envelope_reader_finish: the signature R verified,
 * with its key and digest. PLM_ERR_INVALID before.
 */
int plm_envelope_reader_signature(const plm_envelope_reader *r,
                                  plm_envelope_signature *out);
/*
 * KNOWN (kept by the caller while R reads; NULL: none) was verified, e.g.
 * by another reader of the same bytes on another thread: when R's trailer
 * holds this signature of this digest under the key its header callback
 * gave, R does not run Ed25519 again. Every other check stays (digest
 * computed and compared, structure, the header callback's decisions).
 */
void plm_envelope_reader_known(plm_envelope_reader *r, const plm_envelope_signature *known);

/*
 * Writes all N bytes of BUF (envelope bytes) to FD, retrying short writes
 * and EINTR; PLM_ERR_IO naming the failure.
 */
int plm_write_full(int fd, const unsigned char *buf, size_t n, plm_error *err);

/*
 * Pull version of the reader: reads FD to its end and verifies it (no key).
 * Same errors as the reader, plus PLM_ERR_IO.
 */
int plm_envelope_verify_fd(int fd, const plm_envelope_handlers *handlers, void *ctx,
                           unsigned char id[PLM_HASH_BYTES], plm_error *err);

/*
 * The keys the opener needs, asked once the header is parsed: fill AUTHOR
 * with the public keys of header->author and DOC_KEY (plm_secret_alloc
 * memory, owned by the library) with the document key - normally
 * plm_envelope_unwrap_key with the channel's epoch key, or the key of a
 * disclosure. Return 0 or a PLM_ERR_* code after filling ERR.
 */
typedef int (*plm_envelope_keys_fn)(void *ctx, const plm_envelope_header *header,
                                    plm_pubkeys *author,
                                    unsigned char doc_key[PLM_KEY_BYTES],
                                    plm_error *err);

/*
 * Verifies and decrypts the envelope read from IN_FD.
 *
 * The plaintext goes to a new file created beside OUT_PATH (same folder,
 * mode 0600, O_EXCL) that is fsynced and renamed onto OUT_PATH only after the
 * signature verified, the FINAL chunk was seen and the content size equals
 * the manifest's. On any failure the temporary file is removed and an
 * existing OUT_PATH is left as it was. OUT_PATH NULL: decrypt and verify
 * everything but discard the content (to read a title).
 *
 * KEYS (with KEYS_CTX) supplies the author's public keys and the document
 * key; whatever its origin, the key is checked against the header's
 * commitment (PLM_ERR_COMMITMENT). On success: MANIFEST_OUT (may be NULL;
 * should be plm_manifest_new memory) receives the manifest, ID the envelope
 * id. HEADER_OUT (may be NULL) is filled as soon as the header is parsed, so
 * that a caller can name the author of a refused envelope; trust it only
 * when the call returned 0. Errors: those of the reader, plus
 * PLM_ERR_DECRYPT, PLM_ERR_NO_FINAL, PLM_ERR_MISMATCH, PLM_ERR_COMMITMENT,
 * the manifest's decoding errors, and PLM_ERR_IO (PROTOCOL.md §7.5).
 */
int plm_envelope_open(int in_fd, const char *out_path, plm_envelope_keys_fn keys,
                      void *keys_ctx, plm_manifest *manifest_out,
                      plm_envelope_header *header_out, unsigned char id[PLM_HASH_BYTES],
                      plm_error *err);

/*
 * plm_envelope_open with a choice of MODE (plm_envelope_open is
 * PLM_ENVELOPE_AUTO). Same contract and errors, reported in the same order.
 */
int plm_envelope_open_mode(int in_fd, const char *out_path, plm_envelope_keys_fn keys,
                           void *keys_ctx, plm_manifest *manifest_out,
                           plm_envelope_header *header_out, plm_envelope_mode mode,
                           unsigned char id[PLM_HASH_BYTES], plm_error *err);

/*
 * The secure memory an opening needs (stream state, document key, one
 * chunk of plaintext, the manifest: about 70 KiB of sodium_malloc), for a
 * caller that opens many envelopes in turn: a sodium_malloc costs several
 * system calls (guard pages, mprotect, mlock), which a listing of
 * thousands of documents would otherwise pay for each one. Free it with
 * plm_envelope_scratch_free. PLM_ERR_NOMEM.
 */
typedef struct plm_envelope_scratch plm_envelope_scratch;
int plm_envelope_scratch_new(plm_envelope_scratch **out, plm_error *err);
void plm_envelope_scratch_free(plm_envelope_scratch *s);
/*
 * plm_envelope_open_mode in SCRATCH (NULL: its own, allocated and freed by
 * this call), wiped (sodium_memzero) before this returns, whatever the
 * outcome. One thread at a time per SCRATCH. KNOWN (may be NULL): a
 * signature verified already, as plm_envelope_reader_known.
 */
int plm_envelope_open_scratch(plm_envelope_scratch *scratch,
                              const plm_envelope_signature *known, int in_fd,
                              const char *out_path, plm_envelope_keys_fn keys,
                              void *keys_ctx, plm_manifest *manifest_out,
                              plm_envelope_header *header_out, plm_envelope_mode mode,
                              unsigned char id[PLM_HASH_BYTES], plm_error *err);
/*
 * plm_envelope_open_scratch reading the envelope from the LEN bytes at
 * BYTES (NULL only when LEN is 0) instead of a descriptor: the same checks, in the same
 * order, with the same errors (an envelope kept in memory, such as a
 * cached copy in the client's state, needs no memory file).
 */
int plm_envelope_open_bytes(plm_envelope_scratch *scratch,
                            const plm_envelope_signature *known,
                            const unsigned char *bytes, size_t len,
                            const char *out_path, plm_envelope_keys_fn keys,
                            void *keys_ctx, plm_manifest *manifest_out,
                            plm_envelope_header *header_out, plm_envelope_mode mode,
                            unsigned char id[PLM_HASH_BYTES], plm_error *err);

#endif
