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

#include "netdev-native-tnl-stt.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/ip6.h>
#include <string.h>
#include <sys/random.h>

#include "coverage.h"
#include "csum.h"
#include "dp-packet.h"
#include "netdev-native-tnl.h"
#include "netdev-provider.h"
#include "netdev-vport.h"
#include "netdev-vport-private.h"
#include "nvo3-compat.h"
#include "odp-netlink.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "packets.h"
#include "pseudo-header-csum.h"
#include "random.h"
#include "stt.h"
#include "stt-coalesce.h"
#include "stt-offload.h"
#include "stt-reassembly.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(native_tnl_stt);

/* Outer Ethernet, IPv6, TCP and STT headers, and a virtio-net header. */
#define STT_PUSH_HEADROOM 128

/* The longest inner frame we send: what STT can carry, and what leaves room
 * for those headers in a dp_packet, which counts its allocation in 16
 * bits. */
#define STT_TX_MAX_INNER_LEN MIN(STT_MAX_INNER_LEN, \
                                 UINT16_MAX - STT_PUSH_HEADROOM)
static struct vlog_rate_limit err_rl = VLOG_RATE_LIMIT_INIT(60, 5);

COVERAGE_DEFINE(stt_tx_too_big);
COVERAGE_DEFINE(stt_tx_tso_l4_too_far);
COVERAGE_DEFINE(stt_tx_vlan_lifted);
COVERAGE_DEFINE(stt_rx_bad_ip);
COVERAGE_DEFINE(stt_rx_bad_tcp);
COVERAGE_DEFINE(stt_rx_bad_csum);
COVERAGE_DEFINE(stt_rx_bad_version);
COVERAGE_DEFINE(stt_rx_bad_frame);
COVERAGE_DEFINE(stt_rx_bad_l4_offset);
COVERAGE_DEFINE(stt_rx_fast_path);
COVERAGE_DEFINE(stt_rx_reassembled);

/* Frame IDs.  A receiver joins segments by (addresses, source port, frame
 * ID), so whoever can spoof our address and guess the ID of a frame we are
 * about to send could plant a first segment of their own, with another
 * context ID, and have our later segments complete it.  Each frame
 * therefore gets an ID from the kernel's random pool, drawn a block at a
 * time per thread to keep the system call off the per-frame path.
 *
 * "stt/set-next-frame-id ID" switches to counting up from ID instead, so
 * that tests can compare captures with expected bytes. */
#define STT_FRAME_ID_BLOCK 64

struct stt_frame_ids {
    uint32_t ids[STT_FRAME_ID_BLOCK];
    size_t n;                   /* Unused IDs left at the end of 'ids'. */
};

DEFINE_STATIC_PER_THREAD_DATA(struct stt_frame_ids, stt_frame_ids, { .n = 0 });

static atomic_bool frame_ids_counted;
static atomic_uint32_t next_frame_id;

static uint32_t
stt_next_frame_id(void)
{
    struct stt_frame_ids *pool;
    bool counted;
    uint32_t id;

    atomic_read_relaxed(&frame_ids_counted, &counted);
    if (OVS_UNLIKELY(counted)) {
        atomic_add_relaxed(&next_frame_id, 1, &id);
        return id;
    }

    pool = stt_frame_ids_get();
    if (!pool->n) {
        ssize_t n = getrandom(pool->ids, sizeof pool->ids, 0);

        if (n == sizeof pool->ids) {
            pool->n = STT_FRAME_ID_BLOCK;
        } else {
            /* Not expected with a 256-byte request; never stall on it. */
            return random_uint32();
        }
    }
    return pool->ids[--pool->n];
}

/* "stt/set-next-frame-id ID|random": makes captures reproducible in tests,
 * or goes back to random IDs. */
static void
stt_unixctl_set_next_frame_id(struct unixctl_conn *conn, int argc OVS_UNUSED,
                              const char *argv[], void *aux OVS_UNUSED)
{
    unsigned long long id;

    if (!strcmp(argv[1], "random")) {
        atomic_store_relaxed(&frame_ids_counted, false);
        unixctl_command_reply(conn, "OK");
        return;
    }
    if (!str_to_ullong(argv[1], 0, &id) || id > UINT32_MAX) {
        unixctl_command_reply_error(conn, "bad frame id");
        return;
    }
    atomic_store_relaxed(&next_frame_id, id);
    atomic_store_relaxed(&frame_ids_counted, true);
    unixctl_command_reply(conn, "OK");
}

/* Called once, when the tunnel netdev classes are registered. */
void
netdev_stt_init(void)
{
    stt_reasm_global();
    unixctl_command_register("stt/set-next-frame-id", "ID|random", 1, 1,
                             stt_unixctl_set_next_frame_id, NULL);
}

/* Called per batch by netdev_push_header() and netdev_pop_header(): the
 * class tells, by the pop it registered, without comparing type names. */
bool
netdev_is_stt(const struct netdev *netdev)
{
    return netdev->netdev_class->pop_header == netdev_stt_pop_header;
}

/* Called by netdev_pop_header() after every batch it popped on an STT port:
 * frames the batch began and did not complete go to the reassembly table. */
void
netdev_stt_pop_batch_done(void)
{
    stt_reasm_flush();
}

int
netdev_stt_build_header(const struct netdev *netdev,
                        struct ovs_action_push_tnl *data,
                        const struct netdev_tnl_build_header_params *params)
{
    struct netdev_vport *dev = netdev_vport_cast(netdev);
    struct stt_header *stt;
    struct tcp_header *tcp;
    ovs_be16 dst_port;

    /* STT carries Ethernet frames only. */
    if (params->flow->packet_type != htonl(PT_ETH)) {
        return EINVAL;
    }

    ovs_mutex_lock(&dev->mutex);
    dst_port = netdev_get_tunnel_config(netdev)->dst_port;
    ovs_mutex_unlock(&dev->mutex);

    tcp = nvo3_tnl_ip_build_header(data, params, IPPROTO_TCP);
    tcp->tcp_dst = dst_port;
    tcp->tcp_ctl = TCP_CTL(TCP_PSH | TCP_ACK, 5);
    tcp->tcp_winsz = htons(0xffff);

    /* Source port, SEQ, ACK, checksum and the per-packet STT fields are
     * filled in by netdev_stt_push_header(). */
    stt = (struct stt_header *) (tcp + 1);
    stt->version = STT_VERSION;
    stt_put_key(stt, params->flow->tunnel.tun_id);

    data->header_len += sizeof *tcp + STT_FRAME_HLEN;
    data->tnl_type = OVS_VPORT_TYPE_STT;
    return 0;
}

/* Returns the offset of 'packet''s L4 header from its Ethernet header once
 * netdev_stt_push_header() has lifted an 802.1Q tag into the STT header, or
 * 0 if it has none. */
static size_t
stt_inner_l4_offset(const struct dp_packet *packet)
{
    const struct vlan_eth_header *veh = dp_packet_data(packet);
    size_t ofs;

    if (!dp_packet_l4(packet)) {
        return 0;
    }
    ofs = (char *) dp_packet_l4(packet) - (char *) dp_packet_data(packet);
    if (dp_packet_size(packet) >= sizeof *veh
        && veh->veth_type == htons(ETH_TYPE_VLAN_8021Q)) {
        ofs -= VLAN_HEADER_LEN;
    }
    return ofs;
}

/* Called by netdev_push_header() on a batch bound for STT, before the
 * other calls for each of its packets: consecutive segments of a TCP
 * connection travel as one STT frame (lib/stt-coalesce.h). */
void
netdev_stt_push_batch_prepare(struct dp_packet_batch *batch)
{
    stt_coalesce_batch(batch, STT_TX_MAX_INNER_LEN, STT_PUSH_HEADROOM);
}

/* Called by netdev_push_header() before netdev_stt_push_header(): STT, unlike
 * the other tunnels, carries inner offload requests in its header, so such
 * packets are welcome; only a frame longer than STT can describe is not. */
bool
netdev_stt_push_prepare(const struct netdev *netdev OVS_UNUSED,
                        struct dp_packet *packet)
{
    if (dp_packet_size(packet) > STT_TX_MAX_INNER_LEN) {
        COVERAGE_INC(stt_tx_too_big);
        VLOG_WARN_RL(&err_rl, "%s: %"PRIu32"-byte frame too long for STT, "
                     "dropped", netdev_get_name(netdev),
                     dp_packet_size(packet));
        return false;
    }

    /* The STT header's L4 offset is 8 bits.  A TSO packet whose inner
     * headers are longer cannot ask the receiver to segment it, and sent
     * whole it would reach a VM as one oversized frame.  (The push action
     * turns one packet into one, so it cannot segment here either.) */
    if (stt_offload_is_tso(packet)
        && stt_inner_l4_offset(packet) > UINT8_MAX) {
        COVERAGE_INC(stt_tx_tso_l4_too_far);
        VLOG_WARN_RL(&err_rl, "%s: TSO frame with %"PRIuSIZE" bytes of "
                     "headers, more than STT can describe, dropped",
                     netdev_get_name(netdev), stt_inner_l4_offset(packet));
        return false;
    }

    /* Room for the outer headers and a virtio-net header in front of them:
     * a TSO packet from netdev-linux comes with almost no headroom, and
     * making room twice (once here, once for the virtio-net header) would
     * copy 64 kB twice. */
    if (dp_packet_headroom(packet) < STT_PUSH_HEADROOM) {
        /* Without tailroom: with a receive buffer's, a 64 kB frame would
         * not fit 16 bits of allocation size. */
        dp_packet_resize(packet, STT_PUSH_HEADROOM, 0);
    }
    return true;
}

void
netdev_stt_push_header(const struct netdev *netdev OVS_UNUSED,
                       NVO3_INGRESS_NETDEV_PARAM
                       struct dp_packet *packet,
                       const struct ovs_action_push_tnl *data)
{
    struct stt_header offloads;
    struct stt_header *stt;
    struct tcp_header *tcp;
    ovs_be16 src_port, vlan = 0;
    size_t frame_len;
    int ip_tot_size;

    /* From the inner packet: the base may hash its headers for this. */
    src_port = netdev_tnl_get_src_port(packet);

    /* Lift an 802.1Q tag (not other TPIDs) into the STT header. */
    if (dp_packet_size(packet) >= sizeof(struct vlan_eth_header)) {
        const struct vlan_eth_header *veh = dp_packet_data(packet);

        if (veh->veth_type == htons(ETH_TYPE_VLAN_8021Q)) {
            vlan = htons((ntohs(veh->veth_tci) & ~VLAN_CFI) | STT_VLAN_VALID);
            eth_pop_vlan(packet);
            COVERAGE_INC(stt_tx_vlan_lifted);
        }
    }

    memset(&offloads, 0, sizeof offloads);
    stt_offload_encode(packet, &offloads);

    frame_len = dp_packet_size(packet) + STT_FRAME_HLEN;
    tcp = nvo3_tnl_push_ip_header(packet, data->header, data->header_len,
                                  &ip_tot_size);
    tcp->tcp_src = src_port;
    put_16aligned_be32(&tcp->tcp_seq, htonl(stt_seq(frame_len, 0)));
    put_16aligned_be32(&tcp->tcp_ack, htonl(stt_next_frame_id()));

    stt = (struct stt_header *) (tcp + 1);
    stt->flags = offloads.flags;
    stt->l4_offset = offloads.l4_offset;
    stt->mss = offloads.mss;
    stt->vlan_tci = vlan;

    /* The outer TCP checksum and the segmentation into MSS-sized segments
     * are left to the egress netdev (TSO), or to the software fallback at
     * send time when it has none. */
    stt_offload_request_outer(packet, tcp);
}

/* Called by netdev_send() on bases with upstream software segmentation:
 * gives the STT packets in 'batch' the segment size of 'netdev''s MTU, which
 * their push could not know.  Returns true if a packet in 'batch' asks for
 * TCP segmentation (with or without userspace TSO, STT's do). */
bool
netdev_stt_send_prepare(const struct netdev *netdev,
                        struct dp_packet_batch *batch)
{
    struct dp_packet *packet;
    bool tso = false;
    int mtu = 0;

    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        if (OVS_UNLIKELY(stt_offload_segsz_unresolved(packet))) {
            if (!mtu && (netdev_get_mtu(netdev, &mtu) || mtu < 576)) {
                mtu = ETH_PAYLOAD_MAX;
            }
            stt_offload_resolve_segsz(packet, mtu);
        }
        tso = tso || stt_offload_is_tso(packet);
    }
    return tso;
}

/* A received STT segment, as its outer headers describe it. */
struct stt_rx_segment {
    const struct tcp_header *tcp;
    const char *payload;        /* The TCP payload: all or part of a frame. */
    size_t len;                 /* Bytes at 'payload'. */
};

/* Returns the length of 'packet''s outer IP datagram according to its IP
 * header (the frame may be longer: short frames are padded). */
static size_t
stt_outer_ip_len(const struct dp_packet *packet)
{
    if (netdev_tnl_is_header_ipv6(dp_packet_data(packet))) {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(packet);

        return IPV6_HEADER_LEN + ntohs(ip6->ip6_plen);
    } else {
        const struct ip_header *ip = dp_packet_l3(packet);

        return ntohs(ip->ip_tot_len);
    }
}

/* Pop, step 1: checks 'packet''s outer IP and TCP headers and checksum,
 * fills in its tunnel metadata, and describes its payload in 'seg'.
 * Returns false, with the reason counted, if 'packet' must be dropped. */
static bool
stt_check_outer(struct dp_packet *packet, struct stt_rx_segment *seg)
{
    struct flow_tnl *tnl = &packet->md.tunnel;
    const struct tcp_header *tcp;
    size_t l3_hlen, ip_len, tcp_len, room, doff;
    unsigned int hlen;

    tcp = netdev_tnl_ip_extract_tnl_md(packet, tnl, &hlen);
    if (!tcp) {
        COVERAGE_INC(stt_rx_bad_ip);
        return false;
    }

    /* The TCP length comes from the IP header: short frames are padded.
     * (netdev_tnl_ip_extract_tnl_md() checked that the IP version is the
     * Ethernet type's.) */
    l3_hlen = (const char *) tcp - (const char *) dp_packet_l3(packet);
    room = (const char *) dp_packet_tail(packet) - (const char *) tcp;
    ip_len = stt_outer_ip_len(packet);
    if (ip_len < l3_hlen) {
        COVERAGE_INC(stt_rx_bad_ip);
        return false;
    }
    tcp_len = ip_len - l3_hlen;
    if (tcp_len < TCP_HEADER_LEN || tcp_len > room) {
        COVERAGE_INC(stt_rx_bad_tcp);
        return false;
    }
    doff = TCP_OFFSET(tcp->tcp_ctl) * 4;
    if (doff < TCP_HEADER_LEN || doff > tcp_len) {
        COVERAGE_INC(stt_rx_bad_tcp);
        return false;
    }

    /* A checksum still to be offloaded (a local sender's CHECKSUM_PARTIAL
     * crossing veth) is as trustworthy as one the NIC verified. */
    if (!stt_offload_outer_csum_trusted(packet)
        && csum_finish(csum_continue(pseudo_header_csum(dp_packet_l3(packet),
                                                        tcp_len, IPPROTO_TCP),
                                     tcp, tcp_len))) {
        COVERAGE_INC(stt_rx_bad_csum);
        return false;
    }

    tnl->tp_src = tcp->tcp_src;
    tnl->tp_dst = tcp->tcp_dst;
    seg->tcp = tcp;
    seg->payload = (const char *) tcp + doff;
    seg->len = tcp_len - doff;
    return true;
}

/* Pop, step 2: returns the whole STT frame, starting at its STT header,
 * that 'seg' of 'packet' completes, with 'packet''s metadata: 'packet'
 * itself when it carries a whole frame, otherwise a new packet from the
 * reassembly table.  Returns NULL if the segment is held or dropped.
 * Consumes 'packet' in every case but the first. */
static struct dp_packet *
stt_reassemble(struct dp_packet *packet, const struct stt_rx_segment *seg)
{
    const struct flow_tnl *tnl = &packet->md.tunnel;
    uint32_t seq = ntohl(get_16aligned_be32(&seg->tcp->tcp_seq));
    uint16_t frame_len = stt_seq_frame_len(seq);
    struct stt_reasm_result result;
    struct stt_reasm_seg rseg;
    struct dp_packet *frame;

    if (stt_seq_offset(seq) == 0 && seg->len == frame_len) {
        /* A whole frame: one segment, or segments merged by GRO/LRO. */
        size_t outer_len = seg->payload - (char *) dp_packet_data(packet);

        if (frame_len < STT_FRAME_HLEN) {
            COVERAGE_INC(stt_rx_bad_frame);
            dp_packet_delete(packet);
            return NULL;
        }
        /* Drop the Ethernet padding, then the outer headers. */
        dp_packet_set_size(packet, outer_len + seg->len);
        dp_packet_reset_packet(packet, outer_len);
        COVERAGE_INC(stt_rx_fast_path);
        return packet;
    }

    memset(&rseg, 0, sizeof rseg);
    if (tnl->ip_dst) {
        in6_addr_set_mapped_ipv4(&rseg.key.src, tnl->ip_src);
        in6_addr_set_mapped_ipv4(&rseg.key.dst, tnl->ip_dst);
    } else {
        rseg.key.src = tnl->ipv6_src;
        rseg.key.dst = tnl->ipv6_dst;
    }
    rseg.key.frame_id = ntohl(get_16aligned_be32(&seg->tcp->tcp_ack));
    rseg.key.src_port = ntohs(seg->tcp->tcp_src);
    rseg.frame_len = frame_len;
    rseg.offset = stt_seq_offset(seq);
    rseg.data = seg->payload;
    rseg.len = seg->len;
    rseg.ce = IP_ECN_is_ce(tnl->ip_tos);

    frame = stt_reasm_add(stt_reasm_global(), &rseg, time_msec(), &result);
    if (frame) {
        frame->md = packet->md;
        frame->packet_type = htonl(PT_ETH);
        if (result.ce) {
            frame->md.tunnel.ip_tos |= IP_ECN_CE;
        }
        COVERAGE_INC(stt_rx_reassembled);
    }
    dp_packet_delete(packet);
    return frame;
}

/* Pop, step 3: takes the STT header off 'frame', leaving the inner Ethernet
 * frame with its context ID in the tunnel metadata, its 802.1Q tag back in
 * place and its offload requests restored.  Returns false, with the reason
 * counted, if 'frame' must be dropped. */
static bool
stt_decapsulate(struct dp_packet *frame)
{
    struct flow_tnl *tnl = &frame->md.tunnel;
    size_t l2_len = ETH_HEADER_LEN;
    struct stt_header stt;

    /* A copy: pushing the 802.1Q tag back overwrites the header's end. */
    memcpy(&stt, dp_packet_data(frame), sizeof stt);

    /* The outer packet's offload state means nothing for the inner one;
     * the STT header says what it needs. */
    stt_offload_forget(frame);

    if (stt.version != STT_VERSION) {
        COVERAGE_INC(stt_rx_bad_version);
        return false;
    }
    tnl->tun_id = stt_get_key(&stt);
    tnl->flags |= FLOW_TNL_F_KEY;

    dp_packet_reset_packet(frame, STT_FRAME_HLEN);
    if (dp_packet_size(frame) < ETH_HEADER_LEN) {
        COVERAGE_INC(stt_rx_bad_frame);
        return false;
    }
    if (stt.vlan_tci & htons(STT_VLAN_VALID)) {
        eth_push_vlan(frame, htons(ETH_TYPE_VLAN_8021Q), stt.vlan_tci);
        l2_len += VLAN_HEADER_LEN;
    }
    /* After the tag, so that the offsets it sets are final. */
    if (!stt_offload_decode(frame, &stt, l2_len)) {
        COVERAGE_INC(stt_rx_bad_l4_offset);
        return false;
    }
    return true;
}

struct dp_packet *
netdev_stt_pop_header(struct dp_packet *packet)
{
    struct stt_rx_segment seg;

    pkt_metadata_init_tnl(&packet->md);
    if (!stt_check_outer(packet, &seg)) {
        dp_packet_delete(packet);
        return NULL;
    }
    packet = stt_reassemble(packet, &seg);
    if (packet && !stt_decapsulate(packet)) {
        dp_packet_delete(packet);
        return NULL;
    }
    return packet;
}

void
netdev_stt_format_tnl_push(struct ds *ds, const void *l4)
{
    const struct tcp_header *tcp = l4;
    const struct stt_header *stt = (const struct stt_header *) (tcp + 1);

    ds_put_format(ds, "tcp(src=%"PRIu16",dst=%"PRIu16"),"
                  "stt(ver=%"PRIu8",key=0x%"PRIx64")",
                  ntohs(tcp->tcp_src), ntohs(tcp->tcp_dst),
                  stt->version, ntohll(stt_get_key(stt)));
}

/* Parses the part of a tnl_push action that netdev_stt_format_tnl_push()
 * formats, at 's' + '*n', into the header at 'l4'. */
bool
netdev_stt_parse_tnl_push(const char *s, int *n, void *l4,
                          uint32_t *tnl_type, uint32_t *l4_len)
{
    struct tcp_header *tcp = l4;
    struct stt_header *stt = (struct stt_header *) (tcp + 1);
    uint16_t src, dst;
    uint8_t ver;
    uint64_t key;

    if (!ovs_scan_len(s, n, "tcp(src=%"SCNu16",dst=%"SCNu16"),"
                      "stt(ver=%"SCNu8",key=0x%"SCNx64"))",
                      &src, &dst, &ver, &key)) {
        return false;
    }

    memset(tcp, 0, sizeof *tcp + STT_FRAME_HLEN);
    tcp->tcp_src = htons(src);
    tcp->tcp_dst = htons(dst);
    tcp->tcp_ctl = TCP_CTL(TCP_PSH | TCP_ACK, 5);
    tcp->tcp_winsz = htons(0xffff);
    stt->version = ver;
    stt_put_key(stt, htonll(key));

    *tnl_type = OVS_VPORT_TYPE_STT;
    *l4_len = sizeof *tcp + STT_FRAME_HLEN;
    return true;
}
