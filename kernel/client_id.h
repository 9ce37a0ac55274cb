/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a client is, as text a filename rule (and a per-client root) can
 * use: its address, its IPv4 address in hex (PXELINUX's config names),
 * and its MAC address when the neighbour table knows it.
 */
#ifndef KTFTPD_CLIENT_ID_H
#define KTFTPD_CLIENT_ID_H

#include "net.h"
#include "rewrite.h"

struct ktftpd_client_id {
	struct tftp_client_id id;	/* points into the buffers below */
	char ip[48];			/* INET6_ADDRSTRLEN, and a scope */
	char ip_hex[9];
	char mac[18];
};

/*
 * Fill @cid for @peer (v4-mapped counts as IPv4).  The MAC is looked up
 * only if @want_mac: in @net's neighbour table of the interface @ifindex the
 * request arrived on, or, with @ifindex 0, of any interface.  Only a
 * client on a directly connected network has an entry there (a routed
 * one is hidden behind its router's), and only a valid entry is used.
 */
void ktftpd_client_id(struct net *net, const struct ktftpd_addr *peer,
		      int ifindex, bool want_mac, struct ktftpd_client_id *cid);

#endif /* KTFTPD_CLIENT_ID_H */
