// fuzz_decode: the decode stage on arbitrary bytes. The whole input is used as a raw
// query string, as a path and as text to percent-decode.
//
// Invariants: percent_decode never grows its input and is the identity on text without
// `%` (and without `+` when `+` means space); decode_query_string keeps to its parameter
// bound, yields only valid UTF-8 and at most one pair per `&`-separated segment;
// decode_path names a non-empty relation or function; refusals carry a code and a 4xx.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/arena.hpp"
#include "common/utf8.hpp"
#include "decode/query_string.hpp"
#include "fuzz_common.hpp"

namespace {

using pgrest::fuzz::violation;

void check_error(const pgrest::Error& error, std::string_view what, std::string_view input) {
  if (error.code.empty() || error.status < 400 || error.status > 499) {
    violation(std::string(what) + " refused with code '" + error.code + "' status " +
                  std::to_string(error.status),
              input);
  }
}

void check_percent_decode(std::string_view text, bool plus_as_space) {
  const std::string decoded = pgrest::decode::percent_decode(text, plus_as_space);
  if (decoded.size() > text.size()) violation("percent_decode grew its input", text);
  if (text.find('%') == std::string_view::npos) {
    std::string expected(text);
    if (plus_as_space) std::replace(expected.begin(), expected.end(), '+', ' ');
    if (decoded != expected) violation("percent_decode changed text without escapes", text);
  }
}

void check_query_string(std::string_view text, size_t max_params) {
  auto params = pgrest::decode::decode_query_string(text, max_params);
  if (!params) {
    check_error(params.error(), "decode_query_string", text);
    return;
  }
  const size_t segments = static_cast<size_t>(std::count(text.begin(), text.end(), '&')) + 1;
  if (params->size() > max_params) violation("decode_query_string exceeded max_params", text);
  if (params->size() > segments) violation("more parameters than segments", text);
  if (text.empty() && !params->empty()) violation("parameters from an empty query", text);
  for (const auto& param : *params) {
    if (pgrest::utf8::first_invalid(param.key) != std::string_view::npos ||
        (param.value && pgrest::utf8::first_invalid(*param.value) != std::string_view::npos)) {
      violation("decode_query_string let invalid UTF-8 through", text);
    }
    if (param.key.empty() && !param.value) violation("an empty segment became a parameter", text);
  }
}

void check_path(std::string_view text) {
  auto target = pgrest::decode::decode_path(text);
  if (!target) {
    check_error(target.error(), "decode_path", text);
    return;
  }
  using Kind = pgrest::decode::Target::Kind;
  if (target->kind != Kind::root && target->name.empty()) {
    violation("decode_path returned an empty name", text);
  }
  if (pgrest::utf8::first_invalid(target->name) != std::string_view::npos) {
    violation("decode_path let invalid UTF-8 through", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // As Engine::translate runs the stages: in this thread's arena, released on return
  // (under ASan a use of it after that, or of memory a container released, is reported).
  const pgrest::arena::Scope scope;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_percent_decode(text, true);
  check_percent_decode(text, false);
  check_query_string(text, 512);
  check_query_string(text, 3);
  check_path(text);
  return 0;
}
