#!/bin/sh
# Shell completion for palermo (client/completion/): the bash and zsh
# scripts offer the commands, each command's options and subcommands, all
# read by the hidden `palermo __complete` from the command table and the
# usage texts (so every command `palermo help` lists, with the options its
# usage shows), and review and document ids from the local state; it needs
# neither the network nor a passphrase.
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

# The commands `palermo help` lists.
help_commands() {
	"$PLM_BIN/palermo" help | sed -n "/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p"
}

# usage_options CMD: the --options of CMD's usage: all of its synopsis (up to
# the first blank line), then the one each later line starts with.
usage_options() {
	"$PLM_BIN/palermo" help "$1" >usage &&
	sed -n "1,/^$/p" usage | grep -o -- "--[a-z][a-z0-9-]*" &&
	sed "1,/^$/d" usage | sed -n "s/^ *\(-[a-z], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p"
}

test_expect_success 'every command palermo help lists is completed, and only those' '
	help_commands | sort >listed &&
	grep -x agree listed && grep -x archive listed && test "$(wc -l <listed)" -ge 18 &&
	complete_line palermo "" | sort >offered &&
	{ cat listed && echo help; } | sort >expected && diff expected offered &&
	"$PLM_BIN/palermo" __complete commands | cut -f1 | sort >table && diff listed table &&
	complete_line palermo help "" | sort >offered && diff listed offered
'

test_expect_success 'each command completes the options its usage shows, and no other' '
	for cmd in $(help_commands); do
		complete_line palermo "$cmd" -- | grep -v -x -- --help | sort >offered &&
		usage_options "$cmd" | sort -u >expected &&
		"$PLM_BIN/palermo" help "$cmd" | grep -o -- "--[a-z][a-z0-9-]*" | sort -u >documented &&
		if ! diff expected offered; then echo "$cmd: options differ"; return 1; fi &&
		if comm -13 documented offered | grep .; then echo "$cmd: not in its usage"; return 1; fi ||
		return 1
	done &&
	complete_line palermo archive seal --t >got && printf -- "--to\n--trust\n" >expected &&
	diff expected got &&
	complete_line palermo admin --tr >got && test -z "$(cat got)" &&
	complete_line palermo questionnaire --k >got && test -z "$(cat got)"
'

test_expect_success 'subcommands from the synopsis, at every level' '
	for cmd in $(help_commands); do
		"$PLM_BIN/palermo" help "$cmd" | sed -n "1,/^$/p" |
			sed -n "s/^\(usage:\)\{0,1\} *palermo $cmd \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\2/p" |
			sort -u >expected &&
		if ! test -s expected; then continue; fi &&
		complete_line palermo --home "$TRASH/none" "$cmd" "" | sort >offered &&
		if ! diff expected offered; then echo "$cmd: subcommands differ"; return 1; fi ||
		return 1
	done &&
	complete_line palermo archive "" >got && printf "keygen\nseal\nverify\nopen\n" >expected &&
	diff expected got &&
	complete_line palermo admin review "" | sort >got &&
	printf "add\nadvance\ncreate\ngrant\nremove\n" >expected && diff expected got &&
	complete_line palermo admin review create --sur ITA "" >got && test -z "$(cat got)" &&
	complete_line palermo keys export "" >got && test -z "$(cat got)"
'

test_expect_success 'option values by their placeholder, ids where the command takes them' '
	complete_line palermo archive keygen --kdf i >got && test "$(cat got)" = interactive &&
	complete_line palermo admin invite --usage s >got && test "$(cat got)" = secretariat &&
	complete_line palermo --home "$HOMES/rossi" admin invite --user "" >got && test -z "$(cat got)" &&
	complete_line palermo --home "$HOMES/rossi" archive seal 2026-ita-cr >got &&
	test "$(cat got)" = 2026-ita-crim &&
	complete_line palermo --home "$HOMES/rossi" archive seal --to k 2026-ita-co >got &&
	test "$(cat got)" = 2026-ita-coop &&
	id=$(head -n 1 "$TRASH/sent" | cut -c1-16) &&
	complete_line palermo --home "$HOMES/rossi" agree "" >got && test "$(cat got)" = "$id" &&
	: >some-file && complete_line palermo report --html some- >got && test "$(cat got)" = some-file &&
	complete_line palermo archive open some- >got && test "$(cat got)" = some-file
'

test_expect_success '__complete for commands and options is quiet on anything unknown' '
	! "$PLM_BIN/palermo" __complete commands | grep __complete &&
	test_must_fail "$PLM_BIN/palermo" --home "$TRASH/none" __complete options nosuch >out 2>err &&
	test ! -s out && test ! -s err &&
	test_must_fail "$PLM_BIN/palermo" --home "$TRASH/none" __complete options __comp >out 2>err &&
	test ! -s out && test ! -s err &&
	"$PLM_BIN/palermo" --home "$TRASH/none" __complete subcommands admin review nosuch >out 2>err &&
	test ! -s out && test ! -s err &&
	"$PLM_BIN/palermo" __complete options get >out &&
	printf -- "--force\n--output\tFILE\n" >expected && diff expected out
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

	test_expect_success 'the zsh completion offers the commands, options and values of the usage texts' '
		cat >args.zsh <<-\EOF &&
		_describe() { print -rl -- ${(P)4} }
		_arguments() { print -rl -- "$@" }
		source $1 >/dev/null
		words=($2 "")
		_palermo_arguments
		EOF
		PATH="$PLM_BIN:$PATH" zsh -f args.zsh "$ZSH_COMPLETION" help >got &&
		grep -x "1:command:_palermo_commands" got &&
		cat >commands.zsh <<-\EOF &&
		_describe() { print -rl -- ${(P)4} }
		_arguments() { : }
		source $1
		_palermo_commands
		EOF
		PATH="$PLM_BIN:$PATH" zsh -f commands.zsh "$ZSH_COMPLETION" | cut -d: -f1 | sort >got &&
		{ help_commands && echo help; } | sort >expected && diff expected got &&
		PATH="$PLM_BIN:$PATH" zsh -f args.zsh "$ZSH_COMPLETION" archive >got &&
		grep -x "\*--to:KEY:_files" got && grep -x "\*--kdf:moderate|interactive:(moderate interactive)" got &&
		grep -x "1:action:(keygen seal verify open)" got &&
		PATH="$PLM_BIN:$PATH" zsh -f args.zsh "$ZSH_COMPLETION" send >got &&
		grep -x "\*--reply-to:ID:_palermo_documents" got && grep -x "\*--json" got &&
		PATH="$PLM_BIN:$PATH" zsh -f args.zsh "$ZSH_COMPLETION" admin >got &&
		grep -x "\*--user:ID: " got && grep -x "2:what:(create add remove advance grant)" got &&
		for cmd in $(help_commands); do
			PATH="$PLM_BIN:$PATH" zsh -f args.zsh "$ZSH_COMPLETION" "$cmd" |
				sed -n "s/^\*\(--[a-z0-9-]*\).*/\1/p" | sort >offered &&
			usage_options "$cmd" | sort -u >expected &&
			if ! diff expected offered; then echo "$cmd: zsh options differ"; return 1; fi ||
			return 1
		done
	'
else
	echo "ok - $test_name/the zsh completion parses and offers the same ids # skipped: no zsh"
	echo "ok - $test_name/the zsh completion offers the commands, options and values of the usage texts # skipped: no zsh"
fi

test_done
