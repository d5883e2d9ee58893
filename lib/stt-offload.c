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

#include "stt-offload.h"

#include <string.h>

#include "coverage.h"
#include "csum.h"
#include "dp-packet.h"
#include "netdev-native-tnl.h"
#include "packets.h"
#include "pseudo-header-csum.h"
#include "stt.h"
#include "util.h"

#if !HAVE_DECL_DP_PACKET_GET_TSO_SEGSZ
#include "netdev-sw-offload.h"
#endif

COVERAGE_DEFINE(stt_rx_mss_ignored);

/* The capabilities of the base this file adapts to (configure.ac). */
#if HAVE_DECL_DP_PACKET_GET_TSO_SEGSZ
/* Packets carry their TSO segment size; upstream segments in software. */
#define STT_OL_SEGSZ 1
#else
#define STT_OL_SEGSZ 0
#endif
#ifdef HAVE_STRUCT_DP_PACKET_OFFLOADS
/* Offload status bits only: "partial", "TCP"; TSO is a segment size. */
#define STT_OL_STATUS_BITS 1
#else
#define STT_OL_STATUS_BITS 0
#endif

/* The segment size an STT packet leaves the push with: the push does not
 * know its egress, so netdev_stt_send_prepare() puts the egress's in.  No
 * real packet has a 65535-byte MSS. */
#define STT_SEGSZ_AUTO UINT16_MAX

/* The smallest MSS of a peer's STT header we believe.  A smaller one would
 * have us cut a 64 kB frame into thousands of packets; such a frame is cut
 * at the egress's own MTU instead. */
#define STT_MIN_MSS 536

/* Primitives, one definition per offload model. */

static bool
ol_is_tso(const struct dp_packet *p)
{
#if STT_OL_STATUS_BITS
    return dp_packet_get_tso_segsz(p) != 0;
#else
    return dp_packet_hwol_is_tso(p);
#endif
}

/* Whether 'p''s L4 checksum is still to be computed, by offload or
 * segmentation. */
static bool
ol_l4_csum_pending(const struct dp_packet *p)
{
#if STT_OL_STATUS_BITS
    return dp_packet_get_tso_segsz(p) || dp_packet_l4_checksum_partial(p);
#elif STT_OL_SEGSZ
    /* 3.5 flags a checksum known to be right too, and modifying a header
     * only clears "good". */
    return dp_packet_hwol_is_tso(p)
           || (dp_packet_hwol_tx_l4_checksum(p)
               && !dp_packet_l4_checksum_good(p));
#else
    return dp_packet_hwol_l4_mask(p);
#endif
}

static bool
ol_l4_is_tcp(const struct dp_packet *p)
{
#if STT_OL_STATUS_BITS
    return dp_packet_l4_proto_tcp(p);
#else
    return dp_packet_hwol_l4_is_tcp(p);
#endif
}

static bool
ol_l4_is_udp(const struct dp_packet *p)
{
#if STT_OL_STATUS_BITS
    return dp_packet_l4_proto_udp(p);
#else
    return dp_packet_hwol_l4_is_udp(CONST_CAST(struct dp_packet *, p));
#endif
}

/* The MSS of TSO packet 'p'. */
static uint16_t
ol_tso_segsz(const struct dp_packet *p)
{
#if STT_OL_SEGSZ
    return dp_packet_get_tso_segsz(p);
#else
    /* 3.1 does not keep the segment size of a received TSO packet; use
     * what fits an Ethernet MTU of 1500. */
    const struct tcp_header *tcp = dp_packet_l4(p);
    size_t l3_hlen = (char *) tcp - (char *) dp_packet_l3(p);

    return ETH_PAYLOAD_MAX - l3_hlen - TCP_OFFSET(tcp->tcp_ctl) * 4;
#endif
}

/* Completes in software every checksum 'p' asks for. */
static void
ol_complete_csums(struct dp_packet *p)
{
#if STT_OL_SEGSZ
    dp_packet_ol_send_prepare(p, 0);
#else
    netdev_sw_offload_csum(p);
#endif
}

/* Completes 'p''s IPv4 header checksum if it is pending: STT cannot ask
 * the receiver for it. */
static void
ol_complete_ip_csum(struct dp_packet *p OVS_UNUSED)
{
#if STT_OL_STATUS_BITS
    if (dp_packet_ip_checksum_partial(p)) {
        dp_packet_ip_set_header_csum(p, false);
    }
#elif STT_OL_SEGSZ
    if (dp_packet_hwol_tx_ip_csum(p) && !dp_packet_ip_checksum_good(p)) {
        dp_packet_ip_set_header_csum(p, false);
    }
#endif
    /* 3.1 keeps IPv4 header checksums complete. */
}

/* Forgets all of 'p''s offload state but its RSS hash and flow mark. */
static void
ol_clear(struct dp_packet *p)
{
#if STT_OL_STATUS_BITS
    p->offloads = 0;
    dp_packet_set_tso_segsz(p, 0);
#elif STT_OL_SEGSZ
    *dp_packet_ol_flags_ptr(p) &= ~(DP_PACKET_OL_SUPPORTED_MASK
                                    & ~(DP_PACKET_OL_RSS_HASH
                                        | DP_PACKET_OL_FLOW_MARK));
    dp_packet_set_tso_segsz(p, 0);
#ifdef HAVE_STRUCT_DP_PACKET_CSUM_START
    p->csum_start = p->csum_offset = 0;
#endif
#else
    netdev_sw_offload_clear(p);
#endif
}

/* Transmit. */

bool
stt_offload_is_tso(const struct dp_packet *p)
{
    return ol_is_tso(p);
}

/* Writes into 'stt' the inner packet's checksum and segmentation requests
 * that STT can carry: a TCP or UDP checksum whose field then holds the
 * pseudo-header sum, the MSS of a TSO packet.  Completes in software what
 * it cannot carry.  Leaves 'p' with no offload state: from here on it is
 * the payload of the outer TCP-like header. */
void
stt_offload_encode(struct dp_packet *p, struct stt_header *stt)
{
    const char *l3 = dp_packet_l3(p);
    const char *l4 = dp_packet_l4(p);
    bool tcp = ol_l4_is_tcp(p);
    size_t l4_ofs;

    ol_complete_ip_csum(p);
    if (!ol_l4_csum_pending(p)) {
        ol_clear(p);
        return;
    }

    l4_ofs = l4 ? l4 - (const char *) dp_packet_data(p) : 0;
    if (!l3 || !l4 || l4_ofs > UINT8_MAX
        || l4_ofs + (tcp ? TCP_HEADER_LEN : UDP_HEADER_LEN)
           > dp_packet_size(p)
        || !(tcp || ol_l4_is_udp(p))) {
        /* Not expressible in STT: complete it here. */
        ol_complete_csums(p);
        ol_clear(p);
        return;
    }

    /* The field must hold the pseudo-header sum, as in a Linux
     * CHECKSUM_PARTIAL packet; the base may have left anything there. */
    ovs_be16 pseudo = ~csum_finish(pseudo_header_csum(
                                       l3, dp_packet_l4_size(p),
                                       tcp ? IPPROTO_TCP : IPPROTO_UDP));
    memcpy(CONST_CAST(char *, l4) + (tcp ? 16 : 6), &pseudo, sizeof pseudo);

    stt->flags = STT_CSUM_PARTIAL | (tcp ? STT_PROTO_TCP : 0);
    if (*(const uint8_t *) l3 >> 4 == 4) {
        stt->flags |= STT_PROTO_IPV4;
    }
    stt->l4_offset = l4_ofs;
    if (tcp && ol_is_tso(p)) {
        stt->mss = htons(ol_tso_segsz(p));
    }
    ol_clear(p);
}

/* Asks for the outer TCP checksum and for segmentation of STT packet 'p',
 * whose outer headers were just pushed, to the egress netdev or, without
 * it, to the base's software fallback.  Like a CHECKSUM_PARTIAL skb, the
 * checksum field holds the folded pseudo-header sum. */
void
stt_offload_request_outer(struct dp_packet *p, struct tcp_header *tcp)
{
    uint32_t pseudo = pseudo_header_csum(dp_packet_l3(p),
                                         dp_packet_l4_size(p), IPPROTO_TCP);

    tcp->tcp_csum = ~csum_finish(pseudo);
#if STT_OL_STATUS_BITS
    dp_packet_l4_proto_set_tcp(p);
    dp_packet_l4_checksum_set_partial(p);
    dp_packet_set_tso_segsz(p, STT_SEGSZ_AUTO);
#elif STT_OL_SEGSZ
    /* netdev_tnl_push_ip_header() asked for the IP header's. */
    dp_packet_hwol_set_csum_tcp(p);
    dp_packet_set_tso_segsz(p, STT_SEGSZ_AUTO);
    dp_packet_hwol_set_tcp_seg(p);
#else
    if (netdev_tnl_is_header_ipv6(dp_packet_data(p))) {
        dp_packet_hwol_set_tx_ipv6(p);
    } else {
        dp_packet_hwol_set_tx_ipv4(p);
    }
    dp_packet_hwol_set_csum_tcp(p);
    dp_packet_hwol_set_tcp_seg(p);
#endif
}

/* Whether 'p' is an STT packet whose segment size is still to come from
 * its egress (stt_offload_resolve_segsz()). */
bool
stt_offload_segsz_unresolved(const struct dp_packet *p OVS_UNUSED)
{
#if STT_OL_SEGSZ
    return dp_packet_get_tso_segsz(p) == STT_SEGSZ_AUTO;
#else
    return false;
#endif
}

/* Gives STT packet 'p' the segment size that fills 'mtu'-byte IP packets,
 * or no segmentation at all if it fits one. */
void
stt_offload_resolve_segsz(struct dp_packet *p OVS_UNUSED,
                          int mtu OVS_UNUSED)
{
#if STT_OL_SEGSZ
    const struct tcp_header *tcp;
    const char *payload;
    size_t hlen, mss;

#if STT_OL_STATUS_BITS
    tcp = dp_packet_tunnel(p) ? dp_packet_inner_l4(p) : dp_packet_l4(p);
#else
    tcp = dp_packet_hwol_is_tunnel(p) ? dp_packet_inner_l4(p)
                                      : dp_packet_l4(p);
#endif
    /* Every IP packet repeats the headers from the outermost IP header to
     * the end of STT's TCP-like header. */
    payload = (const char *) tcp + TCP_OFFSET(tcp->tcp_ctl) * 4;
    hlen = payload - (const char *) dp_packet_l3(p);
    mss = mtu > hlen + 8 ? mtu - hlen : 8;
    if ((const char *) dp_packet_tail(p) - dp_packet_l2_pad_size(p) - payload
        <= mss) {
        dp_packet_set_tso_segsz(p, 0);
#if !STT_OL_STATUS_BITS
        dp_packet_hwol_reset_tcp_seg(p);
#endif
    } else {
        dp_packet_set_tso_segsz(p, mss);
    }
#endif
}

/* Receive. */

/* Whether the base has vouched for the outer TCP checksum of received 'p'
 * (a NIC verified it, or a local sender left it to be offloaded). */
bool
stt_offload_outer_csum_trusted(const struct dp_packet *p)
{
#if STT_OL_STATUS_BITS
    return dp_packet_l4_checksum_good(p) || dp_packet_l4_checksum_partial(p);
#elif HAVE_DECL_DP_PACKET_L4_CHECKSUM_GOOD
    return dp_packet_l4_checksum_good(p) || dp_packet_ol_l4_csum_partial(p);
#else
    return dp_packet_l4_checksum_valid(p) || dp_packet_hwol_l4_is_tcp(p);
#endif
}

/* Forgets the offload state of the outer packet 'p' (its segment size from
 * a GRO'd receive included): it says nothing of the inner one. */
void
stt_offload_forget(struct dp_packet *p)
{
    dp_packet_reset_offload(p);
#if STT_OL_SEGSZ
    dp_packet_set_tso_segsz(p, 0);
#endif
#ifdef HAVE_STRUCT_DP_PACKET_CSUM_START
    p->csum_start = p->csum_offset = 0;
#endif
}

/* Whether the inner headers of 'p' are what a TSO request at 'l4_ofs'
 * needs: an IP header of the version 'ipv4' says, followed at 'l4_ofs' by a
 * whole TCP header.  Reads bytes: a peer's offsets may be odd. */
static bool
stt_tso_headers_ok(const struct dp_packet *p, size_t l3_ofs, size_t l4_ofs,
                   bool ipv4)
{
    const uint8_t *l3 = (const uint8_t *) dp_packet_data(p) + l3_ofs;
    const uint8_t *l4 = (const uint8_t *) dp_packet_data(p) + l4_ofs;
    size_t doff;

    if (ipv4) {
        /* Version and IHL, then the protocol at byte 9. */
        if (l3[0] >> 4 != 4 || l3_ofs + (l3[0] & 0xf) * 4 != l4_ofs
            || l3[9] != IPPROTO_TCP) {
            return false;
        }
    } else {
        /* Version, then the next header at byte 6. */
        if (l3[0] >> 4 != 6
            || (l4_ofs == l3_ofs + IPV6_HEADER_LEN && l3[6] != IPPROTO_TCP)) {
            return false;
        }
    }
    /* The data offset, in the high nibble of byte 12. */
    doff = (l4[12] >> 4) * 4;
    return doff >= TCP_HEADER_LEN && l4_ofs + doff <= dp_packet_size(p);
}

/* Marks 'p' for segmentation at 'mss' (0: at its egress's MTU). */
static void
stt_mark_tso(struct dp_packet *p, size_t l3_ofs, size_t l4_ofs, bool ipv4,
             uint16_t mss OVS_UNUSED)
{
    p->l3_ofs = l3_ofs;
    p->l4_ofs = l4_ofs;
#if STT_OL_STATUS_BITS
    dp_packet_set_tso_segsz(p, mss ? mss : STT_SEGSZ_AUTO);
    dp_packet_l4_proto_set_tcp(p);
    dp_packet_l4_checksum_set_partial(p);
    if (ipv4) {
        dp_packet_ip_checksum_set_partial(p);
    }
#else
    if (ipv4) {
        dp_packet_hwol_set_tx_ipv4(p);
    } else {
        dp_packet_hwol_set_tx_ipv6(p);
    }
    dp_packet_hwol_set_csum_tcp(p);
    dp_packet_hwol_set_tcp_seg(p);
#if STT_OL_SEGSZ
    dp_packet_set_tso_segsz(p, mss ? mss : STT_SEGSZ_AUTO);
    if (ipv4) {
        dp_packet_hwol_set_tx_ip_csum(p);
    }
    dp_packet_ol_set_l4_csum_partial(p);
#endif
#ifdef HAVE_STRUCT_DP_PACKET_CSUM_START
    p->csum_start = l4_ofs;
    p->csum_offset = offsetof(struct tcp_header, tcp_csum);
#endif
#endif
}

/* Whether the base can send TCP packet 'p' (l3 and l4 offsets set) as a
 * TSO packet whose segments carry 'mss' bytes each. */
bool
stt_offload_can_tso(const struct dp_packet *p OVS_UNUSED, uint16_t mss)
{
#if STT_OL_SEGSZ
    return mss >= STT_MIN_MSS;
#else
    /* 3.1 keeps no segment size: STT's header gets what fills a 1500-byte
     * MTU (ol_tso_segsz()), which must be the segments' own. */
    return mss >= STT_MIN_MSS && mss == ol_tso_segsz(p);
#endif
}

/* Whether the base vouches for the L4 checksum of received 'p' (a NIC or
 * a virtio-net header said it was verified). */
bool
stt_offload_l4_csum_good(const struct dp_packet *p)
{
#if STT_OL_STATUS_BITS || HAVE_DECL_DP_PACKET_L4_CHECKSUM_GOOD
    return dp_packet_l4_checksum_good(p);
#else
    return dp_packet_l4_checksum_valid(p);
#endif
}

/* Asks for segmentation of TCP packet 'p' (l3 and l4 offsets set, its
 * checksums complete or not) at 'mss', which stt_offload_can_tso()
 * accepted. */
void
stt_offload_set_tso(struct dp_packet *p, uint16_t mss)
{
    const uint8_t *l3 = dp_packet_l3(p);

    ol_clear(p);
    stt_mark_tso(p, p->l3_ofs, p->l4_ofs, l3[0] >> 4 == 4, mss);
}

/* Restores the inner packet's offload requests from STT header 'stt' on
 * inner frame 'p', whose L3 header starts at 'l2_len' (the STT header's L4
 * offset does not count an 802.1Q tag).  A partial checksum is completed
 * here, unless the frame is a TSO packet, which is left to the egress
 * netdev or the software fallback to segment and checksum.  Returns false
 * if the header describes what 'p' does not hold. */
bool
stt_offload_decode(struct dp_packet *p, const struct stt_header *stt,
                   size_t l2_len)
{
    size_t size = dp_packet_size(p);
    bool ipv4 = stt->flags & STT_PROTO_IPV4;
    bool tcp = stt->flags & STT_PROTO_TCP;
    size_t l4_ofs = stt->l4_offset + (l2_len - ETH_HEADER_LEN);
    size_t min_ofs = l2_len + (ipv4 ? IP_HEADER_LEN : IPV6_HEADER_LEN);
    size_t l4_min = tcp ? TCP_HEADER_LEN : UDP_HEADER_LEN;
    uint16_t mss = ntohs(stt->mss);
    char *l4;

    if (!(stt->flags & STT_CSUM_PARTIAL)) {
        return true;
    }
    if (l4_ofs < min_ofs || l4_ofs + l4_min > size) {
        return false;
    }

    l4 = (char *) dp_packet_data(p) + l4_ofs;
    if (tcp && mss) {
        if (!stt_tso_headers_ok(p, l2_len, l4_ofs, ipv4)) {
            return false;
        }
        if (mss < STT_MIN_MSS) {
            COVERAGE_INC(stt_rx_mss_ignored);
            mss = 0;
        }
        if (size - l4_ofs - ((uint8_t) l4[12] >> 4) * 4 > mss) {
            stt_mark_tso(p, l2_len, l4_ofs, ipv4, mss);
            return true;
        }
        /* It fits one segment: just complete the checksum. */
    }

    /* The checksum field holds the pseudo-header sum: summing the L4 data
     * over it gives the full checksum. */
    ovs_be16 sum = csum(l4, size - l4_ofs);

    if (!tcp && !sum) {
        sum = htons(0xffff);
    }
    memcpy(l4 + (tcp ? 16 : 6), &sum, sizeof sum);
    return true;
}
