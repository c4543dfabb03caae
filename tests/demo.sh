#!/bin/sh
# tests/demo.sh BUILD - the main job for now: libpalermo-keys checked against
# the published RFC 9162 / Certificate Transparency test vectors, and
# docs/PROTOCOL.md's worked examples regenerated from the code and compared.
set -u
build=$1
top=$(cd "$(dirname "$0")/.." && pwd)
export PLM_TOP="$top" PLM_BUILD="$build"
ok=1
echo "Palermo: checking libpalermo-keys"
echo "1. RFC 9162 Merkle tree hashing and proofs against published vectors (tests/vectors/):"
if "$build/tests/unit/test_merkle" | sed 's/^/   /'; then :; else ok=0; fi
echo "2. Every format round-trips and refuses tampering (unit tests):"
for t in "$build"/tests/unit/test_*; do
	case "$t" in *.o) continue ;; esac
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	n=$(printf '%s\n' "$out" | grep -c '^ok - ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL - ')
	printf '   %-22s %3d passed, %d failed\n' "$(basename "$t")" "$n" "$f"
	[ "$f" -eq 0 ] || ok=0
done
echo "3. docs/PROTOCOL.md hex examples are what the code produces:"
if sh "$top/tests/examples/update.sh" "$build/tests/protocol-examples" "$top/docs/PROTOCOL.md" --check; then
	echo "   $(grep -c '^<!-- example ' "$top/docs/PROTOCOL.md") examples match"
else
	ok=0
fi
if [ "$ok" -eq 1 ]; then
	echo "demo: everything held."
else
	echo "demo: FAILED (see above)."
	exit 1
fi
