// SPDX-License-Identifier: GPL-2.0
// The numbers a run reports, and their text and JSON forms.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine.hpp"

namespace ktftp_bench {

// The p-th percentile (0..100) of @v by nearest rank; 0 for an empty @v.
double percentile(std::vector<double> v, double p);

struct Summary {
	std::uint64_t transfers = 0, ok = 0, failed = 0, bad_data = 0;
	std::uint64_t bytes = 0, data_packets = 0, duplicates = 0, resends = 0, fell_back = 0;
	double seconds = 0, mb_per_s = 0, packets_per_s = 0;
	double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
	double cpu_busy_seconds = 0, cpu_utilisation = 0, self_cpu_seconds = 0;
	unsigned blksize = 0, windowsize = 0;	// as negotiated (the first transfer's)
	std::vector<std::string> errors;	// the first few, for the reader
};

// @expected: file -> digest hex (the run's kind); a transfer whose digest differs (or whose
// file has none) counts as bad_data and as failed.
Summary summarize(const RunResult &r, const std::map<std::string, std::string> &expected);
std::string to_text(const Summary &s);
nlohmann::ordered_json to_json(const Summary &s);

} // namespace ktftp_bench
