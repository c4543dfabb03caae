/*
 * cmd_questionnaire.c - `palermo questionnaire`: the self-assessment
 * questionnaire round trip, offline (docs/QUESTIONNAIRE.md).
 *
 *   template REVIEW   the commented form for the review's instruments and
 *                     cluster, from this client's verified copy of the review
 *   check FILE        what is missing or invalid, and the attachments found
 *                     (needs neither a network nor an identity)
 *   submit REVIEW FILE [--final]
 *                     checks, then seals the answers (kind
 *                     questionnaire_response) and their attachments through
 *                     `palermo send` (client/send.h), with the manifest
 *                     field "submission" = "draft" or "final"
 *
 * The form's rules live in policies/questionnaire.c; the file types in
 * client/attach.c; sealing in client/cmd_send.c. Only the question of who
 * may make the final submission is asked here, of the policy (the right
 * submit, held by the State under review's focal point).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/attach.h"
#include "client/commands.h"
#include "client/local.h"
#include "client/send.h"
#include "client/workflow.h"
#include "keys/codec.h"
#include "policies/questionnaire.h"
#include "policies/submission.h"
#include "policies/yaml.h"

const char usage_questionnaire[] =
    "usage: palermo questionnaire template REVIEW [--party-to TREATY]... [--output "
    "FILE]\n"
    "       palermo questionnaire check FILE [--json]\n"
    "       palermo questionnaire submit REVIEW FILE [--final]\n"
    "\n"
    "The self-assessment questionnaire, answered offline. `template` writes the\n"
    "commented form for REVIEW's instruments and cluster (as this client last\n"
    "synced the review) on standard output or into FILE. `check` lists, as\n"
    "file:line:column lines, every answer that is missing or invalid, then the\n"
    "attachments the answers name and whether their type may be attached; it\n"
    "needs no network and no identity. `submit` checks, then seals the answers\n"
    "and every attachment for REVIEW like `palermo send --kind\n"
    "questionnaire_response`, marked as a draft or, with --final, as the State's\n"
    "final submission.\n"
    "\n"
    "Options:\n"
    "  --party-to TREATY  the State under review is also party to TREATY (e.g.\n"
    "                     uncac): articles reviewed only for States not party to\n"
    "                     it are left out. Without it the form assumes the State\n"
    "                     is party to the review's instruments only.\n"
    "  --output FILE      write the form into FILE (created, mode 0600; never\n"
    "                     overwritten)\n"
    "  --json             check: print {\"file\", \"complete\", \"answered\",\n"
    "                     \"expected\", \"problems\", \"attachments\"} on stdout\n"
    "  --final            submit: the final submission, which only the focal point\n"
    "                     of the State under review may make (policy: the right\n"
    "                     submit); without it the answers are a draft\n"
    "\n"
    "Attachments are named in the answers, relative to the answers file.\n"
    "\n"
    "Examples:\n"
    "  palermo questionnaire template 2026-ita-crim --party-to uncac > answers.yaml\n"
    "  palermo questionnaire check answers.yaml\n"
    "  palermo questionnaire submit 2026-ita-crim answers.yaml --final\n"
    "\n"
    "Exit codes: 0 done (check: complete and valid), 1 check found problems,\n"
    "3 the answers file is not YAML,\n"
    "2 usage, 5 refused by the policy or the server, 6 no such review here.\n";

#define TREATIES_MAX (PLM_POLICY_INSTRUMENTS_MAX + PLM_POLICY_TREATIES_MAX)
#define PATH_CAP 4300

/* What `check` found about one attachment. */
struct found {
	char path[PATH_CAP]; /* resolved against the answers file's folder */
	const char *written; /* as written in the answers */
	char mime[ATTACH_MIME_MAX];
	int allowed;
	char reason[PLM_ERROR_MESSAGE_MAX];
};

/* The answers file checked, with its attachments judged. */
struct checked {
	plm_questionnaire_report *report;
	struct found files[PLM_QUESTIONNAIRE_ATTACHMENTS_MAX];
	size_t n_files;
	size_t refused;
};

/* The template: the form for REVIEW as this client verified it. */
static int do_template(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"party-to", required_argument, NULL, 'p'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *party_to[TREATIES_MAX + 1],
	    *instruments[PLM_POLICY_INSTRUMENTS_MAX];
	const char *languages[4], *output = NULL;
	size_t n_party = 0, n_inst, i, j;
	const char *name;
	const plm_roster *roster;
	const plm_policy *policy;
	plm_questionnaire_spec spec;
	plm_review *review = NULL;
	char *text = NULL;
	size_t len;
	plm_error err;
	int c, fd = -1, status;

	optind = 0;
	while ((c = getopt_long(argc, argv, "p:o:", options, NULL)) != -1) {
		if (c == 'p' && n_party < TREATIES_MAX - PLM_POLICY_INSTRUMENTS_MAX)
			party_to[n_party++] = optarg;
		else if (c == 'o')
			output = optarg;
		else {
			fputs(usage_questionnaire, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "name the review: palermo questionnaire template REVIEW");
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	plm_error_clear(&err);
	if (local_policy(cli, &policy, &err) != 0 ||
	    local_review(cli, argv[optind], INT64_MAX, &review, &err) != 0)
		goto fail;
	for (i = 0; i < n_party; i++)
		if (plm_policy_title(policy, PLM_POLICY_TREATIES, party_to[i]) ==
		        NULL &&
		    plm_policy_title(policy, PLM_POLICY_INSTRUMENTS, party_to[i]) ==
		        NULL) {
			status =
			    cli_fail(cli, EXIT_USAGE,
			             "--party-to %.40s: the policy defines no such "
			             "treaty (policy: instruments, other_treaties)",
			             party_to[i]);
			goto out;
		}
	if (review->roster == NULL) {
		plm_error_set(&err, PLM_ERR_NOTFOUND,
		              "no roster of review %s here yet; run "
		              "`palermo sync`",
		              argv[optind]);
		goto fail;
	}
	roster = &review->roster->body.roster;
	/*
	 * A State is reviewed only on the instruments it is party to. The
	 * form follows the policy's order of instruments (a roster's is sorted).
	 */
	for (i = 0, n_inst = 0; i < plm_policy_count(policy, PLM_POLICY_INSTRUMENTS);
	     i++) {
		name = plm_policy_nth(policy, PLM_POLICY_INSTRUMENTS, i);
		for (j = 0; j < roster->n_instruments &&
		            strcmp(roster->instruments[j].name, name) != 0;
		     j++)
			;
		if (j == roster->n_instruments)
			continue;
		instruments[n_inst++] = name;
		party_to[n_party++] = name;
	}
	party_to[n_party] = NULL;
	for (i = 0; i < roster->n_languages && i < 4; i++)
		languages[i] = roster->languages[i];
	memset(&spec, 0, sizeof(spec));
	spec.review = argv[optind];
	spec.state = roster->sur_state;
	spec.cluster = roster->cluster;
	spec.instruments = instruments;
	spec.n_instruments = n_inst;
	spec.party_to = party_to;
	spec.languages = languages;
	spec.n_languages = i;
	if (plm_questionnaire_template(policy, &spec, &text, &len, &err) != 0)
		goto fail;
	if (output != NULL) {
		fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		          0600);
		if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) != 0) {
			status = cli_fail(cli, EXIT_FAILURE_, "cannot write %.200s: %s",
			                  output, strerror(errno));
			goto out;
		}
	} else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		status = cli_fail(cli, EXIT_FAILURE_, "cannot write the form: %s",
		                  strerror(errno));
		goto out;
	}
	status = EXIT_OK;
	goto out;
fail:
	status = cli_fail_err(cli, &err);
out:
	free(text);
	plm_review_free(review);
	return status;
}

/* Frees what check_file filled. */
static void checked_free(struct checked *ch)
{
	plm_questionnaire_report_free(ch->report);
	ch->report = NULL;
}

/*
 * Checks the answers file FILE against the local policy and judges each
 * attachment it names (detected type, refused kinds, the policy's list).
 * Fills CH (freed with checked_free). Returns 0, or a PLM_ERR_* with ERR
 * when the file cannot be read or is not YAML.
 */
static int check_file(struct cli *cli, const char *file, struct checked *ch,
                      plm_error *err)
{
	const plm_policy *policy;
	const plm_questionnaire_attachment *a;
	struct found *f;
	char *text = NULL, dir[PATH_CAP];
	const char *slash;
	size_t len, i, j;
	plm_error e;
	int r;

	memset(ch, 0, sizeof(*ch));
	if ((r = local_policy(cli, &policy, err)) != 0 ||
	    (r = plm_yaml_read_file(file, &text, &len, err)) != 0 ||
	    (r = plm_questionnaire_check(policy, file, text, len, &ch->report, err)) !=
	        0)
		goto out;
	slash = strrchr(file, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ? (int)(slash - file) : 1,
	         slash != NULL ? file : ".");
	for (i = 0; i < ch->report->n_attachments; i++) {
		a = &ch->report->attachments[i];
		for (j = 0;
		     j < ch->n_files && strcmp(ch->files[j].written, a->path) != 0; j++)
			;
		if (j < ch->n_files)
			continue; /* the same file for several articles */
		f = &ch->files[ch->n_files++];
		f->written = a->path;
		if (a->path[0] == '/')
			snprintf(f->path, sizeof(f->path), "%.4200s", a->path);
		else
			snprintf(f->path, sizeof(f->path), "%.2100s/%.2100s", dir,
			         a->path);
		plm_error_clear(&e);
		if (attach_detect(f->path, f->mime, sizeof(f->mime), &e) == 0 &&
		    attach_check_type(policy, a->path, f->mime, "attach", &e) == 0) {
			f->allowed = 1;
			continue;
		}
		ch->refused++;
		snprintf(f->reason, sizeof(f->reason), "%s", e.message);
		if (f->mime[0] == '\0')
			snprintf(f->mime, sizeof(f->mime), "unknown");
	}
out:
	free(text);
	return r;
}

/* Prints what check_file found, as lines or as JSON. */
static void print_checked(struct cli *cli, const char *file, const struct checked *ch)
{
	const plm_questionnaire_report *rep = ch->report;
	json_t *doc, *problems, *files, *one;
	size_t i;

	if (cli->json) {
		problems = json_array();
		files = json_array();
		for (i = 0; i < rep->n_kept; i++)
			json_array_append_new(problems, json_string(rep->problems[i]));
		for (i = 0; i < ch->n_files; i++) {
			one = json_pack("{s:s, s:s, s:b}", "path", ch->files[i].written,
			                "type", ch->files[i].mime, "allowed",
			                ch->files[i].allowed);
			if (!ch->files[i].allowed)
				json_object_set_new(one, "reason",
				                    json_string(ch->files[i].reason));
			json_array_append_new(files, one);
		}
		doc = json_pack("{s:s, s:b, s:I, s:I, s:o, s:o}", "file", file,
		                "complete", rep->n_problems == 0 && ch->refused == 0,
		                "answered", (json_int_t)rep->n_answers, "expected",
		                (json_int_t)rep->n_expected, "problems", problems,
		                "attachments", files);
		cli_json(cli, doc);
		return;
	}
	for (i = 0; i < rep->n_kept; i++)
		printf("%s\n", rep->problems[i]);
	if (rep->n_problems > rep->n_kept)
		printf("%s: ... and %zu more problems\n", file,
		       rep->n_problems - rep->n_kept);
	for (i = 0; i < ch->n_files; i++)
		if (ch->files[i].allowed)
			printf("attachment %s: %s, allowed\n", ch->files[i].written,
			       ch->files[i].mime);
		else
			printf("attachment %s: %s, refused: %s\n", ch->files[i].written,
			       ch->files[i].mime, ch->files[i].reason);
	if (!cli->quiet)
		fprintf(stderr,
		        "%s: %zu of %zu articles answered, %zu problems, %zu of %zu "
		        "attachments refused\n",
		        file, rep->n_answers, rep->n_expected, rep->n_problems,
		        ch->refused, ch->n_files);
}

/* `check FILE`: exit 0 only when complete and valid. */
static int do_check(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	struct checked ch;
	plm_error err;
	int c, status;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'j') {
			fputs(usage_questionnaire, stderr);
			return EXIT_USAGE;
		}
		cli->json = 1;
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the answers: palermo questionnaire check FILE");
	plm_error_clear(&err);
	if (check_file(cli, argv[optind], &ch, &err) != 0) {
		checked_free(&ch);
		return cli_fail_err(cli, &err);
	}
	print_checked(cli, argv[optind], &ch);
	status =
	    ch.report->n_problems == 0 && ch.refused == 0 ? EXIT_OK : EXIT_FAILURE_;
	checked_free(&ch);
	return status;
}

/*
 * The final submission is the State's: the member must act for the State
 * under review with a role that holds the right submit (the focal point).
 */
static int check_may_submit(struct cli *cli, const char *review_id, plm_error *err)
{
	const plm_roster_member *member;
	const plm_policy *policy;
	enum plm_policy_side side;
	plm_review *review = NULL;
	unsigned char me[PLM_FPR_BYTES];
	int r;

	if ((r = local_policy(cli, &policy, err)) != 0 ||
	    (r = local_review(cli, review_id, INT64_MAX, &review, err)) != 0)
		goto out;
	plm_fingerprint(me, &cli->me->pub);
	if (plm_review_member(review, me, &member, &side, NULL) != 0) {
		r = plm_error_set(
		    err, PLM_ERR_DENIED,
		    "you are not a member of review %s (as this client last "
		    "synced it)",
		    review_id);
		goto out;
	}
	if (!plm_submission_may_finalize(policy, member->role, side))
		r = plm_error_set(
		    err, PLM_ERR_POLICY,
		    "only the focal point of the State under review makes the final "
		    "submission; you are %s %s of %s: submit a draft without --final "
		    "(policy: roles.%s.may, stages.self_assessment.advanced_by; para "
		    "34)",
		    side == PLM_SIDE_SUR ? "a" : "a reviewing",
		    plm_policy_title(policy, PLM_POLICY_ROLES, member->role),
		    member->state, member->role);
out:
	plm_review_free(review);
	return r;
}

/* `submit REVIEW FILE [--final]`: check, then seal through `palermo send`. */
static int do_submit(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"final", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	char *send_argv[8 + 2 * PLM_QUESTIONNAIRE_ATTACHMENTS_MAX];
	const char *review, *file;
	char title[128];
	struct checked ch;
	plm_error err;
	int c, final = 0, n = 0, status;
	size_t i;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c != 'f') {
			fputs(usage_questionnaire, stderr);
			return EXIT_USAGE;
		}
		final = 1;
	}
	if (optind + 2 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "palermo questionnaire submit REVIEW FILE [--final]");
	review = argv[optind];
	file = argv[optind + 1];
	plm_error_clear(&err);
	if (check_file(cli, file, &ch, &err) != 0) {
		checked_free(&ch);
		return cli_fail_err(cli, &err);
	}
	if (ch.report->n_problems > 0 || ch.refused > 0) {
		print_checked(cli, file, &ch);
		status = cli_fail(cli, EXIT_FAILURE_,
		                  "%s is not complete and valid; fix what is listed, "
		                  "then submit again",
		                  file);
		goto out;
	}
	if (ch.report->review == NULL || strcmp(ch.report->review, review) != 0) {
		status = cli_fail(
		    cli, EXIT_USAGE, "%s answers review %s, not %s", file,
		    ch.report->review != NULL ? ch.report->review : "(none)", review);
		goto out;
	}
	if ((status = cli_open_state(cli, 0)) != 0 || (status = cli_unlock(cli)) != 0)
		goto out;
	if (final && check_may_submit(cli, review, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	snprintf(title, sizeof(title), "Questionnaire responses (%s)",
	         final ? "final submission" : "draft");
	send_argv[n++] = (char *)"send";
	send_argv[n++] = (char *)review;
	send_argv[n++] = (char *)"--kind";
	send_argv[n++] = (char *)"questionnaire_response";
	send_argv[n++] = (char *)"--title";
	send_argv[n++] = title;
	for (i = 0; i < ch.n_files; i++) {
		send_argv[n++] = (char *)"--attach";
		send_argv[n++] = ch.files[i].path;
	}
	send_argv[n++] = (char *)file;
	send_argv[n] = NULL;
	status =
	    send_document(cli, n, send_argv, "submission", final ? "final" : "draft");
	if (status == EXIT_OK && final)
		status = workflow_submitted(cli, review);
out:
	checked_free(&ch);
	return status;
}

int cmd_questionnaire(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_questionnaire, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "template") == 0)
		return do_template(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return do_check(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "submit") == 0)
		return do_submit(cli, argc - 1, argv + 1);
	return cli_fail(
	    cli, EXIT_USAGE,
	    "unknown questionnaire command '%.40s': template, check or submit",
	    argv[1]);
}
