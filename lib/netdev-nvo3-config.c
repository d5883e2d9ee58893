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

#include "hash.h"
#include "nvgre.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "ovs-thread.h"
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
            || (parse_key_value(value, &vsid)
                && vsid >= NVGRE_VSID_MIN_USER && vsid < NVGRE_VSID_VENDOR));
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
    { "tos", NULL },                                                    \
    { "ttl", NULL },                                                    \
    { "df_default", NULL },                                             \
    { "egress_pkt_mark", NULL },                                        \
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
netdev_nvo3_owns_option(const char *type, const char *key)
{
    return !strcmp(type, "nvgre") && !strcmp(key, "flowid");
}

/* GRE and NVGRE share the wire format, the datapath port and so the
 * receive path: a frame goes to a "gre" port whose key is its whole GRE key
 * before an "nvgre" port sees it.  To keep an nvgre port from losing its
 * traffic to a gre port silently, every gre and nvgre port's receive
 * identity is remembered here and a configuration in which one would
 * shadow the other is refused. */
struct gre_identity {
    struct hmap_node node;
    char *name;
    bool nvgre;
    char *remote;               /* Normalized address, "flow" or "". */
    char *local;
    bool key_flow;
    uint64_t key;               /* GRE key (gre) or VSID (nvgre). */
    int flowid;                 /* nvgre only: NVGRE_FLOWID_HASH or 0-255. */
};

static struct ovs_mutex identities_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap identities OVS_GUARDED_BY(identities_mutex)
    = HMAP_INITIALIZER(&identities);

static char *
normalize_ip(const char *value)
{
    char buf[INET6_ADDRSTRLEN];
    struct in6_addr addr;
    ovs_be32 ip;

    if (!value) {
        return xstrdup("");
    }
    if (!strcmp(value, "flow")) {
        return xstrdup("flow");
    }
    /* One spelling per address: ::ffff:192.0.2.1 is 192.0.2.1, 2001:DB8:0::1
     * is 2001:db8::1. */
    if (ip_parse(value, &ip)) {
        in6_addr_set_mapped_ipv4(&addr, ip);
    } else if (!ipv6_parse(value, &addr)) {
        return xstrdup(value);
    }
    return xstrdup(ipv6_string_mapped(buf, &addr));
}

/* Can packets from one and the same underlay address pair reach both? */
static bool
ip_overlaps(const char *a, const char *b)
{
    return !strcmp(a, b) || !strcmp(a, "flow") || !strcmp(b, "flow")
           || !a[0] || !b[0];
}

static void
identity_from_args(struct gre_identity *id, const char *name, bool nvgre,
                   const struct smap *args)
{
    const char *key = smap_get(args, "in_key");
    unsigned long long k = 0;

    if (!key) {
        key = smap_get(args, "key");
    }
    id->name = xstrdup(name);
    id->nvgre = nvgre;
    id->remote = normalize_ip(smap_get(args, "remote_ip"));
    id->local = normalize_ip(smap_get(args, "local_ip"));
    id->key_flow = key && !strcmp(key, "flow");
    if (key && !id->key_flow) {
        parse_key_value(key, &k);
    }
    id->key = k;

    key = smap_get(args, "flowid");
    id->flowid = key ? nvgre_parse_flowid(key) : NVGRE_FLOWID_HASH;
}

static void
identity_destroy(struct gre_identity *id)
{
    free(id->name);
    free(id->remote);
    free(id->local);
}

/* Would gre port 'gre' receive frames meant for nvgre port 'nv'? */
static bool
identity_shadows(const struct gre_identity *gre,
                 const struct gre_identity *nv)
{
    if (!ip_overlaps(gre->remote, nv->remote)
        || !ip_overlaps(gre->local, nv->local)) {
        return false;
    }
    return (gre->key_flow || nv->key_flow
            || nvgre_key_vsid(gre->key) == nv->key);
}

static struct gre_identity *
identity_find(const char *name) OVS_REQUIRES(identities_mutex)
{
    struct gre_identity *id;

    HMAP_FOR_EACH_WITH_HASH (id, node, hash_string(name, 0), &identities) {
        if (!strcmp(id->name, name)) {
            return id;
        }
    }
    return NULL;
}

static void
identity_remove(const char *name) OVS_REQUIRES(identities_mutex)
{
    struct gre_identity *id = identity_find(name);

    if (id) {
        hmap_remove(&identities, &id->node);
        identity_destroy(id);
        free(id);
    }
}

static int
gre_identity_check(const char *type, const char *name,
                   const struct smap *args, struct ds *errors)
{
    struct gre_identity *new = xmalloc(sizeof *new);
    struct gre_identity *other;
    int error = 0;

    identity_from_args(new, name, !strcmp(type, "nvgre"), args);

    ovs_mutex_lock(&identities_mutex);
    identity_remove(name);
    HMAP_FOR_EACH (other, node, &identities) {
        if (other->nvgre != new->nvgre
            && (new->nvgre ? identity_shadows(other, new)
                           : identity_shadows(new, other))) {
            ds_put_format(errors, "%s: refused: %s port '%s' has the same "
                          "remote_ip and local_ip and a key that covers "
                          "%s VSID, so one would receive the other's "
                          "frames\n", name, other->nvgre ? "nvgre" : "gre",
                          other->name,
                          new->nvgre ? "this port's" : "its");
            error = EINVAL;
            break;
        }
    }
    if (!error) {
        hmap_insert(&identities, &new->node, hash_string(name, 0));
    } else {
        identity_destroy(new);
        free(new);
    }
    ovs_mutex_unlock(&identities_mutex);
    return error;
}

void
netdev_nvo3_forget_tunnel(const char *name)
{
    ovs_mutex_lock(&identities_mutex);
    identity_remove(name);
    ovs_mutex_unlock(&identities_mutex);
}

int
netdev_nvo3_nvgre_flowid(const char *name)
{
    struct gre_identity *id;
    int flowid;

    ovs_mutex_lock(&identities_mutex);
    id = identity_find(name);
    flowid = id ? id->flowid : NVGRE_FLOWID_HASH;
    ovs_mutex_unlock(&identities_mutex);
    return flowid;
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
        return !strcmp(type, "gre")
               ? gre_identity_check(type, name, args, errors) : 0;
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
        if (!error) {
            error = gre_identity_check(type, name, args, errors);
        }
    }
    return error;
}
