/*
 * test_record.c - signed records: the framing (PROTOCOL.md §5.1), the
 * certificate, revocation, disclosure, agreement and stage bodies (§5.2,
 * §5.3, §5.6-§5.8), signatures and their domain separation. Rosters and
 * epoch keys are in test_record_roster.c.
 *
 * Bytes for the decoder's negative cases are written here by hand, field by
 * field as PROTOCOL.md describes them, independently of the library's
 * encoders; the valid ones must come out byte for byte as the library's.
 */
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/record.h"
#include "tests/unit/check.h"
#include "tests/unit/fixtures.h"

#define T_NOT_BEFORE 1767225600ULL /* 2026-01-01T00:00:00Z */
#define T_NOT_AFTER 1830297600ULL  /* 2028-01-01T00:00:00Z */
#define T_CREATED 1769904000ULL    /* 2026-02-01T00:00:00Z */

static plm_error err;

static int decode_body(uint8_t type, plm_wbuf *body)
{
	return fixture_decode_body(type, body, &err);
}

static int encode_record(plm_record *record, const plm_identity *signer)
{
	return fixture_encode_record(record, signer, &err);
}

/* A string of N copies of C (static storage, one per call site size). */
static const char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static char id64[65], id65[66], text128[129], text129[130], name32[33], name33[34],
    state8[9], state9[10];

static void init_strings(void)
{
	repeat(id64, 'a', 64);
	repeat(id65, 'a', 65);
	repeat(text128, 'x', 128);
	repeat(text129, 'x', 129);
	repeat(name32, 'n', 32);
	repeat(name33, 'n', 33);
	repeat(state8, 'A', 8);
	repeat(state9, 'A', 9);
}


/* ---- certificate (PROTOCOL.md §5.2) ---- */

struct cert_fields {
	uint64_t serial;
	const char *user_id, *display_name, *state;
	uint8_t usage;
	uint64_t not_before, not_after;
};

static const struct cert_fields cert_ok = {7,          "it-fp-rossi",    "Giulia Rossi",
                                           "ITA",      PLM_USAGE_MEMBER, T_NOT_BEFORE,
                                           T_NOT_AFTER};
static const unsigned char cert_sign_pk[32] = {0x51, 0x52, 0x53};
static const unsigned char cert_box_pk[32] = {0xb1, 0xb2, 0xb3};

static void cert_body(plm_wbuf *b, const struct cert_fields *f)
{
	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	plm_wbuf_u64(b, f->serial);
	fixture_raw_str8(b, f->user_id);
	fixture_raw_str8(b, f->display_name);
	fixture_raw_str8(b, f->state);
	plm_wbuf_u8(b, f->usage);
	plm_wbuf_put(b, cert_sign_pk, 32);
	plm_wbuf_put(b, cert_box_pk, 32);
	plm_wbuf_u64(b, f->not_before);
	plm_wbuf_u64(b, f->not_after);
}

static plm_record *cert_record(const struct cert_fields *f)
{
	plm_record *record = NULL;
	plm_certificate *c;

	if (plm_record_new(&record, PLM_RECORD_CERTIFICATE, NULL) != 0)
		abort();
	c = &record->body.certificate;
	c->serial = f->serial;
	SET_STR(c->user_id, f->user_id);
	SET_STR(c->display_name, f->display_name);
	SET_STR(c->state, f->state);
	c->usage = f->usage;
	memcpy(c->keys.sign_pk, cert_sign_pk, 32);
	memcpy(c->keys.box_pk, cert_box_pk, 32);
	c->not_before = f->not_before;
	c->not_after = f->not_after;
	return record;
}

static int cert_decode(const struct cert_fields *f)
{
	plm_wbuf b;

	cert_body(&b, f);
	return decode_body(PLM_RECORD_CERTIFICATE, &b);
}

static int cert_encode(const struct cert_fields *f, const plm_identity *signer)
{
	return encode_record(cert_record(f), signer);
}

/* ---- revocation (§5.3) ---- */

struct revocation_fields {
	uint64_t serial;
	unsigned char revoked[32];
	uint64_t revoked_at;
	uint8_t reason;
};

static const struct revocation_fields revocation_ok = {
    7, {0xee, 0x01}, T_CREATED, PLM_REVOKED_DEVICE_LOST};

static void revocation_body(plm_wbuf *b, const struct revocation_fields *f)
{
	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	plm_wbuf_u64(b, f->serial);
	plm_wbuf_put(b, f->revoked, 32);
	plm_wbuf_u64(b, f->revoked_at);
	plm_wbuf_u8(b, f->reason);
}

static plm_record *revocation_record(const struct revocation_fields *f)
{
	plm_record *record = NULL;

	if (plm_record_new(&record, PLM_RECORD_REVOCATION, NULL) != 0)
		abort();
	record->body.revocation.serial = f->serial;
	memcpy(record->body.revocation.revoked, f->revoked, 32);
	record->body.revocation.revoked_at = f->revoked_at;
	record->body.revocation.reason = f->reason;
	return record;
}

/* ---- disclosure (§5.6) ---- */

struct disclosure_fields {
	const char *review_id;
	unsigned char envelope_id[32];
	uint8_t scope;
	uint64_t parties_epoch;
	unsigned char wrapped[PLM_WRAPPED_KEY_BYTES];
	unsigned char key[32];
	uint64_t created_at;
};

static const struct disclosure_fields disclosure_ok = {"untoc-ita-2026-c1",
                                                       {0xd0, 0xc5},
                                                       PLM_DISCLOSE_PARTIES,
                                                       3,
                                                       {0x77, 0x78},
                                                       {0},
                                                       T_CREATED};

static void disclosure_body(plm_wbuf *b, const struct disclosure_fields *f)
{
	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	fixture_raw_str8(b, f->review_id);
	plm_wbuf_put(b, f->envelope_id, 32);
	plm_wbuf_u8(b, f->scope);
	if (f->scope == PLM_DISCLOSE_PARTIES) {
		plm_wbuf_u64(b, f->parties_epoch);
		plm_wbuf_put(b, f->wrapped, PLM_WRAPPED_KEY_BYTES);
	} else if (f->scope == PLM_DISCLOSE_PUBLIC) {
		plm_wbuf_put(b, f->key, 32);
	}
	plm_wbuf_u64(b, f->created_at);
}

static plm_record *disclosure_record(const struct disclosure_fields *f)
{
	plm_record *record = NULL;
	plm_disclosure *d;

	if (plm_record_new(&record, PLM_RECORD_DISCLOSURE, NULL) != 0)
		abort();
	d = &record->body.disclosure;
	SET_STR(d->review_id, f->review_id);
	memcpy(d->envelope_id, f->envelope_id, 32);
	d->scope = f->scope;
	d->parties_epoch = f->parties_epoch;
	memcpy(d->wrapped_key, f->wrapped, PLM_WRAPPED_KEY_BYTES);
	memcpy(d->public_key, f->key, 32);
	d->created_at = f->created_at;
	return record;
}

/* ---- agreement (§5.7) ---- */

struct agreement_fields {
	const char *review_id;
	unsigned char document[32];
	const char *kind, *state;
	uint64_t created_at;
};

static const struct agreement_fields agreement_ok = {
    "untoc-ita-2026-c1", {0xdd, 0x01}, "list_of_observations", "FRA", T_CREATED};

static void agreement_body(plm_wbuf *b, const struct agreement_fields *f)
{
	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	fixture_raw_str8(b, f->review_id);
	plm_wbuf_put(b, f->document, 32);
	fixture_raw_str8(b, f->kind);
	fixture_raw_str8(b, f->state);
	plm_wbuf_u64(b, f->created_at);
}

static plm_record *agreement_record(const struct agreement_fields *f)
{
	plm_record *record = NULL;
	plm_agreement *a;

	if (plm_record_new(&record, PLM_RECORD_AGREEMENT, NULL) != 0)
		abort();
	a = &record->body.agreement;
	SET_STR(a->review_id, f->review_id);
	memcpy(a->document, f->document, 32);
	SET_STR(a->kind, f->kind);
	SET_STR(a->state, f->state);
	a->created_at = f->created_at;
	return record;
}

/* ---- stage (§5.8) ---- */

struct stage_fields {
	const char *review_id;
	uint64_t sequence;
	const char *from_stage, *to_stage;
	uint64_t effective_at;
};

static const struct stage_fields stage_ok = {"untoc-ita-2026-c1", 1, "self_assessment",
                                             "feedback", T_CREATED};

static void stage_body(plm_wbuf *b, const struct stage_fields *f)
{
	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	fixture_raw_str8(b, f->review_id);
	plm_wbuf_u64(b, f->sequence);
	fixture_raw_str8(b, f->from_stage);
	fixture_raw_str8(b, f->to_stage);
	plm_wbuf_u64(b, f->effective_at);
}

static plm_record *stage_record(const struct stage_fields *f)
{
	plm_record *record = NULL;
	plm_stage *s;

	if (plm_record_new(&record, PLM_RECORD_STAGE, NULL) != 0)
		abort();
	s = &record->body.stage;
	SET_STR(s->review_id, f->review_id);
	s->sequence = f->sequence;
	SET_STR(s->from_stage, f->from_stage);
	SET_STR(s->to_stage, f->to_stage);
	s->effective_at = f->effective_at;
	return record;
}

/* The valid body of TYPE, written by hand, and its unsigned record. */
static void valid_body(int type, plm_wbuf *b)
{
	switch (type) {
	case PLM_RECORD_CERTIFICATE:
		cert_body(b, &cert_ok);
		break;
	case PLM_RECORD_REVOCATION:
		revocation_body(b, &revocation_ok);
		break;
	case PLM_RECORD_DISCLOSURE:
		disclosure_body(b, &disclosure_ok);
		break;
	case PLM_RECORD_AGREEMENT:
		agreement_body(b, &agreement_ok);
		break;
	default:
		stage_body(b, &stage_ok);
		break;
	}
}

static plm_record *valid_record(int type)
{
	switch (type) {
	case PLM_RECORD_CERTIFICATE:
		return cert_record(&cert_ok);
	case PLM_RECORD_REVOCATION:
		return revocation_record(&revocation_ok);
	case PLM_RECORD_DISCLOSURE:
		return disclosure_record(&disclosure_ok);
	case PLM_RECORD_AGREEMENT:
		return agreement_record(&agreement_ok);
	default:
		return stage_record(&stage_ok);
	}
}

static const int simple_types[] = {PLM_RECORD_CERTIFICATE, PLM_RECORD_REVOCATION,
                                   PLM_RECORD_DISCLOSURE, PLM_RECORD_AGREEMENT,
                                   PLM_RECORD_STAGE};
#define N_SIMPLE (sizeof(simple_types) / sizeof(simple_types[0]))

/* Signs the valid record of TYPE with SIGNER; *BYTES (free()) its encoding. */
static plm_record *signed_record(int type, const plm_identity *signer,
                                 unsigned char **bytes, size_t *len)
{
	plm_record *record = valid_record(type);

	if (plm_record_encode_sign(record, signer, bytes, len, &err) != 0)
		abort();
	return record;
}

static void test_type_names(void)
{
	plm_record *record = NULL;

	CHECK_STR(plm_record_type_name(PLM_RECORD_CERTIFICATE), "certificate");
	CHECK_STR(plm_record_type_name(PLM_RECORD_REVOCATION), "revocation");
	CHECK_STR(plm_record_type_name(PLM_RECORD_ROSTER), "roster");
	CHECK_STR(plm_record_type_name(PLM_RECORD_EPOCH_KEYS), "epoch_keys");
	CHECK_STR(plm_record_type_name(PLM_RECORD_DISCLOSURE), "disclosure");
	CHECK_STR(plm_record_type_name(PLM_RECORD_AGREEMENT), "agreement");
	CHECK_STR(plm_record_type_name(PLM_RECORD_STAGE), "stage");
	CHECK(plm_record_type_name(0) == NULL);
	CHECK_STR(plm_record_type_name(PLM_RECORD_ENROLLMENT), "enrollment");
	CHECK(plm_record_type_name(9) == NULL);
	CHECK_INT(plm_record_new(&record, 9, &err), PLM_ERR_TYPE);
	CHECK(record == NULL);
	CHECK_INT(plm_record_new(&record, 0, &err), PLM_ERR_TYPE);
	plm_record_free(NULL);
}

/*
 * Every simple type: the library's encoding is exactly the framing of the
 * hand-written body; decoding gives back every field, the id is the hash
 * of the whole encoding, and the signature verifies.
 */
static void test_round_trip(void)
{
	plm_identity *root = fixture_identity(1);
	unsigned char *bytes = NULL, *again = NULL, id[32];
	plm_record *record = NULL, *decoded = NULL;
	size_t i, len = 0, again_len = 0;
	plm_wbuf body;
	int ok = 0;

	CHECK(root != NULL);
	for (i = 0; i < N_SIMPLE; i++) {
		int type = simple_types[i];

		record = signed_record(type, root, &bytes, &len);
		valid_body(type, &body);
		if (len !=
		        PLM_RECORD_HEADER_BYTES + body.len + PLM_RECORD_TRAILER_BYTES ||
		    bytes[0] != 1 || bytes[1] != type ||
		    plm_load_u32(bytes + 2) != body.len ||
		    memcmp(bytes + 6, body.data, body.len) != 0)
			break;
		plm_wbuf_free(&body);
		plm_fingerprint(id, &root->pub);
		if (memcmp(bytes + len - 96, id, 32) != 0 ||
		    memcmp(record->signer, id, 32) != 0)
			break;
		plm_hash(id, bytes, len);
		if (memcmp(record->id, id, 32) != 0 || record->encoding_len != len ||
		    memcmp(record->encoding, bytes, len) != 0)
			break;
		if (plm_record_decode(bytes, len, &decoded, &err) != 0)
			break;
		if (decoded->type != type || memcmp(decoded->id, id, 32) != 0 ||
		    memcmp(decoded->signer, record->signer, 32) != 0 ||
		    memcmp(decoded->signature, record->signature, 64) != 0 ||
		    memcmp(&decoded->body, &record->body, sizeof(record->body)) != 0)
			break;
		if (plm_record_verify(decoded, root->pub.sign_pk, &err) != 0 ||
		    plm_record_verify_signer(decoded, &root->pub, &err) != 0 ||
		    plm_record_verify(record, root->pub.sign_pk, &err) != 0)
			break;
		if (plm_record_encode(decoded, &again, &again_len, &err) != 0 ||
		    again_len != len || memcmp(again, bytes, len) != 0)
			break;
		free(again);
		again = NULL;
		plm_record_free(decoded);
		decoded = NULL;
		plm_record_free(record);
		record = NULL;
		free(bytes);
		bytes = NULL;
		ok++;
	}
	plm_wbuf_free(&body);
	free(again);
	free(bytes);
	plm_record_free(decoded);
	plm_record_free(record);
	plm_identity_free(root);
	CHECK_INT(ok, N_SIMPLE);
}

static void test_certificate_fields(void)
{
	plm_identity *root = fixture_identity(1), *rossi = fixture_identity(2);
	plm_record *record = NULL, *decoded = NULL;
	unsigned char *bytes = NULL, fpr[32], want[32];
	size_t len = 0;
	plm_certificate *c;
	int r;

	CHECK(root != NULL && rossi != NULL);
	CHECK_INT(plm_record_new(&record, PLM_RECORD_CERTIFICATE, &err), 0);
	c = &record->body.certificate;
	c->serial = 0xfedcba9876543210ULL;
	strcpy(c->user_id, "it-fp-rossi");
	strcpy(c->display_name, "Giulia Rossi \xc3\xa8");
	strcpy(c->state, "ITA");
	c->usage = PLM_USAGE_MEMBER;
	c->keys = rossi->pub;
	c->not_before = T_NOT_BEFORE;
	c->not_after = T_NOT_AFTER;
	r = plm_record_encode_sign(record, root, &bytes, &len, &err);
	if (r == 0)
		r = plm_record_decode(bytes, len, &decoded, &err);
	free(bytes);
	plm_record_free(record);
	if (r == 0) {
		c = &decoded->body.certificate;
		plm_certificate_fingerprint(fpr, c);
		plm_fingerprint(want, &rossi->pub);
		if (c->serial != 0xfedcba9876543210ULL ||
		    strcmp(c->display_name, "Giulia Rossi \xc3\xa8") != 0 ||
		    memcmp(fpr, want, 32) != 0 ||
		    plm_record_verify_signer(decoded, &root->pub, &err) != 0)
			r = -1;
	}
	plm_record_free(decoded);
	plm_identity_free(root);
	plm_identity_free(rossi);
	CHECK_INT(r, 0);
}

/* A root certificate is signed by the very keys it certifies. */
static void test_self_signed_root(void)
{
	plm_identity *root = fixture_identity(1);
	plm_record *record = NULL;
	plm_certificate *c;
	int r;

	CHECK(root != NULL);
	CHECK_INT(plm_record_new(&record, PLM_RECORD_CERTIFICATE, &err), 0);
	c = &record->body.certificate;
	c->serial = 1;
	strcpy(c->user_id, "root");
	strcpy(c->display_name, "UNODC secretariat root");
	strcpy(c->state, "UNODC");
	c->usage = PLM_USAGE_ROOT;
	c->keys = root->pub;
	c->not_before = T_NOT_BEFORE;
	c->not_after = T_NOT_AFTER;
	r = plm_record_encode_sign(record, root, NULL, NULL, &err);
	if (r == 0)
		r = plm_record_verify_signer(record, &record->body.certificate.keys,
		                             &err);
	plm_record_free(record);
	plm_identity_free(root);
	CHECK_INT(r, 0);
}

/*
 * The bounds tests keep their signer in a static, so that a failing CHECK
 * (which returns at once) leaves nothing valgrind would call a leak.
 */
#define CERT_CASE(field, value, code)                                                  \
	do {                                                                           \
		f = cert_ok;                                                           \
		f.field = value;                                                       \
		CHECK_INT(cert_decode(&f), code);                                      \
		CHECK_INT(cert_encode(&f, root), code);                                \
	} while (0)

/* PROTOCOL.md §5.2: every bound and class, violated once, both ways. */
static void test_certificate_bounds(void)
{
	static plm_identity *root;
	struct cert_fields f;

	if (root == NULL)
		root = fixture_identity(1);
	CHECK(root != NULL);
	f = cert_ok;
	CHECK_INT(cert_decode(&f), 0);
	CHECK_INT(cert_encode(&f, root), 0);
	CERT_CASE(user_id, "", PLM_ERR_LIMIT);
	CERT_CASE(user_id, id64, 0);
	CERT_CASE(user_id, id65, PLM_ERR_LIMIT);
	CERT_CASE(user_id, "It-fp", PLM_ERR_FORMAT);
	CERT_CASE(user_id, "-rossi", PLM_ERR_FORMAT);
	CERT_CASE(user_id, "rossi giulia", PLM_ERR_FORMAT);
	CERT_CASE(display_name, "", PLM_ERR_LIMIT);
	CERT_CASE(display_name, text128, 0);
	CERT_CASE(display_name, text129, PLM_ERR_LIMIT);
	CERT_CASE(display_name, "Giulia\x01Rossi", PLM_ERR_FORMAT);
	CERT_CASE(display_name, "Giulia \xff", PLM_ERR_FORMAT);
	CERT_CASE(state, "I", PLM_ERR_LIMIT);
	CERT_CASE(state, state8, 0);
	CERT_CASE(state, state9, PLM_ERR_LIMIT);
	CERT_CASE(state, "ita", PLM_ERR_FORMAT);
	CERT_CASE(state, "1TA", PLM_ERR_FORMAT);
	CERT_CASE(state, "UNODC", 0);
	CERT_CASE(usage, 0, PLM_ERR_FORMAT);
	CERT_CASE(usage, PLM_USAGE_ROOT, 0);
	CERT_CASE(usage, 5, PLM_ERR_FORMAT);
	CERT_CASE(not_before, T_NOT_AFTER, PLM_ERR_FORMAT);
	CERT_CASE(not_before, T_NOT_AFTER - 1, 0);
	CERT_CASE(not_before, T_NOT_AFTER + 1, PLM_ERR_FORMAT);
	plm_identity_free(root);
	root = NULL;
}

static void test_revocation_bounds(void)
{
	plm_identity *root = fixture_identity(1);
	struct revocation_fields f;
	plm_wbuf b;
	int reason, dec, enc, bad = 0;

	CHECK(root != NULL);
	for (reason = 0; reason <= 255; reason++) {
		int want = reason >= 1 && reason <= 4 ? 0 : PLM_ERR_FORMAT;

		f = revocation_ok;
		f.reason = (uint8_t)reason;
		revocation_body(&b, &f);
		dec = decode_body(PLM_RECORD_REVOCATION, &b);
		enc = encode_record(revocation_record(&f), root);
		if (dec != want || enc != want)
			bad++;
	}
	plm_identity_free(root);
	CHECK_INT(bad, 0);
}

#define DISCLOSURE_CASE(field, value, code)                                            \
	do {                                                                           \
		f = disclosure_ok;                                                     \
		f.field = value;                                                       \
		disclosure_body(&b, &f);                                               \
		CHECK_INT(decode_body(PLM_RECORD_DISCLOSURE, &b), code);               \
		CHECK_INT(encode_record(disclosure_record(&f), root), code);           \
	} while (0)

static void test_disclosure_bounds(void)
{
	static plm_identity *root;
	struct disclosure_fields f;
	plm_wbuf b;

	if (root == NULL)
		root = fixture_identity(1);
	CHECK(root != NULL);
	DISCLOSURE_CASE(scope, PLM_DISCLOSE_PARTIES, 0);
	DISCLOSURE_CASE(scope, PLM_DISCLOSE_PUBLIC, 0);
	DISCLOSURE_CASE(scope, 0, PLM_ERR_FORMAT);
	DISCLOSURE_CASE(scope, 3, PLM_ERR_FORMAT);
	DISCLOSURE_CASE(parties_epoch, 0, PLM_ERR_FORMAT);
	DISCLOSURE_CASE(review_id, "", PLM_ERR_LIMIT);
	DISCLOSURE_CASE(review_id, id64, 0);
	DISCLOSURE_CASE(review_id, id65, PLM_ERR_LIMIT);
	DISCLOSURE_CASE(review_id, "UNTOC", PLM_ERR_FORMAT);
	DISCLOSURE_CASE(review_id, "parties", PLM_ERR_FORMAT);
	/* A public disclosure has no parties epoch: 0 is fine there. */
	f = disclosure_ok;
	f.scope = PLM_DISCLOSE_PUBLIC;
	f.parties_epoch = 0;
	disclosure_body(&b, &f);
	CHECK_INT(decode_body(PLM_RECORD_DISCLOSURE, &b), 0);
	CHECK_INT(encode_record(disclosure_record(&f), root), 0);
	plm_identity_free(root);
	root = NULL;
}

#define AGREEMENT_CASE(field, value, code)                                             \
	do {                                                                           \
		f = agreement_ok;                                                      \
		f.field = value;                                                       \
		agreement_body(&b, &f);                                                \
		CHECK_INT(decode_body(PLM_RECORD_AGREEMENT, &b), code);                \
		CHECK_INT(encode_record(agreement_record(&f), root), code);            \
	} while (0)

static void test_agreement_bounds(void)
{
	static plm_identity *root;
	struct agreement_fields f;
	plm_wbuf b;

	if (root == NULL)
		root = fixture_identity(1);
	CHECK(root != NULL);
	AGREEMENT_CASE(review_id, "", PLM_ERR_LIMIT);
	AGREEMENT_CASE(review_id, id65, PLM_ERR_LIMIT);
	AGREEMENT_CASE(review_id, "untoc/ita", PLM_ERR_FORMAT);
	AGREEMENT_CASE(review_id, "parties", PLM_ERR_FORMAT);
	AGREEMENT_CASE(review_id, "parties2", 0);
	AGREEMENT_CASE(kind, "", PLM_ERR_LIMIT);
	AGREEMENT_CASE(kind, name32, 0);
	AGREEMENT_CASE(kind, name33, PLM_ERR_LIMIT);
	AGREEMENT_CASE(kind, "Summary", PLM_ERR_FORMAT);
	AGREEMENT_CASE(kind, "_summary", PLM_ERR_FORMAT);
	AGREEMENT_CASE(kind, "9summary", PLM_ERR_FORMAT);
	AGREEMENT_CASE(kind, "list-of-observations", PLM_ERR_FORMAT);
	AGREEMENT_CASE(state, "F", PLM_ERR_LIMIT);
	AGREEMENT_CASE(state, state9, PLM_ERR_LIMIT);
	AGREEMENT_CASE(state, "Fra", PLM_ERR_FORMAT);
	plm_identity_free(root);
	root = NULL;
}

#define STAGE_CASE(field, value, code)                                                 \
	do {                                                                           \
		f = stage_ok;                                                          \
		f.field = value;                                                       \
		stage_body(&b, &f);                                                    \
		CHECK_INT(decode_body(PLM_RECORD_STAGE, &b), code);                    \
		CHECK_INT(encode_record(stage_record(&f), root), code);                \
	} while (0)

static void test_stage_bounds(void)
{
	static plm_identity *root;
	struct stage_fields f;
	plm_wbuf b;

	if (root == NULL)
		root = fixture_identity(1);
	CHECK(root != NULL);
	STAGE_CASE(sequence, 0, PLM_ERR_FORMAT);
	STAGE_CASE(sequence, UINT64_MAX, 0);
	STAGE_CASE(review_id, "", PLM_ERR_LIMIT);
	STAGE_CASE(review_id, "parties", PLM_ERR_FORMAT);
	STAGE_CASE(from_stage, "", PLM_ERR_LIMIT);
	STAGE_CASE(from_stage, name33, PLM_ERR_LIMIT);
	STAGE_CASE(from_stage, "Draft", PLM_ERR_FORMAT);
	STAGE_CASE(to_stage, "", PLM_ERR_LIMIT);
	STAGE_CASE(to_stage, name32, 0);
	STAGE_CASE(to_stage, "dialogue 2", PLM_ERR_FORMAT);
	plm_identity_free(root);
	root = NULL;
}

/* The framing's own checks (PROTOCOL.md §5.1), in order. */
static void test_framing(void)
{
	plm_identity *root = fixture_identity(1);
	plm_record *record = NULL, *decoded = NULL;
	unsigned char *bytes = NULL, *copy = NULL;
	size_t len = 0;
	int v, t, bad = 0;

	CHECK(root != NULL);
	record = signed_record(PLM_RECORD_AGREEMENT, root, &bytes, &len);
	plm_record_free(record);
	copy = malloc(len + 1);
	CHECK(copy != NULL);

	for (v = 0; v <= 255; v++) { /* every version but 1 */
		memcpy(copy, bytes, len);
		copy[0] = (unsigned char)v;
		if (plm_record_decode(copy, len, &decoded, &err) !=
		    (v == 1 ? 0 : PLM_ERR_VERSION))
			bad++;
		plm_record_free(decoded);
		decoded = NULL;
	}
	for (t = 0; t <= 255; t++) { /* every unknown type */
		if ((t >= 1 && t <= 8) || t == PLM_RECORD_PARTIES_ROSTER)
			continue;
		memcpy(copy, bytes, len);
		copy[1] = (unsigned char)t;
		if (plm_record_decode(copy, len, &decoded, &err) != PLM_ERR_TYPE)
			bad++;
	}
	/* body_len over the 4 MiB bound, with or without the bytes. */
	memcpy(copy, bytes, len);
	plm_store_u32(copy + 2, PLM_RECORD_BODY_MAX + 1);
	if (plm_record_decode(copy, len, &decoded, &err) != PLM_ERR_LIMIT)
		bad++;
	plm_store_u32(copy + 2, UINT32_MAX);
	if (plm_record_decode(copy, len, &decoded, &err) != PLM_ERR_LIMIT)
		bad++;
	plm_store_u32(copy + 2, PLM_RECORD_BODY_MAX);
	if (plm_record_decode(copy, len, &decoded, &err) != PLM_ERR_TRUNCATED)
		bad++;
	/* One byte after the signature. */
	memcpy(copy, bytes, len);
	copy[len] = 0;
	if (plm_record_decode(copy, len + 1, &decoded, &err) != PLM_ERR_TRAILING)
		bad++;
	/* A body_len one short: the body's last field runs out. */
	memcpy(copy, bytes, len);
	plm_store_u32(copy + 2, plm_load_u32(bytes + 2) - 1);
	if (plm_record_decode(copy, len - 1, &decoded, &err) != PLM_ERR_TRUNCATED)
		bad++;
	free(copy);
	free(bytes);
	plm_identity_free(root);
	CHECK_INT(bad, 0);
}

/* A body with a byte left over inside body_len is refused. */
static void test_body_trailing(void)
{
	plm_wbuf b;

	cert_body(&b, &cert_ok);
	plm_wbuf_u8(&b, 0);
	CHECK_INT(decode_body(PLM_RECORD_CERTIFICATE, &b), PLM_ERR_TRAILING);
	stage_body(&b, &stage_ok);
	plm_wbuf_u64(&b, 0);
	CHECK_INT(decode_body(PLM_RECORD_STAGE, &b), PLM_ERR_TRAILING);
	/* A body that is another type's body does not decode. */
	stage_body(&b, &stage_ok);
	CHECK(decode_body(PLM_RECORD_AGREEMENT, &b) != 0);
	agreement_body(&b, &agreement_ok);
	CHECK(decode_body(PLM_RECORD_CERTIFICATE, &b) != 0);
}

/* Every proper prefix of every record is refused as truncated. */
static void test_truncation(void)
{
	plm_identity *root = fixture_identity(1);
	plm_record *record, *decoded = (plm_record *)1;
	unsigned char *bytes = NULL, *copy;
	size_t i, n, len = 0;
	int bad = 0;

	CHECK(root != NULL);
	for (i = 0; i < N_SIMPLE; i++) {
		record = signed_record(simple_types[i], root, &bytes, &len);
		plm_record_free(record);
		for (n = 0; n < len; n++) {
			/* An exact-size copy, so that ASan sees any overread. */
			copy = malloc(n ? n : 1);
			if (copy == NULL)
				abort();
			memcpy(copy, bytes, n);
			if (plm_record_decode(copy, n, &decoded, &err) !=
			        PLM_ERR_TRUNCATED ||
			    decoded != NULL)
				bad++;
			free(copy);
		}
		free(bytes);
	}
	plm_identity_free(root);
	CHECK_INT(bad, 0);
}

/* A single flipped bit anywhere makes decode or verification fail. */
static void test_bit_flips(void)
{
	plm_identity *root = fixture_identity(1);
	plm_record *record, *decoded = NULL;
	unsigned char *bytes = NULL;
	size_t i, bit, len = 0, accepted = 0, tried = 0;

	CHECK(root != NULL);
	for (i = 0; i < N_SIMPLE; i++) {
		record = signed_record(simple_types[i], root, &bytes, &len);
		plm_record_free(record);
		for (bit = 0; bit < len * 8; bit++) {
			bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			if (plm_record_decode(bytes, len, &decoded, &err) == 0 &&
			    plm_record_verify_signer(decoded, &root->pub, &err) == 0)
				accepted++;
			plm_record_free(decoded);
			decoded = NULL;
			bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			tried++;
		}
		free(bytes);
	}
	plm_identity_free(root);
	CHECK(tried > 5000);
	CHECK_INT(accepted, 0);
}

/*
 * A signature made for one type never verifies as another: the verifier
 * takes the domain string from the type byte (PROTOCOL.md §3.2, §5.1).
 */
static void test_domain_separation(void)
{
	static const char *names[] = {"certificate", "revocation", "roster",
	                              "epoch_keys",  "disclosure", "agreement",
	                              "stage"};
	plm_identity *root = fixture_identity(1);
	plm_record *record = NULL, *decoded = NULL;
	unsigned char *bytes = NULL;
	size_t i, k, len = 0;
	int wrong = 0, r;

	CHECK(root != NULL);
	for (i = 0; i < N_SIMPLE; i++) {
		record = signed_record(simple_types[i], root, &bytes, &len);
		for (k = 0; k < 7; k++) {
			r = plm_verify(bytes + len - 64, names[k], bytes, len - 64,
			               root->pub.sign_pk, &err);
			if (r !=
			    ((int)k + 1 == simple_types[i] ? 0 : PLM_ERR_SIGNATURE))
				wrong++;
		}
		plm_record_free(record);
		free(bytes);
	}
	/* An agreement whose signer used the stage domain does not verify. */
	record = signed_record(PLM_RECORD_AGREEMENT, root, &bytes, &len);
	plm_record_free(record);
	CHECK_INT(
	    plm_sign(bytes + len - 64, "stage", bytes, len - 64, root->sign_sk, &err),
	    0);
	CHECK_INT(plm_record_decode(bytes, len, &decoded, &err), 0);
	r = plm_record_verify(decoded, root->pub.sign_pk, &err);
	plm_record_free(decoded);
	free(bytes);
	plm_identity_free(root);
	CHECK_INT(r, PLM_ERR_SIGNATURE);
	CHECK_INT(wrong, 0);
}

static void test_verify(void)
{
	plm_identity *root = fixture_identity(1), *other = fixture_identity(9);
	plm_record *record = NULL, *blank = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0;
	int r1, r2, r3, r4, r5, r6;

	CHECK(root != NULL && other != NULL);
	record = signed_record(PLM_RECORD_STAGE, root, &bytes, &len);
	r1 = plm_record_verify(record, other->pub.sign_pk, &err);
	r2 = plm_record_verify_signer(record, &other->pub, &err);
	r3 = plm_record_verify_signer(record, &root->pub, &err);
	/* The right signing key but another box key: not the signer. */
	memcpy(other->pub.sign_pk, root->pub.sign_pk, 32);
	r4 = plm_record_verify_signer(record, &other->pub, &err);
	CHECK_INT(plm_record_new(&blank, PLM_RECORD_STAGE, &err), 0);
	r5 = plm_record_verify(blank, root->pub.sign_pk, &err);
	r6 = plm_record_verify_signer(blank, &root->pub, &err);
	plm_record_free(blank);
	plm_record_free(record);
	free(bytes);
	plm_identity_free(root);
	plm_identity_free(other);
	CHECK_INT(r1, PLM_ERR_SIGNATURE);
	CHECK_INT(r2, PLM_ERR_MISMATCH);
	CHECK_INT(r3, 0);
	CHECK_INT(r4, PLM_ERR_MISMATCH);
	CHECK_INT(r5, PLM_ERR_INVALID);
	CHECK_INT(r6, PLM_ERR_INVALID);
}

static void test_expect_type(void)
{
	plm_record *record = NULL;
	int r1, r2;

	CHECK_INT(plm_record_new(&record, PLM_RECORD_AGREEMENT, &err), 0);
	r1 = plm_record_expect_type(record, PLM_RECORD_AGREEMENT, &err);
	plm_error_clear(&err);
	r2 = plm_record_expect_type(record, PLM_RECORD_ROSTER, &err);
	plm_record_free(record);
	CHECK_INT(r1, 0);
	CHECK_INT(r2, PLM_ERR_TYPE);
	CHECK_INT(err.code, PLM_ERR_TYPE);
	CHECK(strstr(err.message, "roster") != NULL);
	CHECK(strstr(err.message, "agreement") != NULL);
}

/* Encoding an unknown type, or with out = NULL; re-signing replaces. */
static void test_encode_misc(void)
{
	plm_identity *root = fixture_identity(1), *other = fixture_identity(9);
	plm_record *record = NULL;
	unsigned char first_id[32];
	int r1, r2, r3;

	CHECK(root != NULL && other != NULL);
	record = valid_record(PLM_RECORD_STAGE);
	r1 = plm_record_encode_sign(record, root, NULL, NULL, &err);
	memcpy(first_id, record->id, 32);
	r2 = plm_record_encode_sign(record, other, NULL, NULL, &err);
	if (r2 == 0 && (memcmp(first_id, record->id, 32) == 0 ||
	                plm_record_verify_signer(record, &other->pub, &err) != 0))
		r2 = -1;
	if (plm_record_encode_sign(record, NULL, NULL, NULL, &err) != PLM_ERR_INVALID)
		r1 = -1;
	record->type = 9;
	r3 = plm_record_encode_sign(record, root, NULL, NULL, &err);
	record->type = PLM_RECORD_STAGE;
	plm_record_free(record);
	plm_identity_free(root);
	plm_identity_free(other);
	CHECK_INT(r1, 0);
	CHECK_INT(r2, 0);
	CHECK_INT(r3, PLM_ERR_TYPE);
}

/* PROTOCOL.md §5.6: the wrapped document key and what it is bound to. */
static void test_disclosure_keys(void)
{
	plm_identity *sur = fixture_identity(3);
	plm_record *record = NULL, *decoded = NULL;
	unsigned char *doc_key = NULL, *parties_key = NULL, *other_key = NULL;
	unsigned char *out = NULL, *bytes = NULL;
	size_t len = 0;
	plm_disclosure *d;
	int r[8], i;

	CHECK(sur != NULL);
	CHECK_INT(plm_key_new(&doc_key, &err), 0);
	CHECK_INT(plm_key_new(&parties_key, &err), 0);
	CHECK_INT(plm_key_new(&other_key, &err), 0);
	for (i = 0; i < 8; i++)
		r[i] = -1;

	record = disclosure_record(&disclosure_ok);
	d = &record->body.disclosure;
	r[0] = plm_disclosure_set_key(d, doc_key, NULL, &err); /* INVALID */
	if (plm_disclosure_set_key(d, doc_key, parties_key, &err) == 0 &&
	    plm_record_encode_sign(record, sur, &bytes, &len, &err) == 0 &&
	    plm_record_decode(bytes, len, &decoded, &err) == 0) {
		r[1] = plm_disclosure_document_key(decoded, parties_key, &out, &err);
		if (r[1] == 0 && memcmp(out, doc_key, 32) != 0)
			r[1] = -2;
		plm_secret_free(out);
		out = NULL;
		r[2] = plm_disclosure_document_key(decoded, other_key, &out, &err);
		r[3] = plm_disclosure_document_key(decoded, NULL, &out, &err);
		/* The wrapped key moved to another document or review. */
		decoded->body.disclosure.envelope_id[0] ^= 1;
		r[4] = plm_disclosure_document_key(decoded, parties_key, &out, &err);
		decoded->body.disclosure.envelope_id[0] ^= 1;
		strcpy(decoded->body.disclosure.review_id, "untoc-ita-2026-c2");
		r[5] = plm_disclosure_document_key(decoded, parties_key, &out, &err);
	}
	plm_record_free(decoded);
	decoded = NULL;
	free(bytes);
	bytes = NULL;
	/* Public: the key in clear, no parties key needed. */
	d->scope = PLM_DISCLOSE_PUBLIC;
	if (plm_disclosure_set_key(d, doc_key, NULL, &err) == 0 &&
	    plm_record_encode_sign(record, sur, &bytes, &len, &err) == 0 &&
	    plm_record_decode(bytes, len, &decoded, &err) == 0) {
		r[6] = plm_disclosure_document_key(decoded, NULL, &out, &err);
		if (r[6] == 0 && memcmp(out, doc_key, 32) != 0)
			r[6] = -2;
		plm_secret_free(out);
		out = NULL;
	}
	plm_record_free(decoded);
	free(bytes);
	/* Not a disclosure at all. */
	record->type = PLM_RECORD_AGREEMENT;
	r[7] = plm_disclosure_document_key(record, parties_key, &out, &err);
	record->type = PLM_RECORD_DISCLOSURE;
	plm_record_free(record);
	plm_secret_free(doc_key);
	plm_secret_free(parties_key);
	plm_secret_free(other_key);
	plm_identity_free(sur);
	CHECK(out == NULL);
	CHECK_INT(r[0], PLM_ERR_INVALID);
	CHECK_INT(r[1], 0);
	CHECK_INT(r[2], PLM_ERR_KEY);
	CHECK_INT(r[3], PLM_ERR_INVALID);
	CHECK_INT(r[4], PLM_ERR_KEY);
	CHECK_INT(r[5], PLM_ERR_KEY);
	CHECK_INT(r[6], 0);
	CHECK_INT(r[7], PLM_ERR_TYPE);
}

/* The wrapping's associated data is exactly as PROTOCOL.md §5.6 says. */
static void test_disclosure_ad(void)
{
	static const char domain[] = "palermo/v1/disclosure";
	plm_record *record = disclosure_record(&disclosure_ok);
	unsigned char ad[128], key[32], *parties_key = NULL;
	size_t n = 0, id_len = strlen(disclosure_ok.review_id);
	plm_disclosure *d = &record->body.disclosure;
	int r = -1;

	if (plm_key_new(&parties_key, &err) == 0 &&
	    plm_disclosure_set_key(d,
	                           (const unsigned char *)"0123456789abcdef"
	                                                  "0123456789abcdef",
	                           parties_key, &err) == 0) {
		memcpy(ad, domain, sizeof(domain)); /* with its NUL */
		n = sizeof(domain);
		memcpy(ad + n, disclosure_ok.review_id, id_len);
		n += id_len;
		memcpy(ad + n, disclosure_ok.envelope_id, 32);
		n += 32;
		r = plm_key_unwrap(key, d->wrapped_key, parties_key, ad, n, &err);
		if (r == 0 && memcmp(key, "0123456789abcdef0123456789abcdef", 32))
			r = -2;
	}
	plm_secret_free(parties_key);
	plm_record_free(record);
	CHECK_INT(r, 0);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_type_names),
    CHECK_CASE(test_round_trip),
    CHECK_CASE(test_certificate_fields),
    CHECK_CASE(test_self_signed_root),
    CHECK_CASE(test_certificate_bounds),
    CHECK_CASE(test_revocation_bounds),
    CHECK_CASE(test_disclosure_bounds),
    CHECK_CASE(test_agreement_bounds),
    CHECK_CASE(test_stage_bounds),
    CHECK_CASE(test_framing),
    CHECK_CASE(test_body_trailing),
    CHECK_CASE(test_truncation),
    CHECK_CASE(test_bit_flips),
    CHECK_CASE(test_domain_separation),
    CHECK_CASE(test_verify),
    CHECK_CASE(test_expect_type),
    CHECK_CASE(test_encode_misc),
    CHECK_CASE(test_disclosure_keys),
    CHECK_CASE(test_disclosure_ad),
};

int main(int argc, char **argv)
{
	init_strings();
	return check_main("test_record", cases, sizeof(cases) / sizeof(cases[0]), argc,
	                  argv);
}
