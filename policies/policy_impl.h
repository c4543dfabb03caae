/*
 * policy_impl.h - the policy as it sits in memory, shared by policy.c
 * (accessors and small parsers), policy_load.c (the schema) and
 * policy_eval.c (the rules). Not for callers: they use policy.h.
 *
 * Every string points into the parsed YAML tree, which the policy keeps
 * (doc) and frees with itself. Names are resolved once, at load time, into
 * indexes, and sets of names into bit masks: bit i of a mask is entry i of
 * the section it refers to. That is why the sections have the bounds of
 * policy.h (at most 32 roles, 32 stages, 16 channels, 64 kinds).
 *
 * To add a section (the questionnaires, say): a struct here, a member of
 * plm_policy, a parse function in the sections[] table of policy_load.c, and
 * the questions of the rules that need it in policy_eval.c.
 */
#ifndef PLM_POLICY_IMPL_H
#define PLM_POLICY_IMPL_H

#include "policies/policy.h"
#include "policies/yaml.h"

#define PLM_POLICY_SIDES 3 /* sur, reviewer, secretariat */

/*
 * A set of (role, side) pairs: bit r of roles[side - 1] is role r acting
 * for that side.
 */
typedef struct plm_policy_who {
	uint32_t roles[PLM_POLICY_SIDES];
} plm_policy_who;

/* What every entry of a named section has (the first member, "head"). */
struct plm_policy_entry {
	const char *name;
	const char *title;
	const char *source; /* "para 28", or NULL */
};

struct plm_policy_article {
	unsigned number;
	const char *only_if_not_party_to; /* a treaty name, or NULL */
};

struct plm_policy_article_list {
	struct plm_policy_article *items; /* malloc'ed */
	size_t n;
};

struct plm_policy_cluster {
	struct plm_policy_entry head;
	/* indexed like plm_policy.instruments */
	struct plm_policy_article_list articles[PLM_POLICY_INSTRUMENTS_MAX];
};

struct plm_policy_role {
	struct plm_policy_entry head;
	const char *plural;
	unsigned rights; /* enum plm_policy_right bits */
	int read_only;
};

struct plm_policy_channel {
	struct plm_policy_entry head;
	plm_policy_who read; /* everyone who gets the key (write included) */
	plm_policy_who write;
	plm_policy_grant grants[PLM_POLICY_ROLES_MAX * PLM_POLICY_SIDES];
	size_t n_grants;
};

struct plm_policy_stage {
	struct plm_policy_entry head;
	plm_policy_who advance_manage; /* may move it on with the right manage */
	plm_policy_who advance_submit; /* ... by a final submission (submit) */
};

struct plm_policy_kind {
	struct plm_policy_entry head;
	uint32_t channels; /* mask over plm_policy.channels */
	uint32_t stages;   /* mask over plm_policy.stages */
	plm_policy_who writers;
	plm_policy_who agreed_by;
	int needs_agreement;
	uint64_t max_size;
	uint64_t words_warn;   /* 0: no warning */
	uint64_t words_refuse; /* 0: no limit */
	const char *words_source;
};

/* disclosure.scopes.<name>; index 0 parties, 1 public */
struct plm_policy_scope {
	int defined;
	const char *source;
	uint64_t kinds;      /* mask over plm_policy.kinds */
	uint64_t by_default; /* subset of kinds */
};

struct plm_policy {
	unsigned char digest[PLM_POLICY_DIGEST_BYTES];
	plm_ydoc *doc; /* owns every string below */
	const char *name;
	const char *title;

	struct plm_policy_entry instruments[PLM_POLICY_INSTRUMENTS_MAX];
	size_t n_instruments;
	struct plm_policy_entry treaties[PLM_POLICY_TREATIES_MAX];
	size_t n_treaties;
	struct plm_policy_cluster clusters[PLM_POLICY_CLUSTERS_MAX];
	size_t n_clusters;
	size_t phases[PLM_POLICY_CLUSTERS_MAX]; /* cluster indexes, in order */
	size_t n_phases;
	plm_policy_duration phase_duration;

	struct plm_policy_role roles[PLM_POLICY_ROLES_MAX];
	size_t n_roles;
	struct plm_policy_channel channels[PLM_POLICY_CHANNELS_MAX];
	size_t n_channels;
	struct plm_policy_stage stages[PLM_POLICY_STAGES_MAX];
	size_t n_stages;
	plm_policy_deadline deadlines[PLM_POLICY_DEADLINES_MAX];
	size_t n_deadlines;
	struct plm_policy_kind kinds[PLM_POLICY_KINDS_MAX];
	size_t n_kinds;

	/* questionnaire.assistance: the technical assistance one may ask for */
	struct plm_policy_entry assistance[PLM_POLICY_ASSISTANCE_MAX];
	size_t n_assistance;
	const char *questionnaire_source;

	const char *mime_types[PLM_POLICY_MIME_TYPES_MAX];
	size_t n_mime_types;
	const char *attachments_source;

	struct {
		int sur_must_be_party;
		uint64_t per_instrument_min, per_instrument_max, total_max;
		int must_be_party;
		int may_review_itself;
		const char *source;
		const char *languages[PLM_POLICY_LANGUAGES_MAX];
		size_t n_languages;
		uint64_t languages_min, languages_max;
		const char *languages_source;
	} review;

	struct {
		plm_policy_who by;
		const char *source;
		uint32_t parties_group; /* mask over roles */
		struct plm_policy_scope scopes[2];
	} disclosure;

	/* history: who gets the keys of earlier epochs by default */
	struct {
		uint32_t on_replacement; /* mask over roles */
		const char *source;
	} history;
};

/* "read", "write", ...: the name of right bit i (1 << i), NULL-terminated. */
extern const char *const plm_policy_right_names[];

/* The index of NAME in LIST, or -1. */
int plm_policy_find(const plm_policy *policy, enum plm_policy_list list,
                    const char *name);

/* The entry head of the Ith name of LIST (not for languages, MIME types). */
const struct plm_policy_entry *plm_policy_entry_at(const plm_policy *policy,
                                                   enum plm_policy_list list, size_t i);

/*
 * Fills ERR with PLM_ERR_POLICY: the sentence FMT, then " (policy: PATH)"
 * or " (policy: PATH; SOURCE)". Returns PLM_ERR_POLICY. (policy_eval.c)
 */
int plm_policy_refuse(plm_error *err, const char *path, const char *source,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The index of NAME in LIST in *INDEX; a NAME the policy does not define is
 * refused (PLM_ERR_POLICY) naming the section. (policy_eval.c)
 */
int plm_policy_lookup(const plm_policy *policy, enum plm_policy_list list,
                      const char *name, size_t *index, plm_error *err);

/* "the State under review", "a reviewing State", "the secretariat". */
const char *plm_policy_side_phrase(enum plm_policy_side side);

/* disclosure scope index for "parties" (0) or "public" (1), or -1. */
int plm_policy_scope_index(const char *scope);

/* Adds (ROLE, SIDE) to WHO, or tests for it. */
void plm_policy_who_add(plm_policy_who *who, size_t role, enum plm_policy_side side);
int plm_policy_who_has(const plm_policy_who *who, size_t role,
                       enum plm_policy_side side);

#endif
