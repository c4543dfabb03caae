/*
 * review_facts.h - facts about one review derived from the records this
 * client verified, shared by `palermo status` (one review) and `palermo
 * report` (all of them): when each stage began, the policy's deadlines
 * against those dates, and the parties whose agreement counts.
 */
#ifndef PALERMO_REVIEW_FACTS_H
#define PALERMO_REVIEW_FACTS_H

#include <jansson.h>
#include <stdint.h>

#include "client/cli.h"
#include "policies/policy.h"
#include "policies/review.h"

/* The position of stage NAME in POLICY's order, or -1. */
int facts_stage_index(const plm_policy *policy, const char *name);

/*
 * Fills ENTERED with when REVIEW entered each of POLICY's stages (0: not
 * yet), from STATE (the first stage: when it started) and the stored stage
 * transitions. PLM_ERR_CORRUPT when a stored record does not decode.
 */
int facts_stages_entered(struct cli *cli, const plm_policy *policy,
                         const plm_review *state, const char *review,
                         uint64_t entered[PLM_POLICY_STAGES_MAX], plm_error *err);

/*
 * Each deadline of POLICY against the stage dates ENTERED while the review
 * is in stage CURRENT, at time NOW (policies/deadline.h), as a JSON array
 * of {name, title, from_stage, until_stage, due, days_left, met_at,
 * days_late, state}; state is "running", "overdue", "passed" or "not
 * started" (due null). Caller owns it.
 */
json_t *facts_deadlines(const plm_policy *policy, const uint64_t entered[], int current,
                        uint64_t now);

/* The parties that must agree: the SUR and every reviewing State, once each. */
json_t *facts_parties(const plm_roster *roster);

#endif
