/*
 * logcheck.h - what a client checks of the transparency log (PROTOCOL.md
 * §6.7): signed tree heads fetched from the server, consistency proofs
 * between two heads (a fork or a rollback fails them) and inclusion proofs
 * of the log entries a client accepts. The proofs themselves are
 * keys/merkle.c's; this module fetches them (docs/API.md §4.5) and says
 * in its error sentences which heads disagree. It prints nothing.
 */
#ifndef PALERMO_LOGCHECK_H
#define PALERMO_LOGCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "client/state.h"
#include "client/transport.h"
#include "keys/merkle.h"
#include "keys/treehead.h"

/* Room for logcheck_describe: "size N, root 0123456789ab". */
#define LOGCHECK_DESCRIBE_MAX 64

/* "size 17, root c9a62dd0d94a" (the root hash's first 12 hex digits). */
void logcheck_describe(char out[LOGCHECK_DESCRIBE_MAX], const plm_tree_head *head);

/*
 * The last head this client accepted (setting "tree_head") into *HEAD: 1 if
 * there is one, 0 if none is stored. PLM_ERR_CORRUPT (negative) if the
 * stored bytes do not decode.
 */
int logcheck_stored_head(struct state *st, plm_tree_head *head, plm_error *err);
/* Stores HEAD as the last head accepted (setting "tree_head"). */
int logcheck_store_head(struct state *st, const plm_tree_head *head, plm_error *err);

/*
 * GET /v1/log/head into *HEAD: decoded strictly, and the JSON's tree_size
 * and root_hash must be the signed encoding's. The signature is NOT checked
 * here (the caller knows the certified log key). PLM_ERR_FORMAT for a
 * malformed answer; transport errors pass on.
 */
int logcheck_fetch_head(struct transport *net, plm_tree_head *head, plm_error *err);

/*
 * Checks that OLD (a head accepted earlier, or an author's) is a prefix of
 * NEW: a NEW smaller than OLD is a rollback, otherwise the consistency
 * proof (GET /v1/log/consistency) must verify against both roots. Fails
 * with PLM_ERR_PROOF and a sentence naming both heads, WHOSE naming OLD
 * ("the head this client accepted before", "the author's head").
 */
int logcheck_consistent(struct transport *net, const char *whose,
                        const plm_tree_head *old, const plm_tree_head *next,
                        plm_error *err);

/*
 * Checks a proof already in hand (GET /v1/log/inclusion's, or an entry of
 * a batch, PROTOCOL.md §6.8): the server says the entry of KIND for ID is
 * leaf INDEX of a tree of SIZE; it must be leaf SEQ of HEAD, and PROOF must
 * lead from it to HEAD's root. PLM_ERR_PROOF naming the entry otherwise.
 */
int logcheck_inclusion_check(int kind, const unsigned char id[32], int64_t seq,
                             int64_t index, uint64_t size, const plm_tree_head *head,
                             const plm_merkle_proof *proof, plm_error *err);
/*
 * Checks that the log entry of KIND (PLM_LOG_RECORD, PLM_LOG_ENVELOPE) for
 * ID is leaf SEQ of HEAD's tree: GET /v1/log/inclusion?id=&size= and
 * plm_merkle_inclusion_verify on plm_merkle_entry_leaf. PLM_ERR_PROOF,
 * naming the entry and the head, if not. One request per entry.
 */
int logcheck_included(struct transport *net, int kind, const unsigned char id[32],
                      int64_t seq, const plm_tree_head *head, plm_error *err);

/*
 * As logcheck_included, and hands the verified proof out in *PROOF. *SEQ
 * below 0 takes the index the server names (for an entry whose log index
 * this client did not keep, such as the root certificate from init).
 */
int logcheck_inclusion(struct transport *net, int kind, const unsigned char id[32],
                       int64_t *seq, const plm_tree_head *head, plm_merkle_proof *proof,
                       plm_error *err);

#endif
