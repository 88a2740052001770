// Function calls on /rpc/<name>: overload resolution by argument names (PGRST202,
// PGRST203), arguments from the query string (GET/HEAD) or a JSON object body (POST),
// a single unnamed json/jsonb parameter taking the whole body, and the result shapes.
// Table-returning functions take the read grammar on their rows.
#include <simdjson.h>

#include <algorithm>

#include "common/errors.hpp"
#include "common/sql_text.hpp"
#include "common/utf8.hpp"
#include "resolve/detail.hpp"

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

Error no_function(std::string_view schema, std::string_view name,
                  const std::vector<std::string>& arguments) {
  std::string list;
  for (const auto& argument : arguments) list += (list.empty() ? "" : ", ") + argument;
  const std::string qualified = std::string(schema) + "." + std::string(name);
  return errors::make(
      404, "PGRST202",
      "Could not find the function " + qualified + "(" + list + ") in the schema cache",
      "Searched for the function " + qualified +
          (list.empty() ? " without parameters" : " with parameters " + list) +
          " or with a single unnamed json/jsonb parameter, but no matches were "
          "found in the schema cache.");
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
  if (detail::is_managed(config, function.return_type_schema)) return true;
  return std::any_of(
      function.params.begin(), function.params.end(),
      [&](const FunctionParam& param) { return detail::is_managed(config, param.type_schema); });
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
  if (matches.empty()) return no_function(rpc.schema, target.name, names);
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

  // Access mode: GET/HEAD run read-only, so a volatile function is refused up front
  // (PostgREST offers only POST for them); POST is read-write only for volatile ones.
  const bool is_volatile = function.volatility == Volatility::volatile_;
  if (!post && is_volatile) {
    return errors::make(405, "PGRST101",
                        "Cannot use the " + request.method + " method on a volatile function",
                        "Function " + function.schema + "." + function.name +
                            " is VOLATILE; it can only be called with POST");
  }
  outcome.read_only = !(post && is_volatile);

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

  outcome.status = rpc.shape == plan::RpcPlan::Shape::void_ ? 204 : 200;
  return outcome;
}

}  // namespace pgrest::resolve
