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

#include "netdev-gre-overlap.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "netdev.h"
#include "netdev-provider.h"
#include "netdev-vport-private.h"
#include "nvgre.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"

/* Can frames from one underlay address reach ports configured with
 * addresses 'a' and 'b'?  An unset address (any local address) or "flow"
 * matches everything. */
static bool
addresses_overlap(const struct in6_addr *a, bool a_flow,
                  const struct in6_addr *b, bool b_flow)
{
    return (a_flow || b_flow
            || !ipv6_addr_is_set(a) || !ipv6_addr_is_set(b)
            || ipv6_addr_equals(a, b));
}

bool
netdev_gre_shadows_nvgre(const struct netdev_tunnel_config *gre,
                         const struct netdev_tunnel_config *nvgre)
{
    if (!addresses_overlap(&gre->ipv6_dst, gre->ip_dst_flow,
                           &nvgre->ipv6_dst, nvgre->ip_dst_flow)
        || !addresses_overlap(&gre->ipv6_src, gre->ip_src_flow,
                              &nvgre->ipv6_src, nvgre->ip_src_flow)) {
        return false;
    }
    if (gre->in_key_flow) {
        return true;
    }

    /* A gre port's key is a whole GRE key; an nvgre port's is a VSID, the
     * top 24 bits of one.  NVGRE drops frames with a reserved VSID, so a
     * gre port may have those keys (and a gre port without a key, key 0)
     * whatever the nvgre port's key is. */
    uint32_t vsid = nvgre_key_vsid(ntohll(gre->in_key));

    return (nvgre_vsid_is_user(vsid)
            && (nvgre->in_key_flow || vsid == ntohll(nvgre->in_key)));
}

static bool
is_gre_type(const char *type, bool *nvgre)
{
    *nvgre = !strcmp(type, "nvgre");
    return *nvgre || !strcmp(type, "gre");
}

int
netdev_gre_overlap_check(const struct netdev *netdev,
                         const struct netdev_tunnel_config *cfg,
                         struct ds *errors)
{
    struct netdev **vports;
    size_t i, n_vports;
    bool nvgre;
    int error = 0;

    if (!is_gre_type(netdev_get_type(netdev), &nvgre)) {
        return 0;
    }

    /* Every port's configuration is on its netdev: a port that goes away
     * takes it along, so there is nothing to keep or forget here. */
    vports = netdev_get_vports(&n_vports);
    for (i = 0; i < n_vports; i++) {
        struct netdev_vport *other = netdev_vport_cast(vports[i]);
        struct netdev_tunnel_config other_cfg;
        bool other_nvgre;

        if (error || vports[i] == netdev
            || !is_gre_type(netdev_get_type(vports[i]), &other_nvgre)
            || other_nvgre == nvgre) {
            continue;
        }

        ovs_mutex_lock(&other->mutex);
        other_cfg = *netdev_get_tunnel_config(vports[i]);
        ovs_mutex_unlock(&other->mutex);

        /* Every configured tunnel port has a remote_ip.  A netdev without
         * one is no port: the datapath's own gre_sys port, or a port
         * whose first configuration is still to come. */
        if (!ipv6_addr_is_set(&other_cfg.ipv6_dst)
            && !other_cfg.ip_dst_flow) {
            continue;
        }

        if (nvgre ? netdev_gre_shadows_nvgre(&other_cfg, cfg)
                  : netdev_gre_shadows_nvgre(cfg, &other_cfg)) {
            ds_put_format(errors, "%s: refused: %s port '%s' has an "
                          "overlapping remote_ip and local_ip and a key that "
                          "covers %s VSID, so one would receive the "
                          "other's frames\n", netdev_get_name(netdev),
                          other_nvgre ? "nvgre" : "gre",
                          netdev_get_name(vports[i]),
                          nvgre ? "this port's" : "its");
            error = EINVAL;
        }
    }
    for (i = 0; i < n_vports; i++) {
        netdev_close(vports[i]);
    }
    free(vports);
    return error;
}
