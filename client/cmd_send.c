/*
 * cmd_send.c - `palermo send`: seal a message or document (and its
 * attachments) for a review, queue it in the outbox, then try to send it.
 *
 * Everything the server would check is checked here first, against what
 * this client verified itself (local_review: the same state machine as
 * the daemon): membership, that my role may write this kind on this
 * channel in the review's current stage, the kind's size and word limits,
 * and the type of every file (client/attach.h). Only then is anything
 * sealed, and everything is in the outbox before the first network call
 * (DESIGN.md §11): with the server down the command still succeeds and
 * says the document is queued.
 *
 * Attachments are sealed first, each as its own envelope of kind
 * "attachment" on the same channel; the main document's manifest lists
 * their envelope ids in the field "attachments" (comma-separated, in the
 * order given), since an attachment cannot name a document that does not
 * exist yet. All of them are queued in one transaction: none or all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "client/attach.h"
#include "client/commands.h"
#include "client/local.h"
#include "client/outbox.h"
#include "client/send.h"
#include "client/state.h"
#include "client/sync.h"
#include "client/words.h"
#include "keys/codec.h"
#include "keys/envelope.h"
#include "keys/manifest.h"

const char usage_send[] =
    "usage: palermo send REVIEW [--channel CHANNEL] [--kind KIND] [--title TITLE]\n"
    "                    [--reply-to ID] [--attach FILE]... [--lang LANG] [FILE | -]\n"
    "\n"
    "Seals a document for the members of REVIEW who may read CHANNEL, queues it\n"
    "in the outbox and sends it. The document is FILE, or standard input when\n"
    "FILE is - or missing. Nothing is sealed unless this client's verified copy\n"
    "of the review says you may write that kind on that channel now, the\n"
    "document keeps the kind's size and word limits, and every file is of a\n"
    "type the policy accepts (detected from its content, not its name).\n"
    "\n"
    "Options:\n"
    "  --channel CHANNEL  the channel (default: review)\n"
    "  --kind KIND        the kind of document (default: message), e.g.\n"
    "                     questionnaire_response, feedback, question, answer,\n"
    "                     observations_draft, summary_draft\n"
    "  --title TITLE      the title members see (default: the file's name, or the\n"
    "                     first line of a text read from standard input)\n"
    "  --reply-to ID      the document this one answers (its id or the first\n"
    "                     digits of it, as `palermo list` shows them)\n"
    "  --attach FILE      attach FILE (repeat for several, at most 32): each is\n"
    "                     sealed as its own document of kind attachment\n"
    "  --lang LANG        the document's language, two letters (default: the\n"
    "                     review's first working language)\n"
    "  --json             print {\"id\", \"attachments\", \"queued\"} on stdout\n"
    "\n"
    "Without a server the document stays queued and the command still succeeds;\n"
    "`palermo sync` sends it later. Prints the new document's id, then one line\n"
    "\"ID FILE\" per attachment.\n"
    "\n"
    "Examples:\n"
    "  echo 'The responses will follow on Friday.' | palermo send 2026-ita-crim\n"
    "  palermo send 2026-ita-crim --kind questionnaire_response \\\n"
    "      --title 'Responses on article 5' --attach law-2019-123.pdf responses.odt\n"
    "  palermo send 2026-ita-crim --kind question --reply-to 3fa29c1d answers.md\n"
    "\n"
    "Exit codes: 0 sent or queued, 2 usage, 5 refused by the policy or the\n"
    "server, 6 no such review or document here (run `palermo sync`).\n";

#define ATTACH_MAX 32
#define TITLE_FROM_TEXT_MAX 100
#define READ_CHUNK 65536
#define PATH_CAP 4300

/* One file to seal: the main document or an attachment. */
struct part {
	const char *path; /* as given; NULL for standard input */
	const char *kind;
	int fd;              /* the open file, or -1 */
	unsigned char *text; /* standard input: plm_secret_alloc memory */
	uint64_t size;
	char mime[ATTACH_MIME_MAX];
	char sealed[PATH_CAP]; /* the sealed envelope, while not queued */
	unsigned char id[PLM_HASH_BYTES];
	int queued;
};

/* What the command was asked. */
struct send_args {
	const char *review, *channel, *kind, *title, *reply_to, *lang, *file;
	const char *attach[ATTACH_MAX];
	size_t n_attach;
};

/* The last component of PATH. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/*
 * Reads standard input into P->text (plm_secret_alloc memory, grown by
 * doubling, copied and wiped on each growth) up to MAX bytes: more is
 * PLM_ERR_LIMIT, reported as soon as the byte after MAX arrives.
 */
static int read_stdin(struct part *p, uint64_t max, const char *kind, plm_error *err)
{
	unsigned char *buf = NULL, *grown;
	size_t cap = READ_CHUNK, len = 0, next;
	ssize_t got;
	int r = 0;

	if ((buf = plm_secret_alloc(cap)) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory");
	for (;;) {
		if (len == cap) {
			/* Never more than MAX + 1 bytes: one more tells it is too
			 * large. */
			next =
			    (uint64_t)2 * cap > max + 1 ? (size_t)(max + 1) : 2 * cap;
			if ((grown = plm_secret_alloc(next)) == NULL) {
				r = plm_error_set(
				    err, PLM_ERR_NOMEM,
				    "out of secure memory for the document; give it "
				    "as a FILE instead of on standard input");
				goto out;
			}
			memcpy(grown, buf, len);
			plm_secret_free(buf);
			buf = grown;
			cap = next;
		}
		got = read(STDIN_FILENO, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = plm_error_set(err, PLM_ERR_IO,
			                  "cannot read standard input: %s",
			                  strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if ((uint64_t)len > max) {
			r = plm_error_set(
			    err, PLM_ERR_LIMIT,
			    "the document on standard input is larger than a %s may "
			    "be (%llu bytes)",
			    kind, (unsigned long long)max);
			goto out;
		}
	}
	p->text = buf;
	p->size = len;
	buf = NULL;
out:
	plm_secret_free(buf);
	return r;
}

/* Opens the file of P, a regular file of at most MAX bytes. */
static int open_part(struct part *p, uint64_t max, plm_error *err)
{
	struct stat sb;

	p->fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (p->fd < 0)
		return plm_error_set(
		    err, errno == ENOENT ? PLM_ERR_NOTFOUND : PLM_ERR_IO,
		    "cannot open %.200s: %s", p->path, strerror(errno));
	if (fstat(p->fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "%.200s is not a regular file", p->path);
	p->size = (uint64_t)sb.st_size;
	if (p->size > max)
		return plm_error_set(
		    err, PLM_ERR_LIMIT,
		    "%.120s is %llu bytes; a %s may be at most %llu bytes",
		    base_name(p->path), (unsigned long long)p->size, p->kind,
		    (unsigned long long)max);
	return 0;
}

/*
 * The word limits of the main document's kind: refuse above refuse_above,
 * warn above warn_above. A document whose words cannot be counted here (a
 * PDF, an office file) gets a warning when its kind has a limit.
 */
static int check_words(struct cli *cli, const plm_policy *policy, struct part *p,
                       plm_error *err)
{
	char warning[PLM_POLICY_WARNING_MAX];
	uint64_t words;
	int r;

	if (!words_limited(policy, p->kind))
		return 0;
	if (!words_countable(p->mime)) {
		cli_warn(
		    cli,
		    "the words of a %s document cannot be counted here; check yourself "
		    "that it keeps the word limit of a %s",
		    p->mime, p->kind);
		return 0;
	}
	if (p->text != NULL)
		words = plm_word_count((const char *)p->text, (size_t)p->size);
	else if ((r = words_count_file(p->fd, &words, err)) != 0)
		return r;
	if ((r = plm_policy_check_words(policy, p->kind, words, warning, err)) != 0)
		return r;
	if (warning[0] != '\0')
		cli_warn(cli, "%s", warning);
	return 0;
}

/*
 * Resolves --reply-to: a document of REVIEW known here (verified by sync),
 * or one of mine still in the outbox, given by its id or a prefix of it.
 */
static int resolve_reply(struct cli *cli, const char *review, const char *text,
                         unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	struct stored_envelope env;
	struct outbox_item item;
	int r;

	r = state_envelope_find(cli->state, text, &env, err);
	if (r == 0) {
		if (strcmp(env.review, review) != 0)
			return plm_error_set(
			    err, PLM_ERR_INVALID,
			    "the document %.16s belongs to review %s, not %s; a "
			    "reply stays in its review",
			    text, env.review, review);
		if (env.status != ENVELOPE_VERIFIED)
			return plm_error_set(
			    err, PLM_ERR_INVALID,
			    "the document %.16s failed verification; do not "
			    "reply to it",
			    text);
		memcpy(id, env.id, PLM_HASH_BYTES);
		return 0;
	}
	if (r != PLM_ERR_NOTFOUND)
		return r;
	if (outbox_find(cli, text, &item, NULL) == 0 &&
	    strcmp(item.review, review) == 0) {
		memcpy(id, item.id, PLM_HASH_BYTES);
		return 0;
	}
	return plm_error_set(
	    err, PLM_ERR_NOTFOUND,
	    "no document %.64s of review %s is known here; check the id "
	    "with `palermo list %s`, or run `palermo sync`",
	    text, review, review);
}

/* Feeds a secure buffer to the sealer through a socket, from a thread. */
struct feeder {
	int fd;
	const unsigned char *data;
	size_t len;
};

static void *feed_socket(void *arg)
{
	struct feeder *f = arg;
	size_t done = 0;
	ssize_t w;

	while (done < f->len) {
		w = send(f->fd, f->data + done, f->len - done, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* the sealer stopped reading: it reports why */
		done += (size_t)w;
	}
	close(f->fd);
	return NULL;
}

/*
 * Seals P into a new file in outbox/ (P->sealed) with MANIFEST and
 * PARAMS (whose manifest and reply fields the caller set). Standard input
 * reaches the sealer through a socket pair fed by a thread, so that the
 * plaintext is never written to disk.
 */
static int seal_part(struct cli *cli, struct part *p, plm_seal_params *params,
                     plm_error *err)
{
	struct feeder feeder;
	pthread_t thread;
	int out = -1, sv[2] = {-1, -1}, in, r, threaded = 0;

	snprintf(p->sealed, sizeof(p->sealed), "%s/outbox/.sealing-XXXXXX",
	         state_home(cli->state));
	out = mkostemp(p->sealed, O_CLOEXEC);
	if (out < 0) {
		r = plm_error_set(err, PLM_ERR_IO,
		                  "cannot create a file in %s/outbox: %s",
		                  state_home(cli->state), strerror(errno));
		p->sealed[0] = '\0';
		return r;
	}
	if (p->text != NULL) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
			r = plm_error_set(err, PLM_ERR_IO, "cannot start sealing: %s",
			                  strerror(errno));
			goto out;
		}
		feeder.fd = sv[1];
		feeder.data = p->text;
		feeder.len = (size_t)p->size;
		if (pthread_create(&thread, NULL, feed_socket, &feeder) != 0) {
			close(sv[1]);
			r = plm_error_set(err, PLM_ERR_NOMEM, "cannot start sealing");
			goto out;
		}
		threaded = 1;
		in = sv[0];
	} else {
		if (lseek(p->fd, 0, SEEK_SET) < 0) {
			r = plm_error_set(err, PLM_ERR_IO, "cannot read %.200s: %s",
			                  p->path, strerror(errno));
			goto out;
		}
		in = p->fd;
	}
	r = plm_envelope_seal(in, out, params, p->id, err);
	if (r == PLM_ERR_MISMATCH && p->path != NULL)
		r = plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "%.200s changed while it was being sealed; send it again", p->path);
	if (r == 0 && fsync(out) != 0)
		r = plm_error_set(err, PLM_ERR_IO,
		                  "cannot store the sealed document: %s",
		                  strerror(errno));
out:
	if (sv[0] >= 0)
		close(sv[0]); /* ends the feeder if the sealer stopped early */
	if (threaded)
		pthread_join(thread, NULL);
	close(out);
	if (r != 0) {
		unlink(p->sealed);
		p->sealed[0] = '\0';
	}
	return r;
}

/* The first line of a text, for a title: up to 100 bytes, whole characters. */
static void title_from_text(const unsigned char *text, size_t len, char *out,
                            size_t cap)
{
	size_t i = 0, n = 0, step;
	uint32_t cp;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
	                   text[i] == '\r' || text[i] == '#'))
		i++;
	while (i < len && n + 4 < cap && n < TITLE_FROM_TEXT_MAX) {
		if (text[i] == '\n' || text[i] == '\r')
			break;
		step = plm_utf8_next(text + i, len - i, &cp);
		if (step == 0 || cp < 0x20 || cp == 0x7F)
			break;
		memcpy(out + n, text + i, step);
		n += step;
		i += step;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Fills manifest M for P: title, file name, type, language, size. */
static int fill_manifest(plm_manifest *m, const struct part *p, const char *title,
                         const char *lang, plm_error *err)
{
	const char *name = p->path != NULL ? base_name(p->path) : "";

	memset(m, 0, sizeof(*m));
	if (strlen(title) > PLM_MANIFEST_TITLE_MAX ||
	    !plm_str_valid(title, strlen(title), PLM_STR_TEXT))
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "the title must be at most %d bytes of text without "
		    "control characters",
		    PLM_MANIFEST_TITLE_MAX);
	if (name[0] != '\0' && (strlen(name) > PLM_MANIFEST_FILE_NAME_MAX ||
	                        !plm_str_valid(name, strlen(name), PLM_STR_FILENAME)))
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "the file name of %.200s cannot be carried (too long, or "
		    "not UTF-8 text); rename the file",
		    p->path);
	snprintf(m->title, sizeof(m->title), "%s", title);
	snprintf(m->file_name, sizeof(m->file_name), "%s", name);
	snprintf(m->mime, sizeof(m->mime), "%s", p->mime);
	snprintf(m->language, sizeof(m->language), "%s", lang);
	m->size = p->size;
	return 0;
}

/* The last tree head this client accepted (setting "tree_head"), if any. */
static int last_tree_head(struct state *st, plm_tree_head *head)
{
	unsigned char bytes[PLM_TREE_HEAD_BYTES];
	size_t len = 0;

	if (state_get(st, "tree_head", bytes, sizeof(bytes), &len, NULL) != 0 ||
	    len != PLM_TREE_HEAD_BYTES)
		return 0;
	return plm_tree_head_decode(head, bytes, len, NULL) == 0;
}

/* The header the daemon will see, for plm_review_check_envelope. */
static void draft_header(plm_envelope_header *h, const char *review,
                         const char *channel, uint64_t epoch, const char *kind,
                         const unsigned char author[PLM_FPR_BYTES])
{
	memset(h, 0, sizeof(*h));
	snprintf(h->review_id, sizeof(h->review_id), "%s", review);
	snprintf(h->channel, sizeof(h->channel), "%s", channel);
	snprintf(h->kind, sizeof(h->kind), "%s", kind);
	h->epoch = epoch;
	memcpy(h->author, author, PLM_FPR_BYTES);
}

/*
 * May I write KIND on the channel of A now? Checked against the review as
 * this client verified it (the daemon runs the same code).
 */
static int check_may_write(const plm_review *review, const plm_policy *policy,
                           const struct send_args *a, const char *kind,
                           const unsigned char me[PLM_FPR_BYTES], plm_error *err)
{
	plm_envelope_header h;

	draft_header(&h, a->review, a->channel, review->roster->body.roster.epoch, kind,
	             me);
	return plm_review_check_envelope(review, policy, &h, err);
}

/* Parses the command line into A; returns 0 or an exit code. */
static int parse_args(struct cli *cli, int argc, char **argv, struct send_args *a)
{
	static const struct option options[] = {
	    {"channel", required_argument, NULL, 'c'},
	    {"kind", required_argument, NULL, 'k'},
	    {"title", required_argument, NULL, 't'},
	    {"reply-to", required_argument, NULL, 'r'},
	    {"attach", required_argument, NULL, 'a'},
	    {"lang", required_argument, NULL, 'l'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	/* 0, not 1: glibc re-initializes, so options may follow the operands. */
	optind = 0;
	memset(a, 0, sizeof(*a));
	a->channel = "review";
	a->kind = "message";
	while ((c = getopt_long(argc, argv, "c:k:t:r:a:l:", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->channel = optarg;
			break;
		case 'k':
			a->kind = optarg;
			break;
		case 't':
			a->title = optarg;
			break;
		case 'r':
			a->reply_to = optarg;
			break;
		case 'l':
			a->lang = optarg;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'a':
			if (a->n_attach == ATTACH_MAX)
				return cli_fail(
				    cli, EXIT_USAGE,
				    "at most %d attachments go with one document; send "
				    "the others with another",
				    ATTACH_MAX);
			a->attach[a->n_attach++] = optarg;
			break;
		default:
			fputs(usage_send, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "name the review: palermo send REVIEW [FILE] (`palermo reviews` "
		    "lists yours)");
	a->review = argv[optind++];
	if (optind < argc)
		a->file = argv[optind++];
	if (optind < argc)
		return cli_fail(
		    cli, EXIT_USAGE,
		    "one document per send: attach other files with --attach");
	if (a->file != NULL && strcmp(a->file, "-") == 0)
		a->file = NULL;
	if (!plm_str_valid(a->review, strlen(a->review), PLM_STR_ID) ||
	    strlen(a->review) > PLM_ENVELOPE_REVIEW_ID_MAX)
		return cli_fail(cli, EXIT_USAGE, "'%.64s' is not a review id",
		                a->review);
	if (!plm_str_valid(a->channel, strlen(a->channel), PLM_STR_NAME) ||
	    strlen(a->channel) > PLM_ENVELOPE_NAME_MAX)
		return cli_fail(cli, EXIT_USAGE, "'%.64s' is not a channel name",
		                a->channel);
	if (!plm_str_valid(a->kind, strlen(a->kind), PLM_STR_NAME) ||
	    strlen(a->kind) > PLM_ENVELOPE_NAME_MAX)
		return cli_fail(cli, EXIT_USAGE, "'%.64s' is not a kind of document",
		                a->kind);
	if (a->lang != NULL && (strlen(a->lang) != PLM_MANIFEST_LANGUAGE_BYTES ||
	                        !plm_str_valid(a->lang, strlen(a->lang), PLM_STR_LANG)))
		return cli_fail(
		    cli, EXIT_USAGE,
		    "--lang takes a two-letter language code such as en, fr, es");
	return 0;
}

/* Releases the parts: closes files, wipes text, removes unqueued sealed files. */
static void free_parts(struct part *parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (parts[i].fd >= 0)
			close(parts[i].fd);
		if (parts[i].text != NULL)
			plm_secret_free(parts[i].text);
		if (parts[i].sealed[0] != '\0' && !parts[i].queued)
			unlink(parts[i].sealed);
	}
}

/*
 * Queues every part in one transaction (attachments first, the main
 * document last, so they are sent in that order). On failure nothing is
 * queued and the files moved into outbox/ are removed.
 */
static int queue_parts(struct cli *cli, const struct send_args *a, struct part *parts,
                       size_t n, plm_error *err)
{
	char path[PATH_CAP];
	size_t i;
	int r;

	if ((r = state_begin(cli->state, err)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((r = outbox_add(cli, a->review, a->channel, parts[i].kind,
		                    parts[i].sealed, parts[i].id, err)) != 0)
			goto fail;
		parts[i].queued = 1;
	}
	if ((r = state_commit(cli->state, err)) == 0)
		return 0;
fail:
	state_rollback(cli->state);
	for (i = 0; i < n; i++) {
		if (!parts[i].queued)
			continue;
		state_path(cli->state, "outbox", parts[i].id, path, sizeof(path));
		unlink(path);
		parts[i].queued = 0;
		parts[i].sealed[0] = '\0';
	}
	return r;
}

/* Prints the ids (or the JSON answer). */
static void print_result(struct cli *cli, const struct part *parts, size_t n,
                         int queued)
{
	char hex[2 * PLM_HASH_BYTES + 1];
	json_t *doc, *list;
	size_t i;

	/* parts[n - 1] is the main document. */
	if (cli->json) {
		list = json_array();
		for (i = 0; i + 1 < n; i++) {
			plm_hex(hex, parts[i].id, PLM_HASH_BYTES);
			json_array_append_new(list, json_string(hex));
		}
		plm_hex(hex, parts[n - 1].id, PLM_HASH_BYTES);
		doc = json_pack("{s:s, s:o, s:b}", "id", hex, "attachments", list,
		                "queued", queued);
		cli_json(cli, doc);
		return;
	}
	if (cli->quiet)
		return;
	plm_hex(hex, parts[n - 1].id, PLM_HASH_BYTES);
	printf("%s\n", hex);
	for (i = 0; i + 1 < n; i++) {
		plm_hex(hex, parts[i].id, PLM_HASH_BYTES);
		printf("%s %s\n", hex, base_name(parts[i].path));
	}
}

int cmd_send(struct cli *cli, int argc, char **argv)
{
	return send_document(cli, argc, argv, NULL, NULL);
}

int send_document(struct cli *cli, int argc, char **argv, const char *field,
                  const char *value)
{
	struct send_args a;
	struct part parts[ATTACH_MAX + 1];
	struct part *main_doc;
	struct outbox_item item;
	const plm_policy *policy;
	const plm_roster_member *member;
	enum plm_policy_side side;
	plm_review *review = NULL;
	plm_manifest *manifest = NULL;
	plm_tree_head head;
	plm_seal_params params;
	unsigned char me[PLM_FPR_BYTES], reply[PLM_HASH_BYTES], *channel_key = NULL;
	char title[PLM_MANIFEST_TITLE_MAX + 1], lang[PLM_MANIFEST_LANGUAGE_BYTES + 1];
	char list[PLM_MANIFEST_VALUE_MAX + 1], hex[2 * PLM_HASH_BYTES + 1], url[1024];
	uint64_t epoch = 0, max_main, max_attach;
	unsigned sent = 0, left = 0;
	size_t n = 0, i;
	plm_error err;
	int status, r, have_head, queued;

	if ((status = parse_args(cli, argc, argv, &a)) != 0)
		return status;
	memset(parts, 0, sizeof(parts));
	for (i = 0; i < a.n_attach + 1; i++)
		parts[i].fd = -1;
	if ((status = cli_open_state(cli, 0)) != 0)
		return status;
	if ((status = cli_unlock(cli)) != 0)
		return status;
	plm_error_clear(&err);

	/* What this client verified: the review, my place in it, the rules. */
	if ((r = local_policy(cli, &policy, &err)) != 0 ||
	    (r = local_review(cli, a.review, INT64_MAX, &review, &err)) != 0)
		goto fail;
	plm_fingerprint(me, &cli->me->pub);
	if (plm_review_member(review, me, &member, &side, NULL) != 0) {
		r = plm_error_set(
		    &err, PLM_ERR_DENIED,
		    "you are not a member of review %s (as this client last "
		    "synced it); run `palermo sync` if you were just added",
		    a.review);
		goto fail;
	}
	if ((r = check_may_write(review, policy, &a, a.kind, me, &err)) != 0 ||
	    (a.n_attach > 0 &&
	     (r = check_may_write(review, policy, &a, "attachment", me, &err)) != 0) ||
	    (r = plm_policy_max_size(policy, a.kind, &max_main, &err)) != 0 ||
	    (a.n_attach > 0 &&
	     (r = plm_policy_max_size(policy, "attachment", &max_attach, &err)) != 0))
		goto fail;
	if (a.reply_to != NULL &&
	    (r = resolve_reply(cli, a.review, a.reply_to, reply, &err)) != 0)
		goto fail;
	if (a.lang != NULL)
		snprintf(lang, sizeof(lang), "%s", a.lang);
	else if (review->roster->body.roster.n_languages > 0)
		snprintf(lang, sizeof(lang), "%s",
		         review->roster->body.roster.languages[0]);
	else
		lang[0] = '\0';

	/* Every file: size, type, words - before anything is sealed. */
	for (i = 0; i < a.n_attach; i++, n++) {
		parts[n].path = a.attach[i];
		parts[n].kind = "attachment";
		if ((r = open_part(&parts[n], max_attach, &err)) != 0 ||
		    (r = attach_detect_fd(parts[n].fd, parts[n].path, parts[n].mime,
		                          sizeof(parts[n].mime), &err)) != 0 ||
		    (r = attach_check_type(policy, parts[n].path, parts[n].mime,
		                           "attach", &err)) != 0) {
			n++;
			goto fail;
		}
	}
	main_doc = &parts[n++];
	main_doc->path = a.file;
	main_doc->kind = a.kind;
	if (a.file != NULL) {
		if ((r = open_part(main_doc, max_main, &err)) != 0 ||
		    (r = attach_detect_fd(main_doc->fd, a.file, main_doc->mime,
		                          sizeof(main_doc->mime), &err)) != 0)
			goto fail;
	} else {
		if (isatty(STDIN_FILENO) && !cli->quiet)
			fprintf(stderr,
			        "Type the %s, then Ctrl-D on a line of its own:\n",
			        a.kind);
		if ((r = read_stdin(main_doc, max_main, a.kind, &err)) != 0 ||
		    (r = attach_detect_buffer(main_doc->text, (size_t)main_doc->size,
		                              NULL, main_doc->mime,
		                              sizeof(main_doc->mime), &err)) != 0)
			goto fail;
	}
	if ((r = attach_check_type(
	         policy, a.file != NULL ? a.file : "the document on standard input",
	         main_doc->mime, "send", &err)) != 0 ||
	    (r = check_words(cli, policy, main_doc, &err)) != 0)
		goto fail;

	/* Seal: attachments first, then the document that lists them. */
	if ((r = local_channel_key(cli, a.review, a.channel, 0, &channel_key, &epoch,
	                           &err)) != 0 ||
	    (r = plm_manifest_new(&manifest, &err)) != 0)
		goto fail;
	have_head = last_tree_head(cli->state, &head);
	memset(&params, 0, sizeof(params));
	params.review_id = a.review;
	params.channel = a.channel;
	params.epoch = epoch;
	params.created_at = (uint64_t)time(NULL);
	params.head = have_head ? &head : NULL;
	params.channel_key = channel_key;
	params.author = cli->me;
	params.manifest = manifest;
	list[0] = '\0';
	for (i = 0; i + 1 < n; i++) {
		params.kind = "attachment";
		params.reply_to = NULL;
		if ((r = fill_manifest(manifest, &parts[i], base_name(parts[i].path),
		                       lang, &err)) != 0 ||
		    (r = seal_part(cli, &parts[i], &params, &err)) != 0)
			goto fail;
		plm_hex(hex, parts[i].id, PLM_HASH_BYTES);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		         i ? "," : "", hex);
	}
	if (a.title != NULL)
		snprintf(title, sizeof(title), "%s", a.title);
	else if (a.file != NULL)
		snprintf(title, sizeof(title), "%s", base_name(a.file));
	else if (words_countable(main_doc->mime))
		title_from_text(main_doc->text, (size_t)main_doc->size, title,
		                sizeof(title));
	else
		title[0] = '\0';
	if ((r = fill_manifest(manifest, main_doc, title, lang, &err)) != 0 ||
	    (n > 1 &&
	     (r = plm_manifest_set_field(manifest, "attachments", list, &err)) != 0) ||
	    (field != NULL &&
	     (r = plm_manifest_set_field(manifest, field, value, &err)) != 0))
		goto fail;
	params.kind = a.kind;
	params.reply_to = a.reply_to != NULL ? reply : NULL;
	if ((r = seal_part(cli, main_doc, &params, &err)) != 0)
		goto fail;

	/* Into the outbox before any network call; then try to send. */
	if ((r = queue_parts(cli, &a, parts, n, &err)) != 0)
		goto fail;
	plm_secret_free(channel_key);
	channel_key = NULL;
	r = outbox_flush(cli, &sent, &left, &err);
	if (r != 0 && r != PLM_ERR_NET) {
		cli_fail_err(cli, &err);
		cli_warn(cli, "the document is queued; `palermo sync` will send it");
		status = EXIT_FAILURE_;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (outbox_get(cli, parts[i].id, &item, NULL) == 0 && item.refused) {
			/* outbox_flush said why; the item waits for `palermo outbox
			 * drop`. */
			status = EXIT_AUTH;
			goto out;
		}
	}
	queued = outbox_get(cli, main_doc->id, &item, NULL) == 0;
	print_result(cli, parts, n, queued);
	if (queued && !cli->quiet) {
		if (r == PLM_ERR_NET &&
		    state_get_str(cli->state, "server", url, sizeof(url), NULL) == 0)
			fprintf(stderr,
			        "queued: the server at %s cannot be reached; `palermo "
			        "sync` will "
			        "send it\n",
			        url);
		else
			fprintf(stderr, "queued: %s; `palermo sync` will send it\n",
			        item.last_error[0] ? item.last_error : "not sent yet");
	}
	status = EXIT_OK;
	goto out;
fail:
	status = cli_fail_err(cli, &err);
out:
	free_parts(parts, n);
	plm_secret_free(channel_key);
	plm_manifest_free(manifest);
	plm_review_free(review);
	return status;
}
