// The C ABI's catalog introspection (pgrest_catalog_introspect) over engine/pgcatalog, the
// only part of libpgrest that uses libpq. It is a file of its own so that the rest of the
// C ABI (pgrest_capi.cpp, which fuzz_capi compiles into its target) stays free of I/O;
// built without libpq (-Dlibpq=disabled) the entry point reports PGREST_UNSUPPORTED.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "pgrest.h"
#include "pgrest/engine.hpp"
#ifndef PGREST_NO_LIBPQ
#include "introspect.hpp"
#include "pgrest/catalog.hpp"
#endif

namespace {

// As in pgrest_capi.cpp: a malloc'ed copy for error_out / json_out, freed with
// pgrest_free_string(); NULL when there is no memory for it.
char* copy_string(std::string_view text) noexcept {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy != nullptr) {
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
  }
  return copy;
}

pgrest_status fail(char** error_out, pgrest_status status, std::string_view message) noexcept {
  if (error_out != nullptr) *error_out = copy_string(message);
  return status;
}

std::string default_schemas() {
  const pgrest::Config defaults;
  std::string list;
  for (const auto* names : {&defaults.schemas, &defaults.managed_schemas}) {
    for (const std::string& name : *names) {
      if (!list.empty()) list += ',';
      list += name;
    }
  }
  return list;
}

// "a, b,c" -> {"a", "b", "c"}; false on an empty name ("a,,b", "", " ").
bool split_schemas(std::string_view rest, std::vector<std::string>* out) {
  for (;;) {
    const size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) return false;
    out->emplace_back(name);
    if (comma == std::string_view::npos) return true;
    rest.remove_prefix(comma + 1);
  }
}

}  // namespace

extern "C" {

const char* pgrest_default_schemas(void) {
  // Built once from pgrest::Config's defaults, so it cannot drift from them.
  static const std::string list = [] {
    try {
      return default_schemas();
    } catch (...) {
      return std::string("public,ai");
    }
  }();
  return list.c_str();
}

pgrest_status pgrest_catalog_introspect(const char* conninfo, const char* schemas_csv,
                                        char** json_out, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (json_out == nullptr) return fail(error_out, PGREST_INVALID_ARGUMENT, "json_out is NULL");
  *json_out = nullptr;
  if (conninfo == nullptr) return fail(error_out, PGREST_INVALID_ARGUMENT, "conninfo is NULL");
  try {
    std::vector<std::string> schemas;
    const bool explicit_list = schemas_csv != nullptr;
    if (!split_schemas(explicit_list ? std::string_view(schemas_csv) : pgrest_default_schemas(),
                       &schemas)) {
      return fail(error_out, PGREST_INVALID_ARGUMENT, "the schema list has an empty schema name");
    }
#ifdef PGREST_NO_LIBPQ
    (void)explicit_list;
    return fail(error_out, PGREST_UNSUPPORTED, "this pgrest was built without libpq");
#else
    std::string error;
    const auto catalog = pgrest::introspect_catalog(conninfo, schemas, &error);
    if (!catalog) {
      return fail(error_out, PGREST_DATABASE,
                  error.empty() ? std::string_view("introspection failed") : error);
    }
    // introspect_catalog() records the requested schemas that exist; a listed one that
    // does not is an error here rather than a silently emptier catalog (a typo in
    // --schemas would otherwise expose nothing and say nothing). Of the defaults, the
    // managed schema is often absent, and that is fine.
    if (explicit_list) {
      for (const std::string& schema : schemas) {
        bool found = false;
        for (const std::string& existing : catalog->schemas) found = found || existing == schema;
        if (!found) {
          return fail(error_out, PGREST_DATABASE, "schema \"" + schema + "\" does not exist");
        }
      }
    }
    const std::string json = pgrest::write_catalog_json(*catalog);
    *json_out = copy_string(json);
    if (*json_out == nullptr) return fail(error_out, PGREST_OUT_OF_MEMORY, "out of memory");
    return PGREST_OK;
#endif
  } catch (const std::bad_alloc&) {
    return fail(error_out, PGREST_OUT_OF_MEMORY, "out of memory");
  } catch (...) {
    return fail(error_out, PGREST_INTERNAL, "internal error while introspecting the catalog");
  }
}

}  // extern "C"
