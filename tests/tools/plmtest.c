/*
 * plmtest.c - the test tool of the end-to-end scripts (tests/t1*.sh): it
 * plays the secretariat and the members of a review until the real client
 * (client/, issue 4) exists, using only the keys/ and policies/ APIs.
 *
 *   plmtest identity FILE                 new random seed file (0600), prints
 *                                         its fingerprint
 *   plmtest fpr FILE                      fingerprint of a seed file
 *   plmtest root-cert --root SEED ...     self-signed root certificate
 *   plmtest cert --root SEED --seed SEED  certificate signed by the root
 *   plmtest revoke --root SEED --seed SEED
 *   plmtest roster --root SEED --review ID --epoch N [--prev FILE] ...
 *   plmtest epoch-keys --root SEED --roster FILE --keys-out FILE [--omit U] SEED...
 *   plmtest stage --seed SEED --review ID --seq N --from A --to B
 *   plmtest agree --seed SEED --review ID --id HEX --kind K --state S
 *   plmtest disclose --seed SEED --review ID --id ENVELOPE --to parties|public
 *                    [--epoch N]               a disclosure (random key)
 *   plmtest parties-roster --root SEED --policy FILE [--prev FILE] --member ...
 *   plmtest parties-keys --root SEED --roster FILE --out FILE SEED...
 *   plmtest seal --seed SEED --keys FILE --review ID --channel C ...
 *                [--field KEY=VALUE] [--epoch-keys RECORD instead of --keys]
 *   plmtest open|verify --author SEED|CERT --in FILE [--keys FILE]
 *   plmtest req [--seed SEED] [--body FILE] ... METHOD URL
 *   plmtest raw --port N --in FILE [--stall S]   raw bytes, for bad HTTP
 *   plmtest head-verify | inclusion-verify | consistency-verify ...
 *   plmtest keystore-secrets --in KEYSTORE --passphrase-file F
 *                                         the secrets a keystore holds, in hex
 *
 * SEED may also be a real client's keystore (a palermo home's identity.key,
 * unlocked with the passphrase in $PALERMO_PASSPHRASE_FILE), so that a script
 * can play a member enrolled with the real client and craft what that
 * client would refuse to make (tests/t4110).
 *
 * Every subcommand writes its result to --out (records are their exact
 * encoding) and prints what a script needs on standard output: a
 * fingerprint, an id, or for req the HTTP status on the first line and the
 * body after it. Errors are one sentence on standard error; exit status 1
 * for a failure, 2 for a usage error.
 *
 * A SEED argument may also be a palermo keystore (identity.key), unlocked
 * with the passphrase in $PALERMO_PASSPHRASE_FILE.
 *
 * WARNING: this is a test tool. Seeds are kept unencrypted in files, and
 * epoch-keys writes the channel keys in clear to a file so that tests can
 * seal and open envelopes; nothing like it may ever serve a real review.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <sodium.h>

#include "keys/codec.h"
#include "keys/crypto.h"
#include "keys/envelope.h"
#include "keys/httpsig.h"
#include "keys/keystore.h"
#include "keys/manifest.h"
#include "keys/merkle.h"
#include "keys/record.h"
#include "keys/treehead.h"
#include "policies/policy.h"
#include "policies/review.h"

#define MAX_LIST 64
#define KEYS_LINE_MAX 256

/* Every option of every subcommand; each subcommand reads what it needs. */
struct opts {
	const char *root, *seed, *claim, *out, *in, *keys, *keys_out;
	const char *user_id, *name, *state, *usage, *reason, *fpr;
	const char *review, *prev, *policy, *sur, *cluster, *roster;
	const char *channel, *kind, *title, *mime, *file_name, *reply_to;
	const char *from, *to, *author, *omit;
	const char *field;      /* seal: one manifest field KEY=VALUE */
	const char *epoch_keys; /* seal: the channel key from this epoch-keys record */
	const char *nonce, *body, *output, *sign_url, *sign_body, *cacert;
	const char *log_pk, *head, *old_head, *proof, *entry, *id;
	const char *passphrase_file;
	uint64_t serial, epoch, seq, valid_days, not_before, not_after;
	uint64_t created, offset, max_bytes, rate, index, size, stall, port;
	int have_epoch, have_created, have_offset, have_max_bytes, have_index,
	    have_size, have_not_before, have_not_after, show_headers, verbose;
	const char *instruments[MAX_LIST], *languages[MAX_LIST], *members[MAX_LIST],
	    *headers[MAX_LIST];
	size_t n_instruments, n_languages, n_members, n_headers;
};

static const char *command = "plmtest";

/* Prints "plmtest CMD: <sentence>" and returns 1 (the failure exit code). */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "plmtest %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Reports a usage error about a missing option and returns 2. */
static int need(const char *value, const char *option)
{
	if (value != NULL)
		return 0;
	fprintf(stderr, "plmtest %s: the option --%s is required\n", command, option);
	return 2;
}

/*
 * Reads the whole file PATH into *OUT (malloc'd, caller frees) and *LEN.
 * Prints the reason and returns 1 on failure.
 */
static int read_file(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	*out = NULL;
	*len = 0;
	if (f == NULL)
		return fail("cannot open %s: %s", path, strerror(errno));
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return fail("out of memory reading %s", path);
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return fail("cannot read %s", path);
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

/* Writes LEN bytes to PATH (created or truncated, MODE), fsynced. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode,
                      int exclusive)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	            (exclusive ? O_EXCL : O_TRUNC);
	int fd = open(path, flags, mode);
	const unsigned char *p = data;
	ssize_t n;

	if (fd < 0)
		return fail("cannot create %s: %s", path, strerror(errno));
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return fail("cannot write %s: %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		return fail("cannot write %s: %s", path, strerror(errno));
	return 0;
}

/*
 * Loads a client's keystore (a palermo home's identity.key, PROTOCOL.md §4)
 * with the passphrase on the first line of $PALERMO_PASSPHRASE_FILE, so that
 * the tool can play a member enrolled with the real client.
 */
static int load_keystore(const char *path, plm_identity **out)
{
	const char *file = getenv("PALERMO_PASSPHRASE_FILE");
	unsigned char *pass = NULL;
	size_t len = 0;
	plm_error err;
	int r;

	if (file == NULL)
		return fail("%s is a keystore: set PALERMO_PASSPHRASE_FILE", path);
	if ((r = read_file(file, &pass, &len)) != 0)
		return r;
	while (len > 0 && (pass[len - 1] == '\n' || pass[len - 1] == '\r'))
		len--;
	r = plm_keystore_open(path, pass, len, out, &err);
	sodium_memzero(pass, len);
	free(pass);
	if (r != 0)
		return fail("%s: %s", path, err.message);
	return 0;
}

/* Loads the identity of the seed file PATH (32 raw bytes), or of a keystore. */
static int load_identity(const char *path, plm_identity **out)
{
	unsigned char *seed = plm_secret_alloc(PLM_SEED_BYTES + 1);
	plm_error err;
	struct stat st;
	ssize_t n;
	int fd, r;

	*out = NULL;
	if (seed == NULL)
		return fail("out of secure memory");
	if (stat(path, &st) == 0 && st.st_size == PLM_KEYSTORE_BYTES) {
		plm_secret_free(seed);
		return load_keystore(path, out);
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		plm_secret_free(seed);
		return fail("cannot open the seed file %s: %s", path, strerror(errno));
	}
	n = read(fd, seed, PLM_SEED_BYTES + 1);
	close(fd);
	if (n > PLM_SEED_BYTES) {
		plm_secret_free(seed);
		return load_keystore(path, out);
	}
	if (n != PLM_SEED_BYTES) {
		plm_secret_free(seed);
		return fail("%s is not a seed file (32 bytes)", path);
	}
	r = plm_identity_from_seed(out, seed, &err);
	plm_secret_free(seed);
	if (r != 0)
		return fail("%s: %s", path, err.message);
	return 0;
}

/*
 * The public keys in PATH: a seed file (32 bytes) or a certificate record.
 */
static int load_public(const char *path, plm_pubkeys *out)
{
	unsigned char *bytes = NULL;
	plm_identity *id = NULL;
	plm_record *cert = NULL;
	plm_keystore ks;
	plm_error err;
	size_t len;
	int r;

	if ((r = read_file(path, &bytes, &len)) != 0)
		return r;
	if (plm_keystore_parse(bytes, len, &ks, NULL) == 0) { /* no KDF needed */
		free(bytes);
		*out = ks.pub;
		return 0;
	}
	if (len == PLM_SEED_BYTES) {
		free(bytes);
		if ((r = load_identity(path, &id)) != 0)
			return r;
		*out = id->pub;
		plm_identity_free(id);
		return 0;
	}
	if (plm_record_decode(bytes, len, &cert, &err) != 0 ||
	    plm_record_expect_type(cert, PLM_RECORD_CERTIFICATE, &err) != 0) {
		free(bytes);
		plm_record_free(cert);
		return fail("%s is neither a seed file nor a certificate: %s", path,
		            err.message);
	}
	*out = cert->body.certificate.keys;
	free(bytes);
	plm_record_free(cert);
	return 0;
}

/* Reads the record in PATH (decoded; signature not checked). */
static int load_record(const char *path, int type, plm_record **out)
{
	unsigned char *bytes = NULL;
	plm_error err;
	size_t len;
	int r;

	*out = NULL;
	if ((r = read_file(path, &bytes, &len)) != 0)
		return r;
	r = plm_record_decode(bytes, len, out, &err);
	if (r == 0)
		r = plm_record_expect_type(*out, type, &err);
	free(bytes);
	if (r != 0) {
		plm_record_free(*out);
		*out = NULL;
		return fail("%s: %s", path, err.message);
	}
	return 0;
}

/* Signs RECORD with SIGNER and writes its encoding to PATH; prints its id. */
static int sign_and_write(plm_record *record, const plm_identity *signer,
                          const char *path)
{
	unsigned char *bytes = NULL;
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_error err;
	size_t len;
	int r;

	if (plm_record_encode_sign(record, signer, &bytes, &len, &err) != 0)
		return fail("%s", err.message);
	r = write_file(path, bytes, len, 0644, 0);
	free(bytes);
	if (r == 0) {
		plm_hex(hex, record->id, PLM_HASH_BYTES);
		puts(hex);
	}
	return r;
}

/*
 * Fills the body of REC from the options O (SIGNER: the keys that will sign
 * it); 0, or the exit status after fail().
 */
typedef int (*fill_fn)(plm_record *rec, const struct opts *o, const plm_identity *signer);

/*
 * The shape of every simple record command: a new record of TYPE, filled
 * by FILL, signed by the identity in SIGNER_PATH and written to O->out.
 */
static int signed_record(const struct opts *o, const char *signer_path, int type,
                         fill_fn fill)
{
	plm_identity *signer = NULL;
	plm_record *rec = NULL;
	plm_error err;
	int r;

	if ((r = load_identity(signer_path, &signer)) != 0)
		return r;
	if (plm_record_new(&rec, type, &err) != 0)
		r = fail("%s", err.message);
	else if ((r = fill(rec, o, signer)) == 0)
		r = sign_and_write(rec, signer, o->out);
	plm_record_free(rec);
	plm_identity_free(signer);
	return r;
}

/* Copies S into the array DST of CAP bytes, refusing what does not fit. */
static int copy_str(char *dst, size_t cap, const char *s, const char *what)
{
	if (s == NULL || strlen(s) >= cap)
		return fail("%s is missing or too long", what);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* Parses 64 hex digits into OUT. */
static int parse_hex32(const char *s, unsigned char out[32], const char *what)
{
	size_t bin_len = 0;

	if (s == NULL || strlen(s) != 64 ||
	    sodium_hex2bin(out, 32, s, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32)
		return fail("%s must be 64 hexadecimal digits", what);
	return 0;
}

/* ---- identities and deployment records ------------------------------- */

/* identity FILE: a new random seed in FILE (0600, never overwritten). */
static int cmd_identity(struct opts *o, int argc, char **argv)
{
	plm_identity *id = NULL;
	unsigned char fpr[PLM_FPR_BYTES];
	char hex[2 * PLM_FPR_BYTES + 1];
	plm_error err;
	int r;

	(void)o;
	if (argc != 1)
		return fail("usage: plmtest identity FILE"), 2;
	if (plm_identity_generate(&id, &err) != 0)
		return fail("%s", err.message);
	r = write_file(argv[0], id->seed, PLM_SEED_BYTES, 0600, 1);
	if (r == 0) {
		plm_fingerprint(fpr, &id->pub);
		plm_hex(hex, fpr, PLM_FPR_BYTES);
		puts(hex);
	}
	plm_identity_free(id);
	return r;
}

/* fpr FILE: the fingerprint of a seed file or a certificate. */
static int cmd_fpr(struct opts *o, int argc, char **argv)
{
	unsigned char fpr[PLM_FPR_BYTES];
	char hex[2 * PLM_FPR_BYTES + 1];
	plm_pubkeys pub;
	int r;

	(void)o;
	if (argc != 1)
		return fail("usage: plmtest fpr FILE"), 2;
	if ((r = load_public(argv[0], &pub)) != 0)
		return r;
	plm_fingerprint(fpr, &pub);
	plm_hex(hex, fpr, PLM_FPR_BYTES);
	puts(hex);
	return 0;
}

static int parse_usage(const char *s, uint8_t *usage)
{
	static const char *const names[] = {NULL, "member", "secretariat", "log", "root"};
	unsigned i;

	for (i = 1; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*usage = (uint8_t)i;
			return 0;
		}
	return fail("--usage must be member, secretariat, log or root, not '%s'", s);
}

/*
 * Fills a certificate for KEYS from the options: user id, name, State,
 * usage, serial, validity (default: from an hour ago for --valid-days,
 * 365 unless given).
 */
static int fill_certificate(plm_certificate *c, const struct opts *o,
                            const plm_pubkeys *keys, uint8_t usage)
{
	uint64_t now = (uint64_t)time(NULL);
	int r;

	if ((r = copy_str(c->user_id, sizeof(c->user_id), o->user_id, "--user-id")) != 0 ||
	    (r = copy_str(c->display_name, sizeof(c->display_name),
	                  o->name ? o->name : o->user_id, "--name")) != 0 ||
	    (r = copy_str(c->state, sizeof(c->state), o->state, "--state")) != 0)
		return r;
	c->usage = usage;
	c->keys = *keys;
	c->serial = o->serial ? o->serial : 1;
	c->not_before = o->have_not_before ? o->not_before : now - 3600;
	c->not_after = o->have_not_after ? o->not_after
	                                 : now + 86400 * (o->valid_days ? o->valid_days : 365);
	return 0;
}

/* The root's own certificate, of its own keys. */
static int fill_root_cert(plm_record *rec, const struct opts *o, const plm_identity *root)
{
	return fill_certificate(&rec->body.certificate, o, &root->pub, PLM_USAGE_ROOT);
}

/* root-cert --root SEED --out FILE [--user-id --name --state]. */
static int cmd_root_cert(struct opts *o, int argc, char **argv)
{
	int r;

	(void)argv;
	if (argc != 0 || (r = need(o->root, "root")) != 0 || (r = need(o->out, "out")) != 0)
		return 2;
	if (o->user_id == NULL)
		o->user_id = "root";
	if (o->state == NULL)
		o->state = "UNODC";
	if (o->name == NULL)
		o->name = "Palermo deployment root";
	return signed_record(o, o->root, PLM_RECORD_CERTIFICATE, fill_root_cert);
}

/* A member's certificate of the keys in --seed, with --usage. */
static int fill_cert(plm_record *rec, const struct opts *o, const plm_identity *root)
{
	plm_pubkeys pub;
	uint8_t usage = PLM_USAGE_MEMBER;
	int r;

	(void)root;
	if ((o->usage != NULL && (r = parse_usage(o->usage, &usage)) != 0) ||
	    (r = load_public(o->seed, &pub)) != 0)
		return r;
	return fill_certificate(&rec->body.certificate, o, &pub, usage);
}

/* cert --root SEED --seed SEED --user-id U --state S [--usage U] --out FILE. */
static int cmd_cert(struct opts *o, int argc, char **argv)
{
	(void)argv;
	if (argc != 0 || need(o->root, "root") || need(o->seed, "seed") ||
	    need(o->out, "out") || need(o->user_id, "user-id") || need(o->state, "state"))
		return 2;
	return signed_record(o, o->root, PLM_RECORD_CERTIFICATE, fill_cert);
}

static int parse_reason(const char *s, uint8_t *reason)
{
	static const char *const names[] = {NULL, "key-compromise", "device-lost",
	                                    "superseded", "left-office"};
	unsigned i;

	for (i = 1; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*reason = (uint8_t)i;
			return 0;
		}
	return fail("--reason must be key-compromise, device-lost, superseded or "
	            "left-office, not '%s'", s);
}

/* The revocation of the keys in --seed, or of the fingerprint --fpr. */
static int fill_revoke(plm_record *rec, const struct opts *o, const plm_identity *root)
{
	plm_revocation *rv = &rec->body.revocation;
	plm_pubkeys pub;
	int r;

	(void)root;
	if (o->seed != NULL) {
		if ((r = load_public(o->seed, &pub)) != 0)
			return r;
		plm_fingerprint(rv->revoked, &pub);
	} else if ((r = parse_hex32(o->fpr, rv->revoked, "--fpr")) != 0) {
		return r;
	}
	rv->serial = o->serial ? o->serial : 1;
	rv->revoked_at = (uint64_t)time(NULL);
	rv->reason = PLM_REVOKED_DEVICE_LOST;
	return o->reason != NULL ? parse_reason(o->reason, &rv->reason) : 0;
}

/* revoke --root SEED (--seed SEED | --fpr HEX) [--serial N] [--reason R]. */
static int cmd_revoke(struct opts *o, int argc, char **argv)
{
	(void)argv;
	if (argc != 0 || need(o->root, "root") || need(o->out, "out"))
		return 2;
	if (o->seed == NULL && o->fpr == NULL)
		return need(NULL, "seed (or --fpr)");
	return signed_record(o, o->root, PLM_RECORD_REVOCATION, fill_revoke);
}

/* ---- rosters, epoch keys, stages ------------------------------------- */

/* Splits "name:ST1,ST2" into an instrument. */
static int parse_instrument(const char *spec, plm_roster_instrument *ins)
{
	char buf[256], *colon, *state, *save = NULL;

	if (strlen(spec) >= sizeof(buf))
		return fail("--instrument %s is too long", spec);
	strcpy(buf, spec);
	if ((colon = strchr(buf, ':')) == NULL)
		return fail("--instrument takes NAME:STATE,STATE (the reviewing States), "
		            "not '%s'", spec);
	*colon = '\0';
	if (copy_str(ins->name, sizeof(ins->name), buf, "--instrument name") != 0)
		return 1;
	for (state = strtok_r(colon + 1, ",", &save); state != NULL;
	     state = strtok_r(NULL, ",", &save)) {
		if (ins->n_reviewing >= PLM_ROSTER_REVIEWING_MAX)
			return fail("--instrument %s lists too many reviewing States", spec);
		if (copy_str(ins->reviewing[ins->n_reviewing], sizeof(ins->reviewing[0]),
		             state, "a reviewing State") != 0)
			return 1;
		ins->n_reviewing++;
	}
	return 0;
}

/* Splits "SEED:user:STATE:role" into a member (the fingerprint from SEED). */
static int parse_member(const char *spec, plm_roster_member *m)
{
	char buf[1024], *field[4], *save = NULL, *p;
	plm_pubkeys pub;
	int n = 0, r;

	if (strlen(spec) >= sizeof(buf))
		return fail("--member %s is too long", spec);
	strcpy(buf, spec);
	for (p = strtok_r(buf, ":", &save); p != NULL && n < 4; p = strtok_r(NULL, ":", &save))
		field[n++] = p;
	if (n != 4 || p != NULL)
		return fail("--member takes SEED:USER:STATE:ROLE, not '%s'", spec);
	if ((r = load_public(field[0], &pub)) != 0)
		return r;
	plm_fingerprint(m->fingerprint, &pub);
	if (copy_str(m->user_id, sizeof(m->user_id), field[1], "a member's user id") != 0 ||
	    copy_str(m->state, sizeof(m->state), field[2], "a member's State") != 0 ||
	    copy_str(m->role, sizeof(m->role), field[3], "a member's role") != 0)
		return 1;
	return 0;
}

/*
 * roster --root SEED --review ID --epoch N [--prev FILE] --policy FILE
 *        --sur ST --cluster C --instrument NAME:ST,ST... --language LL...
 *        --member SEED:user:STATE:role... --out FILE
 */
/*
 * What roster and parties-roster start from: the --root identity, the
 * --policy, and the --prev record of TYPE if given. The caller frees them.
 */
static int roster_inputs(struct opts *o, int type, plm_identity **root,
                         plm_policy **policy, plm_record **prev)
{
	plm_error err;
	int r;

	if ((r = load_identity(o->root, root)) != 0)
		return r;
	if (plm_policy_load(o->policy, policy, &err) != 0)
		return fail("%s", err.message);
	if (o->prev != NULL)
		return load_record(o->prev, type, prev);
	return 0;
}

static int cmd_roster(struct opts *o, int argc, char **argv)
{
	plm_identity *root = NULL;
	plm_policy *policy = NULL;
	plm_record *rec = NULL, *prev = NULL;
	plm_roster *ro;
	plm_error err;
	size_t i;
	int r;

	(void)argv;
	if (argc != 0 || need(o->root, "root") || need(o->review, "review") ||
	    need(o->policy, "policy") || need(o->sur, "sur") || need(o->cluster, "cluster") ||
	    need(o->out, "out"))
		return 2;
	if (o->n_instruments == 0 || o->n_languages == 0 || o->n_members == 0)
		return fail("a roster needs --instrument, --language and --member"), 2;
	if ((r = roster_inputs(o, PLM_RECORD_ROSTER, &root, &policy, &prev)) != 0)
		goto out;
	if (plm_record_new(&rec, PLM_RECORD_ROSTER, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	ro = &rec->body.roster;
	if ((r = copy_str(ro->review_id, sizeof(ro->review_id), o->review, "--review")) != 0 ||
	    (r = copy_str(ro->sur_state, sizeof(ro->sur_state), o->sur, "--sur")) != 0 ||
	    (r = copy_str(ro->cluster, sizeof(ro->cluster), o->cluster, "--cluster")) != 0)
		goto out;
	ro->epoch = o->have_epoch ? o->epoch : (prev ? prev->body.roster.epoch + 1 : 1);
	if (prev != NULL)
		memcpy(ro->prev_roster, prev->id, PLM_HASH_BYTES);
	plm_policy_digest(policy, ro->policy_digest);
	if (o->n_instruments > PLM_ROSTER_INSTRUMENTS_MAX ||
	    o->n_languages > PLM_ROSTER_LANGUAGES_MAX) {
		r = fail("too many instruments or languages");
		goto out;
	}
	for (i = 0; i < o->n_instruments; i++)
		if ((r = parse_instrument(o->instruments[i], &ro->instruments[i])) != 0)
			goto out;
	ro->n_instruments = (uint8_t)o->n_instruments;
	for (i = 0; i < o->n_languages; i++)
		if ((r = copy_str(ro->languages[i], sizeof(ro->languages[i]), o->languages[i],
		                  "--language")) != 0)
			goto out;
	ro->n_languages = (uint8_t)o->n_languages;
	if (plm_roster_members_alloc(ro, o->n_members, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	for (i = 0; i < o->n_members; i++)
		if ((r = parse_member(o->members[i], &ro->members[i])) != 0)
			goto out;
	ro->created_at = (uint64_t)time(NULL);
	plm_roster_sort(ro);
	r = sign_and_write(rec, root, o->out);
out:
	plm_record_free(rec);
	plm_record_free(prev);
	plm_policy_free(policy);
	plm_identity_free(root);
	return r;
}

/*
 * epoch-keys --root SEED --roster FILE --policy FILE --keys-out FILE
 *            --out FILE SEED...
 * A fresh key for every channel of the policy, sealed to every member of
 * the roster whose role and side may read it (their public keys from the
 * SEED files given). The keys go in clear to --keys-out, one line
 * "review epoch channel hexkey" each: FOR TESTS ONLY. --omit USER_ID
 * leaves that member out (a record every verifier must refuse).
 */
static int cmd_epoch_keys(struct opts *o, int argc, char **argv)
{
	plm_identity *root = NULL;
	plm_policy *policy = NULL;
	plm_record *roster = NULL, *rec = NULL;
	plm_channel_grant grants[PLM_POLICY_CHANNELS_MAX];
	plm_pubkeys *seeds = NULL, *audience[PLM_POLICY_CHANNELS_MAX] = {NULL};
	unsigned char *keys = NULL, fpr[PLM_FPR_BYTES];
	char line[KEYS_LINE_MAX], hex[2 * PLM_KEY_BYTES + 1], *text = NULL;
	size_t n_channels, c, i, j, text_len = 0;
	enum plm_policy_side side;
	const plm_roster *ro;
	plm_error err;
	int r = 0, found;

	if (argc == 0 || need(o->root, "root") || need(o->roster, "roster") ||
	    need(o->policy, "policy") || need(o->keys_out, "keys-out") || need(o->out, "out"))
		return argc == 0 ? (fail("give the members' seed files"), 2) : 2;
	if ((r = load_identity(o->root, &root)) != 0 ||
	    (r = load_record(o->roster, PLM_RECORD_ROSTER, &roster)) != 0)
		goto out;
	if (plm_policy_load(o->policy, &policy, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	ro = &roster->body.roster;
	seeds = calloc((size_t)argc, sizeof(*seeds));
	n_channels = plm_policy_count(policy, PLM_POLICY_CHANNELS);
	keys = plm_secret_alloc(n_channels * PLM_KEY_BYTES + 1);
	text = malloc(n_channels * KEYS_LINE_MAX + 1);
	if (seeds == NULL || keys == NULL || text == NULL) {
		r = fail("out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)argc; i++)
		if ((r = load_public(argv[i], &seeds[i])) != 0)
			goto out;
	for (c = 0; c < n_channels; c++) {
		const char *name = plm_policy_nth(policy, PLM_POLICY_CHANNELS, c);
		size_t n = 0;

		audience[c] = calloc(ro->n_members, sizeof(plm_pubkeys));
		if (audience[c] == NULL) {
			r = fail("out of memory");
			goto out;
		}
		for (i = 0; i < ro->n_members; i++) {
			const plm_roster_member *m = &ro->members[i];
			if (plm_review_side(ro, m, &side, &err) != 0) {
				r = fail("%s", err.message);
				goto out;
			}
			if (plm_policy_may_read(policy, m->role, side, name, NULL) != 0 ||
			    (o->omit != NULL && strcmp(o->omit, m->user_id) == 0))
				continue;
			for (j = 0, found = 0; j < (size_t)argc && !found; j++) {
				plm_fingerprint(fpr, &seeds[j]);
				if (memcmp(fpr, m->fingerprint, PLM_FPR_BYTES) == 0) {
					audience[c][n++] = seeds[j];
					found = 1;
				}
			}
			if (!found) {
				r = fail("no seed file was given for member %s", m->user_id);
				goto out;
			}
		}
		randombytes_buf(keys + c * PLM_KEY_BYTES, PLM_KEY_BYTES);
		grants[c].name = name;
		grants[c].key = keys + c * PLM_KEY_BYTES;
		grants[c].recipients = audience[c];
		grants[c].n_recipients = n;
		plm_hex(hex, keys + c * PLM_KEY_BYTES, PLM_KEY_BYTES);
		snprintf(line, sizeof(line), "%s %" PRIu64 " %s %s\n", ro->review_id, ro->epoch,
		         name, hex);
		sodium_memzero(hex, sizeof(hex));
		memcpy(text + text_len, line, strlen(line));
		text_len += strlen(line);
		sodium_memzero(line, sizeof(line));
	}
	if (plm_epoch_keys_build(&rec, ro->review_id, ro->epoch, roster->id, grants,
	                         n_channels, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	if ((r = write_file(o->keys_out, text, text_len, 0600, 0)) != 0)
		goto out;
	r = sign_and_write(rec, root, o->out);
out:
	if (text != NULL)
		sodium_memzero(text, n_channels * KEYS_LINE_MAX);
	free(text);
	for (c = 0; c < PLM_POLICY_CHANNELS_MAX; c++)
		free(audience[c]);
	free(seeds);
	plm_secret_free(keys);
	plm_record_free(rec);
	plm_record_free(roster);
	plm_policy_free(policy);
	plm_identity_free(root);
	return r;
}

/* A stage change of --review, from --from to --to. */
static int fill_stage(plm_record *rec, const struct opts *o, const plm_identity *signer)
{
	plm_stage *st = &rec->body.stage;
	int r;

	(void)signer;
	if ((r = copy_str(st->review_id, sizeof(st->review_id), o->review, "--review")) != 0 ||
	    (r = copy_str(st->from_stage, sizeof(st->from_stage), o->from, "--from")) != 0 ||
	    (r = copy_str(st->to_stage, sizeof(st->to_stage), o->to, "--to")) != 0)
		return r;
	st->sequence = o->seq ? o->seq : 1;
	st->effective_at = (uint64_t)time(NULL);
	return 0;
}

/* stage --seed SEED --review ID --seq N --from A --to B --out FILE. */
static int cmd_stage(struct opts *o, int argc, char **argv)
{
	(void)argv;
	if (argc != 0 || need(o->seed, "seed") || need(o->review, "review") ||
	    need(o->from, "from") || need(o->to, "to") || need(o->out, "out"))
		return 2;
	return signed_record(o, o->seed, PLM_RECORD_STAGE, fill_stage);
}

/*
 * agree --seed SEED --review ID --id HEX --kind K --state S --out FILE:
 * an agreement record (PROTOCOL.md §5.7), signed as given, unchecked.
 */
static int fill_agree(plm_record *rec, const struct opts *o, const plm_identity *signer)
{
	plm_agreement *a = &rec->body.agreement;
	int r;

	(void)signer;
	if ((r = copy_str(a->review_id, sizeof(a->review_id), o->review, "--review")) != 0 ||
	    (r = parse_hex32(o->id, a->document, "--id")) != 0 ||
	    (r = copy_str(a->kind, sizeof(a->kind), o->kind, "--kind")) != 0 ||
	    (r = copy_str(a->state, sizeof(a->state), o->state, "--state")) != 0)
		return r;
	a->created_at = o->have_created ? o->created : (uint64_t)time(NULL);
	return 0;
}

static int cmd_agree(struct opts *o, int argc, char **argv)
{
	(void)argv;
	if (argc != 0 || need(o->seed, "seed") || need(o->review, "review") ||
	    need(o->id, "id") || need(o->kind, "kind") || need(o->state, "state") ||
	    need(o->out, "out"))
		return 2;
	return signed_record(o, o->seed, PLM_RECORD_AGREEMENT, fill_agree);
}

/*
 * parties-roster --root SEED --policy FILE [--prev FILE] [--epoch N]
 *                --member SEED:USER:STATE:ROLE... --out FILE
 * A parties roster (PROTOCOL.md §5.12); after --prev, its prev_key wraps a
 * random key under another (the server cannot tell: it holds no key).
 * parties-keys --root SEED --roster FILE --out FILE SEED...
 * The group's epoch keys: a random key sealed to the SEEDs given.
 */
static int cmd_parties_roster(struct opts *o, int argc, char **argv)
{
	unsigned char k1[PLM_KEY_BYTES], k2[PLM_KEY_BYTES];
	plm_identity *root = NULL;
	plm_policy *policy = NULL;
	plm_record *rec = NULL, *prev = NULL;
	plm_parties_roster *p;
	plm_error err;
	size_t i;
	int r;

	(void)argv;
	if (argc != 0 || need(o->root, "root") || need(o->policy, "policy") ||
	    need(o->out, "out") || o->n_members == 0)
		return 2;
	if ((r = roster_inputs(o, PLM_RECORD_PARTIES_ROSTER, &root, &policy, &prev)) != 0)
		goto out;
	if (plm_record_new(&rec, PLM_RECORD_PARTIES_ROSTER, &err) != 0 ||
	    plm_parties_members_alloc(&rec->body.parties, o->n_members, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	p = &rec->body.parties;
	p->epoch = o->have_epoch ? o->epoch : (prev ? prev->body.parties.epoch + 1 : 1);
	if (prev != NULL)
		memcpy(p->prev_roster, prev->id, PLM_HASH_BYTES);
	plm_policy_digest(policy, p->policy_digest);
	p->created_at = (uint64_t)time(NULL);
	for (i = 0; i < o->n_members; i++)
		if ((r = parse_member(o->members[i], &p->members[i])) != 0)
			goto out;
	plm_parties_sort(p);
	randombytes_buf(k1, sizeof(k1));
	randombytes_buf(k2, sizeof(k2));
	if (p->epoch > 1 && plm_parties_chain_wrap(p, k1, k2, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	r = sign_and_write(rec, root, o->out);
out:
	plm_record_free(rec);
	plm_record_free(prev);
	plm_policy_free(policy);
	plm_identity_free(root);
	return r;
}

static int cmd_parties_keys(struct opts *o, int argc, char **argv)
{
	plm_pubkeys pub[MAX_LIST];
	plm_identity *root = NULL, *id = NULL;
	plm_record *roster = NULL, *rec = NULL;
	unsigned char *key = NULL;
	plm_channel_grant g;
	plm_error err;
	int i, r;

	if (argc < 1 || argc > MAX_LIST || need(o->root, "root") || need(o->roster, "roster") ||
	    need(o->out, "out"))
		return 2;
	if ((r = load_identity(o->root, &root)) != 0 ||
	    (r = load_record(o->roster, PLM_RECORD_PARTIES_ROSTER, &roster)) != 0)
		goto out;
	for (i = 0; i < argc; i++) {
		if ((r = load_identity(argv[i], &id)) != 0)
			goto out;
		pub[i] = id->pub;
		plm_identity_free(id);
		id = NULL;
	}
	if (plm_key_new(&key, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	g.name = PLM_PARTIES_CHANNEL;
	g.key = key;
	g.recipients = pub;
	g.n_recipients = (size_t)argc;
	if (plm_epoch_keys_build(&rec, PLM_PARTIES_REVIEW_ID, roster->body.parties.epoch,
	                         roster->id, &g, 1, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	r = sign_and_write(rec, root, o->out);
out:
	plm_secret_free(key);
	plm_record_free(rec);
	plm_record_free(roster);
	plm_identity_free(root);
	return r;
}

/*
 * disclose: a disclosure record (PROTOCOL.md §5.6) of envelope --id in
 * --review, signed by --seed, to --to parties (--epoch: the parties epoch)
 * or public. The document key is random: the server cannot check it, and
 * this is for the server's rules only.
 */
static int fill_disclose(plm_record *rec, const struct opts *o, const plm_identity *signer)
{
	unsigned char key[PLM_KEY_BYTES], group_key[PLM_KEY_BYTES];
	plm_disclosure *d = &rec->body.disclosure;
	plm_error err;
	size_t len = 0;
	int r;

	(void)signer;
	if ((r = copy_str(d->review_id, sizeof(d->review_id), o->review, "--review")) != 0)
		return r;
	if (sodium_hex2bin(d->envelope_id, PLM_HASH_BYTES, o->id, strlen(o->id), NULL, &len,
	                   NULL) != 0 ||
	    len != PLM_HASH_BYTES)
		return fail("--id takes the envelope id, 64 hex digits");
	d->scope = strcmp(o->to, "public") == 0 ? PLM_DISCLOSE_PUBLIC : PLM_DISCLOSE_PARTIES;
	d->parties_epoch = d->scope == PLM_DISCLOSE_PARTIES ? (o->epoch ? o->epoch : 1) : 0;
	d->created_at = (uint64_t)time(NULL);
	randombytes_buf(key, sizeof(key));
	randombytes_buf(group_key, sizeof(group_key));
	if (plm_disclosure_set_key(d, key, group_key, &err) != 0)
		return fail("%s", err.message);
	return 0;
}

static int cmd_disclose(struct opts *o, int argc, char **argv)
{
	(void)argv;
	if (argc != 0 || need(o->seed, "seed") || need(o->review, "review") ||
	    need(o->id, "id") || need(o->to, "to") || need(o->out, "out"))
		return 2;
	return signed_record(o, o->seed, PLM_RECORD_DISCLOSURE, fill_disclose);
}

/* ---- envelopes ------------------------------------------------------- */

/*
 * Finds the key of REVIEW, EPOCH, CHANNEL in the keys file PATH into KEY
 * (plm_secret_alloc memory of PLM_KEY_BYTES).
 */
static int find_channel_key(const char *path, const char *review, uint64_t epoch,
                            const char *channel, unsigned char *key)
{
	FILE *f = fopen(path, "r");
	char line[KEYS_LINE_MAX], want[160];
	size_t bin_len, wlen;
	int r = -1;

	if (f == NULL)
		return fail("cannot open the keys file %s: %s", path, strerror(errno));
	snprintf(want, sizeof(want), "%s %" PRIu64 " %s ", review, epoch, channel);
	wlen = strlen(want);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, want, wlen) != 0)
			continue;
		if (sodium_hex2bin(key, PLM_KEY_BYTES, line + wlen, 2 * PLM_KEY_BYTES, NULL,
		                   &bin_len, NULL) == 0 &&
		    bin_len == PLM_KEY_BYTES)
			r = 0;
		break;
	}
	sodium_memzero(line, sizeof(line));
	fclose(f);
	if (r != 0)
		return fail("%s has no key for channel %s of review %s epoch %" PRIu64, path,
		            channel, review, epoch);
	return 0;
}

/*
 * seal --seed SEED --keys FILE --review ID --channel C --epoch N --kind K
 *      --in FILE --out FILE [--title T] [--mime M] [--file-name F]
 *      [--reply-to HEX] [--field KEY=VALUE]
 *      (--epoch-keys RECORD instead of --keys: the key sealed to --seed there)
 * Prints the envelope id.
 */
static int cmd_seal(struct opts *o, int argc, char **argv)
{
	plm_identity *author = NULL;
	plm_manifest *manifest = NULL;
	unsigned char *key = NULL, id[PLM_HASH_BYTES], reply[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_seal_params p;
	struct stat st;
	plm_error err;
	int in = -1, out = -1, r;

	(void)argv;
	if (argc != 0 || need(o->seed, "seed") ||
	    (o->epoch_keys == NULL && need(o->keys, "keys")) ||
	    need(o->review, "review") || need(o->channel, "channel") ||
	    need(o->kind, "kind") || need(o->in, "in") || need(o->out, "out"))
		return 2;
	memset(&p, 0, sizeof(p));
	if ((r = load_identity(o->seed, &author)) != 0)
		return r;
	if ((key = plm_secret_alloc(PLM_KEY_BYTES)) == NULL ||
	    plm_manifest_new(&manifest, NULL) != 0) {
		r = fail("out of secure memory");
		goto out;
	}
	if (o->epoch_keys != NULL) {
		plm_record *keys = NULL;
		unsigned char *opened = NULL;
		if ((r = load_record(o->epoch_keys, PLM_RECORD_EPOCH_KEYS, &keys)) != 0)
			goto out;
		r = plm_epoch_keys_open(keys, o->channel, author, &opened, &err);
		plm_record_free(keys);
		if (r != 0) {
			r = fail("%s", err.message);
			goto out;
		}
		memcpy(key, opened, PLM_KEY_BYTES);
		plm_secret_free(opened);
	} else if ((r = find_channel_key(o->keys, o->review, o->have_epoch ? o->epoch : 1,
	                                 o->channel, key)) != 0) {
		goto out;
	}
	if ((in = open(o->in, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &st) != 0) {
		r = fail("cannot open %s: %s", o->in, strerror(errno));
		goto out;
	}
	if ((r = copy_str(manifest->title, sizeof(manifest->title),
	                  o->title ? o->title : "test document", "--title")) != 0 ||
	    (r = copy_str(manifest->mime, sizeof(manifest->mime),
	                  o->mime ? o->mime : "text/plain", "--mime")) != 0 ||
	    (r = copy_str(manifest->file_name, sizeof(manifest->file_name),
	                  o->file_name ? o->file_name : "", "--file-name")) != 0)
		goto out;
	manifest->size = (uint64_t)st.st_size;
	if (o->field != NULL) {
		char fkey[PLM_RECORD_NAME_MAX + 1];
		const char *eq = strchr(o->field, '=');
		if (eq == NULL || (size_t)(eq - o->field) >= sizeof(fkey)) {
			r = fail("--field takes KEY=VALUE");
			goto out;
		}
		snprintf(fkey, sizeof(fkey), "%.*s", (int)(eq - o->field), o->field);
		if (plm_manifest_set_field(manifest, fkey, eq + 1, &err) != 0) {
			r = fail("%s", err.message);
			goto out;
		}
	}
	if (o->reply_to != NULL) {
		if ((r = parse_hex32(o->reply_to, reply, "--reply-to")) != 0)
			goto out;
		p.reply_to = reply;
	}
	out = open(o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		r = fail("cannot create %s: %s", o->out, strerror(errno));
		goto out;
	}
	p.review_id = o->review;
	p.channel = o->channel;
	p.epoch = o->have_epoch ? o->epoch : 1;
	p.kind = o->kind;
	p.created_at = (uint64_t)time(NULL);
	p.channel_key = key;
	p.author = author;
	p.manifest = manifest;
	if (plm_envelope_seal(in, out, &p, id, &err) != 0) {
		r = fail("%s", err.message);
		goto out;
	}
	if (fsync(out) != 0) {
		r = fail("cannot write %s: %s", o->out, strerror(errno));
		goto out;
	}
	plm_hex(hex, id, PLM_HASH_BYTES);
	puts(hex);
	r = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	plm_manifest_free(manifest);
	plm_secret_free(key);
	plm_identity_free(author);
	return r;
}

/* What the open and verify callbacks need. */
struct open_ctx {
	plm_pubkeys author;
	const char *keys_path;
	int failed_key_lookup;
};

/* plm_envelope_handlers.header: the author must be the one given. */
static int verify_header(void *ctx, const plm_envelope_header *header, plm_pubkeys *author,
                         plm_error *err)
{
	struct open_ctx *c = ctx;
	unsigned char fpr[PLM_FPR_BYTES];

	plm_fingerprint(fpr, &c->author);
	if (memcmp(fpr, header->author, PLM_FPR_BYTES) != 0)
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "the envelope names another author than --author");
	*author = c->author;
	return 0;
}

/* plm_envelope_keys_fn: the author given, the key from the keys file. */
static int open_keys(void *ctx, const plm_envelope_header *header, plm_pubkeys *author,
                     unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	struct open_ctx *c = ctx;
	unsigned char *channel_key = plm_secret_alloc(PLM_KEY_BYTES);
	int r;

	if (channel_key == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory");
	if ((r = verify_header(ctx, header, author, err)) != 0)
		goto out;
	if (find_channel_key(c->keys_path, header->review_id, header->epoch, header->channel,
	                     channel_key) != 0) {
		c->failed_key_lookup = 1;
		r = plm_error_set(err, PLM_ERR_NOTFOUND, "no channel key for this envelope");
		goto out;
	}
	r = plm_envelope_unwrap_key(header, channel_key, doc_key, err);
out:
	plm_secret_free(channel_key);
	return r;
}

/* open --author SEED|CERT --keys FILE --in FILE [--out FILE]: prints the id. */
static int cmd_open(struct opts *o, int argc, char **argv)
{
	struct open_ctx ctx;
	unsigned char id[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_error err;
	int in, r;

	(void)argv;
	if (argc != 0 || need(o->author, "author") || need(o->keys, "keys") ||
	    need(o->in, "in"))
		return 2;
	memset(&ctx, 0, sizeof(ctx));
	ctx.keys_path = o->keys;
	if ((r = load_public(o->author, &ctx.author)) != 0)
		return r;
	if ((in = open(o->in, O_RDONLY | O_CLOEXEC)) < 0)
		return fail("cannot open %s: %s", o->in, strerror(errno));
	r = plm_envelope_open(in, o->out, open_keys, &ctx, NULL, NULL, id, &err);
	close(in);
	if (r != 0)
		return fail("%s does not open (%s): %s", o->in, plm_error_name(r), err.message);
	plm_hex(hex, id, PLM_HASH_BYTES);
	puts(hex);
	return 0;
}

/* verify --author SEED|CERT --in FILE: key-less check; prints the id. */
static int cmd_verify(struct opts *o, int argc, char **argv)
{
	static const plm_envelope_handlers handlers = {verify_header, NULL};
	struct open_ctx ctx;
	unsigned char id[PLM_HASH_BYTES];
	char hex[2 * PLM_HASH_BYTES + 1];
	plm_error err;
	int in, r;

	(void)argv;
	if (argc != 0 || need(o->author, "author") || need(o->in, "in"))
		return 2;
	memset(&ctx, 0, sizeof(ctx));
	if ((r = load_public(o->author, &ctx.author)) != 0)
		return r;
	if ((in = open(o->in, O_RDONLY | O_CLOEXEC)) < 0)
		return fail("cannot open %s: %s", o->in, strerror(errno));
	r = plm_envelope_verify_fd(in, &handlers, &ctx, id, &err);
	close(in);
	if (r != 0)
		return fail("%s does not verify (%s): %s", o->in, plm_error_name(r),
		            err.message);
	plm_hex(hex, id, PLM_HASH_BYTES);
	puts(hex);
	return 0;
}

/* ---- signed HTTP requests -------------------------------------------- */

/*
 * The body being sent: a file, from OFFSET, at most LIMIT bytes; after
 * them, STALL seconds of silence before the request is cut.
 */
struct body_src {
	FILE *f;
	uint64_t sent, limit, stall;
	int limited;
};

static size_t body_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct body_src *b = ctx;
	size_t want = size * nitems, n;

	if (b->limited) {
		if (b->sent >= b->limit) {
			if (b->stall > 0)
				sleep((unsigned)b->stall);
			return CURL_READFUNC_ABORT;
		}
		if (want > b->limit - b->sent)
			want = (size_t)(b->limit - b->sent);
	}
	n = fread(buf, 1, want, b->f);
	b->sent += n;
	return n;
}

/* The response body: into a file (--output) or kept to print after the status. */
struct body_sink {
	FILE *f;
	char *text;
	size_t len;
};

static size_t write_out(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct body_sink *s = ctx;
	size_t n = size * nmemb;
	char *p;

	if (s->f != NULL)
		return fwrite(data, 1, n, s->f);
	if ((p = realloc(s->text, s->len + n + 1)) == NULL)
		return 0;
	s->text = p;
	memcpy(s->text + s->len, data, n);
	s->len += n;
	return n;
}

/* Collects response header lines for --headers. */
struct header_buf {
	char *text;
	size_t len;
};

static size_t header_in(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct header_buf *h = ctx;
	size_t n = size * nmemb;
	char *p;

	/* Keep the final response's headers only. */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		h->len = 0;
	if ((p = realloc(h->text, h->len + n + 1)) == NULL)
		return 0;
	h->text = p;
	memcpy(h->text + h->len, data, n);
	h->len += n;
	h->text[h->len] = '\0';
	return n;
}

/* The Content-Digest of FILE from OFFSET to its end. */
static int file_digest(FILE *f, uint64_t offset, char value[PLM_CONTENT_DIGEST_BYTES])
{
	plm_content_digest_state st;
	unsigned char buf[65536];
	size_t n;

	plm_content_digest_init(&st);
	if (fseeko(f, (off_t)offset, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		plm_content_digest_update(&st, buf, n);
	if (ferror(f) || fseeko(f, (off_t)offset, SEEK_SET) != 0)
		return -1;
	plm_content_digest_final(&st, NULL, value);
	return 0;
}

/*
 * Signs for METHOD and URI with SIGNER; with CLAIM, swaps the keyid for
 * CLAIM's fingerprint after signing (a signature by the wrong key).
 */
static int sign_request(const struct opts *o, const char *method, const char *uri,
                        const char *digest, char input[PLM_HTTPSIG_INPUT_MAX],
                        char signature[PLM_HTTPSIG_SIG_MAX])
{
	plm_identity *signer = NULL;
	plm_httpsig sig;
	plm_pubkeys claim;
	plm_error err;
	uint64_t created = o->have_created ? o->created : (uint64_t)time(NULL);
	int r;

	if ((r = load_identity(o->seed, &signer)) != 0)
		return r;
	r = plm_httpsig_sign(method, uri, digest, created, o->nonce, signer, input,
	                     signature, &err);
	plm_identity_free(signer);
	if (r != 0)
		return fail("cannot sign the request: %s", err.message);
	if (o->claim == NULL)
		return 0;
	if ((r = load_public(o->claim, &claim)) != 0)
		return r;
	if (plm_httpsig_parse(input, signature, &sig, &err) != 0)
		return fail("%s", err.message);
	plm_fingerprint(sig.keyid, &claim);
	if (plm_httpsig_serialize(&sig, input, signature, &err) != 0)
		return fail("%s", err.message);
	return 0;
}

/*
 * req [--seed SEED [--claim SEED] [--nonce N] [--created T] [--sign-url U]
 *      [--sign-body FILE]]
 *     [--body FILE [--offset N] [--max-bytes N] [--rate B]] [--header H]...
 *     [--headers] [--output FILE] [--cacert PEM] [--verbose] METHOD URL
 * Sends one request; prints the status code (0 if none came), the response
 * headers with --headers, then the body (or writes it to --output); with
 * --verbose, libcurl shows the request it sends on standard error. With
 * --offset the body starts at that byte of FILE and Upload-Offset is sent;
 * with --max-bytes only that many bytes go before the request is cut (after
 * --stall seconds of silence, to play a client that stops sending).
 * --claim, --sign-url and --sign-body make deliberately wrong signatures:
 * another key's keyid, another URL, another body's Content-Digest.
 */
static int cmd_req(struct opts *o, int argc, char **argv)
{
	const char *method, *url;
	char digest[PLM_CONTENT_DIGEST_BYTES], input[PLM_HTTPSIG_INPUT_MAX];
	char signature[PLM_HTTPSIG_SIG_MAX], line[PLM_HTTPSIG_HEADER_MAX + 64];
	struct curl_slist *headers = NULL;
	struct header_buf hb = {NULL, 0};
	struct body_src body = {NULL, 0, 0, 0, 0};
	struct body_sink sink = {NULL, NULL, 0};
	struct stat st;
	CURL *curl = NULL;
	CURLcode rc;
	long status = 0;
	size_t i;
	int r = 0;

	if (argc != 2)
		return fail("usage: plmtest req [options] METHOD URL"), 2;
	method = argv[0];
	url = argv[1];
	if (o->body != NULL) {
		if ((body.f = fopen(o->body, "rb")) == NULL || fstat(fileno(body.f), &st) != 0) {
			r = fail("cannot open %s: %s", o->body, strerror(errno));
			goto out;
		}
		if (o->offset > (uint64_t)st.st_size) {
			r = fail("--offset is past the end of %s", o->body);
			goto out;
		}
		if (o->sign_body == NULL && file_digest(body.f, o->offset, digest) != 0) {
			r = fail("cannot read %s", o->body);
			goto out;
		}
		if (fseeko(body.f, (off_t)o->offset, SEEK_SET) != 0) {
			r = fail("cannot read %s", o->body);
			goto out;
		}
		body.limit = o->max_bytes;
		body.limited = o->have_max_bytes;
		body.stall = o->stall;
	} else {
		plm_content_digest(NULL, 0, digest);
	}
	if (o->sign_body != NULL) {
		FILE *other = fopen(o->sign_body, "rb");
		if (other == NULL || file_digest(other, 0, digest) != 0) {
			if (other != NULL)
				fclose(other);
			r = fail("cannot read %s", o->sign_body);
			goto out;
		}
		fclose(other);
	}
	if ((curl = curl_easy_init()) == NULL) {
		r = fail("cannot start libcurl");
		goto out;
	}
	if (o->seed != NULL) {
		if ((r = sign_request(o, method, o->sign_url ? o->sign_url : url, digest, input,
		                      signature)) != 0)
			goto out;
		snprintf(line, sizeof(line), "Content-Digest: %s", digest);
		headers = curl_slist_append(headers, line);
		snprintf(line, sizeof(line), "Signature-Input: %s", input);
		headers = curl_slist_append(headers, line);
		snprintf(line, sizeof(line), "Signature: %s", signature);
		headers = curl_slist_append(headers, line);
	}
	if (o->have_offset) {
		snprintf(line, sizeof(line), "Upload-Offset: %" PRIu64, o->offset);
		headers = curl_slist_append(headers, line);
	}
	for (i = 0; i < o->n_headers; i++)
		headers = curl_slist_append(headers, o->headers[i]);
	if (o->output != NULL && (sink.f = fopen(o->output, "wb")) == NULL) {
		r = fail("cannot create %s: %s", o->output, strerror(errno));
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	if (o->cacert != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, o->cacert);
	if (o->verbose)
		curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L); /* the request on stderr */
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_out);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_in);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hb);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (body.f != NULL) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, body_read);
		curl_easy_setopt(curl, CURLOPT_READDATA, &body);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
		                 (curl_off_t)((uint64_t)st.st_size - o->offset));
		if (o->rate > 0)
			curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)o->rate);
	}
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (sink.f != NULL && fclose(sink.f) != 0)
		r = fail("cannot write %s", o->output);
	sink.f = NULL;
	printf("%ld\n", status);
	if (o->show_headers && hb.text != NULL)
		fputs(hb.text, stdout);
	if (sink.len > 0)
		fwrite(sink.text, 1, sink.len, stdout);
	fflush(stdout);
	if (rc != CURLE_OK) {
		fprintf(stderr, "plmtest req: %s %s: %s\n", method, url, curl_easy_strerror(rc));
		r = status == 0 ? 3 : 0;
	}
out:
	if (sink.f != NULL)
		fclose(sink.f);
	free(sink.text);
	if (body.f != NULL)
		fclose(body.f);
	free(hb.text);
	curl_slist_free_all(headers);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	return r;
}

/*
 * raw --port N --in FILE [--stall S]: sends the bytes of FILE as they are
 * to 127.0.0.1:N (a malformed or incomplete request), then, after S
 * seconds of silence, reads until the server closes. Prints the first line
 * of the answer ("-" if none came), then "closed after S.s seconds".
 * Gives up after 30 seconds.
 */
static int cmd_raw(struct opts *o, int argc, char **argv)
{
	struct sockaddr_in addr;
	struct timeval start, now, tv = {30, 0};
	unsigned char *bytes = NULL;
	char answer[4096];
	size_t len, got = 0, off = 0;
	ssize_t n;
	int fd = -1, r;

	(void)argv;
	if (argc != 0 || need(o->in, "in") || (o->port == 0 && need(NULL, "port")))
		return 2;
	if ((r = read_file(o->in, &bytes, &len)) != 0)
		return r;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		r = fail("cannot connect to port %" PRIu64 ": %s", o->port, strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	gettimeofday(&start, NULL);
	while (off < len) {
		n = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may close early: read its answer */
		off += (size_t)n;
	}
	if (o->stall > 0)
		sleep((unsigned)o->stall);
	while (got < sizeof(answer) - 1 &&
	       (n = recv(fd, answer + got, sizeof(answer) - 1 - got, 0)) > 0)
		got += (size_t)n;
	/* Drain the rest (a long answer) until the server closes. */
	while (got == sizeof(answer) - 1 && recv(fd, answer, 1, 0) > 0)
		;
	gettimeofday(&now, NULL);
	answer[got] = '\0';
	answer[strcspn(answer, "\r\n")] = '\0';
	printf("%s\nclosed after %.1f seconds\n", got ? answer : "-",
	       (double)(now.tv_sec - start.tv_sec) +
	           (double)(now.tv_usec - start.tv_usec) / 1e6);
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(bytes);
	return r;
}

/* ---- the transparency log -------------------------------------------- */

/* Decodes base64 TEXT into OUT (CAP bytes); *LEN gets the length. */
static int from_base64(const char *text, unsigned char *out, size_t cap, size_t *len,
                       const char *what)
{
	if (text == NULL ||
	    sodium_base642bin(out, cap, text, strlen(text), NULL, len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return fail("%s is not base64 of the expected size", what);
	return 0;
}

/* Decodes and verifies the signed tree head B64 with the log key LOG_PK. */
static int load_head(const char *b64, const char *log_pk, plm_tree_head *head)
{
	unsigned char bytes[PLM_TREE_HEAD_BYTES], pk[PLM_SIGN_PK_BYTES];
	plm_error err;
	size_t len;
	int r;

	if ((r = from_base64(b64, bytes, sizeof(bytes), &len, "the tree head")) != 0 ||
	    (r = parse_hex32(log_pk, pk, "--log-pk")) != 0)
		return r;
	if (plm_tree_head_decode(head, bytes, len, &err) != 0 ||
	    plm_tree_head_verify(head, pk, &err) != 0)
		return fail("the tree head does not verify: %s", err.message);
	return 0;
}

/* head-verify --log-pk HEX --head B64: prints "size root". */
static int cmd_head_verify(struct opts *o, int argc, char **argv)
{
	plm_tree_head head;
	char hex[2 * PLM_HASH_BYTES + 1];
	int r;

	(void)argv;
	if (argc != 0 || need(o->log_pk, "log-pk") || need(o->head, "head"))
		return 2;
	if ((r = load_head(o->head, o->log_pk, &head)) != 0)
		return r;
	plm_hex(hex, head.root_hash, PLM_HASH_BYTES);
	printf("%" PRIu64 " %s\n", head.tree_size, hex);
	return 0;
}

static int load_proof(const char *b64, plm_merkle_proof *proof)
{
	unsigned char bytes[PLM_MERKLE_PROOF_MAX_BYTES];
	plm_error err;
	size_t len;
	int r;

	if ((r = from_base64(b64, bytes, sizeof(bytes), &len, "the proof")) != 0)
		return r;
	if (plm_merkle_proof_decode(proof, bytes, len, &err) != 0)
		return fail("the proof is malformed: %s", err.message);
	return 0;
}

/*
 * inclusion-verify --log-pk HEX --head B64 --proof B64 --index N
 *                  --entry record|envelope --id HEX
 * Checks that the object ID is leaf INDEX of the signed head's tree: the
 * leaf input is u8 kind || id (PROTOCOL.md §6.6).
 */
static int cmd_inclusion_verify(struct opts *o, int argc, char **argv)
{
	unsigned char id[PLM_HASH_BYTES], leaf[PLM_MERKLE_HASH_BYTES];
	plm_merkle_proof proof;
	plm_tree_head head;
	plm_error err;
	int r, kind;

	(void)argv;
	if (argc != 0 || need(o->log_pk, "log-pk") || need(o->head, "head") ||
	    need(o->proof, "proof") || need(o->entry, "entry") || need(o->id, "id") ||
	    !o->have_index)
		return o->have_index ? 2 : need(NULL, "index");
	if (strcmp(o->entry, "record") == 0)
		kind = PLM_LOG_RECORD;
	else if (strcmp(o->entry, "envelope") == 0)
		kind = PLM_LOG_ENVELOPE;
	else
		return fail("--entry is record or envelope"), 2;
	if ((r = load_head(o->head, o->log_pk, &head)) != 0 ||
	    (r = load_proof(o->proof, &proof)) != 0 || (r = parse_hex32(o->id, id, "--id")) != 0)
		return r;
	if (o->have_size && o->size != head.tree_size)
		return fail("the proof is for a tree of %" PRIu64 " leaves, the head has %" PRIu64,
		            o->size, head.tree_size);
	plm_merkle_entry_leaf(leaf, kind, id);
	if (plm_merkle_inclusion_verify(leaf, o->index, head.tree_size, &proof, head.root_hash,
	                                &err) != 0)
		return fail("the inclusion proof does not verify: %s", err.message);
	printf("ok %" PRIu64 " %" PRIu64 "\n", o->index, head.tree_size);
	return 0;
}

/* consistency-verify --log-pk HEX --old-head B64 --head B64 --proof B64. */
static int cmd_consistency_verify(struct opts *o, int argc, char **argv)
{
	plm_tree_head old_head, head;
	plm_merkle_proof proof;
	plm_error err;
	int r;

	(void)argv;
	if (argc != 0 || need(o->log_pk, "log-pk") || need(o->head, "head") ||
	    need(o->old_head, "old-head") || need(o->proof, "proof"))
		return 2;
	if ((r = load_head(o->old_head, o->log_pk, &old_head)) != 0 ||
	    (r = load_head(o->head, o->log_pk, &head)) != 0 ||
	    (r = load_proof(o->proof, &proof)) != 0)
		return r;
	if (plm_merkle_consistency_verify(old_head.tree_size, head.tree_size,
	                                  old_head.root_hash, head.root_hash, &proof,
	                                  &err) != 0)
		return fail("the consistency proof does not verify: %s", err.message);
	printf("ok %" PRIu64 " %" PRIu64 "\n", old_head.tree_size, head.tree_size);
	return 0;
}

/* ---- secret hygiene (t6010) ----------------------------------------- */

/*
 * keystore-secrets --in KEYSTORE --passphrase-file F: unlocks a `palermo`
 * keystore and prints its secrets in hex, one "name hex" a line (seed,
 * sign_sk: the 32 secret bytes of the Ed25519 key, box_sk), so that a test
 * can look for them where they must never be.
 */
static int cmd_keystore_secrets(struct opts *o, int argc, char **argv)
{
	plm_identity *me = NULL;
	unsigned char *pass = NULL;
	char hex[2 * PLM_SIGN_SK_BYTES + 1];
	plm_error err;
	size_t len;
	int r;

	(void)argv;
	if (argc != 0 || need(o->in, "in") || need(o->passphrase_file, "passphrase-file"))
		return 2;
	if ((r = read_file(o->passphrase_file, &pass, &len)) != 0)
		return r;
	while (len > 0 && (pass[len - 1] == '\n' || pass[len - 1] == '\r'))
		len--;
	r = plm_keystore_open(o->in, pass, len, &me, &err);
	sodium_memzero(pass, len);
	free(pass);
	if (r != 0)
		return fail("cannot unlock %s: %s", o->in, err.message);
	plm_hex(hex, me->seed, PLM_SEED_BYTES);
	printf("seed %s\n", hex);
	plm_hex(hex, me->sign_sk, 32);
	printf("sign_sk %s\n", hex);
	plm_hex(hex, me->box_sk, PLM_BOX_SK_BYTES);
	printf("box_sk %s\n", hex);
	sodium_memzero(hex, sizeof(hex));
	plm_identity_free(me);
	return 0;
}

/* ---- main ------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn)(struct opts *o, int argc, char **argv);
} commands[] = {
    {"identity", cmd_identity},
    {"fpr", cmd_fpr},
    {"root-cert", cmd_root_cert},
    {"cert", cmd_cert},
    {"revoke", cmd_revoke},
    {"roster", cmd_roster},
    {"epoch-keys", cmd_epoch_keys},
    {"stage", cmd_stage},
    {"agree", cmd_agree},
    {"disclose", cmd_disclose},
    {"parties-roster", cmd_parties_roster},
    {"parties-keys", cmd_parties_keys},
    {"seal", cmd_seal},
    {"open", cmd_open},
    {"verify", cmd_verify},
    {"req", cmd_req},
    {"raw", cmd_raw},
    {"head-verify", cmd_head_verify},
    {"inclusion-verify", cmd_inclusion_verify},
    {"consistency-verify", cmd_consistency_verify},
    {"keystore-secrets", cmd_keystore_secrets},
};

enum {
	OPT_ROOT = 256, OPT_SEED, OPT_CLAIM, OPT_OUT, OPT_IN, OPT_KEYS, OPT_KEYS_OUT,
	OPT_USER_ID, OPT_NAME, OPT_STATE, OPT_USAGE, OPT_REASON, OPT_FPR, OPT_REVIEW,
	OPT_PREV, OPT_POLICY, OPT_SUR, OPT_CLUSTER, OPT_ROSTER, OPT_CHANNEL, OPT_KIND,
	OPT_TITLE, OPT_MIME, OPT_FILE_NAME, OPT_REPLY_TO, OPT_FROM, OPT_TO, OPT_AUTHOR,
	OPT_NONCE, OPT_BODY, OPT_OUTPUT, OPT_SIGN_URL, OPT_SIGN_BODY, OPT_LOG_PK, OPT_HEAD, OPT_OLD_HEAD,
	OPT_PROOF, OPT_ENTRY, OPT_ID, OPT_SERIAL, OPT_EPOCH, OPT_SEQ, OPT_VALID_DAYS,
	OPT_NOT_BEFORE, OPT_NOT_AFTER, OPT_CREATED, OPT_OFFSET, OPT_MAX_BYTES, OPT_RATE,
	OPT_INDEX, OPT_SIZE, OPT_INSTRUMENT, OPT_LANGUAGE, OPT_MEMBER, OPT_HEADER,
	OPT_HEADERS, OPT_STALL, OPT_PORT, OPT_CACERT, OPT_VERBOSE, OPT_OMIT,
	OPT_FIELD, OPT_EPOCH_KEYS,
	OPT_PASSPHRASE_FILE,
};

/* Parses a decimal number option. */
static int parse_u64(const char *s, uint64_t *out, const char *name)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *s == '-') {
		fprintf(stderr, "plmtest %s: --%s takes a whole number, not '%s'\n", command,
		        name, s);
		return 2;
	}
	return 0;
}

static int add_list(const char **list, size_t *n, const char *value, const char *name)
{
	if (*n >= MAX_LIST) {
		fprintf(stderr, "plmtest %s: too many --%s\n", command, name);
		return 2;
	}
	list[(*n)++] = value;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"claim", required_argument, NULL, OPT_CLAIM},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"in", required_argument, NULL, OPT_IN},
	    {"keys", required_argument, NULL, OPT_KEYS},
	    {"keys-out", required_argument, NULL, OPT_KEYS_OUT},
	    {"user-id", required_argument, NULL, OPT_USER_ID},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"state", required_argument, NULL, OPT_STATE},
	    {"usage", required_argument, NULL, OPT_USAGE},
	    {"reason", required_argument, NULL, OPT_REASON},
	    {"fpr", required_argument, NULL, OPT_FPR},
	    {"review", required_argument, NULL, OPT_REVIEW},
	    {"prev", required_argument, NULL, OPT_PREV},
	    {"policy", required_argument, NULL, OPT_POLICY},
	    {"sur", required_argument, NULL, OPT_SUR},
	    {"cluster", required_argument, NULL, OPT_CLUSTER},
	    {"roster", required_argument, NULL, OPT_ROSTER},
	    {"channel", required_argument, NULL, OPT_CHANNEL},
	    {"kind", required_argument, NULL, OPT_KIND},
	    {"title", required_argument, NULL, OPT_TITLE},
	    {"mime", required_argument, NULL, OPT_MIME},
	    {"file-name", required_argument, NULL, OPT_FILE_NAME},
	    {"reply-to", required_argument, NULL, OPT_REPLY_TO},
	    {"from", required_argument, NULL, OPT_FROM},
	    {"to", required_argument, NULL, OPT_TO},
	    {"author", required_argument, NULL, OPT_AUTHOR},
	    {"nonce", required_argument, NULL, OPT_NONCE},
	    {"body", required_argument, NULL, OPT_BODY},
	    {"output", required_argument, NULL, OPT_OUTPUT},
	    {"sign-url", required_argument, NULL, OPT_SIGN_URL},
	    {"sign-body", required_argument, NULL, OPT_SIGN_BODY},
	    {"log-pk", required_argument, NULL, OPT_LOG_PK},
	    {"head", required_argument, NULL, OPT_HEAD},
	    {"old-head", required_argument, NULL, OPT_OLD_HEAD},
	    {"proof", required_argument, NULL, OPT_PROOF},
	    {"entry", required_argument, NULL, OPT_ENTRY},
	    {"id", required_argument, NULL, OPT_ID},
	    {"serial", required_argument, NULL, OPT_SERIAL},
	    {"epoch", required_argument, NULL, OPT_EPOCH},
	    {"seq", required_argument, NULL, OPT_SEQ},
	    {"valid-days", required_argument, NULL, OPT_VALID_DAYS},
	    {"not-before", required_argument, NULL, OPT_NOT_BEFORE},
	    {"not-after", required_argument, NULL, OPT_NOT_AFTER},
	    {"created", required_argument, NULL, OPT_CREATED},
	    {"offset", required_argument, NULL, OPT_OFFSET},
	    {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
	    {"rate", required_argument, NULL, OPT_RATE},
	    {"index", required_argument, NULL, OPT_INDEX},
	    {"size", required_argument, NULL, OPT_SIZE},
	    {"instrument", required_argument, NULL, OPT_INSTRUMENT},
	    {"language", required_argument, NULL, OPT_LANGUAGE},
	    {"member", required_argument, NULL, OPT_MEMBER},
	    {"header", required_argument, NULL, OPT_HEADER},
	    {"headers", no_argument, NULL, OPT_HEADERS},
	    {"stall", required_argument, NULL, OPT_STALL},
	    {"port", required_argument, NULL, OPT_PORT},
	    {"cacert", required_argument, NULL, OPT_CACERT},
	    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
	    {"verbose", no_argument, NULL, OPT_VERBOSE},
	    {"omit", required_argument, NULL, OPT_OMIT},
	    {"field", required_argument, NULL, OPT_FIELD},
	    {"epoch-keys", required_argument, NULL, OPT_EPOCH_KEYS},
	    {NULL, 0, NULL, 0},
	};
	struct opts o;
	plm_error err;
	size_t i;
	int c, r = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: plmtest COMMAND [options] (see tests/tools/plmtest.c)\n");
		return 2;
	}
	command = argv[1];
	memset(&o, 0, sizeof(o));
	optind = 2;
	while (r == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: o.root = optarg; break;
		case OPT_SEED: o.seed = optarg; break;
		case OPT_CLAIM: o.claim = optarg; break;
		case OPT_OUT: o.out = optarg; break;
		case OPT_IN: o.in = optarg; break;
		case OPT_KEYS: o.keys = optarg; break;
		case OPT_KEYS_OUT: o.keys_out = optarg; break;
		case OPT_USER_ID: o.user_id = optarg; break;
		case OPT_NAME: o.name = optarg; break;
		case OPT_STATE: o.state = optarg; break;
		case OPT_USAGE: o.usage = optarg; break;
		case OPT_REASON: o.reason = optarg; break;
		case OPT_FPR: o.fpr = optarg; break;
		case OPT_REVIEW: o.review = optarg; break;
		case OPT_PREV: o.prev = optarg; break;
		case OPT_POLICY: o.policy = optarg; break;
		case OPT_SUR: o.sur = optarg; break;
		case OPT_CLUSTER: o.cluster = optarg; break;
		case OPT_ROSTER: o.roster = optarg; break;
		case OPT_CHANNEL: o.channel = optarg; break;
		case OPT_KIND: o.kind = optarg; break;
		case OPT_TITLE: o.title = optarg; break;
		case OPT_MIME: o.mime = optarg; break;
		case OPT_FILE_NAME: o.file_name = optarg; break;
		case OPT_REPLY_TO: o.reply_to = optarg; break;
		case OPT_FROM: o.from = optarg; break;
		case OPT_TO: o.to = optarg; break;
		case OPT_AUTHOR: o.author = optarg; break;
		case OPT_NONCE: o.nonce = optarg; break;
		case OPT_BODY: o.body = optarg; break;
		case OPT_OUTPUT: o.output = optarg; break;
		case OPT_SIGN_URL: o.sign_url = optarg; break;
		case OPT_SIGN_BODY: o.sign_body = optarg; break;
		case OPT_LOG_PK: o.log_pk = optarg; break;
		case OPT_HEAD: o.head = optarg; break;
		case OPT_OLD_HEAD: o.old_head = optarg; break;
		case OPT_PROOF: o.proof = optarg; break;
		case OPT_ENTRY: o.entry = optarg; break;
		case OPT_ID: o.id = optarg; break;
		case OPT_SERIAL: r = parse_u64(optarg, &o.serial, "serial"); break;
		case OPT_EPOCH: r = parse_u64(optarg, &o.epoch, "epoch"); o.have_epoch = 1; break;
		case OPT_SEQ: r = parse_u64(optarg, &o.seq, "seq"); break;
		case OPT_VALID_DAYS: r = parse_u64(optarg, &o.valid_days, "valid-days"); break;
		case OPT_NOT_BEFORE:
			r = parse_u64(optarg, &o.not_before, "not-before");
			o.have_not_before = 1;
			break;
		case OPT_NOT_AFTER:
			r = parse_u64(optarg, &o.not_after, "not-after");
			o.have_not_after = 1;
			break;
		case OPT_CREATED:
			r = parse_u64(optarg, &o.created, "created");
			o.have_created = 1;
			break;
		case OPT_OFFSET:
			r = parse_u64(optarg, &o.offset, "offset");
			o.have_offset = 1;
			break;
		case OPT_MAX_BYTES:
			r = parse_u64(optarg, &o.max_bytes, "max-bytes");
			o.have_max_bytes = 1;
			break;
		case OPT_RATE: r = parse_u64(optarg, &o.rate, "rate"); break;
		case OPT_INDEX: r = parse_u64(optarg, &o.index, "index"); o.have_index = 1; break;
		case OPT_SIZE: r = parse_u64(optarg, &o.size, "size"); o.have_size = 1; break;
		case OPT_INSTRUMENT:
			r = add_list(o.instruments, &o.n_instruments, optarg, "instrument");
			break;
		case OPT_LANGUAGE: r = add_list(o.languages, &o.n_languages, optarg, "language"); break;
		case OPT_MEMBER: r = add_list(o.members, &o.n_members, optarg, "member"); break;
		case OPT_HEADER: r = add_list(o.headers, &o.n_headers, optarg, "header"); break;
		case OPT_HEADERS: o.show_headers = 1; break;
		case OPT_STALL: r = parse_u64(optarg, &o.stall, "stall"); break;
		case OPT_PORT: r = parse_u64(optarg, &o.port, "port"); break;
		case OPT_CACERT: o.cacert = optarg; break;
		case OPT_PASSPHRASE_FILE: o.passphrase_file = optarg; break;
		case OPT_VERBOSE: o.verbose = 1; break;
		case OPT_OMIT: o.omit = optarg; break;
		case OPT_FIELD: o.field = optarg; break;
		case OPT_EPOCH_KEYS: o.epoch_keys = optarg; break;
		default: r = 2; break;
		}
	}
	if (r != 0)
		return r;
	if (plm_init(&err) != 0) {
		fprintf(stderr, "plmtest: %s\n", err.message);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "plmtest: cannot start libcurl\n");
		return 1;
	}
	r = -1;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, command) == 0) {
			r = commands[i].fn(&o, argc - optind, argv + optind);
			break;
		}
	if (r == -1) {
		fprintf(stderr, "plmtest: unknown command '%s'\n", command);
		r = 2;
	}
	curl_global_cleanup();
	return r;
}
