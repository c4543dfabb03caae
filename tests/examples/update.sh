#!/bin/sh
# update.sh GENERATOR DOC [--check]
# Replaces every "<!-- example NAME -->" ... "<!-- /example -->" block of DOC
# with the block of the same name that GENERATOR prints. With --check, writes
# nothing and fails (listing the names) if DOC differs from what the code
# produces, or if DOC lacks a block the code produces or names one it does not.
set -eu
gen=$1 doc=$2 mode=${3:-write}
blocks=$(mktemp) new=$(mktemp)
trap 'rm -f "$blocks" "$new"' EXIT
"$gen" >"$blocks"
awk -v blocks="$blocks" '
BEGIN {
	while ((getline line < blocks) > 0) {
		if (line ~ /^<!-- example [^ ]+ -->$/) { name = line; sub(/^<!-- example /, "", name); sub(/ -->$/, "", name); body = line "\n"; continue }
		body = body line "\n"
		if (line == "<!-- /example -->") { text[name] = body; order[++n] = name }
	}
}
/^<!-- example [^ ]+ -->$/ {
	name = $0; sub(/^<!-- example /, "", name); sub(/ -->$/, "", name)
	if (!(name in text)) { print "unknown example in document: " name > "/dev/stderr"; bad = 1 }
	else { printf "%s", text[name]; used[name] = 1 }
	skipping = 1; next
}
skipping && $0 == "<!-- /example -->" { skipping = 0; next }
skipping { next }
{ print }
END {
	for (i = 1; i <= n; i++) if (!(order[i] in used)) { print "example missing from document: " order[i] > "/dev/stderr"; bad = 1 }
	exit bad
}' "$doc" >"$new"
if [ "$mode" = --check ]; then
	if ! cmp -s "$doc" "$new"; then
		echo "docs/PROTOCOL.md examples differ from what the code produces:" >&2
		diff "$doc" "$new" | head -40 >&2
		exit 1
	fi
else
	cat "$new" >"$doc"
fi
