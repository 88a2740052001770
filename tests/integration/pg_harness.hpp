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
  std::string sqlstate;  // set when !ok: PostgreSQL's SQLSTATE, or the host check's PGRST code
  std::string message;   // set when !ok
  // Set when a host check of the contract failed after the query ran (the transaction
  // was rolled back): PostgREST's HTTP status and details for that code.
  int http_status = 0;
  std::optional<std::string> details;
  Row row;  // the main statement's single row (body, page_total, total_count...)
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
  // translation.read_only), prelude, query, then count_query when present, then the
  // checks the contract puts on the host, then COMMIT, or ROLLBACK when
  // translation.rollback. On an SQL error the transaction is rolled back and the error
  // returned in the Execution. The host checks, on the query's page_total, in
  // PostgREST's order: `singular` needs exactly one row (PGRST116, 406),
  // `expect_one_row` too (PUT, PGRST115, 400), and `max_affected` caps it (PGRST124,
  // 400); a failed check rolls back and is returned like an SQL error, its code in
  // `sqlstate` and its status in `http_status`.
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
