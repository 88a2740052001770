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
  build_relationships();
}

namespace {

bool same_set(std::vector<std::string_view> a, std::vector<std::string_view> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::vector<std::string_view> views_of(const std::vector<std::string>& names) {
  return std::vector<std::string_view>(names.begin(), names.end());
}

// One-to-one when the FK columns are exactly a primary or unique key of their table.
bool is_key_of(const Relation& relation, const std::vector<std::string>& columns) {
  const auto wanted = views_of(columns);
  if (!relation.primary_key.empty() && same_set(views_of(relation.primary_key), wanted)) {
    return true;
  }
  return std::any_of(relation.unique_keys.begin(), relation.unique_keys.end(),
                     [&](const auto& key) { return same_set(views_of(key), wanted); });
}

bool covers(const std::vector<std::string>& primary_key, const ForeignKey& a, const ForeignKey& b) {
  const auto in_key = [&](const std::string& column) {
    return std::find(primary_key.begin(), primary_key.end(), column) != primary_key.end();
  };
  return std::all_of(a.columns.begin(), a.columns.end(), in_key) &&
         std::all_of(b.columns.begin(), b.columns.end(), in_key);
}

}  // namespace

// PostgREST's rules: every FK gives a many-to-one (one-to-one when its columns are a key)
// and the inverse one-to-many (or mirrored one-to-one); a table whose primary key covers
// the columns of two different FKs is a junction giving many-to-many both ways. Linear
// in the FKs, plus the pairs of FKs on each junction table.
void Catalog::build_relationships() {
  relationships.clear();
  relationships_by_source_.assign(relations.size(), {});
  const auto add = [&](Relationship relationship) {
    relationships_by_source_[relationship.source].push_back(
        static_cast<uint32_t>(relationships.size()));
    relationships.push_back(std::move(relationship));
  };
  std::vector<std::vector<uint32_t>> keys_by_table(relations.size());
  for (uint32_t k = 0; k < foreign_keys.size(); ++k) {
    const ForeignKey& key = foreign_keys[k];
    const Relation* from = find_relation(key.schema, key.table);
    const Relation* to = find_relation(key.ref_schema, key.ref_table);
    if (!from || !to) continue;  // an end outside the introspected schemas
    const uint32_t from_index = index_of(*from);
    const uint32_t to_index = index_of(*to);
    keys_by_table[from_index].push_back(k);
    const bool one_to_one = is_key_of(*from, key.columns);
    Relationship forward;
    forward.cardinality = one_to_one ? Cardinality::one_to_one : Cardinality::many_to_one;
    forward.source = from_index;
    forward.target = to_index;
    forward.foreign_key = k;
    forward.source_columns = views_of(key.columns);
    forward.target_columns = views_of(key.ref_columns);
    forward.is_self = from_index == to_index;
    Relationship inverse = forward;
    inverse.cardinality = one_to_one ? Cardinality::one_to_one : Cardinality::one_to_many;
    inverse.source = to_index;
    inverse.target = from_index;
    std::swap(inverse.source_columns, inverse.target_columns);
    add(std::move(forward));
    add(std::move(inverse));
  }
  for (uint32_t j = 0; j < relations.size(); ++j) {
    const auto& keys = keys_by_table[j];
    if (keys.size() < 2 || relations[j].primary_key.empty()) continue;
    for (size_t a = 0; a < keys.size(); ++a) {
      for (size_t b = 0; b < keys.size(); ++b) {
        if (a == b) continue;
        const ForeignKey& to_source = foreign_keys[keys[a]];
        const ForeignKey& to_target = foreign_keys[keys[b]];
        if (!covers(relations[j].primary_key, to_source, to_target)) continue;
        const Relation* source = find_relation(to_source.ref_schema, to_source.ref_table);
        const Relation* target = find_relation(to_target.ref_schema, to_target.ref_table);
        Relationship many;
        many.cardinality = Cardinality::many_to_many;
        many.source = index_of(*source);
        many.target = index_of(*target);
        many.foreign_key = keys[a];
        many.junction = j;
        many.junction_target_key = keys[b];
        many.source_columns = views_of(to_source.ref_columns);
        many.junction_source_columns = views_of(to_source.columns);
        many.junction_target_columns = views_of(to_target.columns);
        many.target_columns = views_of(to_target.ref_columns);
        many.is_self = many.source == many.target;
        add(std::move(many));
      }
    }
  }
}

const std::vector<uint32_t>& Catalog::relationships_from(uint32_t source_index) const {
  static const std::vector<uint32_t> kNone;
  return source_index < relationships_by_source_.size() ? relationships_by_source_[source_index]
                                                        : kNone;
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
