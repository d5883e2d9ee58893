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

#include "netdev-sw-offload.h"

#include <netinet/ip6.h>

#include "coverage.h"
#include "csum.h"
#include "dp-packet.h"
#include "netdev.h"
#include "netdev-provider.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "pseudo-header-csum.h"

VLOG_DEFINE_THIS_MODULE(netdev_sw_offload);

COVERAGE_DEFINE(sw_offload_csum);
COVERAGE_DEFINE(sw_offload_segments);
COVERAGE_DEFINE(sw_offload_bad_packet);

/* Does 'packet' ask for something 'netdev_ol' cannot do? */
static bool
needs_sw(uint64_t netdev_ol, const struct dp_packet *packet)
{
    if (dp_packet_hwol_is_tso(packet)
        && !(netdev_ol & NETDEV_TX_OFFLOAD_TCP_TSO)) {
        return true;
    }
    if (dp_packet_hwol_l4_is_tcp(packet)) {
        return !(netdev_ol & NETDEV_TX_OFFLOAD_TCP_CKSUM);
    }
    if (dp_packet_hwol_l4_is_udp(CONST_CAST(struct dp_packet *, packet))) {
        return !(netdev_ol & NETDEV_TX_OFFLOAD_UDP_CKSUM);
    }
    return false;
}

bool
netdev_sw_offload_needed(const struct netdev *netdev,
                         const struct dp_packet_batch *batch)
{
    struct dp_packet *packet;

    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        if (OVS_UNLIKELY(*dp_packet_ol_flags_ptr(packet)
                         & DP_PACKET_OL_TX_MASK)
            && needs_sw(netdev->ol_flags, packet)) {
            return true;
        }
    }
    return false;
}

void
netdev_sw_offload_clear(struct dp_packet *packet)
{
    *dp_packet_ol_flags_ptr(packet) &= ~DP_PACKET_OL_TX_MASK;
}

/* The L4 length is the packet's, not what the IP header says: after IPv6
 * extension headers, or in a segment being built, they differ. */
static uint32_t
l4_pseudo_sum(const struct dp_packet *packet)
{
    return pseudo_header_csum(dp_packet_l3(packet), dp_packet_l4_size(packet),
                              (dp_packet_hwol_l4_is_tcp(packet)
                               ? IPPROTO_TCP : IPPROTO_UDP));
}

void
netdev_sw_offload_csum(struct dp_packet *packet)
{
    void *l4 = dp_packet_l4(packet);
    size_t l4_size = dp_packet_l4_size(packet);

    if (!l4 || !dp_packet_l3(packet)) {
        netdev_sw_offload_clear(packet);
        return;
    }

    if (dp_packet_hwol_l4_is_tcp(packet) && l4_size >= TCP_HEADER_LEN) {
        struct tcp_header *tcp = l4;

        tcp->tcp_csum = 0;
        tcp->tcp_csum = csum_finish(csum_continue(l4_pseudo_sum(packet),
                                                  tcp, l4_size));
        COVERAGE_INC(sw_offload_csum);
    } else if (dp_packet_hwol_l4_is_udp(packet) && l4_size >= UDP_HEADER_LEN) {
        struct udp_header *udp = l4;

        udp->udp_csum = 0;
        udp->udp_csum = csum_finish(csum_continue(l4_pseudo_sum(packet),
                                                  udp, l4_size));
        if (!udp->udp_csum) {
            udp->udp_csum = htons(0xffff);
        }
        COVERAGE_INC(sw_offload_csum);
    }
    netdev_sw_offload_clear(packet);
}

size_t
netdev_sw_offload_segment(struct dp_packet *packet, size_t mss,
                          void (*emit)(struct dp_packet *, void *aux),
                          void *aux)
{
    const char *data = dp_packet_data(packet);
    const struct tcp_header *tcp = dp_packet_l4(packet);
    const struct ip_header *ip = dp_packet_l3(packet);
    size_t l3_ofs, l4_ofs, hdr_len, payload_len, ofs, size;
    uint32_t seq;
    uint16_t ip_id, ctl;
    size_t n = 0;

    if (!tcp || !ip || dp_packet_l4_size(packet) < TCP_HEADER_LEN
        || !mss) {
        COVERAGE_INC(sw_offload_bad_packet);
        dp_packet_delete(packet);
        return 0;
    }

    l3_ofs = (const char *) ip - data;
    l4_ofs = (const char *) tcp - data;
    hdr_len = l4_ofs + TCP_OFFSET(tcp->tcp_ctl) * 4;
    /* Ethernet padding after the IP datagram is not payload. */
    size = dp_packet_size(packet) - dp_packet_l2_pad_size(packet);
    if (hdr_len > size || hdr_len < l4_ofs + TCP_HEADER_LEN) {
        COVERAGE_INC(sw_offload_bad_packet);
        dp_packet_delete(packet);
        return 0;
    }
    payload_len = size - hdr_len;

    if (payload_len <= mss) {
        netdev_sw_offload_csum(packet);
        emit(packet, aux);
        return 1;
    }

    seq = ntohl(get_16aligned_be32(&tcp->tcp_seq));
    ctl = ntohs(tcp->tcp_ctl);
    ip_id = IP_VER(ip->ip_ihl_ver) == 4 ? ntohs(ip->ip_id) : 0;

    for (ofs = 0; ofs < payload_len; ofs += mss) {
        size_t len = MIN(mss, payload_len - ofs);
        bool last = ofs + len == payload_len;
        struct dp_packet *seg;
        struct tcp_header *stcp;
        uint16_t sctl = ctl;

        seg = dp_packet_new_with_headroom(hdr_len + len,
                                          dp_packet_headroom(packet));
        dp_packet_put(seg, data, hdr_len);
        dp_packet_put(seg, data + hdr_len + ofs, len);
        seg->packet_type = packet->packet_type;
        seg->l3_ofs = l3_ofs;
        seg->l4_ofs = l4_ofs;
        seg->md = packet->md;
        *dp_packet_ol_flags_ptr(seg) = *dp_packet_ol_flags_ptr(packet)
                                       & DP_PACKET_OL_TX_MASK
                                       & ~DP_PACKET_OL_TX_TCP_SEG;

        if (IP_VER(ip->ip_ihl_ver) == 4) {
            struct ip_header *sip = dp_packet_l3(seg);

            sip->ip_tot_len = htons(dp_packet_size(seg) - l3_ofs);
            sip->ip_id = htons(ip_id + n);
            sip->ip_csum = 0;
            sip->ip_csum = csum(sip, IP_IHL(sip->ip_ihl_ver) * 4);
        } else {
            struct ovs_16aligned_ip6_hdr *sip6 = dp_packet_l3(seg);

            sip6->ip6_plen = htons(dp_packet_size(seg) - l3_ofs
                                   - IPV6_HEADER_LEN);
        }

        stcp = dp_packet_l4(seg);
        put_16aligned_be32(&stcp->tcp_seq, htonl(seq + ofs));
        if (!last) {
            sctl &= ~(TCP_FIN | TCP_PSH);
        }
        if (ofs) {
            sctl &= ~TCP_CWR;
        }
        stcp->tcp_ctl = htons(sctl);

        *dp_packet_ol_flags_ptr(seg) |= DP_PACKET_OL_TX_TCP_CKSUM;
        netdev_sw_offload_csum(seg);
        emit(seg, aux);
        n++;
    }
    COVERAGE_ADD(sw_offload_segments, n);
    dp_packet_delete(packet);
    return n;
}

struct sw_send_ctx {
    struct netdev *netdev;
    int qid;
    bool concurrent_txq;
    struct dp_packet_batch batch;
    int error;
};

static void
sw_send_flush(struct sw_send_ctx *ctx)
{
    if (!dp_packet_batch_is_empty(&ctx->batch)) {
        int error = netdev_send(ctx->netdev, ctx->qid, &ctx->batch,
                                ctx->concurrent_txq);
        if (error) {
            ctx->error = error;
        }
        dp_packet_batch_init(&ctx->batch);
    }
}

static void
sw_send_emit(struct dp_packet *packet, void *ctx_)
{
    struct sw_send_ctx *ctx = ctx_;

    if (dp_packet_batch_is_full(&ctx->batch)) {
        sw_send_flush(ctx);
    }
    dp_packet_batch_add(&ctx->batch, packet);
}

/* Sends 'batch' on 'netdev', first doing in software what its packets ask
 * for and 'netdev' cannot do.  Takes ownership of the packets. */
int
netdev_sw_offload_send(struct netdev *netdev, int qid,
                       struct dp_packet_batch *batch, bool concurrent_txq)
{
    struct sw_send_ctx ctx = {
        .netdev = netdev,
        .qid = qid,
        .concurrent_txq = concurrent_txq,
    };
    struct dp_packet *packet;
    int mtu = 0;

    dp_packet_batch_init(&ctx.batch);
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        if (!needs_sw(netdev->ol_flags, packet)) {
            sw_send_emit(packet, &ctx);
        } else if (dp_packet_hwol_is_tso(packet)
                   && !(netdev->ol_flags & NETDEV_TX_OFFLOAD_TCP_TSO)) {
            const struct tcp_header *tcp = dp_packet_l4(packet);
            size_t hlen = 0;

            if (!mtu && (netdev_get_mtu(netdev, &mtu) || mtu < 576)) {
                mtu = ETH_PAYLOAD_MAX;
            }
            if (tcp && dp_packet_l3(packet)) {
                /* The MSS is what the MTU leaves after L3 and L4 headers. */
                hlen = (char *) tcp - (char *) dp_packet_l3(packet)
                       + TCP_OFFSET(tcp->tcp_ctl) * 4;
            }
            netdev_sw_offload_segment(packet, mtu > hlen ? mtu - hlen : 0,
                                      sw_send_emit, &ctx);
        } else {
            netdev_sw_offload_csum(packet);
            sw_send_emit(packet, &ctx);
        }
    }
    sw_send_flush(&ctx);
    dp_packet_batch_init(batch);
    return ctx.error;
}
