/*
 * state_cache.c - where the ciphertext of a verified envelope is kept (see
 * state.h): small envelopes fetched in batches live in the state's table
 * "cached", written in the sync's transaction (one fsync for a whole
 * batch); large ones, and those fetched alone, are files in cache/.
 * Readers get a descriptor either way, and never need to know which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client/state_impl.h"
#include "keys/envelope.h"

int state_cache_open(struct state *st, const unsigned char id[PLM_HASH_BYTES], int *fd,
                     plm_error *err)
{
	char path[4200], hex[2 * PLM_HASH_BYTES + 1];
	sqlite3_stmt *q = NULL;
	int rc, r = 0;

	*fd = -1;
	/* Most documents of a synced review are in the state: look there first. */
	if (state_prepare(st, "SELECT bytes FROM cached WHERE id = ?", &q) != SQLITE_OK)
		return state_db_error(st, err, "read a cached document");
	sqlite3_bind_blob(q, 1, id, PLM_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		/* An anonymous memory file: the readers take a descriptor. */
		*fd = memfd_create("palermo-envelope", MFD_CLOEXEC);
		if (*fd < 0)
			r = plm_error_set(err, PLM_ERR_IO,
			                  "cannot hand over a cached document: %s",
			                  strerror(errno));
		else if ((r = plm_write_full(*fd, sqlite3_column_blob(q, 0),
		                             (size_t)sqlite3_column_bytes(q, 0), err)) == 0 &&
		         lseek(*fd, 0, SEEK_SET) != 0)
			r = plm_error_set(err, PLM_ERR_IO,
			                  "cannot hand over a cached document: %s",
			                  strerror(errno));
	} else if (rc != SQLITE_DONE) {
		r = state_db_error(st, err, "read a cached document");
	}
	state_finish(st, q);
	if (r != 0 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	if (r != 0 || *fd >= 0)
		return r;
	state_path(st, "cache", id, path, sizeof(path));
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0)
		return 0;
	if (errno != ENOENT)
		return plm_error_set(err, PLM_ERR_IO, "cannot read %s: %s", path,
		                     strerror(errno));
	plm_hex(hex, id, PLM_HASH_BYTES);
	return plm_error_set(err, PLM_ERR_NOTFOUND,
	                     "document %.12s is not in this client's cache", hex);
}

int state_cache_put(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                    const unsigned char *bytes, size_t len, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (state_prepare(st, "INSERT OR REPLACE INTO cached(id, bytes) VALUES(?, ?)", &q) != SQLITE_OK)
		return state_db_error(st, err, "keep a document");
	sqlite3_bind_blob(q, 1, id, PLM_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob64(q, 2, bytes, (sqlite3_uint64)len, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = state_db_error(st, err, "keep a document");
	state_finish(st, q);
	return r;
}
