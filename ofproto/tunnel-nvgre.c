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

#include "tunnel-nvgre.h"

#include <string.h>

#include "coverage.h"
#include "flow.h"
#include "netdev.h"
#include "netdev-native-tnl-nvgre.h"
#include "nvgre.h"
#include "openvswitch/vlog.h"
#include "packets.h"

VLOG_DEFINE_THIS_MODULE(tunnel_nvgre);
COVERAGE_DEFINE(nvgre_tx_vlan_stripped_kernel);
COVERAGE_DEFINE(nvgre_rx_reserved_vsid);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(60, 5);

bool
tnl_nvgre_is_nvgre(const struct netdev *netdev)
{
    return !strcmp(netdev_get_type(netdev), "nvgre");
}

bool
tnl_nvgre_may_receive(const struct flow *flow)
{
    /* RFC 7637: the key is present and there is no checksum. */
    return ((flow->tunnel.flags & (FLOW_TNL_F_KEY | FLOW_TNL_F_CSUM))
            == FLOW_TNL_F_KEY
            && flow->packet_type == htonl(PT_ETH));
}

ovs_be64
tnl_nvgre_rx_key(const struct flow *flow)
{
    return htonll(nvgre_key_vsid(ntohll(flow->tunnel.tun_id)));
}

bool
tnl_nvgre_translate_rx(struct flow *flow, struct flow_wildcards *wc)
{
    uint32_t vsid = ntohll(tnl_nvgre_rx_key(flow));

    /* The VSID bits decide; the FlowID bits never do. */
    flow->tunnel.tun_id = htonll(vsid);
    wc->masks.tunnel.tun_id = htonll(UINT64_C(0xffffff00));

    /* VSIDs 0-0xfff are reserved and 0xffffff is for vendor-specific
     * NVE-to-NVE traffic: never a tenant's frame, even on a port with
     * key=flow.  Counted once per datapath flow here, and per packet by
     * the datapath under drop_action_invalid_tunnel_metadata. */
    if (!nvgre_vsid_is_user(vsid)) {
        COVERAGE_INC(nvgre_rx_reserved_vsid);
        VLOG_WARN_RL(&rl, "dropping NVGRE frame with reserved VSID %#"PRIx32,
                     vsid);
        return false;
    }

    /* RFC 7637 forbids an 802.1Q tag inside; an 802.1ad one is no better
     * (and usually has an 802.1Q tag behind it). */
    WC_MASK_FIELD_MASK(wc, vlans[0].tci, htons(VLAN_CFI));
    if (flow->vlans[0].tci & htons(VLAN_CFI)) {
        /* The datapath then counts the drops under
         * drop_action_invalid_tunnel_metadata. */
        VLOG_WARN_RL(&rl, "dropping NVGRE frame with a VLAN tag "
                     "(RFC 7637 forbids it)");
        return false;
    }
    return true;
}

bool
tnl_nvgre_translate_tx(const struct netdev *netdev, struct flow *flow,
                       struct flow_wildcards *wc)
{
    uint64_t vsid = ntohll(flow->tunnel.tun_id);
    int flowid;

    if (!netdev_nvgre_tx_vsid_ok(netdev, vsid)) {
        return false;
    }

    flowid = netdev_nvgre_flowid(netdev);
    if (flowid == NVGRE_FLOWID_HASH) {
        /* The kernel cannot hash per packet for us: the FlowID comes from
         * the flow's addresses and ports, which the megaflow then
         * matches. */
        flowid = flow_hash_fields(flow, NX_HASH_FIELDS_SYMMETRIC_L4, 0)
                 & 0xff;
        flow_mask_hash_fields(flow, wc, NX_HASH_FIELDS_SYMMETRIC_L4);
    }
    flow->tunnel.tun_id = htonll(nvgre_key(vsid, flowid));
    flow->tunnel.flags = (flow->tunnel.flags & ~FLOW_TNL_F_CSUM)
                         | FLOW_TNL_F_KEY;

    /* RFC 7637: no 802.1Q tag inside. */
    while (flow->vlans[0].tci & htons(VLAN_CFI)) {
        COVERAGE_INC(nvgre_tx_vlan_stripped_kernel);
        flow_pop_vlan(flow, wc);
    }
    return true;
}
