#!/bin/sh
# Request authentication (RFC 9421, PROTOCOL.md §8): a signed request from a
# certified key is accepted; unsigned, unknown-key, wrong-key, revoked-key,
# stale and replayed requests are refused with 401; a review the caller is
# not on looks exactly like a review that does not exist.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

test_expect_success 'the secretariat set up the deployment and the review' '
	api_unsigned GET /v1/root --output root.got >out && status_is 200 out &&
	cmp root.got "$ID/root.cert" &&
	api sec GET /v1/certificates >out && status_is 200 out &&
	test "$(body_of out | jq ".records | length")" = 8 &&
	api sec GET "/v1/reviews/$REVIEW/records" >out && status_is 200 out &&
	body_of out | jq -r ".records[].type" | tr "\n" " " >types &&
	test "$(cat types)" = "roster epoch_keys stage stage "
'

test_expect_success 'a signed request from a certified member is accepted' '
	api ita_fp GET /v1/reviews >out && status_is 200 out &&
	test "$(body_of out | jq -r ".reviews[0].review")" = "$REVIEW" &&
	test "$(body_of out | jq -r ".reviews[0].epoch")" = 1 &&
	grep -q "route=\"reviews\" status=200 .* key=$(head -c 8 "$ID/ita_fp.fpr")" "$TRASH/daemon.log"
'

test_expect_success 'a certified key on no roster sees no review' '
	api outsider GET /v1/reviews >out && status_is 200 out &&
	test "$(body_of out | jq ".reviews | length")" = 0
'

test_expect_success 'an unsigned request is refused (401)' '
	api_unsigned GET /v1/reviews >out && problem_is 401 unauthorized out &&
	body_of out | jq -r .detail | grep -q "not signed"
'

test_expect_success 'a key with no certificate is refused (401)' '
	api stranger GET /v1/reviews >out && problem_is 401 unauthorized out &&
	body_of out | jq -r .detail | grep -q "no certificate"
'

test_expect_success 'a signature by another key than the keyid is refused (401)' '
	api stranger GET /v1/reviews --claim "$ID/ita_fp" >out &&
	problem_is 401 unauthorized out &&
	body_of out | jq -r .detail | grep -q "does not verify"
'

test_expect_success 'a signature over another URL is refused (401)' '
	api ita_fp GET /v1/reviews --sign-url "http://127.0.0.1:1/v1/reviews" >out &&
	problem_is 401 unauthorized out &&
	api ita_fp GET "/v1/reviews/$REVIEW/envelopes?after=0" \
		--sign-url "$URL/v1/reviews/$REVIEW/envelopes?after=1" >out &&
	problem_is 401 unauthorized out
'

test_expect_success 'a body that does not match its signed digest is refused (400)' '
	echo "the real body" >real && echo "another body" >other &&
	api sec POST /v1/certificates --body real --sign-body other >out &&
	problem_is 400 digest-mismatch out
'

test_expect_success 'a replayed request is refused (401), a fresh nonce is not' '
	now=$(date +%s) &&
	api ita_fp GET /v1/reviews --nonce replayNonce_0001 --created "$now" >out1 &&
	status_is 200 out1 &&
	api ita_fp GET /v1/reviews --nonce replayNonce_0001 --created "$now" >out2 &&
	problem_is 401 unauthorized out2 &&
	body_of out2 | jq -r .detail | grep -q "replay" &&
	api ita_fp GET /v1/reviews --nonce replayNonce_0002 --created "$now" >out3 &&
	status_is 200 out3 &&
	api fra_fp GET /v1/reviews --nonce replayNonce_0001 --created "$now" >out4 &&
	status_is 200 out4
'

test_expect_success 'a replayed upload is refused and stores nothing twice' '
	echo "a message from France" >msg &&
	id=$(seal fra_fp message review msg env) && uid=$(upload_id) &&
	now=$(date +%s) &&
	api fra_fp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body env \
		--nonce replayUpload_0001 --created "$now" >out1 && status_is 201 out1 &&
	api fra_fp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body env \
		--nonce replayUpload_0001 --created "$now" >out2 && problem_is 401 unauthorized out2
'

test_expect_success 'requests signed too long ago or in the future are refused (401)' '
	old=$(( $(date +%s) - 400 )) && future=$(( $(date +%s) + 400 )) &&
	api ita_fp GET /v1/reviews --created "$old" >out && problem_is 401 unauthorized out &&
	body_of out | jq -r .detail | grep -qi "clock" &&
	api ita_fp GET /v1/reviews --created "$future" >out && problem_is 401 unauthorized out
'

test_expect_success 'a revoked key is refused (401), before and after it worked' '
	plmtest identity "$ID/ita_old" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/ita_old" --user-id ita-old-laptop \
		--state ITA --serial 7 --out "$ID/ita_old.cert" >/dev/null &&
	api sec POST /v1/certificates --body "$ID/ita_old.cert" >out && status_is 201 out &&
	api ita_old GET /v1/reviews >out && status_is 200 out &&
	plmtest revoke --root "$ID/root" --seed "$ID/ita_old" --serial 7 \
		--reason device-lost --out "$ID/ita_old.revocation" >/dev/null &&
	api sec POST /v1/revocations --body "$ID/ita_old.revocation" >out && status_is 201 out &&
	api ita_old GET /v1/reviews >out && problem_is 401 unauthorized out &&
	body_of out | jq -r .detail | grep -q "revoked"
'

test_expect_success 'an expired certificate is refused (401)' '
	plmtest identity "$ID/expired" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/expired" --user-id ita-expired \
		--state ITA --not-before 1000000000 --not-after 1000086400 \
		--out "$ID/expired.cert" >/dev/null &&
	api sec POST /v1/certificates --body "$ID/expired.cert" >out && status_is 201 out &&
	api expired GET /v1/reviews >out && problem_is 401 unauthorized out
'

# The same request about the review, by a non-member, and about a review
# that does not exist: identical answers but for the review id in the path.
same_as_missing() {
	api "$1" "$2" "/v1/reviews/$REVIEW/$3" >real.out &&
	api "$1" "$2" "/v1/reviews/no-such-review/$3" >missing.out &&
	status_is 404 real.out &&
	sed "s/$REVIEW/no-such-review/g" real.out >real.norm &&
	cmp real.norm missing.out
}

test_expect_success 'a review the caller is not on looks exactly like one that does not exist' '
	same_as_missing outsider GET envelopes &&
	same_as_missing outsider GET records &&
	same_as_missing outsider HEAD uploads/0123456789abcdef0123456789abcdef &&
	same_as_missing outsider PUT uploads/0123456789abcdef0123456789abcdef &&
	problem_is 404 not-found real.out
'

test_expect_success 'an envelope of a review the caller is not on is not found (404)' '
	id=$(seal fra_fp message review msg env2) &&
	api fra_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body env2 >out &&
	status_is 201 out &&
	api outsider GET "/v1/envelopes/$id" >out && problem_is 404 not-found out &&
	api outsider GET "/v1/envelopes/$(echo "$id" | tr 0-9a-f 1-9a-f0)" >out2 &&
	problem_is 404 not-found out2 &&
	api ita_obs GET "/v1/envelopes/$id" --output got >out && status_is 200 out &&
	cmp got env2
'

test_expect_success 'only the secretariat publishes certificates, rosters and keys (403)' '
	api ita_fp POST /v1/certificates --body "$ID/ita_old.cert" >out && problem_is 403 forbidden out &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body "$ID/roster.1" >out &&
	problem_is 403 forbidden out
'

test_expect_success 'a second, different root is refused (409); the same one again is 200' '
	plmtest identity "$ID/root2" >/dev/null &&
	plmtest root-cert --root "$ID/root2" --out "$ID/root2.cert" >/dev/null &&
	api root2 POST /v1/root --body "$ID/root2.cert" >out && problem_is 409 root-conflict out &&
	api root POST /v1/root --body "$ID/root.cert" >out && status_is 200 out
'

test_expect_success 'a root certificate posted by another key is refused (401)' '
	api stranger POST /v1/root --body "$ID/root.cert" >out && problem_is 401 unauthorized out
'

test_expect_success 'a certificate is served by its fingerprint' '
	api ita_exp GET "/v1/certificates/$(fpr_of fra_fp)" --output got >out &&
	status_is 200 out && cmp got "$ID/fra_fp.cert" &&
	api ita_exp GET "/v1/certificates/$(fpr_of stranger)" >out && problem_is 404 not-found out
'

test_expect_success 'refusals are counted by reason in /v1/metrics' '
	api_unsigned GET /v1/metrics >m && status_is 200 m &&
	grep -q "^palermo_rejected_requests_total{reason=\"replay\"} [1-9]" m &&
	grep -q "^palermo_rejected_requests_total{reason=\"revoked\"} [1-9]" m &&
	grep -q "^palermo_rejected_requests_total{reason=\"unknown_key\"} [1-9]" m &&
	grep -q "^palermo_rejected_requests_total{reason=\"stale\"} [1-9]" m
'

test_expect_success 'SIGTERM: exit 0' 'daemon_stop'

test_expect_success 'a key that sends too many requests is slowed down (429)' '
	cat >rate.yaml <<-EOC &&
	limits:
	  requests_per_minute: 60
	EOC
	daemon_start --data "$DATA" --config rate.yaml &&
	i=0 && while [ $i -lt 30 ]; do
		api ita_fp GET /v1/reviews >"rate.$i"; i=$((i + 1));
	done &&
	grep -l "^429" rate.* >limited && test -s limited &&
	problem_is 429 rate-limited "$(head -1 limited)" &&
	api fra_fp GET /v1/reviews >out && status_is 200 out &&
	daemon_stop
'
test_done
