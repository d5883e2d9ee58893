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

#ifndef NETDEV_NATIVE_TNL_NVGRE_H
#define NETDEV_NATIVE_TNL_NVGRE_H 1

/* NVGRE in the userspace datapath.  An "nvgre" port shares the datapath's
 * gre_sys port, and so its pop (netdev_gre_pop_header()), with "gre" ports;
 * it builds its own header, and the push shared by both classes fills in a
 * hashed FlowID. */

#include <stdbool.h>
#include <stdint.h>

#include "nvo3-compat.h"

struct dp_packet;
struct netdev;
struct netdev_tnl_build_header_params;
struct ovs_action_push_tnl;

/* The FlowID setting of nvgre port 'netdev': 0-255, or NVGRE_FLOWID_HASH
 * (the default) for one hashed from each inner flow. */
int netdev_nvgre_flowid(const struct netdev *);

int netdev_nvgre_build_header(const struct netdev *,
                              struct ovs_action_push_tnl *,
                              const struct netdev_tnl_build_header_params *);
/* Whether 'tun_id', about to leave through nvgre port 'netdev', is a VSID
 * (24 bits); if not, counts and logs the drop.  With key=flow the value
 * comes from OpenFlow and may be anything. */
bool netdev_nvgre_tx_vsid_ok(const struct netdev *, uint64_t tun_id);
void netdev_nvgre_push_header(const struct netdev *,
                              NVO3_INGRESS_NETDEV_PARAM
                              struct dp_packet *,
                              const struct ovs_action_push_tnl *);

#endif /* netdev-native-tnl-nvgre.h */
