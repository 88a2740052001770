// The contract's config JSON. Parsing is strict: a misspelt key or a wrong type in a
// security setting (managed_schemas, anon_role) must stop the tool, not silently fall back
// to a default. Messages are one line and quote keys as JSON strings, so a key holding
// control characters cannot break the line a CLI prints.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.hpp"
#include "pgrest/engine.hpp"
#include "resolve/resolve.hpp"

namespace pgrest {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string json_quoted(std::string_view key) {
  std::string out;
  json::append_string(out, key);
  return out;
}

// Records the first problem; later checks stop at it.
class ConfigReader {
 public:
  [[nodiscard]] bool failed() const { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool expected(std::string_view key, std::string_view what) {
    return fail(json_quoted(key) + ": expected " + std::string(what));
  }

  bool strings(element value, std::string_view key, bool non_empty, std::vector<std::string>& out) {
    const std::string_view what =
        non_empty ? "a non-empty array of non-empty strings" : "an array of non-empty strings";
    array items;
    if (value.get(items) != simdjson::SUCCESS) return expected(key, what);
    std::vector<std::string> result;
    for (element item : items) {
      std::string_view text;
      // An empty schema name can never match a schema; it is always a mistake.
      if (item.get(text) != simdjson::SUCCESS || text.empty()) return expected(key, what);
      result.emplace_back(text);
    }
    if (non_empty && result.empty()) return expected(key, what);
    out = std::move(result);
    return true;
  }

  bool string(element value, std::string_view key, std::string& out) {
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) return expected(key, "a string");
    out = std::string(text);
    return true;
  }

  bool optional_string(element value, std::string_view key, std::optional<std::string>& out) {
    if (value.is_null()) {
      out.reset();
      return true;
    }
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) return expected(key, "a string or null");
    out = std::string(text);
    return true;
  }

  bool boolean(element value, std::string_view key, bool& out) {
    if (value.get(out) != simdjson::SUCCESS) return expected(key, "true or false");
    return true;
  }

  bool optional_count(element value, std::string_view key, std::optional<int64_t>& out) {
    if (value.is_null()) {
      out.reset();
      return true;
    }
    int64_t number = 0;
    if (value.get(number) != simdjson::SUCCESS || number < 0) {
      return expected(key, "a non-negative integer or null");
    }
    out = number;
    return true;
  }

  bool positive(element value, std::string_view key, size_t& out) {
    uint64_t number = 0;
    if (value.get(number) != simdjson::SUCCESS || number == 0) {
      return expected(key, "a positive integer");
    }
    out = static_cast<size_t>(number);
    return true;
  }

  // Duplicate keys are refused: which one wins differs between JSON parsers, and the
  // file should mean the same thing to every tool that reads it.
  bool first_time(std::vector<std::string_view>& seen, std::string_view key,
                  std::string_view path) {
    for (std::string_view earlier : seen) {
      if (earlier == key) return fail(json_quoted(path) + ": duplicate key");
    }
    seen.push_back(key);
    return true;
  }

 private:
  std::string error_;
};

struct LimitField {
  std::string_view name;
  size_t Limits::*member;
};

// clang-format off
constexpr LimitField kLimitFields[] = {
    {"max_query_bytes", &Limits::max_query_bytes},
    {"max_path_bytes", &Limits::max_path_bytes},
    {"max_header_bytes", &Limits::max_header_bytes},
    {"max_body_bytes", &Limits::max_body_bytes},
    {"max_query_params", &Limits::max_query_params},
    {"max_nesting", &Limits::max_nesting},
    {"max_list_items", &Limits::max_list_items},
};
// clang-format on

bool read_limits(ConfigReader& reader, element value, Limits& limits) {
  object obj;
  if (value.get(obj) != simdjson::SUCCESS) return reader.expected("limits", "an object");
  std::vector<std::string_view> seen;
  for (const auto field : obj) {
    const std::string path = "limits." + std::string(field.key);
    if (!reader.first_time(seen, field.key, path)) return false;
    const LimitField* match = nullptr;
    for (const LimitField& candidate : kLimitFields) {
      if (candidate.name == field.key) match = &candidate;
    }
    if (match == nullptr) return reader.fail(json_quoted(path) + ": unknown key");
    if (!reader.positive(field.value, path, limits.*(match->member))) return false;
  }
  return true;
}

bool read_field(ConfigReader& reader, std::string_view key, element value, Config& config) {
  if (key == "schemas") return reader.strings(value, key, true, config.schemas);
  if (key == "managed_schemas") return reader.strings(value, key, false, config.managed_schemas);
  if (key == "anon_role") return reader.optional_string(value, key, config.anon_role);
  if (key == "role_claim_key") return reader.string(value, key, config.role_claim_key);
  if (key == "max_rows") return reader.optional_count(value, key, config.max_rows);
  if (key == "pre_request") return reader.optional_string(value, key, config.pre_request);
  if (key == "aggregates_enabled") return reader.boolean(value, key, config.aggregates_enabled);
  if (key == "limits") return read_limits(reader, value, config.limits);
  return reader.fail(json_quoted(key) + ": unknown key");
}

}  // namespace

std::optional<Config> parse_config_json(std::string_view json, std::string* error) {
  const auto report = [&](std::string message) -> std::optional<Config> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  simdjson::dom::parser parser;
  element document;
  const simdjson::padded_string padded(json);
  if (const auto code = parser.parse(padded).get(document); code != simdjson::SUCCESS) {
    return report(std::string("not valid JSON: ") + simdjson::error_message(code));
  }
  object root;
  if (document.get(root) != simdjson::SUCCESS) return report("expected a JSON object");
  Config config;
  ConfigReader reader;
  std::vector<std::string_view> seen;
  for (const auto field : root) {
    if (!reader.first_time(seen, field.key, field.key)) break;
    if (!read_field(reader, field.key, field.value, config)) break;
  }
  if (reader.failed()) return report(reader.error());
  // Values the engine would otherwise quietly ignore are refused: a role_claim_key that is
  // no path would put every request on the anon role, and a malformed pre_request would
  // emit a call to `""."f"`.
  if (!resolve::parse_claim_path(config.role_claim_key)) {
    return report("\"role_claim_key\": expected a JSON path such as .role or .app_metadata.role");
  }
  if (config.pre_request) {
    const std::string& name = *config.pre_request;
    const size_t dot = name.find('.');
    const bool bad_part =
        name.empty() || name.find('\0') != std::string::npos ||
        (dot != std::string::npos &&
         (dot == 0 || dot + 1 == name.size() || name.find('.', dot + 1) != std::string::npos));
    if (bad_part) return report("\"pre_request\": expected \"function\" or \"schema.function\"");
  }
  for (const auto* list : {&config.schemas, &config.managed_schemas}) {
    for (const std::string& schema : *list) {
      if (schema.find('\0') != std::string::npos) return report("schema names cannot contain NUL");
    }
  }
  return config;
}

}  // namespace pgrest
