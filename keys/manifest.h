/*
 * manifest.h - the encrypted manifest of an envelope (PROTOCOL.md §7.4).
 *
 * The manifest is the plaintext of an envelope's first secretstream message
 * (frame 0): the document's title, file name, MIME type, language, exact
 * content size and the kind-specific fields. The server never sees it.
 *
 * Encoding (canonical, PROTOCOL.md §2), at most PLM_MANIFEST_MAX_BYTES:
 *   u8    version (1)
 *   str16 title      TEXT 0..1024
 *   str16 file_name  FILENAME 0..255 (empty: the document is no file)
 *   str8  mime       MIME 3..127
 *   str8  language   empty or LANG
 *   u64   size       exact number of content bytes
 *   u8    n_fields   0..32
 *   n_fields x { str8 key NAME 1..32, str16 value TEXT 0..4096 },
 *         keys strictly ascending (bytewise)
 *
 * WARNING: a manifest is decrypted plaintext (titles and file names are
 * confidential). Keep it in memory from plm_manifest_new, which is
 * sodium_malloc memory wiped on release, not on the stack or the heap.
 */
#ifndef PLM_MANIFEST_H
#define PLM_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "keys/error.h"

#define PLM_MANIFEST_VERSION 1
#define PLM_MANIFEST_MAX_BYTES 16384 /* bound on the encoding */
#define PLM_MANIFEST_TITLE_MAX 1024
#define PLM_MANIFEST_FILE_NAME_MAX 255
#define PLM_MANIFEST_MIME_MIN 3
#define PLM_MANIFEST_MIME_MAX 127
#define PLM_MANIFEST_LANGUAGE_BYTES 2
#define PLM_MANIFEST_FIELDS_MAX 32
#define PLM_MANIFEST_KEY_MAX 32
#define PLM_MANIFEST_VALUE_MAX 4096

/* One kind-specific field, e.g. "question" = "3". */
typedef struct plm_manifest_field {
	char key[PLM_MANIFEST_KEY_MAX + 1];
	char value[PLM_MANIFEST_VALUE_MAX + 1];
} plm_manifest_field;

/* A decoded manifest: every string NUL-terminated. */
typedef struct plm_manifest {
	char title[PLM_MANIFEST_TITLE_MAX + 1];
	char file_name[PLM_MANIFEST_FILE_NAME_MAX + 1];
	char mime[PLM_MANIFEST_MIME_MAX + 1];
	char language[PLM_MANIFEST_LANGUAGE_BYTES + 1]; /* "" or e.g. "en" */
	uint64_t size;
	unsigned int n_fields;
	plm_manifest_field fields[PLM_MANIFEST_FIELDS_MAX]; /* sorted by key */
} plm_manifest;

/*
 * Allocates an empty manifest (all zero) in sodium_malloc memory. The caller
 * frees it with plm_manifest_free. Fails only with PLM_ERR_NOMEM.
 */
int plm_manifest_new(plm_manifest **out, plm_error *err);
/* Wipes and frees a manifest from plm_manifest_new; NULL is fine. */
void plm_manifest_free(plm_manifest *m);

/*
 * Adds the field KEY = VALUE at its sorted place. PLM_ERR_EXISTS if KEY is
 * already there, PLM_ERR_LIMIT when 32 fields are present or a string is
 * too long, PLM_ERR_FORMAT when a string is outside its class.
 */
int plm_manifest_set_field(plm_manifest *m, const char *key, const char *value,
                           plm_error *err);

/*
 * Encodes M into OUT (capacity OUTCAP; PLM_MANIFEST_MAX_BYTES always
 * suffices) and sets *OUTLEN. OUT is written in place, never copied
 * elsewhere, so it may (and should) be plm_secret_alloc memory. Fails with
 * PLM_ERR_LIMIT (a string, the field count or the whole encoding too long),
 * PLM_ERR_FORMAT (a string outside its class, fields not strictly ascending).
 */
int plm_manifest_encode(const plm_manifest *m, unsigned char *out, size_t outcap,
                        size_t *outlen, plm_error *err);

/*
 * Decodes exactly LEN bytes of IN into M (strict, PROTOCOL.md §7.4): only the
 * canonical encoding is accepted. PLM_ERR_VERSION (version not 1),
 * PLM_ERR_LIMIT (length or count out of bounds, LEN over the maximum),
 * PLM_ERR_FORMAT (class violation, unsorted or duplicate keys),
 * PLM_ERR_TRUNCATED (ends early), PLM_ERR_TRAILING (bytes after the end).
 * M is zeroed when decoding fails.
 */
int plm_manifest_decode(plm_manifest *m, const unsigned char *in, size_t len,
                        plm_error *err);

#endif
