/* words.c - word limits on plaintext files (see words.h). */
#include "client/words.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "keys/crypto.h"

#define READ_CHUNK 65536

/* 1 if words can be counted in a document of type MIME. */
int words_countable(const char *mime)
{
	return strcmp(mime, "text/plain") == 0 || strcmp(mime, "text/markdown") == 0;
}

/* 1 if KIND has a word limit in POLICY. */
int words_limited(const plm_policy *policy, const char *kind)
{
	char warning[PLM_POLICY_WARNING_MAX];

	return plm_policy_check_words(policy, kind, PLM_POLICY_WORDS_MAX + 1ull,
	                              warning, NULL) != 0 ||
	       warning[0] != '\0';
}

static int is_ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/*
 * Counts the words of the text file FD as plm_word_count would over the
 * whole of it, reading a chunk at a time into secure memory: each chunk is
 * cut after its last ASCII white space, so no word or UTF-8 sequence is
 * split (a run of 64 KiB without any space counts as more than one word).
 */
int words_count_file(int fd, uint64_t *words, plm_error *err)
{
	unsigned char *buf = plm_secret_alloc(2 * READ_CHUNK);
	size_t carry = 0, cut, n;
	ssize_t got;
	int r = 0;

	*words = 0;
	if (buf == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of secure memory");
	if (lseek(fd, 0, SEEK_SET) < 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot read the document: %s",
		                  strerror(errno));
		goto out;
	}
	for (;;) {
		got = read(fd, buf + carry, READ_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = plm_error_set(err, PLM_ERR_IO,
			                  "cannot read the document: %s",
			                  strerror(errno));
			goto out;
		}
		n = carry + (size_t)got;
		if (got == 0) {
			*words += plm_word_count((const char *)buf, n);
			break;
		}
		for (cut = n; cut > 0 && !is_ascii_space(buf[cut - 1]); cut--)
			;
		if (n - cut >= READ_CHUNK)
			cut = n; /* a whole chunk without a space: count it as it is */
		*words += plm_word_count((const char *)buf, cut);
		carry = n - cut;
		memmove(buf, buf + cut, carry);
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot read the document: %s",
		                  strerror(errno));
out:
	plm_secret_free(buf);
	return r;
}
