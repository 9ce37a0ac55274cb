/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's counters: the one table.
 *
 * Each counter is written once, here: the module's per-CPU counter
 * (stats.c) and its netlink attribute (netlink.c), and ktftpctl's model,
 * its JSON key, text line and Prometheus metric with its # HELP, all come
 * from this list.  `make gen` writes each attribute's comment in the uapi
 * header (and appends a new one).  Plain C, no kernel headers.
 *
 * X(ID, attr, key, metric, help):
 *   ID	    the enum suffix: KTFTPD_C_<ID>
 *   attr   its u64 attribute in enum ktftpd_stat
 *   key    the JSON key and the text line of `ktftpctl stats`
 *   metric the Prometheus name, after "ktftpd_" (a counter: _total)
 *   help   one sentence, for # HELP and the uapi comment
 */
#ifndef KTFTPD_COUNTERS_H
#define KTFTPD_COUNTERS_H

#include <uapi/linux/ktftpd.h>

#define KTFTPD_COUNTERS(X)						\
	X(REQUESTS, KTFTPD_STAT_REQUESTS, "requests", "requests_total",	\
	  "Datagrams received on the listening port.")			\
	X(XFER_COMPLETED, KTFTPD_STAT_XFER_COMPLETED,			\
	  "transfers_completed", "transfers_completed_total",		\
	  "Transfers that completed.")					\
	X(FINAL_ACK_MISSING, KTFTPD_STAT_FINAL_ACK_MISSING,		\
	  "final_ack_missing", "final_ack_missing_total",		\
	  "Downloads counted completed whose client never acknowledged " \
	  "the last block, resent as retries allow (RFC 1350: a lost final " \
	  "ACK; firmware that boots at once may lose its own).")	\
	X(XFER_FAILED, KTFTPD_STAT_XFER_FAILED, "transfers_failed",	\
	  "transfers_failed_total",					\
	  "Transfers that timed out, were aborted or refused mid-way.")	\
	X(SIZE_PROBES, KTFTPD_STAT_SIZE_PROBES, "size_probes",		\
	  "size_probes_total",						\
	  "Downloads the client ended at an OACK that granted tsize, "	\
	  "before any DATA, with ERROR 8 or 0: it only wanted the size "	\
	  "(UEFI, U-Boot and GRUB ask first). Neither completed nor "	\
	  "failed.")							\
	X(BYTES_SENT, KTFTPD_STAT_BYTES_SENT, "bytes_sent",		\
	  "sent_bytes_total", "File payload bytes sent.")		\
	X(PACKETS_SENT, KTFTPD_STAT_PACKETS_SENT, "packets_sent",	\
	  "packets_sent_total", "Datagrams sent.")			\
	X(RETRANSMITS, KTFTPD_STAT_RETRANSMITS, "retransmits",		\
	  "retransmits_total",						\
	  "DATA (or upload ACKs) sent again.")				\
	X(REFUSED_BUSY, KTFTPD_STAT_REFUSED_BUSY, "refused_busy",	\
	  "refused_busy_total",						\
	  "Requests refused by max_sessions or the per-client cap.")	\
	X(BYTES_RECEIVED, KTFTPD_STAT_BYTES_RECEIVED, "bytes_received",	\
	  "received_bytes_total", "Upload payload bytes stored.")	\
	X(TIMEOUTS, KTFTPD_STAT_TIMEOUTS, "timeouts", "timeouts_total",	\
	  "Retransmission timer expiries (resends no peer asked for).")	\
	X(RATE_LIMITED, KTFTPD_STAT_RATE_LIMITED, "rate_limited",	\
	  "rate_limited_total",						\
	  "Requests dropped unanswered by rate_limit.")			\
	X(REWRITTEN, KTFTPD_STAT_REWRITTEN, "rewritten",		\
	  "rewritten_total",						\
	  "Requests whose file name a filename rule rewrote.")		\
	X(RULE_REFUSED, KTFTPD_STAT_RULE_REFUSED, "refused_by_rule",	\
	  "refused_by_rule_total",					\
	  "Requests refused by a filename rule.")			\
	X(CASE_FOLDED, KTFTPD_STAT_CASE_FOLDED, "case_folded",		\
	  "case_folded_total",						\
	  "Requests answered by a case-insensitive match.")		\
	X(DENIED, KTFTPD_STAT_DENIED, "denied", "denied_total",		\
	  "Requests dropped unanswered because allow or deny refused "	\
	  "their address.")						\
	X(PORTS_EXHAUSTED, KTFTPD_STAT_PORTS_EXHAUSTED, "ports_exhausted", \
	  "ports_exhausted_total",					\
	  "Requests refused because every port of port_range was taken.")

#define KTFTPD_COUNTER_ENUM(id, ...) KTFTPD_C_##id,
enum ktftpd_counter {
	KTFTPD_COUNTERS(KTFTPD_COUNTER_ENUM)
	KTFTPD_C_COUNT
};

#undef KTFTPD_COUNTER_ENUM

#endif /* KTFTPD_COUNTERS_H */
