#!/usr/bin/python3
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

"""Floods an STT endpoint with segments of frames that never complete,
valid in every other respect (IP and TCP checksums), so that the receiver
holds them for reassembly.

Usage: stt-flood.py IFACE SRC-MAC DST-MAC SRC-IP DST-IP COUNT
                    [SECONDS [PPS [MODE]]]

MODE says what each segment is:
  ids      (default) the second half of a 64000-byte frame with a new
           random frame ID: as many frames as segments, from one address.
  tiny     1-byte segments at even offsets of a 64000-byte frame, a new
           frame every 300 segments: costly insertion if nothing bounds it.
  sources  like "ids", but each from a random address in 198.18.0.0/15
           (SRC-IP is not used): a flood that per-source limits cannot
           pin on one address.

Sends COUNT segments (stopping after SECONDS, default 60) on IFACE through
an AF_PACKET socket, at most PPS per second if given, and prints how many
it sent and how fast.
"""

import random
import socket
import struct
import sys
import time


def csum_add(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def csum(data):
    if len(data) % 2:
        data += b'\0'
    return ~csum_add(sum(struct.unpack('!%dH' % (len(data) // 2), data))) \
        & 0xffff


def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def main():
    iface, smac, dmac, sip, dip, count = sys.argv[1:7]
    count = int(count)
    limit = float(sys.argv[7]) if len(sys.argv) > 7 else 60.0
    pps = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
    payload = bytes(random.getrandbits(8) for _ in range(1000))
    sip_b, dip_b = socket.inet_aton(sip), socket.inet_aton(dip)

    # Frame length 64000, offset 32000: never the whole frame.
    tcp = bytearray(struct.pack('!HHIIBBHHH', 40000, 7471,
                                (64000 << 16) | 32000, 0, 5 << 4, 0x18,
                                0xffff, 0, 0) + payload)
    pseudo = sip_b + dip_b + struct.pack('!BBH', 0, 6, len(tcp))
    base = csum_add(sum(struct.unpack('!%dH' % ((len(pseudo) + len(tcp)) // 2),
                                      bytes(pseudo) + bytes(tcp))))
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     6, 0, sip_b, dip_b)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    pkt = bytearray(mac(dmac) + mac(smac) + b'\x08\x00' + ip + tcp)
    ack_ofs = 14 + 20 + 8
    csum_ofs = 14 + 20 + 16

    mode = sys.argv[9] if len(sys.argv) > 9 else 'ids'
    if mode not in ('ids', 'tiny', 'sources'):
        sys.stderr.write("stt-flood: unknown mode %s\n" % mode)
        return 2
    eth = mac(dmac) + mac(smac) + b'\x08\x00'

    def segment(src_b, seq, ack, data):
        """A whole Ethernet frame, both checksums computed."""
        tcp = bytearray(struct.pack('!HHIIBBHHH', 40000, 7471, seq, ack,
                                    5 << 4, 0x18, 0xffff, 0, 0) + data)
        pseudo = src_b + dip_b + struct.pack('!BBH', 0, 6, len(tcp))
        struct.pack_into('!H', tcp, 16, csum(bytes(pseudo) + bytes(tcp)))
        iph = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0,
                          0x4000, 64, 6, 0, src_b, dip_b)
        iph = iph[:10] + struct.pack('!H', csum(iph)) + iph[12:]
        return eth + iph + bytes(tcp)

    def words(data):
        return sum(struct.unpack('!%dH' % (len(data) // 2), data))

    # "sources": the same segment from 0.0.0.0 with both checksums zero;
    # per packet, the new source address and ACK are added to their sums.
    spkt = bytearray(segment(b'\0' * 4, (64000 << 16) | 32000, 0, payload))
    struct.pack_into('!H', spkt, 14 + 10, 0)
    struct.pack_into('!H', spkt, csum_ofs, 0)
    ip_base = words(bytes(spkt[14:34]))
    tcp_base = words(dip_b + struct.pack('!BBH', 0, 6, len(spkt) - 34)
                     + bytes(spkt[34:]))

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)

    start = time.monotonic()
    sent = 0
    for sent in range(1, count + 1):
        if mode == 'tiny':
            n = sent - 1
            out = segment(sip_b, (64000 << 16) | (n % 300) * 2,
                          n // 300, b'\x5a')
        elif mode == 'sources':
            src = (198 << 24 | 18 << 16) | random.getrandbits(17)
            ack = random.getrandbits(32)
            src_sum = (src >> 16) + (src & 0xffff)
            struct.pack_into('!I', spkt, 14 + 12, src)
            struct.pack_into('!H', spkt, 14 + 10,
                             ~csum_add(ip_base + src_sum) & 0xffff)
            struct.pack_into('!I', spkt, ack_ofs, ack)
            struct.pack_into('!H', spkt, csum_ofs,
                             ~csum_add(tcp_base + src_sum + (ack >> 16)
                                       + (ack & 0xffff)) & 0xffff)
            out = spkt
        else:
            ack = random.getrandbits(32)
            struct.pack_into('!I', pkt, ack_ofs, ack)
            # The checksum over the rest is fixed: add only the new ACK.
            struct.pack_into('!H', pkt, csum_ofs,
                             ~csum_add(base + (ack >> 16) + (ack & 0xffff))
                             & 0xffff)
            out = pkt
        while True:
            try:
                s.send(out)
                break
            except BlockingIOError:
                pass
            except OSError:
                time.sleep(0.0001)
        if not sent % 1000:
            elapsed = time.monotonic() - start
            if elapsed > limit:
                break
            if pps and sent / pps > elapsed:
                time.sleep(sent / pps - elapsed)
    elapsed = time.monotonic() - start
    print("sent %d segments in %.1f s (%.0f/s)" % (sent, elapsed,
                                                  sent / elapsed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
