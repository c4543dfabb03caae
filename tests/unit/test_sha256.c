/*
 * test_sha256.c - SHA-256 on the SHA extensions and on libsodium
 * (keys/sha256.h).
 *
 * Both paths give the FIPS 180-4 / NIST example digests (empty, "abc", the
 * 448- and 896-bit messages, one million 'a'), and the same bytes as
 * crypto_hash_sha256 for every length 0..1000 and for random splits of one
 * message into updates. The SHA extensions path is tested wherever the CPU
 * has them; elsewhere plm_sha256_init_path must refuse it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/error.h"
#include "keys/sha256.h"
#include "tests/unit/check.h"

#define MAX_LEN 1000

/* The paths to test on this CPU: the portable one, and the SHA-NI one if any. */
static int paths[2];
static int npaths;

static void find_paths(void)
{
	if (sodium_init() < 0)
		abort();
	npaths = 0;
	paths[npaths++] = PLM_SHA256_PORTABLE;
	if (plm_sha256_best_path() == PLM_SHA256_EXTENSIONS)
		paths[npaths++] = PLM_SHA256_EXTENSIONS;
}

static int hex_eq(const unsigned char digest[PLM_SHA256_BYTES], const char *hex)
{
	char got[2 * PLM_SHA256_BYTES + 1];

	sodium_bin2hex(got, sizeof(got), digest, PLM_SHA256_BYTES);
	return strcmp(got, hex) == 0;
}

/* SHA-256 of DATA on PATH, fed in one update. */
static int digest_on(int path, const void *data, size_t len,
                     unsigned char out[PLM_SHA256_BYTES])
{
	plm_sha256_state st;

	if (plm_sha256_init_path(&st, (enum plm_sha256_path)path) != 0)
		return -1;
	plm_sha256_update(&st, data, len);
	plm_sha256_final(&st, out);
	return 0;
}

static void test_fips_vectors(void)
{
	static const struct {
		const char *msg, *hex;
	} vec[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	     "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	unsigned char out[PLM_SHA256_BYTES];
	size_t i;
	int p;

	find_paths();
	for (p = 0; p < npaths; p++)
		for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
			CHECK_INT(
			    digest_on(paths[p], vec[i].msg, strlen(vec[i].msg), out),
			    0);
			if (!hex_eq(out, vec[i].hex)) {
				check_fail(__FILE__, __LINE__,
				           "path %d, vector %zu: wrong digest",
				           paths[p], i);
				return;
			}
		}
	/* The one-shot function on this CPU's best path. */
	plm_sha256(out, NULL, 0);
	CHECK(hex_eq(out, vec[0].hex));
	plm_sha256(out, "abc", 3);
	CHECK(hex_eq(out, vec[1].hex));
}

/* One million 'a', fed in uneven pieces of 1 to 1000 bytes. */
static void test_million_a(void)
{
	static unsigned char a[MAX_LEN];
	unsigned char out[PLM_SHA256_BYTES];
	plm_sha256_state st;
	size_t done, piece;
	int p;

	memset(a, 'a', sizeof(a));
	find_paths();
	for (p = 0; p < npaths; p++) {
		CHECK_INT(plm_sha256_init_path(&st, (enum plm_sha256_path)paths[p]), 0);
		for (done = 0, piece = 1; done < 1000000;
		     done += piece, piece = (piece * 7 + 3) % MAX_LEN + 1) {
			if (piece > 1000000 - done)
				piece = 1000000 - done;
			plm_sha256_update(&st, a, piece);
		}
		plm_sha256_final(&st, out);
		CHECK(hex_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d"
		                  "39ccc7112cd0"));
	}
}

/* Every length 0..MAX_LEN, one update, against libsodium. */
static void test_every_length(void)
{
	static unsigned char msg[MAX_LEN];
	unsigned char want[PLM_SHA256_BYTES], got[PLM_SHA256_BYTES];
	size_t len;
	int p;

	randombytes_buf(msg, sizeof(msg));
	find_paths();
	for (p = 0; p < npaths; p++)
		for (len = 0; len <= MAX_LEN; len++) {
			crypto_hash_sha256(want, msg, len);
			CHECK_INT(digest_on(paths[p], len ? msg : NULL, len, got), 0);
			if (memcmp(want, got, sizeof(want)) != 0) {
				check_fail(__FILE__, __LINE__,
				           "path %d differs at length %zu", paths[p],
				           len);
				return;
			}
		}
}

/* Random lengths cut at up to eight random points, empty pieces included. */
static void test_random_splits(void)
{
	static unsigned char msg[4 * MAX_LEN];
	unsigned char want[PLM_SHA256_BYTES], got[PLM_SHA256_BYTES];
	plm_sha256_state st;
	size_t len, at, piece;
	int p, round, cuts;

	randombytes_buf(msg, sizeof(msg));
	find_paths();
	for (p = 0; p < npaths; p++)
		for (round = 0; round < 2000; round++) {
			len = randombytes_uniform(sizeof(msg) + 1);
			crypto_hash_sha256(want, msg, len);
			CHECK_INT(
			    plm_sha256_init_path(&st, (enum plm_sha256_path)paths[p]),
			    0);
			for (at = 0, cuts = 0; at < len; at += piece, cuts++) {
				piece =
				    cuts < 8
				        ? randombytes_uniform((uint32_t)(len - at + 1))
				        : len - at;
				plm_sha256_update(&st, msg + at, piece);
			}
			plm_sha256_final(&st, got);
			if (memcmp(want, got, sizeof(want)) != 0) {
				check_fail(__FILE__, __LINE__,
				           "path %d differs, round %d, length %zu",
				           paths[p], round, len);
				return;
			}
		}
}

/* Unknown paths are refused; the best path is one of the two, stable. */
static void test_paths(void)
{
	plm_sha256_state st;
	enum plm_sha256_path best = plm_sha256_best_path();

	CHECK(best == PLM_SHA256_PORTABLE || best == PLM_SHA256_EXTENSIONS);
	CHECK(plm_sha256_best_path() == best);
	CHECK_INT(plm_sha256_init_path(&st, (enum plm_sha256_path)0), PLM_ERR_INVALID);
	CHECK_INT(plm_sha256_init_path(&st, (enum plm_sha256_path)3), PLM_ERR_INVALID);
	CHECK_INT(plm_sha256_init_path(&st, PLM_SHA256_PORTABLE), 0);
	CHECK_INT(plm_sha256_init_path(&st, PLM_SHA256_EXTENSIONS),
	          best == PLM_SHA256_EXTENSIONS ? 0 : PLM_ERR_INVALID);
	printf("# test_sha256: best path here is %s\n", best == PLM_SHA256_EXTENSIONS
	                                                    ? "the SHA extensions"
	                                                    : "libsodium's portable C");
}

static const struct check_case cases[] = {
    CHECK_CASE(test_fips_vectors), CHECK_CASE(test_million_a),
    CHECK_CASE(test_every_length), CHECK_CASE(test_random_splits),
    CHECK_CASE(test_paths),
};

CHECK_MAIN("test_sha256", cases)
