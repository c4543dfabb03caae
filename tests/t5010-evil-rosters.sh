#!/bin/sh
# The malicious relay and membership (docs/SECURITY.md, issues 5 and 9;
# DESIGN.md §5-§6). Who may read is decided by signed rosters and
# certificates, so the server tries to change them: it serves a member's
# certificate with other keys, adds a member to a roster, lists an older
# roster again as if it were new, and -- the real daemon built as
# palermod-evil and told to accept what it should refuse -- stores, logs and
# serves a second roster for an epoch that forks the chain. Every member's
# client must refuse each, with exit status 3 and the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"
. "$(dirname "$0")/lib-evil.sh"

evil_review ita_fp:it-fp-rossi:ITA:focal_point ita_obs:it-obs-verdi:ITA:observer \
	fra_fp:fr-fp-martin:FRA:focal_point bra_fp:br-fp-souza:BRA:focal_point \
	bra_exp:br-exp-lima:BRA:expert outsider:de-exp-weber:DEU

# members_refuse PATTERN WHO...: each WHO syncs, exits 3, and says PATTERN.
members_refuse() {
	_pat=$1
	shift
	for who in "$@"; do
		exit_is 3 pal $who sync >out.$who 2>err.$who || { cat err.$who >&2; return 1; }
		grep "$_pat" err.$who || { cat err.$who >&2; return 1; }
	done
}

epoch_of() { pal "$1" --json roster "$REVIEW" | jq -r .epoch; }

test_expect_success 'a roster with one more member than the root signed is refused' '
	enrol ita_exp it-exp-bianchi "Marco Bianchi" ITA >/dev/null &&
	pal root admin review add "$REVIEW" --member it-exp-bianchi:expert >/dev/null &&
	evil_mode add-member "$(fpr_of_home outsider)" de-exp-weber DEU expert &&
	members_refuse "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: .*signature" ita_fp fra_fp &&
	[ "$(epoch_of ita_fp)" = 1 ] && [ "$(epoch_of fra_fp)" = 1 ] &&
	! pal fra_fp --json roster "$REVIEW" | grep de-exp-weber &&
	evil_mode honest
'

test_expect_success 'an older roster listed again as a new entry is refused' '
	db=$(ls "$DATA"/*.db) &&
	roster1=$(sqlite3 "$db" "SELECT lower(hex(id)) FROM records WHERE type = 3 AND epoch = 1") &&
	for who in bra_fp ita_obs; do pal $who sync >/dev/null || return 1; done &&
	[ "$(epoch_of bra_fp)" = 2 ] &&
	enrol swe_exp se-exp-berg "Eva Berg" SWE >/dev/null &&
	later=$(($(log_size) - 1)) &&
	evil_mode replay-record "$roster1" "$later" &&
	members_refuse "VERIFICATION FAILED: review $REVIEW, log entry $later, roster $(echo "$roster1" | cut -c1-12): the server proves $(echo "$roster1" | cut -c1-12) at another place than seq $later" bra_fp ita_obs &&
	evil_mode honest &&
	[ "$(epoch_of bra_fp)" = 2 ] && [ "$(epoch_of ita_obs)" = 2 ]
'

# A fork needs two rosters for one epoch signed by the root. The server
# gets one by withholding epoch 3 (its roster and epoch keys) from the
# secretariat's second laptop, which then signs another epoch 3 on epoch 2.
# The honest daemon refuses it (409); palermod-evil, told to accept it,
# stores and logs it after the real one, and every client refuses it by its
# own replay of policies/review.c.
test_expect_success 'a forked roster chain, stored and logged by the server, is refused' '
	pal bra_exp sync >/dev/null &&
	enrol bra_exp2 br-exp-costa "Rita Costa" BRA >/dev/null &&
	cp -a "$HOMES/root" "$HOMES/root2" &&
	enrol ita_exp2 it-exp-ferrari "Sara Ferrari" ITA >/dev/null &&
	pal root admin review add "$REVIEW" --member it-exp-ferrari:expert >/dev/null &&
	db=$(ls "$DATA"/*.db) &&
	hidden=$(sqlite3 "$db" "SELECT lower(hex(id)) FROM records WHERE review = \"$REVIEW\" AND epoch = 3" | tr "\n" " ") &&
	[ "$(echo $hidden | wc -w)" = 2 ] &&
	evil_mode hide $hidden &&
	exit_is 5 pal root2 admin review add "$REVIEW" --member br-exp-costa:expert >out 2>err &&
	grep "the server refused to accept the roster (HTTP 409): the roster of review $REVIEW at epoch 3 cannot follow epoch 3" err &&
	evil_daemon_restart accept &&
	pal root2 admin review add "$REVIEW" --member br-exp-costa:expert >out 2>err &&
	[ "$(sqlite3 "$db" "SELECT count(*) FROM records WHERE type = 3 AND epoch = 3")" = 2 ] &&
	evil_mode honest &&
	evil_daemon_restart &&
	members_refuse "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: the roster of review $REVIEW at epoch 3 cannot follow epoch 3" bra_fp ita_obs bra_exp &&
	for who in bra_fp ita_obs bra_exp; do
		grep "epoch_keys [0-9a-f]\{12\}: epoch keys for epoch 3 do not belong to the newest roster" err.$who &&
		[ "$(epoch_of $who)" = 3 ] &&
		pal $who --json roster "$REVIEW" | grep -q it-exp-ferrari &&
		! pal $who --json roster "$REVIEW" | grep -q br-exp-costa || return 1
	done
'

# Members who never synced meet the certificate of Brazil's expert for the
# first time with other public keys in it (the server's own, so that it
# could read what is sealed to her and sign in her name).
test_expect_success 'a certificate served with other keys is refused by every new member' '
	evil_mode swap-key br-exp-lima &&
	members_refuse "VERIFICATION FAILED: review deployment, log entry [0-9]*, certificate [0-9a-f]\{12\}: the certificate signature does not verify with the signer.s public key" ita_exp ita_exp2 &&
	for who in ita_exp ita_exp2; do
		[ "$(sqlite3 "$HOMES/$who/state.db" "SELECT count(*) FROM certificates WHERE user_id = \"br-exp-lima\"")" = 0 ] &&
		[ "$(sqlite3 "$HOMES/$who/state.db" "SELECT count(*) FROM certificates WHERE user_id = \"br-fp-souza\"")" = 1 ] || return 1
	done &&
	evil_mode honest
'

# A server holding a certified key of its own (here the German expert's,
# on no roster of this review) signs an epoch 4 that adds that key. The
# honest daemon refuses it (t1080); palermod-evil stores and logs it; every
# client refuses it: rosters are the root's alone (policies/review.c).
test_expect_success 'a roster signed by a certified key other than the root is refused' '
	mkdir -p "$ID" &&
	for who in root outsider ita_obs bra_fp bra_exp; do
		"$PLMEVIL" export-seed --keystore "$HOMES/$who/identity.key" --out "$ID/$who" || return 1
	done &&
	sqlite3 "$(ls "$DATA"/*.db)" "SELECT writefile(\"roster.3\", bytes) FROM records
		WHERE type = 3 AND epoch = 3 ORDER BY seq LIMIT 1" >/dev/null &&
	plmtest roster --root "$ID/outsider" --review "$REVIEW" --prev roster.3 --policy "$POLICY" \
		--sur ITA --cluster criminalization --instrument untoc:BRA,FRA --language en \
		--member "$ID/ita_obs:it-obs-verdi:ITA:observer" \
		--member "$ID/bra_fp:br-fp-souza:BRA:focal_point" \
		--member "$ID/bra_exp:br-exp-lima:BRA:expert" \
		--member "$ID/outsider:de-exp-weber:DEU:expert" --out roster.4 >/dev/null &&
	evil_daemon_restart accept &&
	api root POST "/v1/reviews/$REVIEW/records" --body roster.4 >out &&
	status_is 201 out &&
	evil_daemon_restart &&
	members_refuse "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, roster [0-9a-f]\{12\}: a roster must be signed by the deployment root, and this one is signed by another key" bra_fp ita_obs bra_exp &&
	for who in bra_fp ita_obs bra_exp; do
		[ "$(epoch_of $who)" = 3 ] || return 1
	done
'

test_done
