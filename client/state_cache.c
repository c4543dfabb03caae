/*
 * state_cache.c - where the ciphertext of a verified envelope is kept (see
 * state.h): small envelopes fetched in batches live in the state's table
 * "cached", written in the sync's transaction (one fsync for a whole
 * batch); large ones, and those fetched alone, are files in cache/.
 * Readers get a descriptor either way, and never need to know which;
 * the listing's reader takes the kept bytes from memory (state_cache_read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client/state_impl.h"
#include "keys/envelope.h"

/* Opens the file cache/<hex of ID> into *FD; PLM_ERR_NOTFOUND without it. */
static int cache_file_open(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                           int *fd, plm_error *err)
{
	char path[4200], hex[2 * PLM_HASH_BYTES + 1];

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

int state_cache_read(struct state *st, const unsigned char id[PLM_HASH_BYTES],
                     struct cache_copy *copy, int *fd, plm_error *err)
{
	sqlite3_stmt *q = NULL;
	const void *blob;
	unsigned char *grown;
	size_t len;
	int rc, r = 0;

	*fd = -1;
	copy->len = 0;
	/* Most documents of a synced review are in the state: look there first. */
	if (state_prepare(st, "SELECT bytes FROM cached WHERE id = ?", &q) != SQLITE_OK)
		return state_db_error(st, err, "read a cached document");
	sqlite3_bind_blob(q, 1, id, PLM_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		blob = sqlite3_column_blob(q, 0);
		len = (size_t)sqlite3_column_bytes(q, 0);
		if (len > copy->cap) {
			if ((grown = realloc(copy->bytes, len)) == NULL)
				r = plm_error_set(err, PLM_ERR_NOMEM,
				                  "out of memory while reading a cached "
				                  "document");
			else {
				copy->bytes = grown;
				copy->cap = len;
			}
		}
		if (r == 0 && len > 0)
			memcpy(copy->bytes, blob, len);
		if (r == 0)
			copy->len = len;
	} else if (rc != SQLITE_DONE) {
		r = state_db_error(st, err, "read a cached document");
	}
	state_finish(st, q);
	if (r != 0 || rc == SQLITE_ROW)
		return r;
	return cache_file_open(st, id, fd, err);
}

int state_cache_open(struct state *st, const unsigned char id[PLM_HASH_BYTES], int *fd,
                     plm_error *err)
{
	struct cache_copy copy = {NULL, 0, 0};
	int r;

	if ((r = state_cache_read(st, id, &copy, fd, err)) != 0 || *fd >= 0) {
		free(copy.bytes);
		return r;
	}
	/* An anonymous memory file: these readers take a descriptor. */
	*fd = memfd_create("palermo-envelope", MFD_CLOEXEC);
	if (*fd < 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot hand over a cached document: %s",
		                  strerror(errno));
	else if ((r = plm_write_full(*fd, copy.bytes, copy.len, err)) == 0 &&
	         lseek(*fd, 0, SEEK_SET) != 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot hand over a cached document: %s",
		                  strerror(errno));
	free(copy.bytes);
	if (r != 0 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
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
