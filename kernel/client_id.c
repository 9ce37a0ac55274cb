// SPDX-License-Identifier: GPL-2.0
/* The text forms of a client's identity (client_id.h). */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <net/arp.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include "client_id.h"

/* The valid hardware address @dev's neighbour table holds for @key. */
static bool neigh_mac(struct neigh_table *tbl, const void *key,
		      struct net_device *dev, u8 *mac)
{
	struct neighbour *n;
	bool ok = false;

	if (!tbl || dev->addr_len != ETH_ALEN || (dev->flags & IFF_LOOPBACK))
		return false;
	n = neigh_lookup(tbl, key, dev);
	if (!n)
		return false;
	if (READ_ONCE(n->nud_state) & NUD_VALID) {
		neigh_ha_snapshot(mac, n, dev);
		ok = is_valid_ether_addr(mac);
	}
	neigh_release(n);
	return ok;
}

static bool client_mac(struct net *net, const struct ktftpd_addr *peer,
		       int ifindex, u8 *mac)
{
	/*
	 * IPv6's table, named directly (7.x has no ipv6_stub): a peer that is
	 * not v4-mapped came in on an IPv6 socket, so IPv6 is up.
	 */
	struct neigh_table *tbl = &nd_tbl;
	const void *key = &peer->v6.sin6_addr;
	struct net_device *dev;
	bool ok = false;
	__be32 v4;

	if (ktftpd_addr_v4(peer, &v4)) {
		tbl = &arp_tbl;
		key = &v4;
	}
	rcu_read_lock();
	if (ifindex) {
		dev = dev_get_by_index_rcu(net, ifindex);
		ok = dev && neigh_mac(tbl, key, dev, mac);
	} else {
		for_each_netdev_rcu(net, dev)
			if (neigh_mac(tbl, key, dev, mac)) {
				ok = true;
				break;
			}
	}
	rcu_read_unlock();
	return ok;
}

void ktftpd_client_id(struct net *net, const struct ktftpd_addr *peer,
		      int ifindex, bool want_mac, struct ktftpd_client_id *cid)
{
	u8 mac[ETH_ALEN];
	__be32 v4;

	memset(cid, 0, sizeof(*cid));
	cid->id.ip = cid->ip;
	if (ktftpd_addr_v4(peer, &v4)) {
		snprintf(cid->ip, sizeof(cid->ip), "%pI4", &v4);
		snprintf(cid->ip_hex, sizeof(cid->ip_hex), "%08X", ntohl(v4));
		cid->id.ip_hex = cid->ip_hex;
	} else {
		snprintf(cid->ip, sizeof(cid->ip), "%pI6c",
			 &peer->v6.sin6_addr);
	}
	if (want_mac && client_mac(net, peer, ifindex, mac)) {
		snprintf(cid->mac, sizeof(cid->mac), "%*phD", ETH_ALEN, mac);
		cid->id.mac = cid->mac;
	}
}
