#!/bin/sh
# The parties group and disclosure (DESIGN.md §6-§7, PROTOCOL.md §5.6,
# §5.11, REVIEW-MECHANISM.md para 40-41): the secretariat names every focal
# point and expert of every State party in the parties group; Italy's focal
# point discloses its responses to all parties and to the public; a focal
# point of a State outside the review (Germany) reads the disclosed
# document; a revoked member gets no later key; the public bundle verifies
# offline and any change to it fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	setup_root &&
	enrol ita_fp it-fp-rossi "Giulia Rossi" ITA &&
	enrol ita_exp it-exp-bianchi "Marco Bianchi" ITA &&
	enrol fra_fp fr-fp-martin "Claire Martin" FRA &&
	enrol bra_fp br-fp-souza "Ana Souza" BRA &&
	enrol deu_fp de-fp-weber "Jonas Weber" DEU &&
	enrol esp_exp es-exp-garcia "Lucia Garcia" ESP &&
	pal root admin review create "$REVIEW" --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en \
		--member it-fp-rossi:focal_point --member it-exp-bianchi:expert \
		--member fr-fp-martin:focal_point --member br-fp-souza:focal_point &&
	pal root admin review advance "$REVIEW" &&
	pal root admin review advance "$REVIEW"
}

cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	setup_people >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log" "$TRASH/daemon.log"; }

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

test_done
