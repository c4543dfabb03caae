/* fuzz_yaml.c - the strict YAML reader never crashes, leaks or loops. */
#include <stddef.h>
#include <stdint.h>

#include "policies/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	plm_ydoc *doc = NULL;
	plm_error err;
	const char *const allowed[] = {"listen", "port", "data", NULL};
	uint64_t v;

	if (plm_yaml_parse("fuzz.yaml", (const char *)data, size, &doc, &err) == 0) {
		if (doc->root != NULL && doc->root->kind == PLM_Y_MAP) {
			plm_yaml_check_keys(doc, doc->root, allowed, &err);
			plm_yaml_uint(doc, plm_yaml_get(doc->root, "port"), 1, 65535, &v, &err);
		}
		plm_yaml_free(doc);
	}
	return 0;
}
