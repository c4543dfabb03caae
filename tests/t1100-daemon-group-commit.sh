#!/bin/sh
# Group commit (docs/ARCHITECTURE.md "Group commit"): many small envelopes
# posted at once are packed and recorded in batches; kill -9 right after
# the last answer, then restart: every acknowledged one is stored once,
# listed, in the log, and downloadable whole and by Range from its pack.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
posts=${PLM_GROUP_POSTS:-60}

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

test_expect_success "seal $posts small envelopes (600 to 1,400 bytes of content)" '
	seal_many "$posts" 600 800
'

test_expect_success "$posts posts at once: each answered 201 once its batch is durable" '
	i=0 &&
	while [ $i -lt "$posts" ]; do
		{ api "$(cat env/$i.who)" PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" \
			--body env/$i.env >env/$i.res 2>/dev/null & } &&
		i=$((i + 1))
	done &&
	wait &&
	daemon_kill &&
	test "$(head -qn 1 env/*.res | grep -cx 201)" = "$posts" &&
	for f in env/*.res; do
		test "$(body_of $f | jq -r .id)" = "$(cat ${f%.res}.id)" || return 1
	done
'

test_expect_success 'after kill -9: none of them went through an upload file or a blob file' '
	test -z "$(ls "$DATA/uploads")" &&
	test -z "$(find "$DATA/blobs" -type f)" &&
	test -n "$(ls "$DATA/packs")"
'

test_expect_success 'restart: every acknowledged envelope is listed once, nothing else' '
	daemon_start --data "$DATA" &&
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list && status_is 200 list &&
	body_of list | jq -r ".envelopes[].id" | sort >listed &&
	test -z "$(uniq -d listed)" &&
	cat env/*.id | sort | cmp - listed &&
	stored_ids "$DATA" | cmp - listed
'

test_expect_success 'each one downloads identical from its pack, and verifies' '
	i=0 &&
	while [ $i -lt "$posts" ]; do
		api sec GET "/v1/envelopes/$(cat env/$i.id)" --output got >out &&
		status_is 200 out && cmp got env/$i.env &&
		test "$(plmtest verify --author "$ID/$(cat env/$i.who).cert" --in got)" = \
			"$(cat env/$i.id)" || return 1
		i=$((i + 1))
	done
'

test_expect_success 'Range inside a packed envelope: a slice, a suffix, an open end' '
	id=$(cat env/7.id) &&
	api sec GET "/v1/envelopes/$id" --header "Range: bytes=100-299" --output part \
		--headers >out && status_is 206 out &&
	grep -qi "^Content-Range: bytes 100-299/$(wc -c <env/7.env)" out &&
	dd if=env/7.env bs=1 skip=100 count=200 2>/dev/null | cmp - part &&
	api sec GET "/v1/envelopes/$id" --header "Range: bytes=-50" --output tail >out &&
	status_is 206 out && tail -c 50 env/7.env | cmp - tail &&
	api sec GET "/v1/envelopes/$id" --header "Range: bytes=500-" --output rest >out &&
	status_is 206 out && tail -c +501 env/7.env | cmp - rest &&
	api sec GET "/v1/envelopes/$id" --header "Range: bytes=99999-" >out &&
	problem_is 416 range-not-satisfiable out
'

test_expect_success 'the log holds all of them: the head verifies, so does each inclusion' '
	log_includes listed
'

test_expect_success 'a retry after the restart is the same envelope (200, same seq)' '
	api sec GET "/v1/reviews/$REVIEW/envelopes?limit=10000" >list &&
	seq=$(body_of list | jq ".envelopes[] | select(.id == \"$(cat env/3.id)\") | .seq") &&
	api "$(cat env/3.who)" PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" \
		--body env/3.env >out && status_is 200 out &&
	test "$(body_of out | jq .seq)" = "$seq"
'

test_expect_success 'the metrics count them' '
	api_unsigned GET /v1/metrics >m && status_is 200 m &&
	grep -qx "palermo_store_envelopes $posts" m
'

test_expect_success 'SIGTERM: exit 0, and nothing was answered with a 5xx' '
	daemon_stop &&
	! grep "msg=request" "$TRASH/daemon.log" | grep -q "status=5"
'
test_done
