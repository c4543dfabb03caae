/*
 * parties.h - the state of the deployment-wide parties group (PROTOCOL.md
 * §5.12) as every party verifies it, and the rules for what may join it.
 *
 * The group is every certified focal point and expert the secretariat
 * names (the roles of the policy's disclosure.parties_group), with its own
 * epochs: a parties roster (type parties_roster) signed by the root, then
 * its epoch keys (an epoch_keys record of the reserved review id
 * `parties`, one channel `parties`, sealed to exactly the roster's
 * members and the root, which makes the keys and keeps the last one to
 * chain the next). The daemon and every client run this same code over the
 * group's records in log order.
 */
#ifndef PLM_PARTIES_H
#define PLM_PARTIES_H

#include "keys/record.h"
#include "policies/policy.h"

typedef struct plm_parties {
	plm_record *roster;     /* newest accepted parties roster (owned), or NULL */
	plm_record *epoch_keys; /* its epoch keys (owned), or NULL */
} plm_parties;

/*
 * Finds the certificate of FPR that the caller trusts now (signed by the
 * root, within its validity, not revoked): 0 and *OUT, or an error with a
 * sentence (PLM_ERR_NOTFOUND, PLM_ERR_DENIED).
 */
typedef int (*plm_parties_cert_fn)(void *ctx, const unsigned char fpr[PLM_FPR_BYTES],
                                   plm_certificate *out, plm_error *err);

/* An empty group (no roster yet). Free with plm_parties_free. */
int plm_parties_new(plm_parties **out, plm_error *err);
void plm_parties_free(plm_parties *group);

/*
 * Decides whether RECORD (decoded, signature verified against its signer's
 * keys) may join GROUP, and applies it:
 * - parties_roster: signed by the root ROOT_FPR; the first has epoch 1,
 *   every other follows the newest (plm_parties_check_successor); made
 *   under POLICY (digest); every member's role is one of the policy's
 *   parties group. With CERT (NULL when replaying records accepted
 *   before), every member must also hold a certificate trusted now, of
 *   usage member, with the user id and State the roster gives: a revoked
 *   person cannot be named in a new epoch.
 * - epoch_keys of review `parties`: signed by the root, for the newest
 *   roster (epoch, roster_id), once, with the one channel `parties`
 *   sealed to exactly the roster's members and the root.
 * Errors: PLM_ERR_POLICY (quoting the rule), PLM_ERR_MISMATCH (chain,
 * epoch, recipients), PLM_ERR_TYPE (any other record).
 */
int plm_parties_apply(plm_parties *group, const plm_policy *policy,
                      const unsigned char root_fpr[PLM_FPR_BYTES],
                      const plm_record *record, plm_parties_cert_fn cert,
                      void *cert_ctx, plm_error *err);

/* The newest epoch with its keys (0 if none yet). */
uint64_t plm_parties_epoch(const plm_parties *group);

/* The member FPR of the newest roster, or NULL. */
const plm_roster_member *plm_parties_member(const plm_parties *group,
                                            const unsigned char fpr[PLM_FPR_BYTES]);

#endif
