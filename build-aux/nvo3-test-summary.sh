#! /bin/sh
# Prints one line "NAME (BASE): N passed, N failed, N skipped" from an
# autotest log, the form CI and people both read.
# Usage: nvo3-test-summary.sh NAME BASE TESTSUITE.LOG
name=$1 base=$2 log=$3
if [ ! -r "$log" ]; then
    echo "$name ($base): no log at $log" >&2
    exit 1
fi
results=$(grep -E '^[0-9]+\. .*\): (ok|FAILED|skipped|expected failure|UNEXPECTED PASS)' "$log" \
          | sed -E 's/.*\): //')
passed=$(echo "$results" | grep -c -E '^(ok|expected failure)')
failed=$(echo "$results" | grep -c -E '^(FAILED|UNEXPECTED PASS)')
skipped=$(echo "$results" | grep -c -E '^skipped')
echo "$name ($base): $passed passed, $failed failed, $skipped skipped"
