// SPDX-License-Identifier: GPL-2.0
#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "errors.hpp"

namespace ktftpd {
namespace {

// The temporary file: closed, and removed unless renamed into place.
class TempFile {
public:
	explicit TempFile(std::string name) : name_(std::move(name))
	{
		fd_ = mkstemp(name_.data());
	}
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	~TempFile()
	{
		if (fd_ >= 0)
			close(fd_);
		if (!renamed_ && fd_ != -1)
			unlink(name_.c_str());
	}
	int fd() const { return fd_; }
	const std::string &name() const { return name_; }
	// Close it, reporting what close reports (a late write error).
	int close_now()
	{
		int ret = close(fd_);
		fd_ = -2;	// closed, but still ours to remove
		return ret;
	}
	void renamed() { renamed_ = true; }

private:
	std::string name_;
	int fd_ = -1;
	bool renamed_ = false;
};

[[noreturn]] void fail(const std::filesystem::path &path, const char *step)
{
	throw Failure(EXIT_CANTCREAT, "cannot write " + path.string() + ": " + step + ": " +
				      std::strerror(errno));
}

} // namespace

void write_file_atomically(const std::filesystem::path &path, std::string_view text)
{
	if (path.filename().empty())
		throw Failure(EXIT_USAGE, "--output needs a file name, not a directory: " +
						  path.string());
	// Beside @path, so that the rename stays in one file system; a
	// leading dot keeps it out of a collector's "*.prom".
	std::filesystem::path dir = path.parent_path();
	TempFile tmp((dir.empty() ? std::string() : dir.string() + "/") + "." +
		     path.filename().string() + ".XXXXXX");
	if (tmp.fd() < 0)
		fail(path, "mkstemp");
	if (fchmod(tmp.fd(), 0644) < 0)
		fail(path, "fchmod");
	for (size_t done = 0; done < text.size();) {
		ssize_t n = write(tmp.fd(), text.data() + done, text.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(path, "write");
		done += static_cast<size_t>(n);
	}
	// On disk before the name is: a crash never leaves an empty file.
	if (fsync(tmp.fd()) < 0)
		fail(path, "fsync");
	if (tmp.close_now() < 0)
		fail(path, "close");
	if (rename(tmp.name().c_str(), path.c_str()) < 0)
		fail(path, "rename");
	tmp.renamed();
}

} // namespace ktftpd
