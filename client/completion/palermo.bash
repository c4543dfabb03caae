# bash completion for palermo(1). The commands, each command's options and
# subcommands come from `palermo __complete commands|options|subcommands`,
# which reads them from the command table and the usage texts (nothing to
# keep up to date here); the review and document ids from `palermo
# __complete reviews|documents`, which reads the local state only: no
# network, no passphrase. What stays here is how to complete a value.
# Installed as PREFIX/share/bash-completion/completions/palermo.

_palermo_run() { # __complete ARGS...: its words, in the home of --home
	local home_opt=()
	[ -n "${_palermo_home:-}" ] && home_opt=(--home "$_palermo_home")
	palermo "${home_opt[@]}" __complete "$@" 2>/dev/null
}

_palermo_ids() { # reviews | documents: ids from the local state of --home
	_palermo_run "$@" | cut -f1
}

# _palermo_value OPTION PLACEHOLDER: the words for an option's value, by
# the placeholder its usage shows (FILE, moderate|interactive, ...).
_palermo_value() {
	case $1:$2 in
	--reply-to:*) compgen -W "$(_palermo_ids documents)" -- "$cur" ;;
	*'|'*) compgen -W "${2//|/ }" -- "$cur" ;;
	*:FILE | *:KEY | *:KEYFILE) compgen -f -- "$cur" ;;
	*:DIR) compgen -d -- "$cur" ;;
	*:REVIEW) compgen -W "$(_palermo_ids reviews)" -- "$cur" ;;
	esac
}

_palermo() {
	local cur prev cmd i w value opts subs words
	local -a args
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	_palermo_home=
	cmd=
	# The command is the first word that is neither a global option nor its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home) _palermo_home=${COMP_WORDS[i + 1]}; i=$((i + 1)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		case $prev in
		--home) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --json --quiet --no-color --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_palermo_run commands | cut -f1) help" -- "$cur"))
		fi
		return
	fi
	if [ "$cmd" = help ]; then
		[ $((i + 1)) = "$COMP_CWORD" ] &&
			COMPREPLY=($(compgen -W "$(_palermo_run commands | cut -f1)" -- "$cur"))
		return
	fi
	# "--option<TAB>VALUE" per line, VALUE only for an option that takes one.
	opts=$(_palermo_run options "$cmd")
	# The value of an option.
	if [ "$prev" = -o ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ $prev == --* ]] && value=$(printf '%s\n' "$opts" | grep -m 1 -- "^$prev	"); then
		COMPREPLY=($(_palermo_value "$prev" "${value#*	}"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$opts" | cut -f1) --help" -- "$cur"))
		return
	fi
	# The words after the command that are neither options nor their values,
	# as "COMMAND WORD...".
	words=$cmd
	for ((i = i + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-o) i=$((i + 1)) ;;
		--*) printf '%s\n' "$opts" | grep -q -- "^$w	" && i=$((i + 1)) ;;
		-*) ;;
		*) args+=("$w"); words+=" $w" ;;
		esac
	done
	subs=$(_palermo_run subcommands "$cmd" "${args[@]}")
	# Where a command takes a review id, a document id or a file.
	case $words in
	outbox) COMPREPLY=($(compgen -W "$subs $(_palermo_ids reviews)" -- "$cur")) ;;
	status | roster | send | list | thread | "archive seal" | "questionnaire template" | \
		"questionnaire submit" | "admin review add" | "admin review remove" | \
		"admin review advance" | "admin review grant")
		COMPREPLY=($(compgen -W "$(_palermo_ids reviews)" -- "$cur")) ;;
	get | agree | disclose) COMPREPLY=($(compgen -W "$(_palermo_ids documents)" -- "$cur")) ;;
	"send "* | "questionnaire "* | "archive verify" | "archive open" | verify | "verify "?*)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	*) [ -n "$subs" ] && COMPREPLY=($(compgen -W "$subs" -- "$cur")) ;;
	esac
}
complete -F _palermo palermo
