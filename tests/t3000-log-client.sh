#!/bin/sh
# The client side of the transparency log (PROTOCOL.md §6.7): the
# secretariat certifies the server's log key (admin log-key), and every
# sync verifies the signed head with it, demands a consistency proof from
# the head it accepted before, and an inclusion proof of everything it
# accepts. The daemon here is honest, so the attacks are staged the way a
# dishonest or restored-from-backup server would show them: its data folder
# is put back to an older copy (same log key, shorter history: a rollback),
# and then new, different entries are added on top of that older copy so
# that the log grows past the member's head with another history (a fork).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

# The stored head of WHO: "size root-hex" from the 145-byte setting.
head_of() {
	_hex=$(sqlite3 "$HOMES/$1/state.db" \
		"SELECT hex(value) FROM settings WHERE key = 'tree_head'") &&
	[ -n "$_hex" ] || return 0
	echo "$((0x$(echo "$_hex" | cut -c3-18))) $(echo "$_hex" | cut -c35-98 | tr A-F a-f)"
}

cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	{
		pal root --json admin root --server "$URL" --kdf interactive >"$TRASH/root.json" &&
		ROOT_FPR=$(jq -r .fingerprint "$TRASH/root.json") &&
		enrol ita_fp it-fp-rossi "Giulia Rossi" ITA
	} >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/daemon.log"; }

test_expect_success 'sync refuses a head whose log key the root has not certified' '
	exit_is 3 pal ita_fp sync >out 2>err &&
	grep "log head is signed by the key .*which this deployment.s root has not certified" err &&
	grep "palermo admin log-key" err &&
	[ -z "$(head_of ita_fp)" ]
'

test_expect_success 'admin log-key refuses a key with another fingerprint than typed' '
	exit_is 3 pal root admin log-key --fingerprint "$(printf "ab%.0s" $(seq 32))" 2>err &&
	grep "not the one whose fingerprint you typed" err &&
	exit_is 3 pal ita_fp sync 2>err
'

test_expect_success 'admin log-key certifies the server log key, shown in groups' '
	api_unsigned GET /v1/log/key >key &&
	fpr=$(body_of key | jq -r .fingerprint) &&
	pal root admin log-key --fingerprint "$fpr" >out &&
	grep "Certified the server.s log key (usage log)" out &&
	grep "^    $(echo "$fpr" | cut -c1-4) " out &&
	pal root --json admin log-key >again.json &&
	[ "$(jq -r .certified again.json)" = false ] &&
	[ "$(jq -r .fingerprint again.json)" = "$fpr" ]
'

test_expect_success 'sync accepts the head and keeps it; the next sync advances it' '
	pal ita_fp sync >out 2>err &&
	set -- $(head_of ita_fp) &&
	size1=$1 root1=$2 &&
	[ "$size1" -gt 0 ] &&
	server=$(api_unsigned GET /v1/health | sed 1d | jq -r .log_size) &&
	[ "$size1" -le "$server" ] &&
	enrol fra_fp fr-fp-martin "Claire Martin" FRA >/dev/null &&
	pal ita_fp sync >out 2>err &&
	set -- $(head_of ita_fp) &&
	[ "$1" -gt "$size1" ] && [ "$2" != "$root1" ] &&
	grep "^synced 0 reviews: 0 new documents, 0 records, 1 certificate$" out
'

test_expect_success 'a server put back to an older copy is a rollback: nothing accepted' '
	daemon_stop &&
	cp -a "$DATA" "$TRASH/data-old" &&
	daemon_start --data "$DATA" --port "$PORT" &&
	enrol bra_fp br-fp-souza "Ana Souza" BRA >/dev/null &&
	enrol bra_exp br-exp-lima "Pedro Lima" BRA >/dev/null &&
	pal ita_fp sync >/dev/null &&
	before=$(head_of ita_fp) &&
	daemon_stop &&
	rm -rf "$DATA" && cp -a "$TRASH/data-old" "$DATA" &&
	daemon_start --data "$DATA" --port "$PORT" &&
	exit_is 3 pal ita_fp sync >out 2>err &&
	grep "the server.s log went back: the head this client accepted before was size ${before%% *}, root $(echo "${before#* }" | cut -c1-12), the server now signs size [0-9]*, root [0-9a-f]\{12\}" err &&
	[ "$(head_of ita_fp)" = "$before" ]
'

test_expect_success 'new entries on top of the older copy are a fork, named with both heads' '
	before=$(head_of ita_fp) &&
	n=0 &&
	while [ "$(api_unsigned GET /v1/health | sed 1d | jq -r .log_size)" -le "${before%% *}" ]; do
		n=$((n + 1)) &&
		enrol "deu$n" "de-exp-$n" "Expert $n" DEU >/dev/null || return 1
	done &&
	exit_is 3 pal ita_fp sync >out 2>err &&
	grep "the server.s log forked: the head this client accepted before (size ${before%% *}, root $(echo "${before#* }" | cut -c1-12)) is not a prefix of the head it signs now (size [0-9]*, root [0-9a-f]\{12\})" err &&
	[ "$(head_of ita_fp)" = "$before" ]
'

test_expect_success 'a member who never synced accepts the forked server (nothing to compare)' '
	enrol ita_exp it-exp-bianchi "Marco Bianchi" ITA >/dev/null &&
	pal ita_exp sync >out 2>err &&
	[ -n "$(head_of ita_exp)" ]
'

# The server reorders history: two certificates (both validly signed by the
# root) are listed each at the other's place in the log, by swapping their
# seq in the records table of the stopped daemon while the log itself is
# left alone. Signatures alone would accept both; their inclusion proofs at
# the listed seq fail, so both are refused and neither is kept.
test_expect_success 'entries listed at another place than the log holds them are refused' '
	pal ita_exp sync >/dev/null &&
	enrol swe1 se-exp-berg "Eva Berg" SWE >/dev/null &&
	enrol swe2 se-exp-lind "Nils Lind" SWE >/dev/null &&
	daemon_stop &&
	db=$(ls "$DATA"/*.db) &&
	sa=$(sqlite3 "$db" "SELECT seq FROM records WHERE type = 1 ORDER BY seq DESC LIMIT 1") &&
	sb=$(sqlite3 "$db" "SELECT seq FROM records WHERE type = 1 ORDER BY seq DESC LIMIT 1 OFFSET 1") &&
	sqlite3 "$db" "UPDATE records SET seq = -1 WHERE seq = $sa AND type = 1;
		UPDATE records SET seq = $sa WHERE seq = $sb AND type = 1;
		UPDATE records SET seq = $sb WHERE seq = -1" &&
	daemon_start --data "$DATA" --port "$PORT" &&
	exit_is 3 pal ita_exp sync >out 2>err &&
	grep "VERIFICATION FAILED: review deployment, log entry $sa, certificate .*at another place than seq $sa of the head it signed (size [0-9]*, root [0-9a-f]\{12\})" err &&
	grep "VERIFICATION FAILED: review deployment, log entry $sb, certificate .*at another place than seq $sb" err &&
	grep "2 items failed verification and were not kept" err
'

test_done
