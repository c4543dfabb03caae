/* yaml.c - strict YAML tree with positions (see yaml.h). */
#include "policies/yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Parser state while events are turned into a tree. */
struct builder {
	yaml_parser_t parser;
	plm_ydoc *doc;
	size_t nodes;
	plm_error *err;
};

static void node_free(plm_ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			node_free(n->keys[i]);
		node_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n);
}

void plm_yaml_free(plm_ydoc *doc)
{
	if (doc == NULL)
		return;
	node_free(doc->root);
	free(doc->file);
	free(doc);
}

int plm_yaml_error(const plm_ydoc *doc, const plm_ynode *node, int code,
                   plm_error *err, const char *fmt, ...)
{
	char msg[PLM_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node != NULL)
		return plm_error_set(err, code, "%s:%u:%u: %s", doc->file, node->line,
		                     node->column, msg);
	return plm_error_set(err, code, "%s: %s", doc->file, msg);
}

/* Error at a libyaml mark (0-based) rather than at a node. */
static int mark_error(struct builder *b, yaml_mark_t mark, const char *fmt,
                      const char *detail)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, detail);
	return plm_error_set(b->err, PLM_ERR_FORMAT, "%s:%zu:%zu: %s", b->doc->file,
	                     mark.line + 1, mark.column + 1, msg);
}

/* Fetches the next event, turning a libyaml failure into a positioned error. */
static int next_event(struct builder *b, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&b->parser, ev)) {
		const char *problem = b->parser.problem ? b->parser.problem : "syntax error";
		return mark_error(b, b->parser.problem_mark,
		                  "this is not valid YAML: %s", problem);
	}
	return 0;
}

static int push_child(plm_ynode *parent, plm_ynode *key, plm_ynode *child)
{
	plm_ynode **items, **keys;

	items = realloc(parent->items, (parent->n + 1) * sizeof(*items));
	if (items == NULL)
		return -1;
	parent->items = items;
	if (parent->kind == PLM_Y_MAP) {
		keys = realloc(parent->keys, (parent->n + 1) * sizeof(*keys));
		if (keys == NULL)
			return -1;
		parent->keys = keys;
		parent->keys[parent->n] = key;
	}
	parent->items[parent->n++] = child;
	return 0;
}

/*
 * Builds the node whose first event is EV (already fetched) and everything
 * below it. Owns nothing of EV after returning (it deletes it).
 */
static int build_node(struct builder *b, yaml_event_t *ev, unsigned depth,
                      plm_ynode **out)
{
	plm_ynode *n = NULL, *key = NULL, *child = NULL;
	yaml_event_t sub;
	int r = 0;

	*out = NULL;
	if (depth > PLM_YAML_MAX_DEPTH) {
		r = mark_error(b, ev->start_mark, "nesting is deeper than %s levels", "32");
		goto out;
	}
	if (++b->nodes > PLM_YAML_MAX_NODES) {
		r = mark_error(b, ev->start_mark, "the file has too many entries (%s)",
		               "over 200000");
		goto out;
	}
	if (ev->type == YAML_ALIAS_EVENT) {
		r = mark_error(b, ev->start_mark,
		               "aliases (*%s) are not allowed; write the value out",
		               (const char *)ev->data.alias.anchor);
		goto out;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		r = plm_error_set(b->err, PLM_ERR_NOMEM, "out of memory reading %s",
		                  b->doc->file);
		goto out;
	}
	n->line = (unsigned)ev->start_mark.line + 1;
	n->column = (unsigned)ev->start_mark.column + 1;
	if (ev->type == YAML_SCALAR_EVENT) {
		if (ev->data.scalar.anchor != NULL || (ev->data.scalar.tag != NULL &&
		                                       !ev->data.scalar.plain_implicit &&
		                                       !ev->data.scalar.quoted_implicit)) {
			r = mark_error(b, ev->start_mark, "anchors and tags are not allowed%s", "");
			goto out;
		}
		n->kind = PLM_Y_SCALAR;
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->value = malloc(n->len + 1);
		if (n->value == NULL) {
			r = plm_error_set(b->err, PLM_ERR_NOMEM, "out of memory reading %s",
			                  b->doc->file);
			goto out;
		}
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		if (memchr(n->value, '\0', n->len) != NULL) {
			r = mark_error(b, ev->start_mark, "a value contains a NUL byte%s", "");
			goto out;
		}
		goto out;
	}
	if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
		int is_map = ev->type == YAML_MAPPING_START_EVENT;
		yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
		const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
		                                   : ev->data.sequence_start.anchor;
		int implicit = is_map ? ev->data.mapping_start.implicit
		                      : ev->data.sequence_start.implicit;
		if (anchor != NULL || !implicit) {
			r = mark_error(b, ev->start_mark, "anchors and tags are not allowed%s", "");
			goto out;
		}
		n->kind = is_map ? PLM_Y_MAP : PLM_Y_SEQ;
		for (;;) {
			if ((r = next_event(b, &sub)) != 0)
				goto out;
			if (sub.type == end) {
				yaml_event_delete(&sub);
				break;
			}
			if (is_map) {
				if ((r = build_node(b, &sub, depth + 1, &key)) != 0)
					goto out;
				if (key->kind != PLM_Y_SCALAR) {
					r = plm_yaml_error(b->doc, key, PLM_ERR_FORMAT, b->err,
					                   "a key must be a plain name");
					goto out;
				}
				if (plm_yaml_get(n, key->value) != NULL) {
					r = plm_yaml_error(b->doc, key, PLM_ERR_FORMAT, b->err,
					                   "duplicate key '%s'", key->value);
					goto out;
				}
				if ((r = next_event(b, &sub)) != 0)
					goto out;
			}
			if ((r = build_node(b, &sub, depth + 1, &child)) != 0)
				goto out;
			if (push_child(n, key, child) != 0) {
				r = plm_error_set(b->err, PLM_ERR_NOMEM, "out of memory reading %s",
				                  b->doc->file);
				goto out;
			}
			key = child = NULL;
		}
		goto out;
	}
	r = mark_error(b, ev->start_mark, "unexpected YAML element%s", "");
out:
	yaml_event_delete(ev);
	node_free(key);
	node_free(child);
	if (r != 0) {
		node_free(n);
		return r;
	}
	*out = n;
	return 0;
}

int plm_yaml_parse(const char *name, const char *text, size_t len,
                   plm_ydoc **out, plm_error *err)
{
	struct builder b;
	yaml_event_t ev;
	int r = 0, parser_ready = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.err = err;
	if (len > PLM_YAML_MAX_BYTES)
		return plm_error_set(err, PLM_ERR_LIMIT, "%s is larger than %u bytes", name,
		                     PLM_YAML_MAX_BYTES);
	b.doc = calloc(1, sizeof(*b.doc));
	if (b.doc == NULL || (b.doc->file = strdup(name)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory reading %s", name);
		goto out;
	}
	if (!yaml_parser_initialize(&b.parser)) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory reading %s", name);
		goto out;
	}
	parser_ready = 1;
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&b.parser, YAML_UTF8_ENCODING);
	/* STREAM-START, then DOCUMENT-START or STREAM-END (empty file). */
	if ((r = next_event(&b, &ev)) != 0)
		goto out;
	yaml_event_delete(&ev);
	if ((r = next_event(&b, &ev)) != 0)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	if ((r = next_event(&b, &ev)) != 0)
		goto out;
	if ((r = build_node(&b, &ev, 0, &b.doc->root)) != 0)
		goto out;
	if ((r = next_event(&b, &ev)) != 0) /* DOCUMENT-END */
		goto out;
	yaml_event_delete(&ev);
	if ((r = next_event(&b, &ev)) != 0)
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT)
		r = mark_error(&b, ev.start_mark,
		               "only one YAML document is allowed per file%s", "");
	yaml_event_delete(&ev);
out:
	if (parser_ready)
		yaml_parser_delete(&b.parser);
	if (r != 0) {
		plm_yaml_free(b.doc);
		return r;
	}
	*out = b.doc;
	return 0;
}

int plm_yaml_read_file(const char *path, char **text, size_t *len, plm_error *err)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, r = 0;

	*text = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot open %s: %s", path,
		                     strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		r = plm_error_set(err, PLM_ERR_IO, "%s is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > PLM_YAML_MAX_BYTES) {
		r = plm_error_set(err, PLM_ERR_LIMIT, "%s is larger than %u bytes", path,
		                  PLM_YAML_MAX_BYTES);
		goto out;
	}
	if ((*text = malloc((size_t)st.st_size + 1)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory reading %s", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)st.st_size)
		r = plm_error_set(err, PLM_ERR_IO, "cannot read %s completely", path);
	(*text)[got] = '\0';
	*len = got;
out:
	close(fd);
	if (r != 0) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return r;
}

int plm_yaml_load(const char *path, plm_ydoc **doc, plm_error *err)
{
	char *text;
	size_t len;
	int r;

	*doc = NULL;
	if ((r = plm_yaml_read_file(path, &text, &len, err)) != 0)
		return r;
	r = plm_yaml_parse(path, text, len, doc, err);
	free(text);
	return r;
}

const plm_ynode *plm_yaml_get(const plm_ynode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != PLM_Y_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->value, key) == 0)
			return map->items[i];
	return NULL;
}

static const char *kind_name(enum plm_ynode_kind kind)
{
	switch (kind) {
	case PLM_Y_SCALAR:
		return "a single value";
	case PLM_Y_MAP:
		return "a mapping of keys to values";
	case PLM_Y_SEQ:
		return "a list";
	}
	return "?";
}

int plm_yaml_expect(const plm_ydoc *doc, const plm_ynode *node,
                    enum plm_ynode_kind kind, const char *what, plm_error *err)
{
	if (node == NULL)
		return plm_yaml_error(doc, NULL, PLM_ERR_FORMAT, err,
		                      "expected %s (%s), but the file is empty", what,
		                      kind_name(kind));
	if (node->kind != kind)
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
		                      "expected %s (%s), found %s", what, kind_name(kind),
		                      kind_name(node->kind));
	return 0;
}

int plm_yaml_check_keys(const plm_ydoc *doc, const plm_ynode *map,
                        const char *const allowed[], plm_error *err)
{
	char list[200];
	size_t i, j, used;

	for (i = 0; i < map->n; i++) {
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(map->keys[i]->value, allowed[j]) == 0)
				break;
		if (allowed[j] != NULL)
			continue;
		list[0] = '\0';
		used = 0;
		for (j = 0; allowed[j] != NULL && used < sizeof(list); j++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
			                         j ? ", " : "", allowed[j]);
		return plm_yaml_error(doc, map->keys[i], PLM_ERR_FORMAT, err,
		                      "unknown key '%s'; expected one of: %s",
		                      map->keys[i]->value, list);
	}
	return 0;
}

int plm_yaml_require(const plm_ydoc *doc, const plm_ynode *map, const char *key,
                     const plm_ynode **out, plm_error *err)
{
	*out = plm_yaml_get(map, key);
	if (*out == NULL)
		return plm_yaml_error(doc, map, PLM_ERR_FORMAT, err,
		                      "missing field '%s'", key);
	return 0;
}

int plm_yaml_string(const plm_ydoc *doc, const plm_ynode *node,
                    const char **out, plm_error *err)
{
	int r;

	*out = NULL;
	if ((r = plm_yaml_expect(doc, node, PLM_Y_SCALAR, "a text value", err)) != 0)
		return r;
	*out = node->value;
	return 0;
}

int plm_yaml_uint(const plm_ydoc *doc, const plm_ynode *node, uint64_t min,
                  uint64_t max, uint64_t *out, plm_error *err)
{
	uint64_t v = 0;
	size_t i;
	int r;

	*out = 0;
	if ((r = plm_yaml_expect(doc, node, PLM_Y_SCALAR, "a whole number", err)) != 0)
		return r;
	if (!node->plain || node->len == 0 || node->len > 19)
		goto bad;
	for (i = 0; i < node->len; i++) {
		if (node->value[i] < '0' || node->value[i] > '9')
			goto bad;
		v = v * 10 + (uint64_t)(node->value[i] - '0');
	}
	if (v < min || v > max)
		return plm_yaml_error(doc, node, PLM_ERR_LIMIT, err,
		                      "expected a whole number from %llu to %llu, found %s",
		                      (unsigned long long)min, (unsigned long long)max,
		                      node->value);
	*out = v;
	return 0;
bad:
	return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
	                      "expected a whole number, found '%s'", node->value);
}

int plm_yaml_bool(const plm_ydoc *doc, const plm_ynode *node, int *out,
                  plm_error *err)
{
	int r;

	*out = 0;
	if ((r = plm_yaml_expect(doc, node, PLM_Y_SCALAR, "true or false", err)) != 0)
		return r;
	if (node->plain && strcmp(node->value, "true") == 0)
		*out = 1;
	else if (!(node->plain && strcmp(node->value, "false") == 0))
		return plm_yaml_error(doc, node, PLM_ERR_FORMAT, err,
		                      "expected true or false, found '%s'", node->value);
	return 0;
}
