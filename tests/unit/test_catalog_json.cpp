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
