#!/bin/sh
# Shell completion for palermo (client/completion/): the bash script
# offers commands, each command's options (the same as its usage text),
# and review and document ids from the local state through the hidden
# `palermo __complete`, which needs neither the network nor a passphrase.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

BASH_COMPLETION="$PLM_TOP/client/completion/palermo.bash"
ZSH_COMPLETION="$PLM_TOP/client/completion/_palermo"
setup() {
	setup_root &&
	enrol rossi it-fp-rossi "Giulia Rossi" ITA &&
	pal root admin review create 2026-ita-crim --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en --member it-fp-rossi:focal_point >/dev/null &&
	pal root admin review create 2026-ita-coop --sur ITA --cluster cooperation \
		--instrument untoc:FRA,BRA --language en --member it-fp-rossi:focal_point >/dev/null &&
	pal rossi sync >/dev/null &&
	echo "A note." | pal rossi send 2026-ita-crim --title Note >"$TRASH/sent" &&
	pal rossi sync >/dev/null
}
cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	setup >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }
daemon_stop >/dev/null 2>&1 # completion works with the server down
unset PALERMO_PASSPHRASE_FILE

# complete WORD...: the COMPREPLY of bash completion for the command line
# WORD... (the last word is the one being completed), one per line.
complete_line() {
	PATH="$PLM_BIN:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_palermo
		printf "%s\n" "${COMPREPLY[@]}"' sh "$BASH_COMPLETION" "$@"
}

test_expect_success 'a command from its first letters' '
	complete_line palermo sta >got && test "$(cat got)" = status &&
	complete_line palermo --json r >got && grep -x reviews got && grep -x report got &&
	grep -x roster got && test "$(wc -l <got)" = 3
'

test_expect_success 'options of a command, and of palermo itself' '
	complete_line palermo report --h >got &&
	grep -x -- --html got && grep -x -- --help got && test "$(wc -l <got)" = 2 &&
	complete_line palermo --n >got && test "$(cat got)" = --no-color &&
	complete_line palermo init --kdf "" >got && grep -x interactive got
'

test_expect_success 'review ids from the local state' '
	complete_line palermo --home "$HOMES/rossi" status "" >got &&
	printf "2026-ita-coop\n2026-ita-crim\n" >expected && diff expected got &&
	complete_line palermo --home "$HOMES/rossi" list 2026-ita-cr >got &&
	test "$(cat got)" = 2026-ita-crim &&
	complete_line palermo --home "$HOMES/rossi" admin review advance 2026 >got &&
	test "$(wc -l <got)" = 2
'

test_expect_success 'document ids from the local state, for get and --reply-to' '
	id=$(head -n 1 "$TRASH/sent") &&
	complete_line palermo --home "$HOMES/rossi" get "" >got &&
	grep -x "$(echo "$id" | cut -c1-16)" got &&
	complete_line palermo --home "$HOMES/rossi" send 2026-ita-crim --reply-to "$(echo "$id" | cut -c1-3)" >got &&
	test "$(cat got)" = "$(echo "$id" | cut -c1-16)"
'

test_expect_success '__complete is hidden, quiet without a home, and needs no passphrase' '
	! "$PLM_BIN/palermo" help | grep __complete &&
	test_must_fail "$PLM_BIN/palermo" --home "$TRASH/none" __complete reviews >out 2>err &&
	test ! -s out && test ! -s err &&
	"$PLM_BIN/palermo" --home "$HOMES/rossi" __complete documents 2026-ita-crim >out &&
	grep -q "	message 2026-ita-crim$" out
'

test_expect_success 'each command completes the options its usage shows, and no other' '
	for cmd in init whoami keys send list get questionnaire admin report doctor; do
		complete_line palermo "$cmd" -- | grep -v -x -- --help | sort >offered &&
		"$PLM_BIN/palermo" help "$cmd" | sed -n "1,/^$/p" | grep -o -- "--[a-z][a-z-]*" |
			grep -v -x -- --json | sort -u >synopsis &&
		"$PLM_BIN/palermo" help "$cmd" | grep -o -- "--[a-z][a-z-]*" | sort -u >documented &&
		if comm -23 synopsis offered | grep .; then echo "$cmd: not completed"; return 1; fi &&
		if comm -13 documented offered | grep .; then echo "$cmd: not in its usage"; return 1; fi
	done
'

if command -v zsh >/dev/null 2>&1; then
	test_expect_success 'the zsh completion parses and offers the same ids' '
		zsh -n "$ZSH_COMPLETION" &&
		cat >ids.zsh <<-\EOF &&
		_describe() { print -rl -- ${(P)4} }
		_arguments() { : }
		source $1
		words=(palermo --home $2 status "")
		_palermo_reviews
		_palermo_documents
		EOF
		PATH="$PLM_BIN:$PATH" zsh -f ids.zsh "$ZSH_COMPLETION" "$HOMES/rossi" >got &&
		id=$(head -n 1 "$TRASH/sent" | cut -c1-16) &&
		printf "2026-ita-coop\n2026-ita-crim\n%s:message 2026-ita-crim\n" "$id" >expected &&
		diff expected got
	'
else
	echo "ok - $test_name/the zsh completion parses and offers the same ids # skipped: no zsh"
fi

test_done
