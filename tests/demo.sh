#!/bin/sh
# tests/demo.sh BUILD - `make demo`, the main job: one whole country review
# on this machine (tests/scenario.sh), told as a story. A relay on a
# loopback port with a throwaway data folder, a secretariat, Italy under
# review, France and Brazil reviewing, an observer; no configuration, no
# network. Stops at the first step that does not hold; exit 0 only if all did.
set -u
PLM_BUILD=$(cd "${1:?usage: tests/demo.sh BUILD}" && pwd)
PLM_TOP=$(cd "$(dirname "$0")/.." && pwd)
PLM_BIN=${PLM_BIN:-$PLM_TOP/bin}
export PLM_BUILD PLM_TOP PLM_BIN
. "$PLM_TOP/tests/lib.sh"
. "$PLM_TOP/tests/lib-daemon.sh"
. "$PLM_TOP/tests/lib-identity.sh"

started=$(date +%s)
failed=
# Each step runs with set -e in $TRASH; its story goes to the terminal, the
# commands' own output to a log shown only if the step fails.
step() {
	[ -z "$failed" ] || return 0
	echo
	echo "$1"
	if (cd "$TRASH" && set -ex && eval "$2") 3>&1 >"$TRASH/step.log" 2>&1; then
		:
	else
		failed=$1
		echo "   this step did not hold:"
		tail -n 15 "$TRASH/step.log" | sed 's/^/   | /'
	fi
}
tell() { echo "   $*" >&3; }

echo "Palermo demo: a country review of Italy, on this machine, end to end."
cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" || {
	echo "demo: FAILED: palermod did not start."
	exit 1
}
. "$PLM_TOP/tests/scenario.sh"
echo
if [ -z "$failed" ]; then
	echo "demo: everything held ($(($(date +%s) - started)) s): the server relayed only ciphertext and every member verified everything."
else
	echo "demo: FAILED at step \"$failed\"."
	exit 1
fi
