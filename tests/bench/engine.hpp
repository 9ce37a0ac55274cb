// SPDX-License-Identifier: GPL-2.0
// Runs many Sessions at once over non-blocking UDP sockets: one epoll per
// thread, the clients and transfers shared out between the threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session.hpp"

namespace ktftp_bench {

struct RunConfig {
	std::string host = "127.0.0.1";
	std::uint16_t port = 69;
	std::vector<std::string> files;		// transfer i fetches files[i % n]
	unsigned clients = 1;			// transfers in flight at once
	unsigned threads = 1;			// each with its share of clients, its own epoll
	std::uint64_t transfers = 1;		// in all
	SessionConfig session;			// blksize, windowsize, timeout, retries
};

// What one finished transfer leaves behind.
struct Outcome {
	std::string file;
	bool ok = false;
	std::string error;
	std::string digest;	// hex, of the kind the run used
	std::uint64_t bytes = 0, data_packets = 0, duplicates = 0, resends = 0;
	unsigned blksize = 0, windowsize = 0;
	bool fell_back = false;
	double seconds = 0;
};

struct RunResult {
	std::vector<Outcome> outcomes;
	double seconds = 0;		// wall clock, first request to last end
	double cpu_busy_seconds = 0;	// all CPUs, from /proc/stat
	double cpu_total_seconds = 0;
	double self_cpu_seconds = 0;	// this process (getrusage)
};

// Throws std::system_error on a socket error, std::invalid_argument on a
// bad host.
RunResult run(const RunConfig &cfg);

} // namespace ktftp_bench
