/*
 * yaml.h - a small, strict YAML reader shared by every YAML file Palermo
 * reads: the daemon's configuration, the policies, the offline questionnaire.
 *
 * libyaml parses; this module builds a tree of maps, sequences and scalars
 * with the line and column of every node, and refuses what a configuration
 * has no use for and an attacker could abuse: anchors and aliases (no
 * "billion laughs"), tags, several documents, duplicate keys, nesting deeper
 * than PLM_YAML_MAX_DEPTH, more than PLM_YAML_MAX_NODES nodes, files over
 * PLM_YAML_MAX_BYTES. Schema helpers then report every problem as
 * "file:line:column: what was expected" (PLM_ERR_POLICY is not used here:
 * malformed or unexpected YAML is PLM_ERR_FORMAT, a missing field or wrong
 * type PLM_ERR_FORMAT too, a number out of range PLM_ERR_LIMIT).
 */
#ifndef PLM_YAML_H
#define PLM_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "keys/error.h"

#define PLM_YAML_MAX_BYTES (8u << 20)
#define PLM_YAML_MAX_DEPTH 32
#define PLM_YAML_MAX_NODES 200000

enum plm_ynode_kind { PLM_Y_SCALAR = 1, PLM_Y_MAP = 2, PLM_Y_SEQ = 3 };

typedef struct plm_ynode plm_ynode;
struct plm_ynode {
	enum plm_ynode_kind kind;
	unsigned line, column;  /* 1-based position of the node's start */
	char *value;            /* scalar: NUL-terminated text */
	size_t len;             /* scalar: length of value */
	int plain;              /* scalar: 1 if unquoted (plain style) */
	size_t n;               /* map: pairs; seq: items */
	plm_ynode **keys;       /* map: scalar key nodes */
	plm_ynode **items;      /* map: values; seq: items */
};

typedef struct plm_ydoc {
	char *file;       /* the name used in messages */
	plm_ynode *root;  /* NULL for an empty document */
} plm_ydoc;

/*
 * Reads the whole regular file PATH (at most PLM_YAML_MAX_BYTES) into *TEXT,
 * NUL-terminated (caller frees with free()), and its length into *LEN.
 */
int plm_yaml_read_file(const char *path, char **text, size_t *len, plm_error *err);
/* Reads and parses PATH. Caller frees *DOC with plm_yaml_free. */
int plm_yaml_load(const char *path, plm_ydoc **doc, plm_error *err);
/* Parses LEN bytes of TEXT, naming it NAME in messages. Caller frees. */
int plm_yaml_parse(const char *name, const char *text, size_t len,
                   plm_ydoc **doc, plm_error *err);
void plm_yaml_free(plm_ydoc *doc);

/* Reports "file:line:column: <message>" about NODE (or the file) in ERR. */
int plm_yaml_error(const plm_ydoc *doc, const plm_ynode *node, int code,
                   plm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The value of KEY in MAP, or NULL when MAP has no such key. */
const plm_ynode *plm_yaml_get(const plm_ynode *map, const char *key);
/* Fails unless NODE is of KIND; WHAT names the expected thing. */
int plm_yaml_expect(const plm_ydoc *doc, const plm_ynode *node,
                    enum plm_ynode_kind kind, const char *what, plm_error *err);
/*
 * Fails on the first key of MAP that is not in ALLOWED (NULL-terminated),
 * naming the key and listing the allowed ones.
 */
int plm_yaml_check_keys(const plm_ydoc *doc, const plm_ynode *map,
                        const char *const allowed[], plm_error *err);
/* The value of a required KEY of MAP, or a "missing field" error. */
int plm_yaml_require(const plm_ydoc *doc, const plm_ynode *map, const char *key,
                     const plm_ynode **out, plm_error *err);
/* Scalar readers: a string, an unsigned integer within [MIN, MAX], a boolean. */
int plm_yaml_string(const plm_ydoc *doc, const plm_ynode *node,
                    const char **out, plm_error *err);
int plm_yaml_uint(const plm_ydoc *doc, const plm_ynode *node, uint64_t min,
                  uint64_t max, uint64_t *out, plm_error *err);
int plm_yaml_bool(const plm_ydoc *doc, const plm_ynode *node, int *out,
                  plm_error *err);

#endif
