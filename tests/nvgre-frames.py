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

"""Builds and decodes NVGRE frames for the ovs-nvo3 tests, with two
encoders and decoders that owe nothing to ovs-nvo3's C code: scapy builds
frames, os-ken's packet library (gre.nvgre) decodes them.  Packets are hex
strings, as ovs-pcap prints them and netdev-dummy/receive takes them.

  nvgre-frames.py frame [options] INNER-HEX     one NVGRE frame
  nvgre-frames.py decode [--pcap FILE] HEX...   one line per frame
"""

import argparse
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)


def build(a, inner):
    from scapy.all import Ether, IP, IPv6, GRE, Raw, raw
    if ':' in a.sip:
        ip = IPv6(src=a.sip, dst=a.dip, hlim=a.ttl, nh=47)
    else:
        ip = IP(src=a.sip, dst=a.dip, ttl=a.ttl, flags='DF', id=0, tos=0)
    gre = GRE(key_present=1, key=(a.vsid << 8) | a.flowid, proto=0x6558)
    if a.csum:
        gre.chksum_present = 1
    return raw(Ether(src=a.smac, dst=a.dmac) / ip / gre / Raw(inner))


def decode(data):
    from os_ken.lib.packet import packet, gre, ipv4, ipv6
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


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    f = sub.add_parser('frame')
    f.add_argument('--smac', default='f8:bc:12:44:34:b6')
    f.add_argument('--dmac', default='aa:55:aa:55:00:00')
    f.add_argument('--sip', default='1.1.2.92')
    f.add_argument('--dip', default='1.1.2.88')
    f.add_argument('--ttl', type=int, default=64)
    f.add_argument('--vsid', type=lambda x: int(x, 0), required=True)
    f.add_argument('--flowid', type=lambda x: int(x, 0), default=0)
    f.add_argument('--csum', action='store_true')
    f.add_argument('inner')
    d = sub.add_parser('decode')
    d.add_argument('--pcap', help='decode the packets of this capture')
    d.add_argument('--count', type=int, default=0, help='at most this many')
    d.add_argument('packets', nargs='*')
    a = p.parse_args()
    if a.cmd == 'frame':
        print(build(a, bytes.fromhex(a.inner)).hex())
    else:
        packets = [bytes.fromhex(h) for h in a.packets]
        if a.pcap:
            from scapy.all import rdpcap, raw
            packets += [raw(p) for p in rdpcap(a.pcap, count=a.count or -1)]
        for data in packets:
            print(decode(data))
    return 0


if __name__ == '__main__':
    sys.exit(main())
