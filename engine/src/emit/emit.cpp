#include "emit/emit.hpp"

#include <algorithm>

#include "common/sql_text.hpp"

namespace pgrest::emit {

namespace {

using sql::SqlBuilder;

// How a node's columns are qualified: `"schema"."table"` at the root of a read,
// `"table_1"` (the node's alias) inside an embed. Views into the plan and catalog; the
// quoted text is written where it is used, so no qualifier string is built per node.
struct Scope {
  std::string_view schema;  // empty when `name` is an alias
  std::string_view name;
  // The rows carry bookkeeping columns beyond the relation's (an upsert's returned rows).
  bool extra_columns = false;
};

Scope scope_of(const plan::ReadNode& node) {
  if (node.table_alias.empty()) {
    return Scope{node.relation->schema, node.relation->name, node.expand_star};
  }
  return Scope{{}, node.table_alias, node.expand_star};
}

Scope scope_of(const Relation& relation) {
  return Scope{relation.schema, relation.name};
}

SqlBuilder& qualifier(SqlBuilder& sql, const Scope& scope) {
  if (!scope.schema.empty()) sql.identifier(scope.schema).text(".");
  return sql.identifier(scope.name);
}

void column_ref(SqlBuilder& sql, const Scope& scope, std::string_view column) {
  qualifier(sql, scope).text(".").identifier(column);
}

// A computed field: the function, schema-qualified (whatever the search_path), called on
// the node's whole row cast to the relation's row type, which is what it takes (the rows
// a mutation returns are an anonymous record until cast). An upsert's returned rows carry
// an extra column (whether each was inserted) that the cast would refuse: their row is
// built from the relation's columns instead. All names come from the catalog.
void computed_field_call(SqlBuilder& sql, const Scope& scope, const plan::ColumnPath& path) {
  sql.qualified(path.computed->schema, path.computed->name).text("(");
  if (scope.extra_columns) {
    sql.text("row(");
    bool first = true;
    for (const Column& column : path.computed_row->columns) {
      if (!first) sql.text(", ");
      first = false;
      column_ref(sql, scope, column.name);
    }
    sql.text(")");
  } else {
    qualifier(sql, scope).text(".*");
  }
  sql.text("::");
  sql.qualified(path.computed_row->schema, path.computed_row->name).text(")");
}

void column_expression(SqlBuilder& sql, const Scope& scope, const plan::ColumnPath& path) {
  const std::string_view type = path.base_type();
  const bool json_column = type == "json" || type == "jsonb";
  const bool wrap = !path.json_path.empty() && !json_column;
  // JSON paths apply directly to json/jsonb columns (so expression indexes still match)
  // and through to_jsonb() to any other type, as PostgREST does.
  if (wrap) sql.text("to_jsonb(");
  if (path.computed) {
    computed_field_call(sql, scope, path);
  } else {
    column_ref(sql, scope, path.column->name);
  }
  if (wrap) sql.text(")");
  for (const ast::JsonStep& step : path.json_path) {
    sql.text(step.as_text ? "->>" : "->");
    sql.param(step.key);
    if (step.is_index) sql.text("::int");
  }
}

std::string_view comparison_operator(ast::Operator op) {
  using Op = ast::Operator;
  switch (op) {
    case Op::eq:
      return " = ";
    case Op::neq:
      return " <> ";
    case Op::gt:
      return " > ";
    case Op::gte:
      return " >= ";
    case Op::lt:
      return " < ";
    case Op::lte:
      return " <= ";
    case Op::like:
      return " like ";
    case Op::ilike:
      return " ilike ";
    case Op::match:
      return " ~ ";
    case Op::imatch:
      return " ~* ";
    case Op::cs:
      return " @> ";
    case Op::cd:
      return " <@ ";
    case Op::ov:
      return " && ";
    case Op::sl:
      return " << ";
    case Op::sr:
      return " >> ";
    case Op::nxr:
      return " &< ";
    case Op::nxl:
      return " &> ";
    case Op::adj:
      return " -|- ";
    case Op::isdistinct:
      return " is distinct from ";
    default:
      return " = ";
  }
}

std::string_view tsquery_function(ast::Operator op) {
  switch (op) {
    case ast::Operator::plfts:
      return "plainto_tsquery(";
    case ast::Operator::phfts:
      return "phraseto_tsquery(";
    case ast::Operator::wfts:
      return "websearch_to_tsquery(";
    default:
      return "to_tsquery(";
  }
}

// like/ilike take `*` as the wildcard in URLs (no escaping in URLs needed).
void append_like_pattern(std::string& out, std::string_view value) {
  for (const char c : value) out += c == '*' ? '%' : c;
}

std::vector<std::string_view> output_names(const plan::ReadNode& node);

// The column in which a to-many spread's lateral counts its rows: named after the
// lateral, and distinct from the spread's own output columns (a request may alias one of
// them to anything, the lateral's name included).
std::string spread_count_name(const plan::Embed& embed) {
  std::string name(embed.lateral_alias);
  name += "_count";
  const std::vector<std::string_view> names = output_names(*embed.node);
  while (std::find(names.begin(), names.end(), name) != names.end()) name += '_';
  return name;
}

void null_embed_sql(SqlBuilder& sql, const plan::ReadNode& node, const plan::Predicate& predicate) {
  const plan::Embed& embed = node.embeds[*predicate.embed_index];
  const bool is_null = predicate.expr.is_value == ast::IsValue::null;
  if (predicate.expr.negated) sql.text("not (");
  // A to-one lateral row is NULL when nothing matched; a to-many aggregate is NULL when
  // there were no rows (json_agg over nothing); a to-many spread counts its rows.
  if (embed.relationship->to_one()) {
    sql.text("row_to_json(").identifier(embed.lateral_alias).text(".*)");
    sql.text(is_null ? " is null" : " is not null");
  } else if (embed.spread) {
    sql.identifier(embed.lateral_alias).text(".").identifier(spread_count_name(embed));
    sql.text(is_null ? " = 0" : " > 0");
  } else {
    sql.identifier(embed.lateral_alias).text(".").identifier(embed.lateral_alias);
    sql.text(is_null ? " is null" : " is not null");
  }
  if (predicate.expr.negated) sql.text(")");
}

void predicate_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node,
                   const plan::Predicate& predicate) {
  if (predicate.embed_index) {
    null_embed_sql(sql, node, predicate);
    return;
  }
  const ast::OpExpr& expr = predicate.expr;
  using Op = ast::Operator;
  if (expr.negated) sql.text("not (");
  switch (expr.op) {
    case Op::is: {
      column_expression(sql, scope, predicate.path);
      static constexpr std::string_view kIs[] = {" is null", " is not null", " is true",
                                                 " is false", " is unknown"};
      sql.text(kIs[static_cast<size_t>(expr.is_value)]);
      break;
    }
    case Op::in:
      column_expression(sql, scope, predicate.path);
      if (expr.list.size() == 1 && expr.list.front().empty()) {
        sql.text(" = any('{}')");  // `in.()`: no element can match
      } else {
        sql.text(" = any(")
            .param_with([&](std::string& value) { sql::append_array_literal(value, expr.list); })
            .text(")");
      }
      break;
    case Op::fts:
    case Op::plfts:
    case Op::phfts:
    case Op::wfts:
      if (predicate.wrap_tsvector) {
        sql.text("to_tsvector(");
        if (expr.language) sql.param(*expr.language).text(", ");
        column_expression(sql, scope, predicate.path);
        sql.text(")");
      } else {
        column_expression(sql, scope, predicate.path);
      }
      sql.text(" @@ ").text(tsquery_function(expr.op));
      if (expr.language) sql.param(*expr.language).text(", ");
      sql.param(expr.value).text(")");
      break;
    default: {
      column_expression(sql, scope, predicate.path);
      sql.text(comparison_operator(expr.op));
      const bool like = expr.op == Op::like || expr.op == Op::ilike;
      const bool quantified = expr.quantifier != ast::Quantifier::none;
      if (quantified) sql.text(expr.quantifier == ast::Quantifier::any ? "any(" : "all(");
      if (like) {
        sql.param_with([&](std::string& value) { append_like_pattern(value, expr.value); });
      } else {
        sql.param(std::string_view(expr.value));
      }
      if (quantified) sql.text(")");
    }
  }
  if (expr.negated) sql.text(")");
}

void tree_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node,
              const plan::BoolTree& tree);

void condition_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node,
                   const plan::Condition& condition) {
  if (condition.tree) {
    tree_sql(sql, scope, node, *condition.tree);
  } else {
    predicate_sql(sql, scope, node, condition.predicate);
  }
}

void tree_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node,
              const plan::BoolTree& tree) {
  if (tree.negated) sql.text("not ");
  sql.text("(");
  if (tree.items.empty()) sql.text(tree.is_or ? "false" : "true");
  for (size_t i = 0; i < tree.items.size(); ++i) {
    if (i > 0) sql.text(tree.is_or ? " or " : " and ");
    condition_sql(sql, scope, node, tree.items[i]);
  }
  sql.text(")");
}

// The expression of a select entry, without its output name.
void entry_expression(SqlBuilder& sql, const Scope& scope, const plan::SelectEntry& entry) {
  if (entry.kind == plan::SelectEntry::Kind::count) {
    if (!entry.aggregate_cast.empty()) sql.text("cast(");
    sql.text("count(*)");
    if (!entry.aggregate_cast.empty()) sql.text(" as ").text(entry.aggregate_cast).text(")");
    return;
  }
  const bool aggregate = !entry.aggregate.empty();
  if (aggregate) {
    if (!entry.aggregate_cast.empty()) sql.text("cast(");
    sql.text(entry.aggregate).text("(");
  }
  if (!entry.cast.empty()) sql.text("cast(");
  column_expression(sql, scope, entry.path);
  if (!entry.cast.empty()) sql.text(" as ").text(entry.cast).text(")");
  if (aggregate) {
    sql.text(")");
    if (!entry.aggregate_cast.empty()) sql.text(" as ").text(entry.aggregate_cast).text(")");
  }
}

// Output column names, for to-many spreads.
// The value an embed contributes to its parent's row.
void embed_value_sql(SqlBuilder& sql, const plan::Embed& embed) {
  if (embed.relationship->to_one()) {
    sql.text("row_to_json(").identifier(embed.lateral_alias).text(".*)::jsonb");
  } else {
    sql.text("coalesce(").identifier(embed.lateral_alias).text(".");
    sql.identifier(embed.lateral_alias).text(", '[]')");
  }
}

void select_list_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node) {
  bool first = true;
  const auto separator = [&] {
    if (!first) sql.text(", ");
    first = false;
  };
  for (const plan::SelectEntry& entry : node.select) {
    switch (entry.kind) {
      case plan::SelectEntry::Kind::star:
        if (node.has_aggregate || node.expand_star) {
          // Grouped reads list the columns they group by instead of `t.*`.
          for (const Column& column : node.relation->columns) {
            separator();
            column_ref(sql, scope, column.name);
          }
        } else {
          separator();
          qualifier(sql, scope).text(".*");
        }
        break;
      case plan::SelectEntry::Kind::embed:
        separator();
        embed_value_sql(sql, node.embeds[entry.embed_index]);
        sql.text(" as ").identifier(entry.output_name);
        break;
      case plan::SelectEntry::Kind::spread: {
        // A spread lifts the embed's columns into this row, and computes the aggregates
        // hoisted out of it over the lateral's rows.
        const plan::Embed& embed = node.embeds[entry.embed_index];
        for (const std::string_view name : output_names(*embed.node)) {
          separator();
          sql.identifier(embed.lateral_alias).text(".").identifier(name);
        }
        for (const plan::HoistedAggregate& hoisted : embed.hoisted) {
          separator();
          if (!hoisted.aggregate_cast.empty()) sql.text("cast(");
          sql.text(hoisted.aggregate).text("(").identifier(embed.lateral_alias).text(".");
          sql.identifier(hoisted.column_alias).text(")");
          if (!hoisted.aggregate_cast.empty()) {
            sql.text(" as ").text(hoisted.aggregate_cast).text(")");
          }
          sql.text(" as ").identifier(hoisted.output_name);
        }
        break;
      }
      case plan::SelectEntry::Kind::hoisted_value:
        separator();
        if (entry.hoisted_source.empty()) {
          sql.text("true");
        } else {
          sql.identifier(node.embeds[entry.embed_index].lateral_alias).text(".");
          sql.identifier(entry.hoisted_source);
        }
        sql.text(" as ").identifier(entry.output_name);
        break;
      default:
        separator();
        entry_expression(sql, scope, entry);
        if (entry.explicit_name) sql.text(" as ").identifier(entry.output_name);
    }
  }
}

// GROUP BY every select-list item that is not an aggregate. An item with a JSON path is
// named by its position in the select list: written out again its keys would be new
// parameters ($1 there, $2 here), which PostgreSQL cannot match to the select list's.
// (PostgREST groups by the item's alias, which PostgreSQL resolves to an input column of
// that name first: `tags->>0` would be grouped by the whole `tags` column.)
void group_by_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node) {
  if (!node.has_aggregate) return;
  bool first = true;
  const auto separator = [&] {
    sql.text(first ? " group by " : ", ");
    first = false;
  };
  size_t position = 0;  // of the last select-list item, as select_list_sql writes them
  for (const plan::SelectEntry& entry : node.select) {
    switch (entry.kind) {
      case plan::SelectEntry::Kind::star:
        for (const Column& column : node.relation->columns) {
          ++position;
          separator();
          column_ref(sql, scope, column.name);
        }
        break;
      case plan::SelectEntry::Kind::column:
        ++position;
        if (!entry.aggregate.empty()) break;
        separator();
        if (entry.path.json_path.empty()) {
          entry_expression(sql, scope, entry);
        } else {
          sql.text(std::to_string(position));
        }
        break;
      case plan::SelectEntry::Kind::embed:
        ++position;
        separator();
        embed_value_sql(sql, node.embeds[entry.embed_index]);
        break;
      case plan::SelectEntry::Kind::spread: {
        const plan::Embed& embed = node.embeds[entry.embed_index];
        for (const std::string_view name : output_names(*embed.node)) {
          ++position;
          separator();
          sql.identifier(embed.lateral_alias).text(".").identifier(name);
        }
        position += embed.hoisted.size();
        break;
      }
      case plan::SelectEntry::Kind::hoisted_value:
        // Only a spread's own select has them, and a spread hoists all its aggregates.
        ++position;
        separator();
        sql.text(std::to_string(position));
        break;
      case plan::SelectEntry::Kind::count:
        ++position;
        break;
    }
  }
}

void order_sql(SqlBuilder& sql, const Scope& scope, const plan::ReadNode& node) {
  for (size_t i = 0; i < node.order.size(); ++i) {
    const plan::OrderEntry& entry = node.order[i];
    sql.text(i == 0 ? " order by " : ", ");
    if (entry.embed_index) {
      sql.identifier(node.embeds[*entry.embed_index].lateral_alias).text(".");
      sql.identifier(entry.embed_column);
    } else {
      column_expression(sql, scope, entry.path);
    }
    if (entry.direction == ast::Direction::asc) sql.text(" asc");
    if (entry.direction == ast::Direction::desc) sql.text(" desc");
    if (entry.nulls == ast::Nulls::first) sql.text(" nulls first");
    if (entry.nulls == ast::Nulls::last) sql.text(" nulls last");
  }
}

void node_query_sql(SqlBuilder& sql, const plan::ReadNode& node, const Scope* parent,
                    const plan::Embed* via);

void call_arguments_source_sql(SqlBuilder& sql, const plan::RpcCall& call) {
  sql.text("json_to_record(").param(call.body).text(call.body_is_array ? "::json->0" : "::json");
  sql.text(") as \"pgrst_args\"(");
  for (size_t i = 0; i < call.body_arguments.size(); ++i) {
    if (i > 0) sql.text(", ");
    sql.identifier(call.body_arguments[i]->name).text(" ").text(call.body_arguments[i]->type);
  }
  if (call.body_arguments.empty()) sql.text("\"pgrst_none\" text");
  sql.text(")");
}

// One LATERAL join per embed of `node`.
void joins_sql(SqlBuilder& sql, const plan::ReadNode& node, const Scope& scope) {
  for (const plan::Embed& embed : node.embeds) {
    ast::String lateral;  // in the arena
    sql::append_identifier(lateral, embed.lateral_alias);
    sql.text(embed.inner ? " inner join lateral (" : " left join lateral (");
    if (embed.relationship->to_one()) {
      node_query_sql(sql, *embed.node, &scope, &embed);
      sql.text(") as ").text(lateral).text(" on true");
      continue;
    }
    if (embed.spread) {
      // A to-many spread turns each column into an array, in the embed's order. The
      // count of rows makes it one row per parent even with no columns (`...rel()`), and
      // is what a null-embed filter on the spread tests.
      sql.text("select count(*) as ").identifier(spread_count_name(embed));
      for (const std::string_view name : output_names(*embed.node)) {
        sql.text(", coalesce(json_agg(").text(lateral).text(".").identifier(name);
        sql.text("), '[]')::jsonb as ").identifier(name);
      }
    } else {
      sql.text("select json_agg(").text(lateral).text(")::jsonb as ").text(lateral);
    }
    sql.text(" from (");
    node_query_sql(sql, *embed.node, &scope, &embed);
    sql.text(") as ").text(lateral).text(") as ").text(lateral);
    if (embed.inner && !embed.spread) {
      sql.text(" on ").text(lateral).text(".").text(lateral).text(" is not null");
    } else {
      sql.text(" on true");
    }
  }
}

// `"s"."f"(args)`: arguments by name, from the URL (cast to the parameter's type, as
// PostgREST does), from the JSON body, or the whole body for one unnamed json parameter.
void call_sql(SqlBuilder& sql, const plan::RpcCall& call) {
  const Function& function = *call.function;
  sql.qualified(function.schema, function.name).text("(");
  switch (call.source) {
    case plan::RpcCall::Arguments::whole_body: {
      // Cast to the parameter's own type (json or jsonb): PostgreSQL does not convert a
      // json argument to a jsonb parameter implicitly.
      std::string_view type = "json";
      for (const FunctionParam& param : function.params) {
        if (param.mode == ParamMode::in || param.mode == ParamMode::inout ||
            param.mode == ParamMode::variadic) {
          type = param.type;
          break;
        }
      }
      sql.param(call.body).text("::").text(type);
      break;
    }
    case plan::RpcCall::Arguments::whole_text:
      sql.param(call.body).text("::text");
      break;
    case plan::RpcCall::Arguments::url:
      for (size_t i = 0; i < call.url_arguments.size(); ++i) {
        const auto& [param, value] = call.url_arguments[i];
        if (i > 0) sql.text(", ");
        if (param->mode == ParamMode::variadic) sql.text("variadic ");
        // The type is catalog text (format_type), never request text.
        sql.identifier(param->name).text(" := ").param(value).text("::").text(param->type);
      }
      break;
    case plan::RpcCall::Arguments::body:
      for (size_t i = 0; i < call.body_arguments.size(); ++i) {
        const FunctionParam* param = call.body_arguments[i];
        if (i > 0) sql.text(", ");
        if (param->mode == ParamMode::variadic) sql.text("variadic ");
        sql.identifier(param->name).text(" := \"pgrst_args\".").identifier(param->name);
      }
      break;
  }
  sql.text(")");
}

// The FROM items of a call: for body arguments, the record they are read from first
// (a function in FROM may refer to an earlier item).
void call_from_sql(SqlBuilder& sql, const plan::RpcCall& call) {
  if (call.source == plan::RpcCall::Arguments::body) {
    call_arguments_source_sql(sql, call);
    sql.text(", ");
  }
  call_sql(sql, call);
}

// FROM, the joins of the embeds, and WHERE (join conditions to the parent, then the
// node's own filters).
void from_where_sql(SqlBuilder& sql, const plan::ReadNode& node, const Scope& scope,
                    const Scope* parent, const plan::Embed* via) {
  if (node.reads_mutation_result) {
    sql.text(" from \"pgrst_source\"");
  } else if (node.call) {
    sql.text(" from ");
    call_from_sql(sql, *node.call);
  } else {
    sql.text(" from ").qualified(node.relation->schema, node.relation->name);
  }
  if (!node.table_alias.empty()) sql.text(" as ").identifier(node.table_alias);
  const Relationship* relationship = via ? via->relationship : nullptr;
  const bool many_to_many = relationship && relationship->cardinality == Cardinality::many_to_many;
  std::string junction;
  if (many_to_many) {
    junction = sql::quote_identifier(node.junction_alias);
    sql.text(", ").qualified(node.junction->schema, node.junction->name);
    sql.text(" as ").text(junction);
  }
  joins_sql(sql, node, scope);
  bool first = true;
  const auto conjunction = [&] {
    sql.text(first ? " where " : " and ");
    first = false;
  };
  if (relationship) {
    if (many_to_many) {
      for (size_t i = 0; i < relationship->target_columns.size(); ++i) {
        conjunction();
        sql.text(junction).text(".").identifier(relationship->junction_target_columns[i]);
        sql.text(" = ");
        column_ref(sql, scope, relationship->target_columns[i]);
      }
      for (size_t i = 0; i < relationship->source_columns.size(); ++i) {
        conjunction();
        sql.text(junction).text(".").identifier(relationship->junction_source_columns[i]);
        sql.text(" = ");
        column_ref(sql, *parent, relationship->source_columns[i]);
      }
    } else {
      for (size_t i = 0; i < relationship->target_columns.size(); ++i) {
        conjunction();
        column_ref(sql, scope, relationship->target_columns[i]);
        sql.text(" = ");
        column_ref(sql, *parent, relationship->source_columns[i]);
      }
    }
  }
  for (const plan::Condition& condition : node.where) {
    conjunction();
    condition_sql(sql, scope, node, condition);
  }
  // `!inner` on a to-many embed or spread keeps only parents with matching rows.
  for (const plan::Embed& embed : node.embeds) {
    if (embed.inner && embed.spread && !embed.relationship->to_one()) {
      conjunction();
      sql.text("exists (select 1");
      from_where_sql(sql, *embed.node, scope_of(*embed.node), &scope, &embed);
      sql.text(")");
    }
  }
}

// A complete SELECT for an embedded node.
void node_query_sql(SqlBuilder& sql, const plan::ReadNode& node, const Scope* parent,
                    const plan::Embed* via) {
  const Scope scope = scope_of(node);
  sql.text("select ");
  select_list_sql(sql, scope, node);
  from_where_sql(sql, node, scope, parent, via);
  group_by_sql(sql, scope, node);
  order_sql(sql, scope, node);
  if (node.limit) sql.text(" limit ").param(std::to_string(*node.limit));
  if (node.offset) sql.text(" offset ").param(std::to_string(*node.offset));
}

std::vector<std::string_view> output_names(const plan::ReadNode& node) {
  std::vector<std::string_view> names;
  for (const plan::SelectEntry& entry : node.select) {
    if (entry.kind == plan::SelectEntry::Kind::star) {
      for (const Column& column : node.relation->columns) names.push_back(column.name);
    } else if (entry.kind == plan::SelectEntry::Kind::spread) {
      const plan::Embed& embed = node.embeds[entry.embed_index];
      for (const auto name : output_names(*embed.node)) names.push_back(name);
      for (const auto& hoisted : embed.hoisted) names.push_back(hoisted.output_name);
    } else if (entry.hoisted) {
      continue;  // selected for the parent's aggregate, not an output of its own
    } else if (entry.explicit_name) {
      names.push_back(entry.output_name);
    } else {
      names.push_back(entry.path.name());
    }
  }
  return names;
}

// CSV exactly as PostgREST writes it (SqlFragment.hs asCsvF): the header is the keys of
// row_to_json of the first row, joined by commas and unquoted; each line is the row's
// record text without its outer parentheses, so quoting follows PostgreSQL's record
// output (a value with spaces, commas, quotes, parentheses or backslashes is quoted,
// quotes and backslashes are doubled, NULL is empty, booleans are t/f), not RFC 4180.
// No output name appears in the SQL, so duplicate names (`select=id,id`) are fine, and
// an empty result is just "\n".
//
// `header_source` names the relation whose first row gives the header: `pgrst_source`
// for reads, whose rows are exactly the output rows (as in PostgREST). When it is empty
// (the representation of a mutation, where `pgrst_source` holds the RETURNING rows, not
// the selected ones) the header comes from the first output row itself.
void csv_body_sql(SqlBuilder& sql, std::string_view header_source) {
  sql.text(
      "(select coalesce(string_agg(a.k, ','), '') from (select json_object_keys(r)::text as k");
  if (header_source.empty()) {
    sql.text(" from (select (array_agg(row_to_json(_postgrest_t)))[1] as r) s) a)");
  } else {
    sql.text(" from (select row_to_json(hh) as r from ").text(header_source);
    sql.text(" as hh limit 1) s) a)");
  }
  sql.text(
      " || E'\\n' || coalesce(string_agg(substring(_postgrest_t::text, 2, "
      "length(_postgrest_t::text) - 2), E'\\n'), '')");
}

void body_sql(SqlBuilder& sql, std::string_view csv_header_source, plan::OutputFormat format,
              bool nulls_stripped) {
  switch (format) {
    case plan::OutputFormat::json_array:
      sql.text(nulls_stripped ? "coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')::text"
                              : "coalesce(json_agg(_postgrest_t), '[]')::text");
      break;
    case plan::OutputFormat::json_object:
      sql.text(nulls_stripped
                   ? "coalesce(json_strip_nulls(json_agg(_postgrest_t)->0)::text, 'null')"
                   : "coalesce((json_agg(_postgrest_t)->0)::text, 'null')");
      break;
    case plan::OutputFormat::csv:
      csv_body_sql(sql, csv_header_source);
      break;
  }
}

}  // namespace

namespace {

// Context is `const plan::Context&` (values copied) or `plan::Context&&` (values moved).
template <typename Context>
void prelude_of(Context&& context, Statement& prelude) {
  const auto value = [&](auto member) -> decltype(auto) {
    return std::forward<Context>(context).*member;
  };
  prelude.params.clear();
  SqlBuilder sql(prelude.params, 512, 7, std::move(prelude.sql));  // seven settings
  const bool pre_request = !context.pre_request_function.empty();
  // The pre-request function runs after every setting is in place: the settings are a
  // subquery fenced with OFFSET 0, so the planner cannot evaluate the call first.
  if (pre_request) {
    sql.text("select ").qualified(context.pre_request_schema, context.pre_request_function);
    sql.text("() from (");
  }
  // Setting names are fixed literals; every value is a parameter. All settings are
  // transaction-local (is_local = true) so nothing leaks to the next request.
  using C = plan::Context;
  sql.text("select set_config('search_path', ").param(value(&C::search_path)).text(", true)");
  sql.text(", set_config('role', ").param(value(&C::role)).text(", true)");
  sql.text(", set_config('request.jwt.claims', ").param(value(&C::claims_json)).text(", true)");
  sql.text(", set_config('request.method', ").param(value(&C::method)).text(", true)");
  sql.text(", set_config('request.path', ").param(value(&C::path)).text(", true)");
  sql.text(", set_config('request.headers', ").param(value(&C::headers_json)).text(", true)");
  sql.text(", set_config('request.cookies', ").param(value(&C::cookies_json)).text(", true)");
  if (pre_request) sql.text(" offset 0) pgrst_prelude");
  prelude.sql = sql.take();
}

}  // namespace

Statement emit_prelude(const plan::Context& context) {
  Statement prelude;
  prelude_of(context, prelude);
  return prelude;
}
Statement emit_prelude(plan::Context&& context) {
  Statement prelude;
  prelude_of(std::move(context), prelude);
  return prelude;
}
void emit_prelude(plan::Context&& context, Statement& out) {
  prelude_of(std::move(context), out);
}

void emit_read(const plan::ReadPlan& read, const Config& config, Translation& out) {
  emit_read_node(read.root, read, config, out);
}

namespace {
size_t node_count(const plan::ReadNode& node) {
  size_t count = 1;
  for (const plan::Embed& embed : node.embeds) count += node_count(*embed.node);
  return count;
}
}  // namespace

void emit_read_node(const plan::ReadNode& root, const plan::ReadPlan& read, const Config& config,
                    Translation& out) {
  const Scope scope = scope_of(root);
  std::vector<Param>& params = out.query.params;

  const bool ranged = root.limit || root.offset;
  const bool exact_count =
      read.count == plan::CountMode::exact || read.count == plan::CountMode::estimated;
  const bool planned_count =
      read.count == plan::CountMode::planned || read.count == plan::CountMode::estimated;
  // When a count statement reuses FROM ... WHERE (embeds' joins included), that block is
  // emitted first, so its parameters are $1..$k and the count takes exactly those. Other
  // reads (the common case) are written in one pass, without the intermediate text.
  const bool reuse_block = planned_count || (exact_count && ranged);
  std::string block_text;
  size_t block_params = 0;
  if (reuse_block) {
    SqlBuilder block(params);
    from_where_sql(block, root, scope, nullptr, nullptr);
    block_text = block.take();
    block_params = params.size();
  }

  // A node (the root or an embed's subquery) takes a few hundred bytes of text: reserve
  // for all of them at once rather than regrow a long statement.
  SqlBuilder sql(params, 768 * node_count(root), 16, std::move(out.query.sql));
  sql.text("with pgrst_source as (select ");
  select_list_sql(sql, scope, root);
  if (reuse_block) {
    sql.text(block_text);
  } else {
    from_where_sql(sql, root, scope, nullptr, nullptr);
  }
  group_by_sql(sql, scope, root);
  order_sql(sql, scope, root);
  if (root.limit) sql.text(" limit ").param(std::to_string(*root.limit));
  if (root.offset) sql.text(" offset ").param(std::to_string(*root.offset));
  sql.text(")");
  if (exact_count && ranged) {
    sql.text(", pgrst_source_count as (select 1").text(block_text);
    if (read.count == plan::CountMode::estimated && config.max_rows) {
      // Counting stops just past max_rows; the host then trusts the planner's estimate.
      sql.text(" limit ").text(std::to_string(*config.max_rows + 1));
    }
    sql.text(")");
  }
  sql.text(" select ");
  if (!exact_count) {
    sql.text("null::bigint");
  } else if (ranged) {
    sql.text("(select pg_catalog.count(*) from pgrst_source_count)");
  } else {
    sql.text("pg_catalog.count(_postgrest_t)");
  }
  sql.text(" as total_count, pg_catalog.count(_postgrest_t) as page_total, ");
  if (read.head) {
    sql.text("''::text");
  } else {
    body_sql(sql, "pgrst_source", read.format, read.nulls_stripped);
  }
  sql.text(" as body from (select * from pgrst_source) _postgrest_t");
  out.query.sql = sql.take();

  if (planned_count) {
    Statement count;
    count.sql = "explain (format json) select 1" + block_text;
    count.params.assign(params.begin(), params.begin() + static_cast<ptrdiff_t>(block_params));
    out.count_query = std::move(count);
    if (read.count == plan::CountMode::estimated && config.max_rows) {
      out.count_threshold = *config.max_rows;
    }
  }
}

namespace {

// The column definition list of the unpacked body: exactly the payload's columns, typed
// with the catalog's declared types (format_type() with modifiers, introspected with an
// empty search_path, so every type outside pg_catalog is schema-qualified and resolves
// whatever search_path the prelude sets). Only these columns are read from the JSON: a
// column the body does not mention is not part of the record, so a NOT NULL domain
// column left out takes its default instead of failing on a NULL (as
// json_populate_record over the whole row type would).
// PUT also reads its key columns, which its WHERE compares with the URL's key: a body
// without them then writes nothing (PGRST115) instead of naming a missing column.
void column_definitions_sql(SqlBuilder& sql, const plan::WritePlan& write) {
  sql.text(" as \"pgrst_body\"(");
  bool first = true;
  const auto definition = [&](const Column& column) {
    if (!first) sql.text(", ");
    first = false;
    // The type is catalog text, never request text.
    sql.identifier(column.name).text(" ").text(column.type);
  };
  for (const Column* column : write.columns) definition(*column);
  for (const auto& [column, value] : write.put_key) {
    if (std::find(write.columns.begin(), write.columns.end(), column) == write.columns.end()) {
      definition(*column);
    }
  }
  sql.text(")");
}

// FROM clause that unpacks the body parameter (ONE json parameter) into rows named
// `pgrst_body`, one per object (`first_only`: the first object of an array only).
void payload_source_sql(SqlBuilder& sql, const plan::WritePlan& write, bool first_only) {
  const plan::WritePlan& w = write;
  const bool each_element = w.body_is_array && !first_only;
  if (w.columns.empty() && w.put_key.empty()) {
    // `{}` / `[{},{}]`: no column to read, one row per object (every column its
    // default); `[]` inserts nothing.
    if (each_element) {
      sql.text("json_array_elements(").param(w.body).text("::json) as \"pgrst_body\"");
    } else {
      sql.text("(select ").param(w.body).text("::json) as \"pgrst_body\"");
    }
    return;
  }
  if (w.missing_default) {
    // jsonb, so that `?` can tell an absent key from an explicit null. An absent key of
    // a column with a default is added to the element with the default's value before
    // the element is read, so the record never holds a NULL the column would refuse;
    // the default is evaluated only for the elements that lack the key.
    if (each_element) {
      sql.text("jsonb_array_elements(").param(w.body).text("::jsonb) as \"pgrst_element\"");
    } else {
      sql.text("(select ").param(w.body);
      sql.text(w.body_is_array ? "::jsonb->0" : "::jsonb")
          .text(" as \"pgrst_element\") as \"pgrst_payload\"");
    }
    sql.text(", jsonb_to_record(\"pgrst_element\"");
    bool first = true;
    for (const Column* column : w.columns) {
      if (!column->default_expr) continue;
      sql.text(first ? " || jsonb_build_object(" : ", ");
      first = false;
      sql.param(column->name).text("::text, case when \"pgrst_element\" ? ");
      sql.param(column->name).text("::text then \"pgrst_element\"->");
      sql.param(column->name).text("::text else to_jsonb((");
      // The catalog's own default expression, as PostgREST inlines it: catalog text,
      // never request text. Cast to the column's type first, as assigning it would: a
      // default of another type (`integer default 1.5`) must not reach the record as
      // text the column's type cannot read.
      sql.text(*column->default_expr).text(")::").text(column->type).text(") end");
    }
    if (!first) sql.text(")");
    sql.text(")");
    column_definitions_sql(sql, w);
    return;
  }
  if (each_element) {
    sql.text("json_to_recordset(").param(w.body).text("::json)");
  } else {
    sql.text("json_to_record(").param(w.body).text(w.body_is_array ? "::json->0)" : "::json)");
  }
  column_definitions_sql(sql, w);
}

bool reports_inserted(const plan::WritePlan& write) {
  return (write.kind == plan::WriteKind::insert && write.on_conflict == plan::OnConflict::merge) ||
         (write.kind == plan::WriteKind::put && write.representation);
}

// Bytes a query string carries as they are: http-types' unreserved set for queries.
bool unreserved(unsigned char byte) {
  return (byte >= '0' && byte <= '9') || (byte >= 'A' && byte <= 'Z') ||
         (byte >= 'a' && byte <= 'z') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
}

std::string percent_encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (unreserved(byte)) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

// The same encoding in SQL, of the UTF-8 bytes of the text `value` emits (NULL stays
// NULL). For the Location of a single row only, so its cost does not matter.
template <typename Value>
void percent_encoded_sql(SqlBuilder& sql, Value value) {
  sql.text("(select string_agg(case when \"pgrst_b\" between 48 and 57 or \"pgrst_b\" ");
  sql.text("between 65 and 90 or \"pgrst_b\" between 97 and 122 or \"pgrst_b\" in ");
  sql.text("(45, 46, 95, 126) then chr(\"pgrst_b\") else '%' || ");
  sql.text("upper(lpad(to_hex(\"pgrst_b\"), 2, '0')) end, '' order by \"pgrst_i\") ");
  sql.text("from (select convert_to(");
  value();
  sql.text(", 'UTF8') as \"pgrst_v\") as \"pgrst_text\", ");
  sql.text("generate_series(0, length(\"pgrst_text\".\"pgrst_v\") - 1) as \"pgrst_i\", ");
  sql.text("get_byte(\"pgrst_text\".\"pgrst_v\", \"pgrst_i\") as \"pgrst_b\" ");
  sql.text("where \"pgrst_text\".\"pgrst_v\" is not null)");
}

void returning_sql(SqlBuilder& sql, const plan::WritePlan& write) {
  if (write.representation || write.location) {
    sql.text(" returning ").qualified(write.relation->schema, write.relation->name).text(".*");
  } else {
    sql.text(" returning 1");
  }
  if (reports_inserted(write)) {
    // xmax is 0 on a row this statement inserted, set on one it updated.
    sql.text(", (").qualified(write.relation->schema, write.relation->name);
    sql.text(".xmax::text = '0') as \"pgrst_inserted\"");
  }
}

void mutation_sql(SqlBuilder& sql, const plan::WritePlan& write) {
  const Scope scope = scope_of(*write.relation);
  const plan::ReadNode& root = write.returned;
  switch (write.kind) {
    case plan::WriteKind::insert:
    case plan::WriteKind::put: {
      sql.text("insert into ").qualified(write.relation->schema, write.relation->name);
      if (!write.columns.empty()) {
        sql.text(" (");
        for (size_t i = 0; i < write.columns.size(); ++i) {
          if (i > 0) sql.text(", ");
          sql.identifier(write.columns[i]->name);
        }
        sql.text(")");
      }
      sql.text(" select ");
      for (size_t i = 0; i < write.columns.size(); ++i) {
        if (i > 0) sql.text(", ");
        sql.text("\"pgrst_body\".").identifier(write.columns[i]->name);
      }
      sql.text(" from ");
      payload_source_sql(sql, write, false);
      for (size_t i = 0; i < write.put_key.size(); ++i) {
        // PUT: the URL's key must be the payload's key, else nothing is written (PGRST115).
        sql.text(i == 0 ? " where " : " and ").text("\"pgrst_body\".");
        sql.identifier(write.put_key[i].first->name).text(" = ").param(write.put_key[i].second);
      }
      if (write.on_conflict != plan::OnConflict::none) {
        sql.text(" on conflict (");
        for (size_t i = 0; i < write.conflict_columns.size(); ++i) {
          if (i > 0) sql.text(", ");
          sql.identifier(write.conflict_columns[i]->name);
        }
        if (write.on_conflict == plan::OnConflict::ignore || write.columns.empty()) {
          sql.text(") do nothing");
        } else {
          sql.text(") do update set ");
          for (size_t i = 0; i < write.columns.size(); ++i) {
            if (i > 0) sql.text(", ");
            sql.identifier(write.columns[i]->name).text(" = excluded.");
            sql.identifier(write.columns[i]->name);
          }
        }
      }
      returning_sql(sql, write);
      break;
    }
    case plan::WriteKind::update: {
      if (write.columns.empty()) {
        // An empty object changes nothing and affects no row.
        sql.text("select ");
        qualifier(sql, scope).text(".* from ");
        qualifier(sql, scope);
        sql.text(" where false");
        break;
      }
      sql.text("update ").qualified(write.relation->schema, write.relation->name).text(" set ");
      for (size_t i = 0; i < write.columns.size(); ++i) {
        if (i > 0) sql.text(", ");
        sql.identifier(write.columns[i]->name).text(" = ");
        sql.text("\"pgrst_body\".").identifier(write.columns[i]->name);
      }
      sql.text(" from ");
      payload_source_sql(sql, write, true);
      for (size_t i = 0; i < write.where.size(); ++i) {
        sql.text(i == 0 ? " where " : " and ");
        condition_sql(sql, scope, root, write.where[i]);
      }
      returning_sql(sql, write);
      break;
    }
    case plan::WriteKind::remove:
      sql.text("delete from ").qualified(write.relation->schema, write.relation->name);
      for (size_t i = 0; i < write.where.size(); ++i) {
        sql.text(i == 0 ? " where " : " and ");
        condition_sql(sql, scope, root, write.where[i]);
      }
      returning_sql(sql, write);
      break;
  }
}

}  // namespace

void emit_write(const plan::WritePlan& write, Translation& out) {
  SqlBuilder sql(out.query.params);
  sql.text("with pgrst_source as (");
  mutation_sql(sql, write);
  sql.text(") select null::bigint as total_count, pg_catalog.count(_postgrest_t) as page_total, ");
  if (write.representation) {
    body_sql(sql, {}, write.format, write.nulls_stripped);
  } else {
    sql.text("''::text");
  }
  sql.text(" as body");
  if (reports_inserted(write)) {
    // PostgREST answers 201 when an upsert (or a PUT returning its row) inserted a row,
    // 200 when it only updated.
    sql.text(", (select case when bool_or(\"pgrst_inserted\") then 201 else 200 end from ");
    sql.text("\"pgrst_source\") as status");
  }
  if (write.location) {
    // Location of a single inserted row, as PostgREST builds it: /table?pk=eq.value, the
    // key columns in the table's order, each value as JSON renders it (json_each_text
    // of row_to_json) and every key and value percent-encoded like http-types'
    // renderSimpleQuery (all but A-Z a-z 0-9 - . _ ~), so no value can break the header.
    std::string path("/");
    path.append(write.relation->name).append("?");
    sql.text(", (select ").param(std::move(path));
    bool first = true;
    for (const Column& column : write.relation->columns) {
      const auto& key = write.relation->primary_key;
      if (std::find(key.begin(), key.end(), column.name) == key.end()) continue;
      // append(), not `"&" + ...`: GCC 12 at -O3 warns (-Wrestrict, a false positive).
      std::string pair(first ? "" : "&");
      pair.append(percent_encoded(column.name)).append("=");
      sql.text(" || ").param(std::move(pair));
      first = false;
      sql.text(" || coalesce(");
      percent_encoded_sql(sql, [&] {
        sql.text("'eq.' || (to_json(\"pgrst_row\".").identifier(column.name).text(") #>> '{}')");
      });
      sql.text(", 'is.null')");
    }
    sql.text(" from \"pgrst_source\" as \"pgrst_row\"");
    sql.text(" where (select pg_catalog.count(*) from \"pgrst_source\") = 1) as location");
  }
  sql.text(" from (");
  if (write.representation) {
    node_query_sql(sql, write.returned, nullptr, nullptr);
  } else {
    sql.text("select * from \"pgrst_source\"");
  }
  sql.text(") _postgrest_t");
  out.query.sql = sql.take();
}

void emit_rpc(const plan::RpcPlan& rpc, const Config& config, Translation& out) {
  using Shape = plan::RpcPlan::Shape;
  if (rpc.shape == Shape::row_set || rpc.shape == Shape::row) {
    // Rows: exactly a read whose FROM is the call.
    plan::ReadPlan read;
    read.head = rpc.head;
    read.count = rpc.count;
    read.format = rpc.shape == Shape::row ? plan::OutputFormat::json_object : rpc.format;
    read.nulls_stripped = rpc.nulls_stripped;
    // emit_read only reads `root` through a reference; borrow the plan's node.
    emit_read_node(rpc.root, read, config, out);
    return;
  }
  SqlBuilder sql(out.query.params);
  sql.text("with pgrst_source as (select ");
  call_sql(sql, rpc.call);
  sql.text(" as pgrst_scalar");
  if (rpc.call.source == plan::RpcCall::Arguments::body) {
    sql.text(" from ");
    call_arguments_source_sql(sql, rpc.call);
  }
  sql.text(") select null::bigint as total_count, pg_catalog.count(_postgrest_t) as page_total, ");
  if (rpc.head || rpc.shape == Shape::void_) {
    sql.text("''::text");
  } else if (rpc.shape == Shape::scalar) {
    sql.text("coalesce((json_agg(_postgrest_t.pgrst_scalar)->0)::text, 'null')");
  } else {
    sql.text("coalesce(json_agg(_postgrest_t.pgrst_scalar), '[]')::text");
  }
  sql.text(" as body from (select * from pgrst_source) _postgrest_t");
  out.query.sql = sql.take();
}

}  // namespace pgrest::emit
