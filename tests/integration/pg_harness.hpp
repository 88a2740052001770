// The real-PostgreSQL test bed for integration tests.
//
// `scripts/with-postgres.sh` starts a throwaway PostgreSQL 15 cluster and exports
// PGREST_TEST_CONNINFO (a superuser connection to a fresh database) before running the
// test binaries. Tests load the fixture schema once, then execute translations exactly as
// a host would: one transaction, prelude, query, commit or rollback, connected as the
// non-superuser `authenticator` role so that roles and Row Level Security really apply.
#pragma once

#include <libpq-fe.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgrest/engine.hpp"

namespace pgrest::testing {

// PGREST_TEST_CONNINFO, or an empty string after recording a test failure when it is
// unset: integration tests must never pass silently without a database.
std::string superuser_conninfo();

// The same database, connecting as the fixture's `authenticator` login role.
std::string authenticator_conninfo();

// Reads a file below the source tree (path relative to the repository root).
std::string read_source_file(const std::string& relative_path);

// One row of a result, column name -> text value (nullopt for SQL NULL).
using Row = std::map<std::string, std::optional<std::string>>;

struct Execution {
  bool ok = false;
  std::string sqlstate;  // set when !ok
  std::string message;   // set when !ok
  Row row;               // the main statement's single row (body, page_total, total_count...)
  std::optional<std::string> count_plan;  // the count_query's result, when there was one
};

class Connection {
 public:
  explicit Connection(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements with the simple query protocol; throws
  // std::runtime_error carrying PostgreSQL's message on failure.
  void exec(const std::string& sql);

  // Runs a parameterised statement (text params, unknown types) and returns its rows;
  // throws std::runtime_error on failure.
  std::vector<Row> query(const std::string& sql, const std::vector<Param>& params = {});

  // Executes a successful translation as a host does: BEGIN (READ ONLY when
  // translation.read_only), prelude, query, then count_query when present, then
  // COMMIT, or ROLLBACK when translation.rollback. On an SQL error the transaction is
  // rolled back and the error returned in the Execution.
  Execution run(const Translation& translation);

  PGconn* raw() { return conn_; }

 private:
  PGconn* conn_ = nullptr;
};

// Drops and recreates the fixture (tests/fixtures/schema.sql) in the test database.
// Call once per test binary (e.g. from a ::testing::Environment), or again after a
// test that changes data outside a rolled-back transaction.
void load_fixture();

// The catalog of the fixture as `pgrest catalog` builds it (introspected with libpq over
// PGREST_TEST_CONNINFO, schemas public and ai), cached after the first call.
std::shared_ptr<const Catalog> fixture_catalog();

}  // namespace pgrest::testing
