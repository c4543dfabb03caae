#!/bin/sh
# Rosters and epoch keys: the secretariat replaces Brazil's expert in a new
# epoch; the removed member loses access at once, envelopes sealed for the
# old epoch are refused, and the server holds the roster chain and the
# epoch-key rules exactly as every client does (policies/review.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# roster2 OUT [extra plmtest roster options]: epoch 2, Brazil's expert
# replaced by a new one.
roster2() {
	out=$1
	shift
	plmtest roster --root "$ID/root" --review "$REVIEW" --policy "$POLICY" \
		--sur ITA --cluster criminalization --instrument untoc:BRA,FRA --language en \
		--member "$ID/sec:sec-officer:UNODC:secretariat" \
		--member "$ID/ita_fp:ita-fp:ITA:focal_point" \
		--member "$ID/ita_exp:ita-expert:ITA:expert" \
		--member "$ID/ita_obs:ita-observer:ITA:observer" \
		--member "$ID/fra_fp:fra-fp:FRA:focal_point" \
		--member "$ID/bra_new:bra-expert-2:BRA:expert" \
		--out "$out" "$@" >/dev/null
}

test_expect_success 'before the change, Brazil'"'"'s expert reads the review' '
	echo "a message before the change" >m1.txt &&
	seal fra_fp message review m1.txt m1.env >m1.id &&
	api fra_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body m1.env >out &&
	status_is 201 out &&
	api bra_exp GET "/v1/envelopes/$(cat m1.id)" >out && status_is 200 out
'

test_expect_success 'a roster signed by someone else than the root is refused (403)' '
	plmtest identity "$ID/bra_new" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/bra_new" --user-id bra-expert-2 \
		--state BRA --out "$ID/bra_new.cert" >/dev/null &&
	api sec POST /v1/certificates --body "$ID/bra_new.cert" >out && status_is 201 out &&
	plmtest roster --root "$ID/sec" --review "$REVIEW" --policy "$POLICY" --prev "$ID/roster.1" \
		--sur ITA --cluster criminalization --instrument untoc:BRA,FRA --language en \
		--member "$ID/sec:sec-officer:UNODC:secretariat" --member "$ID/ita_fp:ita-fp:ITA:focal_point" \
		--out bad-signer.roster >/dev/null &&
	api sec POST "/v1/reviews/$REVIEW/records" --body bad-signer.roster >out &&
	problem_is 403 policy out
'

test_expect_success 'a roster that forks the chain, or skips an epoch, is refused (409)' '
	plmtest roster --root "$ID/root" --review "$REVIEW" --epoch 1 --policy "$POLICY" \
		--sur ITA --cluster criminalization --instrument untoc:BRA,FRA --language en \
		--member "$ID/sec:sec-officer:UNODC:secretariat" --out other.roster.1 >/dev/null &&
	roster2 fork.roster --prev other.roster.1 &&
	api sec POST "/v1/reviews/$REVIEW/records" --body fork.roster >out &&
	problem_is 409 conflict out &&
	roster2 skip.roster --prev "$ID/roster.1" --epoch 3 &&
	api sec POST "/v1/reviews/$REVIEW/records" --body skip.roster >out &&
	problem_is 409 conflict out
'

test_expect_success 'a member may not post a roster, even a valid one (403)' '
	roster2 "$ID/roster.2" --prev "$ID/roster.1" &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body "$ID/roster.2" >out &&
	problem_is 403 forbidden out
'

test_expect_success 'the secretariat posts epoch 2; the removed expert loses access at once' '
	api sec POST "/v1/reviews/$REVIEW/records" --body "$ID/roster.2" >out && status_is 201 out &&
	api bra_exp GET /v1/reviews >out && status_is 200 out &&
	test "$(body_of out | jq ".reviews | length")" = 0 &&
	api bra_exp GET "/v1/envelopes/$(cat m1.id)" >out && problem_is 404 not-found out &&
	api bra_exp GET "/v1/reviews/$REVIEW/envelopes" >out && problem_is 404 not-found out &&
	api bra_new GET /v1/reviews >out &&
	test "$(body_of out | jq -r ".reviews[0].epoch")" = 2
'

test_expect_success 'epoch keys that leave out a reader, or are for another epoch, are refused' '
	plmtest epoch-keys --root "$ID/root" --roster "$ID/roster.2" --policy "$POLICY" \
		--keys-out bad.keys --out bad.epoch --omit ita-observer \
		"$ID/sec" "$ID/ita_fp" "$ID/ita_exp" "$ID/ita_obs" "$ID/fra_fp" "$ID/bra_new" >/dev/null &&
	api sec POST "/v1/reviews/$REVIEW/records" --body bad.epoch >out &&
	problem_is 403 policy out &&
	body_of out | jq -r .detail | grep -q "not sealed to ita-observer" &&
	api sec POST "/v1/reviews/$REVIEW/records" --body "$ID/epoch.1" >out &&
	status_is 200 out &&
	plmtest roster --root "$ID/root" --review "$REVIEW" --policy "$POLICY" --prev "$ID/roster.2" \
		--sur ITA --cluster criminalization --instrument untoc:BRA,FRA --language en \
		--member "$ID/sec:sec-officer:UNODC:secretariat" --out small.roster >/dev/null &&
	plmtest epoch-keys --root "$ID/root" --roster small.roster --policy "$POLICY" \
		--keys-out small.keys --out small.epoch "$ID/sec" >/dev/null &&
	api sec POST "/v1/reviews/$REVIEW/records" --body small.epoch >out &&
	problem_is 409 conflict out
'

test_expect_success 'epoch keys of epoch 2 are accepted; a second set for the epoch is refused (409)' '
	plmtest epoch-keys --root "$ID/root" --roster "$ID/roster.2" --policy "$POLICY" \
		--keys-out "$ID/keys.2" --out "$ID/epoch.2" \
		"$ID/sec" "$ID/ita_fp" "$ID/ita_exp" "$ID/ita_obs" "$ID/fra_fp" "$ID/bra_new" >/dev/null &&
	plmtest epoch-keys --root "$ID/root" --roster "$ID/roster.2" --policy "$POLICY" \
		--keys-out other.keys --out other.epoch \
		"$ID/sec" "$ID/ita_fp" "$ID/ita_exp" "$ID/ita_obs" "$ID/fra_fp" "$ID/bra_new" >/dev/null &&
	api sec POST "/v1/reviews/$REVIEW/records" --body "$ID/epoch.2" >out && status_is 201 out &&
	api sec POST "/v1/reviews/$REVIEW/records" --body other.epoch >out && problem_is 409 conflict out
'

test_expect_success 'an envelope sealed for the old epoch is refused (409), one for epoch 2 accepted' '
	echo "late answer" >late.txt &&
	seal ita_fp questionnaire_response review late.txt old.env >/dev/null &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body old.env >out &&
	problem_is 409 conflict out &&
	body_of out | jq -r .detail | grep -q "epoch 1" &&
	plmtest seal --seed "$ID/ita_fp" --keys "$ID/keys.2" --review "$REVIEW" --epoch 2 \
		--kind questionnaire_response --channel review --in late.txt --out new.env >new.id &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body new.env >out &&
	status_is 201 out &&
	api bra_new GET "/v1/envelopes/$(cat new.id)" --output got >out && status_is 200 out &&
	plmtest open --author "$ID/ita_fp.cert" --keys "$ID/keys.2" --in got --out plain >/dev/null &&
	cmp plain late.txt
'

test_expect_success 'the new expert reads the history list; the records show both epochs' '
	api bra_new GET "/v1/reviews/$REVIEW/envelopes" >out && status_is 200 out &&
	test "$(body_of out | jq ".envelopes | length")" = 2 &&
	api bra_new GET "/v1/reviews/$REVIEW/records" >out && status_is 200 out &&
	test "$(body_of out | jq -r "[.records[].type] | join(\" \")")" = \
		"roster epoch_keys stage stage roster epoch_keys"
'

test_expect_success 'after a restart the review state is rebuilt from the log: same answers' '
	daemon_stop && daemon_start --data "$DATA" &&
	api bra_exp GET "/v1/reviews/$REVIEW/envelopes" >out && problem_is 404 not-found out &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body old.env >out &&
	problem_is 409 conflict out &&
	echo "after restart" >r.txt &&
	plmtest seal --seed "$ID/ita_exp" --keys "$ID/keys.2" --review "$REVIEW" --epoch 2 \
		--kind questionnaire_response --channel review --in r.txt --out r.env >/dev/null &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body r.env >out &&
	status_is 201 out &&
	daemon_stop
'
test_done
