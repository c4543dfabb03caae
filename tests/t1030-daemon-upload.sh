#!/bin/sh
# Envelope uploads, verified while they stream: accepted when the author's
# role may write that kind on that channel now; refused (and not stored)
# when tampered, written by an observer, or of a kind the role may not
# write; size limits; listings with a cursor; downloads with Range.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# put WHO ENVELOPE OUT: uploads ENVELOPE as WHO under a new upload id.
put() { api "$1" PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body "$2" >"$3"; }

# nothing_stored ID: envelope ID is neither listed, served nor on disk.
nothing_stored() {
	api sec GET "/v1/reviews/$REVIEW/envelopes" >list.out && status_is 200 list.out &&
	! body_of list.out | jq -r ".envelopes[].id" | grep -qx "$1" &&
	api sec GET "/v1/envelopes/$1" >get.out && problem_is 404 not-found get.out &&
	test -z "$(stored_at "$DATA" "$1")" &&
	test -z "$(ls "$DATA/uploads")"
}

test_expect_success 'a focal point of the State under review uploads a questionnaire response (201)' '
	random_file answers.pdf 200000 &&
	id=$(seal ita_fp questionnaire_response review answers.pdf q1.env) &&
	put ita_fp q1.env out && status_is 201 out &&
	test "$(body_of out | jq -r .id)" = "$id" &&
	test "$(body_of out | jq -r .size)" = "$(wc -c <q1.env)" &&
	echo "$id" >q1.id &&
	test -f "$DATA/blobs/$(echo "$id" | cut -c1-2)/$id" &&
	test -z "$(ls "$DATA/uploads")"
'

test_expect_success 'the same envelope again is 200 with the same seq' '
	seq=$(body_of out | jq .seq 2>/dev/null || true)
	put ita_fp q1.env again && status_is 200 again &&
	test "$(body_of again | jq -r .id)" = "$(cat q1.id)" &&
	api sec GET "/v1/reviews/$REVIEW/envelopes" >list && status_is 200 list &&
	test "$(body_of list | jq ".envelopes | length")" = 1
'

test_expect_success 'every member downloads it whole, and it opens' '
	id=$(cat q1.id) &&
	api fra_fp GET "/v1/envelopes/$id" --output got --headers >out && status_is 200 out &&
	grep -qi "^accept-ranges: bytes" out &&
	grep -qi "^content-type: application/octet-stream" out &&
	cmp got q1.env &&
	plmtest open --author "$ID/ita_fp.cert" --keys "$ID/keys.1" --in got --out plain >opened &&
	test "$(cat opened)" = "$id" && cmp plain answers.pdf
'

test_expect_success 'Range downloads: a slice, a suffix, an open end' '
	id=$(cat q1.id) && size=$(wc -c <q1.env) &&
	api ita_obs GET "/v1/envelopes/$id" --header "Range: bytes=1000-70999" \
		--output part --headers >out && status_is 206 out &&
	grep -qi "^content-range: bytes 1000-70999/$size" out &&
	dd if=q1.env of=want bs=1000 skip=1 count=70 2>/dev/null && cmp part want &&
	api ita_obs GET "/v1/envelopes/$id" --header "Range: bytes=-100" --output tail >out &&
	status_is 206 out && tail -c 100 q1.env >want && cmp tail want &&
	api ita_obs GET "/v1/envelopes/$id" --header "Range: bytes=150000-" --output rest >out &&
	status_is 206 out && tail -c +150001 q1.env >want && cmp rest want
'

test_expect_success 'an unsatisfiable Range is 416 with the size; a malformed one is ignored' '
	id=$(cat q1.id) && size=$(wc -c <q1.env) &&
	api ita_obs GET "/v1/envelopes/$id" --header "Range: bytes=$size-" --headers >out &&
	status_is 416 out && grep -qi "^content-range: bytes \*/$size" out &&
	grep -qi "^content-type: application/problem+json" out &&
	api ita_obs GET "/v1/envelopes/$id" --header "Range: lines=1-2" --output whole >out &&
	status_is 200 out && cmp whole q1.env
'

test_expect_success 'a tampered envelope is refused (422) and not stored' '
	echo "our answer to question 3" >a3.txt &&
	id=$(seal ita_exp questionnaire_response review a3.txt a3.env) &&
	size=$(wc -c <a3.env) &&
	cp a3.env bad.env &&
	flip_byte bad.env $((size - 150)) &&
	! cmp -s a3.env bad.env &&
	put ita_exp bad.env out && problem_is 422 invalid-envelope out &&
	nothing_stored "$id"
'

test_expect_success 'an envelope with a forged signature is refused (422) and not stored' '
	id=$(seal ita_exp questionnaire_response review a3.txt a3b.env) &&
	size=$(wc -c <a3b.env) && cp a3b.env bad2.env &&
	flip_byte bad2.env $((size - 1)) && ! cmp -s a3b.env bad2.env &&
	put ita_exp bad2.env out && problem_is 422 invalid-envelope out &&
	body_of out | jq -r .detail | grep -q signature &&
	nothing_stored "$id"
'

test_expect_success 'garbage instead of an envelope is refused (422)' '
	random_file junk 5000 &&
	put ita_exp junk out && problem_is 422 invalid-envelope out &&
	test -z "$(ls "$DATA/uploads")"
'

test_expect_success 'an observer may not write: 403, not stored' '
	echo "an observer tries to write" >obs.txt &&
	id=$(seal ita_obs message review obs.txt obs.env) &&
	put ita_obs obs.env out && problem_is 403 policy out &&
	body_of out | jq -r .detail | grep -q "observer" &&
	nothing_stored "$id"
'

test_expect_success 'a reviewing State may not write a questionnaire response: 403, not stored' '
	id=$(seal fra_fp questionnaire_response review a3.txt fra-q.env) &&
	put fra_fp fra-q.env out && problem_is 403 policy out &&
	nothing_stored "$id" &&
	id=$(seal bra_exp questionnaire_response review a3.txt bra-q.env) &&
	put bra_exp bra-q.env out && problem_is 403 policy out &&
	nothing_stored "$id"
'

test_expect_success 'a kind outside its stage is refused: feedback during self-assessment (403)' '
	id=$(seal fra_fp feedback review a3.txt fb.env) &&
	put fra_fp fb.env out && problem_is 403 policy out &&
	nothing_stored "$id"
'

test_expect_success 'a reviewer writes a message on the reviewers channel (201)' '
	echo "let us divide the articles" >div.txt &&
	id=$(seal bra_exp message reviewers div.txt div.env) &&
	put bra_exp div.env out && status_is 201 out
'

test_expect_success 'the State under review may not write on the reviewers channel (403)' '
	id=$(seal sec message reviewers div.txt sec-div.env) &&
	put sec sec-div.env out && status_is 201 out &&
	plmtest seal --seed "$ID/ita_fp" --keys "$ID/keys.1" --review "$REVIEW" \
		--kind message --channel reviewers --in div.txt --out ita-div.env >/dev/null &&
	put ita_fp ita-div.env out && problem_is 403 policy out
'

test_expect_success 'an envelope must be uploaded by its author (403)' '
	id=$(seal ita_fp message review a3.txt by-fp.env) &&
	put ita_exp by-fp.env out && problem_is 403 policy out &&
	nothing_stored "$id"
'

test_expect_success 'an envelope of another review is refused (409)' '
	plmtest seal --seed "$ID/ita_fp" --keys "$ID/keys.1" --review "$REVIEW" --epoch 1 \
		--kind message --channel review --in a3.txt --out other.env >/dev/null &&
	api ita_fp PUT "/v1/reviews/no-such-review/uploads/$(upload_id)" --body other.env >out &&
	problem_is 404 not-found out
'

test_expect_success 'a bad upload id is 400' '
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/xyz" --body a3.env >out &&
	problem_is 400 bad-upload-id out
'

test_expect_success 'an envelope over its kind'"'"'s size limit: 413 or a closed connection, not stored' '
	head -c $((16 * 1024 * 1024 + 70000)) /dev/zero >big.bin &&
	id=$(seal ita_fp message review big.bin big.env) &&
	{ put ita_fp big.env out || true; } &&
	s=$(head -1 out) && { test "$s" = 413 || test "$s" = 0; } &&
	if test "$s" = 413; then problem_is 413 too-large out; fi &&
	nothing_stored "$id" &&
	api_unsigned GET /v1/health >h && status_is 200 h
'

test_expect_success 'an upload larger than any envelope may be is refused before its body (413)' '
	truncate -s 3G huge.env &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body huge.env \
		--sign-body /dev/null >out 2>err &&
	problem_is 413 too-large out &&
	test -z "$(ls "$DATA/uploads")" && rm -f huge.env
'

test_expect_success 'a record body over the limit is refused at once (413)' '
	head -c $((5 * 1024 * 1024)) /dev/zero >big.rec &&
	{ api sec POST "/v1/reviews/$REVIEW/records" --body big.rec >out || true; } &&
	s=$(head -1 out) && { test "$s" = 413 || test "$s" = 0; } &&
	api_unsigned GET /v1/health >h && status_is 200 h
'

test_expect_success 'the listing pages with a cursor (after, limit, next)' '
	for i in 1 2 3; do
		echo "message $i" >m$i.txt &&
		seal fra_fp message review m$i.txt m$i.env >m$i.id &&
		put fra_fp m$i.env out && status_is 201 out || return 1
	done &&
	api ita_obs GET "/v1/reviews/$REVIEW/envelopes" >all && status_is 200 all &&
	n=$(body_of all | jq ".envelopes | length") && test "$n" = 6 &&
	api ita_obs GET "/v1/reviews/$REVIEW/envelopes?limit=4" >p1 && status_is 200 p1 &&
	test "$(body_of p1 | jq ".envelopes | length")" = 4 &&
	next=$(body_of p1 | jq .next) &&
	test "$next" = "$(body_of p1 | jq ".envelopes[3].seq")" &&
	api ita_obs GET "/v1/reviews/$REVIEW/envelopes?limit=4&after=$next" >p2 &&
	test "$(body_of p2 | jq ".envelopes | length")" = 2 &&
	test "$(body_of p2 | jq -r ".envelopes[1].id")" = "$(cat m3.id)" &&
	next=$(body_of p2 | jq .next) &&
	api ita_obs GET "/v1/reviews/$REVIEW/envelopes?after=$next" >p3 &&
	test "$(body_of p3 | jq ".envelopes | length")" = 0 &&
	test "$(body_of p3 | jq .next)" = null &&
	body_of all | jq -r ".envelopes[].seq" >seqs && sort -n seqs | cmp - seqs &&
	body_of all | jq -e ".envelopes[0] | .channel == \"review\" and .kind == \"questionnaire_response\" and .epoch == 1" >/dev/null &&
	test "$(body_of all | jq -r ".envelopes[0].author")" = "$(fpr_of ita_fp)"
'

test_expect_success 'bad listing queries are 400 problem+json' '
	api ita_obs GET "/v1/reviews/$REVIEW/envelopes?after=x" >out && problem_is 400 bad-query out &&
	api ita_obs GET "/v1/reviews/$REVIEW/envelopes?limit=100000" >out && problem_is 400 bad-query out
'

test_expect_success 'SIGTERM lets an upload in flight finish (201), then exit 0' '
	random_file slow.bin 600000 &&
	id=$(seal ita_exp questionnaire_response review slow.bin slow.env) &&
	{ api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body slow.env \
		--rate 400000 >slow.out 2>&1 & } &&
	sleep 0.6 &&
	kill -TERM "$(daemon_pid)" &&
	test "$(daemon_wait)" = 0 &&
	wait &&
	status_is 201 slow.out &&
	daemon_start --data "$DATA" &&
	api sec GET "/v1/envelopes/$id" --output got >out && status_is 200 out && cmp got slow.env &&
	daemon_stop
'

test_expect_success 'no request was answered with a 5xx' '
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
test_done
