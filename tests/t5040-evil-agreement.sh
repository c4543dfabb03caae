#!/bin/sh
# A server that stores an agreement the review's rules refuse (DESIGN.md §8:
# "every client checks each record against the roster and the policy
# itself"). Italy's focal point "agrees" to an ordinary message, which is
# no draft: the honest daemon refuses it; palermod-evil, forced to accept,
# stores and logs it; every member's sync then refuses it with the same
# rule (policies/agreement.c), and no status counts it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"
. "$(dirname "$0")/lib-evil.sh"

MEMBERS="ita_fp fra_fp bra_exp"

evil_review ita_fp:it-fp-rossi:ITA:focal_point fra_fp:fr-fp-martin:FRA:focal_point \
	bra_exp:br-exp-lima:BRA:expert

RULE="documents of kind 'message' are not agreed to"

test_expect_success 'an agreement to a message, not a draft, is refused by the daemon' '
	mkdir -p "$ID" &&
	"$PLMEVIL" export-seed --keystore "$HOMES/ita_fp/identity.key" --out "$ID/ita_fp" &&
	echo "The answers will follow on Friday." | pal ita_fp send "$REVIEW" >msg.id &&
	pal ita_fp sync >/dev/null &&
	"$PLMTEST" agree --seed "$ID/ita_fp" --review "$REVIEW" --id "$(cat msg.id)" \
		--kind message --state ITA --out agreement.rec >/dev/null &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body agreement.rec >out &&
	problem_is 403 policy out &&
	body_of out | jq -r .detail | grep -F "$RULE"
'

test_expect_success 'stored by a daemon forced to accept it, every member refuses it' '
	before=$(log_size) &&
	evil_daemon_restart accept &&
	api ita_fp POST "/v1/reviews/$REVIEW/records" --body agreement.rec >out &&
	status_is 201 out &&
	evil_daemon_restart &&
	[ "$(log_size)" -gt "$before" ] &&
	for who in $MEMBERS; do
		exit_is 3 pal $who sync >sync.out 2>err &&
		grep "VERIFICATION FAILED: review $REVIEW, log entry [0-9]*, agreement" err &&
		grep -F "$RULE" err &&
		pal $who --json status "$REVIEW" >st.json &&
		[ "$(jq "[.agreements[].agreed[]] | length" st.json)" = 0 ] || return 1
	done
'

test_done
