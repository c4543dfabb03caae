# tests/lib-load.sh - sourced after tests/lib-daemon.sh by the scripts that
# drive tests/tools/plmload.c (t1065 crash, t1075 load): the daemon's
# configuration for them and the authors of the review.
PLMLOAD="$PLM_BUILD/tests/plmload"

# No per-key rate limit: five keys send every request of the run.
printf 'limits:\n  requests_per_minute: 0\n' >"$TRASH/palermod.yaml"

# load_authors: plmload's --author options, who may write during
# self-assessment (REVIEW-MECHANISM.md step 3); client i writes as the
# author i mod 5.
load_authors() {
	echo --author "$ID/ita_fp:questionnaire_response:review" \
		--author "$ID/ita_exp:questionnaire_response:review" \
		--author "$ID/fra_fp:message:review" \
		--author "$ID/bra_exp:message:reviewers" \
		--author "$ID/sec:attachment:review"
}
