/*
 * test_envelope_pipeline.c - the pipelined seal and open (keys/envelope_pipe.c):
 * with the same randomness the seal writes exactly the bytes of the
 * one-thread seal, at every size around a chunk boundary and over several
 * MiB, from a file and from a pipe; the open gives back the same content
 * and id either way; and an error on either side of either pipeline (input
 * too short or too long, a read error, a write error at once or half way,
 * a damaged frame early or last, a truncated envelope) comes back with the
 * code and sentence of the one-thread path, the second thread stopped.
 *
 * The randomness (document key, document id, secretstream header) comes
 * from a deterministic randombytes implementation installed before
 * sodium_init, reset before each seal: two seals of the same content are
 * then comparable byte for byte.
 */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "keys/envelope.h"

#define CHUNK PLM_ENVELOPE_CHUNK_BYTES

/* ---- deterministic randomness ----------------------------------------- */

static unsigned char rng_seed[randombytes_SEEDBYTES];
static uint64_t rng_calls;

/* Each call draws from a ChaCha20 stream keyed by the seed and a counter. */
static void rng_buf(void *const buf, const size_t size)
{
	unsigned char seed[randombytes_SEEDBYTES];

	memcpy(seed, rng_seed, sizeof(seed));
	memcpy(seed, &rng_calls, sizeof(rng_calls));
	rng_calls++;
	randombytes_buf_deterministic(buf, size, seed);
}

static uint32_t rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return v;
}

static const char *rng_name(void)
{
	return "test-deterministic";
}

static const struct randombytes_implementation rng_impl = {rng_name, rng_random, NULL,
                                                           NULL,     rng_buf,    NULL};

static void rng_reset(void)
{
	rng_calls = 0;
}

/* ---- helpers ------------------------------------------------------------ */

static plm_identity *author;
static unsigned char channel_key[PLM_KEY_BYTES];
static plm_manifest *manifest;
static plm_seal_params params;

static void fixtures_free(void)
{
	plm_identity_free(author);
	plm_manifest_free(manifest);
}

static void fixtures(uint64_t size)
{
	if (author == NULL) {
		if ((author = fixture_identity(1)) == NULL ||
		    plm_manifest_new(&manifest, NULL) != 0)
			abort();
		memset(channel_key, 0x5a, sizeof(channel_key));
		snprintf(manifest->title, sizeof(manifest->title), "Legislation");
		snprintf(manifest->file_name, sizeof(manifest->file_name), "laws.tar");
		snprintf(manifest->mime, sizeof(manifest->mime), "application/x-tar");
		atexit(fixtures_free);
	}
	manifest->size = size;
	memset(&params, 0, sizeof(params));
	params.review_id = "rev-2026-ita";
	params.channel = "review";
	params.epoch = 2;
	params.kind = "attachment";
	params.created_at = 1767225600;
	params.channel_key = channel_key;
	params.author = author;
	params.manifest = manifest;
}

/* LEN bytes of content that differ from chunk to chunk; caller frees. */
static unsigned char *content_make(size_t len)
{
	unsigned char *c = malloc(len + 1);
	size_t i;

	if (c == NULL)
		abort();
	for (i = 0; i < len; i++)
		c[i] = (unsigned char)(i * 2654435761u >> 13);
	return c;
}

static void file_write(const char *path, const unsigned char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;
	ssize_t k;

	if (fd < 0)
		abort();
	while (done < len) {
		if ((k = write(fd, data + done, len - done)) <= 0)
			abort();
		done += (size_t)k;
	}
	close(fd);
}

/* The bytes of PATH (malloc, caller frees) and their count in *LEN. */
static unsigned char *file_read(const char *path, size_t *len)
{
	unsigned char *b = NULL, *nb;
	size_t cap = 0;
	ssize_t k;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		abort();
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(b, cap)) == NULL)
				abort();
			b = nb;
		}
		if ((k = read(fd, b + *len, cap - *len)) <= 0)
			break;
		*len += (size_t)k;
	}
	close(fd);
	return b;
}

/*
 * Seals the file IN_PATH in MODE with the randomness reset, into OUT_PATH.
 * Returns the seal's status; the envelope id in ID.
 */
static int seal_file(const char *in_path, const char *out_path, plm_envelope_mode mode,
                     unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	int in_fd = open(in_path, O_RDONLY);
	int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int r;

	if (in_fd < 0 || out_fd < 0)
		abort();
	rng_reset();
	r = plm_envelope_seal_mode(in_fd, out_fd, &params, mode, id, err);
	close(in_fd);
	close(out_fd);
	return r;
}

static int keys_cb(void *ctx, const plm_envelope_header *h, plm_pubkeys *pub,
                   unsigned char doc_key[PLM_KEY_BYTES], plm_error *err)
{
	(void)ctx;
	*pub = author->pub;
	return plm_envelope_unwrap_key(h, channel_key, doc_key, err);
}

/* Opens ENV_PATH in MODE into OUT_PATH (NULL: verify only); status, ERR, ID. */
static int open_file(const char *env_path, const char *out_path, plm_envelope_mode mode,
                     unsigned char id[PLM_HASH_BYTES], plm_error *err)
{
	int fd = open(env_path, O_RDONLY), r;

	if (fd < 0)
		abort();
	plm_error_clear(err);
	r = plm_envelope_open_mode(fd, out_path, keys_cb, NULL, NULL, NULL, mode, id,
	                           err);
	close(fd);
	return r;
}

/* ---- same bytes --------------------------------------------------------- */

/*
 * Seals SIZE bytes serially, pipelined and in AUTO mode: the three
 * envelopes and ids must be identical, and the envelope must open.
 */
static void same_bytes(size_t size)
{
	unsigned char *content = content_make(size), *a = NULL, *b = NULL, *c = NULL;
	unsigned char id_a[PLM_HASH_BYTES], id_b[PLM_HASH_BYTES], id_c[PLM_HASH_BYTES];
	unsigned char id_v[PLM_HASH_BYTES];
	const char *in = fixture_path("content"), *out = fixture_path("envelope");
	size_t a_len, b_len, c_len;
	plm_error err;
	int r;

	fixtures(size);
	file_write(in, content, size);
	free(content);
	CHECK_INT(seal_file(in, out, PLM_ENVELOPE_SERIAL, id_a, &err), 0);
	a = file_read(out, &a_len);
	r = seal_file(in, out, PLM_ENVELOPE_PIPELINED, id_b, &err);
	b = file_read(out, &b_len);
	if (r == 0)
		r = seal_file(in, out, PLM_ENVELOPE_AUTO, id_c, &err);
	c = file_read(out, &c_len);
	if (r == 0)
		r = open_file(out, NULL, PLM_ENVELOPE_SERIAL, id_v, &err);
	unlink(in);
	unlink(out);
	if (r == 0 && (a_len != b_len || a_len != c_len || memcmp(a, b, a_len) != 0 ||
	               memcmp(a, c, a_len) != 0))
		r = 900;
	free(a);
	free(b);
	free(c);
	CHECK_INT(r, 0);
	CHECK(a_len > size + PLM_ENVELOPE_TRAILER_BYTES);
	CHECK_MEM(id_a, id_b, PLM_HASH_BYTES);
	CHECK_MEM(id_a, id_c, PLM_HASH_BYTES);
	CHECK_MEM(id_a, id_v, PLM_HASH_BYTES);
}

static void test_same_bytes_0(void)
{
	same_bytes(0);
}

static void test_same_bytes_1(void)
{
	same_bytes(1);
}

static void test_same_bytes_chunk_minus_1(void)
{
	same_bytes(CHUNK - 1);
}

static void test_same_bytes_chunk(void)
{
	same_bytes(CHUNK);
}

static void test_same_bytes_chunk_plus_1(void)
{
	same_bytes(CHUNK + 1);
}

/* Exactly where AUTO starts pipelining, and just below. */
static void test_same_bytes_auto_threshold(void)
{
	same_bytes(4 * CHUNK - 1);
	if (!check_failed())
		same_bytes(4 * CHUNK);
}

/* Several MiB: many trips around the ring of frame buffers. */
static void test_same_bytes_several_mib(void)
{
	same_bytes(5 * 1024 * 1024 + 12345);
}

/*
 * From a pipe, where reads come back short: pipelined gives the bytes of
 * the serial seal of the same content from a file.
 */
static void test_same_bytes_from_pipe(void)
{
	size_t size = 3 * CHUNK + 77, a_len, b_len;
	unsigned char *content = content_make(size), *a, *b;
	unsigned char id_a[PLM_HASH_BYTES], id_b[PLM_HASH_BYTES];
	const char *in = fixture_path("content"), *out = fixture_path("envelope");
	plm_error err;
	int fds[2], out_fd, status, r;
	pid_t pid;

	fixtures(size);
	file_write(in, content, size);
	CHECK_INT(seal_file(in, out, PLM_ENVELOPE_SERIAL, id_a, &err), 0);
	a = file_read(out, &a_len);
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		abort();
	if (pid == 0) {
		size_t done = 0;

		close(fds[0]);
		free(a);
		while (done < size) {
			size_t n = size - done < 1000 ? size - done : 1000;
			if (write(fds[1], content + done, n) != (ssize_t)n)
				break;
			done += n;
		}
		free(content);
		_exit(done == size ? 0 : 1);
	}
	close(fds[1]);
	out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	rng_reset();
	r = plm_envelope_seal_mode(fds[0], out_fd, &params, PLM_ENVELOPE_PIPELINED,
	                           id_b, &err);
	close(fds[0]);
	close(out_fd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		r = 902;
	b = file_read(out, &b_len);
	free(content);
	unlink(in);
	unlink(out);
	if (r == 0 && (a_len != b_len || memcmp(a, b, a_len) != 0))
		r = 900;
	free(a);
	free(b);
	CHECK_INT(r, 0);
	CHECK_MEM(id_a, id_b, PLM_HASH_BYTES);
}

/* ---- errors ------------------------------------------------------------- */

/*
 * Writes FILE_SIZE bytes of content, opens them with IN_FLAGS and seals
 * them pipelined into OUT_PATH, the manifest saying MANIFEST_SIZE bytes,
 * with files limited to FILE_LIMIT bytes during the seal (0: no limit).
 * Returns the status, the sentence in ERR; checks that no id is handed out.
 */
static int seal_fails_limited(size_t file_size, uint64_t manifest_size, int in_flags,
                              const char *out_path, rlim_t file_limit, plm_error *err)
{
	unsigned char id[PLM_HASH_BYTES], zero[PLM_HASH_BYTES] = {0};
	unsigned char *content = content_make(file_size);
	const char *in = fixture_path("content");
	struct rlimit old, lim;
	int in_fd, out_fd, r;

	file_write(in, content, file_size);
	free(content);
	in_fd = open(in, in_flags);
	out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in_fd < 0 || out_fd < 0)
		abort();
	fixtures(manifest_size);
	rng_reset();
	plm_error_clear(err);
	if (getrlimit(RLIMIT_FSIZE, &old) != 0)
		abort();
	if (file_limit > 0) {
		/* Writing past it fails with EFBIG instead of killing us. */
		signal(SIGXFSZ, SIG_IGN);
		lim = old;
		lim.rlim_cur = file_limit;
		if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
			abort();
	}
	r = plm_envelope_seal_mode(in_fd, out_fd, &params, PLM_ENVELOPE_PIPELINED, id,
	                           err);
	if (setrlimit(RLIMIT_FSIZE, &old) != 0)
		abort();
	signal(SIGXFSZ, SIG_DFL);
	close(in_fd);
	close(out_fd);
	unlink(in);
	if (r != 0 && sodium_memcmp(id, zero, sizeof(id)) != 0)
		return 901; /* an id handed out for a failed seal */
	return r;
}

static int seal_fails(size_t file_size, uint64_t manifest_size, int in_flags,
                      const char *out_path, plm_error *err)
{
	return seal_fails_limited(file_size, manifest_size, in_flags, out_path, 0, err);
}

/* The input ends before the manifest's size, after many frames in flight. */
static void test_error_input_short(void)
{
	plm_error err;

	CHECK_INT(
	    seal_fails(2097152, 2097153, O_RDONLY, fixture_path("envelope"), &err),
	    PLM_ERR_MISMATCH);
	CHECK(strstr(err.message, "the document has 2097152 bytes but its manifest "
	                          "says 2097153") != NULL);
}

/* The input goes on past the manifest's size. */
static void test_error_input_long(void)
{
	plm_error err;

	CHECK_INT(
	    seal_fails(1048577, 1048576, O_RDONLY, fixture_path("envelope"), &err),
	    PLM_ERR_MISMATCH);
	CHECK(strstr(err.message, "longer than the 1048576 bytes") != NULL);
}

/* Reading fails (a descriptor open only for writing). */
static void test_error_read(void)
{
	plm_error err;

	CHECK_INT(seal_fails(1, 1048576, O_WRONLY, fixture_path("envelope"), &err),
	          PLM_ERR_IO);
	CHECK(strstr(err.message, "reading the document failed") != NULL);
}

/* Writing fails at the first byte: a full disk. */
static void test_error_write_at_once(void)
{
	plm_error err;

	CHECK_INT(seal_fails(1048576, 1048576, O_RDONLY, "/dev/full", &err),
	          PLM_ERR_IO);
	CHECK(strstr(err.message, "writing the envelope failed") != NULL);
}

/*
 * Writing fails half way, with frames being hashed on the other thread:
 * the file size limit stops the output after 300,000 bytes.
 */
static void test_error_write_half_way(void)
{
	const char *out = fixture_path("envelope");
	struct stat st;
	plm_error err;

	CHECK_INT(seal_fails_limited(3 * 1024 * 1024, 3 * 1024 * 1024, O_RDONLY, out,
	                             300000, &err),
	          PLM_ERR_IO);
	CHECK(strstr(err.message, "writing the envelope failed") != NULL);
	CHECK(stat(out, &st) == 0);
	CHECK(st.st_size > 0 && st.st_size <= 300000);
}

/* ---- open ----------------------------------------------------------------- */

/*
 * Opens SEALED (an envelope of CONTENT, SIZE bytes, id ID) in both modes:
 * the same status, sentence, id and content either way, and no output left
 * after a failure. Returns the status of the pipelined open, or 903-905
 * when the two differ; ERR_OUT gets the pipelined open's sentence.
 */
static int open_compare(const char *sealed, const unsigned char *content, size_t size,
                        const unsigned char id[PLM_HASH_BYTES], plm_error *err_out)
{
	const char *out_a = fixture_path("plain.serial"),
	           *out_b = fixture_path("plain.pipelined");
	unsigned char id_a[PLM_HASH_BYTES], id_b[PLM_HASH_BYTES], *a, *b;
	size_t a_len = 0, b_len = 0;
	plm_error err_a, err_b;
	int ra, rb;

	ra = open_file(sealed, out_a, PLM_ENVELOPE_SERIAL, id_a, &err_a);
	rb = open_file(sealed, out_b, PLM_ENVELOPE_PIPELINED, id_b, &err_b);
	if (ra != rb || (ra != 0 && strcmp(err_a.message, err_b.message) != 0)) {
		printf("# serial %d \"%s\", pipelined %d \"%s\"\n", ra, err_a.message,
		       rb, err_b.message);
		rb = 903;
	} else if (ra == 0) {
		a = file_read(out_a, &a_len);
		b = file_read(out_b, &b_len);
		if (a_len != size || b_len != size || memcmp(a, content, size) != 0 ||
		    memcmp(b, content, size) != 0 ||
		    memcmp(id_a, id, PLM_HASH_BYTES) != 0 ||
		    memcmp(id_b, id, PLM_HASH_BYTES) != 0)
			rb = 904;
		free(a);
		free(b);
	} else if (access(out_a, F_OK) == 0 || access(out_b, F_OK) == 0) {
		rb = 905; /* a failed open left its output behind */
	}
	unlink(out_a);
	unlink(out_b);
	*err_out = err_b;
	return rb;
}

/*
 * Seals SIZE bytes into SEALED, then flips the byte DAMAGE bytes before the
 * end (or, with CUT, cuts DAMAGE bytes off). Returns the content (caller
 * frees); the envelope id in ID.
 */
static unsigned char *seal_damaged(const char *sealed, size_t size, size_t damage,
                                   int cut, unsigned char id[PLM_HASH_BYTES])
{
	unsigned char *content = content_make(size), *env;
	const char *in = fixture_path("content");
	size_t env_len;
	plm_error err;

	fixtures(size);
	file_write(in, content, size);
	if (seal_file(in, sealed, PLM_ENVELOPE_SERIAL, id, &err) != 0)
		abort();
	unlink(in);
	if (damage > 0) {
		env = file_read(sealed, &env_len);
		if (cut)
			env_len -= damage;
		else
			env[env_len - damage] ^= 0x01;
		file_write(sealed, env, env_len);
		free(env);
	}
	return content;
}

/* seal_damaged then open_compare; returns open_compare's status. */
static int open_both(size_t size, size_t damage, int cut, plm_error *err)
{
	unsigned char id[PLM_HASH_BYTES];
	const char *sealed = fixture_path("envelope");
	unsigned char *content = seal_damaged(sealed, size, damage, cut, id);
	int r = open_compare(sealed, content, size, id, err);

	free(content);
	unlink(sealed);
	return r;
}

static void test_open_same_content(void)
{
	static const size_t sizes[] = {0,         1,         CHUNK - 1,          CHUNK,
	                               CHUNK + 1, 4 * CHUNK, 3 * 1024 * 1024 + 5};
	plm_error err;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK_INT(open_both(sizes[i], 0, 0, &err), 0);
}

/* A frame damaged early: the decrypting thread fails while the reader runs on. */
static void test_open_error_early_frame(void)
{
	size_t size = 3 * 1024 * 1024;
	plm_error err;

	/* Frame 3 of 48: far from the end. */
	CHECK_INT(open_both(size, size - 2 * CHUNK, 0, &err), PLM_ERR_DECRYPT);
	CHECK(strstr(err.message, "failed authentication") != NULL);
}

/*
 * The last content frame damaged: the reader meets the wrong digest while
 * the decrypting thread fails on that frame; the frame's error comes first.
 */
static void test_open_error_last_frame(void)
{
	plm_error err;

	CHECK_INT(
	    open_both(2 * 1024 * 1024 + 7, PLM_ENVELOPE_TRAILER_BYTES + 8 + 3, 0, &err),
	    PLM_ERR_DECRYPT);
	CHECK(strstr(err.message, "failed authentication") != NULL);
}

/* A truncated envelope: the reader fails, the decrypting thread did not. */
static void test_open_error_truncated(void)
{
	plm_error err;

	CHECK_INT(open_both(1024 * 1024, 50, 1, &err), PLM_ERR_TRUNCATED);
}

/* Writing the plaintext fails half way, on the decrypting thread. */
static void test_open_error_write(void)
{
	unsigned char id[PLM_HASH_BYTES], *content;
	const char *sealed = fixture_path("envelope");
	size_t size = 3 * 1024 * 1024;
	struct rlimit old, lim;
	plm_error err;
	int r;

	content = seal_damaged(sealed, size, 0, 0, id);
	signal(SIGXFSZ, SIG_IGN);
	if (getrlimit(RLIMIT_FSIZE, &old) != 0)
		abort();
	lim = old;
	lim.rlim_cur = 300000;
	if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
		abort();
	r = open_compare(sealed, content, size, id, &err);
	if (setrlimit(RLIMIT_FSIZE, &old) != 0)
		abort();
	signal(SIGXFSZ, SIG_DFL);
	free(content);
	unlink(sealed);
	CHECK_INT(r, PLM_ERR_IO);
	CHECK(strstr(err.message, "writing the decrypted document failed") != NULL);
}

/*
 * Two failures: the output stops at 300,000 bytes, the input at 1 MiB of
 * the 2 MiB the manifest says. The write failure concerns earlier bytes,
 * so it is the error, as with one thread.
 */
static void test_error_write_before_mismatch(void)
{
	plm_error err;

	CHECK_INT(seal_fails_limited(1024 * 1024, 2 * 1024 * 1024, O_RDONLY,
	                             fixture_path("envelope"), 300000, &err),
	          PLM_ERR_IO);
	CHECK(strstr(err.message, "writing the envelope failed") != NULL);
}

static const struct check_case cases[] = {
    CHECK_CASE(test_same_bytes_0),
    CHECK_CASE(test_same_bytes_1),
    CHECK_CASE(test_same_bytes_chunk_minus_1),
    CHECK_CASE(test_same_bytes_chunk),
    CHECK_CASE(test_same_bytes_chunk_plus_1),
    CHECK_CASE(test_same_bytes_auto_threshold),
    CHECK_CASE(test_same_bytes_several_mib),
    CHECK_CASE(test_same_bytes_from_pipe),
    CHECK_CASE(test_error_input_short),
    CHECK_CASE(test_error_input_long),
    CHECK_CASE(test_error_read),
    CHECK_CASE(test_error_write_at_once),
    CHECK_CASE(test_error_write_half_way),
    CHECK_CASE(test_error_write_before_mismatch),
    CHECK_CASE(test_open_same_content),
    CHECK_CASE(test_open_error_early_frame),
    CHECK_CASE(test_open_error_last_frame),
    CHECK_CASE(test_open_error_truncated),
    CHECK_CASE(test_open_error_write),
};

int main(int argc, char **argv)
{
	/* Before sodium_init, which plm_init calls. */
	memset(rng_seed, 0x42, sizeof(rng_seed));
	if (randombytes_set_implementation(
	        (struct randombytes_implementation *)&rng_impl) != 0)
		abort();
	return check_main("test_envelope_pipeline", cases,
	                  sizeof(cases) / sizeof(cases[0]), argc, argv);
}
