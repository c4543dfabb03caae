/*
 * policy_eval.c - the rules: may this member write, read, advance, agree,
 * disclose; how big, how many words, which file types, which articles; is
 * this review well formed. Pure functions over a loaded policy: no I/O, no
 * clock, no allocation.
 *
 * Every refusal is PLM_ERR_POLICY with one sentence that states the rule and
 * ends with where it is written, "(policy: kinds.feedback.stages; para 35)",
 * so a person can find it in the file and in the resolution.
 */
#include "policies/policy_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "keys/codec.h"

#define PATH_MAX_LEN 96
#define LIST_MAX_LEN 200

int plm_policy_refuse(plm_error *err, const char *path, const char *source,
                      const char *fmt, ...)
{
	char sentence[PLM_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sentence, sizeof(sentence), fmt, ap);
	va_end(ap);
	return plm_error_set(err, PLM_ERR_POLICY, "%s (policy: %s%s%s)", sentence, path,
	                     source != NULL ? "; " : "", source != NULL ? source : "");
}

static int invalid_side(enum plm_policy_side side, plm_error *err)
{
	if (side >= PLM_SIDE_SUR && side <= PLM_SIDE_SECRETARIAT)
		return 0;
	return plm_error_set(err, PLM_ERR_INVALID,
	                     "%d is not a side: expected sur, reviewer or secretariat",
	                     (int)side);
}

int plm_policy_lookup(const plm_policy *p, enum plm_policy_list list, const char *name,
                      size_t *index, plm_error *err)
{
	static const char *const what[][2] = {
	    [PLM_POLICY_INSTRUMENTS] = {"instrument", "instruments"},
	    [PLM_POLICY_TREATIES] = {"treaty", "other_treaties"},
	    [PLM_POLICY_CLUSTERS] = {"cluster", "clusters"},
	    [PLM_POLICY_PHASES] = {"cluster", "phases"},
	    [PLM_POLICY_ROLES] = {"role", "roles"},
	    [PLM_POLICY_CHANNELS] = {"channel", "channels"},
	    [PLM_POLICY_STAGES] = {"stage", "stages"},
	    [PLM_POLICY_KINDS] = {"document kind", "kinds"},
	    [PLM_POLICY_DEADLINES] = {"deadline", "deadlines"},
	    [PLM_POLICY_LANGUAGES] = {"language", "review.languages.allowed"},
	    [PLM_POLICY_MIME_TYPES] = {"type", "attachments.mime_types"},
	};
	int i;

	if (p == NULL || name == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no policy or no name to look up");
	if ((i = plm_policy_find(p, list, name)) < 0)
		return plm_policy_refuse(err, what[list][1], NULL,
		                         "the policy defines no %s '%.40s'",
		                         what[list][0], name);
	*index = (size_t)i;
	return 0;
}

const char *plm_policy_side_phrase(enum plm_policy_side side)
{
	switch (side) {
	case PLM_SIDE_SUR:
		return "the State under review";
	case PLM_SIDE_REVIEWER:
		return "a reviewing State";
	case PLM_SIDE_SECRETARIAT:
		return "the secretariat";
	}
	return "?";
}

/* Appends TEXT to OUT (capacity LEN, NUL-terminated), cutting it short. */
static void append(char *out, size_t len, const char *text)
{
	size_t used = strlen(out);

	if (used + 1 < len)
		snprintf(out + used, len - used, "%s", text);
}

/*
 * Describes WHO in OUT: "focal points, governmental experts of a reviewing
 * State; secretariat officers of the secretariat", or "nobody". SUFFIX, if
 * not NULL, follows each side's part.
 */
static void describe_who(const plm_policy *p, const plm_policy_who *who,
                         const char *suffix, char *out, size_t len)
{
	size_t role, sides = 0, roles;
	int side;

	for (side = PLM_SIDE_SUR; side <= PLM_SIDE_SECRETARIAT; side++) {
		if (who->roles[side - 1] == 0)
			continue;
		if (sides++ > 0)
			append(out, len, "; ");
		roles = 0;
		for (role = 0; role < p->n_roles; role++) {
			if (!plm_policy_who_has(who, role, side))
				continue;
			if (roles++ > 0)
				append(out, len, ", ");
			append(out, len, p->roles[role].plural);
		}
		append(out, len, " of ");
		append(out, len, plm_policy_side_phrase(side));
		if (suffix != NULL)
			append(out, len, suffix);
	}
	if (sides == 0)
		append(out, len, "nobody");
}

/* The names of the entries of LIST whose bits are set in MASK: "a, b". */
static void describe_mask(const plm_policy *p, enum plm_policy_list list, uint64_t mask,
                          char *out, size_t len)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < plm_policy_count(p, list) && i < 64; i++) {
		if (!(mask & ((uint64_t)1 << i)))
			continue;
		if (n++ > 0)
			append(out, len, ", ");
		append(out, len, plm_policy_nth(p, list, i));
	}
	if (n == 0)
		append(out, len, "none");
}

int plm_policy_role_has(const plm_policy *policy, const char *role, int right)
{
	int i;

	if (policy == NULL || (i = plm_policy_find(policy, PLM_POLICY_ROLES, role)) < 0)
		return 0;
	return (policy->roles[i].rights & (unsigned)right) != 0 && right != 0;
}

int plm_policy_may_write(const plm_policy *p, const char *role,
                         enum plm_policy_side side, const char *channel,
                         const char *kind, const char *stage, plm_error *err)
{
	const struct plm_policy_role *ro;
	const struct plm_policy_channel *ch;
	const struct plm_policy_kind *k;
	char path[PATH_MAX_LEN], list[LIST_MAX_LEN] = "";
	size_t ri = 0, ci = 0, ki = 0, si = 0;
	int r;

	if ((r = invalid_side(side, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_ROLES, role, &ri, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_CHANNELS, channel, &ci, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_KINDS, kind, &ki, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_STAGES, stage, &si, err)) != 0)
		return r;
	ro = &p->roles[ri];
	ch = &p->channels[ci];
	k = &p->kinds[ki];
	if (!(ro->rights & PLM_RIGHT_WRITE)) {
		snprintf(path, sizeof(path), "roles.%s", ro->head.name);
		if (ro->rights & PLM_RIGHT_READ)
			return plm_policy_refuse(
			    err, path, ro->head.source,
			    "%s may read this review but not write to it", ro->plural);
		return plm_policy_refuse(err, path, ro->head.source,
		                         "%s may not write to this review", ro->plural);
	}
	if (!plm_policy_who_has(&ch->write, ri, side)) {
		snprintf(path, sizeof(path), "channels.%s.audience", ch->head.name);
		if (plm_policy_who_has(&ch->read, ri, side))
			return plm_policy_refuse(
			    err, path, ch->head.source,
			    "%s of %s may read the channel '%s' but not write to it",
			    ro->plural, plm_policy_side_phrase(side), ch->head.name);
		return plm_policy_refuse(
		    err, path, ch->head.source,
		    "%s of %s are not in the audience of the channel '%s'", ro->plural,
		    plm_policy_side_phrase(side), ch->head.name);
	}
	if (!(k->channels & (1u << ci))) {
		snprintf(path, sizeof(path), "kinds.%s.channels", k->head.name);
		describe_mask(p, PLM_POLICY_CHANNELS, k->channels, list, sizeof(list));
		return plm_policy_refuse(
		    err, path, k->head.source,
		    "documents of kind '%s' may not go on the channel '%s', "
		    "only on: %s",
		    k->head.name, ch->head.name, list);
	}
	if (!plm_policy_who_has(&k->writers, ri, side)) {
		snprintf(path, sizeof(path), "kinds.%s.writers", k->head.name);
		describe_who(p, &k->writers, NULL, list, sizeof(list));
		return plm_policy_refuse(
		    err, path, k->head.source,
		    "documents of kind '%s' are written by %s, not by %s of %s",
		    k->head.name, list, ro->plural, plm_policy_side_phrase(side));
	}
	if (!(k->stages & (1u << si))) {
		snprintf(path, sizeof(path), "kinds.%s.stages", k->head.name);
		describe_mask(p, PLM_POLICY_STAGES, k->stages, list, sizeof(list));
		return plm_policy_refuse(
		    err, path, k->head.source,
		    "documents of kind '%s' may not be written in the stage "
		    "'%s', only in: %s",
		    k->head.name, p->stages[si].head.name, list);
	}
	return 0;
}

int plm_policy_may_read(const plm_policy *p, const char *role,
                        enum plm_policy_side side, const char *channel, plm_error *err)
{
	const struct plm_policy_role *ro;
	const struct plm_policy_channel *ch;
	char path[PATH_MAX_LEN];
	size_t ri = 0, ci = 0;
	int r;

	if ((r = invalid_side(side, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_ROLES, role, &ri, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_CHANNELS, channel, &ci, err)) != 0)
		return r;
	ro = &p->roles[ri];
	ch = &p->channels[ci];
	if (!(ro->rights & PLM_RIGHT_READ)) {
		snprintf(path, sizeof(path), "roles.%s", ro->head.name);
		return plm_policy_refuse(err, path, ro->head.source,
		                         "%s may not read reviews", ro->plural);
	}
	if (!plm_policy_who_has(&ch->read, ri, side)) {
		snprintf(path, sizeof(path), "channels.%s.audience", ch->head.name);
		return plm_policy_refuse(
		    err, path, ch->head.source,
		    "%s of %s are not in the audience of the channel '%s'", ro->plural,
		    plm_policy_side_phrase(side), ch->head.name);
	}
	return 0;
}

int plm_policy_channel_audience(const plm_policy *p, const char *channel,
                                const plm_policy_grant **grants, size_t *n,
                                plm_error *err)
{
	size_t ci = 0;
	int r;

	*grants = NULL;
	*n = 0;
	if ((r = plm_policy_lookup(p, PLM_POLICY_CHANNELS, channel, &ci, err)) != 0)
		return r;
	*grants = p->channels[ci].grants;
	*n = p->channels[ci].n_grants;
	return 0;
}

int plm_policy_max_size(const plm_policy *p, const char *kind, uint64_t *bytes,
                        plm_error *err)
{
	size_t ki = 0;
	int r;

	*bytes = 0;
	if ((r = plm_policy_lookup(p, PLM_POLICY_KINDS, kind, &ki, err)) != 0)
		return r;
	*bytes = p->kinds[ki].max_size;
	return 0;
}

int plm_policy_check_words(const plm_policy *p, const char *kind, uint64_t words,
                           char warning[PLM_POLICY_WARNING_MAX], plm_error *err)
{
	const struct plm_policy_kind *k;
	const char *source;
	char path[PATH_MAX_LEN];
	size_t ki = 0;
	int r;

	if (warning != NULL)
		warning[0] = '\0';
	if ((r = plm_policy_lookup(p, PLM_POLICY_KINDS, kind, &ki, err)) != 0)
		return r;
	k = &p->kinds[ki];
	source = k->words_source;
	snprintf(path, sizeof(path), "kinds.%s.words", k->head.name);
	if (k->words_refuse != 0 && words > k->words_refuse)
		return plm_policy_refuse(
		    err, path, source,
		    "documents of kind '%s' may have at most %llu words; this "
		    "one has %llu",
		    k->head.name, (unsigned long long)k->words_refuse,
		    (unsigned long long)words);
	if (k->words_warn != 0 && words > k->words_warn && warning != NULL)
		snprintf(
		    warning, PLM_POLICY_WARNING_MAX,
		    "documents of kind '%s' should not exceed %llu words; this one "
		    "has %llu (policy: %s%s%s)",
		    k->head.name, (unsigned long long)k->words_warn,
		    (unsigned long long)words, path, source != NULL ? "; " : "",
		    source != NULL ? source : "");
	return 0;
}

int plm_policy_attachment_allowed(const plm_policy *p, const char *mime, plm_error *err)
{
	char shown[64];
	size_t i, len;

	if (p == NULL || mime == NULL)
		return plm_error_set(err, PLM_ERR_INVALID, "no policy or no file type");
	while (*mime == ' ' || *mime == '\t')
		mime++;
	/* The type without parameters: "text/plain; charset=utf-8". */
	for (len = 0; mime[len] != '\0' && mime[len] != ';' && mime[len] != ' ' &&
	              mime[len] != '\t';
	     len++)
		;
	for (i = 0; len > 0 && i < p->n_mime_types; i++)
		if (strlen(p->mime_types[i]) == len &&
		    strncasecmp(p->mime_types[i], mime, len) == 0)
			return 0;
	/* Show the type safely: it may come from a file or a manifest. */
	for (i = 0; i < len && i + 1 < sizeof(shown); i++)
		shown[i] = mime[i] > 0x20 && mime[i] < 0x7F ? mime[i] : '?';
	shown[i] = '\0';
	return plm_policy_refuse(
	    err, "attachments.mime_types", p->attachments_source,
	    "files of type '%s' may not be attached; the policy lists the "
	    "types that may",
	    len > 0 ? shown : "(none)");
}

int plm_policy_next_stage(const plm_policy *p, const char *from, const char **next,
                          plm_error *err)
{
	size_t si = 0;
	int r;

	*next = NULL;
	if ((r = plm_policy_lookup(p, PLM_POLICY_STAGES, from, &si, err)) != 0)
		return r;
	if (si + 1 >= p->n_stages)
		return plm_policy_refuse(
		    err, "stages", NULL,
		    "'%s' is the last stage: the review does not move on",
		    p->stages[si].head.name);
	*next = p->stages[si + 1].head.name;
	return 0;
}

int plm_policy_may_advance(const plm_policy *p, const char *from, const char *to,
                           const char *role, enum plm_policy_side side, plm_error *err)
{
	const struct plm_policy_stage *s;
	char path[PATH_MAX_LEN], list[LIST_MAX_LEN] = "";
	const char *next;
	size_t fi, ti = 0, ri = 0;
	unsigned rights;
	int r;

	if ((r = invalid_side(side, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_STAGES, to, &ti, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_ROLES, role, &ri, err)) != 0 ||
	    (r = plm_policy_next_stage(p, from, &next, err)) != 0)
		return r;
	fi = (size_t)plm_policy_find(p, PLM_POLICY_STAGES, from);
	s = &p->stages[fi];
	if (ti != fi + 1)
		return plm_policy_refuse(
		    err, "stages", NULL,
		    "the review moves from the stage '%s' only to the next "
		    "one, '%s', not to '%s'",
		    s->head.name, next, p->stages[ti].head.name);
	rights = p->roles[ri].rights;
	if ((plm_policy_who_has(&s->advance_manage, ri, side) &&
	     (rights & PLM_RIGHT_MANAGE)) ||
	    (plm_policy_who_has(&s->advance_submit, ri, side) &&
	     (rights & PLM_RIGHT_SUBMIT)))
		return 0;
	snprintf(path, sizeof(path), "stages.%s.advanced_by", s->head.name);
	describe_who(p, &s->advance_manage, NULL, list, sizeof(list));
	if (s->advance_submit.roles[0] | s->advance_submit.roles[1] |
	    s->advance_submit.roles[2]) {
		append(list, sizeof(list), ", or ");
		describe_who(p, &s->advance_submit, " by the final submission", list,
		             sizeof(list));
	}
	return plm_policy_refuse(err, path, s->head.source,
	                         "only %s may move the review on from the stage '%s'",
	                         list, s->head.name);
}

int plm_policy_may_agree(const plm_policy *p, const char *role,
                         enum plm_policy_side side, const char *kind, const char *stage,
                         plm_error *err)
{
	const struct plm_policy_role *ro;
	const struct plm_policy_kind *k;
	char path[PATH_MAX_LEN], list[LIST_MAX_LEN] = "";
	size_t ri = 0, ki = 0, si = 0;
	int r;

	if ((r = invalid_side(side, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_ROLES, role, &ri, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_KINDS, kind, &ki, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_STAGES, stage, &si, err)) != 0)
		return r;
	ro = &p->roles[ri];
	k = &p->kinds[ki];
	snprintf(path, sizeof(path), "kinds.%s.agreed_by", k->head.name);
	if (!k->needs_agreement)
		return plm_policy_refuse(err, path, k->head.source,
		                         "documents of kind '%s' are not agreed to",
		                         k->head.name);
	if (!plm_policy_who_has(&k->agreed_by, ri, side) ||
	    !(ro->rights & PLM_RIGHT_AGREE)) {
		describe_who(p, &k->agreed_by, NULL, list, sizeof(list));
		return plm_policy_refuse(
		    err, path, k->head.source,
		    "documents of kind '%s' are agreed to by %s, not by %s "
		    "of %s",
		    k->head.name, list, ro->plural, plm_policy_side_phrase(side));
	}
	if (!(k->stages & (1u << si))) {
		snprintf(path, sizeof(path), "kinds.%s.stages", k->head.name);
		describe_mask(p, PLM_POLICY_STAGES, k->stages, list, sizeof(list));
		return plm_policy_refuse(
		    err, path, k->head.source,
		    "documents of kind '%s' may not be agreed to in the stage "
		    "'%s', only in: %s",
		    k->head.name, p->stages[si].head.name, list);
	}
	return 0;
}

int plm_policy_may_disclose(const plm_policy *p, const char *role,
                            enum plm_policy_side side, const char *kind,
                            const char *scope, plm_error *err)
{
	static const char *const audience[2] = {"all States parties", "the public"};
	const struct plm_policy_scope *sc;
	char path[PATH_MAX_LEN], list[LIST_MAX_LEN] = "";
	size_t ri = 0, ki = 0;
	int r, s;

	if ((r = invalid_side(side, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_ROLES, role, &ri, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_KINDS, kind, &ki, err)) != 0)
		return r;
	if ((s = plm_policy_scope_index(scope)) < 0)
		return plm_policy_refuse(
		    err, "disclosure.scopes", NULL,
		    "there is no disclosure scope '%.40s': expected parties "
		    "or public",
		    scope != NULL ? scope : "(null)");
	if (!plm_policy_who_has(&p->disclosure.by, ri, side) ||
	    !(p->roles[ri].rights & PLM_RIGHT_DISCLOSE)) {
		describe_who(p, &p->disclosure.by, NULL, list, sizeof(list));
		return plm_policy_refuse(
		    err, "disclosure.by", p->disclosure.source,
		    "only %s may disclose documents of a review, not %s of %s", list,
		    p->roles[ri].plural, plm_policy_side_phrase(side));
	}
	sc = &p->disclosure.scopes[s];
	if (!sc->defined || !(sc->kinds & ((uint64_t)1 << ki))) {
		snprintf(path, sizeof(path), "disclosure.scopes.%s.kinds", scope);
		return plm_policy_refuse(
		    err, path, sc->source,
		    "documents of kind '%s' may not be disclosed to %s",
		    p->kinds[ki].head.name, audience[s]);
	}
	return 0;
}

int plm_policy_disclosed_by_default(const plm_policy *p, const char *kind,
                                    const char *scope)
{
	int ki, s;

	if (p == NULL || (ki = plm_policy_find(p, PLM_POLICY_KINDS, kind)) < 0 ||
	    (s = plm_policy_scope_index(scope)) < 0)
		return 0;
	return (p->disclosure.scopes[s].by_default >> ki) & 1;
}

int plm_policy_in_parties_group(const plm_policy *p, const char *role)
{
	int ri;

	if (p == NULL || (ri = plm_policy_find(p, PLM_POLICY_ROLES, role)) < 0)
		return 0;
	return (p->disclosure.parties_group >> ri) & 1;
}

/* 1 if NAME is in the NULL-terminated LIST (which may be NULL). */
static int listed(const char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

int plm_policy_articles(const plm_policy *p, const char *instrument,
                        const char *cluster, const char *const *sur_party_to,
                        unsigned out[PLM_POLICY_ARTICLES_MAX], size_t *n,
                        plm_error *err)
{
	const struct plm_policy_article_list *list;
	size_t ii = 0, ci = 0, i;
	int r;

	*n = 0;
	r = plm_policy_lookup(p, PLM_POLICY_INSTRUMENTS, instrument, &ii, err);
	if (r != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_CLUSTERS, cluster, &ci, err)) != 0)
		return r;
	list = &p->clusters[ci].articles[ii];
	for (i = 0; i < list->n; i++) {
		const char *unless = list->items[i].only_if_not_party_to;
		if (unless != NULL && listed(sur_party_to, unless))
			continue;
		out[(*n)++] = list->items[i].number;
	}
	return 0;
}

int plm_policy_history_on_replacement(const plm_policy *p, const char *role)
{
	int ri = plm_policy_find(p, PLM_POLICY_ROLES, role);

	return ri >= 0 && (p->history.on_replacement & ((uint32_t)1 << ri)) != 0;
}
