// Relationship building (Catalog::finalize) on small hand-made catalogs: every kind, the
// junction rules of PostgREST's addM2MRels (strict, non-strict, primary-key superset,
// one-to-one keys), and the PGRST201 candidate list as PostgREST orders and words it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pgrest/engine.hpp"

namespace pgrest {
namespace {

class CatalogBuilder {
 public:
  CatalogBuilder& table(const std::string& name, std::vector<std::string> columns,
                        std::vector<std::string> primary_key,
                        std::vector<std::vector<std::string>> unique_keys = {},
                        const std::string& schema = "public") {
    Relation relation;
    relation.schema = schema;
    relation.name = name;
    for (const std::string& column : columns) {
      Column added;
      added.name = column;
      added.type = added.base_type = "integer";
      relation.columns.push_back(added);
    }
    relation.primary_key = std::move(primary_key);
    relation.unique_keys = std::move(unique_keys);
    catalog_->relations.push_back(std::move(relation));
    return *this;
  }
  CatalogBuilder& fk(const std::string& name, const std::string& table,
                     std::vector<std::string> columns, const std::string& ref_table,
                     std::vector<std::string> ref_columns, const std::string& schema = "public",
                     const std::string& ref_schema = "public") {
    catalog_->foreign_keys.push_back(ForeignKey{name, schema, table, std::move(columns), ref_schema,
                                                ref_table, std::move(ref_columns)});
    return *this;
  }
  std::shared_ptr<Catalog> build() {
    catalog_->schemas = {"public"};
    catalog_->finalize();
    return catalog_;
  }

 private:
  std::shared_ptr<Catalog> catalog_ = std::make_shared<Catalog>();
};

// "cardinality target [via junction]" for each relationship from `origin`, sorted.
std::vector<std::string> described_from(const Catalog& catalog, const std::string& origin) {
  const Relation* relation = catalog.find_relation("public", origin);
  EXPECT_NE(relation, nullptr) << origin;
  std::vector<std::string> out;
  if (!relation) return out;
  for (const uint32_t index : catalog.relationships_from(catalog.index_of(*relation))) {
    const Relationship& relationship = catalog.relationships[index];
    std::string text;
    switch (relationship.cardinality) {
      case Cardinality::many_to_one:
        text = "m2o ";
        break;
      case Cardinality::one_to_many:
        text = "o2m ";
        break;
      case Cardinality::one_to_one:
        text = "o2o ";
        break;
      case Cardinality::many_to_many:
        text = "m2m ";
        break;
    }
    text += catalog.relations[relationship.target].name;
    if (relationship.cardinality == Cardinality::many_to_many) {
      text += " via " + catalog.relations[relationship.junction].name;
    }
    if (relationship.is_self) text += " self";
    out.push_back(text);
  }
  std::sort(out.begin(), out.end());
  return out;
}

using Texts = std::vector<std::string>;

TEST(Relationships, ManyToOneAndItsInverse) {
  auto catalog = CatalogBuilder()
                     .table("directors", {"id"}, {"id"})
                     .table("films", {"id", "director_id"}, {"id"})
                     .fk("films_director_id_fkey", "films", {"director_id"}, "directors", {"id"})
                     .build();
  EXPECT_EQ(described_from(*catalog, "films"), Texts{"m2o directors"});
  EXPECT_EQ(described_from(*catalog, "directors"), Texts{"o2m films"});
}

TEST(Relationships, OneToOneThroughThePrimaryKeyOrAUniqueKey) {
  auto catalog = CatalogBuilder()
                     .table("films", {"id"}, {"id"})
                     .table("posters", {"film_id"}, {"film_id"})
                     .fk("posters_film_id_fkey", "posters", {"film_id"}, "films", {"id"})
                     .table("p", {"x", "y"}, {"x", "y"})
                     // The unique key lists the FK's columns in another order: still one-to-one.
                     .table("c", {"id", "px", "py"}, {"id"}, {{"py", "px"}})
                     .fk("c_px_py_fkey", "c", {"px", "py"}, "p", {"x", "y"})
                     .table("c2", {"id", "px", "py"}, {"id"})
                     .fk("c2_px_py_fkey", "c2", {"px", "py"}, "p", {"x", "y"})
                     .build();
  EXPECT_EQ(described_from(*catalog, "posters"), Texts{"o2o films"});
  EXPECT_EQ(described_from(*catalog, "films"), Texts{"o2o posters"});
  EXPECT_EQ(described_from(*catalog, "c"), Texts{"o2o p"});
  EXPECT_EQ(described_from(*catalog, "c2"), Texts{"m2o p"});
  EXPECT_EQ(described_from(*catalog, "p"), (Texts{"o2m c2", "o2o c"}));
}

TEST(Relationships, JunctionsFollowAddM2MRels) {
  auto catalog = CatalogBuilder()
                     .table("a", {"id"}, {"id"})
                     .table("b", {"id"}, {"id"})
                     // Strict: the primary key is exactly the two FKs' columns.
                     .table("ab", {"a_id", "b_id"}, {"a_id", "b_id"})
                     .fk("ab_a_id_fkey", "ab", {"a_id"}, "a", {"id"})
                     .fk("ab_b_id_fkey", "ab", {"b_id"}, "b", {"id"})
                     // Non-strict: a surrogate primary key; two FKs do not make a junction.
                     .table("ab2", {"id", "a_id", "b_id"}, {"id"})
                     .fk("ab2_a_id_fkey", "ab2", {"a_id"}, "a", {"id"})
                     .fk("ab2_b_id_fkey", "ab2", {"b_id"}, "b", {"id"})
                     // The primary key is a superset of the FKs' columns: still a junction.
                     .table("ab3", {"a_id", "b_id", "k"}, {"a_id", "b_id", "k"})
                     .fk("ab3_a_id_fkey", "ab3", {"a_id"}, "a", {"id"})
                     .fk("ab3_b_id_fkey", "ab3", {"b_id"}, "b", {"id"})
                     // Both FKs in the primary key, but one of them is the whole key: one-to-one,
                     // which addM2MRels does not pair.
                     .table("o", {"a_id", "b_id"}, {"a_id"})
                     .fk("o_a_id_fkey", "o", {"a_id"}, "a", {"id"})
                     .fk("o_b_id_fkey", "o", {"b_id"}, "b", {"id"})
                     .table("o2", {"a_id", "b_id"}, {"a_id", "b_id"}, {{"a_id"}})
                     .fk("o2_a_id_fkey", "o2", {"a_id"}, "a", {"id"})
                     .fk("o2_b_id_fkey", "o2", {"b_id"}, "b", {"id"})
                     .build();
  EXPECT_EQ(described_from(*catalog, "a"), (Texts{"m2m b via ab", "m2m b via ab3", "o2m ab",
                                                  "o2m ab2", "o2m ab3", "o2o o", "o2o o2"}));
  EXPECT_EQ(described_from(*catalog, "b"), (Texts{"m2m a via ab", "m2m a via ab3", "o2m ab",
                                                  "o2m ab2", "o2m ab3", "o2m o", "o2m o2"}));
  EXPECT_EQ(described_from(*catalog, "o2"), (Texts{"m2o b", "o2o a"}));
}

TEST(Relationships, SelfReferencesAndKeysOutsideTheCatalog) {
  auto catalog =
      CatalogBuilder()
          .table("employees", {"id", "manager_id"}, {"id"})
          .fk("employees_manager_id_fkey", "employees", {"manager_id"}, "employees", {"id"})
          .table("notes", {"id", "owner"}, {"id"})
          .fk("notes_owner_fkey", "notes", {"owner"}, "people", {"id"}, "public", "elsewhere")
          // A self-referencing junction pairs the table with itself.
          .table("follows", {"follower", "followed"}, {"follower", "followed"})
          .fk("follows_follower_fkey", "follows", {"follower"}, "employees", {"id"})
          .fk("follows_followed_fkey", "follows", {"followed"}, "employees", {"id"})
          .build();
  EXPECT_EQ(described_from(*catalog, "employees"),
            (Texts{"m2m employees via follows self", "m2m employees via follows self",
                   "m2o employees self", "o2m employees self", "o2m follows", "o2m follows"}));
  EXPECT_EQ(described_from(*catalog, "notes"), Texts{});
}

// A table with thousands of FKs used to be checked pair by pair (4,000 FKs: 0.21 s, 20,000
// about 25 times that). Only the FKs inside the primary key can pair, and they are picked
// out in one pass.
TEST(Relationships, ManyForeignKeysOnOneTableBuildInLinearTime) {
  CatalogBuilder builder;
  builder.table("target", {"id"}, {"id"});
  std::vector<std::string> columns{"id"};
  constexpr int kKeys = 20000;
  for (int i = 0; i < kKeys; ++i) columns.push_back("c" + std::to_string(i));
  builder.table("wide", columns, {"id"});
  for (int i = 0; i < kKeys; ++i) {
    builder.fk("wide_c" + std::to_string(i) + "_fkey", "wide", {"c" + std::to_string(i)}, "target",
               {"id"});
  }
  const auto start = std::chrono::steady_clock::now();
  auto catalog = builder.build();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(catalog->relationships.size(), 2u * kKeys);
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

// The PGRST201 details name the origin first whatever side holds the key, and list the
// candidates in PostgREST's order (its derived Ord: target, cardinality one-to-many,
// many-to-one, one-to-one, many-to-many, then constraint or junction names).
class Ambiguity : public ::testing::Test {
 protected:
  static Error refusal(const std::shared_ptr<Catalog>& catalog, const std::string& path,
                       const std::string& query) {
    Engine engine(catalog, Config{});
    Request request;
    request.method = "GET";
    request.path = path;
    request.query = query;
    Result result = engine.translate(request);
    EXPECT_FALSE(result.ok()) << query;
    return result.ok() ? Error{} : result.error();
  }
};

TEST_F(Ambiguity, CircularReferenceListsOneToManyFirst) {
  // PostgREST's EmbedDisambiguationSpec: "errs on an ambiguous embed that has a circular
  // reference".
  auto catalog =
      CatalogBuilder()
          .table("departments", {"id", "head_id"}, {"id"})
          .table("agents", {"id", "department_id"}, {"id"})
          .fk("agents_department_id_fkey", "agents", {"department_id"}, "departments", {"id"})
          .fk("departments_head_id_fkey", "departments", {"head_id"}, "agents", {"id"})
          .build();
  Error error = refusal(catalog, "/agents", "select=*,departments(*)");
  EXPECT_EQ(error.code, "PGRST201");
  EXPECT_EQ(error.status, 300);
  EXPECT_TRUE(error.details_is_json);
  EXPECT_EQ(
      error.details,
      R"j([{"cardinality":"one-to-many","embedding":"agents with departments",)j"
      R"j("relationship":"departments_head_id_fkey using agents(id) and departments(head_id)"},)j"
      R"j({"cardinality":"many-to-one","embedding":"agents with departments",)j"
      R"j("relationship":"agents_department_id_fkey using agents(department_id) and departments(id)"}])j");
  EXPECT_EQ(error.hint,
            "Try changing 'departments' to one of the following: "
            "'departments!departments_head_id_fkey', 'departments!agents_department_id_fkey'. "
            "Find the desired relationship in the 'details' key.");
}

TEST_F(Ambiguity, ManyToOneBeforeManyToManyJunctionsByName) {
  // PostgREST's "errs when there are o2m and m2m cardinalities to the target table".
  auto catalog =
      CatalogBuilder()
          .table("big_projects", {"big_project_id"}, {"big_project_id"})
          .table("sites", {"site_id", "main_project_id"}, {"site_id"})
          .fk("main_project", "sites", {"main_project_id"}, "big_projects", {"big_project_id"})
          .table("main_jobs", {"site_id", "big_project_id"}, {"site_id", "big_project_id"})
          .fk("jobs_site_id_fkey", "main_jobs", {"site_id"}, "sites", {"site_id"})
          .fk("jobs_big_project_id_fkey", "main_jobs", {"big_project_id"}, "big_projects",
              {"big_project_id"})
          .table("jobs", {"site_id", "big_project_id"}, {"site_id", "big_project_id"})
          .fk("jobs_site_id_fkey", "jobs", {"site_id"}, "sites", {"site_id"})
          .fk("jobs_big_project_id_fkey", "jobs", {"big_project_id"}, "big_projects",
              {"big_project_id"})
          .build();
  Error error = refusal(catalog, "/sites", "select=*,big_projects(*)");
  EXPECT_EQ(error.code, "PGRST201");
  EXPECT_EQ(
      error.details,
      R"j([{"cardinality":"many-to-one","embedding":"sites with big_projects","relationship":)j"
      R"j("main_project using sites(main_project_id) and big_projects(big_project_id)"},)j"
      R"j({"cardinality":"many-to-many","embedding":"sites with big_projects","relationship":)j"
      R"j("jobs using jobs_site_id_fkey(site_id) and jobs_big_project_id_fkey(big_project_id)"},)j"
      R"j({"cardinality":"many-to-many","embedding":"sites with big_projects","relationship":)j"
      R"j("main_jobs using jobs_site_id_fkey(site_id) and jobs_big_project_id_fkey(big_project_id)"}])j");
  EXPECT_EQ(error.hint,
            "Try changing 'big_projects' to one of the following: 'big_projects!main_project', "
            "'big_projects!jobs', 'big_projects!main_jobs'. Find the desired relationship in "
            "the 'details' key.");
  // A many-to-many is chosen by its junction, never by one of its constraints.
  EXPECT_EQ(refusal(catalog, "/sites", "select=*,big_projects!jobs_site_id_fkey(*)").code,
            "PGRST200");
}

TEST_F(Ambiguity, SelfReferenceHintsFollowPostgrest) {
  auto catalog =
      CatalogBuilder()
          .table("employees", {"id", "manager_id"}, {"id"})
          .fk("employees_manager_id_fkey", "employees", {"manager_id"}, "employees", {"id"})
          .build();
  // The constraint name matches neither direction of a self-reference (PostgREST's
  // findRel only takes the children's FK column as the hint), nor does `id`.
  for (const char* hint : {"employees_manager_id_fkey", "id"}) {
    Error error = refusal(catalog, "/employees", std::string("select=*,employees!") + hint + "(*)");
    EXPECT_EQ(error.code, "PGRST200") << hint;
    EXPECT_EQ(error.hint, std::nullopt) << hint;
  }
  Engine engine(catalog, Config{});
  Request request;
  request.method = "GET";
  request.path = "/employees";
  request.query = "select=*,employees!manager_id(*)";
  EXPECT_TRUE(engine.translate(request).ok());
}

}  // namespace
}  // namespace pgrest
