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
  // A forged `sub` in a header changes nothing: only claims count.
  // (Headers reach request.headers, never request.jwt.claims.)
  Request forged =
      get("/notes", "select=body&order=id",
          {{"X-Sub", "22222222-2222-2222-2222-222222222222"}, {"Authorization", "Bearer forged"}});
  forged.claims_json = R"({"role":"authenticated","sub":"11111111-1111-1111-1111-111111111111"})";
  Execution execution = execute(forged);
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_NE(execution.row["body"].value_or("").find("alice private"), std::string::npos);
  EXPECT_EQ(execution.row["body"].value_or("").find("bob private"), std::string::npos);
  // Claims that look like a header do not override the claims' own sub either.
  forged.claims_json =
      R"({"role":"authenticated","sub":"11111111-1111-1111-1111-111111111111","x-sub":"22222222-2222-2222-2222-222222222222"})";
  execution = execute(forged);
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(execution.row["body"].value_or("").find("bob private"), std::string::npos);
}

struct Attempt {
  const char* what;
  Request request;
  // The refusal expected ("PGRX403", "PGRST106"...), or nullptr for a request that may
  // translate but must then be harmless when executed.
  const char* refused_with;
};

TEST_F(Security, ManagedSchemaBypassAttemptsAreRefused) {
  const auto with_claims = [](Request request, const char* claims) {
    request.claims_json = claims;
    return request;
  };
  const Attempt attempts[] = {
      {"profile ai", get("/chunks", "", {{"Accept-Profile", "ai"}}), "PGRX403"},
      {"profile lower-case header", get("/chunks", "", {{"accept-profile", "ai"}}), "PGRX403"},
      {"profile ai, missing object", get("/no_such_table", "", {{"Accept-Profile", "ai"}}),
       "PGRX403"},
      {"profile quoted", get("/chunks", "", {{"Accept-Profile", "\"ai\""}}), "PGRST106"},
      {"profile upper-case", get("/chunks", "", {{"Accept-Profile", "AI"}}), "PGRST106"},
      {"profile padded", get("/chunks", "", {{"Accept-Profile", " ai"}}), "PGRST106"},
      {"profile with a NUL", get("/chunks", "", {{"Accept-Profile", std::string("ai\0", 3)}}),
       "PGRST106"},
      {"profile look-alike (Cyrillic a)", get("/chunks", "", {{"Accept-Profile", "\xD0\xB0i"}}),
       "PGRST106"},
      {"profile list", get("/chunks", "", {{"Accept-Profile", "public,ai"}}), "PGRST106"},
      {"profile as a search_path", get("/chunks", "", {{"Accept-Profile", "public, ai"}}),
       "PGRST106"},
      {"profile pg_catalog", get("/pg_authid", "", {{"Accept-Profile", "pg_catalog"}}), "PGRST106"},
      {"profile percent-encoded", get("/chunks", "", {{"Accept-Profile", "%61i"}}), "PGRST106"},
      {"two profile headers",
       get("/chunks", "", {{"Accept-Profile", "public"}, {"Accept-Profile", "ai"}}), "PGRX403"},
      {"content profile on a read", get("/chunks", "", {{"Content-Profile", "ai"}}), "PGRST205"},
      {"qualified path", get("/ai.chunks"), "PGRST205"},
      {"quoted qualified path", get("/%22ai%22.%22chunks%22"), "PGRST205"},
      {"encoded dot", get("/ai%2Echunks"), "PGRST205"},
      {"encoded slash", get("/ai%2Fchunks"), "PGRST205"},
      {"table only in ai", get("/chunks"), "PGRST205"},
      {"rpc into ai", get("/rpc/match_chunks", "query=x"), "PGRST202"},
      {"qualified rpc", get("/rpc/ai.match_chunks", "query=x"), "PGRST202"},
      {"rpc returning rows of an ai table", get("/rpc/leak_chunks"), "PGRX403"},
      {"rpc returning an ai composite", get("/rpc/leak_pair"), "PGRX403"},
      {"rpc with an ai-typed OUT parameter", get("/rpc/leak_out"), "PGRX403"},
      {"rpc returning a table with an ai-typed column", get("/rpc/leak_table"), "PGRX403"},
      {"rpc returning a set of an ai enum", get("/rpc/leak_kinds"), "PGRX403"},
      {"rpc taking an ai enum", get("/rpc/takes_kind", "k=internal"), "PGRX403"},
      {"rpc returning a public domain over an ai type", get("/rpc/leak_domain"), "PGRX403"},
      {"rpc returning a public composite with an ai field", get("/rpc/leak_wrapped"), "PGRX403"},
      {"rpc returning an array of that composite", get("/rpc/leak_wrapped_array"), "PGRX403"},
      {"rpc taking a public domain over an ai type", get("/rpc/takes_wrapped", "k=internal"),
       "PGRX403"},
      {"computed field returning a domain over an ai type", get("/films", "select=id,film_secret"),
       "42703"},
      {"filter on that computed field", get("/films", "film_secret=eq.internal"), "42703"},
      {"select qualified column", get("/films", "select=ai.chunks.content"), "PGRST100"},
      {"cast to an ai type", get("/films", "select=id::ai.chunks"), "PGRST100"},
      {"embed through a foreign key into ai", get("/user_agents", "select=*,agents(*)"), "PGRX403"},
      {"embed hint naming an ai constraint",
       get("/user_agents", "select=*,agents!user_agents_agent_id_fkey(*)"), "PGRX403"},
      {"embed by the foreign key column", get("/user_agents", "select=*,agent_id(*)"), "PGRX403"},
      {"embed by the constraint name", get("/user_agents", "select=*,user_agents_agent_id_fkey(*)"),
       "PGRX403"},
      {"inner embed into ai", get("/user_agents", "select=id,agents!inner(name)"), "PGRX403"},
      {"spread of an ai table", get("/user_agents", "select=id,...agents(name)"), "PGRX403"},
      {"embed of a name nothing leads to", get("/user_agents", "select=*,nothing(*)"), "PGRST200"},
      {"embed through a public view's key into ai",
       get("/chunk_refs", "select=*,knowledge_bases(*)"), "PGRX403"},
      {"embed by a public view's key column into ai",
       get("/chunk_refs", "select=*,knowledge_base_id(*)"), "PGRX403"},
      {"order by an embedded ai table", get("/user_agents", "order=agents(name)"), "PGRST108"},
      {"filter on an embedded ai table", get("/user_agents", "agents.name=eq.helper"), "PGRST108"},
      {"claims asking for the api layer",
       with_claims(get("/chunks", "", {{"Accept-Profile", "ai"}}),
                   R"({"role":"service_role","via_api_layer":true})"),
       "PGRX403"},
      {"header asking for the api layer",
       get("/chunks", "", {{"Accept-Profile", "ai"}, {"Via-Api-Layer", "true"}}), "PGRX403"},
      {"query asking for the api layer",
       get("/chunks", "via_api_layer=eq.true", {{"Accept-Profile", "ai"}}), "PGRX403"},
      // Translated, and harmless: the role switch to postgres fails in the database.
      {"claims naming a superuser",
       with_claims(get("/films", "select=id"), R"({"role":"postgres"})"), nullptr},
  };
  for (const Attempt& attempt : attempts) {
    SCOPED_TRACE(attempt.what);
    Result result = engine_->translate(attempt.request);
    if (attempt.refused_with != nullptr) {
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error().code, attempt.refused_with);
      EXPECT_LT(result.error().status, 500);
      continue;
    }
    ASSERT_TRUE(result.ok()) << result.error().code;
    // Translated: then it must not touch the managed schema when executed.
    EXPECT_EQ(result.translation().query.sql.find("\"ai\""), std::string::npos);
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    if (execution.ok) {
      EXPECT_EQ(execution.row["body"].value_or("").find("secret"), std::string::npos);
    }
  }
}

// The same refusal for every managed object, existing or not: it must not reveal what
// the schema holds.
TEST_F(Security, TheManagedSchemaRefusalRevealsNothing) {
  const Request requests[] = {
      get("/chunks", "", {{"Accept-Profile", "ai"}}),
      get("/no_such_table", "", {{"Accept-Profile", "ai"}}),
      get("/rpc/match_chunks", "query=x", {{"Accept-Profile", "ai"}}),
      get("/rpc/no_such_function", "", {{"Accept-Profile", "ai"}}),
      get("/rpc/leak_pair"),
      get("/rpc/leak_chunks"),
  };
  const Result first = engine_->translate(requests[0]);
  ASSERT_FALSE(first.ok());
  for (const Request& request : requests) {
    SCOPED_TRACE(request.path);
    const Result result = engine_->translate(request);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 403);
    EXPECT_EQ(result.error().code, first.error().code);
    EXPECT_EQ(result.error().message, first.error().message);
    EXPECT_EQ(result.error().details, first.error().details);
    EXPECT_EQ(result.error().hint, first.error().hint);
  }
}

// Names that lead into the managed schema through a key the managed side holds (a
// managed table referencing a public one, a managed junction) answer exactly as names
// that lead nowhere: trying names must not tell which managed tables or constraints
// exist. (A public table's own key into it is refused with 403: the key is the public
// table's.)
TEST_F(Security, EmbedsDoNotRevealManagedTablesOrConstraints) {
  // `query` names `existing` where it has "{}"; the same query naming `missing` must get
  // the same error, but for the name itself.
  const auto same_as_nothing = [&](const std::string& path, const std::string& query,
                                   const std::string& existing, const std::string& missing) {
    const auto with = [&](const std::string& name) {
      std::string text = query;
      text.replace(text.find("{}"), 2, name);
      return text;
    };
    const auto naming = [&](std::optional<std::string> text) {
      if (!text) return std::string("<none>");
      for (size_t at = text->find(missing); at != std::string::npos; at = text->find(missing)) {
        text->replace(at, missing.size(), existing);
      }
      return *text;
    };
    SCOPED_TRACE(with(existing));
    const Result a = engine_->translate(get(path, with(existing)));
    const Result b = engine_->translate(get(path, with(missing)));
    ASSERT_FALSE(a.ok());
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(a.error().status, b.error().status);
    EXPECT_EQ(a.error().code, b.error().code);
    EXPECT_EQ(a.error().message, naming(b.error().message));
    EXPECT_EQ(a.error().details, naming(b.error().details));
    EXPECT_EQ(a.error().hint.value_or("<none>"), naming(b.error().hint));
  };
  same_as_nothing("/films", "select=id,{}(*)", "film_notes", "film_notez");
  same_as_nothing("/films", "select=id,film_notes!{}(*)", "film_notes_film_id_fkey",
                  "film_notes_film_id_fkez");
  same_as_nothing("/films", "select=id,...{}(body)", "film_notes", "film_notez");
  same_as_nothing("/films", "select=id,{}(*)", "film_cast", "film_casz");
  same_as_nothing("/films", "select=id,actors!{}(*)", "film_cast", "film_casz");
  same_as_nothing("/actors", "select=id,film_cast!{}(*)", "film_cast_actor_id_fkey",
                  "film_cast_actor_id_fkez");
  EXPECT_EQ(engine_->translate(get("/films", "select=id,film_notes(*)")).error().code, "PGRST200");
  // The API layer follows them.
  Request api = get("/films", "select=id,film_notes(body)&id=eq.1");
  api.via_api_layer = true;
  api.claims_json = R"({"role":"service_role"})";
  EXPECT_TRUE(engine_->translate(api).ok());
}

// Functions whose types live in the managed schema: SECURITY DEFINER, so the database
// itself hands their data to anon (shown through the API layer's translation, executed
// as anon); without the API layer the engine refuses them.
TEST_F(Security, FunctionsWithManagedTypesAreRefused) {
  struct Call {
    const char* path;
    const char* query;
    const char* secret;
  };
  const Call calls[] = {{"/rpc/leak_pair", "", "pair secret"},
                        {"/rpc/leak_out", "", "out secret"},
                        {"/rpc/leak_table", "", "internal"},
                        {"/rpc/leak_kinds", "", "restricted"},
                        {"/rpc/leak_domain", "", "restricted"},
                        {"/rpc/leak_wrapped", "", "wrapped secret"},
                        {"/rpc/leak_wrapped_array", "", "array secret"}};
  for (const Call& call : calls) {
    SCOPED_TRACE(call.path);
    Request request = get(call.path, call.query);
    Result refused = engine_->translate(request);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status, 403);
    EXPECT_EQ(refused.error().code, "PGRX403");

    request.via_api_layer = true;
    Execution execution = execute(request);
    ASSERT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message;
    EXPECT_NE(execution.row["body"].value_or("").find(call.secret), std::string::npos)
        << execution.row["body"].value_or("");
  }
}

// The API layer may follow a foreign key from an exposed table into the managed schema
// (the request that a client gets 403 for).
TEST_F(Security, TheApiLayerEmbedsThroughAForeignKeyIntoTheManagedSchema) {
  Request request = get("/user_agents", "select=label,agents(name)");
  request.claims_json = R"({"role":"service_role"})";
  ASSERT_FALSE(engine_->translate(request).ok());
  request.via_api_layer = true;
  Execution execution = execute(request);
  ASSERT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message;
  EXPECT_EQ(execution.row["body"].value_or(""),
            R"([{"label":"mine","agents":{"name": "helper"}}])");
}

// A public view over a managed table has the table's foreign key into the managed schema
// (PostgREST's view relationships): only the API layer follows it, as it follows a table's.
TEST_F(Security, AViewsKeyIntoTheManagedSchemaIsTheApiLayersOnly) {
  Request request = get("/chunk_refs", "select=id,knowledge_bases(name)");
  request.claims_json = R"({"role":"service_role"})";
  const Result refused = engine_->translate(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "PGRX403");
  request.via_api_layer = true;
  Execution execution = execute(request);
  ASSERT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message;
  EXPECT_NE(execution.row["body"].value_or("").find("support"), std::string::npos)
      << execution.row["body"].value_or("");
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
