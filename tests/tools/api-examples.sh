#!/bin/sh
# tests/tools/api-examples.sh - captures the example exchanges of
# docs/API.md from a real palermod: starts one on port 8470 (or PORT) with a
# throwaway data folder, sets up the review of tests/lib-daemon.sh, and
# prints each request (as libcurl sent it) and its answer, curl -v style,
# one Markdown block per example. Binary bodies are summarised, long
# strings shortened. With a file argument, replaces each block between
#   <!-- api-example NAME -->  and  <!-- /api-example -->
# in that file (docs/API.md) instead of printing.
#
#   PLM_BUILD=build PLM_TOP=. PLM_BIN=bin sh tests/tools/api-examples.sh [docs/API.md]
set -u
doc=${1:-}
[ -z "$doc" ] || doc=$(cd "$(dirname "$doc")" && pwd)/$(basename "$doc")
PLM_BUILD=$(cd "${PLM_BUILD:?}" && pwd) PLM_TOP=$(cd "${PLM_TOP:?}" && pwd)
PLM_BIN=$(cd "${PLM_BIN:?}" && pwd)
export PLM_BUILD PLM_TOP PLM_BIN
. "$PLM_TOP/tests/lib.sh"
. "$PLM_TOP/tests/lib-daemon.sh"
out="$TRASH/examples.md"
exec 3>"$out" >/dev/null

daemon_start --data "$DATA" --port "${PORT:-8470}" || exit 1
cd "$TRASH" || exit 1

# example NAME WHO METHOD PATH [plmtest req options]: one exchange.
example() {
	name=$1 who=$2 method=$3 path=$4
	shift 4
	if [ "$who" = - ]; then
		api_unsigned "$method" "$path" --verbose --headers --output body "$@" \
			>resp 2>verbose
	else
		api "$who" "$method" "$path" --verbose --headers --output body "$@" \
			>resp 2>verbose
	fi
	{
		echo "<!-- api-example $name -->"
		echo '```'
		tr -d '\r' <verbose | awk '/^> / { on = 1; sub(/^> /, "") }
			on && /^$/ { on = 0 } on { print "> " $0 }'
		if [ -n "${body_note:-}" ]; then echo ">"; echo "> [$body_note]"; fi
		echo "<"
		sed 1d resp | tr -d '\r' | sed '/^$/d;s/^/< /'
		if [ -s body ]; then
			echo "<"
			if [ -n "${resp_note:-}" ]; then
				echo "[$resp_note]"
			elif jq . body >/dev/null 2>&1; then
				jq 'walk(if type == "string" and length > 72 and (test(" ") | not)
					then .[0:40] + "..." + .[-12:] else . end)' body
			else
				head -n "${lines:-20}" body
			fi
		fi
		echo '```'
		echo "<!-- /api-example -->"
	} >&3
	body_note= resp_note= lines=
}

setup_review >setup.log 2>&1 || { cat setup.log >&2; exit 1; }

example health - GET /v1/health
lines=12
example metrics - GET /v1/metrics
resp_note="$(wc -c <"$ID/root.cert") bytes: the root's self-signed certificate record"
example root-get - GET /v1/root
body_note="$(wc -c <"$ID/root.cert") bytes: the root's self-signed certificate record"
example root-post root POST /v1/root --body "$ID/root.cert"
plmtest identity "$ID/new_exp" >/dev/null
plmtest cert --root "$ID/root" --seed "$ID/new_exp" --user-id ita-expert-2 --state ITA \
	--name "Second expert of Italy" --out "$ID/new_exp.cert" >/dev/null
body_note="$(wc -c <"$ID/new_exp.cert") bytes: a certificate record signed by the root"
example certificate-post sec POST /v1/certificates --body "$ID/new_exp.cert"
example certificates-list sec GET "/v1/certificates?limit=2"
resp_note="$(wc -c <"$ID/fra_fp.cert") bytes: the certificate record"
example certificate-get ita_fp GET "/v1/certificates/$(fpr_of fra_fp)"
plmtest revoke --root "$ID/root" --seed "$ID/new_exp" --reason device-lost \
	--out "$ID/new_exp.rev" >/dev/null
body_note="$(wc -c <"$ID/new_exp.rev") bytes: a revocation record signed by the root"
example revocation-post sec POST /v1/revocations --body "$ID/new_exp.rev"
example reviews ita_fp GET /v1/reviews
plmtest stage --seed "$ID/sec" --review "$REVIEW" --seq 3 --from self_assessment \
	--to feedback --out stage.3 >/dev/null
example records-list ita_obs GET "/v1/reviews/$REVIEW/records?after=8&limit=2"

echo "our answers on article 5" >a5.txt
seal ita_fp questionnaire_response review a5.txt a5.env >a5.id
uid=$(upload_id)
body_note="$(wc -c <a5.env) bytes: the envelope"
example upload-201 ita_fp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body a5.env
head -c 2000000 /dev/urandom >law.pdf
seal ita_exp questionnaire_response review law.pdf law.env >law.id
uid=$(upload_id)
head -c 1000000 law.env >part1
body_note="1000000 bytes: the first part of a $(wc -c <law.env)-byte envelope"
example upload-202 ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body part1 --offset 0
example upload-head ita_exp HEAD "/v1/reviews/$REVIEW/uploads/$uid"
body_note="the rest of the envelope from byte 999999"
example upload-409 ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body law.env --offset 999999
body_note="$(( $(wc -c <law.env) - 1000000 )) bytes: the rest of the envelope"
example upload-resume ita_exp PUT "/v1/reviews/$REVIEW/uploads/$uid" --body law.env --offset 1000000
echo "an observer writes" >obs.txt
seal ita_obs message review obs.txt obs.env >/dev/null
body_note="$(wc -c <obs.env) bytes: an envelope by an observer"
example upload-403 ita_obs PUT "/v1/reviews/$REVIEW/uploads/$(upload_id)" --body obs.env
example envelopes-list fra_fp GET "/v1/reviews/$REVIEW/envelopes?limit=1"
resp_note="$(wc -c <a5.env) bytes: the envelope"
example envelope-get fra_fp GET "/v1/envelopes/$(cat a5.id)"
resp_note="100 bytes: bytes 200 to 299 of the envelope"
example envelope-range fra_fp GET "/v1/envelopes/$(cat a5.id)" --header "Range: bytes=200-299"
example envelope-416 fra_fp GET "/v1/envelopes/$(cat a5.id)" --header "Range: bytes=99999-"
body_note="$(wc -c <stage.3) bytes: a stage record signed by the secretariat officer"
example records-post sec POST "/v1/reviews/$REVIEW/records" --body stage.3
example log-head ita_fp GET /v1/log/head
example log-inclusion ita_fp GET "/v1/log/inclusion?id=$(cat a5.id)"
example log-consistency ita_fp GET "/v1/log/consistency?from=12&to=15"
example log-key - GET /v1/log/key
example unsigned - GET /v1/reviews
example not-member outsider GET "/v1/reviews/$REVIEW/envelopes"
now=$(date +%s)
api ita_fp GET /v1/reviews --nonce Tm9uY2VPbmNlT25seQ --created "$now" >/dev/null
example replay ita_fp GET /v1/reviews --nonce Tm9uY2VPbmNlT25seQ --created "$now"
plmtest disclose --seed "$ID/ita_fp" --review "$REVIEW" --id "$(cat a5.id)" --to public \
	--out public.rec >/dev/null
api ita_fp POST "/v1/reviews/$REVIEW/records" --body public.rec >/dev/null
example disclosures-list sec GET /v1/disclosures
example disclosure-rosters sec GET "/v1/disclosures/$REVIEW/rosters"
example parties-list outsider GET /v1/parties/records
body_note="$(wc -c <"$ID/roster.1") bytes: a review's roster, posted by a member"
example parties-post ita_fp POST /v1/parties/records --body "$ID/roster.1"
daemon_stop
exec 3>&-
if [ -z "$doc" ]; then
	cat "$out" >&2
	exit 0
fi
awk -v examples="$out" '
	BEGIN {
		while ((getline line < examples) > 0) {
			if (line ~ /^<!-- api-example /) { name = line; block[name] = "" }
			block[name] = block[name] line "\n"
		}
	}
	/^<!-- api-example / { printf "%s", block[$0]; skip = 1; if (!($0 in block)) missing = missing " " $0; next }
	/^<!-- \/api-example -->/ { skip = 0; next }
	!skip { print }
	END { if (missing != "") { print "no example for" missing > "/dev/stderr"; exit 1 } }
' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
