#! /usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made STT segments for the kernel module's tests, and a pcap check.

  stt-inject.py SRC DST SMAC DMAC SCENARIO [ARG]
      Sends STT segments from SRC (a local IPv4 or IPv6 address) to DST
      (same family) port 7471 through a raw socket.  Inner frames are
      ICMP echo requests from 192.168.50.1 (SMAC) to 192.168.50.2 (DMAC),
      context ID 77.
      Scenarios (frames of 1260 bytes cut in pieces of 420 unless said):
        order 3-1-2      one frame in 3 segments, sent in that order
        split-header     segment 1 holds only 10 bytes of the STT header
                         (a piece under the module's 256-byte minimum)
        short-tail       2 segments, the last one 1 byte, sent last first
        ce               2 segments, the second with outer ECN CE; inner ECT(0)
        dup              3 segments, segment 1 sent twice
        overlap          3 segments plus a 300-byte one overlapping 1 and 2
        bad-version      a whole frame with STT version 1
        bad-offset       offset + length > frame length
        short-frame      frame length 10 (< 18)
        len-mismatch     2 segments of one ID that disagree on frame length
        bad-csum         a whole frame with a wrong TCP checksum
        bad-l4           a whole frame, partial flags, L4 offset 20
        tiny N           N 1-byte segments of one 60000-byte frame, at
                         offsets 0..N-1 (N < 60000: none of them last)
        flood N          N first segments (300 bytes) of N never-completed
                         frames, one source port, N frame IDs
        incomplete       one first segment of a frame that never completes
        splice           a victim's frame (context 77, ICMP id 0x1234) sent
                         2, 3, then an attacker's segment 1 from the same
                         address and with the same frame ID but another
                         source port (context 99, ICMP id 0x4321), then the
                         victim's segment 1
        fair ATTACKER K M
                         K frames from SRC in 3 segments each; between two
                         segments, M first segments of never-completed
                         frames from ATTACKER (another local address), each
                         with a frame ID of its own

  stt-inject.py tcp-sink ADDR PORT
      Accepts one TCP connection on ADDR (IPv6) and prints the number of
      bytes received until the peer closes.

  stt-inject.py tcp-dstopts ADDR PORT BYTES DSTOPTS_LEN
      Connects to ADDR (IPv6) with a sticky destination options header of
      DSTOPTS_LEN bytes (16..256, a multiple of 8) and sends BYTES bytes.

  stt-inject.py pcap-ids FILE MIN [DST]
      Succeeds if FILE holds at least MIN STT frames (to DST) and no two of
      their frame IDs are closer than 256 (IDs must be random per frame,
      not counters).

  stt-inject.py pcap-vlan FILE TCI
      Succeeds if an STT header in FILE carries VLAN field TCI.

  stt-inject.py pcap FILE FRAME_LEN CONTEXT_ID [DST]
      Checks the STT frame of FRAME_LEN bytes (to outer address DST, IPv4
      or IPv6: then only IPv6 with next header TCP counts) in FILE
      (tcpdump -w, Ethernet)
      segment by segment: SEQ high bits = frame length, offsets contiguous
      from 0, one ACK for the frame, TCP-like header fields, outer TCP
      checksum, STT header.  Exits 1 on any mismatch.
"""

import os
import random
import socket
import struct
import sys

# The packet module is in tests/; the tree may be read-only (QEMU guests).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                ".."))
from nvo3_frames import (STT_HEADER_LEN, FastSegments,  # noqa: E402
                         SttHeader, capture_stt_segments, icmp_frame,
                         stt_frame)


def inner_icmp(smac, dmac, size, tos=0, ident=0x1234):
    payload = bytes(random.getrandbits(8) for _ in range(size))
    return icmp_frame(smac, dmac, payload, tos, ident)


def context_frame(inner, ctx=77, **header):
    """The STT frame for INNER with context ID CTX."""
    return stt_frame(inner, key=ctx, **header)


class Sender:
    def __init__(self, src, dst, sport=None):
        fam = socket.AF_INET6 if ":" in src else socket.AF_INET
        self.v6 = fam == socket.AF_INET6
        self.src, self.dst = src, dst
        self.sock = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
        # The pseudo-header uses SRC: make sure the packet does too.
        self.sock.bind((src, 0))
        self.sport = sport or random.randint(32768, 65535)
        self.fast = {}

    def seg(self, frame_len, offset, payload, ack, tos=0, bad_csum=False):
        # Floods send thousands: scapy builds one segment per payload
        # length, the others are copies with their own checksums.
        fast = self.fast.get(len(payload))
        if fast is None:
            fast = self.fast[len(payload)] = FastSegments(
                self.src, self.dst, self.sport, payload)
        # The kernel adds the IP header: send the TCP-like one and on.
        tcp = fast.make((frame_len << 16) | offset, ack, payload)[fast.l4:]
        if bad_csum:
            tcp[16] ^= 0x5A
            tcp[17] ^= 0x5A
        if self.v6:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS,
                                 tos)
        else:
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
        self.sock.sendto(tcp, (self.dst, 0))

    def frame(self, frame, pieces, order, ack, tos=None):
        """Sends FRAME cut at PIECES boundaries, in ORDER (1-based)."""
        bounds = [0] + pieces + [len(frame)]
        segs = [(bounds[i], frame[bounds[i]:bounds[i + 1]])
                for i in range(len(bounds) - 1)]
        for n in order:
            off, data = segs[n - 1]
            self.seg(len(frame), off, data, ack,
                     tos=(tos or {}).get(n, 0))


def inject(argv):
    src, dst, smac, dmac, scenario = argv[:5]
    args = argv[5:]
    s = Sender(src, dst)
    ack = random.getrandbits(32)
    frame = context_frame(inner_icmp(smac, dmac, 1200))
    third = len(frame) // 3
    cuts = [third, 2 * third]

    if scenario == "order":
        s.frame(frame, cuts, [int(x) for x in args[0].split("-")], ack)
    elif scenario == "split-header":
        s.frame(frame, [10], [1, 2], ack)
    elif scenario == "short-tail":
        s.frame(frame, [len(frame) - 1], [2, 1], ack)
    elif scenario == "ce":
        frame = context_frame(inner_icmp(smac, dmac, 1200, tos=0x02))
        s.frame(frame, [third], [1, 2], ack, tos={2: 0x03})
    elif scenario == "dup":
        s.frame(frame, cuts, [1, 1, 2, 3], ack)
    elif scenario == "overlap":
        s.frame(frame, cuts, [1], ack)
        s.seg(len(frame), third - 150, frame[third - 150:third + 150], ack)
        s.frame(frame, cuts, [2, 3], ack)
    elif scenario == "bad-version":
        f = context_frame(inner_icmp(smac, dmac, 64), version=1)
        s.seg(len(f), 0, f, ack)
    elif scenario == "bad-offset":
        s.seg(100, 90, b"x" * 20, ack)
    elif scenario == "short-frame":
        s.seg(10, 0, b"x" * 10, ack)
    elif scenario == "len-mismatch":
        s.seg(len(frame), 0, frame[:third], ack)
        s.seg(len(frame) + 1, third, frame[third:], ack)
    elif scenario == "bad-csum":
        f = context_frame(inner_icmp(smac, dmac, 64))
        s.seg(len(f), 0, f, ack, bad_csum=True)
    elif scenario == "bad-l4":
        f = context_frame(inner_icmp(smac, dmac, 64), flags=0x06, l4ofs=20)
        s.seg(len(f), 0, f, ack)
    elif scenario == "tiny":
        for i in range(int(args[0])):
            s.seg(60000, i, frame[i % len(frame):][:1], ack)
    elif scenario == "flood":
        for i in range(int(args[0])):
            s.seg(1000, 0, frame[:300], (ack + i) & 0xFFFFFFFF)
    elif scenario == "incomplete":
        s.seg(len(frame), 0, frame[:third], ack)
    elif scenario == "splice":
        evil = Sender(src, dst, sport=s.sport ^ 1)
        bad = context_frame(inner_icmp(smac, dmac, 1200, ident=0x4321),
                            ctx=99)
        s.frame(frame, cuts, [2, 3], ack)
        evil.frame(bad, cuts, [1], ack)
        s.frame(frame, cuts, [1], ack)
    elif scenario == "fair":
        attacker = Sender(args[0], dst)
        k, m = int(args[1]), int(args[2])
        junk = frame[:300]
        n = 0
        for i in range(k):
            fid = (ack + i) & 0xFFFFFFFF
            f = context_frame(inner_icmp(smac, dmac, 1200,
                                         ident=0x2000 + i))
            for piece in (1, 2, 3):
                s.frame(f, cuts, [piece], fid)
                if piece == 3:
                    break
                for _ in range(m):
                    attacker.seg(1000, 0, junk, random.getrandbits(32))
                    n += 1
        print("fair: %d frames from %s, %d attack segments from %s"
              % (k, src, n, args[0]))
    else:
        sys.exit("unknown scenario %s" % scenario)


def tcp_sink(addr, port):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    conn, _ = srv.accept()
    total = 0
    while True:
        data = conn.recv(1 << 16)
        if not data:
            break
        total += len(data)
    print(total)


def tcp_dstopts(addr, port, nbytes, optlen):
    # Destination options: next header (the kernel fills it), length in
    # 8-byte units after the first 8, one unknown option of type 0x1e
    # (receivers skip it) filling all but 2 bytes, and an empty PadN.
    # Only padding would not do: receivers drop PadN longer than 7 bytes.
    opts = struct.pack("!BBBB", 0, optlen // 8 - 1, 0x1E, optlen - 6) \
        + b"\0" * (optlen - 6) + b"\x01\x00"
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_IPV6, 59, opts)   # IPV6_DSTOPTS
    sock.connect((addr, port))
    chunk = os.urandom(1 << 16)
    sent = 0
    while sent < nbytes:
        n = min(len(chunk), nbytes - sent)
        sock.sendall(chunk[:n])
        sent += n
    sock.shutdown(socket.SHUT_WR)
    sock.recv(1)
    sock.close()


def check_pcap_ids(path, minimum, dst=None):
    ids = sorted({s["ack"] for s in capture_stt_segments(path, dst)})
    print("pcap: %d frame IDs: %s" % (len(ids), " ".join(
        "0x%08x" % i for i in ids)))
    if len(ids) < minimum:
        sys.exit("pcap: fewer than %d frames" % minimum)
    close = [(a, b) for a, b in zip(ids, ids[1:]) if b - a < 256]
    if close:
        sys.exit("pcap: frame IDs too close (counter-like): %s" % ", ".join(
            "0x%08x/0x%08x" % c for c in close))


def check_pcap(path, frame_len, ctx, dst=None):
    frames = {}
    for s in capture_stt_segments(path, dst):
        frames.setdefault(s["ack"], []).append(s)
    errors = []
    found = None
    for ack, segs in frames.items():
        if segs[0]["seq"] >> 16 == frame_len:
            found = (ack, segs)
    if not found:
        sys.exit("pcap: no frame of length %d; frames seen: %s" % (
            frame_len, sorted({s[0]["seq"] >> 16 for s in frames.values()})))
    ack, segs = found
    expect = 0
    for n, s in enumerate(sorted(segs, key=lambda s: s["seq"])):
        print("pcap: segment %d: SEQ=0x%08x (frame_len=%d offset=%d) "
              "ACK=0x%08x len=%d sport=%d flags=0x%02x win=0x%04x csum=%s"
              % (n, s["seq"], s["seq"] >> 16, s["seq"] & 0xFFFF, ack,
                 len(s["payload"]), s["sport"], s["flags"], s["win"],
                 "ok" if s["csum_ok"] else "BAD"))
        if s["seq"] >> 16 != frame_len:
            errors.append("SEQ high bits %d != %d"
                          % (s["seq"] >> 16, frame_len))
        if s["seq"] & 0xFFFF != expect:
            errors.append("offset %d, expected %d" % (s["seq"] & 0xFFFF,
                                                      expect))
        expect += len(s["payload"])
        if s["doff"] != 5 or s["win"] != 0xFFFF or s["urg"] != 0:
            errors.append("TCP-like header fields wrong")
        if not s["flags"] & 0x10 or s["sport"] < 32768:
            errors.append("ACK flag or source port wrong")
        if not s["csum_ok"]:
            errors.append("bad outer TCP checksum")
        if s["sport"] != segs[0]["sport"]:
            errors.append("source port changes within a frame")
    if expect != frame_len:
        errors.append("payload sum %d != frame length %d" % (expect,
                                                             frame_len))
    first = min(segs, key=lambda s: s["seq"])["payload"]
    h = SttHeader.unpack(first)
    print("pcap: STT header: version=%d flags=0x%02x l4_offset=%d mss=%d "
          "vlan=0x%04x context_id=%d pad=%s"
          % (h.version, h.flags, h.l4ofs, h.mss, h.vlan, h.key,
             first[16:18].hex()))
    if h.version != 0 or h.key != ctx or h.pad != 0:
        errors.append("STT header wrong")
    for e in errors:
        print("pcap: ERROR: " + e)
    sys.exit(1 if errors else 0)


def check_pcap_vlan(path, tci):
    """Succeeds if some STT header in the capture has VLAN field TCI."""
    seen = {SttHeader.unpack(s["payload"]).vlan
            for s in capture_stt_segments(path)
            if s["seq"] & 0xFFFF == 0 and len(s["payload"]) >= STT_HEADER_LEN}
    print("pcap: STT VLAN fields seen: %s" % ", ".join(
        "0x%04x" % t for t in sorted(seen)))
    sys.exit(0 if tci in seen else 1)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "pcap-ids":
        check_pcap_ids(sys.argv[2], int(sys.argv[3]),
                       sys.argv[4] if len(sys.argv) > 4 else None)
    elif len(sys.argv) == 4 and sys.argv[1] == "tcp-sink":
        tcp_sink(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "tcp-dstopts":
        tcp_dstopts(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                    int(sys.argv[5]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "pcap-vlan":
        check_pcap_vlan(sys.argv[2], int(sys.argv[3], 0))
    elif len(sys.argv) >= 5 and sys.argv[1] == "pcap":
        check_pcap(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                   sys.argv[5] if len(sys.argv) > 5 else None)
    elif len(sys.argv) >= 6:
        inject(sys.argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
