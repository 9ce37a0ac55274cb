// SPDX-License-Identifier: GPL-2.0
/*
 * ktftpd: an in-kernel TFTP server.
 *
 * Module init and exit only: each part (config, stats, server, sysctl,
 * netlink) lives in its own file and is set up here in order and torn
 * down in reverse order.
 *
 *   insmod ktftpd.ko root=/srv/tftp port=69 start=1
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include "config.h"
#include "lifetime.h"
#include "netlink.h"
#include "pernet.h"
#include "root_lookup.h"
#include "server.h"
#include "xfer.h"

static char *root;
module_param(root, charp, 0444);
MODULE_PARM_DESC(root, "Directory to serve (default " KTFTPD_DEFAULT_ROOT ")");

static int port;
module_param(port, int, 0444);
MODULE_PARM_DESC(port, "UDP port (default 69)");

static bool start;
module_param(start, bool, 0444);
MODULE_PARM_DESC(start, "Start serving at load (default: load stopped)");

static int __init apply_params(struct ktftpd_server *srv)
{
	struct ktftpd_config_change chg = {};
	const char *why;
	bool changed;
	int bad = -1, ret;

	if (root) {
		chg.root = root;
		chg.root_len = strlen(root);
	}
	if (port) {
		chg.set |= BIT(KTFTPD_P_PORT);
		chg.val[KTFTPD_P_PORT] = port;
	}
	ret = ktftpd_server_configure(srv, &chg, false, &changed, &bad, &why);
	if (!ret)
		return 0;
	if (bad == KTFTPD_F_ROOT) {
		pr_err("ktftpd: invalid root=%s (%pe): an existing directory, by absolute path, is needed\n",
		       root, ERR_PTR(ret));
		return -EINVAL;
	}
	if (bad == KTFTPD_P_PORT) {
		pr_err("ktftpd: invalid port=%d: 1..65535\n", port);
		return -EINVAL;
	}
	/* Not the parameters' fault (out of memory, say): say what it was. */
	pr_err("ktftpd: cannot apply the module parameters: %pe\n", ERR_PTR(ret));
	return ret;
}

static int __init ktftpd_init_all(void)
{
	int ret;

	ret = ktftpd_xfer_fast_init();
	if (ret)
		return ret;
	/* From here a sysctl write may start a server. */
	ret = ktftpd_pernet_init(apply_params);
	if (ret)
		goto err_fast;
	ret = ktftpd_netlink_init();
	if (ret)
		goto err_pernet;
	if (start) {
		ret = ktftpd_server_start(ktftpd_server_of(&init_net));
		if (ret) {
			pr_err("ktftpd: cannot start: %d\n", ret);
			goto err_netlink;
		}
	} else {
		pr_info("ktftpd: loaded (stopped)\n");
	}
	return 0;

	/* As ktftpd_exit(). */
err_netlink:
	ktftpd_pernet_shutdown();
	ktftpd_netlink_exit();
	goto err_servers;
err_pernet:
	ktftpd_pernet_shutdown();
err_servers:
	ktftpd_pernet_exit();
err_fast:
	ktftpd_xfer_fast_exit();
	return ret;
}

static int __init ktftpd_init(void)
{
	int ret;

	/* Its root lookups are its own (see root_lookup.c). */
	ktftpd_root_lookup_loading(true);
	ret = ktftpd_init_all();
	ktftpd_root_lookup_loading(false);
	return ret;
}

static void __exit ktftpd_exit(void)
{
	/*
	 * The servers first: none starts again from here on, and their
	 * transfers end while the family is still there to report them.
	 */
	ktftpd_pernet_shutdown();
	/* No command runs after this: none can reach a server freed next. */
	ktftpd_netlink_exit();
	/* Frees each server once its transfers' last runs are done. */
	ktftpd_pernet_exit();
	ktftpd_xfer_fast_exit();
	ktftpd_lifetime_check();
}

module_init(ktftpd_init);
module_exit(ktftpd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel TFTP server");
MODULE_AUTHOR("The ktftpd developers");
MODULE_VERSION(KTFTPD_VERSION);
