// The Store contract against MemoryStore, plus the small helpers of store.h.
#include "store/memory_store.h"

#include <gtest/gtest.h>

#include "store_contract.h"

namespace store_test {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StoreContract,
                         testing::Values(StoreFactory{
                             "Memory",
                             [](const std::filesystem::path&) -> std::unique_ptr<store::Store> {
                                 return std::make_unique<store::MemoryStore>();
                             }}),
                         factory_name);

TEST(StoreTypes, RoleNamesRoundTrip) {
    for (auto role : {store::Role::System, store::Role::User, store::Role::Assistant}) {
        EXPECT_EQ(store::parse_role(store::role_name(role)), role);
    }
    EXPECT_FALSE(store::parse_role("tool").has_value());
    EXPECT_FALSE(store::parse_role("").has_value());
}

TEST(StoreTypes, UnixMillisRoundTrip) {
    const auto t = store::from_unix_ms(1'700'000'000'123);
    EXPECT_EQ(store::to_unix_ms(t), 1'700'000'000'123);
    EXPECT_EQ(store::to_unix_ms(store::from_unix_ms(-5)), -5);
    EXPECT_STREQ(store::update_state_name(store::UpdateState::Done), "done");
}

}  // namespace
}  // namespace store_test
