// The syntax tree of a PostgREST query string: what the parse stage produces, before any
// name has been checked against the catalog. Names here are still plain strings; the
// resolve stage turns them into catalog references (resolve/plan.hpp), so emit can never
// be handed an unresolved name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgrest::ast {

// One `->key`, `->>key`, `->0` or `->>-1` step of a JSON path.
struct JsonStep {
  bool as_text = false;  // ->> rather than ->
  bool is_index = false;
  std::string key;  // the key, or the decimal index (with its sign) when is_index
};

// A column name with an optional JSON path: `data->a->>b`.
struct Field {
  std::string name;
  std::vector<JsonStep> json_path;
};

enum class JoinType : uint8_t { unspecified, left, inner };

struct SelectItem {
  enum class Kind : uint8_t { star, column, count, embed, spread };
  Kind kind = Kind::column;
  std::string alias;           // empty when none
  Field field;                 // column: the field; embed/spread: field.name is the relation
  std::string cast;            // `::type`, empty when none
  std::string aggregate;       // sum, avg, max, min, count; empty when none
  std::string aggregate_cast;  // cast applied to the aggregate's result
  // Embeds and spreads only.
  std::string hint;
  JoinType join = JoinType::unspecified;
  std::vector<SelectItem> children;
};

enum class Operator : uint8_t {
  eq,
  neq,
  gt,
  gte,
  lt,
  lte,
  like,
  ilike,
  match,
  imatch,
  in,
  is,
  isdistinct,
  fts,
  plfts,
  phfts,
  wfts,
  cs,
  cd,
  ov,
  sl,
  sr,
  nxr,
  nxl,
  adj,
};

enum class Quantifier : uint8_t { none, any, all };

enum class IsValue : uint8_t { null, not_null, true_, false_, unknown };

// The right-hand side of a filter: `not.in.(a,b)`, `fts(english).cat`, `eq(any).{1,2}`.
struct OpExpr {
  bool negated = false;
  Operator op = Operator::eq;
  Quantifier quantifier = Quantifier::none;
  std::optional<std::string> language;  // fts family only
  std::string value;                    // single value, verbatim
  std::vector<std::string> list;        // `in` only
  IsValue is_value = IsValue::null;     // `is` only
};

struct Condition;

// `or=(...)`, `and=(...)`, `not.or=(...)` and nested `and(...)` inside them.
struct LogicTree {
  bool negated = false;
  bool is_or = false;
  std::vector<Condition> items;
};

// A leaf `field.op.value` or a nested tree.
struct Condition {
  Field field;
  OpExpr expr;
  std::unique_ptr<LogicTree> tree;  // set for nested trees; field/expr unused then
};

enum class Direction : uint8_t { unspecified, asc, desc };
enum class Nulls : uint8_t { unspecified, first, last };

struct OrderTerm {
  std::string relation;  // `rel(col)` ordering by a to-one embed; empty otherwise
  Field field;
  Direction direction = Direction::unspecified;
  Nulls nulls = Nulls::unspecified;
};

// Scoped parameters carry the embed path their key named (`actors.order` -> {"actors"}).
struct Filter {
  std::vector<std::string> embed_path;
  Field field;
  OpExpr expr;
};

struct ScopedLogic {
  std::vector<std::string> embed_path;
  LogicTree tree;
};

struct ScopedOrder {
  std::vector<std::string> embed_path;
  std::vector<OrderTerm> terms;
};

struct ScopedRange {
  std::vector<std::string> embed_path;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

// Everything a query string says, classified by key as PostgREST does.
struct Query {
  std::optional<std::vector<SelectItem>> select;  // nullopt: no select parameter
  std::vector<Filter> filters;
  std::vector<ScopedLogic> logic;
  std::vector<ScopedOrder> orders;
  std::vector<ScopedRange> ranges;
  std::optional<std::vector<std::string>> columns;
  std::optional<std::vector<std::string>> on_conflict;
  std::vector<std::pair<std::string, std::string>> arguments;  // GET /rpc/f?a=1, in order
};

}  // namespace pgrest::ast
