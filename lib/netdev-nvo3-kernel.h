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

#ifndef NETDEV_NVO3_KERNEL_H
#define NETDEV_NVO3_KERNEL_H 1

/* ovs-nvo3's tunnel types on the Linux kernel datapath ("system"), where
 * each is realized by a collect-metadata device that ovs-vswitchd creates
 * over rtnetlink (lib/dpif-netlink-rtnl.c):
 *
 *   - stt: "stt_sys_<port>", link kind "stt" of ovs-nvo3's module
 *     (datapath/linux/stt.ko, packaged as stt-dkms), either underlay.
 *   - nvgre: the kernel's GRE devices, shared with gre ports: "gre_sys"
 *     (kind "gretap") for an IPv4 underlay, "ip6gre_sys" (kind
 *     "ip6gretap", shared with ip6gre ports) for an IPv6 remote_ip, since
 *     each of the kernel's devices carries one address family only.
 *
 * The userspace datapath keeps every gre and nvgre port on its gre_sys
 * port whatever the family: its GRE receive finds the port by address. */

#include <stdbool.h>

struct netdev;

/* The datapath port of 'netdev' when it differs from its class's
 * ('dpif_port'): "ip6gre_sys" for an nvgre port with an IPv6 remote_ip
 * on the kernel datapath.  Otherwise returns 'dpif_port'. */
const char *netdev_nvo3_dpif_port(const struct netdev *netdev,
                                  const char *dpif_port);

/* Is 'netdev' an nvgre port that the kernel datapath carries on its
 * ip6gretap device? */
bool netdev_nvo3_uses_ip6gretap(const struct netdev *netdev);

/* What to tell the operator when adding 'netdev' to a bridge of datapath
 * type 'dp_type' failed with 'error' (errno): a sentence for a cause we
 * know (the stt module is missing), otherwise ovs_strerror(error). */
const char *netdev_nvo3_port_add_error(const struct netdev *netdev,
                                       const char *dp_type, int error);

#endif /* netdev-nvo3-kernel.h */
