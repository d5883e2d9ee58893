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

#ifndef NETDEV_NATIVE_TNL_STT_H
#define NETDEV_NATIVE_TNL_STT_H 1

/* STT in the userspace datapath: header build, push and pop for the
 * "stt" netdev class (hooked into lib/netdev-vport.c by a patch), and the
 * formatting and parsing of STT tnl_push actions (lib/odp-util.c). */

#include <stdbool.h>
#include <stdint.h>

#include "nvo3-compat.h"

struct dp_packet;
struct dp_packet_batch;
struct ds;
struct netdev;
struct netdev_tnl_build_header_params;
struct ovs_action_push_tnl;

void netdev_stt_init(void);

int netdev_stt_build_header(const struct netdev *,
                            struct ovs_action_push_tnl *,
                            const struct netdev_tnl_build_header_params *);
void netdev_stt_push_header(const struct netdev *,
                            NVO3_INGRESS_NETDEV_PARAM
                            struct dp_packet *,
                            const struct ovs_action_push_tnl *);
struct dp_packet *netdev_stt_pop_header(struct dp_packet *);
void netdev_stt_pop_batch_done(void);

void netdev_stt_push_batch_prepare(struct dp_packet_batch *);
bool netdev_stt_push_prepare(const struct netdev *, struct dp_packet *);
bool netdev_stt_send_prepare(const struct netdev *, struct dp_packet_batch *);
bool netdev_is_stt(const struct netdev *);

void netdev_stt_format_tnl_push(struct ds *, const void *l4);
bool netdev_stt_parse_tnl_push(const char *s, int *n, void *l4,
                               uint32_t *tnl_type, uint32_t *l4_len);

#endif /* netdev-native-tnl-stt.h */
