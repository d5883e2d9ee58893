// SPDX-License-Identifier: GPL-2.0
/*
 * STT receive path.
 *
 * STT segments are TCP segments to the device's port, over IPv4 or IPv6.
 * Netfilter hooks at NF_INET_LOCAL_IN (one per family) take them before the
 * TCP stack sees them: at that point the packet is known to be addressed
 * to this host, IPv4 fragments have been reassembled, and the INPUT filter
 * table has run (so the tunnel port can be firewalled like a TCP listener).
 * IPv6 reassembles fragments only after LOCAL_IN (unless nf_defrag_ipv6 is
 * loaded), and only segments whose IPv6 next header is TCP are taken: those
 * with extension headers are left to the stack.  The hooks exist only while
 * an stt device exists in the namespace; segments to a port no device
 * uses, or to a device that is down, are left to the stack.
 *
 * GRO (or LRO, or a TSO sender on a veth) usually hands over a whole STT
 * frame in one skb; otherwise stt_reasm.c collects the pieces.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/dst_metadata.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
#include <net/tcp.h>

#include "stt.h"

/* Smallest inner MSS accepted for re-segmentation. */
#define STT_MIN_MSS	64

/* RFC 6040 decapsulation of the outer ECN field into the inner IP header.
 * Returns > 1 when the frame must be dropped.  @skb->data is at the inner
 * network header.
 */
static int stt_ecn_decap(struct sk_buff *skb, u8 outer)
{
	unsigned int hlen;
	u8 inner;

	if (INET_ECN_is_not_ect(outer))
		return 0;

	if (skb->protocol == htons(ETH_P_IP))
		hlen = sizeof(struct iphdr);
	else if (skb->protocol == htons(ETH_P_IPV6))
		hlen = sizeof(struct ipv6hdr);
	else
		return 0;

	if (skb_ensure_writable(skb, skb_network_offset(skb) + hlen))
		return 0;

	if (hlen == sizeof(struct iphdr))
		inner = ipv4_get_dsfield(ip_hdr(skb));
	else
		inner = ipv6_get_dsfield(ipv6_hdr(skb));
	return INET_ECN_decapsulate(skb, outer, inner);
}

/* Restore the inner frame's offload state from the STT header.
 * skb->data is at the inner Ethernet header.
 */
static bool stt_set_offloads(struct stt_dev *stt, struct sk_buff *skb,
			     u8 flags, u8 l4off, u16 mss)
{
	bool ipv4 = flags & STT_FLAG_IPV4;
	bool tcp = flags & STT_FLAG_TCP;
	unsigned int min, l4hlen, csum_off;

	if (!(flags & STT_FLAG_CSUM_PARTIAL)) {
		if (flags & STT_FLAG_CSUM_VERIFIED) {
			skb->ip_summed = CHECKSUM_UNNECESSARY;
			skb->csum_level = 0;
		} else {
			skb->ip_summed = CHECKSUM_NONE;
		}
		return true;
	}

	/* Partial wins over verified: the checksum field is only a seed. */
	min = ETH_HLEN + (ipv4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	l4hlen = tcp ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	csum_off = tcp ? offsetof(struct tcphdr, check) :
			 offsetof(struct udphdr, check);
	if (l4off < min || l4off + l4hlen > skb->len) {
		stt_stat_inc(stt, STT_STAT_RX_BAD_L4_OFFSET);
		return false;
	}

	if (mss && tcp) {
		/* 0xffff would be GSO_BY_FRAGS to skb_segment(). */
		if (mss < STT_MIN_MSS || mss == GSO_BY_FRAGS) {
			stt_stat_inc(stt, STT_STAT_RX_BAD_LEN);
			return false;
		}
		/* The GSO type must match the frame's real L3 protocol. */
		if (stt_inner_l3_proto(skb) !=
		    (ipv4 ? htons(ETH_P_IP) : htons(ETH_P_IPV6))) {
			stt_stat_inc(stt, STT_STAT_RX_BAD_L4_OFFSET);
			return false;
		}
		/* Not a GSO packet if the payload fits in one segment. */
		if (skb->len - l4off - l4hlen <= mss) {
			mss = 0;
		} else if (skb_has_frag_list(skb) && __skb_linearize(skb)) {
			/* Keep later software segmentation away from
			 * frag_list geometries that do not match gso_size.
			 */
			stt_stat_inc(stt, STT_STAT_REASM_NOMEM);
			return false;
		}
	}

	if (!pskb_may_pull(skb, l4off + l4hlen) ||
	    !skb_partial_csum_set(skb, l4off, csum_off)) {
		stt_stat_inc(stt, STT_STAT_RX_BAD_L4_OFFSET);
		return false;
	}
	stt_stat_inc(stt, STT_STAT_RX_CSUM_PARTIAL);

	if (mss && tcp) {
		skb_shinfo(skb)->gso_size = mss;
		skb_shinfo(skb)->gso_type = SKB_GSO_DODGY |
			(ipv4 ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6);
		skb_shinfo(skb)->gso_segs = 0;
		stt_stat_inc(stt, STT_STAT_RX_GSO_FRAMES);
	}
	return true;
}

/* Decapsulate one complete STT frame: @skb->data is at the STT header and
 * skb->len is the frame length.  Consumes @skb.
 */
/* The tunnel metadata of a received frame: outer addresses, key. */
static struct metadata_dst *stt_rx_tun_dst(const struct stt_rx_meta *meta,
					   __be16 port, __be64 key)
{
#ifdef STT_HAVE_TUNNEL_FLAGS_BITMAP
	IP_TUNNEL_DECLARE_FLAGS(flags) = { };

	__set_bit(IP_TUNNEL_KEY_BIT, flags);
#else
	__be16 flags = TUNNEL_KEY;
#endif

	if (meta->family == AF_INET)
		return __ip_tun_set_dst(meta->saddr.v4, meta->daddr.v4,
					meta->tos, meta->ttl, port,
					flags, key, 0);
	return __ipv6_tun_set_dst(&meta->saddr.v6, &meta->daddr.v6,
				  meta->tos, meta->ttl, port,
				  meta->label, flags, key, 0);
}

void stt_decap(struct stt_dev *stt, struct sk_buff *skb,
	       const struct stt_rx_meta *meta)
{
	struct net_device *dev = stt->dev;
	struct metadata_dst *tun_dst;
	const struct stt_hdr *sh;
	u8 flags, l4off;
	u16 mss, tci;
	__be64 key;
	int err;

	if (!pskb_may_pull(skb, STT_HDR_LEN + ETH_HLEN)) {
		stt_stat_inc(stt, STT_STAT_RX_BAD_LEN);
		DEV_STATS_INC(dev, rx_length_errors);
		goto error;
	}

	sh = (const struct stt_hdr *)skb->data;
	if (sh->version != STT_VERSION) {
		stt_stat_inc(stt, STT_STAT_RX_BAD_VERSION);
		goto error;
	}
	flags = sh->flags;
	l4off = sh->l4_offset;
	mss = ntohs(sh->mss);
	tci = ntohs(sh->vlan_tci);
	key = sh->key;

	__skb_pull(skb, STT_HDR_LEN);
	skb_reset_mac_header(skb);

	if (!stt_set_offloads(stt, skb, flags, l4off, mss))
		goto error;

	if (tci & STT_VLAN_V)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
				       tci & ~STT_VLAN_V);

	skb_scrub_packet(skb, false);
	skb_orphan(skb);
	skb->protocol = eth_type_trans(skb, dev);
	skb_reset_network_header(skb);

	err = stt_ecn_decap(skb, meta->tos);
	if (unlikely(err > 1)) {
		stt_stat_inc(stt, STT_STAT_RX_ECN_DROP);
		DEV_STATS_INC(dev, rx_frame_errors);
		goto error;
	}

	tun_dst = stt_rx_tun_dst(meta, stt->port, key);
	if (!tun_dst) {
		DEV_STATS_INC(dev, rx_dropped);
		kfree_skb(skb);
		return;
	}
	tun_dst->u.tun_info.key.tp_src = meta->sport;
	skb_dst_set(skb, &tun_dst->dst);

	stt_stat_inc(stt, STT_STAT_RX_FRAMES);
	dev_sw_netstats_rx_add(dev, skb->len);
	if (skb_is_gso(skb))
		netif_rx(skb);
	else
		gro_cells_receive(&stt->gro_cells, skb);
	return;

error:
	DEV_STATS_INC(dev, rx_errors);
	kfree_skb(skb);
}

/* Fills @meta with the outer IP header's facts. */
static void stt_outer_meta(const struct sk_buff *skb, u8 family,
			   struct stt_rx_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->family = family;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		meta->saddr.v4 = iph->saddr;
		meta->daddr.v4 = iph->daddr;
		meta->tos = iph->tos;
		meta->ttl = iph->ttl;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		meta->saddr.v6 = ip6h->saddr;
		meta->daddr.v6 = ip6h->daddr;
		meta->tos = ipv6_get_dsfield(ip6h);
		meta->ttl = ip6h->hop_limit;
		meta->label = ip6_flowlabel(ip6h);
	}
}

/* Validate one segment and hand it to decapsulation or reassembly.
 * skb->data is at the outer IPv4 or IPv6 header (@family); for IPv6 the
 * next header is TCP.  Consumes @skb.
 */
static void stt_rcv(struct stt_dev *stt, struct sk_buff *skb, u8 family)
{
	struct net_device *dev = stt->dev;
	unsigned int nhoff, ihl, thlen, tot;
	const struct tcphdr *th;
	struct stt_rx_meta meta;
	__sum16 csum;
	u32 seq;

	if (skb_unclone(skb, GFP_ATOMIC)) {
		DEV_STATS_INC(dev, rx_dropped);
		kfree_skb(skb);
		return;
	}

	nhoff = skb_network_offset(skb);
	ihl = family == AF_INET ? ip_hdrlen(skb) : sizeof(struct ipv6hdr);
	if (!pskb_may_pull(skb, nhoff + ihl + sizeof(*th)))
		goto bad_len;
	th = (const struct tcphdr *)(skb_network_header(skb) + ihl);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || !pskb_may_pull(skb, nhoff + ihl + thlen))
		goto bad_len;

	if (family == AF_INET)
		tot = ntohs(ip_hdr(skb)->tot_len);
	else
		tot = ihl + ntohs(ipv6_hdr(skb)->payload_len);
	if (tot < ihl + thlen || skb->len < nhoff + tot)
		goto bad_len;
	if (pskb_trim_rcsum(skb, nhoff + tot)) {
		DEV_STATS_INC(dev, rx_dropped);
		kfree_skb(skb);
		return;
	}

	if (family == AF_INET)
		csum = nf_ip_checksum(skb, NF_INET_LOCAL_IN, nhoff + ihl,
				      IPPROTO_TCP);
	else
		csum = nf_ip6_checksum(skb, NF_INET_LOCAL_IN, nhoff + ihl,
				       IPPROTO_TCP);
	if (csum) {
		stt_stat_inc(stt, STT_STAT_RX_BAD_CSUM);
		DEV_STATS_INC(dev, rx_crc_errors);
		DEV_STATS_INC(dev, rx_errors);
		kfree_skb(skb);
		return;
	}

	stt_outer_meta(skb, family, &meta);
	th = (const struct tcphdr *)(skb_network_header(skb) + ihl);
	seq = ntohl(th->seq);
	meta.id = th->ack_seq;
	meta.sport = th->source;
	meta.frame_len = seq >> 16;
	meta.offset = seq & 0xffff;
	meta.len = tot - ihl - thlen;
	if (!meta.len || meta.frame_len < STT_HDR_LEN ||
	    meta.offset + meta.len > meta.frame_len)
		goto bad_len;

	stt_stat_inc(stt, STT_STAT_RX_SEGMENTS);

	/* The outer checksum is verified and the outer headers are done
	 * with (the network header keeps pointing at them).  Whatever the
	 * skb carried as offload state described the outer packet.
	 */
	__skb_pull(skb, nhoff + ihl + thlen);
	skb_reset_transport_header(skb);
	/* nf_ip{,6}_checksum() may have left a software CHECKSUM_COMPLETE with
	 * csum_valid set: that would make the inner L4 checksum look
	 * verified (skb_csum_unnecessary()).  Forget all of it.
	 */
	skb->ip_summed = CHECKSUM_NONE;
	skb->csum_valid = 0;
	skb->csum_complete_sw = 0;
	skb->csum_level = 0;
	skb->encapsulation = 0;
	skb_gso_reset(skb);

	if (meta.offset == 0 && meta.len == meta.frame_len) {
		stt_decap(stt, skb, &meta);
		return;
	}

	skb = stt_reasm_add(stt, skb, &meta);
	if (skb)
		stt_decap(stt, skb, &meta);
	return;

bad_len:
	stt_stat_inc(stt, STT_STAT_RX_BAD_LEN);
	DEV_STATS_INC(dev, rx_length_errors);
	DEV_STATS_INC(dev, rx_errors);
	kfree_skb(skb);
}

/* Takes TCP segments (transport header at @thoff) to an UP device's port. */
static unsigned int stt_hook_rcv(struct stt_net *sn, struct sk_buff *skb,
				 unsigned int thoff, u8 family)
{
	const struct tcphdr *th;
	struct stt_dev *stt;
	struct tcphdr buf;

	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;

	th = skb_header_pointer(skb, thoff, sizeof(buf), &buf);
	if (!th)
		return NF_ACCEPT;

	stt = stt_find_port(sn, th->dest);
	if (!stt || !(READ_ONCE(stt->dev->flags) & IFF_UP))
		return NF_ACCEPT;

	/* Usually softirq already; not when nf_reinject() resumes the hooks
	 * after NFQUEUE, and gro_cells and the per-CPU counters need BH off.
	 */
	local_bh_disable();
	stt_rcv(stt, skb, family);
	local_bh_enable();
	return NF_STOLEN;
}

unsigned int stt_nf_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	if (ip_hdr(skb)->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	return stt_hook_rcv(priv, skb,
			    skb_network_offset(skb) + ip_hdrlen(skb), AF_INET);
}

/* Only segments with TCP directly behind the IPv6 header: anything with
 * extension headers (fragments included) is left alone.
 */
unsigned int stt_nf_hook6(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	if (ipv6_hdr(skb)->nexthdr != IPPROTO_TCP)
		return NF_ACCEPT;
	return stt_hook_rcv(priv, skb,
			    skb_network_offset(skb) + sizeof(struct ipv6hdr),
			    AF_INET6);
}
