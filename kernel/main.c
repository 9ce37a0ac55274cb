// SPDX-License-Identifier: GPL-2.0
/*
 * ktftpd: an in-kernel TFTP server.
 *
 * Module init and exit only: each part (config, sysctl, netlink, server)
 * lives in its own file and is set up here in order and torn down in
 * reverse order.
 */
#include <linux/module.h>
#include "config.h"
#include "server.h"
#include "sysctl.h"
#include "netlink.h"

static int __init ktftpd_init(void)
{
	int ret;

	ret = ktftpd_config_init();
	if (ret)
		return ret;
	ret = ktftpd_sysctl_init();
	if (ret)
		goto err_config;
	ret = ktftpd_netlink_init();
	if (ret)
		goto err_sysctl;
	pr_info("ktftpd: loaded (stopped)\n");
	return 0;

err_sysctl:
	ktftpd_sysctl_exit();
err_config:
	ktftpd_config_exit();
	return ret;
}

static void __exit ktftpd_exit(void)
{
	/* Control surfaces first, so nothing can restart the server. */
	ktftpd_netlink_exit();
	ktftpd_sysctl_exit();
	ktftpd_server_stop();
	ktftpd_config_exit();
	pr_info("ktftpd: unloaded\n");
}

module_init(ktftpd_init);
module_exit(ktftpd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel TFTP server");
MODULE_AUTHOR("The ktftpd developers");
MODULE_VERSION(KTFTPD_VERSION);
