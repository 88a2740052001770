// Translator reuses its buffers from one request to the next; its results must be exactly
// Engine::translate's whatever came before (no state may leak from one request into the
// next), and a plain read must stop allocating once the buffers have grown.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>
#include <thread>

#include "pgrest/engine.hpp"

// Counts this thread's calls to the global operator new, to check the steady state.
namespace {
thread_local size_t t_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}

namespace pgrest {
namespace {

std::shared_ptr<const Catalog> catalog() {
  static const std::shared_ptr<const Catalog> loaded = [] {
    std::ifstream file(std::string(PGREST_SOURCE_ROOT) + "/examples/sample-catalog.json");
    std::stringstream text;
    text << file.rdbuf();
    std::string error;
    auto snapshot = load_catalog_json(text.str(), &error);
    EXPECT_NE(snapshot, nullptr) << error;
    return snapshot;
  }();
  return loaded;
}

Request request(std::string method, std::string path, std::string query,
                std::vector<std::pair<std::string, std::string>> headers = {},
                std::optional<std::string> body = std::nullopt,
                std::optional<std::string> claims = std::nullopt) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.claims_json = std::move(claims);
  return r;
}

// Reads of every shape (each sets different fields of the plan and the translation),
// refusals at every stage, and the requests Translator hands to Engine::translate.
std::vector<Request> varied_requests() {
  return {
      request("GET", "/users", "id=eq.1"),
      request("GET", "/users",
              "select=id,name,email&age=gte.18&status=in.(active,pending)&order=created_at.desc"
              "&limit=10&offset=20"),
      request("GET", "/films",
              "select=id,title,roles(character,actors(name))&year=gt.2000&title=ilike.*the*"
              "&or=(rating.gte.8,and(votes.lt.100,year.lt.1990))&order=year.desc.nullslast"
              "&limit=25"),
      request("GET", "/films", "select=id&limit=2", {{"Prefer", "count=exact"}}),
      request("GET", "/films", "select=id", {{"Prefer", "count=planned"}}),
      request("GET", "/films", "select=id&limit=1", {{"Prefer", "count=estimated"}}),
      request("GET", "/films", "select=id,title", {{"Accept", "text/csv"}}),
      request("GET", "/films", "id=eq.1", {{"Accept", "application/vnd.pgrst.object+json"}}),
      request("HEAD", "/films", "select=id"),
      request("GET", "/films", "select=id", {{"Range", "0-4"}}),
      request("GET", "/films", "select=id,metadata->>lang,t:tags->0&id=eq.2"),
      request("GET", "/films", "select=nope"),
      request("GET", "/films", "select=id,,title"),
      request("GET", "/nope", ""),
      request("GET", "/films", "", {{"Accept-Profile", "ai"}}),
      request("GET", "/films", "", {{"Accept", "image/png"}}),
      request("GET", "/users", "id=eq.1", {{"Cookie", "a=1; b=2"}, {"X-Trace", "abc"}}, {},
              R"({"role":"authenticated","sub":"u1","email":"someone@example.com"})"),
      request("GET", "/users", "id=eq.1", {}, {}, R"({"role":"nobody"})"),
      request("GET", "/users", "id=eq.1", {}, {}, "not json"),
      request("POST", "/directors", "", {}, R"({"id":9,"name":"x"})"),
      request("PATCH", "/directors", "id=eq.9", {}, R"({"name":"y"})"),
      request("GET", "/rpc/films_after", "min_year=1960"),
      request("GET", "/", ""),
      request("GET", "/users", "id=eq.%FF"),
  };
}

TEST(Translator, ResultsAreEngineResultsInAnyOrder) {
  Engine engine(catalog(), Config{});
  Translator translator(engine);
  const std::vector<Request> requests = varied_requests();
  std::vector<std::string> expected;
  for (const Request& r : requests) expected.push_back(result_to_json(engine.translate(r)));
  // Forwards, backwards, each twice in a row, and every pair: whatever the previous
  // request left in the buffers, the next result is the engine's.
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(result_to_json(translator.translate(requests[i])), expected[i]) << i;
  }
  for (size_t i = requests.size(); i-- > 0;) {
    EXPECT_EQ(result_to_json(translator.translate(requests[i])), expected[i]) << i;
    EXPECT_EQ(result_to_json(translator.translate(requests[i])), expected[i]) << i;
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    for (size_t j = 0; j < requests.size(); ++j) {
      (void)translator.translate(requests[i]);
      ASSERT_EQ(result_to_json(translator.translate(requests[j])), expected[j]) << i << "," << j;
    }
  }
}

TEST(Translator, PlainReadsStopAllocating) {
  Engine engine(catalog(), Config{});
  Translator translator(engine);
  const Request small = request("GET", "/users", "id=eq.1");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(translator.translate(small).ok());
  const size_t before = t_allocations;
  for (int i = 0; i < 100; ++i) {
    const Result& result = translator.translate(small);
    ASSERT_TRUE(result.ok());
  }
  EXPECT_EQ(t_allocations - before, 0u);
  // Engine::translate, for comparison, allocates for every result it returns.
  const size_t engine_before = t_allocations;
  (void)engine.translate(small);
  EXPECT_GT(t_allocations - engine_before, 0u);
  // The Accept values clients send most are negotiated without parsing the header: a
  // request carrying one allocates no more than with another header of the same sizes
  // (publishing the headers to the request context allocates either way).
  const auto steady_allocations = [&](const Request& r) {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(translator.translate(r).ok());
    const size_t start = t_allocations;
    EXPECT_TRUE(translator.translate(r).ok());
    return t_allocations - start;
  };
  for (const char* accept :
       {"*/*", "application/json", "text/csv", "application/vnd.pgrst.object+json"}) {
    SCOPED_TRACE(accept);
    EXPECT_EQ(steady_allocations(request("GET", "/users", "id=eq.1", {{"Accept", accept}})),
              steady_allocations(request("GET", "/users", "id=eq.1", {{"Xccept", accept}})));
  }
}

// The syntax tree and the plan live in the thread's arena, so once it has grown the only
// heap allocations left are the result's own: with a Translator, just the parameters
// longer than std::string's inline buffer (15 bytes); with Engine::translate, also the
// two statements' text and parameter vectors and the media type (16 bytes or more).
TEST(Translator, EmbedsAndLogicTreesAllocateOnlyResultStrings) {
  Engine engine(catalog(), Config{});
  Translator translator(engine);
  struct Case {
    Request request;
    size_t long_params;  // parameters of 16 bytes or more
  };
  const Case cases[] = {
      {request("GET", "/users",
               "select=id%2Cname%2Cemail&age=gte.18&status=in.%28active%2Cpending%29"
               "&order=created_at.desc&limit=10&offset=20"),
       1},  // {"active","pending"}
      {request("GET", "/films",
               "select=id%2Ctitle%2Croles%28character%2Cactors%28name%29%29&year=gt.2000"
               "&title=ilike.*the*&or=%28rating.gte.8%2Cand%28votes.lt.100%2Cyear.lt.1990%29%29"
               "&order=year.desc.nullslast&limit=25"),
       0},
      {request("GET", "/films",
               "select=title%2Cdirectors%28name%29%2Croles%28character%29"
               "&roles.character=like.*a*&directors.name=neq.some-long-last-name&limit=5"),
       1},  // some-long-last-name
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.request.query);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(translator.translate(c.request).ok());
    size_t before = t_allocations;
    ASSERT_TRUE(translator.translate(c.request).ok());
    EXPECT_EQ(t_allocations - before, c.long_params);
    before = t_allocations;
    const Result result = engine.translate(c.request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(t_allocations - before, 5 + c.long_params);
  }
}

// A host's thread_local whose destructor translates runs after the thread's arena is gone
// (it was created later, so it is destroyed first): that translation takes the heap.
TEST(Translator, TranslatingDuringThreadExitUsesTheHeap) {
  Engine engine(catalog(), Config{});
  const Request read = request("GET", "/films", "select=id,roles(character)&year=gt.2000");
  const std::string expected = engine.translate(read).translation().query.sql;
  struct TranslateAtExit {
    const Engine* engine = nullptr;
    const Request* request = nullptr;
    std::string* sql = nullptr;
    ~TranslateAtExit() {
      if (engine) *sql = engine->translate(*request).translation().query.sql;
    }
  };
  std::string at_exit;
  std::thread worker([&] {
    thread_local TranslateAtExit late;  // constructed before the thread's arena
    late = {&engine, &read, &at_exit};
    (void)engine.translate(read);  // creates the arena
  });
  worker.join();
  EXPECT_EQ(at_exit, expected);
}

}  // namespace
}  // namespace pgrest
