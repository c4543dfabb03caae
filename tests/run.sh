#!/bin/sh
# tests/run.sh BUILD_DIR - runs every unit test program and every numbered
# end-to-end script, shows their output, and ends with exactly one line
# "N passed, N failed". Exit status 0 only when nothing failed.
#
# A unit program prints "ok - ..." / "FAIL - ..." per case; a script does the
# same through tests/lib.sh. A program or script that exits non-zero without
# reporting a failure (a crash, a sanitizer report) counts as one failure.
build=${1:?usage: tests/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
export PLM_BUILD="$(cd "$build" && pwd)" PLM_TOP="$top"
log=$(mktemp)
passed=0
failed=0

run_one() { # name, command...
	name=$1
	shift
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^FAIL - ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL - $name: exited with status $rc without reporting a failure"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL - $name: ran no test"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$PLM_BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in "$top"/tests/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	if [ -n "${PLM_ONLY:-}" ] && ! echo "$t" | grep -q -- "$PLM_ONLY"; then
		continue
	fi
	run_one "$(basename "$t")" sh "$t"
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
