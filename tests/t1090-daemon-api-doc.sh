#!/bin/sh
# docs/API.md documents every route of daemon/routes.c and every problem
# type the daemon answers with, and carries an example for each route.
. "$(dirname "$0")/lib.sh"

test_expect_success 'every route of the route table is in the table of docs/API.md' '
	sed -n "s/^ *{\"\\([A-Z]*\\)\", \"\\([^\"]*\\)\".*/\\1 \\2/p" "$PLM_TOP/daemon/routes.c" >routes &&
	test "$(wc -l <routes)" -ge 19 &&
	sed -n "s/^| \\([A-Z]*\\) | \`\\([^\`?]*\\)[^\`]*\` |.*/\\1 \\2/p" "$PLM_TOP/docs/API.md" |
		sed "s/{[a-z]*}/{}/g" | sort -u >documented &&
	sort -u routes | comm -23 - documented >missing &&
	if [ -s missing ]; then echo "not in docs/API.md:"; cat missing; false; fi
'

test_expect_success 'every problem type the daemon uses is in the table of problem types' '
	cat "$PLM_TOP"/daemon/*.c | tr -d "\\n\\t" |
		grep -oE "(http_problem|http_fail_later)\\(req, ([0-9]+|req->pending_status), \"[a-z-]+\"|answer_invalid\\(req, \"[a-z-]+\"|/problems/[a-z-]+\"" |
		sed -E "s/.*\"([a-z-]+)\"$/\\1/;s|.*/problems/([a-z-]+)\"|\\1|" | grep -v "^%s$" | sort -u >types &&
	test "$(wc -l <types)" -ge 15 &&
	while read t; do
		grep -q "^| [0-9]* | \`$t\` |" "$PLM_TOP/docs/API.md" || { echo "undocumented: $t"; return 1; }
	done <types
'

test_expect_success 'each route section has an example captured from a real run' '
	n=$(grep -c "^<!-- api-example " "$PLM_TOP/docs/API.md") && test "$n" -ge 25 &&
	test "$(grep -c "^<!-- api-example " "$PLM_TOP/docs/API.md")" = \
		"$(grep -c "^<!-- /api-example -->" "$PLM_TOP/docs/API.md")" &&
	grep -q "^> Signature-Input: sig1=(\"@method\" \"@target-uri\" \"content-digest\");created=" \
		"$PLM_TOP/docs/API.md"
'
test_done
