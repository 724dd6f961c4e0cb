// Codecs on real-shaped Bot API payloads (tests/telegram/data), malformed inputs, the envelope.
#include "telegram/codec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/redact.h"

namespace {

using core::ErrorCode;
using telegram::Json;

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(LG_SOURCE_DIR) + "/tests/telegram/data/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

telegram::Update load_update(const std::string& name) {
    auto u = telegram::decode_text<telegram::Update>(read_data(name));
    EXPECT_TRUE(u) << name << ": " << (u ? "" : u.error().message);
    return u ? *u : telegram::Update{};
}

class RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTrip, DecodeEncodeDecodeIsEqual) {
    auto first = telegram::decode_text<telegram::Update>(read_data(GetParam()));
    ASSERT_TRUE(first) << first.error().message;
    Json encoded = telegram::encode(*first);
    auto second = telegram::decode<telegram::Update>(encoded);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(*first, *second) << encoded.dump(2);
    EXPECT_EQ(telegram::encode(*second), encoded);
}

INSTANTIATE_TEST_SUITE_P(Payloads, RoundTrip,
                         ::testing::Values("text_with_entities.json", "reply.json",
                                           "edited_message.json", "forwarded.json",
                                           "forwarded_user.json", "sticker.json",
                                           "photo_caption.json", "my_chat_member.json",
                                           "chat_member.json", "new_members.json",
                                           "channel_post.json"));

TEST(Codec, TextWithEntities) {
    auto u = load_update("text_with_entities.json");
    ASSERT_TRUE(u.message);
    const auto& m = *u.message;
    EXPECT_EQ(u.update_id, 918273645);
    EXPECT_EQ(m.chat.id, -1001987654321);
    EXPECT_TRUE(m.chat.is_group());
    EXPECT_EQ(m.chat.title, "Rust & C++ Türkiye");
    ASSERT_TRUE(m.from);
    EXPECT_EQ(m.from->first_name, "Ayşe");
    EXPECT_EQ(m.from->language_code, "tr");
    ASSERT_EQ(m.entities.size(), 7u);
    EXPECT_EQ(m.entities[0].type, "bot_command");
    EXPECT_EQ(m.entities[0].length, 15);
    EXPECT_EQ(m.entities[4].url, "https://core.telegram.org/bots/api");
    ASSERT_TRUE(m.entities[5].user);
    EXPECT_EQ(m.entities[5].user->id, 42);
    EXPECT_EQ(m.entities[6].language, "cpp");
    EXPECT_EQ(&m.entities_of_text(), &m.entities);
    EXPECT_EQ(u.any_message(), &*u.message);
}

TEST(Codec, ReplyIsNestedOnce) {
    auto u = load_update("reply.json");
    ASSERT_TRUE(u.message);
    ASSERT_NE(u.message->reply_to_message, nullptr);
    EXPECT_EQ(u.message->reply_to_message->message_id, 5521);
    EXPECT_EQ(u.message->reply_to_message->text, "Привет! Чем могу помочь?");
    EXPECT_TRUE(u.message->reply_to_message->from->is_bot);
    EXPECT_EQ(u.message->message_thread_id, 5500);
}

TEST(Codec, EditedMessage) {
    auto u = load_update("edited_message.json");
    EXPECT_FALSE(u.message);
    ASSERT_TRUE(u.edited_message);
    EXPECT_EQ(u.edited_message->edit_date, 1716970160);
    EXPECT_TRUE(u.edited_message->chat.is_private());
    EXPECT_EQ(u.any_message(), &*u.edited_message);
}

TEST(Codec, ForwardOrigins) {
    auto ch = load_update("forwarded.json");
    ASSERT_TRUE(ch.message && ch.message->forward_origin);
    EXPECT_EQ(ch.message->forward_origin->type, "channel");
    ASSERT_TRUE(ch.message->forward_origin->sender_chat);
    EXPECT_EQ(ch.message->forward_origin->sender_chat->id, -1001111111111);
    EXPECT_EQ(ch.message->forward_origin->date, 1716960000);
    auto hidden = load_update("forwarded_user.json");
    ASSERT_TRUE(hidden.message && hidden.message->forward_origin);
    EXPECT_EQ(hidden.message->forward_origin->sender_user_name, "Hidden Person");
}

TEST(Codec, StickerAndPhoto) {
    auto s = load_update("sticker.json");
    ASSERT_TRUE(s.message);
    EXPECT_TRUE(s.message->has_sticker);
    EXPECT_EQ(s.message->sticker_emoji, "😂");
    EXPECT_EQ(s.message->text_or_caption(), "");
    auto p = load_update("photo_caption.json");
    ASSERT_TRUE(p.message);
    EXPECT_TRUE(p.message->has_photo);
    EXPECT_EQ(p.message->text_or_caption(), "look at this 👉 http://spam.example");
    EXPECT_EQ(&p.message->entities_of_text(), &p.message->caption_entities);
    ASSERT_EQ(p.message->caption_entities.size(), 1u);
    EXPECT_EQ(p.message->caption_entities[0].type, "url");
    ASSERT_TRUE(p.message->sender_chat);
}

TEST(Codec, ChatMemberUpdates) {
    auto my = load_update("my_chat_member.json");
    ASSERT_TRUE(my.my_chat_member);
    EXPECT_EQ(my.my_chat_member->old_chat_member.status, "member");
    EXPECT_TRUE(my.my_chat_member->new_chat_member.is_admin());
    EXPECT_EQ(my.my_chat_member->new_chat_member.can_restrict_members, true);
    EXPECT_EQ(my.any_message(), nullptr);
    auto cm = load_update("chat_member.json");
    ASSERT_TRUE(cm.chat_member);
    EXPECT_EQ(cm.chat_member->new_chat_member.status, "restricted");
    EXPECT_EQ(cm.chat_member->new_chat_member.until_date, 1716974200);
}

TEST(Codec, NewMembersAndChannelPostWithUnknownFields) {
    auto nm = load_update("new_members.json");
    ASSERT_TRUE(nm.message);
    ASSERT_EQ(nm.message->new_chat_members.size(), 2u);
    EXPECT_TRUE(nm.message->new_chat_members[1].is_bot);
    auto cp = load_update("channel_post.json");
    ASSERT_TRUE(cp.channel_post);
    EXPECT_EQ(cp.any_message(), &*cp.channel_post);
}

TEST(Codec, GetUpdatesReplyWithUnknownUpdateKinds) {
    auto result = telegram::parse_reply("getUpdates", 200, read_data("get_updates_reply.json"));
    ASSERT_TRUE(result) << result.error().message;
    auto updates = telegram::decode<std::vector<telegram::Update>>(*result);
    ASSERT_TRUE(updates) << updates.error().message;
    ASSERT_EQ(updates->size(), 3u);
    EXPECT_EQ((*updates)[1].update_id, 2);
    EXPECT_EQ((*updates)[1].any_message(), nullptr);  // a callback_query: not kept
    EXPECT_TRUE((*updates)[2].edited_message);
}

TEST(Codec, EncodeOmitsUnsetOptionals) {
    telegram::User u;
    u.id = 1;
    u.first_name = "A";
    Json j = telegram::encode(u);
    EXPECT_EQ(j, Json::parse(R"({"id":1,"is_bot":false,"first_name":"A"})"));
    telegram::Message m;
    m.message_id = 3;
    m.chat.id = 9;
    m.chat.type = "private";
    Json mj = telegram::encode(m);
    EXPECT_FALSE(mj.contains("text"));
    EXPECT_FALSE(mj.contains("entities"));
    EXPECT_FALSE(mj.contains("from"));
    EXPECT_FALSE(mj.contains("reply_to_message"));
}

TEST(Codec, ChatPermissionsNoneIsAllFalse) {
    Json j = telegram::encode(telegram::ChatPermissions::none());
    EXPECT_EQ(j.size(), 14u);
    for (auto& [k, v] : j.items()) EXPECT_EQ(v, false) << k;
    auto back = telegram::decode<telegram::ChatPermissions>(j);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, telegram::ChatPermissions::none());
}

TEST(Codec, SendMessageRequestShape) {
    telegram::SendMessage s;
    s.chat_id = -100;
    s.text = "hi";
    s.reply_to_message_id = 77;
    s.parse_mode = "HTML";
    Json j = telegram::encode(s);
    EXPECT_EQ(j["chat_id"], -100);
    EXPECT_EQ(j["reply_parameters"]["message_id"], 77);
    EXPECT_EQ(j["reply_parameters"]["allow_sending_without_reply"], true);
    EXPECT_EQ(j["link_preview_options"]["is_disabled"], true);
    EXPECT_EQ(j["parse_mode"], "HTML");
    EXPECT_FALSE(j.contains("reply_to_message_id"));
    EXPECT_FALSE(j.contains("disable_notification"));
}

struct Malformed {
    const char* name;
    const char* json;
    const char* must_mention;
};

TEST(Codec, MalformedPayloadsNameTheField) {
    const Malformed cases[] = {
        {"not an object", R"([1,2])", "expected an object"},
        {"no update_id", R"({"message":{}})", "update_id is missing"},
        {"update_id string", R"({"update_id":"12"})", "update_id is a string"},
        {"update_id float", R"({"update_id":1.5})", "update_id is a fractional number"},
        {"message not object", R"({"update_id":1,"message":"x"})", "message is a string"},
        {"message no chat", R"({"update_id":1,"message":{"message_id":1,"date":0}})",
         "message.chat is missing"},
        {"chat id string",
         R"({"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":"5","type":"private"}}})",
         "message.chat.id is a string"},
        {"from is_bot int",
         R"({"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5},"from":{"id":1,"is_bot":1,"first_name":"a"}}})",
         "message.from.is_bot is an integer"},
        {"entity offset missing",
         R"({"update_id":1,"message":{"message_id":1,"chat":{"id":5},"entities":[{"type":"url","length":3}]}})",
         "message.entities[0].offset is missing"},
        {"entities not array",
         R"({"update_id":1,"message":{"message_id":1,"chat":{"id":5},"entities":{}}})",
         "message.entities is an object"},
        {"text number", R"({"update_id":1,"message":{"message_id":1,"chat":{"id":5},"text":5}})",
         "message.text is an integer"},
        {"reply bad",
         R"({"update_id":1,"message":{"message_id":1,"chat":{"id":5},"reply_to_message":{"message_id":"x"}}})",
         "message.reply_to_message.message_id is a string"},
        {"photo not array",
         R"({"update_id":1,"message":{"message_id":1,"chat":{"id":5},"photo":{}}})",
         "message.photo is an object"},
        {"too big", R"({"update_id":18446744073709551615})", "update_id"},
        {"member no user",
         R"({"update_id":1,"chat_member":{"chat":{"id":1},"from":{"id":1},"old_chat_member":{"status":"member"},"new_chat_member":{"status":"left","user":{"id":1}}}})",
         "chat_member.old_chat_member.user is missing"},
    };
    for (const auto& c : cases) {
        auto r = telegram::decode_text<telegram::Update>(c.json);
        ASSERT_FALSE(r) << c.name;
        EXPECT_EQ(r.error().code, ErrorCode::Parse) << c.name;
        EXPECT_NE(r.error().message.find(c.must_mention), std::string::npos)
            << c.name << ": " << r.error().message;
    }
}

TEST(Codec, NotJsonIsParseError) {
    for (const char* text : {"", "{", "nul", "{\"update_id\":1,}", "\xff\xfe"}) {
        auto r = telegram::decode_text<telegram::Update>(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().code, ErrorCode::Parse);
    }
}

TEST(Codec, NullOptionalFieldsAreAbsent) {
    auto r = telegram::decode_text<telegram::Update>(
        R"({"update_id":1,"message":null,"edited_message":{"message_id":2,"chat":{"id":3},"text":null}})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->message);
    ASSERT_TRUE(r->edited_message);
    EXPECT_FALSE(r->edited_message->text);
}

TEST(Envelope, OkResult) {
    auto r = telegram::parse_reply(
        "getMe", 200, R"({"ok":true,"result":{"id":1,"is_bot":true,"first_name":"b"}})");
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["id"], 1);
}

TEST(Envelope, ErrorMapping) {
    struct Case {
        int code;
        ErrorCode want;
    } cases[] = {{400, ErrorCode::InvalidArgument},
                 {401, ErrorCode::Unauthorized},
                 {403, ErrorCode::Unauthorized},
                 {404, ErrorCode::NotFound},
                 {409, ErrorCode::Http},
                 {429, ErrorCode::RateLimited},
                 {500, ErrorCode::Http},
                 {502, ErrorCode::Http}};
    for (const auto& c : cases) {
        Json body = {{"ok", false}, {"error_code", c.code}, {"description", "Some: thing"}};
        auto r = telegram::parse_reply("sendMessage", c.code, body.dump());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, c.want) << c.code;
        EXPECT_EQ(r.error().http_status, c.code);
        EXPECT_EQ(r.error().message.rfind(
                      "telegram: sendMessage: " + std::to_string(c.code) + " Some: thing", 0),
                  0u)
            << r.error().message;
    }
}

TEST(Envelope, UnauthorizedSaysWhatToCheck) {
    auto r = telegram::parse_reply("getMe", 401,
                                   R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("TELEGRAM_TOKEN"), std::string::npos);
}

TEST(Envelope, RateLimitCarriesRetryAfter) {
    auto r = telegram::parse_reply(
        "sendMessage", 429,
        R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::RateLimited);
    ASSERT_TRUE(r.error().retry_after);
    EXPECT_EQ(*r.error().retry_after, std::chrono::seconds(3));
    EXPECT_EQ(r.error().message, "telegram: sendMessage: 429 Too Many Requests: retry after 3");
}

TEST(Envelope, NonJsonReplies) {
    auto html502 = telegram::parse_reply("getUpdates", 502, "<html>Bad Gateway</html>");
    ASSERT_FALSE(html502);
    EXPECT_EQ(html502.error().code, ErrorCode::Http);
    EXPECT_EQ(html502.error().http_status, 502);
    auto garbage = telegram::parse_reply("getUpdates", 200, R"({"ok":tru)");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::Parse);
    auto no_ok = telegram::parse_reply("getUpdates", 200, R"({"result":[]})");
    ASSERT_FALSE(no_ok);
    EXPECT_EQ(no_ok.error().code, ErrorCode::Parse);
    auto no_result = telegram::parse_reply("getUpdates", 200, R"({"ok":true})");
    ASSERT_FALSE(no_result);
    EXPECT_EQ(no_result.error().code, ErrorCode::Parse);
}

TEST(Envelope, DescriptionsAreRedacted) {
    const std::string token = "987654321:AAtokentokentokentokentokentokentok";
    Json body = {{"ok", false}, {"error_code", 400}, {"description", "bad /bot" + token + "/x"}};
    auto r = telegram::parse_reply("sendMessage", 400, body.dump());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.find(token), std::string::npos) << r.error().message;
}

}  // namespace
