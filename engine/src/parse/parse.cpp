// Stage 2, parse: the grammars of grammar.hpp run with PEGTL actions that build the
// syntax tree (ast.hpp) while they match; there is no intermediate parse tree.
//
// PEGTL calls a rule's action as soon as that rule matches, even when an enclosing
// alternative fails afterwards and the input is rewound: in a select list `title` first
// matches as the name of an embed, which then finds no `(`, and is read again as a
// column. Two patterns keep such backtracked matches out of the result:
//  - a rule whose alternatives can fail after matching something (a select item, an
//    alias, an embed, a nested tree, a tree leaf, an order term and its `rel(col)`) gets
//    a state of its own through pegtl::change_states: the state is constructed when the
//    rule starts and committed into the enclosing state by success(), which PEGTL calls
//    only if the rule matched, so a failed attempt's state is simply dropped;
//  - every other action is on a rule that nothing backtracks past once it matched (a
//    JSON step after its arrow, a value after its operator's `.`, an `in` list element,
//    all under must<>), or on a whole rule whose text says everything (`.desc`, `::type`,
//    `.sum()`), or is overwritten by the alternative that finally matches (operators:
//    see set_operator).
// The names of a select item stay views into the input until the item commits, so the
// embed attempt every column makes allocates nothing.
//
// Every failure is a PGRST100 carrying the byte offset and what the grammar expected
// there (control::raise); nesting is bounded while parsing (control::start).
#include "parse/parse.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/errors.hpp"
#include "parse/grammar.hpp"

namespace pgrest::parse {

namespace {

namespace g = grammar;

// ------------------------------------------------------------------ errors and limits

// What a failed rule was expecting, for PostgREST-style details.
template <typename Rule>
constexpr std::string_view expectation() {
  using namespace pegtl;  // NOLINT
  if constexpr (std::is_same_v<Rule, eof>) {
    return "end of input";
  } else if constexpr (std::is_same_v<Rule, one<')'>>) {
    return "\")\"";
  } else if constexpr (std::is_same_v<Rule, one<'('>>) {
    return "\"(\"";
  } else if constexpr (std::is_same_v<Rule, g::name>) {
    return "a name";
  } else if constexpr (std::is_same_v<Rule, g::cast_type>) {
    return "a type name (letters, digits, _ and spaces)";
  } else if constexpr (std::is_same_v<Rule, g::select_item>) {
    return "a column, an embedded resource or *";
  } else if constexpr (std::is_same_v<Rule, g::filter_expr>) {
    return "\"not\" or an operator (eq, gt, in, is, like, fts, ...)";
  } else if constexpr (std::is_same_v<Rule, g::tree_expr>) {
    return "\"not\" or an operator (eq, gt, in, is, like, fts, ...)";
  } else if constexpr (std::is_same_v<Rule, g::is_value>) {
    return "null, not_null, true, false or unknown";
  } else if constexpr (std::is_same_v<Rule, g::in_list>) {
    return "a list in parentheses";
  } else if constexpr (std::is_same_v<Rule, g::tree_items>) {
    return "a filter (column.operator.value), and(...) or or(...)";
  } else if constexpr (std::is_same_v<Rule, g::order_term>) {
    return "a column, optionally followed by .asc/.desc and .nullsfirst/.nullslast";
  } else if constexpr (std::is_same_v<Rule, g::key_path>) {
    return "a column name";
  } else if constexpr (std::is_same_v<Rule, g::json_index> ||
                       std::is_same_v<Rule, pegtl::sor<g::json_index, g::json_key>>) {
    return "a JSON key or array index";
  } else {
    return "valid syntax";
  }
}

// Nesting of embeds (`children`) and nested logic trees, counted while parsing so the
// recursive-descent parser can never recurse deeper than Limits::max_nesting, whatever
// quotes or parentheses the input holds. Per thread: parses run on the calling thread.
struct NestingBudget {
  size_t depth = 0;
  size_t limit = 0;
};
thread_local NestingBudget nesting_budget;

struct nesting_exceeded {};

template <typename Rule>
constexpr bool kNests =
    std::is_same_v<Rule, g::children_body> || std::is_same_v<Rule, g::nested_tree_body>;

// Raises with the expectation text instead of PEGTL's demangled rule name, and enforces
// the nesting budget.
template <typename Rule>
struct control : pegtl::normal<Rule> {
  template <typename Input, typename... States>
  static void start(const Input& /*in*/, States&&... /*unused*/) {
    if constexpr (kNests<Rule>) {
      if (++nesting_budget.depth > nesting_budget.limit) throw nesting_exceeded{};
    }
  }
  template <typename Input, typename... States>
  static void success(const Input& /*in*/, States&&... /*unused*/) noexcept {
    if constexpr (kNests<Rule>) --nesting_budget.depth;
  }
  template <typename Input, typename... States>
  static void failure(const Input& /*in*/, States&&... /*unused*/) noexcept {
    if constexpr (kNests<Rule>) --nesting_budget.depth;
  }
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    throw pegtl::parse_error(std::string(expectation<Rule>()), in);
  }
};

std::string describe_failure(std::string_view text, size_t offset, std::string_view expected) {
  std::string details = "unexpected ";
  if (offset >= text.size()) {
    details += "end of input";
  } else {
    details += '"';
    // Show one whole UTF-8 character.
    size_t length = 1;
    const auto lead = static_cast<unsigned char>(text[offset]);
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    details += text.substr(offset, length);
    details += '"';
  }
  details += " expecting ";
  details += expected;
  return details;
}

// ------------------------------------------------------------------ text and lists

std::string_view trim_spaces(std::string_view text) {
  const size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(' ');
  return text.substr(begin, end - begin + 1);
}

ast::String unescape_quoted(std::string_view quoted) {
  ast::String out;
  out.reserve(quoted.size());
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 2 < quoted.size()) ++i;
    out += quoted[i];
  }
  return out;
}

// Number of list items separated by top-level commas, to bound list sizes before
// building anything.
size_t rough_item_count(std::string_view text) {
  size_t count = 1;
  for (const char c : text) count += c == ',' ? 1 : 0;
  return count;
}

// A parameter's list is reserved from its rough count, capped because the count is only
// an upper bound (commas of nested lists and quoted values count too). Nested lists
// (embed children, nested trees) reserve a few items with their first one.
constexpr size_t kMaxReserve = 64;
constexpr size_t kNestedReserve = 4;

template <typename T>
void reserve_for(ast::List<T>& items, std::string_view text) {
  if (!text.empty()) items.reserve(std::min(rough_item_count(text), kMaxReserve));
}

template <typename T, typename U>
T& append(ast::List<T>& items, U&& item) {
  if (items.capacity() == 0) items.reserve(kNestedReserve);
  return items.emplace_back(std::forward<U>(item));
}

// ------------------------------------------------------------------ parse states
//
// The state an action receives is the innermost change_states scope (or the parse's own
// state); each action calls what that state offers. Every state holding a field or a key
// has json_path() and step_as_text: `->>` sets the flag for the step that follows.

constexpr size_t kNoConflict = SIZE_MAX;

// The select parameter's list.
struct SelectList {
  ast::List<ast::SelectItem> items;
  size_t conflict = kNoConflict;  // offset of the first conflicting embed option
};

// The column or relation as written (unquoted when the item commits; in an embed or a
// spread, later names are embed options, read by action<embed_option>), and what only
// embeds and spreads have.
struct ItemParts {
  std::string_view name;
  ast::String hint;
  ast::JoinType join = ast::JoinType::unspecified;
  ast::List<ast::SelectItem> children;
  size_t conflict = kNoConflict;  // offset of the first conflicting embed option

  void on_name(std::string_view text) {
    if (name.data() == nullptr) name = text;
  }
};

// One attempt at an embed_item. Every column makes one, so it holds only the parts.
struct EmbedBuilder : ItemParts {};

// One select item.
struct ItemBuilder : ItemParts {
  ast::SelectItem item;  // without the parts until it commits
  bool step_as_text = false;

  ast::List<ast::JsonStep>& json_path() { return item.field.json_path; }
};

struct AliasBuilder {
  std::string_view name;
  void on_name(std::string_view text) { name = text; }
};

struct FilterBuilder {
  ast::OpExpr expr;
  bool value_quoted = false;  // the `in` list element just read was a quoted token
  ast::OpExpr& op_expr() { return expr; }
  void on_not() { expr.negated = true; }
};

// A tree leaf, `field.op.value`.
struct ConditionBuilder {
  ast::Condition condition;
  bool step_as_text = false;
  bool value_quoted = false;  // the value or `in` list element just read was quoted

  void on_name(std::string_view text) { condition.field.name = unquote_name(text); }
  ast::List<ast::JsonStep>& json_path() { return condition.field.json_path; }
  ast::OpExpr& op_expr() { return condition.expr; }
  void on_not() { condition.expr.negated = true; }
};

struct TreeBuilder {
  ast::LogicTree tree;
  void on_not() { tree.negated = true; }
};

struct OrderList {
  ast::List<ast::OrderTerm> terms;
};

struct TermBuilder {
  ast::OrderTerm term;
  bool step_as_text = false;

  void on_name(std::string_view text) { term.field.name = unquote_name(text); }
  ast::List<ast::JsonStep>& json_path() { return term.field.json_path; }
};

// `rel(field)` in an order term: the first name is the relation.
struct RelatedBuilder {
  std::string_view relation;
  ast::Field field;
  bool step_as_text = false;

  void on_name(std::string_view text) {
    if (relation.data() == nullptr) {
      relation = text;
    } else {
      field.name = unquote_name(text);
    }
  }
  ast::List<ast::JsonStep>& json_path() { return field.json_path; }
};

struct NameList {
  ast::List<ast::String> names;
  void on_name(std::string_view text) { names.push_back(unquote_name(text)); }
};

// A key's names as written (views into the key), unquoted only where parse_query needs
// them.
struct KeyScratch {
  ast::List<std::string_view> names;
  ast::List<ast::JsonStep> path;
  bool step_as_text = false;

  void on_name(std::string_view text) { names.push_back(text); }
  ast::List<ast::JsonStep>& json_path() { return path; }
  void clear() {
    names.clear();
    path.clear();
    step_as_text = false;
  }
};

// ------------------------------------------------------------------ actions

template <typename Rule>
struct action : pegtl::nothing<Rule> {};

// names and JSON paths

template <>
struct action<g::name> {
  template <typename Input, typename State>
  static void apply(const Input& in, State& state) {
    state.on_name(in.string_view());
  }
};

template <>
struct action<g::arrow_text> {
  template <typename State>
  static void apply0(State& state) {
    state.step_as_text = true;
  }
};

template <typename State>
void add_json_step(State& state, bool is_index, ast::String key) {
  state.json_path().push_back(ast::JsonStep{state.step_as_text, is_index, std::move(key)});
  state.step_as_text = false;
}

template <>
struct action<g::json_index> {
  template <typename Input, typename State>
  static void apply(const Input& in, State& state) {
    add_json_step(state, true, ast::String(in.string_view()));
  }
};

template <>
struct action<g::json_key> {
  template <typename Input, typename State>
  static void apply(const Input& in, State& state) {
    add_json_step(state, false, unquote_name(in.string_view()));
  }
};

// select

void finish_item(ItemBuilder& built) {
  ast::SelectItem& item = built.item;
  if (built.name.data() != nullptr) item.field.name = unquote_name(built.name);
  item.hint = std::move(built.hint);
  item.join = built.join;
  item.children = std::move(built.children);
}

// Each select item builds in a scope of its own: a list drops an item that does not match
// at all, and a named item tries an alias and an embed before it settles.
template <>
struct action<g::select_item> : pegtl::change_states<ItemBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, ItemBuilder& built, SelectList& list) {
    list.conflict = std::min(list.conflict, built.conflict);
    finish_item(built);
    list.items.push_back(std::move(built.item));
  }
  // An item of an embed's or a spread's children.
  template <typename Input>
  static void success(const Input& /*in*/, ItemBuilder& built, ItemParts& parent) {
    parent.conflict = std::min(parent.conflict, built.conflict);
    finish_item(built);
    append(parent.children, std::move(built.item));
  }
};

// `a::int` first matches `a:` as an alias, which then fails on the second `:`.
template <>
struct action<g::alias> : pegtl::change_states<AliasBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, AliasBuilder& alias, ItemBuilder& item) {
    item.item.alias = unquote_name(alias.name);
  }
};

// Every column is first tried as an embed: `title` matches the embed's name and then
// finds no `(`. Only a complete embed replaces the item (keeping its alias).
template <>
struct action<g::embed_item> : pegtl::change_states<EmbedBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, EmbedBuilder& embed, ItemBuilder& item) {
    item.item.kind = ast::SelectItem::Kind::embed;
    static_cast<ItemParts&>(item) = std::move(embed);  // the item had only an alias so far
  }
};

template <>
struct action<g::star_item> {
  static void apply0(ItemBuilder& built) { built.item.kind = ast::SelectItem::Kind::star; }
};

template <>
struct action<g::spread_mark> {
  static void apply0(ItemBuilder& built) { built.item.kind = ast::SelectItem::Kind::spread; }
};

// `count()::int`: the cast (read by action<g::cast>) applies to the aggregate.
template <>
struct action<g::count_item> {
  static void apply0(ItemBuilder& built) {
    ast::SelectItem& item = built.item;
    item.kind = ast::SelectItem::Kind::count;
    item.aggregate = "count";
    item.aggregate_cast = std::move(item.cast);
    item.cast.clear();
  }
};

// `::type`, `.sum()` and `.sum()::type` say everything in their text. The action is on the
// whole aggregate because `.sum` alone matches aggregate_name and then fails.
template <>
struct action<g::cast> {
  template <typename Input>
  static void apply(const Input& in, ItemBuilder& built) {
    built.item.cast = in.string_view().substr(2);
  }
};

template <>
struct action<g::aggregate_cast> {
  template <typename Input>
  static void apply(const Input& in, ItemBuilder& built) {
    built.item.aggregate_cast = in.string_view().substr(2);
  }
};

template <>
struct action<g::aggregate> {
  template <typename Input>
  static void apply(const Input& in, ItemBuilder& built) {
    const std::string_view text = in.string_view();
    built.item.aggregate = text.substr(1, text.find('(') - 1);
  }
};

// At most one hint and one join type. A conflict is only recorded here: it becomes the
// error once the whole parameter has parsed (a syntax error wins), at the offset of the
// first conflicting option in the text.
template <>
struct action<g::embed_option> {
  template <typename Input>
  static void apply(const Input& in, ItemParts& parts) {
    ast::String value = unquote_name(in.string_view().substr(1));
    const bool is_join = value == "inner" || value == "left";
    if (is_join ? parts.join != ast::JoinType::unspecified : !parts.hint.empty()) {
      const auto offset = static_cast<size_t>(in.begin() - in.input().begin());
      parts.conflict = std::min(parts.conflict, offset);
      return;
    }
    if (value == "inner") {
      parts.join = ast::JoinType::inner;
    } else if (value == "left") {
      parts.join = ast::JoinType::left;
    } else {
      parts.hint = std::move(value);
    }
  }
};

// operators and values

template <>
struct action<g::not_prefix> {
  template <typename State>
  static void apply0(State& state) {
    state.on_not();
  }
};

// The operator word is the first thing every alternative of grammar::operation matches,
// and all that follows the alternative's `.` is under must<>. So an alternative that
// failed can only have left an operator, quantifier or language behind, and the next
// operator word clears them.
void set_operator(ast::OpExpr& expr, ast::Operator op) {
  expr.op = op;
  expr.quantifier = ast::Quantifier::none;
  expr.language.reset();
}

template <ast::Operator Op>
struct operator_action {
  template <typename State>
  static void apply0(State& state) {
    set_operator(state.op_expr(), Op);
  }
};

template <>
struct action<g::op_eq> : operator_action<ast::Operator::eq> {};
template <>
struct action<g::op_neq> : operator_action<ast::Operator::neq> {};
template <>
struct action<g::op_gt> : operator_action<ast::Operator::gt> {};
template <>
struct action<g::op_gte> : operator_action<ast::Operator::gte> {};
template <>
struct action<g::op_lt> : operator_action<ast::Operator::lt> {};
template <>
struct action<g::op_lte> : operator_action<ast::Operator::lte> {};
template <>
struct action<g::op_like> : operator_action<ast::Operator::like> {};
template <>
struct action<g::op_ilike> : operator_action<ast::Operator::ilike> {};
template <>
struct action<g::op_match> : operator_action<ast::Operator::match> {};
template <>
struct action<g::op_imatch> : operator_action<ast::Operator::imatch> {};
template <>
struct action<g::op_is> : operator_action<ast::Operator::is> {};
template <>
struct action<g::op_isdistinct> : operator_action<ast::Operator::isdistinct> {};
template <>
struct action<g::op_fts> : operator_action<ast::Operator::fts> {};
template <>
struct action<g::op_plfts> : operator_action<ast::Operator::plfts> {};
template <>
struct action<g::op_phfts> : operator_action<ast::Operator::phfts> {};
template <>
struct action<g::op_wfts> : operator_action<ast::Operator::wfts> {};
template <>
struct action<g::op_cs> : operator_action<ast::Operator::cs> {};
template <>
struct action<g::op_cd> : operator_action<ast::Operator::cd> {};
template <>
struct action<g::op_ov> : operator_action<ast::Operator::ov> {};
template <>
struct action<g::op_sl> : operator_action<ast::Operator::sl> {};
template <>
struct action<g::op_sr> : operator_action<ast::Operator::sr> {};
template <>
struct action<g::op_nxr> : operator_action<ast::Operator::nxr> {};
template <>
struct action<g::op_nxl> : operator_action<ast::Operator::nxl> {};
template <>
struct action<g::op_adj> : operator_action<ast::Operator::adj> {};

// `in`: the list is reserved from the commas before the first `)` (a guess: quoted
// elements may hold either).
template <>
struct action<g::op_in> {
  template <typename Input, typename State>
  static void apply(const Input& in, State& state) {
    ast::OpExpr& expr = state.op_expr();
    set_operator(expr, ast::Operator::in);
    std::string_view rest(in.end(), static_cast<size_t>(in.input().end() - in.end()));
    rest = rest.substr(0, rest.find(')'));
    expr.list.reserve(std::min(rough_item_count(rest), kMaxReserve));
  }
};

template <>
struct action<g::quant_any> {
  template <typename State>
  static void apply0(State& state) {
    state.op_expr().quantifier = ast::Quantifier::any;
  }
};

template <>
struct action<g::quant_all> {
  template <typename State>
  static void apply0(State& state) {
    state.op_expr().quantifier = ast::Quantifier::all;
  }
};

// `(language)`
template <>
struct action<g::fts_language> {
  template <typename Input, typename State>
  static void apply(const Input& in, State& state) {
    const std::string_view text = in.string_view();
    state.op_expr().language.emplace(text.substr(1, text.size() - 2));
  }
};

template <ast::IsValue Value>
struct is_value_action {
  template <typename State>
  static void apply0(State& state) {
    state.op_expr().is_value = Value;
  }
};

template <>
struct action<g::is_null> : is_value_action<ast::IsValue::null> {};
template <>
struct action<g::is_not_null> : is_value_action<ast::IsValue::not_null> {};
template <>
struct action<g::is_true> : is_value_action<ast::IsValue::true_> {};
template <>
struct action<g::is_false> : is_value_action<ast::IsValue::false_> {};
template <>
struct action<g::is_unknown> : is_value_action<ast::IsValue::unknown> {};

// In a plain filter the value is the rest of the input, verbatim.
template <>
struct action<g::single_value> {
  template <typename Input>
  static void apply(const Input& in, FilterBuilder& filter) {
    filter.expr.value = in.string_view();
  }
};

// A value inside a logic tree or an `in` list loses its quotes and escapes only when the
// grammar read it as a quoted token: quoted_value / quoted_element matched, which ends
// tree_value / list_element. Anything else (even `"a"b"`) is verbatim.
template <>
struct action<g::quoted_value> {
  static void apply0(ConditionBuilder& leaf) { leaf.value_quoted = true; }
};

template <>
struct action<g::quoted_element> {
  template <typename State>
  static void apply0(State& state) {
    state.value_quoted = true;
  }
};

template <typename State>
ast::String take_value(State& state, std::string_view text) {
  if (!state.value_quoted) return ast::String(text);
  state.value_quoted = false;
  return unescape_quoted(text);
}

template <>
struct action<g::tree_value> {
  template <typename Input>
  static void apply(const Input& in, ConditionBuilder& leaf) {
    leaf.condition.expr.value = take_value(leaf, in.string_view());
  }
};

template <>
struct action<g::list_element> {
  template <typename Input, typename State>
  static void apply(const Input& in, State& state) {
    state.op_expr().list.push_back(take_value(state, in.string_view()));
  }
};

// logic trees

template <>
struct action<g::kw_and> {
  static void apply0(TreeBuilder& tree) { tree.tree.is_or = false; }
};

template <>
struct action<g::kw_or> {
  static void apply0(TreeBuilder& tree) { tree.tree.is_or = true; }
};

// Every tree item is first tried as a nested tree: `and.eq.1` (a column named `and`)
// matches `and` and then finds no `(`.
template <>
struct action<g::nested_tree> : pegtl::change_states<TreeBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, TreeBuilder& nested, TreeBuilder& parent) {
    append(parent.tree.items, ast::Condition{}).tree =
        std::make_unique<ast::LogicTree>(std::move(nested.tree));
  }
};

// A leaf's field and expression build a Condition of their own, appended once complete.
template <>
struct action<g::tree_leaf> : pegtl::change_states<ConditionBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, ConditionBuilder& leaf, TreeBuilder& parent) {
    append(parent.tree.items, std::move(leaf.condition));
  }
};

// order

// An order term builds in a scope of its own and is appended once complete.
template <>
struct action<g::order_term> : pegtl::change_states<TermBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, TermBuilder& term, OrderList& list) {
    list.terms.push_back(std::move(term.term));
  }
};

// Every term is first tried as `rel(col)`: `year.desc` matches `year` and finds no `(`.
template <>
struct action<g::related_field> : pegtl::change_states<RelatedBuilder> {
  template <typename Input>
  static void success(const Input& /*in*/, RelatedBuilder& related, TermBuilder& term) {
    term.term.relation = unquote_name(related.relation);
    term.term.field = std::move(related.field);
  }
};

// `.asc`/`.desc` and `.nullsfirst`/`.nullslast`: on the whole rule, because `.descx`
// matches `desc` and then fails at term_end (which consumes nothing).
template <>
struct action<g::direction> {
  template <typename Input>
  static void apply(const Input& in, TermBuilder& term) {
    term.term.direction = in.string_view() == ".asc" ? ast::Direction::asc : ast::Direction::desc;
  }
};

template <>
struct action<g::nulls_order> {
  template <typename Input>
  static void apply(const Input& in, TermBuilder& term) {
    term.term.nulls = in.string_view() == ".nullsfirst" ? ast::Nulls::first : ast::Nulls::last;
  }
};

// ------------------------------------------------------------------ running a grammar

// The parameter's own string is the input: no copy. Lazy tracking: only an error needs a
// position, and its byte offset is all that is reported.
using TextInput = pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf_crlf, const char*>;

// Parses `text` with `Rule` into `states`; on failure returns PGRST100 naming `what`
// (e.g. "select parameter") with the offset and the expectation.
template <typename Rule, typename... States>
std::optional<Error> run(std::string_view text, std::string_view what, size_t max_nesting,
                         States&... states) {
  TextInput input(text.data(), text.size(), "");
  nesting_budget = NestingBudget{0, max_nesting};
  try {
    if (pegtl::parse<Rule, action, control>(input, states...)) return std::nullopt;
    return errors::parse_failure(what, text, 0, describe_failure(text, 0, "valid syntax"));
  } catch (const nesting_exceeded&) {
    return errors::limit_exceeded("The " + std::string(what) + " nests deeper than " +
                                  std::to_string(max_nesting) + " levels");
  } catch (const pegtl::parse_error& error) {
    const size_t offset = error.positions().empty() ? 0 : error.positions().front().byte;
    return errors::parse_failure(what, text, offset,
                                 describe_failure(text, offset, error.message()));
  }
}

std::optional<Error> parse_key_into(std::string_view text, KeyScratch& key) {
  key.clear();
  return run<g::key_param>(text, "filter", SIZE_MAX, key);
}

bool written_quoted(std::string_view raw) {
  return !raw.empty() && raw.front() == '"';
}

// A name of a key is reserved (`order`, `not`, ...) unless written in quotes.
bool is_reserved(std::string_view raw, std::string_view word) {
  return !written_quoted(raw) && trim_spaces(raw) == word;
}

ast::List<ast::String> embed_path_of(const KeyScratch& key, size_t count) {
  ast::List<ast::String> path;
  if (count == 0) return path;
  path.reserve(count);
  for (size_t i = 0; i < count; ++i) path.push_back(unquote_name(key.names[i]));
  return path;
}

ast::ScopedRange& range_for(ast::Query& query, ast::List<ast::String> path) {
  for (auto& range : query.ranges) {
    if (range.embed_path == path) return range;
  }
  auto& range = query.ranges.emplace_back();
  range.embed_path = std::move(path);
  return range;
}

Error range_error(std::string_view what) {
  return errors::make(416, "PGRST103", "Requested range not satisfiable", std::string(what));
}

}  // namespace

ast::String unquote_name(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return unescape_quoted(text);
  }
  return ast::String(trim_spaces(text));
}

Expected<ast::List<ast::SelectItem>> parse_select(std::string_view text, const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The select parameter has too many items");
  }
  SelectList list;
  reserve_for(list.items, text);
  if (auto error = run<g::select_param>(text, "select parameter", limits.max_nesting, list)) {
    return std::move(*error);
  }
  if (list.conflict != kNoConflict) {
    return errors::parse_failure("select parameter", text, list.conflict,
                                 "an embedded resource takes at most one hint and one join "
                                 "type (!inner or !left)");
  }
  return std::move(list.items);
}

Expected<ast::OpExpr> parse_filter_expr(std::string_view text) {
  FilterBuilder filter;
  if (auto error = run<g::filter_param>(text, "filter", SIZE_MAX, filter)) {
    return std::move(*error);
  }
  return std::move(filter.expr);
}

Expected<ast::LogicTree> parse_logic_tree(std::string_view text, bool negated, bool is_or,
                                          const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The logic tree has too many items");
  }
  // The tree's own parentheses are not a nested_tree; every and(...)/or(...) inside is.
  TreeBuilder root;
  root.tree.negated = negated;
  root.tree.is_or = is_or;
  reserve_for(root.tree.items, text);
  if (auto error = run<g::logic_param>(text, "logic tree", limits.max_nesting, root)) {
    return std::move(*error);
  }
  return std::move(root.tree);
}

Expected<ast::List<ast::OrderTerm>> parse_order(std::string_view text, const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The order parameter has too many items");
  }
  OrderList list;
  reserve_for(list.terms, text);
  if (auto error = run<g::order_param>(text, "order", SIZE_MAX, list)) return std::move(*error);
  return std::move(list.terms);
}

Expected<ast::List<ast::String>> parse_name_list(std::string_view text, std::string_view what,
                                                 const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The " + std::string(what) + " parameter has too many items");
  }
  NameList list;
  reserve_for(list.names, text);
  if (auto error = run<g::name_list_param>(text, what, SIZE_MAX, list)) return std::move(*error);
  return std::move(list.names);
}

Expected<KeyPath> parse_key(std::string_view text) {
  KeyScratch scratch;
  if (auto error = parse_key_into(text, scratch)) return std::move(*error);
  KeyPath key;
  key.names.reserve(scratch.names.size());
  key.quoted.reserve(scratch.names.size());
  for (const std::string_view raw : scratch.names) {
    key.names.push_back(unquote_name(raw));
    key.quoted.push_back(written_quoted(raw));
  }
  key.json_path = std::move(scratch.path);
  return key;
}

Expected<ast::Query> parse_query(const arena::Vector<decode::QueryParam>& params,
                                 const Limits& limits, bool function_arguments) {
  ast::Query query;
  auto parsed = parse_query(params, limits, function_arguments, query);
  if (!parsed) return std::move(parsed.error());
  return query;
}

Expected<bool> parse_query(const arena::Vector<decode::QueryParam>& params, const Limits& limits,
                           bool function_arguments, ast::Query& query) {
  query = ast::Query{};
  // Reused from one key to the next (parse_key_into clears it). Not kept across
  // translations: its lists live in the translation's arena.
  KeyScratch key;
  for (size_t index = 0; index < params.size(); ++index) {
    const decode::QueryParam& param = params[index];
    // Exact reserved keys first; their first occurrence wins, as in PostgREST.
    if (param.key == "select") {
      if (query.select || !param.value) continue;
      auto items = parse_select(*param.value, limits);
      if (!items) return std::move(items.error());
      query.select = std::move(*items);
      continue;
    }
    if (param.key == "columns" || param.key == "on_conflict") {
      auto& target = param.key == "columns" ? query.columns : query.on_conflict;
      if (target || !param.value) continue;
      auto names = parse_name_list(*param.value, param.key, limits);
      if (!names) return std::move(names.error());
      target = std::move(*names);
      continue;
    }
    if (!param.value) continue;  // a bare key is ignored for everything else
    const ast::String& value = *param.value;

    if (auto error = parse_key_into(param.key, key)) return std::move(*error);
    const size_t last = key.names.size() - 1;
    const std::string_view last_name = key.names[last];
    if (key.path.empty()) {
      if (is_reserved(last_name, "order")) {
        auto terms = parse_order(value, limits);
        if (!terms) return std::move(terms.error());
        query.orders.push_back({embed_path_of(key, last), std::move(*terms)});
        continue;
      }
      if (is_reserved(last_name, "limit") || is_reserved(last_name, "offset")) {
        const std::string_view word = trim_spaces(last_name);
        const bool is_limit = word == "limit";
        // The grammar says what an integer is; from_chars converts it and catches overflow.
        int64_t number = 0;
        pegtl::memory_input<> digits(value.data(), value.size(), "limit");
        const bool syntax_ok = pegtl::parse<g::integer_param>(digits);
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (!syntax_ok || ec != std::errc() || end != value.data() + value.size()) {
          return range_error("The " + std::string(word) + " parameter must be an integer");
        }
        if (number < 0) {
          return range_error(is_limit ? "Limit should be greater than or equal to zero"
                                      : "Offset should be greater than or equal to zero");
        }
        auto& range = range_for(query, embed_path_of(key, last));
        (is_limit ? range.limit : range.offset) = number;
        continue;
      }
      if (is_reserved(last_name, "and") || is_reserved(last_name, "or")) {
        // A `not` segment may stand anywhere before the operator: `not.actors.or`,
        // `actors.not.or`; every other segment is the embed path.
        const bool is_or = trim_spaces(last_name) == "or";
        bool negated = false;
        ast::List<ast::String> path;
        for (size_t i = 0; i < last; ++i) {
          if (is_reserved(key.names[i], "not")) {
            negated = true;
          } else {
            path.push_back(unquote_name(key.names[i]));
          }
        }
        auto tree = parse_logic_tree(value, negated, is_or, limits);
        if (!tree) return std::move(tree.error());
        query.logic.push_back({std::move(path), std::move(*tree)});
        continue;
      }
    }
    auto expr = parse_filter_expr(value);
    // GET /rpc/f: a parameter whose value is not an operator expression is an argument.
    if (!expr && function_arguments && key.names.size() == 1 && key.path.empty()) {
      query.arguments.emplace_back(unquote_name(key.names[0]), value);
      continue;
    }
    if (!expr) return std::move(expr.error());
    // The bound on list items holds for a plain filter's in-list as it does inside a
    // logic tree (where the whole tree's items are counted).
    if (expr->op == ast::Operator::in && expr->list.size() > limits.max_list_items) {
      return errors::limit_exceeded("The in list has too many items");
    }
    // Most queries have a few filters: one allocation for up to four.
    if (query.filters.capacity() == 0) {
      query.filters.reserve(std::min<size_t>(params.size() - index, kNestedReserve));
    }
    ast::Filter& filter = query.filters.emplace_back();
    filter.embed_path = embed_path_of(key, last);
    filter.field.name = unquote_name(last_name);
    filter.field.json_path = std::move(key.path);
    filter.expr = std::move(*expr);
  }
  return true;
}

}  // namespace pgrest::parse
