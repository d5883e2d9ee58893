#! /bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Plain-Linux test of the STT tunnel module (datapath/linux/stt.ko), to be
# run as root inside a throw-away VM:
#
#   make -C datapath/linux
#   sh utilities/nvo3-vm.sh -t 600 SHAREDIR tests/kernel/stt-plain-linux.sh
#
# Two namespaces a and b joined by a veth pair (10.1.0.1/24, 10.1.0.2/24),
# an stt0 device in each (collect-metadata, created through rtnetlink by
# stt-link.py), 192.168.50.1/24 and .2/24 on them, lwtunnel routes with
# context ID 77.  An IPv6-underlay section adds 2001:db8:1::1/64 and ::2 on
# the veth pair and 192.168.60.1/24 and .2/24 on stt0, with "encap ip6"
# routes (context ID 88).  Exits non-zero if any check fails.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
KO=${STT_KO:-$here/../../datapath/linux/stt.ko}
LINK="/usr/bin/python3 $here/stt-link.py"
INJECT="/usr/bin/python3 $here/stt-inject.py"
# The lab library's view of namespaces a and b, under their own names.
lab_init_netns "" "$T/lab"

a() { ip netns exec a "$@"; }
b() { ip netns exec b "$@"; }
# stat NS COUNTER: one ethtool -S counter of NS's stt0
stat() { ip netns exec "$1" ethtool -S stt0 | awk -v k="$2:" '$1 == k { print $2 }'; }
# snmp NS FILE GROUP FIELD: a counter of /proc/net/{snmp,netstat}
snmp() {
    ip netns exec "$1" awk -v g="$3:" -v f="$4" '$1 == g {
        if (!seen) { for (i = 2; i <= NF; i++) col[$i] = i; seen = 1 }
        else print $col[f] }' "/proc/net/$2"
}
# stat_reaches NS COUNTER VALUE: NS's stt0 COUNTER is VALUE or more.
stat_reaches() { [ "$(stat "$1" "$2")" -ge "$3" ]; }
# echos_reach VALUE: b has taken VALUE ICMP echo requests or more in all.
echos_reach() { [ "$(snmp b snmp Icmp InEchos)" -ge "$1" ]; }
# await_stat NS COUNTER VALUE, await_echos VALUE: wait (up to 30 s) for
# the counter that proves that injected segments were handled, before the
# checks of what they did (and did not do).
await_stat() { lab_wait_until 30 stat_reaches "$@"; }
await_echos() { lab_wait_until 30 echos_reach "$1"; }
# now_cs: guest uptime in centiseconds
now_cs() { awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime; }
# reasm_empty NS: NS's stt0 holds no reassembly frames and no bytes.
reasm_empty() {
    [ "$(stat "$1" reasm_frames_held)" = 0 ] && [ "$(stat "$1" reasm_bytes_held)" = 0 ]
}
# drain NS: waits (no traffic sent, up to 10 s, looking every 0.1 s) until
# NS's stt0 holds no reassembly frames and no bytes.
drain() { LAB_WAIT_STEP=0.1 lab_wait_until 60 reasm_empty "$1"; }
# tcpkts NS PREF: packets matched by ingress filter PREF of NS's stt0
tcpkts() {
    ip netns exec "$1" tc -s -j filter show dev stt0 ingress pref "$2" |
        /usr/bin/python3 -c 'import json, sys
for f in json.load(sys.stdin):
    for act in f.get("options", {}).get("actions", []):
        print(act["stats"]["packets"])
        sys.exit(0)
print(0)'
}
# reassembled_both_ways SIZE ADDR-IN-B ADDR-IN-A [NOTE]: with veth TSO and
# GRO off, pings of SIZE bytes cross both ways in segments, and each side
# reassembles frames.
reassembled_both_ways() {
    for ns in a b; do
        ip netns exec $ns ethtool -K v${ns} tso off gro off > /dev/null
    done
    ra=$(stat a reasm_frames) rb=$(stat b reasm_frames)
    check "ping -s $1 a -> b$4" ping_ok a "$2" -s "$1"
    check "ping -s $1 b -> a$4" ping_ok b "$3" -s "$1"
    expect_gt "b reassembled frames$4" "$(stat b reasm_frames)" "$rb"
    expect_gt "a reassembled frames$4" "$(stat a reasm_frames)" "$ra"
}
ping_ok() { # ping_ok NS DST [ARGS]: 0% loss
    ns=$1 dst=$2; shift 2
    ip netns exec "$ns" ping -q -c 3 -i 0.3 -W 2 "$@" "$dst" > "$T/ping" 2>&1
    r=$?
    grep -q ' 0% packet loss' "$T/ping" && [ $r = 0 ] && return 0
    cat "$T/ping"; return 1
}

start=$(cut -d' ' -f1 /proc/uptime)
[ -r "$KO" ] || die "no module at $KO (run make -C datapath/linux)"

log "load"
for dep in $(modinfo -F depends "$KO" | tr , ' '); do
    modprobe "$dep" || die "modprobe $dep"
done
modprobe veth 2>/dev/null
insmod "$KO" || die "insmod $KO"

log "topology"
ip netns add a && ip netns add b || die "netns"
ip link add va netns a type veth peer name vb netns b || die "veth"
a ip addr add 10.1.0.1/24 dev va; a ip link set va up; a ip link set lo up
b ip addr add 10.1.0.2/24 dev vb; b ip link set vb up; b ip link set lo up
for ns in a b; do
    ip netns exec $ns sysctl -qw net.ipv4.conf.all.rp_filter=0 \
        net.ipv4.conf.default.rp_filter=0
done

log "rtnetlink"
a $LINK add stt0 mtu 1500 || die "create stt0 in a"
b $LINK add stt0 || die "create stt0 in b"
check "RTM_GETLINK reports kind, port, external" \
    sh -c "ip netns exec a $LINK show stt0 | grep -x 'kind=stt port=7471 external=1 mtu=1500'"
check "ip -d link shows kind stt" \
    sh -c "ip -n a -d link show stt0 | grep -qw stt"
if a $LINK add stt1 no-external > "$T/err" 2>&1; then
    fail "creation without collect-metadata must fail"
else
    check "no-external refused with extack: $(cat "$T/err")" \
        grep -q "collect-metadata" "$T/err"
fi
if a $LINK add stt2 > "$T/err" 2>&1; then
    fail "second device on port 7471 must fail"
else
    check "same port refused with EBUSY + extack: $(cat "$T/err")" \
        grep -q "busy.*already uses this port" "$T/err"
fi
check "MTU 65000 at creation on another port" \
    sh -c "ip netns exec a $LINK add stt9 port 7479 mtu 65000 &&
           ip netns exec a $LINK show stt9 | grep -x 'kind=stt port=7479 external=1 mtu=65000'"
check "MTU 65463 accepted" ip -n a link set stt9 mtu 65463
if ip -n a link set stt9 mtu 65464 2>/dev/null; then fail "MTU 65464 must be refused"
else pass "MTU 65464 refused"; fi
ip -n a link del stt9

MA=$(a cat /sys/class/net/stt0/address)
MB=$(b cat /sys/class/net/stt0/address)
a ip link set stt0 up; b ip link set stt0 up
a ip addr add 192.168.50.1/24 dev stt0
b ip addr add 192.168.50.2/24 dev stt0
a ip route add 192.168.50.2/32 encap ip id 77 dst 10.1.0.2 dev stt0 || die "route a"
b ip route add 192.168.50.1/32 encap ip id 77 dst 10.1.0.1 dev stt0 || die "route b"
a ip neigh add 192.168.50.2 lladdr "$MB" dev stt0
b ip neigh add 192.168.50.1 lladdr "$MA" dev stt0

log "ping, default veth offloads"
check "ping a -> b" ping_ok a 192.168.50.2
check "ping b -> a" ping_ok b 192.168.50.1

log "802.1Q tag carried in the STT header"
modprobe 8021q 2>/dev/null
a ip link add link stt0 name stt0.100 type vlan id 100 egress-qos-map 0:3 &&
b ip link add link stt0 name stt0.100 type vlan id 100 || fail "vlan devices"
a ip link set stt0.100 up; b ip link set stt0.100 up
a ip addr add 192.168.51.1/24 dev stt0.100
b ip addr add 192.168.51.2/24 dev stt0.100
a ip route add 192.168.51.2/32 encap ip id 78 dst 10.1.0.2 dev stt0.100
b ip route add 192.168.51.1/32 encap ip id 78 dst 10.1.0.1 dev stt0.100
a ip neigh add 192.168.51.2 lladdr "$MB" dev stt0.100
b ip neigh add 192.168.51.1 lladdr "$MA" dev stt0.100
lab_capture_start b vb "$T/vlan.pcap" 'tcp dst port 7471' || fail "tcpdump on vb"
check "ping over VLAN 100 on stt0 a -> b" ping_ok a 192.168.51.2
lab_capture_stop "$T/vlan.pcap" 6   # 3 requests in, 3 replies out
check "tag PCP 3 VID 100 in the STT header as 0x7064" \
    $INJECT pcap-vlan "$T/vlan.pcap" 0x7064
sed 's/^/    /' "$T/out"
check "ping over VLAN 100 on stt0 b -> a" ping_ok b 192.168.51.1

log "2000-byte ping (inner fragments of 1514 bytes), veth TSO and GRO off: reassembly"
reassembled_both_ways 2000 192.168.50.2 192.168.50.1

log "capture: 3042-byte inner frame (STT frame 3060) on a 1500 veth"
a ip link set stt0 mtu 9000; b ip link set stt0 mtu 9000
a ethtool -K va tx off > /dev/null   # real outer checksums in the capture
b ethtool -K vb rx off > /dev/null   # receiver checks them in software
lab_capture_start b vb "$T/stt.pcap" 'dst host 10.1.0.2 and tcp dst port 7471' ||
    fail "tcpdump on vb"
check "ping -s 3000 a -> b" ping_ok a 192.168.50.2 -s 3000 -c 1
lab_capture_stop "$T/stt.pcap" 3   # 3060 bytes in segments of 1460
check "capture: SEQ = frame length << 16 | offset, ACK constant, checksums" \
    $INJECT pcap "$T/stt.pcap" 3060 77 10.1.0.2
sed 's/^/    /' "$T/out"
a ip link set stt0 mtu 1500; b ip link set stt0 mtu 1500

log "transmit: frame IDs, the largest frame, limits"
lab_capture_start b vb "$T/ids.pcap" 'dst host 10.1.0.2 and tcp dst port 7471' ||
    fail "tcpdump on vb"
check "10 pings a -> b" ping_ok a 192.168.50.2 -c 10 -i 0.2
lab_capture_stop "$T/ids.pcap" 10
check "frame IDs random per frame (no two of 10 within 256 of each other)" \
    $INJECT pcap-ids "$T/ids.pcap" 10 10.1.0.2
sed 's/^/    /' "$T/out"

a ip link set stt0 mtu 65463; b ip link set stt0 mtu 65463
z0=$(stat a tx_too_big)
check "ping -s 65435 a -> b: inner frame 65477, STT frame 65495, the IPv4 maximum" \
    ping_ok a 192.168.50.2 -s 65435 -c 1 -W 5
expect_eq "... not counted as too big" "$(stat a tx_too_big)" "$z0"
a ip link add link stt0 name stt0.ad type vlan proto 802.1ad id 5 || fail "802.1ad device"
a ip link set stt0.ad mtu 65463 up
a ip addr add 192.168.52.1/24 dev stt0.ad
a ip route add 192.168.52.2/32 encap ip id 79 dst 10.1.0.2 dev stt0.ad
a ip neigh add 192.168.52.2 lladdr "$MB" dev stt0.ad
a ping -q -c 1 -W 1 -s 65435 -M do 192.168.52.2 > /dev/null 2>&1
expect_eq "inner frame of 65481 bytes (802.1ad tag kept in it) dropped: tx_too_big" \
    $(( $(stat a tx_too_big) - z0 )) 1
a ip link del stt0.ad
a ip link set stt0 mtu 1500; b ip link set stt0 mtu 1500

# Inner TSO whose L4 header starts past byte 255 (IPv6 with a 256-byte
# destination options header: 14 + 40 + 256 = 310) cannot be described in
# the STT header: each segment must go as its own frame.
a ip -6 addr add fd00:50::1/64 dev stt0 nodad
b ip -6 addr add fd00:50::2/64 dev stt0 nodad
a ip -6 route add fd00:50::2/128 encap ip id 77 dst 10.1.0.2 dev stt0
b ip -6 route add fd00:50::1/128 encap ip id 77 dst 10.1.0.1 dev stt0
a ip -6 neigh add fd00:50::2 lladdr "$MB" dev stt0
b ip -6 neigh add fd00:50::1 lladdr "$MA" dev stt0
sw0=$(stat a tx_segmented_sw) g0=$(stat b rx_gso_frames)
b timeout 60 $INJECT tcp-sink fd00:50::2 5301 > "$T/sink" 2>&1 &
sink_pid=$!
lab_wait_until 30 lab_listening b 5301
check "1 MB over TCP with a 256-byte destination options header" \
    a timeout 50 $INJECT tcp-dstopts fd00:50::2 5301 1000000 256
wait $sink_pid
expect_eq "... all of it received" "$(cat "$T/sink")" 1000000
expect_gt "inner TSO with L4 offset 310 segmented in software (tx_segmented_sw)" \
    $(( $(stat a tx_segmented_sw) - sw0 )) 0
expect_eq "... so no frame of it carried an MSS (b: rx_gso_frames)" \
    $(( $(stat b rx_gso_frames) - g0 )) 0

log "TCP transfers with iperf3"
# iperf SIZE ADDR NAME: SIZE (20M, 10M) from a to ADDR in b over stt0; the
# receiver's rate in the PASS line.
iperf() {
    f0=$(stat b rx_frames)
    if lab_iperf3 a b "$2" -n "$1" -f m > "$T/iperf-c" 2>&1; then
        pass "iperf3 ${1%M} MB ($3): $(grep receiver "$T/iperf-c" | awk '{print $7, $8}')"
    else
        fail "iperf3 ${1%M} MB ($3)"; tail -5 "$T/iperf-c"
    fi
    expect_gt "rx_frames grew ($3)" "$(stat b rx_frames)" "$f0"
}
a ethtool -K va tx on tso on > /dev/null
b ethtool -K vb rx on gro on > /dev/null
a ethtool -K va gro on > /dev/null
g0=$(stat b rx_gso_frames)
iperf 20M 192.168.50.2 "veth TSO+GRO on"
expect_gt "inner TSO carried whole (rx_gso_frames)" "$(stat b rx_gso_frames)" "$g0"
expect_gt "inner partial checksum carried (tx_csum_partial)" "$(stat a tx_csum_partial)" 0
a ethtool -K va tso off > /dev/null
r0=$(stat b reasm_frames) f0=$(stat b rx_frames)
iperf 20M 192.168.50.2 "veth TSO off, GRO on: GRO-merged frames"
echo "    frames $(( $(stat b rx_frames) - f0 )), of which reassembled $(( $(stat b reasm_frames) - r0 ))"
b ethtool -K vb gro off > /dev/null
r0=$(stat b reasm_frames)
iperf 20M 192.168.50.2 "veth TSO and GRO off: every frame reassembled"
expect_gt "reassembly used" "$(stat b reasm_frames)" "$r0"

log "hostile and hand-made segments (a -> b:7471)"
b ethtool -K vb rx off gro off > /dev/null   # software checksum check
inj() { a $INJECT 10.1.0.1 10.1.0.2 "$MA" "$MB" "$@"; }
# inj_counted DESC COUNTER INJ CASE...: INJ (inj or inj6) sends CASE; b's
# stt0 must count it once in COUNTER.
inj_counted() {
    desc=$1 counter=$2; shift 2
    c0=$(stat b "$counter")
    "$@"
    await_stat b "$counter" $((c0 + 1))
    expect_eq "$desc" $(( $(stat b "$counter") - c0 )) 1
}
for order in 1-2-3 3-1-2 2-3-1 3-2-1; do
    e0=$(snmp b snmp Icmp InEchos) r0=$(stat b reasm_frames)
    inj order $order
    await_echos $((e0 + 1))
    expect_eq "order $order: one frame reassembled" $(( $(stat b reasm_frames) - r0 )) 1
    expect_eq "order $order: echo request delivered" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1
done
e0=$(snmp b snmp Icmp InEchos) s0=$(stat b reasm_small_segments)
inj split-header
await_stat b reasm_small_segments $((s0 + 1))
expect_eq "STT header split by a 10-byte piece: the piece dropped as small" $(( $(stat b reasm_small_segments) - s0 )) 1
expect_eq "... and the frame not delivered" $(( $(snmp b snmp Icmp InEchos) - e0 )) 0
c0=$(snmp b netstat IpExt InCEPkts) x0=$(snmp b netstat IpExt InECT0Pkts)
e0=$(snmp b snmp Icmp InEchos)
inj ce
await_echos $((e0 + 1))
expect_eq "CE on one outer segment: delivered" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1
# InCEPkts counts the outer CE segment and the inner packet, if marked.
expect_eq "CE on one outer segment -> CE on inner IP (InCEPkts)" $(( $(snmp b netstat IpExt InCEPkts) - c0 )) 2
expect_eq "... and the inner packet no longer ECT(0)" $(( $(snmp b netstat IpExt InECT0Pkts) - x0 )) 0
d0=$(stat b reasm_duplicates) e0=$(snmp b snmp Icmp InEchos)
inj dup
await_echos $((e0 + 1))
expect_eq "duplicate dropped and counted once" $(( $(stat b reasm_duplicates) - d0 )) 1
expect_eq "frame with a duplicate still delivered once" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1
o0=$(stat b reasm_overlaps) e0=$(snmp b snmp Icmp InEchos)
inj overlap
await_echos $((e0 + 1))
expect_eq "overlap dropped and counted" $(( $(stat b reasm_overlaps) - o0 )) 1
expect_eq "frame with an overlap still delivered once" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1
inj_counted "bad version counted" rx_bad_version inj bad-version
l0=$(stat b rx_bad_len)
inj bad-offset
inj short-frame
await_stat b rx_bad_len $((l0 + 2))
expect_eq "offset beyond length and short frame counted" $(( $(stat b rx_bad_len) - l0 )) 2
inj_counted "frame length mismatch counted" reasm_len_mismatch inj len-mismatch
inj_counted "bad outer checksum counted" rx_bad_csum inj bad-csum
inj_counted "bad L4 offset counted" rx_bad_l4_offset inj bad-l4

log "reassembly against an attacker (a -> b:7471)"
TMO=/sys/module/stt/parameters/reasm_timeout
CAP=/sys/module/stt/parameters/reasm_max_bytes
cap0=$(cat $CAP)
# Start from an empty table: the tests above leave incomplete frames.
echo 1 > $TMO
drain b
echo 30 > $TMO
expect_eq "table empty to start with: frames" "$(stat b reasm_frames_held)" 0
expect_eq "table empty to start with: sources" "$(stat b reasm_sources)" 0

s0=$(stat b reasm_small_segments) t0=$(now_cs)
inj tiny 2000
await_stat b reasm_small_segments $((s0 + 2000))
echo "    2000 segments sent (python) and handled in $(( $(now_cs) - t0 )) cs"
expect_eq "2000 1-byte segments of one frame dropped as small" $(( $(stat b reasm_small_segments) - s0 )) 2000
expect_eq "... none of them held: frames" "$(stat b reasm_frames_held)" 0
expect_eq "... none of them held: bytes" "$(stat b reasm_bytes_held)" 0
e0=$(snmp b snmp Icmp InEchos) r0=$(stat b reasm_frames)
inj short-tail
await_echos $((e0 + 1))
expect_eq "a 1-byte last segment is fine: frame reassembled" $(( $(stat b reasm_frames) - r0 )) 1
expect_eq "... and delivered" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1

inj incomplete
await_stat b reasm_frames_held 1
held=$(stat b reasm_bytes_held)
expect_eq "one incomplete frame held" "$(stat b reasm_frames_held)" 1
expect_eq "... from one source" "$(stat b reasm_sources)" 1
# SKB_TRUESIZE(420) = 420 + 256 + 320 on x86-64, plus the frame's slab
# object (kmalloc-192 or more): what is allocated, not the payload.
expect_ge "its 420 payload bytes are charged as skb truesize + frame" "$held" $((420 + 576 + 192))

log "two tenants: an attacker with the victim's address and frame ID, another source port"
b tc qdisc add dev stt0 clsact
b tc filter add dev stt0 ingress pref 1 protocol all flower enc_key_id 77 action pass
b tc filter add dev stt0 ingress pref 2 protocol all flower enc_key_id 99 action pass
k77=$(tcpkts b 1) k99=$(tcpkts b 2) h0=$(stat b reasm_frames_held)
e0=$(snmp b snmp Icmp InEchos) r0=$(stat b reasm_frames)
inj splice
await_echos $((e0 + 1))
expect_eq "victim's frame reassembled once" $(( $(stat b reasm_frames) - r0 )) 1
expect_eq "... and its echo request delivered intact" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1
expect_eq "... with the victim's context ID 77" $(( $(tcpkts b 1) - k77 )) 1
expect_eq "no frame delivered with the attacker's context ID 99" $(( $(tcpkts b 2) - k99 )) 0
expect_eq "the attacker's segment waits alone as a frame of its own" $(( $(stat b reasm_frames_held) - h0 )) 1
b tc qdisc del dev stt0 clsact

log "flood from one address while a peer's frames complete"
a ip addr add 10.1.0.66/32 dev va
echo 131072 > $CAP
e0=$(snmp b snmp Icmp InEchos) r0=$(stat b reasm_frames) ev0=$(stat b reasm_evictions)
sg0=$(stat b rx_segments)
t0=$(now_cs)
a $INJECT 10.1.0.1 10.1.0.2 "$MA" "$MB" fair 10.1.0.66 10 200
t1=$(now_cs)
# The injector returns once it has sent; on a loaded machine b may still be
# handling the tail: 10 frames of 3 segments, 2 x 200 attack segments
# between each two.  Count the table once all 4030 have arrived.
segments_in() { [ $(( $(stat b rx_segments) - sg0 )) -ge 4030 ]; }
check "all 4030 segments of the flood reached b" lab_wait_until 120 segments_in
# The timeouts counter with the table's size: on a loaded machine a held
# frame may time out while the checks below run.
to0=$(stat b reasm_timeouts)
fh=$(stat b reasm_frames_held) bh=$(stat b reasm_bytes_held)
echo "    flood took $(( t1 - t0 )) cs; held after it: $fh frames, $bh bytes, $(stat b reasm_sources) sources, $(( $(stat b reasm_evictions) - ev0 )) evictions"
expect_eq "10 multi-segment frames of the peer completed under the flood" $(( $(stat b reasm_frames) - r0 )) 10
expect_eq "... and delivered" $(( $(snmp b snmp Icmp InEchos) - e0 )) 10
expect_gt "the flooder's frames were evicted" $(( $(stat b reasm_evictions) - ev0 )) 0
expect_le "bytes held within the cap" "$bh" 131072
expect_eq "the peer's own incomplete frames survived: 2 sources hold frames" "$(stat b reasm_sources)" 2

echo 2 > $TMO
drain b
took=$(( $(now_cs) - t1 ))
echo "    drained $fh frames $took cs after the flood ended (timeout 2 s, sweep 1 s)"
expect_eq "after the flood, no traffic: every frame timed out" $(( $(stat b reasm_timeouts) - to0 )) "$fh"
expect_eq "... frames held 0" "$(stat b reasm_frames_held)" 0
expect_eq "... bytes held 0" "$(stat b reasm_bytes_held)" 0
expect_eq "... sources 0" "$(stat b reasm_sources)" 0
# Without traffic the frames go by the timer alone: after the 2 s timeout
# and a 1 s sweep, give or take a guest the host starves of CPU.
expect_le "... by the timer, with no traffic (timeout + sweep + slack for a loaded host)" "$took" 2000
expect_ge "... and not before the timeout" "$took" 190
echo 30 > $TMO
echo "$cap0" > $CAP
a ip addr del 10.1.0.66/32 dev va
check "ping a -> b after the hostile tests" ping_ok a 192.168.50.2
check "ping b -> a after the hostile tests" ping_ok b 192.168.50.1

log "IPv6 underlay"
a ip -6 addr add 2001:db8:1::1/64 dev va nodad
b ip -6 addr add 2001:db8:1::2/64 dev vb nodad
a ip addr add 192.168.60.1/24 dev stt0
b ip addr add 192.168.60.2/24 dev stt0
a ip route add 192.168.60.2/32 encap ip6 id 88 dst 2001:db8:1::2 dev stt0 ||
    fail "encap ip6 route a"
b ip route add 192.168.60.1/32 encap ip6 id 88 dst 2001:db8:1::1 dev stt0 ||
    fail "encap ip6 route b"
a ip neigh add 192.168.60.2 lladdr "$MB" dev stt0
b ip neigh add 192.168.60.1 lladdr "$MA" dev stt0
check "underlay ping6 a -> b" ping_ok a 2001:db8:1::2
a ethtool -K va tx on tso on gro on > /dev/null
b ethtool -K vb rx on tso on gro on > /dev/null
u0=$(stat a tx_unsupported_af) t0=$(stat a tx_frames) f0=$(stat b rx_frames)
check "ping a -> b over IPv6" ping_ok a 192.168.60.2
check "ping b -> a over IPv6" ping_ok b 192.168.60.1
expect_eq "IPv6 tunnel metadata no longer tx_unsupported_af" "$(stat a tx_unsupported_af)" "$u0"
expect_gt "a sent frames over IPv6" "$(stat a tx_frames)" "$t0"
expect_gt "b received frames over IPv6" "$(stat b rx_frames)" "$f0"

reassembled_both_ways 3000 192.168.60.2 192.168.60.1 " over IPv6"

a ip link set stt0 mtu 9000; b ip link set stt0 mtu 9000
a ethtool -K va tx off > /dev/null   # real outer checksums in the capture
b ethtool -K vb rx off > /dev/null   # receiver checks them in software
lab_capture_start b vb "$T/stt6.pcap" \
    'ip6 dst host 2001:db8:1::2 and ip6 proto 6 and tcp dst port 7471' ||
    fail "tcpdump on vb"
check "ping -s 3000 a -> b over IPv6 (one 3060-byte STT frame)" \
    ping_ok a 192.168.60.2 -s 3000 -c 1
lab_capture_stop "$T/stt6.pcap" 3   # 3060 bytes in segments of 1440
check "IPv6 capture: next header TCP to 7471, SEQ = 3060 << 16 | offset, checksums" \
    $INJECT pcap "$T/stt6.pcap" 3060 88 2001:db8:1::2
sed 's/^/    /' "$T/out"
a ip link set stt0 mtu 1500; b ip link set stt0 mtu 1500

a ethtool -K va tx on tso on gro on > /dev/null
b ethtool -K vb rx on tso on gro on > /dev/null
iperf 10M 192.168.60.2 "over IPv6, veth TSO+GRO on"

b ethtool -K vb rx off gro off > /dev/null   # software checksum check
inj6() { a $INJECT 2001:db8:1::1 2001:db8:1::2 "$MA" "$MB" "$@"; }
inj_counted "bad outer checksum over IPv6 counted" rx_bad_csum inj6 bad-csum
e0=$(snmp b snmp Icmp InEchos) r0=$(stat b reasm_frames)
inj6 order 3-1-2
await_echos $((e0 + 1))
expect_eq "IPv6 order 3-1-2: one frame reassembled" $(( $(stat b reasm_frames) - r0 )) 1
expect_eq "IPv6 order 3-1-2: echo request delivered" $(( $(snmp b snmp Icmp InEchos) - e0 )) 1
check "ping a -> b over IPv6 after the hostile segments" ping_ok a 192.168.60.2

log "counters"
for ns in a b; do
    echo "-- $ns: ip -s link show stt0"
    ip -n $ns -s link show stt0 | sed 's/^/    /'
    echo "-- $ns: ethtool -S stt0 (non-zero)"
    ip netns exec $ns ethtool -S stt0 | awk '$2 != 0 && NR > 1 { print "    " $0 }'
done

log "unload"
a ip link del stt0; b ip link del stt0
check "rmmod after deleting the devices" rmmod stt
insmod "$KO" || die "insmod again"
a $LINK add stt0 && b $LINK add stt0 && a $LINK add stt1 port 7472 &&
    a ip link set stt0 up && a ip link set stt1 up || fail "re-create devices"
ip netns add c && ip netns exec c $LINK add stt0 || fail "device in netns c"
ip netns del c
a ip addr add 192.168.50.1/24 dev stt0
n0=$(stat a tx_no_tunnel_info)
a ping -c 1 -W 1 192.168.50.9 > /dev/null 2>&1
# Its ARP request went to stt0, which had no tunnel for it.
await_stat a tx_no_tunnel_info $((n0 + 1))
check "rmmod with devices present" rmmod stt
if a ip link show stt0 > /dev/null 2>&1; then fail "stt0 left after rmmod"
else pass "devices gone with the module"; fi
# Deleting va (vb with it) returns once both are unregistered: what their
# teardown logs is in dmesg by then.
a ip link del va
ip netns del a; ip netns del b
if dmesg | grep -E 'WARNING|BUG|leak|refcount|unregister_netdevice: waiting|Oops' > "$T/dmesg"; then
    fail "kernel log has warnings"; cat "$T/dmesg"
else
    pass "no WARNING/BUG/leak in dmesg"
fi

cp "$T"/*.pcap . 2>/dev/null   # for a post-mortem on the host
end=$(cut -d' ' -f1 /proc/uptime)
echo "== guest time for the test: $(echo "$end - $start" | bc 2>/dev/null || echo "$start..$end") s"
kt_finish
