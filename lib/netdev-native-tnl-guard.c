/*
 * Copyright (c) 2026 The ovs-nvo3 authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#include <config.h>

#include "netdev-native-tnl-guard.h"

#include "dp-packet.h"
#include "netdev-native-tnl.h"
#include "packets.h"

bool
netdev_tnl_ip_header_ok(const struct dp_packet *packet, int l3_size)
{
    const struct ip_header *ip = dp_packet_l3(packet);
    bool ipv6 = netdev_tnl_is_header_ipv6(dp_packet_data(packet));

    /* Popping strips a plain Ethernet header; an LLC/SNAP frame has more. */
    if (packet->l3_ofs != ETH_HEADER_LEN) {
        return false;
    }
    if (l3_size < (ipv6 ? IPV6_HEADER_LEN : IP_HEADER_LEN)
        || IP_VER(ip->ip_ihl_ver) != (ipv6 ? 6 : 4)) {
        return false;
    }
    return ipv6 || IP_IHL(ip->ip_ihl_ver) * 4 <= l3_size;
}
