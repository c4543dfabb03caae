# bash completion for palermo(1): commands, each command's options, and
# the review and document ids this client knows (`palermo __complete`,
# which reads the local state only: no network, no passphrase).
# Installed as PREFIX/share/bash-completion/completions/palermo.

_palermo_ids() { # reviews | documents: ids from the local state of --home
	local home_opt=()
	[ -n "${_palermo_home:-}" ] && home_opt=(--home "$_palermo_home")
	palermo "${home_opt[@]}" __complete "$@" 2>/dev/null | cut -f1
}

_palermo() {
	local cur prev cmd sub i w
	local commands="init whoami keys sync reviews status roster send list thread get outbox questionnaire admin report doctor help"
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	_palermo_home=
	cmd= sub=
	# The command is the first word that is neither a global option nor its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ -z "$cmd" ]; then
			case $w in
			--home) _palermo_home=${COMP_WORDS[i + 1]}; i=$((i + 1)) ;;
			-*) ;;
			*) cmd=$w ;;
			esac
		elif [ -z "$sub" ] && [[ $w != -* ]]; then
			sub=$w
		fi
	done
	if [ -z "$cmd" ]; then
		case $prev in
		--home) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --json --quiet --no-color --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	# Values of options.
	case $prev in
	--reply-to) COMPREPLY=($(compgen -W "$(_palermo_ids documents)" -- "$cur")); return ;;
	--attach|--output|-o|--html|--new-passphrase-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--kdf) COMPREPLY=($(compgen -W "moderate interactive" -- "$cur")); return ;;
	--usage) COMPREPLY=($(compgen -W "member secretariat" -- "$cur")); return ;;
	--server|--trust|--invite|--user|--name|--state|--channel|--kind|--title|--lang|--party-to|--soon|--on|--max-skew|--fingerprint|--reason|--days|--expires-in|--sur|--cluster|--instrument|--language|--member|--remove|--party)
		return ;;
	esac
	local opts=
	case $cmd in
	init) opts="--server --trust --invite --user --name --state --kdf" ;;
	whoami) opts="--offline" ;;
	keys) opts="--kdf --new-passphrase-file" ;;
	sync|reviews|status|roster|outbox) opts= ;;
	send) opts="--channel --kind --title --reply-to --attach --lang" ;;
	list|thread) opts="--all" ;;
	get) opts="--output --force" ;;
	questionnaire) opts="--party-to --output --final" ;;
	admin) opts="--server --name --user --state --kdf --usage --expires-in --fingerprint --days --reason --sur --cluster --instrument --language --member --party --remove --history --no-history" ;;
	report) opts="--soon --on --html" ;;
	doctor) opts="--max-skew" ;;
	help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		return
	fi
	case $cmd in
	keys) [ -z "$sub" ] && COMPREPLY=($(compgen -W "export passwd" -- "$cur")) ;;
	outbox)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "drop retry $(_palermo_ids reviews)" -- "$cur"))
		fi ;;
	questionnaire)
		case $sub in
		"") COMPREPLY=($(compgen -W "template check submit" -- "$cur")) ;;
		template|submit)
			if [ "$prev" = "$sub" ]; then
				COMPREPLY=($(compgen -W "$(_palermo_ids reviews)" -- "$cur"))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi ;;
		check) COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac ;;
	admin)
		case $sub in
		"") COMPREPLY=($(compgen -W "root invite requests certify recertify revoke log-key review" -- "$cur")) ;;
		review)
			if [ "$prev" = review ]; then
				COMPREPLY=($(compgen -W "create add remove advance" -- "$cur"))
			elif [ "$prev" != create ] && [[ " add remove advance " == *" $prev "* ]]; then
				COMPREPLY=($(compgen -W "$(_palermo_ids reviews)" -- "$cur"))
			fi ;;
		esac ;;
	status|roster|send|list|thread)
		[ -z "$sub" ] || [ "$sub" = "$cur" ] &&
			COMPREPLY=($(compgen -W "$(_palermo_ids reviews)" -- "$cur"))
		[ "$cmd" = send ] && [ -n "$sub" ] && [ "$sub" != "$cur" ] &&
			COMPREPLY=($(compgen -f -- "$cur")) ;;
	get) COMPREPLY=($(compgen -W "$(_palermo_ids documents)" -- "$cur")) ;;
	esac
}
complete -F _palermo palermo
