#!/bin/sh
# The malicious relay and the transparency log (docs/SECURITY.md, issues 7
# and 9; DESIGN.md §9). The tampering proxy of tests/tools/plmevil.c replays
# an old signed tree head, signs a head over a history that never was with
# the daemon's own log key (a server that signs lies), shows Brazil's expert
# a second daemon holding another history than everyone else sees (a fork
# between two members), and replays every signed request it forwards (the
# daemon must refuse each replay). Every member's client must refuse each,
# with exit status 3 and a sentence naming the heads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"
. "$(dirname "$0")/lib-evil.sh"

# The second daemon of the split view, on the copy DATA2 of the data folder.
second_daemon_cleanup() {
	[ -f "$TRASH/d2.pid" ] && kill "$(cat "$TRASH/d2.pid")" 2>/dev/null
	return 0
}
test_cleanup second_daemon_cleanup

second_daemon_start() {
	"$PALERMOD" --port 0 --ready-file "$TRASH/d2.port" --data "$TRASH/data2" \
		</dev/null >/dev/null 2>>"$TRASH/d2.log" &
	echo $! >"$TRASH/d2.pid"
	i=0
	while [ ! -s "$TRASH/d2.port" ]; do
		[ $i -lt 200 ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}

evil_review ita_fp:it-fp-rossi:ITA:focal_point fra_fp:fr-fp-martin:FRA:focal_point \
	bra_exp:br-exp-lima:BRA:expert

# The stored head of WHO: "size root-hex" (as in t3000).
head_of() {
	_hex=$(sqlite3 "$HOMES/$1/state.db" \
		"SELECT hex(value) FROM settings WHERE key = 'tree_head'") &&
	echo "$((0x$(echo "$_hex" | cut -c3-18))) $(echo "$_hex" | cut -c35-98 | tr A-F a-f)"
}

# head_refused WHO PATTERN: WHO's sync exits 3 saying "the server's log
# PATTERN", @SIZE@ and @ROOT@ standing for the head WHO kept, which stays.
head_refused() {
	_before=$(head_of "$1") &&
	_pat=$(echo "$2" | sed "s/@SIZE@/${_before%% *}/; s/@ROOT@/$(echo "${_before#* }" | cut -c1-12)/") &&
	exit_is 3 pal "$1" sync >out 2>err &&
	grep "the server.s log $_pat" err &&
	[ "$(head_of "$1")" = "$_before" ]
}

send_doc() {
	echo "$2" | pal "$1" send "$REVIEW" --title "$2" | head -n 1 | cut -d " " -f 1
}

test_expect_success 'an old signed tree head served again is a rollback, for every member' '
	send_doc ita_fp "Responses on article 5" >/dev/null &&
	for who in ita_fp fra_fp bra_exp; do pal $who sync >/dev/null || return 1; done &&
	evil_mode replay-head &&
	for who in ita_fp fra_fp bra_exp; do
		head_refused $who "went back: the head this client accepted before was size @SIZE@, root @ROOT@, the server now signs size [0-9]*, root [0-9a-f]\{12\}" ||
			return 1
	done &&
	evil_mode honest
'

test_expect_success 'a head over another history, signed with the log key itself, is a fork' '
	evil_mode forge-head "$DATA/log.seed" &&
	for who in ita_fp fra_fp; do
		head_refused $who "forked: the head this client accepted before (size @SIZE@, root @ROOT@) is not a prefix of the head it signs now (size [0-9]*, root [0-9a-f]\{12\})" ||
			return 1
	done &&
	evil_mode honest
'

test_expect_success 'a member with no head yet accepts the lie, and then refuses every entry' '
	enrol ita_obs it-obs-verdi "Luca Verdi" ITA >/dev/null &&
	evil_mode forge-head "$DATA/log.seed" &&
	exit_is 3 pal ita_obs sync >out 2>err &&
	evil_mode honest &&
	grep "VERIFICATION FAILED: review deployment, log entry 0, certificate [0-9a-f]\{12\}: [0-9a-f]\{12\} at seq 0 is not in the log head the server signed (size [0-9]*, root [0-9a-f]\{12\}): the inclusion proof for leaf 0 of [0-9]* does not lead to the signed root" err &&
	grep "[0-9]* items failed verification and were not kept" err &&
	[ "$(grep -c "VERIFICATION FAILED" err)" -ge 5 ] &&
	[ "$(sqlite3 "$HOMES/ita_obs/state.db" "SELECT count(*) FROM certificates")" = 1 ]
'

# The split view: from now on the server answers Brazil's expert from a
# second daemon started on a copy of its data folder (the same log key),
# and both go on accepting documents. Each member alone sees a consistent,
# validly signed log; the heads they carry in what they write prove the
# fork to the others.
test_expect_success 'two members shown different histories: the fork is caught by both' '
	pal ita_fp sync >/dev/null && pal fra_fp sync >/dev/null && pal bra_exp sync >/dev/null &&
	daemon_stop && cp -a "$DATA" "$TRASH/data2" && rm -f "$TRASH/data2"/*.db-wal "$TRASH/data2"/*.db-shm &&
	daemon_start --data "$DATA" --port "$PORT" &&
	second_daemon_start &&
	evil_route bra_exp "$(cat "$TRASH/d2.port")" &&
	a=$(send_doc ita_fp "Italy: answers for France") &&
	b=$(send_doc bra_exp "Brazil: a question nobody else sees") &&
	[ -n "$(seq_of_envelope "$a")" ] && [ -z "$(seq_of_envelope "$b")" ] &&
	pal bra_exp sync >/dev/null && pal fra_fp sync >/dev/null &&
	seen_b=$(head_of bra_exp) && seen_f=$(head_of fra_fp) &&
	[ "${seen_b%% *}" = "${seen_f%% *}" ] && [ "${seen_b#* }" != "${seen_f#* }" ] &&
	evil_route bra_exp &&
	c=$(send_doc bra_exp "Brazil: a later question") &&
	[ -n "$(seq_of_envelope "$c")" ] &&
	exit_is 3 pal fra_fp sync >out 2>err &&
	grep "the server.s log forked: the author.s head (size ${seen_b%% *}, root $(echo "${seen_b#* }" | cut -c1-12)) is not a prefix of the head it signs now (size [0-9]*, root [0-9a-f]\{12\})" err &&
	[ "$(pal fra_fp --json list --all "$REVIEW" | jq -r "[.documents[] | select(.id == \"$c\")] | length")" = 0 ] &&
	exit_is 3 pal bra_exp sync >out 2>err2 &&
	grep "the server.s log forked: the head this client accepted before (size ${seen_b%% *}, root $(echo "${seen_b#* }" | cut -c1-12))" err2
'

test_expect_success 'every signed request replayed on the way is refused by the daemon' '
	: >"$EVIL_LOG" &&
	evil_mode replay-requests &&
	pal ita_fp sync >/dev/null 2>&1 || true;
	id=$(send_doc ita_fp "Sent once, replayed once") &&
	evil_mode honest &&
	n=$(grep -c "^REPLAY " "$EVIL_LOG") && [ "$n" -ge 3 ] &&
	[ "$(grep "^REPLAY " "$EVIL_LOG" | grep -vc " -> 401 ")" = 0 ] &&
	[ "$(grep "^REPLAY [GP]" "$EVIL_LOG" | grep -vc " -> 401 /problems/unauthorized: this signed request was already received once (a replay)")" = 0 ] &&
	grep "^REPLAY PUT /v1/reviews/$REVIEW/uploads/[0-9a-f]* -> 401" "$EVIL_LOG" &&
	[ "$(sqlite3 "$(ls "$DATA"/*.db)" "SELECT count(*) FROM envelopes WHERE hex(id) = upper(\"$id\")")" = 1 ]
'

test_expect_success 'a signed upload replayed after the daemon restarted is refused' '
	mkdir -p captured &&
	evil_mode capture "$PWD/captured" &&
	id=$(send_doc ita_fp "Captured on the way") &&
	evil_mode honest &&
	read method target <captured/request && [ "$method" = PUT ] &&
	evil_daemon_restart &&
	curl -s -o answer.json -w "%{http_code}" -X PUT -H @captured/headers \
		--data-binary @captured/body "http://127.0.0.1:$PORT$target" >code &&
	[ "$(cat code)" = 401 ] &&
	jq -r .detail answer.json | grep "the request was signed before the server started" &&
	[ "$(sqlite3 "$(ls "$DATA"/*.db)" "SELECT count(*) FROM envelopes WHERE hex(id) = upper(\"$id\")")" = 1 ]
'

test_done
