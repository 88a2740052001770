// Function calls on /rpc/<name>: overload resolution by argument names (PGRST202,
// PGRST203), arguments from the query string (GET/HEAD) or a JSON object body (POST),
// a single unnamed json/jsonb parameter taking the whole body, and the result shapes.
// Table-returning functions take the read grammar on their rows.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/errors.hpp"
#include "common/sql_text.hpp"
#include "common/utf8.hpp"
#include "resolve/detail.hpp"
#include "resolve/fuzzy.hpp"

namespace pgrest::resolve {

using namespace detail;  // NOLINT

namespace {

bool is_input(const FunctionParam& param) {
  return param.mode == ParamMode::in || param.mode == ParamMode::inout ||
         param.mode == ParamMode::variadic;
}

bool is_output(const FunctionParam& param) {
  return param.mode == ParamMode::out || param.mode == ParamMode::inout ||
         param.mode == ParamMode::table;
}

// One unnamed input of the type the body's Content-Type calls for (json/jsonb for JSON,
// text for text/plain): the whole body is its argument.
bool takes_whole_body(const Function& function, bool plain_text) {
  const FunctionParam* only = nullptr;
  for (const FunctionParam& param : function.params) {
    if (!is_input(param)) continue;
    if (only) return false;
    only = &param;
  }
  if (!only || !only->name.empty()) return false;
  return plain_text ? only->type == "text" : only->type == "json" || only->type == "jsonb";
}

// PostgREST's rule: every argument names an input, and every input without a default
// is given.
bool accepts(const Function& function, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const bool known = std::any_of(
        function.params.begin(), function.params.end(),
        [&](const FunctionParam& param) { return is_input(param) && param.name == name; });
    if (!known) return false;
  }
  for (const FunctionParam& param : function.params) {
    if (!is_input(param) || param.has_default) continue;
    if (param.name.empty()) return false;
    if (std::find(names.begin(), names.end(), param.name) == names.end()) return false;
  }
  return true;
}

std::string signature(const Function& function) {
  std::string out = function.schema + "." + function.name + "(";
  bool first = true;
  for (const FunctionParam& param : function.params) {
    if (!is_input(param)) continue;
    if (!first) out += ", ";
    first = false;
    if (!param.name.empty()) out += param.name + " => ";
    out += param.type;
  }
  return out + ")";
}

// The hint is a courtesy on an error path: its cost (quadratic in the lengths compared,
// linear in the candidates) is bounded so that a long name, a request with thousands of
// argument names or a schema with thousands of functions cannot make a refusal expensive.
constexpr size_t kMaxHintText = 256;        // bytes of the name or argument list compared
constexpr size_t kMaxHintCandidates = 500;  // functions (or overloads) considered

// PostgREST's fuzzy match of `query` among `candidates` (see fuzzy::best_match), within
// the bounds above.
std::optional<std::string> fuzzy_best(const std::vector<std::string>& candidates,
                                      std::string_view query) {
  if (query.size() > kMaxHintText || candidates.size() > kMaxHintCandidates) return std::nullopt;
  std::vector<std::string_view> comparable;
  std::vector<size_t> positions;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].size() > kMaxHintText) continue;
    comparable.push_back(candidates[i]);
    positions.push_back(i);
  }
  const std::optional<size_t> best = fuzzy::best_match(comparable, query);
  if (!best) return std::nullopt;
  return candidates[positions[*best]];
}

// "(a, b, c)": sorted names, as PostgREST lists parameters in its hint.
std::string sorted_list(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) out += (i > 0 ? ", " : "") + names[i];
  return out + ")";
}

// PGRST202 as PostgREST words it (Error.hs, NoRpc), with its fuzzy hint: the closest
// function name of the schema when none has this name, else the closest parameter list
// of the overloads. A text/plain body is only ever the single unnamed text parameter:
// no parameter list and no hint then.
Error no_function(const Catalog& catalog, std::string_view schema, std::string_view name,
                  std::vector<std::string> arguments, bool post, bool plain_text,
                  const std::vector<const Function*>& overloads) {
  std::sort(arguments.begin(), arguments.end());
  std::string list;
  for (const auto& argument : arguments) list += (list.empty() ? "" : ", ") + argument;
  const std::string qualified = std::string(schema) + "." + std::string(name);
  const std::string in_message =
      plain_text ? "" : (arguments.empty() ? " without parameters" : "(" + list + ")");
  const std::string with_parameters =
      arguments.empty() ? " without parameters"
                        : (arguments.size() > 1 ? " with parameters " : " with parameter ") + list;
  std::string details = "Searched for the function " + qualified;
  if (plain_text) {
    details += " with a single unnamed text parameter";
  } else if (post) {
    details += with_parameters + " or with a single unnamed json/jsonb parameter";
  } else {
    details += with_parameters;
  }
  details += ", but no matches were found in the schema cache.";
  std::optional<std::string> hint;
  if (!plain_text) {
    std::optional<std::string> best;
    if (overloads.empty()) {
      std::vector<std::string> names;
      for (const Function& function : catalog.functions) {
        if (function.schema != schema) continue;
        if (names.size() > kMaxHintCandidates) break;  // no hint then: fuzzy_best refuses
        if (std::find(names.begin(), names.end(), function.name) == names.end()) {
          names.push_back(function.name);
        }
      }
      best = fuzzy_best(names, name);
    } else {
      std::vector<std::string> lists;
      for (const Function* function : overloads) {
        std::vector<std::string> params;
        for (const FunctionParam& param : function->params) {
          if (is_input(param)) params.push_back(param.name);
        }
        lists.push_back(sorted_list(std::move(params)));
      }
      // Measured before the list is built: thousands of argument names get no hint.
      size_t argument_bytes = 0;
      for (const std::string& argument : arguments) argument_bytes += argument.size() + 2;
      if (argument_bytes <= kMaxHintText && overloads.size() <= kMaxHintCandidates) {
        best = fuzzy_best(lists, sorted_list(arguments));
      }
      if (best) best = std::string(name) + *best;
    }
    if (best) hint = "Perhaps you meant to call the function " + std::string(schema) + "." + *best;
  }
  return errors::make(
      404, "PGRST202",
      "Could not find the function " + qualified + in_message + " in the schema cache",
      std::move(details), std::move(hint));
}

struct Body {
  std::vector<std::string> keys;
  bool is_array = false;
};

Expected<Body> inspect_arguments_body(std::string_view body) {
  Body out;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;  // `{}`
  const Error invalid = errors::make(400, "PGRST102", "Empty or invalid json");
  if (utf8::first_invalid(body) != std::string_view::npos) return invalid;
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::dom::element document;
  if (parser.allocate(padded.size(), 256) != simdjson::SUCCESS ||
      parser.parse(padded).get(document) != simdjson::SUCCESS) {
    return invalid;
  }
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (document.get(array) == simdjson::SUCCESS) {
    // PostgREST calls the function with the first element only.
    out.is_array = true;
    simdjson::dom::element first;
    if (array.at(0).get(first) != simdjson::SUCCESS) return out;
    document = first;
  }
  if (document.get(object) != simdjson::SUCCESS) return invalid;
  for (auto field : object) out.keys.emplace_back(field.key);
  std::sort(out.keys.begin(), out.keys.end());
  out.keys.erase(std::unique(out.keys.begin(), out.keys.end()), out.keys.end());
  return out;
}

// Whether a function's result or parameters involve a managed schema: the relation its
// rows come from, its return type, or the type of any parameter (IN, OUT, INOUT,
// VARIADIC or TABLE).
bool touches_managed_schema(const Config& config, const Function& function) {
  if (function.return_relation_schema &&
      detail::is_managed(config, *function.return_relation_schema)) {
    return true;
  }
  if (detail::reaches_managed(config, function.return_type_schemas)) return true;
  return std::any_of(function.params.begin(), function.params.end(),
                     [&](const FunctionParam& param) {
                       return detail::reaches_managed(config, param.type_schemas);
                     });
}

}  // namespace

Expected<RpcOutcome> resolve_rpc(const Catalog& catalog, const Config& config,
                                 const ClaimPath& role_claim, const Request& request,
                                 const decode::Target& target, ast::Query query) {
  RequestScope scope;
  if (auto scoped = resolve_scope(catalog, config, role_claim, request, scope); !scoped) {
    return std::move(scoped.error());
  }
  RpcOutcome outcome;
  outcome.plan = std::make_unique<plan::RpcPlan>();
  plan::RpcPlan& rpc = *outcome.plan;
  rpc.schema = scope.schema;
  rpc.context = std::move(scope.context);
  rpc.format = scope.negotiated.format;
  rpc.nulls_stripped = scope.negotiated.nulls_stripped;
  rpc.media_type = scope.negotiated.media_type;
  rpc.count = scope.prefs.count;
  rpc.head = request.method == "HEAD";
  const bool post = request.method == "POST";
  const std::string* content_type = header(request, "content-type");
  const bool plain_text = post && content_type && content_type->rfind("text/plain", 0) == 0;

  // The argument names the call supplies.
  std::vector<std::string> names;
  Body body;
  if (plain_text) {
    // Only a function with one unnamed text parameter takes a text/plain body.
  } else if (post) {
    auto inspected = inspect_arguments_body(request.body.value_or(""));
    if (!inspected) return std::move(inspected.error());
    body = std::move(*inspected);
    names = body.keys;
  } else {
    for (const auto& [name, value] : query.arguments) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
    }
  }

  const std::vector<const Function*> overloads = catalog.find_functions(rpc.schema, target.name);
  std::vector<const Function*> matches;
  for (const Function* function : overloads) {
    if (!plain_text && accepts(*function, names)) matches.push_back(function);
  }
  if (matches.empty() && post) {
    for (const Function* function : overloads) {
      if (takes_whole_body(*function, plain_text)) matches.push_back(function);
    }
  }
  if (matches.empty()) {
    return no_function(catalog, rpc.schema, target.name, names, post, plain_text, overloads);
  }
  if (matches.size() > 1) {
    std::string candidates;
    for (const Function* function : matches) {
      candidates += (candidates.empty() ? "" : ", ") + signature(*function);
    }
    return errors::make(300, "PGRST203",
                        "Could not choose the best candidate function between: " + candidates,
                        std::nullopt,
                        "Try renaming the parameters or the function itself in the database "
                        "so function overloading can be resolved");
  }
  const Function& function = *matches.front();
  rpc.call.function = &function;

  // A public function is no door into a managed schema: not through the rows it returns
  // (a table there), nor through a type defined there (a composite whose fields are
  // platform data, an enum or domain, OUT/TABLE columns), nor through its arguments.
  if (!request.via_api_layer && touches_managed_schema(config, function)) {
    return detail::managed_schema_error();
  }

  // Arguments.
  if (post && takes_whole_body(function, plain_text) && (plain_text || !accepts(function, names))) {
    rpc.call.source =
        plain_text ? plan::RpcCall::Arguments::whole_text : plan::RpcCall::Arguments::whole_body;
    rpc.call.body = request.body.value_or("");
    if (rpc.call.body.find_first_not_of(" \t\r\n") == std::string::npos) rpc.call.body = "{}";
  } else if (post) {
    rpc.call.source = plan::RpcCall::Arguments::body;
    rpc.call.body = request.body.value_or("");
    if (rpc.call.body.find_first_not_of(" \t\r\n") == std::string::npos) rpc.call.body = "{}";
    rpc.call.body_is_array = body.is_array;
    for (const FunctionParam& param : function.params) {
      if (is_input(param) && std::find(names.begin(), names.end(), param.name) != names.end()) {
        rpc.call.body_arguments.push_back(&param);
      }
    }
  } else {
    rpc.call.source = plan::RpcCall::Arguments::url;
    for (const FunctionParam& param : function.params) {
      if (!is_input(param) || std::find(names.begin(), names.end(), param.name) == names.end()) {
        continue;
      }
      // Repeated keys accumulate only for the VARIADIC parameter; otherwise the last wins.
      std::vector<std::string> values;
      for (const auto& [name, value] : query.arguments) {
        if (name == param.name) values.emplace_back(value);
      }
      rpc.call.url_arguments.emplace_back(
          &param, param.mode == ParamMode::variadic ? sql::array_literal(values) : values.back());
    }
  }

  // Access mode, as PostgREST sets it: GET/HEAD always run in a READ ONLY transaction,
  // whatever the volatility (a function that writes then fails with 25006, which
  // PostgREST answers with 405); POST is read-write only for volatile functions.
  const bool is_volatile = function.volatility == Volatility::volatile_;
  outcome.read_only = !(post && is_volatile);
  outcome.rollback = scope.prefs.tx_rollback.value_or(false);

  // Result shape.
  const bool has_out_columns =
      std::any_of(function.params.begin(), function.params.end(), is_output);
  if (function.returns_void) {
    rpc.shape = plan::RpcPlan::Shape::void_;
  } else if (function.returns_composite || function.return_relation_name || has_out_columns) {
    rpc.shape = function.returns_set ? plan::RpcPlan::Shape::row_set : plan::RpcPlan::Shape::row;
  } else {
    rpc.shape =
        function.returns_set ? plan::RpcPlan::Shape::scalar_set : plan::RpcPlan::Shape::scalar;
  }

  if (rpc.shape == plan::RpcPlan::Shape::row || rpc.shape == plan::RpcPlan::Shape::row_set) {
    const Relation* rows = nullptr;
    if (function.return_relation_schema && function.return_relation_name) {
      rows =
          catalog.find_relation(*function.return_relation_schema, *function.return_relation_name);
    }
    if (!rows) {
      // OUT/TABLE parameters: a relation of its own, without relationships.
      rpc.result_columns = std::make_unique<Relation>();
      rpc.result_columns->schema = function.schema;
      rpc.result_columns->name = function.name;
      for (const FunctionParam& param : function.params) {
        if (!is_output(param)) continue;
        Column& column = rpc.result_columns->columns.emplace_back();
        column.name = param.name;
        column.type = column.base_type = param.type;
        column.type_oid = param.type_oid;
      }
      rpc.result_columns->index_columns();
      rows = rpc.result_columns.get();
    }
    rpc.root.relation = rows;
    rpc.root.table_alias = rows->name;
    rpc.root.call = &rpc.call;
    auto bound = bind_query(catalog, config, request, rpc.root, query, nullptr);
    if (!bound) return std::move(bound.error());
  } else if (!query.filters.empty() || !query.logic.empty() || !query.orders.empty() ||
             (query.select && !query.select->empty())) {
    return errors::make(400, "PGRST100",
                        "Filters, select and order apply only to functions that return rows");
  }

  // Prefer: max-affected with handling=strict caps the rows a function returns; it only
  // means something for a set-returning function, so any other is refused before it runs
  // (PGRST128), as PostgREST does.
  if (scope.prefs.strict && scope.prefs.max_affected) {
    if (!function.returns_set) {
      return errors::make(400, "PGRST128",
                          "Function must return SETOF or TABLE when max-affected preference is "
                          "used with handling=strict");
    }
    outcome.max_affected = scope.prefs.max_affected;
  }

  outcome.status = rpc.shape == plan::RpcPlan::Shape::void_ ? 204 : 200;
  return outcome;
}

}  // namespace pgrest::resolve
