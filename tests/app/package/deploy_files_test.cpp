// deploy/template.yaml (AWS SAM) and deploy/Dockerfile: the resources and parameters docs/deploy.md
// relies on exist, and every !Ref, !GetAtt and !If names something the template defines.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace {

const std::string kTemplate = std::string(LG_SOURCE_DIR) + "/deploy/template.yaml";

class TemplateTest : public ::testing::Test {
protected:
    void SetUp() override { t_ = YAML::LoadFile(kTemplate); }
    YAML::Node resource(const std::string& name) { return t_["Resources"][name]; }
    YAML::Node t_;
};

TEST_F(TemplateTest, IsASamTemplate) {
    EXPECT_EQ(t_["Transform"].as<std::string>(), "AWS::Serverless-2016-10-31");
    EXPECT_EQ(t_["AWSTemplateFormatVersion"].as<std::string>(), "2010-09-09");
}

TEST_F(TemplateTest, HasTheParametersOfTheDocs) {
    for (const char* p : {"PackageType", "ImageUri", "Architecture", "MemorySize", "Timeout",
                          "LogRetentionDays", "TelegramToken", "WebhookSecret"}) {
        EXPECT_TRUE(t_["Parameters"][p]) << p;
    }
    auto arch = t_["Parameters"]["Architecture"]["AllowedValues"].as<std::vector<std::string>>();
    EXPECT_EQ(arch, (std::vector<std::string>{"x86_64", "arm64"}));
    auto pkg = t_["Parameters"]["PackageType"]["AllowedValues"].as<std::vector<std::string>>();
    EXPECT_EQ(pkg, (std::vector<std::string>{"Zip", "Image"}));
    EXPECT_EQ(t_["Parameters"]["MemorySize"]["MaxValue"].as<int>(), 10240);
    EXPECT_EQ(t_["Parameters"]["Timeout"]["MaxValue"].as<int>(), 900);
    EXPECT_TRUE(t_["Parameters"]["TelegramToken"]["NoEcho"].as<bool>());
    EXPECT_TRUE(t_["Parameters"]["WebhookSecret"]["NoEcho"].as<bool>());
}

// One function per package type (SAM wants PackageType written out), the condition keeping one.
TEST_F(TemplateTest, ZipAndImageFunctionsUnderTheirConditions) {
    YAML::Node zip = resource("ZipFunction");
    YAML::Node image = resource("ImageFunction");
    ASSERT_TRUE(zip);
    ASSERT_TRUE(image);
    EXPECT_EQ(zip["Type"].as<std::string>(), "AWS::Serverless::Function");
    EXPECT_EQ(zip["Condition"].as<std::string>(), "IsZip");
    EXPECT_EQ(zip["Properties"]["PackageType"].as<std::string>(), "Zip");
    EXPECT_EQ(zip["Properties"]["Runtime"].as<std::string>(), "provided.al2023");
    EXPECT_EQ(zip["Properties"]["Handler"].as<std::string>(), "bootstrap");
    EXPECT_EQ(zip["Properties"]["CodeUri"].as<std::string>(), "../function.zip");
    EXPECT_EQ(image["Type"].as<std::string>(), "AWS::Serverless::Function");
    EXPECT_EQ(image["Condition"].as<std::string>(), "IsImage");
    EXPECT_EQ(image["Properties"]["PackageType"].as<std::string>(), "Image");
    EXPECT_EQ(image["Properties"]["ImageUri"].as<std::string>(), "ImageUri");
    EXPECT_FALSE(image["Properties"]["Runtime"]);
}

TEST_F(TemplateTest, FunctionsShareUrlSecretMemoryTimeoutArchitecture) {
    YAML::Node g = t_["Globals"]["Function"];
    ASSERT_TRUE(g);
    EXPECT_EQ(g["FunctionUrlConfig"]["AuthType"].as<std::string>(), "NONE");
    YAML::Node env = g["Environment"]["Variables"];
    EXPECT_EQ(env["TELEGRAM_WEBHOOK_SECRET"].Tag(), "!Ref");
    EXPECT_EQ(env["TELEGRAM_WEBHOOK_SECRET"].as<std::string>(), "WebhookSecret");
    EXPECT_EQ(env["TELEGRAM_TOKEN"].as<std::string>(), "TelegramToken");
    EXPECT_EQ(env["LAMBDAGRAM_STORE_PATH"].as<std::string>(), "/tmp/lambdagram.db");
    EXPECT_EQ(g["MemorySize"].as<std::string>(), "MemorySize");
    EXPECT_EQ(g["Timeout"].as<std::string>(), "Timeout");
    EXPECT_EQ(g["Architectures"][0].as<std::string>(), "Architecture");
}

TEST_F(TemplateTest, LogGroupWithRetention) {
    YAML::Node lg = resource("BotLogGroup");
    ASSERT_TRUE(lg);
    EXPECT_EQ(lg["Type"].as<std::string>(), "AWS::Logs::LogGroup");
    EXPECT_EQ(lg["Properties"]["RetentionInDays"].as<std::string>(), "LogRetentionDays");
    EXPECT_EQ(t_["Globals"]["Function"]["LoggingConfig"]["LogGroup"].as<std::string>(),
              "BotLogGroup");
    EXPECT_TRUE(t_["Outputs"]["FunctionUrl"]);
}

// Collects the targets of !Ref / !GetAtt and the conditions of !If, anywhere in the tree.
void collect(const YAML::Node& n, std::set<std::string>* refs, std::set<std::string>* conds) {
    if (n.Tag() == "!Ref" && n.IsScalar()) refs->insert(n.as<std::string>());
    if (n.Tag() == "!GetAtt" && n.IsScalar()) {
        std::string s = n.as<std::string>();
        refs->insert(s.substr(0, s.find('.')));
    }
    if (n.Tag() == "!If" && n.IsSequence() && n.size() == 3) conds->insert(n[0].as<std::string>());
    if (n.IsMap()) {
        for (const auto& kv : n) collect(kv.second, refs, conds);
    } else if (n.IsSequence()) {
        for (const auto& child : n) collect(child, refs, conds);
    }
}

TEST_F(TemplateTest, EveryReferenceResolves) {
    std::set<std::string> refs, conds;
    collect(t_["Resources"], &refs, &conds);
    collect(t_["Globals"], &refs, &conds);
    collect(t_["Outputs"], &refs, &conds);
    ASSERT_FALSE(refs.empty());
    for (const std::string& r : refs) {
        if (r.rfind("AWS::", 0) == 0) continue;  // pseudo parameters
        // SAM makes <Function>Url for a FunctionUrlConfig.
        bool known = t_["Parameters"][r] || t_["Resources"][r] || r == "ZipFunctionUrl" ||
                     r == "ImageFunctionUrl";
        EXPECT_TRUE(known) << "!Ref/!GetAtt " << r << " names nothing in the template";
    }
    for (const std::string& c : conds) EXPECT_TRUE(t_["Conditions"][c]) << "condition " << c;
    for (const auto& kv : t_["Resources"]) {
        if (!kv.second["Condition"]) continue;
        std::string c = kv.second["Condition"].as<std::string>();
        EXPECT_TRUE(t_["Conditions"][c]) << kv.first.as<std::string>() << ": condition " << c;
    }
}

TEST(Dockerfile, ModelLayerComesBeforeTheRuntime) {
    std::ifstream in(std::string(LG_SOURCE_DIR) + "/deploy/Dockerfile");
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    EXPECT_NE(text.find("FROM public.ecr.aws/lambda/provided:al2023"), std::string::npos);
    size_t model = text.find("COPY ${MODEL} /opt/model/");
    size_t runtime = text.find("COPY function/ ${LAMBDA_TASK_ROOT}/");
    ASSERT_NE(model, std::string::npos);
    ASSERT_NE(runtime, std::string::npos);
    EXPECT_LT(model, runtime);
}

}  // namespace
