#!/bin/sh
# The parties group and disclosure (DESIGN.md §6-§7, PROTOCOL.md §5.6,
# §5.12, REVIEW-MECHANISM.md para 40-41): the secretariat names every focal
# point and expert of every State party in the parties group; Italy's focal
# point discloses its responses to all parties and to the public; a focal
# point of a State outside the review (Germany) reads the disclosed
# document; a revoked member gets no later key; the public bundle verifies
# offline and any change to it fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

# The policy of this deployment: untoc.yaml, except that a dialogue message
# may not be made public (so that a kind the policy refuses can be tried).
POLICY="$TRASH/policy.yaml"
PALERMO_POLICY="$POLICY"
export PALERMO_POLICY
sed '/^    public:/,$ s/message, //' "$PLM_TOP/policies/untoc.yaml" >"$POLICY"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp bra_fp "deu_fp:de-fp-weber:Jonas Weber:DEU" \
		"esp_exp:es-exp-garcia:Lucia Garcia:ESP" &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point br-fp-souza:focal_point &&
	pal ita_fp sync >/dev/null &&
	printf "Participation in an organized criminal group is an offence under\narticle 416 of the Criminal Code.\n" >"$TRASH/responses.txt" &&
	pal ita_fp send "$REVIEW" --kind questionnaire_response \
		--title "Responses on article 5" "$TRASH/responses.txt" >"$TRASH/sent" &&
	echo "A message of the dialogue." >"$TRASH/message.txt" &&
	pal ita_fp send "$REVIEW" --title "A message of the dialogue" "$TRASH/message.txt" \
		>"$TRASH/sent.msg"
}

setup_with setup_people

test_expect_success 'the secretariat starts the parties group; members see who is in it' '
	pal root admin parties add it-fp-rossi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point br-fp-souza:focal_point de-fp-weber:focal_point \
		es-exp-garcia:expert >out 2>err &&
	grep "parties group is at epoch 1 with 6 members" out &&
	pal deu_fp sync >out 2>err &&
	grep "^parties group: epoch 1 signed by UNODC Secretariat (UNODC)" out &&
	grep "^  + de-fp-weber (DEU) as focal_point$" out &&
	[ ! -s err ] &&
	pal deu_fp --json admin parties >g.json &&
	[ "$(jq -r .epoch g.json)" = 1 ] &&
	[ "$(jq -r ".members | length" g.json)" = 6 ] &&
	pal deu_fp admin parties >g.txt &&
	grep "^  es-exp-garcia  *ESP  *expert" g.txt
'

test_expect_success 'a role outside the parties group is refused with the rule' '
	exit_is 2 pal root admin parties add it-fp-rossi:observer 2>err &&
	grep "disclosure.parties_group" err
'

test_expect_success 'the policy file of this test refuses messages to the public only' '
	! grep -q "^    public:" "$PLM_TOP/policies/untoc.yaml" ||
	grep -A8 "^    public:" "$POLICY" | grep "kinds:" &&
	! grep -A9 "^    public:" "$POLICY" | grep -q "message,"
'

test_expect_success 'an expert of the State under review may not disclose (client)' '
	id=$(id_of sent) &&
	exit_is 5 pal ita_exp disclose "$id" --to parties 2>err &&
	grep "only focal points of the State under review may disclose" err &&
	grep "policy: disclosure.by; para 41" err &&
	grep "nothing was disclosed" err
'

test_expect_success 'a reviewing State'"'"'s focal point may not disclose (client)' '
	id=$(id_of sent) &&
	exit_is 5 pal fra_fp disclose "$id" --to public -o out.txt 2>err &&
	grep "only focal points of the State under review may disclose" err &&
	grep "not focal points of a reviewing State" err &&
	[ ! -e out.txt ]
'

test_expect_success 'a kind the policy does not let be made public is refused (client)' '
	msg=$(id_of sent.msg) &&
	exit_is 5 pal ita_fp disclose "$msg" --to public -o msg.txt 2>err &&
	grep "documents of kind .message. may not be disclosed to the public" err &&
	grep "disclosure.scopes.public.kinds; para 41" err &&
	[ ! -e msg.txt ]
'

test_expect_success 'before any disclosure, a focal point outside the review reads nothing' '
	id=$(id_of sent) &&
	pal deu_fp --json disclosed >d.json &&
	[ "$(jq -r ".disclosed | length" d.json)" = 0 ] &&
	exit_is 6 pal deu_fp get "$id" 2>err &&
	grep "no document" err
'

test_expect_success 'the SUR focal point discloses the responses to all parties' '
	id=$(id_of sent) &&
	pal ita_fp disclose "$id" --to parties >out &&
	grep "is disclosed to all States parties (parties group epoch 1)" out
'

test_expect_success 'a focal point of a State outside the review lists and reads it' '
	id=$(id_of sent) &&
	pal deu_fp disclosed >d.txt &&
	grep "^$(echo "$id" | cut -c1-12)  .*  $REVIEW  questionnaire_response  *to all parties  by it-fp-rossi (ITA, focal_point)$" d.txt &&
	pal deu_fp --json disclosed >d.json &&
	[ "$(jq -r ".disclosed[0].sur_state" d.json)" = ITA ] &&
	[ "$(jq -r ".disclosed[0].scope" d.json)" = parties ] &&
	mkdir deu && (cd deu && pal deu_fp get "$(echo "$id" | cut -c1-12)" >out) &&
	cmp responses.txt deu/responses.txt &&
	grep "disclosed by it-fp-rossi of ITA" deu/out &&
	pal deu_fp reviews >r.txt 2>&1 && ! grep "$REVIEW" r.txt
'

test_expect_success 'an expert of another State in the group reads it too' '
	id=$(id_of sent) &&
	pal esp_exp sync >/dev/null &&
	pal esp_exp get -o esp.txt "$id" >/dev/null &&
	cmp responses.txt esp.txt
'

test_expect_success 'the server refuses the disclosed document to someone outside the group' '
	enrol stranger pt-fp-silva "Rui Silva" PRT >/dev/null &&
	id=$(id_of sent) &&
	exit_is 5 pal stranger disclosed 2>err &&
	grep "only to the members of the parties group" err &&
	pal stranger sync >/dev/null &&
	exit_is 6 pal stranger get -o s.txt "$id" 2>err &&
	grep "no document here" err &&
	[ ! -e s.txt ]
'

test_expect_success 'a revoked member is left out of the next epoch and gets no later key' '
	pal root admin revoke es-exp-garcia --reason left_office >/dev/null &&
	pal root admin parties rekey >out 2>err &&
	grep "es-exp-garcia leaves the parties group" err &&
	grep "epoch 2 with 5 members" out &&
	pal deu_fp sync >out &&
	grep "^parties group: epoch 2" out &&
	grep "^  - es-exp-garcia (ESP) as expert$" out &&
	pal deu_fp --json admin parties >g.json &&
	[ "$(jq -r .epoch g.json)" = 2 ] &&
	[ "$(jq -r ".members | map(.user_id) | index(\"es-exp-garcia\")" g.json)" = null ]
'

test_expect_success 'a removed member is left out too; a member added later reads older disclosures' '
	enrol fin_fp fi-fp-virtanen "Aino Virtanen" FIN >/dev/null &&
	pal root admin parties remove br-fp-souza >out &&
	grep "epoch 3 with 4 members" out &&
	pal root admin parties add fi-fp-virtanen:focal_point >out &&
	grep "epoch 4 with 5 members" out &&
	id=$(id_of sent) &&
	pal fin_fp sync >/dev/null &&
	pal fin_fp get -o fin.txt "$id" >/dev/null &&
	cmp responses.txt fin.txt
'

test_expect_success 'the server holds the parties keys of later epochs from the removed' '
	pal deu_fp sync >/dev/null &&
	sqlite3 "$HOMES/deu_fp/state.db" "SELECT hex(bytes) FROM records WHERE review = '"'"'parties'"'"' AND type = 4 ORDER BY seq" >keys.hex &&
	[ "$(wc -l <keys.hex)" = 4 ] &&
	esp=$(fpr_of_home esp_exp) && bra=$(fpr_of_home bra_fp) &&
	sed -n 1p keys.hex | grep -qi "$esp" &&
	sed -n 2p keys.hex | grep -qi "$bra" && ! sed -n 2p keys.hex | grep -qi "$esp" &&
	! sed -n 3p keys.hex | grep -qi "$bra" && ! sed -n 4p keys.hex | grep -qi "$bra"
'

test_expect_success 'the SUR focal point makes the responses public, with a signature bundle' '
	id=$(id_of sent) &&
	pal ita_fp disclose "$id" --to public -o public.txt >out &&
	grep "is disclosed to the public: wrote public.txt and its signature bundle public.txt.plmsig" out &&
	cmp responses.txt public.txt &&
	[ "$(head -c 8 public.txt.plmsig)" = PLMBUNDL ] &&
	cp public.txt.plmsig "$TRASH/bundle.keep"
'

# verify_offline [--json] ARGS...: palermo verify with no home, no server,
# nothing in the environment but a HOME that does not exist.
verify_offline() {
	_vo_json=
	[ "$1" = --json ] && _vo_json=--json && shift
	env -u PALERMO_HOME -u PALERMO_PASSPHRASE_FILE HOME=/nonexistent \
		PALERMO_POLICY="$POLICY" "$PALERMO" $_vo_json verify "$@"
}

test_expect_success 'the bundle verifies offline with the pinned root' '
	verify_offline --trust "$ROOT_FPR" public.txt public.txt.plmsig >out 2>err &&
	grep "^public.txt verified: questionnaire_response [0-9a-f]\{12\} of review $REVIEW by it-fp-rossi (ITA), made public by it-fp-rossi (ITA, focal_point)" out &&
	[ ! -s err ] &&
	verify_offline --json --trust "$ROOT_FPR" public.txt public.txt.plmsig >v.json &&
	[ "$(jq -r .verified v.json)" = true ] &&
	[ "$(jq -r .id v.json)" = "$(id_of sent)" ] &&
	[ "$(jq -r .root_pinned v.json)" = true ]
'

test_expect_success 'without --trust it verifies but names the root to compare' '
	verify_offline public.txt public.txt.plmsig >out 2>err &&
	grep "verified" out &&
	grep "the bundle.s root is [0-9a-f ]*: compare it with the fingerprint the secretariat publishes" err
'

test_expect_success 'another pinned root fails (exit 3)' '
	other=$(echo "$ROOT_FPR" | tr 0123456789abcdef 123456789abcdef0) &&
	exit_is 3 verify_offline --trust "$other" public.txt public.txt.plmsig 2>err &&
	grep "VERIFICATION FAILED: the root certificate: it is not the root whose fingerprint you trust" err
'

test_expect_success 'one bit changed in the plaintext fails, saying so' '
	cp public.txt changed.txt &&
	printf "\001" | dd of=changed.txt bs=1 seek=10 conv=notrunc 2>/dev/null &&
	! cmp -s public.txt changed.txt &&
	exit_is 3 verify_offline --trust "$ROOT_FPR" changed.txt public.txt.plmsig 2>err &&
	grep "VERIFICATION FAILED: changed.txt is not the disclosed document: its content" err
'

# flip_bit FILE OFFSET: changes the lowest bit of the byte at OFFSET.
flip_bit() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d " ") &&
	printf "$(printf "\\%03o" $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

test_expect_success 'one bit changed anywhere in the bundle fails, saying where' '
	size=$(wc -c <public.txt.plmsig) &&
	root_len=$(od -An -tu4 --endian=big -j 15 -N 4 public.txt.plmsig | tr -d " ") &&
	cp public.txt.plmsig b1 && flip_bit b1 0 &&
	exit_is 3 verify_offline public.txt b1 2>err &&
	grep "is not a valid signature bundle: bundle: not a Palermo signature bundle" err &&
	cp public.txt.plmsig b2 && flip_bit b2 $((19 + root_len - 1)) &&
	exit_is 3 verify_offline public.txt b2 2>err &&
	grep "VERIFICATION FAILED: the root certificate:" err &&
	cp public.txt.plmsig b3 && flip_bit b3 $((size - 1)) &&
	exit_is 3 verify_offline public.txt b3 2>err &&
	grep "VERIFICATION FAILED: the document (its author.s signature and content):" err &&
	cp public.txt.plmsig b4 && flip_bit b4 $((size - 200)) &&
	exit_is 3 verify_offline public.txt b4 2>err &&
	grep "VERIFICATION FAILED: the document" err &&
	cp public.txt.plmsig b5 && head -c $((size - 1)) public.txt.plmsig >b5 &&
	exit_is 3 verify_offline public.txt b5 2>err &&
	grep "is not a valid signature bundle: bundle: it announces an envelope of" err
'

test_done
