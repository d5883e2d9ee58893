#! /bin/bash
# ovs-nvo3 kernel-datapath tunnel benchmark: what does a tunnel cost when
# both switches use the Linux kernel datapath?  Boots one QEMU guest
# (utilities/nvo3-vm.sh, software emulation) that runs
# utilities/nvo3-bench-kernel-guest.sh: two hypervisors on the kernel
# datapath in seed 000's layout, one VM on each, iperf3 from vm1 to vm2
# with no tunnel (a veth between the two br2) and across gre, vxlan, geneve,
# nvgre and stt (datapath/linux/stt.ko).  Prints, and writes to
# results/bench-kernel-YYYYMMDD-HHMM/, each type's median throughput and CPU
# per GB as ratios to no tunnel, and STT's frame and segment counters.
#
# Under TCG emulation absolute numbers mean nothing: read the ratios, which
# come from one run on one guest.
#
# Usage: nvo3-bench-kernel.sh [OPTION...]      (as root; see usage below and
#        Documentation/howto/benchmark.rst, "The kernel datapath")
# Builds nothing: needs build/ovs (make) and datapath/linux/stt.ko
# (make kmod).
# Also when started as "sh nvo3-bench-kernel.sh": bash from here on.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -e -o pipefail

usage () {
    cat <<EOF
usage: nvo3-bench-kernel.sh [OPTION...]

  -d, --duration S   seconds per iperf3 run (default \$BENCH_SECONDS or 5)
  -r, --reps N       runs per type (default 3); the median is reported
  --types LIST       among none,gre,vxlan,geneve,nvgre,stt (default: all;
                     none, the baseline, is always added)
  --vm-mtu MTU       one MTU for every type's VMs (default: 1500 for none
                     and stt, 1450 for the others)
  -t, --timeout S    limit for the whole guest (default 900)
  -c, --cpus N       guest CPUs (default 2)
  -m, --mem MiB      guest memory (default 1536)
  --out DIR          parent of bench-kernel-YYYYMMDD-HHMM (default: results/
                     in the source tree)
  --work DIR         parent of the guest's work directory run-YYYYMMDD-HHMM
                     (the iperf3 JSON, logs; default: build/bench-kernel)
  --report-only RUN  no guest: the report again from an earlier work
                     directory (build/bench-kernel/run-YYYYMMDD-HHMM)
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/utilities/nvo3-lab.sh"
all_types="none gre vxlan geneve nvgre stt"
types=$all_types
duration=${BENCH_SECONDS:-5}
reps=3
timeout=900
cpus=2
mem=1536
outparent=$top/results
workparent=$top/build/bench-kernel
report_only=
vmmtu=
args="$*"
while [ $# -gt 0 ]; do
    opt=$1 arg=
    case $opt in
        --*=*) arg=${opt#*=}; opt=${opt%%=*} ;;
        -d|--duration|-r|--reps|--types|-t|--timeout|-c|--cpus|-m|--mem|\
        --out|--work|--report-only|--vm-mtu)
            [ $# -ge 2 ] || { usage >&2; exit 1; }
            arg=$2; shift ;;
    esac
    case $opt in
        -d|--duration) duration=$arg ;;
        -r|--reps) reps=$arg ;;
        --types) types=$(echo "$arg" | tr ',' ' ') ;;
        -t|--timeout) timeout=$arg ;;
        -c|--cpus) cpus=$arg ;;
        -m|--mem) mem=$arg ;;
        --out) outparent=$arg ;;
        --work) workparent=$arg ;;
        --vm-mtu) vmmtu=$arg ;;
        --report-only) report_only=$arg ;;
        -h|--help) usage; exit 0 ;;
        *) echo "nvo3-bench-kernel: unknown option $opt" >&2; usage >&2
           exit 1 ;;
    esac
    shift
done
for t in $types; do
    case " $all_types " in
        *" $t "*) ;;
        *) echo "nvo3-bench-kernel: unknown type $t (know: $all_types)" >&2
           exit 1 ;;
    esac
done
# The baseline first, whatever the order given.
types="none $(echo " $types " | sed 's/ none / /g')"
types=$(echo $types)
for n in "$duration" "$reps" "$timeout" "$cpus" "$mem" ${vmmtu:+"$vmmtu"}; do
    case $n in ''|*[!0-9]*|0)
        echo "nvo3-bench-kernel: not a positive integer: '$n'" >&2; exit 1 ;;
    esac
done
python=/usr/bin/python3

# --- The report ---------------------------------------------------------------

# write_report WORK OUTDIR: results.md, runs.csv and summary.csv in OUTDIR
# from the guest's runs.csv and the host's QEMU CPU marks in WORK.
write_report () {
    mkdir -p "$2"
    $python "$top/utilities/nvo3_bench_report.py" kernel "$1" "$2"
}

if [ -n "$report_only" ]; then
    work=$(cd "$report_only" && pwd)
    stamp=$(sed -n 's/^stamp=//p' "$work/host.env")
    write_report "$work" "$outparent/bench-kernel-$stamp"
    echo "nvo3-bench-kernel: $outparent/bench-kernel-$stamp/results.md"
    exit 0
fi

# --- Checks ---------------------------------------------------------------------

[ "$(id -u)" = 0 ] || { echo "nvo3-bench-kernel: run as root" >&2; exit 1; }
[ -x "$top/build/ovs/vswitchd/ovs-vswitchd" ] || {
    echo "nvo3-bench-kernel: no build/ovs/vswitchd/ovs-vswitchd (make)" >&2
    exit 1
}
[ -r "$top/datapath/linux/stt.ko" ] || {
    echo "nvo3-bench-kernel: no datapath/linux/stt.ko (make kmod)" >&2
    exit 1
}
for p in qemu-system-x86_64 iperf3 ethtool $python; do
    command -v $p > /dev/null || {
        echo "nvo3-bench-kernel: $p is missing (build-aux/nvo3-deps.sh)" >&2
        exit 1
    }
done

stamp=$(date +%Y%m%d-%H%M)
work=$workparent/run-$stamp
outdir=$outparent/bench-kernel-$stamp
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
host_hz=$(getconf CLK_TCK)
{
    echo "stamp=$stamp"
    echo "args=$args"
    echo "nproc=$(nproc)"
    echo "cpu_model=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
    echo "host_kernel=$(uname -r)"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "hz=$host_hz"
    echo "mem=$mem"
} > "$work/host.env"

echo "nvo3-bench-kernel: one guest ($cpus vCPUs, $mem MiB, at most $timeout s):" \
     "$types, $reps x $duration s each; work directory $work"

# --- The guest, and QEMU's CPU time at the guest's marks ------------------------

start=$(date +%s)
sh "$top/utilities/nvo3-vm.sh" -t "$timeout" -m "$mem" -c "$cpus" "$work" \
    "$top/utilities/nvo3-bench-kernel-guest.sh" "$duration" "$reps" "$types" $vmmtu \
    > "$work/console.log" 2>&1 &
vm_pid=$!
trap 'kill $vm_pid 2> /dev/null; exit 130' INT TERM

# qemu_pid: QEMU, the child of timeout, the child of nvo3-vm.sh.
qemu_pid () {
    local c g
    for c in $(pgrep -P $vm_pid); do
        for g in $(pgrep -P "$c"); do
            case $(cat /proc/$g/comm 2> /dev/null) in
                qemu*) echo "$g"; return 0 ;;
            esac
        done
    done
    return 1
}

# follow_guest: one look at the guest: QEMU's CPU time for each new mark,
# the guest's new progress lines; succeeds once the guest has ended.
follow_guest () {
    local f m n s
    [ -n "$qpid" ] || qpid=$(qemu_pid) || qpid=
    if [ -n "$qpid" ] && [ -d "$work/marks" ]; then
        for f in "$work"/marks/*; do
            [ -e "$f" ] || continue
            m=${f##*/}
            case $seen in *" $m "*) continue ;; esac
            read -r -a s < /proc/$qpid/stat || continue
            echo "$m $((s[13] + s[14])) $(date +%s.%N)" >> "$work/host-marks.txt"
            seen="$seen$m "
        done
    fi
    # The guest's progress lines, as they come.
    n=$(grep -c '^bench-kernel:' "$work/console.log" 2> /dev/null || true)
    if [ "${n:-0}" -gt $printed ]; then
        grep '^bench-kernel:' "$work/console.log" | tail -n +$((printed + 1)) \
            | tr -d '\r'
        printed=$n
    fi
    ! kill -0 $vm_pid 2> /dev/null
}

qpid=
seen=" "
printed=0
: > "$work/host-marks.txt"
# Every 0.1 s, so that the CPU time read at a mark is that of its moment;
# nvo3-vm.sh ends the guest after $timeout s.
LAB_WAIT_STEP=0.1 lab_wait_until $((timeout + 60)) follow_guest || true
rc=0
wait $vm_pid || rc=$?
trap - INT TERM
grep '^bench-kernel:' "$work/console.log" | tail -n +$((printed + 1)) | tr -d '\r'
{
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "guest_seconds=$(( $(date +%s) - start ))"
} >> "$work/host.env"

if [ ! -s "$work/runs.csv" ] || [ "$(wc -l < "$work/runs.csv")" -lt 2 ]; then
    echo "nvo3-bench-kernel: the guest measured nothing (status $rc);" \
         "its console:" >&2
    grep -v '|INFO|' "$work/console.log" | tail -40 >&2
    exit 1
fi
write_report "$work" "$outdir"
echo
echo "Absolute numbers under TCG emulation mean nothing; read the ratios."
echo "nvo3-bench-kernel: $outdir/results.md (guest status $rc," \
     "$(sed -n 's/^guest_seconds=//p' "$work/host.env") s)"
exit $rc
