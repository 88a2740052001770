// fuzz_catalog: load_catalog_json on arbitrary bytes.
//
// Invariants: a failed load says why (non-empty error); a loaded catalog round-trips
// (write_catalog_json's output loads again and writes back byte-identical); and the
// engine over it emits only SQL that libpg_query parses as one statement with matching
// placeholders, whatever the names hold (quotes, dots, NULs, non-ASCII): for up to four
// relations, GET with select, filter and order on the first column, and a plain GET,
// in the relation's schema via Accept-Profile (via_api_layer, so every schema is open).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"

namespace {

using pgrest::fuzz::violation;

void translate_over(const std::shared_ptr<const pgrest::Catalog>& catalog) {
  if (catalog->relations.empty()) return;
  pgrest::Config config;
  config.schemas.clear();
  for (const auto& relation : catalog->relations) {
    if (relation.schema.empty()) continue;
    if (std::find(config.schemas.begin(), config.schemas.end(), relation.schema) ==
        config.schemas.end()) {
      config.schemas.push_back(relation.schema);
    }
  }
  if (config.schemas.empty()) return;
  config.managed_schemas.clear();
  const pgrest::Engine engine(catalog, config);

  const size_t count = std::min<size_t>(catalog->relations.size(), 4);
  for (size_t r = 0; r < count; ++r) {
    const pgrest::Relation& relation = catalog->relations[r];
    if (relation.schema.empty()) continue;
    pgrest::Request request;
    request.method = "GET";
    request.path = "/" + pgrest::fuzz::percent_encode(relation.name);
    request.headers = {{"Accept-Profile", relation.schema}, {"Prefer", "count=planned"}};
    request.via_api_layer = true;
    pgrest::fuzz::check_result(engine.translate(request), request, config);
    if (relation.columns.empty()) continue;
    const std::string column =
        pgrest::fuzz::percent_encode(pgrest::fuzz::quote_name(relation.columns.front().name));
    request.query = "select=" + column + ",*&" + column + "=eq.1&order=" + column + ".desc";
    request.headers = {{"Accept-Profile", relation.schema}, {"Accept", "text/csv"}};
    pgrest::fuzz::check_result(engine.translate(request), request, config);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto catalog = pgrest::load_catalog_json(text, &error);
  if (!catalog) {
    if (error.empty()) violation("load_catalog_json failed without an error message", text);
    return 0;
  }
  const std::string written = pgrest::write_catalog_json(*catalog);
  std::string reload_error;
  const auto reloaded = pgrest::load_catalog_json(written, &reload_error);
  if (!reloaded) {
    violation("write_catalog_json's output does not load: " + reload_error, written);
  }
  const std::string rewritten = pgrest::write_catalog_json(*reloaded);
  if (rewritten != written) {
    violation("the catalog does not round-trip", written + "\n" + rewritten);
  }
  translate_over(catalog);
  return 0;
}
