/* parties.c - the parties group on this client (see parties.h). */
#define _GNU_SOURCE
#include "client/parties.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/local.h"
#include "client/logcheck.h"
#include "client/state.h"
#include "keys/codec.h"
#include "keys/merkle.h"

#define CURSOR_KEY "parties_after"

struct parties_sync {
	struct cli *cli;
	const struct sync_observer *obs;
	struct sync_result *res;
	const plm_policy *policy;
	unsigned char root[PLM_FPR_BYTES];
	plm_parties *group; /* verified so far */
};

/* Replays one stored record (verified when it was stored). */
static int replay(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct parties_sync *ps = ctx;
	plm_record *rec = NULL;
	int r;

	(void)seq;
	if ((r = plm_record_decode(bytes, len, &rec, NULL)) == 0)
		r = plm_parties_apply(ps->group, ps->policy, ps->root, rec, NULL, NULL,
		                      NULL);
	plm_record_free(rec);
	return r != 0 ? PLM_ERR_CORRUPT : 0;
}

/* The group's state from the stored records into PS->group. */
static int load(struct parties_sync *ps, plm_error *err)
{
	int r;

	if ((r = local_policy(ps->cli, &ps->policy, err)) != 0 ||
	    (r = local_root(ps->cli->state, ps->root, NULL, err)) != 0 ||
	    (r = plm_parties_new(&ps->group, err)) != 0)
		return r;
	r = state_records_each(ps->cli->state, PLM_PARTIES_REVIEW_ID, 0, replay, ps,
	                       NULL);
	if (r != 0)
		return plm_error_set(
		    err, PLM_ERR_CORRUPT,
		    "the stored records of the parties group no longer "
		    "verify; remove PALERMO_HOME/state.db's copy by "
		    "syncing a fresh home");
	return 0;
}

int parties_local(struct cli *cli, plm_parties **out, plm_error *err)
{
	struct parties_sync ps;
	int r;

	memset(&ps, 0, sizeof(ps));
	ps.cli = cli;
	*out = NULL;
	if ((r = load(&ps, err)) != 0) {
		plm_parties_free(ps.group);
		return r;
	}
	*out = ps.group;
	return 0;
}

int parties_sync_begin(struct cli *cli, const struct sync_observer *obs,
                       struct sync_result *res, struct parties_sync **out,
                       int64_t *after, plm_error *err)
{
	struct parties_sync *ps;
	char text[32];
	int r;

	*out = NULL;
	*after = -1;
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	ps->cli = cli;
	ps->obs = obs;
	ps->res = res;
	if ((r = load(ps, err)) != 0) {
		parties_sync_end(ps);
		return r;
	}
	if (state_get_str(cli->state, CURSOR_KEY, text, sizeof(text), NULL) == 0)
		*after = strtoll(text, NULL, 10);
	*out = ps;
	return 0;
}

void parties_sync_end(struct parties_sync *ps)
{
	if (ps == NULL)
		return;
	plm_parties_free(ps->group);
	free(ps);
}

/*
 * plm_parties_cert_fn for a reader: the member's certificate must be one
 * the root signed, for the user id and State the roster names. A
 * revocation or expiry known here may postdate the roster (the root keeps
 * its own revocations at once, and time passes), so it does not make an
 * old roster invalid: the daemon refused any roster that named revoked
 * keys when it came, and the secretariat's client builds none.
 */
static int cert_of(void *ctx, const unsigned char fpr[PLM_FPR_BYTES],
                   plm_certificate *out, plm_error *err)
{
	int r = local_certificate(ctx, fpr, out, err);

	return r == PLM_ERR_DENIED ? 0 : r;
}

static void refuse(struct parties_sync *ps, int64_t seq, const char *what,
                   const char *problem)
{
	ps->res->refused++;
	if (ps->obs != NULL && ps->obs->refused != NULL)
		ps->obs->refused(ps->obs->ctx, PLM_PARTIES_REVIEW_ID, seq, what,
		                 problem);
}

/*
 * After new epoch keys: the key sealed to me must match its commitment,
 * and must open the previous epoch's key (the chain) to the key committed
 * there, or I could not read what was disclosed before.
 */
static void check_my_key(struct parties_sync *ps, int64_t seq)
{
	const plm_parties_roster *p = &ps->group->roster->body.parties;
	unsigned char fpr[PLM_FPR_BYTES], *key = NULL, *prev = NULL;
	plm_error why;
	char what[64];
	int r;

	plm_fingerprint(fpr, &ps->cli->me->pub);
	if (plm_parties_member(ps->group, fpr) == NULL)
		return;
	snprintf(what, sizeof(what), "parties key of epoch %" PRIu64, p->epoch);
	r = plm_epoch_keys_open(ps->group->epoch_keys, PLM_PARTIES_CHANNEL, ps->cli->me,
	                        &key, &why);
	if (r == 0 && p->epoch > 1) {
		/* The chain: this key opens the previous one, as committed then. */
		r = plm_parties_chain_unwrap(ps->group->roster, key, &prev, &why);
		plm_secret_free(prev);
		prev = NULL;
		if (r == 0 && (r = parties_key(ps->cli, p->epoch - 1, &prev, &why)) ==
		                  PLM_ERR_NOTFOUND)
			r = 0; /* I was not in the previous epoch: checked when used */
	}
	if (r != 0)
		refuse(ps, seq, what, why.message);
	plm_secret_free(key);
	plm_secret_free(prev);
}

int parties_sync_item(struct parties_sync *ps, const json_t *elem, int64_t seq,
                      const plm_tree_head *head, plm_error *err)
{
	plm_record *rec = NULL, *prev = NULL;
	plm_certificate signer;
	char what[64] = "parties record", hex[2 * PLM_HASH_BYTES + 1], text[32];
	plm_error why;
	int r, verdict;

	plm_error_clear(&why);
	if ((verdict = sync_decode_listed_record(elem, &rec, &why)) == 0) {
		plm_hex(hex, rec->id, PLM_HASH_BYTES);
		snprintf(what, sizeof(what), "%s %.12s",
		         plm_record_type_name(rec->type), hex);
		if ((verdict = local_certificate(ps->cli->state, rec->signer, &signer,
		                                 &why)) == 0 &&
		    (verdict = plm_record_verify_signer(rec, &signer.keys, &why)) ==
		        0 &&
		    (verdict = logcheck_included(ps->cli->net, PLM_LOG_RECORD, rec->id,
		                                 seq, head, &why)) == 0) {
			if (rec->type == PLM_RECORD_PARTIES_ROSTER &&
			    ps->group->roster != NULL)
				verdict = plm_record_decode(
				    ps->group->roster->encoding,
				    ps->group->roster->encoding_len, &prev, &why);
			if (verdict == 0)
				verdict = plm_parties_apply(ps->group, ps->policy,
				                            ps->root, rec, cert_of,
				                            ps->cli->state, &why);
		}
		if (verdict != 0 && (verdict == PLM_ERR_NET || verdict == PLM_ERR_IO ||
		                     verdict == PLM_ERR_NOMEM)) {
			*err = why;
			r = verdict;
			goto out;
		}
	}
	if ((r = state_begin(ps->cli->state, err)) != 0)
		goto out;
	snprintf(text, sizeof(text), "%" PRId64, seq);
	if ((verdict == 0 &&
	     (r = state_record_add(ps->cli->state, PLM_PARTIES_REVIEW_ID, seq, rec,
	                           err)) != 0) ||
	    (r = state_set_str(ps->cli->state, CURSOR_KEY, text, err)) != 0 ||
	    (r = state_commit(ps->cli->state, err)) != 0) {
		state_rollback(ps->cli->state);
		goto out;
	}
	if (verdict != 0) {
		refuse(ps, seq, what, why.message);
	} else {
		ps->res->records++;
		if (rec->type == PLM_RECORD_PARTIES_ROSTER && ps->obs != NULL &&
		    ps->obs->parties != NULL)
			ps->obs->parties(ps->obs->ctx, seq, prev, rec, &signer);
		if (rec->type == PLM_RECORD_EPOCH_KEYS)
			check_my_key(ps, seq);
	}
out:
	plm_record_free(prev);
	plm_record_free(rec);
	return r;
}

/* ---- keys ----------------------------------------------------------------- */

/* The group's stored records by epoch (index epoch - 1). */
struct chain {
	plm_record **rosters, **keys;
	uint64_t n; /* epochs */
};

static int collect(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct chain *c = ctx;
	plm_record *rec = NULL, **slot;
	uint64_t epoch;

	(void)seq;
	if (plm_record_decode(bytes, len, &rec, NULL) != 0)
		return PLM_ERR_CORRUPT;
	epoch = rec->type == PLM_RECORD_PARTIES_ROSTER ? rec->body.parties.epoch
	                                               : rec->body.epoch_keys.epoch;
	if (epoch == 0 || epoch > c->n + 1) {
		plm_record_free(rec);
		return PLM_ERR_CORRUPT;
	}
	if (epoch == c->n + 1) {
		plm_record **r2 = realloc(c->rosters, (size_t)epoch * sizeof(*r2));
		plm_record **k2 =
		    r2 ? realloc(c->keys, (size_t)epoch * sizeof(*k2)) : NULL;
		if (r2 != NULL)
			c->rosters = r2;
		if (k2 == NULL) {
			plm_record_free(rec);
			return PLM_ERR_NOMEM;
		}
		c->keys = k2;
		c->rosters[c->n] = c->keys[c->n] = NULL;
		c->n = epoch;
	}
	slot = rec->type == PLM_RECORD_PARTIES_ROSTER ? &c->rosters[epoch - 1]
	                                              : &c->keys[epoch - 1];
	plm_record_free(*slot);
	*slot = rec;
	return 0;
}

static void chain_free(struct chain *c)
{
	uint64_t i;

	for (i = 0; i < c->n; i++) {
		plm_record_free(c->rosters[i]);
		plm_record_free(c->keys[i]);
	}
	free(c->rosters);
	free(c->keys);
}

int parties_key(struct cli *cli, uint64_t epoch, unsigned char **key, plm_error *err)
{
	struct chain c = {NULL, NULL, 0};
	unsigned char *k = NULL, *prev = NULL;
	uint64_t e;
	int r;

	*key = NULL;
	if (cli->me == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the parties key needs your identity");
	r = state_records_each(cli->state, PLM_PARTIES_REVIEW_ID, 0, collect, &c, NULL);
	if (r != 0) {
		r = plm_error_set(
		    err, r == PLM_ERR_NOMEM ? r : PLM_ERR_CORRUPT,
		    "the stored records of the parties group are damaged");
		goto out;
	}
	/* The first epoch from EPOCH on whose key was sealed to me. */
	for (e = epoch; e >= 1 && e <= c.n; e++) {
		if (c.keys[e - 1] == NULL)
			continue;
		r = plm_epoch_keys_open(c.keys[e - 1], PLM_PARTIES_CHANNEL, cli->me, &k,
		                        err);
		if (r == 0)
			break;
		if (r != PLM_ERR_NOTFOUND)
			goto out;
	}
	if (k == NULL) {
		r = plm_error_set(
		    err, PLM_ERR_NOTFOUND,
		    "you hold no key of the parties group from epoch %" PRIu64
		    " on: you were not in the group then, or have not synced",
		    epoch);
		goto out;
	}
	/* Down the chain, each key checked against its epoch's commitment. */
	for (; e > epoch; e--) {
		if (c.rosters[e - 1] == NULL || c.keys[e - 2] == NULL) {
			r = plm_error_set(
			    err, PLM_ERR_NOTFOUND,
			    "the parties group's records of epoch %" PRIu64
			    " are missing here; run `palermo sync`",
			    e - 1);
			goto out;
		}
		if ((r = plm_parties_chain_unwrap(c.rosters[e - 1], k, &prev, err)) !=
		        0 ||
		    (r = plm_epoch_keys_check_key(c.keys[e - 2], PLM_PARTIES_CHANNEL,
		                                  prev, err)) != 0)
			goto out;
		plm_secret_free(k);
		k = prev;
		prev = NULL;
	}
	*key = k;
	k = NULL;
	r = 0;
out:
	plm_secret_free(k);
	plm_secret_free(prev);
	chain_free(&c);
	return r;
}
