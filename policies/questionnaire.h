/*
 * questionnaire.h - the self-assessment questionnaire, offline
 * (docs/QUESTIONNAIRE.md; REVIEW-MECHANISM.md step 3).
 *
 * For each instrument of a review and each article the policy reviews in
 * its cluster (plm_policy_articles), the question flow is: implemented
 * (yes / partly / no); legislation (text, or attached documents); cases and
 * examples; difficulties; technical assistance needed, chosen from the
 * policy's list (questionnaire.assistance). Texts are maps from a language
 * code to the text; English ("en") is required, other working languages
 * are optional per field.
 *
 * plm_questionnaire_template writes the commented YAML form to fill in;
 * plm_questionnaire_check reads a filled-in form with the strict YAML
 * reader (policies/yaml.h) and lists every problem as
 * "file:line:column: what is wrong", plus the attachments it names. Both
 * are pure: no I/O (the caller reads the file and looks at attachments).
 *
 * WARNING: the answers are confidential plaintext; the YAML tree lives in
 * ordinary heap memory (the shared YAML reader), as the file they come from
 * lies on the disk in clear. Free a report as soon as it is used.
 */
#ifndef PLM_QUESTIONNAIRE_H
#define PLM_QUESTIONNAIRE_H

#include <stddef.h>

#include "keys/error.h"
#include "policies/policy.h"

#define PLM_QUESTIONNAIRE_FORMAT 1           /* questionnaire_format this code reads */
#define PLM_QUESTIONNAIRE_PROBLEMS_MAX 200   /* problems kept per check */
#define PLM_QUESTIONNAIRE_ATTACHMENTS_MAX 32 /* files per answers file */

/* What the form is for: one review's cluster, instruments and treaties. */
typedef struct plm_questionnaire_spec {
	const char *review;             /* "2026-ita-crim" */
	const char *state;              /* the State under review, "ITA" */
	const char *cluster;            /* "criminalization" */
	const char *const *instruments; /* "untoc", "tip" */
	size_t n_instruments;
	const char *const *party_to;  /* NULL-terminated, or NULL: none */
	const char *const *languages; /* working languages, "en" first */
	size_t n_languages;
} plm_questionnaire_spec;

/* One file named under an answer's attachments. */
typedef struct plm_questionnaire_attachment {
	const char *path;       /* as written, relative to the answers file */
	const char *instrument; /* where it is named */
	unsigned article;
	unsigned line, column;
} plm_questionnaire_attachment;

/* What plm_questionnaire_check found. Strings point into the report. */
typedef struct plm_questionnaire_report {
	void *doc;          /* the parsed tree (plm_ydoc), owned */
	const char *review; /* from the file, NULL when absent or invalid */
	const char *cluster;
	size_t n_problems; /* problems found (at most _PROBLEMS_MAX kept) */
	size_t n_kept;
	char **problems; /* "file:line:column: ...", owned */
	plm_questionnaire_attachment attachments[PLM_QUESTIONNAIRE_ATTACHMENTS_MAX];
	size_t n_attachments;
	size_t n_answers;  /* articles answered completely */
	size_t n_expected; /* articles the form must answer */
} plm_questionnaire_report;

/*
 * Writes the commented YAML form for SPEC into *TEXT (NUL-terminated,
 * malloc'ed: the caller frees it with free()) and its length into *LEN.
 * PLM_ERR_POLICY for a cluster or instrument the policy does not define,
 * PLM_ERR_INVALID for a NULL argument, PLM_ERR_NOMEM.
 */
int plm_questionnaire_template(const plm_policy *policy,
                               const plm_questionnaire_spec *spec, char **text,
                               size_t *len, plm_error *err);

/*
 * Reads the answers file of LEN bytes TEXT, named NAME in messages, against
 * POLICY and fills *OUT (the caller frees it with
 * plm_questionnaire_report_free). Returns 0 whenever the file is YAML, even
 * with problems: (*OUT)->n_problems == 0 means complete and valid. YAML
 * that cannot be read at all is PLM_ERR_FORMAT or PLM_ERR_LIMIT with
 * "file:line:column: ..." in ERR and *OUT NULL; PLM_ERR_NOMEM.
 */
int plm_questionnaire_check(const plm_policy *policy, const char *name,
                            const char *text, size_t len,
                            plm_questionnaire_report **out, plm_error *err);

/* Frees REPORT and everything it owns. Accepts NULL. */
void plm_questionnaire_report_free(plm_questionnaire_report *report);

#endif
