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

#ifndef NETDEV_GRE_OVERLAP_H
#define NETDEV_GRE_OVERLAP_H 1

/* "gre" and "nvgre" ports share the wire format, the datapath port
 * (gre_sys) and so the receive path: a frame goes to a gre port whose key
 * is its whole GRE key before an nvgre port sees it.  So that an nvgre
 * port never loses its traffic to a gre port silently, a configuration in
 * which one would receive the other's frames is refused. */

#include <stdbool.h>

struct ds;
struct netdev;
struct netdev_tunnel_config;

/* Would gre port configuration 'gre' receive frames meant for nvgre port
 * configuration 'nvgre'? */
bool netdev_gre_shadows_nvgre(const struct netdev_tunnel_config *gre,
                              const struct netdev_tunnel_config *nvgre);

/* Checks 'cfg', about to become the configuration of gre or nvgre port
 * 'netdev', against every other gre and nvgre port as configured now.
 * Returns 0 if none would receive the other's frames, otherwise EINVAL
 * after appending a line to 'errors'.  Other types always pass. */
int netdev_gre_overlap_check(const struct netdev *netdev,
                             const struct netdev_tunnel_config *cfg,
                             struct ds *errors);

#endif /* netdev-gre-overlap.h */
