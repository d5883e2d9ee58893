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

/* libFuzzer target for the configuration of tunnel ports, through the path
 * ovs-vswitchd takes: netdev_open(), netdev_set_config() and netdev_close()
 * of real "stt", "nvgre", "gre" and "vxlan" netdevs (the classes of
 * netdev_vport_tunnel_register()).  netdev_set_config() is upstream's
 * set_tunnel_config() in lib/netdev-vport.c, which with patches 0007 and
 * 0009 calls netdev_nvo3_check_tunnel_config() and
 * netdev_nvo3_parse_option() (lib/netdev-nvo3-config.c) and
 * netdev_gre_overlap_check() (lib/netdev-gre-overlap.c).  The results are
 * read back with netdev_get_tunnel_config(), netdev_nvgre_flowid() and
 * netdev_gre_shadows_nvgre().
 *
 * The input is a script of operations on a few ports:
 *
 *     op       1 byte: bits 0-2 the port (index in 'names'), bits 3-4 its
 *              type (index in 'types'), bit 5: delete the port
 *              (netdev_close()) instead of configuring it; else bit 6:
 *              open it and leave it unconfigured, as dpif-netdev opens
 *              its gre_sys netdev; bit 7 unused
 *     count    1 byte, configure only: (count % 8) options follow, each a
 *              key then a value, each one 'string':
 *     string   1 byte: an index in 'keys' (or 'values'); at or past the end
 *              of the table, a string from the input follows: one length
 *              byte (% 32) and that many bytes (cut at a NUL)
 *
 * A later option with the same key replaces the earlier one, as in ovsdb.
 * To configure (or to open only), the port is opened if it is not open
 * (and first closed if it is open with another type: ovs-vswitchd
 * recreates an Interface whose type changes); then netdev_set_config()
 * gets all of its options.  At the end of each input every port is
 * closed, so inputs are independent, and anything left allocated is a leak
 * (run with ASAN_OPTIONS=detect_leaks=1, as run.sh does).
 *
 * A port that this script opened to configure it and whose first
 * configuration is refused is closed at once, as ovs-vswitchd's bridge.c
 * (iface_do_create()) closes the netdev of an Interface it cannot
 * configure.  Until its first accepted netdev_set_config(), a port has the
 * default configuration of netdev_vport_construct(): no addresses (which
 * overlap every address) and key 0.  Nothing checked it, and it receives
 * nothing, so it must not count in the gre/nvgre rule either way: it is
 * left out of the shadowing check below (counted, an unconfigured gre
 * port would "shadow" every nvgre port with key=flow, an unconfigured
 * nvgre port would be "shadowed" by every gre port without a key), and a
 * refusal must not name it.  ovs-vswitchd has one such netdev whenever
 * the userspace datapath has a gre or nvgre port: dpif-netdev opens
 * "gre_sys" with that port's type and never configures it (bit 6 above).
 *
 * Checked after every operation, beyond what AddressSanitizer and UBSan
 * catch:
 *   - netdev_set_config() returns 0 or an errno; a refusal comes with an
 *     error string whose every line starts with "NAME: ", and leaves the
 *     port's tunnel configuration (netdev_get_tunnel_config()) as it was;
 *   - an open port's configuration is the one its last accepted
 *     netdev_set_config() left (or the default one): nothing done to
 *     another port changes it; only nvgre ports have a fixed FlowID in it;
 *   - netdev_nvgre_flowid() of an nvgre port is what its last accepted
 *     configuration says: options:flowid, NVGRE_FLOWID_HASH when absent or
 *     "hash";
 *   - no configured gre port shadows a configured nvgre port:
 *     netdev_gre_shadows_nvgre() is false for every such pair, and a
 *     refusal by that rule ("port 'NAME' has the same...") never names a
 *     port that has never been configured;
 *   - netdev_get_vports() finds exactly the open ports, so a closed port
 *     does not live on (and go on counting in the gre/nvgre rule) through
 *     a reference someone forgot to drop, which leak detection cannot see
 *     because netdev_shash still points to it;
 *   - the answer (errno and resulting configuration) does not depend on how
 *     an IPv6 address is spelled: every configuration with a remote_ip or
 *     local_ip in IPv6 notation is also tried, first, with them spelled in
 *     full and in capitals (2001:db8::1 is 2001:0DB8:0000:...:0001).
 *
 * Known bugs, not fixed, that this target tolerates unless
 * TNLOPT_FUZZ_STRICT is set in the environment:
 *   1. Upstream's messages quote some values as they are ("invalid TOS",
 *      and for gre and vxlan, which netdev-nvo3-config.c does not check,
 *      "unknown argument", "unknown packet_type", "unknown extension"), so
 *      a new-line there splits an error line; tolerated for a new-line in
 *      options:tos of any type and in any option of a gre or vxlan port.
 *   2. Upstream's set_tunnel_config() leaks str_to_u16()'s message for a
 *      bad options:payload_type (only gre and vxlan get that far); such an
 *      option is left out.
 *   3. Upstream counts ::ffff:192.0.2.1 as IPv6 in its "same address
 *      family" rule although it stores and uses it as 192.0.2.1, so the
 *      answer depends on that spelling.  With TNLOPT_FUZZ_STRICT the second
 *      spelling above also turns IPv4 into IPv4-mapped IPv6 and back.
 *
 * TNLOPT_FUZZ_VERBOSE in the environment keeps the Open vSwitch log on. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_TARGET "tunnel-options-fuzz"
#include "fuzz-harness.h"
#include "netdev.h"
#include "netdev-gre-overlap.h"
#include "netdev-native-tnl-nvgre.h"
#include "netdev-provider.h"
#include "netdev-vport.h"
#include "nvgre.h"
#include "openvswitch/vlog.h"
#include "ovs-router.h"
#include "seq.h"
#include "smap.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OP_DELETE 0x20
#define OP_DP_OPEN 0x40
#define MAX_OPTIONS 8
#define MAX_RAW_LEN 32

static const char *const names[] = {
    "p0", "p1", "gre0", "nvgre0", "stt0", "vx0",
    "a-rather-long-interface-name", "p%s%n",
};

static const char *const types[] = { "stt", "nvgre", "gre", "vxlan" };

/* Mostly option names the types know, some of them twice for weight. */
static const char *const keys[] = {
    "remote_ip", "local_ip", "key", "in_key", "out_key", "flowid",
    "remote_ip", "key", "flowid", "in_key", "tos", "ttl", "df_default",
    "egress_pkt_mark", "packet_type", "remote_cert", "remote_name", "psk",
    "dst_port", "csum", "seq", "exts", "payload_type", "erspan_ver", "",
    "KEY", "flowid ", "local_ip", "remote_ip",
};

static const char *const values[] = {
    "flow", "hash", "", "0", "1", "255", "256", "-1", "-0",
    /* VSIDs and their edges, in three bases. */
    "0x1000", "4096", "010000", "4095", "0xfff", "0xfffffe", "16777214",
    "0xffffff", "16777215", "0x123456", "0x12", "0xa5",
    /* GRE keys, huge and overflowing numbers. */
    "0x12345600", "0x123456a5", "0xffffffff", "0x100000000",
    "18446744073709551615", "18446744073709551616",
    "99999999999999999999999", "-18446744073709551615",
    /* Garbage around numbers. */
    " 4660", "+4660", "4660 ", "0x", "0b101", "1e3", "08", "abc",
    "true", "false", "legacy_l2", "legacy_l3", "ptap", "inherit", "gbp",
    "gpe", "mpls", "ip",
    /* Addresses, several of them the same one spelled differently. */
    "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2",
    "::ffff:192.0.2.1", "2001:DB8:0::1", "192.0.2.1/24", "1.2.3",
    "0.0.0.0", "224.0.0.1", "::", "ff02::1", "::ffff:192.0.2.2",
    "192.0.2.1", "2001:db8::1",
    "65535", "65536", "7471", "4789", "%s%n", "two\nlines",
};

/* See "Known bugs" above. */
static bool strict;

struct port {
    struct netdev *netdev;      /* NULL if the port is not open. */
    const char *type;           /* Its type, if open. */
    bool configured;            /* Has it accepted a configuration? */
    struct netdev_tunnel_config cfg;   /* Its last accepted configuration,
                                        * or the default one. */
    int flowid;                 /* nvgre: the FlowID that one asked for. */
};

static struct port ports[ARRAY_SIZE(names)];


int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    strict = fuzz_harness_init("TNLOPT_FUZZ_VERBOSE", "TNLOPT_FUZZ_STRICT");

    /* Configuring a tunnel looks up its route, here in an empty table;
     * the table's exit hook bumps tnl_conf_seq.  Both are set up by
     * dp_initialize() in ovs-vswitchd. */
    if (!tnl_conf_seq) {
        tnl_conf_seq = seq_create();
    }
    ovs_router_init();
    netdev_vport_tunnel_register();
    return 0;
}

/* Reads one string of the input (see the format above) from '*data',
 * '*size' bytes, using 'table'.  Returns NULL at the end of the input,
 * otherwise a string the caller frees. */
static char *
read_string(const uint8_t **data, size_t *size, const char *const *table,
            size_t n)
{
    uint8_t sel;
    size_t len;
    char *s;

    if (!*size) {
        return NULL;
    }
    sel = **data;
    (*data)++;
    (*size)--;
    if (sel < n) {
        return xstrdup(table[sel]);
    }

    if (!*size) {
        return NULL;
    }
    len = MIN(**data % MAX_RAW_LEN, *size - 1);
    (*data)++;
    (*size)--;
    s = xmemdup0((const char *) *data, len);
    *data += len;
    *size -= len;
    return s;
}

/* Writes into 'buf' another spelling of address 'value' that the tunnel
 * code must read as the same address: IPv6 in full with capitals, and with
 * 'cross_family' also IPv4 as IPv4-mapped IPv6 and IPv4-mapped IPv6 as
 * IPv4.  Returns false if there is no such spelling. */
static bool
respell_address(const char *value, bool cross_family, char *buf,
                size_t size)
{
    struct in6_addr a6;
    struct in_addr a4;

    if (inet_pton(AF_INET, value, &a4) == 1) {
        if (!cross_family) {
            return false;
        }
        snprintf(buf, size, "::ffff:%s", value);
        return true;
    }
    if (inet_pton(AF_INET6, value, &a6) == 1) {
        const uint8_t *b = a6.s6_addr;

        if (cross_family && IN6_IS_ADDR_V4MAPPED(&a6)) {
            inet_ntop(AF_INET, &b[12], buf, size);
        } else {
            snprintf(buf, size, "%02X%02X:%02X%02X:%02X%02X:%02X%02X:"
                     "%02X%02X:%02X%02X:%02X%02X:%02X%02X",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
                     b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
        }
        return true;
    }
    return false;
}

/* Copies 'args' into 'out' with the addresses respelled.  Returns false if
 * there is nothing to respell. */
static bool
respell_args(const struct smap *args, struct smap *out)
{
    const struct smap_node *node;
    bool changed = false;

    SMAP_FOR_EACH (node, args) {
        char buf[INET6_ADDRSTRLEN + 8];

        if ((!strcmp(node->key, "remote_ip")
             || !strcmp(node->key, "local_ip"))
            && respell_address(node->value, strict, buf, sizeof buf)) {
            smap_add(out, node->key, buf);
            changed = true;
        } else {
            smap_add(out, node->key, node->value);
        }
    }
    return changed;
}

/* Known bug 1: may an error line of a 'type' port configured with 'args'
 * be split by a value upstream quotes as it is? */
static bool
may_split_lines(const char *type, const struct smap *args)
{
    bool upstream_only = !strcmp(type, "gre") || !strcmp(type, "vxlan");
    const struct smap_node *node;

    SMAP_FOR_EACH (node, args) {
        if ((upstream_only || !strcmp(node->key, "tos"))
            && (strchr(node->key, '\n') || strchr(node->value, '\n'))) {
            return true;
        }
    }
    return false;
}

/* Known bug 2: leaves out of 'args' a payload_type that upstream's
 * set_tunnel_config() would leak the error message of. */
static void
drop_leaky_payload_type(const char *type, struct smap *args)
{
    const char *value = smap_get(args, "payload_type");
    int n;

    if (value && (!strcmp(type, "gre") || !strcmp(type, "vxlan"))
        && strcmp(value, "mpls") && strcmp(value, "ip")
        && !(str_to_int(value, 0, &n) && n >= 0 && n <= 65535)) {
        smap_remove(args, "payload_type");
    }
}

/* The FlowID an accepted nvgre configuration 'args' asks for. */
static int
expected_flowid(const struct smap *args)
{
    const char *value = smap_get(args, "flowid");

    return (!value || !strcmp(value, "hash") ? NVGRE_FLOWID_HASH
            : (int) strtol(value, NULL, 0));
}

static void
get_config(const struct netdev *netdev, struct netdev_tunnel_config *cfg)
{
    const struct netdev_tunnel_config *p = netdev_get_tunnel_config(netdev);

    if (!p) {
        fuzz_fail("%s: no tunnel configuration", netdev_get_name(netdev));
    }
    memcpy(cfg, p, sizeof *cfg);
}

/* A refusal by the gre/nvgre rule ends in a line, the last of 'msg', that
 * names the port in the way.  Fails if that is a port that has never been
 * configured.  (The line is recognized by its text, so the caller makes
 * sure that no option value split a line: an option key quoted in an
 * earlier line may say anything.) */
static void
check_refusal_names(const char *name, const char *msg)
{
    const char *last = strrchr(msg, '\n');

    last = last ? last + 1 : msg;
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        char *line;

        if (!ports[i].netdev || ports[i].configured) {
            continue;
        }
        line = xasprintf("%s: refused: %s port '%s' has the same ", name,
                         ports[i].type, names[i]);
        if (!strncmp(last, line, strlen(line))) {
            fuzz_fail("%s: refused because of %s, which has never been "
                      "configured:\n%s", name, names[i], msg);
        }
        free(line);
    }
}

/* Applies 'args' to 'port' and checks the answer.  Returns the errno. */
static int
set_config(const struct port *port, const struct smap *args,
           struct netdev_tunnel_config *cfg)
{
    const char *name = netdev_get_name(port->netdev);
    size_t name_len = strlen(name);
    struct netdev_tunnel_config before;
    char *msg = NULL;
    const char *line, *eol;
    int error;

    get_config(port->netdev, &before);
    error = netdev_set_config(port->netdev, args, &msg);
    get_config(port->netdev, cfg);

    if (error < 0 || error >= 4096) {
        fuzz_fail("%s: netdev_set_config() returned %d", name, error);
    }
    if (!error) {
        free(msg);
        return 0;
    }

    if (!msg) {
        fuzz_fail("%s: refused (%s) without an error message", name,
                  ovs_strerror(error));
    }
    if (memcmp(cfg, &before, sizeof *cfg)) {
        fuzz_fail("%s: a refused configuration (%s) changed the port",
                  name, msg);
    }
    if (!may_split_lines(port->type, args)) {
        check_refusal_names(name, msg);
    }
    if (strict || !may_split_lines(port->type, args)) {
        for (line = msg; line; line = eol ? eol + 1 : NULL) {
            eol = strchr(line, '\n');
            if (strncmp(line, name, name_len)
                || strncmp(line + name_len, ": ", 2)) {
                fuzz_fail("%s: error line does not start with the port "
                          "name:\n%s", name, msg);
            }
        }
    }
    free(msg);
    return error;
}

static void
close_port(struct port *port)
{
    netdev_close(port->netdev);
    port->netdev = NULL;
    port->type = NULL;
    port->configured = false;
}

/* Opens 'port' as 'name' of 'type', first closing it if it is open with
 * another type.  Returns true if it was not open. */
static bool
open_port(struct port *port, const char *name, const char *type)
{
    int error;

    if (port->netdev && strcmp(port->type, type)) {
        close_port(port);
    }
    if (port->netdev) {
        return false;
    }

    error = netdev_open(name, type, &port->netdev);
    if (error) {
        fuzz_fail("%s: cannot open as %s (%s)", name, type,
                  ovs_strerror(error));
    }
    port->type = type;
    port->configured = false;
    get_config(port->netdev, &port->cfg);
    port->flowid = NVGRE_FLOWID_HASH;
    return true;
}

static void
configure(struct port *port, const char *name, const char *type,
          const struct smap *args)
{
    struct netdev_tunnel_config cfg;
    struct smap respelled;
    bool opened;
    int error;

    opened = open_port(port, name, type);

    smap_init(&respelled);
    if (respell_args(args, &respelled)) {
        struct netdev_tunnel_config cfg2;
        int error2 = set_config(port, &respelled, &cfg2);

        error = set_config(port, args, &cfg);
        if (error != error2 || (!error && memcmp(&cfg, &cfg2, sizeof cfg))) {
            fuzz_fail("%s: %s port %s (%s) as written, %s (%s) respelled",
                      name, type, error ? "refused" : "accepted",
                      ovs_strerror(error), error2 ? "refused" : "accepted",
                      ovs_strerror(error2));
        }
    } else {
        error = set_config(port, args, &cfg);
    }
    smap_destroy(&respelled);

    if (!error) {
        port->configured = true;
        memcpy(&port->cfg, &cfg, sizeof cfg);
        port->flowid = (!strcmp(type, "nvgre") ? expected_flowid(args)
                        : NVGRE_FLOWID_HASH);
    } else if (opened) {
        close_port(port);
    }
}

static void
check_ports(void)
{
    struct netdev **vports;
    size_t n_open = 0;
    size_t n_vports;

    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        const struct port *port = &ports[i];
        struct netdev_tunnel_config cfg;

        if (!port->netdev) {
            continue;
        }
        n_open++;

        get_config(port->netdev, &cfg);
        if (memcmp(&cfg, &port->cfg, sizeof cfg)) {
            fuzz_fail("%s: configuration changed without being configured",
                      names[i]);
        }
        if (!strcmp(port->type, "nvgre")) {
            int flowid = netdev_nvgre_flowid(port->netdev);

            if (flowid != port->flowid) {
                fuzz_fail("%s: flowid %d, configured %d", names[i], flowid,
                          port->flowid);
            }
        } else if (cfg.nvgre_flowid_fixed || cfg.nvgre_flowid) {
            fuzz_fail("%s: %s port with an NVGRE FlowID", names[i],
                      port->type);
        }
    }

    for (size_t g = 0; g < ARRAY_SIZE(ports); g++) {
        if (!ports[g].configured || strcmp(ports[g].type, "gre")) {
            continue;
        }
        for (size_t n = 0; n < ARRAY_SIZE(ports); n++) {
            if (ports[n].configured && !strcmp(ports[n].type, "nvgre")
                && netdev_gre_shadows_nvgre(&ports[g].cfg, &ports[n].cfg)) {
                fuzz_fail("gre port %s shadows nvgre port %s", names[g],
                          names[n]);
            }
        }
    }

    vports = netdev_get_vports(&n_vports);
    for (size_t i = 0; i < n_vports; i++) {
        netdev_close(vports[i]);
    }
    free(vports);
    if (n_vports != n_open) {
        fuzz_fail("%"PRIuSIZE" ports open, %"PRIuSIZE" vports alive",
                  n_open, n_vports);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    while (size) {
        uint8_t op = data[0];
        size_t i = op % ARRAY_SIZE(names);
        const char *type = types[(op >> 3) & 3];
        struct smap args;
        size_t n;

        data++;
        size--;
        if (op & OP_DELETE) {
            if (ports[i].netdev) {
                close_port(&ports[i]);
            }
            check_ports();
            continue;
        } else if (op & OP_DP_OPEN) {
            open_port(&ports[i], names[i], type);
            check_ports();
            continue;
        }

        n = size ? data[0] % MAX_OPTIONS : 0;
        if (size) {
            data++;
            size--;
        }
        smap_init(&args);
        for (size_t j = 0; j < n; j++) {
            char *key = read_string(&data, &size, keys, ARRAY_SIZE(keys));
            char *value = (key ? read_string(&data, &size, values,
                                             ARRAY_SIZE(values))
                           : NULL);

            if (value) {
                smap_replace(&args, key, value);
            }
            free(key);
            free(value);
        }
        if (!strict) {
            drop_leaky_payload_type(type, &args);
        }

        configure(&ports[i], names[i], type, &args);
        smap_destroy(&args);
        check_ports();
    }

    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        if (ports[i].netdev) {
            close_port(&ports[i]);
        }
    }
    check_ports();
    return 0;
}
