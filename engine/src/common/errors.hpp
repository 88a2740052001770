// Constructors for the refusals the engine produces. Codes and statuses follow
// PostgREST's (PGRSTxxx, or the SQLSTATE PostgreSQL would have raised); codes that only
// pgrest produces start with PGRX and are listed in the README.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pgrest/engine.hpp"

namespace pgrest::errors {

inline Error make(int status, std::string_view code, std::string message,
                  std::optional<std::string> details = std::nullopt,
                  std::optional<std::string> hint = std::nullopt) {
  return Error{status, std::string(code), std::move(message), std::move(details), std::move(hint),
               false};
}

// PGRST100: a query parameter that does not parse. PostgREST's message names what
// failed to parse and where; details say what was found and what was expected.
inline Error parse_failure(std::string_view what, std::string_view text, size_t byte_offset,
                           std::string details) {
  std::string message = "\"failed to parse ";
  message += what;
  message += " (";
  message += text;
  message += ")\" (line 1, column ";
  message += std::to_string(byte_offset + 1);
  message += ")";
  return make(400, "PGRST100", std::move(message), std::move(details));
}

// pgrest-only: an input bound (size, nesting, count) was exceeded.
inline Error limit_exceeded(std::string what) {
  return make(400, "PGRX101", "Request exceeds a limit", std::move(what));
}

}  // namespace pgrest::errors
