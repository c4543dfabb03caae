/*
 * outbox_records.c - delivering the queued signed records and listing them
 * (client/outbox_records.h).
 */
#define _GNU_SOURCE
#include "client/outbox_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/identity.h"
#include "client/local.h"
#include "client/state.h"
#include "client/transport.h"

/* The first queued record (copied out of the state). */
struct queued {
	int found;
	int64_t n;
	char review[PLM_RECORD_ID_MAX + 1];
	int type;
	unsigned char *bytes;
	size_t len;
};

static int first_queued(void *ctx, int64_t n, const char *review, int type,
                        const unsigned char *bytes, size_t len, int64_t queued_at)
{
	struct queued *q = ctx;

	(void)queued_at;
	if ((q->bytes = malloc(len ? len : 1)) == NULL)
		return PLM_ERR_NOMEM;
	memcpy(q->bytes, bytes, len);
	q->len = len;
	q->n = n;
	q->type = type;
	snprintf(q->review, sizeof(q->review), "%s", review ? review : "");
	q->found = 1;
	return 1; /* one at a time: the queue changes as it is delivered */
}

/* Where a queued record goes (docs/API.md). */
static void queued_path(const struct queued *q, char *out, size_t cap)
{
	if (strcmp(q->review, PLM_PARTIES_REVIEW_ID) == 0)
		snprintf(out, cap, "/v1/parties/records");
	else if (q->review[0] != '\0')
		snprintf(out, cap, "/v1/reviews/%s/records", q->review);
	else if (q->type == PLM_RECORD_REVOCATION)
		snprintf(out, cap, "/v1/revocations");
	else
		snprintf(out, cap, "/v1/certificates");
}

/* The type name of a queued record ("record" when unknown). */
static const char *type_name(int type)
{
	const char *name = plm_record_type_name(type);

	return name != NULL ? name : "record";
}

/*
 * Keeps a certificate or revocation the server accepted (answer RESP, with
 * its log index) in the local state, so that certify, revoke and review
 * create know it before the next sync.
 */
static int keep_deployment_record(struct cli *cli, const struct queued *q,
                                  const struct response *resp, plm_error *err)
{
	plm_record *record = NULL;
	json_t *answer = NULL;
	int64_t seq = -1;
	int r;

	answer = json_loadb((const char *)resp->body, resp->len, 0, NULL);
	if (json_is_integer(json_object_get(answer, "seq")))
		seq = (int64_t)json_integer_value(json_object_get(answer, "seq"));
	json_decref(answer);
	if ((r = plm_record_decode(q->bytes, q->len, &record, err)) == 0)
		r = local_store_deployment_record(cli->state, record, seq, err);
	plm_record_free(record);
	return r;
}

/*
 * Drops the refused record Q and the later records of its review (they
 * depend on it), and with KEEP_GOING says so on stderr in one sentence.
 */
static void drop_refused(struct cli *cli, const struct queued *q, int keep_going,
                         const plm_error *refusal)
{
	if (q->review[0] != '\0')
		state_admin_remove_from(cli->state, q->review, q->n, NULL);
	else
		state_admin_remove(cli->state, q->n, NULL);
	if (!keep_going)
		return;
	if (q->review[0] != '\0')
		cli_warn(cli,
		         "%s; the queued %s of review %s was dropped, with any later "
		         "record of that review queued here (they depend on it)",
		         refusal->message, type_name(q->type), q->review);
	else
		cli_warn(cli, "%s; the queued %s was dropped", refusal->message,
		         type_name(q->type));
}

/* Counts the queued records (state_admin_each). */
static int count_queued(void *ctx, int64_t n, const char *review, int type,
                        const unsigned char *bytes, size_t len, int64_t queued_at)
{
	(void)n, (void)review, (void)type, (void)bytes, (void)len, (void)queued_at;
	(*(unsigned *)ctx)++;
	return 0;
}

int records_flush(struct cli *cli, int keep_going, unsigned *sent, unsigned *left,
                  plm_error *err)
{
	char path[160], what[64];
	struct response resp;
	unsigned delivered = 0, waiting = 0;
	plm_error refusal;
	struct queued q;
	int r = 0;

	for (;;) {
		memset(&q, 0, sizeof(q));
		r = state_admin_each(cli->state, first_queued, &q, err);
		if (r < 0 || !q.found) {
			if (r == PLM_ERR_NOMEM)
				plm_error_set(err, r, "out of memory");
			r = r < 0 ? r : 0;
			break;
		}
		queued_path(&q, path, sizeof(path));
		snprintf(what, sizeof(what), "accept the %s", type_name(q.type));
		if ((r = transport_request(cli->net, "POST", path, q.bytes, q.len,
		                           &resp, err)) != 0)
			break; /* the network: it stays queued */
		r = transport_check(&resp, what, &refusal);
		if (r == PLM_ERR_NET) {
			*err = refusal;
			response_free(&resp);
			break; /* the server failed (5xx): it stays queued */
		}
		if (r != 0) {
			/* Refused: it never will be accepted, nor what depends on it. */
			response_free(&resp);
			drop_refused(cli, &q, keep_going, &refusal);
			free(q.bytes);
			q.bytes = NULL;
			if (keep_going)
				continue;
			*err = refusal;
			break;
		}
		if (q.review[0] == '\0')
			r = keep_deployment_record(cli, &q, &resp, err);
		response_free(&resp);
		if (r == 0)
			r = state_admin_remove(cli->state, q.n, err);
		free(q.bytes);
		q.bytes = NULL;
		if (r != 0)
			break;
		delivered++;
	}
	free(q.bytes);
	if (sent != NULL)
		*sent = delivered;
	if (left != NULL) {
		(void)state_admin_each(cli->state, count_queued, &waiting, NULL);
		*left = waiting;
	}
	return r;
}

/* What records_list collects. */
struct listing {
	const char *review;
	struct records_item *items;
	size_t n, cap;
	plm_error *err;
};

static int list_one(void *ctx, int64_t n, const char *review, int type,
                    const unsigned char *bytes, size_t len, int64_t queued_at)
{
	struct listing *l = ctx;
	struct records_item *it, *grown;
	plm_record *record = NULL;
	int r;

	(void)n;
	if (l->review != NULL && strcmp(l->review, review) != 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		if ((grown = realloc(l->items, l->cap * sizeof(*grown))) == NULL)
			return plm_error_set(l->err, PLM_ERR_NOMEM, "out of memory");
		l->items = grown;
	}
	it = &l->items[l->n];
	memset(it, 0, sizeof(*it));
	if ((r = plm_record_decode(bytes, len, &record, l->err)) != 0)
		return r;
	memcpy(it->id, record->id, PLM_HASH_BYTES);
	plm_record_free(record);
	snprintf(it->review, sizeof(it->review), "%s", review);
	snprintf(it->kind, sizeof(it->kind), "%s", type_name(type));
	it->size = len;
	it->queued_at = queued_at;
	l->n++;
	return 0;
}

int records_list(struct cli *cli, const char *review, struct records_item **items,
                 size_t *n, plm_error *err)
{
	struct listing l = {review, NULL, 0, 0, err};
	int r;

	*items = NULL;
	*n = 0;
	if ((r = state_admin_each(cli->state, list_one, &l, err)) != 0) {
		free(l.items);
		return r;
	}
	*items = l.items;
	*n = l.n;
	return 0;
}
