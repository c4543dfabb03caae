/*
 * cmd_archive.c - `palermo archive`: the sealed record of a review
 * (DESIGN.md §12, PROTOCOL.md §9): keygen makes the archive key, seal
 * writes the archive (secretariat), verify checks one with no network, no
 * keys and no local state and prints what it holds, open decrypts it into
 * a folder (client/archive_open.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/archive.h"
#include "client/commands.h"
#include "client/identity.h"
#include "client/sync.h"
#include "keys/keystore.h"

const char usage_archive[] =
    "usage: palermo archive keygen -o KEYFILE [--kdf moderate|interactive]\n"
    "       palermo archive seal REVIEW --to KEY -o FILE\n"
    "       palermo archive verify FILE [--trust ROOT_FINGERPRINT]\n"
    "       palermo archive open FILE --key KEYFILE -o DIR [--trust ROOT_FINGERPRINT]\n"
    "\n"
    "The sealed archive of a review (PROTOCOL.md §9): one file with the\n"
    "review's certificates, revocations, rosters, records and documents\n"
    "(ciphertext exactly as stored), the log head signed by the server with\n"
    "an inclusion proof of every entry, the policy, and the review's channel\n"
    "keys sealed to an archive key; signed as a whole by the secretariat\n"
    "member who sealed it.\n"
    "\n"
    "  keygen   makes an archive key (an X25519 key pair) in a new file\n"
    "           KEYFILE, encrypted under a passphrase like your own keys, and\n"
    "           prints its public key. Keep it apart from the archives.\n"
    "  seal     (the review's secretariat) syncs, then writes the archive of\n"
    "           REVIEW into the new file FILE. KEY is the archive key's public\n"
    "           key (64 hex digits) or its KEYFILE.\n"
    "  verify   checks everything in FILE with nothing else: no network, no\n"
    "           keys, no PALERMO_HOME. Every signature, certificates chained to\n"
    "           the root, the log head signed by the certified log key, every\n"
    "           inclusion proof, the roster chain and the review's rules replayed\n"
    "           in log order, every document's structure and author signature,\n"
    "           and the archive's own signature. Then it prints what the review\n"
    "           holds: documents per kind and stage, authors by State and role,\n"
    "           dates and the roster history. Without --trust it names the root\n"
    "           fingerprint the archive is signed under: compare it with the\n"
    "           one the secretariat published.\n"
    "  open     verifies FILE, then decrypts every document with the archive\n"
    "           key into the new folder DIR (0700, files 0600), with index.json\n"
    "           and index.txt (id, kind, title, author, date, file name).\n"
    "\n"
    "Passphrases are read as for every command ($PALERMO_PASSPHRASE_FILE or\n"
    "the terminal). With --json, keygen, seal and verify print what they made\n"
    "or found as one JSON document.\n"
    "\n"
    "Exit status: 3 when the archive does not verify (the message says what\n"
    "and where: the section, the item number and log index); 5 for a seal by\n"
    "someone who is not the review's secretariat, or a wrong archive key or\n"
    "passphrase; 1 when FILE, KEYFILE or DIR already exists.\n"
    "\n"
    "Examples:\n"
    "  palermo archive keygen -o archive.key\n"
    "  palermo archive seal 2026-ita-crim --to archive.key -o 2026-ita-crim.plma\n"
    "  palermo archive verify 2026-ita-crim.plma --trust \"20c4 6b1c ...\"\n"
    "  palermo archive open 2026-ita-crim.plma --key archive.key -o record/\n";

/* `archive keygen -o KEYFILE`: a new archive key in a passphrase keystore. */
static int archive_keygen(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"kdf", required_argument, NULL, 'k'},
	    {NULL, 0, NULL, 0},
	};
	plm_kdf_limits limits = PLM_KDF_MODERATE;
	plm_identity *key = NULL;
	unsigned char *pass = NULL;
	char hex[2 * PLM_BOX_PK_BYTES + 1];
	const char *path = NULL;
	size_t len = 0;
	plm_error err;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (c) {
		case 'o': path = optarg; break;
		case 'k':
			if (identity_parse_kdf(optarg, &limits, &err) != 0)
				return cli_fail(cli, EXIT_USAGE, "%s", err.message);
			break;
		default: return EXIT_USAGE;
		}
	}
	if (path == NULL || optind != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo archive keygen -o KEYFILE [--kdf ...]");
	if (access(path, F_OK) == 0)
		return cli_fail(cli, EXIT_FAILURE_,
		                "%s already exists; palermo never replaces a key file (choose "
		                "another name)",
		                path);
	if ((r = plm_identity_generate(&key, &err)) != 0 ||
	    (r = cli_passphrase(cli, "Choose a passphrase for the archive key: ", 1, &pass,
	                        &len, &err)) != 0 ||
	    (r = plm_keystore_create(path, key, pass, len, limits, &err)) != 0) {
		plm_secret_free(pass);
		plm_identity_free(key);
		return cli_fail(cli, r == PLM_ERR_EXISTS ? EXIT_FAILURE_ : cli_exit_for(r), "%s",
		                err.message);
	}
	plm_hex(hex, key->pub.box_pk, PLM_BOX_PK_BYTES);
	plm_secret_free(pass);
	plm_identity_free(key);
	if (cli->json)
		return cli_json(cli, json_pack("{s:s, s:s}", "file", path, "public_key", hex));
	cli_say(cli, "Wrote the archive key to %s (0600, under your passphrase).", path);
	cli_say(cli, "Public key (give it to `palermo archive seal --to`):");
	cli_say(cli, "  %s", hex);
	cli_say(cli, "Keep the key file and its passphrase apart from the archives.");
	return EXIT_OK;
}

/* KEY: 64 hex digits, or a keystore file whose box key is the archive key. */
static int parse_archive_pk(struct cli *cli, const char *key,
                            unsigned char pk[PLM_BOX_PK_BYTES])
{
	plm_pubkeys pub;
	size_t len = 0;
	plm_error err;

	if (strlen(key) == 2 * PLM_BOX_PK_BYTES &&
	    sodium_hex2bin(pk, PLM_BOX_PK_BYTES, key, strlen(key), NULL, &len, NULL) == 0 &&
	    len == PLM_BOX_PK_BYTES)
		return 0;
	if (plm_keystore_read_public(key, &pub, &err) != 0)
		return cli_fail(cli, EXIT_USAGE,
		                "--to needs the archive key's public key (64 hex digits) or "
		                "its key file; %s",
		                err.message);
	memcpy(pk, pub.box_pk, PLM_BOX_PK_BYTES);
	return 0;
}

/* `archive seal REVIEW --to KEY -o FILE` (the review's secretariat). */
static int archive_seal_cmd(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"to", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	unsigned char pk[PLM_BOX_PK_BYTES];
	const char *path = NULL, *to = NULL, *review;
	struct sync_result res;
	char hex[2 * PLM_BOX_PK_BYTES + 1];
	struct archive_seal_counts counts;
	plm_error err;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (c) {
		case 'o': path = optarg; break;
		case 't': to = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (path == NULL || to == NULL || optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo archive seal REVIEW --to KEY -o FILE");
	review = argv[optind];
	if ((r = parse_archive_pk(cli, to, pk)) != 0)
		return r;
	if (access(path, F_OK) == 0)
		return cli_fail(cli, EXIT_FAILURE_,
		                "%s already exists; palermo never overwrites an archive", path);
	if ((r = cli_open_state(cli, 0)) != 0 || (r = cli_unlock(cli)) != 0 ||
	    (r = cli_connect(cli)) != 0)
		return r;
	memset(&res, 0, sizeof(res));
	if (sync_run(cli, NULL, &res, &err) != 0)
		return cli_fail_err(cli, &err);
	if ((r = archive_seal(cli, review, path, pk, &counts, &err)) != 0)
		return cli_fail(cli,
		                r == PLM_ERR_DENIED ? EXIT_AUTH
		                : r == PLM_ERR_EXISTS ? EXIT_FAILURE_
		                                      : cli_exit_for(r),
		                "%s", err.message);
	plm_hex(hex, pk, PLM_BOX_PK_BYTES);
	if (cli->json)
		return cli_json(cli, json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "review", review,
		                               "file", path, "entries", (json_int_t)counts.entries,
		                               "documents", (json_int_t)counts.documents,
		                               "left_out", (json_int_t)counts.refused,
		                               "archive_key", hex));
	if (counts.refused > 0)
		cli_warn(cli,
		         "%zu document%s of review %s failed verification here and %s left "
		         "out of the archive (`palermo list` shows why)",
		         counts.refused, counts.refused == 1 ? "" : "s", review,
		         counts.refused == 1 ? "is" : "are");
	cli_say(cli, "Sealed review %s into %s: %zu log entries, %zu document%s.", review,
	        path, counts.entries, counts.documents, counts.documents == 1 ? "" : "s");
	cli_say(cli, "The channel keys are sealed to the archive key %.16s...", hex);
	return EXIT_OK;
}

/* ---- the summary of a verified archive ----------------------------------- */

/* A count by two names (kind and stage, or State and role). */
struct tally {
	char a[PLM_RECORD_NAME_MAX + 1], b[PLM_RECORD_NAME_MAX + 1];
	size_t n;
};

/* Counts (A, B) in T (at most CAP distinct pairs; more are folded into the last). */
static size_t tally_add(struct tally *t, size_t n, size_t cap, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].a, a) == 0 && strcmp(t[i].b, b) == 0) {
			t[i].n++;
			return n;
		}
	if (n == cap)
		return n;
	snprintf(t[n].a, sizeof(t[n].a), "%s", a);
	snprintf(t[n].b, sizeof(t[n].b), "%s", b);
	t[n].n = 1;
	return n + 1;
}

static int tally_cmp(const void *x, const void *y)
{
	const struct tally *p = x, *q = y;
	int c = strcmp(p->a, q->a);

	return c ? c : strcmp(p->b, q->b);
}

#define TALLY_MAX 256

static json_t *tally_json(const struct tally *t, size_t n, const char *a, const char *b)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:I}", a, t[i].a, b, t[i].b,
		                                      "documents", (json_int_t)t[i].n));
	return list;
}

/* Prints (or emits as JSON) what a verified archive holds. */
static int print_summary(struct cli *cli, const char *file, const struct archive_summary *s,
                         int trusted)
{
	static struct tally by_kind[TALLY_MAX], by_author[TALLY_MAX];
	const struct archive_cert *sealer = archive_find_cert(s, s->header.sealer);
	char root[PLM_FPR_TEXT_BYTES], when[48], when2[48], hex[2 * PLM_HASH_BYTES + 1];
	char root_hex[2 * PLM_FPR_BYTES + 1];
	size_t i, n_kind = 0, n_author = 0, records = 0;
	uint64_t first = UINT64_MAX, last = 0;
	json_t *docs, *rosters, *places;

	for (i = 0; i <= PLM_RECORD_ENROLLMENT; i++)
		records += s->records[i];
	for (i = 0; i < s->n_docs; i++) {
		const struct archive_doc *d = &s->docs[i];
		n_kind = tally_add(by_kind, n_kind, TALLY_MAX, d->kind, d->stage);
		n_author = tally_add(by_author, n_author, TALLY_MAX, d->author_state,
		                     d->author_role[0] ? d->author_role : "?");
		if (d->created_at < first)
			first = d->created_at;
		if (d->created_at > last)
			last = d->created_at;
	}
	qsort(by_kind, n_kind, sizeof(by_kind[0]), tally_cmp);
	qsort(by_author, n_author, sizeof(by_author[0]), tally_cmp);
	plm_fingerprint_format(root, s->header.root);
	plm_hex(hex, s->header.head.root_hash, PLM_HASH_BYTES);
	if (cli->json) {
		docs = json_array();
		for (i = 0; i < s->n_docs; i++) {
			const struct archive_doc *d = &s->docs[i];
			char id[2 * PLM_HASH_BYTES + 1];
			plm_hex(id, d->id, PLM_HASH_BYTES);
			json_array_append_new(
			    docs, json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I}",
			                    "id", id, "seq", (json_int_t)d->seq, "kind", d->kind,
			                    "stage", d->stage, "channel", d->channel, "epoch",
			                    (json_int_t)d->epoch, "author", d->author_user, "state",
			                    d->author_state, "role", d->author_role, "created_at",
			                    (json_int_t)d->created_at, "size", (json_int_t)d->size));
		}
		rosters = json_array();
		for (i = 0; i < s->n_rosters; i++)
			json_array_append_new(
			    rosters, json_pack("{s:I, s:I, s:I, s:I, s:s}", "epoch",
			                       (json_int_t)s->rosters[i].epoch, "seq",
			                       (json_int_t)s->rosters[i].seq, "created_at",
			                       (json_int_t)s->rosters[i].created_at, "members",
			                       (json_int_t)s->rosters[i].members, "changes",
			                       s->rosters[i].changes ? s->rosters[i].changes : ""));
		places = json_array();
		for (i = 0; i < s->n_places; i++)
			json_array_append_new(
			    places, json_pack("{s:I, s:s, s:I, s:I, s:I}", "number",
			                      (json_int_t)s->places[i].number, "kind",
			                      plm_archive_tag_name(s->places[i].tag), "seq",
			                      (json_int_t)s->places[i].seq, "offset",
			                      (json_int_t)s->places[i].offset, "length",
			                      (json_int_t)s->places[i].length));
		plm_hex(root_hex, s->header.root, PLM_FPR_BYTES);
		return cli_json(
		    cli,
		    json_pack("{s:s, s:b, s:s, s:b, s:I, s:s, s:{s:I, s:I, s:s}, s:s, s:I, s:I, "
		              "s:I, s:o, s:o, s:o, s:o, s:o}",
		              "review", s->header.review_id, "verified", 1, "root", root_hex,
		              "root_pinned", trusted, "sealed_at", (json_int_t)s->header.sealed_at,
		              "sealed_by", sealer ? sealer->cert.user_id : "", "head", "size",
		              (json_int_t)s->header.head.tree_size, "timestamp",
		              (json_int_t)s->header.head.timestamp, "root_hash", hex, "stage",
		              s->stage, "certificates", (json_int_t)s->n_certs, "revocations",
		              (json_int_t)s->revocations, "records", (json_int_t)records,
		              "documents", docs, "by_kind_and_stage",
		              tally_json(by_kind, n_kind, "kind", "stage"), "by_state_and_role",
		              tally_json(by_author, n_author, "state", "role"), "rosters",
		              rosters, "items", places));
	}
	identity_format_time(s->header.sealed_at, when, sizeof(when));
	printf("%s: archive of review %s verified.\n", file, s->header.review_id);
	printf("Sealed %s by %s (%s), the review's secretariat.\n", when,
	       sealer ? sealer->cert.user_id : "?", sealer ? sealer->cert.state : "?");
	if (trusted)
		printf("Signed under the root you trust:\n  %s\n", root);
	else
		printf("Signed under the root\n  %s\ncompare it with the fingerprint the "
		       "secretariat published (or use --trust).\n",
		       root);
	identity_format_time(s->header.head.timestamp / 1000, when, sizeof(when));
	printf("Log head: size %" PRIu64 ", signed %s, root %.12s; every entry's inclusion "
	       "proof checks.\n",
	       s->header.head.tree_size, when, hex);
	printf("Holds %zu certificates, %zu revocations, %zu records, %zu documents; stage "
	       "now %s.\n",
	       s->n_certs, s->revocations, records, s->n_docs, s->stage);
	if (s->n_rosters > 0) {
		identity_format_time(s->rosters[0].created_at, when, sizeof(when));
		printf("Started %s", when);
		if (s->n_docs > 0) {
			identity_format_time(first, when, sizeof(when));
			identity_format_time(last, when2, sizeof(when2));
			printf("; documents from %s to %s", when, when2);
		}
		printf(".\n");
	}
	printf("\nDocuments by kind and stage:\n");
	if (n_kind == 0)
		printf("  (none)\n");
	for (i = 0; i < n_kind; i++)
		printf("  %-28s %-16s %zu\n", by_kind[i].a, by_kind[i].b, by_kind[i].n);
	printf("\nAuthors by State and role:\n");
	if (n_author == 0)
		printf("  (none)\n");
	for (i = 0; i < n_author; i++)
		printf("  %-8s %-16s %zu document%s\n", by_author[i].a, by_author[i].b,
		       by_author[i].n, by_author[i].n == 1 ? "" : "s");
	printf("\nRoster history:\n");
	for (i = 0; i < s->n_rosters; i++) {
		identity_format_time(s->rosters[i].created_at, when, sizeof(when));
		printf("  epoch %" PRIu64 "  %s  log index %" PRIu64 "  %zu members: %s\n",
		       s->rosters[i].epoch, when, s->rosters[i].seq, s->rosters[i].members,
		       s->rosters[i].changes ? s->rosters[i].changes : "no change");
	}
	return EXIT_OK;
}

int archive_verify_file(struct cli *cli, const char *file, const unsigned char *trust,
                        const struct archive_hooks *hooks, struct archive_summary *sum)
{
	plm_error err;
	int fd, r;

	memset(sum, 0, sizeof(*sum));
	if ((fd = open(file, O_RDONLY)) < 0)
		return cli_fail(cli, errno == ENOENT ? EXIT_NOTFOUND : EXIT_FAILURE_,
		                "cannot read %s: %s", file, strerror(errno));
	plm_error_clear(&err);
	r = archive_check(fd, trust, hooks, sum, &err);
	close(fd);
	if (r == 0)
		return 0;
	if (r == PLM_ERR_IO || r == PLM_ERR_NOMEM)
		return cli_fail(cli, EXIT_FAILURE_, "%s", err.message);
	if (hooks != NULL && (r == PLM_ERR_KEY || r == PLM_ERR_PASSPHRASE))
		return cli_fail(cli, EXIT_AUTH, "%s", err.message);
	return cli_fail(cli, EXIT_VERIFY, "%s does not verify: %s", file,
	                err.message[0] ? err.message : plm_strerror(r));
}

int archive_trust_option(struct cli *cli, const char *text,
                         unsigned char trust[PLM_FPR_BYTES])
{
	plm_error err;

	if (plm_fingerprint_parse(trust, text, &err) != 0) {
		cli_fail(cli, EXIT_USAGE, "--trust: %s", err.message);
		return -1;
	}
	return 1;
}

/* `archive verify FILE [--trust FPR]`. */
static int archive_verify_cmd(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"trust", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	unsigned char trust[PLM_FPR_BYTES];
	struct archive_summary sum;
	int c, r, trusted = 0;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if ((trusted = archive_trust_option(cli, optarg, trust)) < 0)
				return EXIT_USAGE;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_fail(cli, EXIT_USAGE,
		                "usage: palermo archive verify FILE [--trust ROOT_FINGERPRINT]");
	if ((r = archive_verify_file(cli, argv[optind], trusted ? trust : NULL, NULL, &sum)) ==
	    0)
		r = print_summary(cli, argv[optind], &sum, trusted);
	archive_summary_free(&sum);
	return r;
}

int cmd_archive(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} subs[] = {
	    {"keygen", archive_keygen},
	    {"seal", archive_seal_cmd},
	    {"verify", archive_verify_cmd},
	    {"open", archive_open_cmd},
	};
	size_t i;

	if (argc < 2)
		return cli_fail(cli, EXIT_USAGE,
		                "archive needs keygen, seal, verify or open; see `palermo help "
		                "archive`");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(cli, argc - 1, argv + 1);
	return cli_fail(cli, EXIT_USAGE,
	                "there is no archive command '%s'; it is keygen, seal, verify or open",
	                argv[1]);
}
