// The catalog snapshot: everything the engine knows about the database.
//
// A Catalog is built once (from libpq introspection or a JSON snapshot), then never
// mutated: engines share it read-only across threads as shared_ptr<const Catalog> and a
// refresh swaps in a whole new snapshot. Name lookups are hashed and built in finalize().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pgrest {

enum class RelationKind : uint8_t {
  table,
  view,
  materialized_view,
  foreign_table,
  partitioned_table,
};

enum class Volatility : uint8_t { immutable, stable, volatile_ };

enum class ParamMode : uint8_t { in, out, inout, variadic, table };

struct Column {
  std::string name;
  std::string type;       // format_type() with modifiers, e.g. "character varying(20)"
  std::string base_type;  // domains resolved to their base type, no modifiers, e.g. "jsonb"
  uint32_t type_oid = 0;
  bool nullable = true;
  std::optional<std::string> default_expr;  // SQL text of the default, as the catalog has it
  bool generated = false;
  bool identity = false;
};

struct Relation {
  std::string schema;
  std::string name;
  RelationKind kind = RelationKind::table;
  bool insertable = true;
  bool updatable = true;
  bool deletable = true;
  std::vector<Column> columns;  // ordinal order
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;

  // Filled by Catalog::finalize().
  std::unordered_map<std::string_view, uint32_t> column_index;

  [[nodiscard]] const Column* find_column(std::string_view column_name) const;
};

struct ForeignKey {
  std::string name;  // constraint name
  std::string schema;
  std::string table;
  std::vector<std::string> columns;
  std::string ref_schema;
  std::string ref_table;
  std::vector<std::string> ref_columns;
};

struct FunctionParam {
  std::string name;  // empty when unnamed
  std::string type;  // format_type()
  uint32_t type_oid = 0;
  ParamMode mode = ParamMode::in;
  bool has_default = false;
};

struct Function {
  std::string schema;
  std::string name;
  std::vector<FunctionParam> params;
  std::string return_type;  // format_type() of the (element) return type
  uint32_t return_type_oid = 0;
  bool returns_set = false;
  bool returns_composite = false;  // composite type, or OUT/TABLE parameters
  bool returns_void = false;
  std::optional<std::string> return_relation_schema;  // when it returns rows of a table/view
  std::optional<std::string> return_relation_name;
  Volatility volatility = Volatility::volatile_;
};

enum class Cardinality : uint8_t { many_to_one, one_to_many, one_to_one, many_to_many };

// A relationship usable for embedding, derived from the foreign keys by finalize().
// Indices point into the catalog's vectors (not pointers, so a copied catalog stays valid).
struct Relationship {
  Cardinality cardinality = Cardinality::many_to_one;
  uint32_t source = 0;  // relation index: the table the embed starts from
  uint32_t target = 0;  // relation index: the embedded table
  // Foreign key(s): for M2O/O2M/O2O the one FK; for M2M the junction's FK to source
  // (`foreign_key`) and to target (`junction_target_key`).
  uint32_t foreign_key = 0;
  uint32_t junction = 0;  // relation index, M2M only
  uint32_t junction_target_key = 0;
  // Join columns: source_columns[i] = target_columns[i] (M2O/O2M/O2O); for M2M the
  // source joins the junction and the junction joins the target.
  std::vector<std::string_view> source_columns;
  std::vector<std::string_view> target_columns;
  std::vector<std::string_view> junction_source_columns;  // M2M only
  std::vector<std::string_view> junction_target_columns;  // M2M only
  bool is_self = false;

  [[nodiscard]] bool to_one() const {
    return cardinality == Cardinality::many_to_one || cardinality == Cardinality::one_to_one;
  }
};

class Catalog {
 public:
  std::vector<std::string> schemas;  // schemas this snapshot was introspected from
  std::vector<std::string> roles;    // roles that exist in the database
  std::vector<Relation> relations;
  std::vector<ForeignKey> foreign_keys;
  std::vector<Function> functions;

  // Builds the hashed lookups. Must be called once after the vectors are filled and
  // before the catalog is shared; the vectors must not change afterwards.
  void finalize();

  [[nodiscard]] const Relation* find_relation(std::string_view schema, std::string_view name) const;
  // Every overload with that name in that schema (empty when none).
  [[nodiscard]] std::vector<const Function*> find_functions(std::string_view schema,
                                                            std::string_view name) const;
  [[nodiscard]] bool has_schema(std::string_view schema) const;
  [[nodiscard]] bool has_role(std::string_view role) const;
  [[nodiscard]] uint32_t index_of(const Relation& relation) const {
    return static_cast<uint32_t>(&relation - relations.data());
  }

  // Relationships whose source is relations[source_index] (built by finalize(), in time
  // linear in the number of foreign keys plus junction pairs).
  [[nodiscard]] const std::vector<uint32_t>& relationships_from(uint32_t source_index) const;
  std::vector<Relationship> relationships;

 private:
  void build_relationships();
  std::vector<std::vector<uint32_t>> relationships_by_source_;

  struct QualifiedHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };
  // Keys are "schema\0name" so no quoting rule is needed to keep them unambiguous.
  std::unordered_map<std::string, uint32_t, QualifiedHash, std::equal_to<>> relation_index_;
  std::unordered_multimap<std::string, uint32_t, QualifiedHash, std::equal_to<>> function_index_;
};

[[nodiscard]] std::string_view to_string(RelationKind kind);
[[nodiscard]] std::string_view to_string(Volatility volatility);
[[nodiscard]] std::string_view to_string(ParamMode mode);

// Loads a snapshot written by write_catalog_json(). On failure returns nullptr and sets
// *error to a one-line message naming the problem (path of the offending field).
[[nodiscard]] std::shared_ptr<const Catalog> load_catalog_json(std::string_view json,
                                                               std::string* error);

// Serialises a catalog to the snapshot format (stable key order, one relation per line).
[[nodiscard]] std::string write_catalog_json(const Catalog& catalog);

}  // namespace pgrest
