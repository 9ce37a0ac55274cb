/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's lifecycle and admission.  sysctl.c and netlink.c call only
 * the lifecycle functions; they never touch threads or sockets themselves.
 */
#ifndef KTFTPD_SERVER_H
#define KTFTPD_SERVER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include "config.h"
#include "stats.h"

struct net;
struct ctl_table_header;
struct workqueue_struct;
struct ktftpd_listener;
struct ktftpd_xfer;
struct ktftpd_config_change;
struct tftp_refusal;

/*
 * One server: its config, counters, listeners and transfers.  Every
 * socket it makes is in @net.  It lives as long as @net does, and as long
 * as a transfer cut off from @net (see XFER_FS_CUT) waits on a file system:
 * @ref counts @net's hold and each such transfer's.
 */
struct ktftpd_server {
	struct net *net;		/* gone once @net's exit put its hold */
	struct kref ref;
	struct work_struct free_work;	/* off the runs' own workqueue */
	struct mutex lock;		/* serializes start, stop, config */
	struct ktftpd_config __rcu *config;	/* in force; see config.c */
	struct ktftpd_stats stats;
	struct ktftpd_listener *listeners[KTFTPD_LISTEN_MAX];
	unsigned int n_listeners;
	/*
	 * Its transfers' runs: a server's own, made at its first start, so
	 * that one namespace's transfers stuck on a hung file system cannot
	 * take the active slots another's need (WQ_MAX_ACTIVE a CPU).
	 */
	struct workqueue_struct *wq;
	/* How many runs wait in each CPU's pool, and who waits for room. */
	struct ktftpd_runq __percpu *runq;
	spinlock_t runq_lock;		/* the pools' counts and waiters */
	bool running;
	bool unloading;			/* going away: never start again */
	bool root_lookup_busy;		/* see root_lookup.c */
	u64 started_ns;

	spinlock_t xfers_lock;		/* the lists, counts and ids below */
	struct list_head xfers;		/* in admission order: ids increase */
	/* Cut off from the namespace as it went (XFER_FS_CUT), till they end. */
	struct list_head cut_xfers;
	unsigned int n_xfers;		/* listed and cut off alike */
	unsigned int n_cut;		/* of n_xfers, those on cut_xfers */
	unsigned int n_opening;		/* see KTFTPD_OPENING_MAX */
	/*
	 * A stop left transfers waiting on a file system: the module holds
	 * a reference of its own until the last one ends, so rmmod is
	 * refused (EBUSY) instead of waiting for the file system in D state.
	 */
	bool module_pinned;
	u64 last_xfer_id;
	wait_queue_head_t xfers_wq;
	atomic_t port_cursor;		/* see struct ktftpd_port_plan */

	struct ctl_table_header *sysctl;	/* net.ktftpd (sysctl.c) */
	/* pernet.c's list of every server, and rmmod's marks on it. */
	struct list_head pernet_node;
	bool unload_seen;
	bool rmmod_stopping;
};

/* The server of @net: every namespace has one (pernet.c). */
struct ktftpd_server *ktftpd_server_of(const struct net *net);

/* A server for @net, stopped, with the default config; ERR_PTR on error. */
struct ktftpd_server *ktftpd_server_create(struct net *net);
/*
 * Take @srv down: never start again; abort every transfer and wait for
 * each, but cut off one that waits on a hung file system (its socket goes
 * now, it ends when the file system answers).  Once it returns, no
 * transfer touches @srv->net again.  Again: nothing more to do.
 */
void ktftpd_server_shutdown(struct ktftpd_server *srv);
/*
 * Drop @net's hold, once shut down and out of every control's reach: the
 * server is freed when the last transfer cut off from it has ended.
 */
void ktftpd_server_put(struct ktftpd_server *srv);
/* Another hold, on a server held already. */
void ktftpd_server_get(struct ktftpd_server *srv);
/* Module load and unload: unload waits for every server to be freed. */
int ktftpd_servers_init(void);
void ktftpd_servers_exit(void);

bool ktftpd_server_running(struct ktftpd_server *srv);
/* Milliseconds since the last start; 0 while stopped. */
u64 ktftpd_server_uptime_ms(struct ktftpd_server *srv);
/* Start with the config in force: the listeners.  0 if running. */
int ktftpd_server_start(struct ktftpd_server *srv);
/* Stop: close the listener, let transfers finish for the configured
 * drain time, then abort the rest with an ERROR.  0 if stopped.  A
 * transfer that waits on a hung file system ends when it answers.
 */
int ktftpd_server_stop(struct ktftpd_server *srv);
/* The same with an explicit drain time (rmmod uses 0). */
int ktftpd_server_stop_drain(struct ktftpd_server *srv, unsigned int drain_ms);

/*
 * Apply @chg to the config, whole or not at all: build and validate the new
 * config, rebind the listeners if the port or addresses changed while
 * running, start if @start, and only then publish.  *@changed says whether
 * the config differs from the one before; on error *@bad and *@why say what
 * (see ktftpd_config_build(); *@bad is -1 when no one field is at fault).
 * Transfers in flight keep the config they started under.
 */
int ktftpd_server_configure(struct ktftpd_server *srv,
			    const struct ktftpd_config_change *chg, bool start,
			    bool *changed, int *bad, const char **why);

/*
 * Call @fn on each transfer with an id above @after_id, in id order, under
 * the transfer list's lock (so @fn must not sleep), until it returns
 * non-zero.
 */
int ktftpd_server_visit_xfers(struct ktftpd_server *srv, u64 after_id,
			      int (*fn)(struct ktftpd_xfer *x, void *arg),
			      void *arg);

/*
 * Admission of @x into its server (x->srv): 0, @x counted in and its first
 * run queued (from then on the caller must not touch @x: a stop may free
 * it); -EBUSY, refused with @ref set; -ESHUTDOWN, stopping (no answer); or
 * -EEXIST when the same client address and port has a transfer already
 * (a retransmitted request: drop it unanswered, the transfer's timer
 * answers it).
 */
int ktftpd_server_admit(struct ktftpd_xfer *x, struct tftp_refusal *ref);
/* @x's first run begins: it counts as opening (see KTFTPD_OPENING_MAX)... */
void ktftpd_server_opening(struct ktftpd_xfer *x);
/* ...until that run has ended with @x alive (its first packet is out). */
void ktftpd_server_opened(struct ktftpd_xfer *x);
/* @x's run is destroying it: a stop no longer aborts (queues) it. */
void ktftpd_server_ending(struct ktftpd_xfer *x);
/* @x has ended (called by its run, just before freeing it). */
void ktftpd_server_release(struct ktftpd_xfer *x);

#endif /* KTFTPD_SERVER_H */
