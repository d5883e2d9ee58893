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
#
# SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only
#
# Dual-licensed by its authors so that the GPL-2.0 kernel test scripts
# (tests/kernel/) may use it as well as the Apache-2.0 ones.

"""STT and NVGRE frames for the ovs-nvo3 tests: build, cut, decode, and
read them back from captures.

An implementation of both wire formats (../shared/spec/stt.md, nvgre.md)
that owes nothing to ovs-nvo3's C code, so that tests can compare the two
byte for byte.  scapy builds the Ethernet, IP, IPv6, UDP, TCP, ARP and GRE
headers, dissects frames and reads captures; os-ken's packet library
decodes NVGRE, a second opinion on scapy's encoding.  The STT header and
TCP-like header (scapy has no STT layer) and the inner ICMP frames of the
kernel tests are built here with the standard library only, and scapy is
imported by the functions that use it: in the kernel tests' emulated
guest, loading scapy takes 10 to 20 s, and tests/kernel/stt-inject.py
runs there, dozens of times, between steps that a 30 s reassembly timeout
bounds.

As a command, packets are hex strings, one per line, as ovs-pcap prints
them and netdev-dummy/receive takes them:

  nvo3_frames.py udp-frame --len N [--vlan TCI] [--tos T]   inner frames
  nvo3_frames.py tcp-frame --payload N [--pad P] [--fill STEP,FIRST]
                           [--partial-csum] [--seq S] [--flags F]
                           [--sport P] [--ip-flags F]
  nvo3_frames.py arp-frame
  nvo3_frames.py stt-segments [options] INNER-HEX    STT segments
  nvo3_frames.py stt-decode HEX...                   one line per segment
  nvo3_frames.py nvgre-frame [options] INNER-HEX     one NVGRE frame
  nvo3_frames.py nvgre-decode [--pcap FILE [--count N]] [HEX...]

tests/stt-flood.py and tests/kernel/stt-inject.py import it.
"""

import argparse
import collections
import ipaddress
import logging
import struct
import sys

# scapy warns on import about interfaces and routes that it does not find;
# none of that matters for building frames.
logging.getLogger('scapy.runtime').setLevel(logging.ERROR)

STT_PORT = 7471
TCP_ACK, TCP_PSH = 0x10, 0x08
TCP_LIKE = struct.Struct('!HHIIBBHHH')      # STT's TCP-like header

# The inner test frames: a "VM" at 10.0.0.1 talking to one at 10.0.0.2.
VM1_MAC, VM2_MAC = '50:54:00:00:00:01', '50:54:00:00:00:02'
VM1_IP, VM2_IP = '10.0.0.1', '10.0.0.2'


class SttHeader(collections.namedtuple(
        'SttHeader', 'version flags l4ofs reserved mss vlan key pad',
        defaults=(0,) * 8)):
    """The STT frame header and its 2 bytes of padding, at offset 0 of the
    frame only."""
    __slots__ = ()
    FORMAT = struct.Struct('!BBBBHHQH')

    def pack(self):
        return self.FORMAT.pack(*self)

    @classmethod
    def unpack(cls, data):
        return cls(*cls.FORMAT.unpack_from(data))


STT_HEADER_LEN = SttHeader.FORMAT.size


def words(data):
    """The sum of the 16-bit words of 'data', zero-padded to even."""
    data = bytes(data) + b'\0' * (len(data) % 2)
    return sum(struct.unpack('!%dH' % (len(data) // 2), data))


def fold(total):
    """The Internet checksum (RFC 1071) of data whose words sum to
    'total'."""
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def checksum(data):
    return fold(words(data))


def pseudo_header(src, dst, proto, length):
    """The IPv4 or IPv6 pseudo-header of the L4 checksum."""
    src, dst = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if src.version == 6:
        return src.packed + dst.packed + struct.pack('!I3xB', length, proto)
    return src.packed + dst.packed + struct.pack('!BBH', 0, proto, length)


def fill(length, step, first):
    """'length' bytes of a recognizable pattern."""
    return bytes((i * step + first) & 0xff for i in range(length))


def udp_frame(length, vlan=None, tos=0):
    """An Ethernet/IPv4/UDP frame of exactly 'length' bytes (no FCS)."""
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Dot1Q, Ether
    from scapy.packet import Raw
    l2 = Ether(dst=VM2_MAC, src=VM1_MAC)
    if vlan is not None:
        l2 = l2 / Dot1Q(prio=vlan >> 13, id=(vlan >> 12) & 1,
                        vlan=vlan & 0xfff)
    payload_len = length - len(l2) - 20 - 8
    if payload_len < 0:
        raise SystemExit('frame too short')
    return bytes(l2 / IP(tos=tos, id=0, flags='DF', ttl=64, src=VM1_IP,
                         dst=VM2_IP)
                 / UDP(sport=5000, dport=6000, chksum=0)
                 / Raw(fill(payload_len, 7, 3)))


def tcp_frame(payload_len, pad=0, fill_pattern=(5, 1), partial=False,
              seq=1, flags='PA', sport=40000, ip_flags='DF'):
    """An Ethernet/IPv4/TCP frame with 'payload_len' bytes of payload and
    'pad' bytes of Ethernet padding after the IP datagram.  With 'partial',
    its TCP checksum field holds the pseudo-header sum only, as a TSO
    sender leaves it."""
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
    tcp = TCP(sport=sport, dport=80, seq=seq, ack=1, dataofs=5, flags=flags,
              window=512, urgptr=0)
    if partial:
        tcp.chksum = ~checksum(pseudo_header(VM1_IP, VM2_IP, 6,
                                             20 + payload_len)) & 0xffff
    return bytes(Ether(dst=VM2_MAC, src=VM1_MAC)
                 / IP(id=7, flags=ip_flags, ttl=64, src=VM1_IP, dst=VM2_IP)
                 / tcp / Raw(fill(payload_len, *fill_pattern))) \
        + b'\xee' * pad


def arp_frame():
    """An ARP request from VM1 for VM2."""
    from scapy.layers.l2 import ARP, Ether
    return bytes(Ether(dst='ff:ff:ff:ff:ff:ff', src=VM1_MAC)
                 / ARP(op=1, hwsrc=VM1_MAC, psrc=VM1_IP,
                       hwdst='00:00:00:00:00:00', pdst=VM2_IP))


def icmp_frame(smac, dmac, payload, tos=0, ident=0x1234):
    """An ICMP echo request from 192.168.50.1 to .2 with IP ID and ICMP ID
    'ident', built without scapy for the kernel tests."""
    icmp = bytearray(struct.pack('!BBHHH', 8, 0, 0, ident, 1) + payload)
    struct.pack_into('!H', icmp, 2, checksum(icmp))
    ip = bytearray(struct.pack(
        '!BBHHHBBH4s4s', 0x45, tos, 20 + len(icmp), ident, 0, 64, 1, 0,
        ipaddress.ip_address('192.168.50.1').packed,
        ipaddress.ip_address('192.168.50.2').packed))
    struct.pack_into('!H', ip, 10, checksum(ip))
    return (bytes.fromhex(dmac.replace(':', ''))
            + bytes.fromhex(smac.replace(':', '')) + b'\x08\x00' + ip + icmp)


def stt_frame(inner, **header):
    """The STT frame for 'inner': header (fields of SttHeader) and inner
    frame."""
    return SttHeader(**header).pack() + inner


def stt_tcp(src, dst, sport, frame_len, offset, data, frame_id,
            flags=TCP_ACK | TCP_PSH, dport=STT_PORT):
    """An STT segment from its TCP-like header on: the piece 'data' at
    'offset' of an STT frame of 'frame_len' bytes, checksum over the
    pseudo-header of IPv4 or IPv6 addresses 'src' and 'dst'."""
    tcp = bytearray(TCP_LIKE.pack(sport, dport, (frame_len << 16) | offset,
                                  frame_id, 5 << 4, flags, 0xffff, 0, 0)
                    + data)
    struct.pack_into('!H', tcp, 16,
                     checksum(pseudo_header(src, dst, 6, len(tcp)) + tcp))
    return tcp


def outer_ip(sip, dip, proto, tos=0, ttl=64, ip_id=0):
    """An outer IPv4 (DF set) or IPv6 header (scapy), by the family of
    'sip'."""
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6
    if ipaddress.ip_address(sip).version == 6:
        return IPv6(tc=tos, fl=0, nh=proto, hlim=ttl, src=sip, dst=dip)
    return IP(tos=tos, id=ip_id, flags='DF', ttl=ttl, proto=proto, src=sip,
              dst=dip)


def stt_segments(frame, mss, smac, dmac, sip, dip, sport, frame_id, tos=0,
                 ttl=64, dport=STT_PORT):
    """The Ethernet frames carrying 'frame' (STT header included) in
    pieces of at most 'mss' bytes (0: one piece), as TSO makes them: PSH
    only on the last one, IP IDs counting up from 0."""
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
    step = mss or len(frame)
    out = []
    for n, off in enumerate(range(0, len(frame), step)):
        last = off + step >= len(frame)
        tcp = stt_tcp(sip, dip, sport, len(frame), off,
                      frame[off:off + step], frame_id,
                      TCP_ACK | (TCP_PSH if last else 0), dport)
        out.append(bytes(Ether(dst=dmac, src=smac)
                         / outer_ip(sip, dip, 6, tos, ttl, n) / Raw(tcp)))
    return out


def outer_l4(pkt, proto):
    """(IP layer, L4 bytes, L4 checksum correct?) of an Ethernet frame
    carrying protocol 'proto' directly over IPv4 or IPv6, else None.  The
    L4 bytes end where the IP length says (tiny frames are padded)."""
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether
    ip = Ether(pkt).payload
    if isinstance(ip, IP) and ip.proto == proto:
        l4 = pkt[14 + ip.ihl * 4:14 + ip.len]
    elif isinstance(ip, IPv6) and ip.nh == proto:
        l4 = pkt[54:54 + ip.plen]
    else:
        return None
    return ip, l4, checksum(pseudo_header(ip.src, ip.dst, proto, len(l4))
                            + l4) == 0


def stt_decode(pkt):
    """One line describing an STT segment: the fields tests assert."""
    outer = outer_l4(pkt, 6)
    if outer is None:
        return 'not ip'
    ip, l4, good = outer
    if ip.version == 4:
        ipinfo = 'ipv4 len=%d' % ip.len
    else:
        ipinfo = 'ipv6 plen=%d' % ip.plen
    sport, dport, seq, ack, doff, flags, win, _, urg = TCP_LIKE.unpack_from(l4)
    line = ('%s %s>%s dport=%d seq=0x%08x len=%d flags=0x%02x win=0x%04x '
            'doff=%d csum=%s' % (ipinfo, ipaddress.ip_address(ip.src),
                                 ipaddress.ip_address(ip.dst), dport, seq,
                                 len(l4) - 20, flags, win, doff >> 4,
                                 'ok' if good else 'BAD'))
    if seq & 0xffff == 0:
        h = SttHeader.unpack(l4[20:])
        line += (' stt(ver=%d flags=0x%02x l4ofs=%d mss=%d vlan=0x%04x '
                 'key=0x%x)' % (h.version, h.flags, h.l4ofs, h.mss, h.vlan,
                                h.key))
    return line


def nvgre_frame(inner, vsid, flowid=0, csum=False, smac='f8:bc:12:44:34:b6',
                dmac='aa:55:aa:55:00:00', sip='1.1.2.92', dip='1.1.2.88',
                ttl=64):
    """An NVGRE frame: GRE with K (key = VSID << 8 | FlowID), and C if
    'csum', carrying Ethernet (0x6558)."""
    from scapy.layers.l2 import GRE, Ether
    from scapy.packet import Raw
    gre = GRE(key_present=1, key=(vsid << 8) | flowid, proto=0x6558)
    if csum:
        gre.chksum_present = 1
    return bytes(Ether(src=smac, dst=dmac) / outer_ip(sip, dip, 47, ttl=ttl)
                 / gre / Raw(inner))


def nvgre_decode(data):
    """One line describing an NVGRE frame, as os-ken's parser reads it."""
    from os_ken.lib.packet import gre, ipv4, ipv6, packet
    pkt = packet.Packet(data)
    # The outer header: an IPv6 underlay's frame may carry inner IPv4.
    ip = next((p for p in pkt.protocols
               if isinstance(p, (ipv4.ipv4, ipv6.ipv6))), None)
    g = pkt.get_protocol(gre.gre)
    if g is None:
        return 'not gre'
    return ('%s>%s gre proto=0x%04x csum=%s seq=%s vsid=0x%06x flowid=0x%02x'
            % (ip.src, ip.dst, g.protocol,
               'yes' if g.checksum is not None else 'no',
               'yes' if g.seq_number is not None else 'no',
               g.vsid if g.vsid is not None else 0,
               g.flow_id if g.flow_id is not None else 0))


def read_capture(path, count=-1):
    """The packets of the pcap file at 'path' (at most 'count' of them if
    positive), as bytes, undissected."""
    from scapy.utils import RawPcapReader
    reader = RawPcapReader(path)
    try:
        for n, (data, _) in enumerate(reader):
            if n == count:
                break
            yield data
    finally:
        reader.close()


def capture_stt_segments(path, dst=None):
    """The STT segments (to port 7471) in the capture at 'path', to outer
    address 'dst' only if given, as dicts of their TCP-like header fields
    (doff in 32-bit words), 'payload' and 'csum_ok'."""
    for pkt in read_capture(path):
        outer = outer_l4(pkt, 6)
        if outer is None:
            continue
        ip, l4, good = outer
        if dst and ipaddress.ip_address(ip.dst) != ipaddress.ip_address(dst):
            continue
        sport, dport, seq, ack, doff, flags, win, _, urg = \
            TCP_LIKE.unpack_from(l4)
        if dport != STT_PORT:
            continue
        yield dict(sport=sport, seq=seq, ack=ack, doff=doff >> 4,
                   flags=flags, win=win, urg=urg, csum_ok=good,
                   payload=l4[(doff >> 4) * 4:])


class FastSegments:
    """STT segments that differ only in SEQ, ACK, payload bytes and, over
    IPv4, source address, for floods: each copy's checksums are the sums
    of its fixed words, computed once, plus those of the words that
    change.

    The copies are TCP-like header and payload; with 'smac' and 'dmac',
    Ethernet frames (IPv4, built by scapy); 'l4' is the offset of the
    TCP-like header in them."""

    def __init__(self, sip, dip, sport, payload, smac=None, dmac=None,
                 dport=STT_PORT):
        tcp = stt_tcp(sip, dip, sport, 0, 0, payload, 0, dport=dport)
        tcp[16:18] = b'\0\0'
        self.frame, self.ip = tcp, None
        if smac:
            from scapy.layers.l2 import Ether
            from scapy.packet import Raw
            ip = outer_ip(sip, dip, 6)
            ip.chksum = 0
            self.frame = bytearray(bytes(Ether(dst=dmac, src=smac) / ip
                                         / Raw(tcp)))
            self.ip = 14
            self.ip_sum = words(self.frame[14:34])
        self.l4 = len(self.frame) - len(tcp)
        self.tcp_sum = words(pseudo_header(sip, dip, 6, len(tcp)) + tcp[:20])
        self.payload_sum = words(payload)

    def make(self, seq, ack, payload=None, src=None):
        """The segment with 'seq' and 'ack', a new 'payload' (as long as
        the first) if given, and IPv4 source address 'src' (an int) if
        given instead of the first one; the returned buffer is reused by
        the next call."""
        f, changed = self.frame, 0
        if src is not None:
            struct.pack_into('!I', f, self.ip + 12, src)
            changed = (src >> 16) + (src & 0xffff)
            struct.pack_into('!H', f, self.ip + 10,
                             fold(self.ip_sum + changed))
        struct.pack_into('!II', f, self.l4 + 4, seq, ack)
        changed += (seq >> 16) + (seq & 0xffff) + (ack >> 16) + (ack & 0xffff)
        if payload is not None:
            f[self.l4 + 20:] = payload
            self.payload_sum = words(payload)
        struct.pack_into('!H', f, self.l4 + 16,
                         fold(self.tcp_sum + changed + self.payload_sum))
        return f


def number(text):
    return int(text, 0)


def add_outer_options(p):
    """The outer header options of stt-segments and nvgre-frame: by
    default from the peer 1.1.2.92 to us, 1.1.2.88."""
    p.add_argument('--smac', default='f8:bc:12:44:34:b6')
    p.add_argument('--dmac', default='aa:55:aa:55:00:00')
    p.add_argument('--sip', default='1.1.2.92')
    p.add_argument('--dip', default='1.1.2.88')
    p.add_argument('--ttl', type=int, default=64)
    p.add_argument('inner', type=bytes.fromhex)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description='STT and NVGRE frames for the ovs-nvo3 tests')
    sub = p.add_subparsers(dest='cmd', required=True)
    u = sub.add_parser('udp-frame')
    u.add_argument('--len', type=int, required=True)
    u.add_argument('--vlan', type=number)
    u.add_argument('--tos', type=number, default=0)
    t = sub.add_parser('tcp-frame')
    t.add_argument('--payload', type=int, required=True)
    t.add_argument('--pad', type=int, default=0)
    t.add_argument('--fill', default='5,1',
                   help='payload byte i is (i * STEP + FIRST) & 0xff')
    t.add_argument('--partial-csum', action='store_true')
    t.add_argument('--seq', type=int, default=1)
    t.add_argument('--flags', default='PA')
    t.add_argument('--sport', type=int, default=40000)
    t.add_argument('--ip-flags', default='DF')
    sub.add_parser('arp-frame')
    s = sub.add_parser('stt-segments')
    add_outer_options(s)
    for opt, conv, default in (
            ('--sport', int, 50000), ('--dport', int, STT_PORT),
            ('--frame-id', number, 1), ('--key', number, 0),
            ('--mss', int, 0), ('--flags', number, 0), ('--l4ofs', int, 0),
            ('--stt-mss', int, 0), ('--vlan', number, 0),
            ('--version', int, 0), ('--tos', int, 0)):
        s.add_argument(opt, type=conv, default=default)
    s.add_argument('--order', help='e.g. 3,1,2')
    d = sub.add_parser('stt-decode')
    d.add_argument('packets', nargs='+', type=bytes.fromhex)
    n = sub.add_parser('nvgre-frame')
    add_outer_options(n)
    n.add_argument('--vsid', type=number, required=True)
    n.add_argument('--flowid', type=number, default=0)
    n.add_argument('--csum', action='store_true')
    nd = sub.add_parser('nvgre-decode')
    nd.add_argument('--pcap', help='decode the packets of this capture')
    nd.add_argument('--count', type=int, default=0, help='at most this many')
    nd.add_argument('packets', nargs='*', type=bytes.fromhex)
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    if a.cmd == 'udp-frame':
        out = [udp_frame(a.len, a.vlan, a.tos)]
    elif a.cmd == 'tcp-frame':
        out = [tcp_frame(a.payload, a.pad, tuple(map(int, a.fill.split(','))),
                         a.partial_csum, a.seq, a.flags, a.sport,
                         a.ip_flags)]
    elif a.cmd == 'arp-frame':
        out = [arp_frame()]
    elif a.cmd == 'stt-segments':
        frame = stt_frame(a.inner, version=a.version, flags=a.flags,
                          l4ofs=a.l4ofs, mss=a.stt_mss, vlan=a.vlan,
                          key=a.key)
        out = stt_segments(frame, a.mss, a.smac, a.dmac, a.sip, a.dip,
                           a.sport, a.frame_id, a.tos, a.ttl, a.dport)
        if a.order:
            out = [out[int(i) - 1] for i in a.order.split(',')]
    elif a.cmd == 'nvgre-frame':
        out = [nvgre_frame(a.inner, a.vsid, a.flowid, a.csum, a.smac, a.dmac,
                           a.sip, a.dip, a.ttl)]
    else:
        packets = a.packets
        if a.cmd == 'nvgre-decode' and a.pcap:
            packets += read_capture(a.pcap, a.count or -1)
        decode = stt_decode if a.cmd == 'stt-decode' else nvgre_decode
        for pkt in packets:
            print(decode(pkt))
        return 0
    for pkt in out:
        print(pkt.hex())
    return 0


if __name__ == '__main__':
    sys.exit(main())
