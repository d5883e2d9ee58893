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

"""Prints the received rate of an iperf3 -J run; fails if nothing arrived.

Usage: nvo3-iperf3-result.py IPERF3.json   ->   "MBIT_PER_S BYTES RETRANSMITS"
"""

import json
import sys


def main():
    with open(sys.argv[1]) as f:
        end = json.load(f)["end"]
    received = end["sum_received"]
    retransmits = end.get("sum_sent", {}).get("retransmits", 0)
    print("%.0f %d %d" % (received["bits_per_second"] / 1e6,
                          received["bytes"], retransmits))
    return 0 if received["bytes"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
