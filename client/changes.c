/* changes.c - the membership history of a review (see changes.h). */
#include "client/changes.h"

#include <stdio.h>
#include <string.h>

#include "client/history.h"
#include "client/local.h"
#include "client/reader.h"
#include "client/sync.h"

struct changes_ctx {
	struct cli *cli;
	plm_record *newest; /* owned */
	json_t *history;
	json_t *changes; /* of the roster being read */
	plm_error *err;
};

static void collect_change(void *ctx, enum sync_change change,
                           const plm_roster_member *before,
                           const plm_roster_member *after)
{
	struct changes_ctx *c = ctx;

	json_array_append_new(c->changes, reader_change_json(change, before, after));
}

/* Who signed REC, for people. */
static const char *signed_by(struct cli *cli, const plm_record *rec,
                             plm_certificate *signer)
{
	if (local_certificate(cli->state, rec->signer, signer, NULL) == 0)
		return signer->display_name;
	return "an unknown key";
}

/* A roster: what changed since the one before. */
static void one_roster(struct changes_ctx *c, int64_t seq, plm_record *rec)
{
	plm_certificate signer;

	c->changes = json_array();
	sync_roster_diff(c->newest != NULL ? &c->newest->body.roster : NULL,
	                 &rec->body.roster, collect_change, c);
	json_array_append_new(
	    c->history,
	    json_pack("{s:I, s:I, s:I, s:s, s:o, s:[]}", "epoch",
	              (json_int_t)rec->body.roster.epoch, "seq", (json_int_t)seq,
	              "created_at", (json_int_t)rec->body.roster.created_at,
	              "signed_by", signed_by(c->cli, rec, &signer), "changes",
	              c->changes, "grants"));
	plm_record_free(c->newest);
	c->newest = rec;
}

/* A history grant: under the roster it was issued under (the newest). */
static void one_grant(struct changes_ctx *c, int64_t seq, const plm_record *rec)
{
	json_t *last = json_array_get(c->history, json_array_size(c->history) - 1);
	plm_certificate signer;

	if (last == NULL || c->newest == NULL)
		return; /* not possible in a replayed review: rosters come first */
	json_array_append_new(
	    json_object_get(last, "grants"),
	    history_grant_json(rec,
	                       plm_roster_find_member(&c->newest->body.roster,
	                                              rec->body.history_grant.grantee),
	                       signed_by(c->cli, rec, &signer), seq));
}

static int one_record(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct changes_ctx *c = ctx;
	plm_record *rec = NULL;

	if (plm_record_decode(bytes, len, &rec, c->err) != 0)
		return plm_error_set(c->err, PLM_ERR_CORRUPT,
		                     "a stored record is damaged; the local state is "
		                     "damaged");
	if (rec->type == PLM_RECORD_ROSTER) {
		one_roster(c, seq, rec); /* keeps REC */
		return 0;
	}
	if (rec->type == PLM_RECORD_HISTORY_GRANT)
		one_grant(c, seq, rec);
	plm_record_free(rec);
	return 0;
}

int changes_history(struct cli *cli, const char *review, json_t **out,
                    plm_record **newest, plm_error *err)
{
	struct changes_ctx c;
	int r;

	*out = NULL;
	if (newest != NULL)
		*newest = NULL;
	memset(&c, 0, sizeof(c));
	c.cli = cli;
	c.err = err;
	c.history = json_array();
	r = state_records_each(cli->state, review, 0, one_record, &c, err);
	if (r == 0 && c.newest == NULL)
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "review %.64s is not known here; check its id "
		                  "(`palermo reviews`), or run `palermo sync`",
		                  review);
	if (r != 0) {
		plm_record_free(c.newest);
		json_decref(c.history);
		return r;
	}
	*out = c.history;
	if (newest != NULL)
		*newest = c.newest;
	else
		plm_record_free(c.newest);
	return 0;
}

/* "    * it-fp-neri (ITA) received the history of epochs 1-2, granted by ..." */
static void print_grant(json_t *grant)
{
	json_t *list = json_object_get(grant, "epochs"), *e;
	const char *uid = json_string_value(json_object_get(grant, "user_id"));
	uint64_t epochs[PLM_HISTORY_KEYS_MAX];
	char text[128], date[32];
	size_t i, n = 0;

	json_array_foreach(list, i, e) if (n < PLM_HISTORY_KEYS_MAX) epochs[n++] =
	    (uint64_t)json_integer_value(e);
	history_epochs_format(epochs, n, text, sizeof(text));
	reader_date((uint64_t)json_integer_value(json_object_get(grant, "created_at")),
	            date);
	printf("    * %s (%s) received the history of %s, granted by %s on %s UTC\n",
	       uid != NULL ? uid : "a member",
	       uid != NULL ? json_string_value(json_object_get(grant, "state")) : "?", text,
	       json_string_value(json_object_get(grant, "granted_by")), date);
}

void changes_print(struct cli *cli, const char *title, json_t *history)
{
	char date[32], style[256], line[256];
	json_t *epoch, *change, *grant;
	size_t i, j;

	printf("\n%s:\n", title);
	json_array_foreach(history, i, epoch)
	{
		reader_date(
		    (uint64_t)json_integer_value(json_object_get(epoch, "created_at")),
		    date);
		printf("  epoch %" JSON_INTEGER_FORMAT ", %s UTC, signed by %s\n",
		       json_integer_value(json_object_get(epoch, "epoch")), date,
		       json_string_value(json_object_get(epoch, "signed_by")));
		json_array_foreach(json_object_get(epoch, "changes"), j, change)
		{
			const char *what =
			    json_string_value(json_object_get(change, "change"));
			const char *uid =
			    json_string_value(json_object_get(change, "user_id"));
			const char *st =
			    json_string_value(json_object_get(change, "state"));
			const char *role =
			    json_string_value(json_object_get(change, "role"));
			if (strcmp(what, "changed") == 0)
				snprintf(line, sizeof(line), "~ %s (%s): %s -> %s", uid,
				         st,
				         json_string_value(
				             json_object_get(change, "from_role")),
				         role);
			else
				snprintf(line, sizeof(line), "%c %s (%s) as %s",
				         what[0] == 'a' ? '+' : '-', uid, st, role);
			printf("    %s\n", cli_style(cli,
			                             what[0] == 'a'   ? "32"
			                             : what[0] == 'r' ? "31"
			                                              : "33",
			                             line, style, sizeof(style)));
		}
		json_array_foreach(json_object_get(epoch, "grants"), j, grant)
			print_grant(grant);
	}
}
