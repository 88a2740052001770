// The security boundary, executed on the real database: what the prelude publishes,
// which role the statements run as, the pre-request hook, and a table of attempts to
// reach the managed `ai` schema or another role. Each attempt must be refused by the
// engine or be harmless when executed.
#include <gtest/gtest.h>

#include "pg_harness.hpp"
#include "pgrest/engine.hpp"

namespace pgrest::testing {
namespace {

class Security : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    load_fixture();
    engine_ = new Engine(fixture_catalog(), Config{});
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  static Request get(std::string path, std::string query = "",
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.query = std::move(query);
    request.headers = std::move(headers);
    return request;
  }

  // Translates with `engine` and executes as authenticator.
  static Execution execute(const Request& request, const Engine& engine = *engine_) {
    Result result = engine.translate(request);
    if (!result.ok()) {
      Execution refused;
      refused.sqlstate = "engine:" + result.error().code;
      refused.message = result.error().message;
      return refused;
    }
    Connection connection(authenticator_conninfo());
    return connection.run(result.translation());
  }

  // One field of the request_info view, as jsonb text (strings keep their quotes).
  static std::string info(const Request& request, const std::string& expression,
                          const Engine& engine = *engine_) {
    Request copy = request;
    copy.path = "/request_info";
    Execution execution = execute(copy, engine);
    if (!execution.ok) return "<failed: " + execution.sqlstate + " " + execution.message + ">";
    Connection connection(superuser_conninfo());
    auto rows = connection.query("select (($1::jsonb)->0->" + expression + ")::text as v",
                                 {execution.row["body"]});
    return rows.at(0).at("v").value_or("<null>");
  }

  static Engine* engine_;
};

Engine* Security::engine_ = nullptr;

TEST_F(Security, PreludePublishesRoleClaimsAndRequest) {
  Request request =
      get("/request_info", "select=*", {{"X-Trace", "abc"}, {"Cookie", "session=s1; theme=dark"}});
  request.claims_json = R"({"role":"authenticated","sub":"u-1"})";
  EXPECT_EQ(info(request, "'role_name'"), "\"authenticated\"");
  EXPECT_EQ(info(request, "'claims'"), R"({"sub": "u-1", "role": "authenticated"})");
  EXPECT_EQ(info(request, "'method'"), "\"GET\"");
  EXPECT_EQ(info(request, "'path'"), "\"/request_info\"");
  EXPECT_EQ(info(request, "'headers'->'x-trace'"), "\"abc\"");
  EXPECT_EQ(info(request, "'headers'->'cookie'"), "<null>");  // cookies have their own setting
  EXPECT_EQ(info(request, "'cookies'"), R"({"theme": "dark", "session": "s1"})");
  EXPECT_EQ(info(request, "'search_path'"), "\"\\\"public\\\"\"");
  // Anonymous: the anon role and claims that say so.
  EXPECT_EQ(info(get("/request_info"), "'role_name'"), "\"anon\"");
  EXPECT_EQ(info(get("/request_info"), "'claims'"), R"({"role": "anon"})");
}

TEST_F(Security, RoleClaimKeyFollowsAJsonPath) {
  Config config;
  config.role_claim_key = ".app_metadata.roles[0]";
  Engine engine(fixture_catalog(), config);
  Request request = get("/request_info");
  request.claims_json = R"({"role":"anon","app_metadata":{"roles":["service_role"]}})";
  EXPECT_EQ(info(request, "'role_name'", engine), "\"service_role\"");
  // The published claims name the same role, so a policy reading the claim
  // (auth.role()) agrees with current_user.
  EXPECT_EQ(info(request, "'claims'->'role'", engine), "\"service_role\"");
  EXPECT_EQ(info(request, "'claims'->'app_metadata'->'roles'->0", engine), "\"service_role\"");
  // Nothing at the path: the anon role runs, and the claims say so too.
  request.claims_json = R"({"role":"service_role","sub":"x"})";
  EXPECT_EQ(info(request, "'role_name'", engine), "\"anon\"");
  EXPECT_EQ(info(request, "'claims'->'role'", engine), "\"anon\"");
  EXPECT_EQ(info(request, "'claims'->'sub'", engine), "\"x\"");
}

// A token carrying `role` twice: PostgreSQL's json operators read the last value, so the
// engine runs as that one and publishes only it.
TEST_F(Security, ARoleClaimGivenTwiceCannotSplitRoleAndClaims) {
  Request request = get("/request_info");
  request.claims_json = R"({"role":"service_role","role":"anon"})";
  EXPECT_EQ(info(request, "'role_name'"), "\"anon\"");
  EXPECT_EQ(info(request, "'claims'->'role'"), "\"anon\"");
  Connection connection(superuser_conninfo());
  Result result = engine_->translate(request);
  ASSERT_TRUE(result.ok());
  const std::string& published = result.translation().prelude.params.at(2).value();
  auto rows = connection.query(
      "select $1::json->>'role' as json_role, $1::jsonb->>'role' as jsonb_role", {published});
  EXPECT_EQ(rows.at(0).at("json_role"), "anon");
  EXPECT_EQ(rows.at(0).at("jsonb_role"), "anon");
}

TEST_F(Security, HeaderValuesCannotInjectIntoTheSettings) {
  const std::string evil = "\"},\"role\":\"postgres\",\"x\":{\"\n\\";
  Request request = get("/request_info", "", {{"X-Evil", evil}, {"Role", "postgres"}});
  EXPECT_EQ(info(request, "'role_name'"), "\"anon\"");
  Connection connection(superuser_conninfo());
  auto rows = connection.query("select to_jsonb($1::text)::text as v", {evil});
  EXPECT_EQ(info(request, "'headers'->'x-evil'"), rows.at(0).at("v").value());
}

TEST_F(Security, ClaimedRolesTheAuthenticatorCannotTakeAreRefused) {
  // A role that exists but is not granted to authenticator: PostgreSQL refuses the switch.
  Request request = get("/films", "select=id");
  request.claims_json = R"({"role":"postgres"})";
  Execution execution = execute(request);
  EXPECT_FALSE(execution.ok);
  EXPECT_EQ(execution.sqlstate, "42501") << execution.message;
  // A role that does not exist: refused before any SQL, as PostgREST answers (401).
  for (const char* claims : {R"({"role":"nobody"})", R"({"role":"anon; drop table films"})",
                             R"({"role":"\"anon\""})", R"({"role":"ANON"})", R"({"role":""})"}) {
    request.claims_json = claims;
    Result result = engine_->translate(request);
    ASSERT_FALSE(result.ok()) << claims;
    EXPECT_EQ(result.error().status, 401) << claims;
  }
  // A non-string role claim is used as its JSON text, which is no role either.
  request.claims_json = R"({"role":["service_role"]})";
  EXPECT_FALSE(engine_->translate(request).ok());
}

TEST_F(Security, PreRequestFunctionRunsAfterTheSettings) {
  Config config;
  config.pre_request = "public.check_request";
  Engine engine(fixture_catalog(), config);
  EXPECT_EQ(info(get("/request_info"), "'pre_request_ran'", engine), "\"yes\"");
  Execution blocked = execute(get("/films", "", {{"X-Block", "1"}}), engine);
  EXPECT_FALSE(blocked.ok);
  EXPECT_EQ(blocked.sqlstate, "P0001");
  EXPECT_TRUE(execute(get("/films"), engine).ok);
}

TEST_F(Security, RowLevelSecurityIsEnforcedForEveryRole) {
  const auto visible = [&](std::optional<std::string> claims) {
    Request request = get("/notes", "select=body&order=id");
    request.claims_json = std::move(claims);
    Execution execution = execute(request);
    return execution.ok ? execution.row["body"].value_or("") : "<failed " + execution.message + ">";
  };
  EXPECT_EQ(visible(std::nullopt), R"([{"body":"public note"}, )"
                                   "\n"
                                   R"( {"body":"alice public"}])");
  const std::string alice =
      R"({"role":"authenticated","sub":"11111111-1111-1111-1111-111111111111"})";
  EXPECT_NE(visible(alice).find("alice private"), std::string::npos);
  EXPECT_EQ(visible(alice).find("bob private"), std::string::npos);
  EXPECT_NE(visible(R"({"role":"service_role"})").find("bob private"), std::string::npos);
  // A forged `sub` in a header or the query string changes nothing: only claims count.
  Request forged = get("/notes", "select=body&sub=eq.22222222-2222-2222-2222-222222222222",
                       {{"X-Sub", "22222222-2222-2222-2222-222222222222"}});
  EXPECT_FALSE(engine_->translate(forged).ok());  // `sub` is not a column: 42703
}

struct Attempt {
  const char* what;
  Request request;
};

TEST_F(Security, ManagedSchemaBypassAttemptsAreRefused) {
  const auto with_claims = [](Request request, const char* claims) {
    request.claims_json = claims;
    return request;
  };
  const Attempt attempts[] = {
      {"profile ai", get("/chunks", "", {{"Accept-Profile", "ai"}})},
      {"profile lower-case header", get("/chunks", "", {{"accept-profile", "ai"}})},
      {"profile quoted", get("/chunks", "", {{"Accept-Profile", "\"ai\""}})},
      {"profile upper-case", get("/chunks", "", {{"Accept-Profile", "AI"}})},
      {"profile padded", get("/chunks", "", {{"Accept-Profile", " ai"}})},
      {"profile list", get("/chunks", "", {{"Accept-Profile", "public,ai"}})},
      {"profile percent-encoded", get("/chunks", "", {{"Accept-Profile", "%61i"}})},
      {"two profile headers",
       get("/chunks", "", {{"Accept-Profile", "public"}, {"Accept-Profile", "ai"}})},
      {"content profile on a read", get("/chunks", "", {{"Content-Profile", "ai"}})},
      {"qualified path", get("/ai.chunks")},
      {"quoted qualified path", get("/%22ai%22.%22chunks%22")},
      {"encoded dot", get("/ai%2Echunks")},
      {"encoded slash", get("/ai%2Fchunks")},
      {"table only in ai", get("/chunks")},
      {"rpc into ai", get("/rpc/match_chunks", "query=x")},
      {"select qualified column", get("/films", "select=ai.chunks.content")},
      {"cast to an ai type", get("/films", "select=id::ai.chunks")},
      {"embed through a foreign key into ai", get("/user_agents", "select=*,agents(*)")},
      {"embed hint naming an ai constraint",
       get("/user_agents", "select=*,agents!user_agents_agent_id_fkey(*)")},
      {"claims asking for the api layer",
       with_claims(get("/chunks", "", {{"Accept-Profile", "ai"}}),
                   R"({"role":"service_role","via_api_layer":true})")},
      {"header asking for the api layer",
       get("/chunks", "", {{"Accept-Profile", "ai"}, {"Via-Api-Layer", "true"}})},
      {"query asking for the api layer",
       get("/chunks", "via_api_layer=true", {{"Accept-Profile", "ai"}})},
  };
  for (const Attempt& attempt : attempts) {
    SCOPED_TRACE(attempt.what);
    Result result = engine_->translate(attempt.request);
    if (!result.ok()) {
      EXPECT_GE(result.error().status, 400);
      EXPECT_LT(result.error().status, 500);
      EXPECT_FALSE(result.error().code.empty());
      continue;
    }
    // Translated: then it must not touch the managed schema when executed.
    EXPECT_EQ(result.translation().query.sql.find("\"ai\""), std::string::npos);
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    if (execution.ok) {
      EXPECT_EQ(execution.row["body"].value_or("").find("secret platform data"), std::string::npos);
    }
  }
}

TEST_F(Security, TheApiLayerReachesTheManagedSchema) {
  Request request = get("/knowledge_bases", "select=name", {{"Accept-Profile", "ai"}});
  request.via_api_layer = true;
  request.claims_json = R"({"role":"service_role"})";
  Execution execution = execute(request);
  ASSERT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message;
  EXPECT_EQ(execution.row["body"], R"([{"name":"support"}])");
}

TEST_F(Security, AManagedSchemaListedAsDefaultStaysClosed) {
  Config config;
  config.schemas = {"ai", "public"};
  Engine engine(fixture_catalog(), config);
  Result result = engine.translate(get("/chunks"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 403);
}

}  // namespace
}  // namespace pgrest::testing
