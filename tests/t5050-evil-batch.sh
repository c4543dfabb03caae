#!/bin/sh
# The malicious relay and the batches of envelopes (PROTOCOL.md §6.8,
# docs/SECURITY.md): what a sync takes from GET /v1/reviews/{review}/bodies
# is checked as a single download and its proof would be. The proxy serves
# another envelope's bytes in one's place, alters a proof, leaves an entry
# out, puts two entries in each other's place; and a sync killed while it
# waits for its second batch resumes with nothing lost and nothing twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"
. "$(dirname "$0")/lib-evil.sh"

evil_review ita_fp:it-fp-rossi:ITA:focal_point fra_fp:fr-fp-martin:FRA:focal_point \
	bra_exp:br-exp-lima:BRA:expert

# status_of WHO ID: the status WHO's client gives document ID.
status_of() {
	pal "$1" --json list --all "$REVIEW" | jq -r ".documents[] | select(.id == \"$2\") | .status"
}

test_expect_success 'another envelope'"'"'s bytes served in one'"'"'s place are refused' '
	a=$(send_doc ita_fp "On article 5") && b=$(send_doc ita_fp "On article 6") &&
	evil_mode batch-foreign "$a" &&
	readers_refuse "$a" "its digest is not the id the server lists it under" &&
	evil_mode honest &&
	for who in fra_fp bra_exp; do
		[ "$(status_of $who "$a")" = refused ] && [ "$(status_of $who "$b")" = verified ] &&
		[ "$(sqlite3 "$HOMES/$who/state.db" "SELECT count(*) FROM cached WHERE lower(hex(id)) = '"'"'$a'"'"'")" = 0 ] ||
			return 1
	done
'

test_expect_success 'an altered proof in a batch is refused like an altered single proof' '
	a=$(send_doc ita_fp "On article 23") &&
	evil_mode batch-proof "$a" &&
	readers_refuse "$a" "$(echo "$a" | cut -c1-12) at seq [0-9]* is not in the log head the server signed" &&
	evil_mode honest &&
	[ "$(status_of fra_fp "$a")" = refused ]
'

test_expect_success 'an envelope left out of a batch is fetched alone and verified' '
	a=$(send_doc ita_fp "On article 24") && b=$(send_doc ita_fp "On article 25") &&
	evil_mode batch-drop "$a" &&
	pal fra_fp sync >out 2>err && [ ! -s err ] && grep "2 new documents" out &&
	grep "GET /v1/envelopes/$a -> 200" "$EVIL_LOG" &&
	! grep "GET /v1/envelopes/$b " "$EVIL_LOG" &&
	evil_mode honest &&
	[ "$(status_of fra_fp "$a")" = verified ] && [ "$(status_of fra_fp "$b")" = verified ]
'

test_expect_success 'a batch out of log order is refused whole; the next sync takes it' '
	a=$(send_doc ita_fp "On article 26") && b=$(send_doc ita_fp "On article 27") &&
	evil_mode batch-swap &&
	exit_is 3 pal fra_fp sync >out 2>err &&
	grep "the server.s batch of envelopes of review $REVIEW is malformed (.*log order.*); nothing of it was accepted" err &&
	[ -z "$(status_of fra_fp "$a")" ] && [ -z "$(status_of fra_fp "$b")" ] &&
	evil_mode honest &&
	pal fra_fp sync >out 2>err && [ ! -s err ] && grep "2 new documents" out
'

test_expect_success 'a sync killed while it waits for its second batch resumes: nothing lost, nothing twice' '
	pal bra_exp sync >/dev/null 2>&1 || true &&
	before=$(pal bra_exp --json list --all "$REVIEW" | jq ".documents | length") &&
	first=$(send_doc ita_fp "The criminal code") &&
	files=$(law_files 10) &&
	echo "The code of criminal procedure, in ten parts." |
		pal ita_fp send "$REVIEW" --title "Procedure" $files >/dev/null &&
	evil_mode stall-batch "$(seq_of_envelope "$first")" &&
	{ pal bra_exp sync >out 2>err & } && pid=$! &&
	# the first batch is committed, the second (asked for ahead) never comes
	kept=$before && n=0 &&
	while ! grep -q "STALLED GET /v1/reviews/$REVIEW/bodies" "$EVIL_LOG" ||
		[ "$kept" = "$before" ]; do
		[ $n -lt 300 ] || { echo "the first batch was never kept" >&2; return 1; }
		sleep 0.1 && n=$((n + 1)) &&
		kept=$(sqlite3 "$HOMES/bra_exp/state.db" "SELECT count(*) FROM envelopes WHERE review = '"'"'$REVIEW'"'"'" 2>/dev/null || echo "$before")
	done &&
	kill -9 $pid && { wait $pid || true; } &&
	kept=$(sqlite3 "$HOMES/bra_exp/state.db" "SELECT count(*) FROM envelopes WHERE review = '"'"'$REVIEW'"'"'") &&
	[ "$kept" -gt "$before" ] && [ "$kept" -lt $((before + 12)) ] &&
	evil_mode honest &&
	pal bra_exp sync >out 2>err && [ ! -s err ] &&
	grep "synced 1 review: $((before + 12 - kept)) new documents" out &&
	pal bra_exp --json list --all "$REVIEW" >l.json &&
	[ "$(jq ".documents | length" l.json)" = $((before + 12)) ] &&
	[ "$(jq -r ".documents[].id" l.json | sort -u | wc -l)" = $((before + 12)) ] &&
	[ "$(jq "[.documents[] | select(.status == \"verified\")] | length" l.json)" -ge 12 ]
'

test_done
