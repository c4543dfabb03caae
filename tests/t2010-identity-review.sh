#!/bin/sh
# The secretariat creates Italy's review of the criminalization cluster,
# reviewed by France and Brazil (REVIEW-MECHANISM.md), with the real client:
# each rule of a new review refused once with the rule it breaks (para 28,
# para 49-50), then the review created, its members changed in new epochs
# (a removed member gets no key of the new epoch) and its stage advanced.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

R=2026-ita-crim

setup() {
	setup_root &&
	enrol rossi it-fp-rossi "Giulia Rossi" ITA &&
	enrol bianchi it-exp-bianchi "Marco Bianchi" ITA &&
	enrol conti it-obs-conti "Laura Conti" ITA &&
	enrol martin fr-fp-martin "Claire Martin" FRA &&
	enrol silva br-exp-silva "Ana Silva" BRA &&
	enrol weber de-exp-weber "Jonas Weber" DEU
}
daemon_start --data "$DATA" && setup >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# create REVIEW ARGS...: admin review create with Italy's focal point.
create() {
	_r=$1
	shift
	pal root admin review create "$_r" --sur ITA --cluster criminalization \
		--member it-fp-rossi:focal_point "$@"
}

test_expect_success 'a State does not review itself (para 28)' '
	exit_is 5 create x1 --instrument untoc:ITA,FRA --language en 2>err &&
	grep "a State does not review itself" err && grep "para 28" err
'

test_expect_success 'a fifth reviewing State is refused (para 28)' '
	exit_is 5 create x2 --instrument untoc:FRA,BRA --instrument tip:DEU,ESP \
		--instrument som:MEX --language en 2>err &&
	grep "at most 4 reviewing States in total, not 5" err
'

test_expect_success 'a reviewing State not party to the instrument is refused' '
	exit_is 5 create x3 --instrument untoc:FRA,BRA --instrument tip:FRA,BRA \
		--party ITA:untoc,tip --party FRA:untoc,tip --party BRA:untoc \
		--language en 2>err &&
	grep "BRA cannot review the Trafficking in Persons Protocol" err &&
	grep "must be party to the instrument it reviews" err
'

test_expect_success 'four working languages are refused (para 49-50)' '
	exit_is 5 create x4 --instrument untoc:FRA,BRA --language en --language fr \
		--language es --language ar 2>err &&
	grep "1 to 3 working languages, not 4" err && grep "para 49-50" err
'

test_expect_success 'members must be certified, of a side, in a policy role' '
	exit_is 6 create x5 --instrument untoc:FRA,BRA --language en \
		--member it-nobody:expert 2>err &&
	grep "no valid certificate for the user .it-nobody." err &&
	exit_is 5 create x5 --instrument untoc:FRA,BRA --language en \
		--member de-exp-weber:expert 2>err &&
	grep "neither of the State under review" err &&
	exit_is 2 create x5 --instrument untoc:FRA,BRA --language en \
		--member fr-fp-martin:chair 2>err &&
	grep "not a role of the policy" err &&
	exit_is 2 create x5 --instrument untoc:FRA,BRA --language en \
		--member fr-fp-martin:secretariat 2>err &&
	grep "cannot take the role secretariat" err &&
	exit_is 2 create parties --instrument untoc:FRA,BRA --language en 2>err &&
	grep "cannot be a review id" err
'

test_expect_success 'only the root creates reviews' '
	exit_is 5 pal rossi admin review create x6 --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en --member it-fp-rossi:focal_point 2>err &&
	grep "needs the deployment root" err
'

test_expect_success 'the review is created and every member verifies it' '
	create "$R" --instrument untoc:FRA,BRA --instrument tip:FRA,BRA --language en \
		--member it-exp-bianchi:expert --member it-obs-conti:observer \
		--member fr-fp-martin:focal_point --member br-exp-silva:expert >out &&
	grep "Review $R created: epoch 1, 6 members" out &&
	for who in rossi conti martin silva; do
		pal $who sync >/dev/null &&
		pal $who --json reviews >rev.json &&
		[ "$(jq -r ".reviews[0].review" rev.json)" = "$R" ] &&
		[ "$(jq -r ".reviews[0].epoch" rev.json)" = 1 ] || exit 1
	done &&
	[ "$(jq -r ".reviews[0].role" rev.json)" = expert ] &&
	pal rossi --json roster "$R" >roster.json &&
	jq -r ".members[].user_id" roster.json | sort >members &&
	printf "br-exp-silva\nfr-fp-martin\nit-exp-bianchi\nit-fp-rossi\nit-obs-conti\nunodc-root\n" >want &&
	cmp members want &&
	test_must_fail create "$R" --instrument untoc:FRA,BRA --language en 2>err &&
	grep "refused to accept the roster (HTTP 409)" err
'

test_expect_success 'remove: a new epoch whose keys the removed member never gets' '
	pal root admin review remove "$R" it-obs-conti >out &&
	grep "Review $R changed: epoch 2, 5 members" out &&
	pal rossi sync >/dev/null &&
	pal rossi --json roster "$R" >roster.json &&
	[ "$(jq -r .epoch roster.json)" = 2 ] &&
	! jq -r ".members[].user_id" roster.json | grep it-obs-conti &&
	exit_is 6 pal root admin review remove "$R" it-obs-conti 2>err &&
	grep "it-obs-conti is not on review $R" err
'

test_expect_success 'advance: the root, as secretariat member, moves the stage on' '
	pal root admin review advance "$R" >out &&
	grep "moved from nomination to consultation" out &&
	pal rossi sync >/dev/null &&
	[ "$(pal rossi --json reviews | jq -r ".reviews[0].stage")" = consultation ]
'

test_expect_success 'a revoked member is replaced by their new keys in one epoch' '
	pal root admin revoke br-exp-silva --reason device_lost >/dev/null &&
	exit_is 5 pal root admin review add "$R" --member it-obs-conti:observer 2>err &&
	grep "member br-exp-silva cannot be given the new keys" err &&
	code=$(invite br-exp-silva "Ana Silva" BRA) &&
	pal silva2 --json init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user br-exp-silva --name "Ana Silva" --state BRA --kdf interactive >/dev/null &&
	pal root admin certify br-exp-silva --fingerprint "$(fpr_of_home silva2)" >/dev/null &&
	pal root admin review add "$R" --member br-exp-silva:expert \
		--member it-obs-conti:observer >out 2>err &&
	grep "epoch 3, 6 members" out && grep "old keys leave review" err &&
	pal silva2 sync >/dev/null &&
	[ "$(pal silva2 --json reviews | jq -r ".reviews[0].epoch")" = 3 ] &&
	exit_is 2 pal root admin review add "$R" --member it-obs-conti:expert 2>err &&
	grep "on review $R already, as observer" err
'

test_done
