/* error.c - status codes and error reports (see error.h). */
#include "keys/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct error_text {
	int code;
	const char *name;
	const char *sentence;
};

static const struct error_text error_texts[] = {
    {PLM_OK, "ok", "success"},
    {PLM_ERR_INVALID, "invalid", "invalid argument"},
    {PLM_ERR_NOMEM, "nomem", "out of memory"},
    {PLM_ERR_IO, "io", "input/output error"},
    {PLM_ERR_FORMAT, "format", "malformed encoding"},
    {PLM_ERR_VERSION, "version", "unsupported format version"},
    {PLM_ERR_TRAILING, "trailing", "unexpected bytes after the end of an object"},
    {PLM_ERR_LIMIT, "limit", "a length or count is over its limit"},
    {PLM_ERR_SIGNATURE, "signature", "signature verification failed"},
    {PLM_ERR_DIGEST, "digest", "content digest mismatch"},
    {PLM_ERR_TRUNCATED, "truncated", "input is truncated"},
    {PLM_ERR_ORDER, "order", "chunks are out of order"},
    {PLM_ERR_NO_FINAL, "no-final", "stream ended without a final chunk"},
    {PLM_ERR_DECRYPT, "decrypt", "ciphertext failed authentication"},
    {PLM_ERR_KEY, "key", "key could not be unwrapped (wrong key)"},
    {PLM_ERR_COMMITMENT, "commitment", "key does not match its commitment"},
    {PLM_ERR_PASSPHRASE, "passphrase", "wrong passphrase"},
    {PLM_ERR_CORRUPT, "corrupt", "stored data is damaged"},
    {PLM_ERR_EXISTS, "exists", "file already exists"},
    {PLM_ERR_PROOF, "proof", "Merkle proof does not verify"},
    {PLM_ERR_CRYPTO, "crypto", "cryptographic library failure"},
    {PLM_ERR_TYPE, "type", "object is of the wrong type"},
    {PLM_ERR_NOTFOUND, "notfound", "not found"},
    {PLM_ERR_MISMATCH, "mismatch", "values that must agree differ"},
    {PLM_ERR_POLICY, "policy", "forbidden by policy"},
    {PLM_ERR_NET, "network", "the server could not be reached"},
    {PLM_ERR_DENIED, "denied", "the server refused the request"},
};

static const struct error_text *error_lookup(int code)
{
	size_t i;

	for (i = 0; i < sizeof(error_texts) / sizeof(error_texts[0]); i++)
		if (error_texts[i].code == code)
			return &error_texts[i];
	return NULL;
}

int plm_error_set(plm_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void plm_error_clear(plm_error *err)
{
	if (err == NULL)
		return;
	err->code = PLM_OK;
	err->message[0] = '\0';
}

const char *plm_error_name(int code)
{
	const struct error_text *t = error_lookup(code);

	return t != NULL ? t->name : "unknown";
}

const char *plm_strerror(int code)
{
	const struct error_text *t = error_lookup(code);

	return t != NULL ? t->sentence : "unknown error";
}
