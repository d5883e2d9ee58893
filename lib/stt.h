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

#ifndef STT_H
#define STT_H 1

/* STT (Stateless Transport Tunneling) wire format, draft-davie-stt-08.
 *
 *   outer Ethernet | outer IPv4/IPv6 (proto 6) | TCP-like header (20) |
 *   STT frame header (16) | padding (2) | inner Ethernet frame
 *
 * The TCP-like header reuses TCP fields with STT meanings: the high 16 bits
 * of SEQ hold the STT frame length (STT header + padding + inner frame), the
 * low 16 bits the byte offset of the segment inside the frame, and ACK a
 * frame ID shared by all segments of one frame.  Only the first segment
 * (offset 0) carries the STT frame header. */

#include <stdint.h>
#include "byte-order.h"
#include "openvswitch/types.h"
#include "packets.h"
#include "util.h"

#define STT_DST_PORT 7471

/* The kernel datapath's vport type for STT.  Open vSwitch 3.6 dropped it
 * from its copy of <linux/openvswitch.h> together with STT; the number
 * stays STT's, as our kernel module and older datapaths know it. */
#if defined(HAVE_DECL_OVS_VPORT_TYPE_STT) && !HAVE_DECL_OVS_VPORT_TYPE_STT
#define OVS_VPORT_TYPE_STT 106
#endif

#define STT_VERSION 0

/* STT frame header flags. */
#define STT_CSUM_VERIFIED 0x01  /* Inner L4 checksum known good. */
#define STT_CSUM_PARTIAL  0x02  /* Inner L4 checksum holds only the
                                 * pseudo-header sum. */
#define STT_PROTO_IPV4    0x04  /* With PARTIAL: inner IPv4 (else IPv6). */
#define STT_PROTO_TCP     0x08  /* With PARTIAL: inner TCP (else UDP). */
#define STT_FLAGS_RESERVED 0xf0

/* 'vlan_tci' field: PCP (15-13), valid bit (12), VID (11-0). */
#define STT_VLAN_VALID    0x1000

struct stt_header {
    uint8_t version;
    uint8_t flags;
    uint8_t l4_offset;          /* Inner Ethernet start to inner L4 start. */
    uint8_t reserved;
    ovs_be16 mss;               /* Inner TCP MSS, 0 without segmentation. */
    ovs_be16 vlan_tci;
    ovs_16aligned_be32 key_hi;  /* Context ID (OpenFlow tun_id), in two */
    ovs_16aligned_be32 key_lo;  /* halves: the header is 2-byte aligned. */
};
BUILD_ASSERT_DECL(sizeof(struct stt_header) == 16);

/* Padding after the STT header keeps the inner IP header 4-byte aligned. */
#define STT_PAD_LEN 2
#define STT_FRAME_HLEN (sizeof(struct stt_header) + STT_PAD_LEN)

/* Largest inner frame.  The frame length is 16 bits, but the outer IPv4
 * total length is too, and it also covers the IPv4 and TCP headers: 65535 -
 * 20 - 20 - 18 = 65477 (the figure Open vSwitch's old kernel module used;
 * over IPv6, whose payload length leaves out the IPv6 header, it is the
 * tighter bound as well). */
#define STT_MAX_FRAME_LEN 65535
#define STT_MAX_INNER_LEN (STT_MAX_FRAME_LEN - IP_HEADER_LEN \
                           - TCP_HEADER_LEN - STT_FRAME_HLEN)

static inline ovs_be64
stt_get_key(const struct stt_header *stt)
{
    return htonll(((uint64_t) ntohl(get_16aligned_be32(&stt->key_hi)) << 32)
                  | ntohl(get_16aligned_be32(&stt->key_lo)));
}

static inline void
stt_put_key(struct stt_header *stt, ovs_be64 key)
{
    uint64_t k = ntohll(key);

    put_16aligned_be32(&stt->key_hi, htonl(k >> 32));
    put_16aligned_be32(&stt->key_lo, htonl(k));
}

static inline uint32_t
stt_seq(uint16_t frame_len, uint16_t offset)
{
    return ((uint32_t) frame_len << 16) | offset;
}

static inline uint16_t
stt_seq_frame_len(uint32_t seq)
{
    return seq >> 16;
}

static inline uint16_t
stt_seq_offset(uint32_t seq)
{
    return seq & 0xffff;
}

/* The Linux STT device (datapath/linux, rtnetlink kind "stt") takes these
 * IFLA_INFO_DATA attributes; the module's stt_netlink.h has the same
 * numbers. */
enum {
    IFLA_STT_UNSPEC,
    IFLA_STT_PORT,              /* be16: destination TCP port. */
    IFLA_STT_COLLECT_METADATA,  /* flag: the only mode there is. */
    __IFLA_STT_MAX
};

#endif /* stt.h */
