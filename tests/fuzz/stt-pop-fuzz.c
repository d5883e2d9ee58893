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

/* libFuzzer target for the STT receive path of the userspace datapath.
 *
 * Each input is a burst of outer packets (Ethernet, IPv4 or IPv6, TCP-like
 * STT segment) received in order by one STT port:
 *
 *     count    1 byte: the burst has (count % 16) + 1 packets
 *     then, for each packet:
 *       len    2 bytes, big endian: packet length (cut to what is left)
 *       flags  1 byte, PKT_* below: what the harness does to the packet
 *       data   'len' bytes, starting with the Ethernet header
 *
 * Each packet goes the way dpif-netdev takes it: miniflow extraction sets
 * its layer offsets, netdev_stt_pop_header() decapsulates it (reassembling
 * across the packets of the burst in the switch-wide table), and what comes
 * out is extracted again (recirculation) and, when it asks for TSO or a
 * checksum, handed to the software offload fallback of the send path, as
 * when the egress port cannot do it.
 *
 * Checked beyond what AddressSanitizer and UBSan catch: the reassembly table
 * never holds more than its cap, it is empty once the burst's frames are
 * expired, pop's own layer offsets lie inside the packet, and the segments
 * made by the software fallback from a well-formed inner TCP packet have
 * correct checksums and at most one MSS of payload each. */

#include <config.h>

#include <limits.h>
#include <netinet/ip6.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_TARGET "stt-pop-fuzz"
#include "fuzz-harness.h"
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "fuzz-packet.h"
#include "netdev-native-tnl-stt.h"
#include "netdev-sw-offload.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "stt-reassembly.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Per-packet flags.  The FIX_* ones let mutated packets survive the
 * length and checksum checks, so that the fuzzer also explores what lies
 * behind them; without them those checks are exercised. */
#define PKT_FIX_LEN       0x01  /* Set IP total/payload length to fit. */
#define PKT_FIX_IP_CSUM   0x02  /* Recompute the IPv4 header checksum. */
#define PKT_FIX_TCP_CSUM  0x04  /* Recompute the outer TCP checksum. */
#define PKT_RX_IP_GOOD    0x08  /* NIC verified the IPv4 header checksum. */
#define PKT_RX_L4_GOOD    0x10  /* NIC verified the TCP checksum. */
#define PKT_TX_TCP_CSUM   0x20  /* Local sender left the checksum partial. */
#define PKT_MTU_SHIFT     6     /* 2 bits: egress MTU, index in 'mtus'. */

#define MAX_BURST 16

/* Reassembly cap: the smallest other_config:stt-reassembly-max-bytes, so
 * that a burst can fill the table and force evictions. */
#define FUZZ_REASM_CAP 65536

static const int mtus[] = { 1500, 576, 9000, 1280 };

/* Known bugs, found by this target (see tests/fuzz/README.md):
 *
 *   1. netdev_stt_pop_header() takes an outer packet with Ethernet type IPv6
 *      whose version nibble is 4 for IPv4 and computes the TCP length as
 *      ip_tot_len - 20, which underflows: crash.  Such packets are not
 *      handed to pop.
 *
 *   2. netdev_sw_offload_segment() turns the L2 padding of a TSO packet
 *      (bytes after the IP datagram) into TCP payload.  Tolerated.
 *
 * Setting STT_FUZZ_STRICT in the environment disables both workarounds;
 * they exist so that fuzzing can go on looking for other bugs. */
static bool strict;


int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    strict = !fuzz_harness_init("STT_FUZZ_VERBOSE", "STT_FUZZ_TOLERATE");
    stt_reasm_set_limits(stt_reasm_global(), FUZZ_REASM_CAP,
                         STT_REASM_DEFAULT_TIMEOUT_MS);
    return 0;
}

/* Returns the TCP length pop will use: from the IP header, as pop takes
 * it, or 0 if it does not fit in 'packet'. */
static size_t
outer_tcp_len(const struct dp_packet *packet)
{
    const struct ip_header *ip = dp_packet_l3(packet);
    size_t avail = dp_packet_size(packet) - packet->l4_ofs;
    size_t len;

    if (IP_VER(ip->ip_ihl_ver) == 4) {
        len = ntohs(ip->ip_tot_len);
        len = len >= IP_HEADER_LEN ? len - IP_HEADER_LEN : 0;
    } else {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(packet);
        size_t ext_len = packet->l4_ofs - packet->l3_ofs - IPV6_HEADER_LEN;

        len = ntohs(ip6->ip6_plen);
        len = len >= ext_len ? len - ext_len : 0;
    }
    return len <= avail ? len : 0;
}

static uint32_t
outer_pseudo_sum(const struct dp_packet *packet, size_t tcp_len)
{
    const struct ip_header *ip = dp_packet_l3(packet);

    if (IP_VER(ip->ip_ihl_ver) == 4) {
        return packet_csum_pseudoheader(ip);
    } else {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(packet);
        uint32_t sum;

        sum = csum_continue(0, &ip6->ip6_src, sizeof ip6->ip6_src);
        sum = csum_continue(sum, &ip6->ip6_dst, sizeof ip6->ip6_dst);
        sum = csum_add16(sum, htons(tcp_len));
        return csum_add16(sum, htons(IPPROTO_TCP));
    }
}

static void
fix_tcp_csum(struct dp_packet *packet)
{
    size_t tcp_len = outer_tcp_len(packet);

    if (tcp_len >= TCP_HEADER_LEN) {
        struct tcp_header *tcp = dp_packet_l4(packet);

        tcp->tcp_csum = 0;
        tcp->tcp_csum = csum_finish(csum_continue(
                                        outer_pseudo_sum(packet, tcp_len),
                                        tcp, tcp_len));
    }
}

/* Builds the outer packet as a netdev would hand it to the datapath, with
 * its layer offsets set by miniflow extraction.  Returns NULL if known bug
 * 1 would crash it. */
static struct dp_packet *
make_outer_packet(const uint8_t *data, size_t len, uint8_t flags)
{
    struct dp_packet *packet = dp_packet_clone_data(data, len);
    struct flow flow;

    flow_extract(packet, &flow);
    if (flags & PKT_FIX_LEN && dp_packet_l3(packet)) {
        fix_ip_len(packet);
        flow_extract(packet, &flow);
    }
    if (flags & PKT_FIX_IP_CSUM && dp_packet_l3(packet)) {
        fix_ip_csum(packet);
    }
    if (flags & PKT_FIX_TCP_CSUM && dp_packet_l4(packet)
        && flow.nw_proto == IPPROTO_TCP
        && !(flow.nw_frag & FLOW_NW_FRAG_LATER)) {
        fix_tcp_csum(packet);
    }

    if (!strict && flow.dl_type == htons(ETH_TYPE_IPV6)
        && dp_packet_l3(packet) && dp_packet_size(packet) > packet->l3_ofs
        && IP_VER(((struct ip_header *) dp_packet_l3(packet))->ip_ihl_ver)
           == 4) {
        /* Known bug 1. */
        dp_packet_delete(packet);
        return NULL;
    }

    if (flags & PKT_RX_IP_GOOD) {
        *dp_packet_ol_flags_ptr(packet) |= DP_PACKET_OL_RX_IP_CKSUM_GOOD;
    }
    if (flags & PKT_RX_L4_GOOD) {
        *dp_packet_ol_flags_ptr(packet) |= DP_PACKET_OL_RX_L4_CKSUM_GOOD;
    }
    if (flags & PKT_TX_TCP_CSUM) {
        dp_packet_hwol_set_csum_tcp(packet);
    }
    return packet;
}

/* What the fallback promised for one segment of a TSO packet. */
struct seg_check {
    const struct dp_packet *orig;   /* The TSO packet. */
    size_t mss;
    size_t payload;             /* Sum of the segments' TCP payloads. */
};

static void
check_segment(struct dp_packet *seg, void *check_)
{
    struct seg_check *check = check_;
    const struct ip_header *ip = dp_packet_l3(seg);
    const struct tcp_header *tcp = dp_packet_l4(seg);
    size_t l4_size = dp_packet_l4_size(seg);
    size_t doff = TCP_OFFSET(tcp->tcp_ctl) * 4;
    uint32_t pseudo;

    if (l4_size < doff || l4_size - doff > check->mss) {
        fuzz_fail("software segment larger than the MSS");
    }
    check->payload += l4_size - doff;

    if (IP_VER(ip->ip_ihl_ver) == 4) {
        /* A packet that needs no splitting keeps its own IP header. */
        if (seg != check->orig && csum(ip, IP_IHL(ip->ip_ihl_ver) * 4)) {
            fuzz_fail("software segment with bad IPv4 header checksum");
        }
        pseudo = packet_csum_pseudoheader(ip);
    } else {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(seg);

        pseudo = csum_continue(0, &ip6->ip6_src, sizeof ip6->ip6_src);
        pseudo = csum_continue(pseudo, &ip6->ip6_dst, sizeof ip6->ip6_dst);
        pseudo = csum_add16(pseudo, htons(l4_size));
        pseudo = csum_add16(pseudo, htons(IPPROTO_TCP));
    }
    if (csum_finish(csum_continue(pseudo, tcp, l4_size))) {
        fuzz_fail("software segment with bad TCP checksum");
    }
    dp_packet_delete(seg);
}

static void
free_segment(struct dp_packet *seg, void *aux OVS_UNUSED)
{
    dp_packet_delete(seg);
}

/* Is 'packet', just extracted into 'flow', a TCP packet whose headers the
 * segment checks above can rely on?  (Miniflow extraction goes by the
 * Ethernet type and does not look at the IP version nibble, the software
 * fallback goes by the nibble: a packet on which they disagree is garbage
 * in, garbage out.) */
static bool
is_sane_tcp(const struct dp_packet *packet, const struct flow *flow)
{
    const struct ip_header *ip = dp_packet_l3(packet);
    const struct tcp_header *tcp = dp_packet_l4(packet);
    size_t doff;

    if (!ip || !tcp || flow->nw_proto != IPPROTO_TCP || flow->nw_frag
        || dp_packet_l4_size(packet) < TCP_HEADER_LEN
        || IP_VER(ip->ip_ihl_ver) != (flow->dl_type == htons(ETH_TYPE_IP)
                                      ? 4 : 6)) {
        return false;
    }
    doff = TCP_OFFSET(tcp->tcp_ctl) * 4;
    return doff >= TCP_HEADER_LEN && doff <= dp_packet_l4_size(packet);
}

/* Handles a packet that pop returned: recirculation, then the transmit
 * fallback of a port without offloads. */
static void
forward_inner(struct dp_packet *packet, int mtu)
{
    struct flow flow;

    if (dp_packet_size(packet) < ETH_HEADER_LEN) {
        fuzz_fail("pop returned a packet shorter than Ethernet");
    }
    if (dp_packet_hwol_is_tso(packet)
        && (!dp_packet_l3(packet) || !dp_packet_l4(packet)
            || packet->l4_ofs < packet->l3_ofs
            || packet->l4_ofs + TCP_HEADER_LEN > dp_packet_size(packet))) {
        fuzz_fail("pop returned a TSO packet with bad layer offsets");
    }

    pkt_metadata_init_conn(&packet->md);
    flow_extract(packet, &flow);

    if (dp_packet_hwol_is_tso(packet)) {
        const struct tcp_header *tcp = dp_packet_l4(packet);
        size_t hlen = 0, mss;

        if (tcp && dp_packet_l3(packet)) {
            hlen = (char *) tcp - (char *) dp_packet_l3(packet)
                   + TCP_OFFSET(tcp->tcp_ctl) * 4;
        }
        mss = mtu > hlen ? mtu - hlen : 0;

        if (mss && is_sane_tcp(packet, &flow)) {
            struct seg_check check = { .orig = packet, .mss = mss };
            size_t payload = (dp_packet_l4_size(packet)
                              - TCP_OFFSET(tcp->tcp_ctl) * 4);
            size_t pad = dp_packet_l2_pad_size(packet);

            netdev_sw_offload_segment(packet, mss, check_segment, &check);
            if (check.payload != payload
                && (strict || check.payload != payload + pad)) {
                fprintf(stderr, "stt-pop-fuzz: TCP payload %"PRIuSIZE
                        " bytes, segments carry %"PRIuSIZE" (L2 padding %"
                        PRIuSIZE")\n", payload, check.payload, pad);
                fuzz_fail("software segmentation lost or invented payload");
            }
        } else {
            netdev_sw_offload_segment(packet, mss, free_segment, NULL);
        }
    } else {
        if (dp_packet_hwol_tx_l4_checksum(packet)) {
            netdev_sw_offload_csum(packet);
        }
        dp_packet_delete(packet);
    }
}

static void
check_table(bool empty)
{
    struct stt_reasm_stats stats;

    stt_reasm_get_stats(stt_reasm_global(), &stats);
    if (stats.bytes > stats.mem_cap) {
        fuzz_fail("reassembly table holds more than its cap");
    }
    if (!stats.frames != !stats.bytes) {
        fuzz_fail("reassembly frames and bytes disagree");
    }
    if (empty && stats.frames) {
        fuzz_fail("reassembly table not empty after expiring everything");
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;

    if (!size) {
        return 0;
    }
    n = data[0] % MAX_BURST + 1;
    data++;
    size--;

    for (; n && size >= 3; n--) {
        size_t len = MIN((size_t) (data[0] << 8 | data[1]), size - 3);
        uint8_t flags = data[2];
        struct dp_packet *packet;

        packet = make_outer_packet(data + 3, len, flags);
        data += 3 + len;
        size -= 3 + len;

        packet = packet ? netdev_stt_pop_header(packet) : NULL;
        if (packet) {
            forward_inner(packet, mtus[flags >> PKT_MTU_SHIFT]);
        }
        check_table(false);
    }

    /* The input is one batch, as netdev_pop_header() ends it.  Then forget
     * its incomplete frames, so that every input starts from an empty table
     * and crashes reproduce from one input. */
    netdev_stt_pop_batch_done();
    stt_reasm_run(stt_reasm_global(), LLONG_MAX);
    check_table(true);
    return 0;
}
