#!/bin/sh
# palermod --config FILE: a good file is applied; a bad one stops the daemon
# before it listens, with exit status 78 and one message naming the file,
# the line and the key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

# bad_config NAME TEXT EXPECTED: TEXT as a config file must make palermod
# exit 78 with one line "palermod: NAME.yaml:LINE:COL: EXPECTED".
bad_config() {
	printf '%b' "$2" >"$1.yaml" &&
	{ "$PALERMOD" --config "$1.yaml" --data "$TRASH/never" --port 0 \
		--ready-file "$1.ready" >"$1.out" 2>"$1.err"; rc=$?; } ;
	if [ "$rc" != 78 ]; then echo "exit status $rc, not 78" >&2; cat "$1.err" >&2; return 1; fi
	test ! -e "$1.ready" &&
	test "$(wc -l <"$1.err")" = 1 &&
	if ! grep -q "^palermod: $1.yaml:$3" "$1.err"; then
		echo "unexpected message:" >&2; cat "$1.err" >&2; return 1
	fi
}

test_expect_success 'an unknown key: exit 78, file:line and the key' '
	bad_config unknown "# palermod\nlisten: 127.0.0.1\nprot: 8470\n" \
		"3:1: unknown key .prot.; expected one of: listen, port,"
'
test_expect_success 'a port out of range names port and its line' '
	bad_config port "port: 99999\n" "1:7: port: expected a whole number from 0 to 65535, found .99999."
'
test_expect_success 'a list where a number goes' '
	bad_config portlist "data: d\nport: [1, 2]\n" "2:7: port: expected a whole number from 0 to 65535, found a list"
'
test_expect_success 'a listen value that is no IP address' '
	bad_config listen "listen: localhost\n" "1:9: listen: expected an IP address"
'
test_expect_success 'a limit out of range names limits.KEY' '
	bad_config limits "limits:\n  connection_timeout: 0\n" \
		"2:23: limits.connection_timeout: expected a whole number from 1 to 3600, found .0."
'
test_expect_success 'an unknown limit' '
	bad_config limits2 "limits:\n  max_upload: 5\n" "2:3: unknown key .max_upload."
'
test_expect_success 'a bad log level' '
	bad_config level "log_level: loud\n" "1:12: log_level: expected error, warn, info or debug"
'
test_expect_success 'a root that is no fingerprint' '
	bad_config root "root: 1234\n" "1:7: root: expected the root.s fingerprint"
'
test_expect_success 'tls without a key, and tls files that cannot be read' '
	bad_config tls1 "tls:\n  certificate: cert.pem\n" "2:3: tls: give both certificate and key" &&
	bad_config tls2 "tls:\n  certificate: /nonexistent/cert.pem\n  key: /nonexistent/key.pem\n" \
		"2:16: tls.certificate: cannot read /nonexistent/cert.pem"
'
test_expect_success 'a policy file that cannot be read' '
	bad_config policy "policy: /nonexistent/policy.yaml\n" "1:9: policy: cannot read"
'
test_expect_success 'a public_url with a path' '
	bad_config url "public_url: https://relay.example.org/v1\n" "1:13: public_url: expected the scheme and host"
'
test_expect_success 'YAML that does not parse, and an empty file' '
	bad_config syntax "port: [1\n" "" &&
	bad_config empty "" ""
'
test_expect_success 'a configuration file that does not exist: exit 78' '
	{ "$PALERMOD" --config "$TRASH/none.yaml" 2>err; rc=$?; } ; test "$rc" = 78 &&
	grep -q "none.yaml" err
'

test_expect_success 'a good configuration is applied: data, listen, log level, limits' '
	cat >good.yaml <<-EOC &&
	# palermod configuration for the test
	listen: 127.0.0.1
	port: 0
	data: $TRASH/configured-data
	policy: $POLICY
	log_level: warn
	limits:
	  max_request_bytes: 2048
	  connection_timeout: 5
	  clock_skew: 60
	  threads: 2
	EOC
	daemon_start --config good.yaml &&
	api_unsigned GET /v1/health >out && status_is 200 out &&
	test -f "$TRASH/configured-data/palermo.db" &&
	head -c 3000 /dev/zero >body3000 && head -c 1000 /dev/zero >body1000 &&
	api_unsigned POST /v1/certificates --body body3000 >out && problem_is 413 too-large out &&
	body_of out | jq -r .detail | grep -q "2048 bytes" &&
	api_unsigned POST /v1/certificates --body body1000 >out && problem_is 401 unauthorized out &&
	daemon_stop &&
	! grep -q "msg=request" "$TRASH/daemon.log"
'

test_expect_success 'command-line options override the file' '
	daemon_start --config good.yaml --data "$TRASH/override-data" &&
	api_unsigned GET /v1/health >out && status_is 200 out &&
	test -f "$TRASH/override-data/palermo.db" &&
	daemon_stop
'
# TLS needs a certificate; openssl makes a throwaway one when it is there.
if command -v openssl >/dev/null 2>&1; then
test_expect_success 'with tls configured it serves HTTPS, and signed requests verify' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 \
		-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null &&
	cat >tls.yaml <<-EOC &&
	tls:
	  certificate: $TRASH/cert.pem
	  key: $TRASH/key.pem
	EOC
	daemon_start --config tls.yaml --data "$TRASH/tls-data" &&
	grep -q "port $(cat "$TRASH/port") (https)" "$TRASH/daemon.log" &&
	plmtest req --cacert cert.pem GET "https://127.0.0.1:$(cat "$TRASH/port")/v1/health" >out &&
	status_is 200 out &&
	plmtest identity id.seed >/dev/null &&
	plmtest req --cacert cert.pem --seed id.seed GET \
		"https://127.0.0.1:$(cat "$TRASH/port")/v1/reviews" >out &&
	problem_is 401 unauthorized out && body_of out | jq -r .detail | grep -q "no certificate" &&
	plmtest req --cacert cert.pem --seed id.seed \
		--sign-url "http://127.0.0.1:$(cat "$TRASH/port")/v1/reviews" GET \
		"https://127.0.0.1:$(cat "$TRASH/port")/v1/reviews" >out &&
	problem_is 401 unauthorized out &&
	daemon_stop
'
fi

test_expect_success 'with public_url set, signatures are checked against it, not the Host header' '
	plmtest identity root.seed >/dev/null &&
	plmtest root-cert --root root.seed --out root.cert >/dev/null &&
	cat >url.yaml <<-EOC &&
	public_url: https://relay.example.org
	EOC
	daemon_start --config url.yaml --data "$TRASH/url-data" &&
	port=$(cat "$TRASH/port") &&
	plmtest req --seed root.seed --body root.cert POST "http://127.0.0.1:$port/v1/root" >out &&
	problem_is 401 unauthorized out &&
	plmtest req --seed root.seed --body root.cert \
		--sign-url "https://relay.example.org/v1/root" POST "http://127.0.0.1:$port/v1/root" >out &&
	status_is 201 out &&
	daemon_stop
'
test_done
