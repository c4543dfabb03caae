/*
 * test_treehead.c - signed tree heads (keys/treehead.h, PROTOCOL.md §6.4):
 * the 145-byte layout, strict decoding, signing with the log identity and
 * verification, including every field's tampering.
 */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/merkle.h"
#include "keys/treehead.h"
#include "tests/unit/check.h"
#include "tests/unit/fixtures.h"

/* A head of 1000 leaves signed by LOG into HEAD; 0 on success. */
static int signed_head(plm_tree_head *head, const plm_identity *log)
{
	memset(head, 0, sizeof(*head));
	head->tree_size = 1000;
	head->timestamp = UINT64_C(1700000000123);
	plm_merkle_leaf_hash(head->root_hash, "some root", 9);
	return plm_tree_head_sign(head, log, NULL);
}

static void test_layout(void)
{
	plm_identity *log = fixture_identity(7);
	plm_tree_head head, back;
	unsigned char enc[PLM_TREE_HEAD_BYTES], fpr[PLM_FPR_BYTES];
	plm_error err;

	CHECK(log != NULL);
	CHECK_INT(PLM_TREE_HEAD_BYTES, 145);
	CHECK_INT(signed_head(&head, log), 0);
	plm_fingerprint(fpr, &log->pub);
	CHECK_MEM(head.log_fpr, fpr, PLM_FPR_BYTES);
	plm_tree_head_encode(enc, &head);
	CHECK_INT(enc[0], 1);
	CHECK(plm_load_u64(enc + 1) == 1000);
	CHECK(plm_load_u64(enc + 9) == UINT64_C(1700000000123));
	CHECK_MEM(enc + 17, head.root_hash, 32);
	CHECK_MEM(enc + 49, fpr, 32);
	CHECK_MEM(enc + 81, head.signature, 64);
	CHECK_INT(plm_tree_head_decode(&back, enc, sizeof(enc), &err), 0);
	CHECK(back.tree_size == head.tree_size);
	CHECK(back.timestamp == head.timestamp);
	CHECK_MEM(back.root_hash, head.root_hash, 32);
	CHECK_MEM(back.log_fpr, head.log_fpr, 32);
	CHECK_MEM(back.signature, head.signature, 64);
	CHECK_INT(plm_tree_head_verify(&back, log->pub.sign_pk, &err), 0);
	plm_identity_free(log);
}

/* The signature is plm_sign's over "tree_head" and exactly the first 81 bytes. */
static void test_signed_message(void)
{
	plm_identity *log = fixture_identity(7);
	plm_tree_head head;
	unsigned char enc[PLM_TREE_HEAD_BYTES];
	plm_error err;

	CHECK(log != NULL);
	CHECK_INT(signed_head(&head, log), 0);
	plm_tree_head_encode(enc, &head);
	CHECK_INT(plm_verify(head.signature, "tree_head", enc,
	                     PLM_TREE_HEAD_SIGNED_BYTES, log->pub.sign_pk, &err),
	          0);
	/* Domain separation: not valid as any other type, nor without the domain. */
	CHECK_INT(plm_verify(head.signature, "roster", enc, PLM_TREE_HEAD_SIGNED_BYTES,
	                     log->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	CHECK(crypto_sign_verify_detached(head.signature, enc,
	                                  PLM_TREE_HEAD_SIGNED_BYTES,
	                                  log->pub.sign_pk) != 0);
	/* Ed25519 is deterministic: signing again gives the same bytes. */
	{
		plm_tree_head again = head;

		CHECK_INT(plm_tree_head_sign(&again, log, &err), 0);
		CHECK_MEM(again.signature, head.signature, PLM_SIG_BYTES);
	}
	plm_identity_free(log);
}

static void test_verify_rejects_tampering(void)
{
	plm_identity *log = fixture_identity(7), *other = fixture_identity(99);
	plm_tree_head head, bad;
	unsigned char enc[PLM_TREE_HEAD_BYTES];
	plm_error err;
	size_t i;

	CHECK(log != NULL && other != NULL);
	CHECK_INT(signed_head(&head, log), 0);
	CHECK_INT(plm_tree_head_verify(&head, log->pub.sign_pk, &err), 0);
	/* Another key. */
	CHECK_INT(plm_tree_head_verify(&head, other->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	/* Each field changed. */
	bad = head;
	bad.tree_size++;
	CHECK_INT(plm_tree_head_verify(&bad, log->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	bad = head;
	bad.timestamp ^= 1;
	CHECK_INT(plm_tree_head_verify(&bad, log->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	bad = head;
	bad.root_hash[31] ^= 0x40;
	CHECK_INT(plm_tree_head_verify(&bad, log->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	bad = head;
	bad.log_fpr[0] ^= 1;
	CHECK_INT(plm_tree_head_verify(&bad, log->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	bad = head;
	bad.signature[10] ^= 2;
	CHECK_INT(plm_tree_head_verify(&bad, log->pub.sign_pk, &err),
	          PLM_ERR_SIGNATURE);
	/* Every byte of the encoding, changed on the wire, breaks the signature
	 * (or, for the version and an oversized tree_size, the decoding). */
	plm_tree_head_encode(enc, &head);
	for (i = 0; i < sizeof(enc); i++) {
		unsigned char wire[PLM_TREE_HEAD_BYTES];
		int r;

		memcpy(wire, enc, sizeof(wire));
		wire[i] ^= 0x80;
		r = plm_tree_head_decode(&bad, wire, sizeof(wire), &err);
		if (i == 0) {
			CHECK_INT(r, PLM_ERR_VERSION);
		} else if (i == 1) {
			CHECK_INT(r, PLM_ERR_LIMIT);
		} else {
			CHECK_INT(r, 0);
			CHECK_INT(plm_tree_head_verify(&bad, log->pub.sign_pk, &err),
			          PLM_ERR_SIGNATURE);
		}
	}
	plm_identity_free(log);
	plm_identity_free(other);
}

static void test_decode_strict(void)
{
	plm_identity *log = fixture_identity(3);
	plm_tree_head head, back;
	unsigned char enc[PLM_TREE_HEAD_BYTES + 1];
	plm_error err;

	CHECK(log != NULL);
	CHECK_INT(signed_head(&head, log), 0);
	plm_tree_head_encode(enc, &head);
	enc[PLM_TREE_HEAD_BYTES] = 0;
	/* Length. */
	CHECK_INT(plm_tree_head_decode(&back, enc, 0, &err), PLM_ERR_TRUNCATED);
	CHECK_INT(plm_tree_head_decode(&back, enc, 1, &err), PLM_ERR_TRUNCATED);
	CHECK_INT(plm_tree_head_decode(&back, enc, 81, &err), PLM_ERR_TRUNCATED);
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES - 1, &err),
	          PLM_ERR_TRUNCATED);
	CHECK(back.tree_size == 0); /* zeroed on failure */
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES + 1, &err),
	          PLM_ERR_TRAILING);
	CHECK(back.tree_size == 0);
	/* Version: only 1; checked before the length. */
	enc[0] = 0;
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES, &err),
	          PLM_ERR_VERSION);
	enc[0] = 2;
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES, &err),
	          PLM_ERR_VERSION);
	CHECK(strstr(err.message, "version") != NULL);
	CHECK_INT(plm_tree_head_decode(&back, enc, 10, &err), PLM_ERR_VERSION);
	enc[0] = 1;
	/* tree_size at most 2^63. */
	plm_store_u64(enc + 1, PLM_MERKLE_MAX_SIZE);
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES, &err), 0);
	CHECK(back.tree_size == PLM_MERKLE_MAX_SIZE);
	plm_store_u64(enc + 1, PLM_MERKLE_MAX_SIZE + 1);
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES, &err),
	          PLM_ERR_LIMIT);
	CHECK(strstr(err.message, "tree_size") != NULL);
	plm_store_u64(enc + 1, UINT64_MAX);
	CHECK_INT(plm_tree_head_decode(&back, enc, PLM_TREE_HEAD_BYTES, &err),
	          PLM_ERR_LIMIT);
	/* Bad arguments. */
	CHECK_INT(plm_tree_head_decode(NULL, enc, PLM_TREE_HEAD_BYTES, &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_tree_head_decode(&back, NULL, PLM_TREE_HEAD_BYTES, &err),
	          PLM_ERR_INVALID);
	plm_identity_free(log);
}

static void test_sign_errors(void)
{
	plm_identity *log = fixture_identity(5);
	plm_tree_head head;
	unsigned char pk[PLM_SIGN_PK_BYTES] = {0};
	plm_error err;

	CHECK(log != NULL);
	memset(&head, 0, sizeof(head));
	/* The empty log is a valid head. */
	plm_merkle_empty_root(head.root_hash);
	CHECK_INT(plm_tree_head_sign(&head, log, &err), 0);
	CHECK_INT(plm_tree_head_verify(&head, log->pub.sign_pk, &err), 0);
	/* A size no decoder accepts is not signed. */
	head.tree_size = PLM_MERKLE_MAX_SIZE + 1;
	CHECK_INT(plm_tree_head_sign(&head, log, &err), PLM_ERR_INVALID);
	CHECK(sodium_is_zero(head.signature, sizeof(head.signature)));
	head.tree_size = PLM_MERKLE_MAX_SIZE;
	CHECK_INT(plm_tree_head_sign(&head, log, &err), 0);
	CHECK_INT(plm_tree_head_verify(&head, log->pub.sign_pk, &err), 0);
	CHECK_INT(plm_tree_head_sign(NULL, log, &err), PLM_ERR_INVALID);
	CHECK_INT(plm_tree_head_sign(&head, NULL, &err), PLM_ERR_INVALID);
	CHECK_INT(plm_tree_head_verify(NULL, pk, &err), PLM_ERR_INVALID);
	CHECK_INT(plm_tree_head_verify(&head, NULL, &err), PLM_ERR_INVALID);
	/* An all-zero key is not the log's. */
	CHECK_INT(plm_tree_head_verify(&head, pk, &err), PLM_ERR_SIGNATURE);
	plm_identity_free(log);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_layout),
    CHECK_CASE(test_signed_message),
    CHECK_CASE(test_verify_rejects_tampering),
    CHECK_CASE(test_decode_strict),
    CHECK_CASE(test_sign_errors),
};

CHECK_MAIN("test_treehead", cases)
