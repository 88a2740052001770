// Catalog snapshot JSON: read with simdjson's DOM (random key order, strict types),
// written with the engine's JSON writer in a stable order so snapshots diff cleanly.
#include <simdjson.h>

#include "common/json_writer.hpp"
#include "pgrest/catalog.hpp"

namespace pgrest {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int64_t kSnapshotVersion = 1;

// Reads typed fields and remembers the first problem with the path where it occurred.
class Reader {
 public:
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  void fail(std::string_view path, std::string_view what) {
    if (error_.empty()) error_ = std::string(path) + ": " + std::string(what);
  }

  std::string string(object obj, std::string_view key, std::string_view path) {
    std::string_view value;
    if (obj[key].get(value) != simdjson::SUCCESS) {
      fail(std::string(path) + "." + std::string(key), "expected a string");
      return {};
    }
    return std::string(value);
  }

  std::optional<std::string> optional_string(object obj, std::string_view key,
                                             std::string_view path) {
    element value;
    if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) {
      fail(std::string(path) + "." + std::string(key), "expected a string or null");
      return std::nullopt;
    }
    return std::string(text);
  }

  bool boolean(object obj, std::string_view key, std::string_view path, bool fallback) {
    element value;
    if (obj[key].get(value) != simdjson::SUCCESS) return fallback;
    bool flag = fallback;
    if (value.get(flag) != simdjson::SUCCESS) {
      fail(std::string(path) + "." + std::string(key), "expected true or false");
    }
    return flag;
  }

  uint32_t oid(object obj, std::string_view key, std::string_view path) {
    element value;
    if (obj[key].get(value) != simdjson::SUCCESS) return 0;
    uint64_t number = 0;
    if (value.get(number) != simdjson::SUCCESS || number > UINT32_MAX) {
      fail(std::string(path) + "." + std::string(key), "expected an oid");
      return 0;
    }
    return static_cast<uint32_t>(number);
  }

  std::vector<std::string> strings(object obj, std::string_view key, std::string_view path) {
    std::vector<std::string> out;
    element value;
    if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return out;
    array items;
    if (value.get(items) != simdjson::SUCCESS) {
      fail(std::string(path) + "." + std::string(key), "expected an array of strings");
      return out;
    }
    for (element item : items) {
      std::string_view text;
      if (item.get(text) != simdjson::SUCCESS) {
        fail(std::string(path) + "." + std::string(key), "expected an array of strings");
        return out;
      }
      out.emplace_back(text);
    }
    return out;
  }

  bool objects(object obj, std::string_view key, std::string_view path, array* out) {
    element value;
    if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return false;
    if (value.get(*out) != simdjson::SUCCESS) {
      fail(std::string(path) + "." + std::string(key), "expected an array");
      return false;
    }
    return true;
  }

  bool as_object(element item, const std::string& path, object* out) {
    if (item.get(*out) != simdjson::SUCCESS) {
      fail(path, "expected an object");
      return false;
    }
    return true;
  }

 private:
  std::string error_;
};

template <typename Enum, size_t N>
Enum parse_enum(Reader& reader, const std::string& text, const std::string& path,
                const std::pair<std::string_view, Enum> (&names)[N]) {
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  reader.fail(path, "unknown value '" + text + "'");
  return names[0].second;
}

constexpr std::pair<std::string_view, RelationKind> kRelationKinds[] = {
    {"table", RelationKind::table},
    {"view", RelationKind::view},
    {"materialized_view", RelationKind::materialized_view},
    {"foreign_table", RelationKind::foreign_table},
    {"partitioned_table", RelationKind::partitioned_table},
};
constexpr std::pair<std::string_view, Volatility> kVolatilities[] = {
    {"volatile", Volatility::volatile_},
    {"stable", Volatility::stable},
    {"immutable", Volatility::immutable},
};
constexpr std::pair<std::string_view, ParamMode> kParamModes[] = {
    {"in", ParamMode::in},       {"out", ParamMode::out},
    {"inout", ParamMode::inout}, {"variadic", ParamMode::variadic},
    {"table", ParamMode::table},
};

void read_relation(Reader& reader, object obj, const std::string& path, Relation& relation) {
  relation.schema = reader.string(obj, "schema", path);
  relation.name = reader.string(obj, "name", path);
  relation.kind =
      parse_enum(reader, reader.string(obj, "kind", path), path + ".kind", kRelationKinds);
  relation.insertable = reader.boolean(obj, "insertable", path, true);
  relation.updatable = reader.boolean(obj, "updatable", path, true);
  relation.deletable = reader.boolean(obj, "deletable", path, true);
  relation.primary_key = reader.strings(obj, "primary_key", path);
  array uniques;
  if (reader.objects(obj, "unique_keys", path, &uniques)) {
    for (element unique : uniques) {
      array columns;
      if (unique.get(columns) != simdjson::SUCCESS) {
        reader.fail(path + ".unique_keys", "expected arrays of column names");
        return;
      }
      auto& key = relation.unique_keys.emplace_back();
      for (element column : columns) {
        std::string_view name;
        if (column.get(name) != simdjson::SUCCESS) {
          reader.fail(path + ".unique_keys", "expected arrays of column names");
          return;
        }
        key.emplace_back(name);
      }
    }
  }
  array columns;
  if (!reader.objects(obj, "columns", path, &columns)) {
    reader.fail(path + ".columns", "missing");
    return;
  }
  size_t index = 0;
  for (element item : columns) {
    const std::string column_path = path + ".columns[" + std::to_string(index++) + "]";
    object column_obj;
    if (!reader.as_object(item, column_path, &column_obj)) return;
    Column& column = relation.columns.emplace_back();
    column.name = reader.string(column_obj, "name", column_path);
    column.type = reader.string(column_obj, "type", column_path);
    column.base_type =
        reader.optional_string(column_obj, "base_type", column_path).value_or(column.type);
    column.type_oid = reader.oid(column_obj, "type_oid", column_path);
    column.nullable = reader.boolean(column_obj, "nullable", column_path, true);
    column.default_expr = reader.optional_string(column_obj, "default", column_path);
    column.generated = reader.boolean(column_obj, "generated", column_path, false);
    column.identity = reader.boolean(column_obj, "identity", column_path, false);
  }
}

void read_foreign_key(Reader& reader, object obj, const std::string& path, ForeignKey& key) {
  key.name = reader.string(obj, "name", path);
  key.schema = reader.string(obj, "schema", path);
  key.table = reader.string(obj, "table", path);
  key.columns = reader.strings(obj, "columns", path);
  key.ref_schema = reader.string(obj, "ref_schema", path);
  key.ref_table = reader.string(obj, "ref_table", path);
  key.ref_columns = reader.strings(obj, "ref_columns", path);
  if (key.columns.empty() || key.columns.size() != key.ref_columns.size()) {
    reader.fail(path, "columns and ref_columns must be non-empty and of equal length");
  }
}

void read_function(Reader& reader, object obj, const std::string& path, Function& function) {
  function.schema = reader.string(obj, "schema", path);
  function.name = reader.string(obj, "name", path);
  function.return_type = reader.string(obj, "return_type", path);
  function.return_type_oid = reader.oid(obj, "return_type_oid", path);
  function.returns_set = reader.boolean(obj, "returns_set", path, false);
  function.returns_composite = reader.boolean(obj, "returns_composite", path, false);
  function.returns_void = reader.boolean(obj, "returns_void", path, false);
  function.return_relation_schema = reader.optional_string(obj, "return_relation_schema", path);
  function.return_relation_name = reader.optional_string(obj, "return_relation_name", path);
  function.volatility = parse_enum(reader, reader.string(obj, "volatility", path),
                                   path + ".volatility", kVolatilities);
  array params;
  if (!reader.objects(obj, "params", path, &params)) return;
  size_t index = 0;
  for (element item : params) {
    const std::string param_path = path + ".params[" + std::to_string(index++) + "]";
    object param_obj;
    if (!reader.as_object(item, param_path, &param_obj)) return;
    FunctionParam& param = function.params.emplace_back();
    param.name = reader.string(param_obj, "name", param_path);
    param.type = reader.string(param_obj, "type", param_path);
    param.type_oid = reader.oid(param_obj, "type_oid", param_path);
    param.mode = parse_enum(reader, reader.string(param_obj, "mode", param_path),
                            param_path + ".mode", kParamModes);
    param.has_default = reader.boolean(param_obj, "has_default", param_path, false);
  }
}

template <typename Item, typename ReadOne>
void read_list(Reader& reader, object root, std::string_view key, std::vector<Item>& out,
               ReadOne read_one) {
  array items;
  if (!reader.objects(root, key, "$", &items)) return;
  size_t index = 0;
  for (element item : items) {
    if (reader.failed()) return;
    const std::string path = "$." + std::string(key) + "[" + std::to_string(index++) + "]";
    object obj;
    if (!reader.as_object(item, path, &obj)) return;
    read_one(reader, obj, path, out.emplace_back());
  }
}

bool unusable(std::string_view name) {
  return name.empty() || name.find('\0') != std::string_view::npos;
}

std::optional<std::string> first_unusable_name(const Catalog& catalog) {
  const auto check = [](std::string_view name,
                        const std::string& where) -> std::optional<std::string> {
    if (unusable(name)) return where + ": names must be non-empty and free of NUL";
    return std::nullopt;
  };
  for (size_t i = 0; i < catalog.relations.size(); ++i) {
    const Relation& relation = catalog.relations[i];
    const std::string where = "$.relations[" + std::to_string(i) + "]";
    if (auto bad = check(relation.schema, where + ".schema")) return bad;
    if (auto bad = check(relation.name, where + ".name")) return bad;
    for (size_t c = 0; c < relation.columns.size(); ++c) {
      if (auto bad =
              check(relation.columns[c].name, where + ".columns[" + std::to_string(c) + "].name")) {
        return bad;
      }
    }
  }
  for (size_t i = 0; i < catalog.foreign_keys.size(); ++i) {
    const ForeignKey& key = catalog.foreign_keys[i];
    const std::string where = "$.foreign_keys[" + std::to_string(i) + "]";
    for (const std::string* name :
         {&key.name, &key.schema, &key.table, &key.ref_schema, &key.ref_table}) {
      if (auto bad = check(*name, where)) return bad;
    }
    for (const auto* columns : {&key.columns, &key.ref_columns}) {
      for (const std::string& column : *columns) {
        if (auto bad = check(column, where)) return bad;
      }
    }
  }
  for (size_t i = 0; i < catalog.functions.size(); ++i) {
    const Function& function = catalog.functions[i];
    const std::string where = "$.functions[" + std::to_string(i) + "]";
    if (auto bad = check(function.schema, where + ".schema")) return bad;
    if (auto bad = check(function.name, where + ".name")) return bad;
    for (const FunctionParam& param : function.params) {
      // Parameters may be unnamed, but never hold NUL.
      if (param.name.find('\0') != std::string::npos) return where + ": parameter name holds NUL";
    }
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<const Catalog> load_catalog_json(std::string_view json, std::string* error) {
  simdjson::dom::parser parser;
  element document;
  const simdjson::padded_string padded(json);
  if (const auto code = parser.parse(padded).get(document); code != simdjson::SUCCESS) {
    *error = std::string("catalog snapshot is not valid JSON: ") + simdjson::error_message(code);
    return nullptr;
  }
  Reader reader;
  object root;
  if (!reader.as_object(document, "$", &root)) {
    *error = reader.error();
    return nullptr;
  }
  int64_t version = 0;
  if (root["version"].get(version) != simdjson::SUCCESS || version != kSnapshotVersion) {
    *error = "$.version: expected " + std::to_string(kSnapshotVersion);
    return nullptr;
  }
  auto catalog = std::make_shared<Catalog>();
  catalog->schemas = reader.strings(root, "schemas", "$");
  catalog->roles = reader.strings(root, "roles", "$");
  read_list(reader, root, "relations", catalog->relations, read_relation);
  read_list(reader, root, "foreign_keys", catalog->foreign_keys, read_foreign_key);
  read_list(reader, root, "functions", catalog->functions, read_function);
  if (reader.failed()) {
    *error = reader.error();
    return nullptr;
  }
  // Names reach SQL as quoted identifiers: an empty one or one holding NUL (where
  // PostgreSQL's identifiers end) cannot be quoted faithfully, so the snapshot is refused.
  if (auto bad = first_unusable_name(*catalog)) {
    *error = *bad;
    return nullptr;
  }
  catalog->finalize();
  return catalog;
}

std::string write_catalog_json(const Catalog& catalog) {
  std::string out;
  json::Writer writer(out);
  const auto write_strings = [&](std::string_view key, const std::vector<std::string>& items) {
    writer.key(key).begin_array();
    for (const auto& item : items) writer.value(item);
    writer.end_array();
  };
  writer.begin_object().key("version").value(kSnapshotVersion);
  write_strings("schemas", catalog.schemas);
  write_strings("roles", catalog.roles);
  writer.key("relations").begin_array();
  for (const Relation& relation : catalog.relations) {
    out += "\n";
    writer.begin_object()
        .key("schema")
        .value(relation.schema)
        .key("name")
        .value(relation.name)
        .key("kind")
        .value(to_string(relation.kind))
        .key("insertable")
        .value(relation.insertable)
        .key("updatable")
        .value(relation.updatable)
        .key("deletable")
        .value(relation.deletable);
    write_strings("primary_key", relation.primary_key);
    writer.key("unique_keys").begin_array();
    for (const auto& key : relation.unique_keys) {
      writer.begin_array();
      for (const auto& column : key) writer.value(column);
      writer.end_array();
    }
    writer.end_array();
    writer.key("columns").begin_array();
    for (const Column& column : relation.columns) {
      writer.begin_object()
          .key("name")
          .value(column.name)
          .key("type")
          .value(column.type)
          .key("base_type")
          .value(column.base_type)
          .key("type_oid")
          .value(column.type_oid)
          .key("nullable")
          .value(column.nullable)
          .key("default")
          .value(column.default_expr)
          .key("generated")
          .value(column.generated)
          .key("identity")
          .value(column.identity)
          .end_object();
    }
    writer.end_array().end_object();
  }
  writer.end_array();
  writer.key("foreign_keys").begin_array();
  for (const ForeignKey& key : catalog.foreign_keys) {
    out += "\n";
    writer.begin_object()
        .key("name")
        .value(key.name)
        .key("schema")
        .value(key.schema)
        .key("table")
        .value(key.table);
    write_strings("columns", key.columns);
    writer.key("ref_schema").value(key.ref_schema).key("ref_table").value(key.ref_table);
    write_strings("ref_columns", key.ref_columns);
    writer.end_object();
  }
  writer.end_array();
  writer.key("functions").begin_array();
  for (const Function& function : catalog.functions) {
    out += "\n";
    writer.begin_object()
        .key("schema")
        .value(function.schema)
        .key("name")
        .value(function.name)
        .key("return_type")
        .value(function.return_type)
        .key("return_type_oid")
        .value(function.return_type_oid)
        .key("returns_set")
        .value(function.returns_set)
        .key("returns_composite")
        .value(function.returns_composite)
        .key("returns_void")
        .value(function.returns_void)
        .key("return_relation_schema")
        .value(function.return_relation_schema)
        .key("return_relation_name")
        .value(function.return_relation_name)
        .key("volatility")
        .value(to_string(function.volatility));
    writer.key("params").begin_array();
    for (const FunctionParam& param : function.params) {
      writer.begin_object()
          .key("name")
          .value(param.name)
          .key("type")
          .value(param.type)
          .key("type_oid")
          .value(param.type_oid)
          .key("mode")
          .value(to_string(param.mode))
          .key("has_default")
          .value(param.has_default)
          .end_object();
    }
    writer.end_array().end_object();
  }
  writer.end_array().end_object();
  out += "\n";
  return out;
}

}  // namespace pgrest
