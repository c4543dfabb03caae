/* treehead.c - signed tree heads of the transparency log (see treehead.h, PROTOCOL.md
 * §6.4). */
#include "keys/treehead.h"

#include <string.h>

#include "keys/codec.h"
#include "keys/merkle.h"

#define TREE_HEAD_SIGN_TYPE "tree_head"

/* Offsets of the fields in the 145-byte encoding. */
#define OFF_VERSION 0
#define OFF_TREE_SIZE 1
#define OFF_TIMESTAMP 9
#define OFF_ROOT_HASH 17
#define OFF_LOG_FPR 49
#define OFF_SIGNATURE 81

/* Writes the signed part: the first PLM_TREE_HEAD_SIGNED_BYTES bytes. */
static void encode_signed_part(unsigned char out[PLM_TREE_HEAD_SIGNED_BYTES],
                               const plm_tree_head *head)
{
	out[OFF_VERSION] = PLM_TREE_HEAD_VERSION;
	plm_store_u64(out + OFF_TREE_SIZE, head->tree_size);
	plm_store_u64(out + OFF_TIMESTAMP, head->timestamp);
	memcpy(out + OFF_ROOT_HASH, head->root_hash, PLM_HASH_BYTES);
	memcpy(out + OFF_LOG_FPR, head->log_fpr, PLM_FPR_BYTES);
}

/* PROTOCOL.md §6.4 */
void plm_tree_head_encode(unsigned char out[PLM_TREE_HEAD_BYTES],
                          const plm_tree_head *head)
{
	encode_signed_part(out, head);
	memcpy(out + OFF_SIGNATURE, head->signature, PLM_SIG_BYTES);
}

/*
 * Sets HEAD->log_fpr to LOG's fingerprint and signs the first 81 bytes of
 * the encoding with LOG's Ed25519 key under the "tree_head" domain. The
 * caller fills tree_size, timestamp and root_hash first. PLM_ERR_INVALID for
 * a size over 2^63 (no decoder would accept it); on failure the signature
 * is zeroed.
 */
int plm_tree_head_sign(plm_tree_head *head, const plm_identity *log, plm_error *err)
{
	unsigned char msg[PLM_TREE_HEAD_SIGNED_BYTES];
	int r;

	if (head == NULL || log == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "signing a tree head needs the head and the log "
		                     "identity");
	memset(head->signature, 0, sizeof(head->signature));
	if (head->tree_size > PLM_MERKLE_MAX_SIZE)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a tree head's size is at most 2^63, not %llu",
		                     (unsigned long long)head->tree_size);
	if ((r = plm_init(err)) != 0)
		goto out;
	plm_fingerprint(head->log_fpr, &log->pub);
	encode_signed_part(msg, head);
	r = plm_sign(head->signature, TREE_HEAD_SIGN_TYPE, msg, sizeof(msg),
	             log->sign_sk, err);
out:
	if (r != 0)
		memset(head->signature, 0, sizeof(head->signature));
	return r;
}

/*
 * Checks HEAD's signature over its first 81 encoded bytes with
 * LOG_SIGN_PK. PLM_ERR_SIGNATURE if it does not verify. Whether
 * LOG_SIGN_PK is the certified key of head->log_fpr is the caller's check.
 */
int plm_tree_head_verify(const plm_tree_head *head,
                         const unsigned char log_sign_pk[PLM_SIGN_PK_BYTES],
                         plm_error *err)
{
	unsigned char msg[PLM_TREE_HEAD_SIGNED_BYTES];
	int r;

	if (head == NULL || log_sign_pk == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "verifying a tree head needs the head and the "
		                     "log's public key");
	if ((r = plm_init(err)) != 0)
		return r;
	encode_signed_part(msg, head);
	return plm_verify(head->signature, TREE_HEAD_SIGN_TYPE, msg, sizeof(msg),
	                  log_sign_pk, err);
}

/*
 * Strict decode (PROTOCOL.md §6.4), checks in this order: at least one
 * byte (PLM_ERR_TRUNCATED), version 1 (PLM_ERR_VERSION), exactly 145 bytes
 * (PLM_ERR_TRUNCATED if fewer, PLM_ERR_TRAILING if more), tree_size at most
 * 2^63 (PLM_ERR_LIMIT). The signature is not checked. *HEAD is zeroed on
 * failure.
 */
int plm_tree_head_decode(plm_tree_head *head, const unsigned char *in, size_t len,
                         plm_error *err)
{
	plm_rbuf r;
	uint8_t version = 0;
	int status;

	if (head == NULL || (in == NULL && len > 0))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "decoding a tree head needs the head and input");
	memset(head, 0, sizeof(*head));
	plm_rbuf_init(&r, in, len, "tree head", err);
	if (plm_rbuf_u8(&r, "version", &version) != 0)
		goto out;
	if (version != PLM_TREE_HEAD_VERSION) {
		plm_rbuf_fail(&r, PLM_ERR_VERSION, "version",
		              "version %u is not supported (only %d)", version,
		              PLM_TREE_HEAD_VERSION);
		goto out;
	}
	if (len < PLM_TREE_HEAD_BYTES) {
		plm_rbuf_fail(&r, PLM_ERR_TRUNCATED, "(length)",
		              "a tree head is %d bytes, this one only %zu",
		              PLM_TREE_HEAD_BYTES, len);
		goto out;
	}
	if (len > PLM_TREE_HEAD_BYTES) {
		plm_rbuf_fail(&r, PLM_ERR_TRAILING, "(length)",
		              "a tree head is %d bytes, this one has %zu",
		              PLM_TREE_HEAD_BYTES, len);
		goto out;
	}
	if (plm_rbuf_u64(&r, "tree_size", &head->tree_size) != 0)
		goto out;
	if (head->tree_size > PLM_MERKLE_MAX_SIZE) {
		plm_rbuf_fail(&r, PLM_ERR_LIMIT, "tree_size",
		              "%llu is more than the 2^63 leaves a log may hold",
		              (unsigned long long)head->tree_size);
		goto out;
	}
	plm_rbuf_u64(&r, "timestamp", &head->timestamp);
	plm_rbuf_fixed(&r, "root_hash", head->root_hash, PLM_HASH_BYTES);
	plm_rbuf_fixed(&r, "log_fpr", head->log_fpr, PLM_FPR_BYTES);
	plm_rbuf_fixed(&r, "signature", head->signature, PLM_SIG_BYTES);
	plm_rbuf_end(&r);
out:
	status = r.status;
	if (status != 0)
		memset(head, 0, sizeof(*head));
	return status;
}
