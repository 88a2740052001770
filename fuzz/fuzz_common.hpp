// Shared by the fuzz targets: the fixed catalog, and the invariants every translation
// must satisfy. A violated invariant prints what and why, then abort()s, which libFuzzer
// (and the replay main) report as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pgrest/catalog.hpp"
#include "pgrest/engine.hpp"

// libFuzzer's entry point; the replay main (replay_main.cpp) calls it too.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace pgrest::fuzz {

[[noreturn]] void violation(std::string_view what, std::string_view detail);

// fuzz/catalog.json (a copy of examples/sample-catalog.json, fixed so that corpus
// inputs keep their meaning), loaded once. PGREST_FUZZ_CATALOG in the environment
// overrides the path. Aborts when it cannot be loaded.
std::shared_ptr<const Catalog> fixed_catalog();

// Checks one emitted statement:
//  - no NUL byte; libpg_query parses it as exactly one statement;
//  - the $n placeholders (outside quoted identifiers and string literals) and the
//    parse tree's ParamRef numbers are both exactly {1..params.size()};
//  - when `managed` is non-empty, no quoted identifier naming one of those schemas is
//    used as a schema qualifier ("ai"."x"): objects of managed schemas never appear.
void check_statement(const Statement& statement, std::string_view label,
                     const std::vector<std::string>& managed);

// Every invariant of a Result for `request` translated under `config`:
//  - success: every statement passes check_statement (the managed-schema check only
//    when !request.via_api_layer);
//  - refusal: a non-empty code; status 300 or 400-499 (5xx is a violation); never
//    PGRX100 (an exception escaped a stage: a bug by definition);
//  - result_to_json() is valid JSON (simdjson parses and UTF-8-validates it).
void check_result(const Result& result, const Request& request, const Config& config);

// Percent-encodes every byte outside [A-Za-z0-9_.~-].
std::string percent_encode(std::string_view text);

// `"name"` in the query grammar: double quotes, with `"` and `\` backslash-escaped.
std::string quote_name(std::string_view name);

// Whether `text` is valid JSON (and valid UTF-8).
bool is_valid_json(std::string_view text);

}  // namespace pgrest::fuzz
