/*
 * admin_history.c - the secretariat gives a member the history of a review
 * (DESIGN.md §5-§6, PROTOCOL.md §5.11): the channel keys of the epochs
 * before they joined, re-sealed to their current keys in a history grant
 * signed by the root. `admin review add` and `remove` make grants by the
 * policy's rule (history.on_replacement) or as --history / --no-history
 * say; `admin review grant` makes one for a member already on the roster.
 *
 * The root reads each older key from its own copy (it is the secretariat
 * member of every review it creates), so no key travels but sealed.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin.h"
#include "client/history.h"
#include "client/local.h"
#include "client/sync.h"
#include "policies/review.h"

/* The keys a grant is being made of: owned secrets and their names. */
struct grant_keys {
	uint64_t *epochs;
	const char **channels; /* the policy's strings */
	unsigned char **keys;  /* plm_secret_alloc */
	size_t n, cap;
};

static void grant_keys_free(struct grant_keys *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		plm_secret_free(g->keys[i]);
	free(g->epochs);
	free(g->channels);
	free(g->keys);
	memset(g, 0, sizeof(*g));
}

/* Appends KEY (ownership passes to G, also on failure). */
static int grant_keys_add(struct grant_keys *g, uint64_t epoch, const char *channel,
                          unsigned char *key, plm_error *err)
{
	void *e, *c, *k;
	size_t cap;

	if (g->n == g->cap) {
		cap = g->cap ? 2 * g->cap : 16;
		e = realloc(g->epochs, cap * sizeof(*g->epochs));
		if (e != NULL)
			g->epochs = e;
		c = realloc(g->channels, cap * sizeof(*g->channels));
		if (c != NULL)
			g->channels = c;
		k = realloc(g->keys, cap * sizeof(*g->keys));
		if (k != NULL)
			g->keys = k;
		if (e == NULL || c == NULL || k == NULL) {
			plm_secret_free(key);
			return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		}
		g->cap = cap;
	}
	g->epochs[g->n] = epoch;
	g->channels[g->n] = channel;
	g->keys[g->n] = key;
	g->n++;
	return 0;
}

/* 1 if FPR is a recipient of CHANNEL in epoch keys EK. */
static int holds_key(const plm_epoch_keys *ek, const char *channel,
                     const unsigned char fpr[PLM_FPR_BYTES])
{
	size_t i, j;

	for (i = 0; i < ek->n_channels; i++) {
		if (strcmp(ek->channels[i].name, channel) != 0)
			continue;
		for (j = 0; j < ek->channels[i].n_recipients; j++)
			if (memcmp(ek->channels[i].recipients[j].fingerprint, fpr,
			           PLM_FPR_BYTES) == 0)
				return 1;
	}
	return 0;
}

/* Looking for a stored grant that gave FPR the key of CHANNEL of EPOCH. */
struct granted_search {
	const unsigned char *fpr;
	uint64_t epoch;
	const char *channel;
};

static int find_granted(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct granted_search *s = ctx;
	plm_record *grant = NULL;
	int found = 0;
	uint16_t i;

	(void)seq;
	if (plm_record_decode(bytes, len, &grant, NULL) != 0)
		return 0;
	if (memcmp(grant->body.history_grant.grantee, s->fpr, PLM_FPR_BYTES) == 0)
		for (i = 0; i < grant->body.history_grant.n_keys && !found; i++)
			found = grant->body.history_grant.keys[i].epoch == s->epoch &&
			        strcmp(grant->body.history_grant.keys[i].channel,
			               s->channel) == 0;
	plm_record_free(grant);
	return found;
}

/* 1 if a stored grant of REVIEW already gave FPR that key. */
static int granted_already(struct cli *cli, const char *review,
                           const unsigned char fpr[PLM_FPR_BYTES], uint64_t epoch,
                           const char *channel)
{
	struct granted_search s = {fpr, epoch, channel};

	return state_records_each(cli->state, review, PLM_RECORD_HISTORY_GRANT,
	                          find_granted, &s, NULL) == 1;
}

int admin_history_grant(struct cli *cli, const plm_policy *policy,
                        const plm_record *roster, const plm_pubkeys *grantee,
                        plm_record **out, plm_error *err)
{
	const plm_roster *ro = &roster->body.roster;
	unsigned char fpr[PLM_FPR_BYTES];
	const plm_roster_member *m;
	struct grant_keys g = {NULL, NULL, NULL, 0, 0};
	enum plm_policy_side side;
	plm_record *ek = NULL;
	unsigned char *key = NULL;
	size_t c, n_channels = plm_policy_count(policy, PLM_POLICY_CHANNELS);
	uint64_t epoch;
	int r = 0;

	*out = NULL;
	plm_fingerprint(fpr, grantee);
	if ((m = plm_roster_find_member(ro, fpr)) == NULL)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "a history grant is only for a member of the roster");
	if ((r = plm_review_side(ro, m, &side, err)) != 0)
		return r;
	for (epoch = 1; epoch < ro->epoch; epoch++) {
		if ((r = local_epoch_keys(cli->state, ro->review_id, epoch, &ek, err)) != 0)
			goto out;
		for (c = 0; c < n_channels; c++) {
			const char *name = plm_policy_nth(policy, PLM_POLICY_CHANNELS, c);
			/* Only what their role may read, and what they lack. */
			if (plm_policy_may_read(policy, m->role, side, name, NULL) != 0 ||
			    holds_key(&ek->body.epoch_keys, name, fpr) ||
			    granted_already(cli, ro->review_id, fpr, epoch, name))
				continue;
			r = plm_epoch_keys_open(ek, name, cli->me, &key, err);
			if (r == PLM_ERR_NOTFOUND)
				r = history_channel_key(cli, ro->review_id, name, ek, &key, err);
			if (r != 0)
				goto out;
			if ((r = grant_keys_add(&g, epoch, name, key, err)) != 0)
				goto out;
			key = NULL;
		}
		plm_record_free(ek);
		ek = NULL;
	}
	if (g.n == 0)
		goto out; /* nothing they lack: no grant */
	if ((r = plm_history_grant_build(out, roster, grantee, g.epochs,
	                                 (const char *const *)g.channels,
	                                 (const unsigned char *const *)g.keys, g.n,
	                                 (uint64_t)time(NULL), err)) != 0 ||
	    (r = plm_record_encode_sign(*out, cli->me, NULL, NULL, err)) != 0) {
		plm_record_free(*out);
		*out = NULL;
	}
out:
	plm_record_free(ek);
	grant_keys_free(&g);
	return r;
}

void admin_history_say(struct cli *cli, const plm_record *grant)
{
	const plm_history_grant *g = &grant->body.history_grant;
	char epochs[128], text[PLM_FPR_TEXT_BYTES];
	plm_certificate cert;

	history_epochs_text(g, epochs, sizeof(epochs));
	if (local_certificate(cli->state, g->grantee, &cert, NULL) == 0)
		cli_say(cli, "%s receives the history of review %s: %s.", cert.user_id,
		        g->review_id, epochs);
	else {
		plm_fingerprint_format(text, g->grantee);
		cli_say(cli, "%.19s... receives the history of review %s: %s.", text,
		        g->review_id, epochs);
	}
}

/*
 * `admin review grant REVIEW USER`: the history of REVIEW for USER, who is
 * on its newest roster with their current keys, under that roster.
 */
int admin_review_grant(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{NULL, 0, NULL, 0}};
	unsigned char root[PLM_FPR_BYTES], fpr[PLM_FPR_BYTES];
	plm_record *grant = NULL;
	plm_review *review = NULL;
	const plm_policy *policy;
	struct sync_result result;
	plm_certificate cert;
	plm_error err;
	int status = 0;

	optind = 0;
	if (getopt_long(argc, argv, "", options, NULL) != -1 || optind + 2 != argc)
		return cli_fail(cli, EXIT_USAGE, "usage: palermo admin review grant REVIEW USER");
	if (local_policy(cli, &policy, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((status = admin_begin(cli, 1)) != 0)
		return status;
	if (sync_run(cli, NULL, &result, &err) != 0)
		return cli_fail(cli, cli_exit_for(err.code),
		                "%s; the review must be up to date before its next step",
		                err.message);
	if (local_review(cli, argv[optind], INT64_MAX, &review, &err) != 0 ||
	    local_find_user(cli->state, argv[optind + 1], &cert, fpr, &err) != 0 ||
	    local_root(cli->state, root, NULL, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if (review->roster == NULL ||
	    plm_roster_find_member(&review->roster->body.roster, fpr) == NULL) {
		status = cli_fail(cli, EXIT_NOTFOUND,
		                  "%s is not on review %s with their current keys; add "
		                  "them first (`admin review add`)",
		                  cert.user_id, argv[optind]);
		goto out;
	}
	if (admin_history_grant(cli, policy, review->roster, &cert.keys, &grant, &err) !=
	    0) {
		status = cli_fail(cli, cli_exit_for(err.code),
		                  "the history of review %s cannot be granted to %s: %s",
		                  argv[optind], cert.user_id, err.message);
		goto out;
	}
	if (grant == NULL) {
		status = cli_fail(cli, EXIT_NOTFOUND,
		                  "%s already holds every key of review %s that their role "
		                  "may read; there is nothing to grant",
		                  cert.user_id, argv[optind]);
		goto out;
	}
	/* Checked as every member will check it, then published. */
	if (plm_review_apply(review, policy, root, grant, &err) != 0) {
		status = cli_fail(cli, cli_exit_for(err.code),
		                  "the history grant would be refused by every member, so "
		                  "it is not published: %s",
		                  err.message);
		goto out;
	}
	if (admin_publish(cli, argv[optind], &grant, 1, &err) != 0) {
		status = admin_publish_failed(cli, "history grant", &err);
		goto out;
	}
	if (cli->json) {
		char id[2 * PLM_HASH_BYTES + 1];
		plm_hex(id, grant->id, PLM_HASH_BYTES);
		status = cli_json(cli, json_pack("{s:s, s:s, s:I, s:i, s:s}", "review",
		                                 argv[optind], "user_id", cert.user_id,
		                                 "epoch",
		                                 (json_int_t)grant->body.history_grant.epoch,
		                                 "keys",
		                                 (int)grant->body.history_grant.n_keys,
		                                 "record", id));
	} else {
		admin_history_say(cli, grant);
	}
out:
	plm_record_free(grant);
	plm_review_free(review);
	return status;
}
