#include "resolve/resolve.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include "common/errors.hpp"
#include "common/json_writer.hpp"
#include "common/sql_text.hpp"
#include "parse/headers.hpp"
#include "parse/pegtl.hpp"
#include "resolve/detail.hpp"
#include "resolve/fuzzy.hpp"

namespace pgrest::resolve {

using namespace detail;  // NOLINT: types shared with writes and RPC

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string* find_header(const Request& request, std::string_view name) {
  // The last occurrence wins, as when a proxy collapses duplicates.
  const std::string* found = nullptr;
  for (const auto& [key, value] : request.headers) {
    if (iequals(key, name)) found = &value;
  }
  return found;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// ------------------------------------------------------------------ claims and role

namespace claim_rules {
using namespace pegtl;  // NOLINT
// clang-format off
struct key_char : not_one< '.', '[', ']', '"' > {};
struct plain_key : plus< key_char > {};
struct quoted_key : seq< one< '"' >, plus< not_one< '"' > >, one< '"' > > {};
struct key_step : seq< one< '.' >, sor< quoted_key, plain_key > > {};
struct index : plus< digit > {};
struct index_step : seq< one< '[' >, index, one< ']' > > {};
struct path : seq< opt< one< '$' > >, plus< sor< key_step, index_step > >, eof > {};
// clang-format on
}  // namespace claim_rules

template <typename Rule>
struct claim_action : pegtl::nothing<Rule> {};
template <>
struct claim_action<claim_rules::plain_key> {
  template <typename Input>
  static void apply(const Input& in, ClaimPath& path) {
    path.steps.push_back({false, in.string(), 0});
  }
};
template <>
struct claim_action<claim_rules::quoted_key> {
  template <typename Input>
  static void apply(const Input& in, ClaimPath& path) {
    const std::string_view text = in.string_view();
    path.steps.push_back({false, std::string(text.substr(1, text.size() - 2)), 0});
  }
};
template <>
struct claim_action<claim_rules::index> {
  template <typename Input>
  static void apply(const Input& in, ClaimPath& path) {
    size_t index = 0;
    for (const char c : in.string_view())
      index = std::min<size_t>(index * 10 + (c - '0'), 1u << 30);
    path.steps.push_back({true, {}, index});
  }
};

struct RoleAndClaims {
  std::string role;
  std::string claims_json;
};

// The claims as request.jwt.claims publishes them: PostgREST replaces the top-level
// `role` with the role the request runs as (the value at role_claim_key, else the anon
// role), so that policies reading the claim (auth.role(), auth.jwt()->>'role') agree
// with current_user even when the role came from a nested claim, was missing, or the
// token carried `role` twice. In the usual case the one `role` key already holds that
// role and the claims are published as they are, minified.
std::string published_claims(const std::optional<simdjson::dom::object>& claims,
                             std::string_view role) {
  std::string out;
  if (!claims) {
    json::Writer writer(out);
    writer.begin_object().key("role").value(role).end_object();
    return out;
  }
  size_t role_keys = 0;
  bool role_matches = false;
  for (const auto field : *claims) {
    if (field.key != "role") continue;
    ++role_keys;
    std::string_view text;
    role_matches = field.value.get(text) == simdjson::SUCCESS && text == role;
  }
  if (role_keys == 1 && role_matches) return simdjson::minify(*claims);
  json::Writer writer(out);
  writer.begin_object();
  for (const auto field : *claims) {
    if (field.key == "role") continue;
    writer.key(field.key);
    writer.raw(simdjson::minify(field.value));
  }
  writer.key("role").value(role).end_object();
  return out;
}

Expected<RoleAndClaims> role_from_claims(const Catalog& catalog, const Config& config,
                                         const ClaimPath& role_claim, const Request& request) {
  RoleAndClaims out;
  std::optional<std::string> role;
  std::optional<simdjson::dom::object> claims_object;
  if (request.claims_json && !request.claims_json->empty()) {
    // Every authenticated request carries claims: the parser and its padded input buffer
    // are kept per thread, so steady state parses them without allocating.
    struct ClaimsParser {
      simdjson::dom::parser parser;
      std::string padded;
      size_t capacity = 0;
      size_t depth = 0;
    };
    thread_local ClaimsParser reused;
    const std::string& text = *request.claims_json;
    // Claims come from a token in a header, so the header bound applies; it also bounds
    // what the per-thread buffers keep.
    if (text.size() > config.limits.max_header_bytes) {
      return errors::limit_exceeded("The JWT claims are longer than " +
                                    std::to_string(config.limits.max_header_bytes) + " bytes");
    }
    const size_t depth = config.limits.max_nesting + 1;
    // Claims nest at most max_nesting deep: deeper documents are refused, not walked.
    if (text.size() > reused.capacity || depth != reused.depth) {
      const size_t capacity = std::max<size_t>(text.size(), 4096);
      if (reused.parser.allocate(capacity, depth) != simdjson::SUCCESS) {
        reused.capacity = reused.depth = 0;
        return errors::make(401, "PGRST303", "JWT claims must be a JSON object");
      }
      reused.capacity = capacity;
      reused.depth = depth;
    }
    reused.padded.assign(text);
    reused.padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element claims;
    simdjson::dom::object object;
    if (reused.parser.parse(reused.padded.data(), text.size(), false).get(claims) !=
            simdjson::SUCCESS ||
        claims.get(object) != simdjson::SUCCESS) {
      return errors::make(401, "PGRST303", "JWT claims must be a JSON object");
    }
    claims_object = object;
    simdjson::dom::element cursor = claims;
    bool found = true;
    for (const auto& step : role_claim.steps) {
      simdjson::dom::element next;
      if (step.is_index) {
        simdjson::dom::array array;
        found = cursor.get(array) == simdjson::SUCCESS &&
                array.at(step.index).get(next) == simdjson::SUCCESS;
      } else {
        // A key given twice counts by its last value, as PostgreSQL's json operators
        // (which the policies use) and PostgREST's JSON parser read it; simdjson's
        // at_key() would take the first.
        simdjson::dom::object obj;
        found = false;
        if (cursor.get(obj) == simdjson::SUCCESS) {
          for (const auto field : obj) {
            if (field.key == step.key) {
              next = field.value;
              found = true;
            }
          }
        }
      }
      if (!found) break;
      cursor = next;
    }
    if (found && !role_claim.steps.empty()) {
      std::string_view text;
      if (cursor.get(text) == simdjson::SUCCESS) {
        role = std::string(text);
      } else {
        // PostgREST uses a non-string claim's JSON text (so null is the role "null").
        role = simdjson::minify(cursor);
      }
    }
  }
  // An empty role claim names no role: refused like any role that does not exist (it
  // must not fall back to the anon role, nor read as "anonymous access is disabled").
  if (role && role->empty()) return errors::make(401, "22023", "role \"\" does not exist");
  if (!role) role = config.anon_role;
  if (!role || role->empty()) {
    return errors::make(401, "PGRST302", "Anonymous access is disabled");
  }
  // PostgreSQL would refuse a role that does not exist with 22023, which PostgREST sends
  // as 401; refuse it before any SQL runs. (Snapshots always list the roles; an empty
  // list means a hand-made catalog, where the database keeps the last word.)
  if (!catalog.roles.empty() && !catalog.has_role(*role)) {
    return errors::make(401, "22023", "role \"" + *role + "\" does not exist");
  }
  out.role = std::move(*role);
  out.claims_json = published_claims(claims_object, out.role);
  return out;
}

std::string headers_json(const Request& request) {
  // Lower-cased names, Cookie left out (it has its own setting), last duplicate wins.
  std::vector<std::pair<std::string, const std::string*>> unique;
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(name);
    if (key == "cookie") continue;
    auto existing = std::find_if(unique.begin(), unique.end(),
                                 [&](const auto& entry) { return entry.first == key; });
    if (existing != unique.end()) {
      existing->second = &value;
    } else {
      unique.emplace_back(std::move(key), &value);
    }
  }
  std::string out;
  json::Writer writer(out);
  writer.begin_object();
  for (const auto& [name, value] : unique) writer.key(name).value(*value);
  writer.end_object();
  return out;
}

std::string cookies_json(const Request& request) {
  std::string out;
  json::Writer writer(out);
  writer.begin_object();
  if (const std::string* cookie = find_header(request, "cookie")) {
    auto cookies = headers::parse_cookies(*cookie);
    // Duplicate names: the first one wins, as browsers send the most specific first.
    std::vector<std::string_view> seen;
    for (const auto& [name, value] : cookies) {
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      writer.key(name).value(value);
    }
  }
  writer.end_object();
  return out;
}

// ------------------------------------------------------------------ schema and relation

Expected<std::string> choose_schema(const Config& config, const Request& request) {
  const bool reads = request.method == "GET" || request.method == "HEAD";
  const std::string* profile = find_header(request, reads ? "accept-profile" : "content-profile");
  // The default schema passes the same guard: a config that lists a managed schema first
  // must not open it.
  const std::string& wanted = profile ? *profile : config.schemas.front();
  if (is_managed(config, wanted)) {
    if (!request.via_api_layer) return managed_schema_error();
    return wanted;
  }
  if (contains(config.schemas, wanted)) return wanted;
  std::string exposed;
  for (const auto& schema : config.schemas) {
    if (is_managed(config, schema) && !request.via_api_layer) continue;
    if (!exposed.empty()) exposed += ", ";
    exposed += schema;
  }
  return errors::make(406, "PGRST106", "Invalid schema: " + wanted, std::nullopt,
                      "Only the following schemas are exposed: " + exposed);
}

Error relation_not_found(const Catalog& catalog, std::string_view schema, std::string_view name) {
  // PostgREST offers a fuzzy "Perhaps you meant" only for schemas under 500 tables, to
  // keep the cost bounded; so do we, and only for short names.
  std::optional<std::string> hint;
  if (name.size() <= 64) {
    size_t in_schema = 0;
    const Relation* best = nullptr;
    size_t best_distance = SIZE_MAX;
    for (const Relation& relation : catalog.relations) {
      if (relation.schema != schema) continue;
      if (++in_schema > 500) {
        best = nullptr;
        break;
      }
      const size_t distance = fuzzy::edit_distance(name, relation.name);
      if (distance < best_distance) {
        best_distance = distance;
        best = &relation;
      }
    }
    if (best && best_distance <= std::max<size_t>(2, name.size() / 3)) {
      hint = "Perhaps you meant the table '" + best->schema + "." + best->name + "'";
    }
  }
  return errors::make(404, "PGRST205",
                      "Could not find the table '" + std::string(schema) + "." + std::string(name) +
                          "' in the schema cache",
                      std::nullopt, std::move(hint));
}

Error column_not_found(const Relation& relation, std::string_view column) {
  // What PostgreSQL says (SQLSTATE 42703), which PostgREST forwards with status 400.
  return errors::make(400, "42703",
                      "column " + relation.name + "." + std::string(column) + " does not exist");
}

// ------------------------------------------------------------------ binding

struct BindContext {
  const Catalog& catalog;
  const Config& config;
  // Set by the host only: managed schemas (their functions as computed fields, their
  // tables as embedding targets) serve the API layer alone.
  bool via_api_layer = false;
};

bool uses_managed_schema(const Config& config, const Function& function) {
  if (is_managed(config, function.schema) ||
      reaches_managed(config, function.return_type_schemas)) {
    return true;
  }
  return std::any_of(
      function.params.begin(), function.params.end(),
      [&](const FunctionParam& param) { return reaches_managed(config, param.type_schemas); });
}

// A computed field of `relation`: PostgREST writes `"t"."name"` and PostgreSQL, finding
// no such column, calls name(t), a function taking the row type as its one argument.
// We resolve it here instead, to the function of the relation's schema with exactly one
// input parameter, of the relation's row type. Set-returning functions are left out:
// PostgREST embeds those as computed relationships. A function that lives in, takes or
// returns a managed schema's type is never one, unless the API layer asks.
const Function* find_computed_field(const BindContext& context, const Relation& relation,
                                    std::string_view name) {
  if (relation.row_type_oid == 0) return nullptr;  // not a catalog relation's row
  for (const Function* function : context.catalog.find_functions(relation.schema, name)) {
    if (function->returns_set) continue;
    const FunctionParam* input = nullptr;
    size_t inputs = 0;
    for (const FunctionParam& param : function->params) {
      if (param.mode == ParamMode::out || param.mode == ParamMode::table) continue;
      ++inputs;
      input = &param;
    }
    if (inputs != 1 || input->mode == ParamMode::variadic ||
        input->type_oid != relation.row_type_oid) {
      continue;
    }
    if (!context.via_api_layer && uses_managed_schema(context.config, *function)) continue;
    return function;
  }
  return nullptr;
}

// A column of the relation (columns win, as in PostgreSQL), else a computed field.
Expected<plan::ColumnPath> bind_field(const BindContext& context, const Relation& relation,
                                      const ast::Field& field) {
  if (const Column* column = relation.find_column(field.name)) {
    return plan::ColumnPath{column, field.json_path};
  }
  if (const Function* function = find_computed_field(context, relation, field.name)) {
    plan::ColumnPath path;
    path.json_path = field.json_path;
    path.computed = function;
    path.computed_row = &relation;
    return path;
  }
  return column_not_found(relation, field.name);
}

Error embedded_path_error(std::string_view name) {
  // append() rather than `"'" + std::string(name)`: GCC 12 at -O3 warns (-Wrestrict, a
  // false positive) on that concatenation once inlined here.
  std::string message;
  message.append("'").append(name).append("' is not an embedded resource in this request");
  std::string hint;
  hint.append("Verify that '")
      .append(name)
      .append("' is included in the 'select' query parameter.");
  return errors::make(400, "PGRST108", std::move(message), std::nullopt, std::move(hint));
}

// Scalar types for which PostgreSQL has no pattern, containment or text-search
// operator: a filter using one would fail in the database with 42883 (which PostgREST
// answers with 404), so it is refused here, before any SQL is sent.
bool is_plain_scalar(std::string_view type) {
  static constexpr std::string_view kScalars[] = {"smallint",
                                                  "integer",
                                                  "bigint",
                                                  "numeric",
                                                  "real",
                                                  "double precision",
                                                  "boolean",
                                                  "date",
                                                  "time without time zone",
                                                  "timestamp without time zone",
                                                  "timestamp with time zone",
                                                  "uuid",
                                                  "money",
                                                  "oid"};
  return std::find(std::begin(kScalars), std::end(kScalars), type) != std::end(kScalars);
}

bool is_text_type(std::string_view type) {
  return type == "text" || type == "character varying" || type == "character" || type == "name" ||
         type == "citext" || type == "bpchar";
}

std::optional<Error> check_operator_type(const plan::ColumnPath& path, const ast::OpExpr& expr) {
  const std::string_view type = path.base_type();
  const bool text_path = !path.json_path.empty() && path.json_path.back().as_text;
  const bool json_path = !path.json_path.empty() && !text_path;
  std::string_view symbol;
  switch (expr.op) {
    case ast::Operator::like:
      symbol = "~~";
      break;
    case ast::Operator::ilike:
      symbol = "~~*";
      break;
    case ast::Operator::match:
      symbol = "~";
      break;
    case ast::Operator::imatch:
      symbol = "~*";
      break;
    case ast::Operator::cs:
      symbol = "@>";
      break;
    case ast::Operator::cd:
      symbol = "<@";
      break;
    case ast::Operator::ov:
      symbol = "&&";
      break;
    default:
      return std::nullopt;
  }
  const bool pattern = expr.op == ast::Operator::like || expr.op == ast::Operator::ilike ||
                       expr.op == ast::Operator::match || expr.op == ast::Operator::imatch;
  std::string operand;
  if (pattern) {
    if (text_path || (path.json_path.empty() && is_text_type(type))) return std::nullopt;
    if (path.json_path.empty() && !is_plain_scalar(type) && type != "json" && type != "jsonb") {
      return std::nullopt;  // unknown to us (domains, extensions): let PostgreSQL decide
    }
    operand = json_path ? "jsonb" : std::string(type);
  } else {
    if (!path.json_path.empty() || !(is_plain_scalar(type) || is_text_type(type))) {
      return std::nullopt;
    }
    operand = std::string(type);
  }
  std::string message = "operator does not exist: " + operand + " " + std::string(symbol);
  message += expr.quantifier == ast::Quantifier::none ? " unknown" : " unknown[]";
  return errors::make(404, "42883", std::move(message), std::nullopt,
                      "No operator matches the given name and argument types. You might need "
                      "to add explicit type casts.");
}

// The embed of `node` whose JSON key is `name`: its alias, else its relation name.
// PostgREST names embeds so in related ordering and null-embed filters.
std::optional<size_t> find_embed_by_key(const plan::ReadNode& node, std::string_view name) {
  for (size_t i = 0; i < node.embeds.size(); ++i) {
    if (node.embeds[i].name == name) return i;
  }
  return std::nullopt;
}

// The embed of `node` a path segment (`rel.col=...`, `rel.order=...`) names: by alias, or
// by the relation name even when aliased (PostgREST's updateNode accepts both).
std::optional<size_t> find_embed(const plan::ReadNode& node, std::string_view name) {
  if (auto found = find_embed_by_key(node, name)) return found;
  for (size_t i = 0; i < node.embeds.size(); ++i) {
    if (node.embeds[i].relation_name == name) return i;
  }
  return std::nullopt;
}

Expected<plan::Predicate> bind_predicate(const BindContext& context, const plan::ReadNode& node,
                                         const ast::Field& field, const ast::OpExpr& expr) {
  plan::Predicate predicate;
  predicate.expr = expr;
  // `actors=is.null` / `actors=not.is.null` on an embedded resource filters the parent.
  if (field.json_path.empty() && expr.op == ast::Operator::is &&
      (expr.is_value == ast::IsValue::null || expr.is_value == ast::IsValue::not_null) &&
      !node.relation->find_column(field.name)) {
    if (auto embed = find_embed_by_key(node, field.name)) {
      predicate.embed_index = *embed;
      return predicate;
    }
  }
  auto path = bind_field(context, *node.relation, field);
  if (!path) return std::move(path.error());
  predicate.path = std::move(*path);
  if (auto error = check_operator_type(predicate.path, expr)) return std::move(*error);
  const bool is_fts = expr.op == ast::Operator::fts || expr.op == ast::Operator::plfts ||
                      expr.op == ast::Operator::phfts || expr.op == ast::Operator::wfts;
  predicate.wrap_tsvector =
      is_fts && (predicate.path.base_type() != "tsvector" || !predicate.path.json_path.empty());
  return predicate;
}

Expected<plan::BoolTree> bind_tree(const BindContext& context, const plan::ReadNode& node,
                                   const ast::LogicTree& tree, size_t depth) {
  const Limits& limits = context.config.limits;
  if (depth > limits.max_nesting) {
    return errors::limit_exceeded("The logic tree nests deeper than " +
                                  std::to_string(limits.max_nesting) + " levels");
  }
  plan::BoolTree bound;
  bound.negated = tree.negated;
  bound.is_or = tree.is_or;
  for (const ast::Condition& item : tree.items) {
    plan::Condition condition;
    if (item.tree) {
      auto nested = bind_tree(context, node, *item.tree, depth + 1);
      if (!nested) return std::move(nested.error());
      condition.tree = std::make_unique<plan::BoolTree>(std::move(*nested));
    } else {
      auto predicate = bind_predicate(context, node, item.field, item.expr);
      if (!predicate) return std::move(predicate.error());
      condition.predicate = std::move(*predicate);
    }
    bound.items.push_back(std::move(condition));
  }
  return bound;
}

ast::String implicit_name(const ast::Field& field) {
  // The last JSON key names the output; a trailing index does not, nor does an empty key
  // (`->""`, or `-> ` once trimmed): SQL has no empty identifier.
  for (auto step = field.json_path.rbegin(); step != field.json_path.rend(); ++step) {
    if (!step->is_index && !step->key.empty()) return step->key;
  }
  return field.name;
}

// ------------------------------------------------------------------ relationships

std::string_view cardinality_name(Cardinality cardinality) {
  switch (cardinality) {
    case Cardinality::many_to_one:
      return "many-to-one";
    case Cardinality::one_to_many:
      return "one-to-many";
    case Cardinality::one_to_one:
      return "one-to-one";
    case Cardinality::many_to_many:
      return "many-to-many";
  }
  return "many-to-one";
}

std::string column_list(const std::vector<std::string_view>& columns) {
  std::string out;
  for (const auto column : columns) {
    if (!out.empty()) out += ", ";
    out += column;
  }
  return out;
}

// Does the embed `name!hint` select this relationship? PostgREST's findRel: without a
// hint the name is the target table, the FK constraint or a single FK column on the
// origin's side; with a hint the name is the target and the hint the constraint, a single
// join column on either side, or the junction table (many-to-many are named by their
// junction only). A self-reference follows its own convention: the table name is the
// one-to-many direction (children), the origin's FK column the many-to-one (parent), and
// a hint can only be the children's FK column.
bool matches(const Catalog& catalog, const Relationship& relationship, std::string_view name,
             std::string_view hint) {
  const Relation& target = catalog.relations[relationship.target];
  const ForeignKey& key = catalog.foreign_keys[relationship.foreign_key];
  const bool many_to_many = relationship.cardinality == Cardinality::many_to_many;
  // relColumns in PostgREST are (origin column, target column) pairs.
  const auto origin_column = [&](std::string_view text) {
    return !many_to_many && relationship.source_columns.size() == 1 &&
           text == relationship.source_columns[0];
  };
  const auto target_column = [&](std::string_view text) {
    return !many_to_many && relationship.target_columns.size() == 1 &&
           text == relationship.target_columns[0];
  };
  if (relationship.is_self) {
    const bool one_to_many = relationship.cardinality == Cardinality::one_to_many;
    if (hint.empty()) {
      return (one_to_many && name == target.name) ||
             (relationship.cardinality == Cardinality::many_to_one && origin_column(name));
    }
    return one_to_many && name == target.name && target_column(hint);
  }
  if (hint.empty()) {
    // A view has no constraints or foreign key columns of its own: the constraint and
    // column spellings find only tables (PostgREST's `not relFTableIsView`).
    const bool target_is_view =
        target.kind == RelationKind::view || target.kind == RelationKind::materialized_view;
    return name == target.name ||
           (!target_is_view && ((!many_to_many && name == key.name) || origin_column(name)));
  }
  if (name != target.name) return false;
  if (many_to_many) return hint == catalog.relations[relationship.junction].name;
  return hint == key.name || origin_column(hint) || target_column(hint);
}

int cardinality_rank(Cardinality cardinality) {
  // The declaration order of PostgREST's Cardinality, which its derived Ord follows.
  switch (cardinality) {
    case Cardinality::one_to_many:
      return 0;
    case Cardinality::many_to_one:
      return 1;
    case Cardinality::one_to_one:
      return 2;
    case Cardinality::many_to_many:
      return 3;
  }
  return 3;
}

// Lexicographic order of the (a[i], b[i]) pairs, as Haskell compares [(Text, Text)].
int compare_pairs(const ColumnNames& a1, const ColumnNames& b1, const ColumnNames& a2,
                  const ColumnNames& b2) {
  for (size_t i = 0; i < a1.size() && i < a2.size(); ++i) {
    if (int c = a1[i].compare(a2[i]); c != 0) return c;
    if (int c = b1[i].compare(b2[i]); c != 0) return c;
  }
  return a1.size() < a2.size() ? -1 : a1.size() > a2.size() ? 1 : 0;
}

// PostgREST sorts the relationships of an origin (derived Ord on Relationship): by the
// target, self-reference last, cardinality (one-to-many, many-to-one, one-to-one,
// many-to-many), then the constraint (or junction and its two constraints) and columns.
// PGRST201 lists its candidates, and the hint its suggestions, in that order.
bool before_in_postgrest(const Catalog& catalog, const Relationship* a, const Relationship* b) {
  const Relation& ta = catalog.relations[a->target];
  const Relation& tb = catalog.relations[b->target];
  if (int c = ta.schema.compare(tb.schema); c != 0) return c < 0;
  if (int c = ta.name.compare(tb.name); c != 0) return c < 0;
  if (a->is_self != b->is_self) return !a->is_self;
  const int rank_a = cardinality_rank(a->cardinality);
  const int rank_b = cardinality_rank(b->cardinality);
  if (rank_a != rank_b) return rank_a < rank_b;
  const ForeignKey& ka = catalog.foreign_keys[a->foreign_key];
  const ForeignKey& kb = catalog.foreign_keys[b->foreign_key];
  if (a->cardinality == Cardinality::many_to_many) {
    const Relation& ja = catalog.relations[a->junction];
    const Relation& jb = catalog.relations[b->junction];
    if (int c = ja.schema.compare(jb.schema); c != 0) return c < 0;
    if (int c = ja.name.compare(jb.name); c != 0) return c < 0;
    if (int c = ka.name.compare(kb.name); c != 0) return c < 0;
    const ForeignKey& fa = catalog.foreign_keys[a->junction_target_key];
    const ForeignKey& fb = catalog.foreign_keys[b->junction_target_key];
    if (int c = fa.name.compare(fb.name); c != 0) return c < 0;
    if (int c = compare_pairs(a->source_columns, a->junction_source_columns, b->source_columns,
                              b->junction_source_columns);
        c != 0) {
      return c < 0;
    }
    return compare_pairs(a->target_columns, a->junction_target_columns, b->target_columns,
                         b->junction_target_columns) < 0;
  }
  if (int c = ka.name.compare(kb.name); c != 0) return c < 0;
  return compare_pairs(a->source_columns, a->target_columns, b->source_columns, b->target_columns) <
         0;
}

// PostgREST's fuzzy suggestion, as noRelBetweenHint makes it: none when the name is
// one of the entries (ignoring case), else the best fuzzy match (see fuzzy::best_match).
std::optional<std::string_view> fuzzy_suggestion(std::string_view name,
                                                 const std::vector<std::string_view>& entries) {
  const std::optional<size_t> best = fuzzy::best_match(entries, name);
  if (!best || fuzzy::same_name(entries[*best], name)) return std::nullopt;
  return entries[*best];
}

Expected<const Relationship*> find_relationship(const Catalog& catalog, const Config& config,
                                                bool via_api_layer, const Relation& origin,
                                                std::string_view name, std::string_view hint) {
  ast::List<const Relationship*> candidates;  // in the arena: usually one
  // Rows that are not a catalog relation (a function's OUT columns) have no relationships.
  const std::less<const Relation*> before;
  const bool in_catalog = !catalog.relations.empty() &&
                          !before(&origin, &catalog.relations.front()) &&
                          !before(&catalog.relations.back(), &origin);
  const auto into_managed = [&](const Relationship& relationship) {
    return is_managed(config, catalog.relations[relationship.target].schema) ||
           (relationship.cardinality == Cardinality::many_to_many &&
            is_managed(config, catalog.relations[relationship.junction].schema));
  };
  const auto reachable = [&](const Relationship& relationship) {
    // Embedding stays inside the origin's schema, as in PostgREST. A junction may be in
    // any exposed schema (PostgREST drops only those with an internal junction). A
    // managed schema is reached only by the platform's API layer, which may also follow
    // a foreign key from an exposed table into it.
    if (into_managed(relationship)) return via_api_layer;
    if (catalog.relations[relationship.target].schema != origin.schema) return false;
    if (relationship.cardinality != Cardinality::many_to_many) return true;
    const std::string& junction = catalog.relations[relationship.junction].schema;
    return junction == origin.schema || contains(config.schemas, junction);
  };
  const std::span<const uint32_t> from_origin =
      in_catalog ? catalog.relationships_from(catalog.index_of(origin))
                 : std::span<const uint32_t>();
  for (const uint32_t index : from_origin) {
    const Relationship& relationship = catalog.relationships[index];
    if (reachable(relationship) && matches(catalog, relationship, name, hint)) {
      candidates.push_back(&relationship);
    }
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty() && !via_api_layer) {
    // The name follows one of the origin's own foreign keys into a managed schema:
    // refused as that schema is by every other route (403, the same error whatever it
    // reaches), rather than "not found". Only the origin's own keys: they are part of
    // the exposed table (its columns say where they point). A key that a managed table
    // holds towards the origin, or a managed junction, is not the origin's to show: such
    // names get PGRST200 like any name that leads nowhere, so that trying names cannot
    // tell which managed tables or constraints exist.
    // Many-to-one: the origin's columns hold the key (a view's included: they are the
    // columns it exposes). One-to-one: when the key is the origin table's own.
    // One-to-many and many-to-many: the key is the managed side's.
    const auto origin_holds_key = [&](const Relationship& relationship) {
      if (relationship.cardinality == Cardinality::many_to_one) return true;
      if (relationship.cardinality != Cardinality::one_to_one) return false;
      const ForeignKey& key = catalog.foreign_keys[relationship.foreign_key];
      return key.schema == origin.schema && key.table == origin.name;
    };
    for (const uint32_t index : from_origin) {
      const Relationship& relationship = catalog.relationships[index];
      if (into_managed(relationship) && origin_holds_key(relationship) &&
          matches(catalog, relationship, name, hint)) {
        return managed_schema_error();
      }
    }
  }
  const std::string origin_name = origin.name;
  const std::string target_name(name);
  if (candidates.empty()) {
    std::string details = "Searched for a foreign key relationship between '" + origin_name +
                          "' and '" + target_name + "'";
    if (!hint.empty()) details += " using the hint '" + std::string(hint) + "'";
    details += " in the schema '" + origin.schema + "', but no matches were found.";
    // PostgREST's noRelBetweenHint: the closest table the origin has a relationship with
    // (none when the name is one of them: the hint was what failed); when the origin has
    // none at all, the closest table of the schema that has some, in its place.
    std::optional<std::string> hint_text;
    std::vector<std::string_view> targets;
    for (const uint32_t index : from_origin) {
      const Relationship& relationship = catalog.relationships[index];
      if (reachable(relationship)) targets.push_back(catalog.relations[relationship.target].name);
    }
    if (!targets.empty() && name.size() <= 64) {
      if (auto best = fuzzy_suggestion(name, targets)) {
        hint_text =
            "Perhaps you meant '" + std::string(*best) + "' instead of '" + target_name + "'.";
      }
    } else if (targets.empty() && origin_name.size() <= 64) {
      // Bounded like the table hint: an error must not cost a scan of a huge schema.
      std::vector<std::string_view> origins;
      for (uint32_t r = 0; r < catalog.relations.size() && origins.size() <= 500; ++r) {
        if (catalog.relations[r].schema != origin.schema) continue;
        for (const uint32_t index : catalog.relationships_from(r)) {
          if (catalog.relations[catalog.relationships[index].target].schema == origin.schema) {
            origins.push_back(catalog.relations[r].name);
            break;
          }
        }
      }
      if (origins.size() <= 500) {
        if (auto best = fuzzy_suggestion(origin_name, origins)) {
          hint_text =
              "Perhaps you meant '" + std::string(*best) + "' instead of '" + origin_name + "'.";
        }
      }
    }
    return errors::make(400, "PGRST200",
                        "Could not find a relationship between '" + origin_name + "' and '" +
                            target_name + "' in the schema cache",
                        std::move(details), std::move(hint_text));
  }
  std::sort(candidates.begin(), candidates.end(),
            [&](const Relationship* a, const Relationship* b) {
              return before_in_postgrest(catalog, a, b);
            });
  std::string details;
  json::Writer writer(details);
  writer.begin_array();
  std::string suggestions;
  for (const Relationship* candidate : candidates) {
    const Relation& target = catalog.relations[candidate->target];
    const ForeignKey& key = catalog.foreign_keys[candidate->foreign_key];
    std::string described;
    std::string suggestion;
    if (candidate->cardinality == Cardinality::many_to_many) {
      const Relation& junction = catalog.relations[candidate->junction];
      described = junction.name + " using " + key.name + "(" +
                  column_list(candidate->junction_source_columns) + ") and " +
                  catalog.foreign_keys[candidate->junction_target_key].name + "(" +
                  column_list(candidate->junction_target_columns) + ")";
      suggestion = target.name + "!" + junction.name;
    } else {
      // The origin first, whichever side holds the key (PostgREST's compressedRel).
      described = key.name + " using " + origin_name + "(" +
                  column_list(candidate->source_columns) + ") and " + target.name + "(" +
                  column_list(candidate->target_columns) + ")";
      suggestion = target.name + "!" + key.name;
    }
    writer.begin_object()
        .key("cardinality")
        .value(cardinality_name(candidate->cardinality))
        .key("embedding")
        .value(origin_name + " with " + target.name)
        .key("relationship")
        .value(described)
        .end_object();
    if (!suggestions.empty()) suggestions += ", ";
    suggestions += "'" + suggestion + "'";
  }
  writer.end_array();
  Error error =
      errors::make(300, "PGRST201",
                   "Could not embed because more than one relationship was found for '" +
                       origin_name + "' and '" + target_name + "'",
                   std::move(details),
                   "Try changing '" + target_name + "' to one of the following: " + suggestions +
                       ". Find the desired relationship in the 'details' key.");
  error.details_is_json = true;
  return error;
}

// ------------------------------------------------------------------ select and embeds

Expected<bool> bind_node_select(const BindContext& context, plan::ReadNode& node,
                                const ast::List<ast::SelectItem>& items);

// The SQL text of a `::type` cast. PostgREST splices the type name verbatim; we never
// splice request text. The SQL-standard type names that PostgreSQL's grammar spells with
// keywords (`int`, `double precision`, `timestamp with time zone`, ...) are written from
// this table; any other name must be one word and is written as a quoted identifier
// (folded to lower case, as the unquoted name would be), so `::954` or `::select` reach
// PostgreSQL as a type name that does not exist, never as syntax.
Expected<std::string> cast_type_sql(std::string_view type) {
  static constexpr std::string_view kKeywordTypes[] = {"bigint",
                                                       "bit",
                                                       "bit varying",
                                                       "boolean",
                                                       "char",
                                                       "char varying",
                                                       "character",
                                                       "character varying",
                                                       "dec",
                                                       "decimal",
                                                       "double precision",
                                                       "float",
                                                       "int",
                                                       "integer",
                                                       "interval",
                                                       "national char",
                                                       "national char varying",
                                                       "national character",
                                                       "national character varying",
                                                       "nchar",
                                                       "nchar varying",
                                                       "numeric",
                                                       "real",
                                                       "smallint",
                                                       "time",
                                                       "time with time zone",
                                                       "time without time zone",
                                                       "timestamp",
                                                       "timestamp with time zone",
                                                       "timestamp without time zone",
                                                       "varchar"};
  const std::string folded = lower(type);
  for (const std::string_view keyword : kKeywordTypes) {
    if (folded == keyword) return std::string(keyword);
  }
  if (folded.find(' ') != std::string::npos) {
    return errors::make(400, "42704", "type \"" + folded + "\" does not exist");
  }
  return sql::quote_identifier(folded);
}

Error aggregates_disabled() {
  return errors::make(400, "PGRST123", "Use of aggregate functions is not allowed");
}

Expected<bool> bind_embed(const BindContext& context, plan::ReadNode& node,
                          const ast::SelectItem& item) {
  if (node.depth + 1 > context.config.limits.max_nesting) {
    return errors::limit_exceeded("Embedded resources nest deeper than " +
                                  std::to_string(context.config.limits.max_nesting) + " levels");
  }
  auto relationship = find_relationship(context.catalog, context.config, context.via_api_layer,
                                        *node.relation, item.field.name, item.hint);
  if (!relationship) return std::move(relationship.error());
  // A to-many spread aggregates its columns into arrays: PostgREST refuses it, as any
  // aggregate, unless aggregates are enabled.
  if (item.kind == ast::SelectItem::Kind::spread && !(*relationship)->to_one() &&
      !context.config.aggregates_enabled) {
    return aggregates_disabled();
  }
  plan::Embed embed;
  embed.relationship = *relationship;
  embed.relation_name = item.field.name;
  embed.name = item.alias.empty() ? item.field.name : item.alias;
  embed.inner = item.join == ast::JoinType::inner;
  embed.spread = item.kind == ast::SelectItem::Kind::spread;
  // PostgREST's naming: <parent table>_<embed name>_<depth>.
  embed.lateral_alias.append(node.relation->name)
      .append("_")
      .append(embed.name)
      .append("_")
      .append(std::to_string(node.depth + 1));
  auto child = std::make_unique<plan::ReadNode>();
  child->relation = &context.catalog.relations[(*relationship)->target];
  child->depth = node.depth + 1;
  child->table_alias.append(child->relation->name).append("_").append(std::to_string(child->depth));
  if ((*relationship)->cardinality == Cardinality::many_to_many) {
    child->junction = &context.catalog.relations[(*relationship)->junction];
    child->junction_alias.append(child->junction->name)
        .append("_j")
        .append(std::to_string(child->depth));
  }
  if (item.children.empty()) {
    child->select.clear();  // `rel()`: joined for filtering, nothing selected
  } else {
    auto bound = bind_node_select(context, *child, item.children);
    if (!bound) return std::move(bound.error());
  }
  if (embed.spread && (*relationship)->to_one() && child->has_aggregate) {
    // PostgREST hoists the aggregates of a to-one spread to the nearest node that is not
    // a spread, grouped by that node's other columns: a spread only selects the values
    // (under internal aliases), and passes on up those its own nested spreads hoisted.
    const auto next_alias = [&] {
      ast::String alias = "pgrst_aggregate_";
      alias.append(std::to_string(embed.hoisted.size()));
      return alias;
    };
    for (plan::SelectEntry& entry : child->select) {
      if (entry.aggregate.empty()) continue;
      plan::HoistedAggregate hoisted;
      hoisted.aggregate = entry.aggregate;
      hoisted.aggregate_cast = entry.aggregate_cast;
      hoisted.output_name = entry.output_name;
      hoisted.column_alias = next_alias();
      // count() counts the related rows: a marker that is NULL when the left join found
      // none (count(*) would count the parent's rows).
      if (entry.kind == plan::SelectEntry::Kind::count) {
        entry.kind = plan::SelectEntry::Kind::hoisted_value;
      }
      entry.output_name = hoisted.column_alias;
      entry.explicit_name = true;
      entry.aggregate.clear();
      entry.aggregate_cast.clear();
      entry.hoisted = true;
      embed.hoisted.push_back(std::move(hoisted));
    }
    for (size_t e = 0; e < child->embeds.size(); ++e) {
      plan::Embed& nested = child->embeds[e];
      for (plan::HoistedAggregate& inner : nested.hoisted) {
        plan::SelectEntry value;
        value.kind = plan::SelectEntry::Kind::hoisted_value;
        value.embed_index = e;
        value.hoisted_source = inner.column_alias;
        value.hoisted = true;
        value.explicit_name = true;
        inner.column_alias = next_alias();
        value.output_name = inner.column_alias;
        child->select.push_back(std::move(value));
        embed.hoisted.push_back(std::move(inner));
      }
      nested.hoisted.clear();
    }
    child->has_aggregate = false;
    node.has_aggregate = true;
  }
  if (embed.spread && !(*relationship)->to_one() && child->has_aggregate) {
    return errors::make(400, "PGRST127", "Feature not implemented",
                        "Aggregates are not implemented for one-to-many or many-to-many spreads.");
  }
  embed.node = std::move(child);
  plan::SelectEntry entry;
  entry.kind = embed.spread ? plan::SelectEntry::Kind::spread : plan::SelectEntry::Kind::embed;
  entry.embed_index = node.embeds.size();
  entry.output_name = embed.name;
  entry.explicit_name = true;
  const bool empty_embed = item.children.empty();
  node.embeds.push_back(std::move(embed));
  if (!empty_embed) node.select.push_back(std::move(entry));
  return true;
}

Expected<bool> bind_node_select(const BindContext& context, plan::ReadNode& node,
                                const ast::List<ast::SelectItem>& items) {
  const Relation& relation = *node.relation;
  for (const ast::SelectItem& item : items) {
    plan::SelectEntry entry;
    switch (item.kind) {
      case ast::SelectItem::Kind::star:
        entry.kind = plan::SelectEntry::Kind::star;
        break;
      case ast::SelectItem::Kind::embed:
      case ast::SelectItem::Kind::spread: {
        auto bound = bind_embed(context, node, item);
        if (!bound) return std::move(bound.error());
        continue;
      }
      case ast::SelectItem::Kind::count:
        if (!context.config.aggregates_enabled) return aggregates_disabled();
        entry.kind = plan::SelectEntry::Kind::count;
        entry.aggregate = "count";
        if (!item.aggregate_cast.empty()) {
          auto cast = cast_type_sql(item.aggregate_cast);
          if (!cast) return std::move(cast.error());
          entry.aggregate_cast = std::move(*cast);
        }
        entry.output_name = item.alias.empty() ? "count" : item.alias;
        entry.explicit_name = true;
        node.has_aggregate = true;
        break;
      case ast::SelectItem::Kind::column: {
        auto path = bind_field(context, relation, item.field);
        if (!path) return std::move(path.error());
        entry.kind = plan::SelectEntry::Kind::column;
        entry.path = std::move(*path);
        for (auto [from, to] : {std::pair{&item.cast, &entry.cast},
                                std::pair{&item.aggregate_cast, &entry.aggregate_cast}}) {
          if (from->empty()) continue;
          auto cast = cast_type_sql(*from);
          if (!cast) return std::move(cast.error());
          *to = std::move(*cast);
        }
        entry.aggregate = item.aggregate;
        if (!item.aggregate.empty()) {
          if (!context.config.aggregates_enabled) return aggregates_disabled();
          node.has_aggregate = true;
        }
        if (!item.alias.empty()) {
          entry.output_name = item.alias;
        } else if (!item.aggregate.empty()) {
          entry.output_name = item.aggregate;
        } else {
          entry.output_name = implicit_name(item.field);
        }
        // A computed field is named explicitly: its output name is not a column's.
        entry.explicit_name = !item.alias.empty() || !item.field.json_path.empty() ||
                              !item.cast.empty() || !item.aggregate.empty() ||
                              entry.path.computed != nullptr;
        break;
      }
    }
    node.select.push_back(std::move(entry));
  }
  if (node.select.empty() && node.embeds.empty() && items.empty()) {
    node.select.push_back(plan::SelectEntry{});
    node.select.back().kind = plan::SelectEntry::Kind::star;
  }
  return true;
}

// The node an embed path (`roles.actors`) names, from the root.
Expected<plan::ReadNode*> node_at(plan::ReadNode& root, const ast::List<ast::String>& path) {
  plan::ReadNode* node = &root;
  for (const ast::String& segment : path) {
    auto embed = find_embed(*node, segment);
    if (!embed) return embedded_path_error(segment);
    node = node->embeds[*embed].node.get();
  }
  return node;
}

// Output names of a node, to check related ordering against what a to-one embed returns.
bool outputs_column(const plan::ReadNode& node, std::string_view name) {
  for (const plan::SelectEntry& entry : node.select) {
    if (entry.kind == plan::SelectEntry::Kind::star) {
      if (node.relation->find_column(name)) return true;
    } else if (entry.kind == plan::SelectEntry::Kind::column ||
               entry.kind == plan::SelectEntry::Kind::count) {
      const std::string_view output =
          entry.explicit_name ? std::string_view(entry.output_name) : entry.path.name();
      if (output == name) return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------ negotiation

// `;nulls=stripped` counts only as the range's one parameter, as in PostgREST's
// decodeMediaType (`application/vnd.pgrst.object+json;nulls=stripped;x=1` keeps nulls).
bool only_nulls_stripped(const headers::MediaRange& range) {
  return range.params.size() == 1 && range.params.front().first == "nulls" &&
         iequals(range.params.front().second, "stripped");
}

constexpr std::string_view kStrippedArray = "application/vnd.pgrst.array+json;nulls=stripped";
constexpr std::string_view kObject = "application/vnd.pgrst.object+json";
constexpr std::string_view kStrippedObject = "application/vnd.pgrst.object+json;nulls=stripped";

// What one media range asks for, as PostgREST's decodeMediaType reads it; nullopt for a
// type we do not produce. `text/*` and `application/*` are not wildcards there (only
// `*/*` is), and `vnd.pgrst.array[+json]` without `nulls=stripped` is plain JSON,
// answered as application/json.
std::optional<Negotiated> producible(const headers::MediaRange& range) {
  const std::string& type = range.type;
  const std::string& subtype = range.subtype;
  if ((type == "*" && subtype == "*") || (type == "application" && subtype == "json")) {
    return Negotiated{};
  }
  if (type == "application" &&
      (subtype == "vnd.pgrst.array+json" || subtype == "vnd.pgrst.array")) {
    if (!only_nulls_stripped(range)) return Negotiated{};
    return Negotiated{plan::OutputFormat::json_array, true, kStrippedArray};
  }
  if (type == "application" &&
      (subtype == "vnd.pgrst.object+json" || subtype == "vnd.pgrst.object")) {
    const bool stripped = only_nulls_stripped(range);
    return Negotiated{plan::OutputFormat::json_object, stripped,
                      stripped ? kStrippedObject : kObject};
  }
  if (type == "text" && subtype == "csv") {
    return Negotiated{plan::OutputFormat::csv, false, "text/csv"};
  }
  return std::nullopt;
}

Expected<Negotiated> negotiate(const Request& request) {
  const std::string* accept = find_header(request, "accept");
  if (!accept || accept->empty()) return Negotiated{};
  // The values clients send most often are answered without parsing (parse_accept
  // allocates), so that ordinary reads stay allocation-free.
  if (iequals(*accept, "*/*") || iequals(*accept, "application/json")) return Negotiated{};
  if (iequals(*accept, "text/csv")) return Negotiated{plan::OutputFormat::csv, false, "text/csv"};
  if (iequals(*accept, kObject)) return Negotiated{plan::OutputFormat::json_object, false, kObject};
  auto ranges = headers::parse_accept(*accept);
  if (ranges) {
    for (const headers::MediaRange& range : *ranges) {
      if (range.quality <= 0) continue;
      if (auto negotiated = producible(range)) return *negotiated;
    }
  }
  return errors::make(406, "PGRST107", "None of these media types are available: " + *accept);
}

Preferences read_preferences(const Request& request) {
  Preferences prefs;
  bool count_seen = false;
  bool return_seen = false;
  bool resolution_seen = false;
  bool missing_seen = false;
  for (const auto& [name, value] : request.headers) {
    if (!iequals(name, "prefer")) continue;
    for (const std::string& token : headers::parse_prefer(value)) {
      if (token == "count=exact" || token == "count=planned" || token == "count=estimated") {
        if (!count_seen) {
          prefs.count = token == "count=exact"     ? plan::CountMode::exact
                        : token == "count=planned" ? plan::CountMode::planned
                                                   : plan::CountMode::estimated;
          count_seen = true;
        }
      } else if (token == "return=minimal" || token == "return=headers-only" ||
                 token == "return=representation") {
        if (!return_seen) {
          prefs.return_pref = token == "return=minimal"        ? ReturnPreference::minimal
                              : token == "return=headers-only" ? ReturnPreference::headers_only
                                                               : ReturnPreference::representation;
          return_seen = true;
        }
      } else if (token == "resolution=merge-duplicates" ||
                 token == "resolution=ignore-duplicates") {
        if (!resolution_seen) {
          prefs.resolution = token == "resolution=merge-duplicates" ? Resolution::merge_duplicates
                                                                    : Resolution::ignore_duplicates;
          resolution_seen = true;
        }
      } else if (token == "missing=default" || token == "missing=null") {
        if (!missing_seen) prefs.missing_default = token == "missing=default";
        missing_seen = true;
      } else if (token == "tx=commit" || token == "tx=rollback") {
        if (!prefs.tx_rollback) prefs.tx_rollback = token == "tx=rollback";
      } else if (token == "handling=strict") {
        prefs.strict = true;
      } else if (token == "handling=lenient" || token.rfind("timezone=", 0) == 0) {
        // Accepted; nothing to do for them here.
      } else if (token.rfind("max-affected=", 0) == 0) {
        const std::string_view digits = std::string_view(token).substr(13);
        int64_t number = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), number);
        if (ec == std::errc() && end == digits.data() + digits.size() && number >= 0) {
          if (!prefs.max_affected) prefs.max_affected = number;
        } else {
          prefs.invalid.push_back(token);
        }
      } else {
        prefs.invalid.push_back(token);
      }
    }
  }
  return prefs;
}

// Intersects the root limit/offset with the Range header and caps with max_rows.
void cap_embedded(plan::ReadNode& node, const Config& config) {
  for (plan::Embed& embed : node.embeds) {
    plan::ReadNode& child = *embed.node;
    if (config.max_rows) {
      child.limit = child.limit ? std::min(*child.limit, *config.max_rows) : *config.max_rows;
    }
    cap_embedded(child, config);
  }
}

// Intersects the root limit/offset with the Range header, applies embedded
// limit/offset, and caps every node with max_rows.
Expected<bool> apply_ranges(plan::ReadNode& root, const ast::Query& query, const Request& request,
                            const Config& config) {
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
  for (const ast::ScopedRange& range : query.ranges) {
    if (!range.embed_path.empty()) {
      auto node = node_at(root, range.embed_path);
      if (!node) return std::move(node.error());
      (*node)->limit = range.limit;
      (*node)->offset = range.offset;
      continue;
    }
    limit = range.limit;
    offset = range.offset;
  }
  if (request.method == "GET") {
    if (const std::string* header = find_header(request, "range")) {
      if (auto byte_range = headers::parse_range(*header)) {
        if (byte_range->last && *byte_range->last < byte_range->first) {
          return errors::make(416, "PGRST103", "Requested range not satisfiable",
                              "The lower boundary must be lower than or equal to the upper "
                              "boundary in the Range header.");
        }
        // [offset, offset + limit) intersected with [first, last]. Every bound is at
        // least 0 and at most INT64_MAX, so the ends saturate instead of overflowing:
        // `Range: 0-9223372036854775807` is every row, not LIMIT of a wrapped sum.
        const auto saturating_add = [](int64_t a, int64_t b) {
          return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max()
                                                             : a + b;
        };
        const int64_t query_first = offset.value_or(0);
        const int64_t first = std::max(query_first, byte_range->first);
        std::optional<int64_t> end;  // exclusive
        if (limit) end = saturating_add(query_first, *limit);
        if (byte_range->last) {
          const int64_t header_end = saturating_add(*byte_range->last, 1);
          end = end ? std::min(*end, header_end) : header_end;
        }
        offset = first;
        if (end) limit = std::max<int64_t>(0, *end - first);
      }
    }
  }
  if (config.max_rows) limit = limit ? std::min(*limit, *config.max_rows) : *config.max_rows;
  root.limit = limit;
  root.offset = offset;
  cap_embedded(root, config);
  return true;
}

}  // namespace

namespace detail {

Error managed_schema_error() {
  // Deliberately the same for every object: it must not reveal what the schema holds.
  return errors::make(403, "PGRX403", "This schema is managed by the platform",
                      "Objects in managed schemas are not reachable through /rest/v1/",
                      "Use the Project Service API (/api/) to access it");
}

bool is_managed(const Config& config, std::string_view schema) {
  return contains(config.managed_schemas, schema);
}

bool reaches_managed(const Config& config, const std::vector<std::string>& schemas) {
  return std::any_of(schemas.begin(), schemas.end(),
                     [&](const std::string& schema) { return is_managed(config, schema); });
}

Expected<bool> resolve_scope(const Catalog& catalog, const Config& config,
                             const ClaimPath& role_claim, const Request& request,
                             RequestScope& scope) {
  auto schema = choose_schema(config, request);
  if (!schema) return std::move(schema.error());
  scope.schema = std::move(*schema);

  auto role = role_from_claims(catalog, config, role_claim, request);
  if (!role) return std::move(role.error());
  plan::Context& context = scope.context;
  context.role = std::move(role->role);
  context.claims_json = std::move(role->claims_json);
  context.method = request.method;
  context.path = request.path;
  context.headers_json = headers_json(request);
  context.cookies_json = cookies_json(request);
  context.search_path = sql::quote_identifier(scope.schema);
  if (scope.schema != "public") context.search_path += ", \"public\"";
  if (config.pre_request) {
    // Trusted config, but it still reaches SQL only as quoted identifiers:
    // "schema.function", or "function" in the request's schema.
    const std::string& name = *config.pre_request;
    const size_t dot = name.find('.');
    context.pre_request_schema = dot == std::string::npos ? scope.schema : name.substr(0, dot);
    context.pre_request_function = dot == std::string::npos ? name : name.substr(dot + 1);
  }

  auto negotiated = negotiate(request);
  if (!negotiated) return std::move(negotiated.error());
  scope.negotiated = std::move(*negotiated);

  scope.prefs = read_preferences(request);
  if (scope.prefs.strict && !scope.prefs.invalid.empty()) {
    std::string list;
    for (const auto& token : scope.prefs.invalid) list += (list.empty() ? "" : ", ") + token;
    return errors::make(400, "PGRST122", "Invalid preferences given with handling=strict",
                        "Invalid preferences: " + list);
  }
  return true;
}

// Binds select (with embeds), filters, logic trees, order and ranges onto `root`.
// Root-level filters go to *root_filters when given (a mutation's WHERE), else to root.
Expected<bool> bind_query(const Catalog& catalog, const Config& config, const Request& request,
                          plan::ReadNode& root, const ast::Query& query,
                          ast::List<plan::Condition>* root_filters) {
  // select, with embedded resources bound recursively
  const BindContext context{catalog, config, request.via_api_layer};
  if (query.select && !query.select->empty()) {
    auto bound = bind_node_select(context, root, *query.select);
    if (!bound) return std::move(bound.error());
  } else {
    root.select.push_back(plan::SelectEntry{});
    root.select.back().kind = plan::SelectEntry::Kind::star;
  }

  // filters and logic trees, each on the node its key names
  for (const ast::Filter& filter : query.filters) {
    auto node = node_at(root, filter.embed_path);
    if (!node) return std::move(node.error());
    auto predicate = bind_predicate(context, **node, filter.field, filter.expr);
    if (!predicate) return std::move(predicate.error());
    plan::Condition condition;
    condition.predicate = std::move(*predicate);
    (*node == &root && root_filters ? *root_filters : (*node)->where)
        .push_back(std::move(condition));
  }
  for (const ast::ScopedLogic& logic : query.logic) {
    auto node = node_at(root, logic.embed_path);
    if (!node) return std::move(node.error());
    auto tree = bind_tree(context, **node, logic.tree, 1);
    if (!tree) return std::move(tree.error());
    plan::Condition condition;
    condition.tree = std::make_unique<plan::BoolTree>(std::move(*tree));
    (*node == &root && root_filters ? *root_filters : (*node)->where)
        .push_back(std::move(condition));
  }

  // order
  for (const ast::ScopedOrder& order : query.orders) {
    auto node = node_at(root, order.embed_path);
    if (!node) return std::move(node.error());
    for (const ast::OrderTerm& term : order.terms) {
      plan::OrderEntry entry;
      entry.direction = term.direction;
      entry.nulls = term.nulls;
      if (!term.relation.empty()) {
        // `order=rel(col)`: only through a to-one embed of the same node.
        auto embed = find_embed_by_key(**node, term.relation);
        if (!embed) return embedded_path_error(term.relation);
        const plan::Embed& target = (*node)->embeds[*embed];
        if (!target.relationship->to_one()) {
          return errors::make(
              400, "PGRST118",
              "A related order on '" + std::string(target.name) + "' is not possible",
              "'" + (*node)->relation->name + "' and '" + std::string(target.name) +
                  "' do not form a many-to-one or one-to-one relationship");
        }
        if (!term.field.json_path.empty() || !outputs_column(*target.node, term.field.name)) {
          return column_not_found(*target.node->relation, term.field.name);
        }
        entry.embed_index = *embed;
        entry.embed_column = term.field.name;
      } else {
        auto path = bind_field(context, *(*node)->relation, term.field);
        if (!path) return std::move(path.error());
        entry.path = std::move(*path);
      }
      (*node)->order.push_back(std::move(entry));
    }
  }

  return apply_ranges(root, query, request, config);
}

Error missing_relation(const Catalog& catalog, std::string_view schema, std::string_view name) {
  return relation_not_found(catalog, schema, name);
}

Error missing_column(const Relation& relation, std::string_view column) {
  return column_not_found(relation, column);
}

const std::string* header(const Request& request, std::string_view name) {
  return find_header(request, name);
}

}  // namespace detail

std::optional<ClaimPath> parse_claim_path(std::string_view text) {
  ClaimPath path;
  pegtl::memory_input<> input(text.data(), text.size(), "role_claim_key");
  if (!pegtl::parse<claim_rules::path, claim_action>(input, path)) return std::nullopt;
  return path;
}

Expected<plan::ReadPlan> resolve_read(const Catalog& catalog, const Config& config,
                                      const ClaimPath& role_claim, const Request& request,
                                      const decode::Target& target, ast::Query query) {
  plan::ReadPlan read;
  auto resolved = resolve_read(catalog, config, role_claim, request, target, query, read);
  if (!resolved) return std::move(resolved.error());
  return read;
}

Expected<bool> resolve_read(const Catalog& catalog, const Config& config,
                            const ClaimPath& role_claim, const Request& request,
                            const decode::Target& target, const ast::Query& query,
                            plan::ReadPlan& read) {
  read = plan::ReadPlan{};
  RequestScope scope;
  if (auto scoped = resolve_scope(catalog, config, role_claim, request, scope); !scoped) {
    return std::move(scoped.error());
  }
  read.head = request.method == "HEAD";
  read.schema = scope.schema;
  read.context = std::move(scope.context);
  read.format = scope.negotiated.format;
  read.nulls_stripped = scope.negotiated.nulls_stripped;
  read.media_type = scope.negotiated.media_type;
  read.count = scope.prefs.count;

  const Relation* relation = catalog.find_relation(read.schema, target.name);
  if (!relation) return relation_not_found(catalog, read.schema, target.name);
  read.root.relation = relation;
  auto bound = bind_query(catalog, config, request, read.root, query, nullptr);
  if (!bound) return std::move(bound.error());
  return true;
}

}  // namespace pgrest::resolve
