/*
 * policy_read.c - the schema helpers of the policy loader (policy_read.h):
 * typed values, references to defined names, who lists and named sections,
 * each reporting a problem as "file:line:column: what was expected" at the
 * node that is wrong. The sections themselves are in policy_load.c.
 */
#include "policies/policy_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/codec.h"

/* Reports "file:line:column: <message>" about NODE, with CODE. */
int plm_policy_read_fail(struct plm_policy_loader *l, const plm_ynode *node, int code,
                         const char *fmt, ...)
{
	char msg[PLM_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return plm_yaml_error(l->doc, node, code, l->err, "%s", msg);
}

int plm_policy_expect(struct plm_policy_loader *l, const plm_ynode *node,
                      enum plm_ynode_kind kind, const char *what)
{
	return plm_yaml_expect(l->doc, node, kind, what, l->err);
}

int plm_policy_keys(struct plm_policy_loader *l, const plm_ynode *map,
                    const char *const allowed[])
{
	return plm_yaml_check_keys(l->doc, map, allowed, l->err);
}

/* NODE must be one or more characters of class TEXT, at most PLM_POLICY_TEXT_MAX bytes.
 */
int plm_policy_read_text(struct plm_policy_loader *l, const plm_ynode *node,
                         const char **out)
{
	int r;

	*out = NULL;
	if ((r = plm_yaml_string(l->doc, node, out, l->err)) != 0)
		return r;
	if (node->len == 0 || node->len > PLM_POLICY_TEXT_MAX ||
	    !plm_str_valid(node->value, node->len, PLM_STR_TEXT)) {
		*out = NULL;
		return plm_policy_read_fail(
		    l, node, PLM_ERR_FORMAT,
		    "expected a text of 1 to %d characters without control "
		    "characters",
		    PLM_POLICY_TEXT_MAX);
	}
	return 0;
}

/*
 * Reads the text field KEY of MAP into *OUT (a string of the YAML tree).
 * A missing field is an error if REQUIRED, else *OUT is NULL.
 */
int plm_policy_text_field(struct plm_policy_loader *l, const plm_ynode *map,
                          const char *key, int required, const char **out)
{
	const plm_ynode *node = plm_yaml_get(map, key);

	*out = NULL;
	if (node == NULL)
		return required ? plm_yaml_require(l->doc, map, key, &node, l->err) : 0;
	return plm_policy_read_text(l, node, out);
}

/* A duration or size scalar (policy.c parses it), any failure shown at NODE. */
int plm_policy_read_duration(struct plm_policy_loader *l, const plm_ynode *node,
                             plm_policy_duration *out)
{
	plm_error e;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_SCALAR,
	                           "a duration such as 6w or 6mo")) != 0)
		return r;
	if ((r = plm_policy_parse_duration(node->value, out, &e)) != 0)
		return plm_policy_read_fail(l, node, r, "%s", e.message);
	return 0;
}

int plm_policy_read_size(struct plm_policy_loader *l, const plm_ynode *node,
                         uint64_t *out)
{
	plm_error e;
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_SCALAR, "a size such as 16MiB")) != 0)
		return r;
	if ((r = plm_policy_parse_size(node->value, out, &e)) != 0)
		return plm_policy_read_fail(l, node, r, "%s", e.message);
	return 0;
}

/* Reads an optional boolean KEY of MAP (default 0). */
int plm_policy_read_bool(struct plm_policy_loader *l, const plm_ynode *map,
                         const char *key, int required, int *out)
{
	const plm_ynode *node = plm_yaml_get(map, key);

	*out = 0;
	if (node == NULL)
		return required ? plm_yaml_require(l->doc, map, key, &node, l->err) : 0;
	return plm_yaml_bool(l->doc, node, out, l->err);
}

/* Reads the required whole number KEY of MAP within [MIN, MAX]. */
int plm_policy_read_uint(struct plm_policy_loader *l, const plm_ynode *map,
                         const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const plm_ynode *node;
	int r;

	if ((r = plm_yaml_require(l->doc, map, key, &node, l->err)) != 0)
		return r;
	return plm_yaml_uint(l->doc, node, min, max, out, l->err);
}

/* NODE must be a scalar in the class NAME, 1..PLM_POLICY_NAME_MAX bytes. */
int plm_policy_read_name(struct plm_policy_loader *l, const plm_ynode *node,
                         const char *what)
{
	int r;

	if ((r = plm_policy_expect(l, node, PLM_Y_SCALAR, what)) != 0)
		return r;
	if (node->len == 0 || node->len > PLM_POLICY_NAME_MAX ||
	    !plm_str_valid(node->value, node->len, PLM_STR_NAME))
		return plm_policy_read_fail(
		    l, node, PLM_ERR_FORMAT,
		    "'%s' is not a valid name: expected 1 to %d lower-case "
		    "letters, digits and '_', starting with a letter",
		    node->value, PLM_POLICY_NAME_MAX);
	return 0;
}

/* What each list is called in messages: "a role defined under 'roles'". */
static const char *list_noun(enum plm_policy_list list)
{
	switch (list) {
	case PLM_POLICY_INSTRUMENTS:
		return "an instrument defined under 'instruments'";
	case PLM_POLICY_TREATIES:
		return "a treaty defined under 'other_treaties'";
	case PLM_POLICY_CLUSTERS:
	case PLM_POLICY_PHASES:
		return "a cluster defined under 'clusters'";
	case PLM_POLICY_ROLES:
		return "a role defined under 'roles'";
	case PLM_POLICY_CHANNELS:
		return "a channel defined under 'channels'";
	case PLM_POLICY_STAGES:
		return "a stage defined under 'stages'";
	case PLM_POLICY_KINDS:
		return "a document kind defined under 'kinds'";
	case PLM_POLICY_DEADLINES:
		return "a deadline defined under 'deadlines'";
	case PLM_POLICY_LANGUAGES:
		return "a language of review.languages.allowed";
	case PLM_POLICY_MIME_TYPES:
		return "a type of attachments.mime_types";
	}
	return "a defined name";
}

/* "a, b, c" from the names of LIST, cut short to fit OUT. */
static void list_names(const plm_policy *p, enum plm_policy_list list, char *out,
                       size_t outlen)
{
	size_t i, used = 0, n = plm_policy_count(p, list);
	int w;

	out[0] = '\0';
	for (i = 0; i < n && used < outlen; i++) {
		w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "",
		             plm_policy_nth(p, list, i));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/*
 * Resolves the reference NODE to an index of LIST in *INDEX; an undefined
 * name is reported at NODE with the names that are defined.
 */
int plm_policy_ref(struct plm_policy_loader *l, const plm_ynode *node,
                   enum plm_policy_list list, size_t *index)
{
	char names[160];
	int i, r;

	if ((r = plm_policy_expect(l, node, PLM_Y_SCALAR, list_noun(list))) != 0)
		return r;
	i = plm_policy_find(l->p, list, node->value);
	if (i < 0) {
		list_names(l->p, list, names, sizeof(names));
		return plm_policy_read_fail(l, node, PLM_ERR_FORMAT,
		                            "expected %s (%s), found '%s'",
		                            list_noun(list), names, node->value);
	}
	*index = (size_t)i;
	return 0;
}

/*
 * Reads a list of references to LIST into the mask *MASK, refusing a name
 * listed twice, and an empty list when NONEMPTY.
 */
int plm_policy_ref_list(struct plm_policy_loader *l, const plm_ynode *seq,
                        enum plm_policy_list list, int nonempty, uint64_t *mask)
{
	size_t i, index;
	char what[96];
	int r;

	*mask = 0;
	snprintf(what, sizeof(what), "a list of names, each %s", list_noun(list));
	if ((r = plm_policy_expect(l, seq, PLM_Y_SEQ, what)) != 0)
		return r;
	if (nonempty && seq->n == 0)
		return plm_policy_read_fail(l, seq, PLM_ERR_FORMAT,
		                            "expected %s, found an empty list", what);
	for (i = 0; i < seq->n; i++) {
		if ((r = plm_policy_ref(l, seq->items[i], list, &index)) != 0)
			return r;
		if (*mask & ((uint64_t)1 << index))
			return plm_policy_read_fail(l, seq->items[i], PLM_ERR_FORMAT,
			                            "'%s' is listed twice",
			                            seq->items[i]->value);
		*mask |= (uint64_t)1 << index;
	}
	return 0;
}

/* The required reference list KEY of MAP (see plm_policy_ref_list). */
int plm_policy_ref_field(struct plm_policy_loader *l, const plm_ynode *map,
                         const char *key, enum plm_policy_list list, int nonempty,
                         uint64_t *mask)
{
	const plm_ynode *node;
	int r;

	if ((r = plm_yaml_require(l->doc, map, key, &node, l->err)) != 0)
		return r;
	return plm_policy_ref_list(l, node, list, nonempty, mask);
}

/* ---- who lists: [{side: sur, roles: [focal_point]}, ...] --------------- */

/*
 * Reads one {side, roles, ...} entry of a who list, adding its pairs to
 * *A (and *B, as USE says), after checking that each role holds the right
 * the use needs and that no pair is listed twice in the list.
 */
static int who_entry(struct plm_policy_loader *l, const plm_ynode *entry,
                     enum plm_policy_who_use use, plm_policy_who *a, plm_policy_who *b)
{
	static const char *const plain_keys[] = {"side", "roles", NULL};
	static const char *const audience_keys[] = {"side", "roles", "access", NULL};
	static const char *const advance_keys[] = {"side", "roles", "as", NULL};
	const plm_ynode *side_node, *roles, *extra;
	enum plm_policy_side side;
	plm_policy_who *into = a;
	unsigned need;
	int r, both = 0;
	size_t i, role;

	if ((r = plm_policy_expect(l, entry, PLM_Y_MAP,
	                           "an entry {side: ..., roles: [...]}")) != 0 ||
	    (r = plm_policy_keys(l, entry,
	                         use == PLM_WHO_AUDIENCE  ? audience_keys
	                         : use == PLM_WHO_ADVANCE ? advance_keys
	                                                  : plain_keys)) != 0 ||
	    (r = plm_yaml_require(l->doc, entry, "side", &side_node, l->err)) != 0 ||
	    (r = plm_yaml_require(l->doc, entry, "roles", &roles, l->err)) != 0)
		return r;
	if ((r = plm_policy_expect(l, side_node, PLM_Y_SCALAR, "a side")) != 0)
		return r;
	if (plm_policy_side_parse(side_node->value, &side, NULL) != 0)
		return plm_policy_read_fail(
		    l, side_node, PLM_ERR_FORMAT,
		    "expected a side (sur, reviewer or secretariat), found '%s'",
		    side_node->value);
	need = use == PLM_WHO_WRITERS    ? PLM_RIGHT_WRITE
	       : use == PLM_WHO_AGREE    ? PLM_RIGHT_AGREE
	       : use == PLM_WHO_DISCLOSE ? PLM_RIGHT_DISCLOSE
	       : use == PLM_WHO_ADVANCE  ? PLM_RIGHT_MANAGE
	                                 : PLM_RIGHT_READ;
	if (use == PLM_WHO_AUDIENCE) {
		r = plm_yaml_require(l->doc, entry, "access", &extra, l->err);
		if (r != 0 || (r = plm_policy_expect(l, extra, PLM_Y_SCALAR,
		                                     "read or write")) != 0)
			return r;
		if (strcmp(extra->value, "write") == 0) {
			need |= PLM_RIGHT_WRITE;
			both = 1;
		} else if (strcmp(extra->value, "read") != 0) {
			return plm_policy_read_fail(
			    l, extra, PLM_ERR_FORMAT,
			    "expected read or write, found '%s'", extra->value);
		}
	}
	if (use == PLM_WHO_ADVANCE && (extra = plm_yaml_get(entry, "as")) != NULL) {
		if ((r = plm_policy_expect(l, extra, PLM_Y_SCALAR,
		                           "final_submission")) != 0)
			return r;
		if (strcmp(extra->value, "final_submission") != 0)
			return plm_policy_read_fail(
			    l, extra, PLM_ERR_FORMAT,
			    "expected final_submission, found '%s'", extra->value);
		need = PLM_RIGHT_SUBMIT;
		into = b;
	}
	if ((r = plm_policy_expect(l, roles, PLM_Y_SEQ, "a list of roles")) != 0)
		return r;
	if (roles->n == 0)
		return plm_policy_read_fail(
		    l, roles, PLM_ERR_FORMAT,
		    "expected a list of roles, found an empty list");
	for (i = 0; i < roles->n; i++) {
		const struct plm_policy_role *def;
		unsigned missing;

		r = plm_policy_ref(l, roles->items[i], PLM_POLICY_ROLES, &role);
		if (r != 0)
			return r;
		def = &l->p->roles[role];
		if (plm_policy_who_has(a, role, side) ||
		    (b != NULL && plm_policy_who_has(b, role, side)))
			return plm_policy_read_fail(
			    l, roles->items[i], PLM_ERR_FORMAT,
			    "the role '%s' of side '%s' is listed twice",
			    def->head.name, side_node->value);
		missing = need & ~def->rights;
		if (missing != 0) {
			size_t bit = 0;
			while (!(missing & (1u << bit)))
				bit++;
			return plm_policy_read_fail(
			    l, roles->items[i], PLM_ERR_FORMAT,
			    "the role '%s' cannot be listed here: it needs the "
			    "right '%s', which roles.%s.may does not give",
			    def->head.name, plm_policy_right_names[bit],
			    def->head.name);
		}
		plm_policy_who_add(into, role, side);
		if (both)
			plm_policy_who_add(b, role, side);
	}
	return 0;
}

/* Reads the who list SEQ (see who_entry); an empty list unless NONEMPTY. */
int plm_policy_read_who(struct plm_policy_loader *l, const plm_ynode *seq,
                        enum plm_policy_who_use use, int nonempty, plm_policy_who *a,
                        plm_policy_who *b)
{
	size_t i;
	int r;

	memset(a, 0, sizeof(*a));
	if (b != NULL)
		memset(b, 0, sizeof(*b));
	if ((r = plm_policy_expect(l, seq, PLM_Y_SEQ,
	                           "a list of {side: ..., roles: [...]}")) != 0)
		return r;
	if (nonempty && seq->n == 0)
		return plm_policy_read_fail(
		    l, seq, PLM_ERR_FORMAT,
		    "expected a list of {side: ..., roles: [...]}, found an "
		    "empty list");
	for (i = 0; i < seq->n; i++)
		if ((r = who_entry(l, seq->items[i], use, a, b)) != 0)
			return r;
	return 0;
}

/* ---- named sections: "name: {fields}" maps and "- name: x" lists ------- */

/*
 * Reads the map NODE of SECTION (name -> definition), at least MIN and at
 * most MAX entries, counting them in *COUNT as they are read and calling FN
 * on each. Duplicate names cannot occur: the YAML reader refuses them.
 */
int plm_policy_read_named_map(struct plm_policy_loader *l, const plm_ynode *node,
                              const char *section, size_t min, size_t max,
                              size_t *count, plm_policy_entry_fn fn)
{
	char what[64];
	size_t i;
	int r;

	snprintf(what, sizeof(what), "the %s, each as name: {...}", section);
	if ((r = plm_policy_expect(l, node, PLM_Y_MAP, what)) != 0)
		return r;
	if (node->n < min)
		return plm_policy_read_fail(l, node, PLM_ERR_FORMAT,
		                            "expected at least %zu %s", min, section);
	for (i = 0; i < node->n; i++) {
		if (i >= max)
			return plm_policy_read_fail(l, node->keys[i], PLM_ERR_LIMIT,
			                            "at most %zu %s may be defined",
			                            max, section);
		if ((r = plm_policy_read_name(l, node->keys[i], "a name")) != 0 ||
		    (r = plm_policy_expect(l, node->items[i], PLM_Y_MAP, what)) != 0)
			return r;
		if ((r = fn(l, i, node->keys[i], node->items[i])) != 0)
			return r;
		*count = i + 1;
	}
	return 0;
}

/*
 * Reads the list NODE of SECTION (- name: x, ...), in order, like
 * named_map; a name used twice in the list is refused.
 */
int plm_policy_read_named_list(struct plm_policy_loader *l, const plm_ynode *node,
                               const char *section, size_t min, size_t max,
                               size_t *count, plm_policy_entry_fn fn)
{
	const plm_ynode *name;
	char what[64];
	size_t i, j;
	int r;

	snprintf(what, sizeof(what), "the %s, each as - name: ...", section);
	if ((r = plm_policy_expect(l, node, PLM_Y_SEQ, what)) != 0)
		return r;
	if (node->n < min)
		return plm_policy_read_fail(l, node, PLM_ERR_FORMAT,
		                            "expected at least %zu %s", min, section);
	for (i = 0; i < node->n; i++) {
		if (i >= max)
			return plm_policy_read_fail(l, node->items[i], PLM_ERR_LIMIT,
			                            "at most %zu %s may be defined",
			                            max, section);
		if ((r = plm_policy_expect(l, node->items[i], PLM_Y_MAP, what)) != 0 ||
		    (r = plm_yaml_require(l->doc, node->items[i], "name", &name,
		                          l->err)) != 0 ||
		    (r = plm_policy_read_name(l, name, "a name")) != 0)
			return r;
		for (j = 0; j < i; j++) {
			const plm_ynode *other = plm_yaml_get(node->items[j], "name");
			if (strcmp(other->value, name->value) == 0)
				return plm_policy_read_fail(
				    l, name, PLM_ERR_FORMAT,
				    "'%s' is defined twice (first at line %u)",
				    name->value, other->line);
		}
		if ((r = fn(l, i, name, node->items[i])) != 0)
			return r;
		*count = i + 1;
	}
	return 0;
}

/* name, title and source of a named entry. */
int plm_policy_read_head(struct plm_policy_loader *l, const plm_ynode *name,
                         const plm_ynode *def, struct plm_policy_entry *head)
{
	int r;

	head->name = name->value;
	if ((r = plm_policy_text_field(l, def, "title", 1, &head->title)) != 0)
		return r;
	return plm_policy_text_field(l, def, "source", 0, &head->source);
}
