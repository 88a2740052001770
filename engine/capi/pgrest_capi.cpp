// The C ABI (pgrest.h) over the C++ engine. Every entry point catches everything: no
// exception crosses into C. Handles wrap the C++ objects; a catalog handle is a
// shared_ptr<const Catalog>, so engines share snapshots and swap them under a mutex.
// Catalog introspection (libpq) is in pgrest_capi_introspect.cpp.
#include "pgrest.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "pgrest/catalog.hpp"
#include "pgrest/engine.hpp"

// The header's version must be the project's (meson.build passes it in).
#if defined(PGREST_PROJECT_VERSION_MAJOR) && defined(PGREST_PROJECT_VERSION_MINOR) && \
    defined(PGREST_PROJECT_VERSION_PATCH)
static_assert(PGREST_VERSION_MAJOR == PGREST_PROJECT_VERSION_MAJOR &&
                  PGREST_VERSION_MINOR == PGREST_PROJECT_VERSION_MINOR &&
                  PGREST_VERSION_PATCH == PGREST_PROJECT_VERSION_PATCH,
              "pgrest.h's PGREST_VERSION_* differ from the version in meson.build");
#endif

struct pgrest_catalog {
  std::shared_ptr<const pgrest::Catalog> catalog;
};

// One pgrest::Engine per catalog, replaced whole on a swap under a mutex held only to
// copy a shared_ptr: a translation takes its own reference to the current engine, and so
// to the catalog it started with, and keeps it until it ends. (pgrest::Engine::
// swap_catalog() would do as well now that it also swaps under a mutex; an engine per
// catalog keeps the C ABI independent of how the C++ class does it.)
struct pgrest_engine {
  pgrest_engine(std::shared_ptr<const pgrest::Catalog> catalog, pgrest::Config engine_config)
      : config(std::move(engine_config)),
        current(std::make_shared<const pgrest::Engine>(std::move(catalog), config)) {}

  [[nodiscard]] std::shared_ptr<const pgrest::Engine> get() const {
    const std::lock_guard lock(mutex);
    return current;
  }

  void swap(std::shared_ptr<const pgrest::Catalog> catalog) {
    auto next = std::make_shared<const pgrest::Engine>(std::move(catalog), config);
    {
      const std::lock_guard lock(mutex);
      current.swap(next);
    }
    // The previous engine goes when its last translation ends, outside the lock.
  }

  const pgrest::Config config;
  mutable std::mutex mutex;
  std::shared_ptr<const pgrest::Engine> current;
};

struct pgrest_result {
  explicit pgrest_result(pgrest::Result value) : result(std::move(value)) {}
  pgrest::Result result;
  // The contract JSON, built on first request; the mutex lets threads share a result.
  std::mutex json_mutex;
  std::optional<std::string> json;
};

namespace {

#define PGREST_STRINGIFY_(x) #x
#define PGREST_STRINGIFY(x) PGREST_STRINGIFY_(x)
constexpr const char* kVersionString = PGREST_STRINGIFY(PGREST_VERSION_MAJOR) "." PGREST_STRINGIFY(
    PGREST_VERSION_MINOR) "." PGREST_STRINGIFY(PGREST_VERSION_PATCH);

// A (pointer, length) input as a view: PGREST_NTS measures a NUL-terminated string, a
// NULL pointer is the empty string only with length 0.
bool input_view(const char* data, size_t len, std::string_view* out) {
  if (len == PGREST_NTS) {
    if (data == nullptr) return false;
    *out = std::string_view(data);
    return true;
  }
  if (data == nullptr) {
    *out = std::string_view();
    return len == 0;
  }
  *out = std::string_view(data, len);
  return true;
}

// Copies a message for error_out with malloc (pgrest_free_string frees it); NULL when
// there is nowhere to put it or no memory for it.
void set_error(char** error_out, std::string_view message) noexcept {
  if (error_out == nullptr) return;
  auto* copy = static_cast<char*>(std::malloc(message.size() + 1));
  if (copy != nullptr) {
    std::memcpy(copy, message.data(), message.size());
    copy[message.size()] = '\0';
  }
  *error_out = copy;
}

void clear_error(char** error_out) noexcept {
  if (error_out != nullptr) *error_out = nullptr;
}

const pgrest::Translation* translation_of(const pgrest_result* result) {
  if (result == nullptr || !result->result.ok()) return nullptr;
  return &result->result.translation();
}

const pgrest::Error* error_of(const pgrest_result* result) {
  if (result == nullptr || result->result.ok()) return nullptr;
  return &result->result.error();
}

const pgrest::Statement* statement_of(const pgrest_result* result, pgrest_statement which) {
  const pgrest::Translation* translation = translation_of(result);
  if (translation == nullptr) return nullptr;
  switch (which) {
    case PGREST_STATEMENT_PRELUDE:
      return &translation->prelude;
    case PGREST_STATEMENT_QUERY:
      return &translation->query;
    case PGREST_STATEMENT_COUNT:
      return translation->count_query ? &*translation->count_query : nullptr;
  }
  return nullptr;
}

const char* optional_c_str(const std::optional<std::string>& text) {
  return text ? text->c_str() : nullptr;
}

// Stores a new result in *out; throws std::bad_alloc when it cannot be allocated.
pgrest_status emit_result(pgrest::Result value, pgrest_result** out) {
  *out = new pgrest_result(std::move(value));
  return PGREST_OK;
}

}  // namespace

extern "C" {

uint32_t pgrest_version_number(void) {
  return PGREST_VERSION_NUMBER;
}

const char* pgrest_version_string(void) {
  return kVersionString;
}

const char* pgrest_status_string(pgrest_status status) {
  switch (status) {
    case PGREST_OK:
      return "ok";
    case PGREST_INVALID_ARGUMENT:
      return "invalid argument";
    case PGREST_INVALID_JSON:
      return "invalid JSON";
    case PGREST_OUT_OF_MEMORY:
      return "out of memory";
    case PGREST_INTERNAL:
      return "internal error";
    case PGREST_DATABASE:
      return "database error";
    case PGREST_UNSUPPORTED:
      return "unsupported";
  }
  return "unknown status";
}

void pgrest_free_string(char* string) {
  std::free(string);
}

// ------------------------------------------------------------------------------- catalog

pgrest_status pgrest_catalog_load_json(const char* json, size_t len, pgrest_catalog** out,
                                       char** error_out) {
  clear_error(error_out);
  if (out == nullptr) return PGREST_INVALID_ARGUMENT;
  *out = nullptr;
  std::string_view text;
  if (!input_view(json, len, &text)) return PGREST_INVALID_ARGUMENT;
  try {
    std::string error;
    auto catalog = pgrest::load_catalog_json(text, &error);
    if (!catalog) {
      set_error(error_out, error.empty() ? std::string_view("invalid catalog snapshot") : error);
      return PGREST_INVALID_JSON;
    }
    *out = new pgrest_catalog{std::move(catalog)};
    return PGREST_OK;
  } catch (const std::bad_alloc&) {
    set_error(error_out, "out of memory");
    return PGREST_OUT_OF_MEMORY;
  } catch (...) {
    set_error(error_out, "internal error while loading the catalog");
    return PGREST_INTERNAL;
  }
}

void pgrest_catalog_destroy(pgrest_catalog* catalog) {
  delete catalog;
}

// -------------------------------------------------------------------------------- engine

pgrest_status pgrest_engine_create(const pgrest_catalog* catalog, const char* config_json,
                                   size_t len, pgrest_engine** out, char** error_out) {
  clear_error(error_out);
  if (out == nullptr) return PGREST_INVALID_ARGUMENT;
  *out = nullptr;
  if (catalog == nullptr || !catalog->catalog) return PGREST_INVALID_ARGUMENT;
  try {
    pgrest::Config config;
    if (config_json != nullptr) {
      std::string_view text;
      if (!input_view(config_json, len, &text)) return PGREST_INVALID_ARGUMENT;
      std::string error;
      auto parsed = pgrest::parse_config_json(text, &error);
      if (!parsed) {
        set_error(error_out, error.empty() ? std::string_view("invalid config") : error);
        return PGREST_INVALID_JSON;
      }
      config = std::move(*parsed);
    }
    *out = new pgrest_engine(catalog->catalog, std::move(config));
    return PGREST_OK;
  } catch (const std::bad_alloc&) {
    set_error(error_out, "out of memory");
    return PGREST_OUT_OF_MEMORY;
  } catch (...) {
    set_error(error_out, "internal error while creating the engine");
    return PGREST_INTERNAL;
  }
}

pgrest_status pgrest_engine_swap_catalog(pgrest_engine* engine, const pgrest_catalog* catalog) {
  if (engine == nullptr || catalog == nullptr || !catalog->catalog) {
    return PGREST_INVALID_ARGUMENT;
  }
  try {
    engine->swap(catalog->catalog);
    return PGREST_OK;
  } catch (const std::bad_alloc&) {
    return PGREST_OUT_OF_MEMORY;
  } catch (...) {
    return PGREST_INTERNAL;
  }
}

void pgrest_engine_destroy(pgrest_engine* engine) {
  delete engine;
}

// --------------------------------------------------------------------------- translation

pgrest_status pgrest_translate(const pgrest_engine* engine, const pgrest_request* request,
                               pgrest_result** out) {
  if (out == nullptr) return PGREST_INVALID_ARGUMENT;
  *out = nullptr;
  if (engine == nullptr || request == nullptr) return PGREST_INVALID_ARGUMENT;
  std::string_view method;
  std::string_view path;
  std::string_view query;
  if (!input_view(request->method, request->method_len, &method) ||
      !input_view(request->path, request->path_len, &path) ||
      !input_view(request->query, request->query_len, &query)) {
    return PGREST_INVALID_ARGUMENT;
  }
  if (request->headers == nullptr && request->header_count != 0) return PGREST_INVALID_ARGUMENT;
  try {
    pgrest::Request converted;
    converted.method = std::string(method);
    converted.path = std::string(path);
    converted.query = std::string(query);
    converted.headers.reserve(request->header_count);
    for (size_t i = 0; i < request->header_count; ++i) {
      const pgrest_header& header = request->headers[i];
      std::string_view name;
      std::string_view value;
      if (!input_view(header.name, header.name_len, &name) ||
          !input_view(header.value, header.value_len, &value)) {
        return PGREST_INVALID_ARGUMENT;
      }
      converted.headers.emplace_back(std::string(name), std::string(value));
    }
    if (request->body != nullptr) {
      std::string_view body;
      if (!input_view(request->body, request->body_len, &body)) return PGREST_INVALID_ARGUMENT;
      converted.body = std::string(body);
    }
    if (request->claims_json != nullptr) {
      std::string_view claims;
      if (!input_view(request->claims_json, request->claims_json_len, &claims)) {
        return PGREST_INVALID_ARGUMENT;
      }
      converted.claims_json = std::string(claims);
    }
    converted.via_api_layer = request->via_api_layer;
    return emit_result(engine->get()->translate(converted), out);
  } catch (const std::bad_alloc&) {
    return PGREST_OUT_OF_MEMORY;
  } catch (...) {
    return PGREST_INTERNAL;
  }
}

pgrest_status pgrest_translate_json(const pgrest_engine* engine, const char* request_json,
                                    size_t len, pgrest_result** out) {
  if (out == nullptr) return PGREST_INVALID_ARGUMENT;
  *out = nullptr;
  if (engine == nullptr) return PGREST_INVALID_ARGUMENT;
  std::string_view text;
  if (!input_view(request_json, len, &text)) return PGREST_INVALID_ARGUMENT;
  try {
    auto parsed = pgrest::parse_request_json(text);
    if (auto* error = std::get_if<pgrest::Error>(&parsed)) {
      return emit_result(pgrest::Result(std::move(*error)), out);
    }
    return emit_result(engine->get()->translate(std::get<pgrest::Request>(parsed)), out);
  } catch (const std::bad_alloc&) {
    return PGREST_OUT_OF_MEMORY;
  } catch (...) {
    return PGREST_INTERNAL;
  }
}

void pgrest_result_destroy(pgrest_result* result) {
  delete result;
}

// ---------------------------------------------------------------------- result accessors

const char* pgrest_result_json(const pgrest_result* result) {
  if (result == nullptr) return nullptr;
  auto* mutable_result = const_cast<pgrest_result*>(result);
  try {
    const std::lock_guard lock(mutable_result->json_mutex);
    if (!mutable_result->json) mutable_result->json = pgrest::result_to_json(result->result);
    return mutable_result->json->c_str();
  } catch (...) {
    return nullptr;
  }
}

bool pgrest_result_ok(const pgrest_result* result) {
  return result != nullptr && result->result.ok();
}

int pgrest_result_status(const pgrest_result* result) {
  if (result == nullptr) return 0;
  return result->result.ok() ? result->result.translation().status : result->result.error().status;
}

bool pgrest_result_read_only(const pgrest_result* result) {
  const pgrest::Translation* translation = translation_of(result);
  return translation != nullptr && translation->read_only;
}

bool pgrest_result_rollback(const pgrest_result* result) {
  const pgrest::Translation* translation = translation_of(result);
  return translation != nullptr && translation->rollback;
}

bool pgrest_result_singular(const pgrest_result* result) {
  const pgrest::Translation* translation = translation_of(result);
  return translation != nullptr && translation->singular;
}

bool pgrest_result_expect_one_row(const pgrest_result* result) {
  const pgrest::Translation* translation = translation_of(result);
  return translation != nullptr && translation->expect_one_row;
}

const char* pgrest_result_media_type(const pgrest_result* result) {
  const pgrest::Translation* translation = translation_of(result);
  return translation != nullptr ? translation->media_type.c_str() : nullptr;
}

bool pgrest_result_count_threshold(const pgrest_result* result, int64_t* value) {
  const pgrest::Translation* translation = translation_of(result);
  if (translation == nullptr || !translation->count_threshold) return false;
  if (value != nullptr) *value = *translation->count_threshold;
  return true;
}

bool pgrest_result_max_affected(const pgrest_result* result, int64_t* value) {
  const pgrest::Translation* translation = translation_of(result);
  if (translation == nullptr || !translation->max_affected) return false;
  if (value != nullptr) *value = *translation->max_affected;
  return true;
}

const char* pgrest_result_sql(const pgrest_result* result, pgrest_statement which) {
  const pgrest::Statement* statement = statement_of(result, which);
  return statement != nullptr ? statement->sql.c_str() : nullptr;
}

const char* pgrest_result_prelude_sql(const pgrest_result* result) {
  return pgrest_result_sql(result, PGREST_STATEMENT_PRELUDE);
}

const char* pgrest_result_query_sql(const pgrest_result* result) {
  return pgrest_result_sql(result, PGREST_STATEMENT_QUERY);
}

const char* pgrest_result_count_sql(const pgrest_result* result) {
  return pgrest_result_sql(result, PGREST_STATEMENT_COUNT);
}

size_t pgrest_result_param_count(const pgrest_result* result, pgrest_statement which) {
  const pgrest::Statement* statement = statement_of(result, which);
  return statement != nullptr ? statement->params.size() : 0;
}

const char* pgrest_result_param(const pgrest_result* result, pgrest_statement which, size_t index,
                                size_t* len, bool* is_null) {
  if (len != nullptr) *len = 0;
  if (is_null != nullptr) *is_null = false;
  const pgrest::Statement* statement = statement_of(result, which);
  if (statement == nullptr || index >= statement->params.size()) return nullptr;
  const pgrest::Param& param = statement->params[index];
  if (!param) {
    if (is_null != nullptr) *is_null = true;
    return nullptr;
  }
  if (len != nullptr) *len = param->size();
  return param->c_str();
}

const char* pgrest_result_error_code(const pgrest_result* result) {
  const pgrest::Error* error = error_of(result);
  return error != nullptr ? error->code.c_str() : nullptr;
}

const char* pgrest_result_error_message(const pgrest_result* result) {
  const pgrest::Error* error = error_of(result);
  return error != nullptr ? error->message.c_str() : nullptr;
}

const char* pgrest_result_error_details(const pgrest_result* result) {
  const pgrest::Error* error = error_of(result);
  return error != nullptr ? optional_c_str(error->details) : nullptr;
}

bool pgrest_result_error_details_is_json(const pgrest_result* result) {
  const pgrest::Error* error = error_of(result);
  return error != nullptr && error->details && error->details_is_json;
}

const char* pgrest_result_error_hint(const pgrest_result* result) {
  const pgrest::Error* error = error_of(result);
  return error != nullptr ? optional_c_str(error->hint) : nullptr;
}

}  // extern "C"
