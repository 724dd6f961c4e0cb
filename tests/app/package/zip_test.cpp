// write_zip(): names, unix modes and contents read back with libarchive; the same bundle gives the
// same bytes; failures leave no partial file.
#include "app/package/zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/package/scratch_dir.h"  // tests/app/package

namespace app::package {
namespace {

namespace fs = std::filesystem;

struct ReadEntry {
    unsigned mode = 0;
    bool directory = false;
    std::string data;
};

std::map<std::string, ReadEntry> read_zip(const std::string& path) {
    std::map<std::string, ReadEntry> out;
    archive* a = archive_read_new();
    archive_read_support_format_zip(a);
    EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 1 << 16), ARCHIVE_OK);
    archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        ReadEntry r;
        r.mode = archive_entry_perm(e);
        r.directory = archive_entry_filetype(e) == AE_IFDIR;
        char buf[4096];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
            r.data.append(buf, static_cast<size_t>(n));
        out[archive_entry_pathname(e)] = r;
    }
    archive_read_free(a);
    return out;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Bundle sample(const fs::path& dir) {
    std::ofstream(dir / "lib.so", std::ios::binary) << std::string(100'000, 'x') << "end";
    Bundle b;
    b.files.push_back({.path = "bootstrap", .content = "#!launcher", .mode = 0755});
    b.files.push_back({.path = "lib/libx.so.1", .source = (dir / "lib.so").string(), .mode = 0644});
    b.files.push_back({.path = "lib/sub/empty", .content = "", .mode = 0600});
    return b;
}

TEST(Zip, KeepsNamesModesAndContents) {
    test_support::ScratchDir dir("zip");
    Bundle b = sample(dir.path());
    std::string zip = (dir.path() / "f.zip").string();
    auto stats = write_zip(b, zip);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->files, 3u);
    EXPECT_EQ(stats->unzipped_bytes, 10u + 100'003u);
    EXPECT_EQ(stats->zip_bytes, fs::file_size(zip));
    EXPECT_LT(stats->zip_bytes, 10'000u);  // deflated

    auto entries = read_zip(zip);
    ASSERT_EQ(entries.count("bootstrap"), 1u);
    EXPECT_EQ(entries["bootstrap"].mode, 0755u);
    EXPECT_EQ(entries["bootstrap"].data, "#!launcher");
    EXPECT_EQ(entries["lib/libx.so.1"].mode, 0644u);
    EXPECT_EQ(entries["lib/libx.so.1"].data.size(), 100'003u);
    EXPECT_EQ(entries["lib/sub/empty"].mode, 0600u);
    EXPECT_TRUE(entries["lib/"].directory);
    EXPECT_TRUE(entries["lib/sub/"].directory);
}

TEST(Zip, UnzipRestoresTheExecutableBit) {
    if (std::system("command -v unzip > /dev/null 2>&1") != 0) GTEST_SKIP() << "no unzip";
    test_support::ScratchDir dir("unzip");
    std::string zip = (dir.path() / "f.zip").string();
    ASSERT_TRUE(write_zip(sample(dir.path()), zip));
    std::string cmd = "unzip -q " + zip + " -d " + (dir.path() / "out").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    auto perms = fs::status(dir.path() / "out/bootstrap").permissions();
    EXPECT_NE(perms & fs::perms::owner_exec, fs::perms::none);
    EXPECT_EQ(slurp(dir.path() / "out/lib/libx.so.1"), slurp(dir.path() / "lib.so"));
}

TEST(Zip, SameBundleSameBytes) {
    test_support::ScratchDir dir("repro");
    Bundle b = sample(dir.path());
    ASSERT_TRUE(write_zip(b, (dir.path() / "a.zip").string()));
    ASSERT_TRUE(write_zip(b, (dir.path() / "b.zip").string()));
    EXPECT_EQ(slurp(dir.path() / "a.zip"), slurp(dir.path() / "b.zip"));
}

TEST(Zip, MissingSourceFailsAndLeavesNoFile) {
    test_support::ScratchDir dir("missing");
    Bundle b;
    b.files.push_back({.path = "bin/x", .source = (dir.path() / "nope").string(), .mode = 0755});
    std::string zip = (dir.path() / "f.zip").string();
    auto stats = write_zip(b, zip);
    ASSERT_FALSE(stats);
    EXPECT_NE(stats.error().message.find("nope"), std::string::npos);
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_FALSE(unpacked_size(b));
}

TEST(Zip, UnwritableDestinationFails) {
    Bundle b;
    b.files.push_back({.path = "a", .content = "x", .mode = 0644});
    EXPECT_FALSE(write_zip(b, "/no/such/dir/f.zip"));
}

}  // namespace
}  // namespace app::package
