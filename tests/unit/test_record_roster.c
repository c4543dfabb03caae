/*
 * test_record_roster.c - rosters (PROTOCOL.md §5.4) and epoch keys (§5.5):
 * every bound, class and ordering rule both ways (decoder and encoder), the
 * successor rules of the roster chain, member lookup, and epoch keys opened
 * by each recipient, by a non-recipient, and from records whose signer
 * cheated (a key sealed to one member that differs from the committed one).
 *
 * Bytes for the decoder's cases are written here field by field from the
 * text of PROTOCOL.md, independently of the library's encoders.
 */
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/record.h"
#include "tests/unit/check.h"
#include "tests/unit/fixtures.h"

#define T_CREATED 1769904000ULL /* 2026-02-01T00:00:00Z */

static plm_error err;

static int decode_body(uint8_t type, plm_wbuf *body)
{
	return fixture_decode_body(type, body, &err);
}

static int encode_record(plm_record *record, const plm_identity *signer)
{
	return fixture_encode_record(record, signer, &err);
}

static char id65[66], name33[34];


/* ---- roster (PROTOCOL.md §5.4) ---- */

struct instrument_fields {
	const char *name;
	int n_reviewing;
	const char *reviewing[5];
};

struct member_fields {
	unsigned char fpr; /* the fingerprint is 32 copies of this byte */
	const char *user_id, *state, *role;
};

struct roster_fields {
	const char *review_id;
	uint64_t epoch;
	unsigned char prev_roster[32];
	unsigned char policy_digest[32];
	const char *sur_state, *cluster;
	int n_instruments;
	struct instrument_fields instruments[9];
	int n_languages;
	const char *languages[4];
	int n_members;
	struct member_fields members[4];
	uint64_t created_at;
};

static const struct roster_fields roster_ok = {
    "untoc-ita-2026-c1",
    1,
    {0},
    {0x90, 0x91},
    "ITA",
    "criminalization",
    2,
    {{"tip", 2, {"BRA", "FRA"}}, {"untoc", 2, {"BRA", "FRA"}}},
    1,
    {"en"},
    4,
    {{0x10, "it-fp-rossi", "ITA", "focal_point"},
     {0x20, "br-exp-silva", "BRA", "expert"},
     {0x30, "fr-fp-martin", "FRA", "focal_point"},
     {0x40, "unodc-sec-1", "UNODC", "secretariat"}},
    T_CREATED};

static void roster_body(plm_wbuf *b, const struct roster_fields *f)
{
	unsigned char fpr[32];
	int i, j;

	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	fixture_raw_str8(b, f->review_id);
	plm_wbuf_u64(b, f->epoch);
	plm_wbuf_put(b, f->prev_roster, 32);
	plm_wbuf_put(b, f->policy_digest, 32);
	fixture_raw_str8(b, f->sur_state);
	fixture_raw_str8(b, f->cluster);
	plm_wbuf_u8(b, (uint8_t)f->n_instruments);
	for (i = 0; i < f->n_instruments && i < 9; i++) {
		fixture_raw_str8(b, f->instruments[i].name);
		plm_wbuf_u8(b, (uint8_t)f->instruments[i].n_reviewing);
		for (j = 0; j < f->instruments[i].n_reviewing && j < 5; j++)
			fixture_raw_str8(b, f->instruments[i].reviewing[j]);
	}
	plm_wbuf_u8(b, (uint8_t)f->n_languages);
	for (i = 0; i < f->n_languages && i < 4; i++)
		fixture_raw_str8(b, f->languages[i]);
	plm_wbuf_u16(b, (uint16_t)f->n_members);
	for (i = 0; i < f->n_members && i < 4; i++) {
		memset(fpr, f->members[i].fpr, 32);
		plm_wbuf_put(b, fpr, 32);
		fixture_raw_str8(b, f->members[i].user_id);
		fixture_raw_str8(b, f->members[i].state);
		fixture_raw_str8(b, f->members[i].role);
	}
	plm_wbuf_u64(b, f->created_at);
}

/* The same roster in memory; counts over a bound are kept as they are. */
static plm_record *roster_record(const struct roster_fields *f)
{
	plm_record *record = NULL;
	plm_roster *ro;
	int i, j;

	if (plm_record_new(&record, PLM_RECORD_ROSTER, NULL) != 0)
		abort();
	ro = &record->body.roster;
	SET_STR(ro->review_id, f->review_id);
	ro->epoch = f->epoch;
	memcpy(ro->prev_roster, f->prev_roster, 32);
	memcpy(ro->policy_digest, f->policy_digest, 32);
	SET_STR(ro->sur_state, f->sur_state);
	SET_STR(ro->cluster, f->cluster);
	ro->n_instruments = (uint8_t)f->n_instruments;
	for (i = 0; i < f->n_instruments && i < PLM_ROSTER_INSTRUMENTS_MAX; i++) {
		SET_STR(ro->instruments[i].name, f->instruments[i].name);
		ro->instruments[i].n_reviewing = (uint8_t)f->instruments[i].n_reviewing;
		for (j = 0;
		     j < f->instruments[i].n_reviewing && j < PLM_ROSTER_REVIEWING_MAX;
		     j++)
			SET_STR(ro->instruments[i].reviewing[j],
			        f->instruments[i].reviewing[j]);
	}
	ro->n_languages = (uint8_t)f->n_languages;
	for (i = 0; i < f->n_languages && i < PLM_ROSTER_LANGUAGES_MAX; i++)
		SET_STR(ro->languages[i], f->languages[i]);
	if (f->n_members > 0) {
		if (plm_roster_members_alloc(ro, (size_t)f->n_members, NULL) != 0)
			abort();
		for (i = 0; i < f->n_members; i++) {
			memset(ro->members[i].fingerprint, f->members[i].fpr, 32);
			SET_STR(ro->members[i].user_id, f->members[i].user_id);
			SET_STR(ro->members[i].state, f->members[i].state);
			SET_STR(ro->members[i].role, f->members[i].role);
		}
	}
	ro->created_at = f->created_at;
	return record;
}

/*
 * The bounds tests keep their signer in a static, so that a failing CHECK
 * (which returns at once) leaves nothing valgrind would call a leak.
 */
static plm_identity *root;

#define ROSTER_CASE(change, code)                                                      \
	do {                                                                           \
		plm_wbuf b_;                                                           \
		f = roster_ok;                                                         \
		change;                                                                \
		roster_body(&b_, &f);                                                  \
		CHECK_INT(decode_body(PLM_RECORD_ROSTER, &b_), code);                  \
		CHECK_INT(encode_record(roster_record(&f), root), code);               \
	} while (0)

static void test_roster_round_trip(void)
{
	struct roster_fields f = roster_ok;
	plm_record *record = roster_record(&f), *decoded = NULL;
	unsigned char *bytes = NULL, *again = NULL;
	size_t len = 0, again_len = 0;
	plm_wbuf body;
	int r, same = 0;

	r = plm_record_encode_sign(record, root, &bytes, &len, &err);
	if (r == 0)
		r = plm_record_decode(bytes, len, &decoded, &err);
	if (r == 0)
		r = plm_record_verify_signer(decoded, &root->pub, &err);
	if (r == 0)
		r = plm_record_encode(decoded, &again, &again_len, &err);
	roster_body(&body, &f);
	if (r == 0) {
		const plm_roster *a = &record->body.roster, *d = &decoded->body.roster;

		same = len == 6 + body.len + 96 &&
		       memcmp(bytes + 6, body.data, body.len) == 0 &&
		       again_len == len && memcmp(again, bytes, len) == 0 &&
		       d->n_members == 4 &&
		       memcmp(d->members, a->members, 4 * sizeof(d->members[0])) == 0 &&
		       strcmp(d->instruments[1].reviewing[1], "FRA") == 0 &&
		       strcmp(d->languages[0], "en") == 0 &&
		       strcmp(d->cluster, "criminalization") == 0 &&
		       d->policy_digest[1] == 0x91 && d->created_at == T_CREATED;
	}
	plm_wbuf_free(&body);
	free(bytes);
	free(again);
	plm_record_free(record);
	plm_record_free(decoded);
	CHECK_INT(r, 0);
	CHECK(same);
}

static void test_roster_bounds(void)
{
	struct roster_fields f;

	ROSTER_CASE((void)0, 0);
	ROSTER_CASE(f.review_id = "", PLM_ERR_LIMIT);
	ROSTER_CASE(f.review_id = id65, PLM_ERR_LIMIT);
	ROSTER_CASE(f.review_id = "UNTOC-ITA", PLM_ERR_FORMAT);
	ROSTER_CASE(f.review_id = "parties", PLM_ERR_FORMAT);
	ROSTER_CASE(f.sur_state = "I", PLM_ERR_LIMIT);
	ROSTER_CASE(f.sur_state = "Ita", PLM_ERR_FORMAT);
	ROSTER_CASE(f.cluster = "", PLM_ERR_LIMIT);
	ROSTER_CASE(f.cluster = name33, PLM_ERR_LIMIT);
	ROSTER_CASE(f.cluster = "Criminalization", PLM_ERR_FORMAT);
	ROSTER_CASE(f.created_at = 0, 0);
}

/* PROTOCOL.md §5.4: epoch >= 1, prev_roster zero if and only if epoch 1. */
static void test_roster_epoch_rules(void)
{
	struct roster_fields f;

	ROSTER_CASE(f.epoch = 0, PLM_ERR_FORMAT);
	ROSTER_CASE((f.epoch = 0, f.prev_roster[5] = 1), PLM_ERR_FORMAT);
	ROSTER_CASE(f.epoch = 2, PLM_ERR_FORMAT);
	ROSTER_CASE(f.prev_roster[31] = 1, PLM_ERR_FORMAT);
	ROSTER_CASE((f.epoch = 2, f.prev_roster[31] = 1), 0);
	ROSTER_CASE((f.epoch = UINT64_MAX, f.prev_roster[0] = 0x80), 0);
}

/* Nine instruments a..i, none reviewed: the first eight are the most allowed. */
static void nine_instruments(struct roster_fields *f, int n)
{
	static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
	int i;

	for (i = 0; i < 9; i++) {
		f->instruments[i].name = names[i];
		f->instruments[i].n_reviewing = 0;
	}
	f->n_instruments = n;
}

static void test_roster_instruments(void)
{
	struct roster_fields f;

	ROSTER_CASE(f.n_instruments = 0, PLM_ERR_LIMIT);
	ROSTER_CASE(f.n_instruments = 1, 0);
	ROSTER_CASE(nine_instruments(&f, 8), 0);
	ROSTER_CASE(nine_instruments(&f, 9), PLM_ERR_LIMIT);
	ROSTER_CASE(f.instruments[0].name = "", PLM_ERR_LIMIT);
	ROSTER_CASE(f.instruments[0].name = name33, PLM_ERR_LIMIT);
	ROSTER_CASE(f.instruments[0].name = "TIP", PLM_ERR_FORMAT);
	ROSTER_CASE(f.instruments[0].name = "zzz", PLM_ERR_FORMAT);   /* unsorted */
	ROSTER_CASE(f.instruments[0].name = "untoc", PLM_ERR_FORMAT); /* twice */
	ROSTER_CASE(f.instruments[0].name = "smuggling", 0);
}

static void test_roster_reviewing(void)
{
	struct roster_fields f;

	ROSTER_CASE(f.instruments[0].n_reviewing = 0, 0);
	ROSTER_CASE((f.instruments[0].n_reviewing = 4,
	             f.instruments[0].reviewing[2] = "GBR",
	             f.instruments[0].reviewing[3] = "USA"),
	            0);
	ROSTER_CASE((f.instruments[0].n_reviewing = 5,
	             f.instruments[0].reviewing[2] = "GBR",
	             f.instruments[0].reviewing[3] = "USA",
	             f.instruments[0].reviewing[4] = "ZAF"),
	            PLM_ERR_LIMIT);
	ROSTER_CASE(f.instruments[1].reviewing[0] = "GBR", PLM_ERR_FORMAT);
	ROSTER_CASE(f.instruments[1].reviewing[0] = "FRA", PLM_ERR_FORMAT);
	ROSTER_CASE(f.instruments[1].reviewing[0] = "ITA", PLM_ERR_FORMAT);
	ROSTER_CASE(f.instruments[1].reviewing[1] = "ITA", PLM_ERR_FORMAT);
	ROSTER_CASE(f.instruments[1].reviewing[1] = "fra", PLM_ERR_FORMAT);
	ROSTER_CASE(f.instruments[1].reviewing[1] = "F", PLM_ERR_LIMIT);
}

static void test_roster_languages(void)
{
	struct roster_fields f;

	ROSTER_CASE(f.n_languages = 0, PLM_ERR_LIMIT);
	ROSTER_CASE((f.n_languages = 3, f.languages[0] = "ar", f.languages[1] = "en",
	             f.languages[2] = "fr"),
	            0);
	ROSTER_CASE((f.n_languages = 4, f.languages[0] = "ar", f.languages[1] = "en",
	             f.languages[2] = "es", f.languages[3] = "fr"),
	            PLM_ERR_LIMIT);
	ROSTER_CASE(f.languages[0] = "eng", PLM_ERR_LIMIT);
	ROSTER_CASE(f.languages[0] = "e", PLM_ERR_LIMIT);
	ROSTER_CASE(f.languages[0] = "EN", PLM_ERR_FORMAT);
	ROSTER_CASE((f.n_languages = 2, f.languages[0] = "fr", f.languages[1] = "en"),
	            PLM_ERR_FORMAT);
	ROSTER_CASE((f.n_languages = 2, f.languages[0] = "en", f.languages[1] = "en"),
	            PLM_ERR_FORMAT);
}

static void test_roster_members(void)
{
	struct roster_fields f;

	ROSTER_CASE(f.n_members = 0, PLM_ERR_LIMIT);
	ROSTER_CASE(f.n_members = 1, 0);
	ROSTER_CASE(f.members[2].fpr = 0x05, PLM_ERR_FORMAT); /* unsorted */
	ROSTER_CASE(f.members[2].fpr = 0x20, PLM_ERR_FORMAT); /* duplicate */
	ROSTER_CASE(f.members[0].user_id = "", PLM_ERR_LIMIT);
	ROSTER_CASE(f.members[0].user_id = id65, PLM_ERR_LIMIT);
	ROSTER_CASE(f.members[0].user_id = "Rossi", PLM_ERR_FORMAT);
	ROSTER_CASE(f.members[1].state = "B", PLM_ERR_LIMIT);
	ROSTER_CASE(f.members[1].state = "bra", PLM_ERR_FORMAT);
	ROSTER_CASE(f.members[3].role = "", PLM_ERR_LIMIT);
	ROSTER_CASE(f.members[3].role = name33, PLM_ERR_LIMIT);
	ROSTER_CASE(f.members[3].role = "Secretariat", PLM_ERR_FORMAT);
	/* Two members may share a user id, State and role, never a key. */
	ROSTER_CASE(f.members[1].user_id = "it-fp-rossi", 0);
}

/* The member count's bounds: 0 and 2049 refused, 2048 round-trips. */
static void test_roster_member_count(void)
{
	struct roster_fields f = roster_ok;
	plm_record *record = roster_record(&roster_ok), *decoded = NULL;
	unsigned char *bytes = NULL;
	plm_roster *ro = &record->body.roster;
	plm_wbuf b;
	size_t i, len = 0;
	int r_big_dec, r_short, r_big, r_max, r_alloc0, r_alloc_big, r_dec = -1;

	/* Decoder: the count is refused before any member is read. */
	f.n_members = 2049;
	roster_body(&b, &f);
	r_big_dec = decode_body(PLM_RECORD_ROSTER, &b);
	/* A count the remaining bytes cannot hold: truncated, nothing allocated. */
	f.n_members = 200;
	roster_body(&b, &f);
	r_short = decode_body(PLM_RECORD_ROSTER, &b);
	/* Encoder: 2049 members refused; 2048 accepted and decoded back. */
	free(ro->members);
	ro->members = calloc(2049, sizeof(*ro->members));
	CHECK(ro->members != NULL);
	ro->n_members = 2049;
	for (i = 0; i < 2049; i++) {
		ro->members[i].fingerprint[0] = (unsigned char)(i >> 8);
		ro->members[i].fingerprint[1] = (unsigned char)i;
		snprintf(ro->members[i].user_id, sizeof(ro->members[i].user_id),
		         "member-%zu", i);
		strcpy(ro->members[i].state, "FRA");
		strcpy(ro->members[i].role, "expert");
	}
	r_big = plm_record_encode_sign(record, root, NULL, NULL, &err);
	ro->n_members = 2048;
	r_max = plm_record_encode_sign(record, root, &bytes, &len, &err);
	if (r_max == 0) {
		r_dec = plm_record_decode(bytes, len, &decoded, &err);
		if (r_dec == 0 && (decoded->body.roster.n_members != 2048 ||
		                   strcmp(decoded->body.roster.members[2047].user_id,
		                          "member-2047") != 0))
			r_dec = -1;
	}
	free(bytes);
	plm_record_free(decoded);
	plm_record_free(record);
	/* plm_roster_members_alloc keeps to the same bounds. */
	{
		plm_roster empty;

		memset(&empty, 0, sizeof(empty));
		r_alloc0 = plm_roster_members_alloc(&empty, 0, &err);
		r_alloc_big = plm_roster_members_alloc(&empty, 2049, &err);
	}
	CHECK_INT(r_big_dec, PLM_ERR_LIMIT);
	CHECK_INT(r_short, PLM_ERR_TRUNCATED);
	CHECK_INT(r_big, PLM_ERR_LIMIT);
	CHECK_INT(r_max, 0);
	CHECK_INT(r_dec, 0);
	CHECK_INT(r_alloc0, PLM_ERR_LIMIT);
	CHECK_INT(r_alloc_big, PLM_ERR_LIMIT);
}

/* A roster filled in any order comes out canonical after plm_roster_sort. */
static void test_roster_sort_and_find(void)
{
	struct roster_fields f = roster_ok;
	plm_record *record;
	plm_roster *ro;
	unsigned char probe[32];
	int i, r_unsorted, r_sorted, found = 0, absent;

	f.members[0] = roster_ok.members[3];
	f.members[3] = roster_ok.members[0];
	f.instruments[0] = roster_ok.instruments[1];
	f.instruments[1] = roster_ok.instruments[0];
	f.instruments[0].reviewing[0] = "FRA";
	f.instruments[0].reviewing[1] = "BRA";
	f.n_languages = 2;
	f.languages[0] = "fr";
	f.languages[1] = "en";
	record = roster_record(&f);
	ro = &record->body.roster;
	r_unsorted = plm_record_encode_sign(record, root, NULL, NULL, &err);
	plm_roster_sort(ro);
	r_sorted = plm_record_encode_sign(record, root, NULL, NULL, &err);
	for (i = 0; i < 4; i++) {
		const plm_roster_member *m;

		memset(probe, roster_ok.members[i].fpr, 32);
		m = plm_roster_find_member(ro, probe);
		if (m != NULL && strcmp(m->user_id, roster_ok.members[i].user_id) == 0)
			found++;
	}
	memset(probe, 0x25, 32);
	absent = plm_roster_find_member(ro, probe) == NULL;
	memset(probe, 0x10, 32);
	probe[31] = 0x11;
	absent = absent && plm_roster_find_member(ro, probe) == NULL;
	plm_record_free(record);
	CHECK_INT(r_unsorted, PLM_ERR_FORMAT);
	CHECK_INT(r_sorted, 0);
	CHECK_INT(found, 4);
	CHECK(absent);
}

/* Signs the roster F; caller frees. */
static plm_record *signed_roster(const struct roster_fields *f)
{
	plm_record *record = roster_record(f);

	if (plm_record_encode_sign(record, root, NULL, NULL, &err) != 0)
		abort();
	return record;
}

/* PROTOCOL.md §5.4, successive rosters. */
static void test_roster_successor(void)
{
	struct roster_fields f1 = roster_ok, f2, f;
	plm_record *r1 = signed_roster(&f1), *r2, *r3, *bad, *unsigned1;
	int ok, back, same, skip, fork, review, sur, cluster, type, unsigned_prev,
	    third;

	f2 = roster_ok;
	f2.epoch = 2;
	memcpy(f2.prev_roster, r1->id, 32);
	f2.n_members = 3; /* the secretariat's member left */
	r2 = signed_roster(&f2);
	ok = plm_roster_check_successor(r1, r2, &err);
	back = plm_roster_check_successor(r2, r1, &err);
	same = plm_roster_check_successor(r1, r1, &err);

	f = f2;
	f.epoch = 3;
	bad = signed_roster(&f);
	skip = plm_roster_check_successor(r1, bad, &err);
	plm_record_free(bad);

	f = f2;
	f.prev_roster[0] ^= 1;
	bad = signed_roster(&f);
	fork = plm_roster_check_successor(r1, bad, &err);
	plm_record_free(bad);

	f = f2;
	f.review_id = "untoc-ita-2026-c2";
	bad = signed_roster(&f);
	review = plm_roster_check_successor(r1, bad, &err);
	plm_record_free(bad);

	f = f2;
	f.sur_state = "ESP";
	bad = signed_roster(&f);
	sur = plm_roster_check_successor(r1, bad, &err);
	plm_record_free(bad);

	f = f2;
	f.cluster = "international_cooperation";
	bad = signed_roster(&f);
	cluster = plm_roster_check_successor(r1, bad, &err);
	plm_record_free(bad);

	CHECK_INT(plm_record_new(&bad, PLM_RECORD_AGREEMENT, &err), 0);
	type = plm_roster_check_successor(r1, bad, &err);
	plm_record_free(bad);

	unsigned1 = roster_record(&f1);
	unsigned_prev = plm_roster_check_successor(unsigned1, r2, &err);
	plm_record_free(unsigned1);

	f = f2;
	f.epoch = 3;
	memcpy(f.prev_roster, r2->id, 32);
	r3 = signed_roster(&f);
	third = plm_roster_check_successor(r2, r3, &err);
	plm_record_free(r3);

	plm_record_free(r1);
	plm_record_free(r2);
	CHECK_INT(ok, 0);
	CHECK_INT(third, 0);
	CHECK_INT(back, PLM_ERR_MISMATCH);
	CHECK_INT(same, PLM_ERR_MISMATCH);
	CHECK_INT(skip, PLM_ERR_MISMATCH);
	CHECK_INT(fork, PLM_ERR_MISMATCH);
	CHECK_INT(review, PLM_ERR_MISMATCH);
	CHECK_INT(sur, PLM_ERR_MISMATCH);
	CHECK_INT(cluster, PLM_ERR_MISMATCH);
	CHECK_INT(type, PLM_ERR_TYPE);
	CHECK_INT(unsigned_prev, PLM_ERR_INVALID);
}

/* Truncation at every length and a flipped bit anywhere, on a roster. */
static void test_roster_truncation_and_flips(void)
{
	plm_record *record = roster_record(&roster_ok), *decoded = NULL;
	unsigned char *bytes = NULL, *copy;
	size_t n, bit, len = 0, accepted = 0, short_ok = 0;

	CHECK_INT(plm_record_encode_sign(record, root, &bytes, &len, &err), 0);
	plm_record_free(record);
	for (n = 0; n < len; n++) {
		copy = malloc(n ? n : 1);
		if (copy == NULL)
			abort();
		memcpy(copy, bytes, n);
		if (plm_record_decode(copy, n, &decoded, &err) != PLM_ERR_TRUNCATED)
			short_ok++;
		plm_record_free(decoded);
		decoded = NULL;
		free(copy);
	}
	for (bit = 0; bit < len * 8; bit++) {
		bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (plm_record_decode(bytes, len, &decoded, &err) == 0 &&
		    plm_record_verify_signer(decoded, &root->pub, &err) == 0)
			accepted++;
		plm_record_free(decoded);
		decoded = NULL;
		bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	free(bytes);
	CHECK_INT(short_ok, 0);
	CHECK_INT(accepted, 0);
}

/* ---- epoch keys (PROTOCOL.md §5.5) ---- */

struct channel_fields {
	const char *name;
	int n_recipients;
	unsigned char recipients[3]; /* fingerprints: 32 copies of each byte */
};

struct epoch_fields {
	const char *review_id;
	uint64_t epoch;
	int n_channels;
	struct channel_fields channels[17];
};

static const struct epoch_fields epoch_ok = {
    "untoc-ita-2026-c1",
    1,
    2,
    {{"review", 3, {0x10, 0x20, 0x30}}, {"reviewers", 2, {0x20, 0x30}}}};

static void epoch_body(plm_wbuf *b, const struct epoch_fields *f)
{
	unsigned char fpr[32], sealed[80], roster_id[32], commitment[32];
	int i, j;

	memset(sealed, 0x5e, sizeof(sealed));
	memset(roster_id, 0x71, sizeof(roster_id));
	memset(commitment, 0xc0, sizeof(commitment));
	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	fixture_raw_str8(b, f->review_id);
	plm_wbuf_u64(b, f->epoch);
	plm_wbuf_put(b, roster_id, 32);
	plm_wbuf_u8(b, (uint8_t)f->n_channels);
	for (i = 0; i < f->n_channels && i < 17; i++) {
		fixture_raw_str8(b, f->channels[i].name);
		plm_wbuf_put(b, commitment, 32);
		plm_wbuf_u16(b, (uint16_t)f->channels[i].n_recipients);
		for (j = 0; j < f->channels[i].n_recipients && j < 3; j++) {
			memset(fpr, f->channels[i].recipients[j], 32);
			plm_wbuf_put(b, fpr, 32);
			plm_wbuf_put(b, sealed, 80);
		}
	}
}

static plm_record *epoch_record(const struct epoch_fields *f)
{
	plm_record *record = NULL;
	plm_epoch_keys *ek;
	plm_epoch_channel *ch;
	int i, j;

	if (plm_record_new(&record, PLM_RECORD_EPOCH_KEYS, NULL) != 0)
		abort();
	ek = &record->body.epoch_keys;
	SET_STR(ek->review_id, f->review_id);
	ek->epoch = f->epoch;
	memset(ek->roster_id, 0x71, 32);
	ek->n_channels = (uint8_t)f->n_channels;
	for (i = 0; i < f->n_channels && i < PLM_EPOCH_CHANNELS_MAX; i++) {
		ch = &ek->channels[i];
		SET_STR(ch->name, f->channels[i].name);
		memset(ch->commitment, 0xc0, 32);
		ch->n_recipients = (uint16_t)f->channels[i].n_recipients;
		ch->recipients = calloc(4, sizeof(*ch->recipients));
		if (ch->recipients == NULL)
			abort();
		for (j = 0; j < f->channels[i].n_recipients && j < 3; j++) {
			memset(ch->recipients[j].fingerprint,
			       f->channels[i].recipients[j], 32);
			memset(ch->recipients[j].sealed_key, 0x5e, 80);
		}
	}
	return record;
}

#define EPOCH_CASE(change, code)                                                       \
	do {                                                                           \
		plm_wbuf b_;                                                           \
		f = epoch_ok;                                                          \
		change;                                                                \
		epoch_body(&b_, &f);                                                   \
		CHECK_INT(decode_body(PLM_RECORD_EPOCH_KEYS, &b_), code);              \
		CHECK_INT(encode_record(epoch_record(&f), root), code);                \
	} while (0)

static void test_epoch_keys_bounds(void)
{
	static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
	                              "j", "k", "l", "m", "n", "o", "p", "q"};
	struct epoch_fields f;
	plm_record *record;
	unsigned char *bytes = NULL;
	plm_wbuf b;
	size_t len = 0;
	int i, same = 0;

	/* The hand-written body is exactly the library's. */
	record = epoch_record(&epoch_ok);
	CHECK_INT(plm_record_encode_sign(record, root, &bytes, &len, &err), 0);
	epoch_body(&b, &epoch_ok);
	same = len == 6 + b.len + 96 && memcmp(bytes + 6, b.data, b.len) == 0;
	plm_wbuf_free(&b);
	free(bytes);
	plm_record_free(record);
	CHECK(same);

	EPOCH_CASE((void)0, 0);
	EPOCH_CASE(f.review_id = "", PLM_ERR_LIMIT);
	EPOCH_CASE(f.review_id = id65, PLM_ERR_LIMIT);
	EPOCH_CASE(f.review_id = "Parties", PLM_ERR_FORMAT);
	EPOCH_CASE(f.review_id = "parties", 0); /* the parties group */
	EPOCH_CASE(f.epoch = 0, PLM_ERR_FORMAT);
	EPOCH_CASE(f.n_channels = 0, PLM_ERR_LIMIT);
	EPOCH_CASE(f.n_channels = 1, 0);
	f = epoch_ok;
	for (i = 0; i < 17; i++) {
		f.channels[i].name = names[i];
		f.channels[i].n_recipients = 1;
		f.channels[i].recipients[0] = 0x10;
	}
	{
		struct epoch_fields sixteen = f, seventeen = f;

		sixteen.n_channels = 16;
		seventeen.n_channels = 17;
		EPOCH_CASE(f = sixteen, 0);
		EPOCH_CASE(f = seventeen, PLM_ERR_LIMIT);
	}
	EPOCH_CASE(f.channels[0].name = "", PLM_ERR_LIMIT);
	EPOCH_CASE(f.channels[0].name = name33, PLM_ERR_LIMIT);
	EPOCH_CASE(f.channels[0].name = "Review", PLM_ERR_FORMAT);
	EPOCH_CASE(f.channels[1].name = "public", PLM_ERR_FORMAT); /* unsorted */
	EPOCH_CASE(f.channels[1].name = "review", PLM_ERR_FORMAT); /* twice */
	EPOCH_CASE(f.channels[0].n_recipients = 0, PLM_ERR_LIMIT);
	EPOCH_CASE(f.channels[0].recipients[2] = 0x15, PLM_ERR_FORMAT);
	EPOCH_CASE(f.channels[0].recipients[2] = 0x20, PLM_ERR_FORMAT);
	EPOCH_CASE(f.channels[1].recipients[0] = 0x30, PLM_ERR_FORMAT);
}

static void test_epoch_keys_recipient_count(void)
{
	struct epoch_fields f = epoch_ok;
	plm_record *record;
	plm_wbuf b;
	int r_short, r_big_dec, r_big_enc;

	f.channels[1].n_recipients = 2049;
	epoch_body(&b, &f);
	r_big_dec = decode_body(PLM_RECORD_EPOCH_KEYS, &b);
	f.channels[1].n_recipients = 3; /* the body holds only two */
	f.channels[1].recipients[2] = 0x40;
	epoch_body(&b, &f);
	b.len -= 112; /* drop the third recipient: the body ends there */
	r_short = decode_body(PLM_RECORD_EPOCH_KEYS, &b);
	f = epoch_ok;
	record = epoch_record(&f);
	record->body.epoch_keys.channels[1].n_recipients = 2049;
	r_big_enc = encode_record(record, root);
	CHECK_INT(r_big_dec, PLM_ERR_LIMIT);
	CHECK_INT(r_short, PLM_ERR_TRUNCATED);
	CHECK_INT(r_big_enc, PLM_ERR_LIMIT);
}

/* The people of the epoch-key tests. */
#define N_PEOPLE 4
static plm_identity *people[N_PEOPLE]; /* rossi, silva, martin, outsider */
static unsigned char *key_review, *key_reviewers;

static int setup_people(void)
{
	int i;

	for (i = 0; i < N_PEOPLE; i++)
		if (people[i] == NULL &&
		    (people[i] = fixture_identity((unsigned char)(20 + i))) == NULL)
			return -1;
	if (key_review == NULL && plm_key_new(&key_review, NULL) != 0)
		return -1;
	if (key_reviewers == NULL && plm_key_new(&key_reviewers, NULL) != 0)
		return -1;
	return 0;
}

static void teardown_people(void)
{
	int i;

	for (i = 0; i < N_PEOPLE; i++) {
		plm_identity_free(people[i]);
		people[i] = NULL;
	}
	plm_secret_free(key_review);
	plm_secret_free(key_reviewers);
	key_review = key_reviewers = NULL;
}

/*
 * Builds, signs and decodes epoch keys for REVIEW, EPOCH and ROSTER_ID:
 * "review" for rossi, silva and martin (and the outsider if OUTSIDER),
 * "reviewers" for silva and martin. NULL on failure.
 */
static plm_record *build_epoch_keys(const char *review, uint64_t epoch,
                                    const unsigned char roster_id[32], int outsider)
{
	plm_pubkeys audience[4], reviewers[2];
	plm_channel_grant grants[2];
	plm_record *built = NULL, *decoded = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0;

	audience[0] = people[2]->pub; /* any order: the builder sorts */
	audience[1] = people[0]->pub;
	audience[2] = people[1]->pub;
	audience[3] = people[3]->pub;
	reviewers[0] = people[1]->pub;
	reviewers[1] = people[2]->pub;
	grants[0] = (plm_channel_grant){"reviewers", key_reviewers, reviewers, 2};
	grants[1] =
	    (plm_channel_grant){"review", key_review, audience, outsider ? 4 : 3};
	if (plm_epoch_keys_build(&built, review, epoch, roster_id, grants, 2, &err) ==
	        0 &&
	    plm_record_encode_sign(built, root, &bytes, &len, &err) == 0 &&
	    plm_record_decode(bytes, len, &decoded, &err) == 0 &&
	    plm_record_verify_signer(decoded, &root->pub, &err) != 0) {
		plm_record_free(decoded);
		decoded = NULL;
	}
	free(bytes);
	plm_record_free(built);
	return decoded;
}

/* The standard epoch keys of the tests below. */
static plm_record *standard_epoch_keys(void)
{
	unsigned char roster_id[32];

	memset(roster_id, 0x71, sizeof(roster_id));
	return build_epoch_keys("untoc-ita-2026-c1", 1, roster_id, 0);
}

/* Opens CHANNEL for person P; returns the status, checks the key (-99). */
static int open_as(const plm_record *record, const char *channel, int p,
                   const unsigned char *want)
{
	unsigned char *key = (unsigned char *)1;
	int r;

	plm_error_clear(&err);
	r = plm_epoch_keys_open(record, channel, people[p], &key, &err);
	if (r == 0 && (key == NULL || memcmp(key, want, 32) != 0))
		r = -99;
	if (r != 0 && key != NULL)
		r = -98;
	if (r != 0 && err.code != r)
		r = -97;
	plm_secret_free(key);
	return r;
}

static void test_epoch_keys_open(void)
{
	plm_record *record;
	const plm_epoch_keys *ek;
	int res[9];

	CHECK_INT(setup_people(), 0);
	record = standard_epoch_keys();
	CHECK(record != NULL);
	ek = &record->body.epoch_keys;
	res[0] = strcmp(ek->channels[0].name, "review") == 0 &&
	         strcmp(ek->channels[1].name, "reviewers") == 0 &&
	         ek->channels[0].n_recipients == 3 && ek->channels[1].n_recipients == 2;
	res[1] = open_as(record, "review", 0, key_review);
	res[2] = open_as(record, "review", 1, key_review);
	res[3] = open_as(record, "review", 2, key_review);
	res[4] = open_as(record, "reviewers", 1, key_reviewers);
	res[5] = open_as(record, "reviewers", 2, key_reviewers);
	res[6] = open_as(record, "reviewers", 0, key_reviewers); /* not his */
	res[7] = open_as(record, "review", 3, key_review);       /* outsider */
	res[8] = open_as(record, "observers", 0, key_review);    /* no channel */
	plm_record_free(record);
	teardown_people();
	CHECK(res[0]);
	CHECK_INT(res[1], 0);
	CHECK_INT(res[2], 0);
	CHECK_INT(res[3], 0);
	CHECK_INT(res[4], 0);
	CHECK_INT(res[5], 0);
	CHECK_INT(res[6], PLM_ERR_NOTFOUND);
	CHECK_INT(res[7], PLM_ERR_NOTFOUND);
	CHECK_INT(res[8], PLM_ERR_NOTFOUND);
}

/* The commitment is exactly PROTOCOL.md §5.5's, computed independently. */
static void test_epoch_keys_commitment_binding(void)
{
	plm_record *record;
	unsigned char binding[128], want[32];
	size_t n = 0;
	int same;

	CHECK_INT(setup_people(), 0);
	record = standard_epoch_keys();
	CHECK(record != NULL);
	binding[n++] = 17;
	memcpy(binding + n, "untoc-ita-2026-c1", 17);
	n += 17;
	plm_store_u64(binding + n, 1);
	n += 8;
	binding[n++] = 6;
	memcpy(binding + n, "review", 6);
	n += 6;
	plm_key_commit(want, "channel", binding, n, key_review);
	same = memcmp(want, record->body.epoch_keys.channels[0].commitment, 32) == 0;
	plm_record_free(record);
	teardown_people();
	CHECK(same);
}

/*
 * A cheating signer: a validly signed record in which the key sealed to one
 * member is not the committed key. That member is told (COMMITMENT); the
 * others still open theirs. Other tampering: a swapped entry (KEY), a
 * changed commitment, channel name, epoch or review (COMMITMENT).
 */
static void test_epoch_keys_tampered(void)
{
	plm_record *record;
	plm_epoch_channel *review;
	unsigned char *other_key = NULL, saved[80];
	int cheat_target, cheat_other, swapped, commit, renamed, epoch, review_id, type;

	CHECK_INT(setup_people(), 0);
	CHECK_INT(plm_key_new(&other_key, &err), 0);
	record = standard_epoch_keys();
	CHECK(record != NULL);
	review = &record->body.epoch_keys.channels[0];

	/* Find silva's entry and seal another key to her; the root re-signs. */
	{
		unsigned char fpr[32];
		int j, at = -1;

		plm_fingerprint(fpr, &people[1]->pub);
		for (j = 0; j < review->n_recipients; j++)
			if (memcmp(review->recipients[j].fingerprint, fpr, 32) == 0)
				at = j;
		CHECK(at >= 0);
		memcpy(saved, review->recipients[at].sealed_key, 80);
		CHECK_INT(plm_key_seal(review->recipients[at].sealed_key, other_key,
		                       people[1]->pub.box_pk, &err),
		          0);
		CHECK_INT(plm_record_encode_sign(record, root, NULL, NULL, &err), 0);
		cheat_target = open_as(record, "review", 1, other_key);
		cheat_other = open_as(record, "review", 0, key_review);

		/* Rossi's entry replaced by silva's original one. */
		memcpy(review->recipients[at].sealed_key, saved, 80);
		{
			plm_fingerprint(fpr, &people[0]->pub);
			for (j = 0; j < review->n_recipients; j++)
				if (memcmp(review->recipients[j].fingerprint, fpr,
				           32) == 0)
					memcpy(review->recipients[j].sealed_key, saved,
					       80);
		}
		swapped = open_as(record, "review", 0, key_review);
	}
	plm_record_free(record);

	record = standard_epoch_keys();
	CHECK(record != NULL);
	review = &record->body.epoch_keys.channels[0];
	review->commitment[7] ^= 0x01;
	commit = open_as(record, "review", 2, key_review);
	review->commitment[7] ^= 0x01;
	strcpy(review->name, "revie");
	renamed = open_as(record, "revie", 2, key_review);
	strcpy(review->name, "review");
	record->body.epoch_keys.epoch = 2;
	epoch = open_as(record, "review", 2, key_review);
	record->body.epoch_keys.epoch = 1;
	strcpy(record->body.epoch_keys.review_id, "untoc-ita-2026-c2");
	review_id = open_as(record, "review", 2, key_review);
	strcpy(record->body.epoch_keys.review_id, "untoc-ita-2026-c1");
	record->type = PLM_RECORD_ROSTER;
	type = open_as(record, "review", 2, key_review);
	record->type = PLM_RECORD_EPOCH_KEYS;
	plm_record_free(record);
	plm_secret_free(other_key);
	teardown_people();
	CHECK_INT(cheat_target, PLM_ERR_COMMITMENT);
	CHECK_INT(cheat_other, 0);
	CHECK_INT(swapped, PLM_ERR_KEY);
	CHECK_INT(commit, PLM_ERR_COMMITMENT);
	CHECK_INT(renamed, PLM_ERR_COMMITMENT);
	CHECK_INT(epoch, PLM_ERR_COMMITMENT);
	CHECK_INT(review_id, PLM_ERR_COMMITMENT);
	CHECK_INT(type, PLM_ERR_TYPE);
}

/* PROTOCOL.md §5.5: epoch keys go with the roster of their epoch. */
static void test_epoch_keys_check_roster(void)
{
	struct roster_fields f = roster_ok;
	plm_record *roster, *keys;
	unsigned char other_id[32];
	int i, r[7];

	CHECK_INT(setup_people(), 0);
	f.n_members = 3;
	roster = roster_record(&f);
	for (i = 0; i < 3; i++)
		plm_fingerprint(roster->body.roster.members[i].fingerprint,
		                &people[i]->pub);
	plm_roster_sort(&roster->body.roster);
	CHECK_INT(plm_record_encode_sign(roster, root, NULL, NULL, &err), 0);
	memcpy(other_id, roster->id, 32);
	other_id[31] ^= 1;
	for (i = 0; i < 7; i++)
		r[i] = -1;
#define WITH_KEYS(n, review, epoch, id, outsider, call)                                \
	do {                                                                           \
		keys = build_epoch_keys(review, epoch, id, outsider);                  \
		if (keys != NULL)                                                      \
			r[n] = call;                                                   \
		plm_record_free(keys);                                                 \
	} while (0)
	WITH_KEYS(0, "untoc-ita-2026-c1", 1, roster->id, 0,
	          plm_epoch_keys_check_roster(keys, roster, &err));
	WITH_KEYS(1, "untoc-ita-2026-c1", 2, roster->id, 0,
	          plm_epoch_keys_check_roster(keys, roster, &err));
	WITH_KEYS(2, "untoc-ita-2026-c2", 1, roster->id, 0,
	          plm_epoch_keys_check_roster(keys, roster, &err));
	WITH_KEYS(3, "untoc-ita-2026-c1", 1, other_id, 0,
	          plm_epoch_keys_check_roster(keys, roster, &err));
	WITH_KEYS(4, "untoc-ita-2026-c1", 1, roster->id, 1,
	          plm_epoch_keys_check_roster(keys, roster, &err));
	WITH_KEYS(5, "untoc-ita-2026-c1", 1, roster->id, 0,
	          plm_epoch_keys_check_roster(roster, keys, &err));
	WITH_KEYS(6, "untoc-ita-2026-c1", 1, roster->id, 0,
	          plm_epoch_keys_check_roster(keys, keys, &err));
#undef WITH_KEYS
	plm_record_free(roster);
	teardown_people();
	CHECK_INT(r[0], 0);
	CHECK_INT(r[1], PLM_ERR_MISMATCH);
	CHECK_INT(r[2], PLM_ERR_MISMATCH);
	CHECK_INT(r[3], PLM_ERR_MISMATCH);
	CHECK_INT(r[4], PLM_ERR_MISMATCH);
	CHECK_INT(r[5], PLM_ERR_TYPE);
	CHECK_INT(r[6], PLM_ERR_TYPE);
}

static void test_epoch_keys_build_errors(void)
{
	plm_pubkeys two[2], dup[2];
	plm_channel_grant g[17];
	plm_record *record = NULL;
	unsigned char roster_id[32] = {0};
	static char names[17][4];
	int i, r[12];

	CHECK_INT(setup_people(), 0);
	two[0] = people[0]->pub;
	two[1] = people[1]->pub;
	dup[0] = people[0]->pub;
	dup[1] = people[0]->pub;
	for (i = 0; i < 17; i++) {
		snprintf(names[i], sizeof(names[i]), "c%02d", i);
		g[i] = (plm_channel_grant){names[i], key_review, two, 2};
	}
#define BUILD(review, epoch, grants, n)                                                \
	(plm_record_free(record), record = NULL,                                       \
	 plm_epoch_keys_build(&record, review, epoch, roster_id, grants, n, &err))
	r[0] = BUILD("untoc-ita-2026-c1", 1, g, 16);
	r[1] = BUILD("untoc-ita-2026-c1", 1, g, 17);
	r[2] = BUILD("untoc-ita-2026-c1", 1, g, 0);
	r[3] = BUILD("untoc-ita-2026-c1", 0, g, 1);
	r[4] = BUILD("parties", 1, g, 1);
	r[5] = BUILD(id65, 1, g, 1);
	g[1].name = names[0];
	r[6] = BUILD("untoc-ita-2026-c1", 1, g, 2); /* a channel twice */
	g[1].name = names[1];
	g[0].recipients = dup;
	r[7] = BUILD("untoc-ita-2026-c1", 1, g, 1); /* a recipient twice */
	g[0].n_recipients = 0;
	r[8] = BUILD("untoc-ita-2026-c1", 1, g, 1);
	g[0].recipients = two;
	g[0].n_recipients = 2;
	g[0].name = "Review";
	r[9] = BUILD("untoc-ita-2026-c1", 1, g, 1);
	g[0].name = name33;
	r[10] = BUILD("untoc-ita-2026-c1", 1, g, 1);
	g[0].name = "review";
	g[0].key = NULL;
	r[11] = BUILD("untoc-ita-2026-c1", 1, g, 1);
#undef BUILD
	plm_record_free(record);
	teardown_people();
	CHECK_INT(r[0], 0);
	CHECK_INT(r[1], PLM_ERR_LIMIT);
	CHECK_INT(r[2], PLM_ERR_LIMIT);
	CHECK_INT(r[3], PLM_ERR_FORMAT);
	CHECK_INT(r[4], 0);
	CHECK_INT(r[5], PLM_ERR_LIMIT);
	CHECK_INT(r[6], PLM_ERR_INVALID);
	CHECK_INT(r[7], PLM_ERR_INVALID);
	CHECK_INT(r[8], PLM_ERR_LIMIT);
	CHECK_INT(r[9], PLM_ERR_FORMAT);
	CHECK_INT(r[10], PLM_ERR_LIMIT);
	CHECK_INT(r[11], PLM_ERR_INVALID);
}

/* Truncation and bit flips on an epoch_keys record. */
static void test_epoch_keys_truncation_and_flips(void)
{
	plm_record *record, *decoded = NULL;
	unsigned char *bytes = NULL, *copy;
	size_t n, bit, len = 0, short_ok = 0, accepted = 0;

	CHECK_INT(setup_people(), 0);
	record = standard_epoch_keys();
	CHECK(record != NULL);
	len = record->encoding_len;
	bytes = malloc(len);
	CHECK(bytes != NULL);
	memcpy(bytes, record->encoding, len);
	plm_record_free(record);
	for (n = 0; n < len; n++) {
		copy = malloc(n ? n : 1);
		if (copy == NULL)
			abort();
		memcpy(copy, bytes, n);
		if (plm_record_decode(copy, n, &decoded, &err) != PLM_ERR_TRUNCATED)
			short_ok++;
		plm_record_free(decoded);
		decoded = NULL;
		free(copy);
	}
	/* Every 7th bit keeps the run short; the byte positions all get one. */
	for (bit = 0; bit < len * 8; bit += 7) {
		bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (plm_record_decode(bytes, len, &decoded, &err) == 0 &&
		    plm_record_verify_signer(decoded, &root->pub, &err) == 0)
			accepted++;
		plm_record_free(decoded);
		decoded = NULL;
		bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	free(bytes);
	teardown_people();
	CHECK_INT(short_ok, 0);
	CHECK_INT(accepted, 0);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_roster_round_trip),
    CHECK_CASE(test_roster_bounds),
    CHECK_CASE(test_roster_epoch_rules),
    CHECK_CASE(test_roster_instruments),
    CHECK_CASE(test_roster_reviewing),
    CHECK_CASE(test_roster_languages),
    CHECK_CASE(test_roster_members),
    CHECK_CASE(test_roster_member_count),
    CHECK_CASE(test_roster_sort_and_find),
    CHECK_CASE(test_roster_successor),
    CHECK_CASE(test_roster_truncation_and_flips),
    CHECK_CASE(test_epoch_keys_bounds),
    CHECK_CASE(test_epoch_keys_recipient_count),
    CHECK_CASE(test_epoch_keys_open),
    CHECK_CASE(test_epoch_keys_commitment_binding),
    CHECK_CASE(test_epoch_keys_tampered),
    CHECK_CASE(test_epoch_keys_check_roster),
    CHECK_CASE(test_epoch_keys_build_errors),
    CHECK_CASE(test_epoch_keys_truncation_and_flips),
};

int main(int argc, char **argv)
{
	int r;

	memset(id65, 'a', 65);
	memset(name33, 'n', 33);
	if ((root = fixture_identity(1)) == NULL)
		return 2;
	r = check_main("test_record_roster", cases, sizeof(cases) / sizeof(cases[0]),
	               argc, argv);
	plm_identity_free(root);
	teardown_people();
	return r;
}
