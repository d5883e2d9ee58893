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

#ifndef NVGRE_H
#define NVGRE_H 1

/* NVGRE (RFC 7637): Ethernet over GRE with the key split into a 24-bit
 * Virtual Subnet ID and an 8-bit FlowID.
 *
 *   GRE flags: K set, C and S clear, version 0; protocol 0x6558 (TEB);
 *   key = VSID << 8 | FlowID.
 *
 * OpenFlow tun_id on an "nvgre" port is the VSID.  FlowID is per-flow
 * entropy for the underlay and never decides where a frame belongs. */

#include <stdbool.h>
#include <stdint.h>

#define NVGRE_VSID_MAX 0xffffff
/* RFC 7637: 0-0xfff reserved for future use, 0xffffff for vendor-specific
 * NVE-to-NVE communication. */
#define NVGRE_VSID_MIN_USER 0x1000
#define NVGRE_VSID_VENDOR 0xffffff

/* tnl_push header types of NVGRE headers, with a fixed FlowID and with one
 * filled in per packet from the inner flow's hash.  Userspace only, outside
 * the kernel's OVS_VPORT_TYPE_* range.  The header itself is GRE's. */
#define OVS_VPORT_TYPE_NVGRE 0x4e56
#define OVS_VPORT_TYPE_NVGRE_HASH 0x4e57

static inline bool
nvgre_is_tnl_type(uint32_t tnl_type)
{
    return (tnl_type == OVS_VPORT_TYPE_NVGRE
            || tnl_type == OVS_VPORT_TYPE_NVGRE_HASH);
}

/* FlowID configuration: a value 0..255, or NVGRE_FLOWID_HASH. */
#define NVGRE_FLOWID_HASH (-1)

static inline uint32_t
nvgre_key(uint32_t vsid, uint8_t flowid)
{
    return (vsid << 8) | flowid;
}

static inline uint32_t
nvgre_key_vsid(uint32_t key)
{
    return key >> 8;
}

#endif /* nvgre.h */
