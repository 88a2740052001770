// The public C++ API of the engine: build an Engine from a catalog snapshot and a
// config, then translate requests. No exceptions cross this API: translate() returns a
// Translation or an Error value. An Engine is safe to use from many threads at once,
// including while another thread swaps its catalog.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pgrest/catalog.hpp"

namespace pgrest {

// Bounds on everything request input can grow. The defaults are generous for real
// clients and small enough that no input can exhaust the stack or memory.
struct Limits {
  size_t max_query_bytes = 64 * 1024;
  size_t max_path_bytes = 4 * 1024;
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 64 * 1024 * 1024;
  size_t max_query_params = 512;  // key=value pairs in the query string
  size_t max_nesting = 32;        // logic trees, embeds, JSON claims
  size_t max_list_items = 10000;  // items in select lists, in-lists, order lists
};

struct Config {
  std::vector<std::string> schemas{"public"};
  std::vector<std::string> managed_schemas{"ai"};
  std::optional<std::string> anon_role{"anon"};
  std::string role_claim_key{".role"};
  std::optional<int64_t> max_rows;
  std::optional<std::string> pre_request;  // "schema.function" or "function"
  bool aggregates_enabled = false;
  Limits limits;
};

// Parses the contract's config JSON; unknown keys are refused so typos do not pass
// silently. On failure returns nullopt and sets *error.
[[nodiscard]] std::optional<Config> parse_config_json(std::string_view json, std::string* error);

struct Request {
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // names case-insensitive
  std::optional<std::string> body;
  std::optional<std::string> claims_json;  // verified JWT claims, raw JSON object text
  bool via_api_layer = false;
};

// A text parameter, or SQL NULL.
using Param = std::optional<std::string>;

struct Statement {
  std::string sql;
  std::vector<Param> params;
};

struct Translation {
  int status = 200;
  bool read_only = true;
  bool rollback = false;
  std::string media_type = "application/json";
  bool singular = false;
  Statement prelude;
  Statement query;
  // Only for Prefer: count=planned|estimated: an EXPLAIN (FORMAT JSON) the host runs
  // after `query`, in the same transaction. Its single row and column is the plan JSON;
  // the estimate is [0]["Plan"]["Plan Rows"]. For `estimated`, the host takes the exact
  // total_count while it is <= count_threshold, else max(total_count, estimate).
  std::optional<Statement> count_query;
  std::optional<int64_t> count_threshold;
  // Prefer: max-affected=N with handling=strict on PATCH/DELETE and on calls of
  // set-returning functions: when the query's page_total exceeds it the host rolls back
  // and answers PGRST124 (400).
  std::optional<int64_t> max_affected;
  // PUT: the host answers PGRST115 (400) and rolls back unless page_total is exactly 1.
  bool expect_one_row = false;
};

// A refusal, exactly as PostgREST would send it as a response body.
struct Error {
  int status = 400;
  std::string code;
  std::string message;
  std::optional<std::string> details;
  std::optional<std::string> hint;
  bool details_is_json = false;  // details holds JSON text (PGRST201's candidate list)
};

class Result {
 public:
  // By reference, so a returned translation is moved once rather than twice.
  Result(Translation&& translation) : value_(std::move(translation)) {}
  Result(const Translation& translation) : value_(translation) {}
  Result(Error&& error) : value_(std::move(error)) {}
  Result(const Error& error) : value_(error) {}

  [[nodiscard]] bool ok() const { return value_.index() == 0; }
  [[nodiscard]] const Translation& translation() const { return std::get<0>(value_); }
  [[nodiscard]] const Error& error() const { return std::get<1>(value_); }

 private:
  friend class Translator;  // rewrites its translation in place
  std::variant<Translation, Error> value_;
};

struct CompiledConfig;

class Engine {
 public:
  Engine(std::shared_ptr<const Catalog> catalog, Config config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Never throws: any failure is a Result holding an Error.
  [[nodiscard]] Result translate(const Request& request) const noexcept;

  // Replaces the catalog for subsequent translations; in-flight ones keep the old one.
  void swap_catalog(std::shared_ptr<const Catalog> catalog) noexcept;

  [[nodiscard]] std::shared_ptr<const Catalog> catalog() const noexcept;
  [[nodiscard]] const Config& config() const noexcept { return config_; }

 private:
  // A mutex, not std::atomic<shared_ptr>: GCC 12's atomic shared_ptr loads with relaxed
  // ordering (ThreadSanitizer reports the race); the lock is held only to copy the pointer.
  mutable std::mutex catalog_mutex_;
  std::shared_ptr<const Catalog> catalog_;
  const Config config_;
  std::unique_ptr<const CompiledConfig> compiled_;  // config parts parsed once
  friend class Translator;
};

// Translates requests one after another on one thread, reusing the previous result's
// statement text and parameter buffers. The syntax tree and plan of every translation
// (Engine::translate's too) live in a per-thread arena, so after a few requests a read
// makes no heap allocation at all beyond parameters too long for std::string's inline
// buffer. Results are identical to Engine::translate's.
// Not thread-safe: use one Translator per thread. The Engine must outlive it.
class Translator {
 public:
  explicit Translator(const Engine& engine);
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // Never throws. The returned result stays valid until the next call.
  [[nodiscard]] const Result& translate(const Request& request) noexcept;

 private:
  const Engine& engine_;
  Result result_;
};

// Contract helpers shared by the CLI and bindings: the request JSON in, the result JSON out.
[[nodiscard]] std::variant<Request, Error> parse_request_json(std::string_view json);
[[nodiscard]] std::string result_to_json(const Result& result);
[[nodiscard]] std::string error_to_json(const Error& error);

}  // namespace pgrest
