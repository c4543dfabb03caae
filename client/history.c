/* history.c - history grants as a member holds them (see history.h). */
#include "client/history.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/local.h"
#include "client/sync.h"

/* The search for my key of one channel and epoch among stored grants. */
struct grant_search {
	struct cli *cli;
	const char *channel;
	const plm_record *epoch_keys;
	unsigned char me[PLM_FPR_BYTES];
	unsigned char *key; /* found: plm_secret_alloc memory */
	int code;           /* the most telling failure so far */
	plm_error why;
};

/* One stored grant: to me, with this key? Stops (1) when it opens. */
static int try_grant(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct grant_search *s = ctx;
	plm_record *grant = NULL;
	plm_error why;
	int r;

	(void)seq;
	if (plm_record_decode(bytes, len, &grant, NULL) != 0)
		return 0;
	if (memcmp(grant->body.history_grant.grantee, s->me, PLM_FPR_BYTES) == 0) {
		r = plm_history_grant_open(grant, s->epoch_keys->body.epoch_keys.epoch,
		                           s->channel, s->epoch_keys, s->cli->me, &s->key,
		                           &why);
		/* A key that does not match its commitment is worth telling. */
		if (r != 0 && r != PLM_ERR_NOTFOUND) {
			s->code = r;
			s->why = why;
		}
	}
	plm_record_free(grant);
	return s->key != NULL;
}

int history_channel_key(struct cli *cli, const char *review, const char *channel,
                        const plm_record *epoch_keys, unsigned char **key,
                        plm_error *err)
{
	struct grant_search s;
	uint64_t epoch = epoch_keys->body.epoch_keys.epoch;
	int r;

	*key = NULL;
	memset(&s, 0, sizeof(s));
	s.cli = cli;
	s.channel = channel;
	s.epoch_keys = epoch_keys;
	plm_fingerprint(s.me, &cli->me->pub);
	r = state_records_each(cli->state, review, PLM_RECORD_HISTORY_GRANT, try_grant, &s,
	                       err);
	if (s.key != NULL) {
		*key = s.key;
		return 0;
	}
	if (r != 0)
		return r;
	if (s.code != 0)
		return plm_error_set(err, s.code, "%s", s.why.message);
	return plm_error_set(err, PLM_ERR_NOTFOUND,
	                     "you hold no key of channel %s of epoch %" PRIu64
	                     " of review %s: you were not in its audience then and no "
	                     "history grant gives it to you; the secretariat can give "
	                     "you the history (`palermo admin review grant`)",
	                     channel, epoch, review);
}

int history_check_mine(struct cli *cli, const plm_record *grant,
                       void (*fn)(void *ctx, const char *what, const char *problem),
                       void *ctx, plm_error *err)
{
	const plm_history_grant *g = &grant->body.history_grant;
	plm_record *epoch_keys = NULL;
	unsigned char *key = NULL;
	char what[96];
	plm_error why;
	uint16_t i;
	int r;

	for (i = 0; i < g->n_keys; i++) {
		snprintf(what, sizeof(what), "history key of channel %s of epoch %" PRIu64,
		         g->keys[i].channel, g->keys[i].epoch);
		if (epoch_keys == NULL || epoch_keys->body.epoch_keys.epoch != g->keys[i].epoch) {
			plm_record_free(epoch_keys);
			epoch_keys = NULL;
			r = local_epoch_keys(cli->state, g->review_id, g->keys[i].epoch,
			                     &epoch_keys, &why);
			if (r != 0 && r != PLM_ERR_NOTFOUND) {
				*err = why;
				return r;
			}
			if (r != 0) {
				fn(ctx, what,
				   "that epoch has no verified epoch keys here to check the key "
				   "against");
				continue;
			}
		}
		if (plm_history_grant_open(grant, g->keys[i].epoch, g->keys[i].channel,
		                           epoch_keys, cli->me, &key, &why) != 0)
			fn(ctx, what, why.message);
		plm_secret_free(key);
		key = NULL;
	}
	plm_record_free(epoch_keys);
	return 0;
}

void history_epochs_format(const uint64_t *epochs, size_t n, char *out, size_t cap)
{
	uint64_t first, last;
	size_t len, start, i = 0;
	int w;

	if (cap < 8)
		return;
	w = snprintf(out, cap, "%s",
	             n > 0 && epochs[0] != epochs[n - 1] ? "epochs " : "epoch ");
	len = start = (size_t)w;
	while (i < n) {
		first = last = epochs[i];
		while (i < n && epochs[i] <= last + 1)
			last = epochs[i++];
		if (first == last)
			w = snprintf(out + len, cap - len, "%s%" PRIu64,
			             len > start ? ", " : "", first);
		else
			w = snprintf(out + len, cap - len, "%s%" PRIu64 "-%" PRIu64,
			             len > start ? ", " : "", first, last);
		if (w < 0 || (size_t)w >= cap - len) {
			snprintf(out + cap - 4, 4, "...");
			return;
		}
		len += (size_t)w;
	}
}

void history_epochs_text(const plm_history_grant *g, char *out, size_t cap)
{
	uint64_t epochs[PLM_HISTORY_KEYS_MAX];
	size_t i;

	/* The keys are in ascending order of epoch (PROTOCOL.md §5.11). */
	for (i = 0; i < g->n_keys && i < PLM_HISTORY_KEYS_MAX; i++)
		epochs[i] = g->keys[i].epoch;
	history_epochs_format(epochs, i, out, cap);
}

void history_grant_line(const plm_record *grant, const plm_roster_member *grantee,
                        char *out, size_t cap)
{
	char epochs[128];

	history_epochs_text(&grant->body.history_grant, epochs, sizeof(epochs));
	if (grantee != NULL)
		snprintf(out, cap, "%s (%s) as %s received the history of %s",
		         grantee->user_id, grantee->state, grantee->role, epochs);
	else
		snprintf(out, cap, "a member received the history of %s", epochs);
}

json_t *history_grant_json(const plm_record *grant, const plm_roster_member *grantee,
                           const char *granted_by, int64_t seq)
{
	const plm_history_grant *g = &grant->body.history_grant;
	json_t *list = json_array();
	uint16_t i;

	for (i = 0; i < g->n_keys; i++)
		if (i == 0 || g->keys[i].epoch != g->keys[i - 1].epoch)
			json_array_append_new(list, json_integer((json_int_t)g->keys[i].epoch));
	return json_pack("{s:s, s:I, s:I, s:s?, s:s?, s:s?, s:o, s:s, s:I}", "review",
	                 g->review_id, "seq", (json_int_t)seq, "epoch",
	                 (json_int_t)g->epoch, "user_id",
	                 grantee ? grantee->user_id : NULL, "state",
	                 grantee ? grantee->state : NULL, "role",
	                 grantee ? grantee->role : NULL, "epochs", list, "granted_by",
	                 granted_by, "created_at", (json_int_t)g->created_at);
}
