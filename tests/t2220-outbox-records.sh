#!/bin/sh
# Signed records in the outbox (DESIGN.md §11, offline first): with the
# server down `palermo agree` still succeeds and says the agreement is
# queued; `palermo outbox` shows it and `palermo doctor` warns of it;
# `palermo sync` sends it first, exactly once; a queued record the server
# refuses (a draft superseded meanwhile) is reported in one sentence and
# dropped, and sync goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	setup_root &&
	enrol ita_fp it-fp-rossi "Giulia Rossi" ITA &&
	enrol fra_fp fr-fp-martin "Claire Martin" FRA &&
	enrol bra_fp br-fp-souza "Ana Souza" BRA &&
	pal root admin review create "$REVIEW" --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en \
		--member it-fp-rossi:focal_point \
		--member fr-fp-martin:focal_point --member br-fp-souza:focal_point >/dev/null &&
	for i in 1 2 3 4 5; do
		pal root admin review advance "$REVIEW" >/dev/null || return 1
	done &&
	pal fra_fp sync >/dev/null &&
	echo "Draft list of observations, version 1." >"$TRASH/d1.txt" &&
	pal fra_fp send "$REVIEW" --kind observations_draft "$TRASH/d1.txt" >"$TRASH/d1.out" &&
	for who in ita_fp fra_fp bra_fp; do
		pal $who sync >/dev/null || return 1
	done
}

cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	setup_people >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/daemon.log"; }

# The daemon goes down and comes back on the same port and data folder.
down() { daemon_stop; }
up() { daemon_start --data "$DATA" --port "$(cat "$TRASH/port")"; }

# log_size: the number of entries in the server's log (its metrics).
log_size() {
	api_unsigned GET /v1/metrics >"$TRASH/metrics" &&
	sed -n 's/^palermo_log_size \([0-9]*\)$/\1/p' "$TRASH/metrics"
}

# agreed WHO: the States that agreed to the list of observations, as WHO sees it.
agreed() {
	pal "$1" --json status "$REVIEW" |
		jq -r "[.agreements[0].agreed[].state] | join(\" \")"
}

test_expect_success 'with the server down, agree succeeds and says it is queued' '
	d1=$(head -n 1 "$TRASH/d1.out") && [ ${#d1} = 64 ] &&
	log_size >before && down &&
	pal ita_fp agree "$d1" >out 2>err &&
	port=$(cat "$TRASH/port") &&
	grep -F "cannot reach the server at http://127.0.0.1:$port" err &&
	grep -F "; the agreement is queued here and \`palermo sync\` sends it" err &&
	grep -Fx "ITA agreed to observations_draft ${d1%${d1#????????????}} of review $REVIEW; the agreement is queued (see \`palermo outbox\`)." out
'

test_expect_success 'palermo outbox shows the queued agreement' '
	pal ita_fp outbox >out &&
	grep -E "^[0-9a-f]{12}  $REVIEW +agreement .*  -  waiting \(signed record\)$" out &&
	pal ita_fp --json outbox "$REVIEW" >o.json &&
	[ "$(jq length o.json)" = 1 ] &&
	[ "$(jq -r ".[0].record" o.json)" = true ] &&
	[ "$(jq -r ".[0].kind" o.json)" = agreement ] &&
	[ "$(jq -r ".[0].review" o.json)" = "$REVIEW" ] &&
	[ "$(jq -r ".[0].channel" o.json)" = null ] &&
	[ "$(jq -r ".[0].id | length" o.json)" = 64 ] &&
	exit_is 1 pal ita_fp doctor >out &&
	grep "^warn  *outbox  *1 signed record(s) and 0 document(s) wait to be sent; run .palermo sync. once the server is reachable" out &&
	pal ita_fp outbox 2026-xxx-none >out &&
	grep -Fx "nothing waits to be sent for 2026-xxx-none" out
'

test_expect_success 'a sync without the server keeps it and says so' '
	exit_is 4 pal ita_fp sync 2>err &&
	grep -F "1 signed record and 0 documents stay in the outbox and the next \`palermo sync\` will send it" err &&
	[ "$(pal ita_fp --json outbox | jq length)" = 1 ]
'

test_expect_success 'the server back, sync delivers it once; status shows it' '
	up && before=$(cat before) &&
	pal ita_fp sync >out 2>err &&
	grep -Fx "sent 1 queued signed record" out &&
	[ "$(pal ita_fp --json outbox | jq length)" = 0 ] &&
	[ "$(log_size)" = $((before + 1)) ] &&
	[ "$(agreed ita_fp)" = ITA ] &&
	pal fra_fp sync >/dev/null && [ "$(agreed fra_fp)" = ITA ]
'

test_expect_success 'a second sync sends nothing more' '
	before=$(log_size) &&
	pal ita_fp --json sync >s.json &&
	[ "$(jq .records_sent s.json)" = 0 ] && [ "$(jq .records_queued s.json)" = 0 ] &&
	[ "$(jq .sent s.json)" = 0 ] &&
	pal ita_fp sync >out && ! grep -F "queued signed" out &&
	[ "$(log_size)" = "$before" ] &&
	pal fra_fp sync >/dev/null && pal fra_fp --json status "$REVIEW" >st.json &&
	[ "$(jq ".agreements[0].agreed | length" st.json)" = 1 ]
'

test_expect_success 'a queued record the server refuses is reported and dropped' '
	d1=$(head -n 1 "$TRASH/d1.out") && down &&
	pal bra_fp --json agree "$d1" >a.json 2>err &&
	[ "$(jq -r .queued a.json)" = true ] && up &&
	echo "Draft list of observations, version 2." >d2.txt &&
	pal fra_fp send "$REVIEW" --kind observations_draft d2.txt >d2.out &&
	before=$(log_size) &&
	pal bra_fp sync >out 2>err &&
	grep -F "the server refused to accept the agreement (HTTP 4" err &&
	grep -F "; the queued agreement of review $REVIEW was dropped, with any later record of that review queued here (they depend on it)" err &&
	[ "$(grep -c . err)" = 1 ] &&
	[ "$(pal bra_fp --json outbox | jq length)" = 0 ] &&
	[ "$(log_size)" = "$before" ] &&
	pal bra_fp sync >out 2>err && [ ! -s err ]
'

test_expect_success 'online, agree sends at once and says nothing of a queue' '
	d2=$(head -n 1 d2.out) &&
	pal bra_fp --json agree "$d2" >a.json &&
	[ "$(jq -r .queued a.json)" = false ] &&
	[ "$(pal bra_fp --json outbox | jq length)" = 0 ]
'

test_done
