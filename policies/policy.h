/*
 * policy.h - the review policy: loader and evaluator (docs/POLICY.md).
 *
 * A policy is a YAML file (policies/untoc.yaml is the default) that names
 * the instruments and clusters under review, the roles and what each may do,
 * the channels and their audiences, the document kinds and who may write
 * them where and when, the stages of a review and who moves it on, the
 * deadlines, the size and word limits, the attachment types, the rules for
 * creating a review and the rules of disclosure. The daemon and the client
 * load the same file and ask the same evaluator, so both enforce the same
 * rules; the digest of the file's exact bytes goes into every roster, so
 * every member can tell that everyone enforces the same policy.
 *
 * Loading checks the whole file against its schema and reports the first
 * problem as "file:line:column: what was expected" (PLM_ERR_FORMAT, or
 * PLM_ERR_LIMIT for a number or count out of range): unknown keys, wrong
 * types, missing fields, invalid or duplicate names, references to roles,
 * channels, kinds, stages, instruments, clusters or languages that are not
 * defined, and inconsistent rules (a role given a task its rights do not
 * allow, a read-only role that could write).
 *
 * The evaluator functions are pure (no I/O, no clock). Each returns 0 when
 * the policy allows the operation, or PLM_ERR_POLICY with one sentence that
 * says what the rule is and where it is written ("(policy: roles.observer)"),
 * followed by the rule's source where the file gives one ("para 28").
 * Names that the policy does not define are refused with PLM_ERR_POLICY too;
 * PLM_ERR_INVALID means the caller passed NULL or an impossible side.
 *
 * A loaded policy is read-only: any number of threads may evaluate it at
 * once. Strings returned by accessors belong to the policy and live until
 * plm_policy_free.
 */
#ifndef PLM_POLICY_H
#define PLM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

#define PLM_POLICY_FORMAT 1 /* the policy_format this code reads */
#define PLM_POLICY_DIGEST_BYTES PLM_HASH_BYTES
#define PLM_POLICY_NAME_MAX 32 /* every name: [a-z][a-z0-9_]*, 1..32 */

/* Bounds on what one policy may define (PLM_ERR_LIMIT when exceeded). */
#define PLM_POLICY_INSTRUMENTS_MAX 8 /* as many as a roster can carry */
#define PLM_POLICY_TREATIES_MAX 16
#define PLM_POLICY_CLUSTERS_MAX 16
#define PLM_POLICY_ARTICLES_MAX 64 /* per instrument and cluster */
#define PLM_POLICY_ARTICLE_MAX 999 /* highest article number */
#define PLM_POLICY_ROLES_MAX 32
#define PLM_POLICY_CHANNELS_MAX 16 /* as many as an epoch-keys record carries */
#define PLM_POLICY_STAGES_MAX 32
#define PLM_POLICY_KINDS_MAX 64
#define PLM_POLICY_DEADLINES_MAX 32
#define PLM_POLICY_MIME_TYPES_MAX 64
#define PLM_POLICY_LANGUAGES_MAX 16
#define PLM_POLICY_ASSISTANCE_MAX 32 /* questionnaire.assistance entries */
#define PLM_POLICY_SIZE_MAX (1ull << 40)   /* 1 TiB: the largest max_size */
#define PLM_POLICY_WORDS_MAX 10000000u     /* the largest word limit */
#define PLM_POLICY_DURATION_COUNT_MAX 1000 /* "1000d" at most */

/* Room for a word-count warning (plm_policy_check_words). */
#define PLM_POLICY_WARNING_MAX PLM_ERROR_MESSAGE_MAX

typedef struct plm_policy plm_policy;

/*
 * Which party a member acts for in one review: the State under review, a
 * reviewing State, or the secretariat. The caller derives it from the
 * roster (the member's State against the roster's SUR and reviewing States,
 * or the secretariat's certificate usage).
 */
enum plm_policy_side {
	PLM_SIDE_SUR = 1,
	PLM_SIDE_REVIEWER = 2,
	PLM_SIDE_SECRETARIAT = 3,
};

/* The rights a role may hold (roles.<name>.may). */
enum plm_policy_right {
	PLM_RIGHT_READ = 1 << 0,
	PLM_RIGHT_WRITE = 1 << 1,
	PLM_RIGHT_SUBMIT = 1 << 2,
	PLM_RIGHT_AGREE = 1 << 3,
	PLM_RIGHT_DISCLOSE = 1 << 4,
	PLM_RIGHT_MANAGE = 1 << 5,
};

/* The lists of names a policy defines, for plm_policy_nth and _title. */
enum plm_policy_list {
	PLM_POLICY_INSTRUMENTS = 1, /* in file order */
	PLM_POLICY_TREATIES,        /* other_treaties, in file order */
	PLM_POLICY_CLUSTERS,        /* in file order */
	PLM_POLICY_PHASES,          /* clusters in phase order */
	PLM_POLICY_ROLES,
	PLM_POLICY_CHANNELS,
	PLM_POLICY_STAGES, /* in order; the first is the start */
	PLM_POLICY_KINDS,
	PLM_POLICY_DEADLINES,
	PLM_POLICY_LANGUAGES,  /* review.languages.allowed (no titles) */
	PLM_POLICY_MIME_TYPES, /* attachments.mime_types (no titles) */
};

/* A duration: exactly one of SECONDS (d, w) or MONTHS (mo, y) is non-zero. */
typedef struct plm_policy_duration {
	uint64_t seconds;
	uint32_t months;
} plm_policy_duration;

/*
 * One deadline: due WITHIN after the review entered stage FROM_STAGE, and
 * met when the review moves on from stage UNTIL_STAGE (FROM_STAGE or a
 * later stage).
 */
typedef struct plm_policy_deadline {
	const char *name;
	const char *title;
	const char *from_stage;
	plm_policy_duration within;
	const char *source;      /* "para 34", or NULL */
	const char *until_stage; /* never NULL: from_stage when not given */
} plm_policy_deadline;

/* One (role, side) pair in a channel's audience. */
typedef struct plm_policy_grant {
	const char *role;
	enum plm_policy_side side;
	int write; /* 1: reads and writes; 0: reads only */
} plm_policy_grant;

/*
 * The answer to "is STATE party to TREATY?" (an instrument such as "tip",
 * or an other_treaties name such as "uncac"): 1 yes, 0 no. The policy never
 * holds a list of States parties; the caller provides it.
 */
typedef int (*plm_policy_party_fn)(void *ctx, const char *state, const char *treaty);

/* A ready-made plm_policy_party_fn over a table (CTX: a plm_policy_parties). */
typedef struct plm_policy_party {
	const char *state;  /* "ITA" */
	const char *treaty; /* "untoc" */
} plm_policy_party;
typedef struct plm_policy_parties {
	const plm_policy_party *entries;
	size_t n;
} plm_policy_parties;
int plm_policy_parties_lookup(void *ctx, const char *state, const char *treaty);

/* One instrument of a planned review and its reviewing States. */
typedef struct plm_policy_review_instrument {
	const char *name;             /* "untoc" */
	const char *const *reviewing; /* States ("BRA") */
	size_t n_reviewing;
} plm_policy_review_instrument;

/* A review as the secretariat plans it (or as a roster states it). */
typedef struct plm_policy_review {
	const char *sur_state;
	const char *cluster;
	const plm_policy_review_instrument *instruments;
	size_t n_instruments;
	const char *const *languages; /* "en", "fr" */
	size_t n_languages;
	plm_policy_party_fn is_party; /* needed when a must_be_party rule is on */
	void *is_party_ctx;
} plm_policy_review;

/* ---- loading ---------------------------------------------------------- */

/*
 * Reads the policy file PATH, checks it completely and computes its digest
 * over the exact bytes read. *OUT is a new policy the caller frees with
 * plm_policy_free (NULL on error). Errors: PLM_ERR_IO (cannot read),
 * PLM_ERR_LIMIT (file too large, a count or number out of range),
 * PLM_ERR_FORMAT (not YAML, or not a valid policy: "file:line:column: ..."),
 * PLM_ERR_VERSION (an unknown policy_format), PLM_ERR_NOMEM.
 */
int plm_policy_load(const char *path, plm_policy **out, plm_error *err);

/* As plm_policy_load, over LEN bytes of TEXT named NAME in messages. */
int plm_policy_parse(const char *name, const char *text, size_t len, plm_policy **out,
                     plm_error *err);

/* Frees POLICY and everything it owns. Accepts NULL. */
void plm_policy_free(plm_policy *policy);

/* BLAKE2b-256 of the policy file's exact bytes (it goes into rosters). */
void plm_policy_digest(const plm_policy *policy,
                       unsigned char out[PLM_POLICY_DIGEST_BYTES]);

/* The policy's name ("untoc") and its display title. */
const char *plm_policy_name(const plm_policy *policy);
const char *plm_policy_display_name(const plm_policy *policy);

/* The number of names in LIST, and the Ith of them (NULL when I >= count). */
size_t plm_policy_count(const plm_policy *policy, enum plm_policy_list list);
const char *plm_policy_nth(const plm_policy *policy, enum plm_policy_list list,
                           size_t i);
/* The display title of NAME in LIST, or NULL if LIST has no NAME. */
const char *plm_policy_title(const plm_policy *policy, enum plm_policy_list list,
                             const char *name);

/* "sur", "reviewer", "secretariat" (NULL for anything else), and back. */
const char *plm_policy_side_name(enum plm_policy_side side);
int plm_policy_side_parse(const char *name, enum plm_policy_side *out, plm_error *err);

/*
 * Parses a duration "<n><unit>", n in 1..1000, unit d, w, mo or y (a year
 * is 12 months). PLM_ERR_FORMAT with a sentence when TEXT is not one.
 */
int plm_policy_parse_duration(const char *text, plm_policy_duration *out,
                              plm_error *err);
/*
 * Parses a size "<n>[unit]", unit B, KiB, MiB, GiB or TiB (none: bytes), at
 * most PLM_POLICY_SIZE_MAX. PLM_ERR_FORMAT or PLM_ERR_LIMIT otherwise.
 */
int plm_policy_parse_size(const char *text, uint64_t *out, plm_error *err);

/*
 * *DUE = START (Unix seconds, UTC) + DURATION. Months are calendar months:
 * the same day and time of day, clamped to the month's last day (31 January
 * + 1 month = 28 or 29 February). PLM_ERR_LIMIT past the year 9999.
 */
int plm_policy_due(const plm_policy_duration *duration, uint64_t start, uint64_t *due,
                   plm_error *err);

/*
 * Where the policy file is when no option names one: $PALERMO_POLICY, else
 * policies/untoc.yaml beside the program's folder (a build tree), else the
 * installed PLM_POLICY_DIR/untoc.yaml. The daemon and the client both ask
 * here so that they load the same file.
 */
int plm_policy_locate(char *out, size_t cap, plm_error *err);

/* ---- evaluator -------------------------------------------------------- */

/* 1 if ROLE holds RIGHT (one plm_policy_right), 0 if not or unknown. */
int plm_policy_role_has(const plm_policy *policy, const char *role, int right);

/*
 * May a ROLE member of SIDE write a document of KIND on CHANNEL while the
 * review is in STAGE? Checked in this order, the first failure reported:
 * the names are defined; the role has the right write (roles); the pair is
 * in the channel's audience with write access (channels.C.audience); the
 * kind may go on the channel (kinds.K.channels); the pair is among the
 * kind's writers (kinds.K.writers); the stage allows the kind
 * (kinds.K.stages).
 */
int plm_policy_may_write(const plm_policy *policy, const char *role,
                         enum plm_policy_side side, const char *channel,
                         const char *kind, const char *stage, plm_error *err);

/* May a ROLE member of SIDE read CHANNEL (its key is sealed to them)? */
int plm_policy_may_read(const plm_policy *policy, const char *role,
                        enum plm_policy_side side, const char *channel, plm_error *err);

/*
 * The audience of CHANNEL: *GRANTS points at *N (role, side) pairs owned by
 * the policy, roles in the order of the roles section, sides in the order
 * sur, reviewer, secretariat. Every member whose pair is listed gets the
 * channel's epoch key. PLM_ERR_POLICY for an unknown channel.
 */
int plm_policy_channel_audience(const plm_policy *policy, const char *channel,
                                const plm_policy_grant **grants, size_t *n,
                                plm_error *err);

/* The largest document of KIND, in bytes (kinds.K.max_size). */
int plm_policy_max_size(const plm_policy *policy, const char *kind, uint64_t *bytes,
                        plm_error *err);

/*
 * Checks WORDS (from plm_word_count) against KIND's word limits: refuses
 * with PLM_ERR_POLICY above refuse_above; above warn_above returns 0 and
 * puts a sentence in WARNING (which may be NULL); otherwise WARNING is "".
 */
int plm_policy_check_words(const plm_policy *policy, const char *kind, uint64_t words,
                           char warning[PLM_POLICY_WARNING_MAX], plm_error *err);

/*
 * May a file of type MIME be attached (attachments.mime_types)? MIME is
 * compared without its parameters ("text/plain; charset=utf-8" is
 * text/plain) and without regard to case.
 */
int plm_policy_attachment_allowed(const plm_policy *policy, const char *mime,
                                  plm_error *err);

/*
 * The stage after FROM in *NEXT (owned by the policy). PLM_ERR_POLICY when
 * FROM is unknown or the last stage.
 */
int plm_policy_next_stage(const plm_policy *policy, const char *from, const char **next,
                          plm_error *err);

/*
 * May a ROLE member of SIDE move the review from stage FROM to stage TO?
 * TO must be the stage right after FROM, and the pair must be in FROM's
 * advanced_by with the right that entry needs (manage, or submit for a
 * final submission).
 */
int plm_policy_may_advance(const plm_policy *policy, const char *from, const char *to,
                           const char *role, enum plm_policy_side side, plm_error *err);

/*
 * May a ROLE member of SIDE sign an agreement to a draft of KIND while the
 * review is in STAGE? The role needs the right agree, the pair must be in
 * kinds.K.agreed_by and STAGE among the kind's stages. PLM_ERR_POLICY
 * also for a kind that needs no agreement.
 */
int plm_policy_may_agree(const plm_policy *policy, const char *role,
                         enum plm_policy_side side, const char *kind, const char *stage,
                         plm_error *err);

/*
 * May a ROLE member of SIDE disclose a document of KIND to SCOPE ("parties"
 * or "public")? The role needs the right disclose, the pair must be in
 * disclosure.by and KIND in disclosure.scopes.SCOPE.kinds.
 */
int plm_policy_may_disclose(const plm_policy *policy, const char *role,
                            enum plm_policy_side side, const char *kind,
                            const char *scope, plm_error *err);

/* 1 if KIND is disclosed to SCOPE by default (scopes.S.by_default), else 0. */
int plm_policy_disclosed_by_default(const plm_policy *policy, const char *kind,
                                    const char *scope);

/* 1 if members with ROLE belong to the parties group, else 0. */
int plm_policy_in_parties_group(const plm_policy *policy, const char *role);

/* The deadlines, in file order: the Ith, or NULL when I >= count. */
size_t plm_policy_deadline_count(const plm_policy *policy);
const plm_policy_deadline *plm_policy_deadline_at(const plm_policy *policy, size_t i);

/*
 * The articles of INSTRUMENT reviewed in CLUSTER, in the policy's order,
 * into OUT (room for PLM_POLICY_ARTICLES_MAX), their number in *N. An
 * article marked only_if_not_party_to T is left out when T is among
 * SUR_PARTY_TO (a NULL-terminated list of the treaties the State under
 * review is party to, e.g. {"untoc", "uncac", NULL}; NULL means none).
 * PLM_ERR_POLICY for an unknown instrument or cluster.
 */
int plm_policy_articles(const plm_policy *policy, const char *instrument,
                        const char *cluster, const char *const *sur_party_to,
                        unsigned out[PLM_POLICY_ARTICLES_MAX], size_t *n,
                        plm_error *err);

/*
 * The kinds of technical assistance a questionnaire answer may ask for
 * (questionnaire.assistance), in file order: their number, and the name of
 * the Ith (NULL when I >= count) with its display title in *TITLE (may be
 * NULL). Strings belong to the policy.
 */
size_t plm_policy_assistance_count(const plm_policy *policy);
const char *plm_policy_assistance_at(const plm_policy *policy, size_t i,
                                     const char **title);

/*
 * Checks a planned review against the policy's review rules, in this order:
 * the cluster and instruments are defined and not repeated, with at least
 * one instrument; the SUR is party to each instrument; per instrument, the
 * number of reviewing States, no State twice, no State reviewing itself,
 * each reviewing State party to the instrument; the number of distinct
 * reviewing States in total; the working languages (count, each allowed,
 * none twice). Each violation is refused with PLM_ERR_POLICY and a sentence
 * quoting the rule ("a State does not review itself ... para 28").
 * PLM_ERR_INVALID if a party rule is on and REVIEW has no is_party.
 */
int plm_policy_check_review(const plm_policy *policy, const plm_policy_review *review,
                            plm_error *err);

/*
 * The number of words in the LEN bytes of UTF-8 TEXT: maximal runs of
 * characters that are not Unicode White_Space. Bytes that are not valid
 * UTF-8 count as word characters. Scripts written without spaces (Chinese)
 * count as one word per run.
 */
size_t plm_word_count(const char *text, size_t len);

/*
 * Does a new member of ROLE who replaces a member of the same State and
 * role receive the keys of the review's earlier epochs by default
 * (history.on_replacement)? 1 or 0; 0 for a role the policy does not
 * define, or when the policy has no history section.
 */
int plm_policy_history_on_replacement(const plm_policy *policy, const char *role);

#endif
