#! /bin/sh
# The guest half of nvo3-bench-kernel.sh: runs as root inside the QEMU guest
# that nvo3-vm.sh boots, with the run's work directory (the share) as its
# working directory.  Not meant to be run by hand on a host: it loads
# kernel modules and builds namespaces.
#
# Usage: nvo3-bench-kernel-guest.sh DURATION REPS TYPES [VM-MTU]
#
#   hv1, hv2: ovsdb-server + ovs-vswitchd, both on the Linux kernel datapath
#   (each network namespace has its own ovs-system), in seed 000's layout:
#   br1 with the veth underlay eth0 and tep0 (192.0.2.1, .2), br2 with a VM
#   (vm1 on hv1, vm2 on hv2, 198.51.100.1, .2).  A second veth pair, dir0,
#   joins hv1 and hv2 directly; it is a port of both br2 only for "none".
#
# For REPS rounds, each TYPE in turn (none gre vxlan geneve nvgre stt): the
# tunnel (or dir0) goes in, iperf3 runs vm1 -> vm2 for DURATION seconds, the
# tunnel comes out.  Writes, in the working directory:
#
#   runs.csv       one line per run (see the header)
#   json/          iperf3 -J of every run
#   stt/           ethtool -S of both STT devices before and after each run
#   marks/         RUN.start and RUN.end, created around each iperf3 run so
#                  that the host can read QEMU's CPU time at the same moments
#   guest.env      kernel, CPUs, versions
#   log/           the switches' logs, dpctl/show, dmesg
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
duration=${1:-5}
reps=${2:-3}
types=${3:-"none gre vxlan geneve nvgre stt"}
fixed_mtu=$4
OVS=${OVS_BUILD:-$top/build/ovs}
KO=${STT_KO:-$top/datapath/linux/stt.ko}
py=/usr/bin/python3
work=$(pwd)
hz=$(getconf CLK_TCK)

say () { echo "bench-kernel: $*"; }
die () {
    say "FATAL: $*"
    save_logs
    lab_cleanup 2> /dev/null
    exit 1
}
save_logs () {
    mkdir -p "$work/log"
    for h in hv1 hv2; do
        cp "$LAB_DIR/$h/ovs-vswitchd.log" "$work/log/$h-ovs-vswitchd.log" \
            2> /dev/null
    done
    dmesg > "$work/log/dmesg.txt" 2> /dev/null
}

. "$top/utilities/nvo3-lab.sh"
LAB_QUIET=1
# With offloads on in the VMs: both ends are kernel datapaths, which carry
# partial checksums and GSO packets as they are (see the host script).
LAB_VM_OFFLOAD=1
lab_init_build kbench- /tmp/kbench "$OVS" || die "lab_init"
mkdir -p json stt marks log

# VM MTU per type: none and STT keep 1500 (STT segments its frames itself);
# the others get 1450, which leaves room for VXLAN's and Geneve's 50 bytes
# (GRE and NVGRE need 42) inside the underlay's 1500.  VM-MTU, if given, is
# every type's.
vm_mtu () {
    if [ -n "$fixed_mtu" ]; then
        echo "$fixed_mtu"
        return
    fi
    case $1 in none|stt) echo 1500 ;; *) echo 1450 ;; esac
}

# Busy and total jiffies of the whole guest (all CPUs) from /proc/stat:
# user nice system idle iowait irq softirq steal.
cpu_jiffies () {
    awk '$1 == "cpu" {
        busy = $2 + $3 + $4 + $7 + $8 + $9
        print busy, busy + $5 + $6; exit }' /proc/stat
}

# stt_stat HV COUNTER: one ethtool -S counter of HV's stt_sys_7471.
stt_stat () {
    hv "$1" ethtool -S stt_sys_7471 2> /dev/null \
        | awk -v k="$2:" '$1 == k { print $2 }'
}

# dev_stat HV DEV COUNTER: /sys/class/net/DEV/statistics/COUNTER in HV.
dev_stat () {
    hv "$1" cat "/sys/class/net/$2/statistics/$3" 2> /dev/null || echo 0
}

# The ports of one type's device in hv1's kernel datapath, to wait for the
# device of the previous type to be gone (gre and nvgre share gre_sys).
dp_dev () {
    case $1 in
        gre|nvgre) echo gre_sys ;;
        vxlan) echo vxlan_sys_4789 ;;
        geneve) echo genev_sys_6081 ;;
        stt) echo stt_sys_7471 ;;
        none) echo dir0 ;;
    esac
}

tunnel_up () {
    local type=$1 key=5000 h v mtu
    mtu=$(vm_mtu "$type")
    for v in vm1 vm2; do
        vm $v ip link set eth0 mtu "$mtu" || return 1
    done
    if [ "$type" = none ]; then
        for h in hv1 hv2; do
            hv_vsctl $h add-port br2 dir0 || return 1
        done
    else
        [ "$type" != stt ] || key=0x123456789a
        lab_pair_tunnel tun0 "$type" options:key=$key || return 1
        for h in hv1 hv2; do
            [ "$(hv_vsctl $h get interface tun0 error)" = '[]' ] || {
                say "$h: tun0: $(hv_vsctl $h get interface tun0 error)"
                return 1
            }
        done
    fi
    lab_wait_until 60 vm_reaches vm1 198.51.100.2 || return 1
    vm vm2 ping -q -c 1 -W 2 198.51.100.1 > /dev/null 2>&1
}

tunnel_down () {
    local type=$1 h dev
    dev=$(dp_dev "$type")
    for h in hv1 hv2; do
        hv_vsctl $h -- --if-exists del-port br2 tun0 \
            -- --if-exists del-port br2 dir0
    done
    [ "$type" != none ] || return 0
    for h in hv1 hv2; do
        lab_wait_until 30 hv_no_link "$h" "$dev" || say "$h: $dev still there"
    done
}

STT_TX="tx_frames tx_gso_frames tx_segmented_sw tx_csum_partial"
STT_RX="rx_frames rx_segments rx_gso_frames reasm_frames rx_csum_partial"

# run_one REP TYPE: one iperf3 run and its CSV line.
run_one () {
    local rep=$1 type=$2 name=$2-$1 wire=eth0 rc=0 ok=1 res
    local mbps=0 bytes=0 retr=0 cpugb= stt_vals= c k
    local b0 t0 b1 t1 p0 y0 p1 y1 load1
    [ "$type" != none ] || wire=dir0
    load1=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$type" = stt ]; then
        { hv hv1 ethtool -S stt_sys_7471; hv hv2 ethtool -S stt_sys_7471; } \
            > "stt/$name.before" 2>&1
        s0=
        for c in $STT_TX; do s0="$s0 $(stt_stat hv1 $c)"; done
        for c in $STT_RX; do s0="$s0 $(stt_stat hv2 $c)"; done
    fi
    p0=$(dev_stat hv2 $wire rx_packets)
    y0=$(dev_stat hv2 $wire rx_bytes)
    : > "marks/$name.start"
    set -- $(cpu_jiffies)
    b0=$1 t0=$2
    vm vm1 timeout $((duration + 60)) iperf3 -c 198.51.100.2 \
        -t "$duration" -J < /dev/null > "json/$name.json" 2>&1 || rc=$?
    set -- $(cpu_jiffies)
    b1=$1 t1=$2
    : > "marks/$name.end"
    p1=$(dev_stat hv2 $wire rx_packets)
    y1=$(dev_stat hv2 $wire rx_bytes)
    if [ "$type" = stt ]; then
        s1=
        for c in $STT_TX; do s1="$s1 $(stt_stat hv1 $c)"; done
        for c in $STT_RX; do s1="$s1 $(stt_stat hv2 $c)"; done
        stt_vals=$(echo "$s0 : $s1" | awk '{
            n = (NF - 1) / 2; out = ""
            for (i = 1; i <= n; i++)
                out = out (i > 1 ? "," : "") ($(n + 1 + i) - $i)
            print out }')
        { hv hv1 ethtool -S stt_sys_7471; hv hv2 ethtool -S stt_sys_7471; } \
            > "stt/$name.after" 2>&1
    else
        stt_vals=",,,,,,,,"
    fi
    if res=$($py "$top/utilities/nvo3-iperf3-result.py" "json/$name.json" \
             2> /dev/null) && [ $rc = 0 ]; then
        set -- $res
        mbps=$1 bytes=$2 retr=$3
        cpugb=$(echo "$b0 $b1 $hz $bytes" | awk '{
            printf "%.3f", ($2 - $1) / $3 / ($4 / 1e9) }')
    else
        ok=0
    fi
    echo "$rep,$type,$(vm_mtu "$type"),$ok,$duration,$mbps,$bytes,$retr,\
$((b1 - b0)),$((t1 - t0)),$hz,$cpugb,$wire,$((p1 - p0)),$((y1 - y0)),\
$stt_vals,$load1" >> runs.csv
    if [ $ok = 1 ]; then
        say "$name: $mbps Mbit/s, $cpugb guest CPU-s/GB," \
            "$(( (b1 - b0) * 100 / (t1 - t0 + 1) ))% busy, $retr retransmits"
    else
        say "$name: FAILED (iperf3 status $rc, see json/$name.json)"
    fi
}

# --- Setup -------------------------------------------------------------------

[ -r "$KO" ] || die "no module at $KO"
command -v ovs-vswitchd > /dev/null || die "no ovs-vswitchd in $OVS"
command -v iperf3 > /dev/null || die "no iperf3"
for m in openvswitch ip_gre vxlan geneve veth; do
    modprobe $m || die "modprobe $m"
done
insmod "$KO" || die "insmod $KO"
{
    echo "kernel=$(uname -r)"
    echo "cpus=$(nproc)"
    echo "cpu_model=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
    echo "mem_kb=$(awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
    echo "ovs=$(ovs-vswitchd --version | head -n 1)"
    echo "iperf3=$(iperf3 --version | head -n 1)"
    echo "hz=$hz"
    echo "duration=$duration"
    echo "reps=$reps"
    echo "types=$types"
    echo "vm_mtu=${fixed_mtu:-1500 for none and stt, 1450 for the others}"
} > guest.env

hv_start hv1 system || die "hv1"
hv_start hv2 system || die "hv2"
lab_pair hv1 hv2 || die "underlay and teps"
lab_link hv1 dir0 hv2 dir0 || die "dir0"
hv_add_vm hv1 vm1 198.51.100.1/24 1500 02:00:00:00:00:01 || die "vm1"
hv_add_vm hv2 vm2 198.51.100.2/24 1500 02:00:00:00:00:02 || die "vm2"
for h in hv1 hv2; do
    [ "$(hv_vsctl $h get bridge br2 datapath_type)" = system ] \
        || die "$h's br2 is not on the kernel datapath"
    hv $h ip link show ovs-system > /dev/null 2>&1 \
        || die "$h has no ovs-system (kernel datapath)"
    grep -q 'Overriding n-handler-threads to 0' \
        "$LAB_DIR/$h/ovs-vswitchd.log" && die "$h has no upcall handlers"
done
hv hv1 ping -q -c 1 -W 2 192.0.2.2 > /dev/null || die "underlay ping"
# Offloads as they came: record them once.
{
    for h in hv1 hv2; do
        for d in eth0 tep0 dir0 vm1 vm2; do
            hv $h ethtool -k $d > /dev/null 2>&1 || continue
            echo "== $h $d"
            hv $h ethtool -k $d | grep -E \
                '^(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-gre-segmentation|tx-udp_tnl-segmentation):'
        done
    done
    echo "== vm1 eth0"
    vm vm1 ethtool -k eth0 | grep -E \
        '^(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload):'
} > log/offloads.txt
lab_iperf3_server vm2 > log/iperf3-server.log 2>&1 || die "iperf3 server"
say "ready $(cut -d' ' -f1 /proc/uptime) s after boot"

echo "rep,type,vm_mtu,ok,seconds,mbps,bytes,retransmits,busy_jiffies,\
total_jiffies,hz,cpu_s_per_gb,wire_dev,wire_rx_pkts,wire_rx_bytes,\
stt_tx_frames,stt_tx_gso_frames,stt_tx_segmented_sw,stt_tx_csum_partial,\
stt_rx_frames,stt_rx_segments,stt_rx_gso_frames,stt_reasm_frames,\
stt_rx_csum_partial,guest_load1" > runs.csv

# --- Measuring: round-robin over the types, so that a burst of load from
# elsewhere on the host spreads over types instead of hitting one.
rep=1
while [ $rep -le "$reps" ]; do
    for t in $types; do
        if tunnel_up "$t"; then
            [ $rep != 1 ] || hv_appctl hv1 dpctl/show > "log/dpctl-$t.txt" 2>&1
            run_one $rep "$t"
            [ $rep != 1 ] || hv_appctl hv1 dpctl/dump-flows \
                > "log/flows-$t.txt" 2>&1
        else
            say "$t-$rep: FAILED (no connectivity)"
            # 11 fields, then 14 empty ones (as in the header).
            echo "$rep,$t,$(vm_mtu "$t"),0,$duration,0,0,0,0,0,$hz,,,,,,,,,,,,,," \
                >> runs.csv
        fi
        tunnel_down "$t"
    done
    rep=$((rep + 1))
done

lab_iperf3_stop vm2
save_logs
lab_cleanup
rmmod stt 2> /dev/null || say "rmmod stt failed"
if dmesg | grep -E 'WARNING|BUG|leak' > log/dmesg-warnings.txt; then
    say "kernel warnings: see log/dmesg-warnings.txt"
fi
if awk -F, 'NR > 1 && $4 == 0 { f = 1 } END { exit !f }' runs.csv; then
    say "some runs failed"
    exit 1
fi
exit 0
