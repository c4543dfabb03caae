#!/bin/sh
# palermo questionnaire (issue 6, REVIEW-MECHANISM.md step 3): the form for
# Italy's review (untoc and tip, criminalization), filled in and checked
# offline with positioned messages, attachments judged by their detected
# type; an expert submits a draft, only Italy's focal point the final
# submission; a reviewing State's focal point reads the responses.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp &&
	create_review "$REVIEW" --advance 2 --instrument untoc:FRA --instrument tip:FRA \
		--language en --language fr \
		it-fp-rossi:focal_point it-exp-bianchi:expert fr-fp-martin:focal_point &&
	sync_all ita_fp ita_exp fra_fp
}

setup_with setup_people

# articles FILE INSTRUMENT: the article numbers of INSTRUMENT in the form.
articles() {
	sed -n "/^  $2:/,/^  [a-z]/p" "$1" | sed -n 's/^    \([0-9]*\):.*/\1/p' | tr '\n' ' '
}

test_expect_success 'the template lists the articles of untoc and tip; 8 and 9 by UNCAC' '
	pal ita_exp questionnaire template "$REVIEW" >all.yaml &&
	[ "$(articles all.yaml untoc)" = "2 5 6 8 9 10 15 23 " ] &&
	[ "$(articles all.yaml tip)" = "3 5 " ] &&
	grep -q "^state: ITA$" all.yaml && grep -q "^cluster: criminalization$" all.yaml &&
	grep -q "^party_to: \[untoc, tip\]$" all.yaml &&
	grep -q "legal_advice" all.yaml && grep -q "        fr: \"\"  # optional" all.yaml &&
	pal ita_exp questionnaire template "$REVIEW" --party-to uncac --output answers.yaml &&
	[ "$(stat -c %a answers.yaml)" = 600 ] &&
	[ "$(articles answers.yaml untoc)" = "2 5 6 10 15 23 " ] &&
	grep -q "^party_to: \[uncac, untoc, tip\]$" answers.yaml &&
	exit_is 1 pal ita_exp questionnaire template "$REVIEW" --output answers.yaml 2>err &&
	grep -q "cannot write answers.yaml" err &&
	exit_is 2 pal ita_exp questionnaire template "$REVIEW" --party-to unesco 2>err &&
	grep -q "no such treaty" err
'

test_expect_success 'check, offline and without identity: the empty form is incomplete' '
	exit_is 1 pal nobody questionnaire check answers.yaml >out 2>err &&
	[ "$(grep -c "missing answer: is article" out)" = 8 ] &&
	grep -q "answers.yaml:[0-9]*:19: missing answer: is article 2 of untoc implemented" out &&
	grep -q "0 of 8 articles answered, 8 problems" err &&
	test ! -e "$HOMES/nobody"
'

# Every answer "no"; article 5 of untoc "yes", with a law attached.
printf "%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n" >"$TRASH/law-416.pdf"
fill() {
	sed "s/^      implemented:  #/      implemented: no  #/" answers.yaml |
	sed "0,/^    5:/! {0,/implemented: no/ s/implemented: no/implemented: yes/}" |
	sed "0,/attachments: \[\]/! {0,/attachments: \[\]/ s/attachments: \[\]/attachments: [law-416.pdf]/}" >"$1"
}

test_expect_success 'check: a complete form passes and lists its attachment' '
	fill done.yaml &&
	grep -q "implemented: yes" done.yaml && grep -q "\[law-416.pdf\]" done.yaml &&
	pal nobody questionnaire check done.yaml >out 2>err &&
	grep -q "^attachment law-416.pdf: application/pdf, allowed$" out &&
	[ "$(wc -l <out)" = 1 ] &&
	grep -q "8 of 8 articles answered, 0 problems, 0 of 1 attachments refused" err &&
	pal nobody questionnaire check --json done.yaml >c.json &&
	[ "$(jq -r .complete c.json)" = true ] && [ "$(jq -r .answered c.json)" = 8 ] &&
	[ "$(jq -r ".attachments[0].type" c.json)" = application/pdf ]
'

test_expect_success 'check: a missing answer and an invalid value, with file:line:col' '
	line=$(grep -n "implemented: no" done.yaml | head -n 1 | cut -d: -f1) &&
	line2=$(grep -n "implemented: no" done.yaml | sed -n 2p | cut -d: -f1) &&
	sed "${line}s/implemented: no/implemented: maybe/; ${line2}s/implemented: no/implemented:/" \
		done.yaml >bad.yaml &&
	exit_is 1 pal nobody questionnaire check bad.yaml >out 2>err &&
	grep -q "^bad.yaml:$line:20: invalid value .maybe. for implemented (article 2 of untoc): expected yes, partly or no$" out &&
	grep -q "^bad.yaml:$line2:19: missing answer: is article 6 of untoc implemented" out &&
	exit_is 1 pal nobody questionnaire check --json bad.yaml >b.json &&
	[ "$(jq -r .complete b.json)" = false ] && [ "$(jq ".problems | length" b.json)" = 2 ] &&
	printf "answers: [\n" >broken.yaml &&
	exit_is 3 pal nobody questionnaire check broken.yaml 2>err &&
	grep -q "^palermo: broken.yaml:2:1: this is not valid YAML" err
'

test_expect_success 'check: a shell script attachment is refused by its type' '
	printf "#!/bin/sh\necho law\n" >run.sh &&
	sed "s/\[law-416.pdf\]/[law-416.pdf, run.sh]/" done.yaml >script.yaml &&
	exit_is 1 pal nobody questionnaire check script.yaml >out 2>err &&
	grep -q "^attachment law-416.pdf: application/pdf, allowed$" out &&
	grep -q "^attachment run.sh: text/x-shellscript, refused: run.sh is a shell script" out &&
	exit_is 1 pal ita_fp questionnaire submit "$REVIEW" script.yaml >out 2>err &&
	grep -q "script.yaml is not complete and valid" err
'

test_expect_success 'an expert submits a draft; the expert cannot make it final' '
	pal ita_exp questionnaire submit "$REVIEW" done.yaml >draft.out &&
	[ "$(wc -l <draft.out)" = 2 ] && grep -q " law-416.pdf$" draft.out &&
	exit_is 5 pal ita_exp questionnaire submit "$REVIEW" done.yaml --final 2>err &&
	grep -q "only the focal point of the State under review makes the final submission; you are a governmental expert of ITA" err &&
	grep -q "(policy: roles.expert.may" err &&
	exit_is 2 pal ita_exp questionnaire submit other-review done.yaml 2>err &&
	grep -q "answers review $REVIEW, not other-review" err
'

test_expect_success 'the focal point makes the final submission; France reads it' '
	pal ita_fp questionnaire submit "$REVIEW" done.yaml --final >final.out &&
	id=$(head -n 1 final.out) && [ ${#id} = 64 ] &&
	pal fra_fp sync >/dev/null &&
	pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq "[.documents[] | select(.kind == \"questionnaire_response\")] | length" l.json)" = 2 ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .title" l.json)" = \
		"Questionnaire responses (final submission)" ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .fields.submission" l.json)" = final ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .author.role" l.json)" = focal_point ] &&
	draft=$(head -n 1 draft.out) &&
	[ "$(jq -r ".documents[] | select(.id == \"$draft\") | .fields.submission" l.json)" = draft ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$draft\") | .author.role" l.json)" = expert ] &&
	[ -n "$(jq -r ".documents[] | select(.id == \"$id\") | .fields.attachments" l.json)" ] &&
	mkdir fra && (cd fra && pal fra_fp get -o responses.yaml "$id" >/dev/null) &&
	cmp done.yaml fra/responses.yaml &&
	exit_is 5 pal fra_fp questionnaire submit "$REVIEW" done.yaml --final 2>err &&
	grep -q "you are a reviewing focal point of FRA" err
'

test_done
