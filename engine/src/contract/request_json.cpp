// The contract's request JSON. Every problem is a 400 refusal (never an exception), so
// a CLI or binding can answer a malformed request like any other refused one. Unknown
// top-level keys are ignored because the contract may grow; known ones are typed strictly.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.hpp"
#include "pgrest/engine.hpp"

namespace pgrest {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Twice the default body bound, leaving room for JSON escaping of the body and for the
// other fields; anything bigger is refused before simdjson allocates for it.
constexpr size_t kMaxRequestJsonBytes = size_t{128} << 20;

// Small documents are parsed with a per-thread parser so a JSONL stream does not
// allocate parser buffers per line; a big one gets its own parser so its buffers are not
// kept alive for the rest of the thread.
constexpr size_t kReusedParserBytes = size_t{1} << 20;

Error invalid(std::string details) {
  return Error{400,          "PGRX001", "Invalid translation request", std::move(details),
               std::nullopt, false};
}

std::string json_quoted(std::string_view text) {
  std::string out;
  json::append_string(out, text);
  return out;
}

// Duplicate known keys are refused: a host's JSON library and simdjson might disagree on
// which one wins, and via_api_layer must mean one thing to everybody.
enum class Field : uint8_t { method, path, query, headers, body, claims, via_api_layer, unknown };

Field classify(std::string_view key) {
  if (key == "method") return Field::method;
  if (key == "path") return Field::path;
  if (key == "query") return Field::query;
  if (key == "headers") return Field::headers;
  if (key == "body") return Field::body;
  if (key == "claims") return Field::claims;
  if (key == "via_api_layer") return Field::via_api_layer;
  return Field::unknown;
}

std::variant<Request, Error> read_request(element document) {
  object root;
  if (document.get(root) != simdjson::SUCCESS) {
    return invalid("the request must be a JSON object");
  }
  Request request;
  bool seen[static_cast<size_t>(Field::unknown)] = {};
  for (const auto field : root) {
    const Field which = classify(field.key);
    if (which == Field::unknown) continue;
    bool& already = seen[static_cast<size_t>(which)];
    if (already) return invalid(json_quoted(field.key) + " appears more than once");
    already = true;
    const element value = field.value;
    std::string_view text;
    switch (which) {
      case Field::method:
      case Field::path:
        if (value.get(text) != simdjson::SUCCESS) {
          return invalid(json_quoted(field.key) + " must be a string");
        }
        (which == Field::method ? request.method : request.path) = std::string(text);
        break;
      case Field::query:
        if (value.is_null()) break;
        if (value.get(text) != simdjson::SUCCESS) {
          return invalid("\"query\" must be a string or null");
        }
        request.query = std::string(text);
        break;
      case Field::body:
        if (value.is_null()) break;
        if (value.get(text) != simdjson::SUCCESS) {
          return invalid("\"body\" must be a string or null");
        }
        request.body = std::string(text);
        break;
      case Field::headers: {
        if (value.is_null()) break;
        object headers;
        if (value.get(headers) != simdjson::SUCCESS) {
          return invalid("\"headers\" must be an object of strings");
        }
        for (const auto header : headers) {
          std::string_view header_value;
          if (header.value.get(header_value) != simdjson::SUCCESS) {
            return invalid("\"headers\": the value of " + json_quoted(header.key) +
                           " must be a string");
          }
          request.headers.emplace_back(std::string(header.key), std::string(header_value));
        }
        break;
      }
      case Field::claims:
        if (value.is_null()) break;
        if (!value.is_object()) return invalid("\"claims\" must be an object or null");
        request.claims_json = simdjson::minify(value);
        break;
      case Field::via_api_layer:
        // Only a real boolean counts: this flag unlocks the managed schemas, so nothing
        // that merely looks true ("true", 1) may set it.
        if (value.get(request.via_api_layer) != simdjson::SUCCESS) {
          return invalid("\"via_api_layer\" must be true or false");
        }
        break;
      case Field::unknown:
        break;
    }
  }
  if (!seen[static_cast<size_t>(Field::method)]) return invalid("\"method\" is required");
  if (!seen[static_cast<size_t>(Field::path)]) return invalid("\"path\" is required");
  return request;
}

}  // namespace

std::variant<Request, Error> parse_request_json(std::string_view json) {
  if (json.size() > kMaxRequestJsonBytes) {
    return invalid("the request JSON is larger than " + std::to_string(kMaxRequestJsonBytes) +
                   " bytes");
  }
  const simdjson::padded_string padded(json);
  element document;
  simdjson::error_code code = simdjson::SUCCESS;
  if (json.size() <= kReusedParserBytes) {
    thread_local simdjson::dom::parser parser;
    code = parser.parse(padded).get(document);
    if (code == simdjson::SUCCESS) return read_request(document);
  } else {
    simdjson::dom::parser parser;
    code = parser.parse(padded).get(document);
    if (code == simdjson::SUCCESS) return read_request(document);
  }
  return invalid(std::string("the request is not valid JSON: ") + simdjson::error_message(code));
}

}  // namespace pgrest
