/*
 * fixtures.h - helpers the unit tests of keys/ share: deterministic
 * identities, hand-written encodings that bypass the encoders' checks, and
 * record decode/encode wrappers that also check the failure contract.
 */
#ifndef PLM_TEST_FIXTURES_H
#define PLM_TEST_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/record.h"

/*
 * "$TMPDIR-of-the-test/NAME" (check_tmpdir) in one of four static buffers,
 * so that up to four paths can be in use at once.
 */
char *fixture_path(const char *name);
/* The identity of deterministic seed N (bytes N, N+1, ...); NULL on failure. */
plm_identity *fixture_identity(unsigned char n);
/*
 * Copies SRC into the CAP-byte array DST like a careless caller would:
 * NUL-terminated if it fits, otherwise CAP bytes with no terminator.
 */
void fixture_set_str(char *dst, size_t cap, const char *src);
#define SET_STR(dst, src) fixture_set_str((dst), sizeof(dst), (src))
/* An unchecked str8: writes whatever it is told to. */
void fixture_raw_str8(plm_wbuf *b, const char *s);
/*
 * Frames BODY (BODY_LEN bytes) as a record of TYPE, with a zero signer and
 * signature (PROTOCOL.md §5.1). Caller frees with free().
 */
unsigned char *fixture_frame(uint8_t type, const unsigned char *body, size_t body_len,
                             size_t *len);
/*
 * Decodes BODY (freed) framed as TYPE and returns the status; 900+ when the
 * failure contract is broken (a record handed out, or ERR not filled in).
 */
int fixture_decode_body(uint8_t type, plm_wbuf *body, plm_error *err);
/*
 * Signs RECORD with SIGNER, frees RECORD, returns the status; 900+ when a
 * failed encoder handed something out or signed anything.
 */
int fixture_encode_record(plm_record *record, const plm_identity *signer,
                          plm_error *err);

#endif
