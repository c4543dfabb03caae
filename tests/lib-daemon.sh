# tests/lib-daemon.sh - sourced by the daemon scripts (tests/t1*.sh) after
# tests/lib.sh: starts and stops a real palermod on a loopback port with a
# throwaway data folder, and sets up a review to test against.
#
#   daemon_start [palermod options]   start on port 0, wait for the ready
#                                     file; sets PORT and URL
#   daemon_stop                       SIGTERM, wait, require exit status 0
#   daemon_kill                       kill -9, wait
#   api WHO METHOD PATH [plmtest req options]
#                                     one request signed by identity WHO
#   status_is CODE FILE               FILE (a plmtest req output) has CODE
#   setup_review                      identities, certificates, a roster,
#                                     epoch keys, stage self_assessment
#
# The review is the criminalization cluster of Italy under the Organized
# Crime Convention, reviewed by France and Brazil (REVIEW-MECHANISM.md):
#   sec      secretariat officer (UNODC), certificate usage secretariat
#   ita_fp   focal point of Italy (State under review)
#   ita_exp  governmental expert of Italy
#   ita_obs  observer of Italy (reads only)
#   fra_fp   focal point of France (reviewing State)
#   bra_exp  governmental expert of Brazil (reviewing State)
#   outsider certified (Germany) but on no roster
#   stranger no certificate at all
# The daemon is never left running: a cleanup hook kills it when the script
# ends, whatever happened.

PLM_BIN=${PLM_BIN:?run through make test}
PLMTEST="$PLM_BUILD/tests/plmtest"
PALERMOD="$PLM_BIN/palermod"
POLICY="$PLM_TOP/policies/untoc.yaml"
PALERMO_POLICY="$POLICY"
export PALERMO_POLICY
REVIEW=2026-ita-crim
ID="$TRASH/id"
DATA="$TRASH/data"
PORT=
URL=

plmtest() { "$PLMTEST" "$@"; }

# PLM_WRAP, when set, is a command that runs palermod and palermo (make
# valgrind-e2e: tests/tools/valgrind-wrap.sh).
# The daemon runs under a small wrapper that records its pid and, when it
# ends, its exit status: any subshell can then signal it and read the status.
daemon_start() {
	rm -f "$TRASH/daemon.port" "$TRASH/daemon.rc" "$TRASH/daemon.pid"
	(
		set +e # a test's set -e must not skip recording the exit status
		sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TRASH/daemon.pid" \
			${PLM_WRAP:-} "$PALERMOD" --port 0 --ready-file "$TRASH/daemon.port" "$@" \
			2>>"$TRASH/daemon.log"
		echo $? >"$TRASH/daemon.rc"
	) </dev/null >/dev/null &
	i=0
	while [ ! -s "$TRASH/daemon.port" ]; do
		if [ -f "$TRASH/daemon.rc" ] || [ $i -ge 200 ]; then
			echo "palermod did not start:" >&2
			tail -5 "$TRASH/daemon.log" >&2
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	PORT=$(cat "$TRASH/daemon.port")
	URL="http://127.0.0.1:$PORT"
	echo "$PORT" >"$TRASH/port"
}

daemon_pid() { cat "$TRASH/daemon.pid" 2>/dev/null; }

# Waits (up to 30 s) for the daemon to end; prints its exit status.
daemon_wait() {
	i=0
	while [ ! -f "$TRASH/daemon.rc" ] && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	cat "$TRASH/daemon.rc" 2>/dev/null || echo "still running"
}

daemon_stop() {
	pid=$(daemon_pid)
	[ -n "$pid" ] || { echo "no daemon to stop" >&2; return 1; }
	kill -TERM "$pid"
	rc=$(daemon_wait)
	rm -f "$TRASH/daemon.pid"
	[ "$rc" = 0 ] || { echo "palermod exited with status $rc after SIGTERM" >&2; return 1; }
}

daemon_kill() {
	pid=$(daemon_pid)
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	daemon_wait >/dev/null
	rm -f "$TRASH/daemon.pid"
}

# Cleanup hook: never leave a daemon behind.
daemon_cleanup() {
	pid=$(daemon_pid)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		daemon_wait >/dev/null
	fi
	return 0
}
test_cleanup daemon_cleanup

# api WHO METHOD PATH [options]: a request signed by identity WHO.
api() {
	who=$1 method=$2 path=$3
	shift 3
	"$PLMTEST" req --seed "$ID/$who" "$@" "$method" "http://127.0.0.1:$(cat "$TRASH/port")$path"
}

# Like api, unsigned.
api_unsigned() {
	method=$1 path=$2
	shift 2
	"$PLMTEST" req "$@" "$method" "http://127.0.0.1:$(cat "$TRASH/port")$path"
}

# status_is CODE FILE: the first line of FILE is CODE (else shows FILE).
status_is() {
	got=$(head -n 1 "$2")
	[ "$got" = "$1" ] && return 0
	echo "expected status $1, got $got:" >&2
	cat "$2" >&2
	return 1
}

# body_of FILE: everything after the status line.
body_of() { sed 1d "$1"; }

# problem_is CODE TYPE FILE: a problem+json answer of that status and type.
problem_is() {
	status_is "$1" "$3" || return 1
	t=$(body_of "$3" | jq -r .type)
	s=$(body_of "$3" | jq -r .status)
	[ "$t" = "/problems/$2" ] && [ "$s" = "$1" ] && return 0
	echo "expected problem $1 /problems/$2, got:" >&2
	cat "$3" >&2
	return 1
}

fpr_of() { cat "$ID/$1.fpr"; }

# Makes every identity and certificate, and publishes root and certificates.
setup_identities() {
	mkdir -p "$ID"
	for who in root sec ita_fp ita_exp ita_obs fra_fp bra_exp outsider stranger; do
		plmtest identity "$ID/$who" >"$ID/$who.fpr" || return 1
	done
	plmtest root-cert --root "$ID/root" --out "$ID/root.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/sec" --user-id sec-officer \
		--name "Secretariat officer" --state UNODC --usage secretariat \
		--out "$ID/sec.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/ita_fp" --user-id ita-fp \
		--name "Focal point of Italy" --state ITA --out "$ID/ita_fp.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/ita_exp" --user-id ita-expert \
		--name "Expert of Italy" --state ITA --out "$ID/ita_exp.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/ita_obs" --user-id ita-observer \
		--name "Observer of Italy" --state ITA --out "$ID/ita_obs.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/fra_fp" --user-id fra-fp \
		--name "Focal point of France" --state FRA --out "$ID/fra_fp.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/bra_exp" --user-id bra-expert \
		--name "Expert of Brazil" --state BRA --out "$ID/bra_exp.cert" >/dev/null &&
	plmtest cert --root "$ID/root" --seed "$ID/outsider" --user-id deu-expert \
		--name "Expert of Germany" --state DEU --out "$ID/outsider.cert" >/dev/null || return 1
	api root POST /v1/root --body "$ID/root.cert" >"$TRASH/setup.out" &&
	status_is 201 "$TRASH/setup.out" &&
	api root POST /v1/certificates --body "$ID/sec.cert" >"$TRASH/setup.out" &&
	status_is 201 "$TRASH/setup.out" || return 1
	for who in ita_fp ita_exp ita_obs fra_fp bra_exp outsider; do
		api sec POST /v1/certificates --body "$ID/$who.cert" >"$TRASH/setup.out" &&
		status_is 201 "$TRASH/setup.out" || return 1
	done
}

# Posts record FILE to the review as WHO; requires 201.
post_record() {
	api "$1" POST "/v1/reviews/$REVIEW/records" --body "$2" >"$TRASH/setup.out" &&
	status_is 201 "$TRASH/setup.out"
}

# The roster of epoch 1, its epoch keys (channel keys in $ID/keys.1), and
# the stages up to self_assessment, where questionnaires are answered.
setup_review() {
	setup_identities || return 1
	plmtest roster --root "$ID/root" --review "$REVIEW" --epoch 1 --policy "$POLICY" \
		--sur ITA --cluster criminalization --instrument untoc:BRA,FRA --language en \
		--member "$ID/sec:sec-officer:UNODC:secretariat" \
		--member "$ID/ita_fp:ita-fp:ITA:focal_point" \
		--member "$ID/ita_exp:ita-expert:ITA:expert" \
		--member "$ID/ita_obs:ita-observer:ITA:observer" \
		--member "$ID/fra_fp:fra-fp:FRA:focal_point" \
		--member "$ID/bra_exp:bra-expert:BRA:expert" \
		--out "$ID/roster.1" >/dev/null &&
	plmtest epoch-keys --root "$ID/root" --roster "$ID/roster.1" --policy "$POLICY" \
		--keys-out "$ID/keys.1" --out "$ID/epoch.1" \
		"$ID/sec" "$ID/ita_fp" "$ID/ita_exp" "$ID/ita_obs" "$ID/fra_fp" "$ID/bra_exp" \
		>/dev/null &&
	plmtest stage --seed "$ID/sec" --review "$REVIEW" --seq 1 --from nomination \
		--to consultation --out "$ID/stage.1" >/dev/null &&
	plmtest stage --seed "$ID/sec" --review "$REVIEW" --seq 2 --from consultation \
		--to self_assessment --out "$ID/stage.2" >/dev/null &&
	post_record sec "$ID/roster.1" &&
	post_record sec "$ID/epoch.1" &&
	post_record sec "$ID/stage.1" &&
	post_record sec "$ID/stage.2"
}

# seal WHO KIND CHANNEL IN OUT: seals IN as WHO into OUT; prints the id.
seal() {
	plmtest seal --seed "$ID/$1" --keys "$ID/keys.1" --review "$REVIEW" --epoch 1 \
		--kind "$2" --channel "$3" --in "$4" --out "$5"
}

# author_of N: "WHO KIND CHANNEL" of the Nth of five writers during
# self-assessment (REVIEW-MECHANISM.md step 3), for tests that post many.
author_of() {
	case $(($1 % 5)) in
	0) echo "ita_fp questionnaire_response review" ;;
	1) echo "ita_exp questionnaire_response review" ;;
	2) echo "fra_fp message review" ;;
	3) echo "bra_exp message reviewers" ;;
	4) echo "sec attachment review" ;;
	esac
}

# seal_many COUNT MIN SPREAD: seals COUNT documents of MIN to MIN + SPREAD
# bytes into env/N.env (id in env/N.id, author in env/N.who, a new upload
# id in env/N.uid), the Nth written by author_of N.
seal_many() {
	mkdir -p env && i=0 &&
	while [ $i -lt "$1" ]; do
		set -- "$1" "$2" "$3" $(author_of $i) &&
		random_file env/$i.doc $(($2 + (i * 7919) % $3)) &&
		seal "$4" "$5" "$6" env/$i.doc env/$i.env >env/$i.id &&
		echo "$4" >env/$i.who && upload_id >env/$i.uid || return 1
		i=$((i + 1))
	done &&
	test "$(cat env/*.id | sort -u | wc -l)" = "$1"
}

# log_includes LISTED: the signed head covers 12 set-up records and the
# envelopes of the file LISTED (one id a line), and each one's inclusion
# proof verifies against it.
log_includes() {
	api_unsigned GET /v1/log/key >key && body_of key | jq -r .sign_pk >logpk &&
	api sec GET /v1/log/head >head && status_is 200 head &&
	test "$(body_of head | jq .tree_size)" = $((12 + $(wc -l <"$1"))) &&
	while read id; do
		api sec GET "/v1/log/inclusion?id=$id" >inc && status_is 200 inc &&
		plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(body_of head | jq -r .head)" \
			--proof "$(body_of inc | jq -r .proof)" --index "$(body_of inc | jq .index)" \
			--entry envelope --id "$id" >/dev/null || return 1
	done <"$1"
}

# A new upload id (32 hex digits).
upload_id() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# stored_ids DATA: the ids of every envelope body stored under DATA, sorted,
# once each: files under blobs/ and rows of packed envelopes (blobs.h).
stored_ids() {
	{ find "$1/blobs" -type f -printf '%f\n' &&
	  sqlite3 "file:$1/palermo.db?mode=ro" \
		"SELECT lower(hex(id)) FROM envelopes WHERE pack IS NOT NULL"; } | sort -u
}

# stored_at DATA ID: "FILE OFFSET SIZE" of the bytes of envelope ID in the
# data folder DATA: its own file under blobs/ (from 0), or its span of a
# pack (docs/API.md "Storage"). Nothing if it is not stored.
stored_at() {
	_f=$(find "$1/blobs" -type f -name "$2")
	if [ -n "$_f" ]; then
		echo "$_f 0 $(stat -c %s "$_f")"
		return 0
	fi
	sqlite3 -separator " " "file:$1/palermo.db?mode=ro" \
		"SELECT printf('%s/packs/%08d.pack', '$1', pack), pack_offset, size
		 FROM envelopes WHERE id = x'$2' AND pack IS NOT NULL"
}

# flip_byte FILE OFFSET: inverts every bit of the byte at OFFSET (so the
# file always changes, whatever the byte was).
flip_byte() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ') &&
	printf "$(printf '\\%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# Makes a file of N bytes of random data.
random_file() { head -c "$2" /dev/urandom >"$1"; }
