/*
 * questionnaire.c - the self-assessment questionnaire form and the check of
 * a filled-in answers file (questionnaire.h, docs/QUESTIONNAIRE.md).
 *
 * The form is generated from the policy: the articles of each instrument in
 * the review's cluster (plm_policy_articles, which drops the articles a
 * State is not reviewed on given the treaties it is party to) and the list
 * of technical assistance (questionnaire.assistance). The check never stops
 * at the first problem: it collects them all, each positioned in the file,
 * so that an expert fixes a whole form in one pass.
 */
#include "policies/questionnaire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "policies/policy_impl.h"
#include "policies/yaml.h"

/* A growing text buffer for the template. */
struct text_buf {
	char *s;
	size_t len, cap;
	int failed;
};

/* Appends the printf-style text to B; on allocation failure marks B failed. */
__attribute__((format(printf, 2, 3))) static void put(struct text_buf *b,
                                                      const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t need;
	char *grown;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	need = b->len + (size_t)n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < need)
			cap *= 2;
		if ((grown = realloc(b->s, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->s = grown;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Writes the empty text map of one field, one key per working language. */
static void put_text_field(struct text_buf *b, const plm_questionnaire_spec *spec,
                           const char *field, const char *comment)
{
	size_t i;

	put(b, "      %s:  # %s\n", field, comment);
	put(b, "        en: \"\"\n");
	for (i = 0; i < spec->n_languages; i++)
		if (strcmp(spec->languages[i], "en") != 0)
			put(b, "        %s: \"\"  # optional\n", spec->languages[i]);
}

int plm_questionnaire_template(const plm_policy *policy,
                               const plm_questionnaire_spec *spec, char **text,
                               size_t *len, plm_error *err)
{
	struct text_buf b = {NULL, 0, 0, 0};
	unsigned articles[PLM_POLICY_ARTICLES_MAX];
	const char *name, *title;
	size_t i, j, n;
	int r = 0;

	if (policy == NULL || spec == NULL || text == NULL || len == NULL ||
	    spec->cluster == NULL || spec->review == NULL)
		return plm_error_set(err, PLM_ERR_INVALID, "no questionnaire to write");
	*text = NULL;
	*len = 0;
	if (plm_policy_title(policy, PLM_POLICY_CLUSTERS, spec->cluster) == NULL) {
		r = plm_error_set(
		    err, PLM_ERR_POLICY,
		    "the policy defines no cluster '%.64s' (policy: clusters)",
		    spec->cluster);
		goto out;
	}
	put(&b, "# Palermo questionnaire: the self-assessment of %s for review %s\n",
	    spec->state != NULL ? spec->state : "the State under review", spec->review);
	put(&b, "# Cluster: %s (%s). Policy: %s.\n",
	    plm_policy_title(policy, PLM_POLICY_CLUSTERS, spec->cluster), spec->cluster,
	    plm_policy_name(policy));
	put(&b,
	    "#\n# Answer every article below, offline, then run\n"
	    "#   palermo questionnaire check THIS-FILE\n"
	    "#   palermo questionnaire submit %s THIS-FILE [--final]\n#\n",
	    spec->review);
	put(&b,
	    "# For each article:\n"
	    "#   implemented:  yes, partly or no (required)\n"
	    "#   legislation:  the legislation that implements it: text excerpts,\n"
	    "#                 or documents listed under attachments (required when\n"
	    "#                 implemented is yes or partly)\n"
	    "#   attachments:  files (laws, judgments, reports), relative to this\n"
	    "#                 file: PDF, ODF, OOXML, text, Markdown, RTF, images\n"
	    "#   cases:        cases and examples of application\n"
	    "#   difficulties: the difficulties met\n"
	    "#   assistance:   the technical assistance needed, a list chosen from:\n");
	for (i = 0; i < plm_policy_assistance_count(policy); i++) {
		name = plm_policy_assistance_at(policy, i, &title);
		put(&b, "#                   %-22s %s\n", name, title);
	}
	put(&b, "# Texts are given per language: en (English) is required; the other\n"
	        "# working languages of the review are optional. Leave what does not\n"
	        "# apply empty (\"\").\n\n");
	put(&b, "questionnaire_format: %d\npolicy: %s\nreview: %s\n",
	    PLM_QUESTIONNAIRE_FORMAT, plm_policy_name(policy), spec->review);
	if (spec->state != NULL)
		put(&b, "state: %s\n", spec->state);
	put(&b, "cluster: %s\ninstruments: [", spec->cluster);
	for (i = 0; i < spec->n_instruments; i++)
		put(&b, "%s%s", i ? ", " : "", spec->instruments[i]);
	put(&b,
	    "]\n# The treaties the State under review is party to (they decide which\n"
	    "# articles are reviewed).\nparty_to: [");
	for (i = 0; spec->party_to != NULL && spec->party_to[i] != NULL; i++)
		put(&b, "%s%s", i ? ", " : "", spec->party_to[i]);
	put(&b, "]\nanswers:\n");
	for (i = 0; i < spec->n_instruments; i++) {
		if ((r = plm_policy_articles(policy, spec->instruments[i],
		                             spec->cluster, spec->party_to, articles,
		                             &n, err)) != 0)
			goto out;
		put(&b, "  %s:  # %s\n", spec->instruments[i],
		    plm_policy_title(policy, PLM_POLICY_INSTRUMENTS,
		                     spec->instruments[i]));
		if (n == 0)
			put(&b, "    {}  # no article of this instrument in this "
			        "cluster\n");
		for (j = 0; j < n; j++) {
			put(&b, "    %u:  # article %u\n", articles[j], articles[j]);
			put(&b, "      implemented:  # yes | partly | no\n");
			put_text_field(&b, spec, "legislation", "text excerpts");
			put(&b, "      attachments: []  # e.g. "
			        "[laws/penal-code-art416bis.pdf]\n");
			put_text_field(&b, spec, "cases", "cases and examples");
			put_text_field(&b, spec, "difficulties", "difficulties met");
			put(&b, "      assistance: []  # names from the list above\n");
		}
	}
	if (b.failed) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory writing the form");
		goto out;
	}
	*text = b.s;
	*len = b.len;
	b.s = NULL;
out:
	free(b.s);
	return r;
}

/* ---- the check -------------------------------------------------------- */

struct checker {
	const plm_policy *policy;
	plm_ydoc *doc;
	plm_questionnaire_report *rep;
	int nomem;
};

/* Adds "file:line:column: <message>" about NODE to the report. */
__attribute__((format(printf, 3, 4))) static void
problem(struct checker *c, const plm_ynode *node, const char *fmt, ...)
{
	char text[PLM_ERROR_MESSAGE_MAX];
	plm_error e;
	va_list ap;
	char *copy;

	c->rep->n_problems++;
	if (c->rep->n_kept == PLM_QUESTIONNAIRE_PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	plm_yaml_error(c->doc, node, PLM_ERR_FORMAT, &e, "%s", text);
	if ((copy = strdup(e.message)) == NULL) {
		c->nomem = 1;
		return;
	}
	c->rep->problems[c->rep->n_kept++] = copy;
}

/* Reports the first key of MAP outside ALLOWED; returns 1 if there was one. */
static int unknown_keys(struct checker *c, const plm_ynode *map,
                        const char *const allowed[])
{
	plm_error e;

	if (plm_yaml_check_keys(c->doc, map, allowed, &e) == 0)
		return 0;
	c->rep->n_problems++;
	if (c->rep->n_kept < PLM_QUESTIONNAIRE_PROBLEMS_MAX) {
		char *copy = strdup(e.message);
		if (copy == NULL)
			c->nomem = 1;
		else
			c->rep->problems[c->rep->n_kept++] = copy;
	}
	return 1;
}

/* A scalar string node, else a problem naming WHAT; NULL when not one. */
static const char *scalar(struct checker *c, const plm_ynode *node, const char *what)
{
	if (node->kind != PLM_Y_SCALAR) {
		problem(c, node, "invalid value: expected %s, found a %s", what,
		        node->kind == PLM_Y_MAP ? "map" : "list");
		return NULL;
	}
	return node->value;
}

/*
 * Checks the text map FIELD (language -> text) of an answer; *HAS_EN is set
 * when its English text is not empty. English is required as soon as any
 * language is filled in.
 */
static void check_text(struct checker *c, const plm_ynode *node, const char *field,
                       const char *where, int *has_en)
{
	const char *v, *en = NULL;
	size_t i;
	int other = 0;

	*has_en = 0;
	if (node->kind != PLM_Y_MAP) {
		problem(c, node,
		        "invalid value for %s of %s: expected texts per language "
		        "(en: \"...\")",
		        field, where);
		return;
	}
	for (i = 0; i < node->n; i++) {
		if (plm_policy_find(c->policy, PLM_POLICY_LANGUAGES,
		                    node->keys[i]->value) < 0) {
			problem(
			    c, node->keys[i],
			    "invalid language '%.16s' in %s of %s: expected a working "
			    "language such as en, fr, es",
			    node->keys[i]->value, field, where);
			continue;
		}
		if ((v = scalar(c, node->items[i], "a text")) == NULL)
			continue;
		if (!plm_str_valid(v, node->items[i]->len, PLM_STR_TEXT)) {
			problem(c, node->items[i],
			        "invalid text in %s of %s: control characters or "
			        "invalid UTF-8",
			        field, where);
			continue;
		}
		if (strcmp(node->keys[i]->value, "en") == 0)
			en = v;
		else if (v[0] != '\0')
			other = 1;
	}
	*has_en = en != NULL && en[0] != '\0';
	if (other && !*has_en)
		problem(c, node, "missing answer: %s of %s has no English text (en)",
		        field, where);
}

/* Checks the answer to one article; returns 1 when it is complete and valid. */
static int check_answer(struct checker *c, const plm_ynode *node,
                        const char *instrument, unsigned article)
{
	static const char *const keys[] = {"implemented", "legislation",  "attachments",
	                                   "cases",       "difficulties", "assistance",
	                                   NULL};
	const plm_ynode *v;
	const char *s, *title;
	char where[96];
	size_t before = c->rep->n_problems, i, j;
	int implemented = 0, has_en = 0, files = 0;
	plm_questionnaire_attachment *a;

	snprintf(where, sizeof(where), "article %u of %s", article, instrument);
	if (node->kind != PLM_Y_MAP) {
		problem(c, node, "invalid value for %s: expected the answer's fields",
		        where);
		return 0;
	}
	unknown_keys(c, node, keys);
	if ((v = plm_yaml_get(node, "implemented")) == NULL)
		problem(c, node,
		        "missing answer: %s lacks 'implemented' (yes, partly or no)",
		        where);
	else if ((s = scalar(c, v, "yes, partly or no")) != NULL) {
		if (s[0] == '\0')
			problem(
			    c, v,
			    "missing answer: is %s implemented? (yes, partly or no)",
			    where);
		else if (strcmp(s, "yes") == 0 || strcmp(s, "partly") == 0)
			implemented = 1;
		else if (strcmp(s, "no") != 0)
			problem(
			    c, v,
			    "invalid value '%.40s' for implemented (%s): expected yes, "
			    "partly or no",
			    s, where);
	}
	if ((v = plm_yaml_get(node, "attachments")) != NULL) {
		if (v->kind != PLM_Y_SEQ)
			problem(
			    c, v,
			    "invalid value for attachments of %s: expected a list of "
			    "files",
			    where);
		else
			for (i = 0; i < v->n; i++) {
				if ((s = scalar(c, v->items[i], "a file name")) == NULL)
					continue;
				if (s[0] == '\0') {
					problem(c, v->items[i],
					        "invalid value: an empty file name");
					continue;
				}
				files++;
				if (c->rep->n_attachments ==
				    PLM_QUESTIONNAIRE_ATTACHMENTS_MAX) {
					problem(c, v->items[i],
					        "too many attachments: at most %d per "
					        "answers file",
					        PLM_QUESTIONNAIRE_ATTACHMENTS_MAX);
					continue;
				}
				a = &c->rep->attachments[c->rep->n_attachments++];
				a->path = s;
				a->instrument = instrument;
				a->article = article;
				a->line = v->items[i]->line;
				a->column = v->items[i]->column;
			}
	}
	if ((v = plm_yaml_get(node, "legislation")) != NULL)
		check_text(c, v, "the legislation", where, &has_en);
	if (implemented && !has_en && files == 0)
		problem(
		    c, v != NULL ? v : node,
		    "missing answer: the legislation of %s (text under legislation.en, "
		    "or files under attachments)",
		    where);
	if ((v = plm_yaml_get(node, "cases")) != NULL)
		check_text(c, v, "the cases", where, &has_en);
	if ((v = plm_yaml_get(node, "difficulties")) != NULL)
		check_text(c, v, "the difficulties", where, &has_en);
	if ((v = plm_yaml_get(node, "assistance")) != NULL) {
		if (v->kind != PLM_Y_SEQ)
			problem(c, v,
			        "invalid value for assistance of %s: expected a list",
			        where);
		else
			for (i = 0; i < v->n; i++) {
				if ((s = scalar(c, v->items[i],
				                "a kind of assistance")) == NULL)
					continue;
				for (j = 0; j < plm_policy_assistance_count(c->policy);
				     j++)
					if (strcmp(s, plm_policy_assistance_at(
					                  c->policy, j, &title)) == 0)
						break;
				if (j == plm_policy_assistance_count(c->policy))
					problem(c, v->items[i],
					        "invalid value '%.40s' for assistance "
					        "(%s): expected "
					        "one of the names listed at the top of "
					        "the form "
					        "(policy: questionnaire.assistance)",
					        s, where);
			}
	}
	return c->rep->n_problems == before;
}

/* Checks the answers of INSTRUMENT (node NODE) against the ARTICLES expected. */
static void check_instrument(struct checker *c, const plm_ynode *node,
                             const char *instrument, const unsigned *articles, size_t n)
{
	const plm_ynode *key;
	uint64_t number;
	size_t i, j;
	plm_error e;
	int *seen = NULL;
	char list[512];

	if (node->kind == PLM_Y_SCALAR && node->len == 0 && n == 0)
		return;
	if (node->kind != PLM_Y_MAP) {
		problem(c, node,
		        "invalid value for %s: expected a map of article answers",
		        instrument);
		return;
	}
	list[0] = '\0';
	for (j = 0; j < n; j++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%u",
		         j ? ", " : "", articles[j]);
	if ((seen = calloc(n + 1, sizeof(*seen))) == NULL) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < node->n; i++) {
		key = node->keys[i];
		if (plm_yaml_uint(c->doc, key, 1, PLM_POLICY_ARTICLE_MAX, &number,
		                  &e) != 0) {
			problem(c, key,
			        "invalid key '%.40s' under %s: expected an article "
			        "number (%s)",
			        key->value, instrument, list);
			continue;
		}
		for (j = 0; j < n && articles[j] != number; j++)
			;
		if (j == n) {
			problem(
			    c, key,
			    "article %u of %s is not reviewed in this cluster for this "
			    "State (expected: %s)",
			    (unsigned)number, instrument, n ? list : "none");
			continue;
		}
		seen[j] = 1;
		if (check_answer(c, node->items[i], instrument, articles[j]))
			c->rep->n_answers++;
	}
	for (j = 0; j < n; j++)
		if (!seen[j])
			problem(c, node, "missing answer: article %u of %s",
			        articles[j], instrument);
	free(seen);
}

/* Reads a list of names of LIST kinds into OUT (NULL-terminated, CAP). */
static int name_list(struct checker *c, const plm_ynode *seq, const char *what,
                     const char **out, size_t cap, int treaties)
{
	size_t i, n = 0;
	const char *s;

	if (seq->kind != PLM_Y_SEQ) {
		problem(c, seq, "invalid value: expected a list of %s", what);
		return -1;
	}
	for (i = 0; i < seq->n; i++) {
		if ((s = scalar(c, seq->items[i], what)) == NULL)
			return -1;
		if (plm_policy_find(c->policy, PLM_POLICY_INSTRUMENTS, s) < 0 &&
		    (!treaties ||
		     plm_policy_find(c->policy, PLM_POLICY_TREATIES, s) < 0)) {
			problem(c, seq->items[i],
			        "invalid value '%.40s': expected one of the "
			        "%s the policy defines",
			        s, what);
			return -1;
		}
		if (n + 1 >= cap) {
			problem(c, seq->items[i], "too many %s", what);
			return -1;
		}
		out[n++] = s;
	}
	out[n] = NULL;
	return (int)n;
}

int plm_questionnaire_check(const plm_policy *policy, const char *name,
                            const char *text, size_t len,
                            plm_questionnaire_report **out, plm_error *err)
{
	static const char *const keys[] = {
	    "questionnaire_format", "policy",   "review",  "state", "cluster",
	    "instruments",          "party_to", "answers", NULL};
	enum { CAP = PLM_POLICY_INSTRUMENTS_MAX + PLM_POLICY_TREATIES_MAX + 1 };
	const char *instruments[CAP], *party_to[CAP], *s;
	unsigned articles[PLM_POLICY_ARTICLES_MAX];
	struct checker c;
	const plm_ynode *root, *v, *answers;
	plm_questionnaire_report *rep = NULL;
	plm_ydoc *doc = NULL;
	uint64_t format;
	size_t i, n;
	int n_inst = -1, r, cluster_ok = 0;
	plm_error e;

	if (policy == NULL || name == NULL || out == NULL || (text == NULL && len > 0))
		return plm_error_set(err, PLM_ERR_INVALID, "no answers to check");
	*out = NULL;
	if ((r = plm_yaml_parse(name, text != NULL ? text : "", len, &doc, err)) != 0)
		return r;
	if ((rep = calloc(1, sizeof(*rep))) == NULL ||
	    (rep->problems = calloc(PLM_QUESTIONNAIRE_PROBLEMS_MAX, sizeof(char *))) ==
	        NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory checking %s",
		                  name);
		goto out;
	}
	rep->doc = doc;
	doc = NULL;
	memset(&c, 0, sizeof(c));
	c.policy = policy;
	c.doc = rep->doc;
	c.rep = rep;
	party_to[0] = NULL;
	root = c.doc->root;
	if (root == NULL || root->kind != PLM_Y_MAP) {
		problem(&c, root,
		        "expected the answers of a questionnaire (a map with "
		        "questionnaire_format, review, cluster, answers)");
		goto done;
	}
	unknown_keys(&c, root, keys);
	if ((v = plm_yaml_get(root, "questionnaire_format")) == NULL)
		problem(&c, root, "missing field 'questionnaire_format'");
	else if (plm_yaml_uint(c.doc, v, 1, 1000, &format, &e) != 0 ||
	         format != PLM_QUESTIONNAIRE_FORMAT)
		problem(&c, v,
		        "invalid value: this program reads questionnaire_format %d",
		        PLM_QUESTIONNAIRE_FORMAT);
	if ((v = plm_yaml_get(root, "policy")) == NULL)
		problem(&c, root, "missing field 'policy'");
	else if ((s = scalar(&c, v, "a policy name")) != NULL &&
	         strcmp(s, plm_policy_name(policy)) != 0)
		problem(&c, v, "invalid value '%.40s': this form is for policy '%s'", s,
		        plm_policy_name(policy));
	if ((v = plm_yaml_get(root, "review")) == NULL)
		problem(&c, root, "missing field 'review'");
	else if ((s = scalar(&c, v, "a review id")) != NULL) {
		if (v->len == 0 || v->len > 64 || !plm_str_valid(s, v->len, PLM_STR_ID))
			problem(&c, v, "invalid value '%.40s': expected a review id",
			        s);
		else
			rep->review = s;
	}
	if ((v = plm_yaml_get(root, "state")) != NULL &&
	    (s = scalar(&c, v, "a State")) &&
	    (v->len == 0 || v->len > 8 || !plm_str_valid(s, v->len, PLM_STR_STATE)))
		problem(&c, v, "invalid value '%.40s': expected a State such as ITA",
		        s);
	if ((v = plm_yaml_get(root, "cluster")) == NULL)
		problem(&c, root, "missing field 'cluster'");
	else if ((s = scalar(&c, v, "a cluster")) != NULL) {
		if (plm_policy_find(policy, PLM_POLICY_CLUSTERS, s) < 0)
			problem(
			    &c, v,
			    "invalid value '%.40s': expected a cluster of the policy",
			    s);
		else {
			rep->cluster = s;
			cluster_ok = 1;
		}
	}
	if ((v = plm_yaml_get(root, "instruments")) == NULL)
		problem(&c, root, "missing field 'instruments'");
	else if ((n_inst = name_list(&c, v, "instruments", instruments, CAP, 0)) == 0) {
		problem(&c, v, "invalid value: at least one instrument is needed");
		n_inst = -1;
	}
	if ((v = plm_yaml_get(root, "party_to")) != NULL &&
	    name_list(&c, v, "treaties", party_to, CAP, 1) < 0)
		party_to[0] = NULL;
	if ((answers = plm_yaml_get(root, "answers")) == NULL) {
		problem(&c, root, "missing field 'answers'");
		goto done;
	}
	if (answers->kind != PLM_Y_MAP) {
		problem(&c, answers,
		        "invalid value: expected the answers per instrument");
		goto done;
	}
	if (!cluster_ok || n_inst < 0)
		goto done;
	for (i = 0; i < answers->n; i++) {
		for (n = 0; n < (size_t)n_inst; n++)
			if (strcmp(answers->keys[i]->value, instruments[n]) == 0)
				break;
		if (n == (size_t)n_inst)
			problem(&c, answers->keys[i],
			        "unknown key '%.40s': not an instrument listed under "
			        "'instruments'",
			        answers->keys[i]->value);
	}
	for (i = 0; i < (size_t)n_inst; i++) {
		if ((r = plm_policy_articles(policy, instruments[i], rep->cluster,
		                             party_to, articles, &n, err)) != 0)
			goto out;
		rep->n_expected += n;
		if ((v = plm_yaml_get(answers, instruments[i])) == NULL) {
			if (n > 0)
				problem(&c, answers,
				        "missing answer: the answers for %s",
				        instruments[i]);
			continue;
		}
		check_instrument(&c, v, instruments[i], articles, n);
	}
done:
	if (c.nomem) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory checking %s",
		                  name);
		goto out;
	}
	*out = rep;
	rep = NULL;
	r = 0;
out:
	plm_yaml_free(doc);
	plm_questionnaire_report_free(rep);
	return r;
}

void plm_questionnaire_report_free(plm_questionnaire_report *report)
{
	size_t i;

	if (report == NULL)
		return;
	for (i = 0; report->problems != NULL && i < report->n_kept; i++)
		free(report->problems[i]);
	free(report->problems);
	plm_yaml_free(report->doc);
	free(report);
}
