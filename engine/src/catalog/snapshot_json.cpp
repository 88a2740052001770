// Catalog snapshot JSON, written with the engine's JSON writer in a stable order so
// snapshots diff cleanly. Read twice over if need be: a fast path with simdjson On-Demand
// takes the snapshots this writer produces; anything else (an error, an unknown or repeated
// key) goes to the reference reader over simdjson's DOM (any key order, strict types),
// which alone decides errors.
#include <simdjson.h>

#include <array>
#include <iterator>

#include "common/json_writer.hpp"
#include "pgrest/catalog.hpp"

namespace pgrest {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr int64_t kSnapshotVersion = 1;
constexpr size_t kNoIndex = SIZE_MAX;

// Where a value sits in the snapshot ("$.relations[3].columns[2]"), as links from child to
// parent on the stack. The text is built only for an error message, not (with its heap
// allocations) for each of the million columns of a 100,000-table snapshot.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;     // ".key" after the parent's path (the root's is "$" alone)
  size_t index = kNoIndex;  // then "[index]"

  [[nodiscard]] std::string text() const {
    std::string out = parent ? parent->text() : std::string();
    if (parent) out += '.';
    out += key;
    if (index != kNoIndex) {
      out += '[';
      out += std::to_string(index);
      out += ']';
    }
    return out;
  }
  [[nodiscard]] std::string field(std::string_view name) const {
    return text() + "." + std::string(name);
  }
};

// The values of an object's known keys, found in one pass over its fields (rather than a
// scan of the fields per key). The first of duplicate keys wins, as with object[key].
// Snapshots list the keys in `names` order, so each search starts after the last match.
template <size_t N>
class Fields {
 public:
  Fields(object obj, const std::array<std::string_view, N>& names) {
    size_t next = 0;
    for (const auto field : obj) {
      for (size_t tried = 0; tried < N; ++tried) {
        const size_t i = next + tried < N ? next + tried : next + tried - N;
        if (field.key != names[i]) continue;
        if (!present_[i]) {
          values_[i] = field.value;
          present_[i] = true;
        }
        next = i + 1 == N ? 0 : i + 1;
        break;
      }
    }
  }
  // nullptr when the key is absent.
  const element* operator[](size_t i) const { return present_[i] ? &values_[i] : nullptr; }

 private:
  std::array<element, N> values_{};
  std::array<bool, N> present_{};
};

// Reads typed fields and remembers the first problem with the path where it occurred.
// Each reader takes the field's value (nullptr when absent), its object's path and key.
class Reader {
 public:
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  void fail(std::string_view path, std::string_view what) {
    if (error_.empty()) error_ = std::string(path) + ": " + std::string(what);
  }

  std::string_view text(const element* value, const Path& path, std::string_view key) {
    std::string_view text;
    if (!value || value->get(text) != simdjson::SUCCESS) {
      fail(path.field(key), "expected a string");
      return {};
    }
    return text;
  }

  std::string string(const element* value, const Path& path, std::string_view key) {
    return std::string(text(value, path, key));
  }

  std::optional<std::string> optional_string(const element* value, const Path& path,
                                             std::string_view key) {
    if (!value || value->is_null()) return std::nullopt;
    std::string_view text;
    if (value->get(text) != simdjson::SUCCESS) {
      fail(path.field(key), "expected a string or null");
      return std::nullopt;
    }
    return std::string(text);
  }

  bool boolean(const element* value, const Path& path, std::string_view key, bool fallback) {
    if (!value) return fallback;
    bool flag = fallback;
    if (value->get(flag) != simdjson::SUCCESS) fail(path.field(key), "expected true or false");
    return flag;
  }

  uint32_t oid(const element* value, const Path& path, std::string_view key) {
    if (!value) return 0;
    uint64_t number = 0;
    if (value->get(number) != simdjson::SUCCESS || number > UINT32_MAX) {
      fail(path.field(key), "expected an oid");
      return 0;
    }
    return static_cast<uint32_t>(number);
  }

  std::vector<std::string> strings(const element* value, const Path& path, std::string_view key) {
    std::vector<std::string> out;
    if (!value || value->is_null()) return out;
    array items;
    if (value->get(items) != simdjson::SUCCESS) {
      fail(path.field(key), "expected an array of strings");
      return out;
    }
    out.reserve(items.size());
    for (element item : items) {
      std::string_view text;
      if (item.get(text) != simdjson::SUCCESS) {
        fail(path.field(key), "expected an array of strings");
        return out;
      }
      out.emplace_back(text);
    }
    return out;
  }

  bool objects(const element* value, const Path& path, std::string_view key, array* out) {
    if (!value || value->is_null()) return false;
    if (value->get(*out) != simdjson::SUCCESS) {
      fail(path.field(key), "expected an array");
      return false;
    }
    return true;
  }

  bool as_object(element item, const Path& path, object* out) {
    if (item.get(*out) != simdjson::SUCCESS) {
      fail(path.text(), "expected an object");
      return false;
    }
    return true;
  }

  // Names reach SQL as quoted identifiers: an empty one or one holding NUL (where
  // PostgreSQL's identifiers end) cannot be quoted faithfully, so the snapshot is refused.
  // Checked while reading, but reported only when the snapshot has no other problem, and
  // then the first in document order.
  bool name_error_pending() const { return !name_error_.empty(); }
  const std::string& name_error() const { return name_error_; }

  template <typename Where>
  void check_name(std::string_view name, Where where) {
    if (name_error_.empty() && unusable(name)) {
      name_error_ = where() + ": names must be non-empty and free of NUL";
    }
  }
  template <typename Where>
  void check_param_name(std::string_view name, Where where) {
    if (name_error_.empty() && name.find('\0') != std::string_view::npos) {
      name_error_ = where() + ": parameter name holds NUL";
    }
  }

 private:
  static bool unusable(std::string_view name) {
    return name.empty() || name.find('\0') != std::string_view::npos;
  }

  std::string error_;
  std::string name_error_;
};

template <typename Enum, size_t N>
Enum parse_enum(Reader& reader, std::string_view text, const Path& path, std::string_view key,
                const std::pair<std::string_view, Enum> (&names)[N]) {
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  reader.fail(path.field(key), "unknown value '" + std::string(text) + "'");
  return names[0].second;
}

constexpr std::pair<std::string_view, RelationKind> kRelationKinds[] = {
    {"table", RelationKind::table},
    {"view", RelationKind::view},
    {"materialized_view", RelationKind::materialized_view},
    {"foreign_table", RelationKind::foreign_table},
    {"partitioned_table", RelationKind::partitioned_table},
};
constexpr std::pair<std::string_view, ViewKeyKind> kViewKeyKinds[] = {
    {"primary_key", ViewKeyKind::primary_key},
    {"foreign_key", ViewKeyKind::foreign_key},
    {"referenced_key", ViewKeyKind::referenced_key},
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

// The keys of each object, in the order write_catalog_json() writes them.
constexpr std::array<std::string_view, 10> kRelationKeys = {
    "schema",    "name",         "kind",        "insertable",  "updatable",
    "deletable", "row_type_oid", "primary_key", "unique_keys", "columns"};
enum RelationKey : size_t {
  kRelSchema,
  kRelName,
  kRelKind,
  kRelInsertable,
  kRelUpdatable,
  kRelDeletable,
  kRelRowTypeOid,
  kRelPrimaryKey,
  kRelUniqueKeys,
  kRelColumns,
};
constexpr std::array<std::string_view, 8> kColumnKeys = {
    "name", "type", "base_type", "type_oid", "nullable", "default", "generated", "identity"};
enum ColumnKey : size_t {
  kColName,
  kColType,
  kColBaseType,
  kColTypeOid,
  kColNullable,
  kColDefault,
  kColGenerated,
  kColIdentity,
};
constexpr std::array<std::string_view, 7> kForeignKeyKeys = {
    "name", "schema", "table", "columns", "ref_schema", "ref_table", "ref_columns"};
enum ForeignKeyKey : size_t {
  kFkName,
  kFkSchema,
  kFkTable,
  kFkColumns,
  kFkRefSchema,
  kFkRefTable,
  kFkRefColumns,
};
constexpr std::array<std::string_view, 8> kViewKeyKeys = {
    "schema", "view", "kind", "table_schema", "table", "constraint", "unique", "columns"};
enum ViewKeyKey : size_t {
  kVkSchema,
  kVkView,
  kVkKind,
  kVkTableSchema,
  kVkTable,
  kVkConstraint,
  kVkUnique,
  kVkColumns,
};
constexpr std::array<std::string_view, 12> kFunctionKeys = {"schema",
                                                            "name",
                                                            "return_type",
                                                            "return_type_oid",
                                                            "return_type_schemas",
                                                            "returns_set",
                                                            "returns_composite",
                                                            "returns_void",
                                                            "return_relation_schema",
                                                            "return_relation_name",
                                                            "volatility",
                                                            "params"};
enum FunctionKey : size_t {
  kFnSchema,
  kFnName,
  kFnReturnType,
  kFnReturnTypeOid,
  kFnReturnTypeSchema,
  kFnReturnsSet,
  kFnReturnsComposite,
  kFnReturnsVoid,
  kFnReturnRelationSchema,
  kFnReturnRelationName,
  kFnVolatility,
  kFnParams,
};
constexpr std::array<std::string_view, 6> kParamKeys = {"name",         "type", "type_oid",
                                                        "type_schemas", "mode", "has_default"};
enum ParamKey : size_t {
  kParamName,
  kParamType,
  kParamTypeOid,
  kParamTypeSchema,
  kParamMode,
  kParamHasDefault,
};
// view_keys came after the others: snapshots written before it have none (no view gets
// relationships from them), and still load.
constexpr std::array<std::string_view, 7> kRootKeys = {
    "version", "schemas", "roles", "relations", "foreign_keys", "functions", "view_keys"};
enum RootKey : size_t {
  kVersion,
  kSchemas,
  kRoles,
  kRelations,
  kForeignKeys,
  kFunctions,
  kViewKeys
};

void read_relation(Reader& reader, object obj, const Path& path, Relation& relation) {
  const Fields fields(obj, kRelationKeys);
  relation.schema = reader.string(fields[kRelSchema], path, "schema");
  relation.name = reader.string(fields[kRelName], path, "name");
  reader.check_name(relation.schema, [&] { return path.field("schema"); });
  reader.check_name(relation.name, [&] { return path.field("name"); });
  relation.kind =
      parse_enum(reader, reader.text(fields[kRelKind], path, "kind"), path, "kind", kRelationKinds);
  relation.insertable = reader.boolean(fields[kRelInsertable], path, "insertable", true);
  relation.updatable = reader.boolean(fields[kRelUpdatable], path, "updatable", true);
  relation.deletable = reader.boolean(fields[kRelDeletable], path, "deletable", true);
  relation.row_type_oid = reader.oid(fields[kRelRowTypeOid], path, "row_type_oid");
  relation.primary_key = reader.strings(fields[kRelPrimaryKey], path, "primary_key");
  array uniques;
  if (reader.objects(fields[kRelUniqueKeys], path, "unique_keys", &uniques)) {
    relation.unique_keys.reserve(uniques.size());
    for (element unique : uniques) {
      array columns;
      if (unique.get(columns) != simdjson::SUCCESS) {
        reader.fail(path.field("unique_keys"), "expected arrays of column names");
        return;
      }
      auto& key = relation.unique_keys.emplace_back();
      key.reserve(columns.size());
      for (element column : columns) {
        std::string_view name;
        if (column.get(name) != simdjson::SUCCESS) {
          reader.fail(path.field("unique_keys"), "expected arrays of column names");
          return;
        }
        key.emplace_back(name);
      }
    }
  }
  array columns;
  if (!reader.objects(fields[kRelColumns], path, "columns", &columns)) {
    reader.fail(path.field("columns"), "missing");
    return;
  }
  relation.columns.reserve(columns.size());
  size_t index = 0;
  for (element item : columns) {
    const Path column_path{&path, "columns", index++};
    object column_obj;
    if (!reader.as_object(item, column_path, &column_obj)) return;
    const Fields column_fields(column_obj, kColumnKeys);
    Column& column = relation.columns.emplace_back();
    column.name = reader.string(column_fields[kColName], column_path, "name");
    reader.check_name(column.name, [&] { return column_path.field("name"); });
    column.type = reader.string(column_fields[kColType], column_path, "type");
    if (auto base_type =
            reader.optional_string(column_fields[kColBaseType], column_path, "base_type")) {
      column.base_type = std::move(*base_type);
    } else {
      column.base_type = column.type;
    }
    column.type_oid = reader.oid(column_fields[kColTypeOid], column_path, "type_oid");
    column.nullable = reader.boolean(column_fields[kColNullable], column_path, "nullable", true);
    column.default_expr =
        reader.optional_string(column_fields[kColDefault], column_path, "default");
    column.generated =
        reader.boolean(column_fields[kColGenerated], column_path, "generated", false);
    column.identity = reader.boolean(column_fields[kColIdentity], column_path, "identity", false);
  }
  relation.index_columns();
}

void read_foreign_key(Reader& reader, object obj, const Path& path, ForeignKey& key) {
  const Fields fields(obj, kForeignKeyKeys);
  key.name = reader.string(fields[kFkName], path, "name");
  key.schema = reader.string(fields[kFkSchema], path, "schema");
  key.table = reader.string(fields[kFkTable], path, "table");
  key.columns = reader.strings(fields[kFkColumns], path, "columns");
  key.ref_schema = reader.string(fields[kFkRefSchema], path, "ref_schema");
  key.ref_table = reader.string(fields[kFkRefTable], path, "ref_table");
  key.ref_columns = reader.strings(fields[kFkRefColumns], path, "ref_columns");
  if (key.columns.empty() || key.columns.size() != key.ref_columns.size()) {
    reader.fail(path.text(), "columns and ref_columns must be non-empty and of equal length");
  }
  const auto where = [&] { return path.text(); };
  for (const std::string* name :
       {&key.name, &key.schema, &key.table, &key.ref_schema, &key.ref_table}) {
    reader.check_name(*name, where);
  }
  for (const auto* columns : {&key.columns, &key.ref_columns}) {
    for (const std::string& column : *columns) reader.check_name(column, where);
  }
}

void read_view_key(Reader& reader, object obj, const Path& path, ViewKey& key) {
  const Fields fields(obj, kViewKeyKeys);
  key.schema = reader.string(fields[kVkSchema], path, "schema");
  key.view = reader.string(fields[kVkView], path, "view");
  key.kind =
      parse_enum(reader, reader.text(fields[kVkKind], path, "kind"), path, "kind", kViewKeyKinds);
  key.table_schema = reader.string(fields[kVkTableSchema], path, "table_schema");
  key.table = reader.string(fields[kVkTable], path, "table");
  key.constraint = reader.string(fields[kVkConstraint], path, "constraint");
  key.unique = reader.boolean(fields[kVkUnique], path, "unique", false);
  const auto where = [&] { return path.text(); };
  for (const std::string* name :
       {&key.schema, &key.view, &key.table_schema, &key.table, &key.constraint}) {
    reader.check_name(*name, where);
  }
  array columns;
  if (!reader.objects(fields[kVkColumns], path, "columns", &columns) || columns.size() == 0) {
    reader.fail(path.field("columns"), "expected a non-empty array of arrays of column names");
    return;
  }
  key.columns.reserve(columns.size());
  for (element item : columns) {
    array names;
    if (item.get(names) != simdjson::SUCCESS || names.size() == 0) {
      reader.fail(path.field("columns"), "expected a non-empty array of arrays of column names");
      return;
    }
    auto& exposing = key.columns.emplace_back();
    for (element name : names) {
      std::string_view text;
      if (name.get(text) != simdjson::SUCCESS) {
        reader.fail(path.field("columns"), "expected a non-empty array of arrays of column names");
        return;
      }
      reader.check_name(text, where);
      exposing.emplace_back(text);
    }
  }
}

void read_function(Reader& reader, object obj, const Path& path, Function& function) {
  const Fields fields(obj, kFunctionKeys);
  function.schema = reader.string(fields[kFnSchema], path, "schema");
  function.name = reader.string(fields[kFnName], path, "name");
  reader.check_name(function.schema, [&] { return path.field("schema"); });
  reader.check_name(function.name, [&] { return path.field("name"); });
  function.return_type = reader.string(fields[kFnReturnType], path, "return_type");
  function.return_type_oid = reader.oid(fields[kFnReturnTypeOid], path, "return_type_oid");
  function.return_type_schemas =
      reader.strings(fields[kFnReturnTypeSchema], path, "return_type_schemas");
  function.returns_set = reader.boolean(fields[kFnReturnsSet], path, "returns_set", false);
  function.returns_composite =
      reader.boolean(fields[kFnReturnsComposite], path, "returns_composite", false);
  function.returns_void = reader.boolean(fields[kFnReturnsVoid], path, "returns_void", false);
  function.return_relation_schema =
      reader.optional_string(fields[kFnReturnRelationSchema], path, "return_relation_schema");
  function.return_relation_name =
      reader.optional_string(fields[kFnReturnRelationName], path, "return_relation_name");
  function.volatility = parse_enum(reader, reader.text(fields[kFnVolatility], path, "volatility"),
                                   path, "volatility", kVolatilities);
  array params;
  if (!reader.objects(fields[kFnParams], path, "params", &params)) return;
  function.params.reserve(params.size());
  size_t index = 0;
  for (element item : params) {
    const Path param_path{&path, "params", index++};
    object param_obj;
    if (!reader.as_object(item, param_path, &param_obj)) return;
    const Fields param_fields(param_obj, kParamKeys);
    FunctionParam& param = function.params.emplace_back();
    param.name = reader.string(param_fields[kParamName], param_path, "name");
    // Parameters may be unnamed, but never hold NUL.
    reader.check_param_name(param.name, [&] { return path.text(); });
    param.type = reader.string(param_fields[kParamType], param_path, "type");
    param.type_oid = reader.oid(param_fields[kParamTypeOid], param_path, "type_oid");
    param.type_schemas = reader.strings(param_fields[kParamTypeSchema], param_path, "type_schemas");
    param.mode = parse_enum(reader, reader.text(param_fields[kParamMode], param_path, "mode"),
                            param_path, "mode", kParamModes);
    param.has_default =
        reader.boolean(param_fields[kParamHasDefault], param_path, "has_default", false);
  }
}

template <typename Item, typename ReadOne>
void read_list(Reader& reader, const element* value, const Path& root, std::string_view key,
               std::vector<Item>& out, ReadOne read_one) {
  array items;
  if (!reader.objects(value, root, key, &items)) return;
  out.reserve(items.size());
  size_t index = 0;
  for (element item : items) {
    if (reader.failed()) return;
    const Path path{&root, key, index++};
    object obj;
    if (!reader.as_object(item, path, &obj)) return;
    read_one(reader, obj, path, out.emplace_back());
  }
}

// ---------------------------------------------------------------------------------------
// The fast path: simdjson On-Demand, which reads the values in place instead of building a
// DOM tape first. For a snapshot of 10,000 tables the DOM's tape and string copies are tens
// of megabytes of fresh pages, and faulting them in cost as much as the parse itself.
//
// On-Demand validates only what it reads, and its errors are not the DOM's. So this path
// takes only the plain case (every key known and met once, every value of its expected
// type, every name usable, nothing after the root) and reports anything else by returning
// false; the reference reader above then reads the snapshot again and is what decides its
// errors and its handling of the unusual. Both must build the same catalog.
namespace fast {

using simdjson::ondemand::array;
using simdjson::ondemand::field;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

bool usable(std::string_view name) {
  return !name.empty() && name.find('\0') == std::string_view::npos;
}

bool read_string(value v, std::string& out) {
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) return false;
  // A new string rather than assign(): assign() into an empty string rounds the capacity
  // of a 16 to 29 byte name up to 30, a larger heap block for each.
  out = std::string(text);
  return true;
}

bool read_name(value v, std::string& out) {
  return read_string(v, out) && usable(out);
}

bool read_optional_string(value v, std::optional<std::string>& out) {
  bool null = false;
  if (v.is_null().get(null) != simdjson::SUCCESS) return false;
  if (null) {
    out.reset();
    return true;
  }
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) return false;
  out.emplace(text);
  return true;
}

bool read_bool(value v, bool& out) {
  return v.get_bool().get(out) == simdjson::SUCCESS;
}

bool read_oid(value v, uint32_t& out) {
  uint64_t number = 0;
  if (v.get_uint64().get(number) != simdjson::SUCCESS || number > UINT32_MAX) return false;
  out = static_cast<uint32_t>(number);
  return true;
}

// An array of names, or null (empty). `check_names` refuses empty and NUL-holding ones.
bool read_strings(value v, std::vector<std::string>& out, bool check_names) {
  out.clear();
  bool null = false;
  if (v.is_null().get(null) != simdjson::SUCCESS) return false;
  if (null) return true;
  array items;
  if (v.get_array().get(items) != simdjson::SUCCESS) return false;
  for (auto item : items) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS) return false;
    if (check_names && !usable(text)) return false;
    out.emplace_back(text);
  }
  if (out.capacity() != out.size()) out.shrink_to_fit();
  return true;
}

template <typename Enum, size_t N>
bool read_enum(value v, Enum& out, const std::pair<std::string_view, Enum> (&names)[N]) {
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) return false;
  for (const auto& [name, entry] : names) {
    if (text == name) {
      out = entry;
      return true;
    }
  }
  return false;
}

// Calls on_field(key index, value) for every field of `obj`; false on an unknown or
// repeated key (raw comparison: an escaped key counts as unknown), a failed on_field, or
// when a key of `required` (a bit mask of key indices) is missing.
template <size_t N, typename OnField>
bool each_field(object obj, const std::array<std::string_view, N>& names, uint32_t required,
                OnField on_field) {
  static_assert(N <= 32);
  uint32_t seen = 0;
  size_t next = 0;
  for (auto result : obj) {
    field item;
    if (std::move(result).get(item) != simdjson::SUCCESS) return false;
    const simdjson::ondemand::raw_json_string key = item.key();
    size_t found = N;
    for (size_t tried = 0; tried < N; ++tried) {
      const size_t i = next + tried < N ? next + tried : next + tried - N;
      if (key == names[i]) {
        found = i;
        break;
      }
    }
    if (found == N || (seen & (1U << found)) != 0) return false;
    seen |= 1U << found;
    next = found + 1 == N ? 0 : found + 1;
    if (!on_field(found, item.value())) return false;
  }
  return (seen & required) == required;
}

constexpr uint32_t bit(size_t key) {
  return 1U << key;
}

// Reused across relations, so that each relation's vector is allocated once at its size.
struct Scratch {
  std::vector<Column> columns;
};

bool read_column(value v, Column& column) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
  bool has_base_type = false;
  const bool ok =
      each_field(obj, kColumnKeys, bit(kColName) | bit(kColType), [&](size_t key, value field) {
        switch (key) {
          case kColName:
            return read_name(field, column.name);
          case kColType:
            return read_string(field, column.type);
          case kColBaseType: {
            std::optional<std::string> base_type;
            if (!read_optional_string(field, base_type)) return false;
            if (base_type) {
              column.base_type = std::move(*base_type);
              has_base_type = true;
            }
            return true;
          }
          case kColTypeOid:
            return read_oid(field, column.type_oid);
          case kColNullable:
            return read_bool(field, column.nullable);
          case kColDefault:
            return read_optional_string(field, column.default_expr);
          case kColGenerated:
            return read_bool(field, column.generated);
          case kColIdentity:
            return read_bool(field, column.identity);
          default:
            return false;
        }
      });
  if (ok && !has_base_type) column.base_type = column.type;
  return ok;
}

bool read_relation(value v, Relation& relation, Scratch& scratch) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
  const uint32_t required = bit(kRelSchema) | bit(kRelName) | bit(kRelKind) | bit(kRelColumns);
  return each_field(obj, kRelationKeys, required, [&](size_t key, value field) {
    switch (key) {
      case kRelSchema:
        return read_name(field, relation.schema);
      case kRelName:
        return read_name(field, relation.name);
      case kRelKind:
        return read_enum(field, relation.kind, kRelationKinds);
      case kRelInsertable:
        return read_bool(field, relation.insertable);
      case kRelUpdatable:
        return read_bool(field, relation.updatable);
      case kRelDeletable:
        return read_bool(field, relation.deletable);
      case kRelRowTypeOid:
        return read_oid(field, relation.row_type_oid);
      case kRelPrimaryKey:
        return read_strings(field, relation.primary_key, false);
      case kRelUniqueKeys: {
        relation.unique_keys.clear();
        bool null = false;
        if (field.is_null().get(null) != simdjson::SUCCESS) return false;
        if (null) return true;
        array keys;
        if (field.get_array().get(keys) != simdjson::SUCCESS) return false;
        for (auto key_value : keys) {
          value unique;
          if (std::move(key_value).get(unique) != simdjson::SUCCESS) return false;
          // An array of names, not null: the reference reader refuses null here.
          array columns;
          if (unique.get_array().get(columns) != simdjson::SUCCESS) return false;
          auto& names = relation.unique_keys.emplace_back();
          for (auto column : columns) {
            std::string_view name;
            if (column.get_string().get(name) != simdjson::SUCCESS) return false;
            names.emplace_back(name);
          }
          if (names.capacity() != names.size()) names.shrink_to_fit();
        }
        if (relation.unique_keys.capacity() != relation.unique_keys.size()) {
          relation.unique_keys.shrink_to_fit();
        }
        return true;
      }
      case kRelColumns: {
        bool null = false;
        if (field.is_null().get(null) != simdjson::SUCCESS || null) return false;
        array columns;
        if (field.get_array().get(columns) != simdjson::SUCCESS) return false;
        scratch.columns.clear();
        for (auto column : columns) {
          value item;
          if (std::move(column).get(item) != simdjson::SUCCESS) return false;
          if (!read_column(item, scratch.columns.emplace_back())) return false;
        }
        relation.columns.clear();
        relation.columns.reserve(scratch.columns.size());
        std::move(scratch.columns.begin(), scratch.columns.end(),
                  std::back_inserter(relation.columns));
        relation.index_columns();  // while the columns are in cache (see build_lookups)
        return true;
      }
      default:
        return false;
    }
  });
}

bool read_foreign_key(value v, ForeignKey& key) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
  const uint32_t required =
      bit(kFkName) | bit(kFkSchema) | bit(kFkTable) | bit(kFkRefSchema) | bit(kFkRefTable);
  const bool ok = each_field(obj, kForeignKeyKeys, required, [&](size_t field_key, value field) {
    switch (field_key) {
      case kFkName:
        return read_name(field, key.name);
      case kFkSchema:
        return read_name(field, key.schema);
      case kFkTable:
        return read_name(field, key.table);
      case kFkColumns:
        return read_strings(field, key.columns, true);
      case kFkRefSchema:
        return read_name(field, key.ref_schema);
      case kFkRefTable:
        return read_name(field, key.ref_table);
      case kFkRefColumns:
        return read_strings(field, key.ref_columns, true);
      default:
        return false;
    }
  });
  return ok && !key.columns.empty() && key.columns.size() == key.ref_columns.size();
}

bool read_view_key(value v, ViewKey& key) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
  const uint32_t required = bit(kVkSchema) | bit(kVkView) | bit(kVkKind) | bit(kVkTableSchema) |
                            bit(kVkTable) | bit(kVkConstraint) | bit(kVkColumns);
  return each_field(obj, kViewKeyKeys, required, [&](size_t field_key, value field) {
    switch (field_key) {
      case kVkSchema:
        return read_name(field, key.schema);
      case kVkView:
        return read_name(field, key.view);
      case kVkKind:
        return read_enum(field, key.kind, kViewKeyKinds);
      case kVkTableSchema:
        return read_name(field, key.table_schema);
      case kVkTable:
        return read_name(field, key.table);
      case kVkConstraint:
        return read_name(field, key.constraint);
      case kVkUnique:
        return read_bool(field, key.unique);
      case kVkColumns: {
        // A non-empty array of non-empty arrays of names; anything else is left to the
        // reference reader.
        array columns;
        if (field.get_array().get(columns) != simdjson::SUCCESS) return false;
        key.columns.clear();
        for (auto item : columns) {
          value names;
          if (std::move(item).get(names) != simdjson::SUCCESS) return false;
          auto& exposing = key.columns.emplace_back();
          // null reads as empty, which is refused like an empty array
          if (!read_strings(names, exposing, true) || exposing.empty()) return false;
        }
        return !key.columns.empty();
      }
      default:
        return false;
    }
  });
}

bool read_param(value v, FunctionParam& param) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
  const uint32_t required = bit(kParamName) | bit(kParamType) | bit(kParamMode);
  const bool ok = each_field(obj, kParamKeys, required, [&](size_t key, value field) {
    switch (key) {
      case kParamName:
        return read_string(field, param.name);
      case kParamType:
        return read_string(field, param.type);
      case kParamTypeOid:
        return read_oid(field, param.type_oid);
      case kParamMode:
        return read_enum(field, param.mode, kParamModes);
      case kParamHasDefault:
        return read_bool(field, param.has_default);
      case kParamTypeSchema:
        return read_strings(field, param.type_schemas, false);
      default:
        return false;
    }
  });
  // Parameters may be unnamed, but never hold NUL.
  return ok && param.name.find('\0') == std::string::npos;
}

bool read_function(value v, Function& function) {
  object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
  const uint32_t required = bit(kFnSchema) | bit(kFnName) | bit(kFnReturnType) | bit(kFnVolatility);
  return each_field(obj, kFunctionKeys, required, [&](size_t key, value field) {
    switch (key) {
      case kFnSchema:
        return read_name(field, function.schema);
      case kFnName:
        return read_name(field, function.name);
      case kFnReturnType:
        return read_string(field, function.return_type);
      case kFnReturnTypeOid:
        return read_oid(field, function.return_type_oid);
      case kFnReturnTypeSchema:
        return read_strings(field, function.return_type_schemas, false);
      case kFnReturnsSet:
        return read_bool(field, function.returns_set);
      case kFnReturnsComposite:
        return read_bool(field, function.returns_composite);
      case kFnReturnsVoid:
        return read_bool(field, function.returns_void);
      case kFnReturnRelationSchema:
        return read_optional_string(field, function.return_relation_schema);
      case kFnReturnRelationName:
        return read_optional_string(field, function.return_relation_name);
      case kFnVolatility:
        return read_enum(field, function.volatility, kVolatilities);
      case kFnParams: {
        function.params.clear();
        bool null = false;
        if (field.is_null().get(null) != simdjson::SUCCESS) return false;
        if (null) return true;
        array params;
        if (field.get_array().get(params) != simdjson::SUCCESS) return false;
        for (auto param : params) {
          value item;
          if (std::move(param).get(item) != simdjson::SUCCESS) return false;
          if (!read_param(item, function.params.emplace_back())) return false;
        }
        if (function.params.capacity() != function.params.size()) function.params.shrink_to_fit();
        return true;
      }
      default:
        return false;
    }
  });
}

// An array of objects read by read_one, or null (none).
template <typename Item, typename ReadOne>
bool read_list(value v, std::vector<Item>& out, ReadOne read_one) {
  out.clear();
  bool null = false;
  if (v.is_null().get(null) != simdjson::SUCCESS) return false;
  if (null) return true;
  array items;
  if (v.get_array().get(items) != simdjson::SUCCESS) return false;
  for (auto item : items) {
    value element;
    if (std::move(item).get(element) != simdjson::SUCCESS) return false;
    if (!read_one(element, out.emplace_back())) return false;
  }
  // One reallocation at the end rather than up to half the vector unused.
  if (out.capacity() != out.size()) out.shrink_to_fit();
  return true;
}

bool read_snapshot(const simdjson::padded_string& json, Catalog& catalog) {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  if (parser.iterate(json).get(document) != simdjson::SUCCESS) return false;
  object root;
  if (document.get_object().get(root) != simdjson::SUCCESS) return false;
  Scratch scratch;
  const bool ok = each_field(root, kRootKeys, bit(kVersion), [&](size_t key, value field) {
    switch (key) {
      case kVersion: {
        int64_t version = 0;
        return field.get_int64().get(version) == simdjson::SUCCESS && version == kSnapshotVersion;
      }
      case kSchemas:
        return read_strings(field, catalog.schemas, false);
      case kRoles:
        return read_strings(field, catalog.roles, false);
      case kRelations:
        return read_list(field, catalog.relations, [&](value item, Relation& relation) {
          return read_relation(item, relation, scratch);
        });
      case kForeignKeys:
        return read_list(field, catalog.foreign_keys, read_foreign_key);
      case kFunctions:
        return read_list(field, catalog.functions, read_function);
      case kViewKeys:
        return read_list(field, catalog.view_keys, read_view_key);
      default:
        return false;
    }
  });
  // Nothing may follow the root object: there the iterator is out of bounds.
  return ok && document.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace fast

}  // namespace

std::shared_ptr<const Catalog> load_catalog_json(std::string_view json, std::string* error) {
  const simdjson::padded_string padded(json);
  if (auto catalog = std::make_shared<Catalog>(); fast::read_snapshot(padded, *catalog)) {
    catalog->build_lookups(true);  // both readers index each relation's columns
    return catalog;
  }
  // The reference reader: every error, and every snapshot the fast path leaves to it.
  simdjson::dom::parser parser;
  element document;
  if (const auto code = parser.parse(padded).get(document); code != simdjson::SUCCESS) {
    *error = std::string("catalog snapshot is not valid JSON: ") + simdjson::error_message(code);
    return nullptr;
  }
  Reader reader;
  const Path root_path{nullptr, "$"};
  object root;
  if (!reader.as_object(document, root_path, &root)) {
    *error = reader.error();
    return nullptr;
  }
  const Fields fields(root, kRootKeys);
  int64_t version = 0;
  if (!fields[kVersion] || fields[kVersion]->get(version) != simdjson::SUCCESS ||
      version != kSnapshotVersion) {
    *error = "$.version: expected " + std::to_string(kSnapshotVersion);
    return nullptr;
  }
  auto catalog = std::make_shared<Catalog>();
  catalog->schemas = reader.strings(fields[kSchemas], root_path, "schemas");
  catalog->roles = reader.strings(fields[kRoles], root_path, "roles");
  read_list(reader, fields[kRelations], root_path, "relations", catalog->relations, read_relation);
  read_list(reader, fields[kForeignKeys], root_path, "foreign_keys", catalog->foreign_keys,
            read_foreign_key);
  read_list(reader, fields[kFunctions], root_path, "functions", catalog->functions, read_function);
  read_list(reader, fields[kViewKeys], root_path, "view_keys", catalog->view_keys, read_view_key);
  if (reader.failed()) {
    *error = reader.error();
    return nullptr;
  }
  if (reader.name_error_pending()) {
    *error = reader.name_error();
    return nullptr;
  }
  catalog->build_lookups(true);
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
        .value(relation.deletable)
        .key("row_type_oid")
        .value(relation.row_type_oid);
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
        .value(function.return_type_oid);
    write_strings("return_type_schemas", function.return_type_schemas);
    writer.key("returns_set")
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
          .value(param.type_oid);
      write_strings("type_schemas", param.type_schemas);
      writer.key("mode")
          .value(to_string(param.mode))
          .key("has_default")
          .value(param.has_default)
          .end_object();
    }
    writer.end_array().end_object();
  }
  writer.end_array();
  writer.key("view_keys").begin_array();
  for (const ViewKey& key : catalog.view_keys) {
    out += "\n";
    writer.begin_object()
        .key("schema")
        .value(key.schema)
        .key("view")
        .value(key.view)
        .key("kind")
        .value(to_string(key.kind))
        .key("table_schema")
        .value(key.table_schema)
        .key("table")
        .value(key.table)
        .key("constraint")
        .value(key.constraint)
        .key("unique")
        .value(key.unique);
    writer.key("columns").begin_array();
    for (const auto& exposing : key.columns) {
      writer.begin_array();
      for (const auto& column : exposing) writer.value(column);
      writer.end_array();
    }
    writer.end_array().end_object();
  }
  writer.end_array().end_object();
  out += "\n";
  return out;
}

}  // namespace pgrest
