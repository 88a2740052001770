// Live catalog introspection with libpq. Lives outside the pure engine library: only
// `pgrest catalog` and the tests link it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pgrest/catalog.hpp"

namespace pgrest {

// Connects with `conninfo` (any libpq connection string or URI), introspects `schemas`
// in one READ ONLY transaction and returns a finalized catalog. On failure returns
// nullptr and sets *error to a one-line message.
[[nodiscard]] std::shared_ptr<Catalog> introspect_catalog(const std::string& conninfo,
                                                          const std::vector<std::string>& schemas,
                                                          std::string* error);

}  // namespace pgrest
