#!/bin/sh
# The sealed archive (PROTOCOL.md §9, DESIGN.md §12): after a small review
# with documents and a roster change, the secretariat seals it into one
# file; the file verifies with no PALERMO_HOME at all, and fails loudly,
# naming the place, for one flipped bit anywhere, a missing envelope and a
# reordered record; the archive key opens the plaintexts; another key, and
# anyone but the secretariat, are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_review_with_documents() {
	enrol_all ita_fp fra_fp bra_fp bra_exp &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point fr-fp-martin:focal_point \
		br-fp-souza:focal_point &&
	sync_all ita_fp fra_fp bra_fp &&
	printf "Participation in an organized criminal group is an offence under\narticle 416 of the Criminal Code.\n" >"$TRASH/responses.txt" &&
	pal ita_fp send "$REVIEW" --kind questionnaire_response \
		--title "Responses on article 5" "$TRASH/responses.txt" &&
	head -c 200000 /dev/urandom | od -An -tx1 >"$TRASH/judgment.txt" &&
	pal ita_fp send "$REVIEW" --kind questionnaire_response \
		--title "The judgment, in full" "$TRASH/judgment.txt" &&
	pal root admin review add "$REVIEW" --member br-exp-lima:expert &&
	pal fra_fp sync && pal bra_exp sync &&
	echo "Does article 416 cover groups of two persons?" >"$TRASH/question.txt" &&
	pal fra_fp send "$REVIEW" --title "On article 416" "$TRASH/question.txt" &&
	pal root sync
}

setup_with setup_review_with_documents

# flip_bit FILE OFFSET: flips the lowest bit of the byte at OFFSET.
flip_bit() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ') &&
	printf "$(printf '\\%03o' $((_b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# item N FIELD: FIELD (offset, length, seq, kind) of item N of the good archive.
item() { jq -r ".items[$1].$2" "$TRASH/items.json"; }
# first KIND: the number of the first item of KIND.
first() { jq -r "[.items[] | select(.kind == \"$1\")][0].number" "$TRASH/items.json"; }

# Verifies like a machine that never ran palermo: no PALERMO_HOME, an empty
# HOME. A first argument --json is palermo's global option.
verify_bare() {
	_json=
	[ "$1" = --json ] && _json=--json && shift
	mkdir -p "$TRASH/empty-home" &&
	env -u PALERMO_HOME -u PALERMO_PASSPHRASE_FILE -u XDG_DATA_HOME HOME="$TRASH/empty-home" \
		"$PALERMO" $_json archive verify "$@"
}

test_expect_success 'an archive key is made under a passphrase, never twice' '
	printf "archive passphrase\n" >archive.pass &&
	PALERMO_PASSPHRASE_FILE=$TRASH/archive.pass "$PALERMO" --json archive keygen \
		-o archive.key --kdf interactive >key.json &&
	[ "$(stat -c %a archive.key)" = 600 ] &&
	pk=$(jq -r .public_key key.json) && [ ${#pk} = 64 ] &&
	exit_is 1 "$PALERMO" archive keygen -o archive.key --kdf interactive 2>err &&
	grep "already exists" err
'

test_expect_success 'only the secretariat can seal the archive' '
	exit_is 5 pal ita_fp archive seal "$REVIEW" --to archive.key -o ita.plma 2>err &&
	grep "only the secretariat of review $REVIEW can seal" err &&
	[ ! -e ita.plma ]
'

test_expect_success 'the secretariat seals the review into one file' '
	pal root --json archive seal "$REVIEW" --to "$(jq -r .public_key key.json)" \
		-o review.plma >seal.json &&
	[ "$(jq -r .documents seal.json)" = 3 ] &&
	exit_is 1 pal root archive seal "$REVIEW" --to archive.key -o review.plma 2>err &&
	grep "never overwrites" err &&
	! grep -a -F "416 of the Criminal Code" review.plma &&
	! grep -a -F "Responses on article 5" review.plma
'

test_expect_success 'the archive verifies with no PALERMO_HOME and names its root' '
	verify_bare review.plma >out &&
	grep "archive of review $REVIEW verified" out &&
	grep "Signed under the root" out &&
	grep "compare it with the fingerprint" out &&
	grep "^  $(echo "$ROOT_FPR" | cut -c1-4) $(echo "$ROOT_FPR" | cut -c5-8) " out &&
	grep -E "^  questionnaire_response +self_assessment +2$" out &&
	grep -E "^  ITA +focal_point +2 documents$" out &&
	grep -E "^  FRA +focal_point +1 document$" out &&
	grep -E "^  epoch 1 .* added it-fp-rossi \(ITA, focal_point\)" out &&
	grep -E "^  epoch 2 .*: added br-exp-lima \(BRA, expert\)$" out &&
	verify_bare review.plma --trust "$ROOT_FPR" >out &&
	grep "Signed under the root you trust" out &&
	exit_is 3 verify_bare review.plma --trust "$(printf "ab%.0s" $(seq 32))" 2>err &&
	grep "not the root you trust" err &&
	verify_bare --json review.plma >items.json &&
	[ "$(jq -r .verified items.json)" = true ] &&
	[ "$(jq -r ".documents | length" items.json)" = 3 ]
'

# flipped AT WHAT MESSAGE: a copy with one bit flipped at AT fails with MESSAGE.
flipped() {
	cp review.plma bad.plma && flip_bit bad.plma "$1" &&
	exit_is 3 verify_bare bad.plma 2>err &&
	grep -E "$2" err
}

test_expect_success 'one flipped bit in a record, an envelope, the head or the signature fails' '
	size=$(stat -c %s review.plma) &&
	n=$(first record) &&
	flipped $(($(item $n offset) + $(item $n length) - 40)) \
		"archive item $n \(review.s [a-z_]+ record [0-9a-f]{12} at log index $(item $n seq)\)" &&
	n=$(first envelope) &&
	flipped $(($(item $n offset) + $(item $n length) / 2)) \
		"archive item $n \(envelope at log index $(item $n seq)\)" &&
	n=$(first "certificate or revocation") &&
	flipped $(($(item $n offset) + $(item $n length) - 10)) \
		"archive item $n \(certificate record [0-9a-f]{12} at log index $(item $n seq)\)" &&
	flipped $((6 + ${#REVIEW} + 8 + 96 + 30)) "log head \(header\)" &&
	flipped $((6 + ${#REVIEW} + 8 + 96 + 145 + 4 + 10)) \
		"roster record .*policy file \(header\) is not the policy this roster was made under" &&
	flipped $((size - 10)) "signature \(trailer\) does not verify" &&
	flipped $((size - 80)) "digest \(trailer\) does not match"
'

test_expect_success 'a missing envelope fails, naming its log index' '
	n=$(first envelope) && off=$(item $n offset) && len=$(item $n length) &&
	{ head -c "$off" review.plma && tail -c +$((off + len + 1)) review.plma; } >cut.plma &&
	exit_is 3 verify_bare cut.plma 2>err &&
	grep "the entry before it should be the one at log index $(item $n seq)" err &&
	grep "missing" err
'

test_expect_success 'a reordered record fails, naming it' '
	n=$(first record) && m=$((n + 1)) &&
	a=$(item $n offset) && la=$(item $n length) && lb=$(item $m length) &&
	{ head -c "$a" review.plma &&
	  tail -c +$((a + la + 1)) review.plma | head -c "$lb" &&
	  tail -c +$((a + 1)) review.plma | head -c "$la" &&
	  tail -c +$((a + la + lb + 1)) review.plma; } >swap.plma &&
	[ "$(stat -c %s swap.plma)" = "$(stat -c %s review.plma)" ] &&
	exit_is 3 verify_bare swap.plma 2>err &&
	grep "archive item $n (.* at log index $(item $m seq))" err &&
	grep "reordered" err
'

test_expect_success 'the archive key opens every document into a new private folder' '
	PALERMO_PASSPHRASE_FILE=$TRASH/archive.pass "$PALERMO" archive open review.plma \
		--key archive.key -o opened >out &&
	grep "Opened 3 documents of review $REVIEW into opened" out &&
	[ "$(stat -c %a opened)" = 700 ] &&
	for f in opened/*; do [ "$(stat -c %a "$f")" = 600 ] || exit 1; done &&
	cmp responses.txt opened/*-responses.txt &&
	cmp judgment.txt opened/*-judgment.txt &&
	[ "$(jq -r "length" opened/index.json)" = 3 ] &&
	[ "$(jq -r ".[0].title" opened/index.json)" = "Responses on article 5" ] &&
	[ "$(jq -r ".[0].author" opened/index.json)" = it-fp-rossi ] &&
	grep "it-fp-rossi (ITA, focal_point)  Responses on article 5" opened/index.txt &&
	grep "fr-fp-martin (FRA, focal_point)  On article 416" opened/index.txt &&
	exit_is 1 "$PALERMO" archive open review.plma --key archive.key -o opened 2>err &&
	grep "already exists" err
'

test_expect_success 'another key, or a wrong passphrase, opens nothing' '
	printf "other passphrase\n" >other.pass &&
	PALERMO_PASSPHRASE_FILE=$TRASH/other.pass "$PALERMO" archive keygen \
		-o other.key --kdf interactive >/dev/null &&
	exit_is 5 env PALERMO_PASSPHRASE_FILE=$TRASH/other.pass "$PALERMO" archive open \
		review.plma --key other.key -o other 2>err &&
	grep "other.key is not the archive key review.plma was sealed to" err &&
	[ ! -e other ] &&
	exit_is 5 env PALERMO_PASSPHRASE_FILE=$TRASH/other.pass "$PALERMO" archive open \
		review.plma --key archive.key -o other 2>err &&
	grep "wrong passphrase for the archive key" err &&
	[ ! -e other ] &&
	cp review.plma bad.plma && flip_bit bad.plma $(($(stat -c %s bad.plma) - 10)) &&
	exit_is 3 env PALERMO_PASSPHRASE_FILE=$TRASH/archive.pass "$PALERMO" archive open \
		bad.plma --key archive.key -o other 2>err &&
	[ ! -e other ]
'

test_done
