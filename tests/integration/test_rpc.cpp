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

  // Translates (must succeed) and executes, success or not.
  Execution execute(const Request& request) {
    Result result = engine_->translate(request);
    EXPECT_TRUE(result.ok()) << request.path << "?" << request.query << ": "
                             << (result.ok() ? ""
                                             : result.error().code + " " + result.error().message);
    if (!result.ok()) return {};
    last_ = result.translation();
    Connection connection(authenticator_conninfo());
    return connection.run(result.translation());
  }

  // A table as the superuser sees it, as canonical jsonb text.
  static std::string table(const std::string& sql) {
    Connection connection(superuser_conninfo());
    auto rows =
        connection.query("select coalesce(jsonb_agg(t), '[]')::text as v from (" + sql + ") t");
    return rows.at(0).at("v").value_or("");
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
  load_fixture();  // the events table starts empty
  Execution execution = run(call("POST", "add_event", "", R"({"kind":"rpc"})"));
  EXPECT_FALSE(last_.read_only);
  EXPECT_NE(canonical(execution.row["body"].value_or("")).find("\"kind\": \"rpc\""),
            std::string::npos);
  EXPECT_EQ(table("select kind from public.events"), canonical(R"([{"kind":"rpc"}])"));
  // GET runs any function in a READ ONLY transaction, as PostgREST does: a volatile one
  // that writes fails in the database (25006, which PostgREST answers with 405) ...
  Execution refused = execute(call("GET", "add_event", "kind=x"));
  EXPECT_TRUE(last_.read_only);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.sqlstate, "25006");
  EXPECT_EQ(table("select kind from public.events"), canonical(R"([{"kind":"rpc"}])"));
  // ... and a volatile one that only reads answers.
  expect_body(call("GET", "volatile_read", ""), "1");
  EXPECT_TRUE(last_.read_only);
}

TEST_F(Rpc, RollbackPreferenceLeavesTablesUnchanged) {
  load_fixture();
  Request request = call("POST", "add_event", "", R"({"kind":"rolled back"})");
  request.headers = {{"Prefer", "tx=rollback"}};
  Execution execution = run(request);
  EXPECT_TRUE(last_.rollback);
  // The function ran (its row is in the response) but nothing persisted.
  EXPECT_NE(canonical(execution.row["body"].value_or("")).find("rolled back"), std::string::npos);
  EXPECT_EQ(table("select kind from public.events"), "[]");
}

TEST_F(Rpc, MaxAffectedOnFunctions) {
  load_fixture();
  Request three = call("POST", "add_events", "", R"({"n":3})");
  three.headers = {{"Prefer", "handling=strict, max-affected=2"}};
  Execution exceeded = execute(three);
  EXPECT_FALSE(exceeded.ok);
  EXPECT_EQ(exceeded.sqlstate, "PGRST124");
  EXPECT_EQ(exceeded.http_status, 400);
  EXPECT_EQ(exceeded.details, "The query affects 3 rows");
  EXPECT_EQ(table("select kind from public.events"), "[]");
  Request two = call("POST", "add_events", "", R"({"n":2})");
  two.headers = three.headers;
  Execution within = run(two);
  EXPECT_EQ(last_.max_affected, 2);
  EXPECT_EQ(table("select kind from public.events"),
            canonical(R"([{"kind":"bulk"},{"kind":"bulk"}])"));
  // Lenient handling ignores the preference.
  Request lenient = call("POST", "add_events", "", R"({"n":3})");
  lenient.headers = {{"Prefer", "max-affected=2"}};
  Result ignored = engine_->translate(lenient);
  ASSERT_TRUE(ignored.ok());
  EXPECT_FALSE(ignored.translation().max_affected.has_value());
  // A function that does not return a set cannot take it (PGRST128).
  Request single = call("POST", "add_event", "", R"({"kind":"x"})");
  single.headers = three.headers;
  Error error = refusal(single);
  EXPECT_EQ(error.code, "PGRST128");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.message,
            "Function must return SETOF or TABLE when max-affected preference is used with "
            "handling=strict");
}

TEST_F(Rpc, SingleUnnamedJsonbParameter) {
  expect_body(call("POST", "echo_jsonb", "", R"({"a":1,"b":[true,null]})"),
              R"({"a":1,"b":[true,null]})");
}

TEST_F(Rpc, OverloadsResolvedByArgumentNames) {
  expect_body(call("GET", "overloaded", "a=1"), R"("a")");
  expect_body(call("GET", "overloaded", "b=x"), R"("b")");
  expect_body(call("POST", "overloaded", "", R"({"b":"x"})"), R"("b")");
  expect_body(call("POST", "overloaded", "", R"({"a":2})"), R"("a")");
}

TEST_F(Rpc, MissingFunctionHints) {
  // A close function name.
  Error error = refusal(call("GET", "add_themm", "a=1"));
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_EQ(error.message, "Could not find the function public.add_themm(a) in the schema cache");
  EXPECT_EQ(error.details,
            "Searched for the function public.add_themm with parameter a, but no matches were "
            "found in the schema cache.");
  EXPECT_EQ(error.hint, "Perhaps you meant to call the function public.add_them");
  // The name exists: the closest parameter list of its overloads.
  error = refusal(call("GET", "add_them", "c=2&a=1"));
  EXPECT_EQ(error.message, "Could not find the function public.add_them(a, c) in the schema cache");
  EXPECT_EQ(error.details,
            "Searched for the function public.add_them with parameters a, c, but no matches "
            "were found in the schema cache.");
  EXPECT_EQ(error.hint, "Perhaps you meant to call the function public.add_them(a, b)");
  // POST without arguments.
  error = refusal(call("POST", "add_thm", "", ""));
  EXPECT_EQ(error.message,
            "Could not find the function public.add_thm without parameters in the schema cache");
  EXPECT_EQ(error.details,
            "Searched for the function public.add_thm without parameters or with a single "
            "unnamed json/jsonb parameter, but no matches were found in the schema cache.");
  EXPECT_EQ(error.hint, "Perhaps you meant to call the function public.add_them");
  // Nothing close: no hint.
  error = refusal(call("GET", "qqqqqqqqqqqq", ""));
  EXPECT_EQ(error.hint, std::nullopt);
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
