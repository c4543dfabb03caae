/*
 * test_keystore.c - the passphrase-protected keystore (keys/keystore.c,
 * PROTOCOL.md §4): byte layout checked against an independent encoder built
 * from the spec, every refusal with its exact error code, and the file
 * handling (0600, O_EXCL, symbolic links, atomic passphrase change).
 *
 * Every case uses PLM_KDF_MIN (or near it) except test_moderate_limits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/keystore.h"

/* Offsets from the table in PROTOCOL.md §4.1, typed in independently. */
#define AT_VERSION 4
#define AT_KDF 5
#define AT_OPSLIMIT 6
#define AT_MEMLIMIT 14
#define AT_SALT 22
#define AT_SIGN_PK 38
#define AT_BOX_PK 70
#define AT_NONCE 102
#define AT_CIPHERTEXT 126
#define AT_CHECKSUM 174
#define FILE_BYTES 206

static const unsigned char pass[] = "correct horse battery staple";
#define PASSLEN (sizeof(pass) - 1)
static const unsigned char other_pass[] = "Tr0ub4dor&3";
#define OTHER_PASSLEN (sizeof(other_pass) - 1)

/* A fixed identity, so that every case knows the seed it must get back. */
static plm_identity *test_identity(unsigned char n)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_identity *id = NULL;
	size_t i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (unsigned char)(n * 7 + i);
	if (plm_identity_from_seed(&id, seed, NULL) != 0)
		return NULL;
	return id;
}

static void path_in_tmp(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", check_tmpdir(), name);
}

/* Reads at most CAP bytes of PATH into BUF; returns the count or -1. */
static long slurp(const char *path, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

static int spit(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void recompute_checksum(unsigned char file[FILE_BYTES])
{
	crypto_generichash(file + AT_CHECKSUM, 32, file, AT_CHECKSUM, NULL, 0);
}

static void put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

/*
 * An independent encoder written from PROTOCOL.md §4 with libsodium alone:
 * stores SEED under PASS with the given salt, nonce, limits and public keys
 * (which need not belong to SEED). Returns 0 or -1.
 */
static int forge(unsigned char out[FILE_BYTES], const unsigned char seed[32],
                 const unsigned char sign_pk[32], const unsigned char box_pk[32],
                 const unsigned char *passphrase, size_t passlen,
                 const unsigned char salt[16], const unsigned char nonce[24],
                 uint64_t opslimit, uint64_t memlimit)
{
	unsigned char key[32];
	int r;

	memcpy(out, "PLMK", 4);
	out[AT_VERSION] = 1;
	out[AT_KDF] = 1;
	put_u64(out + AT_OPSLIMIT, opslimit);
	put_u64(out + AT_MEMLIMIT, memlimit);
	memcpy(out + AT_SALT, salt, 16);
	memcpy(out + AT_SIGN_PK, sign_pk, 32);
	memcpy(out + AT_BOX_PK, box_pk, 32);
	memcpy(out + AT_NONCE, nonce, 24);
	if (crypto_pwhash(key, 32, (const char *)passphrase, passlen, salt, opslimit,
	                  (size_t)memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	r = crypto_aead_xchacha20poly1305_ietf_encrypt(
	    out + AT_CIPHERTEXT, NULL, seed, 32, out, AT_CIPHERTEXT, NULL, nonce, key);
	sodium_memzero(key, sizeof(key));
	recompute_checksum(out);
	return r;
}

/* Identity equality: same seed and same derived keys. */
static int same_identity(const plm_identity *a, const plm_identity *b)
{
	return memcmp(a->seed, b->seed, PLM_SEED_BYTES) == 0 &&
	       memcmp(a->sign_sk, b->sign_sk, PLM_SIGN_SK_BYTES) == 0 &&
	       memcmp(a->box_sk, b->box_sk, PLM_BOX_SK_BYTES) == 0 &&
	       memcmp(&a->pub, &b->pub, sizeof(a->pub)) == 0;
}

/* Unlocks FILE (LEN bytes) and returns the status, freeing any identity. */
static int unlock_status(const unsigned char *file, size_t len,
                         const unsigned char *passphrase, size_t passlen)
{
	plm_identity *id = NULL;
	int r = plm_keystore_unlock(file, len, passphrase, passlen, &id, NULL);

	plm_identity_free(id);
	return r;
}

/* 1 if the folder DIR holds an entry whose name starts with PREFIX + ".". */
static int leftover_beside(const char *dir, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct dirent *e;
	DIR *d = opendir(dir);
	int found = 0;

	if (d == NULL)
		return 1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, plen) == 0 && e->d_name[plen] == '.')
			found = 1;
	closedir(d);
	return found;
}

static void test_sizes(void)
{
	CHECK_INT(PLM_KEYSTORE_BYTES, FILE_BYTES);
	CHECK_INT(PLM_KEYSTORE_AD_BYTES, AT_CIPHERTEXT);
	CHECK_INT(PLM_KEYSTORE_CHECKED_BYTES, AT_CHECKSUM);
	CHECK_INT(PLM_KDF_MODERATE.opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
	CHECK_INT(PLM_KDF_MODERATE.memlimit, crypto_pwhash_MEMLIMIT_MODERATE);
	CHECK_INT(PLM_KDF_INTERACTIVE.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	CHECK_INT(PLM_KDF_INTERACTIVE.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	CHECK_INT(PLM_KDF_MIN.opslimit, crypto_pwhash_OPSLIMIT_MIN);
	CHECK_INT(PLM_KDF_MIN.memlimit, crypto_pwhash_MEMLIMIT_MIN);
	CHECK_INT(PLM_KDF_MEMLIMIT_MAX, 1024ULL * 1024 * 1024);
}

/* lock writes exactly what the independent encoder writes for the same salt/nonce. */
static void test_lock_matches_spec(void)
{
	unsigned char file[FILE_BYTES], expect[FILE_BYTES], key[32], seed[32];
	plm_identity *id = test_identity(1);
	plm_keystore ks;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_MEM(file, "PLMK\x01\x01", 6);
	CHECK_MEM(file + AT_OPSLIMIT, "\0\0\0\0\0\0\0\x01", 8);
	CHECK_MEM(file + AT_MEMLIMIT, "\0\0\0\0\0\0\x20\0", 8);
	CHECK_MEM(file + AT_SIGN_PK, id->pub.sign_pk, 32);
	CHECK_MEM(file + AT_BOX_PK, id->pub.box_pk, 32);
	CHECK_INT(forge(expect, id->seed, id->pub.sign_pk, id->pub.box_pk, pass,
	                PASSLEN, file + AT_SALT, file + AT_NONCE, 1, 8192),
	          0);
	CHECK_MEM(file, expect, FILE_BYTES);

	/* And decrypting by hand gives the seed back. */
	CHECK_INT(crypto_pwhash(key, 32, (const char *)pass, PASSLEN, file + AT_SALT, 1,
	                        8192, crypto_pwhash_ALG_ARGON2ID13),
	          0);
	CHECK_INT(crypto_aead_xchacha20poly1305_ietf_decrypt(
	              seed, NULL, NULL, file + AT_CIPHERTEXT, 48, file, AT_CIPHERTEXT,
	              file + AT_NONCE, key),
	          0);
	CHECK_MEM(seed, id->seed, 32);

	CHECK_INT(plm_keystore_parse(file, FILE_BYTES, &ks, NULL), 0);
	CHECK_INT(ks.version, 1);
	CHECK_INT(ks.kdf, 1);
	CHECK_INT(ks.limits.opslimit, 1);
	CHECK_INT(ks.limits.memlimit, 8192);
	CHECK_MEM(ks.salt, file + AT_SALT, 16);
	CHECK_MEM(&ks.pub, &id->pub, sizeof(ks.pub));
	CHECK_MEM(ks.nonce, file + AT_NONCE, 24);
	CHECK_MEM(ks.ciphertext, file + AT_CIPHERTEXT, 48);
	CHECK_MEM(ks.checksum, file + AT_CHECKSUM, 32);
	plm_identity_free(id);
}

static void test_fresh_salt_and_nonce(void)
{
	unsigned char a[FILE_BYTES], b[FILE_BYTES];
	plm_identity *id = test_identity(2);

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(a, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_lock(b, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK(memcmp(a + AT_SALT, b + AT_SALT, 16) != 0);
	CHECK(memcmp(a + AT_NONCE, b + AT_NONCE, 24) != 0);
	CHECK(memcmp(a + AT_CIPHERTEXT, b + AT_CIPHERTEXT, 48) != 0);
	plm_identity_free(id);
}

static void test_round_trip_in_memory(void)
{
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(3), *back = NULL;
	plm_error err;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, &err), 0);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, pass, PASSLEN, &back, &err), 0);
	CHECK(back != NULL);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	plm_identity_free(id);
}

static void test_round_trip_file(void)
{
	char path[512];
	unsigned char bytes[FILE_BYTES + 8];
	plm_identity *id = test_identity(4), *back = NULL;
	plm_pubkeys pub;
	plm_error err;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "round-trip.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, &err), 0);
	CHECK_INT(slurp(path, bytes, sizeof(bytes)), FILE_BYTES);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, &err), 0);
	CHECK(same_identity(id, back));
	CHECK_INT(plm_keystore_read_public(path, &pub, &err), 0);
	CHECK_MEM(&pub, &id->pub, sizeof(pub));
	plm_identity_free(back);
	plm_identity_free(id);
}

/* Passphrases are bytes with a length: NUL and non-UTF-8 bytes count. */
static void test_binary_passphrase(void)
{
	static const unsigned char a[] = {'a', 0x00, 'b', 0xff};
	static const unsigned char b[] = {'a', 0x00, 'c', 0xff};
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(5), *back = NULL;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, a, sizeof(a), PLM_KDF_MIN, NULL), 0);
	CHECK_INT(unlock_status(file, FILE_BYTES, b, sizeof(b)), PLM_ERR_PASSPHRASE);
	CHECK_INT(unlock_status(file, FILE_BYTES, a, 1), PLM_ERR_PASSPHRASE);
	CHECK_INT(unlock_status(file, FILE_BYTES, a, 3), PLM_ERR_PASSPHRASE);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, a, sizeof(a), &back, NULL), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	plm_identity_free(id);
}

static void test_wrong_passphrase(void)
{
	char path[512];
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(6), *back = NULL;
	plm_error err;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, other_pass, OTHER_PASSLEN,
	                              &back, &err),
	          PLM_ERR_PASSPHRASE);
	CHECK(back == NULL);
	CHECK_INT(err.code, PLM_ERR_PASSPHRASE);
	CHECK(strstr(err.message, "wrong passphrase") != NULL);
	/* One byte more or less is another passphrase. */
	CHECK_INT(unlock_status(file, FILE_BYTES, pass, PASSLEN - 1),
	          PLM_ERR_PASSPHRASE);
	CHECK_INT(unlock_status(file, FILE_BYTES, pass, PASSLEN + 1),
	          PLM_ERR_PASSPHRASE);

	path_in_tmp(path, sizeof(path), "wrong-pass.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_open(path, other_pass, OTHER_PASSLEN, &back, &err),
	          PLM_ERR_PASSPHRASE);
	CHECK(back == NULL);
	CHECK(strstr(err.message, path) != NULL);
	CHECK(strstr(err.message, "wrong passphrase") != NULL);
	plm_identity_free(id);
}

static void test_empty_passphrase_refused(void)
{
	char path[512];
	unsigned char file[FILE_BYTES], good[FILE_BYTES];
	plm_identity *id = test_identity(7), *back = NULL;
	struct stat st;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, 0, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_lock(file, id, NULL, 5, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_lock(good, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_unlock(good, FILE_BYTES, pass, 0, &back, NULL),
	          PLM_ERR_INVALID);
	CHECK(back == NULL);
	CHECK_INT(plm_keystore_unlock(good, FILE_BYTES, NULL, 0, &back, NULL),
	          PLM_ERR_INVALID);

	path_in_tmp(path, sizeof(path), "empty-pass.key");
	CHECK_INT(plm_keystore_create(path, id, pass, 0, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK(lstat(path, &st) != 0 && errno == ENOENT);
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_open(path, pass, 0, &back, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_change_passphrase(path, pass, 0, other_pass,
	                                         OTHER_PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_change_passphrase(path, pass, PASSLEN, other_pass, 0,
	                                         PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), 0);
	plm_identity_free(back);
	plm_identity_free(id);
}

static void test_bad_arguments(void)
{
	char path[512];
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(8), *back = NULL;
	plm_keystore ks;
	plm_pubkeys pub;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, NULL, pass, PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_create(NULL, id, pass, PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_create("", id, pass, PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_open(NULL, pass, PASSLEN, &back, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_read_public("", &pub, NULL), PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_change_passphrase(NULL, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_keystore_parse(NULL, 10, &ks, NULL), PLM_ERR_INVALID);
	path_in_tmp(path, sizeof(path), "no-such-folder/x.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_IO);
	plm_identity_free(id);
}

/* Limits a caller asks for must lie in the bounds a reader accepts. */
static void test_lock_limits_bounds(void)
{
	static const plm_kdf_limits bad[] = {
	    {0, 8192},       {5, 8192}, {UINT64_MAX, 8192},
	    {1, 8191},       {1, 0},    {1, 1024ULL * 1024 * 1024 + 1},
	    {1, UINT64_MAX},
	};
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(9), *back = NULL;
	plm_kdf_limits edge = {4, 8192};
	char path[512];
	size_t i;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "bad-limits.key");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, bad[i], NULL),
		          PLM_ERR_INVALID);
		CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, bad[i], NULL),
		          PLM_ERR_INVALID);
	}
	CHECK(access(path, F_OK) != 0);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, edge, NULL), 0);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, pass, PASSLEN, &back, NULL), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	plm_identity_free(id);
}

/* Magic, version and kdf: PLM_ERR_VERSION, checked before size and checksum. */
static void test_magic_version_kdf(void)
{
	unsigned char file[FILE_BYTES], copy[FILE_BYTES + 100];
	plm_identity *id = test_identity(10);
	plm_keystore ks;
	plm_error err;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);

	memcpy(copy, file, FILE_BYTES);
	copy[3] = 'X';
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, &err), PLM_ERR_VERSION);
	CHECK(strstr(err.message, "not a Palermo keystore") != NULL);
	recompute_checksum(copy);
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, NULL), PLM_ERR_VERSION);

	memcpy(copy, file, FILE_BYTES);
	copy[AT_VERSION] = 2;
	recompute_checksum(copy);
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, &err), PLM_ERR_VERSION);
	CHECK(strstr(err.message, "version 2") != NULL);
	/* A future version of another size is still a version error. */
	memset(copy + FILE_BYTES, 0, 100);
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES + 100, &ks, NULL),
	          PLM_ERR_VERSION);
	CHECK_INT(plm_keystore_parse(copy, 5, &ks, NULL), PLM_ERR_VERSION);
	copy[AT_VERSION] = 0;
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, NULL), PLM_ERR_VERSION);

	memcpy(copy, file, FILE_BYTES);
	copy[AT_KDF] = 2;
	recompute_checksum(copy);
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, &err), PLM_ERR_VERSION);
	CHECK(strstr(err.message, "key derivation function 2") != NULL);
	CHECK_INT(unlock_status(copy, FILE_BYTES, pass, PASSLEN), PLM_ERR_VERSION);

	/* Something else entirely. */
	CHECK_INT(
	    plm_keystore_parse((const unsigned char *)"hello, world", 12, &ks, NULL),
	    PLM_ERR_VERSION);
	CHECK_INT(plm_keystore_parse((const unsigned char *)"X", 1, &ks, NULL),
	          PLM_ERR_VERSION);
	/* A parse failure leaves nothing behind in the output. */
	CHECK(sodium_is_zero((const unsigned char *)&ks, sizeof(ks)));
	plm_identity_free(id);
}

static void test_truncated_and_extended(void)
{
	unsigned char file[FILE_BYTES], longer[FILE_BYTES + 300];
	plm_identity *id = test_identity(11);
	plm_keystore ks;
	plm_error err;
	size_t len;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_parse(file, 0, &ks, NULL), PLM_ERR_CORRUPT);
	CHECK_INT(plm_keystore_parse(NULL, 0, &ks, NULL), PLM_ERR_CORRUPT);
	for (len = 0; len < FILE_BYTES; len++) {
		CHECK_INT(plm_keystore_parse(file, len, &ks, &err), PLM_ERR_CORRUPT);
		CHECK_INT(unlock_status(file, len, pass, PASSLEN), PLM_ERR_CORRUPT);
	}
	CHECK(strstr(err.message, "truncated") != NULL);
	memcpy(longer, file, FILE_BYTES);
	memset(longer + FILE_BYTES, 0, sizeof(longer) - FILE_BYTES);
	for (len = FILE_BYTES + 1; len <= sizeof(longer); len++) {
		CHECK_INT(plm_keystore_parse(longer, len, &ks, &err), PLM_ERR_CORRUPT);
		CHECK_INT(unlock_status(longer, len, pass, PASSLEN), PLM_ERR_CORRUPT);
	}
	CHECK(strstr(err.message, "longer") != NULL);
	CHECK_INT(plm_keystore_parse(longer, FILE_BYTES, &ks, NULL), 0);
	plm_identity_free(id);
}

static void test_truncated_and_extended_files(void)
{
	char path[512];
	unsigned char file[FILE_BYTES + 1000];
	plm_identity *id = test_identity(12), *back = NULL;
	plm_pubkeys pub;
	plm_error err;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "resized.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(slurp(path, file, sizeof(file)), FILE_BYTES);

	CHECK(truncate(path, FILE_BYTES - 1) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, &err), PLM_ERR_CORRUPT);
	CHECK(back == NULL);
	CHECK(strstr(err.message, path) != NULL);
	CHECK_INT(plm_keystore_read_public(path, &pub, NULL), PLM_ERR_CORRUPT);
	CHECK(truncate(path, 0) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), PLM_ERR_CORRUPT);

	memset(file + FILE_BYTES, 'x', 1000);
	CHECK(spit(path, file, FILE_BYTES + 1) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), PLM_ERR_CORRUPT);
	CHECK(spit(path, file, FILE_BYTES + 1000) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), PLM_ERR_CORRUPT);
	CHECK_INT(plm_keystore_read_public(path, &pub, NULL), PLM_ERR_CORRUPT);

	CHECK(spit(path, file, FILE_BYTES) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	plm_identity_free(id);
}

/*
 * Every byte changed in turn (xor 0x01 and xor 0xff): the checksum catches
 * it, so CORRUPT, or VERSION for the first six bytes that say what the file is.
 */
static void test_every_byte_flipped(void)
{
	static const unsigned char masks[] = {0x01, 0xff};
	unsigned char file[FILE_BYTES], copy[FILE_BYTES];
	plm_identity *id = test_identity(13);
	plm_keystore ks;
	plm_error err;
	size_t i, m;
	int expect;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	for (m = 0; m < sizeof(masks); m++) {
		for (i = 0; i < FILE_BYTES; i++) {
			memcpy(copy, file, FILE_BYTES);
			copy[i] ^= masks[m];
			expect = i < 6 ? PLM_ERR_VERSION : PLM_ERR_CORRUPT;
			CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, &err),
			          expect);
			CHECK_INT(err.code, expect);
			CHECK_INT(unlock_status(copy, FILE_BYTES, pass, PASSLEN),
			          expect);
			if (i >= 6)
				CHECK(strstr(err.message,
				             "the keystore file is damaged; restore it "
				             "from a backup or ask the secretariat to "
				             "certify new keys") != NULL);
		}
	}
	plm_identity_free(id);
}

/*
 * The same flips with the checksum recomputed, as a deliberate forger would:
 * limits out of bounds give CORRUPT; anything else under the AEAD (limits,
 * salt, public keys, nonce: all AD or key input; the ciphertext itself)
 * gives PASSPHRASE, since decryption cannot tell which input was wrong.
 */
static void test_every_byte_flipped_checksum_fixed(void)
{
	static const unsigned char masks[] = {0x01, 0xff};
	unsigned char file[FILE_BYTES], copy[FILE_BYTES];
	plm_identity *id = test_identity(14);
	plm_kdf_limits limits;
	size_t i, m;
	int expect, in_bounds;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	for (m = 0; m < sizeof(masks); m++) {
		for (i = 6; i < AT_CHECKSUM; i++) {
			memcpy(copy, file, FILE_BYTES);
			copy[i] ^= masks[m];
			recompute_checksum(copy);
			limits.opslimit = plm_load_u64(copy + AT_OPSLIMIT);
			limits.memlimit = plm_load_u64(copy + AT_MEMLIMIT);
			in_bounds = limits.opslimit >= 1 && limits.opslimit <= 4 &&
			            limits.memlimit >= 8192 &&
			            limits.memlimit <= 1024ULL * 1024 * 1024;
			expect = in_bounds ? PLM_ERR_PASSPHRASE : PLM_ERR_CORRUPT;
			if (i >= AT_SALT)
				CHECK_INT(expect, PLM_ERR_PASSPHRASE);
			CHECK_INT(unlock_status(copy, FILE_BYTES, pass, PASSLEN),
			          expect);
		}
	}
	plm_identity_free(id);
}

/* Limits outside the bounds, with a valid checksum: CORRUPT before any KDF. */
static void test_limits_out_of_bounds(void)
{
	static const plm_kdf_limits bad[] = {
	    {0, 8192},       {5, 8192}, {UINT64_MAX, 8192},
	    {1, 0},          {1, 8191}, {1, 1024ULL * 1024 * 1024 + 1},
	    {1, UINT64_MAX}, {0, 0},
	};
	unsigned char file[FILE_BYTES], copy[FILE_BYTES];
	plm_identity *id = test_identity(15);
	plm_keystore ks;
	plm_error err;
	size_t i;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(copy, file, FILE_BYTES);
		put_u64(copy + AT_OPSLIMIT, bad[i].opslimit);
		put_u64(copy + AT_MEMLIMIT, bad[i].memlimit);
		recompute_checksum(copy);
		CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, &err),
		          PLM_ERR_CORRUPT);
		CHECK(strstr(err.message, "Argon2id limits") != NULL);
		CHECK_INT(unlock_status(copy, FILE_BYTES, pass, PASSLEN),
		          PLM_ERR_CORRUPT);
	}
	/* The largest accepted limits parse (no KDF runs in parse). */
	memcpy(copy, file, FILE_BYTES);
	put_u64(copy + AT_OPSLIMIT, 4);
	put_u64(copy + AT_MEMLIMIT, 1024ULL * 1024 * 1024);
	recompute_checksum(copy);
	CHECK_INT(plm_keystore_parse(copy, FILE_BYTES, &ks, NULL), 0);
	CHECK_INT(ks.limits.opslimit, 4);
	CHECK_INT(ks.limits.memlimit, 1024ULL * 1024 * 1024);
	plm_identity_free(id);
}

/* A file whose AEAD opens but whose clear public keys are someone else's. */
static void test_public_keys_not_of_seed(void)
{
	unsigned char file[FILE_BYTES], salt[16], nonce[24];
	plm_identity *id = test_identity(16), *other = test_identity(17);
	plm_identity *back = NULL;
	plm_keystore ks;
	plm_error err;

	CHECK(id != NULL && other != NULL);
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	/* Sanity: the forger makes files that open. */
	CHECK_INT(forge(file, id->seed, id->pub.sign_pk, id->pub.box_pk, pass, PASSLEN,
	                salt, nonce, 1, 8192),
	          0);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, pass, PASSLEN, &back, NULL), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	back = NULL;

	CHECK_INT(forge(file, id->seed, other->pub.sign_pk, id->pub.box_pk, pass,
	                PASSLEN, salt, nonce, 1, 8192),
	          0);
	CHECK_INT(plm_keystore_parse(file, FILE_BYTES, &ks, NULL), 0);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, pass, PASSLEN, &back, &err),
	          PLM_ERR_CORRUPT);
	CHECK(back == NULL);
	CHECK(strstr(err.message, "do not belong") != NULL);

	CHECK_INT(forge(file, id->seed, id->pub.sign_pk, other->pub.box_pk, pass,
	                PASSLEN, salt, nonce, 1, 8192),
	          0);
	CHECK_INT(unlock_status(file, FILE_BYTES, pass, PASSLEN), PLM_ERR_CORRUPT);
	plm_identity_free(other);
	plm_identity_free(id);
}

static void test_file_mode_0600(void)
{
	char path[512];
	plm_identity *id = test_identity(18);
	struct stat st;
	mode_t old;
	int r;

	CHECK(id != NULL);
	/* Even with a permissive umask... */
	path_in_tmp(path, sizeof(path), "mode-umask0.key");
	old = umask(0);
	r = plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL);
	umask(old);
	CHECK_INT(r, 0);
	CHECK(lstat(path, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_uid, getuid());
	/* ...and with one that would take the owner's write bit away. */
	path_in_tmp(path, sizeof(path), "mode-umask277.key");
	old = umask(0277);
	r = plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL);
	umask(old);
	CHECK_INT(r, 0);
	CHECK(lstat(path, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	plm_identity_free(id);
}

static void test_existing_file_untouched(void)
{
	static const unsigned char precious[] = "precious data, not a keystore\n";
	char path[512];
	unsigned char back[64];
	plm_identity *id = test_identity(19), *other = test_identity(20);
	plm_identity *opened = NULL;
	struct stat st;
	plm_error err;

	CHECK(id != NULL && other != NULL);
	path_in_tmp(path, sizeof(path), "precious.txt");
	CHECK(spit(path, precious, sizeof(precious) - 1) == 0);
	CHECK(chmod(path, 0644) == 0);
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, &err),
	          PLM_ERR_EXISTS);
	CHECK(strstr(err.message, path) != NULL);
	CHECK_INT(slurp(path, back, sizeof(back)), sizeof(precious) - 1);
	CHECK_MEM(back, precious, sizeof(precious) - 1);
	CHECK(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0644);

	/* Nor is an existing keystore replaced by another identity's. */
	path_in_tmp(path, sizeof(path), "existing.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_create(path, other, other_pass, OTHER_PASSLEN,
	                              PLM_KDF_MIN, NULL),
	          PLM_ERR_EXISTS);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &opened, NULL), 0);
	CHECK(same_identity(id, opened));
	plm_identity_free(opened);
	plm_identity_free(other);
	plm_identity_free(id);
}

static void test_symlink_refused(void)
{
	char link[512], target[512], dangling[512], missing[512];
	unsigned char before[FILE_BYTES], after[FILE_BYTES];
	plm_identity *id = test_identity(21), *back = NULL;
	plm_pubkeys pub;
	plm_error err;
	struct stat st;

	CHECK(id != NULL);
	path_in_tmp(target, sizeof(target), "real.key");
	path_in_tmp(link, sizeof(link), "link.key");
	path_in_tmp(dangling, sizeof(dangling), "dangling.key");
	path_in_tmp(missing, sizeof(missing), "link-target-never-made.key");
	CHECK_INT(plm_keystore_create(target, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(slurp(target, before, sizeof(before)), FILE_BYTES);
	CHECK(symlink(target, link) == 0);
	CHECK(symlink(missing, dangling) == 0);

	/* Creating through a link, to an existing file or to nowhere. */
	CHECK_INT(
	    plm_keystore_create(link, id, other_pass, OTHER_PASSLEN, PLM_KDF_MIN, &err),
	    PLM_ERR_EXISTS);
	CHECK(strstr(err.message, "symbolic link") != NULL);
	CHECK_INT(plm_keystore_create(dangling, id, pass, PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_EXISTS);
	CHECK(lstat(missing, &st) != 0 && errno == ENOENT);

	/* Reading through a link. */
	CHECK_INT(plm_keystore_open(link, pass, PASSLEN, &back, &err), PLM_ERR_IO);
	CHECK(back == NULL);
	CHECK(strstr(err.message, "symbolic link") != NULL);
	CHECK_INT(plm_keystore_read_public(link, &pub, NULL), PLM_ERR_IO);
	CHECK_INT(plm_keystore_change_passphrase(link, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_IO);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_INT(slurp(target, after, sizeof(after)), FILE_BYTES);
	CHECK_MEM(before, after, FILE_BYTES);
	plm_identity_free(id);
}

static void test_not_a_regular_file(void)
{
	char path[512];
	plm_identity *back = NULL;
	plm_pubkeys pub;

	path_in_tmp(path, sizeof(path), "a-folder");
	CHECK(mkdir(path, 0700) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), PLM_ERR_IO);
	CHECK_INT(plm_keystore_read_public(path, &pub, NULL), PLM_ERR_IO);
	/* A FIFO must be refused, not waited on. */
	path_in_tmp(path, sizeof(path), "a-fifo");
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), PLM_ERR_IO);
	CHECK_INT(plm_keystore_read_public(path, &pub, NULL), PLM_ERR_IO);
	CHECK(back == NULL);
}

static void test_missing_file(void)
{
	char path[512];
	plm_identity *back = NULL;
	plm_pubkeys pub;
	plm_error err;

	path_in_tmp(path, sizeof(path), "never-created.key");
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, &err),
	          PLM_ERR_NOTFOUND);
	CHECK(strstr(err.message, "palermo init") != NULL);
	CHECK_INT(plm_keystore_read_public(path, &pub, NULL), PLM_ERR_NOTFOUND);
	CHECK_INT(plm_keystore_change_passphrase(path, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_NOTFOUND);
	CHECK(back == NULL);
}

static void test_change_passphrase(void)
{
	char path[512];
	unsigned char before[FILE_BYTES], after[FILE_BYTES];
	plm_identity *id = test_identity(22), *back = NULL;
	plm_kdf_limits limits = {2, 16384};
	plm_keystore ks;
	plm_pubkeys pub;
	struct stat st;
	plm_error err;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "change.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(slurp(path, before, sizeof(before)), FILE_BYTES);

	/* A wrong old passphrase changes nothing. */
	CHECK_INT(plm_keystore_change_passphrase(path, other_pass, OTHER_PASSLEN,
	                                         other_pass, OTHER_PASSLEN, PLM_KDF_MIN,
	                                         &err),
	          PLM_ERR_PASSPHRASE);
	CHECK_INT(slurp(path, after, sizeof(after)), FILE_BYTES);
	CHECK_MEM(before, after, FILE_BYTES);
	CHECK(!leftover_beside(check_tmpdir(), "change.key"));

	/* Bad new limits change nothing either. */
	CHECK_INT(plm_keystore_change_passphrase(path, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN,
	                                         (plm_kdf_limits){9, 8192}, NULL),
	          PLM_ERR_INVALID);
	CHECK_INT(slurp(path, after, sizeof(after)), FILE_BYTES);
	CHECK_MEM(before, after, FILE_BYTES);

	CHECK_INT(plm_keystore_change_passphrase(path, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN, limits, &err),
	          0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL),
	          PLM_ERR_PASSPHRASE);
	CHECK(back == NULL);
	CHECK_INT(plm_keystore_open(path, other_pass, OTHER_PASSLEN, &back, &err), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	back = NULL;

	/* New salt, nonce and limits; same public keys; still 0600; no leftovers. */
	CHECK_INT(slurp(path, after, sizeof(after)), FILE_BYTES);
	CHECK(memcmp(before + AT_SALT, after + AT_SALT, 16) != 0);
	CHECK(memcmp(before + AT_NONCE, after + AT_NONCE, 24) != 0);
	CHECK_INT(plm_keystore_parse(after, FILE_BYTES, &ks, NULL), 0);
	CHECK_INT(ks.limits.opslimit, 2);
	CHECK_INT(ks.limits.memlimit, 16384);
	CHECK_INT(plm_keystore_read_public(path, &pub, NULL), 0);
	CHECK_MEM(&pub, &id->pub, sizeof(pub));
	CHECK(lstat(path, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK(!leftover_beside(check_tmpdir(), "change.key"));

	/* And back again, with a relative path in the current folder. */
	CHECK(chdir(check_tmpdir()) == 0);
	CHECK_INT(plm_keystore_change_passphrase("change.key", other_pass,
	                                         OTHER_PASSLEN, pass, PASSLEN,
	                                         PLM_KDF_MIN, NULL),
	          0);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	plm_identity_free(id);
}

/* A damaged keystore cannot have its passphrase changed, and stays as it was. */
static void test_change_passphrase_damaged(void)
{
	char path[512];
	unsigned char file[FILE_BYTES], after[FILE_BYTES];
	plm_identity *id = test_identity(23);

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "damaged.key");
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	file[AT_CIPHERTEXT] ^= 1;
	CHECK(spit(path, file, FILE_BYTES) == 0);
	CHECK_INT(plm_keystore_change_passphrase(path, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN, PLM_KDF_MIN, NULL),
	          PLM_ERR_CORRUPT);
	CHECK_INT(slurp(path, after, sizeof(after)), FILE_BYTES);
	CHECK_MEM(file, after, FILE_BYTES);
	CHECK(!leftover_beside(check_tmpdir(), "damaged.key"));
	plm_identity_free(id);
}

/*
 * A write that fails half-way (the file size limit stands in for a full
 * disk): create leaves no partial file, and change_passphrase leaves the old
 * keystore as it was and no temporary file.
 */
static void test_write_failure_cleans_up(void)
{
	char path[512];
	unsigned char before[FILE_BYTES], after[FILE_BYTES];
	plm_identity *id = test_identity(27), *back = NULL;
	struct rlimit old_limit, small;
	void (*old_handler)(int);
	int created, changed;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "full-disk.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(slurp(path, before, sizeof(before)), FILE_BYTES);

	CHECK(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
	small = old_limit;
	small.rlim_cur = 100;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
	changed = plm_keystore_change_passphrase(path, pass, PASSLEN, other_pass,
	                                         OTHER_PASSLEN, PLM_KDF_MIN, NULL);
	path_in_tmp(path, sizeof(path), "full-disk-new.key");
	created = plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL);
	setrlimit(RLIMIT_FSIZE, &old_limit);
	signal(SIGXFSZ, old_handler);

	CHECK_INT(created, PLM_ERR_IO);
	CHECK(access(path, F_OK) != 0);
	CHECK_INT(changed, PLM_ERR_IO);
	path_in_tmp(path, sizeof(path), "full-disk.key");
	CHECK_INT(slurp(path, after, sizeof(after)), FILE_BYTES);
	CHECK_MEM(before, after, FILE_BYTES);
	CHECK(!leftover_beside(check_tmpdir(), "full-disk.key"));
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, NULL), 0);
	plm_identity_free(back);
	plm_identity_free(id);
}

static void test_read_public_without_passphrase(void)
{
	char path[512];
	plm_identity *id = test_identity(24);
	unsigned char fpr_a[PLM_FPR_BYTES], fpr_b[PLM_FPR_BYTES];
	plm_pubkeys pub;
	plm_error err;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "public.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	memset(&pub, 0xaa, sizeof(pub));
	CHECK_INT(plm_keystore_read_public(path, &pub, &err), 0);
	CHECK_MEM(pub.sign_pk, id->pub.sign_pk, PLM_SIGN_PK_BYTES);
	CHECK_MEM(pub.box_pk, id->pub.box_pk, PLM_BOX_PK_BYTES);
	plm_fingerprint(fpr_a, &pub);
	plm_fingerprint(fpr_b, &id->pub);
	CHECK_MEM(fpr_a, fpr_b, PLM_FPR_BYTES);
	plm_identity_free(id);
}

/* Every function accepts err == NULL and still returns the right code. */
static void test_null_error_report(void)
{
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(25), *back = NULL;
	plm_keystore ks;

	CHECK(id != NULL);
	CHECK_INT(plm_keystore_lock(file, id, pass, PASSLEN, PLM_KDF_MIN, NULL), 0);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, other_pass, OTHER_PASSLEN,
	                              &back, NULL),
	          PLM_ERR_PASSPHRASE);
	file[100] ^= 4;
	CHECK_INT(plm_keystore_parse(file, FILE_BYTES, &ks, NULL), PLM_ERR_CORRUPT);
	CHECK_INT(plm_keystore_unlock(file, FILE_BYTES, pass, PASSLEN, &back, NULL),
	          PLM_ERR_CORRUPT);
	CHECK(back == NULL);
	plm_identity_free(id);
}

/* The one test with the production limits: about a second and 256 MiB. */
static void test_moderate_limits(void)
{
	char path[512];
	unsigned char file[FILE_BYTES];
	plm_identity *id = test_identity(26), *back = NULL;
	plm_keystore ks;
	plm_error err;

	CHECK(id != NULL);
	path_in_tmp(path, sizeof(path), "moderate.key");
	CHECK_INT(plm_keystore_create(path, id, pass, PASSLEN, PLM_KDF_MODERATE, &err),
	          0);
	CHECK_INT(slurp(path, file, sizeof(file)), FILE_BYTES);
	CHECK_INT(plm_keystore_parse(file, FILE_BYTES, &ks, NULL), 0);
	CHECK_INT(ks.limits.opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
	CHECK_INT(ks.limits.memlimit, crypto_pwhash_MEMLIMIT_MODERATE);
	CHECK_INT(plm_keystore_open(path, pass, PASSLEN, &back, &err), 0);
	CHECK(same_identity(id, back));
	plm_identity_free(back);
	plm_identity_free(id);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_sizes),
    CHECK_CASE(test_lock_matches_spec),
    CHECK_CASE(test_fresh_salt_and_nonce),
    CHECK_CASE(test_round_trip_in_memory),
    CHECK_CASE(test_round_trip_file),
    CHECK_CASE(test_binary_passphrase),
    CHECK_CASE(test_wrong_passphrase),
    CHECK_CASE(test_empty_passphrase_refused),
    CHECK_CASE(test_bad_arguments),
    CHECK_CASE(test_lock_limits_bounds),
    CHECK_CASE(test_magic_version_kdf),
    CHECK_CASE(test_truncated_and_extended),
    CHECK_CASE(test_truncated_and_extended_files),
    CHECK_CASE(test_every_byte_flipped),
    CHECK_CASE(test_every_byte_flipped_checksum_fixed),
    CHECK_CASE(test_limits_out_of_bounds),
    CHECK_CASE(test_public_keys_not_of_seed),
    CHECK_CASE(test_file_mode_0600),
    CHECK_CASE(test_existing_file_untouched),
    CHECK_CASE(test_symlink_refused),
    CHECK_CASE(test_not_a_regular_file),
    CHECK_CASE(test_missing_file),
    CHECK_CASE(test_change_passphrase),
    CHECK_CASE(test_change_passphrase_damaged),
    CHECK_CASE(test_write_failure_cleans_up),
    CHECK_CASE(test_read_public_without_passphrase),
    CHECK_CASE(test_null_error_report),
    CHECK_CASE(test_moderate_limits),
};

CHECK_MAIN("keystore", cases)
