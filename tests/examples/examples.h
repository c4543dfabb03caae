/*
 * examples.h - the worked examples of docs/PROTOCOL.md are produced by this
 * program, never typed by hand. Randomness is replaced by a deterministic
 * generator (so every run prints the same bytes) and each module contributes
 * one function that prints its blocks with example_block.
 *
 * Output format, one block per example, which tests/examples/update.sh
 * splices into docs/PROTOCOL.md between matching markers:
 *   <!-- example NAME -->
 *   ```text
 *   0000  xx xx ... (16 bytes a line)
 *   ```
 *   <!-- /example -->
 */
#ifndef PLM_EXAMPLES_H
#define PLM_EXAMPLES_H

#include <stddef.h>
#include <stdio.h>

#include "keys/record.h"

/* Prints BYTES as the example block NAME, with an optional caption line. */
void example_block(const char *name, const char *caption,
                   const unsigned char *bytes, size_t len);
/* Prints a block of free text (e.g. a fingerprint or an id) as NAME. */
void example_text(const char *name, const char *text);
/* Aborts the program with MSG: examples must never silently go missing. */
void example_die(const char *what, int code, const char *msg);
/* A deterministic identity seed number N (bytes N, N+1, ...). */
void example_seed(unsigned char seed[32], unsigned char n);

/* PEOPLE[i] for i < N: the identity of example seed number SEEDS[i]. */
void example_people(plm_identity **people, const unsigned char *seeds, size_t n);
/*
 * ex_common.c: the head of a roster of the review of Italy (REVIEW, EPOCH,
 * chained to PREV or NULL; policy digest of "example policy", language en;
 * the instruments and members are the caller's); one member; and the epoch
 * keys of channel review, KEY sealed to A and B, for ROSTER (not signed).
 */
void example_roster_head(plm_roster *ro, const char *review, uint64_t epoch,
                         const plm_record *prev);
void example_roster_member(plm_roster_member *m, const plm_identity *id,
                           const char *user_id, const char *state, const char *role);
plm_record *example_review_keys(const char *review, const plm_record *roster,
                                const unsigned char *key, const plm_identity *a,
                                const plm_identity *b);
/* Appends "LABEL HEX" (BYTES, LEN of them) as a line of TEXT (capacity CAP). */
void example_add_line(char *text, size_t cap, const char *label, const unsigned char *bytes,
                      size_t len);

/* One function per module; each prints all of that module's blocks. */
void examples_crypto(void);
void examples_keystore(void);
void examples_records(void);
void examples_envelope(void);
void examples_merkle(void);
void examples_history(void);
void examples_archive(void);
void examples_parties(void);

#endif
