#! /bin/sh
# STT and NVGRE ports of Open vSwitch's Linux kernel datapath, against the
# userspace datapath's, inside a throw-away VM (run by nvo3-vm.sh; see
# tests/kernel/run.sh):
#
#   hv1: kernel datapath (br1 with eth0 and tep0 192.0.2.1, br2 with vm1)
#   hv2: userspace datapath (the same, tep0 192.0.2.2, br2 with vm2)
#
# Each tunnel type in turn: hv1's port is created by ovs-vswitchd through
# rtnetlink (stt_sys_7471 from datapath/linux/stt.ko, gre_sys a gretap
# device, ip6gre_sys an ip6gretap device for NVGRE over IPv6), the VMs ping
# and run iperf3 across, and the wire format and counters are checked.
# First, an stt port without the module must say what to install; then the
# module is installed as a package would (/lib/modules/KVER/updates,
# depmod) and the kernel must load it by itself when ovs-vswitchd creates
# the device.  Exits non-zero if any check fails.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
KO=${STT_KO:-$top/datapath/linux/stt.ko}
# The OVS build: the first argument (tests/kernel/run.sh passes $OVS_BUILD).
OVS=${1:-$top/build/ovs}

# dump: the switches' last log lines, shown on a failure.
dump() {
    for f in "$LAB_DIR"/*/ovs-vswitchd.log; do
        echo "=== $f"; tail -30 "$f"
    done
}

# kstat HV DEV COUNTER: an ethtool -S counter of a device in HV.
kstat() {
    hv "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}
no_error() { test "$(hv_vsctl hv1 get interface "$1" error)" = '[]'; }
link_kind() { hv hv1 ip -d link show "$1" | grep -qw "$2"; }
in_datapath() { hv_appctl hv1 dpctl/show | grep -q "$1"; }
dp_flows_have() { hv_appctl hv1 dpctl/dump-flows | grep -qF "$1"; }
is_system() { hv_vsctl hv1 get bridge br2 datapath_type | grep -qx system; }
# link_gone DEV: hv1's DEV goes away (within 30 s).
link_gone() { lab_wait_until 30 hv_no_link hv1 "$1"; }
ping_ok() {
    vm "$1" ping -q -c 5 -i 0.2 -W 2 "$2" | grep -q ' 0% packet loss'
}

LAB_QUIET=1
lab_init_build kdp- "$T/lab" "$OVS" || die "no Open vSwitch build in $OVS"
echo "testing $("$OVS/vswitchd/ovs-vswitchd" --version | head -n 1)"
[ -r "$KO" ] || die "no module at $KO (make -C datapath/linux)"

# Upstream 3.1's count_cpu_cores() returned 0 when first called less than
# 10 s after boot, which can leave a kernel datapath without upcall
# handlers (patches/3.1/0020 counts on the first call).  hv1 opens its
# datapath as early as it can (br0, a bridge of its own), before the other
# modules are loaded, and the handler count is checked below.  (In our
# runs the unpatched switch still got its handlers here: the count that
# matters came late enough; so this is a sanity check, not a reproducer.)
modprobe openvswitch || die "modprobe openvswitch"
hv_start hv1 system || die "hv1"
hv_vsctl hv1 add-br br0 -- set bridge br0 datapath_type=system || die "br0"
up=$(cut -d' ' -f1 /proc/uptime)
echo "   hv1 opened its kernel datapath ${up} s after boot"
modprobe ip_gre || die "modprobe ip_gre"
# The userspace datapath's bridge ports are taps.
modprobe tun || die "modprobe tun"
hv_start hv2 || die "hv2"
lab_pair hv1 hv2 || die "underlay and teps"
# hv1's kernel leaves outer checksums to the device (CHECKSUM_PARTIAL).
# A NIC would fill them in; here the frames cross a veth to hv2, whose
# userspace datapath reads them raw and would drop them as corrupt, so
# tep0 gets no checksum offload and the kernel completes them (and
# segments STT frames in software) before they leave.
hv hv1 ethtool -K tep0 tx off > /dev/null || die "tep0 tx off"
hv_add_vm hv1 vm1 198.51.100.1/24 1400 02:00:00:00:00:01 || die "vm1"
hv_add_vm hv2 vm2 198.51.100.2/24 1400 02:00:00:00:00:02 || die "vm2"
check "hv1's bridges are on the kernel datapath" is_system
check "hv1 has a kernel datapath" hv hv1 ip link show ovs-system
handlers() {
    grep -q 'Overriding n-handler-threads to [1-9]' "$LAB_DIR/hv1/ovs-vswitchd.log" \
        && ! grep -q 'Overriding n-handler-threads to 0' "$LAB_DIR/hv1/ovs-vswitchd.log"
}
check "hv1 has upcall handlers" handlers

log "STT without the module: the Interface says what to install"
s0=$(date +%s)
check "the stt module is not loaded" test ! -e /sys/module/stt
has_error() { test "$(hv_vsctl hv1 get interface "$1" error)" != '[]'; }
# ovs-vsctl commits the port, then waits for it: where ovs-vswitchd has
# already failed it by then (4.0), ovs-vsctl says so and exits 1.  Either
# way the port stays in the database and its Interface holds the error.
out=$(hv_tunnel hv1 stt0 stt 192.0.2.2 2>&1) \
    || echo "$out" | grep -q 'install the stt-dkms package' \
    || die "hv1 add stt0: $out"
lab_wait_until 30 has_error stt0
expect "hv1's stt0 error" "$(hv_vsctl hv1 get interface stt0 error)" \
    '"could not add network device stt0 to ofproto (STT needs the stt kernel module: install the stt-dkms package)"'
expect "stt0 has no OpenFlow port" \
    "$(hv_vsctl hv1 get interface stt0 ofport)" -1
hv_vsctl hv1 del-port stt0
# Installed as a package installs it; from here on nobody loads it but
# the kernel, through its alias rtnl-link-stt, when ovs-vswitchd asks for
# an "stt" link.
kv=$(uname -r)
mkdir -p "/lib/modules/$kv/updates" && cp "$KO" "/lib/modules/$kv/updates/" \
    && depmod -a "$kv" || die "install $KO into /lib/modules/$kv/updates"
expect "modules.alias maps rtnl-link-stt to stt" \
    "$(awk '$2 == "rtnl-link-stt" { print $3 }' "/lib/modules/$kv/modules.alias")" stt
check "the stt module is still not loaded" test ! -e /sys/module/stt
echo "   the missing module and its install took $(( $(date +%s) - s0 )) s"

# The VMs reach each other across the tunnel and iperf3 runs for 3 s.
traffic() {
    what=$1
    lab_wait_until 60 vm_reaches vm1 198.51.100.2
    check "$what: vm1 pings vm2" ping_ok vm1 198.51.100.2
    check "$what: vm2 pings vm1" ping_ok vm2 198.51.100.1
    if lab_iperf3 vm1 vm2 198.51.100.2 -t 3 -J > "$T/iperf3.json" \
       && /usr/bin/python3 "$top/utilities/nvo3-iperf3-result.py" \
              "$T/iperf3.json" > "$T/iperf3.txt" 2>&1; then
        pass "$what: iperf3 vm1 -> vm2: $(cat "$T/iperf3.txt")"
    else
        fail "$what: iperf3 vm1 -> vm2"
    fi
}

log "STT: kernel (hv1) <-> userspace (hv2)"
lab_pair_tunnel stt0 stt options:key=0x123456789a || die "stt0"
check "hv1's stt0 has no error" no_error stt0
check "the kernel loaded the stt module by its alias" test -e /sys/module/stt
expect "the kernel's modprobe found stt in updates/" \
    "$(modinfo -n stt)" "/lib/modules/$kv/updates/stt.ko"
check "ovs-vswitchd created stt_sys_7471, kind stt" link_kind stt_sys_7471 stt
check "stt_sys_7471 is a port of hv1's datapath" in_datapath stt_sys_7471
traffic STT
check "hv1's datapath sets tun_id 0x123456789a" \
    dp_flows_have "set(tunnel(tun_id=0x123456789a,dst=192.0.2.2"
tx=$(kstat hv1 stt_sys_7471 tx_frames)
rx=$(kstat hv1 stt_sys_7471 rx_frames)
expect_ge "stt_sys_7471 tx_frames" "${tx:-0}" 10
expect_ge "stt_sys_7471 rx_frames" "${rx:-0}" 10
echo "   ethtool -S stt_sys_7471:"
hv hv1 ethtool -S stt_sys_7471 | grep -v ': 0$' | sed 's/^/   /'
hv_vsctl hv1 del-port stt0
hv_vsctl hv2 del-port stt0
check "deleting the port removes stt_sys_7471" link_gone stt_sys_7471

log "STT over IPv6: kernel (hv1) <-> userspace (hv2)"
for h in hv1 hv2; do
    hv "$h" sysctl -q -w net.ipv6.conf.tep0.disable_ipv6=0
done
hv_tep_addr hv1 2001:db8::1/64
hv_tep_addr hv2 2001:db8::2/64
hv_tunnel hv1 stt6 stt 2001:db8::2 options:key=66 || die "hv1 add stt6"
hv_tunnel hv2 stt6 stt 2001:db8::1 options:key=66 || die "hv2 add stt6"
check "hv1's stt6 has no error" no_error stt6
traffic "STT/IPv6"
check "hv1's datapath sets an IPv6 tunnel with tun_id 0x42" \
    dp_flows_have "set(tunnel(tun_id=0x42,ipv6_dst=2001:db8::2"
hv_vsctl hv1 del-port stt6
hv_vsctl hv2 del-port stt6

log "NVGRE over IPv6: kernel (hv1, ip6gretap) <-> userspace (hv2)"
s0=$(date +%s)
# devstat DEV COUNTER: a sysfs counter of hv1's DEV.
devstat() { hv hv1 cat "/sys/class/net/$1/statistics/$2"; }
hv_tunnel hv1 nv6 nvgre 2001:db8::2 options:key=6000 options:flowid=9 \
    || die "hv1 add nv6"
hv_tunnel hv2 nv6 nvgre 2001:db8::1 options:key=6000 options:flowid=9 \
    || die "hv2 add nv6"
check "hv1's nv6 has no error" no_error nv6
check "ovs-vswitchd created ip6gre_sys, kind ip6gretap" \
    link_kind ip6gre_sys ip6gretap
check "ip6gre_sys is in collect-metadata mode" link_kind ip6gre_sys external
check "ip6gre_sys is a port of hv1's datapath" in_datapath ip6gre_sys
tx0=$(devstat ip6gre_sys tx_packets)
rx0=$(devstat ip6gre_sys rx_packets)
lab_capture_start hv2 eth0 "$T/gre6.pcap" -c 2 \
    'ip6 proto 47 and src host 2001:db8::1' || fail "capture on hv2's eth0"
traffic "NVGRE/IPv6"
check "hv1's datapath sets an IPv6 tunnel with tun_id 0x177009" \
    dp_flows_have "set(tunnel(tun_id=0x177009,ipv6_dst=2001:db8::2"
lab_capture_stop "$T/gre6.pcap" 2
# The first frame's outer headers byte for byte (Ethernet type, IPv6 next
# header, addresses, the 8 GRE bytes: K only, TEB, key 6000 << 8 | 9), and
# os-ken's reading of it.
PYTHONPATH=$top/tests /usr/bin/python3 -c '
import ipaddress, sys
from nvo3_frames import nvgre_decode, read_capture
pkt = next(read_capture(sys.argv[1], 1))
print("type=%s nh=%d src=%s dst=%s gre=%s" % (
    pkt[12:14].hex(), pkt[20],
    ipaddress.IPv6Address(pkt[22:38]), ipaddress.IPv6Address(pkt[38:54]),
    pkt[54:62].hex()))
print(nvgre_decode(pkt))
' "$T/gre6.pcap" > "$T/gre6.txt" 2>&1
expect "hv1's first NVGRE/IPv6 frame, outer headers" \
    "$(sed -n 1p "$T/gre6.txt")" \
    "type=86dd nh=47 src=2001:db8::1 dst=2001:db8::2 gre=2000655800177009"
expect "hv1's first NVGRE/IPv6 frame, as os-ken reads it" \
    "$(sed -n 2p "$T/gre6.txt")" \
    "2001:db8::1>2001:db8::2 gre proto=0x6558 csum=no seq=no vsid=0x001770 flowid=0x09"
# 10 pings each way and iperf3's segments crossed ip6gretap.
expect_ge "ip6gre_sys tx_packets" \
    $(( $(devstat ip6gre_sys tx_packets) - tx0 )) 20
expect_ge "ip6gre_sys rx_packets" \
    $(( $(devstat ip6gre_sys rx_packets) - rx0 )) 20
hv_vsctl hv1 del-port nv6
hv_vsctl hv2 del-port nv6
echo "   NVGRE over IPv6 took $(( $(date +%s) - s0 )) s"

log "NVGRE: kernel (hv1) <-> userspace (hv2)"
lab_pair_tunnel nv0 nvgre options:key=5000 options:flowid=7 || die "nv0"
check "hv1's nv0 has no error" no_error nv0
check "ovs-vswitchd created gre_sys, kind gretap" link_kind gre_sys gretap
lab_capture_start hv2 eth0 "$T/gre.pcap" -c 2 \
    'ip proto 47 and src host 192.0.2.1' || fail "capture on hv2's eth0"
traffic NVGRE
# The datapath flows first, before they idle out (10 s).
check "hv1's datapath sets tun_id 0x138807" \
    dp_flows_have "set(tunnel(tun_id=0x138807,dst=192.0.2.2"
lab_capture_stop "$T/gre.pcap" 2
tcpdump -nn -v -r "$T/gre.pcap" > "$T/gre.txt" 2> /dev/null
check "hv1 sends GRE key 0x138807 (VSID 5000, FlowID 7)" \
    grep -q 'key=0x138807' "$T/gre.txt"
hv_vsctl hv1 del-port nv0
hv_vsctl hv2 del-port nv0

lab_cleanup
rmmod stt || fail "rmmod stt"
if dmesg | grep -E 'WARNING|BUG|leak' > "$T/dmesg"; then
    fail "kernel warnings"; cat "$T/dmesg"
fi
kt_finish
