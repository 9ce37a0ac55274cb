// SPDX-License-Identifier: GPL-2.0
// ktftp-bench: N concurrent TFTP downloads against any server, every byte
// checked (SHA-256, or XXH3-128 with --digest xxh3); throughput, packet rate, completion percentiles,
// failures, retransmissions and CPU time, as text or JSON.
//
//   ktftp-bench --host 127.0.0.1 --port 69 --file big.bin --verify-dir /srv/tftp
//               [--digest xxh3] --clients 500 [--threads 2] --repeat 1 --blksize 1468
//               --windowsize 16 [--json]
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <map>

#include <sys/resource.h>

#include "engine.hpp"
#include "report.hpp"

using namespace ktftp_bench;

namespace {

std::string digest_of_file(const std::string &path, DigestKind kind)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		throw std::runtime_error("cannot read " + path);
	Digest d(kind);
	std::vector<std::uint8_t> buf(1 << 20);
	while (f) {
		f.read(reinterpret_cast<char *>(buf.data()), static_cast<std::streamsize>(buf.size()));
		d.update(std::span(buf.data(), static_cast<std::size_t>(f.gcount())));
	}
	return d.hex();
}

// One socket per transfer in flight: lift the open-file limit to fit,
// which a default soft limit of 1024 would not for a 1000-client storm.
void fit_open_files(unsigned clients)
{
	rlim_t want = clients + 64;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;	/* allowed for root only */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		throw std::runtime_error("cannot raise the open-file limit to " +
					 std::to_string(want) + " for --clients " +
					 std::to_string(clients) + " (ulimit -n)");
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"ktftp-bench: concurrent TFTP downloads, every byte checked"};
	RunConfig cfg;
	std::uint64_t repeat = 1, transfers = 0;
	unsigned timeout_ms = 1000;
	std::string verify_dir;
	std::vector<std::string> sums;
	std::string digest = "sha256";
	bool json = false;
	app.add_option("--host", cfg.host, "Server address (IPv4 or IPv6)")->capture_default_str();
	app.add_option("--port", cfg.port, "Server port")->capture_default_str()->check(CLI::Range(1, 65535));
	app.add_option("-f,--file", cfg.files, "File to fetch (repeatable; transfers take them in turn)")->required();
	app.add_option("-c,--clients", cfg.clients, "Transfers in flight at once")
		->capture_default_str()->check(CLI::Range(1, 100000));
	app.add_option("-T,--threads", cfg.threads,
		       "Client threads, each with its own epoll and share of the clients")
		->capture_default_str()->check(CLI::Range(1, 256));
	auto *rep = app.add_option("-r,--repeat", repeat, "Transfers per client")
		->capture_default_str()->check(CLI::Range(1, 1000000));
	app.add_option("-n,--transfers", transfers, "Transfers in all (instead of --repeat)")
		->check(CLI::Range(1, 100000000))->excludes(rep);
	app.add_option("-b,--blksize", cfg.session.blksize, "blksize to ask for (RFC 2348)")
		->capture_default_str()->check(CLI::Range(8, 65464));
	app.add_option("-w,--windowsize", cfg.session.windowsize, "windowsize to ask for (RFC 7440)")
		->capture_default_str()->check(CLI::Range(1, 65535));
	app.add_option("-t,--timeout", timeout_ms, "Milliseconds before resending")
		->capture_default_str()->check(CLI::Range(10, 60000));
	app.add_option("--retries", cfg.session.retries, "Resends of one packet before a transfer fails")
		->capture_default_str()->check(CLI::Range(0, 100));
	app.add_option("--digest", digest, "What every transfer is checked with: sha256, or xxh3 (XXH3-128, far cheaper)")
		->capture_default_str()->check(CLI::IsMember({"sha256", "xxh3"}));
	app.add_option("--verify-dir", verify_dir, "Directory with the same files: their digest is the reference");
	app.add_option("--expect", sums, "FILE=HEX: the digest a file must have (repeatable)");
	app.add_flag("-j,--json", json, "JSON output");
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? 0 : 64;
	}
	cfg.session.timeout = std::chrono::milliseconds(timeout_ms);
	cfg.session.digest = *parse_digest_kind(digest);	// CLI11 checked it
	cfg.transfers = transfers ? transfers : repeat * cfg.clients;

	std::map<std::string, std::string> expected;
	try {
		for (const auto &s : sums) {
			auto eq = s.find('=');
			auto hex = digest_hex_len(cfg.session.digest);
			if (eq == std::string::npos || s.size() - eq - 1 != hex)
				throw std::invalid_argument("--expect wants FILE=<" + std::to_string(hex) +
							    " hex digits of " + digest + ">: " + s);
			expected[s.substr(0, eq)] = s.substr(eq + 1);
		}
		for (const auto &f : cfg.files) {
			if (expected.count(f))
				continue;
			if (verify_dir.empty())
				throw std::invalid_argument("no checksum for " + f +
							    ": give --verify-dir or --expect");
			expected[f] = digest_of_file(verify_dir + "/" + f, cfg.session.digest);
		}
	} catch (const std::exception &e) {
		std::cerr << "ktftp-bench: " << e.what() << "\n";
		return 64;
	}

	RunResult r;
	try {
		fit_open_files(cfg.clients);
		r = run(cfg);
	} catch (const std::exception &e) {
		std::cerr << "ktftp-bench: " << e.what() << "\n";
		return 69;
	}
	Summary s = summarize(r, expected);
	if (json)
		std::cout << to_json(s).dump() << "\n";
	else
		std::cout << to_text(s);
	return s.failed ? 1 : 0;
}
