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


#ifndef STT_OFFLOAD_H
#define STT_OFFLOAD_H 1

/* STT and the Open vSwitch base's packet offload state.
 *
 * STT's frame header carries the inner packet's offload requests (a
 * partial L4 checksum, TCP segmentation with its MSS) across the tunnel,
 * and its outer TCP-like header is itself segmented by ordinary TCP
 * segmentation offload.  How a dp_packet says "segment me" or "my checksum
 * is partial" differs between the bases we build on:
 *
 *   - 3.1: transmit request flags; no segment size (ours: netdev-sw-offload.c
 *     segments at the egress MTU).
 *   - 3.5: request flags plus a per-packet segment size, and upstream
 *     software segmentation (dp-packet-gso.c) where the egress cannot.
 *   - 4.0: status bits only ("partial", "TCP"); a segment size means TSO.
 *
 * This file is the only one of ours that knows those differences; they are
 * chosen by configure-time checks (configure.ac). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_packet;
struct stt_header;
struct tcp_header;

/* Transmit. */
bool stt_offload_is_tso(const struct dp_packet *);
void stt_offload_encode(struct dp_packet *, struct stt_header *);
void stt_offload_request_outer(struct dp_packet *, struct tcp_header *);
bool stt_offload_segsz_unresolved(const struct dp_packet *);
void stt_offload_resolve_segsz(struct dp_packet *, int mtu);
bool stt_offload_can_tso(const struct dp_packet *, uint16_t mss);
bool stt_offload_l4_csum_good(const struct dp_packet *);
void stt_offload_set_tso(struct dp_packet *, uint16_t mss);

/* Receive. */
bool stt_offload_outer_csum_trusted(const struct dp_packet *);
void stt_offload_forget(struct dp_packet *);
bool stt_offload_decode(struct dp_packet *, const struct stt_header *,
                        size_t l2_len);

#endif /* stt-offload.h */
