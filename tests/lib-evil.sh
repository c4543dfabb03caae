# tests/lib-evil.sh - sourced by the malicious-relay scripts (tests/t50*.sh,
# docs/SECURITY.md) after lib.sh, lib-daemon.sh and lib-identity.sh.
#
# The daemon is build/tests/palermod-evil: palermod compiled again with
# -DPLM_EVIL, honest unless started with PLM_EVIL=accept in its
# environment (then it stores and logs what the review state refuses, see
# daemon/evil.h). In front of it runs the tampering proxy
# (tests/tools/plmevil.c), and every palermo home talks to the proxy:
#
#   evil_start                  the daemon and the proxy; sets URL to the
#                               proxy (what the homes use), PORT to the daemon
#   evil_mode MODE [ARGS]       what the proxy does from now on ("honest")
#   evil_route WHO PORT         requests signed by home WHO go to the daemon
#                               on PORT instead (a split view); no PORT: back
#   evil_daemon_restart [accept]  the daemon again on the same port and data,
#                               honest or accepting what it should refuse
#   seq_of_envelope ID          the log index the daemon gave envelope ID
#   log_size                    the size of the daemon's log now

PALERMOD="$PLM_BUILD/tests/palermod-evil"
PLMEVIL="$PLM_BUILD/tests/plmevil"
EVIL_MODE="$TRASH/evil.mode"
EVIL_ROUTES="$TRASH/evil.routes"
EVIL_LOG="$TRASH/evil.log"

evil_proxy_start() {
	rm -f "$TRASH/proxy.port"
	"$PLMEVIL" proxy --backend "$PORT" --ready-file "$TRASH/proxy.port" \
		--mode-file "$EVIL_MODE" --routes "$EVIL_ROUTES" --log "$EVIL_LOG" \
		</dev/null >/dev/null 2>>"$TRASH/proxy.err" &
	echo $! >"$TRASH/proxy.pid"
	i=0
	while [ ! -s "$TRASH/proxy.port" ]; do
		[ $i -lt 200 ] || { echo "the proxy did not start" >&2; return 1; }
		sleep 0.05
		i=$((i + 1))
	done
	URL="http://127.0.0.1:$(cat "$TRASH/proxy.port")"
}

evil_proxy_cleanup() {
	[ -f "$TRASH/proxy.pid" ] && kill "$(cat "$TRASH/proxy.pid")" 2>/dev/null
	return 0
}
test_cleanup evil_proxy_cleanup

evil_start() {
	echo honest >"$EVIL_MODE" && : >"$EVIL_ROUTES" &&
	(cd "$TRASH" && daemon_start --data "$DATA") &&
	PORT=$(cat "$TRASH/port") &&
	evil_proxy_start
}

evil_mode() { echo "$*" >"$EVIL_MODE"; }

evil_route() {
	_key=$(fpr_of_home "$1") &&
	grep -v "^$_key " "$EVIL_ROUTES" >"$EVIL_ROUTES.new"
	mv "$EVIL_ROUTES.new" "$EVIL_ROUTES"
	[ -z "${2:-}" ] || echo "$_key $2" >>"$EVIL_ROUTES"
}

evil_daemon_restart() {
	_port=$(cat "$TRASH/port") &&
	daemon_stop &&
	if [ "${1:-}" = accept ]; then
		PLM_EVIL=accept daemon_start --data "$DATA" --port "$_port"
	else
		daemon_start --data "$DATA" --port "$_port"
	fi
}

seq_of_envelope() {
	sqlite3 "$(ls "$DATA"/*.db)" "SELECT seq FROM envelopes WHERE hex(id) = upper('$1')"
}

log_size() { api_unsigned GET /v1/health | sed 1d | jq -r .log_size; }

# evil_review HOME:USER:STATE[:ROLE]...: the daemon and the proxy, the root,
# each person enrolled, the review of Italy (criminalization cluster,
# reviewed by France and Brazil) created with those given a ROLE and moved
# on to self_assessment, and synced by each of them. What it prints goes to
# $TRASH/setup.log; a failure is reported as "FAIL - SCRIPT/setup".
evil_review() {
	evil_review_steps "$@" >"$TRASH/setup.log" 2>&1 ||
	{
		echo "FAIL - $test_name/setup"
		cat "$TRASH/setup.log" "$TRASH/daemon.log" "$TRASH/proxy.err" 2>/dev/null
	}
}

evil_review_steps() {
	cd "$TRASH" && evil_start && cd "$OLDPWD" && setup_root || return 1
	_members=
	_synced=
	for _p in "$@"; do
		_home=$(echo "$_p" | cut -d: -f1) _user=$(echo "$_p" | cut -d: -f2)
		_state=$(echo "$_p" | cut -d: -f3) _role=$(echo "$_p" | cut -d: -f4)
		enrol "$_home" "$_user" "$_user" "$_state" || return 1
		[ -z "$_role" ] && continue
		_members="$_members --member $_user:$_role"
		_synced="$_synced $_home"
	done
	pal root admin review create "$REVIEW" --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en $_members &&
	pal root admin review advance "$REVIEW" &&
	pal root admin review advance "$REVIEW" || return 1
	for _home in $_synced; do
		pal "$_home" sync >/dev/null || return 1
	done
}

# The scripts whose readers are fra_fp and bra_exp (t5000, t5050):
# send_doc WHO TEXT: WHO sends TEXT as a message; prints its id.
send_doc() {
	echo "$2" | pal "$1" send "$REVIEW" --title "$2" | head -n 1 | cut -d " " -f 1
}

# readers_refuse ID PATTERN: both readers sync, exit 3, and name ID with PATTERN.
readers_refuse() {
	for who in fra_fp bra_exp; do
		exit_is 3 pal $who sync >out 2>err || { cat err >&2; return 1; }
		grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, envelope $(echo "$1" | cut -c1-12): $2" err ||
			{ cat err >&2; return 1; }
	done
}
