/*
 * epoch_keys.c - epoch-key records (PROTOCOL.md §5.5): for one review and
 * epoch, each channel's fresh key sealed to every member of its audience,
 * with a signed commitment to the key, so that every member can check that
 * the signer gave everybody the same key. Signed by the root beside the
 * roster of the epoch; framing in record.c.
 */
#include "keys/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

#define RECIPIENT_BYTES (PLM_FPR_BYTES + PLM_SEALED_KEY_BYTES) /* 112 */
/* str8 review_id || u64 epoch || str8 channel, at their longest. */
#define BINDING_MAX (1 + PLM_RECORD_ID_MAX + 8 + 1 + PLM_RECORD_NAME_MAX)
#define COMMIT_CONTEXT "channel"

/* PROTOCOL.md §5.5: every rule an epoch_keys body must meet. */
int plm_epoch_keys_body_check(const plm_record *record, plm_error *err)
{
	const plm_epoch_keys *ek = &record->body.epoch_keys;
	const plm_epoch_channel *ch;
	char field[40];
	size_t i, j;
	int r;

	/* The parties group's reserved id is allowed here (and only here). */
	if ((r = PLM_CHECK_STR(err, "epoch_keys", "review_id", ek->review_id, 1,
	                       PLM_RECORD_ID_MAX, PLM_STR_ID)) != 0)
		return r;
	if (ek->epoch == 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "epoch_keys: epochs start at 1, epoch 0 is not "
		                     "valid");
	if (ek->n_channels < 1 || ek->n_channels > PLM_EPOCH_CHANNELS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "epoch_keys: a record carries 1 to %d channels, "
		                     "not %u",
		                     PLM_EPOCH_CHANNELS_MAX, ek->n_channels);
	for (i = 0; i < ek->n_channels; i++) {
		ch = &ek->channels[i];
		snprintf(field, sizeof(field), "channels[%zu].name", i);
		if ((r = PLM_CHECK_STR(err, "epoch_keys", field, ch->name, 1,
		                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0)
			return r;
		if (i > 0 && strcmp(ek->channels[i - 1].name, ch->name) >= 0)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "epoch_keys: channels must be listed once "
			                     "each, in ascending order of name; \"%s\" "
			                     "comes after \"%s\"",
			                     ch->name, ek->channels[i - 1].name);
		if (ch->n_recipients < 1 || ch->n_recipients > PLM_EPOCH_RECIPIENTS_MAX)
			return plm_error_set(
			    err, PLM_ERR_LIMIT,
			    "epoch_keys: channel %s has %u recipients, "
			    "it must have 1 to %d",
			    ch->name, ch->n_recipients, PLM_EPOCH_RECIPIENTS_MAX);
		if (ch->recipients == NULL)
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "epoch_keys: channel %s has no recipient "
			                     "array",
			                     ch->name);
		for (j = 1; j < ch->n_recipients; j++)
			if (memcmp(ch->recipients[j - 1].fingerprint,
			           ch->recipients[j].fingerprint, PLM_FPR_BYTES) >= 0)
				return plm_error_set(
				    err, PLM_ERR_FORMAT,
				    "epoch_keys: the recipients of channel %s must be "
				    "listed once each, in ascending order of "
				    "fingerprint; recipient %zu breaks that order",
				    ch->name, j);
	}
	return 0;
}

void plm_epoch_keys_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_epoch_keys *ek = &record->body.epoch_keys;
	const plm_epoch_channel *ch;
	size_t i, j;

	plm_wbuf_str(b, "review_id", ek->review_id, 1, 1, PLM_RECORD_ID_MAX,
	             PLM_STR_ID);
	plm_wbuf_u64(b, ek->epoch);
	plm_wbuf_put(b, ek->roster_id, PLM_HASH_BYTES);
	plm_wbuf_u8(b, ek->n_channels);
	for (i = 0; i < ek->n_channels; i++) {
		ch = &ek->channels[i];
		plm_wbuf_str(b, "channel", ch->name, 1, 1, PLM_RECORD_NAME_MAX,
		             PLM_STR_NAME);
		plm_wbuf_put(b, ch->commitment, PLM_HASH_BYTES);
		plm_wbuf_u16(b, ch->n_recipients);
		for (j = 0; j < ch->n_recipients; j++) {
			plm_wbuf_put(b, ch->recipients[j].fingerprint, PLM_FPR_BYTES);
			plm_wbuf_put(b, ch->recipients[j].sealed_key,
			             PLM_SEALED_KEY_BYTES);
		}
	}
}

void plm_epoch_keys_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_epoch_keys *ek = &record->body.epoch_keys;
	plm_epoch_channel *ch;
	size_t i, j;

	PLM_READ_STR8(r, "review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, ek->review_id);
	plm_rbuf_u64(r, "epoch", &ek->epoch);
	plm_rbuf_fixed(r, "roster_id", ek->roster_id, PLM_HASH_BYTES);
	if (plm_rbuf_u8(r, "n_channels", &ek->n_channels) != 0)
		return;
	if (ek->n_channels < 1 || ek->n_channels > PLM_EPOCH_CHANNELS_MAX) {
		plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_channels", "%u is outside 1..%d",
		              ek->n_channels, PLM_EPOCH_CHANNELS_MAX);
		return;
	}
	for (i = 0; i < ek->n_channels; i++) {
		ch = &ek->channels[i];
		PLM_READ_STR8(r, "channel", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME,
		              ch->name);
		plm_rbuf_fixed(r, "commitment", ch->commitment, PLM_HASH_BYTES);
		if (plm_rbuf_u16(r, "n_recipients", &ch->n_recipients) != 0)
			return;
		if (ch->n_recipients < 1 ||
		    ch->n_recipients > PLM_EPOCH_RECIPIENTS_MAX) {
			plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_recipients",
			              "%u is outside 1..%d", ch->n_recipients,
			              PLM_EPOCH_RECIPIENTS_MAX);
			return;
		}
		if (plm_record_need(r, "recipients", ch->n_recipients,
		                    RECIPIENT_BYTES) != 0)
			return;
		ch->recipients = calloc(ch->n_recipients, sizeof(*ch->recipients));
		if (ch->recipients == NULL) {
			plm_rbuf_fail(r, PLM_ERR_NOMEM, "recipients", "out of memory");
			return;
		}
		for (j = 0; j < ch->n_recipients; j++) {
			plm_rbuf_fixed(r, "fingerprint", ch->recipients[j].fingerprint,
			               PLM_FPR_BYTES);
			plm_rbuf_fixed(r, "sealed_key", ch->recipients[j].sealed_key,
			               PLM_SEALED_KEY_BYTES);
		}
	}
}

void plm_epoch_keys_body_free(plm_record *record)
{
	plm_epoch_keys *ek = &record->body.epoch_keys;
	size_t i;

	/* Every slot, not only n_channels: a failed decode may leave any. */
	for (i = 0; i < PLM_EPOCH_CHANNELS_MAX; i++) {
		free(ek->channels[i].recipients);
		ek->channels[i].recipients = NULL;
	}
}

/*
 * The binding of a channel key commitment (PROTOCOL.md §5.5): str8
 * review_id || u64 epoch || str8 channel. Both strings must be within
 * their bounds (checked by the caller). Returns the length written.
 */
static size_t channel_binding(unsigned char out[BINDING_MAX], const char *review_id,
                              uint64_t epoch, const char *channel)
{
	size_t n = 0, id_len = strlen(review_id), name_len = strlen(channel);

	out[n++] = (unsigned char)id_len;
	memcpy(out + n, review_id, id_len);
	n += id_len;
	plm_store_u64(out + n, epoch);
	n += 8;
	out[n++] = (unsigned char)name_len;
	memcpy(out + n, channel, name_len);
	n += name_len;
	return n;
}

static int compare_recipients(const void *a, const void *b)
{
	return memcmp(((const plm_epoch_recipient *)a)->fingerprint,
	              ((const plm_epoch_recipient *)b)->fingerprint, PLM_FPR_BYTES);
}

static int compare_channels(const void *a, const void *b)
{
	return strcmp(((const plm_epoch_channel *)a)->name,
	              ((const plm_epoch_channel *)b)->name);
}

/*
 * Fills channel CH of EK from GRANT: name, the key sealed to every
 * recipient (sorted by fingerprint) and the commitment. EK's review_id and
 * epoch are set and within bounds.
 */
static int build_channel(plm_epoch_keys *ek, plm_epoch_channel *ch,
                         const plm_channel_grant *grant, plm_error *err)
{
	unsigned char binding[BINDING_MAX];
	size_t j;
	int r;

	if (grant->name == NULL || grant->key == NULL ||
	    (grant->recipients == NULL && grant->n_recipients > 0))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "epoch_keys: a channel needs a name, a key and "
		                     "its recipients");
	if (strlen(grant->name) > PLM_RECORD_NAME_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "epoch_keys: a channel name has at most %d "
		                     "bytes",
		                     PLM_RECORD_NAME_MAX);
	strcpy(ch->name, grant->name);
	if (grant->n_recipients < 1 || grant->n_recipients > PLM_EPOCH_RECIPIENTS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "epoch_keys: channel %s has %zu recipients, it "
		                     "must have 1 to %d",
		                     ch->name, grant->n_recipients,
		                     PLM_EPOCH_RECIPIENTS_MAX);
	ch->recipients = calloc(grant->n_recipients, sizeof(*ch->recipients));
	if (ch->recipients == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of memory for the recipients of channel %s",
		                     ch->name);
	ch->n_recipients = (uint16_t)grant->n_recipients;
	for (j = 0; j < grant->n_recipients; j++) {
		plm_fingerprint(ch->recipients[j].fingerprint, &grant->recipients[j]);
		if ((r = plm_key_seal(ch->recipients[j].sealed_key, grant->key,
		                      grant->recipients[j].box_pk, err)) != 0)
			return r;
	}
	qsort(ch->recipients, ch->n_recipients, sizeof(ch->recipients[0]),
	      compare_recipients);
	for (j = 1; j < ch->n_recipients; j++)
		if (memcmp(ch->recipients[j - 1].fingerprint,
		           ch->recipients[j].fingerprint, PLM_FPR_BYTES) == 0)
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "epoch_keys: a recipient of channel %s is "
			                     "listed twice",
			                     ch->name);
	plm_key_commit(ch->commitment, COMMIT_CONTEXT, binding,
	               channel_binding(binding, ek->review_id, ek->epoch, ch->name),
	               grant->key);
	return 0;
}

int plm_epoch_keys_build(plm_record **out, const char *review_id, uint64_t epoch,
                         const unsigned char roster_id[PLM_HASH_BYTES],
                         const plm_channel_grant *channels, size_t n_channels,
                         plm_error *err)
{
	plm_record *record = NULL;
	plm_epoch_keys *ek;
	size_t i;
	int r;

	*out = NULL;
	if (review_id == NULL || roster_id == NULL || channels == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "epoch_keys: a review id, a roster id and channels "
		                  "are needed");
		goto out;
	}
	if (strlen(review_id) > PLM_RECORD_ID_MAX) {
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "epoch_keys: a review id has at most %d bytes",
		                  PLM_RECORD_ID_MAX);
		goto out;
	}
	if (n_channels < 1 || n_channels > PLM_EPOCH_CHANNELS_MAX) {
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "epoch_keys: a record carries 1 to %d channels, "
		                  "not %zu",
		                  PLM_EPOCH_CHANNELS_MAX, n_channels);
		goto out;
	}
	if ((r = plm_record_new(&record, PLM_RECORD_EPOCH_KEYS, err)) != 0)
		goto out;
	ek = &record->body.epoch_keys;
	strcpy(ek->review_id, review_id);
	ek->epoch = epoch;
	memcpy(ek->roster_id, roster_id, PLM_HASH_BYTES);
	for (i = 0; i < n_channels; i++)
		if ((r = build_channel(ek, &ek->channels[i], &channels[i], err)) != 0)
			goto out;
	ek->n_channels = (uint8_t)n_channels;
	qsort(ek->channels, n_channels, sizeof(ek->channels[0]), compare_channels);
	for (i = 1; i < n_channels; i++)
		if (strcmp(ek->channels[i - 1].name, ek->channels[i].name) == 0) {
			r = plm_error_set(err, PLM_ERR_INVALID,
			                  "epoch_keys: channel %s is given twice",
			                  ek->channels[i].name);
			goto out;
		}
	if ((r = plm_epoch_keys_body_check(record, err)) != 0)
		goto out;
	*out = record;
	record = NULL;
out:
	plm_record_free(record);
	return r;
}

/* PROTOCOL.md §5.5, "Epoch keys and their roster". */
int plm_epoch_keys_check_roster(const plm_record *keys, const plm_record *roster,
                                plm_error *err)
{
	const plm_epoch_keys *ek = &keys->body.epoch_keys;
	const plm_roster *ro = &roster->body.roster;
	const plm_epoch_channel *ch;
	char hex[2 * 8 + 1];
	size_t i, j;
	int r;

	if ((r = plm_record_expect_type(keys, PLM_RECORD_EPOCH_KEYS, err)) != 0 ||
	    (r = plm_record_expect_type(roster, PLM_RECORD_ROSTER, err)) != 0)
		return r;
	if (roster->encoding == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the roster has no record id yet: decode or "
		                     "sign it first");
	if (strcmp(ek->review_id, ro->review_id) != 0 || ek->epoch != ro->epoch)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the epoch keys are for review %s epoch %llu, "
		                     "the roster is for review %s epoch %llu",
		                     ek->review_id, (unsigned long long)ek->epoch,
		                     ro->review_id, (unsigned long long)ro->epoch);
	if (memcmp(ek->roster_id, roster->id, PLM_HASH_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the epoch keys of review %s epoch %llu were "
		                     "made for another roster than this one",
		                     ek->review_id, (unsigned long long)ek->epoch);
	for (i = 0; i < ek->n_channels; i++) {
		ch = &ek->channels[i];
		for (j = 0; j < ch->n_recipients; j++) {
			if (plm_roster_find_member(ro, ch->recipients[j].fingerprint) !=
			    NULL)
				continue;
			plm_hex(hex, ch->recipients[j].fingerprint, 8);
			return plm_error_set(err, PLM_ERR_MISMATCH,
			                     "channel %s of review %s epoch %llu is "
			                     "sealed to %s..., who is not a member of "
			                     "the roster",
			                     ch->name, ek->review_id,
			                     (unsigned long long)ek->epoch, hex);
		}
	}
	return 0;
}

int plm_epoch_keys_open(const plm_record *record, const char *channel,
                        const plm_identity *me, unsigned char **key, plm_error *err)
{
	const plm_epoch_keys *ek = &record->body.epoch_keys;
	const plm_epoch_channel *ch = NULL;
	const plm_epoch_recipient *mine;
	unsigned char fingerprint[PLM_FPR_BYTES];
	unsigned char binding[BINDING_MAX];
	unsigned char *out = NULL;
	plm_epoch_recipient probe;
	size_t i;
	int r;

	*key = NULL;
	if ((r = plm_record_expect_type(record, PLM_RECORD_EPOCH_KEYS, err)) != 0 ||
	    (r = plm_epoch_keys_body_check(record, err)) != 0)
		goto out;
	for (i = 0; i < ek->n_channels && ch == NULL; i++)
		if (strcmp(ek->channels[i].name, channel) == 0)
			ch = &ek->channels[i];
	if (ch == NULL) {
		r = plm_error_set(
		    err, PLM_ERR_NOTFOUND, "review %s has no channel %s in epoch %llu",
		    ek->review_id, channel, (unsigned long long)ek->epoch);
		goto out;
	}
	plm_fingerprint(fingerprint, &me->pub);
	memcpy(probe.fingerprint, fingerprint, PLM_FPR_BYTES);
	mine = bsearch(&probe, ch->recipients, ch->n_recipients,
	               sizeof(ch->recipients[0]), compare_recipients);
	if (mine == NULL) {
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "the key of channel %s for epoch %llu of review %s "
		                  "was not given to you: you are not in that "
		                  "channel's audience for this epoch",
		                  ch->name, (unsigned long long)ek->epoch,
		                  ek->review_id);
		goto out;
	}
	if ((out = plm_secret_alloc(PLM_KEY_BYTES)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM,
		                  "out of secure memory for a channel key");
		goto out;
	}
	if ((r = plm_key_unseal(out, mine->sealed_key, me->pub.box_pk, me->box_sk,
	                        err)) != 0)
		goto out;
	/* PROTOCOL.md §5.5: the key must be the one the signer committed to. */
	if ((r = plm_key_commit_check(
	         ch->commitment, COMMIT_CONTEXT, binding,
	         channel_binding(binding, ek->review_id, ek->epoch, ch->name), out,
	         NULL)) != 0) {
		r = plm_error_set(err, PLM_ERR_COMMITMENT,
		                  "the key of channel %s sealed to you for epoch "
		                  "%llu of review %s is not the key its signer "
		                  "committed to: other members may hold another key; "
		                  "report this record to the secretariat",
		                  ch->name, (unsigned long long)ek->epoch,
		                  ek->review_id);
		goto out;
	}
	*key = out;
	out = NULL;
out:
	plm_secret_free(out);
	return r;
}

int plm_epoch_keys_check_key(const plm_record *record, const char *channel,
                             const unsigned char key[PLM_KEY_BYTES], plm_error *err)
{
	const plm_epoch_keys *ek = &record->body.epoch_keys;
	unsigned char binding[BINDING_MAX];
	size_t i;
	int r;

	if ((r = plm_record_expect_type(record, PLM_RECORD_EPOCH_KEYS, err)) != 0 ||
	    (r = plm_epoch_keys_body_check(record, err)) != 0)
		return r;
	for (i = 0; i < ek->n_channels; i++) {
		if (strcmp(ek->channels[i].name, channel) != 0)
			continue;
		if (plm_key_commit_check(ek->channels[i].commitment, COMMIT_CONTEXT, binding,
		                         channel_binding(binding, ek->review_id, ek->epoch,
		                                         channel),
		                         key, NULL) != 0)
			return plm_error_set(err, PLM_ERR_COMMITMENT,
			                     "the key of channel %s for epoch %llu of %s is "
			                     "not the key its signer committed to",
			                     channel, (unsigned long long)ek->epoch,
			                     ek->review_id);
		return 0;
	}
	return plm_error_set(err, PLM_ERR_NOTFOUND, "%s has no channel %s in epoch %llu",
	                     ek->review_id, channel, (unsigned long long)ek->epoch);
}
