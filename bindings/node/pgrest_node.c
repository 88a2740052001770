/* The Node.js addon (N-API, C) over the C ABI (pgrest.h). index.js loads it.
 *
 *   const { Engine } = require('./bindings/node');
 *   const engine = new Engine(catalogJson, { schemas: ['public'] });  // config: string|object|null
 *   const result = engine.translate({ method: 'GET', path: '/films', query: 'select=id' });
 *   engine.swapCatalog(newCatalogJson);
 *
 * translate() takes the contract's request as an object and returns the contract's result
 * as an object built directly from the C result. A request whose fields do not have the
 * contract's types goes through the contract's JSON form instead, so it gets exactly the
 * refusal (PGRX001, 400) that `pgrest translate` gives it. Failures of the call itself
 * (an invalid catalog or config) throw an Error whose `code` is the pgrest_status name.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "pgrest.h"

/* --------------------------------------------------------------------------- helpers */

/* Throws the pending N-API error (if none is pending yet) and returns 0. */
static int napi_failed(napi_env env, napi_status status) {
  if (status == napi_ok) return 1;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info* info = NULL;
    napi_get_last_error_info(env, &info);
    napi_throw_error(
        env, NULL,
        info != NULL && info->error_message != NULL ? info->error_message : "N-API call failed");
  }
  return 0;
}

#define CHECK(call)                           \
  do {                                        \
    if (!napi_failed(env, (call))) goto fail; \
  } while (0)

static const char* status_name(pgrest_status status) {
  switch (status) {
    case PGREST_OK:
      return "PGREST_OK";
    case PGREST_INVALID_ARGUMENT:
      return "PGREST_INVALID_ARGUMENT";
    case PGREST_INVALID_JSON:
      return "PGREST_INVALID_JSON";
    case PGREST_OUT_OF_MEMORY:
      return "PGREST_OUT_OF_MEMORY";
    case PGREST_INTERNAL:
      return "PGREST_INTERNAL";
    case PGREST_DATABASE:
      return "PGREST_DATABASE";
    case PGREST_UNSUPPORTED:
      return "PGREST_UNSUPPORTED";
  }
  return "PGREST_INTERNAL";
}

/* Throws an Error for a failed C ABI call; `message` is freed. */
static void throw_status(napi_env env, pgrest_status status, char* message) {
  const char* text = message != NULL ? message : pgrest_status_string(status);
  if (status == PGREST_INVALID_ARGUMENT) {
    napi_throw_type_error(env, status_name(status), text);
  } else {
    napi_throw_error(env, status_name(status), text);
  }
  pgrest_free_string(message);
}

/* Strings copied out of JS values for the duration of one call. */
typedef struct {
  char** items;
  size_t count;
  size_t capacity;
} Strings;

static void strings_free(Strings* strings) {
  for (size_t i = 0; i < strings->count; ++i) free(strings->items[i]);
  free(strings->items);
  strings->items = NULL;
  strings->count = strings->capacity = 0;
}

/* Copies a JS string as UTF-8 into *data and *size (owned by `strings`). 0 with an exception
 * pending on failure. */
static int copy_string(napi_env env, napi_value value, Strings* strings, const char** data,
                       size_t* size) {
  size_t length = 0;
  if (!napi_failed(env, napi_get_value_string_utf8(env, value, NULL, 0, &length))) return 0;
  if (strings->count == strings->capacity) {
    const size_t capacity = strings->capacity == 0 ? 16 : strings->capacity * 2;
    char** items = realloc(strings->items, capacity * sizeof *items);
    if (items == NULL) {
      napi_throw_error(env, "PGREST_OUT_OF_MEMORY", "out of memory");
      return 0;
    }
    strings->items = items;
    strings->capacity = capacity;
  }
  char* buffer = malloc(length + 1);
  if (buffer == NULL) {
    napi_throw_error(env, "PGREST_OUT_OF_MEMORY", "out of memory");
    return 0;
  }
  strings->items[strings->count++] = buffer;
  if (!napi_failed(env, napi_get_value_string_utf8(env, value, buffer, length + 1, &length))) {
    return 0;
  }
  *data = buffer;
  *size = length;
  return 1;
}

static napi_valuetype type_of(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, value, &type);
  return type;
}

static int is_nullish(napi_env env, napi_value value) {
  const napi_valuetype type = type_of(env, value);
  return type == napi_undefined || type == napi_null;
}

/* JSON.stringify(value) or JSON.parse(text) through the global JSON object. */
static napi_value call_json(napi_env env, const char* function, napi_value argument) {
  napi_value global = NULL;
  napi_value json = NULL;
  napi_value callee = NULL;
  napi_value result = NULL;
  CHECK(napi_get_global(env, &global));
  CHECK(napi_get_named_property(env, global, "JSON", &json));
  CHECK(napi_get_named_property(env, json, function, &callee));
  CHECK(napi_call_function(env, json, callee, 1, &argument, &result));
  return result;
fail:
  return NULL;
}

static napi_value make_string(napi_env env, const char* text, size_t size) {
  napi_value value = NULL;
  if (text == NULL) {
    napi_get_null(env, &value);
  } else {
    napi_create_string_utf8(env, text, size, &value);
  }
  return value;
}

static napi_value make_cstring(napi_env env, const char* text) {
  return make_string(env, text, text != NULL ? strlen(text) : 0);
}

static napi_value make_bool(napi_env env, bool flag) {
  napi_value value = NULL;
  napi_get_boolean(env, flag, &value);
  return value;
}

static napi_value make_int(napi_env env, int64_t number) {
  napi_value value = NULL;
  napi_create_int64(env, number, &value);
  return value;
}

/* ------------------------------------------------------------------------ the result */

static int set(napi_env env, napi_value object, const char* key, napi_value value) {
  return value != NULL && napi_failed(env, napi_set_named_property(env, object, key, value));
}

static napi_value statement_object(napi_env env, const pgrest_result* result,
                                   pgrest_statement which) {
  napi_value object = NULL;
  napi_value params = NULL;
  const size_t count = pgrest_result_param_count(result, which);
  CHECK(napi_create_object(env, &object));
  CHECK(napi_create_array_with_length(env, count, &params));
  for (size_t i = 0; i < count; ++i) {
    size_t len = 0;
    bool is_null = false;
    const char* value = pgrest_result_param(result, which, i, &len, &is_null);
    CHECK(napi_set_element(env, params, (uint32_t)i, make_string(env, value, len)));
  }
  if (!set(env, object, "sql", make_cstring(env, pgrest_result_sql(result, which))) ||
      !set(env, object, "params", params)) {
    goto fail;
  }
  return object;
fail:
  return NULL;
}

static napi_value error_object(napi_env env, const pgrest_result* result) {
  napi_value object = NULL;
  CHECK(napi_create_object(env, &object));
  const char* details = pgrest_result_error_details(result);
  napi_value details_value = make_cstring(env, details);
  if (details != NULL && pgrest_result_error_details_is_json(result)) {
    details_value = call_json(env, "parse", details_value);
  }
  if (!set(env, object, "code", make_cstring(env, pgrest_result_error_code(result))) ||
      !set(env, object, "message", make_cstring(env, pgrest_result_error_message(result))) ||
      !set(env, object, "details", details_value) ||
      !set(env, object, "hint", make_cstring(env, pgrest_result_error_hint(result)))) {
    goto fail;
  }
  return object;
fail:
  return NULL;
}

/* The contract's result as an object, keys in the contract's order. */
static napi_value result_object(napi_env env, const pgrest_result* result) {
  napi_value object = NULL;
  CHECK(napi_create_object(env, &object));
  const bool ok = pgrest_result_ok(result);
  if (!set(env, object, "ok", make_bool(env, ok)) ||
      !set(env, object, "status", make_int(env, pgrest_result_status(result)))) {
    goto fail;
  }
  if (!ok) return set(env, object, "error", error_object(env, result)) ? object : NULL;
  if (!set(env, object, "read_only", make_bool(env, pgrest_result_read_only(result))) ||
      !set(env, object, "rollback", make_bool(env, pgrest_result_rollback(result))) ||
      !set(env, object, "media_type", make_cstring(env, pgrest_result_media_type(result))) ||
      !set(env, object, "singular", make_bool(env, pgrest_result_singular(result))) ||
      !set(env, object, "prelude", statement_object(env, result, PGREST_STATEMENT_PRELUDE)) ||
      !set(env, object, "query", statement_object(env, result, PGREST_STATEMENT_QUERY))) {
    goto fail;
  }
  if (pgrest_result_count_sql(result) != NULL &&
      !set(env, object, "count_query", statement_object(env, result, PGREST_STATEMENT_COUNT))) {
    goto fail;
  }
  int64_t number = 0;
  if (pgrest_result_count_threshold(result, &number) &&
      !set(env, object, "count_threshold", make_int(env, number))) {
    goto fail;
  }
  if (pgrest_result_max_affected(result, &number) &&
      !set(env, object, "max_affected", make_int(env, number))) {
    goto fail;
  }
  if (pgrest_result_expect_one_row(result) &&
      !set(env, object, "expect_one_row", make_bool(env, true))) {
    goto fail;
  }
  return object;
fail:
  return NULL;
}

/* ------------------------------------------------------------------------ the Engine */

static pgrest_engine* unwrap(napi_env env, napi_value self) {
  void* engine = NULL;
  if (napi_unwrap(env, self, &engine) != napi_ok || engine == NULL) {
    napi_throw_type_error(env, NULL, "not a pgrest Engine");
    return NULL;
  }
  return engine;
}

static void finalize_engine(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  pgrest_engine_destroy(data);
}

/* Loads a catalog from a JS string; NULL with an exception pending on failure. */
static pgrest_catalog* load_catalog(napi_env env, napi_value json) {
  Strings strings = {0};
  pgrest_catalog* catalog = NULL;
  const char* data = NULL;
  size_t size = 0;
  if (type_of(env, json) != napi_string) {
    napi_throw_type_error(env, NULL, "the catalog snapshot must be a JSON string");
    return NULL;
  }
  if (copy_string(env, json, &strings, &data, &size)) {
    char* message = NULL;
    const pgrest_status status = pgrest_catalog_load_json(data, size, &catalog, &message);
    if (status != PGREST_OK) throw_status(env, status, message);
  }
  strings_free(&strings);
  return catalog;
}

/* new Engine(catalogJson: string, config?: string | object | null) */
static napi_value engine_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2] = {NULL, NULL};
  napi_value self = NULL;
  napi_value target = NULL;
  Strings strings = {0};
  pgrest_catalog* catalog = NULL;
  pgrest_engine* engine = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  CHECK(napi_get_new_target(env, info, &target));
  if (target == NULL) {
    napi_throw_type_error(env, NULL, "Engine must be called with new");
    goto fail;
  }
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "new Engine(catalogJson, config) needs a catalog");
    goto fail;
  }
  const char* config_data = NULL;
  size_t config_size = 0;
  if (argc >= 2 && !is_nullish(env, argv[1])) {
    napi_value config = argv[1];
    const napi_valuetype type = type_of(env, config);
    if (type == napi_object) {
      config = call_json(env, "stringify", config);
      if (config == NULL) goto fail;
    } else if (type != napi_string) {
      napi_throw_type_error(env, NULL, "config must be a JSON string, an object or null");
      goto fail;
    }
    if (!copy_string(env, config, &strings, &config_data, &config_size)) goto fail;
  }
  catalog = load_catalog(env, argv[0]);
  if (catalog == NULL) goto fail;
  char* message = NULL;
  const pgrest_status status =
      pgrest_engine_create(catalog, config_data, config_size, &engine, &message);
  if (status != PGREST_OK) {
    throw_status(env, status, message);
    goto fail;
  }
  CHECK(napi_wrap(env, self, engine, finalize_engine, NULL, NULL));
  engine = NULL; /* owned by the JS object now */
  pgrest_catalog_destroy(catalog);
  strings_free(&strings);
  return self;
fail:
  pgrest_engine_destroy(engine);
  pgrest_catalog_destroy(catalog);
  strings_free(&strings);
  return NULL;
}

/* engine.swapCatalog(catalogJson: string) */
static napi_value engine_swap_catalog(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  napi_value self = NULL;
  napi_value undefined = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  pgrest_engine* engine = unwrap(env, self);
  if (engine == NULL) goto fail;
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "swapCatalog(catalogJson) needs a catalog");
    goto fail;
  }
  pgrest_catalog* catalog = load_catalog(env, argv[0]);
  if (catalog == NULL) goto fail;
  const pgrest_status status = pgrest_engine_swap_catalog(engine, catalog);
  pgrest_catalog_destroy(catalog);
  if (status != PGREST_OK) {
    throw_status(env, status, NULL);
    goto fail;
  }
  CHECK(napi_get_undefined(env, &undefined));
  return undefined;
fail:
  return NULL;
}

/* Translates the contract's JSON text: a napi object result, or the JSON string. */
static napi_value translate_text(napi_env env, const pgrest_engine* engine, const char* data,
                                 size_t size, int as_json) {
  pgrest_result* result = NULL;
  const pgrest_status status = pgrest_translate_json(engine, data, size, &result);
  if (status != PGREST_OK) {
    throw_status(env, status, NULL);
    return NULL;
  }
  napi_value value = NULL;
  if (as_json) {
    const char* text = pgrest_result_json(result);
    if (text == NULL) {
      napi_throw_error(env, "PGREST_OUT_OF_MEMORY", "out of memory");
    } else {
      value = make_cstring(env, text);
    }
  } else {
    value = result_object(env, result);
  }
  pgrest_result_destroy(result);
  return value;
}

/* An optional string field (for "body" also a Buffer): absent, undefined or null leaves
 * *data NULL. Returns 0 when the field has another type (the request takes the JSON
 * path), -1 on an exception. */
static int optional_string(napi_env env, napi_value request, const char* key, Strings* strings,
                           const char** data, size_t* size) {
  napi_value value = NULL;
  *data = NULL;
  *size = 0;
  if (!napi_failed(env, napi_get_named_property(env, request, key, &value))) return -1;
  if (is_nullish(env, value)) return 1;
  bool is_buffer = false;
  if (strcmp(key, "body") == 0 && napi_is_buffer(env, value, &is_buffer) == napi_ok && is_buffer) {
    /* A Buffer body is read in place: it stays alive during this synchronous call. */
    void* bytes = NULL;
    if (!napi_failed(env, napi_get_buffer_info(env, value, &bytes, size))) return -1;
    *data = bytes != NULL ? bytes : "";
    return 1;
  }
  if (type_of(env, value) != napi_string) return 0;
  return copy_string(env, value, strings, data, size) ? 1 : -1;
}

/* Fills `request` from a JS object. 1: done; 0: a field has another type than the
 * contract's; -1: an exception is pending. */
static int read_request(napi_env env, napi_value object, Strings* strings, pgrest_request* request,
                        pgrest_header** headers) {
  int rc = 0;
  napi_value value = NULL;
  memset(request, 0, sizeof *request);
  napi_value method = NULL;
  napi_value path = NULL;
  if (!napi_failed(env, napi_get_named_property(env, object, "method", &method)) ||
      !napi_failed(env, napi_get_named_property(env, object, "path", &path))) {
    return -1;
  }
  if (type_of(env, method) != napi_string || type_of(env, path) != napi_string) return 0;
  if (!copy_string(env, method, strings, &request->method, &request->method_len) ||
      !copy_string(env, path, strings, &request->path, &request->path_len)) {
    return -1;
  }
  if ((rc = optional_string(env, object, "query", strings, &request->query, &request->query_len)) !=
          1 ||
      (rc = optional_string(env, object, "body", strings, &request->body, &request->body_len)) !=
          1) {
    return rc;
  }

  if (!napi_failed(env, napi_get_named_property(env, object, "via_api_layer", &value))) {
    return -1;
  }
  if (type_of(env, value) == napi_boolean) {
    bool flag = false;
    napi_get_value_bool(env, value, &flag);
    request->via_api_layer = flag;
  } else if (type_of(env, value) != napi_undefined) {
    return 0; /* only a real boolean counts */
  }

  if (!napi_failed(env, napi_get_named_property(env, object, "claims", &value))) return -1;
  if (!is_nullish(env, value)) {
    bool is_array = false;
    napi_is_array(env, value, &is_array);
    if (type_of(env, value) != napi_object || is_array) return 0;
    napi_value text = call_json(env, "stringify", value);
    if (text == NULL) return -1;
    if (!copy_string(env, text, strings, &request->claims_json, &request->claims_json_len)) {
      return -1;
    }
  }

  if (!napi_failed(env, napi_get_named_property(env, object, "headers", &value))) return -1;
  if (is_nullish(env, value)) return 1;
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  if (type_of(env, value) != napi_object || is_array) return 0;
  napi_value names = NULL;
  uint32_t count = 0;
  if (!napi_failed(env, napi_get_all_property_names(env, value, napi_key_own_only,
                                                    napi_key_enumerable | napi_key_skip_symbols,
                                                    napi_key_numbers_to_strings, &names)) ||
      !napi_failed(env, napi_get_array_length(env, names, &count))) {
    return -1;
  }
  if (count == 0) return 1;
  *headers = calloc(count, sizeof **headers);
  if (*headers == NULL) {
    napi_throw_error(env, "PGREST_OUT_OF_MEMORY", "out of memory");
    return -1;
  }
  for (uint32_t i = 0; i < count; ++i) {
    napi_value name = NULL;
    napi_value header = NULL;
    if (!napi_failed(env, napi_get_element(env, names, i, &name)) ||
        !napi_failed(env, napi_get_property(env, value, name, &header))) {
      return -1;
    }
    if (type_of(env, header) != napi_string) return 0;
    pgrest_header* out = &(*headers)[i];
    if (!copy_string(env, name, strings, &out->name, &out->name_len) ||
        !copy_string(env, header, strings, &out->value, &out->value_len)) {
      return -1;
    }
  }
  request->headers = *headers;
  request->header_count = count;
  return 1;
}

/* engine.translate(request: object) -> object */
static napi_value engine_translate(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  napi_value self = NULL;
  napi_value out = NULL;
  Strings strings = {0};
  pgrest_header* headers = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  const pgrest_engine* engine = unwrap(env, self);
  if (engine == NULL) goto fail;
  bool is_array = false;
  if (argc >= 1) napi_is_array(env, argv[0], &is_array);
  if (argc < 1 || type_of(env, argv[0]) != napi_object || is_array) {
    napi_throw_type_error(env, NULL, "translate(request) needs a request object");
    goto fail;
  }
  pgrest_request request;
  const int rc = read_request(env, argv[0], &strings, &request, &headers);
  if (rc < 0) goto fail;
  if (rc == 0) {
    /* The contract's JSON form gives the canonical refusal for a mistyped field. */
    napi_value text = call_json(env, "stringify", argv[0]);
    const char* data = NULL;
    size_t size = 0;
    if (text == NULL || !copy_string(env, text, &strings, &data, &size)) goto fail;
    out = translate_text(env, engine, data, size, 0);
  } else {
    pgrest_result* result = NULL;
    const pgrest_status status = pgrest_translate(engine, &request, &result);
    if (status != PGREST_OK) {
      throw_status(env, status, NULL);
      goto fail;
    }
    out = result_object(env, result);
    pgrest_result_destroy(result);
  }
fail:
  free(headers);
  strings_free(&strings);
  return out;
}

/* engine.translateJson(requestJson: string) -> string */
static napi_value engine_translate_json(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  napi_value self = NULL;
  napi_value out = NULL;
  Strings strings = {0};
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  const pgrest_engine* engine = unwrap(env, self);
  if (engine == NULL) goto fail;
  if (argc < 1 || type_of(env, argv[0]) != napi_string) {
    napi_throw_type_error(env, NULL, "translateJson(requestJson) needs a string");
    goto fail;
  }
  const char* data = NULL;
  size_t size = 0;
  if (!copy_string(env, argv[0], &strings, &data, &size)) goto fail;
  out = translate_text(env, engine, data, size, 1);
fail:
  strings_free(&strings);
  return out;
}

/* ------------------------------------------------------------------------ the module */

NAPI_MODULE_INIT() {
  const napi_property_descriptor methods[] = {
      {"translate", NULL, engine_translate, NULL, NULL, NULL, napi_default, NULL},
      {"translateJson", NULL, engine_translate_json, NULL, NULL, NULL, napi_default, NULL},
      {"swapCatalog", NULL, engine_swap_catalog, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value engine_class = NULL;
  if (!napi_failed(env,
                   napi_define_class(env, "Engine", NAPI_AUTO_LENGTH, engine_new, NULL,
                                     sizeof methods / sizeof methods[0], methods, &engine_class)) ||
      !set(env, exports, "Engine", engine_class) ||
      !set(env, exports, "version", make_cstring(env, pgrest_version_string()))) {
    return NULL;
  }
  return exports;
}
