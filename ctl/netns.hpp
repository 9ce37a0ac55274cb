// SPDX-License-Identifier: GPL-2.0
// --netns NAME|PATH: talk to the server of another network namespace.
// Every network namespace has a server of its own, and a command acts on
// the one of the namespace it is sent from; so ktftpctl enters that
// namespace (setns, network only: files named on the command line are
// still read where the caller is) before it opens its netlink socket.
#pragma once

#include <string>

namespace ktftpd {

// The file that names @name_or_path: a bare NAME is ip-netns(8)'s
// /run/netns/NAME; anything with a '/' is a path (/proc/PID/ns/net, a
// bind mount).  Throws Failure(EXIT_USAGE) for a NAME that is not one.
std::string netns_path(const std::string &name_or_path);

// Move this thread into that network namespace, or throw Failure: 65 for
// a name that is no namespace, 77 without the privilege (CAP_SYS_ADMIN).
void enter_netns(const std::string &name_or_path);

} // namespace ktftpd
