/* bundle.c - the public disclosure's signature bundle (see bundle.h). */
#include "keys/bundle.h"

#include <stdlib.h>
#include <string.h>

#include "keys/codec.h"

#define MAGIC_BYTES 8

void plm_bundle_free(plm_bundle *bundle)
{
	size_t i;

	if (bundle == NULL)
		return;
	plm_record_free(bundle->root);
	for (i = 0; i < bundle->n_certs; i++)
		plm_record_free(bundle->certs[i]);
	for (i = 0; i < bundle->n_rosters; i++)
		plm_record_free(bundle->rosters[i]);
	free(bundle->rosters);
	plm_record_free(bundle->disclosure);
	free(bundle);
}

int plm_bundle_prefix_len(const unsigned char head[PLM_BUNDLE_HEAD_BYTES],
                          size_t *prefix_len, plm_error *err)
{
	uint32_t records_len;
	plm_rbuf r;

	*prefix_len = 0;
	if (memcmp(head, PLM_BUNDLE_MAGIC, MAGIC_BYTES) != 0)
		return plm_error_set(
		    err, PLM_ERR_FORMAT,
		    "bundle: not a Palermo signature bundle (it does not "
		    "start with %s)",
		    PLM_BUNDLE_MAGIC);
	if (head[MAGIC_BYTES] != PLM_BUNDLE_VERSION)
		return plm_error_set(err, PLM_ERR_VERSION,
		                     "bundle: version %u is not known here (only %d)",
		                     head[MAGIC_BYTES], PLM_BUNDLE_VERSION);
	plm_rbuf_init(&r, head + MAGIC_BYTES + 1, 4, "bundle", err);
	plm_rbuf_u32(&r, "records_len", &records_len);
	if (records_len < 2 || records_len > PLM_BUNDLE_RECORDS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "bundle: records_len %u is outside 2..%u",
		                     records_len, PLM_BUNDLE_RECORDS_MAX);
	*prefix_len = PLM_BUNDLE_HEAD_BYTES + (size_t)records_len + 8;
	return 0;
}

/* The role a record plays at place I (of N) of a bundle, by the rules of §10. */
enum slot { SLOT_ROOT, SLOT_CERT, SLOT_ROSTER, SLOT_DISCLOSURE };

/* Puts REC into B at its place; PLM_ERR_FORMAT if the order is wrong. */
static int place(plm_bundle *b, plm_record *rec, size_t i, size_t n, plm_error *err)
{
	plm_record **more;

	if (i == 0) {
		if (rec->type != PLM_RECORD_CERTIFICATE ||
		    rec->body.certificate.usage != PLM_USAGE_ROOT)
			return plm_error_set(
			    err, PLM_ERR_FORMAT,
			    "bundle: record 0 must be the root certificate");
		b->root = rec;
		return 0;
	}
	if (i == n - 1) {
		if (rec->type != PLM_RECORD_DISCLOSURE ||
		    rec->body.disclosure.scope != PLM_DISCLOSE_PUBLIC)
			return plm_error_set(err, PLM_ERR_FORMAT,
			                     "bundle: the last record must be a public "
			                     "disclosure");
		b->disclosure = rec;
		return 0;
	}
	if (rec->type == PLM_RECORD_CERTIFICATE && b->n_rosters == 0) {
		if (b->n_certs == PLM_BUNDLE_CERTS_MAX)
			return plm_error_set(err, PLM_ERR_LIMIT,
			                     "bundle: at most %d certificates",
			                     PLM_BUNDLE_CERTS_MAX);
		b->certs[b->n_certs++] = rec;
		return 0;
	}
	if (rec->type == PLM_RECORD_ROSTER && b->n_certs > 0) {
		more = realloc(b->rosters, (b->n_rosters + 1) * sizeof(*more));
		if (more == NULL)
			return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		b->rosters = more;
		b->rosters[b->n_rosters++] = rec;
		return 0;
	}
	return plm_error_set(err, PLM_ERR_FORMAT,
	                     "bundle: record %zu (a %s) is out of place: the order is "
	                     "root certificate, certificates, rosters, disclosure",
	                     i, plm_record_type_name(rec->type));
}

int plm_bundle_decode(const unsigned char *in, size_t len, uint64_t file_size,
                      plm_bundle **out, plm_error *err)
{
	const unsigned char *bytes;
	plm_bundle *b = NULL;
	plm_record *rec = NULL;
	size_t prefix, i;
	uint32_t records_len, rec_len;
	uint16_t n;
	plm_rbuf r, rr;
	int rc;

	*out = NULL;
	if (len < PLM_BUNDLE_HEAD_BYTES)
		return plm_error_set(err, PLM_ERR_TRUNCATED,
		                     "bundle: %zu bytes are too few for a bundle", len);
	if ((rc = plm_bundle_prefix_len(in, &prefix, err)) != 0)
		return rc;
	if (len < prefix || file_size < prefix)
		return plm_error_set(err, PLM_ERR_TRUNCATED,
		                     "bundle: the file ends inside its records");
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	records_len = (uint32_t)(prefix - PLM_BUNDLE_HEAD_BYTES - 8);
	plm_rbuf_init(&r, in + PLM_BUNDLE_HEAD_BYTES, records_len, "bundle", err);
	if (plm_rbuf_u16(&r, "n_records", &n) != 0) {
		rc = r.status;
		goto out;
	}
	if (n < 4 || n > 1 + PLM_BUNDLE_CERTS_MAX + PLM_BUNDLE_ROSTERS_MAX + 1) {
		rc = plm_error_set(err, PLM_ERR_LIMIT,
		                   "bundle: %u records is outside 4..%d", n,
		                   2 + PLM_BUNDLE_CERTS_MAX + PLM_BUNDLE_ROSTERS_MAX);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (plm_rbuf_u32(&r, "record_len", &rec_len) != 0 ||
		    plm_rbuf_view(&r, "record", rec_len, &bytes) != 0) {
			rc = r.status;
			goto out;
		}
		if ((rc = plm_record_decode(bytes, rec_len, &rec, err)) != 0)
			goto out;
		if ((rc = place(b, rec, i, n, err)) != 0) {
			plm_record_free(rec);
			goto out;
		}
	}
	if (plm_rbuf_left(&r) != 0) {
		rc = plm_error_set(err, PLM_ERR_TRAILING,
		                   "bundle: %zu bytes follow the last record",
		                   plm_rbuf_left(&r));
		goto out;
	}
	if (b->n_certs == 0 || b->n_rosters == 0) {
		rc =
		    plm_error_set(err, PLM_ERR_FORMAT,
		                  "bundle: at least one certificate and one roster are "
		                  "needed");
		goto out;
	}
	plm_rbuf_init(&rr, in + prefix - 8, 8, "bundle", err);
	plm_rbuf_u64(&rr, "envelope_len", &b->envelope_len);
	b->envelope_offset = prefix;
	if (b->envelope_len != file_size - prefix) {
		rc = plm_error_set(err,
		                   b->envelope_len > file_size - prefix
		                       ? PLM_ERR_TRUNCATED
		                       : PLM_ERR_TRAILING,
		                   "bundle: it announces an envelope of %llu bytes but "
		                   "%llu follow",
		                   (unsigned long long)b->envelope_len,
		                   (unsigned long long)(file_size - prefix));
		goto out;
	}
	*out = b;
	b = NULL;
	rc = 0;
out:
	plm_bundle_free(b);
	return rc;
}

int plm_bundle_encode_prefix(plm_record *const *records, size_t n,
                             uint64_t envelope_len, unsigned char **out, size_t *outlen,
                             plm_error *err)
{
	plm_bundle *check = NULL;
	unsigned char len_bytes[4];
	size_t i, records_len = 2;
	plm_wbuf b;
	int r;

	*out = NULL;
	*outlen = 0;
	for (i = 0; i < n; i++)
		records_len += 4 + records[i]->encoding_len;
	if (n > UINT16_MAX || records_len > PLM_BUNDLE_RECORDS_MAX)
		return plm_error_set(err, PLM_ERR_LIMIT, "bundle: too many records");
	plm_wbuf_init(&b, PLM_BUNDLE_HEAD_BYTES + records_len + 8, "bundle", err);
	plm_wbuf_put(&b, PLM_BUNDLE_MAGIC, MAGIC_BYTES);
	plm_wbuf_u8(&b, PLM_BUNDLE_VERSION);
	plm_wbuf_u32(&b, (uint32_t)records_len);
	plm_wbuf_u16(&b, (uint16_t)n);
	for (i = 0; i < n; i++) {
		plm_store_u32(len_bytes, (uint32_t)records[i]->encoding_len);
		plm_wbuf_put(&b, len_bytes, 4);
		plm_wbuf_put(&b, records[i]->encoding, records[i]->encoding_len);
	}
	plm_wbuf_u64(&b, envelope_len);
	if ((r = plm_wbuf_finish(&b, out, outlen)) != 0)
		return r;
	if ((r = plm_bundle_decode(*out, *outlen, *outlen + envelope_len, &check,
	                           err)) != 0) {
		free(*out);
		*out = NULL;
		*outlen = 0;
	}
	plm_bundle_free(check);
	return r;
}
