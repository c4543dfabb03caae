/* crypto.c - primitives used by every format (see crypto.h, PROTOCOL.md §3). */
#include "keys/crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plm_init(plm_error *err)
{
	if (sodium_init() < 0)
		return plm_error_set(err, PLM_ERR_CRYPTO,
		                     "libsodium could not be initialised; check that "
		                     "the system has a working random source");
	return 0;
}

void plm_hash(unsigned char out[PLM_HASH_BYTES], const void *data, size_t len)
{
	crypto_generichash(out, PLM_HASH_BYTES, data, len, NULL, 0);
}

#define DOMAIN_PREFIX "palermo/v1/"

/*
 * Builds "palermo/v1/<type>" NUL || msg in a fresh heap buffer (caller
 * frees). The domain string, its NUL included, is at most PLM_DOMAIN_MAX
 * bytes (PROTOCOL.md §3.2).
 */
static int domain_message(const char *type, const unsigned char *msg, size_t len,
                          unsigned char **out, size_t *outlen, plm_error *err)
{
	size_t plen = sizeof(DOMAIN_PREFIX) - 1, tlen = strlen(type), dlen;
	unsigned char *buf;

	*out = NULL;
	if (plen + tlen + 1 > PLM_DOMAIN_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "signature type name \"%s\" is too long", type);
	dlen = plen + tlen + 1; /* the NUL is part of the domain string */
	buf = malloc(dlen + len);
	if (buf == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory while signing");
	memcpy(buf, DOMAIN_PREFIX, plen);
	memcpy(buf + plen, type, tlen + 1);
	if (len > 0)
		memcpy(buf + dlen, msg, len);
	*out = buf;
	*outlen = dlen + len;
	return 0;
}

int plm_sign(unsigned char sig[PLM_SIG_BYTES], const char *type,
             const unsigned char *msg, size_t len,
             const unsigned char sign_sk[PLM_SIGN_SK_BYTES], plm_error *err)
{
	unsigned char *m;
	size_t mlen;
	int r;

	if ((r = domain_message(type, msg, len, &m, &mlen, err)) != 0)
		return r;
	r = crypto_sign_detached(sig, NULL, m, mlen, sign_sk);
	free(m);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_CRYPTO, "Ed25519 signing failed");
	return 0;
}

int plm_verify(const unsigned char sig[PLM_SIG_BYTES], const char *type,
               const unsigned char *msg, size_t len,
               const unsigned char sign_pk[PLM_SIGN_PK_BYTES], plm_error *err)
{
	unsigned char *m;
	size_t mlen;
	int r;

	if ((r = domain_message(type, msg, len, &m, &mlen, err)) != 0)
		return r;
	r = crypto_sign_verify_detached(sig, m, mlen, sign_pk);
	free(m);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the %s signature does not verify with the "
		                     "signer's public key",
		                     type);
	return 0;
}

void plm_key_commit(unsigned char out[PLM_HASH_BYTES], const char *context,
                    const unsigned char *binding, size_t binding_len,
                    const unsigned char key[PLM_KEY_BYTES])
{
	static const char prefix[] = DOMAIN_PREFIX "commit/";
	crypto_generichash_state st;

	/* Streamed, so no context is ever cut short: the domain is always whole. */
	crypto_generichash_init(&st, key, PLM_KEY_BYTES, PLM_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)prefix, sizeof(prefix) - 1);
	crypto_generichash_update(&st, (const unsigned char *)context, strlen(context) + 1);
	if (binding_len > 0)
		crypto_generichash_update(&st, binding, binding_len);
	crypto_generichash_final(&st, out, PLM_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

int plm_key_commit_check(const unsigned char commitment[PLM_HASH_BYTES],
                         const char *context, const unsigned char *binding,
                         size_t binding_len,
                         const unsigned char key[PLM_KEY_BYTES], plm_error *err)
{
	unsigned char actual[PLM_HASH_BYTES];
	int r;

	plm_key_commit(actual, context, binding, binding_len, key);
	r = sodium_memcmp(actual, commitment, PLM_HASH_BYTES);
	sodium_memzero(actual, sizeof(actual));
	if (r != 0)
		return plm_error_set(err, PLM_ERR_COMMITMENT,
		                     "the %s key does not match the key its signer "
		                     "committed to",
		                     context);
	return 0;
}

int plm_key_wrap(unsigned char out[PLM_WRAPPED_KEY_BYTES],
                 const unsigned char key[PLM_KEY_BYTES],
                 const unsigned char wrapping_key[PLM_KEY_BYTES],
                 const unsigned char *ad, size_t adlen, plm_error *err)
{
	randombytes_buf(out, PLM_NONCE_BYTES);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
	        out + PLM_NONCE_BYTES, NULL, key, PLM_KEY_BYTES, ad, adlen, NULL,
	        out, wrapping_key) != 0)
		return plm_error_set(err, PLM_ERR_CRYPTO, "key wrapping failed");
	return 0;
}

int plm_key_unwrap(unsigned char key[PLM_KEY_BYTES],
                   const unsigned char in[PLM_WRAPPED_KEY_BYTES],
                   const unsigned char wrapping_key[PLM_KEY_BYTES],
                   const unsigned char *ad, size_t adlen, plm_error *err)
{
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	        key, NULL, NULL, in + PLM_NONCE_BYTES,
	        PLM_WRAPPED_KEY_BYTES - PLM_NONCE_BYTES, ad, adlen, in,
	        wrapping_key) != 0) {
		sodium_memzero(key, PLM_KEY_BYTES);
		return plm_error_set(err, PLM_ERR_KEY,
		                     "the key could not be unwrapped: it was wrapped "
		                     "under another key or for another context");
	}
	return 0;
}

int plm_key_seal(unsigned char out[PLM_SEALED_KEY_BYTES],
                 const unsigned char key[PLM_KEY_BYTES],
                 const unsigned char box_pk[PLM_BOX_PK_BYTES], plm_error *err)
{
	if (crypto_box_seal(out, key, PLM_KEY_BYTES, box_pk) != 0)
		return plm_error_set(err, PLM_ERR_CRYPTO,
		                     "sealing a key to a public key failed");
	return 0;
}

int plm_key_unseal(unsigned char key[PLM_KEY_BYTES],
                   const unsigned char in[PLM_SEALED_KEY_BYTES],
                   const unsigned char box_pk[PLM_BOX_PK_BYTES],
                   const unsigned char box_sk[PLM_BOX_SK_BYTES], plm_error *err)
{
	if (crypto_box_seal_open(key, in, PLM_SEALED_KEY_BYTES, box_pk, box_sk) != 0) {
		sodium_memzero(key, PLM_KEY_BYTES);
		return plm_error_set(err, PLM_ERR_KEY,
		                     "a sealed key could not be opened with this "
		                     "identity: it was sealed to someone else");
	}
	return 0;
}

unsigned char *plm_secret_alloc(size_t n)
{
	if (sodium_init() < 0)
		return NULL;
	return sodium_malloc(n);
}

void plm_secret_free(void *p)
{
	if (p != NULL)
		sodium_free(p); /* sodium_free wipes before releasing */
}

int plm_key_new(unsigned char **key, plm_error *err)
{
	*key = plm_secret_alloc(PLM_KEY_BYTES);
	if (*key == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of secure memory for a new key");
	randombytes_buf(*key, PLM_KEY_BYTES);
	return 0;
}

int plm_identity_from_seed(plm_identity **out,
                           const unsigned char seed[PLM_SEED_BYTES],
                           plm_error *err)
{
	plm_identity *id;
	unsigned char sub[32];
	int r = 0;

	*out = NULL;
	if ((r = plm_init(err)) != 0)
		return r;
	id = (plm_identity *)plm_secret_alloc(sizeof(*id));
	if (id == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of secure memory for an identity");
	memcpy(id->seed, seed, PLM_SEED_BYTES);
	/* PROTOCOL.md §3.6: subkey 1 seeds Ed25519, subkey 2 is the X25519 key. */
	crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "PLMSIGN1", seed);
	if (crypto_sign_seed_keypair(id->pub.sign_pk, id->sign_sk, sub) != 0)
		r = PLM_ERR_CRYPTO;
	crypto_kdf_derive_from_key(id->box_sk, sizeof(id->box_sk), 2, "PLMBOX01", seed);
	if (r == 0 && crypto_scalarmult_base(id->pub.box_pk, id->box_sk) != 0)
		r = PLM_ERR_CRYPTO;
	sodium_memzero(sub, sizeof(sub));
	if (r != 0) {
		plm_identity_free(id);
		return plm_error_set(err, r, "deriving the identity's key pairs failed");
	}
	*out = id;
	return 0;
}

int plm_identity_generate(plm_identity **out, plm_error *err)
{
	unsigned char seed[PLM_SEED_BYTES];
	int r;

	if ((r = plm_init(err)) != 0)
		return r;
	randombytes_buf(seed, sizeof(seed));
	r = plm_identity_from_seed(out, seed, err);
	sodium_memzero(seed, sizeof(seed));
	return r;
}

void plm_identity_free(plm_identity *id)
{
	plm_secret_free(id);
}

void plm_fingerprint(unsigned char out[PLM_FPR_BYTES], const plm_pubkeys *pub)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, PLM_FPR_BYTES);
	crypto_generichash_update(&st, pub->sign_pk, PLM_SIGN_PK_BYTES);
	crypto_generichash_update(&st, pub->box_pk, PLM_BOX_PK_BYTES);
	crypto_generichash_final(&st, out, PLM_FPR_BYTES);
}

void plm_hex(char *out, const unsigned char *bin, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bin[i] >> 4];
		out[2 * i + 1] = digits[bin[i] & 15];
	}
	out[2 * len] = '\0';
}

void plm_fingerprint_format(char out[PLM_FPR_TEXT_BYTES],
                            const unsigned char fpr[PLM_FPR_BYTES])
{
	char hex[2 * PLM_FPR_BYTES + 1];
	size_t i, o = 0;

	plm_hex(hex, fpr, PLM_FPR_BYTES);
	for (i = 0; i < 2 * PLM_FPR_BYTES; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

int plm_fingerprint_parse(unsigned char fpr[PLM_FPR_BYTES], const char *text,
                          plm_error *err)
{
	size_t n = 0;
	const char *p;
	int v;

	for (p = text; *p != '\0'; p++) {
		char c = *p;
		if (c == ' ' || c == '-' || c == ':')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "a fingerprint has only hexadecimal digits "
			                     "(0-9, a-f); check the character '%c'",
			                     c);
		if (n >= 2 * PLM_FPR_BYTES)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "a fingerprint has 64 hexadecimal digits; "
			                     "this one is longer");
		if (n % 2 == 0)
			fpr[n / 2] = (unsigned char)(v << 4);
		else
			fpr[n / 2] |= (unsigned char)v;
		n++;
	}
	if (n != 2 * PLM_FPR_BYTES)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "a fingerprint has 64 hexadecimal digits; this "
		                     "one has %zu",
		                     n);
	return 0;
}
