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

#ifndef STT_COALESCE_H
#define STT_COALESCE_H 1

/* Joining the consecutive segments of one TCP connection before STT's push.
 *
 * STT's design is one encapsulation per large frame.  A VM that cannot do
 * TSO sends its data as MTU-sized segments instead, and on an underlay of
 * the same MTU each of them becomes an STT frame one segment too long: two
 * underlay packets per VM packet.  Joined into one TSO frame (as Linux's
 * GRO does on receive), a batch of them travels as one STT frame whose
 * segments fill the underlay MTU, and the receiver cuts the inner frame
 * again at the MSS that the STT header carries. */

#include <stddef.h>

struct dp_packet_batch;

/* Replaces each run of consecutive segments of one TCP connection in
 * 'batch' by one TSO packet of at most 'max_len' bytes, with 'headroom'
 * bytes in front of it.  Returns the number of packets joined into
 * others (the batch's size shrinks by that much). */
size_t stt_coalesce_batch(struct dp_packet_batch *batch, size_t max_len,
                          size_t headroom);

#endif /* stt-coalesce.h */
