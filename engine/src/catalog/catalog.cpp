#include <algorithm>

#include "pgrest/catalog.hpp"

namespace pgrest {

namespace {

std::string qualified_key(std::string_view schema, std::string_view name) {
  std::string key;
  key.reserve(schema.size() + 1 + name.size());
  key.append(schema);
  key.push_back('\0');
  key.append(name);
  return key;
}

}  // namespace

const Column* Relation::find_column(std::string_view column_name) const {
  const auto found = column_index.find(column_name);
  return found == column_index.end() ? nullptr : &columns[found->second];
}

void Catalog::finalize() {
  relation_index_.clear();
  function_index_.clear();
  relation_index_.reserve(relations.size());
  for (uint32_t i = 0; i < relations.size(); ++i) {
    Relation& relation = relations[i];
    relation.column_index.clear();
    relation.column_index.reserve(relation.columns.size());
    for (uint32_t c = 0; c < relation.columns.size(); ++c) {
      relation.column_index.emplace(relation.columns[c].name, c);
    }
    relation_index_.emplace(qualified_key(relation.schema, relation.name), i);
  }
  for (uint32_t i = 0; i < functions.size(); ++i) {
    function_index_.emplace(qualified_key(functions[i].schema, functions[i].name), i);
  }
  std::sort(roles.begin(), roles.end());
}

const Relation* Catalog::find_relation(std::string_view schema, std::string_view name) const {
  const auto found = relation_index_.find(qualified_key(schema, name));
  return found == relation_index_.end() ? nullptr : &relations[found->second];
}

std::vector<const Function*> Catalog::find_functions(std::string_view schema,
                                                     std::string_view name) const {
  std::vector<const Function*> overloads;
  const auto [begin, end] = function_index_.equal_range(qualified_key(schema, name));
  for (auto it = begin; it != end; ++it) overloads.push_back(&functions[it->second]);
  return overloads;
}

bool Catalog::has_schema(std::string_view schema) const {
  return std::find(schemas.begin(), schemas.end(), schema) != schemas.end();
}

bool Catalog::has_role(std::string_view role) const {
  return std::binary_search(roles.begin(), roles.end(), role);
}

std::string_view to_string(RelationKind kind) {
  switch (kind) {
    case RelationKind::table:
      return "table";
    case RelationKind::view:
      return "view";
    case RelationKind::materialized_view:
      return "materialized_view";
    case RelationKind::foreign_table:
      return "foreign_table";
    case RelationKind::partitioned_table:
      return "partitioned_table";
  }
  return "table";
}

std::string_view to_string(Volatility volatility) {
  switch (volatility) {
    case Volatility::immutable:
      return "immutable";
    case Volatility::stable:
      return "stable";
    case Volatility::volatile_:
      return "volatile";
  }
  return "volatile";
}

std::string_view to_string(ParamMode mode) {
  switch (mode) {
    case ParamMode::in:
      return "in";
    case ParamMode::out:
      return "out";
    case ParamMode::inout:
      return "inout";
    case ParamMode::variadic:
      return "variadic";
    case ParamMode::table:
      return "table";
  }
  return "in";
}

}  // namespace pgrest
