/*
 * identity.h - what the identity commands share (palermo init, whoami,
 * keys, admin): the keystore in the home, the pinned root, fingerprints
 * for reading aloud, the settings that describe who this home belongs to,
 * and, for the secretariat, the invitations it issued and the signed
 * records it has yet to deliver (client/state_identity.c).
 *
 * Like the other modules below the commands, these functions print nothing
 * unless their name says so; they return PLM_ERR_* with a sentence.
 */
#ifndef PALERMO_IDENTITY_H
#define PALERMO_IDENTITY_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "client/cli.h"
#include "client/state.h"
#include "client/transport.h"
#include "keys/keystore.h"
#include "keys/record.h"

/* Settings of this area (besides "server" and "root", see state.h). */
#define IDENTITY_SETTING_USER "user_id"          /* the user id this home enrols as */
#define IDENTITY_SETTING_ENROLLMENT "enrollment" /* my enrollment record, as filed */

/* "<home>/identity.key". */
void identity_keystore_path(const struct cli *cli, char *out, size_t cap);
/* 1 if the home already holds a keystore (or anything else at its path). */
int identity_exists(const struct cli *cli);

/*
 * Parses a --kdf value: "moderate" (the default for every real keystore) or
 * "interactive" (WARNING: for tests and low-memory machines only).
 * PLM_ERR_INVALID with a sentence otherwise.
 */
int identity_parse_kdf(const char *text, plm_kdf_limits *out, plm_error *err);

/*
 * Makes a fresh identity and writes its keystore (0600, never over an
 * existing file) under a passphrase asked twice on the terminal (or read
 * from $PALERMO_PASSPHRASE_FILE). *OUT is the identity (plm_identity_free).
 * PLM_ERR_EXISTS if the home has a keystore already.
 */
int identity_create(struct cli *cli, plm_kdf_limits limits, plm_identity **out,
                    plm_error *err);

/* What the server says became of a key (identity_fetch_keys). */
enum identity_keys {
	IDENTITY_KEYS_UNKNOWN = 0, /* 404: no request, no certificate */
	IDENTITY_KEYS_PENDING,     /* 202: the enrollment request waits */
	IDENTITY_KEYS_CERTIFIED,   /* 200: a certificate, verified and kept */
	IDENTITY_KEYS_REVOKED,     /* 410: a revocation, verified and kept */
};

/*
 * Asks the server what became of the keys FPR (GET /v1/enrollments/FPR,
 * unsigned: they may not be certified yet; no passphrase needed). A
 * certificate or a revocation is kept in the local state only once
 * verified against the pinned root and found to name FPR, so the server
 * can make no one look certified or revoked. PLM_ERR_NET when the server
 * cannot be reached, PLM_ERR_VERIFY/MISMATCH for a record that fails.
 */
int identity_fetch_keys(struct cli *cli, const unsigned char fpr[PLM_FPR_BYTES],
                        enum identity_keys *out, plm_error *err);

/*
 * Fetches GET /v1/root over T and checks it is a self-signed root
 * certificate (usage root, signer = its own keys, signature valid) and, if
 * TRUST is not NULL, that its fingerprint is TRUST (PLM_ERR_MISMATCH with a
 * sentence naming both). *OUT is the decoded record (plm_record_free).
 */
int identity_fetch_root(struct transport *t, const unsigned char *trust,
                        plm_record **out, plm_error *err);

/*
 * Pins URL and the verified self-signed root certificate ROOT in the state:
 * settings "server" and "root", and the certificate itself. A state pinned
 * to another root is refused (PLM_ERR_MISMATCH): a home has one root.
 */
int identity_pin(struct state *st, const char *url, const plm_record *root,
                 plm_error *err);

/*
 * The fingerprint of FPR in 16 groups of four, as two lines of eight groups
 * for reading aloud, printed on F: the first line after FIRST, the second
 * after REST (indents).
 */
void identity_print_fingerprint(FILE *f, const unsigned char fpr[PLM_FPR_BYTES],
                                const char *first, const char *rest);
/* Unix time T as "2026-03-01 14:05 UTC". */
void identity_format_time(uint64_t t, char *out, size_t cap);

/* JSON values shared by --json outputs. */
json_t *identity_json_hex(const unsigned char *bytes, size_t len);
json_t *identity_json_groups(const unsigned char fpr[PLM_FPR_BYTES]);

/* Decodes standard base64 TEXT into *OUT (malloc'ed, caller frees), *LEN. */
int identity_base64_decode(const char *text, unsigned char **out, size_t *len,
                           plm_error *err);
/* Standard base64 of BYTES as a JSON string (NULL on failure). */
json_t *identity_json_base64(const unsigned char *bytes, size_t len);

/* "member", "secretariat", "log", "root" (or "unknown"), and back. */
const char *identity_usage_name(int usage);
int identity_usage_parse(const char *text, uint8_t *usage, plm_error *err);

/* ---- the secretariat's side (client/state_identity.c) ----------------- */

/* An invitation this home issued: what it was for, never the code. */
struct local_invitation {
	unsigned char hash[PLM_HASH_BYTES];
	char user_id[PLM_RECORD_ID_MAX + 1];
	char name[PLM_RECORD_TEXT_MAX + 1];
	char state[PLM_RECORD_STATE_MAX + 1];
	uint8_t usage; /* enum plm_cert_usage */
	uint64_t issued_at;
	uint64_t expires_at;
};

/* Remembers an invitation issued here (by its hash). */
int state_invitation_add(struct state *st, const struct local_invitation *inv,
                         plm_error *err);
/* The invitation with HASH issued here; PLM_ERR_NOTFOUND if not from here. */
int state_invitation_get(struct state *st, const unsigned char hash[PLM_HASH_BYTES],
                         struct local_invitation *out, plm_error *err);

/*
 * Signed records the secretariat has made and the server has not accepted
 * yet, delivered in the order they were made: REVIEW "" for deployment
 * records (certificates, revocations), else the review's id. A record is
 * queued before it is sent, so that a lost connection loses nothing (a
 * roster is never left without its epoch keys).
 */
int state_admin_queue(struct state *st, const char *review, const plm_record *record,
                      plm_error *err);
/*
 * Calls FN for each queued record, oldest first, with when it was queued
 * (Unix seconds; non-zero from FN stops).
 */
int state_admin_each(struct state *st,
                     int (*fn)(void *ctx, int64_t n, const char *review, int type,
                               const unsigned char *bytes, size_t len,
                               int64_t queued_at),
                     void *ctx, plm_error *err);
/* Removes queued record N. */
int state_admin_remove(struct state *st, int64_t n, plm_error *err);
/* Removes every queued record of REVIEW from N on (they depend on N). */
int state_admin_remove_from(struct state *st, const char *review, int64_t n,
                            plm_error *err);

#endif
