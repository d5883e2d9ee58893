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
 * in the Interface's 'error' column.  The options upstream does not know
 * are stored in the port's struct netdev_tunnel_config here too. */

#include <stdbool.h>

struct ds;
struct netdev_tunnel_config;
struct smap;

/* Checks 'args', the options of tunnel 'name' of 'type'.  Returns 0 if they
 * are acceptable, otherwise EINVAL after appending one line per problem to
 * 'errors'. */
int netdev_nvo3_check_tunnel_config(const char *type, const char *name,
                                    const struct smap *args,
                                    struct ds *errors);

/* If 'key' is an option of 'type' that upstream's parser does not know,
 * stores its 'value' (already checked) in 'cfg' and returns true. */
bool netdev_nvo3_parse_option(const char *type, const char *key,
                              const char *value,
                              struct netdev_tunnel_config *cfg);

#endif /* netdev-nvo3-config.h */
