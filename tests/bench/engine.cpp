// SPDX-License-Identifier: GPL-2.0
#include "engine.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <fstream>
#include <iterator>
#include <thread>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace ktftp_bench {

namespace {

// A file descriptor, closed once.
class Fd {
public:
	explicit Fd(int fd = -1) : fd_(fd) {}
	Fd(Fd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	Fd &operator=(Fd &&o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = std::exchange(o.fd_, -1);
		}
		return *this;
	}
	~Fd() { reset(); }
	int get() const { return fd_; }
	void reset()
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = -1;
	}

private:
	int fd_;
};

[[noreturn]] void die(const char *what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

struct Peer {
	sockaddr_storage addr{};
	socklen_t len = 0;
};

Peer resolve(const std::string &host, std::uint16_t port)
{
	Peer p;
	auto *v4 = reinterpret_cast<sockaddr_in *>(&p.addr);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&p.addr);
	if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		p.len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		p.len = sizeof(*v6);
	} else {
		throw std::invalid_argument("not an IPv4 or IPv6 address: " + host);
	}
	return p;
}

// Busy and total CPU time of the whole machine (all CPUs), in seconds.
std::pair<double, double> cpu_times()
{
	std::ifstream f("/proc/stat");
	std::string cpu;
	unsigned long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0,
			   softirq = 0, steal = 0;
	f >> cpu >> user >> nice >> sys >> idle >> iowait >> irq >> softirq >> steal;
	double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
	double busy = static_cast<double>(user + nice + sys + irq + softirq + steal) / hz;
	return {busy, busy + static_cast<double>(idle + iowait) / hz};
}

double self_cpu()
{
	rusage ru{};
	getrusage(RUSAGE_SELF, &ru);
	auto s = [](const timeval &t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
	return s(ru.ru_utime) + s(ru.ru_stime);
}

struct Slot {
	Fd sock;
	std::unique_ptr<Session> session;
	bool connected = false;	// to the transfer's TID, after its first reply
};

class Engine {
public:
	explicit Engine(const RunConfig &cfg)
		: cfg_(cfg), server_(resolve(cfg.host, cfg.port)), epoll_(epoll_create1(EPOLL_CLOEXEC))
	{
		if (epoll_.get() < 0)
			die("epoll_create1");
		if (cfg_.files.empty())
			throw std::invalid_argument("no file to fetch");
		slots_.resize(std::max(1u, cfg_.clients));
	}

	// Every transfer's outcome, in the order they ended.
	std::vector<Outcome> run()
	{
		auto t0 = Clock::now();
		for (std::size_t i = 0; i < slots_.size() && started_ < cfg_.transfers; i++)
			begin(i, t0);
		std::vector<epoll_event> events(256);
		Bytes buf(65536 + 4);
		auto next_scan = t0;
		while (active_ > 0) {
			// Timers have 5 ms grain: wake at least that often.
			int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 5);
			if (n < 0 && errno != EINTR)
				die("epoll_wait");
			auto now = Clock::now();
			for (int k = 0; k < n; k++)
				readable(events[k].data.u32, buf, now);
			if (now >= next_scan) {	// timers: scanned at most every 5 ms
				timeouts(now);
				next_scan = now + std::chrono::milliseconds(5);
			}
		}
		return std::move(outcomes_);
	}

private:
	void begin(std::size_t i, Clock::time_point now)
	{
		Slot &s = slots_[i];
		Fd sock(::socket(server_.addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
		if (sock.get() < 0)
			die("socket");
		int rcvbuf = 1 << 20;	// a whole window of big blocks
		setsockopt(sock.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		epoll_event ev{};
		ev.events = EPOLLIN;
		ev.data.u32 = static_cast<std::uint32_t>(i);
		if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, sock.get(), &ev) < 0)
			die("epoll_ctl");
		SessionConfig sc = cfg_.session;
		sc.file = cfg_.files[started_ % cfg_.files.size()];
		s.session = std::make_unique<Session>(sc);
		s.sock = std::move(sock);
		s.connected = false;
		started_++;
		active_++;
		send_to_server(s, s.session->start(now));
	}

	void send_to_server(Slot &s, const Bytes &b)
	{
		if (s.connected)
			::send(s.sock.get(), b.data(), b.size(), 0);
		else
			::sendto(s.sock.get(), b.data(), b.size(), 0,
				 reinterpret_cast<const sockaddr *>(&server_.addr), server_.len);
		// A send that fails (a full buffer) is a lost packet: the
		// session's timer resends it, as over a real network.
	}

	void readable(std::uint32_t i, Bytes &buf, Clock::time_point now)
	{
		Slot &s = slots_[i];
		// A server that answers within our own sendto() (ktftpd's fast
		// path) keeps this socket readable for a whole transfer: take a
		// bounded batch, so other sessions and the timers get their turn
		// (epoll is level-triggered), and read the clock per packet.
		for (int batch = 0; batch < 64 && s.session && !s.session->finished(); batch++) {
			if (batch)
				now = Clock::now();
			sockaddr_storage from{};
			socklen_t len = sizeof(from);
			ssize_t n = ::recvfrom(s.sock.get(), buf.data(), buf.size(), 0,
					       reinterpret_cast<sockaddr *>(&from), &len);
			if (n < 0)
				break;	// EAGAIN, or an ICMP error: the timer decides
			if (!s.connected) {
				// The transfer's TID: from now on only it gets through.
				if (::connect(s.sock.get(), reinterpret_cast<sockaddr *>(&from), len) == 0)
					s.connected = true;
			}
			auto reply = s.session->on_packet(std::span(buf.data(), static_cast<std::size_t>(n)), now);
			if (reply)
				send_to_server(s, *reply);
		}
		if (s.session && s.session->finished())
			end(i, now);
	}

	void timeouts(Clock::time_point now)
	{
		for (std::size_t i = 0; i < slots_.size(); i++) {
			Slot &s = slots_[i];
			if (!s.session || s.session->finished() || now < s.session->deadline())
				continue;
			if (auto again = s.session->on_timeout(now))
				send_to_server(s, *again);
			if (s.session->finished())
				end(i, now);
		}
	}

	void end(std::size_t i, Clock::time_point now)
	{
		Slot &s = slots_[i];
		const Session &x = *s.session;
		Outcome o;
		o.file = x.file();
		o.ok = x.state() == Session::State::Done;
		o.error = x.error();
		o.digest = x.digest();
		o.bytes = x.bytes();
		o.data_packets = x.data_packets();
		o.duplicates = x.duplicates();
		o.resends = x.resends();
		o.blksize = x.blksize();
		o.windowsize = x.windowsize();
		o.fell_back = x.fell_back();
		o.seconds = std::chrono::duration<double>(x.elapsed()).count();
		outcomes_.push_back(std::move(o));
		s.session.reset();
		s.sock.reset();	// closing it takes it out of the epoll set
		active_--;
		if (started_ < cfg_.transfers)
			begin(i, now);
	}

	const RunConfig &cfg_;
	Peer server_;
	Fd epoll_;
	std::vector<Slot> slots_;
	std::vector<Outcome> outcomes_;
	std::uint64_t started_ = 0;
	std::size_t active_ = 0;
};

std::vector<RunConfig> split(const RunConfig &cfg)
{
	unsigned threads = std::clamp(cfg.threads, 1u, std::max(1u, cfg.clients));
	std::vector<RunConfig> parts;
	std::uint64_t files_before = 0;
	for (unsigned t = 0; t < threads; t++) {
		RunConfig c = cfg;
		c.threads = 1;
		c.clients = cfg.clients / threads + (t < cfg.clients % threads);
		c.transfers = cfg.transfers / threads + (t < cfg.transfers % threads);
		// Transfer i of the whole run fetches files[i % n], as one
		// thread would have it: each part starts where the last ended.
		std::rotate(c.files.begin(),
			    c.files.begin() + static_cast<std::ptrdiff_t>(files_before % c.files.size()),
			    c.files.end());
		files_before += c.transfers;
		if (c.transfers)
			parts.push_back(std::move(c));
	}
	return parts;
}

} // namespace

RunResult run(const RunConfig &cfg)
{
	if (cfg.files.empty())
		throw std::invalid_argument("no file to fetch");
	std::vector<RunConfig> parts = split(cfg);
	// Each part's engine is made here, so a bad host throws before any
	// thread starts.
	std::vector<std::unique_ptr<Engine>> engines;
	for (const auto &c : parts)
		engines.push_back(std::make_unique<Engine>(c));
	std::vector<std::vector<Outcome>> outcomes(parts.size());
	std::vector<std::exception_ptr> errors(parts.size());

	RunResult r;
	auto [busy0, total0] = cpu_times();
	double self0 = self_cpu();
	auto t0 = Clock::now();
	{
		std::vector<std::jthread> threads;
		for (std::size_t t = 1; t < parts.size(); t++)
			threads.emplace_back([&, t] {
				try {
					outcomes[t] = engines[t]->run();
				} catch (...) {
					errors[t] = std::current_exception();
				}
			});
		try {
			outcomes[0] = engines[0]->run();
		} catch (...) {
			errors[0] = std::current_exception();
		}
	}	// the jthreads join here
	r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
	auto [busy1, total1] = cpu_times();
	r.cpu_busy_seconds = busy1 - busy0;
	r.cpu_total_seconds = total1 - total0;
	r.self_cpu_seconds = self_cpu() - self0;
	for (auto &e : errors)
		if (e)
			std::rethrow_exception(e);
	for (auto &o : outcomes)
		std::move(o.begin(), o.end(), std::back_inserter(r.outcomes));
	return r;
}

} // namespace ktftp_bench
