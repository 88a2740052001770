// Stage 1, decode: the raw, percent-encoded query string and path become decoded text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/arena.hpp"
#include "common/expected.hpp"

namespace pgrest::decode {

// Decoded text lives in the translation's arena (common/arena.hpp).
struct QueryParam {
  arena::String key;
  std::optional<arena::String> value;  // nullopt for a bare `key` without `=`
};

// Splits on `&` and the first `=`, percent-decodes with `+` as space (as browsers and
// postgrest-js send it), and checks that every decoded key and value is valid UTF-8.
// Empty segments (`a=1&&b=2`) are skipped. Refuses more than `max_params` pairs.
Expected<arena::Vector<QueryParam>> decode_query_string(std::string_view raw, size_t max_params);
// The same into `params` (cleared first).
Expected<bool> decode_query_string(std::string_view raw, size_t max_params,
                                   arena::Vector<QueryParam>& params);

// Percent-decodes `text`; `+` becomes a space only when `plus_as_space`. A `%` that does
// not start a valid escape is kept as it is.
std::string percent_decode(std::string_view text, bool plus_as_space);

struct Target {
  enum class Kind { root, relation, function };
  Kind kind = Kind::relation;
  std::string name;  // decoded
};

// `/films` -> relation films, `/rpc/add` -> function add, `/` -> root; anything else is
// PGRST125 (404). Trailing slashes are not special, as in PostgREST.
Expected<Target> decode_path(std::string_view raw_path);

}  // namespace pgrest::decode
