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
#include "config.h"
#include "lifetime.h"
#include "netlink.h"
#include "server.h"
#include "stats.h"
#include "sysctl.h"
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

static int __init ktftpd_init(void)
{
	struct ktftpd_server *srv = ktftpd_server_of(&init_net);
	int ret;

	ret = ktftpd_server_init(srv, &init_net);
	if (ret)
		return ret;
	ret = apply_params(srv);
	if (ret)
		goto err_server;
	ret = ktftpd_xfer_fast_init();
	if (ret)
		goto err_server;
	ret = ktftpd_xfer_init();
	if (ret)
		goto err_fast;
	ret = ktftpd_sysctl_init(srv);
	if (ret)
		goto err_xfer;
	ret = ktftpd_netlink_init();
	if (ret)
		goto err_sysctl;
	if (start) {
		ret = ktftpd_server_start(srv);
		if (ret) {
			pr_err("ktftpd: cannot start: %d\n", ret);
			goto err_netlink;
		}
	} else {
		pr_info("ktftpd: loaded (stopped)\n");
	}
	return 0;

	/*
	 * From the sysctls on, the server may have been started (by a
	 * write): its transfers end before anything they use goes, and
	 * while the family is there to report them.
	 */
err_netlink:
	ktftpd_server_shutdown(srv);
	ktftpd_netlink_exit();
err_sysctl:
	ktftpd_server_shutdown(srv);
	ktftpd_sysctl_exit(srv);
err_xfer:
	ktftpd_xfer_exit();
err_fast:
	ktftpd_xfer_fast_exit();
err_server:
	ktftpd_server_exit(srv);
	return ret;
}

static void __exit ktftpd_exit(void)
{
	struct ktftpd_server *srv = ktftpd_server_of(&init_net);

	/*
	 * The server first: it refuses to start again from here on, and its
	 * transfers end while the family is still there to report them.
	 */
	ktftpd_server_shutdown(srv);
	/* Every transfer has ended: this waits only for its last run's tail. */
	ktftpd_xfer_exit();
	ktftpd_netlink_exit();
	ktftpd_sysctl_exit(srv);
	ktftpd_xfer_fast_exit();
	ktftpd_server_exit(srv);
	ktftpd_lifetime_check();
}

module_init(ktftpd_init);
module_exit(ktftpd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel TFTP server");
MODULE_AUTHOR("The ktftpd developers");
MODULE_VERSION(KTFTPD_VERSION);
