// The bound plan: what the resolve stage produces and the emit stage consumes. Every
// name here has been found in the catalog: columns are pointers into the immutable
// snapshot, so emit never sees a name that came straight from the request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parse/ast.hpp"
#include "pgrest/catalog.hpp"

namespace pgrest::plan {

// A catalog column with an optional JSON path (keys and indexes still request values:
// they travel as parameters). Or a computed field: a function of the row
// (`f(table_row_type)`, as PostgREST resolves `"t"."f"`), called on the row of
// `computed_row`; `column` is then null.
struct ColumnPath {
  const Column* column = nullptr;
  ast::List<ast::JsonStep> json_path;
  const Function* computed = nullptr;
  const Relation* computed_row = nullptr;

  // The name a computed field or column outputs under, and its type as the catalog
  // has it (the function's return type for a computed field).
  [[nodiscard]] std::string_view name() const { return computed ? computed->name : column->name; }
  [[nodiscard]] std::string_view base_type() const {
    return computed ? computed->return_type : column->base_type;
  }
};

struct SelectEntry {
  // embed, spread and hoisted_value entries name node.embeds[embed_index].
  enum class Kind : uint8_t { star, column, count, embed, spread, hoisted_value };
  Kind kind = Kind::column;
  ColumnPath path;
  ast::String output_name;  // the JSON key of the result
  bool explicit_name = false;
  ast::String cast;  // SQL text: a keyword type name or a quoted identifier
  ast::String aggregate;
  ast::String aggregate_cast;
  size_t embed_index = 0;
  // An aggregate lifted out of a to-one spread: the child only selects the value (under
  // output_name, an internal alias) and the parent aggregates it.
  bool hoisted = false;
  // hoisted_value entries select, under output_name, the column `hoisted_source` of
  // embeds[embed_index] (a value a nested spread hoisted, passed on up), or `true` when it
  // is empty (a row marker, for a hoisted count() to count the related rows).
  ast::String hoisted_source;
};

// An aggregate of a to-one spread, computed by the parent over the spread's rows.
struct HoistedAggregate {
  ast::String column_alias;  // what the spread's subquery selects
  ast::String aggregate;
  ast::String aggregate_cast;
  ast::String output_name;
};

struct Predicate {
  ColumnPath path;
  ast::OpExpr expr;
  bool wrap_tsvector = false;  // fts on a column that is not a tsvector
  // A null-embed filter (`actors=is.null`, `actors=not.is.null`) tests the embed
  // node.embeds[*embed_index] of the node the predicate belongs to.
  std::optional<size_t> embed_index;
};

struct BoolTree;

// A node of a WHERE clause: a predicate or a nested and/or tree.
struct Condition {
  Predicate predicate;
  std::unique_ptr<BoolTree> tree;
};

struct BoolTree : arena::Allocated {
  bool negated = false;
  bool is_or = false;
  ast::List<Condition> items;
};

struct OrderEntry {
  ColumnPath path;
  ast::Direction direction = ast::Direction::unspecified;
  ast::Nulls nulls = ast::Nulls::unspecified;
  std::optional<size_t> embed_index;  // `order=rel(col)`: a column of a to-one embed
  ast::String embed_column;           // that column's output name
};

struct ReadNode;
struct RpcCall;

// An embedded resource: a LATERAL subquery joined to its parent node.
struct Embed {
  const Relationship* relationship = nullptr;
  ast::String name;           // the JSON key: alias, else the relation name
  ast::String relation_name;  // the name the request used (for legacy target names)
  ast::String lateral_alias;  // <parent>_<name>_<depth>
  bool inner = false;
  bool spread = false;
  std::unique_ptr<ReadNode> node;
  ast::List<HoistedAggregate> hoisted;
};

struct ReadNode : arena::Allocated {
  const Relation* relation = nullptr;
  // Set for the representation of a mutation: the node reads the rows the statement
  // returned (`from "pgrst_source" as "<table>"`) instead of the table.
  bool reads_mutation_result = false;
  // Set for the rows of a set-returning function: `from "s"."f"(...) as "<alias>"`.
  const RpcCall* call = nullptr;
  // List the columns instead of `t.*` (the rows read carry extra bookkeeping columns).
  bool expand_star = false;
  ast::String table_alias;             // empty at the root: columns are qualified "schema"."table"
  const Relation* junction = nullptr;  // many-to-many embeds: the junction table
  ast::String junction_alias;
  size_t depth = 0;
  ast::List<Embed> embeds;
  ast::List<SelectEntry> select;
  ast::List<Condition> where;  // all ANDed
  ast::List<OrderEntry> order;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
  bool has_aggregate = false;
};

enum class OutputFormat : uint8_t { json_array, json_object, csv };
enum class CountMode : uint8_t { none, exact, planned, estimated };

struct Context {
  std::string method;
  std::string path;
  std::string role;
  std::string claims_json;
  std::string headers_json;
  std::string cookies_json;
  std::string search_path;
  std::string pre_request_schema;  // empty when no pre-request function is configured
  std::string pre_request_function;
};

struct ReadPlan {
  std::string schema;
  ReadNode root;
  OutputFormat format = OutputFormat::json_array;
  bool nulls_stripped = false;
  bool head = false;
  CountMode count = CountMode::none;
  std::string_view media_type;  // a constant (see negotiate())
  Context context;
};

enum class WriteKind : uint8_t { insert, put, update, remove };
enum class OnConflict : uint8_t { none, merge, ignore };

// POST, PUT, PATCH and DELETE on a table or view.
struct WritePlan {
  WriteKind kind = WriteKind::insert;
  std::string schema;
  const Relation* relation = nullptr;
  // The body travels as one json parameter; these are the columns it writes, in the
  // table's column order so the SQL text depends only on the set of keys.
  std::string_view body;  // Request::body, which outlives the translation
  bool body_is_array = false;
  std::vector<const Column*> columns;
  bool missing_default = false;  // absent keys (relative to ?columns=) take the column default
  OnConflict on_conflict = OnConflict::none;
  std::vector<const Column*> conflict_columns;
  std::vector<std::pair<const Column*, std::string>> put_key;  // PUT: pk column = URL value
  ast::List<Condition> where;                                  // PATCH/DELETE filters
  bool representation = false;                                 // Prefer: return=representation
  bool location = false;  // compute the Location of a single inserted row
  ReadNode returned;      // select/order/embeds over the affected rows
  OutputFormat format = OutputFormat::json_array;
  bool nulls_stripped = false;
  std::string_view media_type;  // a constant (see negotiate())
  Context context;
};

// A function call and how its arguments reach it.
struct RpcCall {
  const Function* function = nullptr;
  enum class Arguments : uint8_t { url, body, whole_body, whole_text };
  Arguments source = Arguments::url;
  // url: each supplied parameter with its text value (VARIADIC: an array literal).
  std::vector<std::pair<const FunctionParam*, std::string>> url_arguments;
  // body: the supplied parameters, read from the JSON object body.
  std::vector<const FunctionParam*> body_arguments;
  std::string body;
  bool body_is_array = false;
};

struct RpcPlan {
  enum class Shape : uint8_t { scalar, scalar_set, row, row_set, void_ };
  Shape shape = Shape::scalar;
  RpcCall call;
  std::string schema;
  // Rows of composite results, bound like a read (select, filters, order, embeds).
  ReadNode root;
  std::unique_ptr<Relation> result_columns;  // OUT/TABLE columns with no catalog relation
  bool head = false;
  CountMode count = CountMode::none;
  OutputFormat format = OutputFormat::json_array;
  bool nulls_stripped = false;
  std::string_view media_type;  // a constant (see negotiate())
  Context context;
};

}  // namespace pgrest::plan
