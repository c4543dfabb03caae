/*
 * fuzz_codec.c - libFuzzer target for the string rules of the canonical
 * encoding (keys/codec.h, PROTOCOL.md §2.2).
 *
 * Input: a 7-byte header, then the bytes to decode.
 *   [0] class (taken mod 8, so 0 - an unknown class - occurs too)
 *   [1] flags: bit 0 set = str16, else str8; bit 1 set = use [6] as the
 *       output capacity (may be too small), else maxlen + 1
 *   [2..3] minlen (u16), [4..5] maxlen (u16), [6] capacity
 *
 * Strings are read one after another until the reader fails or the input
 * ends. Every string accepted must be of its class, without NUL, within its
 * bounds, and re-encode with plm_wbuf_str to exactly the bytes it was read
 * from. After a failure the reader must stay failed (sticky) and yield "".
 * Finally the whole body is checked as one string of every class: the
 * writer must accept exactly what plm_str_valid accepts, and what it writes
 * must read back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 7

static void read_strings(const unsigned char *body, size_t len, int cls, int lenbytes,
                         size_t minlen, size_t maxlen, size_t outcap)
{
	char *out = malloc(outcap > 0 ? outcap : 1);
	unsigned char *enc = NULL;
	size_t start, slen, enclen;
	plm_error err;
	plm_rbuf r;
	plm_wbuf w;
	int rc;

	if (out == NULL)
		abort();
	plm_rbuf_init(&r, body, len, "fuzz", &err);
	for (;;) {
		start = r.off;
		rc = plm_rbuf_str(&r, "s", lenbytes, minlen, maxlen,
		                  (enum plm_str_class)cls, out, outcap);
		if (rc != 0)
			break;
		slen = strlen(out);
		if (slen != r.off - start - (size_t)lenbytes)
			abort(); /* a NUL got through */
		if (slen < minlen || slen > maxlen || slen + 1 > outcap)
			abort();
		if (!plm_str_valid(out, slen, (enum plm_str_class)cls))
			abort();
		plm_wbuf_init(&w, 1 << 20, "fuzz", NULL);
		plm_wbuf_str(&w, "s", out, lenbytes, minlen, maxlen,
		             (enum plm_str_class)cls);
		if (plm_wbuf_finish(&w, &enc, &enclen) != 0)
			abort();
		if (enclen != r.off - start || memcmp(enc, body + start, enclen) != 0)
			abort();
		free(enc);
		if (plm_rbuf_left(&r) == 0)
			break;
	}
	if (rc != 0) {
		if (rc != PLM_ERR_TRUNCATED && rc != PLM_ERR_LIMIT &&
		    rc != PLM_ERR_FORMAT && rc != PLM_ERR_INVALID)
			abort();
		if (err.code != rc || (outcap > 0 && out[0] != '\0'))
			abort();
		/* Sticky: the next read fails the same way and yields "". */
		if (outcap > 0)
			out[0] = 'x';
		if (plm_rbuf_str(&r, "t", lenbytes, 0, maxlen, (enum plm_str_class)cls,
		                 out, outcap) != rc)
			abort();
		if ((outcap > 0 && out[0] != '\0') || plm_rbuf_left(&r) != 0 ||
		    plm_rbuf_end(&r) != rc)
			abort();
	}
	free(out);
}

/* The whole body as one string: writer and validator agree, and round-trip. */
static void write_whole(const unsigned char *body, size_t len, int cls)
{
	char *s = malloc(len + 1), out[256];
	unsigned char *enc = NULL;
	size_t enclen = 0;
	int valid, rc;
	plm_rbuf r;
	plm_wbuf w;

	if (s == NULL)
		abort();
	memcpy(s, body, len);
	s[len] = '\0';
	valid = plm_str_valid(s, len, (enum plm_str_class)cls);
	if (memchr(s, '\0', len) != NULL) {
		/* No class admits NUL. */
		if (valid)
			abort();
		free(s);
		return;
	}
	plm_wbuf_init(&w, 1 << 20, "fuzz", NULL);
	plm_wbuf_str(&w, "s", s, 1, 0, 255, (enum plm_str_class)cls);
	rc = plm_wbuf_finish(&w, &enc, &enclen);
	if (len > 255) {
		if (rc != PLM_ERR_LIMIT)
			abort();
	} else if (valid != (rc == 0) || (!valid && rc != PLM_ERR_FORMAT)) {
		abort();
	}
	if (rc == 0) {
		if (enclen != len + 1 || enc[0] != len || memcmp(enc + 1, s, len) != 0)
			abort();
		plm_rbuf_init(&r, enc, enclen, "fuzz", NULL);
		if (plm_rbuf_str(&r, "s", 1, 0, 255, (enum plm_str_class)cls, out,
		                 sizeof(out)) != 0 ||
		    plm_rbuf_end(&r) != 0 || strcmp(out, s) != 0)
			abort();
		free(enc);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t minlen, maxlen, outcap;
	int cls, lenbytes;

	if (size < HEADER)
		return 0;
	cls = data[0] % 8;
	lenbytes = (data[1] & 1) ? 2 : 1;
	minlen = ((size_t)data[2] << 8) | data[3];
	maxlen = ((size_t)data[4] << 8) | data[5];
	outcap = (data[1] & 2) ? data[6] : maxlen + 1;
	read_strings(data + HEADER, size - HEADER, cls, lenbytes, minlen, maxlen,
	             outcap);
	for (cls = 0; cls <= 8; cls++)
		write_whole(data + HEADER, size - HEADER, cls);
	return 0;
}
