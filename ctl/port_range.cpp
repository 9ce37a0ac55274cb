// SPDX-License-Identifier: GPL-2.0
#include "port_range.hpp"

#include <charconv>
#include <stdexcept>

namespace ktftpd {
namespace {

// A port of the range: digits only, 1..65535.
bool parse_port(const std::string &digits, std::uint16_t &port)
{
	unsigned long n = 0;
	auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
	if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
	    n < 1 || n > 65535)
		return false;
	port = static_cast<std::uint16_t>(n);
	return true;
}

} // namespace

PortRange parse_port_range(const std::string &text)
{
	if (text.empty())
		return {};
	auto colon = text.find(':');
	PortRange r;
	if (colon == std::string::npos || !parse_port(text.substr(0, colon), r.low) ||
	    !parse_port(text.substr(colon + 1), r.high) || r.low > r.high)
		throw std::invalid_argument(
			"must be LOW:HIGH, 1 <= LOW <= HIGH <= 65535 (50000:50099), or \"\" for none");
	return r;
}

std::string port_range_text(const PortRange &range)
{
	if (range.none())
		return "";
	return std::to_string(range.low) + ":" + std::to_string(range.high);
}

} // namespace ktftpd
