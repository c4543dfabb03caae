/*
 * state_archive.c - the SQL of `palermo archive seal` (client/archive.h):
 * the verified certificates and revocations with their log indexes, read
 * back to be archived exactly as stored.
 */
#include "client/archive_state.h"

#include "client/state_impl.h"

int state_deployment_each(struct state *st,
                          int (*fn)(void *ctx, int type, const unsigned char *fpr,
                                    int64_t seq, const unsigned char *bytes, size_t len),
                          void *ctx, plm_error *err)
{
	static const char *const sql[2] = {
	    "SELECT fpr, seq, bytes FROM certificates ORDER BY seq",
	    "SELECT fpr, seq, bytes FROM revocations ORDER BY seq",
	};
	static const int types[2] = {PLM_RECORD_CERTIFICATE, PLM_RECORD_REVOCATION};
	sqlite3_stmt *q = NULL;
	int i, rc, r = 0;

	for (i = 0; i < 2 && r == 0; i++) {
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL) != SQLITE_OK)
			return state_db_error(st, err, "read certificates");
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			if (sqlite3_column_bytes(q, 0) != PLM_FPR_BYTES)
				continue;
			if ((r = fn(ctx, types[i], sqlite3_column_blob(q, 0),
			            sqlite3_column_type(q, 1) == SQLITE_NULL
			                ? -1
			                : sqlite3_column_int64(q, 1),
			            sqlite3_column_blob(q, 2),
			            (size_t)sqlite3_column_bytes(q, 2))) != 0)
				break;
		}
		if (r == 0 && rc != SQLITE_DONE)
			r = state_db_error(st, err, "read certificates");
		sqlite3_finalize(q);
		q = NULL;
	}
	return r;
}
