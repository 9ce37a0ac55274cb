// SPDX-License-Identifier: GPL-2.0
#include "networks.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "cidr.h"

namespace ktftpd {
namespace {

[[noreturn]] void refuse(const std::string &text, const std::string &why)
{
	throw std::invalid_argument(text + ": " + why);
}

// The prefix length after '/': digits only, so "/+8" or "/ 8" is refused
// as the kernel refuses them.
unsigned prefix_length(const std::string &text, const std::string &digits)
{
	unsigned n = 0;
	auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
	if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
		refuse(text, "the prefix length must be a number (198.18.0.0/15, fd00::/8)");
	// Past 255 it would not fit the uapi's u8: say what is wrong with it.
	return std::min(n, 255u);
}

} // namespace

Network parse_network(const std::string &text)
{
	// inet_pton reads up to a NUL, and JSON can carry one.
	if (text.find('\0') != std::string::npos)
		refuse(text, "holds a NUL byte");
	auto slash = text.find('/');
	std::string address = text.substr(0, slash);
	Network net;
	if (inet_pton(AF_INET, address.c_str(), net.addr.data()) == 1)
		net.family = 4;
	else if (inet_pton(AF_INET6, address.c_str(), net.addr.data()) == 1)
		net.family = 6;
	else
		refuse(text, "not an IPv4 or IPv6 network (198.18.0.0/15, fd00::/8, or an address)");
	net.prefix = slash == std::string::npos ? (net.family == 4 ? 32 : 128)
						: prefix_length(text, text.substr(slash + 1));
	tftp_cidr check{};
	check.family = static_cast<u8>(net.family);
	check.prefix = static_cast<u8>(net.prefix);
	std::copy(net.addr.begin(), net.addr.end(), check.addr);
	if (const char *why = tftp_cidr_check(&check))
		refuse(text, why);
	return net;
}

std::vector<Network> parse_networks(const std::vector<std::string> &texts)
{
	if (texts.size() > KTFTPD_NETS_MAX)
		throw std::invalid_argument("at most " + std::to_string(KTFTPD_NETS_MAX) +
					    " networks");
	std::vector<Network> nets;
	for (const auto &t : texts)
		nets.push_back(parse_network(t));
	return nets;
}

std::string network_text(const Network &net)
{
	char text[INET6_ADDRSTRLEN];
	if (!inet_ntop(net.family == 4 ? AF_INET : AF_INET6, net.addr.data(), text, sizeof(text)))
		return "?";
	return std::string(text) + "/" + std::to_string(net.prefix);
}

} // namespace ktftpd
