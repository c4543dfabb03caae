#!/bin/sh
# Load: concurrent clients each seal and send messages through the real
# client's transport (tests/tools/plmload.c) and read them all back: every
# one acknowledged, listed once, downloaded whole and verified; nothing
# lost, nothing duplicated; the daemon's peak resident memory (VmHWM) stays
# bounded. PLM_LOAD_CLIENTS x PLM_LOAD_MESSAGES (default 8 x 20) sets the
# size; `make load-test` runs 50 x 200. PLM_LOAD_MAX_KB bounds the peak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-load.sh"
clients=${PLM_LOAD_CLIENTS:-8}
messages=${PLM_LOAD_MESSAGES:-20}
max_kb=${PLM_LOAD_MAX_KB:-262144}

daemon_start --data "$DATA" --config "$TRASH/palermod.yaml" &&
	setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

test_expect_success "$clients clients x $messages messages: all acknowledged, read back, verified" '
	mkdir work &&
	start=$(date +%s) &&
	"$PLMLOAD" --port-file "$TRASH/port" --review "$REVIEW" --keys "$ID/keys.1" \
		--reader "$ID/sec" $(load_authors) --clients "$clients" --messages "$messages" \
		--min-size 200 --max-size 4000 --work work --acked acked --deadline 900 \
		>summary 2>errors; rc=$?
	cat summary errors &&
	echo "wall time: $(($(date +%s) - start)) s" >>summary &&
	test "$rc" = 0 && test ! -s errors &&
	total=$((clients * messages)) &&
	grep -q " acknowledged=$total " summary && grep -q " lost=0 " summary &&
	grep -q " listed=$total duplicates=0 " summary && grep -q " served_bad=0 " summary &&
	grep -q " failures=0$" summary &&
	test "$(sort -u acked | wc -l)" = "$total"
'

test_expect_success 'an independent listing holds every acknowledged id exactly once' '
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list && status_is 200 list &&
	body_of list | jq -r ".envelopes[].id" | sort >listed &&
	test -z "$(uniq -d listed)" && sort acked | cmp - listed &&
	stored_ids "$DATA" >stored && sort listed | cmp - stored
'

test_expect_success 'the daemon peak resident memory stays bounded' '
	hwm=$(sed -n "s/^VmHWM:[[:space:]]*\\([0-9]*\\) kB/\\1/p" "/proc/$(daemon_pid)/status") &&
	echo "palermod peak resident memory (VmHWM): $hwm kB" | tee -a summary &&
	test "$hwm" -lt "$max_kb"
'

test_expect_success 'SIGTERM: exit 0, and nothing was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
# The figures, for docs/SECURITY.md.
sed 's/^/# /' "$TRASH/summary" 2>/dev/null
test_done
