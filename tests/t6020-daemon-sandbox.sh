#!/bin/sh
# Sandboxing palermod once it has started (docs/SECURITY.md):
# started as root with --user NAME it drops to NAME (real, effective and
# saved ids, supplementary groups) after binding and opening its data folder,
# which then belongs to NAME; every thread runs under the seccomp filter
# (Seccomp: 2); a data folder root owns is refused; --user needs root; and
# a daemon started as root without --user warns. Some tests need root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
RUN_AS=nobody

# status_field PID NAME: a line of /proc/PID/status without its label.
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# The ready file comes before the sandbox: wait (up to 5 s) for its line.
sandboxed() {
	i=0
	while ! grep -q "msg=\"sandbox: " "$TRASH/daemon.log" && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep "msg=\"sandbox: " "$TRASH/daemon.log" | tail -1
}

test_expect_success 'the filter is on in every thread (Seccomp: 2), uid unchanged without --user' '
	daemon_start --data "$DATA" && sandboxed &&
	pid=$(daemon_pid) &&
	for t in /proc/$pid/task/*; do
		s=$(sed -n "s/^Seccomp:[[:space:]]*//p" $t/status) &&
		test "$s" = 2 || { echo "thread $t: Seccomp $s"; return 1; }
	done &&
	test "$(ls /proc/$pid/task | wc -l)" -ge 2 &&
	test "$(status_field $pid NoNewPrivs)" = 1 &&
	grep -q "msg=\"sandbox: uid $(id -u), seccomp on\"" "$TRASH/daemon.log"
'

test_expect_success 'under the filter it serves: an upload, a download, a listing' '
	setup_review >setup.log 2>&1 &&
	random_file doc 200000 && seal ita_fp message review doc env >env.id &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body env >out &&
	status_is 201 out &&
	api fra_fp GET "/v1/envelopes/$(cat env.id)" --output got >out && status_is 200 out &&
	cmp got env && api sec GET "/v1/reviews/$REVIEW/envelopes" >out && status_is 200 out
'

test_expect_success 'as root without --user it warns; SIGTERM still exits 0 under the filter' '
	if [ "$(id -u)" = 0 ]; then
		grep -q "running as root: start palermod with --user NAME" "$TRASH/daemon.log"
	fi &&
	daemon_stop
'

test_expect_success '--no-seccomp leaves the filter off' '
	: >"$TRASH/daemon.log" && daemon_start --data "$DATA" --no-seccomp && sandboxed &&
	test "$(status_field $(daemon_pid) Seccomp)" = 0 &&
	grep -q "seccomp off" "$TRASH/daemon.log" && daemon_stop
'

test_expect_success '--user: an unknown account, or root itself, is refused (exit 1)' '
	exit_1() { "$PALERMOD" --port 0 --data "$TRASH/d1" "$@" 2>err && return 1; test $? = 1; }
	exit_1 --user no-such-account-here && grep -q "no account named" err &&
	exit_1 --user root && grep -q "unprivileged account, not root" err
'

if [ "$(id -u)" = 0 ] && id "$RUN_AS" >/dev/null 2>&1; then
	# nobody must reach the data folder and the ready file.
	chmod 0711 "$TRASH"
	SBX="$TRASH/sbx"
	mkdir -m 0755 "$SBX"

	test_expect_success "started as root with --user $RUN_AS: it drops to $RUN_AS, all ids, all threads" '
		: >"$TRASH/daemon.log" && daemon_start --data "$SBX/data" --user "$RUN_AS" &&
		sandboxed &&
		pid=$(daemon_pid) && uid=$(id -u "$RUN_AS") && gid=$(id -g "$RUN_AS") &&
		for t in /proc/$pid/task/*; do
			test "$(sed -n "s/^Uid:[[:space:]]*//p" $t/status)" = "$uid	$uid	$uid	$uid" &&
			test "$(sed -n "s/^Gid:[[:space:]]*//p" $t/status)" = "$gid	$gid	$gid	$gid" &&
			test "$(sed -n "s/^Seccomp:[[:space:]]*//p" $t/status)" = 2 || {
				cat $t/status; return 1; }
		done &&
		test "$(status_field $pid Groups | tr -d " ")" = "$gid" &&
		test "$(status_field $pid CapEff)" = 0000000000000000 &&
		grep -q "msg=\"sandbox: uid $uid, seccomp on\"" "$TRASH/daemon.log" &&
		! grep -q "running as root" "$TRASH/daemon.log"
	'

	test_expect_success "the data folder and all it holds belong to $RUN_AS, and it serves" '
		test -z "$(find "$SBX/data" ! -user "$RUN_AS")" &&
		test "$(stat -c %a "$SBX/data")" = 700 &&
		test "$(stat -c %a "$SBX/data/log.seed")" = 600 &&
		ID="$SBX/id" && setup_review >setup.log 2>&1 &&
		random_file doc 100000 && seal ita_fp message review doc env >env.id &&
		api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body env >out &&
		status_is 201 out &&
		test -z "$(find "$SBX/data" ! -user "$RUN_AS")"
	'

	test_expect_success "a restart as $RUN_AS keeps everything; SIGTERM exits 0" '
		daemon_stop && daemon_start --data "$SBX/data" --user "$RUN_AS" &&
		api_unsigned GET /v1/health >out && status_is 200 out &&
		test "$(body_of out | jq .log_size)" -ge 13 && daemon_stop
	'

	test_expect_success 'a data folder that root owns is refused under --user (exit 1)' '
		mkdir -m 0700 "$SBX/rootdata" && : >"$SBX/rootdata/palermo.db" &&
		chmod 0600 "$SBX/rootdata/palermo.db" &&
		"$PALERMOD" --port 0 --data "$SBX/rootdata" --user "$RUN_AS" 2>err && return 1
		test $? = 1 && cat err && grep -q "rootdata" err
	'
else
	test_expect_success "--user needs root (this run is not root, or has no $RUN_AS)" '
		"$PALERMOD" --port 0 --data "$TRASH/d2" --user "$RUN_AS" 2>err && return 1
		test $? = 1 && grep -Eq "needs palermod to start as root|no account named" err
	'
fi
test_done
