/*
 * codec.h - the canonical binary encoding shared by every signed object
 * (PROTOCOL.md §2).
 *
 * Integers are big-endian and fixed width (u8, u16, u32, u64). Byte strings
 * carry a length prefix (str8: one byte, str16: two bytes) and must belong to
 * one of the string classes below. Fixed-size values (keys, digests) are raw.
 * There are no optional fields, no field tags and no alternative orderings:
 * one value has exactly one encoding, and a decoder rejects everything else.
 *
 * plm_wbuf builds an encoding in heap memory; errors are sticky, so encoders
 * can put every field and check once at the end. plm_rbuf reads an encoding
 * in place; errors are sticky too, record the field that failed, and turn
 * every later read into a no-op that yields zeros.
 */
#ifndef PLM_CODEC_H
#define PLM_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "keys/error.h"

/* String classes (PROTOCOL.md §2.2). */
enum plm_str_class {
	PLM_STR_ID = 1,    /* [a-z0-9][a-z0-9._-]*: user, review and document ids */
	PLM_STR_NAME = 2,  /* [a-z][a-z0-9_]*: roles, kinds, channels, stages */
	PLM_STR_STATE = 3, /* [A-Z][A-Z0-9]*: ISO 3166-1 alpha-3 or organization */
	PLM_STR_TEXT = 4,  /* UTF-8 without control characters other than \t \n */
	PLM_STR_LANG = 5,  /* [a-z]{2}: ISO 639-1 language code */
	PLM_STR_MIME = 6,  /* printable ASCII without spaces, one '/' inside */
	PLM_STR_FILENAME = 7, /* TEXT without '/', '\\', NUL, not "." or ".." */
};

/* Growable write buffer (ordinary heap memory: never put secrets in it). */
typedef struct plm_wbuf {
	unsigned char *data;
	size_t len;
	size_t cap;
	size_t max;   /* hard upper bound on len */
	int status;   /* first error, 0 while all is well */
	plm_error *err;
	const char *what; /* object name for error messages */
	int fixed;        /* data is the caller's: never grown or freed */
} plm_wbuf;

/* Starts an empty buffer that may grow to MAX bytes; errors go to ERR. */
void plm_wbuf_init(plm_wbuf *b, size_t max, const char *what, plm_error *err);
/*
 * Starts a buffer that writes into the caller's BUF (CAP bytes) and never
 * grows: going past CAP fails it with PLM_ERR_LIMIT. Use it to encode
 * secrets straight into secure memory (nothing is ever copied elsewhere).
 * plm_wbuf_free leaves BUF alone; plm_wbuf_finish is not for such buffers
 * (PLM_ERR_INVALID): read b->len instead.
 */
void plm_wbuf_init_fixed(plm_wbuf *b, unsigned char *buf, size_t cap,
                         const char *what, plm_error *err);
/* Frees the buffer's memory (accepts a zeroed or freed buffer). */
void plm_wbuf_free(plm_wbuf *b);
/* Appends raw bytes. */
void plm_wbuf_put(plm_wbuf *b, const void *data, size_t len);
void plm_wbuf_u8(plm_wbuf *b, uint8_t v);
void plm_wbuf_u16(plm_wbuf *b, uint16_t v);
void plm_wbuf_u32(plm_wbuf *b, uint32_t v);
void plm_wbuf_u64(plm_wbuf *b, uint64_t v);
/*
 * Appends a NUL-terminated string S as str8 (LENBYTES 1) or str16
 * (LENBYTES 2), after checking its class and that MINLEN <= strlen <= MAXLEN.
 * FIELD names it in the error message.
 */
void plm_wbuf_str(plm_wbuf *b, const char *field, const char *s, int lenbytes,
                  size_t minlen, size_t maxlen, enum plm_str_class cls);
/* Returns the sticky status (0 or a PLM_ERR_* code). */
int plm_wbuf_status(const plm_wbuf *b);
/*
 * Hands the encoded bytes to the caller: *OUT (caller frees with free()) and
 * *OUTLEN. On error returns the sticky status and frees the buffer.
 */
int plm_wbuf_finish(plm_wbuf *b, unsigned char **out, size_t *outlen);

/* Read cursor over bytes the caller keeps alive. */
typedef struct plm_rbuf {
	const unsigned char *data;
	size_t len;
	size_t off;
	int status;
	plm_error *err;
	const char *what;
} plm_rbuf;

void plm_rbuf_init(plm_rbuf *r, const void *data, size_t len, const char *what,
                   plm_error *err);
/* Fails the cursor with CODE and a message naming FIELD (sticky). */
int plm_rbuf_fail(plm_rbuf *r, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int plm_rbuf_u8(plm_rbuf *r, const char *field, uint8_t *v);
int plm_rbuf_u16(plm_rbuf *r, const char *field, uint16_t *v);
int plm_rbuf_u32(plm_rbuf *r, const char *field, uint32_t *v);
int plm_rbuf_u64(plm_rbuf *r, const char *field, uint64_t *v);
/* Copies N raw bytes into OUT (zeroed on error). */
int plm_rbuf_fixed(plm_rbuf *r, const char *field, void *out, size_t n);
/* Points *VIEW at the next N bytes without copying (NULL on error). */
int plm_rbuf_view(plm_rbuf *r, const char *field, size_t n,
                  const unsigned char **view);
/*
 * Reads a str8/str16 into OUT (capacity OUTCAP >= MAXLEN + 1), NUL-terminated,
 * checking length bounds and class. OUT is "" on error.
 */
int plm_rbuf_str(plm_rbuf *r, const char *field, int lenbytes, size_t minlen,
                 size_t maxlen, enum plm_str_class cls, char *out, size_t outcap);
/* A u8 that must be 0 or 1. */
int plm_rbuf_bool(plm_rbuf *r, const char *field, int *v);
/* Succeeds only if every byte was consumed and no read failed. */
int plm_rbuf_end(plm_rbuf *r);
/* Bytes not yet read. */
size_t plm_rbuf_left(const plm_rbuf *r);

/*
 * Decodes the well-formed UTF-8 sequence at S (at most LEFT bytes): returns
 * its length with the code point in *CP, or 0 if it is malformed, overlong,
 * a surrogate or beyond U+10FFFF (RFC 3629 §4).
 */
size_t plm_utf8_next(const unsigned char *s, size_t left, uint32_t *cp);
/* Checks that S[0..LEN) belongs to class CLS (returns 1 or 0). */
int plm_str_valid(const char *s, size_t len, enum plm_str_class cls);

/*
 * Standard base64 with padding (RFC 4648 §4), as the HTTP API carries
 * binary objects inside JSON. _encode: *OUT is a malloc'd NUL-terminated
 * string (caller frees). _decode: strict (no whitespace, canonical
 * padding), into a malloc'd *OUT of at most MAX bytes (caller frees);
 * PLM_ERR_FORMAT for anything else, PLM_ERR_LIMIT beyond MAX.
 */
int plm_base64_encode(char **out, const unsigned char *bytes, size_t len,
                      plm_error *err);
int plm_base64_decode(unsigned char **out, size_t *len, const char *text, size_t max,
                      plm_error *err);

/* Big-endian helpers for fixed framing outside a buffer. */
void plm_store_u32(unsigned char out[4], uint32_t v);
void plm_store_u64(unsigned char out[8], uint64_t v);
uint32_t plm_load_u32(const unsigned char in[4]);
uint64_t plm_load_u64(const unsigned char in[8]);

#endif
