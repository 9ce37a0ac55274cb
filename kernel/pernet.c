// SPDX-License-Identifier: GPL-2.0
/*
 * One server per network namespace, as WireGuard has one set of devices
 * per namespace: its own config, counters, listeners, transfers, sysctls
 * and events.  A namespace's server is made with the namespace (stopped)
 * and goes with it: pre_exit stops it and ends every transfer, whose
 * sockets are the namespace's (one that waits on a hung file system is
 * cut off from the namespace and keeps the server until it ends); exit
 * drops the namespace's hold.  The namespace's slot holds a pointer.
 *
 * rmmod stops every server first, while the netlink family is still there
 * to report the transfers it aborts, then unregisters the family (no
 * command runs after that), and only then frees the servers.
 */
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "config.h"
#include "pernet.h"
#include "server.h"
#include "sysctl.h"

static unsigned int ktftpd_net_id __read_mostly;

/*
 * Every server, so that rmmod can stop them all before the family goes.
 * Module bookkeeping only: never held across a wait.  rmmod takes no
 * reference on a server's namespace (one being set up may be freed
 * whatever its count, if a later init fails): it marks the server it
 * is stopping (->rmmod_stopping), and the namespace's exit waits for
 * the mark to go before freeing the server.
 */
static DEFINE_MUTEX(servers_lock);
static LIST_HEAD(servers);
static DECLARE_WAIT_QUEUE_HEAD(servers_wq);
static bool servers_unloading;		/* rmmod began: new servers never start */
static int (*init_net_setup)(struct ktftpd_server *srv);

struct ktftpd_server *ktftpd_server_of(const struct net *net)
{
	struct ktftpd_server **slot = net_generic(net, ktftpd_net_id);

	return *slot;
}

static int __net_init ktftpd_net_init(struct net *net)
{
	struct ktftpd_server **slot = net_generic(net, ktftpd_net_id);
	struct ktftpd_server *srv;
	int err;

	srv = ktftpd_server_create(net);
	if (IS_ERR(srv))
		return PTR_ERR(srv);
	*slot = srv;
	if (net_eq(net, &init_net) && init_net_setup) {
		err = init_net_setup(srv);
		if (err)
			goto err_server;
	}
	mutex_lock(&servers_lock);
	/*
	 * Born during rmmod: it must never start, as rmmod will not stop
	 * it.  Nothing can reach it yet (no sysctl, no socket in @net).
	 */
	if (servers_unloading)
		srv->unloading = true;
	mutex_unlock(&servers_lock);
	err = ktftpd_sysctl_init(srv);
	if (err)
		goto err_server;
	/* Listed last: an init that fails is never seen by rmmod. */
	mutex_lock(&servers_lock);
	list_add_tail(&srv->pernet_node, &servers);
	mutex_unlock(&servers_lock);
	return 0;

err_server:
	ktftpd_server_put(srv);
	return err;
}

/* Before the namespace's devices go: stop, and end every transfer. */
static void __net_exit ktftpd_net_pre_exit(struct net *net)
{
	ktftpd_server_shutdown(ktftpd_server_of(net));
}

static void __net_exit ktftpd_net_exit(struct net *net)
{
	struct ktftpd_server *srv = ktftpd_server_of(net);

	mutex_lock(&servers_lock);
	list_del(&srv->pernet_node);
	mutex_unlock(&servers_lock);
	/* rmmod may be stopping it this moment: let it finish first. */
	wait_event(servers_wq, !READ_ONCE(srv->rmmod_stopping));
	/* No sysctl handler runs once this returns... */
	ktftpd_sysctl_exit(srv);
	/* ...and a write that came in before pre_exit's shutdown was done. */
	ktftpd_server_shutdown(srv);
	ktftpd_server_put(srv);
}

static struct pernet_operations ktftpd_net_ops = {
	.init		= ktftpd_net_init,
	.pre_exit	= ktftpd_net_pre_exit,
	.exit		= ktftpd_net_exit,
	.id		= &ktftpd_net_id,
	.size		= sizeof(struct ktftpd_server *),
};

int ktftpd_pernet_init(int (*setup)(struct ktftpd_server *srv))
{
	int err;

	err = ktftpd_config_shared_init();
	if (err)
		return err;
	err = ktftpd_servers_init();
	if (err)
		goto err_shared;
	init_net_setup = setup;
	err = register_pernet_subsys(&ktftpd_net_ops);
	init_net_setup = NULL;
	if (err)
		goto err_servers;
	return 0;

err_servers:
	ktftpd_servers_exit();
err_shared:
	ktftpd_config_shared_exit();
	return err;
}

/*
 * The next server rmmod has not stopped yet, marked as being stopped
 * (its namespace's exit waits); NULL when none is left.
 */
static struct ktftpd_server *next_to_stop(void)
{
	struct ktftpd_server *srv;

	mutex_lock(&servers_lock);
	list_for_each_entry(srv, &servers, pernet_node) {
		if (srv->unload_seen)
			continue;
		srv->unload_seen = true;
		WRITE_ONCE(srv->rmmod_stopping, true);
		mutex_unlock(&servers_lock);
		return srv;
	}
	mutex_unlock(&servers_lock);
	return NULL;
}

void ktftpd_pernet_shutdown(void)
{
	struct ktftpd_server *srv;

	mutex_lock(&servers_lock);
	servers_unloading = true;
	mutex_unlock(&servers_lock);
	while ((srv = next_to_stop())) {
		ktftpd_server_shutdown(srv);
		/* The namespace's exit may free @srv from here on. */
		WRITE_ONCE(srv->rmmod_stopping, false);
		wake_up(&servers_wq);
	}
}

void ktftpd_pernet_exit(void)
{
	unregister_pernet_subsys(&ktftpd_net_ops);
	/* Servers that transfers cut off from their namespace still hold. */
	ktftpd_servers_exit();
	ktftpd_config_shared_exit();
}
