/*
 * test_crypto.c - the primitives of keys/crypto.c (PROTOCOL.md §3) and the
 * canonical encoding of keys/codec.c (PROTOCOL.md §2).
 *
 * Known answers were computed independently (Python hashlib BLAKE2b and the
 * "cryptography" package's Ed25519/X25519), so these tests pin the spec, not
 * just whatever the code does today.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "keys/codec.h"
#include "keys/crypto.h"

/* Decodes the hex string HEX into OUT (exactly LEN bytes); 0 on success. */
static int unhex(unsigned char *out, size_t len, const char *hex)
{
	size_t binlen = 0;

	if (sodium_hex2bin(out, len, hex, strlen(hex), NULL, &binlen, NULL) != 0)
		return -1;
	return binlen == len ? 0 : -1;
}

static void seed_of(unsigned char seed[PLM_SEED_BYTES], unsigned char n)
{
	size_t i;

	for (i = 0; i < PLM_SEED_BYTES; i++)
		seed[i] = (unsigned char)(n + i);
}

/* ---------------------------------------------------------------- §3.1 */

static void test_hash_known_answers(void)
{
	unsigned char out[PLM_HASH_BYTES], expect[PLM_HASH_BYTES];

	plm_hash(out, "", 0);
	CHECK(unhex(expect, 32,
	            "0e5751c026e543b2e8ab2eb06099daa1"
	            "d1e5df47778f7787faab45cdf12fe3a8") == 0);
	CHECK_MEM(out, expect, 32);
	plm_hash(out, "abc", 3);
	CHECK(unhex(expect, 32,
	            "bddd813c634239723171ef3fee98579b"
	            "94964e3bb1cb3e427262c8c068d52319") == 0);
	CHECK_MEM(out, expect, 32);
}

/* ---------------------------------------------------------------- §3.6 */

/* example seed 1 (bytes 01..20): keys computed outside libsodium. */
static void test_identity_known_answer(void)
{
	unsigned char seed[PLM_SEED_BYTES], expect[32], sig[PLM_SIG_BYTES];
	unsigned char ed_seed[32];
	plm_identity *id = NULL;

	seed_of(seed, 1);
	CHECK_INT(plm_identity_from_seed(&id, seed, NULL), 0);
	CHECK_MEM(id->seed, seed, 32);
	CHECK(unhex(expect, 32,
	            "3d27d044c7d0b1e3eae4104e3e87f9c2"
	            "c6854bbaff8e5e3b0f7af3bb5d0bc4e7") == 0);
	CHECK_MEM(id->pub.sign_pk, expect, 32);
	CHECK(unhex(expect, 32,
	            "e0294a739b5d1cd80eac67e61484b1aa"
	            "07b014bcb0d65daf1e0b6a00c857062f") == 0);
	CHECK_MEM(id->pub.box_pk, expect, 32);
	CHECK(unhex(expect, 32,
	            "e29ee7e7d51149eebd7806b1d2e0f147"
	            "95809417f83d81d9ca1719523aed1473") == 0);
	CHECK_MEM(id->box_sk, expect, 32);
	/* libsodium's Ed25519 secret key is the 32-byte seed || public key. */
	CHECK(unhex(ed_seed, 32,
	            "441666ea5e22c94df3f8106dd85a2dab"
	            "8cb5723b646924714a80017e37b44e4c") == 0);
	CHECK_MEM(id->sign_sk, ed_seed, 32);
	CHECK_MEM(id->sign_sk + 32, id->pub.sign_pk, 32);
	/* The signing key signs for the public key. */
	CHECK_INT(
	    plm_sign(sig, "roster", (const unsigned char *)"x", 1, id->sign_sk, NULL),
	    0);
	CHECK_INT(plm_verify(sig, "roster", (const unsigned char *)"x", 1,
	                     id->pub.sign_pk, NULL),
	          0);
	plm_identity_free(id);
}

static void test_identity_derivation(void)
{
	unsigned char seed[PLM_SEED_BYTES], sub[32], pk[32], sk[64];
	plm_identity *a = NULL, *b = NULL, *c = NULL, *g1 = NULL, *g2 = NULL;

	seed_of(seed, 40);
	CHECK_INT(plm_identity_from_seed(&a, seed, NULL), 0);
	CHECK_INT(plm_identity_from_seed(&b, seed, NULL), 0);
	CHECK(memcmp(a, b, sizeof(*a)) == 0); /* deterministic */
	/* Exactly as PROTOCOL.md §3.6 describes it, with libsodium directly. */
	CHECK_INT(crypto_kdf_derive_from_key(sub, 32, 1, "PLMSIGN1", seed), 0);
	CHECK_INT(crypto_sign_seed_keypair(pk, sk, sub), 0);
	CHECK_MEM(a->pub.sign_pk, pk, 32);
	CHECK_MEM(a->sign_sk, sk, 64);
	CHECK_INT(crypto_kdf_derive_from_key(sub, 32, 2, "PLMBOX01", seed), 0);
	CHECK_MEM(a->box_sk, sub, 32);
	CHECK_INT(crypto_scalarmult_base(pk, sub), 0);
	CHECK_MEM(a->pub.box_pk, pk, 32);
	/* Different seed, different everything. */
	seed[31] ^= 1;
	CHECK_INT(plm_identity_from_seed(&c, seed, NULL), 0);
	CHECK(memcmp(a->pub.sign_pk, c->pub.sign_pk, 32) != 0);
	CHECK(memcmp(a->pub.box_pk, c->pub.box_pk, 32) != 0);
	/* Generated identities are random and consistent with their seed. */
	CHECK_INT(plm_identity_generate(&g1, NULL), 0);
	CHECK_INT(plm_identity_generate(&g2, NULL), 0);
	CHECK(memcmp(g1->seed, g2->seed, 32) != 0);
	plm_identity_free(a);
	CHECK_INT(plm_identity_from_seed(&a, g1->seed, NULL), 0);
	CHECK(memcmp(a, g1, sizeof(*a)) == 0);
	plm_identity_free(a);
	plm_identity_free(b);
	plm_identity_free(c);
	plm_identity_free(g1);
	plm_identity_free(g2);
	plm_identity_free(NULL);
}

/* ---------------------------------------------------------------- §3.5 */

static void test_fingerprint(void)
{
	unsigned char seed[32], fpr[PLM_FPR_BYTES], expect[32], both[64];
	plm_identity *id = NULL;
	plm_pubkeys pub;

	seed_of(seed, 1);
	CHECK_INT(plm_identity_from_seed(&id, seed, NULL), 0);
	plm_fingerprint(fpr, &id->pub);
	CHECK(unhex(expect, 32,
	            "20c46b1c22db6855337e02a15ef24a5e"
	            "8128496cd5eda889ed81d5a0aecddbc5") == 0);
	CHECK_MEM(fpr, expect, 32);
	memcpy(both, id->pub.sign_pk, 32);
	memcpy(both + 32, id->pub.box_pk, 32);
	plm_hash(expect, both, 64);
	CHECK_MEM(fpr, expect, 32);
	/* Each half matters. */
	pub = id->pub;
	pub.box_pk[0] ^= 1;
	plm_fingerprint(expect, &pub);
	CHECK(memcmp(fpr, expect, 32) != 0);
	pub = id->pub;
	pub.sign_pk[31] ^= 0x80;
	plm_fingerprint(expect, &pub);
	CHECK(memcmp(fpr, expect, 32) != 0);
	plm_identity_free(id);
}

static void test_fingerprint_format(void)
{
	unsigned char fpr[PLM_FPR_BYTES];
	char text[PLM_FPR_TEXT_BYTES];
	size_t i;

	for (i = 0; i < sizeof(fpr); i++)
		fpr[i] = (unsigned char)(i * 0x11 + 0x0a);
	plm_fingerprint_format(text, fpr);
	CHECK_STR(text, "0a1b 2c3d 4e5f 7081 92a3 b4c5 d6e7 f809 "
	                "1a2b 3c4d 5e6f 8091 a2b3 c4d5 e6f7 0819");
	CHECK_INT(strlen(text), PLM_FPR_TEXT_BYTES - 1);
}

static void test_fingerprint_parse(void)
{
	static const char *good[] = {
	    "0a1b 2c3d 4e5f 7081 92a3 b4c5 d6e7 f809 1a2b 3c4d 5e6f 8091 a2b3 c4d5 "
	    "e6f7 0819",
	    "0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f70819",
	    "0A1B2C3D4E5F708192A3B4C5D6E7F8091A2B3C4D5E6F8091A2B3C4D5E6F70819",
	    "0a1b-2c3d-4e5f-7081-92a3-b4c5-d6e7-f809-1a2b-3c4d-5e6f-8091-a2b3-c4d5-"
	    "e6f7-0819",
	    "0a:1b:2c:3d:4e:5f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a:2b:3c:4d:5e:6f:80:91:"
	    "a2:b3:c4:d5:e6:f7:08:19",
	    "  0a1b 2c3d 4e5f 7081 92a3 b4c5 d6e7 f809  1a2b 3c4d 5e6f 8091 a2b3 c4d5 "
	    "e6f7 0819 ",
	};
	static const char *bad[] = {
	    "",
	    "    ",
	    /* 63 and 65 digits */
	    "0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f7081",
	    "0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f708190",
	    /* not hex, other separators */
	    "0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f7081g",
	    "0a1b.2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f70819",
	    "0a1b\t2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f70819",
	    "0x0a1b2c3d4e5f708192a3b4c5d6e7f8091a2b3c4d5e6f8091a2b3c4d5e6f70819",
	};
	unsigned char expect[PLM_FPR_BYTES], fpr[PLM_FPR_BYTES];
	char text[PLM_FPR_TEXT_BYTES];
	plm_error err;
	size_t i;

	for (i = 0; i < sizeof(expect); i++)
		expect[i] = (unsigned char)(i * 0x11 + 0x0a);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(fpr, 0, sizeof(fpr));
		CHECK_INT(plm_fingerprint_parse(fpr, good[i], &err), 0);
		CHECK_MEM(fpr, expect, sizeof(fpr));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(plm_fingerprint_parse(fpr, bad[i], &err), PLM_ERR_FORMAT);
		CHECK_INT(err.code, PLM_ERR_FORMAT);
		CHECK_INT(plm_fingerprint_parse(fpr, bad[i], NULL), PLM_ERR_FORMAT);
	}
	/* format and parse are inverses on random fingerprints. */
	for (i = 0; i < 50; i++) {
		randombytes_buf(expect, sizeof(expect));
		plm_fingerprint_format(text, expect);
		CHECK_INT(plm_fingerprint_parse(fpr, text, NULL), 0);
		CHECK_MEM(fpr, expect, sizeof(fpr));
	}
}

/* ---------------------------------------------------------------- §3.2 */

static const char *const signed_types[] = {
    "certificate", "revocation", "roster",    "epoch_keys", "disclosure",
    "agreement",   "stage",      "tree_head", "envelope",
};
#define N_TYPES (sizeof(signed_types) / sizeof(signed_types[0]))

static void test_signature_known_answer(void)
{
	static const char msg[] = "hello, Palermo";
	unsigned char seed[32], sig[PLM_SIG_BYTES], expect[PLM_SIG_BYTES];
	unsigned char signed_bytes[64];
	plm_identity *id = NULL;
	size_t n;

	seed_of(seed, 1);
	CHECK_INT(plm_identity_from_seed(&id, seed, NULL), 0);
	CHECK_INT(plm_sign(sig, "roster", (const unsigned char *)msg, sizeof(msg) - 1,
	                   id->sign_sk, NULL),
	          0);
	CHECK(unhex(expect, 64,
	            "c77c32cc7e438d1fa6fef756b11f4c2a"
	            "054fa85ff3c9eac46e9d170195bf70e3"
	            "afc00595cf570e62cf73a02f2aeb7ddd"
	            "2f8de2737d8c6cb38a683d432c2f8e02") == 0);
	CHECK_MEM(sig, expect, 64);
	/* The signed bytes are the domain string, its NUL, then the message. */
	n = sizeof("palermo/v1/roster"); /* with the NUL */
	memcpy(signed_bytes, "palermo/v1/roster", n);
	memcpy(signed_bytes + n, msg, sizeof(msg) - 1);
	CHECK_INT(crypto_sign_verify_detached(sig, signed_bytes, n + sizeof(msg) - 1,
	                                      id->pub.sign_pk),
	          0);
	plm_identity_free(id);
}

static void test_sign_verify(void)
{
	static const unsigned char msg[] = "the list of observations, v3";
	unsigned char sig[PLM_SIG_BYTES], sig2[PLM_SIG_BYTES], bad[PLM_SIG_BYTES];
	unsigned char copy[sizeof(msg)];
	plm_identity *id = NULL, *other = NULL;
	plm_error err;

	CHECK_INT(plm_identity_generate(&id, NULL), 0);
	CHECK_INT(plm_identity_generate(&other, NULL), 0);
	CHECK_INT(plm_sign(sig, "agreement", msg, sizeof(msg), id->sign_sk, &err), 0);
	CHECK_INT(plm_verify(sig, "agreement", msg, sizeof(msg), id->pub.sign_pk, &err),
	          0);
	/* Ed25519 is deterministic. */
	CHECK_INT(plm_sign(sig2, "agreement", msg, sizeof(msg), id->sign_sk, NULL), 0);
	CHECK_MEM(sig, sig2, sizeof(sig));
	/* Another key, another message, a damaged signature. */
	CHECK_INT(
	    plm_verify(sig, "agreement", msg, sizeof(msg), other->pub.sign_pk, &err),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(err.code, PLM_ERR_SIGNATURE);
	memcpy(copy, msg, sizeof(msg));
	copy[0] ^= 1;
	CHECK_INT(
	    plm_verify(sig, "agreement", copy, sizeof(copy), id->pub.sign_pk, NULL),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(
	    plm_verify(sig, "agreement", msg, sizeof(msg) - 1, id->pub.sign_pk, NULL),
	    PLM_ERR_SIGNATURE);
	memcpy(bad, sig, sizeof(bad));
	bad[10] ^= 0x20;
	CHECK_INT(plm_verify(bad, "agreement", msg, sizeof(msg), id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	/* The empty message is a message too. */
	CHECK_INT(plm_sign(sig, "stage", NULL, 0, id->sign_sk, NULL), 0);
	CHECK_INT(plm_verify(sig, "stage", NULL, 0, id->pub.sign_pk, NULL), 0);
	CHECK_INT(plm_verify(sig, "stage", msg, 1, id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	plm_identity_free(id);
	plm_identity_free(other);
}

/* No signature of one type verifies as any other type. */
static void test_domain_separation(void)
{
	static const unsigned char msg[] = "same bytes, different meaning";
	unsigned char sig[N_TYPES][PLM_SIG_BYTES];
	plm_identity *id = NULL;
	size_t i, j;

	CHECK_INT(plm_identity_generate(&id, NULL), 0);
	for (i = 0; i < N_TYPES; i++)
		CHECK_INT(plm_sign(sig[i], signed_types[i], msg, sizeof(msg),
		                   id->sign_sk, NULL),
		          0);
	for (i = 0; i < N_TYPES; i++)
		for (j = 0; j < N_TYPES; j++)
			CHECK_INT(plm_verify(sig[i], signed_types[j], msg, sizeof(msg),
			                     id->pub.sign_pk, NULL),
			          i == j ? 0 : PLM_ERR_SIGNATURE);
	/* The NUL ends the type: ("roster", "x...") is not ("rosterx", "..."). */
	CHECK_INT(plm_sign(sig[0], "roster", (const unsigned char *)"x", 1, id->sign_sk,
	                   NULL),
	          0);
	CHECK_INT(plm_verify(sig[0], "rosterx", NULL, 0, id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	/* And no plain, undomained signature passes either. */
	crypto_sign_detached(sig[1], NULL, msg, sizeof(msg), id->sign_sk);
	CHECK_INT(plm_verify(sig[1], "", msg, sizeof(msg), id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	plm_identity_free(id);
}

/* "palermo/v1/" plus the type must fit PLM_DOMAIN_MAX with its NUL. */
static void test_sign_type_too_long(void)
{
	char type[64];
	unsigned char sig[PLM_SIG_BYTES];
	plm_identity *id = NULL;
	plm_error err;

	CHECK_INT(plm_identity_generate(&id, NULL), 0);
	memset(type, 't', sizeof(type));
	type[36] = '\0'; /* 11 + 36 + NUL = 48 bytes: the longest allowed */
	CHECK_INT(plm_sign(sig, type, NULL, 0, id->sign_sk, &err), 0);
	CHECK_INT(plm_verify(sig, type, NULL, 0, id->pub.sign_pk, &err), 0);
	type[36] = 't';
	type[37] = '\0';
	CHECK_INT(plm_sign(sig, type, NULL, 0, id->sign_sk, &err), PLM_ERR_INVALID);
	CHECK_INT(plm_verify(sig, type, NULL, 0, id->pub.sign_pk, &err),
	          PLM_ERR_INVALID);
	/* The code must not depend on whether an error report was asked for. */
	CHECK_INT(plm_sign(sig, type, NULL, 0, id->sign_sk, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_verify(sig, type, NULL, 0, id->pub.sign_pk, NULL),
	          PLM_ERR_INVALID);
	plm_identity_free(id);
}

/* ---------------------------------------------------------------- §3.4 */

static void test_key_commitment(void)
{
	static const unsigned char binding[] = "review-2025-fra/doc-1";
	unsigned char key[32], other[32], c[32], c2[32], expect[32];
	crypto_generichash_state st;
	plm_error err;
	size_t i;

	for (i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	/* Known answer (Python hashlib): keyed BLAKE2b of the domain string alone. */
	plm_key_commit(c, "x", NULL, 0, key);
	CHECK(unhex(expect, 32,
	            "fb9740b79021e4a1e4086d9e12b7f577"
	            "6f3ffcdbf01df832a155e081599cb15f") == 0);
	CHECK_MEM(c, expect, 32);
	/* With a binding: BLAKE2b-256(key = KEY, "palermo/v1/commit/<ctx>" NUL ||
	 * binding). */
	plm_key_commit(c, "document", binding, sizeof(binding) - 1, key);
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st,
	                          (const unsigned char *)"palermo/v1/commit/document",
	                          sizeof("palermo/v1/commit/document"));
	crypto_generichash_update(&st, binding, sizeof(binding) - 1);
	crypto_generichash_final(&st, expect, 32);
	CHECK_MEM(c, expect, 32);

	CHECK_INT(plm_key_commit_check(c, "document", binding, sizeof(binding) - 1, key,
	                               &err),
	          0);
	memcpy(other, key, 32);
	other[0] ^= 1;
	CHECK_INT(plm_key_commit_check(c, "document", binding, sizeof(binding) - 1,
	                               other, &err),
	          PLM_ERR_COMMITMENT);
	CHECK_INT(err.code, PLM_ERR_COMMITMENT);
	CHECK_INT(
	    plm_key_commit_check(c, "channel", binding, sizeof(binding) - 1, key, NULL),
	    PLM_ERR_COMMITMENT);
	CHECK_INT(plm_key_commit_check(c, "document", binding, sizeof(binding) - 2, key,
	                               NULL),
	          PLM_ERR_COMMITMENT);
	/* Context and binding are not just concatenated. */
	plm_key_commit(c2, "documen", (const unsigned char *)"t", 1, key);
	plm_key_commit(c, "document", NULL, 0, key);
	CHECK(memcmp(c, c2, 32) != 0);
}

/* ---------------------------------------------------------------- §3.3 */

static void test_key_wrap(void)
{
	static const unsigned char ad[] = "palermo/v1/archive";
	unsigned char key[32], wrapping[32], other[32], out[PLM_WRAPPED_KEY_BYTES];
	unsigned char out2[PLM_WRAPPED_KEY_BYTES], back[32], manual[32];
	plm_error err;

	CHECK_INT(PLM_WRAPPED_KEY_BYTES, 72);
	randombytes_buf(key, 32);
	randombytes_buf(wrapping, 32);
	randombytes_buf(other, 32);
	CHECK_INT(plm_key_wrap(out, key, wrapping, ad, sizeof(ad), &err), 0);
	CHECK_INT(plm_key_unwrap(back, out, wrapping, ad, sizeof(ad), &err), 0);
	CHECK_MEM(back, key, 32);
	/* Layout: nonce (24) || ciphertext (32) || tag (16), AD as given. */
	CHECK_INT(crypto_aead_xchacha20poly1305_ietf_decrypt(
	              manual, NULL, NULL, out + 24, 48, ad, sizeof(ad), out, wrapping),
	          0);
	CHECK_MEM(manual, key, 32);
	/* A fresh nonce each time. */
	CHECK_INT(plm_key_wrap(out2, key, wrapping, ad, sizeof(ad), NULL), 0);
	CHECK(memcmp(out, out2, 24) != 0);
	/* Wrong key, wrong AD, damaged bytes: PLM_ERR_KEY and nothing out. */
	memset(back, 0x55, 32);
	CHECK_INT(plm_key_unwrap(back, out, other, ad, sizeof(ad), &err), PLM_ERR_KEY);
	CHECK_INT(err.code, PLM_ERR_KEY);
	CHECK(sodium_is_zero(back, 32));
	CHECK_INT(plm_key_unwrap(back, out, wrapping, ad, sizeof(ad) - 1, NULL),
	          PLM_ERR_KEY);
	CHECK_INT(plm_key_unwrap(back, out, wrapping, NULL, 0, NULL), PLM_ERR_KEY);
	out[0] ^= 1;
	CHECK_INT(plm_key_unwrap(back, out, wrapping, ad, sizeof(ad), NULL),
	          PLM_ERR_KEY);
	out[0] ^= 1;
	out[PLM_WRAPPED_KEY_BYTES - 1] ^= 1;
	CHECK_INT(plm_key_unwrap(back, out, wrapping, ad, sizeof(ad), NULL),
	          PLM_ERR_KEY);
	/* An empty AD works when both sides use it. */
	CHECK_INT(plm_key_wrap(out, key, wrapping, NULL, 0, NULL), 0);
	CHECK_INT(plm_key_unwrap(back, out, wrapping, NULL, 0, NULL), 0);
	CHECK_MEM(back, key, 32);
}

static void test_key_seal(void)
{
	unsigned char key[32], out[PLM_SEALED_KEY_BYTES], back[32], manual[32];
	plm_identity *alice = NULL, *mallory = NULL;
	plm_error err;

	CHECK_INT(PLM_SEALED_KEY_BYTES, 80);
	CHECK_INT(plm_identity_generate(&alice, NULL), 0);
	CHECK_INT(plm_identity_generate(&mallory, NULL), 0);
	randombytes_buf(key, 32);
	CHECK_INT(plm_key_seal(out, key, alice->pub.box_pk, &err), 0);
	CHECK_INT(plm_key_unseal(back, out, alice->pub.box_pk, alice->box_sk, &err), 0);
	CHECK_MEM(back, key, 32);
	/* Plain crypto_box_seal: ephemeral pk (32) || tag (16) || ciphertext (32). */
	CHECK_INT(
	    crypto_box_seal_open(manual, out, 80, alice->pub.box_pk, alice->box_sk), 0);
	CHECK_MEM(manual, key, 32);
	/* Sealed to someone else. */
	memset(back, 0x55, 32);
	CHECK_INT(plm_key_unseal(back, out, mallory->pub.box_pk, mallory->box_sk, &err),
	          PLM_ERR_KEY);
	CHECK_INT(err.code, PLM_ERR_KEY);
	CHECK(sodium_is_zero(back, 32));
	/* The right secret key with the wrong public key (the nonce binds it). */
	CHECK_INT(plm_key_unseal(back, out, mallory->pub.box_pk, alice->box_sk, NULL),
	          PLM_ERR_KEY);
	out[40] ^= 1;
	CHECK_INT(plm_key_unseal(back, out, alice->pub.box_pk, alice->box_sk, NULL),
	          PLM_ERR_KEY);
	plm_identity_free(alice);
	plm_identity_free(mallory);
}

static void test_secrets(void)
{
	unsigned char *a = NULL, *b = NULL, *m;

	CHECK_INT(plm_key_new(&a, NULL), 0);
	CHECK_INT(plm_key_new(&b, NULL), 0);
	CHECK(a != NULL && b != NULL);
	CHECK(memcmp(a, b, PLM_KEY_BYTES) != 0);
	plm_secret_free(a);
	plm_secret_free(b);
	plm_secret_free(NULL);
	m = plm_secret_alloc(100);
	CHECK(m != NULL);
	memset(m, 1, 100);
	plm_secret_free(m);
}

static void test_hex(void)
{
	static const unsigned char bin[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[2 * sizeof(bin) + 1];

	plm_hex(out, bin, sizeof(bin));
	CHECK_STR(out, "00017f80abff");
	plm_hex(out, bin, 0);
	CHECK_STR(out, "");
}

/* ---------------------------------------------------------------- §2.1 */

static void test_integers_big_endian(void)
{
	static const unsigned char expect[] = {
	    0xab,                                           /* u8 */
	    0x01, 0x02,                                     /* u16 */
	    0x01, 0x02, 0x03, 0x04,                         /* u32 */
	    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* u64 */
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	unsigned char *out = NULL, four[4], eight[8];
	size_t len = 0;
	plm_wbuf b;
	plm_rbuf r;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	plm_wbuf_init(&b, 100, "test", NULL);
	plm_wbuf_u8(&b, 0xab);
	plm_wbuf_u16(&b, 0x0102);
	plm_wbuf_u32(&b, 0x01020304);
	plm_wbuf_u64(&b, 0x0102030405060708ULL);
	plm_wbuf_u64(&b, UINT64_MAX);
	CHECK_INT(plm_wbuf_status(&b), 0);
	CHECK_INT(plm_wbuf_finish(&b, &out, &len), 0);
	CHECK_INT(len, sizeof(expect));
	CHECK_MEM(out, expect, len);

	plm_rbuf_init(&r, out, len, "test", NULL);
	CHECK_INT(plm_rbuf_u8(&r, "a", &v8), 0);
	CHECK_INT(v8, 0xab);
	CHECK_INT(plm_rbuf_u16(&r, "b", &v16), 0);
	CHECK_INT(v16, 0x0102);
	CHECK_INT(plm_rbuf_u32(&r, "c", &v32), 0);
	CHECK_INT(v32, 0x01020304);
	CHECK_INT(plm_rbuf_u64(&r, "d", &v64), 0);
	CHECK(v64 == 0x0102030405060708ULL);
	CHECK_INT(plm_rbuf_u64(&r, "e", &v64), 0);
	CHECK(v64 == UINT64_MAX);
	CHECK_INT(plm_rbuf_end(&r), 0);
	free(out);

	plm_store_u32(four, 0xdeadbeef);
	CHECK_MEM(four, "\xde\xad\xbe\xef", 4);
	CHECK(plm_load_u32(four) == 0xdeadbeef);
	plm_store_u64(eight, 0x8000000000000001ULL);
	CHECK_MEM(eight, "\x80\0\0\0\0\0\0\x01", 8);
	CHECK(plm_load_u64(eight) == 0x8000000000000001ULL);
}

static void test_reader_truncated_and_trailing(void)
{
	static const unsigned char in[] = {0x00, 0x01, 0x02};
	unsigned char fixed[4];
	const unsigned char *view;
	plm_rbuf r;
	plm_error err;
	uint32_t v32;
	uint16_t v16;

	plm_rbuf_init(&r, in, sizeof(in), "thing", &err);
	CHECK_INT(plm_rbuf_u32(&r, "count", &v32), PLM_ERR_TRUNCATED);
	CHECK_INT(v32, 0);
	CHECK(strstr(err.message, "count") != NULL);
	CHECK(strstr(err.message, "thing") != NULL);

	plm_rbuf_init(&r, in, sizeof(in), "thing", &err);
	CHECK_INT(plm_rbuf_u16(&r, "a", &v16), 0);
	CHECK_INT(plm_rbuf_left(&r), 1);
	CHECK_INT(plm_rbuf_end(&r), PLM_ERR_TRAILING);
	CHECK_INT(err.code, PLM_ERR_TRAILING);

	memset(fixed, 0x77, sizeof(fixed));
	plm_rbuf_init(&r, in, sizeof(in), "thing", NULL);
	CHECK_INT(plm_rbuf_fixed(&r, "key", fixed, 4), PLM_ERR_TRUNCATED);
	CHECK(sodium_is_zero(fixed, 4));
	plm_rbuf_init(&r, in, sizeof(in), "thing", NULL);
	CHECK_INT(plm_rbuf_view(&r, "blob", 4, &view), PLM_ERR_TRUNCATED);
	CHECK(view == NULL);
	plm_rbuf_init(&r, in, sizeof(in), "thing", NULL);
	CHECK_INT(plm_rbuf_view(&r, "blob", 3, &view), 0);
	CHECK(view == in);
	CHECK_INT(plm_rbuf_end(&r), 0);

	/* Nothing at all. */
	plm_rbuf_init(&r, NULL, 0, "thing", NULL);
	CHECK_INT(plm_rbuf_end(&r), 0);
	CHECK_INT(plm_rbuf_u8(&r, "x", (uint8_t *)fixed), PLM_ERR_TRUNCATED);
}

static void test_reader_sticky(void)
{
	static const unsigned char in[] = {0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
	unsigned char fixed[2] = {9, 9};
	char str[8];
	plm_rbuf r;
	plm_error err;
	uint8_t v8;
	uint16_t v16;
	int flag = 7;

	plm_rbuf_init(&r, in, sizeof(in), "record", &err);
	CHECK_INT(plm_rbuf_bool(&r, "flag", &flag), PLM_ERR_FORMAT);
	CHECK_INT(flag, 0);
	CHECK(strstr(err.message, "flag") != NULL);
	/* Later reads do nothing, yield zeros and keep the first error. */
	CHECK_INT(plm_rbuf_u8(&r, "next", &v8), PLM_ERR_FORMAT);
	CHECK_INT(v8, 0);
	CHECK_INT(plm_rbuf_u16(&r, "next16", &v16), PLM_ERR_FORMAT);
	CHECK_INT(v16, 0);
	CHECK_INT(plm_rbuf_fixed(&r, "fixed", fixed, 2), PLM_ERR_FORMAT);
	CHECK(sodium_is_zero(fixed, 2));
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 0, 7, PLM_STR_TEXT, str, sizeof(str)),
	          PLM_ERR_FORMAT);
	CHECK_STR(str, "");
	CHECK_INT(plm_rbuf_left(&r), 0);
	CHECK_INT(plm_rbuf_end(&r), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "flag") != NULL);
	CHECK_INT(plm_rbuf_fail(&r, PLM_ERR_LIMIT, "other", "later"), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "flag") != NULL);

	/* Booleans: exactly 0 or 1. */
	plm_rbuf_init(&r, "\x00\x01\x02", 3, "record", NULL);
	CHECK_INT(plm_rbuf_bool(&r, "a", &flag), 0);
	CHECK_INT(flag, 0);
	CHECK_INT(plm_rbuf_bool(&r, "b", &flag), 0);
	CHECK_INT(flag, 1);
	CHECK_INT(plm_rbuf_bool(&r, "c", &flag), PLM_ERR_FORMAT);
}

static void test_writer_limit_and_sticky(void)
{
	unsigned char *out = (unsigned char *)"x";
	unsigned char big[1000];
	size_t len = 99;
	plm_error err;
	plm_wbuf b;

	memset(big, 'a', sizeof(big));
	plm_wbuf_init(&b, 10, "tiny thing", &err);
	plm_wbuf_put(&b, big, 10);
	CHECK_INT(plm_wbuf_status(&b), 0);
	plm_wbuf_u8(&b, 1);
	CHECK_INT(plm_wbuf_status(&b), PLM_ERR_LIMIT);
	CHECK(strstr(err.message, "tiny thing") != NULL);
	/* Sticky: nothing more is appended, and finish reports the error. */
	plm_wbuf_str(&b, "f", "abc", 1, 0, 10, PLM_STR_NAME);
	CHECK_INT(plm_wbuf_status(&b), PLM_ERR_LIMIT);
	CHECK_INT(plm_wbuf_finish(&b, &out, &len), PLM_ERR_LIMIT);
	CHECK(out == NULL);
	CHECK_INT(len, 0);
	plm_wbuf_free(&b);

	/* Growth past the first allocation keeps every byte. */
	plm_wbuf_init(&b, 5000, "big", NULL);
	plm_wbuf_put(&b, big, 1000);
	plm_wbuf_put(&b, big, 1000);
	plm_wbuf_u8(&b, 'z');
	CHECK_INT(plm_wbuf_finish(&b, &out, &len), 0);
	CHECK_INT(len, 2001);
	CHECK_MEM(out, big, 1000);
	CHECK_INT(out[2000], 'z');
	free(out);

	/* An empty encoding is a valid, freeable pointer of length 0. */
	plm_wbuf_init(&b, 10, "empty", NULL);
	CHECK_INT(plm_wbuf_finish(&b, &out, &len), 0);
	CHECK(out != NULL);
	CHECK_INT(len, 0);
	free(out);
	plm_wbuf_free(&b);
}

/* ---------------------------------------------------------------- §2.2 */

/* Encodes S with str8 or str16 and returns the status; *OUT gets the bytes. */
static int encode_str(const char *s, int lenbytes, size_t minlen, size_t maxlen,
                      enum plm_str_class cls, unsigned char **out, size_t *len)
{
	plm_wbuf b;

	plm_wbuf_init(&b, 100000, "test", NULL);
	plm_wbuf_str(&b, "s", s, lenbytes, minlen, maxlen, cls);
	return plm_wbuf_finish(&b, out, len);
}

static void test_str_encoding(void)
{
	unsigned char *out = NULL;
	char str[300];
	size_t len;
	plm_rbuf r;

	CHECK_INT(encode_str("abc", 1, 1, 10, PLM_STR_NAME, &out, &len), 0);
	CHECK_INT(len, 4);
	CHECK_MEM(out,
	          "\x03"
	          "abc",
	          4);
	plm_rbuf_init(&r, out, len, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 1, 10, PLM_STR_NAME, str, sizeof(str)), 0);
	CHECK_STR(str, "abc");
	CHECK_INT(plm_rbuf_end(&r), 0);
	free(out);

	CHECK_INT(encode_str("abc", 2, 1, 10, PLM_STR_NAME, &out, &len), 0);
	CHECK_INT(len, 5);
	CHECK_MEM(out,
	          "\x00\x03"
	          "abc",
	          5);
	free(out);

	CHECK_INT(encode_str("", 1, 0, 10, PLM_STR_TEXT, &out, &len), 0);
	CHECK_INT(len, 1);
	CHECK_INT(out[0], 0);
	free(out);
}

static void test_str_bounds(void)
{
	unsigned char in[300];
	unsigned char *out = NULL;
	char str[300], *longer;
	size_t len;
	plm_rbuf r;
	plm_error err;
	int rc, rc2, ok;

	/* Writer: below minlen, above maxlen, NULL, and str8's own 255 limit. */
	CHECK_INT(encode_str("ab", 1, 3, 10, PLM_STR_NAME, &out, &len), PLM_ERR_LIMIT);
	CHECK_INT(encode_str("abcdefghijk", 1, 3, 10, PLM_STR_NAME, &out, &len),
	          PLM_ERR_LIMIT);
	CHECK_INT(encode_str(NULL, 1, 0, 10, PLM_STR_NAME, &out, &len),
	          PLM_ERR_INVALID);
	memset(str, 'a', 256);
	str[256] = '\0';
	CHECK_INT(encode_str(str, 1, 0, 1000, PLM_STR_NAME, &out, &len), PLM_ERR_LIMIT);
	str[255] = '\0';
	CHECK_INT(encode_str(str, 1, 0, 1000, PLM_STR_NAME, &out, &len), 0);
	CHECK_INT(len, 256);
	CHECK_INT(out[0], 255);
	free(out);
	/* str16's own limit is 65535 bytes, whatever MAXLEN says. */
	longer = malloc(65537);
	CHECK(longer != NULL);
	memset(longer, 'a', 65536);
	longer[65535] = '\0';
	rc = encode_str(longer, 2, 0, 70000, PLM_STR_NAME, &out, &len);
	ok = rc == 0 && len == 65537 && memcmp(out, "\xff\xff", 2) == 0;
	free(out);
	longer[65535] = 'a';
	longer[65536] = '\0';
	rc2 = encode_str(longer, 2, 0, 70000, PLM_STR_NAME, &out, &len);
	if (rc2 == 0)
		free(out);
	free(longer);
	CHECK(ok);
	CHECK_INT(rc2, PLM_ERR_LIMIT);

	/* Reader: length outside bounds, a too small buffer, a short body. */
	in[0] = 2;
	memcpy(in + 1, "ab", 2);
	plm_rbuf_init(&r, in, 3, "test", &err);
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 3, 10, PLM_STR_NAME, str, sizeof(str)),
	          PLM_ERR_LIMIT);
	CHECK_STR(str, "");
	plm_rbuf_init(&r, in, 3, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 0, 1, PLM_STR_NAME, str, sizeof(str)),
	          PLM_ERR_LIMIT);
	plm_rbuf_init(&r, in, 3, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 0, 10, PLM_STR_NAME, str, 2),
	          PLM_ERR_INVALID);
	plm_rbuf_init(&r, in, 3, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 0, 10, PLM_STR_NAME, str, 3), 0);
	CHECK_STR(str, "ab");
	plm_rbuf_init(&r, in, 2, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 1, 0, 10, PLM_STR_NAME, str, sizeof(str)),
	          PLM_ERR_TRUNCATED);
	/* str16 length prefix, big-endian. */
	memcpy(in, "\x01\x00", 2);
	memset(in + 2, 'a', 256);
	plm_rbuf_init(&r, in, 258, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 2, 0, 256, PLM_STR_NAME, str, sizeof(str)), 0);
	CHECK_INT(strlen(str), 256);
	plm_rbuf_init(&r, in, 257, "test", NULL);
	CHECK_INT(plm_rbuf_str(&r, "s", 2, 0, 256, PLM_STR_NAME, str, sizeof(str)),
	          PLM_ERR_TRUNCATED);
}

struct class_case {
	enum plm_str_class cls;
	const char *s;
	size_t len; /* 0: strlen(s) */
	int valid;
};

/* Every class, as PROTOCOL.md §2.2 defines it. */
static const struct class_case class_cases[] = {
    /* ID: [a-z0-9][a-z0-9._-]* */
    {PLM_STR_ID, "a", 0, 1},
    {PLM_STR_ID, "0", 0, 1},
    {PLM_STR_ID, "jean.dupont-2_fr", 0, 1},
    {PLM_STR_ID, "9-._", 0, 1},
    {PLM_STR_ID, "-a", 0, 0},
    {PLM_STR_ID, ".a", 0, 0},
    {PLM_STR_ID, "_a", 0, 0},
    {PLM_STR_ID, "Abc", 0, 0},
    {PLM_STR_ID, "aBc", 0, 0},
    {PLM_STR_ID, "a b", 0, 0},
    {PLM_STR_ID, "a/b", 0, 0},
    {PLM_STR_ID, "a@b", 0, 0},
    {PLM_STR_ID, "\xc3\xa9", 0, 0},
    {PLM_STR_ID, "a\0b", 3, 0},
    /* NAME: [a-z][a-z0-9_]* */
    {PLM_STR_NAME, "a", 0, 1},
    {PLM_STR_NAME, "focal_point2", 0, 1},
    {PLM_STR_NAME, "9a", 0, 0},
    {PLM_STR_NAME, "_a", 0, 0},
    {PLM_STR_NAME, "a-b", 0, 0},
    {PLM_STR_NAME, "a.b", 0, 0},
    {PLM_STR_NAME, "aB", 0, 0},
    /* STATE: [A-Z][A-Z0-9]* */
    {PLM_STR_STATE, "FRA", 0, 1},
    {PLM_STR_STATE, "OECD", 0, 1},
    {PLM_STR_STATE, "A1", 0, 1},
    {PLM_STR_STATE, "fra", 0, 0},
    {PLM_STR_STATE, "1A", 0, 0},
    {PLM_STR_STATE, "FR-A", 0, 0},
    {PLM_STR_STATE, "F_R", 0, 0},
    {PLM_STR_STATE, "FR A", 0, 0},
    /* LANG: exactly [a-z]{2} */
    {PLM_STR_LANG, "en", 0, 1},
    {PLM_STR_LANG, "fr", 0, 1},
    {PLM_STR_LANG, "EN", 0, 0},
    {PLM_STR_LANG, "e", 0, 0},
    {PLM_STR_LANG, "eng", 0, 0},
    {PLM_STR_LANG, "e1", 0, 0},
    {PLM_STR_LANG, "", 0, 0},
    /* MIME: printable ASCII, no space, exactly one '/', not at either end */
    {PLM_STR_MIME, "text/plain", 0, 1},
    {PLM_STR_MIME, "application/vnd.oasis.opendocument.text", 0, 1},
    {PLM_STR_MIME, "a/b", 0, 1},
    {PLM_STR_MIME, "text", 0, 0},
    {PLM_STR_MIME, "/plain", 0, 0},
    {PLM_STR_MIME, "text/", 0, 0},
    {PLM_STR_MIME, "/", 0, 0},
    {PLM_STR_MIME, "", 0, 0},
    {PLM_STR_MIME, "text/plain/x", 0, 0},
    {PLM_STR_MIME, "text/plain; charset=utf-8", 0, 0},
    {PLM_STR_MIME, "text/pl\tain", 0, 0},
    {PLM_STR_MIME, "text/plain\x7f", 0, 0},
    {PLM_STR_MIME, "t\xc3\xa9xt/plain", 0, 0},
    /* TEXT: UTF-8, no control character but \t and \n */
    {PLM_STR_TEXT, "", 0, 1},
    {PLM_STR_TEXT, "Hello,\tworld\n", 0, 1},
    {PLM_STR_TEXT, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 0, 1},
    {PLM_STR_TEXT, "\x7e", 0, 1},             /* ~ */
    {PLM_STR_TEXT, "\xc2\xa0", 0, 1},         /* U+00A0 */
    {PLM_STR_TEXT, "\xdf\xbf", 0, 1},         /* U+07FF */
    {PLM_STR_TEXT, "\xe0\xa0\x80", 0, 1},     /* U+0800 */
    {PLM_STR_TEXT, "\xed\x9f\xbf", 0, 1},     /* U+D7FF */
    {PLM_STR_TEXT, "\xee\x80\x80", 0, 1},     /* U+E000 */
    {PLM_STR_TEXT, "\xef\xbf\xbd", 0, 1},     /* U+FFFD */
    {PLM_STR_TEXT, "\xef\xbf\xbf", 0, 1},     /* U+FFFF */
    {PLM_STR_TEXT, "\xf0\x90\x80\x80", 0, 1}, /* U+10000 */
    {PLM_STR_TEXT, "\xf4\x8f\xbf\xbf", 0, 1}, /* U+10FFFF */
    {PLM_STR_TEXT, "\xf4\x90\x80\x80", 0, 0}, /* U+10FFFF + 1 */
    {PLM_STR_TEXT, "\xf5\x80\x80\x80", 0, 0},
    {PLM_STR_TEXT, "\xf8\x88\x80\x80\x80", 0, 0}, /* 5-byte form */
    {PLM_STR_TEXT, "\xfe", 0, 0},
    {PLM_STR_TEXT, "\xff", 0, 0},
    {PLM_STR_TEXT, "\xc0\x80", 0, 0}, /* overlong NUL */
    {PLM_STR_TEXT, "\xc0\xaf", 0, 0}, /* overlong '/' */
    {PLM_STR_TEXT, "\xc1\xbf", 0, 0},
    {PLM_STR_TEXT, "\xe0\x80\xaf", 0, 0},
    {PLM_STR_TEXT, "\xe0\x9f\xbf", 0, 0}, /* overlong U+07FF */
    {PLM_STR_TEXT, "\xf0\x80\x80\xaf", 0, 0},
    {PLM_STR_TEXT, "\xf0\x8f\xbf\xbf", 0, 0},         /* overlong U+FFFF */
    {PLM_STR_TEXT, "\xed\xa0\x80", 0, 0},             /* U+D800 */
    {PLM_STR_TEXT, "\xed\xbf\xbf", 0, 0},             /* U+DFFF */
    {PLM_STR_TEXT, "\xed\xa0\xbd\xed\xb2\xa9", 0, 0}, /* CESU-8 pair */
    {PLM_STR_TEXT, "\x80", 0, 0},                     /* lone continuation */
    {PLM_STR_TEXT, "a\xbf", 0, 0},
    {PLM_STR_TEXT, "\xe2\x82", 0, 0}, /* truncated */
    {PLM_STR_TEXT, "\xf0\x9f\x98", 0, 0},
    {PLM_STR_TEXT, "\xc3", 0, 0},
    {PLM_STR_TEXT, "\xe2\x28\xa1", 0, 0}, /* bad continuation */
    {PLM_STR_TEXT, "\xc3\xc3", 0, 0},
    {PLM_STR_TEXT, "a\0b", 3, 0},
    {PLM_STR_TEXT, "a\rb", 0, 0},
    {PLM_STR_TEXT, "\x1b[31m", 0, 0},
    {PLM_STR_TEXT, "\x01", 0, 0},
    {PLM_STR_TEXT, "\x1f", 0, 0},
    {PLM_STR_TEXT, "\x7f", 0, 0},     /* DEL */
    {PLM_STR_TEXT, "\xc2\x80", 0, 0}, /* U+0080, C1 */
    {PLM_STR_TEXT, "\xc2\x85", 0, 0}, /* NEL */
    {PLM_STR_TEXT, "\xc2\x9f", 0, 0}, /* U+009F */
    /* FILENAME: TEXT without '/', '\\', '\t', '\n'; not "." or ".." */
    {PLM_STR_FILENAME, "report.pdf", 0, 1},
    {PLM_STR_FILENAME, "Rapport final \xc3\xa9t\xc3\xa9.docx", 0, 1},
    {PLM_STR_FILENAME, ".hidden", 0, 1},
    {PLM_STR_FILENAME, "...", 0, 1},
    {PLM_STR_FILENAME, "a..b", 0, 1},
    {PLM_STR_FILENAME, ".", 0, 0},
    {PLM_STR_FILENAME, "..", 0, 0},
    {PLM_STR_FILENAME, "a/b", 0, 0},
    {PLM_STR_FILENAME, "../etc", 0, 0},
    {PLM_STR_FILENAME, "a\\b", 0, 0},
    {PLM_STR_FILENAME, "a\tb", 0, 0},
    {PLM_STR_FILENAME, "a\nb", 0, 0},
    {PLM_STR_FILENAME, "a\rb", 0, 0},
    {PLM_STR_FILENAME, "a\0b", 3, 0},
    {PLM_STR_FILENAME, "\xc0\xaf", 0, 0},
    {PLM_STR_FILENAME, "\xed\xa0\x80.txt", 0, 0},
};

static void test_string_classes(void)
{
	unsigned char in[64];
	char out[64];
	size_t i, len;
	plm_rbuf r;
	int rc;

	for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		const struct class_case *c = &class_cases[i];

		len = c->len ? c->len : strlen(c->s);
		if (plm_str_valid(c->s, len, c->cls) != c->valid) {
			check_fail(__FILE__, __LINE__,
			           "case %zu: class %d, \"%s\": expected valid == %d",
			           i, c->cls, c->s, c->valid);
			return;
		}
		/* The reader applies the same rule. */
		in[0] = (unsigned char)len;
		memcpy(in + 1, c->s, len);
		plm_rbuf_init(&r, in, len + 1, "test", NULL);
		rc = plm_rbuf_str(&r, "s", 1, 0, 60, c->cls, out, sizeof(out));
		CHECK_INT(rc, c->valid ? 0 : PLM_ERR_FORMAT);
		if (c->valid) {
			unsigned char *enc = NULL;
			size_t enclen = 0;

			CHECK_INT(plm_rbuf_end(&r), 0);
			CHECK_INT(strlen(out), len);
			CHECK_MEM(out, c->s, len);
			/* ...and so does the writer, re-encoding the same bytes. */
			CHECK_INT(encode_str(out, 1, 0, 60, c->cls, &enc, &enclen), 0);
			CHECK_INT(enclen, len + 1);
			CHECK_MEM(enc, in, len + 1);
			free(enc);
		} else if (c->len == 0) {
			unsigned char *enc = NULL;
			size_t enclen = 0;

			CHECK_INT(encode_str(c->s, 1, 0, 60, c->cls, &enc, &enclen),
			          PLM_ERR_FORMAT);
			free(enc);
		}
	}
}

/* Every single byte value against every class, as plm_str_valid says. */
static void test_single_bytes(void)
{
	char s[2];
	int c, ok;

	for (c = 0; c < 256; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_ID), ok);
		ok = c >= 'a' && c <= 'z';
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_NAME), ok);
		ok = c >= 'A' && c <= 'Z';
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_STATE), ok);
		ok = (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n';
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_TEXT), ok);
		ok = c >= 0x20 && c < 0x7f && c != '/' && c != '\\' && c != '.';
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_FILENAME), ok);
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_LANG), 0);
		CHECK_INT(plm_str_valid(s, 1, PLM_STR_MIME), 0);
	}
	CHECK_INT(plm_str_valid("a", 1, (enum plm_str_class)0), 0);
	CHECK_INT(plm_str_valid("a", 1, (enum plm_str_class)99), 0);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_hash_known_answers),
    CHECK_CASE(test_identity_known_answer),
    CHECK_CASE(test_identity_derivation),
    CHECK_CASE(test_fingerprint),
    CHECK_CASE(test_fingerprint_format),
    CHECK_CASE(test_fingerprint_parse),
    CHECK_CASE(test_signature_known_answer),
    CHECK_CASE(test_sign_verify),
    CHECK_CASE(test_domain_separation),
    CHECK_CASE(test_sign_type_too_long),
    CHECK_CASE(test_key_commitment),
    CHECK_CASE(test_key_wrap),
    CHECK_CASE(test_key_seal),
    CHECK_CASE(test_secrets),
    CHECK_CASE(test_hex),
    CHECK_CASE(test_integers_big_endian),
    CHECK_CASE(test_reader_truncated_and_trailing),
    CHECK_CASE(test_reader_sticky),
    CHECK_CASE(test_writer_limit_and_sticky),
    CHECK_CASE(test_str_encoding),
    CHECK_CASE(test_str_bounds),
    CHECK_CASE(test_string_classes),
    CHECK_CASE(test_single_bytes),
};

CHECK_MAIN("crypto", cases)
