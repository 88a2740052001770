/* Embedding pgrest in C: cc embed.c $(pkg-config --cflags --libs pgrest); ./a.out catalog.json */
#include <pgrest.h>
#include <stdio.h>

int main(int argc, char** argv) {
  static char snapshot[1 << 22];
  FILE* file = argc > 1 ? fopen(argv[1], "rb") : NULL;
  size_t size = file ? fread(snapshot, 1, sizeof snapshot, file) : 0;
  pgrest_catalog* catalog = NULL;
  pgrest_engine* engine = NULL;
  pgrest_result* result = NULL;
  char* error = NULL;
  if (pgrest_catalog_load_json(snapshot, size, &catalog, &error) != PGREST_OK ||
      pgrest_engine_create(catalog, NULL, 0, &engine, &error) != PGREST_OK) {
    fprintf(stderr, "pgrest: %s\n", error ? error : "cannot load the catalog");
    return 1;
  }
  pgrest_catalog_destroy(catalog); /* the engine keeps its own reference */
  const char* request = "{\"method\":\"GET\",\"path\":\"/films\",\"query\":\"year=gte.2000\"}";
  if (pgrest_translate_json(engine, request, PGREST_NTS, &result) == PGREST_OK)
    printf("%s\n", pgrest_result_json(result)); /* or pgrest_result_query_sql(), ... */
  pgrest_result_destroy(result);
  pgrest_engine_destroy(engine);
  return 0;
}
