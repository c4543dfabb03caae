#!/bin/sh
# Each libFuzzer target runs for a few seconds (PLM_FUZZ_SECONDS) from its
# committed seed corpus and must find nothing (a crash, leak, sanitizer report
# or timeout makes libFuzzer exit non-zero).
. "$(dirname "$0")/lib.sh"
seconds=${PLM_FUZZ_SECONDS:-5}

for bin in "$PLM_BUILD"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	test_expect_success "$name runs ${seconds}s without a finding" '
		mkdir -p "corpus-$name" &&
		if [ -d "$PLM_TOP/tests/fuzz/corpus/$name" ]; then
			cp "$PLM_TOP/tests/fuzz/corpus/$name"/* "corpus-$name"/
		fi &&
		if ! "$bin" -max_total_time='"$seconds"' -rss_limit_mb=1024 -timeout=10 \
			-artifact_prefix="$TRASH/$name-" "corpus-$name" >"$name.log" 2>&1; then
			tail -40 "$name.log"; false
		fi &&
		grep -E "^(#[0-9]+|Done)" "$name.log" | tail -1
	'
done
test_done
