#! /bin/bash
# ovs-nvo3 demo: two "hypervisors" (ovsdb-server + ovs-vswitchd, userspace
# datapath, each in its own network namespace) joined by a veth underlay, in
# the layout of seed 000: br1 holds the uplink eth0 and tep0 (the tunnel
# endpoint address), br2 holds a VM and the tunnel port.  For each tunnel
# type in turn it adds the tunnel, pings and runs iperf3 between the VMs, and
# shows what crossed.
#
# Usage: nvo3-demo.sh BUILDDIR [TYPE...]      (run as root)
set -e -o pipefail

builddir=${1:?usage: nvo3-demo.sh BUILDDIR [TYPE...]}
shift
types=${*:-stt}
top=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" = 0 ] || { echo "nvo3-demo: must run as root" >&2; exit 1; }
. "$top/utilities/nvo3-lab.sh"
lab_init_build nvo3demo- "$top/build/demo" "$builddir"
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

banner "Demo finished: traffic crossed the $types tunnel(s)"
