#!/bin/sh
# The server's side of disclosure (PROTOCOL.md §5.6, docs/API.md §4.6), a
# second line behind every client: disclosure records crafted with plmtest,
# so that no client check stands in the way, are refused by palermod when
# the signer is not the focal point of the State under review, when the
# kind may not be disclosed, when the parties epoch is not the group's;
# the parties group's routes are the secretariat's to write and members'
# to read; a disclosed envelope goes to no one outside the group.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"

# untoc.yaml, except that a dialogue message may not be made public.
POLICY="$TRASH/policy.yaml"
PALERMO_POLICY="$POLICY"
export PALERMO_POLICY
sed '/^    public:/,$ s/message, //' "$PLM_TOP/policies/untoc.yaml" >"$POLICY"

daemon_start --data "$DATA" && setup_review >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# disclose WHO ID SCOPE OUT [--epoch N]: a disclosure record signed by WHO.
disclose() {
	who=$1 id=$2 scope=$3 out=$4
	shift 4
	plmtest disclose --seed "$ID/$who" --review "$REVIEW" --id "$id" --to "$scope" \
		--out "$out" "$@" >/dev/null
}

test_expect_success 'the focal point of Italy sends its responses and a message' '
	echo "responses" >r.txt && seal ita_fp questionnaire_response review r.txt r.env >r.id &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body r.env >out &&
	status_is 201 out &&
	echo "a message" >m.txt && seal ita_fp message review m.txt m.env >m.id &&
	api ita_fp PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body m.env >out &&
	status_is 201 out
'

test_expect_success 'an expert of the State under review may not disclose (403)' '
	disclose ita_exp "$(cat r.id)" public d.rec &&
	api ita_exp POST "/v1/reviews/$REVIEW/records" --body d.rec >out &&
	problem_is 403 policy out &&
	body_of out | jq -r .detail | grep "only focal points of the State under review may disclose documents of a review, not governmental experts of the State under review (policy: disclosure.by; para 41)"
'

test_expect_success 'a reviewing State'"'"'s focal point may not disclose (403)' '
	disclose fra_fp "$(cat r.id)" public d.rec &&
	api fra_fp POST "/v1/reviews/$REVIEW/records" --body d.rec >out &&
	problem_is 403 policy out &&
	body_of out | jq -r .detail | grep "not focal points of a reviewing State"
'

test_expect_success 'a kind the policy keeps from the public is refused (403)' '
	disclose ita_fp "$(cat m.id)" public d.rec &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body d.rec >out &&
	problem_is 403 policy out &&
	body_of out | jq -r .detail | grep "documents of kind .message. may not be disclosed to the public (policy: disclosure.scopes.public.kinds; para 41)"
'

test_expect_success 'a parties disclosure under an epoch the group is not at is refused (409)' '
	disclose ita_fp "$(cat r.id)" parties d.rec --epoch 3 &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body d.rec >out &&
	problem_is 409 conflict out &&
	body_of out | jq -r .detail | grep "parties group, which is at epoch 0"
'

test_expect_success 'the focal point of Italy may make the responses public (201)' '
	disclose ita_fp "$(cat r.id)" public "$ID/public.rec" &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body "$ID/public.rec" >out &&
	status_is 201 out
'

test_expect_success 'only the secretariat writes the parties group, only with root records' '
	api ita_fp POST /v1/parties/records --body "$ID/roster.1" >out &&
	problem_is 403 forbidden out &&
	api sec POST /v1/parties/records --body "$ID/roster.1" >out &&
	problem_is 400 invalid-record out &&
	api sec POST /v1/parties/records --body "$ID/public.rec" >out &&
	problem_is 400 invalid-record out
'

test_expect_success 'any certified member reads the group'"'"'s records; others do not' '
	api outsider GET /v1/parties/records >out && status_is 200 out &&
	[ "$(body_of out | jq ".records | length")" = 0 ] &&
	api_unsigned GET /v1/parties/records >out && status_is 401 out
'

test_expect_success 'outside the parties group, disclosures and their documents stay hidden (404)' '
	api outsider GET /v1/disclosures >out && problem_is 404 not-found out &&
	api outsider GET "/v1/disclosures/$REVIEW/rosters" >out && problem_is 404 not-found out &&
	api sec GET /v1/disclosures >out && status_is 200 out &&
	[ "$(body_of out | jq ".disclosures | length")" = 1 ] &&
	[ "$(body_of out | jq -r ".disclosures[0].envelope.id")" = "$(cat r.id)" ] &&
	api sec GET "/v1/disclosures/$REVIEW/rosters" >out && status_is 200 out &&
	[ "$(body_of out | jq -r ".records[0].type")" = roster ]
'

test_expect_success 'a document made public is served to any certified key, others stay hidden' '
	api outsider GET "/v1/envelopes/$(cat r.id)" --output got.env >out && status_is 200 out &&
	cmp r.env got.env &&
	api outsider GET "/v1/envelopes/$(cat m.id)" >out && problem_is 404 not-found out
'

test_expect_success 'the secretariat starts the parties group; its keys reach exactly the group' '
	plmtest parties-roster --root "$ID/root" --policy "$POLICY" \
		--member "$ID/ita_fp:ita-fp:ITA:focal_point" \
		--member "$ID/outsider:deu-expert:DEU:expert" --out "$ID/parties.1" >/dev/null &&
	api sec POST /v1/parties/records --body "$ID/parties.1" >out && status_is 201 out &&
	plmtest parties-keys --root "$ID/root" --roster "$ID/parties.1" --out bad.keys \
		"$ID/root" "$ID/ita_fp" >/dev/null &&
	api sec POST /v1/parties/records --body bad.keys >out && problem_is 409 conflict out &&
	plmtest parties-keys --root "$ID/root" --roster "$ID/parties.1" --out "$ID/pkeys.1" \
		"$ID/root" "$ID/ita_fp" "$ID/outsider" >/dev/null &&
	api sec POST /v1/parties/records --body "$ID/pkeys.1" >out && status_is 201 out &&
	api outsider GET /v1/disclosures >out && status_is 200 out
'

test_expect_success 'a role outside the group, a fork and a replay are refused' '
	plmtest parties-roster --root "$ID/root" --policy "$POLICY" --prev "$ID/parties.1" \
		--member "$ID/ita_obs:ita-observer:ITA:observer" --out obs.roster >/dev/null &&
	api sec POST /v1/parties/records --body obs.roster >out && problem_is 403 policy out &&
	body_of out | jq -r .detail | grep "disclosure.parties_group" &&
	plmtest parties-roster --root "$ID/root" --policy "$POLICY" \
		--member "$ID/fra_fp:fra-fp:FRA:focal_point" --out other.1 >/dev/null &&
	api sec POST /v1/parties/records --body other.1 >out && problem_is 409 conflict out &&
	plmtest parties-roster --root "$ID/root" --policy "$POLICY" --prev other.1 \
		--member "$ID/fra_fp:fra-fp:FRA:focal_point" --out fork.2 >/dev/null &&
	api sec POST /v1/parties/records --body fork.2 >out && problem_is 409 conflict out
'

test_expect_success 'a revoked key cannot be named in a later epoch (403)' '
	plmtest revoke --root "$ID/root" --seed "$ID/outsider" --out outsider.rev >/dev/null &&
	api sec POST /v1/revocations --body outsider.rev >out && status_is 201 out &&
	plmtest parties-roster --root "$ID/root" --policy "$POLICY" --prev "$ID/parties.1" \
		--member "$ID/ita_fp:ita-fp:ITA:focal_point" \
		--member "$ID/outsider:deu-expert:DEU:expert" --out revoked.2 >/dev/null &&
	api sec POST /v1/parties/records --body revoked.2 >out && problem_is 403 policy out &&
	body_of out | jq -r .detail | grep "deu-expert holds no valid certificate" &&
	plmtest parties-roster --root "$ID/root" --policy "$POLICY" --prev "$ID/parties.1" \
		--member "$ID/ita_fp:ita-fp:ITA:focal_point" --out good.2 >/dev/null &&
	api sec POST /v1/parties/records --body good.2 >out && status_is 201 out
'

test_done
