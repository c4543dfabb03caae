/*
 * test_record_enrollment.c - enrollment requests and invitation codes
 * (PROTOCOL.md §5.10): the body's encoding written here by hand, field by
 * field as the spec describes it, every bound and class refused with its
 * exact code by the decoder and by the encoder, the self-signature (proof
 * of possession) and its domain, and the invitation code's alphabet,
 * normalization and hash.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/record.h"
#include "tests/unit/check.h"
#include "tests/unit/fixtures.h"

#define T_CREATED 1769904000ULL /* 2026-02-01T00:00:00Z */

static plm_error err;

/* A valid enrollment of ID, not signed yet; NULL on failure. */
static plm_record *enrollment_of(const plm_identity *id)
{
	plm_record *record = NULL;
	plm_enrollment *e;

	if (plm_record_new(&record, PLM_RECORD_ENROLLMENT, NULL) != 0)
		return NULL;
	e = &record->body.enrollment;
	strcpy(e->user_id, "it-fp-rossi");
	strcpy(e->display_name, "Giulia Rossi");
	strcpy(e->state, "ITA");
	e->keys = id->pub;
	e->created_at = T_CREATED;
	memset(e->invitation, 0xa5, PLM_HASH_BYTES);
	return record;
}

/* The fields of an enrollment body, as the test writes them by hand. */
struct body_fields {
	const char *user_id, *display_name, *state;
	const unsigned char *sign_pk, *box_pk;
	uint64_t created_at;
	unsigned char invitation[PLM_HASH_BYTES];
	size_t cut;   /* write only this many bytes of the body (0: all) */
	size_t extra; /* bytes appended after the last field */
};

/* Writes body fields F in the order of PROTOCOL.md §5.10 into B. */
static void write_body(plm_wbuf *b, const struct body_fields *f)
{
	fixture_raw_str8(b, f->user_id);
	fixture_raw_str8(b, f->display_name);
	fixture_raw_str8(b, f->state);
	plm_wbuf_put(b, f->sign_pk, PLM_SIGN_PK_BYTES);
	plm_wbuf_put(b, f->box_pk, PLM_BOX_PK_BYTES);
	plm_wbuf_u64(b, f->created_at);
	plm_wbuf_put(b, f->invitation, PLM_HASH_BYTES);
}

/*
 * Frames body fields F as an enrollment record signed by SIGNER under the
 * domain of TYPE_NAME (PROTOCOL.md §5.1), by hand. Caller frees *OUT.
 */
static int hand_record(const struct body_fields *f, const plm_identity *signer,
                       const char *type_name, unsigned char **out, size_t *len)
{
	unsigned char fpr[PLM_FPR_BYTES], sig[PLM_SIG_BYTES];
	plm_wbuf body, rec;
	size_t body_len, i;
	int r;

	plm_wbuf_init(&body, 1 << 16, "test body", NULL);
	write_body(&body, f);
	body_len = f->cut ? f->cut : body.len;
	plm_wbuf_init(&rec, 1 << 16, "test record", NULL);
	plm_wbuf_u8(&rec, PLM_RECORD_VERSION);
	plm_wbuf_u8(&rec, PLM_RECORD_ENROLLMENT);
	plm_wbuf_u32(&rec, (uint32_t)(body_len + f->extra));
	plm_wbuf_put(&rec, body.data, body_len);
	for (i = 0; i < f->extra; i++)
		plm_wbuf_u8(&rec, 0);
	plm_wbuf_free(&body);
	plm_fingerprint(fpr, &signer->pub);
	plm_wbuf_put(&rec, fpr, PLM_FPR_BYTES);
	if ((r = plm_wbuf_status(&rec)) != 0 ||
	    (r = plm_sign(sig, type_name, rec.data, rec.len, signer->sign_sk, NULL)) !=
	        0) {
		plm_wbuf_free(&rec);
		return r;
	}
	plm_wbuf_put(&rec, sig, PLM_SIG_BYTES);
	return plm_wbuf_finish(&rec, out, len);
}

/* Default body fields for identity ID. */
static void default_fields(struct body_fields *f, const plm_identity *id)
{
	memset(f, 0, sizeof(*f));
	f->user_id = "it-fp-rossi";
	f->display_name = "Giulia Rossi";
	f->state = "ITA";
	f->sign_pk = id->pub.sign_pk;
	f->box_pk = id->pub.box_pk;
	f->created_at = T_CREATED;
	memset(f->invitation, 0xa5, PLM_HASH_BYTES);
}

/* Decodes F's hand-made record and returns the status (contract checked). */
static int decode_fields(const struct body_fields *f, const plm_identity *id)
{
	plm_record *record = (plm_record *)1;
	unsigned char *bytes = NULL;
	size_t len = 0;
	int r;

	if (hand_record(f, id, "enrollment", &bytes, &len) != 0)
		return 900;
	plm_error_clear(&err);
	r = plm_record_decode(bytes, len, &record, &err);
	free(bytes);
	if (r == 0 && record == NULL)
		return 901;
	if (r != 0 && record != NULL)
		return 902;
	if (r != 0 && (err.code != r || err.message[0] == '\0'))
		return 903;
	plm_record_free(record);
	return r;
}

/* The library's encoding is the spec's, byte for byte; and it round-trips. */
static void test_encoding(void)
{
	plm_identity *rossi = fixture_identity(0x20);
	plm_record *record = NULL, *decoded = NULL;
	unsigned char *mine = NULL, *theirs = NULL, id[PLM_HASH_BYTES];
	size_t mine_len = 0, theirs_len = 0;
	struct body_fields f;
	int r, same;

	CHECK(rossi != NULL);
	record = enrollment_of(rossi);
	CHECK(record != NULL);
	r = plm_record_encode_sign(record, rossi, &mine, &mine_len, &err);
	default_fields(&f, rossi);
	if (r == 0)
		r = hand_record(&f, rossi, "enrollment", &theirs, &theirs_len);
	same = r == 0 && mine_len == theirs_len && memcmp(mine, theirs, mine_len) == 0;
	/* 6 framing + 12 + 13 + 4 + 64 + 8 + 32 body + 96 trailer */
	if (r == 0)
		r = plm_record_decode(mine, mine_len, &decoded, &err);
	plm_record_free(record);
	plm_identity_free(rossi);
	free(theirs);
	CHECK_INT(r, 0);
	CHECK(same);
	CHECK_INT(mine_len, 6 + 12 + 13 + 4 + 64 + 8 + 32 + 96);
	plm_hash(id, mine, mine_len);
	free(mine);
	CHECK_MEM(decoded->id, id, PLM_HASH_BYTES);
	CHECK_INT(decoded->type, PLM_RECORD_ENROLLMENT);
	CHECK_STR(decoded->body.enrollment.user_id, "it-fp-rossi");
	CHECK_STR(decoded->body.enrollment.display_name, "Giulia Rossi");
	CHECK_STR(decoded->body.enrollment.state, "ITA");
	CHECK(decoded->body.enrollment.created_at == T_CREATED);
	CHECK(decoded->body.enrollment.invitation[31] == 0xa5);
	r = plm_enrollment_verify(decoded, &err);
	plm_record_free(decoded);
	CHECK_INT(r, 0);
}

/* PROTOCOL.md §5.10 / §5.1 step 6-8: every field's bounds and class, decoded. */
static void test_decode_fields(void)
{
	plm_identity *id = fixture_identity(0x20);
	char long_id[66], long_text[130], long_state[10];
	struct body_fields f;
	size_t full, cut;
	int r[16], i = 0;

	CHECK(id != NULL);
	memset(long_id, 'a', 65);
	long_id[65] = '\0';
	memset(long_text, 'x', 129);
	long_text[129] = '\0';
	memset(long_state, 'A', 9);
	long_state[9] = '\0';

	default_fields(&f, id);
	r[i++] = decode_fields(&f, id); /* 0: valid */
	f.user_id = long_id + 1;        /* 64 bytes: the longest */
	f.display_name = long_text + 1; /* 128 bytes */
	f.state = long_state + 1;       /* 8 bytes */
	r[i++] = decode_fields(&f, id); /* 1: valid at the bounds */
	default_fields(&f, id);
	f.user_id = "";
	r[i++] = decode_fields(&f, id); /* 2 */
	f.user_id = long_id;
	r[i++] = decode_fields(&f, id); /* 3 */
	f.user_id = "Rossi";
	r[i++] = decode_fields(&f, id); /* 4: upper case is not ID */
	default_fields(&f, id);
	f.display_name = "";
	r[i++] = decode_fields(&f, id); /* 5 */
	f.display_name = long_text;
	r[i++] = decode_fields(&f, id); /* 6 */
	f.display_name = "Giulia\x07Rossi";
	r[i++] = decode_fields(&f, id); /* 7: a control character */
	default_fields(&f, id);
	f.state = "I";
	r[i++] = decode_fields(&f, id); /* 8 */
	f.state = long_state;
	r[i++] = decode_fields(&f, id); /* 9 */
	f.state = "ita";
	r[i++] = decode_fields(&f, id); /* 10 */
	default_fields(&f, id);
	memset(f.invitation, 0, PLM_HASH_BYTES);
	r[i++] = decode_fields(&f, id); /* 11: after: all zero */
	default_fields(&f, id);
	f.extra = 1;
	r[i++] = decode_fields(&f, id); /* 12: a byte after created_at */
	/* Cut inside the invitation and inside the keys. */
	full = 12 + 13 + 4 + 64 + 8 + 32;
	default_fields(&f, id);
	f.cut = full - 1;
	r[i++] = decode_fields(&f, id); /* 13 */
	cut = 12 + 13 + 4 + 10;
	f.cut = cut;
	r[i++] = decode_fields(&f, id); /* 14 */
	plm_identity_free(id);
	CHECK_INT(r[0], 0);
	CHECK_INT(r[1], 0);
	CHECK_INT(r[2], PLM_ERR_LIMIT);
	CHECK_INT(r[3], PLM_ERR_LIMIT);
	CHECK_INT(r[4], PLM_ERR_FORMAT);
	CHECK_INT(r[5], PLM_ERR_LIMIT);
	CHECK_INT(r[6], PLM_ERR_LIMIT);
	CHECK_INT(r[7], PLM_ERR_FORMAT);
	CHECK_INT(r[8], PLM_ERR_LIMIT);
	CHECK_INT(r[9], PLM_ERR_LIMIT);
	CHECK_INT(r[10], PLM_ERR_FORMAT);
	CHECK_INT(r[11], PLM_ERR_FORMAT);
	CHECK_INT(r[12], PLM_ERR_TRAILING);
	CHECK_INT(r[13], PLM_ERR_TRUNCATED);
	CHECK_INT(r[14], PLM_ERR_TRUNCATED);
}

/* Every proper prefix of a valid record is PLM_ERR_TRUNCATED (§5.1). */
static void test_prefixes(void)
{
	plm_identity *id = fixture_identity(0x20);
	plm_record *record = NULL, *decoded = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0, n, bad = 0;

	CHECK(id != NULL);
	record = enrollment_of(id);
	CHECK(record != NULL);
	CHECK_INT(plm_record_encode_sign(record, id, &bytes, &len, &err), 0);
	for (n = 0; n < len; n++) {
		if (plm_record_decode(bytes, n, &decoded, &err) != PLM_ERR_TRUNCATED ||
		    decoded != NULL)
			bad++;
		plm_record_free(decoded);
		decoded = NULL;
	}
	free(bytes);
	plm_record_free(record);
	plm_identity_free(id);
	CHECK_INT(bad, 0);
}

/* The encoder refuses what the decoder refuses, and then signs nothing. */
static void test_encoder_refuses(void)
{
	plm_identity *id = fixture_identity(0x20);
	plm_record *record;
	unsigned char *bytes;
	size_t len;
	int r[6], k;

	CHECK(id != NULL);
	for (k = 0; k < 6; k++) {
		record = enrollment_of(id);
		CHECK(record != NULL);
		switch (k) {
		case 0:
			record->body.enrollment.user_id[0] = '\0';
			break;
		case 1:
			strcpy(record->body.enrollment.user_id, "Rossi");
			break;
		case 2:
			memset(record->body.enrollment.display_name, 'x',
			       sizeof(record->body.enrollment.display_name));
			break; /* not terminated */
		case 3:
			strcpy(record->body.enrollment.state, "it");
			break;
		case 4:
			memset(record->body.enrollment.invitation, 0, PLM_HASH_BYTES);
			break;
		case 5:
			strcpy(record->body.enrollment.state, "I");
			break;
		}
		bytes = (unsigned char *)1;
		len = 1;
		plm_error_clear(&err);
		r[k] = plm_record_encode_sign(record, id, &bytes, &len, &err);
		if (r[k] != 0 && (bytes != NULL || len != 0 ||
		                  record->encoding != NULL || err.code != r[k]))
			r[k] = 999;
		plm_record_free(record);
	}
	plm_identity_free(id);
	CHECK_INT(r[0], PLM_ERR_LIMIT);
	CHECK_INT(r[1], PLM_ERR_FORMAT);
	CHECK_INT(r[2], PLM_ERR_LIMIT);
	CHECK_INT(r[3], PLM_ERR_FORMAT);
	CHECK_INT(r[4], PLM_ERR_FORMAT);
	CHECK_INT(r[5], PLM_ERR_LIMIT);
}

/* The proof of possession: only the keys in the body may sign it. */
static void test_verify(void)
{
	plm_identity *rossi = fixture_identity(0x20), *other = fixture_identity(0x77);
	plm_record *record = NULL, *decoded = NULL, *cert = NULL;
	unsigned char *bytes = NULL;
	struct body_fields f;
	size_t len = 0;
	int r[6];

	CHECK(rossi != NULL && other != NULL);
	/* 0: signed by its own keys. */
	record = enrollment_of(rossi);
	CHECK(record != NULL);
	CHECK_INT(plm_record_encode_sign(record, rossi, &bytes, &len, &err), 0);
	r[0] = plm_enrollment_verify(record, &err);
	/* 1: one bit of the signature flipped. */
	bytes[len - 1] ^= 1;
	CHECK_INT(plm_record_decode(bytes, len, &decoded, &err), 0);
	r[1] = plm_enrollment_verify(decoded, &err);
	plm_record_free(decoded);
	decoded = NULL;
	free(bytes);
	bytes = NULL;
	/* 2: Rossi's keys in the body, signed by someone else. */
	CHECK_INT(plm_record_encode_sign(record, other, NULL, NULL, &err), 0);
	r[2] = plm_enrollment_verify(record, &err);
	/* 3: the right keys, but the signature made under another type's domain. */
	default_fields(&f, rossi);
	CHECK_INT(hand_record(&f, rossi, "certificate", &bytes, &len), 0);
	CHECK_INT(plm_record_decode(bytes, len, &decoded, &err), 0);
	r[3] = plm_enrollment_verify(decoded, &err);
	free(bytes);
	bytes = NULL;
	/* 4: not an enrollment at all. */
	CHECK_INT(plm_record_new(&cert, PLM_RECORD_CERTIFICATE, &err), 0);
	r[4] = plm_enrollment_verify(cert, &err);
	/* 5: never encoded. */
	plm_record_free(record);
	record = enrollment_of(rossi);
	CHECK(record != NULL);
	r[5] = plm_enrollment_verify(record, &err);
	plm_record_free(record);
	plm_record_free(decoded);
	plm_record_free(cert);
	plm_identity_free(rossi);
	plm_identity_free(other);
	CHECK_INT(r[0], 0);
	CHECK_INT(r[1], PLM_ERR_SIGNATURE);
	CHECK_INT(r[2], PLM_ERR_MISMATCH);
	CHECK_INT(r[3], PLM_ERR_SIGNATURE);
	CHECK_INT(r[4], PLM_ERR_TYPE);
	CHECK_INT(r[5], PLM_ERR_INVALID);
}

/* 1 if every character of S is in the code alphabet. */
static int in_alphabet(const char *s, size_t n)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(alphabet, s[i]) == NULL)
			return 0;
	return 1;
}

/* New codes: five groups of four characters of the alphabet, all different. */
static void test_code_new(void)
{
	char code[PLM_INVITATION_CODE_TEXT_BYTES],
	    first[PLM_INVITATION_CODE_TEXT_BYTES];
	unsigned seen[256] = {0};
	size_t g, distinct = 0;
	int k, bad = 0;

	CHECK_INT(plm_invitation_code_new(first, &err), 0);
	for (k = 0; k < 200; k++) {
		CHECK_INT(plm_invitation_code_new(code, &err), 0);
		if (strlen(code) != 24 || strcmp(code, first) == 0)
			bad++;
		for (g = 0; g < 5; g++) {
			if (!in_alphabet(code + 5 * g, 4))
				bad++;
			if (g < 4 && code[5 * g + 4] != '-')
				bad++;
		}
		for (g = 0; g < 24; g++)
			seen[(unsigned char)code[g]]++;
	}
	for (g = 0; g < 256; g++)
		distinct += seen[g] != 0;
	CHECK_INT(bad, 0);
	/* 4000 draws from 32 characters (plus the dash) miss none of them. */
	CHECK_INT(distinct, 33);
}

/* The hash is BLAKE2b-256 of the domain, its NUL and the 20 characters. */
static void test_code_hash(void)
{
	static const char domain[] = "palermo/v1/invitation";
	unsigned char want[PLM_HASH_BYTES], got[PLM_HASH_BYTES], input[64];
	const char *chars = "7KQ2M9XD4HTW0PB1RZ8C";

	memcpy(input, domain, sizeof(domain));
	memcpy(input + sizeof(domain), chars, 20);
	crypto_generichash(want, sizeof(want), input, sizeof(domain) + 20, NULL, 0);
	CHECK_INT(plm_invitation_code_hash(got, "7KQ2-M9XD-4HTW-0PB1-RZ8C", &err), 0);
	CHECK_MEM(got, want, PLM_HASH_BYTES);
	/* As a person may type it: lower case, spaces, O for 0, I or L for 1. */
	memset(got, 0, sizeof(got));
	CHECK_INT(plm_invitation_code_hash(got, "7kq2 m9xd 4htw opbi rz8c", &err), 0);
	CHECK_MEM(got, want, PLM_HASH_BYTES);
	memset(got, 0, sizeof(got));
	CHECK_INT(plm_invitation_code_hash(got, "7KQ2M9XD4HTWOPBLRZ8C", &err), 0);
	CHECK_MEM(got, want, PLM_HASH_BYTES);
	/* Another code, another hash. */
	CHECK_INT(plm_invitation_code_hash(got, "7KQ2-M9XD-4HTW-0PB1-RZ8D", &err), 0);
	CHECK(memcmp(got, want, PLM_HASH_BYTES) != 0);
}

static void test_code_refused(void)
{
	unsigned char out[PLM_HASH_BYTES];
	int r[7];

	r[0] = plm_invitation_code_hash(out, "7KQ2-M9XD-4HTW-0PB1-RZ8", &err);
	r[1] = plm_invitation_code_hash(out, "7KQ2-M9XD-4HTW-0PB1-RZ8CC", &err);
	r[2] = plm_invitation_code_hash(out, "7KQ2-M9XD-4HTW-0PB1-RZ8U", &err);
	r[3] = plm_invitation_code_hash(out, "7KQ2-M9XD-4HTW-0PB1-RZ8!", &err);
	r[4] = plm_invitation_code_hash(out, "", &err);
	r[5] = plm_invitation_code_hash(out, "7KQ2-M9XD-4HTW-0PB1-RZ8\xc3\xa9", &err);
	r[6] = plm_invitation_code_hash(out, NULL, &err);
	CHECK_INT(r[0], PLM_ERR_FORMAT);
	CHECK_INT(r[1], PLM_ERR_FORMAT);
	CHECK_INT(r[2], PLM_ERR_FORMAT);
	CHECK_INT(r[3], PLM_ERR_FORMAT);
	CHECK_INT(r[4], PLM_ERR_FORMAT);
	CHECK_INT(r[5], PLM_ERR_FORMAT);
	CHECK_INT(r[6], PLM_ERR_INVALID);
	CHECK(err.message[0] != '\0');
}

static const struct check_case cases[] = {
    CHECK_CASE(test_encoding),  CHECK_CASE(test_decode_fields),
    CHECK_CASE(test_prefixes),  CHECK_CASE(test_encoder_refuses),
    CHECK_CASE(test_verify),    CHECK_CASE(test_code_new),
    CHECK_CASE(test_code_hash), CHECK_CASE(test_code_refused),
};

CHECK_MAIN("test_record_enrollment", cases)
