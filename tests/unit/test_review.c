/*
 * test_review.c - the review state machine (policies/review.c) that the
 * daemon and every client run over the log's order, under the shipped
 * policies/untoc.yaml ($PLM_TOP/policies/untoc.yaml, else ./policies/).
 *
 * The review of the fixtures follows REVIEW-MECHANISM.md: Italy (ITA) under
 * review in the criminalization cluster on the Organized Crime Convention
 * (untoc) and the Trafficking in Persons Protocol (tip), reviewed by France
 * (FRA) and Brazil (BRA) on both, working language English. Members: the
 * Italian focal point, expert and observer, the French and Brazilian focal
 * points and experts, and a UNODC secretariat officer; a German focal point
 * who is not a member plays the outsider. Every record is signed for real
 * and handed to the state machine as a reader gets it: decoded from its
 * signed bytes, its signature verified.
 *
 * Every refusal checks the exact PLM_ERR_* code, the words of the message
 * that name the rule, and that the refused record changed nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "keys/crypto.h"
#include "keys/envelope.h"
#include "keys/record.h"
#include "policies/agreement.h"
#include "policies/policy.h"
#include "policies/review.h"

#define REVIEW_ID "ita-criminalization-2026"
#define T_START 1769904000ULL /* 2026-02-01T00:00:00Z */
#define DAY 86400ULL

/* ---- the people of the review ------------------------------------------ */

enum person {
	ITA_FP,
	ITA_EX,
	ITA_OBS,
	FRA_FP,
	FRA_EX,
	BRA_FP,
	BRA_EX,
	UNODC,
	N_PEOPLE,
	/* Not members of the review's first roster: */
	DEU_FP = N_PEOPLE, /* the outsider */
	ROOT,
	N_IDENTITIES,
};

#define BIT(p) (1u << (p))
#define EVERYONE (BIT(N_PEOPLE) - 1u)

static const struct {
	const char *user_id, *state, *role;
	enum plm_policy_side side;
} people[N_IDENTITIES] = {
    [ITA_FP] = {"it.focal", "ITA", "focal_point", PLM_SIDE_SUR},
    [ITA_EX] = {"it.expert", "ITA", "expert", PLM_SIDE_SUR},
    [ITA_OBS] = {"it.observer", "ITA", "observer", PLM_SIDE_SUR},
    [FRA_FP] = {"fr.focal", "FRA", "focal_point", PLM_SIDE_REVIEWER},
    [FRA_EX] = {"fr.expert", "FRA", "expert", PLM_SIDE_REVIEWER},
    [BRA_FP] = {"br.focal", "BRA", "focal_point", PLM_SIDE_REVIEWER},
    [BRA_EX] = {"br.expert", "BRA", "expert", PLM_SIDE_REVIEWER},
    [UNODC] = {"unodc.officer", "UNODC", "secretariat", PLM_SIDE_SECRETARIAT},
    [DEU_FP] = {"de.focal", "DEU", "focal_point", PLM_SIDE_REVIEWER},
    [ROOT] = {"root", "UNODC", "root", PLM_SIDE_SECRETARIAT},
};

static plm_identity *ids[N_IDENTITIES];
static unsigned char fprs[N_IDENTITIES][PLM_FPR_BYTES];
static plm_policy *policy;
static plm_error err;

/* The path of the shipped policy: $PLM_TOP/policies/untoc.yaml. */
static const char *untoc_path(void)
{
	static char path[4096];
	const char *top = getenv("PLM_TOP");

	snprintf(path, sizeof(path), "%s/policies/untoc.yaml",
	         top != NULL && top[0] != '\0' ? top : ".");
	return path;
}

/* Loads the policy and derives every identity from its own seed, once. */
static int fixtures(void)
{
	unsigned char seed[PLM_SEED_BYTES];
	plm_error e;
	size_t i;

	if (policy != NULL)
		return 0;
	if (plm_policy_load(untoc_path(), &policy, &e) != 0) {
		printf("# cannot load %s: %s\n", untoc_path(), e.message);
		return -1;
	}
	for (i = 0; i < N_IDENTITIES; i++) {
		memset(seed, (int)(0x41 + i), sizeof(seed));
		seed[0] = (unsigned char)i;
		if (plm_identity_from_seed(&ids[i], seed, &e) != 0) {
			printf("# cannot derive an identity: %s\n", e.message);
			return -1;
		}
		plm_fingerprint(fprs[i], &ids[i]->pub);
	}
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

static void free_fixtures(void)
{
	size_t i;

	for (i = 0; i < N_IDENTITIES; i++)
		plm_identity_free(ids[i]);
	plm_policy_free(policy);
}

/* The person whose fingerprint is FPR, or -1. */
static int person_of(const unsigned char fpr[PLM_FPR_BYTES])
{
	int i;

	for (i = 0; i < N_IDENTITIES; i++)
		if (memcmp(fprs[i], fpr, PLM_FPR_BYTES) == 0)
			return i;
	return -1;
}

/* ---- assertions --------------------------------------------------------- */

/* CALL must succeed; on failure the message says why. */
#define CHECK_OK(call)                                                                 \
	do {                                                                           \
		int check_r_;                                                          \
		plm_error_clear(&err);                                                 \
		check_r_ = (call);                                                     \
		if (check_r_ != 0) {                                                   \
			check_fail(__FILE__, __LINE__, "%s == %d: %s", #call,          \
			           check_r_, err.message);                             \
			return;                                                        \
		}                                                                      \
	} while (0)

/* CALL must fail with WANT (in the return value and in err) and a message
 * containing TEXT. */
#define CHECK_ERR(call, want, text)                                                    \
	do {                                                                           \
		int check_r_;                                                          \
		plm_error_clear(&err);                                                 \
		check_r_ = (call);                                                     \
		if (check_r_ != (want) || err.code != (want) ||                        \
		    strstr(err.message, (text)) == NULL) {                             \
			check_fail(__FILE__, __LINE__,                                 \
			           "%s == %d (%s), expected %s with \"%s\"", #call,    \
			           check_r_, err.message, #want, (text));              \
			return;                                                        \
		}                                                                      \
	} while (0)

/* What a refused record must leave untouched. */
struct snapshot {
	unsigned char roster_id[PLM_HASH_BYTES];
	int has_roster, has_keys;
	unsigned char keys_id[PLM_HASH_BYTES];
	char stage[PLM_RECORD_NAME_MAX + 1];
	uint64_t stage_seq, stage_since, started_at;
};

static void take(struct snapshot *s, const plm_review *review)
{
	memset(s, 0, sizeof(*s));
	s->has_roster = review->roster != NULL;
	if (s->has_roster)
		memcpy(s->roster_id, review->roster->id, PLM_HASH_BYTES);
	s->has_keys = review->epoch_keys != NULL;
	if (s->has_keys)
		memcpy(s->keys_id, review->epoch_keys->id, PLM_HASH_BYTES);
	memcpy(s->stage, review->stage, sizeof(s->stage));
	s->stage_seq = review->stage_seq;
	s->stage_since = review->stage_since;
	s->started_at = review->started_at;
}

static int unchanged(const struct snapshot *before, const plm_review *review)
{
	struct snapshot now;

	take(&now, review);
	return memcmp(before, &now, sizeof(now)) == 0;
}

/* Applies RECORD, which must be refused with WANT and TEXT, changing nothing. */
/* Both evaluate RECORD more than once: pass a variable, never a call. */
#define CHECK_REFUSED(review, record, want, text)                                      \
	do {                                                                           \
		struct snapshot check_s_;                                              \
		CHECK((record) != NULL);                                               \
		take(&check_s_, (review));                                             \
		CHECK_ERR(                                                             \
		    plm_review_apply((review), policy, fprs[ROOT], (record), &err),    \
		    want, text);                                                       \
		CHECK(unchanged(&check_s_, (review)));                                 \
	} while (0)

#define CHECK_APPLIED(review, record)                                                  \
	do {                                                                           \
		CHECK((record) != NULL);                                               \
		CHECK_OK(                                                              \
		    plm_review_apply((review), policy, fprs[ROOT], (record), &err));   \
	} while (0)

/* ---- records ------------------------------------------------------------ */

/*
 * Signs RECORD (consumed, may be NULL) as SIGNER and gives it back as a
 * reader gets it: decoded from the signed bytes, signature verified. NULL
 * (after printing why) on failure. Caller frees with plm_record_free.
 */
static plm_record *signed_by(plm_record *record, enum person signer)
{
	unsigned char *bytes = NULL;
	plm_record *out = NULL;
	size_t len = 0;
	plm_error e;

	if (record == NULL)
		return NULL;
	if (plm_record_encode_sign(record, ids[signer], &bytes, &len, &e) != 0 ||
	    plm_record_decode(bytes, len, &out, &e) != 0 ||
	    plm_record_verify_signer(out, &ids[signer]->pub, &e) != 0) {
		printf("# cannot sign a %s: %s\n", plm_record_type_name(record->type),
		       e.message);
		plm_record_free(out);
		out = NULL;
	}
	free(bytes);
	plm_record_free(record);
	return out;
}

struct roster_spec {
	uint64_t epoch;
	const plm_record *prev;  /* the roster this one follows (epoch > 1) */
	unsigned members;        /* BIT(p): person p is a member */
	const char *extra_state; /* the outsider joins with this State... */
	const char *extra_role;  /* ...and role, when not NULL */
	int other_policy;        /* made under a policy that is not untoc.yaml */
	uint64_t created_at;     /* 0: T_START + (epoch - 1) days */
	enum person signer;      /* 0 (ITA_FP) means the root */
};

/* A signed roster of REVIEW_ID per SPEC; NULL on failure. */
static plm_record *roster(const struct roster_spec *spec)
{
	plm_record *record = NULL;
	plm_roster *ro;
	size_t n = 0, i;
	plm_error e;

	if (plm_record_new(&record, PLM_RECORD_ROSTER, &e) != 0)
		goto fail;
	ro = &record->body.roster;
	snprintf(ro->review_id, sizeof(ro->review_id), "%s", REVIEW_ID);
	ro->epoch = spec->epoch;
	if (spec->prev != NULL)
		memcpy(ro->prev_roster, spec->prev->id, PLM_HASH_BYTES);
	if (spec->other_policy)
		memset(ro->policy_digest, 0x5a, sizeof(ro->policy_digest));
	else
		plm_policy_digest(policy, ro->policy_digest);
	snprintf(ro->sur_state, sizeof(ro->sur_state), "ITA");
	snprintf(ro->cluster, sizeof(ro->cluster), "criminalization");
	ro->n_instruments = 2;
	snprintf(ro->instruments[0].name, sizeof(ro->instruments[0].name), "untoc");
	snprintf(ro->instruments[1].name, sizeof(ro->instruments[1].name), "tip");
	for (i = 0; i < 2; i++) {
		ro->instruments[i].n_reviewing = 2;
		snprintf(ro->instruments[i].reviewing[0], PLM_RECORD_STATE_MAX + 1,
		         "FRA");
		snprintf(ro->instruments[i].reviewing[1], PLM_RECORD_STATE_MAX + 1,
		         "BRA");
	}
	ro->n_languages = 1;
	snprintf(ro->languages[0], sizeof(ro->languages[0]), "en");
	ro->created_at = spec->created_at != 0 ? spec->created_at
	                                       : T_START + (spec->epoch - 1) * DAY;
	for (i = 0; i < N_PEOPLE; i++)
		n += (spec->members & BIT(i)) != 0;
	n += spec->extra_role != NULL;
	if (plm_roster_members_alloc(ro, n, &e) != 0)
		goto fail;
	n = 0;
	for (i = 0; i < N_PEOPLE; i++) {
		if (!(spec->members & BIT(i)))
			continue;
		memcpy(ro->members[n].fingerprint, fprs[i], PLM_FPR_BYTES);
		snprintf(ro->members[n].user_id, sizeof(ro->members[n].user_id), "%s",
		         people[i].user_id);
		snprintf(ro->members[n].state, sizeof(ro->members[n].state), "%s",
		         people[i].state);
		snprintf(ro->members[n].role, sizeof(ro->members[n].role), "%s",
		         people[i].role);
		n++;
	}
	if (spec->extra_role != NULL) {
		memcpy(ro->members[n].fingerprint, fprs[DEU_FP], PLM_FPR_BYTES);
		snprintf(ro->members[n].user_id, sizeof(ro->members[n].user_id), "%s",
		         people[DEU_FP].user_id);
		snprintf(ro->members[n].state, sizeof(ro->members[n].state), "%s",
		         spec->extra_state);
		snprintf(ro->members[n].role, sizeof(ro->members[n].role), "%s",
		         spec->extra_role);
	}
	plm_roster_sort(ro);
	return signed_by(record, spec->signer != ITA_FP ? spec->signer : ROOT);
fail:
	printf("# cannot build a roster: %s\n", e.message);
	plm_record_free(record);
	return NULL;
}

/* The first roster, everyone a member, signed by the root. */
static plm_record *roster1(void)
{
	struct roster_spec spec = {.epoch = 1, .members = EVERYONE};

	return roster(&spec);
}

/* The roster after PREV with MEMBERS. */
static plm_record *roster_after(const plm_record *prev, unsigned members)
{
	struct roster_spec spec = {
	    .epoch = prev->body.roster.epoch + 1, .prev = prev, .members = members};

	return roster(&spec);
}

struct keys_spec {
	const plm_record *roster;       /* whose members the keys go to */
	uint64_t epoch;                 /* 0: the roster's */
	const unsigned char *roster_id; /* NULL: the roster's record id */
	const char *channel;            /* the channel the changes below are on */
	int add;                        /* also seal CHANNEL's key to person ADD-1 */
	int drop;                       /* leave person DROP-1 out of CHANNEL */
	const char *rename;             /* give CHANNEL under this name instead */
	int omit;                       /* leave CHANNEL out */
	enum person signer;             /* 0 (ITA_FP) means the root */
};

/*
 * Signed epoch keys per SPEC: a fresh key per policy channel, sealed to
 * every member of the roster whose (role, side) is in the channel's
 * audience (plm_policy_channel_audience), then SPEC's changes. NULL on
 * failure.
 */
static plm_record *epoch_keys(const struct keys_spec *spec)
{
	static unsigned char keys[PLM_POLICY_CHANNELS_MAX][PLM_KEY_BYTES];
	plm_pubkeys recipients[PLM_POLICY_CHANNELS_MAX][N_IDENTITIES];
	plm_channel_grant grants[PLM_POLICY_CHANNELS_MAX];
	const plm_roster *ro = &spec->roster->body.roster;
	const plm_policy_grant *audience;
	plm_record *record = NULL;
	size_t n_channels = 0, n_audience, c, g, n;
	const char *name;
	plm_error e;
	int p, mine;
	unsigned i;

	randombytes_buf(keys, sizeof(keys));
	for (c = 0; c < plm_policy_count(policy, PLM_POLICY_CHANNELS); c++) {
		name = plm_policy_nth(policy, PLM_POLICY_CHANNELS, c);
		mine = spec->channel != NULL && strcmp(spec->channel, name) == 0;
		if (mine && spec->omit)
			continue;
		if (plm_policy_channel_audience(policy, name, &audience, &n_audience,
		                                &e) != 0)
			goto fail;
		n = 0;
		for (i = 0; i < ro->n_members; i++) {
			p = person_of(ro->members[i].fingerprint);
			if (p < 0 || (mine && spec->drop == p + 1))
				continue;
			for (g = 0; g < n_audience; g++)
				if (strcmp(audience[g].role, people[p].role) == 0 &&
				    audience[g].side == people[p].side)
					break;
			if (g < n_audience)
				recipients[n_channels][n++] = ids[p]->pub;
		}
		if (mine && spec->add > 0)
			recipients[n_channels][n++] = ids[spec->add - 1]->pub;
		grants[n_channels].name =
		    mine && spec->rename != NULL ? spec->rename : name;
		grants[n_channels].key = keys[n_channels];
		grants[n_channels].recipients = recipients[n_channels];
		grants[n_channels].n_recipients = n;
		n_channels++;
	}
	if (plm_epoch_keys_build(
	        &record, REVIEW_ID, spec->epoch != 0 ? spec->epoch : ro->epoch,
	        spec->roster_id != NULL ? spec->roster_id : spec->roster->id, grants,
	        n_channels, &e) != 0)
		goto fail;
	return signed_by(record, spec->signer != ITA_FP ? spec->signer : ROOT);
fail:
	printf("# cannot build epoch keys: %s\n", e.message);
	return NULL;
}

/* The right epoch keys for ROSTER. */
static plm_record *keys_for(const plm_record *roster_record)
{
	struct keys_spec spec = {.roster = roster_record};

	return epoch_keys(&spec);
}

/* Stage transition SEQ from FROM to TO, signed by SIGNER. */
static plm_record *stage(uint64_t seq, const char *from, const char *to,
                         enum person signer)
{
	plm_record *record = NULL;
	plm_stage *s;

	if (plm_record_new(&record, PLM_RECORD_STAGE, NULL) != 0)
		return NULL;
	s = &record->body.stage;
	snprintf(s->review_id, sizeof(s->review_id), "%s", REVIEW_ID);
	s->sequence = seq;
	snprintf(s->from_stage, sizeof(s->from_stage), "%s", from);
	snprintf(s->to_stage, sizeof(s->to_stage), "%s", to);
	s->effective_at = T_START + seq * 7 * DAY;
	return signed_by(record, signer);
}

/* SIGNER's agreement, in the name of STATE, to a draft of KIND. */
static plm_record *agreement(const char *kind, const char *state, enum person signer)
{
	plm_record *record = NULL;
	plm_agreement *a;

	if (plm_record_new(&record, PLM_RECORD_AGREEMENT, NULL) != 0)
		return NULL;
	a = &record->body.agreement;
	snprintf(a->review_id, sizeof(a->review_id), "%s", REVIEW_ID);
	memset(a->document, 0xd0, sizeof(a->document));
	snprintf(a->kind, sizeof(a->kind), "%s", kind);
	snprintf(a->state, sizeof(a->state), "%s", state);
	a->created_at = T_START + 300 * DAY;
	return signed_by(record, signer);
}

/* SIGNER's disclosure of a document of review REVIEW to SCOPE. */
static plm_record *disclosure(const char *review, int scope, enum person signer)
{
	unsigned char document_key[PLM_KEY_BYTES], parties_key[PLM_KEY_BYTES];
	plm_record *record = NULL;
	plm_disclosure *d;
	int r;

	if (plm_record_new(&record, PLM_RECORD_DISCLOSURE, NULL) != 0)
		return NULL;
	d = &record->body.disclosure;
	snprintf(d->review_id, sizeof(d->review_id), "%s", review);
	memset(d->envelope_id, 0xe1, sizeof(d->envelope_id));
	d->scope = (uint8_t)scope;
	d->parties_epoch = scope == PLM_DISCLOSE_PARTIES ? 1 : 0;
	d->created_at = T_START + 200 * DAY;
	randombytes_buf(document_key, sizeof(document_key));
	randombytes_buf(parties_key, sizeof(parties_key));
	r = plm_disclosure_set_key(d, document_key, parties_key, NULL);
	sodium_memzero(document_key, sizeof(document_key));
	sodium_memzero(parties_key, sizeof(parties_key));
	if (r != 0) {
		plm_record_free(record);
		return NULL;
	}
	return signed_by(record, signer);
}

/* An envelope header as plm_review_check_envelope reads it. */
static void header(plm_envelope_header *h, const char *review, const char *channel,
                   uint64_t epoch, const char *kind, enum person author)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->review_id, sizeof(h->review_id), "%s", review);
	snprintf(h->channel, sizeof(h->channel), "%s", channel);
	h->epoch = epoch;
	snprintf(h->kind, sizeof(h->kind), "%s", kind);
	memcpy(h->author, fprs[author], PLM_FPR_BYTES);
	h->created_at = T_START + 100 * DAY;
}

/* plm_review_check_envelope on a header made by header(). */
static int envelope(const plm_review *review, const char *channel, uint64_t epoch,
                    const char *kind, enum person author)
{
	static plm_envelope_header h;

	header(&h, REVIEW_ID, channel, epoch, kind, author);
	return plm_review_check_envelope(review, policy, &h, &err);
}

/*
 * A review with roster 1 (everyone) and its epoch keys applied; *FIRST gets
 * the roster (caller frees). NULL on failure.
 */
static plm_review *started(plm_record **first)
{
	plm_review *review = NULL;
	plm_record *keys = NULL;

	*first = NULL;
	if (fixtures() != 0 || plm_review_new(&review, policy, &err) != 0)
		goto fail;
	if ((*first = roster1()) == NULL || (keys = keys_for(*first)) == NULL)
		goto fail;
	if (plm_review_apply(review, policy, fprs[ROOT], *first, &err) != 0 ||
	    plm_review_apply(review, policy, fprs[ROOT], keys, &err) != 0) {
		printf("# cannot start the review: %s\n", err.message);
		goto fail;
	}
	plm_record_free(keys);
	return review;
fail:
	plm_record_free(keys);
	plm_record_free(*first);
	*first = NULL;
	plm_review_free(review);
	return NULL;
}

/* Moves REVIEW on to TARGET, one transition at a time, as the secretariat. */
static int advance_to(plm_review *review, const char *target)
{
	const char *next;
	plm_record *record;
	int r;

	while (strcmp(review->stage, target) != 0) {
		if ((r = plm_policy_next_stage(policy, review->stage, &next, &err)) !=
		    0)
			return r;
		record = stage(review->stage_seq + 1, review->stage, next, UNODC);
		if (record == NULL)
			return PLM_ERR_INVALID;
		r = plm_review_apply(review, policy, fprs[ROOT], record, &err);
		plm_record_free(record);
		if (r != 0)
			return r;
	}
	return 0;
}

/* ---- a new review ------------------------------------------------------- */

static void new_review_waits_for_roster(void)
{
	plm_review *review = NULL;
	const plm_roster_member *m = (const plm_roster_member *)1;
	enum plm_policy_side side;
	plm_record *keys = NULL, *first = NULL, *s = NULL;
	struct keys_spec spec;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK(review->roster == NULL && review->epoch_keys == NULL);
	CHECK_STR(review->stage, "nomination");
	CHECK_INT(review->stage_seq, 0);
	CHECK_ERR(plm_review_member(review, fprs[ITA_FP], &m, &side, &err),
	          PLM_ERR_NOTFOUND, "not a member of this review");
	CHECK(m == NULL);
	CHECK_ERR(envelope(review, "review", 1, "message", ITA_FP), PLM_ERR_NOTFOUND,
	          "has no roster");

	/* Nothing but a roster may come first. */
	CHECK((first = roster1()) != NULL);
	memset(&spec, 0, sizeof(spec));
	spec.roster = first;
	keys = epoch_keys(&spec);
	CHECK_REFUSED(review, keys, PLM_ERR_MISMATCH, "no roster yet");
	s = stage(1, "nomination", "consultation", UNODC);
	CHECK_REFUSED(review, s, PLM_ERR_MISMATCH, "no roster yet");

	plm_record_free(keys);
	plm_record_free(s);
	plm_record_free(first);
	plm_review_free(review);
	plm_review_free(NULL);
}

/* ---- rosters ------------------------------------------------------------ */

static void first_roster_epoch_1_by_root(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL;
	const plm_roster_member *m;
	enum plm_policy_side side;
	int p;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK((first = roster1()) != NULL);
	CHECK_APPLIED(review, first);
	CHECK(review->roster != NULL && review->roster != first);
	CHECK_MEM(review->roster->id, first->id, PLM_HASH_BYTES);
	CHECK(review->epoch_keys == NULL);
	CHECK_STR(review->stage, "nomination");
	CHECK_INT(review->started_at, T_START);
	CHECK_INT(review->stage_since, T_START);
	for (p = 0; p < N_PEOPLE; p++) {
		CHECK_OK(plm_review_member(review, fprs[p], &m, &side, &err));
		CHECK_STR(m->user_id, people[p].user_id);
		CHECK_INT(side, people[p].side);
	}
	CHECK_ERR(plm_review_member(review, fprs[DEU_FP], &m, &side, &err),
	          PLM_ERR_NOTFOUND, "not a member of this review");
	CHECK_ERR(plm_review_member(review, fprs[ROOT], &m, &side, &err),
	          PLM_ERR_NOTFOUND, "not a member of this review");
	plm_record_free(first);
	plm_review_free(review);
}

static void first_roster_not_epoch_1(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *second = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK((first = roster1()) != NULL);
	second = roster_after(first, EVERYONE);
	/* Epoch 2 arriving first: the history before it is missing. */
	CHECK_REFUSED(review, second, PLM_ERR_MISMATCH, "must have epoch 1, not 2");
	CHECK(review->roster == NULL);
	CHECK_APPLIED(review, first);
	CHECK_APPLIED(review, second);
	plm_record_free(first);
	plm_record_free(second);
	plm_review_free(review);
}

static void roster_signed_by_another_key(void)
{
	struct roster_spec spec = {.epoch = 1, .members = EVERYONE, .signer = UNODC};
	plm_review *review = NULL;
	plm_record *forged = NULL, *first = NULL, *next = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	/* Even the secretariat officer, a member, cannot sign a roster. */
	forged = roster(&spec);
	CHECK_REFUSED(review, forged, PLM_ERR_POLICY,
	              "a roster must be signed by the deployment root");
	CHECK(review->roster == NULL);

	CHECK((first = roster1()) != NULL);
	CHECK_APPLIED(review, first);
	spec.epoch = 2;
	spec.prev = first;
	spec.signer = UNODC;
	next = roster(&spec);
	CHECK_REFUSED(review, next, PLM_ERR_POLICY,
	              "a roster must be signed by the deployment root");
	CHECK_MEM(review->roster->id, first->id, PLM_HASH_BYTES);
	plm_record_free(forged);
	plm_record_free(first);
	plm_record_free(next);
	plm_review_free(review);
}

static void rosters_chain(void)
{
	plm_review *review = NULL;
	plm_record *r1 = NULL, *r2 = NULL, *r3 = NULL, *skip = NULL, *wild = NULL;
	struct roster_spec spec = {.epoch = 3, .members = EVERYONE};

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK((r1 = roster1()) != NULL);
	CHECK((r2 = roster_after(r1, EVERYONE & ~BIT(FRA_EX))) != NULL);
	CHECK((r3 = roster_after(r2, EVERYONE)) != NULL);
	CHECK_APPLIED(review, r1);

	/* Epoch 3 chained to epoch 1: epoch 2 skipped. */
	spec.prev = r1;
	skip = roster(&spec);
	CHECK_REFUSED(review, skip, PLM_ERR_MISMATCH, "epochs go up by exactly one");
	/* Epoch 2 chained to a roster nobody has seen. */
	spec.epoch = 2;
	spec.prev = r3;
	wild = roster(&spec);
	CHECK_REFUSED(review, wild, PLM_ERR_MISMATCH, "the history has forked");

	CHECK_APPLIED(review, r2);
	CHECK_INT(review->roster->body.roster.epoch, 2);
	CHECK_INT(review->roster->body.roster.n_members, N_PEOPLE - 1);
	CHECK_INT(review->started_at, T_START); /* set by epoch 1 only */
	CHECK_APPLIED(review, r3);
	CHECK_MEM(review->roster->id, r3->id, PLM_HASH_BYTES);

	/* Replays of older rosters, and of the newest. */
	CHECK_REFUSED(review, r1, PLM_ERR_MISMATCH, "epochs go up by exactly one");
	CHECK_REFUSED(review, r2, PLM_ERR_MISMATCH, "epochs go up by exactly one");
	CHECK_REFUSED(review, r3, PLM_ERR_MISMATCH, "epochs go up by exactly one");
	plm_record_free(r1);
	plm_record_free(r2);
	plm_record_free(r3);
	plm_record_free(skip);
	plm_record_free(wild);
	plm_review_free(review);
}

static void roster_fork_refused(void)
{
	plm_review *review = NULL;
	plm_record *r1 = NULL, *a = NULL, *b = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK((r1 = roster1()) != NULL);
	/* Two different epoch-2 rosters, both chained to epoch 1. */
	CHECK((a = roster_after(r1, EVERYONE & ~BIT(FRA_EX))) != NULL);
	CHECK((b = roster_after(r1, EVERYONE & ~BIT(BRA_EX))) != NULL);
	CHECK(memcmp(a->id, b->id, PLM_HASH_BYTES) != 0);
	CHECK_APPLIED(review, r1);
	CHECK_APPLIED(review, a);
	CHECK_REFUSED(review, b, PLM_ERR_MISMATCH, "cannot follow epoch 2");
	CHECK_MEM(review->roster->id, a->id, PLM_HASH_BYTES);
	plm_record_free(r1);
	plm_record_free(a);
	plm_record_free(b);
	plm_review_free(review);
}

static void roster_under_another_policy(void)
{
	struct roster_spec spec = {.epoch = 1, .members = EVERYONE, .other_policy = 1};
	plm_review *review = NULL;
	plm_record *other = NULL, *first = NULL, *next = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	other = roster(&spec);
	CHECK_REFUSED(review, other, PLM_ERR_POLICY,
	              "was made under another policy than the one in force here");
	CHECK((first = roster1()) != NULL);
	CHECK_APPLIED(review, first);
	spec.epoch = 2;
	spec.prev = first;
	next = roster(&spec);
	CHECK_REFUSED(review, next, PLM_ERR_POLICY,
	              "roster epoch 2 of review " REVIEW_ID " was made under another");
	plm_record_free(other);
	plm_record_free(first);
	plm_record_free(next);
	plm_review_free(review);
}

static void roster_member_unknown_role(void)
{
	struct roster_spec spec = {.epoch = 1,
	                           .members = EVERYONE,
	                           .extra_state = "FRA",
	                           .extra_role = "minister"};
	plm_review *review = NULL;
	plm_record *bad = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	bad = roster(&spec);
	CHECK_REFUSED(review, bad, PLM_ERR_POLICY,
	              "member de.focal has the role 'minister', which the policy "
	              "does not define");
	CHECK(strstr(err.message, "(policy: roles)") != NULL);
	CHECK(review->roster == NULL);
	plm_record_free(bad);
	plm_review_free(review);
}

static void roster_member_of_another_state(void)
{
	struct roster_spec spec = {.epoch = 1,
	                           .members = EVERYONE,
	                           .extra_state = "DEU",
	                           .extra_role = "focal_point"};
	plm_review *review = NULL;
	plm_record *bad = NULL, *bad_unodc = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	/* Germany neither is under review nor reviews untoc or tip here. */
	bad = roster(&spec);
	CHECK_REFUSED(review, bad, PLM_ERR_POLICY,
	              "member de.focal of DEU is neither of the State under review, "
	              "nor of a reviewing State, nor of the secretariat");
	/* UNODC is the secretariat only for the role secretariat. */
	spec.extra_state = "UNODC";
	spec.extra_role = "expert";
	bad_unodc = roster(&spec);
	CHECK_REFUSED(review, bad_unodc, PLM_ERR_POLICY, "member de.focal of UNODC");
	CHECK(review->roster == NULL);
	plm_record_free(bad);
	plm_record_free(bad_unodc);
	plm_review_free(review);
}

static void side_of_each_member(void)
{
	plm_record *first = NULL;
	plm_roster_member stranger;
	plm_roster tip_only;
	enum plm_policy_side side;
	const plm_roster *ro;
	unsigned i;
	int p;

	CHECK(fixtures() == 0);
	CHECK((first = roster1()) != NULL);
	ro = &first->body.roster;
	CHECK_INT(ro->n_members, N_PEOPLE);
	for (i = 0; i < ro->n_members; i++) {
		p = person_of(ro->members[i].fingerprint);
		CHECK(p >= 0 && p < N_PEOPLE);
		side = (enum plm_policy_side)0;
		CHECK_OK(plm_review_side(ro, &ro->members[i], &side, &err));
		CHECK_INT(side, people[p].side);
	}

	/* A State found only under the second instrument is a reviewer too:
	 * tip (first in canonical order) reviewed by FRA, untoc by BRA and FRA. */
	tip_only = *ro;
	CHECK_STR(tip_only.instruments[0].name, "tip");
	CHECK_STR(tip_only.instruments[1].name, "untoc");
	tip_only.instruments[0].n_reviewing = 1;
	snprintf(tip_only.instruments[0].reviewing[0], PLM_RECORD_STATE_MAX + 1, "FRA");
	memset(&stranger, 0, sizeof(stranger));
	snprintf(stranger.user_id, sizeof(stranger.user_id), "br.expert");
	snprintf(stranger.state, sizeof(stranger.state), "BRA");
	snprintf(stranger.role, sizeof(stranger.role), "expert");
	CHECK_OK(plm_review_side(&tip_only, &stranger, &side, &err));
	CHECK_INT(side, PLM_SIDE_REVIEWER);

	/* Any State outside the review, whatever the role but secretariat. */
	snprintf(stranger.user_id, sizeof(stranger.user_id), "de.focal");
	snprintf(stranger.state, sizeof(stranger.state), "DEU");
	snprintf(stranger.role, sizeof(stranger.role), "focal_point");
	CHECK_ERR(plm_review_side(ro, &stranger, &side, &err), PLM_ERR_POLICY,
	          "member de.focal of DEU is neither of the State under review");
	snprintf(stranger.state, sizeof(stranger.state), "UNODC");
	snprintf(stranger.role, sizeof(stranger.role), "observer");
	CHECK_ERR(plm_review_side(ro, &stranger, &side, &err), PLM_ERR_POLICY,
	          "member de.focal of UNODC is neither");
	plm_record_free(first);
}

/* ---- epoch keys ----------------------------------------------------------- */

static void epoch_keys_exact_audience(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *keys = NULL;
	unsigned char *key = NULL;
	size_t c;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK((first = roster1()) != NULL);
	CHECK((keys = keys_for(first)) != NULL);
	CHECK_APPLIED(review, first);
	CHECK_APPLIED(review, keys);
	CHECK(review->epoch_keys != NULL);
	CHECK_MEM(review->epoch_keys->id, keys->id, PLM_HASH_BYTES);

	/* What the fixture sealed is what REVIEW-MECHANISM.md says. */
	CHECK_INT(keys->body.epoch_keys.n_channels, 2);
	for (c = 0; c < 2; c++) {
		const plm_epoch_channel *ch = &keys->body.epoch_keys.channels[c];
		if (strcmp(ch->name, "review") == 0)
			CHECK_INT(ch->n_recipients, 8); /* everyone */
		else
			CHECK_INT(ch->n_recipients, 5); /* FRA, BRA, UNODC */
	}
	CHECK_OK(plm_epoch_keys_open(review->epoch_keys, "review", ids[ITA_OBS], &key,
	                             &err));
	plm_secret_free(key);
	key = NULL;
	CHECK_ERR(plm_epoch_keys_open(review->epoch_keys, "reviewers", ids[ITA_OBS],
	                              &key, &err),
	          PLM_ERR_NOTFOUND, "");
	plm_record_free(first);
	plm_record_free(keys);
	plm_review_free(review);
}

/* Applies epoch keys per SPEC to a review that has roster 1 only. */
static void refuse_keys(struct keys_spec *spec, int code, const char *text)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *keys = NULL;

	CHECK(fixtures() == 0);
	CHECK_OK(plm_review_new(&review, policy, &err));
	CHECK((first = roster1()) != NULL);
	CHECK_APPLIED(review, first);
	spec->roster = first;
	keys = epoch_keys(spec);
	CHECK_REFUSED(review, keys, code, text);
	CHECK(review->epoch_keys == NULL);
	plm_record_free(first);
	plm_record_free(keys);
	plm_review_free(review);
}

static void epoch_keys_sealed_to_non_member(void)
{
	struct keys_spec spec = {.channel = "review", .add = DEU_FP + 1};

	refuse_keys(&spec, PLM_ERR_POLICY,
	            "the review key of epoch 1 is sealed to someone who is not on "
	            "the roster");
	if (check_failed())
		return;
	spec.channel = "reviewers";
	spec.add = ROOT + 1;
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "is sealed to someone who is not on the roster");
}

static void epoch_keys_reader_missing(void)
{
	struct keys_spec spec = {.channel = "review", .drop = ITA_OBS + 1};

	/* The observer of Italy reads the review. */
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "the review key of epoch 1 is not sealed to it.observer, who may "
	            "read that channel (policy: channels.review.audience");
	if (check_failed())
		return;
	/* The secretariat is kept abreast of everything. */
	spec.channel = "reviewers";
	spec.drop = UNODC + 1;
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "the reviewers key of epoch 1 is not sealed to unodc.officer");
	if (check_failed())
		return;
	spec.drop = BRA_EX + 1;
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "the reviewers key of epoch 1 is not sealed to br.expert");
}

static void epoch_keys_reviewers_channel_not_for_sur(void)
{
	struct keys_spec spec = {.channel = "reviewers", .add = ITA_OBS + 1};

	refuse_keys(&spec, PLM_ERR_POLICY,
	            "the reviewers key of epoch 1 is sealed to it.observer, whose role "
	            "may not read that channel (policy: channels.reviewers.audience");
	if (check_failed())
		return;
	spec.add = ITA_FP + 1;
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "the reviewers key of epoch 1 is sealed to it.focal, whose role "
	            "may not read that channel (policy: channels.reviewers.audience");
	if (check_failed())
		return;
	spec.add = ITA_EX + 1;
	refuse_keys(&spec, PLM_ERR_POLICY, "is sealed to it.expert, whose role");
}

static void epoch_keys_channels_are_the_policys(void)
{
	struct keys_spec spec = {.channel = "reviewers", .omit = 1};

	refuse_keys(&spec, PLM_ERR_POLICY,
	            "epoch keys must give a key for each of the policy's 2 channels, "
	            "not 1 (policy: channels)");
	if (check_failed())
		return;
	/* Two channels, but one the policy does not define instead of reviewers. */
	spec.omit = 0;
	spec.rename = "backchannel";
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "epoch keys give a key for the channel 'backchannel', which the "
	            "policy does not define (policy: channels)");
}

static void epoch_keys_wrong_epoch_or_roster(void)
{
	unsigned char other_id[PLM_HASH_BYTES];
	struct keys_spec spec = {.epoch = 2};

	refuse_keys(
	    &spec, PLM_ERR_MISMATCH,
	    "epoch keys for epoch 2 do not belong to the newest roster (epoch 1)");
	if (check_failed())
		return;
	memset(other_id, 0x77, sizeof(other_id));
	memset(&spec, 0, sizeof(spec));
	spec.roster_id = other_id;
	refuse_keys(&spec, PLM_ERR_MISMATCH,
	            "epoch keys for epoch 1 do not belong to the newest roster");
	if (check_failed())
		return;
	memset(&spec, 0, sizeof(spec));
	spec.signer = UNODC;
	refuse_keys(&spec, PLM_ERR_POLICY,
	            "must be signed by the deployment root, and this one is signed "
	            "by another key");
}

static void epoch_keys_once_per_epoch(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *again = NULL;

	CHECK((review = started(&first)) != NULL);
	CHECK(review->epoch_keys != NULL);
	/* A second, different set of keys for epoch 1. */
	CHECK((again = keys_for(first)) != NULL);
	CHECK(memcmp(again->id, review->epoch_keys->id, PLM_HASH_BYTES) != 0);
	CHECK_REFUSED(review, again, PLM_ERR_MISMATCH,
	              "epoch 1 of review " REVIEW_ID " already has its keys");
	plm_record_free(first);
	plm_record_free(again);
	plm_review_free(review);
}

static void new_roster_forgets_old_keys(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *second = NULL, *old_keys = NULL, *keys2 = NULL,
	           *bad = NULL;
	struct roster_spec spec = {.epoch = 2, .members = EVERYONE, .other_policy = 1};

	CHECK((review = started(&first)) != NULL);
	CHECK((old_keys = keys_for(first)) != NULL);
	/* A refused roster keeps the current keys. */
	spec.prev = first;
	bad = roster(&spec);
	CHECK_REFUSED(review, bad, PLM_ERR_POLICY, "another policy");
	CHECK(review->epoch_keys != NULL);

	CHECK((second = roster_after(first, EVERYONE & ~BIT(BRA_EX))) != NULL);
	CHECK_APPLIED(review, second);
	CHECK(review->epoch_keys == NULL);
	/* Epoch 1's keys no longer fit; epoch 2's are needed. */
	CHECK_REFUSED(
	    review, old_keys, PLM_ERR_MISMATCH,
	    "epoch keys for epoch 1 do not belong to the newest roster (epoch 2)");
	CHECK((keys2 = keys_for(second)) != NULL);
	CHECK_APPLIED(review, keys2);
	CHECK_MEM(review->epoch_keys->id, keys2->id, PLM_HASH_BYTES);
	plm_record_free(first);
	plm_record_free(second);
	plm_record_free(old_keys);
	plm_record_free(keys2);
	plm_record_free(bad);
	plm_review_free(review);
}

/* ---- history grants ----------------------------------------------------- */

/* A grant under ROSTER_REC to TO of CHANNEL's key of epoch 1, signed by SIGNER. */
static plm_record *grant(const plm_record *roster_rec, enum person to, const char *channel,
                         enum person signer)
{
	static const unsigned char key[PLM_KEY_BYTES] = {0x4b};
	const unsigned char *keys[1] = {key};
	const char *channels[1] = {channel};
	uint64_t epochs[1] = {1};
	plm_record *record = NULL;

	if (plm_history_grant_build(&record, roster_rec, &ids[to]->pub, epochs, channels,
	                            keys, 1, T_START, &err) != 0) {
		printf("# cannot build a history grant: %s\n", err.message);
		return NULL;
	}
	return signed_by(record, signer);
}

/* PROTOCOL.md §5.11: who may sign a grant, to whom, of which channels. */
static void history_grants(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *second = NULL, *keys2 = NULL, *third = NULL;
	plm_record *g[6] = {NULL};
	size_t i;

	CHECK((review = started(&first)) != NULL);
	CHECK((second = roster_after(first, EVERYONE & ~BIT(ITA_EX))) != NULL);
	CHECK_APPLIED(review, second);
	keys2 = keys_for(second);
	CHECK_APPLIED(review, keys2);
	/* The French expert receives both channels of epoch 1. */
	g[0] = grant(second, FRA_EX, "reviewers", ROOT);
	CHECK_APPLIED(review, g[0]);
	g[1] = grant(second, FRA_EX, "review", ROOT);
	CHECK_APPLIED(review, g[1]);
	/* Only the root grants. */
	g[2] = grant(second, FRA_EX, "review", UNODC);
	CHECK_REFUSED(review, g[2],
	              PLM_ERR_POLICY, "must be signed by the deployment root");
	/* Only to a member of the newest roster. */
	g[3] = grant(second, ITA_EX, "review", ROOT);
	CHECK_REFUSED(review, g[3],
	              PLM_ERR_POLICY, "not on its roster");
	/* Only channels the grantee's role and side may read. */
	g[4] = grant(second, ITA_FP, "reviewers", ROOT);
	CHECK_REFUSED(review, g[4],
	              PLM_ERR_POLICY, "their role may not read that channel");
	/* A grant issued under an older roster is stale. */
	CHECK((third = roster_after(second, EVERYONE)) != NULL);
	CHECK_APPLIED(review, third);
	g[5] = grant(second, FRA_EX, "review", ROOT);
	CHECK_REFUSED(review, g[5],
	              PLM_ERR_MISMATCH, "does not belong to the newest roster");
	plm_record_free(first);
	plm_record_free(second);
	plm_record_free(third);
	plm_record_free(keys2);
	for (i = 0; i < 6; i++)
		plm_record_free(g[i]);
	plm_review_free(review);
}

/* ---- stages ------------------------------------------------------------- */

static void secretariat_advances(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *s1 = NULL;

	CHECK((review = started(&first)) != NULL);
	CHECK((s1 = stage(1, "nomination", "consultation", UNODC)) != NULL);
	CHECK_APPLIED(review, s1);
	CHECK_STR(review->stage, "consultation");
	CHECK_INT(review->stage_seq, 1);
	CHECK_INT(review->stage_since, T_START + 7 * DAY);
	CHECK_INT(review->started_at, T_START);
	/* The same transition again: already done. */
	CHECK_REFUSED(review, s1, PLM_ERR_MISMATCH,
	              "stage transition 1 from nomination does not follow the review's "
	              "state (transition 2, stage consultation)");
	/* On to the end, and no further. */
	CHECK_OK(advance_to(review, "concluded"));
	CHECK_INT(review->stage_seq, 7);
	plm_record_free(s1);
	s1 = stage(8, "concluded", "nomination", UNODC);
	CHECK_REFUSED(review, s1, PLM_ERR_POLICY,
	              "'concluded' is the last stage: the review does not move on "
	              "(policy: stages)");
	plm_record_free(first);
	plm_record_free(s1);
	plm_review_free(review);
}

static void stage_out_of_sequence(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *seq2 = NULL, *from = NULL, *seq0 = NULL;

	CHECK((review = started(&first)) != NULL);
	/* The second transition before the first. */
	seq2 = stage(2, "nomination", "consultation", UNODC);
	CHECK_REFUSED(review, seq2, PLM_ERR_MISMATCH,
	              "stage transition 2 from nomination does not follow");
	/* The right number, from a stage the review is not in. */
	from = stage(1, "consultation", "self_assessment", UNODC);
	CHECK_REFUSED(review, from, PLM_ERR_MISMATCH,
	              "stage transition 1 from consultation does not follow the "
	              "review's state (transition 1, stage nomination)");
	CHECK_OK(advance_to(review, "feedback"));
	CHECK_INT(review->stage_seq, 3);
	/* A transition with an older number from the current stage. */
	seq0 = stage(3, "feedback", "dialogue", UNODC);
	CHECK_REFUSED(review, seq0, PLM_ERR_MISMATCH, "(transition 4, stage feedback)");
	plm_record_free(first);
	plm_record_free(seq2);
	plm_record_free(from);
	plm_record_free(seq0);
	plm_review_free(review);
}

static void stage_by_who_may_not(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *by[4] = {NULL, NULL, NULL, NULL}, *fp = NULL;
	static const enum person refused[4] = {ITA_EX, FRA_FP, ITA_FP, ITA_OBS};
	size_t i;

	CHECK((review = started(&first)) != NULL);
	/* Only the secretariat moves the review on from nomination. */
	for (i = 0; i < 4; i++) {
		by[i] = stage(1, "nomination", "consultation", refused[i]);
		CHECK_REFUSED(
		    review, by[i], PLM_ERR_POLICY,
		    "only secretariat officers of the secretariat may move the "
		    "review on from the stage 'nomination' "
		    "(policy: stages.nomination.advanced_by)");
		plm_record_free(by[i]);
		by[i] = NULL;
	}
	/* Nor does anyone outside the review, not even the root. */
	by[0] = stage(1, "nomination", "consultation", ROOT);
	CHECK_REFUSED(
	    review, by[0], PLM_ERR_POLICY,
	    "this stage is signed by someone who is not a member of the review");
	by[1] = stage(1, "nomination", "consultation", DEU_FP);
	CHECK_REFUSED(review, by[1], PLM_ERR_POLICY, "not a member of the review");

	/* In self-assessment the SUR's focal point submits, and that moves it on;
	 * a reviewing State's focal point and the SUR's expert may not. */
	CHECK_OK(advance_to(review, "self_assessment"));
	by[2] = stage(3, "self_assessment", "feedback", FRA_FP);
	CHECK_REFUSED(review, by[2], PLM_ERR_POLICY,
	              "(policy: stages.self_assessment.advanced_by; para 34)");
	by[3] = stage(3, "self_assessment", "feedback", ITA_EX);
	CHECK_REFUSED(
	    review, by[3], PLM_ERR_POLICY,
	    "or focal points of the State under review by the final submission");
	CHECK((fp = stage(3, "self_assessment", "feedback", ITA_FP)) != NULL);
	CHECK_APPLIED(review, fp);
	CHECK_STR(review->stage, "feedback");
	plm_record_free(first);
	for (i = 0; i < 4; i++)
		plm_record_free(by[i]);
	plm_record_free(fp);
	plm_review_free(review);
}

static void stage_skipped(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *skip = NULL, *back = NULL, *bogus = NULL;

	CHECK((review = started(&first)) != NULL);
	skip = stage(1, "nomination", "self_assessment", UNODC);
	CHECK_REFUSED(review, skip, PLM_ERR_POLICY,
	              "the review moves from the stage 'nomination' only to the next "
	              "one, 'consultation', not to 'self_assessment' (policy: stages)");
	CHECK_OK(advance_to(review, "dialogue"));
	back = stage(5, "dialogue", "feedback", UNODC);
	CHECK_REFUSED(review, back, PLM_ERR_POLICY,
	              "only to the next one, 'observations', not to 'feedback'");
	bogus = stage(5, "dialogue", "appeal", UNODC);
	CHECK_REFUSED(review, bogus, PLM_ERR_POLICY, "appeal");
	plm_record_free(first);
	plm_record_free(skip);
	plm_record_free(back);
	plm_record_free(bogus);
	plm_review_free(review);
}

/* ---- agreements --------------------------------------------------------- */

static void agreements(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *a[12];
	size_t i;

	memset(a, 0, sizeof(a));
	CHECK((review = started(&first)) != NULL);
	CHECK_OK(advance_to(review, "dialogue"));
	/* Too early: the list of observations is agreed in its own stage. */
	a[0] = agreement("observations_draft", "ITA", ITA_FP);
	CHECK_REFUSED(review, a[0], PLM_ERR_POLICY,
	              "documents of kind 'observations_draft' may not be agreed to in "
	              "the stage 'dialogue', only in: observations "
	              "(policy: kinds.observations_draft.stages; para 39)");

	CHECK_OK(advance_to(review, "observations"));
	/* Each State's focal point agrees for that State (para 39). */
	CHECK_APPLIED(review, a[0]);
	a[1] = agreement("observations_draft", "FRA", FRA_FP);
	CHECK_APPLIED(review, a[1]);
	a[2] = agreement("observations_draft", "BRA", BRA_FP);
	CHECK_APPLIED(review, a[2]);

	/* Not in the name of another State. */
	a[3] = agreement("observations_draft", "FRA", ITA_FP);
	CHECK_REFUSED(review, a[3], PLM_ERR_POLICY,
	              "it.focal of ITA may agree only in the name of ITA, not FRA");
	a[4] = agreement("observations_draft", "ITA", BRA_FP);
	CHECK_REFUSED(review, a[4], PLM_ERR_POLICY,
	              "br.focal of BRA may agree only in the name of BRA, not ITA");
	/* Experts, observers and the secretariat do not agree. */
	a[5] = agreement("observations_draft", "FRA", FRA_EX);
	CHECK_REFUSED(review, a[5], PLM_ERR_POLICY,
	              "documents of kind 'observations_draft' are agreed to by focal "
	              "points of the State under review; focal points of a reviewing "
	              "State, not by governmental experts of a reviewing State "
	              "(policy: kinds.observations_draft.agreed_by; para 39)");
	a[6] = agreement("observations_draft", "ITA", ITA_EX);
	CHECK_REFUSED(review, a[6], PLM_ERR_POLICY,
	              "not by governmental experts of the State under review");
	a[7] = agreement("observations_draft", "ITA", ITA_OBS);
	CHECK_REFUSED(review, a[7], PLM_ERR_POLICY,
	              "not by observers of the State under review "
	              "(policy: kinds.observations_draft.agreed_by");
	a[8] = agreement("observations_draft", "UNODC", UNODC);
	CHECK_REFUSED(review, a[8], PLM_ERR_POLICY,
	              "not by secretariat officers of the secretariat");
	/* A kind that is not agreed to, and someone outside the review. */
	a[9] = agreement("feedback", "FRA", FRA_FP);
	CHECK_REFUSED(review, a[9], PLM_ERR_POLICY,
	              "documents of kind 'feedback' are not agreed to "
	              "(policy: kinds.feedback.agreed_by; para 35)");
	a[10] = agreement("observations_draft", "DEU", DEU_FP);
	CHECK_REFUSED(review, a[10], PLM_ERR_POLICY,
	              "this agreement is signed by someone who is not a member");
	/* The summary in its stage. */
	CHECK_OK(advance_to(review, "summary"));
	a[11] = agreement("summary_draft", "ITA", ITA_FP);
	CHECK_APPLIED(review, a[11]);
	CHECK_REFUSED(review, a[0], PLM_ERR_POLICY,
	              "may not be agreed to in the stage 'summary'");
	plm_record_free(first);
	for (i = 0; i < 12; i++)
		plm_record_free(a[i]);
	plm_review_free(review);
}

/* A draft of KIND with id bytes ID_BYTE at log index SEQ. */
static plm_draft draft(const char *kind, unsigned char id_byte, uint64_t seq)
{
	plm_draft d;

	memset(&d, 0, sizeof(d));
	memset(d.id, id_byte, sizeof(d.id));
	snprintf(d.review, sizeof(d.review), "%s", REVIEW_ID);
	snprintf(d.kind, sizeof(d.kind), "%s", kind);
	snprintf(d.channel, sizeof(d.channel), "review");
	d.seq = seq;
	return d;
}

/*
 * policies/agreement.c: the document an agreement names (PROTOCOL.md §5.7):
 * there, of its kind, the current draft; and finality: every party once.
 */
static void agreement_drafts(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *a[4];
	plm_draft doc = draft("observations_draft", 0xd0, 40),
	          newer = draft("observations_draft", 0xd1, 42),
	          other = draft("message", 0xd0, 40);
	plm_agreement_tally tally;
	size_t i;

	memset(a, 0, sizeof(a));
	CHECK((review = started(&first)) != NULL);
	CHECK_OK(advance_to(review, "observations"));
	CHECK((a[0] = agreement("observations_draft", "ITA", ITA_FP)) != NULL);
	/* The document must be there, in this review, of the kind named. */
	CHECK_ERR(plm_agreement_check(review, policy, fprs[ROOT], a[0], NULL, NULL, &err),
	          PLM_ERR_NOTFOUND, "the draft this agreement names (d0d0d0d0d0d0) is "
	                            "not a document of review");
	snprintf(other.review, sizeof(other.review), "another-review");
	CHECK_ERR(plm_agreement_check(review, policy, fprs[ROOT], a[0], &other, NULL, &err),
	          PLM_ERR_NOTFOUND, "is not a document of review");
	other = draft("message", 0xd0, 40);
	CHECK_ERR(plm_agreement_check(review, policy, fprs[ROOT], a[0], &other, &other, &err),
	          PLM_ERR_MISMATCH, "the agreement names a observations_draft, but "
	                            "document d0d0d0d0d0d0 is a message");
	/* The current draft is agreed to; once a newer one is in the log, not. */
	CHECK_OK(plm_agreement_check(review, policy, fprs[ROOT], a[0], &doc, &doc, &err));
	CHECK_ERR(plm_agreement_check(review, policy, fprs[ROOT], a[0], &doc, &newer, &err),
	          PLM_ERR_POLICY, "draft d0d0d0d0d0d0 is stale: a newer observations_draft "
	                          "(d1d1d1d1d1d1) on the channel review superseded it");
	/* Drafts are current per channel: a newer one elsewhere changes nothing. */
	snprintf(newer.channel, sizeof(newer.channel), "reviewers");
	CHECK_OK(plm_agreement_check(review, policy, fprs[ROOT], a[0], &doc, &newer, &err));
	snprintf(newer.channel, sizeof(newer.channel), "review");
	CHECK_INT(plm_agreement_channel(policy, "observations_draft", "review"), 1);
	CHECK_INT(plm_agreement_channel(policy, "observations_draft", "reviewers"), 0);
	CHECK_INT(plm_agreement_channel(policy, "message", "review"), 0);
	/* Nobody agrees to what they cannot read. */
	snprintf(doc.channel, sizeof(doc.channel), "reviewers");
	CHECK_ERR(plm_agreement_check(review, policy, fprs[ROOT], a[0], &doc, &doc, &err),
	          PLM_ERR_POLICY, "it.focal cannot read draft d0d0d0d0d0d0 (channel "
	                          "reviewers), so they cannot agree to it");
	snprintf(doc.channel, sizeof(doc.channel), "review");
	/* The policy's rule comes before staleness: an expert hears about roles. */
	CHECK((a[1] = agreement("observations_draft", "ITA", ITA_EX)) != NULL);
	CHECK_ERR(plm_agreement_check(review, policy, fprs[ROOT], a[1], &doc, &newer, &err),
	          PLM_ERR_POLICY, "not by governmental experts of the State under review");

	/* Finality: ITA, then BRA and FRA once each (both review two instruments). */
	CHECK_OK(plm_agreement_tally_init(&tally, policy, &review->roster->body.roster,
	                                  "observations_draft", doc.id, &err));
	CHECK_INT(tally.n_parties, 3);
	CHECK_STR(tally.parties[0].state, "ITA");
	CHECK_STR(tally.parties[1].state, "BRA"); /* in roster order (sorted) */
	CHECK_STR(tally.parties[2].state, "FRA");
	CHECK_INT(plm_agreement_tally_add(&tally, a[0]), 1);
	CHECK_INT(plm_agreement_tally_add(&tally, a[0]), 1); /* twice: still one */
	CHECK_INT(plm_agreement_tally_final(&tally), 0);
	CHECK((a[2] = agreement("observations_draft", "FRA", FRA_FP)) != NULL);
	CHECK((a[3] = agreement("observations_draft", "BRA", BRA_FP)) != NULL);
	CHECK_INT(plm_agreement_tally_add(&tally, a[2]), 1);
	CHECK_INT(plm_agreement_tally_final(&tally), 0);
	CHECK_INT(plm_agreement_tally_add(&tally, a[3]), 1);
	CHECK_INT(plm_agreement_tally_final(&tally), 1);
	CHECK_MEM(tally.parties[0].signer, fprs[ITA_FP], PLM_FPR_BYTES);
	/* A newer draft starts afresh: the same agreements name the old one. */
	CHECK_OK(plm_agreement_tally_init(&tally, policy, &review->roster->body.roster,
	                                  "observations_draft", newer.id, &err));
	for (i = 0; i < 4; i++)
		CHECK_INT(plm_agreement_tally_add(&tally, a[i]), 0);
	CHECK_INT(plm_agreement_tally_final(&tally), 0);
	CHECK_ERR(plm_agreement_tally_init(&tally, policy, &review->roster->body.roster,
	                                   "feedback", doc.id, &err),
	          PLM_ERR_POLICY, "documents of kind 'feedback' are not agreed to");
	plm_record_free(first);
	for (i = 0; i < 4; i++)
		plm_record_free(a[i]);
	plm_review_free(review);
}

/* ---- disclosures -------------------------------------------------------- */

static void disclosures(void)
{
	plm_review *review = NULL, *empty = NULL;
	plm_record *first = NULL, *d[8], *s = NULL;
	size_t i;

	memset(d, 0, sizeof(d));
	CHECK((review = started(&first)) != NULL);
	CHECK_OK(advance_to(review, "feedback"));
	d[0] = disclosure(REVIEW_ID, PLM_DISCLOSE_PARTIES, ITA_FP);
	CHECK(d[0] != NULL);
	/* The SUR alone decides (para 40-41). */
	CHECK_OK(plm_review_check_disclosure(review, policy, d[0],
	                                     "questionnaire_response", &err));
	d[1] = disclosure(REVIEW_ID, PLM_DISCLOSE_PUBLIC, ITA_FP);
	CHECK(d[1] != NULL);
	CHECK_OK(plm_review_check_disclosure(review, policy, d[1], "feedback", &err));

	d[2] = disclosure(REVIEW_ID, PLM_DISCLOSE_PARTIES, FRA_FP);
	CHECK(d[2] != NULL);
	CHECK_ERR(plm_review_check_disclosure(review, policy, d[2],
	                                      "questionnaire_response", &err),
	          PLM_ERR_POLICY,
	          "only focal points of the State under review may disclose documents "
	          "of a review, not focal points of a reviewing State "
	          "(policy: disclosure.by; para 41)");
	d[3] = disclosure(REVIEW_ID, PLM_DISCLOSE_PARTIES, ITA_EX);
	CHECK(d[3] != NULL);
	CHECK_ERR(plm_review_check_disclosure(review, policy, d[3],
	                                      "questionnaire_response", &err),
	          PLM_ERR_POLICY,
	          "not governmental experts of the State under review "
	          "(policy: disclosure.by");
	d[4] = disclosure(REVIEW_ID, PLM_DISCLOSE_PUBLIC, ITA_OBS);
	CHECK(d[4] != NULL);
	CHECK_ERR(plm_review_check_disclosure(review, policy, d[4],
	                                      "questionnaire_response", &err),
	          PLM_ERR_POLICY, "not observers of the State under review");
	d[5] = disclosure(REVIEW_ID, PLM_DISCLOSE_PARTIES, UNODC);
	CHECK(d[5] != NULL);
	CHECK_ERR(plm_review_check_disclosure(review, policy, d[5],
	                                      "questionnaire_response", &err),
	          PLM_ERR_POLICY, "not secretariat officers of the secretariat");
	d[6] = disclosure(REVIEW_ID, PLM_DISCLOSE_PARTIES, DEU_FP);
	CHECK(d[6] != NULL);
	CHECK_ERR(plm_review_check_disclosure(review, policy, d[6],
	                                      "questionnaire_response", &err),
	          PLM_ERR_POLICY,
	          "this disclosure is signed by someone who is not a member");
	/* A kind the policy does not define. */
	CHECK_ERR(plm_review_check_disclosure(review, policy, d[0], "diary", &err),
	          PLM_ERR_POLICY, "diary");

	/* Another review's disclosure; one before any roster. */
	d[7] = disclosure("bra-criminalization-2026", PLM_DISCLOSE_PARTIES, ITA_FP);
	CHECK(d[7] != NULL);
	CHECK_ERR(
	    plm_review_check_disclosure(review, policy, d[7], "questionnaire_response",
	                                &err),
	    PLM_ERR_MISMATCH,
	    "a disclosure of review bra-criminalization-2026 cannot join this review");
	CHECK_OK(plm_review_new(&empty, policy, &err));
	CHECK_ERR(plm_review_check_disclosure(empty, policy, d[0],
	                                      "questionnaire_response", &err),
	          PLM_ERR_MISMATCH, "cannot join this review");

	/* Disclosures do not go through plm_review_apply; other records not here. */
	CHECK_REFUSED(review, d[0], PLM_ERR_INVALID, "plm_review_check_disclosure");
	s = stage(4, "feedback", "dialogue", UNODC);
	CHECK(s != NULL);
	CHECK_ERR(plm_review_check_disclosure(review, policy, s,
	                                      "questionnaire_response", &err),
	          PLM_ERR_TYPE, "not a disclosure");
	plm_record_free(first);
	plm_record_free(s);
	for (i = 0; i < 8; i++)
		plm_record_free(d[i]);
	plm_review_free(review);
	plm_review_free(empty);
}

/* ---- envelopes ---------------------------------------------------------- */

static void envelope_questionnaire_response(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL;

	CHECK((review = started(&first)) != NULL);
	/* Not before the self-assessment. */
	CHECK_ERR(
	    envelope(review, "review", 1, "questionnaire_response", ITA_EX),
	    PLM_ERR_POLICY,
	    "documents of kind 'questionnaire_response' may not be written in the "
	    "stage 'nomination', only in: self_assessment "
	    "(policy: kinds.questionnaire_response.stages; para 34)");
	CHECK_OK(envelope(review, "review", 1, "message", ITA_EX));

	CHECK_OK(advance_to(review, "self_assessment"));
	CHECK_OK(envelope(review, "review", 1, "questionnaire_response", ITA_EX));
	CHECK_OK(envelope(review, "review", 1, "questionnaire_response", ITA_FP));
	CHECK_OK(envelope(review, "review", 1, "attachment", ITA_EX));
	/* Not on the reviewers' channel, which the SUR cannot read. */
	CHECK_ERR(envelope(review, "reviewers", 1, "questionnaire_response", ITA_EX),
	          PLM_ERR_POLICY,
	          "governmental experts of the State under review are not in the "
	          "audience of the channel 'reviewers' "
	          "(policy: channels.reviewers.audience)");
	/* The reviewers do not answer the questionnaire. */
	CHECK_ERR(envelope(review, "review", 1, "questionnaire_response", FRA_FP),
	          PLM_ERR_POLICY,
	          "documents of kind 'questionnaire_response' are written by focal "
	          "points, governmental experts of the State under review, not by "
	          "focal points of a reviewing State "
	          "(policy: kinds.questionnaire_response.writers; para 34)");
	CHECK_ERR(envelope(review, "review", 1, "questionnaire_response", BRA_EX),
	          PLM_ERR_POLICY, "(policy: kinds.questionnaire_response.writers");
	CHECK_ERR(envelope(review, "review", 1, "questionnaire_response", UNODC),
	          PLM_ERR_POLICY, "not by secretariat officers of the secretariat");
	/* A kind or channel the policy does not define. */
	CHECK_ERR(envelope(review, "review", 1, "diary", ITA_EX), PLM_ERR_POLICY,
	          "diary");
	CHECK_ERR(envelope(review, "lobby", 1, "message", ITA_EX), PLM_ERR_POLICY,
	          "lobby");
	/* Once concluded, nothing more is written. */
	CHECK_OK(advance_to(review, "concluded"));
	CHECK_ERR(envelope(review, "review", 1, "message", ITA_EX), PLM_ERR_POLICY,
	          "(policy: kinds.message.stages)");
	plm_record_free(first);
	plm_review_free(review);
}

static void envelope_observer_never_writes(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL;
	const char *kind, *channel;
	size_t k, c, s;

	CHECK((review = started(&first)) != NULL);
	for (s = 0; s < plm_policy_count(policy, PLM_POLICY_STAGES); s++) {
		CHECK_OK(
		    advance_to(review, plm_policy_nth(policy, PLM_POLICY_STAGES, s)));
		for (k = 0; k < plm_policy_count(policy, PLM_POLICY_KINDS); k++) {
			kind = plm_policy_nth(policy, PLM_POLICY_KINDS, k);
			for (c = 0; c < plm_policy_count(policy, PLM_POLICY_CHANNELS);
			     c++) {
				channel =
				    plm_policy_nth(policy, PLM_POLICY_CHANNELS, c);
				CHECK_ERR(
				    envelope(review, channel, 1, kind, ITA_OBS),
				    PLM_ERR_POLICY,
				    "observers may read this review but not write to "
				    "it (policy: roles.observer)");
			}
		}
	}
	CHECK_INT(review->stage_seq, 7);
	plm_record_free(first);
	plm_review_free(review);
}

static void envelope_wrong_review_epoch_or_author(void)
{
	static plm_envelope_header h;
	plm_review *review = NULL;
	plm_record *first = NULL;

	CHECK((review = started(&first)) != NULL);
	CHECK_OK(envelope(review, "reviewers", 1, "message", FRA_EX));
	CHECK_OK(envelope(review, "review", 1, "message", UNODC));
	/* Someone outside the review, and the root, which is no member either. */
	CHECK_ERR(envelope(review, "review", 1, "message", DEU_FP), PLM_ERR_POLICY,
	          "the author of this envelope is not a member of review " REVIEW_ID
	          " (epoch 1)");
	CHECK_ERR(envelope(review, "review", 1, "message", ROOT), PLM_ERR_POLICY,
	          "is not a member of review");
	/* Sealed for an epoch the review is not at. */
	CHECK_ERR(envelope(review, "review", 2, "message", ITA_EX), PLM_ERR_MISMATCH,
	          "this envelope is sealed for epoch 2 but review " REVIEW_ID
	          " is at epoch 1");
	CHECK_ERR(envelope(review, "review", 0, "message", ITA_EX), PLM_ERR_MISMATCH,
	          "sealed for epoch 0");
	/* Meant for another review. */
	header(&h, "bra-criminalization-2026", "review", 1, "message", ITA_EX);
	CHECK_ERR(plm_review_check_envelope(review, policy, &h, &err), PLM_ERR_MISMATCH,
	          "an envelope of review bra-criminalization-2026 cannot join "
	          "review " REVIEW_ID);
	plm_record_free(first);
	plm_review_free(review);
}

static void envelope_removed_member(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *second = NULL, *keys2 = NULL, *late = NULL;

	CHECK((review = started(&first)) != NULL);
	/* The French expert leaves the review at epoch 2. */
	CHECK_OK(envelope(review, "reviewers", 1, "message", FRA_EX));
	CHECK((second = roster_after(first, EVERYONE & ~BIT(FRA_EX))) != NULL);
	CHECK_APPLIED(review, second);
	CHECK((keys2 = keys_for(second)) != NULL);
	CHECK_APPLIED(review, keys2);
	CHECK_ERR(envelope(review, "reviewers", 2, "message", FRA_EX), PLM_ERR_POLICY,
	          "the author of this envelope is not a member of review " REVIEW_ID
	          " (epoch 2)");
	CHECK_ERR(envelope(review, "reviewers", 1, "message", FRA_EX), PLM_ERR_POLICY,
	          "not a member of review");
	/* Those who stay write at epoch 2, not 1. */
	CHECK_OK(envelope(review, "reviewers", 2, "message", FRA_FP));
	CHECK_ERR(envelope(review, "reviewers", 1, "message", FRA_FP), PLM_ERR_MISMATCH,
	          "sealed for epoch 1 but review " REVIEW_ID " is at epoch 2");
	/* Nor does the one who left sign records any more. */
	CHECK_OK(advance_to(review, "observations"));
	late = agreement("observations_draft", "FRA", FRA_EX);
	CHECK_REFUSED(review, late, PLM_ERR_POLICY, "not a member of the review");
	plm_record_free(first);
	plm_record_free(second);
	plm_record_free(keys2);
	plm_record_free(late);
	plm_review_free(review);
}

/* ---- records that do not belong ----------------------------------------- */

static void foreign_records(void)
{
	plm_review *review = NULL;
	plm_record *first = NULL, *cert = NULL, *other = NULL;

	CHECK((review = started(&first)) != NULL);
	/* Deployment records are not part of a review. */
	CHECK_OK(plm_record_new(&cert, PLM_RECORD_CERTIFICATE, &err));
	CHECK_REFUSED(review, cert, PLM_ERR_TYPE,
	              "a certificate is not part of a review");
	plm_record_free(cert);
	CHECK_OK(plm_record_new(&cert, PLM_RECORD_REVOCATION, &err));
	CHECK_REFUSED(review, cert, PLM_ERR_TYPE,
	              "a revocation is not part of a review");
	/* A record of another review, even a correct one. */
	CHECK_OK(plm_record_new(&other, PLM_RECORD_STAGE, &err));
	snprintf(other->body.stage.review_id, sizeof(other->body.stage.review_id),
	         "bra-criminalization-2026");
	other->body.stage.sequence = 1;
	snprintf(other->body.stage.from_stage, sizeof(other->body.stage.from_stage),
	         "nomination");
	snprintf(other->body.stage.to_stage, sizeof(other->body.stage.to_stage),
	         "consultation");
	other = signed_by(other, UNODC);
	CHECK_REFUSED(review, other, PLM_ERR_MISMATCH,
	              "a record of review bra-criminalization-2026 cannot join "
	              "review " REVIEW_ID);
	plm_record_free(first);
	plm_record_free(cert);
	plm_record_free(other);
	plm_review_free(review);
}

static const struct check_case cases[] = {
    CHECK_CASE(new_review_waits_for_roster),
    CHECK_CASE(first_roster_epoch_1_by_root),
    CHECK_CASE(first_roster_not_epoch_1),
    CHECK_CASE(roster_signed_by_another_key),
    CHECK_CASE(rosters_chain),
    CHECK_CASE(roster_fork_refused),
    CHECK_CASE(roster_under_another_policy),
    CHECK_CASE(roster_member_unknown_role),
    CHECK_CASE(roster_member_of_another_state),
    CHECK_CASE(side_of_each_member),
    CHECK_CASE(epoch_keys_exact_audience),
    CHECK_CASE(epoch_keys_sealed_to_non_member),
    CHECK_CASE(epoch_keys_reader_missing),
    CHECK_CASE(epoch_keys_reviewers_channel_not_for_sur),
    CHECK_CASE(epoch_keys_channels_are_the_policys),
    CHECK_CASE(epoch_keys_wrong_epoch_or_roster),
    CHECK_CASE(epoch_keys_once_per_epoch),
    CHECK_CASE(new_roster_forgets_old_keys),
    CHECK_CASE(history_grants),
    CHECK_CASE(secretariat_advances),
    CHECK_CASE(stage_out_of_sequence),
    CHECK_CASE(stage_by_who_may_not),
    CHECK_CASE(stage_skipped),
    CHECK_CASE(agreements),
    CHECK_CASE(agreement_drafts),
    CHECK_CASE(disclosures),
    CHECK_CASE(envelope_questionnaire_response),
    CHECK_CASE(envelope_observer_never_writes),
    CHECK_CASE(envelope_wrong_review_epoch_or_author),
    CHECK_CASE(envelope_removed_member),
    CHECK_CASE(foreign_records),
};

int main(int argc, char **argv)
{
	int status = check_main("test_review", cases, sizeof(cases) / sizeof(cases[0]),
	                        argc, argv);

	free_fixtures();
	return status;
}
