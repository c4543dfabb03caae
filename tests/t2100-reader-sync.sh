#!/bin/sh
# palermo sync, reviews, status and roster (DESIGN.md §5-§9): the review of
# Italy under the Organized Crime Convention (criminalization cluster),
# reviewed by France and Brazil, is created by the secretariat; each member
# syncs it into their own home and verifies it; a German expert on no
# roster sees nothing of it. A roster change is shown to every member, and
# a record doctored on the server is refused loudly while everything else
# is kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

# The people of REVIEW-MECHANISM.md: Italy under review (focal point,
# expert, observer), France and Brazil reviewing (focal point and expert
# each), the secretariat (the root), and a German expert on no roster.
setup_people() {
	enrol_all ita_fp ita_exp ita_obs fra_fp fra_exp bra_fp bra_exp outsider &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point it-exp-bianchi:expert \
		it-obs-verdi:observer fr-fp-martin:focal_point fr-exp-dubois:expert \
		br-fp-souza:focal_point br-exp-lima:expert
}

setup_with setup_people

test_expect_success 'sync verifies the review and shows who is on its roster' '
	pal ita_fp sync >out 2>err &&
	grep "^$REVIEW: roster epoch 1 signed by UNODC Secretariat (UNODC)" out &&
	grep "^  + fr-fp-martin (FRA) as focal_point$" out &&
	grep "^  + it-obs-verdi (ITA) as observer$" out &&
	grep "^synced 1 review: 0 new documents, 4 records" out &&
	[ ! -s err ] &&
	pal ita_fp sync >again &&
	! grep "roster epoch" again &&
	grep "^synced 1 review: 0 new documents, 0 records, 0 certificates$" again
'

test_expect_success 'sync --json gives the same as a document' '
	pal fra_fp --json sync >sync.json &&
	[ "$(jq -r .reviews sync.json)" = 1 ] &&
	[ "$(jq -r .records sync.json)" = 4 ] &&
	[ "$(jq -r ".refused | length" sync.json)" = 0 ] &&
	[ "$(jq -r ".roster_changes[0].epoch" sync.json)" = 1 ] &&
	[ "$(jq -r ".roster_changes[0].changes | length" sync.json)" = 8 ] &&
	[ "$(jq -r "[.roster_changes[0].changes[] | select(.user_id == \"br-exp-lima\")][0].role" sync.json)" = expert ]
'

test_expect_success 'reviews lists the review with my role, for each member' '
	pal ita_fp --json reviews >r.json &&
	[ "$(jq -r ".reviews | length" r.json)" = 1 ] &&
	[ "$(jq -r ".reviews[0].review" r.json)" = "$REVIEW" ] &&
	[ "$(jq -r ".reviews[0].sur" r.json)" = ITA ] &&
	[ "$(jq -r ".reviews[0].cluster" r.json)" = criminalization ] &&
	[ "$(jq -r ".reviews[0].role" r.json)" = focal_point ] &&
	[ "$(jq -r ".reviews[0].side" r.json)" = sur ] &&
	[ "$(jq -r ".reviews[0].stage" r.json)" = self_assessment ] &&
	[ "$(jq -r ".reviews[0].instruments[0].reviewing | join(\",\")" r.json)" = BRA,FRA ] &&
	pal fra_fp --json reviews >f.json &&
	[ "$(jq -r ".reviews[0].side" f.json)" = reviewer ] &&
	pal fra_fp reviews >f.txt &&
	pal ita_exp sync >/dev/null &&
	grep -E "^$REVIEW +ITA +criminalization +focal_point +self_assessment$" f.txt
'

test_expect_success 'a member not synced yet knows no review' '
	pal ita_obs --json reviews >o.json &&
	[ "$(jq -r ".reviews | length" o.json)" = 0 ] &&
	exit_is 6 pal ita_obs status "$REVIEW" 2>err &&
	grep "run .palermo sync." err
'

test_expect_success 'a non-member gets nothing: no review, no roster, no status' '
	pal outsider sync >out &&
	grep "^synced 0 reviews: 0 new documents, 0 records" out &&
	[ "$(pal outsider --json reviews | jq ".reviews | length")" = 0 ] &&
	exit_is 6 pal outsider roster "$REVIEW" 2>err &&
	grep "is not known here" err &&
	exit_is 6 pal outsider list "$REVIEW" &&
	exit_is 6 pal outsider --json status "$REVIEW" &&
	[ -z "$(ls "$HOMES/outsider/cache")" ]
'

test_expect_success 'status shows the stage, the deadlines and the members' '
	pal fra_fp --json status "$REVIEW" >s.json &&
	[ "$(jq -r .stage.name s.json)" = self_assessment ] &&
	[ "$(jq -r .stage.number s.json)" = 3 ] &&
	[ "$(jq -r .stage.of s.json)" = 8 ] &&
	d=$(jq -c ".deadlines[] | select(.name == \"responses_submitted\")" s.json) &&
	[ "$(echo "$d" | jq -r .state)" = running ] &&
	days=$(echo "$d" | jq -r .days_left) && [ "$days" -ge 179 ] && [ "$days" -le 184 ] &&
	[ "$(jq -r ".deadlines[] | select(.name == \"focal_point_nominated\") | .state" s.json)" = passed ] &&
	[ "$(jq -r ".deadlines[] | select(.name == \"feedback_sent\") | .state" s.json)" = "not started" ] &&
	[ "$(jq -r ".deadlines[] | select(.name == \"feedback_sent\") | .due" s.json)" = null ] &&
	[ "$(jq -r ".members | length" s.json)" = 8 ] &&
	[ "$(jq -r ".members[] | select(.user_id == \"it-obs-verdi\") | .role" s.json)" = observer ] &&
	pal fra_fp status "$REVIEW" >s.txt &&
	grep "^Stage 3 of 8: self_assessment (self-assessment)" s.txt &&
	grep -E "^  questionnaire responses submitted +due [0-9-]{10}  [0-9]+ days left$" s.txt
'

test_expect_success 'roster shows the members with their fingerprints in groups' '
	pal bra_exp sync >/dev/null &&
	pal bra_exp --json roster "$REVIEW" >ro.json &&
	[ "$(jq -r .epoch ro.json)" = 1 ] &&
	[ "$(jq -r ".members | length" ro.json)" = 8 ] &&
	[ "$(jq -r ".members[] | select(.user_id == \"it-fp-rossi\") | .fingerprint" ro.json)" = "$(fpr_of_home ita_fp)" ] &&
	[ "$(jq -r ".members[] | select(.user_id == \"br-exp-lima\") | .side" ro.json)" = reviewer ] &&
	[ "$(jq -r ".history | length" ro.json)" = 1 ] &&
	pal bra_exp roster "$REVIEW" >ro.txt &&
	grep "^ITA (State under review)$" ro.txt &&
	grep "^BRA (reviewing State)$" ro.txt &&
	groups=$(fpr_of_home bra_exp | sed "s/..../& /g; s/ $//") &&
	grep -F "br-exp-lima" ro.txt | grep -F "$groups"
'

test_expect_success 'a roster change is shown to the members: who, in what role, by whom' '
	enrol ita_exp2 it-exp-ferrari "Sara Ferrari" ITA &&
	pal root admin review add "$REVIEW" --member it-exp-ferrari:expert \
		--remove it-exp-bianchi >/dev/null &&
	pal fra_fp sync >out &&
	grep "^$REVIEW: roster epoch 2 signed by UNODC Secretariat (UNODC) on " out &&
	grep "^  + it-exp-ferrari (ITA) as expert$" out &&
	grep "^  - it-exp-bianchi (ITA) as expert$" out &&
	[ "$(grep -c "^  [-+~] " out)" = 2 ] &&
	pal fra_fp --json roster "$REVIEW" >ro.json &&
	[ "$(jq -r ".history[1].epoch" ro.json)" = 2 ] &&
	[ "$(jq -r "[.history[1].changes[].change] | sort | join(\",\")" ro.json)" = added,removed ] &&
	pal fra_fp --quiet sync >quiet &&
	[ ! -s quiet ]
'

test_expect_success 'the removed member is told the server no longer lists the review' '
	pal ita_exp sync >out 2>err &&
	grep "no longer lists review $REVIEW for you" err &&
	[ "$(pal ita_exp --json sync 2>/dev/null | jq -r ".unlisted[0]")" = "$REVIEW" ]
'

# Issue 5: a removed expert, even holding a copy of the server's whole data
# folder, cannot read what is written after the removal: no key of the new
# epoch is sealed to them, the new document is sealed under that epoch, and
# its text is nowhere in the data folder.
test_expect_success 'the removed expert, with a copy of the data folder, holds no key to what follows' '
	pal ita_fp sync >/dev/null &&
	echo "Italy withdraws the reservation on article 23 (written after epoch 2)." |
		pal ita_fp send "$REVIEW" --title "Reservation withdrawn" >sent &&
	id=$(head -n 1 sent) &&
	cp -r "$DATA" stolen &&
	db=$(ls stolen/*.db) &&
	keys=$(sqlite3 "$db" "SELECT hex(bytes) FROM records WHERE type = 4 AND epoch = 2") &&
	test -n "$keys" &&
	gone=$(fpr_of_home ita_exp | tr a-f A-F) && kept=$(fpr_of_home ita_exp2 | tr a-f A-F) &&
	case "$keys" in *"$kept"*) ;; *) false ;; esac &&
	case "$keys" in *"$gone"*) false ;; *) ;; esac &&
	[ "$(sqlite3 "$db" "SELECT epoch FROM envelopes WHERE hex(id) = upper(\"$id\")")" = 2 ] &&
	! grep -r -a -F "withdraws the reservation" stolen &&
	! grep -r -a -F "Reservation withdrawn" stolen &&
	exit_is 6 pal ita_exp get "$id" -o leak.txt && test ! -e leak.txt
'

# doctor_record SEQ FROM TO: the server's copy of record SEQ with FROM
# replaced by TO (same length), under the id of the new bytes, so that only
# its signature can tell.
doctor_record() {
	db=$(ls "$DATA"/*.db) &&
	sqlite3 "$db" "SELECT writefile('rec.bin', bytes) FROM records WHERE seq = $1" >/dev/null &&
	sed "s/$2/$3/" rec.bin >rec2.bin && ! cmp -s rec.bin rec2.bin &&
	id=$(b2sum -l 256 rec2.bin | cut -c1-64) &&
	sqlite3 "$db" "UPDATE records SET bytes = readfile('rec2.bin'), id = X'$id' WHERE seq = $1"
}

test_expect_success 'a doctored record is refused loudly, the rest is kept' '
	db=$(ls "$DATA"/*.db) &&
	seq=$(sqlite3 "$db" "SELECT max(seq) FROM records WHERE type = 7") &&
	doctor_record "$seq" self_assessment self_assessmenx &&
	exit_is 3 pal ita_obs sync >out 2>err &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry $seq, stage [0-9a-f]\{12\}: .*signature" err &&
	grep "1 item failed verification and was not kept" err &&
	grep "roster epoch 2" out &&
	[ "$(pal ita_obs --json status "$REVIEW" | jq -r .stage.name)" = consultation ] &&
	[ "$(pal ita_obs --json roster "$REVIEW" | jq -r .epoch)" = 2 ]
'

test_done
