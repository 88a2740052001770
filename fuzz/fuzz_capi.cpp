// fuzz_capi: the C ABI (pgrest.h) driven by arbitrary bytes: requests as plain C data
// (strings with explicit lengths, embedded NULs included, or NUL-terminated), request
// JSON, config JSON and catalog JSON, and every result accessor.
//
// Invariants:
//  - every call with valid handles returns PGREST_OK (a refused request is a result, not
//    a failed call); NULL handles are refused with PGREST_INVALID_ARGUMENT, never a crash;
//  - the C ABI translates exactly as the C++ Engine does: pgrest_result_json() equals
//    result_to_json() of Engine::translate for the same request, and every accessor
//    (status, flags, media type, each statement's SQL and each parameter with its length
//    and NULL-ness, the error fields) agrees with the C++ Result;
//  - a config or catalog refused by the ABI is refused by the C++ readers too, with a
//    message; an accepted one builds an engine that translates;
//  - nothing leaks (LeakSanitizer) and nothing outlives its owner (AddressSanitizer).
#include <FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "pgrest.h"

namespace {

using pgrest::fuzz::violation;

// The fixed catalog, loaded through the ABI from the same snapshot text the C++ side
// uses (fuzz/catalog.json, via fixed_catalog()).
struct Fixture {
  pgrest_catalog* catalog = nullptr;
  pgrest_engine* engine = nullptr;
  std::unique_ptr<pgrest::Engine> cpp_engine;
};

const Fixture& fixture() {
  static const Fixture instance = [] {
    Fixture f;
    const std::string snapshot = pgrest::write_catalog_json(*pgrest::fuzz::fixed_catalog());
    char* error = nullptr;
    if (pgrest_catalog_load_json(snapshot.data(), snapshot.size(), &f.catalog, &error) !=
        PGREST_OK) {
      violation("the ABI refuses the fixed catalog", error ? error : "");
    }
    if (pgrest_engine_create(f.catalog, nullptr, 0, &f.engine, &error) != PGREST_OK) {
      violation("the ABI cannot create an engine", error ? error : "");
    }
    f.cpp_engine =
        std::make_unique<pgrest::Engine>(pgrest::fuzz::fixed_catalog(), pgrest::Config{});
    return f;
  }();
  return instance;
}

std::string_view view(const char* text) {
  return text ? std::string_view(text) : "";
}

void expect_same_statement(const pgrest_result* result, pgrest_statement which,
                           const pgrest::Statement* statement, std::string_view label) {
  const char* sql = pgrest_result_sql(result, which);
  if ((sql != nullptr) != (statement != nullptr)) {
    violation("statement presence differs from C++", label);
  }
  if (!statement) {
    if (pgrest_result_param_count(result, which) != 0) violation("params without SQL", label);
    return;
  }
  if (view(sql) != statement->sql) violation("SQL differs from C++", label);
  const size_t count = pgrest_result_param_count(result, which);
  if (count != statement->params.size()) violation("param count differs from C++", label);
  for (size_t i = 0; i < count; ++i) {
    size_t length = 0;
    bool is_null = false;
    const char* value = pgrest_result_param(result, which, i, &length, &is_null);
    const pgrest::Param& expected = statement->params[i];
    if (is_null != !expected.has_value() || (is_null && value != nullptr)) {
      violation("param NULL-ness differs from C++", label);
    }
    if (expected && std::string_view(value, length) != *expected) {
      violation("param value differs from C++", label);
    }
  }
  // Out of range: NULL, not NULL-valued.
  bool is_null = true;
  if (pgrest_result_param(result, which, count, nullptr, &is_null) != nullptr || is_null) {
    violation("an out-of-range param is not reported as absent", label);
  }
}

// Every accessor of `result` against the C++ result for the same request.
void expect_same_result(const pgrest_result* result, const pgrest::Result& expected,
                        std::string_view label) {
  if (view(pgrest_result_json(result)) != pgrest::result_to_json(expected)) {
    violation("pgrest_result_json differs from result_to_json",
              std::string(label) + "\nC: " + view(pgrest_result_json(result)).data() +
                  "\nC++: " + pgrest::result_to_json(expected));
  }
  if (pgrest_result_ok(result) != expected.ok()) violation("ok differs from C++", label);
  if (!expected.ok()) {
    const pgrest::Error& error = expected.error();
    if (pgrest_result_status(result) != error.status) violation("status differs", label);
    // C strings end at the first NUL; an error that quotes request bytes may hold one
    // (pgrest_result_json has the whole text).
    const auto c_text = [](const std::string& text) {
      return std::string_view(text).substr(0, text.find('\0'));
    };
    if (view(pgrest_result_error_code(result)) != c_text(error.code) ||
        view(pgrest_result_error_message(result)) != c_text(error.message) ||
        (pgrest_result_error_details(result) != nullptr) != error.details.has_value() ||
        (pgrest_result_error_hint(result) != nullptr) != error.hint.has_value() ||
        pgrest_result_error_details_is_json(result) != error.details_is_json) {
      violation("error fields differ from C++", label);
    }
    if (pgrest_result_sql(result, PGREST_STATEMENT_QUERY) != nullptr ||
        pgrest_result_media_type(result) != nullptr || pgrest_result_read_only(result)) {
      violation("a refusal exposes translation fields", label);
    }
    return;
  }
  const pgrest::Translation& translation = expected.translation();
  if (pgrest_result_status(result) != translation.status ||
      pgrest_result_read_only(result) != translation.read_only ||
      pgrest_result_rollback(result) != translation.rollback ||
      pgrest_result_singular(result) != translation.singular ||
      pgrest_result_expect_one_row(result) != translation.expect_one_row ||
      view(pgrest_result_media_type(result)) != translation.media_type) {
    violation("translation fields differ from C++", label);
  }
  int64_t number = 0;
  if (pgrest_result_count_threshold(result, &number) != translation.count_threshold.has_value() ||
      (translation.count_threshold && number != *translation.count_threshold) ||
      pgrest_result_max_affected(result, &number) != translation.max_affected.has_value() ||
      (translation.max_affected && number != *translation.max_affected)) {
    violation("optional numbers differ from C++", label);
  }
  if (pgrest_result_error_code(result) != nullptr) violation("a translation has an error", label);
  expect_same_statement(result, PGREST_STATEMENT_PRELUDE, &translation.prelude, label);
  expect_same_statement(result, PGREST_STATEMENT_QUERY, &translation.query, label);
  expect_same_statement(result, PGREST_STATEMENT_COUNT,
                        translation.count_query ? &*translation.count_query : nullptr, label);
  if (pgrest_result_sql(result, static_cast<pgrest_statement>(7)) != nullptr) {
    violation("an unknown statement has SQL", label);
  }
}

// A string for the ABI: with its length (embedded NULs allowed), or NUL-terminated
// (PGREST_NTS) when it holds no NUL and the input says so.
struct AbiString {
  const char* data;
  size_t length;
};
AbiString abi(const std::string& text, bool terminated) {
  if (terminated && text.find('\0') == std::string::npos) return {text.c_str(), PGREST_NTS};
  return {text.data(), text.size()};
}

constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"};
constexpr const char* kPaths[] = {"/films",  "/users",    "/roles", "/rpc/films_after",
                                  "/chunks", "/rpc/echo", "/",      "/directors"};
constexpr const char* kHeaders[] = {"Accept",          "Prefer",       "Range",  "Accept-Profile",
                                    "Content-Profile", "Content-Type", "Cookie", "X-Anything"};

void fuzz_request(FuzzedDataProvider& in) {
  const Fixture& f = fixture();
  const bool terminated = in.ConsumeBool();
  std::string method = in.ConsumeBool() ? std::string(in.PickValueInArray(kMethods))
                                        : in.ConsumeRandomLengthString(8);
  std::string path = in.ConsumeBool() ? std::string(in.PickValueInArray(kPaths))
                                      : in.ConsumeRandomLengthString(64);
  std::string query = in.ConsumeRandomLengthString(512);
  std::vector<std::pair<std::string, std::string>> headers;
  const size_t header_count = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < header_count; ++i) {
    std::string name = in.ConsumeBool() ? std::string(in.PickValueInArray(kHeaders))
                                        : in.ConsumeRandomLengthString(16);
    headers.emplace_back(std::move(name), in.ConsumeRandomLengthString(64));
  }
  std::optional<std::string> body;
  if (in.ConsumeBool()) body = in.ConsumeRandomLengthString(512);
  std::optional<std::string> claims;
  if (in.ConsumeBool()) claims = in.ConsumeRandomLengthString(128);
  const bool via_api_layer = in.ConsumeBool();

  std::vector<AbiString> header_strings;
  std::vector<pgrest_header> abi_headers;
  for (const auto& [name, value] : headers) {
    const AbiString n = abi(name, terminated);
    const AbiString v = abi(value, terminated);
    abi_headers.push_back({n.data, n.length, v.data, v.length});
  }
  pgrest_request request{};
  const AbiString m = abi(method, terminated);
  const AbiString p = abi(path, terminated);
  const AbiString q = abi(query, terminated);
  request.method = m.data;
  request.method_len = m.length;
  request.path = p.data;
  request.path_len = p.length;
  request.query = q.data;
  request.query_len = q.length;
  request.headers = abi_headers.empty() ? nullptr : abi_headers.data();
  request.header_count = abi_headers.size();
  if (body) {
    const AbiString b = abi(*body, terminated);
    request.body = b.data;
    request.body_len = b.length;
  }
  if (claims) {
    const AbiString c = abi(*claims, terminated);
    request.claims_json = c.data;
    request.claims_json_len = c.length;
  }
  request.via_api_layer = via_api_layer;

  pgrest_result* result = nullptr;
  if (pgrest_translate(f.engine, &request, &result) != PGREST_OK || result == nullptr) {
    violation("pgrest_translate failed on valid arguments", method + " " + path + "?" + query);
  }
  pgrest::Request cpp;
  cpp.method = method;
  cpp.path = path;
  cpp.query = query;
  cpp.headers = headers;
  cpp.body = body;
  cpp.claims_json = claims;
  cpp.via_api_layer = via_api_layer;
  expect_same_result(result, f.cpp_engine->translate(cpp), method + " " + path + "?" + query);
  pgrest_result_destroy(result);
}

void fuzz_request_json(std::string_view text) {
  const Fixture& f = fixture();
  pgrest_result* result = nullptr;
  if (pgrest_translate_json(f.engine, text.data(), text.size(), &result) != PGREST_OK ||
      result == nullptr) {
    violation("pgrest_translate_json failed on valid arguments", text);
  }
  auto parsed = pgrest::parse_request_json(text);
  if (const auto* request = std::get_if<pgrest::Request>(&parsed)) {
    expect_same_result(result, f.cpp_engine->translate(*request), text);
  } else if (pgrest_result_ok(result) || pgrest_result_status(result) != 400) {
    violation("a request JSON the C++ reader refuses is not a 400 refusal", text);
  }
  pgrest_result_destroy(result);
}

void fuzz_config_json(std::string_view text) {
  const Fixture& f = fixture();
  pgrest_engine* engine = nullptr;
  char* error = nullptr;
  const pgrest_status status =
      pgrest_engine_create(f.catalog, text.data(), text.size(), &engine, &error);
  std::string cpp_error;
  const auto config = pgrest::parse_config_json(text, &cpp_error);
  if ((status == PGREST_OK) != config.has_value()) {
    violation("the ABI and the C++ reader disagree on a config", text);
  }
  if (status != PGREST_OK) {
    if (error == nullptr || *error == '\0') violation("a refused config has no message", text);
    pgrest_free_string(error);
    return;
  }
  static constexpr std::string_view kRequest =
      R"({"method":"GET","path":"/films","query":"select=id&id=eq.1","headers":{},"body":null})";
  pgrest_result* result = nullptr;
  if (pgrest_translate_json(engine, kRequest.data(), kRequest.size(), &result) != PGREST_OK) {
    violation("an engine from an accepted config cannot translate", text);
  }
  const pgrest::Engine cpp_engine(pgrest::fuzz::fixed_catalog(), *config);
  auto request = std::get<pgrest::Request>(pgrest::parse_request_json(kRequest));
  expect_same_result(result, cpp_engine.translate(request), text);
  pgrest_result_destroy(result);
  pgrest_engine_destroy(engine);
}

void fuzz_catalog_json(std::string_view text) {
  pgrest_catalog* catalog = nullptr;
  char* error = nullptr;
  const pgrest_status status = pgrest_catalog_load_json(text.data(), text.size(), &catalog, &error);
  std::string cpp_error;
  const auto cpp_catalog = pgrest::load_catalog_json(text, &cpp_error);
  if ((status == PGREST_OK) != (cpp_catalog != nullptr)) {
    violation("the ABI and the C++ loader disagree on a catalog", text);
  }
  if (status != PGREST_OK) {
    if (error == nullptr || *error == '\0') violation("a refused catalog has no message", text);
    pgrest_free_string(error);
    return;
  }
  // Swap it into a fresh engine, translate, swap back, destroy the catalog first.
  pgrest_engine* engine = nullptr;
  if (pgrest_engine_create(fixture().catalog, nullptr, 0, &engine, nullptr) != PGREST_OK ||
      pgrest_engine_swap_catalog(engine, catalog) != PGREST_OK) {
    violation("cannot swap an accepted catalog into an engine", text);
  }
  pgrest_catalog_destroy(catalog);  // the engine keeps its own reference
  static constexpr std::string_view kRequest = R"({"method":"GET","path":"/films","query":""})";
  pgrest_result* result = nullptr;
  if (pgrest_translate_json(engine, kRequest.data(), kRequest.size(), &result) != PGREST_OK) {
    violation("an engine over an accepted catalog cannot translate", text);
  }
  const pgrest::Engine cpp_engine(cpp_catalog, pgrest::Config{});
  auto request = std::get<pgrest::Request>(pgrest::parse_request_json(kRequest));
  expect_same_result(result, cpp_engine.translate(request), text);
  pgrest_result_destroy(result);
  pgrest_engine_destroy(engine);
}

void null_arguments() {
  static bool done = false;
  if (done) return;
  done = true;
  pgrest_result* result = nullptr;
  pgrest_request request{};
  if (pgrest_translate(nullptr, &request, &result) != PGREST_INVALID_ARGUMENT ||
      pgrest_translate(fixture().engine, nullptr, &result) != PGREST_INVALID_ARGUMENT ||
      pgrest_translate(fixture().engine, &request, nullptr) != PGREST_INVALID_ARGUMENT ||
      pgrest_translate_json(nullptr, "{}", 2, &result) != PGREST_INVALID_ARGUMENT ||
      pgrest_engine_swap_catalog(nullptr, fixture().catalog) != PGREST_INVALID_ARGUMENT) {
    violation("a NULL handle is not refused", "");
  }
  request.method = nullptr;
  request.method_len = 3;  // NULL with a non-zero length
  if (pgrest_translate(fixture().engine, &request, &result) != PGREST_INVALID_ARGUMENT) {
    violation("a NULL string with a length is not refused", "");
  }
  if (pgrest_result_json(nullptr) != nullptr || pgrest_result_ok(nullptr) ||
      pgrest_result_param_count(nullptr, PGREST_STATEMENT_QUERY) != 0) {
    violation("accessors on NULL do not answer empty", "");
  }
  pgrest_result_destroy(nullptr);
  pgrest_engine_destroy(nullptr);
  pgrest_catalog_destroy(nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  null_arguments();
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      FuzzedDataProvider in(data + 1, size - 1);
      fuzz_request(in);
      break;
    }
    case 1:
      fuzz_request_json(rest);
      break;
    case 2:
      fuzz_config_json(rest);
      break;
    default:
      fuzz_catalog_json(rest);
      break;
  }
  return 0;
}
