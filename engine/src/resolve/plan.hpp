// The bound plan: what the resolve stage produces and the emit stage consumes. Every
// name here has been found in the catalog: columns are pointers into the immutable
// snapshot, so emit never sees a name that came straight from the request.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parse/ast.hpp"
#include "pgrest/catalog.hpp"

namespace pgrest::plan {

// A catalog column with an optional JSON path (keys and indexes still request values:
// they travel as parameters).
struct ColumnPath {
  const Column* column = nullptr;
  std::vector<ast::JsonStep> json_path;
};

struct SelectEntry {
  enum class Kind : uint8_t { star, column, count };
  Kind kind = Kind::column;
  ColumnPath path;
  std::string output_name;  // the JSON key of the result
  bool explicit_name = false;
  std::string cast;  // validated by the grammar: letters, digits, `_`, spaces
  std::string aggregate;
  std::string aggregate_cast;
};

struct Predicate {
  ColumnPath path;
  ast::OpExpr expr;
  bool wrap_tsvector = false;  // fts on a column that is not a tsvector
};

struct BoolTree;

// A node of a WHERE clause: a predicate or a nested and/or tree.
struct Condition {
  Predicate predicate;
  std::unique_ptr<BoolTree> tree;
};

struct BoolTree {
  bool negated = false;
  bool is_or = false;
  std::vector<Condition> items;
};

struct OrderEntry {
  ColumnPath path;
  ast::Direction direction = ast::Direction::unspecified;
  ast::Nulls nulls = ast::Nulls::unspecified;
};

struct ReadNode {
  const Relation* relation = nullptr;
  std::vector<SelectEntry> select;
  std::vector<Condition> where;  // all ANDed
  std::vector<OrderEntry> order;
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
  std::string media_type;
  Context context;
};

}  // namespace pgrest::plan
