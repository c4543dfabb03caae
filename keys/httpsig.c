/*
 * httpsig.c - request signatures (RFC 9421 profile) and Content-Digest
 * (RFC 9530) as PROTOCOL.md §8 fixes them; see httpsig.h.
 *
 * The header values are parsed by matching the one spelling the profile
 * allows, piece by piece, rather than by a general RFC 8941 parser: what a
 * general parser would tolerate (whitespace, other labels, other parameter
 * orders) is exactly what this profile refuses.
 */
#include "keys/httpsig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* PROTOCOL.md §8.3: the fixed parts of the two signature header values. */
#define LABEL "sig1"
#define COMPONENTS "(\"@method\" \"@target-uri\" \"content-digest\")"
#define ALG "ed25519"
#define PARAMS_FORMAT                                                                  \
	COMPONENTS ";created=%llu;nonce=\"%s\";keyid=\"%s\";alg=\"" ALG "\""
/* PROTOCOL.md §8.2 */
#define DIGEST_PREFIX "sha-256=:"
#define DIGEST_B64_LEN 44 /* padded base64 of 32 bytes */
#define SIG_B64_LEN 88    /* padded base64 of 64 bytes */

/* A read position in a header value that is not NUL-terminated at END. */
struct cursor {
	const char *p;
	const char *end;
};

/* Consumes the literal LIT if the value continues with it; 1 if it did. */
static int take(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_lower_hex(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f');
}

static int is_hex(int ch)
{
	return is_lower_hex(ch) || (ch >= 'A' && ch <= 'F');
}

static int is_alpha(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* Nonce characters: the base64url alphabet (PROTOCOL.md §8.3). */
static int is_nonce_char(int ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '_' || ch == '-';
}

/* RFC 3986 §2.3 unreserved and §2.2 sub-delims. */
static int is_unreserved(int ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '.' || ch == '_' ||
	       ch == '~';
}

static int is_sub_delim(int ch)
{
	return ch != '\0' && strchr("!$&'()*+,;=", ch) != NULL;
}

static int nonce_valid(const char *s, size_t len)
{
	size_t i;

	if (len < PLM_HTTPSIG_NONCE_MIN || len > PLM_HTTPSIG_NONCE_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_nonce_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Decodes B64 (B64_LEN characters of padded standard base64, RFC 4648 §4)
 * into BIN (capacity BIN_MAX), the length into *BIN_LEN. Returns -1 unless
 * the text is exactly the canonical encoding of the bytes it decodes to
 * (no whitespace, right padding, zero pad bits), so that one value has one
 * spelling.
 */
static int base64_decode_strict(unsigned char *bin, size_t bin_max, const char *b64,
                                size_t b64_len, size_t *bin_len)
{
	char again[PLM_HTTPSIG_HEADER_MAX + 4];

	*bin_len = 0;
	if (b64_len > PLM_HTTPSIG_HEADER_MAX)
		return -1;
	if (sodium_base642bin(bin, bin_max, b64, b64_len, NULL, bin_len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (sodium_base64_ENCODED_LEN(*bin_len, sodium_base64_VARIANT_ORIGINAL) >
	    sizeof(again))
		return -1;
	sodium_bin2base64(again, sizeof(again), bin, *bin_len,
	                  sodium_base64_VARIANT_ORIGINAL);
	if (strlen(again) != b64_len || memcmp(again, b64, b64_len) != 0)
		return -1;
	return 0;
}

/* ---- Content-Digest (PROTOCOL.md §8.2) ---- */

void plm_content_digest_init(plm_content_digest_state *st)
{
	plm_sha256_init(&st->sha256);
}

void plm_content_digest_update(plm_content_digest_state *st, const void *data,
                               size_t len)
{
	if (len == 0)
		return;
	plm_sha256_update(&st->sha256, data, len);
}

void plm_content_digest_final(plm_content_digest_state *st,
                              unsigned char sha256[PLM_SHA256_BYTES],
                              char value[PLM_CONTENT_DIGEST_BYTES])
{
	unsigned char digest[PLM_SHA256_BYTES];

	plm_sha256_final(&st->sha256, digest);
	if (sha256 != NULL)
		memcpy(sha256, digest, PLM_SHA256_BYTES);
	if (value != NULL)
		plm_content_digest_format(digest, value);
}

void plm_content_digest(const void *body, size_t len,
                        char value[PLM_CONTENT_DIGEST_BYTES])
{
	plm_content_digest_state st;

	plm_content_digest_init(&st);
	plm_content_digest_update(&st, body, len);
	plm_content_digest_final(&st, NULL, value);
}

void plm_content_digest_format(const unsigned char sha256[PLM_SHA256_BYTES],
                               char value[PLM_CONTENT_DIGEST_BYTES])
{
	size_t n = strlen(DIGEST_PREFIX);

	memcpy(value, DIGEST_PREFIX, n);
	sodium_bin2base64(value + n, DIGEST_B64_LEN + 1, sha256, PLM_SHA256_BYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
	value[n + DIGEST_B64_LEN] = ':';
	value[n + DIGEST_B64_LEN + 1] = '\0';
}

/*
 * The strict parse behind plm_content_digest_parse; BAD is the code for a
 * value of the wrong form (PLM_ERR_FORMAT for received headers,
 * PLM_ERR_INVALID for a signer's own argument).
 */
static int digest_parse(const char *value, unsigned char sha256[PLM_SHA256_BYTES],
                        int bad, plm_error *err)
{
	size_t len = strlen(value), plen = strlen(DIGEST_PREFIX), got;
	unsigned char bin[PLM_HTTPSIG_HEADER_MAX];

	memset(sha256, 0, PLM_SHA256_BYTES);
	if (len > PLM_HTTPSIG_HEADER_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "the Content-Digest header is %zu bytes long; at "
		                     "most %d are accepted",
		                     len, PLM_HTTPSIG_HEADER_MAX);
	if (len < plen || memcmp(value, DIGEST_PREFIX, plen) != 0)
		return plm_error_set(err, bad,
		                     "the Content-Digest header must be exactly one "
		                     "sha-256 digest, written sha-256=:<base64>:");
	if (len != plen + DIGEST_B64_LEN + 1 || value[len - 1] != ':' ||
	    base64_decode_strict(bin, sizeof(bin), value + plen, DIGEST_B64_LEN,
	                         &got) != 0 ||
	    got != PLM_SHA256_BYTES)
		return plm_error_set(
		    err, bad,
		    "the Content-Digest header's sha-256 value must be "
		    "the 32-byte digest in padded base64 between two "
		    "colons, and nothing after it");
	memcpy(sha256, bin, PLM_SHA256_BYTES);
	return 0;
}

int plm_content_digest_parse(const char *value, unsigned char sha256[PLM_SHA256_BYTES],
                             plm_error *err)
{
	if (value == NULL || sha256 == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no Content-Digest value was given to parse");
	return digest_parse(value, sha256, PLM_ERR_FORMAT, err);
}

int plm_content_digest_check(const char *value,
                             const unsigned char sha256[PLM_SHA256_BYTES],
                             plm_error *err)
{
	unsigned char claimed[PLM_SHA256_BYTES];
	int r;

	if (sha256 == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no body digest was given to check");
	if ((r = plm_content_digest_parse(value, claimed, err)) != 0)
		goto out;
	if (sodium_memcmp(claimed, sha256, PLM_SHA256_BYTES) != 0)
		r = plm_error_set(
		    err, PLM_ERR_DIGEST,
		    "the request body does not match its Content-Digest "
		    "header: the body was changed or cut short on the way");
out:
	return r;
}

/* ---- request values (PROTOCOL.md §8.4) ---- */

/* @method: 1 to PLM_HTTPSIG_METHOD_MAX upper-case letters. */
static int check_method(const char *method, int bad, plm_error *err)
{
	size_t i, len = strlen(method);

	for (i = 0; i < len; i++)
		if (method[i] < 'A' || method[i] > 'Z')
			break;
	if (len == 0 || len > PLM_HTTPSIG_METHOD_MAX || i != len)
		return plm_error_set(err, bad,
		                     "the request method must be 1 to %d upper-case "
		                     "letters",
		                     PLM_HTTPSIG_METHOD_MAX);
	return 0;
}

/*
 * @target-uri: "http" or "https", "://", a non-empty authority, then a path
 * starting with "/" and an optional query, only in RFC 3986 characters
 * (percent signs followed by two hex digits), no fragment.
 */
static int check_target_uri(const char *uri, int bad, plm_error *err)
{
	size_t len = strlen(uri), i, start;
	int in_authority = 1;

	if (len > PLM_HTTPSIG_URI_MAX)
		return plm_error_set(
		    err, PLM_ERR_LIMIT,
		    "the request URL is %zu bytes long; at most %d are "
		    "accepted",
		    len, PLM_HTTPSIG_URI_MAX);
	if (strncmp(uri, "https://", 8) == 0)
		start = 8;
	else if (strncmp(uri, "http://", 7) == 0)
		start = 7;
	else
		return plm_error_set(err, bad,
		                     "the request URL must start with https:// or "
		                     "http://");
	for (i = start; i < len; i++) {
		int ch = (unsigned char)uri[i];

		if (in_authority && ch == '/') {
			if (i == start)
				break;
			in_authority = 0;
			continue;
		}
		if (ch == '%') {
			if (i + 2 >= len || !is_hex((unsigned char)uri[i + 1]) ||
			    !is_hex((unsigned char)uri[i + 2]))
				break;
			i += 2;
			continue;
		}
		if (is_unreserved(ch) || is_sub_delim(ch) || ch == ':' || ch == '@')
			continue;
		if (in_authority && (ch == '[' || ch == ']'))
			continue;
		if (!in_authority && (ch == '/' || ch == '?'))
			continue;
		break;
	}
	if (i != len || in_authority)
		return plm_error_set(err, bad,
		                     "the request URL must be scheme://authority/path "
		                     "with an optional ?query, in URL characters only "
		                     "(RFC 3986), without a fragment");
	return 0;
}

/* ---- serialization (PROTOCOL.md §8.3) ---- */

/*
 * Writes the @signature-params value (the Signature-Input without "sig1=")
 * into OUT (capacity OUTSIZE, at least 224: the longest value and a NUL).
 */
static int write_params(const plm_httpsig *sig, char *out, size_t outsize,
                        plm_error *err)
{
	char keyid[2 * PLM_FPR_BYTES + 1];
	int n;

	out[0] = '\0';
	if (sig->created > PLM_HTTPSIG_CREATED_MAX)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the signature's creation time %llu has more than "
		                     "12 digits",
		                     (unsigned long long)sig->created);
	if (memchr(sig->nonce, '\0', sizeof(sig->nonce)) == NULL ||
	    !nonce_valid(sig->nonce, strlen(sig->nonce)))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "a request nonce must be %d to %d characters from "
		                     "A-Z, a-z, 0-9, '_' and '-'",
		                     PLM_HTTPSIG_NONCE_MIN, PLM_HTTPSIG_NONCE_MAX);
	plm_hex(keyid, sig->keyid, PLM_FPR_BYTES);
	n = snprintf(out, outsize, PARAMS_FORMAT, (unsigned long long)sig->created,
	             sig->nonce, keyid);
	if (n < 0 || (size_t)n >= outsize) {
		out[0] = '\0';
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "the signature parameters do not fit their buffer");
	}
	return 0;
}

int plm_httpsig_serialize(const plm_httpsig *sig, char sig_input[PLM_HTTPSIG_INPUT_MAX],
                          char signature[PLM_HTTPSIG_SIG_MAX], plm_error *err)
{
	char b64[SIG_B64_LEN + 1];
	size_t label = strlen(LABEL "=");
	int r = 0;

	if (sig == NULL || sig_input == NULL || signature == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "nothing to serialize a request signature into");
	sig_input[0] = '\0';
	signature[0] = '\0';
	memcpy(sig_input, LABEL "=", label);
	if ((r = write_params(sig, sig_input + label, PLM_HTTPSIG_INPUT_MAX - label,
	                      err)) != 0)
		goto out;
	sodium_bin2base64(b64, sizeof(b64), sig->signature, PLM_SIG_BYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(signature, PLM_HTTPSIG_SIG_MAX, LABEL "=:%s:", b64);
out:
	if (r != 0)
		sig_input[0] = '\0';
	return r;
}

/* ---- parsing (PROTOCOL.md §8.3, §8.5) ---- */

/* Consumes ";NAME=" or fails naming the parameter that is out of place. */
static int take_param(struct cursor *c, const char *name, plm_error *err)
{
	if (take(c, ";") && take(c, name) && take(c, "="))
		return 0;
	return plm_error_set(err, PLM_ERR_FORMAT,
	                     "the Signature-Input parameters must be exactly "
	                     "created, nonce, keyid and alg, in that order, each "
	                     "written ;name=value; the %s parameter is missing or "
	                     "out of place",
	                     name);
}

/* Parses the Signature-Input value S into OUT's created, nonce and keyid. */
static int parse_sig_input(const char *s, plm_httpsig *out, plm_error *err)
{
	size_t len = strlen(s), n;
	struct cursor c = {s, s + len};
	const char *start;
	size_t hexlen = 0;
	int quoted, r = 0;

	if (len > PLM_HTTPSIG_HEADER_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "the Signature-Input header is %zu bytes long; at "
		                     "most %d are accepted",
		                     len, PLM_HTTPSIG_HEADER_MAX);
	if (!take(&c, LABEL "="))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the Signature-Input header must hold exactly one "
		                     "signature, labelled sig1 (it must start with "
		                     "\"sig1=\")");
	if (!take(&c, COMPONENTS))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the Signature-Input header must cover exactly "
		                     "the components (\"@method\" \"@target-uri\" "
		                     "\"content-digest\"), in that order, separated by "
		                     "single spaces");

	if ((r = take_param(&c, "created", err)) != 0)
		goto out;
	for (start = c.p; c.p < c.end && is_digit((unsigned char)*c.p); c.p++)
		;
	n = (size_t)(c.p - start);
	if (n == 0 || n > 12 || (n > 1 && start[0] == '0')) {
		r = plm_error_set(err, PLM_ERR_FORMAT,
		                  "the created parameter must be the signing time in "
		                  "unix seconds: 1 to 12 digits, no sign, no leading "
		                  "zero");
		goto out;
	}
	for (; start < c.p; start++)
		out->created = out->created * 10 + (uint64_t)(*start - '0');

	if ((r = take_param(&c, "nonce", err)) != 0)
		goto out;
	quoted = take(&c, "\"");
	for (start = c.p; quoted && c.p < c.end && is_nonce_char((unsigned char)*c.p);)
		c.p++;
	n = (size_t)(c.p - start);
	if (!quoted || !take(&c, "\"") || n < PLM_HTTPSIG_NONCE_MIN ||
	    n > PLM_HTTPSIG_NONCE_MAX) {
		r = plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the nonce parameter must be a quoted string of %d to "
		    "%d characters from A-Z, a-z, 0-9, '_' and '-'",
		    PLM_HTTPSIG_NONCE_MIN, PLM_HTTPSIG_NONCE_MAX);
		goto out;
	}
	memcpy(out->nonce, start, n);
	out->nonce[n] = '\0';

	if ((r = take_param(&c, "keyid", err)) != 0)
		goto out;
	quoted = take(&c, "\"");
	for (start = c.p; quoted && c.p < c.end && is_lower_hex((unsigned char)*c.p);)
		c.p++;
	n = (size_t)(c.p - start);
	if (quoted && take(&c, "\"") && n == 2 * PLM_FPR_BYTES)
		r = sodium_hex2bin(out->keyid, PLM_FPR_BYTES, start, n, NULL, &hexlen,
		                   NULL);
	else
		r = -1;
	if (r != 0 || hexlen != PLM_FPR_BYTES) {
		r = plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the keyid parameter must be the signer's fingerprint "
		    "as a quoted string of 64 lower-case hex digits");
		goto out;
	}

	if ((r = take_param(&c, "alg", err)) != 0)
		goto out;
	if (!take(&c, "\"" ALG "\"")) {
		r = plm_error_set(err, PLM_ERR_FORMAT,
		                  "the alg parameter must be \"ed25519\", the only "
		                  "signature algorithm Palermo accepts");
		goto out;
	}

	if (c.p == c.end)
		goto out;
	if (*c.p == ',')
		r = plm_error_set(err, PLM_ERR_FORMAT,
		                  "the Signature-Input header holds more than one "
		                  "signature; a Palermo request carries exactly one, "
		                  "labelled sig1");
	else if (*c.p == ';')
		r = plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the Signature-Input header has a parameter after alg; "
		    "the parameters must be exactly created, nonce, keyid "
		    "and alg");
	else
		r = plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the Signature-Input header has unexpected characters "
		    "after the alg parameter");
out:
	return r;
}

/* Parses the Signature value S into OUT->signature. */
static int parse_signature(const char *s, plm_httpsig *out, plm_error *err)
{
	size_t len = strlen(s), got;
	struct cursor c = {s, s + len};
	const char *colon;
	unsigned char bin[PLM_HTTPSIG_HEADER_MAX];
	int r;

	if (len > PLM_HTTPSIG_HEADER_MAX)
		return plm_error_set(
		    err, PLM_ERR_LIMIT,
		    "the Signature header is %zu bytes long; at most %d "
		    "are accepted",
		    len, PLM_HTTPSIG_HEADER_MAX);
	if (!take(&c, LABEL "="))
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the Signature header must hold exactly one "
		                     "signature, labelled sig1 (it must start with "
		                     "\"sig1=\")");
	if (!take(&c, ":") || (colon = memchr(c.p, ':', (size_t)(c.end - c.p))) == NULL)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the Signature header's value must be a byte "
		                     "sequence, :<base64>:");
	if (colon + 1 != c.end) {
		if (colon[1] == ',')
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "the Signature header holds more than one "
			    "signature; a Palermo request carries exactly "
			    "one, labelled sig1");
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the Signature header has unexpected characters "
		                     "after the signature");
	}
	r = base64_decode_strict(bin, sizeof(bin), c.p, (size_t)(colon - c.p), &got);
	if (r != 0)
		return plm_error_set(err, PLM_ERR_FORMAT,
		                     "the signature in the Signature header is not "
		                     "padded standard base64 (RFC 4648 §4) without "
		                     "whitespace");
	if (got != PLM_SIG_BYTES)
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "the signature in the Signature header is %zu bytes "
		    "long once decoded; an Ed25519 signature is exactly "
		    "%d bytes",
		    got, PLM_SIG_BYTES);
	memcpy(out->signature, bin, PLM_SIG_BYTES);
	return 0;
}

int plm_httpsig_parse(const char *sig_input, const char *signature, plm_httpsig *out,
                      plm_error *err)
{
	int r;

	if (out == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "nothing to parse a request signature into");
	memset(out, 0, sizeof(*out));
	if (sig_input == NULL || signature == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "a signed request needs both the Signature-Input and "
		                  "the Signature header");
		goto out;
	}
	if ((r = parse_sig_input(sig_input, out, err)) != 0)
		goto out;
	r = parse_signature(signature, out, err);
out:
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

/* ---- signature base, signing, verifying (PROTOCOL.md §8.4, §8.5) ---- */

/*
 * Builds the signature base into BASE; BAD is the code for request values of
 * the wrong form (PLM_ERR_INVALID when signing, PLM_ERR_FORMAT otherwise).
 */
static int build_base(const plm_httpsig *sig, const char *method,
                      const char *target_uri, const char *content_digest, int bad,
                      char base[PLM_HTTPSIG_BASE_MAX], size_t *base_len, plm_error *err)
{
	char params[PLM_HTTPSIG_INPUT_MAX];
	unsigned char sha256[PLM_SHA256_BYTES];
	int n, r;

	base[0] = '\0';
	*base_len = 0;
	if ((r = check_method(method, bad, err)) != 0)
		goto out;
	if ((r = check_target_uri(target_uri, bad, err)) != 0)
		goto out;
	if ((r = digest_parse(content_digest, sha256, bad, err)) != 0)
		goto out;
	if ((r = write_params(sig, params, sizeof(params), err)) != 0)
		goto out;
	n = snprintf(base, PLM_HTTPSIG_BASE_MAX,
	             "\"@method\": %s\n"
	             "\"@target-uri\": %s\n"
	             "\"content-digest\": %s\n"
	             "\"@signature-params\": %s",
	             method, target_uri, content_digest, params);
	if (n < 0 || n >= PLM_HTTPSIG_BASE_MAX) {
		base[0] = '\0';
		r = plm_error_set(err, PLM_ERR_LIMIT,
		                  "the request's signature base is too long");
		goto out;
	}
	*base_len = (size_t)n;
out:
	return r;
}

int plm_httpsig_base(const plm_httpsig *sig, const char *method, const char *target_uri,
                     const char *content_digest, char base[PLM_HTTPSIG_BASE_MAX],
                     size_t *base_len, plm_error *err)
{
	if (sig == NULL || method == NULL || target_uri == NULL ||
	    content_digest == NULL || base == NULL || base_len == NULL)
		return plm_error_set(
		    err, PLM_ERR_INVALID,
		    "a signature base needs the signature, the method, "
		    "the URL and the Content-Digest");
	return build_base(sig, method, target_uri, content_digest, PLM_ERR_FORMAT, base,
	                  base_len, err);
}

int plm_httpsig_sign(const char *method, const char *target_uri,
                     const char *content_digest, uint64_t created, const char *nonce,
                     const plm_identity *id, char sig_input[PLM_HTTPSIG_INPUT_MAX],
                     char signature[PLM_HTTPSIG_SIG_MAX], plm_error *err)
{
	plm_httpsig sig;
	unsigned char random[PLM_HTTPSIG_NONCE_RANDOM_BYTES];
	char base[PLM_HTTPSIG_BASE_MAX];
	size_t base_len;
	int r;

	memset(&sig, 0, sizeof(sig));
	if (sig_input == NULL || signature == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "nothing to write the request signature into");
	sig_input[0] = '\0';
	signature[0] = '\0';
	if (method == NULL || target_uri == NULL || content_digest == NULL ||
	    id == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "signing a request needs the method, the URL, the "
		                  "Content-Digest and an identity");
		goto out;
	}
	if ((r = plm_init(err)) != 0)
		goto out;
	if (created > PLM_HTTPSIG_CREATED_MAX) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "the signing time %llu has more than 12 digits",
		                  (unsigned long long)created);
		goto out;
	}
	sig.created = created;
	if (nonce == NULL) {
		randombytes_buf(random, sizeof(random));
		sodium_bin2base64(sig.nonce, sizeof(sig.nonce), random, sizeof(random),
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	} else if (nonce_valid(nonce, strlen(nonce))) {
		memcpy(sig.nonce, nonce, strlen(nonce) + 1);
	} else {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "a request nonce must be %d to %d characters from "
		                  "A-Z, a-z, 0-9, '_' and '-'",
		                  PLM_HTTPSIG_NONCE_MIN, PLM_HTTPSIG_NONCE_MAX);
		goto out;
	}
	plm_fingerprint(sig.keyid, &id->pub);
	if ((r = build_base(&sig, method, target_uri, content_digest, PLM_ERR_INVALID,
	                    base, &base_len, err)) != 0)
		goto out;
	/* RFC 9421 §3.3.6: Ed25519 over the base itself, no prefix (§8.4). */
	if (crypto_sign_detached(sig.signature, NULL, (const unsigned char *)base,
	                         base_len, id->sign_sk) != 0) {
		r = plm_error_set(err, PLM_ERR_CRYPTO, "Ed25519 signing failed");
		goto out;
	}
	r = plm_httpsig_serialize(&sig, sig_input, signature, err);
out:
	if (r != 0) {
		sig_input[0] = '\0';
		signature[0] = '\0';
	}
	return r;
}

int plm_httpsig_verify(const plm_httpsig *sig, const char *method,
                       const char *target_uri, const char *content_digest,
                       const unsigned char sign_pk[PLM_SIGN_PK_BYTES], plm_error *err)
{
	char base[PLM_HTTPSIG_BASE_MAX];
	size_t base_len;
	int r;

	if (sig == NULL || method == NULL || target_uri == NULL ||
	    content_digest == NULL || sign_pk == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "verifying a request needs the signature, the "
		                     "method, the URL, the Content-Digest and a key");
	if ((r = plm_init(err)) != 0)
		goto out;
	if ((r = build_base(sig, method, target_uri, content_digest, PLM_ERR_FORMAT,
	                    base, &base_len, err)) != 0)
		goto out;
	if (crypto_sign_verify_detached(sig->signature, (const unsigned char *)base,
	                                base_len, sign_pk) != 0)
		r = plm_error_set(err, PLM_ERR_SIGNATURE,
		                  "the request signature does not verify: the method, "
		                  "URL, Content-Digest or signature parameters were "
		                  "changed after signing, or another key signed it");
out:
	return r;
}

/* "2026-01-01 12:00:00 UTC" for T, or the bare number if it is out of range. */
static void format_time(char out[40], uint64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t > PLM_HTTPSIG_CREATED_MAX || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 40, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 40, "unix time %llu", (unsigned long long)t);
}

int plm_httpsig_check_time(const plm_httpsig *sig, uint64_t now,
                           uint64_t window_seconds, plm_error *err)
{
	char signed_at[40], server_now[40];
	uint64_t skew;

	if (sig == NULL)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "no request signature to check the time of");
	skew = sig->created > now ? sig->created - now : now - sig->created;
	if (skew <= window_seconds)
		return 0;
	format_time(signed_at, sig->created);
	format_time(server_now, now);
	return plm_error_set(err, PLM_ERR_MISMATCH,
	                     "the request was signed at %s, more than %llu seconds "
	                     "from the server's clock (%s); check your computer's "
	                     "clock",
	                     signed_at, (unsigned long long)window_seconds, server_now);
}
