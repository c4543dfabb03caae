#!/bin/sh
# palermo agree (issue 6, REVIEW-MECHANISM.md para 39; PROTOCOL.md §5.7):
# the focal points of Italy (under review), France and Brazil (reviewing)
# agree to the exact id of a draft list of observations; the client refuses,
# before anything is sent, an expert, a kind that is not agreed to, a stale
# draft, a draft they cannot read and the wrong stage, each with its rule; a
# newer draft starts agreement afresh; status shows who agreed and when the
# draft is final.
# The server's side of the same rules: t4110.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp bra_fp &&
	create_review "$REVIEW" --advance 5 it-fp-rossi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point br-fp-souza:focal_point &&
	sync_all ita_fp ita_exp fra_fp bra_fp
}

setup_with setup_people

# log_size: the number of entries in the server's log (its metrics).
log_size() {
	api_unsigned GET /v1/metrics >"$TRASH/metrics" &&
	sed -n 's/^palermo_log_size \([0-9]*\)$/\1/p' "$TRASH/metrics"
}

test_expect_success 'the review is at the list of observations; nothing to agree yet' '
	pal ita_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r .stage.name s.json)" = observations ] &&
	[ "$(jq -r ".agreements | map(.kind) | join(\" \")" s.json)" = "observations_draft summary_draft" ] &&
	[ "$(jq -r ".agreements[0].document" s.json)" = null ] &&
	[ "$(jq -r ".agreements[0].waiting | join(\" \")" s.json)" = "ITA BRA FRA" ] &&
	pal ita_fp status "$REVIEW" >s.txt &&
	grep -q "^  observations_draft: no draft yet$" s.txt
'

test_expect_success 'a document of another kind is not agreed to (client)' '
	echo "Dates for the call." | pal ita_fp send "$REVIEW" >msg.out &&
	msg=$(head -n 1 msg.out) && before=$(log_size) &&
	exit_is 5 pal ita_fp agree "$msg" 2>err &&
	grep -F "you cannot agree to ${msg%${msg#????????????}}: documents of kind '"'"'message'"'"' are not agreed to (policy: kinds.message.agreed_by)" err &&
	[ "$(log_size)" = "$before" ] &&
	exit_is 6 pal ita_fp agree 0123456789ab 2>err &&
	exit_is 2 pal ita_fp agree 2>err
'

test_expect_success 'an expert is refused before anything is sent; France agrees' '
	echo "Draft list of observations, version 1." >d1.txt &&
	pal fra_fp send "$REVIEW" --kind observations_draft d1.txt >d1.out &&
	d1=$(head -n 1 d1.out) && pal ita_exp sync >/dev/null && before=$(log_size) &&
	exit_is 5 pal ita_exp agree "$d1" 2>err &&
	grep -F "are agreed to by" err && grep -F "not by governmental experts of the State under review" err &&
	grep -F "(policy: kinds.observations_draft.agreed_by; para 39)" err &&
	[ "$(log_size)" = "$before" ] &&
	pal fra_fp --json agree "$d1" >a.json &&
	[ "$(jq -r .document a.json)" = "$d1" ] && [ "$(jq -r .state a.json)" = FRA ] &&
	[ "$(jq -r .kind a.json)" = observations_draft ] &&
	[ "$(log_size)" = $((before + 1)) ] &&
	pal fra_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r ".agreements[0].document" s.json)" = "$d1" ] &&
	[ "$(jq -r ".agreements[0].agreed[0].state" s.json)" = FRA ] &&
	[ "$(jq -r ".agreements[0].agreed[0].user_id" s.json)" = fr-fp-martin ] &&
	[ "$(jq -r ".agreements[0].final" s.json)" = false ] &&
	pal fra_fp status "$REVIEW" >s.txt &&
	grep -q "^  observations_draft ${d1%${d1#????????????}}: agreed by FRA (fr-fp-martin); waiting for ITA BRA$" s.txt
'

test_expect_success 'a newer draft starts afresh: the stale draft is refused' '
	d1=$(head -n 1 d1.out) &&
	echo "Draft list of observations, version 2." >d2.txt &&
	pal fra_fp send "$REVIEW" --kind observations_draft d2.txt >d2.out &&
	d2=$(head -n 1 d2.out) && before=$(log_size) &&
	exit_is 5 pal ita_fp agree "$d1" 2>err &&
	grep -F "draft ${d1%${d1#????????????}} is stale: a newer observations_draft (${d2%${d2#????????????}}) on the channel review superseded it" err &&
	[ "$(log_size)" = "$before" ] &&
	pal ita_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r ".agreements[0].document" s.json)" = "$d2" ] &&
	[ "$(jq ".agreements[0].agreed | length" s.json)" = 0 ]
'

test_expect_success 'a draft the State under review cannot read is not agreed to' '
	echo "Working notes of the reviewing States." >notes.txt &&
	pal fra_fp send "$REVIEW" --kind observations_draft --channel reviewers notes.txt >n.out &&
	n=$(head -n 1 n.out) && pal ita_fp sync >/dev/null && before=$(log_size) &&
	exit_is 5 pal ita_fp agree "$n" 2>err &&
	grep -F "it-fp-rossi cannot read draft ${n%${n#????????????}} (channel reviewers), so they cannot agree to it" err &&
	[ "$(log_size)" = "$before" ] &&
	pal ita_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r ".agreements[0].document" s.json)" = "$(head -n 1 d2.out)" ] &&
	[ "$(jq -r ".agreements[0].channel" s.json)" = review ] &&
	[ "$(jq ".agreements | length" s.json)" = 2 ]
'

test_expect_success 'every party agrees to the newest draft: it is final' '
	d2=$(head -n 1 d2.out) &&
	pal ita_fp agree "$d2" >out && grep -q "^ITA agreed to observations_draft" out &&
	pal bra_fp agree "$d2" >/dev/null &&
	pal fra_fp sync >/dev/null && pal fra_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r ".agreements[0].final" s.json)" = false ] &&
	[ "$(jq -r ".agreements[0].waiting | join(\" \")" s.json)" = FRA ] &&
	pal fra_fp agree "$d2" >/dev/null &&
	pal ita_exp sync >/dev/null && pal ita_exp --json status "$REVIEW" >s.json &&
	[ "$(jq -r ".agreements[0].final" s.json)" = true ] &&
	[ "$(jq ".agreements[0].agreed | length" s.json)" = 3 ] &&
	pal ita_exp status "$REVIEW" | grep -q "^  observations_draft ${d2%${d2#????????????}}: agreed by .*; final$"
'

test_expect_success 'agreement to a list of observations in the summary stage is refused' '
	d2=$(head -n 1 d2.out) &&
	pal root admin review advance "$REVIEW" >/dev/null && before=$(log_size) &&
	exit_is 5 pal bra_fp agree "$d2" 2>err &&
	grep -F "may not be agreed to in the stage '"'"'summary'"'"', only in: observations" err &&
	[ "$(log_size)" = "$before" ]
'

test_done
