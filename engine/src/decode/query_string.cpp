#include "decode/query_string.hpp"

#include "common/errors.hpp"
#include "common/utf8.hpp"
#include "parse/pegtl.hpp"

namespace pgrest::decode {

namespace {

namespace rules {
using namespace pegtl;  // NOLINT
// clang-format off
struct key : star< not_one< '&', '=' > > {};
struct value : star< not_one< '&' > > {};
struct pair : seq< key, opt< one< '=' >, value > > {};
struct query : seq< list< pair, one< '&' > >, eof > {};
// clang-format on
}  // namespace rules

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the percent-decoding of `text` to `out` (a std::string or an arena::String).
// Plain runs are copied whole; only `%` and `+` are looked at one by one.
template <typename Text>
void decode_into(std::string_view text, bool plus_as_space, Text& out) {
  out.reserve(out.size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;
    while (run < text.size() && text[run] != '%' && text[run] != '+') ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    const char c = text[run];
    i = run + 1;
    if (c == '%' && run + 2 < text.size()) {
      const int high = hex_value(text[run + 1]);
      const int low = hex_value(text[run + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i = run + 3;
        continue;
      }
    }
    out += (c == '+' && plus_as_space) ? ' ' : c;
  }
}

struct SplitState {
  arena::Vector<QueryParam>* params;
  size_t max_params;
  bool too_many = false;
  std::string_view pending_key;
  bool has_value = false;
  std::string_view pending_value;
};

template <typename Rule>
struct split_action : pegtl::nothing<Rule> {};

template <>
struct split_action<rules::key> {
  template <typename Input>
  static void apply(const Input& in, SplitState& state) {
    state.pending_key = in.string_view();
    state.has_value = false;
  }
};

template <>
struct split_action<rules::value> {
  template <typename Input>
  static void apply(const Input& in, SplitState& state) {
    state.has_value = true;
    state.pending_value = in.string_view();
  }
};

template <>
struct split_action<rules::pair> {
  template <typename Input>
  static void apply(const Input& /*in*/, SplitState& state) {
    if (state.pending_key.empty() && !state.has_value) return;  // empty segment
    if (state.params->size() >= state.max_params) {
      state.too_many = true;
      return;
    }
    QueryParam& param = state.params->emplace_back();
    decode_into(state.pending_key, true, param.key);
    if (state.has_value) decode_into(state.pending_value, true, param.value.emplace());
  }
};

Error invalid_utf8(std::string_view what) {
  return errors::make(400, "PGRST100", "Invalid UTF-8 in the query string",
                      "The " + std::string(what) + " is not valid UTF-8 after percent-decoding");
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  decode_into(text, plus_as_space, out);
  return out;
}

Expected<arena::Vector<QueryParam>> decode_query_string(std::string_view raw, size_t max_params) {
  arena::Vector<QueryParam> params;
  auto decoded = decode_query_string(raw, max_params, params);
  if (!decoded) return std::move(decoded.error());
  return params;
}

Expected<bool> decode_query_string(std::string_view raw, size_t max_params,
                                   arena::Vector<QueryParam>& params) {
  params.clear();
  if (raw.empty()) return true;
  SplitState state{&params, max_params, false, {}, false, {}};
  pegtl::memory_input<> input(raw.data(), raw.size(), "query");
  // The grammar accepts every byte string, so parse() cannot fail here.
  (void)pegtl::parse<rules::query, split_action>(input, state);
  if (state.too_many) {
    return errors::limit_exceeded("The query string has more than " + std::to_string(max_params) +
                                  " parameters");
  }
  for (const QueryParam& param : params) {
    // PostgreSQL text cannot hold NUL, and identifiers end there: refuse it up front.
    if (param.key.find('\0') != std::string::npos ||
        (param.value && param.value->find('\0') != std::string::npos)) {
      return errors::make(400, "PGRST100", "Invalid query string",
                          "The query string contains a NUL byte (%00)");
    }
    if (utf8::first_invalid(param.key) != std::string_view::npos) {
      return invalid_utf8("parameter name");
    }
    if (param.value && utf8::first_invalid(*param.value) != std::string_view::npos) {
      return invalid_utf8("value of " + std::string(param.key));
    }
  }
  return true;
}

Expected<Target> decode_path(std::string_view raw_path) {
  // Split on '/' first and decode each segment after, so an encoded slash (%2F) is
  // part of a name, as in PostgREST's web layer. Only one or two segments can name
  // anything, so only the first two are kept (no vector); every segment is still
  // decoded and checked, so the error does not depend on where a bad one sits.
  std::string first;
  std::string second;
  size_t count = 0;
  bool any_empty = false;
  std::string_view rest(raw_path);
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    std::string segment = percent_decode(rest.substr(0, slash), false);
    if (utf8::first_invalid(segment) != std::string_view::npos ||
        segment.find('\0') != std::string::npos) {
      return errors::make(404, "PGRST125", "Invalid path specified in request URL",
                          "The path is not valid UTF-8");
    }
    any_empty = any_empty || segment.empty();
    if (count == 0) {
      first = std::move(segment);
    } else if (count == 1) {
      second = std::move(segment);
    }
    ++count;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) {  // a trailing slash is an empty segment
      any_empty = true;
      ++count;
    }
  }
  Target target;
  if (count == 0) {
    target.kind = Target::Kind::root;
    return target;
  }
  if (!any_empty && count == 1) {
    target.kind = Target::Kind::relation;
    target.name = std::move(first);
    return target;
  }
  if (!any_empty && count == 2 && first == "rpc") {
    target.kind = Target::Kind::function;
    target.name = std::move(second);
    return target;
  }
  return errors::make(404, "PGRST125", "Invalid path specified in request URL");
}

}  // namespace pgrest::decode
