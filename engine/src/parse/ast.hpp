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

#include "common/arena.hpp"

namespace pgrest::ast {

// Syntax trees live in the translation's arena (common/arena.hpp).
using String = arena::String;
template <typename T>
using List = arena::Vector<T>;

// One `->key`, `->>key`, `->0` or `->>-1` step of a JSON path.
struct JsonStep {
  bool as_text = false;  // ->> rather than ->
  bool is_index = false;
  String key;  // the key, or the decimal index (with its sign) when is_index
};

// A column name with an optional JSON path: `data->a->>b`.
struct Field {
  String name;
  List<JsonStep> json_path;
};

enum class JoinType : uint8_t { unspecified, left, inner };

struct SelectItem {
  enum class Kind : uint8_t { star, column, count, embed, spread };
  Kind kind = Kind::column;
  String alias;           // empty when none
  Field field;            // column: the field; embed/spread: field.name is the relation
  String cast;            // `::type`, empty when none
  String aggregate;       // sum, avg, max, min, count; empty when none
  String aggregate_cast;  // cast applied to the aggregate's result
  // Embeds and spreads only.
  String hint;
  JoinType join = JoinType::unspecified;
  List<SelectItem> children;
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
  std::optional<String> language;    // fts family only
  String value;                      // single value, verbatim
  List<String> list;                 // `in` only
  IsValue is_value = IsValue::null;  // `is` only
};

struct Condition;

// `or=(...)`, `and=(...)`, `not.or=(...)` and nested `and(...)` inside them.
struct LogicTree : arena::Allocated {
  bool negated = false;
  bool is_or = false;
  List<Condition> items;
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
  String relation;  // `rel(col)` ordering by a to-one embed; empty otherwise
  Field field;
  Direction direction = Direction::unspecified;
  Nulls nulls = Nulls::unspecified;
};

// Scoped parameters carry the embed path their key named (`actors.order` -> {"actors"}).
struct Filter {
  List<String> embed_path;
  Field field;
  OpExpr expr;
};

struct ScopedLogic {
  List<String> embed_path;
  LogicTree tree;
};

struct ScopedOrder {
  List<String> embed_path;
  List<OrderTerm> terms;
};

struct ScopedRange {
  List<String> embed_path;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

// Everything a query string says, classified by key as PostgREST does.
struct Query {
  std::optional<List<SelectItem>> select;  // nullopt: no select parameter
  List<Filter> filters;
  List<ScopedLogic> logic;
  List<ScopedOrder> orders;
  List<ScopedRange> ranges;
  std::optional<List<String>> columns;
  std::optional<List<String>> on_conflict;
  List<std::pair<String, String>> arguments;  // GET /rpc/f?a=1, in order
};

}  // namespace pgrest::ast
