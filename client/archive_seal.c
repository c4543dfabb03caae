/*
 * archive_seal.c - `palermo archive seal`: one file holding everything of a
 * review that this client verified (see archive.h, PROTOCOL.md §9.3).
 *
 * Everything comes from the local state after a sync: the certificates and
 * revocations, the review's records and the envelopes in cache/ exactly as
 * the server stored them, the last tree head this client accepted and the
 * review's channel keys, opened with the sealer's own identity and checked
 * against their commitments. Only the inclusion proofs are asked of the
 * server (one per entry, against that head), and each is verified before it
 * is written. Envelopes are copied in 64 KiB chunks; what is held in memory
 * is the review's records and certificates, never a document.
 */
#include "client/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/archive_state.h"
#include "client/local.h"
#include "client/logcheck.h"
#include "client/state.h"
#include "client/sync.h"
#include "policies/policy.h"

/* One log entry to archive, with its proof. */
struct entry {
	int tag; /* PLM_ARCHIVE_DEPLOYMENT, _RECORD or _ENVELOPE */
	int64_t seq;
	unsigned char id[PLM_HASH_BYTES];
	unsigned char fpr[PLM_FPR_BYTES]; /* deployment: what it certifies or revokes */
	unsigned char *bytes;             /* records: the exact bytes (owned) */
	size_t len;
	plm_merkle_proof proof;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

/* Fingerprints whose certificates go into the archive. */
struct fprs {
	unsigned char (*v)[PLM_FPR_BYTES];
	size_t n, cap;
};

struct seal {
	struct cli *cli;
	const char *review;
	plm_tree_head head;
	struct entries deployment, review_entries;
	struct fprs wanted;
	plm_archive_writer *writer;
	size_t refused;
	plm_error *err;
};

static void entries_free(struct entries *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].bytes);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static struct entry *entries_add(struct entries *e, plm_error *err)
{
	struct entry *v;
	size_t cap;

	if (e->n == e->cap) {
		cap = e->cap ? 2 * e->cap : 32;
		if ((v = realloc(e->v, cap * sizeof(*v))) == NULL) {
			plm_error_set(err, PLM_ERR_NOMEM, "out of memory while sealing");
			return NULL;
		}
		e->v = v;
		e->cap = cap;
	}
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	return &e->v[e->n++];
}

static int fprs_has(const struct fprs *f, const unsigned char fpr[PLM_FPR_BYTES])
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (memcmp(f->v[i], fpr, PLM_FPR_BYTES) == 0)
			return 1;
	return 0;
}

static int fprs_add(struct fprs *f, const unsigned char fpr[PLM_FPR_BYTES], plm_error *err)
{
	void *v;
	size_t cap;

	if (fprs_has(f, fpr))
		return 0;
	if (f->n == f->cap) {
		cap = f->cap ? 2 * f->cap : 32;
		if ((v = realloc(f->v, cap * PLM_FPR_BYTES)) == NULL)
			return plm_error_set(err, PLM_ERR_NOMEM, "out of memory while sealing");
		f->v = v;
		f->cap = cap;
	}
	memcpy(f->v[f->n++], fpr, PLM_FPR_BYTES);
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Asks for and verifies the proof of E against the head (fills E->seq if unknown). */
static int prove(struct seal *s, struct entry *e)
{
	int kind = e->tag == PLM_ARCHIVE_ENVELOPE ? PLM_LOG_ENVELOPE : PLM_LOG_RECORD;
	int r;

	if ((r = logcheck_inclusion(s->cli->net, kind, e->id, &e->seq, &s->head, &e->proof,
	                            s->err)) != 0)
		return r;
	if (e->seq < 0 || (uint64_t)e->seq >= s->head.tree_size)
		return plm_error_set(s->err, PLM_ERR_PROOF,
		                     "an entry of the review is beyond the last log head this "
		                     "client accepted; run `palermo sync` and seal again");
	return 0;
}

/* Copies BYTES into a new entry of E (a record). */
static int add_record(struct seal *s, struct entries *e, int tag, int64_t seq,
                      const unsigned char *bytes, size_t len, const unsigned char *fpr)
{
	struct entry *x;

	if ((x = entries_add(e, s->err)) == NULL)
		return PLM_ERR_NOMEM;
	x->tag = tag;
	x->seq = seq;
	if ((x->bytes = malloc(len ? len : 1)) == NULL)
		return plm_error_set(s->err, PLM_ERR_NOMEM, "out of memory while sealing");
	memcpy(x->bytes, bytes, len);
	x->len = len;
	plm_hash(x->id, bytes, len);
	if (fpr != NULL)
		memcpy(x->fpr, fpr, PLM_FPR_BYTES);
	return 0;
}

/* state_records_each: keeps every record, and the members of every roster. */
static int collect_record(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct seal *s = ctx;
	plm_record *rec = NULL;
	uint16_t i;
	int r;

	if ((r = add_record(s, &s->review_entries, PLM_ARCHIVE_RECORD, seq, bytes, len,
	                    NULL)) != 0)
		return r;
	if ((r = plm_record_decode(bytes, len, &rec, s->err)) != 0)
		return r;
	if (rec->type == PLM_RECORD_ROSTER)
		for (i = 0; i < rec->body.roster.n_members && r == 0; i++)
			r = fprs_add(&s->wanted, rec->body.roster.members[i].fingerprint, s->err);
	if (r == 0 && rec->type != PLM_RECORD_ROSTER && rec->type != PLM_RECORD_EPOCH_KEYS)
		r = fprs_add(&s->wanted, rec->signer, s->err);
	plm_record_free(rec);
	return r;
}

/* state_envelopes_each: keeps every verified envelope. */
static int collect_envelope(void *ctx, const struct stored_envelope *env)
{
	struct seal *s = ctx;
	struct entry *x;

	if (env->status != ENVELOPE_VERIFIED) {
		s->refused++;
		return 0;
	}
	if ((x = entries_add(&s->review_entries, s->err)) == NULL)
		return PLM_ERR_NOMEM;
	x->tag = PLM_ARCHIVE_ENVELOPE;
	x->seq = env->seq;
	memcpy(x->id, env->id, PLM_HASH_BYTES);
	return fprs_add(&s->wanted, env->author, s->err);
}

/* state_deployment_each: the certificates of the wanted keys, their revocations. */
static int collect_deployment(void *ctx, int type, const unsigned char *fpr, int64_t seq,
                              const unsigned char *bytes, size_t len)
{
	struct seal *s = ctx;

	(void)type; /* both kinds are archived alike */
	if (!fprs_has(&s->wanted, fpr))
		return 0;
	return add_record(s, &s->deployment, PLM_ARCHIVE_DEPLOYMENT, seq, bytes, len, fpr);
}

/* state_records_each on epoch keys: opens and archives every channel key. */
static int write_keys(void *ctx, int64_t seq, const unsigned char *bytes, size_t len)
{
	struct seal *s = ctx;
	plm_record *rec = NULL;
	unsigned char *key = NULL;
	uint8_t i;
	int r;

	(void)seq;
	if ((r = plm_record_decode(bytes, len, &rec, s->err)) != 0)
		return r;
	for (i = 0; i < rec->body.epoch_keys.n_channels && r == 0; i++) {
		const char *name = rec->body.epoch_keys.channels[i].name;
		if ((r = plm_epoch_keys_open(rec, name, s->cli->me, &key, s->err)) != 0) {
			if (r == PLM_ERR_NOTFOUND)
				r = plm_error_set(
				    s->err, PLM_ERR_NOTFOUND,
				    "you hold no key of channel %s for epoch %" PRIu64
				    " of review %s, so the archive could not open its documents; "
				    "seal it as a secretariat member who was on that roster",
				    name, rec->body.epoch_keys.epoch, s->review);
			break;
		}
		r = plm_archive_write_channel_key(s->writer, rec->body.epoch_keys.epoch, name,
		                                  key, s->err);
		plm_secret_free(key);
		key = NULL;
	}
	plm_record_free(rec);
	return r;
}

/* Writes envelope E from cache/. */
static int write_envelope(struct seal *s, const struct entry *e)
{
	plm_error why;
	struct stat sb;
	int fd, r;

	if (state_cache_open(s->cli->state, e->id, &fd, &why) != 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		return plm_error_set(s->err, PLM_ERR_NOTFOUND,
		                     "the envelope at log index %" PRId64
		                     " is not in this client's cache (%s); run `palermo sync`",
		                     e->seq, fd >= 0 ? strerror(errno) : why.message);
	}
	r = plm_archive_write_envelope(s->writer, (uint64_t)e->seq, &e->proof, fd,
	                               (uint64_t)sb.st_size, s->err);
	close(fd);
	return r;
}

/* Reads the policy file this client runs, which must be the review's. */
static int read_policy(struct seal *s, const plm_review *state, unsigned char **bytes,
                       size_t *len)
{
	unsigned char digest[PLM_HASH_BYTES];
	char path[PATH_MAX];
	FILE *f = NULL;
	long n;
	int r;

	*bytes = NULL;
	if ((r = plm_policy_locate(path, sizeof(path), s->err)) != 0)
		return r;
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || n > (long)PLM_ARCHIVE_POLICY_MAX || fseek(f, 0, SEEK_SET) != 0 ||
	    (*bytes = malloc((size_t)n)) == NULL || fread(*bytes, 1, (size_t)n, f) != (size_t)n) {
		r = plm_error_set(s->err, PLM_ERR_IO, "cannot read the policy file %s", path);
		goto out;
	}
	*len = (size_t)n;
	plm_hash(digest, *bytes, *len);
	if (memcmp(digest, state->roster->body.roster.policy_digest, PLM_HASH_BYTES) != 0)
		r = plm_error_set(s->err, PLM_ERR_MISMATCH,
		                  "the policy file %s is not the one review %s runs under; "
		                  "set PALERMO_POLICY to the review's policy file",
		                  path, s->review);
out:
	if (f != NULL)
		fclose(f);
	if (r != 0) {
		free(*bytes);
		*bytes = NULL;
	}
	return r;
}

int archive_seal(struct cli *cli, const char *review, const char *path,
                 const unsigned char archive_pk[PLM_BOX_PK_BYTES],
                 struct archive_seal_counts *counts, plm_error *err)
{
	struct seal s;
	plm_archive_header h;
	plm_review *state = NULL;
	const plm_roster_member *me;
	enum plm_policy_side side;
	unsigned char fpr[PLM_FPR_BYTES], *policy = NULL;
	size_t i, policy_len = 0;
	int fd = -1, r, made = 0;

	memset(&s, 0, sizeof(s));
	memset(&h, 0, sizeof(h));
	s.cli = cli;
	s.review = review;
	s.err = err;
	memset(counts, 0, sizeof(*counts));
	plm_fingerprint(fpr, &cli->me->pub);
	if ((r = local_review(cli, review, INT64_MAX, &state, err)) != 0)
		goto out;
	if (plm_review_member(state, fpr, &me, &side, NULL) != 0 ||
	    side != PLM_SIDE_SECRETARIAT) {
		r = plm_error_set(err, PLM_ERR_DENIED,
		                  "only the secretariat of review %s can seal its archive, and "
		                  "you are not its secretariat member",
		                  review);
		goto out;
	}
	if ((r = logcheck_stored_head(cli->state, &s.head, err)) <= 0) {
		if (r == 0)
			r = plm_error_set(err, PLM_ERR_NOTFOUND,
			                  "this client has accepted no log head yet; run "
			                  "`palermo sync` first");
		goto out;
	}
	if ((r = read_policy(&s, state, &policy, &policy_len)) != 0)
		goto out;
	/* What goes in: the review's records and envelopes, and the certificates
	 * of the root, the log key, the sealer and everyone they name. */
	if ((r = fprs_add(&s.wanted, fpr, err)) != 0 ||
	    (r = fprs_add(&s.wanted, s.head.log_fpr, err)) != 0 ||
	    (r = local_root(cli->state, h.root, NULL, err)) != 0 ||
	    (r = fprs_add(&s.wanted, h.root, err)) != 0 ||
	    (r = state_records_each(cli->state, review, 0, collect_record, &s, err)) != 0 ||
	    (r = state_envelopes_each(cli->state, review, collect_envelope, &s, err)) != 0 ||
	    (r = state_deployment_each(cli->state, collect_deployment, &s, err)) != 0)
		goto out;
	for (i = 0; i < s.deployment.n; i++)
		if ((r = prove(&s, &s.deployment.v[i])) != 0)
			goto out;
	for (i = 0; i < s.review_entries.n; i++)
		if ((r = prove(&s, &s.review_entries.v[i])) != 0)
			goto out;
	qsort(s.deployment.v, s.deployment.n, sizeof(s.deployment.v[0]), by_seq);
	qsort(s.review_entries.v, s.review_entries.n, sizeof(s.review_entries.v[0]), by_seq);
	/* PROTOCOL.md §9.2: the root's own certificate comes first. */
	for (i = 0; i < s.deployment.n; i++)
		if (memcmp(s.deployment.v[i].fpr, h.root, PLM_FPR_BYTES) == 0 && i > 0) {
			r = plm_error_set(err, PLM_ERR_ORDER,
			                  "the root certificate is not the log's first certificate "
			                  "here; the archive format needs it first");
			goto out;
		}

	snprintf(h.review_id, sizeof(h.review_id), "%s", review);
	h.sealed_at = (uint64_t)time(NULL);
	memcpy(h.sealer, fpr, PLM_FPR_BYTES);
	memcpy(h.archive_pk, archive_pk, PLM_BOX_PK_BYTES);
	h.head = s.head;
	h.policy = policy;
	h.policy_len = policy_len;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644)) < 0) {
		r = plm_error_set(err, errno == EEXIST ? PLM_ERR_EXISTS : PLM_ERR_IO,
		                  "cannot create %s: %s%s", path, strerror(errno),
		                  errno == EEXIST ? " (palermo never overwrites an archive)" : "");
		goto out;
	}
	made = 1;
	if ((r = plm_archive_writer_new(&s.writer, fd, &h, err)) != 0)
		goto out;
	for (i = 0; i < s.deployment.n; i++)
		if ((r = plm_archive_write_record(s.writer, PLM_ARCHIVE_DEPLOYMENT,
		                                  (uint64_t)s.deployment.v[i].seq,
		                                  &s.deployment.v[i].proof, s.deployment.v[i].bytes,
		                                  s.deployment.v[i].len, err)) != 0)
			goto out;
	if ((r = state_records_each(cli->state, review, PLM_RECORD_EPOCH_KEYS, write_keys, &s,
	                            err)) != 0)
		goto out;
	for (i = 0; i < s.review_entries.n; i++) {
		const struct entry *e = &s.review_entries.v[i];
		if (e->tag == PLM_ARCHIVE_ENVELOPE) {
			r = write_envelope(&s, e);
			counts->documents++;
		} else {
			r = plm_archive_write_record(s.writer, PLM_ARCHIVE_RECORD, (uint64_t)e->seq,
			                             &e->proof, e->bytes, e->len, err);
		}
		if (r != 0)
			goto out;
	}
	if ((r = plm_archive_writer_finish(s.writer, cli->me, err)) != 0)
		goto out;
	if (fsync(fd) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s to disk: %s", path,
		                  strerror(errno));
		goto out;
	}
	counts->entries = s.deployment.n + s.review_entries.n;
	counts->refused = s.refused;
out:
	if (fd >= 0 && close(fd) != 0 && r == 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", path, strerror(errno));
	if (r != 0 && made)
		unlink(path);
	plm_archive_writer_free(s.writer);
	entries_free(&s.deployment);
	entries_free(&s.review_entries);
	free(s.wanted.v);
	free(policy);
	plm_review_free(state);
	return r;
}
