/*
 * policy_load.c - reads a policy file and checks it against its schema
 * (docs/POLICY.md). Every problem is reported as "file:line:column: what was
 * expected", at the node that is wrong: the unknown key, the value of the
 * wrong type, the map that lacks a field, the reference to a name that is
 * not defined (the helpers are in policy_read.c).
 *
 * The sections are read in the order of the sections[] table, each after
 * the ones it refers to, whatever their order in the file. Names are
 * resolved into indexes and masks as they are read (policy_impl.h).
 */
#include "policies/policy_read.h"

#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/record.h"

#define MIME_MAX 127

static int parse_format(struct plm_policy_loader *l, const plm_ynode *node)
{
	uint64_t format;
	int r;

	if ((r = plm_yaml_uint(l->doc, node, 1, UINT32_MAX, &format, l->err)) != 0)
		return r;
	if (format != PLM_POLICY_FORMAT)
		return plm_policy_read_fail(
		    l, node, PLM_ERR_VERSION,
		    "policy_format %llu is not supported: this program reads "
		    "policy_format %d",
		    (unsigned long long)format, PLM_POLICY_FORMAT);
	return 0;
}

static int parse_name(struct plm_policy_loader *l, const plm_ynode *node)
{
	int r;

	if ((r = plm_policy_read_name(l, node, "the policy's name")) != 0)
		return r;
	l->p->name = node->value;
	return 0;
}

static int parse_title(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_text(l, node, &l->p->title);
}

static int instrument_entry(struct plm_policy_loader *l, size_t i,
                            const plm_ynode *name, const plm_ynode *def)
{
	static const char *const keys[] = {"title", "source", NULL};
	int r;

	if ((r = plm_policy_keys(l, def, keys)) != 0)
		return r;
	return plm_policy_read_head(l, name, def, &l->p->instruments[i]);
}

static int parse_instruments(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_map(l, node, "instruments", 1,
	                                 PLM_POLICY_INSTRUMENTS_MAX,
	                                 &l->p->n_instruments, instrument_entry);
}

static int treaty_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                        const plm_ynode *def)
{
	static const char *const keys[] = {"title", "source", NULL};
	int r;

	if ((r = plm_policy_keys(l, def, keys)) != 0)
		return r;
	if (plm_policy_find(l->p, PLM_POLICY_INSTRUMENTS, name->value) >= 0)
		return plm_policy_read_fail(
		    l, name, PLM_ERR_FORMAT,
		    "'%s' is already defined under 'instruments'", name->value);
	return plm_policy_read_head(l, name, def, &l->p->treaties[i]);
}

static int parse_treaties(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_map(l, node, "other treaties", 0,
	                                 PLM_POLICY_TREATIES_MAX, &l->p->n_treaties,
	                                 treaty_entry);
}

/*
 * Reads a list of articles: numbers, or {article: N, only_if_not_party_to:
 * TREATY} for an article reviewed only for States not party to TREATY.
 * OUT->items is malloc'ed (freed by plm_policy_free).
 */
static int article_list(struct plm_policy_loader *l, const plm_ynode *seq,
                        struct plm_policy_article_list *out)
{
	static const char *const keys[] = {"article", "only_if_not_party_to", NULL};
	const plm_ynode *item, *number, *cond;
	struct plm_policy_article *a;
	uint64_t v;
	size_t i, j, index;
	int r;

	r = plm_policy_expect(l, seq, PLM_Y_SEQ, "a list of article numbers");
	if (r != 0)
		return r;
	if (seq->n > PLM_POLICY_ARTICLES_MAX)
		return plm_policy_read_fail(l, seq, PLM_ERR_LIMIT,
		                            "at most %d articles may be listed",
		                            PLM_POLICY_ARTICLES_MAX);
	out->items = calloc(seq->n + 1, sizeof(*out->items));
	if (out->items == NULL)
		return plm_error_set(l->err, PLM_ERR_NOMEM, "out of memory reading %s",
		                     l->doc->file);
	for (i = 0; i < seq->n; i++) {
		item = seq->items[i];
		a = &out->items[i];
		number = item;
		if (item->kind == PLM_Y_MAP) {
			if ((r = plm_policy_keys(l, item, keys)) != 0 ||
			    (r = plm_yaml_require(l->doc, item, "article", &number,
			                          l->err)) != 0)
				return r;
			cond = plm_yaml_get(item, "only_if_not_party_to");
			if (cond != NULL) {
				if ((r = plm_policy_expect(l, cond, PLM_Y_SCALAR,
				                           "a treaty")) != 0)
					return r;
				if (plm_policy_find(l->p, PLM_POLICY_INSTRUMENTS,
				                    cond->value) < 0 &&
				    (r = plm_policy_ref(l, cond, PLM_POLICY_TREATIES,
				                        &index)) != 0)
					return r;
				a->only_if_not_party_to = cond->value;
			}
		} else if (item->kind != PLM_Y_SCALAR) {
			return plm_policy_read_fail(
			    l, item, PLM_ERR_FORMAT,
			    "expected an article number or {article: N, "
			    "only_if_not_party_to: TREATY}");
		}
		if ((r = plm_yaml_uint(l->doc, number, 1, PLM_POLICY_ARTICLE_MAX, &v,
		                       l->err)) != 0)
			return r;
		a->number = (unsigned)v;
		for (j = 0; j < i; j++)
			if (out->items[j].number == a->number)
				return plm_policy_read_fail(
				    l, number, PLM_ERR_FORMAT,
				    "article %u is listed twice", a->number);
		out->n = i + 1;
	}
	return 0;
}

static int cluster_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                         const plm_ynode *def)
{
	static const char *const keys[] = {"title", "source", "articles", NULL};
	struct plm_policy_cluster *c = &l->p->clusters[i];
	const plm_ynode *articles, *list;
	size_t k, index;
	int r;

	/* Counted now so that plm_policy_free frees its article lists. */
	l->p->n_clusters = i + 1;
	if ((r = plm_policy_keys(l, def, keys)) != 0 ||
	    (r = plm_policy_read_head(l, name, def, &c->head)) != 0 ||
	    (r = plm_yaml_require(l->doc, def, "articles", &articles, l->err)) != 0 ||
	    (r = plm_policy_expect(
	         l, articles, PLM_Y_MAP,
	         "the articles of each instrument, as instrument: [...]")) != 0)
		return r;
	for (k = 0; k < articles->n; k++)
		if ((r = plm_policy_ref(l, articles->keys[k], PLM_POLICY_INSTRUMENTS,
		                        &index)) != 0)
			return r;
	for (k = 0; k < l->p->n_instruments; k++) {
		list = plm_yaml_get(articles, l->p->instruments[k].name);
		if (list == NULL)
			return plm_policy_read_fail(
			    l, articles, PLM_ERR_FORMAT,
			    "missing field '%s' (write %s: [] when the "
			    "instrument has no article in this cluster)",
			    l->p->instruments[k].name, l->p->instruments[k].name);
		if ((r = article_list(l, list, &c->articles[k])) != 0)
			return r;
	}
	return 0;
}

static int parse_clusters(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_map(l, node, "clusters", 1,
	                                 PLM_POLICY_CLUSTERS_MAX, &l->p->n_clusters,
	                                 cluster_entry);
}

static int parse_phases(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"order", "duration", NULL};
	const plm_ynode *order, *duration;
	uint64_t seen = 0;
	size_t i, index;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "order and duration")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "order", &order, l->err)) != 0 ||
	    (r = plm_policy_ref_list(l, order, PLM_POLICY_CLUSTERS, 1, &seen)) != 0)
		return r;
	for (i = 0; i < order->n; i++) {
		plm_policy_ref(l, order->items[i], PLM_POLICY_CLUSTERS, &index);
		l->p->phases[i] = index;
	}
	l->p->n_phases = order->n;
	for (i = 0; i < l->p->n_clusters; i++)
		if (!(seen & ((uint64_t)1 << i)))
			return plm_policy_read_fail(
			    l, order, PLM_ERR_FORMAT,
			    "the phase order must list every cluster; '%s' is "
			    "missing",
			    l->p->clusters[i].head.name);
	if ((r = plm_yaml_require(l->doc, node, "duration", &duration, l->err)) != 0)
		return r;
	return plm_policy_read_duration(l, duration, &l->p->phase_duration);
}

static int role_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                      const plm_ynode *def)
{
	static const char *const keys[] = {"title",     "plural", "may",
	                                   "read_only", "source", NULL};
	struct plm_policy_role *role = &l->p->roles[i];
	const plm_ynode *may, *right;
	size_t k, j;
	int r;

	if ((r = plm_policy_keys(l, def, keys)) != 0 ||
	    (r = plm_policy_read_head(l, name, def, &role->head)) != 0 ||
	    (r = plm_policy_text_field(l, def, "plural", 1, &role->plural)) != 0 ||
	    (r = plm_policy_read_bool(l, def, "read_only", 0, &role->read_only)) != 0 ||
	    (r = plm_yaml_require(l->doc, def, "may", &may, l->err)) != 0 ||
	    (r = plm_policy_expect(l, may, PLM_Y_SEQ, "a list of rights")) != 0)
		return r;
	for (k = 0; k < may->n; k++) {
		right = may->items[k];
		if ((r = plm_policy_expect(l, right, PLM_Y_SCALAR, "a right")) != 0)
			return r;
		for (j = 0; plm_policy_right_names[j] != NULL; j++)
			if (strcmp(right->value, plm_policy_right_names[j]) == 0)
				break;
		if (plm_policy_right_names[j] == NULL)
			return plm_policy_read_fail(
			    l, right, PLM_ERR_FORMAT,
			    "expected a right (read, write, submit, agree, "
			    "disclose or manage), found '%s'",
			    right->value);
		if (role->rights & (1u << j))
			return plm_policy_read_fail(l, right, PLM_ERR_FORMAT,
			                            "'%s' is listed twice",
			                            right->value);
		if (role->read_only && (1u << j) != PLM_RIGHT_READ)
			return plm_policy_read_fail(
			    l, right, PLM_ERR_FORMAT,
			    "the role '%s' is read_only: it may have no right "
			    "but read, found '%s'",
			    name->value, right->value);
		role->rights |= 1u << j;
	}
	return 0;
}

static int parse_roles(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_map(l, node, "roles", 1, PLM_POLICY_ROLES_MAX,
	                                 &l->p->n_roles, role_entry);
}

static int channel_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                         const plm_ynode *def)
{
	static const char *const keys[] = {"title", "source", "audience", NULL};
	struct plm_policy_channel *c = &l->p->channels[i];
	const plm_ynode *audience;
	size_t role;
	int r, side;

	if ((r = plm_policy_keys(l, def, keys)) != 0 ||
	    (r = plm_policy_read_head(l, name, def, &c->head)) != 0 ||
	    (r = plm_yaml_require(l->doc, def, "audience", &audience, l->err)) != 0 ||
	    (r = plm_policy_read_who(l, audience, PLM_WHO_AUDIENCE, 1, &c->read,
	                             &c->write)) != 0)
		return r;
	for (role = 0; role < l->p->n_roles; role++) {
		for (side = PLM_SIDE_SUR; side <= PLM_SIDE_SECRETARIAT; side++) {
			if (!plm_policy_who_has(&c->read, role, side))
				continue;
			c->grants[c->n_grants].role = l->p->roles[role].head.name;
			c->grants[c->n_grants].side = side;
			c->grants[c->n_grants].write =
			    plm_policy_who_has(&c->write, role, side);
			c->n_grants++;
		}
	}
	return 0;
}

static int parse_channels(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_map(l, node, "channels", 1,
	                                 PLM_POLICY_CHANNELS_MAX, &l->p->n_channels,
	                                 channel_entry);
}

static int stage_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                       const plm_ynode *def)
{
	static const char *const keys[] = {"name", "title", "source", "advanced_by",
	                                   NULL};
	struct plm_policy_stage *s = &l->p->stages[i];
	const plm_ynode *by;
	int r;

	if ((r = plm_policy_keys(l, def, keys)) != 0 ||
	    (r = plm_policy_read_head(l, name, def, &s->head)) != 0)
		return r;
	if ((by = plm_yaml_get(def, "advanced_by")) == NULL)
		return 0;
	return plm_policy_read_who(l, by, PLM_WHO_ADVANCE, 1, &s->advance_manage,
	                           &s->advance_submit);
}

/* Every stage but the last says who moves the review on; the last cannot. */
static int parse_stages(struct plm_policy_loader *l, const plm_ynode *node)
{
	const plm_ynode *def;
	size_t i;
	int r;

	if ((r = plm_policy_read_named_list(l, node, "stages", 1, PLM_POLICY_STAGES_MAX,
	                                    &l->p->n_stages, stage_entry)) != 0)
		return r;
	for (i = 0; i < node->n; i++) {
		def = node->items[i];
		if (i + 1 == node->n && plm_yaml_get(def, "advanced_by") != NULL)
			return plm_policy_read_fail(
			    l, plm_yaml_get(def, "advanced_by"), PLM_ERR_FORMAT,
			    "the last stage cannot be moved on: remove "
			    "advanced_by");
		if (i + 1 < node->n && plm_yaml_get(def, "advanced_by") == NULL)
			return plm_policy_read_fail(
			    l, def, PLM_ERR_FORMAT,
			    "missing field 'advanced_by' (who may move the "
			    "review on from stage '%s')",
			    l->p->stages[i].head.name);
	}
	return 0;
}

static int deadline_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                          const plm_ynode *def)
{
	static const char *const keys[] = {"name",   "title",  "from_stage", "within",
	                                   "source", "until_stage", NULL};
	plm_policy_deadline *d = &l->p->deadlines[i];
	struct plm_policy_entry head;
	const plm_ynode *from, *within, *until;
	size_t stage, until_stage;
	int r;

	if ((r = plm_policy_keys(l, def, keys)) != 0 ||
	    (r = plm_policy_read_head(l, name, def, &head)) != 0 ||
	    (r = plm_yaml_require(l->doc, def, "from_stage", &from, l->err)) != 0 ||
	    (r = plm_policy_ref(l, from, PLM_POLICY_STAGES, &stage)) != 0 ||
	    (r = plm_yaml_require(l->doc, def, "within", &within, l->err)) != 0 ||
	    (r = plm_policy_read_duration(l, within, &d->within)) != 0)
		return r;
	d->name = head.name;
	d->title = head.title;
	d->source = head.source;
	d->from_stage = l->p->stages[stage].head.name;
	d->until_stage = d->from_stage;
	/* Met when the review leaves until_stage, which cannot come before. */
	if ((until = plm_yaml_get(def, "until_stage")) != NULL) {
		if ((r = plm_policy_ref(l, until, PLM_POLICY_STAGES, &until_stage)) != 0)
			return r;
		if (until_stage < stage)
			return plm_policy_read_fail(l, until, PLM_ERR_FORMAT,
			                            "expected a stage at or after the "
			                            "from_stage '%s', found '%s'",
			                            d->from_stage,
			                            l->p->stages[until_stage].head.name);
		d->until_stage = l->p->stages[until_stage].head.name;
	}
	return 0;
}

static int parse_deadlines(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_list(l, node, "deadlines", 0,
	                                  PLM_POLICY_DEADLINES_MAX, &l->p->n_deadlines,
	                                  deadline_entry);
}

/* kinds.K.words: {warn_above, refuse_above, source}, at least one limit. */
static int kind_words(struct plm_policy_loader *l, const plm_ynode *words,
                      struct plm_policy_kind *k)
{
	static const char *const keys[] = {"warn_above", "refuse_above", "source",
	                                   NULL};
	const plm_ynode *warn, *refuse;
	int r;

	if ((r = plm_policy_expect(l, words, PLM_Y_MAP, "word limits")) != 0 ||
	    (r = plm_policy_keys(l, words, keys)) != 0 ||
	    (r = plm_policy_text_field(l, words, "source", 0, &k->words_source)) != 0)
		return r;
	warn = plm_yaml_get(words, "warn_above");
	refuse = plm_yaml_get(words, "refuse_above");
	if (warn == NULL && refuse == NULL)
		return plm_policy_read_fail(
		    l, words, PLM_ERR_FORMAT,
		    "expected warn_above, refuse_above or both");
	if ((warn != NULL && (r = plm_yaml_uint(l->doc, warn, 1, PLM_POLICY_WORDS_MAX,
	                                        &k->words_warn, l->err)) != 0) ||
	    (refuse != NULL &&
	     (r = plm_yaml_uint(l->doc, refuse, 1, PLM_POLICY_WORDS_MAX,
	                        &k->words_refuse, l->err)) != 0))
		return r;
	if (warn != NULL && refuse != NULL && k->words_warn >= k->words_refuse)
		return plm_policy_read_fail(
		    l, warn, PLM_ERR_FORMAT,
		    "warn_above must be less than refuse_above (%llu)",
		    (unsigned long long)k->words_refuse);
	return 0;
}

static int kind_entry(struct plm_policy_loader *l, size_t i, const plm_ynode *name,
                      const plm_ynode *def)
{
	static const char *const keys[] = {"title",   "source",    "channels",
	                                   "writers", "stages",    "max_size",
	                                   "words",   "agreed_by", NULL};
	struct plm_policy_kind *k = &l->p->kinds[i];
	const plm_ynode *writers, *size, *words, *agreed;
	plm_policy_who reach = {{0, 0, 0}};
	uint64_t mask;
	size_t c, role;
	int r, s;

	if ((r = plm_policy_keys(l, def, keys)) != 0 ||
	    (r = plm_policy_read_head(l, name, def, &k->head)) != 0 ||
	    (r = plm_policy_ref_field(l, def, "channels", PLM_POLICY_CHANNELS, 1,
	                              &mask)) != 0)
		return r;
	k->channels = (uint32_t)mask;
	if ((r = plm_yaml_require(l->doc, def, "writers", &writers, l->err)) != 0 ||
	    (r = plm_policy_read_who(l, writers, PLM_WHO_WRITERS, 1, &k->writers,
	                             NULL)) != 0 ||
	    (r = plm_policy_ref_field(l, def, "stages", PLM_POLICY_STAGES, 1, &mask)) !=
	        0)
		return r;
	k->stages = (uint32_t)mask;
	/* Every writer must be able to write on one of the kind's channels. */
	for (c = 0; c < l->p->n_channels; c++)
		for (s = 0; s < PLM_POLICY_SIDES; s++)
			if (k->channels & (1u << c))
				reach.roles[s] |= l->p->channels[c].write.roles[s];
	for (s = PLM_SIDE_SUR; s <= PLM_SIDE_SECRETARIAT; s++)
		for (role = 0; role < l->p->n_roles; role++)
			if (plm_policy_who_has(&k->writers, role, s) &&
			    !plm_policy_who_has(&reach, role, s))
				return plm_policy_read_fail(
				    l, writers, PLM_ERR_FORMAT,
				    "the role '%s' of side '%s' is a writer but "
				    "cannot write on any of the kind's channels",
				    l->p->roles[role].head.name,
				    plm_policy_side_name(s));
	if ((r = plm_yaml_require(l->doc, def, "max_size", &size, l->err)) != 0 ||
	    (r = plm_policy_read_size(l, size, &k->max_size)) != 0)
		return r;
	if ((words = plm_yaml_get(def, "words")) != NULL &&
	    (r = kind_words(l, words, k)) != 0)
		return r;
	if ((agreed = plm_yaml_get(def, "agreed_by")) != NULL) {
		if ((r = plm_policy_read_who(l, agreed, PLM_WHO_AGREE, 1, &k->agreed_by,
		                             NULL)) != 0)
			return r;
		k->needs_agreement = 1;
	}
	return 0;
}

static int parse_kinds(struct plm_policy_loader *l, const plm_ynode *node)
{
	return plm_policy_read_named_map(l, node, "kinds", 1, PLM_POLICY_KINDS_MAX,
	                                 &l->p->n_kinds, kind_entry);
}

static int parse_attachments(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"mime_types", "source", NULL};
	const plm_ynode *types, *t;
	size_t i, j;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "the attachment rules")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_text_field(l, node, "source", 0,
	                               &l->p->attachments_source)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "mime_types", &types, l->err)) != 0 ||
	    (r = plm_policy_expect(l, types, PLM_Y_SEQ, "a list of MIME types")) != 0)
		return r;
	if (types->n > PLM_POLICY_MIME_TYPES_MAX)
		return plm_policy_read_fail(l, types, PLM_ERR_LIMIT,
		                            "at most %d MIME types may be listed",
		                            PLM_POLICY_MIME_TYPES_MAX);
	for (i = 0; i < types->n; i++) {
		t = types->items[i];
		if ((r = plm_policy_expect(l, t, PLM_Y_SCALAR, "a MIME type")) != 0)
			return r;
		for (j = 0; j < t->len; j++)
			if ((t->value[j] >= 'A' && t->value[j] <= 'Z') ||
			    t->value[j] == ';')
				break;
		if (t->len < 3 || t->len > MIME_MAX || j < t->len ||
		    !plm_str_valid(t->value, t->len, PLM_STR_MIME))
			return plm_policy_read_fail(
			    l, t, PLM_ERR_FORMAT,
			    "expected a MIME type in lower case without "
			    "parameters, such as application/pdf, found '%s'",
			    t->value);
		for (j = 0; j < i; j++)
			if (strcmp(l->p->mime_types[j], t->value) == 0)
				return plm_policy_read_fail(l, t, PLM_ERR_FORMAT,
				                            "'%s' is listed twice",
				                            t->value);
		l->p->mime_types[i] = t->value;
		l->p->n_mime_types = i + 1;
	}
	return 0;
}

static int assistance_entry(struct plm_policy_loader *l, size_t i,
                            const plm_ynode *name, const plm_ynode *def)
{
	static const char *const keys[] = {"title", "source", NULL};
	int r;

	if ((r = plm_policy_keys(l, def, keys)) != 0)
		return r;
	return plm_policy_read_head(l, name, def, &l->p->assistance[i]);
}

/* questionnaire: {assistance: {name: {title}}, source} (POLICY.md §3.12). */
static int parse_questionnaire(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"assistance", "source", NULL};
	const plm_ynode *assistance;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "the questionnaire rules")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_text_field(l, node, "source", 0,
	                               &l->p->questionnaire_source)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "assistance", &assistance, l->err)) != 0)
		return r;
	return plm_policy_read_named_map(l, assistance, "kinds of technical assistance",
	                                 1, PLM_POLICY_ASSISTANCE_MAX,
	                                 &l->p->n_assistance, assistance_entry);
}

static int review_languages(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"allowed", "min", "max", "source", NULL};
	const plm_ynode *allowed, *lang;
	size_t i, j, max;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "the language rules")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_text_field(l, node, "source", 0,
	                               &l->p->review.languages_source)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "allowed", &allowed, l->err)) != 0 ||
	    (r = plm_policy_expect(l, allowed, PLM_Y_SEQ,
	                           "a list of language codes")) != 0)
		return r;
	if (allowed->n == 0 || allowed->n > PLM_POLICY_LANGUAGES_MAX)
		return plm_policy_read_fail(l, allowed, PLM_ERR_LIMIT,
		                            "expected 1 to %d language codes",
		                            PLM_POLICY_LANGUAGES_MAX);
	for (i = 0; i < allowed->n; i++) {
		lang = allowed->items[i];
		r = plm_policy_expect(l, lang, PLM_Y_SCALAR, "a language code");
		if (r != 0)
			return r;
		if (!plm_str_valid(lang->value, lang->len, PLM_STR_LANG))
			return plm_policy_read_fail(
			    l, lang, PLM_ERR_FORMAT,
			    "expected a two-letter ISO 639-1 code in lower case "
			    "(en, fr), found '%s'",
			    lang->value);
		for (j = 0; j < i; j++)
			if (strcmp(l->p->review.languages[j], lang->value) == 0)
				return plm_policy_read_fail(l, lang, PLM_ERR_FORMAT,
				                            "'%s' is listed twice",
				                            lang->value);
		l->p->review.languages[i] = lang->value;
		l->p->review.n_languages = i + 1;
	}
	/* A roster carries at most PLM_ROSTER_LANGUAGES_MAX languages. */
	max = allowed->n < PLM_ROSTER_LANGUAGES_MAX ? allowed->n
	                                            : PLM_ROSTER_LANGUAGES_MAX;
	if ((r = plm_policy_read_uint(l, node, "min", 1, max,
	                              &l->p->review.languages_min)) != 0)
		return r;
	return plm_policy_read_uint(l, node, "max", l->p->review.languages_min, max,
	                            &l->p->review.languages_max);
}

static int parse_review(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"sur_must_be_party", "reviewing_states",
	                                   "languages", NULL};
	static const char *const reviewing_keys[] = {"per_instrument_min",
	                                             "per_instrument_max",
	                                             "total_max",
	                                             "must_be_party",
	                                             "may_review_itself",
	                                             "source",
	                                             NULL};
	const plm_ynode *reviewing, *languages;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "the review rules")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_read_bool(l, node, "sur_must_be_party", 1,
	                              &l->p->review.sur_must_be_party)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "reviewing_states", &reviewing,
	                          l->err)) != 0 ||
	    (r = plm_policy_expect(l, reviewing, PLM_Y_MAP,
	                           "the rules on reviewing States")) != 0 ||
	    (r = plm_policy_keys(l, reviewing, reviewing_keys)) != 0 ||
	    (r = plm_policy_text_field(l, reviewing, "source", 0,
	                               &l->p->review.source)) != 0 ||
	    /* A roster carries at most PLM_ROSTER_REVIEWING_MAX per instrument. */
	    (r = plm_policy_read_uint(l, reviewing, "per_instrument_min", 1,
	                              PLM_ROSTER_REVIEWING_MAX,
	                              &l->p->review.per_instrument_min)) != 0 ||
	    (r = plm_policy_read_uint(
	         l, reviewing, "per_instrument_max", l->p->review.per_instrument_min,
	         PLM_ROSTER_REVIEWING_MAX, &l->p->review.per_instrument_max)) != 0 ||
	    (r = plm_policy_read_uint(
	         l, reviewing, "total_max", l->p->review.per_instrument_max,
	         PLM_ROSTER_INSTRUMENTS_MAX * PLM_ROSTER_REVIEWING_MAX,
	         &l->p->review.total_max)) != 0 ||
	    (r = plm_policy_read_bool(l, reviewing, "must_be_party", 1,
	                              &l->p->review.must_be_party)) != 0 ||
	    (r = plm_policy_read_bool(l, reviewing, "may_review_itself", 1,
	                              &l->p->review.may_review_itself)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "languages", &languages, l->err)) != 0)
		return r;
	return review_languages(l, languages);
}

static int disclosure_scope(struct plm_policy_loader *l, const plm_ynode *node,
                            struct plm_policy_scope *scope)
{
	static const char *const keys[] = {"kinds", "by_default", "source", NULL};
	const plm_ynode *by_default;
	size_t i;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP,
	                           "the kinds of a disclosure scope")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_text_field(l, node, "source", 0, &scope->source)) != 0 ||
	    (r = plm_policy_ref_field(l, node, "kinds", PLM_POLICY_KINDS, 0,
	                              &scope->kinds)) != 0)
		return r;
	scope->defined = 1;
	if ((by_default = plm_yaml_get(node, "by_default")) == NULL)
		return 0;
	if ((r = plm_policy_ref_list(l, by_default, PLM_POLICY_KINDS, 0,
	                             &scope->by_default)) != 0)
		return r;
	for (i = 0; i < by_default->n; i++) {
		int k = plm_policy_find(l->p, PLM_POLICY_KINDS,
		                        by_default->items[i]->value);
		if (!(scope->kinds & ((uint64_t)1 << k)))
			return plm_policy_read_fail(
			    l, by_default->items[i], PLM_ERR_FORMAT,
			    "'%s' is disclosed by default but is not among the "
			    "kinds of this scope",
			    by_default->items[i]->value);
	}
	return 0;
}

static int parse_disclosure(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"by", "source", "parties_group", "scopes",
	                                   NULL};
	static const char *const scope_keys[] = {"parties", "public", NULL};
	const plm_ynode *by, *scopes, *scope;
	uint64_t group;
	int r, i;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "the disclosure rules")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_text_field(l, node, "source", 0,
	                               &l->p->disclosure.source)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "by", &by, l->err)) != 0 ||
	    (r = plm_policy_read_who(l, by, PLM_WHO_DISCLOSE, 0, &l->p->disclosure.by,
	                             NULL)) != 0 ||
	    (r = plm_policy_ref_field(l, node, "parties_group", PLM_POLICY_ROLES, 0,
	                              &group)) != 0 ||
	    (r = plm_yaml_require(l->doc, node, "scopes", &scopes, l->err)) != 0 ||
	    (r = plm_policy_expect(l, scopes, PLM_Y_MAP, "the disclosure scopes")) !=
	        0 ||
	    (r = plm_policy_keys(l, scopes, scope_keys)) != 0)
		return r;
	l->p->disclosure.parties_group = (uint32_t)group;
	for (i = 0; scope_keys[i] != NULL; i++) {
		scope = plm_yaml_get(scopes, scope_keys[i]);
		if (scope != NULL &&
		    (r = disclosure_scope(l, scope, &l->p->disclosure.scopes[i])) != 0)
			return r;
	}
	return 0;
}

/*
 * history: the roles whose new member receives the keys of the epochs
 * before they joined by default, when they replace a member of the same
 * State and role (DESIGN.md §6).
 */
static int parse_history(struct plm_policy_loader *l, const plm_ynode *node)
{
	static const char *const keys[] = {"on_replacement", "source", NULL};
	uint64_t roles = 0;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, "the history rules")) != 0 ||
	    (r = plm_policy_keys(l, node, keys)) != 0 ||
	    (r = plm_policy_text_field(l, node, "source", 0, &l->p->history.source)) !=
	        0 ||
	    (r = plm_policy_ref_field(l, node, "on_replacement", PLM_POLICY_ROLES, 0,
	                              &roles)) != 0)
		return r;
	l->p->history.on_replacement = (uint32_t)roles;
	return 0;
}

/*
 * The top-level sections, in the order they are read: each after those it
 * refers to. A new section is one line here (and its key is allowed).
 */
static const struct section {
	const char *key;
	int required;
	int (*parse)(struct plm_policy_loader *l, const plm_ynode *node);
} sections[] = {
    {"policy_format", 1, parse_format},
    {"name", 1, parse_name},
    {"title", 1, parse_title},
    {"instruments", 1, parse_instruments},
    {"other_treaties", 0, parse_treaties},
    {"clusters", 1, parse_clusters},
    {"phases", 1, parse_phases},
    {"roles", 1, parse_roles},
    {"channels", 1, parse_channels},
    {"stages", 1, parse_stages},
    {"deadlines", 0, parse_deadlines},
    {"kinds", 1, parse_kinds},
    {"attachments", 0, parse_attachments},
    {"questionnaire", 0, parse_questionnaire},
    {"review", 1, parse_review},
    {"disclosure", 1, parse_disclosure},
    {"history", 0, parse_history},
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

int plm_policy_parse(const char *name, const char *text, size_t len, plm_policy **out,
                     plm_error *err)
{
	const char *allowed[N_SECTIONS + 1];
	const plm_ynode *node;
	struct plm_policy_loader l;
	plm_policy *p = NULL;
	size_t i;
	int r;

	if (out == NULL)
		return plm_error_set(err, PLM_ERR_INVALID, "no place for the policy");
	*out = NULL;
	if (name == NULL || (text == NULL && len > 0))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a policy needs a name and a text");
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory reading %s", name);
		goto out;
	}
	/* The digest covers the exact bytes, comments and all. */
	plm_hash(p->digest, text != NULL ? text : "", len);
	r = plm_yaml_parse(name, text != NULL ? text : "", len, &p->doc, err);
	if (r != 0)
		goto out;
	l.p = p;
	l.doc = p->doc;
	l.err = err;
	for (i = 0; i < N_SECTIONS; i++)
		allowed[i] = sections[i].key;
	allowed[N_SECTIONS] = NULL;
	if ((r = plm_policy_expect(&l, p->doc->root, PLM_Y_MAP, "a policy")) != 0 ||
	    (r = plm_policy_keys(&l, p->doc->root, allowed)) != 0)
		goto out;
	for (i = 0; i < N_SECTIONS; i++) {
		node = plm_yaml_get(p->doc->root, sections[i].key);
		if (node == NULL && sections[i].required) {
			r = plm_yaml_require(l.doc, p->doc->root, sections[i].key,
			                     &node, err);
			goto out;
		}
		if (node != NULL && (r = sections[i].parse(&l, node)) != 0)
			goto out;
	}
out:
	if (r != 0) {
		plm_policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

int plm_policy_load(const char *path, plm_policy **out, plm_error *err)
{
	char *text = NULL;
	size_t len;
	int r;

	if (out == NULL || path == NULL)
		return plm_error_set(err, PLM_ERR_INVALID, "no policy file named");
	*out = NULL;
	if ((r = plm_yaml_read_file(path, &text, &len, err)) != 0)
		return r;
	r = plm_policy_parse(path, text, len, out, err);
	free(text);
	return r;
}
