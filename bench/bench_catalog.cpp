// Catalog scale: what a snapshot reload costs for large schemas, and what a large catalog
// costs a request.
//
//   catalog/load/N                  load_catalog_json on the snapshot of N synthetic tables
//                                   (10 columns, 1 foreign key each), finalize included
//   catalog/finalize/N              Catalog::finalize alone on the same catalog
//   catalog/finalize-junctions/N    finalize on N tables with 2 foreign keys each plus N/10
//                                   junction tables (many-to-many pairs)
//   catalog/load-cold/N,            the same two from fresh pages with empty caches (free
//   catalog/finalize-cold/N         heap returned to the system, 1 GiB streamed, untimed):
//                                   what a reload in a busy server meets at any size. Back
//                                   to back, a 10k build reuses the previous iteration's
//                                   pages and cache lines and a 100k one (240 MB) cannot
//   translate/C/catalog10k          class C (bench_translate.cpp) against the sample catalog
//                                   plus 10,000 synthetic tables
//
// Counters, measured once before the timed loop (binary prefixes: 1M = 1024 * 1024 bytes):
//   catalog_bytes   heap the built catalog holds: glibc mallinfo2 in-use bytes after the
//                   build minus before, so malloc's chunk overhead counts too
//   finalize_bytes  (finalize) the part of it that finalize() adds: lookups, relationships
//   peak_rss        (load) growth of the process's peak resident set during one load, the
//                   snapshot copy and the JSON parser's buffers included
//   json_bytes      (load) size of the snapshot
// and the catalog's shape: tables, columns, foreign_keys, relationships. The loop times the
// build only: the catalog is copied (finalize) and destroyed outside the timing.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "pgrest/catalog.hpp"
#include "pgrest/engine.hpp"

#ifndef PGREST_SOURCE_ROOT
#define PGREST_SOURCE_ROOT "."
#endif

namespace {

// Heap bytes in use (all arenas, mmapped chunks included).
int64_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

// A line of /proc/self/status in kB ("VmRSS", "VmHWM"), -1 when unreadable.
int64_t status_kb(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() &&
        line[field.size()] == ':') {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return -1;
}

// Resets the peak resident set to the current one (Linux: clear_refs "5"), after handing
// freed heap back to the kernel so that the build has to fault in fresh pages.
bool reset_peak_rss() {
  malloc_trim(0);
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// The ten columns of every synthetic table, as `bench/introspect_scale.sh` creates them.
struct ColumnShape {
  const char* name;
  const char* type;
  uint32_t oid;
  bool nullable;
  const char* default_expr;
};
constexpr ColumnShape kColumns[] = {
    {"id", "bigint", 20, false, nullptr},
    {"parent_id", "bigint", 20, true, nullptr},
    {"name", "text", 25, false, nullptr},
    {"description", "text", 25, true, nullptr},
    {"status", "character varying(20)", 1043, false, "'active'::character varying"},
    {"amount", "numeric(12,2)", 1700, true, nullptr},
    {"quantity", "integer", 23, false, "0"},
    {"flags", "boolean", 16, false, "false"},
    {"metadata", "jsonb", 3802, true, nullptr},
    {"created_at", "timestamp with time zone", 1184, false, "now()"},
};

std::string base_type(std::string_view type) {
  return std::string(type.substr(0, type.find('(')));
}

// Appends `tables` tables named prefix0..prefixN-1 in `schema`: 10 columns and one foreign
// key each (parent_id to another of them, spread pseudo-randomly).
void add_synthetic_tables(pgrest::Catalog& catalog, const std::string& schema,
                          const std::string& prefix, size_t tables) {
  catalog.relations.reserve(catalog.relations.size() + tables);
  catalog.foreign_keys.reserve(catalog.foreign_keys.size() + tables);
  for (size_t t = 0; t < tables; ++t) {
    pgrest::Relation& relation = catalog.relations.emplace_back();
    relation.schema = schema;
    relation.name = prefix + std::to_string(t);
    for (const ColumnShape& shape : kColumns) {
      pgrest::Column& column = relation.columns.emplace_back();
      column.name = shape.name;
      column.type = shape.type;
      column.base_type = base_type(shape.type);
      column.type_oid = shape.oid;
      column.nullable = shape.nullable;
      if (shape.default_expr) column.default_expr = shape.default_expr;
      column.identity = column.name == "id";
    }
    relation.primary_key = {"id"};
    pgrest::ForeignKey& key = catalog.foreign_keys.emplace_back();
    key.name = relation.name + "_parent_id_fkey";
    key.schema = key.ref_schema = schema;
    key.table = relation.name;
    key.columns = {"parent_id"};
    key.ref_table = prefix + std::to_string((t * 7919 + 1) % tables);
    key.ref_columns = {"id"};
  }
}

pgrest::Catalog synthetic_catalog(size_t tables) {
  pgrest::Catalog catalog;
  catalog.schemas = {"public"};
  catalog.roles = {"anon", "authenticated", "authenticator"};
  add_synthetic_tables(catalog, "public", "table_", tables);
  return catalog;
}

// The earlier shape: two foreign keys per table and N/10 junction tables whose primary
// key covers two foreign keys, so finalize also derives many-to-many pairs.
pgrest::Catalog synthetic_catalog_with_junctions(size_t tables) {
  pgrest::Catalog catalog;
  catalog.schemas = {"public"};
  catalog.relations.reserve(tables + tables / 10);
  for (size_t t = 0; t < tables; ++t) {
    pgrest::Relation& relation = catalog.relations.emplace_back();
    relation.schema = "public";
    relation.name = "table_" + std::to_string(t);
    for (int c = 0; c < 10; ++c) {
      pgrest::Column& column = relation.columns.emplace_back();
      column.name = c == 0 ? "id" : c == 1 ? "parent_id" : "column_" + std::to_string(c);
      column.type = column.base_type = "integer";
    }
    relation.primary_key = {"id"};
    for (const char* column : {"parent_id", "column_2"}) {
      pgrest::ForeignKey& key = catalog.foreign_keys.emplace_back();
      key.name = relation.name + "_" + column + "_fkey";
      key.schema = key.ref_schema = "public";
      key.table = relation.name;
      key.columns = {column};
      key.ref_table =
          "table_" + std::to_string((t * 7919 + (column[0] == 'p' ? 1 : 104729)) % tables);
      key.ref_columns = {"id"};
    }
  }
  for (size_t j = 0; j < tables / 10; ++j) {
    pgrest::Relation& junction = catalog.relations.emplace_back();
    junction.schema = "public";
    junction.name = "junction_" + std::to_string(j);
    for (const char* name : {"a_id", "b_id"}) {
      pgrest::Column& column = junction.columns.emplace_back();
      column.name = name;
      column.type = column.base_type = "integer";
    }
    junction.primary_key = {"a_id", "b_id"};
    for (const char* name : {"a_id", "b_id"}) {
      pgrest::ForeignKey& key = catalog.foreign_keys.emplace_back();
      key.name = junction.name + "_" + name + "_fkey";
      key.schema = key.ref_schema = "public";
      key.table = junction.name;
      key.columns = {name};
      key.ref_table = "table_" + std::to_string((j * 31 + (name[0] == 'a' ? 0 : 1)) % tables);
      key.ref_columns = {"id"};
    }
  }
  return catalog;
}

void report_shape(benchmark::State& state, const pgrest::Catalog& catalog) {
  size_t columns = 0;
  for (const pgrest::Relation& relation : catalog.relations) columns += relation.columns.size();
  state.counters["tables"] = static_cast<double>(catalog.relations.size());
  state.counters["columns"] = static_cast<double>(columns);
  state.counters["foreign_keys"] = static_cast<double>(catalog.foreign_keys.size());
  state.counters["relationships"] = static_cast<double>(catalog.relationships.size());
}

void set_bytes(benchmark::State& state, const char* name, int64_t bytes) {
  state.counters[name] = benchmark::Counter(
      static_cast<double>(bytes), benchmark::Counter::kDefaults, benchmark::Counter::OneK::kIs1024);
}

// Returns the heap's free memory to the system and streams 1 GiB through the caches, so
// that the build that follows meets what a fresh load meets at any size: memory not in
// cache, and pages that must be faulted in. (Otherwise glibc hands a 10k build the pages
// the previous iteration freed, while a 100k build's blocks are above its mmap threshold
// and are returned and faulted in again every time.) 1 GiB is far more than the
// last-level cache of any machine this runs on (the VM reports 480 MiB).
void evict_caches() {
  malloc_trim(0);
  static std::vector<uint64_t> buffer(size_t{1} << 27, 1);  // 1 GiB, faulted in once
  uint64_t sum = 0;
  for (size_t i = 0; i < buffer.size(); i += 8) sum += buffer[i];  // one read per line
  benchmark::DoNotOptimize(sum);
}

void bm_catalog_load(benchmark::State& state, bool cold) {
  const std::string json =
      pgrest::write_catalog_json(synthetic_catalog(static_cast<size_t>(state.range(0))));
  std::string error;
  // Measured once, before the timed loop: heap held by the result and the peak RSS growth.
  const bool peak_known = reset_peak_rss();
  const int64_t rss_before = status_kb("VmRSS");
  const int64_t heap_before = heap_in_use();
  std::shared_ptr<const pgrest::Catalog> catalog = pgrest::load_catalog_json(json, &error);
  const int64_t heap_after = heap_in_use();
  const int64_t peak = status_kb("VmHWM");
  if (!catalog) {
    state.SkipWithError(error.c_str());
    return;
  }
  report_shape(state, *catalog);
  set_bytes(state, "catalog_bytes", heap_after - heap_before);
  if (peak_known && peak >= 0 && rss_before >= 0) {
    set_bytes(state, "peak_rss", (peak - rss_before) * 1024);
  }
  set_bytes(state, "json_bytes", static_cast<int64_t>(json.size()));
  catalog.reset();
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      evict_caches();
      state.ResumeTiming();
    }
    catalog = pgrest::load_catalog_json(json, &error);
    benchmark::DoNotOptimize(catalog.get());
    state.PauseTiming();
    catalog.reset();  // destroy outside the timing
    state.ResumeTiming();
  }
}

void bm_finalize(benchmark::State& state, pgrest::Catalog (*make)(size_t), bool cold) {
  const pgrest::Catalog prototype = make(static_cast<size_t>(state.range(0)));
  {
    pgrest::Catalog catalog = prototype;
    const int64_t before = heap_in_use();
    catalog.finalize();
    const int64_t finalize_bytes = heap_in_use() - before;
    report_shape(state, catalog);
    set_bytes(state, "finalize_bytes", finalize_bytes);
    catalog = pgrest::Catalog();
    const int64_t empty = heap_in_use();
    catalog = prototype;
    catalog.finalize();
    set_bytes(state, "catalog_bytes", heap_in_use() - empty);
  }
  for (auto _ : state) {
    state.PauseTiming();
    pgrest::Catalog catalog = prototype;
    if (cold) evict_caches();
    state.ResumeTiming();
    catalog.finalize();
    benchmark::DoNotOptimize(catalog.relationships.data());
    state.PauseTiming();
    {
      pgrest::Catalog discard = std::move(catalog);  // destroy outside the timing
    }
    state.ResumeTiming();
  }
}

// ---------------------------------------------------------------------------------------
// Class C against a large catalog. The request and its checks are bench_translate.cpp's
// kComplex (copied: that file has its own owner).

constexpr const char* kComplexPath = "/films";
constexpr const char* kComplexQuery =
    "select=id%2Ctitle%2Croles%28character%2Cactors%28name%29%29&year=gt.2000"
    "&title=ilike.*the*&or=%28rating.gte.8%2Cand%28votes.lt.100%2Cyear.lt.1990%29%29"
    "&order=year.desc.nullslast&limit=25";
constexpr std::string_view kComplexFragments[] = {
    R"(left join lateral (select json_agg("films_roles_1")::jsonb as "films_roles_1")",
    R"(row_to_json("roles_actors_2".*)::jsonb as "actors")",
    R"(where "public"."films"."year" > $)",
    R"( and "public"."films"."title" ilike $)",
    R"( and ("public"."films"."rating" >= $)",
    R"(order by "public"."films"."year" desc nulls last limit $)",
};
constexpr std::string_view kComplexParams[] = {"2000", "%the%", "8", "100", "1990", "25"};

std::string check_complex(const pgrest::Result& result) {
  if (!result.ok()) {
    const pgrest::Error& e = result.error();
    return "class C refused: " + std::to_string(e.status) + " " + e.code + " " + e.message;
  }
  const pgrest::Statement& query = result.translation().query;
  for (std::string_view fragment : kComplexFragments) {
    if (query.sql.find(fragment) == std::string::npos) {
      return "class C: SQL lacks `" + std::string(fragment) + "`: " + query.sql;
    }
  }
  for (std::string_view param : kComplexParams) {
    const bool found = std::any_of(query.params.begin(), query.params.end(),
                                   [&](const pgrest::Param& p) { return p && *p == param; });
    if (!found) return "class C: no parameter `" + std::string(param) + "`";
  }
  return {};
}

// The sample catalog plus `extra` synthetic tables in its "public" schema, so the hashed
// lookups of films, roles and actors share their tables with them.
std::shared_ptr<const pgrest::Catalog> large_sample_catalog(size_t extra, std::string* error) {
  const std::string path = PGREST_SOURCE_ROOT "/examples/sample-catalog.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto sample = pgrest::load_catalog_json(text.str(), error);
  if (!sample) return nullptr;
  auto catalog = std::make_shared<pgrest::Catalog>(*sample);
  add_synthetic_tables(*catalog, "public", "synthetic_", extra);
  catalog->finalize();  // rebuilds every lookup, so none points into `sample`
  return catalog;
}

void bm_translate_large_catalog(benchmark::State& state) {
  std::string error;
  const auto catalog = large_sample_catalog(10000, &error);
  if (!catalog) {
    state.SkipWithError(error.c_str());
    return;
  }
  const pgrest::Engine engine(catalog, pgrest::Config{});
  pgrest::Request request;
  request.method = "GET";
  request.path = kComplexPath;
  request.query = kComplexQuery;
  const std::string problem = check_complex(engine.translate(request));
  if (!problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  for (auto _ : state) {
    pgrest::Result result = engine.translate(request);
    benchmark::DoNotOptimize(result);
  }
  state.counters["tables"] = static_cast<double>(catalog->relations.size());
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(bm_catalog_load, warm, false)
    ->Name("catalog/load")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(bm_finalize, plain, synthetic_catalog, false)
    ->Name("catalog/finalize")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

// A fixed number of iterations: each one streams 1 GiB first.
BENCHMARK_CAPTURE(bm_catalog_load, cold, true)
    ->Name("catalog/load-cold")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(8)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(bm_finalize, cold, synthetic_catalog, true)
    ->Name("catalog/finalize-cold")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(16)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(bm_finalize, junctions, synthetic_catalog_with_junctions, false)
    ->Name("catalog/finalize-junctions")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(bm_translate_large_catalog)->Name("translate/C/catalog10k");

}  // namespace
