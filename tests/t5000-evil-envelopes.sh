#!/bin/sh
# The malicious relay and the envelopes (docs/SECURITY.md, issue 9; DESIGN.md
# §7, §9). Every member talks to the tampering proxy of tests/tools/plmevil.c
# in front of a real daemon, and the proxy lies about envelopes case by case:
# it alters a byte of one as it serves it, lists two in each other's place,
# lists one again at a later place, and acknowledges an upload it never
# stores or stores one it then hides. Two readers (France's focal point and
# Brazil's expert) must each refuse what they were served, with exit status
# 3 and a sentence naming the envelope; the author must find out at the next
# sync that what the server acknowledged is not in its log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"
. "$(dirname "$0")/lib-evil.sh"

evil_review ita_fp:it-fp-rossi:ITA:focal_point fra_fp:fr-fp-martin:FRA:focal_point \
	bra_exp:br-exp-lima:BRA:expert

test_expect_success 'through the honest proxy, every member reads what is sent' '
	id=$(send_doc ita_fp "Responses on article 5") &&
	for who in fra_fp bra_exp; do
		pal $who sync >out && grep "1 new document" out || return 1
	done &&
	grep "GET /v1/reviews/$REVIEW/bodies?.* -> 200" "$EVIL_LOG"
'

test_expect_success 'an envelope altered by one byte on the way is refused by every reader' '
	evil_mode flip-envelope &&
	id=$(send_doc ita_fp "Judgment of the Court of Cassation") &&
	readers_refuse "$id" ".*" &&
	for who in fra_fp bra_exp; do
		[ "$(pal $who --json list --all "$REVIEW" | jq -r ".documents[] | select(.id == \"$id\") | .status")" = refused ] &&
		[ ! -e "$HOMES/$who/cache/$id" ] || return 1
	done &&
	evil_mode honest
'

test_expect_success 'two envelopes listed in each other'"'"'s place are both refused' '
	a=$(send_doc ita_fp "First answer") && b=$(send_doc ita_fp "Second answer") &&
	evil_mode swap-envelopes "$a" "$b" &&
	readers_refuse "$a" "the server proves [0-9a-f]* at another place than seq [0-9]* of the head it signed" &&
	grep "envelope $(echo "$b" | cut -c1-12): " err &&
	grep "2 items failed verification" err &&
	evil_mode honest
'

test_expect_success 'an envelope listed again at a later place is refused as a replay' '
	a=$(send_doc ita_fp "A question on article 23") &&
	for who in fra_fp bra_exp; do pal $who sync >/dev/null || return 1; done &&
	seq=$(seq_of_envelope "$a") &&
	enrol deu_exp de-exp-weber "Jonas Weber" DEU >/dev/null &&
	later=$(($(log_size) - 1)) && [ "$later" -gt "$seq" ] &&
	evil_mode replay-envelope "$a" "$later" &&
	readers_refuse "$a" "the server lists it again at log entry $later, but this client verified it at log entry $seq: a replay, ignored" &&
	evil_mode honest &&
	[ "$(pal fra_fp --json list "$REVIEW" | jq -r "[.documents[] | select(.id == \"$a\")] | length")" = 1 ]
'

test_expect_success 'an upload acknowledged but never stored is found out at the author'"'"'s next sync' '
	evil_mode drop-upload &&
	echo "Italy withdraws its reservation." | pal ita_fp send "$REVIEW" --title "Reservation" >sent 2>err &&
	id=$(head -n 1 sent | cut -d " " -f 1) &&
	grep "DROPPED PUT" "$EVIL_LOG" &&
	[ -z "$(seq_of_envelope "$id")" ] &&
	evil_mode honest &&
	exit_is 3 pal ita_fp sync >out 2>err &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, envelope $(echo "$id" | cut -c1-12): the server acknowledged this upload at log entry [0-9]* but its signed log of [0-9]* entries does not list it: the server dropped it" err &&
	pal ita_fp sync >again 2>err2 && [ ! -s err2 ]
'

test_expect_success 'an envelope stored but hidden from the listings is found out by its author' '
	id=$(send_doc ita_fp "Minutes of the country visit") &&
	evil_mode hide "$id" &&
	exit_is 3 pal ita_fp sync >out 2>err &&
	grep "envelope $(echo "$id" | cut -c1-12): the server acknowledged this upload at log entry $(seq_of_envelope "$id") but its signed log of [0-9]* entries does not list it" err &&
	evil_mode honest
'

test_done
