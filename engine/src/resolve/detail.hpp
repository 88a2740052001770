// Internals of the resolve stage shared by its reads, writes and RPC (not public).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "parse/ast.hpp"
#include "resolve/plan.hpp"
#include "resolve/resolve.hpp"

namespace pgrest::resolve::detail {

// The negotiated output format (Accept).
struct Negotiated {
  plan::OutputFormat format = plan::OutputFormat::json_array;
  bool nulls_stripped = false;
  std::string_view media_type = "application/json";  // one of negotiate()'s constants
};

enum class ReturnPreference : uint8_t { unspecified, minimal, headers_only, representation };
enum class Resolution : uint8_t { none, merge_duplicates, ignore_duplicates };

// Prefer tokens (RFC 7240): for each family the first recognised token wins; tokens of
// no known family are collected so that handling=strict can refuse them (PGRST122).
struct Preferences {
  plan::CountMode count = plan::CountMode::none;
  ReturnPreference return_pref = ReturnPreference::unspecified;
  Resolution resolution = Resolution::none;
  bool missing_default = false;
  std::optional<bool> tx_rollback;
  std::optional<int64_t> max_affected;
  bool strict = false;
  std::vector<std::string> invalid;
};

// Everything a request shares whatever its target: schema, role and request context,
// media type and preferences.
struct RequestScope {
  std::string schema;
  plan::Context context;
  Negotiated negotiated;
  Preferences prefs;
};

// Fills `scope` in place (it is moved from piecemeal into the plan afterwards).
Expected<bool> resolve_scope(const Catalog& catalog, const Config& config,
                             const ClaimPath& role_claim, const Request& request,
                             RequestScope& scope);

// Binds select (with embeds), filters, logic trees, order and ranges onto `root`.
// Root-level filters go to *root_filters when given (a mutation's WHERE), else to root.
Expected<bool> bind_query(const Catalog& catalog, const Config& config, const Request& request,
                          plan::ReadNode& root, const ast::Query& query,
                          ast::List<plan::Condition>* root_filters);

Error missing_relation(const Catalog& catalog, std::string_view schema, std::string_view name);
Error missing_column(const Relation& relation, std::string_view column);
// The managed-schema refusal: the same 403 for every object, so that it does not reveal
// what a managed schema holds.
Error managed_schema_error();
bool is_managed(const Config& config, std::string_view schema);
// Whether any of `schemas` (the schemas a type reaches) is managed.
bool reaches_managed(const Config& config, const std::vector<std::string>& schemas);
const std::string* header(const Request& request, std::string_view name);

}  // namespace pgrest::resolve::detail
