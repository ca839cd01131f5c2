#!/bin/sh
# Run every filemon conformance case and compare its normalised output with
# expected/<case>.txt.  Usage: run-all.sh [DIR]  (DIR holds fmt,
# manual_example, normalize.awk and expected/; default: this script's
# directory).  Prints PASS/FAIL per case and a summary; exits 1 on failure.
D=${1:-$(dirname "$0")}
out=${TMPDIR:-/tmp}/fmt-run.$$
pass=0
fail=0
failed=
for exp in "$D"/expected/*.txt; do
	name=$(basename "$exp" .txt)
	if [ "$name" = manual_example ]; then
		"$D/manual_example" >"$out.raw" 2>&1
	else
		"$D/fmt" "$name" >"$out.raw" 2>&1
	fi
	st=$?
	awk -f "$D/normalize.awk" "$out.raw" >"$out"
	if [ $st -eq 0 ] && cmp -s "$exp" "$out"; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name (exit status $st)"
		diff -u "$exp" "$out" 2>/dev/null || { echo "--- expected"; cat "$exp"; echo "--- got"; cat "$out"; }
		fail=$((fail + 1))
		failed="$failed $name"
	fi
done
rm -f "$out" "$out.raw"
echo "conformance: $pass passed, $fail failed${failed:+:$failed}"
[ $fail -eq 0 ]
