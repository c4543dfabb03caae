/*
 * policy.c - what every part of the policy module shares: freeing, the
 * digest, looking names up, the accessors, and the small parsers and
 * counters that need no policy (durations, sizes, due dates, words).
 * Loading is in policy_load.c, the rules in policy_eval.c.
 */
#include "policies/policy_impl.h"
#include "keys/codec.h"

#include <stdlib.h>
#include <string.h>

void plm_policy_free(plm_policy *policy)
{
	size_t c, i;

	if (policy == NULL)
		return;
	for (c = 0; c < policy->n_clusters; c++)
		for (i = 0; i < PLM_POLICY_INSTRUMENTS_MAX; i++)
			free(policy->clusters[c].articles[i].items);
	plm_yaml_free(policy->doc);
	free(policy);
}

void plm_policy_digest(const plm_policy *policy,
                       unsigned char out[PLM_POLICY_DIGEST_BYTES])
{
	memcpy(out, policy->digest, PLM_POLICY_DIGEST_BYTES);
}

const char *plm_policy_name(const plm_policy *policy)
{
	return policy->name;
}

const char *plm_policy_display_name(const plm_policy *policy)
{
	return policy->title;
}

size_t plm_policy_count(const plm_policy *policy, enum plm_policy_list list)
{
	switch (list) {
	case PLM_POLICY_INSTRUMENTS:
		return policy->n_instruments;
	case PLM_POLICY_TREATIES:
		return policy->n_treaties;
	case PLM_POLICY_CLUSTERS:
		return policy->n_clusters;
	case PLM_POLICY_PHASES:
		return policy->n_phases;
	case PLM_POLICY_ROLES:
		return policy->n_roles;
	case PLM_POLICY_CHANNELS:
		return policy->n_channels;
	case PLM_POLICY_STAGES:
		return policy->n_stages;
	case PLM_POLICY_KINDS:
		return policy->n_kinds;
	case PLM_POLICY_DEADLINES:
		return policy->n_deadlines;
	case PLM_POLICY_LANGUAGES:
		return policy->review.n_languages;
	case PLM_POLICY_MIME_TYPES:
		return policy->n_mime_types;
	}
	return 0;
}

/*
 * The head (name, title, source) of entry I of LIST, or NULL when I is out
 * of range. Deadlines (plm_policy_deadline), languages and MIME types (bare
 * strings) have no head: NULL for them too.
 */
const struct plm_policy_entry *plm_policy_entry_at(const plm_policy *policy,
                                                   enum plm_policy_list list, size_t i)
{
	if (i >= plm_policy_count(policy, list))
		return NULL;
	switch (list) {
	case PLM_POLICY_INSTRUMENTS:
		return &policy->instruments[i];
	case PLM_POLICY_TREATIES:
		return &policy->treaties[i];
	case PLM_POLICY_CLUSTERS:
		return &policy->clusters[i].head;
	case PLM_POLICY_PHASES:
		return &policy->clusters[policy->phases[i]].head;
	case PLM_POLICY_ROLES:
		return &policy->roles[i].head;
	case PLM_POLICY_CHANNELS:
		return &policy->channels[i].head;
	case PLM_POLICY_STAGES:
		return &policy->stages[i].head;
	case PLM_POLICY_KINDS:
		return &policy->kinds[i].head;
	case PLM_POLICY_DEADLINES:
	case PLM_POLICY_LANGUAGES:
	case PLM_POLICY_MIME_TYPES:
		break;
	}
	return NULL;
}

const char *plm_policy_nth(const plm_policy *policy, enum plm_policy_list list,
                           size_t i)
{
	const struct plm_policy_entry *e;

	if (i >= plm_policy_count(policy, list))
		return NULL;
	switch (list) {
	case PLM_POLICY_DEADLINES:
		return policy->deadlines[i].name;
	case PLM_POLICY_LANGUAGES:
		return policy->review.languages[i];
	case PLM_POLICY_MIME_TYPES:
		return policy->mime_types[i];
	default:
		e = plm_policy_entry_at(policy, list, i);
		return e != NULL ? e->name : NULL;
	}
}

int plm_policy_find(const plm_policy *policy, enum plm_policy_list list,
                    const char *name)
{
	size_t i, n = plm_policy_count(policy, list);
	const char *candidate;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		candidate = plm_policy_nth(policy, list, i);
		if (candidate != NULL && strcmp(candidate, name) == 0)
			return (int)i;
	}
	return -1;
}

const char *plm_policy_title(const plm_policy *policy, enum plm_policy_list list,
                             const char *name)
{
	int i = plm_policy_find(policy, list, name);

	if (i < 0)
		return NULL;
	if (list == PLM_POLICY_DEADLINES)
		return policy->deadlines[i].title;
	if (list == PLM_POLICY_LANGUAGES || list == PLM_POLICY_MIME_TYPES)
		return NULL;
	return plm_policy_entry_at(policy, list, (size_t)i)->title;
}

size_t plm_policy_deadline_count(const plm_policy *policy)
{
	return policy->n_deadlines;
}

const plm_policy_deadline *plm_policy_deadline_at(const plm_policy *policy, size_t i)
{
	return i < policy->n_deadlines ? &policy->deadlines[i] : NULL;
}

const char *const plm_policy_right_names[] = {"read",     "write",  "submit", "agree",
                                              "disclose", "manage", NULL};

static const char *const side_names[PLM_POLICY_SIDES] = {"sur", "reviewer",
                                                         "secretariat"};

const char *plm_policy_side_name(enum plm_policy_side side)
{
	if (side < PLM_SIDE_SUR || side > PLM_SIDE_SECRETARIAT)
		return NULL;
	return side_names[side - 1];
}

int plm_policy_side_parse(const char *name, enum plm_policy_side *out, plm_error *err)
{
	int i;

	for (i = 0; name != NULL && i < PLM_POLICY_SIDES; i++) {
		if (strcmp(name, side_names[i]) == 0) {
			*out = (enum plm_policy_side)(i + 1);
			return 0;
		}
	}
	return plm_error_set(
	    err, PLM_ERR_INVALID,
	    "'%s' is not a side: expected sur, reviewer or secretariat",
	    name != NULL ? name : "(null)");
}

int plm_policy_scope_index(const char *scope)
{
	if (scope != NULL && strcmp(scope, "parties") == 0)
		return 0;
	if (scope != NULL && strcmp(scope, "public") == 0)
		return 1;
	return -1;
}

void plm_policy_who_add(plm_policy_who *who, size_t role, enum plm_policy_side side)
{
	who->roles[side - 1] |= (uint32_t)1 << role;
}

int plm_policy_who_has(const plm_policy_who *who, size_t role,
                       enum plm_policy_side side)
{
	if (side < PLM_SIDE_SUR || side > PLM_SIDE_SECRETARIAT ||
	    role >= PLM_POLICY_ROLES_MAX)
		return 0;
	return (who->roles[side - 1] >> role) & 1;
}

int plm_policy_parties_lookup(void *ctx, const char *state, const char *treaty)
{
	const plm_policy_parties *table = ctx;
	size_t i;

	for (i = 0; table != NULL && i < table->n; i++)
		if (strcmp(table->entries[i].state, state) == 0 &&
		    strcmp(table->entries[i].treaty, treaty) == 0)
			return 1;
	return 0;
}

/*
 * Reads the decimal number at the start of TEXT (no sign, no leading zero,
 * at most 13 digits) into *VALUE and returns the number of digits, or 0.
 */
static size_t leading_number(const char *text, uint64_t *value)
{
	size_t i = 0;

	*value = 0;
	if (text[0] == '0' && text[1] >= '0' && text[1] <= '9')
		return 0;
	while (text[i] >= '0' && text[i] <= '9' && i < 13) {
		*value = *value * 10 + (uint64_t)(text[i] - '0');
		i++;
	}
	if (text[i] >= '0' && text[i] <= '9')
		return 0;
	return i;
}

int plm_policy_parse_duration(const char *text, plm_policy_duration *out,
                              plm_error *err)
{
	uint64_t count;
	size_t digits;
	const char *unit;

	memset(out, 0, sizeof(*out));
	if (text == NULL || (digits = leading_number(text, &count)) == 0 || count < 1 ||
	    count > PLM_POLICY_DURATION_COUNT_MAX)
		goto bad;
	unit = text + digits;
	if (strcmp(unit, "d") == 0)
		out->seconds = count * 86400;
	else if (strcmp(unit, "w") == 0)
		out->seconds = count * 7 * 86400;
	else if (strcmp(unit, "mo") == 0)
		out->months = (uint32_t)count;
	else if (strcmp(unit, "y") == 0)
		out->months = (uint32_t)count * 12;
	else
		goto bad;
	return 0;
bad:
	return plm_error_set(err, PLM_ERR_FORMAT,
	                     "expected a duration such as 2w or 6mo (a number from 1 "
	                     "to %u followed by d, w, mo or y), found '%s'",
	                     PLM_POLICY_DURATION_COUNT_MAX,
	                     text != NULL ? text : "(null)");
}

int plm_policy_parse_size(const char *text, uint64_t *out, plm_error *err)
{
	static const struct {
		const char *unit;
		unsigned shift;
	} units[] = {{"", 0},     {"B", 0},    {"KiB", 10},
	             {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
	uint64_t count;
	size_t digits, i;

	*out = 0;
	if (text == NULL || (digits = leading_number(text, &count)) == 0 || count == 0)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(text + digits, units[i].unit) != 0)
			continue;
		if (count > (PLM_POLICY_SIZE_MAX >> units[i].shift))
			return plm_error_set(err, PLM_ERR_LIMIT,
			                     "the size %s is larger than the largest "
			                     "allowed, 1TiB",
			                     text);
		*out = count << units[i].shift;
		return 0;
	}
bad:
	return plm_error_set(err, PLM_ERR_FORMAT,
	                     "expected a size such as 16MiB (a number from 1 followed "
	                     "by nothing, B, KiB, MiB, GiB or TiB), found '%s'",
	                     text != NULL ? text : "(null)");
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The date of day Z since 1970-01-01 (the inverse of days_from_civil). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[12] = {31, 28, 31, 30, 31, 30,
	                                  31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int plm_policy_due(const plm_policy_duration *duration, uint64_t start, uint64_t *due,
                   plm_error *err)
{
	/* 10000-01-01T00:00:00Z: nothing in a review lasts that long. */
	const uint64_t end_of_time = 253402300800ull;
	int64_t y;
	unsigned m, d;
	uint64_t months;

	*due = 0;
	if (start >= end_of_time)
		goto too_late;
	if (duration->months == 0) {
		if (duration->seconds >= end_of_time - start)
			goto too_late;
		*due = start + duration->seconds;
		return 0;
	}
	civil_from_days((int64_t)(start / 86400), &y, &m, &d);
	months = (uint64_t)(m - 1) + duration->months;
	y += (int64_t)(months / 12);
	m = (unsigned)(months % 12) + 1;
	if (y > 9999)
		goto too_late;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	*due = (uint64_t)days_from_civil(y, m, d) * 86400 + start % 86400;
	return 0;
too_late:
	return plm_error_set(err, PLM_ERR_LIMIT,
	                     "a deadline would fall after the year 9999");
}

/* 1 if code point CP has the Unicode property White_Space. */
static int is_white_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}


size_t plm_word_count(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, words = 0;
	int in_word = 0;
	uint32_t cp;

	while (i < len) {
		n = plm_utf8_next(s + i, len - i, &cp);
		if (n == 0) { /* not UTF-8: a word character */
			n = 1;
			cp = 0xFFFD;
		}
		if (is_white_space(cp)) {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
		i += n;
	}
	return words;
}

size_t plm_policy_assistance_count(const plm_policy *policy)
{
	return policy != NULL ? policy->n_assistance : 0;
}

const char *plm_policy_assistance_at(const plm_policy *policy, size_t i,
                                     const char **title)
{
	if (policy == NULL || i >= policy->n_assistance)
		return NULL;
	if (title != NULL)
		*title = policy->assistance[i].title;
	return policy->assistance[i].name;
}
