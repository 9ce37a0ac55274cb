// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of configuration values.  Plain C, no kernel headers: the host
 * unit tests compile this file as it is.
 */
#include "validate.h"
#include <uapi/linux/ktftpd.h>

bool ktftpd_port_valid(long port)
{
	return port >= 1 && port <= 65535;
}

/*
 * A root is an absolute path of printable characters, shorter than
 * KTFTPD_ROOT_MAX.  @len excludes any terminator; an embedded NUL or a
 * control character (a newline pasted into a sysctl, say) is refused rather
 * than silently cut, so the root in force is always exactly what was asked.
 */
bool ktftpd_root_valid(const char *root, size_t len)
{
	size_t i;

	if (!root || len == 0 || len >= KTFTPD_ROOT_MAX || root[0] != '/')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)root[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}
