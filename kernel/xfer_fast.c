// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path of a read: an in-order ACK is answered with the next DATA
 * in the softirq that delivered it, with no worker wakeup, no context
 * switch and no system call, when the blocks are in the page cache.
 *
 * The ACK is taken before it reaches the socket's receive queue, through
 * the UDP encapsulation hook (udp_sk(sk)->encap_rcv, the way UDP tunnels
 * receive): it sees every datagram of the transfer socket with its
 * checksum already verified.  Anything it does not fully handle (a
 * foreign TID, an ERROR, the last ACK, a block not in the page cache, a
 * full send buffer) it leaves to the transfer's run, as before:
 *
 *  - packets it does not take go on to the receive queue (return 1), and
 *    sk_data_ready queues a run;
 *  - it only runs when that queue is empty, so packets keep their order;
 *  - it only runs while no run of the transfer is queued, waiting or
 *    going (runq.c): one that is reads the ACK anyway, batched with the
 *    transfer's other events;
 *  - the transfer's state is owned by whoever holds XFER_BUSY: a run
 *    holds it from start to end, and a softirq that cannot get it leaves
 *    the packet to the run.
 *
 * Nothing here sleeps: the page cache is looked up without locking a
 * folio, skbs are allocated GFP_ATOMIC (sk_allocation), and the send
 * skips the LSM hook, which is not meant to run in softirq (the socket is
 * a kernel socket, which every LSM lets through anyway).  A cgroup BPF
 * sendmsg program would lock the socket, so while one is attached
 * anywhere the fast path stands aside.
 */
#include <linux/bpf-cgroup.h>
#include <linux/bvec.h>
#include <linux/highmem.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include "compat.h"
#include "config.h"
#include "server.h"
#include "stats.h"
#include "vfs.h"
#include "xfer.h"

/*
 * Larger blocks gain little (per-packet costs are already amortised) and
 * would need high-order atomic allocations.
 */
#define KTFTPD_FAST_BLKSIZE_MAX	4096

static bool fast_path = true;
module_param(fast_path, bool, 0644);
MODULE_PARM_DESC(fast_path,
		 "Answer in-order ACKs for cached blocks in softirq (default 1; for transfers starting after a change)");

/*
 * Every DATA header there can be (opcode 3, blocks 0 to 65535), built at
 * load in pages of their own.  A DATA packet is sent as one of these plus
 * the block's bytes where they lie in the page cache: with
 * MSG_SPLICE_PAGES the skb takes references on both pages and nothing is
 * copied (on a kernel without it, sendmsg copies the bytes once, straight
 * from the page cache).  A header page is never written after load, so
 * an skb still queued somewhere says what it said when it was sent, and
 * it holds its own reference on the page past our unload.
 */
#define HEADERS_PER_PAGE	(PAGE_SIZE / TFTP_HDR_LEN)
#define HEADER_PAGES		(65536 / HEADERS_PER_PAGE)
static struct page *data_headers[HEADER_PAGES];

static void data_headers_free(void)
{
	int i;

	for (i = 0; i < HEADER_PAGES; i++) {
		if (data_headers[i])
			put_page(data_headers[i]);
		data_headers[i] = NULL;
	}
}

static int data_headers_build(void)
{
	unsigned int i, block = 0;

	for (i = 0; i < HEADER_PAGES; i++) {
		u8 *p;
		unsigned int k;

		data_headers[i] = alloc_page(GFP_KERNEL);
		if (!data_headers[i]) {
			data_headers_free();
			return -ENOMEM;
		}
		p = page_address(data_headers[i]);
		for (k = 0; k < HEADERS_PER_PAGE; k++, block++)
			tftp_build_data_header(p + k * TFTP_HDR_LEN,
					       TFTP_HDR_LEN, (u16)block);
	}
	return 0;
}

/* Any encap_type makes UDP call encap_rcv; this one means "ktftpd". */
#define KTFTPD_ENCAP_TYPE	1

/*
 * UDP looks at encap_rcv only while its static keys are on.  One socket
 * holds them on from load to unload, so transfers starting and ending do
 * not patch kernel text each time.
 */
static struct socket *encap_anchor;

int ktftpd_xfer_fast_init(void)
{
	int err = data_headers_build();

	if (err)
		return err;
	err = sock_create_kern(&init_net, AF_INET6, SOCK_DGRAM, IPPROTO_UDP,
			       &encap_anchor);
	if (err)
		err = sock_create_kern(&init_net, AF_INET, SOCK_DGRAM,
				       IPPROTO_UDP, &encap_anchor);
	if (err) {
		data_headers_free();
		return err;
	}
	/* Enables the IPv6 key too for an AF_INET6 socket. */
	udp_tunnel_encap_enable(encap_anchor->sk);
	return 0;
}

void ktftpd_xfer_fast_exit(void)
{
	/* Its release turns the keys off again (udp_destroy_sock). */
	sock_release(encap_anchor);
	encap_anchor = NULL;
	data_headers_free();
}

/* The datagram's source, in the form recvmsg() gives for this socket. */
static void skb_source(const struct sock *sk, const struct sk_buff *skb,
		       struct ktftpd_addr *from)
{
	__be16 port = udp_hdr(skb)->source;

	memset(from, 0, sizeof(*from));
	if (ip_hdr(skb)->version == 4 && sk->sk_family == AF_INET) {
		from->v4.sin_family = AF_INET;
		from->v4.sin_port = port;
		from->v4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		from->len = sizeof(from->v4);
		return;
	}
	from->v6.sin6_family = AF_INET6;
	from->v6.sin6_port = port;
	if (ip_hdr(skb)->version == 4)
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &from->v6.sin6_addr);
	else
		from->v6.sin6_addr = ipv6_hdr(skb)->saddr;
	from->len = sizeof(from->v6);
}

/*
 * The most pages one block's bytes can touch, for any PAGE_SIZE: a block
 * that starts anywhere in a page may run into DIV_ROUND_UP(blksize,
 * PAGE_SIZE) more.  (blksize / PAGE_SIZE + 1 is 1 on 16 and 64 KiB pages,
 * and a 1468-byte block still crosses a page boundary there.)
 */
#define FAST_DATA_PAGES	(DIV_ROUND_UP(KTFTPD_FAST_BLKSIZE_MAX, PAGE_SIZE) + 1)
static_assert(FAST_DATA_PAGES >= 2, "a block may always straddle two pages");
static_assert(FAST_DATA_PAGES * PAGE_SIZE >= KTFTPD_FAST_BLKSIZE_MAX + PAGE_SIZE - 1,
	      "room for the largest block starting on a page's last byte");

struct cached_block {
	struct bio_vec vec[1 + FAST_DATA_PAGES];
	struct folio *folio[FAST_DATA_PAGES];
	unsigned int nr_folios;
};

static void cached_block_release(struct cached_block *cb)
{
	while (cb->nr_folios)
		folio_put(cb->folio[--cb->nr_folios]);
}

/*
 * Point @cb at [pos, pos + len) of the file in the page cache, holding a
 * reference on each folio.  False if any of it is not there and up to
 * date: the worker then reads it.
 */
static bool cached_block_map(struct cached_block *cb, struct file *file,
			     loff_t pos, size_t len)
{
	struct address_space *mapping = file->f_mapping;

	while (len) {
		pgoff_t index = pos >> PAGE_SHIFT;
		size_t off = offset_in_page(pos);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct folio *folio;

		if (WARN_ON_ONCE(cb->nr_folios == FAST_DATA_PAGES))
			return false;
		folio = ktftpd_cached_folio(mapping, index);
		if (!folio)
			return false;
		cb->folio[cb->nr_folios++] = folio;
		if (!folio_test_uptodate(folio) || folio_test_hwpoison(folio))
			return false;
		bvec_set_page(&cb->vec[cb->nr_folios], folio_file_page(folio, index),
			      n, off);
		pos += n;
		len -= n;
	}
	return true;
}

static int send_atomic(struct ktftpd_xfer *x, struct cached_block *cb,
		       size_t len)
{
	struct socket *sock = x->sock;
	struct msghdr msg = {
		.msg_name = &x->peer.sa,
		.msg_namelen = x->peer.len,
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | KTFTPD_MSG_SPLICE_PAGES,
	};

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, cb->vec, 1 + cb->nr_folios,
		      len);
	return READ_ONCE(sock->ops)->sendmsg(sock, &msg, len);
}

/*
 * Send block s->next if it is wholly in the page cache.  False: not sent,
 * the worker must (not cached, empty final block, full buffer, error).
 */
static bool send_cached_block(struct ktftpd_xfer *x)
{
	u64 block = x->send.next;
	u16 wire = (u16)block;
	loff_t size = i_size_read(file_inode(x->file));
	struct cached_block cb = { .nr_folios = 0 };
	loff_t pos;
	size_t n;
	int sent;

	if (block == 0)
		return false;	/* the OACK again: rare, leave it */
	pos = tftp_block_offset(block, x->neg.blksize);
	if (pos >= size)
		return false;	/* an empty final block: the worker reads EOF */
	n = min_t(loff_t, x->neg.blksize, size - pos);
	bvec_set_page(&cb.vec[0], data_headers[wire / HEADERS_PER_PAGE],
		      TFTP_HDR_LEN, (wire % HEADERS_PER_PAGE) * TFTP_HDR_LEN);
	sent = -ENODATA;
	if (cached_block_map(&cb, x->file, pos, n))
		sent = send_atomic(x, &cb, TFTP_HDR_LEN + n);
	cached_block_release(&cb);
	if (sent < 0)
		return false;
	ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_PACKETS_SENT);
	ktftpd_xfer_read_sent(x, block, n);
	return true;
}

static bool fast_path_allowed(const struct sock *sk)
{
	return !cgroup_bpf_enabled(CGROUP_UDP4_SENDMSG) &&
	       !cgroup_bpf_enabled(CGROUP_UDP6_SENDMSG) &&
	       skb_queue_empty_lockless(&sk->sk_receive_queue) &&
	       skb_queue_empty_lockless(&udp_sk(sk)->reader_queue);
}

/*
 * Handle an ACK for @x, which the caller owns (XFER_BUSY).  True if the
 * datagram is used up; false to hand it to the worker untouched.
 */
static bool fast_ack(struct ktftpd_xfer *x, u16 num)
{
	bool sent = false;

	switch (tftp_send_ack(&x->send, num)) {
	case TFTP_ACK_DONE:
		/* Ending frees things, which sleeps: the worker does it. */
		set_bit(XFER_EV_DONE, &x->events);
		ktftpd_xfer_kick(x);
		return true;
	case TFTP_ACK_IGNORED:
		return true;
	case TFTP_ACK_ALIVE:
		ktftpd_xfer_alive(x);
		return true;
	case TFTP_ACK_PROGRESS:
		WRITE_ONCE(x->heard, true);
		break;
	}
	if (!x->rto_fixed)
		x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
	while (tftp_send_may_send(&x->send)) {
		if (!send_cached_block(x)) {
			ktftpd_xfer_kick(x);	/* it sends the rest */
			break;
		}
		sent = true;
	}
	if (sent)
		ktftpd_xfer_arm_timer(x);
	return true;
}

static int fast_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct ktftpd_xfer *x;
	struct ktftpd_addr from;
	int offset = skb_transport_offset(skb) + sizeof(struct udphdr);
	int len = skb->len - offset;
	u8 pkt[4];
	bool used = false;
	u16 num;

	if (len != sizeof(pkt) || !fast_path_allowed(sk))
		return 1;
	if (skb_copy_bits(skb, offset, pkt, sizeof(pkt)))
		return 1;
	if (tftp_classify_from_peer(pkt, sizeof(pkt), &num) != TFTP_PEER_ACK)
		return 1;

	read_lock(&sk->sk_callback_lock);
	x = rcu_dereference_sk_user_data(sk);
	if (!x || !ktftpd_runq_idle(x) ||
	    test_and_set_bit_lock(XFER_BUSY, &x->busy))
		goto out;
	skb_source(sk, skb, &from);
	if (x->greeted && !test_bit(XFER_EV_DONE, &x->events) &&
	    ktftpd_addr_equal(&from, &x->peer, true))
		used = fast_ack(x, num);
	clear_bit_unlock(XFER_BUSY, &x->busy);
out:
	read_unlock(&sk->sk_callback_lock);
	if (!used)
		return 1;
	consume_skb(skb);
	return 0;
}

bool ktftpd_xfer_fast_eligible(const struct ktftpd_xfer *x)
{
	return READ_ONCE(fast_path) && !x->is_write && x->mode == TFTP_MODE_OCTET &&
	       x->neg.blksize <= KTFTPD_FAST_BLKSIZE_MAX &&
	       S_ISREG(file_inode(x->file)->i_mode);
}

/*
 * Before the socket's callbacks are hooked (process context, as the
 * serving identity).  The fast path reads the page cache directly, so it
 * first does what sendfile does once per call: one read through
 * kernel_read, which runs the LSM's permission hook (rw_verify_area),
 * sends the fsnotify access event and touches atime.  False if that read
 * is refused: the worker then serves, and each of its reads is checked.
 */
bool ktftpd_xfer_fast_prepare(struct ktftpd_xfer *x)
{
	ssize_t n = 1;
	u8 byte;

	if (x->size > 0) {
		ktftpd_xfer_fs_begin(x);
		n = ktftpd_vfs_read(x->file, &byte, 1, 0);
		if (!ktftpd_xfer_fs_end(x) || n != 1)
			return false;
	}
	x->sock->sk->sk_allocation = GFP_ATOMIC;
	return true;
}

/* Under sk_callback_lock, with sk_user_data set. */
void ktftpd_xfer_fast_hook(struct ktftpd_xfer *x)
{
	struct udp_sock *up = udp_sk(x->sock->sk);

	WRITE_ONCE(up->encap_type, KTFTPD_ENCAP_TYPE);
	WRITE_ONCE(up->encap_rcv, fast_rcv);
}

void ktftpd_xfer_fast_unhook(struct ktftpd_xfer *x)
{
	WRITE_ONCE(udp_sk(x->sock->sk)->encap_rcv, NULL);
}
