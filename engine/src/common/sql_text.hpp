// Building SQL text. Identifiers reach SQL only through append_identifier (always
// double-quoted, inner quotes doubled, cut at NUL as PostgREST does); values never reach
// SQL text at all: SqlBuilder::param() stores them and writes a `$n` placeholder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pgrest/engine.hpp"

namespace pgrest::sql {

// `out`: a std::string or an arena string. Runs between quotes are copied whole (memchr
// finds the quotes): statements are mostly identifiers, and a byte-at-a-time loop was the
// largest single cost of emitting one.
template <typename Text>
void append_identifier(Text& out, std::string_view name) {
  name = name.substr(0, name.find('\0'));
  out += '"';
  size_t start = 0;
  for (size_t quote = name.find('"'); quote != std::string_view::npos;
       quote = name.find('"', start)) {
    out.append(name.data() + start, quote - start + 1);
    out += '"';
    start = quote + 1;
  }
  out.append(name.data() + start, name.size() - start);
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
// `items`: any range of strings (std::string, string_view, arena strings).
template <typename Items>
void append_array_literal(std::string& out, const Items& items) {
  out += '{';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    out += '"';
    for (const char c : item) {
      if (c == '\0') break;
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
}

template <typename Items>
std::string array_literal(const Items& items) {
  std::string out;
  append_array_literal(out, items);
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
  SqlBuilder& param(std::string&& value) {
    params_.emplace_back(std::move(value));
    return placeholder();
  }
  SqlBuilder& param(std::string_view value) {
    params_.emplace_back(std::in_place, value);
    return placeholder();
  }
  // A parameter written in place by fill(std::string&), which starts empty: a value
  // derived from the request (an array literal, a pattern) is built in the result's
  // own string, without a temporary.
  template <typename Fill>
  SqlBuilder& param_with(Fill fill) {
    fill(params_.emplace_back(std::in_place).value());
    return placeholder();
  }
  SqlBuilder& null_param() {
    params_.emplace_back(std::nullopt);
    return placeholder();
  }

  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  SqlBuilder& placeholder() {
    out_ += '$';
    out_ += std::to_string(params_.size());
    return *this;
  }

  std::string out_;
  std::vector<Param>& params_;
};

}  // namespace pgrest::sql
