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

"""Builds and decodes STT frames for the ovs-nvo3 tests.

An implementation of the STT wire format (../shared/spec/stt.md) that is
independent of the C one, so that tests can compare the two byte for byte.
Packets are exchanged as hex strings, one per line, as ovs-pcap prints them
and netdev-dummy/receive takes them.

  stt-frames.py udp-frame --len N [--vlan TCI]     an inner test frame
  stt-frames.py tcp-frame --payload N [--pad P]   an inner TCP frame
  stt-frames.py arp-frame                          an inner ARP request
  stt-frames.py segments [options] INNER-HEX       STT segments, one per line
  stt-frames.py decode HEX...                      one line per segment
"""

import argparse
import ipaddress
import struct
import sys

ETH_IP, ETH_IPV6, ETH_VLAN, ETH_ARP = 0x0800, 0x86dd, 0x8100, 0x0806


def mac(s):
    return bytes(int(x, 16) for x in s.split(':'))


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(length, vlan=None, tos=0):
    """An Ethernet/IPv4/UDP frame of exactly 'length' bytes (no FCS)."""
    eth = mac('50:54:00:00:00:02') + mac('50:54:00:00:00:01')
    if vlan is not None:
        eth += struct.pack('!HH', ETH_VLAN, vlan)
    eth += struct.pack('!H', ETH_IP)
    payload_len = length - len(eth) - 20 - 8
    if payload_len < 0:
        raise SystemExit('frame too short')
    payload = bytes((i * 7 + 3) & 0xff for i in range(payload_len))
    udp = struct.pack('!HHHH', 5000, 6000, 8 + payload_len, 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, tos, 20 + len(udp), 0, 0x4000,
                     64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return eth + ip + udp


def tcp_frame(payload_len, pad=0):
    """An Ethernet/IPv4/TCP frame with 'payload_len' bytes of payload and
    'pad' bytes of Ethernet padding after the IP datagram."""
    eth = (mac('50:54:00:00:00:02') + mac('50:54:00:00:00:01')
           + struct.pack('!H', ETH_IP))
    payload = bytes((i * 5 + 1) & 0xff for i in range(payload_len))
    tcp = struct.pack('!HHIIBBHHH', 40000, 80, 1, 1, 5 << 4, 0x18, 512, 0,
                      0) + payload
    pseudo = bytes([10, 0, 0, 1, 10, 0, 0, 2, 0, 6]) + struct.pack('!H',
                                                                   len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 7, 0x4000, 64,
                     6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return eth + ip + tcp + b'\xee' * pad


def arp_frame():
    eth = (mac('ff:ff:ff:ff:ff:ff') + mac('50:54:00:00:00:01')
           + struct.pack('!H', ETH_ARP))
    arp = struct.pack('!HHBBH6s4s6s4s', 1, ETH_IP, 6, 4, 1,
                      mac('50:54:00:00:00:01'), bytes([10, 0, 0, 1]),
                      bytes(6), bytes([10, 0, 0, 2]))
    return eth + arp


def stt_header(key, flags=0, l4ofs=0, mss=0, vlan=0, version=0):
    return struct.pack('!BBBBHHQ', version, flags, l4ofs, 0, mss, vlan,
                       key) + b'\0\0'


def segments(inner, a):
    frame = stt_header(a.key, a.flags, a.l4ofs, a.stt_mss, a.vlan,
                       a.version) + inner
    seg_len = a.mss if a.mss else len(frame)
    sip = ipaddress.ip_address(a.sip)
    dip = ipaddress.ip_address(a.dip)
    out = []
    # Segments as TSO makes them: PSH only on the last one, IP IDs counting
    # up from the frame's.
    for n, off in enumerate(range(0, len(frame), seg_len)):
        data = frame[off:off + seg_len]
        last = off + seg_len >= len(frame)
        tcp = struct.pack('!HHIIBBHHH', a.sport, a.dport,
                          (len(frame) << 16) | off, a.frame_id, 5 << 4,
                          0x18 if last else 0x10, 0xffff, 0, 0) + data
        if sip.version == 4:
            pseudo = sip.packed + dip.packed + struct.pack('!BBH', 0, 6,
                                                            len(tcp))
        else:
            pseudo = sip.packed + dip.packed + struct.pack('!IxxxB',
                                                            len(tcp), 6)
        tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
        if sip.version == 4:
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, a.tos, 20 + len(tcp), n,
                             0x4000, a.ttl, 6, 0, sip.packed, dip.packed)
            ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
            eth_type = ETH_IP
        else:
            ip = struct.pack('!IHBB16s16s', (6 << 28) | (a.tos << 20),
                             len(tcp), 6, a.ttl, sip.packed, dip.packed)
            eth_type = ETH_IPV6
        eth = mac(a.dmac) + mac(a.smac) + struct.pack('!H', eth_type)
        out.append(eth + ip + tcp)
    if a.order:
        out = [out[int(i) - 1] for i in a.order.split(',')]
    return out


def decode(pkt):
    """One line describing an STT segment: the fields tests assert."""
    eth_type = struct.unpack('!H', pkt[12:14])[0]
    if eth_type == ETH_IP:
        ihl = (pkt[14] & 0xf) * 4
        tot_len = struct.unpack('!H', pkt[16:18])[0]
        sip = ipaddress.ip_address(pkt[26:30])
        dip = ipaddress.ip_address(pkt[30:34])
        l4 = pkt[14 + ihl:14 + tot_len]
        pseudo = sip.packed + dip.packed + struct.pack('!BBH', 0, 6, len(l4))
        ipinfo = 'ipv4 len=%d' % tot_len
    elif eth_type == ETH_IPV6:
        plen = struct.unpack('!H', pkt[18:20])[0]
        sip = ipaddress.ip_address(pkt[22:38])
        dip = ipaddress.ip_address(pkt[38:54])
        l4 = pkt[54:54 + plen]
        pseudo = sip.packed + dip.packed + struct.pack('!IxxxB', len(l4), 6)
        ipinfo = 'ipv6 plen=%d' % plen
    else:
        return 'not ip'
    (sport, dport, seq, ack, doff, flags, win, _, urg) = struct.unpack(
        '!HHIIBBHHH', l4[:20])
    good = csum(pseudo + l4) == 0
    line = ('%s %s>%s dport=%d seq=0x%08x len=%d flags=0x%02x win=0x%04x '
            'doff=%d csum=%s' % (ipinfo, sip, dip, dport, seq, len(l4) - 20,
                                 flags, win, doff >> 4,
                                 'ok' if good else 'BAD'))
    if seq & 0xffff == 0:
        ver, sflags, l4ofs, _, mss, vlan, key = struct.unpack(
            '!BBBBHHQ', l4[20:36])
        line += (' stt(ver=%d flags=0x%02x l4ofs=%d mss=%d vlan=0x%04x '
                 'key=0x%x)' % (ver, sflags, l4ofs, mss, vlan, key))
    return line


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    u = sub.add_parser('udp-frame')
    u.add_argument('--len', type=int, required=True)
    u.add_argument('--vlan', type=lambda x: int(x, 0))
    u.add_argument('--tos', type=lambda x: int(x, 0), default=0)
    t = sub.add_parser('tcp-frame')
    t.add_argument('--payload', type=int, required=True)
    t.add_argument('--pad', type=int, default=0)
    sub.add_parser('arp-frame')
    s = sub.add_parser('segments')
    s.add_argument('--smac', default='f8:bc:12:44:34:b6')
    s.add_argument('--dmac', default='aa:55:aa:55:00:00')
    s.add_argument('--sip', default='1.1.2.92')
    s.add_argument('--dip', default='1.1.2.88')
    s.add_argument('--sport', type=int, default=50000)
    s.add_argument('--dport', type=int, default=7471)
    s.add_argument('--frame-id', type=lambda x: int(x, 0), default=1)
    s.add_argument('--key', type=lambda x: int(x, 0), default=0)
    s.add_argument('--mss', type=int, default=0)
    s.add_argument('--flags', type=lambda x: int(x, 0), default=0)
    s.add_argument('--l4ofs', type=int, default=0)
    s.add_argument('--stt-mss', type=int, default=0)
    s.add_argument('--vlan', type=lambda x: int(x, 0), default=0)
    s.add_argument('--version', type=int, default=0)
    s.add_argument('--tos', type=int, default=0)
    s.add_argument('--ttl', type=int, default=64)
    s.add_argument('--order', help='e.g. 3,1,2')
    s.add_argument('inner')
    d = sub.add_parser('decode')
    d.add_argument('packets', nargs='+')
    a = p.parse_args()

    if a.cmd == 'udp-frame':
        print(udp_frame(a.len, a.vlan, a.tos).hex())
    elif a.cmd == 'tcp-frame':
        print(tcp_frame(a.payload, a.pad).hex())
    elif a.cmd == 'arp-frame':
        print(arp_frame().hex())
    elif a.cmd == 'segments':
        for seg in segments(bytes.fromhex(a.inner), a):
            print(seg.hex())
    elif a.cmd == 'decode':
        for h in a.packets:
            print(decode(bytes.fromhex(h)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
