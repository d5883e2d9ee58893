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
           frame every 10000 segments: costly insertion if nothing bounds it.
  sources  like "ids", but each from a random address in 198.18.0.0/15
           (SRC-IP is not used): a flood that per-source limits cannot
           pin on one address.

Sends COUNT segments (stopping after SECONDS, default 60) on IFACE through
an AF_PACKET socket, at most PPS per second if given, and prints how many
it sent and how fast.
"""

import os
import random
import socket
import sys
import time

# The module lives next to this script; keep its bytecode out of the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import nvo3_frames  # noqa: E402

FRAME_LEN = 64000
# Segments per frame in 'tiny' mode: so far above the receiver's bound of
# 256 that every frame still reaches it when the receiving host loses
# nearly all of the flood.
TINY_SEGS = 10000


def main():
    iface, smac, dmac, sip, dip, count = sys.argv[1:7]
    count = int(count)
    limit = float(sys.argv[7]) if len(sys.argv) > 7 else 60.0
    pps = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
    mode = sys.argv[9] if len(sys.argv) > 9 else 'ids'
    if mode not in ('ids', 'tiny', 'sources'):
        sys.stderr.write("stt-flood: unknown mode %s\n" % mode)
        return 2
    src = int.from_bytes(socket.inet_aton(sip), 'big')
    if mode == 'tiny':
        payload = b'\x5a'
    else:
        # Offset 32000 of a 64000-byte frame: never the whole frame.
        payload = bytes(random.getrandbits(8) for _ in range(1000))
    segs = nvo3_frames.FastSegments('0.0.0.0', dip, 40000, payload, smac,
                                    dmac)

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)

    start = time.monotonic()
    sent = 0
    for sent in range(1, count + 1):
        if mode == 'tiny':
            n = sent - 1
            out = segs.make((FRAME_LEN << 16) | (n % TINY_SEGS) * 2,
                            n // TINY_SEGS, src=src)
        else:
            if mode == 'sources':
                src = (198 << 24 | 18 << 16) | random.getrandbits(17)
            out = segs.make((FRAME_LEN << 16) | 32000,
                            random.getrandbits(32), src=src)
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
    print("sent %d segments in %.1f s (%.0f/s)"
          % (sent, elapsed, sent / elapsed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
