// SPDX-License-Identifier: GPL-2.0
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ktftp_bench {

double percentile(std::vector<double> v, double p)
{
	if (v.empty())
		return 0;
	std::sort(v.begin(), v.end());
	auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
	return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

Summary summarize(const RunResult &r, const std::map<std::string, std::string> &expected)
{
	Summary s;
	std::vector<double> ms;
	for (const auto &o : r.outcomes) {
		s.transfers++;
		s.bytes += o.bytes;
		s.data_packets += o.data_packets;
		s.duplicates += o.duplicates;
		s.resends += o.resends;
		s.fell_back += o.fell_back;
		if (s.transfers == 1) {
			s.blksize = o.blksize;
			s.windowsize = o.windowsize;
		}
		bool good = o.ok;
		std::string why = o.error;
		if (good) {
			auto want = expected.find(o.file);
			if (want == expected.end() || want->second != o.digest) {
				good = false;
				s.bad_data++;
				why = want == expected.end() ? "no checksum known for " + o.file
							     : o.file + ": digest " + o.digest + " != " + want->second;
			}
		}
		if (good) {
			s.ok++;
			ms.push_back(o.seconds * 1000);
		} else {
			s.failed++;
			if (s.errors.size() < 5)
				s.errors.push_back(o.file + ": " + why);
		}
	}
	s.seconds = r.seconds;
	if (r.seconds > 0) {
		s.mb_per_s = static_cast<double>(s.bytes) / 1e6 / r.seconds;
		s.packets_per_s = static_cast<double>(s.data_packets) / r.seconds;
	}
	s.p50_ms = percentile(ms, 50);
	s.p95_ms = percentile(ms, 95);
	s.p99_ms = percentile(ms, 99);
	s.max_ms = percentile(ms, 100);
	s.cpu_busy_seconds = r.cpu_busy_seconds;
	s.cpu_utilisation = r.cpu_total_seconds > 0 ? r.cpu_busy_seconds / r.cpu_total_seconds : 0;
	s.self_cpu_seconds = r.self_cpu_seconds;
	return s;
}

namespace {

// printf into a std::string (GCC 12 has no <format>).
template <typename... Args>
std::string strf(const char *fmt, Args... args)
{
	int n = std::snprintf(nullptr, 0, fmt, args...);
	std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
	std::snprintf(out.data(), out.size() + 1, fmt, args...);
	return out;
}

unsigned long long ull(std::uint64_t v) { return v; }

} // namespace

std::string to_text(const Summary &s)
{
	std::string t;
	t += strf("transfers      %llu ok, %llu failed (%llu with wrong data)\n",
		  ull(s.ok), ull(s.failed), ull(s.bad_data));
	t += strf("negotiated     blksize %u, windowsize %u", s.blksize, s.windowsize);
	if (s.fell_back)
		t += strf(" (%llu fell back: option refused)", ull(s.fell_back));
	t += "\n";
	t += strf("throughput     %.2f MB/s, %.0f DATA packets/s (%llu bytes in %.3f s)\n",
		  s.mb_per_s, s.packets_per_s, ull(s.bytes), s.seconds);
	t += strf("completion     p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		  s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms);
	t += strf("retransmission %llu DATA seen twice or out of order, %llu resent by us\n",
		  ull(s.duplicates), ull(s.resends));
	t += strf("cpu            %.2f s busy (%.0f%% of all CPUs), this client %.2f s\n",
		  s.cpu_busy_seconds, s.cpu_utilisation * 100, s.self_cpu_seconds);
	for (const auto &e : s.errors)
		t += "error          " + e + "\n";
	return t;
}

nlohmann::ordered_json to_json(const Summary &s)
{
	return {
		{"transfers", s.transfers}, {"ok", s.ok}, {"failed", s.failed},
		{"bad_data", s.bad_data}, {"blksize", s.blksize}, {"windowsize", s.windowsize},
		{"fell_back", s.fell_back}, {"bytes", s.bytes}, {"seconds", s.seconds},
		{"mb_per_s", s.mb_per_s}, {"packets_per_s", s.packets_per_s},
		{"data_packets", s.data_packets}, {"duplicates", s.duplicates},
		{"resends", s.resends}, {"p50_ms", s.p50_ms}, {"p95_ms", s.p95_ms},
		{"p99_ms", s.p99_ms}, {"max_ms", s.max_ms},
		{"cpu_busy_seconds", s.cpu_busy_seconds}, {"cpu_utilisation", s.cpu_utilisation},
		{"self_cpu_seconds", s.self_cpu_seconds}, {"errors", s.errors},
	};
}

} // namespace ktftp_bench
