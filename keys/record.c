/*
 * record.c - the framing shared by every signed record, the table of record
 * types, signing and verification (see record.h, PROTOCOL.md §5.1). The
 * bodies live in one file per type: certificate.c (certificate, revocation),
 * roster.c, epoch_keys.c, disclosure.c, workflow.c (agreement, stage),
 * enrollment.c, history_grant.c.
 */
#include "keys/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

/*
 * The record types (PROTOCOL.md §5.1). Adding a type: its number in
 * record.h, its body struct in plm_record's union, its four functions in
 * record_body.h, and one line here.
 */
static const struct plm_record_body_ops record_types[] = {
    {PLM_RECORD_CERTIFICATE, "certificate", plm_certificate_body_check,
     plm_certificate_body_encode, plm_certificate_body_decode, NULL},
    {PLM_RECORD_REVOCATION, "revocation", plm_revocation_body_check,
     plm_revocation_body_encode, plm_revocation_body_decode, NULL},
    {PLM_RECORD_ROSTER, "roster", plm_roster_body_check, plm_roster_body_encode,
     plm_roster_body_decode, plm_roster_body_free},
    {PLM_RECORD_EPOCH_KEYS, "epoch_keys", plm_epoch_keys_body_check,
     plm_epoch_keys_body_encode, plm_epoch_keys_body_decode, plm_epoch_keys_body_free},
    {PLM_RECORD_DISCLOSURE, "disclosure", plm_disclosure_body_check,
     plm_disclosure_body_encode, plm_disclosure_body_decode, NULL},
    {PLM_RECORD_AGREEMENT, "agreement", plm_agreement_body_check,
     plm_agreement_body_encode, plm_agreement_body_decode, NULL},
    {PLM_RECORD_STAGE, "stage", plm_stage_body_check, plm_stage_body_encode,
     plm_stage_body_decode, NULL},
    {PLM_RECORD_ENROLLMENT, "enrollment", plm_enrollment_body_check,
     plm_enrollment_body_encode, plm_enrollment_body_decode, NULL},
    {PLM_RECORD_HISTORY_GRANT, "history_grant", plm_history_grant_body_check,
     plm_history_grant_body_encode, plm_history_grant_body_decode,
     plm_history_grant_body_free},
    {PLM_RECORD_PARTIES_ROSTER, "parties_roster", plm_parties_roster_body_check,
     plm_parties_roster_body_encode, plm_parties_roster_body_decode,
     plm_parties_roster_body_free},
};

static const struct plm_record_body_ops *record_ops(int type)
{
	size_t i;

	for (i = 0; i < sizeof(record_types) / sizeof(record_types[0]); i++)
		if (record_types[i].type == type)
			return &record_types[i];
	return NULL;
}

const char *plm_record_type_name(int type)
{
	const struct plm_record_body_ops *ops = record_ops(type);

	return ops != NULL ? ops->name : NULL;
}

int plm_record_check_str(plm_error *err, const char *what, const char *field,
                         const char *s, size_t cap, size_t minlen, size_t maxlen,
                         enum plm_str_class cls)
{
	size_t len;

	if (memchr(s, '\0', cap) == NULL)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "%s: field %s is not terminated within its "
		                     "%zu bytes",
		                     what, field, cap);
	len = strlen(s);
	if (len < minlen || len > maxlen)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "%s: field %s is %zu bytes long, it must be "
		                     "%zu to %zu bytes",
		                     what, field, len, minlen, maxlen);
	if (!plm_str_valid(s, len, cls))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "%s: field %s contains characters that are not "
		                     "allowed there",
		                     what, field);
	return 0;
}

int plm_record_check_review_id(plm_error *err, const char *what, const char *s,
                               size_t cap)
{
	int r;

	if ((r = plm_record_check_str(err, what, "review_id", s, cap, 1,
	                              PLM_RECORD_ID_MAX, PLM_STR_ID)) != 0)
		return r;
	if (strcmp(s, PLM_PARTIES_REVIEW_ID) == 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "%s: the review id \"%s\" is reserved for the "
		                     "parties group and names no review",
		                     what, PLM_PARTIES_REVIEW_ID);
	return 0;
}

int plm_record_is_zero(const unsigned char *p, size_t n)
{
	unsigned char acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int plm_record_need(plm_rbuf *r, const char *field, size_t count,
                    size_t min_entry_bytes)
{
	size_t left = plm_rbuf_left(r);

	if (r->status != 0)
		return r->status;
	if (count > left / min_entry_bytes)
		return plm_rbuf_fail(r, PLM_ERR_TRUNCATED, field,
		                     "%zu entries need at least %zu bytes but only "
		                     "%zu are left",
		                     count, count * min_entry_bytes, left);
	return 0;
}

int plm_record_new(plm_record **out, int type, plm_error *err)
{
	plm_record *record;

	*out = NULL;
	if (record_ops(type) == NULL)
		return plm_error_set(err, PLM_ERR_TYPE,
		                     "record type %d is not known to this version "
		                     "of Palermo",
		                     type);
	record = calloc(1, sizeof(*record));
	if (record == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "out of memory for a signed record");
	record->type = (uint8_t)type;
	*out = record;
	return 0;
}

void plm_record_free(plm_record *record)
{
	const struct plm_record_body_ops *ops;

	if (record == NULL)
		return;
	ops = record_ops(record->type);
	if (ops != NULL && ops->free != NULL)
		ops->free(record);
	free(record->encoding);
	free(record);
}

/*
 * Checks RECORD against every rule of its type and encodes it with SIGNER
 * and SIGNATURE (PROTOCOL.md §5.1) into a fresh buffer *OUT (caller frees
 * with free()). Fails with PLM_ERR_TYPE, or the body check's code, before
 * writing anything; PLM_ERR_LIMIT if the body is over PLM_RECORD_BODY_MAX.
 */
static int record_encode(const plm_record *record,
                         const unsigned char signer[PLM_FPR_BYTES],
                         const unsigned char signature[PLM_SIG_BYTES],
                         unsigned char **out, size_t *outlen, plm_error *err)
{
	const struct plm_record_body_ops *ops = record_ops(record->type);
	plm_wbuf b;
	size_t body_len;
	int r;

	*out = NULL;
	*outlen = 0;
	plm_wbuf_init(&b, PLM_RECORD_MAX_BYTES, "signed record", err);
	if (ops == NULL) {
		r = plm_error_set(err, PLM_ERR_TYPE,
		                  "record type %d is not known to this version of "
		                  "Palermo",
		                  record->type);
		goto out;
	}
	if ((r = ops->check(record, err)) != 0)
		goto out;
	plm_wbuf_u8(&b, PLM_RECORD_VERSION);
	plm_wbuf_u8(&b, record->type);
	plm_wbuf_u32(&b, 0); /* body_len, filled in below */
	ops->encode(&b, record);
	if ((r = plm_wbuf_status(&b)) != 0)
		goto out;
	body_len = b.len - PLM_RECORD_HEADER_BYTES;
	if (body_len > PLM_RECORD_BODY_MAX) {
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "the %s body is %zu bytes long, over the limit of "
		                  "%u bytes",
		                  ops->name, body_len, PLM_RECORD_BODY_MAX);
		goto out;
	}
	plm_store_u32(b.data + 2, (uint32_t)body_len);
	plm_wbuf_put(&b, signer, PLM_FPR_BYTES);
	plm_wbuf_put(&b, signature, PLM_SIG_BYTES);
	r = plm_wbuf_finish(&b, out, outlen);
out:
	plm_wbuf_free(&b);
	return r;
}

int plm_record_encode(const plm_record *record, unsigned char **out, size_t *outlen,
                      plm_error *err)
{
	return record_encode(record, record->signer, record->signature, out, outlen,
	                     err);
}

int plm_record_encode_sign(plm_record *record, const plm_identity *signer,
                           unsigned char **out, size_t *outlen, plm_error *err)
{
	static const unsigned char no_signature[PLM_SIG_BYTES];
	unsigned char fingerprint[PLM_FPR_BYTES];
	unsigned char *bytes = NULL, *copy = NULL;
	size_t len = 0, signed_len;
	int r;

	if (out != NULL) {
		*out = NULL;
		*outlen = 0;
	}
	if (signer == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "a record needs a signer identity to be signed");
		goto out;
	}
	plm_fingerprint(fingerprint, &signer->pub);
	if ((r = record_encode(record, fingerprint, no_signature, &bytes, &len, err)) !=
	    0)
		goto out;
	/* PROTOCOL.md §5.1: the signature covers version .. signer fingerprint. */
	signed_len = len - PLM_SIG_BYTES;
	if ((r = plm_sign(bytes + signed_len, plm_record_type_name(record->type), bytes,
	                  signed_len, signer->sign_sk, err)) != 0)
		goto out;
	if (out != NULL) {
		if ((copy = malloc(len)) == NULL) {
			r = plm_error_set(err, PLM_ERR_NOMEM,
			                  "out of memory for a signed record");
			goto out;
		}
		memcpy(copy, bytes, len);
	}
	memcpy(record->signer, fingerprint, PLM_FPR_BYTES);
	memcpy(record->signature, bytes + signed_len, PLM_SIG_BYTES);
	plm_hash(record->id, bytes, len);
	free(record->encoding);
	record->encoding = bytes;
	record->encoding_len = len;
	bytes = NULL;
	if (out != NULL) {
		*out = copy;
		*outlen = len;
		copy = NULL;
	}
out:
	free(bytes);
	free(copy);
	return r;
}

int plm_record_decode(const unsigned char *in, size_t len, plm_record **out,
                      plm_error *err)
{
	const struct plm_record_body_ops *ops = NULL;
	plm_record *record = NULL;
	const unsigned char *body = NULL;
	plm_rbuf frame, rbody;
	uint8_t version = 0, type = 0;
	uint32_t body_len = 0;
	char what[40];
	int r;

	*out = NULL;
	/* PROTOCOL.md §5.1: the framing first, the body once it is complete. */
	plm_rbuf_init(&frame, in, len, "signed record", err);
	if ((r = plm_rbuf_u8(&frame, "version", &version)) != 0)
		goto out;
	if (version != PLM_RECORD_VERSION) {
		r = plm_rbuf_fail(&frame, PLM_ERR_VERSION, "version",
		                  "version %u is not supported (this is version %d)",
		                  version, PLM_RECORD_VERSION);
		goto out;
	}
	if ((r = plm_rbuf_u8(&frame, "type", &type)) != 0)
		goto out;
	if ((ops = record_ops(type)) == NULL) {
		r = plm_rbuf_fail(&frame, PLM_ERR_TYPE, "type",
		                  "record type %u is not known to this version", type);
		goto out;
	}
	if ((r = plm_rbuf_u32(&frame, "body_len", &body_len)) != 0)
		goto out;
	if (body_len > PLM_RECORD_BODY_MAX) {
		r = plm_rbuf_fail(&frame, PLM_ERR_LIMIT, "body_len",
		                  "a body of %u bytes is over the limit of %u",
		                  body_len, PLM_RECORD_BODY_MAX);
		goto out;
	}
	if ((r = plm_record_new(&record, type, err)) != 0)
		goto out;
	plm_rbuf_view(&frame, "body", body_len, &body);
	plm_rbuf_fixed(&frame, "signer", record->signer, PLM_FPR_BYTES);
	plm_rbuf_fixed(&frame, "signature", record->signature, PLM_SIG_BYTES);
	if ((r = plm_rbuf_end(&frame)) != 0)
		goto out;

	snprintf(what, sizeof(what), "%s body", ops->name);
	plm_rbuf_init(&rbody, body, body_len, what, err);
	ops->decode(&rbody, record);
	if ((r = plm_rbuf_end(&rbody)) != 0)
		goto out;
	if ((r = ops->check(record, err)) != 0)
		goto out;

	if ((record->encoding = malloc(len)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM,
		                  "out of memory for a signed record");
		goto out;
	}
	memcpy(record->encoding, in, len);
	record->encoding_len = len;
	plm_hash(record->id, in, len);
	*out = record;
	record = NULL;
out:
	plm_record_free(record);
	return r;
}

/*
 * The signed part of RECORD's kept encoding and the type name its type byte
 * selects; PLM_ERR_INVALID if there is no well-framed encoding to verify.
 */
static int record_signed_part(const plm_record *record, const char **type_name,
                              size_t *signed_len, plm_error *err)
{
	const unsigned char *e = record->encoding;

	if (e == NULL ||
	    record->encoding_len < PLM_RECORD_HEADER_BYTES + PLM_RECORD_TRAILER_BYTES ||
	    (*type_name = plm_record_type_name(e[1])) == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the record has no encoding to verify: decode "
		                     "it or sign it first");
	*signed_len = record->encoding_len - PLM_SIG_BYTES;
	return 0;
}

int plm_record_verify(const plm_record *record,
                      const unsigned char sign_pk[PLM_SIGN_PK_BYTES], plm_error *err)
{
	const char *type_name = NULL;
	size_t signed_len = 0;
	int r;

	if ((r = record_signed_part(record, &type_name, &signed_len, err)) != 0)
		return r;
	/* The type byte inside the signed bytes picks the domain string. */
	return plm_verify(record->encoding + signed_len, type_name, record->encoding,
	                  signed_len, sign_pk, err);
}

int plm_record_verify_signer(const plm_record *record, const plm_pubkeys *signer,
                             plm_error *err)
{
	unsigned char fingerprint[PLM_FPR_BYTES];
	const char *type_name = NULL;
	size_t signed_len = 0;
	int r;

	if ((r = record_signed_part(record, &type_name, &signed_len, err)) != 0)
		return r;
	plm_fingerprint(fingerprint, signer);
	/* The signer fingerprint is the last field before the signature. */
	if (memcmp(fingerprint, record->encoding + signed_len - PLM_FPR_BYTES,
	           PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the %s record names another signer than the "
		                     "key it is being verified with",
		                     type_name);
	return plm_verify(record->encoding + signed_len, type_name, record->encoding,
	                  signed_len, signer->sign_pk, err);
}

int plm_record_expect_type(const plm_record *record, int type, plm_error *err)
{
	const char *want = plm_record_type_name(type);
	const char *have = plm_record_type_name(record->type);

	if (record->type == type && want != NULL)
		return 0;
	return plm_error_set(
	    err, PLM_ERR_TYPE, "expected a %s record but this is a %s record",
	    want != NULL ? want : "(unknown)", have != NULL ? have : "(unknown)");
}

const char *plm_record_review(const plm_record *record)
{
	switch (record->type) {
	case PLM_RECORD_ROSTER:
		return record->body.roster.review_id;
	case PLM_RECORD_EPOCH_KEYS:
		return record->body.epoch_keys.review_id;
	case PLM_RECORD_DISCLOSURE:
		return record->body.disclosure.review_id;
	case PLM_RECORD_AGREEMENT:
		return record->body.agreement.review_id;
	case PLM_RECORD_STAGE:
		return record->body.stage.review_id;
	case PLM_RECORD_HISTORY_GRANT:
		return record->body.history_grant.review_id;
	case PLM_RECORD_PARTIES_ROSTER:
		return PLM_PARTIES_REVIEW_ID;
	}
	return NULL;
}
