#! /bin/sh
# run.sh OUTDIR TEST...: runs each tests/kernel/TEST.sh in a QEMU guest of
# its own (utilities/nvo3-vm.sh), keeps each one's output in OUTDIR/TEST.log,
# and prints one line per test and a summary line like the other suites',
# naming the base and the guest kernel: "kernel (3.1, 6.1.0-57-amd64): N
# passed, N failed, N skipped".  Exits non-zero if any failed.
#
# KVER picks the guest kernel (default: the distribution's own, see
# utilities/nvo3-kver.sh), STT_KO the module the tests load (default:
# datapath/linux/stt.ko, built for that default kernel).
#
# A test is skipped, not failed, only when the machine cannot run guests
# at all (no guest kernel or no QEMU).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: run.sh OUTDIR TEST...}
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)

can_run=yes
kver=${KVER:-$(sh "$top/utilities/nvo3-kver.sh")}
export KVER=$kver
if [ -z "$kver" ] || [ ! -r "/boot/vmlinuz-$kver" ] \
   || ! command -v qemu-system-x86_64 > /dev/null; then
    can_run=no
fi

passed=0 failed=0 skipped=0
for t in "$@"; do
    if [ $can_run = no ]; then
        echo "kernel test $t ($kver): skipped (no guest kernel or QEMU)"
        skipped=$((skipped + 1))
        continue
    fi
    share=$out/$t
    rm -rf "$share"
    mkdir -p "$share"
    start=$(date +%s)
    rc=0
    # The guest starts with a fresh environment: the OVS build to use (if
    # not build/ovs) goes as an argument.
    sh "$top/utilities/nvo3-vm.sh" -t 600 "$share" "$here/$t.sh" \
        ${OVS_BUILD:+"$OVS_BUILD"} > "$out/$t.log" 2>&1 || rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc = 0 ]; then
        echo "kernel test $t ($kver): ok (${secs} s, $(grep -c '^PASS' "$out/$t.log") checks)"
        passed=$((passed + 1))
    else
        echo "kernel test $t ($kver): FAILED (status $rc, ${secs} s); its log:"
        grep -v '|INFO|' "$out/$t.log" | tail -80 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "kernel (${OVS_BASE:+$OVS_BASE, }$kver): $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
