/*
 * test_httpsig.c - request signatures and Content-Digest (keys/httpsig.c,
 * PROTOCOL.md §8): the worked example of §8.6 byte for byte, the RFC 9530
 * digests, sign -> parse -> verify, every strictness rule of the parser with
 * its exact error code, every change to a signed request that verification
 * must catch, and the time window.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "keys/crypto.h"
#include "keys/httpsig.h"

/*
 * The worked example of PROTOCOL.md §8.6. These strings are pasted from the
 * document (unwrapped, so that each can be searched for in both); the
 * document says that this test checks them.
 */
/* clang-format off */
#define EX_METHOD "POST"
#define EX_URI "https://relay.example.org/v1/reviews/2026-fra/records?dry_run=1"
#define EX_BODY "{\"hello\": \"world\"}"
#define EX_CREATED UINT64_C(1767268800)
#define EX_NONCE "AAECAwQFBgcICQoLDA0ODw"
#define EX_SIGN_PK "3d27d044c7d0b1e3eae4104e3e87f9c2c6854bbaff8e5e3b0f7af3bb5d0bc4e7"
#define EX_KEYID "20c46b1c22db6855337e02a15ef24a5e8128496cd5eda889ed81d5a0aecddbc5"
#define EX_DIGEST "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
#define EX_BASE_SHA256 "abf4f2e06307b16937d21b83f370ccce68bc7fe25eaf0f783da836c497b98200"
#define EMPTY_DIGEST "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"

/* The pieces of the example's Signature-Input, to build variants from. */
#define COMP "(\"@method\" \"@target-uri\" \"content-digest\")"
#define P_CREATED ";created=1767268800"
#define P_NONCE ";nonce=\"" EX_NONCE "\""
#define P_KEYID ";keyid=\"" EX_KEYID "\""
#define P_ALG ";alg=\"ed25519\""
#define EX_INPUT "sig1=" COMP P_CREATED P_NONCE P_KEYID P_ALG

#define EX_SIG_B64 "NdiYYN9DwHitXCU/jL28/e7w9C7Nm8ARSQ5wal2TsUQT/MS51UlTeVZYvVbMkgWwySQZl69W1LYupDpGDHKRCg=="
#define EX_SIG "sig1=:" EX_SIG_B64 ":"

#define EX_BASE                                                                     \
	"\"@method\": POST\n"                                                       \
	"\"@target-uri\": https://relay.example.org/v1/reviews/2026-fra/records?dry_run=1\n" \
	"\"content-digest\": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:\n" \
	"\"@signature-params\": (\"@method\" \"@target-uri\" \"content-digest\")"  \
	";created=1767268800;nonce=\"AAECAwQFBgcICQoLDA0ODw\""                      \
	";keyid=\"20c46b1c22db6855337e02a15ef24a5e8128496cd5eda889ed81d5a0aecddbc5\"" \
	";alg=\"ed25519\""
/* clang-format on */

/* The identity of the example: seed bytes 1, 2, ..., 32. */
static plm_identity *example_identity(void)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_identity *id = NULL;
	size_t i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (unsigned char)(i + 1);
	if (plm_identity_from_seed(&id, seed, NULL) != 0)
		return NULL;
	return id;
}

static int is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* Parses INPUT with the example's good Signature; returns the status. */
static int parse_input(const char *input)
{
	plm_httpsig sig;
	plm_error err;
	int r;

	plm_error_clear(&err);
	r = plm_httpsig_parse(input, EX_SIG, &sig, &err);
	if (r != 0 &&
	    (err.code != r || err.message[0] == '\0' || !is_zero(&sig, sizeof(sig))))
		return 1000; /* a failure must say why and leave nothing behind */
	return r;
}

/* Parses SIGNATURE with the example's good Signature-Input. */
static int parse_signature(const char *signature)
{
	plm_httpsig sig;
	plm_error err;
	int r;

	plm_error_clear(&err);
	r = plm_httpsig_parse(EX_INPUT, signature, &sig, &err);
	if (r != 0 &&
	    (err.code != r || err.message[0] == '\0' || !is_zero(&sig, sizeof(sig))))
		return 1000;
	return r;
}

/* A string of N copies of C (caller frees). */
static char *repeated(char c, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memset(s, c, n);
		s[n] = '\0';
	}
	return s;
}

static void test_content_digest_rfc9530(void)
{
	char value[PLM_CONTENT_DIGEST_BYTES];
	unsigned char sha[PLM_SHA256_BYTES], expect[PLM_SHA256_BYTES];
	plm_content_digest_state st;
	const char *body = EX_BODY;
	size_t i;

	/* RFC 9530 §2 gives this value for {"hello": "world"}. */
	plm_content_digest(body, strlen(body), value);
	CHECK_STR(value, EX_DIGEST);
	plm_content_digest(NULL, 0, value);
	CHECK_STR(value, EMPTY_DIGEST);

	/* Streaming, one byte at a time, gives the same digest and raw hash. */
	plm_content_digest_init(&st);
	for (i = 0; i < strlen(body); i++)
		plm_content_digest_update(&st, body + i, 1);
	plm_content_digest_update(&st, NULL, 0);
	plm_content_digest_final(&st, sha, value);
	CHECK_STR(value, EX_DIGEST);
	crypto_hash_sha256(expect, (const unsigned char *)body, strlen(body));
	CHECK_MEM(sha, expect, sizeof(sha));

	/* format and parse are inverses. */
	plm_content_digest_format(expect, value);
	CHECK_STR(value, EX_DIGEST);
	memset(sha, 0, sizeof(sha));
	CHECK_INT(plm_content_digest_parse(EX_DIGEST, sha, NULL), 0);
	CHECK_MEM(sha, expect, sizeof(sha));
}

static void test_content_digest_check(void)
{
	unsigned char sha[PLM_SHA256_BYTES], empty[PLM_SHA256_BYTES];
	plm_error err;
	char *huge;
	static const char *const bad[] = {
	    "",
	    "sha-256",
	    "sha-256=:",
	    "sha-512=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
	    "SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
	    " sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=: ",
	    "sha-256= :X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
	    "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:",  /* no pad */
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPF=:", /* pad bits */
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBP==:", /* 31 bytes */
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=AA==:",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9D PE=:",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AA==:",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:;x=1",
	    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUo-WxBf7kbu9DBPE=:", /* url-safe */
	};
	size_t i;

	crypto_hash_sha256(sha, (const unsigned char *)EX_BODY, strlen(EX_BODY));
	crypto_hash_sha256(empty, (const unsigned char *)"", 0);
	CHECK_INT(plm_content_digest_check(EX_DIGEST, sha, NULL), 0);
	CHECK_INT(plm_content_digest_check(EMPTY_DIGEST, empty, NULL), 0);
	plm_error_clear(&err);
	CHECK_INT(plm_content_digest_check(EMPTY_DIGEST, sha, &err), PLM_ERR_DIGEST);
	CHECK_INT(err.code, PLM_ERR_DIGEST);
	CHECK_INT(plm_content_digest_check(EX_DIGEST, empty, NULL), PLM_ERR_DIGEST);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		plm_error_clear(&err);
		if (plm_content_digest_check(bad[i], sha, &err) != PLM_ERR_FORMAT ||
		    err.code != PLM_ERR_FORMAT)
			check_fail(__FILE__, __LINE__, "accepted or misreported \"%s\"",
			           bad[i]);
		CHECK(!check_failed());
	}

	huge = repeated('A', PLM_HTTPSIG_HEADER_MAX + 1);
	CHECK(huge != NULL);
	memcpy(huge, "sha-256=:", 9);
	CHECK_INT(plm_content_digest_check(huge, sha, NULL), PLM_ERR_LIMIT);
	huge[PLM_HTTPSIG_HEADER_MAX] = '\0'; /* exactly at the bound: read, wrong */
	CHECK_INT(plm_content_digest_check(huge, sha, NULL), PLM_ERR_FORMAT);
	free(huge);

	CHECK_INT(plm_content_digest_check(NULL, sha, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_content_digest_check(EX_DIGEST, NULL, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_content_digest_parse(EX_DIGEST, NULL, NULL), PLM_ERR_INVALID);
}

/* PROTOCOL.md §8.6, every byte. */
static void test_worked_example(void)
{
	plm_identity *id = example_identity();
	char digest[PLM_CONTENT_DIGEST_BYTES], input[PLM_HTTPSIG_INPUT_MAX];
	char signature[PLM_HTTPSIG_SIG_MAX], base[PLM_HTTPSIG_BASE_MAX];
	char hex[2 * PLM_FPR_BYTES + 1];
	unsigned char fpr[PLM_FPR_BYTES], sig_bytes[PLM_SIG_BYTES];
	unsigned char base_sha[PLM_SHA256_BYTES];
	size_t base_len, sig_len;
	plm_httpsig sig;
	plm_error err;

	CHECK(id != NULL);
	plm_hex(hex, id->pub.sign_pk, PLM_SIGN_PK_BYTES);
	CHECK_STR(hex, EX_SIGN_PK);
	plm_fingerprint(fpr, &id->pub);
	plm_hex(hex, fpr, PLM_FPR_BYTES);
	CHECK_STR(hex, EX_KEYID);

	plm_content_digest(EX_BODY, strlen(EX_BODY), digest);
	CHECK_STR(digest, EX_DIGEST);
	plm_error_clear(&err);
	CHECK_INT(plm_httpsig_sign(EX_METHOD, EX_URI, digest, EX_CREATED, EX_NONCE, id,
	                           input, signature, &err),
	          0);
	CHECK_STR(input, EX_INPUT);
	CHECK_STR(signature, EX_SIG);
	CHECK_INT(strlen(digest), 54);
	CHECK_INT(strlen(input), 184);
	CHECK_INT(strlen(signature), 95);

	CHECK_INT(plm_httpsig_parse(input, signature, &sig, &err), 0);
	CHECK_INT(sig.created, EX_CREATED);
	CHECK_STR(sig.nonce, EX_NONCE);
	CHECK_MEM(sig.keyid, fpr, PLM_FPR_BYTES);
	CHECK_INT(
	    plm_httpsig_base(&sig, EX_METHOD, EX_URI, EX_DIGEST, base, &base_len, &err),
	    0);
	CHECK_INT(base_len, strlen(EX_BASE));
	CHECK_INT(base_len, 368);
	CHECK_STR(base, EX_BASE);
	crypto_hash_sha256(base_sha, (const unsigned char *)base, base_len);
	plm_hex(hex, base_sha, sizeof(base_sha));
	CHECK_STR(hex, EX_BASE_SHA256);

	/* The signature is plain Ed25519 over the base bytes (RFC 9421 §3.3.6). */
	CHECK_INT(sodium_base642bin(sig_bytes, sizeof(sig_bytes), EX_SIG_B64,
	                            strlen(EX_SIG_B64), NULL, &sig_len, NULL,
	                            sodium_base64_VARIANT_ORIGINAL),
	          0);
	CHECK_INT(sig_len, PLM_SIG_BYTES);
	CHECK_MEM(sig.signature, sig_bytes, PLM_SIG_BYTES);
	CHECK_INT(crypto_sign_verify_detached(sig_bytes, (const unsigned char *)EX_BASE,
	                                      strlen(EX_BASE), id->pub.sign_pk),
	          0);
	CHECK_INT(plm_httpsig_verify(&sig, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, &err),
	          0);
	plm_identity_free(id);
}

static void test_round_trip(void)
{
	plm_identity *id = NULL;
	char digest[PLM_CONTENT_DIGEST_BYTES];
	char input[PLM_HTTPSIG_INPUT_MAX], signature[PLM_HTTPSIG_SIG_MAX];
	char input2[PLM_HTTPSIG_INPUT_MAX], signature2[PLM_HTTPSIG_SIG_MAX];
	unsigned char fpr[PLM_FPR_BYTES];
	plm_httpsig sig, sig2;
	plm_error err;
	size_t i;
	const char *uris[] = {
	    "https://relay.example.org/",
	    "http://127.0.0.1:8080/v1/health",
	    "https://[::1]:8443/v1/a%20b/c?x=1&y=%2F&z=a:b@c",
	    "https://u@relay.example.org/v1/reviews/r-1/envelopes/ab.cd~e_f?",
	};

	CHECK_INT(plm_identity_generate(&id, NULL), 0);
	plm_fingerprint(fpr, &id->pub);
	plm_content_digest(NULL, 0, digest);
	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		plm_error_clear(&err);
		CHECK_INT(plm_httpsig_sign("DELETE", uris[i], digest, 0, NULL, id,
		                           input, signature, &err),
		          0);
		CHECK_INT(plm_httpsig_parse(input, signature, &sig, &err), 0);
		CHECK_INT(sig.created, 0);
		CHECK_INT(strlen(sig.nonce), 22);
		CHECK_INT(strspn(sig.nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		                            "qrstuvwxyz0123456789-_"),
		          22);
		CHECK_MEM(sig.keyid, fpr, PLM_FPR_BYTES);
		CHECK_INT(plm_httpsig_verify(&sig, "DELETE", uris[i], digest,
		                             id->pub.sign_pk, &err),
		          0);
		/* The serializer is the parser's exact inverse. */
		CHECK_INT(plm_httpsig_serialize(&sig, input2, signature2, &err), 0);
		CHECK_STR(input2, input);
		CHECK_STR(signature2, signature);
	}

	/* Random nonces differ from one request to the next. */
	CHECK_INT(plm_httpsig_sign("GET", uris[0], digest, PLM_HTTPSIG_CREATED_MAX,
	                           NULL, id, input2, signature2, &err),
	          0);
	CHECK_INT(plm_httpsig_parse(input2, signature2, &sig2, &err), 0);
	CHECK_INT(sig2.created, PLM_HTTPSIG_CREATED_MAX);
	CHECK(strcmp(sig.nonce, sig2.nonce) != 0);

	/* Nonces at both ends of their bounds are accepted. */
	CHECK_INT(plm_httpsig_sign("GET", uris[0], digest, 1, "0123456789abcdef", id,
	                           input, signature, &err),
	          0);
	CHECK_INT(plm_httpsig_parse(input, signature, &sig, &err), 0);
	CHECK_STR(sig.nonce, "0123456789abcdef");
	CHECK_INT(
	    plm_httpsig_sign("GET", uris[0], digest, 1,
	                     "_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-"
	                     "_-_-_-_-_-_-",
	                     id, input, signature, &err),
	    0);
	CHECK_INT(plm_httpsig_parse(input, signature, &sig, &err), 0);
	CHECK_INT(strlen(sig.nonce), 64);
	CHECK_INT(
	    plm_httpsig_verify(&sig, "GET", uris[0], digest, id->pub.sign_pk, &err), 0);
	plm_identity_free(id);
}

struct bad_header {
	const char *what;
	const char *value;
	int code;
};

static void test_parse_signature_input_strict(void)
{
	/* clang-format off */
	static const struct bad_header bad[] = {
		{"empty", "", PLM_ERR_FORMAT},
		{"other label", "sig2=" COMP P_CREATED P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"upper-case label", "SIG1=" COMP P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"extra label", EX_INPUT ", sig2=" COMP P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"extra label, no space", EX_INPUT ",sig2=" COMP P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"label after another", "sig0=();created=1, " EX_INPUT, PLM_ERR_FORMAT},
		{"extra component",
		 "sig1=(\"@method\" \"@target-uri\" \"content-digest\" \"date\")" P_CREATED
		     P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"missing component",
		 "sig1=(\"@method\" \"@target-uri\")" P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"reordered components",
		 "sig1=(\"@target-uri\" \"@method\" \"content-digest\")" P_CREATED P_NONCE
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"component with a parameter",
		 "sig1=(\"@method\" \"@target-uri\" \"content-digest\";sf)" P_CREATED P_NONCE
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"upper-case component",
		 "sig1=(\"@method\" \"@target-uri\" \"Content-Digest\")" P_CREATED P_NONCE
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"not an inner list", "sig1=\"@method\"" P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"reordered params", "sig1=" COMP P_NONCE P_CREATED P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"alg before keyid", "sig1=" COMP P_CREATED P_NONCE P_ALG P_KEYID,
		 PLM_ERR_FORMAT},
		{"missing created", "sig1=" COMP P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"missing nonce", "sig1=" COMP P_CREATED P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"missing keyid", "sig1=" COMP P_CREATED P_NONCE P_ALG, PLM_ERR_FORMAT},
		{"missing alg", "sig1=" COMP P_CREATED P_NONCE P_KEYID, PLM_ERR_FORMAT},
		{"no parameters", "sig1=" COMP, PLM_ERR_FORMAT},
		{"extra parameter after alg", EX_INPUT ";expires=1767269100", PLM_ERR_FORMAT},
		{"extra parameter in between",
		 "sig1=" COMP P_CREATED ";expires=1767269100" P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"repeated parameter", "sig1=" COMP P_CREATED P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"upper-case parameter name",
		 "sig1=" COMP ";Created=1767268800" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"boolean parameter", "sig1=" COMP ";created" P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"wrong alg", "sig1=" COMP P_CREATED P_NONCE P_KEYID ";alg=\"rsa-pss-sha512\"",
		 PLM_ERR_FORMAT},
		{"upper-case alg", "sig1=" COMP P_CREATED P_NONCE P_KEYID ";alg=\"Ed25519\"",
		 PLM_ERR_FORMAT},
		{"alg as a token", "sig1=" COMP P_CREATED P_NONCE P_KEYID ";alg=ed25519",
		 PLM_ERR_FORMAT},
		{"alg with junk", EX_INPUT "x", PLM_ERR_FORMAT},
		{"upper-case keyid",
		 "sig1=" COMP P_CREATED P_NONCE
		 ";keyid=\"20C46B1C22DB6855337E02A15EF24A5E8128496CD5EDA889ED81D5A0AECDDBC5\""
		     P_ALG,
		 PLM_ERR_FORMAT},
		{"one upper-case keyid digit",
		 "sig1=" COMP P_CREATED P_NONCE
		 ";keyid=\"20c46b1c22db6855337e02a15ef24a5e8128496cd5eda889ed81d5a0aecddbC5\""
		     P_ALG,
		 PLM_ERR_FORMAT},
		{"63-digit keyid",
		 "sig1=" COMP P_CREATED P_NONCE
		 ";keyid=\"20c46b1c22db6855337e02a15ef24a5e8128496cd5eda889ed81d5a0aecddbc\""
		     P_ALG,
		 PLM_ERR_FORMAT},
		{"65-digit keyid",
		 "sig1=" COMP P_CREATED P_NONCE
		 ";keyid=\"20c46b1c22db6855337e02a15ef24a5e8128496cd5eda889ed81d5a0aecddbc55\""
		     P_ALG,
		 PLM_ERR_FORMAT},
		{"keyid with spaces",
		 "sig1=" COMP P_CREATED P_NONCE
		 ";keyid=\"20c4 6b1c 22db 6855 337e 02a1 5ef2 4a5e 8128 496c d5ed a889 ed81 "
		 "d5a0 aecd dbc5\"" P_ALG,
		 PLM_ERR_FORMAT},
		{"unquoted keyid",
		 "sig1=" COMP P_CREATED P_NONCE ";keyid=" EX_KEYID P_ALG, PLM_ERR_FORMAT},
		{"leading zero in created",
		 "sig1=" COMP ";created=01767268800" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"created 00", "sig1=" COMP ";created=00" P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"13-digit created", "sig1=" COMP ";created=1000000000000" P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"negative created", "sig1=" COMP ";created=-1767268800" P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"plus sign in created",
		 "sig1=" COMP ";created=+1767268800" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"decimal created",
		 "sig1=" COMP ";created=1767268800.5" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"quoted created",
		 "sig1=" COMP ";created=\"1767268800\"" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"empty created", "sig1=" COMP ";created=" P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"15-character nonce",
		 "sig1=" COMP P_CREATED ";nonce=\"AAECAwQFBgcICQo\"" P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"65-character nonce",
		 "sig1=" COMP P_CREATED
		 ";nonce=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"nonce in standard base64",
		 "sig1=" COMP P_CREATED ";nonce=\"AAECAwQFBgcICQoLDA0+Dw==\"" P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"nonce with an escape",
		 "sig1=" COMP P_CREATED ";nonce=\"AAECAwQFBgcICQoLDA0\\\"Dw\"" P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"unquoted nonce", "sig1=" COMP P_CREATED ";nonce=" EX_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"unterminated nonce",
		 "sig1=" COMP P_CREATED ";nonce=\"" EX_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"nonce at the end", "sig1=" COMP P_CREATED ";nonce=\"", PLM_ERR_FORMAT},
		{"leading space", " " EX_INPUT, PLM_ERR_FORMAT},
		{"trailing space", EX_INPUT " ", PLM_ERR_FORMAT},
		{"space after label", "sig1= " COMP P_CREATED P_NONCE P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"space inside the list",
		 "sig1=( \"@method\" \"@target-uri\" \"content-digest\")" P_CREATED P_NONCE
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"two spaces between components",
		 "sig1=(\"@method\"  \"@target-uri\" \"content-digest\")" P_CREATED P_NONCE
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"tab between components",
		 "sig1=(\"@method\"\t\"@target-uri\" \"content-digest\")" P_CREATED P_NONCE
		     P_KEYID P_ALG,
		 PLM_ERR_FORMAT},
		{"space before a parameter",
		 "sig1=" COMP " ;created=1767268800" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"space after a semicolon",
		 "sig1=" COMP "; created=1767268800" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"space around =",
		 "sig1=" COMP ";created = 1767268800" P_NONCE P_KEYID P_ALG, PLM_ERR_FORMAT},
		{"newline", "sig1=" COMP P_CREATED P_NONCE "\n" P_KEYID P_ALG, PLM_ERR_FORMAT},
	};
	/* clang-format on */
	size_t i;
	char *huge;

	CHECK_INT(parse_input(EX_INPUT), 0);
	/* created 0 is a valid integer (its time is for check_time to judge). */
	CHECK_INT(parse_input("sig1=" COMP ";created=0" P_NONCE P_KEYID P_ALG), 0);
	CHECK_INT(
	    parse_input("sig1=" COMP ";created=999999999999" P_NONCE P_KEYID P_ALG), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse_input(bad[i].value);

		if (r != bad[i].code)
			check_fail(__FILE__, __LINE__, "%s: got %d, expected %d",
			           bad[i].what, r, bad[i].code);
		CHECK(!check_failed());
	}

	/* Over 1024 bytes: refused by length before anything else is read. */
	huge = repeated(' ', PLM_HTTPSIG_HEADER_MAX + 1);
	CHECK(huge != NULL);
	memcpy(huge, EX_INPUT, strlen(EX_INPUT));
	CHECK_INT(parse_input(huge), PLM_ERR_LIMIT);
	huge[PLM_HTTPSIG_HEADER_MAX] = '\0';
	CHECK_INT(parse_input(huge), PLM_ERR_FORMAT);
	free(huge);
}

static void test_parse_signature_strict(void)
{
	unsigned char bytes[PLM_SIG_BYTES + 1];
	char b64[sodium_base64_ENCODED_LEN(PLM_SIG_BYTES + 1,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	char value[PLM_HTTPSIG_HEADER_MAX + 2];
	/* clang-format off */
	static const struct bad_header bad[] = {
		{"empty", "", PLM_ERR_FORMAT},
		{"other label", "sig2=:" EX_SIG_B64 ":", PLM_ERR_FORMAT},
		{"extra label", EX_SIG ", sig2=:" EX_SIG_B64 ":", PLM_ERR_FORMAT},
		{"extra label first", "sig0=:" EX_SIG_B64 ":, " EX_SIG, PLM_ERR_FORMAT},
		{"parameter after", EX_SIG ";x=1", PLM_ERR_FORMAT},
		{"not a byte sequence", "sig1=" EX_SIG_B64, PLM_ERR_FORMAT},
		{"unterminated", "sig1=:" EX_SIG_B64, PLM_ERR_FORMAT},
		{"string instead", "sig1=\"" EX_SIG_B64 "\"", PLM_ERR_FORMAT},
		{"empty bytes", "sig1=::", PLM_ERR_FORMAT},
		{"bad base64 character",
		 "sig1=:NdiYYN9DwHitXCU*jL28/e7w9C7Nm8ARSQ5wal2TsUQT/MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCg==:",
		 PLM_ERR_FORMAT},
		{"url-safe alphabet",
		 "sig1=:NdiYYN9DwHitXCU_jL28_e7w9C7Nm8ARSQ5wal2TsUQT_MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCg==:",
		 PLM_ERR_FORMAT},
		{"missing padding",
		 "sig1=:NdiYYN9DwHitXCU/jL28/e7w9C7Nm8ARSQ5wal2TsUQT/MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCg:",
		 PLM_ERR_FORMAT},
		{"one pad character",
		 "sig1=:NdiYYN9DwHitXCU/jL28/e7w9C7Nm8ARSQ5wal2TsUQT/MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCg=:",
		 PLM_ERR_FORMAT},
		{"non-zero pad bits",
		 "sig1=:NdiYYN9DwHitXCU/jL28/e7w9C7Nm8ARSQ5wal2TsUQT/MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCh==:",
		 PLM_ERR_FORMAT},
		{"space inside",
		 "sig1=:NdiYYN9DwHitXCU/jL28/e7w9C7Nm8ARSQ5wal2TsUQT /MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCg==:",
		 PLM_ERR_FORMAT},
		{"newline inside",
		 "sig1=:NdiYYN9DwHitXCU/jL28/e7w9C7Nm8ARSQ5wal2TsUQT\n/MS51UlTeVZYvVbMkgWwyS"
		 "QZl69W1LYupDpGDHKRCg==:",
		 PLM_ERR_FORMAT},
		{"leading space", " " EX_SIG, PLM_ERR_FORMAT},
		{"trailing space", EX_SIG " ", PLM_ERR_FORMAT},
		{"space after =", "sig1= :" EX_SIG_B64 ":", PLM_ERR_FORMAT},
	};
	/* clang-format on */
	size_t i;

	CHECK_INT(parse_signature(EX_SIG), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse_signature(bad[i].value);

		if (r != bad[i].code)
			check_fail(__FILE__, __LINE__, "%s: got %d, expected %d",
			           bad[i].what, r, bad[i].code);
		CHECK(!check_failed());
	}

	/* Well-formed base64 of 63 and 65 bytes: the wrong length. */
	memset(bytes, 0x5a, sizeof(bytes));
	sodium_bin2base64(b64, sizeof(b64), bytes, PLM_SIG_BYTES - 1,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(value, sizeof(value), "sig1=:%s:", b64);
	CHECK_INT(parse_signature(value), PLM_ERR_FORMAT);
	sodium_bin2base64(b64, sizeof(b64), bytes, PLM_SIG_BYTES + 1,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(value, sizeof(value), "sig1=:%s:", b64);
	CHECK_INT(parse_signature(value), PLM_ERR_FORMAT);
	sodium_bin2base64(b64, sizeof(b64), bytes, PLM_SIG_BYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(value, sizeof(value), "sig1=:%s:", b64);
	CHECK_INT(parse_signature(value), 0);

	/* Over 1024 bytes: LIMIT; exactly 1024 bytes of base64: read, wrong. */
	memset(value, 'A', PLM_HTTPSIG_HEADER_MAX + 1);
	memcpy(value, "sig1=:", 6);
	value[PLM_HTTPSIG_HEADER_MAX] = ':';
	value[PLM_HTTPSIG_HEADER_MAX + 1] = '\0';
	CHECK_INT(parse_signature(value), PLM_ERR_LIMIT);
	value[PLM_HTTPSIG_HEADER_MAX - 1] = ':';
	value[PLM_HTTPSIG_HEADER_MAX] = '\0';
	CHECK_INT(parse_signature(value), PLM_ERR_FORMAT);

	/* Missing arguments. */
	{
		plm_httpsig sig;

		CHECK_INT(plm_httpsig_parse(NULL, EX_SIG, &sig, NULL), PLM_ERR_INVALID);
		CHECK_INT(plm_httpsig_parse(EX_INPUT, NULL, &sig, NULL),
		          PLM_ERR_INVALID);
		CHECK_INT(plm_httpsig_parse(EX_INPUT, EX_SIG, NULL, NULL),
		          PLM_ERR_INVALID);
	}
}

/* Every change to what was signed makes verification fail. */
static void test_verify_detects_changes(void)
{
	plm_identity *id = example_identity(), *other = NULL;
	plm_httpsig good, sig;
	plm_error err;

	CHECK(id != NULL);
	CHECK_INT(plm_identity_generate(&other, NULL), 0);
	CHECK_INT(plm_httpsig_parse(EX_INPUT, EX_SIG, &good, NULL), 0);
	CHECK_INT(plm_httpsig_verify(&good, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          0);

	plm_error_clear(&err);
	CHECK_INT(
	    plm_httpsig_verify(&good, "PUT", EX_URI, EX_DIGEST, id->pub.sign_pk, &err),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(err.code, PLM_ERR_SIGNATURE);
	CHECK_INT(
	    plm_httpsig_verify(&good, EX_METHOD,
	                       "https://relay.example.org/v1/reviews/2026-fra/records",
	                       EX_DIGEST, id->pub.sign_pk, NULL),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(
	    plm_httpsig_verify(&good, EX_METHOD,
	                       "https://relay.example.org/v1/reviews/2026-fra/records"
	                       "?dry_run=0",
	                       EX_DIGEST, id->pub.sign_pk, NULL),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(
	    plm_httpsig_verify(&good, EX_METHOD,
	                       "http://relay.example.org/v1/reviews/2026-fra/records"
	                       "?dry_run=1",
	                       EX_DIGEST, id->pub.sign_pk, NULL),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(
	    plm_httpsig_verify(&good, EX_METHOD,
	                       "https://relay.example.org:443/v1/reviews/2026-fra/"
	                       "records?dry_run=1",
	                       EX_DIGEST, id->pub.sign_pk, NULL),
	    PLM_ERR_SIGNATURE);
	CHECK_INT(plm_httpsig_verify(&good, EX_METHOD, EX_URI, EMPTY_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);

	sig = good;
	sig.created++;
	CHECK_INT(plm_httpsig_verify(&sig, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	sig = good;
	sig.nonce[0] = 'B';
	CHECK_INT(plm_httpsig_verify(&sig, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	sig = good;
	sig.keyid[31] ^= 1;
	CHECK_INT(plm_httpsig_verify(&sig, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	sig = good;
	sig.signature[0] ^= 0x80;
	CHECK_INT(plm_httpsig_verify(&sig, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);
	CHECK_INT(plm_httpsig_verify(&good, EX_METHOD, EX_URI, EX_DIGEST,
	                             other->pub.sign_pk, NULL),
	          PLM_ERR_SIGNATURE);

	/* Request values outside the profile are refused before any crypto. */
	CHECK_INT(
	    plm_httpsig_verify(&good, "post", EX_URI, EX_DIGEST, id->pub.sign_pk, NULL),
	    PLM_ERR_FORMAT);
	CHECK_INT(
	    plm_httpsig_verify(&good, "", EX_URI, EX_DIGEST, id->pub.sign_pk, NULL),
	    PLM_ERR_FORMAT);
	CHECK_INT(plm_httpsig_verify(&good, "POST\n", EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_FORMAT);
	CHECK_INT(plm_httpsig_verify(&good, EX_METHOD, EX_URI "\n\"@method\": GET",
	                             EX_DIGEST, id->pub.sign_pk, NULL),
	          PLM_ERR_FORMAT);
	CHECK_INT(plm_httpsig_verify(&good, EX_METHOD, EX_URI, EX_DIGEST " ",
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_FORMAT);
	CHECK_INT(plm_httpsig_verify(NULL, EX_METHOD, EX_URI, EX_DIGEST,
	                             id->pub.sign_pk, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_httpsig_verify(&good, EX_METHOD, EX_URI, EX_DIGEST, NULL, NULL),
	          PLM_ERR_INVALID);
	plm_identity_free(other);
	plm_identity_free(id);
}

static void test_target_uri_rules(void)
{
	static const char *const good[] = {
	    "https://relay.example.org/",
	    "http://localhost:8080/v1/health",
	    "https://[2001:db8::1]:8443/v1/x?a=b&c=%2f",
	    "https://relay.example.org/a/b;c,d=e!$'()*+~-._:@?/?",
	};
	static const char *const bad[] = {
	    "",
	    "relay.example.org/v1",
	    "/v1/reviews",
	    "ftp://relay.example.org/",
	    "HTTPS://relay.example.org/",
	    "https://relay.example.org",
	    "https://relay.example.org?x=1",
	    "https:///v1/reviews",
	    "https://relay.example.org/v1/reviews#top",
	    "https://relay.example.org/v1/re views",
	    "https://relay.example.org/v1/re\tviews",
	    "https://relay.example.org/v1/%zz",
	    "https://relay.example.org/v1/%4",
	    "https://relay.example.org/v1/%",
	    "https://relay.example.org/v1/[x]",
	    "https://relay.example.org/v1/\"x\"",
	    "https://relay.example.org/v1/\\x",
	    "https://relay.example.org/v1/caf\xc3\xa9",
	    "https://relay.example.org/v1/x\r\n",
	};
	plm_identity *id = example_identity();
	plm_httpsig sig;
	char base[PLM_HTTPSIG_BASE_MAX], input[PLM_HTTPSIG_INPUT_MAX];
	char signature[PLM_HTTPSIG_SIG_MAX];
	char *longest;
	size_t i, len;

	CHECK(id != NULL);
	CHECK_INT(plm_httpsig_parse(EX_INPUT, EX_SIG, &sig, NULL), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (plm_httpsig_base(&sig, "GET", good[i], EX_DIGEST, base, &len,
		                     NULL) != 0)
			check_fail(__FILE__, __LINE__, "refused \"%s\"", good[i]);
		CHECK(!check_failed());
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (plm_httpsig_base(&sig, "GET", bad[i], EX_DIGEST, base, &len,
		                     NULL) != PLM_ERR_FORMAT ||
		    plm_httpsig_sign("GET", bad[i], EX_DIGEST, 1, NULL, id, input,
		                     signature, NULL) != PLM_ERR_INVALID)
			check_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
		CHECK(!check_failed());
		CHECK_STR(base, "");
		CHECK_INT(len, 0);
	}

	/* The longest URL fits the base buffer; one byte more is LIMIT. */
	longest = repeated('a', PLM_HTTPSIG_URI_MAX + 1);
	CHECK(longest != NULL);
	memcpy(longest, "https://relay.example.org/", 26);
	CHECK_INT(plm_httpsig_base(&sig, "GET", longest, EX_DIGEST, base, &len, NULL),
	          PLM_ERR_LIMIT);
	CHECK_INT(plm_httpsig_sign("GET", longest, EX_DIGEST, 1, NULL, id, input,
	                           signature, NULL),
	          PLM_ERR_LIMIT);
	longest[PLM_HTTPSIG_URI_MAX] = '\0';
	sig.created = PLM_HTTPSIG_CREATED_MAX;
	memset(sig.nonce, 'n', PLM_HTTPSIG_NONCE_MAX);
	sig.nonce[PLM_HTTPSIG_NONCE_MAX] = '\0';
	CHECK_INT(plm_httpsig_base(&sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF", longest,
	                           EX_DIGEST, base, &len, NULL),
	          0);
	CHECK_INT(len, 2425);
	CHECK_INT(plm_httpsig_base(&sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", longest,
	                           EX_DIGEST, base, &len, NULL),
	          PLM_ERR_FORMAT);
	free(longest);
	plm_identity_free(id);
}

static void test_sign_refuses_bad_arguments(void)
{
	plm_identity *id = example_identity();
	char input[PLM_HTTPSIG_INPUT_MAX], signature[PLM_HTTPSIG_SIG_MAX];
	plm_error err;

	CHECK(id != NULL);
#define SIGN(method, uri, digest, created, nonce, ident)                               \
	(memcpy(input, "junk", 5), memcpy(signature, "junk", 5),                       \
	 plm_httpsig_sign(method, uri, digest, created, nonce, ident, input,           \
	                  signature, &err))
	plm_error_clear(&err);
	CHECK_INT(SIGN("post", EX_URI, EX_DIGEST, 1, NULL, id), PLM_ERR_INVALID);
	CHECK_INT(err.code, PLM_ERR_INVALID);
	CHECK_STR(input, "");
	CHECK_STR(signature, "");
	CHECK_INT(SIGN("P0ST", EX_URI, EX_DIGEST, 1, NULL, id), PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, "sha-256=:abc:", 1, NULL, id),
	          PLM_ERR_INVALID);
	CHECK_STR(input, "");
	CHECK_INT(
	    SIGN(EX_METHOD, EX_URI, EX_DIGEST, PLM_HTTPSIG_CREATED_MAX + 1, NULL, id),
	    PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, EX_DIGEST, UINT64_MAX, NULL, id),
	          PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, EX_DIGEST, 1, "AAECAwQFBgcICQo", id),
	          PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, EX_DIGEST, 1, "AAECAwQFBgcICQoLDA0ODw==", id),
	          PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, EX_DIGEST, 1, "AAECAwQFBgcICQoL\"A0ODw", id),
	          PLM_ERR_INVALID);
	CHECK_INT(
	    SIGN(EX_METHOD, EX_URI, EX_DIGEST, 1,
	         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	         id),
	    PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, EX_DIGEST, 1, NULL, NULL), PLM_ERR_INVALID);
	CHECK_INT(SIGN(NULL, EX_URI, EX_DIGEST, 1, NULL, id), PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, NULL, EX_DIGEST, 1, NULL, id), PLM_ERR_INVALID);
	CHECK_INT(SIGN(EX_METHOD, EX_URI, NULL, 1, NULL, id), PLM_ERR_INVALID);
	CHECK_STR(input, "");
	CHECK_STR(signature, "");
	CHECK_INT(plm_httpsig_sign(EX_METHOD, EX_URI, EX_DIGEST, 1, NULL, id, NULL,
	                           signature, NULL),
	          PLM_ERR_INVALID);
	/* created at its bound is fine. */
	CHECK_INT(SIGN(EX_METHOD, EX_URI, EX_DIGEST, PLM_HTTPSIG_CREATED_MAX, NULL, id),
	          0);
	CHECK(strstr(input, ";created=999999999999;") != NULL);
#undef SIGN
	plm_identity_free(id);
}

static void test_serialize_refuses_bad_struct(void)
{
	char input[PLM_HTTPSIG_INPUT_MAX], signature[PLM_HTTPSIG_SIG_MAX];
	plm_httpsig sig, good;

	CHECK_INT(plm_httpsig_parse(EX_INPUT, EX_SIG, &good, NULL), 0);
	CHECK_INT(plm_httpsig_serialize(&good, input, signature, NULL), 0);
	CHECK_STR(input, EX_INPUT);
	CHECK_STR(signature, EX_SIG);

	sig = good;
	sig.created = PLM_HTTPSIG_CREATED_MAX + 1;
	CHECK_INT(plm_httpsig_serialize(&sig, input, signature, NULL), PLM_ERR_INVALID);
	CHECK_STR(input, "");
	CHECK_STR(signature, "");
	sig = good;
	memset(sig.nonce, 'A', sizeof(sig.nonce)); /* not terminated */
	CHECK_INT(plm_httpsig_serialize(&sig, input, signature, NULL), PLM_ERR_INVALID);
	sig = good;
	sig.nonce[3] = '=';
	CHECK_INT(plm_httpsig_serialize(&sig, input, signature, NULL), PLM_ERR_INVALID);
	sig = good;
	sig.nonce[15] = '\0';
	CHECK_INT(plm_httpsig_serialize(&sig, input, signature, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_httpsig_serialize(NULL, input, signature, NULL), PLM_ERR_INVALID);
}

static void test_check_time(void)
{
	plm_httpsig sig;
	plm_error err;

	CHECK_INT(plm_httpsig_parse(EX_INPUT, EX_SIG, &sig, NULL), 0);
	CHECK_INT(plm_httpsig_check_time(&sig, EX_CREATED, 0, NULL), 0);
	CHECK_INT(plm_httpsig_check_time(&sig, EX_CREATED + 300, 300, NULL), 0);
	CHECK_INT(plm_httpsig_check_time(&sig, EX_CREATED - 300, 300, NULL), 0);
	CHECK_INT(plm_httpsig_check_time(&sig, EX_CREATED + 1, 0, NULL),
	          PLM_ERR_MISMATCH);
	CHECK_INT(plm_httpsig_check_time(&sig, EX_CREATED - 301, 300, NULL),
	          PLM_ERR_MISMATCH);
	CHECK_INT(plm_httpsig_check_time(&sig, 0, 300, NULL), PLM_ERR_MISMATCH);
	/* Signed in the future: the same window applies. */
	CHECK_INT(plm_httpsig_check_time(&sig, 0, EX_CREATED - 1, NULL),
	          PLM_ERR_MISMATCH);
	CHECK_INT(plm_httpsig_check_time(&sig, 0, EX_CREATED, NULL), 0);
	/* No overflow at the extremes. */
	CHECK_INT(
	    plm_httpsig_check_time(&sig, UINT64_MAX, UINT64_MAX - EX_CREATED - 1, NULL),
	    PLM_ERR_MISMATCH);
	CHECK_INT(
	    plm_httpsig_check_time(&sig, UINT64_MAX, UINT64_MAX - EX_CREATED, NULL), 0);

	plm_error_clear(&err);
	CHECK_INT(plm_httpsig_check_time(&sig, EX_CREATED + 301, 300, &err),
	          PLM_ERR_MISMATCH);
	CHECK_INT(err.code, PLM_ERR_MISMATCH);
	CHECK_STR(err.message,
	          "the request was signed at 2026-01-01 12:00:00 UTC, more "
	          "than 300 seconds from the server's clock (2026-01-01 "
	          "12:05:01 UTC); check your computer's clock");
	CHECK_INT(plm_httpsig_check_time(&sig, UINT64_MAX, 300, &err),
	          PLM_ERR_MISMATCH);
	CHECK(strstr(err.message, "unix time 18446744073709551615") != NULL);
	CHECK_INT(plm_httpsig_check_time(NULL, 0, 300, NULL), PLM_ERR_INVALID);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_content_digest_rfc9530),
    CHECK_CASE(test_content_digest_check),
    CHECK_CASE(test_worked_example),
    CHECK_CASE(test_round_trip),
    CHECK_CASE(test_parse_signature_input_strict),
    CHECK_CASE(test_parse_signature_strict),
    CHECK_CASE(test_verify_detects_changes),
    CHECK_CASE(test_target_uri_rules),
    CHECK_CASE(test_sign_refuses_bad_arguments),
    CHECK_CASE(test_serialize_refuses_bad_struct),
    CHECK_CASE(test_check_time),
};

CHECK_MAIN("test_httpsig", cases)
