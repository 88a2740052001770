// Resource embedding executed on the real fixture: every relationship kind, hints,
// !inner, filters/order/limits inside embeds, null-embed filters, related ordering,
// spreads and the relationship errors.
#include <gtest/gtest.h>

#include "pg_harness.hpp"
#include "pgrest/engine.hpp"

namespace pgrest::testing {
namespace {

class Embed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    load_fixture();
    Config config;
    config.aggregates_enabled = true;
    engine_ = new Engine(fixture_catalog(), config);
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  static std::string canonical(const std::string& json) {
    Connection connection(superuser_conninfo());
    return connection.query("select $1::jsonb::text as v", {json}).at(0).at("v").value_or("");
  }

  void expect_body(const std::string& path, const std::string& query, const std::string& expected) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.query = query;
    Result result = engine_->translate(request);
    ASSERT_TRUE(result.ok()) << query << ": " << result.error().code << " "
                             << result.error().message << " "
                             << result.error().details.value_or("");
    Connection connection(authenticator_conninfo());
    Execution execution = connection.run(result.translation());
    ASSERT_TRUE(execution.ok) << execution.sqlstate << " " << execution.message << "\n"
                              << result.translation().query.sql;
    EXPECT_EQ(canonical(execution.row["body"].value_or("")), canonical(expected))
        << query << "\n"
        << result.translation().query.sql;
  }

  Error refusal(const std::string& path, const std::string& query) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.query = query;
    Result result = engine_->translate(request);
    EXPECT_FALSE(result.ok()) << query;
    return result.ok() ? Error{} : result.error();
  }

  static Engine* engine_;
};

Engine* Embed::engine_ = nullptr;

TEST_F(Embed, ManyToOneAndAliases) {
  expect_body("/films", "select=title,directors(name)&id=eq.1",
              R"([{"title":"Cléo from 5 to 7","directors":{"name":"Agnès Varda"}}])");
  expect_body("/films", "select=title,director:directors(name)&id=eq.6",
              R"([{"title":"Untitled, \"quoted\"; 50% *done* (a,b) \\ back","director":null}])");
  // By the foreign key column, and by the constraint name.
  expect_body("/films", "select=id,director_id(id)&id=eq.2",
              R"([{"id":2,"director_id":{"id":2}}])");
  expect_body("/films", "select=id,films_director_id_fkey(name)&id=eq.2",
              R"([{"id":2,"films_director_id_fkey":{"name":"Akira Kurosawa"}}])");
}

TEST_F(Embed, OneToManyWithFiltersOrderAndLimits) {
  expect_body(
      "/directors", "select=name,films(title)&id=eq.2&films.order=year.desc",
      R"([{"name":"Akira Kurosawa","films":[{"title":"Seven Samurai"},{"title":"Rashomon"}]}])");
  expect_body("/directors", "select=id,films(id)&films.year=gt.1955&order=id",
              R"([{"id":1,"films":[{"id":1},{"id":5}]},{"id":2,"films":[]},
                  {"id":3,"films":[{"id":3}]}])");
  expect_body("/directors", "select=id,films(id)&films.order=id.desc&films.limit=1&order=id",
              R"([{"id":1,"films":[{"id":5}]},{"id":2,"films":[{"id":4}]},
                  {"id":3,"films":[{"id":3}]}])");
  expect_body("/directors", "select=id,films(id)&films.or=(id.eq.1,id.eq.4)&order=id&limit=2",
              R"([{"id":1,"films":[{"id":1}]},{"id":2,"films":[{"id":4}]}])");
}

TEST_F(Embed, ManyToManyThroughAJunction) {
  expect_body("/films", "select=title,actors(name)&id=eq.2&actors.order=name",
              R"([{"title":"Seven Samurai","actors":[{"name":"Takashi Shimura"},
                                                     {"name":"Toshiro Mifune"}]}])");
  expect_body("/actors", "select=name,films(title)&id=eq.3",
              R"([{"name":"Delphine Seyrig","films":[{"title":"Jeanne Dielman"}]}])");
  expect_body("/films", "select=id,actors!roles(name)&id=eq.1",
              R"([{"id":1,"actors":[{"name":"Corinne Marchand"}]}])");
}

TEST_F(Embed, NestedTwoAndThreeLevels) {
  expect_body("/films", "select=title,roles(character,actors(name))&id=eq.4&roles.order=character",
              R"([{"title":"Rashomon","roles":[
                   {"character":"Tajomaru","actors":{"name":"Toshiro Mifune"}},
                   {"character":"Woodcutter","actors":{"name":"Takashi Shimura"}}]}])");
  expect_body("/directors", "select=name,films(title,roles(actors(name)))&id=eq.3",
              R"([{"name":"Chantal Akerman","films":[{"title":"Jeanne Dielman",
                   "roles":[{"actors":{"name":"Delphine Seyrig"}}]}]}])");
  expect_body("/films", "select=id,roles(actors(name))&roles.actors.name=like.Toshiro*&id=eq.2",
              R"([{"id":2,"roles":[{"actors":{"name":"Toshiro Mifune"}},{"actors":null}]}])");
}

TEST_F(Embed, OneToOneAndSelfReference) {
  expect_body("/films", "select=id,film_posters(url)&id=in.(1,3)&order=id",
              R"([{"id":1,"film_posters":{"url":"cleo.jpg"}},{"id":3,"film_posters":null}])");
  expect_body("/film_posters", "select=url,films(title)&film_id=eq.2",
              R"([{"url":"samurai.jpg","films":{"title":"Seven Samurai"}}])");
  // By table name: the children; by the FK column: the parent.
  expect_body("/employees", "select=name,employees(name)&id=eq.1&employees.order=id",
              R"([{"name":"boss","employees":[{"name":"mid"},{"name":"other"}]}])");
  expect_body("/employees", "select=name,manager:manager_id(name)&id=eq.3",
              R"([{"name":"junior","manager":{"name":"mid"}}])");
}

TEST_F(Embed, DisambiguationWithHints) {
  Error error = refusal("/users", "select=*,loans(*)");
  EXPECT_EQ(error.code, "PGRST201");
  EXPECT_EQ(error.status, 300);
  EXPECT_TRUE(error.details_is_json);
  EXPECT_NE(error.hint->find("'loans!loans_lender_id_fkey'"), std::string::npos);
  expect_body("/users", "select=id,lent:loans!loans_lender_id_fkey(amount)&id=eq.1",
              R"([{"id":1,"lent":[{"amount":100},{"amount":50}]}])");
  expect_body("/users", "select=id,borrowed:loans!borrower_id(amount)&id=eq.1",
              R"([{"id":1,"borrowed":[{"amount":20}]}])");
  expect_body("/loans",
              "select=id,lender:users!lender_id(name),borrower:users!borrower_id(name)"
              "&id=eq.1",
              R"([{"id":1,"lender":{"name":"ada"},"borrower":{"name":"bob"}}])");
}

TEST_F(Embed, InnerJoinsAndNullEmbedFilters) {
  expect_body("/films", "select=id,directors!inner(name)&directors.name=like.A*&order=id",
              R"([{"id":1,"directors":{"name":"Agnès Varda"}},
                  {"id":2,"directors":{"name":"Akira Kurosawa"}},
                  {"id":4,"directors":{"name":"Akira Kurosawa"}},
                  {"id":5,"directors":{"name":"Agnès Varda"}}])");
  expect_body("/directors", "select=id,films!inner(id)&films.year=lt.1955&order=id",
              R"([{"id":2,"films":[{"id":2},{"id":4}]}])");
  expect_body("/films", "select=id,film_posters()&film_posters=not.is.null&order=id",
              R"([{"id":1},{"id":2}])");
  expect_body("/films", "select=id,film_posters()&film_posters=is.null&order=id&limit=2",
              R"([{"id":3},{"id":4}])");
  expect_body("/films", "select=id,actors(name)&or=(actors.is.null,id.eq.1)&order=id",
              R"([{"id":1,"actors":[{"name":"Corinne Marchand"}]},{"id":5,"actors":[]},
                  {"id":6,"actors":[]}])");
}

TEST_F(Embed, RelatedOrderingOnToOne) {
  expect_body("/films", "select=id,directors(name)&order=directors(name).desc.nullslast,id&limit=3",
              R"([{"id":3,"directors":{"name":"Chantal Akerman"}},
                  {"id":2,"directors":{"name":"Akira Kurosawa"}},
                  {"id":4,"directors":{"name":"Akira Kurosawa"}}])");
  EXPECT_EQ(refusal("/directors", "select=id,films(id)&order=films(id)").code, "PGRST118");
  EXPECT_EQ(refusal("/films", "select=id&order=directors(name)").code, "PGRST108");
}

TEST_F(Embed, Spreads) {
  expect_body("/films", "select=title,...directors(director:name)&id=eq.2",
              R"([{"title":"Seven Samurai","director":"Akira Kurosawa"}])");
  expect_body("/directors", "select=name,...films(titles:title)&id=eq.2&films.order=id",
              R"([{"name":"Akira Kurosawa","titles":["Seven Samurai","Rashomon"]}])");
}

TEST_F(Embed, AggregatesInsideEmbeds) {
  expect_body("/directors", "select=name,films(count(),votes.sum())&id=eq.2",
              R"([{"name":"Akira Kurosawa","films":[{"count":2,"sum":530000}]}])");
  expect_body("/films", "select=director_id,count()&director_id=not.is.null&order=director_id",
              R"([{"director_id":1,"count":2},{"director_id":2,"count":2},
                  {"director_id":3,"count":1}])");
}

TEST_F(Embed, AggregatesInToOneSpreadsAreHoisted) {
  expect_body("/roles", "select=actor_id,...films(total_votes:votes.sum())&order=actor_id",
              R"([{"actor_id":1,"total_votes":30000},{"actor_id":2,"total_votes":530000},
                  {"actor_id":3,"total_votes":8000},{"actor_id":4,"total_votes":530000}])");
  expect_body("/roles", "select=...films(n:count(),top:rating.max()::text)",
              R"([{"n":6,"top":"8.6"}])");
  EXPECT_EQ(refusal("/directors", "select=...films(votes.sum())").code, "PGRST127");
}

TEST_F(Embed, RelationshipErrors) {
  Error error = refusal("/films", "select=*,nope(*)");
  EXPECT_EQ(error.code, "PGRST200");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.hint, std::nullopt);
  error = refusal("/films", "select=*,director(*)");
  EXPECT_EQ(error.hint, "Perhaps you meant 'directors' instead of 'director'.");
  error = refusal("/films", "select=*,directors!nope(*)");
  EXPECT_EQ(error.code, "PGRST200");
  EXPECT_EQ(refusal("/films", "nope.name=eq.x").code, "PGRST108");
  EXPECT_EQ(refusal("/films", "select=id,directors(name)&directors.nope=eq.x").code, "42703");
  // A foreign key into the managed schema is never followed.
  error = refusal("/user_agents", "select=*,agents(*)");
  EXPECT_EQ(error.code, "PGRST200");
  error = refusal("/user_agents", "select=*,agents!user_agents_agent_id_fkey(*)");
  EXPECT_EQ(error.code, "PGRST200");
}

}  // namespace
}  // namespace pgrest::testing
