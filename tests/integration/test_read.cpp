// Reads translated by the engine and executed on the real PostgreSQL fixture, connected
// as `authenticator` exactly as a host would run them. Bodies are compared as jsonb, so
// key order inside objects does not matter but row order does.
#include <gtest/gtest.h>

#include "pg_harness.hpp"
#include "pgrest/engine.hpp"

namespace pgrest::testing {
namespace {

class Read : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    load_fixture();
    engine_ = new Engine(fixture_catalog(), Config{});
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  static Request get(std::string path, std::string query,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.query = std::move(query);
    request.headers = std::move(headers);
    return request;
  }

  // Translates and executes; fails the test when either step fails.
  Row run(const Request& request, const Engine* engine = nullptr) {
    Result result = (engine ? engine : engine_)->translate(request);
    if (!result.ok()) {
      ADD_FAILURE() << "refused: " << result.error().code << " " << result.error().message << " "
                    << result.error().details.value_or("");
      return {};
    }
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    last_translation_ = result.translation();
    if (!execution.ok) {
      ADD_FAILURE() << "SQL failed: " << execution.sqlstate << " " << execution.message << "\n"
                    << result.translation().query.sql;
      return {};
    }
    last_count_plan_ = execution.count_plan;
    return execution.row;
  }

  std::string body(const Request& request) { return run(request)["body"].value_or("<null>"); }

  // Canonical jsonb text, so that expectations can be written naturally.
  static std::string canonical(const std::string& json) {
    Connection connection(superuser_conninfo());
    auto rows = connection.query("select $1::jsonb::text as v", {json});
    return rows.at(0).at("v").value_or("<null>");
  }

  void expect_body(const Request& request, const std::string& expected) {
    const std::string actual = body(request);
    if (actual == "<null>") return;  // already reported
    EXPECT_EQ(canonical(actual), canonical(expected))
        << "query: " << request.query << "\nsql: " << last_translation_.query.sql;
  }

  // The ids of the rows a filter returns, in order.
  void expect_ids(const std::string& path, const std::string& query, const std::string& ids) {
    expect_body(get(path, "select=id&order=id&" + query), ids_to_json(ids));
  }

  static std::string ids_to_json(const std::string& ids) {
    std::string json = "[";
    size_t start = 0;
    while (start < ids.size()) {
      size_t comma = ids.find(',', start);
      if (comma == std::string::npos) comma = ids.size();
      if (json.size() > 1) json += ",";
      json += "{\"id\":" + ids.substr(start, comma - start) + "}";
      start = comma + 1;
    }
    return json + "]";
  }

  Error refusal(const Request& request) {
    Result result = engine_->translate(request);
    EXPECT_FALSE(result.ok()) << "expected a refusal for " << request.path << "?" << request.query;
    return result.ok() ? Error{} : result.error();
  }

  static Engine* engine_;
  Translation last_translation_;
  std::optional<std::string> last_count_plan_;
};

Engine* Read::engine_ = nullptr;

TEST_F(Read, PlainColumnsFilterOrderLimitOffset) {
  expect_body(get("/films", "select=id,title&year=gte.1954&order=year.desc&limit=2&offset=1"),
              R"([{"id":3,"title":"Jeanne Dielman"},{"id":1,"title":"Cléo from 5 to 7"}])");
}

TEST_F(Read, StarAndNoSelectReturnEveryColumn) {
  expect_body(get("/directors", "order=id"),
              R"([{"id":1,"name":"Agnès Varda"},{"id":2,"name":"Akira Kurosawa"},
                  {"id":3,"name":"Chantal Akerman"}])");
  expect_body(get("/film_titles", "select=*&id=eq.2"),
              R"([{"id":2,"title":"Seven Samurai","year":1954}])");
  expect_body(get("/directors", "select=&id=eq.3"), R"([{"id":3,"name":"Chantal Akerman"}])");
}

TEST_F(Read, AliasesCastsAndJsonPaths) {
  expect_body(get("/films",
                  "select=name:title,y:year::text,metadata->>lang,first:metadata->awards->0,"
                  "last:metadata->awards->>-1,metadata->cast->>lead&id=eq.2"),
              R"([{"name":"Seven Samurai","y":"1954","lang":"ja","first":"venice",
                   "last":"bafta","lead":"Toshiro"}])");
  // A JSON path on a non-json column goes through to_jsonb().
  expect_body(get("/films", "select=id,t:tags->>0&id=eq.4"), R"([{"id":4,"t":"mystery"}])");
  // The implicit name of a path ending in an index is the last key.
  expect_body(get("/films", "select=metadata->awards->0&id=eq.1"), R"([{"awards":"cannes"}])");
  // Nor does an empty key (found by fuzz_translate: it emitted `as ""`). The path still
  // reads the empty key, which these rows do not have.
  expect_body(get("/films", "select=metadata->awards->%22%22&id=eq.1"), R"([{"awards":null}])");
  expect_body(get("/films", "select=metadata->%20&id=eq.1"), R"([{"metadata":null}])");
}

TEST_F(Read, CastTypesAreKeywordsOrQuotedNamesNeverRequestText) {
  // SQL-standard keyword types and plain type names in any case.
  expect_body(get("/films",
                  "select=a:year::integer,b:year::TEXT,c:rating::double precision,"
                  "d:released::timestamp without time zone,e:id::int8&id=eq.2"),
              R"([{"a":1954,"b":"1954","c":8.6,"d":"1954-04-26T00:00:00","e":2}])");
  // Anything else is a quoted identifier: PostgreSQL answers "type does not exist"
  // (42704), not a syntax error, whatever the name.
  for (const char* query : {"select=id::954", "select=id::select", "select=id::from_x"}) {
    Result result = engine_->translate(get("/films", query));
    ASSERT_TRUE(result.ok()) << query;
    EXPECT_EQ(result.translation().query.sql.find(" as 954)"), std::string::npos);
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    EXPECT_FALSE(execution.ok) << query;
    EXPECT_EQ(execution.sqlstate, "42704") << query << ": " << execution.message;
  }
  // A multi-word name that is not a SQL-standard type is refused before SQL.
  Error error = refusal(get("/films", "select=id::drop table"));
  EXPECT_EQ(error.code, "42704");
  EXPECT_EQ(error.status, 400);
}

TEST_F(Read, ComparisonOperators) {
  expect_ids("/films", "year=eq.1954", "2");
  expect_ids("/films", "year=neq.1954", "1,3,4,5");
  expect_ids("/films", "year=gt.1962", "3,5");
  expect_ids("/films", "year=gte.1962", "1,3,5");
  expect_ids("/films", "year=lt.1954", "4");
  expect_ids("/films", "year=lte.1954", "2,4");
  expect_ids("/films", "rating=gt.8.1", "2,4");
  expect_ids("/films", "year=not.gt.1960", "2,4");
}

TEST_F(Read, PatternOperators) {
  expect_ids("/films", "title=like.*Samurai", "2");
  expect_ids("/films", "title=ilike.*the*", "5");
  expect_ids("/films", "title=match.^R", "4");
  expect_ids("/films", "title=imatch.^r", "4");
  expect_ids("/films", "title=not.ilike.*a*", "1");
  expect_ids("/films", "title=like(any).{*Samurai,Rash*}", "2,4");
  expect_ids("/films", "title=ilike(all).{*e*,*s*}", "2,5");
}

TEST_F(Read, InAndIs) {
  expect_ids("/films", "id=in.(1,3,5)", "1,3,5");
  expect_ids("/films", "id=not.in.(1,3,5)", "2,4,6");
  expect_ids("/films", "id=in.()", "");
  expect_ids("/users", "status=in.(%22active%22,%22pending%22)", "1,2,4");
  expect_ids("/films", "year=is.null", "6");
  expect_ids("/films", "year=is.NOT_NULL", "1,2,3,4,5");
  expect_ids("/films", "year=not.is.null", "1,2,3,4,5");
  expect_ids("/notes", "is_public=is.true", "1,4");
  expect_ids("/films", "votes=isdistinct.10", "1,2,3,4,5");
}

TEST_F(Read, IsValuesQuantifiersAndNegations) {
  // is.true/false/unknown on a nullable boolean (recent(films): NULL for film 6).
  expect_ids("/films", "recent=is.true", "3,5");
  expect_ids("/films", "recent=is.false", "1,2,4");
  expect_ids("/films", "recent=is.unknown", "6");
  expect_ids("/films", "recent=not.is.unknown", "1,2,3,4,5");
  expect_ids("/films", "recent=not.is.false", "3,5,6");
  Request service = get("/notes", "select=id&order=id&is_public=is.false");
  service.claims_json = R"({"role":"service_role"})";
  EXPECT_EQ(canonical(body(service)), canonical(ids_to_json("2,3")));
  // Quantified operators.
  expect_ids("/films", "year=eq(any).{1954,1975}", "2,3");
  expect_ids("/films", "year=gt(all).{1950,1960}", "1,3,5");
  expect_ids("/films", "title=match(any).{^R,^S}", "2,4");
  expect_ids("/films", "title=imatch(all).{^the,and}", "5");
  expect_ids("/films", "year=not.eq(any).{1954,1975}", "1,4,5");
  // not. on containment, ranges, isdistinct, regexes and phrase search (a NULL operand
  // stays excluded: not(NULL) is NULL).
  expect_ids("/films", "tags=not.cs.{drama}", "5,6");
  expect_ids("/films", "runtime=not.adj.[91,100)", "2,3,4,5");
  expect_ids("/films", "votes=not.isdistinct.10", "6");
  expect_ids("/films", "title=not.match.^R", "1,2,3,5,6");
  expect_ids("/films", "title=not.imatch.^r", "1,2,3,5,6");
  expect_ids("/films", "description=not.phfts.told+by+four", "1,2,3,5");
}

TEST_F(Read, AwkwardValuesInListsAndUnicode) {
  // An in-list element holding quotes, a semicolon, %, *, a comma, parentheses and a
  // backslash (film 6's title), quoted and escaped as PostgREST reads it.
  expect_ids("/films",
             "title=in.(%22Untitled,%20%5C%22quoted%5C%22;%2050%25%20*done*%20(a,b)%20%5C%5C%20"
             "back%22,Rashomon)",
             "4,6");
  expect_ids("/films",
             "title=not.in.(%22Untitled,%20%5C%22quoted%5C%22;%2050%25%20*done*%20(a,b)%20"
             "%5C%5C%20back%22)",
             "1,2,3,4,5");
  // Percent-encoded UTF-8 in filter values, in lists and patterns.
  expect_ids("/films", "title=eq.Cl%C3%A9o%20from%205%20to%207", "1");
  expect_ids("/directors", "name=in.(%22Agn%C3%A8s%20Varda%22,Nobody)", "1");
  expect_ids("/films", "title=like.*%C3%A9o*", "1");
  expect_ids("/odd_names", "na%C3%AFve=eq.th%C3%A9", "2");
}

// The SQL shapes PostgREST relies on for index use: JSON paths straight on json/jsonb
// columns, full-text search straight on a tsvector column.
TEST_F(Read, JsonAndTsvectorColumnsAreUsedDirectly) {
  expect_body(get("/films", "select=id,l:metadata->>lang&metadata->>lang=eq.ja&order=id"),
              R"([{"id":2,"l":"ja"},{"id":4,"l":"ja"}])");
  std::string sql = last_translation_.query.sql;
  EXPECT_EQ(sql.find("to_jsonb("), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("public"."films"."metadata"->>$)"), std::string::npos) << sql;
  expect_body(get("/films", "select=id,k:doc->k&doc->>k=eq.2"), R"([{"id":2,"k":2}])");
  sql = last_translation_.query.sql;
  EXPECT_EQ(sql.find("to_jsonb("), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("public"."films"."doc"->$)"), std::string::npos) << sql;
  // Any other type goes through to_jsonb().
  expect_body(get("/films", "select=id,t:tags->>1&id=eq.2"), R"([{"id":2,"t":"drama"}])");
  EXPECT_NE(last_translation_.query.sql.find(R"(to_jsonb("public"."films"."tags")->>$)"),
            std::string::npos);
  // tsvector: no to_tsvector(); text: wrapped.
  expect_ids("/films", "search=fts(english).samurai", "2");
  sql = last_translation_.query.sql;
  EXPECT_EQ(sql.find("to_tsvector("), std::string::npos) << sql;
  EXPECT_NE(sql.find(R"("public"."films"."search" @@ to_tsquery($)"), std::string::npos) << sql;
  expect_ids("/films", "description=fts(english).samurai", "2");
  EXPECT_NE(last_translation_.query.sql.find(R"(to_tsvector($1, "public"."films"."description"))"),
            std::string::npos)
      << last_translation_.query.sql;
}

TEST_F(Read, FullTextSearch) {
  // tsvector column used directly; text column wrapped in to_tsvector.
  expect_ids("/films", "search=fts.samurai", "2");
  expect_ids("/films", "search=fts(english).villages", "2");
  expect_ids("/films", "description=plfts(english).medical+test", "1");
  expect_ids("/films", "description=phfts.told+by+four", "4");
  expect_ids("/films", "description=wfts(english).samurai+or+widow", "2,3");
  expect_ids("/films", "search=not.fts.samurai", "1,3,4,5,6");
}

TEST_F(Read, ArrayAndRangeOperators) {
  expect_ids("/films", "tags=cs.{drama}", "1,2,3,4");
  expect_ids("/films", "tags=cd.{drama,action,paris}", "1,2,3,6");
  expect_ids("/films", "tags=ov.{documentary,mystery}", "4,5");
  expect_ids("/films", "runtime=sl.[100,150)", "1,4,5");
  expect_ids("/films", "runtime=sr.[100,150)", "2,3");
  expect_ids("/films", "runtime=nxr.[89,95)", "1,4,5");
  expect_ids("/films", "runtime=nxl.[200,300)", "2,3");
  expect_ids("/films", "runtime=adj.[91,100)", "1");
  expect_ids("/films", "metadata=cs.{\"lang\":\"fr\"}", "1,3");
}

TEST_F(Read, LogicTrees) {
  expect_ids("/films", "or=(year.lt.1955,rating.gte.8.5)", "2,4");
  expect_ids("/films", "and=(year.gt.1950,year.lt.1970)", "1,2");
  expect_ids("/films", "not.or=(year.lt.1955,year.is.null)", "1,3,5");
  expect_ids("/films", "or=(id.eq.6,and(year.gte.1960,or(rating.gte.8,votes.is.null)))", "1,5,6");
  expect_ids("/films",
             "or=(title.eq.%22Untitled,%20%5C%22quoted%5C%22;%2050%25%20*done*%20"
             "(a,b)%20%5C%5C%20back%22,id.eq.1)",
             "1,6");
  expect_ids("/films", "or=(tags.cs.{mystery},id.in.(1,2))", "1,2,4");
  expect_ids("/films", "or=(metadata->>lang.eq.ja,id.eq.3)", "2,3,4");
  expect_ids("/films", "year=gte.1950&or=(id.eq.1,id.eq.2)&or=(id.eq.2,id.eq.3)", "2");
}

TEST_F(Read, ValuesTravelAsDataNeverAsSql) {
  // The title holds quotes, a semicolon, %, *, commas, parentheses and a backslash.
  const std::string title =
      "eq.Untitled%2C%20%22quoted%22%3B%2050%25%20*done*%20(a%2Cb)%20%5C%20back";
  expect_ids("/films", "title=" + title, "6");
  for (const auto& param : last_translation_.query.params) {
    ASSERT_TRUE(param.has_value());
  }
  EXPECT_EQ(last_translation_.query.sql.find("quoted"), std::string::npos);
  // An injection attempt is only a value that matches nothing.
  expect_ids("/films", "title=eq.x'%3B%20drop%20table%20films%3B--", "");
  expect_ids("/films", "title=in.(%22a%5C%22)%3B%20drop%20table%20films%3B--%22,b)", "");
  expect_ids("/films", "id=gt.0", "1,2,3,4,5,6");
}

TEST_F(Read, OddColumnNames) {
  expect_body(get("/odd_names",
                  "select=id,%22order%22,%22with%20space%22,%22quote%5C%22d%22,"
                  "na%C3%AFve,Mixed&%22order%22=eq.second"),
              R"([{"id":2,"order":"second","with space":"c d","quote\"d":"q\"2",
                   "naïve":"thé","Mixed":"M2"}])");
  // Reserved words are filters only when quoted.
  expect_ids("/odd_names", "%22limit%22=gt.15", "2");
  expect_ids("/odd_names", "%22select%22=eq.s1", "1");
}

TEST_F(Read, OrderingNullsAndPaths) {
  expect_body(get("/films", "select=id&order=year.desc.nullsfirst,id&limit=3"),
              R"([{"id":6},{"id":5},{"id":3}])");
  expect_body(get("/films", "select=id&order=year.asc.nullslast&offset=4"),
              R"([{"id":5},{"id":6}])");
  expect_body(get("/films", "select=id&order=metadata->>lang.desc.nullslast,id.desc&limit=3"),
              R"([{"id":4},{"id":2},{"id":3}])");
}

TEST_F(Read, RangesLimitsAndMaxRows) {
  expect_body(get("/films", "select=id&order=id", {{"Range", "1-2"}}), R"([{"id":2},{"id":3}])");
  expect_body(get("/films", "select=id&order=id&offset=2&limit=10", {{"Range", "0-3"}}),
              R"([{"id":3},{"id":4}])");
  expect_body(get("/films", "select=id&order=id&limit=0"), "[]");
  Config config;
  config.max_rows = 2;
  Engine capped(fixture_catalog(), config);
  Row row = run(get("/films", "select=id&order=id&limit=5"), &capped);
  EXPECT_EQ(canonical(row["body"].value_or("")), canonical(R"([{"id":1},{"id":2}])"));
  EXPECT_EQ(refusal(get("/films", "limit=-1")).code, "PGRST103");
  EXPECT_EQ(refusal(get("/films", "limit=-1")).status, 416);
  EXPECT_EQ(refusal(get("/films", "", {{"Range", "5-2"}})).status, 416);
}

TEST_F(Read, RangeEdgesHeadAndMaxRows) {
  // The intersection saturates: the largest Range is every row (it was LIMIT 0).
  expect_body(get("/films", "select=id&order=id", {{"Range", "0-9223372036854775807"}}),
              ids_to_json("1,2,3,4,5,6"));
  expect_body(
      get("/films", "select=id&order=id&offset=9223372036854775807&limit=10", {{"Range", "0-5"}}),
      "[]");
  expect_body(get("/films", "select=id&order=id&limit=9223372036854775807",
                  {{"Range", "4-9223372036854775807"}}),
              ids_to_json("5,6"));
  // HEAD ignores Range (only limit/offset apply), as PostgREST does.
  Request head = get("/films", "select=id", {{"Range", "0-1"}});
  head.method = "HEAD";
  Row row = run(head);
  EXPECT_EQ(row["page_total"], "6");
  head.query = "select=id&limit=2";
  row = run(head);
  EXPECT_EQ(row["page_total"], "2");
  // max_rows caps every embedded node too, and applies after the Range.
  Config config;
  config.max_rows = 1;
  Engine one(fixture_catalog(), config);
  row = run(get("/films", "select=id,roles(character)&roles.order=character&id=eq.2"), &one);
  EXPECT_EQ(canonical(row["body"].value_or("")),
            canonical(R"([{"id":2,"roles":[{"character":"Kambei"}]}])"));
  row = run(get("/films", "select=id,roles(character)&roles.limit=5&roles.order=character&id=eq.4"),
            &one);
  EXPECT_EQ(canonical(row["body"].value_or("")),
            canonical(R"([{"id":4,"roles":[{"character":"Tajomaru"}]}])"));
  config.max_rows = 2;
  Engine two(fixture_catalog(), config);
  row = run(get("/films", "select=id&order=id", {{"Range", "1-10"}}), &two);
  EXPECT_EQ(canonical(row["body"].value_or("")), canonical(ids_to_json("2,3")));
  row = run(get("/films", "select=id&order=id&offset=3", {{"Range", "0-"}}), &two);
  EXPECT_EQ(canonical(row["body"].value_or("")), canonical(ids_to_json("4,5")));
}

TEST_F(Read, Counts) {
  Row row = run(get("/films", "select=id&year=gt.1950&limit=2", {{"Prefer", "count=exact"}}));
  EXPECT_EQ(row["page_total"], "2");
  EXPECT_EQ(row["total_count"], "4");
  row = run(get("/films", "select=id&year=gt.1950", {{"Prefer", "count=exact"}}));
  EXPECT_EQ(row["total_count"], "4");
  row = run(get("/films", "select=id&limit=1"));
  EXPECT_EQ(row["total_count"], std::nullopt);
  row = run(get("/films", "select=id&year=gt.1950", {{"Prefer", "count=planned"}}));
  EXPECT_EQ(row["total_count"], std::nullopt);
  ASSERT_TRUE(last_count_plan_.has_value());
  EXPECT_NE(last_count_plan_->find("\"Plan Rows\""), std::string::npos);
  // estimated: an exact count capped just past max_rows, plus the planner's estimate.
  // Four films match and max_rows is 2, so counting must stop at 3.
  Config config;
  config.max_rows = 2;
  Engine capped(fixture_catalog(), config);
  row = run(get("/films", "select=id&year=gt.1950", {{"Prefer", "count=estimated"}}), &capped);
  EXPECT_EQ(row["page_total"], "2");
  EXPECT_EQ(row["total_count"], "3");  // counting stopped at max_rows + 1
  EXPECT_EQ(last_translation_.count_threshold, 2);
  ASSERT_TRUE(last_count_plan_.has_value());
  EXPECT_NE(last_count_plan_->find("\"Plan Rows\""), std::string::npos);
  // Up to the cap the count is exact, and the host uses it as it is (3 <= max_rows).
  config.max_rows = 3;
  Engine roomy(fixture_catalog(), config);
  row = run(get("/films", "select=id&year=gt.1960", {{"Prefer", "count=estimated"}}), &roomy);
  EXPECT_EQ(row["total_count"], "3");
  EXPECT_EQ(last_translation_.count_threshold, 3);
}

TEST_F(Read, OutputFormats) {
  // Singular object: the host checks page_total == 1.
  Row row = run(
      get("/films", "select=id,title&id=eq.2", {{"Accept", "application/vnd.pgrst.object+json"}}));
  EXPECT_EQ(canonical(row["body"].value_or("")), canonical(R"({"id":2,"title":"Seven Samurai"})"));
  EXPECT_TRUE(last_translation_.singular);
  // No row: the host's check answers PGRST116 (406) and rolls back.
  Result none = engine_->translate(
      get("/films", "id=gt.100", {{"Accept", "application/vnd.pgrst.object+json"}}));
  ASSERT_TRUE(none.ok());
  Execution refused = Connection(authenticator_conninfo()).run(none.translation());
  EXPECT_EQ(refused.sqlstate, "PGRST116");
  EXPECT_EQ(refused.http_status, 406);
  EXPECT_EQ(refused.details, "The result contains 0 rows");
  // Stripped nulls.
  expect_body(get("/films", "select=id,year&id=eq.6",
                  {{"Accept", "application/vnd.pgrst.array+json;nulls=stripped"}}),
              R"([{"id":6}])");
  // PostgREST also takes the type without +json; without nulls=stripped it is plain
  // JSON, answered as application/json.
  expect_body(get("/films", "select=id,year&id=eq.6",
                  {{"Accept", "application/vnd.pgrst.array;nulls=stripped"}}),
              R"([{"id":6}])");
  EXPECT_EQ(last_translation_.media_type, "application/vnd.pgrst.array+json;nulls=stripped");
  expect_body(get("/films", "select=id,year&id=eq.6", {{"Accept", "application/vnd.pgrst.array"}}),
              R"([{"id":6,"year":null}])");
  EXPECT_EQ(last_translation_.media_type, "application/json");
  // CSV as PostgREST writes it: each line is the record's text without its parentheses,
  // so text with spaces is quoted and a backslash doubled (PostgreSQL's record output,
  // not COPY's); an empty result is the empty header and a newline.
  row = run(get("/films", "select=id,title,year&id=in.(2,6)&order=id", {{"Accept", "text/csv"}}));
  EXPECT_EQ(row["body"],
            "id,title,year\n2,\"Seven Samurai\",1954\n"
            "6,\"Untitled, \"\"quoted\"\"; 50% *done* (a,b) \\\\ back\",");
  EXPECT_EQ(last_translation_.media_type, "text/csv");
  row = run(get("/films", "select=id&id=eq.100", {{"Accept", "text/csv"}}));
  EXPECT_EQ(row["body"], "\n");
  // HEAD: same statement, empty body.
  Request head = get("/films", "select=id");
  head.method = "HEAD";
  row = run(head);
  EXPECT_EQ(row["body"], "");
  EXPECT_EQ(row["page_total"], "6");
  // Negotiation.
  EXPECT_EQ(refusal(get("/films", "", {{"Accept", "application/xml"}})).code, "PGRST107");
  EXPECT_EQ(refusal(get("/films", "", {{"Accept", "application/xml"}})).status, 406);
  EXPECT_EQ(refusal(get("/films", "", {{"Accept", "text/*"}})).code, "PGRST107");
  EXPECT_EQ(refusal(get("/films", "", {{"Accept", "application/*"}})).code, "PGRST107");
  expect_body(get("/films", "select=id&id=eq.1", {{"Accept", "application/xml;q=0.9, */*;q=0.1"}}),
              R"([{"id":1}])");
}

// PostgREST's CSV body (SqlFragment.hs asCsvF) over the rows of `source_sql`, run as is:
// the reference the engine's CSV must equal byte for byte.
std::string postgrest_csv(const std::string& source_sql) {
  Connection connection(superuser_conninfo());
  const std::string sql =
      "with pgrst_source as (" + source_sql +
      ") select (select coalesce(string_agg(a.k, ','), '') from (select json_object_keys(r)::text"
      " as k from (select row_to_json(hh) as r from pgrst_source as hh limit 1) s) a) || '\n' ||"
      " coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2),"
      " '\n'), '') as body from (select * from pgrst_source) _postgrest_t";
  return connection.query(sql).at(0).at("body").value_or("<null>");
}

TEST_F(Read, CsvIsPostgrestsCsv) {
  const std::vector<std::pair<std::string, std::string>> csv = {{"Accept", "text/csv"}};
  struct Case {
    const char* path;
    const char* query;
    const char* reference;  // the same rows, selected directly
  };
  const Case cases[] = {
      // Every type of the films table: arrays, jsonb and json (quotes doubled), dates,
      // ranges, numerics, NULLs and the title with quotes, commas and a backslash.
      {"/films", "select=id,title,year,rating,tags,metadata,doc,released,runtime&order=id",
       "select id, title, year, rating, tags, metadata, doc, released, runtime "
       "from public.films order by id"},
      // Booleans are t/f.
      {"/notes", "select=id,is_public,body&order=id",
       "select id, is_public, body from public.notes where is_public order by id"},
      // Header names are written as they are, spaces and quotes included.
      {"/odd_names", "select=id,%22with%20space%22,%22quote%5C%22d%22,na%C3%AFve&order=id",
       "select id, \"with space\", \"quote\"\"d\", \"naïve\" from public.odd_names order by id"},
      // Duplicate output names (PostgreSQL refused `_postgrest_t."id"` as ambiguous).
      {"/films", "select=id,id&order=id&limit=2",
       "select id, id from public.films order by id limit 2"},
      {"/films", "select=tags->0,tags->1&order=id&limit=3",
       "select to_jsonb(tags)->0 as tags, to_jsonb(tags)->1 as tags from public.films "
       "order by id limit 3"},
      // No rows: an empty header and a newline.
      {"/films", "select=id,title&id=gt.100", "select id, title from public.films where id > 100"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    Row row = run(get(c.path, c.query, csv));
    ASSERT_TRUE(row["body"].has_value());
    EXPECT_EQ(*row["body"], postgrest_csv(c.reference)) << last_translation_.query.sql;
  }
  // What the reference produces, spelled out for two of them.
  EXPECT_EQ(postgrest_csv("select id, id from public.films order by id limit 2"),
            "id,id\n1,1\n2,2");
  EXPECT_EQ(postgrest_csv("select id, is_public from public.notes where is_public order by id"),
            "id,is_public\n1,t\n4,t");
}

TEST_F(Read, PostgrestJsEncodings) {
  // As @supabase/postgrest-js sends them: `+` for spaces, %22 around in-list values,
  // nullsfirst and offset/limit pairs.
  expect_body(get("/users",
                  "select=id%2Cname&status=in.%28%22active%22%2C%22pending%22%29"
                  "&order=created_at.desc.nullsfirst&offset=0&limit=2"),
              R"([{"id":4,"name":"dee"},{"id":2,"name":"bob"}])");
  expect_ids("/films", "title=eq.Seven+Samurai", "2");
  expect_ids("/films", "description=wfts.village+samurai", "2");
}

TEST_F(Read, RowLevelSecurityFollowsTheRole) {
  // anon sees public notes only.
  expect_ids("/notes", "", "1,4");
  // An authenticated user sees public notes and their own.
  Request alice = get("/notes", "select=id&order=id");
  alice.claims_json = R"({"role":"authenticated","sub":"11111111-1111-1111-1111-111111111111"})";
  EXPECT_EQ(canonical(body(alice)), canonical(ids_to_json("1,2,4")));
  Request bob = alice;
  bob.claims_json = R"({"role":"authenticated","sub":"22222222-2222-2222-2222-222222222222"})";
  EXPECT_EQ(canonical(body(bob)), canonical(ids_to_json("1,3,4")));
  // service_role bypasses RLS.
  Request service = alice;
  service.claims_json = R"({"role":"service_role"})";
  EXPECT_EQ(canonical(body(service)), canonical(ids_to_json("1,2,3,4")));
}

TEST_F(Read, Refusals) {
  Error error = refusal(get("/nope", ""));
  EXPECT_EQ(error.code, "PGRST205");
  EXPECT_EQ(error.status, 404);
  error = refusal(get("/films", "select=id,nope"));
  EXPECT_EQ(error.code, "42703");
  EXPECT_EQ(error.status, 400);
  error = refusal(get("/films", "nope=eq.1"));
  EXPECT_EQ(error.code, "42703");
  error = refusal(get("/films", "order=nope"));
  EXPECT_EQ(error.code, "42703");
  error = refusal(get("/films", "select=id,,title"));
  EXPECT_EQ(error.code, "PGRST100");
  EXPECT_EQ(error.status, 400);
  error = refusal(get("/films", "id=xx.1"));
  EXPECT_EQ(error.code, "PGRST100");
  error = refusal(get("/chunks", "", {{"Accept-Profile", "ai"}}));
  EXPECT_EQ(error.status, 403);
  error = refusal(get("/films", "", {{"Accept-Profile", "private"}}));
  EXPECT_EQ(error.code, "PGRST106");
  EXPECT_EQ(error.status, 406);
}

TEST_F(Read, OperatorsTheColumnTypeCannotTakeAreRefusedEarly) {
  // Refused by the engine with what PostgreSQL itself answers (42883, which PostgREST
  // sends as 404)...
  for (const char* query : {"year=like.19*", "rating=ilike.8*", "released=match.^19", "id=cs.{1}",
                            "title=ov.{a}", "metadata=like.*fr*"}) {
    Error error = refusal(get("/films", query));
    EXPECT_EQ(error.code, "42883") << query;
    EXPECT_EQ(error.status, 404) << query;
  }
  // ...because the database would refuse them anyway.
  Connection connection(superuser_conninfo());
  for (const char* sql :
       {"select 1 from public.films where year like $1",
        "select 1 from public.films where rating ilike $1",
        "select 1 from public.films where released ~ $1",
        "select 1 from public.films where id @> $1", "select 1 from public.films where title && $1",
        "select 1 from public.films where metadata like $1"}) {
    try {
      connection.query(sql, {std::string("x")});
      ADD_FAILURE() << "PostgreSQL accepted: " << sql;
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("does not exist"), std::string::npos) << sql;
    }
  }
  // Text through a JSON path, and text columns, are fine.
  expect_ids("/films", "metadata->>lang=like.f*", "1,3");
}

// PostgREST's computed fields: functions of the table's row type, which it reaches as
// `"t"."f"`. Fixture: decade(films), decade(directors), shouted(films), facts(films)
// (jsonb), name_length(directors); tag_list(films) is set-returning and leak_chunk(films)
// returns a managed type, so neither is a field.
TEST_F(Read, ComputedFields) {
  // Select, with an alias, a cast and JSON paths; order on it.
  expect_body(get("/films",
                  "select=id,decade,d:decade::text,shouted,f:facts->>decade,facts->tags->0"
                  "&order=decade.desc.nullslast,id&limit=3"),
              R"([{"id":5,"decade":2000,"d":"2000","shouted":"THE GLEANERS AND I","f":"2000",
                   "tags":"documentary"},
                  {"id":3,"decade":1970,"d":"1970","shouted":"JEANNE DIELMAN","f":"1970",
                   "tags":"drama"},
                  {"id":1,"decade":1960,"d":"1960","shouted":"CLÉO FROM 5 TO 7","f":"1960",
                   "tags":"drama"}])");
  // Filters and logic trees.
  expect_ids("/films", "decade=eq.1950", "2,4");
  expect_ids("/films", "decade=not.is.null&decade=lt.1960", "2,4");
  expect_ids("/films", "or=(decade.eq.1970,shouted.like.*SAMURAI)", "2,3");
  expect_ids("/films", "not.and=(decade.gte.1950,facts->>decade.neq.2000)", "5");
  // In an embed (the call takes the embed's row), and an overload on another row type.
  expect_body(get("/films", "select=id,directors(name,name_length,decade)&id=eq.1"),
              R"([{"id":1,"directors":{"name":"Agnès Varda","name_length":11,"decade":-1}}])");
  expect_body(get("/directors", "select=id,decade&id=eq.2"), R"([{"id":2,"decade":-1}])");
  // On the rows of a function returning the table, and in CSV.
  expect_body(get("/rpc/films_after", "min_year=1960&select=id,decade&decade=eq.1970"),
              R"([{"id":3,"decade":1970}])");
  Row row = run(get("/films", "select=id,decade&id=eq.1", {{"Accept", "text/csv"}}));
  EXPECT_EQ(row["body"], "id,decade\n1,1960");
  // The call is schema-qualified, on the whole row: no search_path lookup.
  EXPECT_NE(last_translation_.query.sql.find(
                R"("public"."decade"("public"."films".*::"public"."films"))"),
            std::string::npos)
      << last_translation_.query.sql;
  // Not fields: a set-returning function (a computed relationship) and a function
  // returning a managed type, unless the API layer asks.
  for (const char* query :
       {"select=id,tag_list", "select=id,leak_chunk", "tag_list=eq.drama", "order=leak_chunk"}) {
    Error error = refusal(get("/films", query));
    EXPECT_EQ(error.code, "42703") << query;
  }
  Request api = get("/films", "select=id,c:leak_chunk->>content&id=eq.1");
  api.via_api_layer = true;
  api.claims_json = R"({"role":"service_role"})";
  expect_body(api, R"([{"id":1,"c":"secret platform data"}])");
  Request chunks = get("/chunks", "select=id,content_length", {{"Accept-Profile", "ai"}});
  chunks.via_api_layer = true;
  chunks.claims_json = R"({"role":"service_role"})";
  expect_body(chunks, R"([{"id":1,"content_length":20}])");
}

TEST_F(Read, ManagedSchemaThroughTheApiLayer) {
  Request request = get("/chunks", "select=id,content", {{"Accept-Profile", "ai"}});
  request.via_api_layer = true;
  request.claims_json = R"({"role":"service_role"})";
  expect_body(request, R"([{"id":1,"content":"secret platform data"}])");
}

}  // namespace
}  // namespace pgrest::testing
