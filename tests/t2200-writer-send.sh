#!/bin/sh
# palermo send (DESIGN.md §7, §11): Italy's focal point sends messages and
# its questionnaire responses with the laws attached; files that are not
# documents are refused by their detected type, the word limits of the
# policy hold before anything is sealed, an observer cannot write, and
# every member reads exactly what was sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

# The review of Italy (REVIEW-MECHANISM.md): a focal point and an expert
# of Italy, an observer of Italy, a focal point and an expert each of
# France and Brazil, the secretariat (the root home); stage self_assessment.
setup_people() {
	enrol_all ita_fp ita_exp "ita_obs:it-obs-conti:Laura Conti:ITA" fra_fp \
		"fra_exp:fr-exp-dupont:Paul Dupont:FRA" bra_fp bra_exp &&
	create_review "$REVIEW" --advance 2 --language en --language fr \
		it-fp-rossi:focal_point it-exp-bianchi:expert it-obs-conti:observer \
		fr-fp-martin:focal_point fr-exp-dupont:expert br-fp-souza:focal_point \
		br-exp-lima:expert &&
	sync_all ita_fp ita_exp ita_obs fra_fp bra_exp
}

setup_with setup_people

# stored: the number of envelopes the server holds (its metrics).
stored() {
	api_unsigned GET /v1/metrics >"$TRASH/metrics" &&
	sed -n 's/^palermo_store_envelopes \([0-9]*\)$/\1/p' "$TRASH/metrics"
}

# outbox_is_empty WHO: nothing queued, nothing half-sealed.
outbox_is_empty() {
	[ "$(pal "$1" --json outbox | jq length)" = 0 ] &&
	[ -z "$(ls -A "$HOMES/$1/outbox" | grep -v '^\.lock$')" ]
}

# words N: a text of N words.
words() { yes "word" | head -n "$1" | tr '\n' ' '; }

test_expect_success 'a message from standard input is sealed, sent, read' '
	before=$(stored) &&
	echo "The responses will follow on Friday." | pal ita_fp send "$REVIEW" >out 2>err &&
	id=$(head -n 1 out) && cp out out.first && [ ${#id} = 64 ] && [ "$(wc -l <out)" = 1 ] &&
	test ! -s err &&
	[ "$(stored)" = $((before + 1)) ] &&
	outbox_is_empty ita_fp &&
	pal fra_fp sync >/dev/null &&
	pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .kind" l.json)" = message ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .title" l.json)" = \
		"The responses will follow on Friday." ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .mime" l.json)" = text/plain ] &&
	mkdir fra && (cd fra && pal fra_fp get -o msg.txt "$id" >/dev/null) &&
	echo "The responses will follow on Friday." | cmp - fra/msg.txt
'

test_expect_success 'a document with two attachments: --json, manifest, types' '
	printf "# Responses on article 5\n\nParticipation in an organized criminal group is an\noffence under article 416 of the Criminal Code.\n" >responses.md &&
	printf "%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n" >law-416.pdf &&
	printf "{\\\\rtf1\\\\ansi Judgment 2019/123 of the Court of Cassation.}\n" >judgment.rtf &&
	before=$(stored) &&
	pal ita_fp send --json "$REVIEW" --kind questionnaire_response \
		--title "Responses on article 5" --attach law-416.pdf --attach judgment.rtf \
		responses.md >sent.json &&
	[ "$(jq -r .queued sent.json)" = false ] &&
	[ "$(jq -r ".attachments | length" sent.json)" = 2 ] &&
	id=$(jq -r .id sent.json) && a1=$(jq -r ".attachments[0]" sent.json) &&
	a2=$(jq -r ".attachments[1]" sent.json) &&
	[ "$(stored)" = $((before + 3)) ] &&
	pal bra_exp sync >/dev/null && pal bra_exp --json list "$REVIEW" >l.json &&
	doc() { jq -r ".documents[] | select(.id == \"$1\") | .$2" l.json; } &&
	[ "$(doc "$id" kind)" = questionnaire_response ] &&
	[ "$(doc "$id" mime)" = text/markdown ] &&
	[ "$(doc "$id" title)" = "Responses on article 5" ] &&
	[ "$(doc "$a1" kind)" = attachment ] && [ "$(doc "$a1" mime)" = application/pdf ] &&
	[ "$(doc "$a1" title)" = law-416.pdf ] &&
	[ "$(doc "$a2" kind)" = attachment ] && [ "$(doc "$a2" mime)" = text/rtf ] &&
	mkdir bra && (cd bra && pal bra_exp get "$id" >/dev/null && pal bra_exp get "$a1" >/dev/null &&
		pal bra_exp get "$a2" >/dev/null) &&
	cmp responses.md bra/responses.md && cmp law-416.pdf bra/law-416.pdf &&
	cmp judgment.rtf bra/judgment.rtf
'

test_expect_success 'the manifest lists the attachments in order' '
	id=$(jq -r .id sent.json) &&
	pal bra_exp --json list "$REVIEW" >l.json &&
	want="$(jq -r ".attachments | join(\",\")" sent.json)" &&
	got="$(jq -r ".documents[] | select(.id == \"$id\") | .fields.attachments" l.json)" &&
	[ "$got" = "$want" ] &&
	a1=$(jq -r ".attachments[0]" sent.json) &&
	[ "$(jq -r ".documents[] | select(.id == \"$a1\") | .fields | length" l.json)" = 0 ]
'

# refused_type FILE WHAT MIME: send --attach FILE fails naming the type.
refused_type() {
	before=$(stored) &&
	echo "See the attached file." >note.txt &&
	exit_is 5 pal ita_fp send "$REVIEW" --attach "$1" note.txt 2>err &&
	grep -F "$1 is $2 ($3); attach documents only: PDF, ODF, OOXML, text, Markdown, RTF, images" err &&
	[ "$(wc -l <err)" = 1 ] &&
	[ "$(stored)" = "$before" ] && outbox_is_empty ita_fp
}

test_expect_success 'a shell script is refused as an attachment, by its content' '
	printf "#!/bin/sh\nrm -rf \"\$HOME\"\n" >law.sh &&
	refused_type law.sh "a shell script" text/x-shellscript &&
	cp law.sh law.pdf.txt &&
	refused_type law.pdf.txt "a shell script" text/x-shellscript
'

test_expect_success 'an ELF program is refused as an attachment' '
	cp /bin/true law-2019 &&
	before=$(stored) &&
	echo "See the attached file." >note.txt &&
	exit_is 5 pal ita_fp send "$REVIEW" --attach law-2019 note.txt 2>err &&
	grep -E "^palermo: law-2019 is an executable program \(ELF\) \(application/x-(pie-)?executable\); attach documents only: " err &&
	[ "$(stored)" = "$before" ] && outbox_is_empty ita_fp
'

test_expect_success 'a zip archive is refused as an attachment' '
	printf "the law\n" >law.txt &&
	python3 -c "import zipfile; z = zipfile.ZipFile(\"laws.zip\", \"w\"); z.write(\"law.txt\"); z.close()" &&
	refused_type laws.zip "a zip archive" application/zip
'

test_expect_success 'a Windows program, a tar and a gzip file are refused' '
	python3 -c "import struct, sys; sys.stdout.buffer.write(b\"MZ\" + b\"\\0\" * 58 + struct.pack(\"<I\", 64) + b\"PE\\0\\0\" + struct.pack(\"<HHIIIHH\", 0x14c, 0, 0, 0, 0, 0xe0, 0x102) + b\"\\0\" * 0xe0)" >setup.exe &&
	refused_type setup.exe "a Windows program" application/vnd.microsoft.portable-executable &&
	printf "the law\n" >law.txt && tar cf laws.tar law.txt &&
	refused_type laws.tar "a tar archive" application/x-tar &&
	gzip -c law.txt >law.txt.gz &&
	refused_type law.txt.gz "a gzip-compressed file" application/gzip
'

test_expect_success 'OOXML and ODF files are accepted by their own types' '
	python3 -c "
import zipfile
z = zipfile.ZipFile(\"law.docx\", \"w\", zipfile.ZIP_DEFLATED)
z.writestr(\"[Content_Types].xml\", \"<?xml version=\\\"1.0\\\"?><Types xmlns=\\\"http://schemas.openxmlformats.org/package/2006/content-types\\\"><Override PartName=\\\"/word/document.xml\\\" ContentType=\\\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\\\"/></Types>\")
z.writestr(\"_rels/.rels\", \"<Relationships/>\")
z.writestr(\"word/document.xml\", \"<w:document/>\")
z.close()
z = zipfile.ZipFile(\"law.odt\", \"w\")
z.writestr(zipfile.ZipInfo(\"mimetype\"), \"application/vnd.oasis.opendocument.text\")
z.writestr(\"content.xml\", \"<office:document-content/>\")
z.close()
" &&
	echo "The two laws, as office files." >note.txt &&
	pal ita_fp --json send "$REVIEW" --attach law.docx --attach law.odt note.txt >office.json &&
	pal fra_fp sync >/dev/null && pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents[] | select(.id == $(jq .attachments[0] office.json)) | .mime" l.json)" = \
		application/vnd.openxmlformats-officedocument.wordprocessingml.document ] &&
	[ "$(jq -r ".documents[] | select(.id == $(jq .attachments[1] office.json)) | .mime" l.json)" = \
		application/vnd.oasis.opendocument.text ]
'

test_expect_success 'a large attachment streams through, read back intact' '
	{ printf "%%PDF-1.5\n"; head -c 5000000 /dev/urandom; printf "\n%%%%EOF\n"; } >report.pdf &&
	echo "The annual report of the prosecution service." |
		pal ita_fp --json send "$REVIEW" --attach report.pdf >big.json &&
	a=$(jq -r ".attachments[0]" big.json) &&
	pal bra_exp sync >/dev/null && mkdir -p big && (cd big && pal bra_exp get "$a" >/dev/null) &&
	cmp report.pdf big/report.pdf
'

test_expect_success 'standard input larger than the kind allows is refused' '
	head -c 16777217 /dev/zero | tr "\\0" a |
		exit_is 1 pal ita_fp send "$REVIEW" 2>err &&
	grep -F "larger than a message may be (16777216 bytes)" err &&
	outbox_is_empty ita_fp
'

test_expect_success 'title, language, reply and channel go where they belong' '
	id=$(head -n 1 out.first) && pal ita_fp sync >/dev/null &&
	echo "Nous confirmons la date." |
		pal ita_fp --json send "$REVIEW" --lang fr --title "Confirmation" --reply-to "$(echo $id | cut -c1-10)" >r.json &&
	r=$(jq -r .id r.json) &&
	exit_is 6 pal ita_fp send "$REVIEW" --reply-to 0123456789abcdef note.txt 2>err &&
	grep -F "no document 0123456789abcdef of review $REVIEW is known here" err &&
	pal fra_fp sync >/dev/null && pal fra_fp --json list "$REVIEW" >l.json &&
	doc() { jq -r ".documents[] | select(.id == \"$r\") | .$1" l.json; } &&
	[ "$(doc language)" = fr ] && [ "$(doc title)" = Confirmation ] &&
	[ "$(doc reply_to)" = "$id" ] && [ "$(doc channel)" = review ] &&
	[ "$(jq -r ".documents[] | select(.id == \"$id\") | .language" l.json)" = en ]
'

test_expect_success 'a type outside the allow-list is refused; the document too' '
	printf "<html><body><p>Article 416</p></body></html>\n" >law.html &&
	echo "See the attached file." >note.txt &&
	exit_is 5 pal ita_fp send "$REVIEW" --attach law.html note.txt 2>err &&
	grep -F "law.html is of type text/html, which the policy does not accept" err &&
	printf "#!/usr/bin/env python3\nprint(1)\n" >answer.py &&
	exit_is 5 pal ita_fp send "$REVIEW" answer.py 2>err &&
	grep -F "answer.py is a Python script (text/x-script.python); send documents only" err &&
	: >empty.txt &&
	exit_is 5 pal ita_fp send "$REVIEW" empty.txt 2>err &&
	grep -F "empty.txt is empty; there is nothing to send" err &&
	outbox_is_empty ita_fp
'

test_expect_success 'an observer is refused before anything is sealed' '
	before=$(stored) &&
	echo "A remark from the observer." >remark.txt &&
	exit_is 5 pal ita_obs send "$REVIEW" remark.txt 2>err &&
	grep -F "observers may read this review but not write to it (policy: roles.observer)" err &&
	[ "$(stored)" = "$before" ] && outbox_is_empty ita_obs
'

test_expect_success 'what my role may not write is refused before sealing' '
	echo "Feedback before the responses." >fb.txt &&
	exit_is 5 pal fra_fp send "$REVIEW" --kind feedback fb.txt 2>err &&
	grep -F "feedback" err && grep -F "self_assessment" err &&
	exit_is 5 pal fra_fp send "$REVIEW" --kind questionnaire_response fb.txt 2>err &&
	exit_is 5 pal ita_fp send "$REVIEW" --channel reviewers fb.txt 2>err &&
	exit_is 5 pal ita_fp send "$REVIEW" --kind no_such_kind fb.txt 2>err &&
	exit_is 6 pal ita_fp send 2026-nowhere fb.txt 2>err &&
	grep -F "palermo sync" err &&
	exit_is 2 pal ita_fp send 2>err &&
	exit_is 2 pal ita_fp send "$REVIEW" --lang english fb.txt 2>err &&
	exit_is 2 pal ita_fp send "$REVIEW" fb.txt fb.txt 2>err &&
	outbox_is_empty fra_fp && outbox_is_empty ita_fp
'

test_expect_success 'feedback over 10,500 words is sent with a warning' '
	pal root admin review advance "$REVIEW" >/dev/null &&
	pal fra_fp sync >/dev/null &&
	words 10600 >feedback.txt &&
	pal fra_fp send "$REVIEW" --kind feedback --title "Written feedback" feedback.txt >out 2>err &&
	[ "$(head -n 1 out | tr -d "0-9a-f" | wc -c)" = 1 ] && [ "$(head -n 1 out | wc -c)" = 65 ] &&
	grep -F "warning: documents of kind '"'"'feedback'"'"' should not exceed 10500 words; this one has 10600" err &&
	words 10500 >short.txt &&
	pal fra_fp send "$REVIEW" --kind feedback short.txt >out 2>err &&
	test ! -s err
'

test_expect_success 'a summary over 1,500 words is refused before sealing' '
	for i in 1 2 3; do pal root admin review advance "$REVIEW" >/dev/null || return 1; done &&
	pal fra_fp sync >/dev/null &&
	before=$(stored) &&
	words 1501 >summary.txt &&
	exit_is 5 pal fra_fp send "$REVIEW" --kind summary_draft summary.txt 2>err &&
	grep -F "may have at most 1500 words; this one has 1501" err &&
	grep -F "para 38" err &&
	words 1501 | exit_is 5 pal fra_fp send "$REVIEW" --kind summary_draft 2>err &&
	grep -F "this one has 1501" err &&
	[ "$(stored)" = "$before" ] && outbox_is_empty fra_fp &&
	words 1500 >summary.txt &&
	pal fra_fp send "$REVIEW" --kind summary_draft --channel reviewers summary.txt >out &&
	[ "$(stored)" = $((before + 1)) ]
'

test_expect_success 'no plaintext in the sender home or the server' '
	! grep -r -a -F "Criminal Code" "$HOMES/ita_fp" "$DATA" &&
	! grep -r -a -F "Responses on article 5" "$HOMES/ita_fp" "$DATA" &&
	! grep -r -a -F "Court of Cassation" "$HOMES/ita_fp" "$DATA"
'

# The daemon makes the same check with the same code (policies/review.c):
# an observer's envelope that bypassed the client (sealed here by the test
# tool with the observer's key) is refused by a daemon with the same
# sentence. This needs identities whose seeds the tool holds, so it runs
# on a second daemon with the tool's own copy of the review (lib-daemon.sh).
test_expect_success 'the daemon refuses the observer with the same rule' '
	daemon_stop && daemon_start --data "$TRASH/data-tool" && setup_review &&
	echo "A remark from the observer." >remark.txt &&
	seal ita_obs message review remark.txt obs.env >/dev/null &&
	api ita_obs PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body obs.env >put.out &&
	problem_is 403 policy put.out &&
	body_of put.out | jq -r .detail |
		grep -F "observers may read this review but not write to it (policy: roles.observer)"
'

test_done
