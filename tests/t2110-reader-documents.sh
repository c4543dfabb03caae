#!/bin/sh
# palermo list, thread and get (DESIGN.md §7, §11): Italy's focal point
# sends its questionnaire responses, France and Brazil read them, and the
# members' replies nest under them. Every reader verifies every document
# again before decrypting anything; get writes nothing unless all of it
# verified, never overwrites a file unasked, and an envelope doctored on
# the server or in the local cache is refused loudly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_obs fra_fp bra_fp bra_exp outsider &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point it-obs-verdi:observer \
		fr-fp-martin:focal_point br-fp-souza:focal_point br-exp-lima:expert &&
	sync_all ita_fp ita_obs fra_fp bra_fp bra_exp outsider
}

setup_with setup_people

test_expect_success 'the responses are sent and every member reads them' '
	printf "Participation in an organized criminal group is an offence under\narticle 416 of the Criminal Code (article 5 of the Convention).\n" >responses.txt &&
	pal ita_fp send "$REVIEW" --kind questionnaire_response \
		--title "Responses on article 5" responses.txt >sent &&
	id=$(id_of sent) && [ ${#id} = 64 ] && echo "$id" >responses.id &&
	pal fra_fp sync >out && grep "1 new document" out &&
	pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents | length" l.json)" = 1 ] &&
	[ "$(jq -r ".documents[0].id" l.json)" = "$id" ] &&
	[ "$(jq -r ".documents[0].title" l.json)" = "Responses on article 5" ] &&
	[ "$(jq -r ".documents[0].status" l.json)" = verified ] &&
	[ "$(jq -r ".documents[0].kind" l.json)" = questionnaire_response ] &&
	[ "$(jq -r ".documents[0].author.user_id" l.json)" = it-fp-rossi ] &&
	[ "$(jq -r ".documents[0].author.state" l.json)" = ITA ] &&
	[ "$(jq -r ".documents[0].author.role" l.json)" = focal_point ] &&
	[ "$(jq -r ".documents[0].mime" l.json)" = text/plain ] &&
	pal fra_fp list "$REVIEW" >l.txt &&
	grep -E "^$(echo "$id" | cut -c1-12)  [0-9-]{10} [0-9:]{5}  it-fp-rossi \(ITA, focal_point\) +questionnaire_response +review +Responses on article 5$" l.txt &&
	for who in bra_exp ita_obs; do
		pal $who sync >/dev/null &&
		mkdir -p $who && (cd $who && pal $who get "$(echo "$id" | cut -c1-12)" >out) &&
		cmp responses.txt "$who/responses.txt" || return 1
	done
'

test_expect_success 'list --json and the cache hold no plaintext' '
	! grep -r -a -F "Criminal Code" "$HOMES/fra_fp" &&
	! grep -r -a -F "Responses on article 5" "$HOMES/fra_fp" "$DATA"
'

test_expect_success 'replies nest under what they answer' '
	id=$(cat responses.id) &&
	echo "Does article 416 cover groups of two persons?" |
		pal fra_fp send "$REVIEW" --title "On article 416" --reply-to "$(echo "$id" | cut -c1-8)" >q &&
	q=$(id_of q) &&
	pal ita_fp sync >/dev/null &&
	echo "Yes: three or more persons, see the judgment attached later." |
		pal ita_fp send "$REVIEW" --title "Re: On article 416" --reply-to "$q" >a &&
	echo "Between the reviewing States: who drafts the feedback?" |
		pal bra_fp send "$REVIEW" --channel reviewers --title "Dividing the work" >w &&
	pal bra_exp sync >/dev/null &&
	pal bra_exp --json thread "$REVIEW" >t.json &&
	[ "$(jq -r ".threads | length" t.json)" = 2 ] &&
	[ "$(jq -r ".threads[0].title" t.json)" = "Responses on article 5" ] &&
	[ "$(jq -r ".threads[0].replies[0].title" t.json)" = "On article 416" ] &&
	[ "$(jq -r ".threads[0].replies[0].author.user_id" t.json)" = fr-fp-martin ] &&
	[ "$(jq -r ".threads[0].replies[0].replies[0].title" t.json)" = "Re: On article 416" ] &&
	[ "$(jq -r ".threads[0].replies[0].replies[0].reply_to" t.json)" = "$q" ] &&
	[ "$(jq -r ".threads[1].channel" t.json)" = reviewers ] &&
	pal bra_exp thread "$REVIEW" >t.txt &&
	grep -E "^    └ [0-9a-f]{12} .*On article 416$" t.txt &&
	grep -E "^        └ [0-9a-f]{12} .*Re: On article 416$" t.txt
'

test_expect_success 'the State under review does not see the reviewers'"'"' channel' '
	pal ita_fp sync >/dev/null &&
	pal ita_fp --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents | length" l.json)" = 3 ] &&
	! grep "Dividing the work" l.json &&
	pal ita_fp --json list --all "$REVIEW" >all.json &&
	[ "$(jq -r "[.documents[] | select(.status == \"unreadable\")] | length" all.json)" = 1 ] &&
	[ "$(jq -r "[.documents[] | select(.status == \"unreadable\")][0].title" all.json)" = null ] &&
	w=$(id_of w) &&
	exit_is 6 pal ita_fp get "$w" 2>err &&
	grep "you hold no key to this message: it is on channel reviewers" err
'

test_expect_success 'get refuses to overwrite a file, and --force replaces it' '
	mkdir -p fra && cd fra &&
	id=$(cat ../responses.id) &&
	pal fra_fp get "$id" >out && grep "^wrote responses.txt (text/plain" out &&
	echo "my notes" >responses.txt &&
	exit_is 1 pal fra_fp get "$id" 2>err &&
	grep "responses.txt exists; use --force" err &&
	[ "$(cat responses.txt)" = "my notes" ] &&
	pal fra_fp get --force "$id" >/dev/null &&
	cmp ../responses.txt responses.txt &&
	pal fra_fp --json get -o copy.txt "$id" >g.json &&
	[ "$(jq -r .file g.json)" = copy.txt ] &&
	[ "$(jq -r .title g.json)" = "Responses on article 5" ] &&
	cmp ../responses.txt copy.txt &&
	exit_is 2 pal fra_fp get -o - "$id" 2>err && grep "to files only" err &&
	[ -z "$(ls -A | grep palermo)" ]
'

test_expect_success 'a document id is a unique prefix of at least 4 digits' '
	exit_is 2 pal fra_fp get 3f 2>err && grep "4 to 64 hexadecimal digits" err &&
	exit_is 2 pal fra_fp get not-hex 2>err &&
	exit_is 6 pal fra_fp get 0000000000000000 2>err && grep "no document here" err
'

test_expect_success 'a non-member gets nothing' '
	pal outsider sync >/dev/null &&
	id=$(cat responses.id) &&
	exit_is 6 pal outsider get "$id" 2>err && grep "no document here" err &&
	exit_is 6 pal outsider list "$REVIEW" &&
	exit_is 6 pal outsider thread "$REVIEW" &&
	[ -z "$(ls "$HOMES/outsider/cache")" ]
'

test_expect_success 'get writes nothing when the cached copy was tampered with' '
	id=$(cat responses.id) &&
	pal bra_fp sync >/dev/null &&
	db="$HOMES/bra_fp/state.db" &&
	n=$(sqlite3 "$db" "SELECT length(bytes) FROM cached WHERE lower(hex(id)) = '"'"'$id'"'"'") &&
	[ "$n" -gt 200 ] &&
	sqlite3 "$db" "UPDATE cached SET bytes = substr(bytes, 1, $n - 121) || x'"'"'ff'"'"' ||
		substr(bytes, $n - 119) WHERE lower(hex(id)) = '"'"'$id'"'"'" &&
	mkdir -p bra && cd bra &&
	exit_is 3 pal bra_fp get -o got.txt "$id" 2>err &&
	[ ! -e got.txt ] && [ -z "$(ls -A | grep -v err)" ] &&
	exit_is 3 pal bra_fp list "$REVIEW" >l.txt 2>err &&
	grep "DAMAGED: " l.txt && grep "On article 416" l.txt &&
	grep "no longer verify" err
'

test_expect_success 'get keeps no file whose type is not the one announced' '
	printf "0\tstring\tMinutes\\ of\ta PDF, says this magic file\n!:mime\tapplication/pdf\n" >pdf.magic &&
	echo "Minutes of the meeting of 3 March." >minutes.txt &&
	MAGIC=$PWD/pdf.magic pal ita_fp send "$REVIEW" --title "Minutes" minutes.txt >mi &&
	mi=$(id_of mi) &&
	pal fra_fp sync >/dev/null &&
	[ "$(pal fra_fp --json list "$REVIEW" | jq -r ".documents[] | select(.id == \"$mi\") | .mime")" = application/pdf ] &&
	mkdir -p mism && cd mism &&
	exit_is 3 pal fra_fp get "$mi" 2>err &&
	grep "nothing was written to minutes.txt" err &&
	[ -z "$(ls -A | grep -v "^err$")" ]
'

test_expect_success 'an interrupted download resumes; damaged kept bytes are fetched again' '
	echo "A first word." | pal fra_fp send "$REVIEW" --title "First word" >fw &&
	echo "A last word." | pal fra_fp send "$REVIEW" --title "Last word" >lw &&
	fw=$(id_of fw) && lw=$(id_of lw) &&
	set -- $(stored_at "$DATA" "$fw") && [ -f "$1" ] &&
	tail -c +$(($2 + 1)) "$1" | head -c 300 >"$HOMES/ita_obs/cache/$fw.part" &&
	head -c 50 /dev/urandom >"$HOMES/ita_obs/cache/$lw.part" &&
	pal ita_obs sync >out 2>err && [ ! -s err ] &&
	[ ! -e "$HOMES/ita_obs/cache/$fw.part" ] && [ ! -e "$HOMES/ita_obs/cache/$lw.part" ] &&
	pal ita_obs --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents[] | select(.id == \"$fw\") | .title" l.json)" = "First word" ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$lw\") | .title" l.json)" = "Last word" ]
'

test_expect_success 'a document stays readable after its author was revoked' '
	w=$(id_of w) &&
	pal root admin revoke br-fp-souza --reason left_office >/dev/null &&
	pal fra_fp sync >/dev/null &&
	mkdir -p rev && cd rev &&
	pal fra_fp get -o work.txt "$w" >out 2>err &&
	grep "Between the reviewing States" work.txt &&
	grep "revoked; the document was written before that and verified then" err
'

test_expect_success 'sync refuses an envelope doctored on the server, loudly' '
	echo "The judgment of the Court of Cassation, 2019." |
		pal ita_fp send "$REVIEW" --title "Judgment" >j &&
	j=$(id_of j) &&
	set -- $(stored_at "$DATA" "$j") && [ -f "$1" ] &&
	printf "\\377" | dd of="$1" bs=1 seek=$(($2 + $3 - 150)) conv=notrunc 2>/dev/null &&
	exit_is 3 pal fra_fp sync >out 2>err &&
	seq=$(pal fra_fp --json list --all "$REVIEW" | jq -r ".documents[] | select(.id == \"$j\") | .seq") &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry $seq, envelope $(echo "$j" | cut -c1-12): " err &&
	[ "$(pal fra_fp --json list "$REVIEW" | jq -r ".documents[] | select(.id == \"$j\") | .status")" = refused ] &&
	[ ! -e "$HOMES/fra_fp/cache/$j" ] && [ ! -e "$HOMES/fra_fp/cache/$j.part" ] &&
	exit_is 3 pal fra_fp get "$j" 2>err2 && grep "failed verification when it was synced" err2 &&
	pal fra_fp list "$REVIEW" >l.txt &&
	grep "REFUSED: " l.txt && grep "Responses on article 5" l.txt
'

test_done
