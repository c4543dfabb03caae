#!/bin/sh
# The server's side of the workflow rules (issue 6), with the client's check
# bypassed: the test tool plays members enrolled with the real client (it
# opens their keystores) and crafts what their clients would refuse to make.
# Where the server can see the rule (record types, envelope headers: who,
# which kind, which stage, which draft) it refuses with the shared code;
# where it cannot (the manifest's final marker, the words of a document: all
# encrypted), it stores the item and every reader refuses it instead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp bra_exp &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point br-exp-lima:expert &&
	sync_all ita_fp ita_exp fra_fp bra_exp
}

setup_with setup_people

# as WHO METHOD PATH [req options]: a request signed with WHO's client keys.
as() {
	_as_who=$1 _as_method=$2 _as_path=$3
	shift 3
	"$PLMTEST" req --seed "$HOMES/$_as_who/identity.key" "$@" "$_as_method" "$URL$_as_path"
}
# The review's epoch keys record, as the server lists it, into ek.bin.
fetch_epoch_keys() {
	as fra_fp GET "/v1/reviews/$REVIEW/records" >recs.out && status_is 200 recs.out &&
	body_of recs.out | jq -r "[.records[] | select(.type == \"epoch_keys\")] | last | .record" |
		base64 -d >ek.bin
}
# craft WHO KIND CHANNEL IN OUT [seal options]: sealed by the tool as WHO.
craft() {
	_cr_who=$1 _cr_kind=$2 _cr_channel=$3 _cr_in=$4 _cr_out=$5
	shift 5
	"$PLMTEST" seal --seed "$HOMES/$_cr_who/identity.key" --epoch-keys ek.bin \
		--review "$REVIEW" --epoch 1 --kind "$_cr_kind" --channel "$_cr_channel" \
		--in "$_cr_in" --out "$_cr_out" "$@"
}
upload() { as "$1" PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body "$2"; }
# agree_as WHO ID KIND STATE: a crafted agreement, posted; the answer in agree.out.
agree_as() {
	"$PLMTEST" agree --seed "$HOMES/$1/identity.key" --review "$REVIEW" --id "$2" \
		--kind "$3" --state "$4" --out agreement.rec >/dev/null &&
	as "$1" POST "/v1/reviews/$REVIEW/records" --body agreement.rec >agree.out
}
detail_has() { body_of "$1" | jq -r .detail | grep -F "$2"; }
words() { yes "word" | head -n "$1" | tr '\n' ' '; }

test_expect_success 'server: feedback in the self-assessment stage is refused (wrong stage)' '
	fetch_epoch_keys &&
	echo "Feedback before the responses." >fb.txt &&
	craft fra_fp feedback review fb.txt fb.env >/dev/null &&
	upload fra_fp fb.env >put.out && problem_is 403 policy put.out &&
	detail_has put.out "documents of kind '"'"'feedback'"'"' may not be written in the stage '"'"'self_assessment'"'"', only in: feedback"
'

test_expect_success 'server: an expert cannot sign the move of a final submission' '
	"$PLMTEST" stage --seed "$HOMES/ita_exp/identity.key" --review "$REVIEW" --seq 3 \
		--from self_assessment --to feedback --out stage.rec >/dev/null &&
	as ita_exp POST "/v1/reviews/$REVIEW/records" --body stage.rec >st.out &&
	problem_is 403 policy st.out &&
	detail_has st.out "may move the review on from the stage '"'"'self_assessment'"'"'" &&
	detail_has st.out "by the final submission"
'

test_expect_success 'an expert'"'"'s final marker passes the server; every reader refuses it' '
	echo "answers: not really" >fake.yaml &&
	id=$(craft ita_exp questionnaire_response review fake.yaml fake.env \
		--field submission=final --title "Questionnaire responses (final submission)") &&
	upload ita_exp fake.env >put.out && status_is 201 put.out &&
	pal fra_fp sync >/dev/null 2>&1 &&
	pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .status" l.json)" = refused ] &&
	jq -r ".documents[] | select(.id == \"$id\") | .problem" l.json >problem &&
	grep -F "breaks the policy, so it is refused: it is marked as the final submission, which only the focal point of the State under review makes, but its author is governmental expert of the State under review" problem &&
	grep -F "(policy: stages.self_assessment.advanced_by; para 34) (it-exp-bianchi)" problem &&
	mkdir got && exit_is 5 pal fra_fp get -o got/x.yaml "$id" 2>err &&
	grep -F "marked as the final submission" err && test -z "$(ls -A got)"
'

# The form of t4000, every answer "no" but article 5 of untoc, with a law.
printf "%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n" >"$TRASH/law-416.pdf"

test_expect_success 'an invalid questionnaire passes the server; every reader checks it' '
	pal ita_fp questionnaire template "$REVIEW" --output answers.yaml &&
	sed "s/^      implemented:  #/      implemented: no  #/" answers.yaml >done.yaml &&
	pal nobody questionnaire check done.yaml >/dev/null 2>&1 &&
	sed "0,/implemented: no/ s/implemented: no/implemented: maybe/" done.yaml >bad.yaml &&
	exit_is 1 pal ita_fp questionnaire submit "$REVIEW" bad.yaml --final 2>err &&
	grep -F "bad.yaml is not complete and valid" err &&
	final=$(craft ita_fp questionnaire_response review bad.yaml badf.env --field submission=final) &&
	draft=$(craft ita_fp questionnaire_response review bad.yaml badd.env --field submission=draft) &&
	upload ita_fp badf.env >put.out && status_is 201 put.out &&
	upload ita_fp badd.env >put.out && status_is 201 put.out &&
	pal fra_fp sync >/dev/null 2>&1 &&
	exit_is 5 pal fra_fp get -o badf-read.yaml "$final" 2>err &&
	grep -F "the final submission, is not a complete and valid questionnaire (1 problems; the first: ${final}:" err &&
	grep -F "invalid value '"'"'maybe'"'"' for implemented" err && test ! -e badf-read.yaml &&
	pal fra_fp get -o badd-read.yaml "$draft" >/dev/null 2>err &&
	grep -F "a draft questionnaire, has 1 problems" err && cmp bad.yaml badd-read.yaml
'

test_expect_success 'the focal point'"'"'s final submission moves the review to feedback' '
	pal ita_fp questionnaire submit "$REVIEW" done.yaml --final >final.out 2>err &&
	grep -F "Review $REVIEW moved from self_assessment to feedback with your final submission." err &&
	pal fra_fp sync >/dev/null && pal fra_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r .stage.name s.json)" = feedback ] &&
	mkdir fra && (cd fra && pal fra_fp get -o r.yaml "$(head -n 1 ../final.out)" >/dev/null) &&
	cmp done.yaml fra/r.yaml
'

test_expect_success 'server: an expert of the State under review cannot write feedback (wrong role)' '
	fetch_epoch_keys &&
	craft ita_exp feedback review fb.txt fb2.env >/dev/null &&
	upload ita_exp fb2.env >put.out && problem_is 403 policy put.out &&
	detail_has put.out "documents of kind '"'"'feedback'"'"' are written by" &&
	detail_has put.out "not by governmental experts of the State under review"
'

test_expect_success 'feedback over 10,500 words: the server cannot count; the reader warns' '
	words 10600 >long.txt &&
	id=$(craft fra_fp feedback review long.txt long.env) &&
	upload fra_fp long.env >put.out && status_is 201 put.out &&
	pal ita_fp sync >/dev/null &&
	pal ita_fp get -o long-read.txt "$id" >/dev/null 2>err &&
	grep -F "should not exceed 10500 words; this one has 10600" err && cmp long.txt long-read.txt
'

test_expect_success 'server: agreement to a document that is not a draft, or not there' '
	pal root admin review advance "$REVIEW" >/dev/null &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	echo "Dates for the call." >m.txt &&
	msg=$(craft ita_fp message review m.txt m.env) &&
	upload ita_fp m.env >put.out && status_is 201 put.out &&
	agree_as ita_fp "$msg" message ITA && problem_is 403 policy agree.out &&
	detail_has agree.out "documents of kind '"'"'message'"'"' are not agreed to" &&
	agree_as ita_fp "$msg" observations_draft ITA && problem_is 409 conflict agree.out &&
	detail_has agree.out "the agreement names a observations_draft, but document" &&
	agree_as ita_fp 0000000000000000000000000000000000000000000000000000000000000000 \
		observations_draft ITA && problem_is 409 conflict agree.out &&
	detail_has agree.out "is not a document of review $REVIEW"
'

test_expect_success 'server: agreement by a non-focal point, or for another State' '
	echo "Draft list of observations, version 1." >d1.txt &&
	d1=$(craft fra_fp observations_draft review d1.txt d1.env) && echo "$d1" >d1.id &&
	upload fra_fp d1.env >put.out && status_is 201 put.out &&
	agree_as bra_exp "$d1" observations_draft BRA && problem_is 403 policy agree.out &&
	detail_has agree.out "not by governmental experts of a reviewing State" &&
	agree_as ita_fp "$d1" observations_draft FRA && problem_is 403 policy agree.out &&
	detail_has agree.out "may agree only in the name of ITA, not FRA"
'

test_expect_success 'server: a draft the signer cannot read is not agreed to' '
	echo "Working notes of the reviewing States." >notes.txt &&
	n=$(craft fra_fp observations_draft reviewers notes.txt notes.env) &&
	upload fra_fp notes.env >put.out && status_is 201 put.out &&
	agree_as ita_fp "$n" observations_draft ITA && problem_is 403 policy agree.out &&
	detail_has agree.out "it-fp-rossi cannot read draft ${n%${n#????????????}} (channel reviewers)"
'

test_expect_success 'server: agreement on a stale draft is refused; the newest is agreed' '
	d1=$(cat d1.id) &&
	echo "Draft list of observations, version 2." >d2.txt &&
	d2=$(craft fra_fp observations_draft review d2.txt d2.env) && echo "$d2" >d2.id &&
	upload fra_fp d2.env >put.out && status_is 201 put.out &&
	agree_as ita_fp "$d1" observations_draft ITA && problem_is 403 policy agree.out &&
	detail_has agree.out "is stale: a newer observations_draft (${d2%${d2#????????????}}) on the channel review superseded it" &&
	agree_as ita_fp "$d2" observations_draft ITA && status_is 201 agree.out &&
	pal fra_fp sync >/dev/null && pal fra_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r ".agreements[0].document" s.json)" = "$d2" ] &&
	[ "$(jq -r ".agreements[0].agreed[0].user_id" s.json)" = it-fp-rossi ] &&
	[ "$(jq -r ".agreements[0].waiting | join(\" \")" s.json)" = "BRA FRA" ]
'

test_expect_success 'server: agreement to a list of observations in the summary stage' '
	d2=$(cat d2.id) &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	agree_as fra_fp "$d2" observations_draft FRA && problem_is 403 policy agree.out &&
	detail_has agree.out "may not be agreed to in the stage '"'"'summary'"'"', only in: observations"
'

test_expect_success 'a summary over 1,500 words: the server cannot count; every reader refuses it' '
	fetch_epoch_keys &&
	words 1501 >summary.txt &&
	id=$(craft fra_fp summary_draft reviewers summary.txt summary.env) &&
	upload fra_fp summary.env >put.out && status_is 201 put.out &&
	pal bra_exp sync >/dev/null &&
	exit_is 5 pal bra_exp get -o summary-read.txt "$id" 2>err &&
	grep -F "breaks the policy: documents of kind '"'"'summary_draft'"'"' may have at most 1500 words; this one has 1501" err &&
	test ! -e summary-read.txt
'

test_done
