// SPDX-License-Identifier: GPL-2.0
/*
 * STT transmit path.
 *
 * Each inner Ethernet frame becomes one STT frame: an 18-byte STT header
 * plus the frame, behind one TCP-like header, sent as a single (possibly
 * huge) TCP segment over IPv4 or IPv6.  When the frame does not fit the path
 * MTU the skb is marked as TCPv4 or TCPv6 GSO, so that the kernel's TCP
 * segmentation (or the NIC's TSO) cuts it; the SEQ of each piece then
 * advances by the payload already sent, which is exactly STT's "offset in
 * the low 16 bits of SEQ".
 *
 * The inner frame's own offload state (partial checksum, TSO) is described
 * in the STT header for the receiver instead of being resolved here.
 */

#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/dst_metadata.h>
#include <net/ip6_checksum.h>
#include <net/ip6_tunnel.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/tcp.h>
#ifdef STT_HAVE_NET_GSO_H
#include <net/gso.h>	/* skb_gso_segment() moved there in 6.5 */
#endif

#include "stt.h"

/* Inner GSO types that can be carried whole (MSS in the STT header). */
#define STT_GSO_CARRIED	(SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN | \
			 SKB_GSO_TCP_FIXEDID | SKB_GSO_DODGY)

/* Entropy for the TCP source port: 32768..65535, constant for a flow. */
static __be16 stt_src_port(struct sk_buff *skb)
{
	u32 hash = skb_get_hash(skb);

	return htons(0x8000 | reciprocal_scale(hash, 0x8000));
}

static struct rtable *stt_route(struct stt_dev *stt, struct sk_buff *skb,
				const struct ip_tunnel_info *info,
				__be16 sport, u8 tos, struct flowi4 *fl4)
{
	memset(fl4, 0, sizeof(*fl4));
	fl4->flowi4_mark = skb->mark;
	fl4->flowi4_proto = IPPROTO_TCP;
	fl4->flowi4_tos = RT_TOS(tos);
	fl4->daddr = info->key.u.ipv4.dst;
	fl4->saddr = info->key.u.ipv4.src;
	fl4->fl4_dport = stt->port;
	fl4->fl4_sport = sport;
	return ip_route_output_key(stt->net, fl4);
}

static struct dst_entry *stt_route6(struct stt_dev *stt, struct sk_buff *skb,
				    const struct ip_tunnel_info *info,
				    __be16 sport, u8 tos, struct flowi6 *fl6)
{
	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_mark = skb->mark;
	fl6->flowi6_proto = IPPROTO_TCP;
	fl6->daddr = info->key.u.ipv6.dst;
	fl6->saddr = info->key.u.ipv6.src;
	fl6->flowlabel = ip6_make_flowinfo(tos, info->key.label);
	fl6->fl6_dport = stt->port;
	fl6->fl6_sport = sport;
	/* Through the stub: fails cleanly when IPv6 is disabled. */
	return ipv6_stub->ipv6_dst_lookup_flow(stt->net, NULL, fl6, NULL);
}

/* The inner network protocol, looking through in-frame 802.1Q/802.1ad tags.
 * skb->data is at the inner Ethernet header.  Also used on receive.
 */
__be16 stt_inner_l3_proto(const struct sk_buff *skb)
{
	unsigned int off = offsetof(struct ethhdr, h_proto);
	__be16 *type, buf;
	int depth;

	for (depth = 0; depth < 8; depth++) {
		type = skb_header_pointer(skb, off, sizeof(buf), &buf);
		if (!type)
			return 0;
		if (!eth_type_vlan(*type))
			return *type;
		off += VLAN_HLEN;
	}
	return 0;
}

/* Can the CHECKSUM_PARTIAL state of @skb be expressed in the STT header?
 * If so, fill in the flags and the L4 offset.
 */
static bool stt_describe_csum(const struct sk_buff *skb, u8 *flags, u8 *l4off)
{
	int start = skb_checksum_start_offset(skb);
	__be16 proto;
	u8 f = STT_FLAG_CSUM_PARTIAL;
	int min;

	if (skb->encapsulation || skb->csum_not_inet ||
	    start < 0 || start > U8_MAX)
		return false;

	proto = stt_inner_l3_proto(skb);
	if (proto == htons(ETH_P_IP)) {
		f |= STT_FLAG_IPV4;
		min = ETH_HLEN + sizeof(struct iphdr);
	} else if (proto == htons(ETH_P_IPV6)) {
		min = ETH_HLEN + sizeof(struct ipv6hdr);
	} else {
		return false;
	}
	if (start < min)
		return false;

	if (skb->csum_offset == offsetof(struct tcphdr, check))
		f |= STT_FLAG_TCP;
	else if (skb->csum_offset != offsetof(struct udphdr, check))
		return false;

	*flags = f;
	*l4off = start;
	return true;
}

static bool stt_gso_carriable(const struct sk_buff *skb)
{
	unsigned int gso_type = skb_shinfo(skb)->gso_type;
	u8 flags, l4off;

	if (gso_type & ~STT_GSO_CARRIED ||
	    !(gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)))
		return false;
	if (skb->len > STT_MAX_INNER_V4 ||
	    skb->ip_summed != CHECKSUM_PARTIAL ||
	    !stt_describe_csum(skb, &flags, &l4off) ||
	    !(flags & STT_FLAG_TCP))
		return false;
	return !(flags & STT_FLAG_IPV4) == !(gso_type & SKB_GSO_TCPV4);
}

/* skb_segment() BUG()s on frag_list members with a linear part that is
 * not a page fragment or is longer than one segment, and ignores nested
 * frag_lists.  Forwarded GRO or reassembled frames can be like that.
 */
static bool stt_frag_list_unsegmentable(const struct sk_buff *skb,
					unsigned int seg_size)
{
	const struct sk_buff *c;

	skb_walk_frags(skb, c) {
		if (skb_has_frag_list(c))
			return true;
		if (skb_headlen(c) &&
		    (!c->head_frag || skb_headlen(c) > seg_size))
			return true;
	}
	return false;
}

/* Puts the IPv6 header in front of the TCP-like header and sends the
 * packet.  Consumes @skb and the reference on @dst.
 */
static void stt_ip6_xmit(struct stt_dev *stt, struct sk_buff *skb,
			 struct dst_entry *dst, const struct flowi6 *fl6,
			 u8 prio, u8 hop_limit, __be32 label)
{
	struct ipv6hdr *ip6h;

	/* Drops the metadata dst: the tunnel info is not used after this. */
	skb_scrub_packet(skb, false);
	skb_clear_hash_if_not_l4(skb);
	skb_dst_set(skb, dst);

	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, prio, label & IPV6_FLOWLABEL_MASK);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = hop_limit;
	ip6h->saddr = fl6->saddr;
	ip6h->daddr = fl6->daddr;

	ip6tunnel_xmit(NULL, skb, stt->dev);
}

static void stt_xmit_one(struct stt_dev *stt, struct sk_buff *skb)
{
	struct net_device *dev = stt->dev;
	const struct ip_tunnel_info *info = skb_tunnel_info(skb);
	unsigned int frame_len, max_frame, seg_size, l3len;
	u8 flags = 0, l4off = 0, tos, ttl;
	__be16 tci = 0, sport, df = 0;
	struct rtable *rt = NULL;
	struct dst_entry *dst;
	struct stt_hdr *sh;
	struct tcphdr *th;
	struct flowi4 fl4;
	struct flowi6 fl6;
	__be32 label = 0;
	__be64 tun_id;
	u16 mss = 0;
	bool ipv6;

	if (unlikely(!info)) {
		stt_stat_inc(stt, STT_STAT_TX_NO_TUNNEL_INFO);
		DEV_STATS_INC(dev, tx_dropped);
		goto drop;
	}
	ipv6 = ip_tunnel_info_af(info) == AF_INET6;

	sport = stt_src_port(skb);
	tos = info->key.tos;
	if (tos == 1)	/* inherit from the inner packet */
		tos = ip_tunnel_get_dsfield(ip_hdr(skb), skb);

	if (ipv6) {
		dst = stt_route6(stt, skb, info, sport, tos, &fl6);
	} else {
		rt = stt_route(stt, skb, info, sport, tos, &fl4);
		dst = IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	if (IS_ERR(dst)) {
		stt_stat_inc(stt, STT_STAT_TX_NO_ROUTE);
		DEV_STATS_INC(dev, tx_carrier_errors);
		DEV_STATS_INC(dev, tx_errors);
		goto drop;
	}
	if (dst->dev == dev) {
		stt_stat_inc(stt, STT_STAT_TX_LOOP);
		DEV_STATS_INC(dev, collisions);
		DEV_STATS_INC(dev, tx_errors);
		goto drop_dst;
	}

	tos = ip_tunnel_ecn_encap(tos, ip_hdr(skb), skb);
	if (ipv6) {
		ttl = info->key.ttl ? : ip6_dst_hoplimit(dst);
		label = info->key.label;
		l3len = sizeof(struct ipv6hdr);
		max_frame = STT_MAX_FRAME_V6;
	} else {
		ttl = info->key.ttl ? : ip4_dst_hoplimit(dst);
		if (stt_key_dont_fragment(&info->key))
			df = htons(IP_DF);
		l3len = sizeof(struct iphdr);
		max_frame = STT_MAX_FRAME_V4;
	}
	tun_id = info->key.tun_id;

	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) +
			 dst->header_len + l3len +
			 STT_TCP_HLEN + STT_HDR_LEN)) {
		DEV_STATS_INC(dev, tx_dropped);
		goto drop_dst;
	}

	/* An 802.1Q tag travels in the STT header; the DEI bit is lost. */
	if (skb_vlan_tag_present(skb)) {
		tci = htons((skb_vlan_tag_get(skb) & ~VLAN_CFI_MASK) |
			    STT_VLAN_V);
		__vlan_hwaccel_clear_tag(skb);
	}

	if (skb_is_gso(skb)) {
		/* stt_xmit() checked that it is carriable. */
		stt_describe_csum(skb, &flags, &l4off);
		mss = skb_shinfo(skb)->gso_size;
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		if (!stt_describe_csum(skb, &flags, &l4off)) {
			flags = 0;
			l4off = 0;
			if (skb_csum_hwoffload_help(skb, 0)) {
				DEV_STATS_INC(dev, tx_dropped);
				goto drop_dst;
			}
		}
	} else if (skb->ip_summed == CHECKSUM_UNNECESSARY) {
		flags = STT_FLAG_CSUM_VERIFIED;
	}

	frame_len = skb->len + STT_HDR_LEN;
	if (frame_len > max_frame) {
		stt_stat_inc(stt, STT_STAT_TX_TOO_BIG);
		DEV_STATS_INC(dev, tx_errors);
		goto drop_dst;
	}

	/* From here on the skb is a plain outer TCP/IP packet: the inner
	 * offload state is in the STT header, not in the skb.  The inner
	 * headers only mark the inner frame for the tunnel byte count.
	 */
	skb_set_inner_mac_header(skb, 0);
	skb_set_inner_network_header(skb, 0);
	skb_gso_reset(skb);
	skb->encapsulation = 0;

	sh = __skb_push(skb, STT_HDR_LEN);
	memset(sh, 0, STT_HDR_LEN);
	sh->version = STT_VERSION;
	sh->flags = flags;
	sh->l4_offset = l4off;
	sh->mss = htons(mss);
	sh->vlan_tci = tci;
	sh->key = tun_id;

	th = __skb_push(skb, sizeof(*th));
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = stt->port;
	th->seq = htonl(frame_len << 16);
	/* The frame ID: random per frame, so that nobody can guess the ID
	 * of a frame in flight and splice segments into it, and two CPUs
	 * never hand out the same sequence of IDs.
	 */
	th->ack_seq = (__force __be32)get_random_u32();
	th->doff = sizeof(*th) / 4;
	th->ack = 1;
	th->psh = 1;
	th->window = htons(0xffff);
	if (ipv6)
		th->check = ~tcp_v6_check(skb->len, &fl6.saddr, &fl6.daddr, 0);
	else
		th->check = ~tcp_v4_check(skb->len, fl4.saddr, fl4.daddr, 0);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);

	seg_size = dst_mtu(dst) - l3len - STT_TCP_HLEN;
	if (frame_len > seg_size) {
		if (skb_has_frag_list(skb) &&
		    stt_frag_list_unsegmentable(skb, seg_size) &&
		    __skb_linearize(skb)) {
			DEV_STATS_INC(dev, tx_dropped);
			goto drop_dst;
		}
		skb_shinfo(skb)->gso_type = ipv6 ? SKB_GSO_TCPV6 :
						   SKB_GSO_TCPV4;
		skb_shinfo(skb)->gso_size = seg_size;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(frame_len, seg_size);
		stt_stat_inc(stt, STT_STAT_TX_GSO_FRAMES);
	}

	stt_stat_inc(stt, STT_STAT_TX_FRAMES);
	if (flags & STT_FLAG_CSUM_PARTIAL)
		stt_stat_inc(stt, STT_STAT_TX_CSUM_PARTIAL);

	if (ipv6)
		stt_ip6_xmit(stt, skb, dst, &fl6, tos, ttl, label);
	else
		iptunnel_xmit(NULL, rt, skb, fl4.saddr, fl4.daddr,
			      IPPROTO_TCP, tos, ttl, df, false);
	return;

drop_dst:
	dst_release(dst);
drop:
	kfree_skb(skb);
}

/* A GSO packet that cannot travel as one STT frame: segment it here and
 * send every piece as its own frame.
 */
static void stt_xmit_segmented(struct stt_dev *stt, struct sk_buff *skb)
{
	struct sk_buff *segs, *seg, *next;

	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		DEV_STATS_INC(stt->dev, tx_dropped);
		kfree_skb(skb);
		return;
	}
	stt_stat_inc(stt, STT_STAT_TX_SEGMENTED_SW);
	consume_skb(skb);

	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		stt_xmit_one(stt, seg);
	}
}

netdev_tx_t stt_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct stt_dev *stt = netdev_priv(dev);
	const struct ip_tunnel_info *info = skb_tunnel_info(skb);

	if (!info || !(info->mode & IP_TUNNEL_INFO_TX)) {
		stt_stat_inc(stt, STT_STAT_TX_NO_TUNNEL_INFO);
		goto drop;
	}
	if (ip_tunnel_info_af(info) != AF_INET &&
	    ip_tunnel_info_af(info) != AF_INET6) {
		stt_stat_inc(stt, STT_STAT_TX_UNSUPPORTED_AF);
		goto drop;
	}

	/* Only an 802.1Q tag fits the STT header: others go into the frame. */
	if (skb_vlan_tag_present(skb) &&
	    skb->vlan_proto != htons(ETH_P_8021Q)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb) {
			DEV_STATS_INC(dev, tx_dropped);
			return NETDEV_TX_OK;
		}
	}

	if (skb_is_gso(skb) && !stt_gso_carriable(skb))
		stt_xmit_segmented(stt, skb);
	else
		stt_xmit_one(stt, skb);
	return NETDEV_TX_OK;

drop:
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

int stt_fill_metadata_dst(struct net_device *dev, struct sk_buff *skb)
{
	struct ip_tunnel_info *info = skb_tunnel_info(skb);
	struct stt_dev *stt = netdev_priv(dev);
	struct dst_entry *dst;
	struct flowi4 fl4;
	struct flowi6 fl6;
	struct rtable *rt;
	__be16 sport;

	if (!info)
		return -EINVAL;

	sport = stt_src_port(skb);
	switch (ip_tunnel_info_af(info)) {
	case AF_INET:
		rt = stt_route(stt, skb, info, sport, info->key.tos, &fl4);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		ip_rt_put(rt);
		info->key.u.ipv4.src = fl4.saddr;
		break;
	case AF_INET6:
		dst = stt_route6(stt, skb, info, sport, info->key.tos, &fl6);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		dst_release(dst);
		info->key.u.ipv6.src = fl6.saddr;
		break;
	default:
		return -EINVAL;
	}

	info->key.tp_src = sport;
	info->key.tp_dst = stt->port;
	return 0;
}
