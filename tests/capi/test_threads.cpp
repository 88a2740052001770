// Several threads translate through the C ABI while the main thread swaps catalogs, loads
// new ones and drops its references to them. Meant for ThreadSanitizer
// (tests/capi/run_tsan.sh); in an ordinary build it checks the results only.
//
//   test_threads CATALOG_SNAPSHOT [ROUNDS]
//
// Ends with "N passed, N failed".
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pgrest.h"

namespace {

// Checks run many times each; a check counts once: passed unless it ever failed.
std::mutex checks_mutex;
std::map<std::string, bool> checks;  // name -> failed at least once

void check(bool condition, const char* what) {
  if (condition) {
    thread_local std::set<const char*> seen;  // names passed by this thread
    if (!seen.insert(what).second) return;
    const std::lock_guard lock(checks_mutex);
    checks.emplace(what, false);
    return;
  }
  std::fprintf(stderr, "FAIL: %s\n", what);
  const std::lock_guard lock(checks_mutex);
  checks[what] = true;
}

constexpr const char* kSmallCatalog =
    R"({"version":1,"schemas":["public","ai"],"roles":["anon","authenticated"],"relations":[)"
    R"({"schema":"public","name":"films","kind":"table","insertable":true,"updatable":true,)"
    R"("deletable":true,"primary_key":["id"],"unique_keys":[],"columns":[{"name":"id","type":)"
    R"("integer","base_type":"integer","type_oid":23,"nullable":false,"default":null,)"
    R"("generated":false,"identity":true},{"name":"title","type":"text","base_type":"text",)"
    R"("type_oid":25,"nullable":true,"default":null,"generated":false,"identity":false}]}],)"
    R"("foreign_keys":[],"functions":[]})";

pgrest_catalog* load(const std::string& json) {
  pgrest_catalog* catalog = nullptr;
  char* error = nullptr;
  if (pgrest_catalog_load_json(json.data(), json.size(), &catalog, &error) != PGREST_OK) {
    std::fprintf(stderr, "catalog: %s\n", error != nullptr ? error : "?");
    pgrest_free_string(error);
    return nullptr;
  }
  return catalog;
}

// How many times a thread must see the catalog change under it (directors found, then
// not, or the reverse) before it stops, so the swaps provably overlapped translations.
constexpr int kMinCatalogChanges = 4;

// Films exist in both catalogs; directors only in the full one. Runs `rounds` rounds, then
// on (up to 100 times as many) until the thread has seen kMinCatalogChanges changes.
void translate_loop(const pgrest_engine* engine, const pgrest_result* shared, int rounds,
                    std::atomic<bool>* start) {
  while (!start->load(std::memory_order_acquire)) std::this_thread::yield();
  const pgrest_header headers[] = {{"Prefer", 6, "count=exact", 11}};
  int changes = 0;
  int previous = -1;  // the last /directors outcome: 1 found, 0 PGRST205
  for (int i = 0; i < rounds || (changes < kMinCatalogChanges && i < rounds * 100); ++i) {
    pgrest_request request{};
    request.method = "GET";
    request.method_len = PGREST_NTS;
    request.path = "/films";
    request.path_len = PGREST_NTS;
    request.query = (i % 2) == 0 ? "select=id,title&id=gt.1&order=id" : "select=title&limit=2";
    request.query_len = PGREST_NTS;
    request.headers = headers;
    request.header_count = 1;
    request.claims_json = R"({"role":"authenticated","sub":"x"})";
    request.claims_json_len = PGREST_NTS;
    pgrest_result* result = nullptr;
    const pgrest_status status = pgrest_translate(engine, &request, &result);
    check(status == PGREST_OK && pgrest_result_ok(result), "films translates");
    check(pgrest_result_query_sql(result) != nullptr &&
              std::strstr(pgrest_result_query_sql(result), "\"films\"") != nullptr,
          "films query");
    pgrest_result_destroy(result);

    result = nullptr;
    check(pgrest_translate_json(engine, R"({"method":"GET","path":"/directors"})", PGREST_NTS,
                                &result) == PGREST_OK,
          "directors call");
    // Either catalog may be current: a translation or PGRST205, nothing else.
    const char* code = pgrest_result_error_code(result);
    check(pgrest_result_ok(result) || (code != nullptr && std::strcmp(code, "PGRST205") == 0),
          "directors result");
    const int found = pgrest_result_ok(result) ? 1 : 0;
    if (previous != -1 && found != previous) ++changes;
    previous = found;
    check(pgrest_result_json(result) != nullptr, "result JSON");
    pgrest_result_destroy(result);

    // One result read by every thread at once.
    const char* json = pgrest_result_json(shared);
    check(json != nullptr && std::strncmp(json, "{\"ok\":true", 10) == 0, "shared result");
  }
  check(changes >= kMinCatalogChanges, "catalog swaps overlapped this thread's translations");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s CATALOG_SNAPSHOT [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int rounds = argc == 3 ? std::atoi(argv[2]) : 2000;
  std::ifstream file(argv[1], std::ios::binary);
  const std::string full_json((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
  pgrest_catalog* full = load(full_json);
  pgrest_catalog* small = load(kSmallCatalog);
  if (full == nullptr || small == nullptr) return 1;

  pgrest_engine* engine = nullptr;
  check(
      pgrest_engine_create(full, R"({"max_rows":100})", PGREST_NTS, &engine, nullptr) == PGREST_OK,
      "engine");
  pgrest_result* shared = nullptr;
  check(pgrest_translate_json(engine, R"({"method":"GET","path":"/films"})", PGREST_NTS, &shared) ==
            PGREST_OK,
        "shared");

  constexpr int kThreads = 4;
  std::atomic<bool> start{false};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(translate_loop, engine, shared, rounds, &start);
  }
  std::atomic<bool> done{false};
  std::thread waiter([&threads, &done] {
    for (auto& thread : threads) thread.join();
    done.store(true, std::memory_order_release);
  });

  start.store(true, std::memory_order_release);
  int swaps = 0;
  while (!done.load(std::memory_order_acquire)) {
    check(pgrest_engine_swap_catalog(engine, (swaps % 2) == 0 ? small : full) == PGREST_OK, "swap");
    ++swaps;
    if (swaps % 16 == 0) {
      // A fresh snapshot swapped in, then only the engine holds it.
      pgrest_catalog* fresh = load(kSmallCatalog);
      check(fresh != nullptr && pgrest_engine_swap_catalog(engine, fresh) == PGREST_OK,
            "swap fresh");
      pgrest_catalog_destroy(fresh);
    }
  }
  waiter.join();

  pgrest_result_destroy(shared);
  pgrest_engine_destroy(engine);
  pgrest_catalog_destroy(small);
  pgrest_catalog_destroy(full);
  int passed = 0;
  int failed = 0;
  for (const auto& [name, failed_once] : checks) ++(failed_once ? failed : passed);
  std::printf("%d swaps, %d rounds in %d threads\n%d passed, %d failed\n", swaps, rounds, kThreads,
              passed, failed);
  return failed == 0 ? 0 : 1;
}
