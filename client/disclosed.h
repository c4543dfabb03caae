/*
 * disclosed.h - what was disclosed to all States parties, read by any
 * member of the parties group, whether or not their State is in the review
 * (PROTOCOL.md §5.6, docs/API.md §4.6): `palermo disclosed` lists it,
 * `palermo get ID` reads it.
 *
 * Nothing is taken on the server's word. For each disclosure: its record
 * decoded strictly and signed by a certified key; the review's rosters up
 * to it signed by the root and chained (policies/review.c replays them);
 * the rule that its signer is the focal point of the State under review
 * and the kind may be disclosed (plm_review_check_disclosure); every one of
 * these records, and the envelope, included in the log head this client
 * verified at its last sync. Then the envelope: the author's signature
 * with the author's certificate, the document key (unwrapped with the
 * parties group's key, or public) checked against the envelope's signed
 * key commitment, every chunk, before any plaintext is written.
 */
#ifndef PALERMO_DISCLOSED_H
#define PALERMO_DISCLOSED_H

#include <stdint.h>

#include "client/cli.h"
#include "client/sync.h"
#include "keys/manifest.h"

/* One verified disclosure. */
struct disclosed {
	char review[PLM_RECORD_ID_MAX + 1];
	int64_t seq;        /* the disclosure's log index */
	plm_record *record; /* the disclosure (owned) */
	char sur_state[PLM_RECORD_STATE_MAX + 1];
	char discloser[PLM_RECORD_ID_MAX + 1]; /* user id of its signer */
	char role[PLM_RECORD_NAME_MAX + 1];    /* the signer's role then */
	struct stored_envelope env; /* as listed; its header is checked on opening */
};

struct disclosed_list {
	struct disclosed *v;
	size_t n;
	size_t skipped; /* newer than the verified head: shown after the next sync */
};

/*
 * Fetches every disclosure of every review (GET /v1/disclosures) and
 * verifies each as above against the head kept by the last sync (run
 * sync_run first). What fails verification is reported through OBS's
 * refused callback (may be NULL) and left out. Free with disclosed_free.
 */
int disclosed_fetch(struct cli *cli, const struct sync_observer *obs,
                    struct disclosed_list *out, plm_error *err);
void disclosed_free(struct disclosed_list *list);

/*
 * Downloads, verifies and decrypts the envelope of D into OUT_PATH (NULL:
 * verify only), MANIFEST (plm_manifest_new memory) filled on success.
 * Errors: PLM_ERR_NOTFOUND (no key: not in the parties group), the
 * envelope's verification errors, PLM_ERR_PROOF, PLM_ERR_NET, PLM_ERR_IO.
 */
int disclosed_open(struct cli *cli, const struct disclosed *d, const char *out_path,
                   plm_manifest *manifest, plm_error *err);

/*
 * `palermo get ID` for a document of a review I am not on (cmd_disclosed.c):
 * finds ID among the disclosures verified against the log head of the last
 * sync, and writes it to OUTPUT (NULL: its own file name) as get does.
 * Returns the exit status, or -1 without a word when ID is not among them
 * (or the server shows this member no disclosures).
 */
int disclosed_get(struct cli *cli, const char *prefix, const char *output, int force);

#endif
