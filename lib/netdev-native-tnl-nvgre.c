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

#include "netdev-native-tnl-nvgre.h"

#include <errno.h>
#include <net/if.h>

#include "coverage.h"
#include "dp-packet.h"
#include "netdev.h"
#include "netdev-native-tnl.h"
#include "netdev-provider.h"
#include "netdev-vport-private.h"
#include "nvgre.h"
#include "nvo3-compat.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(native_tnl_nvgre);
static struct vlog_rate_limit err_rl = VLOG_RATE_LIMIT_INIT(60, 5);

COVERAGE_DEFINE(nvgre_tx_bad_vsid);
COVERAGE_DEFINE(nvgre_tx_vlan_stripped);

int
netdev_nvgre_flowid(const struct netdev *netdev)
{
    struct netdev_vport *dev = netdev_vport_cast(netdev);
    const struct netdev_tunnel_config *cfg;
    int flowid;

    ovs_mutex_lock(&dev->mutex);
    cfg = netdev_get_tunnel_config(netdev);
    flowid = (cfg->nvgre_flowid_fixed
              ? cfg->nvgre_flowid : NVGRE_FLOWID_HASH);
    ovs_mutex_unlock(&dev->mutex);
    return flowid;
}

bool
netdev_nvgre_tx_vsid_ok(const struct netdev *netdev, uint64_t tun_id)
{
    if (tun_id > NVGRE_VSID_MAX) {
        COVERAGE_INC(nvgre_tx_bad_vsid);
        VLOG_WARN_RL(&err_rl, "%s: tun_id %#"PRIx64" is not a 24-bit VSID",
                     netdev_get_name(netdev), tun_id);
        return false;
    }
    return true;
}

int
netdev_nvgre_build_header(const struct netdev *netdev,
                          struct ovs_action_push_tnl *data,
                          const struct netdev_tnl_build_header_params *params)
{
    uint64_t vsid = ntohll(params->flow->tunnel.tun_id);
    struct gre_base_hdr *greh;
    ovs_16aligned_be32 *key;
    int flowid;

    /* NVGRE carries Ethernet frames only. */
    if (params->flow->packet_type != htonl(PT_ETH)) {
        return EINVAL;
    }
    if (!netdev_nvgre_tx_vsid_ok(netdev, vsid)) {
        return EINVAL;
    }

    greh = nvo3_tnl_ip_build_header(data, params, IPPROTO_GRE);
    greh->flags = htons(GRE_KEY);
    greh->protocol = htons(ETH_TYPE_TEB);

    flowid = netdev_nvgre_flowid(netdev);
    key = (ovs_16aligned_be32 *) (greh + 1);
    put_16aligned_be32(key, htonl(nvgre_key(vsid,
                                            flowid == NVGRE_FLOWID_HASH
                                            ? 0 : flowid)));

    data->header_len += sizeof *greh + sizeof *key;
    data->tnl_type = (flowid == NVGRE_FLOWID_HASH
                      ? OVS_VPORT_TYPE_NVGRE_HASH : OVS_VPORT_TYPE_NVGRE);
    return 0;
}

/* The push of the datapath's gre_sys port, which "gre" and "nvgre" ports
 * share.  For NVGRE it first removes VLAN tags (RFC 7637 forbids 802.1Q
 * tags inside), then pushes GRE as usual, then fills in the FlowID from the
 * inner packet's hash if asked to.  Hashing per packet, rather than
 * building the FlowID into the header, keeps one megaflow per VSID. */
void
netdev_nvgre_push_header(const struct netdev *netdev,
                         NVO3_INGRESS_NETDEV_PARAM
                         struct dp_packet *packet,
                         const struct ovs_action_push_tnl *data)
{
    uint32_t hash = dp_packet_get_rss_hash(packet);

    if (nvgre_is_tnl_type(data->tnl_type)) {
        const struct vlan_eth_header *veh;

        /* Every tag: a receiver drops a frame that still has one. */
        while (dp_packet_size(packet) >= sizeof *veh
               && (veh = dp_packet_data(packet),
                   eth_type_vlan(veh->veth_type))) {
            eth_pop_vlan(packet);
            COVERAGE_INC(nvgre_tx_vlan_stripped);
        }
    }

    netdev_gre_push_header(netdev, NVO3_INGRESS_NETDEV_ARG packet, data);
    if (data->tnl_type == OVS_VPORT_TYPE_NVGRE_HASH) {
        struct gre_base_hdr *greh = dp_packet_l4(packet);
        ovs_16aligned_be32 *key = (ovs_16aligned_be32 *) (greh + 1);
        uint32_t k = ntohl(get_16aligned_be32(key));

        /* Fold the hash so that all of its bits count. */
        hash ^= hash >> 16;
        hash ^= hash >> 8;
        put_16aligned_be32(key, htonl((k & ~0xffu) | (hash & 0xff)));
    }
}
