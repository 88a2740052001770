// Grammars of the request headers that change translation: Accept (media types with
// q-values), Prefer (RFC 7240 tokens), Range (`from-[to]`) and Cookie.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgrest::headers {

struct MediaRange {
  std::string type;     // lower-cased, e.g. "application"
  std::string subtype;  // lower-cased, e.g. "vnd.pgrst.object+json"
  std::vector<std::pair<std::string, std::string>> params;  // names lower-cased, q removed
  double quality = 1.0;
};

// Parses an Accept header into media ranges, most preferred first: by q-value, then the
// more specific first (parameters minus wildcards), then as written. Returns nullopt
// when the header does not parse.
std::optional<std::vector<MediaRange>> parse_accept(std::string_view header);

// Splits Prefer header values on commas into trimmed tokens.
std::vector<std::string> parse_prefer(std::string_view header);

struct ByteRange {
  int64_t first = 0;
  std::optional<int64_t> last;
};
// `Range: 0-9` / `10-`. Anything else is ignored, as PostgREST ignores it (nullopt).
std::optional<ByteRange> parse_range(std::string_view header);

// `a=1; b=2` -> {{a,1},{b,2}}; malformed pairs are skipped.
std::vector<std::pair<std::string, std::string>> parse_cookies(std::string_view header);

}  // namespace pgrest::headers
