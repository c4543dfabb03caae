/*
 * keystore.h - the passphrase-protected keystore file (PROTOCOL.md §4).
 *
 * A person's identity seed (from which both key pairs derive, §3.6) is kept
 * on their own machine in one small file, encrypted with XChaCha20-Poly1305
 * under a key that Argon2id derives from their passphrase. The public keys
 * are stored in clear beside it, so that `palermo whoami` can show the
 * fingerprint without asking for the passphrase, and a BLAKE2b-256 checksum
 * over the whole file tells a damaged file apart from a wrong passphrase.
 *
 * Layout (PLM_KEYSTORE_BYTES = 206 bytes, fixed, integers big-endian):
 *   [4]  magic "PLMK"
 *   u8   version (1)
 *   u8   kdf (1 = Argon2id v1.3)
 *   u64  opslimit
 *   u64  memlimit (bytes)
 *   [16] salt
 *   [32] sign_pk
 *   [32] box_pk
 *   [24] nonce
 *   [48] ciphertext: XChaCha20-Poly1305 IETF of the 32-byte seed,
 *        AD = the 126 bytes from the magic through the nonce
 *   [32] checksum: BLAKE2b-256 of the 174 bytes before it
 *
 * The _lock/_parse/_unlock functions work on bytes in memory; _create,
 * _open, _change_passphrase and _read_public do the file handling (0600,
 * O_EXCL, O_NOFOLLOW, fsync, atomic rename) around them.
 *
 * WARNING: the file is only as strong as the passphrase and the Argon2id
 * limits. Use PLM_KDF_MODERATE for every real keystore; the weaker limits
 * exist for tests and examples only.
 */
#ifndef PLM_KEYSTORE_H
#define PLM_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

#define PLM_KEYSTORE_MAGIC "PLMK"
#define PLM_KEYSTORE_VERSION 1
#define PLM_KEYSTORE_KDF_ARGON2ID13 1
#define PLM_KEYSTORE_SALT_BYTES 16
#define PLM_KEYSTORE_CIPHERTEXT_BYTES (PLM_SEED_BYTES + 16) /* 48 */
#define PLM_KEYSTORE_AD_BYTES 126                           /* magic through nonce */
#define PLM_KEYSTORE_CHECKED_BYTES 174 /* everything before the checksum */
#define PLM_KEYSTORE_BYTES (PLM_KEYSTORE_CHECKED_BYTES + PLM_HASH_BYTES) /* 206 */

/*
 * Argon2id cost parameters, the values of libsodium's crypto_pwhash_*
 * constants for ARGON2ID13 (keystore.c checks that they agree). A file is
 * accepted only with opslimit in [PLM_KDF_OPSLIMIT_MIN, PLM_KDF_OPSLIMIT_MAX]
 * and memlimit in [PLM_KDF_MEMLIMIT_MIN, PLM_KDF_MEMLIMIT_MAX], so that a
 * doctored file cannot make us spend absurd time or memory.
 */
#define PLM_KDF_OPSLIMIT_MIN 1ULL /* crypto_pwhash_OPSLIMIT_MIN */
#define PLM_KDF_OPSLIMIT_INTERACTIVE 2ULL
#define PLM_KDF_OPSLIMIT_MODERATE 3ULL
#define PLM_KDF_OPSLIMIT_MAX 4ULL                /* crypto_pwhash_OPSLIMIT_SENSITIVE */
#define PLM_KDF_MEMLIMIT_MIN 8192ULL             /* crypto_pwhash_MEMLIMIT_MIN */
#define PLM_KDF_MEMLIMIT_INTERACTIVE 67108864ULL /* 64 MiB */
#define PLM_KDF_MEMLIMIT_MODERATE 268435456ULL   /* 256 MiB */
#define PLM_KDF_MEMLIMIT_MAX 1073741824ULL       /* 1 GiB */

/* Argon2id cost: passes over memory, and memory in bytes. */
typedef struct plm_kdf_limits {
	uint64_t opslimit;
	uint64_t memlimit;
} plm_kdf_limits;

/* The production default: about a second and 256 MiB on a laptop. */
#define PLM_KDF_MODERATE                                                               \
	((plm_kdf_limits){PLM_KDF_OPSLIMIT_MODERATE, PLM_KDF_MEMLIMIT_MODERATE})
/* WARNING: for tests and examples only; far too cheap to resist guessing. */
#define PLM_KDF_INTERACTIVE                                                            \
	((plm_kdf_limits){PLM_KDF_OPSLIMIT_INTERACTIVE, PLM_KDF_MEMLIMIT_INTERACTIVE})
#define PLM_KDF_MIN ((plm_kdf_limits){PLM_KDF_OPSLIMIT_MIN, PLM_KDF_MEMLIMIT_MIN})

/* A keystore file taken apart (no secret in it: the seed stays encrypted). */
typedef struct plm_keystore {
	uint8_t version;
	uint8_t kdf;
	plm_kdf_limits limits;
	unsigned char salt[PLM_KEYSTORE_SALT_BYTES];
	plm_pubkeys pub;
	unsigned char nonce[PLM_NONCE_BYTES];
	unsigned char ciphertext[PLM_KEYSTORE_CIPHERTEXT_BYTES];
	unsigned char checksum[PLM_HASH_BYTES];
} plm_keystore;

/*
 * Encrypts ID's seed under PASSPHRASE (PASSLEN bytes, any bytes, not empty)
 * with a fresh random salt and nonce, and writes the whole keystore file
 * into OUT. PLM_ERR_INVALID for an empty passphrase or limits out of bounds,
 * PLM_ERR_NOMEM when Argon2id cannot get its memory.
 */
int plm_keystore_lock(unsigned char out[PLM_KEYSTORE_BYTES], const plm_identity *id,
                      const unsigned char *passphrase, size_t passlen,
                      plm_kdf_limits limits, plm_error *err);

/*
 * Takes keystore bytes apart and checks everything that needs no passphrase,
 * in this order (PROTOCOL.md §4.2): magic, version and kdf (PLM_ERR_VERSION),
 * size (PLM_ERR_CORRUPT), checksum (PLM_ERR_CORRUPT), Argon2id limits
 * (PLM_ERR_CORRUPT). Runs no KDF, so it is cheap on any input. On error
 * *OUT is zeroed.
 */
int plm_keystore_parse(const unsigned char *bytes, size_t len, plm_keystore *out,
                       plm_error *err);

/*
 * Parses BYTES, derives the key from PASSPHRASE, decrypts the seed and
 * rebuilds the identity, which must have the stored public keys. On success
 * *OUT is a new identity (caller frees with plm_identity_free). Errors: those
 * of plm_keystore_parse, PLM_ERR_INVALID (empty passphrase), PLM_ERR_NOMEM,
 * PLM_ERR_PASSPHRASE (decryption fails: wrong passphrase), PLM_ERR_CORRUPT
 * (the seed gives other public keys than the stored ones).
 */
int plm_keystore_unlock(const unsigned char *bytes, size_t len,
                        const unsigned char *passphrase, size_t passlen,
                        plm_identity **out, plm_error *err);

/*
 * Writes a new keystore file for ID at PATH: mode 0600, created with O_EXCL
 * and O_NOFOLLOW, written in full, fsynced, and its folder fsynced.
 * PLM_ERR_EXISTS if anything (a file, a symbolic link) is already at PATH,
 * which is then left untouched; PLM_ERR_IO for other file errors (the
 * partial file is removed); otherwise as plm_keystore_lock.
 */
int plm_keystore_create(const char *path, const plm_identity *id,
                        const unsigned char *passphrase, size_t passlen,
                        plm_kdf_limits limits, plm_error *err);

/*
 * Reads the keystore file at PATH (a regular file; a symbolic link is
 * refused) and unlocks it with PASSPHRASE. On success *OUT is the identity
 * (caller frees with plm_identity_free). PLM_ERR_NOTFOUND if there is no
 * file, PLM_ERR_IO if it cannot be read or is not a regular file, otherwise
 * as plm_keystore_unlock.
 */
int plm_keystore_open(const char *path, const unsigned char *passphrase, size_t passlen,
                      plm_identity **out, plm_error *err);

/*
 * Re-encrypts the keystore at PATH under NEW_PASS with LIMITS and a fresh
 * salt and nonce: the new file is written beside the old one under a
 * temporary name (O_EXCL, 0600), fsynced, renamed over PATH, and the folder
 * fsynced, so that PATH always holds one complete keystore. Nothing changes
 * if OLD_PASS is wrong (PLM_ERR_PASSPHRASE) or anything else fails.
 */
int plm_keystore_change_passphrase(const char *path, const unsigned char *old_pass,
                                   size_t oldlen, const unsigned char *new_pass,
                                   size_t newlen, plm_kdf_limits limits,
                                   plm_error *err);

/*
 * Reads the public keys stored in clear in the keystore at PATH, without a
 * passphrase (for `palermo whoami`). The file is checked as by
 * plm_keystore_parse; errors as plm_keystore_open minus the passphrase ones.
 *
 * WARNING: for display only. Anyone who can write the file can put other
 * public keys there and recompute the checksum; only plm_keystore_open
 * proves that the keys belong to the seed. Whatever is certified or trusted
 * (an enrollment's fingerprint, a certificate request) must come from the
 * identity that plm_keystore_open returns.
 */
int plm_keystore_read_public(const char *path, plm_pubkeys *out, plm_error *err);

#endif
