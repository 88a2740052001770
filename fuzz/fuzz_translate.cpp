// fuzz_translate: Engine::translate end to end over the fixed catalog (fuzz/catalog.json).
//
// The input is read with FuzzedDataProvider (integers from the end, strings from the
// front; fuzz/seeds.py writes seeds in the same layout, keep the two in step):
//   flags  u8     bit 0 via_api_layer, 1 has body, 2 has claims, 3 second engine config
//   method u8     index into kMethods
//   path   u8     index into kPaths; kPaths.size() -> fuzzed path string,
//                 kPaths.size()+1 -> "/" + fuzzed segment
//   [path string, max 256]
//   query string, max 4096
//   count  u8     0..6 headers, each: name u8 (index into kHeaderNames; last -> fuzzed
//                 name string, max 64), value string (max 512)
//   [body string, max 1024] [claims string, max 1024]
//
// Invariants (any violation abort()s): see fuzz_common.hpp check_result for the
// per-result ones (statements parse with libpg_query as one statement each, $1..$n
// match the params, no managed schema without via_api_layer, refusals 300/4xx with a
// code, valid result JSON); plus value independence: the request again with every
// simple filter value `[not.](eq|neq|gt|gte|lt|lte).<alnum>` replaced by as many `z`
// must give byte-identical SQL (prelude, query, count_query), the same ok-ness and, for
// refusals, the same code.
#include <FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decode/query_string.hpp"
#include "fuzz_common.hpp"

namespace {

using pgrest::fuzz::violation;

constexpr std::array<const char*, 12> kMethods = {
    "GET", "GET", "GET", "GET", "HEAD", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "get",
};

// Names in fuzz/catalog.json, plus near misses. Append only: corpus inputs refer to them
// by index.
constexpr std::array<const char*, 23> kPaths = {
    "/films",
    "/actors",
    "/directors",
    "/film_titles",
    "/notes",
    "/odd_names",
    "/roles",
    "/user_agents",
    "/users",
    "/chunks",
    "/agents",
    "/knowledge_bases",
    "/sources",
    "/flims",
    "/rpc/add_them",
    "/rpc/films_after",
    "/rpc/request_context",
    "/rpc/match_chunks",
    "/",
    "/ai.chunks",
    "/%22ai%22.%22chunks%22",
    "/films/",
    "/rpc/check_request",
};

// The last entry stands for a fuzzed name.
constexpr std::array<const char*, 9> kHeaderNames = {
    "Accept",       "Prefer",         "Range", "Accept-Profile", "Content-Profile", "Cookie",
    "Content-Type", "accept-profile", "",
};

struct Engines {
  pgrest::Config plain;
  pgrest::Config tuned;
  std::unique_ptr<pgrest::Engine> plain_engine;
  std::unique_ptr<pgrest::Engine> tuned_engine;

  Engines() {
    // The second configuration: aggregates, max_rows, a pre-request function, a nested
    // role claim, and the managed schema listed among the exposed ones (the guard must
    // still hold).
    tuned.schemas = {"public", "ai"};
    tuned.aggregates_enabled = true;
    tuned.max_rows = 25;
    tuned.pre_request = "public.check_request";
    tuned.role_claim_key = ".app_metadata.role";
    tuned.limits.max_nesting = 8;
    tuned.limits.max_list_items = 64;
    plain_engine = std::make_unique<pgrest::Engine>(pgrest::fuzz::fixed_catalog(), plain);
    tuned_engine = std::make_unique<pgrest::Engine>(pgrest::fuzz::fixed_catalog(), tuned);
  }
};

const Engines& engines() {
  static const Engines instance;
  return instance;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// `^(not\.)?(eq|neq|gt|gte|lt|lte)\.[A-Za-z0-9]+$`: returns where the alnum run starts,
// or npos.
size_t simple_value_start(std::string_view value) {
  size_t at = 0;
  if (value.substr(0, 4) == "not.") at = 4;
  const std::string_view rest = value.substr(at);
  size_t op_length = 0;
  for (const std::string_view op : {"neq", "gte", "lte", "eq", "gt", "lt"}) {
    if (rest.size() > op.size() && rest.substr(0, op.size()) == op && rest[op.size()] == '.') {
      op_length = op.size();
      break;
    }
  }
  if (op_length == 0) return std::string_view::npos;
  const size_t start = at + op_length + 1;
  if (start >= value.size()) return std::string_view::npos;
  for (size_t i = start; i < value.size(); ++i) {
    if (!is_alnum(value[i])) return std::string_view::npos;
  }
  return start;
}

// Whether a raw key could be one of the reserved keys (select, order, limit, and, ...)
// rather than a filter: any dot-separated name, with quotes, spaces and JSON paths
// removed, equal to a reserved word. Deliberately over-approximate: such keys keep
// their values.
bool may_be_reserved(std::string_view raw_key) {
  const std::string key = pgrest::decode::percent_decode(raw_key, true);
  size_t begin = 0;
  while (begin <= key.size()) {
    size_t end = key.find('.', begin);
    if (end == std::string::npos) end = key.size();
    std::string name;
    for (char c : key.substr(begin, end - begin)) {
      if (c != '"' && c != ' ') name += c;
    }
    if (const size_t arrow = name.find("->"); arrow != std::string::npos) name.resize(arrow);
    for (const std::string_view reserved :
         {"select", "columns", "on_conflict", "order", "limit", "offset", "and", "or", "not"}) {
      if (name == reserved) return true;
    }
    begin = end + 1;
  }
  return false;
}

// The query string with every simple filter value replaced; empty when nothing changed.
std::string substitute_values(std::string_view query) {
  std::string out;
  bool changed = false;
  size_t begin = 0;
  while (begin <= query.size()) {
    size_t end = query.find('&', begin);
    if (end == std::string_view::npos) end = query.size();
    std::string segment(query.substr(begin, end - begin));
    const size_t eq = segment.find('=');
    if (eq != std::string::npos && !may_be_reserved(std::string_view(segment).substr(0, eq))) {
      const size_t start = simple_value_start(std::string_view(segment).substr(eq + 1));
      if (start != std::string_view::npos) {
        for (size_t i = eq + 1 + start; i < segment.size(); ++i) {
          changed = changed || segment[i] != 'z';
          segment[i] = 'z';
        }
      }
    }
    if (begin > 0) out += '&';
    out += segment;
    begin = end + 1;
  }
  return changed ? out : std::string();
}

void check_same_shape(const pgrest::Result& a, const pgrest::Result& b,
                      const pgrest::Request& request, const std::string& substituted) {
  const auto fail = [&](std::string_view what) {
    violation(what, "query: " + request.query + "\nsubstituted: " + substituted + "\nfirst: " +
                        pgrest::result_to_json(a) + "\nsecond: " + pgrest::result_to_json(b));
  };
  if (a.ok() != b.ok()) fail("substituting filter values changed ok-ness");
  if (!a.ok()) {
    if (a.error().code != b.error().code)
      fail("substituting filter values changed the refusal code");
    return;
  }
  const pgrest::Translation& x = a.translation();
  const pgrest::Translation& y = b.translation();
  if (x.query.sql != y.query.sql) fail("the query SQL depends on filter values");
  if (x.prelude.sql != y.prelude.sql) fail("the prelude SQL depends on filter values");
  if (x.count_query.has_value() != y.count_query.has_value() ||
      (x.count_query && x.count_query->sql != y.count_query->sql)) {
    fail("the count_query SQL depends on filter values");
  }
  if (x.query.params.size() != y.query.params.size()) {
    fail("the number of params depends on filter values");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  pgrest::Request request;

  const auto flags = provider.ConsumeIntegral<uint8_t>();
  request.via_api_layer = (flags & 1) != 0;
  request.method = kMethods[provider.ConsumeIntegralInRange<uint8_t>(0, kMethods.size() - 1)];
  const auto path = provider.ConsumeIntegralInRange<uint8_t>(0, kPaths.size() + 1);
  if (path < kPaths.size()) {
    request.path = kPaths[path];
  } else if (path == kPaths.size()) {
    request.path = provider.ConsumeRandomLengthString(256);
  } else {
    request.path = "/" + provider.ConsumeRandomLengthString(256);
  }
  request.query = provider.ConsumeRandomLengthString(4096);
  const auto header_count = provider.ConsumeIntegralInRange<uint8_t>(0, 6);
  for (uint8_t i = 0; i < header_count; ++i) {
    const auto name = provider.ConsumeIntegralInRange<uint8_t>(0, kHeaderNames.size() - 1);
    std::string header_name = name + 1U < kHeaderNames.size()
                                  ? std::string(kHeaderNames[name])
                                  : provider.ConsumeRandomLengthString(64);
    std::string value = provider.ConsumeRandomLengthString(512);
    request.headers.emplace_back(std::move(header_name), std::move(value));
  }
  if ((flags & 2) != 0) request.body = provider.ConsumeRandomLengthString(1024);
  if ((flags & 4) != 0) request.claims_json = provider.ConsumeRandomLengthString(1024);

  const Engines& all = engines();
  const bool tuned = (flags & 8) != 0;
  const pgrest::Engine& engine = tuned ? *all.tuned_engine : *all.plain_engine;
  const pgrest::Config& config = tuned ? all.tuned : all.plain;

  const pgrest::Result result = engine.translate(request);
  pgrest::fuzz::check_result(result, request, config);

  const std::string substituted = substitute_values(request.query);
  if (!substituted.empty()) {
    pgrest::Request other = request;
    other.query = substituted;
    const pgrest::Result second = engine.translate(other);
    pgrest::fuzz::check_result(second, other, config);
    check_same_shape(result, second, request, substituted);
  }
  return 0;
}
