// The catalog snapshot: everything the engine knows about the database.
//
// A Catalog is built once (from libpq introspection or a JSON snapshot), then never
// mutated: engines share it read-only across threads as shared_ptr<const Catalog> and a
// refresh swaps in a whole new snapshot. Name lookups are hashed and built in finalize(),
// as flat open-addressing tables of positions (no node per entry, no key strings): a
// copied Relation stays valid, but a copied Catalog must be finalized again, since its
// relationships view the column names of the original's foreign keys.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// The small fields follow the strings so that they share one padding word (144 bytes a
// column, not 152): large catalogs hold a Column per column of every table.
struct Column {
  std::string name;
  std::string type;       // format_type() with modifiers, e.g. "character varying(20)"
  std::string base_type;  // domains resolved to their base type, no modifiers, e.g. "jsonb"
  std::optional<std::string> default_expr;  // SQL text of the default, as the catalog has it
  uint32_t type_oid = 0;
  bool nullable = true;
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
  // The oid of the relation's row type (pg_class.reltype; 0 when unknown): a function
  // taking this type is a computed field of the relation.
  uint32_t row_type_oid = 0;
  std::vector<Column> columns;  // ordinal order
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;

  // Builds the hashed lookup behind find_column(). Catalog::finalize() calls it for every
  // relation; a Relation made outside a catalog (a function's OUT columns) calls it itself.
  void index_columns();
  // The first column of that name, nullptr when none. Without index_columns() (or with
  // more columns than the index can number) it scans the columns instead.
  [[nodiscard]] const Column* find_column(std::string_view column_name) const;

 private:
  // Open addressing with linear probing: each slot holds a position in `columns` plus one
  // (0 = empty), and the size is a power of two. 2 bytes a slot instead of a heap node a
  // column, since PostgreSQL caps a table at 1,600 columns.
  std::vector<uint16_t> column_slots_;
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

// A key of a base table that a view exposes: PostgREST's view key dependencies. A view
// column that is a plain reference to a table column (its pg_rewrite target entry names
// the table and column as its origin, followed through views of views) exposes that
// column; a key counts only when the view exposes every one of its columns. Views get
// relationships from these (view -> table, table -> view, view -> view, with the view's
// columns in the foreign key's place and the constraint's name), and the primary keys a
// view exposes make it usable as a many-to-many junction.
enum class ViewKeyKind : uint8_t {
  primary_key,     // the table's primary key
  foreign_key,     // the referencing columns of a foreign key of the table
  referenced_key,  // the referenced columns of a foreign key to the table
};

struct ViewKey {
  std::string schema;  // the view
  std::string view;
  ViewKeyKind kind = ViewKeyKind::primary_key;
  // The constraint, named by the table that declares it (for referenced_key the
  // referencing table, whose foreign key this is) and its name.
  std::string table_schema;
  std::string table;
  std::string constraint;
  // foreign_key only: the key's columns are a primary or unique key of its table (the
  // relationship is one-to-one). Needed when that table is not in the catalog, as when
  // an exposed view stands for a table of a private schema.
  bool unique = false;
  // For each column of the key, in key order: the view's columns that expose it (one or
  // more; a column exposed twice gives one relationship per combination).
  std::vector<std::vector<std::string>> columns;
};

struct FunctionParam {
  std::string name;  // empty when unnamed
  std::string type;  // format_type()
  // Every schema the type reaches: its own ("pg_catalog" for built-ins), and those of the
  // types it is built from, followed through domains, array elements, the attributes of
  // free-standing composite types and range subtypes (empty when the snapshot does not
  // say). The managed-schema guard refuses functions that take or return a type reaching
  // a managed schema, however it is wrapped.
  std::vector<std::string> type_schemas;
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
  std::vector<std::string> return_type_schemas;  // as a parameter's type_schemas
  bool returns_set = false;
  bool returns_composite = false;  // composite type, or OUT/TABLE parameters
  bool returns_void = false;
  std::optional<std::string> return_relation_schema;  // when it returns rows of a table/view
  std::optional<std::string> return_relation_name;
  Volatility volatility = Volatility::volatile_;
};

enum class Cardinality : uint8_t { many_to_one, one_to_many, one_to_one, many_to_many };

// The column names of one side of a foreign key: a view of the ForeignKey's own vector,
// so that a relationship allocates nothing (a catalog has two or more per foreign key).
// Reads like a vector of string_view, and converts to one for code that keeps a list.
class ColumnNames {
 public:
  ColumnNames() = default;
  explicit ColumnNames(const std::vector<std::string>& names) : names_(names) {}

  [[nodiscard]] size_t size() const { return names_.size(); }
  [[nodiscard]] bool empty() const { return names_.empty(); }
  [[nodiscard]] std::string_view operator[](size_t i) const { return names_[i]; }
  [[nodiscard]] std::string_view front() const { return names_.front(); }
  [[nodiscard]] std::string_view back() const { return names_.back(); }
  [[nodiscard]] auto begin() const { return names_.begin(); }
  [[nodiscard]] auto end() const { return names_.end(); }
  // Implicit on purpose: these members used to be vectors of string_view.
  operator std::vector<std::string_view>() const {  // NOLINT(google-explicit-constructor)
    return std::vector<std::string_view>(names_.begin(), names_.end());
  }

 private:
  std::span<const std::string> names_;
};

// A relationship usable for embedding, derived from the foreign keys by finalize().
// Relations and foreign keys are named by index into the catalog's vectors; the column
// names view the foreign keys' vectors, so a copied catalog must be finalized again.
struct Relationship {
  Cardinality cardinality = Cardinality::many_to_one;
  bool is_self = false;
  uint32_t source = 0;  // relation index: the table the embed starts from
  uint32_t target = 0;  // relation index: the embedded table
  // Foreign key(s): for M2O/O2M/O2O the one FK; for M2M the junction's FK to source
  // (`foreign_key`) and to target (`junction_target_key`).
  uint32_t foreign_key = 0;
  uint32_t junction = 0;  // relation index, M2M only
  uint32_t junction_target_key = 0;
  // Join columns: source_columns[i] = target_columns[i] (M2O/O2M/O2O); for M2M the
  // source joins the junction and the junction joins the target.
  ColumnNames source_columns;
  ColumnNames target_columns;
  ColumnNames junction_source_columns;  // M2M only
  ColumnNames junction_target_columns;  // M2M only

  [[nodiscard]] bool to_one() const {
    return cardinality == Cardinality::many_to_one || cardinality == Cardinality::one_to_one;
  }
};

namespace catalog_internal {
// A slot of the catalog's name tables: `tag` is the high half of the name's 64-bit hash,
// so a probe rarely has to compare names; `position` is an index into the relations or
// functions plus one (0 = empty).
struct NameSlot {
  uint32_t tag = 0;
  uint32_t position = 0;
};

// A to-one relationship (view -> table, table -> view or view -> view) that a foreign key
// gives through the views exposing its columns, before its inverse is added.
struct ViewEdge {
  uint32_t source = 0;
  uint32_t target = 0;
  uint32_t foreign_key = 0;
  ColumnNames source_columns;
  ColumnNames target_columns;
  bool one_to_one = false;
  bool is_self = false;
};
}  // namespace catalog_internal

class Catalog {
 public:
  std::vector<std::string> schemas;  // schemas this snapshot was introspected from
  std::vector<std::string> roles;    // roles that exist in the database
  std::vector<Relation> relations;
  std::vector<ForeignKey> foreign_keys;
  std::vector<Function> functions;
  // Keys of base tables that the catalog's views expose (see ViewKey); foreign_keys holds
  // every foreign key these name, including those between tables outside the schemas.
  std::vector<ViewKey> view_keys;

  // Builds the hashed lookups. Must be called once after the vectors are filled and
  // before the catalog is shared; the vectors must not change afterwards.
  void finalize() { build_lookups(false); }

  [[nodiscard]] const Relation* find_relation(std::string_view schema, std::string_view name) const;
  // Every overload with that name in that schema (empty when none).
  [[nodiscard]] std::vector<const Function*> find_functions(std::string_view schema,
                                                            std::string_view name) const;
  [[nodiscard]] bool has_schema(std::string_view schema) const;
  [[nodiscard]] bool has_role(std::string_view role) const;
  [[nodiscard]] uint32_t index_of(const Relation& relation) const {
    return static_cast<uint32_t>(&relation - relations.data());
  }

  // Indices into `relationships` of those whose source is relations[source_index], in the
  // order finalize() derived them (built in time linear in the number of foreign keys plus
  // junction pairs).
  [[nodiscard]] std::span<const uint32_t> relationships_from(uint32_t source_index) const;
  std::vector<Relationship> relationships;

 private:
  // The snapshot loader indexes each relation's columns as it reads them, while they are
  // still in cache (in a large catalog a second pass over every column misses it), and
  // then builds the rest with build_lookups(true).
  friend std::shared_ptr<const Catalog> load_catalog_json(std::string_view json,
                                                          std::string* error);
  void build_lookups(bool columns_indexed);
  void build_relationships();
  // The relationships view_keys give (edges, to be added with their inverses), and the
  // primary keys views expose: primary_keys[primary_key_of[view]] (primary_key_of stays
  // empty when no view exposes one).
  void derive_view_edges(std::vector<catalog_internal::ViewEdge>& edges,
                         std::vector<uint32_t>& primary_key_of,
                         std::vector<std::vector<std::string>>& primary_keys);
  // Index of the first relation named schema.name (hash: their hash), UINT32_MAX if none.
  [[nodiscard]] uint32_t relation_position(uint64_t hash, std::string_view schema,
                                           std::string_view name) const;

  // relationships_from(s) is relationship_list_[relationship_offsets_[s] ..
  // relationship_offsets_[s + 1]): two flat arrays rather than a vector per relation.
  std::vector<uint32_t> relationship_offsets_;
  std::vector<uint32_t> relationship_list_;
  // The views' own column lists of their relationships (one per combination of exposing
  // columns), which those relationships view. A deque, so that adding never moves one.
  std::deque<std::vector<std::string>> view_columns_;

  // Open addressing with linear probing over (schema, name), hashing the two string_views
  // as they are, without building a key string.
  std::vector<catalog_internal::NameSlot> relation_slots_;
  std::vector<catalog_internal::NameSlot> function_slots_;
};

[[nodiscard]] std::string_view to_string(RelationKind kind);
[[nodiscard]] std::string_view to_string(Volatility volatility);
[[nodiscard]] std::string_view to_string(ParamMode mode);
[[nodiscard]] std::string_view to_string(ViewKeyKind kind);

// Loads a snapshot written by write_catalog_json(). On failure returns nullptr and sets
// *error to a one-line message naming the problem (path of the offending field).
[[nodiscard]] std::shared_ptr<const Catalog> load_catalog_json(std::string_view json,
                                                               std::string* error);

// Serialises a catalog to the snapshot format (stable key order, one relation per line).
[[nodiscard]] std::string write_catalog_json(const Catalog& catalog);

}  // namespace pgrest
