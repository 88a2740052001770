#include "parse/parse.hpp"

#include <charconv>
#include <cstddef>
#include <memory>

#include "common/errors.hpp"
#include "parse/grammar.hpp"

namespace pgrest::parse {

namespace {

namespace g = grammar;
namespace pt = pegtl::parse_tree;

// Parse-tree nodes live in a per-thread bump arena: a translation makes dozens of them
// and discards each tree as soon as its syntax tree is built, so allocating them one by
// one from the heap was the largest single cost of parsing. Every parse_* function
// destroys its tree before returning, so the next parse may reset the arena.
class NodeArena {
 public:
  void* allocate(size_t size) {
    size = (size + kAlign - 1) & ~(kAlign - 1);
    if (blocks_.empty() || used_ + size > kBlockSize) {
      if (size > kBlockSize) {
        oversized_.push_back(std::make_unique<std::byte[]>(size));
        return oversized_.back().get();
      }
      if (next_block_ < blocks_.size()) {
        ++next_block_;
      } else {
        blocks_.push_back(std::make_unique<std::byte[]>(kBlockSize));
        next_block_ = blocks_.size();
      }
      used_ = 0;
    }
    void* memory = blocks_[next_block_ - 1].get() + used_;
    used_ += size;
    return memory;
  }
  void reset() {
    next_block_ = blocks_.empty() ? 0 : 1;
    used_ = 0;
    oversized_.clear();
  }

 private:
  static constexpr size_t kBlockSize = 16 * 1024;
  static constexpr size_t kAlign = alignof(std::max_align_t);
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::vector<std::unique_ptr<std::byte[]>> oversized_;
  size_t next_block_ = 0;
  size_t used_ = 0;
};

thread_local NodeArena node_arena;

struct Node : pt::basic_node<Node> {
  static void* operator new(size_t size) { return node_arena.allocate(size); }
  static void operator delete(void* /*memory*/) noexcept {}  // freed with the arena
};

// The rules that become nodes of the parse tree; everything else is folded away.
template <typename Rule>
using selector = pt::selector<
    Rule,
    pt::store_content::on<
        // names, fields and JSON paths
        g::name, g::field, g::json_step, g::arrow_text, g::json_index, g::json_key,
        // select
        g::star_item, g::spread_item, g::named_item, g::alias, g::count_item, g::column_item,
        g::embed_item, g::embed_option, g::children, g::children_body, g::cast_type, g::aggregate,
        g::aggregate_name,
        // operators and values
        g::not_prefix, g::op_eq, g::op_neq, g::op_gt, g::op_gte, g::op_lt, g::op_lte, g::op_like,
        g::op_ilike, g::op_match, g::op_imatch, g::op_in, g::op_is, g::op_isdistinct, g::op_fts,
        g::op_plfts, g::op_phfts, g::op_wfts, g::op_cs, g::op_cd, g::op_ov, g::op_sl, g::op_sr,
        g::op_nxr, g::op_nxl, g::op_adj, g::quant_any, g::quant_all, g::language, g::is_null,
        g::is_not_null, g::is_true, g::is_false, g::is_unknown, g::single_value, g::tree_value,
        g::list_element, g::in_list, g::quoted_value, g::quoted_element,
        // logic trees
        g::nested_tree, g::nested_tree_body, g::tree_leaf, g::kw_and, g::kw_or,
        // order
        g::order_term, g::related_field, g::dir_asc, g::dir_desc, g::nulls_first, g::nulls_last,
        // keys
        g::key_path>>;

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

// Parses `text` with `Rule` into a parse tree; on failure returns PGRST100 naming
// `what` (e.g. "select parameter") with the offset and the expectation.
template <typename Rule>
Expected<std::unique_ptr<Node>> parse_tree_of(std::string_view text, std::string_view what,
                                              size_t max_nesting = SIZE_MAX) {
  pegtl::memory_input<> input(text.data(), text.size(), "");
  nesting_budget = NestingBudget{0, max_nesting};
  try {
    node_arena.reset();  // no tree of an earlier parse is alive any more
    auto root = pt::parse<Rule, Node, selector, pegtl::nothing, control>(input);
    if (!root) {
      return errors::parse_failure(what, text, 0, describe_failure(text, 0, "valid syntax"));
    }
    return root;
  } catch (const nesting_exceeded&) {
    return errors::limit_exceeded("The " + std::string(what) + " nests deeper than " +
                                  std::to_string(max_nesting) + " levels");
  } catch (const pegtl::parse_error& error) {
    const size_t offset = error.positions().empty() ? 0 : error.positions().front().byte;
    return errors::parse_failure(what, text, offset,
                                 describe_failure(text, offset, error.message()));
  }
}

std::string unescape_quoted(std::string_view quoted) {
  std::string out;
  out.reserve(quoted.size());
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 2 < quoted.size()) ++i;
    out += quoted[i];
  }
  return out;
}

// A value inside a logic tree or an `in` list: a value the grammar read as quoted loses
// its quotes and escapes; anything else (even `"a"b"`) is verbatim.
std::string tree_or_list_value(const Node& node) {
  const bool quoted =
      !node.children.empty() && (node.children.front()->is_type<g::quoted_value>() ||
                                 node.children.front()->is_type<g::quoted_element>());
  return quoted ? unescape_quoted(node.string_view()) : node.string();
}

ast::JsonStep build_json_step(const Node& node) {
  ast::JsonStep step;
  for (const auto& part : node.children) {
    if (part->is_type<g::arrow_text>()) {
      step.as_text = true;
    } else if (part->is_type<g::json_index>()) {
      step.is_index = true;
      step.key = part->string();
    } else if (part->is_type<g::json_key>()) {
      step.key = unquote_name(part->string_view());
    }
  }
  return step;
}

ast::Field build_field(const Node& node) {
  ast::Field field;
  for (const auto& child : node.children) {
    if (child->is_type<g::name>()) {
      field.name = unquote_name(child->string_view());
    } else if (child->is_type<g::json_step>()) {
      field.json_path.push_back(build_json_step(*child));
    }
  }
  return field;
}

// Thrown while building a select list when an embed has two hints or two join types;
// caught in parse_select and reported as PGRST100 at the option's offset.
struct option_conflict {
  size_t offset;
};

void build_embed_options(const Node& option, ast::SelectItem& item) {
  const std::string value = unquote_name(option.children.front()->string_view());
  const bool is_join = value == "inner" || value == "left";
  if (is_join ? item.join != ast::JoinType::unspecified : !item.hint.empty()) {
    throw option_conflict{option.begin().byte};
  }
  if (value == "inner") {
    item.join = ast::JoinType::inner;
  } else if (value == "left") {
    item.join = ast::JoinType::left;
  } else {
    item.hint = value;
  }
}

void build_select_list(const Node& parent, std::vector<ast::SelectItem>& out);

// children -> children_body -> items (the body is a node only so that the nesting
// budget's control hooks run for it).
void build_children(const Node& children_node, ast::SelectItem& item) {
  for (const auto& body : children_node.children) build_select_list(*body, item.children);
}

ast::SelectItem build_select_item(const Node& node) {
  ast::SelectItem item;
  if (node.is_type<g::star_item>()) {
    item.kind = ast::SelectItem::Kind::star;
    return item;
  }
  if (node.is_type<g::spread_item>()) {
    item.kind = ast::SelectItem::Kind::spread;
    for (const auto& child : node.children) {
      if (child->is_type<g::name>()) {
        item.field.name = unquote_name(child->string_view());
      } else if (child->is_type<g::embed_option>()) {
        build_embed_options(*child, item);
      } else if (child->is_type<g::children>()) {
        build_children(*child, item);
      }
    }
    return item;
  }
  // named_item: [alias] (count_item | embed_item | column_item)
  for (const auto& child : node.children) {
    if (child->is_type<g::alias>()) {
      item.alias = unquote_name(child->children.front()->string_view());
    } else if (child->is_type<g::count_item>()) {
      item.kind = ast::SelectItem::Kind::count;
      item.aggregate = "count";
      for (const auto& part : child->children) {
        if (part->is_type<g::cast_type>()) item.aggregate_cast = part->string();
      }
    } else if (child->is_type<g::embed_item>()) {
      item.kind = ast::SelectItem::Kind::embed;
      for (const auto& part : child->children) {
        if (part->is_type<g::name>()) {
          item.field.name = unquote_name(part->string_view());
        } else if (part->is_type<g::embed_option>()) {
          build_embed_options(*part, item);
        } else if (part->is_type<g::children>()) {
          build_children(*part, item);
        }
      }
    } else if (child->is_type<g::column_item>()) {
      item.kind = ast::SelectItem::Kind::column;
      for (const auto& part : child->children) {
        if (part->is_type<g::field>()) {
          item.field = build_field(*part);
        } else if (part->is_type<g::cast_type>()) {
          item.cast = part->string();
        } else if (part->is_type<g::aggregate>()) {
          for (const auto& agg : part->children) {
            if (agg->is_type<g::aggregate_name>()) {
              item.aggregate = agg->string();
            } else if (agg->is_type<g::cast_type>()) {
              item.aggregate_cast = agg->string();
            }
          }
        }
      }
    }
  }
  return item;
}

void build_select_list(const Node& parent, std::vector<ast::SelectItem>& out) {
  for (const auto& child : parent.children) {
    if (child->is_type<g::star_item>() || child->is_type<g::spread_item>() ||
        child->is_type<g::named_item>()) {
      out.push_back(build_select_item(*child));
    }
  }
}

// Fills an OpExpr from the children of a filter or tree leaf, starting at `first`.
ast::OpExpr build_op_expr(const std::vector<std::unique_ptr<Node>>& nodes, size_t first) {
  ast::OpExpr expr;
  using Op = ast::Operator;
  for (size_t i = first; i < nodes.size(); ++i) {
    const Node& node = *nodes[i];
    if (node.is_type<g::not_prefix>()) {
      expr.negated = true;
    } else if (node.is_type<g::op_eq>()) {
      expr.op = Op::eq;
    } else if (node.is_type<g::op_neq>()) {
      expr.op = Op::neq;
    } else if (node.is_type<g::op_gt>()) {
      expr.op = Op::gt;
    } else if (node.is_type<g::op_gte>()) {
      expr.op = Op::gte;
    } else if (node.is_type<g::op_lt>()) {
      expr.op = Op::lt;
    } else if (node.is_type<g::op_lte>()) {
      expr.op = Op::lte;
    } else if (node.is_type<g::op_like>()) {
      expr.op = Op::like;
    } else if (node.is_type<g::op_ilike>()) {
      expr.op = Op::ilike;
    } else if (node.is_type<g::op_match>()) {
      expr.op = Op::match;
    } else if (node.is_type<g::op_imatch>()) {
      expr.op = Op::imatch;
    } else if (node.is_type<g::op_in>()) {
      expr.op = Op::in;
    } else if (node.is_type<g::op_is>()) {
      expr.op = Op::is;
    } else if (node.is_type<g::op_isdistinct>()) {
      expr.op = Op::isdistinct;
    } else if (node.is_type<g::op_fts>()) {
      expr.op = Op::fts;
    } else if (node.is_type<g::op_plfts>()) {
      expr.op = Op::plfts;
    } else if (node.is_type<g::op_phfts>()) {
      expr.op = Op::phfts;
    } else if (node.is_type<g::op_wfts>()) {
      expr.op = Op::wfts;
    } else if (node.is_type<g::op_cs>()) {
      expr.op = Op::cs;
    } else if (node.is_type<g::op_cd>()) {
      expr.op = Op::cd;
    } else if (node.is_type<g::op_ov>()) {
      expr.op = Op::ov;
    } else if (node.is_type<g::op_sl>()) {
      expr.op = Op::sl;
    } else if (node.is_type<g::op_sr>()) {
      expr.op = Op::sr;
    } else if (node.is_type<g::op_nxr>()) {
      expr.op = Op::nxr;
    } else if (node.is_type<g::op_nxl>()) {
      expr.op = Op::nxl;
    } else if (node.is_type<g::op_adj>()) {
      expr.op = Op::adj;
    } else if (node.is_type<g::quant_any>()) {
      expr.quantifier = ast::Quantifier::any;
    } else if (node.is_type<g::quant_all>()) {
      expr.quantifier = ast::Quantifier::all;
    } else if (node.is_type<g::language>()) {
      expr.language = node.string();
    } else if (node.is_type<g::is_null>()) {
      expr.is_value = ast::IsValue::null;
    } else if (node.is_type<g::is_not_null>()) {
      expr.is_value = ast::IsValue::not_null;
    } else if (node.is_type<g::is_true>()) {
      expr.is_value = ast::IsValue::true_;
    } else if (node.is_type<g::is_false>()) {
      expr.is_value = ast::IsValue::false_;
    } else if (node.is_type<g::is_unknown>()) {
      expr.is_value = ast::IsValue::unknown;
    } else if (node.is_type<g::single_value>()) {
      expr.value = node.string();
    } else if (node.is_type<g::tree_value>()) {
      expr.value = tree_or_list_value(node);
    } else if (node.is_type<g::in_list>()) {
      for (const auto& element : node.children) {
        expr.list.push_back(tree_or_list_value(*element));
      }
    }
  }
  return expr;
}

void build_tree_items(const Node& parent, size_t first, ast::LogicTree& tree);

ast::Condition build_condition(const Node& node) {
  ast::Condition condition;
  if (node.is_type<g::nested_tree>()) {
    condition.tree = std::make_unique<ast::LogicTree>();
    size_t index = 0;
    for (; index < node.children.size(); ++index) {
      const Node& part = *node.children[index];
      if (part.is_type<g::not_prefix>()) {
        condition.tree->negated = true;
      } else if (part.is_type<g::kw_or>()) {
        condition.tree->is_or = true;
      } else if (part.is_type<g::kw_and>()) {
        condition.tree->is_or = false;
      } else if (part.is_type<g::nested_tree_body>()) {
        build_tree_items(part, 0, *condition.tree);
      }
    }
    return condition;
  }
  // tree_leaf: field, then the operator expression
  condition.field = build_field(*node.children.front());
  condition.expr = build_op_expr(node.children, 1);
  return condition;
}

void build_tree_items(const Node& parent, size_t first, ast::LogicTree& tree) {
  for (size_t i = first; i < parent.children.size(); ++i) {
    const Node& child = *parent.children[i];
    if (child.is_type<g::nested_tree>() || child.is_type<g::tree_leaf>()) {
      tree.items.push_back(build_condition(child));
    }
  }
}

// Number of list items separated by top-level commas, to bound list sizes before
// building anything.
size_t rough_item_count(std::string_view text) {
  size_t count = 1;
  for (const char c : text) count += c == ',' ? 1 : 0;
  return count;
}

bool is_reserved(const KeyPath& key, size_t index, std::string_view word) {
  return !key.quoted[index] && key.names[index] == word;
}

std::vector<std::string> embed_path_of(const KeyPath& key, size_t count) {
  return std::vector<std::string>(key.names.begin(),
                                  key.names.begin() + static_cast<ptrdiff_t>(count));
}

ast::ScopedRange& range_for(ast::Query& query, const std::vector<std::string>& path) {
  for (auto& range : query.ranges) {
    if (range.embed_path == path) return range;
  }
  auto& range = query.ranges.emplace_back();
  range.embed_path = path;
  return range;
}

Error range_error(std::string_view what) {
  return errors::make(416, "PGRST103", "Requested range not satisfiable", std::string(what));
}

}  // namespace

std::string unquote_name(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return unescape_quoted(text);
  }
  const size_t begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

Expected<std::vector<ast::SelectItem>> parse_select(std::string_view text, const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The select parameter has too many items");
  }
  auto tree = parse_tree_of<g::select_param>(text, "select parameter", limits.max_nesting);
  if (!tree) return std::move(tree.error());
  std::vector<ast::SelectItem> items;
  try {
    build_select_list(**tree, items);
  } catch (const option_conflict& conflict) {
    return errors::parse_failure("select parameter", text, conflict.offset,
                                 "an embedded resource takes at most one hint and one join "
                                 "type (!inner or !left)");
  }
  return items;
}

Expected<ast::OpExpr> parse_filter_expr(std::string_view text) {
  auto tree = parse_tree_of<g::filter_param>(text, "filter");
  if (!tree) return std::move(tree.error());
  return build_op_expr((*tree)->children, 0);
}

Expected<ast::LogicTree> parse_logic_tree(std::string_view text, bool negated, bool is_or,
                                          const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The logic tree has too many items");
  }
  // The tree's own parentheses are not a nested_tree; every and(...)/or(...) inside is.
  auto tree = parse_tree_of<g::logic_param>(text, "logic tree", limits.max_nesting);
  if (!tree) return std::move(tree.error());
  ast::LogicTree logic;
  logic.negated = negated;
  logic.is_or = is_or;
  build_tree_items(**tree, 0, logic);
  return logic;
}

Expected<std::vector<ast::OrderTerm>> parse_order(std::string_view text, const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The order parameter has too many items");
  }
  auto tree = parse_tree_of<g::order_param>(text, "order");
  if (!tree) return std::move(tree.error());
  std::vector<ast::OrderTerm> terms;
  for (const auto& node : (*tree)->children) {
    ast::OrderTerm& term = terms.emplace_back();
    for (const auto& part : node->children) {
      if (part->is_type<g::related_field>()) {
        term.relation = unquote_name(part->children.at(0)->string_view());
        term.field = build_field(*part->children.at(1));
      } else if (part->is_type<g::field>()) {
        term.field = build_field(*part);
      } else if (part->is_type<g::dir_asc>()) {
        term.direction = ast::Direction::asc;
      } else if (part->is_type<g::dir_desc>()) {
        term.direction = ast::Direction::desc;
      } else if (part->is_type<g::nulls_first>()) {
        term.nulls = ast::Nulls::first;
      } else if (part->is_type<g::nulls_last>()) {
        term.nulls = ast::Nulls::last;
      }
    }
  }
  return terms;
}

Expected<std::vector<std::string>> parse_name_list(std::string_view text, std::string_view what,
                                                   const Limits& limits) {
  if (rough_item_count(text) > limits.max_list_items) {
    return errors::limit_exceeded("The " + std::string(what) + " parameter has too many items");
  }
  auto tree = parse_tree_of<g::name_list_param>(text, what);
  if (!tree) return std::move(tree.error());
  std::vector<std::string> names;
  for (const auto& node : (*tree)->children) names.push_back(unquote_name(node->string_view()));
  return names;
}

Expected<KeyPath> parse_key(std::string_view text) {
  auto tree = parse_tree_of<g::key_param>(text, "filter");
  if (!tree) return std::move(tree.error());
  KeyPath key;
  const Node& path = *(*tree)->children.front();
  for (const auto& part : path.children) {
    if (part->is_type<g::name>()) {
      const std::string_view raw = part->string_view();
      key.names.push_back(unquote_name(raw));
      key.quoted.push_back(!raw.empty() && raw.front() == '"');
    } else if (part->is_type<g::json_step>()) {
      key.json_path.push_back(build_json_step(*part));
    }
  }
  return key;
}

Expected<ast::Query> parse_query(const std::vector<decode::QueryParam>& params,
                                 const Limits& limits, bool function_arguments) {
  ast::Query query;
  for (const decode::QueryParam& param : params) {
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
    const std::string& value = *param.value;

    auto key = parse_key(param.key);
    if (!key) return std::move(key.error());
    const size_t last = key->names.size() - 1;
    if (key->json_path.empty()) {
      if (is_reserved(*key, last, "order")) {
        auto terms = parse_order(value, limits);
        if (!terms) return std::move(terms.error());
        query.orders.push_back({embed_path_of(*key, last), std::move(*terms)});
        continue;
      }
      if (is_reserved(*key, last, "limit") || is_reserved(*key, last, "offset")) {
        const bool is_limit = key->names[last] == "limit";
        int64_t number = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        if (ec != std::errc() || end != value.data() + value.size()) {
          return range_error("The " + key->names[last] + " parameter must be an integer");
        }
        if (number < 0) {
          return range_error(is_limit ? "Limit should be greater than or equal to zero"
                                      : "Offset should be greater than or equal to zero");
        }
        auto& range = range_for(query, embed_path_of(*key, last));
        (is_limit ? range.limit : range.offset) = number;
        continue;
      }
      if (is_reserved(*key, last, "and") || is_reserved(*key, last, "or")) {
        // A `not` segment may stand anywhere before the operator: `not.actors.or`,
        // `actors.not.or`; every other segment is the embed path.
        const bool is_or = key->names[last] == "or";
        bool negated = false;
        std::vector<std::string> path;
        for (size_t i = 0; i < last; ++i) {
          if (is_reserved(*key, i, "not")) {
            negated = true;
          } else {
            path.push_back(key->names[i]);
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
    if (!expr && function_arguments && key->names.size() == 1 && key->json_path.empty()) {
      query.arguments.emplace_back(key->names[0], value);
      continue;
    }
    if (!expr) return std::move(expr.error());
    ast::Filter& filter = query.filters.emplace_back();
    filter.embed_path = embed_path_of(*key, last);
    filter.field.name = key->names[last];
    filter.field.json_path = std::move(key->json_path);
    filter.expr = std::move(*expr);
  }
  return query;
}

}  // namespace pgrest::parse
