// SPDX-License-Identifier: GPL-2.0
/*
 * Server lifecycle.  The skeleton has no listener yet, so starting is
 * refused with EOPNOTSUPP instead of pretending to serve.
 */
#include <linux/errno.h>
#include "server.h"

bool ktftpd_server_running(void)
{
	return false;
}

int ktftpd_server_start(void)
{
	return -EOPNOTSUPP;
}

int ktftpd_server_stop(void)
{
	return 0;
}
