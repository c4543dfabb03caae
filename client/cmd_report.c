/*
 * cmd_report.c - `palermo report`: the secretariat's overview across every
 * review this client verified (no network): how many reviews are in each
 * stage, which parties still lack a focal point or an expert, deadlines
 * overdue and due soon, working languages, and documents per kind.
 *
 * Built only from what every member may see without a key: the verified
 * records (rosters, stage transitions) and the cleartext headers of the
 * verified envelopes (kind, channel). Nothing is decrypted, so the report
 * never holds a title or a word of a document.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/commands.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/report.h"
#include "client/review_facts.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_report[] =
    "usage: palermo report [--soon DAYS] [--on DATE] [--html FILE]\n"
    "\n"
    "The secretariat's overview of every review known here, as of your last\n"
    "`palermo sync` (no network): the number of reviews in each stage; the\n"
    "parties (the State under review and each reviewing State) that have no\n"
    "focal point or no governmental expert on the roster; deadlines overdue and\n"
    "due within DAYS (default 30); the working languages; and the documents per\n"
    "kind. It reads only rosters, stage records and the cleartext kind of each\n"
    "envelope: nothing is decrypted.\n"
    "\n"
    "Options:\n"
    "  --soon DAYS  what \"due soon\" means, in days (1 to 365; default 30)\n"
    "  --on DATE    judge the deadlines as of DATE (YYYY-MM-DD, UTC) instead of\n"
    "               now: what will be overdue by a meeting, say\n"
    "  --html FILE  also write the report as one self-contained HTML page with\n"
    "               charts (inline SVG, no external assets, prints well); - for\n"
    "               standard output\n"
    "\n"
    "With --json, prints {\"generated_at\", \"as_of\", \"soon_days\", \"reviews\": [{\"review\",\n"
    "\"sur\", \"cluster\", \"stage\", \"stage_title\", \"languages\", \"members\",\n"
    "\"documents\"}], \"stages\": [{\"name\", \"title\", \"reviews\"}], \"missing\":\n"
    "[{\"review\", \"state\", \"role\", \"role_title\"}], \"overdue\" and \"due_soon\":\n"
    "[{\"review\", \"deadline\", \"title\", \"due\", \"days_left\"}], \"languages\":\n"
    "[{\"language\", \"name\", \"reviews\"}], \"documents\": [{\"kind\", \"title\",\n"
    "\"documents\"}]}.\n"
    "\n"
    "Examples:\n"
    "  palermo sync && palermo report\n"
    "  palermo report --html review-status.html\n"
    "  palermo --json report | jq '.overdue[]'\n";

#define DAY 86400

/* The roles whose absence the report points out (skipped if the policy lacks one). */
static const char *const watched_roles[] = {"focal_point", "expert"};

struct report_ctx {
	struct cli *cli;
	const plm_policy *policy;
	uint64_t now, soon;
	json_t *reviews, *missing, *overdue, *due_soon;
	json_t *stage_counts, *language_counts, *kind_counts; /* name -> count */
	plm_error err;
};

/* The English name of a working language (the six of para 49-50), else CODE. */
static const char *language_name(const char *code)
{
	static const char *const names[][2] = {
	    {"ar", "Arabic"}, {"zh", "Chinese"}, {"en", "English"},
	    {"fr", "French"}, {"ru", "Russian"}, {"es", "Spanish"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], code) == 0)
			return names[i][1];
	return code;
}

/* COUNTS[NAME] += 1 */
static void bump(json_t *counts, const char *name)
{
	json_t *n = json_object_get(counts, name);

	json_object_set_new(counts, name,
	                    json_integer(n != NULL ? json_integer_value(n) + 1 : 1));
}

/* 1 if ROSTER has a member of STATE in ROLE. */
static int has_member(const plm_roster *roster, const char *state, const char *role)
{
	unsigned i;

	for (i = 0; i < roster->n_members; i++)
		if (strcmp(roster->members[i].state, state) == 0 &&
		    strcmp(roster->members[i].role, role) == 0)
			return 1;
	return 0;
}

/* Each party of REVIEW without a member in each watched role. */
static void find_missing(struct report_ctx *c, const char *review, const plm_roster *roster)
{
	json_t *parties = facts_parties(roster), *s;
	const char *title;
	size_t i, j;

	json_array_foreach(parties, i, s)
	{
		for (j = 0; j < sizeof(watched_roles) / sizeof(watched_roles[0]); j++) {
			title = plm_policy_title(c->policy, PLM_POLICY_ROLES, watched_roles[j]);
			if (title == NULL || has_member(roster, json_string_value(s), watched_roles[j]))
				continue;
			json_array_append_new(
			    c->missing, json_pack("{s:s, s:s, s:s, s:s}", "review", review,
			                          "state", json_string_value(s), "role",
			                          watched_roles[j], "role_title", title));
		}
	}
	json_decref(parties);
}

/*
 * Files the running deadlines of REVIEW (the array DEADLINES, which this
 * takes) that are overdue or due within c->soon.
 */
static void sort_deadlines(struct report_ctx *c, const char *review, json_t *deadlines)
{
	json_t *d, *entry;
	json_int_t days;
	const char *state;
	size_t i;

	json_array_foreach(deadlines, i, d)
	{
		state = json_string_value(json_object_get(d, "state"));
		if (strcmp(state, "overdue") != 0 && strcmp(state, "running") != 0)
			continue;
		days = json_integer_value(json_object_get(d, "days_left"));
		if (days >= 0 && (uint64_t)days * DAY > c->soon)
			continue;
		entry = json_pack("{s:s, s:O, s:O, s:O, s:I}", "review", review, "deadline",
		                  json_object_get(d, "name"), "title",
		                  json_object_get(d, "title"), "due", json_object_get(d, "due"),
		                  "days_left", days);
		json_array_append_new(strcmp(state, "overdue") == 0 ? c->overdue : c->due_soon,
		                      entry);
	}
	json_decref(deadlines);
}

struct kinds_ctx {
	struct report_ctx *report;
	json_t *mine; /* kind -> count for this review */
};

/* One stored envelope: counted by kind when it verified. */
static int one_envelope(void *ctx, const struct stored_envelope *env)
{
	struct kinds_ctx *k = ctx;

	if (env->status != ENVELOPE_VERIFIED)
		return 0;
	bump(k->report->kind_counts, env->kind);
	bump(k->mine, env->kind);
	return 0;
}

/* Everything the report says about one review. */
static int one_review(void *vctx, const char *review)
{
	struct report_ctx *c = vctx;
	uint64_t entered[PLM_POLICY_STAGES_MAX];
	struct kinds_ctx k = {c, NULL};
	const plm_roster *roster;
	plm_review *state = NULL;
	json_t *languages;
	unsigned i;
	int r;

	if ((r = local_review(c->cli, review, INT64_MAX, &state, &c->err)) != 0)
		return r;
	roster = &state->roster->body.roster;
	if ((r = facts_stages_entered(c->cli, c->policy, state, review, entered, &c->err)) != 0)
		goto out;
	bump(c->stage_counts, state->stage);
	languages = json_array();
	for (i = 0; i < roster->n_languages; i++) {
		char code[3];
		snprintf(code, sizeof(code), "%.2s", roster->languages[i]);
		bump(c->language_counts, code);
		json_array_append_new(languages, json_string(code));
	}
	find_missing(c, review, roster);
	sort_deadlines(c, review,
	               facts_deadlines(c->policy, entered,
	                               facts_stage_index(c->policy, state->stage), c->now));
	k.mine = json_object();
	if ((r = state_envelopes_each(c->cli->state, review, one_envelope, &k, &c->err)) != 0) {
		json_decref(k.mine);
		json_decref(languages);
		goto out;
	}
	json_array_append_new(
	    c->reviews,
	    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:i, s:o}", "review", review, "sur",
	              roster->sur_state, "cluster", roster->cluster, "stage", state->stage,
	              "stage_title", plm_policy_title(c->policy, PLM_POLICY_STAGES, state->stage),
	              "languages", languages, "members", (int)roster->n_members,
	              "documents", k.mine));
out:
	plm_review_free(state);
	return r;
}

/* qsort order of deadline entries: by "due", the most urgent first. */
static int by_due(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "due"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "due"));

	return x < y ? -1 : x > y;
}

/* A copy of the array LIST (which this takes) sorted by due date. */
static json_t *sorted_by_due(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **items = calloc(n ? n : 1, sizeof(*items)), *out = json_array();

	if (items == NULL)
		return list;
	for (i = 0; i < n; i++)
		items[i] = json_array_get(list, i);
	qsort(items, n, sizeof(*items), by_due);
	for (i = 0; i < n; i++)
		json_array_append(out, items[i]);
	free(items);
	json_decref(list);
	return out;
}

/* qsort order of C strings. */
static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The report document from what one_review gathered (languages in code order). */
static json_t *assemble(struct report_ctx *c)
{
	json_t *stages = json_array(), *languages = json_array(), *documents = json_array(),
	       *n;
	const char *name, **sorted;
	size_t i, codes, count = plm_policy_count(c->policy, PLM_POLICY_STAGES);

	for (i = 0; i < count; i++) {
		name = plm_policy_nth(c->policy, PLM_POLICY_STAGES, i);
		n = json_object_get(c->stage_counts, name);
		json_array_append_new(stages, json_pack("{s:s, s:s?, s:I}", "name", name, "title",
		                                        plm_policy_title(c->policy,
		                                                         PLM_POLICY_STAGES, name),
		                                        "reviews",
		                                        n ? json_integer_value(n) : 0));
	}
	codes = json_object_size(c->language_counts);
	if ((sorted = calloc(codes ? codes : 1, sizeof(*sorted))) == NULL)
		codes = 0; /* out of memory: no languages rather than a crash */
	i = 0;
	if (sorted != NULL)
		json_object_foreach(c->language_counts, name, n) sorted[i++] = name;
	qsort(sorted, codes, sizeof(*sorted), by_string);
	for (i = 0; i < codes; i++)
		json_array_append_new(
		    languages, json_pack("{s:s, s:s, s:O}", "language", sorted[i], "name",
		                         language_name(sorted[i]), "reviews",
		                         json_object_get(c->language_counts, sorted[i])));
	free(sorted);
	count = plm_policy_count(c->policy, PLM_POLICY_KINDS);
	for (i = 0; i < count; i++) {
		name = plm_policy_nth(c->policy, PLM_POLICY_KINDS, i);
		n = json_object_get(c->kind_counts, name);
		json_array_append_new(documents,
		                      json_pack("{s:s, s:s?, s:I}", "kind", name, "title",
		                                plm_policy_title(c->policy, PLM_POLICY_KINDS, name),
		                                "documents", n ? json_integer_value(n) : 0));
	}
	return json_pack("{s:I, s:I, s:I, s:O, s:o, s:O, s:o, s:o, s:o, s:o}", "generated_at",
	                 (json_int_t)time(NULL), "as_of", (json_int_t)c->now, "soon_days", (json_int_t)(c->soon / DAY),
	                 "reviews", c->reviews, "stages", stages, "missing", c->missing,
	                 "overdue", sorted_by_due(json_incref(c->overdue)), "due_soon",
	                 sorted_by_due(json_incref(c->due_soon)), "languages", languages,
	                 "documents", documents);
}

/* The text form of REPORT on standard output. */
static void print_report(struct cli *cli, const json_t *report)
{
	json_t *item;
	char date[32], style[96];
	size_t i;
	json_int_t days;

	reader_date((uint64_t)json_integer_value(json_object_get(report, "as_of")), date);
	printf("%zu review(s) known here, as of your last sync (deadlines as of %s UTC)\n",
	       json_array_size(json_object_get(report, "reviews")), date);
	printf("\nReviews by stage:\n");
	json_array_foreach(json_object_get(report, "stages"), i, item)
	    printf("  %-28s %3lld\n", json_string_value(json_object_get(item, "name")),
	           (long long)json_integer_value(json_object_get(item, "reviews")));
	printf("\nMissing focal points and experts:\n");
	if (json_array_size(json_object_get(report, "missing")) == 0)
		printf("  none\n");
	json_array_foreach(json_object_get(report, "missing"), i, item)
	    printf("  %-24s %-6s no %s\n", json_string_value(json_object_get(item, "review")),
	           json_string_value(json_object_get(item, "state")),
	           json_string_value(json_object_get(item, "role_title")));
	printf("\nDeadlines overdue:\n");
	if (json_array_size(json_object_get(report, "overdue")) == 0)
		printf("  none\n");
	json_array_foreach(json_object_get(report, "overdue"), i, item)
	{
		reader_date((uint64_t)json_integer_value(json_object_get(item, "due")), date);
		days = json_integer_value(json_object_get(item, "days_left"));
		printf("  %-24s %-36s due %.10s  %s by %lld days\n",
		       json_string_value(json_object_get(item, "review")),
		       json_string_value(json_object_get(item, "title")), date,
		       cli_style(cli, "1;31", "overdue", style, sizeof(style)), (long long)-days);
	}
	printf("\nDeadlines due within %lld days:\n",
	       (long long)json_integer_value(json_object_get(report, "soon_days")));
	if (json_array_size(json_object_get(report, "due_soon")) == 0)
		printf("  none\n");
	json_array_foreach(json_object_get(report, "due_soon"), i, item)
	{
		reader_date((uint64_t)json_integer_value(json_object_get(item, "due")), date);
		printf("  %-24s %-36s due %.10s  %lld days left\n",
		       json_string_value(json_object_get(item, "review")),
		       json_string_value(json_object_get(item, "title")), date,
		       (long long)json_integer_value(json_object_get(item, "days_left")));
	}
	printf("\nWorking languages:\n");
	json_array_foreach(json_object_get(report, "languages"), i, item)
	    printf("  %-28s %3lld\n", json_string_value(json_object_get(item, "name")),
	           (long long)json_integer_value(json_object_get(item, "reviews")));
	printf("\nDocuments by kind:\n");
	json_array_foreach(json_object_get(report, "documents"), i, item)
	    printf("  %-28s %3lld\n", json_string_value(json_object_get(item, "kind")),
	           (long long)json_integer_value(json_object_get(item, "documents")));
}

/* Writes the HTML page of REPORT to PATH ("-": standard output). */
static int write_html(struct cli *cli, const char *path, const json_t *report)
{
	plm_error err;
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	int r;

	if (f == NULL)
		return cli_fail(cli, EXIT_FAILURE_,
		                "cannot write the HTML report to %s: %s; choose another file",
		                path, strerror(errno));
	r = report_html_write(f, report, &err);
	if (f != stdout && fclose(f) != 0 && r == 0)
		r = plm_error_set(&err, PLM_ERR_IO, "cannot write %s: %s", path,
		                  strerror(errno));
	return r != 0 ? cli_fail_err(cli, &err) : EXIT_OK;
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"soon", required_argument, NULL, 's'},
	                                        {"on", required_argument, NULL, 'o'},
	                                        {"html", required_argument, NULL, 'H'},
	                                        {"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct report_ctx c;
	const char *html = NULL;
	json_t *report = NULL;
	struct tm day;
	uint64_t on = 0;
	char *end;
	long soon = 30;
	int opt, status;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			soon = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || soon < 1 || soon > 365)
				return cli_fail(cli, EXIT_USAGE,
				                "--soon takes a number of days from 1 to 365");
			break;
		case 'H': html = optarg; break;
		case 'o':
			memset(&day, 0, sizeof(day));
			end = strptime(optarg, "%Y-%m-%d", &day);
			if (end == NULL || *end != '\0')
				return cli_fail(cli, EXIT_USAGE,
				                "--on takes a date as YYYY-MM-DD, such as 2027-03-01");
			on = (uint64_t)timegm(&day);
			break;
		default: return cli_fail(cli, EXIT_USAGE, "see `palermo help report`");
		}
	}
	if (optind != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "report takes no arguments; see `palermo help report`");
	if (cli->json && html != NULL && strcmp(html, "-") == 0)
		return cli_fail(cli, EXIT_USAGE,
		                "--json and --html - would both write to standard output; "
		                "give --html a file name");
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	c.now = on != 0 ? on : (uint64_t)time(NULL);
	c.soon = (uint64_t)soon * DAY;
	if (local_policy(cli, &c.policy, &c.err) != 0)
		return cli_fail_err(cli, &c.err);
	c.reviews = json_array();
	c.missing = json_array();
	c.overdue = json_array();
	c.due_soon = json_array();
	c.stage_counts = json_object();
	c.language_counts = json_object();
	c.kind_counts = json_object();
	if (state_reviews_each(cli->state, one_review, &c, &c.err) != 0) {
		status = cli_fail_err(cli, &c.err);
		goto out;
	}
	if ((report = assemble(&c)) == NULL) {
		status = cli_fail(cli, EXIT_FAILURE_, "out of memory");
		goto out;
	}
	if (html != NULL && (status = write_html(cli, html, report)) != EXIT_OK)
		goto out;
	status = EXIT_OK;
	if (cli->json) {
		status = cli_json(cli, report);
		report = NULL;
	} else if (html == NULL || strcmp(html, "-") != 0) {
		print_report(cli, report);
	}
out:
	json_decref(report);
	json_decref(c.reviews);
	json_decref(c.missing);
	json_decref(c.overdue);
	json_decref(c.due_soon);
	json_decref(c.stage_counts);
	json_decref(c.language_counts);
	json_decref(c.kind_counts);
	return status;
}
