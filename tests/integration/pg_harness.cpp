// The real-PostgreSQL test bed: see pg_harness.hpp.
#include "pg_harness.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "introspect.hpp"

#ifndef PGREST_SOURCE_ROOT
#error "PGREST_SOURCE_ROOT must be defined to the repository root (the meson file does)"
#endif

namespace pgrest::testing {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// An SQL error as PostgreSQL reports it, for run().
struct SqlError {
  std::string sqlstate;
  std::string message;
};

bool succeeded(const PGresult* result) {
  switch (PQresultStatus(result)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      return true;
    default:
      return false;
  }
}

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

// The error of a failed result. A null result (out of memory, lost connection) carries
// no SQLSTATE; the connection's message then says what happened.
SqlError error_of(PGconn* conn, const PGresult* result) {
  SqlError error;
  if (result != nullptr) {
    error.sqlstate = field(result, PG_DIAG_SQLSTATE);
    error.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  }
  if (error.message.empty()) {
    error.message = result != nullptr && *PQresultErrorMessage(result) != '\0'
                        ? PQresultErrorMessage(result)
                        : PQerrorMessage(conn);
    while (!error.message.empty() && error.message.back() == '\n') error.message.pop_back();
  }
  return error;
}

// For exceptions: the full message (ERROR:, DETAIL:, LINE...) plus the SQLSTATE.
std::string describe_failure(PGconn* conn, const PGresult* result, std::string_view what) {
  std::string text(what);
  text += " failed";
  const std::string sqlstate = result != nullptr ? field(result, PG_DIAG_SQLSTATE) : "";
  if (!sqlstate.empty()) text += " [" + sqlstate + "]";
  text += ": ";
  text += result != nullptr && *PQresultErrorMessage(result) != '\0' ? PQresultErrorMessage(result)
                                                                     : PQerrorMessage(conn);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

ResultPtr exec_params(PGconn* conn, const std::string& sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& param : params) values.push_back(param ? param->c_str() : nullptr);
  // paramTypes NULL: every parameter is text of unknown type and the server infers its
  // type from the context, exactly as hosts send the engine's parameters.
  return ResultPtr(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, /*resultFormat=*/0));
}

std::vector<Row> rows_of(const PGresult* result) {
  std::vector<Row> rows;
  const int nrows = PQntuples(result);
  const int ncols = PQnfields(result);
  rows.reserve(static_cast<size_t>(nrows));
  for (int r = 0; r < nrows; ++r) {
    Row row;
    for (int c = 0; c < ncols; ++c) {
      std::optional<std::string> value;
      if (PQgetisnull(result, r, c) == 0) {
        value.emplace(PQgetvalue(result, r, c), static_cast<size_t>(PQgetlength(result, r, c)));
      }
      row.emplace(PQfname(result, c), std::move(value));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// A violation of what run() expects from a translation (not an SQL error): rolled back
// and thrown, so the test fails loudly instead of comparing half a result.
class ContractViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace

std::string superuser_conninfo() {
  const char* conninfo = std::getenv("PGREST_TEST_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    ADD_FAILURE() << "PGREST_TEST_CONNINFO is not set: run the integration tests through "
                     "scripts/with-postgres.sh (`make test` does), e.g. "
                     "scripts/with-postgres.sh meson test -C build";
    return "";
  }
  return conninfo;
}

std::string authenticator_conninfo() {
  std::string conninfo = superuser_conninfo();
  if (conninfo.empty()) return conninfo;
  // libpq lets a later keyword override an earlier one; a URI takes it as a parameter.
  if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
    conninfo +=
        conninfo.find('?') == std::string::npos ? "?user=authenticator" : "&user=authenticator";
  } else {
    conninfo += " user=authenticator";
  }
  return conninfo;
}

std::string read_source_file(const std::string& relative_path) {
  const std::string path = std::string(PGREST_SOURCE_ROOT) + "/" + relative_path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw std::runtime_error("error reading " + path);
  return std::move(contents).str();
}

Connection::Connection(const std::string& conninfo) {
  if (conninfo.empty()) {
    // Never fall back to libpq's defaults (PGHOST, a local server...): that could be
    // somebody's real database.
    throw std::runtime_error("empty connection string (is PGREST_TEST_CONNINFO set?)");
  }
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr) throw std::runtime_error("PQconnectdb: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot connect (" + conninfo + "): " + message);
  }
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::exec(const std::string& sql) {
  // The simple query protocol runs every statement of the string and stops at the first
  // error, whose result is the one returned.
  ResultPtr result(PQexec(conn_, sql.c_str()));
  if (!result || !succeeded(result.get())) {
    throw std::runtime_error(describe_failure(conn_, result.get(), "exec"));
  }
}

std::vector<Row> Connection::query(const std::string& sql, const std::vector<Param>& params) {
  ResultPtr result = exec_params(conn_, sql, params);
  if (!result || !succeeded(result.get())) {
    throw std::runtime_error(describe_failure(conn_, result.get(), "query"));
  }
  return rows_of(result.get());
}

Execution Connection::run(const Translation& translation) {
  Execution execution;

  // Runs one statement of the transaction; on an SQL error records it and returns false.
  auto step = [&](const std::string& sql, const std::vector<Param>& params) -> ResultPtr {
    ResultPtr result = exec_params(conn_, sql, params);
    if (!result || !succeeded(result.get())) {
      SqlError error = error_of(conn_, result.get());
      execution.ok = false;
      execution.sqlstate = std::move(error.sqlstate);
      execution.message = std::move(error.message);
      return nullptr;
    }
    return result;
  };
  // Ends the transaction after a failure; the connection stays usable for the next test.
  auto rollback = [&] { PQclear(PQexec(conn_, "ROLLBACK")); };
  auto violation = [&](const std::string& what) {
    rollback();
    throw ContractViolation("run(): " + what);
  };

  const char* begin = translation.read_only ? "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"
                                            : "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE";
  if (!step(begin, {})) return execution;

  if (!translation.prelude.sql.empty()) {
    if (!step(translation.prelude.sql, translation.prelude.params)) {
      rollback();
      return execution;
    }
  }

  ResultPtr main = step(translation.query.sql, translation.query.params);
  if (!main) {
    rollback();
    return execution;
  }
  if (PQresultStatus(main.get()) != PGRES_TUPLES_OK || PQntuples(main.get()) != 1) {
    violation("the query must return exactly one row, got " +
              std::to_string(PQntuples(main.get())) + " (" +
              PQresStatus(PQresultStatus(main.get())) + ")");
  }
  execution.row = std::move(rows_of(main.get()).front());

  if (translation.count_query) {
    ResultPtr count = step(translation.count_query->sql, translation.count_query->params);
    if (!count) {
      rollback();
      return execution;
    }
    if (PQntuples(count.get()) != 1 || PQnfields(count.get()) != 1) {
      violation("the count_query must return one row and one column, got " +
                std::to_string(PQntuples(count.get())) + "x" +
                std::to_string(PQnfields(count.get())));
    }
    if (PQgetisnull(count.get(), 0, 0) == 0) execution.count_plan = PQgetvalue(count.get(), 0, 0);
  }

  // The host's checks on the affected (or returned) rows, as PostgREST makes them after
  // the statement: each rolls the transaction back and answers with its own error.
  const auto page_total_value = execution.row.find("page_total");
  if (page_total_value == execution.row.end() || !page_total_value->second) {
    violation("the query has no page_total");
  }
  const int64_t page_total = std::stoll(*page_total_value->second);
  const auto host_failure = [&](int status, std::string code, std::string message,
                                std::optional<std::string> details) {
    rollback();
    execution.ok = false;
    execution.http_status = status;
    execution.sqlstate = std::move(code);
    execution.message = std::move(message);
    execution.details = std::move(details);
    return execution;
  };
  if (translation.singular && page_total != 1) {
    return host_failure(406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
                        "The result contains " + std::to_string(page_total) + " rows");
  }
  if (translation.expect_one_row && page_total != 1) {
    return host_failure(400, "PGRST115", "Payload values do not match URL in primary key column(s)",
                        std::nullopt);
  }
  if (translation.max_affected && page_total > *translation.max_affected) {
    return host_failure(400, "PGRST124", "Query result exceeds max-affected preference constraint",
                        "The query affects " + std::to_string(page_total) + " rows");
  }

  if (translation.rollback) {
    if (!step("ROLLBACK", {})) return execution;
  } else {
    // COMMIT can fail too (deferred constraints); the transaction is then over anyway.
    if (!step("COMMIT", {})) {
      rollback();
      return execution;
    }
  }
  execution.ok = true;
  return execution;
}

void load_fixture() {
  Connection conn(superuser_conninfo());
  // The fixture drops what it recreates; its "does not exist, skipping" notices are noise.
  conn.exec("SET client_min_messages = warning");
  // Test binaries may run in parallel against the same cluster: never interleave two
  // fixture loads (roles are cluster-global). The lock ends with the session.
  conn.exec("SELECT pg_advisory_lock(hashtext('pgrest_test fixture'))");
  conn.exec(read_source_file("tests/fixtures/schema.sql"));
}

std::shared_ptr<const Catalog> fixture_catalog() {
  static std::mutex mutex;
  static std::shared_ptr<const Catalog> catalog;
  std::lock_guard<std::mutex> lock(mutex);
  if (!catalog) {
    const std::string conninfo = superuser_conninfo();
    if (conninfo.empty())
      throw std::runtime_error("fixture_catalog: PGREST_TEST_CONNINFO is not set");
    std::string error;
    std::shared_ptr<Catalog> introspected = introspect_catalog(conninfo, {"public", "ai"}, &error);
    if (!introspected)
      throw std::runtime_error("fixture_catalog: introspect_catalog failed: " + error);
    catalog = std::move(introspected);
  }
  return catalog;
}

}  // namespace pgrest::testing
