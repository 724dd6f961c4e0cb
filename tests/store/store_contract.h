// The Store contract: one value-parameterized GoogleTest suite that every Store implementation
// must pass. Each test binary instantiates it with its own factories.
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreContract, testing::Values(StoreFactory{"Memory", make}),
//                            store_test::factory_name);
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

// Asserts that a Result holds a value, printing its error otherwise.
#define ASSERT_OK(expr)                                          \
    do {                                                         \
        auto&& ok_r_ = (expr);                                   \
        ASSERT_TRUE(ok_r_.has_value()) << ok_r_.error().message; \
    } while (0)
// Declares `var` as the value of a Result, failing the test if it holds an error.
#define ASSERT_OK_AND_ASSIGN(var, expr)                            \
    auto var##_r_ = (expr);                                        \
    ASSERT_TRUE(var##_r_.has_value()) << var##_r_.error().message; \
    auto var = std::move(var##_r_).value()

namespace store_test {

// A temporary directory, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct StoreFactory {
    std::string name;
    // Makes a fresh, empty store; file-based stores put their files in `dir`.
    std::function<std::unique_ptr<store::Store>(const std::filesystem::path& dir)> make;
};

std::string factory_name(const testing::TestParamInfo<StoreFactory>& info);

class StoreContract : public testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override;
    store::Store& s() { return *store_; }

    TempDir dir_;
    std::unique_ptr<store::Store> store_;
};

// A fixed, whole-second point in time, plus `seconds`.
store::WallTime at(int64_t seconds);

}  // namespace store_test
