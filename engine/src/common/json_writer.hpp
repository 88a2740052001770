// A minimal JSON text builder: the engine writes JSON (results, snapshots, the
// request.headers setting); it never parses JSON by hand (simdjson does that).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgrest::json {

// Appends `text` as a JSON string literal (quotes included). Invalid UTF-8 bytes are
// replaced by U+FFFD so the output is always valid JSON.
void append_string(std::string& out, std::string_view text);

inline void append_optional_string(std::string& out, const std::optional<std::string>& text) {
  if (text) {
    append_string(out, *text);
  } else {
    out += "null";
  }
}

// Streaming writer that places commas itself. Keys and values must alternate inside
// objects; nesting is tracked with a small bit stack (up to 64 levels, more than any
// document the engine writes).
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Writer& begin_object() { return open('{'); }
  Writer& end_object() { return close('}'); }
  Writer& begin_array() { return open('['); }
  Writer& end_array() { return close(']'); }

  Writer& key(std::string_view name) {
    separate();
    append_string(out_, name);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  Writer& value(std::string_view text) {
    separate();
    append_string(out_, text);
    return *this;
  }
  Writer& value(const char* text) { return value(std::string_view(text)); }
  Writer& value(const std::string& text) { return value(std::string_view(text)); }
  Writer& value(const std::optional<std::string>& text) {
    separate();
    append_optional_string(out_, text);
    return *this;
  }
  Writer& value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
  }
  Writer& value(int64_t number) {
    separate();
    out_ += std::to_string(number);
    return *this;
  }
  Writer& value(int number) { return value(static_cast<int64_t>(number)); }
  Writer& value(uint32_t number) { return value(static_cast<int64_t>(number)); }
  Writer& null() {
    separate();
    out_ += "null";
    return *this;
  }
  // Inserts already-serialised JSON verbatim.
  Writer& raw(std::string_view json_text) {
    separate();
    out_ += json_text;
    return *this;
  }

 private:
  Writer& open(char bracket) {
    separate();
    out_ += bracket;
    ++depth_;
    first_ = true;
    return *this;
  }
  Writer& close(char bracket) {
    out_ += bracket;
    --depth_;
    first_ = false;
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0 && !first_) out_ += ',';
    first_ = false;
  }

  std::string& out_;
  int depth_ = 0;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace pgrest::json
