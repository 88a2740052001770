// Stage 2, parse: decoded query parameters become a syntax tree (ast::Query). Syntax
// only; no catalog access. Every failure is a PGRST100 carrying the byte offset.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "decode/query_string.hpp"
#include "parse/ast.hpp"

namespace pgrest::parse {

Expected<ast::List<ast::SelectItem>> parse_select(std::string_view text, const Limits& limits);
Expected<ast::OpExpr> parse_filter_expr(std::string_view text);
Expected<ast::LogicTree> parse_logic_tree(std::string_view text, bool negated, bool is_or,
                                          const Limits& limits);
Expected<ast::List<ast::OrderTerm>> parse_order(std::string_view text, const Limits& limits);
Expected<ast::List<ast::String>> parse_name_list(std::string_view text, std::string_view what,
                                                 const Limits& limits);

// A key of the query string split into its dotted names: `actors.not.or` ->
// {actors, not, or}. `quoted` says which names were written in double quotes (a quoted
// `"order"` is a column, not the reserved key).
struct KeyPath {
  ast::List<ast::String> names;
  ast::List<bool> quoted;
  ast::List<ast::JsonStep> json_path;
};
Expected<KeyPath> parse_key(std::string_view text);

// Classifies and parses every parameter as PostgREST does (select, columns, on_conflict,
// [path.]order/limit/offset/and/or, everything else a filter).
// With `function_arguments` (GET/HEAD on /rpc), a parameter whose value does not parse
// as an operator expression is a function argument instead of a filter.
Expected<ast::Query> parse_query(const arena::Vector<decode::QueryParam>& params,
                                 const Limits& limits, bool function_arguments = false);
// The same into `query` (reset first): the tree is built in place, never moved.
Expected<bool> parse_query(const arena::Vector<decode::QueryParam>& params, const Limits& limits,
                           bool function_arguments, ast::Query& query);

// Removes the surrounding quotes of a quoted name and its backslash escapes; trims the
// spaces around an unquoted one.
ast::String unquote_name(std::string_view text);

}  // namespace pgrest::parse
