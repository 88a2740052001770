/* pgrest.h - the C ABI of pgrest, an embeddable PostgREST-compatible query translator.
 *
 * A host loads a catalog snapshot (the JSON `pgrest catalog` writes), builds an engine
 * from it and a config, and translates requests into a prelude and a query to run in one
 * transaction. The request and result are those of the translation contract
 * (translate-contract.md): pgrest_translate_json() takes the contract's request JSON and
 * pgrest_result_json() gives the contract's result JSON; pgrest_translate() and the
 * pgrest_result_* accessors are the same thing without JSON in between.
 *
 *   pgrest_catalog* catalog = NULL;
 *   pgrest_engine* engine = NULL;
 *   pgrest_result* result = NULL;
 *   char* error = NULL;
 *   if (pgrest_catalog_load_json(json, PGREST_NTS, &catalog, &error) != PGREST_OK) ...
 *   if (pgrest_engine_create(catalog, NULL, 0, &engine, &error) != PGREST_OK) ...
 *   pgrest_catalog_destroy(catalog);          // the engine keeps its own reference
 *   if (pgrest_translate_json(engine, request, PGREST_NTS, &result) == PGREST_OK)
 *     puts(pgrest_result_json(result));
 *   pgrest_result_destroy(result);
 *   pgrest_engine_destroy(engine);
 *
 * Conventions, for every function below:
 * - Nothing throws, aborts or longjmps out of the library. Every entry point returns a
 *   pgrest_status, or a value documented with its failure value.
 * - Strings go in as a pointer and a length in bytes, not NUL-terminated unless the
 *   length is PGREST_NTS. A NULL pointer with length 0 is the empty string. Input
 *   strings are only read during the call; the library keeps copies of what it needs.
 * - `char**` outputs (error_out) receive a NUL-terminated string allocated by the
 *   library, or NULL; the caller frees it with pgrest_free_string(). Passing NULL for
 *   error_out is allowed: no message is produced.
 * - Handle outputs (`T** out`) are set to a new handle on PGREST_OK and to NULL on any
 *   other status. The caller owns the handle and releases it with the matching
 *   *_destroy(), which accepts NULL.
 * - `const char*` values returned by pgrest_result_* accessors point into the result:
 *   they stay valid until pgrest_result_destroy() on that result and must not be freed.
 *
 * Thread safety: catalogs and engines are immutable from the outside and may be used from
 * any number of threads at once, including pgrest_engine_swap_catalog() while other
 * threads translate (a translation in flight keeps the catalog it started with). A
 * result may be read from several threads at once; destroying any handle must not race
 * with its use.
 */
#ifndef PGREST_H
#define PGREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility and only the pgrest_* functions marked
 * default, in libpgrest.so and libpgrest.a alike; users of the header see plain
 * declarations. */
#if defined(PGREST_BUILDING) && (defined(__GNUC__) || defined(__clang__))
#define PGREST_API __attribute__((visibility("default")))
#else
#define PGREST_API
#endif

/* ---------------------------------------------------------------------------- version */

#define PGREST_VERSION_MAJOR 0
#define PGREST_VERSION_MINOR 1
#define PGREST_VERSION_PATCH 0
/* major * 10000 + minor * 100 + patch, as pgrest_version_number() returns it. */
#define PGREST_VERSION_NUMBER \
  (PGREST_VERSION_MAJOR * 10000 + PGREST_VERSION_MINOR * 100 + PGREST_VERSION_PATCH)

/* The version of the library actually linked (compare with PGREST_VERSION_NUMBER, the
 * version of this header). */
PGREST_API uint32_t pgrest_version_number(void);

/* The same as a static NUL-terminated string, e.g. "0.1.0". Never freed. */
PGREST_API const char* pgrest_version_string(void);

/* ----------------------------------------------------------------------- common types */

typedef enum pgrest_status {
  PGREST_OK = 0,
  PGREST_INVALID_ARGUMENT = 1, /* a NULL handle or output, a NULL string with a length */
  PGREST_INVALID_JSON = 2,     /* the catalog snapshot or the config is not usable */
  PGREST_OUT_OF_MEMORY = 3,
  PGREST_INTERNAL = 4,   /* an unexpected failure inside the library */
  PGREST_DATABASE = 5,   /* introspection: cannot connect, a query failed, no such schema */
  PGREST_UNSUPPORTED = 6 /* introspection: this library was built without libpq */
} pgrest_status;

/* A length meaning "the string is NUL-terminated: measure it". */
#define PGREST_NTS ((size_t)-1)

/* A short static description of a status ("ok", "invalid argument", ...). Never NULL,
 * never freed. */
PGREST_API const char* pgrest_status_string(pgrest_status status);

/* Frees a string the library allocated (an error_out message). NULL is allowed. */
PGREST_API void pgrest_free_string(char* string);

typedef struct pgrest_catalog pgrest_catalog;
typedef struct pgrest_engine pgrest_engine;
typedef struct pgrest_result pgrest_result;

/* ---------------------------------------------------------------------------- catalog */

/* Loads a catalog snapshot (the JSON `pgrest catalog` writes).
 * On PGREST_OK *out is a new catalog the caller owns. PGREST_INVALID_JSON when the
 * snapshot is not valid, with a one-line message in *error_out (when error_out is not
 * NULL) naming the offending field. A catalog is immutable and may be shared by any
 * number of engines and threads; engines keep their own reference, so it may be destroyed
 * as soon as the engines that need it are created. */
PGREST_API pgrest_status pgrest_catalog_load_json(const char* json, size_t len,
                                                  pgrest_catalog** out, char** error_out);

/* Releases the caller's reference. Engines created from it or swapped to it keep it
 * alive as long as they need it. NULL is allowed. */
PGREST_API void pgrest_catalog_destroy(pgrest_catalog* catalog);

/* Introspects a live PostgreSQL database and returns its catalog snapshot as JSON, exactly
 * what `pgrest catalog` prints (pgrest_catalog_load_json() loads it).
 * conninfo is any libpq connection string or URI (NUL-terminated). schemas_csv is a
 * NUL-terminated, comma-separated list of schemas ("public,ai"; spaces around names are
 * ignored, a name named twice counts once), each of which must exist; NULL means
 * pgrest_default_schemas(), of which only those that exist are read. Everything is read
 * in one READ ONLY, REPEATABLE READ transaction; the call blocks on the network.
 * On PGREST_OK *json_out is a NUL-terminated string allocated by the library, which the
 * caller frees with pgrest_free_string(). On any other status *json_out is NULL and
 * *error_out (when error_out is not NULL) a one-line message: PGREST_INVALID_ARGUMENT for
 * a NULL conninfo or json_out or an empty name in schemas_csv; PGREST_DATABASE when the
 * connection or a query fails (libpq's message; the conninfo, which may hold a password,
 * is never echoed) or a listed schema does not exist (the message names it);
 * PGREST_UNSUPPORTED when the library was built without libpq. Thread-safe: each call
 * has its own connection. */
PGREST_API pgrest_status pgrest_catalog_introspect(const char* conninfo, const char* schemas_csv,
                                                   char** json_out, char** error_out);

/* The schemas pgrest_catalog_introspect() reads by default: the config's default exposed
 * schemas, then its default managed schemas ("public,ai"). A static NUL-terminated
 * string, never freed. */
PGREST_API const char* pgrest_default_schemas(void);

/* ----------------------------------------------------------------------------- engine */

/* Creates an engine over a catalog. config_json is the contract's config JSON, or NULL
 * for the defaults (len is then ignored). On PGREST_OK *out is a new engine the caller
 * owns; it holds its own reference to the catalog. PGREST_INVALID_JSON when the config
 * is not valid, with a one-line message in *error_out (when error_out is not NULL). */
PGREST_API pgrest_status pgrest_engine_create(const pgrest_catalog* catalog,
                                              const char* config_json, size_t len,
                                              pgrest_engine** out, char** error_out);

/* Makes the engine translate with another catalog from now on (e.g. after a schema
 * reload). Translations already running, on any thread, finish with the old one. The
 * engine takes its own reference: the caller still owns and destroys `catalog`.
 * PGREST_INVALID_ARGUMENT when either is NULL; on any failure the engine keeps
 * translating with the catalog it had. */
PGREST_API pgrest_status pgrest_engine_swap_catalog(pgrest_engine* engine,
                                                    const pgrest_catalog* catalog);

/* Destroys the engine; no translation may be running on it. Results it produced stay
 * valid. NULL is allowed. */
PGREST_API void pgrest_engine_destroy(pgrest_engine* engine);

/* ------------------------------------------------------------------------ translation */

/* One request header. Names are case-insensitive. */
typedef struct pgrest_header {
  const char* name;
  size_t name_len;
  const char* value;
  size_t value_len;
} pgrest_header;

/* The contract's request as plain C data. Every string is a pointer and a length (or
 * PGREST_NTS); nothing is copied until pgrest_translate() runs, and nothing is kept
 * after it returns. Zero-initialise it, then set what applies. Fields are only ever
 * added at the end, with a new major version. */
typedef struct pgrest_request {
  const char* method; /* GET, HEAD, POST, PATCH, PUT, DELETE */
  size_t method_len;
  const char* path; /* as received, percent-encoded: "/films", "/rpc/f" */
  size_t path_len;
  const char* query; /* the raw query string without '?'; NULL or "" for none */
  size_t query_len;
  const pgrest_header* headers; /* header_count entries; NULL when header_count is 0 */
  size_t header_count;
  const char* body; /* the raw body; NULL for no body (JSON null in the contract) */
  size_t body_len;
  const char* claims_json; /* verified JWT claims as a JSON object text; NULL: anonymous */
  size_t claims_json_len;
  /* True only when the platform's own API layer is the caller; never derive it from
   * anything a client sends. */
  bool via_api_layer;
} pgrest_request;

/* Translates one request. On PGREST_OK *out is a new result the caller owns: either a
 * translation (pgrest_result_ok() true) or a refusal (false) carrying the error
 * PostgREST would send. A refused request is PGREST_OK, not a failure of the call.
 * PGREST_INVALID_ARGUMENT when a handle or output is NULL, or a string is NULL with a
 * non-zero length. */
PGREST_API pgrest_status pgrest_translate(const pgrest_engine* engine,
                                          const pgrest_request* request, pgrest_result** out);

/* The same with the contract's request JSON. A request JSON that is malformed or of the
 * wrong shape is still PGREST_OK: the result is the refusal PGRX001 (400), exactly what
 * `pgrest translate` answers for it. */
PGREST_API pgrest_status pgrest_translate_json(const pgrest_engine* engine,
                                               const char* request_json, size_t len,
                                               pgrest_result** out);

/* Destroys a result and every string its accessors returned. NULL is allowed. */
PGREST_API void pgrest_result_destroy(pgrest_result* result);

/* ----------------------------------------------------------------- result accessors */
/* All accept NULL (and then return false, 0 or NULL). Strings are NUL-terminated and
 * owned by the result (valid until pgrest_result_destroy()). */

/* The contract's result JSON (one line, no trailing newline), exactly what
 * `pgrest translate` prints for the request. Built on first use; NULL only when memory
 * runs out. */
PGREST_API const char* pgrest_result_json(const pgrest_result* result);

/* True for a translation, false for a refusal. */
PGREST_API bool pgrest_result_ok(const pgrest_result* result);

/* The HTTP status: of a successful execution for a translation (200, 201, 204...), of
 * the error for a refusal. */
PGREST_API int pgrest_result_status(const pgrest_result* result);

/* Translation flags (false for a refusal): run the transaction READ ONLY; roll back
 * instead of committing; the client asked for a single object (answer PGRST116, 406, and
 * roll back unless page_total is 1); PUT: roll back with PGRST115 (400) unless
 * page_total is 1. */
PGREST_API bool pgrest_result_read_only(const pgrest_result* result);
PGREST_API bool pgrest_result_rollback(const pgrest_result* result);
PGREST_API bool pgrest_result_singular(const pgrest_result* result);
PGREST_API bool pgrest_result_expect_one_row(const pgrest_result* result);

/* The media type of the body ("application/json", "text/csv", ...); NULL for a refusal. */
PGREST_API const char* pgrest_result_media_type(const pgrest_result* result);

/* Optional numbers: return true and set *value when present. count_threshold comes with
 * Prefer: count=estimated; max_affected with Prefer: max-affected=N (roll back with
 * PGRST124, 400, when page_total exceeds it). */
PGREST_API bool pgrest_result_count_threshold(const pgrest_result* result, int64_t* value);
PGREST_API bool pgrest_result_max_affected(const pgrest_result* result, int64_t* value);

/* The statements of a translation. A C caller may pass any value (unknown ones give
 * NULL); C++ sees the enum with the fixed underlying type C compilers give it, so every
 * such value is a valid one there too (without it, 7 would be undefined behaviour). */
#ifdef __cplusplus
typedef enum pgrest_statement : unsigned int {
#else
typedef enum pgrest_statement {
#endif
  PGREST_STATEMENT_PRELUDE = 0, /* run first: role, claims, settings */
  PGREST_STATEMENT_QUERY = 1,   /* one row: body, page_total, total_count, ... */
  PGREST_STATEMENT_COUNT = 2    /* Prefer: count=planned|estimated only: an EXPLAIN */
} pgrest_statement;

/* SQL text of a statement, with $1..$n placeholders; NULL for a refusal, an unknown
 * `which`, or PGREST_STATEMENT_COUNT when there is no count query. */
PGREST_API const char* pgrest_result_sql(const pgrest_result* result, pgrest_statement which);
PGREST_API const char* pgrest_result_prelude_sql(const pgrest_result* result);
PGREST_API const char* pgrest_result_query_sql(const pgrest_result* result);
PGREST_API const char* pgrest_result_count_sql(const pgrest_result* result);

/* Parameters of a statement: text values bound as $1..$n with unknown types (libpq
 * PQexecParams with paramTypes NULL). pgrest_result_param_count() is 0 when the
 * statement does not exist. pgrest_result_param() returns the value (NUL-terminated,
 * but it may contain NUL bytes: use *len) and sets *len (when len is not NULL) and
 * *is_null (when is_null is not NULL). For SQL NULL it returns NULL with *is_null true;
 * for an index out of range NULL with *is_null false. */
PGREST_API size_t pgrest_result_param_count(const pgrest_result* result, pgrest_statement which);
PGREST_API const char* pgrest_result_param(const pgrest_result* result, pgrest_statement which,
                                           size_t index, size_t* len, bool* is_null);

/* The error of a refusal, as PostgREST sends it; NULL for a translation. code and
 * message are never NULL for a refusal; details and hint may be. A message that quotes
 * request bytes ends at the first NUL among them here; pgrest_result_json() has it whole. When
 * pgrest_result_error_details_is_json() is true, details is JSON text (e.g. PGRST201's
 * array of candidates) rather than a plain string. */
PGREST_API const char* pgrest_result_error_code(const pgrest_result* result);
PGREST_API const char* pgrest_result_error_message(const pgrest_result* result);
PGREST_API const char* pgrest_result_error_details(const pgrest_result* result);
PGREST_API bool pgrest_result_error_details_is_json(const pgrest_result* result);
PGREST_API const char* pgrest_result_error_hint(const pgrest_result* result);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PGREST_H */
