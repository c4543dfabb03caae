#!/bin/sh
# The whole country review of `make demo` (issue 8) as a test: the steps of
# tests/scenario.sh, each one ok/FAIL line, with its assertions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

step() { test_expect_success "$1" "$2"; }
tell() { :; }

cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" ||
	{ echo "FAIL - $test_name/the relay starts"; cat "$TRASH/daemon.log"; exit 1; }
. "$PLM_TOP/tests/scenario.sh"
test_done
