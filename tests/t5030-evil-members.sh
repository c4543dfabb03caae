#!/bin/sh
# The malicious relay and what members may do (docs/SECURITY.md, issues 5 and
# 9; DESIGN.md §1, §6). Italy's observer reads the review but may write
# nothing: the observer seals a message anyway (with the observer's own
# keys, as a patched client would) and the honest daemon refuses it; then
# palermod-evil, told to accept what it should refuse, stores, logs and
# serves it, and every member's client must refuse it by its own replay of
# policies/review.c. Then Brazil's expert is removed, and the server keeps
# serving the review to him as if nothing had changed: he verifies what
# it serves, holds no key of the new epoch, and is told so plainly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"
. "$(dirname "$0")/lib-evil.sh"

MEMBERS="ita_fp ita_obs fra_fp bra_exp"

evil_review ita_fp:it-fp-rossi:ITA:focal_point ita_obs:it-obs-verdi:ITA:observer \
	fra_fp:fr-fp-martin:FRA:focal_point bra_exp:br-exp-lima:BRA:expert

# keep_serving WHO: the stopped daemon's store lists WHO on the review again,
# so that it serves WHO everything as to a member.
keep_serving() {
	sqlite3 "$(ls "$DATA"/*.db)" "INSERT OR REPLACE INTO members(review, fpr, epoch)
		VALUES('$REVIEW', X'$(fpr_of_home "$1")', 2)"
}

OBSERVER_RULE="observers may read this review but not write to it (policy: roles.observer)"

# That the observer's own client refuses to write, and that the daemon refuses
# an observer's upload, are t2200's; here the same upload is first refused,
# then forced through.
test_expect_success 'an observer'"'"'s document, sealed with the observer'"'"'s keys, is refused by the daemon' '
	mkdir -p "$ID" &&
	"$PLMEVIL" export-seed --keystore "$HOMES/ita_obs/identity.key" --out "$ID/ita_obs" &&
	sqlite3 "$HOMES/ita_obs/state.db" \
		"SELECT writefile(\"epoch-keys.bin\", bytes) FROM records WHERE type = 4 ORDER BY seq DESC LIMIT 1" >/dev/null &&
	"$PLMEVIL" channel-key --seed "$ID/ita_obs" --record epoch-keys.bin --channel review >"$ID/keys.1" &&
	echo "Italy has in fact not criminalized participation (says the observer)." >forged.txt &&
	seal ita_obs message review forged.txt forged.env >forged.id &&
	api ita_obs PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body forged.env >out &&
	problem_is 403 policy out &&
	[ "$(body_of out | jq -r .detail)" = "$OBSERVER_RULE" ] &&
	[ -z "$(seq_of_envelope "$(cat forged.id)")" ]
'

test_expect_success 'stored, logged and served by a daemon forced to accept it, every client refuses it' '
	evil_daemon_restart accept &&
	api ita_obs PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body forged.env >out &&
	status_is 201 out &&
	id=$(cat forged.id) && seq=$(seq_of_envelope "$id") && [ -n "$seq" ] &&
	evil_daemon_restart &&
	for who in $MEMBERS; do
		exit_is 3 pal $who sync >out 2>err &&
		grep "VERIFICATION FAILED: review $REVIEW, log entry $seq, envelope $(echo "$id" | cut -c1-12): $OBSERVER_RULE" err &&
		[ "$(pal $who --json list --all "$REVIEW" | jq -r ".documents[] | select(.id == \"$id\") | .status")" = refused ] &&
		exit_is 3 pal $who get "$id" -o got.txt 2>err && [ ! -e got.txt ] || return 1
	done
'

test_expect_success 'a removed member served the new epoch verifies it and is told he holds no key' '
	pal root admin review remove "$REVIEW" br-exp-lima >/dev/null &&
	pal ita_fp sync >/dev/null &&
	echo "Written after Brazil'"'"'s expert left." | pal ita_fp send "$REVIEW" --title "After" >sent &&
	id=$(head -n 1 sent | cut -d " " -f 1) &&
	daemon_stop &&
	keep_serving bra_exp &&
	daemon_start --data "$DATA" --port "$PORT" &&
	pal bra_exp sync >out 2>err &&
	grep "^$REVIEW: roster epoch 2 signed by " out &&
	grep "^  - br-exp-lima (BRA) as expert$" out &&
	grep "1 new document" out &&
	[ "$(pal bra_exp --json list --all "$REVIEW" | jq -r ".documents[] | select(.id == \"$id\") | .status")" = unreadable ] &&
	exit_is 6 pal bra_exp get "$id" -o got.txt 2>err &&
	grep "you hold no key to this message: it is on channel review of epoch 2, which you cannot read" err &&
	[ ! -e got.txt ] &&
	! grep -r -a -F "Written after" "$HOMES/bra_exp"
'

test_expect_success 'the released daemon has no such mode: the hook is compiled out' '
	grep -a -q PLM_EVIL "$PALERMOD" &&
	! grep -a -q PLM_EVIL "$PLM_BIN/palermod"
'

test_done
