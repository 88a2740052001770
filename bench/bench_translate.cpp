// pgrest-bench: how long a translation takes, how much it allocates, and how its latency
// is distributed. Three request classes, percent-encoded as @supabase/postgrest-js sends
// them, translated against the bundled sample catalog (examples/sample-catalog.json):
//
//   S  GET /users?id=eq.1
//   M  GET /users?select=id,name,email&age=gte.18&status=in.(active,pending)
//             &order=created_at.desc&limit=10&offset=20
//   C  GET /films?select=id,title,year,rating,metadata->>lang&year=gt.2000&title=ilike.*the*
//             &or=(rating.gte.8,and(votes.lt.100,year.lt.1990))&order=year.desc.nullslast
//             &limit=25
//
// Families (see bench/README.md):
//   translate/{S,M,C}          Engine::translate end to end
//   translate/C/threads        the same, two threads sharing one Engine
//   translator/{S,M,C}         pgrest::Translator::translate, reusing its buffers (one
//                              Translator per thread, as a host's worker would hold)
//   decode/{M,C}               decode::decode_query_string
//   parse/{M,C}                parse::parse_query on the already decoded parameters
//   parse+resolve+emit/{M,C}   parse, resolve and emit (an ast::Query is move-only and
//                              resolve consumes it, so resolve+emit cannot be timed alone
//                              without re-parsing)
//   emit/{S,M,C}               emit_prelude + emit_read on a plan resolved once
//   latency/{S,M,C}            Engine::translate timed one call at a time: p50_ns, p99_ns
//   latency/translator/{S,M,C} the same through a Translator
//   anchor/pg_parse/{S,M,C}    PostgreSQL's own parser (libpg_query's raw_parser, no JSON
//                              output) parsing the statement we emitted; counters give
//                              translate_ns and translate/parse
//   threads/swapping/N         N threads translating C against one Engine while another
//                              thread swaps its catalog continuously
//
// Every benchmark reports allocs_per_op and bytes_per_op: calls to the global operator new
// (replaced below) made during the timed loop, divided by the iterations.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <pg_query.h>

#include "common/arena.hpp"
#include "decode/query_string.hpp"
#include "emit/emit.hpp"
#include "parse/parse.hpp"
#include "pgrest/catalog.hpp"
#include "pgrest/engine.hpp"
#include "resolve/resolve.hpp"

#ifndef PGREST_SOURCE_ROOT
#define PGREST_SOURCE_ROOT "."
#endif

// libpg_query's raw parse: PostgreSQL's grammar producing its parse tree, without the JSON
// or protobuf serialisation pg_query_parse() adds. Declared here because its header
// (pg_query_internal.h) needs PostgreSQL's server headers; the bench links the static
// library, which exports it.
extern "C" {
struct PgRawParseResult {
  void* tree;
  char* stderr_buffer;
  PgQueryError* error;
};
PgRawParseResult pg_query_raw_parse(const char* input);
void* pg_query_enter_memory_context();
void pg_query_exit_memory_context(void* context);
}

// ---------------------------------------------------------------------------------------
// Heap allocation counting: every form of the global operator new is replaced and counts
// into thread-local counters, so concurrent benchmark threads each see their own.

namespace {

thread_local constinit uint64_t t_alloc_count = 0;
thread_local constinit uint64_t t_alloc_bytes = 0;

void* counted_alloc(std::size_t size) {
  ++t_alloc_count;
  t_alloc_bytes += size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* counted_alloc(std::size_t size, std::align_val_t align) {
  ++t_alloc_count;
  t_alloc_bytes += size;
  const auto alignment = static_cast<std::size_t>(align);
  // aligned_alloc wants the size to be a multiple of the alignment.
  const std::size_t rounded =
      size == 0 ? alignment : (size + alignment - 1) / alignment * alignment;
  if (void* p = std::aligned_alloc(alignment, rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) {
  return counted_alloc(size);
}
void* operator new[](std::size_t size) {
  return counted_alloc(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  return counted_alloc(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return counted_alloc(size, align);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size, align);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(size, align);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace {

struct AllocSnapshot {
  uint64_t count = t_alloc_count;
  uint64_t bytes = t_alloc_bytes;
};

// Reports the allocations made since `before` (taken just ahead of the timed loop) per
// iteration. kAvgThreads: each thread counts its own, the report is their mean.
void report_allocs(benchmark::State& state, const AllocSnapshot& before) {
  const AllocSnapshot after;
  if (state.iterations() == 0) return;
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["allocs_per_op"] =
      benchmark::Counter(static_cast<double>(after.count - before.count) / iterations,
                         benchmark::Counter::kAvgThreads);
  state.counters["bytes_per_op"] =
      benchmark::Counter(static_cast<double>(after.bytes - before.bytes) / iterations,
                         benchmark::Counter::kAvgThreads, benchmark::Counter::OneK::kIs1024);
}

// ---------------------------------------------------------------------------------------
// The shared fixture: the sample catalog and one Engine with the default Config.

struct Fixture {
  std::shared_ptr<const pgrest::Catalog> catalog;
  pgrest::Config config;
  std::unique_ptr<pgrest::Engine> engine;
  pgrest::resolve::ClaimPath role_claim;
  std::string error;  // non-empty when the fixture could not be built
};

const Fixture& fixture() {
  static const Fixture instance = [] {
    Fixture f;
    const std::string path = PGREST_SOURCE_ROOT "/examples/sample-catalog.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      f.error = "cannot open " + path;
      return f;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string load_error;
    f.catalog = pgrest::load_catalog_json(text.str(), &load_error);
    if (!f.catalog) {
      f.error = "cannot load " + path + ": " + load_error;
      return f;
    }
    f.engine = std::make_unique<pgrest::Engine>(f.catalog, f.config);
    auto claim = pgrest::resolve::parse_claim_path(f.config.role_claim_key);
    if (!claim) {
      f.error = "cannot parse role_claim_key " + f.config.role_claim_key;
      return f;
    }
    f.role_claim = std::move(*claim);
    return f;
  }();
  return instance;
}

// ---------------------------------------------------------------------------------------
// The request classes and what their translation must contain.

struct Case {
  const char* name;
  const char* path;
  const char* query;  // percent-encoded as URLSearchParams (postgrest-js) encodes it
  std::vector<std::string_view> sql_fragments;
  std::vector<std::string_view> params;  // each must be among the query's parameters
};

const Case kSmall{
    "S", "/users", "id=eq.1", {R"(from "public"."users" where "public"."users"."id" = $1)"}, {"1"},
};

const Case kMedium{
    "M",
    "/users",
    "select=id%2Cname%2Cemail&age=gte.18&status=in.%28active%2Cpending%29"
    "&order=created_at.desc&limit=10&offset=20",
    {
        R"(select "public"."users"."id", "public"."users"."name", "public"."users"."email")",
        R"("public"."users"."email" from "public"."users" where )",
        R"("public"."users"."age" >= $)",
        R"("public"."users"."status" = any($)",
        R"(order by "public"."users"."created_at" desc limit $)",
        " offset $",
    },
    {"18", R"({"active","pending"})", "10", "20"},
};

// The issue's class C: a two-level embed, a pattern filter and a nested logic tree.
const Case kComplex{
    "C",
    "/films",
    "select=id%2Ctitle%2Croles%28character%2Cactors%28name%29%29&year=gt.2000"
    "&title=ilike.*the*&or=%28rating.gte.8%2Cand%28votes.lt.100%2Cyear.lt.1990%29%29"
    "&order=year.desc.nullslast&limit=25",
    {
        R"(left join lateral (select json_agg("films_roles_1")::jsonb as "films_roles_1")",
        R"(row_to_json("roles_actors_2".*)::jsonb as "actors")",
        R"(where "public"."films"."year" > $)",
        R"( and "public"."films"."title" ilike $)",
        R"( and ("public"."films"."rating" >= $)",
        R"(order by "public"."films"."year" desc nulls last limit $)",
    },
    {"2000", "%the%", "8", "100", "1990", "25"},
};

pgrest::Request make_request(const Case& c) {
  pgrest::Request request;
  request.method = "GET";
  request.path = c.path;
  request.query = c.query;
  return request;
}

// Empty when `result` is the translation `c` expects, else what is wrong with it.
std::string check(const Case& c, const pgrest::Result& result) {
  if (!result.ok()) {
    const pgrest::Error& e = result.error();
    return std::string("class ") + c.name + " refused: " + std::to_string(e.status) + " " + e.code +
           " " + e.message + (e.details ? " (" + *e.details + ")" : "");
  }
  const pgrest::Statement& query = result.translation().query;
  for (std::string_view fragment : c.sql_fragments) {
    if (query.sql.find(fragment) == std::string::npos) {
      return std::string("class ") + c.name + ": SQL lacks `" + std::string(fragment) +
             "`: " + query.sql;
    }
  }
  for (std::string_view param : c.params) {
    const bool found = std::any_of(query.params.begin(), query.params.end(),
                                   [&](const pgrest::Param& p) { return p && *p == param; });
    if (!found)
      return std::string("class ") + c.name + ": no parameter `" + std::string(param) + "`";
  }
  return {};
}

// Skips the benchmark (returns false) when the fixture is broken or `c` does not translate
// as expected.
bool ready(benchmark::State& state, const Case& c) {
  const Fixture& f = fixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return false;
  }
  const std::string problem = check(c, f.engine->translate(make_request(c)));
  if (!problem.empty()) {
    state.SkipWithError(problem.c_str());
    return false;
  }
  return true;
}

// parse, resolve and emit as Engine::translate runs them for a read, on decoded parameters.
pgrest::Result parse_resolve_emit(const Fixture& f, const pgrest::Request& request,
                                  const pgrest::decode::Target& target,
                                  const pgrest::arena::Vector<pgrest::decode::QueryParam>& params) {
  auto query = pgrest::parse::parse_query(params, f.config.limits);
  if (!query) return std::move(query.error());
  auto read = pgrest::resolve::resolve_read(*f.catalog, f.config, f.role_claim, request, target,
                                            std::move(*query));
  if (!read) return std::move(read.error());
  pgrest::Translation translation;
  translation.media_type = read->media_type;
  translation.singular = read->format == pgrest::plan::OutputFormat::json_object;
  translation.prelude = pgrest::emit::emit_prelude(read->context);
  pgrest::emit::emit_read(*read, f.config, translation);
  return translation;
}

// ---------------------------------------------------------------------------------------
// Benchmarks.

void bm_translate(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  const pgrest::Engine& engine = *fixture().engine;
  const pgrest::Request request = make_request(*c);
  const AllocSnapshot before;
  for (auto _ : state) {
    pgrest::Result result = engine.translate(request);
    benchmark::DoNotOptimize(result);
  }
  report_allocs(state, before);
  state.SetItemsProcessed(state.iterations());
}

// The same through a Translator, as a host translating on one thread in a loop does: the
// previous result's buffers and the read's syntax tree and plan are reused.
void bm_translator(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  pgrest::Translator translator(*fixture().engine);
  const pgrest::Request request = make_request(*c);
  const std::string problem = check(*c, translator.translate(request));
  if (!problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  const AllocSnapshot before;
  for (auto _ : state) {
    const pgrest::Result& result = translator.translate(request);
    benchmark::DoNotOptimize(&result);
  }
  report_allocs(state, before);
  state.SetItemsProcessed(state.iterations());
}

void bm_decode(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  const size_t max_params = fixture().config.limits.max_query_params;
  const std::string_view raw = c->query;
  const AllocSnapshot before;
  for (auto _ : state) {
    const pgrest::arena::Scope scope;  // as Engine::translate opens one
    auto params = pgrest::decode::decode_query_string(raw, max_params);
    benchmark::DoNotOptimize(params);
  }
  report_allocs(state, before);
}

void bm_parse(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  const pgrest::Limits& limits = fixture().config.limits;
  auto params =
      pgrest::decode::decode_query_string(c->query, fixture().config.limits.max_query_params);
  if (!params) {
    state.SkipWithError(params.error().message.c_str());
    return;
  }
  const AllocSnapshot before;
  for (auto _ : state) {
    const pgrest::arena::Scope scope;
    auto query = pgrest::parse::parse_query(*params, limits);
    benchmark::DoNotOptimize(query);
  }
  report_allocs(state, before);
}

void bm_parse_resolve_emit(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  const Fixture& f = fixture();
  const pgrest::Request request = make_request(*c);
  auto target = pgrest::decode::decode_path(request.path);
  auto params =
      pgrest::decode::decode_query_string(request.query, f.config.limits.max_query_params);
  if (!target || !params) {
    state.SkipWithError("cannot decode the request");
    return;
  }
  const std::string problem = check(*c, parse_resolve_emit(f, request, *target, *params));
  if (!problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  const AllocSnapshot before;
  for (auto _ : state) {
    pgrest::Result result = [&] {
      const pgrest::arena::Scope scope;
      return parse_resolve_emit(f, request, *target, *params);
    }();
    benchmark::DoNotOptimize(result);
  }
  report_allocs(state, before);
}

// One steady_clock reading either side of every call (the result's destruction included,
// as in translate/). The reported time is the mean of those samples, so it carries the
// clock's own overhead (a few tens of ns).
template <bool kReuse>
void bm_latency(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  using Clock = std::chrono::steady_clock;
  const pgrest::Engine& engine = *fixture().engine;
  pgrest::Translator translator(engine);
  const pgrest::Request request = make_request(*c);
  if (kReuse) (void)translator.translate(request);  // grow the buffers once
  std::vector<int64_t> samples;
  samples.reserve(static_cast<size_t>(state.max_iterations));
  const AllocSnapshot before;
  for (auto _ : state) {
    const Clock::time_point start = Clock::now();
    if constexpr (kReuse) {
      const pgrest::Result& result = translator.translate(request);
      benchmark::DoNotOptimize(&result);
    } else {
      pgrest::Result result = engine.translate(request);
      benchmark::DoNotOptimize(result);
    }
    const Clock::duration elapsed = Clock::now() - start;
    samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
  }
  report_allocs(state, before);
  if (samples.empty()) return;
  std::sort(samples.begin(), samples.end());
  const auto at = [&](size_t percent) {
    return static_cast<double>(samples[(samples.size() - 1) * percent / 100]);
  };
  state.counters["p50_ns"] = at(50);
  state.counters["p99_ns"] = at(99);
}

// emit alone: the plan is resolved once, then emitted again and again (emit only reads it).
void bm_emit(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  const Fixture& f = fixture();
  const pgrest::Request request = make_request(*c);
  auto target = pgrest::decode::decode_path(request.path);
  auto params =
      pgrest::decode::decode_query_string(request.query, f.config.limits.max_query_params);
  if (!target || !params) {
    state.SkipWithError("cannot decode the request");
    return;
  }
  auto query = pgrest::parse::parse_query(*params, f.config.limits);
  if (!query) {
    state.SkipWithError(query.error().message.c_str());
    return;
  }
  auto read = pgrest::resolve::resolve_read(*f.catalog, f.config, f.role_claim, request, *target,
                                            std::move(*query));
  if (!read) {
    state.SkipWithError(read.error().message.c_str());
    return;
  }
  const AllocSnapshot before;
  for (auto _ : state) {
    pgrest::Translation translation;
    translation.prelude = pgrest::emit::emit_prelude(read->context);
    pgrest::emit::emit_read(*read, f.config, translation);
    benchmark::DoNotOptimize(translation);
  }
  report_allocs(state, before);
}

// The same-run anchor: PostgreSQL's parser on the main statement we emit for `c`. After
// the timed loop, the same number of translations is timed too, so the ratio compares
// two measurements taken moments apart under the same machine load.
void bm_pg_parse(benchmark::State& state, const Case* c) {
  if (!ready(state, *c)) return;
  const pgrest::Engine& engine = *fixture().engine;
  const pgrest::Request request = make_request(*c);
  const pgrest::Result result = engine.translate(request);
  const std::string sql = result.translation().query.sql;
  {
    void* context = pg_query_enter_memory_context();
    const PgRawParseResult parsed = pg_query_raw_parse(sql.c_str());
    const bool failed = parsed.error != nullptr;
    pg_query_exit_memory_context(context);
    if (failed) {
      state.SkipWithError("PostgreSQL's parser refuses the emitted SQL");
      return;
    }
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point parse_start = Clock::now();
  for (auto _ : state) {
    void* context = pg_query_enter_memory_context();
    const PgRawParseResult parsed = pg_query_raw_parse(sql.c_str());
    benchmark::DoNotOptimize(parsed.tree);
    pg_query_exit_memory_context(context);
  }
  const double parse_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - parse_start).count() /
      static_cast<double>(state.iterations());
  const Clock::time_point translate_start = Clock::now();
  for (benchmark::IterationCount i = 0; i < state.iterations(); ++i) {
    pgrest::Result translated = engine.translate(request);
    benchmark::DoNotOptimize(translated);
  }
  const double translate_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - translate_start).count() /
      static_cast<double>(state.iterations());
  state.counters["sql_bytes"] = static_cast<double>(sql.size());
  state.counters["pg_parse_ns"] = parse_ns;
  state.counters["translate_ns"] = translate_ns;
  state.counters["translate/parse"] = translate_ns / parse_ns;
}

// N threads translate class C against one Engine while another thread keeps swapping its
// catalog between two snapshots, as a host reloading the schema cache does. Reports wall
// time per translation across all threads, and how many swaps happened meanwhile.
void bm_threads_swapping(benchmark::State& state) {
  if (!ready(state, kComplex)) return;
  const Fixture& f = fixture();
  const auto threads = static_cast<size_t>(state.range(0));
  constexpr size_t kPerThread = 50000;
  // A second snapshot, equal in content, so every translation still checks out.
  const auto other = std::make_shared<const pgrest::Catalog>(*f.catalog);
  pgrest::Engine engine(f.catalog, f.config);
  const pgrest::Request request = make_request(kComplex);
  for (auto _ : state) {
    std::atomic<bool> done{false};
    std::atomic<size_t> failures{0};
    size_t swaps = 0;
    const auto start = std::chrono::steady_clock::now();
    std::thread swapper([&] {
      while (!done.load(std::memory_order_relaxed)) {
        engine.swap_catalog(swaps % 2 == 0 ? other : f.catalog);
        ++swaps;
        std::this_thread::yield();
      }
    });
    std::vector<std::thread> workers;
    for (size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (size_t i = 0; i < kPerThread; ++i) {
          const pgrest::Result result = engine.translate(request);
          if (!result.ok()) failures.fetch_add(1);
        }
      });
    }
    for (auto& worker : workers) worker.join();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    done = true;
    swapper.join();
    if (failures.load() != 0) {
      state.SkipWithError("a translation failed while the catalog was being swapped");
      return;
    }
    const double operations = static_cast<double>(threads * kPerThread);
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
    state.counters["wall_ns_per_op"] =
        std::chrono::duration<double, std::nano>(elapsed).count() / operations;
    state.counters["translations_per_second"] =
        operations / std::chrono::duration<double>(elapsed).count();
    state.counters["swaps"] = static_cast<double>(swaps);
  }
}

void register_benchmarks() {
  const Case* const all[] = {&kSmall, &kMedium, &kComplex};
  const Case* const staged[] = {&kSmall, &kMedium, &kComplex};
  for (const Case* c : all) {
    benchmark::RegisterBenchmark(("translate/" + std::string(c->name)).c_str(), bm_translate, c);
  }
  for (const Case* c : all) {
    benchmark::RegisterBenchmark(("translator/" + std::string(c->name)).c_str(), bm_translator, c);
  }
  benchmark::RegisterBenchmark("translate/C/threads", bm_translate, &kComplex)
      ->Threads(2)
      ->UseRealTime();
  for (const Case* c : staged) {
    benchmark::RegisterBenchmark(("decode/" + std::string(c->name)).c_str(), bm_decode, c);
    benchmark::RegisterBenchmark(("parse/" + std::string(c->name)).c_str(), bm_parse, c);
    benchmark::RegisterBenchmark(("parse+resolve+emit/" + std::string(c->name)).c_str(),
                                 bm_parse_resolve_emit, c);
    benchmark::RegisterBenchmark(("emit/" + std::string(c->name)).c_str(), bm_emit, c);
  }
  for (const Case* c : all) {
    benchmark::RegisterBenchmark(("latency/" + std::string(c->name)).c_str(), bm_latency<false>, c)
        ->Iterations(200000)
        ->UseManualTime();
  }
  for (const Case* c : all) {
    benchmark::RegisterBenchmark(("latency/translator/" + std::string(c->name)).c_str(),
                                 bm_latency<true>, c)
        ->Iterations(200000)
        ->UseManualTime();
  }
  for (const Case* c : all) {
    benchmark::RegisterBenchmark(("anchor/pg_parse/" + std::string(c->name)).c_str(), bm_pg_parse,
                                 c);
  }
  benchmark::RegisterBenchmark("threads/swapping", bm_threads_swapping)
      ->Arg(1)
      ->Arg(2)
      ->Arg(4)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
