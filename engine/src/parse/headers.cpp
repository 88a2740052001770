#include "parse/headers.hpp"

#include <algorithm>
#include <charconv>

#include "parse/pegtl.hpp"

namespace pgrest::headers {

namespace {

namespace rules {
using namespace pegtl;  // NOLINT
// clang-format off
struct ows : star< one< ' ', '\t' > > {};
// RFC 9110 token characters.
struct tchar : sor< alnum, one< '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' > > {};
struct token : plus< tchar > {};
struct qdtext : sor< seq< one< '\\' >, any >, not_one< '"', '\\' > > {};
struct quoted_string : seq< one< '"' >, star< qdtext >, one< '"' > > {};
struct param_name : token {};
struct param_value : sor< quoted_string, token > {};
struct media_param : seq< ows, one< ';' >, ows, param_name, ows, one< '=' >, ows, param_value > {};
struct media_type : token {};
struct media_subtype : token {};
struct media_range : seq< media_type, one< '/' >, media_subtype, star< media_param >, ows > {};
struct empty_element : ows {};
struct ws_char : one< ' ', '\t' > {};
struct accept : seq< ows, list< sor< media_range, empty_element >, one< ',' >, ws_char >, eof > {};

struct digits : plus< digit > {};
struct range_first : digits {};
struct range_last : digits {};
struct range : seq< range_first, one< '-' >, opt< range_last >, eof > {};

struct cookie_name : plus< not_one< '=', ';', ' ', '\t' > > {};
struct cookie_value : star< not_one< ';' > > {};
struct cookie_pair : seq< ows, cookie_name, one< '=' >, cookie_value > {};
struct cookie_junk : star< not_one< ';' > > {};
struct cookies : seq< list< sor< cookie_pair, cookie_junk >, one< ';' > >, eof > {};

// Prefer (RFC 7240): comma-separated preferences; each is kept whole (`count=exact`,
// `max-affected=5`), trimmed of the spaces around it; empty elements are skipped.
struct prefer_char : not_one< ',', ' ', '\t' > {};
struct prefer_token : seq< prefer_char, star< sor< prefer_char, seq< plus< ws_char >, prefer_char > > > > {};
struct prefer_element : seq< ows, opt< prefer_token >, ows > {};
struct prefer : seq< list< prefer_element, one< ',' > >, eof > {};
// clang-format on
}  // namespace rules

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string unquote(std::string_view text) {
  if (text.size() < 2 || text.front() != '"') return std::string(text);
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\' && i + 2 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

struct AcceptState {
  std::vector<MediaRange> ranges;
  std::string pending_name;
};

template <typename Rule>
struct accept_action : pegtl::nothing<Rule> {};

template <>
struct accept_action<rules::media_type> {
  template <typename Input>
  static void apply(const Input& in, AcceptState& state) {
    state.ranges.emplace_back().type = lower(in.string_view());
  }
};
template <>
struct accept_action<rules::media_subtype> {
  template <typename Input>
  static void apply(const Input& in, AcceptState& state) {
    state.ranges.back().subtype = lower(in.string_view());
  }
};
template <>
struct accept_action<rules::param_name> {
  template <typename Input>
  static void apply(const Input& in, AcceptState& state) {
    state.pending_name = lower(in.string_view());
  }
};
template <>
struct accept_action<rules::param_value> {
  template <typename Input>
  static void apply(const Input& in, AcceptState& state) {
    MediaRange& range = state.ranges.back();
    const std::string value = unquote(in.string_view());
    if (state.pending_name == "q") {
      double quality = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), quality);
      range.quality = (ec == std::errc() && end == value.data() + value.size())
                          ? std::clamp(quality, 0.0, 1.0)
                          : 0.0;
    } else {
      range.params.emplace_back(state.pending_name, value);
    }
  }
};

struct RangeState {
  ByteRange range;
  bool overflow = false;
};

template <typename Rule>
struct range_action : pegtl::nothing<Rule> {};

template <typename Rule>
void read_number(std::string_view digits, int64_t& out, RangeState& state) {
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || end != digits.data() + digits.size()) state.overflow = true;
}

template <>
struct range_action<rules::range_first> {
  template <typename Input>
  static void apply(const Input& in, RangeState& state) {
    read_number<void>(in.string_view(), state.range.first, state);
  }
};
template <>
struct range_action<rules::range_last> {
  template <typename Input>
  static void apply(const Input& in, RangeState& state) {
    int64_t last = 0;
    read_number<void>(in.string_view(), last, state);
    state.range.last = last;
  }
};

using CookieList = std::vector<std::pair<std::string, std::string>>;

template <typename Rule>
struct cookie_action : pegtl::nothing<Rule> {};
// Acts on the whole pair: an action on its parts would also fire for a pair that
// later fails to match and is re-read as junk.
template <>
struct cookie_action<rules::cookie_pair> {
  template <typename Input>
  static void apply(const Input& in, CookieList& cookies) {
    std::string_view pair = in.string_view();
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const size_t equals = pair.find('=');
    std::string_view value = pair.substr(equals + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
      value.remove_suffix(1);
    }
    cookies.emplace_back(std::string(pair.substr(0, equals)), unquote(value));
  }
};

}  // namespace

std::optional<std::vector<MediaRange>> parse_accept(std::string_view header) {
  AcceptState state;
  pegtl::memory_input<> input(header.data(), header.size(), "Accept");
  if (!pegtl::parse<rules::accept, accept_action>(input, state)) return std::nullopt;
  // Most preferred first; among equal q-values the more specific (more parameters, fewer
  // wildcards) first, as PostgREST's Accept parser (wai's parseHttpAccept) orders them:
  // `*/*, text/csv` asks for CSV. Otherwise in the order written.
  const auto specificity = [](const MediaRange& range) {
    const auto stars = (range.type == "*" ? 1 : 0) + (range.subtype == "*" ? 1 : 0);
    return static_cast<ptrdiff_t>(range.params.size()) - stars;
  };
  std::stable_sort(state.ranges.begin(), state.ranges.end(),
                   [&](const MediaRange& a, const MediaRange& b) {
                     if (a.quality != b.quality) return a.quality > b.quality;
                     return specificity(a) > specificity(b);
                   });
  return std::move(state.ranges);
}

template <typename Rule>
struct prefer_action : pegtl::nothing<Rule> {};

template <>
struct prefer_action<rules::prefer_token> {
  template <typename Input>
  static void apply(const Input& in, std::vector<std::string>& tokens) {
    tokens.emplace_back(in.begin(), in.size());
  }
};

std::vector<std::string> parse_prefer(std::string_view header) {
  std::vector<std::string> tokens;
  pegtl::memory_input<> input(header.data(), header.size(), "Prefer");
  // Every byte sequence matches (tokens are anything between commas), so the result
  // of the parse itself carries no information.
  (void)pegtl::parse<rules::prefer, prefer_action>(input, tokens);
  return tokens;
}

std::optional<ByteRange> parse_range(std::string_view header) {
  RangeState state;
  pegtl::memory_input<> input(header.data(), header.size(), "Range");
  if (!pegtl::parse<rules::range, range_action>(input, state) || state.overflow) {
    return std::nullopt;
  }
  return state.range;
}

std::vector<std::pair<std::string, std::string>> parse_cookies(std::string_view header) {
  CookieList cookies;
  pegtl::memory_input<> input(header.data(), header.size(), "Cookie");
  (void)pegtl::parse<rules::cookies, cookie_action>(input, cookies);
  return cookies;
}

}  // namespace pgrest::headers
