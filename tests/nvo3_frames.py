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

"""STT and NVGRE frames for the ovs-nvo3 tests: build, cut, decode, and
read them back from captures.

An implementation of both wire formats (../shared/spec/stt.md, nvgre.md)
that owes nothing to ovs-nvo3's C code, so that tests can compare the two
byte for byte.  scapy builds the Ethernet, IP, TCP, UDP and GRE headers
and reads captures; the STT frame header is a scapy layer of our own (scapy
has none).  os-ken's packet library decodes NVGRE, a second opinion on
scapy's encoding.

As a command, packets are hex strings, one per line, as ovs-pcap prints
them and netdev-dummy/receive takes them:

  nvo3_frames.py udp-frame --len N [--vlan TCI] [--tos T]   inner frames
  nvo3_frames.py tcp-frame --payload N [--pad P] [--fill STEP,FIRST]
                           [--partial-csum]
  nvo3_frames.py arp-frame
  nvo3_frames.py stt-segments [options] INNER-HEX    STT segments
  nvo3_frames.py stt-decode HEX...                   one line per segment
  nvo3_frames.py nvgre-frame [options] INNER-HEX     one NVGRE frame
  nvo3_frames.py nvgre-decode [--pcap FILE [--count N]] [HEX...]

tests/stt-flood.py and tests/kernel/stt-inject.py import it.
"""

import argparse
import ipaddress
import logging
import struct
import sys

# scapy warns on import about interfaces and routes that it does not find;
# none of that matters for building frames.
logging.getLogger('scapy.runtime').setLevel(logging.ERROR)

from scapy.fields import (ByteField, ShortField, XByteField,  # noqa: E402
                          XLongField, XShortField)
from scapy.layers.inet import ICMP, IP, TCP, UDP, in4_chksum  # noqa: E402
from scapy.layers.inet6 import IPv6, in6_chksum  # noqa: E402
from scapy.layers.l2 import ARP, GRE, Dot1Q, Ether  # noqa: E402
from scapy.packet import Packet, Raw  # noqa: E402
from scapy.utils import RawPcapReader, checksum  # noqa: E402

STT_PORT = 7471
STT_HEADER_LEN = 18            # frame header and its 2 bytes of padding
TCP_ACK, TCP_PSH = 0x10, 0x08

# The inner test frames: a "VM" at 10.0.0.1 talking to one at 10.0.0.2.
VM1_MAC, VM2_MAC = '50:54:00:00:00:01', '50:54:00:00:00:02'
VM1_IP, VM2_IP = '10.0.0.1', '10.0.0.2'


class STT(Packet):
    """The STT frame header, at offset 0 of the frame only."""
    name = 'STT'
    fields_desc = [ByteField('version', 0),
                   XByteField('flags', 0),
                   ByteField('l4ofs', 0),
                   ByteField('reserved', 0),
                   ShortField('mss', 0),
                   XShortField('vlan', 0),
                   XLongField('key', 0),
                   XShortField('pad', 0)]


def fill(length, step, first):
    """'length' bytes of a recognizable pattern."""
    return bytes((i * step + first) & 0xff for i in range(length))


def vlan_tag(tci):
    return Dot1Q(prio=tci >> 13, id=(tci >> 12) & 1, vlan=tci & 0xfff)


def udp_frame(length, vlan=None, tos=0):
    """An Ethernet/IPv4/UDP frame of exactly 'length' bytes (no FCS)."""
    l2 = Ether(dst=VM2_MAC, src=VM1_MAC)
    if vlan is not None:
        l2 = l2 / vlan_tag(vlan)
    payload_len = length - len(l2) - 20 - 8
    if payload_len < 0:
        raise SystemExit('frame too short')
    return bytes(l2 / IP(tos=tos, id=0, flags='DF', ttl=64, src=VM1_IP,
                         dst=VM2_IP)
                 / UDP(sport=5000, dport=6000, chksum=0)
                 / Raw(fill(payload_len, 7, 3)))


def pseudo_header_sum(src, dst, proto, length):
    """The IPv4 pseudo-header sum that a sender using checksum offload
    leaves in the L4 checksum field."""
    pseudo = (ipaddress.ip_address(src).packed
              + ipaddress.ip_address(dst).packed
              + struct.pack('!BBH', 0, proto, length))
    return ~checksum(pseudo) & 0xffff


def tcp_frame(payload_len, pad=0, fill_pattern=(5, 1), partial=False):
    """An Ethernet/IPv4/TCP frame with 'payload_len' bytes of payload and
    'pad' bytes of Ethernet padding after the IP datagram.  With 'partial',
    its TCP checksum field holds the pseudo-header sum only, as a TSO
    sender leaves it."""
    tcp = TCP(sport=40000, dport=80, seq=1, ack=1, dataofs=5, flags='PA',
              window=512, urgptr=0)
    if partial:
        tcp.chksum = pseudo_header_sum(VM1_IP, VM2_IP, 6, 20 + payload_len)
    return bytes(Ether(dst=VM2_MAC, src=VM1_MAC)
                 / IP(id=7, flags='DF', ttl=64, src=VM1_IP, dst=VM2_IP)
                 / tcp / Raw(fill(payload_len, *fill_pattern))) \
        + b'\xee' * pad


def arp_frame():
    """An ARP request from VM1 for VM2."""
    return bytes(Ether(dst='ff:ff:ff:ff:ff:ff', src=VM1_MAC)
                 / ARP(op=1, hwsrc=VM1_MAC, psrc=VM1_IP,
                       hwdst='00:00:00:00:00:00', pdst=VM2_IP))


def icmp_frame(smac, dmac, payload, tos=0, ident=0x1234):
    """An ICMP echo request from 192.168.50.1 to .2 with IP ID and ICMP ID
    'ident'."""
    return bytes(Ether(dst=dmac, src=smac)
                 / IP(tos=tos, id=ident, flags=0, ttl=64, src='192.168.50.1',
                      dst='192.168.50.2')
                 / ICMP(type=8, code=0, id=ident, seq=1) / Raw(payload))


def stt_frame(inner, **header):
    """The STT frame for 'inner': header (fields of STT) and inner frame."""
    return bytes(STT(**header)) + inner


def outer_ip(sip, dip, proto, tos=0, ttl=64, ip_id=0):
    """An outer IPv4 (DF set) or IPv6 header, by the family of 'sip'."""
    if ipaddress.ip_address(sip).version == 6:
        return IPv6(tc=tos, fl=0, nh=proto, hlim=ttl, src=sip, dst=dip)
    return IP(tos=tos, id=ip_id, flags='DF', ttl=ttl, proto=proto, src=sip,
              dst=dip)


def stt_segment(sip, dip, sport, frame_len, offset, data, frame_id,
                flags=TCP_ACK | TCP_PSH, dport=STT_PORT, **ip):
    """An outer IP packet (scapy) carrying the piece 'data' at 'offset' of
    an STT frame of 'frame_len' bytes; keyword arguments go to outer_ip."""
    return (outer_ip(sip, dip, 6, **ip)
            / TCP(sport=sport, dport=dport, seq=(frame_len << 16) | offset,
                  ack=frame_id, dataofs=5, flags=flags, window=0xffff,
                  urgptr=0)
            / Raw(data))


def stt_segments(frame, mss, smac, dmac, sip, dip, sport, frame_id, tos=0,
                 ttl=64, dport=STT_PORT):
    """The Ethernet frames carrying 'frame' (STT header included) in
    pieces of at most 'mss' bytes (0: one piece), as TSO makes them: PSH
    only on the last one, IP IDs counting up from 0."""
    step = mss or len(frame)
    out = []
    for n, off in enumerate(range(0, len(frame), step)):
        last = off + step >= len(frame)
        out.append(bytes(Ether(dst=dmac, src=smac) / stt_segment(
            sip, dip, sport, len(frame), off, frame[off:off + step],
            frame_id, TCP_ACK | (TCP_PSH if last else 0), dport,
            tos=tos, ttl=ttl, ip_id=n)))
    return out


def outer_l4(pkt, proto):
    """(IP layer, L4 bytes, L4 checksum correct?) of an Ethernet frame
    carrying protocol 'proto' directly over IPv4 or IPv6, else None.  The
    L4 bytes end where the IP length says (tiny frames are padded)."""
    eth = Ether(pkt)
    ip = eth.payload
    if isinstance(ip, IP) and ip.proto == proto:
        l4 = pkt[14 + ip.ihl * 4:14 + ip.len]
        return ip, l4, in4_chksum(proto, ip, l4) == 0
    if isinstance(ip, IPv6) and ip.nh == proto:
        l4 = pkt[54:54 + ip.plen]
        return ip, l4, in6_chksum(proto, ip, l4) == 0
    return None


def stt_decode(pkt):
    """One line describing an STT segment: the fields tests assert."""
    outer = outer_l4(pkt, 6)
    if outer is None:
        return 'not ip'
    ip, l4, good = outer
    if isinstance(ip, IP):
        ipinfo = 'ipv4 len=%d' % ip.len
    else:
        ipinfo = 'ipv6 plen=%d' % ip.plen
    tcp = TCP(l4)
    line = ('%s %s>%s dport=%d seq=0x%08x len=%d flags=0x%02x win=0x%04x '
            'doff=%d csum=%s' % (ipinfo, ipaddress.ip_address(ip.src),
                                 ipaddress.ip_address(ip.dst), tcp.dport,
                                 tcp.seq, len(l4) - 20, int(tcp.flags),
                                 tcp.window, tcp.dataofs,
                                 'ok' if good else 'BAD'))
    if tcp.seq & 0xffff == 0:
        h = STT(l4[20:20 + STT_HEADER_LEN])
        line += (' stt(ver=%d flags=0x%02x l4ofs=%d mss=%d vlan=0x%04x '
                 'key=0x%x)' % (h.version, h.flags, h.l4ofs, h.mss, h.vlan,
                                h.key))
    return line


def nvgre_frame(inner, vsid, flowid=0, csum=False, smac='f8:bc:12:44:34:b6',
                dmac='aa:55:aa:55:00:00', sip='1.1.2.92', dip='1.1.2.88',
                ttl=64):
    """An NVGRE frame: GRE with K (key = VSID << 8 | FlowID), and C if
    'csum', carrying Ethernet (0x6558)."""
    gre = GRE(key_present=1, key=(vsid << 8) | flowid, proto=0x6558)
    if csum:
        gre.chksum_present = 1
    return bytes(Ether(src=smac, dst=dmac) / outer_ip(sip, dip, 47, ttl=ttl)
                 / gre / Raw(inner))


def nvgre_decode(data):
    """One line describing an NVGRE frame, as os-ken's parser reads it."""
    from os_ken.lib.packet import gre, ipv4, ipv6, packet
    pkt = packet.Packet(data)
    ip = pkt.get_protocol(ipv4.ipv4) or pkt.get_protocol(ipv6.ipv6)
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
    address 'dst' only if given, as dicts of their TCP-like header fields,
    'payload' and 'csum_ok'."""
    for pkt in read_capture(path):
        outer = outer_l4(pkt, 6)
        if outer is None:
            continue
        ip, l4, good = outer
        if dst and ipaddress.ip_address(ip.dst) != ipaddress.ip_address(dst):
            continue
        tcp = TCP(l4)
        if tcp.dport != STT_PORT:
            continue
        yield dict(sport=tcp.sport, seq=tcp.seq, ack=tcp.ack,
                   doff=tcp.dataofs, flags=int(tcp.flags), win=tcp.window,
                   urg=tcp.urgptr, csum_ok=good,
                   payload=l4[tcp.dataofs * 4:])


class FastSegments:
    """Copies of one outer IPv4 STT segment that differ in source address,
    SEQ and ACK, for floods: building each with scapy would be far too
    slow, so both checksums are the sums of the fixed words, computed once,
    plus those of the words that change."""

    def __init__(self, smac, dmac, dip, payload, sport=40000):
        self.frame = bytearray(bytes(
            Ether(dst=dmac, src=smac)
            / IP(id=0, flags='DF', ttl=64, proto=6, src='0.0.0.0', dst=dip,
                 chksum=0)
            / TCP(sport=sport, dport=STT_PORT, seq=0, ack=0, flags='PA',
                  window=0xffff, chksum=0)
            / Raw(payload)))
        seg_len = len(self.frame) - 34
        self.ip_sum = self.words(self.frame[14:34])
        self.tcp_sum = self.words(
            ipaddress.ip_address(dip).packed
            + struct.pack('!BBH', 0, 6, seg_len) + self.frame[34:])

    @staticmethod
    def words(data):
        data = bytes(data) + b'\0' * (len(data) % 2)
        return sum(struct.unpack('!%dH' % (len(data) // 2), data))

    @staticmethod
    def fold(total):
        while total >> 16:
            total = (total & 0xffff) + (total >> 16)
        return ~total & 0xffff

    def make(self, src, seq, ack):
        """The segment from IPv4 address 'src' (an int), with 'seq' and
        'ack'; the returned buffer is reused by the next call."""
        f = self.frame
        struct.pack_into('!I', f, 26, src)
        struct.pack_into('!II', f, 38, seq, ack)
        changed = (src >> 16) + (src & 0xffff)
        struct.pack_into('!H', f, 24, self.fold(self.ip_sum + changed))
        changed += (seq >> 16) + (seq & 0xffff) + (ack >> 16) + (ack & 0xffff)
        struct.pack_into('!H', f, 50, self.fold(self.tcp_sum + changed))
        return f


def number(text):
    return int(text, 0)


def add_outer_options(p, smac='f8:bc:12:44:34:b6', dmac='aa:55:aa:55:00:00',
                      sip='1.1.2.92', dip='1.1.2.88'):
    p.add_argument('--smac', default=smac)
    p.add_argument('--dmac', default=dmac)
    p.add_argument('--sip', default=sip)
    p.add_argument('--dip', default=dip)
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
    sub.add_parser('arp-frame')
    s = sub.add_parser('stt-segments')
    add_outer_options(s)
    s.add_argument('--sport', type=int, default=50000)
    s.add_argument('--dport', type=int, default=STT_PORT)
    s.add_argument('--frame-id', type=number, default=1)
    s.add_argument('--key', type=number, default=0)
    s.add_argument('--mss', type=int, default=0)
    s.add_argument('--flags', type=number, default=0)
    s.add_argument('--l4ofs', type=int, default=0)
    s.add_argument('--stt-mss', type=int, default=0)
    s.add_argument('--vlan', type=number, default=0)
    s.add_argument('--version', type=int, default=0)
    s.add_argument('--tos', type=int, default=0)
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
                         a.partial_csum)]
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
