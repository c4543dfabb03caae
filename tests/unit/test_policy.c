/*
 * test_policy.c - the policy loader and evaluator: the shipped
 * policies/untoc.yaml against the facts of REVIEW-MECHANISM.md, every rule
 * once allowed and once refused, and the loader's positioned messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "keys/crypto.h"
#include "policies/deadline.h"
#include "policies/policy.h"

/* ---- helpers ----------------------------------------------------------- */

/* The path of the shipped policy: $PLM_TOP/policies/untoc.yaml. */
static const char *untoc_path(void)
{
	static char path[4096];
	const char *top = getenv("PLM_TOP");

	snprintf(path, sizeof(path), "%s/policies/untoc.yaml",
	         top != NULL && top[0] != '\0' ? top : ".");
	return path;
}

/* The shipped policy, loaded once for the whole program (freed by main). */
static plm_policy *untoc(void)
{
	static plm_policy *policy;
	plm_error err;

	if (policy == NULL && plm_policy_load(untoc_path(), &policy, &err) != 0) {
		printf("# cannot load %s: %s\n", untoc_path(), err.message);
		return NULL;
	}
	return policy;
}

static void free_untoc(void)
{
	plm_policy_free(untoc());
}

/* A small policy whose line numbers the schema tests rely on. */
static const char mini[] =
    "policy_format: 1\n"                                             /* 1 */
    "name: mini\n"                                                   /* 2 */
    "title: A small policy\n"                                        /* 3 */
    "instruments:\n"                                                 /* 4 */
    "  alpha: {title: Alpha Convention}\n"                           /* 5 */
    "  beta: {title: Beta Protocol}\n"                               /* 6 */
    "other_treaties:\n"                                              /* 7 */
    "  gamma: {title: Gamma Convention}\n"                           /* 8 */
    "clusters:\n"                                                    /* 9 */
    "  one:\n"                                                       /* 10 */
    "    title: cluster one\n"                                       /* 11 */
    "    articles:\n"                                                /* 12 */
    "      alpha: [1, {article: 2, only_if_not_party_to: gamma}]\n"  /* 13 */
    "      beta: []\n"                                               /* 14 */
    "phases: {order: [one], duration: 2y}\n"                         /* 15 */
    "roles:\n"                                                       /* 16 */
    "  lead:\n"                                                      /* 17 */
    "    title: lead\n"                                              /* 18 */
    "    plural: leads\n"                                            /* 19 */
    "    may: [read, write, submit, agree, disclose, manage]\n"      /* 20 */
    "  reader:\n"                                                    /* 21 */
    "    title: reader\n"                                            /* 22 */
    "    plural: readers\n"                                          /* 23 */
    "    read_only: true\n"                                          /* 24 */
    "    may: [read]\n"                                              /* 25 */
    "channels:\n"                                                    /* 26 */
    "  main:\n"                                                      /* 27 */
    "    title: main\n"                                              /* 28 */
    "    audience:\n"                                                /* 29 */
    "      - {side: sur, roles: [lead], access: write}\n"            /* 30 */
    "      - {side: sur, roles: [reader], access: read}\n"           /* 31 */
    "      - {side: reviewer, roles: [lead], access: write}\n"       /* 32 */
    "stages:\n"                                                      /* 33 */
    "  - name: open\n"                                               /* 34 */
    "    title: open\n"                                              /* 35 */
    "    advanced_by:\n"                                             /* 36 */
    "      - {side: reviewer, roles: [lead]}\n"                      /* 37 */
    "  - name: closed\n"                                             /* 38 */
    "    title: closed\n"                                            /* 39 */
    "deadlines:\n"                                                   /* 40 */
    "  - {name: soon, title: soon, from_stage: open, within: 10d}\n" /* 41 */
    "kinds:\n"                                                       /* 42 */
    "  note:\n"                                                      /* 43 */
    "    title: note\n"                                              /* 44 */
    "    channels: [main]\n"                                         /* 45 */
    "    writers:\n"                                                 /* 46 */
    "      - {side: sur, roles: [lead]}\n"                           /* 47 */
    "    stages: [open]\n"                                           /* 48 */
    "    max_size: 1KiB\n"                                           /* 49 */
    "attachments:\n"                                                 /* 50 */
    "  mime_types: [application/pdf]\n"                              /* 51 */
    "review:\n"                                                      /* 52 */
    "  sur_must_be_party: false\n"                                   /* 53 */
    "  reviewing_states: {per_instrument_min: 1, per_instrument_max: 1,\n"
    "    total_max: 1, must_be_party: false, may_review_itself: false}\n"
    "  languages: {allowed: [en], min: 1, max: 1}\n" /* 56 */
    "disclosure:\n"                                  /* 57 */
    "  by: []\n"                                     /* 58 */
    "  parties_group: [lead]\n"                      /* 59 */
    "  scopes: {}\n";                                /* 60 */

/*
 * Parses MINI with the first occurrence of FROM replaced by TO (FROM NULL:
 * MINI as it is). Returns the status; the policy, if any, is freed.
 */
static int parse_variant(const char *from, const char *to, plm_error *err)
{
	char text[sizeof(mini) + 512];
	const char *at;
	plm_policy *p = NULL;
	size_t head;
	int r;

	if (from == NULL) {
		snprintf(text, sizeof(text), "%s", mini);
	} else {
		at = strstr(mini, from);
		if (at == NULL) {
			printf("# test bug: '%s' is not in the mini policy\n", from);
			return 999;
		}
		head = (size_t)(at - mini);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)head, mini, to,
		         at + strlen(from));
	}
	plm_error_clear(err);
	r = plm_policy_parse("test.yaml", text, strlen(text), &p, err);
	plm_policy_free(p);
	return r;
}

/* Checks that the variant fails with CODE and exactly MESSAGE. */
#define CHECK_VARIANT(from_, to_, code_, want_)                                        \
	do {                                                                           \
		plm_error e_;                                                          \
		CHECK_INT(parse_variant(from_, to_, &e_), code_);                      \
		if (strcmp(e_.message, want_) != 0) {                                  \
			check_fail(__FILE__, __LINE__, "message '%s', expected '%s'",  \
			           e_.message, want_);                                 \
			return;                                                        \
		}                                                                      \
	} while (0)

/* Party table used by the review checks: none of it is real data. */
static const plm_policy_party party_entries[] = {
    {"ITA", "untoc"}, {"ITA", "tip"},   {"ITA", "som"}, {"ITA", "firearms"},
    {"BRA", "untoc"}, {"BRA", "tip"},   {"BRA", "som"}, {"FRA", "untoc"},
    {"FRA", "tip"},   {"KEN", "untoc"}, {"KEN", "tip"}, {"KEN", "som"},
    {"NZL", "untoc"}, {"NZL", "tip"},   {"NZL", "som"}, {"PER", "untoc"},
    {"PER", "som"},   {"JPN", "untoc"},
};
static const plm_policy_parties parties = {party_entries, sizeof(party_entries) /
                                                              sizeof(party_entries[0])};

/* ---- the shipped policy ------------------------------------------------ */

static void shipped_policy_loads(void)
{
	plm_policy *p = untoc();
	static const char *const stages[] = {
	    "nomination", "consultation", "self_assessment", "feedback",
	    "dialogue",   "observations", "summary",         "concluded"};
	static const char *const phases[] = {"criminalization", "cooperation",
	                                     "law_enforcement", "prevention"};
	static const char *const kinds[] = {"questionnaire_response",
	                                    "attachment",
	                                    "feedback",
	                                    "question",
	                                    "answer",
	                                    "message",
	                                    "meeting_record",
	                                    "observations_draft",
	                                    "summary_draft"};
	size_t i;

	CHECK(p != NULL);
	CHECK_STR(plm_policy_name(p), "untoc");
	CHECK_INT(plm_policy_count(p, PLM_POLICY_INSTRUMENTS), 4);
	CHECK_STR(plm_policy_title(p, PLM_POLICY_INSTRUMENTS, "untoc"),
	          "Organized Crime Convention");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_INSTRUMENTS, "tip"),
	          "Trafficking in Persons Protocol");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_INSTRUMENTS, "som"),
	          "Smuggling of Migrants Protocol");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_INSTRUMENTS, "firearms"),
	          "Firearms Protocol");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_CLUSTERS, "criminalization"),
	          "criminalization and jurisdiction");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_CLUSTERS, "prevention"),
	          "prevention, technical assistance, protection and other measures");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_CLUSTERS, "law_enforcement"),
	          "law enforcement and the judicial system");
	CHECK_STR(plm_policy_title(p, PLM_POLICY_CLUSTERS, "cooperation"),
	          "international cooperation, mutual legal assistance and "
	          "confiscation");
	CHECK(plm_policy_title(p, PLM_POLICY_CLUSTERS, "nonesuch") == NULL);
	CHECK_INT(plm_policy_count(p, PLM_POLICY_PHASES), 4);
	for (i = 0; i < 4; i++)
		CHECK_STR(plm_policy_nth(p, PLM_POLICY_PHASES, i), phases[i]);
	CHECK_INT(plm_policy_count(p, PLM_POLICY_STAGES), 8);
	for (i = 0; i < 8; i++)
		CHECK_STR(plm_policy_nth(p, PLM_POLICY_STAGES, i), stages[i]);
	CHECK(plm_policy_nth(p, PLM_POLICY_STAGES, 8) == NULL);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		CHECK(plm_policy_title(p, PLM_POLICY_KINDS, kinds[i]) != NULL);
	CHECK_INT(plm_policy_count(p, PLM_POLICY_ROLES), 4);
	CHECK_INT(plm_policy_count(p, PLM_POLICY_CHANNELS), 2);
	CHECK_STR(plm_policy_nth(p, PLM_POLICY_TREATIES, 0), "uncac");
	CHECK_INT(plm_policy_count(p, PLM_POLICY_LANGUAGES), 6);
}

/* The digest is BLAKE2b-256 of the exact bytes, comments included. */
static void digest_covers_exact_bytes(void)
{
	plm_policy *p = untoc(), *q = NULL;
	unsigned char d1[PLM_POLICY_DIGEST_BYTES], d2[PLM_POLICY_DIGEST_BYTES];
	unsigned char want[PLM_HASH_BYTES];
	plm_error err;
	char *text;
	long len;
	FILE *f;

	CHECK(p != NULL);
	f = fopen(untoc_path(), "rb");
	CHECK(f != NULL);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc((size_t)len + 2);
	CHECK(text != NULL && fread(text, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	plm_hash(want, text, (size_t)len);
	plm_policy_digest(p, d1);
	CHECK_MEM(d1, want, sizeof(want));
	/* One more byte (a newline after the last comment) is another policy. */
	text[len] = '\n';
	CHECK_INT(plm_policy_parse("copy", text, (size_t)len + 1, &q, &err), 0);
	plm_policy_digest(q, d2);
	CHECK(memcmp(d1, d2, sizeof(d1)) != 0);
	plm_policy_free(q);
	free(text);
}

/* Table 1 of the appendix, every cell. */
static void articles_match_table_1(void)
{
	static const struct {
		const char *instrument, *cluster;
		unsigned articles[10];
		size_t n;
	} table[] = {
	    {"untoc", "criminalization", {2, 5, 6, 8, 9, 10, 15, 23}, 8},
	    {"untoc", "prevention", {24, 25, 29, 30, 31}, 5},
	    {"untoc", "law_enforcement", {7, 11, 19, 20, 22, 26, 27, 28}, 8},
	    {"untoc", "cooperation", {12, 13, 14, 16, 17, 18, 21}, 7},
	    {"tip", "criminalization", {3, 5}, 2},
	    {"tip", "prevention", {6, 7, 9}, 3},
	    {"tip", "law_enforcement", {11, 12, 13}, 3},
	    {"tip", "cooperation", {8, 10}, 2},
	    {"som", "criminalization", {3, 5, 6}, 3},
	    {"som", "prevention", {8, 9, 14, 15, 16}, 5},
	    {"som", "law_enforcement", {11, 12, 13}, 3},
	    {"som", "cooperation", {7, 10, 18}, 3},
	    {"firearms", "criminalization", {3, 5, 8}, 3},
	    {"firearms", "prevention", {7, 9, 10, 11, 14, 15}, 6},
	    {"firearms", "law_enforcement", {0}, 0},
	    {"firearms", "cooperation", {6, 12, 13}, 3},
	};
	plm_policy *p = untoc();
	unsigned out[PLM_POLICY_ARTICLES_MAX];
	plm_error err;
	size_t i, n;

	CHECK(p != NULL);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK_INT(plm_policy_articles(p, table[i].instrument, table[i].cluster,
		                              NULL, out, &n, &err),
		          0);
		CHECK_INT(n, table[i].n);
		CHECK_MEM(out, table[i].articles, n * sizeof(unsigned));
	}
}

/* Articles 8 and 9 of the Convention only for parties not party to UNCAC. */
static void articles_8_9_dropped_for_uncac_party(void)
{
	static const char *const uncac_party[] = {"untoc", "uncac", NULL};
	static const char *const not_uncac[] = {"untoc", "tip", NULL};
	static const unsigned want[] = {2, 5, 6, 10, 15, 23};
	plm_policy *p = untoc();
	unsigned out[PLM_POLICY_ARTICLES_MAX];
	plm_error err;
	size_t n;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_articles(p, "untoc", "criminalization", uncac_party, out,
	                              &n, &err),
	          0);
	CHECK_INT(n, 6);
	CHECK_MEM(out, want, sizeof(want));
	CHECK_INT(plm_policy_articles(p, "untoc", "criminalization", not_uncac, out, &n,
	                              &err),
	          0);
	CHECK_INT(n, 8);
	/* Only the Convention's 8 and 9: the Firearms Protocol's 8 stays. */
	CHECK_INT(plm_policy_articles(p, "firearms", "criminalization", uncac_party,
	                              out, &n, &err),
	          0);
	CHECK_INT(n, 3);
	CHECK_INT(out[2], 8);
	CHECK_INT(
	    plm_policy_articles(p, "uncac", "criminalization", NULL, out, &n, &err),
	    PLM_ERR_POLICY);
	CHECK_STR(err.message,
	          "the policy defines no instrument 'uncac' (policy: instruments)");
	CHECK_INT(plm_policy_articles(p, "tip", "phase1", NULL, out, &n, &err),
	          PLM_ERR_POLICY);
}

/* ---- who may write and read ------------------------------------------- */

static void observers_read_but_never_write(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_may_read(p, "observer", PLM_SIDE_SUR, "review", &err), 0);
	CHECK_INT(plm_policy_may_write(p, "observer", PLM_SIDE_SUR, "review", "message",
	                               "dialogue", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "observers may read this review but not write to "
	                       "it (policy: roles.observer)");
	CHECK_INT(plm_policy_may_read(p, "observer", PLM_SIDE_SUR, "reviewers", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "observers of the State under review are not in the "
	                       "audience of the channel 'reviewers' (policy: "
	                       "channels.reviewers.audience)");
	CHECK_INT(plm_policy_may_read(p, "observer", PLM_SIDE_REVIEWER, "review", &err),
	          PLM_ERR_POLICY);
	CHECK(!plm_policy_role_has(p, "observer", PLM_RIGHT_WRITE));
	CHECK(plm_policy_role_has(p, "observer", PLM_RIGHT_READ));
}

static void writers_allowed(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_may_write(p, "expert", PLM_SIDE_SUR, "review",
	                               "questionnaire_response", "self_assessment",
	                               &err),
	          0);
	CHECK_INT(plm_policy_may_write(p, "focal_point", PLM_SIDE_REVIEWER, "review",
	                               "feedback", "feedback", &err),
	          0);
	CHECK_INT(plm_policy_may_write(p, "expert", PLM_SIDE_REVIEWER, "reviewers",
	                               "summary_draft", "summary", &err),
	          0);
	CHECK_INT(plm_policy_may_write(p, "secretariat", PLM_SIDE_SECRETARIAT,
	                               "reviewers", "message", "nomination", &err),
	          0);
	CHECK_INT(plm_policy_may_write(p, "focal_point", PLM_SIDE_SUR, "review",
	                               "attachment", "dialogue", &err),
	          0);
	CHECK_INT(
	    plm_policy_may_read(p, "expert", PLM_SIDE_REVIEWER, "reviewers", &err), 0);
}

static void writers_refused(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_may_write(p, "focal_point", PLM_SIDE_REVIEWER, "review",
	                               "feedback", "nomination", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "documents of kind 'feedback' may not be written in "
	                       "the stage 'nomination', only in: feedback (policy: "
	                       "kinds.feedback.stages; para 35)");
	CHECK_INT(plm_policy_may_write(p, "focal_point", PLM_SIDE_SUR, "reviewers",
	                               "message", "dialogue", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "focal points of the State under review are not in "
	                       "the audience of the channel 'reviewers' (policy: "
	                       "channels.reviewers.audience)");
	CHECK_INT(plm_policy_may_write(p, "focal_point", PLM_SIDE_SUR, "review",
	                               "feedback", "feedback", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "documents of kind 'feedback' are written by focal "
	                       "points, governmental experts of a reviewing State, "
	                       "not by focal points of the State under review "
	                       "(policy: kinds.feedback.writers; para 35)");
	CHECK_INT(plm_policy_may_write(p, "focal_point", PLM_SIDE_REVIEWER, "reviewers",
	                               "questionnaire_response", "self_assessment",
	                               &err),
	          PLM_ERR_POLICY);
	CHECK(strstr(err.message, "(policy: kinds.questionnaire_response.channels;") !=
	      NULL);
	CHECK_INT(plm_policy_may_write(p, "expert", PLM_SIDE_SUR, "review", "message",
	                               "concluded", &err),
	          PLM_ERR_POLICY);
	CHECK(strstr(err.message, "kinds.message.stages") != NULL);
	/* Names the policy does not define, and impossible sides. */
	CHECK_INT(plm_policy_may_write(p, "minister", PLM_SIDE_SUR, "review", "message",
	                               "dialogue", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "the policy defines no role 'minister' (policy: roles)");
	CHECK_INT(plm_policy_may_write(p, "expert", PLM_SIDE_SUR, "review", "memo",
	                               "dialogue", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_write(p, "expert", PLM_SIDE_SUR, "public", "message",
	                               "dialogue", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_write(p, "expert", PLM_SIDE_SUR, "review", "message",
	                               "limbo", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_write(p, "expert", (enum plm_policy_side)7, "review",
	                               "message", "dialogue", &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_policy_may_write(p, NULL, PLM_SIDE_SUR, "review", "message",
	                               "dialogue", &err),
	          PLM_ERR_INVALID);
}

/* Who gets each channel's epoch key. */
static void channel_audiences(void)
{
	static const plm_policy_grant review[] = {
	    {"focal_point", PLM_SIDE_SUR, 1}, {"focal_point", PLM_SIDE_REVIEWER, 1},
	    {"expert", PLM_SIDE_SUR, 1},      {"expert", PLM_SIDE_REVIEWER, 1},
	    {"observer", PLM_SIDE_SUR, 0},    {"secretariat", PLM_SIDE_SECRETARIAT, 1},
	};
	static const plm_policy_grant reviewers[] = {
	    {"focal_point", PLM_SIDE_REVIEWER, 1},
	    {"expert", PLM_SIDE_REVIEWER, 1},
	    {"secretariat", PLM_SIDE_SECRETARIAT, 1},
	};
	plm_policy *p = untoc();
	const plm_policy_grant *g;
	plm_error err;
	size_t n, i;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_channel_audience(p, "review", &g, &n, &err), 0);
	CHECK_INT(n, 6);
	for (i = 0; i < n; i++) {
		CHECK_STR(g[i].role, review[i].role);
		CHECK_INT(g[i].side, review[i].side);
		CHECK_INT(g[i].write, review[i].write);
	}
	CHECK_INT(plm_policy_channel_audience(p, "reviewers", &g, &n, &err), 0);
	CHECK_INT(n, 3);
	for (i = 0; i < n; i++) {
		CHECK_STR(g[i].role, reviewers[i].role);
		CHECK_INT(g[i].side, reviewers[i].side);
		CHECK_INT(g[i].write, reviewers[i].write);
	}
	CHECK_INT(plm_policy_channel_audience(p, "parties", &g, &n, &err),
	          PLM_ERR_POLICY);
	CHECK(g == NULL && n == 0);
}

/* ---- limits ------------------------------------------------------------ */

static void size_limits(void)
{
	plm_policy *p = untoc();
	plm_error err;
	uint64_t max;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_max_size(p, "attachment", &max, &err), 0);
	CHECK_INT(max, 1ull << 30);
	CHECK_INT(plm_policy_max_size(p, "message", &max, &err), 0);
	CHECK_INT(max, 16ull << 20);
	CHECK_INT(plm_policy_max_size(p, "telegram", &max, &err), PLM_ERR_POLICY);
	CHECK_INT(max, 0);
}

static void word_limits(void)
{
	plm_policy *p = untoc();
	char warning[PLM_POLICY_WARNING_MAX];
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_check_words(p, "summary_draft", 1500, warning, &err), 0);
	CHECK_STR(warning, "");
	CHECK_INT(plm_policy_check_words(p, "summary_draft", 1501, warning, &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "documents of kind 'summary_draft' may have at most "
	                       "1500 words; this one has 1501 (policy: "
	                       "kinds.summary_draft.words; para 38)");
	CHECK_INT(plm_policy_check_words(p, "feedback", 10500, warning, &err), 0);
	CHECK_STR(warning, "");
	CHECK_INT(plm_policy_check_words(p, "feedback", 10501, warning, &err), 0);
	CHECK_STR(warning, "documents of kind 'feedback' should not exceed 10500 "
	                   "words; this one has 10501 (policy: kinds.feedback.words)");
	CHECK_INT(plm_policy_check_words(p, "feedback", 99999, NULL, &err), 0);
	CHECK_INT(plm_policy_check_words(p, "message", 5000000, warning, &err), 0);
	CHECK_STR(warning, "");
	CHECK_INT(plm_policy_check_words(p, "memo", 1, warning, &err), PLM_ERR_POLICY);
}

static void attachment_types(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_attachment_allowed(p, "application/pdf", &err), 0);
	CHECK_INT(plm_policy_attachment_allowed(p, "text/plain; charset=utf-8", &err),
	          0);
	CHECK_INT(plm_policy_attachment_allowed(p, "Image/PNG", &err), 0);
	CHECK_INT(plm_policy_attachment_allowed(
	              p,
	              "application/vnd.openxmlformats-officedocument."
	              "wordprocessingml.document",
	              &err),
	          0);
	CHECK_INT(plm_policy_attachment_allowed(p, "image/tiff", &err), 0);
	CHECK_INT(plm_policy_attachment_allowed(p, "application/x-executable", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "files of type 'application/x-executable' may not be "
	                       "attached; the policy lists the types that may "
	                       "(policy: attachments.mime_types)");
	CHECK_INT(plm_policy_attachment_allowed(p, "application/pdfx", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(
	    plm_policy_attachment_allowed(p, "application/x-dosexec\x1b[2J", &err),
	    PLM_ERR_POLICY);
	CHECK(strchr(err.message, '\x1b') == NULL);
	CHECK_INT(plm_policy_attachment_allowed(p, "", &err), PLM_ERR_POLICY);
	CHECK_INT(plm_policy_attachment_allowed(p, NULL, &err), PLM_ERR_INVALID);
}

/* ---- stages, agreement, disclosure ------------------------------------- */

static void stages_move_one_step(void)
{
	plm_policy *p = untoc();
	const char *next;
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_next_stage(p, "nomination", &next, &err), 0);
	CHECK_STR(next, "consultation");
	CHECK_INT(plm_policy_next_stage(p, "summary", &next, &err), 0);
	CHECK_STR(next, "concluded");
	CHECK_INT(plm_policy_next_stage(p, "concluded", &next, &err), PLM_ERR_POLICY);
	CHECK(next == NULL);
	CHECK_INT(plm_policy_may_advance(p, "nomination", "consultation", "secretariat",
	                                 PLM_SIDE_SECRETARIAT, &err),
	          0);
	CHECK_INT(plm_policy_may_advance(p, "nomination", "self_assessment",
	                                 "secretariat", PLM_SIDE_SECRETARIAT, &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "the review moves from the stage 'nomination' only to "
	                       "the next one, 'consultation', not to "
	                       "'self_assessment' (policy: stages)");
	CHECK_INT(plm_policy_may_advance(p, "concluded", "nomination", "secretariat",
	                                 PLM_SIDE_SECRETARIAT, &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_advance(p, "nomination", "consultation", "focal_point",
	                                 PLM_SIDE_SUR, &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "only secretariat officers of the secretariat may "
	                       "move the review on from the stage 'nomination' "
	                       "(policy: stages.nomination.advanced_by)");
}

/* The SUR's focal point moves self-assessment on by its final submission. */
static void final_submission(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_may_advance(p, "self_assessment", "feedback",
	                                 "focal_point", PLM_SIDE_SUR, &err),
	          0);
	CHECK_INT(plm_policy_may_advance(p, "self_assessment", "feedback",
	                                 "secretariat", PLM_SIDE_SECRETARIAT, &err),
	          0);
	CHECK_INT(plm_policy_may_advance(p, "self_assessment", "feedback", "expert",
	                                 PLM_SIDE_SUR, &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "only secretariat officers of the secretariat, or "
	                       "focal points of the State under review by the final "
	                       "submission may move the review on from the stage "
	                       "'self_assessment' (policy: "
	                       "stages.self_assessment.advanced_by; para 34)");
	CHECK_INT(plm_policy_may_advance(p, "self_assessment", "feedback",
	                                 "focal_point", PLM_SIDE_REVIEWER, &err),
	          PLM_ERR_POLICY);
	CHECK(plm_policy_role_has(p, "focal_point", PLM_RIGHT_SUBMIT));
	CHECK(!plm_policy_role_has(p, "expert", PLM_RIGHT_SUBMIT));
	/* Only the secretariat moves feedback on. */
	CHECK_INT(plm_policy_may_advance(p, "feedback", "dialogue", "focal_point",
	                                 PLM_SIDE_SUR, &err),
	          PLM_ERR_POLICY);
}

static void agreement(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_may_agree(p, "focal_point", PLM_SIDE_SUR,
	                               "observations_draft", "observations", &err),
	          0);
	CHECK_INT(plm_policy_may_agree(p, "focal_point", PLM_SIDE_REVIEWER,
	                               "summary_draft", "summary", &err),
	          0);
	CHECK_INT(plm_policy_may_agree(p, "expert", PLM_SIDE_SUR, "summary_draft",
	                               "summary", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "documents of kind 'summary_draft' are agreed to by "
	                       "focal points of the State under review; focal "
	                       "points of a reviewing State, not by governmental "
	                       "experts of the State under review (policy: "
	                       "kinds.summary_draft.agreed_by; para 38)");
	CHECK_INT(plm_policy_may_agree(p, "secretariat", PLM_SIDE_SECRETARIAT,
	                               "summary_draft", "summary", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_agree(p, "focal_point", PLM_SIDE_SUR, "feedback",
	                               "feedback", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_agree(p, "focal_point", PLM_SIDE_SUR,
	                               "observations_draft", "summary", &err),
	          PLM_ERR_POLICY);
	CHECK(strstr(err.message, "kinds.observations_draft.stages") != NULL);
}

static void disclosure(void)
{
	plm_policy *p = untoc();
	plm_error err;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_may_disclose(p, "focal_point", PLM_SIDE_SUR,
	                                  "questionnaire_response", "parties", &err),
	          0);
	CHECK_INT(plm_policy_may_disclose(p, "focal_point", PLM_SIDE_SUR, "answer",
	                                  "public", &err),
	          0);
	CHECK_INT(plm_policy_may_disclose(p, "expert", PLM_SIDE_SUR,
	                                  "questionnaire_response", "parties", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "only focal points of the State under review may "
	                       "disclose documents of a review, not governmental "
	                       "experts of the State under review (policy: "
	                       "disclosure.by; para 41)");
	CHECK_INT(plm_policy_may_disclose(p, "focal_point", PLM_SIDE_REVIEWER,
	                                  "feedback", "public", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_disclose(p, "secretariat", PLM_SIDE_SECRETARIAT,
	                                  "questionnaire_response", "public", &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_may_disclose(p, "focal_point", PLM_SIDE_SUR,
	                                  "questionnaire_response", "press", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "there is no disclosure scope 'press': expected "
	                       "parties or public (policy: disclosure.scopes)");
	CHECK(plm_policy_disclosed_by_default(p, "questionnaire_response", "parties"));
	CHECK(!plm_policy_disclosed_by_default(p, "feedback", "parties"));
	CHECK(!plm_policy_disclosed_by_default(p, "questionnaire_response", "public"));
	CHECK(plm_policy_in_parties_group(p, "focal_point"));
	CHECK(plm_policy_in_parties_group(p, "expert"));
	CHECK(!plm_policy_in_parties_group(p, "observer"));
}

/* A kind missing from a scope is refused (the mini policy has no scopes). */
static void disclosure_kind_not_in_scope(void)
{
	const char *text =
	    "policy_format: 1\nname: d\ntitle: d\n"
	    "instruments: {a: {title: A}}\n"
	    "clusters: {c: {title: C, articles: {a: [1]}}}\n"
	    "phases: {order: [c], duration: 1y}\n"
	    "roles: {fp: {title: fp, plural: fps, may: [read, write, disclose]}}\n"
	    "channels: {m: {title: m, audience: [{side: sur, roles: [fp], access: "
	    "write}]}}\n"
	    "stages: [{name: s, title: s}]\n"
	    "kinds: {x: {title: x, channels: [m], writers: [{side: sur, roles: [fp]}],"
	    " stages: [s], max_size: 1}, y: {title: y, channels: [m], writers: "
	    "[{side: sur, roles: [fp]}], stages: [s], max_size: 1}}\n"
	    "review: {sur_must_be_party: false, reviewing_states: "
	    "{per_instrument_min: 1, per_instrument_max: 1, total_max: 1, "
	    "must_be_party: false, may_review_itself: false}, languages: "
	    "{allowed: [en], min: 1, max: 1}}\n"
	    "disclosure: {by: [{side: sur, roles: [fp]}], parties_group: [fp], "
	    "scopes: {parties: {kinds: [x]}}}\n";
	plm_policy *p = NULL;
	plm_error err;

	CHECK_INT(plm_policy_parse("d.yaml", text, strlen(text), &p, &err), 0);
	CHECK_INT(plm_policy_may_disclose(p, "fp", PLM_SIDE_SUR, "x", "parties", &err),
	          0);
	CHECK_INT(plm_policy_may_disclose(p, "fp", PLM_SIDE_SUR, "y", "parties", &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message,
	          "documents of kind 'y' may not be disclosed to all "
	          "States parties (policy: disclosure.scopes.parties.kinds)");
	CHECK_INT(plm_policy_may_disclose(p, "fp", PLM_SIDE_SUR, "x", "public", &err),
	          PLM_ERR_POLICY);
	/* A single stage is the last one: nobody moves it on. */
	CHECK_INT(plm_policy_may_advance(p, "s", "s", "fp", PLM_SIDE_SUR, &err),
	          PLM_ERR_POLICY);
	CHECK_INT(plm_policy_deadline_count(p), 0);
	plm_policy_free(p);
}

/* ---- deadlines and durations ------------------------------------------ */

static void deadlines(void)
{
	static const struct {
		const char *name, *from;
		uint64_t seconds;
		uint32_t months;
	} want[] = {
	    {"focal_point_nominated", "nomination", 14 * 86400, 0},
	    {"experts_nominated", "nomination", 28 * 86400, 0},
	    {"consultation_held", "nomination", 42 * 86400, 0},
	    {"responses_submitted", "self_assessment", 0, 6},
	    {"feedback_sent", "feedback", 0, 6},
	};
	plm_policy *p = untoc();
	const plm_policy_deadline *d;
	size_t i;

	CHECK(p != NULL);
	CHECK_INT(plm_policy_deadline_count(p), 5);
	for (i = 0; i < 5; i++) {
		d = plm_policy_deadline_at(p, i);
		CHECK_STR(d->name, want[i].name);
		CHECK_STR(d->from_stage, want[i].from);
		CHECK_INT(d->within.seconds, want[i].seconds);
		CHECK_INT(d->within.months, want[i].months);
	}
	CHECK(plm_policy_deadline_at(p, 5) == NULL);
	CHECK_STR(plm_policy_deadline_at(p, 3)->source, "para 34");
}

static void durations(void)
{
	static const char *const bad[] = {"0w",  "6",   "6m", "w",    "-1d", "1001d",
	                                  "06w", "6 w", "",   "6moo", "1.5y"};
	plm_policy_duration d;
	plm_error err;
	size_t i;

	CHECK_INT(plm_policy_parse_duration("2w", &d, &err), 0);
	CHECK_INT(d.seconds, 1209600);
	CHECK_INT(d.months, 0);
	CHECK_INT(plm_policy_parse_duration("6mo", &d, &err), 0);
	CHECK_INT(d.seconds, 0);
	CHECK_INT(d.months, 6);
	CHECK_INT(plm_policy_parse_duration("2y", &d, &err), 0);
	CHECK_INT(d.months, 24);
	CHECK_INT(plm_policy_parse_duration("1000d", &d, &err), 0);
	CHECK_INT(d.seconds, 1000ull * 86400);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (plm_policy_parse_duration(bad[i], &d, &err) != PLM_ERR_FORMAT) {
			check_fail(__FILE__, __LINE__, "'%s' was accepted", bad[i]);
			return;
		}
	}
	CHECK(strstr(err.message, "expected a duration such as 2w or 6mo") != NULL);
}

static void due_dates(void)
{
	plm_policy_duration six_months = {0, 6}, one_month = {0, 1};
	plm_policy_duration two_weeks = {14 * 86400, 0}, forever = {0, 12 * 9000};
	plm_error err;
	uint64_t due;

	/* 2024-01-15T10:00:00Z + 6 months = 2024-07-15T10:00:00Z */
	CHECK_INT(plm_policy_due(&six_months, 1705312800, &due, &err), 0);
	CHECK_INT(due, 1721037600);
	/* 2024-01-31 + 1 month = 2024-02-29 (leap year, clamped) */
	CHECK_INT(plm_policy_due(&one_month, 1706659200, &due, &err), 0);
	CHECK_INT(due, 1709164800);
	/* 2023-08-31 + 6 months = 2024-02-29 */
	CHECK_INT(plm_policy_due(&six_months, 1693440000, &due, &err), 0);
	CHECK_INT(due, 1709164800);
	/* 2023-12-31 + 1 month = 2024-01-31 */
	CHECK_INT(plm_policy_due(&one_month, 1703980800, &due, &err), 0);
	CHECK_INT(due, 1706659200);
	/* 2022-11-30 + 6 months = 2023-05-30 */
	CHECK_INT(plm_policy_due(&six_months, 1669766400, &due, &err), 0);
	CHECK_INT(due, 1685404800);
	CHECK_INT(plm_policy_due(&two_weeks, 1000, &due, &err), 0);
	CHECK_INT(due, 1000 + 14 * 86400);
	CHECK_INT(plm_policy_due(&forever, 1700000000, &due, &err), PLM_ERR_LIMIT);
	CHECK_INT(plm_policy_due(&two_weeks, UINT64_MAX - 5, &due, &err),
	          PLM_ERR_LIMIT);
}

static void sizes(void)
{
	static const char *const bad[] = {"0",     "1.5GiB", "1gb", "GiB", "-1",
	                                  "01KiB", "1 KiB",  "",    "1KB"};
	plm_error err;
	uint64_t v;
	size_t i;

	CHECK_INT(plm_policy_parse_size("1GiB", &v, &err), 0);
	CHECK_INT(v, 1ull << 30);
	CHECK_INT(plm_policy_parse_size("16MiB", &v, &err), 0);
	CHECK_INT(v, 16ull << 20);
	CHECK_INT(plm_policy_parse_size("1024", &v, &err), 0);
	CHECK_INT(v, 1024);
	CHECK_INT(plm_policy_parse_size("7B", &v, &err), 0);
	CHECK_INT(v, 7);
	CHECK_INT(plm_policy_parse_size("1TiB", &v, &err), 0);
	CHECK_INT(v, 1ull << 40);
	CHECK_INT(plm_policy_parse_size("2TiB", &v, &err), PLM_ERR_LIMIT);
	CHECK_INT(plm_policy_parse_size("9999999999999", &v, &err), PLM_ERR_LIMIT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (plm_policy_parse_size(bad[i], &v, &err) != PLM_ERR_FORMAT) {
			check_fail(__FILE__, __LINE__, "'%s' was accepted", bad[i]);
			return;
		}
	}
}

static void word_count(void)
{
	CHECK_INT(plm_word_count("", 0), 0);
	CHECK_INT(plm_word_count("   \n\t ", 6), 0);
	CHECK_INT(plm_word_count("one", 3), 1);
	CHECK_INT(plm_word_count("  a  b\n c ", 10), 3);
	/* Non-ASCII letters are part of words. */
	CHECK_INT(plm_word_count("na\xc3\xafve caf\xc3\xa9", 12), 2);
	/* NO-BREAK SPACE, EM SPACE, IDEOGRAPHIC SPACE, LINE SEPARATOR split. */
	CHECK_INT(plm_word_count("a\xc2\xa0"
	                         "b\xe2\x80\x83"
	                         "c\xe3\x80\x80"
	                         "d\xe2\x80\xa8"
	                         "e",
	                         17),
	          5);
	/* ZERO WIDTH SPACE is not White_Space: it joins. */
	CHECK_INT(plm_word_count("a\xe2\x80\x8b"
	                         "b",
	                         5),
	          1);
	/* Invalid UTF-8 counts as word characters, never as space. */
	CHECK_INT(plm_word_count("\xff\xfe \xc2", 4), 2);
	/* An overlong space (C0 A0) is not a space. */
	CHECK_INT(plm_word_count("a\xc0\xa0"
	                         "b",
	                         4),
	          1);
	/* LEN is obeyed: nothing past it is read. */
	CHECK_INT(plm_word_count("ab cd", 2), 1);
	CHECK_INT(plm_word_count("\xe3\x80", 2), 1);
}

/* ---- review creation --------------------------------------------------- */

/* A review of ITA on untoc and tip; the tests change one thing each. */
struct plan {
	const char *untoc_reviewers[4];
	size_t n_untoc;
	const char *tip_reviewers[4];
	size_t n_tip;
	const char *som_reviewers[4];
	size_t n_som;
	const char *languages[5];
	size_t n_languages;
	plm_policy_review_instrument instruments[4];
	plm_policy_review review;
};

static void plan_init(struct plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->untoc_reviewers[0] = "BRA";
	pl->untoc_reviewers[1] = "FRA";
	pl->n_untoc = 2;
	pl->tip_reviewers[0] = "BRA";
	pl->tip_reviewers[1] = "KEN";
	pl->n_tip = 2;
	pl->languages[0] = "en";
	pl->languages[1] = "fr";
	pl->n_languages = 2;
	pl->review.sur_state = "ITA";
	pl->review.cluster = "criminalization";
	pl->review.is_party = plm_policy_parties_lookup;
	pl->review.is_party_ctx = (void *)&parties;
}

/* Wires the arrays into the review (after a test changed them). */
static const plm_policy_review *plan_review(struct plan *pl, int with_som)
{
	pl->instruments[0].name = "untoc";
	pl->instruments[0].reviewing = pl->untoc_reviewers;
	pl->instruments[0].n_reviewing = pl->n_untoc;
	pl->instruments[1].name = "tip";
	pl->instruments[1].reviewing = pl->tip_reviewers;
	pl->instruments[1].n_reviewing = pl->n_tip;
	pl->instruments[2].name = "som";
	pl->instruments[2].reviewing = pl->som_reviewers;
	pl->instruments[2].n_reviewing = pl->n_som;
	pl->review.instruments = pl->instruments;
	pl->review.n_instruments = with_som ? 3 : 2;
	pl->review.languages = pl->languages;
	pl->review.n_languages = pl->n_languages;
	return &pl->review;
}

static void review_allowed(void)
{
	plm_policy *p = untoc();
	struct plan pl;
	plm_error err;

	CHECK(p != NULL);
	plan_init(&pl);
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err), 0);
	/* Four distinct reviewing States over three instruments. */
	pl.som_reviewers[0] = "NZL";
	pl.n_som = 1;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 1), &err), 0);
	/* One language; three in exceptional cases. */
	pl.n_languages = 1;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 1), &err), 0);
	pl.languages[2] = "ar";
	pl.n_languages = 3;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 1), &err), 0);
}

static void review_refused(void)
{
	plm_policy *p = untoc();
	struct plan pl;
	plm_error err;

	CHECK(p != NULL);
	/* A State does not review itself. */
	plan_init(&pl);
	pl.untoc_reviewers[1] = "ITA";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "a State does not review itself: ITA is the State "
	                       "under review and cannot review the Organized Crime "
	                       "Convention (untoc) (policy: "
	                       "review.reviewing_states.may_review_itself; para 28)");
	/* A fifth reviewing State. */
	plan_init(&pl);
	pl.som_reviewers[0] = "NZL";
	pl.som_reviewers[1] = "PER";
	pl.n_som = 2;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 1), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "a review has at most 4 reviewing States in total, "
	                       "not 5 (policy: review.reviewing_states.total_max; "
	                       "para 28)");
	/* A reviewing State not party to the instrument. */
	plan_init(&pl);
	pl.tip_reviewers[1] = "JPN";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "JPN cannot review the Trafficking in Persons "
	                       "Protocol (tip): a reviewing State must be party to "
	                       "the instrument it reviews (policy: "
	                       "review.reviewing_states.must_be_party; para 28)");
	/* Four languages. */
	plan_init(&pl);
	pl.languages[2] = "es";
	pl.languages[3] = "ru";
	pl.n_languages = 4;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "a review has 1 to 3 working languages, not 4 "
	                       "(policy: review.languages; para 49-50)");
	/* No language at all. */
	pl.n_languages = 0;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	/* A language that is not a working language, one listed twice. */
	plan_init(&pl);
	pl.languages[1] = "de";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "'de' is not a working language of reviews: choose "
	                       "from ar, zh, en, fr, ru, es (policy: "
	                       "review.languages.allowed; para 49-50)");
	pl.languages[1] = "en";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
}

static void review_refused_per_instrument(void)
{
	plm_policy *p = untoc();
	struct plan pl;
	plm_error err;

	CHECK(p != NULL);
	/* Three reviewing States for one instrument. */
	plan_init(&pl);
	pl.untoc_reviewers[2] = "KEN";
	pl.n_untoc = 3;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "the Organized Crime Convention (untoc) has 3 "
	                       "reviewing States, but each instrument has 1 to 2 "
	                       "(policy: review.reviewing_states.per_instrument_max; "
	                       "para 28)");
	/* None. */
	plan_init(&pl);
	pl.n_tip = 0;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	CHECK(strstr(err.message, "per_instrument_min") != NULL);
	/* The same State twice for one instrument. */
	plan_init(&pl);
	pl.untoc_reviewers[1] = "BRA";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	/* The SUR not party to an instrument it would be reviewed on. */
	plan_init(&pl);
	pl.review.sur_state = "FRA";
	pl.untoc_reviewers[1] = "KEN";
	pl.som_reviewers[0] = "NZL";
	pl.n_som = 1;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 1), &err),
	          PLM_ERR_POLICY);
	CHECK_STR(err.message, "FRA is not party to the Smuggling of Migrants "
	                       "Protocol (som), and a State is reviewed only on the "
	                       "instruments it is party to (policy: "
	                       "review.sur_must_be_party)");
}

static void review_bad_input(void)
{
	plm_policy *p = untoc();
	struct plan pl;
	plm_error err;

	CHECK(p != NULL);
	plan_init(&pl);
	pl.review.cluster = "phase_one";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_POLICY);
	plan_init(&pl);
	pl.instruments[1].name = "untoc";
	plan_review(&pl, 0);
	pl.instruments[1].name = "untoc";
	CHECK_INT(plm_policy_check_review(p, &pl.review, &err), PLM_ERR_POLICY);
	CHECK_STR(err.message, "the instrument untoc is listed twice (policy: "
	                       "instruments)");
	plan_init(&pl);
	plan_review(&pl, 0);
	pl.instruments[1].name = "uncac";
	CHECK_INT(plm_policy_check_review(p, &pl.review, &err), PLM_ERR_POLICY);
	plan_init(&pl);
	plan_review(&pl, 0);
	pl.review.n_instruments = 0;
	CHECK_INT(plm_policy_check_review(p, &pl.review, &err), PLM_ERR_POLICY);
	plan_init(&pl);
	pl.review.is_party = NULL;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_INVALID);
	plan_init(&pl);
	pl.review.sur_state = "ita";
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_INVALID);
	plan_init(&pl);
	pl.tip_reviewers[0] = NULL;
	CHECK_INT(plm_policy_check_review(p, plan_review(&pl, 0), &err),
	          PLM_ERR_INVALID);
	CHECK_INT(plm_policy_check_review(p, NULL, &err), PLM_ERR_INVALID);
}

/* Rules that are off need no list of parties at all. */
static void review_rules_off(void)
{
	static const char *const reviewers[] = {"XAA"};
	static const char *const languages[] = {"en"};
	plm_policy_review_instrument in = {"alpha", reviewers, 1};
	plm_policy_review review = {"XBB", "one", &in, 1, languages, 1, NULL, NULL};
	plm_policy *p = NULL;
	plm_error err;

	CHECK_INT(plm_policy_parse("mini.yaml", mini, strlen(mini), &p, &err), 0);
	CHECK_INT(plm_policy_check_review(p, &review, &err), 0);
	review.sur_state = "XAA";
	CHECK_INT(plm_policy_check_review(p, &review, &err), PLM_ERR_POLICY);
	plm_policy_free(p);
}

/* ---- loading: positioned messages -------------------------------------- */

static void mini_policy_loads(void)
{
	static const char *const gamma_party[] = {"gamma", NULL};
	unsigned out[PLM_POLICY_ARTICLES_MAX];
	plm_policy *p = NULL;
	plm_error err;
	size_t n;

	CHECK_INT(plm_policy_parse("test.yaml", mini, strlen(mini), &p, &err), 0);
	CHECK_STR(plm_policy_name(p), "mini");
	CHECK_STR(plm_policy_display_name(p), "A small policy");
	CHECK_INT(plm_policy_articles(p, "alpha", "one", NULL, out, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_INT(plm_policy_articles(p, "alpha", "one", gamma_party, out, &n, &err),
	          0);
	CHECK_INT(n, 1);
	CHECK_INT(plm_policy_articles(p, "beta", "one", NULL, out, &n, &err), 0);
	CHECK_INT(n, 0);
	plm_policy_free(p);
	plm_policy_free(NULL);
}

/* The three the brief names: an unknown key, a wrong type, a missing field. */
static void schema_messages(void)
{
	CHECK_VARIANT("    read_only: true\n", "    read_only: true\n    colour: red\n",
	              PLM_ERR_FORMAT,
	              "test.yaml:25:5: unknown key 'colour'; expected one of: title, "
	              "plural, may, read_only, source");
	CHECK_VARIANT("    may: [read]\n", "    may: read\n", PLM_ERR_FORMAT,
	              "test.yaml:25:10: expected a list of rights (a list), found a "
	              "single value");
	CHECK_VARIANT("    max_size: 1KiB\n", "", PLM_ERR_FORMAT,
	              "test.yaml:44:5: missing field 'max_size'");
}

static void schema_references(void)
{
	CHECK_VARIANT("      - {side: sur, roles: [lead]}\n    stages",
	              "      - {side: sur, roles: [leader]}\n    stages",
	              PLM_ERR_FORMAT,
	              "test.yaml:47:29: expected a role defined under 'roles' (lead, "
	              "reader), found 'leader'");
	CHECK_VARIANT("    stages: [open]", "    stages: [opened]", PLM_ERR_FORMAT,
	              "test.yaml:48:14: expected a stage defined under 'stages' "
	              "(open, closed), found 'opened'");
	CHECK_VARIANT("    channels: [main]", "    channels: [side]", PLM_ERR_FORMAT,
	              "test.yaml:45:16: expected a channel defined under 'channels' "
	              "(main), found 'side'");
	CHECK_VARIANT("from_stage: open", "from_stage: shut", PLM_ERR_FORMAT,
	              "test.yaml:41:43: expected a stage defined under 'stages' "
	              "(open, closed), found 'shut'");
	CHECK_VARIANT("      beta: []\n", "      beta: []\n      delta: []\n",
	              PLM_ERR_FORMAT,
	              "test.yaml:15:7: expected an instrument defined under "
	              "'instruments' (alpha, beta), found 'delta'");
	CHECK_VARIANT("only_if_not_party_to: gamma", "only_if_not_party_to: delta",
	              PLM_ERR_FORMAT,
	              "test.yaml:13:53: expected a treaty defined under "
	              "'other_treaties' (gamma), found 'delta'");
	CHECK_VARIANT("order: [one]", "order: [two]", PLM_ERR_FORMAT,
	              "test.yaml:15:18: expected a cluster defined under 'clusters' "
	              "(one), found 'two'");
	CHECK_VARIANT("parties_group: [lead]", "parties_group: [lead, lead]",
	              PLM_ERR_FORMAT, "test.yaml:59:25: 'lead' is listed twice");
	CHECK_VARIANT("scopes: {}", "scopes: {public: {kinds: [note, memo]}}",
	              PLM_ERR_FORMAT,
	              "test.yaml:60:35: expected a document kind defined under "
	              "'kinds' (note), found 'memo'");
}

static void schema_duplicates(void)
{
	CHECK_VARIANT("  - name: closed\n", "  - name: open\n", PLM_ERR_FORMAT,
	              "test.yaml:38:11: 'open' is defined twice (first at line 34)");
	CHECK_VARIANT("  beta: {title: Beta Protocol}\n",
	              "  alpha: {title: Beta Protocol}\n", PLM_ERR_FORMAT,
	              "test.yaml:6:3: duplicate key 'alpha'");
	CHECK_VARIANT("[1, {article: 2,", "[1, {article: 1,", PLM_ERR_FORMAT,
	              "test.yaml:13:28: article 1 is listed twice");
	CHECK_VARIANT("[read, write, submit,", "[read, write, read,", PLM_ERR_FORMAT,
	              "test.yaml:20:24: 'read' is listed twice");
	CHECK_VARIANT("      - {side: reviewer, roles: [lead], access: write}\n",
	              "      - {side: sur, roles: [lead], access: read}\n",
	              PLM_ERR_FORMAT,
	              "test.yaml:32:29: the role 'lead' of side 'sur' is listed "
	              "twice");
	CHECK_VARIANT("  gamma: {title", "  alpha: {title", PLM_ERR_FORMAT,
	              "test.yaml:8:3: 'alpha' is already defined under "
	              "'instruments'");
}

/* Rules that keep a policy consistent: observers never write, and so on. */
static void schema_consistency(void)
{
	CHECK_VARIANT("    may: [read]\n", "    may: [read, write]\n", PLM_ERR_FORMAT,
	              "test.yaml:25:17: the role 'reader' is read_only: it may have "
	              "no right but read, found 'write'");
	CHECK_VARIANT("roles: [reader], access: read}",
	              "roles: [reader], access: write}", PLM_ERR_FORMAT,
	              "test.yaml:31:29: the role 'reader' cannot be listed here: it "
	              "needs the right 'write', which roles.reader.may does not "
	              "give");
	CHECK_VARIANT("      - {side: sur, roles: [lead]}\n    stages",
	              "      - {side: sur, roles: [lead, reader]}\n    stages",
	              PLM_ERR_FORMAT,
	              "test.yaml:47:35: the role 'reader' cannot be listed here: it "
	              "needs the right 'write', which roles.reader.may does not "
	              "give");
	CHECK_VARIANT("      - {side: sur, roles: [lead]}\n    stages",
	              "      - {side: secretariat, roles: [lead]}\n    stages",
	              PLM_ERR_FORMAT,
	              "test.yaml:47:7: the role 'lead' of side 'secretariat' is a "
	              "writer but cannot write on any of the kind's channels");
	CHECK_VARIANT(
	    "    title: closed\n",
	    "    title: closed\n    advanced_by: [{side: sur, roles: [lead]}]\n",
	    PLM_ERR_FORMAT,
	    "test.yaml:40:18: the last stage cannot be moved on: remove "
	    "advanced_by");
	CHECK_VARIANT("    advanced_by:\n      - {side: reviewer, roles: [lead]}\n", "",
	              PLM_ERR_FORMAT,
	              "test.yaml:34:5: missing field 'advanced_by' (who may move the "
	              "review on from stage 'open')");
	CHECK_VARIANT("      beta: []\n", "", PLM_ERR_FORMAT,
	              "test.yaml:13:7: missing field 'beta' (write beta: [] when the "
	              "instrument has no article in this cluster)");
	CHECK_VARIANT("languages: {allowed: [en], min: 1, max: 1}",
	              "languages: {allowed: [en, fr, es, ru], min: 1, max: 4}",
	              PLM_ERR_LIMIT,
	              "test.yaml:56:55: expected a whole number from 1 to 3, found 4");
	CHECK_VARIANT("per_instrument_max: 1,", "per_instrument_max: 5,", PLM_ERR_LIMIT,
	              "test.yaml:54:65: expected a whole number from 1 to 4, found 5");
}

static void schema_values(void)
{
	CHECK_VARIANT("policy_format: 1", "policy_format: 2", PLM_ERR_VERSION,
	              "test.yaml:1:16: policy_format 2 is not supported: this "
	              "program reads policy_format 1");
	CHECK_VARIANT("name: mini", "name: Mini", PLM_ERR_FORMAT,
	              "test.yaml:2:7: 'Mini' is not a valid name: expected 1 to 32 "
	              "lower-case letters, digits and '_', starting with a letter");
	CHECK_VARIANT("within: 10d", "within: 10 days", PLM_ERR_FORMAT,
	              "test.yaml:41:57: expected a duration such as 2w or 6mo (a "
	              "number from 1 to 1000 followed by d, w, mo or y), found '10 "
	              "days'");
	CHECK_VARIANT("max_size: 1KiB", "max_size: 1KB", PLM_ERR_FORMAT,
	              "test.yaml:49:15: expected a size such as 16MiB (a number from "
	              "1 followed by nothing, B, KiB, MiB, GiB or TiB), found '1KB'");
	CHECK_VARIANT("mime_types: [application/pdf]", "mime_types: [Application/PDF]",
	              PLM_ERR_FORMAT,
	              "test.yaml:51:16: expected a MIME type in lower case without "
	              "parameters, such as application/pdf, found 'Application/PDF'");
	CHECK_VARIANT("access: read}", "access: none}", PLM_ERR_FORMAT,
	              "test.yaml:31:46: expected read or write, found 'none'");
	CHECK_VARIANT("{side: reviewer, roles: [lead]}",
	              "{side: reviewer, roles: [lead], as: final}", PLM_ERR_FORMAT,
	              "test.yaml:37:45: expected final_submission, found 'final'");
	CHECK_VARIANT("{side: reviewer, roles: [lead], access",
	              "{side: reviewers, roles: [lead], access", PLM_ERR_FORMAT,
	              "test.yaml:32:16: expected a side (sur, reviewer or "
	              "secretariat), found 'reviewers'");
	CHECK_VARIANT("[read, write, submit, agree, disclose, manage]",
	              "[read, write, submit, agree, disclose, rule]", PLM_ERR_FORMAT,
	              "test.yaml:20:49: expected a right (read, write, submit, agree, "
	              "disclose or manage), found 'rule'");
	CHECK_VARIANT("title: A small policy", "title: ''", PLM_ERR_FORMAT,
	              "test.yaml:3:8: expected a text of 1 to 1024 characters without "
	              "control characters");
	CHECK_VARIANT("languages: {allowed: [en]", "languages: {allowed: [EN]",
	              PLM_ERR_FORMAT,
	              "test.yaml:56:25: expected a two-letter ISO 639-1 code in lower "
	              "case (en, fr), found 'EN'");
}

static void schema_top_level(void)
{
	plm_policy *p = (plm_policy *)&p; /* must be set to NULL on error */
	plm_error err;

	CHECK_VARIANT("name: mini\n", "name: mini\nversion: 3\n", PLM_ERR_FORMAT,
	              "test.yaml:3:1: unknown key 'version'; expected one of: "
	              "policy_format, name, title, instruments, other_treaties, "
	              "clusters, phases, roles, channels, stages, deadlines, kinds, "
	              "attachments, questionnaire, review, disclosure, history");
	CHECK_VARIANT("name: mini\n", "", PLM_ERR_FORMAT,
	              "test.yaml:1:1: missing field 'name'");
	CHECK_INT(plm_policy_parse("empty.yaml", "", 0, &p, &err), PLM_ERR_FORMAT);
	CHECK(p == NULL);
	CHECK_STR(err.message, "empty.yaml: expected a policy (a mapping of keys to "
	                       "values), but the file is empty");
	CHECK_INT(plm_policy_parse("list.yaml", "- a\n", 4, &p, &err), PLM_ERR_FORMAT);
	CHECK_INT(plm_policy_parse("bad.yaml", "a: [\n", 5, &p, &err), PLM_ERR_FORMAT);
	CHECK(strncmp(err.message, "bad.yaml:", 9) == 0);
	CHECK_INT(plm_policy_parse(NULL, "", 0, &p, &err), PLM_ERR_INVALID);
}

static void load_from_files(void)
{
	char path[4200];
	plm_policy *p = NULL;
	plm_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/none.yaml", check_tmpdir());
	CHECK_INT(plm_policy_load(path, &p, &err), PLM_ERR_IO);
	CHECK(p == NULL);
	CHECK(strstr(err.message, "none.yaml") != NULL);
	CHECK_INT(plm_policy_load(check_tmpdir(), &p, &err), PLM_ERR_IO);
	snprintf(path, sizeof(path), "%s/mini.yaml", check_tmpdir());
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs(mini, f);
	fclose(f);
	CHECK_INT(plm_policy_load(path, &p, &err), 0);
	CHECK_STR(plm_policy_name(p), "mini");
	plm_policy_free(p);
	/* A problem in a file is reported under the file's path. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("policy_format: 1\nname: 7up\n", f);
	fclose(f);
	CHECK_INT(plm_policy_load(path, &p, &err), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "mini.yaml:2:7: '7up' is not a valid name") != NULL);
}

static void sides(void)
{
	enum plm_policy_side side;
	plm_error err;

	CHECK_STR(plm_policy_side_name(PLM_SIDE_SUR), "sur");
	CHECK_STR(plm_policy_side_name(PLM_SIDE_REVIEWER), "reviewer");
	CHECK_STR(plm_policy_side_name(PLM_SIDE_SECRETARIAT), "secretariat");
	CHECK(plm_policy_side_name((enum plm_policy_side)0) == NULL);
	CHECK_INT(plm_policy_side_parse("reviewer", &side, &err), 0);
	CHECK_INT(side, PLM_SIDE_REVIEWER);
	CHECK_INT(plm_policy_side_parse("SUR", &side, &err), PLM_ERR_INVALID);
}

/* The deadline named NAME of P, or NULL. */
static const plm_policy_deadline *deadline_named(const plm_policy *p, const char *name)
{
	const plm_policy_deadline *d;
	size_t i;

	for (i = 0; (d = plm_policy_deadline_at(p, i)) != NULL; i++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

#define DAY ((uint64_t)PLM_DAY_SECONDS)

/*
 * policies/deadline.c: what `palermo status` shows for each deadline, day by
 * day: whole days left rounded down, overdue rounded up, met in time or late
 * once the review moved on from the deadline's until_stage.
 */
static void deadline_status(void)
{
	const plm_policy *p = untoc();
	const uint64_t start = 1767225600; /* 2026-01-01 00:00:00 UTC */
	uint64_t entered[PLM_POLICY_STAGES_MAX] = {0};
	const plm_policy_deadline *fp, *cons, *resp;
	size_t n;
	plm_deadline_status ds;
	plm_error err;

	CHECK(p != NULL);
	n = plm_policy_count(p, PLM_POLICY_STAGES);
	fp = deadline_named(p, "focal_point_nominated");
	cons = deadline_named(p, "consultation_held");
	resp = deadline_named(p, "responses_submitted");
	CHECK(fp != NULL && cons != NULL && resp != NULL);
	CHECK_STR(fp->until_stage, "nomination");
	CHECK_STR(cons->from_stage, "nomination");
	CHECK_STR(cons->until_stage, "consultation");
	entered[0] = start;
	/* Nomination, day 0: two weeks left; the last second still counts. */
	CHECK_INT(plm_deadline_status_at(p, fp, entered, n, 0, start, &ds, &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_RUNNING);
	CHECK_INT(ds.due, start + 14 * DAY);
	CHECK_INT(ds.days_left, 14);
	CHECK_INT(plm_deadline_status_at(p, fp, entered, n, 0, start + 14 * DAY - 1, &ds,
	                                 &err), 0);
	CHECK_INT(ds.days_left, 0);
	CHECK_INT(plm_deadline_status_at(p, fp, entered, n, 0, start + 14 * DAY, &ds,
	                                 &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_RUNNING);
	CHECK_INT(ds.days_left, 0);
	/* A second late is a day overdue; six days and a bit, seven. */
	CHECK_INT(plm_deadline_status_at(p, fp, entered, n, 0, start + 14 * DAY + 1, &ds,
	                                 &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_OVERDUE);
	CHECK_INT(ds.days_left, -1);
	CHECK_INT(plm_deadline_status_at(p, fp, entered, n, 0, start + 20 * DAY + 5, &ds,
	                                 &err), 0);
	CHECK_INT(ds.days_left, -7);
	CHECK_STR(plm_deadline_state_name(ds.state), "overdue");
	CHECK_INT(plm_deadline_status_at(p, resp, entered, n, 0, start, &ds, &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_NOT_STARTED);
	CHECK_INT(ds.due, 0);
	CHECK_STR(plm_deadline_state_name(ds.state), "not started");
	/* Consultation from day 10: the focal point was met in time, and the
	 * consultation (six weeks from the start) runs on in its own stage. */
	entered[1] = start + 10 * DAY;
	CHECK_INT(plm_deadline_status_at(p, fp, entered, n, 1, start + 30 * DAY, &ds, &err),
	          0);
	CHECK_INT(ds.state, PLM_DEADLINE_PASSED);
	CHECK_INT(ds.met_at, start + 10 * DAY);
	CHECK_INT(ds.days_late, 0);
	CHECK_INT(plm_deadline_status_at(p, cons, entered, n, 1, start + 30 * DAY, &ds,
	                                 &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_RUNNING);
	CHECK_INT(ds.days_left, 12);
	/* Self-assessment from day 50: the consultation ended 8 days late; the
	 * responses are due six calendar months later, on 20 August (181 days). */
	entered[2] = start + 50 * DAY;
	CHECK_INT(plm_deadline_status_at(p, cons, entered, n, 2, start + 50 * DAY, &ds,
	                                 &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_PASSED);
	CHECK_INT(ds.days_late, 8);
	CHECK_INT(plm_deadline_status_at(p, resp, entered, n, 2, start + 50 * DAY, &ds,
	                                 &err), 0);
	CHECK_INT(ds.state, PLM_DEADLINE_RUNNING);
	CHECK_INT(ds.days_left, 181);
}

/* until_stage must name a stage, not before from_stage. */
static void deadline_until_stage(void)
{
	static const char from[] = "    from_stage: nomination\n    until_stage: consultation\n";
	static const char swap[] = "    from_stage: consultation\n    until_stage: nomination\n";
	plm_policy *q = NULL;
	plm_error err;
	char *text, *at;
	long len;
	FILE *f;

	f = fopen(untoc_path(), "rb");
	CHECK(f != NULL);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	CHECK(text != NULL && fread(text, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	at = strstr(text, from);
	CHECK(at != NULL && sizeof(from) == sizeof(swap));
	memcpy(at, swap, sizeof(swap) - 1);
	CHECK_INT(plm_policy_parse("swap.yaml", text, (size_t)len, &q, &err), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, ": expected a stage at or after the from_stage "
	                          "'consultation', found 'nomination'") != NULL);
	CHECK(strncmp(err.message, "swap.yaml:", 10) == 0);
	free(text);
}

static const struct check_case cases[] = {
    CHECK_CASE(shipped_policy_loads),
    CHECK_CASE(digest_covers_exact_bytes),
    CHECK_CASE(articles_match_table_1),
    CHECK_CASE(articles_8_9_dropped_for_uncac_party),
    CHECK_CASE(observers_read_but_never_write),
    CHECK_CASE(writers_allowed),
    CHECK_CASE(writers_refused),
    CHECK_CASE(channel_audiences),
    CHECK_CASE(size_limits),
    CHECK_CASE(word_limits),
    CHECK_CASE(attachment_types),
    CHECK_CASE(stages_move_one_step),
    CHECK_CASE(final_submission),
    CHECK_CASE(agreement),
    CHECK_CASE(disclosure),
    CHECK_CASE(disclosure_kind_not_in_scope),
    CHECK_CASE(deadlines),
    CHECK_CASE(durations),
    CHECK_CASE(due_dates),
    CHECK_CASE(sizes),
    CHECK_CASE(word_count),
    CHECK_CASE(review_allowed),
    CHECK_CASE(review_refused),
    CHECK_CASE(review_refused_per_instrument),
    CHECK_CASE(review_bad_input),
    CHECK_CASE(review_rules_off),
    CHECK_CASE(mini_policy_loads),
    CHECK_CASE(schema_messages),
    CHECK_CASE(schema_references),
    CHECK_CASE(schema_duplicates),
    CHECK_CASE(schema_consistency),
    CHECK_CASE(schema_values),
    CHECK_CASE(schema_top_level),
    CHECK_CASE(load_from_files),
    CHECK_CASE(sides),
    CHECK_CASE(deadline_status),
    CHECK_CASE(deadline_until_stage),
};

int main(int argc, char **argv)
{
	int status = check_main("test_policy", cases, sizeof(cases) / sizeof(cases[0]),
	                        argc, argv);

	free_untoc();
	return status;
}
