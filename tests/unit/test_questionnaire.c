/*
 * test_questionnaire.c - the questionnaire form and the check of an answers
 * file (policies/questionnaire.c), under the shipped policies/untoc.yaml
 * ($PLM_TOP/policies/untoc.yaml, else ./policies/): Italy's review in the
 * criminalization cluster on the Convention (untoc) and the Trafficking in
 * Persons Protocol (tip).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "policies/policy.h"
#include "policies/questionnaire.h"

static plm_policy *policy;

static const plm_policy *untoc(void)
{
	char path[4096];
	const char *top = getenv("PLM_TOP");
	plm_error err;

	if (policy == NULL) {
		snprintf(path, sizeof(path), "%s/policies/untoc.yaml",
		         top != NULL ? top : ".");
		if (plm_policy_load(path, &policy, &err) != 0)
			printf("# cannot load %s: %s\n", path, err.message);
	}
	return policy;
}

static const char *const instruments[] = {"untoc", "tip"};

/* The form for Italy, party to PARTY_TO; caller frees. */
static char *form(const char *const *party_to, size_t *len)
{
	static const char *const languages[] = {"en", "fr"};
	plm_questionnaire_spec spec = {"2026-ita-crim", "ITA", "criminalization",
	                               instruments,     2,     party_to,
	                               languages,       2};
	plm_error err;
	char *text = NULL;

	if (plm_questionnaire_template(untoc(), &spec, &text, len, &err) != 0)
		printf("# %s\n", err.message);
	return text;
}

static plm_questionnaire_report *check(const char *text)
{
	plm_questionnaire_report *rep = NULL;
	plm_error err;

	if (plm_questionnaire_check(untoc(), "answers.yaml", text, strlen(text), &rep,
	                            &err) != 0)
		printf("# %s\n", err.message);
	return rep;
}

/* 1 if some problem of REP contains NEEDLE. */
static int has_problem(const plm_questionnaire_report *rep, const char *needle)
{
	size_t i;

	for (i = 0; i < rep->n_kept; i++)
		if (strstr(rep->problems[i], needle) != NULL)
			return 1;
	for (i = 0; i < rep->n_kept; i++)
		printf("# problem: %s\n", rep->problems[i]);
	return 0;
}

static void assistance_list_loads(void)
{
	const char *title = NULL;

	CHECK(untoc() != NULL);
	CHECK(plm_policy_assistance_count(untoc()) >= 5);
	CHECK_STR(plm_policy_assistance_at(untoc(), 0, &title), "legal_advice");
	CHECK(title != NULL && strstr(title, "legal advice") != NULL);
	CHECK(plm_policy_assistance_at(untoc(), 99, NULL) == NULL);
}

static void template_articles_depend_on_uncac(void)
{
	static const char *const uncac[] = {"untoc", "tip", "uncac", NULL};
	static const char *const no_uncac[] = {"untoc", "tip", NULL};
	plm_questionnaire_report *rep;
	size_t len;
	char *text = form(uncac, &len);

	CHECK(text != NULL && strlen(text) == len);
	CHECK(strstr(text, "\n    2:  # article 2\n") != NULL);
	CHECK(strstr(text, "\n    23:  # article 23\n") != NULL);
	CHECK(strstr(text, "\n    8:  # article 8\n") == NULL);
	CHECK(strstr(text, "\n    9:  # article 9\n") == NULL);
	CHECK(strstr(text, "  tip:  # Trafficking in Persons Protocol\n    3:") !=
	      NULL);
	CHECK(strstr(text, "        fr: \"\"  # optional\n") != NULL);
	CHECK(strstr(text, "legal_advice") != NULL);
	/* The empty form reads, and every answer is missing. */
	rep = check(text);
	CHECK(rep != NULL);
	CHECK_INT(rep->n_expected, 8);
	CHECK_INT(rep->n_answers, 0);
	CHECK_INT(rep->n_problems, 8);
	CHECK(has_problem(rep, "missing answer: is article 2 of untoc implemented?"));
	CHECK_STR(rep->review, "2026-ita-crim");
	plm_questionnaire_report_free(rep);
	free(text);

	text = form(no_uncac, &len);
	CHECK(strstr(text, "\n    8:  # article 8\n") != NULL);
	CHECK(strstr(text, "\n    9:  # article 9\n") != NULL);
	rep = check(text);
	CHECK_INT(rep->n_expected, 10);
	plm_questionnaire_report_free(rep);
	free(text);
}

static const char head[] = "questionnaire_format: 1\n"  /* 1 */
                           "policy: untoc\n"            /* 2 */
                           "review: 2026-ita-crim\n"    /* 3 */
                           "cluster: criminalization\n" /* 4 */
                           "instruments: [tip]\n"       /* 5 */
                           "party_to: [untoc, tip]\n"   /* 6 */
                           "answers:\n"                 /* 7 */
                           "  tip:\n";                  /* 8 */

static void complete_answers_pass(void)
{
	char text[2048];
	plm_questionnaire_report *rep;

	snprintf(
	    text, sizeof(text),
	    "%s    3:\n      implemented: yes\n"
	    "      legislation: {en: \"Article 601 of the Criminal Code.\", fr: \"\"}\n"
	    "      attachments: [laws/cp-601.pdf]\n"
	    "      assistance: [legal_advice, on_site]\n"
	    "    5:\n      implemented: partly\n"
	    "      attachments: [laws/cp-601.pdf, laws/decree.odt]\n"
	    "      difficulties: {en: Few convictions.}\n",
	    head);
	rep = check(text);
	CHECK(rep != NULL);
	CHECK_INT(rep->n_problems, 0);
	CHECK_INT(rep->n_answers, 2);
	CHECK_INT(rep->n_expected, 2);
	CHECK_INT(rep->n_attachments, 3);
	CHECK_STR(rep->attachments[0].path, "laws/cp-601.pdf");
	CHECK_INT(rep->attachments[0].article, 3);
	CHECK_INT(rep->attachments[0].line, 12);
	CHECK_INT(rep->attachments[2].line, 16);
	plm_questionnaire_report_free(rep);
}

static void missing_and_invalid_positioned(void)
{
	char text[2048];
	plm_questionnaire_report *rep;

	snprintf(text, sizeof(text),
	         "%s    3:\n"                          /* 9 */
	         "      implemented: maybe\n"          /* 10 */
	         "      colour: red\n"                 /* 11 */
	         "      assistance: [money]\n"         /* 12 */
	         "      cases: {fr: \"Affaire X\"}\n", /* 13 */
	         head);
	rep = check(text);
	CHECK(rep != NULL);
	CHECK(has_problem(rep,
	                  "answers.yaml:10:20: invalid value 'maybe' for implemented "
	                  "(article 3 of tip): expected yes, partly or no"));
	CHECK(has_problem(rep, "answers.yaml:11:7: unknown key 'colour'"));
	CHECK(has_problem(rep,
	                  "answers.yaml:12:20: invalid value 'money' for assistance"));
	CHECK(has_problem(rep,
	                  "answers.yaml:13:14: missing answer: the cases of article 3 "
	                  "of tip has no English text (en)"));
	CHECK(has_problem(rep, "answers.yaml:9:5: missing answer: article 5 of tip"));
	CHECK_INT(rep->n_answers, 0);
	plm_questionnaire_report_free(rep);

	/* yes without legislation; an article that is not reviewed. */
	snprintf(text, sizeof(text),
	         "%s    3: {implemented: yes}\n    5: {implemented: no}\n"
	         "    7: {implemented: no}\n",
	         head);
	rep = check(text);
	CHECK(has_problem(rep, "answers.yaml:9:8: missing answer: the legislation of "
	                       "article 3 of tip"));
	CHECK(has_problem(rep, "answers.yaml:11:5: article 7 of tip is not reviewed in "
	                       "this cluster for this State (expected: 3, 5)"));
	CHECK_INT(rep->n_answers, 1);
	plm_questionnaire_report_free(rep);
}

static void header_problems(void)
{
	plm_questionnaire_report *rep;
	plm_error err;

	rep = check("questionnaire_format: 2\npolicy: other\ncluster: nowhere\n"
	            "instruments: [tip, atlantis]\nanswers: {}\nextra: 1\n");
	CHECK(rep != NULL);
	CHECK(has_problem(rep, "answers.yaml:1:23: invalid value: this program reads "
	                       "questionnaire_format 1"));
	CHECK(has_problem(rep, "answers.yaml:2:9: invalid value 'other'"));
	CHECK(has_problem(rep, "missing field 'review'"));
	CHECK(has_problem(rep, "answers.yaml:3:10: invalid value 'nowhere'"));
	CHECK(has_problem(rep, "answers.yaml:4:20: invalid value 'atlantis'"));
	CHECK(has_problem(rep, "answers.yaml:6:1: unknown key 'extra'"));
	plm_questionnaire_report_free(rep);
	/* Not YAML at all: an error, no report. */
	rep = (void *)1;
	CHECK_INT(plm_questionnaire_check(untoc(), "a.yaml", "a: [", 4, &rep, &err),
	          PLM_ERR_FORMAT);
	CHECK(rep == NULL);
	CHECK(strncmp(err.message, "a.yaml:", 7) == 0);
	/* A missing instrument block. */
	rep = check("questionnaire_format: 1\npolicy: untoc\nreview: r1\n"
	            "cluster: criminalization\ninstruments: [tip]\nanswers: {}\n");
	CHECK(
	    has_problem(rep, "answers.yaml:6:10: missing answer: the answers for tip"));
	plm_questionnaire_report_free(rep);
}

/* The small policy of docs/POLICY.md §5, with a questionnaire section. */
static const char mini[] =
    "policy_format: 1\nname: mini\ntitle: A small policy\n"
    "instruments: {alpha: {title: Alpha Convention}}\n"
    "clusters:\n  one: {title: cluster one, articles: {alpha: [1]}}\n"
    "phases: {order: [one], duration: 2y}\n"
    "roles:\n  lead: {title: lead, plural: leads, may: [read, write]}\n"
    "channels:\n  main:\n    title: main\n    audience:\n"
    "      - {side: sur, roles: [lead], access: write}\n"
    "stages:\n  - {name: open, title: open}\n"
    "kinds:\n  note: {title: note, channels: [main], writers: [{side: sur, roles: "
    "[lead]}], stages: [open], max_size: 1KiB}\n"
    "review:\n  sur_must_be_party: false\n  reviewing_states: {per_instrument_min: "
    "1, per_instrument_max: 2, total_max: 2, must_be_party: false, "
    "may_review_itself: false}\n  languages: {allowed: [en], min: 1, max: 1}\n"
    "disclosure: {by: [], parties_group: [], scopes: {}}\n";

/* The policy MINI followed by SECTION: 0 or the error in ERR. */
static int load_with(const char *section, plm_error *err)
{
	char text[4096];
	plm_policy *p = NULL;
	int r;

	snprintf(text, sizeof(text), "%s%s", mini, section);
	r = plm_policy_parse("q.yaml", text, strlen(text), &p, err);
	plm_policy_free(p);
	return r;
}

static void policy_section_is_strict(void)
{
	plm_error err;

	CHECK_INT(load_with("", &err), 0);
	CHECK_INT(load_with("questionnaire: {assistance: {x: {title: X}}, source: s}\n",
	                    &err),
	          0);
	CHECK_INT(
	    load_with("questionnaire:\n  assistance: {x: {title: X, colour: red}}\n",
	              &err),
	    PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "q.yaml:25:30:") != NULL);
	CHECK(strstr(err.message, "unknown key 'colour'") != NULL);
	CHECK_INT(load_with("questionnaire: {source: s}\n", &err), PLM_ERR_FORMAT);
	CHECK(strstr(err.message, "missing field 'assistance'") != NULL);
	CHECK_INT(
	    load_with("questionnaire: {assistance: {Bad-Name: {title: X}}}\n", &err),
	    PLM_ERR_FORMAT);
}

static const struct check_case cases[] = {
    CHECK_CASE(assistance_list_loads), CHECK_CASE(template_articles_depend_on_uncac),
    CHECK_CASE(complete_answers_pass), CHECK_CASE(missing_and_invalid_positioned),
    CHECK_CASE(header_problems),       CHECK_CASE(policy_section_is_strict),
};

int main(int argc, char **argv)
{
	int status = check_main("test_questionnaire", cases,
	                        sizeof(cases) / sizeof(cases[0]), argc, argv);

	plm_policy_free(policy);
	return status;
}
