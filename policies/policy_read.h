/*
 * policy_read.h - the schema helpers shared by the policy loader
 * (policy_read.c implements them, policy_load.c uses them). Not for callers.
 *
 * Every helper reads one node of the YAML tree of the policy being loaded,
 * stores what it read, and on a problem returns PLM_ERR_FORMAT (or
 * PLM_ERR_LIMIT, PLM_ERR_VERSION) with "file:line:column: what was expected"
 * about that node in l->err. Strings they hand out point into the tree.
 */
#ifndef PLM_POLICY_READ_H
#define PLM_POLICY_READ_H

#include "policies/policy_impl.h"

#define PLM_POLICY_TEXT_MAX 1024 /* titles and sources, in bytes */

/* The policy being loaded, its YAML tree, where errors go. */
struct plm_policy_loader {
	plm_policy *p;
	const plm_ydoc *doc;
	plm_error *err;
};

/* Reports "file:line:column: <message>" about NODE with CODE; returns CODE. */
int plm_policy_read_fail(struct plm_policy_loader *l, const plm_ynode *node, int code,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* plm_yaml_expect and plm_yaml_check_keys on the loader's tree. */
int plm_policy_expect(struct plm_policy_loader *l, const plm_ynode *node,
                      enum plm_ynode_kind kind, const char *what);
int plm_policy_keys(struct plm_policy_loader *l, const plm_ynode *map,
                    const char *const allowed[]);

/* NODE: 1..PLM_POLICY_TEXT_MAX bytes of class TEXT. */
int plm_policy_read_text(struct plm_policy_loader *l, const plm_ynode *node,
                         const char **out);
/* The text KEY of MAP; when absent an error if REQUIRED, else *OUT = NULL. */
int plm_policy_text_field(struct plm_policy_loader *l, const plm_ynode *map,
                          const char *key, int required, const char **out);
/* The boolean KEY of MAP; when absent an error if REQUIRED, else 0. */
int plm_policy_read_bool(struct plm_policy_loader *l, const plm_ynode *map,
                         const char *key, int required, int *out);
/* The required whole number KEY of MAP, within [MIN, MAX]. */
int plm_policy_read_uint(struct plm_policy_loader *l, const plm_ynode *map,
                         const char *key, uint64_t min, uint64_t max, uint64_t *out);
/* NODE: a duration ("6mo") or a size ("16MiB"), parsed by policy.c. */
int plm_policy_read_duration(struct plm_policy_loader *l, const plm_ynode *node,
                             plm_policy_duration *out);
int plm_policy_read_size(struct plm_policy_loader *l, const plm_ynode *node,
                         uint64_t *out);
/* NODE: a name of class NAME, 1..PLM_POLICY_NAME_MAX bytes. */
int plm_policy_read_name(struct plm_policy_loader *l, const plm_ynode *node,
                         const char *what);

/*
 * NODE: a name defined in LIST (already loaded); its index in *INDEX. An
 * undefined name is reported at NODE with the names that are defined.
 */
int plm_policy_ref(struct plm_policy_loader *l, const plm_ynode *node,
                   enum plm_policy_list list, size_t *index);
/* SEQ: a list of such names, none twice, as a mask; non-empty if NONEMPTY. */
int plm_policy_ref_list(struct plm_policy_loader *l, const plm_ynode *seq,
                        enum plm_policy_list list, int nonempty, uint64_t *mask);
/* The required list KEY of MAP, as plm_policy_ref_list. */
int plm_policy_ref_field(struct plm_policy_loader *l, const plm_ynode *map,
                         const char *key, enum plm_policy_list list, int nonempty,
                         uint64_t *mask);

/*
 * What a who list ([{side: sur, roles: [focal_point]}, ...]) is for, which
 * decides its extra key, the right each listed role must hold, and where
 * its pairs go.
 */
enum plm_policy_who_use {
	PLM_WHO_AUDIENCE, /* channels: access read (into A) or write (A and B) */
	PLM_WHO_ADVANCE,  /* stages: by management (A) or final submission (B) */
	PLM_WHO_WRITERS,  /* kinds.writers (A): write */
	PLM_WHO_AGREE,    /* kinds.agreed_by (A): agree */
	PLM_WHO_DISCLOSE, /* disclosure.by (A): disclose */
};

/*
 * SEQ: a who list for USE, into *A (and *B, which may be NULL unless USE
 * needs it), both cleared first. A pair listed twice, or a role without the
 * right the use needs, is refused; an empty list too when NONEMPTY.
 */
int plm_policy_read_who(struct plm_policy_loader *l, const plm_ynode *seq,
                        enum plm_policy_who_use use, int nonempty, plm_policy_who *a,
                        plm_policy_who *b);

/* Called for entry INDEX of a named section; NAME is its checked name. */
typedef int (*plm_policy_entry_fn)(struct plm_policy_loader *l, size_t index,
                                   const plm_ynode *name, const plm_ynode *def);

/*
 * NODE: the map (name: {...}) or list (- name: ...) of SECTION, with MIN
 * to MAX entries, each a map given to FN in order; *COUNT counts the
 * entries read so far, so that FN may refer to earlier ones. A list refuses
 * a name used twice (a map cannot have one: the YAML reader refuses it).
 */
int plm_policy_read_named_map(struct plm_policy_loader *l, const plm_ynode *node,
                              const char *section, size_t min, size_t max,
                              size_t *count, plm_policy_entry_fn fn);
int plm_policy_read_named_list(struct plm_policy_loader *l, const plm_ynode *node,
                               const char *section, size_t min, size_t max,
                               size_t *count, plm_policy_entry_fn fn);

/* name (from NAME), the required title and the optional source of DEF. */
int plm_policy_read_head(struct plm_policy_loader *l, const plm_ynode *name,
                         const plm_ynode *def, struct plm_policy_entry *head);


#endif
