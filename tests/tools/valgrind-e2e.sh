#!/bin/sh
# valgrind-e2e.sh SCRIPT... - make valgrind-e2e: runs end-to-end scripts with
# palermod and palermo under valgrind (tests/tools/valgrind-wrap.sh through
# PLM_WRAP). A script fails on its own checks, or when valgrind reported
# anything (an invalid access, uninitialised memory, a leak: exit 99 and a
# non-empty report). Ends with "N passed, N failed" (scripts).
: "${PLM_BUILD:?run through make valgrind-e2e}" "${PLM_TOP:?}" "${PLM_BIN:?}"
logs="$PLM_BUILD/valgrind-e2e"
rm -rf "$logs" && mkdir -p "$logs"
PLM_WRAP="sh $PLM_TOP/tests/tools/valgrind-wrap.sh"
PLM_VALGRIND_LOGS=$logs
export PLM_WRAP PLM_VALGRIND_LOGS
passed=0
failed=0
for name in "$@"; do
	before=$(find "$logs" -type f -name '*.log' -size +0 | wc -l)
	start=$(date +%s)
	if sh "$PLM_TOP/tests/$name.sh" >"$logs/$name.out" 2>&1 &&
		! grep -q '^FAIL' "$logs/$name.out" &&
		[ "$(find "$logs" -type f -name '*.log' -size +0 | wc -l)" = "$before" ]; then
		echo "ok - valgrind-e2e/$name ($(grep -c '^ok' "$logs/$name.out") checks, $(($(date +%s) - start)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL - valgrind-e2e/$name"
		grep '^FAIL' "$logs/$name.out" | sed 's/^/    | /'
		find "$logs" -type f -name '*.log' -size +0 -exec sh -c 'echo "    | $1:"; head -40 "$1" | sed "s/^/    | /"' sh {} \;
		failed=$((failed + 1))
	fi
done
echo "$(ls "$logs"/*.log 2>/dev/null | wc -l) processes ran under valgrind"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
