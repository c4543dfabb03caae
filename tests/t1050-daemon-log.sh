#!/bin/sh
# The transparency log (PROTOCOL.md §6): signed tree heads, inclusion and
# consistency proofs from the daemon verify with keys/merkle.h and
# keys/treehead.h against the signed head; altered proofs do not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# get_head FILE: the signed head (base64) into FILE, its JSON into FILE.json.
get_head() {
	api ita_exp GET /v1/log/head >"$1.out" && status_is 200 "$1.out" &&
	body_of "$1.out" >"$1.json" && jq -r .head "$1.json" >"$1"
}

test_expect_success 'the log key is published, and the head is signed by it' '
	api_unsigned GET /v1/log/key >key.out && status_is 200 key.out &&
	body_of key.out | jq -r .sign_pk >logpk &&
	get_head head1 &&
	plmtest head-verify --log-pk "$(cat logpk)" --head "$(cat head1)" >hv &&
	test "$(cut -d" " -f1 hv)" = "$(jq .tree_size head1.json)" &&
	test "$(cut -d" " -f2 hv)" = "$(jq -r .root_hash head1.json)" &&
	test "$(jq .tree_size head1.json)" = 12 &&
	api_unsigned GET /v1/health >h && test "$(body_of h | jq .log_size)" = 12
'

test_expect_success 'a head does not verify under another key' '
	plmtest identity other.seed >/dev/null &&
	test_must_fail plmtest head-verify --log-pk "$(jq -r .root_hash head1.json)" \
		--head "$(cat head1)" 2>err &&
	grep -q "does not verify" err
'

test_expect_success 'the log head needs a signed request' '
	api_unsigned GET /v1/log/head >out && problem_is 401 unauthorized out
'

test_expect_success 'three envelopes join the log in order' '
	for i in 1 2 3; do
		echo "answer $i" >a$i.txt &&
		seal ita_fp questionnaire_response review a$i.txt a$i.env >a$i.id &&
		api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body a$i.env >up$i &&
		status_is 201 up$i && body_of up$i | jq .seq >a$i.seq || return 1
	done &&
	test "$(cat a1.seq) $(cat a2.seq) $(cat a3.seq)" = "12 13 14" &&
	get_head head2 && test "$(jq .tree_size head2.json)" = 15
'

test_expect_success 'an inclusion proof of each envelope verifies against the signed head' '
	for i in 1 2 3; do
		api fra_fp GET "/v1/log/inclusion?id=$(cat a$i.id)&size=15" >inc$i &&
		status_is 200 inc$i &&
		test "$(body_of inc$i | jq .index)" = "$(cat a$i.seq)" &&
		plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head2)" \
			--proof "$(body_of inc$i | jq -r .proof)" --index "$(cat a$i.seq)" \
			--size "$(body_of inc$i | jq .size)" --entry envelope --id "$(cat a$i.id)" ||
			return 1
	done
'

test_expect_success 'an inclusion proof of a record (the roster) verifies too' '
	api ita_obs GET "/v1/reviews/$REVIEW/records" >recs && status_is 200 recs &&
	rid=$(body_of recs | jq -r ".records[0].id") &&
	rseq=$(body_of recs | jq -r ".records[0].seq") &&
	api ita_obs GET "/v1/log/inclusion?id=$rid" >inc && status_is 200 inc &&
	test "$(body_of inc | jq .index)" = "$rseq" &&
	plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head2)" \
		--proof "$(body_of inc | jq -r .proof)" --index "$rseq" --entry record --id "$rid"
'

test_expect_success 'a proof does not verify for another object, kind, index or an altered proof' '
	proof=$(body_of inc2 | jq -r .proof) &&
	test_must_fail plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head2)" \
		--proof "$proof" --index 13 --entry envelope --id "$(cat a1.id)" 2>/dev/null &&
	test_must_fail plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head2)" \
		--proof "$proof" --index 13 --entry record --id "$(cat a2.id)" 2>/dev/null &&
	test_must_fail plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head2)" \
		--proof "$proof" --index 12 --entry envelope --id "$(cat a2.id)" 2>/dev/null &&
	c=$(printf "%s" "$proof" | cut -c10) && n=A && { test "$c" != A || n=B; } &&
	bad=$(printf "%s" "$proof" | sed "s/^\\(.........\\)./\\1$n/") &&
	test "$bad" != "$proof" &&
	test_must_fail plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head2)" \
		--proof "$bad" --index 13 --entry envelope --id "$(cat a2.id)" 2>/dev/null
'

test_expect_success 'an inclusion proof at an older size verifies against the older head' '
	rid=$(body_of recs | jq -r ".records[0].id") && rseq=$(body_of recs | jq -r ".records[0].seq") &&
	api fra_fp GET "/v1/log/inclusion?id=$rid&size=12" >old && status_is 200 old &&
	plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head1)" \
		--proof "$(body_of old | jq -r .proof)" --index "$rseq" --size 12 \
		--entry record --id "$rid" &&
	api fra_fp GET "/v1/log/inclusion?id=$(cat a1.id)&size=12" >out &&
	problem_is 404 not-found out
'

test_expect_success 'a consistency proof between the two heads verifies' '
	api ita_fp GET "/v1/log/consistency?from=12&to=15" >cons && status_is 200 cons &&
	test "$(body_of cons | jq .from) $(body_of cons | jq .to)" = "12 15" &&
	plmtest consistency-verify --log-pk "$(cat logpk)" --old-head "$(cat head1)" \
		--head "$(cat head2)" --proof "$(body_of cons | jq -r .proof)" &&
	api ita_fp GET "/v1/log/consistency?from=11&to=15" >cons11 && status_is 200 cons11 &&
	test_must_fail plmtest consistency-verify --log-pk "$(cat logpk)" --old-head "$(cat head1)" \
		--head "$(cat head2)" --proof "$(body_of cons11 | jq -r .proof)" 2>/dev/null
'

test_expect_success 'consistency defaults to the whole log; equal sizes give an empty proof' '
	api ita_fp GET "/v1/log/consistency?from=15" >c && status_is 200 c &&
	test "$(body_of c | jq .to)" = 15 &&
	test "$(body_of c | jq -r .proof)" = AA==
'

test_expect_success 'bad log queries are 400 (or 404) problem+json' '
	api ita_fp GET "/v1/log/inclusion?id=zz" >out && problem_is 400 bad-query out &&
	api ita_fp GET "/v1/log/inclusion?id=$(cat a1.id)&size=99" >out && problem_is 400 bad-query out &&
	api ita_fp GET "/v1/log/inclusion?id=$(echo "$(cat a1.id)" | tr 0-9a-f 1-9a-f0)" >out &&
	problem_is 404 not-found out &&
	api ita_fp GET "/v1/log/consistency?from=15&to=12" >out && problem_is 400 bad-query out &&
	api ita_fp GET "/v1/log/consistency?from=-1" >out && problem_is 400 bad-query out
'

test_expect_success 'after a restart the log and its proofs are the same' '
	daemon_stop && daemon_start --data "$DATA" &&
	get_head head3 && test "$(jq -r .root_hash head3.json)" = "$(jq -r .root_hash head2.json)" &&
	api fra_fp GET "/v1/log/inclusion?id=$(cat a3.id)" >inc && status_is 200 inc &&
	plmtest inclusion-verify --log-pk "$(cat logpk)" --head "$(cat head3)" \
		--proof "$(body_of inc | jq -r .proof)" --index 14 --entry envelope --id "$(cat a3.id)" &&
	daemon_stop
'
test_done
