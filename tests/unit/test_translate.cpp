// End-to-end translation without a database, over the bundled sample catalog: the
// contract's invariants (placeholders match params, SQL text independent of values,
// values never in SQL), the prelude, roles, bounds and routing errors.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "pgrest/engine.hpp"

namespace pgrest {
namespace {

std::shared_ptr<const Catalog> sample_catalog() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    std::ifstream file(std::string(PGREST_SOURCE_ROOT) + "/examples/sample-catalog.json");
    std::stringstream text;
    text << file.rdbuf();
    std::string error;
    auto loaded = load_catalog_json(text.str(), &error);
    EXPECT_NE(loaded, nullptr) << error;
    return loaded;
  }();
  return catalog;
}

Request get(std::string path, std::string query,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request request;
  request.method = "GET";
  request.path = std::move(path);
  request.query = std::move(query);
  request.headers = std::move(headers);
  return request;
}

// The distinct $n numbers used in `sql`, which must be exactly 1..params.
void expect_placeholders_match(const Statement& statement) {
  std::set<size_t> used;
  const std::string& sql = statement.sql;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '$' || i + 1 >= sql.size() || !std::isdigit(sql[i + 1])) continue;
    size_t n = 0;
    size_t j = i + 1;
    while (j < sql.size() && std::isdigit(sql[j])) n = n * 10 + (sql[j++] - '0');
    used.insert(n);
  }
  ASSERT_EQ(used.size(), statement.params.size()) << sql;
  size_t expected = 1;
  for (size_t n : used) EXPECT_EQ(n, expected++) << sql;
}

class Translate : public ::testing::Test {
 protected:
  Engine engine_{sample_catalog(), Config{}};

  Translation ok(const Request& request) {
    Result result = engine_.translate(request);
    EXPECT_TRUE(result.ok()) << (result.ok() ? ""
                                             : result.error().code + " " + result.error().message);
    return result.ok() ? result.translation() : Translation{};
  }
  Error refused(const Request& request, const Engine* engine = nullptr) {
    Result result = (engine ? *engine : engine_).translate(request);
    EXPECT_FALSE(result.ok());
    return result.ok() ? Error{} : result.error();
  }
};

TEST_F(Translate, PlaceholdersMatchParamsAndValuesStayOutOfSql) {
  const std::vector<std::string> queries = {
      "select=id,title,x:metadata->a->>b,metadata->0&year=gte.1999&title=like.*x*&order=id.desc",
      "or=(id.eq.1,and(year.gt.2,title.in.(\"a,b\",c)))&limit=3&offset=4",
      "tags=cs.{zz}&description=fts(english).qq&votes=not.is.null",
  };
  for (const auto& query : queries) {
    Translation translation = ok(get("/films", query));
    expect_placeholders_match(translation.prelude);
    expect_placeholders_match(translation.query);
    for (const char* value : {"1999", "qq", "zz", "\"a,b\""}) {
      EXPECT_EQ(translation.query.sql.find(value), std::string::npos) << value;
    }
  }
}

TEST_F(Translate, SqlTextDependsOnTheShapeNotTheValues) {
  Translation a = ok(get("/films", "select=id&year=gte.1999&title=eq.x&limit=1&order=id"));
  Translation b =
      ok(get("/films", "select=id&year=gte.-5&title=eq.%27%3B%20drop&limit=99&order=id"));
  EXPECT_EQ(a.query.sql, b.query.sql);
  EXPECT_NE(a.query.params, b.query.params);
  EXPECT_EQ(a.prelude.sql, b.prelude.sql);
}

TEST_F(Translate, PreludeCarriesRoleClaimsAndRequest) {
  Request request = get("/films", "select=id", {{"X-Trace", "t1"}, {"Cookie", "a=1; b=two"}});
  request.claims_json = R"({"role":"authenticated","sub":"u1"})";
  Translation translation = ok(request);
  ASSERT_EQ(translation.prelude.params.size(), 7u);
  EXPECT_EQ(translation.prelude.params[0], "\"public\"");
  EXPECT_EQ(translation.prelude.params[1], "authenticated");
  EXPECT_EQ(translation.prelude.params[2], R"({"role":"authenticated","sub":"u1"})");
  EXPECT_EQ(translation.prelude.params[3], "GET");
  EXPECT_EQ(translation.prelude.params[4], "/films");
  EXPECT_EQ(translation.prelude.params[5], R"({"x-trace":"t1"})");
  EXPECT_EQ(translation.prelude.params[6], R"({"a":"1","b":"two"})");
  EXPECT_TRUE(translation.read_only);
  EXPECT_EQ(translation.status, 200);
  // Anonymous requests take the anon role.
  Translation anon = ok(get("/films", ""));
  EXPECT_EQ(anon.prelude.params[1], "anon");
  EXPECT_EQ(anon.prelude.params[2], R"({"role":"anon"})");
}

TEST_F(Translate, RoleClaimKeyAndAnonRole) {
  Config config;
  config.role_claim_key = ".app_metadata.roles[1]";
  Engine engine(sample_catalog(), config);
  Request request = get("/films", "");
  request.claims_json = R"({"role":"authenticated","app_metadata":{"roles":["x","service_role"]}})";
  Result result = engine.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[1], "service_role");
  // Missing at that path: the anon role.
  request.claims_json = R"({"role":"authenticated"})";
  result = engine.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[1], "anon");
  // No role and no anon role: PGRST302.
  Config closed;
  closed.anon_role = std::nullopt;
  Engine closed_engine(sample_catalog(), closed);
  Error error = refused(get("/films", ""), &closed_engine);
  EXPECT_EQ(error.code, "PGRST302");
  EXPECT_EQ(error.status, 401);
  // Claims that are not an object.
  request.claims_json = "[1]";
  error = refused(request);
  EXPECT_EQ(error.status, 401);
}

// request.jwt.claims carries the role the request runs as, as PostgREST publishes it:
// policies reading the claim (auth.role(), auth.jwt()->>'role') must agree with
// current_user whatever the token says at its top level.
TEST_F(Translate, PublishedClaimsCarryTheRoleTheRequestRunsAs) {
  Config config;
  config.role_claim_key = ".app_metadata.role";
  Engine nested(sample_catalog(), config);
  Request request = get("/films", "");
  request.claims_json =
      R"({"role":"service_role","sub":"u1","app_metadata":{"role":"authenticated"}})";
  Result result = nested.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[1], "authenticated");
  EXPECT_EQ(result.translation().prelude.params[2],
            R"({"sub":"u1","app_metadata":{"role":"authenticated"},"role":"authenticated"})");
  // Nothing at the path: the anon role, in the claims too.
  request.claims_json = R"({"role":"service_role","sub":"u1"})";
  result = nested.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[1], "anon");
  EXPECT_EQ(result.translation().prelude.params[2], R"({"sub":"u1","role":"anon"})");

  // A key given twice counts by its last value, as PostgreSQL reads the published text.
  request.claims_json = R"({"role":"anon","role":"service_role","sub":"u1"})";
  result = engine_.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[1], "service_role");
  EXPECT_EQ(result.translation().prelude.params[2], R"({"sub":"u1","role":"service_role"})");
  request.claims_json = R"({"role":"service_role","role":"anon"})";
  result = engine_.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[1], "anon");
  EXPECT_EQ(result.translation().prelude.params[2], R"({"role":"anon"})");

  // The usual token is published as it came (minified).
  request.claims_json = R"({ "sub": "u1", "role": "authenticated" })";
  result = engine_.translate(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.translation().prelude.params[2], R"({"sub":"u1","role":"authenticated"})");

  // A null role is the role "null" (PostgREST uses a non-string claim's JSON text), which
  // does not exist: refused, never the anon role.
  request.claims_json = R"({"role":null})";
  const Error error = refused(request);
  EXPECT_EQ(error.status, 401);
  EXPECT_EQ(error.code, "22023");
  EXPECT_EQ(error.message, R"(role "null" does not exist)");
  // An empty role is no role either, whether or not there is an anon role.
  request.claims_json = R"({"role":""})";
  const Error empty = refused(request);
  EXPECT_EQ(empty.status, 401);
  EXPECT_EQ(empty.code, "22023");
}

// The PGRST202 hint is fuzzy matching, quadratic in what it compares: past its bounds
// (a long name, thousands of argument names) the refusal comes without a hint, and fast.
TEST_F(Translate, FunctionHintsAreBounded) {
  // Within the bounds, a hint.
  Error error = refused(get("/rpc/add_thm", "a=1"));
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_TRUE(error.hint.has_value());
  // A 300-byte name: no hint.
  error = refused(get("/rpc/add_them" + std::string(300, 'x'), "a=1"));
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_FALSE(error.hint.has_value());
  // 20,000 argument names in a POST body to an existing function: no hint.
  std::string body = "{";
  for (int i = 0; i < 20000; ++i) {
    if (i > 0) body += ",";
    body += "\"arg" + std::to_string(i) + "xxxxxxxxxxxxxxxxxxxxxxxx\":1";
  }
  body += "}";
  Request request = get("/rpc/add_them", "");
  request.method = "POST";
  request.body = body;
  Config roomy;
  roomy.limits.max_body_bytes = 1 << 24;
  Engine engine(sample_catalog(), roomy);
  const auto start = std::chrono::steady_clock::now();
  error = refused(request, &engine);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(error.code, "PGRST202");
  EXPECT_FALSE(error.hint.has_value());
  // Generous for a loaded machine or a sanitizer build; unbounded matching took seconds.
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST_F(Translate, RoutingErrors) {
  Request request = get("/a/b", "");
  EXPECT_EQ(refused(request).code, "PGRST125");
  request = get("/films", "");
  request.method = "TRACE";
  EXPECT_EQ(refused(request).code, "PGRST117");
  EXPECT_EQ(refused(request).status, 405);
  request = get("/rpc/add_them", "");
  request.method = "PATCH";
  EXPECT_EQ(refused(request).code, "PGRST101");
  EXPECT_EQ(refused(get("/", "")).code, "PGRST126");
}

TEST_F(Translate, BoundsAreEnforcedWithClearErrors) {
  std::string deep = "or=(";
  for (int i = 0; i < 100000; ++i) deep += "or(";
  deep += "id.eq.1";
  for (int i = 0; i < 100000; ++i) deep += ")";
  deep += ")";
  Config roomy;
  roomy.limits.max_query_bytes = 1 << 20;
  Engine engine(sample_catalog(), roomy);
  Error error = refused(get("/films", deep), &engine);
  EXPECT_EQ(error.code, "PGRX101");
  EXPECT_EQ(error.status, 400);

  std::string huge(100 * 1024, 'a');
  error = refused(get("/films", "title=eq." + huge));
  EXPECT_EQ(error.status, 414);

  std::string many;
  for (int i = 0; i < 1000; ++i) many += "id=eq." + std::to_string(i) + "&";
  error = refused(get("/films", many));
  EXPECT_EQ(error.code, "PGRX101");

  std::string nested_select = "select=";
  for (int i = 0; i < 1000; ++i) nested_select += "a(";
  error = refused(get("/films", nested_select));
  EXPECT_EQ(error.code, "PGRX101");

  error = refused(get("/films", "title=eq.%FF"));
  EXPECT_EQ(error.code, "PGRST100");
}

TEST_F(Translate, ManagedSchemaIsRefusedByEveryProfile) {
  for (const char* header : {"Accept-Profile", "accept-profile", "ACCEPT-PROFILE"}) {
    Error error = refused(get("/chunks", "", {{header, "ai"}}));
    EXPECT_EQ(error.status, 403) << header;
    EXPECT_EQ(error.code, "PGRX403");
  }
  // The refusal is the same whether or not the object exists.
  Error exists = refused(get("/chunks", "", {{"Accept-Profile", "ai"}}));
  Error missing = refused(get("/no_such_table", "", {{"Accept-Profile", "ai"}}));
  EXPECT_EQ(exists.message, missing.message);
  EXPECT_EQ(exists.details, missing.details);
  // Names that only look like the managed schema are ordinary (missing) tables.
  EXPECT_EQ(refused(get("/ai.chunks", "")).code, "PGRST205");
  EXPECT_EQ(refused(get("/%22ai%22.%22chunks%22", "")).code, "PGRST205");
  // Claims cannot open it: via_api_layer comes only from the host.
  Request request = get("/chunks", "", {{"Accept-Profile", "ai"}, {"Via-Api-Layer", "true"}});
  request.claims_json = R"({"role":"service_role","via_api_layer":true})";
  EXPECT_EQ(refused(request).status, 403);
  request.via_api_layer = true;
  EXPECT_TRUE(engine_.translate(request).ok());
}

TEST_F(Translate, EmbeddingUsesLateralJoinsAndChecksPaths) {
  Translation translation = ok(get("/films", "select=id,directors(name),actors(name)"));
  EXPECT_NE(translation.query.sql.find("left join lateral"), std::string::npos);
  EXPECT_NE(translation.query.sql.find("json_agg(\"films_actors_1\")"), std::string::npos);
  EXPECT_EQ(refused(get("/films", "directors.name=eq.x")).code, "PGRST108");
  EXPECT_EQ(refused(get("/films", "select=id,nope(id)")).code, "PGRST200");
}

// Embeds nest at most Limits::max_nesting deep: a well-formed request one level deeper is
// refused with PGRX101, one at the bound is translated.
TEST_F(Translate, EmbedNestingIsBounded) {
  const auto nested = [](size_t levels) {
    std::string select = "select=id";
    for (size_t i = 0; i < levels; ++i) select += i % 2 == 0 ? ",roles(film_id" : ",films(id";
    return select + std::string(levels, ')');
  };
  const size_t bound = Config{}.limits.max_nesting;
  EXPECT_TRUE(engine_.translate(get("/films", nested(bound))).ok());
  const Error error = refused(get("/films", nested(bound + 1)));
  EXPECT_EQ(error.code, "PGRX101");
  EXPECT_EQ(error.details,
            "The select parameter nests deeper than " + std::to_string(bound) + " levels");
  // The bound is the configured one.
  Config config;
  config.limits.max_nesting = 3;
  Engine engine(sample_catalog(), config);
  EXPECT_TRUE(engine.translate(get("/films", nested(3))).ok());
  Result result = engine.translate(get("/films", nested(4)));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "PGRX101");
}

// Computed fields (functions of the row type, fixture: decade(films), tag_list(films)
// set-returning, leak_chunk(films) returning ai.chunks) are schema-qualified calls on the
// node's row in select, filters, logic trees and order, never a name PostgreSQL looks up.
TEST_F(Translate, ComputedFieldsAreQualifiedCallsOnTheRow) {
  const std::string call = R"("public"."decade"("public"."films".*::"public"."films"))";
  Translation translation =
      ok(get("/films", "select=id,decade&decade=gt.1950&or=(decade.eq.1,id.eq.2)&order=decade"));
  const std::string& sql = translation.query.sql;
  EXPECT_NE(sql.find(call + R"( as "decade")"), std::string::npos) << sql;
  EXPECT_NE(sql.find("where " + call + " > $1"), std::string::npos) << sql;
  EXPECT_NE(sql.find("(" + call + " = $2 or"), std::string::npos) << sql;
  EXPECT_NE(sql.find("order by " + call), std::string::npos) << sql;
  // In an embed the call takes the embed's row.
  translation = ok(get("/films", "select=id,directors(decade)"));
  EXPECT_NE(translation.query.sql.find(
                R"("public"."decade"("directors_1".*::"public"."directors") as "decade")"),
            std::string::npos)
      << translation.query.sql;
  // Unknown names stay 42703, and so does a set-returning function of the row.
  EXPECT_EQ(refused(get("/films", "select=nope")).code, "42703");
  EXPECT_EQ(refused(get("/films", "select=tag_list")).code, "42703");
  // A function that returns a managed type is no field, unless the API layer asks.
  EXPECT_EQ(refused(get("/films", "select=leak_chunk")).code, "42703");
  EXPECT_EQ(refused(get("/films", "leak_chunk=is.null")).code, "42703");
  Request api = get("/films", "select=leak_chunk");
  api.via_api_layer = true;
  EXPECT_TRUE(engine_.translate(api).ok());
  // A function in a managed schema, even on a managed table: only through the API layer.
  Config exposed;
  exposed.schemas = {"public", "ai"};
  Engine engine(sample_catalog(), exposed);
  Request chunks = get("/chunks", "select=content_length", {{"Accept-Profile", "ai"}});
  EXPECT_EQ(refused(chunks, &engine).code, "PGRX403");
  chunks.via_api_layer = true;
  EXPECT_TRUE(engine.translate(chunks).ok());
}

// The value of the parameter that follows `keyword` ("limit", "offset") at the root of
// the read (the first occurrence), or "<none>".
std::string clause_param(const Statement& statement, const std::string& keyword) {
  const size_t at = statement.sql.find(" " + keyword + " $");
  if (at == std::string::npos) return "<none>";
  const size_t n = std::stoul(statement.sql.substr(at + keyword.size() + 3));
  return statement.params.at(n - 1).value_or("<null>");
}

// Range and limit/offset intersect without overflowing (it used to be undefined
// behaviour: `Range: 0-9223372036854775807` became LIMIT 0).
TEST_F(Translate, RangeIntersectionSaturates) {
  const std::string max = "9223372036854775807";
  Translation translation = ok(get("/films", "select=id", {{"Range", "0-" + max}}));
  EXPECT_EQ(clause_param(translation.query, "limit"), max) << translation.query.sql;
  EXPECT_EQ(clause_param(translation.query, "offset"), "0");
  translation = ok(get("/films", "select=id&offset=" + max + "&limit=10", {{"Range", "0-5"}}));
  EXPECT_EQ(clause_param(translation.query, "limit"), "0") << translation.query.sql;
  EXPECT_EQ(clause_param(translation.query, "offset"), max);
  translation = ok(get("/films", "select=id&limit=" + max, {{"Range", "3-" + max}}));
  EXPECT_EQ(clause_param(translation.query, "limit"), "9223372036854775804");
  EXPECT_EQ(clause_param(translation.query, "offset"), "3");
  translation = ok(get("/films", "select=id&offset=2&limit=10", {{"Range", "0-3"}}));
  EXPECT_EQ(clause_param(translation.query, "limit"), "2");
  EXPECT_EQ(clause_param(translation.query, "offset"), "2");
  // Malformed or negative limits and offsets are still PGRST103.
  for (const char* query : {"limit=-1", "offset=-1", "limit=x", "limit=99999999999999999999"}) {
    Error error = refused(get("/films", query));
    EXPECT_EQ(error.code, "PGRST103") << query;
    EXPECT_EQ(error.status, 416) << query;
  }
}

// Accept as PostgREST's decodeMediaType reads each media range (MediaType.hs).
TEST_F(Translate, AcceptNegotiationFollowsDecodeMediaType) {
  struct Case {
    const char* accept;
    const char* media_type;
    bool singular;
  };
  const Case accepted[] = {
      {"application/vnd.pgrst.array+json", "application/json", false},
      {"application/vnd.pgrst.array", "application/json", false},
      {"application/vnd.pgrst.array;nulls=stripped",
       "application/vnd.pgrst.array+json;nulls=stripped", false},
      {"application/vnd.pgrst.array+json; nulls=stripped",
       "application/vnd.pgrst.array+json;nulls=stripped", false},
      // nulls=stripped counts only as the one parameter.
      {"application/vnd.pgrst.array+json;nulls=stripped;v=1", "application/json", false},
      {"application/vnd.pgrst.object;nulls=stripped",
       "application/vnd.pgrst.object+json;nulls=stripped", true},
      {"application/vnd.pgrst.object+json;nulls=stripped;v=1", "application/vnd.pgrst.object+json",
       true},
      {"*/*", "application/json", false},
      {"text/csv", "text/csv", false},
      // Equal q-values: the more specific wins.
      {"*/*, text/csv", "text/csv", false},
      {"text/*, application/xml, */*;q=0.5", "application/json", false},
  };
  for (const Case& c : accepted) {
    SCOPED_TRACE(c.accept);
    Translation translation = ok(get("/films", "select=id", {{"Accept", c.accept}}));
    EXPECT_EQ(translation.media_type, c.media_type);
    EXPECT_EQ(translation.singular, c.singular);
  }
  Translation stripped =
      ok(get("/films", "select=id", {{"Accept", "application/vnd.pgrst.array;nulls=stripped"}}));
  EXPECT_NE(stripped.query.sql.find("json_strip_nulls(json_agg(_postgrest_t))"), std::string::npos);
  // Only */* is a wildcard: text/* and application/* are types PostgREST cannot produce.
  for (const char* accept : {"text/*", "application/*", "text/plain", "text/*, application/*"}) {
    SCOPED_TRACE(accept);
    Error error = refused(get("/films", "", {{"Accept", accept}}));
    EXPECT_EQ(error.code, "PGRST107");
    EXPECT_EQ(error.status, 406);
  }
}

TEST_F(Translate, AggregatesAreGatedByConfig) {
  EXPECT_EQ(refused(get("/films", "select=rating.avg()")).code, "PGRST123");
  EXPECT_EQ(refused(get("/films", "select=count()")).code, "PGRST123");
  Config config;
  config.aggregates_enabled = true;
  Engine engine(sample_catalog(), config);
  Result result = engine.translate(get("/films", "select=director_id,total:votes.sum(),count()"));
  ASSERT_TRUE(result.ok());
  EXPECT_NE(result.translation().query.sql.find("group by \"public\".\"films\".\"director_id\""),
            std::string::npos)
      << result.translation().query.sql;
}

TEST_F(Translate, StrictPreferencesRefuseUnknownTokens) {
  Error error = refused(get("/films", "", {{"Prefer", "handling=strict, count=exact, bogus=1"}}));
  EXPECT_EQ(error.code, "PGRST122");
  EXPECT_EQ(error.details, "Invalid preferences: bogus=1");
  EXPECT_TRUE(engine_.translate(get("/films", "", {{"Prefer", "bogus=1"}})).ok());
}

TEST_F(Translate, ManyThreadsTranslateWhileTheCatalogIsSwapped) {
  // A second snapshot without the films table: every translation sees one snapshot or
  // the other as a whole (found, or PGRST205), never a torn one.
  auto without_films = std::make_shared<Catalog>(*sample_catalog());
  std::erase_if(without_films->relations,
                [](const Relation& relation) { return relation.name == "films"; });
  without_films->finalize();
  std::shared_ptr<const Catalog> snapshots[] = {sample_catalog(), without_films};

  std::atomic<bool> stop{false};
  std::atomic<int> found{0};
  std::atomic<int> missing{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      const Request request = get("/films", "select=id,title&year=gte.1&order=id");
      while (!stop.load()) {
        Result result = engine_.translate(request);
        if (result.ok()) {
          ++found;
        } else if (result.error().code == "PGRST205") {
          ++missing;
        } else {
          ++wrong;
        }
      }
    });
  }
  // Keep swapping until the workers have translated enough (bounded in time, so a slow
  // sanitizer build still ends).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0;
       (found.load() < 100 || missing.load() < 100) && std::chrono::steady_clock::now() < deadline;
       ++i) {
    engine_.swap_catalog(snapshots[i % 2]);
    std::this_thread::yield();
  }
  stop = true;
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(found.load(), 0);
  EXPECT_GT(missing.load(), 0);
}

TEST(TranslateBounds, ClaimsLongerThanTheHeaderBoundAreRefused) {
  Config config;
  config.limits.max_header_bytes = 1024;
  Engine engine(sample_catalog(), config);
  Request request = get("/users", "id=eq.1");
  request.claims_json = R"({"role":"authenticated","pad":")" + std::string(2000, 'x') + R"("})";
  Result result = engine.translate(request);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "PGRX101");
  EXPECT_EQ(result.error().status, 400);
  request.claims_json = R"({"role":"authenticated"})";
  EXPECT_TRUE(engine.translate(request).ok());
}

}  // namespace
}  // namespace pgrest
