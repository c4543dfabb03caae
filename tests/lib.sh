# tests/lib.sh - sourced by the numbered end-to-end scripts (git t/ style).
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'what it shows' 'commands'
#   test_done
#
# Each test runs in a subshell inside $TRASH (a fresh folder removed at the
# end) and prints "ok - script/what" or "FAIL - script/what".
set -u
PLM_BUILD=${PLM_BUILD:?run through make test}
PLM_TOP=${PLM_TOP:?run through make test}
test_name=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/plm-$test_name-XXXXXX")
test_failed=0
test_count=0
cleanup_hooks=""
export TRASH

at_exit() {
	for h in $cleanup_hooks; do "$h" || true; done
	rm -rf "$TRASH"
}
trap at_exit EXIT

# Registers a shell function to run when the script ends.
test_cleanup() { cleanup_hooks="$cleanup_hooks $1"; }

test_expect_success() {
	test_count=$((test_count + 1))
	if (cd "$TRASH" && set -e && eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok - $test_name/$1"
	else
		echo "FAIL - $test_name/$1"
		sed 's/^/    | /' "$TRASH/.out"
		test_failed=$((test_failed + 1))
	fi
}

# Runs a command that must fail (non-zero exit, no signal).
test_must_fail() {
	"$@" && { echo "expected failure: $*" >&2; return 1; }
	rc=$?
	[ "$rc" -lt 128 ] || { echo "died of a signal ($rc): $*" >&2; return 1; }
	return 0
}

test_done() {
	[ "$test_failed" -eq 0 ]
	exit $?
}
