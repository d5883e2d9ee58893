# What the kernel tests (tests/kernel/*.sh, each run as root in a QEMU
# guest by run.sh) share; sourced, after setting "here" to tests/kernel:
#
#   T                       a fresh directory for the test's files
#   log TEXT                a section heading
#   pass TEXT, fail TEXT    one check's result (fail counts it)
#   die TEXT                a fatal error: dump, then exit 1
#   dump                    what die and kt_finish show on failure (the
#                           test may define its own; by default nothing)
#   check DESC CMD...       CMD must succeed (its output shown if not)
#   expect DESC ACTUAL EXPECTED          the same text
#   expect_eq/_gt/_ge/_le DESC A B       numbers: A = B, A > B, A >= B, A <= B
#   kt_finish               the summary line; exits 1 if any check failed
#
# and the lab library, utilities/nvo3-lab.sh (namespaces, waits, captures,
# iperf3), which tests that build no lab of hypervisors use through
# lab_init_netns.

top=$(cd "$here/../.." && pwd)
. "$top/utilities/nvo3-lab.sh"
T=$(mktemp -d)
failures=0

log() { echo "== $*"; }
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
dump() { :; }
die() { echo "FATAL: $*"; dump; exit 1; }

# check DESCRIPTION COMMAND...: COMMAND must succeed; if not, its output
# is shown indented under the FAIL line.
check() {
    desc=$1; shift
    if "$@" > "$T/out" 2>&1; then
        pass "$desc"
    else
        fail "$desc"; sed 's/^/    /' "$T/out"
    fi
}

# expect DESCRIPTION ACTUAL EXPECTED: the same text.
expect() {
    if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1 ($2, not $3)"; fi
}

expect_eq() { if [ "$2" -eq "$3" ]; then pass "$1 ($2)"; else fail "$1 ($2 != $3)"; fi; }
expect_gt() { if [ "$2" -gt "$3" ]; then pass "$1 ($2 > $3)"; else fail "$1 ($2 <= $3)"; fi; }
expect_ge() { if [ "$2" -ge "$3" ]; then pass "$1 ($2 >= $3)"; else fail "$1 ($2 < $3)"; fi; }
expect_le() { if [ "$2" -le "$3" ]; then pass "$1 ($2 <= $3)"; else fail "$1 ($2 > $3)"; fi; }

# kt_finish: the last line of every kernel test's output; on failure it
# dumps first.  The exit status is the test's (run.sh reads it).
kt_finish() {
    if [ $failures -ne 0 ]; then
        dump
        echo "== $failures check(s) FAILED"
        exit 1
    fi
    echo "== all checks passed"
    exit 0
}
