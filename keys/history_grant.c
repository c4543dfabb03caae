/*
 * history_grant.c - history grants (PROTOCOL.md §5.11): channel keys of
 * older epochs of a review re-sealed to one member of a newer roster, so
 * that a replacement focal point or a member who lost their device reads
 * the whole review (DESIGN.md §5-§6). Signed by the root; framing in
 * record.c. Each re-sealed key is checked by its grantee against the
 * commitment of its own epoch's epoch_keys record (epoch_keys.c), so the
 * root cannot give the grantee another key than the members of that epoch
 * hold.
 */
#include "keys/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

/* u64 epoch || str8 channel (at least 1 byte) || sealed key. */
#define KEY_MIN_BYTES (8 + 1 + 1 + PLM_SEALED_KEY_BYTES)

/* Orders two keys by (epoch, channel name bytewise): <0, 0, >0. */
static int compare_keys(const void *a, const void *b)
{
	const plm_history_key *x = a, *y = b;

	if (x->epoch != y->epoch)
		return x->epoch < y->epoch ? -1 : 1;
	return strcmp(x->channel, y->channel);
}

/* PROTOCOL.md §5.11: every rule a history_grant body must meet. */
int plm_history_grant_body_check(const plm_record *record, plm_error *err)
{
	const plm_history_grant *g = &record->body.history_grant;
	char field[40];
	size_t i;
	int r;

	/* As in epoch_keys, the parties group's reserved id is allowed. */
	if ((r = PLM_CHECK_STR(err, "history_grant", "review_id", g->review_id, 1,
	                       PLM_RECORD_ID_MAX, PLM_STR_ID)) != 0)
		return r;
	if (g->epoch < 2)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "history_grant: a grant is issued under a roster "
		                     "of epoch 2 or later, not %llu",
		                     (unsigned long long)g->epoch);
	if (g->n_keys < 1 || g->n_keys > PLM_HISTORY_KEYS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "history_grant: a grant carries 1 to %d keys, not %u",
		                     PLM_HISTORY_KEYS_MAX, g->n_keys);
	if (g->keys == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "history_grant: the grant has no key array");
	for (i = 0; i < g->n_keys; i++) {
		const plm_history_key *k = &g->keys[i];
		snprintf(field, sizeof(field), "keys[%zu].channel", i);
		if ((r = PLM_CHECK_STR(err, "history_grant", field, k->channel, 1,
		                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0)
			return r;
		if (k->epoch < 1 || k->epoch >= g->epoch)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "history_grant: key %zu is of epoch %llu; a "
			                     "grant under epoch %llu gives keys of epochs "
			                     "1 to %llu only",
			                     i, (unsigned long long)k->epoch,
			                     (unsigned long long)g->epoch,
			                     (unsigned long long)g->epoch - 1);
		if (i > 0 && compare_keys(&g->keys[i - 1], k) >= 0)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "history_grant: keys must be listed once "
			                     "each, in ascending order of epoch, then "
			                     "channel; key %zu breaks that order",
			                     i);
	}
	return 0;
}

void plm_history_grant_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_history_grant *g = &record->body.history_grant;
	size_t i;

	plm_wbuf_str(b, "review_id", g->review_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_u64(b, g->epoch);
	plm_wbuf_put(b, g->roster_id, PLM_HASH_BYTES);
	plm_wbuf_put(b, g->grantee, PLM_FPR_BYTES);
	plm_wbuf_u16(b, g->n_keys);
	for (i = 0; i < g->n_keys; i++) {
		plm_wbuf_u64(b, g->keys[i].epoch);
		plm_wbuf_str(b, "channel", g->keys[i].channel, 1, 1, PLM_RECORD_NAME_MAX,
		             PLM_STR_NAME);
		plm_wbuf_put(b, g->keys[i].sealed_key, PLM_SEALED_KEY_BYTES);
	}
	plm_wbuf_u64(b, g->created_at);
}

void plm_history_grant_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_history_grant *g = &record->body.history_grant;
	size_t i;

	PLM_READ_STR8(r, "review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, g->review_id);
	plm_rbuf_u64(r, "epoch", &g->epoch);
	plm_rbuf_fixed(r, "roster_id", g->roster_id, PLM_HASH_BYTES);
	plm_rbuf_fixed(r, "grantee", g->grantee, PLM_FPR_BYTES);
	if (plm_rbuf_u16(r, "n_keys", &g->n_keys) != 0)
		return;
	if (g->n_keys < 1 || g->n_keys > PLM_HISTORY_KEYS_MAX) {
		plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_keys", "%u is outside 1..%d", g->n_keys,
		              PLM_HISTORY_KEYS_MAX);
		return;
	}
	if (plm_record_need(r, "keys", g->n_keys, KEY_MIN_BYTES) != 0)
		return;
	if ((g->keys = calloc(g->n_keys, sizeof(*g->keys))) == NULL) {
		plm_rbuf_fail(r, PLM_ERR_NOMEM, "keys", "out of memory");
		return;
	}
	for (i = 0; i < g->n_keys; i++) {
		plm_rbuf_u64(r, "key_epoch", &g->keys[i].epoch);
		PLM_READ_STR8(r, "channel", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME,
		              g->keys[i].channel);
		plm_rbuf_fixed(r, "sealed_key", g->keys[i].sealed_key,
		               PLM_SEALED_KEY_BYTES);
	}
	plm_rbuf_u64(r, "created_at", &g->created_at);
}

void plm_history_grant_body_free(plm_record *record)
{
	free(record->body.history_grant.keys);
	record->body.history_grant.keys = NULL;
}

int plm_history_grant_build(plm_record **out, const plm_record *roster,
                            const plm_pubkeys *grantee, const uint64_t *epochs,
                            const char *const *channels,
                            const unsigned char *const *keys, size_t n,
                            uint64_t created_at, plm_error *err)
{
	plm_record *record = NULL;
	plm_history_grant *g;
	size_t i;
	int r;

	*out = NULL;
	if (roster == NULL || grantee == NULL || (n > 0 && (epochs == NULL ||
	                                                     channels == NULL ||
	                                                     keys == NULL))) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "history_grant: a roster, a grantee and keys are "
		                  "needed");
		goto out;
	}
	if ((r = plm_record_expect_type(roster, PLM_RECORD_ROSTER, err)) != 0)
		goto out;
	if (roster->encoding == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "the roster has no record id yet: decode or sign it "
		                  "first");
		goto out;
	}
	if (n < 1 || n > PLM_HISTORY_KEYS_MAX) {
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "history_grant: a grant carries 1 to %d keys, not %zu",
		                  PLM_HISTORY_KEYS_MAX, n);
		goto out;
	}
	if ((r = plm_record_new(&record, PLM_RECORD_HISTORY_GRANT, err)) != 0)
		goto out;
	g = &record->body.history_grant;
	memcpy(g->review_id, roster->body.roster.review_id, sizeof(g->review_id));
	g->epoch = roster->body.roster.epoch;
	memcpy(g->roster_id, roster->id, PLM_HASH_BYTES);
	plm_fingerprint(g->grantee, grantee);
	g->created_at = created_at;
	if ((g->keys = calloc(n, sizeof(*g->keys))) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory for a history grant");
		goto out;
	}
	g->n_keys = (uint16_t)n;
	for (i = 0; i < n; i++) {
		if (channels[i] == NULL || keys[i] == NULL ||
		    strlen(channels[i]) > PLM_RECORD_NAME_MAX) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "history_grant: key %zu needs a channel name of "
			                  "at most %d bytes and a key",
			                  i, PLM_RECORD_NAME_MAX);
			goto out;
		}
		g->keys[i].epoch = epochs[i];
		strcpy(g->keys[i].channel, channels[i]);
		if ((r = plm_key_seal(g->keys[i].sealed_key, keys[i], grantee->box_pk,
		                      err)) != 0)
			goto out;
	}
	qsort(g->keys, n, sizeof(*g->keys), compare_keys);
	for (i = 1; i < n; i++)
		if (compare_keys(&g->keys[i - 1], &g->keys[i]) == 0) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "history_grant: the key of channel %s of epoch "
			                  "%llu is given twice",
			                  g->keys[i].channel,
			                  (unsigned long long)g->keys[i].epoch);
			goto out;
		}
	if ((r = plm_history_grant_body_check(record, err)) != 0)
		goto out;
	*out = record;
	record = NULL;
out:
	plm_record_free(record);
	return r;
}

int plm_history_grant_open(const plm_record *grant, uint64_t epoch, const char *channel,
                           const plm_record *epoch_keys, const plm_identity *me,
                           unsigned char **key, plm_error *err)
{
	const plm_history_grant *g = &grant->body.history_grant;
	unsigned char fingerprint[PLM_FPR_BYTES];
	const plm_history_key *mine;
	unsigned char *out = NULL;
	plm_history_key probe;
	int r;

	*key = NULL;
	if ((r = plm_record_expect_type(grant, PLM_RECORD_HISTORY_GRANT, err)) != 0 ||
	    (r = plm_history_grant_body_check(grant, err)) != 0 ||
	    (r = plm_record_expect_type(epoch_keys, PLM_RECORD_EPOCH_KEYS, err)) != 0)
		goto out;
	if (strcmp(epoch_keys->body.epoch_keys.review_id, g->review_id) != 0 ||
	    epoch_keys->body.epoch_keys.epoch != epoch) {
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "the epoch keys given are of review %s epoch %llu, not "
		                  "of review %s epoch %llu",
		                  epoch_keys->body.epoch_keys.review_id,
		                  (unsigned long long)epoch_keys->body.epoch_keys.epoch,
		                  g->review_id, (unsigned long long)epoch);
		goto out;
	}
	plm_fingerprint(fingerprint, &me->pub);
	memset(&probe, 0, sizeof(probe));
	probe.epoch = epoch;
	snprintf(probe.channel, sizeof(probe.channel), "%s", channel);
	if (memcmp(fingerprint, g->grantee, PLM_FPR_BYTES) != 0 ||
	    (mine = bsearch(&probe, g->keys, g->n_keys, sizeof(*g->keys),
	                    compare_keys)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "this history grant gives you no key of channel %s "
		                  "of epoch %llu of review %s",
		                  channel, (unsigned long long)epoch, g->review_id);
		goto out;
	}
	if ((out = plm_secret_alloc(PLM_KEY_BYTES)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory for a channel key");
		goto out;
	}
	if ((r = plm_key_unseal(out, mine->sealed_key, me->pub.box_pk, me->box_sk,
	                        err)) != 0)
		goto out;
	/* PROTOCOL.md §5.11: the very key the members of that epoch hold. */
	if ((r = plm_epoch_keys_check_key(epoch_keys, channel, out, err)) != 0) {
		if (r == PLM_ERR_COMMITMENT)
			r = plm_error_set(err, PLM_ERR_COMMITMENT,
			                  "the key of channel %s of epoch %llu of review %s "
			                  "that a history grant re-seals to you is not the "
			                  "key that epoch's members hold; report this "
			                  "record to the secretariat",
			                  channel, (unsigned long long)epoch, g->review_id);
		goto out;
	}
	*key = out;
	out = NULL;
out:
	plm_secret_free(out);
	return r;
}
