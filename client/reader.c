/* reader.c - opening cached envelopes and naming people (see reader.h). */
#define _GNU_SOURCE
#include "client/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/local.h"
#include "client/parties.h"
#include "client/sig_ahead.h"
#include "client/state.h"
#include "keys/keystore.h"
#include "policies/review.h"
#include "policies/submission.h"

#define READER_KEYS_MAX 16 /* channel keys kept per reader (channel, epoch) */

struct channel_key {
	char channel[PLM_RECORD_NAME_MAX + 1];
	uint64_t epoch;
	unsigned char *key; /* plm_secret_alloc memory */
};

struct person_entry {
	unsigned char fpr[PLM_FPR_BYTES];
	struct reader_person person;
};

struct reader {
	struct cli *cli;
	char review[PLM_RECORD_ID_MAX + 1];
	struct person_entry *people;
	size_t n_people;
	int64_t newest_roster; /* seq of the newest roster */
	char sur_state[PLM_RECORD_STATE_MAX + 1]; /* the State under review */
	struct channel_key keys[READER_KEYS_MAX];
	size_t n_keys;
	const struct stored_envelope *env; /* the envelope being opened */
	plm_envelope_scratch *scratch;     /* secure memory of every opening */
	struct cache_ahead *ahead;         /* signatures checked ahead, or NULL */
	struct cache_copy copy;            /* the cached copy being opened */
	char warning[PLM_ERROR_MESSAGE_MAX];
};

/* ---- people --------------------------------------------------------------- */

static struct person_entry *find_person(const struct reader *rd,
                                        const unsigned char fpr[PLM_FPR_BYTES])
{
	size_t i;

	for (i = 0; i < rd->n_people; i++)
		if (memcmp(rd->people[i].fpr, fpr, PLM_FPR_BYTES) == 0)
			return &rd->people[i];
	return NULL;
}

/*
 * Records every member of one stored roster (in log order, so that a later
 * roster's role and State win); everyone is "not on the newest roster"
 * until the newest one is read.
 */
static int add_roster(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct reader *rd = ctx;
	struct person_entry *p;
	plm_record *rec = NULL;
	const plm_roster *roster;
	size_t i;

	if (plm_record_decode(bytes, len, &rec, NULL) != 0)
		return PLM_ERR_CORRUPT;
	roster = &rec->body.roster;
	for (i = 0; i < rd->n_people; i++)
		rd->people[i].person.on_roster = 0;
	for (i = 0; i < roster->n_members; i++) {
		const plm_roster_member *m = &roster->members[i];
		if ((p = find_person(rd, m->fingerprint)) == NULL) {
			p = realloc(rd->people, (rd->n_people + 1) * sizeof(*p));
			if (p == NULL) {
				plm_record_free(rec);
				return PLM_ERR_NOMEM;
			}
			rd->people = p;
			p = &rd->people[rd->n_people++];
			memcpy(p->fpr, m->fingerprint, PLM_FPR_BYTES);
		}
		snprintf(p->person.user_id, sizeof(p->person.user_id), "%s",
		         m->user_id);
		snprintf(p->person.state, sizeof(p->person.state), "%s", m->state);
		snprintf(p->person.role, sizeof(p->person.role), "%s", m->role);
		p->person.on_roster = 1;
	}
	rd->newest_roster = seq;
	snprintf(rd->sur_state, sizeof(rd->sur_state), "%s", roster->sur_state);
	plm_record_free(rec);
	return 0;
}

int reader_person(const struct reader *rd, const unsigned char fpr[PLM_FPR_BYTES],
                  struct reader_person *out)
{
	const struct person_entry *p = find_person(rd, fpr);

	if (p == NULL)
		return PLM_ERR_NOTFOUND;
	*out = p->person;
	return 0;
}

int reader_new(struct cli *cli, const char *review, struct reader **out, plm_error *err)
{
	struct reader *rd;
	int r;

	*out = NULL;
	if (strlen(review) > PLM_RECORD_ID_MAX)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "review %.70s is not known here; check its id",
		                     review);
	if ((rd = calloc(1, sizeof(*rd))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	rd->cli = cli;
	rd->newest_roster = -1;
	snprintf(rd->review, sizeof(rd->review), "%s", review);
	r = state_records_each(cli->state, review, PLM_RECORD_ROSTER, add_roster, rd,
	                       err);
	if (r == PLM_ERR_CORRUPT || r == PLM_ERR_NOMEM)
		r = plm_error_set(err, r, "the stored rosters of review %s are damaged",
		                  review);
	else if (r == 0 && rd->newest_roster < 0)
		r = plm_error_set(err, PLM_ERR_NOTFOUND,
		                  "review %s is not known here; check its id (`palermo "
		                  "reviews`), or run `palermo sync`",
		                  review);
	if (r != 0) {
		reader_free(rd);
		return r;
	}
	*out = rd;
	return 0;
}

void reader_free(struct reader *rd)
{
	size_t i;

	if (rd == NULL)
		return;
	cache_ahead_stop(rd->ahead); /* joined first */
	for (i = 0; i < rd->n_keys; i++)
		plm_secret_free(rd->keys[i].key);
	plm_envelope_scratch_free(rd->scratch);
	free(rd->copy.bytes);
	free(rd->people);
	free(rd);
}

int reader_find_verified(struct cli *cli, const char *prefix, int notfound_quiet,
                         struct stored_envelope *env)
{
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_error err;
	int r;

	r = state_envelope_find(cli->state, prefix, env, &err);
	if (r == PLM_ERR_NOTFOUND && notfound_quiet)
		return -1;
	if (r == PLM_ERR_MISMATCH || r == PLM_ERR_INVALID)
		return cli_fail(cli, EXIT_USAGE, "%s", err.message);
	if (r != 0)
		return cli_fail_err(cli, &err);
	plm_hex(hex, env->id, PLM_HASH_BYTES);
	if (env->status != ENVELOPE_VERIFIED)
		return cli_fail(cli, EXIT_VERIFY,
		                "document %.12s failed verification when it was synced and "
		                "was not kept: %s",
		                hex, env->problem);
	return 0;
}

void reader_check_ahead(struct reader *rd)
{
	if (rd->ahead == NULL && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		rd->ahead = cache_ahead_start(rd->cli->state, rd->review);
}

const char *reader_warning(const struct reader *rd)
{
	return rd->warning;
}

/* ---- keys ------------------------------------------------------------------ */

/* My key of CHANNEL at EPOCH (cached; owned by RD). */
static int channel_key(struct reader *rd, const char *channel, uint64_t epoch,
                       const unsigned char **key, plm_error *err)
{
	struct channel_key *k;
	size_t i;
	int r;

	for (i = 0; i < rd->n_keys; i++)
		if (rd->keys[i].epoch == epoch &&
		    strcmp(rd->keys[i].channel, channel) == 0) {
			*key = rd->keys[i].key;
			return 0;
		}
	if (rd->n_keys == READER_KEYS_MAX) { /* forget the oldest */
		plm_secret_free(rd->keys[0].key);
		memmove(&rd->keys[0], &rd->keys[1],
		        (READER_KEYS_MAX - 1) * sizeof(rd->keys[0]));
		rd->n_keys--;
	}
	k = &rd->keys[rd->n_keys];
	if ((r = local_channel_key(rd->cli, rd->review, channel, epoch, &k->key, NULL,
	                           err)) != 0)
		return r;
	snprintf(k->channel, sizeof(k->channel), "%s", channel);
	k->epoch = epoch;
	rd->n_keys++;
	*key = k->key;
	return 0;
}

struct disclosure_search {
	struct cli *cli;
	const unsigned char *envelope_id;
	unsigned char *doc_key; /* PLM_KEY_BYTES, the library's secure memory */
	int found;
};

/*
 * One stored disclosure: does it open the envelope sought? A public one
 * carries the key; one to the parties opens with my key of the parties
 * group at its epoch (client/parties.c), if I hold one.
 */
static int try_disclosure(void *ctx, int64_t seq, const unsigned char *bytes,
                          size_t len)
{
	struct disclosure_search *s = ctx;
	unsigned char *key = NULL, *group_key = NULL;
	plm_record *rec = NULL;

	(void)seq;
	if (plm_record_decode(bytes, len, &rec, NULL) != 0)
		return PLM_ERR_CORRUPT;
	if (memcmp(rec->body.disclosure.envelope_id, s->envelope_id, PLM_HASH_BYTES) ==
	        0 &&
	    (rec->body.disclosure.scope == PLM_DISCLOSE_PUBLIC ||
	     parties_key(s->cli, rec->body.disclosure.parties_epoch, &group_key, NULL) ==
	         0) &&
	    plm_disclosure_document_key(rec, group_key, &key, NULL) == 0) {
		memcpy(s->doc_key, key, PLM_KEY_BYTES);
		s->found = 1;
	}
	plm_secret_free(key);
	plm_secret_free(group_key);
	plm_record_free(rec);
	return s->found;
}

/*
 * The disclosure hook: the document key of H from a verified disclosure
 * record of the review, for a reader who holds no key of its channel and
 * epoch: public, or to the parties group when I am in it.
 * plm_envelope_open checks whatever key comes from here against the
 * envelope's signed commitment.
 */
static int disclosure_key(struct reader *rd, const plm_envelope_header *h,
                          unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct disclosure_search s = {rd->cli, rd->env->id, doc_key, 0};
	int r;

	r = state_records_each(rd->cli->state, rd->review, PLM_RECORD_DISCLOSURE,
	                       try_disclosure, &s, NULL);
	if (s.found)
		return 0;
	if (r != 0 && r != 1)
		return plm_error_set(err, PLM_ERR_CORRUPT,
		                     "the stored disclosures of review %s are damaged",
		                     rd->review);
	return plm_error_set(err, PLM_ERR_NOTFOUND,
	                     "you hold no key to this %s: it is on channel %s of epoch "
	                     "%llu, which you cannot read",
	                     h->kind, h->channel, (unsigned long long)h->epoch);
}

/*
 * plm_envelope_open's keys callback: the parsed header must be the
 * envelope sync verified; the author's keys from the author's certificate;
 * the document key from my channel key, or a disclosure.
 */
static int open_keys(void *ctx, const plm_envelope_header *h, plm_pubkeys *author,
                     unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct reader *rd = ctx;
	const struct stored_envelope *env = rd->env;
	const unsigned char *key = NULL;
	unsigned char fpr[PLM_FPR_BYTES];
	plm_certificate cert;
	int r;

	if (strcmp(h->review_id, env->review) != 0 ||
	    strcmp(h->channel, env->channel) != 0 || strcmp(h->kind, env->kind) != 0 ||
	    h->epoch != env->epoch ||
	    memcmp(h->author, env->author, PLM_FPR_BYTES) != 0)
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the cached file is not the document that was verified "
		    "under this id; run `palermo sync` after removing it from "
		    "the cache");
	r = local_certificate(rd->cli->state, h->author, &cert, err);
	if (r == PLM_ERR_DENIED) {
		/*
		 * Revoked or expired since. Sync accepted the envelope in log
		 * order, when the certificate was still good; local_certificate
		 * has checked the root's signature before refusing, and the
		 * keys must still be the author's (checked here and again by
		 * plm_envelope_open).
		 */
		plm_certificate_fingerprint(fpr, &cert);
		if (env->status != ENVELOPE_VERIFIED ||
		    sodium_memcmp(fpr, h->author, PLM_FPR_BYTES) != 0)
			return r;
		snprintf(
		    rd->warning, sizeof(rd->warning),
		    "%.250s; the document was written before that and verified then",
		    err != NULL ? err->message
		                : "the author's certificate is no longer valid");
		plm_error_clear(err);
		r = 0;
	}
	if (r != 0)
		return r;
	*author = cert.keys;
	sig_ahead_author(&cert.keys); /* its next documents are checked ahead */
	r = channel_key(rd, h->channel, h->epoch, &key, err);
	if (r == PLM_ERR_NOTFOUND)
		return disclosure_key(rd, h, doc_key, err);
	if (r != 0)
		return r;
	return plm_envelope_unwrap_key(h, key, doc_key, err);
}

/*
 * A rule only members can check, because it needs the manifest: a document
 * marked as the final submission must come from a member who may make it
 * (policies/submission.h). The server stored it without seeing the marker.
 */
static int check_submission(struct reader *rd, const struct stored_envelope *env,
                            const plm_manifest *manifest, plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1], why[PLM_ERROR_MESSAGE_MAX];
	const char *value = NULL;
	const plm_policy *policy;
	enum plm_policy_side side;
	struct reader_person who;
	unsigned i;
	int r;

	for (i = 0; i < manifest->n_fields; i++)
		if (strcmp(manifest->fields[i].key, PLM_SUBMISSION_FIELD) == 0)
			value = manifest->fields[i].value;
	if (value == NULL)
		return 0;
	if ((r = local_policy(rd->cli, &policy, err)) != 0)
		return r;
	if (reader_person(rd, env->author, &who) != 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "its author was never on the review's roster");
	side = strcmp(who.role, "secretariat") == 0 ? PLM_SIDE_SECRETARIAT
	       : strcmp(who.state, rd->sur_state) == 0 ? PLM_SIDE_SUR
	                                               : PLM_SIDE_REVIEWER;
	if ((r = plm_submission_check(policy, who.role, side, env->kind, value, err)) != 0) {
		plm_hex(hex, env->id, PLM_HASH_BYTES);
		snprintf(why, sizeof(why), "%s", err->message);
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "document %.12s breaks the policy, so it is refused: "
		                     "%s (%s)",
		                     hex, why, who.user_id);
	}
	return 0;
}

int reader_open(struct reader *rd, const struct stored_envelope *env,
                const char *out_path, plm_manifest *manifest, plm_error *err)
{
	unsigned char id[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_error why;
	int fd, r;

	rd->warning[0] = '\0';
	plm_hex(hex, env->id, PLM_HASH_BYTES);
	if (strcmp(env->review, rd->review) != 0)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "document %.12s is not of review %s", hex,
		                     rd->review);
	if (env->status != ENVELOPE_VERIFIED)
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "document %.12s failed verification when it was synced: %s", hex,
		    env->problem);
	if (rd->cli->me == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "opening a document needs your identity");
	if ((r = state_cache_read(rd->cli->state, env->id, &rd->copy, &fd, &why)) != 0)
		return plm_error_set(
		    err, PLM_ERR_IO,
		    "the cached copy of document %.12s cannot be read (%s); "
		    "run `palermo sync`",
		    hex, why.message);
	/* One piece of secure memory for all the documents this reader opens. */
	if (rd->scratch == NULL && (r = plm_envelope_scratch_new(&rd->scratch, err)) != 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	rd->env = env;
	/* A copy kept in the state is read from memory, a cache file from FD. */
	if (fd < 0)
		r = plm_envelope_open_bytes(rd->scratch,
		                            cache_ahead_known(rd->ahead, env->seq, env->id),
		                            rd->copy.bytes, rd->copy.len, out_path,
		                            open_keys, rd, manifest, NULL,
		                            PLM_ENVELOPE_AUTO, id, err);
	else
		r = plm_envelope_open_scratch(rd->scratch,
		                              cache_ahead_known(rd->ahead, env->seq, env->id),
		                              fd, out_path, open_keys, rd, manifest, NULL,
		                              PLM_ENVELOPE_AUTO, id, err);
	rd->env = NULL;
	if (fd >= 0)
		close(fd);
	if (r == 0 && sodium_memcmp(id, env->id, PLM_HASH_BYTES) != 0)
		r = plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the cached copy of document %.12s is another document", hex);
	if (r == 0 && manifest != NULL &&
	    (r = check_submission(rd, env, manifest, err)) != 0 && out_path != NULL)
		unlink(out_path); /* nothing of a refused document is kept */
	return r;
}

enum reader_outcome reader_try(struct reader *rd, const struct stored_envelope *env,
                               plm_manifest *manifest, plm_error *err)
{
	if (env->status != ENVELOPE_VERIFIED) {
		plm_error_set(err, PLM_ERR_POLICY, "%s", env->problem);
		return READER_REFUSED;
	}
	switch (reader_open(rd, env, NULL, manifest, err)) {
	case 0:
		return READER_OPENED;
	case PLM_ERR_NOTFOUND:
		return READER_UNREADABLE;
	case PLM_ERR_POLICY:
		return READER_REFUSED; /* opened, but it breaks a rule of the policy */
	}
	return READER_DAMAGED;
}

/* ---- formatting ------------------------------------------------------------ */

json_t *reader_entry_json(const struct reader *rd, const struct stored_envelope *env)
{
	char id[2 * PLM_HASH_BYTES + 1], fpr[2 * PLM_FPR_BYTES + 1],
	    reply[2 * PLM_HASH_BYTES + 1];
	struct reader_person who;
	int known = reader_person(rd, env->author, &who) == 0;

	plm_hex(id, env->id, PLM_HASH_BYTES);
	plm_hex(fpr, env->author, PLM_FPR_BYTES);
	plm_hex(reply, env->reply_to, PLM_HASH_BYTES);
	return json_pack(
	    "{s:s, s:I, s:I, s:{s:s, s:s?, s:s?, s:s?}, s:s, s:s, s:I, s:s?, s:I}",
	    "id", id, "seq", (json_int_t)env->seq, "created_at",
	    (json_int_t)env->created_at, "author", "fingerprint", fpr, "user_id",
	    known ? who.user_id : NULL, "state", known ? who.state : NULL, "role",
	    known ? who.role : NULL, "kind", env->kind, "channel", env->channel,
	    "epoch", (json_int_t)env->epoch, "reply_to", env->has_reply ? reply : NULL,
	    "size", (json_int_t)env->size);
}

void reader_entry_line(const struct reader *rd, const struct stored_envelope *env,
                       char *out, size_t cap)
{
	char id[2 * PLM_HASH_BYTES + 1], date[32], author[128];
	struct reader_person who;

	plm_hex(id, env->id, PLM_HASH_BYTES);
	reader_date(env->created_at, date);
	if (reader_person(rd, env->author, &who) == 0)
		snprintf(author, sizeof(author), "%s (%s, %s)", who.user_id, who.state,
		         who.role);
	else
		snprintf(author, sizeof(author), "unknown author");
	snprintf(out, cap, "%.12s  %s  %-34s %-22s %-9s", id, date, author, env->kind,
	         env->channel);
}

void reader_manifest_json(json_t *entry, const plm_manifest *m)
{
	json_t *fields;
	unsigned i;

	json_object_set_new(entry, "title", json_string(m->title));
	json_object_set_new(entry, "file_name",
	                    m->file_name[0] ? json_string(m->file_name) : json_null());
	json_object_set_new(entry, "mime", json_string(m->mime));
	json_object_set_new(entry, "language",
	                    m->language[0] ? json_string(m->language) : json_null());
	json_object_set_new(entry, "content_size", json_integer((json_int_t)m->size));
	fields = json_object();
	for (i = 0; i < m->n_fields; i++)
		json_object_set_new(fields, m->fields[i].key,
		                    json_string(m->fields[i].value));
	json_object_set_new(entry, "fields", fields);
}

void reader_date(uint64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > (uint64_t)253402300799ull || gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, 32, "?");
		return;
	}
	strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

int reader_my_fingerprint(struct cli *cli, unsigned char fpr[PLM_FPR_BYTES],
                          plm_error *err)
{
	char path[4200];
	plm_pubkeys pub;
	int r;

	if (cli->me != NULL) {
		plm_fingerprint(fpr, &cli->me->pub);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/identity.key", cli->home);
	if ((r = plm_keystore_read_public(path, &pub, err)) != 0) {
		if (r == PLM_ERR_NOTFOUND)
			return plm_error_set(
			    err, r,
			    "there is no identity in %s yet; run `palermo init` "
			    "first (or set PALERMO_HOME)",
			    cli->home);
		return r;
	}
	plm_fingerprint(fpr, &pub);
	return 0;
}

void reader_change_line(enum sync_change change, const plm_roster_member *before,
                        const plm_roster_member *after, char *out, size_t cap)
{
	if (change == SYNC_ADDED)
		snprintf(out, cap, "+ %s (%s) as %s", after->user_id, after->state,
		         after->role);
	else if (change == SYNC_REMOVED)
		snprintf(out, cap, "- %s (%s) as %s", before->user_id, before->state,
		         before->role);
	else if (strcmp(before->state, after->state) != 0)
		snprintf(out, cap, "~ %s: %s of %s -> %s of %s", after->user_id,
		         before->role, before->state, after->role, after->state);
	else
		snprintf(out, cap, "~ %s (%s): %s -> %s", after->user_id, after->state,
		         before->role, after->role);
}

json_t *reader_change_json(enum sync_change change, const plm_roster_member *before,
                           const plm_roster_member *after)
{
	static const char *const names[] = {NULL, "added", "removed", "changed"};
	const plm_roster_member *m = after != NULL ? after : before;
	char hex[2 * PLM_FPR_BYTES + 1];
	json_t *j;

	plm_hex(hex, m->fingerprint, PLM_FPR_BYTES);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "change", names[change], "user_id",
	              m->user_id, "state", m->state, "role", m->role, "fingerprint",
	              hex);
	if (j != NULL && change == SYNC_CHANGED) {
		json_object_set_new(j, "from_role", json_string(before->role));
		json_object_set_new(j, "from_state", json_string(before->state));
	}
	return j;
}

/* The roster being sorted (qsort has no context argument). */
static const plm_roster *sorting;

static int side_rank(const plm_roster_member *m)
{
	enum plm_policy_side side;

	if (plm_review_side(sorting, m, &side, NULL) != 0)
		return 9;
	return side == PLM_SIDE_SUR ? 0 : side == PLM_SIDE_REVIEWER ? 1 : 2;
}

static int by_display(const void *a, const void *b)
{
	const plm_roster_member *x = a, *y = b;
	int d = side_rank(x) - side_rank(y);

	if (d == 0)
		d = strcmp(x->state, y->state);
	if (d == 0)
		d = strcmp(x->role, y->role);
	if (d == 0)
		d = strcmp(x->user_id, y->user_id);
	return d;
}

int reader_sorted_members(const plm_roster *roster, plm_roster_member **out)
{
	size_t n = roster->n_members;

	if ((*out = malloc((n ? n : 1) * sizeof(**out))) == NULL)
		return PLM_ERR_NOMEM;
	if (n > 0)
		memcpy(*out, roster->members, n * sizeof(**out));
	sorting = roster;
	qsort(*out, n, sizeof(**out), by_display);
	sorting = NULL;
	return 0;
}

json_t *reader_member_json(const plm_roster *roster, const plm_roster_member *m)
{
	char hex[2 * PLM_FPR_BYTES + 1];
	enum plm_policy_side side;
	const char *side_name = NULL;

	plm_hex(hex, m->fingerprint, PLM_FPR_BYTES);
	if (plm_review_side(roster, m, &side, NULL) == 0)
		side_name = plm_policy_side_name(side);
	return json_pack("{s:s, s:s, s:s, s:s?, s:s}", "user_id", m->user_id, "state",
	                 m->state, "role", m->role, "side", side_name, "fingerprint",
	                 hex);
}

/* jansson blocks with their size in front, wiped when freed. */
#define WIPE_HEADER 16

static void *wipe_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - WIPE_HEADER || (p = malloc(n + WIPE_HEADER)) == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + WIPE_HEADER;
}

static void wipe_free(void *ptr)
{
	unsigned char *p = ptr;
	size_t n;

	if (p == NULL)
		return;
	p -= WIPE_HEADER;
	memcpy(&n, p, sizeof(n));
	sodium_memzero(p, n + WIPE_HEADER);
	free(p);
}

void reader_json_wipe(void)
{
	json_set_alloc_funcs(wipe_malloc, wipe_free);
}
