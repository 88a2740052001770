// fuzz_request_json: the contract's JSON readers on arbitrary bytes; the same input is
// tried as a request (parse_request_json) and as a config (parse_config_json).
//
// Invariants: a refused request JSON is a 4xx with a code; an accepted one translates
// over the fixed catalog with every per-result invariant of fuzz_common.hpp; a refused
// config says why; an accepted config builds an Engine whose translations of a few fixed
// requests (plain, ai-schema ones without via_api_layer, counts) satisfy the same
// invariants under that config's managed schemas.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_common.hpp"

namespace {

using pgrest::fuzz::violation;

const pgrest::Engine& default_engine() {
  static const pgrest::Engine engine(pgrest::fuzz::fixed_catalog(), pgrest::Config{});
  return engine;
}

pgrest::Request get(std::string path, std::string query,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  pgrest::Request request;
  request.method = "GET";
  request.path = std::move(path);
  request.query = std::move(query);
  request.headers = std::move(headers);
  return request;
}

void check_config(const pgrest::Config& config) {
  const pgrest::Engine engine(pgrest::fuzz::fixed_catalog(), config);
  const pgrest::Request requests[] = {
      get("/films", "select=id,title,total:votes.sum()&year=gte.1950&order=id&limit=3"),
      get("/chunks", "select=id"),
      get("/chunks", "", {{"Accept-Profile", "ai"}}),
      get("/agents", "", {{"Accept-Profile", "public"}}),
      get("/films", "or=(id.eq.1,and(year.gt.2,title.like.*a*))",
          {{"Prefer", "count=estimated"}, {"Range", "0-9"}}),
  };
  for (const auto& request : requests) {
    pgrest::fuzz::check_result(engine.translate(request), request, config);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto parsed = pgrest::parse_request_json(text);
  if (const auto* error = std::get_if<pgrest::Error>(&parsed)) {
    if (error->code.empty() || error->status < 400 || error->status > 499) {
      violation("parse_request_json refused with code '" + error->code + "' status " +
                    std::to_string(error->status),
                text);
    }
    if (!pgrest::fuzz::is_valid_json(pgrest::error_to_json(*error))) {
      violation("error_to_json is not valid JSON", pgrest::error_to_json(*error));
    }
  } else {
    const auto& request = std::get<pgrest::Request>(parsed);
    pgrest::fuzz::check_result(default_engine().translate(request), request, pgrest::Config{});
  }

  std::string error;
  const auto config = pgrest::parse_config_json(text, &error);
  if (!config) {
    if (error.empty()) violation("parse_config_json failed without an error message", text);
    return 0;
  }
  check_config(*config);
  return 0;
}
