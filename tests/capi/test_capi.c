/* The C ABI through pgrest.h only, compiled as C and linked against libpgrest.so.
 *
 *   test_capi CATALOG_SNAPSHOT
 *
 * Prints one line per failed check and ends with "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgrest.h"

static int passed = 0;
static int failed = 0;

#define CHECK(condition)                                                   \
  do {                                                                     \
    if (condition) {                                                       \
      ++passed;                                                            \
    } else {                                                               \
      ++failed;                                                            \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #condition); \
    }                                                                      \
  } while (0)

#define CHECK_STR(actual, expected) CHECK((actual) != NULL && strcmp((actual), (expected)) == 0)

static char* read_file(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) return NULL;
  char* data = NULL;
  size_t length = 0;
  char buffer[65536];
  size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) {
    char* grown = realloc(data, length + got + 1);
    if (grown == NULL) break;
    data = grown;
    memcpy(data + length, buffer, got);
    length += got;
    data[length] = '\0';
  }
  fclose(file);
  *size = length;
  return data;
}

/* A catalog with one table, films(id, title), and no directors. */
static const char* kSmallCatalog =
    "{\"version\":1,\"schemas\":[\"public\",\"ai\"],\"roles\":[\"anon\",\"authenticated\"],"
    "\"relations\":[{\"schema\":\"public\",\"name\":\"films\",\"kind\":\"table\",\"insertable\":"
    "true,\"updatable\":true,\"deletable\":true,\"primary_key\":[\"id\"],\"unique_keys\":[],"
    "\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"base_type\":\"integer\",\"type_oid\":"
    "23,\"nullable\":false,\"default\":null,\"generated\":false,\"identity\":true},{\"name\":"
    "\"title\",\"type\":\"text\",\"base_type\":\"text\",\"type_oid\":25,\"nullable\":true,"
    "\"default\":null,\"generated\":false,\"identity\":false}]}],\"foreign_keys\":[],"
    "\"functions\":[]}";

static pgrest_result* translate_json(const pgrest_engine* engine, const char* json) {
  pgrest_result* result = NULL;
  const pgrest_status status = pgrest_translate_json(engine, json, PGREST_NTS, &result);
  CHECK(status == PGREST_OK);
  CHECK(result != NULL);
  return result;
}

static void test_version(void) {
  CHECK(pgrest_version_number() == PGREST_VERSION_NUMBER);
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", PGREST_VERSION_MAJOR, PGREST_VERSION_MINOR,
           PGREST_VERSION_PATCH);
  CHECK_STR(pgrest_version_string(), expected);
  CHECK_STR(pgrest_status_string(PGREST_OK), "ok");
  CHECK(pgrest_status_string((pgrest_status)99) != NULL);
  pgrest_free_string(NULL);
  pgrest_catalog_destroy(NULL);
  pgrest_engine_destroy(NULL);
  pgrest_result_destroy(NULL);
}

static void test_catalog_errors(void) {
  pgrest_catalog* catalog = (pgrest_catalog*)&catalog; /* must be reset to NULL */
  char* error = (char*)&error;
  CHECK(pgrest_catalog_load_json("{nope", PGREST_NTS, &catalog, &error) == PGREST_INVALID_JSON);
  CHECK(catalog == NULL);
  CHECK(error != NULL && strlen(error) > 0 && strchr(error, '\n') == NULL);
  pgrest_free_string(error);

  error = (char*)&error;
  CHECK(pgrest_catalog_load_json("{\"version\":1,\"relations\":5}", PGREST_NTS, &catalog, &error) ==
        PGREST_INVALID_JSON);
  CHECK(catalog == NULL && error != NULL);
  pgrest_free_string(error);

  /* No message wanted. */
  CHECK(pgrest_catalog_load_json("[]", 2, &catalog, NULL) == PGREST_INVALID_JSON);
  CHECK(pgrest_catalog_load_json(kSmallCatalog, PGREST_NTS, NULL, NULL) == PGREST_INVALID_ARGUMENT);
  error = (char*)&error;
  CHECK(pgrest_catalog_load_json(NULL, 5, &catalog, &error) == PGREST_INVALID_ARGUMENT);
  CHECK(catalog == NULL && error == NULL);
  CHECK(pgrest_catalog_load_json(NULL, PGREST_NTS, &catalog, NULL) == PGREST_INVALID_ARGUMENT);
  /* A length shorter than the text: only that prefix is read. */
  CHECK(pgrest_catalog_load_json(kSmallCatalog, 20, &catalog, NULL) == PGREST_INVALID_JSON);
  CHECK(pgrest_catalog_load_json(kSmallCatalog, strlen(kSmallCatalog), &catalog, NULL) ==
        PGREST_OK);
  CHECK(catalog != NULL);
  pgrest_catalog_destroy(catalog);
}

static void test_engine_errors(const pgrest_catalog* catalog) {
  pgrest_engine* engine = (pgrest_engine*)&engine;
  char* error = NULL;
  CHECK(pgrest_engine_create(NULL, NULL, 0, &engine, &error) == PGREST_INVALID_ARGUMENT);
  CHECK(engine == NULL && error == NULL);
  CHECK(pgrest_engine_create(catalog, NULL, 0, NULL, NULL) == PGREST_INVALID_ARGUMENT);

  CHECK(pgrest_engine_create(catalog, "{\"schemaz\":[\"public\"]}", PGREST_NTS, &engine, &error) ==
        PGREST_INVALID_JSON);
  CHECK(engine == NULL);
  CHECK(error != NULL && strstr(error, "schemaz") != NULL);
  pgrest_free_string(error);

  error = NULL;
  CHECK(pgrest_engine_create(catalog, "not json", PGREST_NTS, &engine, &error) ==
        PGREST_INVALID_JSON);
  CHECK(error != NULL);
  pgrest_free_string(error);

  CHECK(pgrest_engine_create(catalog, "{\"max_rows\":5}", PGREST_NTS, &engine, NULL) == PGREST_OK);
  CHECK(engine != NULL);
  pgrest_engine_destroy(engine);

  CHECK(pgrest_engine_swap_catalog(NULL, catalog) == PGREST_INVALID_ARGUMENT);
}

static void test_read(const pgrest_engine* engine) {
  pgrest_result* result =
      translate_json(engine,
                     "{\"method\":\"GET\",\"path\":\"/"
                     "films\",\"query\":\"select=id,title&year=gte.2000&order=id\"}");
  CHECK(pgrest_result_ok(result));
  CHECK(pgrest_result_status(result) == 200);
  CHECK(pgrest_result_read_only(result));
  CHECK(!pgrest_result_rollback(result));
  CHECK(!pgrest_result_singular(result));
  CHECK(!pgrest_result_expect_one_row(result));
  CHECK_STR(pgrest_result_media_type(result), "application/json");
  const char* prelude = pgrest_result_prelude_sql(result);
  CHECK(prelude != NULL && strstr(prelude, "set_config('role', $2, true)") != NULL);
  CHECK(prelude == pgrest_result_sql(result, PGREST_STATEMENT_PRELUDE));
  const char* query = pgrest_result_query_sql(result);
  CHECK(query != NULL && strstr(query, "$1") != NULL && strstr(query, "2000") == NULL);
  CHECK(pgrest_result_count_sql(result) == NULL);
  CHECK(pgrest_result_sql(result, (pgrest_statement)7) == NULL);
  int64_t number = 0;
  CHECK(!pgrest_result_count_threshold(result, &number));
  CHECK(!pgrest_result_max_affected(result, &number));

  CHECK(pgrest_result_param_count(result, PGREST_STATEMENT_PRELUDE) == 7);
  size_t len = 99;
  bool is_null = true;
  const char* role = pgrest_result_param(result, PGREST_STATEMENT_PRELUDE, 1, &len, &is_null);
  CHECK_STR(role, "anon");
  CHECK(len == 4 && !is_null);
  CHECK(pgrest_result_param_count(result, PGREST_STATEMENT_QUERY) == 1);
  const char* year = pgrest_result_param(result, PGREST_STATEMENT_QUERY, 0, &len, &is_null);
  CHECK(year != NULL && len == 4 && memcmp(year, "2000", 4) == 0 && !is_null);
  CHECK(pgrest_result_param(result, PGREST_STATEMENT_QUERY, 0, NULL, NULL) == year);
  is_null = true;
  CHECK(pgrest_result_param(result, PGREST_STATEMENT_QUERY, 1, &len, &is_null) == NULL);
  CHECK(!is_null && len == 0);
  CHECK(pgrest_result_param_count(result, PGREST_STATEMENT_COUNT) == 0);
  CHECK(pgrest_result_param(result, PGREST_STATEMENT_COUNT, 0, &len, &is_null) == NULL);

  CHECK(pgrest_result_error_code(result) == NULL);
  CHECK(pgrest_result_error_message(result) == NULL);
  CHECK(pgrest_result_error_details(result) == NULL);
  CHECK(!pgrest_result_error_details_is_json(result));

  const char* json = pgrest_result_json(result);
  CHECK(json != NULL &&
        strncmp(json, "{\"ok\":true,\"status\":200,\"read_only\":true,\"rollback\":false,", 58) ==
            0);
  CHECK(json != NULL && strchr(json, '\n') == NULL);
  CHECK(pgrest_result_json(result) == json); /* built once */
  pgrest_result_destroy(result);
}

static void test_counts(const pgrest_engine* engine) {
  pgrest_result* result = translate_json(
      engine,
      "{\"method\":\"GET\",\"path\":\"/films\",\"headers\":{\"Prefer\":\"count=estimated\"}}");
  CHECK(pgrest_result_ok(result));
  const char* count = pgrest_result_count_sql(result);
  CHECK(count != NULL && strncmp(count, "explain", 7) == 0);
  CHECK(pgrest_result_param_count(result, PGREST_STATEMENT_COUNT) == 0);
  pgrest_result_destroy(result);

  result = translate_json(engine,
                          "{\"method\":\"PATCH\",\"path\":\"/users\",\"query\":\"id=eq.1\","
                          "\"body\":\"{\\\"name\\\":\\\"x\\\"}\",\"headers\":{\"Prefer\":"
                          "\"max-affected=1, handling=strict\"}}");
  CHECK(pgrest_result_ok(result));
  CHECK(!pgrest_result_read_only(result));
  CHECK(pgrest_result_status(result) == 204);
  int64_t max_affected = 0;
  CHECK(pgrest_result_max_affected(result, &max_affected) && max_affected == 1);
  pgrest_result_destroy(result);

  result = translate_json(engine,
                          "{\"method\":\"PUT\",\"path\":\"/users\",\"query\":\"id=eq.1\","
                          "\"body\":\"{\\\"id\\\":1,\\\"name\\\":\\\"x\\\"}\"}");
  CHECK(pgrest_result_ok(result));
  CHECK(pgrest_result_expect_one_row(result));
  pgrest_result_destroy(result);
}

static void test_refusals(const pgrest_engine* engine) {
  pgrest_result* result = translate_json(engine, "{\"method\":\"GET\",\"path\":\"/nope\"}");
  CHECK(!pgrest_result_ok(result));
  CHECK(pgrest_result_status(result) == 404);
  CHECK_STR(pgrest_result_error_code(result), "PGRST205");
  CHECK(pgrest_result_error_message(result) != NULL);
  CHECK(pgrest_result_prelude_sql(result) == NULL);
  CHECK(pgrest_result_query_sql(result) == NULL);
  CHECK(pgrest_result_media_type(result) == NULL);
  CHECK(pgrest_result_param_count(result, PGREST_STATEMENT_QUERY) == 0);
  CHECK(!pgrest_result_read_only(result));
  const char* json = pgrest_result_json(result);
  CHECK(json != NULL && strncmp(json,
                                "{\"ok\":false,\"status\":404,\"error\":{\"code\":"
                                "\"PGRST205\"",
                                38) == 0);
  pgrest_result_destroy(result);

  /* Malformed contract JSON: a result, as `pgrest translate` answers it. */
  result = translate_json(engine, "{\"method\":\"GET\"");
  CHECK(!pgrest_result_ok(result));
  CHECK(pgrest_result_status(result) == 400);
  CHECK_STR(pgrest_result_error_code(result), "PGRX001");
  pgrest_result_destroy(result);
  result = translate_json(engine, "{\"method\":\"GET\",\"path\":\"/films\",\"via_api_layer\":1}");
  CHECK_STR(pgrest_result_error_code(result), "PGRX001");
  CHECK(pgrest_result_error_details(result) != NULL &&
        strstr(pgrest_result_error_details(result), "via_api_layer") != NULL);
  pgrest_result_destroy(result);

  /* PGRST201 carries its candidates as JSON details. */
  result = translate_json(engine,
                          "{\"method\":\"GET\",\"path\":\"/users\",\"query\":"
                          "\"select=*,loans(*)\"}");
  CHECK_STR(pgrest_result_error_code(result), "PGRST201");
  CHECK(pgrest_result_status(result) == 300);
  CHECK(pgrest_result_error_details_is_json(result));
  CHECK(pgrest_result_error_details(result) != NULL &&
        pgrest_result_error_details(result)[0] == '[');
  CHECK(pgrest_result_error_hint(result) != NULL);
  pgrest_result_destroy(result);

  /* The managed schema. */
  result = translate_json(engine,
                          "{\"method\":\"GET\",\"path\":\"/chunks\",\"headers\":"
                          "{\"Accept-Profile\":\"ai\"}}");
  CHECK_STR(pgrest_result_error_code(result), "PGRX403");
  CHECK(pgrest_result_status(result) == 403);
  pgrest_result_destroy(result);
}

static void test_invalid_arguments(const pgrest_engine* engine) {
  pgrest_result* result = (pgrest_result*)&result;
  pgrest_request request;
  memset(&request, 0, sizeof request);
  request.method = "GET";
  request.method_len = PGREST_NTS;
  request.path = "/films";
  request.path_len = PGREST_NTS;
  CHECK(pgrest_translate(NULL, &request, &result) == PGREST_INVALID_ARGUMENT);
  CHECK(result == NULL);
  CHECK(pgrest_translate(engine, NULL, &result) == PGREST_INVALID_ARGUMENT);
  CHECK(pgrest_translate(engine, &request, NULL) == PGREST_INVALID_ARGUMENT);
  CHECK(pgrest_translate_json(NULL, "{}", 2, &result) == PGREST_INVALID_ARGUMENT);
  CHECK(pgrest_translate_json(engine, NULL, 2, &result) == PGREST_INVALID_ARGUMENT);
  CHECK(pgrest_translate_json(engine, "{}", 2, NULL) == PGREST_INVALID_ARGUMENT);
  request.path = NULL;
  request.path_len = 3;
  CHECK(pgrest_translate(engine, &request, &result) == PGREST_INVALID_ARGUMENT);
  request.path = "/films";
  request.path_len = PGREST_NTS;
  request.header_count = 1; /* with headers NULL */
  CHECK(pgrest_translate(engine, &request, &result) == PGREST_INVALID_ARGUMENT);
  request.header_count = 0;
  CHECK(pgrest_translate(engine, &request, &result) == PGREST_OK);
  CHECK(pgrest_result_ok(result));
  pgrest_result_destroy(result);

  /* Accessors on NULL. */
  CHECK(!pgrest_result_ok(NULL));
  CHECK(pgrest_result_status(NULL) == 0);
  CHECK(pgrest_result_json(NULL) == NULL);
  CHECK(pgrest_result_query_sql(NULL) == NULL);
  CHECK(pgrest_result_param_count(NULL, PGREST_STATEMENT_QUERY) == 0);
  CHECK(pgrest_result_error_code(NULL) == NULL);
}

/* The structured form gives exactly the result of the JSON form. */
static void expect_same(const pgrest_engine* engine, const pgrest_request* request,
                        const char* json) {
  pgrest_result* structured = NULL;
  CHECK(pgrest_translate(engine, request, &structured) == PGREST_OK);
  pgrest_result* from_json = translate_json(engine, json);
  const char* a = pgrest_result_json(structured);
  const char* b = pgrest_result_json(from_json);
  CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
  if (a != NULL && b != NULL && strcmp(a, b) != 0) {
    fprintf(stderr, "  structured: %s\n  json:       %s\n", a, b);
  }
  pgrest_result_destroy(structured);
  pgrest_result_destroy(from_json);
}

static void test_structured(const pgrest_engine* engine) {
  pgrest_request request;
  memset(&request, 0, sizeof request);
  request.method = "GETX"; /* lengths are honoured: only "GET" */
  request.method_len = 3;
  request.path = "/films";
  request.path_len = 6;
  request.query = "select=id,title,directors(name)&year=gte.1960&order=id.desc";
  request.query_len = PGREST_NTS;
  const pgrest_header headers[] = {
      {"Prefer", 6, "count=exact", 11},
      {"Range", PGREST_NTS, "0-1", PGREST_NTS},
  };
  request.headers = headers;
  request.header_count = 2;
  request.claims_json = "{\"role\":\"authenticated\",\"sub\":\"abc\"}";
  request.claims_json_len = PGREST_NTS;
  expect_same(engine, &request,
              "{\"method\":\"GET\",\"path\":\"/films\",\"query\":\"select=id,title,directors(name)"
              "&year=gte.1960&order=id.desc\",\"headers\":{\"Prefer\":\"count=exact\",\"Range\":"
              "\"0-1\"},\"claims\":{\"role\":\"authenticated\",\"sub\":\"abc\"}}");

  memset(&request, 0, sizeof request);
  request.method = "POST";
  request.method_len = 4;
  request.path = "/films";
  request.path_len = 6;
  request.query = "select=id";
  request.query_len = 9;
  const pgrest_header write_headers[] = {{"Prefer", 6, "return=representation", 21}};
  request.headers = write_headers;
  request.header_count = 1;
  request.body = "[{\"id\":10,\"title\":\"t\"}]";
  request.body_len = PGREST_NTS;
  expect_same(engine, &request,
              "{\"method\":\"POST\",\"path\":\"/films\",\"query\":\"select=id\",\"headers\":"
              "{\"Prefer\":\"return=representation\"},\"body\":\"[{\\\"id\\\":10,\\\"title\\\":"
              "\\\"t\\\"}]\"}");

  /* An empty body is a body; NULL is none. */
  request.body = "";
  request.body_len = 0;
  expect_same(engine, &request,
              "{\"method\":\"POST\",\"path\":\"/films\",\"query\":\"select=id\",\"headers\":"
              "{\"Prefer\":\"return=representation\"},\"body\":\"\"}");
  request.body = NULL;
  request.body_len = 12345; /* ignored for NULL */
  expect_same(engine, &request,
              "{\"method\":\"POST\",\"path\":\"/films\",\"query\":\"select=id\",\"headers\":"
              "{\"Prefer\":\"return=representation\"},\"body\":null}");

  /* via_api_layer reaches the managed schema. */
  memset(&request, 0, sizeof request);
  request.method = "GET";
  request.method_len = PGREST_NTS;
  request.path = "/chunks";
  request.path_len = PGREST_NTS;
  const pgrest_header profile[] = {{"Accept-Profile", PGREST_NTS, "ai", PGREST_NTS}};
  request.headers = profile;
  request.header_count = 1;
  request.claims_json = "{\"role\":\"service_role\"}";
  request.claims_json_len = PGREST_NTS;
  request.via_api_layer = true;
  expect_same(engine, &request,
              "{\"method\":\"GET\",\"path\":\"/chunks\",\"headers\":{\"Accept-Profile\":\"ai\"},"
              "\"claims\":{\"role\":\"service_role\"},\"via_api_layer\":true}");
  pgrest_result* result = NULL;
  CHECK(pgrest_translate(engine, &request, &result) == PGREST_OK);
  CHECK(pgrest_result_ok(result));
  pgrest_result_destroy(result);

  /* Claims that are not a JSON object are the engine's refusal, not a failed call. */
  request.claims_json = "[1]";
  CHECK(pgrest_translate(engine, &request, &result) == PGREST_OK);
  CHECK(result != NULL && !pgrest_result_ok(result));
  pgrest_result_destroy(result);
}

static void test_swap(const char* full_json, size_t full_size) {
  pgrest_catalog* full = NULL;
  pgrest_catalog* small = NULL;
  CHECK(pgrest_catalog_load_json(full_json, full_size, &full, NULL) == PGREST_OK);
  CHECK(pgrest_catalog_load_json(kSmallCatalog, PGREST_NTS, &small, NULL) == PGREST_OK);
  pgrest_engine* engine = NULL;
  CHECK(pgrest_engine_create(full, NULL, 0, &engine, NULL) == PGREST_OK);
  pgrest_result* before = translate_json(engine, "{\"method\":\"GET\",\"path\":\"/directors\"}");
  CHECK(pgrest_result_ok(before));

  CHECK(pgrest_engine_swap_catalog(engine, small) == PGREST_OK);
  pgrest_catalog_destroy(small); /* the engine keeps its own reference */
  pgrest_result* after = translate_json(engine, "{\"method\":\"GET\",\"path\":\"/directors\"}");
  CHECK_STR(pgrest_result_error_code(after), "PGRST205");
  pgrest_result* films = translate_json(engine, "{\"method\":\"GET\",\"path\":\"/films\"}");
  CHECK(pgrest_result_ok(films));
  /* A result outlives a swap (and its engine). */
  CHECK(pgrest_result_query_sql(before) != NULL);

  CHECK(pgrest_engine_swap_catalog(engine, full) == PGREST_OK);
  pgrest_catalog_destroy(full);
  pgrest_result* again = translate_json(engine, "{\"method\":\"GET\",\"path\":\"/directors\"}");
  CHECK(pgrest_result_ok(again));
  CHECK(strcmp(pgrest_result_json(again), pgrest_result_json(before)) == 0);
  pgrest_engine_destroy(engine);
  CHECK(pgrest_result_ok(again) && pgrest_result_query_sql(again) != NULL);
  pgrest_result_destroy(before);
  pgrest_result_destroy(after);
  pgrest_result_destroy(films);
  pgrest_result_destroy(again);
}

/* pgrest_catalog_introspect() without a database: argument errors and an unreachable
 * server (tests/cli/test_cli_catalog.sh runs it against PostgreSQL through the CLI). */
static void test_introspect_errors(void) {
  CHECK_STR(pgrest_default_schemas(), "public,ai");
  CHECK_STR(pgrest_status_string(PGREST_DATABASE), "database error");
  CHECK_STR(pgrest_status_string(PGREST_UNSUPPORTED), "unsupported");
  char* json = (char*)"untouched";
  char* error = NULL;
  CHECK(pgrest_catalog_introspect(NULL, NULL, &json, &error) == PGREST_INVALID_ARGUMENT);
  CHECK(json == NULL && error != NULL);
  pgrest_free_string(error);
  CHECK(pgrest_catalog_introspect("dbname=x", NULL, NULL, NULL) == PGREST_INVALID_ARGUMENT);
  /* An empty name is refused before connecting (the conninfo would hang otherwise). */
  error = NULL;
  CHECK(pgrest_catalog_introspect("host=192.0.2.1 connect_timeout=10", "public,,ai", &json,
                                  &error) == PGREST_INVALID_ARGUMENT);
  CHECK(json == NULL && error != NULL && strstr(error, "empty schema name") != NULL);
  pgrest_free_string(error);
  /* No server there: libpq's message, one line, the password not echoed. */
  error = NULL;
  const pgrest_status status = pgrest_catalog_introspect(
      "host=/nonexistent-pgrest-dir port=1 password=hunter2 connect_timeout=5", "public", &json,
      &error);
  CHECK(status == PGREST_DATABASE || status == PGREST_UNSUPPORTED);
  CHECK(json == NULL && error != NULL);
  CHECK(error != NULL && strchr(error, '\n') == NULL && strstr(error, "hunter2") == NULL);
  pgrest_free_string(error);
  /* error_out may be NULL. */
  CHECK(pgrest_catalog_introspect("host=/nonexistent-pgrest-dir port=1", NULL, &json, NULL) !=
        PGREST_OK);
  CHECK(json == NULL);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CATALOG_SNAPSHOT\n", argv[0]);
    return 2;
  }
  size_t size = 0;
  char* snapshot = read_file(argv[1], &size);
  if (snapshot == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  test_version();
  test_catalog_errors();
  test_introspect_errors();

  pgrest_catalog* catalog = NULL;
  char* error = NULL;
  const pgrest_status status = pgrest_catalog_load_json(snapshot, size, &catalog, &error);
  CHECK(status == PGREST_OK && error == NULL);
  if (status != PGREST_OK) {
    fprintf(stderr, "catalog: %s\n", error != NULL ? error : pgrest_status_string(status));
    pgrest_free_string(error);
    free(snapshot);
    printf("%d passed, %d failed\n", passed, failed);
    return 1;
  }
  test_engine_errors(catalog);
  pgrest_engine* engine = NULL;
  CHECK(pgrest_engine_create(catalog, NULL, 0, &engine, NULL) == PGREST_OK);
  pgrest_catalog_destroy(catalog);
  test_read(engine);
  test_counts(engine);
  test_refusals(engine);
  test_invalid_arguments(engine);
  test_structured(engine);
  pgrest_engine_destroy(engine);
  test_swap(snapshot, size);
  free(snapshot);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
