#!/bin/sh
# Secret hygiene: a small review run end to end with the real client, with
# canaries (random strings) as the text of a message and of a document, its
# title, its file name and its attachment's name, and as every passphrase.
# Then every log, the server's data folder, every client home (keystore,
# state.db and its WAL, cache/, outbox/) and every file left in the temporary
# folders is searched: no plaintext canary, no passphrase, and no secret key
# of any identity (seeds and secret keys of the members, unlocked from their
# keystores; the log key's seed) appears anywhere but where it belongs, in
# any form (raw bytes, hex, base64). And the files holding secrets are
# private: keystores 0600, homes 0700, the data folder 0700, log.seed 0600.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

canary() { echo "$1$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"; }
PASS=$(canary passphrase-)
BODY=$(canary secret-body-)
BODY2=$(canary secret-document-)
TITLE=$(canary secret-title-)
FNAME=$(canary secret-name-)
ANAME=$(canary secret-annex-)
printf '%s\n' "$PASS" >"$PALERMO_PASSPHRASE_FILE"
# What the people type and read lives in desk/, which is not searched; the
# client's and the daemon's temporary files go to tmp/, which is.
DESK="$TRASH/desk"
mkdir -p "$DESK" "$TRASH/tmp" "$TRASH/logs"
TMPDIR="$TRASH/tmp"
export TMPDIR
: >"$TRASH/start-marker"

setup_people() {
	setup_root &&
	enrol ita_fp it-fp-rossi "Giulia Rossi" ITA &&
	enrol fra_fp fr-fp-martin "Claire Martin" FRA &&
	enrol bra_exp br-exp-lima "Pedro Lima" BRA &&
	pal root admin review create "$REVIEW" --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en \
		--member it-fp-rossi:focal_point --member fr-fp-martin:focal_point \
		--member br-exp-lima:expert >/dev/null &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	for who in ita_fp fra_fp bra_exp; do pal $who sync >/dev/null || return 1; done
}

cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	setup_people >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/daemon.log"; }

test_expect_success 'a message, a document with an attachment: sent, read, opened' '
	cd "$DESK" &&
	printf "%s\n" "$BODY" | pal ita_fp send "$REVIEW" >msg.id 2>"$TRASH/logs/send1.err" &&
	printf "# Responses\n\n%s\n" "$BODY2" >"$FNAME.md" &&
	printf "{\\\\rtf1\\\\ansi %s}\n" "$BODY2" >"$ANAME.rtf" &&
	pal ita_fp --json send "$REVIEW" --kind questionnaire_response --title "$TITLE" \
		--attach "$ANAME.rtf" "$FNAME.md" >doc.json 2>"$TRASH/logs/send2.err" &&
	pal fra_fp sync >/dev/null 2>"$TRASH/logs/sync.err" &&
	pal fra_fp --json list "$REVIEW" >list.json 2>"$TRASH/logs/list.err" &&
	jq -r ".documents[].title" list.json | grep -qx "$TITLE" &&
	mkdir got && (cd got && pal fra_fp get "$(jq -r .id ../doc.json)" >/dev/null &&
		pal fra_fp get "$(head -n 1 ../msg.id)" -o msg.txt >/dev/null) \
		2>"$TRASH/logs/get.err" &&
	cmp "$FNAME.md" "got/$FNAME.md" && grep -qx "$BODY" got/msg.txt
'

test_expect_success 'the secrets of every identity, unlocked from the keystores, and the log seed' '
	: >"$TRASH/secrets" &&
	for who in root ita_fp fra_fp bra_exp; do
		plmtest keystore-secrets --in "$HOMES/$who/identity.key" \
			--passphrase-file "$PALERMO_PASSPHRASE_FILE" >s &&
		test "$(wc -l <s)" = 3 && sed "s/^/$who /" s >>"$TRASH/secrets" || return 1
	done &&
	echo "server log_seed $(od -An -v -tx1 "$DATA/log.seed" | tr -d " \n")" >>"$TRASH/secrets" &&
	test "$(wc -l <"$TRASH/secrets")" = 13
'

# hex_of FILE: the bytes of FILE as one line of lower-case hex.
hex_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }
# b64_of HEX: the standard base64 of the bytes HEX spells.
b64_of() { printf "$(echo "$1" | sed 's/../\\\\x&/g')" | base64 -w0; }

# leaks FILE...: prints "FILE: what" for each canary or secret found in a
# FILE, in any form; KEEP names one file allowed to hold the log seed.
leaks() {
	for f in "$@"; do
		[ -f "$f" ] || continue
		for c in "$PASS" "$BODY" "$BODY2" "$TITLE" "$FNAME" "$ANAME"; do
			grep -qaF "$c" "$f" && echo "$f: plaintext ${c%%[0-9a-f]*}"
		done
		h=$(hex_of "$f")
		while read who name hex; do
			[ "$f" = "${KEEP:-}" ] && [ "$name" = log_seed ] && continue
			case $h in *"$hex"*) echo "$f: raw $who $name" ;; esac
			grep -qaiF "$hex" "$f" && echo "$f: hex $who $name"
			grep -qaF "$(b64_of "$hex")" "$f" && echo "$f: base64 $who $name"
		done <"$TRASH/secrets"
	done
	return 0
}

test_expect_success 'the server: data folder (database, WAL, blobs, uploads) and its log' '
	pal fra_fp sync >/dev/null &&
	find "$DATA" -type f >files && test "$(wc -l <files)" -ge 3 &&
	KEEP="$DATA/log.seed" leaks $(cat files) "$TRASH/daemon.log" >found &&
	{ test ! -s found || { cat found; false; }; }
'

test_expect_success 'the client homes: keystores, state.db and its WAL, cache, outbox' '
	find "$HOMES" -type f >files && grep -q "state.db" files &&
	for db in $(grep "/state.db$" files); do sqlite3 "$db" "SELECT count(*) FROM cached"; done |
		awk "{n += \$1} END {exit !(n > 0)}" &&
	leaks $(cat files) >found &&
	{ test ! -s found || { cat found; false; }; }
'

test_expect_success 'what the client and daemon printed on stderr, and the temporary files' '
	find "$TRASH/logs" "$TRASH/tmp" -type f >files &&
	find /tmp -xdev -maxdepth 1 -type f -newer "$TRASH/start-marker" -size -64M \
		-not -path "/tmp/plm-*" 2>/dev/null >>files || true
	echo "$(wc -l <files) files searched" &&
	leaks $(cat files) >found &&
	{ test ! -s found || { cat found; false; }; }
'

# mode_is MODE PATH: the permission bits of PATH are MODE (octal).
mode_is() {
	m=$(stat -c %a "$2") && [ "$m" = "$1" ] && return 0
	echo "$2 is $m, not $1" >&2
	return 1
}

test_expect_success 'keystores 0600, homes 0700, data folder 0700, log.seed 0600, nothing readable by others' '
	for who in root ita_fp fra_fp bra_exp; do
		mode_is 600 "$HOMES/$who/identity.key" && mode_is 700 "$HOMES/$who" || return 1
	done &&
	mode_is 700 "$DATA" && mode_is 600 "$DATA/log.seed" &&
	find "$DATA" "$HOMES"/* -perm /077 >open &&
	{ test ! -s open || { echo "readable by others:"; ls -ld $(cat open); false; }; }
'

test_expect_success 'the canaries are really there to be found (the search works)' '
	printf "%s\n" "$TITLE" >"$TRASH/tmp/probe" &&
	grep "^ita_fp seed " "$TRASH/secrets" | cut -d" " -f3 >"$TRASH/tmp/probe-hex" &&
	leaks "$TRASH/tmp/probe" "$TRASH/tmp/probe-hex" "$DESK/got/msg.txt" >found &&
	cat found && test "$(wc -l <found)" = 3 && rm "$TRASH/tmp/probe" "$TRASH/tmp/probe-hex"
'

test_expect_success 'SIGTERM: exit 0' 'daemon_stop'
test_done
