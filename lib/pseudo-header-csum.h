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

#ifndef PSEUDO_HEADER_CSUM_H
#define PSEUDO_HEADER_CSUM_H 1

/* The pseudo-header part of a TCP or UDP checksum, for IPv4 (RFC 793) and
 * IPv6 (RFC 8200, section 8.1).
 *
 * Upstream's packet_csum_pseudoheader() and packet_csum_pseudoheader6()
 * take the L4 length from the IP header, which is wrong after IPv6
 * extension headers and for a packet still to be segmented; here the
 * caller says how long the L4 data is. */

#include <stddef.h>
#include <stdint.h>

#include "csum.h"
#include "packets.h"

/* Returns the unfolded pseudo-header sum for 'l4_len' bytes of IP protocol
 * 'proto' carried by the IPv4 or IPv6 header at 'l3'. */
static inline uint32_t
pseudo_header_csum(const void *l3, size_t l4_len, uint8_t proto)
{
    const struct ip_header *ip = l3;
    uint32_t sum;

    if (IP_VER(ip->ip_ihl_ver) == 4) {
        sum = csum_add32(0, get_16aligned_be32(&ip->ip_src));
        sum = csum_add32(sum, get_16aligned_be32(&ip->ip_dst));
    } else {
        const struct ovs_16aligned_ip6_hdr *ip6 = l3;

        sum = csum_continue(0, &ip6->ip6_src, sizeof ip6->ip6_src);
        sum = csum_continue(sum, &ip6->ip6_dst, sizeof ip6->ip6_dst);
    }
    sum = csum_add16(sum, htons(proto));
    return csum_add16(sum, htons(l4_len));
}

#endif /* pseudo-header-csum.h */
