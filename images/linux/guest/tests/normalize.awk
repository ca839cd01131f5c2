# Normalise the output of a conformance program for comparison with
# expected/<case>.txt: times become <TIME>; process ids in log lines
# ("# Target pid N" and the pid fields of records) become <PID1>, <PID2>,
# ... numbered by first appearance in the whole output.  POSIX awk
# (busybox awk in the guest, any awk on the host).
function pid(p) {
	if (!(p in ids))
		ids[p] = "<PID" (++n) ">"
	return ids[p]
}
/^# (Start|Stop) [0-9]+\.[0-9]+$/ { print $1 " " $2 " <TIME>"; next }
/^# Target pid [0-9]+$/ { print "# Target pid " pid($4); next }
/^[ACDELMRWX] [0-9]+( |$)/ {
	sub(/^. [0-9]+/, substr($0, 1, 2) pid($2))
	print
	next
}
/^F [0-9]+ [0-9]+$/ { print "F " pid($2) " " pid($3); next }
{ print }
