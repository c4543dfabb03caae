/*
 * ex_records.c - worked examples of PROTOCOL.md §5: a certificate, the
 * first roster of a review, the epoch keys signed beside it, an agreement
 * and an enrollment request, with the fingerprints, ids and hashes needed
 * to check them by hand.
 *
 * The people (identities from example seeds, §3.6):
 *   0x01 the deployment root (UNODC secretariat)
 *   0x20 Giulia Rossi, focal point of Italy (the State under review)
 *   0x60 an expert of Brazil (reviewing State)
 *   0x80 the focal point of France (reviewing State)
 *   0xa0 a member of the secretariat
 */
#include "examples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/record.h"

#define T_2026_01_01 UINT64_C(1767225600)
#define T_2026_02_01 UINT64_C(1769904000)
#define T_2028_01_01 UINT64_C(1830297600)
#define T_2025_12_15 UINT64_C(1765756800)
#define INVITATION_CODE "7KQ2-M9XD-4HTW-0PB1-RZ8C"
#define REVIEW "untoc-ita-2026-c1"

enum { ROOT, ROSSI, SILVA, MARTIN, SECRETARIAT, N_PEOPLE };
static const unsigned char person_seed[N_PEOPLE] = {0x01, 0x20, 0x60, 0x80, 0xa0};

/* Signs RECORD with SIGNER and prints it as block NAME. */
static void print_record(const char *name, const char *caption, plm_record *record,
                         const plm_identity *signer)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	plm_error err;
	int r;

	memset(&err, 0, sizeof(err));
	if ((r = plm_record_encode_sign(record, signer, &bytes, &len, &err)) != 0)
		example_die(name, r, err.message);
	example_block(name, caption, bytes, len);
	free(bytes);
}

void examples_records(void)
{
	plm_identity *people[N_PEOPLE] = {NULL};
	plm_record *cert = NULL, *roster = NULL, *keys = NULL, *agreement = NULL;
	plm_record *enrollment = NULL;
	unsigned char channel_key[PLM_KEY_BYTES];
	unsigned char fpr[PLM_FPR_BYTES];
	plm_roster *ro;
	plm_error err;
	char text[1024];
	int i, r;

	memset(&err, 0, sizeof(err));
	example_people(people, person_seed, N_PEOPLE);

	/* §5.2: Giulia Rossi's certificate, signed by the root. */
	if ((r = plm_record_new(&cert, PLM_RECORD_CERTIFICATE, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	cert->body.certificate.serial = 2;
	strcpy(cert->body.certificate.user_id, "it-fp-rossi");
	strcpy(cert->body.certificate.display_name, "Giulia Rossi");
	strcpy(cert->body.certificate.state, "ITA");
	cert->body.certificate.usage = PLM_USAGE_MEMBER;
	cert->body.certificate.keys = people[ROSSI]->pub;
	cert->body.certificate.not_before = T_2026_01_01;
	cert->body.certificate.not_after = T_2028_01_01;
	print_record("record-certificate",
	             "Certificate serial 2 of it-fp-rossi, \"Giulia Rossi\", ITA, "
	             "usage member, keys of example seed 0x20, valid from "
	             "2026-01-01 to 2028-01-01, signed by the root (example seed "
	             "0x01)",
	             cert, people[ROOT]);

	/* §5.4: the first roster of the review. */
	if ((r = plm_record_new(&roster, PLM_RECORD_ROSTER, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	ro = &roster->body.roster;
	example_roster_head(ro, REVIEW, 1, NULL); /* prev_roster stays all zero */
	ro->n_instruments = 2;
	strcpy(ro->instruments[0].name, "untoc");
	strcpy(ro->instruments[1].name, "tip");
	for (i = 0; i < 2; i++) {
		ro->instruments[i].n_reviewing = 2;
		strcpy(ro->instruments[i].reviewing[0], "FRA");
		strcpy(ro->instruments[i].reviewing[1], "BRA");
	}
	if ((r = plm_roster_members_alloc(ro, 4, &err)) != 0)
		example_die("plm_roster_members_alloc", r, err.message);
	example_roster_member(&ro->members[0], people[ROSSI], "it-fp-rossi", "ITA",
	                  "focal_point");
	example_roster_member(&ro->members[1], people[SILVA], "br-exp-silva", "BRA",
	                  "expert");
	example_roster_member(&ro->members[2], people[MARTIN], "fr-fp-martin", "FRA",
	                  "focal_point");
	example_roster_member(&ro->members[3], people[SECRETARIAT], "unodc-sec-1", "UNODC",
	                  "secretariat");
	ro->created_at = T_2026_02_01;
	plm_roster_sort(ro);
	print_record("record-roster",
	             "Roster of review " REVIEW ", epoch 1: SUR ITA, cluster "
	             "criminalization, instruments tip and untoc reviewed by BRA "
	             "and FRA, language en, four members, policy digest "
	             "BLAKE2b-256(\"example policy\"), created 2026-02-01, signed "
	             "by the root",
	             roster, people[ROOT]);

	/* §5.5: the review channel's key for epoch 1, sealed to two members. */
	example_seed(channel_key, 0x40);
	keys = example_review_keys(REVIEW, roster, channel_key, people[ROSSI], people[MARTIN]);
	print_record("record-epoch-keys",
	             "Epoch keys of review " REVIEW ", epoch 1, for the roster "
	             "above: channel review, key 40 41 .. 5f, sealed to "
	             "it-fp-rossi and fr-fp-martin, signed by the root",
	             keys, people[ROOT]);

	/* §5.7: France agrees to a draft list of observations. */
	if ((r = plm_record_new(&agreement, PLM_RECORD_AGREEMENT, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	strcpy(agreement->body.agreement.review_id, REVIEW);
	plm_hash(agreement->body.agreement.document, "draft list of observations", 26);
	strcpy(agreement->body.agreement.kind, "list_of_observations");
	strcpy(agreement->body.agreement.state, "FRA");
	agreement->body.agreement.created_at = T_2026_02_01;
	print_record("record-agreement",
	             "Agreement of FRA to the draft whose envelope id is "
	             "BLAKE2b-256(\"draft list of observations\"), kind "
	             "list_of_observations, created 2026-02-01, signed by "
	             "fr-fp-martin (example seed 0x80)",
	             agreement, people[MARTIN]);

	text[0] = '\0';
	plm_fingerprint(fpr, &people[ROOT]->pub);
	example_add_line(text, sizeof(text), "root fingerprint", fpr, sizeof(fpr));
	plm_fingerprint(fpr, &people[ROSSI]->pub);
	example_add_line(text, sizeof(text), "it-fp-rossi fingerprint", fpr, sizeof(fpr));
	plm_fingerprint(fpr, &people[MARTIN]->pub);
	example_add_line(text, sizeof(text), "fr-fp-martin fingerprint", fpr, sizeof(fpr));
	example_add_line(text, sizeof(text), "certificate id", cert->id, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "roster id", roster->id, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "epoch keys id", keys->id, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "review key commitment",
	         keys->body.epoch_keys.channels[0].commitment, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "agreement id", agreement->id, PLM_HASH_BYTES);
	example_text("record-ids", text);

	/* §5.10: Giulia Rossi's enrollment request, signed by her own new keys. */
	if ((r = plm_record_new(&enrollment, PLM_RECORD_ENROLLMENT, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	strcpy(enrollment->body.enrollment.user_id, "it-fp-rossi");
	strcpy(enrollment->body.enrollment.display_name, "Giulia Rossi");
	strcpy(enrollment->body.enrollment.state, "ITA");
	enrollment->body.enrollment.keys = people[ROSSI]->pub;
	enrollment->body.enrollment.created_at = T_2025_12_15;
	if ((r = plm_invitation_code_hash(enrollment->body.enrollment.invitation,
	                                  INVITATION_CODE, &err)) != 0)
		example_die("plm_invitation_code_hash", r, err.message);
	print_record("record-enrollment",
	             "Enrollment request of it-fp-rossi, \"Giulia Rossi\", ITA, "
	             "keys of example seed 0x20, created 2025-12-15, for the "
	             "invitation code " INVITATION_CODE ", signed by those keys",
	             enrollment, people[ROSSI]);
	text[0] = '\0';
	snprintf(text, sizeof(text), "%-24s %s", "invitation code", INVITATION_CODE);
	example_add_line(text, sizeof(text), "invitation hash",
	         enrollment->body.enrollment.invitation, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "enrollment id", enrollment->id, PLM_HASH_BYTES);
	example_text("record-enrollment-ids", text);

	plm_record_free(enrollment);
	plm_record_free(cert);
	plm_record_free(roster);
	plm_record_free(keys);
	plm_record_free(agreement);
	for (i = 0; i < N_PEOPLE; i++)
		plm_identity_free(people[i]);
}
