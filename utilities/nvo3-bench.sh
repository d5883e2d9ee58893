#! /bin/bash
# ovs-nvo3 tunnel benchmark: what does a tunnel cost?  Two "hypervisors"
# (ovsdb-server + ovs-vswitchd, userspace datapath, seed 000's br1/eth0/tep0
# + br2 layout, see nvo3-lab.sh) and one VM on each; iperf3 from vm1 to vm2
# with no tunnel and across gre, vxlan, geneve, nvgre and stt, with userspace
# TSO off and on and underlay MTUs of 1500 and 9000, all in one run so that
# the ratios between them mean something on a shared, noisy machine.  Next to
# them, the physical limit of the lab: "wire", two namespaces joined by one
# veth, no switch.  On a base whose own tunnels carry TSO (software
# segmentation in upstream's netdev layer, 3.5 and later; detected when the
# run starts) gre, vxlan, geneve and nvgre are measured with TSO on too.
#
# Usage: nvo3-bench.sh BUILDDIR [OPTION...]     (run as root; `make bench`)
# See usage() below and Documentation/howto/benchmark.rst.
set -e -o pipefail

usage () {
    cat <<EOF
usage: nvo3-bench.sh BUILDDIR [OPTION...]

  --quick            smoke run (about 2 minutes): --duration 2 --reps 1
                     --pps-duration 2
  --full             every type at every MTU and TSO setting, 1 and 4
                     streams (about 31 minutes at the default durations)
  --types LIST       tunnel types, comma or space separated
                     (default: none,wire,gre,vxlan,geneve,nvgre,stt;
                     wire is a veth between two namespaces, no switch)
  --mtus LIST        underlay MTUs (default: 1500,9000)
  --duration S       seconds per TCP run (default 10)
  --reps N           runs per point (default 3)
  --pps-duration S   seconds per 64-byte UDP run (default 5)
  --udp-rate RATE    iperf3 -b for the UDP runs (default 20M: about 140 kpps
                     of 18-byte payloads, more than either switch forwards)
  --profile          also record perf profiles of both ovs-vswitchd during
                     extra (unmeasured) no-tunnel, gre and stt runs
  --out DIR          parent of the bench-YYYYMMDD-HHMM directory
                     (default: results/ in the source tree)
  --report-only RUN  no measuring: the report again from the data of an
                     earlier run (build/bench/run-YYYYMMDD-HHMM)
EOF
}

builddir=${1:?$(usage)}
shift
case $builddir in -h|--help) usage; exit 0 ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "$builddir" && pwd)
args="$*"                               # for the report

all_types="none wire gre vxlan geneve nvgre stt"
types=$all_types
mtus="1500 9000"
duration=10
reps=3
pps_duration=5
udp_rate=20M
full=0
profile=0
outparent=$top/results
report_only=
while [ $# -gt 0 ]; do
    opt=$1 arg=
    case $opt in
        --*=*) arg=${opt#*=}; opt=${opt%%=*} ;;
        --types|--mtus|--duration|--reps|--pps-duration|--udp-rate|--out|\
        --report-only)
            [ $# -ge 2 ] || { usage >&2; exit 1; }
            arg=$2; shift ;;
    esac
    case $opt in
        --quick) duration=2 reps=1 pps_duration=2 ;;
        --full) full=1 ;;
        --profile) profile=1 ;;
        --types) types=$(echo "$arg" | tr ',' ' ') ;;
        --mtus) mtus=$(echo "$arg" | tr ',' ' ') ;;
        --duration) duration=$arg ;;
        --reps) reps=$arg ;;
        --pps-duration) pps_duration=$arg ;;
        --udp-rate) udp_rate=$arg ;;
        --out) outparent=$arg ;;
        --report-only) report_only=$arg ;;
        -h|--help) usage; exit 0 ;;
        *) echo "nvo3-bench: unknown option $opt" >&2; usage >&2; exit 1 ;;
    esac
    shift
done
for t in $types; do
    case " $all_types " in
        *" $t "*) ;;
        *) echo "nvo3-bench: unknown type $t (know: $all_types)" >&2; exit 1 ;;
    esac
done
for n in "$duration" "$reps" "$pps_duration" $mtus; do
    case $n in ''|*[!0-9]*|0)
        echo "nvo3-bench: not a positive integer: '$n'" >&2; exit 1 ;;
    esac
done

# --- What to measure -------------------------------------------------------

# One line per point: MTU TSO KIND TYPE STREAMS.  KIND is tcp (iperf3 TCP),
# udp (64-byte frames, packets per second) or gso (STT whose underlay has no
# TSO: see set_variant).  The default run takes about 12 minutes on two cores
# (16 where the tunnels carry TSO).  At the first MTU (1500), with TSO off:
# one stream of every type but wire, four streams of no tunnel, gre and
# stt.  With TSO on: no tunnel and stt with 1 and 4 streams, wire with one;
# where the base's own
# tunnels carry TSO ($tunnel_tso), gre, vxlan, geneve and nvgre with 1 and 4
# streams too; where they do not, gre (one stream) stands for the four (their
# VMs must run without offloads, so TSO changes nothing for them).  At the
# other MTUs, one stream of no tunnel, gre and stt with TSO off, and of no
# tunnel and stt with TSO on.
plan () {
    local mtu tso t streams first=${mtus%% *}

    for mtu in $mtus; do
        for tso in off on; do
            for t in $types; do
                if [ $full = 1 ]; then
                    streams="1 4"
                elif [ $mtu = "$first" ]; then
                    case $tso/$t in
                        off/none|off/gre|off/stt) streams="1 4" ;;
                        off/wire) streams= ;;
                        off/*) streams=1 ;;
                        on/none|on/stt) streams="1 4" ;;
                        on/wire) streams=1 ;;
                        on/*)
                            if [ $tunnel_tso = 1 ]; then
                                streams="1 4"
                            elif [ $t = gre ]; then
                                streams=1
                            else
                                streams=
                            fi ;;
                    esac
                else
                    case $tso/$t in
                        off/none|off/gre|off/stt|on/none|on/stt) streams=1 ;;
                        *) streams= ;;
                    esac
                fi
                for s in $streams; do
                    echo "$mtu $tso tcp $t $s"
                done
                [ $mtu != "$first" ] || case $tso/$t in
                    off/stt|off/vxlan) echo "$mtu $tso udp $t 1" ;;
                    on/stt) echo "$mtu $tso gso $t 1" ;;
                esac
            done
        done
    done
}

# Bytes a tunnel adds inside the underlay MTU (outer IP and tunnel headers
# and the inner Ethernet header), so that its VMs get the largest MTU that
# crosses unfragmented.  STT segments its frames itself: VMs keep the
# underlay's MTU, as with no tunnel (and the wire).
overhead () {
    case $1 in
        none|wire|stt) echo 0 ;;
        gre|nvgre) echo 42 ;;           # IPv4 20 + GRE with key 8 + 14
        vxlan|geneve) echo 50 ;;        # IPv4 20 + UDP 8 + 8 + 14
    esac
}

# --- The lab ----------------------------------------------------------------

# lab_up MTU TSO: a fresh pair of hypervisors (userspace TSO is read once,
# when ovs-vswitchd starts), their VMs and an iperf3 server in vm2.
lab_up () {
    local mtu=$1 tso=$2 h
    lab_down
    LAB_USERSPACE_TSO=0 LAB_VM_OFFLOAD=0
    [ $tso = off ] || LAB_USERSPACE_TSO=1 LAB_VM_OFFLOAD=1
    lab_two_hvs 2> /dev/null
    for h in hv1 hv2; do
        hv $h ip link set eth0 mtu "$mtu"
    done
    hv_add_vm hv1 vm1 198.51.100.1/24 "$mtu"
    hv_add_vm hv2 vm2 198.51.100.2/24 "$mtu"
    hv hv1 ip link set vm1 mtu "$mtu"
    hv hv2 ip link set vm2 mtu "$mtu"
    lab_iperf3_server vm2 > /dev/null 2>&1
    hv hv1 ping -q -c 1 -W 2 192.0.2.2 > /dev/null
    case " $types " in *" wire "*) wire_up "$mtu" ;; esac
}

# wire_up MTU: the physical limit of the lab: namespaces wire1 and wire2
# joined by one veth of the underlay's MTU (203.0.113.0/24), no switch, an
# iperf3 server in wire2.  Their offloads follow the VMs' (set_variant).
wire_up () {
    local mtu=$1 w
    for w in wire1 wire2; do
        lab_host $w
    done
    lab_link wire1 eth0 wire2 eth0
    for w in 1 2; do
        vm wire$w ip link set eth0 mtu "$mtu"
        vm wire$w ip addr add 203.0.113.$w/24 dev eth0
    done
    lab_iperf3_server wire2 > /dev/null 2>&1
}

# The iperf3 client's namespace and the server's address for TYPE.
client_of () {
    [ "$1" = wire ] && echo wire1 || echo vm1
}
server_of () {
    [ "$1" = wire ] && echo 203.0.113.2 || echo 198.51.100.2
}

# probe_tunnel_tso: does this base's own tunnel push carry TSO packets?  Bases
# that segment in software in the netdev layer (upstream 3.5 and later) have
# a coverage counter for it (lab_soft_seg_counter); 3.1 has not.  Asked of a
# throw-away ovs-vswitchd with userspace TSO on, before the plan is made.
probe_tunnel_tso () {
    tunnel_tso=0
    LAB_USERSPACE_TSO=1 hv_start probe 2> /dev/null || {
        echo "nvo3-bench: the probe ovs-vswitchd did not start" >&2; exit 1; }
    soft_seg=$(lab_soft_seg_counter probe)
    [ -z "$soft_seg" ] || tunnel_tso=1
    lab_cleanup
}

# tunnel_up TYPE MTU: connects the VMs' br2 bridges across the underlay:
# for "none" with a patch port pair between br2 and br1 on each side (the VM
# is then bridged straight onto the underlay by the same two switches), for
# the others with a tunnel port on br2.  Each type gets a tenant key (an STT
# context ID, an NVGRE VSID) as in the demo.
tunnel_up () {
    local type=$1 mtu=$2 key=5000 h v
    local vmmtu=$((mtu - $(overhead "$type")))

    for v in vm1 vm2; do
        vm $v ip link set eth0 mtu $vmmtu
    done
    if [ $type = none ]; then
        for h in hv1 hv2; do
            hv_vsctl $h \
                -- add-port br2 patch-br1 -- set interface patch-br1 \
                   type=patch options:peer=patch-br2 \
                -- add-port br1 patch-br2 -- set interface patch-br2 \
                   type=patch options:peer=patch-br1
        done
    elif [ $type = wire ]; then
        lab_wait_until 60 vm_reaches wire1 203.0.113.2
        return
    else
        [ $type != stt ] || key=0x1234567890
        lab_pair_tunnel tun0 $type options:key=$key
    fi
    lab_wait_until 60 vm_reaches vm1 198.51.100.2
}

tunnel_down () {
    local h
    for h in hv1 hv2; do
        hv_vsctl $h -- --if-exists del-port br2 tun0 \
            -- --if-exists del-port br2 patch-br1 \
            -- --if-exists del-port br1 patch-br2
    done
}

# set_variant TSO TYPE KIND: offloads for one point.  With userspace TSO on,
# 3.1's native gre/vxlan/geneve/nvgre push drops any packet that still asks
# for TSO or a checksum, so their VMs run with transmit offloads off; no
# tunnel and STT take the VMs' 64 kB TSO packets, and so do every tunnel's
# VMs on a base whose tunnels carry TSO ($tunnel_tso).  The wire's
# namespaces have the VMs' offloads: off with TSO off, on with TSO on.
# KIND gso turns TSO off on the underlay veths: ovs-vswitchd still hands
# them whole STT frames (3.1
# has no way to withdraw TSO from one Linux netdev), the kernel segments
# them in software (GSO), and the receiving switch reassembles every frame
# from its 1448-byte segments instead of taking the whole-frame fast path.
set_variant () {
    local tso=$1 type=$2 kind=$3 v h onoff=off ul=on
    if [ $tso = on ]; then
        case $type in none|wire|stt) onoff=on ;; esac
        [ $tunnel_tso = 0 ] || onoff=on
    fi
    [ $kind != gso ] || ul=off
    if [ $type = wire ]; then
        for v in wire1 wire2; do
            vm $v ethtool -K eth0 tx $onoff tso $onoff > /dev/null 2>&1 \
                || true
        done
        return
    fi
    for v in vm1 vm2; do
        vm $v ethtool -K eth0 tx $onoff tso $onoff > /dev/null 2>&1 || true
    done
    for h in hv1 hv2; do
        hv $h ethtool -K eth0 tso $ul gso $ul > /dev/null 2>&1 || true
    done
}

# lab_down: the iperf3 server first (our own background job: reaping it
# keeps the shell from reporting it killed), then the lab.
lab_down () {
    lab_iperf3_stop vm2
    lab_iperf3_stop wire2
    lab_cleanup
}

# --- Measuring --------------------------------------------------------------

vswitchd_pid () {
    cat "$LAB_DIR/$1/ovs-vswitchd.pid"
}

# CPU time of a process in clock ticks: utime + stime (fields 14 and 15 of
# /proc/PID/stat; the command name, field 2, has no spaces here).
cpu_ticks () {
    local f
    read -r -a f < /proc/$1/stat
    echo $((f[13] + f[14]))
}

# coverage HV COUNTER: an ovs-vswitchd coverage counter (empty if the base
# has no such counter).
coverage () {
    hv_appctl "$1" coverage/read-counter "$2" 2> /dev/null || true
}

# delta A B: B - A, or empty if either is.
delta () {
    [ -n "$1" ] && [ -n "$2" ] && echo $(($2 - $1)) || true
}

# reasm_counters HV: "COMPLETED LOST" from HV's stt/reassembly-show, LOST
# being the frames evicted or timed out and the segments dropped; empty on
# failure.
reasm_counters () {
    hv_appctl "$1" stt/reassembly-show 2> /dev/null | awk -F': ' '
        $1 == "completed" { c = $2 }
        $1 == "evictions" || $1 == "timeouts" || $1 ~ /^drop-/ { l += $2 }
        END { if (c != "") print c, l + 0 }'
}

# pkt_counters: "VM UPLINK", the packets hv1 took from vm1 and the packets
# it sent or tried to send out of its uplink (eth0 on br1; the lab's
# sockets drop some under load): underlay packets per VM packet.
pkt_counters () {
    local up
    up=$(hv_ofctl hv1 dump-ports br1 eth0 | tr -d , | awk '$1 == "tx" {
        n = $2; d = $4; sub(/^pkts=/, "", n); sub(/^drop=/, "", d)
        print n + (d ~ /^[0-9]+$/ ? d : 0) }')
    echo "$(hv_port_pkts hv1 br2 vm1 rx) $up"
}

# run_point MTU TSO KIND TYPE STREAMS REP: one iperf3 run, one CSV line.
# With it, hv1's (the sender's) packets segmented in software by upstream's
# netdev layer ($soft_seg, 3.5 and later) and packets its tunnel
# push dropped (netdev_push_header_drops): what says that a tunnel really
# carried TSO packets, and that none were lost for asking for it.
run_point () {
    local mtu=$1 tso=$2 kind=$3 type=$4 streams=$5 rep=$6
    local name=$mtu-$tso-$kind-$type-P$streams-$rep
    local json=$raw/json/$name.json
    local vmmtu=$((mtu - $(overhead "$type")))
    local p1 p2 c1 c2 t0 t1 rx0 rx1 res ok=1 rc=0
    local mbps=0 bytes=0 retr=0 secs=0 pps= uspp= cpugb=
    local load1 sg0 sg1 pd0 pd1 pk0 pk1 ra0= ra1= counts=,,,
    local v0 v1 u0 u1 rc0 rc1 rl0 rl1
    load1=$(cut -d' ' -f1 /proc/loadavg)
    sg0=$([ -z "$soft_seg" ] || coverage hv1 "$soft_seg")
    pd0=$(coverage hv1 netdev_push_header_drops)
    pk0=$(pkt_counters)
    [ "$type" != stt ] || ra0=$(reasm_counters hv2)
    p1=$(vswitchd_pid hv1)
    p2=$(vswitchd_pid hv2)
    c1=$(cpu_ticks $p1)
    c2=$(cpu_ticks $p2)
    t0=$(date +%s.%N)
    if [ $kind = udp ]; then
        rx0=$(hv_port_pkts hv2 br2 vm2 tx)
        vm vm1 timeout $((pps_duration + 20)) iperf3 -c 198.51.100.2 \
            -u -l 18 -b "$udp_rate" -t "$pps_duration" -J \
            < /dev/null > "$json" || rc=$?
        rx1=$(hv_port_pkts hv2 br2 vm2 tx)
    else
        vm "$(client_of "$type")" timeout $((duration + 20)) \
            iperf3 -c "$(server_of "$type")" \
            -P "$streams" -t "$duration" -J < /dev/null > "$json" || rc=$?
    fi
    t1=$(date +%s.%N)
    sg1=$([ -z "$soft_seg" ] || coverage hv1 "$soft_seg")
    pd1=$(coverage hv1 netdev_push_header_drops)
    pk1=$(pkt_counters)
    [ "$type" != stt ] || ra1=$(reasm_counters hv2)
    [ "$type" != wire ] || sg1= pd1=     # no switch on the wire's path
    if [ "$type" != wire ]; then
        # vm1's packets, hv1's uplink packets, and for STT the frames hv2
        # put together from several segments and the ones it lost.
        read -r v0 u0 <<< "$pk0"; read -r v1 u1 <<< "$pk1"
        read -r rc0 rl0 <<< "$ra0"; read -r rc1 rl1 <<< "$ra1"
        counts="$(delta "$v0" "$v1"),$(delta "$u0" "$u1"),\
$(delta "$rc0" "$rc1"),$(delta "$rl0" "$rl1")"
    fi
    c1=$(( $(cpu_ticks $p1) - c1 ))
    c2=$(( $(cpu_ticks $p2) - c2 ))

    if [ $kind = udp ]; then
        # Packets the receiving switch delivered to vm2, per second of wall
        # time, and its CPU per packet: the cost of the receive path.
        secs=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
        pps=$(echo "$rx0 $rx1 $secs" | awk '{printf "%.0f", ($2 - $1) / $3}')
        uspp=$(echo "$rx0 $rx1 $c2 $hz" | awk '$2 > $1 {
            printf "%.2f", $3 / $4 * 1e6 / ($2 - $1)}')
        [ "$rc" = 0 ] && [ "${pps:-0}" -gt 0 ] || ok=0
        bytes=$(( (rx1 - rx0) * 18 ))
    elif res=$($python "$top/utilities/nvo3-iperf3-result.py" "$json" \
                  2> /dev/null) && [ "$rc" = 0 ]; then
        read -r mbps bytes retr <<< "$res"
        secs=$duration
        # The wire has no switch: the (idle) switches' CPU is not its cost.
        [ "$type" = wire ] || cpugb=$(echo "$c1 $c2 $hz $bytes" | awk '{
            printf "%.3f", ($1 + $2) / $3 / ($4 / 1e9)}')
    else
        ok=0
    fi
    c1=$(echo "$c1 $hz" | awk '{printf "%.2f", $1 / $2}')
    c2=$(echo "$c2 $hz" | awk '{printf "%.2f", $1 / $2}')
    echo "$mtu,$tso,$kind,$type,$streams,$rep,$vmmtu,$ok,$secs,$mbps,\
$bytes,$retr,$c1,$c2,$cpugb,$pps,$uspp,$load1,$(delta "$sg0" "$sg1"),\
$(delta "$pd0" "$pd1"),$counts" >> "$csv"

    if [ $ok = 0 ]; then
        printf 'FAILED (iperf3 status %s, see %s)\n' "$rc" "$json"
    elif [ $kind = udp ]; then
        printf '%s pps delivered, %s us/pkt on hv2\n' "$pps" "$uspp"
    elif [ "$type" = wire ]; then
        printf '%s Mbit/s (no switch), %s retransmits\n' "$mbps" "$retr"
    else
        printf '%s Mbit/s, %s CPU-s/GB, %s retransmits\n' \
            "$mbps" "$cpugb" "$retr"
    fi
}

# profile_point MTU TSO TYPE: an unmeasured run with perf recording both
# ovs-vswitchd; keeps the top of each report (the perf.data stays in $raw).
profile_point () {
    local mtu=$1 tso=$2 type=$3 pids name=$1-$2-$3
    pids=$(vswitchd_pid hv1),$(vswitchd_pid hv2)
    # Flat profiles: the build has no frame pointers for call graphs.
    perf record -q -o "$raw/perf-$name.data" -p "$pids" \
        -- sleep "$duration" > /dev/null 2>&1 &
    perf_pid=$!
    vm vm1 timeout $((duration + 20)) iperf3 -c 198.51.100.2 \
        -t "$duration" > /dev/null 2>&1 || true
    wait $perf_pid || true
    perf_pid=
    {
        echo "# perf record, both ovs-vswitchd, ${duration} s of iperf3" \
             "(1 stream): MTU $mtu, userspace TSO $tso, $type"
        echo "# by object:"
        perf report -i "$raw/perf-$name.data" --stdio -q --no-children \
            --sort dso --percent-limit 2 2> /dev/null \
            | grep -v '^$' | sed 's/ *$//' | head -8
        echo "# by symbol (>= 1%):"
        perf report -i "$raw/perf-$name.data" --stdio -q --no-children \
            --sort dso,symbol --percent-limit 1 2> /dev/null \
            | grep -v '^$' | sed 's/[ -]*$//' | head -30
    } > "$raw/profile-$name.txt"
    echo "profile: $raw/profile-$name.txt"
}

# --- The report -------------------------------------------------------------

# write_report: results.md, summary.json and bench.png in $outdir from
# $raw/runs.csv and $raw/machine.env.
write_report () {
    mkdir -p "$outdir"
    cp "$raw/runs.csv" "$outdir/"
    cp "$raw"/profile-*.txt "$outdir/" 2> /dev/null || true
    $python "$top/utilities/nvo3_bench_report.py" userspace \
        "$raw/machine.env" "$outdir"
    echo
    cat "$outdir/results.md"
    echo "nvo3-bench: results in $outdir (raw data in $raw)"
}

# --- The run ----------------------------------------------------------------

# The report and plot run on Debian's python3, whatever else is in PATH.
# matplotlib is only needed here, so it is not in nvo3-deps.sh's list.
python=/usr/bin/python3
if ! $python -c 'import matplotlib' 2> /dev/null; then
    echo "nvo3-bench: installing python3-matplotlib for the plot"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends python3-matplotlib > /dev/null \
        || echo "nvo3-bench: no matplotlib: the PNG plot will be missing" >&2
fi

if [ -n "$report_only" ]; then
    # Only the report, again, from an earlier run's data.
    raw=$(cd "$report_only" && pwd)
    outdir=$outparent/bench-${raw##*/run-}
    write_report
    exit 0
fi

[ "$(id -u)" = 0 ] || { echo "nvo3-bench: must run as root" >&2; exit 1; }
for prog in iperf3 ethtool ip; do
    command -v $prog > /dev/null || {
        echo "nvo3-bench: $prog is missing (make deps)" >&2; exit 1; }
done
[ $profile = 0 ] || command -v perf > /dev/null || {
    echo "nvo3-bench: --profile needs perf (apt-get install linux-perf)" >&2
    exit 1; }

. "$top/utilities/nvo3-lab.sh"
LAB_QUIET=1
# NVO3_BENCH_PREFIX: another namespace prefix, for a second benchmark on
# the same machine (each run's start removes its prefix's leftovers).
lab_init_build "${NVO3_BENCH_PREFIX:-nvo3bench-}" "$top/build/bench" \
    "$builddir"

stamp=$(date +%Y%m%d-%H%M)
raw=$LAB_DIR/run-$stamp               # everything, including iperf3 JSON
outdir=$outparent/bench-$stamp          # the small, committable part
perf_pid=

bench_cleanup () {
    if [ -n "$perf_pid" ]; then
        kill -INT $perf_pid 2> /dev/null || true
        wait $perf_pid 2> /dev/null || true
    fi
    lab_down
}

lab_cleanup                            # leftovers of an interrupted run
rm -rf "$raw"
mkdir -p "$raw/json"
# The INT trap may run while a function's stdout goes to a JSON file:
# it says so on the stdout of the script, kept as fd 9.
exec 9>&1
trap 'bench_cleanup' EXIT
trap 'printf "\nnvo3-bench: interrupted; partial data in %s\n" "$raw" >&9
      exit 130' INT TERM

hz=$(getconf CLK_TCK)
csv=$raw/runs.csv
echo "mtu,tso,kind,type,streams,rep,vm_mtu,ok,seconds,mbps,bytes,\
retransmits,cpu_hv1_s,cpu_hv2_s,cpu_s_per_gb,rx_pps,hv2_us_per_pkt,load1,\
soft_seg_hv1,push_drops_hv1,vm1_pkts,uplink_pkts_hv1,reasm_completed_hv2,\
reasm_lost_hv2" \
    > "$csv"

probe_tunnel_tso
if [ $tunnel_tso = 1 ]; then
    echo "nvo3-bench: this base's own tunnels carry TSO" \
         "($soft_seg): gre, vxlan, geneve and nvgre are" \
         "measured with TSO on too"
else
    echo "nvo3-bench: this base's own tunnels cannot carry TSO" \
         "(no software segmentation): gre stands for them with TSO on"
fi
plan > "$raw/plan.txt"
npoints=$(wc -l < "$raw/plan.txt")
[ "$npoints" -gt 0 ] || { echo "nvo3-bench: nothing to measure" >&2; exit 1; }
nruns=$(awk -v r="$reps" -v d="$duration" -v u="$pps_duration" '
    { n += r; s += r * (($3 == "udp" ? u : d) + 0.3) }
    END { printf "%d %d", n, s }' "$raw/plan.txt")
read -r nruns est <<< "$nruns"
nconf=$(cut -d' ' -f1,2 "$raw/plan.txt" | sort -u | wc -l)
est=$((est + nconf * 12))
[ $profile = 0 ] || est=$((est + nconf * 3 * (duration + 5)))

# The machine and what else was running on it, for the report.
cat > "$raw/machine.env" <<EOF
date=$(date -u '+%Y-%m-%d %H:%M UTC')
nproc=$(nproc)
mem_gib=$(awk '/^MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
kernel=$(uname -r)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ovs=$(ovs-vswitchd --version | head -1)
iperf3=$(iperf3 --version | head -1 | cut -d' ' -f1,2)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
command=utilities/nvo3-bench.sh ${builddir#$top/} $args
duration=$duration
reps=$reps
pps_duration=$pps_duration
udp_rate=$udp_rate
tunnel_tso=$tunnel_tso
EOF

echo "nvo3-bench: $npoints points x $reps runs ($nruns runs," \
     "TCP ${duration} s, UDP ${pps_duration} s) in $nconf switch" \
     "configurations; about $((est / 60)) min"
echo "nvo3-bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
n=0
for conf in $(cut -d' ' -f1,2 "$raw/plan.txt" | tr ' ' / | uniq); do
    mtu=${conf%/*} tso=${conf#*/}
    echo "--- underlay MTU $mtu, userspace TSO $tso"
    lab_up "$mtu" "$tso"
    # Repetitions go round all the types, so that a burst of load from
    # elsewhere hits different types rather than every run of one.
    for rep in $(seq 1 "$reps"); do
        cur=
        while read -r -u 3 pmtu ptso kind type streams; do
            [ "$pmtu/$ptso" = "$conf" ] || continue
            setup=$type/$([ $kind = gso ] && echo gso || echo plain)
            if [ "$setup" != "$cur" ]; then
                [ "$type" = "${cur%/*}" ] || {
                    tunnel_down
                    tunnel_up "$type" "$mtu" \
                        || echo "nvo3-bench: $type: vm2 does not answer pings"
                }
                set_variant "$tso" "$type" "$kind"
                cur=$setup
            fi
            n=$((n + 1))
            elapsed=$(date -u -d @$(( $(date +%s) - start )) +%M:%S)
            printf '[%d/%d %s] MTU %s TSO %-3s %-6s %-3s P%s run %s/%s: ' \
                $n "$nruns" "$elapsed" "$mtu" "$tso" "$type" "$kind" \
                "$streams" "$rep" "$reps"
            run_point "$mtu" "$tso" "$kind" "$type" "$streams" "$rep"
        done 3< "$raw/plan.txt"
    done
    if [ $profile = 1 ]; then
        for type in none gre stt; do
            grep -q "^$mtu $tso tcp $type " "$raw/plan.txt" || continue
            tunnel_down
            tunnel_up "$type" "$mtu" || true
            set_variant "$tso" "$type" tcp
            profile_point "$mtu" "$tso" "$type"
        done
    fi
    tunnel_down
done
lab_down
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$raw/machine.env"
echo "runtime_s=$(( $(date +%s) - start ))" >> "$raw/machine.env"

write_report
