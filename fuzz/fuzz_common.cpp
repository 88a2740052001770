#include "fuzz_common.hpp"

#include <pg_query.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#ifndef PGREST_FUZZ_CATALOG
#error "PGREST_FUZZ_CATALOG must name the fixed catalog snapshot (fuzz/meson.build sets it)"
#endif

namespace pgrest::fuzz {

namespace {

// Text with control bytes (NUL included) shown as \xNN, so a violation report shows
// exactly what was sent; newlines are kept when `keep_newlines`.
std::string printable(std::string_view text, bool keep_newlines = false) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && !(keep_newlines && c == '\n')) || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

std::string describe(const Request& request) {
  std::string out = "request: " + printable(request.method) + " " + printable(request.path) + "?" +
                    printable(request.query);
  for (const auto& [name, value] : request.headers) {
    out += "\n  header " + printable(name) + ": " + printable(value);
  }
  if (request.body) out += "\n  body: " + printable(*request.body);
  if (request.claims_json) out += "\n  claims: " + printable(*request.claims_json);
  out += request.via_api_layer ? "\n  via_api_layer: true" : "\n  via_api_layer: false";
  out += "\n  (control bytes are shown as \\xNN)";
  return out;
}

// The request being checked, printed with any violation.
thread_local const Request* active_request = nullptr;

bool is_word_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || byte >= 0x80;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Walks SQL text the way PostgreSQL's lexer splits it, as far as the engine's output
// needs: string literals ('' escapes; E'' with backslash escapes), quoted identifiers
// ("" escapes), words, and $n placeholders. Collects the placeholders and applies the
// managed-schema check to every quoted identifier in schema position.
std::set<size_t> scan_sql(std::string_view sql, std::string_view label,
                          const std::vector<std::string>& managed) {
  std::set<size_t> placeholders;
  const size_t n = sql.size();
  size_t i = 0;
  const auto skip_literal = [&](bool backslash_escapes) {
    ++i;  // opening quote
    while (true) {
      if (i >= n) violation("unterminated string literal in " + std::string(label), sql);
      if (backslash_escapes && sql[i] == '\\') {
        i += 2;
        continue;
      }
      if (sql[i] == '\'') {
        if (i + 1 < n && sql[i + 1] == '\'') {
          i += 2;
          continue;
        }
        ++i;
        return;
      }
      ++i;
    }
  };
  while (i < n) {
    const char c = sql[i];
    if (c == '\'') {
      skip_literal(false);
    } else if (c == '"') {
      const size_t start = i++;
      std::string name;
      while (true) {
        if (i >= n) violation("unterminated quoted identifier in " + std::string(label), sql);
        if (sql[i] == '"') {
          if (i + 1 < n && sql[i + 1] == '"') {
            name += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        name += sql[i++];
      }
      const bool schema_position = i < n && sql[i] == '.' && (start == 0 || sql[start - 1] != '.');
      if (schema_position && std::find(managed.begin(), managed.end(), name) != managed.end()) {
        violation("managed schema \"" + name + "\" named in " + std::string(label) +
                      " without via_api_layer",
                  sql);
      }
    } else if (c == '$' && i + 1 < n && is_digit(sql[i + 1])) {
      size_t number = 0;
      size_t digits = 0;
      ++i;
      while (i < n && is_digit(sql[i])) {
        if (++digits > 9) violation("placeholder number too long in " + std::string(label), sql);
        number = number * 10 + static_cast<size_t>(sql[i++] - '0');
      }
      placeholders.insert(number);
    } else if (is_word_char(c)) {
      const size_t start = i;
      while (i < n && is_word_char(sql[i])) ++i;
      const bool escape_prefix = i - start == 1 && (sql[start] == 'E' || sql[start] == 'e');
      if (escape_prefix && i < n && sql[i] == '\'') skip_literal(true);
    } else {
      ++i;
    }
  }
  return placeholders;
}

simdjson::dom::parser& json_parser() {
  static thread_local simdjson::dom::parser parser;
  return parser;
}

void collect_param_refs(simdjson::dom::element element, std::set<size_t>& out,
                        std::string_view sql) {
  if (element.is_array()) {
    simdjson::dom::array array;
    if (element.get(array) != simdjson::SUCCESS) return;
    for (simdjson::dom::element child : array) collect_param_refs(child, out, sql);
  } else if (element.is_object()) {
    simdjson::dom::object object;
    if (element.get(object) != simdjson::SUCCESS) return;
    for (const auto field : object) {
      if (field.key == "ParamRef") {
        int64_t number = 0;  // libpg_query omits zero-valued fields
        const auto found = field.value["number"].get(number);
        if (found != simdjson::SUCCESS && found != simdjson::NO_SUCH_FIELD) {
          violation("ParamRef without an integer number", sql);
        }
        out.insert(number < 0 ? SIZE_MAX : static_cast<size_t>(number));
      }
      collect_param_refs(field.value, out, sql);
    }
  }
}

bool is_one_to_n(const std::set<size_t>& numbers, size_t n) {
  if (numbers.size() != n) return false;
  size_t expected = 1;
  for (const size_t number : numbers) {
    if (number != expected++) return false;
  }
  return true;
}

std::string list(const std::set<size_t>& numbers) {
  std::string out;
  for (const size_t number : numbers) out += (out.empty() ? "$" : ", $") + std::to_string(number);
  return "{" + out + "}";
}

}  // namespace

void violation(std::string_view what, std::string_view detail) {
  std::string report = "\n==== pgrest fuzz invariant violated: ";
  report += what;
  report += '\n';
  report += printable(detail, true);
  report += '\n';
  if (active_request != nullptr) report += describe(*active_request) + "\n";
  report += "====\n";
  std::fwrite(report.data(), 1, report.size(), stderr);
  std::fflush(stderr);
  std::abort();
}

std::shared_ptr<const Catalog> fixed_catalog() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    const char* override_path = std::getenv("PGREST_FUZZ_CATALOG");
    const std::string path = override_path != nullptr ? override_path : PGREST_FUZZ_CATALOG;
    std::ifstream file(path, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    if (!file) violation("cannot read the fuzz catalog", path);
    std::string error;
    auto loaded = load_catalog_json(text.str(), &error);
    if (!loaded) violation("cannot load the fuzz catalog " + path, error);
    return loaded;
  }();
  return catalog;
}

bool is_valid_json(std::string_view text) {
  simdjson::dom::element element;
  const simdjson::padded_string padded(text);
  return json_parser().parse(padded).get(element) == simdjson::SUCCESS;
}

void check_statement(const Statement& statement, std::string_view label,
                     const std::vector<std::string>& managed) {
  const std::string& sql = statement.sql;
  const std::string where(label);
  if (sql.find('\0') != std::string::npos) violation("NUL byte in the SQL of " + where, sql);

  const std::set<size_t> placeholders = scan_sql(sql, label, managed);
  if (!is_one_to_n(placeholders, statement.params.size())) {
    violation("placeholders of " + where + " are " + list(placeholders) + " with " +
                  std::to_string(statement.params.size()) + " params",
              sql);
  }

  PgQueryParseResult parsed = pg_query_parse(sql.c_str());
  if (parsed.error != nullptr) {
    const std::string message = parsed.error->message != nullptr ? parsed.error->message : "?";
    const int position = parsed.error->cursorpos;
    pg_query_free_parse_result(parsed);
    violation(
        "libpg_query cannot parse " + where + ": " + message + " at " + std::to_string(position),
        sql);
  }
  const std::string tree = parsed.parse_tree != nullptr ? parsed.parse_tree : "";
  pg_query_free_parse_result(parsed);

  simdjson::dom::element root;
  const simdjson::padded_string padded(tree);
  if (json_parser().parse(padded).get(root) != simdjson::SUCCESS) {
    violation("libpg_query returned a parse tree that is not JSON for " + where, tree);
  }
  simdjson::dom::array statements;
  if (root["stmts"].get(statements) != simdjson::SUCCESS || statements.size() != 1) {
    violation(where + " is not exactly one statement", sql + "\n" + tree);
  }
  std::set<size_t> param_refs;
  collect_param_refs(root, param_refs, sql);
  if (!is_one_to_n(param_refs, statement.params.size())) {
    violation("ParamRefs of " + where + " are " + list(param_refs) + " with " +
                  std::to_string(statement.params.size()) + " params",
              sql);
  }
}

void check_result(const Result& result, const Request& request, const Config& config) {
  active_request = &request;
  const std::string json = result_to_json(result);
  if (!is_valid_json(json)) violation("result_to_json is not valid JSON", json);
  if (result.ok()) {
    static const std::vector<std::string> none;
    const std::vector<std::string>& managed = request.via_api_layer ? none : config.managed_schemas;
    const Translation& translation = result.translation();
    // The host runs these: a bad one is a bug whatever the request was.
    check_statement(translation.prelude, "prelude", managed);
    check_statement(translation.query, "query", managed);
    if (translation.count_query) check_statement(*translation.count_query, "count_query", managed);
  } else {
    const Error& error = result.error();
    if (error.code.empty()) violation("refusal without a code", json);
    if (error.status != 300 && (error.status < 400 || error.status > 499)) {
      violation("refusal status " + std::to_string(error.status), json);
    }
    if (error.code == "PGRX100") violation("an exception escaped a stage (PGRX100)", json);
  }
  active_request = nullptr;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '.' || c == '~' || c == '-') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::string quote_name(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace pgrest::fuzz
