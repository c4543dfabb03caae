#!/bin/sh
# palermo doctor: a good home passes every check; each broken part of a
# set-up is reported on its own line with what to do, and the exit status
# is non-zero: a folder others can read, a keystore others can read, no
# home at all, a stopped server, a document waiting in the outbox.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup() {
	setup_root &&
	enrol rossi it-fp-rossi "Giulia Rossi" ITA &&
	pal root admin review create 2026-ita-crim --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en --member it-fp-rossi:focal_point >/dev/null &&
	pal rossi sync >/dev/null
}
cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	setup >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }
unset PALERMO_PASSPHRASE_FILE # the doctor never asks for it

test_expect_success 'a good home passes every check' '
	pal rossi doctor >out 2>err &&
	test ! -s err &&
	for c in home keystore state root policy server clock certificate outbox; do
		grep "^ok  *$c " out || { echo "no ok line for $c"; cat out; return 1; }
	done &&
	grep "^ok  *certificate  *it-fp-rossi (ITA), valid until" out &&
	pal rossi --json doctor | jq -e ".ok == true and (.checks | length) == 9" &&
	pal root doctor >root.out && grep "^ok  *certificate " root.out
'

test_expect_success 'a home others can read: FAIL with the chmod to run' '
	chmod 755 "$HOMES/rossi" &&
	exit_is 1 pal rossi doctor >out 2>err; chmod 700 "$HOMES/rossi" &&
	grep "^FAIL  *home  *$HOMES/rossi can be read by other users (mode 755); run .chmod 700 $HOMES/rossi." out &&
	grep "some checks failed" err
'

test_expect_success 'a keystore others can read: FAIL with the chmod to run' '
	chmod 644 "$HOMES/rossi/identity.key" &&
	exit_is 1 pal rossi doctor >out; chmod 600 "$HOMES/rossi/identity.key" &&
	grep "^FAIL  *keystore .*identity.key can be read by other users (mode 644); run .chmod 600" out &&
	grep "^ok  *home " out && grep "^ok  *server " out
'

test_expect_success 'no home at all: says to run palermo init' '
	exit_is 1 pal nobody doctor >out &&
	grep "^FAIL  *home .*nobody: No such file or directory; run .palermo init." out
'

test_expect_success 'a bad --max-skew is a usage error' '
	exit_is 2 pal rossi doctor --max-skew 0 2>err &&
	grep "max-skew takes a number of seconds from 1 to 3600" err
'

test_expect_success 'with the server stopped, a document is queued' '
	daemon_stop &&
	echo "While the server is down." |
		PALERMO_PASSPHRASE_FILE="$TRASH/passphrase" pal rossi send 2026-ita-crim \
		--title Offline >/dev/null 2>err; grep -i "queued" err
'

test_expect_success 'the stopped server and the queued document are each reported' '
	exit_is 1 pal rossi doctor >out &&
	grep "^FAIL  *server " out &&
	grep "^warn  *clock  *not checked: the server did not answer" out &&
	grep "^ok  *certificate " out &&
	grep "^warn  *outbox  *1 document(s) wait to be sent; run .palermo sync. once the server is reachable" out &&
	pal rossi --json doctor >doc.json; jq -e ".ok == false" doc.json &&
	jq -e "[.checks[] | select(.status == \"fail\") | .check] == [\"server\"]" doc.json
'

test_expect_success 'revoked keys: learnt from the server, checked against the root' '
	daemon_start --data "$DATA" --port "$PORT" &&
	PALERMO_PASSPHRASE_FILE="$TRASH/passphrase" pal root admin revoke it-fp-rossi \
		--reason device_lost >/dev/null &&
	exit_is 1 pal rossi doctor >out &&
	grep "^FAIL  *certificate  *the certificate of it-fp-rossi (ITA) was revoked; ask the secretariat" out
'

test_done
