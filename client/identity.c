/* identity.c - what the identity commands share (see identity.h). */
#define _GNU_SOURCE
#include "client/identity.h"

#include "keys/codec.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/local.h"

void identity_keystore_path(const struct cli *cli, char *out, size_t cap)
{
	snprintf(out, cap, "%s/identity.key", cli->home);
}

int identity_exists(const struct cli *cli)
{
	char path[4200];
	struct stat sb;

	identity_keystore_path(cli, path, sizeof(path));
	return lstat(path, &sb) == 0;
}

int identity_parse_kdf(const char *text, plm_kdf_limits *out, plm_error *err)
{
	if (strcmp(text, "moderate") == 0) {
		*out = PLM_KDF_MODERATE;
		return 0;
	}
	/* WARNING: far cheaper to guess; for tests and low-memory machines. */
	if (strcmp(text, "interactive") == 0) {
		*out = PLM_KDF_INTERACTIVE;
		return 0;
	}
	return plm_error_set(err, PLM_ERR_INVALID,
	                     "--kdf must be moderate (the default) or interactive (for "
	                     "tests and low-memory machines), not '%s'",
	                     text);
}

int identity_create(struct cli *cli, plm_kdf_limits limits, plm_identity **out,
                    plm_error *err)
{
	unsigned char *pass = NULL;
	plm_identity *id = NULL;
	char path[4200];
	size_t len = 0;
	int r;

	*out = NULL;
	identity_keystore_path(cli, path, sizeof(path));
	if (identity_exists(cli))
		return plm_error_set(
		    err, PLM_ERR_EXISTS,
		    "there is already an identity in %s; palermo never "
		    "replaces one (use another --home, or PALERMO_HOME)",
		    cli->home);
	if ((r = plm_identity_generate(&id, err)) != 0 ||
	    (r = cli_passphrase(cli, "Choose a passphrase for your keys: ", 1, &pass,
	                        &len, err)) != 0)
		goto out;
	if ((r = plm_keystore_create(path, id, pass, len, limits, err)) != 0)
		goto out;
	*out = id;
	id = NULL;
out:
	plm_secret_free(pass);
	plm_identity_free(id);
	return r;
}

int identity_fetch_root(struct transport *t, const unsigned char *trust,
                        plm_record **out, plm_error *err)
{
	char have[PLM_FPR_TEXT_BYTES], want[PLM_FPR_TEXT_BYTES],
	    why[PLM_ERROR_MESSAGE_MAX];
	unsigned char fpr[PLM_FPR_BYTES];
	struct response resp;
	plm_record *root = NULL;
	int r;

	*out = NULL;
	if ((r = transport_request(t, "GET", "/v1/root", NULL, 0, &resp, err)) != 0)
		return r;
	if ((r = transport_check(&resp, "send its root certificate", err)) != 0)
		goto out;
	/* PROTOCOL.md §5.1, §5.2: a root certificate is signed by its own keys. */
	if ((r = plm_record_decode(resp.body, resp.len, &root, err)) != 0 ||
	    (r = plm_record_expect_type(root, PLM_RECORD_CERTIFICATE, err)) != 0)
		goto refuse;
	plm_certificate_fingerprint(fpr, &root->body.certificate);
	if (root->body.certificate.usage != PLM_USAGE_ROOT) {
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "the certificate is not a root's");
		goto refuse;
	}
	if ((r = plm_record_verify_signer(root, &root->body.certificate.keys, err)) !=
	    0)
		goto refuse;
	if (trust != NULL && sodium_memcmp(fpr, trust, PLM_FPR_BYTES) != 0) {
		plm_fingerprint_format(have, fpr);
		plm_fingerprint_format(want, trust);
		r = plm_error_set(err, PLM_ERR_MISMATCH,
		                  "the server's root is %s, not the %s you were given; "
		                  "stop and check the fingerprint with the secretariat",
		                  have, want);
		goto out;
	}
	*out = root;
	root = NULL;
	goto out;
refuse:
	snprintf(why, sizeof(why), "%s", err != NULL ? err->message : plm_strerror(r));
	plm_error_set(err, r,
	              "the server's root certificate does not verify (%s); do not "
	              "use this server",
	              why);
out:
	plm_record_free(root);
	response_free(&resp);
	return r;
}

int identity_pin(struct state *st, const char *url, const plm_record *root,
                 plm_error *err)
{
	unsigned char fpr[PLM_FPR_BYTES], pinned[PLM_FPR_BYTES];
	size_t len = 0;
	int r;

	plm_certificate_fingerprint(fpr, &root->body.certificate);
	if (state_get(st, "root", pinned, sizeof(pinned), &len, NULL) == 0 &&
	    (len != PLM_FPR_BYTES || sodium_memcmp(pinned, fpr, PLM_FPR_BYTES) != 0))
		return plm_error_set(err, PLM_ERR_MISMATCH,
		                     "this home is pinned to another root already; use "
		                     "another --home for another deployment");
	if ((r = state_begin(st, err)) != 0)
		return r;
	if ((r = state_set_str(st, "server", url, err)) != 0 ||
	    (r = state_set(st, "root", fpr, PLM_FPR_BYTES, err)) != 0 ||
	    (r = local_store_deployment_record(st, root, -1, err)) != 0 ||
	    (r = state_commit(st, err)) != 0) {
		state_rollback(st);
		return r;
	}
	return 0;
}

void identity_print_fingerprint(FILE *f, const unsigned char fpr[PLM_FPR_BYTES],
                                const char *first, const char *rest)
{
	char text[PLM_FPR_TEXT_BYTES];

	/* 16 groups of "xxxx " : the first eight take 40 characters. */
	plm_fingerprint_format(text, fpr);
	fprintf(f, "%s%.39s\n%s%s\n", first, text, rest, text + 40);
}

void identity_format_time(uint64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, cap, "%llu", (unsigned long long)t);
}

json_t *identity_json_hex(const unsigned char *bytes, size_t len)
{
	char *hex = malloc(2 * len + 1);
	json_t *j;

	if (hex == NULL)
		return NULL;
	plm_hex(hex, bytes, len);
	j = json_string(hex);
	free(hex);
	return j;
}

json_t *identity_json_groups(const unsigned char fpr[PLM_FPR_BYTES])
{
	char text[PLM_FPR_TEXT_BYTES];

	plm_fingerprint_format(text, fpr);
	return json_string(text);
}

int identity_base64_decode(const char *text, unsigned char **out, size_t *len,
                           plm_error *err)
{
	return plm_base64_decode(out, len, text, PLM_RECORD_MAX_BYTES, err);
}

json_t *identity_json_base64(const unsigned char *bytes, size_t len)
{
	char *b64;
	json_t *j;

	if (plm_base64_encode(&b64, bytes, len, NULL) != 0)
		return NULL;
	j = json_string(b64);
	free(b64);
	return j;
}

static const char *const usage_names[] = {NULL, "member", "secretariat", "log", "root"};

const char *identity_usage_name(int usage)
{
	if (usage >= PLM_USAGE_MEMBER && usage <= PLM_USAGE_ROOT)
		return usage_names[usage];
	return "unknown";
}

int identity_usage_parse(const char *text, uint8_t *usage, plm_error *err)
{
	if (strcmp(text, "member") == 0)
		*usage = PLM_USAGE_MEMBER;
	else if (strcmp(text, "secretariat") == 0)
		*usage = PLM_USAGE_SECRETARIAT;
	else
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "--usage must be member or secretariat, not '%s'",
		                     text);
	return 0;
}

int identity_fetch_keys(struct cli *cli, const unsigned char fpr[PLM_FPR_BYTES],
                        enum identity_keys *out, plm_error *err)
{
	char path[128], hex[2 * PLM_FPR_BYTES + 1];
	unsigned char subject[PLM_FPR_BYTES], root[PLM_FPR_BYTES];
	struct transport *t = NULL;
	plm_record *rec = NULL;
	plm_pubkeys root_keys;
	struct response resp;
	int r, type;

	*out = IDENTITY_KEYS_UNKNOWN;
	memset(&resp, 0, sizeof(resp));
	if ((r = local_root(cli->state, root, &root_keys, err)) != 0 ||
	    (r = transport_new(cli->state, NULL, &t, err)) != 0)
		goto out;
	plm_hex(hex, fpr, PLM_FPR_BYTES);
	snprintf(path, sizeof(path), "/v1/enrollments/%s", hex);
	if ((r = transport_request(t, "GET", path, NULL, 0, &resp, err)) != 0)
		goto out;
	if (resp.status == 202) {
		*out = IDENTITY_KEYS_PENDING;
		goto out;
	}
	if (resp.status == 404)
		goto out;
	if (resp.status != 410 &&
	    (r = transport_check(&resp, "say what became of your keys", err)) != 0)
		goto out;
	type = resp.status == 410 ? PLM_RECORD_REVOCATION : PLM_RECORD_CERTIFICATE;
	/* PROTOCOL.md §5.2, §5.3: signed by the pinned root, about these keys. */
	if ((r = plm_record_decode(resp.body, resp.len, &rec, err)) != 0 ||
	    (r = plm_record_expect_type(rec, type, err)) != 0 ||
	    (r = plm_record_verify_signer(rec, &root_keys, err)) != 0) {
		r = plm_error_set(
		    err, r,
		    "the server sent a %s that the pinned root did not sign; it "
		    "is not kept",
		    plm_record_type_name(type));
		goto out;
	}
	if (type == PLM_RECORD_CERTIFICATE)
		plm_certificate_fingerprint(subject, &rec->body.certificate);
	else
		memcpy(subject, rec->body.revocation.revoked, PLM_FPR_BYTES);
	if (memcmp(subject, fpr, PLM_FPR_BYTES) != 0) {
		r = plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "the server sent a %s about other keys; it is not kept",
		    plm_record_type_name(type));
		goto out;
	}
	if ((r = local_store_deployment_record(cli->state, rec, -1, err)) == 0)
		*out = type == PLM_RECORD_REVOCATION ? IDENTITY_KEYS_REVOKED
		                                     : IDENTITY_KEYS_CERTIFIED;
out:
	response_free(&resp);
	plm_record_free(rec);
	transport_free(t);
	return r;
}
