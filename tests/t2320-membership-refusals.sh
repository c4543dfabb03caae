#!/bin/sh
# Clients verify the roster chain themselves (DESIGN.md §1, §5): a server
# that logs a roster the root did not sign, an older roster replayed, or a
# second roster for an epoch already seen (a fork of the chain) gets each
# one refused by every member's client, loudly, and the member keeps the
# roster it verified. To make the server accept what its own checks (the
# same policies/review.c) would refuse, the script edits its data folder
# with sqlite3 between restarts: it forgets the review's newest records, or
# is told another key is the root (then it keeps none of the review's
# records signed by the true root, and takes a new first roster). The log itself stays append-only and
# consistent, so only the roster checks of the client can catch it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp bra_fp &&
	create_review "$REVIEW" it-fp-rossi:focal_point fr-fp-martin:focal_point \
		br-fp-souza:focal_point &&
	pal root admin review add "$REVIEW" --member it-exp-bianchi:expert &&
	pal fra_fp sync
}

setup_with setup_people

key_of() { echo "$HOMES/$1/identity.key"; }

# roster OUT SIGNER EPOCH [PREV]: a roster of the review (epoch 1's members)
# signed by the keys of home SIGNER, chained to the roster file PREV.
roster() {
	plmtest roster --root "$(key_of "$2")" --review "$REVIEW" --policy "$POLICY" \
		--sur ITA --cluster criminalization --instrument untoc:FRA,BRA --language en \
		--epoch "$3" ${4:+--prev "$4"} \
		--member "$(key_of root):unodc-root:UNODC:secretariat" \
		--member "$(key_of ita_fp):it-fp-rossi:ITA:focal_point" \
		--member "$(key_of fra_fp):fr-fp-martin:FRA:focal_point" \
		--member "$(key_of bra_fp):br-fp-souza:BRA:focal_point" \
		--out "$1" >/dev/null
}

# stored_roster EPOCH OUT: the server's copy of the roster of EPOCH.
stored_roster() {
	sqlite3 "$(ls "$DATA"/*.db)" \
		"SELECT writefile('$2', bytes) FROM records WHERE type = 3 AND epoch = $1" >/dev/null &&
	test -s "$2"
}

# post FILE: the record, sent by the root (the secretariat) to the server.
post() {
	plmtest req --seed "$(key_of root)" --body "$1" \
		POST "$URL/v1/reviews/$REVIEW/records" >post.out &&
	status_is 201 post.out
}

# restart SQL: the server stopped, its data folder changed by SQL, started
# again on the same port (it rebuilds the review from what is left).
restart() {
	port=$PORT && daemon_stop &&
	sqlite3 "$(ls "$DATA"/*.db)" "$1" &&
	set +e && daemon_start --data "$DATA" --port "$port" && set -e
}

# kept_epoch_2: fra_fp still holds the roster of epoch 2 it verified.
kept_epoch_2() {
	pal fra_fp --json roster "$REVIEW" >ro.json &&
	[ "$(jq -r .epoch ro.json)" = 2 ] &&
	[ "$(jq -r ".members[] | select(.user_id == \"it-exp-bianchi\") | .role" ro.json)" = expert ]
}

test_expect_success 'the member has verified epoch 2' '
	kept_epoch_2 &&
	stored_roster 1 roster1.bin && stored_roster 2 roster2.bin
'

test_expect_success 'a forked chain (another roster for epoch 2, then its epoch 3) is refused' '
	restart "DELETE FROM records WHERE review = '"'$REVIEW'"' AND epoch = 2" &&
	roster fork2.bin root 2 roster1.bin && post fork2.bin &&
	roster fork3.bin root 3 fork2.bin && post fork3.bin &&
	exit_is 3 pal fra_fp sync >out 2>err &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: the roster of review $REVIEW at epoch 2 cannot follow epoch 2 (a second roster for the same epoch: the history has forked)" err &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: the roster of review $REVIEW at epoch 3 does not chain to the roster of epoch 2: the history has forked" err &&
	grep "2 items failed verification and were not kept" err &&
	! grep "roster epoch" out &&
	kept_epoch_2
'

test_expect_success 'an older roster replayed is refused' '
	restart "DELETE FROM records WHERE review = '"'$REVIEW'"'" &&
	roster old1.bin root 1 && post old1.bin &&
	exit_is 3 pal fra_fp sync >out 2>err &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: the roster of review $REVIEW at epoch 1 cannot follow epoch 2 (an older roster, replayed)" err &&
	grep "1 item failed verification" err &&
	kept_epoch_2
'

test_expect_success 'a roster signed by another key than the root is refused' '
	fpr=$(fpr_of_home ita_exp) &&
	restart "DELETE FROM records WHERE review = '"'$REVIEW'"';
		UPDATE meta SET value = X'"'"'$fpr'"'"' WHERE key = '"'root'"'" &&
	roster wild.bin ita_exp 1 && post wild.bin &&
	exit_is 3 pal fra_fp sync >out 2>err &&
	grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: a roster must be signed by the deployment root, and this one is signed by another key" err &&
	kept_epoch_2
'

test_expect_success 'none of it reached the member'"'"'s view of the review' '
	pal fra_fp --json roster "$REVIEW" >ro.json &&
	[ "$(jq -r ".history | length" ro.json)" = 2 ] &&
	pal fra_fp sync >out 2>err &&
	[ ! -s err ]
'

test_done
