/*
 * state.h - the client's local state in $PALERMO_HOME (DESIGN.md §11):
 *
 *   identity.key   the keystore (keys/keystore.h), 0600
 *   state.db       SQLite: settings (server, pinned root, last tree head),
 *                  verified certificates and revocations, each review's
 *                  verified records and envelope metadata, the outbox
 *   cache/         envelopes as stored on the server (ciphertext only)
 *   outbox/        sealed envelopes waiting to be sent (ciphertext only)
 *
 * The folder is 0700. Nothing here is ever plaintext: documents are
 * decrypted only into files the user names. The struct is shared by the
 * state_*.c files through client/state_impl.h; everyone else uses these
 * functions.
 */
#ifndef PALERMO_STATE_H
#define PALERMO_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "keys/crypto.h"
#include "keys/error.h"

struct state;

/*
 * Opens the state under HOME. CREATE: make the folder (0700) and its
 * files if missing; otherwise a missing home is PLM_ERR_NOTFOUND ("run
 * palermo init"). A home readable by others is refused (PLM_ERR_DENIED).
 */
int state_open(const char *home, int create, struct state **out, plm_error *err);
void state_close(struct state *st);
/* The home folder. */
const char *state_home(const struct state *st);

/* Settings: small named values. PLM_ERR_NOTFOUND when unset. */
int state_get(struct state *st, const char *key, unsigned char *buf, size_t cap,
              size_t *len, plm_error *err);
int state_set(struct state *st, const char *key, const void *value, size_t len,
              plm_error *err);
/* A setting as a NUL-terminated string (cap includes the NUL). */
int state_get_str(struct state *st, const char *key, char *buf, size_t cap,
                  plm_error *err);
int state_set_str(struct state *st, const char *key, const char *value, plm_error *err);

/* Paths inside the home: "<home>/<sub>/<hex of id>". */
void state_path(const struct state *st, const char *sub,
                const unsigned char id[PLM_HASH_BYTES], char *out, size_t cap);

/*
 * The cached ciphertext of envelope ID (state_cache.c): the file
 * cache/<hex of id> (large envelopes, disclosed ones), else the bytes kept
 * in the state by a batched sync, handed over as an anonymous memory file.
 * *FD (the caller closes it) is open for reading at offset 0.
 * PLM_ERR_NOTFOUND when neither holds it; PLM_ERR_IO on a local failure.
 */
int state_cache_open(struct state *st, const unsigned char id[PLM_HASH_BYTES], int *fd,
                     plm_error *err);
/* A cached copy read into memory: BYTES (malloc, CAP long) holds LEN bytes. */
struct cache_copy {
	unsigned char *bytes;
	size_t cap;
	size_t len;
};
/*
 * state_cache_open without the memory file: a copy kept in the state is
 * copied into COPY (its buffer grown as needed, reused from call to call;
 * the caller frees COPY->bytes) and *FD is -1; a copy kept as a file is
 * opened to *FD as state_cache_open does. Same errors.
 */
int state_cache_read(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                     struct cache_copy *copy, int *fd, plm_error *err);
/*
 * Keeps the LEN verified bytes of envelope ID in the state, inside the
 * caller's transaction (the sync stores them with the envelope's row).
 */
int state_cache_put(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                    const unsigned char *bytes, size_t len, plm_error *err);

/* Runs SQL statements that return nothing (for schema additions). */
int state_exec(struct state *st, const char *sql, plm_error *err);
/* Transactions around several writes. */
int state_begin(struct state *st, plm_error *err);
int state_commit(struct state *st, plm_error *err);
void state_rollback(struct state *st);

#endif
