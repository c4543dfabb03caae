/*
 * crypto.h - the primitives of PROTOCOL.md §3, wrapped once so that every
 * format uses them the same way: BLAKE2b-256 digests, domain-separated
 * Ed25519 signatures, key commitments, key wrapping under a key (XChaCha20-
 * Poly1305 IETF) and key sealing to a person (X25519 sealed box), and
 * identities derived from one secret seed with crypto_kdf.
 *
 * WARNING: every secret this module hands out lives in sodium_malloc memory
 * and must be released with the matching _free function, never free().
 */
#ifndef PLM_CRYPTO_H
#define PLM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "keys/error.h"

#define PLM_HASH_BYTES 32       /* BLAKE2b-256 digests and ids */
#define PLM_FPR_BYTES 32        /* fingerprints */
#define PLM_SIGN_PK_BYTES 32    /* Ed25519 public key */
#define PLM_SIGN_SK_BYTES 64    /* Ed25519 secret key (libsodium layout) */
#define PLM_SIG_BYTES 64        /* Ed25519 signature */
#define PLM_BOX_PK_BYTES 32     /* X25519 public key */
#define PLM_BOX_SK_BYTES 32     /* X25519 secret key */
#define PLM_KEY_BYTES 32        /* symmetric keys: channel, document, archive */
#define PLM_SEED_BYTES 32       /* identity master seed */
#define PLM_NONCE_BYTES 24      /* XChaCha20 nonce */
#define PLM_WRAPPED_KEY_BYTES (PLM_NONCE_BYTES + PLM_KEY_BYTES + 16) /* 72 */
#define PLM_SEALED_KEY_BYTES (32 + PLM_KEY_BYTES + 16)               /* 80 */
#define PLM_FPR_TEXT_BYTES 80   /* 16 groups of 4 hex digits, 15 spaces, NUL */
#define PLM_DOMAIN_MAX 48       /* longest "palermo/v1/<type>" NUL, in bytes */

/* Calls sodium_init once; every entry point that needs libsodium calls it. */
int plm_init(plm_error *err);

/* BLAKE2b-256 of DATA. */
void plm_hash(unsigned char out[PLM_HASH_BYTES], const void *data, size_t len);

/*
 * Signs DOMAIN_TYPE-separated bytes: Ed25519 over "palermo/v1/<type>" NUL
 * followed by MSG (PROTOCOL.md §3.2). TYPE is e.g. "roster".
 */
int plm_sign(unsigned char sig[PLM_SIG_BYTES], const char *type,
             const unsigned char *msg, size_t len,
             const unsigned char sign_sk[PLM_SIGN_SK_BYTES], plm_error *err);
/* Verifies a signature made by plm_sign; PLM_ERR_SIGNATURE when it fails. */
int plm_verify(const unsigned char sig[PLM_SIG_BYTES], const char *type,
               const unsigned char *msg, size_t len,
               const unsigned char sign_pk[PLM_SIGN_PK_BYTES], plm_error *err);

/*
 * Key commitment (PROTOCOL.md §3.4): BLAKE2b-256 keyed with KEY over
 * "palermo/v1/commit/<context>" NUL followed by BINDING. Binds a symmetric
 * key so that nobody can later hand out a different key for the same object.
 */
void plm_key_commit(unsigned char out[PLM_HASH_BYTES], const char *context,
                    const unsigned char *binding, size_t binding_len,
                    const unsigned char key[PLM_KEY_BYTES]);
/* Checks KEY against COMMITMENT in constant time; PLM_ERR_COMMITMENT if not. */
int plm_key_commit_check(const unsigned char commitment[PLM_HASH_BYTES],
                         const char *context, const unsigned char *binding,
                         size_t binding_len,
                         const unsigned char key[PLM_KEY_BYTES], plm_error *err);

/*
 * Wraps KEY under WRAPPING_KEY with XChaCha20-Poly1305 IETF and a random
 * nonce, AD = AD bytes (the context). Output: nonce || ciphertext || tag.
 */
int plm_key_wrap(unsigned char out[PLM_WRAPPED_KEY_BYTES],
                 const unsigned char key[PLM_KEY_BYTES],
                 const unsigned char wrapping_key[PLM_KEY_BYTES],
                 const unsigned char *ad, size_t adlen, plm_error *err);
/* Unwraps; PLM_ERR_KEY when the wrapping key or context is wrong. */
int plm_key_unwrap(unsigned char key[PLM_KEY_BYTES],
                   const unsigned char in[PLM_WRAPPED_KEY_BYTES],
                   const unsigned char wrapping_key[PLM_KEY_BYTES],
                   const unsigned char *ad, size_t adlen, plm_error *err);

/* Seals KEY to a person's X25519 public key (crypto_box_seal). */
int plm_key_seal(unsigned char out[PLM_SEALED_KEY_BYTES],
                 const unsigned char key[PLM_KEY_BYTES],
                 const unsigned char box_pk[PLM_BOX_PK_BYTES], plm_error *err);
/* Opens a sealed key; PLM_ERR_KEY if it was not sealed to this key pair. */
int plm_key_unseal(unsigned char key[PLM_KEY_BYTES],
                   const unsigned char in[PLM_SEALED_KEY_BYTES],
                   const unsigned char box_pk[PLM_BOX_PK_BYTES],
                   const unsigned char box_sk[PLM_BOX_SK_BYTES], plm_error *err);

/* A fresh random symmetric key in sodium_malloc memory (plm_secret_free). */
int plm_key_new(unsigned char **key, plm_error *err);
/* Allocates N bytes of guarded, locked memory; NULL on failure. */
unsigned char *plm_secret_alloc(size_t n);
/* Wipes and frees memory from plm_secret_alloc / plm_key_new; NULL is fine. */
void plm_secret_free(void *p);

/* The public half of an identity. */
typedef struct plm_pubkeys {
	unsigned char sign_pk[PLM_SIGN_PK_BYTES];
	unsigned char box_pk[PLM_BOX_PK_BYTES];
} plm_pubkeys;

/*
 * An identity: the master seed and both key pairs derived from it. The
 * struct itself is in sodium_malloc memory; free with plm_identity_free.
 */
typedef struct plm_identity {
	unsigned char seed[PLM_SEED_BYTES];
	unsigned char sign_sk[PLM_SIGN_SK_BYTES];
	unsigned char box_sk[PLM_BOX_SK_BYTES];
	plm_pubkeys pub;
} plm_identity;

/* Makes a new identity from a random seed. Caller frees with plm_identity_free. */
int plm_identity_generate(plm_identity **out, plm_error *err);
/*
 * Derives the identity of SEED (PROTOCOL.md §3.6): crypto_kdf subkeys
 * 1 "PLMSIGN1" (Ed25519 seed) and 2 "PLMBOX01" (X25519 secret key).
 */
int plm_identity_from_seed(plm_identity **out,
                           const unsigned char seed[PLM_SEED_BYTES],
                           plm_error *err);
void plm_identity_free(plm_identity *id);

/* Fingerprint: BLAKE2b-256(sign_pk || box_pk) (PROTOCOL.md §3.5). */
void plm_fingerprint(unsigned char out[PLM_FPR_BYTES], const plm_pubkeys *pub);
/* "ab12 cd34 ... " - 16 groups of 4 lower-case hex digits for reading aloud. */
void plm_fingerprint_format(char out[PLM_FPR_TEXT_BYTES],
                            const unsigned char fpr[PLM_FPR_BYTES]);
/*
 * Parses a fingerprint typed by a person: 64 hex digits, either case, with
 * any spaces, dashes or colons between them. PLM_ERR_FORMAT otherwise.
 */
int plm_fingerprint_parse(unsigned char fpr[PLM_FPR_BYTES], const char *text,
                          plm_error *err);

/* Lower-case hex of BIN into OUT (capacity 2*LEN+1). */
void plm_hex(char *out, const unsigned char *bin, size_t len);

#endif
