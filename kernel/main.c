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

static int __init apply_params(void)
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
	ret = ktftpd_server_configure(&chg, false, &changed, &bad, &why);
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
	int ret;

	ret = ktftpd_config_init();
	if (ret)
		return ret;
	ret = apply_params();
	if (ret)
		goto err_config;
	ret = ktftpd_stats_init();
	if (ret)
		goto err_config;
	ret = ktftpd_xfer_fast_init();
	if (ret)
		goto err_stats;
	ret = ktftpd_xfer_init();
	if (ret)
		goto err_fast;
	ret = ktftpd_sysctl_init();
	if (ret)
		goto err_xfer;
	ret = ktftpd_netlink_init();
	if (ret)
		goto err_sysctl;
	if (start) {
		ret = ktftpd_server_start();
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
	ktftpd_server_exit();
	ktftpd_netlink_exit();
	ktftpd_sysctl_exit();
	goto err_xfer;
err_sysctl:
	ktftpd_server_exit();
	ktftpd_sysctl_exit();
err_xfer:
	ktftpd_xfer_exit();
err_fast:
	ktftpd_xfer_fast_exit();
err_stats:
	ktftpd_stats_exit();
err_config:
	ktftpd_config_exit();
	return ret;
}

static void __exit ktftpd_exit(void)
{
	/*
	 * The server first: it refuses to start again from here on, and its
	 * transfers end while the family is still there to report them.
	 */
	ktftpd_server_exit();
	/* Every transfer has ended: this waits only for its last run's tail. */
	ktftpd_xfer_exit();
	ktftpd_netlink_exit();
	ktftpd_sysctl_exit();
	ktftpd_xfer_fast_exit();
	ktftpd_stats_exit();
	ktftpd_config_exit();
	ktftpd_lifetime_check();
}

module_init(ktftpd_init);
module_exit(ktftpd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel TFTP server");
MODULE_AUTHOR("The ktftpd developers");
MODULE_VERSION(KTFTPD_VERSION);
