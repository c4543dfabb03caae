# tests/scenario.sh - one whole country review (issue 8, DESIGN.md §12),
# written once and run two ways:
#   tests/demo.sh                  `make demo`: tells the story, stops at the
#                                  first step that does not hold
#   tests/t8000-country-review.sh  `make test`: one ok/FAIL line per step
# Sourced after tests/lib.sh, lib-daemon.sh and lib-identity.sh, with two
# functions defined by the driver:
#   step TITLE COMMANDS   runs COMMANDS (set -e, in $TRASH) as one step
#   tell TEXT...          one line of the story (shown by the demo only)
# Steps pass what they learn to later steps through files in $TRASH ($S).
#
# The cast (REVIEW-MECHANISM.md): Italy under review in the criminalization
# cluster of the Organized Crime Convention and the Trafficking in Persons
# Protocol, in English; France and Brazil review it; UNODC's secretariat
# holds the root. Every plaintext the demo writes is listed in $S/plaintexts,
# and the last step looks for each of them in the server's data folder.

REVIEW=2026-ita-crim
S=$TRASH/scenario
mkdir -p "$S"
: >"$S/plaintexts"

# remember TEXT: a plaintext the server must never see.
remember() { printf '%s\n' "$1" >>"$S/plaintexts"; }

# envelopes_seen: what the server holds, as the server sees it.
envelopes_seen() {
	sqlite3 "$DATA/palermo.db" "SELECT count(*), coalesce(sum(size), 0) FROM envelopes" |
		awk -F'|' '{ printf "%d envelopes, %d bytes of ciphertext\n", $1, $2 }'
}

# The people: home, user id, name, State.
cast() {
	cat <<-EOF
	ita_fp it-fp-rossi Giulia_Rossi ITA
	ita_exp it-exp-bianchi Marco_Bianchi ITA
	ita_obs it-obs-conti Sara_Conti ITA
	fra_fp fr-fp-martin Claire_Martin FRA
	fra_exp fr-exp-durand Paul_Durand FRA
	bra_fp br-fp-souza Ana_Souza BRA
	bra_exp br-exp-silva Joao_Silva BRA
	ita_fp2 it-fp-verdi Luca_Verdi ITA
	deu_fp de-fp-weber Anna_Weber DEU
	EOF
}

step '1. the relay starts; the secretariat makes the root and certifies everyone' '
	setup_root && echo "$ROOT_FPR" >"$S/root.fpr" &&
	tell "palermod listens on $URL with an empty data folder; UNODC made the root" &&
	tell "(fingerprint $(echo "$ROOT_FPR" | cut -c1-16)...), which every member pins." &&
	cast | while read -r who user name state; do
		enrol "$who" "$user" "$(echo "$name" | tr _ " ")" "$state" || exit 1
		tell "  $(echo "$name" | tr _ " ") ($state) made keys at home; fingerprint" \
			"$(fpr_of_home "$who" | cut -c1-16)... compared aloud, certified."
	done &&
	code=$(invite unodc-sec-1 "Elena Ferri" UNODC --usage secretariat) &&
	pal sec --json init --server "$URL" --trust "$ROOT_FPR" --invite "$code" \
		--user unodc-sec-1 --name "Elena Ferri" --state UNODC --kdf interactive >/dev/null &&
	pal root admin certify unodc-sec-1 --fingerprint "$(fpr_of_home sec)" \
		--usage secretariat >/dev/null &&
	tell "  Elena Ferri (UNODC) was certified as the secretariat officer of the review."
'

step '2. the secretariat creates the review of Italy (UNTOC and TIP, criminalization)' '
	pal root admin review create "$REVIEW" --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --instrument tip:FRA,BRA --language en \
		--member it-fp-rossi:focal_point --member it-exp-bianchi:expert \
		--member it-obs-conti:observer \
		--member fr-fp-martin:focal_point --member fr-exp-durand:expert \
		--member br-fp-souza:focal_point --member br-exp-silva:expert \
		--member unodc-sec-1:secretariat >/dev/null &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	for who in ita_fp ita_exp ita_obs fra_fp fra_exp bra_fp bra_exp sec; do
		pal $who sync >/dev/null || exit 1
	done &&
	pal ita_fp --json status "$REVIEW" >status.json &&
	[ "$(jq -r .stage.name status.json)" = self_assessment ] &&
	tell "Roster epoch 1 signed by the root: Italy under review, France and Brazil" &&
	tell "reviewing; channel keys sealed to each member. Stage: self_assessment."
'

# A small but real PDF of a law, and the answers file filled in offline.
cat >"$S/law-2019-416.pdf" <<-'EOF'
%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
3 0 obj << /Title (Legge 416 sulla partecipazione a un gruppo criminale organizzato) >> endobj
trailer << /Root 1 0 R /Info 3 0 R >>
%%EOF
EOF
remember "Legge 416 sulla partecipazione a un gruppo criminale organizzato"
remember "law-2019-416.pdf"

step '3. Italy answers the questionnaire offline, attaching a law; the focal point submits' '
	pal ita_exp questionnaire template "$REVIEW" --output "$S/answers.yaml" &&
	sed "s/^      implemented:  #/      implemented: no  #/" "$S/answers.yaml" |
	sed "0,/^    5:/! {0,/implemented: no/ s/implemented: no/implemented: yes/}" |
	sed "0,/attachments: \[\]/! {0,/attachments: \[\]/ s/attachments: \[\]/attachments: [law-2019-416.pdf]/}" \
		>"$S/filled.yaml" &&
	(cd "$S" && pal ita_exp questionnaire check filled.yaml >check.out 2>&1) &&
	grep -q "law-2019-416.pdf: application/pdf, allowed" "$S/check.out" &&
	(cd "$S" && pal ita_exp questionnaire submit "$REVIEW" filled.yaml >draft.out) &&
	(cd "$S" && pal ita_fp questionnaire submit "$REVIEW" filled.yaml --final >final.out) &&
	head -n 1 "$S/final.out" >"$S/final.id" &&
	tell "Marco (expert) filled in the form offline and submitted a draft;" &&
	tell "Giulia (focal point) made the final submission, with the PDF attached;" &&
	tell "by the policy, her final submission moved the review to the feedback stage." &&
	tell "The server saw: $(envelopes_seen)."
'

step '4. France and Brazil read it, coordinate, send feedback; Italy answers' '
	pal ita_fp sync >/dev/null && pal ita_fp --json status "$REVIEW" >status.json &&
	[ "$(jq -r .stage.name status.json)" = feedback ] &&
	for who in fra_fp fra_exp bra_fp bra_exp ita_fp; do
		pal $who sync >/dev/null || exit 1
	done &&
	id=$(cat "$S/final.id") &&
	mkdir -p "$S/fra" && (cd "$S/fra" && pal fra_exp get -o responses.yaml "$id" >/dev/null) &&
	cmp "$S/filled.yaml" "$S/fra/responses.yaml" &&
	msg="France takes articles 5 and 23; Brazil takes the Protocol." && remember "$msg" &&
	echo "$msg" | pal fra_exp send "$REVIEW" --channel reviewers \
		--title "Division of work between reviewers" >/dev/null &&
	remember "Division of work between reviewers" &&
	pal bra_exp sync >/dev/null &&
	pal bra_exp --json list "$REVIEW" >bra.json &&
	jq -e ".documents[] | select(.title == \"Division of work between reviewers\")" bra.json >/dev/null &&
	pal ita_fp sync >/dev/null && pal ita_fp --json list "$REVIEW" >ita.json &&
	! jq -e ".documents[] | select(.title == \"Division of work between reviewers\")" ita.json >/dev/null &&
	fb="Article 5 of UNTOC appears fully implemented by Law 416; the offence of participation covers all serious crimes." &&
	remember "$fb" &&
	echo "$fb" | pal fra_exp send "$REVIEW" --kind feedback --title "Written feedback of France" \
		>"$S/feedback.id" &&
	remember "Written feedback of France" &&
	q="Does Law 416 require a financial or other material benefit?" && remember "$q" &&
	echo "$q" | pal bra_exp send "$REVIEW" --kind question --title "Question on the material benefit" \
		>"$S/question.id" &&
	remember "Question on the material benefit" &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	pal ita_fp sync >/dev/null &&
	a="No: the material benefit is not an element of the offence under Law 416." && remember "$a" &&
	echo "$a" | pal ita_fp send "$REVIEW" --kind answer --reply-to "$(cat "$S/question.id")" \
		--title "Answer on the material benefit" >/dev/null &&
	remember "Answer on the material benefit" &&
	pal bra_exp sync >/dev/null && pal bra_exp --json list "$REVIEW" >bra2.json &&
	jq -e ".documents[] | select(.title == \"Answer on the material benefit\")" bra2.json >/dev/null &&
	pal ita_obs sync >/dev/null &&
	(cd "$S" && pal ita_obs get -o obs.yaml "$(cat "$S/final.id")" >/dev/null) &&
	! (echo "A remark." | pal ita_obs send "$REVIEW" >/dev/null 2>"$S/obs.err") &&
	grep -q "observer" "$S/obs.err" &&
	tell "Sara, Italy'"'"'s observer, read the responses; her attempt to write was refused." &&
	tell "France and Brazil decrypted the questionnaire; their experts divided the work" &&
	tell "on the reviewers channel (Italy holds no key to it); France sent written" &&
	tell "feedback, Brazil a question; in the dialogue Italy answered it." &&
	tell "The server saw: $(envelopes_seen)."
'

step '5. Italy replaces its focal point; the new one reads the whole history' '
	pal root admin review add "$REVIEW" --member it-fp-verdi:focal_point \
		--remove it-fp-rossi >"$S/replace.out" &&
	pal ita_fp2 sync >"$S/verdi-sync.out" &&
	grep -q "received the history" "$S/verdi-sync.out" &&
	mkdir -p "$S/verdi" &&
	(cd "$S/verdi" && pal ita_fp2 get -o responses.yaml "$(cat "$S/final.id")" >/dev/null) &&
	cmp "$S/filled.yaml" "$S/verdi/responses.yaml" &&
	(cd "$S/verdi" && pal ita_fp2 get -o question.txt "$(cat "$S/question.id")" >/dev/null) &&
	grep -q "material benefit" "$S/verdi/question.txt" &&
	tell "Roster epoch 2: Giulia Rossi left, Luca Verdi became Italy'"'"'s focal point." &&
	tell "Fresh channel keys were sealed to the new roster only; by the policy the root" &&
	tell "re-sealed the keys of epoch 1 to Luca (a history grant, checked against" &&
	tell "the commitments of epoch 1): he decrypted the questionnaire and the question."
'

step '6. the reviewers draft the list of observations and the summary; all agree' '
	pal root admin review advance "$REVIEW" >/dev/null &&
	obs="Observations: Italy criminalizes participation in an organized criminal group (art. 5)." &&
	remember "$obs" &&
	pal fra_exp sync >/dev/null &&
	echo "$obs" | pal fra_exp send "$REVIEW" --kind observations_draft \
		--title "Draft list of observations" >"$S/obs.id" &&
	remember "Draft list of observations" &&
	for who in ita_fp2 fra_fp bra_fp; do
		pal $who sync >/dev/null && pal $who agree "$(cat "$S/obs.id")" >/dev/null || exit 1
	done &&
	pal sec sync >/dev/null && pal sec --json status "$REVIEW" >st.json &&
	jq -e ".agreements[] | select(.kind == \"observations_draft\") | .final" st.json >/dev/null &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	sum="Summary: the legislation of Italy largely meets the requirements of the cluster." &&
	remember "$sum" &&
	pal bra_exp sync >/dev/null &&
	echo "$sum" | pal bra_exp send "$REVIEW" --kind summary_draft --title "Draft summary" \
		>"$S/sum.id" &&
	remember "Draft summary" &&
	for who in ita_fp2 fra_fp bra_fp; do
		pal $who sync >/dev/null && pal $who agree "$(cat "$S/sum.id")" >/dev/null || exit 1
	done &&
	pal sec sync >/dev/null && pal sec --json status "$REVIEW" >st2.json &&
	jq -e ".agreements[] | select(.kind == \"summary_draft\") | .final" st2.json >/dev/null &&
	exit_is 5 pal fra_exp agree "$(cat "$S/sum.id")" 2>/dev/null &&
	tell "France drafted the list of observations; the focal points of Italy, France" &&
	tell "and Brazil each signed an agreement to its exact digest, and it became final." &&
	tell "Brazil drafted the summary, agreed the same way (an expert'"'"'s agreement is refused)."
'

step '7. Italy discloses its responses to all States parties; Germany reads them' '
	pal root admin parties add it-fp-verdi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point fr-exp-durand:expert br-fp-souza:focal_point \
		br-exp-silva:expert de-fp-weber:focal_point >/dev/null &&
	pal ita_fp2 sync >/dev/null &&
	pal ita_fp2 disclose "$(cat "$S/final.id")" --to parties >/dev/null &&
	exit_is 5 pal fra_fp disclose "$(cat "$S/feedback.id")" --to parties 2>/dev/null &&
	pal deu_fp sync >/dev/null &&
	pal deu_fp --json disclosed >disclosed.json &&
	grep -q "$(cat "$S/final.id")" disclosed.json &&
	mkdir -p "$S/deu" &&
	(cd "$S/deu" && pal deu_fp get -o responses.yaml "$(cat "$S/final.id")" >/dev/null) &&
	cmp "$S/filled.yaml" "$S/deu/responses.yaml" &&
	tell "The secretariat put every focal point and expert of the States parties in" &&
	tell "the parties group (its own roster and key). Luca disclosed Italy'"'"'s final" &&
	tell "responses to it: one signed record re-wrapping the document key, no upload." &&
	tell "Anna Weber of Germany, on no roster of this review, decrypted them; a" &&
	tell "reviewing State'"'"'s attempt to disclose France'"'"'s feedback was refused."
'

step '8. the secretariat seals the archive; it verifies with no keys and no state' '
	pal sec archive keygen -o "$S/archive.key" --kdf interactive >/dev/null &&
	pal sec archive seal "$REVIEW" --to "$S/archive.key" -o "$S/review.plma" >/dev/null &&
	mkdir -p "$S/empty" &&
	(cd "$S/empty" && env -u PALERMO_HOME HOME="$S/empty" XDG_DATA_HOME="$S/empty" \
		"$PALERMO" archive verify "$S/review.plma" --trust "$(cat "$S/root.fpr")" >"$S/verify.out") &&
	[ -z "$(ls -A "$S/empty")" ] &&
	pal sec archive open "$S/review.plma" --key "$S/archive.key" -o "$S/opened" >/dev/null &&
	grep -q "Draft summary" "$S/opened/index.txt" &&
	tell "Elena sealed the record into one signed file of $(du -h "$S/review.plma" | cut -f1):" &&
	tell "ciphertext as stored, rosters, records, the signed log head and proofs." &&
	tell "archive verify, with no keys, no state and no network, said:" &&
	sed -n "1,12p" "$S/verify.out" | while IFS= read -r line; do tell "  | $line"; done
'

step '9. the server'"'"'s data folder holds none of the plaintexts' '
	grep -rqaF -- "$REVIEW" "$DATA" &&
	n=0 &&
	while IFS= read -r text; do
		n=$((n + 1))
		if grep -rqaF -- "$text" "$DATA"; then
			echo "found in the server data: $text" >&2
			exit 1
		fi
	done <"$S/plaintexts" &&
	[ "$n" -ge 8 ] &&
	tell "Searched every byte of $(du -sh "$DATA" | cut -f1) of server data for $n plaintexts" &&
	tell "(titles, file names, texts, the PDF): none found."
'
