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

#ifndef NETDEV_NVO3_CONFIG_H
#define NETDEV_NVO3_CONFIG_H 1

/* Strict checking of the options of ovs-nvo3's tunnel types ("stt",
 * "nvgre").  Upstream only warns about an option it does not know; for our
 * types an option that makes no sense is a configuration error that shows
 * in the Interface's 'error' column.  For "gre" and "nvgre" ports it also
 * refuses a configuration in which one port would receive another's
 * frames. */

#include <stdbool.h>

struct ds;
struct smap;

/* Checks 'args', the options of tunnel 'name' of 'type'.  Returns 0 if they
 * are acceptable, otherwise EINVAL after appending one line per problem to
 * 'errors'. */
int netdev_nvo3_check_tunnel_config(const char *type, const char *name,
                                    const struct smap *args,
                                    struct ds *errors);

/* Is 'key' an option of 'type' that only netdev-nvo3-config.c reads? */
bool netdev_nvo3_owns_option(const char *type, const char *key);

/* The FlowID setting of nvgre port 'name' as last configured:
 * NVGRE_FLOWID_HASH or 0-255. */
int netdev_nvo3_nvgre_flowid(const char *name);

/* Forgets what was recorded about tunnel 'name', which is going away. */
void netdev_nvo3_forget_tunnel(const char *name);

#endif /* netdev-nvo3-config.h */
