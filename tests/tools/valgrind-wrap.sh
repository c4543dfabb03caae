#!/bin/sh
# valgrind-wrap.sh PROGRAM ARGS... - runs PROGRAM under valgrind for make
# valgrind-e2e (through PLM_WRAP in tests/lib-daemon.sh and lib-identity.sh):
# any invalid access, use of uninitialised memory or leak makes it exit 99,
# and valgrind's report goes to $PLM_VALGRIND_LOGS/PROGRAM.PID.log.
# palermod runs with --no-seccomp: valgrind does not implement seccomp(2)
# (the filter itself is tested by t6020 without valgrind).
prog=$1
shift
case $prog in
*/palermod) set -- "$@" --no-seccomp ;;
esac
logs=${PLM_VALGRIND_LOGS:-${TMPDIR:-/tmp}}
exec valgrind -q --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--log-file="$logs/$(basename "$prog").%p.log" "$prog" "$@"
