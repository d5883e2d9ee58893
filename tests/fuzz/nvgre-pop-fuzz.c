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

/* libFuzzer target for NVGRE in the userspace datapath.
 *
 * Each input is one frame received from the underlay and the parameters of
 * one transmission:
 *
 *     flags    1 byte, F_* below
 *     tun_id   4 bytes, big endian: the tun_id the transmitted frame gets
 *     hash     4 bytes, big endian: its RSS hash
 *     data     the rest: the received frame, starting with Ethernet
 *
 * Receive goes the way of a frame for an "nvgre" port: miniflow extraction
 * of the outer frame, which also decides, like the tunnel port classifier
 * of lib/tnl-ports.c, whether the frame is popped at all (untagged IPv4 or
 * IPv6, protocol GRE, not a fragment); netdev_gre_pop_header(); extraction
 * of the inner frame with its tunnel metadata (recirculation); then what
 * ofproto/tunnel.c asks of ofproto/tunnel-nvgre.c: tnl_nvgre_may_receive(),
 * tnl_nvgre_rx_key(), tnl_nvgre_translate_rx().
 *
 * Transmit encapsulates the popped inner frame (or, with F_TX_RAW or when
 * pop dropped the frame, 'data' itself, as if a VM sent it) for one of four
 * ports: the header comes from netdev_nvgre_build_header() (from
 * netdev_gre_build_header() for the "gre" port) and netdev_nvgre_push_header()
 * pushes it, as for every port on the shared gre_sys datapath port.  The
 * result is popped and classified again.
 *
 * Checked beyond what AddressSanitizer and UBSan catch:
 *   - pop removes exactly the outer headers and sets tun_id, the key and
 *     checksum flags and the packet type from the GRE header;
 *   - may_receive is true exactly for "key present, no checksum, protocol
 *     0x6558" (so false whenever the GRE C bit was set);
 *   - after translate_rx, tun_id is the VSID (key >> 8, so at most
 *     0xffffff) and nothing else in the flow changed, the wildcard mask of
 *     tun_id is exactly 0xffffff00, and a flow that differs only in
 *     wildcarded bits gets the same answer (megaflows are sound);
 *   - translate_rx refuses a VSID that RFC 7637 reserves (0-0xfff and
 *     0xffffff) whatever the frame, and then neither reads nor unwildcards
 *     the VLAN bits; for any other VSID the VLAN bits the decision read are
 *     unwildcarded, a frame whose inner Ethernet header has an 802.1Q tag
 *     is refused and one without a tag accepted;
 *   - build_header refuses a tun_id above 0xffffff and non-Ethernet flows;
 *   - the pushed frame has correct IP lengths and IPv4 header checksum, a
 *     GRE header with only K set and protocol 0x6558, VSID = tun_id and
 *     FlowID the port's fixed one or, with flowid=hash, the XOR of the four
 *     bytes of the RSS hash; the inner frame is the original less its
 *     802.1Q tag, and carries none;
 *   - the pushed frame pops back to the same key and inner frame, and its
 *     receiver accepts it unless its VSID is reserved (build_header takes
 *     those: only OpenFlow decides what to send). */

#include <config.h>

#include <errno.h>
#include <netinet/ip6.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_TARGET "nvgre-pop-fuzz"
#include "fuzz-harness.h"
#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "fuzz-packet.h"
#include "netdev.h"
#include "netdev-native-tnl.h"
#include "netdev-native-tnl-nvgre.h"
#include "nvgre.h"
#include "ofproto/tunnel-nvgre.h"
#include "openvswitch/vlog.h"
#include "ovs-router.h"
#include "packets.h"
#include "seq.h"
#include "smap.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Harness flags.  The F_FIX_* ones let mutated frames survive the length
 * and checksum checks, so that the fuzzer also explores what lies behind
 * them; without them those checks are exercised. */
#define F_FIX_LEN        0x01   /* Set IP total/payload length to fit. */
#define F_FIX_IP_CSUM    0x02   /* Recompute the IPv4 header checksum. */
#define F_FIX_GRE_CSUM   0x04   /* With the GRE C bit, recompute its sum. */
#define F_TX_IPV6        0x08   /* Transmit over an IPv6 underlay. */
#define F_TX_PORT_SHIFT  4      /* 2 bits: the transmitting port, 'ports'. */
#define F_TX_NOT_ETH     0x40   /* Transmit with an IPv4 packet type. */
#define F_TX_RAW         0x80   /* Transmit 'data', not the popped frame. */

#define HDR_LEN 9

/* Frames larger than this are not transmitted: a frame of one 64 kB IP
 * datagram is as large as a non-TSO packet gets. */
#define MAX_TX_FRAME 65000

/* The transmitting ports.  The nvgre ports take tun_id from the flow; the
 * gre port's local_ip keeps its key=flow from shadowing them (which
 * netdev-nvo3-config.c would refuse). */
struct tx_port {
    const char *name;
    const char *type;
    const char *flowid_option;  /* options:flowid, NULL for none. */
    int flowid;                 /* What it means: NVGRE_FLOWID_HASH, 0-255,
                                 * -2 for the gre port. */
    const char *local_ip;
    struct netdev *netdev;
};

static struct tx_port ports[] = {
    { "nvgre-hash", "nvgre", NULL, NVGRE_FLOWID_HASH, "192.0.2.1", NULL },
    { "nvgre-fixed0", "nvgre", "0", 0, "192.0.2.1", NULL },
    { "nvgre-fixed", "nvgre", "0xa5", 0xa5, "192.0.2.1", NULL },
    { "gre-flow", "gre", NULL, -2, "192.0.2.2", NULL },
};

/* Bugs this target found, all fixed, each with its input in
 * tests/fuzz/crashes/ (see tests/fuzz/README.md):
 *
 *   1. Tunnel pop (upstream lib/netdev-native-tnl.c) went by the IP version
 *      nibble and assumed the IP header at offset 14, where the datapath
 *      classifies by Ethernet type and also takes LLC/SNAP frames: frames
 *      were read past their end or popped at the wrong offset.
 *   2. parse_gre_header() read the GRE flags before checking that the GRE
 *      header was inside the frame (IPv6 extension headers).
 *   3. tnl_nvgre_translate_rx() accepted a frame whose first tag was an
 *      802.1ad S-tag, and push left S-tags in.
 *   4. netdev_nvgre_push_header() removed only one 802.1Q tag.
 *
 * The checks for them are strict by default; NVGRE_FUZZ_TOLERATE in the
 * environment tolerates these bugs again, to fuzz an old tree. */
static bool strict;


int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    strict = !fuzz_harness_init("NVGRE_FUZZ_VERBOSE", "NVGRE_FUZZ_TOLERATE");

    /* Configuring a tunnel looks up its route, here in an empty table;
     * the table's exit hook bumps tnl_conf_seq.  Both are set up by
     * dp_initialize() in ovs-vswitchd. */
    if (!tnl_conf_seq) {
        tnl_conf_seq = seq_create();
    }
    ovs_router_init();
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        struct tx_port *port = &ports[i];
        struct smap args = SMAP_INITIALIZER(&args);
        char *error = NULL;
        int err;

        smap_add(&args, "remote_ip", "flow");
        smap_add(&args, "local_ip", port->local_ip);
        smap_add(&args, "key", "flow");
        if (port->flowid_option) {
            smap_add(&args, "flowid", port->flowid_option);
        }
        err = netdev_open(port->name, port->type, &port->netdev);
        if (!err) {
            err = netdev_set_config(port->netdev, &args, &error);
        }
        if (err) {
            fprintf(stderr, "nvgre-pop-fuzz: cannot set up %s port %s: %s "
                    "(%s)\n", port->type, port->name, ovs_strerror(err),
                    error ? error : "no details");
            exit(1);
        }
        free(error);
        smap_destroy(&args);
    }
    return 0;
}

static uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t
get_be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/* GRE's checksum covers everything from the GRE header to the end of the
 * frame, as pop checks it. */
static void
fix_gre_csum(struct dp_packet *packet)
{
    size_t l4_size = dp_packet_size(packet) - packet->l4_ofs;
    uint8_t *gre = dp_packet_l4(packet);

    if (l4_size >= 8 && get_be16(gre) & GRE_CSUM) {
        ovs_be16 sum;

        gre[4] = gre[5] = 0;
        sum = csum(gre, l4_size);
        memcpy(&gre[4], &sum, sizeof sum);
    }
}

/* Would the tunnel port classifier of lib/tnl-ports.c send a frame with
 * this outer 'flow' to GRE's pop?  It matches on the Ethernet type, the IP
 * protocol, no fragment, no VLAN, the destination MAC and the destination
 * IP address, which is a local address, never 0.0.0.0 or ::. */
static bool
goes_to_pop(const struct flow *flow)
{
    return ((flow->dl_type == htons(ETH_TYPE_IP)
             ? flow->nw_dst != 0
             : (flow->dl_type == htons(ETH_TYPE_IPV6)
                && ipv6_addr_is_set(&flow->ipv6_dst)))
            && flow->nw_proto == IPPROTO_GRE
            && !flow->nw_frag
            && !flow->vlans[0].tci);
}

/* Known bugs 1 and 2: is the outer IP header somewhere else, or of
 * another version, than where and what netdev_tnl_ip_extract_tnl_md()
 * assumes (offset 14, by the version nibble; miniflow extraction also takes
 * 802.2 LLC/SNAP headers and goes by the Ethernet type)?  Or does the frame
 * end before the 4 bytes of a GRE header? */
static bool
pop_misreads(const struct dp_packet *packet, const struct flow *flow)
{
    const struct ip_header *ip = dp_packet_l3(packet);
    int version = IP_VER(ip->ip_ihl_ver);

    return (packet->l3_ofs != ETH_HEADER_LEN
            || (flow->dl_type == htons(ETH_TYPE_IP)
                ? version == 6 : version == 4)
            || dp_packet_size(packet) - packet->l4_ofs
               < sizeof(struct gre_base_hdr));
}

/* The first TPID of Ethernet frame 'p' of 'len' bytes, if it has a whole
 * tag, otherwise 0. */
static uint16_t
first_tpid(const uint8_t *p, size_t len)
{
    uint16_t type = len >= ETH_HEADER_LEN + VLAN_HEADER_LEN
                    ? get_be16(p + 2 * ETH_ADDR_LEN) : 0;

    return (type == ETH_TYPE_VLAN_8021Q || type == ETH_TYPE_VLAN_8021AD
            ? type : 0);
}

/* The TPID that follows the first tag, if any, otherwise 0. */
static uint16_t
second_tpid(const uint8_t *p, size_t len)
{
    return (first_tpid(p, len)
            ? first_tpid(p + VLAN_HEADER_LEN, len - VLAN_HEADER_LEN) : 0);
}

/* Does the inner Ethernet frame 'p' carry a tag that RFC 7637 forbids?
 * With bug 3 tolerated, only a first tag of 802.1Q counts. */
static bool
has_forbidden_tag(const uint8_t *p, size_t len)
{
    uint16_t tpid = first_tpid(p, len);

    return tpid == ETH_TYPE_VLAN_8021Q || (strict && tpid);
}

/* Does RFC 7637 reserve 'vsid' (0-0xfff for future use, 0xffffff for
 * vendor-specific NVE-to-NVE traffic)?  Written out here rather than taken
 * from nvgre.h, so that a wrong bound there shows. */
static bool
vsid_is_reserved(uint32_t vsid)
{
    return vsid <= 0xfff || vsid == 0xffffff;
}

/* Changes every bit of 'flow' that the translation could read and that
 * 'wc' leaves wildcarded: the megaflow installed for 'flow' would match
 * the result too. */
static void
flip_wildcarded(struct flow *flow, const struct flow_wildcards *wc)
{
    flow->tunnel.tun_id ^= ~wc->masks.tunnel.tun_id;
    flow->vlans[0].tci ^= ~wc->masks.vlans[0].tci;
    flow->vlans[0].tpid ^= ~wc->masks.vlans[0].tpid;
}

/* Runs tnl_nvgre_translate_rx() on a copy of 'flow', which came with GRE
 * key 'key' and whose inner frame is 'p' ('len' bytes), and checks what it
 * did.  Returns its verdict. */
static bool
check_translate(const struct flow *flow, uint32_t key, const uint8_t *p,
                size_t len)
{
    bool reserved = vsid_is_reserved(nvgre_key_vsid(key));
    struct flow_wildcards wc, wc2;
    struct flow xflow, xflow2;
    bool ok, ok2;

    /* As tnl_wc_init() leaves it for a tunnel packet. */
    flow_wildcards_init_catchall(&wc);
    wc.masks.tunnel.tun_id = OVS_BE64_MAX;

    xflow = *flow;
    ok = tnl_nvgre_translate_rx(&xflow, &wc);

    if (ntohll(xflow.tunnel.tun_id) != nvgre_key_vsid(key)
        || ntohll(xflow.tunnel.tun_id) > NVGRE_VSID_MAX) {
        fuzz_fail("translate_rx: tun_id is not the VSID");
    }
    xflow2 = xflow;
    xflow2.tunnel.tun_id = flow->tunnel.tun_id;
    if (memcmp(&xflow2, flow, sizeof *flow)) {
        fuzz_fail("translate_rx changed more than tun_id");
    }
    if (wc.masks.tunnel.tun_id != htonll(UINT64_C(0xffffff00))) {
        fuzz_fail("translate_rx: tun_id mask is not 0xffffff00");
    }
    if (reserved) {
        /* Refused before the VLAN is looked at: the answer does not depend
         * on it, so the megaflow must not match on it. */
        if (ok) {
            fuzz_fail("translate_rx accepted a reserved VSID");
        }
        if (!is_all_zeros(wc.masks.vlans, sizeof wc.masks.vlans)) {
            fuzz_fail("translate_rx unwildcarded VLAN bits for a reserved "
                      "VSID");
        }
    } else if (!(wc.masks.vlans[0].tci & htons(VLAN_CFI))) {
        /* Any tag is refused, so whether there is one is all it reads. */
        fuzz_fail("translate_rx read VLAN bits it left wildcarded");
    }

    /* A flow that the megaflow also matches gets the same answer. */
    xflow2 = *flow;
    flip_wildcarded(&xflow2, &wc);
    flow_wildcards_init_catchall(&wc2);
    ok2 = tnl_nvgre_translate_rx(&xflow2, &wc2);
    if (ok2 != ok || xflow2.tunnel.tun_id != xflow.tunnel.tun_id) {
        fuzz_fail("translate_rx depends on wildcarded bits");
    }

    if (flow->packet_type == htonl(PT_ETH) && !reserved) {
        uint16_t tpid = first_tpid(p, len);

        if (has_forbidden_tag(p, len) && ok) {
            fuzz_fail("translate_rx accepted a tagged frame");
        }
        if (!tpid && !ok) {
            fuzz_fail("translate_rx refused an untagged frame");
        }
    }
    return ok;
}

/* The GRE header of an outer frame, as read by the harness. */
struct gre_info {
    uint16_t flags;
    uint16_t protocol;
    uint32_t key;               /* 0 if the K bit is clear. */
    size_t hlen;                /* Outer headers up to the inner frame. */
};

static void
read_gre(const uint8_t *frame, size_t l4_ofs, struct gre_info *gre)
{
    const uint8_t *p = frame + l4_ofs;
    size_t opt = 4;

    gre->flags = get_be16(p);
    gre->protocol = get_be16(p + 2);
    if (gre->flags & GRE_CSUM) {
        opt += 4;
    }
    gre->key = gre->flags & GRE_KEY ? get_be32(p + opt) : 0;
    if (gre->flags & GRE_KEY) {
        opt += 4;
    }
    if (gre->flags & GRE_SEQ) {
        opt += 4;
    }
    gre->hlen = l4_ofs + opt;
}

/* Checks what netdev_gre_pop_header() made of 'outer' (a copy of the outer
 * frame, 'outer_len' bytes, GRE header at 'l4_ofs'): 'packet', which it
 * returned.  Fills in 'gre'. */
static void
check_pop(const struct dp_packet *packet, const uint8_t *outer,
          size_t outer_len, size_t l4_ofs, struct gre_info *gre)
{
    const struct flow_tnl *tnl = &packet->md.tunnel;
    uint16_t flags = 0;

    if (outer_len < l4_ofs + 4) {
        fuzz_fail("pop accepted a frame without a GRE header");
    }
    read_gre(outer, l4_ofs, gre);
    if (gre->flags & ~(GRE_CSUM | GRE_KEY | GRE_SEQ)) {
        fuzz_fail("pop accepted GRE flags other than C, K, S");
    }
    if (gre->hlen > outer_len || dp_packet_size(packet) + gre->hlen
                                 != outer_len) {
        fuzz_fail("pop removed the wrong number of bytes");
    }
    if (memcmp(dp_packet_data(packet), outer + gre->hlen,
               outer_len - gre->hlen)) {
        fuzz_fail("pop changed the inner frame");
    }

    if (gre->flags & GRE_CSUM) {
        flags |= FLOW_TNL_F_CSUM;
    }
    if (gre->flags & GRE_KEY) {
        flags |= FLOW_TNL_F_KEY;
    }
    if (tnl->flags != flags) {
        fuzz_fail("pop set the wrong tunnel flags");
    }
    if (tnl->tun_id != htonll(gre->key)) {
        fuzz_fail("pop set tun_id to something else than the GRE key");
    }
    if (gre->protocol == ETH_TYPE_TEB
        ? packet->packet_type != htonl(PT_ETH)
        : (gre->protocol < ETH_TYPE_MIN
           || packet->packet_type != PACKET_TYPE_BE(OFPHTN_ETHERTYPE,
                                                    gre->protocol))) {
        fuzz_fail("pop set the wrong packet type");
    }
}

/* Receives the inner frame 'packet' that pop returned for a frame whose
 * GRE header was 'gre': recirculation, then the nvgre classification. */
static void
receive_inner(struct dp_packet *packet, const struct gre_info *gre,
              struct flow *flow)
{
    bool may, expect_may;

    dp_packet_reset_offload(packet);
    pkt_metadata_init_conn(&packet->md);
    flow_extract(packet, flow);

    if (flow->tunnel.tun_id != packet->md.tunnel.tun_id
        || flow->tunnel.flags != packet->md.tunnel.flags
        || flow->packet_type != packet->packet_type) {
        fuzz_fail("flow_extract lost the tunnel metadata");
    }

    may = tnl_nvgre_may_receive(flow);
    expect_may = ((gre->flags & (GRE_CSUM | GRE_KEY)) == GRE_KEY
                  && gre->protocol == ETH_TYPE_TEB);
    if (may != expect_may) {
        fuzz_fail(gre->flags & GRE_CSUM
                  ? "may_receive accepted a frame with the GRE C bit"
                  : "may_receive disagrees with the GRE header");
    }
    if (ntohll(tnl_nvgre_rx_key(flow)) != nvgre_key_vsid(gre->key)) {
        fuzz_fail("rx_key is not the VSID");
    }

    /* ofproto/tunnel.c only translates what may_receive let through, but
     * the invariants hold for any flow. */
    check_translate(flow, gre->key, dp_packet_data(packet),
                    dp_packet_size(packet));
}

/* Checks the IP header of 'packet', just pushed over IPv4 or IPv6
 * ('ipv6'), and returns the offset of the GRE header. */
static size_t
check_outer_ip(const struct dp_packet *packet, bool ipv6)
{
    const uint8_t *p = dp_packet_data(packet);
    size_t size = dp_packet_size(packet);

    if (get_be16(p + 2 * ETH_ADDR_LEN)
        != (ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP)) {
        fuzz_fail("push: wrong outer Ethernet type");
    }
    p += ETH_HEADER_LEN;
    if (ipv6) {
        if (p[0] >> 4 != 6 || p[6] != IPPROTO_GRE
            || get_be16(p + 4) != size - ETH_HEADER_LEN - IPV6_HEADER_LEN) {
            fuzz_fail("push: bad IPv6 header");
        }
        return ETH_HEADER_LEN + IPV6_HEADER_LEN;
    } else {
        if (p[0] != 0x45 || p[9] != IPPROTO_GRE
            || get_be16(p + 2) != size - ETH_HEADER_LEN
            || csum(p, IP_HEADER_LEN)) {
            fuzz_fail("push: bad IPv4 header");
        }
        return ETH_HEADER_LEN + IP_HEADER_LEN;
    }
}

/* Encapsulates 'packet' (whose flow, just extracted, is in 'flow') for
 * port 'port' and checks the result.  Takes 'packet'. */
static void
transmit(struct dp_packet *packet, const struct flow *flow,
         const struct tx_port *port, uint8_t flags, uint32_t tun_id,
         uint32_t hash)
{
    bool nvgre = !strcmp(port->type, "nvgre");
    bool ipv6 = flags & F_TX_IPV6;
    struct netdev_tnl_build_header_params params;
    struct ovs_action_push_tnl data;
    struct eth_addr dmac = ETH_ADDR_C(52, 54, 00, 00, 00, 02);
    struct eth_addr smac = ETH_ADDR_C(52, 54, 00, 00, 00, 01);
    struct in6_addr src;
    struct flow tnl_flow;
    uint8_t *before = NULL, *expect = NULL;
    size_t before_len, expect_len;
    size_t gre_ofs;
    const uint8_t *gre;
    uint32_t key;
    int err;

    /* What xlate hands to build_header: the flow, with the tunnel. */
    tnl_flow = *flow;
    memset(&tnl_flow.tunnel, 0, sizeof tnl_flow.tunnel);
    tnl_flow.packet_type = (flags & F_TX_NOT_ETH ? htonl(PT_IPV4)
                            : packet->packet_type);
    tnl_flow.tunnel.tun_id = htonll(tun_id);
    tnl_flow.tunnel.flags = FLOW_TNL_F_KEY | FLOW_TNL_F_DONT_FRAGMENT;
    tnl_flow.tunnel.ip_ttl = 64;
    tnl_flow.tunnel.ip_tos = hash >> 24;
    if (ipv6) {
        ipv6_parse("2001:db8::1", &src);
        ipv6_parse("2001:db8::2", &tnl_flow.tunnel.ipv6_dst);
    } else {
        in6_addr_set_mapped_ipv4(&src, htonl(0xc0000201));
        tnl_flow.tunnel.ip_dst = htonl(0xc0000202);
    }
    netdev_init_tnl_build_header_params(&params, &tnl_flow, &src, dmac,
                                        smac);

    memset(&data, 0, sizeof data);
    err = (nvgre ? netdev_nvgre_build_header : netdev_gre_build_header)(
        port->netdev, &data, &params);
    if (nvgre) {
        bool refuse = (tun_id > NVGRE_VSID_MAX
                       || tnl_flow.packet_type != htonl(PT_ETH));

        if (refuse != (err != 0)) {
            fuzz_fail(refuse ? "build_header accepted a bad flow"
                      : "build_header refused a good flow");
        }
        if (!err
            && (data.header_len != ETH_HEADER_LEN + 8 + (ipv6
                                                         ? IPV6_HEADER_LEN
                                                         : IP_HEADER_LEN)
                || data.tnl_type != (port->flowid == NVGRE_FLOWID_HASH
                                     ? OVS_VPORT_TYPE_NVGRE_HASH
                                     : OVS_VPORT_TYPE_NVGRE))) {
            fuzz_fail("build_header: wrong header length or type");
        }
    }
    if (err || dp_packet_size(packet) > MAX_TX_FRAME) {
        goto out;
    }

    /* What the frame should carry inside. */
    before_len = dp_packet_size(packet);
    before = xmemdup(dp_packet_data(packet), before_len);
    expect = xmemdup(before, before_len);
    expect_len = before_len;
    while (nvgre && (strict ? first_tpid(expect, expect_len)
                            : first_tpid(expect, expect_len)
                              == ETH_TYPE_VLAN_8021Q)) {
        memmove(expect + 2 * ETH_ADDR_LEN,
                expect + 2 * ETH_ADDR_LEN + VLAN_HEADER_LEN,
                expect_len - 2 * ETH_ADDR_LEN - VLAN_HEADER_LEN);
        expect_len -= VLAN_HEADER_LEN;
        if (!strict) {
            break;
        }
    }

    dp_packet_set_rss_hash(packet, hash);
    netdev_nvgre_push_header(port->netdev, packet, &data);

    if (dp_packet_size(packet) != data.header_len + expect_len
        || memcmp((uint8_t *) dp_packet_data(packet) + data.header_len,
                  expect, expect_len)) {
        fuzz_fail(nvgre ? "push: inner frame is not the original less "
                  "its VLAN tags" : "push changed the inner frame");
    }
    gre_ofs = check_outer_ip(packet, ipv6);
    gre = (const uint8_t *) dp_packet_data(packet) + gre_ofs;
    if (get_be16(gre) != GRE_KEY
        || (nvgre && get_be16(gre + 2) != ETH_TYPE_TEB)) {
        fuzz_fail("push: GRE flags other than K, or protocol not TEB");
    }
    key = get_be32(gre + 4);
    if (nvgre) {
        int flowid = port->flowid;

        if (flowid == NVGRE_FLOWID_HASH) {
            flowid = (hash ^ hash >> 8 ^ hash >> 16 ^ hash >> 24) & 0xff;
        }
        if (nvgre_key_vsid(key) != tun_id) {
            fuzz_fail("push changed the VSID");
        }
        if ((key & 0xff) != flowid) {
            fuzz_fail("push: wrong FlowID");
        }
        if (has_forbidden_tag(expect, expect_len)
            && (strict || second_tpid(before, before_len)
                          != ETH_TYPE_VLAN_8021Q)) {
            /* Tolerated only when asked to: bugs 3 and 4. */
            fuzz_fail("push: VLAN tag inside the NVGRE frame");
        }
    } else if (key != tun_id) {
        fuzz_fail("push: GRE key is not tun_id");
    }

    /* The peer pops it. */
    if (nvgre) {
        struct dp_packet *back = dp_packet_clone(packet);
        struct gre_info info;
        struct flow outer, inner;
        size_t l4_ofs;

        flow_extract(back, &outer);
        if (!goes_to_pop(&outer)) {
            fuzz_fail("pushed frame would not be popped");
        }
        l4_ofs = back->l4_ofs;
        back = netdev_gre_pop_header(back);
        if (!back) {
            fuzz_fail("pushed frame does not pop");
        }
        check_pop(back, dp_packet_data(packet), dp_packet_size(packet),
                  l4_ofs, &info);
        receive_inner(back, &info, &inner);
        if (!tnl_nvgre_may_receive(&inner)) {
            fuzz_fail("pushed frame not for an nvgre port");
        }
        if (!check_translate(&inner, info.key, expect, expect_len)
            && !has_forbidden_tag(expect, expect_len)
            && !vsid_is_reserved(tun_id)) {
            fuzz_fail("receiver refuses what push sent");
        }
        dp_packet_delete(back);
    }

out:
    free(before);
    free(expect);
    dp_packet_delete(packet);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dp_packet *packet, *inner = NULL;
    struct flow flow;
    uint8_t flags;
    uint32_t tun_id, hash;

    if (size < HDR_LEN) {
        return 0;
    }
    flags = data[0];
    tun_id = get_be32(data + 1);
    hash = get_be32(data + 5);
    data += HDR_LEN;
    size -= HDR_LEN;

    /* The outer frame, as a netdev hands it to dpif-netdev. */
    packet = dp_packet_clone_data(data, size);
    flow_extract(packet, &flow);
    if (flags & F_FIX_LEN && dp_packet_l3(packet)) {
        fix_ip_len(packet);
        flow_extract(packet, &flow);
    }
    if (flags & F_FIX_IP_CSUM && dp_packet_l3(packet)) {
        fix_ip_csum(packet);
    }
    if (flags & F_FIX_GRE_CSUM && dp_packet_l4(packet)) {
        fix_gre_csum(packet);
    }

    if (goes_to_pop(&flow)
        && (strict || !pop_misreads(packet, &flow))) {
        size_t l4_ofs = packet->l4_ofs;
        size_t outer_len = dp_packet_size(packet);
        uint8_t *outer = xmemdup(dp_packet_data(packet), outer_len);

        inner = netdev_gre_pop_header(packet);
        if (inner) {
            struct gre_info gre;

            check_pop(inner, outer, outer_len, l4_ofs, &gre);
            receive_inner(inner, &gre, &flow);
        }
        free(outer);
    } else {
        dp_packet_delete(packet);
    }

    /* Transmit the popped frame, or 'data' as a VM's frame. */
    if (!inner || flags & F_TX_RAW) {
        dp_packet_delete(inner);
        inner = dp_packet_clone_data(data, size);
        flow_extract(inner, &flow);
    }
    transmit(inner, &flow, &ports[(flags >> F_TX_PORT_SHIFT) & 3], flags,
             tun_id, hash);
    return 0;
}
