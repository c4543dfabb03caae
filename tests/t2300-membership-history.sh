#!/bin/sh
# History grants (DESIGN.md §5-§6, PROTOCOL.md §5.11): Italy's focal point
# is replaced mid-review, and the new one lists and decrypts what was
# written in the earlier epochs with their own keys, through a history
# grant signed by the root. A French expert added later, of another State
# and not replacing anyone, reads only what follows their arrival, and the
# CLI says why, until the secretariat grants them the history. Every
# member's sync shows the grant: who received which epochs, from whom.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_fp2 ita_exp ita_exp2 fra_fp fra_exp bra_fp &&
	create_review "$REVIEW" it-fp-rossi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point br-fp-souza:focal_point &&
	sync_all ita_fp fra_fp bra_fp
}

setup_with setup_people

test_expect_success 'epoch 1: Italy writes to the review, Brazil to the reviewers' '
	echo "Italy nominates its experts (epoch 1)." >m1.txt &&
	pal ita_fp send "$REVIEW" --title "Nomination" m1.txt >s1 &&
	id_of s1 >m1.id &&
	echo "Who drafts the feedback? (epoch 1)" >r1.txt &&
	pal bra_fp send "$REVIEW" --channel reviewers --title "Dividing the work" r1.txt >r1 &&
	id_of r1 >r1.id
'

test_expect_success 'epoch 2: a French expert joins, not replacing anyone: no grant' '
	pal root admin review add "$REVIEW" --member fr-exp-dubois:expert >out &&
	grep "epoch 2" out && ! grep "history" out &&
	pal fra_fp sync >/dev/null &&
	echo "France will take articles 5 and 6 (epoch 2)." >m2.txt &&
	pal fra_fp send "$REVIEW" --title "Articles 5 and 6" m2.txt >s2 &&
	id_of s2 >m2.id
'

test_expect_success 'epoch 3: the focal point is replaced; the new one gets the history' '
	pal root admin review add "$REVIEW" --member it-fp-neri:focal_point \
		--remove it-fp-rossi >out &&
	grep "epoch 3" out &&
	grep "^it-fp-neri receives the history of review $REVIEW: epochs 1-2\.$" out &&
	db=$(ls "$DATA"/*.db) &&
	[ "$(sqlite3 "$db" "SELECT count(*) FROM records WHERE type = 9")" = 1 ] &&
	[ "$(sqlite3 "$db" "SELECT epoch FROM records WHERE type = 9")" = 3 ]
'

test_expect_success 'sync shows the grant to every member: who, which epochs, by whom' '
	pal fra_fp sync >out &&
	grep "^$REVIEW: roster epoch 3 signed by UNODC Secretariat (UNODC)" out &&
	grep "^  + it-fp-neri (ITA) as focal_point$" out &&
	grep "^  - it-fp-rossi (ITA) as focal_point$" out &&
	grep "^$REVIEW: it-fp-neri (ITA) as focal_point received the history of epochs 1-2, granted by UNODC Secretariat (UNODC) on " out &&
	pal bra_fp --json sync >s.json &&
	[ "$(jq -r ".history_grants | length" s.json)" = 1 ] &&
	[ "$(jq -r ".history_grants[0].user_id" s.json)" = it-fp-neri ] &&
	[ "$(jq -r ".history_grants[0].epochs | join(\",\")" s.json)" = 1,2 ] &&
	[ "$(jq -r ".history_grants[0].epoch" s.json)" = 3 ] &&
	[ "$(jq -r ".history_grants[0].granted_by" s.json)" = "UNODC Secretariat" ]
'

test_expect_success 'status and roster show every roster change and the grant' '
	pal bra_fp status "$REVIEW" >st.txt &&
	grep "^Roster changes:$" st.txt &&
	grep "^  epoch 3, [0-9-]* [0-9:]* UTC, signed by UNODC Secretariat$" st.txt &&
	grep "^    + it-fp-neri (ITA) as focal_point$" st.txt &&
	grep "^    - it-fp-rossi (ITA) as focal_point$" st.txt &&
	grep "^    + fr-exp-dubois (FRA) as expert$" st.txt &&
	grep "^    \* it-fp-neri (ITA) received the history of epochs 1-2, granted by UNODC Secretariat on " st.txt &&
	pal bra_fp --json status "$REVIEW" >st.json &&
	[ "$(jq -r ".roster_changes | length" st.json)" = 3 ] &&
	[ "$(jq -r ".roster_changes[2].grants[0].user_id" st.json)" = it-fp-neri ] &&
	[ "$(jq -r ".roster_changes[2].grants[0].epochs | join(\",\")" st.json)" = 1,2 ] &&
	[ "$(jq -r ".roster_changes[1].changes[0].user_id" st.json)" = fr-exp-dubois ] &&
	pal bra_fp --json roster "$REVIEW" >ro.json &&
	[ "$(jq -c .history ro.json)" = "$(jq -c .roster_changes st.json)" ] &&
	pal bra_fp roster "$REVIEW" >ro.txt &&
	grep "^    \* it-fp-neri (ITA) received the history of epochs 1-2" ro.txt
'

test_expect_success 'the new focal point lists and decrypts the earlier epochs' '
	pal ita_fp2 sync >out 2>err &&
	grep "it-fp-neri (ITA) as focal_point received the history of epochs 1-2" out &&
	[ ! -s err ] &&
	pal ita_fp2 --json list "$REVIEW" >l.json &&
	[ "$(jq -r "[.documents[] | select(.status == \"verified\")] | length" l.json)" = 2 ] &&
	[ "$(jq -r "[.documents[].title] | sort | join(\",\")" l.json)" = "Articles 5 and 6,Nomination" ] &&
	mkdir -p neri && cd neri &&
	pal ita_fp2 get "$(cat ../m1.id)" >/dev/null && cmp ../m1.txt m1.txt &&
	pal ita_fp2 get "$(cat ../m2.id)" >/dev/null && cmp ../m2.txt m2.txt &&
	cd .. &&
	pal ita_fp2 --json thread "$REVIEW" >t.json &&
	[ "$(jq -r ".threads | length" t.json)" = 2 ] &&
	echo "The new focal point answers (epoch 3)." |
		pal ita_fp2 send "$REVIEW" --title "Taking over" >/dev/null
'

test_expect_success 'the grant gives no key of a channel the role may not read' '
	exit_is 6 pal ita_fp2 get "$(cat r1.id)" 2>err &&
	grep "you hold no key to this message: it is on channel reviewers of epoch 1" err
'

test_expect_success 'the expert added without a grant cannot read the earlier epoch, and is told why' '
	pal fra_exp sync >/dev/null &&
	pal fra_exp --json list --all "$REVIEW" >l.json &&
	[ "$(jq -r "[.documents[] | select(.status == \"unreadable\")] | length" l.json)" = 2 ] &&
	[ "$(jq -r "[.documents[] | select(.status == \"verified\")] | length" l.json)" = 2 ] &&
	exit_is 6 pal fra_exp get "$(cat m1.id)" -o leak.txt 2>err &&
	test ! -e leak.txt &&
	grep "you hold no key to this message: it is on channel review of epoch 1" err &&
	mkdir -p dubois && (cd dubois && pal fra_exp get "$(cat ../m2.id)" >/dev/null) &&
	cmp m2.txt dubois/m2.txt
'

test_expect_success 'admin review grant gives the French expert the history after all' '
	pal root admin review grant "$REVIEW" fr-exp-dubois >out &&
	grep "^fr-exp-dubois receives the history of review $REVIEW: epoch 1\.$" out &&
	pal fra_exp sync >out &&
	grep "fr-exp-dubois (FRA) as expert received the history of epoch 1," out &&
	mkdir -p dubois2 && cd dubois2 &&
	pal fra_exp get "$(cat ../m1.id)" >/dev/null && cmp ../m1.txt m1.txt &&
	pal fra_exp get "$(cat ../r1.id)" >/dev/null && cmp ../r1.txt r1.txt &&
	cd .. &&
	exit_is 6 pal root admin review grant "$REVIEW" fr-exp-dubois 2>err &&
	grep "already holds every key" err &&
	exit_is 6 pal root admin review grant "$REVIEW" it-fp-rossi 2>err &&
	grep "is not on review $REVIEW" err
'

test_expect_success 'a replacement with --no-history gets no grant and reads only what follows' '
	pal root admin review add "$REVIEW" --member it-exp-ferrari:expert \
		--remove it-exp-bianchi --no-history >out &&
	! grep "history" out &&
	pal ita_exp2 sync >out &&
	grep "^  + it-exp-ferrari (ITA) as expert$" out &&
	! grep "it-exp-ferrari (ITA) as expert received the history" out &&
	exit_is 6 pal ita_exp2 get "$(cat m1.id)" 2>err &&
	grep "you hold no key to this message" err
'

test_expect_success 'the server keeps both grants beside the rosters of epochs 1 to 4' '
	db=$(ls "$DATA"/*.db) &&
	[ "$(sqlite3 "$db" "SELECT count(*) FROM records WHERE type = 9")" = 2 ] &&
	pal ita_fp2 sync >/dev/null &&
	pal ita_fp2 --json roster "$REVIEW" >ro.json &&
	[ "$(jq -r .epoch ro.json)" = 4 ]
'

test_done
