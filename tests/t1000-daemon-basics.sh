#!/bin/sh
# palermod alone: starts with no configuration on loopback, answers health
# and metrics, refuses unsigned requests with problem+json, logs one line
# per request, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

test_expect_success 'palermod --help and --version exit 0, a bad option 64' '
	"$PALERMOD" --help | grep -q "usage: palermod" &&
	"$PALERMOD" --version | grep -q "palermod" &&
	{ "$PALERMOD" --no-such-option 2>err; rc=$?; } ; test "$rc" = 64 &&
	grep -q usage err &&
	{ "$PALERMOD" --port 70000 2>err; rc=$?; } ; test "$rc" = 64 &&
	grep -q "from 0 to 65535" err
'

# No --config and no --data: the store goes in ./palermo-data.
cd "$TRASH" && daemon_start && cd "$OLDPWD" || echo "FAIL - $test_name/start"

test_expect_success 'a fresh daemon with no configuration answers curl on /v1/health' '
	curl -s "localhost:$PORT/v1/health" >health &&
	test "$(jq -r .status health)" = ok &&
	test "$(jq -r .log_size health)" = 0 &&
	test -f "$TRASH/palermo-data/palermo.db" &&
	test -d "$TRASH/palermo-data/blobs"
'

test_expect_success 'it listens on loopback only (127.0.0.1) by default' '
	grep -q "listening on 127.0.0.1 port $PORT (http)" "$TRASH/daemon.log"
'

test_expect_success 'the data folder and the log key are private (0700, 0600)' '
	test "$(stat -c %a "$TRASH/palermo-data")" = 700 &&
	test "$(stat -c %a "$TRASH/palermo-data/log.seed")" = 600
'

test_expect_success '/v1/metrics is Prometheus text' '
	curl -s -D hdr "http://127.0.0.1:$PORT/v1/metrics" >metrics &&
	grep -qi "^content-type: text/plain; version=0.0.4" hdr &&
	grep -q "^# TYPE palermo_requests_total counter" metrics &&
	grep -q "^palermo_requests_total{route=\"health\",method=\"GET\",status=\"2xx\"} 1$" metrics &&
	grep -q "^palermo_log_size 0$" metrics &&
	grep -q "^palermo_rejected_requests_total{reason=\"unsigned\"} 0$" metrics
'

test_expect_success 'an unsigned request is refused: 401 problem+json' '
	curl -s -D hdr "http://127.0.0.1:$PORT/v1/reviews" >body &&
	head -1 hdr | grep -q " 401" &&
	grep -qi "^content-type: application/problem+json" hdr &&
	test "$(jq -r .type body)" = /problems/unauthorized &&
	test "$(jq -r .status body)" = 401 &&
	test "$(jq -r .title body)" = Unauthorized &&
	jq -r .detail body | grep -q "not signed"
'

test_expect_success 'unknown paths are 404 and wrong methods 405, as problem+json' '
	api_unsigned GET /v1/nothing-here >out && problem_is 404 not-found out &&
	api_unsigned DELETE /v1/health >out && problem_is 405 method-not-allowed out &&
	api_unsigned GET / >out && problem_is 404 not-found out
'

test_expect_success 'a path that is not UTF-8, or would forge a log line, is still a 404' '
	api_unsigned GET "/v1/%FF%FE" >out && problem_is 404 not-found out &&
	api_unsigned GET "/v1/x%0Ats=forged%20level=info%20msg=request%22" >out &&
	problem_is 404 not-found out &&
	! grep -q "^ts=forged" "$TRASH/daemon.log" &&
	grep -q "route=\"/v1/x?ts=forged level=info msg=request?\" status=404" "$TRASH/daemon.log"
'

test_expect_success 'a too long URI is refused with 414' '
	long=$(head -c 3000 /dev/zero | tr "\\0" a) &&
	api_unsigned GET "/v1/$long" >out && status_is 414 out
'

test_expect_success 'every request is one log line with method, route, status and time' '
	n=$(grep -c "msg=request" "$TRASH/daemon.log") &&
	test "$n" -ge 8 &&
	grep "msg=request" "$TRASH/daemon.log" | grep -v "method=.* route=.* status=[0-9]* bytes_in=[0-9]* bytes_out=[0-9]* ms=[0-9.]* key=" >bad || true &&
	test ! -s bad &&
	grep -q "route=\"reviews\" status=401 .* reason=unsigned" "$TRASH/daemon.log"
'

test_expect_success 'unauthenticated reads: the log key, and GET /v1/root before any root' '
	api_unsigned GET /v1/log/key >out && status_is 200 out &&
	body_of out | jq -r .fingerprint >"$TRASH/logkey.1" &&
	test "$(wc -c <"$TRASH/logkey.1")" = 65 &&
	api_unsigned GET /v1/root >out && problem_is 404 no-root out
'

test_expect_success 'SIGTERM stops it with exit status 0' '
	daemon_stop &&
	grep -q "stopping: finishing requests in flight" "$TRASH/daemon.log"
'

test_expect_success 'a restart keeps the data folder and the log key' '
	cd "$TRASH" && daemon_start && cd - >/dev/null &&
	api_unsigned GET /v1/log/key >out && status_is 200 out &&
	body_of out | jq -r .fingerprint >logkey.2 &&
	cmp "$TRASH/logkey.1" logkey.2 &&
	grep -c "listening on" "$TRASH/daemon.log" | grep -qx 2 &&
	daemon_stop
'
test_done
