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

# Regenerates the seed corpora tests/fuzz/corpus/stt-pop/ and
# tests/fuzz/corpus/stt-reassembly/.  The input formats are described at
# the top of stt-pop-fuzz.c and stt-reassembly-fuzz.c.  STT segments come
# from tests/stt-frames.py.

set -e

top=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
frames="$py $top/tests/stt-frames.py"
pop=$top/tests/fuzz/corpus/stt-pop
reasm=$top/tests/fuzz/corpus/stt-reassembly

rm -rf "$pop" "$reasm"
mkdir -p "$pop" "$reasm"

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

# An Ethernet/IPv4/TCP frame of 600 bytes whose checksum field holds the
# pseudo-header sum only, as a TSO sender leaves it.
tcp_frame() {
    $py -c '
import struct
def csum(d):
    d += b"\0" * (len(d) % 2)
    s = sum(struct.unpack("!%dH" % (len(d) // 2), d))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
payload = bytes((i * 11 + 5) & 0xff for i in range(600 - 54))
src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
tcp_len = 20 + len(payload)
pseudo = ~csum(src + dst + struct.pack("!BBH", 0, 6, tcp_len)) & 0xffff
tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 1, 5 << 4, 0x18, 512,
                  pseudo, 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcp_len, 7, 0x4000, 64, 6,
                 0, src, dst)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
eth = bytes.fromhex("505400000002505400000001") + struct.pack("!H", 0x800)
print((eth + ip + tcp).hex())
'
}

# stt-pop: bursts of outer segments.
udp46=$($frames udp-frame --len 46)
udp300=$($frames udp-frame --len 300)
udp1200=$($frames udp-frame --len 1200)
$frames segments "$udp46" | pack "$pop/v4-whole-frame" 0
$frames segments --mss 500 --order 3,1,2 --tos 3 "$udp1200" \
    | pack "$pop/v4-three-segments-ooo" 0x07
$frames segments --sip 2001:db8::1 --dip 2001:db8::2 --mss 200 "$udp300" \
    | pack "$pop/v6-two-segments" 0
$frames segments --flags 0x06 --l4ofs 34 --vlan 0x7064 "$udp300" \
    | pack "$pop/v4-vlan-partial-udp" 0x07
$frames segments --flags 0x0e --l4ofs 34 --stt-mss 200 --mss 400 \
    "$(tcp_frame)" | pack "$pop/v4-tso-inner-tcp" 0x47
$frames segments --key 0x8000000000000001 --frame-id 0xfffffffe \
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

ls -l "$pop" "$reasm"
