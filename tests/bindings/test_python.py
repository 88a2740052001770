#!/usr/bin/env python3
"""The `pgrest` Python module: the contract through Python objects, and translations
executed on the throwaway PostgreSQL with psycopg2, as a host does it.

    PYTHONPATH=<builddir>/bindings/python PGREST_TEST_CONNINFO=... \\
        python3 tests/bindings/test_python.py

Environment:
  PGREST_TEST_CONNINFO  superuser conninfo of the test database (scripts/with-postgres.sh);
                        the database tests fail without it, they do not skip.
  PGREST_CLI            the pgrest binary; when set the catalog is introspected from the
                        fixture with `pgrest catalog`, else examples/sample-catalog.json.
  PGREST_SOURCE_ROOT    the repository root (default: two levels above this file).

Ends with "N passed, N failed" (test cases).
"""
import json
import os
import subprocess
import sys
import threading
import unittest

import pgrest

ROOT = os.environ.get("PGREST_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE_CATALOG = os.path.join(ROOT, "examples", "sample-catalog.json")
CONNINFO = os.environ.get("PGREST_TEST_CONNINFO", "")

SMALL_CATALOG = json.dumps({
    "version": 1, "schemas": ["public", "ai"], "roles": ["anon", "authenticated"],
    "relations": [{
        "schema": "public", "name": "films", "kind": "table", "insertable": True,
        "updatable": True, "deletable": True, "primary_key": ["id"], "unique_keys": [],
        "columns": [
            {"name": "id", "type": "integer", "base_type": "integer", "type_oid": 23,
             "nullable": False, "default": None, "generated": False, "identity": True},
            {"name": "title", "type": "text", "base_type": "text", "type_oid": 25,
             "nullable": True, "default": None, "generated": False, "identity": False},
        ]}],
    "foreign_keys": [], "functions": []})

ALICE = "11111111-1111-1111-1111-111111111111"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --------------------------------------------------------------------- no database

class EngineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.catalog = read(SAMPLE_CATALOG)
        cls.engine = pgrest.Engine(cls.catalog)

    def test_version(self):
        self.assertRegex(pgrest.__version__, r"^\d+\.\d+\.\d+$")
        major, minor, patch = map(int, pgrest.__version__.split("."))
        self.assertEqual(pgrest.version_number, major * 10000 + minor * 100 + patch)

    def test_read_result(self):
        result = self.engine.translate(
            {"method": "GET", "path": "/films", "query": "select=id,title&year=gte.2000"})
        self.assertEqual(list(result)[:6],
                         ["ok", "status", "read_only", "rollback", "media_type", "singular"])
        self.assertIs(result["ok"], True)
        self.assertEqual(result["status"], 200)
        self.assertIs(result["read_only"], True)
        self.assertEqual(result["media_type"], "application/json")
        self.assertEqual(result["query"]["params"], ["2000"])
        self.assertEqual(result["prelude"]["params"][1], "anon")
        self.assertIn("$1", result["query"]["sql"])
        self.assertNotIn("count_query", result)

    def test_refusal_result(self):
        result = self.engine.translate({"method": "GET", "path": "/nope"})
        self.assertEqual(result, {"ok": False, "status": 404, "error": result["error"]})
        self.assertEqual(result["error"]["code"], "PGRST205")
        self.assertEqual(list(result["error"]), ["code", "message", "details", "hint"])
        # PGRST201's details are JSON, decoded.
        result = self.engine.translate(
            {"method": "GET", "path": "/users", "query": "select=*,loans(*)"})
        self.assertEqual(result["error"]["code"], "PGRST201")
        self.assertIsInstance(result["error"]["details"], list)

    def test_same_as_json_form(self):
        requests = [
            {"method": "GET", "path": "/films", "query": "select=id,directors(name)&order=id",
             "headers": {"Prefer": "count=exact", "Range": "0-1"},
             "claims": {"role": "authenticated", "sub": "x", "n": [1, 2.5, None]}},
            {"method": "POST", "path": "/films", "query": "select=id",
             "headers": {"Prefer": "return=representation"}, "body": '[{"id":10,"title":"é"}]'},
            {"method": "PATCH", "path": "/users", "query": "id=eq.1", "body": '{"name":"x"}',
             "headers": {"Prefer": "max-affected=1, handling=strict"}},
            {"method": "GET", "path": "/films", "headers": {"Prefer": "count=planned"}},
            {"method": "GET", "path": "/chunks", "headers": {"Accept-Profile": "ai"},
             "claims": {"role": "service_role"}, "via_api_layer": True},
            {"method": "GET", "path": "/chunks", "headers": {"Accept-Profile": "ai"},
             "via_api_layer": False},
            {"method": "GET", "path": "/films", "query": None, "headers": None, "body": None,
             "claims": None, "extra": "ignored"},
            # Mistyped fields: the canonical PGRX001 refusals of the JSON form.
            {"method": "GET"},
            {"method": 1, "path": "/films"},
            {"method": "GET", "path": "/films", "via_api_layer": 1},
            {"method": "GET", "path": "/films", "headers": {"Prefer": 5}},
            {"method": "GET", "path": "/films", "headers": ["x"]},
            {"method": "GET", "path": "/films", "claims": "role=admin"},
            {"method": "GET", "path": "/films", "query": 7},
            {"method": "POST", "path": "/films", "body": {"id": 1}},
        ]
        for request in requests:
            with self.subTest(request=request):
                expected = json.loads(self.engine.translate_json(json.dumps(request)))
                self.assertEqual(self.engine.translate(request), expected)
        refused = self.engine.translate({"method": "GET", "path": "/films", "via_api_layer": 1})
        self.assertEqual(refused["error"]["code"], "PGRX001")

    def test_bytes_body(self):
        as_str = self.engine.translate({"method": "POST", "path": "/films", "body": '{"id":1}'})
        as_bytes = self.engine.translate({"method": "POST", "path": "/films", "body": b'{"id":1}'})
        self.assertEqual(as_str, as_bytes)

    def test_translate_json_is_cli_output(self):
        request = '{"method":"GET","path":"/films","query":"id=eq.1"}'
        cli = os.environ.get("PGREST_CLI")
        if not cli:
            self.skipTest("PGREST_CLI not set")
        out = subprocess.run([cli, "translate", "--catalog", SAMPLE_CATALOG, request],
                             check=True, capture_output=True, text=True).stdout
        self.assertEqual(self.engine.translate_json(request) + "\n", out)

    def test_errors(self):
        with self.assertRaises(ValueError):
            pgrest.Engine("{nope")
        with self.assertRaisesRegex(ValueError, "schemaz"):
            pgrest.Engine(self.catalog, {"schemaz": ["public"]})
        with self.assertRaises(ValueError):
            pgrest.Engine(self.catalog, "not json")
        with self.assertRaises(TypeError):
            pgrest.Engine(self.catalog, 5)
        with self.assertRaises(TypeError):
            pgrest.Engine(5)
        with self.assertRaises(TypeError):
            self.engine.translate("GET /films")
        with self.assertRaises(TypeError):
            self.engine.translate({"method": "GET", "path": "/films", "body": object()})
        with self.assertRaises(ValueError):
            self.engine.swap_catalog("[]")
        # A failed swap leaves the catalog in place.
        self.assertTrue(self.engine.translate({"method": "GET", "path": "/directors"})["ok"])

    def test_config(self):
        for config in ({"max_rows": 2}, '{"max_rows": 2}', b'{"max_rows": 2}'):
            engine = pgrest.Engine(self.catalog, config)
            result = engine.translate({"method": "GET", "path": "/films"})
            self.assertIn("2", result["query"]["params"])
        engine = pgrest.Engine(self.catalog, config=None)
        self.assertTrue(engine.translate({"method": "GET", "path": "/films"})["ok"])

    def test_swap_catalog(self):
        engine = pgrest.Engine(self.catalog)
        self.assertTrue(engine.translate({"method": "GET", "path": "/directors"})["ok"])
        engine.swap_catalog(SMALL_CATALOG)
        result = engine.translate({"method": "GET", "path": "/directors"})
        self.assertEqual(result["error"]["code"], "PGRST205")
        engine.swap_catalog(self.catalog.encode())
        self.assertTrue(engine.translate({"method": "GET", "path": "/directors"})["ok"])

    def test_threads(self):
        """Threads translate (the GIL released) while the main thread swaps catalogs. Each
        worker goes on until it has seen the catalog change under it a few times (both
        answers for /directors, in alternation), so the swaps provably overlapped
        translations rather than running before or after them."""
        engine = pgrest.Engine(self.catalog)
        errors = []
        changes = [0] * 4
        done = threading.Event()

        def work(index):
            try:
                previous = None
                for i in range(200000):
                    films = engine.translate({"method": "GET", "path": "/films",
                                              "headers": {"Prefer": "count=exact"}})
                    assert films["ok"], films
                    directors = engine.translate({"method": "GET", "path": "/directors"})
                    assert directors["ok"] or directors["error"]["code"] == "PGRST205"
                    if previous is not None and directors["ok"] != previous:
                        changes[index] += 1
                    previous = directors["ok"]
                    if i >= 300 and changes[index] >= 4:
                        break
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        swaps = 0
        while any(thread.is_alive() for thread in threads):
            engine.swap_catalog(SMALL_CATALOG if swaps % 2 == 0 else self.catalog)
            swaps += 1
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertTrue(all(n >= 4 for n in changes), (changes, swaps))

    def test_reinit_refused(self):
        """__init__ on a live Engine would free the engine other threads translate with."""
        engine = pgrest.Engine(self.catalog)
        with self.assertRaisesRegex(RuntimeError, "already initialised"):
            engine.__init__(SMALL_CATALOG)
        # The engine it had is untouched.
        self.assertTrue(engine.translate({"method": "GET", "path": "/directors"})["ok"])
        stop = threading.Event()
        errors = []

        def work():
            try:
                while not stop.is_set():
                    result = engine.translate(
                        {"method": "GET", "path": "/films",
                         "query": "select=id,title,directors(name)&year=gte.1960&order=id",
                         "headers": {"Prefer": "count=exact"}})
                    assert result["ok"], result
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            for _ in range(2000):
                with self.assertRaises(RuntimeError):
                    engine.__init__(self.catalog)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        self.assertEqual(errors, [])

    def test_embed_example(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in [os.path.dirname(pgrest.__file__), os.environ.get("PYTHONPATH")] if p))
        out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "embed.py"),
                              SAMPLE_CATALOG], check=True, capture_output=True, text=True,
                             env=env).stdout
        self.assertIn("select", out)
        self.assertIn("['2000']", out)


# ------------------------------------------------------------------ with PostgreSQL

class Host:
    """Runs translations as a host does: one transaction, prelude then query, as the
    authenticator role. psycopg2 has no PQexecParams, so each statement is PREPAREd
    (its $n typed from context, exactly as for unknown-typed parameters) and EXECUTEd
    with the text parameters as literals."""

    def __init__(self, conninfo):
        import psycopg2
        self.psycopg2 = psycopg2
        self.conn = psycopg2.connect(conninfo, user="authenticator")
        self.conn.autocommit = True

    def close(self):
        self.conn.close()

    def _execute(self, cur, statement):
        cur.execute("prepare pgrest_statement as " + statement["sql"])
        params = statement["params"]
        if params:
            cur.execute("execute pgrest_statement (" + ", ".join(["%s"] * len(params)) + ")",
                        params)
        else:
            cur.execute("execute pgrest_statement")
        rows = []
        if cur.description is not None:
            names = [column.name for column in cur.description]
            rows = [dict(zip(names, row)) for row in cur.fetchall()]
        cur.execute("deallocate pgrest_statement")
        return rows

    def run(self, result):
        assert result["ok"], result
        with self.conn.cursor() as cur:
            cur.execute("begin read only" if result["read_only"] else "begin")
            try:
                self._execute(cur, result["prelude"])
                rows = self._execute(cur, result["query"])
            except Exception:
                cur.execute("rollback")
                cur.execute("deallocate all")  # prepared statements outlive a rollback
                raise
            cur.execute("rollback" if result["rollback"] else "commit")
        assert len(rows) == 1, rows
        return rows[0]


class DatabaseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not CONNINFO:
            raise RuntimeError("PGREST_TEST_CONNINFO is not set: run under scripts/with-postgres.sh")
        import psycopg2
        conn = psycopg2.connect(CONNINFO)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(read(os.path.join(ROOT, "tests", "fixtures", "schema.sql")))
        conn.close()
        cli = os.environ.get("PGREST_CLI")
        if cli:
            catalog = subprocess.run([cli, "catalog", "--db", CONNINFO], check=True,
                                     capture_output=True, text=True).stdout
        else:
            catalog = read(SAMPLE_CATALOG)
        cls.engine = pgrest.Engine(catalog, {"schemas": ["public"]})
        cls.host = Host(CONNINFO)

    @classmethod
    def tearDownClass(cls):
        cls.host.close()

    def run_request(self, request):
        result = self.engine.translate(request)
        self.assertTrue(result["ok"], result)
        return result, self.host.run(result)

    def body(self, request):
        return json.loads(self.run_request(request)[1]["body"])

    def test_select_filter_order(self):
        body = self.body({"method": "GET", "path": "/films",
                          "query": "select=id,title&year=gte.1960&order=id"})
        self.assertEqual([row["id"] for row in body], [1, 3, 5])

    def test_embeds(self):
        body = self.body({"method": "GET", "path": "/films",
                          "query": "select=title,directors(name)&id=eq.2"})
        self.assertEqual(body, [{"title": "Seven Samurai", "directors": {"name": "Akira Kurosawa"}}])
        body = self.body({"method": "GET", "path": "/films",
                          "query": "select=id,actors(name)&id=eq.4&actors.order=name"})
        self.assertEqual(body, [{"id": 4, "actors": [{"name": "Takashi Shimura"},
                                                     {"name": "Toshiro Mifune"}]}])

    def test_count_and_range(self):
        _, row = self.run_request({"method": "GET", "path": "/films",
                                   "query": "select=id&order=id",
                                   "headers": {"Range": "0-1", "Prefer": "count=exact"}})
        self.assertEqual(json.loads(row["body"]), [{"id": 1}, {"id": 2}])
        self.assertEqual(row["page_total"], 2)
        self.assertEqual(row["total_count"], 6)

    def test_singular(self):
        result, row = self.run_request({
            "method": "GET", "path": "/films", "query": "select=title&id=eq.1",
            "headers": {"Accept": "application/vnd.pgrst.object+json"}})
        self.assertTrue(result["singular"])
        self.assertEqual(json.loads(row["body"]), {"title": "Cléo from 5 to 7"})

    def test_rls_and_claims(self):
        anon = self.body({"method": "GET", "path": "/notes", "query": "select=id&order=id"})
        self.assertEqual([row["id"] for row in anon], [1, 4])
        alice = self.body({"method": "GET", "path": "/notes", "query": "select=id&order=id",
                           "claims": {"role": "authenticated", "sub": ALICE}})
        self.assertEqual([row["id"] for row in alice], [1, 2, 4])
        info = self.body({"method": "GET", "path": "/request_info", "query": "select=role_name",
                          "claims": {"role": "authenticated", "sub": ALICE}})
        self.assertEqual(info, [{"role_name": "authenticated"}])

    def test_insert_rolled_back(self):
        result, row = self.run_request({
            "method": "POST", "path": "/events", "query": "select=kind",
            "headers": {"Prefer": "return=representation, tx=rollback"},
            "body": '[{"kind":"a"},{"kind":"b"}]'})
        self.assertEqual(result["status"], 201)
        self.assertTrue(result["rollback"])
        self.assertEqual(json.loads(row["body"]), [{"kind": "a"}, {"kind": "b"}])
        self.assertEqual(self.body({"method": "GET", "path": "/events"}), [])

    def test_update_and_delete(self):
        result, row = self.run_request({
            "method": "PATCH", "path": "/users", "query": "id=eq.2&select=name",
            "headers": {"Prefer": "return=representation"}, "body": '{"name":"bobby"}'})
        self.assertEqual(json.loads(row["body"]), [{"name": "bobby"}])
        self.assertEqual(self.body({"method": "GET", "path": "/users",
                                    "query": "select=name&id=eq.2"}), [{"name": "bobby"}])
        result, row = self.run_request({"method": "DELETE", "path": "/loans", "query": "id=eq.3"})
        self.assertEqual(result["status"], 204)
        self.assertEqual(row["page_total"], 1)

    def test_rpc(self):
        self.assertEqual(self.body({"method": "POST", "path": "/rpc/add_them",
                                    "body": '{"a":1,"b":2}'}), 3)
        self.assertEqual(self.body({"method": "GET", "path": "/rpc/add_them",
                                    "query": "a=40"}), 41)
        titles = self.body({"method": "GET", "path": "/rpc/films_after",
                            "query": "min_year=1970&select=title&order=year"})
        self.assertEqual(titles, [{"title": "Jeanne Dielman"}, {"title": "The Gleaners and I"}])

    def test_sql_error(self):
        result = self.engine.translate({"method": "POST", "path": "/directors",
                                        "body": '{"id":1,"name":"again"}'})
        with self.assertRaises(self.host.psycopg2.errors.UniqueViolation):
            self.host.run(result)

    def test_managed_schema_refused(self):
        result = self.engine.translate({"method": "GET", "path": "/chunks",
                                        "headers": {"Accept-Profile": "ai"}})
        self.assertEqual((result["status"], result["error"]["code"]), (403, "PGRX403"))


def main():
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    suite.addTests(loader.loadTestsFromTestCase(EngineTest))
    suite.addTests(loader.loadTestsFromTestCase(DatabaseTest))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
