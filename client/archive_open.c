/*
 * archive_open.c - `palermo archive open FILE --key KEYFILE -o DIR`: every
 * document of a sealed archive, decrypted with the archive key into a new
 * folder with an index (PROTOCOL.md §9.5).
 *
 * The archive is verified whole first (archive_check, with no hooks), so
 * nothing is decrypted from an archive that does not verify. A second walk,
 * which verifies everything again, opens the channel keys with the archive
 * key, checks each against its epoch-keys record's commitment, and opens
 * each envelope with plm_envelope_open (which releases a document only
 * once it verified whole); both walks must see the same digest. Each
 * envelope's ciphertext passes through one temporary file in DIR, so
 * memory stays constant whatever the sizes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/archive.h"
#include "client/identity.h"
#include "keys/keystore.h"
#include "keys/manifest.h"

#define TMP_NAME ".envelope.tmp"
#define DOC_TMP_NAME ".document.tmp"

/* One opened channel key. */
struct open_key {
	uint64_t epoch;
	char channel[PLM_RECORD_NAME_MAX + 1];
	unsigned char *key; /* plm_secret_alloc */
	int checked;        /* matched its epoch-keys record's commitment */
};

struct opener {
	const char *dir;
	plm_identity *archive;
	struct open_key *keys;
	size_t n_keys, cap_keys;
	int tmp_fd;
	const plm_pubkeys *author; /* of the envelope being opened */
	plm_manifest *manifest;
	json_t *index;
	FILE *text;
	size_t written;
};

static struct open_key *find_key(struct opener *o, uint64_t epoch, const char *channel)
{
	size_t i;

	for (i = 0; i < o->n_keys; i++)
		if (o->keys[i].epoch == epoch && strcmp(o->keys[i].channel, channel) == 0)
			return &o->keys[i];
	return NULL;
}

/* Hook: opens a sealed channel key with the archive key. */
static int hook_channel_key(void *ctx, const plm_archive_header *h,
                            const plm_archive_item *item, plm_error *err)
{
	struct opener *o = ctx;
	struct open_key *k;
	void *v;
	int r;

	if (o->n_keys == o->cap_keys) {
		size_t cap = o->cap_keys ? 2 * o->cap_keys : 16;
		if ((v = realloc(o->keys, cap * sizeof(*o->keys))) == NULL)
			return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		o->keys = v;
		o->cap_keys = cap;
	}
	k = &o->keys[o->n_keys];
	memset(k, 0, sizeof(*k));
	if ((r = plm_archive_open_channel_key(h, item, o->archive, &k->key, err)) != 0)
		return r;
	k->epoch = item->epoch;
	snprintf(k->channel, sizeof(k->channel), "%s", item->channel);
	o->n_keys++;
	return 0;
}

/* Hook: the opened keys of an epoch must be the ones its record commits to. */
static int hook_epoch_keys(void *ctx, const plm_record *record, plm_error *err)
{
	struct opener *o = ctx;
	const plm_epoch_keys *ek = &record->body.epoch_keys;
	struct open_key *k;
	uint8_t i;
	int r;

	for (i = 0; i < ek->n_channels; i++) {
		if ((k = find_key(o, ek->epoch, ek->channels[i].name)) == NULL)
			return plm_error_set(err, PLM_ERR_NOTFOUND, "no key of channel %s",
			                     ek->channels[i].name);
		if ((r = plm_epoch_keys_check_key(record, k->channel, k->key, err)) != 0)
			return r;
		k->checked = 1;
	}
	return 0;
}

/* Hook: an envelope's ciphertext, into the temporary file. */
static int hook_sink(void *ctx, const unsigned char *bytes, size_t len, plm_error *err)
{
	struct opener *o = ctx;
	char path[4200];
	ssize_t k;

	if (o->tmp_fd < 0) {
		snprintf(path, sizeof(path), "%s/%s", o->dir, TMP_NAME);
		if ((o->tmp_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)) < 0)
			return plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", path,
			                     strerror(errno));
	}
	while (len > 0) {
		k = write(o->tmp_fd, bytes, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return plm_error_set(err, PLM_ERR_IO, "cannot write in %s: %s", o->dir,
			                     strerror(errno));
		bytes += k;
		len -= (size_t)k;
	}
	return 0;
}

/* plm_envelope_open's key source: the author's keys and the channel key's unwrap. */
static int envelope_keys(void *ctx, const plm_envelope_header *header, plm_pubkeys *author,
                         unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct opener *o = ctx;
	struct open_key *k = find_key(o, header->epoch, header->channel);

	if (k == NULL || !k->checked)
		return plm_error_set(err, PLM_ERR_KEY,
		                     "the archive holds no checked key of channel %s, epoch "
		                     "%" PRIu64,
		                     header->channel, header->epoch);
	*author = *o->author;
	return plm_envelope_unwrap_key(header, k->key, doc_key, err);
}

/* The file name of document DOC in the folder: "<seq>-<file name or kind>". */
static void output_name(const struct archive_doc *doc, const plm_manifest *m, char *out,
                        size_t cap)
{
	if (m->file_name[0] != '\0')
		snprintf(out, cap, "%06" PRIu64 "-%s", doc->seq, m->file_name);
	else
		snprintf(out, cap, "%06" PRIu64 "-%s%s", doc->seq, doc->kind,
		         strncmp(m->mime, "text/", 5) == 0 ? ".txt" : ".bin");
}

/* Hook: a verified envelope, opened into the folder and added to the index. */
static int hook_envelope(void *ctx, const struct archive_doc *doc, const plm_pubkeys *author,
                         plm_error *err)
{
	struct opener *o = ctx;
	char name[600], path[4800], final[4800], id[2 * PLM_HASH_BYTES + 1], when[48];
	unsigned char opened[PLM_HASH_BYTES];
	int r;

	if (o->tmp_fd < 0 || lseek(o->tmp_fd, 0, SEEK_SET) != 0)
		return plm_error_set(err, PLM_ERR_IO, "the envelope's temporary copy is missing");
	o->author = author;
	memset(o->manifest, 0, sizeof(*o->manifest));
	/* Opened under a fixed name first: the file name is in the manifest. */
	snprintf(path, sizeof(path), "%s/%s", o->dir, DOC_TMP_NAME);
	if ((r = plm_envelope_open(o->tmp_fd, path, envelope_keys, o, o->manifest, NULL,
	                           opened, err)) != 0)
		return r;
	output_name(doc, o->manifest, name, sizeof(name));
	snprintf(final, sizeof(final), "%s/%s", o->dir, name);
	if (access(final, F_OK) == 0 || rename(path, final) != 0) {
		unlink(path);
		return plm_error_set(err, PLM_ERR_IO, "cannot name the document %s in %s", name,
		                     o->dir);
	}
	if (ftruncate(o->tmp_fd, 0) != 0 || lseek(o->tmp_fd, 0, SEEK_SET) != 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot reuse the temporary file");
	plm_hex(id, doc->id, PLM_HASH_BYTES);
	identity_format_time(doc->created_at, when, sizeof(when));
	json_array_append_new(
	    o->index,
	    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I}", "id",
	              id, "seq", (json_int_t)doc->seq, "kind", doc->kind, "stage", doc->stage,
	              "channel", doc->channel, "title", o->manifest->title, "author",
	              doc->author_user, "state", doc->author_state, "created_at",
	              (json_int_t)doc->created_at, "date", when, "file", name, "mime",
	              o->manifest->mime, "size", (json_int_t)o->manifest->size));
	fprintf(o->text, "%.12s  %s  %-24s %s (%s, %s)  %s  %s\n", id, when, doc->kind,
	        doc->author_user, doc->author_state, doc->author_role,
	        o->manifest->title[0] ? o->manifest->title : "(untitled)", name);
	o->written++;
	return 0;
}

/*
 * Removes DIR and the files in it after a failure: the folder was made by
 * this command, so everything in it is a file this command wrote.
 */
static void remove_output(const char *dir)
{
	char path[4400];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Creates DIR/NAME (0600, new) for writing into *F. */
static int create_in(const char *dir, const char *name, FILE **f, plm_error *err)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) < 0 ||
	    (*f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", path, strerror(errno));
	}
	return 0;
}

/* Writes the index files (0600) into DIR: index.json, and TEXT as index.txt. */
static int write_index(struct opener *o, const char *text, size_t text_len, plm_error *err)
{
	FILE *f;
	int ok;

	if (create_in(o->dir, "index.json", &f, err) != 0)
		return PLM_ERR_IO;
	ok = json_dumpf(o->index, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF;
	if (fclose(f) != 0 || !ok)
		return plm_error_set(err, PLM_ERR_IO, "cannot write the index in %s", o->dir);
	if (create_in(o->dir, "index.txt", &f, err) != 0)
		return PLM_ERR_IO;
	ok = fwrite(text, 1, text_len, f) == text_len;
	if (fclose(f) != 0 || !ok)
		return plm_error_set(err, PLM_ERR_IO, "cannot write the index in %s", o->dir);
	return 0;
}

int archive_open_cmd(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"key", required_argument, NULL, 'k'},
	    {"trust", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct archive_hooks hooks = {
	    .channel_key = hook_channel_key,
	    .epoch_keys = hook_epoch_keys,
	    .sink = hook_sink,
	    .envelope = hook_envelope,
	};
	struct archive_summary first, second;
	unsigned char trust[PLM_FPR_BYTES], *pass = NULL;
	const char *dir = NULL, *keyfile = NULL, *file;
	char *text = NULL, tmp[4200];
	size_t text_len = 0, len = 0, i;
	struct opener o;
	plm_error err;
	int c, r, trusted = 0, made = 0;

	memset(&o, 0, sizeof(o));
	memset(&first, 0, sizeof(first));
	memset(&second, 0, sizeof(second));
	o.tmp_fd = -1;
	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'k': keyfile = optarg; break;
		case 't':
			if ((trusted = archive_trust_option(cli, optarg, trust)) < 0)
				return EXIT_USAGE;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (dir == NULL || keyfile == NULL || optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo archive open FILE --key KEYFILE -o DIR");
	file = argv[optind];
	if (access(dir, F_OK) == 0)
		return cli_fail(cli, EXIT_FAILURE_,
		                "%s already exists; palermo opens an archive only into a new "
		                "folder (choose another name)",
		                dir);
	/* Nothing is decrypted from an archive that does not verify. */
	if ((r = archive_verify_file(cli, file, trusted ? trust : NULL, NULL, &first)) != 0)
		goto out;
	if (cli_passphrase(cli, "Passphrase of the archive key: ", 0, &pass, &len, &err) != 0 ||
	    plm_keystore_open(keyfile, pass, len, &o.archive, &err) != 0) {
		r = cli_fail(cli,
		             err.code == PLM_ERR_PASSPHRASE ? EXIT_AUTH
		             : err.code == PLM_ERR_NOTFOUND ? EXIT_NOTFOUND
		                                            : cli_exit_for(err.code),
		             "%s", err.code == PLM_ERR_PASSPHRASE
		                       ? "wrong passphrase for the archive key; try again"
		                       : err.message);
		goto out;
	}
	if (memcmp(o.archive->pub.box_pk, first.header.archive_pk, PLM_BOX_PK_BYTES) != 0) {
		char want[2 * PLM_BOX_PK_BYTES + 1];
		plm_hex(want, first.header.archive_pk, PLM_BOX_PK_BYTES);
		r = cli_fail(cli, EXIT_AUTH,
		             "%s is not the archive key %s was sealed to (its public key "
		             "begins %.16s); use that key file",
		             keyfile, file, want);
		goto out;
	}
	if (mkdir(dir, 0700) != 0) {
		r = cli_fail(cli, EXIT_FAILURE_, "cannot make the folder %s: %s", dir,
		             strerror(errno));
		goto out;
	}
	made = 1;
	o.dir = dir;
	if ((o.manifest = NULL, plm_manifest_new(&o.manifest, &err)) != 0 ||
	    (o.index = json_array()) == NULL ||
	    (o.text = open_memstream(&text, &text_len)) == NULL) {
		r = cli_fail(cli, EXIT_FAILURE_, "out of memory");
		goto out;
	}
	hooks.ctx = &o;
	if ((r = archive_verify_file(cli, file, trusted ? trust : NULL, &hooks, &second)) != 0)
		goto out;
	if (memcmp(first.digest, second.digest, PLM_HASH_BYTES) != 0) {
		r = cli_fail(cli, EXIT_VERIFY, "%s changed while it was being opened; open it "
		                               "again", file);
		goto out;
	}
	fclose(o.text);
	o.text = NULL;
	if (write_index(&o, text, text_len, &err) != 0) {
		r = cli_fail_err(cli, &err);
		goto out;
	}
	if (cli->json)
		r = cli_json(cli, json_pack("{s:s, s:s, s:I}", "review", second.header.review_id,
		                            "folder", dir, "documents", (json_int_t)o.written));
	else
		cli_say(cli, "Opened %zu document%s of review %s into %s (see %s/index.txt).",
		        o.written, o.written == 1 ? "" : "s", second.header.review_id, dir, dir);
	r = EXIT_OK;
out:
	if (o.tmp_fd >= 0) {
		close(o.tmp_fd);
		snprintf(tmp, sizeof(tmp), "%s/%s", dir, TMP_NAME);
		unlink(tmp);
	}
	if (o.text != NULL)
		fclose(o.text);
	if (r != EXIT_OK && made)
		remove_output(dir);
	free(text);
	json_decref(o.index);
	plm_manifest_free(o.manifest);
	for (i = 0; i < o.n_keys; i++)
		plm_secret_free(o.keys[i].key);
	free(o.keys);
	plm_identity_free(o.archive);
	plm_secret_free(pass);
	archive_summary_free(&first);
	archive_summary_free(&second);
	return r;
}
