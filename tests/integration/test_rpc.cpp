// Function calls on /rpc executed on the real fixture: every return shape, arguments
// from the URL and from the body, overload resolution and the access mode.
#include <gtest/gtest.h>

#include "pg_harness.hpp"
#include "pgrest/engine.hpp"

namespace pgrest::testing {
namespace {

class Rpc : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    load_fixture();
    engine_ = new Engine(fixture_catalog(), Config{});
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
    load_fixture();
  }

  static Request call(std::string method, std::string function, std::string query,
                      std::optional<std::string> body = std::nullopt) {
    Request request;
    request.method = std::move(method);
    request.path = "/rpc/" + std::move(function);
    request.query = std::move(query);
    request.body = std::move(body);
    return request;
  }

  static std::string canonical(const std::string& json) {
    Connection connection(superuser_conninfo());
    return connection.query("select $1::jsonb::text as v", {json}).at(0).at("v").value_or("");
  }

  Execution run(const Request& request) {
    Result result = engine_->translate(request);
    EXPECT_TRUE(result.ok()) << request.path << "?" << request.query << ": "
                             << (result.ok() ? ""
                                             : result.error().code + " " + result.error().message);
    if (!result.ok()) return {};
    last_ = result.translation();
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    EXPECT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message << "\n"
                              << result.translation().query.sql;
    return execution;
  }

  void expect_body(const Request& request, const std::string& expected) {
    Execution execution = run(request);
    if (!execution.ok) return;
    EXPECT_EQ(canonical(execution.row["body"].value_or("")), canonical(expected))
        << request.path << "?" << request.query;
  }

  Error refusal(const Request& request) {
    Result result = engine_->translate(request);
    EXPECT_FALSE(result.ok()) << request.path << "?" << request.query;
    return result.ok() ? Error{} : result.error();
  }

  static Engine* engine_;
  Translation last_;
};

Engine* Rpc::engine_ = nullptr;

TEST_F(Rpc, ScalarFromUrlAndBody) {
  expect_body(call("GET", "add_them", "a=1&b=2"), "3");
  expect_body(call("GET", "add_them", "a=40"), "41");  // default argument
  expect_body(call("POST", "add_them", "", R"({"a":5,"b":6})"), "11");
  expect_body(call("POST", "add_them", "", R"([{"a":1,"b":1},{"a":9,"b":9}])"), "2");
  EXPECT_TRUE(last_.read_only);  // immutable: read-only even with POST
  Execution head = run(call("HEAD", "add_them", "a=1"));
  EXPECT_EQ(head.row["body"], "");
}

TEST_F(Rpc, SetsRowsAndTables) {
  expect_body(call("GET", "years", ""), "[1950,1954,1962,1975,2000]");
  // One composite row is an object, not an array.
  expect_body(call("GET", "film_stats", "min_year=1960"), R"({"n":3,"top":8.1})");
  expect_body(call("GET", "titles_since", "min_year=1970"),
              R"([{"id":3,"title":"Jeanne Dielman"},{"id":5,"title":"The Gleaners and I"}])");
}

TEST_F(Rpc, TableResultsTakeTheReadGrammar) {
  expect_body(call("GET", "films_after",
                   "min_year=1950&select=id,directors(name)&order=id.desc&id=lt.5&limit=2"),
              R"([{"id":3,"directors":{"name":"Chantal Akerman"}},
                  {"id":2,"directors":{"name":"Akira Kurosawa"}}])");
  expect_body(call("GET", "titles_since", "min_year=1950&title=like.*a*&select=title"),
              R"([{"title":"Seven Samurai"},{"title":"Jeanne Dielman"},{"title":"Rashomon"},
                  {"title":"The Gleaners and I"}])");
  Request counted = call("GET", "films_after", "min_year=1950&select=id&limit=1");
  counted.headers = {{"Prefer", "count=exact"}};
  Execution execution = run(counted);
  EXPECT_EQ(execution.row["total_count"], "4");
  EXPECT_EQ(execution.row["page_total"], "1");
}

TEST_F(Rpc, VariadicSingleJsonAndVoid) {
  expect_body(call("GET", "plus_one", "v=1&v=2&v=3"), "[2,3,4]");
  expect_body(call("POST", "plus_one", "", R"({"v":[10,20]})"), "[11,21]");
  expect_body(call("POST", "echo", "", R"({"any":"thing","n":[1,2]})"),
              R"({"any":"thing","n":[1,2]})");
  Request text = call("POST", "shout", "", "hello; 'world'");
  text.headers = {{"Content-Type", "text/plain"}};
  expect_body(text, R"("HELLO; 'WORLD'")");
  Execution execution = run(call("POST", "noop", "", ""));
  EXPECT_EQ(last_.status, 204);
  EXPECT_EQ(execution.row["body"], "");
}

TEST_F(Rpc, VolatileFunctionsWriteOnlyWithPost) {
  Execution execution = run(call("POST", "add_event", "", R"({"kind":"rpc"})"));
  EXPECT_FALSE(last_.read_only);
  EXPECT_NE(canonical(execution.row["body"].value_or("")).find("\"kind\": \"rpc\""),
            std::string::npos);
  Error error = refusal(call("GET", "add_event", "kind=x"));
  EXPECT_EQ(error.status, 405);
}

TEST_F(Rpc, OverloadsAndMissingFunctions) {
  Error error = refusal(call("GET", "ambiguous", "a=1"));
  EXPECT_EQ(error.code, "PGRST203");
  EXPECT_EQ(error.status, 300);
  error = refusal(call("GET", "add_them", "x=1"));
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_EQ(error.status, 404);
  error = refusal(call("GET", "no_such_function", ""));
  EXPECT_EQ(error.code, "PGRST202");
  error = refusal(call("POST", "add_them", "", "{oops"));
  EXPECT_EQ(error.code, "PGRST102");
  Request patch = call("PATCH", "add_them", "");
  EXPECT_EQ(refusal(patch).code, "PGRST101");
}

TEST_F(Rpc, ManagedSchemaFunctionsAreClosed) {
  Request into_ai = call("GET", "match_chunks", "query=secret");
  into_ai.headers = {{"Accept-Profile", "ai"}};
  EXPECT_EQ(refusal(into_ai).status, 403);
  EXPECT_EQ(refusal(call("GET", "match_chunks", "query=secret")).code, "PGRST202");
  EXPECT_EQ(refusal(call("GET", "leak_chunks", "")).status, 403);
  into_ai.via_api_layer = true;
  into_ai.claims_json = R"({"role":"service_role"})";
  Connection connection(superuser_conninfo());
  connection.exec(
      "grant usage on schema ai to service_role; "
      "grant execute on all functions in schema ai to service_role");
  expect_body(into_ai, R"([{"id":1,"source_id":1,"knowledge_base_id":1,
                           "content":"secret platform data","embedding":[0.1,0.2]}])");
}

}  // namespace
}  // namespace pgrest::testing
