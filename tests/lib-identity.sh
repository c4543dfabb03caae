# tests/lib-identity.sh - sourced after tests/lib.sh and tests/lib-daemon.sh
# by the client scripts that need real people enrolled through the real
# client (tests/t20*.sh): the secretariat's root home, invitations, `palermo
# init`, and certification after comparing the fingerprint, exactly as the
# people of REVIEW-MECHANISM.md would do it.
#
#   pal WHO ARGS...           palermo in the home of WHO ($TRASH/home/WHO)
#   setup_root                the deployment root (home "root"), and the
#                             server's log key certified by it (admin
#                             log-key, PROTOCOL.md §6.7); sets ROOT_FPR
#   invite USER NAME STATE [admin invite options]
#                             prints the invitation code
#   enrol WHO USER NAME STATE keys made by WHO's `palermo init --invite`,
#                             certified by the root with WHO's fingerprint
#   fpr_of_home WHO           WHO's fingerprint (64 hex digits)
#   enrol_all PERSON...       enrol each person in turn; PERSON is
#                             WHO:USER:NAME:STATE, or only WHO for one of
#                             the usual cast (cast_of)
#   cast_of WHO               USER:NAME:STATE of WHO in the usual cast
#   create_review REVIEW [--advance N] [--instrument I]... [--language L]...
#                 USER:ROLE...
#                             the root creates the criminalization review of
#                             Italy (by default untoc:FRA,BRA, in English)
#                             with these members, then advances it N stages
#   sync_all WHO...           `palermo sync` in each home
#   setup_with FUNC           starts the daemon on $DATA, makes the root
#                             (setup_root) and runs the script's set-up FUNC,
#                             into setup.log; prints a FAIL line with both
#                             logs if any of them fails
#   id_of FILE                the id `palermo send` printed first
#
# Keystores use `--kdf interactive` to keep the scripts fast; every
# passphrase is read from $PALERMO_PASSPHRASE_FILE.

PALERMO="$PLM_BIN/palermo"
HOMES="$TRASH/home"
PALERMO_PASSPHRASE_FILE="$TRASH/passphrase"
export PALERMO_PASSPHRASE_FILE
printf 'correct horse battery staple\n' >"$PALERMO_PASSPHRASE_FILE"
mkdir -p "$HOMES"
ROOT_FPR=

pal() {
	_pal_home=$HOMES/$1
	shift
	${PLM_WRAP:-} "$PALERMO" --home "$_pal_home" "$@"
}

setup_root() {
	pal root --json admin root --server "$URL" --kdf interactive >"$TRASH/root.json" &&
	ROOT_FPR=$(jq -r .fingerprint "$TRASH/root.json") &&
	[ ${#ROOT_FPR} -eq 64 ] &&
	pal root admin log-key >/dev/null
}

invite() {
	_inv_user=$1 _inv_name=$2 _inv_state=$3
	shift 3
	pal root --json admin invite --user "$_inv_user" --name "$_inv_name" \
		--state "$_inv_state" "$@" | jq -r .code
}

fpr_of_home() { pal "$1" --json whoami --offline | jq -r .fingerprint; }

enrol() {
	_en_who=$1 _en_user=$2 _en_name=$3 _en_state=$4
	_en_code=$(invite "$_en_user" "$_en_name" "$_en_state") &&
	pal "$_en_who" --json init --server "$URL" --trust "$ROOT_FPR" --invite "$_en_code" \
		--user "$_en_user" --name "$_en_name" --state "$_en_state" \
		--kdf interactive >/dev/null &&
	pal root admin certify "$_en_user" --fingerprint "$(fpr_of_home "$_en_who")" >/dev/null
}

cast_of() {
	case $1 in
	ita_fp) echo "it-fp-rossi:Giulia Rossi:ITA" ;;
	ita_fp2) echo "it-fp-neri:Elena Neri:ITA" ;;
	ita_exp) echo "it-exp-bianchi:Marco Bianchi:ITA" ;;
	ita_exp2) echo "it-exp-ferrari:Sara Ferrari:ITA" ;;
	ita_obs) echo "it-obs-verdi:Luca Verdi:ITA" ;;
	fra_fp) echo "fr-fp-martin:Claire Martin:FRA" ;;
	fra_exp) echo "fr-exp-dubois:Paul Dubois:FRA" ;;
	bra_fp) echo "br-fp-souza:Ana Souza:BRA" ;;
	bra_exp) echo "br-exp-lima:Pedro Lima:BRA" ;;
	outsider) echo "de-exp-weber:Jonas Weber:DEU" ;;
	*) echo "cast_of: no $1 in the usual cast" >&2 && return 1 ;;
	esac
}

enrol_all() {
	for _ea in "$@"; do
		case $_ea in
		*:*) ;;
		*) _ea="$_ea:$(cast_of "$_ea")" || return 1 ;;
		esac
		_ea_who=${_ea%%:*} _ea_rest=${_ea#*:}
		_ea_user=${_ea_rest%%:*} _ea_rest=${_ea_rest#*:}
		enrol "$_ea_who" "$_ea_user" "${_ea_rest%:*}" "${_ea_rest##*:}" || return 1
	done
}

create_review() {
	_cr_review=$1 _cr_advance=0 _cr_instrument= _cr_language= _cr_members=
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--advance) _cr_advance=$2 && shift ;;
		--instrument) _cr_instrument="$_cr_instrument --instrument $2" && shift ;;
		--language) _cr_language="$_cr_language --language $2" && shift ;;
		*) _cr_members="$_cr_members --member $1" ;;
		esac
		shift
	done
	pal root admin review create "$_cr_review" --sur ITA --cluster criminalization \
		${_cr_instrument:---instrument untoc:FRA,BRA} ${_cr_language:---language en} \
		$_cr_members >/dev/null || return 1
	while [ "$_cr_advance" -gt 0 ]; do
		pal root admin review advance "$_cr_review" >/dev/null || return 1
		_cr_advance=$((_cr_advance - 1))
	done
}

sync_all() {
	for _sa_who in "$@"; do
		pal "$_sa_who" sync >/dev/null || return 1
	done
}

setup_with() {
	cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
		{ setup_root && "$1"; } >"$TRASH/setup.log" 2>&1 ||
		{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/daemon.log"; }
}

id_of() { head -n 1 "$1" | cut -d " " -f 1; }

# exit_is N COMMAND...: COMMAND exits with status N (and no signal).
exit_is() {
	_want=$1
	shift
	"$@" && _got=0 || _got=$?
	[ "$_got" -eq "$_want" ] && return 0
	echo "expected exit status $_want, got $_got: $*" >&2
	return 1
}

# law_files N: writes law0.txt .. law(N-1).txt, about 900 KB of text each
# (distinct, detected as text/plain), and prints "--attach lawI.txt" for each.
law_files() {
	_lf=0
	while [ $_lf -lt "$1" ]; do
		yes "Article $_lf-$$: whoever takes part in an organized criminal group is punished." |
			head -c 900000 >law$_lf.txt || return 1
		printf ' --attach law%s.txt' $_lf
		_lf=$((_lf + 1))
	done
}
