// Writes: POST (insert, upsert), PUT (single-row upsert), PATCH (update), DELETE. The
// body is validated and its keys collected in one simdjson pass; the raw body then
// travels as ONE json parameter and is unpacked in SQL by json_to_record(set) with a
// column definition list of exactly the payload's columns, typed from the catalog.
#include <simdjson.h>

#include <algorithm>

#include "common/errors.hpp"
#include "resolve/detail.hpp"

namespace pgrest::resolve {

using namespace detail;  // NOLINT

namespace {

// JSON values inside a body may nest (jsonb columns); bound it well above real use.
constexpr size_t kMaxBodyDepth = 256;

Error invalid_body(std::string details) {
  return errors::make(400, "PGRST102", "Empty or invalid json", std::move(details));
}

struct BodyShape {
  bool is_array = false;
  std::vector<std::string> keys;  // the key set (sorted), empty for `{}` / `[]`
};

// Validates the body and collects its key set; every object of an array must have the
// same keys (PGRST102), as PostgREST requires.
Expected<BodyShape> inspect_body(std::string_view body, bool check_keys) {
  // One parser and padded buffer per thread: a fresh parser for every request spends
  // more on allocating and first-touching its buffers than on parsing. Buffers grown for
  // a rare huge body are released again rather than kept per thread.
  struct BodyParser {
    simdjson::dom::parser parser;
    std::string padded;
    size_t capacity = 0;
  };
  constexpr size_t kKeptCapacity = 1 << 20;
  thread_local BodyParser reused;
  if (body.size() > reused.capacity) {
    const size_t capacity = std::max<size_t>(body.size(), 64 * 1024);
    if (reused.parser.allocate(capacity, kMaxBodyDepth) != simdjson::SUCCESS) {
      reused.capacity = 0;
      return invalid_body("The request body is not valid JSON");
    }
    reused.capacity = capacity;
  }
  struct ShrinkAfterUse {
    BodyParser& state;
    ~ShrinkAfterUse() {
      if (state.capacity > kKeptCapacity) {
        state.parser = simdjson::dom::parser{};
        state.padded = std::string();
        state.capacity = 0;
      }
    }
  } shrink{reused};
  reused.padded.assign(body);
  reused.padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element document;
  // simdjson validates UTF-8 as it parses (in the same SIMD pass), so no separate check.
  const simdjson::error_code parsed =
      reused.parser.parse(reused.padded.data(), body.size(), false).get(document);
  if (parsed == simdjson::UTF8_ERROR) return invalid_body("The request body is not valid UTF-8");
  if (parsed != simdjson::SUCCESS) return invalid_body("The request body is not valid JSON");
  BodyShape shape;
  const auto keys_of = [](simdjson::dom::object object) {
    std::vector<std::string> keys;
    for (auto field : object) keys.emplace_back(field.key);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  };
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (document.get(object) == simdjson::SUCCESS) {
    shape.keys = keys_of(object);
    return shape;
  }
  if (document.get(array) != simdjson::SUCCESS) {
    return invalid_body("The request body must be a JSON object or an array of objects");
  }
  shape.is_array = true;
  bool first = true;
  // The first object's keys as written: clients serialise every row the same way, so
  // each later object is compared key by key in that order (no search); anything else
  // takes the general path, which marks each known key seen once.
  std::vector<std::string_view> first_order;
  std::vector<char> seen;
  for (simdjson::dom::element item : array) {
    if (item.get(object) != simdjson::SUCCESS) {
      return invalid_body("Every element of the array must be a JSON object");
    }
    if (!check_keys) continue;
    if (first) {
      shape.keys = keys_of(object);
      for (auto field : object) first_order.push_back(field.key);
      first = false;
      continue;
    }
    size_t position = 0;
    bool in_order = true;
    for (auto field : object) {
      if (position >= first_order.size() || field.key != first_order[position]) {
        in_order = false;
        break;
      }
      ++position;
    }
    if (in_order && position == first_order.size()) continue;
    seen.assign(shape.keys.size(), 0);
    size_t distinct = 0;
    for (auto field : object) {
      const auto found = std::lower_bound(shape.keys.begin(), shape.keys.end(), field.key);
      if (found == shape.keys.end() || *found != field.key) {
        return errors::make(400, "PGRST102", "All object keys must match");
      }
      char& mark = seen[static_cast<size_t>(found - shape.keys.begin())];
      distinct += mark == 0 ? 1 : 0;
      mark = 1;
    }
    if (distinct != shape.keys.size()) {
      return errors::make(400, "PGRST102", "All object keys must match");
    }
  }
  return shape;
}

Error unknown_column(const Relation& relation, std::string_view column) {
  return errors::make(400, "PGRST204",
                      "Could not find the '" + std::string(column) + "' column of '" +
                          relation.name + "' in the schema cache");
}

// Payload columns in the table's order, so the SQL text depends only on the key set.
// `names`: the body's keys (std::string) or `?columns=` (arena strings).
template <typename Names>
Expected<std::vector<const Column*>> payload_columns(const Relation& relation, const Names& names) {
  for (const auto& name : names) {
    if (!relation.find_column(name)) return unknown_column(relation, name);
  }
  std::vector<const Column*> columns;
  for (const Column& column : relation.columns) {
    if (std::find(names.begin(), names.end(), column.name) != names.end()) {
      columns.push_back(&column);
    }
  }
  return columns;
}

bool is_pk_eq_filter(const Relation& relation, const ast::Filter& filter) {
  const ast::OpExpr& expr = filter.expr;
  return filter.embed_path.empty() && filter.field.json_path.empty() && !expr.negated &&
         expr.op == ast::Operator::eq && expr.quantifier == ast::Quantifier::none &&
         std::find(relation.primary_key.begin(), relation.primary_key.end(), filter.field.name) !=
             relation.primary_key.end();
}

// PUT addresses exactly one row by its primary key: only `pk=eq.value` filters, one per
// key column, no logic trees, no limit/offset.
Expected<std::vector<std::pair<const Column*, std::string>>> put_key(const Relation& relation,
                                                                     const ast::Query& query) {
  for (const ast::ScopedRange& range : query.ranges) {
    if (range.embed_path.empty() && (range.limit || range.offset)) {
      return errors::make(400, "PGRST114",
                          "limit/offset querystring parameters are not allowed for PUT");
    }
  }
  const Error wrong = errors::make(
      405, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators");
  if (relation.primary_key.empty() || !query.logic.empty()) return wrong;
  std::vector<std::pair<const Column*, std::string>> key;
  for (const ast::Filter& filter : query.filters) {
    if (!is_pk_eq_filter(relation, filter)) return wrong;
    for (const auto& [column, value] : key) {
      if (column->name == filter.field.name) return wrong;  // the same key column twice
    }
    key.emplace_back(relation.find_column(filter.field.name), filter.expr.value);
  }
  if (key.size() != relation.primary_key.size()) return wrong;
  return key;
}

bool has_null_embed_filter(const ast::List<plan::Condition>& conditions);

bool tree_has_null_embed(const plan::BoolTree& tree) {
  return has_null_embed_filter(tree.items);
}

bool has_null_embed_filter(const ast::List<plan::Condition>& conditions) {
  return std::any_of(conditions.begin(), conditions.end(), [](const plan::Condition& condition) {
    return condition.tree ? tree_has_null_embed(*condition.tree)
                          : condition.predicate.embed_index.has_value();
  });
}

}  // namespace

Expected<WriteOutcome> resolve_write(const Catalog& catalog, const Config& config,
                                     const ClaimPath& role_claim, const Request& request,
                                     const decode::Target& target, ast::Query query) {
  RequestScope scope;
  if (auto scoped = resolve_scope(catalog, config, role_claim, request, scope); !scoped) {
    return std::move(scoped.error());
  }
  WriteOutcome outcome;
  plan::WritePlan& write = outcome.plan;
  const std::string& method = request.method;
  write.kind = method == "POST"    ? plan::WriteKind::insert
               : method == "PUT"   ? plan::WriteKind::put
               : method == "PATCH" ? plan::WriteKind::update
                                   : plan::WriteKind::remove;
  write.schema = scope.schema;
  write.context = std::move(scope.context);
  write.format = scope.negotiated.format;
  write.nulls_stripped = scope.negotiated.nulls_stripped;
  write.media_type = scope.negotiated.media_type;
  const Preferences& prefs = scope.prefs;

  const Relation* relation = catalog.find_relation(write.schema, target.name);
  if (!relation) return missing_relation(catalog, write.schema, target.name);
  write.relation = relation;

  if (write.kind == plan::WriteKind::put) {
    auto key = put_key(*relation, query);
    if (!key) return std::move(key.error());
    write.put_key = std::move(*key);
    query.filters.clear();  // they became the key, compared with the payload
  }

  // The rows the statement returns, shaped by select/order/embeds.
  write.returned.relation = relation;
  write.returned.table_alias = relation->name;
  write.returned.reads_mutation_result = true;
  auto bound = bind_query(catalog, config, request, write.returned, query, &write.where);
  if (!bound) return std::move(bound.error());
  // Ranges do not apply to mutations (PostgREST v13+); the representation keeps order.
  write.returned.limit.reset();
  write.returned.offset.reset();
  if (has_null_embed_filter(write.where)) {
    return errors::make(400, "PGRST127", "Feature not implemented",
                        "Filters on embedded resources are not available on writes");
  }
  if (write.kind == plan::WriteKind::insert && !write.where.empty()) {
    return errors::make(400, "PGRST100", "Filters are not allowed on inserts");
  }

  // Body: validated, its keys collected, unless `columns=` declares them (PostgREST then
  // passes the body through; we still check it is JSON, which is cheap).
  if (write.kind != plan::WriteKind::remove) {
    const std::string* content_type = header(request, "content-type");
    if (content_type && content_type->rfind("application/json", 0) != 0) {
      return errors::make(400, "PGRST102", "Content-Type not acceptable: " + *content_type);
    }
    const std::string_view body = request.body ? std::string_view(*request.body) : "";
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return invalid_body("The request body is empty");
    }
    auto shape = inspect_body(body, !query.columns.has_value());
    if (!shape) return std::move(shape.error());
    auto columns = query.columns ? payload_columns(*relation, *query.columns)
                                 : payload_columns(*relation, shape->keys);
    if (!columns) return std::move(columns.error());
    write.columns = std::move(*columns);
    write.body = body;
    write.body_is_array = shape->is_array;
    write.missing_default = prefs.missing_default && write.kind != plan::WriteKind::put;
  }

  // Upsert.
  if (write.kind == plan::WriteKind::put) {
    write.on_conflict = plan::OnConflict::merge;
    for (const std::string& name : relation->primary_key) {
      write.conflict_columns.push_back(relation->find_column(name));
    }
  } else if (write.kind == plan::WriteKind::insert && prefs.resolution != Resolution::none) {
    std::vector<std::string_view> names;
    if (query.on_conflict) {
      names.assign(query.on_conflict->begin(), query.on_conflict->end());
    } else {
      names.assign(relation->primary_key.begin(), relation->primary_key.end());
    }
    for (const std::string_view name : names) {
      const Column* column = relation->find_column(name);
      if (!column) return missing_column(*relation, name);
      write.conflict_columns.push_back(column);
    }
    // Without a primary key or on_conflict there is nothing to conflict on: plain insert.
    if (!write.conflict_columns.empty()) {
      write.on_conflict = prefs.resolution == Resolution::merge_duplicates
                              ? plan::OnConflict::merge
                              : plan::OnConflict::ignore;
    }
  }

  write.representation = prefs.return_pref == ReturnPreference::representation;
  // An upsert, and a PUT that returns its row, report whether they inserted (201) or
  // only updated (200); the returned rows then carry a bookkeeping column, so `*` must
  // list the real ones.
  write.returned.expand_star =
      (write.on_conflict == plan::OnConflict::merge && write.kind == plan::WriteKind::insert) ||
      (write.kind == plan::WriteKind::put && write.representation);
  // PostgREST computes a Location only for POST with return=headers-only.
  write.location = write.kind == plan::WriteKind::insert && !relation->primary_key.empty() &&
                   prefs.return_pref == ReturnPreference::headers_only;

  switch (write.kind) {
    case plan::WriteKind::insert:
      outcome.status = 201;
      break;
    case plan::WriteKind::put:
    case plan::WriteKind::update:
    case plan::WriteKind::remove:
      outcome.status = write.representation ? 200 : 204;
      break;
  }
  outcome.rollback = prefs.tx_rollback.value_or(false);
  // PATCH and DELETE only: PostgREST checks max-affected neither on inserts nor on PUT
  // (singleUpsertQuery has no such check; PUT writes one row or fails with PGRST115).
  if (prefs.strict && prefs.max_affected &&
      (write.kind == plan::WriteKind::update || write.kind == plan::WriteKind::remove)) {
    outcome.max_affected = prefs.max_affected;
  }
  return outcome;
}

}  // namespace pgrest::resolve
