#!/bin/sh
# Resumable uploads (docs/API.md "Uploads"): a client cut off mid-upload
# asks HEAD for the stored offset and sends the rest with Upload-Offset; a
# complete request carrying only a part is kept (202); a wrong offset is
# 409; the stored part is never served; the result verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# offset_of WHO UID: the Upload-Offset HEAD reports (retrying while busy).
offset_of() {
	i=0
	while :; do
		api "$1" HEAD "/v1/reviews/$REVIEW/uploads/$2" --headers >head.out || return 1
		if [ "$(head -1 head.out)" = 200 ]; then break; fi
		status_is 409 head.out || return 1
		i=$((i + 1)); [ $i -lt 50 ] || return 1
		sleep 0.1
	done
	sed -n 's/^[Uu]pload-[Oo]ffset: \([0-9]*\).*/\1/p' head.out
}

test_expect_success 'an upload cut after a prefix keeps the prefix, durably' '
	random_file law.pdf 1500000 &&
	seal ita_fp questionnaire_response review law.pdf law.env >law.id &&
	upload_id >law.uid &&
	{ api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(cat law.uid)" --body law.env \
		--max-bytes 400000 >cut.out 2>cut.err || true; } &&
	test "$(head -1 cut.out)" != 201 &&
	n=$(offset_of ita_fp "$(cat law.uid)") && echo "stored $n" &&
	test "$n" -gt 0 && test "$n" -le 400000 && echo "$n" >law.offset
'

test_expect_success 'the stored part is not listed, not served, not in the blob store' '
	api sec GET "/v1/reviews/$REVIEW/envelopes" >list && status_is 200 list &&
	test "$(body_of list | jq ".envelopes | length")" = 0 &&
	api sec GET "/v1/envelopes/$(cat law.id)" >out && problem_is 404 not-found out &&
	test -z "$(find "$DATA/blobs" -type f)"
'

test_expect_success 'resuming from a wrong offset is 409 offset-mismatch, naming the right one' '
	n=$(cat law.offset) &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(cat law.uid)" --body law.env \
		--offset $((n - 1)) >out && problem_is 409 offset-mismatch out &&
	body_of out | jq -r .detail | grep -q "resume from $n" &&
	test "$(offset_of ita_fp "$(cat law.uid)")" = "$n"
'

test_expect_success 'the part survives a restart' '
	daemon_stop && daemon_start --data "$DATA" &&
	test "$(offset_of ita_fp "$(cat law.uid)")" = "$(cat law.offset)"
'

test_expect_success 'sending the rest from the stored offset completes it (201) and it verifies' '
	n=$(cat law.offset) &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(cat law.uid)" --body law.env \
		--offset "$n" >out && status_is 201 out &&
	test "$(body_of out | jq -r .id)" = "$(cat law.id)" &&
	api fra_fp GET "/v1/envelopes/$(cat law.id)" --output got >out && status_is 200 out &&
	cmp got law.env &&
	test "$(plmtest verify --author "$ID/ita_fp.cert" --in got)" = "$(cat law.id)" &&
	plmtest open --author "$ID/ita_fp.cert" --keys "$ID/keys.1" --in got --out plain >/dev/null &&
	cmp plain law.pdf &&
	test -z "$(ls "$DATA/uploads")"
'

test_expect_success 'a complete request with only part of an envelope is kept: 202 and Upload-Offset' '
	random_file report.pdf 300000 &&
	seal ita_exp questionnaire_response review report.pdf report.env >report.id &&
	uid=$(upload_id) && echo "$uid" >report.uid &&
	head -c 100000 report.env >part1 &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body part1 --offset 0 --headers >out &&
	status_is 202 out && grep -qi "^upload-offset: 100000" out &&
	test "$(offset_of ita_exp "$uid")" = 100000 &&
	head -c 200000 report.env >part2 &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body part2 --offset 100000 \
		--headers >out && status_is 202 out && grep -qi "^upload-offset: 200000" out &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body report.env --offset 200000 >out &&
	status_is 201 out && test "$(body_of out | jq -r .id)" = "$(cat report.id)"
'

test_expect_success 'a part whose body fails its Content-Digest is refused (400) and not kept' '
	uid=$(upload_id) && head -c 50000 report.env >p50 && head -c 70000 report.env >p70 &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body p50 >out && status_is 202 out &&
	tail -c +50001 p70 >p70rest && echo "something else" >other &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body p70 --offset 50000 \
		--sign-body other >out &&
	problem_is 400 digest-mismatch out &&
	test "$(offset_of ita_exp "$uid")" = 50000 &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body report.env --offset 50000 >out &&
	status_is 200 out
'

test_expect_success 'a large body (hashed on its own thread) that fails its Content-Digest is refused' '
	random_file big.pdf 3000000 &&
	seal ita_exp questionnaire_response review big.pdf big.env >big.id &&
	cp big.env bigflip.env && size=$(wc -c <big.env) &&
	flip_byte bigflip.env $((size - 10)) && ! cmp -s big.env bigflip.env &&
	uid=$(upload_id) &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body big.env \
		--sign-body bigflip.env >out &&
	problem_is 400 digest-mismatch out &&
	test "$(offset_of ita_exp "$uid")" = 0 &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body big.env >out &&
	status_is 201 out && test "$(body_of out | jq -r .id)" = "$(cat big.id)"
'

test_expect_success 'an upload id belongs to its sender: another member sees offset 0' '
	uid=$(upload_id) &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body part1 >out && status_is 202 out &&
	test "$(offset_of ita_fp "$uid")" = 0 &&
	test "$(offset_of ita_exp "$uid")" = 100000
'

test_expect_success 'a resumed upload whose rest is tampered is refused (422) and dropped' '
	seal ita_exp questionnaire_response review report.pdf report2.env >/dev/null &&
	uid=$(upload_id) &&
	head -c 100000 report2.env >r2part &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body r2part >out && status_is 202 out &&
	cp report2.env evil2.env &&
	flip_byte evil2.env 250000 && ! cmp -s report2.env evil2.env &&
	api ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body evil2.env --offset 100000 >out &&
	problem_is 422 invalid-envelope out &&
	test "$(offset_of ita_exp "$uid")" = 0
'

test_expect_success 'a resume while the first request still runs is 409 upload-busy' '
	random_file slow.pdf 800000 &&
	seal ita_fp questionnaire_response review slow.pdf slow.env >slow.id &&
	uid=$(upload_id) &&
	{ api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body slow.env \
		--rate 500000 >slow.out 2>&1 & } &&
	sleep 0.5 &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body slow.env --offset 0 >busy.out &&
	api ita_fp HEAD "/v1/reviews/$REVIEW/uploads/$uid" >busyhead.out &&
	wait &&
	problem_is 409 upload-busy busy.out && status_is 409 busyhead.out &&
	status_is 201 slow.out
'

test_expect_success 'SIGTERM: exit 0, and nothing was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
test_done
