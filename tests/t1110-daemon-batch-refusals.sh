#!/bin/sh
# Group commit with refusals and retries mixed in: posted all at once,
# envelopes the review refuses, damaged ones and the same envelope sent
# three times do not fail their neighbours in a batch; a small envelope
# sent in part is kept as an upload and resumes as any other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# post NAME WHO FILE: PUT of FILE as WHO in the background, answer in NAME.res.
post() {
	{ api "$2" PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body "$3" \
		>"$1.res" 2>/dev/null & }
}

test_expect_success 'seal good, refused and damaged small envelopes' '
	mkdir -p env && i=0 &&
	while [ $i -lt 24 ]; do
		random_file env/good$i.doc $((700 + i)) &&
		if [ $((i % 2)) = 0 ]; then
			seal fra_fp message review env/good$i.doc env/good$i.env >env/good$i.id
		else
			seal bra_exp message reviewers env/good$i.doc env/good$i.env >env/good$i.id
		fi || return 1
		i=$((i + 1))
	done &&
	random_file env/x.doc 800 &&
	seal ita_fp message reviewers env/x.doc env/forbidden.env >/dev/null &&
	seal ita_obs questionnaire_response review env/x.doc env/observer.env >/dev/null &&
	seal fra_fp message review env/x.doc env/damaged.env >/dev/null &&
	flip_byte env/damaged.env 600 &&
	seal fra_fp message review env/x.doc env/notmine.env >/dev/null &&
	random_file env/dup.doc 900 &&
	seal fra_fp message review env/dup.doc env/dup.env >env/dup.id &&
	random_file env/half.doc 1500 &&
	seal fra_fp message review env/half.doc env/half.env >env/half.id &&
	head -c 700 env/half.env >env/half.part
'

test_expect_success 'all at once: the good ones 201, each refusal its own answer' '
	i=0 &&
	while [ $i -lt 24 ]; do
		if [ $((i % 2)) = 0 ]; then post env/good$i fra_fp env/good$i.env
		else post env/good$i bra_exp env/good$i.env; fi
		i=$((i + 1))
	done &&
	post env/forbidden ita_fp env/forbidden.env &&
	post env/observer ita_obs env/observer.env &&
	post env/damaged fra_fp env/damaged.env &&
	post env/notmine ita_fp env/notmine.env &&
	post env/dup1 fra_fp env/dup.env &&
	post env/dup2 fra_fp env/dup.env &&
	post env/dup3 fra_fp env/dup.env &&
	post env/half fra_fp env/half.part &&
	wait &&
	test "$(head -qn 1 env/good*.res | grep -cx 201)" = 24 &&
	problem_is 403 policy env/forbidden.res &&
	problem_is 403 policy env/observer.res &&
	problem_is 422 invalid-envelope env/damaged.res &&
	problem_is 403 policy env/notmine.res
'

test_expect_success 'the same envelope three times at once: one 201, two 200, one seq' '
	test "$(head -qn 1 env/dup?.res | grep -cx 201)" = 1 &&
	test "$(head -qn 1 env/dup?.res | grep -cx 200)" = 2 &&
	test "$(for f in env/dup?.res; do body_of $f | jq .seq; done | sort -u | wc -l)" = 1
'

test_expect_success 'a small envelope sent in part: 202, kept as an upload, resumed to 201' '
	status_is 202 env/half.res &&
	test -n "$(ls "$DATA/uploads")" &&
	uid=$(ls "$DATA/uploads" | sed "s/^.*-//") &&
	api fra_fp HEAD "/v1/reviews/$REVIEW/uploads/$uid" --headers >h &&
	status_is 200 h && grep -qi "^Upload-Offset: 700" h &&
	api fra_fp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body env/half.env --offset 700 >out &&
	status_is 201 out && test "$(body_of out | jq -r .id)" = "$(cat env/half.id)" &&
	test -z "$(ls "$DATA/uploads")"
'

test_expect_success 'listed: the good ones, the duplicate once, the resumed one; nothing refused' '
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list && status_is 200 list &&
	body_of list | jq -r ".envelopes[].id" | sort >listed &&
	cat env/good*.id env/dup.id env/half.id | sort | cmp - listed &&
	stored_ids "$DATA" | cmp - listed
'

test_expect_success 'each good one downloads identical' '
	for f in env/good*.id; do
		api sec GET "/v1/envelopes/$(cat $f)" --output got >out && status_is 200 out &&
		cmp got ${f%.id}.env || return 1
	done
'

test_expect_success 'nothing was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
test_done
