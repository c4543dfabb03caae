#!/bin/sh
# palermo sync in batches (PROTOCOL.md §6.8, docs/API.md GET
# /v1/reviews/{review}/bodies): Italy sends more documents than one batch
# holds (ten attachments of about 900 KiB pass the 8 MiB of inline bytes of
# one answer), a few messages, and one attachment over 1 MiB that is never
# inline. A fresh French client gets every one verified and listed, the
# small ones from batches with their proofs and the large one alone; the
# next sync asks for nothing again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp fra_fp bra_fp &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point fr-fp-martin:focal_point \
		br-fp-souza:focal_point &&
	pal ita_fp sync
}

setup_with setup_people

# requests ROUTE: how many requests of that route the daemon has logged.
requests() { grep -c "method=GET route=\"$1\" status=200" "$TRASH/daemon.log" || true; }

test_expect_success 'Italy sends fifteen documents, one of them over 1 MiB' '
	files=$(law_files 10) &&
	echo "The criminal code, in ten parts." |
		pal ita_fp send "$REVIEW" --title "The criminal code" $files >laws &&
	for t in "On article 5" "On article 6" "On article 23"; do
		echo "A short message $t." | pal ita_fp send "$REVIEW" --title "$t" >/dev/null || return 1
	done &&
	yes "The Court of Cassation holds that the offence was committed." |
		head -c 1600000 >judgment.txt &&
	pal ita_fp send "$REVIEW" --title "A judgment" judgment.txt >big &&
	big=$(id_of big) && [ -n "$big" ] &&
	pal ita_fp sync >/dev/null && pal ita_fp --json list "$REVIEW" >mine.json &&
	[ "$(jq ".documents | length" mine.json)" = 15 ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$big\") | .size" mine.json)" -gt 1048576 ]
'

test_expect_success 'a fresh client gets all of them verified and listed, in batches' '
	big=$(id_of big) &&
	b0=$(requests bodies) && e0=$(requests envelope) && p0=$(requests log_inclusion) &&
	pal fra_fp sync >out 2>err && [ ! -s err ] &&
	grep "^synced 1 review: 15 new documents" out &&
	pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq "[.documents[] | select(.status == \"verified\")] | length" l.json)" = 15 ] &&
	[ "$(jq -r ".documents[].title" l.json | sort -u | wc -l)" -ge 5 ] &&
	[ $(($(requests bodies) - b0)) -ge 2 ] &&
	[ $(($(requests envelope) - e0)) = 1 ] &&
	# one proof asked per record (4) and certificate (5), none per envelope
	[ $(($(requests log_inclusion) - p0)) = 9 ] &&
	[ "$(ls "$HOMES/fra_fp/cache")" = "$big" ] &&
	[ "$(sqlite3 "$HOMES/fra_fp/state.db" "SELECT count(*) FROM cached")" = 14 ]
'

test_expect_success 'what came in a batch opens like any document' '
	id=$(jq -r ".documents[] | select(.title == \"On article 23\") | .id" l.json) &&
	pal fra_fp get -o got.txt "$id" && grep "A short message On article 23." got.txt &&
	big=$(id_of big) &&
	law=$(jq -r "[.documents[] | select(.file_name == \"law7.txt\")][0].id" l.json) &&
	[ -n "$law" ] && [ "$law" != null ] &&
	pal fra_fp get -o law7.got "$law" && cmp law7.got law7.txt &&
	pal fra_fp get -o big.got "$big" && cmp big.got judgment.txt
'

test_expect_success 'the next sync asks for nothing again' '
	b0=$(requests bodies) &&
	pal fra_fp sync >out && grep "^synced 1 review: 0 new documents" out &&
	[ "$(requests bodies)" = "$b0" ]
'

test_done
