/*
 * archive.h - `palermo archive` (DESIGN.md §12, PROTOCOL.md §9), internal to
 * client/cmd_archive.c (the commands and what they print),
 * client/archive_seal.c (building an archive from what this client
 * verified) and client/archive_check.c (verifying one with no network, no
 * keys and no local state, and the walk that `archive open` decrypts on).
 */
#ifndef PALERMO_ARCHIVE_H
#define PALERMO_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "client/cli.h"
#include "keys/archive.h"
#include "keys/record.h"

/* A certificate of the archive and whether (and where) it was revoked. */
struct archive_cert {
	unsigned char fpr[PLM_FPR_BYTES];
	plm_certificate cert;
	uint64_t seq;         /* its log index */
	uint64_t number;      /* its archive item */
	unsigned char id[PLM_HASH_BYTES];
	plm_merkle_proof proof; /* checked once the head is */
	int revoked;
	uint64_t revoked_seq; /* the revocation's log index */
};

/* One document of the archive, as verified. */
struct archive_doc {
	unsigned char id[PLM_HASH_BYTES];
	uint64_t seq;
	uint64_t number; /* its archive item */
	char kind[PLM_RECORD_NAME_MAX + 1];
	char channel[PLM_RECORD_NAME_MAX + 1];
	char stage[PLM_RECORD_NAME_MAX + 1]; /* the review's stage when it was logged */
	uint64_t epoch;
	uint64_t created_at;
	unsigned char author[PLM_FPR_BYTES];
	char author_user[PLM_RECORD_ID_MAX + 1];
	char author_state[PLM_RECORD_STATE_MAX + 1];
	char author_role[PLM_RECORD_NAME_MAX + 1];
	uint64_t size; /* bytes of the envelope */
};

/* One roster of the review's history, with what changed from the one before. */
struct archive_roster {
	uint64_t epoch;
	uint64_t seq;
	uint64_t created_at;
	size_t members;
	char *changes; /* "added x (ITA, expert); removed y (...)" (malloc'd) */
};

/* One channel key of the archive (epoch, channel), and whether a record names it. */
struct archive_key {
	uint64_t epoch;
	char channel[PLM_RECORD_NAME_MAX + 1];
	int named;
};

/* Where an item is in the file (for `archive verify --json`). */
struct archive_place {
	uint64_t number, offset, length, seq;
	int tag;
};

/* What a verified archive holds (archive_check fills it; archive_summary_free). */
struct archive_summary {
	plm_archive_header header; /* header.policy is not kept */
	char stage[PLM_RECORD_NAME_MAX + 1]; /* the review's stage at the head */
	size_t records[PLM_RECORD_ENROLLMENT + 1]; /* review records per type */
	size_t revocations;
	struct archive_cert *certs;
	size_t n_certs, cap_certs;
	struct archive_doc *docs;
	size_t n_docs, cap_docs;
	struct archive_roster *rosters;
	size_t n_rosters, cap_rosters;
	struct archive_key *keys;
	size_t n_keys, cap_keys;
	plm_roster_member *members; /* the newest roster's members (copy) */
	size_t n_members;
	struct archive_place *places;
	size_t n_places, cap_places;
	unsigned char digest[PLM_HASH_BYTES];
	uint64_t items;
};

void archive_summary_free(struct archive_summary *s);

/*
 * What `archive open` does while the walk verifies (each optional):
 * CHANNEL_KEY for every sealed channel key, EPOCH_KEYS for every verified
 * epoch-keys record, and for every envelope SINK with its bytes, then
 * ENVELOPE once it verified (DOC its description, AUTHOR its keys).
 */
struct archive_hooks {
	void *ctx;
	int (*channel_key)(void *ctx, const plm_archive_header *h,
	                   const plm_archive_item *item, plm_error *err);
	int (*epoch_keys)(void *ctx, const plm_record *record, plm_error *err);
	plm_archive_sink_fn sink;
	int (*envelope)(void *ctx, const struct archive_doc *doc, const plm_pubkeys *author,
	                plm_error *err);
};

/*
 * Verifies the archive read from FD (PROTOCOL.md §9.4), with nothing but
 * its own bytes: the root certificate (pinned by TRUST when not NULL), every
 * certificate and revocation signed by it, the log head signed by the
 * certified log key, every inclusion proof against that head, every record's
 * signature and the review's state machine (policies/review.c, under the
 * archived policy) in log order, every envelope's structure, digest and
 * author signature, that every channel key is there, and the archive's own
 * signature by a secretariat member of the review. Fills SUM (caller frees
 * with archive_summary_free, also on failure). The first flaw stops it:
 * a negative PLM_ERR_* whose sentence says what and where.
 */
int archive_check(int fd, const unsigned char *trust, const struct archive_hooks *hooks,
                  struct archive_summary *sum, plm_error *err);

/* The certificate of FPR in SUM, or NULL. */
const struct archive_cert *archive_find_cert(const struct archive_summary *s,
                                             const unsigned char fpr[PLM_FPR_BYTES]);

/* What archive_seal wrote. */
struct archive_seal_counts {
	size_t entries;   /* log entries: certificates, revocations, records, envelopes */
	size_t documents; /* envelopes */
	size_t refused;   /* envelopes this client refused, left out */
};

/*
 * Seals REVIEW into a new file PATH (refused if it exists) for the archive
 * public key ARCHIVE_PK, as the unlocked, connected secretariat member of
 * CLI, from what this client verified (the command syncs first). PLM_ERR_DENIED
 * when CLI is not the review's secretariat. *COUNTS says what went in.
 */
int archive_seal(struct cli *cli, const char *review, const char *path,
                 const unsigned char archive_pk[PLM_BOX_PK_BYTES],
                 struct archive_seal_counts *counts, plm_error *err);

/*
 * Opens FILE and runs archive_check over it with HOOKS. Reports a failure
 * (the exit status: 3 for a flaw, 5 for a hook's PLM_ERR_KEY) and returns
 * it, or 0 with SUM filled (archive_summary_free in every case).
 */
int archive_verify_file(struct cli *cli, const char *file, const unsigned char *trust,
                        const struct archive_hooks *hooks, struct archive_summary *sum);

/* Parses --trust TEXT into TRUST: 1, or -1 after saying why (exit status 2). */
int archive_trust_option(struct cli *cli, const char *text,
                         unsigned char trust[PLM_FPR_BYTES]);

/* `palermo archive open` (client/archive_open.c); the arguments after "archive". */
int archive_open_cmd(struct cli *cli, int argc, char **argv);

#endif
