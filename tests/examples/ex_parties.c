/*
 * ex_parties.c - the worked examples of PROTOCOL.md §5.12 and §10: a parties
 * roster of epoch 2 (chained to epoch 1 and carrying epoch 1's key wrapped
 * under its own), a disclosure to the parties, and the first bytes of a
 * disclosure bundle.
 */
#include "examples.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/bundle.h"
#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/record.h"

#define T_2026_03_01 UINT64_C(1772323200)
#define REVIEW "untoc-ita-2026-c1"

enum { ROOT, ROSSI, WEBER, N_PEOPLE };
static const unsigned char person_seed[N_PEOPLE] = {0x01, 0x20, 0xc0};

/* Signs RECORD with SIGNER (fills its id and encoding) and prints it as NAME. */
static void sign_print(const char *name, const char *caption, plm_record *record,
                       const plm_identity *signer)
{
	plm_error err;
	int r;

	memset(&err, 0, sizeof(err));
	if ((r = plm_record_encode_sign(record, signer, NULL, NULL, &err)) != 0)
		example_die(name, r, err.message);
	example_block(name, caption, record->encoding, record->encoding_len);
}

static void member(plm_roster_member *m, const plm_identity *id, const char *user_id,
                   const char *state, const char *role)
{
	plm_fingerprint(m->fingerprint, &id->pub);
	snprintf(m->user_id, sizeof(m->user_id), "%s", user_id);
	snprintf(m->state, sizeof(m->state), "%s", state);
	snprintf(m->role, sizeof(m->role), "%s", role);
}

void examples_parties(void)
{
	plm_identity *people[N_PEOPLE] = {NULL};
	plm_record *roster = NULL, *disclosure = NULL;
	unsigned char key1[PLM_KEY_BYTES], key2[PLM_KEY_BYTES];
	unsigned char doc_key[PLM_KEY_BYTES], prev_id[PLM_HASH_BYTES];
	unsigned char head[PLM_BUNDLE_HEAD_BYTES + 2];
	char text[512], hex[2 * PLM_HASH_BYTES + 1];
	plm_parties_roster *p;
	plm_disclosure *d;
	plm_error err;
	size_t i;
	int r;

	memset(&err, 0, sizeof(err));
	example_people(people, person_seed, N_PEOPLE);
	example_seed(key1, 0x40); /* the parties key of epoch 1 */
	example_seed(key2, 0x60); /* of epoch 2 */
	example_seed(doc_key, 0x80);
	plm_hash(prev_id, "parties roster epoch 1", strlen("parties roster epoch 1"));

	/* §5.12: epoch 2 of the group, Rossi (ITA) and Weber (DEU). */
	if ((r = plm_record_new(&roster, PLM_RECORD_PARTIES_ROSTER, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	p = &roster->body.parties;
	p->epoch = 2;
	memcpy(p->prev_roster, prev_id, PLM_HASH_BYTES);
	plm_hash(p->policy_digest, "example policy", strlen("example policy"));
	p->created_at = T_2026_03_01;
	if ((r = plm_parties_members_alloc(p, 2, &err)) != 0 ||
	    (r = plm_parties_chain_wrap(p, key1, key2, &err)) != 0)
		example_die("parties roster", r, err.message);
	member(&p->members[0], people[ROSSI], "it-fp-rossi", "ITA", "focal_point");
	member(&p->members[1], people[WEBER], "de-fp-weber", "DEU", "focal_point");
	plm_parties_sort(p);
	sign_print(
	    "record-parties-roster",
	    "Parties roster of epoch 2: it-fp-rossi (ITA) and de-fp-weber (DEU), "
	    "focal points, after the roster whose id is BLAKE2b-256(\"parties "
	    "roster epoch 1\"), with the key of epoch 1 (40 41 .. 5f) wrapped "
	    "under the key of epoch 2 (60 61 .. 7f), policy digest "
	    "BLAKE2b-256(\"example policy\"), created 2026-03-01, signed by the "
	    "root",
	    roster, people[ROOT]);

	/* §5.6: Rossi discloses a document to the parties at epoch 2. */
	if ((r = plm_record_new(&disclosure, PLM_RECORD_DISCLOSURE, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	d = &disclosure->body.disclosure;
	snprintf(d->review_id, sizeof(d->review_id), "%s", REVIEW);
	plm_hash(d->envelope_id, "questionnaire responses",
	         strlen("questionnaire responses"));
	d->scope = PLM_DISCLOSE_PARTIES;
	d->parties_epoch = 2;
	d->created_at = T_2026_03_01;
	if ((r = plm_disclosure_set_key(d, doc_key, key2, &err)) != 0)
		example_die("plm_disclosure_set_key", r, err.message);
	sign_print(
	    "record-disclosure-parties",
	    "Disclosure to the parties of the envelope whose id is "
	    "BLAKE2b-256(\"questionnaire responses\") in review " REVIEW
	    ", document key 80 81 .. 9f wrapped under the parties key of epoch 2, "
	    "created 2026-03-01, signed by it-fp-rossi",
	    disclosure, people[ROSSI]);

	text[0] = '\0';
	plm_hex(hex, roster->id, PLM_HASH_BYTES);
	snprintf(text, sizeof(text), "parties roster id        %s\n", hex);
	plm_hex(hex, disclosure->id, PLM_HASH_BYTES);
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	         "disclosure id            %s", hex);
	example_text("parties-ids", text);

	/* §10: a bundle's first bytes, for a record section of 5000 bytes. */
	memcpy(head, PLM_BUNDLE_MAGIC, 8);
	head[8] = PLM_BUNDLE_VERSION;
	plm_store_u32(head + 9, 5000);
	head[13] = 0;
	head[14] = 5;
	example_block(
	    "bundle-head",
	    "The first 15 bytes of a bundle whose record section is 5000 bytes "
	    "long and holds 5 records",
	    head, sizeof(head));

	plm_record_free(roster);
	plm_record_free(disclosure);
	for (i = 0; i < N_PEOPLE; i++)
		plm_identity_free(people[i]);
}
