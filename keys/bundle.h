/*
 * bundle.h - the detached signature bundle of a public disclosure
 * (PROTOCOL.md §10): everything needed to check, offline and with nothing
 * but the root's fingerprint, that a plaintext file is exactly the
 * document the review's members read and that the focal point of the
 * State under review made it public.
 *
 *   magic "PLMBUNDL", u8 version 1, u32 records_len,
 *   records: u16 n, n x (u32 len, record bytes) in the order
 *            root certificate, certificates (1..8), rosters (1..),
 *            disclosure;
 *   u64 envelope_len, then the envelope to the end of the file.
 *
 * The envelope comes last so that a verifier streams it from the file
 * (constant memory) after decoding the records in memory.
 */
#ifndef PLM_BUNDLE_H
#define PLM_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/record.h"

#define PLM_BUNDLE_MAGIC "PLMBUNDL"
#define PLM_BUNDLE_VERSION 1
#define PLM_BUNDLE_HEAD_BYTES 13 /* magic, version, records_len */
#define PLM_BUNDLE_RECORDS_MAX (16u * 1024 * 1024)
#define PLM_BUNDLE_CERTS_MAX 8
#define PLM_BUNDLE_ROSTERS_MAX 1024

typedef struct plm_bundle {
	plm_record *root;                        /* the root certificate */
	plm_record *certs[PLM_BUNDLE_CERTS_MAX]; /* author's, discloser's ... */
	size_t n_certs;
	plm_record **rosters; /* the review's rosters, epoch 1 upwards */
	size_t n_rosters;
	plm_record *disclosure;
	uint64_t envelope_offset; /* where the envelope starts in the file */
	uint64_t envelope_len;
} plm_bundle;

/*
 * From the first PLM_BUNDLE_HEAD_BYTES bytes of a bundle file: how many
 * bytes from the start a reader must pass to plm_bundle_decode
 * (*PREFIX_LEN: through envelope_len). PLM_ERR_FORMAT (not a bundle),
 * PLM_ERR_VERSION, PLM_ERR_LIMIT.
 */
int plm_bundle_prefix_len(const unsigned char head[PLM_BUNDLE_HEAD_BYTES],
                          size_t *prefix_len, plm_error *err);

/*
 * Strict decode of the bundle whose first LEN bytes are IN (at least the
 * prefix, see plm_bundle_prefix_len) and whose file is FILE_SIZE bytes:
 * every record decoded strictly (signatures are the verifier's job), in
 * the order and of the types above, and envelope_len exactly the bytes
 * after the prefix. *OUT (caller frees with plm_bundle_free) on success.
 * Errors name the failing field: PLM_ERR_TRUNCATED, PLM_ERR_FORMAT,
 * PLM_ERR_LIMIT, PLM_ERR_TYPE, PLM_ERR_TRAILING, the records' own.
 */
int plm_bundle_decode(const unsigned char *in, size_t len, uint64_t file_size,
                      plm_bundle **out, plm_error *err);

/*
 * Encodes the prefix of a bundle for RECORDS[0..N) (root certificate,
 * certificates, rosters, disclosure, each already signed) and an envelope
 * of ENVELOPE_LEN bytes that the caller writes right after it. The result
 * is decoded again before it is returned, so that a writer never makes a
 * bundle a reader refuses. *OUT (caller frees with free()) and *OUTLEN.
 */
int plm_bundle_encode_prefix(plm_record *const *records, size_t n,
                             uint64_t envelope_len, unsigned char **out, size_t *outlen,
                             plm_error *err);

void plm_bundle_free(plm_bundle *bundle);

#endif
