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

#ifndef NETDEV_SW_OFFLOAD_H
#define NETDEV_SW_OFFLOAD_H 1

/* Software fallback for transmit offloads (TCP segmentation, L4 checksum)
 * that a packet asks for and its egress netdev cannot do.
 *
 * Open vSwitch 3.1 drops such packets in netdev_send().  STT needs them:
 * its push action leaves a whole STT frame (up to 64 kB) to be segmented by
 * the egress, and its pop action hands on inner TSO packets.  A patch makes
 * netdev_send() call netdev_sw_offload_send() when needed. */

#include <stdbool.h>
#include <stddef.h>

struct dp_packet;
struct dp_packet_batch;
struct netdev;

#define DP_PACKET_OL_TX_MASK (DP_PACKET_OL_TX_TCP_SEG       \
                              | DP_PACKET_OL_TX_IPV4        \
                              | DP_PACKET_OL_TX_IPV6        \
                              | DP_PACKET_OL_TX_TCP_CKSUM   \
                              | DP_PACKET_OL_TX_UDP_CKSUM   \
                              | DP_PACKET_OL_TX_SCTP_CKSUM)

bool netdev_sw_offload_needed(const struct netdev *,
                              const struct dp_packet_batch *);
int netdev_sw_offload_send(struct netdev *, int qid,
                           struct dp_packet_batch *, bool concurrent_txq);

/* Completes the TCP or UDP checksum that 'packet' asks to be offloaded and
 * clears its transmit offload requests. */
void netdev_sw_offload_csum(struct dp_packet *packet);
void netdev_sw_offload_clear(struct dp_packet *packet);

/* Splits TCP packet 'packet' (l3 and l4 offsets set) into segments of at
 * most 'mss' payload bytes with complete checksums, passing each to
 * 'emit'.  Frees 'packet'.  Returns the number of segments. */
size_t netdev_sw_offload_segment(struct dp_packet *packet, size_t mss,
                                 void (*emit)(struct dp_packet *, void *aux),
                                 void *aux);

#endif /* netdev-sw-offload.h */
