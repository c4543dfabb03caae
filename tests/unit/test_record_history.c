/*
 * test_record_history.c - history grants (PROTOCOL.md §5.11): the body's
 * encoding written here by hand, field by field as the spec describes it;
 * the decoder's and the encoder's bounds, order and epoch rules; and the
 * grantee's check of every re-sealed key against the commitment of its own
 * epoch's epoch keys, so that the root cannot hand them another key.
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
#define REVIEW "2026-ita-crim"

static plm_error err;

/* A signed roster of REVIEW at EPOCH whose one member is MEMBER. */
static plm_record *roster_of(const plm_identity *root, const plm_identity *member,
                             uint64_t epoch)
{
	plm_record *record = NULL;
	plm_roster *ro;

	if (plm_record_new(&record, PLM_RECORD_ROSTER, NULL) != 0)
		abort();
	ro = &record->body.roster;
	strcpy(ro->review_id, REVIEW);
	ro->epoch = epoch;
	memset(ro->prev_roster, epoch > 1 ? 0x11 : 0, PLM_HASH_BYTES);
	memset(ro->policy_digest, 0x22, PLM_HASH_BYTES);
	strcpy(ro->sur_state, "ITA");
	strcpy(ro->cluster, "criminalization");
	ro->n_instruments = 1;
	strcpy(ro->instruments[0].name, "untoc");
	ro->instruments[0].n_reviewing = 1;
	strcpy(ro->instruments[0].reviewing[0], "FRA");
	ro->n_languages = 1;
	strcpy(ro->languages[0], "en");
	if (plm_roster_members_alloc(ro, 1, NULL) != 0)
		abort();
	plm_fingerprint(ro->members[0].fingerprint, &member->pub);
	strcpy(ro->members[0].user_id, "it-fp-neri");
	strcpy(ro->members[0].state, "ITA");
	strcpy(ro->members[0].role, "focal_point");
	ro->created_at = T_CREATED;
	if (plm_record_encode_sign(record, root, NULL, NULL, NULL) != 0)
		abort();
	return record;
}

/* Signed epoch keys of epoch EPOCH: channel "review" with KEY, sealed to WHO. */
static plm_record *keys_of(const plm_identity *root, const plm_identity *who,
                           uint64_t epoch, const unsigned char *key)
{
	unsigned char roster_id[PLM_HASH_BYTES];
	plm_channel_grant grant = {"review", key, &who->pub, 1};
	plm_record *record = NULL;

	memset(roster_id, 0x33, sizeof(roster_id));
	if (plm_epoch_keys_build(&record, REVIEW, epoch, roster_id, &grant, 1, NULL) != 0 ||
	    plm_record_encode_sign(record, root, NULL, NULL, NULL) != 0)
		abort();
	return record;
}

/* Every field of a one-key grant at the place PROTOCOL.md §5.11 gives it. */
static void test_encoding(void)
{
	plm_identity *root = fixture_identity(1), *old = fixture_identity(2),
	             *neri = fixture_identity(3);
	unsigned char k1[PLM_KEY_BYTES], fpr[PLM_FPR_BYTES];
	const unsigned char *keys[1] = {k1};
	const char *channels[1] = {"review"};
	uint64_t epochs[1] = {1};
	plm_record *roster = roster_of(root, neri, 2), *grant = NULL, *back = NULL;
	unsigned char *bytes = NULL;
	const unsigned char *body;
	size_t len = 0;

	memset(k1, 0x5a, sizeof(k1));
	CHECK_INT(plm_history_grant_build(&grant, roster, &neri->pub, epochs, channels,
	                                  keys, 1, T_CREATED, &err),
	          0);
	CHECK_INT(plm_record_encode_sign(grant, root, &bytes, &len, &err), 0);
	CHECK_INT(bytes[0], 1);
	CHECK_INT(bytes[1], PLM_RECORD_HISTORY_GRANT);
	body = bytes + PLM_RECORD_HEADER_BYTES;
	/* str8 review_id, u64 epoch, roster_id, grantee, u16 n_keys */
	CHECK_INT(body[0], strlen(REVIEW));
	CHECK_MEM(body + 1, REVIEW, strlen(REVIEW));
	body += 1 + strlen(REVIEW);
	CHECK_INT(plm_load_u64(body), 2);
	CHECK_MEM(body + 8, roster->id, PLM_HASH_BYTES);
	plm_fingerprint(fpr, &neri->pub);
	CHECK_MEM(body + 40, fpr, PLM_FPR_BYTES);
	CHECK_INT(body[72] << 8 | body[73], 1);
	/* one key: u64 epoch, str8 channel, sealed key; then u64 created_at */
	CHECK_INT(plm_load_u64(body + 74), 1);
	CHECK_INT(body[82], 6);
	CHECK_MEM(body + 83, "review", 6);
	CHECK_INT(plm_load_u64(body + 89 + PLM_SEALED_KEY_BYTES), T_CREATED);
	CHECK_INT(len, PLM_RECORD_HEADER_BYTES + 1 + strlen(REVIEW) + 74 + 8 + 1 + 6 +
	                   PLM_SEALED_KEY_BYTES + 8 + PLM_RECORD_TRAILER_BYTES);
	/* The decoder gives back the same record, byte for byte. */
	CHECK_INT(plm_record_decode(bytes, len, &back, &err), 0);
	CHECK_MEM(back->id, grant->id, PLM_HASH_BYTES);
	CHECK_STR(plm_record_review(back), REVIEW);
	CHECK_INT(plm_record_verify_signer(back, &root->pub, &err), 0);
	free(bytes);
	plm_record_free(back);
	plm_record_free(grant);
	plm_record_free(roster);
	plm_identity_free(root);
	plm_identity_free(old);
	plm_identity_free(neri);
}

/* The grantee opens the key; it must be the one its epoch committed to. */
static void test_open_checks_commitment(void)
{
	plm_identity *root = fixture_identity(1), *old = fixture_identity(2),
	             *neri = fixture_identity(3);
	unsigned char k1[PLM_KEY_BYTES], other[PLM_KEY_BYTES];
	const unsigned char *good[1] = {k1}, *bad[1] = {other};
	const char *channels[1] = {"review"};
	uint64_t epochs[1] = {1};
	plm_record *roster = roster_of(root, neri, 2), *ek1 = NULL, *ek2 = NULL;
	plm_record *grant = NULL, *forged = NULL;
	unsigned char *key = NULL;
	int r[6];

	memset(k1, 0x5a, sizeof(k1));
	memset(other, 0xa5, sizeof(other));
	ek1 = keys_of(root, old, 1, k1);
	ek2 = keys_of(root, old, 2, other);
	if (plm_history_grant_build(&grant, roster, &neri->pub, epochs, channels, good, 1,
	                            T_CREATED, NULL) != 0 ||
	    plm_history_grant_build(&forged, roster, &neri->pub, epochs, channels, bad, 1,
	                            T_CREATED, NULL) != 0)
		abort();
	CHECK_INT(plm_history_grant_open(grant, 1, "review", ek1, neri, &key, &err), 0);
	CHECK(key != NULL && sodium_memcmp(key, k1, PLM_KEY_BYTES) == 0);
	plm_secret_free(key);
	key = NULL;
	r[0] = plm_history_grant_open(forged, 1, "review", ek1, neri, &key, &err);
	CHECK(strstr(err.message, "not the key that epoch's members hold") != NULL);
	r[1] = plm_history_grant_open(grant, 1, "review", ek1, old, &key, &err);
	r[2] = plm_history_grant_open(grant, 1, "reviewers", ek1, neri, &key, &err);
	r[3] = plm_history_grant_open(grant, 1, "review", ek2, neri, &key, &err);
	r[4] = plm_history_grant_open(ek1, 1, "review", ek1, neri, &key, &err);
	r[5] = plm_history_grant_open(grant, 1, "review", roster, neri, &key, &err);
	CHECK_INT(r[0], PLM_ERR_COMMITMENT);
	CHECK_INT(r[1], PLM_ERR_NOTFOUND);
	CHECK_INT(r[2], PLM_ERR_NOTFOUND);
	CHECK_INT(r[3], PLM_ERR_MISMATCH);
	CHECK_INT(r[4], PLM_ERR_TYPE);
	CHECK_INT(r[5], PLM_ERR_TYPE);
	CHECK(key == NULL);
	/* The epoch keys' own check is the same one. */
	CHECK_INT(plm_epoch_keys_check_key(ek1, "review", k1, &err), 0);
	CHECK_INT(plm_epoch_keys_check_key(ek1, "review", other, &err), PLM_ERR_COMMITMENT);
	CHECK_INT(plm_epoch_keys_check_key(ek1, "reviewers", k1, &err), PLM_ERR_NOTFOUND);
	plm_record_free(grant);
	plm_record_free(forged);
	plm_record_free(ek1);
	plm_record_free(ek2);
	plm_record_free(roster);
	plm_identity_free(root);
	plm_identity_free(old);
	plm_identity_free(neri);
}

/* A body written by hand: EPOCH, then N keys of (EPOCHS[i], CHANNELS[i]). */
static void grant_body(plm_wbuf *b, uint64_t epoch, size_t n, const uint64_t *epochs,
                       const char *const *channels)
{
	unsigned char zero[PLM_SEALED_KEY_BYTES] = {0};
	size_t i;

	plm_wbuf_init(b, 1 << 20, "test body", NULL);
	fixture_raw_str8(b, REVIEW);
	plm_wbuf_u64(b, epoch);
	plm_wbuf_put(b, zero, PLM_HASH_BYTES);
	plm_wbuf_put(b, zero, PLM_FPR_BYTES);
	plm_wbuf_u16(b, (uint16_t)n);
	for (i = 0; i < n; i++) {
		plm_wbuf_u64(b, epochs[i]);
		fixture_raw_str8(b, channels[i]);
		plm_wbuf_put(b, zero, PLM_SEALED_KEY_BYTES);
	}
	plm_wbuf_u64(b, T_CREATED);
}

/* PROTOCOL.md §5.11: each decoding rule, with its code. */
static void test_decode_rules(void)
{
	static const uint64_t e12[] = {1, 2}, e21[] = {2, 1}, e11[] = {1, 1}, e3[] = {3};
	static const char *const rr[] = {"review", "review"},
	                         *rv[] = {"reviewers", "review"}, *bad[] = {"Review"};
	plm_wbuf b;

	grant_body(&b, 3, 2, e12, rr);
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), 0);
	grant_body(&b, 3, 2, e21, rr); /* epochs out of order */
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_FORMAT);
	grant_body(&b, 3, 2, e11, rv); /* channels out of order within an epoch */
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_FORMAT);
	grant_body(&b, 3, 2, e11, rr); /* the same key twice */
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_FORMAT);
	grant_body(&b, 3, 1, e3, rr); /* a key of the grant's own epoch */
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "epochs 1 to 2 only") != NULL);
	grant_body(&b, 1, 0, NULL, NULL); /* epoch 1 has no history, and no keys */
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_LIMIT);
	grant_body(&b, 1, 1, e12, rr);
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_FORMAT);
	grant_body(&b, 3, 1, e12, bad); /* a channel is a NAME */
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err), PLM_ERR_FORMAT);
	/* n_keys promising more keys than the bytes hold. */
	plm_wbuf_init(&b, 1 << 20, "test body", NULL);
	fixture_raw_str8(&b, REVIEW);
	plm_wbuf_u64(&b, 3);
	plm_wbuf_put(&b, e12, 16);
	plm_wbuf_put(&b, e12, 16);
	plm_wbuf_put(&b, e12, 16);
	plm_wbuf_put(&b, e12, 16);
	plm_wbuf_u16(&b, PLM_HISTORY_KEYS_MAX);
	CHECK_INT(fixture_decode_body(PLM_RECORD_HISTORY_GRANT, &b, &err),
	          PLM_ERR_TRUNCATED);
}

/* The builder refuses what the decoder would, and signs nothing. */
static void test_build_refuses(void)
{
	plm_identity *root = fixture_identity(1), *neri = fixture_identity(3);
	unsigned char k[PLM_KEY_BYTES] = {0};
	const unsigned char *keys[2] = {k, k};
	const char *channels[2] = {"review", "review"};
	uint64_t same[2] = {1, 1}, late[1] = {2};
	plm_record *roster = roster_of(root, neri, 2), *first = roster_of(root, neri, 1);
	plm_record *grant = NULL;
	int r[4];

	r[0] = plm_history_grant_build(&grant, roster, &neri->pub, same, channels, keys, 2,
	                               T_CREATED, &err);
	r[1] = plm_history_grant_build(&grant, roster, &neri->pub, late, channels, keys, 1,
	                               T_CREATED, &err);
	r[2] = plm_history_grant_build(&grant, first, &neri->pub, same, channels, keys, 1,
	                               T_CREATED, &err);
	r[3] = plm_history_grant_build(&grant, roster, &neri->pub, same, channels, keys, 0,
	                               T_CREATED, &err);
	CHECK_INT(r[0], PLM_ERR_INVALID);
	CHECK_INT(r[1], PLM_ERR_FORMAT);
	CHECK_INT(r[2], PLM_ERR_FORMAT);
	CHECK_INT(r[3], PLM_ERR_LIMIT);
	CHECK(grant == NULL);
	plm_record_free(roster);
	plm_record_free(first);
	plm_identity_free(root);
	plm_identity_free(neri);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_encoding),
    CHECK_CASE(test_open_checks_commitment),
    CHECK_CASE(test_decode_rules),
    CHECK_CASE(test_build_refuses),
};

CHECK_MAIN("test_record_history", cases)
