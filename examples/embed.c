/* examples/embed.c: one translation through the C ABI (pgrest.h); see README.md. */
#include <pgrest.h>
#include <stdio.h>

int main(int argc, char** argv) {
  static char snapshot[1 << 22]; /* the catalog snapshot `pgrest catalog` wrote */
  FILE* file = fopen(argc > 1 ? argv[1] : "catalog.json", "rb");
  size_t size = file ? fread(snapshot, 1, sizeof snapshot, file) : 0;
  if (file) fclose(file);
  pgrest_catalog* catalog = NULL;
  pgrest_engine* engine = NULL; /* thread-safe; pgrest_engine_swap_catalog() reloads */
  pgrest_result* result = NULL;
  char* error = NULL;
  if (pgrest_catalog_load_json(snapshot, size, &catalog, &error) != PGREST_OK ||
      pgrest_engine_create(catalog, NULL, 0, &engine, &error) != PGREST_OK)
    return fprintf(stderr, "pgrest: %s\n", error ? error : "no catalog"), 1;
  pgrest_catalog_destroy(catalog); /* the engine keeps its own reference */
  const char* request = "{\"method\":\"GET\",\"path\":\"/films\",\"query\":\"year=gte.2000\"}";
  if (pgrest_translate_json(engine, request, PGREST_NTS, &result) == PGREST_OK)
    puts(pgrest_result_json(result)); /* or pgrest_result_query_sql(result), ... */
  pgrest_result_destroy(result);
  pgrest_engine_destroy(engine);
  return 0;
}
