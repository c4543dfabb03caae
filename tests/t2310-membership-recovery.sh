#!/bin/sh
# A lost device (DESIGN.md §5, issue 5): Italy's focal point loses her
# laptop in the middle of a review. The secretariat revokes the old
# certificate and certifies the keys of her new device (recertify), puts the
# new keys on the roster in place of the old ones (a new epoch, sealed to
# the new keys only), and a history grant gives her the keys of every
# earlier epoch: she reads the whole review again, nothing was lost with the
# laptop. The old key can no longer authenticate, nor author anything.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp bra_fp &&
	create_review "$REVIEW" it-fp-rossi:focal_point fr-fp-martin:focal_point \
		br-fp-souza:focal_point &&
	sync_all ita_fp fra_fp bra_fp
}

setup_with setup_people

test_expect_success 'two epochs of work on the old laptop' '
	echo "Italy nominates its experts (epoch 1, old laptop)." >m1.txt &&
	pal ita_fp send "$REVIEW" --title "Nomination" m1.txt >s1 && id_of s1 >m1.id &&
	echo "France asks about article 23 (epoch 1)." >m2.txt &&
	pal fra_fp send "$REVIEW" --title "Article 23" m2.txt >s2 && id_of s2 >m2.id &&
	pal root admin review add "$REVIEW" --member it-exp-bianchi:expert >out &&
	grep "epoch 2" out && ! grep history out &&
	pal ita_fp sync >/dev/null &&
	echo "Italy answers on article 23 (epoch 2, old laptop)." >m3.txt &&
	pal ita_fp send "$REVIEW" --title "Re: Article 23" m3.txt >s3 && id_of s3 >m3.id &&
	fpr_of_home ita_fp >old.fpr
'

test_expect_success 'the laptop is lost: revoke, and certify the new device'"'"'s keys' '
	code=$(invite it-fp-rossi "Giulia Rossi" ITA) &&
	pal ita_fp_new --json init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user it-fp-rossi --name "Giulia Rossi" --state ITA --kdf interactive >/dev/null &&
	pal root admin recertify it-fp-rossi --fingerprint "$(fpr_of_home ita_fp_new)" \
		--reason device_lost >out &&
	grep "Certified it-fp-rossi" out &&
	pal ita_fp_new sync >out &&
	grep "^synced 0 reviews" out
'

test_expect_success 'the old key no longer authenticates: 401, nothing read' '
	exit_is 5 pal ita_fp sync >out 2>err &&
	grep "(HTTP 401): the key that signed this request was revoked; ask the secretariat to certify your new keys" err &&
	grep "status=401 .*reason=revoked" "$TRASH/daemon.log" &&
	! grep "synced" out
'

test_expect_success 'the new keys replace the old on the roster, with the history' '
	pal root admin review add "$REVIEW" --member it-fp-rossi:focal_point >out 2>err &&
	grep "old keys leave review $REVIEW" err &&
	grep "epoch 3" out &&
	grep "^it-fp-rossi receives the history of review $REVIEW: epochs 1-2\.$" out &&
	db=$(ls "$DATA"/*.db) &&
	keys=$(sqlite3 "$db" "SELECT hex(bytes) FROM records WHERE type = 4 AND epoch = 3") &&
	old=$(tr a-f A-F <old.fpr) && new=$(fpr_of_home ita_fp_new | tr a-f A-F) &&
	case "$keys" in *"$new"*) ;; *) false ;; esac &&
	case "$keys" in *"$old"*) false ;; *) ;; esac
'

test_expect_success 'every member sees the change and the grant' '
	pal fra_fp sync >out &&
	grep "^$REVIEW: roster epoch 3 signed by UNODC Secretariat (UNODC)" out &&
	[ "$(grep -c "^  [-+] it-fp-rossi (ITA) as focal_point$" out)" = 2 ] &&
	grep "^$REVIEW: it-fp-rossi (ITA) as focal_point received the history of epochs 1-2, granted by UNODC Secretariat (UNODC)" out
'

test_expect_success 'the new device reads the whole review again, and writes' '
	pal ita_fp_new sync >out 2>err && [ ! -s err ] &&
	grep "received the history of epochs 1-2" out &&
	pal ita_fp_new --json list "$REVIEW" >l.json &&
	[ "$(jq -r "[.documents[] | select(.status == \"verified\")] | length" l.json)" = 3 ] &&
	mkdir -p new && cd new &&
	for m in m1 m2 m3; do
		pal ita_fp_new get "$(cat ../$m.id)" >/dev/null && cmp ../$m.txt $m.txt || exit 1
	done &&
	cd .. &&
	echo "Italy is back (epoch 3, new laptop)." |
		pal ita_fp_new send "$REVIEW" --title "Back" >s4 && id_of s4 >m4.id &&
	pal fra_fp sync >/dev/null && mkdir -p fra && cd fra &&
	pal fra_fp get "$(cat ../m4.id)" >/dev/null && cd .. &&
	grep -q "Italy is back" fra/*
'

test_expect_success 'the old key authors nothing: the server refuses its document' '
	db=$(ls "$DATA"/*.db) &&
	before=$(sqlite3 "$db" "SELECT count(*) FROM envelopes") &&
	echo "Forged from the lost laptop." |
		exit_is 5 pal ita_fp send "$REVIEW" --title "Forged" >out 2>err &&
	grep "refused to accept the upload (HTTP 401)" err &&
	[ "$(sqlite3 "$db" "SELECT count(*) FROM envelopes")" = "$before" ] &&
	pal fra_fp sync >out &&
	grep "^synced 1 review: 0 new documents" out
'

# What the old key might still sign is refused by every client as by the
# server: its certificate is revoked (client/local.c) and it is on no
# roster from epoch 3 on (policies/review.c, tests/unit/test_review.c).
test_expect_success 'the old key is on no roster of the new epoch' '
	pal fra_fp --json roster "$REVIEW" >ro.json &&
	[ "$(jq -r ".members[] | select(.user_id == \"it-fp-rossi\") | .fingerprint" ro.json)" = "$(fpr_of_home ita_fp_new)" ] &&
	! jq -r ".members[].fingerprint" ro.json | grep -F "$(cat old.fpr)"
'

test_done
