/*
 * sha256.h - SHA-256 (FIPS 180-4) for bulk data: the Content-Digest of
 * request bodies (PROTOCOL.md §8.2), hashed by the client before it sends a
 * file and by the daemon while it receives one.
 *
 * On x86-64 CPUs with the SHA extensions (SHA-NI) the compression function
 * runs on them, about five times faster than libsodium's portable C; every
 * other CPU gets libsodium's crypto_hash_sha256. The choice is made once per
 * process from CPUID, and both give the same bytes. Small inputs whose speed
 * does not matter (the transparency log, keys/merkle.c, DESIGN.md §4) stay
 * on crypto_hash_sha256 directly.
 */
#ifndef PLM_SHA256_H
#define PLM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define PLM_SHA256_BYTES 32
#define PLM_SHA256_BLOCK_BYTES 64

/* The implementations plm_sha256_init_path can select. */
enum plm_sha256_path {
	PLM_SHA256_PORTABLE = 1,   /* libsodium's crypto_hash_sha256 */
	PLM_SHA256_EXTENSIONS = 2, /* the x86-64 SHA extensions */
};

/* An incremental SHA-256; its fields are private to keys/sha256.c. */
typedef struct plm_sha256_state {
	int path; /* enum plm_sha256_path */
	union {
		crypto_hash_sha256_state portable;
		struct {
			uint32_t h[8];
			uint64_t bytes; /* message length so far */
			unsigned char block[PLM_SHA256_BLOCK_BYTES];
		} ni;
	} u;
} plm_sha256_state;

/* Starts a digest on the fastest implementation this CPU has. */
void plm_sha256_init(plm_sha256_state *st);
/* Adds LEN bytes of DATA (LEN may be 0, DATA then NULL). */
void plm_sha256_update(plm_sha256_state *st, const void *data, size_t len);
/* Writes the digest into OUT and wipes ST; init again before reuse. */
void plm_sha256_final(plm_sha256_state *st, unsigned char out[PLM_SHA256_BYTES]);
/* One shot: the SHA-256 of DATA (LEN may be 0, DATA then NULL). */
void plm_sha256(unsigned char out[PLM_SHA256_BYTES], const void *data, size_t len);

/*
 * The implementation plm_sha256_init selects on this CPU (detected once,
 * thread-safe).
 */
enum plm_sha256_path plm_sha256_best_path(void);
/*
 * For tests and measurements: starts a digest on PATH. PLM_ERR_INVALID,
 * with ST unusable, when PATH is unknown or this CPU lacks it; 0 otherwise.
 */
int plm_sha256_init_path(plm_sha256_state *st, enum plm_sha256_path path);

#endif
