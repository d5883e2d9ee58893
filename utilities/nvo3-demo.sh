#! /bin/bash
# ovs-nvo3 demo: two "hypervisors" (ovsdb-server + ovs-vswitchd, userspace
# datapath, each in its own network namespace) joined by a veth underlay, in
# the layout of seed 000: br1 holds the uplink eth0 and tep0 (the tunnel
# endpoint address), br2 holds a VM and the tunnel port.  For each tunnel
# type in turn it adds the tunnel, pings and runs iperf3 between the VMs, and
# shows what crossed.  Then, on fresh hypervisors with userspace TSO on, a
# short side by side from the same run: no tunnel, STT, and the best other
# tunnel this base carries with TSO (on a base whose own tunnels cannot,
# GRE with the VMs' offloads off), with the ratios.
#
# Usage: nvo3-demo.sh BUILDDIR [TYPE...]      (run as root)
set -e -o pipefail

builddir=${1:?usage: nvo3-demo.sh BUILDDIR [TYPE...]}
shift
types=${*:-stt}
top=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" = 0 ] || { echo "nvo3-demo: must run as root" >&2; exit 1; }
. "$top/utilities/nvo3-lab.sh"
# NVO3_DEMO_PREFIX: another namespace prefix, for a second demo at once.
lab_init_build "${NVO3_DEMO_PREFIX:-nvo3demo-}" "$top/build/demo" "$builddir"
lab_cleanup                          # leftovers of an interrupted run
trap 'lab_cleanup' EXIT
trap 'echo; echo "nvo3-demo: interrupted"; exit 130' INT TERM

banner () { printf '\n=== %s\n' "$*"; }

banner "Two hypervisors joined by an underlay (192.0.2.0/24)"
lab_two_hvs 2>/dev/null
hv_add_vm hv1 vm1 198.51.100.1/24
hv_add_vm hv2 vm2 198.51.100.2/24
ovs-vswitchd --version | head -1
hv hv1 ping -q -c 1 -W 2 192.0.2.2 > /dev/null
echo "tep0 of hv1 reaches tep0 of hv2"

for type in $types; do
    port=${type}0
    banner "$type tunnel between the br2 bridges"
    # A tenant key for each: an STT context ID, an NVGRE VSID.  STT
    # segments frames bigger than the underlay MTU itself, so its VMs keep
    # the usual 1500 bytes; the others need room for their headers.
    case $type in
        stt) key=0x1234567890 mtu=1500 ;;
        nvgre) key=5000 mtu=1400 ;;
        *) key=5000 mtu=1400 ;;
    esac
    vm vm1 ip link set eth0 mtu $mtu
    vm vm2 ip link set eth0 mtu $mtu
    lab_pair_tunnel "$port" "$type" options:key=$key
    hv_vsctl hv1 show

    banner "$type: ping vm1 (hv1) -> vm2 (hv2)"
    lab_wait_until 60 vm_reaches vm1 198.51.100.2 \
        || { echo "nvo3-demo: vm2 does not answer across $type" >&2; exit 1; }
    vm vm1 ping -c 3 -i 0.2 198.51.100.2
    echo "largest frames the VMs' MTU of $mtu allows:"
    vm vm1 ping -c 3 -i 0.2 -s $((mtu - 28)) -M do 198.51.100.2 | tail -2

    banner "$type: iperf3 vm1 -> vm2, 3 seconds"
    lab_iperf3 vm1 vm2 198.51.100.2 -t 3 -f m | grep -E 'sender|receiver'

    banner "$type: what crossed (hv1)"
    echo "tunnel port $port:"
    hv_ofctl hv1 dump-ports br2 "$port" | sed -n '2,$p'
    echo "underlay port eth0:"
    hv_ofctl hv1 dump-ports br1 eth0 | sed -n '2,$p'
    if [ "$type" = stt ]; then
        echo "STT reassembly on hv2 (frames that crossed in several segments):"
        hv_appctl hv2 stt/reassembly-show | sed 's/^/  /'
    fi
    echo "datapath flows encapsulating with $type:"
    hv_appctl hv1 dpctl/dump-flows | grep -o 'tnl_push([^)]*),header(size=[0-9]*,type=[0-9]*' \
        | sort | uniq -c

    hv_vsctl hv1 del-port "$port"
    hv_vsctl hv2 del-port "$port"
done

# --- Side by side, userspace TSO on ------------------------------------------

SBS_SECONDS=3

cpu_ticks () {
    local f
    read -r -a f < "/proc/$1/stat"
    echo $((f[13] + f[14]))
}

# sbs_run TYPE OFFLOAD: connects the VMs' br2 bridges by TYPE (none: patch
# ports to br1, bridging the VMs onto the underlay), with the VMs at the
# largest MTU TYPE carries in the underlay's 1500 and their transmit
# offloads OFFLOAD (on/off); one iperf3 run; prints "MBIT/S CPU-S/GB VM-MTU".
sbs_run () {
    local type=$1 offload=$2 mtu=1500 key=5000 h v p1 p2 c0 c1 res json
    case $type in
        gre|nvgre) mtu=1458 ;;        # IPv4 20 + GRE with key 8 + Ethernet 14
        vxlan|geneve) mtu=1450 ;;     # IPv4 20 + UDP 8 + 8 + Ethernet 14
    esac
    for v in vm1 vm2; do
        vm $v ip link set eth0 mtu $mtu
        vm $v ethtool -K eth0 tx $offload tso $offload > /dev/null 2>&1 || :
    done
    if [ "$type" = none ]; then
        for h in hv1 hv2; do
            hv_vsctl $h -- add-port br2 patch-br1 \
                -- set interface patch-br1 type=patch options:peer=patch-br2 \
                -- add-port br1 patch-br2 \
                -- set interface patch-br2 type=patch options:peer=patch-br1
        done
    else
        [ "$type" != stt ] || key=0x1234567890
        lab_pair_tunnel sbs0 "$type" options:key=$key
    fi
    lab_wait_until 60 vm_reaches vm1 198.51.100.2 || {
        echo "nvo3-demo: vm2 does not answer across $type" >&2; return 1; }
    p1=$(cat "$LAB_DIR/hv1/ovs-vswitchd.pid")
    p2=$(cat "$LAB_DIR/hv2/ovs-vswitchd.pid")
    json=$LAB_DIR/sbs-$type.json
    c0=$(( $(cpu_ticks "$p1") + $(cpu_ticks "$p2") ))
    lab_iperf3 vm1 vm2 198.51.100.2 -t $SBS_SECONDS -J > "$json" || :
    c1=$(( $(cpu_ticks "$p1") + $(cpu_ticks "$p2") ))
    for h in hv1 hv2; do
        hv_vsctl $h -- --if-exists del-port br2 sbs0 \
            -- --if-exists del-port br2 patch-br1 \
            -- --if-exists del-port br1 patch-br2
    done
    res=$(python3 "$top/utilities/nvo3-iperf3-result.py" "$json") || {
        echo "nvo3-demo: iperf3 across $type failed ($json)" >&2; return 1; }
    echo "$res $c0 $c1 $(getconf CLK_TCK) $mtu" | awk '{
        printf "%d %.2f %d\n", $1, ($5 - $4) / $6 / ($2 / 1e9), $7 }'
}

banner "Side by side: userspace TSO on, iperf3 vm1 -> vm2, $SBS_SECONDS s each"
# Userspace TSO is read when ovs-vswitchd starts: fresh hypervisors.
lab_cleanup
echo "fresh hypervisors with userspace TSO on, VMs with their offloads on"
LAB_USERSPACE_TSO=1 LAB_VM_OFFLOAD=1 LAB_QUIET=1
lab_two_hvs 2>/dev/null
hv_add_vm hv1 vm1 198.51.100.1/24 1500
hv_add_vm hv2 vm2 198.51.100.2/24 1500
hv hv1 ping -q -c 1 -W 2 192.0.2.2 > /dev/null
# Does this base segment tunnel packets in software (upstream 3.5 and later)?
# Then its own tunnels carry TSO packets; 3.1's drop them.
if [ -n "$(lab_soft_seg_counter hv1)" ]; then
    others="gre vxlan geneve nvgre" other_offload=on
    echo "this base's own tunnels carry TSO (software segmentation):" \
         "the best of GRE, VXLAN, Geneve and NVGRE is shown"
else
    others=gre other_offload=off
    echo "this base's own tunnels (GRE, VXLAN, Geneve, NVGRE) cannot carry" \
         "TSO: GRE is shown with the VMs' offloads off"
fi
declare -A sbs_mbps sbs_cpu sbs_mtu
for type in none stt $others; do
    offload=on
    [ "$type" = none ] || [ "$type" = stt ] || offload=$other_offload
    read -r sbs_mbps[$type] sbs_cpu[$type] sbs_mtu[$type] \
        <<< "$(sbs_run "$type" "$offload" || echo "0 0 0")"
done
best=
for type in $others; do
    [ -n "$best" ] && [ "${sbs_mbps[$type]}" -le "${sbs_mbps[$best]}" ] \
        || best=$type
done
name () {
    case $1 in
        none) echo "no tunnel" ;; stt) echo STT ;; gre) echo GRE ;;
        vxlan) echo VXLAN ;; geneve) echo Geneve ;; nvgre) echo NVGRE ;;
    esac
}
label=$(name "$best")
[ "$other_offload" = on ] || label="$label (offloads off)"
printf '%-22s %6s %8s %11s %9s\n' "" "VM MTU" "Mbit/s" "x no tunnel" \
    "CPU s/GB"
for type in none stt $best; do
    l=$(name "$type")
    [ "$type" != "$best" ] || l=$label
    printf '%-22s %6s %8s %11s %9s\n' "$l" "${sbs_mtu[$type]}" \
        "${sbs_mbps[$type]}" \
        "$(awk -v a="${sbs_mbps[$type]}" -v b="${sbs_mbps[none]}" \
            'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')" \
        "${sbs_cpu[$type]}"
done
awk -v a="${sbs_mbps[stt]}" -v b="${sbs_mbps[$best]}" -v n="$label" \
    'BEGIN { if (b > 0) printf "STT: %.2fx %s\n", a / b, n }'
if [ "$others" != gre ]; then
    printf 'all measured:'
    for type in $others; do
        printf ' %s %s' "$(name "$type")" "${sbs_mbps[$type]}"
    done
    echo " Mbit/s"
fi
echo "(a few seconds each on a shared machine: make bench measures properly)"

banner "Demo finished: traffic crossed the $types tunnel(s)"
