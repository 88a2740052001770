#include <gtest/gtest.h>

#include "pgrest/catalog.hpp"

TEST(CatalogJson, RejectsGarbage) {
  std::string error;
  EXPECT_EQ(pgrest::load_catalog_json("{", &error), nullptr);
  EXPECT_FALSE(error.empty());
}

// Found by fuzz_catalog: names reach SQL quoted, and an empty one or one holding NUL
// cannot be quoted faithfully.
TEST(CatalogJson, RefusesEmptyAndNulNames) {
  for (
      const char* json : {
          R"({"version":1,"relations":[{"schema":"s","name":"t","kind":"table","columns":[{"name":"","type":"text"}]}]})",
          R"({"version":1,"relations":[{"schema":"\u0000x","name":"t","kind":"table","columns":[{"name":"id","type":"integer"}]}]})",
          R"({"version":1,"relations":[{"schema":"s","name":"","kind":"table","columns":[]}]})",
      }) {
    std::string error;
    EXPECT_EQ(pgrest::load_catalog_json(json, &error), nullptr) << json;
    EXPECT_NE(error.find("names must be non-empty"), std::string::npos) << error;
  }
}

namespace {

// Two tables, a foreign key, and a view exposing its referencing column under another
// name; `view_keys` as the writer spells it, or (escaped) for the reference reader only.
std::string view_snapshot(const char* view_keys_key) {
  return std::string(
             R"({"version":1,"schemas":["public"],"relations":[)"
             R"({"schema":"public","name":"directors","kind":"table","primary_key":["id"],)"
             R"("columns":[{"name":"id","type":"integer"}]},)"
             R"({"schema":"public","name":"films","kind":"table","primary_key":["id"],)"
             R"("columns":[{"name":"id","type":"integer"},{"name":"director_id","type":"integer"}]},)"
             R"({"schema":"public","name":"film_cards","kind":"view",)"
             R"("columns":[{"name":"made_by","type":"integer"}]}],)"
             R"("foreign_keys":[{"name":"films_director_id_fkey","schema":"public",)"
             R"("table":"films","columns":["director_id"],"ref_schema":"public",)"
             R"("ref_table":"directors","ref_columns":["id"]}],"functions":[],")") +
         view_keys_key +
         R"(":[{"schema":"public","view":"film_cards","kind":"foreign_key",)"
         R"("table_schema":"public","table":"films","constraint":"films_director_id_fkey",)"
         R"("unique":false,"columns":[["made_by"]]}]})";
}

}  // namespace

// Both readers take view_keys and give the view its relationship, and the writer writes
// what they read.
TEST(CatalogJson, ViewKeysInBothReaders) {
  for (const char* key : {"view_keys", "view\\u005fkeys"}) {
    std::string error;
    const auto catalog = pgrest::load_catalog_json(view_snapshot(key), &error);
    ASSERT_NE(catalog, nullptr) << key << ": " << error;
    ASSERT_EQ(catalog->view_keys.size(), 1u) << key;
    EXPECT_EQ(catalog->view_keys[0].kind, pgrest::ViewKeyKind::foreign_key);
    EXPECT_EQ(catalog->view_keys[0].columns, (std::vector<std::vector<std::string>>{{"made_by"}}));
    const pgrest::Relation* view = catalog->find_relation("public", "film_cards");
    ASSERT_NE(view, nullptr);
    const auto from_view = catalog->relationships_from(catalog->index_of(*view));
    ASSERT_EQ(from_view.size(), 1u) << key;
    const pgrest::Relationship& relationship = catalog->relationships[from_view[0]];
    EXPECT_EQ(catalog->relations[relationship.target].name, "directors");
    EXPECT_EQ(relationship.source_columns[0], "made_by");
    const std::string written = pgrest::write_catalog_json(*catalog);
    const auto again = pgrest::load_catalog_json(written, &error);
    ASSERT_NE(again, nullptr) << error;
    EXPECT_EQ(pgrest::write_catalog_json(*again), written);
  }
}

// Snapshots written before view_keys existed still load (their views just have no
// relationships); a malformed view key is refused with its path.
TEST(CatalogJson, ViewKeysAreOptionalButChecked) {
  std::string snapshot = view_snapshot("view_keys");
  const std::string old_format = snapshot.substr(0, snapshot.find(R"(,"view_keys")")) + "}";
  std::string error;
  const auto old_catalog = pgrest::load_catalog_json(old_format, &error);
  ASSERT_NE(old_catalog, nullptr) << error;
  EXPECT_TRUE(old_catalog->view_keys.empty());
  EXPECT_EQ(old_catalog->relationships.size(), 2u);

  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"([["made_by"]])", "[]"},
           {R"([["made_by"]])", "[[]]"},
           {R"("kind":"foreign_key")", R"("kind":"sideways")"},
           {R"("view":"film_cards")", R"("view":"")"}}) {
    std::string bad = snapshot;
    bad.replace(bad.find(from), from.size(), to);
    EXPECT_EQ(pgrest::load_catalog_json(bad, &error), nullptr) << bad;
    EXPECT_NE(error.find("view_keys"), std::string::npos) << error;
  }
}
