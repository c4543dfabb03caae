/*
 * cmd_outbox.c - `palermo outbox`: what waits to be sent, and what to do
 * with an item the server refused (client/outbox.h).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/commands.h"
#include "client/outbox.h"
#include "client/outbox_records.h"
#include "client/state.h"

const char usage_outbox[] =
    "usage: palermo outbox [REVIEW]\n"
    "       palermo outbox drop ID\n"
    "       palermo outbox retry ID\n"
    "\n"
    "Lists what waits to be sent (all reviews, or REVIEW's), oldest first: the\n"
    "signed records queued while the server could not be reached (agreements,\n"
    "stage moves, the secretariat's records; KIND is the record type, STATUS\n"
    "\"waiting (signed record)\"), then the sealed documents: the first digits of\n"
    "each id, the review, the kind, the size, when it was queued, how many\n"
    "uploads were tried and the last error. `palermo sync` sends them, the\n"
    "records first, in the order they were made (every `palermo send` sends the\n"
    "documents); each reaches the server exactly once however often it is\n"
    "tried. A record the server refuses is reported and dropped at once, with\n"
    "the later records of its review: it never is accepted as it is.\n"
    "\n"
    "A document the server refused (it is not allowed, too large, ...) is not\n"
    "tried again:\n"
    "  drop ID    discard it (ID: its id or at least 4 of its first digits)\n"
    "  retry ID   try it again at the next sync, once the cause is fixed\n"
    "\n"
    "With --json, prints an array of\n"
    "{\"id\", \"review\", \"channel\", \"kind\", \"size\", \"queued_at\", "
    "\"attempts\",\n"
    " \"last_error\", \"refused\", \"record\"} (record: true for a signed record,\n"
    " whose channel is null and review \"\" for a certificate or revocation).\n"
    "\n"
    "Examples:\n"
    "  palermo outbox\n"
    "  palermo outbox --json 2026-ita-crim\n"
    "  palermo outbox drop 3fa29c1d\n";

/* "1.5 KiB", "12 MiB"... */
static void human_size(uint64_t n, char *out, size_t cap)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%llu B", (unsigned long long)n);
	else
		snprintf(out, cap, "%.1f %s", v, units[u]);
}

/* The item as JSON. */
static json_t *item_json(const struct outbox_item *it)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, it->id, PLM_HASH_BYTES);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:b, s:b}", "id", hex,
	                 "review", it->review, "channel", it->channel, "kind", it->kind,
	                 "size", (json_int_t)it->size, "queued_at",
	                 (json_int_t)it->queued_at, "attempts",
	                 (json_int_t)it->attempts, "last_error",
	                 it->last_error[0] ? json_string(it->last_error) : json_null(),
	                 "refused", it->refused, "record", 0);
}

/* A queued signed record as JSON: the fields of an envelope's, record true. */
static json_t *record_json(const struct records_item *it)
{
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, it->id, PLM_HASH_BYTES);
	return json_pack("{s:s, s:s, s:n, s:s, s:I, s:I, s:I, s:n, s:b, s:b}", "id", hex,
	                 "review", it->review, "channel", "kind", it->kind, "size",
	                 (json_int_t)it->size, "queued_at", (json_int_t)it->queued_at,
	                 "attempts", (json_int_t)0, "last_error", "refused", 0,
	                 "record", 1);
}

/* "2026-12-06 03:04" in local time, "?" if it cannot be shown. */
static void when_queued(int64_t queued_at, char *out, size_t cap)
{
	struct tm tm;
	time_t t = (time_t)queued_at;

	if (localtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, cap, "?");
}

static int list_items(struct cli *cli, const char *review)
{
	struct outbox_item *items = NULL;
	struct records_item *records = NULL;
	char hex[2 * PLM_HASH_BYTES + 1], size[32], when[32], style[64];
	json_t *doc;
	size_t n = 0, n_records = 0, i;
	plm_error err;

	if (outbox_list(cli, review, &items, &n, &err) != 0)
		return cli_fail_err(cli, &err);
	if (records_list(cli, review, &records, &n_records, &err) != 0) {
		free(items);
		return cli_fail_err(cli, &err);
	}
	if (cli->json) {
		doc = json_array();
		for (i = 0; i < n_records; i++) /* sent first, so listed first */
			json_array_append_new(doc, record_json(&records[i]));
		for (i = 0; i < n; i++)
			json_array_append_new(doc, item_json(&items[i]));
		free(records);
		free(items);
		return cli_json(cli, doc);
	}
	if (n == 0 && n_records == 0) {
		if (!cli->quiet)
			printf("nothing waits to be sent%s%s\n", review ? " for " : "",
			       review ? review : "");
		free(records);
		free(items);
		return EXIT_OK;
	}
	printf("%-12s  %-20s %-22s %10s  %-16s  %5s  %s\n", "ID", "REVIEW", "KIND",
	       "SIZE", "QUEUED", "TRIES", "STATUS");
	for (i = 0; i < n_records; i++) {
		const struct records_item *rec = &records[i];
		plm_hex(hex, rec->id, PLM_HASH_BYTES);
		hex[12] = '\0';
		human_size(rec->size, size, sizeof(size));
		when_queued(rec->queued_at, when, sizeof(when));
		printf("%-12s  %-20s %-22s %10s  %-16s  %5s  %s\n", hex,
		       rec->review[0] ? rec->review : "-", rec->kind, size, when, "-",
		       "waiting (signed record)");
	}
	free(records);
	for (i = 0; i < n; i++) {
		const struct outbox_item *it = &items[i];
		plm_hex(hex, it->id, PLM_HASH_BYTES);
		hex[12] = '\0';
		human_size(it->size, size, sizeof(size));
		when_queued(it->queued_at, when, sizeof(when));
		printf("%-12s  %-20s %-22s %10s  %-16s  %5u  %s\n", hex, it->review,
		       it->kind, size, when, it->attempts,
		       it->refused
		           ? cli_style(cli, "31", "refused", style, sizeof(style))
		           : "waiting");
		if (it->last_error[0] != '\0')
			printf("    %s\n", it->last_error);
	}
	free(items);
	return EXIT_OK;
}

/* `outbox drop ID` and `outbox retry ID`. */
static int act_on_item(struct cli *cli, const char *action, const char *prefix)
{
	struct outbox_item it;
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_error err;

	if (outbox_find(cli, prefix, &it, &err) != 0)
		return cli_fail_err(cli, &err);
	plm_hex(hex, it.id, PLM_HASH_BYTES);
	hex[12] = '\0';
	if (strcmp(action, "drop") == 0) {
		if (outbox_drop(cli, it.id, &err) != 0)
			return cli_fail_err(cli, &err);
		cli_say(cli, "dropped the %s %s of review %s; it will not be sent",
		        it.kind, hex, it.review);
		return EXIT_OK;
	}
	if (outbox_retry(cli, it.id, &err) != 0)
		return cli_fail_err(cli, &err);
	cli_say(cli,
	        "the %s %s of review %s will be sent again at the next `palermo sync`",
	        it.kind, hex, it.review);
	return EXIT_OK;
}

int cmd_outbox(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {{"json", no_argument, NULL, 'j'},
	                                        {NULL, 0, NULL, 0}};
	int status, c;

	/* 0, not 1: glibc re-initializes, so options may follow the operands. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'j') {
			cli->json = 1;
			continue;
		}
		fputs(usage_outbox, stderr);
		return EXIT_USAGE;
	}
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	if (optind < argc &&
	    (strcmp(argv[optind], "drop") == 0 || strcmp(argv[optind], "retry") == 0)) {
		if (optind + 2 != argc)
			return cli_fail(cli, EXIT_USAGE, "usage: palermo outbox %s ID",
			                argv[optind]);
		return act_on_item(cli, argv[optind], argv[optind + 1]);
	}
	if (optind + 1 < argc)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo outbox [REVIEW]; `palermo help "
		                "outbox` tells more");
	return list_items(cli, optind < argc ? argv[optind] : NULL);
}
