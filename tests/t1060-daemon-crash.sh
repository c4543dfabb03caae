#!/bin/sh
# kill -9 in the middle of many concurrent uploads, then restart: every
# acknowledged envelope is there and verifies, nothing half-written is ever
# listed or served, orphans are cleaned at start, the log still verifies,
# and the cut uploads resume to completion. PLM_CRASH_UPLOADS (default 50)
# sets how many uploads run at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
uploads=${PLM_CRASH_UPLOADS:-50}

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

test_expect_success "seal $uploads envelopes of 100 to 600 KB" '
	seal_many "$uploads" 100000 500000
'

test_expect_success 'kill -9 while the uploads run' '
	i=0 &&
	while [ $i -lt "$uploads" ]; do
		{ api "$(cat env/$i.who)" PUT "/v1/reviews/$REVIEW/uploads/$(cat env/$i.uid)" \
			--body env/$i.env --rate 250000 >env/$i.res 2>/dev/null & } &&
		i=$((i + 1))
	done &&
	n=0 && while [ $n -lt 100 ]; do
		acked=$(grep -lx 201 env/*.res 2>/dev/null | wc -l)
		[ "$acked" -ge $((uploads / 5)) ] && break
		sleep 0.05; n=$((n + 1))
	done &&
	daemon_kill &&
	wait &&
	grep -lx 201 env/*.res | sed "s/\\.res$//" >acked &&
	echo "$(wc -l <acked) of $uploads acknowledged before kill -9" &&
	test -s acked &&
	test "$(wc -l <acked)" -lt "$uploads" &&
	ls "$DATA/uploads" >partial && echo "$(wc -l <partial) uploads cut in the middle" &&
	test -s partial
'

test_expect_success 'restart: the daemon cleans orphans and comes back' '
	daemon_start --data "$DATA" &&
	grep "listening on" "$TRASH/daemon.log" | tail -1 | grep -q "orphans removed"
'

test_expect_success 'every acknowledged envelope is there, identical, and verifies' '
	while read e; do
		id=$(cat $e.id) &&
		api sec GET "/v1/envelopes/$id" --output got >out && status_is 200 out &&
		cmp got $e.env &&
		who=$(cat $e.who) &&
		test "$(plmtest verify --author "$ID/$who.cert" --in got)" = "$id" || return 1
	done <acked
'

test_expect_success 'everything listed is a complete envelope that verifies; nothing else is on disk' '
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list && status_is 200 list &&
	body_of list | jq -r ".envelopes[].id" >listed &&
	while read e; do grep -qx "$(cat $e.id)" listed || return 1; done <acked &&
	while read id; do
		e=$(grep -lx "$id" env/*.id | sed "s/\\.id$//") && test -n "$e" &&
		api sec GET "/v1/envelopes/$id" --output got >out && status_is 200 out &&
		cmp got $e.env || return 1
	done <listed &&
	stored_ids "$DATA" >stored && sort listed | cmp - stored
'

test_expect_success 'the log after the crash: the head verifies, every listed envelope is included' '
	log_includes listed
'

test_expect_success 'the cut uploads resume from their stored offsets and complete' '
	i=0 && resumed=0 &&
	while [ $i -lt "$uploads" ]; do
		e=env/$i
		if ! grep -qx "$(cat $e.id)" listed; then
			who=$(cat $e.who) &&
			api "$who" HEAD "/v1/reviews/$REVIEW/uploads/$(cat $e.uid)" --headers >h &&
			status_is 200 h &&
			off=$(sed -n "s/^[Uu]pload-[Oo]ffset: \\([0-9]*\\).*/\\1/p" h) &&
			if [ "$off" -gt 0 ]; then resumed=$((resumed + 1)); fi &&
			api "$who" PUT "/v1/reviews/$REVIEW/uploads/$(cat $e.uid)" --body $e.env \
				--offset "$off" >r && status_is 201 r || return 1
		fi
		i=$((i + 1))
	done &&
	echo "$resumed uploads resumed from a non-zero offset" && test "$resumed" -gt 0 &&
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list && status_is 200 list &&
	test "$(body_of list | jq ".envelopes | length")" = "$uploads" &&
	test -z "$(ls "$DATA/uploads")"
'

test_expect_success 'SIGTERM: exit 0, and nothing was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
test_done
