/* fixtures.c - helpers shared by the keys/ unit tests (see fixtures.h). */
#include "tests/unit/fixtures.h"

#include "tests/unit/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

plm_identity *fixture_identity(unsigned char n)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_identity *id = NULL;
	size_t i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (unsigned char)(n + i);
	if (plm_identity_from_seed(&id, seed, NULL) != 0)
		return NULL;
	return id;
}

void fixture_set_str(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);

	memset(dst, 0, cap);
	memcpy(dst, src, len < cap ? len : cap);
}

void fixture_raw_str8(plm_wbuf *b, const char *s)
{
	plm_wbuf_u8(b, (uint8_t)strlen(s));
	plm_wbuf_put(b, s, strlen(s));
}

unsigned char *fixture_frame(uint8_t type, const unsigned char *body, size_t body_len,
                             size_t *len)
{
	static const unsigned char zero[PLM_RECORD_TRAILER_BYTES];
	unsigned char *out = NULL;
	plm_wbuf b;

	plm_wbuf_init(&b, PLM_RECORD_MAX_BYTES + 16, "test frame", NULL);
	plm_wbuf_u8(&b, PLM_RECORD_VERSION);
	plm_wbuf_u8(&b, type);
	plm_wbuf_u32(&b, (uint32_t)body_len);
	plm_wbuf_put(&b, body, body_len);
	plm_wbuf_put(&b, zero, sizeof(zero));
	if (plm_wbuf_finish(&b, &out, len) != 0)
		abort();
	return out;
}

int fixture_decode_body(uint8_t type, plm_wbuf *body, plm_error *err)
{
	plm_record *record = (plm_record *)1;
	unsigned char *bytes;
	size_t len;
	int r;

	bytes = fixture_frame(type, body->data, body->len, &len);
	plm_wbuf_free(body);
	plm_error_clear(err);
	r = plm_record_decode(bytes, len, &record, err);
	free(bytes);
	if (r == 0 && record == NULL)
		return 901;
	if (r != 0 && record != NULL)
		return 902;
	if (r != 0 && (err->code != r || err->message[0] == '\0'))
		return 903;
	plm_record_free(record);
	return r;
}

int fixture_encode_record(plm_record *record, const plm_identity *signer,
                          plm_error *err)
{
	unsigned char *bytes = (unsigned char *)1;
	size_t len = 1;
	int r;

	plm_error_clear(err);
	r = plm_record_encode_sign(record, signer, &bytes, &len, err);
	if (r != 0 && (bytes != NULL || len != 0 || record->encoding != NULL))
		r = 904;
	else if (r != 0 && (err->code != r || err->message[0] == '\0'))
		r = 905;
	if (r == 0)
		free(bytes);
	plm_record_free(record);
	return r;
}

char *fixture_path(const char *name)
{
	static char paths[4][4096];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%s", check_tmpdir(), name);
	return p;
}
