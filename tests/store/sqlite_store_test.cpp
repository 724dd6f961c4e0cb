// The Store contract against SqliteStore on temporary files, plus what only a file store has:
// persistence across reopen, migrations, refusing newer schemas, corrupt and unwritable files,
// and several connections (as several processes would) sharing one file.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store_contract.h"

namespace store_test {
namespace {

using store::Role;
using store::Seconds;
using store::SqliteStore;

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         testing::Values(StoreFactory{
                             "Sqlite",
                             [](const std::filesystem::path& dir) -> std::unique_ptr<store::Store> {
                                 auto s =
                                     SqliteStore::open({.path = (dir / "store.sqlite").string()});
                                 EXPECT_TRUE(s.has_value()) << s.error().message;
                                 return s ? std::move(*s) : nullptr;
                             }}),
                         factory_name);

std::unique_ptr<SqliteStore> open_or_fail(const std::string& path, int version = 0) {
    auto s = SqliteStore::open({.path = path, .schema_version = version});
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s ? std::move(*s) : nullptr;
}

// Runs one SQL statement on the file directly, bypassing the store (to fake other versions).
void raw_exec(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

class SqliteStoreTest : public testing::Test {
protected:
    std::string db_path() const { return (dir_.path() / "store.sqlite").string(); }
    TempDir dir_;
};

TEST_F(SqliteStoreTest, EverythingSurvivesCloseAndReopen) {
    {
        auto s = open_or_fail(db_path());
        ASSERT_NE(s, nullptr);
        ASSERT_OK(s->claim_update(1, 100, at(0), Seconds{30}));
        ASSERT_OK(s->mark_update_done(1, 101, at(0)));
        ASSERT_OK(s->append_turn(5, store::Turn{Role::User, "remember me", 3, at(1)}));
        ASSERT_OK(s->add_to_counter("k", at(0), 41, at(1000)));
        ASSERT_OK(s->set_setting(5, "lang", "tr"));
        ASSERT_OK(s->append_audit(5, store::AuditEntry{at(2), 9, "kind", "{}"}));
        ASSERT_OK(s->add_strike(5, 9, at(3), "spam", "update:1"));
        ASSERT_OK(s->cache_admin(5, 9, true, at(1000)));
    }
    auto s = open_or_fail(db_path());
    ASSERT_NE(s, nullptr);
    ASSERT_OK_AND_ASSIGN(claimed, s->claim_update(1, 100, at(1), Seconds{30}));
    EXPECT_FALSE(claimed) << "the claim's lease survives a restart";
    ASSERT_OK_AND_ASSIGN(done, s->update_state(1, 101));
    EXPECT_EQ(done, store::UpdateState::Done);
    ASSERT_OK_AND_ASSIGN(turns, s->recent_turns(5, 10));
    ASSERT_EQ(turns.size(), 1u);
    EXPECT_EQ(turns[0].text, "remember me");
    ASSERT_OK_AND_ASSIGN(total, s->add_to_counter("k", at(0), 1, at(1000)));
    EXPECT_EQ(total, 42);
    ASSERT_OK_AND_ASSIGN(lang, s->get_setting(5, "lang"));
    EXPECT_EQ(lang, std::optional<std::string>("tr"));
    ASSERT_OK_AND_ASSIGN(audit, s->recent_audit(5, 10));
    EXPECT_EQ(audit.size(), 1u);
    ASSERT_OK_AND_ASSIGN(dup, s->add_strike(5, 9, at(4), "spam", "update:1"));
    EXPECT_FALSE(dup);
    ASSERT_OK_AND_ASSIGN(admin, s->cached_admin(5, 9, at(10)));
    EXPECT_EQ(admin, std::optional<bool>(true));
}

TEST_F(SqliteStoreTest, NewFileIsMigratedToTheLatestVersionAndReopenIsIdempotent) {
    auto s = open_or_fail(db_path());
    ASSERT_NE(s, nullptr);
    ASSERT_OK_AND_ASSIGN(version, s->schema_version());
    EXPECT_EQ(version, SqliteStore::latest_schema_version());
    EXPECT_GE(SqliteStore::latest_schema_version(), 2);
    s.reset();
    s = open_or_fail(db_path());
    ASSERT_NE(s, nullptr);
    s.reset();
    // One row per migration, however often the file is opened.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM schema_migrations", -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteStore::latest_schema_version());
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

TEST_F(SqliteStoreTest, EmptyExistingFileIsAFreshStore) {
    write_file(db_path(), "");
    auto s = open_or_fail(db_path());
    ASSERT_NE(s, nullptr);
    ASSERT_OK(s->set_setting(1, "a", "b"));
}

TEST_F(SqliteStoreTest, MigratesFromVersionOneKeepingData) {
    {
        auto v1 = open_or_fail(db_path(), 1);
        ASSERT_NE(v1, nullptr);
        ASSERT_OK_AND_ASSIGN(version, v1->schema_version());
        EXPECT_EQ(version, 1);
        ASSERT_OK(v1->append_turn(7, store::Turn{Role::User, "from v1", 2, at(0)}));
        ASSERT_OK(v1->set_setting(7, "k", "v"));
        // Version 1 has no strikes table: a clear error naming the operation and the file.
        auto strike = v1->add_strike(7, 1, at(0), "spam");
        ASSERT_FALSE(strike.has_value());
        EXPECT_NE(strike.error().message.find("add_strike"), std::string::npos)
            << strike.error().message;
        EXPECT_NE(strike.error().message.find(db_path()), std::string::npos)
            << strike.error().message;
    }
    auto s = open_or_fail(db_path());
    ASSERT_NE(s, nullptr);
    ASSERT_OK_AND_ASSIGN(version, s->schema_version());
    EXPECT_EQ(version, SqliteStore::latest_schema_version());
    ASSERT_OK_AND_ASSIGN(turns, s->recent_turns(7, 10));
    ASSERT_EQ(turns.size(), 1u);
    EXPECT_EQ(turns[0].text, "from v1");
    ASSERT_OK_AND_ASSIGN(k, s->get_setting(7, "k"));
    EXPECT_EQ(k, std::optional<std::string>("v"));
    ASSERT_OK_AND_ASSIGN(struck, s->add_strike(7, 1, at(0), "spam"));
    EXPECT_TRUE(struck);
}

TEST_F(SqliteStoreTest, RefusesAFileWithANewerSchema) {
    { ASSERT_NE(open_or_fail(db_path()), nullptr); }
    raw_exec(db_path(), "INSERT INTO schema_migrations VALUES (99, 'from the future', 0)");
    auto s = SqliteStore::open({.path = db_path()});
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, core::ErrorCode::Unsupported);
    const std::string& msg = s.error().message;
    EXPECT_NE(msg.find(db_path()), std::string::npos) << msg;
    EXPECT_NE(msg.find("99"), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
}

TEST_F(SqliteStoreTest, GarbageFileIsAClearError) {
    std::string garbage(8192, '\0');
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) % 251);
    write_file(db_path(), garbage);
    auto s = SqliteStore::open({.path = db_path()});
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, core::ErrorCode::Parse);
    const std::string& msg = s.error().message;
    EXPECT_NE(msg.find("store: cannot open " + db_path()), std::string::npos) << msg;
    EXPECT_NE(msg.find("not a database"), std::string::npos) << msg;
    EXPECT_NE(msg.find("store.path"), std::string::npos) << msg;
}

TEST_F(SqliteStoreTest, DamagedPagesBehindAValidHeaderFailWithoutCrashing) {
    { ASSERT_NE(open_or_fail(db_path()), nullptr); }
    // Keep the 100-byte header, overwrite every page after the first with garbage.
    std::string bytes;
    {
        std::ifstream in(db_path(), std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    ASSERT_GT(bytes.size(), 4096u);
    for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i & 0xff));
    std::filesystem::remove(db_path() + "-wal");
    std::filesystem::remove(db_path() + "-shm");
    write_file(db_path(), bytes);
    auto s = SqliteStore::open({.path = db_path()});
    if (!s) {
        EXPECT_NE(s.error().message.find(db_path()), std::string::npos) << s.error().message;
        return;
    }
    // If it opened, every operation returns a value or a clear error; none crashes.
    auto turns = (*s)->recent_turns(1, 10);
    if (!turns) {
        EXPECT_NE(turns.error().message.find("recent_turns"), std::string::npos);
    }
    auto set = (*s)->set_setting(1, "k", "v");
    if (!set) {
        EXPECT_NE(set.error().message.find("set_setting"), std::string::npos);
    }
}

TEST_F(SqliteStoreTest, UnwritableDirectoryIsAClearError) {
    std::string path;
    if (geteuid() == 0) {
        // Root ignores directory permissions; nobody may create files in /proc.
        path = "/proc/lambdagram-store-test.sqlite";
    } else {
        const auto ro = dir_.path() / "readonly";
        std::filesystem::create_directory(ro);
        std::filesystem::permissions(
            ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        path = (ro / "store.sqlite").string();
    }
    auto s = SqliteStore::open({.path = path});
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, core::ErrorCode::Io);
    const std::string& msg = s.error().message;
    EXPECT_NE(msg.find("store: cannot open " + path + ": unable to open database file"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("check store.path and the directory's permissions"), std::string::npos)
        << msg;
}

TEST_F(SqliteStoreTest, ParentThatIsAFileIsAClearError) {
    write_file(dir_.path() / "not_a_dir", "x");
    const std::string path = (dir_.path() / "not_a_dir" / "store.sqlite").string();
    auto s = SqliteStore::open({.path = path});
    ASSERT_FALSE(s.has_value());
    EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
}

TEST_F(SqliteStoreTest, EmptyPathIsRejected) {
    auto s = SqliteStore::open({.path = ""});
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(s.error().message.find("store.path"), std::string::npos);
}

// Several connections on one file behave like several processes: WAL plus the busy timeout
// make them wait for each other, and the single-statement claim stays exclusive.
TEST_F(SqliteStoreTest, SeparateConnectionsShareClaimsAndCounters) {
    constexpr int kConnections = 4;
    constexpr int kIds = 60;
    std::vector<std::unique_ptr<SqliteStore>> stores;
    for (int i = 0; i < kConnections; ++i) {
        stores.push_back(open_or_fail(db_path()));
        ASSERT_NE(stores.back(), nullptr);
    }
    std::vector<std::atomic<int>> winners(kIds);
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kConnections; ++t) {
        threads.emplace_back([&, t] {
            SqliteStore& s = *stores[static_cast<size_t>(t)];
            for (int id = 0; id < kIds; ++id) {
                auto won = s.claim_update(1, id, at(0), Seconds{30});
                if (!won) {
                    ++errors;
                } else if (*won) {
                    ++winners[static_cast<size_t>(id)];
                }
                if (!s.add_to_counter("shared", at(0), 1, at(100))) ++errors;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0);
    for (int id = 0; id < kIds; ++id) EXPECT_EQ(winners[static_cast<size_t>(id)].load(), 1);
    ASSERT_OK_AND_ASSIGN(total, stores[0]->get_counter("shared", at(0)));
    EXPECT_EQ(total, kConnections * kIds);
}

}  // namespace
}  // namespace store_test
