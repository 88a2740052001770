// Writes executed on the real fixture: the returned body and status, and the table
// contents afterwards. The fixture is reloaded before every test, so each starts clean.
#include <gtest/gtest.h>

#include "pg_harness.hpp"
#include "pgrest/engine.hpp"

namespace pgrest::testing {
namespace {

class Write : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    load_fixture();  // before the catalog is first introspected
    engine_ = new Engine(fixture_catalog(), Config{});
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
    load_fixture();  // leave the data as the other suites expect it
  }
  void SetUp() override { load_fixture(); }

  static Request request(std::string method, std::string path, std::string query,
                         std::optional<std::string> body,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }

  // Translates (must succeed) and executes as authenticator.
  Execution run(const Request& r) {
    Result result = engine_->translate(r);
    EXPECT_TRUE(result.ok()) << r.method << " " << r.path << "?" << r.query << ": "
                             << (result.ok() ? ""
                                             : result.error().code + " " + result.error().message +
                                                   " " + result.error().details.value_or(""));
    if (!result.ok()) return {};
    last_ = result.translation();
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    return execution;
  }

  Error refusal(const Request& r) {
    Result result = engine_->translate(r);
    EXPECT_FALSE(result.ok()) << r.method << " " << r.path << "?" << r.query;
    return result.ok() ? Error{} : result.error();
  }

  // The table as the superuser sees it, as canonical jsonb text.
  static std::string table(const std::string& sql) {
    Connection connection(superuser_conninfo());
    auto rows =
        connection.query("select coalesce(jsonb_agg(t), '[]')::text as v from (" + sql + ") t");
    return rows.at(0).at("v").value_or("");
  }
  static std::string canonical(const std::string& json) {
    Connection connection(superuser_conninfo());
    return connection.query("select $1::jsonb::text as v", {json}).at(0).at("v").value_or("");
  }

  static Engine* engine_;
  Translation last_;
};

Engine* Write::engine_ = nullptr;

const std::pair<std::string, std::string> kRepresentation{"Prefer", "return=representation"};

TEST_F(Write, InsertOneObjectMinimal) {
  Execution execution = run(request("POST", "/directors", "", R"({"id":10,"name":"Ozu"})"));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(last_.status, 201);
  EXPECT_FALSE(last_.read_only);
  EXPECT_EQ(execution.row["body"], "");
  EXPECT_EQ(execution.row["page_total"], "1");
  EXPECT_EQ(table("select id, name from public.directors where id = 10"),
            canonical(R"([{"id":10,"name":"Ozu"}])"));
}

TEST_F(Write, InsertArrayWithRepresentationEmbedsAndLocation) {
  Execution execution = run(request("POST", "/films", "select=id,title,directors(name)",
                                    R"([{"id":20,"title":"Tokyo Story","director_id":1},
                      {"id":21,"title":"Late Spring","director_id":2}])",
                                    {kRepresentation}));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(canonical(execution.row["body"].value_or("")),
            canonical(R"([{"id":20,"title":"Tokyo Story","directors":{"name":"Agnès Varda"}},
                          {"id":21,"title":"Late Spring","directors":{"name":"Akira Kurosawa"}}])"));
  EXPECT_EQ(execution.row["location"], std::nullopt);  // two rows: no Location
  execution = run(request("POST", "/directors", "", R"({"id":11,"name":"Naruse"})",
                          {{"Prefer", "return=headers-only"}}));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(execution.row["location"], "/directors?id=eq.11");
  EXPECT_EQ(execution.row["body"], "");
}

TEST_F(Write, EmptyObjectsAndArraysUseDefaults) {
  ASSERT_TRUE(run(request("POST", "/events", "", "{}")).ok);
  ASSERT_TRUE(run(request("POST", "/events", "", "[{},{}]")).ok);
  Execution none = run(request("POST", "/events", "", "[]"));
  ASSERT_TRUE(none.ok);
  EXPECT_EQ(none.row["page_total"], "0");
  EXPECT_EQ(table("select kind from public.events order by id"),
            canonical(R"([{"kind":"note"},{"kind":"note"},{"kind":"note"}])"));
}

TEST_F(Write, ColumnsRestrictThePayload) {
  // columns= names the columns: other keys are ignored, absent ones are NULL.
  Execution execution = run(
      request("POST", "/events", "columns=kind,payload", R"([{"kind":"a","ignored":1,"id":77}])"));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(table("select id, kind, payload from public.events"),
            canonical(R"([{"id":1,"kind":"a","payload":null}])"));
}

TEST_F(Write, MissingDefaultFillsAbsentKeys) {
  Execution execution =
      run(request("POST", "/events", "columns=kind,payload",
                  R"([{"kind":"a"},{"payload":{"x":1}}])", {{"Prefer", "missing=default"}}));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(table("select kind, payload from public.events order by id"),
            canonical(R"([{"kind":"a","payload":null},{"kind":"note","payload":{"x":1}}])"));
}

// missing=default fills an identity column from its sequence (PostgREST's schema cache
// gives such a column nextval() as its default) and assigns a default of another type
// as PostgreSQL would.
TEST_F(Write, MissingDefaultFillsIdentityAndConvertedDefaults) {
  Execution execution =
      run(request("POST", "/gid", "columns=id,a,r", R"([{"a":2},{"a":3,"id":50,"r":9}])",
                  {{"Prefer", "missing=default"}}));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(table("select id, a, r from public.gid order by id"),
            canonical(R"([{"id":1,"a":2,"r":2},{"id":50,"a":3,"r":9}])"));
}

TEST_F(Write, BodyErrorsWriteNothing) {
  const auto code = [&](const std::string& body, const std::string& query = "") {
    return refusal(request("POST", "/directors", query, body)).code;
  };
  EXPECT_EQ(code(R"([{"id":1,"name":"a"},{"id":2}])"), "PGRST102");
  // Key sets, not key counts: a repeated key does not stand in for a missing one.
  EXPECT_EQ(code(R"([{"id":1,"name":"a"},{"id":2,"id":3}])"), "PGRST102");
  EXPECT_TRUE(engine_
                  ->translate(request("POST", "/directors", "",
                                      R"([{"id":1,"name":"a"},{"name":"b","id":2}])"))
                  .ok());
  EXPECT_EQ(code(R"({"id":1,"nope":2})"), "PGRST204");
  EXPECT_EQ(code(R"({"id":1,)"), "PGRST102");
  EXPECT_EQ(code(""), "PGRST102");
  EXPECT_EQ(code("42"), "PGRST102");
  EXPECT_EQ(code(R"([1,2])"), "PGRST102");
  EXPECT_EQ(code("{\"name\":\"\xff\"}"), "PGRST102");
  // Invalid UTF-8 (a stray byte, an encoded surrogate) is named as such, not as bad JSON.
  for (const char* body : {"{\"name\":\"\xff\"}", "{\"name\":\"\xed\xa0\x80\"}"}) {
    EXPECT_EQ(refusal(request("POST", "/directors", "", body)).details,
              "The request body is not valid UTF-8");
  }
  // Bodies are parsed by a per-thread parser: a body larger than what it keeps, then a
  // small one, then a broken one, each judged on its own.
  std::string large = "[";
  for (int i = 0; i < 120000; ++i)
    large += (i ? ",{\"id\":" : "{\"id\":") + std::to_string(i) + "}";
  large += "]";
  EXPECT_TRUE(engine_->translate(request("POST", "/directors", "", large)).ok());
  EXPECT_TRUE(engine_->translate(request("POST", "/directors", "", R"({"id":1})")).ok());
  EXPECT_EQ(code(R"([{"id":1},{"id":2,)"), "PGRST102");
  EXPECT_EQ(code(R"({"id":1})", "columns=id,nope"), "PGRST204");
  EXPECT_EQ(
      refusal(request("POST", "/directors", "", R"({"id":1})", {{"Content-Type", "text/plain"}}))
          .code,
      "PGRST102");
  // A value of the wrong type is PostgreSQL's 22P02, and nothing is written.
  Execution bad =
      run(request("POST", "/directors", "", R"([{"id":30,"name":"ok"},{"id":"x","name":"b"}])"));
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.sqlstate, "22P02");
  EXPECT_EQ(table("select id from public.directors where id = 30"), "[]");
}

TEST_F(Write, UpsertMergeIgnoreAndOnConflict) {
  Execution merged =
      run(request("POST", "/directors", "", R"([{"id":1,"name":"Varda"},{"id":12,"name":"new"}])",
                  {{"Prefer", "resolution=merge-duplicates"}}));
  ASSERT_TRUE(merged.ok) << merged.message;
  EXPECT_EQ(merged.row["status"], "201");  // one row was inserted
  Execution updated_only =
      run(request("POST", "/directors", "", R"({"id":1,"name":"Varda"})",
                  {{"Prefer", "resolution=merge-duplicates"}, kRepresentation}));
  ASSERT_TRUE(updated_only.ok) << updated_only.message;
  EXPECT_EQ(updated_only.row["status"], "200");  // only updated
  EXPECT_EQ(canonical(updated_only.row["body"].value_or("")),
            canonical(R"([{"id":1,"name":"Varda"}])"));
  EXPECT_EQ(table("select id, name from public.directors where id in (1, 12) order by id"),
            canonical(R"([{"id":1,"name":"Varda"},{"id":12,"name":"new"}])"));
  Execution ignored = run(request("POST", "/directors", "", R"({"id":2,"name":"ignored"})",
                                  {{"Prefer", "resolution=ignore-duplicates"}}));
  ASSERT_TRUE(ignored.ok);
  EXPECT_EQ(ignored.row["page_total"], "0");
  EXPECT_EQ(table("select name from public.directors where id = 2"),
            canonical(R"([{"name":"Akira Kurosawa"}])"));
  Execution by_email = run(request("POST", "/users", "on_conflict=email",
                                   R"({"id":99,"name":"eve2","email":"eve@example.com"})",
                                   {{"Prefer", "resolution=merge-duplicates"}}));
  ASSERT_TRUE(by_email.ok) << by_email.message;
  EXPECT_EQ(table("select id, name from public.users where email = 'eve@example.com'"),
            canonical(R"([{"id":99,"name":"eve2"}])"));
}

// Computed fields on the rows a write returns: an upsert's rows carry an extra column
// (whether each was inserted), so the call must build the row from the table's columns.
TEST_F(Write, ComputedFieldsOnReturnedRows) {
  Execution upserted = run(request("POST", "/films", "select=id,decade,shouted",
                                   R"({"id":1,"title":"Cleo","year":1962,"director_id":1})",
                                   {{"Prefer", "resolution=merge-duplicates"}, kRepresentation}));
  ASSERT_TRUE(upserted.ok) << upserted.message;
  EXPECT_EQ(canonical(upserted.row["body"].value_or("")),
            canonical(R"([{"id":1,"decade":1960,"shouted":"CLEO"}])"));
  Execution inserted =
      run(request("POST", "/films", "select=id,decade",
                  R"({"id":40,"title":"New","year":2023,"director_id":1})", {kRepresentation}));
  ASSERT_TRUE(inserted.ok) << inserted.message;
  EXPECT_EQ(canonical(inserted.row["body"].value_or("")),
            canonical(R"([{"id":40,"decade":2020}])"));
  Execution patched = run(request("PATCH", "/films", "decade=eq.2020&select=id,shouted",
                                  R"({"title":"newer"})", {kRepresentation}));
  ASSERT_TRUE(patched.ok) << patched.message;
  EXPECT_EQ(canonical(patched.row["body"].value_or("")),
            canonical(R"([{"id":40,"shouted":"NEWER"}])"));
}

TEST_F(Write, PutUpsertsOneRowByPrimaryKey) {
  Execution inserted = run(request("PUT", "/directors", "id=eq.13", R"({"id":13,"name":"Kim"})"));
  ASSERT_TRUE(inserted.ok) << inserted.message;
  EXPECT_EQ(last_.status, 204);
  EXPECT_TRUE(last_.expect_one_row);
  Execution updated = run(
      request("PUT", "/directors", "id=eq.13", R"({"id":13,"name":"Kim Ki"})", {kRepresentation}));
  ASSERT_TRUE(updated.ok);
  EXPECT_EQ(canonical(updated.row["body"].value_or("")),
            canonical(R"([{"id":13,"name":"Kim Ki"}])"));
  // With the row returned, PostgREST tells an update (200) from an insert (201).
  EXPECT_EQ(updated.row["status"], "200");
  Execution created =
      run(request("PUT", "/directors", "id=eq.16", R"({"id":16,"name":"Lee"})", {kRepresentation}));
  ASSERT_TRUE(created.ok) << created.message;
  EXPECT_EQ(created.row["status"], "201");
  EXPECT_EQ(canonical(created.row["body"].value_or("")), canonical(R"([{"id":16,"name":"Lee"}])"));
  // Without the representation PUT answers 204 either way: no status column overrides it.
  EXPECT_EQ(inserted.row.count("status"), 0U);
  // URL key and payload key differ: nothing written, the host answers PGRST115.
  Execution mismatch = run(request("PUT", "/directors", "id=eq.14", R"({"id":15,"name":"x"})"));
  EXPECT_FALSE(mismatch.ok);
  EXPECT_EQ(mismatch.sqlstate, "PGRST115");
  EXPECT_EQ(mismatch.http_status, 400);
  EXPECT_EQ(mismatch.row["page_total"], "0");
  EXPECT_EQ(table("select id from public.directors where id in (14, 15)"), "[]");
  // A body without the key, or empty, writes nothing either.
  for (const char* body : {R"({"name":"x"})", "{}"}) {
    Execution keyless = run(request("PUT", "/directors", "id=eq.14", body));
    EXPECT_EQ(keyless.sqlstate, "PGRST115") << body << ": " << keyless.message;
  }
  EXPECT_EQ(table("select id from public.directors where id = 14"), "[]");
  EXPECT_EQ(refusal(request("PUT", "/directors", "name=eq.x", "{}")).code, "PGRST105");
  EXPECT_EQ(refusal(request("PUT", "/directors", "id=gt.1", "{}")).code, "PGRST105");
  EXPECT_EQ(refusal(request("PUT", "/directors", "id=eq.1&limit=1", "{}")).code, "PGRST114");
  EXPECT_EQ(refusal(request("PUT", "/film_titles", "id=eq.1", "{}")).status, 405);
}

TEST_F(Write, PatchWithFiltersAndRepresentation) {
  Execution execution = run(request("PATCH", "/films", "year=lt.1955&select=id,title&order=id",
                                    R"({"votes":1})", {kRepresentation}));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(last_.status, 200);
  EXPECT_EQ(canonical(execution.row["body"].value_or("")),
            canonical(R"([{"id":2,"title":"Seven Samurai"},{"id":4,"title":"Rashomon"}])"));
  EXPECT_EQ(table("select id from public.films where votes = 1 order by id"),
            canonical(R"([{"id":2},{"id":4}])"));
  // An empty object is a no-op; limit is ignored on updates.
  Execution noop = run(request("PATCH", "/films", "", "{}"));
  ASSERT_TRUE(noop.ok) << noop.message;
  EXPECT_EQ(noop.row["page_total"], "0");
  EXPECT_EQ(last_.status, 204);
  Execution all = run(
      request("PATCH", "/films", "limit=1&or=(id.eq.1,id.eq.3)", R"([{"votes":2},{"votes":3}])"));
  ASSERT_TRUE(all.ok) << all.message;
  EXPECT_EQ(all.row["page_total"], "2");
  EXPECT_EQ(table("select id, votes from public.films where id in (1,3) order by id"),
            canonical(R"([{"id":1,"votes":2},{"id":3,"votes":2}])"));
}

TEST_F(Write, DeleteWithFilters) {
  Execution execution = run(request("DELETE", "/employees", "id=gt.2&select=name&order=id",
                                    std::nullopt, {kRepresentation}));
  ASSERT_TRUE(execution.ok) << execution.message;
  EXPECT_EQ(canonical(execution.row["body"].value_or("")),
            canonical(R"([{"name":"junior"},{"name":"other"}])"));
  EXPECT_EQ(table("select id from public.employees order by id"),
            canonical(R"([{"id":1},{"id":2}])"));
  Execution minimal = run(request("DELETE", "/loans", "amount=lt.60", std::nullopt));
  ASSERT_TRUE(minimal.ok);
  EXPECT_EQ(last_.status, 204);
  EXPECT_EQ(minimal.row["page_total"], "2");
}

TEST_F(Write, PreferencesMaxAffectedAndRollback) {
  Result strict = engine_->translate(request("DELETE", "/films", "id=gt.0", std::nullopt,
                                             {{"Prefer", "handling=strict, max-affected=2"}}));
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict.translation().max_affected, 2);
  Result lenient = engine_->translate(
      request("DELETE", "/films", "id=gt.0", std::nullopt, {{"Prefer", "max-affected=2"}}));
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient.translation().max_affected.has_value());
  // tx=rollback: the statement runs, the host rolls back, nothing persists.
  Execution rolled =
      run(request("DELETE", "/roles", "", std::nullopt, {{"Prefer", "tx=rollback"}}));
  ASSERT_TRUE(rolled.ok);
  EXPECT_TRUE(last_.rollback);
  EXPECT_EQ(rolled.row["page_total"], "6");
  EXPECT_EQ(table("select count(*) as n from public.roles"), canonical(R"([{"n":6}])"));
}

TEST_F(Write, NotNullDomainColumnLeftOutTakesItsDefault) {
  // The body is read into exactly its own columns: `d` (a NOT NULL domain with a
  // default) is not part of the record, so it is not NULL but its default.
  Execution posted = run(request("POST", "/dom", "", R"({"id":1,"e":"x"})", {kRepresentation}));
  ASSERT_TRUE(posted.ok) << posted.sqlstate << " " << posted.message;
  EXPECT_EQ(canonical(posted.row["body"].value_or("")),
            canonical(R"([{"id":1,"d":"dflt","e":"x"}])"));
  Execution bulk = run(request("POST", "/dom", "", R"([{"id":2,"e":"a"},{"id":3,"e":"b"}])"));
  ASSERT_TRUE(bulk.ok) << bulk.sqlstate << " " << bulk.message;
  Execution patched = run(request("PATCH", "/dom", "id=eq.1", R"({"e":"y"})"));
  ASSERT_TRUE(patched.ok) << patched.sqlstate << " " << patched.message;
  EXPECT_EQ(patched.row["page_total"], "1");
  Execution put = run(request("PUT", "/dom", "id=eq.4", R"({"id":4,"e":"z"})"));
  ASSERT_TRUE(put.ok) << put.sqlstate << " " << put.message;
  Execution put_again = run(request("PUT", "/dom", "id=eq.4", R"({"id":4,"e":"w"})"));
  ASSERT_TRUE(put_again.ok) << put_again.sqlstate << " " << put_again.message;
  // missing=default with the key named by columns= but absent from the body.
  Execution defaulted =
      run(request("POST", "/dom", "columns=id,d", R"({"id":5})", {{"Prefer", "missing=default"}}));
  ASSERT_TRUE(defaulted.ok) << defaulted.sqlstate << " " << defaulted.message;
  EXPECT_EQ(table("select id, d, e from public.dom order by id"),
            canonical(R"([{"id":1,"d":"dflt","e":"y"},{"id":2,"d":"dflt","e":"a"},
                          {"id":3,"d":"dflt","e":"b"},{"id":4,"d":"dflt","e":"w"},
                          {"id":5,"d":"dflt","e":null}])"));
  // An explicit null is still refused by the domain, and nothing is written.
  Execution null_value = run(request("POST", "/dom", "", R"({"id":6,"d":null})"));
  EXPECT_FALSE(null_value.ok);
  EXPECT_EQ(null_value.sqlstate, "23502");
  EXPECT_EQ(table("select id from public.dom where id = 6"), "[]");
}

TEST_F(Write, PatchWithMissingDefault) {
  ASSERT_TRUE(run(request("POST", "/events", "", R"({"kind":"custom","payload":{"a":1}})")).ok);
  // columns=kind,payload with only payload given: kind goes back to its default.
  Execution patched = run(request("PATCH", "/events", "id=eq.1&columns=kind,payload",
                                  R"({"payload":{"b":2}})", {{"Prefer", "missing=default"}}));
  ASSERT_TRUE(patched.ok) << patched.sqlstate << " " << patched.message;
  EXPECT_EQ(patched.row["page_total"], "1");
  EXPECT_EQ(table("select id, kind, payload from public.events"),
            canonical(R"([{"id":1,"kind":"note","payload":{"b":2}}])"));
  // An array body updates with its first object, defaults included.
  Execution first =
      run(request("PATCH", "/events", "id=eq.1&columns=kind,payload",
                  R"([{"kind":"k1"},{"kind":"k2","payload":3}])", {{"Prefer", "missing=default"}}));
  ASSERT_TRUE(first.ok) << first.sqlstate << " " << first.message;
  EXPECT_EQ(table("select id, kind, payload from public.events"),
            canonical(R"([{"id":1,"kind":"k1","payload":null}])"));
}

TEST_F(Write, DeleteIgnoresLimitAndOffset) {
  Execution execution = run(request("DELETE", "/loans", "limit=1&offset=1&order=id", std::nullopt));
  ASSERT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message;
  EXPECT_EQ(execution.row["page_total"], "3");
  EXPECT_EQ(table("select id from public.loans"), "[]");
}

TEST_F(Write, HostChecksRollBack) {
  // max-affected with handling=strict: too many rows affected, all rolled back.
  const std::pair<std::string, std::string> strict{"Prefer", "handling=strict, max-affected=2"};
  Execution deleted = run(request("DELETE", "/roles", "", std::nullopt, {strict}));
  EXPECT_FALSE(deleted.ok);
  EXPECT_EQ(deleted.sqlstate, "PGRST124");
  EXPECT_EQ(deleted.http_status, 400);
  EXPECT_EQ(deleted.details, "The query affects 6 rows");
  EXPECT_EQ(table("select count(*) as n from public.roles"), canonical(R"([{"n":6}])"));
  Execution patched = run(request("PATCH", "/films", "id=gt.2", R"({"votes":7})", {strict}));
  EXPECT_EQ(patched.sqlstate, "PGRST124");
  EXPECT_EQ(table("select count(*) as n from public.films where votes = 7"),
            canonical(R"([{"n":0}])"));
  Execution within = run(request("PATCH", "/films", "id=eq.1", R"({"votes":7})", {strict}));
  ASSERT_TRUE(within.ok) << within.sqlstate << " " << within.message;
  EXPECT_EQ(table("select id from public.films where votes = 7"), canonical(R"([{"id":1}])"));
  // PostgREST applies max-affected neither to POST nor to PUT.
  Result put = engine_->translate(request("PUT", "/directors", "id=eq.1", R"({"id":1,"name":"V"})",
                                          {{"Prefer", "handling=strict, max-affected=0"}}));
  ASSERT_TRUE(put.ok());
  EXPECT_FALSE(put.translation().max_affected.has_value());
  Execution put_run = run(request("PUT", "/directors", "id=eq.1", R"({"id":1,"name":"V"})",
                                  {{"Prefer", "handling=strict, max-affected=0"}}));
  ASSERT_TRUE(put_run.ok) << put_run.sqlstate << " " << put_run.message;
  EXPECT_EQ(table("select name from public.directors where id = 1"),
            canonical(R"([{"name":"V"}])"));
  // A singular representation of anything but one row: 406, rolled back.
  Execution singular =
      run(request("PATCH", "/films", "id=gt.2", R"({"votes":8})",
                  {kRepresentation, {"Accept", "application/vnd.pgrst.object+json"}}));
  EXPECT_FALSE(singular.ok);
  EXPECT_EQ(singular.sqlstate, "PGRST116");
  EXPECT_EQ(singular.http_status, 406);
  EXPECT_EQ(singular.details, "The result contains 4 rows");  // films 3 to 6
  EXPECT_EQ(table("select count(*) as n from public.films where votes = 8"),
            canonical(R"([{"n":0}])"));
  Execution one = run(request("PATCH", "/films", "id=eq.2", R"({"votes":8})",
                              {kRepresentation, {"Accept", "application/vnd.pgrst.object+json"}}));
  ASSERT_TRUE(one.ok) << one.sqlstate << " " << one.message;
  EXPECT_EQ(table("select id from public.films where votes = 8"), canonical(R"([{"id":2}])"));
}

TEST_F(Write, LocationIsPercentEncodedAndOnlyForHeadersOnly) {
  const std::pair<std::string, std::string> headers_only{"Prefer", "return=headers-only"};
  Execution spaced = run(request("POST", "/tpk", "", R"({"k":"a b&c=d","v":1})", {headers_only}));
  ASSERT_TRUE(spaced.ok) << spaced.sqlstate << " " << spaced.message;
  EXPECT_EQ(spaced.row["location"], "/tpk?k=eq.a%20b%26c%3Dd");
  Execution lines = run(request("POST", "/tpk", "",
                                "{\"k\":\"x\\r\\nSet-Cookie: y\u00e9\",\"v\":2}", {headers_only}));
  ASSERT_TRUE(lines.ok) << lines.sqlstate << " " << lines.message;
  EXPECT_EQ(lines.row["location"], "/tpk?k=eq.x%0D%0ASet-Cookie%3A%20y%C3%A9");
  Execution plain = run(request("POST", "/tpk", "", R"({"k":"A-z_0.9~","v":3})", {headers_only}));
  ASSERT_TRUE(plain.ok) << plain.sqlstate << " " << plain.message;
  EXPECT_EQ(plain.row["location"], "/tpk?k=eq.A-z_0.9~");
  // return=representation answers with the rows, and no Location (PostgREST).
  Execution represented = run(request("POST", "/tpk", "", R"({"k":"r","v":4})", {kRepresentation}));
  ASSERT_TRUE(represented.ok) << represented.sqlstate << " " << represented.message;
  EXPECT_EQ(represented.row.count("location"), 0U);
  EXPECT_EQ(table("select k, v from public.tpk order by v"),
            canonical("[{\"k\":\"a b&c=d\",\"v\":1},{\"k\":\"x\\r\\nSet-Cookie: y\u00e9\",\"v\":2},"
                      "{\"k\":\"A-z_0.9~\",\"v\":3},{\"k\":\"r\",\"v\":4}]"));
}

TEST_F(Write, RowLevelSecurityRefusesWritesOfOthers) {
  const std::string alice =
      R"({"role":"authenticated","sub":"11111111-1111-1111-1111-111111111111"})";
  Request own =
      request("POST", "/notes", "",
              R"({"id":10,"owner":"11111111-1111-1111-1111-111111111111","body":"mine"})");
  own.claims_json = alice;
  EXPECT_TRUE(run(own).ok);
  Request forged =
      request("POST", "/notes", "",
              R"({"id":11,"owner":"22222222-2222-2222-2222-222222222222","body":"x"})");
  forged.claims_json = alice;
  Execution refused = run(forged);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.sqlstate, "42501");
  // Alice cannot change Bob's note: no row is visible to her update.
  Request steal = request("PATCH", "/notes", "id=eq.3", R"({"body":"stolen"})");
  steal.claims_json = alice;
  Execution stolen = run(steal);
  ASSERT_TRUE(stolen.ok);
  EXPECT_EQ(stolen.row["page_total"], "0");
  // Anonymous users cannot delete anything.
  Execution anon = run(request("DELETE", "/notes", "", std::nullopt));
  ASSERT_TRUE(anon.ok);
  EXPECT_EQ(anon.row["page_total"], "0");
  EXPECT_EQ(table("select id, body from public.notes order by id"),
            canonical(R"([{"id":1,"body":"public note"},{"id":2,"body":"alice private"},
                          {"id":3,"body":"bob private"},{"id":4,"body":"alice public"},
                          {"id":10,"body":"mine"}])"));
}

TEST_F(Write, ManagedSchemaIsClosedToWrites) {
  Request write = request("POST", "/chunks", "", R"({"id":5})", {{"Content-Profile", "ai"}});
  EXPECT_EQ(refusal(write).status, 403);
  write.via_api_layer = true;
  write.claims_json = R"({"role":"service_role"})";
  EXPECT_TRUE(engine_->translate(write).ok());
}

}  // namespace
}  // namespace pgrest::testing
