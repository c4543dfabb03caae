/*
 * ex_keystore.c - worked example of PROTOCOL.md §4: the keystore file of
 * example seed 1, and its fields one by one with the Argon2id key, so that
 * an implementation can check each step.
 */
#include "examples.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "keys/keystore.h"

#define PASSPHRASE "correct horse battery staple"

/* Appends "LABEL  HEX" (one line) to TEXT (capacity CAP). */
static void add_field(char *text, size_t cap, const char *label,
                      const unsigned char *bytes, size_t len)
{
	char hex[2 * 64 + 1];
	size_t used = strlen(text);

	if (len > 64)
		example_die("add_field", -1, "field too long");
	plm_hex(hex, bytes, len);
	snprintf(text + used, cap - used, "%s%-11s %s", used ? "\n" : "", label, hex);
}

void examples_keystore(void)
{
	unsigned char seed[PLM_SEED_BYTES], file[PLM_KEYSTORE_BYTES];
	unsigned char key[PLM_KEY_BYTES];
	char text[2048];
	plm_identity *id = NULL, *back = NULL;
	plm_keystore ks;
	plm_error err;
	int r;

	memset(&err, 0, sizeof(err));
	example_seed(seed, 1);
	if ((r = plm_identity_from_seed(&id, seed, &err)) != 0)
		example_die("plm_identity_from_seed", r, err.message);
	if ((r = plm_keystore_lock(file, id, (const unsigned char *)PASSPHRASE,
	                           strlen(PASSPHRASE), PLM_KDF_INTERACTIVE, &err)) != 0)
		example_die("plm_keystore_lock", r, err.message);
	/* The example must open, or it teaches nothing. */
	if ((r = plm_keystore_unlock(file, sizeof(file),
	                             (const unsigned char *)PASSPHRASE,
	                             strlen(PASSPHRASE), &back, &err)) != 0)
		example_die("plm_keystore_unlock", r, err.message);
	if ((r = plm_keystore_parse(file, sizeof(file), &ks, &err)) != 0)
		example_die("plm_keystore_parse", r, err.message);
	example_block("keystore",
	              "Keystore of the identity of example seed 1, passphrase "
	              "\"" PASSPHRASE "\" (28 bytes), with the test limits "
	              "PLM_KDF_INTERACTIVE (opslimit 2, memlimit 67108864 = 64 MiB); "
	              "a real keystore uses the MODERATE limits (opslimit 3, "
	              "memlimit 268435456)",
	              file, sizeof(file));

	/* The same file field by field, with the key Argon2id derives. */
	if (crypto_pwhash(key, sizeof(key), PASSPHRASE, strlen(PASSPHRASE), ks.salt,
	                  ks.limits.opslimit, (size_t)ks.limits.memlimit,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0)
		example_die("crypto_pwhash", -1, "out of memory");
	text[0] = '\0';
	add_field(text, sizeof(text), "magic", file, 4);
	add_field(text, sizeof(text), "version", file + 4, 1);
	add_field(text, sizeof(text), "kdf", file + 5, 1);
	add_field(text, sizeof(text), "opslimit", file + 6, 8);
	add_field(text, sizeof(text), "memlimit", file + 14, 8);
	add_field(text, sizeof(text), "salt", ks.salt, sizeof(ks.salt));
	add_field(text, sizeof(text), "sign_pk", ks.pub.sign_pk,
	          sizeof(ks.pub.sign_pk));
	add_field(text, sizeof(text), "box_pk", ks.pub.box_pk, sizeof(ks.pub.box_pk));
	add_field(text, sizeof(text), "nonce", ks.nonce, sizeof(ks.nonce));
	add_field(text, sizeof(text), "ciphertext", ks.ciphertext,
	          sizeof(ks.ciphertext));
	add_field(text, sizeof(text), "checksum", ks.checksum, sizeof(ks.checksum));
	add_field(text, sizeof(text), "(file key)", key, sizeof(key));
	add_field(text, sizeof(text), "(seed)", back->seed, sizeof(back->seed));
	example_text("keystore-fields", text);
	sodium_memzero(key, sizeof(key));
	plm_identity_free(back);
	plm_identity_free(id);
}
