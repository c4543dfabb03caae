/*
 * httpsig.h - request signatures (PROTOCOL.md §8): the one RFC 9421 profile
 * that authenticates every request a client sends to the relay, and the
 * RFC 9530 Content-Digest field that binds the request body to it.
 *
 * The client signs with plm_httpsig_sign; the daemon parses the two header
 * values with plm_httpsig_parse, checks the time window with
 * plm_httpsig_check_time, looks the signer up by keyid, verifies with
 * plm_httpsig_verify, and checks the body it streamed in against the
 * Content-Digest with plm_content_digest_check. The nonce replay cache is the
 * daemon's, not this module's.
 *
 * Everything here is strict: a parser accepts exactly the bytes that
 * plm_httpsig_serialize / plm_content_digest_format produce and nothing else,
 * so one signed request has exactly one spelling.
 */
#ifndef PLM_HTTPSIG_H
#define PLM_HTTPSIG_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "keys/crypto.h"
#include "keys/error.h"
#include "keys/sha256.h"

/* "sha-256=:" + 44 characters of base64 + ":" + NUL */
#define PLM_CONTENT_DIGEST_BYTES 55
/* Longest Signature-Input, Signature or Content-Digest value accepted. */
#define PLM_HTTPSIG_HEADER_MAX 1024
/* Buffer for a Signature-Input value this module writes (228 + NUL fit). */
#define PLM_HTTPSIG_INPUT_MAX 256
/* Buffer for a Signature value: "sig1=:" + 88 characters + ":" + NUL. */
#define PLM_HTTPSIG_SIG_MAX 96
/* Nonce: 16 to 64 characters of [A-Za-z0-9_-]; made from 16 random bytes. */
#define PLM_HTTPSIG_NONCE_MIN 16
#define PLM_HTTPSIG_NONCE_MAX 64
#define PLM_HTTPSIG_NONCE_RANDOM_BYTES 16
/* created: at most 12 decimal digits. */
#define PLM_HTTPSIG_CREATED_MAX UINT64_C(999999999999)
/* @method: 1 to 32 upper-case letters. */
#define PLM_HTTPSIG_METHOD_MAX 32
/* @target-uri: at most this many bytes. */
#define PLM_HTTPSIG_URI_MAX 2048
/* Buffer for a signature base (the longest possible one, 2425 bytes, + NUL). */
#define PLM_HTTPSIG_BASE_MAX 2560

/*
 * Streaming SHA-256 of a request body, for bodies too large for memory; on
 * the CPU's SHA extensions where it has them (keys/sha256.h).
 */
typedef struct plm_content_digest_state {
	plm_sha256_state sha256;
} plm_content_digest_state;

void plm_content_digest_init(plm_content_digest_state *st);
void plm_content_digest_update(plm_content_digest_state *st, const void *data,
                               size_t len);
/*
 * Finishes the digest: the raw SHA-256 into SHA256 and/or the Content-Digest
 * header value into VALUE (either may be NULL). ST must be initialised again
 * before reuse.
 */
void plm_content_digest_final(plm_content_digest_state *st,
                              unsigned char sha256[PLM_SHA256_BYTES],
                              char value[PLM_CONTENT_DIGEST_BYTES]);
/* One shot: the Content-Digest value of BODY (LEN may be 0, BODY then NULL). */
void plm_content_digest(const void *body, size_t len,
                        char value[PLM_CONTENT_DIGEST_BYTES]);
/* "sha-256=:<base64 of SHA256>:" (PROTOCOL.md §8.2). */
void plm_content_digest_format(const unsigned char sha256[PLM_SHA256_BYTES],
                               char value[PLM_CONTENT_DIGEST_BYTES]);
/*
 * Parses a Content-Digest value strictly into the SHA-256 it carries.
 * PLM_ERR_LIMIT if over PLM_HTTPSIG_HEADER_MAX bytes, PLM_ERR_FORMAT for
 * anything but exactly "sha-256=:<44 characters of padded base64>:".
 */
int plm_content_digest_parse(const char *value, unsigned char sha256[PLM_SHA256_BYTES],
                             plm_error *err);
/*
 * Checks that the Content-Digest VALUE names the SHA-256 SHA256 of the body
 * actually received. The parse errors above, then PLM_ERR_DIGEST on a
 * mismatch.
 */
int plm_content_digest_check(const char *value,
                             const unsigned char sha256[PLM_SHA256_BYTES],
                             plm_error *err);

/* One parsed request signature (the label is always sig1). */
typedef struct plm_httpsig {
	uint64_t created;                       /* unix seconds */
	char nonce[PLM_HTTPSIG_NONCE_MAX + 1];  /* NUL-terminated */
	unsigned char keyid[PLM_FPR_BYTES];     /* signer's fingerprint */
	unsigned char signature[PLM_SIG_BYTES]; /* Ed25519 */
} plm_httpsig;

/*
 * Signs a request (PROTOCOL.md §8.4) with ID's Ed25519 key and writes the
 * Signature-Input and Signature header values. METHOD is the upper-case
 * method, TARGET_URI "<scheme>://<authority><path>[?query]" exactly as
 * sent, CONTENT_DIGEST the value from plm_content_digest. NONCE NULL makes
 * a fresh random one (22 characters). Fails with PLM_ERR_INVALID (or
 * PLM_ERR_LIMIT for a too long URI) when an argument is outside the
 * profile; the outputs are then empty strings.
 */
int plm_httpsig_sign(const char *method, const char *target_uri,
                     const char *content_digest, uint64_t created, const char *nonce,
                     const plm_identity *id, char sig_input[PLM_HTTPSIG_INPUT_MAX],
                     char signature[PLM_HTTPSIG_SIG_MAX], plm_error *err);

/*
 * Writes the header values of SIG: the inverse of plm_httpsig_parse, used by
 * plm_httpsig_sign. PLM_ERR_INVALID if SIG's created or nonce are outside
 * the profile.
 */
int plm_httpsig_serialize(const plm_httpsig *sig, char sig_input[PLM_HTTPSIG_INPUT_MAX],
                          char signature[PLM_HTTPSIG_SIG_MAX], plm_error *err);

/*
 * Parses the Signature-Input and Signature header values strictly
 * (PROTOCOL.md §8.3) into OUT (zeroed on failure). PLM_ERR_LIMIT for a
 * value over PLM_HTTPSIG_HEADER_MAX bytes, PLM_ERR_FORMAT for anything
 * plm_httpsig_serialize would not have written. Checks neither the time
 * nor the signature.
 */
int plm_httpsig_parse(const char *sig_input, const char *signature, plm_httpsig *out,
                      plm_error *err);

/*
 * Builds the signature base (PROTOCOL.md §8.4) of SIG over the request's
 * METHOD, TARGET_URI and CONTENT_DIGEST into BASE (NUL-terminated; the
 * signed bytes are the first *BASE_LEN). PLM_ERR_FORMAT / PLM_ERR_LIMIT when
 * a request value is outside the profile.
 */
int plm_httpsig_base(const plm_httpsig *sig, const char *method, const char *target_uri,
                     const char *content_digest, char base[PLM_HTTPSIG_BASE_MAX],
                     size_t *base_len, plm_error *err);

/*
 * Verifies SIG over the request as the server received it: METHOD,
 * TARGET_URI (rebuilt by the server, PROTOCOL.md §8.4) and the
 * Content-Digest header value. PLM_ERR_FORMAT / PLM_ERR_LIMIT for request
 * values outside the profile, PLM_ERR_SIGNATURE when the signature fails.
 *
 * WARNING: SIGN_PK must be the key of the certificate whose fingerprint is
 * SIG->keyid, looked up by the caller; this function does not know the
 * fingerprint's other half. It checks neither the time window
 * (plm_httpsig_check_time), nor the nonce cache, nor the body itself
 * (plm_content_digest_check, once the body is in).
 */
int plm_httpsig_verify(const plm_httpsig *sig, const char *method,
                       const char *target_uri, const char *content_digest,
                       const unsigned char sign_pk[PLM_SIGN_PK_BYTES], plm_error *err);

/*
 * Accepts SIG only if |created - NOW| <= WINDOW_SECONDS. PLM_ERR_MISMATCH
 * otherwise, with a sentence telling the user to check their clock.
 */
int plm_httpsig_check_time(const plm_httpsig *sig, uint64_t now,
                           uint64_t window_seconds, plm_error *err);

#endif
