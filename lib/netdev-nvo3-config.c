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

#include "netdev-nvo3-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netdev.h"
#include "nvgre.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "smap.h"
#include "util.h"

/* The options a type takes, and for each the check of its value (NULL when
 * upstream's own parsing is enough). */
struct nvo3_option {
    const char *name;
    bool (*valid)(const char *value, const char **why);
};

static bool
parse_key_value(const char *value, unsigned long long *key)
{
    char *end;

    if (!value[0] || value[0] == '-') {
        return false;
    }
    errno = 0;
    *key = strtoull(value, &end, 0);
    return !errno && !*end;
}

static bool
stt_key_valid(const char *value, const char **why)
{
    unsigned long long key;

    *why = "must be 'flow' or a number of at most 64 bits";
    return !strcmp(value, "flow") || parse_key_value(value, &key);
}

static bool
stt_csum_valid(const char *value, const char **why)
{
    /* STT always carries a full TCP checksum, so "false" changes nothing;
     * it is accepted because controllers set it (OVN copies a chassis's
     * ovn-encap-csum into its tunnels' options). */
    *why = "must be 'true' or 'false' (STT always carries a full TCP "
           "checksum)";
    return !strcmp(value, "true") || !strcmp(value, "false");
}

static bool
l2_packet_type_valid(const char *value, const char **why)
{
    *why = "must be 'legacy_l2': the tunnel carries Ethernet frames only";
    return !strcmp(value, "legacy_l2");
}

static bool
tos_valid(const char *value, const char **why)
{
    int tos;

    *why = "must be 'inherit' or a DSCP value shifted into the TOS byte "
           "(a multiple of 4 from 0 to 252)";
    return (!strcmp(value, "inherit")
            || (str_to_int(value, 0, &tos) && tos >= 0
                && tos == (tos & IP_DSCP_MASK)));
}

static bool
ttl_valid(const char *value, const char **why)
{
    int ttl;

    *why = "must be 'inherit' or a number from 1 to 255";
    return (!strcmp(value, "inherit")
            || (str_to_int(value, 10, &ttl) && ttl >= 1 && ttl <= 255));
}

static bool
bool_valid(const char *value, const char **why)
{
    *why = "must be 'true' or 'false'";
    return !strcmp(value, "true") || !strcmp(value, "false");
}

static bool
pkt_mark_valid(const char *value, const char **why)
{
    unsigned long long mark;

    *why = "must be a number of at most 32 bits";
    return (value[0] >= '0' && value[0] <= '9'
            && str_to_ullong(value, 10, &mark) && mark <= UINT32_MAX);
}

static bool
dst_port_valid(const char *value, const char **why)
{
    int port;

    *why = "must be a port number from 1 to 65535";
    return str_to_int(value, 10, &port) && port > 0 && port <= 65535;
}

static bool
nvgre_vsid_valid(const char *value, const char **why)
{
    unsigned long long vsid;

    *why = "must be 'flow' or a VSID from 4096 to 16777214 (0x1000 to "
           "0xfffffe): 0-0xfff and 0xffffff are reserved by RFC 7637";
    return (!strcmp(value, "flow")
            || (parse_key_value(value, &vsid) && vsid <= NVGRE_VSID_MAX
                && nvgre_vsid_is_user(vsid)));
}

/* Returns the FlowID setting of 'value', or -2 if it is not one. */
static int
nvgre_parse_flowid(const char *value)
{
    int flowid;

    if (!strcmp(value, "hash")) {
        return NVGRE_FLOWID_HASH;
    }
    return (str_to_int(value, 0, &flowid) && flowid >= 0 && flowid <= 255
            ? flowid : -2);
}

static bool
nvgre_flowid_valid(const char *value, const char **why)
{
    *why = "must be 'hash' or a number from 0 to 255";
    return nvgre_parse_flowid(value) != -2;
}

#define NVO3_COMMON_OPTIONS                                             \
    { "remote_ip", NULL },                                              \
    { "local_ip", NULL },                                               \
    { "tos", tos_valid },                                               \
    { "ttl", ttl_valid },                                               \
    { "df_default", bool_valid },                                       \
    { "egress_pkt_mark", pkt_mark_valid },                              \
    { "packet_type", l2_packet_type_valid },                            \
    /* Read by ovs-monitor-ipsec, not by ovs-vswitchd. */               \
    { "remote_cert", NULL },                                            \
    { "remote_name", NULL },                                            \
    { "psk", NULL }

static const struct nvo3_option stt_options[] = {
    NVO3_COMMON_OPTIONS,
    { "key", stt_key_valid },
    { "in_key", stt_key_valid },
    { "out_key", stt_key_valid },
    { "dst_port", dst_port_valid },
    { "csum", stt_csum_valid },
    { NULL, NULL },
};

static const struct nvo3_option nvgre_options[] = {
    NVO3_COMMON_OPTIONS,
    { "key", nvgre_vsid_valid },
    { "in_key", nvgre_vsid_valid },
    { "out_key", nvgre_vsid_valid },
    { "flowid", nvgre_flowid_valid },
    { NULL, NULL },
};

static const struct nvo3_option *
nvo3_options(const char *type)
{
    return (!strcmp(type, "stt") ? stt_options
            : !strcmp(type, "nvgre") ? nvgre_options
            : NULL);
}

bool
netdev_nvo3_parse_option(const char *type, const char *key,
                         const char *value,
                         struct netdev_tunnel_config *cfg)
{
    if (!strcmp(type, "nvgre") && !strcmp(key, "flowid")) {
        int flowid = nvgre_parse_flowid(value);

        /* netdev_nvo3_check_tunnel_config() has refused anything else. */
        cfg->nvgre_flowid_fixed = flowid != NVGRE_FLOWID_HASH;
        cfg->nvgre_flowid = cfg->nvgre_flowid_fixed ? flowid : 0;
        return true;
    }
    return false;
}

/* Appends 's' to 'ds' with control characters escaped, so that one error
 * stays one line. */
static void
put_printable(struct ds *ds, const char *s)
{
    for (; *s; s++) {
        if ((unsigned char) *s < 0x20 || *s == 0x7f) {
            ds_put_format(ds, "\\x%02x", (unsigned char) *s);
        } else {
            ds_put_char(ds, *s);
        }
    }
}

int
netdev_nvo3_check_tunnel_config(const char *type, const char *name,
                                const struct smap *args, struct ds *errors)
{
    const struct nvo3_option *options = nvo3_options(type);
    const struct smap_node *node;
    int error = 0;

    if (!options) {
        return 0;
    }

    SMAP_FOR_EACH (node, args) {
        const struct nvo3_option *o;
        const char *why;

        for (o = options; o->name; o++) {
            if (!strcmp(o->name, node->key)) {
                break;
            }
        }
        if (!o->name) {
            ds_put_format(errors, "%s: '", name);
            put_printable(errors, node->key);
            ds_put_format(errors, "' is not an option of %s tunnels\n",
                          type);
            error = EINVAL;
        } else if (o->valid && !o->valid(node->value, &why)) {
            ds_put_format(errors, "%s: %s '%s=", name, type, node->key);
            put_printable(errors, node->value);
            ds_put_format(errors, "' %s\n", why);
            error = EINVAL;
        }
    }

    if (!strcmp(type, "nvgre")) {
        if (!smap_get(args, "key")
            && !(smap_get(args, "in_key") && smap_get(args, "out_key"))) {
            ds_put_format(errors, "%s: nvgre needs options:key (or in_key "
                          "and out_key): a VSID or 'flow'\n", name);
            error = EINVAL;
        }
    }
    return error;
}
