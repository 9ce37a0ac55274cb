// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the tables of kernel/params.h and kernel/counters.h, one record a
 * line, fields separated by US (0x1f), for scripts/gen-settings.  Compiled
 * from the very headers the module and ktftpctl use, so the generated text
 * cannot drift from them.
 */
#include <stdio.h>
#include "params.h"
#include "counters.h"

#define SEP "\x1f"

#define PRINT_PARAM(id, name, attr, bits, kind, unit, min, max, def, help) \
	printf("param" SEP "%s" SEP "%s" SEP "%d" SEP "%s" SEP "%s" SEP	\
	       "%ld" SEP "%ld" SEP "%ld" SEP "%s\n", name, #attr, bits,	\
	       #kind, unit, (long)(min), (long)(max), (long)(def), help);
#define PRINT_TEXT(name, attr, type, def, help)				\
	printf("text" SEP "%s" SEP "%s" SEP "%s" SEP "%s" SEP "%s\n",	\
	       name, #attr, type, def, help);
#define PRINT_COUNTER(id, attr, key, metric, help)			\
	printf("counter" SEP "%s" SEP "%s" SEP "%s" SEP "%s\n", key,	\
	       #attr, metric, help);

int main(void)
{
	KTFTPD_TEXT_SETTINGS(PRINT_TEXT)
	KTFTPD_PARAMS(PRINT_PARAM)
	KTFTPD_COUNTERS(PRINT_COUNTER)
	return 0;
}
