// Building SQL text. Identifiers reach SQL only through append_identifier (always
// double-quoted, inner quotes doubled, cut at NUL as PostgREST does); values never reach
// SQL text at all: SqlBuilder::param() stores them and writes a `$n` placeholder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgrest/engine.hpp"

namespace pgrest::sql {

inline void append_identifier(std::string& out, std::string_view name) {
  out += '"';
  for (const char c : name) {
    if (c == '\0') break;
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

inline std::string quote_identifier(std::string_view name) {
  std::string out;
  append_identifier(out, name);
  return out;
}

// A PostgreSQL array literal of text elements, {"a","b\"c"}: the value of an `in` list
// or of repeated VARIADIC arguments, sent as one parameter. NULs are cut, as the server
// would refuse them.
inline std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : items[i]) {
      if (c == '\0') break;
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

class SqlBuilder {
 public:
  // Statements are a few hundred bytes: one reservation instead of a chain of regrowths.
  // `buffer`: a string to write into (cleared first), so a caller reusing its
  // translation keeps the capacity of the previous statement's text.
  explicit SqlBuilder(std::vector<Param>& params, size_t expected_bytes = 1024,
                      size_t expected_params = 16, std::string buffer = {})
      : out_(std::move(buffer)), params_(params) {
    out_.clear();
    out_.reserve(expected_bytes);
    if (params_.capacity() < expected_params) params_.reserve(expected_params);
  }

  SqlBuilder& text(std::string_view sql) {
    out_ += sql;
    return *this;
  }
  SqlBuilder& identifier(std::string_view name) {
    append_identifier(out_, name);
    return *this;
  }
  SqlBuilder& qualified(std::string_view schema, std::string_view name) {
    append_identifier(out_, schema);
    out_ += '.';
    append_identifier(out_, name);
    return *this;
  }
  // Stores a request value as the next parameter and writes its placeholder.
  SqlBuilder& param(std::string value) {
    params_.emplace_back(std::move(value));
    out_ += '$';
    out_ += std::to_string(params_.size());
    return *this;
  }
  SqlBuilder& null_param() {
    params_.emplace_back(std::nullopt);
    out_ += '$';
    out_ += std::to_string(params_.size());
    return *this;
  }

  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::vector<Param>& params_;
};

}  // namespace pgrest::sql
