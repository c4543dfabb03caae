/* outbox.c - queue sealed envelopes, send them exactly once (see outbox.h). */
#define _GNU_SOURCE
#include "client/outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "client/local.h"
#include "client/state.h"
#include "client/sync.h"

#define PATH_CAP 4300

/* fsyncs the folder DIR, so that a rename into it is durable. */
static int sync_dir(const char *dir, plm_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0 || fsync(fd) != 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot make %s durable: %s", dir,
		                  strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

int outbox_add(struct cli *cli, const char *review, const char *channel,
               const char *kind, const char *sealed_path,
               const unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	struct outbox_item item;
	char dest[PATH_CAP], dir[PATH_CAP];
	struct stat sb;
	int fd, r;

	memset(&item, 0, sizeof(item));
	if (strlen(review) >= sizeof(item.review) ||
	    strlen(channel) >= sizeof(item.channel) ||
	    strlen(kind) >= sizeof(item.kind))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a review, channel or kind name is too long");
	memcpy(item.id, id, PLM_HASH_BYTES);
	snprintf(item.review, sizeof(item.review), "%s", review);
	snprintf(item.channel, sizeof(item.channel), "%s", channel);
	snprintf(item.kind, sizeof(item.kind), "%s", kind);
	/* The bytes first: durable before anything points at them. */
	fd = open(sealed_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO,
		                     "cannot open the sealed envelope %s: %s",
		                     sealed_path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || fsync(fd) != 0) {
		r = plm_error_set(err, PLM_ERR_IO,
		                  "cannot store the sealed envelope %s: %s",
		                  sealed_path, strerror(errno));
		close(fd);
		return r;
	}
	close(fd);
	item.size = (uint64_t)sb.st_size;
	state_path(cli->state, "outbox", id, dest, sizeof(dest));
	if (access(dest, F_OK) == 0)
		return plm_error_set(err, PLM_ERR_EXISTS,
		                     "this envelope is already in the outbox");
	if (rename(sealed_path, dest) != 0)
		return plm_error_set(err, PLM_ERR_IO,
		                     "cannot move the sealed envelope into %s: %s",
		                     dest, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/outbox", state_home(cli->state));
	if ((r = sync_dir(dir, err)) != 0)
		goto fail;
	/* A fixed upload id: every later attempt resumes this one upload. */
	randombytes_buf(item.upload_id, sizeof(item.upload_id));
	item.queued_at = (int64_t)time(NULL);
	if ((r = state_outbox_insert(cli->state, &item, err)) != 0)
		goto fail;
	return 0;
fail:
	/* Put the file back where the caller expects it (the caller removes it). */
	if (rename(dest, sealed_path) != 0)
		unlink(dest);
	return r;
}

/* Removes ITEM's file (after its row is gone: a crash leaves a stray file, never a lost
 * item). */
static void remove_file(struct cli *cli, const unsigned char id[PLM_HASH_BYTES])
{
	char path[PATH_CAP];

	state_path(cli->state, "outbox", id, path, sizeof(path));
	unlink(path);
}

/* The first 12 hex digits of ID, as `palermo outbox` shows it. */
static void short_id(char out[13], const unsigned char id[PLM_HASH_BYTES])
{
	char hex[2 * PLM_HASH_BYTES + 1];

	plm_hex(hex, id, PLM_HASH_BYTES);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

/* Checks that the server's answer JSON names ID. */
static int answer_names(json_t *answer, const unsigned char id[PLM_HASH_BYTES])
{
	char hex[2 * PLM_HASH_BYTES + 1];
	const char *got = json_string_value(json_object_get(answer, "id"));

	plm_hex(hex, id, PLM_HASH_BYTES);
	return got != NULL && strcmp(got, hex) == 0;
}

/* 1 if an upload error CODE is the server's final word on the item. */
static int is_refusal(int code)
{
	switch (code) {
	case PLM_ERR_DENIED:   /* 401, 403: not a member, not allowed */
	case PLM_ERR_POLICY:   /* 400, 409, 422, other 4xx: refused */
	case PLM_ERR_LIMIT:    /* 413: too large for its kind */
	case PLM_ERR_NOTFOUND: /* 404: no such review */
		return 1;
	}
	return 0;
}

/* Reads the header of the sealed envelope at PATH into H. */
static int read_header(const char *path, plm_envelope_header *h, plm_error *err)
{
	unsigned char *buf = NULL;
	size_t want;
	ssize_t got;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot open %s: %s", path,
		                     strerror(errno));
	if ((buf = malloc(PLM_ENVELOPE_HEADER_MAX_BYTES)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	got = read(fd, buf, PLM_ENVELOPE_PREAMBLE_BYTES);
	if (got != PLM_ENVELOPE_PREAMBLE_BYTES) {
		r = plm_error_set(err, PLM_ERR_CORRUPT,
		                  "the sealed envelope %s is damaged", path);
		goto out;
	}
	/* PROTOCOL.md §7.1: magic, version, u16 header_len. */
	want = PLM_ENVELOPE_PREAMBLE_BYTES +
	       (((size_t)buf[PLM_ENVELOPE_PREAMBLE_BYTES - 2] << 8) |
	        buf[PLM_ENVELOPE_PREAMBLE_BYTES - 1]);
	if (want > PLM_ENVELOPE_HEADER_MAX_BYTES ||
	    read(fd, buf + PLM_ENVELOPE_PREAMBLE_BYTES,
	         want - PLM_ENVELOPE_PREAMBLE_BYTES) !=
	        (ssize_t)(want - PLM_ENVELOPE_PREAMBLE_BYTES)) {
		r = plm_error_set(err, PLM_ERR_CORRUPT,
		                  "the sealed envelope %s is damaged", path);
		goto out;
	}
	r = plm_envelope_header_decode(h, buf, want, err);
out:
	free(buf);
	close(fd);
	return r;
}

/*
 * May the envelope at PATH still join its review, as this client last
 * verified the review? The review moves on while an item waits (a new
 * roster epoch, the next stage, a changed role); an envelope sealed
 * before cannot be re-sealed (the plaintext is not kept), so it is
 * refused here with the rule's reason, as the server would refuse it.
 * Returns 0 when it may (or when this client cannot tell: the server
 * decides), PLM_ERR_POLICY with the reason in WHY when it may not.
 */
static int still_allowed(struct cli *cli, const struct outbox_item *item,
                         const char *path, plm_error *why)
{
	const plm_policy *policy;
	plm_envelope_header *h = malloc(sizeof(*h));
	plm_review *review = NULL;
	plm_error rule;
	int r = 0;

	if (h == NULL || read_header(path, h, NULL) != 0 ||
	    local_policy(cli, &policy, NULL) != 0 ||
	    local_review(cli, item->review, INT64_MAX, &review, NULL) != 0)
		goto out;
	if (plm_review_check_envelope(review, policy, h, &rule) != 0)
		r = plm_error_set(why, PLM_ERR_POLICY,
		                  "this %s can no longer be sent (%s)", item->kind,
		                  rule.message);
out:
	plm_review_free(review);
	free(h);
	return r;
}

/*
 * Sends ITEM. 0 when delivered (the row and file are gone), else the
 * upload's error code (after recording it on the item).
 */
static int send_item(struct cli *cli, const struct outbox_item *item, plm_error *err)
{
	char path[PATH_CAP], sid[13];
	json_t *answer = NULL;
	plm_error up;
	int r;

	state_path(cli->state, "outbox", item->id, path, sizeof(path));
	short_id(sid, item->id);
	if (access(path, F_OK) != 0) {
		plm_error_set(
		    &up, PLM_ERR_IO,
		    "the sealed file of %s is missing from the outbox; drop it with "
		    "`palermo outbox drop %s` and send the document again",
		    sid, sid);
		state_outbox_refuse(cli->state, item->id, up.message, NULL);
		cli_warn(cli, "%s", up.message);
		return PLM_ERR_POLICY;
	}
	plm_error_clear(&up);
	if (still_allowed(cli, item, path, &up) != 0) {
		if (state_outbox_refuse(cli->state, item->id, up.message, err) != 0)
			return PLM_ERR_IO;
		cli_warn(cli, "%s (`palermo outbox drop %s` discards it)", up.message,
		         sid);
		return PLM_ERR_POLICY;
	}
	r = transport_upload(cli->net, item->review, item->upload_id, path, &answer,
	                     &up);
	if (r == 0 && !answer_names(answer, item->id))
		r = plm_error_set(
		    &up, PLM_ERR_MISMATCH,
		    "the server answered the upload of %s with another envelope "
		    "id; it stays in the outbox",
		    sid);
	/* The next sync checks that the log holds what was acknowledged. */
	if (r == 0 && json_is_integer(json_object_get(answer, "seq")) &&
	    state_ack_add(cli->state, item->id, item->review,
	                  json_integer_value(json_object_get(answer, "seq")),
	                  err) != 0) {
		json_decref(answer);
		return PLM_ERR_IO;
	}
	json_decref(answer);
	if (r == 0) {
		/* 201 stored, or 200 already stored: delivered exactly once. */
		r = state_outbox_delete(cli->state, item->id, err);
		if (r != 0 && r != PLM_ERR_NOTFOUND) /* NOTFOUND: dropped meanwhile */
			return r;
		remove_file(cli, item->id);
		return 0;
	}
	if (r == PLM_ERR_IO || r == PLM_ERR_NOMEM) {
		*err = up;
		return r;
	}
	if (is_refusal(r)) {
		if (state_outbox_refuse(cli->state, item->id, up.message, err) != 0)
			return PLM_ERR_IO;
		cli_warn(
		    cli,
		    "%s (the %s %s for review %s stays in the outbox: `palermo outbox "
		    "drop %s` discards it)",
		    up.message, item->kind, sid, item->review, sid);
		return r;
	}
	/* The network, a 5xx, an answer naming another id: try again later. */
	if (state_outbox_attempt(cli->state, item->id, up.message, err) != 0)
		return PLM_ERR_IO;
	*err = up;
	return r;
}

/* How old a stray file in outbox/ must be before the sweep removes it. */
#define STRAY_AGE (24 * 60 * 60)

/*
 * Removes what a crash may have left in outbox/ more than a day ago:
 * half-sealed ".sealing-*" files of an interrupted send, and sealed
 * envelopes whose queueing transaction never committed (no row points at
 * them: they were never reported as queued). Both are ciphertext; this is
 * tidiness, not secrecy. A day keeps it clear of a send running right now.
 */
static void sweep(struct cli *cli)
{
	char dir[PATH_CAP], path[PATH_CAP + 300];
	unsigned char id[PLM_HASH_BYTES];
	struct outbox_item item;
	struct dirent *de;
	struct stat sb;
	time_t now = time(NULL);
	size_t bin;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/outbox", state_home(cli->state));
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
		    now - sb.st_mtime < STRAY_AGE)
			continue;
		if (strncmp(de->d_name, ".sealing-", 9) == 0) {
			unlink(path);
			continue;
		}
		if (strlen(de->d_name) != 2 * PLM_HASH_BYTES ||
		    sodium_hex2bin(id, sizeof(id), de->d_name, 2 * PLM_HASH_BYTES, NULL,
		                   &bin, NULL) != 0 ||
		    bin != PLM_HASH_BYTES)
			continue;
		if (state_outbox_get(cli->state, id, &item, NULL) == PLM_ERR_NOTFOUND)
			unlink(path);
	}
	closedir(d);
}

int outbox_flush(struct cli *cli, unsigned *sent, unsigned *left, plm_error *err)
{
	struct outbox_item *items = NULL;
	char lock_path[PATH_CAP];
	size_t n = 0, i;
	int lock = -1, r, net_down = 0;

	*sent = 0;
	*left = 0;
	if (cli->state == NULL || cli->me == NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "the outbox is sent with an open state and identity");
	/* One sender at a time: a second waits, then finds what is left. */
	snprintf(lock_path, sizeof(lock_path), "%s/outbox/.lock",
	         state_home(cli->state));
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot lock the outbox %s: %s",
		                  lock_path, strerror(errno));
		goto out;
	}
	sweep(cli);
	if ((r = state_outbox_list(cli->state, NULL, &items, &n, err)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (items[i].refused || net_down) {
			(*left)++;
			continue;
		}
		if (cli->net == NULL &&
		    (r = transport_new(cli->state, cli->me, &cli->net, err)) != 0)
			goto out;
		r = send_item(cli, &items[i], err);
		if (r == 0) {
			(*sent)++;
			continue;
		}
		(*left)++;
		if (r == PLM_ERR_IO || r == PLM_ERR_NOMEM)
			goto out;
		/* The server is out of reach: the rest would fail the same way. */
		if (r == PLM_ERR_NET)
			net_down = 1;
	}
	r = net_down ? PLM_ERR_NET : 0;
	if (!net_down)
		plm_error_clear(err);
out:
	free(items);
	if (lock >= 0)
		close(lock); /* releases the lock */
	return r;
}

int outbox_list(struct cli *cli, const char *review, struct outbox_item **items,
                size_t *n, plm_error *err)
{
	return state_outbox_list(cli->state, review, items, n, err);
}

int outbox_get(struct cli *cli, const unsigned char id[PLM_HASH_BYTES],
               struct outbox_item *out, plm_error *err)
{
	return state_outbox_get(cli->state, id, out, err);
}

int outbox_find(struct cli *cli, const char *prefix, struct outbox_item *out,
                plm_error *err)
{
	char hex[2 * PLM_HASH_BYTES + 1];
	size_t i, len = strlen(prefix);

	if (len < 4 || len > 2 * PLM_HASH_BYTES)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "give 4 to 64 hex digits of the id, as `palermo outbox` "
		    "shows it");
	for (i = 0; i < len; i++) {
		char c = prefix[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return plm_error_set(err, PLM_ERR_INVALID,
			                     "'%.64s' is not an id: ids are hex digits",
			                     prefix);
		hex[i] = c;
	}
	hex[len] = '\0';
	return state_outbox_find(cli->state, hex, out, err);
}

int outbox_drop(struct cli *cli, const unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	int r;

	if ((r = state_outbox_delete(cli->state, id, err)) != 0)
		return r;
	remove_file(cli, id);
	return 0;
}

int outbox_retry(struct cli *cli, const unsigned char id[PLM_HASH_BYTES],
                 plm_error *err)
{
	return state_outbox_unrefuse(cli->state, id, err);
}
