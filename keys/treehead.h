/*
 * treehead.h - signed tree heads of the transparency log (PROTOCOL.md §6.4).
 *
 * The daemon signs, with its certified log key, the size and root hash of
 * its RFC 9162 Merkle log. Clients keep the last head they accepted, and
 * every envelope carries its author's last head, so that two members shown
 * different histories can prove it with the server's own signatures.
 *
 * Encoding (PLM_TREE_HEAD_BYTES = 145 bytes, fixed):
 *   u8  version (1)
 *   u64 tree_size
 *   u64 timestamp (milliseconds since the Unix epoch)
 *   [32] root_hash (RFC 9162 MTH of the first tree_size leaves)
 *   [32] log_fpr (fingerprint of the log identity that signs)
 *   [64] signature: Ed25519 over "palermo/v1/tree_head" NUL || first 81 bytes
 */
#ifndef PLM_TREEHEAD_H
#define PLM_TREEHEAD_H

#include <stdint.h>

#include "keys/crypto.h"

#define PLM_TREE_HEAD_VERSION 1
#define PLM_TREE_HEAD_SIGNED_BYTES 81
#define PLM_TREE_HEAD_BYTES (PLM_TREE_HEAD_SIGNED_BYTES + PLM_SIG_BYTES) /* 145 */

typedef struct plm_tree_head {
	uint64_t tree_size;
	uint64_t timestamp;
	unsigned char root_hash[PLM_HASH_BYTES];
	unsigned char log_fpr[PLM_FPR_BYTES];
	unsigned char signature[PLM_SIG_BYTES];
} plm_tree_head;

/* Fills HEAD->log_fpr from LOG and HEAD->signature; other fields as given. */
int plm_tree_head_sign(plm_tree_head *head, const plm_identity *log,
                       plm_error *err);
/*
 * Checks HEAD's signature with the log's public signing key. The caller
 * checks separately that LOG_SIGN_PK belongs to head->log_fpr's certificate.
 */
int plm_tree_head_verify(const plm_tree_head *head,
                         const unsigned char log_sign_pk[PLM_SIGN_PK_BYTES],
                         plm_error *err);
/* Writes the 145-byte encoding. */
void plm_tree_head_encode(unsigned char out[PLM_TREE_HEAD_BYTES],
                          const plm_tree_head *head);
/* Strict decode of exactly LEN == 145 bytes (signature not checked). */
int plm_tree_head_decode(plm_tree_head *head, const unsigned char *in,
                         size_t len, plm_error *err);

#endif
