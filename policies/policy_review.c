/*
 * policy_review.c - the rules a country review must follow when the
 * secretariat creates it, and that every member checks again on every
 * roster (policy: review): which instruments, how many reviewing States,
 * who may review whom, which working languages.
 *
 * The policy holds no list of States parties. Whether a State is party to
 * an instrument is asked of the caller (plm_policy_review.is_party), who
 * knows it from the secretariat's records.
 */
#include "policies/policy_impl.h"

#include <stdio.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record.h"

/* The most distinct reviewing States a review can have (policy_load.c). */
#define REVIEWING_MAX (PLM_POLICY_INSTRUMENTS_MAX * PLM_ROSTER_REVIEWING_MAX)

/* "the Trafficking in Persons Protocol (tip)" for instrument NAME, in OUT. */
static void instrument_label(const plm_policy *p, const char *name, char *out,
                             size_t len)
{
	snprintf(out, len, "the %s (%s)",
	         plm_policy_title(p, PLM_POLICY_INSTRUMENTS, name), name);
}

/* STATE must be a State code (class STATE, 2 to 8 characters). */
static int check_state(const char *state, plm_error *err)
{
	size_t len = state != NULL ? strlen(state) : 0;

	if (len >= 2 && len <= 8 && plm_str_valid(state, len, PLM_STR_STATE))
		return 0;
	return plm_error_set(err, PLM_ERR_INVALID,
	                     "'%.16s' is not a State code (ISO 3166-1 alpha-3 or an "
	                     "organization code in capitals)",
	                     state != NULL ? state : "(null)");
}

/* Asks the caller whether STATE is party to TREATY. */
static int is_party(const plm_policy_review *review, const char *state,
                    const char *treaty)
{
	return review->is_party(review->is_party_ctx, state, treaty) == 1;
}

/*
 * The reviewing States of instrument I of REVIEW: their number, none twice,
 * none the SUR, each party to the instrument. Adds the new ones to
 * DISTINCT (*N_DISTINCT of them so far).
 */
static int check_reviewing(const plm_policy *p, const plm_policy_review *review,
                           size_t i, const char **distinct, size_t *n_distinct,
                           plm_error *err)
{
	const plm_policy_review_instrument *in = &review->instruments[i];
	const char *state, *source = p->review.source;
	char label[160];
	size_t k, j;
	int r;

	instrument_label(p, in->name, label, sizeof(label));
	if (in->n_reviewing < p->review.per_instrument_min ||
	    in->n_reviewing > p->review.per_instrument_max)
		return plm_policy_refuse(
		    err,
		    in->n_reviewing < p->review.per_instrument_min
		        ? "review.reviewing_states.per_instrument_min"
		        : "review.reviewing_states.per_instrument_max",
		    source,
		    "%s has %zu reviewing States, but each instrument has %llu to %llu",
		    label, in->n_reviewing,
		    (unsigned long long)p->review.per_instrument_min,
		    (unsigned long long)p->review.per_instrument_max);
	for (k = 0; k < in->n_reviewing; k++) {
		state = in->reviewing[k];
		if ((r = check_state(state, err)) != 0)
			return r;
		for (j = 0; j < k; j++)
			if (strcmp(in->reviewing[j], state) == 0)
				return plm_policy_refuse(
				    err, "review.reviewing_states", source,
				    "%s is listed twice as a reviewing State of %s",
				    state, label);
		if (!p->review.may_review_itself &&
		    strcmp(state, review->sur_state) == 0)
			return plm_policy_refuse(
			    err, "review.reviewing_states.may_review_itself", source,
			    "a State does not review itself: %s is the State under "
			    "review and cannot review %s",
			    state, label);
		if (p->review.must_be_party && !is_party(review, state, in->name))
			return plm_policy_refuse(
			    err, "review.reviewing_states.must_be_party", source,
			    "%s cannot review %s: a reviewing State must be party to "
			    "the instrument it reviews",
			    state, label);
		for (j = 0; j < *n_distinct; j++)
			if (strcmp(distinct[j], state) == 0)
				break;
		if (j == *n_distinct && *n_distinct < REVIEWING_MAX)
			distinct[(*n_distinct)++] = state;
	}
	return 0;
}

/* The working languages: how many, each allowed, none twice. */
static int check_languages(const plm_policy *p, const plm_policy_review *review,
                           plm_error *err)
{
	const char *source = p->review.languages_source;
	char allowed[PLM_POLICY_LANGUAGES_MAX * 4 + 1] = "";
	size_t i, j, used;

	if (review->n_languages < p->review.languages_min ||
	    review->n_languages > p->review.languages_max)
		return plm_policy_refuse(err, "review.languages", source,
		                         "a review has %llu to %llu working languages, "
		                         "not %zu",
		                         (unsigned long long)p->review.languages_min,
		                         (unsigned long long)p->review.languages_max,
		                         review->n_languages);
	for (i = 0; i < review->n_languages; i++) {
		const char *lang = review->languages[i];
		if (lang == NULL)
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "a language is missing");
		if (plm_policy_find(p, PLM_POLICY_LANGUAGES, lang) < 0) {
			for (j = 0, used = 0; j < p->review.n_languages; j++)
				used += (size_t)snprintf(
				    allowed + used, sizeof(allowed) - used, "%s%s",
				    j > 0 ? ", " : "", p->review.languages[j]);
			return plm_policy_refuse(err, "review.languages.allowed",
			                         source,
			                         "'%.8s' is not a working language of "
			                         "reviews: choose from %s",
			                         lang, allowed);
		}
		for (j = 0; j < i; j++)
			if (strcmp(review->languages[j], lang) == 0)
				return plm_policy_refuse(
				    err, "review.languages", source,
				    "the language '%s' is listed twice", lang);
	}
	return 0;
}

int plm_policy_check_review(const plm_policy *p, const plm_policy_review *review,
                            plm_error *err)
{
	const char *distinct[REVIEWING_MAX];
	char label[160];
	size_t n_distinct = 0, i, j, index;
	const char *name;
	int r;

	if (p == NULL || review == NULL ||
	    (review->n_instruments > 0 && review->instruments == NULL) ||
	    (review->n_languages > 0 && review->languages == NULL))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no policy or no review to check");
	if ((r = check_state(review->sur_state, err)) != 0 ||
	    (r = plm_policy_lookup(p, PLM_POLICY_CLUSTERS, review->cluster, &index,
	                           err)) != 0)
		return r;
	if ((p->review.sur_must_be_party || p->review.must_be_party) &&
	    review->is_party == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "checking a review needs to know which States are "
		                     "party to which instrument");
	if (review->n_instruments == 0)
		return plm_policy_refuse(err, "instruments", NULL,
		                         "a review covers at least one instrument");
	for (i = 0; i < review->n_instruments; i++) {
		name = review->instruments[i].name;
		if ((r = plm_policy_lookup(p, PLM_POLICY_INSTRUMENTS, name, &index,
		                           err)) != 0)
			return r;
		for (j = 0; j < i; j++)
			if (strcmp(review->instruments[j].name, name) == 0)
				return plm_policy_refuse(
				    err, "instruments", NULL,
				    "the instrument %s is listed twice", name);
		if (review->instruments[i].n_reviewing > 0 &&
		    review->instruments[i].reviewing == NULL)
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "the reviewing States of %s are missing",
			                     name);
	}
	for (i = 0; i < review->n_instruments; i++) {
		name = review->instruments[i].name;
		instrument_label(p, name, label, sizeof(label));
		if (p->review.sur_must_be_party &&
		    !is_party(review, review->sur_state, name))
			return plm_policy_refuse(
			    err, "review.sur_must_be_party", NULL,
			    "%s is not party to %s, and a State is "
			    "reviewed only on the instruments it is "
			    "party to",
			    review->sur_state, label);
	}
	for (i = 0; i < review->n_instruments; i++) {
		r = check_reviewing(p, review, i, distinct, &n_distinct, err);
		if (r != 0)
			return r;
	}
	if (n_distinct > p->review.total_max)
		return plm_policy_refuse(
		    err, "review.reviewing_states.total_max", p->review.source,
		    "a review has at most %llu reviewing States in "
		    "total, not %zu",
		    (unsigned long long)p->review.total_max, n_distinct);
	return check_languages(p, review, err);
}
