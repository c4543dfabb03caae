/*
 * ex_history.c - the worked example of PROTOCOL.md §5.11: Italy's focal
 * point (Giulia Rossi) is replaced by Elena Neri at epoch 2, and the root
 * re-seals to her the key of channel review of epoch 1 in a history grant;
 * with the ids, fingerprint and commitment needed to check it by hand.
 *
 * The people (identities from example seeds, §3.6):
 *   0x01 the deployment root (UNODC secretariat)
 *   0x20 Giulia Rossi, focal point of Italy until epoch 1
 *   0x80 the focal point of France
 *   0xc0 Elena Neri, focal point of Italy from epoch 2
 */
#include "examples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/record.h"

#define T_2026_02_01 UINT64_C(1769904000)
#define T_2026_03_01 UINT64_C(1772323200)
#define REVIEW "untoc-ita-2026-c1"

enum { ROOT, ROSSI, MARTIN, NERI, N_PEOPLE };
static const unsigned char person_seed[N_PEOPLE] = {0x01, 0x20, 0x80, 0xc0};

/* Signs RECORD with SIGNER (dies on failure). */
static void sign(plm_record *record, const plm_identity *signer)
{
	plm_error err;
	int r;

	memset(&err, 0, sizeof(err));
	if ((r = plm_record_encode_sign(record, signer, NULL, NULL, &err)) != 0)
		example_die("plm_record_encode_sign", r, err.message);
}

/* A signed roster of the review at EPOCH after PREV (NULL), with TWO members. */
static plm_record *roster_of(const plm_identity *root, uint64_t epoch,
                             const plm_record *prev, const plm_identity *italy,
                             const char *italy_id, const plm_identity *france)
{
	plm_record *record = NULL;
	plm_roster *ro;
	plm_error err;
	int r;

	memset(&err, 0, sizeof(err));
	if ((r = plm_record_new(&record, PLM_RECORD_ROSTER, &err)) != 0)
		example_die("plm_record_new", r, err.message);
	ro = &record->body.roster;
	example_roster_head(ro, REVIEW, epoch, prev);
	ro->n_instruments = 1;
	strcpy(ro->instruments[0].name, "untoc");
	ro->instruments[0].n_reviewing = 1;
	strcpy(ro->instruments[0].reviewing[0], "FRA");
	if ((r = plm_roster_members_alloc(ro, 2, &err)) != 0)
		example_die("plm_roster_members_alloc", r, err.message);
	example_roster_member(&ro->members[0], italy, italy_id, "ITA", "focal_point");
	example_roster_member(&ro->members[1], france, "fr-fp-martin", "FRA", "focal_point");
	ro->created_at = epoch == 1 ? T_2026_02_01 : T_2026_03_01;
	plm_roster_sort(ro);
	sign(record, root);
	return record;
}

void examples_history(void)
{
	plm_identity *people[N_PEOPLE] = {NULL};
	plm_record *roster1, *roster2, *keys1, *grant = NULL;
	unsigned char channel_key[PLM_KEY_BYTES];
	unsigned char fpr[PLM_FPR_BYTES], *bytes = NULL, *opened = NULL;
	const unsigned char *grant_keys[1] = {channel_key};
	const char *channels[1] = {"review"};
	uint64_t epochs[1] = {1};
	plm_error err;
	char text[1024] = "";
	size_t len = 0;
	int i, r;

	memset(&err, 0, sizeof(err));
	example_people(people, person_seed, N_PEOPLE);
	/* Epoch 1: Rossi and Martin hold the review key 40 41 .. 5f. */
	roster1 = roster_of(people[ROOT], 1, NULL, people[ROSSI], "it-fp-rossi",
	                    people[MARTIN]);
	for (i = 0; i < PLM_KEY_BYTES; i++)
		channel_key[i] = (unsigned char)(0x40 + i);
	keys1 = example_review_keys(REVIEW, roster1, channel_key, people[ROSSI], people[MARTIN]);
	sign(keys1, people[ROOT]);
	/* Epoch 2: Neri replaces Rossi, and receives the key of epoch 1. */
	roster2 = roster_of(people[ROOT], 2, roster1, people[NERI], "it-fp-neri",
	                    people[MARTIN]);
	if ((r = plm_history_grant_build(&grant, roster2, &people[NERI]->pub, epochs,
	                                 channels, grant_keys, 1, T_2026_03_01, &err)) != 0 ||
	    (r = plm_record_encode_sign(grant, people[ROOT], &bytes, &len, &err)) != 0)
		example_die("plm_history_grant_build", r, err.message);
	/* What the example claims must hold: Neri opens the very key committed to. */
	if ((r = plm_history_grant_open(grant, 1, "review", keys1, people[NERI], &opened,
	                                &err)) != 0)
		example_die("plm_history_grant_open", r, err.message);
	plm_secret_free(opened);
	example_block("record-history-grant",
	              "History grant of review untoc-ita-2026-c1 under the roster of "
	              "epoch 2, to it-fp-neri (example seed 0xc0): the key of channel "
	              "review of epoch 1 (40 41 .. 5f) sealed to her, created "
	              "2026-03-01, signed by the root (example seed 0x01)",
	              bytes, len);
	plm_fingerprint(fpr, &people[NERI]->pub);
	example_add_line(text, sizeof(text), "it-fp-neri fingerprint", fpr, PLM_FPR_BYTES);
	example_add_line(text, sizeof(text), "roster epoch 1 id", roster1->id, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "roster epoch 2 id", roster2->id, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "epoch 1 key commitment",
	         keys1->body.epoch_keys.channels[0].commitment, PLM_HASH_BYTES);
	example_add_line(text, sizeof(text), "history grant id", grant->id, PLM_HASH_BYTES);
	example_text("record-history-ids", text);
	free(bytes);
	plm_record_free(grant);
	plm_record_free(keys1);
	plm_record_free(roster1);
	plm_record_free(roster2);
	for (i = 0; i < N_PEOPLE; i++)
		plm_identity_free(people[i]);
}
