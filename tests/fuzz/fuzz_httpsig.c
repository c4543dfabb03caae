/*
 * fuzz_httpsig.c - the strict request-signature parsers (PROTOCOL.md §8)
 * never crash, and whatever they accept has exactly one spelling.
 *
 * The input is split at its first NUL: the bytes before are the
 * Signature-Input value, the bytes after (up to a second NUL) the Signature
 * value. Anything plm_httpsig_parse accepts must re-serialize to the
 * identical two values; the first part is also fed to the Content-Digest
 * parser, whose accepted values must re-format identically. Accepted
 * signatures then go through base building and verification, which must
 * fail cleanly (the fuzzer cannot forge Ed25519).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys/httpsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char sign_pk[PLM_SIGN_PK_BYTES] = {1};
	char *copy, *input, *signature;
	char input2[PLM_HTTPSIG_INPUT_MAX], signature2[PLM_HTTPSIG_SIG_MAX];
	char digest2[PLM_CONTENT_DIGEST_BYTES];
	unsigned char sha256[PLM_SHA256_BYTES];
	plm_httpsig sig;
	plm_error err;
	char *nul;

	/* Two NUL-terminated strings: the copy has room for both terminators. */
	copy = malloc(size + 2);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	copy[size + 1] = '\0';
	input = copy;
	nul = memchr(copy, '\0', size + 1);
	signature = nul + 1;

	if (plm_content_digest_parse(input, sha256, &err) == 0) {
		plm_content_digest_format(sha256, digest2);
		if (strcmp(digest2, input) != 0)
			abort();
		if (plm_content_digest_check(input, sha256, &err) != 0)
			abort();
	}

	if (plm_httpsig_parse(input, signature, &sig, &err) == 0) {
		if (plm_httpsig_serialize(&sig, input2, signature2, &err) != 0)
			abort();
		if (strcmp(input2, input) != 0 || strcmp(signature2, signature) != 0)
			abort();
		if (plm_httpsig_verify(
		        &sig, "POST", "https://relay.example.org/v1/x",
		        "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:",
		        sign_pk, &err) == 0)
			abort();
		plm_httpsig_check_time(&sig, 1767268800, 300, &err);
	}
	free(copy);
	return 0;
}
