/* manifest.c - the encrypted manifest of an envelope (see manifest.h). */
#include "keys/manifest.h"

#include <sodium.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/crypto.h"

int plm_manifest_new(plm_manifest **out, plm_error *err)
{
	*out = (plm_manifest *)plm_secret_alloc(sizeof(**out));
	if (*out == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of secure memory for a document manifest");
	memset(*out, 0, sizeof(**out));
	return 0;
}

void plm_manifest_free(plm_manifest *m)
{
	plm_secret_free(m);
}

int plm_manifest_set_field(plm_manifest *m, const char *key, const char *value,
                           plm_error *err)
{
	size_t klen, vlen;
	unsigned int i, at;
	int c;

	if (m == NULL || key == NULL || value == NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "a manifest field needs a manifest, a key and a value");
	klen = strlen(key);
	vlen = strlen(value);
	if (klen < 1 || klen > PLM_MANIFEST_KEY_MAX || vlen > PLM_MANIFEST_VALUE_MAX)
		return plm_error_set(
		    err, PLM_ERR_LIMIT,
		    "manifest field keys have 1 to %d bytes and values "
		    "at most %d bytes",
		    PLM_MANIFEST_KEY_MAX, PLM_MANIFEST_VALUE_MAX);
	if (!plm_str_valid(key, klen, PLM_STR_NAME) ||
	    !plm_str_valid(value, vlen, PLM_STR_TEXT))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "manifest field \"%s\": keys are lower-case names "
		                     "and values UTF-8 text without control characters",
		                     plm_str_valid(key, klen, PLM_STR_NAME) ? key
		                                                            : "?");
	for (at = 0; at < m->n_fields; at++) {
		c = strcmp(m->fields[at].key, key);
		if (c == 0)
			return plm_error_set(err, PLM_ERR_EXISTS,
			                     "the manifest already has a field \"%s\"",
			                     key);
		if (c > 0)
			break;
	}
	if (m->n_fields >= PLM_MANIFEST_FIELDS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "a manifest has at most %d fields",
		                     PLM_MANIFEST_FIELDS_MAX);
	for (i = m->n_fields; i > at; i--)
		m->fields[i] = m->fields[i - 1];
	memcpy(m->fields[at].key, key, klen + 1);
	memcpy(m->fields[at].value, value, vlen + 1);
	m->n_fields++;
	return 0;
}

/* PROTOCOL.md §7.4 */
int plm_manifest_encode(const plm_manifest *m, unsigned char *out, size_t outcap,
                        size_t *outlen, plm_error *err)
{
	plm_wbuf b;
	size_t cap = outcap < PLM_MANIFEST_MAX_BYTES ? outcap : PLM_MANIFEST_MAX_BYTES;
	unsigned int i;
	int r;

	*outlen = 0;
	if (m == NULL || out == NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "encoding a manifest needs the manifest and a buffer");
	if (m->n_fields > PLM_MANIFEST_FIELDS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "a manifest has at most %d fields, not %u",
		                     PLM_MANIFEST_FIELDS_MAX, m->n_fields);
	for (i = 1; i < m->n_fields; i++)
		if (strcmp(m->fields[i - 1].key, m->fields[i].key) >= 0)
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "manifest fields must be sorted by key without "
			    "duplicates (\"%.32s\" then \"%.32s\")",
			    m->fields[i - 1].key, m->fields[i].key);

	/* Encoded straight into the caller's secure buffer: never copied. */
	plm_wbuf_init_fixed(&b, out, cap, "document manifest", err);
	plm_wbuf_u8(&b, PLM_MANIFEST_VERSION);
	plm_wbuf_str(&b, "title", m->title, 2, 0, PLM_MANIFEST_TITLE_MAX, PLM_STR_TEXT);
	plm_wbuf_str(&b, "file_name", m->file_name, 2, 0, PLM_MANIFEST_FILE_NAME_MAX,
	             PLM_STR_FILENAME);
	plm_wbuf_str(&b, "mime", m->mime, 1, PLM_MANIFEST_MIME_MIN,
	             PLM_MANIFEST_MIME_MAX, PLM_STR_MIME);
	if (m->language[0] == '\0')
		plm_wbuf_u8(&b, 0);
	else
		plm_wbuf_str(&b, "language", m->language, 1,
		             PLM_MANIFEST_LANGUAGE_BYTES, PLM_MANIFEST_LANGUAGE_BYTES,
		             PLM_STR_LANG);
	plm_wbuf_u64(&b, m->size);
	plm_wbuf_u8(&b, (uint8_t)m->n_fields);
	for (i = 0; i < m->n_fields; i++) {
		plm_wbuf_str(&b, "field key", m->fields[i].key, 1, 1,
		             PLM_MANIFEST_KEY_MAX, PLM_STR_NAME);
		plm_wbuf_str(&b, "field value", m->fields[i].value, 2, 0,
		             PLM_MANIFEST_VALUE_MAX, PLM_STR_TEXT);
	}
	if ((r = plm_wbuf_status(&b)) != 0) {
		sodium_memzero(out, b.len);
		goto out;
	}
	*outlen = b.len;
out:
	return r;
}

/* PROTOCOL.md §7.4 */
int plm_manifest_decode(plm_manifest *m, const unsigned char *in, size_t len,
                        plm_error *err)
{
	plm_rbuf rb;
	const unsigned char *lang;
	uint8_t version = 0, lang_len = 0, n_fields = 0;
	unsigned int i;
	int r;

	memset(m, 0, sizeof(*m));
	if (len > PLM_MANIFEST_MAX_BYTES) {
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "a document manifest has at most %d bytes, this one "
		                  "has %zu",
		                  PLM_MANIFEST_MAX_BYTES, len);
		goto out;
	}
	plm_rbuf_init(&rb, in, len, "document manifest", err);
	if (plm_rbuf_u8(&rb, "version", &version) == 0 &&
	    version != PLM_MANIFEST_VERSION)
		plm_rbuf_fail(&rb, PLM_ERR_VERSION, "version",
		              "version %u is not supported (expected %d)", version,
		              PLM_MANIFEST_VERSION);
	plm_rbuf_str(&rb, "title", 2, 0, PLM_MANIFEST_TITLE_MAX, PLM_STR_TEXT, m->title,
	             sizeof(m->title));
	plm_rbuf_str(&rb, "file_name", 2, 0, PLM_MANIFEST_FILE_NAME_MAX,
	             PLM_STR_FILENAME, m->file_name, sizeof(m->file_name));
	plm_rbuf_str(&rb, "mime", 1, PLM_MANIFEST_MIME_MIN, PLM_MANIFEST_MIME_MAX,
	             PLM_STR_MIME, m->mime, sizeof(m->mime));
	/* str8 that is either empty or one LANG code. */
	if (plm_rbuf_u8(&rb, "language", &lang_len) == 0 && lang_len != 0) {
		if (lang_len != PLM_MANIFEST_LANGUAGE_BYTES)
			plm_rbuf_fail(&rb, PLM_ERR_LIMIT, "language",
			              "length %u is neither 0 nor 2", lang_len);
		else if (plm_rbuf_view(&rb, "language", lang_len, &lang) == 0) {
			if (!plm_str_valid((const char *)lang, lang_len, PLM_STR_LANG))
				plm_rbuf_fail(&rb, PLM_ERR_FORMAT, "language",
				              "is not a two-letter lower-case code");
			else
				memcpy(m->language, lang, lang_len);
		}
	}
	plm_rbuf_u64(&rb, "size", &m->size);
	if (plm_rbuf_u8(&rb, "n_fields", &n_fields) == 0 &&
	    n_fields > PLM_MANIFEST_FIELDS_MAX)
		plm_rbuf_fail(&rb, PLM_ERR_LIMIT, "n_fields",
		              "%u fields, at most %d are allowed", n_fields,
		              PLM_MANIFEST_FIELDS_MAX);
	for (i = 0; rb.status == 0 && i < n_fields; i++) {
		plm_rbuf_str(&rb, "field key", 1, 1, PLM_MANIFEST_KEY_MAX, PLM_STR_NAME,
		             m->fields[i].key, sizeof(m->fields[i].key));
		if (rb.status == 0 && i > 0 &&
		    strcmp(m->fields[i - 1].key, m->fields[i].key) >= 0)
			plm_rbuf_fail(&rb, PLM_ERR_FORMAT, "field key",
			              "keys must be strictly ascending");
		plm_rbuf_str(&rb, "field value", 2, 0, PLM_MANIFEST_VALUE_MAX,
		             PLM_STR_TEXT, m->fields[i].value,
		             sizeof(m->fields[i].value));
	}
	m->n_fields = n_fields;
	r = plm_rbuf_end(&rb);
out:
	if (r != 0)
		sodium_memzero(m, sizeof(*m));
	return r;
}
