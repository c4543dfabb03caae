/* blobs.c - content-addressed envelope files and resumable uploads (blobs.h). */
#define _GNU_SOURCE
#include "daemon/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keys/writeback.h"

struct blobs {
	int data_fd;    /* the data folder, locked (flock) while palermod runs */
	int blobs_fd;   /* data/blobs */
	int uploads_fd; /* data/uploads */
	int packs_fd;   /* data/packs */
	int pack_fd;    /* the pack being appended to (-1 until the first batch) */
	uint64_t pack;  /* its number */
	uint64_t pack_end; /* its size: where the next batch goes */
	pthread_mutex_t lock;
	uint64_t bytes;
};

/* A pack is closed and the next one started once it holds this much. */
#define PACK_MAX_BYTES ((uint64_t)256 << 20)

struct upload {
	struct blobs *b;
	int fd;
	char name[2 * PLM_FPR_BYTES + 2 * BLOB_UPLOAD_ID_BYTES + 2];
	uint64_t size;
	uint64_t flushed; /* bytes whose writeback was started (sync_file_range) */
	int committed;
};

/* Opens (creating) the folder NAME below the folder DIRFD, 0700. */
static int open_dir_at(int dirfd, const char *name, int *out, plm_error *err)
{
	if (mkdirat(dirfd, name, 0700) != 0 && errno != EEXIST)
		return plm_error_set(err, PLM_ERR_IO, "cannot create the folder %s: %s",
		                     name, strerror(errno));
	*out = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (*out < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot open the folder %s: %s",
		                     name, strerror(errno));
	return 0;
}

int blobs_open(const char *data_dir, struct blobs **out, plm_error *err)
{
	struct blobs *b;
	int data_fd, r;

	*out = NULL;
	if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
		return plm_error_set(err, PLM_ERR_IO,
		                     "cannot create the data folder %s: %s; choose "
		                     "another with --data",
		                     data_dir, strerror(errno));
	data_fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (data_fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot open the data folder %s: %s",
		                     data_dir, strerror(errno));
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		close(data_fd);
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	}
	b->blobs_fd = b->uploads_fd = b->packs_fd = b->pack_fd = -1;
	b->data_fd = data_fd;
	pthread_mutex_init(&b->lock, NULL);
	/* Two daemons on one data folder would each cache the log and the
	 * nonces of their own: refuse the second. The lock dies with us. */
	if (flock(data_fd, LOCK_EX | LOCK_NB) != 0) {
		r = plm_error_set(err, PLM_ERR_EXISTS,
		                  errno == EWOULDBLOCK
		                      ? "another palermod is using the data folder %s; stop "
		                        "it first, or give this one another --data"
		                      : "cannot lock the data folder %s: %s",
		                  data_dir, strerror(errno));
		blobs_close(b);
		return r;
	}
	if ((r = open_dir_at(data_fd, "blobs", &b->blobs_fd, err)) != 0 ||
	    (r = open_dir_at(data_fd, "uploads", &b->uploads_fd, err)) != 0 ||
	    (r = open_dir_at(data_fd, "packs", &b->packs_fd, err)) != 0) {
		blobs_close(b);
		return r;
	}
	fsync(data_fd);
	*out = b;
	return 0;
}

void blobs_close(struct blobs *b)
{
	if (b == NULL)
		return;
	if (b->blobs_fd >= 0)
		close(b->blobs_fd);
	if (b->uploads_fd >= 0)
		close(b->uploads_fd);
	if (b->packs_fd >= 0)
		close(b->packs_fd);
	if (b->pack_fd >= 0)
		close(b->pack_fd);
	if (b->data_fd >= 0)
		close(b->data_fd); /* releases the lock */
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* The file name of OWNER's upload UPLOAD_ID: "<owner hex>-<upload id hex>". */
static void upload_name(char name[2 * PLM_FPR_BYTES + 2 * BLOB_UPLOAD_ID_BYTES + 2],
                        const unsigned char owner[PLM_FPR_BYTES],
                        const unsigned char upload_id[BLOB_UPLOAD_ID_BYTES])
{
	plm_hex(name, owner, PLM_FPR_BYTES);
	name[2 * PLM_FPR_BYTES] = '-';
	plm_hex(name + 2 * PLM_FPR_BYTES + 1, upload_id, BLOB_UPLOAD_ID_BYTES);
}

int upload_open(struct blobs *b, const unsigned char owner[PLM_FPR_BYTES],
                const unsigned char upload_id[BLOB_UPLOAD_ID_BYTES],
                struct upload **out, uint64_t *offset, plm_error *err)
{
	struct upload *u;
	struct stat st;
	int e;

	*out = NULL;
	*offset = 0;
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	u->b = b;
	upload_name(u->name, owner, upload_id);
	u->fd = openat(b->uploads_fd, u->name,
	               O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (u->fd < 0) {
		e = errno;
		free(u);
		return plm_error_set(err, PLM_ERR_IO, "cannot open an upload file: %s",
		                     strerror(e));
	}
	/* One writer at a time: a resume must not race a request still running. */
	if (flock(u->fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(u->fd);
		free(u);
		if (e == EWOULDBLOCK)
			return plm_error_set(err, PLM_ERR_EXISTS,
			                     "this upload is being written by another request");
		return plm_error_set(err, PLM_ERR_IO, "cannot lock an upload file: %s",
		                     strerror(e));
	}
	if (fstat(u->fd, &st) != 0 || lseek(u->fd, 0, SEEK_END) < 0) {
		e = errno;
		close(u->fd);
		free(u);
		return plm_error_set(err, PLM_ERR_IO, "cannot read an upload file: %s",
		                     strerror(e));
	}
	u->size = (uint64_t)st.st_size;
	u->flushed = u->size;
	*offset = u->size;
	*out = u;
	return 0;
}

int upload_stat(struct blobs *b, const unsigned char owner[PLM_FPR_BYTES],
                const unsigned char upload_id[BLOB_UPLOAD_ID_BYTES], uint64_t *offset,
                plm_error *err)
{
	char name[2 * PLM_FPR_BYTES + 2 * BLOB_UPLOAD_ID_BYTES + 2];
	struct stat st;
	int fd, r = 0;

	*offset = 0;
	upload_name(name, owner, upload_id);
	fd = openat(b->uploads_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return plm_error_set(err, PLM_ERR_IO, "cannot open an upload file: %s",
		                     strerror(errno));
	}
	if (flock(fd, LOCK_SH | LOCK_NB) != 0)
		r = errno == EWOULDBLOCK
		        ? plm_error_set(err, PLM_ERR_EXISTS,
		                        "this upload is being written by another request")
		        : plm_error_set(err, PLM_ERR_IO, "cannot lock an upload file: %s",
		                        strerror(errno));
	else if (fstat(fd, &st) != 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot read an upload file: %s",
		                  strerror(errno));
	else
		*offset = (uint64_t)st.st_size;
	close(fd);
	return r;
}

int upload_reader(struct upload *u, int *fd, plm_error *err)
{
	*fd = openat(u->b->uploads_fd, u->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot reopen an upload file: %s",
		                     strerror(errno));
	return 0;
}

int upload_append(struct upload *u, const void *data, size_t len, plm_error *err)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(u->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return plm_error_set(err, PLM_ERR_IO,
			                     "cannot write an upload to disk: %s",
			                     strerror(errno));
		p += n;
		len -= (size_t)n;
		u->size += (uint64_t)n;
	}
	/* So that the fsync before the 201 finds little left to write. */
	plm_writeback_start(u->fd, &u->flushed, u->size);
	return 0;
}

int upload_truncate(struct upload *u, uint64_t size, plm_error *err)
{
	if (size > u->size || ftruncate(u->fd, (off_t)size) != 0 ||
	    lseek(u->fd, (off_t)size, SEEK_SET) < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot cut an upload back: %s",
		                     strerror(errno));
	u->size = size;
	if (u->flushed > size)
		u->flushed = size;
	return 0;
}

int upload_sync(struct upload *u, plm_error *err)
{
	if (fdatasync(u->fd) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot flush an upload to disk: %s",
		                     strerror(errno));
	return 0;
}

uint64_t upload_size(const struct upload *u)
{
	return u->size;
}

int upload_commit(struct upload *u, const unsigned char id[PLM_HASH_BYTES],
                  plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1], sub[3], path[3 + 2 * PLM_HASH_BYTES + 1];
	int subfd, r = 0;

	plm_hex(hex, id, PLM_HASH_BYTES);
	memcpy(sub, hex, 2);
	sub[2] = '\0';
	snprintf(path, sizeof(path), "%s/%s", sub, hex);
	if (fsync(u->fd) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot flush an envelope to disk: %s",
		                     strerror(errno));
	if ((r = open_dir_at(u->b->blobs_fd, sub, &subfd, err)) != 0)
		return r;
	if (renameat(u->b->uploads_fd, u->name, u->b->blobs_fd, path) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot move an envelope into place: %s",
		                  strerror(errno));
	} else if (fsync(subfd) != 0 || fsync(u->b->uploads_fd) != 0 ||
	           fsync(u->b->blobs_fd) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot flush the blob folders: %s",
		                  strerror(errno));
	} else {
		u->committed = 1;
		pthread_mutex_lock(&u->b->lock);
		u->b->bytes += u->size;
		pthread_mutex_unlock(&u->b->lock);
	}
	close(subfd);
	return r;
}

void upload_discard(struct upload *u)
{
	if (u != NULL && !u->committed)
		unlinkat(u->b->uploads_fd, u->name, 0);
}

void upload_close(struct upload *u)
{
	if (u == NULL)
		return;
	close(u->fd);
	free(u);
}

/* The file name of pack NUMBER: "00000001.pack". */
static void pack_name(char name[32], uint64_t number)
{
	snprintf(name, 32, "%08llu.pack", (unsigned long long)number);
}

int blob_open(struct blobs *b, const struct store_envelope *env, int *fd,
              uint64_t *offset, uint64_t *size, plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1], path[3 + 2 * PLM_HASH_BYTES + 1], name[32];
	struct stat st;

	plm_hex(hex, env->id, PLM_HASH_BYTES);
	if (env->pack != 0) {
		pack_name(name, env->pack);
		*fd = openat(b->packs_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	} else {
		snprintf(path, sizeof(path), "%.2s/%s", hex, hex);
		*fd = openat(b->blobs_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (*fd < 0)
		return plm_error_set(err, errno == ENOENT ? PLM_ERR_NOTFOUND : PLM_ERR_IO,
		                     "cannot open envelope %s: %s", hex, strerror(errno));
	if (fstat(*fd, &st) != 0 ||
	    (env->pack != 0 && (uint64_t)st.st_size < env->pack_offset + env->size)) {
		close(*fd);
		*fd = -1;
		return plm_error_set(err, PLM_ERR_IO, "cannot read envelope %s", hex);
	}
	*offset = env->pack != 0 ? env->pack_offset : 0;
	*size = env->pack != 0 ? env->size : (uint64_t)st.st_size;
	return 0;
}

/*
 * Opens pack NUMBER for appending, creating it (and making its name durable
 * with an fsync of the packs folder) if it is new.
 */
static int pack_start(struct blobs *b, uint64_t number, plm_error *err)
{
	char name[32];
	struct stat st;
	int fd;

	pack_name(name, number);
	fd = openat(b->packs_fd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fstat(fd, &st) != 0 || fsync(b->packs_fd) != 0) {
		if (fd >= 0)
			close(fd);
		return plm_error_set(err, PLM_ERR_IO, "cannot open the pack %s: %s", name,
		                     strerror(errno));
	}
	if (b->pack_fd >= 0)
		close(b->pack_fd);
	b->pack_fd = fd;
	b->pack = number;
	b->pack_end = (uint64_t)st.st_size;
	return 0;
}

/* The highest pack number in the packs folder (0 if none). */
static uint64_t pack_last(struct blobs *b)
{
	struct dirent *e;
	uint64_t last = 0, n;
	char *end;
	DIR *d;
	int fd;

	if ((fd = dup(b->packs_fd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		n = strtoull(e->d_name, &end, 10);
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && strcmp(end, ".pack") == 0 &&
		    n > last)
			last = n;
	}
	closedir(d);
	return last;
}

int pack_append(struct blobs *b, struct pack_item *items, size_t n, uint64_t *pack,
                plm_error *err)
{
	uint64_t at, last;
	size_t i, done;
	ssize_t w;
	int r;

	if (b->pack_fd < 0) {
		last = pack_last(b);
		if ((r = pack_start(b, last != 0 ? last : 1, err)) != 0)
			return r;
	}
	if (b->pack_end >= PACK_MAX_BYTES && (r = pack_start(b, b->pack + 1, err)) != 0)
		return r;
	/* A batch cut by a crash may have left bytes no row points at: after them. */
	at = b->pack_end;
	for (i = 0; i < n; i++) {
		items[i].offset = at;
		for (done = 0; done < items[i].len; done += (size_t)w) {
			w = pwrite(b->pack_fd, items[i].bytes + done, items[i].len - done,
			           (off_t)(at + done));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				return plm_error_set(err, PLM_ERR_IO,
				                     "cannot write envelopes to disk: %s",
				                     strerror(errno));
		}
		at += items[i].len;
	}
	b->pack_end = at; /* even if the fdatasync fails: never reuse those bytes */
	if (fdatasync(b->pack_fd) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot flush envelopes to disk: %s",
		                     strerror(errno));
	*pack = b->pack;
	return 0;
}

void blobs_count(struct blobs *b, uint64_t bytes)
{
	pthread_mutex_lock(&b->lock);
	b->bytes += bytes;
	pthread_mutex_unlock(&b->lock);
}

uint64_t blobs_bytes(const struct blobs *b)
{
	return b->bytes;
}

/* Parses 64 hex digits into ID; 0 on success. */
static int parse_hex_id(const char *name, unsigned char id[32])
{
	size_t i;
	int hi, lo;

	if (strlen(name) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		hi = name[2 * i];
		lo = name[2 * i + 1];
		hi = (hi >= '0' && hi <= '9') ? hi - '0' : (hi >= 'a' && hi <= 'f') ? hi - 'a' + 10 : -1;
		lo = (lo >= '0' && lo <= '9') ? lo - '0' : (lo >= 'a' && lo <= 'f') ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int blobs_sweep(struct blobs *b, int (*keep)(void *ctx, const unsigned char id[32]),
                void *ctx, uint64_t max_age, unsigned *removed, plm_error *err)
{
	DIR *top, *sub;
	struct dirent *e, *f;
	struct stat st;
	unsigned char id[32];
	int subfd, fd;
	time_t now = time(NULL);

	*removed = 0;
	b->bytes = 0;
	if ((fd = dup(b->blobs_fd)) < 0 || (top = fdopendir(fd)) == NULL)
		return plm_error_set(err, PLM_ERR_IO, "cannot list the blob folder");
	rewinddir(top);
	while ((e = readdir(top)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		subfd = openat(b->blobs_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (subfd < 0 || (sub = fdopendir(subfd)) == NULL) {
			if (subfd >= 0)
				close(subfd);
			continue;
		}
		while ((f = readdir(sub)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			if (parse_hex_id(f->d_name, id) != 0 || !keep(ctx, id)) {
				unlinkat(dirfd(sub), f->d_name, 0);
				(*removed)++;
			} else if (fstatat(dirfd(sub), f->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				b->bytes += (uint64_t)st.st_size;
			}
		}
		fsync(dirfd(sub));
		closedir(sub);
	}
	closedir(top);
	if ((fd = dup(b->packs_fd)) >= 0 && (top = fdopendir(fd)) != NULL) {
		rewinddir(top);
		while ((e = readdir(top)) != NULL)
			if (e->d_name[0] != '.' &&
			    fstatat(b->packs_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				b->bytes += (uint64_t)st.st_size;
		closedir(top);
	} else if (fd >= 0) {
		close(fd);
	}
	if ((fd = dup(b->uploads_fd)) < 0 || (top = fdopendir(fd)) == NULL)
		return plm_error_set(err, PLM_ERR_IO, "cannot list the uploads folder");
	rewinddir(top);
	while ((e = readdir(top)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (fstatat(b->uploads_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (uint64_t)(now - st.st_mtime) > max_age) {
			unlinkat(b->uploads_fd, e->d_name, 0);
			(*removed)++;
		}
	}
	closedir(top);
	return 0;
}

int blob_remove(struct blobs *b, const unsigned char id[PLM_HASH_BYTES])
{
	char hex[2 * PLM_HASH_BYTES + 1], path[3 + 2 * PLM_HASH_BYTES + 1];
	struct stat st;

	plm_hex(hex, id, PLM_HASH_BYTES);
	snprintf(path, sizeof(path), "%.2s/%s", hex, hex);
	if (fstatat(b->blobs_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		pthread_mutex_lock(&b->lock);
		b->bytes -= (uint64_t)st.st_size;
		pthread_mutex_unlock(&b->lock);
	}
	return unlinkat(b->blobs_fd, path, 0) == 0 ? 0 : PLM_ERR_IO;
}
