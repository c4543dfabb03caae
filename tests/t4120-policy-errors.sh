#!/bin/sh
# A policy file with an unknown key, a value of the wrong type and a
# missing field (issue 6): the daemon (through its configuration's
# `policy:`) and the client (PALERMO_POLICY) both refuse to start and name
# the place as file:line:column with what was expected. tests/unit/
# test_policy.c checks the loader itself on a small policy; this is the
# real untoc.yaml, end to end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

# bad NAME SED-SCRIPT: a copy of the default policy with one change.
bad() { sed "$2" "$POLICY" >"$TRASH/$1.yaml" && ! cmp -s "$POLICY" "$TRASH/$1.yaml"; }

# refused NAME MESSAGE: palermod and palermo both refuse NAME.yaml with
# "NAME.yaml:LINE:COL: MESSAGE" (the start of it).
refused() {
	printf "port: 0\ndata: %s\npolicy: %s\n" "$TRASH/data-$1" "$TRASH/$1.yaml" >"$TRASH/$1.conf" &&
	{ "$PALERMOD" --config "$TRASH/$1.conf" 2>"$1.daemon"; rc=$?; } ;
	[ "$rc" = 78 ] &&
	grep -F "palermod: cannot load the policy: $TRASH/$1.yaml:$2" "$1.daemon" &&
	{ PALERMO_POLICY="$TRASH/$1.yaml" "$PLM_BIN/palermo" --home "$TRASH/nobody" \
		questionnaire check /dev/null 2>"$1.client"; rc=$?; } ;
	[ "$rc" = 3 ] &&
	grep -F "palermo: $TRASH/$1.yaml:$2" "$1.client" &&
	test ! -e "$TRASH/nobody"
}

test_expect_success 'an unknown key: file:line:column and the keys expected' '
	bad unknown "/^  focal_point:$/a\\    colour: red" &&
	line=$(grep -n "^    colour: red$" unknown.yaml | cut -d: -f1) &&
	refused unknown "$line:5: unknown key '"'"'colour'"'"'; expected one of: title,"
'

test_expect_success 'a wrong type: a single right where a list is expected' '
	bad type "s/^    may: \[read, write, submit, agree, disclose\]$/    may: read/" &&
	line=$(grep -n "^    may: read$" type.yaml | cut -d: -f1) &&
	refused type "$line:10: expected a list of rights (a list), found a single value"
'

test_expect_success 'a missing field: a kind without max_size' '
	bad missing "/^  feedback:$/,/^  question:$/{/max_size/d}" &&
	line=$(grep -n "^  feedback:$" missing.yaml | cut -d: -f1) &&
	refused missing "$((line + 3)):5: missing field '"'"'max_size'"'"'" ||
	{ cat missing.daemon; false; }
'

test_done
