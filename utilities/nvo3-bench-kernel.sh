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
    $python - "$1" "$2" <<'EOF'
"""Medians and ratios of a kernel-datapath benchmark run."""
import csv
import os
import statistics
import sys

work, out = sys.argv[1], sys.argv[2]


def env(path):
    try:
        return dict(l.rstrip("\n").split("=", 1) for l in open(path)
                    if "=" in l)
    except OSError:
        return {}


guest = env(os.path.join(work, "guest.env"))
host = env(os.path.join(work, "host.env"))
rows = list(csv.DictReader(open(os.path.join(work, "runs.csv"))))

# QEMU's CPU time (host clock ticks, all threads) at each run's marks.
marks = {}
try:
    for line in open(os.path.join(work, "host-marks.txt")):
        name, ticks, when = line.split()
        marks[name] = (int(ticks), float(when))
except OSError:
    pass
host_hz = int(host.get("hz", "100"))
for r in rows:
    name = "%s-%s" % (r["type"], r["rep"])
    s, e = marks.get(name + ".start"), marks.get(name + ".end")
    r["qemu_cpu_s"] = r["qemu_cpu_s_per_gb"] = r["qemu_cpus_busy"] = ""
    if s and e and r["ok"] == "1" and int(r["bytes"]) > 0:
        cpu = (e[0] - s[0]) / host_hz
        r["qemu_cpu_s"] = "%.2f" % cpu
        r["qemu_cpu_s_per_gb"] = "%.3f" % (cpu / (int(r["bytes"]) / 1e9))
        if e[1] > s[1]:
            r["qemu_cpus_busy"] = "%.2f" % (cpu / (e[1] - s[1]))
with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)

TYPES = ["none", "gre", "vxlan", "geneve", "nvgre", "stt"]
NAMES = {"none": "no tunnel", "gre": "GRE", "vxlan": "VXLAN",
         "geneve": "Geneve", "nvgre": "NVGRE", "stt": "STT"}


def med(xs):
    return statistics.median(xs) if xs else None


pts = {}
for t in TYPES:
    rs = [r for r in rows if r["type"] == t]
    if not rs:
        continue
    ok = [r for r in rs if r["ok"] == "1"]
    p = {"runs": len(rs), "failed": len(rs) - len(ok),
         "vm_mtu": rs[0]["vm_mtu"],
         "mbps": [float(r["mbps"]) for r in ok],
         "cpu": [float(r["cpu_s_per_gb"]) for r in ok if r["cpu_s_per_gb"]],
         "busy": [int(r["busy_jiffies"]) / max(1, int(r["total_jiffies"]))
                  for r in ok],
         "qcpu": [float(r["qemu_cpu_s_per_gb"]) for r in ok
                  if r["qemu_cpu_s_per_gb"]],
         "wire": [int(r["wire_rx_bytes"]) / int(r["wire_rx_pkts"])
                  for r in ok if r["wire_rx_pkts"] not in ("", "0")],
         "retr": [int(r["retransmits"]) for r in ok]}
    for k in ("mbps", "cpu", "busy", "qcpu", "wire", "retr"):
        p[k + "_med"] = med(p[k])
    pts[t] = p
base = pts.get("none", {})


def ratio(t, k):
    a, b = pts[t].get(k + "_med"), base.get(k + "_med")
    return "%.2f" % (a / b) if a is not None and b else "-"


def fmt(v, f):
    return f % v if v is not None else "-"


head = ["tunnel", "VM MTU", "Mbit/s", "min-max", "x none", "CPU s/GB",
        "x none", "QEMU s/GB", "x none", "guest busy", "B/wire pkt",
        "retr", "runs"]
table = []
summary = []
for t in TYPES:
    if t not in pts:
        continue
    p = pts[t]
    rng = ("%.0f-%.0f" % (min(p["mbps"]), max(p["mbps"]))
           if p["mbps"] else "-")
    table.append([NAMES[t], p["vm_mtu"], fmt(p["mbps_med"], "%.0f"), rng,
                  ratio(t, "mbps"), fmt(p["cpu_med"], "%.2f"),
                  ratio(t, "cpu"), fmt(p["qcpu_med"], "%.2f"),
                  ratio(t, "qcpu"),
                  fmt(p["busy_med"] and 100 * p["busy_med"], "%.0f%%"),
                  fmt(p["wire_med"], "%.0f"), fmt(p["retr_med"], "%.0f"),
                  "%d%s" % (p["runs"], " (%d failed)" % p["failed"]
                            if p["failed"] else "")])
    summary.append({"type": t, "vm_mtu": p["vm_mtu"],
                    "mbps_median": fmt(p["mbps_med"], "%.0f"),
                    "mbps_min": fmt(min(p["mbps"]) if p["mbps"] else None,
                                    "%.0f"),
                    "mbps_max": fmt(max(p["mbps"]) if p["mbps"] else None,
                                    "%.0f"),
                    "mbps_x_none": ratio(t, "mbps"),
                    "guest_cpu_s_per_gb": fmt(p["cpu_med"], "%.3f"),
                    "guest_cpu_x_none": ratio(t, "cpu"),
                    "qemu_cpu_s_per_gb": fmt(p["qcpu_med"], "%.3f"),
                    "qemu_cpu_x_none": ratio(t, "qcpu"),
                    "guest_busy": fmt(p["busy_med"], "%.3f"),
                    "bytes_per_wire_pkt": fmt(p["wire_med"], "%.0f"),
                    "runs": p["runs"], "failed": p["failed"]})
with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(summary[0].keys()))
    w.writeheader()
    w.writerows(summary)


def md_table(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: "| " + " | ".join(
        str(x).ljust(w) if i == 0 else str(x).rjust(w)
        for i, (x, w) in enumerate(zip(r, widths))) + " |"
    sep = "|" + "|".join("-" * (w + 1) + ":" if i else ":" + "-" * (w + 1)
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), sep] + [line(r) for r in rows])


STT = ["tx_frames", "tx_gso_frames", "tx_segmented_sw", "rx_frames",
       "rx_segments", "rx_gso_frames", "reasm_frames", "rx_csum_partial"]
stt_rows = []
for r in rows:
    if r["type"] != "stt" or r["ok"] != "1":
        continue
    v = {k: int(r["stt_" + k] or 0) for k in STT}
    per = (int(r["wire_rx_bytes"]) / v["rx_frames"]
           if v["rx_frames"] else None)
    stt_rows.append(["run %s" % r["rep"]] + [v[k] for k in STT]
                    + [fmt(per, "%.0f")])

md = []
md.append("# Kernel-datapath tunnel benchmark, %s\n" % host.get("stamp", ""))
md.append("`utilities/nvo3-bench-kernel.sh %s`: one QEMU guest (TCG software "
          "emulation, %s vCPUs, %s MiB), two hypervisors on the Linux kernel "
          "datapath, iperf3 TCP vm1 -> vm2, 1 stream, %s s per run, %s run(s) "
          "per type (round-robin over the types), medians.\n"
          % (host.get("args", ""), guest.get("cpus", "?"),
             host.get("mem", "?"), guest.get("duration", "?"),
             guest.get("reps", "?")))
md.append("**Absolute numbers under TCG emulation mean nothing**: every "
          "instruction of both switches, both VMs and iperf3 is emulated, and "
          "the host's cores are shared.  Read the ratios to no tunnel, which "
          "come from the same guest in the same run.\n")
md.append(md_table(head, table) + "\n")
md.append("""- Mbit/s: received by iperf3 in vm2 (median, min-max of the runs).
- CPU s/GB: busy jiffies of the whole guest (all vCPUs, /proc/stat: user,
  nice, system, irq, softirq, steal) during the run, per 10^9 bytes
  received.  Both switches, both VMs' TCP stacks and iperf3 are counted.
- QEMU s/GB: the host's view, utime + stime of the QEMU process (all
  threads) between marks the guest left just before and after iperf3.
- guest busy: busy jiffies over all jiffies during the run (100% = every
  vCPU busy: throughput is then CPU-bound).
- B/wire pkt: bytes per packet received on hv2's side of the wire (the
  underlay eth0; for no tunnel the direct veth dir0): packets are GSO
  packets of up to 64 kB, not MTU-sized frames (see below).
- VM MTU: unless --vm-mtu gave one for all, 1500 for no tunnel and STT
  (STT segments its frames itself), 1450 for GRE, VXLAN, Geneve and NVGRE
  (room for VXLAN's and Geneve's 50 bytes of outer headers inside the
  underlay's 1500; GRE and NVGRE need 42).
""")
if stt_rows:
    md.append("## STT counters (ethtool -S stt_sys_7471)\n")
    md.append("Per STT run, deltas over the iperf3 run: tx_* on hv1 (the "
              "sender), rx_* and reasm_* on hv2 (the receiver); the last "
              "column is hv2's underlay bytes per STT frame received.\n")
    md.append(md_table(["run"] + STT + ["B/frame"], stt_rows) + "\n")
    md.append("""One STT encapsulation per large frame: tx_frames counts STT
frames (one per GSO packet from vm1, one outer IP/TCP/STT header each);
tx_gso_frames those longer than one underlay segment, handed down as outer
TCP GSO packets that plain TSO, in a NIC or in software, would cut into
segments of the underlay MTU.  Here the veth underlay takes them whole, so
each frame arrives as one segment (rx_segments = rx_frames) and nothing
goes through the reassembly table (reasm_frames counts frames put together
from several segments); rx_gso_frames are the received frames handed on as
GSO packets (inner payload longer than one MSS), rx_csum_partial those
whose inner checksum was left partial, as sent.  tx_segmented_sw counts
GSO packets the module had to cut up itself before encapsulating (none is
expected).
""")
md.append("""## Checksums and segmentation inside one guest

Every device here is a veth or an OVS internal port, with checksum, TSO
and GSO (including the GRE and UDP tunnel GSO types) on.  So the VMs' TCP
sends 64 kB GSO packets with a partial checksum; the kernel datapath
forwards them whole, the tunnel device encapsulates them whole (an outer
header on a 64 kB packet, inner checksum still partial), and the veths
carry them whole into hv2, which decapsulates and delivers them whole to
vm2's TCP, which accepts GSO packets.  Segmentation into MTU-sized frames
and the checksums would be done in software by the kernel at the last
device without those offloads; on this path there is none, so no packet
is ever segmented and no checksum is ever computed (the B/wire pkt column
shows the packet size).  What the ratios compare is the per-packet cost
of encapsulating and decapsulating 64 kB packets in each tunnel device
and of the datapath's flow lookups and upcalls, not per-segment costs: on
real NICs GRE, VXLAN and Geneve need the NIC's tunnel TSO and checksum
offload to match this, while STT's outer TCP header lets any NIC with
plain TSO segment it.  The VM MTU (1450 or 1500) only changes the MSS
here, and with it by 3.5% the number of segments per GSO packet.
""")
md.append("## Machine\n")
md.append("- Host: %s CPUs, %s, Linux %s, load average %s at the start and "
          "%s at the end" % (host.get("nproc", "?"), host.get("cpu_model", "?"),
                             host.get("host_kernel", "?"),
                             host.get("load_start", "?"),
                             host.get("load_end", "?")))
md.append("- Guest: Linux %s, %s vCPUs, %s, %s" % (
    guest.get("kernel", "?"), guest.get("cpus", "?"), guest.get("ovs", "?"),
    guest.get("iperf3", "?")))
md.append("- Guest run: %s s wall time for the whole guest (boot included)\n"
          % host.get("guest_seconds", "?"))
open(os.path.join(out, "results.md"), "w").write("\n".join(md) + "\n")
print(md_table(head, table))
if stt_rows:
    print()
    print(md_table(["STT run"] + STT + ["B/frame"], stt_rows))
EOF
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
