/* codec.c - canonical binary encoding (see codec.h, PROTOCOL.md §2). */
#include "keys/codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

void plm_store_u32(unsigned char out[4], uint32_t v)
{
	out[0] = (unsigned char)(v >> 24);
	out[1] = (unsigned char)(v >> 16);
	out[2] = (unsigned char)(v >> 8);
	out[3] = (unsigned char)v;
}

void plm_store_u64(unsigned char out[8], uint64_t v)
{
	plm_store_u32(out, (uint32_t)(v >> 32));
	plm_store_u32(out + 4, (uint32_t)v);
}

uint32_t plm_load_u32(const unsigned char in[4])
{
	return ((uint32_t)in[0] << 24) | ((uint32_t)in[1] << 16) |
	       ((uint32_t)in[2] << 8) | (uint32_t)in[3];
}

uint64_t plm_load_u64(const unsigned char in[8])
{
	return ((uint64_t)plm_load_u32(in) << 32) | plm_load_u32(in + 4);
}

/*
 * Length of the well-formed UTF-8 sequence starting at S (at most LEFT bytes),
 * with its code point in *CP, or 0 if it is malformed, overlong, a surrogate
 * or beyond U+10FFFF (RFC 3629 §4).
 */
size_t plm_utf8_next(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	if (c >= 0xD800 && c <= 0xDFFF)
		return 0;
	*cp = c;
	return n;
}

/* 1 if TEXT[0..LEN) is UTF-8 without control characters (except \t, \n). */
static int text_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = plm_utf8_next(s + i, len - i, &cp);
		if (n == 0)
			return 0;
		if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F ||
		    (cp >= 0x80 && cp <= 0x9F))
			return 0;
		i += n;
	}
	return 1;
}

int plm_str_valid(const char *str, size_t len, enum plm_str_class cls)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, slashes = 0;

	switch (cls) {
	case PLM_STR_ID:
		for (i = 0; i < len; i++) {
			unsigned char c = s[i];
			int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
			if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
				return 0;
		}
		return 1;
	case PLM_STR_NAME:
		for (i = 0; i < len; i++) {
			unsigned char c = s[i];
			int ok = (c >= 'a' && c <= 'z') ||
			          (i > 0 && ((c >= '0' && c <= '9') || c == '_'));
			if (!ok)
				return 0;
		}
		return 1;
	case PLM_STR_STATE:
		for (i = 0; i < len; i++) {
			unsigned char c = s[i];
			int ok = (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
			if (!ok)
				return 0;
		}
		return 1;
	case PLM_STR_LANG:
		if (len != 2)
			return 0;
		return s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
	case PLM_STR_MIME:
		for (i = 0; i < len; i++) {
			if (s[i] <= 0x20 || s[i] >= 0x7F)
				return 0;
			if (s[i] == '/')
				slashes++;
		}
		return slashes == 1 && s[0] != '/' && s[len - 1] != '/';
	case PLM_STR_FILENAME:
		if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		for (i = 0; i < len; i++)
			if (s[i] == '/' || s[i] == '\\' || s[i] == '\n' || s[i] == '\t')
				return 0;
		return text_valid(s, len);
	case PLM_STR_TEXT:
		return text_valid(s, len);
	}
	return 0;
}

void plm_wbuf_init(plm_wbuf *b, size_t max, const char *what, plm_error *err)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->err = err;
	b->what = what;
}

void plm_wbuf_init_fixed(plm_wbuf *b, unsigned char *buf, size_t cap,
                         const char *what, plm_error *err)
{
	plm_wbuf_init(b, cap, what, err);
	b->data = buf;
	b->cap = cap;
	b->fixed = 1;
}

void plm_wbuf_free(plm_wbuf *b)
{
	if (b == NULL)
		return;
	if (b->fixed) {
		b->data = NULL;
		b->len = b->cap = 0;
		return;
	}
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void plm_wbuf_put(plm_wbuf *b, const void *data, size_t len)
{
	size_t need, cap;
	unsigned char *p;

	if (b->status != 0 || len == 0)
		return;
	if (len > b->max || b->len > b->max - len || b->max > SIZE_MAX / 4) {
		b->status = plm_error_set(b->err, PLM_ERR_LIMIT,
		                          "%s is larger than its limit of %zu bytes",
		                          b->what, b->max);
		return;
	}
	need = b->len + len;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need)
			cap *= 2;
		if (cap > b->max)
			cap = b->max;
		p = realloc(b->data, cap);
		if (p == NULL) {
			b->status = plm_error_set(b->err, PLM_ERR_NOMEM,
			                          "out of memory while encoding %s",
			                          b->what);
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

void plm_wbuf_u8(plm_wbuf *b, uint8_t v)
{
	plm_wbuf_put(b, &v, 1);
}

void plm_wbuf_u16(plm_wbuf *b, uint16_t v)
{
	unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	plm_wbuf_put(b, x, 2);
}

void plm_wbuf_u32(plm_wbuf *b, uint32_t v)
{
	unsigned char x[4];

	plm_store_u32(x, v);
	plm_wbuf_put(b, x, 4);
}

void plm_wbuf_u64(plm_wbuf *b, uint64_t v)
{
	unsigned char x[8];

	plm_store_u64(x, v);
	plm_wbuf_put(b, x, 8);
}

void plm_wbuf_str(plm_wbuf *b, const char *field, const char *s, int lenbytes,
                  size_t minlen, size_t maxlen, enum plm_str_class cls)
{
	size_t len;

	if (b->status != 0)
		return;
	if (s == NULL) {
		b->status = plm_error_set(b->err, PLM_ERR_INVALID,
		                          "%s: field %s is missing", b->what, field);
		return;
	}
	len = strlen(s);
	if (len < minlen || len > maxlen || (lenbytes == 1 && len > UINT8_MAX) ||
	    len > UINT16_MAX) {
		b->status = plm_error_set(
		    b->err, PLM_ERR_LIMIT,
		    "%s: field %s is %zu bytes long, it must be %zu to %zu bytes",
		    b->what, field, len, minlen, maxlen);
		return;
	}
	if (!plm_str_valid(s, len, cls)) {
		b->status = plm_error_set(b->err, PLM_ERR_FORMAT,
		                          "%s: field %s contains characters that are "
		                          "not allowed there",
		                          b->what, field);
		return;
	}
	if (lenbytes == 1)
		plm_wbuf_u8(b, (uint8_t)len);
	else
		plm_wbuf_u16(b, (uint16_t)len);
	plm_wbuf_put(b, s, len);
}

int plm_wbuf_status(const plm_wbuf *b)
{
	return b->status;
}

int plm_wbuf_finish(plm_wbuf *b, unsigned char **out, size_t *outlen)
{
	if (b->fixed) {
		*out = NULL;
		*outlen = 0;
		return plm_error_set(b->err, PLM_ERR_INVALID,
		                     "a fixed buffer cannot be handed out");
	}
	if (b->status != 0) {
		plm_wbuf_free(b);
		*out = NULL;
		*outlen = 0;
		return b->status;
	}
	if (b->data == NULL) {
		/* An empty encoding still hands out a valid pointer. */
		b->data = malloc(1);
		if (b->data == NULL)
			return plm_error_set(b->err, PLM_ERR_NOMEM,
			                     "out of memory while encoding %s", b->what);
	}
	*out = b->data;
	*outlen = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return 0;
}

void plm_rbuf_init(plm_rbuf *r, const void *data, size_t len, const char *what,
                   plm_error *err)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->status = 0;
	r->err = err;
	r->what = what;
}

int plm_rbuf_fail(plm_rbuf *r, int code, const char *field, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	if (r->status != 0)
		return r->status;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	r->status = plm_error_set(r->err, code, "malformed %s: field %s at byte %zu: %s",
	                          r->what, field, r->off, detail);
	return r->status;
}

/* Takes N bytes from the cursor, or fails it as truncated. */
static const unsigned char *rbuf_take(plm_rbuf *r, const char *field, size_t n)
{
	const unsigned char *p;

	if (r->status != 0)
		return NULL;
	if (n > r->len - r->off) {
		plm_rbuf_fail(r, PLM_ERR_TRUNCATED, field,
		              "needs %zu bytes but only %zu are left", n,
		              r->len - r->off);
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}

int plm_rbuf_u8(plm_rbuf *r, const char *field, uint8_t *v)
{
	const unsigned char *p = rbuf_take(r, field, 1);

	*v = p ? p[0] : 0;
	return r->status;
}

int plm_rbuf_u16(plm_rbuf *r, const char *field, uint16_t *v)
{
	const unsigned char *p = rbuf_take(r, field, 2);

	*v = p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
	return r->status;
}

int plm_rbuf_u32(plm_rbuf *r, const char *field, uint32_t *v)
{
	const unsigned char *p = rbuf_take(r, field, 4);

	*v = p ? plm_load_u32(p) : 0;
	return r->status;
}

int plm_rbuf_u64(plm_rbuf *r, const char *field, uint64_t *v)
{
	const unsigned char *p = rbuf_take(r, field, 8);

	*v = p ? plm_load_u64(p) : 0;
	return r->status;
}

int plm_rbuf_fixed(plm_rbuf *r, const char *field, void *out, size_t n)
{
	const unsigned char *p = rbuf_take(r, field, n);

	if (p)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
	return r->status;
}

int plm_rbuf_view(plm_rbuf *r, const char *field, size_t n,
                  const unsigned char **view)
{
	*view = rbuf_take(r, field, n);
	return r->status;
}

int plm_rbuf_bool(plm_rbuf *r, const char *field, int *v)
{
	uint8_t b;

	*v = 0;
	if (plm_rbuf_u8(r, field, &b) != 0)
		return r->status;
	if (b > 1)
		return plm_rbuf_fail(r, PLM_ERR_FORMAT, field,
		                     "a flag must be 0 or 1, not %u", b);
	*v = b;
	return 0;
}

int plm_rbuf_str(plm_rbuf *r, const char *field, int lenbytes, size_t minlen,
                 size_t maxlen, enum plm_str_class cls, char *out, size_t outcap)
{
	uint16_t len16 = 0;
	uint8_t len8 = 0;
	size_t len;
	const unsigned char *p;

	if (outcap > 0)
		out[0] = '\0';
	if (lenbytes == 1) {
		plm_rbuf_u8(r, field, &len8);
		len = len8;
	} else {
		plm_rbuf_u16(r, field, &len16);
		len = len16;
	}
	if (r->status != 0)
		return r->status;
	if (len < minlen || len > maxlen)
		return plm_rbuf_fail(r, PLM_ERR_LIMIT, field,
		                     "length %zu is outside %zu..%zu", len, minlen,
		                     maxlen);
	if (len + 1 > outcap)
		return plm_rbuf_fail(r, PLM_ERR_INVALID, field,
		                     "string of %zu bytes does not fit", len);
	if ((p = rbuf_take(r, field, len)) == NULL)
		return r->status;
	if (!plm_str_valid((const char *)p, len, cls))
		return plm_rbuf_fail(r, PLM_ERR_FORMAT, field,
		                     "contains characters not allowed there");
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

int plm_rbuf_end(plm_rbuf *r)
{
	if (r->status != 0)
		return r->status;
	if (r->off != r->len)
		return plm_rbuf_fail(r, PLM_ERR_TRAILING, "(end)",
		                     "%zu unexpected bytes after the end",
		                     r->len - r->off);
	return 0;
}

size_t plm_rbuf_left(const plm_rbuf *r)
{
	return r->status != 0 ? 0 : r->len - r->off;
}

int plm_base64_encode(char **out, const unsigned char *bytes, size_t len,
                      plm_error *err)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);

	if ((*out = malloc(cap)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory encoding base64");
	sodium_bin2base64(*out, cap, bytes, len, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int plm_base64_decode(unsigned char **out, size_t *len, const char *text, size_t max,
                      plm_error *err)
{
	size_t n = strlen(text), cap = n / 4 * 3 + 3;

	*out = NULL;
	*len = 0;
	if (cap > max + 3)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "a base64 value is larger than the %zu bytes allowed", max);
	if ((*out = malloc(cap)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory decoding base64");
	if (sodium_base642bin(*out, cap, text, n, NULL, len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *len > max) {
		free(*out);
		*out = NULL;
		*len = 0;
		return plm_error_set(err, PLM_ERR_FORMAT, "a value is not valid base64");
	}
	return 0;
}
