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

#ifndef FUZZ_PACKET_H
#define FUZZ_PACKET_H 1

/* Helpers the packet fuzz targets share: they repair fields of a fuzzed
 * packet when the input asks for it, so that fuzzing reaches past the
 * first checks. */

#include <stddef.h>
#include <stdint.h>
#include "csum.h"
#include "dp-packet.h"
#include "packets.h"

/* Makes the IP length field of 'packet', whose L3 offset is set, cover
 * exactly the rest of the packet. */
static inline void
fix_ip_len(struct dp_packet *packet)
{
    size_t l3_size = dp_packet_size(packet) - packet->l3_ofs;
    struct ip_header *ip = dp_packet_l3(packet);

    if (l3_size >= IP_HEADER_LEN && l3_size <= UINT16_MAX
        && IP_VER(ip->ip_ihl_ver) == 4) {
        ip->ip_tot_len = htons(l3_size);
    } else if (l3_size >= IPV6_HEADER_LEN
               && l3_size - IPV6_HEADER_LEN <= UINT16_MAX
               && IP_VER(ip->ip_ihl_ver) == 6) {
        struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(packet);

        ip6->ip6_plen = htons(l3_size - IPV6_HEADER_LEN);
    }
}

/* Recomputes the IPv4 header checksum of 'packet', if it has one. */
static inline void
fix_ip_csum(struct dp_packet *packet)
{
    size_t l3_size = dp_packet_size(packet) - packet->l3_ofs;
    struct ip_header *ip = dp_packet_l3(packet);

    if (l3_size >= IP_HEADER_LEN && IP_VER(ip->ip_ihl_ver) == 4
        && IP_IHL(ip->ip_ihl_ver) * 4 <= l3_size) {
        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_IHL(ip->ip_ihl_ver) * 4);
    }
}

#endif /* fuzz-packet.h */
