// SPDX-License-Identifier: GPL-2.0
// ktftp-blast: the loopback ceiling for the benchmark (scenario S5).  A
// sender thread writes datagrams of one size to a receiver thread over
// UDP on loopback as fast as both can; the receiver counts what arrives.
// No protocol, no ACKs, no files: the packet rate a TFTP server on this
// machine could at best approach.
//
//   ktftp-blast [--size 1472] [--seconds 3] [--json]
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

class Socket {
public:
	Socket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
	{
		if (fd_ < 0)
			throw std::runtime_error("socket failed");
	}
	Socket(const Socket &) = delete;
	Socket &operator=(const Socket &) = delete;
	~Socket() { ::close(fd_); }
	int get() const { return fd_; }

private:
	int fd_;
};

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"ktftp-blast: loopback UDP ceiling (sender/receiver pair)"};
	unsigned size = 1472;	// a DATA packet of blksize 1468
	double seconds = 3;
	bool json = false;
	app.add_option("--size", size, "Datagram payload bytes")->capture_default_str()->check(CLI::Range(1, 65507));
	app.add_option("--seconds", seconds, "How long to send")->capture_default_str()->check(CLI::Range(0.1, 600.0));
	app.add_flag("-j,--json", json, "JSON output");
	CLI11_PARSE(app, argc, argv);

	Socket rx, tx;
	sockaddr_in addr{};
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int big = 4 << 20;
	setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	timeval tv{0, 200000};	// the receiver notices the end within 0.2 s
	setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	socklen_t len = sizeof(addr);
	if (bind(rx.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0 ||
	    getsockname(rx.get(), reinterpret_cast<sockaddr *>(&addr), &len) < 0 ||
	    connect(tx.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0) {
		std::perror("ktftp-blast: loopback socket");
		return 69;
	}

	std::atomic<bool> sending{true};
	std::uint64_t received = 0, received_bytes = 0, sent = 0;
	std::thread receiver([&] {
		std::vector<char> buf(65536);
		for (;;) {
			ssize_t n = recv(rx.get(), buf.data(), buf.size(), 0);
			if (n >= 0) {
				received++;
				received_bytes += static_cast<std::uint64_t>(n);
			} else if (!sending.load()) {
				break;	// timed out after the sender stopped
			}
		}
	});
	std::vector<char> payload(size, 'x');
	auto t0 = std::chrono::steady_clock::now();
	auto until = t0 + std::chrono::duration<double>(seconds);
	while (std::chrono::steady_clock::now() < until) {
		for (int i = 0; i < 64; i++)	// read the clock once per 64 sends
			if (send(tx.get(), payload.data(), payload.size(), 0) >= 0)
				sent++;
	}
	double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	sending = false;
	receiver.join();

	double pps = static_cast<double>(received) / elapsed;
	double mbps = static_cast<double>(received_bytes) / 1e6 / elapsed;
	if (json) {
		nlohmann::ordered_json j = {{"size", size}, {"seconds", elapsed}, {"sent", sent},
					    {"received", received}, {"packets_per_s", pps}, {"mb_per_s", mbps}};
		std::cout << j.dump() << "\n";
	} else {
		std::printf("%u-byte datagrams: %llu sent, %llu received in %.2f s: %.0f packets/s, %.2f MB/s\n",
			    size, static_cast<unsigned long long>(sent),
			    static_cast<unsigned long long>(received), elapsed, pps, mbps);
	}
	return received ? 0 : 1;
}
