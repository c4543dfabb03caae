/*
 * ex_crypto.c - worked examples of PROTOCOL.md §2 and §3: a few encoded
 * fields; the identity of example seed 1 with its fingerprint; a
 * domain-separated signature with the exact bytes it signs; a key
 * commitment; and a key wrapped under a key and sealed to the identity.
 */
#include "examples.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/crypto.h"

#define MESSAGE "hello, Palermo"
#define SIGN_TYPE "roster"

/* Appends "LABEL  HEX\n" to TEXT (capacity CAP). */
static void add_hex_line(char *text, size_t cap, const char *label,
                         const unsigned char *bytes, size_t len)
{
	char hex[2 * 80 + 1];
	size_t used = strlen(text);

	if (len > 80)
		example_die("add_hex_line", -1, "value too long");
	plm_hex(hex, bytes, len);
	snprintf(text + used, cap - used, "%s%-10s %s", used ? "\n" : "", label, hex);
}

/* §2.1: one field of each kind, as plm_wbuf writes them. */
static void example_encoding(void)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	plm_error err;
	plm_wbuf b;
	int r;

	memset(&err, 0, sizeof(err));
	plm_wbuf_init(&b, 256, "encoding example", &err);
	plm_wbuf_u8(&b, 1);
	plm_wbuf_u16(&b, 0x0102);
	plm_wbuf_u32(&b, 258);
	plm_wbuf_u64(&b, UINT64_C(1767225600));
	plm_wbuf_str(&b, "channel", "review", 1, 1, 32, PLM_STR_NAME);
	plm_wbuf_str(&b, "title", "Caf\xc3\xa9 \xe2\x82\xac", 2, 0, 1000, PLM_STR_TEXT);
	plm_wbuf_str(&b, "note", "", 1, 0, 10, PLM_STR_TEXT);
	if ((r = plm_wbuf_finish(&b, &bytes, &len)) != 0)
		example_die("plm_wbuf_finish", r, err.message);
	example_block("encoding-fields",
	              "u8 1, u16 0x0102, u32 258, u64 1767225600, str8 NAME "
	              "\"review\", str16 TEXT \"Caf\xc3\xa9 \xe2\x82\xac\" (U+00E9 and "
	              "U+20AC in UTF-8), str8 TEXT \"\" (empty)",
	              bytes, len);
	free(bytes);
}

void examples_crypto(void)
{
	unsigned char seed[PLM_SEED_BYTES], fpr[PLM_FPR_BYTES], sig[PLM_SIG_BYTES];
	unsigned char signed_bytes[64], key[PLM_KEY_BYTES], wrapping_key[PLM_KEY_BYTES];
	unsigned char commitment[PLM_HASH_BYTES], wrapped[PLM_WRAPPED_KEY_BYTES];
	unsigned char sealed[PLM_SEALED_KEY_BYTES], back[PLM_KEY_BYTES];
	char fpr_text[PLM_FPR_TEXT_BYTES], text[1024];
	const size_t domain_len = sizeof("palermo/v1/" SIGN_TYPE); /* with NUL */
	plm_identity *id = NULL;
	plm_error err;
	int r;

	example_encoding();
	memset(&err, 0, sizeof(err));
	example_seed(seed, 1);
	if ((r = plm_identity_from_seed(&id, seed, &err)) != 0)
		example_die("plm_identity_from_seed", r, err.message);

	/* §3.6: the identity, with the intermediate subkeys. */
	text[0] = '\0';
	add_hex_line(text, sizeof(text), "seed", id->seed, PLM_SEED_BYTES);
	add_hex_line(text, sizeof(text), "subkey 1", id->sign_sk, 32);
	add_hex_line(text, sizeof(text), "sign_pk", id->pub.sign_pk, PLM_SIGN_PK_BYTES);
	add_hex_line(text, sizeof(text), "box_sk", id->box_sk, PLM_BOX_SK_BYTES);
	add_hex_line(text, sizeof(text), "box_pk", id->pub.box_pk, PLM_BOX_PK_BYTES);
	example_text("crypto-identity", text);

	/* §3.5: the fingerprint, as bytes and as read aloud. */
	plm_fingerprint(fpr, &id->pub);
	plm_fingerprint_format(fpr_text, fpr);
	text[0] = '\0';
	add_hex_line(text, sizeof(text), "hex", fpr, PLM_FPR_BYTES);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "\n%-10s %s",
	         "readable", fpr_text);
	example_text("crypto-fingerprint", text);

	/* §3.2: a signature and the exact bytes it covers. */
	memcpy(signed_bytes, "palermo/v1/" SIGN_TYPE, domain_len);
	memcpy(signed_bytes + domain_len, MESSAGE, strlen(MESSAGE));
	example_block("crypto-signed-message",
	              "Bytes signed for type \"" SIGN_TYPE "\" and the 14-byte "
	              "message \"" MESSAGE "\": the domain string, its NUL, the "
	              "message",
	              signed_bytes, domain_len + strlen(MESSAGE));
	if ((r = plm_sign(sig, SIGN_TYPE, (const unsigned char *)MESSAGE,
	                  strlen(MESSAGE), id->sign_sk, &err)) != 0)
		example_die("plm_sign", r, err.message);
	example_block("crypto-signature",
	              "Ed25519 signature over those bytes by the identity of "
	              "example seed 1",
	              sig, sizeof(sig));

	/* §3.4: a key commitment. */
	example_seed(key, 0x40);
	plm_key_commit(commitment, "document", (const unsigned char *)"example", 7,
	               key);
	text[0] = '\0';
	add_hex_line(text, sizeof(text), "key", key, sizeof(key));
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	         "\n%-10s \"palermo/v1/commit/document\" NUL\n%-10s \"example\"",
	         "domain", "binding");
	add_hex_line(text, sizeof(text), "commitment", commitment, sizeof(commitment));
	example_text("crypto-commitment", text);

	/* §3.3: the same key wrapped under another key, then sealed. */
	example_seed(wrapping_key, 0x60);
	if ((r = plm_key_wrap(wrapped, key, wrapping_key,
	                      (const unsigned char *)"example", 7, &err)) != 0 ||
	    (r = plm_key_unwrap(back, wrapped, wrapping_key,
	                        (const unsigned char *)"example", 7, &err)) != 0)
		example_die("plm_key_wrap", r, err.message);
	example_block("crypto-wrapped-key",
	              "The key 40 41 .. 5f wrapped under the key 60 61 .. 7f with "
	              "AD \"example\": nonce, ciphertext, tag",
	              wrapped, sizeof(wrapped));
	if ((r = plm_key_seal(sealed, key, id->pub.box_pk, &err)) != 0 ||
	    (r = plm_key_unseal(back, sealed, id->pub.box_pk, id->box_sk, &err)) != 0)
		example_die("plm_key_seal", r, err.message);
	example_block("crypto-sealed-key",
	              "The key 40 41 .. 5f sealed to box_pk of example seed 1: "
	              "ephemeral public key, Poly1305 tag, ciphertext",
	              sealed, sizeof(sealed));
	plm_identity_free(id);
}
