#!/bin/sh
# palermo report: the secretariat's overview across its reviews, as text,
# JSON and one self-contained HTML page whose charts are checked in
# headless Chromium (the DOM and a screenshot). Two reviews: Italy's, in
# self-assessment, with a message sent and France's expert and Brazil's
# focal point missing; France's, just created, with only its focal point.
# The report is made without the passphrase: it decrypts nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-daemon.sh"
. "$(dirname "$0")/lib-identity.sh"

SECRET="Confidential: the draft reservation on article 5"
setup() {
	setup_root &&
	enrol ita_fp it-fp-rossi "Giulia Rossi" ITA &&
	enrol ita_exp it-exp-bianchi "Marco Bianchi" ITA &&
	enrol fra_fp fr-fp-martin "Claire Martin" FRA &&
	enrol bra_exp br-exp-silva "Ana Silva" BRA &&
	pal root admin review create 2026-ita-crim --sur ITA --cluster criminalization \
		--instrument untoc:FRA,BRA --language en --language fr \
		--member it-fp-rossi:focal_point --member it-exp-bianchi:expert \
		--member fr-fp-martin:focal_point --member br-exp-silva:expert >/dev/null &&
	pal root admin review advance 2026-ita-crim >/dev/null &&
	pal root admin review advance 2026-ita-crim >/dev/null &&
	pal root admin review create 2026-fra-crim --sur FRA --cluster criminalization \
		--instrument untoc:ITA,BRA --language es \
		--member fr-fp-martin:focal_point >/dev/null &&
	pal ita_fp sync >/dev/null &&
	echo "$SECRET" | pal ita_fp send 2026-ita-crim --title "Reservation" >/dev/null &&
	pal root sync >/dev/null
}
cd "$TRASH" && daemon_start --data "$DATA" && cd "$OLDPWD" &&
	setup >"$TRASH/setup.log" 2>&1 ||
	{ echo "FAIL - $test_name/setup"; cat "$TRASH/setup.log"; }

# No passphrase from here on: a report that tried to decrypt would fail.
unset PALERMO_PASSPHRASE_FILE
IN3W=$(date -u -d "@$(($(date +%s) + 21 * 86400))" +%Y-%m-%d)

test_expect_success 'JSON: reviews per stage, languages, documents per kind' '
	pal root --json report >r.json &&
	jq -e ".reviews | length == 2" r.json &&
	jq -e "[.stages[] | select(.name == \"nomination\")][0].reviews == 1" r.json &&
	jq -e "[.stages[] | select(.name == \"self_assessment\")][0].reviews == 1" r.json &&
	jq -e "([.stages[].reviews] | add) == 2" r.json &&
	jq -e "[.languages[] | {(.language): .reviews}] | add == {\"en\": 1, \"fr\": 1, \"es\": 1}" r.json &&
	jq -e "([.documents[].documents] | add) == 1" r.json &&
	jq -e ".reviews[] | select(.review == \"2026-ita-crim\") | .members == 5" r.json
'

test_expect_success 'JSON: the parties without a focal point or an expert' '
	jq -r ".missing[] | \"\(.review) \(.state) \(.role)\"" r.json | sort >missing &&
	cat >expected <<-EOF &&
	2026-fra-crim BRA expert
	2026-fra-crim BRA focal_point
	2026-fra-crim FRA expert
	2026-fra-crim ITA expert
	2026-fra-crim ITA focal_point
	2026-ita-crim BRA focal_point
	2026-ita-crim FRA expert
	EOF
	diff expected missing
'

test_expect_success 'deadlines: due soon now, overdue three weeks on' '
	jq -e ".overdue == []" r.json &&
	jq -e "[.due_soon[] | select(.review == \"2026-fra-crim\" and .deadline == \"focal_point_nominated\")] | length == 1" r.json &&
	pal root --json report --on "$IN3W" >later.json &&
	jq -e "[.overdue[] | select(.review == \"2026-fra-crim\" and .deadline == \"focal_point_nominated\")][0].days_left < 0" later.json &&
	jq -e "[.due_soon[] | select(.deadline == \"experts_nominated\")] | length == 1" later.json &&
	exit_is 2 pal root report --on 2027-13-01 2>err && grep "YYYY-MM-DD" err &&
	exit_is 2 pal root report --soon 0 2>err && grep "from 1 to 365" err
'

test_expect_success 'text: one section per question' '
	pal root report --on "$IN3W" >r.txt &&
	grep "^2 review(s) known here" r.txt &&
	grep "^Reviews by stage:" r.txt && grep "^  self_assessment  *1$" r.txt &&
	grep "^Missing focal points and experts:" r.txt &&
	grep "^  2026-ita-crim  *BRA  *no focal point$" r.txt &&
	grep "^Deadlines overdue:" r.txt &&
	grep "^  2026-fra-crim  *focal point appointed  *due .* overdue by 7 days$" r.txt &&
	grep "^Working languages:" r.txt && grep "^  Spanish  *1$" r.txt &&
	grep "^Documents by kind:" r.txt
'

test_expect_success 'nothing decrypted: no plaintext, no title in the report' '
	pal root report --html page.html >/dev/null &&
	! grep -F "$SECRET" r.json r.txt page.html &&
	! grep "Reservation" r.json r.txt page.html
'

test_expect_success 'HTML: one self-contained page, no script, no external asset' '
	grep -q "^<!DOCTYPE html>" page.html &&
	test "$(grep -c "<svg class=\"chart\"" page.html)" = 3 &&
	! grep -iE "<script|<link|<img|src=|href=|url\(|@import" page.html &&
	grep -q "@media print" page.html &&
	exit_is 2 pal root --json report --html - 2>err && grep "give --html a file name" err &&
	pal root report --html - >stdout.html &&
	head -n 1 stdout.html | grep -q "^<!DOCTYPE html>" &&
	test "$(grep -c "<svg class=\"chart\"" stdout.html)" = 3
'

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "ok - $test_name/HTML renders in headless Chromium # skipped: no chromium"
else
	chromium() {
		rm -rf "$TRASH/chromium-profile" && mkdir "$TRASH/chromium-profile" &&
		HOME="$TRASH/chromium-profile" timeout 120 "$CHROMIUM" --headless --no-sandbox \
			--disable-gpu --disable-quic --no-first-run --disable-background-networking \
			--disable-component-update --disable-sync \
			--user-data-dir="$TRASH/chromium-profile" "$@" 2>>"$TRASH/chromium.log"
	}
	test_expect_success 'HTML: the DOM Chromium builds holds three labelled charts' '
		chromium --dump-dom "file://$TRASH/page.html" >dom.html &&
		test "$(grep -o "<svg class=\"chart\"" dom.html | wc -l)" = 3 &&
		grep -q "<title id=\"chart-stages-title\">Number of reviews in each stage</title>" dom.html &&
		grep -q "<title id=\"chart-languages-title\">Number of reviews working in each language</title>" dom.html &&
		grep -q "<title id=\"chart-documents-title\">Number of documents of each kind</title>" dom.html &&
		grep -q "<title>English: 1</title>" dom.html &&
		grep -q "<title>Spanish: 1</title>" dom.html &&
		grep -q "aria-labelledby=\"chart-stages-title\"" dom.html &&
		test "$(grep -o "<rect class=\"bar" dom.html | wc -l)" -ge 8
	'
	test_expect_success 'HTML: Chromium takes a screenshot of a sane size' '
		chromium --window-size=1000,2400 --screenshot="$TRASH/page.png" \
			"file://$TRASH/page.html" >/dev/null &&
		test "$(od -An -tx1 -N8 page.png | tr -d " \n")" = 89504e470d0a1a0a &&
		w=$((0x$(od -An -tx1 -j16 -N4 page.png | tr -d " \n"))) &&
		h=$((0x$(od -An -tx1 -j20 -N4 page.png | tr -d " \n"))) &&
		test "$w" = 1000 && test "$h" = 2400 &&
		test "$(wc -c <page.png)" -gt 30000 &&
		if [ -n "${PLM_KEEP_SCREENSHOT:-}" ]; then cp page.png "$PLM_KEEP_SCREENSHOT"; fi
	'
	test_expect_success 'HTML: Chromium prints the page to a PDF' '
		chromium --no-pdf-header-footer --print-to-pdf="$TRASH/page.pdf" \
			"file://$TRASH/page.html" >/dev/null &&
		test "$(head -c 5 page.pdf)" = "%PDF-" &&
		test "$(wc -c <page.pdf)" -gt 10000 &&
		pages=$(grep -a -c -E "/Type */Page([^s]|$)" page.pdf) &&
		test "$pages" -ge 1 && test "$pages" -le 3
	'
fi

test_done
