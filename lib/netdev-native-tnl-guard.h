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

#ifndef NETDEV_NATIVE_TNL_GUARD_H
#define NETDEV_NATIVE_TNL_GUARD_H 1

/* Checks upstream's tunnel pop code lacked (found by fuzzing ovs-nvo3's
 * STT and NVGRE receive paths, which share it). */

#include <stdbool.h>

struct dp_packet;

/* The datapath chose to pop 'packet' by its Ethernet type: is its outer IP
 * header of that version, right after a plain Ethernet header, and inside
 * the 'l3_size' bytes the frame has from there? */
bool netdev_tnl_ip_header_ok(const struct dp_packet *packet, int l3_size);

#endif /* netdev-native-tnl-guard.h */
