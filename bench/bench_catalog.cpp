// Catalog scale: building the hashed lookups and the relationships of a synthetic
// schema (N tables of 10 columns, each with two foreign keys to other tables, plus
// N/10 junction tables with two each), as a snapshot reload does.
#include <benchmark/benchmark.h>

#include "pgrest/catalog.hpp"

namespace {

pgrest::Catalog synthetic_catalog(size_t tables) {
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

void bm_catalog_finalize(benchmark::State& state) {
  const pgrest::Catalog prototype = synthetic_catalog(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    pgrest::Catalog catalog = prototype;
    state.ResumeTiming();
    catalog.finalize();
    benchmark::DoNotOptimize(catalog.relationships.data());
    state.counters["relationships"] = static_cast<double>(catalog.relationships.size());
    state.PauseTiming();
    {
      pgrest::Catalog discard = std::move(catalog);  // destroy outside the timing
    }
    state.ResumeTiming();
  }
  state.counters["foreign_keys"] = static_cast<double>(prototype.foreign_keys.size());
}

BENCHMARK(bm_catalog_finalize)
    ->Name("catalog/finalize")
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
