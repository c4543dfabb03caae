/*
 * test_parties.c - the parties group (keys/parties.c, policies/parties.c;
 * PROTOCOL.md §5.12): the parties roster's encoding and rules, the chain of
 * keys, and the state machine every client and the daemon run: a group
 * signed by another key than the root, a roster replayed or forking the
 * chain, keys sealed to someone outside the group or missing a member, a
 * role outside the group and a member without a valid certificate are all
 * refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "keys/crypto.h"
#include "keys/record.h"
#include "policies/parties.h"
#include "policies/policy.h"

#define N_PEOPLE 4 /* 0 the root, 1..3 members */

static plm_identity *ids[N_PEOPLE];
static unsigned char fprs[N_PEOPLE][PLM_FPR_BYTES];
static plm_policy *policy;

static int setup(void)
{
	char path[4096];
	const char *top = getenv("PLM_TOP");
	plm_error e;
	int i;

	if (policy != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/policies/untoc.yaml",
	         top != NULL && top[0] != '\0' ? top : ".");
	if (plm_policy_load(path, &policy, &e) != 0)
		return -1;
	for (i = 0; i < N_PEOPLE; i++) {
		if ((ids[i] = fixture_identity((unsigned char)(0x30 + 0x10 * i))) ==
		    NULL)
			return -1;
		plm_fingerprint(fprs[i], &ids[i]->pub);
	}
	return 0;
}

/*
 * A signed parties roster of EPOCH after PREV (NULL for epoch 1) with the
 * members WHO[0..N) (indexes into ids, role ROLE), signed by SIGNER; when
 * PREV_KEY is given, chained with KEY.
 */
static plm_record *roster(uint64_t epoch, const plm_record *prev, const int *who,
                          size_t n, const char *role, int signer,
                          const unsigned char *prev_key, const unsigned char *key)
{
	plm_record *r = NULL;
	plm_parties_roster *p;
	size_t i;

	if (plm_record_new(&r, PLM_RECORD_PARTIES_ROSTER, NULL) != 0)
		return NULL;
	p = &r->body.parties;
	p->epoch = epoch;
	if (prev != NULL)
		memcpy(p->prev_roster, prev->id, PLM_HASH_BYTES);
	plm_policy_digest(policy, p->policy_digest);
	p->created_at = 1780000000;
	if (plm_parties_members_alloc(p, n, NULL) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		memcpy(p->members[i].fingerprint, fprs[who[i]], PLM_FPR_BYTES);
		snprintf(p->members[i].user_id, sizeof(p->members[i].user_id),
		         "member-%d", who[i]);
		snprintf(p->members[i].state, sizeof(p->members[i].state), "ITA");
		snprintf(p->members[i].role, sizeof(p->members[i].role), "%s", role);
	}
	plm_parties_sort(p);
	if (prev_key != NULL && plm_parties_chain_wrap(p, prev_key, key, NULL) != 0)
		goto fail;
	if (plm_record_encode_sign(r, ids[signer], NULL, NULL, NULL) != 0)
		goto fail;
	return r;
fail:
	plm_record_free(r);
	return NULL;
}

/* Epoch keys of ROSTER with KEY sealed to WHO[0..N) (indexes into ids). */
static plm_record *keys(const plm_record *ro, const unsigned char *key, const int *who,
                        size_t n)
{
	plm_pubkeys pub[N_PEOPLE];
	plm_channel_grant g;
	plm_record *r = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		pub[i] = ids[who[i]]->pub;
	g.name = PLM_PARTIES_CHANNEL;
	g.key = key;
	g.recipients = pub;
	g.n_recipients = n;
	if (plm_epoch_keys_build(&r, PLM_PARTIES_REVIEW_ID, ro->body.parties.epoch,
	                         ro->id, &g, 1, NULL) != 0 ||
	    plm_record_encode_sign(r, ids[0], NULL, NULL, NULL) != 0) {
		plm_record_free(r);
		return NULL;
	}
	return r;
}

/* Every certificate is good except member 3's (revoked). */
static int certs(void *ctx, const unsigned char fpr[PLM_FPR_BYTES],
                 plm_certificate *out, plm_error *err)
{
	int i;

	(void)ctx;
	for (i = 1; i < N_PEOPLE; i++)
		if (memcmp(fpr, fprs[i], PLM_FPR_BYTES) == 0)
			break;
	if (i == 3 || i == N_PEOPLE)
		return plm_error_set(err, PLM_ERR_DENIED, "revoked");
	memset(out, 0, sizeof(*out));
	snprintf(out->user_id, sizeof(out->user_id), "member-%d", i);
	snprintf(out->state, sizeof(out->state), "ITA");
	out->usage = PLM_USAGE_MEMBER;
	return 0;
}

static void test_encoding(void)
{
	static const int who[] = {1, 2};
	unsigned char key[PLM_KEY_BYTES], *prev = NULL;
	plm_record *r1, *r2, *back = NULL;
	plm_error e;

	CHECK(setup() == 0);
	memset(key, 0x11, sizeof(key));
	r1 = roster(1, NULL, who, 2, "focal_point", 0, NULL, NULL);
	CHECK(r1 != NULL);
	CHECK_INT(plm_record_decode(r1->encoding, r1->encoding_len, &back, &e), 0);
	CHECK_INT(back->body.parties.n_members, 2);
	CHECK_STR(plm_record_review(back), PLM_PARTIES_REVIEW_ID);
	plm_record_free(back);
	/* Epoch 2 must carry its chain; epoch 1 must not. */
	CHECK(roster(2, r1, who, 2, "expert", 0, NULL, NULL) == NULL);
	r2 = roster(2, r1, who, 2, "expert", 0, key, key);
	CHECK(r2 != NULL);
	CHECK_INT(plm_parties_check_successor(r1, r2, &e), 0);
	CHECK_INT(plm_parties_check_successor(r2, r1, &e), PLM_ERR_MISMATCH);
	CHECK_INT(plm_parties_chain_unwrap(r2, key, &prev, &e), 0);
	CHECK_MEM(prev, key, PLM_KEY_BYTES);
	plm_secret_free(prev);
	key[0] ^= 1;
	CHECK_INT(plm_parties_chain_unwrap(r2, key, &prev, &e), PLM_ERR_KEY);
	CHECK_INT(plm_parties_chain_unwrap(r1, key, &prev, &e), PLM_ERR_NOTFOUND);
	plm_record_free(r1);
	plm_record_free(r2);
}

static void test_group(void)
{
	static const int two[] = {1, 2}, keyed[] = {0, 1, 2}, short_keys[] = {0, 1},
	                 outsider[] = {0, 1, 2, 3}, three[] = {1, 2, 3}, one[] = {1};
	unsigned char k1[PLM_KEY_BYTES], k2[PLM_KEY_BYTES], *got = NULL;
	plm_record *r1 = NULL, *e1 = NULL, *r2 = NULL, *e2 = NULL, *bad = NULL,
	           *fork = NULL, *other = NULL;
	plm_parties *g = NULL;
	plm_error e;

	CHECK(setup() == 0);
	memset(k1, 0x21, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	CHECK_INT(plm_parties_new(&g, &e), 0);
	r1 = roster(1, NULL, two, 2, "focal_point", 0, NULL, NULL);
	CHECK(r1 != NULL);
	/* Signed by another key than the root: forged. */
	bad = roster(1, NULL, two, 2, "focal_point", 1, NULL, NULL);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, certs, NULL, &e),
	          PLM_ERR_POLICY);
	plm_record_free(bad);
	/* A role outside the group, and a member without a valid certificate. */
	bad = roster(1, NULL, two, 2, "observer", 0, NULL, NULL);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, certs, NULL, &e),
	          PLM_ERR_POLICY);
	CHECK(strstr(e.message, "disclosure.parties_group") != NULL);
	plm_record_free(bad);
	bad = roster(1, NULL, three, 3, "expert", 0, NULL, NULL);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, certs, NULL, &e),
	          PLM_ERR_POLICY);
	CHECK(strstr(e.message, "no valid certificate") != NULL);
	/* Replayed without certificates (records accepted before): fine. */
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, NULL, NULL, &e), 0);
	plm_record_free(bad);
	bad = NULL;
	plm_parties_free(g);
	CHECK_INT(plm_parties_new(&g, &e), 0);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], r1, certs, NULL, &e), 0);
	CHECK_INT(plm_parties_epoch(g), 0); /* no keys yet */
	/* Keys missing a member, or sealed to someone outside the group. */
	bad = keys(r1, k1, short_keys, 2);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, certs, NULL, &e),
	          PLM_ERR_MISMATCH);
	plm_record_free(bad);
	bad = keys(r1, k1, outsider, 4);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, certs, NULL, &e),
	          PLM_ERR_MISMATCH);
	plm_record_free(bad);
	bad = keys(r1, k1, two, 2); /* without the root */
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], bad, certs, NULL, &e),
	          PLM_ERR_MISMATCH);
	plm_record_free(bad);
	bad = NULL;
	e1 = keys(r1, k1, keyed, 3);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], e1, certs, NULL, &e), 0);
	CHECK_INT(plm_parties_epoch(g), 1);
	CHECK(plm_parties_member(g, fprs[1]) != NULL);
	CHECK(plm_parties_member(g, fprs[0]) == NULL);
	/* Epoch 2 without member 2: they get no key of it. */
	r2 = roster(2, r1, one, 1, "focal_point", 0, k1, k2);
	other = roster(1, NULL, one, 1, "focal_point", 0, NULL, NULL);
	fork = roster(2, other, one, 1, "focal_point", 0, k1, k2);
	CHECK(r2 != NULL && other != NULL && fork != NULL);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], fork, certs, NULL, &e),
	          PLM_ERR_MISMATCH);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], r2, certs, NULL, &e), 0);
	e2 = keys(r2, k2, (const int[]){0, 1}, 2);
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], e2, certs, NULL, &e), 0);
	CHECK_INT(plm_parties_epoch(g), 2);
	CHECK_INT(plm_epoch_keys_open(e2, PLM_PARTIES_CHANNEL, ids[2], &got, &e),
	          PLM_ERR_NOTFOUND);
	CHECK_INT(plm_epoch_keys_open(e2, PLM_PARTIES_CHANNEL, ids[1], &got, &e), 0);
	CHECK_MEM(got, k2, PLM_KEY_BYTES);
	plm_secret_free(got);
	got = NULL;
	/* The chain leads member 1 back to epoch 1's committed key. */
	CHECK_INT(plm_parties_chain_unwrap(r2, k2, &got, &e), 0);
	CHECK_INT(plm_epoch_keys_check_key(e1, PLM_PARTIES_CHANNEL, got, &e), 0);
	CHECK_INT(plm_epoch_keys_check_key(e1, PLM_PARTIES_CHANNEL, k2, &e),
	          PLM_ERR_COMMITMENT);
	/* An older roster replayed: rolled back. */
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], r1, certs, NULL, &e),
	          PLM_ERR_MISMATCH);
	/* Records of a review do not belong here. */
	CHECK_INT(plm_parties_apply(g, policy, fprs[0], e1, certs, NULL, &e),
	          PLM_ERR_MISMATCH);
	plm_secret_free(got);
	plm_record_free(r1);
	plm_record_free(e1);
	plm_record_free(r2);
	plm_record_free(e2);
	plm_record_free(fork);
	plm_record_free(other);
	plm_parties_free(g);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_encoding),
    CHECK_CASE(test_group),
};

CHECK_MAIN("test_parties", cases)
