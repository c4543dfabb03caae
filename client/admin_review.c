/*
 * admin_review.c - the secretariat's review commands (DESIGN.md §5-§6):
 * `admin review create`, `add`, `remove` and `advance` (usage in
 * cmd_admin.c).
 *
 * Every roster and epoch-keys record made here goes through exactly the
 * checks every member will make (policies/review.c, plm_review_apply)
 * before it is signed into the queue and published, so the secretariat
 * cannot publish what its members would refuse. A review's creation is
 * checked against the policy's rules first (plm_policy_check_review).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin.h"
#include "client/identity.h"
#include "client/local.h"
#include "client/state.h"
#include "client/sync.h"
#include "client/workflow.h"
#include "keys/codec.h"
#include "policies/policy.h"
#include "policies/review.h"

#define LANGUAGES_MAX 16 /* more than any policy allows: the policy refuses */
#define REVIEWING_MAX 8  /* per instrument, likewise */
#define PARTIES_MAX 512  /* --party pairs (State, treaty) */
#define MEMBER_SPECS_MAX 256

/* A member-to-be: who, in which role, and the keys to seal to. */
struct member_entry {
	unsigned char fpr[PLM_FPR_BYTES];
	plm_pubkeys keys;
	char user_id[PLM_RECORD_ID_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	char role[PLM_RECORD_NAME_MAX + 1];
	uint8_t usage;
	int no_keys; /* on the current roster, but no valid certificate now */
	char problem[PLM_ERROR_MESSAGE_MAX];
};

/* The members of a new roster being put together. */
struct members {
	struct member_entry *v;
	size_t n, cap;
};

static void members_free(struct members *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* Adds E, refusing a second entry for the same keys. */
static int members_add(struct cli *cli, struct members *m, const struct member_entry *e)
{
	struct member_entry *v;
	size_t i;

	for (i = 0; i < m->n; i++)
		if (memcmp(m->v[i].fpr, e->fpr, PLM_FPR_BYTES) == 0)
			return cli_fail(
			    cli, EXIT_USAGE,
			    "%s is on the roster twice; name each member once",
			    e->user_id);
	if (m->n == PLM_ROSTER_MEMBERS_MAX)
		return cli_fail(cli, EXIT_USAGE, "a roster holds at most %d members",
		                PLM_ROSTER_MEMBERS_MAX);
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		if ((v = realloc(m->v, cap * sizeof(*v))) == NULL)
			return cli_fail(cli, EXIT_FAILURE_, "out of memory");
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = *e;
	return 0;
}

/* Removes every entry of USER_ID; returns how many there were. */
static size_t members_remove(struct members *m, const char *user_id)
{
	size_t i, kept = 0, removed;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].user_id, user_id) != 0)
			m->v[kept++] = m->v[i];
	removed = m->n - kept;
	m->n = kept;
	return removed;
}

/* 1 if ROLE is a role of POLICY. */
static int policy_has_role(const plm_policy *policy, const char *role)
{
	size_t i;

	for (i = 0; i < plm_policy_count(policy, PLM_POLICY_ROLES); i++)
		if (strcmp(plm_policy_nth(policy, PLM_POLICY_ROLES, i), role) == 0)
			return 1;
	return 0;
}

/*
 * Resolves "USER:ROLE" through the certificates known here (local_find_user:
 * verified against the root, not revoked, not expired) into E. Prints the
 * problem and returns the exit status on failure.
 */
static int resolve_member(struct cli *cli, const plm_policy *policy, const char *spec,
                          struct member_entry *e)
{
	const char *colon = strchr(spec, ':');
	char user[PLM_RECORD_ID_MAX + 1], roles[256];
	plm_certificate cert;
	plm_error err;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (colon == NULL || colon == spec ||
	    (size_t)(colon - spec) > PLM_RECORD_ID_MAX || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) > PLM_RECORD_NAME_MAX)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--member takes USER:ROLE (it-fp-rossi:focal_point), not '%s'",
		    spec);
	memcpy(user, spec, (size_t)(colon - spec));
	user[colon - spec] = '\0';
	snprintf(e->role, sizeof(e->role), "%s", colon + 1);
	if (!policy_has_role(policy, e->role)) {
		roles[0] = '\0';
		for (i = 0; i < plm_policy_count(policy, PLM_POLICY_ROLES); i++)
			snprintf(roles + strlen(roles), sizeof(roles) - strlen(roles),
			         "%s%s", i ? ", " : "",
			         plm_policy_nth(policy, PLM_POLICY_ROLES, i));
		return cli_fail(cli, EXIT_USAGE,
		                "'%s' is not a role of the policy (%s)", e->role,
		                roles);
	}
	if (local_find_user(cli->state, user, &cert, e->fpr, &err) != 0)
		return cli_fail_err(cli, &err);
	/* The secretariat's side is for the secretariat's certificates only. */
	if (strcmp(e->role, "secretariat") == 0 &&
	    cert.usage != PLM_USAGE_SECRETARIAT && cert.usage != PLM_USAGE_ROOT)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "%s is certified as a member of %s, not as the secretariat, "
		    "so cannot take the role secretariat",
		    user, cert.state);
	snprintf(e->user_id, sizeof(e->user_id), "%s", cert.user_id);
	snprintf(e->state, sizeof(e->state), "%s", cert.state);
	e->keys = cert.keys;
	e->usage = cert.usage;
	return 0;
}

/* The root itself (cli->me), as the review's secretariat member. */
static int root_entry(struct cli *cli, struct member_entry *e)
{
	plm_certificate cert;
	plm_error err;

	memset(e, 0, sizeof(*e));
	plm_fingerprint(e->fpr, &cli->me->pub);
	if (local_certificate(cli->state, e->fpr, &cert, &err) != 0)
		return cli_fail_err(cli, &err);
	snprintf(e->user_id, sizeof(e->user_id), "%s", cert.user_id);
	snprintf(e->state, sizeof(e->state), "%s", cert.state);
	snprintf(e->role, sizeof(e->role), "secretariat");
	e->keys = cert.keys;
	e->usage = cert.usage;
	return 0;
}

/*
 * Builds and signs (with the root, cli->me) the roster of TEMPLATE's review
 * (its review id, SUR, cluster, instruments and languages; not its members)
 * at EPOCH after PREV_ID (NULL for epoch 1), with MEMBERS. Each member's
 * side is checked first. Prints the problem and returns the exit status.
 */
static int build_roster(struct cli *cli, const plm_policy *policy,
                        const plm_roster *tmpl, uint64_t epoch,
                        const unsigned char *prev_id, const struct members *members,
                        plm_record **out)
{
	enum plm_policy_side side;
	plm_roster *ro;
	plm_error err;
	size_t i;

	*out = NULL;
	if (plm_record_new(out, PLM_RECORD_ROSTER, &err) != 0)
		return cli_fail_err(cli, &err);
	ro = &(*out)->body.roster;
	*ro = *tmpl;
	ro->members = NULL;
	ro->n_members = 0;
	ro->epoch = epoch;
	memset(ro->prev_roster, 0, PLM_HASH_BYTES);
	if (prev_id != NULL)
		memcpy(ro->prev_roster, prev_id, PLM_HASH_BYTES);
	plm_policy_digest(policy, ro->policy_digest);
	ro->created_at = (uint64_t)time(NULL);
	if (plm_roster_members_alloc(ro, members->n, &err) != 0)
		return cli_fail_err(cli, &err);
	for (i = 0; i < members->n; i++) {
		const struct member_entry *e = &members->v[i];
		memcpy(ro->members[i].fingerprint, e->fpr, PLM_FPR_BYTES);
		memcpy(ro->members[i].user_id, e->user_id, sizeof(e->user_id));
		memcpy(ro->members[i].state, e->state, sizeof(e->state));
		memcpy(ro->members[i].role, e->role, sizeof(e->role));
		if (plm_review_side(ro, &ro->members[i], &side, &err) != 0)
			return cli_fail(
			    cli, EXIT_AUTH,
			    "%s; only the State under review, the "
			    "reviewing States and the secretariat take part",
			    err.message);
	}
	plm_roster_sort(ro);
	if (plm_record_encode_sign(*out, cli->me, NULL, NULL, &err) != 0)
		return cli_fail_err(cli, &err);
	return 0;
}

/* The public keys of the member with FPR among MEMBERS, or NULL. */
static const plm_pubkeys *member_keys(const struct members *members,
                                      const unsigned char fpr[PLM_FPR_BYTES])
{
	size_t i;

	for (i = 0; i < members->n; i++)
		if (memcmp(members->v[i].fpr, fpr, PLM_FPR_BYTES) == 0)
			return &members->v[i].keys;
	return NULL;
}

/*
 * Builds and signs the epoch keys of ROSTER: a fresh key for every channel
 * of the policy (plm_key_new), sealed to exactly the members whose role and
 * side may read it (plm_policy_channel_audience, through may_read) and to
 * nobody else. The channel keys are wiped once sealed: the root reads a
 * channel, like anyone, only through its own sealed copy.
 */
static int build_epoch_keys(struct cli *cli, const plm_policy *policy,
                            const plm_record *roster, const struct members *members,
                            plm_record **out, plm_error *err)
{
	const plm_roster *ro = &roster->body.roster;
	plm_channel_grant grants[PLM_POLICY_CHANNELS_MAX];
	unsigned char *keys[PLM_POLICY_CHANNELS_MAX] = {NULL};
	plm_pubkeys *audience[PLM_POLICY_CHANNELS_MAX] = {NULL};
	size_t n_channels = plm_policy_count(policy, PLM_POLICY_CHANNELS), c, i, n;
	enum plm_policy_side side;
	const plm_pubkeys *k;
	int r = 0;

	*out = NULL;
	if (n_channels == 0 || n_channels > PLM_POLICY_CHANNELS_MAX)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "the policy defines no usable channels");
	for (c = 0; c < n_channels; c++) {
		const char *name = plm_policy_nth(policy, PLM_POLICY_CHANNELS, c);
		if ((r = plm_key_new(&keys[c], err)) != 0)
			goto out;
		if ((audience[c] = calloc(ro->n_members, sizeof(plm_pubkeys))) ==
		    NULL) {
			r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
			goto out;
		}
		for (i = 0, n = 0; i < ro->n_members; i++) {
			const plm_roster_member *m = &ro->members[i];
			if ((r = plm_review_side(ro, m, &side, err)) != 0)
				goto out;
			if (plm_policy_may_read(policy, m->role, side, name, NULL) != 0)
				continue;
			if ((k = member_keys(members, m->fingerprint)) == NULL) {
				r = plm_error_set(err, PLM_ERR_NOTFOUND,
				                  "no keys are known for %s",
				                  m->user_id);
				goto out;
			}
			audience[c][n++] = *k;
		}
		grants[c].name = name;
		grants[c].key = keys[c];
		grants[c].recipients = audience[c];
		grants[c].n_recipients = n;
	}
	if ((r = plm_epoch_keys_build(out, ro->review_id, ro->epoch, roster->id, grants,
	                              n_channels, err)) != 0 ||
	    (r = plm_record_encode_sign(*out, cli->me, NULL, NULL, err)) != 0) {
		plm_record_free(*out);
		*out = NULL;
	}
out:
	for (c = 0; c < PLM_POLICY_CHANNELS_MAX; c++) {
		plm_secret_free(keys[c]);
		free(audience[c]);
	}
	return r;
}

/*
 * Runs ROSTER, KEYS and the N_GRANTS history grants GRANTS (may be none)
 * through REVIEW exactly as every member will (plm_review_apply), then
 * queues them all and publishes them in that order.
 */
static int check_and_publish(struct cli *cli, const plm_policy *policy,
                             plm_review *review, plm_record *roster, plm_record *keys,
                             plm_record *const *grants, size_t n_grants)
{
	unsigned char root[PLM_FPR_BYTES];
	plm_record *all[2 + MEMBER_SPECS_MAX] = {roster, keys};
	plm_error err;
	size_t i;

	if (local_root(cli->state, root, NULL, &err) != 0)
		return cli_fail_err(cli, &err);
	if (plm_review_apply(review, policy, root, roster, &err) != 0 ||
	    plm_review_apply(review, policy, root, keys, &err) != 0)
		return cli_fail(
		    cli, cli_exit_for(err.code),
		    "the new roster would be refused by every member, so it is not "
		    "published: %s",
		    err.message);
	for (i = 0; i < n_grants && i < MEMBER_SPECS_MAX; i++) {
		if (plm_review_apply(review, policy, root, grants[i], &err) != 0)
			return cli_fail(cli, cli_exit_for(err.code),
			                "a history grant would be refused by every member, "
			                "so nothing is published: %s",
			                err.message);
		all[2 + i] = grants[i];
	}
	if (admin_publish(cli, roster->body.roster.review_id, all, 2 + i, &err) != 0)
		return admin_publish_failed(cli, "roster and its keys", &err);
	return 0;
}

/* Tells what was published. */
static int say_roster(struct cli *cli, const char *what, const plm_record *roster)
{
	const plm_roster *ro = &roster->body.roster;
	char id[2 * PLM_HASH_BYTES + 1];

	plm_hex(id, roster->id, PLM_HASH_BYTES);
	if (cli->json)
		return cli_json(cli,
		                json_pack("{s:s, s:I, s:i, s:s}", "review",
		                          ro->review_id, "epoch", (json_int_t)ro->epoch,
		                          "members", (int)ro->n_members, "roster", id));
	cli_say(cli,
	        "Review %s %s: epoch %llu, %u members; they see it at their next "
	        "`palermo sync`.",
	        ro->review_id, what, (unsigned long long)ro->epoch, ro->n_members);
	return EXIT_OK;
}

/* ---- admin review create --------------------------------------------- */

/* Every State is assumed party to every treaty (no list of parties yet). */
static int assume_party(void *ctx, const char *state, const char *treaty)
{
	(void)ctx;
	(void)state;
	(void)treaty;
	return 1;
}

/* Splits S in place at each ',' into OUT (at most CAP); returns the count or -1. */
static int split_list(char *s, const char **out, size_t cap)
{
	size_t n = 0;
	char *p = s, *comma;

	if (*s == '\0')
		return 0;
	for (;;) {
		if (n == cap)
			return -1;
		out[n++] = p;
		if ((comma = strchr(p, ',')) == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return (int)n;
}

static int valid_state(const char *s)
{
	size_t n = strlen(s);

	return n >= PLM_RECORD_STATE_MIN && n <= PLM_RECORD_STATE_MAX &&
	       plm_str_valid(s, n, PLM_STR_STATE);
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= PLM_RECORD_NAME_MAX && plm_str_valid(s, n, PLM_STR_NAME);
}

/* What `review create` was asked for. */
struct plan {
	const char *review, *sur, *cluster;
	plm_policy_review_instrument instruments[PLM_POLICY_INSTRUMENTS_MAX];
	const char *reviewing[PLM_POLICY_INSTRUMENTS_MAX][REVIEWING_MAX];
	size_t n_instruments;
	const char *languages[LANGUAGES_MAX];
	size_t n_languages;
	const char *members[MEMBER_SPECS_MAX];
	size_t n_members;
	plm_policy_party parties[PARTIES_MAX];
	size_t n_parties;
};

/* Parses `review create`'s options into P; prints the problem, returns 2. */
static int parse_create(struct cli *cli, int argc, char **argv, struct plan *p)
{
	static const struct option options[] = {
	    {"sur", required_argument, NULL, 's'},
	    {"cluster", required_argument, NULL, 'c'},
	    {"instrument", required_argument, NULL, 'i'},
	    {"language", required_argument, NULL, 'l'},
	    {"member", required_argument, NULL, 'm'},
	    {"party", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	const char *treaties[PLM_POLICY_TREATIES_MAX + PLM_POLICY_INSTRUMENTS_MAX];
	plm_policy_review_instrument *ins;
	char *colon;
	int c, k, j;

	memset(p, 0, sizeof(*p));
	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 's':
			p->sur = optarg;
			break;
		case 'c':
			p->cluster = optarg;
			break;
		case 'i':
			if (p->n_instruments == PLM_POLICY_INSTRUMENTS_MAX)
				return cli_fail(cli, EXIT_USAGE,
				                "a review has at most %d instruments",
				                PLM_POLICY_INSTRUMENTS_MAX);
			ins = &p->instruments[p->n_instruments];
			if ((colon = strchr(optarg, ':')) == NULL)
				return cli_fail(cli, EXIT_USAGE,
				                "--instrument takes NAME:STATE,STATE "
				                "(untoc:FRA,BRA), "
				                "not '%s'",
				                optarg);
			*colon = '\0';
			ins->name = optarg;
			k = split_list(colon + 1, p->reviewing[p->n_instruments],
			               REVIEWING_MAX);
			if (k < 0 || !valid_name(optarg))
				return cli_fail(cli, EXIT_USAGE,
				                "--instrument %s: too many States or a "
				                "bad name",
				                optarg);
			for (j = 0; j < k; j++)
				if (!valid_state(p->reviewing[p->n_instruments][j]))
					return cli_fail(
					    cli, EXIT_USAGE,
					    "'%s' is not a State code (ISO 3166-1 "
					    "alpha-3, "
					    "in capitals)",
					    p->reviewing[p->n_instruments][j]);
			ins->reviewing = p->reviewing[p->n_instruments];
			ins->n_reviewing = (size_t)k;
			p->n_instruments++;
			break;
		case 'l':
			if (p->n_languages == LANGUAGES_MAX)
				return cli_fail(cli, EXIT_USAGE,
				                "too many --language: a review has 1 to 3 "
				                "working languages (para 49-50)");
			p->languages[p->n_languages++] = optarg;
			break;
		case 'm':
			if (p->n_members == MEMBER_SPECS_MAX)
				return cli_fail(
				    cli, EXIT_USAGE,
				    "at most %d --member at once; add more with `admin "
				    "review add`",
				    MEMBER_SPECS_MAX);
			p->members[p->n_members++] = optarg;
			break;
		case 'p':
			if ((colon = strchr(optarg, ':')) == NULL ||
			    (k = split_list(colon + 1, treaties,
			                    sizeof(treaties) / sizeof(treaties[0]))) <=
			        0)
				return cli_fail(cli, EXIT_USAGE,
				                "--party takes STATE:TREATY,TREATY "
				                "(ITA:untoc,tip), "
				                "not '%s'",
				                optarg);
			*colon = '\0';
			if (!valid_state(optarg))
				return cli_fail(cli, EXIT_USAGE,
				                "'%s' is not a State code: use ISO 3166-1 "
				                "alpha-3 in capitals, such as ITA",
				                optarg);
			for (j = 0; j < k; j++) {
				if (p->n_parties == PARTIES_MAX)
					return cli_fail(cli, EXIT_USAGE,
					                "at most %d --party pairs: name only the "
					                "States whose treaties matter here",
					                PARTIES_MAX);
				p->parties[p->n_parties].state = optarg;
				p->parties[p->n_parties].treaty = treaties[j];
				p->n_parties++;
			}
			break;
		default:
			return cli_fail(cli, EXIT_USAGE, "see `palermo help admin`");
		}
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE, "name exactly one REVIEW to create");
	p->review = argv[optind];
	if (p->sur == NULL || p->cluster == NULL || p->n_instruments == 0 ||
	    p->n_languages == 0 || p->n_members == 0)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "review create needs --sur, --cluster, --instrument, --language "
		    "and --member; see `palermo help admin`");
	if (strlen(p->review) > PLM_RECORD_ID_MAX ||
	    !plm_str_valid(p->review, strlen(p->review), PLM_STR_ID) ||
	    strcmp(p->review, PLM_PARTIES_REVIEW_ID) == 0)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "'%s' cannot be a review id: use 1 to 64 lower-case letters, "
		    "digits, dots, dashes and underscores (not \"parties\")",
		    p->review);
	if (!valid_state(p->sur))
		return cli_fail(cli, EXIT_USAGE,
		                "--sur '%s' is not a State code: use ISO 3166-1 alpha-3 in "
		                "capitals, such as ITA",
		                p->sur);
	if (!valid_name(p->cluster))
		return cli_fail(cli, EXIT_USAGE, "--cluster '%s' is not a cluster name",
		                p->cluster);
	return 0;
}

/* The template roster (no members) of plan P, after the policy's checks. */
static int plan_template(struct cli *cli, const plm_policy *policy,
                         const struct plan *p, plm_roster *tmpl)
{
	plm_policy_parties parties = {p->parties, p->n_parties};
	plm_policy_review review;
	plm_error err;
	size_t i, j;

	/* PROTOCOL.md §5.4 and the policy's review rules, before anything is made. */
	memset(&review, 0, sizeof(review));
	review.sur_state = p->sur;
	review.cluster = p->cluster;
	review.instruments = p->instruments;
	review.n_instruments = p->n_instruments;
	review.languages = p->languages;
	review.n_languages = p->n_languages;
	review.is_party = p->n_parties ? plm_policy_parties_lookup : assume_party;
	review.is_party_ctx = &parties;
	if (plm_policy_check_review(policy, &review, &err) != 0)
		return cli_fail(cli, cli_exit_for(err.code), "%s", err.message);
	if (p->n_languages > PLM_ROSTER_LANGUAGES_MAX)
		return cli_fail(cli, EXIT_USAGE,
		                "a roster carries at most %d languages",
		                PLM_ROSTER_LANGUAGES_MAX);
	memset(tmpl, 0, sizeof(*tmpl));
	snprintf(tmpl->review_id, sizeof(tmpl->review_id), "%s", p->review);
	snprintf(tmpl->sur_state, sizeof(tmpl->sur_state), "%s", p->sur);
	snprintf(tmpl->cluster, sizeof(tmpl->cluster), "%s", p->cluster);
	for (i = 0; i < p->n_instruments; i++) {
		plm_roster_instrument *ins = &tmpl->instruments[i];
		if (p->instruments[i].n_reviewing > PLM_ROSTER_REVIEWING_MAX)
			return cli_fail(cli, EXIT_USAGE,
			                "a roster carries at most %d reviewing "
			                "States per instrument",
			                PLM_ROSTER_REVIEWING_MAX);
		snprintf(ins->name, sizeof(ins->name), "%s", p->instruments[i].name);
		for (j = 0; j < p->instruments[i].n_reviewing; j++)
			snprintf(ins->reviewing[j], sizeof(ins->reviewing[j]), "%s",
			         p->instruments[i].reviewing[j]);
		ins->n_reviewing = (uint8_t)p->instruments[i].n_reviewing;
	}
	tmpl->n_instruments = (uint8_t)p->n_instruments;
	for (i = 0; i < p->n_languages; i++)
		snprintf(tmpl->languages[i], sizeof(tmpl->languages[i]), "%s",
		         p->languages[i]);
	tmpl->n_languages = (uint8_t)p->n_languages;
	return 0;
}

static int review_create(struct cli *cli, int argc, char **argv)
{
	struct members members = {NULL, 0, 0};
	struct member_entry e;
	const plm_policy *policy;
	plm_record *roster = NULL, *keys = NULL;
	plm_review *review = NULL;
	plm_roster tmpl;
	struct plan *p;
	plm_error err;
	size_t i;
	int status;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return cli_fail(cli, EXIT_FAILURE_, "out of memory");
	if ((status = parse_create(cli, argc, argv, p)) != 0)
		goto out;
	if (local_policy(cli, &policy, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if ((status = plan_template(cli, policy, p, &tmpl)) != 0 ||
	    (status = admin_begin(cli, 1)) != 0)
		goto out;
	for (i = 0; i < p->n_members; i++)
		if ((status = resolve_member(cli, policy, p->members[i], &e)) != 0 ||
		    (status = members_add(cli, &members, &e)) != 0)
			goto out;
	/* The root is the review's secretariat member (see the usage text). */
	if ((status = root_entry(cli, &e)) != 0)
		goto out;
	if (member_keys(&members, e.fpr) == NULL &&
	    (status = members_add(cli, &members, &e)) != 0)
		goto out;
	if ((status = build_roster(cli, policy, &tmpl, 1, NULL, &members, &roster)) !=
	    0)
		goto out;
	if (build_epoch_keys(cli, policy, roster, &members, &keys, &err) != 0 ||
	    plm_review_new(&review, policy, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if ((status = check_and_publish(cli, policy, review, roster, keys, NULL, 0)) != 0)
		goto out;
	status = say_roster(cli, "created", roster);
out:
	plm_review_free(review);
	plm_record_free(roster);
	plm_record_free(keys);
	members_free(&members);
	free(p);
	return status;
}

/* ---- add, remove, advance: the next step of an existing review -------- */

/*
 * Brings the review up to date (sync_run) and rebuilds REVIEW's verified
 * state (local_review). Prints the problem and returns the exit status.
 */
static int current_review(struct cli *cli, const char *review_id, plm_review **out)
{
	struct sync_result result;
	plm_error err;

	*out = NULL;
	if (sync_run(cli, NULL, &result, &err) != 0)
		return cli_fail(
		    cli, cli_exit_for(err.code),
		    "%s; the review must be up to date before its next step",
		    err.message);
	if (local_review(cli, review_id, INT64_MAX, out, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((*out)->roster == NULL)
		return cli_fail(cli, EXIT_NOTFOUND,
		                "review %s has no roster yet; create it with `palermo admin "
		                "review create`",
		                review_id);
	return 0;
}

/*
 * The members of ROSTER with the keys to seal to, from the certificates
 * known here. A member whose certificate is revoked or expired is kept with
 * NO_KEYS set and the reason: the change must remove or replace them
 * (check_keys refuses a roster that still holds them).
 */
static int roster_members(struct cli *cli, const plm_roster *roster,
                          struct members *out)
{
	struct member_entry e;
	plm_certificate cert;
	plm_error err;
	size_t i;
	int status;

	for (i = 0; i < roster->n_members; i++) {
		const plm_roster_member *m = &roster->members[i];
		memset(&e, 0, sizeof(e));
		if (local_certificate(cli->state, m->fingerprint, &cert, &err) != 0) {
			e.no_keys = 1;
			snprintf(e.problem, sizeof(e.problem), "%s", err.message);
		} else {
			e.keys = cert.keys;
			e.usage = cert.usage;
		}
		memcpy(e.fpr, m->fingerprint, PLM_FPR_BYTES);
		memcpy(e.user_id, m->user_id, sizeof(e.user_id));
		memcpy(e.state, m->state, sizeof(e.state));
		memcpy(e.role, m->role, sizeof(e.role));
		if ((status = members_add(cli, out, &e)) != 0)
			return status;
	}
	return 0;
}

/* Refuses MEMBERS if one of them has no valid certificate to seal to. */
static int check_keys(struct cli *cli, const struct members *members)
{
	size_t i;

	for (i = 0; i < members->n; i++)
		if (members->v[i].no_keys)
			return cli_fail(
			    cli, EXIT_AUTH,
			    "%s; member %s cannot be given the new keys: remove them "
			    "(`admin review remove`) or add their new keys",
			    members->v[i].problem, members->v[i].user_id);
	return 0;
}

/*
 * Does member E, added to the review whose roster was OLD and is now
 * NEW_ROSTER, receive its history? HISTORY: 1 (--history), 0
 * (--no-history), -1 the policy's rule: a new member of a role listed in
 * history.on_replacement who takes the place of a member of the same State
 * and role leaving in this same change (a replacement, or new keys after a
 * lost device).
 */
static int gets_history(const plm_policy *policy, const plm_roster *old,
                        const plm_roster *new_roster, const struct member_entry *e,
                        int history)
{
	size_t i;

	if (history >= 0)
		return history;
	if (!plm_policy_history_on_replacement(policy, e->role))
		return 0;
	for (i = 0; i < old->n_members; i++) {
		const plm_roster_member *m = &old->members[i];
		if (strcmp(m->state, e->state) == 0 && strcmp(m->role, e->role) == 0 &&
		    plm_roster_find_member(new_roster, m->fingerprint) == NULL)
			return 1;
	}
	return 0;
}

/*
 * The history grants of a roster change: one for each member of ROSTER
 * (signed, the new epoch) who was not on OLD and gets_history says so and
 * lacks something. Fills GRANTS (at most MEMBER_SPECS_MAX) and *N; prints
 * the problem and returns the exit status on failure.
 */
static int change_grants(struct cli *cli, const plm_policy *policy, const plm_roster *old,
                         const plm_record *roster, const struct members *members,
                         int history, plm_record **grants, size_t *n)
{
	plm_error err;
	size_t i;

	*n = 0;
	for (i = 0; i < members->n && *n < MEMBER_SPECS_MAX; i++) {
		const struct member_entry *e = &members->v[i];
		if (plm_roster_find_member(old, e->fpr) != NULL ||
		    !gets_history(policy, old, &roster->body.roster, e, history))
			continue;
		if (admin_history_grant(cli, policy, roster, &e->keys, &grants[*n], &err) != 0)
			return cli_fail(cli, cli_exit_for(err.code),
			                "the history of review %s cannot be granted to %s, "
			                "so nothing is published: %s",
			                roster->body.roster.review_id, e->user_id,
			                err.message);
		if (grants[*n] != NULL)
			(*n)++;
	}
	return 0;
}

/*
 * `review add` and `review remove` (ADD tells which was typed): the next
 * epoch, with the members of --remove and of the USER arguments of remove
 * taken off first, then those of --member added. Both options work with
 * both commands, so that one epoch can replace a member, or drop a revoked
 * one while adding another (every member of the new roster must have a
 * valid certificate to seal the new keys to).
 */
static int review_change(struct cli *cli, int argc, char **argv, int add)
{
	static const struct option options[] = {
	    {"member", required_argument, NULL, 'm'},
	    {"remove", required_argument, NULL, 'r'},
	    {"history", no_argument, NULL, 'H'},
	    {"no-history", no_argument, NULL, 'N'},
	    {NULL, 0, NULL, 0},
	};
	const char *specs[MEMBER_SPECS_MAX], *gone[MEMBER_SPECS_MAX];
	plm_record *grants[MEMBER_SPECS_MAX];
	size_t n_grants = 0;
	int history = -1;
	struct members members = {NULL, 0, 0};
	const plm_policy *policy;
	plm_record *roster = NULL, *keys = NULL;
	plm_review *review = NULL;
	const char *review_id;
	struct member_entry e;
	size_t n_specs = 0, n_gone = 0, i, j;
	plm_error err;
	int c, status;

	optind = 0; /* GNU getopt starts afresh: options may follow arguments */
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'm' && n_specs < MEMBER_SPECS_MAX)
			specs[n_specs++] = optarg;
		else if (c == 'r' && n_gone < MEMBER_SPECS_MAX)
			gone[n_gone++] = optarg;
		else if (c == 'H' || c == 'N')
			history = c == 'H';
		else
			return cli_fail(cli, EXIT_USAGE, "see `palermo help admin`");
	}
	if (optind >= argc || (add && optind + 1 != argc))
		return cli_fail(
		    cli, EXIT_USAGE,
		    add ? "usage: palermo admin review add REVIEW --member "
		          "USER:ROLE... "
		          "[--remove USER...] [--history | --no-history]"
		        : "usage: palermo admin review remove REVIEW USER... "
		          "[--member USER:ROLE...] [--history | --no-history]");
	review_id = argv[optind];
	for (i = (size_t)optind + 1; i < (size_t)argc && n_gone < MEMBER_SPECS_MAX; i++)
		gone[n_gone++] = argv[i];
	if (add ? n_specs == 0 : n_gone == 0)
		return cli_fail(cli, EXIT_USAGE,
		                add ? "name the members to add with --member USER:ROLE"
		                    : "name the users to remove");
	if (local_policy(cli, &policy, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((status = admin_begin(cli, 1)) != 0 ||
	    (status = current_review(cli, review_id, &review)) != 0 ||
	    (status = roster_members(cli, &review->roster->body.roster, &members)) != 0)
		goto out;
	for (i = 0; i < n_gone; i++) {
		if (members_remove(&members, gone[i]) == 0) {
			status = cli_fail(cli, EXIT_NOTFOUND,
			                  "%s is not on review %s; `palermo roster %s` lists "
			                  "its members",
			                  gone[i], review_id, review_id);
			goto out;
		}
	}
	for (i = 0; i < n_specs; i++) {
		if ((status = resolve_member(cli, policy, specs[i], &e)) != 0)
			goto out;
		for (j = 0; j < members.n; j++)
			if (memcmp(members.v[j].fpr, e.fpr, PLM_FPR_BYTES) == 0)
				break;
		if (j < members.n) {
			status = cli_fail(
			    cli, EXIT_USAGE,
			    "%s is on review %s already, as %s; to change the role, "
			    "give --remove %s too",
			    e.user_id, review_id, members.v[j].role, e.user_id);
			goto out;
		}
		/* New keys of a member already on it (recertify) replace the old ones.
		 */
		if (members_remove(&members, e.user_id) > 0)
			cli_warn(cli,
			         "%s's old keys leave review %s; their new keys take "
			         "their place",
			         e.user_id, review_id);
		if ((status = members_add(cli, &members, &e)) != 0)
			goto out;
	}
	if (members.n == 0) {
		status = cli_fail(cli, EXIT_USAGE,
		                  "a review cannot be left without members");
		goto out;
	}
	if ((status = check_keys(cli, &members)) != 0 ||
	    (status = build_roster(cli, policy, &review->roster->body.roster,
	                           review->roster->body.roster.epoch + 1,
	                           review->roster->id, &members, &roster)) != 0)
		goto out;
	if (build_epoch_keys(cli, policy, roster, &members, &keys, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	if ((status = change_grants(cli, policy, &review->roster->body.roster, roster,
	                            &members, history, grants, &n_grants)) != 0 ||
	    (status = check_and_publish(cli, policy, review, roster, keys, grants,
	                                n_grants)) != 0)
		goto out;
	status = say_roster(cli, "changed", roster);
	for (i = 0; i < n_grants; i++)
		admin_history_say(cli, grants[i]);
out:
	for (i = 0; i < n_grants; i++)
		plm_record_free(grants[i]);
	plm_review_free(review);
	plm_record_free(roster);
	plm_record_free(keys);
	members_free(&members);
	return status;
}

/* `review advance`: the review moves to the policy's next stage. */
static int review_advance(struct cli *cli, int argc, char **argv)
{
	plm_review *review = NULL;
	plm_record *record = NULL;
	plm_error err;
	plm_stage *st;
	int status;

	if (argc != 2)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo admin review advance REVIEW");
	if ((status = admin_begin(cli, 1)) != 0 ||
	    (status = current_review(cli, argv[1], &review)) != 0)
		goto out;
	if (workflow_advance(cli, review, argv[1], &record, &err) != 0) {
		status = admin_publish_failed(cli, "stage transition", &err);
		goto out;
	}
	st = &record->body.stage;
	if (cli->json)
		status =
		    cli_json(cli, json_pack("{s:s, s:s, s:s, s:I}", "review", argv[1],
		                            "from", st->from_stage, "to", st->to_stage,
		                            "sequence", (json_int_t)st->sequence));
	else
		cli_say(cli, "Review %s moved from %s to %s.", argv[1], st->from_stage,
		        st->to_stage);
out:
	plm_record_free(record);
	plm_review_free(review);
	return status;
}

int admin_review(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "admin review needs create, add, remove, advance or grant; see "
		    "`palermo help admin`");
	if (strcmp(argv[1], "create") == 0)
		return review_create(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "add") == 0)
		return review_change(cli, argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "remove") == 0)
		return review_change(cli, argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "advance") == 0)
		return review_advance(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "grant") == 0)
		return admin_review_grant(cli, argc - 1, argv + 1);
	return cli_fail(cli, EXIT_USAGE,
	                "there is no `admin review %s`; see `palermo help admin`",
	                argv[1]);
}
