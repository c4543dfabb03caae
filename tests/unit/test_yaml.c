/* test_yaml.c - the strict YAML reader and its positioned messages. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "policies/yaml.h"

static plm_ydoc *parse(const char *text, plm_error *err)
{
	plm_ydoc *doc = NULL;

	plm_error_clear(err);
	if (plm_yaml_parse("test.yaml", text, strlen(text), &doc, err) != 0)
		return NULL;
	return doc;
}

static void parses_tree_with_positions(void)
{
	plm_error err;
	plm_ydoc *doc = parse("listen: 127.0.0.1\nport: 8443\nlimits:\n  - a\n  - 'b'\n", &err);
	const plm_ynode *port, *limits;
	uint64_t v;

	CHECK(doc != NULL);
	CHECK_INT(doc->root->kind, PLM_Y_MAP);
	CHECK_INT(doc->root->n, 3);
	port = plm_yaml_get(doc->root, "port");
	CHECK(port != NULL);
	CHECK_INT(port->line, 2);
	CHECK_INT(port->column, 7);
	CHECK_INT(plm_yaml_uint(doc, port, 1, 65535, &v, &err), 0);
	CHECK_INT(v, 8443);
	limits = plm_yaml_get(doc->root, "limits");
	CHECK_INT(limits->kind, PLM_Y_SEQ);
	CHECK_INT(limits->n, 2);
	CHECK_STR(limits->items[1]->value, "b");
	CHECK_INT(limits->items[1]->plain, 0);
	plm_yaml_free(doc);
}

static void unknown_key_names_line_and_column(void)
{
	plm_error err;
	plm_ydoc *doc = parse("listen: x\n  \nprot: 1\n", &err);
	const char *const allowed[] = {"listen", "port", NULL};

	CHECK(doc != NULL);
	CHECK_INT(plm_yaml_check_keys(doc, doc->root, allowed, &err), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "test.yaml:3:1: unknown key 'prot'") == err.message);
	CHECK(strstr(err.message, "listen, port") != NULL);
	plm_yaml_free(doc);
}

static void wrong_type_and_missing_field(void)
{
	plm_error err;
	plm_ydoc *doc = parse("port: [1, 2]\nflag: yes\n", &err);
	const plm_ynode *n;
	uint64_t v;
	int b;

	CHECK(doc != NULL);
	CHECK_INT(plm_yaml_uint(doc, plm_yaml_get(doc->root, "port"), 1, 9, &v, &err),
	          PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "test.yaml:1:7: expected a whole number") != NULL);
	CHECK_INT(plm_yaml_bool(doc, plm_yaml_get(doc->root, "flag"), &b, &err),
	          PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "expected true or false, found 'yes'") != NULL);
	CHECK_INT(plm_yaml_require(doc, doc->root, "data", &n, &err), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "test.yaml:1:1: missing field 'data'") != NULL);
	plm_yaml_free(doc);
}

static void numbers_are_strict(void)
{
	plm_error err;
	plm_ydoc *doc = parse("a: 70000\nb: '5'\nc: -1\nd: 99999999999999999999\n", &err);
	uint64_t v;

	CHECK(doc != NULL);
	CHECK_INT(plm_yaml_uint(doc, plm_yaml_get(doc->root, "a"), 1, 65535, &v, &err),
	          PLM_ERR_LIMIT);
	CHECK(strstr(err.message, "from 1 to 65535, found 70000") != NULL);
	CHECK_INT(plm_yaml_uint(doc, plm_yaml_get(doc->root, "b"), 0, 9, &v, &err),
	          PLM_ERR_FORMAT);
	CHECK_INT(plm_yaml_uint(doc, plm_yaml_get(doc->root, "c"), 0, 9, &v, &err),
	          PLM_ERR_FORMAT);
	CHECK_INT(plm_yaml_uint(doc, plm_yaml_get(doc->root, "d"), 0, UINT64_MAX, &v, &err),
	          PLM_ERR_FORMAT);
	plm_yaml_free(doc);
}

static void refuses_aliases_anchors_tags(void)
{
	plm_error err;

	CHECK(parse("a: &x [1]\nb: *x\n", &err) == NULL);
	CHECK_INT(err.code, PLM_ERR_FORMAT);
	CHECK(parse("b: *x\n", &err) == NULL);
	CHECK(parse("a: !!str 5\n", &err) == NULL);
	CHECK(strstr(err.message, "test.yaml:1:4: anchors and tags") != NULL);
}

static void refuses_duplicates_and_several_documents(void)
{
	plm_error err;

	CHECK(parse("a: 1\nb: 2\na: 3\n", &err) == NULL);
	CHECK(strstr(err.message, "test.yaml:3:1: duplicate key 'a'") != NULL);
	CHECK(parse("a: 1\n---\nb: 2\n", &err) == NULL);
	CHECK(strstr(err.message, "only one YAML document") != NULL);
	CHECK(parse("{a: 1}: 2\n", &err) == NULL);
}

static void syntax_errors_are_positioned(void)
{
	plm_error err;

	CHECK(parse("a: [1, 2\nb: 3\n", &err) == NULL);
	CHECK_INT(err.code, PLM_ERR_FORMAT);
	CHECK(strncmp(err.message, "test.yaml:", 10) == 0);
	CHECK(strstr(err.message, "not valid YAML") != NULL);
}

static void limits_depth(void)
{
	plm_error err;
	char deep[200];
	size_t i;

	for (i = 0; i < 40; i++)
		deep[i] = '[';
	for (i = 40; i < 80; i++)
		deep[i] = ']';
	deep[80] = '\0';
	CHECK(parse(deep, &err) == NULL);
	CHECK(strstr(err.message, "deeper than") != NULL);
}

static void empty_document(void)
{
	plm_error err;
	plm_ydoc *doc = parse("", &err);

	CHECK(doc != NULL);
	CHECK(doc->root == NULL);
	CHECK_INT(plm_yaml_expect(doc, doc->root, PLM_Y_MAP, "a configuration", &err),
	          PLM_ERR_FORMAT);
	plm_yaml_free(doc);
}

static const struct check_case cases[] = {
    CHECK_CASE(parses_tree_with_positions),
    CHECK_CASE(unknown_key_names_line_and_column),
    CHECK_CASE(wrong_type_and_missing_field),
    CHECK_CASE(numbers_are_strict),
    CHECK_CASE(refuses_aliases_anchors_tags),
    CHECK_CASE(refuses_duplicates_and_several_documents),
    CHECK_CASE(syntax_errors_are_positioned),
    CHECK_CASE(limits_depth),
    CHECK_CASE(empty_document),
};
CHECK_MAIN("yaml", cases)
