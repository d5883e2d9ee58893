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

#include "netdev-nvo3-kernel.h"

#include <string.h>
#include <sys/stat.h>

#include "netdev.h"
#include "netdev-provider.h"
#include "packets.h"
#include "util.h"

static bool
is_system(const char *dp_type)
{
    return dp_type && (!dp_type[0] || !strcmp(dp_type, "system"));
}

bool
netdev_nvo3_uses_ip6gretap(const struct netdev *netdev)
{
    const struct netdev_tunnel_config *cfg;

    if (strcmp(netdev_get_type(netdev), "nvgre")
        || !is_system(netdev_get_dpif_type(netdev))) {
        return false;
    }
    cfg = netdev_get_tunnel_config(netdev);
    return (cfg && !cfg->ip_dst_flow
            && ipv6_addr_is_set(&cfg->ipv6_dst)
            && !IN6_IS_ADDR_V4MAPPED(&cfg->ipv6_dst));
}

const char *
netdev_nvo3_dpif_port(const struct netdev *netdev, const char *dpif_port)
{
    return netdev_nvo3_uses_ip6gretap(netdev) ? "ip6gre_sys" : dpif_port;
}

#define STT_MODULE_SYSFS_DIR "/sys/module/stt"

/* Has the running kernel loaded the stt module?  Creating an "stt" link
 * makes the kernel load it through its alias "rtnl-link-stt" if it is
 * installed, so after a failed attempt its absence means it is not. */
static bool
stt_module_loaded(void)
{
    struct stat st;

    return stat(STT_MODULE_SYSFS_DIR, &st) == 0;
}

const char *
netdev_nvo3_port_add_error(const struct netdev *netdev, const char *dp_type,
                           int error)
{
    if (error && is_system(dp_type)
        && !strcmp(netdev_get_type(netdev), "stt")
        && !stt_module_loaded()) {
        return ("STT needs the stt kernel module: "
                "install the stt-dkms package");
    }
    return ovs_strerror(error);
}
