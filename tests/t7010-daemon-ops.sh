#!/bin/sh
# palermod in operation (docs/API.md §4.1, §7.4): readiness, the Prometheus
# counters moving with requests, and SIGHUP: a changed setting takes effect,
# a broken file changes nothing and the daemon keeps serving, a policy is
# replaced only while no review binds the old one, and a request in flight
# across the reload completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

CONF="$TRASH/palermod.yaml"
cp "$POLICY" "$TRASH/policy.yaml"
POLICY="$TRASH/policy.yaml"
printf 'policy: %s\nlimits:\n  max_request_bytes: 65536\n' "$POLICY" >"$CONF"
daemon_start --data "$DATA" --config "$CONF" ||
	echo "FAIL - $test_name/daemon start"

get() { curl -s "$URL$1"; }
# metric NAME_AND_LABELS: its value in a fresh scrape (0 when absent).
metric() {
	v=$(get /v1/metrics | awk -v k="$1" '$1 == k {print $2}')
	echo "${v:-0}"
}
# hup PATTERN: SIGHUP, then wait (up to 10 s) for a new log line matching PATTERN.
hup() {
	before=$(grep -c "SIGHUP" "$TRASH/daemon.log")
	kill -HUP "$(daemon_pid)"
	i=0
	while [ "$(grep -c "SIGHUP" "$TRASH/daemon.log")" -le "$before" ]; do
		[ $i -lt 200 ] || { echo "no reload line in the log" >&2; return 1; }
		sleep 0.05
		i=$((i + 1))
	done
	tail -n 3 "$TRASH/daemon.log" | grep "SIGHUP" | grep -- "$1" ||
		{ echo "expected a reload line matching $1:" >&2; tail -n 3 "$TRASH/daemon.log" >&2; return 1; }
}
# A 2000-byte body for POST /v1/enrollments: refused as too large under a
# limit of 1024 bytes, else for what it is (409 no-root: none is published).
head -c 2000 /dev/zero | tr '\0' x >"$TRASH/big.body"
enrol_status() {
	curl -s -o "$TRASH/enrol.out" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$TRASH/big.body" "$URL/v1/enrollments"
}

test_expect_success 'health and readiness answer 200' '
	get /v1/health | jq -e ".status == \"ok\"" &&
	get /v1/ready | jq -e ".status == \"ready\""
'

test_expect_success 'readiness is 503 not-ready, naming the data folder, when it refuses writes' '
	mkdir "$DATA/.ready-probe" &&
	code=$(curl -s -o ready.out -w "%{http_code}" "$URL/v1/ready") &&
	rmdir "$DATA/.ready-probe" &&
	test "$code" = 503 &&
	jq -e ".type == \"/problems/not-ready\"" ready.out &&
	jq -r .detail ready.out | grep "data folder" &&
	test "$(metric palermo_not_ready_total)" -ge 1 &&
	get /v1/ready | jq -e ".status == \"ready\""
'

test_expect_success 'request and byte counters move with requests' '
	h0=$(metric "palermo_requests_total{route=\"health\",method=\"GET\",status=\"2xx\"}") &&
	out0=$(metric palermo_bytes_sent_total) && in0=$(metric palermo_bytes_received_total) &&
	nf0=$(metric "palermo_rejected_requests_total{reason=\"not_found\"}") &&
	get /v1/health >/dev/null && get /v1/health >/dev/null && get /v1/health >/dev/null &&
	get /v1/no-such-route >/dev/null &&
	enrol_status >/dev/null &&
	h1=$(metric "palermo_requests_total{route=\"health\",method=\"GET\",status=\"2xx\"}") &&
	out1=$(metric palermo_bytes_sent_total) && in1=$(metric palermo_bytes_received_total) &&
	test "$h1" -eq $((h0 + 3)) &&
	test "$out1" -gt "$out0" &&
	test "$in1" -ge $((in0 + 2000)) &&
	get /v1/metrics | grep "^palermo_requests_total{route=\"unmatched\"" &&
	get /v1/metrics | grep "^palermo_store_database_bytes [1-9]" &&
	get /v1/metrics | grep "^palermo_log_size 0" &&
	get /v1/metrics | grep "^palermo_uploads_in_flight 0"
'

test_expect_success 'every request is one logfmt line' '
	grep "level=info msg=request method=GET route=\"health\" status=200 bytes_in=0 bytes_out=[0-9]* ms=[0-9.]* key=-$" \
		"$TRASH/daemon.log"
'

test_expect_success 'SIGHUP applies a changed limit at once' '
	test "$(enrol_status)" = 409 &&
	printf "policy: %s\nlimits:\n  max_request_bytes: 1024\n" "$POLICY" >"$CONF" &&
	hup "changed: limits.max_request_bytes" &&
	test "$(enrol_status)" = 413 &&
	jq -e ".type == \"/problems/too-large\"" "$TRASH/enrol.out" &&
	test "$(metric "palermo_reloads_total{result=\"applied\"}")" = 1
'

test_expect_success 'SIGHUP names settings that wait for a restart, and applies the rest' '
	printf "policy: %s\nport: 1\nlimits:\n  max_request_bytes: 1024\n  threads: 3\n" "$POLICY" >"$CONF" &&
	hup "changed: nothing" &&
	grep "level=warn msg=\"SIGHUP: limits.threads changed in the file" "$TRASH/daemon.log" &&
	! grep "SIGHUP: port" "$TRASH/daemon.log" &&
	get /v1/health | jq -e ".status == \"ok\""
'

test_expect_success 'SIGHUP with a broken file changes nothing and keeps serving' '
	printf "policy: %s\nlimits:\n  max_request_bytes: 1024\nlimts: {}\n" "$POLICY" >"$CONF" &&
	hup "unknown key .limts." &&
	grep "level=error msg=\"SIGHUP: .*palermod.yaml:4:1: unknown key .limts.; .*nothing was changed" \
		"$TRASH/daemon.log" &&
	get /v1/health | jq -e ".status == \"ok\"" &&
	test "$(enrol_status)" = 413 &&
	printf "port: [1\n" >"$CONF" &&
	hup "nothing was changed" &&
	get /v1/ready | jq -e ".status == \"ready\"" &&
	test "$(metric "palermo_reloads_total{result=\"refused\"}")" = 2 &&
	kill -0 "$(daemon_pid)"
'

test_expect_success 'SIGHUP with a policy that does not load changes nothing' '
	printf "policy: %s\n" "$TRASH/bad-policy.yaml" >"$CONF" &&
	printf "policy_format: 1\nname: [\n" >"$TRASH/bad-policy.yaml" &&
	hup "cannot load the policy" &&
	test "$(enrol_status)" = 413
'

test_expect_success 'a request in flight across SIGHUP completes' '
	printf "policy: %s\nlimits:\n  max_request_bytes: 65536\n" "$POLICY" >"$CONF" &&
	mkfifo body.fifo &&
	{ curl -s -o inflight.out -w "%{http_code}" -X POST -T body.fifo \
		-H "Content-Type: application/json" "$URL/v1/enrollments" >inflight.code & } &&
	exec 7>body.fifo &&
	printf "{\"code\": \"0123456789ABCDEFGHJK\", " >&7 &&
	sleep 0.2 &&
	hup "changed: limits.max_request_bytes" &&
	printf "\"record\": \"AAAA\"}" >&7 &&
	exec 7>&- &&
	wait &&
	test "$(cat inflight.code)" = 409 &&
	jq -e ".status == 409" inflight.out &&
	test "$(enrol_status)" = 409
'

test_expect_success 'a new policy is taken while no review exists' '
	sed "s/^title: .*/title: Review of the Convention (reloaded)/" "$TRASH/policy.yaml" >p.new &&
	mv p.new "$TRASH/policy.yaml" &&
	hup "changed: policy" &&
	setup_review
'

test_expect_success 'once a review exists, a different policy is refused' '
	sed "s/^title: .*/title: Review of the Convention (again)/" "$TRASH/policy.yaml" >p.new &&
	mv p.new "$TRASH/policy.yaml" &&
	hup "1 review(s) were created under the running one" &&
	test "$(get /v1/metrics | grep "^palermo_reviews " | cut -d" " -f2)" = 1 &&
	api ita_fp GET /v1/reviews >reviews.out &&
	status_is 200 reviews.out
'

test_expect_success 'a second palermod on the same port is refused' '
	test_must_fail "$PALERMOD" --port "$PORT" --data "$TRASH/other" 2>second.err &&
	grep "^palermod: cannot listen on 127.0.0.1 port $PORT: the port is in use" second.err
'

test_expect_success 'a second palermod on the same data folder is refused' '
	test_must_fail "$PALERMOD" --port 0 --data "$DATA" 2>second.err &&
	grep "^palermod: another palermod is using the data folder $DATA; stop it first" second.err &&
	get /v1/ready | jq -e ".status == \"ready\""
'

test_expect_success 'SIGTERM still stops it cleanly after reloads' '
	daemon_stop
'

test_done
