/*
 * outbox_records.h - signed records waiting to be sent (DESIGN.md §11,
 * offline first): agreements (`palermo agree`), stage moves (`palermo
 * questionnaire submit --final`, `palermo admin review advance`) and the
 * secretariat's certificates, revocations, rosters, epoch keys and history
 * grants.
 *
 * Each record is queued in the local state (state_admin_queue, in the
 * order made) before any network call. records_flush delivers the queue,
 * oldest first, to the record's route (docs/API.md); it is the one path
 * that sends queued records, run by `palermo sync` (before the envelopes
 * of the outbox), at the start of every `palermo admin` command, and by
 * the command that queued the record (admin_publish):
 *
 *  - a record leaves the queue only when the server answered 2xx (a record
 *    it already holds is answered as accepted: an earlier attempt got
 *    through but its answer was lost), so each is delivered exactly once;
 *  - a network failure or a 5xx keeps it, and everything after it, for the
 *    next try;
 *  - a refusal (4xx) drops it with the later records of its review, which
 *    depend on it (a roster's epoch keys): a signed record the server
 *    refused is never accepted as it is, so it is not kept for a retry as
 *    a refused envelope is; the command that made it makes it afresh.
 */
#ifndef PALERMO_OUTBOX_RECORDS_H
#define PALERMO_OUTBOX_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "client/cli.h"
#include "keys/record.h"

/* One queued signed record, as `palermo outbox` shows it. */
struct records_item {
	unsigned char id[PLM_HASH_BYTES]; /* the record's id */
	char review[PLM_RECORD_ID_MAX + 1]; /* "" for certificates, revocations */
	char kind[32];                      /* its type name: agreement, stage, ... */
	uint64_t size;                      /* bytes of the signed record */
	int64_t queued_at;                  /* Unix seconds */
};

/*
 * Delivers the queued records, oldest first (needs cli_open_state,
 * cli_unlock and cli_connect). Certificates and revocations the server
 * accepted are kept in the local state too. A refusal drops the record and
 * the later ones of its review; with KEEP_GOING it is reported on stderr,
 * one sentence (cli_warn), and the rest is still sent; without, the
 * refusal is returned (ERR says why) and the rest stays queued. *SENT:
 * records delivered now; *LEFT: records still queued afterwards (either may
 * be NULL). Returns 0, PLM_ERR_NET (the server cannot be reached or
 * failed: the rest stays queued), the refusal, or a local error.
 */
int records_flush(struct cli *cli, int keep_going, unsigned *sent, unsigned *left,
                  plm_error *err);

/*
 * Everything queued, oldest first: *ITEMS (free with free(), may be NULL
 * when *N is 0) of *N items. REVIEW non-NULL: that review's only.
 */
int records_list(struct cli *cli, const char *review, struct records_item **items,
                 size_t *n, plm_error *err);

#endif
