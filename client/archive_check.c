/*
 * archive_check.c - verifying a sealed archive with nothing but its bytes
 * (see archive.h, PROTOCOL.md §9.4). No network, no keys, no local state:
 * the root is the archive's own (compared with --trust when given), the
 * policy is the archived file (its digest is the one every roster names),
 * and the review's state machine is policies/review.c replayed in the
 * archive's log order, exactly as every member's client ran it.
 */
#include "client/archive.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/sync.h"
#include "policies/policy.h"
#include "policies/review.h"

/* Everything one walk over an archive holds. */
struct walk {
	plm_archive_reader *reader;
	const plm_archive_header *h;
	const struct archive_hooks *hooks;
	struct archive_summary *sum;
	plm_policy *policy;
	plm_review *review;
	const struct archive_cert *root;
	int head_checked;
	plm_archive_item item; /* the current item */
	struct archive_doc doc; /* the current envelope, from its header */
	plm_pubkeys doc_author;
	char desc[128];        /* "archive item 7 (record at log index 14)" */
};

/* Grows *V (of *N elements, *CAP allocated, SIZE each) by one zeroed slot. */
static void *grow(void *vp, size_t *n, size_t *cap, size_t size, plm_error *err)
{
	void **v = vp;
	void *bigger;
	size_t c;

	if (*n == *cap) {
		c = *cap ? 2 * *cap : 16;
		if ((bigger = realloc(*v, c * size)) == NULL) {
			plm_error_set(err, PLM_ERR_NOMEM, "out of memory while checking the archive");
			return NULL;
		}
		*v = bigger;
		*cap = c;
	}
	memset((char *)*v + *n * size, 0, size);
	return (char *)*v + (*n)++ * size;
}

void archive_summary_free(struct archive_summary *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_rosters; i++)
		free(s->rosters[i].changes);
	free(s->rosters);
	free(s->certs);
	free(s->docs);
	free(s->keys);
	free(s->members);
	free(s->places);
	memset(s, 0, sizeof(*s));
}

const struct archive_cert *archive_find_cert(const struct archive_summary *s,
                                             const unsigned char fpr[PLM_FPR_BYTES])
{
	size_t i;

	for (i = 0; i < s->n_certs; i++)
		if (memcmp(s->certs[i].fpr, fpr, PLM_FPR_BYTES) == 0)
			return &s->certs[i];
	return NULL;
}

/* Fails the walk with CODE: "<item>: <sentence>". */
static int flaw(struct walk *w, plm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int flaw(struct walk *w, plm_error *err, int code, const char *fmt, ...)
{
	char text[PLM_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return plm_error_set(err, code, "%s: %s", w->desc, text);
}

/* "it-fp-rossi (ITA)" or the fingerprint's first digits. */
static void signer_name(const struct walk *w, const unsigned char fpr[PLM_FPR_BYTES],
                        char *out, size_t cap)
{
	const struct archive_cert *c = archive_find_cert(w->sum, fpr);
	char hex[2 * PLM_FPR_BYTES + 1];

	if (c != NULL)
		snprintf(out, cap, "%s (%s)", c->cert.user_id, c->cert.state);
	else {
		plm_hex(hex, fpr, PLM_FPR_BYTES);
		snprintf(out, cap, "the key %.16s", hex);
	}
}

/*
 * The certified keys of FPR for an entry at log index SEQ: a certificate of
 * the archive, not revoked at or before SEQ. NULL with a flaw otherwise.
 */
static const struct archive_cert *keys_at(struct walk *w, const unsigned char fpr[PLM_FPR_BYTES],
                                          uint64_t seq, const char *whose, plm_error *err)
{
	const struct archive_cert *c = archive_find_cert(w->sum, fpr);
	char hex[2 * PLM_FPR_BYTES + 1];

	if (c == NULL) {
		plm_hex(hex, fpr, PLM_FPR_BYTES);
		flaw(w, err, PLM_ERR_SIGNATURE,
		     "its %s (%.16s) has no certificate in the archive", whose, hex);
		return NULL;
	}
	if (c->revoked && c->revoked_seq < seq) {
		flaw(w, err, PLM_ERR_SIGNATURE,
		     "its %s %s was revoked at log index %" PRIu64 ", before it", whose,
		     c->cert.user_id, c->revoked_seq);
		return NULL;
	}
	return c;
}

/* A certificate or revocation (PROTOCOL.md §9.4 step 2). */
static int check_deployment(struct walk *w, const plm_record *rec, plm_error *err)
{
	struct archive_cert *c;
	unsigned char fpr[PLM_FPR_BYTES];
	const plm_pubkeys *keys;
	plm_error why;
	size_t i;

	if (rec->type != PLM_RECORD_CERTIFICATE && rec->type != PLM_RECORD_REVOCATION)
		return flaw(w, err, PLM_ERR_TYPE,
		            "a %s record stands among the certificates and revocations",
		            plm_record_type_name(rec->type));
	if (w->root == NULL) {
		/* The first: the root's own certificate, self-signed. */
		if (rec->type != PLM_RECORD_CERTIFICATE ||
		    rec->body.certificate.usage != PLM_USAGE_ROOT)
			return flaw(w, err, PLM_ERR_FORMAT,
			            "the first certificate must be the root's own (usage root)");
		plm_certificate_fingerprint(fpr, &rec->body.certificate);
		if (memcmp(fpr, w->h->root, PLM_FPR_BYTES) != 0 ||
		    memcmp(rec->signer, fpr, PLM_FPR_BYTES) != 0)
			return flaw(w, err, PLM_ERR_MISMATCH,
			            "the root certificate is not the self-signed certificate of "
			            "the root the header names");
		keys = &rec->body.certificate.keys;
	} else {
		if (memcmp(rec->signer, w->h->root, PLM_FPR_BYTES) != 0)
			return flaw(w, err, PLM_ERR_SIGNATURE, "it is not signed by the root");
		keys = &w->root->cert.keys;
		if (rec->type == PLM_RECORD_CERTIFICATE &&
		    rec->body.certificate.usage == PLM_USAGE_ROOT)
			return flaw(w, err, PLM_ERR_POLICY, "it certifies a second root");
		if (rec->type == PLM_RECORD_REVOCATION &&
		    memcmp(rec->body.revocation.revoked, w->h->root, PLM_FPR_BYTES) == 0)
			return flaw(w, err, PLM_ERR_POLICY, "it claims to revoke the root");
	}
	if (plm_record_verify_signer(rec, keys, &why) != 0)
		return flaw(w, err, why.code, "%s", why.message);
	if (rec->type == PLM_RECORD_REVOCATION) {
		w->sum->revocations++;
		for (i = 0; i < w->sum->n_certs; i++) {
			c = &w->sum->certs[i];
			if (memcmp(c->fpr, rec->body.revocation.revoked, PLM_FPR_BYTES) == 0 &&
			    c->cert.serial == rec->body.revocation.serial && !c->revoked) {
				c->revoked = 1;
				c->revoked_seq = w->item.seq;
			}
		}
		return 0;
	}
	plm_certificate_fingerprint(fpr, &rec->body.certificate);
	if (archive_find_cert(w->sum, fpr) != NULL)
		return flaw(w, err, PLM_ERR_FORMAT, "the certificate of %s is there twice",
		            rec->body.certificate.user_id);
	if ((c = grow(&w->sum->certs, &w->sum->n_certs, &w->sum->cap_certs,
	              sizeof(*c), err)) == NULL)
		return PLM_ERR_NOMEM;
	memcpy(c->fpr, fpr, PLM_FPR_BYTES);
	c->cert = rec->body.certificate;
	c->seq = w->item.seq;
	c->number = w->item.number;
	memcpy(c->id, rec->id, PLM_HASH_BYTES);
	c->proof = w->item.proof;
	if (w->root == NULL)
		w->root = c;
	return 0;
}

/*
 * After the certificates: the head's signature by the certified log key,
 * then the inclusion proofs of the certificates and revocations that came
 * before it (they could not be checked against an unverified head).
 */
static int check_head(struct walk *w, plm_error *err)
{
	const struct archive_cert *log;
	plm_archive_item item;
	plm_error why;
	size_t i;

	w->head_checked = 1;
	if (w->root == NULL)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the archive holds no root certificate (its first item "
		                     "must be the root's own certificate)");
	if ((log = archive_find_cert(w->sum, w->h->head.log_fpr)) == NULL ||
	    log->cert.usage != PLM_USAGE_LOG)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the archive's log head (header) is signed by a key "
		                     "that no log certificate of the archive certifies");
	if (plm_tree_head_verify(&w->h->head, log->cert.keys.sign_pk, &why) != 0)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the archive's log head (header): its signature does not "
		                     "verify with the certified log key: the head was altered");
	for (i = 0; i < w->sum->n_certs; i++) {
		memset(&item, 0, sizeof(item));
		item.tag = PLM_ARCHIVE_DEPLOYMENT;
		item.seq = w->sum->certs[i].seq;
		item.number = w->sum->certs[i].number;
		item.proof = w->sum->certs[i].proof;
		if (plm_archive_check_inclusion(&w->h->head, &item, PLM_LOG_RECORD,
		                                w->sum->certs[i].id, err) != 0)
			return PLM_ERR_PROOF;
	}
	return 0;
}

/* Adds "added x (ITA, expert)" and the like to a roster's changes. */
static void describe_change(void *ctx, enum sync_change change,
                            const plm_roster_member *before,
                            const plm_roster_member *after)
{
	char **text = ctx, *grown;
	char line[200];
	size_t old = *text ? strlen(*text) : 0;

	if (change == SYNC_ADDED)
		snprintf(line, sizeof(line), "added %s (%s, %s)", after->user_id, after->state,
		         after->role);
	else if (change == SYNC_REMOVED)
		snprintf(line, sizeof(line), "removed %s (%s, %s)", before->user_id,
		         before->state, before->role);
	else
		snprintf(line, sizeof(line), "%s now %s (%s)", after->user_id, after->role,
		         after->state);
	if ((grown = realloc(*text, old + strlen(line) + 3)) == NULL)
		return;
	sprintf(grown + old, "%s%s", old ? "; " : "", line);
	*text = grown;
}

/* Notes a roster (before it is applied: the review still holds the previous). */
static int note_roster(struct walk *w, const plm_record *rec, plm_error *err)
{
	struct archive_roster *ro;
	const plm_roster *prev = w->review->roster ? &w->review->roster->body.roster : NULL;

	if ((ro = grow(&w->sum->rosters, &w->sum->n_rosters, &w->sum->cap_rosters,
	               sizeof(*ro), err)) == NULL)
		return PLM_ERR_NOMEM;
	ro->epoch = rec->body.roster.epoch;
	ro->seq = w->item.seq;
	ro->created_at = rec->body.roster.created_at;
	ro->members = rec->body.roster.n_members;
	sync_roster_diff(prev, &rec->body.roster, describe_change, &ro->changes);
	return 0;
}

/* The document ID among those already verified, or NULL. */
static const struct archive_doc *find_doc(const struct walk *w,
                                          const unsigned char id[PLM_HASH_BYTES])
{
	size_t i;

	for (i = 0; i < w->sum->n_docs; i++)
		if (memcmp(w->sum->docs[i].id, id, PLM_HASH_BYTES) == 0)
			return &w->sum->docs[i];
	return NULL;
}

/* Every channel of an epoch-keys record must have its key in the archive. */
static int check_keys_present(struct walk *w, const plm_record *rec, plm_error *err)
{
	const plm_epoch_keys *ek = &rec->body.epoch_keys;
	size_t i, j;
	int found;

	for (i = 0; i < ek->n_channels; i++) {
		found = 0;
		for (j = 0; j < w->sum->n_keys; j++)
			if (w->sum->keys[j].epoch == ek->epoch &&
			    strcmp(w->sum->keys[j].channel, ek->channels[i].name) == 0) {
				w->sum->keys[j].named = 1;
				found = 1;
			}
		if (!found)
			return flaw(w, err, PLM_ERR_NOTFOUND,
			            "the archive holds no key of channel %s for epoch %" PRIu64
			            ", so its documents could never be opened",
			            ek->channels[i].name, ek->epoch);
	}
	return 0;
}

/* A record of the review (PROTOCOL.md §9.4 step 4). */
static int check_record(struct walk *w, const plm_record *rec, plm_error *err)
{
	const struct archive_cert *signer;
	const struct archive_doc *doc;
	const char *review = plm_record_review(rec);
	unsigned char digest[PLM_HASH_BYTES];
	char who[160];
	plm_error why;
	int r;

	if (review == NULL || strcmp(review, w->h->review_id) != 0)
		return flaw(w, err, PLM_ERR_MISMATCH, "a %s record of another review (%s)",
		            plm_record_type_name(rec->type), review ? review : "none");
	if ((signer = keys_at(w, rec->signer, w->item.seq, "signer", err)) == NULL)
		return PLM_ERR_SIGNATURE;
	if (plm_record_verify_signer(rec, &signer->cert.keys, &why) != 0)
		return flaw(w, err, why.code, "%s record: %s", plm_record_type_name(rec->type),
		            why.message);
	if ((r = plm_archive_check_inclusion(&w->h->head, &w->item, PLM_LOG_RECORD, rec->id,
	                                     err)) != 0)
		return r;
	signer_name(w, rec->signer, who, sizeof(who));
	switch (rec->type) {
	case PLM_RECORD_DISCLOSURE:
		if ((doc = find_doc(w, rec->body.disclosure.envelope_id)) == NULL)
			return flaw(w, err, PLM_ERR_NOTFOUND,
			            "a disclosure by %s of a document the archive does not hold "
			            "before it",
			            who);
		if (plm_review_check_disclosure(w->review, w->policy, rec, doc->kind, &why) != 0)
			return flaw(w, err, why.code, "the disclosure by %s: %s", who, why.message);
		break;
	case PLM_RECORD_ROSTER:
		/* The archive's own words first; plm_review_apply checks it again. */
		plm_hash(digest, w->h->policy, w->h->policy_len);
		if (memcmp(digest, rec->body.roster.policy_digest, PLM_HASH_BYTES) != 0)
			return flaw(w, err, PLM_ERR_MISMATCH,
			            "the archive's policy file (header) is not the policy this "
			            "roster was made under (their digests differ): the policy "
			            "was altered or replaced");
		if ((r = note_roster(w, rec, err)) != 0)
			return r;
		if (plm_review_apply(w->review, w->policy, w->h->root, rec, &why) != 0)
			return flaw(w, err, why.code, "the roster signed by %s: %s", who,
			            why.message);
		break;
	case PLM_RECORD_AGREEMENT:
		if ((doc = find_doc(w, rec->body.agreement.document)) == NULL ||
		    strcmp(doc->kind, rec->body.agreement.kind) != 0)
			return flaw(w, err, PLM_ERR_NOTFOUND,
			            "an agreement by %s to a %s the archive does not hold before it",
			            who, rec->body.agreement.kind);
		/* fall through */
	default:
		if (plm_review_apply(w->review, w->policy, w->h->root, rec, &why) != 0)
			return flaw(w, err, why.code, "the %s record signed by %s: %s",
			            plm_record_type_name(rec->type), who, why.message);
		break;
	}
	if (rec->type == PLM_RECORD_EPOCH_KEYS) {
		if ((r = check_keys_present(w, rec, err)) != 0)
			return r;
		if (w->hooks && w->hooks->epoch_keys &&
		    (r = w->hooks->epoch_keys(w->hooks->ctx, rec, &why)) != 0)
			return flaw(w, err, r, "%s", why.message);
	}
	if (rec->type <= PLM_RECORD_ENROLLMENT)
		w->sum->records[rec->type]++;
	return 0;
}

/* Header callback of the envelope reader: the author, the review's rules. */
static int envelope_header(void *ctx, const plm_envelope_header *header, plm_pubkeys *author,
                           plm_error *err)
{
	struct walk *w = ctx;
	const struct archive_cert *c;
	const plm_roster_member *m = NULL;
	struct archive_doc *doc = &w->doc;
	enum plm_policy_side side;
	plm_error why;

	if (strcmp(header->review_id, w->h->review_id) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH, "an envelope of another review (%s)",
		                     header->review_id);
	if ((c = keys_at(w, header->author, w->item.seq, "author", &why)) == NULL)
		return plm_error_set(err, PLM_ERR_SIGNATURE, "%s", why.message);
	if (plm_review_check_envelope(w->review, w->policy, header, &why) != 0)
		return plm_error_set(err, why.code, "%s", why.message);
	*author = c->cert.keys;
	memset(doc, 0, sizeof(*doc));
	snprintf(doc->kind, sizeof(doc->kind), "%s", header->kind);
	snprintf(doc->channel, sizeof(doc->channel), "%s", header->channel);
	snprintf(doc->stage, sizeof(doc->stage), "%s", w->review->stage);
	doc->epoch = header->epoch;
	doc->created_at = header->created_at;
	memcpy(doc->author, header->author, PLM_FPR_BYTES);
	snprintf(doc->author_user, sizeof(doc->author_user), "%s", c->cert.user_id);
	snprintf(doc->author_state, sizeof(doc->author_state), "%s", c->cert.state);
	if (plm_review_member(w->review, header->author, &m, &side, NULL) == 0)
		snprintf(doc->author_role, sizeof(doc->author_role), "%s", m->role);
	w->doc_author = c->cert.keys;
	return 0;
}

/* An envelope of the review (PROTOCOL.md §9.4 step 5). */
static int check_envelope(struct walk *w, plm_error *err)
{
	static const plm_envelope_handlers handlers = {.header = envelope_header};
	struct archive_doc *doc;
	unsigned char id[PLM_HASH_BYTES];
	plm_error why;
	int r;

	if ((r = plm_archive_reader_envelope(w->reader, &handlers, w,
	                                     w->hooks ? w->hooks->sink : NULL,
	                                     w->hooks ? w->hooks->ctx : NULL, id, err)) != 0)
		return r;
	if ((r = plm_archive_check_inclusion(&w->h->head, &w->item, PLM_LOG_ENVELOPE, id,
	                                     err)) != 0)
		return r;
	if (find_doc(w, id) != NULL)
		return flaw(w, err, PLM_ERR_FORMAT, "the same envelope is there twice");
	if ((doc = grow(&w->sum->docs, &w->sum->n_docs, &w->sum->cap_docs, sizeof(*doc),
	                err)) == NULL)
		return PLM_ERR_NOMEM;
	*doc = w->doc;
	memcpy(doc->id, id, PLM_HASH_BYTES);
	doc->seq = w->item.seq;
	doc->number = w->item.number;
	doc->size = w->item.envelope_len;
	if (w->hooks && w->hooks->envelope &&
	    (r = w->hooks->envelope(w->hooks->ctx, doc, &w->doc_author, &why)) != 0)
		return flaw(w, err, r, "%s", why.message);
	return 0;
}

/* A channel key: noted, and handed to the hook. */
static int check_channel_key(struct walk *w, plm_error *err)
{
	struct archive_key *k;
	plm_error why;
	int r;

	if ((k = grow(&w->sum->keys, &w->sum->n_keys, &w->sum->cap_keys, sizeof(*k), err)) ==
	    NULL)
		return PLM_ERR_NOMEM;
	k->epoch = w->item.epoch;
	snprintf(k->channel, sizeof(k->channel), "%s", w->item.channel);
	if (w->hooks && w->hooks->channel_key &&
	    (r = w->hooks->channel_key(w->hooks->ctx, w->h, &w->item, &why)) != 0)
		return plm_error_set(err, r, "%s", why.message);
	return 0;
}

/* One item of the walk. */
static int check_item(struct walk *w, plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_record *rec = NULL;
	plm_error why;
	int r = 0;

	if (w->item.tag != PLM_ARCHIVE_DEPLOYMENT && !w->head_checked &&
	    (r = check_head(w, err)) != 0)
		return r;
	switch (w->item.tag) {
	case PLM_ARCHIVE_DEPLOYMENT:
	case PLM_ARCHIVE_RECORD:
		if (plm_record_decode(w->item.record, w->item.record_len, &rec, &why) != 0)
			return flaw(w, err, why.code, "%s", why.message);
		/* From now on the item is named by its type and id too. */
		plm_hex(hex, rec->id, PLM_HASH_BYTES);
		snprintf(w->desc, sizeof(w->desc),
		         "archive item %" PRIu64 " (%s%s record %.12s at log index %" PRIu64 ")",
		         w->item.number,
		         w->item.tag == PLM_ARCHIVE_DEPLOYMENT ? "" : "review's ",
		         plm_record_type_name(rec->type), hex, w->item.seq);
		r = w->item.tag == PLM_ARCHIVE_DEPLOYMENT ? check_deployment(w, rec, err)
		                                          : check_record(w, rec, err);
		plm_record_free(rec);
		return r;
	case PLM_ARCHIVE_CHANNEL_KEY: return check_channel_key(w, err);
	case PLM_ARCHIVE_ENVELOPE: return check_envelope(w, err);
	default: return flaw(w, err, PLM_ERR_FORMAT, "an item of unknown kind");
	}
}

/* After the end: the keys all named, the sealer a secretariat member, the signature. */
static int check_end(struct walk *w, plm_error *err)
{
	const struct archive_cert *sealer;
	const plm_roster_member *m;
	enum plm_policy_side side;
	const plm_roster *roster;
	size_t i;

	if (!w->head_checked && check_head(w, err) != 0)
		return err ? err->code : PLM_ERR_FORMAT;
	if (w->review->roster == NULL)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "the archive holds no roster of review %s",
		                     w->h->review_id);
	for (i = 0; i < w->sum->n_keys; i++)
		if (!w->sum->keys[i].named)
			return plm_error_set(err, PLM_ERR_MISMATCH,
			                     "the archive holds a key of channel %s for epoch "
			                     "%" PRIu64 " that no epoch-keys record names",
			                     w->sum->keys[i].channel, w->sum->keys[i].epoch);
	sealer = archive_find_cert(w->sum, w->h->sealer);
	if (sealer == NULL)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the archive's sealer (header) has no certificate in it");
	if (sealer->revoked)
		return plm_error_set(err, PLM_ERR_SIGNATURE,
		                     "the archive's sealer %s had its certificate revoked",
		                     sealer->cert.user_id);
	if (plm_review_member(w->review, w->h->sealer, &m, &side, NULL) != 0 ||
	    side != PLM_SIDE_SECRETARIAT)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "the archive was sealed by %s (%s), who is not the "
		                     "secretariat of review %s",
		                     sealer->cert.user_id, sealer->cert.state, w->h->review_id);
	if (plm_archive_reader_verify(w->reader, &sealer->cert.keys, err) != 0)
		return err ? err->code : PLM_ERR_SIGNATURE;
	plm_archive_reader_digest(w->reader, w->sum->digest);
	snprintf(w->sum->stage, sizeof(w->sum->stage), "%s", w->review->stage);
	roster = &w->review->roster->body.roster;
	if ((w->sum->members = malloc((roster->n_members ? roster->n_members : 1) *
	                              sizeof(*w->sum->members))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	memcpy(w->sum->members, roster->members, roster->n_members * sizeof(*roster->members));
	w->sum->n_members = roster->n_members;
	return 0;
}

int archive_check(int fd, const unsigned char *trust, const struct archive_hooks *hooks,
                  struct archive_summary *sum, plm_error *err)
{
	char want[PLM_FPR_TEXT_BYTES], have[PLM_FPR_TEXT_BYTES];
	struct archive_place *place;
	struct walk w;
	plm_error why;
	int r;

	memset(sum, 0, sizeof(*sum));
	memset(&w, 0, sizeof(w));
	w.sum = sum;
	w.hooks = hooks;
	if ((r = plm_archive_reader_new(&w.reader, fd, err)) != 0)
		return r;
	w.h = plm_archive_reader_header(w.reader);
	sum->header = *w.h;
	sum->header.policy = NULL;
	if (trust != NULL && memcmp(trust, w.h->root, PLM_FPR_BYTES) != 0) {
		plm_fingerprint_format(want, trust);
		plm_fingerprint_format(have, w.h->root);
		r = plm_error_set(err, PLM_ERR_SIGNATURE,
		                  "the archive is sealed under the root %s, not the root you "
		                  "trust (%s)",
		                  have, want);
		goto out;
	}
	if ((r = plm_policy_parse("the archived policy", (const char *)w.h->policy,
	                          w.h->policy_len, &w.policy, &why)) != 0) {
		r = plm_error_set(err, r, "the archive's policy file (header): %s", why.message);
		goto out;
	}
	if ((r = plm_review_new(&w.review, w.policy, err)) != 0)
		goto out;
	for (;;) {
		r = plm_archive_reader_next(w.reader, &w.item, err);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		if (w.item.tag == PLM_ARCHIVE_CHANNEL_KEY)
			snprintf(w.desc, sizeof(w.desc), "archive item %" PRIu64 " (key of channel %s, "
			         "epoch %" PRIu64 ")", w.item.number, w.item.channel, w.item.epoch);
		else
			snprintf(w.desc, sizeof(w.desc),
			         "archive item %" PRIu64 " (%s at log index %" PRIu64 ")",
			         w.item.number, plm_archive_tag_name(w.item.tag), w.item.seq);
		if ((place = grow(&sum->places, &sum->n_places, &sum->cap_places, sizeof(*place),
		                  err)) == NULL) {
			r = PLM_ERR_NOMEM;
			goto out;
		}
		place->number = w.item.number;
		place->offset = w.item.offset;
		place->length = w.item.length;
		place->seq = w.item.seq;
		place->tag = w.item.tag;
		if ((r = check_item(&w, err)) != 0)
			goto out;
		sum->items++;
	}
	r = check_end(&w, err);
out:
	plm_review_free(w.review);
	plm_policy_free(w.policy);
	plm_archive_reader_free(w.reader);
	return r < 0 ? r : 0;
}
