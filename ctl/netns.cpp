// SPDX-License-Identifier: GPL-2.0
#include "netns.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "errors.hpp"

namespace ktftpd {
namespace {

// The descriptor of the namespace file, closed on every path out.
class Fd {
public:
	explicit Fd(int fd) : fd_(fd) {}
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	int get() const { return fd_; }

private:
	int fd_;
};

} // namespace

std::string netns_path(const std::string &name_or_path)
{
	if (name_or_path.find('/') != std::string::npos)
		return name_or_path;
	// ip-netns(8)'s names: a file in /run/netns, never . or .. there.
	if (name_or_path.empty() || name_or_path == "." || name_or_path == "..")
		throw Failure(EXIT_USAGE, "--netns: \"" + name_or_path +
					  "\" is not a namespace name");
	return "/run/netns/" + name_or_path;
}

void enter_netns(const std::string &name_or_path)
{
	const std::string path = netns_path(name_or_path);
	Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (fd.get() < 0) {
		int err = errno;
		throw Failure(err == EACCES ? EXIT_NOPERM : EXIT_DATAERR,
			      "--netns: cannot open " + path + ": " + std::strerror(err));
	}
	if (::setns(fd.get(), CLONE_NEWNET) == 0)
		return;
	int err = errno;
	if (err == EPERM)
		throw Failure(EXIT_NOPERM, "--netns: entering " + path +
					   " needs CAP_SYS_ADMIN over its user namespace");
	if (err == EINVAL)
		throw Failure(EXIT_DATAERR, "--netns: " + path + " is not a network namespace");
	throw Failure(EXIT_FAILURE_OTHER, "--netns: setns " + path + ": " + std::strerror(err));
}

} // namespace ktftpd
