/*
 * disclosure.c - disclosure records (PROTOCOL.md §5.6): the SUR's focal
 * point opens one document to every State party (its key wrapped under the
 * parties group's channel key) or to the public (its key in clear), with no
 * re-upload of the document. Framing in record.c.
 */
#include "keys/record.h"

#include <string.h>

#include "keys/codec.h"
#include "keys/record_body.h"

#define DISCLOSURE_DOMAIN "palermo/v1/disclosure"
#define DISCLOSURE_AD_MAX                                                              \
	(sizeof(DISCLOSURE_DOMAIN) + PLM_RECORD_ID_MAX + PLM_HASH_BYTES)

/* PROTOCOL.md §5.6 */
int plm_disclosure_body_check(const plm_record *record, plm_error *err)
{
	const plm_disclosure *d = &record->body.disclosure;
	int r;

	if ((r = plm_record_check_review_id(err, "disclosure", d->review_id,
	                                    sizeof(d->review_id))) != 0)
		return r;
	if (d->scope != PLM_DISCLOSE_PARTIES && d->scope != PLM_DISCLOSE_PUBLIC)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "disclosure: scope %u is not one of 1 (parties), "
		                     "2 (public)",
		                     d->scope);
	if (d->scope == PLM_DISCLOSE_PARTIES && d->parties_epoch == 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "disclosure: the parties group's epochs start "
		                     "at 1, parties_epoch 0 names none");
	return 0;
}

void plm_disclosure_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_disclosure *d = &record->body.disclosure;

	plm_wbuf_str(b, "review_id", d->review_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_put(b, d->envelope_id, PLM_HASH_BYTES);
	plm_wbuf_u8(b, d->scope);
	if (d->scope == PLM_DISCLOSE_PARTIES) {
		plm_wbuf_u64(b, d->parties_epoch);
		plm_wbuf_put(b, d->wrapped_key, PLM_WRAPPED_KEY_BYTES);
	} else {
		plm_wbuf_put(b, d->public_key, PLM_KEY_BYTES);
	}
	plm_wbuf_u64(b, d->created_at);
}

void plm_disclosure_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_disclosure *d = &record->body.disclosure;

	PLM_READ_STR8(r, "review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, d->review_id);
	plm_rbuf_fixed(r, "envelope_id", d->envelope_id, PLM_HASH_BYTES);
	if (plm_rbuf_u8(r, "scope", &d->scope) != 0)
		return;
	switch (d->scope) {
	case PLM_DISCLOSE_PARTIES:
		plm_rbuf_u64(r, "parties_epoch", &d->parties_epoch);
		plm_rbuf_fixed(r, "wrapped_key", d->wrapped_key, PLM_WRAPPED_KEY_BYTES);
		break;
	case PLM_DISCLOSE_PUBLIC:
		plm_rbuf_fixed(r, "document_key", d->public_key, PLM_KEY_BYTES);
		break;
	default:
		/* The rest of the body depends on the scope: stop here. */
		plm_rbuf_fail(r, PLM_ERR_FORMAT, "scope",
		              "scope %u is not one of 1 (parties), 2 (public)",
		              d->scope);
		return;
	}
	plm_rbuf_u64(r, "created_at", &d->created_at);
}

/*
 * The associated data that ties a wrapped document key to its review and
 * document (PROTOCOL.md §5.6): "palermo/v1/disclosure" NUL || review_id
 * bytes || envelope_id. D's review_id must have been checked.
 */
static size_t disclosure_ad(unsigned char out[DISCLOSURE_AD_MAX],
                            const plm_disclosure *d)
{
	size_t n = 0, id_len = strlen(d->review_id);

	memcpy(out, DISCLOSURE_DOMAIN, sizeof(DISCLOSURE_DOMAIN)); /* with NUL */
	n += sizeof(DISCLOSURE_DOMAIN);
	memcpy(out + n, d->review_id, id_len);
	n += id_len;
	memcpy(out + n, d->envelope_id, PLM_HASH_BYTES);
	n += PLM_HASH_BYTES;
	return n;
}

int plm_disclosure_set_key(plm_disclosure *disclosure,
                           const unsigned char document_key[PLM_KEY_BYTES],
                           const unsigned char *parties_key, plm_error *err)
{
	unsigned char ad[DISCLOSURE_AD_MAX];
	int r;

	if ((r = plm_record_check_review_id(err, "disclosure", disclosure->review_id,
	                                    sizeof(disclosure->review_id))) != 0)
		return r;
	switch (disclosure->scope) {
	case PLM_DISCLOSE_PARTIES:
		if (parties_key == NULL)
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "a disclosure to the parties needs the "
			                     "parties group's channel key");
		return plm_key_wrap(disclosure->wrapped_key, document_key, parties_key,
		                    ad, disclosure_ad(ad, disclosure), err);
	case PLM_DISCLOSE_PUBLIC:
		memcpy(disclosure->public_key, document_key, PLM_KEY_BYTES);
		return 0;
	}
	return plm_error_set(err, PLM_ERR_INVALID,
	                     "set the disclosure's scope (parties or public) "
	                     "before its key");
}

int plm_disclosure_document_key(const plm_record *record,
                                const unsigned char *parties_key, unsigned char **key,
                                plm_error *err)
{
	const plm_disclosure *d = &record->body.disclosure;
	unsigned char ad[DISCLOSURE_AD_MAX];
	unsigned char *out = NULL;
	int r;

	*key = NULL;
	if ((r = plm_record_expect_type(record, PLM_RECORD_DISCLOSURE, err)) != 0)
		goto out;
	if ((r = plm_disclosure_body_check(record, err)) != 0)
		goto out;
	if (d->scope == PLM_DISCLOSE_PARTIES && parties_key == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "this document was disclosed to the parties: its "
		                  "key opens only with the parties group's channel "
		                  "key");
		goto out;
	}
	if ((out = plm_secret_alloc(PLM_KEY_BYTES)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM,
		                  "out of secure memory for a document key");
		goto out;
	}
	if (d->scope == PLM_DISCLOSE_PARTIES)
		r = plm_key_unwrap(out, d->wrapped_key, parties_key, ad,
		                   disclosure_ad(ad, d), err);
	else
		memcpy(out, d->public_key, PLM_KEY_BYTES);
	if (r != 0)
		goto out;
	*key = out;
	out = NULL;
out:
	plm_secret_free(out);
	return r;
}
