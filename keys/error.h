/*
 * error.h - status codes and human-readable error reports for libpalermo-keys.
 *
 * Every public function of keys/ (and policies/) returns 0 on success or a
 * negative PLM_ERR_* code, and, when given a non-NULL plm_error, fills it with
 * one sentence a person can act on. Library code never prints and never exits:
 * only the programs (palermod, palermo) decide what the user sees.
 */
#ifndef PLM_ERROR_H
#define PLM_ERROR_H

#include <stddef.h>

enum {
	PLM_OK = 0,
	PLM_ERR_INVALID = -1,     /* a caller passed a bad argument */
	PLM_ERR_NOMEM = -2,       /* out of memory (or sodium_malloc failed) */
	PLM_ERR_IO = -3,          /* a read, write, open, rename or fsync failed */
	PLM_ERR_FORMAT = -4,      /* bytes do not follow the canonical encoding */
	PLM_ERR_VERSION = -5,     /* unknown format version or magic */
	PLM_ERR_TRAILING = -6,    /* bytes left over after a complete object */
	PLM_ERR_LIMIT = -7,       /* a length or count exceeds its bound */
	PLM_ERR_SIGNATURE = -8,   /* a signature does not verify */
	PLM_ERR_DIGEST = -9,      /* a content digest does not match */
	PLM_ERR_TRUNCATED = -10,  /* input ended before the object was complete */
	PLM_ERR_ORDER = -11,      /* envelope chunks out of order or replayed */
	PLM_ERR_NO_FINAL = -12,   /* envelope payload ended without a FINAL chunk */
	PLM_ERR_DECRYPT = -13,    /* a ciphertext chunk failed authentication */
	PLM_ERR_KEY = -14,        /* a key could not be unwrapped: wrong key */
	PLM_ERR_COMMITMENT = -15, /* a key does not match its signed commitment */
	PLM_ERR_PASSPHRASE = -16, /* wrong passphrase for a keystore */
	PLM_ERR_CORRUPT = -17,    /* a stored file is damaged */
	PLM_ERR_EXISTS = -18,     /* refusing to overwrite an existing file */
	PLM_ERR_PROOF = -19,      /* a Merkle inclusion/consistency proof fails */
	PLM_ERR_CRYPTO = -20,     /* libsodium reported an internal failure */
	PLM_ERR_TYPE = -21,       /* a signed object is of another type */
	PLM_ERR_NOTFOUND = -22,   /* a looked-up key, member or object is absent */
	PLM_ERR_MISMATCH = -23,   /* two values that must agree do not */
	PLM_ERR_POLICY = -24,     /* a policy rule forbids the operation */
	PLM_ERR_NET = -25,        /* the server could not be reached */
	PLM_ERR_DENIED = -26,     /* the server refused the caller (401, 403) */
};

#define PLM_ERROR_MESSAGE_MAX 320

/* One error report: the code and a sentence for a person. */
typedef struct plm_error {
	int code;
	char message[PLM_ERROR_MESSAGE_MAX];
} plm_error;

/*
 * Records CODE and a printf-style message in ERR (which may be NULL) and
 * returns CODE, so that callers can write `return plm_error_set(err, ...)`.
 * The first error set wins only if plm_error_clear was not called since:
 * later calls overwrite, so set the most specific message last.
 */
int plm_error_set(plm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets ERR (may be NULL) to "no error". */
void plm_error_clear(plm_error *err);

/* A short, stable, lower-case name for CODE ("signature", "truncated", ...). */
const char *plm_error_name(int code);

/* A generic sentence for CODE, for when no plm_error was filled in. */
const char *plm_strerror(int code);

#endif
