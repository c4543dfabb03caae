/*
 * cmd_thread.c - `palermo thread REVIEW`: a review's documents as threads,
 * each reply nested under the document it answers (the reply-to id of its
 * signed header), each verified again and its title decrypted in memory.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/commands.h"
#include "client/reader.h"
#include "client/state.h"
#include "client/sync.h"

const char usage_thread[] =
    "usage: palermo thread [--all] REVIEW\n"
    "\n"
    "Shows REVIEW's documents as threads: each document that replies to another\n"
    "is nested under it, oldest first at each level, like a mail reader. The\n"
    "lines are those of `palermo list` (id, date, author, kind, channel, title),\n"
    "and every document is verified again and its title decrypted in memory.\n"
    "A reply to a document you cannot read, or that is not here, starts a\n"
    "thread of its own.\n"
    "\n"
    "Options:\n"
    "  -a, --all   also show the documents you cannot read (without a title)\n"
    "\n"
    "With --json, prints {\"review\", \"threads\": [ENTRY...]} where ENTRY is an\n"
    "entry of `palermo list --json` with \"replies\": [ENTRY...].\n"
    "\n"
    "Exit status: 3 if a document no longer verifies, 6 if the review is unknown.\n"
    "\n"
    "Examples:\n"
    "  palermo thread 2026-ita-crim\n"
    "  palermo --json thread 2026-ita-crim | jq '.threads[0].replies | length'\n";

/* One document in the forest of replies. */
struct node {
	struct stored_envelope env;
	long parent;      /* index of the document it replies to, or -1 */
	long first_child; /* -1 if none */
	long next_sibling;
	int visible; /* shown (readable, or --all) */
};

struct thread_ctx {
	struct cli *cli;
	struct reader *rd;
	plm_manifest *manifest;
	struct node *nodes;
	size_t n, cap;
	int all, damaged;
};

static int collect(void *vctx, const struct stored_envelope *env)
{
	struct thread_ctx *c = vctx;
	struct node *p;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		if ((p = realloc(c->nodes, cap * sizeof(*p))) == NULL)
			return PLM_ERR_NOMEM;
		c->nodes = p;
		c->cap = cap;
	}
	p = &c->nodes[c->n++];
	p->env = *env;
	p->parent = p->first_child = p->next_sibling = -1;
	p->visible = 1;
	return 0;
}

/*
 * Links every document to the one it replies to. Ids are digests over the
 * header, reply-to included, so a reply always names an earlier document:
 * the links form a forest, never a cycle.
 */
static void link_replies(struct thread_ctx *c)
{
	long *last_child = calloc(c->n ? c->n : 1, sizeof(long));
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		if (last_child != NULL)
			last_child[i] = -1;
		if (!c->nodes[i].env.has_reply)
			continue;
		for (j = 0; j < i; j++)
			if (memcmp(c->nodes[j].env.id, c->nodes[i].env.reply_to,
			           PLM_HASH_BYTES) == 0) {
				c->nodes[i].parent = (long)j;
				break;
			}
	}
	for (i = 0; i < c->n && last_child != NULL; i++) {
		long p = c->nodes[i].parent;
		if (p < 0)
			continue;
		if (last_child[p] < 0)
			c->nodes[p].first_child = (long)i;
		else
			c->nodes[last_child[p]].next_sibling = (long)i;
		last_child[p] = (long)i;
	}
	free(last_child);
}

static void print_one_line(const char *s)
{
	for (; *s != '\0'; s++)
		putchar(*s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s);
}

/*
 * Shows node I and its replies at DEPTH; into the JSON array OUT with
 * --json. A hidden node's replies move up to its place.
 */
static void show(struct thread_ctx *c, long i, int depth, json_t *out)
{
	static const char *const status[] = {NULL, "verified", "refused", "unreadable",
	                                     "damaged"};
	struct node *nd = &c->nodes[i];
	enum reader_outcome outcome;
	json_t *entry = NULL, *replies = out;
	char line[256], style[64];
	plm_error err;
	long k;
	int d;

	plm_error_clear(&err);
	outcome = reader_try(c->rd, &nd->env, c->manifest, &err);
	nd->visible = outcome != READER_UNREADABLE || c->all;
	if (outcome == READER_DAMAGED)
		c->damaged = 1;
	if (nd->visible && c->cli->json) {
		entry = reader_entry_json(c->rd, &nd->env);
		json_object_set_new(entry, "status", json_string(status[outcome]));
		json_object_set_new(
		    entry, "problem",
		    outcome == READER_OPENED ? json_null() : json_string(err.message));
		if (outcome == READER_OPENED)
			reader_manifest_json(entry, c->manifest);
		replies = json_array();
		json_object_set_new(entry, "replies", replies);
		json_array_append_new(out, entry);
	} else if (nd->visible) {
		reader_entry_line(c->rd, &nd->env, line, sizeof(line));
		for (d = 0; d < depth; d++)
			fputs("    ", stdout);
		printf("%s%s ", depth > 0 ? "\u2514 " : "", line);
		if (outcome == READER_OPENED)
			print_one_line(c->manifest->title[0] ? c->manifest->title
			               : c->manifest->file_name[0]
			                   ? c->manifest->file_name
			                   : "(untitled)");
		else if (outcome == READER_UNREADABLE)
			fputs(cli_style(c->cli, "2", "(you cannot read this channel)",
			                style, sizeof(style)),
			      stdout);
		else
			printf(
			    "%s: %s",
			    cli_style(c->cli, "1;31",
			              outcome == READER_REFUSED ? "REFUSED" : "DAMAGED",
			              style, sizeof(style)),
			    err.message);
		putchar('\n');
	}
	for (k = nd->first_child; k >= 0; k = c->nodes[k].next_sibling)
		show(c, k, nd->visible ? depth + 1 : depth, replies);
}

int cmd_thread(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"all", no_argument, NULL, 'a'},
	                                        {"help", no_argument, NULL, 'h'},
	                                        {NULL, 0, NULL, 0}};
	struct thread_ctx c;
	json_t *threads = NULL;
	plm_error err;
	size_t i;
	int opt, status;

	memset(&c, 0, sizeof(c));
	c.cli = cli;
	while ((opt = getopt_long(argc, argv, "ah", options, NULL)) != -1) {
		if (opt != 'a')
			return cli_fail(cli, EXIT_USAGE, "see `palermo help thread`");
		c.all = 1;
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "name the review: palermo thread REVIEW");
	if (cli->json)
		reader_json_wipe(); /* titles go into JSON: wipe jansson's copies */
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	if (reader_new(cli, argv[optind], &c.rd, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((status = cli_unlock(cli)) != 0)
		goto out;
	if (plm_manifest_new(&c.manifest, &err) != 0 ||
	    state_envelopes_each(cli->state, argv[optind], collect, &c, &err) != 0) {
		status = cli_fail_err(cli, &err);
		goto out;
	}
	link_replies(&c);
	threads = json_array();
	for (i = 0; i < c.n; i++)
		if (c.nodes[i].parent < 0)
			show(&c, (long)i, 0, threads);
	if (cli->json) {
		cli_json(cli, json_pack("{s:s, s:o}", "review", argv[optind], "threads",
		                        threads));
		threads = NULL;
	} else if (c.n == 0) {
		cli_say(cli, "No documents in %s yet (as of your last `palermo sync`).",
		        argv[optind]);
	}
	status = EXIT_OK;
	if (c.damaged)
		status =
		    cli_fail(cli, EXIT_VERIFY,
		             "some documents no longer verify (DAMAGED above): their "
		             "cached copies were altered; tell the secretariat");
out:
	json_decref(threads);
	free(c.nodes);
	plm_manifest_free(c.manifest);
	reader_free(c.rd);
	return status;
}
