// SPDX-License-Identifier: GPL-2.0
// ktftpctl stats --output: the file is replaced whole, or left alone.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <csignal>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "errors.hpp"

namespace fs = std::filesystem;
using ktftpd::Failure;
using ktftpd::write_file_atomically;

namespace {

class AtomicFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		std::string tmpl = (fs::temp_directory_path() / "ktftpd-atomic.XXXXXX").string();
		ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
		dir = tmpl;
	}
	void TearDown() override
	{
		chmod(dir.c_str(), 0755);
		fs::remove_all(dir);
	}
	static std::string read(const fs::path &p)
	{
		std::ifstream in(p);
		std::stringstream s;
		s << in.rdbuf();
		return s.str();
	}
	// Nothing but @names in the directory: no temporary file left behind.
	void expect_only(std::initializer_list<const char *> names)
	{
		size_t n = 0;
		for (const auto &e : fs::directory_iterator(dir)) {
			++n;
			EXPECT_NE(std::find_if(names.begin(), names.end(),
					       [&](const char *x) { return e.path().filename() == x; }),
				  names.end())
				<< e.path();
		}
		EXPECT_EQ(n, names.size());
	}
	fs::path dir;
};

TEST_F(AtomicFile, WritesANewFileReadableByEveryone)
{
	write_file_atomically(dir / "ktftpd.prom", "ktftpd_up 1\n");
	EXPECT_EQ(read(dir / "ktftpd.prom"), "ktftpd_up 1\n");
	EXPECT_EQ(fs::status(dir / "ktftpd.prom").permissions(),
		  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
			  fs::perms::others_read);
	expect_only({"ktftpd.prom"});
}

TEST_F(AtomicFile, ReplacesTheOldFileWhole)
{
	write_file_atomically(dir / "ktftpd.prom", std::string(100000, 'a'));
	write_file_atomically(dir / "ktftpd.prom", "short\n");
	EXPECT_EQ(read(dir / "ktftpd.prom"), "short\n");
	expect_only({"ktftpd.prom"});
}

TEST_F(AtomicFile, AReaderHoldingTheOldFileKeepsItWhole)
{
	write_file_atomically(dir / "ktftpd.prom", "old\n");
	std::ifstream held(dir / "ktftpd.prom");
	write_file_atomically(dir / "ktftpd.prom", "new\n");
	std::string line;
	std::getline(held, line);
	EXPECT_EQ(line, "old");
	EXPECT_EQ(read(dir / "ktftpd.prom"), "new\n");
}

TEST_F(AtomicFile, AFailedWriteLeavesTheOldFileAndNoTemporary)
{
	write_file_atomically(dir / "ktftpd.prom", "old\n");
	// A file size limit makes the write fail (EFBIG), for root too.
	struct rlimit saved;
	ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
	auto *old_handler = signal(SIGXFSZ, SIG_IGN);
	struct rlimit small = {4096, saved.rlim_max};
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
	std::string what;
	int code = 0;
	try {
		write_file_atomically(dir / "ktftpd.prom", std::string(100000, 'n'));
	} catch (const Failure &e) {
		what = e.what();
		code = e.exit_code();
	}
	setrlimit(RLIMIT_FSIZE, &saved);
	signal(SIGXFSZ, old_handler);
	EXPECT_EQ(code, ktftpd::EXIT_CANTCREAT);
	EXPECT_NE(what.find("write"), std::string::npos) << what;
	EXPECT_EQ(read(dir / "ktftpd.prom"), "old\n");
	expect_only({"ktftpd.prom"});
}

TEST_F(AtomicFile, ARenameThatFailsRemovesTheTemporary)
{
	// A directory in the way: everything works but the rename (EISDIR).
	fs::create_directory(dir / "ktftpd.prom");
	try {
		write_file_atomically(dir / "ktftpd.prom", "new\n");
		FAIL() << "renamed a file over a directory";
	} catch (const Failure &e) {
		EXPECT_EQ(e.exit_code(), ktftpd::EXIT_CANTCREAT);
		EXPECT_NE(std::string(e.what()).find("rename"), std::string::npos) << e.what();
	}
	EXPECT_TRUE(fs::is_directory(dir / "ktftpd.prom"));
	expect_only({"ktftpd.prom"});
}

TEST_F(AtomicFile, AMissingDirectoryIsAClearError)
{
	try {
		write_file_atomically(dir / "nowhere" / "ktftpd.prom", "x\n");
		FAIL() << "wrote into a missing directory";
	} catch (const Failure &e) {
		EXPECT_EQ(e.exit_code(), ktftpd::EXIT_CANTCREAT);
		EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
			<< e.what();
	}
}

TEST_F(AtomicFile, ADirectoryNameIsRefused)
{
	EXPECT_THROW(write_file_atomically(dir.string() + "/", "x\n"), Failure);
	expect_only({});
}

} // namespace
