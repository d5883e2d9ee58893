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

#include "stt-coalesce.h"

#include <string.h>

#include "coverage.h"
#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "pseudo-header-csum.h"
#include "stt-offload.h"
#include "util.h"

COVERAGE_DEFINE(stt_tx_coalesced);
COVERAGE_DEFINE(stt_tx_coalesced_frames);

/* A TCP segment that may be joined with others: plain data with ACK (PSH
 * allowed, ending a run), a right checksum, no IP options, IPv6 extension
 * headers, fragments or pending offloads, and DF set on IPv4 (the
 * receiver numbers the IDs of the segments it cuts from the first one's,
 * which only DF makes harmless, as for Linux's GRO). */
struct stt_seg {
    struct dp_packet *packet;
    size_t l3_ofs;
    size_t l4_ofs;
    size_t payload_ofs;         /* End of the TCP header. */
    size_t payload_len;
    uint32_t seq;
    uint16_t tcp_flags;
};

static bool
stt_seg_parse(struct dp_packet *packet, struct stt_seg *seg)
{
    const uint8_t *l3 = dp_packet_l3(packet);
    const struct tcp_header *tcp = dp_packet_l4(packet);
    size_t end = dp_packet_size(packet);
    size_t ip_len;

    if (!l3 || !tcp || dp_packet_l2_pad_size(packet)
        || stt_offload_is_tso(packet)) {
        return false;
    }
    seg->l3_ofs = packet->l3_ofs;
    seg->l4_ofs = packet->l4_ofs;
    if (seg->l4_ofs + TCP_HEADER_LEN > end) {
        return false;
    }

    if (IP_VER(l3[0]) == 4) {
        const struct ip_header *ip = dp_packet_l3(packet);

        if (ip->ip_ihl_ver != IP_IHL_VER(5, 4)
            || seg->l4_ofs != seg->l3_ofs + IP_HEADER_LEN
            || ip->ip_proto != IPPROTO_TCP
            || IP_IS_FRAGMENT(ip->ip_frag_off)
            || !(ip->ip_frag_off & htons(IP_DONT_FRAGMENT))) {
            return false;
        }
        ip_len = ntohs(ip->ip_tot_len);
    } else if (IP_VER(l3[0]) == 6) {
        const struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(packet);

        if (seg->l4_ofs != seg->l3_ofs + IPV6_HEADER_LEN
            || ip6->ip6_ctlun.ip6_un1.ip6_un1_nxt != IPPROTO_TCP) {
            return false;
        }
        ip_len = IPV6_HEADER_LEN + ntohs(ip6->ip6_ctlun.ip6_un1.ip6_un1_plen);
    } else {
        return false;
    }
    if (seg->l3_ofs + ip_len != end) {
        return false;
    }

    seg->payload_ofs = seg->l4_ofs + TCP_OFFSET(tcp->tcp_ctl) * 4;
    if (seg->payload_ofs < seg->l4_ofs + TCP_HEADER_LEN
        || seg->payload_ofs >= end) {
        return false;
    }
    seg->payload_len = end - seg->payload_ofs;
    seg->tcp_flags = TCP_FLAGS(tcp->tcp_ctl);
    if ((seg->tcp_flags & ~TCP_PSH) != TCP_ACK) {
        return false;
    }
    seg->seq = ntohl(get_16aligned_be32(&tcp->tcp_seq));
    seg->packet = packet;
    return true;
}

/* Whether 'seg''s TCP checksum is right.  The receiver computes new ones
 * for the segments it cuts from a joined frame, so a wrong one here would
 * come out right there: checked only for segments about to be joined. */
static bool
stt_seg_csum_ok(const struct stt_seg *seg)
{
    const char *l4 = (const char *) dp_packet_data(seg->packet) + seg->l4_ofs;
    size_t l4_len = seg->payload_ofs + seg->payload_len - seg->l4_ofs;
    uint32_t sum;

    if (stt_offload_l4_csum_good(seg->packet)) {
        return true;
    }
    sum = pseudo_header_csum(dp_packet_l3(seg->packet), l4_len, IPPROTO_TCP);
    return !csum_finish(csum_continue(sum, l4, l4_len));
}

static bool
bytes_equal(const char *a, const char *b, size_t ofs, size_t len)
{
    return !memcmp(a + ofs, b + ofs, len);
}

/* Whether 'next' continues the run that 'head' starts and 'last' ends, in
 * which every segment but the last carries 'mss' bytes: the same headers
 * but for the sequence number, the checksums, the IP length and ID, and a
 * PSH flag. */
static bool
stt_seg_follows(const struct stt_seg *head, const struct stt_seg *last,
                const struct stt_seg *next, size_t mss)
{
    const char *h = dp_packet_data(head->packet);
    const char *n = dp_packet_data(next->packet);
    size_t l3 = head->l3_ofs;
    size_t l4 = head->l4_ofs;

    if (last->payload_len != mss || next->payload_len > mss
        || (last->tcp_flags & TCP_PSH)
        || next->seq != last->seq + (uint32_t) last->payload_len
        || next->l3_ofs != l3 || next->l4_ofs != l4
        || next->payload_ofs != head->payload_ofs
        || !bytes_equal(h, n, 0, l3)) {
        return false;
    }

    if (IP_VER((uint8_t) h[l3]) == 4) {
        /* Version, IHL and TOS; flags, TTL and protocol; addresses. */
        if (!bytes_equal(h, n, l3, 2) || !bytes_equal(h, n, l3 + 6, 4)
            || !bytes_equal(h, n, l3 + 12, 8)) {
            return false;
        }
    } else if (!bytes_equal(h, n, l3, 4)
               || !bytes_equal(h, n, l3 + 6, IPV6_HEADER_LEN - 6)) {
        /* Version, class and flow label; next header, hop limit and
         * addresses. */
        return false;
    }

    /* Ports; acknowledgment and data offset; window; urgent pointer and
     * options (timestamps included, as Linux's GRO wants them). */
    return (bytes_equal(h, n, l4, 4)
            && bytes_equal(h, n, l4 + 8, 5)
            && bytes_equal(h, n, l4 + 14, 2)
            && bytes_equal(h, n, l4 + 18, head->payload_ofs - (l4 + 18)));
}

/* Appends the payloads of segs[1] to segs[n - 1] to segs[0], freeing
 * their packets, and makes segs[0] a TSO packet of 'mss'-byte segments. */
static void
stt_seg_join(struct stt_seg *segs, size_t n, size_t mss, size_t headroom)
{
    struct dp_packet *head = segs[0].packet;
    size_t extra = 0;

    for (size_t i = 1; i < n; i++) {
        extra += segs[i].payload_len;
    }
    /* One allocation for the joined frame, with the room STT's push
     * needs in front. */
    dp_packet_resize(head, headroom, extra);
    for (size_t i = 1; i < n; i++) {
        const char *data = dp_packet_data(segs[i].packet);

        dp_packet_put(head, data + segs[i].payload_ofs, segs[i].payload_len);
        dp_packet_delete(segs[i].packet);
    }

    size_t l3_len = dp_packet_size(head) - segs[0].l3_ofs;
    if (IP_VER(*(const uint8_t *) dp_packet_l3(head)) == 4) {
        struct ip_header *ip = dp_packet_l3(head);

        ip->ip_tot_len = htons(l3_len);
        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_HEADER_LEN);
    } else {
        struct ovs_16aligned_ip6_hdr *ip6 = dp_packet_l3(head);

        ip6->ip6_ctlun.ip6_un1.ip6_un1_plen = htons(l3_len - IPV6_HEADER_LEN);
    }
    if (segs[n - 1].tcp_flags & TCP_PSH) {
        struct tcp_header *tcp = dp_packet_l4(head);

        tcp->tcp_ctl |= htons(TCP_PSH);
    }
    stt_offload_set_tso(head, mss);
}

size_t
stt_coalesce_batch(struct dp_packet_batch *batch, size_t max_len,
                   size_t headroom)
{
    struct stt_seg segs[NETDEV_MAX_BURST];
    bool ok[NETDEV_MAX_BURST];
    size_t n = dp_packet_batch_size(batch);
    size_t kept = 0, joined = 0;

    if (n < 2 || batch->trunc) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        ok[i] = stt_seg_parse(batch->packets[i], &segs[i]);
    }

    for (size_t i = 0, j; i < n; i = j) {
        struct dp_packet *head = batch->packets[i];
        size_t mss = ok[i] ? segs[i].payload_len : 0;
        size_t len = dp_packet_size(head);

        j = i + 1;
        if (ok[i] && head->source == DPBUF_MALLOC
            && mss <= UINT16_MAX
            && stt_offload_can_tso(head, mss)) {
            while (j < n && ok[j]
                   && len + segs[j].payload_len <= max_len
                   && stt_seg_follows(&segs[i], &segs[j - 1], &segs[j],
                                      mss)
                   && stt_seg_csum_ok(&segs[j])
                   && (j > i + 1 || stt_seg_csum_ok(&segs[i]))) {
                len += segs[j].payload_len;
                j++;
            }
        }
        if (j - i > 1) {
            stt_seg_join(&segs[i], j - i, mss, headroom);
            joined += j - i - 1;
            COVERAGE_INC(stt_tx_coalesced_frames);
        }
        batch->packets[kept++] = head;
    }
    batch->count = kept;
    COVERAGE_ADD(stt_tx_coalesced, joined);
    return joined;
}
