/*
 * enrollment.c - enrollment requests and invitation codes (PROTOCOL.md
 * §5.10; framing in record.c).
 *
 * A person who received an invitation code from the secretariat makes their
 * keys, and files an enrollment record signed by those very keys (so the
 * request proves that its maker holds them), bound to the invitation by the
 * code's hash. The secretariat certifies the keys (§5.2) once the person
 * has read their fingerprint aloud and it matches the request.
 */
#include "keys/record.h"

#include <sodium.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

/* Crockford's base32: no I, L, O or U, so that nothing reads as another. */
static const char code_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define INVITATION_DOMAIN "palermo/v1/invitation"

/* PROTOCOL.md §5.10: every rule an enrollment body must meet. */
int plm_enrollment_body_check(const plm_record *record, plm_error *err)
{
	const plm_enrollment *e = &record->body.enrollment;
	int r;

	if ((r = PLM_CHECK_STR(err, "enrollment", "user_id", e->user_id, 1,
	                       PLM_RECORD_ID_MAX, PLM_STR_ID)) != 0 ||
	    (r = PLM_CHECK_STR(err, "enrollment", "display_name", e->display_name, 1,
	                       PLM_RECORD_TEXT_MAX, PLM_STR_TEXT)) != 0 ||
	    (r = PLM_CHECK_STR(err, "enrollment", "state", e->state,
	                       PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	                       PLM_STR_STATE)) != 0)
		return r;
	if (plm_record_is_zero(e->invitation, PLM_HASH_BYTES))
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "enrollment: the invitation hash is all zero, so it "
		    "names no invitation");
	return 0;
}

void plm_enrollment_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_enrollment *e = &record->body.enrollment;

	plm_wbuf_str(b, "user_id", e->user_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_str(b, "display_name", e->display_name, 1, 1, PLM_RECORD_TEXT_MAX,
	             PLM_STR_TEXT);
	plm_wbuf_str(b, "state", e->state, 1, PLM_RECORD_STATE_MIN,
	             PLM_RECORD_STATE_MAX, PLM_STR_STATE);
	plm_wbuf_put(b, e->keys.sign_pk, PLM_SIGN_PK_BYTES);
	plm_wbuf_put(b, e->keys.box_pk, PLM_BOX_PK_BYTES);
	plm_wbuf_u64(b, e->created_at);
	plm_wbuf_put(b, e->invitation, PLM_HASH_BYTES);
}

void plm_enrollment_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_enrollment *e = &record->body.enrollment;

	PLM_READ_STR8(r, "user_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, e->user_id);
	PLM_READ_STR8(r, "display_name", 1, PLM_RECORD_TEXT_MAX, PLM_STR_TEXT,
	              e->display_name);
	PLM_READ_STR8(r, "state", PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	              PLM_STR_STATE, e->state);
	plm_rbuf_fixed(r, "sign_pk", e->keys.sign_pk, PLM_SIGN_PK_BYTES);
	plm_rbuf_fixed(r, "box_pk", e->keys.box_pk, PLM_BOX_PK_BYTES);
	plm_rbuf_u64(r, "created_at", &e->created_at);
	plm_rbuf_fixed(r, "invitation", e->invitation, PLM_HASH_BYTES);
}

int plm_enrollment_verify(const plm_record *record, plm_error *err)
{
	int r;

	if ((r = plm_record_expect_type(record, PLM_RECORD_ENROLLMENT, err)) != 0)
		return r;
	/* PROTOCOL.md §5.10: signed by the keys it carries (§5.1 steps 9-10). */
	return plm_record_verify_signer(record, &record->body.enrollment.keys, err);
}

int plm_invitation_code_new(char out[PLM_INVITATION_CODE_TEXT_BYTES], plm_error *err)
{
	size_t i, o = 0;
	int r;

	out[0] = '\0';
	if ((r = plm_init(err)) != 0)
		return r;
	for (i = 0; i < PLM_INVITATION_CODE_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = code_alphabet[randombytes_uniform(32)];
	}
	out[o] = '\0';
	return 0;
}

/*
 * The alphabet character a typed character C stands for (PROTOCOL.md
 * §5.10), '\0' for a separator to skip, or -1 for anything else.
 */
static int code_char(char c)
{
	if (c == ' ' || c == '-' || c == '\t')
		return '\0';
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		return '0';
	if (c == 'I' || c == 'L')
		return '1';
	if (c != '\0' && strchr(code_alphabet, c) != NULL)
		return c;
	return -1;
}

int plm_invitation_code_hash(unsigned char out[PLM_HASH_BYTES], const char *code,
                             plm_error *err)
{
	unsigned char input[sizeof(INVITATION_DOMAIN) + PLM_INVITATION_CODE_CHARS];
	size_t n = 0, i;
	int c;

	memset(out, 0, PLM_HASH_BYTES);
	if (code == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no invitation code was given");
	/* The domain string and its NUL, then the normalized characters. */
	memcpy(input, INVITATION_DOMAIN, sizeof(INVITATION_DOMAIN));
	for (i = 0; code[i] != '\0'; i++) {
		if ((c = code_char(code[i])) < 0)
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "an invitation code has only the digits, the "
			    "letters A-Z without U, and dashes; check the "
			    "code you were given");
		if (c == '\0')
			continue;
		if (n == PLM_INVITATION_CODE_CHARS)
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "an invitation code has %d characters and this "
			    "one has more; check the code you were given",
			    PLM_INVITATION_CODE_CHARS);
		input[sizeof(INVITATION_DOMAIN) + n++] = (unsigned char)c;
	}
	if (n != PLM_INVITATION_CODE_CHARS)
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "an invitation code has %d characters and this one has "
		    "%zu; check the code you were given",
		    PLM_INVITATION_CODE_CHARS, n);
	plm_hash(out, input, sizeof(input));
	sodium_memzero(input, sizeof(input));
	return 0;
}
