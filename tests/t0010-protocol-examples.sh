#!/bin/sh
# The hex examples in docs/PROTOCOL.md are exactly what the code produces now.
. "$(dirname "$0")/lib.sh"

test_expect_success 'examples generator runs deterministically' '
	"$PLM_BUILD/tests/protocol-examples" >a &&
	"$PLM_BUILD/tests/protocol-examples" >b &&
	cmp a b && grep -c "^<!-- example " a
'
test_expect_success 'docs/PROTOCOL.md examples match the code' '
	sh "$PLM_TOP/tests/examples/update.sh" "$PLM_BUILD/tests/protocol-examples" \
		"$PLM_TOP/docs/PROTOCOL.md" --check
'
test_done
