// SPDX-License-Identifier: GPL-2.0
// ktftp-blast: the ceilings a TFTP server on this machine is measured
// against.  No protocol, no files: what UDP alone can do.
//
// --mode stream (scenario S5): a sender thread writes datagrams of one
// size to a receiver thread over loopback as fast as both can; the
// receiver counts what arrives.  The most DATA packets a windowed
// transfer could move.
//
// --mode lockstep: --clients sockets, shared out over --threads client
// threads (each with its own epoll), each sending a --request-byte
// datagram (an ACK) and waiting for one --size-byte reply (a DATA) before
// the next: the shape of N lock-step transfers.  The replies come from a
// reflector, one thread per --reflectors on SO_REUSEPORT sockets, that
// answers each request with recvmmsg/sendmmsg batches.  A lock-step
// server can at best approach this; a server that answers in softirq (no
// wakeup of a process) can pass it.  With --host, the clients talk to a
// reflector elsewhere (another machine on a link) instead of their own.
//
// --mode reflect: the reflector alone, on --bind (loopback unless told)
// and --port, for --seconds: the other end of a --host lock-step run.
// Never on every address by default: it answers 4 bytes with 1472, to
// whatever source a request claims, an amplifier for a spoofed flood.
//
//   ktftp-blast [--mode stream|lockstep|reflect] [--size 1472] [--seconds 3]
//               [--clients 500] [--threads 2] [--reflectors 2]
//               [--host ADDR] [--bind ADDR] [--port PORT] [--json]
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

class Fd {
public:
	explicit Fd(int fd) : fd_(fd)
	{
		if (fd_ < 0)
			throw std::runtime_error("socket or epoll failed");
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	Fd(Fd &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	int get() const { return fd_; }

private:
	int fd_;
};

Fd udp_socket(int flags = 0)
{
	return Fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | flags, 0));
}

sockaddr_in ipv4(const std::string &host, std::uint16_t port)
{
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1)
		throw std::invalid_argument("not an IPv4 address: " + host);
	return a;
}

sockaddr_in loopback(std::uint16_t port = 0)
{
	return ipv4("127.0.0.1", port);
}

void check(bool ok, const char *what)
{
	if (!ok)
		throw std::system_error(errno, std::generic_category(), what);
}

struct Figures {
	std::uint64_t sent = 0, received = 0, received_bytes = 0;
	double seconds = 0;
};

Figures stream(unsigned size, double seconds)
{
	Fd rx = udp_socket(), tx = udp_socket();
	sockaddr_in addr = loopback();
	int big = 4 << 20;
	setsockopt(rx.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	timeval tv{0, 200000};	// the receiver notices the end within 0.2 s
	setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	socklen_t len = sizeof(addr);
	check(bind(rx.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0 &&
	      getsockname(rx.get(), reinterpret_cast<sockaddr *>(&addr), &len) == 0 &&
	      connect(tx.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0,
	      "loopback socket");

	std::atomic<bool> sending{true};
	Figures f;
	std::jthread receiver([&] {
		std::vector<char> buf(65536);
		for (;;) {
			ssize_t n = recv(rx.get(), buf.data(), buf.size(), 0);
			if (n >= 0) {
				f.received++;
				f.received_bytes += static_cast<std::uint64_t>(n);
			} else if (!sending.load()) {
				break;	// timed out after the sender stopped
			}
		}
	});
	std::vector<char> payload(size, 'x');
	auto t0 = Clock::now();
	auto until = t0 + std::chrono::duration<double>(seconds);
	while (Clock::now() < until) {
		for (int i = 0; i < 64; i++)	// read the clock once per 64 sends
			if (send(tx.get(), payload.data(), payload.size(), 0) >= 0)
				f.sent++;
	}
	f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
	sending = false;
	receiver.join();
	return f;
}

// One reflector thread: answer every request on @sock with @size bytes,
// in batches, until @running drops (noticed within the receive timeout).
void reflect(int sock, unsigned size, const std::atomic<bool> &running)
{
	constexpr unsigned batch = 64;
	std::vector<char> reply(size, 'd');
	std::vector<std::array<char, 64>> in(batch);
	std::vector<sockaddr_in> from(batch);
	std::vector<iovec> rx_iov(batch), tx_iov(batch);
	std::vector<mmsghdr> rx(batch), tx(batch);
	for (unsigned i = 0; i < batch; i++) {
		rx_iov[i] = {in[i].data(), in[i].size()};
		tx_iov[i] = {reply.data(), reply.size()};
	}
	while (running.load(std::memory_order_relaxed)) {
		for (unsigned i = 0; i < batch; i++) {
			rx[i] = {};
			rx[i].msg_hdr.msg_iov = &rx_iov[i];
			rx[i].msg_hdr.msg_iovlen = 1;
			rx[i].msg_hdr.msg_name = &from[i];
			rx[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		int n = recvmmsg(sock, rx.data(), batch, MSG_WAITFORONE, nullptr);
		if (n <= 0)
			continue;	// the timeout: look at @running again
		for (int i = 0; i < n; i++) {
			tx[i] = {};
			tx[i].msg_hdr.msg_iov = &tx_iov[i];
			tx[i].msg_hdr.msg_iovlen = 1;
			tx[i].msg_hdr.msg_name = &from[i];
			tx[i].msg_hdr.msg_namelen = rx[i].msg_hdr.msg_namelen;
		}
		sendmmsg(sock, tx.data(), static_cast<unsigned>(n), 0);
	}
}

// One client thread: @clients sockets in lock-step with the reflector
// until @until; what it sent and received.
Figures lockstep_clients(const sockaddr_in &to, unsigned clients, unsigned request,
			 Clock::time_point until)
{
	Fd ep(epoll_create1(EPOLL_CLOEXEC));
	std::vector<Fd> socks;
	std::vector<char> req(request, 'a'), buf(65536);
	Figures f;
	auto resend_at = Clock::now() + std::chrono::milliseconds(200);
	for (unsigned i = 0; i < clients; i++) {
		socks.push_back(udp_socket(SOCK_NONBLOCK));
		int fd = socks.back().get();
		check(connect(fd, reinterpret_cast<const sockaddr *>(&to), sizeof(to)) == 0,
		      "connect");
		epoll_event ev{};
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		check(epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl");
		if (send(fd, req.data(), req.size(), 0) >= 0)
			f.sent++;
	}
	std::vector<epoll_event> events(256);
	std::vector<bool> answered(clients);
	while (Clock::now() < until) {
		int n = epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), 50);
		for (int k = 0; k < n; k++) {
			int fd = socks[events[k].data.u32].get();
			ssize_t got = recv(fd, buf.data(), buf.size(), 0);
			if (got < 0)
				continue;
			f.received++;
			f.received_bytes += static_cast<std::uint64_t>(got);
			answered[events[k].data.u32] = true;
			if (send(fd, req.data(), req.size(), 0) >= 0)
				f.sent++;
		}
		// A lost request or reply (a full buffer) would stop its
		// socket for good: send again what went unanswered.
		if (Clock::now() >= resend_at) {
			for (unsigned i = 0; i < clients; i++) {
				if (!answered[i])
					send(socks[i].get(), req.data(), req.size(), 0);
				answered[i] = false;
			}
			resend_at = Clock::now() + std::chrono::milliseconds(200);
		}
	}
	return f;
}

// Reflector sockets on @addr (port 0: the kernel picks one, written back).
std::vector<Fd> reflector_sockets(sockaddr_in &addr, unsigned reflectors)
{
	std::vector<Fd> socks;
	for (unsigned i = 0; i < reflectors; i++) {
		socks.push_back(udp_socket());
		int fd = socks.back().get(), one = 1, big = 4 << 20;
		timeval tv{0, 100000};
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		socklen_t len = sizeof(addr);
		check(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0 &&
		      getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0,
		      "reflector socket");
	}
	return socks;
}

// The reflector alone, on @bind:@port, for @seconds.
void reflect_only(const std::string &bind, std::uint16_t port, unsigned size, double seconds,
		  unsigned reflectors)
{
	sockaddr_in addr = ipv4(bind, port);
	std::vector<Fd> socks = reflector_sockets(addr, reflectors);
	std::atomic<bool> running{true};
	{
		std::vector<std::jthread> reflecting;
		for (auto &s : socks)
			reflecting.emplace_back([&, fd = s.get()] { reflect(fd, size, running); });
		std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
		running = false;
	}
}

// Lock-step clients against the reflector at @host:@port, or (@host
// empty) against reflectors of their own on loopback.
Figures lockstep(unsigned size, unsigned request, double seconds, unsigned clients,
		 unsigned threads, unsigned reflectors, const std::string &host,
		 std::uint16_t port)
{
	sockaddr_in addr = loopback();
	std::vector<Fd> socks;
	if (host.empty())
		socks = reflector_sockets(addr, reflectors);
	else
		addr = ipv4(host, port);
	std::atomic<bool> running{true};
	std::vector<std::jthread> reflecting;
	for (auto &s : socks)
		reflecting.emplace_back([&, fd = s.get()] { reflect(fd, size, running); });

	std::vector<Figures> per(threads);
	auto t0 = Clock::now();
	auto until = t0 + std::chrono::duration_cast<Clock::duration>(
				  std::chrono::duration<double>(seconds));
	{
		std::vector<std::jthread> clienting;
		for (unsigned t = 0; t < threads; t++)
			clienting.emplace_back([&, t] {
				per[t] = lockstep_clients(addr, clients / threads + (t < clients % threads),
							  request, until);
			});
	}
	Figures f;
	f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
	running = false;
	for (const auto &p : per) {
		f.sent += p.sent;
		f.received += p.received;
		f.received_bytes += p.received_bytes;
	}
	return f;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"ktftp-blast: UDP ceilings on loopback (one-way stream, or lock-step)"};
	std::string mode = "stream";
	unsigned size = 1472;	// a DATA packet of blksize 1468
	unsigned request = 4;	// an ACK
	unsigned clients = 500, threads = 1, reflectors = 2;
	double seconds = 3;
	bool json = false;
	std::string host, bind = "127.0.0.1";
	std::uint16_t port = 0;
	app.add_option("--mode", mode,
		       "stream: one-way sender to receiver; lockstep: request, reply; reflect: the replier alone")
		->capture_default_str()->check(CLI::IsMember({"stream", "lockstep", "reflect"}));
	app.add_option("--host", host, "lockstep: the reflector's IPv4 address (default: one of our own)");
	app.add_option("--bind", bind, "reflect: the IPv4 address to answer on")->capture_default_str();
	app.add_option("--port", port, "lockstep with --host, and reflect: the reflector's port")
		->check(CLI::Range(1, 65535));
	app.add_option("--size", size, "Datagram (reply) payload bytes")->capture_default_str()->check(CLI::Range(1, 65507));
	app.add_option("--request", request, "lockstep: request payload bytes")->capture_default_str()->check(CLI::Range(1, 64));
	app.add_option("--clients", clients, "lockstep: sockets in lock-step at once")->capture_default_str()->check(CLI::Range(1, 100000));
	app.add_option("--threads", threads, "lockstep: client threads")->capture_default_str()->check(CLI::Range(1, 256));
	app.add_option("--reflectors", reflectors, "lockstep: reflector threads")->capture_default_str()->check(CLI::Range(1, 256));
	app.add_option("--seconds", seconds, "How long to send")->capture_default_str()->check(CLI::Range(0.1, 600.0));
	app.add_flag("-j,--json", json, "JSON output");
	CLI11_PARSE(app, argc, argv);

	threads = std::min(threads, clients);	// no thread without a socket
	if ((mode == "reflect" || !host.empty()) && !port) {
		std::cerr << "ktftp-blast: --mode reflect and --host need --port\n";
		return 64;
	}
	Figures f;
	try {
		if (mode == "reflect") {
			reflect_only(bind, port, size, seconds, reflectors);
			return 0;
		}
		if (mode == "stream")
			f = stream(size, seconds);
		else
			f = lockstep(size, request, seconds, clients, threads, reflectors, host, port);
	} catch (const std::exception &e) {
		std::cerr << "ktftp-blast: " << e.what() << "\n";
		return 69;
	}

	double pps = static_cast<double>(f.received) / f.seconds;
	double mbps = static_cast<double>(f.received_bytes) / 1e6 / f.seconds;
	if (json) {
		nlohmann::ordered_json j = {{"mode", mode}, {"size", size}, {"seconds", f.seconds},
					    {"sent", f.sent}, {"received", f.received},
					    {"packets_per_s", pps}, {"mb_per_s", mbps}};
		if (mode == "lockstep") {
			j["clients"] = clients;
			j["threads"] = threads;
			if (host.empty())
				j["reflectors"] = reflectors;
			else
				j["host"] = host;
		}
		std::cout << j.dump() << "\n";
	} else {
		std::printf("%s, %u-byte datagrams: %llu sent, %llu received in %.2f s: %.0f packets/s, %.2f MB/s\n",
			    mode.c_str(), size, static_cast<unsigned long long>(f.sent),
			    static_cast<unsigned long long>(f.received), f.seconds, pps, mbps);
	}
	return f.received ? 0 : 1;
}
