// SPDX-License-Identifier: GPL-2.0
/*
 * STT (Stateless Transport Tunneling) network device: rtnetlink link kind
 * "stt" in collect-metadata mode, for Open vSwitch's kernel datapath and
 * for lightweight-tunnel routes.
 *
 * This file: the net_device, its rtnetlink and ethtool operations, and the
 * per-namespace state (device list and receive hooks).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <net/ip_tunnels.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "stt.h"

unsigned int stt_net_id __read_mostly;

unsigned int stt_reasm_max_bytes __read_mostly = 4 << 20;
module_param_named(reasm_max_bytes, stt_reasm_max_bytes, uint, 0644);
MODULE_PARM_DESC(reasm_max_bytes,
		 "Memory (skb truesize and bookkeeping) one device may hold for reassembly");

unsigned int stt_reasm_timeout __read_mostly = 30;
module_param_named(reasm_timeout, stt_reasm_timeout, uint, 0644);
MODULE_PARM_DESC(reasm_timeout,
		 "Seconds an incomplete frame is kept for reassembly");

static const char stt_stat_names[STT_STAT_MAX][ETH_GSTRING_LEN] = {
	[STT_STAT_RX_FRAMES]		= "rx_frames",
	[STT_STAT_RX_SEGMENTS]		= "rx_segments",
	[STT_STAT_RX_GSO_FRAMES]	= "rx_gso_frames",
	[STT_STAT_RX_CSUM_PARTIAL]	= "rx_csum_partial",
	[STT_STAT_REASM_FRAMES]		= "reasm_frames",
	[STT_STAT_REASM_TIMEOUTS]	= "reasm_timeouts",
	[STT_STAT_REASM_EVICTIONS]	= "reasm_evictions",
	[STT_STAT_REASM_DUPLICATES]	= "reasm_duplicates",
	[STT_STAT_REASM_OVERLAPS]	= "reasm_overlaps",
	[STT_STAT_REASM_LEN_MISMATCH]	= "reasm_len_mismatch",
	[STT_STAT_REASM_NOMEM]		= "reasm_nomem",
	[STT_STAT_REASM_SMALL_SEGMENTS]	= "reasm_small_segments",
	[STT_STAT_RX_BAD_VERSION]	= "rx_bad_version",
	[STT_STAT_RX_BAD_CSUM]		= "rx_bad_csum",
	[STT_STAT_RX_BAD_LEN]		= "rx_bad_len",
	[STT_STAT_RX_BAD_L4_OFFSET]	= "rx_bad_l4_offset",
	[STT_STAT_RX_ECN_DROP]		= "rx_ecn_drop",
	[STT_STAT_TX_FRAMES]		= "tx_frames",
	[STT_STAT_TX_GSO_FRAMES]	= "tx_gso_frames",
	[STT_STAT_TX_CSUM_PARTIAL]	= "tx_csum_partial",
	[STT_STAT_TX_SEGMENTED_SW]	= "tx_segmented_sw",
	[STT_STAT_TX_NO_TUNNEL_INFO]	= "tx_no_tunnel_info",
	[STT_STAT_TX_UNSUPPORTED_AF]	= "tx_unsupported_af",
	[STT_STAT_TX_NO_ROUTE]		= "tx_no_route",
	[STT_STAT_TX_LOOP]		= "tx_loop",
	[STT_STAT_TX_TOO_BIG]		= "tx_too_big",
	[STT_STAT_REASM_BYTES_HELD]	= "reasm_bytes_held",
	[STT_STAT_REASM_FRAMES_HELD]	= "reasm_frames_held",
	[STT_STAT_REASM_SOURCES]	= "reasm_sources",
};

/*
 * The device's packet counters (dev->tstats, which iptunnel_xmit() and
 * ip6tunnel_xmit() count in): since Linux 6.7 the core allocates them when
 * the device says so in stt_setup(), and the tunnel helpers warn if it
 * does not; before, the driver did.
 */
#ifdef STT_HAVE_PCPU_STAT_TYPE
static void stt_set_tstats(struct net_device *dev)
{
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
}

static int stt_alloc_tstats(struct net_device *dev)
{
	return 0;
}

static void stt_free_tstats(struct net_device *dev)
{
}
#else
static void stt_set_tstats(struct net_device *dev)
{
}

static int stt_alloc_tstats(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void stt_free_tstats(struct net_device *dev)
{
	free_percpu(dev->tstats);
}
#endif

static int stt_init(struct net_device *dev)
{
	struct stt_dev *stt = netdev_priv(dev);
	int err;

	err = stt_alloc_tstats(dev);
	if (err)
		return err;

	stt->stats = alloc_percpu(struct stt_pcpu_stats);
	if (!stt->stats) {
		err = -ENOMEM;
		goto err_tstats;
	}

	err = gro_cells_init(&stt->gro_cells, dev);
	if (err)
		goto err_stats;

	stt_reasm_init(&stt->reasm);
	return 0;

err_stats:
	free_percpu(stt->stats);
err_tstats:
	stt_free_tstats(dev);
	return err;
}

/* Called after the device left the namespace's list and an RCU grace
 * period: the receive hook can no longer reach it.
 */
static void stt_uninit(struct net_device *dev)
{
	struct stt_dev *stt = netdev_priv(dev);

	stt_reasm_flush(&stt->reasm, true);
	gro_cells_destroy(&stt->gro_cells);
	free_percpu(stt->stats);
	stt_free_tstats(dev);
}

static int stt_open(struct net_device *dev)
{
	netif_carrier_on(dev);
	return 0;
}

static int stt_stop(struct net_device *dev)
{
	struct stt_dev *stt = netdev_priv(dev);

	stt_reasm_flush(&stt->reasm, false);
	return 0;
}

static const struct net_device_ops stt_netdev_ops = {
	.ndo_init		= stt_init,
	.ndo_uninit		= stt_uninit,
	.ndo_open		= stt_open,
	.ndo_stop		= stt_stop,
	.ndo_start_xmit		= stt_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_fill_metadata_dst	= stt_fill_metadata_dst,
};

static void stt_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *drvinfo)
{
	strscpy(drvinfo->driver, "stt", sizeof(drvinfo->driver));
	strscpy(drvinfo->version, "1.0", sizeof(drvinfo->version));
}

static int stt_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? STT_STAT_MAX : -EOPNOTSUPP;
}

static void stt_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, stt_stat_names, sizeof(stt_stat_names));
}

static void stt_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *estats, u64 *data)
{
	struct stt_dev *stt = netdev_priv(dev);
	int cpu, i;

	memset(data, 0, STT_STAT_MAX * sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct stt_pcpu_stats *s = per_cpu_ptr(stt->stats, cpu);

		for (i = 0; i < STT_STAT_PCPU_MAX; i++)
			data[i] += READ_ONCE(s->c[i]);
	}
	data[STT_STAT_REASM_BYTES_HELD] = READ_ONCE(stt->reasm.bytes_held);
	data[STT_STAT_REASM_FRAMES_HELD] = READ_ONCE(stt->reasm.nframes);
	data[STT_STAT_REASM_SOURCES] = READ_ONCE(stt->reasm.nsrcs);
}

static const struct ethtool_ops stt_ethtool_ops = {
	.get_drvinfo		= stt_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= stt_get_sset_count,
	.get_strings		= stt_get_strings,
	.get_ethtool_stats	= stt_get_ethtool_stats,
};

static const struct device_type stt_type = {
	.name = "stt",
};

/*
 * Lockless transmit, and no moving to another namespace (the receive hooks
 * and the port's uniqueness are per namespace).  Linux 6.12 turned both
 * feature bits into net_device fields; the second was later renamed (6.15,
 * and in 6.12 stable releases).
 */
static void stt_set_lltx_netns_local(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
#if defined(NETIF_F_NETNS_LOCAL)
	dev->features |= NETIF_F_NETNS_LOCAL;
#elif defined(STT_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#else
	dev->netns_local = true;
#endif
}

static void stt_setup(struct net_device *dev)
{
	ether_setup(dev);

	dev->netdev_ops = &stt_netdev_ops;
	dev->ethtool_ops = &stt_ethtool_ops;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &stt_type);

	dev->features |= NETIF_F_SG | NETIF_F_HW_CSUM |
			 NETIF_F_RXCSUM | NETIF_F_HIGHDMA |
			 NETIF_F_GSO_SOFTWARE | NETIF_F_HW_VLAN_CTAG_TX;
	stt_set_lltx_netns_local(dev);
	stt_set_tstats(dev);
	dev->hw_features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			    NETIF_F_GSO_SOFTWARE | NETIF_F_HW_VLAN_CTAG_TX;
	netif_set_tso_max_size(dev, STT_MAX_INNER_V4);

	/* Keep the metadata dst until ndo_start_xmit. */
	netif_keep_dst(dev);
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;

	/* Enough for either underlay; IPv6's header is the larger. */
	dev->needed_headroom = ETH_HLEN + sizeof(struct ipv6hdr) +
			       STT_TCP_HLEN + STT_HDR_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = STT_MAX_MTU;
	dev->mtu = ETH_DATA_LEN;

	eth_hw_addr_random(dev);
}

static const struct nla_policy stt_policy[IFLA_STT_MAX + 1] = {
	[IFLA_STT_PORT]			= { .type = NLA_U16 },
	[IFLA_STT_COLLECT_METADATA]	= { .type = NLA_FLAG },
};

static int stt_validate(struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "Provided link layer address is not Ethernet");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "Provided Ethernet address is not unicast");
			return -EADDRNOTAVAIL;
		}
	}

	if (!data || !data[IFLA_STT_COLLECT_METADATA]) {
		NL_SET_ERR_MSG(extack,
			       "STT supports only collect-metadata (external) mode");
		return -EINVAL;
	}

	if (data[IFLA_STT_PORT] && !nla_get_be16(data[IFLA_STT_PORT])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_STT_PORT],
				    "STT port must not be 0");
		return -EINVAL;
	}
	return 0;
}

static int stt_newlink(struct net *src_net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	struct stt_dev *stt = netdev_priv(dev);
	struct net *net = dev_net(dev);
	struct stt_net *sn = net_generic(net, stt_net_id);
	__be16 port = htons(STT_DST_PORT_DEFAULT);
	int err;

	if (data[IFLA_STT_PORT])
		port = nla_get_be16(data[IFLA_STT_PORT]);

	if (stt_find_port(sn, port)) {
		NL_SET_ERR_MSG(extack,
			       "An STT device already uses this port in this namespace");
		return -EBUSY;
	}

	stt->dev = dev;
	stt->net = net;
	stt->port = port;

	if (!sn->ndevs) {
		err = nf_register_net_hooks(net, sn->hook_ops, STT_NF_HOOKS);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "Cannot register the STT receive hook");
			return err;
		}
	}

	err = register_netdevice(dev);
	if (err) {
		if (!sn->ndevs)
			nf_unregister_net_hooks(net, sn->hook_ops,
						STT_NF_HOOKS);
		return err;
	}

	sn->ndevs++;
	list_add_tail_rcu(&stt->next, &sn->devs);
	return 0;
}

static void stt_dellink(struct net_device *dev, struct list_head *head)
{
	struct stt_dev *stt = netdev_priv(dev);
	struct stt_net *sn = net_generic(stt->net, stt_net_id);

	list_del_rcu(&stt->next);
	if (!--sn->ndevs)
		nf_unregister_net_hooks(stt->net, sn->hook_ops, STT_NF_HOOKS);
	unregister_netdevice_queue(dev, head);
}

static size_t stt_get_size(const struct net_device *dev)
{
	/* IFLA_STT_PORT, IFLA_STT_COLLECT_METADATA */
	return nla_total_size(sizeof(__be16)) + nla_total_size(0);
}

static int stt_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct stt_dev *stt = netdev_priv(dev);

	if (nla_put_be16(skb, IFLA_STT_PORT, stt->port) ||
	    nla_put_flag(skb, IFLA_STT_COLLECT_METADATA))
		return -EMSGSIZE;
	return 0;
}

static struct rtnl_link_ops stt_link_ops __read_mostly = {
	.kind		= "stt",
	.maxtype	= IFLA_STT_MAX,
	.policy		= stt_policy,
	.priv_size	= sizeof(struct stt_dev),
	.setup		= stt_setup,
	.validate	= stt_validate,
	.newlink	= stt_newlink,
	.dellink	= stt_dellink,
	.get_size	= stt_get_size,
	.fill_info	= stt_fill_info,
};

static int __net_init stt_net_init(struct net *net)
{
	struct stt_net *sn = net_generic(net, stt_net_id);

	INIT_LIST_HEAD(&sn->devs);
	sn->ndevs = 0;
	/* After the filter tables, so that INPUT rules apply to the
	 * tunnel port as they would to a TCP listener.
	 */
	sn->hook_ops[0] = (struct nf_hook_ops) {
		.hook		= stt_nf_hook,
		.priv		= sn,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_FILTER + 1,
	};
	sn->hook_ops[1] = (struct nf_hook_ops) {
		.hook		= stt_nf_hook6,
		.priv		= sn,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_FILTER + 1,
	};
	return 0;
}

static void __net_exit stt_net_exit_batch(struct list_head *net_list)
{
	struct stt_dev *stt, *tmp;
	struct net *net;
	LIST_HEAD(list);

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list) {
		struct stt_net *sn = net_generic(net, stt_net_id);

		list_for_each_entry_safe(stt, tmp, &sn->devs, next)
			stt_dellink(stt->dev, &list);
	}
	unregister_netdevice_many(&list);
	rtnl_unlock();
}

static struct pernet_operations stt_net_ops = {
	.init		= stt_net_init,
	.exit_batch	= stt_net_exit_batch,
	.id		= &stt_net_id,
	.size		= sizeof(struct stt_net),
};

static int __init stt_module_init(void)
{
	int err;

	err = register_pernet_device(&stt_net_ops);
	if (err)
		return err;

	err = rtnl_link_register(&stt_link_ops);
	if (err) {
		unregister_pernet_device(&stt_net_ops);
		return err;
	}
	pr_info("STT tunnel device (collect-metadata) loaded\n");
	return 0;
}

static void __exit stt_module_exit(void)
{
	rtnl_link_unregister(&stt_link_ops);
	unregister_pernet_device(&stt_net_ops);
}

module_init(stt_module_init);
module_exit(stt_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("STT (Stateless Transport Tunneling) network device");
MODULE_AUTHOR("ovs-nvo3 project");
MODULE_ALIAS_RTNL_LINK("stt");
