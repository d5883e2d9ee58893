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


#ifndef NVO3_COMPAT_H
#define NVO3_COMPAT_H 1

/* Upstream interfaces whose signature differs between the Open vSwitch
 * bases we build on (3.1, 3.5, 4.0), wrapped once here so that our other
 * files call one form.  configure.ac tells which form a base has, one check
 * per capability. */

#include "daemon.h"
#include "netdev-native-tnl.h"

struct dp_packet;

/* Open vSwitch 3.2 gave the tunnel header helpers an IPv6 flow label; ours
 * leave it 0, as GRE does. */
static inline void *
nvo3_tnl_ip_build_header(struct ovs_action_push_tnl *data,
                         const struct netdev_tnl_build_header_params *params,
                         uint8_t next_proto)
{
#ifdef HAVE_NETDEV_TNL_IPV6_LABEL
    return netdev_tnl_ip_build_header(data, params, next_proto, 0);
#else
    return netdev_tnl_ip_build_header(data, params, next_proto);
#endif
}

static inline void *
nvo3_tnl_push_ip_header(struct dp_packet *packet, const void *header,
                        int size, int *ip_tot_size)
{
#ifdef HAVE_NETDEV_TNL_IPV6_LABEL
    return netdev_tnl_push_ip_header(packet, header, size, ip_tot_size, 0);
#else
    return netdev_tnl_push_ip_header(packet, header, size, ip_tot_size);
#endif
}

/* Open vSwitch 4.0 gave a tunnel class's push_header the netdev the packet
 * came in on, after the tunnel netdev.  Our push functions take it (and
 * pass it on) where the base has it:
 *
 *     void f(const struct netdev *, NVO3_INGRESS_NETDEV_PARAM
 *            struct dp_packet *, const struct ovs_action_push_tnl *);
 */
#ifdef HAVE_PUSH_HEADER_INGRESS_NETDEV
#define NVO3_INGRESS_NETDEV_PARAM \
    const struct netdev *ingress_netdev OVS_UNUSED,
#define NVO3_INGRESS_NETDEV_ARG ingress_netdev,
#else
#define NVO3_INGRESS_NETDEV_PARAM
#define NVO3_INGRESS_NETDEV_ARG
#endif

/* Open vSwitch 3.2 split hardware ports from the datapath in
 * daemonize_start(); our test programs need neither. */
static inline void
nvo3_daemonize_start(void)
{
#ifdef HAVE_DAEMONIZE_START_HARDWARE_PORTS
    daemonize_start(false, false);
#else
    daemonize_start(false);
#endif
}

#endif /* nvo3-compat.h */
