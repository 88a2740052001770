#include <gtest/gtest.h>

#include "pgrest/catalog.hpp"

TEST(CatalogJson, RejectsGarbage) {
  std::string error;
  EXPECT_EQ(pgrest::load_catalog_json("{", &error), nullptr);
  EXPECT_FALSE(error.empty());
}
