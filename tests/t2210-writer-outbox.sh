#!/bin/sh
# The outbox (DESIGN.md §11, offline first): with the server down a send
# still succeeds and says it is queued; `palermo outbox` shows what waits;
# `palermo sync` delivers each item exactly once, even when an answer was
# lost; what the server refuses is marked refused with its reason, not
# retried forever, and dropped by the user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

setup_people() {
	enrol_all ita_fp ita_exp fra_fp bra_exp &&
	create_review "$REVIEW" --advance 2 it-fp-rossi:focal_point it-exp-bianchi:expert \
		fr-fp-martin:focal_point &&
	sync_all ita_fp ita_exp fra_fp
}

setup_with setup_people

# The daemon goes down and comes back on the same port and data folder.
down() { daemon_stop; }
up() { daemon_start --data "$DATA" --port "$(cat "$TRASH/port")"; }

# stored: the number of envelopes the server holds (its metrics).
stored() {
	api_unsigned GET /v1/metrics >"$TRASH/metrics" &&
	sed -n 's/^palermo_store_envelopes \([0-9]*\)$/\1/p' "$TRASH/metrics"
}

# queued WHO: how many items WHO's outbox holds.
queued() { pal "$1" --json outbox | jq length; }

# listed WHO ID: how many times ID is in WHO's list of the review.
listed() {
	pal "$1" --json list "$REVIEW" | jq "[.documents[] | select(.id == \"$2\")] | length"
}

test_expect_success 'with the server down, send succeeds and says it is queued' '
	before=$(stored) && echo $before >before && down &&
	echo "The delegation arrives on Monday." >msg.txt &&
	pal ita_fp send "$REVIEW" --title "Arrival" msg.txt >out 2>err &&
	id=$(head -n 1 out) && [ ${#id} = 64 ] && echo $id >queued.1 &&
	port=$(cat "$TRASH/port") &&
	grep -Fx "queued: the server at http://127.0.0.1:$port cannot be reached; \`palermo sync\` will send it" err &&
	echo "And the programme of the visit." |
		pal ita_fp --json send "$REVIEW" --attach msg.txt >sent.json 2>err &&
	[ "$(jq -r .queued sent.json)" = true ] &&
	jq -r .id sent.json >queued.2 && jq -r ".attachments[0]" sent.json >queued.3 &&
	grep -F "queued: " err &&
	test -f "$HOMES/ita_fp/outbox/$id"
'

# Each send tries the whole outbox, oldest first, and stops at the first
# network failure: the first message has been tried twice, the rest once
# (the attachment) or not at all.
test_expect_success 'palermo outbox shows what waits, oldest first' '
	id=$(cat queued.1) &&
	pal ita_fp outbox >list &&
	head -n 1 list | grep -E "^ID +REVIEW +KIND +SIZE +QUEUED +TRIES +STATUS$" &&
	grep -E "^$(echo $id | cut -c1-12)  $REVIEW +message +[0-9.]+ (B|KiB) +[0-9-]{10} [0-9:]{5} +2  waiting$" list &&
	grep -F "cannot reach the server" list &&
	pal ita_fp --json outbox >list.json &&
	[ "$(jq length list.json)" = 3 ] &&
	[ "$(jq -r ".[0].id" list.json)" = "$id" ] &&
	[ "$(jq -r ".[1].kind" list.json)" = attachment ] &&
	[ "$(jq -r ".[1].id" list.json)" = "$(cat queued.3)" ] &&
	[ "$(jq -r ".[2].id" list.json)" = "$(cat queued.2)" ] &&
	[ "$(jq -r ".[0].review" list.json)" = "$REVIEW" ] &&
	[ "$(jq -r ".[0].attempts" list.json)" = 2 ] &&
	[ "$(jq -r ".[2].attempts" list.json)" = 0 ] &&
	[ "$(jq -r ".[0].refused" list.json)" = false ] &&
	[ "$(jq -r ".[0].size" list.json)" = "$(wc -c <"$HOMES/ita_fp/outbox/$id")" ] &&
	jq -r ".[0].last_error" list.json | grep -F "cannot reach the server" &&
	pal ita_fp outbox --json "$REVIEW" >l2.json && cmp list.json l2.json &&
	pal ita_fp outbox 2026-other >none && grep -Fx "nothing waits to be sent for 2026-other" none
'

test_expect_success 'sync delivers each queued item exactly once' '
	up && before=$(cat before) &&
	pal ita_fp sync >out 2>err &&
	[ "$(queued ita_fp)" = 0 ] && test ! -e "$HOMES/ita_fp/outbox/$(cat queued.1)" &&
	[ "$(stored)" = $((before + 3)) ] &&
	pal ita_fp sync >out 2>err &&
	[ "$(stored)" = $((before + 3)) ] &&
	pal fra_fp sync >/dev/null &&
	for f in queued.1 queued.2 queued.3; do
		[ "$(listed fra_fp "$(cat $f)")" = 1 ] || return 1
	done &&
	mkdir -p fra && (cd fra && pal fra_fp get -o arrival.txt "$(cat ../queued.1)" >/dev/null) &&
	cmp msg.txt fra/arrival.txt
'

test_expect_success 'an upload whose answer was lost is not stored twice' '
	down &&
	echo "Minutes of the call of 3 March." | pal ita_fp send "$REVIEW" >out 2>/dev/null &&
	id=$(head -n 1 out) &&
	cp -a "$HOMES/ita_fp" lost-answer &&
	up && before=$(stored) &&
	pal ita_fp sync >/dev/null &&
	[ "$(stored)" = $((before + 1)) ] && [ "$(queued ita_fp)" = 0 ] &&
	rm -rf "$HOMES/ita_fp" && mv lost-answer "$HOMES/ita_fp" &&
	[ "$(queued ita_fp)" = 1 ] &&
	pal ita_fp sync >/dev/null 2>err &&
	[ "$(queued ita_fp)" = 0 ] && test ! -s err &&
	[ "$(stored)" = $((before + 1)) ] &&
	pal fra_fp sync >/dev/null && [ "$(listed fra_fp "$id")" = 1 ]
'

test_expect_success 'a reply to a document still queued; a crash'"'"'s strays are swept' '
	down &&
	echo "Draft agenda of the country visit." | pal ita_fp send "$REVIEW" >a 2>/dev/null &&
	a=$(head -n 1 a) &&
	echo "Corrected: the visit starts on Tuesday." |
		pal ita_fp send "$REVIEW" --reply-to "$(echo $a | cut -c1-8)" >b 2>/dev/null &&
	b=$(head -n 1 b) && [ "$(queued ita_fp)" = 2 ] &&
	box="$HOMES/ita_fp/outbox" && stray=$(echo "$a" | tr 0-9a-f a-f0-9) &&
	echo ciphertext >"$box/.sealing-old" && echo ciphertext >"$box/$stray" &&
	echo ciphertext >"$box/.sealing-new" &&
	touch -d "2 days ago" "$box/.sealing-old" "$box/$stray" &&
	up && pal ita_fp sync >/dev/null &&
	[ "$(queued ita_fp)" = 0 ] &&
	test ! -e "$box/.sealing-old" && test ! -e "$box/$stray" && test -e "$box/.sealing-new" &&
	rm "$box/.sealing-new" &&
	pal fra_fp sync >/dev/null && pal fra_fp --json list "$REVIEW" >l.json &&
	[ "$(jq -r ".documents[] | select(.id == \"$b\") | .reply_to" l.json)" = "$a" ]
'

test_expect_success 'a document the server refuses is marked refused, not retried' '
	down &&
	printf "Responses on article 23 (obstruction of justice).\n" >resp.txt &&
	pal ita_fp send "$REVIEW" --kind questionnaire_response resp.txt >out 2>/dev/null &&
	id=$(head -n 1 out) && short=$(echo $id | cut -c1-12) &&
	up && before=$(stored) &&
	pal root admin review advance "$REVIEW" >/dev/null &&
	pal ita_fp sync >out 2>err &&
	grep -F "warning: the server refused" err && grep -F "(HTTP 403)" err &&
	grep -F "feedback" err && grep -F "palermo outbox drop $short" err &&
	[ "$(stored)" = "$before" ] &&
	pal ita_fp --json outbox >l.json &&
	[ "$(jq -r ".[0].refused" l.json)" = true ] &&
	[ "$(jq -r ".[0].attempts" l.json)" = 2 ] &&
	jq -r ".[0].last_error" l.json | grep -F "HTTP 403" &&
	pal ita_fp outbox | grep -E "^$short .* refused$" &&
	pal ita_fp sync >out 2>err &&
	pal ita_fp --json outbox >l.json &&
	[ "$(jq -r ".[0].attempts" l.json)" = 2 ] && [ "$(stored)" = "$before" ] &&
	echo $id >refused.id
'

test_expect_success 'retry queues it again; sync names the rule; drop discards it' '
	id=$(cat refused.id) && short=$(echo $id | cut -c1-8) && before=$(stored) &&
	pal ita_fp outbox retry "$short" >out &&
	grep -F "will be sent again at the next" out &&
	[ "$(pal ita_fp --json outbox | jq -r ".[0].refused")" = false ] &&
	exit_is 6 pal ita_fp outbox retry "$short" 2>err &&
	pal ita_fp sync >out 2>err &&
	grep -F "this questionnaire_response can no longer be sent" err &&
	grep -F "stage" err &&
	[ "$(pal ita_fp --json outbox | jq -r ".[0].refused")" = true ] &&
	[ "$(stored)" = "$before" ] &&
	exit_is 2 pal ita_fp outbox drop 12 2>err && grep -F "4 to 64 hex digits" err &&
	exit_is 2 pal ita_fp outbox drop xyz123 2>err &&
	exit_is 6 pal ita_fp outbox drop 0000000000 2>err &&
	exit_is 2 pal ita_fp outbox drop 2>err &&
	pal ita_fp outbox drop "$short" >out && grep -F "dropped the questionnaire_response" out &&
	[ "$(queued ita_fp)" = 0 ] && test ! -e "$HOMES/ita_fp/outbox/$id" &&
	pal ita_fp outbox | grep -Fx "nothing waits to be sent"
'

test_expect_success 'a document sealed for an epoch that has passed is refused' '
	down &&
	echo "Comments on the draft agenda." | pal ita_exp send "$REVIEW" >out 2>/dev/null &&
	id=$(head -n 1 out) &&
	up && before=$(stored) &&
	pal root admin review add "$REVIEW" --member br-exp-lima:expert >/dev/null &&
	pal ita_exp sync >/dev/null 2>err &&
	grep -F "(HTTP 409): this envelope is sealed for epoch 1 but review $REVIEW is at epoch 2" err &&
	[ "$(stored)" = "$before" ] &&
	[ "$(pal ita_exp --json outbox | jq -r ".[0].id")" = "$id" ] &&
	[ "$(pal ita_exp --json outbox | jq -r ".[0].refused")" = true ] &&
	pal ita_exp outbox retry "$(echo $id | cut -c1-6)" >/dev/null &&
	pal ita_exp sync >/dev/null 2>err &&
	grep -F "this message can no longer be sent (this envelope is sealed for epoch 1" err &&
	[ "$(pal ita_exp --json outbox | jq -r ".[0].refused")" = true ] &&
	[ "$(stored)" = "$before" ] &&
	echo "Comments on the draft agenda." | pal ita_exp send "$REVIEW" >out 2>err &&
	[ "$(stored)" = $((before + 1)) ] && test ! -s err
'

test_expect_success 'the outbox and its folder hold no plaintext' '
	! grep -r -a -F "delegation arrives" "$HOMES/ita_fp" "$HOMES/ita_exp" "$DATA" &&
	! grep -r -a -F "draft agenda" "$HOMES/ita_exp" "$DATA" &&
	[ "$(stat -c %a "$HOMES/ita_fp/outbox")" = 700 ]
'

test_done
