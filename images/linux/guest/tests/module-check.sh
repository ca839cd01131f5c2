#!/bin/sh
# Module-level checks of /dev/filemon, run as root in the guest after the
# conformance suite:
#   - /dev/filemon exists with mode 0666;
#   - the module refuses to unload while an instance is open, unloads once
#     it is closed (which also runs its leak check), and loads again;
#   - the kernel log has no oops, warning, BUG or filemon leak report.
# Usage: module-check.sh [path of filemon.ko]  (default: the image's copy)
# Prints one line per check and "module-check: ok" or "module-check: FAILED".
KO=${1:-/lib/modules/$(uname -r)/extra/filemon.ko}
bad=0
check() {	# check <description> <command...>
	d=$1
	shift
	if "$@"; then echo "ok   $d"; else echo "FAIL $d"; bad=1; fi
}

check "/dev/filemon is a character device" test -c /dev/filemon
mode=$(stat -c %a /dev/filemon 2>/dev/null)
check "/dev/filemon mode 666 (got $mode)" test "$mode" = 666

exec 3</dev/filemon
check "rmmod refused while an instance is open" eval '! rmmod filemon 2>/dev/null'
exec 3<&-
check "rmmod succeeds once it is closed" rmmod filemon
check "/dev/filemon gone after unload" test ! -e /dev/filemon
check "insmod $KO again" insmod "$KO"
n=0
while [ ! -c /dev/filemon ] && [ $n -lt 50 ]; do usleep 20000; n=$((n + 1)); done
check "/dev/filemon back" test -c /dev/filemon

if dmesg | grep -E "Oops|BUG:|WARNING:|Call Trace|filemon: leak|general protection" >/tmp/module-check.dmesg; then
	echo "FAIL kernel log has problems:"
	cat /tmp/module-check.dmesg
	bad=1
else
	echo "ok   kernel log clean"
fi
rm -f /tmp/module-check.dmesg

if [ $bad -eq 0 ]; then echo "module-check: ok"; else echo "module-check: FAILED"; fi
[ $bad -eq 0 ]
