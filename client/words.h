/*
 * words.h - the policy's word limits (kinds.K.words) on a document's
 * plaintext, shared by the writer (`palermo send`, before sealing) and the
 * reader (`palermo get`, after decrypting): the server cannot count the
 * words of what it cannot read, so every member checks them.
 */
#ifndef PALERMO_WORDS_H
#define PALERMO_WORDS_H

#include <stdint.h>

#include "policies/policy.h"

/* 1 if KIND has a word limit in POLICY. */
int words_limited(const plm_policy *policy, const char *kind);

/* 1 if words can be counted in a document of type MIME (plain text, Markdown). */
int words_countable(const char *mime);

/*
 * Counts the words of the text file FD as plm_word_count would over the
 * whole of it, reading a chunk at a time into secure memory, from the
 * start; FD is left at its start again. PLM_ERR_IO, PLM_ERR_NOMEM.
 */
int words_count_file(int fd, uint64_t *words, plm_error *err);

#endif
