// Unit tests of the query-string grammars (parse/grammar.hpp) and of the syntax trees
// parse.cpp builds from them: select lists, filter expressions, logic trees, order
// lists, keys, name lists and the classification of whole query strings.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tao/pegtl/contrib/analyze.hpp>
#include <utility>
#include <vector>

#include "parse/ast.hpp"
#include "parse/grammar.hpp"
#include "parse/parse.hpp"
#include "parse/pegtl.hpp"

namespace {

using namespace pgrest;  // NOLINT

// ------------------------------------------------------------------ helpers

// Compact, exact renderings of syntax trees, so that tables can state whole results.

std::string Describe(const ast::Field& field) {
  std::string out(field.name);
  for (const ast::JsonStep& step : field.json_path) {
    out += step.as_text ? "->>" : "->";
    out += step.is_index ? "#" + std::string(step.key) : "'" + std::string(step.key) + "'";
  }
  return out;
}

std::string Describe(const ast::List<ast::SelectItem>& items);

std::string Describe(const ast::SelectItem& item) {
  std::string out;
  bool has_children = false;
  switch (item.kind) {
    case ast::SelectItem::Kind::star:
      out = "star";
      break;
    case ast::SelectItem::Kind::column:
      out = "column";
      break;
    case ast::SelectItem::Kind::count:
      out = "count";
      break;
    case ast::SelectItem::Kind::embed:
      out = "embed";
      has_children = true;
      break;
    case ast::SelectItem::Kind::spread:
      out = "spread";
      has_children = true;
      break;
  }
  std::vector<std::string> labels;
  const auto label = [&](std::string_view name, std::string_view value) {
    if (!value.empty()) labels.push_back(std::string(name) + "=" + std::string(value));
  };
  const std::string field = Describe(item.field);
  label("field", field);
  label("alias", item.alias);
  label("cast", item.cast);
  label("agg", item.aggregate);
  label("aggcast", item.aggregate_cast);
  label("hint", item.hint);
  if (item.join == ast::JoinType::inner) labels.emplace_back("join=inner");
  if (item.join == ast::JoinType::left) labels.emplace_back("join=left");
  out += "(";
  for (size_t i = 0; i < labels.size(); ++i) out += (i == 0 ? "" : " ") + labels[i];
  out += ")";
  if (has_children || !item.children.empty()) out += "[" + Describe(item.children) + "]";
  return out;
}

std::string Describe(const ast::List<ast::SelectItem>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + Describe(items[i]);
  return out;
}

constexpr std::string_view kOperatorNames[] = {
    "eq",     "neq", "gt", "gte",        "lt",  "lte",   "like",  "ilike", "match",
    "imatch", "in",  "is", "isdistinct", "fts", "plfts", "phfts", "wfts",  "cs",
    "cd",     "ov",  "sl", "sr",         "nxr", "nxl",   "adj"};

std::string_view OperatorName(ast::Operator op) {
  return kOperatorNames[static_cast<size_t>(op)];
}

std::string IsValueName(ast::IsValue value) {
  switch (value) {
    case ast::IsValue::null:
      return "null";
    case ast::IsValue::not_null:
      return "not_null";
    case ast::IsValue::true_:
      return "true";
    case ast::IsValue::false_:
      return "false";
    case ast::IsValue::unknown:
      return "unknown";
  }
  return "?";
}

std::string DescribeList(const ast::List<ast::String>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i)
    out += (i == 0 ? "'" : ",'") + std::string(list[i]) + "'";
  return out + "]";
}

// `not.eq(any) '{1,2}'`, `fts(english) 'cat'`, `in ['1',' 2']`, `is not_null`. State that
// does not belong to the operator (a value on `in`, a list on `eq`, ...) is appended
// with a `+` so that it shows up in a failing comparison.
std::string Describe(const ast::OpExpr& expr) {
  std::string out = expr.negated ? "not." : "";
  out += OperatorName(expr.op);
  if (expr.quantifier == ast::Quantifier::any) out += "(any)";
  if (expr.quantifier == ast::Quantifier::all) out += "(all)";
  if (expr.language) out += "(" + std::string(*expr.language) + ")";
  const bool is_in = expr.op == ast::Operator::in;
  const bool is_is = expr.op == ast::Operator::is;
  if (is_in) {
    out += " " + DescribeList(expr.list);
  } else if (is_is) {
    out += " " + IsValueName(expr.is_value);
  } else {
    out += " '" + std::string(expr.value) + "'";
  }
  if ((is_in || is_is) && !expr.value.empty()) out += " +value='" + std::string(expr.value) + "'";
  if (!is_in && !expr.list.empty()) out += " +list=" + DescribeList(expr.list);
  if (!is_is && expr.is_value != ast::IsValue::null) out += " +is=" + IsValueName(expr.is_value);
  return out;
}

std::string Describe(const ast::LogicTree& tree) {
  std::string out = tree.negated ? "not." : "";
  out += tree.is_or ? "or(" : "and(";
  for (size_t i = 0; i < tree.items.size(); ++i) {
    if (i > 0) out += ", ";
    const ast::Condition& condition = tree.items[i];
    if (condition.tree) {
      out += Describe(*condition.tree);
    } else {
      out += Describe(condition.field) + " " + Describe(condition.expr);
    }
  }
  return out + ")";
}

std::string Describe(const ast::List<ast::OrderTerm>& terms) {
  std::string out;
  for (size_t i = 0; i < terms.size(); ++i) {
    const ast::OrderTerm& term = terms[i];
    if (i > 0) out += ",";
    out += term.relation.empty() ? Describe(term.field)
                                 : std::string(term.relation) + "(" + Describe(term.field) + ")";
    if (term.direction == ast::Direction::asc) out += ".asc";
    if (term.direction == ast::Direction::desc) out += ".desc";
    if (term.nulls == ast::Nulls::first) out += ".nullsfirst";
    if (term.nulls == ast::Nulls::last) out += ".nullslast";
  }
  return out;
}

// Names joined with `|`, quoted ones as q{name}, then the JSON path.
std::string Describe(const parse::KeyPath& key) {
  std::string out;
  for (size_t i = 0; i < key.names.size(); ++i) {
    if (i > 0) out += "|";
    const bool quoted = i < key.quoted.size() && key.quoted[i];
    out += quoted ? "q{" + key.names[i] + "}" : key.names[i];
  }
  ast::Field path;
  path.json_path = key.json_path;
  return out + Describe(path);
}

std::string ParseFailureMessage(std::string_view what, std::string_view text, size_t column) {
  return "\"failed to parse " + std::string(what) + " (" + std::string(text) +
         ")\" (line 1, column " + std::to_string(column) + ")";
}

// One rejected input: where (1-based column, as in the message) and what was found there
// (`"x"` with its quotes, or `end of input`).
struct Rejection {
  std::string input;
  size_t column;
  std::string unexpected;
};

template <typename T>
void ExpectParseFailure(const Expected<T>& result, std::string_view what, const Rejection& row) {
  ASSERT_FALSE(result.ok());
  const Error& error = result.error();
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.code, "PGRST100");
  EXPECT_EQ(error.message, ParseFailureMessage(what, row.input, row.column));
  ASSERT_TRUE(error.details.has_value());
  const std::string prefix = "unexpected " + row.unexpected + " expecting ";
  EXPECT_EQ(error.details->substr(0, prefix.size()), prefix) << *error.details;
}

template <typename T>
void ExpectLimitExceeded(const Expected<T>& result, std::string_view details) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 400);
  EXPECT_EQ(result.error().code, "PGRX101");
  EXPECT_EQ(result.error().message, "Request exceeds a limit");
  EXPECT_EQ(result.error().details.value_or(""), details);
}

std::string Repeat(std::string_view text, size_t count) {
  std::string out;
  out.reserve(text.size() * count);
  for (size_t i = 0; i < count; ++i) out += text;
  return out;
}

// `(` + depth-1 nested `and(` + a leaf: `depth` levels of parentheses in all.
std::string NestedTree(size_t depth) {
  return "(" + Repeat("and(", depth - 1) + "a.eq.1" + Repeat(")", depth - 1) + ")";
}

// `r(r(...(a)...))` with `depth` embeds.
std::string NestedEmbeds(size_t depth) {
  return Repeat("r(", depth) + "a" + Repeat(")", depth);
}

const Limits kLimits{};

// ------------------------------------------------------------------ grammar analysis

TEST(GrammarAnalyze, SelectParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::select_param>(), 0u);
}

TEST(GrammarAnalyze, FilterParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::filter_param>(), 0u);
}

TEST(GrammarAnalyze, LogicParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::logic_param>(), 0u);
}

TEST(GrammarAnalyze, OrderParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::order_param>(), 0u);
}

TEST(GrammarAnalyze, KeyParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::key_param>(), 0u);
}

TEST(GrammarAnalyze, NameListParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::name_list_param>(), 0u);
}

TEST(GrammarAnalyze, IntegerParamHasNoIssues) {
  EXPECT_EQ(pegtl::analyze<grammar::integer_param>(), 0u);
}

// ------------------------------------------------------------------ select

TEST(GrammarSelect, AcceptedLists) {
  const std::pair<std::string, std::string> cases[] = {
      {"*", "star()"},
      {"", ""},
      {"id,title", "column(field=id), column(field=title)"},
      {" id , title ", "column(field=id), column(field=title)"},
      {"a,\tb", "column(field=a), column(field=b)"},
      {"a,*", "column(field=a), star()"},
      {"t:title", "column(field=title alias=t)"},
      {"\"a\\\"b\"", "column(field=a\"b)"},
      {"\"a\\\\b\"", "column(field=a\\b)"},
      {"x:\"a,b\"", "column(field=a,b alias=x)"},
      {"\"a:b\":c", "column(field=c alias=a:b)"},
      {"first name", "column(field=first name)"},
      {"na\xC3\xAFve", "column(field=na\xC3\xAFve)"},
      {"first-name", "column(field=first-name)"},
      {"$x_1", "column(field=$x_1)"},
      {"year::text", "column(field=year cast=text)"},
      {"x:year::double precision", "column(field=year alias=x cast=double precision)"},
      {"a b::x y", "column(field=a b cast=x y)"},
      {"data->a->>b", "column(field=data->'a'->>'b')"},
      {"data->0", "column(field=data->#0)"},
      {"data->-1", "column(field=data->#-1)"},
      {"data->>-1", "column(field=data->>#-1)"},
      {"data->phones->0->>number", "column(field=data->'phones'->#0->>'number')"},
      {"data->0::int", "column(field=data->#0 cast=int)"},
      {"data->0x", "column(field=data->'0x')"},
      {"data->\"a b\"", "column(field=data->'a b')"},
      {"data->\"k.y\"", "column(field=data->'k.y')"},
      {"x:data->>a::int", "column(field=data->>'a' alias=x cast=int)"},
      {"count()", "count(agg=count)"},
      {"c:count()::int", "count(alias=c agg=count aggcast=int)"},
      {"count", "column(field=count)"},
      {"amount.sum()", "column(field=amount agg=sum)"},
      {"amount.avg()::int", "column(field=amount agg=avg aggcast=int)"},
      {"amount.max()", "column(field=amount agg=max)"},
      {"amount.min()", "column(field=amount agg=min)"},
      {"amount.count()", "column(field=amount agg=count)"},
      {"a::int.sum()", "column(field=a cast=int agg=sum)"},
      {"t:a->b.sum()::text", "column(field=a->'b' alias=t agg=sum aggcast=text)"},
      {"actors(name)", "embed(field=actors)[column(field=name)]"},
      {"actors(*)", "embed(field=actors)[star()]"},
      {"alias:rel!hint!inner(a,b(c))",
       "embed(field=rel alias=alias hint=hint join=inner)[column(field=a), "
       "embed(field=b)[column(field=c)]]"},
      {"rel!inner!hint(a)", "embed(field=rel hint=hint join=inner)[column(field=a)]"},
      {"rel!left(*)", "embed(field=rel join=left)[star()]"},
      {"rel!\"fk,x\"(a)", "embed(field=rel hint=fk,x)[column(field=a)]"},
      {"...directors(name)", "spread(field=directors)[column(field=name)]"},
      {"...rel!fk!inner(a)", "spread(field=rel hint=fk join=inner)[column(field=a)]"},
      {"rel()", "embed(field=rel)[]"},
      {"\"a\"(b)", "embed(field=a)[column(field=b)]"},
      {"a:\"b\"!\"c d\"(e)", "embed(field=b alias=a hint=c d)[column(field=e)]"},
      {"rel( a , b )", "embed(field=rel)[column(field=a), column(field=b)]"},
      {"id,actors(id,roles(*)),...d(n)",
       "column(field=id), embed(field=actors)[column(field=id), embed(field=roles)[star()]], "
       "spread(field=d)[column(field=n)]"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE("select=" + input);
    const auto result = parse::parse_select(input, kLimits);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarSelect, Rejections) {
  const Rejection cases[] = {
      {"id,,", 4, "\",\""},         {"id,", 4, "end of input"},      {"(", 1, "\"(\""},
      {"a::", 4, "end of input"},   {"a::int;drop", 7, "\";\""},     {"a::\"x\"", 4, "\"\"\""},
      {"a:::int", 4, "\":\""},      {"a::int::text", 7, "\":\""},    {"a::x  y", 7, "\"y\""},
      {"a::int)", 7, "\")\""},      {"rel(a", 6, "end of input"},    {"rel(a,", 7, "end of input"},
      {"...", 4, "end of input"},   {"...x", 5, "end of input"},     {"x:...r(a)", 1, "\"x\""},
      {"rel!(a)", 5, "\"(\""},      {"a.nope()", 2, "\".\""},        {"a.sum", 2, "\".\""},
      {"r(a)::int", 5, "\":\""},    {"data->", 7, "end of input"},   {"data->>", 8, "end of input"},
      {"data->>-78xy", 8, "\"-\""}, {"\"unterminated", 1, "\"\"\""}, {"a:b:c", 4, "\":\""},
      {"!x", 1, "\"!\""},           {"rel->x(a)", 7, "\"(\""},       {"*!hint", 2, "\"!\""},
      {"name!hint", 5, "\"!\""},    {"*::int", 2, "\":\""},          {"x:*", 1, "\"x\""},
      {"a::int(b)", 7, "\"(\""},
  };
  for (const Rejection& row : cases) {
    SCOPED_TRACE("select=" + row.input);
    ExpectParseFailure(parse::parse_select(row.input, kLimits), "select parameter", row);
  }
}

TEST(GrammarSelect, FailureDetailsNameTheExpectation) {
  const std::pair<std::string, std::string> cases[] = {
      {"a::", "unexpected end of input expecting a type name (letters, digits, _ and spaces)"},
      {"id,", "unexpected end of input expecting a column, an embedded resource or *"},
      {"rel(a", "unexpected end of input expecting \")\""},
      {"...", "unexpected end of input expecting a name"},
      {"data->", "unexpected end of input expecting a JSON key or array index"},
      {"a::int;drop", "unexpected \";\" expecting end of input"},
  };
  for (const auto& [input, details] : cases) {
    SCOPED_TRACE("select=" + input);
    const auto result = parse::parse_select(input, kLimits);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().details.value_or(""), details);
  }
}

TEST(GrammarSelect, NestingLimit) {
  // A select list has no parentheses of its own: exactly max_nesting embed levels pass.
  const size_t limit = kLimits.max_nesting;
  const auto at_limit = parse::parse_select(NestedEmbeds(limit), kLimits);
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  size_t depth = 0;
  const ast::SelectItem* item = &at_limit->front();
  while (item->kind == ast::SelectItem::Kind::embed) {
    ++depth;
    ASSERT_EQ(item->children.size(), 1u);
    item = &item->children.front();
  }
  EXPECT_EQ(depth, limit);
  EXPECT_EQ(Describe(*item), "column(field=a)");

  ExpectLimitExceeded(
      parse::parse_select(NestedEmbeds(limit + 2), kLimits),
      "The select parameter nests deeper than " + std::to_string(limit) + " levels");
}

// Regression: max_nesting + 1 embed levels used to be accepted.
TEST(GrammarSelect, NestingOneOverTheLimitIsRefused) {
  const size_t limit = kLimits.max_nesting;
  ExpectLimitExceeded(
      parse::parse_select(NestedEmbeds(limit + 1), kLimits),
      "The select parameter nests deeper than " + std::to_string(limit) + " levels");
}

TEST(GrammarSelect, VeryDeepNestingIsRefusedQuickly) {
  const std::string deep = NestedEmbeds(100000);
  const auto start = std::chrono::steady_clock::now();
  const auto result = parse::parse_select(deep, kLimits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ExpectLimitExceeded(result, "The select parameter nests deeper than 32 levels");
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(GrammarSelect, TooManyItems) {
  Limits limits;
  limits.max_list_items = 3;
  ASSERT_TRUE(parse::parse_select("a,b,c", limits).ok());
  ExpectLimitExceeded(parse::parse_select("a,b,c,d", limits),
                      "The select parameter has too many items");
}

// Inventory §1.2: at most two `!` options, one hint and one join type.
TEST(GrammarSelect, MoreThanTwoEmbedOptionsAreRefused) {
  for (const char* select : {"rel!a!b!c(x)", "rel!a!b(x)", "rel!inner!left(x)"}) {
    SCOPED_TRACE(select);
    const auto result = parse::parse_select(select, kLimits);
    ASSERT_FALSE(result.ok()) << Describe(*result);
    EXPECT_EQ(result.error().code, "PGRST100");
  }
  const auto both = parse::parse_select("rel!left!fk(x)", kLimits);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->front().hint, "fk");
  EXPECT_EQ(both->front().join, ast::JoinType::left);
}

// Inventory §1.2: a relation name is never the word count.
TEST(GrammarSelect, CountIsNotARelationName) {
  const auto result = parse::parse_select("count(a)", kLimits);
  ASSERT_FALSE(result.ok()) << Describe(*result);
  EXPECT_EQ(result.error().code, "PGRST100");
}

// ------------------------------------------------------------------ filter expressions

TEST(GrammarFilter, EveryOperator) {
  const std::pair<std::string, std::string> cases[] = {
      {"eq.1", "eq '1'"},
      {"neq.1", "neq '1'"},
      {"gt.1", "gt '1'"},
      {"gte.1", "gte '1'"},
      {"lt.1", "lt '1'"},
      {"lte.1", "lte '1'"},
      {"like.a*", "like 'a*'"},
      {"ilike.a*", "ilike 'a*'"},
      {"match.^a", "match '^a'"},
      {"imatch.^a", "imatch '^a'"},
      {"in.(1,2)", "in ['1','2']"},
      {"is.null", "is null"},
      {"isdistinct.1", "isdistinct '1'"},
      {"fts.cat", "fts 'cat'"},
      {"plfts.cat", "plfts 'cat'"},
      {"phfts.cat", "phfts 'cat'"},
      {"wfts.cat", "wfts 'cat'"},
      {"cs.{1,2}", "cs '{1,2}'"},
      {"cd.{1}", "cd '{1}'"},
      {"ov.[1,2)", "ov '[1,2)'"},
      {"sl.(1,2)", "sl '(1,2)'"},
      {"sr.x", "sr 'x'"},
      {"nxr.x", "nxr 'x'"},
      {"nxl.x", "nxl 'x'"},
      {"adj.x", "adj 'x'"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarFilter, NegationEveryOperator) {
  const std::pair<std::string, std::string> cases[] = {
      {"not.eq.1", "not.eq '1'"},
      {"not.neq.1", "not.neq '1'"},
      {"not.gt.1", "not.gt '1'"},
      {"not.gte.1", "not.gte '1'"},
      {"not.lt.1", "not.lt '1'"},
      {"not.lte.1", "not.lte '1'"},
      {"not.like.a", "not.like 'a'"},
      {"not.ilike.a", "not.ilike 'a'"},
      {"not.match.a", "not.match 'a'"},
      {"not.imatch.a", "not.imatch 'a'"},
      {"not.in.(a)", "not.in ['a']"},
      {"not.is.not_null", "not.is not_null"},
      {"not.isdistinct.1", "not.isdistinct '1'"},
      {"not.fts.a", "not.fts 'a'"},
      {"not.plfts(simple).a b", "not.plfts(simple) 'a b'"},
      {"not.phfts.a", "not.phfts 'a'"},
      {"not.wfts.a", "not.wfts 'a'"},
      {"not.cs.a", "not.cs 'a'"},
      {"not.cd.a", "not.cd 'a'"},
      {"not.ov.a", "not.ov 'a'"},
      {"not.sl.a", "not.sl 'a'"},
      {"not.sr.a", "not.sr 'a'"},
      {"not.nxr.a", "not.nxr 'a'"},
      {"not.nxl.a", "not.nxl 'a'"},
      {"not.adj.a", "not.adj 'a'"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarFilter, QuantifiersAndLanguages) {
  const std::pair<std::string, std::string> cases[] = {
      {"eq(any).{1,2}", "eq(any) '{1,2}'"},
      {"eq(all).{1,2}", "eq(all) '{1,2}'"},
      {"gt(any).{1}", "gt(any) '{1}'"},
      {"gte(all).{1}", "gte(all) '{1}'"},
      {"lt(any).{1}", "lt(any) '{1}'"},
      {"lte(all).{1}", "lte(all) '{1}'"},
      {"like(any).{a*}", "like(any) '{a*}'"},
      {"ilike(all).{a*}", "ilike(all) '{a*}'"},
      {"match(any).{^a}", "match(any) '{^a}'"},
      {"imatch(all).{^a}", "imatch(all) '{^a}'"},
      {"not.eq(any).{1}", "not.eq(any) '{1}'"},
      {"fts(english).cat", "fts(english) 'cat'"},
      {"plfts(simple).cat", "plfts(simple) 'cat'"},
      {"phfts(german).a b", "phfts(german) 'a b'"},
      {"wfts(english).\"a b\" -c", "wfts(english) '\"a b\" -c'"},
      {"fts(any).x", "fts(any) 'x'"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarFilter, IsValuesAreCaseInsensitive) {
  const std::pair<std::string, std::string> cases[] = {
      {"is.null", "is null"},         {"is.NULL", "is null"},
      {"is.Null", "is null"},         {"is.not_null", "is not_null"},
      {"is.Not_Null", "is not_null"}, {"is.NOT_NULL", "is not_null"},
      {"is.true", "is true"},         {"is.TRUE", "is true"},
      {"is.false", "is false"},       {"is.False", "is false"},
      {"is.unknown", "is unknown"},   {"is.UNKNOWN", "is unknown"},
      {"not.is.null", "not.is null"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarFilter, ValuesAreVerbatim) {
  const std::pair<std::string, std::string> cases[] = {
      {"eq.\"a,b\"", "eq '\"a,b\"'"},
      {"eq.", "eq ''"},
      {"eq.a.b", "eq 'a.b'"},
      {"eq.)", "eq ')'"},
      {"eq.(", "eq '('"},
      {"eq.,", "eq ','"},
      {"eq.%", "eq '%'"},
      {"eq.*", "eq '*'"},
      {"eq. x ", "eq ' x '"},
      {"eq.na\xC3\xAFve", "eq 'na\xC3\xAFve'"},
      {"eq.\\\"", "eq '\\\"'"},
      {"eq.not.eq.1", "eq 'not.eq.1'"},
      {"like.*a%b*", "like '*a%b*'"},
      {"isdistinct.", "isdistinct ''"},
      {"cs.", "cs ''"},
      {"fts(english).", "fts(english) ''"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarFilter, InLists) {
  const std::pair<std::string, std::string> cases[] = {
      {"in.(1,2)", "in ['1','2']"},
      {"in.(1, 2)", "in ['1',' 2']"},
      {"in.(\"a,b\",\"c\\\"d\")", "in ['a,b','c\"d']"},
      {"in.()", "in ['']"},
      {"in.(,)", "in ['','']"},
      {"in.( )", "in ['']"},
      {"in.(\"\")", "in ['']"},
      {"in.(\"a)b\")", "in ['a)b']"},
      {"in.(\"a\")", "in ['a']"},
      {"in.(\"a\"x)", "in ['\"a\"x']"},
      {"in.(\"a)", "in ['\"a']"},
      {"in.(a,\"b)", "in ['a','\"b']"},
      {"in. ( a , b ) ", "in ['a ',' b ']"},
      {"in.(na\xC3\xAFve,%,*)", "in ['na\xC3\xAFve','%','*']"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

// Regression: a list element or tree value that is *not* a quoted token (the quoted
// alternative failed, so it was read as a plain value) but happens to start and end with
// `"` is unquoted anyway, because parse.cpp re-derives "quoted" from the text instead of
// from the rule that matched. PostgREST keeps such values verbatim (inventory §1.2:
// list-el = quoted only if followed by "," or ")").
TEST(GrammarFilter, PlainListElementsWithOuterQuotesStayVerbatim) {
  const std::pair<std::string, std::string> cases[] = {
      {"in.(\"a\"b\")", "in ['\"a\"b\"']"},
      {"in.(\"\\\")", "in ['\"\\\"']"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarFilter, Rejections) {
  const Rejection cases[] = {
      {"noop.1", 1, "\"n\""},
      {"eq", 1, "\"e\""},
      {"EQ.1", 1, "\"E\""},
      {"is.nope", 4, "\"n\""},
      {"is.", 4, "end of input"},
      {"is.nullx", 8, "\"x\""},
      {"in.1", 4, "\"1\""},
      {"in.(a", 6, "end of input"},
      {"in.", 4, "end of input"},
      {"in.(a)(b)", 7, "\"(\""},
      {"in.(a)x", 7, "\"x\""},
      {"neq(any).1", 4, "\"(\""},
      {"cs(any).x", 3, "\"(\""},
      {"eq(some).1", 1, "\"e\""},
      {"isdistinct(any).x", 1, "\"i\""},
      {"fts().x", 1, "\"f\""},
      {"", 1, "end of input"},
      {"not.", 5, "end of input"},
      {"not.noop", 5, "\"n\""},
      {"not.not.eq.1", 5, "\"n\""},
      {" eq.1", 1, "\" \""},
      {"\xC3\xB1oop.1", 1, "\"\xC3\xB1\""},
  };
  for (const Rejection& row : cases) {
    SCOPED_TRACE(row.input);
    ExpectParseFailure(parse::parse_filter_expr(row.input), "filter", row);
  }
}

TEST(GrammarFilter, FailureDetailsNameTheExpectation) {
  const std::pair<std::string, std::string> cases[] = {
      {"noop.1",
       "unexpected \"n\" expecting \"not\" or an operator (eq, gt, in, is, like, fts, ...)"},
      {"is.nope", "unexpected \"n\" expecting null, not_null, true, false or unknown"},
      {"in.1", "unexpected \"1\" expecting a list in parentheses"},
      {"in.(a", "unexpected end of input expecting \")\""},
      {"is.nullx", "unexpected \"x\" expecting end of input"},
  };
  for (const auto& [input, details] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_filter_expr(input);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().details.value_or(""), details);
  }
}

// ------------------------------------------------------------------ logic trees

TEST(GrammarLogic, AcceptedTrees) {
  const std::pair<std::string, std::string> cases[] = {
      {"(a.eq.1,b.gt.2)", "and(a eq '1', b gt '2')"},
      {"(a.eq.1,and(b.eq.2,or(c.is.null,d.not.eq.3)))",
       "and(a eq '1', and(b eq '2', or(c is null, d not.eq '3')))"},
      {"(a.eq.1,not.and(b.eq.2,c.eq.3))", "and(a eq '1', not.and(b eq '2', c eq '3'))"},
      {"(not.or(a.eq.1))", "and(not.or(a eq '1'))"},
      {"(and(a.eq.1))", "and(and(a eq '1'))"},
      {"(or (a.eq.1))", "and(or(a eq '1'))"},
      {"(a.eq.\"x,y)\")", "and(a eq 'x,y)')"},
      {"(a.eq.\"q\\\"x\")", "and(a eq 'q\"x')"},
      {"(a.eq.\"\")", "and(a eq '')"},
      {"(a.eq.x\"y\")", "and(a eq 'x\"y\"')"},
      {"(a.eq.)", "and(a eq '')"},
      {"(tags.cs.{a,b})", "and(tags cs '{a,b}')"},
      {"(tags.cs.{a,b},b.eq.1)", "and(tags cs '{a,b}', b eq '1')"},
      {"(r.ov.\"[1,2)\")", "and(r ov '[1,2)')"},
      {"(id.in.(1,2),b.eq.3)", "and(id in ['1','2'], b eq '3')"},
      {"(a.not.in.(\"a,b\",c))", "and(a not.in ['a,b','c'])"},
      {"(data->>a.eq.1)", "and(data->>'a' eq '1')"},
      {"(data->0.eq.1)", "and(data->#0 eq '1')"},
      {"(data->a->>b.is.true)", "and(data->'a'->>'b' is true)"},
      {"(a.eq.1, b.eq.2)", "and(a eq '1', b eq '2')"},
      {"(a.eq.1,\tb.eq.2)", "and(a eq '1', b eq '2')"},
      {" ( a.eq.1 , b.eq.2 ) ", "and(a eq '1 ', b eq '2 ')"},
      {"(a.eq(any).{1,2})", "and(a eq(any) '{1,2}')"},
      {"(a.fts(english).cat)", "and(a fts(english) 'cat')"},
      {"(\"a.b\".eq.1)", "and(a.b eq '1')"},
      {"(a-b.eq.1)", "and(a-b eq '1')"},
      {"(a.eq.na\xC3\xAFve)", "and(a eq 'na\xC3\xAFve')"},
      {"(a.eq.x.y)", "and(a eq 'x.y')"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_logic_tree(input, false, false, kLimits);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarLogic, RootFlagsComeFromTheKey) {
  const struct {
    bool negated;
    bool is_or;
    std::string expected;
  } cases[] = {
      {false, false, "and(a eq '1')"},
      {false, true, "or(a eq '1')"},
      {true, false, "not.and(a eq '1')"},
      {true, true, "not.or(a eq '1')"},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.expected);
    const auto result = parse::parse_logic_tree("(a.eq.1)", row.negated, row.is_or, kLimits);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), row.expected);
  }
}

// Regression (see GrammarFilter.PlainListElementsWithOuterQuotesStayVerbatim).
TEST(GrammarLogic, PlainTreeValuesWithOuterQuotesStayVerbatim) {
  const auto result = parse::parse_logic_tree("(a.eq.\"x\"y\")", false, false, kLimits);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(Describe(*result), "and(a eq '\"x\"y\"')");
}

TEST(GrammarLogic, Rejections) {
  const Rejection cases[] = {
      {"a.eq.1", 1, "\"a\""},
      {"", 1, "end of input"},
      {"(a.eq.1", 8, "end of input"},
      {"(a.eq.1,)", 9, "\")\""},
      {"()", 2, "\")\""},
      {"(a)", 3, "\")\""},
      {"(,a.eq.1)", 2, "\",\""},
      {"(a.zz.1)", 4, "\"z\""},
      {"(a.eq.1))", 9, "\")\""},
      {"(and(a.eq.1)", 13, "end of input"},
      {"(and())", 6, "\")\""},
      {"(xor(a.eq.1))", 5, "\"(\""},
      {"(not.xor(a.eq.1))", 6, "\"x\""},
      {"(a.b.eq.1)", 4, "\"b\""},
      {"(a.eq.{1,2)", 11, "\")\""},
  };
  for (const Rejection& row : cases) {
    SCOPED_TRACE(row.input);
    ExpectParseFailure(parse::parse_logic_tree(row.input, false, false, kLimits), "logic tree",
                       row);
  }
}

TEST(GrammarLogic, NestingLimit) {
  const size_t limit = kLimits.max_nesting;
  // The tree's own parentheses plus max_nesting nested trees.
  const auto at_limit = parse::parse_logic_tree(NestedTree(limit + 1), false, false, kLimits);
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message;
  size_t depth = 0;
  const ast::LogicTree* tree = &*at_limit;
  while (tree->items.size() == 1 && tree->items.front().tree) {
    ++depth;
    tree = tree->items.front().tree.get();
  }
  EXPECT_EQ(depth, limit);
  EXPECT_EQ(Describe(*tree), "and(a eq '1')");

  ExpectLimitExceeded(parse::parse_logic_tree(NestedTree(limit + 2), false, false, kLimits),
                      "The logic tree nests deeper than " + std::to_string(limit) + " levels");
}

TEST(GrammarLogic, VeryDeepNestingIsRefusedQuickly) {
  const std::string deep = NestedTree(100000);
  const auto start = std::chrono::steady_clock::now();
  const auto result = parse::parse_logic_tree(deep, false, true, kLimits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ExpectLimitExceeded(result, "The logic tree nests deeper than 32 levels");
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(GrammarLogic, ParenthesesInsideQuotesDoNotCountAsNesting) {
  const std::string value = "\"" + Repeat("(", 100) + "\"";
  const auto result = parse::parse_logic_tree("(a.eq." + value + ")", false, false, kLimits);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(Describe(*result), "and(a eq '" + Repeat("(", 100) + "')");
}

// Regression (found by review): a stray `"` in a plain value used to hide later
// parentheses from a textual pre-scan, and 100000 levels then overflowed the stack.
// Nesting is now counted by the parser itself.
TEST(GrammarLogic, StrayQuoteInPlainValueDoesNotBypassNestingLimit) {
  const std::string tree = "(a.eq.x\"," + Repeat("and(", 40) + "b.eq.1" + Repeat(")", 40) + ")";
  ExpectLimitExceeded(parse::parse_logic_tree(tree, false, false, kLimits),
                      "The logic tree nests deeper than 32 levels");
  const std::string in_list =
      "(a.in.(x\")," + Repeat("and(", 40) + "b.eq.1" + Repeat(")", 40) + ")";
  ExpectLimitExceeded(parse::parse_logic_tree(in_list, false, false, kLimits),
                      "The logic tree nests deeper than 32 levels");
  const std::string deep =
      "(a.eq.x\"," + Repeat("and(", 100000) + "b.eq.1" + Repeat(")", 100000) + ")";
  ExpectLimitExceeded(parse::parse_logic_tree(deep, false, false, kLimits),
                      "The logic tree nests deeper than 32 levels");
}

TEST(GrammarLogic, TooManyItems) {
  Limits limits;
  limits.max_list_items = 2;
  ASSERT_TRUE(parse::parse_logic_tree("(a.eq.1,b.eq.2)", false, false, limits).ok());
  ExpectLimitExceeded(parse::parse_logic_tree("(a.eq.1,b.eq.2,c.eq.3)", false, false, limits),
                      "The logic tree has too many items");
}

// ------------------------------------------------------------------ order

TEST(GrammarOrder, AcceptedTerms) {
  const std::pair<std::string, std::string> cases[] = {
      {"a", "a"},
      {"a.desc", "a.desc"},
      {"a.asc", "a.asc"},
      {"a.asc.nullslast", "a.asc.nullslast"},
      {"a.desc.nullsfirst", "a.desc.nullsfirst"},
      {"a.nullsfirst", "a.nullsfirst"},
      {"a.nullslast", "a.nullslast"},
      {"a,b.desc,c->>d.asc", "a,b.desc,c->>'d'.asc"},
      {" a , b ", "a,b"},
      {"a->0.desc", "a->#0.desc"},
      {"\"a.b\".asc", "a.b.asc"},
      {"a b.desc", "a b.desc"},
      {"rel(col).desc", "rel(col).desc"},
      {"rel(data->x).asc.nullslast", "rel(data->'x').asc.nullslast"},
      {"name,clients(name),id", "name,clients(name),id"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE("order=" + input);
    const auto result = parse::parse_order(input, kLimits);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarOrder, Rejections) {
  const Rejection cases[] = {
      {"a.sideways", 2, "\".\""},
      {"a.desc.desc", 7, "\".\""},
      {"a.descx", 2, "\".\""},
      {"a.nullslast.desc", 12, "\".\""},
      {"a.asc.nullsfirst.x", 17, "\".\""},
      {",", 1, "\",\""},
      {"", 1, "end of input"},
      {"a,", 3, "end of input"},
      {"rel(c", 6, "end of input"},
  };
  for (const Rejection& row : cases) {
    SCOPED_TRACE("order=" + row.input);
    ExpectParseFailure(parse::parse_order(row.input, kLimits), "order", row);
  }
}

TEST(GrammarOrder, TooManyTerms) {
  Limits limits;
  limits.max_list_items = 2;
  ASSERT_TRUE(parse::parse_order("a,b", limits).ok());
  ExpectLimitExceeded(parse::parse_order("a,b,c", limits),
                      "The order parameter has too many items");
}

// ------------------------------------------------------------------ keys and name lists

TEST(GrammarKey, AcceptedKeys) {
  const std::pair<std::string, std::string> cases[] = {
      {"col", "col"},
      {"\"order\"", "q{order}"},
      {"actors.name", "actors|name"},
      {"actors.not.or", "actors|not|or"},
      {"actors.\"limit\"", "actors|q{limit}"},
      {"\"a.b\".c", "q{a.b}|c"},
      {"data->a->>b", "data->'a'->>'b'"},
      {"a.b->0", "a|b->#0"},
      {"x->\"k.y\"", "x->'k.y'"},
      {"a b", "a b"},
      {"first-name", "first-name"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto result = parse::parse_key(input);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->names.size(), result->quoted.size());
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(GrammarKey, Rejections) {
  const Rejection cases[] = {
      {"", 1, "end of input"}, {"a.", 2, "\".\""},         {".a", 1, "\".\""},
      {"a,b", 2, "\",\""},     {"a->", 4, "end of input"}, {"a(b)", 2, "\"(\""},
  };
  for (const Rejection& row : cases) {
    SCOPED_TRACE(row.input);
    ExpectParseFailure(parse::parse_key(row.input), "filter", row);
  }
}

TEST(GrammarNameList, AcceptedLists) {
  const std::pair<std::string, ast::List<ast::String>> cases[] = {
      {"a", {"a"}},
      {"a,b", {"a", "b"}},
      {" a , \"b,c\" ", {"a", "b,c"}},
      {"a-b,first name", {"a-b", "first name"}},
      {"\"x\\\"y\"", {"x\"y"}},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    const auto columns = parse::parse_name_list(input, "columns", kLimits);
    ASSERT_TRUE(columns.ok()) << columns.error().message;
    EXPECT_EQ(*columns, expected);
    const auto on_conflict = parse::parse_name_list(input, "on_conflict", kLimits);
    ASSERT_TRUE(on_conflict.ok()) << on_conflict.error().message;
    EXPECT_EQ(*on_conflict, expected);
  }
}

TEST(GrammarNameList, Rejections) {
  const Rejection cases[] = {
      {"", 1, "end of input"}, {"a,", 3, "end of input"}, {"a->b", 2, "\"-\""},
      {"a(b)", 2, "\"(\""},    {"a.b", 2, "\".\""},
  };
  for (const Rejection& row : cases) {
    SCOPED_TRACE(row.input);
    ExpectParseFailure(parse::parse_name_list(row.input, "on_conflict", kLimits), "on_conflict",
                       row);
  }
}

TEST(GrammarNameList, TooManyNames) {
  Limits limits;
  limits.max_list_items = 2;
  ASSERT_TRUE(parse::parse_name_list("a,b", "columns", limits).ok());
  ExpectLimitExceeded(parse::parse_name_list("a,b,c", "columns", limits),
                      "The columns parameter has too many items");
}

TEST(GrammarUnquoteName, Cases) {
  const std::pair<std::string, std::string> cases[] = {
      {"abc", "abc"},
      {"  abc  ", "abc"},
      {" a b ", "a b"},
      {"   ", ""},
      {"", ""},
      {"\"abc\"", "abc"},
      {"\" abc \"", " abc "},
      {"\"\"", ""},
      {"\"a\\\"b\"", "a\"b"},
      {"\"a\\\\b\"", "a\\b"},
      {"\"a\\xb\"", "axb"},
      {"\"a,b.c\"", "a,b.c"},
      {"\"", "\""},
      {"na\xC3\xAFve", "na\xC3\xAFve"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(parse::unquote_name(input), expected);
  }
}

// ------------------------------------------------------------------ parse_query

using Params = arena::Vector<decode::QueryParam>;

decode::QueryParam P(std::string key, std::optional<std::string> value) {
  decode::QueryParam param;
  param.key = key;
  if (value) param.value.emplace(*value);
  return param;
}

ast::Query ParseQueryOk(const Params& params) {
  auto result = parse::parse_query(params, kLimits);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  return std::move(*result);
}

using Path = ast::List<ast::String>;

TEST(GrammarQuery, EmptyQuery) {
  const ast::Query query = ParseQueryOk({});
  EXPECT_FALSE(query.select.has_value());
  EXPECT_FALSE(query.columns.has_value());
  EXPECT_FALSE(query.on_conflict.has_value());
  EXPECT_TRUE(query.filters.empty());
  EXPECT_TRUE(query.logic.empty());
  EXPECT_TRUE(query.orders.empty());
  EXPECT_TRUE(query.ranges.empty());
}

TEST(GrammarQuery, SelectColumnsOnConflictFirstOccurrenceWins) {
  const ast::Query query = ParseQueryOk({
      P("select", "a"),
      P("columns", "x,y"),
      P("on_conflict", "k"),
      P("select", "b,c"),
      P("columns", "z"),
      P("on_conflict", "l,m"),
  });
  ASSERT_TRUE(query.select.has_value());
  EXPECT_EQ(Describe(*query.select), "column(field=a)");
  ASSERT_TRUE(query.columns.has_value());
  EXPECT_EQ(*query.columns, (Path{"x", "y"}));
  ASSERT_TRUE(query.on_conflict.has_value());
  EXPECT_EQ(*query.on_conflict, (Path{"k"}));
  EXPECT_TRUE(query.filters.empty());
}

TEST(GrammarQuery, EmptySelectIsPresentButEmpty) {
  const ast::Query query = ParseQueryOk({P("select", "")});
  ASSERT_TRUE(query.select.has_value());
  EXPECT_TRUE(query.select->empty());
}

TEST(GrammarQuery, BareReservedKeysAreSkipped) {
  const ast::Query query = ParseQueryOk({
      P("select", std::nullopt),
      P("columns", std::nullopt),
      P("select", "b"),
      P("columns", "c"),
  });
  ASSERT_TRUE(query.select.has_value());
  EXPECT_EQ(Describe(*query.select), "column(field=b)");
  ASSERT_TRUE(query.columns.has_value());
  EXPECT_EQ(*query.columns, (Path{"c"}));
  EXPECT_FALSE(query.on_conflict.has_value());
}

TEST(GrammarQuery, BareKeysAreIgnored) {
  const ast::Query query = ParseQueryOk({
      P("id", std::nullopt),
      P("order", std::nullopt),
      P("limit", std::nullopt),
      P("or", std::nullopt),
      P("a", "eq.1"),
  });
  ASSERT_EQ(query.filters.size(), 1u);
  EXPECT_EQ(query.filters[0].field.name, "a");
  EXPECT_TRUE(query.orders.empty());
  EXPECT_TRUE(query.ranges.empty());
  EXPECT_TRUE(query.logic.empty());
}

TEST(GrammarQuery, OrdersGoToTheirScope) {
  const ast::Query query = ParseQueryOk({
      P("order", "a.desc"),
      P("actors.order", "b"),
      P("roles.actors.order", "c.asc.nullslast"),
  });
  ASSERT_EQ(query.orders.size(), 3u);
  EXPECT_EQ(query.orders[0].embed_path, Path{});
  EXPECT_EQ(Describe(query.orders[0].terms), "a.desc");
  EXPECT_EQ(query.orders[1].embed_path, Path{"actors"});
  EXPECT_EQ(Describe(query.orders[1].terms), "b");
  EXPECT_EQ(query.orders[2].embed_path, (Path{"roles", "actors"}));
  EXPECT_EQ(Describe(query.orders[2].terms), "c.asc.nullslast");
  EXPECT_TRUE(query.filters.empty());
}

TEST(GrammarQuery, LimitsAndOffsetsMergePerScope) {
  const ast::Query query = ParseQueryOk({
      P("limit", "10"),
      P("offset", "5"),
      P("actors.limit", "3"),
      P("roles.actors.offset", "2"),
      P("roles.actors.limit", "0"),
  });
  ASSERT_EQ(query.ranges.size(), 3u);
  EXPECT_EQ(query.ranges[0].embed_path, Path{});
  EXPECT_EQ(query.ranges[0].limit, std::optional<int64_t>(10));
  EXPECT_EQ(query.ranges[0].offset, std::optional<int64_t>(5));
  EXPECT_EQ(query.ranges[1].embed_path, Path{"actors"});
  EXPECT_EQ(query.ranges[1].limit, std::optional<int64_t>(3));
  EXPECT_EQ(query.ranges[1].offset, std::nullopt);
  EXPECT_EQ(query.ranges[2].embed_path, (Path{"roles", "actors"}));
  EXPECT_EQ(query.ranges[2].limit, std::optional<int64_t>(0));
  EXPECT_EQ(query.ranges[2].offset, std::optional<int64_t>(2));
}

TEST(GrammarQuery, LogicTreesGoToTheirScope) {
  const ast::Query query = ParseQueryOk({
      P("and", "(a.eq.1)"),
      P("or", "(b.eq.2,c.eq.3)"),
      P("not.or", "(d.eq.4)"),
      P("actors.not.and", "(e.eq.5)"),
      P("roles.actors.or", "(f.eq.6)"),
  });
  ASSERT_EQ(query.logic.size(), 5u);
  EXPECT_EQ(query.logic[0].embed_path, Path{});
  EXPECT_EQ(Describe(query.logic[0].tree), "and(a eq '1')");
  EXPECT_EQ(query.logic[1].embed_path, Path{});
  EXPECT_EQ(Describe(query.logic[1].tree), "or(b eq '2', c eq '3')");
  EXPECT_EQ(query.logic[2].embed_path, Path{});
  EXPECT_EQ(Describe(query.logic[2].tree), "not.or(d eq '4')");
  EXPECT_EQ(query.logic[3].embed_path, Path{"actors"});
  EXPECT_EQ(Describe(query.logic[3].tree), "not.and(e eq '5')");
  EXPECT_EQ(query.logic[4].embed_path, (Path{"roles", "actors"}));
  EXPECT_EQ(Describe(query.logic[4].tree), "or(f eq '6')");
  EXPECT_TRUE(query.filters.empty());
}

// Inventory §1.2: a `not` segment may appear anywhere in a logic key.
TEST(GrammarQuery, NotSegmentAnywhereInLogicKey) {
  const ast::Query query = ParseQueryOk({P("not.actors.or", "(a.eq.1)")});
  ASSERT_EQ(query.logic.size(), 1u);
  EXPECT_EQ(query.logic[0].embed_path, Path{"actors"});
  EXPECT_EQ(Describe(query.logic[0].tree), "not.or(a eq '1')");
}

TEST(GrammarQuery, FiltersCarryPathFieldAndExpression) {
  const ast::Query query = ParseQueryOk({
      P("id", "eq.1"),
      P("actors.name", "not.like.A*"),
      P("data->a->>b", "is.null"),
      P("roles.actors.tags", "cs.{a,b}"),
  });
  ASSERT_EQ(query.filters.size(), 4u);
  EXPECT_EQ(query.filters[0].embed_path, Path{});
  EXPECT_EQ(Describe(query.filters[0].field), "id");
  EXPECT_EQ(Describe(query.filters[0].expr), "eq '1'");
  EXPECT_EQ(query.filters[1].embed_path, Path{"actors"});
  EXPECT_EQ(Describe(query.filters[1].field), "name");
  EXPECT_EQ(Describe(query.filters[1].expr), "not.like 'A*'");
  EXPECT_EQ(query.filters[2].embed_path, Path{});
  EXPECT_EQ(Describe(query.filters[2].field), "data->'a'->>'b'");
  EXPECT_EQ(Describe(query.filters[2].expr), "is null");
  EXPECT_EQ(query.filters[3].embed_path, (Path{"roles", "actors"}));
  EXPECT_EQ(Describe(query.filters[3].field), "tags");
  EXPECT_EQ(Describe(query.filters[3].expr), "cs '{a,b}'");
}

TEST(GrammarQuery, QuotedReservedWordsAreFilters) {
  const ast::Query query = ParseQueryOk({
      P("\"order\"", "eq.1"),
      P("\"limit\"", "eq.2"),
      P("\"offset\"", "eq.3"),
      P("\"or\"", "eq.4"),
      P("actors.\"and\"", "eq.5"),
      P("order->a", "eq.6"),
  });
  EXPECT_TRUE(query.orders.empty());
  EXPECT_TRUE(query.ranges.empty());
  EXPECT_TRUE(query.logic.empty());
  ASSERT_EQ(query.filters.size(), 6u);
  const std::pair<Path, std::string> expected[] = {
      {{}, "order eq '1'"}, {{}, "limit eq '2'"},       {{}, "offset eq '3'"},
      {{}, "or eq '4'"},    {{"actors"}, "and eq '5'"}, {{}, "order->'a' eq '6'"},
  };
  for (size_t i = 0; i < query.filters.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(query.filters[i].embed_path, expected[i].first);
    EXPECT_EQ(Describe(query.filters[i].field) + " " + Describe(query.filters[i].expr),
              expected[i].second);
  }
}

TEST(GrammarQuery, BadLimitsAndOffsetsAreRangeErrors) {
  const std::pair<Params, std::string> cases[] = {
      {{P("limit", "-1")}, "Limit should be greater than or equal to zero"},
      {{P("offset", "-1")}, "Offset should be greater than or equal to zero"},
      {{P("actors.limit", "-5")}, "Limit should be greater than or equal to zero"},
      {{P("limit", "abc")}, "The limit parameter must be an integer"},
      {{P("limit", "")}, "The limit parameter must be an integer"},
      {{P("limit", "+5")}, "The limit parameter must be an integer"},
      {{P("limit", "5x")}, "The limit parameter must be an integer"},
      {{P("limit", "99999999999999999999")}, "The limit parameter must be an integer"},
      {{P("offset", "1.5")}, "The offset parameter must be an integer"},
  };
  for (const auto& [params, details] : cases) {
    SCOPED_TRACE(std::string(params[0].key) + "=" +
                 (params[0].value ? std::string(*params[0].value) : "<none>"));
    const auto result = parse::parse_query(params, kLimits);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 416);
    EXPECT_EQ(result.error().code, "PGRST103");
    EXPECT_EQ(result.error().message, "Requested range not satisfiable");
    EXPECT_EQ(result.error().details.value_or(""), details);
  }
}

TEST(GrammarQuery, ParseErrorsPropagate) {
  const struct {
    Params params;
    std::string message;
  } cases[] = {
      {{P("id", "")}, ParseFailureMessage("filter", "", 1)},
      {{P("id", "noop.1")}, ParseFailureMessage("filter", "noop.1", 1)},
      {{P("", "eq.1")}, ParseFailureMessage("filter", "", 1)},
      {{P("a,b", "eq.1")}, ParseFailureMessage("filter", "a,b", 2)},
      {{P("select", "id,")}, ParseFailureMessage("select parameter", "id,", 4)},
      {{P("order", "a.up")}, ParseFailureMessage("order", "a.up", 2)},
      {{P("or", "a.eq.1")}, ParseFailureMessage("logic tree", "a.eq.1", 1)},
      {{P("columns", "a,")}, ParseFailureMessage("columns", "a,", 3)},
      {{P("on_conflict", "")}, ParseFailureMessage("on_conflict", "", 1)},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.params[0].key + "=" + row.params[0].value.value_or("<none>"));
    const auto result = parse::parse_query(row.params, kLimits);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 400);
    EXPECT_EQ(result.error().code, "PGRST100");
    EXPECT_EQ(result.error().message, row.message);
  }
}

// max_list_items bounds a plain filter's in-list too, not only one inside or=(...).
TEST(GrammarQuery, InListsAreBoundedByMaxListItems) {
  Limits limits;
  limits.max_list_items = 3;
  ASSERT_TRUE(parse::parse_query({P("id", "in.(1,2,3)")}, limits).ok());
  ASSERT_TRUE(parse::parse_query({P("id", "not.in.(\"a,b\",c,d)")}, limits).ok());
  ASSERT_TRUE(parse::parse_query({P("title", "eq.a,b,c,d,e")}, limits).ok());
  ExpectLimitExceeded(parse::parse_query({P("id", "in.(1,2,3,4)")}, limits),
                      "The in list has too many items");
  ExpectLimitExceeded(parse::parse_query({P("roles.film_id", "not.in.(1,2,3,4)")}, limits),
                      "The in list has too many items");
  ExpectLimitExceeded(parse::parse_query({P("or", "(id.in.(1,2,3,4))")}, limits),
                      "The logic tree has too many items");
}

TEST(GrammarQuery, FirstErrorStopsParsing) {
  const auto result =
      parse::parse_query({P("a", "eq.1"), P("b", "zz.1"), P("limit", "-1")}, kLimits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "PGRST100");
  EXPECT_EQ(result.error().message, ParseFailureMessage("filter", "zz.1", 1));
}

}  // namespace
