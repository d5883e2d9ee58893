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

#ifndef TUNNEL_NVGRE_H
#define TUNNEL_NVGRE_H 1

/* How ofproto/tunnel.c receives NVGRE: "nvgre" ports share GRE's receive
 * path, and are looked up (after "gre" ports) by VSID, the GRE key without
 * its FlowID; OpenFlow then sees tun_id = VSID. */

#include <stdbool.h>
#include "openvswitch/types.h"

struct flow;
struct flow_wildcards;
struct netdev;

bool tnl_nvgre_is_nvgre(const struct netdev *);

/* May the tunnel packet described by 'flow' go to an nvgre port? */
bool tnl_nvgre_may_receive(const struct flow *);

/* The key an nvgre port with in_key 'vsid' is looked up by. */
ovs_be64 tnl_nvgre_rx_key(const struct flow *);

/* Turns the GRE key of 'flow', received on an nvgre port, into its VSID
 * and widens 'wc' so that the FlowID does not multiply megaflows.  Returns
 * false if the frame must be dropped: its VSID is reserved (then the VLAN
 * is not looked at), or it carries a VLAN tag. */
bool tnl_nvgre_translate_rx(struct flow *, struct flow_wildcards *);

/* For datapaths without native tunnelling (the Linux kernel's gretap
 * device writes tun_id as the GRE key as it is): turns the VSID in the
 * tun_id of 'flow', about to leave through nvgre port 'netdev', into the
 * NVGRE key, VSID << 8 | FlowID, and takes any VLAN tags off 'flow' (the
 * caller commits their removal).  Returns false if the VSID does not fit
 * in 24 bits. */
bool tnl_nvgre_translate_tx(const struct netdev *, struct flow *,
                            struct flow_wildcards *);

#endif /* tunnel-nvgre.h */
