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
 * entropy for the underlay and never decides where a frame belongs.
 *
 * Where NVGRE lives:
 *
 *   - Configuration: lib/netdev-nvo3-config.c checks an nvgre port's
 *     options and stores its FlowID setting in the port's
 *     struct netdev_tunnel_config (the other options are upstream's);
 *     lib/netdev-gre-overlap.c refuses a gre or nvgre port that would
 *     receive another's frames.
 *   - Transmit, userspace datapath: lib/netdev-native-tnl-nvgre.c builds
 *     the header and fills in a hashed FlowID per packet.
 *   - Transmit, kernel datapath: ofproto/tunnel-nvgre.c turns tun_id into
 *     the GRE key at flow translation, for the kernel's gretap device
 *     (ip6gretap for an IPv6 remote_ip: lib/netdev-nvo3-kernel.c).
 *   - Receive, both datapaths: frames arrive on the gre_sys port (the
 *     kernel's ip6gre_sys for those IPv6 ports) with GRE's pop;
 *     ofproto/tunnel-nvgre.c finds the nvgre port by VSID and turns the
 *     GRE key into tun_id = VSID.
 *
 * The patches that hook these into upstream say "nvgre" in their names. */

#include <stdbool.h>
#include <stdint.h>

#define NVGRE_VSID_MAX 0xffffff
/* RFC 7637: 0-0xfff reserved for future use, 0xffffff for vendor-specific
 * NVE-to-NVE communication. */
#define NVGRE_VSID_MIN_USER 0x1000
#define NVGRE_VSID_VENDOR 0xffffff

/* tnl_push header types (struct ovs_action_push_tnl's 'tnl_type') of
 * NVGRE headers: one with the configured FlowID and one whose FlowID is
 * filled in per packet from the inner flow's hash.  The header bytes are
 * GRE's either way; only this type tells the shared push what to do with
 * the key's low byte.  Upstream's types are enum ovs_vport_type, small
 * numbers shared with the Linux kernel; ours are ASCII "NV" and "NW", far
 * outside that range, and never leave the userspace datapath (tnl_push is
 * not a kernel action).  They are defined here and nowhere else. */
#define OVS_VPORT_TYPE_NVGRE 0x4e56
#define OVS_VPORT_TYPE_NVGRE_HASH 0x4e57

/* Is 'vsid' one a tenant may use, rather than one RFC 7637 reserves? */
static inline bool
nvgre_vsid_is_user(uint32_t vsid)
{
    return vsid >= NVGRE_VSID_MIN_USER && vsid < NVGRE_VSID_VENDOR;
}

static inline bool
nvgre_is_tnl_type(uint32_t tnl_type)
{
    return (tnl_type == OVS_VPORT_TYPE_NVGRE
            || tnl_type == OVS_VPORT_TYPE_NVGRE_HASH);
}

/* A FlowID setting as netdev_nvgre_flowid() returns it: 0-255, or this. */
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
