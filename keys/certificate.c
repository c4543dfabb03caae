/*
 * certificate.c - the bodies of certificates and revocations, both signed by
 * the deployment root (PROTOCOL.md §5.2, §5.3; framing in record.c).
 */
#include "keys/record.h"

#include "keys/codec.h"
#include "keys/record_body.h"

/* PROTOCOL.md §5.2: every rule a certificate body must meet. */
int plm_certificate_body_check(const plm_record *record, plm_error *err)
{
	const plm_certificate *c = &record->body.certificate;
	int r;

	if ((r = PLM_CHECK_STR(err, "certificate", "user_id", c->user_id, 1,
	                       PLM_RECORD_ID_MAX, PLM_STR_ID)) != 0 ||
	    (r = PLM_CHECK_STR(err, "certificate", "display_name", c->display_name, 1,
	                       PLM_RECORD_TEXT_MAX, PLM_STR_TEXT)) != 0 ||
	    (r = PLM_CHECK_STR(err, "certificate", "state", c->state,
	                       PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	                       PLM_STR_STATE)) != 0)
		return r;
	if (c->usage < PLM_USAGE_MEMBER || c->usage > PLM_USAGE_ROOT)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "certificate: usage %u is not one of 1 (member), "
		                     "2 (secretariat), 3 (log), 4 (root)",
		                     c->usage);
	if (c->not_before >= c->not_after)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "certificate: not_before must be earlier than "
		                     "not_after");
	return 0;
}

void plm_certificate_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_certificate *c = &record->body.certificate;

	plm_wbuf_u64(b, c->serial);
	plm_wbuf_str(b, "user_id", c->user_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_str(b, "display_name", c->display_name, 1, 1, PLM_RECORD_TEXT_MAX,
	             PLM_STR_TEXT);
	plm_wbuf_str(b, "state", c->state, 1, PLM_RECORD_STATE_MIN,
	             PLM_RECORD_STATE_MAX, PLM_STR_STATE);
	plm_wbuf_u8(b, c->usage);
	plm_wbuf_put(b, c->keys.sign_pk, PLM_SIGN_PK_BYTES);
	plm_wbuf_put(b, c->keys.box_pk, PLM_BOX_PK_BYTES);
	plm_wbuf_u64(b, c->not_before);
	plm_wbuf_u64(b, c->not_after);
}

void plm_certificate_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_certificate *c = &record->body.certificate;

	plm_rbuf_u64(r, "serial", &c->serial);
	PLM_READ_STR8(r, "user_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, c->user_id);
	PLM_READ_STR8(r, "display_name", 1, PLM_RECORD_TEXT_MAX, PLM_STR_TEXT,
	              c->display_name);
	PLM_READ_STR8(r, "state", PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	              PLM_STR_STATE, c->state);
	plm_rbuf_u8(r, "usage", &c->usage);
	plm_rbuf_fixed(r, "sign_pk", c->keys.sign_pk, PLM_SIGN_PK_BYTES);
	plm_rbuf_fixed(r, "box_pk", c->keys.box_pk, PLM_BOX_PK_BYTES);
	plm_rbuf_u64(r, "not_before", &c->not_before);
	plm_rbuf_u64(r, "not_after", &c->not_after);
}

void plm_certificate_fingerprint(unsigned char out[PLM_FPR_BYTES],
                                 const plm_certificate *certificate)
{
	plm_fingerprint(out, &certificate->keys);
}

/* PROTOCOL.md §5.3 */
int plm_revocation_body_check(const plm_record *record, plm_error *err)
{
	const plm_revocation *v = &record->body.revocation;

	if (v->reason < PLM_REVOKED_KEY_COMPROMISE ||
	    v->reason > PLM_REVOKED_LEFT_OFFICE)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "revocation: reason %u is not one of 1 "
		                     "(key_compromise), 2 (device_lost), "
		                     "3 (superseded), 4 (left_office)",
		                     v->reason);
	return 0;
}

void plm_revocation_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_revocation *v = &record->body.revocation;

	plm_wbuf_u64(b, v->serial);
	plm_wbuf_put(b, v->revoked, PLM_FPR_BYTES);
	plm_wbuf_u64(b, v->revoked_at);
	plm_wbuf_u8(b, v->reason);
}

void plm_revocation_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_revocation *v = &record->body.revocation;

	plm_rbuf_u64(r, "serial", &v->serial);
	plm_rbuf_fixed(r, "revoked", v->revoked, PLM_FPR_BYTES);
	plm_rbuf_u64(r, "revoked_at", &v->revoked_at);
	plm_rbuf_u8(r, "reason", &v->reason);
}
