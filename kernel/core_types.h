/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The protocol core (params.c, proto.c, options.c, netascii.c, rewrite.c,
 * cidr.c) is plain C: the module compiles it, and so do the host unit
 * tests and fuzzers.  This header is the only place that knows which of the two
 * worlds it is built in.
 */
#ifndef KTFTPD_CORE_TYPES_H
#define KTFTPD_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/kernel.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* KTFTPD_CORE_TYPES_H */
