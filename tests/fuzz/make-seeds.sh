#!/bin/sh
# Copyright (c) 2026 The ovs-nvo3 authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Regenerates the seed corpora tests/fuzz/corpus/TARGET/ of the four
# targets.  The input formats are described at the top of TARGET-fuzz.c.
# Inner frames, STT segments and NVGRE frames come from
# tests/nvo3_frames.py.

set -e

top=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
frames="$py -B $top/tests/nvo3_frames.py"
pop=$top/tests/fuzz/corpus/stt-pop
reasm=$top/tests/fuzz/corpus/stt-reassembly
nvpop=$top/tests/fuzz/corpus/nvgre-pop
options=$top/tests/fuzz/corpus/tunnel-options

rm -rf "$pop" "$reasm" "$nvpop" "$options"
mkdir -p "$pop" "$reasm" "$nvpop" "$options"

# pack FILE FLAGS: reads hex packets, one a line, and writes an stt-pop
# input with per-packet flags FLAGS (see PKT_* in stt-pop-fuzz.c).
pack() {
    $py -c '
import struct, sys
out, flags = sys.argv[1], int(sys.argv[2], 0)
pkts = [bytes.fromhex(l) for l in sys.stdin.read().split()]
data = bytes([len(pkts) - 1])
for p in pkts:
    data += struct.pack("!HB", len(p), flags) + p
open(out, "wb").write(data)
' "$@"
}

# stt-pop: bursts of outer segments.
udp46=$($frames udp-frame --len 46)
udp300=$($frames udp-frame --len 300)
udp1200=$($frames udp-frame --len 1200)
$frames stt-segments "$udp46" | pack "$pop/v4-whole-frame" 0
$frames stt-segments --mss 500 --order 3,1,2 --tos 3 "$udp1200" \
    | pack "$pop/v4-three-segments-ooo" 0x07
$frames stt-segments --sip 2001:db8::1 --dip 2001:db8::2 --mss 200 "$udp300" \
    | pack "$pop/v6-two-segments" 0
$frames stt-segments --flags 0x06 --l4ofs 34 --vlan 0x7064 "$udp300" \
    | pack "$pop/v4-vlan-partial-udp" 0x07
# A 600-byte inner TCP frame whose checksum field holds the pseudo-header
# sum only, as a TSO sender leaves it.
tso600=$($frames tcp-frame --payload 546 --fill 11,5 --partial-csum)
$frames stt-segments --flags 0x0e --l4ofs 34 --stt-mss 200 --mss 400 \
    "$tso600" | pack "$pop/v4-tso-inner-tcp" 0x47
$frames stt-segments --key 0x8000000000000001 --frame-id 0xfffffffe \
    "$($frames arp-frame)" | pack "$pop/v4-arp-top-key" 0x18

# stt-reassembly: operation scripts.
$py - "$reasm" <<'EOF'
import struct, sys
d = sys.argv[1]
SEG, FRAME, TIME, RUN, LIMITS = 0, 1, 2, 3, 4

def seg(sel, fid, flen, ofs, ln):
    return struct.pack("!BBBHHH", SEG, sel, fid, flen, ofs, ln)

def frame(sel, fid, flen, shape, seed):
    return struct.pack("!BBBHBB", FRAME, sel, fid, flen, shape, seed)

def time(ms):
    return struct.pack("!BH", TIME, ms)

def write(name, config, ops):
    open("%s/%s" % (d, name), "wb").write(bytes([config]) + b"".join(ops))

# 3060-byte frame in 3 pieces, shuffled (test vector 3).
write("frame-3-pieces", 0x00, [frame(0, 1, 3060, 2, 7)])
# Raw segments: in order, a duplicate, an overlap, a length mismatch.
write("dup-overlap", 0x04, [seg(0, 5, 100, 0, 40), seg(0, 5, 100, 40, 30),
                            seg(0, 5, 100, 40, 30), seg(0, 5, 100, 50, 10),
                            seg(0, 5, 200, 70, 30), seg(8, 5, 100, 70, 30)])
# A frame left incomplete expires.
write("timeout", 0x00, [frame(1, 2, 1000, 0x13, 3), time(200),
                        bytes([RUN])])
# Incomplete frames past a 2 KiB cap evict the oldest.
write("evict-bytes", 0x02, [frame(2, i, 1500, 0x12, i) for i in range(3)])
# More tiny segments than a small cap allows.
write("evict-segments", 0x02,
      [frame(4, i, 200, 0x1f, i) for i in range(5)])
# Lowering the cap evicts; whole frames and IPv6 keys; CE on some pieces.
write("limits", 0x03, [frame(3, 1, 60000, 0x17, 1),
                       frame(7, 1, 60000, 0x57, 2),
                       struct.pack("!BB", LIMITS, 0x00),
                       seg(6, 9, 64, 0, 64), frame(0, 9, 2000, 0x63, 5)])
EOF

# nvgre-pop: one received frame, with the harness flags (F_* in
# nvgre-pop-fuzz.c), the tun_id and the RSS hash of its transmission.
# nvpop NAME FLAGS TUN_ID HASH FRAME-HEX [PYTHON]: PYTHON, if given, edits
# the frame, a bytearray 'f'.
nvpop() {
    $py -c '
import struct, sys
out, flags, tun_id, rss, frame = sys.argv[1:6]
f = bytearray.fromhex(frame)
if len(sys.argv) > 6:
    exec(sys.argv[6])
hdr = struct.pack("!BII", int(flags, 0), int(tun_id, 0), int(rss, 0))
open(out, "wb").write(hdr + bytes(f))
' "$nvpop/$1" "$2" "$3" "$4" "$5" ${6:+"$6"}
}
udp64=$($frames udp-frame --len 64)
udp300=$($frames udp-frame --len 300)
vlan100=$($frames udp-frame --len 100 --vlan 0x0064)
v6="--sip 2001:db8::1 --dip 2001:db8::2"
v4_5000=$($frames nvgre-frame --vsid 0x5000 "$udp64")
# Ports (flags bits 4-5): 0x00 nvgre with flowid=hash, 0x10 flowid=0,
# 0x20 flowid=0xa5, 0x30 gre.
nvpop v4-udp-hash 0x00 0x123456 0xdeadbeef \
    "$($frames nvgre-frame --vsid 0x123456 --flowid 0x5a "$udp64")"
nvpop v6-udp-fixed0 0x18 0x1000 0x01020304 \
    "$($frames nvgre-frame $v6 --vsid 0x1000 --flowid 0xff "$udp300")"
nvpop v4-csum 0x24 0xfffffe 0 \
    "$($frames nvgre-frame --vsid 0xfffffe --csum "$udp64")"
nvpop v6-csum 0x0c 0x2000 7 \
    "$($frames nvgre-frame $v6 --vsid 0x2000 --flowid 1 --csum "$udp64")"
nvpop v4-inner-vlan 0x20 0xabcdef 0x5a5a5a5a \
    "$($frames nvgre-frame --vsid 0xabcdef --flowid 0x33 "$vlan100")"
# A tagged frame from a VM, sent as is: push removes the tag.
nvpop tx-vlan-raw 0x80 0x4321 0x00ff00ff "$vlan100"
nvpop tx-vlan-raw-v6 0x98 0x4321 0x12345678 "$vlan100"
# tun_id wider than a VSID, an IPv4 packet type: build_header refuses.
nvpop tx-big-tun-id 0x00 0x1000000 0 "$v4_5000"
nvpop tx-not-eth 0x40 0x5000 0 "$v4_5000"
# The gre port, with a 32-bit key.
nvpop tx-gre 0x30 0x12345678 0 "$v4_5000"
# Not NVGRE: GRE with the S bit, without the K bit, carrying IPv4 (the GRE
# header is at offset 34, the inner frame at 42).
nvpop v4-seq 0x03 0x5000 0 "$v4_5000" 'f[34] |= 0x10; f[42:42] = bytes(4)'
nvpop v4-no-key 0x03 0x5000 0 "$v4_5000" 'f[34] &= ~0x20; del f[38:42]'
nvpop v4-l3-gre 0x03 0x5000 0 "$v4_5000" \
    'f[36:38] = b"\x08\x00"; del f[42:56]'

# tunnel-options: scripts of port configurations.  Every string is spelled
# out (selector 0xff, see tunnel-options-fuzz.c), so that the seeds do not
# depend on the harness's tables; ports and types are indexes in its
# 'names' and 'types'.
$py - "$options" <<'PYEOF'
import sys
d = sys.argv[1]
TYPES = {"stt": 0, "nvgre": 1, "gre": 2, "vxlan": 3}
P0, P1, GRE0, NVGRE0, STT0, VX0 = range(6)

def string(s):
    b = s.encode()
    assert len(b) < 32
    return bytes([0xff, len(b)]) + b

def op(port, type_, *options):
    if type_ == "forget":
        return bytes([0x20 | port])
    out = bytes([port | TYPES[type_] << 3, len(options)])
    for o in options:
        k, v = o.split("=", 1)
        out += string(k) + string(v)
    return out

def write(name, *ops):
    open("%s/%s" % (d, name), "wb").write(b"".join(ops))

write("nvgre-ok",
      op(NVGRE0, "nvgre", "remote_ip=192.0.2.1", "key=0x1000",
         "flowid=0xa5"),
      op(P0, "nvgre", "remote_ip=flow", "in_key=4096", "out_key=flow"),
      op(NVGRE0, "forget"))
write("gre-shadows-nvgre",
      op(GRE0, "gre", "remote_ip=192.0.2.1", "key=0x12345600"),
      op(NVGRE0, "nvgre", "remote_ip=192.0.2.1", "key=0x123456"),
      op(P1, "gre", "remote_ip=flow", "key=flow"),
      op(P0, "nvgre", "remote_ip=192.0.2.9", "local_ip=192.0.2.3",
         "key=0x7777", "flowid=hash"))
write("ipv6-spellings",
      op(GRE0, "gre", "remote_ip=2001:db8::1", "key=0x12345600"),
      op(NVGRE0, "nvgre", "remote_ip=2001:DB8:0::1", "key=0x123456"),
      op(P0, "nvgre", "remote_ip=::ffff:192.0.2.1", "key=0x123456"))
write("stt-bad-values",
      op(STT0, "stt", "remote_ip=192.0.2.1", "key=-1", "csum=false",
         "dst_port=65536", "flowid=hash", "packet_type=ptap"),
      op(STT0, "stt", "remote_ip=flow", "key=0xffffffffffffffff",
         "csum=true", "dst_port=7471", "packet_type=legacy_l2"))
write("nvgre-bad-values",
      op(NVGRE0, "nvgre", "remote_ip=192.0.2.1", "in_key=0xfff"),
      op(NVGRE0, "nvgre", "remote_ip=192.0.2.1", "key=0xffffff",
         "flowid=256", "seq=true", "csum=true"),
      op(P1, "nvgre", "remote_ip=192.0.2.1", "key= 4660", "flowid=-1"))
write("other-types",
      op(VX0, "vxlan", "remote_ip=192.0.2.1", "key=flow", "flowid=7"),
      op(GRE0, "gre", "remote_ip=192.0.2.1", "flowid=oops", "key=5"),
      op(GRE0, "nvgre", "remote_ip=192.0.2.1", "key=0x5000"))
PYEOF

ls -l "$pop" "$reasm" "$nvpop" "$options"
