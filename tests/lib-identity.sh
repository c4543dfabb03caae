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

# exit_is N COMMAND...: COMMAND exits with status N (and no signal).
exit_is() {
	_want=$1
	shift
	"$@" && _got=0 || _got=$?
	[ "$_got" -eq "$_want" ] && return 0
	echo "expected exit status $_want, got $_got: $*" >&2
	return 1
}
