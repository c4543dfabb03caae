/*
 * roster.c - rosters (PROTOCOL.md §5.4): who is in a review at one epoch,
 * with which State and role, chained to the previous epoch's roster by its
 * record id. Signed by the root; framing in record.c.
 */
#include "keys/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

/* Smallest encoded member: fingerprint, 1-byte user id, 2-byte State, 1-byte role. */
#define MEMBER_MIN_BYTES (PLM_FPR_BYTES + 2 + 3 + 2)

/* Checks the instruments of RO: names, order, reviewing States. */
static int check_instruments(const plm_roster *ro, plm_error *err)
{
	const plm_roster_instrument *in;
	char field[48];
	size_t i, j;
	int r;

	if (ro->n_instruments < 1 || ro->n_instruments > PLM_ROSTER_INSTRUMENTS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "roster: a review has 1 to %d instruments, not %u",
		                     PLM_ROSTER_INSTRUMENTS_MAX, ro->n_instruments);
	for (i = 0; i < ro->n_instruments; i++) {
		in = &ro->instruments[i];
		snprintf(field, sizeof(field), "instruments[%zu].name", i);
		if ((r = PLM_CHECK_STR(err, "roster", field, in->name, 1,
		                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0)
			return r;
		if (i > 0 && strcmp(ro->instruments[i - 1].name, in->name) >= 0)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "roster: instruments must be listed once "
			                     "each, in ascending order of name; \"%s\" "
			                     "comes after \"%s\"",
			                     in->name, ro->instruments[i - 1].name);
		if (in->n_reviewing > PLM_ROSTER_REVIEWING_MAX)
			return plm_error_set(err, PLM_ERR_LIMIT,
			                     "roster: instrument %s has %u reviewing "
			                     "States, at most %d are allowed",
			                     in->name, in->n_reviewing,
			                     PLM_ROSTER_REVIEWING_MAX);
		for (j = 0; j < in->n_reviewing; j++) {
			snprintf(field, sizeof(field),
			         "instruments[%zu].reviewing[%zu]", i, j);
			if ((r = PLM_CHECK_STR(err, "roster", field, in->reviewing[j],
			                       PLM_RECORD_STATE_MIN,
			                       PLM_RECORD_STATE_MAX, PLM_STR_STATE)) !=
			    0)
				return r;
			if (j > 0 &&
			    strcmp(in->reviewing[j - 1], in->reviewing[j]) >= 0)
				return plm_error_set(
				    err, PLM_ERR_FORMAT,
				    "roster: the reviewing States of %s "
				    "must be listed once each, in "
				    "ascending order; %s comes after %s",
				    in->name, in->reviewing[j], in->reviewing[j - 1]);
			if (strcmp(in->reviewing[j], ro->sur_state) == 0)
				return plm_error_set(err, PLM_ERR_FORMAT,
				                     "roster: %s is the State under "
				                     "review and cannot also review %s",
				                     ro->sur_state, in->name);
		}
	}
	return 0;
}

/*
 * Checks a member list (rosters §5.4, the parties roster §5.12): count,
 * strings, ascending unique fingerprints. WHAT names the body in messages.
 */
int plm_members_check(const char *what, uint16_t n, const plm_roster_member *members,
                      plm_error *err)
{
	const plm_roster_member *m;
	char field[48];
	size_t i;
	int r;

	if (n < 1 || n > PLM_ROSTER_MEMBERS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT, "%s: a %s has 1 to %d members, not %u",
		                     what, strcmp(what, "roster") == 0 ? "review" : "group",
		                     PLM_ROSTER_MEMBERS_MAX, n);
	if (members == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "%s: n_members is set but the members are "
		                     "missing (use plm_roster_members_alloc)",
		                     what);
	for (i = 0; i < n; i++) {
		m = &members[i];
		snprintf(field, sizeof(field), "members[%zu].user_id", i);
		if ((r = PLM_CHECK_STR(err, what, field, m->user_id, 1,
		                       PLM_RECORD_ID_MAX, PLM_STR_ID)) != 0)
			return r;
		snprintf(field, sizeof(field), "members[%zu].state", i);
		if ((r = PLM_CHECK_STR(err, what, field, m->state,
		                       PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
		                       PLM_STR_STATE)) != 0)
			return r;
		snprintf(field, sizeof(field), "members[%zu].role", i);
		if ((r = PLM_CHECK_STR(err, what, field, m->role, 1,
		                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0)
			return r;
		if (i > 0 && memcmp(members[i - 1].fingerprint, m->fingerprint,
		                    PLM_FPR_BYTES) >= 0)
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "%s: members must be listed once each, "
			    "in ascending order of fingerprint; member "
			    "%zu (%s) breaks that order",
			    what, i, m->user_id);
	}
	return 0;
}

/* PROTOCOL.md §5.4: every rule a roster body must meet. */
int plm_roster_body_check(const plm_record *record, plm_error *err)
{
	const plm_roster *ro = &record->body.roster;
	size_t i;
	int r;

	if ((r = plm_record_check_review_id(err, "roster", ro->review_id,
	                                    sizeof(ro->review_id))) != 0)
		return r;
	if (ro->epoch == 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "roster: epochs start at 1, epoch 0 is not valid");
	if ((ro->epoch == 1) != plm_record_is_zero(ro->prev_roster, PLM_HASH_BYTES))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "roster: prev_roster must be all zero for "
		                     "epoch 1 and the previous roster's id for any "
		                     "later epoch (this is epoch %llu)",
		                     (unsigned long long)ro->epoch);
	if ((r = PLM_CHECK_STR(err, "roster", "sur_state", ro->sur_state,
	                       PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	                       PLM_STR_STATE)) != 0 ||
	    (r = PLM_CHECK_STR(err, "roster", "cluster", ro->cluster, 1,
	                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0)
		return r;
	if ((r = check_instruments(ro, err)) != 0)
		return r;
	if (ro->n_languages < 1 || ro->n_languages > PLM_ROSTER_LANGUAGES_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "roster: a review has 1 to %d working languages, "
		                     "not %u",
		                     PLM_ROSTER_LANGUAGES_MAX, ro->n_languages);
	for (i = 0; i < ro->n_languages; i++) {
		if ((r = PLM_CHECK_STR(err, "roster", "languages", ro->languages[i], 2,
		                       2, PLM_STR_LANG)) != 0)
			return r;
		if (i > 0 && strcmp(ro->languages[i - 1], ro->languages[i]) >= 0)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "roster: working languages must be listed "
			                     "once each, in ascending order; %s comes "
			                     "after %s",
			                     ro->languages[i], ro->languages[i - 1]);
	}
	return plm_members_check("roster", ro->n_members, ro->members, err);
}

void plm_members_encode(plm_wbuf *b, uint16_t n, const plm_roster_member *members)
{
	const plm_roster_member *m;
	size_t i;

	plm_wbuf_u16(b, n);
	for (i = 0; i < n; i++) {
		m = &members[i];
		plm_wbuf_put(b, m->fingerprint, PLM_FPR_BYTES);
		plm_wbuf_str(b, "user_id", m->user_id, 1, 1, PLM_RECORD_ID_MAX,
		             PLM_STR_ID);
		plm_wbuf_str(b, "state", m->state, 1, PLM_RECORD_STATE_MIN,
		             PLM_RECORD_STATE_MAX, PLM_STR_STATE);
		plm_wbuf_str(b, "role", m->role, 1, 1, PLM_RECORD_NAME_MAX,
		             PLM_STR_NAME);
	}
}

void plm_roster_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_roster *ro = &record->body.roster;
	const plm_roster_instrument *in;
	size_t i, j;

	plm_wbuf_str(b, "review_id", ro->review_id, 1, 1, PLM_RECORD_ID_MAX,
	             PLM_STR_ID);
	plm_wbuf_u64(b, ro->epoch);
	plm_wbuf_put(b, ro->prev_roster, PLM_HASH_BYTES);
	plm_wbuf_put(b, ro->policy_digest, PLM_HASH_BYTES);
	plm_wbuf_str(b, "sur_state", ro->sur_state, 1, PLM_RECORD_STATE_MIN,
	             PLM_RECORD_STATE_MAX, PLM_STR_STATE);
	plm_wbuf_str(b, "cluster", ro->cluster, 1, 1, PLM_RECORD_NAME_MAX,
	             PLM_STR_NAME);
	plm_wbuf_u8(b, ro->n_instruments);
	for (i = 0; i < ro->n_instruments; i++) {
		in = &ro->instruments[i];
		plm_wbuf_str(b, "instrument", in->name, 1, 1, PLM_RECORD_NAME_MAX,
		             PLM_STR_NAME);
		plm_wbuf_u8(b, in->n_reviewing);
		for (j = 0; j < in->n_reviewing; j++)
			plm_wbuf_str(b, "reviewing", in->reviewing[j], 1,
			             PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
			             PLM_STR_STATE);
	}
	plm_wbuf_u8(b, ro->n_languages);
	for (i = 0; i < ro->n_languages; i++)
		plm_wbuf_str(b, "language", ro->languages[i], 1, 2, 2, PLM_STR_LANG);
	plm_members_encode(b, ro->n_members, ro->members);
	plm_wbuf_u64(b, ro->created_at);
}

int plm_members_decode(plm_rbuf *r, uint16_t *n, plm_roster_member **members)
{
	plm_roster_member *m;
	size_t i;

	if (plm_rbuf_u16(r, "n_members", n) != 0)
		return r->status;
	if (*n < 1 || *n > PLM_ROSTER_MEMBERS_MAX)
		return plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_members", "%u is outside 1..%d",
		                     *n, PLM_ROSTER_MEMBERS_MAX);
	if (plm_record_need(r, "members", *n, MEMBER_MIN_BYTES) != 0)
		return r->status;
	if ((*members = calloc(*n, sizeof(**members))) == NULL)
		return plm_rbuf_fail(r, PLM_ERR_NOMEM, "members", "out of memory");
	for (i = 0; i < *n; i++) {
		m = &(*members)[i];
		plm_rbuf_fixed(r, "fingerprint", m->fingerprint, PLM_FPR_BYTES);
		PLM_READ_STR8(r, "user_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID,
		              m->user_id);
		PLM_READ_STR8(r, "state", PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
		              PLM_STR_STATE, m->state);
		PLM_READ_STR8(r, "role", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME, m->role);
	}
	return r->status;
}

void plm_roster_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_roster *ro = &record->body.roster;
	plm_roster_instrument *in;
	size_t i, j;

	PLM_READ_STR8(r, "review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, ro->review_id);
	plm_rbuf_u64(r, "epoch", &ro->epoch);
	plm_rbuf_fixed(r, "prev_roster", ro->prev_roster, PLM_HASH_BYTES);
	plm_rbuf_fixed(r, "policy_digest", ro->policy_digest, PLM_HASH_BYTES);
	PLM_READ_STR8(r, "sur_state", PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	              PLM_STR_STATE, ro->sur_state);
	PLM_READ_STR8(r, "cluster", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME, ro->cluster);
	if (plm_rbuf_u8(r, "n_instruments", &ro->n_instruments) != 0)
		return;
	if (ro->n_instruments < 1 || ro->n_instruments > PLM_ROSTER_INSTRUMENTS_MAX) {
		plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_instruments", "%u is outside 1..%d",
		              ro->n_instruments, PLM_ROSTER_INSTRUMENTS_MAX);
		return;
	}
	for (i = 0; i < ro->n_instruments; i++) {
		in = &ro->instruments[i];
		PLM_READ_STR8(r, "instrument", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME,
		              in->name);
		if (plm_rbuf_u8(r, "n_reviewing", &in->n_reviewing) != 0)
			return;
		if (in->n_reviewing > PLM_ROSTER_REVIEWING_MAX) {
			plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_reviewing",
			              "%u is outside 0..%d", in->n_reviewing,
			              PLM_ROSTER_REVIEWING_MAX);
			return;
		}
		for (j = 0; j < in->n_reviewing; j++)
			PLM_READ_STR8(r, "reviewing_state", PLM_RECORD_STATE_MIN,
			              PLM_RECORD_STATE_MAX, PLM_STR_STATE,
			              in->reviewing[j]);
	}
	if (plm_rbuf_u8(r, "n_languages", &ro->n_languages) != 0)
		return;
	if (ro->n_languages < 1 || ro->n_languages > PLM_ROSTER_LANGUAGES_MAX) {
		plm_rbuf_fail(r, PLM_ERR_LIMIT, "n_languages", "%u is outside 1..%d",
		              ro->n_languages, PLM_ROSTER_LANGUAGES_MAX);
		return;
	}
	for (i = 0; i < ro->n_languages; i++)
		PLM_READ_STR8(r, "language", 2, 2, PLM_STR_LANG, ro->languages[i]);
	if (plm_members_decode(r, &ro->n_members, &ro->members) != 0)
		return;
	plm_rbuf_u64(r, "created_at", &ro->created_at);
}

void plm_roster_body_free(plm_record *record)
{
	free(record->body.roster.members);
	record->body.roster.members = NULL;
	record->body.roster.n_members = 0;
}

int plm_roster_members_alloc(plm_roster *roster, size_t n, plm_error *err)
{
	if (roster->members != NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "roster: the members are allocated already");
	if (n < 1 || n > PLM_ROSTER_MEMBERS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "roster: a review has 1 to %d members, not %zu",
		                     PLM_ROSTER_MEMBERS_MAX, n);
	if ((roster->members = calloc(n, sizeof(*roster->members))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of memory for %zu roster members", n);
	roster->n_members = (uint16_t)n;
	return 0;
}

static int compare_instruments(const void *a, const void *b)
{
	return strcmp(((const plm_roster_instrument *)a)->name,
	              ((const plm_roster_instrument *)b)->name);
}

static int compare_states(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int compare_members(const void *a, const void *b)
{
	return memcmp(((const plm_roster_member *)a)->fingerprint,
	              ((const plm_roster_member *)b)->fingerprint, PLM_FPR_BYTES);
}

/*
 * Sorts ROSTER's lists into canonical order. The strings must be
 * NUL-terminated inside their arrays (the encoder checks that, and the
 * order, afterwards); counts over their bounds are clamped here.
 */
void plm_roster_sort(plm_roster *roster)
{
	size_t i, n = roster->n_instruments;

	if (n > PLM_ROSTER_INSTRUMENTS_MAX)
		n = PLM_ROSTER_INSTRUMENTS_MAX;
	qsort(roster->instruments, n, sizeof(roster->instruments[0]),
	      compare_instruments);
	for (i = 0; i < n; i++) {
		plm_roster_instrument *in = &roster->instruments[i];
		size_t k = in->n_reviewing;

		if (k > PLM_ROSTER_REVIEWING_MAX)
			k = PLM_ROSTER_REVIEWING_MAX;
		qsort(in->reviewing, k, sizeof(in->reviewing[0]), compare_states);
	}
	n = roster->n_languages;
	if (n > PLM_ROSTER_LANGUAGES_MAX)
		n = PLM_ROSTER_LANGUAGES_MAX;
	qsort(roster->languages, n, sizeof(roster->languages[0]), compare_states);
	if (roster->members != NULL)
		qsort(roster->members, roster->n_members, sizeof(roster->members[0]),
		      compare_members);
}

const plm_roster_member *plm_members_find(uint16_t n, const plm_roster_member *members,
                                          const unsigned char fingerprint[PLM_FPR_BYTES])
{
	size_t lo = 0, hi, mid;
	int c;

	if (members == NULL)
		return NULL;
	/* Members are in strictly ascending order of fingerprint (§5.4). */
	hi = n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(fingerprint, members[mid].fingerprint, PLM_FPR_BYTES);
		if (c == 0)
			return &members[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const plm_roster_member *
plm_roster_find_member(const plm_roster *roster,
                       const unsigned char fingerprint[PLM_FPR_BYTES])
{
	return plm_members_find(roster->n_members, roster->members, fingerprint);
}

/* PROTOCOL.md §5.4, "Successive rosters". */
int plm_roster_check_successor(const plm_record *prev, const plm_record *next,
                               plm_error *err)
{
	const plm_roster *p = &prev->body.roster, *n = &next->body.roster;
	int r;

	if ((r = plm_record_expect_type(prev, PLM_RECORD_ROSTER, err)) != 0 ||
	    (r = plm_record_expect_type(next, PLM_RECORD_ROSTER, err)) != 0)
		return r;
	if (prev->encoding == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the previous roster has no record id yet: "
		                     "decode or sign it first");
	if (strcmp(p->review_id, n->review_id) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the new roster is for review %s, not for %s",
		                     n->review_id, p->review_id);
	if (strcmp(p->sur_state, n->sur_state) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the new roster of review %s changes the State "
		                     "under review from %s to %s",
		                     n->review_id, p->sur_state, n->sur_state);
	if (strcmp(p->cluster, n->cluster) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the new roster of review %s changes the cluster "
		                     "from %s to %s",
		                     n->review_id, p->cluster, n->cluster);
	if (p->epoch == UINT64_MAX || n->epoch != p->epoch + 1)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the roster of review %s at epoch %llu cannot "
		                     "follow epoch %llu (%s): epochs go up by exactly one",
		                     n->review_id, (unsigned long long)n->epoch,
		                     (unsigned long long)p->epoch,
		                     n->epoch < p->epoch ? "an older roster, replayed"
		                     : n->epoch == p->epoch
		                         ? "a second roster for the same epoch: the "
		                           "history has forked"
		                         : "epochs are missing");
	if (memcmp(n->prev_roster, prev->id, PLM_HASH_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the roster of review %s at epoch %llu does not "
		                     "chain to the roster of epoch %llu: the history "
		                     "has forked",
		                     n->review_id, (unsigned long long)n->epoch,
		                     (unsigned long long)p->epoch);
	return 0;
}
