#!/bin/sh
# Bad input, systematically: every route of docs/API.md §4 receives every
# kind of bad request (the table below: unsigned, signed by another key,
# over another URL, stale, from the future, replayed, a body that does not
# match its digest, junk, empty, oversized, truncated, trickled, stalled,
# malformed path parameters and queries). Each answer must be a 4xx with
# application/problem+json, or a closed connection: never a 5xx, never a
# crash; the daemon keeps serving. Complements t1020 (each authentication
# failure once, with its exact detail) and t1070 (malformed HTTP, memory).
# The table of what each route answered to each case is printed at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

cat >"$TRASH/palermod.yaml" <<EOC
limits:
  connection_timeout: 2
  requests_per_minute: 0
EOC
daemon_start --data "$DATA" --config "$TRASH/palermod.yaml" &&
	setup_review >"$TRASH/setup.log" 2>&1 &&
	random_file "$TRASH/doc" 3000 &&
	seal ita_fp questionnaire_response review "$TRASH/doc" "$TRASH/env" >"$TRASH/env.id" &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body "$TRASH/env" \
		>"$TRASH/setup.out" && status_is 201 "$TRASH/setup.out" ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/setup.out"; }

ENV_ID=$(cat "$TRASH/env.id")
FPR=$(cat "$ID/ita_fp.fpr" 2>/dev/null)
UPLOAD=$(upload_id)

# The routes: METHOD PATH SIGNER (- for a route anyone may call) BODY (the
# kind of body the route takes: - none, root the root certificate, rec a
# signed record, json, env an envelope). The signature cases send that body,
# so that only the signature is wrong.
cat >"$TRASH/routes" <<EOR
GET /v1/health - -
GET /v1/metrics - -
GET /v1/root - -
POST /v1/root root root
POST /v1/certificates sec rec
GET /v1/certificates sec -
GET /v1/certificates/$FPR sec -
POST /v1/revocations sec rec
POST /v1/invitations sec json
POST /v1/enrollments - json
GET /v1/enrollments sec -
GET /v1/enrollments/$FPR - -
GET /v1/reviews ita_fp -
POST /v1/reviews/$REVIEW/records sec rec
GET /v1/reviews/$REVIEW/records ita_fp -
PUT /v1/reviews/$REVIEW/uploads/$UPLOAD ita_fp env
HEAD /v1/reviews/$REVIEW/uploads/$UPLOAD ita_fp -
GET /v1/reviews/$REVIEW/envelopes ita_fp -
GET /v1/envelopes/$ENV_ID ita_fp -
GET /v1/log/head ita_fp -
GET /v1/log/inclusion?id=$ENV_ID ita_fp -
GET /v1/log/consistency?from=1&to=5 ita_fp -
GET /v1/log/key - -
EOR

# A body of each kind that a route would take, for the cut and slow cases.
good_body() {
	case $1 in
	root) echo "$ID/root.cert" ;;
	rec) echo "$ID/stage.2" ;;
	env) echo "$TRASH/env" ;;
	*) echo "$TRASH/json" ;;
	esac
}
printf '{"code":"0123456789ABCDEFGHJK","record":"%s"}' \
	"$(head -c 600 /dev/urandom | base64 -w0)" >"$TRASH/json"
random_file "$TRASH/junk" 3000
printf '' >"$TRASH/empty"
printf '{"code":' >"$TRASH/badjson"
head -c $((6 * 1024 * 1024)) /dev/zero >"$TRASH/huge"
# A record whose signature no longer verifies (a byte of its signature flipped).
cp "$ID/stage.2" "$TRASH/badsig" 2>/dev/null && flip_byte "$TRASH/badsig" $(($(wc -c <"$ID/stage.2") - 5))

# send CASE METHOD PATH SIGNER [plmtest req options]: one request of that
# case; its answer (status line, headers, body) goes to out.CASE.
send() {
	c=$1 m=$2 p=$3 who=$4
	shift 4
	if [ "$who" = - ]; then
		api_unsigned "$m" "$p" --headers "$@" >"out.$c" 2>/dev/null
	else
		api "$who" "$m" "$p" --headers "$@" >"out.$c" 2>/dev/null
	fi
	rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "plmtest failed ($rc) on $c $m $p" >&2; return 1; }
}

# verdict CASE METHOD PATH [ALLOWED]: the answer of out.CASE is a 4xx
# problem+json or a closed connection (or a status in ALLOWED, a
# space-separated list, for cases that may be accepted); records the cell.
verdict() {
	c=$1 m=$2 p=$3 allowed=${4:-}
	s=$(head -n 1 "out.$c")
	echo "$m $p $c $s" >>"$TRASH/table"
	case " $allowed " in *" $s "*) return 0 ;; esac
	case $s in
	0) return 0 ;;
	4??)
		grep -qi "^content-type: application/problem+json" "out.$c" || {
			echo "$m $p $c: $s without problem+json:"; cat "out.$c"; return 1; }
		[ "$m" = HEAD ] && return 0
		sed '1,/^\r*$/d' "out.$c" | jq -e '.type and .title and .status and .detail' \
			>/dev/null || { echo "$m $p $c: not a problem:"; cat "out.$c"; return 1; }
		return 0 ;;
	*) echo "$m $p $c: status $s"; cat "out.$c"; return 1 ;;
	esac
}

alive() {
	kill -0 "$(daemon_pid)" && api_unsigned GET /v1/health >health.out &&
	status_is 200 health.out
}

# The options that send the route's own body (none for a route without one).
body_opts() { [ "$1" = - ] || echo --body "$(good_body "$1")"; }

# each_route SIGNED_ONLY CASE: runs the shell code in $CASE_CODE for each
# route (variables m p who body), then checks the daemon is alive.
each_route() {
	only_signed=$1
	while read m p who body; do
		[ "$only_signed" = 1 ] && [ "$who" = - ] && continue
		eval "$CASE_CODE" || return 1
	done <"$TRASH/routes"
	alive
}

test_expect_success 'unsigned requests to signed routes: 401 problem+json' '
	CASE_CODE="send unsigned \$m \$p - && verdict unsigned \$m \$p && status_is 401 out.unsigned" &&
	each_route 1
'

test_expect_success 'signed by another key than its keyid: 401' '
	CASE_CODE="send wrong-key \$m \$p \$who \$(body_opts \$body) --claim \"\$ID/bra_exp\" && verdict wrong-key \$m \$p && status_is 401 out.wrong-key" &&
	each_route 1
'

test_expect_success 'signed over another URL: 401' '
	CASE_CODE="send other-url \$m \$p \$who \$(body_opts \$body) --sign-url \"\$URL/v1/other\" && verdict other-url \$m \$p && status_is 401 out.other-url" &&
	each_route 1
'

test_expect_success 'stale (an hour old) and future (an hour ahead) signatures: 401' '
	now=$(date +%s) &&
	CASE_CODE="send stale \$m \$p \$who \$(body_opts \$body) --created $((now - 3600)) && verdict stale \$m \$p && status_is 401 out.stale &&
		send future \$m \$p \$who \$(body_opts \$body) --created $((now + 3600)) && verdict future \$m \$p && status_is 401 out.future" &&
	each_route 1
'

test_expect_success 'a replayed request (same nonce): the second is 401' '
	CASE_CODE="n=\$(upload_id) && send first \$m \$p \$who \$(body_opts \$body) --nonce \$n && send replay \$m \$p \$who \$(body_opts \$body) --nonce \$n && verdict replay \$m \$p && status_is 401 out.replay" &&
	each_route 1
'

test_expect_success 'a body that does not match its signed digest: 4xx' '
	CASE_CODE="send digest \$m \$p \$who --body \"\$TRASH/junk\" --sign-body \"\$TRASH/empty\" && verdict digest \$m \$p" &&
	each_route 1
'

test_expect_success 'junk, empty and malformed bodies: 4xx (a route without a body may ignore it)' '
	CASE_CODE="for b in junk empty badjson badsig; do
		send \$b \$m \$p \$who --body \"\$TRASH/\$b\" || return 1
		case \$body in
		-) verdict \$b \$m \$p \"200 404\" ;;
		env) verdict \$b \$m \$p 202 ;;
		*) verdict \$b \$m \$p ;;
		esac || return 1
	done" &&
	each_route 0
'

test_expect_success 'an oversized body (6 MiB): 413 or a closed connection' '
	CASE_CODE="send huge \$m \$p \$who --body \"\$TRASH/huge\" --header Expect: && verdict huge \$m \$p" &&
	each_route 0
'

test_expect_success 'a body cut in the middle: a 4xx or a closed connection' '
	CASE_CODE="b=\$(good_body \$body) && n=\$((\$(wc -c <\"\$b\") / 2)) &&
		send cut \$m \$p \$who --body \"\$b\" --max-bytes \$n --header Expect: && verdict cut \$m \$p \"200 404\"" &&
	each_route 0
'

test_expect_success 'bad path parameters and queries: 4xx' '
	for p in /v1/certificates/zz /v1/certificates/$(printf %064d 0) /v1/enrollments/..%2F.. \
		"/v1/reviews/..%2Fetc/records" "/v1/reviews/$REVIEW/uploads/xyz" \
		"/v1/reviews/$REVIEW/uploads/$(printf %0200d 1)" /v1/envelopes/abc \
		"/v1/envelopes/$(printf %064d 0)" "/v1/reviews/$REVIEW/envelopes?after=-1" \
		"/v1/reviews/$REVIEW/envelopes?limit=abc" "/v1/reviews/$REVIEW/records?limit=99999999999999999999" \
		"/v1/log/inclusion?id=zz" "/v1/log/inclusion" "/v1/log/consistency?from=9&to=1" \
		"/v1/log/consistency?from=1&to=99999" "/v1/certificates?after=1e3"; do
		send param GET "$p" ita_fp && verdict param GET "$p" || return 1
	done &&
	send param PUT "/v1/reviews/$REVIEW/uploads/$UPLOAD" ita_fp --body "$TRASH/env" \
		--header "Upload-Offset: -1" && verdict param PUT "upload?Upload-Offset=-1" &&
	grep -q "\"type\":\"/problems/bad-offset\"" out.param &&
	send param PUT "/v1/reviews/$REVIEW/uploads/$UPLOAD" ita_fp --body "$TRASH/env" \
		--header "Upload-Offset: 99999999999999999999" && verdict param PUT "upload?Upload-Offset=1e20" &&
	send param GET "/v1/envelopes/$ENV_ID" ita_fp --header "Range: bytes=999999-" &&
	verdict param GET "envelope?Range=past-the-end" &&
	alive
'

test_expect_success 'trickling (500 bytes/s) and stalled bodies on every route, all at once: 4xx or closed' '
	mkdir slow && cd slow &&
	i=0 && while read m p who body; do
		i=$((i + 1))
		b=$(good_body $body)
		{ send trickle$i $m $p $who --body "$TRASH/junk" --rate 500 & } &&
		{ send stall$i $m $p $who --body "$b" --max-bytes 100 --stall 4 --header Expect: & } || return 1
		echo "$i $m $p" >>index
	done <"$TRASH/routes" &&
	wait &&
	while read i m p; do
		verdict trickle$i $m $p "200 404" && verdict stall$i $m $p "200 404" || return 1
	done <index &&
	alive
'

test_expect_success 'SIGTERM: exit 0; no request was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'

# The table: route, case, status (0: the connection was closed).
sed -e 's/trickle[0-9]*/trickle/' -e 's/stall[0-9]*/stall/' "$TRASH/table" 2>/dev/null |
	awk '{ k = $1 " " $2; if (!(k in seen)) { order[++n] = k; seen[k] = 1 }
	       cell[k] = cell[k] " " $3 "=" $4 }
	     END { for (i = 1; i <= n; i++) print "# " order[i] ":" cell[order[i]] }'
test_done
