// fuzz_parse: each grammar entry point of the parse stage, picked by the first byte
// (modulo 7): 0 parse_select, 1 parse_filter_expr, 2 parse_logic_tree, 3 parse_order,
// 4 parse_key, 5 parse_name_list, 6 decode_query_string + parse_query. The quotient
// gives flags: bit 0 negated and bit 1 is_or (logic trees), bit 2 small limits (so the
// bounds themselves get exercised). The rest of the input is the text.
//
// Invariants: nothing escapes as an exception (libFuzzer reports it); refusals are
// PGRST100 (400), PGRX101 (400) or, for limit/offset, PGRST103 (416), always with a
// message; a parsed key has at least one name and a quoted flag per name; the parse
// stage never needs more than the nesting bound (the sanitizers and -timeout catch
// unbounded recursion).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/arena.hpp"
#include "decode/query_string.hpp"
#include "fuzz_common.hpp"
#include "parse/parse.hpp"

namespace {

using pgrest::fuzz::violation;

template <typename T>
void check(const pgrest::Expected<T>& parsed, std::string_view entry, std::string_view text) {
  if (parsed) return;
  const pgrest::Error& error = parsed.error();
  const bool known = (error.code == "PGRST100" && error.status == 400) ||
                     (error.code == "PGRX101" && error.status == 400) ||
                     (error.code == "PGRST103" && error.status == 416);
  if (!known || error.message.empty()) {
    violation(std::string(entry) + " refused with code '" + error.code + "' status " +
                  std::to_string(error.status) + ": " + error.message,
              text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // As Engine::translate runs the stages: in this thread's arena, released on return
  // (under ASan a use of it after that, or of memory a container released, is reported).
  const pgrest::arena::Scope scope;
  const unsigned selector = data[0] % 7;
  const unsigned flags = data[0] / 7;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  pgrest::Limits limits;
  if ((flags & 4) != 0) {
    limits.max_nesting = 3;
    limits.max_list_items = 4;
    limits.max_query_params = 4;
  }
  namespace parse = pgrest::parse;
  switch (selector) {
    case 0:
      check(parse::parse_select(text, limits), "parse_select", text);
      break;
    case 1:
      check(parse::parse_filter_expr(text), "parse_filter_expr", text);
      break;
    case 2:
      check(parse::parse_logic_tree(text, (flags & 1) != 0, (flags & 2) != 0, limits),
            "parse_logic_tree", text);
      break;
    case 3:
      check(parse::parse_order(text, limits), "parse_order", text);
      break;
    case 4: {
      auto key = parse::parse_key(text);
      check(key, "parse_key", text);
      if (key && (key->names.empty() || key->quoted.size() != key->names.size())) {
        violation("parse_key returned " + std::to_string(key->names.size()) + " names and " +
                      std::to_string(key->quoted.size()) + " quoted flags",
                  text);
      }
      break;
    }
    case 5:
      check(parse::parse_name_list(text, "columns", limits), "parse_name_list", text);
      break;
    default: {
      auto params = pgrest::decode::decode_query_string(text, limits.max_query_params);
      if (params) check(parse::parse_query(*params, limits), "parse_query", text);
      break;
    }
  }
  return 0;
}
