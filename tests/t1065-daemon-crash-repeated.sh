#!/bin/sh
# kill -9 again and again at random moments while several clients upload
# concurrently through the real client's transport (tests/tools/plmload.c),
# restarting the daemon each time: the clients resume and retry; every
# acknowledged envelope is there, listed once and verifies; whatever the
# server listed at any moment was served whole and verified (nothing
# partial is ever served); no upload is left behind; the log still
# verifies. Complements t1060 (one kill in the middle of 50 uploads, then
# resumes by hand). PLM_CRASH_CLIENTS x PLM_CRASH_MESSAGES (default 5 x 10)
# sets the uploads, PLM_CRASH_MAX_KILLS (default 8) caps the kills;
# PLM_CRASH_MIN_SIZE and PLM_CRASH_MAX_SIZE (default 10000 and 1000000
# bytes of content) their sizes: below 64 KiB an envelope goes through the
# group commit (docs/ARCHITECTURE.md); `make crash-test` runs 10 x 100.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-load.sh"
clients=${PLM_CRASH_CLIENTS:-5}
messages=${PLM_CRASH_MESSAGES:-10}
max_kills=${PLM_CRASH_MAX_KILLS:-8}
think=${PLM_CRASH_THINK_MS:-500}
total=$((clients * messages))

daemon_start --data "$DATA" --config "$TRASH/palermod.yaml" &&
	setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# A random pause between kills: 100 ms to PLM_CRASH_PAUSE_MS (default 700).
random_pause() {
	ms=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % ${PLM_CRASH_PAUSE_MS:-700} + 100))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
}

test_expect_success "$total uploads from $clients clients, kill -9 at random moments, restart each time" '
	mkdir work && start=$(date +%s) &&
	{ "$PLMLOAD" --port-file "$TRASH/port" --review "$REVIEW" --keys "$ID/keys.1" \
		--reader "$ID/sec" $(load_authors) --clients "$clients" --messages "$messages" \
		--min-size "${PLM_CRASH_MIN_SIZE:-10000}" --max-size "${PLM_CRASH_MAX_SIZE:-1000000}" --think "$think" --work work \
		--acked acked --done-file done --deadline 1500 >summary 2>errors & } &&
	load=$! &&
	kills=0 && cut=0 &&
	while [ ! -f done ] && [ "$kills" -lt "$max_kills" ]; do
		random_pause
		[ -f done ] && break
		daemon_kill && kills=$((kills + 1)) &&
		n=$(ls "$DATA/uploads" | wc -l) && cut=$((cut + n)) &&
		echo "kill $kills: $(wc -l <acked 2>/dev/null || echo 0) acknowledged so far, $n uploads cut in the middle" &&
		daemon_start --data "$DATA" --config "$TRASH/palermod.yaml" || { kill $load; return 1; }
	done
	wait $load; rc=$?
	cat summary errors &&
	echo "kills=$kills uploads_cut=$cut wall_seconds=$(($(date +%s) - start))" | tee -a summary &&
	test "$rc" = 0 && test ! -s errors &&
	test "$kills" -ge 2 &&
	grep -q " acknowledged=$total " summary && grep -q " lost=0 " summary &&
	grep -q " duplicates=0 " summary && grep -q " served_bad=0 " summary &&
	grep -q " failures=0$" summary
'

test_expect_success 'every restart swept the orphans and came back' '
	test "$(grep -c "msg=\"listening on" "$TRASH/daemon.log")" -ge 3 &&
	! grep "level=error" "$TRASH/daemon.log"
'

test_expect_success 'an independent listing: every acknowledged id once, nothing else, every blob listed' '
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list && status_is 200 list &&
	body_of list | jq -r ".envelopes[].id" | sort >listed &&
	test -z "$(uniq -d listed)" && sort acked | cmp - listed &&
	stored_ids "$DATA" | cmp - listed &&
	test -z "$(ls "$DATA/uploads")"
'

test_expect_success 'the log after the crashes: a verified head of every record and envelope' '
	api_unsigned GET /v1/log/key >key && body_of key | jq -r .sign_pk >logpk &&
	api sec GET /v1/log/head >head && status_is 200 head &&
	test "$(body_of head | jq .tree_size)" = $((12 + $(wc -l <listed))) &&
	plmtest head-verify --log-pk "$(cat logpk)" --head "$(body_of head | jq -r .head)" >/dev/null
'

test_expect_success 'SIGTERM: exit 0, and nothing was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
sed 's/^/# /' "$TRASH/summary" 2>/dev/null
test_done
