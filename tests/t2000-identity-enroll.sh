#!/bin/sh
# Identities and enrollment through the real client (DESIGN.md §5): the
# secretariat makes the deployment root, invites Italy's focal point, who
# makes her keys with `palermo init --invite` and reads her fingerprint
# aloud; the secretariat certifies only the fingerprint it was read.
# Invitations are one-time and expire; a wrong root is refused at set-up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

daemon_start --data "$DATA" && setup_root >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/daemon.log"; }

test_expect_success 'admin root publishes the root that the server then serves' '
	pal root --json whoami >me.json &&
	[ "$(jq -r .status me.json)" = root ] &&
	[ "$(jq -r .root me.json)" = "$ROOT_FPR" ] &&
	[ "$(jq -r .state me.json)" = UNODC ] &&
	curl -sf "$URL/v1/root" >root.cert && [ -s root.cert ] &&
	pal root --json admin root --server "$URL" >again.json &&
	[ "$(jq -r .fingerprint again.json)" = "$ROOT_FPR" ]
'

test_expect_success 'init with a wrong --trust is refused and keeps nothing' '
	case $ROOT_FPR in 0*) digit=1 ;; *) digit=0 ;; esac &&
	wrong=$digit$(echo "$ROOT_FPR" | cut -c2-) &&
	[ "$wrong" != "$ROOT_FPR" ] && [ ${#wrong} -eq 64 ] &&
	exit_is 3 pal mallory init --server "$URL" --trust "$wrong" \
		--kdf interactive 2>err &&
	grep "stop and check the fingerprint with the secretariat" err &&
	[ ! -e "$HOMES/mallory/identity.key" ]
'

test_expect_success 'init with an invitation files a pending request' '
	code=$(invite it-fp-rossi "Giulia Rossi" ITA) && echo "$code" >rossi.code &&
	echo "$code" | grep -E "^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$" &&
	pal rossi init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user it-fp-rossi --name "Giulia Rossi" --state ITA --kdf interactive >out &&
	grep "Read your fingerprint aloud" out &&
	[ "$(stat -c %a "$HOMES/rossi/identity.key")" = 600 ] &&
	[ "$(stat -c %a "$HOMES/rossi")" = 700 ] &&
	pal rossi --json whoami >me.json &&
	[ "$(jq -r .status me.json)" = pending ] &&
	[ "$(jq -r .user_id me.json)" = it-fp-rossi ] &&
	grep "$(jq -r .fingerprint_groups me.json | cut -c1-39)" out
'

test_expect_success 'the server kept the hash of the code, never the code' '
	code=$(cat rossi.code) && plain=$(echo "$code" | tr -d -) &&
	! grep -r -a -F -e "$code" -e "$plain" "$DATA" &&
	! grep -r -a -F "correct horse" "$DATA"
'

test_expect_success 'admin requests lists the request with its fingerprint in groups' '
	pal root --json admin requests >req.json &&
	[ "$(jq -r ".requests | length" req.json)" = 1 ] &&
	[ "$(jq -r ".requests[0].user_id" req.json)" = it-fp-rossi ] &&
	[ "$(jq -r ".requests[0].verified" req.json)" = true ] &&
	[ "$(jq -r ".requests[0].fingerprint" req.json)" = "$(fpr_of_home rossi)" ] &&
	pal root admin requests >req.txt &&
	grep "it-fp-rossi  Giulia Rossi  (ITA, member)" req.txt
'

test_expect_success 'certify refuses a fingerprint that is not the one of the request' '
	good=$(pal rossi --json whoami --offline | jq -r .fingerprint_groups) &&
	bad=$(echo "$good" | sed "s/^\(....\) \(....\)/\2 \1/") &&
	[ "$bad" != "$good" ] &&
	exit_is 3 pal root admin certify it-fp-rossi --fingerprint "$bad" 2>err &&
	grep "do not certify" err &&
	! grep -F "$(echo "$good" | cut -c1-19)" err &&
	exit_is 2 pal root admin certify it-fp-rossi --fingerprint "abcd" 2>err &&
	grep "64 hex digits" err &&
	exit_is 6 pal root admin certify it-nobody --fingerprint "$good" 2>err &&
	grep "no pending enrollment request from it-nobody" err &&
	[ "$(pal rossi --json whoami | jq -r .status)" = pending ]
'

test_expect_success 'certify with the fingerprint read aloud; whoami shows certified' '
	pal root admin certify it-fp-rossi \
		--fingerprint "$(pal rossi --json whoami --offline | jq -r .fingerprint_groups)" >out &&
	grep "Certified it-fp-rossi (Giulia Rossi, ITA, member)" out &&
	pal rossi --json whoami >me.json &&
	[ "$(jq -r .status me.json)" = certified ] &&
	[ "$(jq -r .usage me.json)" = member ] &&
	[ "$(jq -r .name me.json)" = "Giulia Rossi" ] &&
	[ "$(jq -r .state me.json)" = ITA ] &&
	[ "$(jq -r .root me.json)" = "$ROOT_FPR" ] &&
	[ "$(jq -r .not_after me.json)" -gt "$(date +%s)" ] &&
	[ "$(jq -r ".fingerprint | length" me.json)" = 64 ] &&
	[ "$(pal root --json admin requests | jq ".requests | length")" = 0 ] &&
	pal rossi whoami --offline >me.txt && grep "^status       certified" me.txt
'

test_expect_success 'init never replaces an existing identity' '
	before=$(sha256sum <"$HOMES/rossi/identity.key") &&
	exit_is 1 pal rossi init --server "$URL" --trust "$ROOT_FPR" --kdf interactive 2>err &&
	grep "never replaces" err &&
	[ "$(sha256sum <"$HOMES/rossi/identity.key")" = "$before" ]
'

test_expect_success 'a used invitation is refused (409 invitation-used)' '
	exit_is 5 pal eve init --server "$URL" --trust "$ROOT_FPR" --invite "$(cat rossi.code)" \
		--user it-fp-rossi --name "Giulia Rossi" --state ITA --kdf interactive 2>err &&
	grep "HTTP 409" err && grep "was used already" err &&
	grep "ask the secretariat for a new one" err
'

test_expect_success 'an expired invitation is refused with its date (410)' '
	code=$(invite fr-fp-martin "Claire Martin" FRA --expires-in 1) &&
	sleep 2 &&
	exit_is 5 pal martin init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user fr-fp-martin --name "Claire Martin" --state FRA --kdf interactive 2>err &&
	grep "HTTP 410" err &&
	grep -E "the invitation expired on [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC; ask the secretariat for a new one" err
'

test_expect_success 'the same keys enrol with a new invitation (init run again)' '
	before=$(fpr_of_home martin) &&
	code=$(invite fr-fp-martin "Claire Martin" FRA) &&
	pal martin --json init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user fr-fp-martin --name "Claire Martin" --state FRA >init.json &&
	[ "$(jq -r .fingerprint init.json)" = "$before" ] &&
	pal martin --json init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user fr-fp-martin --name "Claire Martin" --state FRA >again.json &&
	[ "$(pal martin --json whoami | jq -r .status)" = pending ]
'

test_expect_success 'an invitation is for one user id and State only' '
	code=$(invite br-exp-silva "Ana Silva" BRA) &&
	exit_is 5 pal silva init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user br-exp-souza --name "Ana Silva" --state BRA --kdf interactive 2>err &&
	grep "this invitation is for br-exp-silva of BRA" err &&
	exit_is 2 pal silva2 init --server "$URL" --trust "$ROOT_FPR" \
		--invite "NOT-A-CODE" --user br-exp-silva --name x --state BRA 2>err &&
	grep "invitation code" err
'

test_expect_success 'only the secretariat invites' '
	exit_is 5 pal rossi admin invite --user x --name x --state ITA 2>err &&
	grep "only the secretariat invites people" err
'

test_expect_success 'keys passwd changes the passphrase and nothing else' '
	printf "a new passphrase\n" >new.pass &&
	fpr=$(pal rossi --json keys | jq -r .fingerprint) &&
	pal rossi keys passwd --new-passphrase-file new.pass &&
	exit_is 5 pal rossi keys export 2>err && grep "wrong passphrase" err &&
	PALERMO_PASSPHRASE_FILE=new.pass pal rossi --json keys export >keys.json &&
	[ "$(jq -r .fingerprint keys.json)" = "$fpr" ] &&
	[ "$(jq -r ".sign_pk | length" keys.json)" = 64 ] &&
	exit_is 5 pal rossi keys passwd --new-passphrase-file new.pass 2>err &&
	grep "nothing was changed" err &&
	exit_is 2 pal rossi keys passwd 2>err && grep "new-passphrase-file" err &&
	PALERMO_PASSPHRASE_FILE=new.pass pal rossi keys passwd \
		--new-passphrase-file "$PALERMO_PASSPHRASE_FILE" &&
	pal rossi keys export >/dev/null
'

test_expect_success 'revoke: the member sees it, the server refuses the key' '
	enrol dupont fr-exp-dupont "Paul Dupont" FRA &&
	[ "$(pal dupont --json whoami | jq -r .status)" = certified ] &&
	pal root admin revoke fr-exp-dupont --reason left_office >out &&
	grep "Revoked the certificate of fr-exp-dupont" out &&
	[ "$(pal dupont --json whoami | jq -r .status)" = revoked ] &&
	exit_is 2 pal root admin revoke fr-exp-dupont --reason nonsense 2>err &&
	grep "key_compromise, device_lost" err
'

test_expect_success 'recertify: a lost device is revoked and the new keys certified' '
	enrol bianchi it-exp-bianchi "Marco Bianchi" ITA &&
	code=$(invite it-exp-bianchi "Marco Bianchi" ITA) &&
	pal bianchi2 --json init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user it-exp-bianchi --name "Marco Bianchi" --state ITA \
		--kdf interactive >/dev/null &&
	pal root admin recertify it-exp-bianchi \
		--fingerprint "$(fpr_of_home bianchi2)" >out &&
	grep "Certified it-exp-bianchi" out &&
	[ "$(pal bianchi2 --json whoami | jq -r .status)" = certified ] &&
	[ "$(pal bianchi --json whoami | jq -r .status)" = revoked ]
'

# (daemon_start runs with set +e: its wrapper must outlive a failing daemon
# to record the exit status that the cleanup waits for.)
test_expect_success 'with the server down a revocation stays queued, then goes first' '
	enrol leroy fr-exp-leroy "Anne Leroy" FRA &&
	port=$PORT && daemon_stop &&
	exit_is 4 pal root admin revoke fr-exp-leroy --reason superseded 2>err &&
	grep "stay queued here and the next .palermo admin. command sends them" err &&
	set +e && daemon_start --data "$DATA" --port "$port" && set -e &&
	[ "$(pal leroy --json whoami | jq -r .status)" = certified ] &&
	pal root admin requests >/dev/null &&
	[ "$(pal leroy --json whoami | jq -r .status)" = revoked ]
'

test_done
