/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STT (Stateless Transport Tunneling) network device, collect-metadata mode.
 * Shared definitions of the module's parts.
 */
#ifndef STT_H
#define STT_H 1

#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <net/gro_cells.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>

#include "stt_netlink.h"

/*
 * Kernel interfaces that differ between the kernels this module is built
 * for are told apart by what Kbuild finds in the kernel's headers (the
 * STT_HAVE_* flags), not by version: stable releases backport some.
 *
 * Tunnel key flags were __be16 TUNNEL_* masks and became a bitmap of
 * IP_TUNNEL_*_BIT (6.10).
 */
static inline bool stt_key_dont_fragment(const struct ip_tunnel_key *key)
{
#ifdef STT_HAVE_TUNNEL_FLAGS_BITMAP
	return test_bit(IP_TUNNEL_DONT_FRAGMENT_BIT, key->tun_flags);
#else
	return key->tun_flags & TUNNEL_DONT_FRAGMENT;
#endif
}

/* On-the-wire STT frame header (followed by 2 bytes of padding). */
struct stt_hdr {
	u8	version;
	u8	flags;
	u8	l4_offset;
	u8	reserved;
	__be16	mss;
	__be16	vlan_tci;
	__be64	key;
} __packed;

#define STT_VERSION		0
#define STT_FLAG_CSUM_VERIFIED	0x01
#define STT_FLAG_CSUM_PARTIAL	0x02
#define STT_FLAG_IPV4		0x04
#define STT_FLAG_TCP		0x08

#define STT_VLAN_V		0x1000	/* PCP and VID are valid */

#define STT_HDR_LEN		(sizeof(struct stt_hdr) + 2)	/* 18 */
#define STT_TCP_HLEN		((unsigned int)sizeof(struct tcphdr))
/* A whole frame, as one IPv4 datagram, must fit the 16-bit total length:
 * frame <= 65495, inner frame <= 65477.  Largest MTU: 65535-38-20-14.
 */
#define STT_MAX_FRAME_V4	(IP_MAX_MTU - sizeof(struct iphdr) - \
				 STT_TCP_HLEN)
#define STT_MAX_INNER_V4	(STT_MAX_FRAME_V4 - STT_HDR_LEN)
#define STT_MAX_MTU		(IP_MAX_MTU - STT_HDR_LEN - STT_TCP_HLEN - \
				 sizeof(struct iphdr) - ETH_HLEN)
/* Over IPv6 the TCP-like header and the frame must fit the 16-bit payload
 * length (no jumbograms): frame <= 65515.
 */
#define STT_MAX_FRAME_V6	(IPV6_MAXPLEN - STT_TCP_HLEN)

/* Device counters, exported with ethtool -S (order = stt_stat_names). */
enum stt_stat {
	STT_STAT_RX_FRAMES,
	STT_STAT_RX_SEGMENTS,
	STT_STAT_RX_GSO_FRAMES,
	STT_STAT_RX_CSUM_PARTIAL,
	STT_STAT_REASM_FRAMES,
	STT_STAT_REASM_TIMEOUTS,
	STT_STAT_REASM_EVICTIONS,
	STT_STAT_REASM_DUPLICATES,
	STT_STAT_REASM_OVERLAPS,
	STT_STAT_REASM_LEN_MISMATCH,
	STT_STAT_REASM_NOMEM,
	STT_STAT_REASM_SMALL_SEGMENTS,
	STT_STAT_RX_BAD_VERSION,
	STT_STAT_RX_BAD_CSUM,
	STT_STAT_RX_BAD_LEN,
	STT_STAT_RX_BAD_L4_OFFSET,
	STT_STAT_RX_ECN_DROP,
	STT_STAT_TX_FRAMES,
	STT_STAT_TX_GSO_FRAMES,
	STT_STAT_TX_CSUM_PARTIAL,
	STT_STAT_TX_SEGMENTED_SW,
	STT_STAT_TX_NO_TUNNEL_INFO,
	STT_STAT_TX_UNSUPPORTED_AF,
	STT_STAT_TX_NO_ROUTE,
	STT_STAT_TX_LOOP,
	STT_STAT_TX_TOO_BIG,
	STT_STAT_PCPU_MAX,
	/* Not per-CPU counters: the reassembly table's current size. */
	STT_STAT_REASM_BYTES_HELD = STT_STAT_PCPU_MAX,
	STT_STAT_REASM_FRAMES_HELD,
	STT_STAT_REASM_SOURCES,
	STT_STAT_MAX
};

struct stt_pcpu_stats {
	u64 c[STT_STAT_PCPU_MAX];
};

/* An outer address.  IPv4 uses v4 with the rest zeroed, so that the whole
 * union can be compared and hashed for either family.
 */
union stt_addr {
	__be32		v4;
	struct in6_addr	v6;
};

#define STT_REASM_BUCKETS	1024

/* A segment that does not end its frame must carry at least this many
 * bytes: no sender with a path MTU of 296 (IPv4) or 316 (IPv6) or more
 * cuts smaller pieces, and it bounds a frame to 256 segments.
 */
#define STT_REASM_MIN_SEG	256

/* Outer source addresses whose held bytes are tracked one by one; frames
 * from further sources share one "untracked" entry.
 */
#define STT_REASM_SOURCES	64
#define STT_REASM_SRC_BUCKETS	64

/* The reassembly memory of one outer source address. */
struct stt_reasm_src {
	struct hlist_node	hnode;	/* in stt_reasm.src_buckets */
	struct list_head	frames;	/* its frames, oldest first */
	union stt_addr		addr;
	u8			family;	/* 0: slot free */
	unsigned int		bytes;
	unsigned int		nframes;
};

struct stt_reasm {
	spinlock_t		lock;	/* protects everything below */
	struct hlist_head	buckets[STT_REASM_BUCKETS];
	struct list_head	lru;	/* frames, oldest first */
	unsigned int		bytes_held;
	unsigned int		nframes;
	unsigned int		nsrcs;	/* slots of srcs[] in use */
	bool			dying;
	u32			seed;
	u32			src_seed;
	struct timer_list	timer;
	struct hlist_head	src_buckets[STT_REASM_SRC_BUCKETS];
	struct stt_reasm_src	srcs[STT_REASM_SOURCES];
	struct stt_reasm_src	untracked;
};

struct stt_dev {
	struct net_device	*dev;
	struct net		*net;
	struct list_head	next;	/* in stt_net.devs, RCU */
	__be16			port;
	struct gro_cells	gro_cells;
	struct stt_pcpu_stats __percpu *stats;
	struct stt_reasm	reasm;
};

/* Receive hooks: one per underlay family. */
#define STT_NF_HOOKS		2

struct stt_net {
	struct list_head	devs;	/* RCU readers, RTNL writers */
	unsigned int		ndevs;
	struct nf_hook_ops	hook_ops[STT_NF_HOOKS];
};

/* Outer-header facts of one received segment or frame. */
struct stt_rx_meta {
	union stt_addr	saddr;
	union stt_addr	daddr;
	__be32		label;		/* IPv6 flow label */
	__be32		id;		/* TCP ACK: frame ID */
	__be16		sport;
	u8		family;		/* AF_INET or AF_INET6 */
	u8		tos;		/* DS field incl. ECN */
	u8		ttl;		/* or hop limit */
	u16		frame_len;
	u16		offset;
	u16		len;
};

extern unsigned int stt_net_id;
extern unsigned int stt_reasm_max_bytes;
extern unsigned int stt_reasm_timeout;

static inline void stt_stat_inc(struct stt_dev *stt, enum stt_stat s)
{
	this_cpu_inc(stt->stats->c[s]);
}

/* Callers hold RTNL or rcu_read_lock(). */
static inline struct stt_dev *stt_find_port(struct stt_net *sn, __be16 port)
{
	struct stt_dev *stt;

	list_for_each_entry_rcu(stt, &sn->devs, next, lockdep_rtnl_is_held())
		if (stt->port == port)
			return stt;
	return NULL;
}

/* stt_tx.c */
netdev_tx_t stt_xmit(struct sk_buff *skb, struct net_device *dev);
int stt_fill_metadata_dst(struct net_device *dev, struct sk_buff *skb);
__be16 stt_inner_l3_proto(const struct sk_buff *skb);

/* stt_rx.c */
unsigned int stt_nf_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);
unsigned int stt_nf_hook6(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state);
void stt_decap(struct stt_dev *stt, struct sk_buff *skb,
	       const struct stt_rx_meta *meta);

/* stt_reasm.c */
void stt_reasm_init(struct stt_reasm *r);
void stt_reasm_flush(struct stt_reasm *r, bool dying);
struct sk_buff *stt_reasm_add(struct stt_dev *stt, struct sk_buff *skb,
			      struct stt_rx_meta *meta);

#endif /* STT_H */
