/*
 * workflow.c - the bodies of the records that move a review along:
 * agreements (PROTOCOL.md §5.7) and stage transitions (§5.8). Framing in
 * record.c. Who may sign them is the policy's decision, not this file's.
 */
#include "keys/record.h"

#include "keys/codec.h"
#include "keys/record_body.h"

/* PROTOCOL.md §5.7 */
int plm_agreement_body_check(const plm_record *record, plm_error *err)
{
	const plm_agreement *a = &record->body.agreement;
	int r;

	if ((r = plm_record_check_review_id(err, "agreement", a->review_id,
	                                    sizeof(a->review_id))) != 0 ||
	    (r = PLM_CHECK_STR(err, "agreement", "kind", a->kind, 1,
	                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0 ||
	    (r = PLM_CHECK_STR(err, "agreement", "state", a->state,
	                       PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	                       PLM_STR_STATE)) != 0)
		return r;
	return 0;
}

void plm_agreement_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_agreement *a = &record->body.agreement;

	plm_wbuf_str(b, "review_id", a->review_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_put(b, a->document, PLM_HASH_BYTES);
	plm_wbuf_str(b, "kind", a->kind, 1, 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME);
	plm_wbuf_str(b, "state", a->state, 1, PLM_RECORD_STATE_MIN,
	             PLM_RECORD_STATE_MAX, PLM_STR_STATE);
	plm_wbuf_u64(b, a->created_at);
}

void plm_agreement_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_agreement *a = &record->body.agreement;

	PLM_READ_STR8(r, "review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, a->review_id);
	plm_rbuf_fixed(r, "document", a->document, PLM_HASH_BYTES);
	PLM_READ_STR8(r, "kind", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME, a->kind);
	PLM_READ_STR8(r, "state", PLM_RECORD_STATE_MIN, PLM_RECORD_STATE_MAX,
	              PLM_STR_STATE, a->state);
	plm_rbuf_u64(r, "created_at", &a->created_at);
}

/* PROTOCOL.md §5.8 */
int plm_stage_body_check(const plm_record *record, plm_error *err)
{
	const plm_stage *s = &record->body.stage;
	int r;

	if ((r = plm_record_check_review_id(err, "stage", s->review_id,
	                                    sizeof(s->review_id))) != 0 ||
	    (r = PLM_CHECK_STR(err, "stage", "from_stage", s->from_stage, 1,
	                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0 ||
	    (r = PLM_CHECK_STR(err, "stage", "to_stage", s->to_stage, 1,
	                       PLM_RECORD_NAME_MAX, PLM_STR_NAME)) != 0)
		return r;
	if (s->sequence == 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "stage: sequence numbers start at 1");
	return 0;
}

void plm_stage_body_encode(plm_wbuf *b, const plm_record *record)
{
	const plm_stage *s = &record->body.stage;

	plm_wbuf_str(b, "review_id", s->review_id, 1, 1, PLM_RECORD_ID_MAX, PLM_STR_ID);
	plm_wbuf_u64(b, s->sequence);
	plm_wbuf_str(b, "from_stage", s->from_stage, 1, 1, PLM_RECORD_NAME_MAX,
	             PLM_STR_NAME);
	plm_wbuf_str(b, "to_stage", s->to_stage, 1, 1, PLM_RECORD_NAME_MAX,
	             PLM_STR_NAME);
	plm_wbuf_u64(b, s->effective_at);
}

void plm_stage_body_decode(plm_rbuf *r, plm_record *record)
{
	plm_stage *s = &record->body.stage;

	PLM_READ_STR8(r, "review_id", 1, PLM_RECORD_ID_MAX, PLM_STR_ID, s->review_id);
	plm_rbuf_u64(r, "sequence", &s->sequence);
	PLM_READ_STR8(r, "from_stage", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME,
	              s->from_stage);
	PLM_READ_STR8(r, "to_stage", 1, PLM_RECORD_NAME_MAX, PLM_STR_NAME, s->to_stage);
	plm_rbuf_u64(r, "effective_at", &s->effective_at);
}
