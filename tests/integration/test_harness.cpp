// Tests of the integration test bed itself (pg_harness): that it talks to PostgreSQL the
// way a host does, so that the integration suites can trust it. Needs no fixture; run
// through scripts/with-postgres.sh.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "pg_harness.hpp"

namespace pgrest::testing {
namespace {

Statement statement(std::string sql, std::vector<Param> params = {}) {
  Statement s;
  s.sql = std::move(sql);
  s.params = std::move(params);
  return s;
}

// The shape of a read request's translation: a prelude setting transaction-local GUCs
// from parameters, then one statement returning one row.
Translation request_method_translation(const std::string& method) {
  Translation t;
  t.prelude = statement("select set_config('request.method', $1, true)", {method});
  t.query = statement(
      "select '[1]'::text as body, 1::bigint as page_total, null::bigint as total_count, "
      "current_setting('request.method', true) as m");
  return t;
}

bool idle(Connection& conn) {
  return PQtransactionStatus(conn.raw()) == PQTRANS_IDLE;
}

TEST(Harness, SuperuserRunsSelect1) {
  Connection conn(superuser_conninfo());
  const auto rows = conn.query("select 1 as one, current_user as who");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].at("one"), "1");
  EXPECT_EQ(rows[0].at("who"), "postgres");
  EXPECT_NO_THROW(conn.exec("select 1; select 2"));
}

TEST(Harness, QueryBindsUnknownTypedTextParams) {
  Connection conn(superuser_conninfo());
  auto rows = conn.query("select $1::int + 1 as n", {"41"});
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].at("n"), "42");

  // An untyped parameter takes its type from the context: here a date comparison.
  rows = conn.query("select $1 < date '2000-01-02' as earlier", {"2000-01-01"});
  EXPECT_EQ(rows[0].at("earlier"), "t");

  rows = conn.query("select $1::text is null as is_null, $1::text as v, $2::text as w",
                    {std::nullopt, "x"});
  EXPECT_EQ(rows[0].at("is_null"), "t");
  EXPECT_EQ(rows[0].at("v"), std::nullopt);
  EXPECT_EQ(rows[0].at("w"), "x");

  rows = conn.query("select g from generate_series(1, $1::int) g", {"3"});
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[2].at("g"), "3");
}

TEST(Harness, ExecAndQueryThrowWithPostgresMessage) {
  Connection conn(superuser_conninfo());
  try {
    conn.exec("select * from no_such_table_for_harness");
    FAIL() << "exec did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table_for_harness"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("42P01"), std::string::npos) << e.what();
  }
  EXPECT_THROW(conn.query("select $1::int", {"not a number"}), std::runtime_error);
  EXPECT_EQ(conn.query("select 1 as x")[0].at("x"), "1");
}

TEST(Harness, ConnectFailureThrows) {
  EXPECT_THROW(Connection("host=/nonexistent-pgrest-socket-dir port=1 connect_timeout=2"),
               std::runtime_error);
  EXPECT_THROW(Connection(""), std::runtime_error);
  // A later keyword overrides an earlier one: what authenticator_conninfo() relies on.
  EXPECT_THROW(Connection(superuser_conninfo() + " user=pgrest_no_such_role"), std::runtime_error);
  EXPECT_NE(authenticator_conninfo().find("user=authenticator"), std::string::npos);
}

TEST(Harness, RunReturnsTheRowAndPreludeSettingsAreVisible) {
  Connection conn(superuser_conninfo());
  const Execution e = conn.run(request_method_translation("GET"));
  ASSERT_TRUE(e.ok) << e.sqlstate << ": " << e.message;
  EXPECT_EQ(e.row.at("body"), "[1]");
  EXPECT_EQ(e.row.at("page_total"), "1");
  EXPECT_EQ(e.row.at("total_count"), std::nullopt);
  EXPECT_EQ(e.row.at("m"), "GET");
  EXPECT_FALSE(e.count_plan.has_value());
  EXPECT_TRUE(idle(conn));

  // set_config(..., true) is transaction-local: gone once run() committed.
  const auto after = conn.query("select current_setting('request.method', true) as m");
  EXPECT_TRUE(!after[0].at("m").has_value() || after[0].at("m")->empty());
}

TEST(Harness, RunExecutesTheCountQuery) {
  Connection conn(superuser_conninfo());
  Translation t = request_method_translation("GET");
  t.count_query =
      statement("explain (format json) select * from generate_series(1, $1::int)", {"10"});
  const Execution e = conn.run(t);
  ASSERT_TRUE(e.ok) << e.message;
  ASSERT_TRUE(e.count_plan.has_value());
  EXPECT_NE(e.count_plan->find("\"Plan Rows\""), std::string::npos) << *e.count_plan;
}

TEST(Harness, RunCommitsOrRollsBack) {
  Connection conn(superuser_conninfo());
  conn.exec("create temp table harness_writes (x int)");
  Translation t;
  t.read_only = false;
  t.query = statement(
      "with ins as (insert into harness_writes values ($1::int) returning x) "
      "select '[]' as body, (select count(*) from ins) as page_total",
      {"1"});

  t.rollback = true;
  ASSERT_TRUE(conn.run(t).ok);
  EXPECT_EQ(conn.query("select count(*) as n from harness_writes")[0].at("n"), "0");

  t.rollback = false;
  const Execution e = conn.run(t);
  ASSERT_TRUE(e.ok) << e.message;
  EXPECT_EQ(e.row.at("page_total"), "1");
  EXPECT_EQ(conn.query("select count(*) as n from harness_writes")[0].at("n"), "1");
}

TEST(Harness, FailingQueryReturnsSqlstateAndConnectionStaysUsable) {
  Connection conn(superuser_conninfo());
  Translation t = request_method_translation("GET");
  t.query = statement("select '[]' as body from no_such_table_for_harness");
  const Execution e = conn.run(t);
  EXPECT_FALSE(e.ok);
  EXPECT_EQ(e.sqlstate, "42P01");
  EXPECT_NE(e.message.find("no_such_table_for_harness"), std::string::npos) << e.message;
  EXPECT_TRUE(idle(conn));

  // Also when the prelude fails (a raised exception with its own SQLSTATE).
  t = request_method_translation("GET");
  t.prelude = statement("do $$ begin raise sqlstate 'PT401' using message = 'nope'; end $$");
  const Execution p = conn.run(t);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.sqlstate, "PT401");
  EXPECT_EQ(p.message, "nope");
  EXPECT_TRUE(idle(conn));

  const Execution again = conn.run(request_method_translation("POST"));
  ASSERT_TRUE(again.ok) << again.message;
  EXPECT_EQ(again.row.at("m"), "POST");
}

TEST(Harness, ReadOnlyTranslationCannotWrite) {
  Connection conn(superuser_conninfo());
  Translation t;
  t.read_only = true;
  t.query = statement("create table harness_must_not_exist (x int)");
  const Execution e = conn.run(t);
  EXPECT_FALSE(e.ok);
  EXPECT_EQ(e.sqlstate, "25006");  // read_only_sql_transaction
  EXPECT_TRUE(idle(conn));
  EXPECT_EQ(
      conn.query("select to_regclass('harness_must_not_exist') is null as gone")[0].at("gone"),
      "t");
}

TEST(Harness, RunRefusesAQueryThatDoesNotReturnOneRow) {
  Connection conn(superuser_conninfo());
  Translation t;
  t.query = statement("select 1 as body where false");
  EXPECT_THROW(conn.run(t), std::runtime_error);
  EXPECT_TRUE(idle(conn));
}

TEST(Harness, ReadSourceFile) {
  EXPECT_NE(read_source_file("tests/integration/pg_harness.hpp").find("namespace pgrest::testing"),
            std::string::npos);
  EXPECT_THROW(read_source_file("tests/integration/no-such-file"), std::runtime_error);
}

TEST(Harness, MissingConninfoIsATestFailure) {
  const char* saved = std::getenv("PGREST_TEST_CONNINFO");
  const std::optional<std::string> value = saved ? std::optional<std::string>(saved) : std::nullopt;
  unsetenv("PGREST_TEST_CONNINFO");
  EXPECT_NONFATAL_FAILURE(EXPECT_EQ(superuser_conninfo(), ""), "scripts/with-postgres.sh");
  if (value) setenv("PGREST_TEST_CONNINFO", value->c_str(), 1);
}

}  // namespace
}  // namespace pgrest::testing
