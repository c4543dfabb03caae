#!/bin/sh
# Bad input never gets a 5xx or a crash: malformed, oversized, truncated and
# stalled requests get a 4xx (as problem+json from palermod) or a closed
# connection, the daemon's memory stays bounded, and it keeps serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

cat >"$TRASH/palermod.yaml" <<EOC
limits:
  connection_timeout: 1
EOC
daemon_start --data "$DATA" --config "$TRASH/palermod.yaml" &&
	setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

healthy() { api_unsigned GET /v1/health >health.out && status_is 200 health.out; }

test_expect_success 'junk signed bodies on every write route: 4xx problem+json, never 5xx' '
	printf "" >empty && echo "not a record" >text && random_file junk 3000 &&
	printf "\\001\\001\\377\\377\\377\\377" >hugelen &&
	head -c 100 "$ID/roster.1" >truncated &&
	for body in empty text junk hugelen truncated; do
		for route in /v1/certificates /v1/revocations "/v1/reviews/$REVIEW/records"; do
			api sec POST "$route" --body $body >out &&
			s=$(head -1 out) && test "$s" -ge 400 && test "$s" -lt 500 &&
			body_of out | jq -e ".type and .title and .status and .detail" >/dev/null ||
				{ echo "$route $body:"; cat out; return 1; }
		done
		api root POST /v1/root --body $body >out && s=$(head -1 out) &&
		test "$s" -ge 400 && test "$s" -lt 500 || return 1
		api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body $body >out &&
		s=$(head -1 out) && { test "$s" = 422 || test "$s" = 202; } || { cat out; return 1; }
	done &&
	healthy
'

test_expect_success 'a record of another review, or of the wrong type for a route, is 400' '
	api sec POST "/v1/reviews/other-review/records" --body "$ID/roster.1" >out &&
	problem_is 400 invalid-record out &&
	api sec POST /v1/certificates --body "$ID/roster.1" >out && problem_is 400 invalid-record out &&
	api sec POST /v1/revocations --body "$ID/fra_fp.cert" >out && problem_is 400 invalid-record out
'

test_expect_success 'a record already applied, or out of order, is refused without a 5xx' '
	api sec POST "/v1/reviews/$REVIEW/records" --body "$ID/stage.1" >out && status_is 200 out &&
	plmtest stage --seed "$ID/sec" --review "$REVIEW" --seq 7 --from feedback --to dialogue \
		--out stage.bad >/dev/null &&
	api sec POST "/v1/reviews/$REVIEW/records" --body stage.bad >out && problem_is 409 conflict out &&
	plmtest stage --seed "$ID/ita_exp" --review "$REVIEW" --seq 3 --from self_assessment \
		--to feedback --out stage.fp >/dev/null &&
	api ita_exp POST "/v1/reviews/$REVIEW/records" --body stage.fp >out && problem_is 403 policy out
'

test_expect_success 'a body over the limit is drained (within bounds) and answered 413' '
	head -c $((6 * 1024 * 1024)) /dev/zero >six &&
	api sec POST "/v1/reviews/$REVIEW/records" --body six --header "Expect:" >out 2>err || true
	s=$(head -1 out) && { test "$s" = 413 || test "$s" = 0; } && healthy
'

test_expect_success 'a request cut in the middle of its body leaves the daemon serving' '
	random_file junk2 200000 &&
	{ api sec POST "/v1/reviews/$REVIEW/records" --body "$ID/epoch.1" --max-bytes 500 \
		>out 2>err || true; } &&
	{ api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body junk2 \
		--max-bytes 100000 >out 2>err || true; } &&
	healthy
'

test_expect_success 'a client that stops sending its body is cut off after connection_timeout' '
	seal ita_fp questionnaire_response review junk2 stall.env >/dev/null &&
	{ api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body stall.env \
		--max-bytes 50000 --stall 4 >out 2>err || true; } &&
	grep "route=\"upload\" status=0 bytes_in=50000 " "$TRASH/daemon.log" | tail -1 >line &&
	grep -q "note=\"connection closed\"" line &&
	ms=$(sed "s/.* ms=\\([0-9]*\\).*/\\1/" line) && echo "closed after $ms ms" &&
	test "$ms" -lt 3500 && healthy
'

test_expect_success 'a client that stops in the middle of its headers is cut off too' '
	printf "GET /v1/health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Slow: " >partial &&
	plmtest raw --port "$(cat "$TRASH/port")" --in partial >raw.out &&
	cat raw.out &&
	secs=$(sed -n "s/closed after \\([0-9]*\\)\\..*/\\1/p" raw.out) && test "$secs" -lt 4 &&
	healthy
'

test_expect_success 'malformed HTTP gets a 4xx or a closed connection' '
	printf "GARBAGE\\r\\n\\r\\n" >bad1 &&
	printf "GET /v1/health HTTP/1.1\\r\\nContent-Length: -5\\r\\nHost: x\\r\\n\\r\\n" >bad2 &&
	printf "PUT /v1/reviews/x/uploads/y HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n" >bad3 &&
	printf "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " >bad4 &&
	head -c 300000 /dev/zero | tr "\\0" a >>bad4 && printf "\\r\\n\\r\\n" >>bad4 &&
	printf "\\000\\001\\002\\r\\n\\r\\n" >bad5 &&
	for f in bad1 bad2 bad3 bad4 bad5; do
		plmtest raw --port "$(cat "$TRASH/port")" --in $f >raw.out &&
		first=$(head -1 raw.out) &&
		case "$first" in
		-|"HTTP/1.1 4"*|"HTTP/1.0 4"*) ;;
		*) echo "$f: $first"; return 1 ;;
		esac
	done &&
	healthy
'

test_expect_success 'request headers over 32 KiB: 431 (from palermod, with a problem), 30 KiB pass' '
	printf "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " >big431 &&
	head -c 40000 /dev/zero | tr "\\0" a >>big431 && printf "\\r\\n\\r\\n" >>big431 &&
	plmtest raw --port "$(cat "$TRASH/port")" --in big431 >raw.out &&
	head -1 raw.out | grep -q "^HTTP/1.1 431" &&
	grep "msg=request" "$TRASH/daemon.log" | grep -q "status=431 bytes_in=0 bytes_out=[1-9]" &&
	printf "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Big: " >big200 &&
	head -c 30000 /dev/zero | tr "\\0" a >>big200 && printf "\\r\\n\\r\\n" >>big200 &&
	plmtest raw --port "$(cat "$TRASH/port")" --in big200 >raw.out &&
	head -1 raw.out | grep -q "^HTTP/1.1 200" &&
	healthy
'

test_expect_success 'large bodies are streamed, not buffered: memory stays bounded' '
	head -c $((20 * 1024 * 1024)) /dev/urandom >twenty &&
	for i in 1 2 3; do
		{ api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body twenty \
			>out 2>/dev/null || true; } &&
		{ api sec POST /v1/certificates --body twenty >out 2>/dev/null || true; }
	done &&
	hwm=$(sed -n "s/^VmHWM:[[:space:]]*\\([0-9]*\\) kB/\\1/p" "/proc/$(daemon_pid)/status") &&
	echo "peak resident memory: $hwm kB" && test "$hwm" -lt 131072 &&
	healthy
'

test_expect_success 'SIGTERM: exit 0; no request was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
test_done
