// SPDX-License-Identifier: GPL-2.0
// Failures a person can act on, each with its sysexits(3) exit status.
#pragma once

#include <stdexcept>
#include <string>

namespace ktftpd {

enum ExitCode : int {
	EXIT_OK = 0,
	EXIT_FAILURE_OTHER = 1,	// the kernel refused for another reason
	EXIT_USAGE = 64,	// EX_USAGE: bad command line
	EXIT_DATAERR = 65,	// EX_DATAERR: a bad value
	EXIT_UNAVAILABLE = 69,	// EX_UNAVAILABLE: module not loaded
	EXIT_CANTCREAT = 73,	// EX_CANTCREAT: an output file not written
	EXIT_NOPERM = 77,	// EX_NOPERM: needs CAP_NET_ADMIN
	EXIT_CONFIG = 78,	// EX_CONFIG: a bad config file
};

class Failure : public std::runtime_error {
public:
	Failure(int exit_code, const std::string &what)
		: std::runtime_error(what), code_(exit_code) {}
	int exit_code() const { return code_; }

private:
	int code_;
};

} // namespace ktftpd
