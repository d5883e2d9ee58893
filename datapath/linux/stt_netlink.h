/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Netlink attributes of the "stt" rtnetlink link kind (IFLA_INFO_DATA).
 *
 * These numbers are ABI: ovs-vswitchd and the test helper hard-code them.
 * Never renumber; only append.
 *
 *   IFLA_STT_UNSPEC            0  unused
 *   IFLA_STT_PORT              1  __be16, destination TCP port of the tunnel
 *                                 (IANA "stt", 7471, when absent at creation)
 *   IFLA_STT_COLLECT_METADATA  2  flag (NLA_FLAG): collect-metadata
 *                                 ("external") mode.  Mandatory at creation:
 *                                 it is the only mode the module supports.
 *
 * A device is created with RTM_NEWLINK, IFLA_LINKINFO = { IFLA_INFO_KIND
 * "stt", IFLA_INFO_DATA = { IFLA_STT_PORT, IFLA_STT_COLLECT_METADATA } }.
 * RTM_GETLINK replies carry the same two attributes.  There can be one stt
 * device per (network namespace, port); the device cannot change namespace.
 */
#ifndef STT_NETLINK_H
#define STT_NETLINK_H 1

enum {
	IFLA_STT_UNSPEC,
	IFLA_STT_PORT,
	IFLA_STT_COLLECT_METADATA,
	__IFLA_STT_MAX
};
#define IFLA_STT_MAX (__IFLA_STT_MAX - 1)

#define STT_DST_PORT_DEFAULT 7471

#endif /* STT_NETLINK_H */
