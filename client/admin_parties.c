/*
 * admin_parties.c - `palermo admin parties`: the secretariat shows the
 * deployment-wide parties group (PROTOCOL.md §5.12) and starts its next
 * epoch over the current set, with members added or removed. Members whose
 * certificates are revoked or expired are dropped from every new epoch, so
 * that they receive no later key.
 *
 * Like the review commands, each new roster and its keys go through the
 * checks every member makes (policies/parties.c) before they are queued
 * and published.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin.h"
#include "client/local.h"
#include "client/parties.h"
#include "client/reader.h"
#include "client/state.h"
#include "keys/codec.h"

/* One member of the next epoch, with the keys to seal to. */
struct next_member {
	plm_roster_member m;
	plm_pubkeys keys;
};

struct next_group {
	struct next_member *v;
	size_t n;
};

static int find(const struct next_group *g, const char *user_id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].m.user_id, user_id) == 0)
			return (int)i;
	return -1;
}

/* Prints GROUP's newest roster (or says there is none). */
static int show(struct cli *cli, const plm_parties *group)
{
	const plm_parties_roster *p;
	char fpr[PLM_FPR_TEXT_BYTES], date[32];
	json_t *members;
	size_t i;

	if (group->roster == NULL) {
		if (cli->json)
			return cli_json(cli, json_pack("{s:I, s:[]}", "epoch",
			                               (json_int_t)0, "members"));
		cli_say(cli,
		        "The parties group has no roster yet; the secretariat starts "
		        "it with `palermo admin parties add USER:ROLE...`.");
		return EXIT_OK;
	}
	p = &group->roster->body.parties;
	if (cli->json) {
		members = json_array();
		for (i = 0; i < p->n_members; i++) {
			plm_fingerprint_format(fpr, p->members[i].fingerprint);
			json_array_append_new(
			    members, json_pack("{s:s, s:s, s:s, s:s}", "user_id",
			                       p->members[i].user_id, "state",
			                       p->members[i].state, "role",
			                       p->members[i].role, "fingerprint", fpr));
		}
		return cli_json(cli, json_pack("{s:I, s:b, s:I, s:o}", "epoch",
		                               (json_int_t)p->epoch, "keys",
		                               group->epoch_keys != NULL, "created_at",
		                               (json_int_t)p->created_at, "members",
		                               members));
	}
	reader_date(p->created_at, date);
	printf("parties group, epoch %" PRIu64 " (%s UTC), %u members%s\n", p->epoch,
	       date, p->n_members,
	       group->epoch_keys != NULL ? "" : ", keys not published yet");
	for (i = 0; i < p->n_members; i++) {
		plm_fingerprint_format(fpr, p->members[i].fingerprint);
		printf("  %-24s %-6s %-12s %s\n", p->members[i].user_id,
		       p->members[i].state, p->members[i].role, fpr);
	}
	return EXIT_OK;
}

/*
 * The members of GROUP's newest roster that still hold a valid certificate
 * into OUT; the others are named on stderr and left out.
 */
static int current_members(struct cli *cli, const plm_parties *group,
                           struct next_group *out)
{
	const plm_parties_roster *p;
	plm_certificate cert;
	plm_error err;
	size_t i;

	out->n = 0;
	if (group->roster == NULL)
		return 0;
	p = &group->roster->body.parties;
	for (i = 0; i < p->n_members; i++) {
		if (local_certificate(cli->state, p->members[i].fingerprint, &cert,
		                      &err) != 0) {
			cli_warn(cli, "%s leaves the parties group: %s",
			         p->members[i].user_id, err.message);
			continue;
		}
		out->v[out->n].m = p->members[i];
		out->v[out->n].keys = cert.keys;
		out->n++;
	}
	return 0;
}

/* Adds "USER:ROLE" to G (its newest valid certificate). */
static int add_member(struct cli *cli, const plm_policy *policy, struct next_group *g,
                      const char *spec)
{
	const char *colon = strchr(spec, ':');
	char user[PLM_RECORD_ID_MAX + 1];
	unsigned char fpr[PLM_FPR_BYTES];
	struct next_member *e;
	plm_certificate cert;
	plm_error err;
	int i;

	if (colon == NULL || colon == spec ||
	    (size_t)(colon - spec) > PLM_RECORD_ID_MAX || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) > PLM_RECORD_NAME_MAX)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "members are given as USER:ROLE (br-fp-costa:focal_point), "
		    "not '%s'",
		    spec);
	memcpy(user, spec, (size_t)(colon - spec));
	user[colon - spec] = '\0';
	if (!plm_policy_in_parties_group(policy, colon + 1))
		return cli_fail(
		    cli, EXIT_USAGE,
		    "'%s' is not a role of the parties group: the policy's "
		    "disclosure.parties_group names every certified focal point "
		    "and expert of every State party",
		    colon + 1);
	if (local_find_user(cli->state, user, &cert, fpr, &err) != 0)
		return cli_fail_err(cli, &err);
	if (cert.usage != PLM_USAGE_MEMBER)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "%s is not certified as a member of a State, so cannot join "
		    "the parties group",
		    user);
	if ((i = find(g, cert.user_id)) >= 0) {
		/* New keys of the same person (recertified) replace the old ones. */
		cli_warn(cli, "%s is in the group already; the entry is replaced",
		         user);
		g->n--;
		memmove(&g->v[i], &g->v[i + 1], (g->n - (size_t)i) * sizeof(g->v[0]));
	}
	e = &g->v[g->n++];
	memset(e, 0, sizeof(*e));
	plm_certificate_fingerprint(e->m.fingerprint, &cert);
	snprintf(e->m.user_id, sizeof(e->m.user_id), "%s", cert.user_id);
	snprintf(e->m.state, sizeof(e->m.state), "%s", cert.state);
	snprintf(e->m.role, sizeof(e->m.role), "%s", colon + 1);
	e->keys = cert.keys;
	return 0;
}

/*
 * The next epoch's roster and keys for G after GROUP: a fresh key sealed to
 * every member and the root, the previous key chained under it. Signed by
 * the root (cli->me) and checked as every member will check them.
 */
static int build(struct cli *cli, const plm_policy *policy, plm_parties *group,
                 const struct next_group *g, plm_record **roster, plm_record **keys,
                 plm_error *err)
{
	unsigned char root[PLM_FPR_BYTES], *key = NULL, *prev_key = NULL;
	plm_pubkeys *audience = NULL;
	plm_channel_grant grant;
	plm_parties_roster *p;
	uint64_t epoch =
	    group->roster != NULL ? group->roster->body.parties.epoch + 1 : 1;
	size_t i;
	int r;

	*roster = *keys = NULL;
	if ((r = local_root(cli->state, root, NULL, err)) != 0 ||
	    (r = plm_record_new(roster, PLM_RECORD_PARTIES_ROSTER, err)) != 0 ||
	    (r = plm_key_new(&key, err)) != 0)
		goto out;
	p = &(*roster)->body.parties;
	p->epoch = epoch;
	if (group->roster != NULL) {
		memcpy(p->prev_roster, group->roster->id, PLM_HASH_BYTES);
		if ((r = parties_key(cli, epoch - 1, &prev_key, err)) != 0 ||
		    (r = plm_parties_chain_wrap(p, prev_key, key, err)) != 0)
			goto out;
	}
	plm_policy_digest(policy, p->policy_digest);
	p->created_at = (uint64_t)time(NULL);
	if ((r = plm_parties_members_alloc(p, g->n, err)) != 0 ||
	    (audience = calloc(g->n + 1, sizeof(*audience))) == NULL) {
		r = r != 0 ? r : plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < g->n; i++) {
		p->members[i] = g->v[i].m;
		audience[i] = g->v[i].keys;
	}
	audience[g->n] = cli->me->pub;
	plm_parties_sort(p);
	if ((r = plm_record_encode_sign(*roster, cli->me, NULL, NULL, err)) != 0)
		goto out;
	grant.name = PLM_PARTIES_CHANNEL;
	grant.key = key;
	grant.recipients = audience;
	grant.n_recipients = g->n + 1;
	if ((r = plm_epoch_keys_build(keys, PLM_PARTIES_REVIEW_ID, epoch, (*roster)->id,
	                              &grant, 1, err)) != 0 ||
	    (r = plm_record_encode_sign(*keys, cli->me, NULL, NULL, err)) != 0)
		goto out;
	if ((r = plm_parties_apply(group, policy, root, *roster, NULL, NULL, err)) !=
	        0 ||
	    (r = plm_parties_apply(group, policy, root, *keys, NULL, NULL, err)) != 0)
		goto out;
out:
	if (r != 0) {
		plm_record_free(*roster);
		plm_record_free(*keys);
		*roster = *keys = NULL;
	}
	free(audience);
	plm_secret_free(key);
	plm_secret_free(prev_key);
	return r;
}

static const char usage_line[] =
    "usage: palermo admin parties [add USER:ROLE... | remove USER... | rekey]";

int admin_parties(struct cli *cli, int argc, char **argv)
{
	struct next_group g = {NULL, 0};
	plm_record *roster = NULL, *keys = NULL;
	plm_record *both[2];
	plm_parties *group = NULL;
	const plm_policy *policy;
	struct sync_result res;
	plm_error err;
	int status, i, at;

	if (argc < 2) { /* show */
		if ((status = cli_open_state(cli, 0)) != 0)
			return status;
		if (parties_local(cli, &group, &err) != 0)
			return cli_fail_err(cli, &err);
		status = show(cli, group);
		plm_parties_free(group);
		return status;
	}
	if (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "remove") != 0 &&
	    strcmp(argv[1], "rekey") != 0)
		return cli_fail(cli, EXIT_USAGE, "%s; see `palermo help admin`",
		                usage_line);
	if (strcmp(argv[1], "rekey") != 0 && argc < 3)
		return cli_fail(cli, EXIT_USAGE, "name the members to %s; %s", argv[1],
		                usage_line);
	if (local_policy(cli, &policy, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((status = admin_begin(cli, 1)) != 0)
		return status;
	if (sync_run(cli, NULL, &res, &err) != 0)
		return cli_fail(
		    cli, cli_exit_for(err.code),
		    "%s; the parties group must be up to date before its next "
		    "epoch",
		    err.message);
	if (parties_local(cli, &group, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((g.v = calloc(PLM_ROSTER_MEMBERS_MAX + (size_t)argc, sizeof(*g.v))) ==
	    NULL) {
		status = cli_fail(cli, EXIT_FAILURE_, "out of memory");
		goto out;
	}
	if ((status = current_members(cli, group, &g)) != 0)
		goto out;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[1], "add") == 0) {
			if ((status = add_member(cli, policy, &g, argv[i])) != 0)
				goto out;
		} else if ((at = find(&g, argv[i])) < 0) {
			status =
			    cli_fail(cli, EXIT_NOTFOUND,
			             "%s is not in the parties group (`palermo admin "
			             "parties` lists it)",
			             argv[i]);
			goto out;
		} else {
			g.n--;
			memmove(&g.v[at], &g.v[at + 1],
			        (g.n - (size_t)at) * sizeof(g.v[0]));
		}
	}
	if (g.n == 0 || g.n > PLM_ROSTER_MEMBERS_MAX) {
		status =
		    cli_fail(cli, EXIT_USAGE,
		             "the parties group must have 1 to %d members, not %zu",
		             PLM_ROSTER_MEMBERS_MAX, g.n);
		goto out;
	}
	if (build(cli, policy, group, &g, &roster, &keys, &err) != 0) {
		status =
		    cli_fail(cli, cli_exit_for(err.code),
		             "the new epoch would be refused by every member, so it is "
		             "not published: %s",
		             err.message);
		goto out;
	}
	both[0] = roster;
	both[1] = keys;
	if (admin_publish(cli, PLM_PARTIES_REVIEW_ID, both, 2, &err) != 0) {
		status = admin_publish_failed(cli, "parties roster and its keys", &err);
		goto out;
	}
	if (cli->json)
		status = show(cli, group);
	else
		cli_say(cli,
		        "The parties group is at epoch %" PRIu64
		        " with %zu members; they "
		        "see it at their next `palermo sync`.",
		        roster->body.parties.epoch, g.n);
out:
	plm_record_free(roster);
	plm_record_free(keys);
	plm_parties_free(group);
	free(g.v);
	return status;
}
