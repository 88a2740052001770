// Live catalog introspection: a handful of set-based catalog queries over libpq.
//
// Each query reads one kind of object for all requested schemas at once (relations,
// columns, constraints, functions), so the cost is a fixed number of round trips, never
// one per table. Results are flat text rows (one per relation, column, constraint or
// function parameter) assembled here in linear passes. Work PostgreSQL does slowly per
// row is left to the assembly, where it is cheap: ordering columns and turning key
// attnums into column names.
#include "introspect.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <numeric>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace pgrest {

namespace {

// ---------------------------------------------------------------------------------------
// SQL
//
// All queries run with search_path = '' so that format_type(), regtype and pg_get_expr()
// qualify every name outside pg_catalog (pg_catalog itself is always searched, so the
// catalog names below need no qualification and nothing else can shadow them). The
// requested schemas arrive as the text[] parameter $1, never spliced into SQL.

// One transaction for everything: REPEATABLE READ gives all queries the same snapshot,
// so a concurrent DROP cannot leave a foreign key pointing at a table that the relation
// query did not see. The date/time/number settings pin how pg_get_expr() renders
// constants in defaults: they would otherwise follow the PGDATESTYLE, PGTZ... of whoever
// runs the introspection, and a snapshot must not depend on that.
constexpr const char* kBeginSql =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
    "SET LOCAL search_path = '';"
    "SET LOCAL datestyle = 'ISO, YMD';"
    "SET LOCAL intervalstyle = 'postgres';"
    "SET LOCAL timezone = 'UTC';"
    "SET LOCAL extra_float_digits = 1";

// The requested schemas that exist, in the requested order ($1 is already deduplicated).
constexpr const char* kSchemasSql = R"sql(
SELECT s.name
FROM unnest($1::text[]) WITH ORDINALITY AS s (name, ord)
WHERE EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = s.name)
ORDER BY s.ord
)sql";

// Byte order, the order Catalog::finalize() sorts roles into anyway.
constexpr const char* kRolesSql = R"sql(
SELECT rolname FROM pg_roles ORDER BY rolname COLLATE "C"
)sql";

// The prefix shared by the relation, column, constraint and function queries. Each uses
// only what it needs: PostgreSQL does not evaluate a CTE that the query never reads.
//
// `wanted` is the requested schemas that exist, with their position in the request,
// which orders the output. `rels` is the set of relations the catalog exposes: partitions
// are reached through their parent, never directly.
//
// Domains can be stacked (a domain over a domain), so a recursive CTE walks each chain
// once: the base type is the last link's typbasetype, NOT NULL anywhere in the chain
// makes the domain NOT NULL, and the nearest default wins (an outer domain's default
// overrides its base domain's). Only domains are walked, so this stays small.
constexpr std::string_view kCommonCte = R"sql(WITH RECURSIVE
  wanted (oid, nspname, ord) AS (
    SELECT n.oid, n.nspname, s.ord
    FROM unnest($1::text[]) WITH ORDINALITY AS s (name, ord)
    JOIN pg_namespace n ON n.nspname = s.name
  ),
  rels (oid, nspname, relname, relkind, ord, reltype) AS (
    SELECT c.oid, w.nspname, c.relname, c.relkind, w.ord, c.reltype
    FROM wanted w
    JOIN pg_class c ON c.relnamespace = w.oid
    WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition
  ),
  domain_chain (domain_oid, depth, base_oid, not_null, default_expr) AS (
    SELECT t.oid, 0, t.typbasetype, t.typnotnull, pg_get_expr(t.typdefaultbin, 0)
    FROM pg_type t
    WHERE t.typtype = 'd'
    UNION ALL
    SELECT c.domain_oid, c.depth + 1, t.typbasetype, t.typnotnull,
           pg_get_expr(t.typdefaultbin, 0)
    FROM domain_chain c
    JOIN pg_type t ON t.oid = c.base_oid
    WHERE t.typtype = 'd'
  ),
  domains (domain_oid, base_oid, not_null, default_expr) AS (
    SELECT domain_oid,
           (array_agg(base_oid ORDER BY depth DESC))[1],
           bool_or(not_null),
           (array_agg(default_expr ORDER BY depth)
              FILTER (WHERE default_expr IS NOT NULL))[1]
    FROM domain_chain
    GROUP BY domain_oid
  )
)sql";

// One row per relation. Tables and partitioned tables are always fully writable (as far
// as the catalog can tell: privileges and RLS apply at execution time); for the others
// PostgreSQL itself decides, taking INSTEAD OF triggers and rules into account.
constexpr std::string_view kRelationsTail = R"sql(
SELECT r.oid, r.nspname, r.relname, r.relkind,
       CASE WHEN r.relkind IN ('r', 'p') THEN 28
            ELSE pg_relation_is_updatable(r.oid, true) END,
       r.reltype
FROM rels r
ORDER BY r.ord, r.relname COLLATE "C"
)sql";

// One row per column, deliberately unsorted: ordering 100,000 rows of this width costs
// PostgreSQL more than the assembly's check that each relation's columns (which come
// out of the attrelid/attnum index in order anyway) are in attnum order.
//
// An identity column GENERATED BY DEFAULT has no pg_attrdef entry; its default is the
// next value of its sequence, as PostgREST's schema cache writes it, so that
// `Prefer: missing=default` fills it (GENERATED ALWAYS accepts no value at all).
//
// Defaults are deparsed with relid 0: a default cannot reference columns, and passing
// the table would make the server build a relcache entry for every table, which nearly
// doubles this query's time at 10,000 tables. Generated columns, whose expression does
// reference columns, never reach pg_get_expr() (CASE does not evaluate that branch).
constexpr std::string_view kColumnsTail = R"sql(
SELECT a.attrelid, a.attnum, a.attname,
       format_type(a.atttypid, a.atttypmod),
       format_type(coalesce(d.base_oid, a.atttypid), NULL),
       a.atttypid,
       NOT a.attnotnull AND NOT coalesce(d.not_null, false),
       CASE WHEN a.attgenerated <> '' THEN NULL
            WHEN a.attidentity = 'd' THEN
              (SELECT format('nextval(%L::regclass)', dep.objid::regclass)
               FROM pg_depend dep
               WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
                 AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_class'::regclass
                 AND dep.deptype = 'i')
            ELSE coalesce(pg_get_expr(ad.adbin, 0), d.default_expr) END,
       a.attgenerated <> '',
       a.attidentity <> ''
FROM rels r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN domains d ON d.domain_oid = a.atttypid
)sql";

// Primary keys and UNIQUE constraints of tables in the schemas (connamespace is always
// the table's schema), and foreign keys whose source or target is in the schemas. Keys
// come as attnum arrays: looking the names up here would cost an index probe per key
// column, while the assembly already has the columns. conparentid = 0 skips the clones
// PostgreSQL creates on partitions. Unique indexes without a constraint are left out on
// purpose, as PostgREST does, so that embedding cardinality matches it. Constraint oid
// order is creation order, which keeps each table's unique keys in declaration order.
constexpr std::string_view kConstraintsTail = R"sql(
SELECT con.contype, con.conname,
       con.conrelid, sn.nspname, sc.relname, con.conkey,
       con.confrelid, rn.nspname, rc.relname, con.confkey
FROM pg_constraint con
JOIN pg_class sc ON sc.oid = con.conrelid
JOIN pg_namespace sn ON sn.oid = sc.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f') AND con.conparentid = 0
  AND (con.connamespace IN (SELECT oid FROM wanted)
       OR (con.contype = 'f' AND rc.relnamespace IN (SELECT oid FROM wanted)))
ORDER BY con.oid
)sql";

// Column names of the relations outside the catalog at the far end of a foreign key
// (tables in other schemas, partitions), which the column query did not read. $1 is an
// oid[]; the query is skipped when there are none.
constexpr const char* kForeignAttributesSql = R"sql(
SELECT a.attrelid, a.attnum, a.attname
FROM pg_attribute a
WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
)sql";

// One row per parameter (one row with NULL parameter fields for a function without
// any). proallargtypes/proargmodes are NULL when every argument is IN, hence the
// proargtypes fallback; unnest() pads the shorter arrays with NULLs. Trigger and event
// trigger functions cannot be called directly, so they are not part of the API. The
// return type is looked through domains so a domain over a row type counts as composite.
constexpr std::string_view kFunctionsTail = R"sql(
SELECT p.oid, w.nspname, p.proname, p.provolatile, p.proretset,
       p.prorettype, format_type(p.prorettype, NULL),
       p.prorettype = 'void'::regtype,
       bt.typtype = 'c',
       rn.nspname, rc.relname,
       p.pronargdefaults,
       arg.ord, arg.type_oid, format_type(arg.type_oid, NULL), arg.mode, arg.name
FROM wanted w
JOIN pg_proc p ON p.pronamespace = w.oid
LEFT JOIN domains d ON d.domain_oid = p.prorettype
JOIN pg_type bt ON bt.oid = coalesce(d.base_oid, p.prorettype)
LEFT JOIN pg_class rc ON rc.oid = bt.typrelid AND rc.relkind IN ('r', 'v', 'm', 'f', 'p')
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN LATERAL unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]),
                         p.proargmodes, p.proargnames)
          WITH ORDINALITY AS arg (type_oid, mode, name, ord) ON true
WHERE p.prokind = 'f'
  AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
ORDER BY w.ord, p.proname COLLATE "C", p.oid, arg.ord
)sql";

// Every schema each type used by a function (returned, or taken by any parameter)
// reaches: its own, then through domains to their base type, arrays to their element,
// free-standing composite types to their attributes, ranges to their subtype and
// multiranges to their range. A public domain over a managed type, or a public composite
// with a managed field, reaches the managed schema. Table and view row types are not
// followed: their columns are the table's data, reachable as the table is. UNION (not
// ALL) keeps each (type, part) pair once, which also ends the recursion.
constexpr std::string_view kTypeSchemasTail = R"sql(,
  function_types (oid) AS (
    SELECT DISTINCT t.oid
    FROM wanted w
    JOIN pg_proc p ON p.pronamespace = w.oid AND p.prokind = 'f'
    CROSS JOIN LATERAL unnest(array_prepend(p.prorettype,
                                            coalesce(p.proallargtypes, p.proargtypes::oid[])))
               AS t (oid)
  ),
  type_parts (root, oid) AS (
    SELECT oid, oid FROM function_types
    UNION
    SELECT r.root, part.oid
    FROM type_parts r
    JOIN pg_type t ON t.oid = r.oid
    CROSS JOIN LATERAL (
      SELECT t.typbasetype WHERE t.typtype = 'd'
      UNION ALL
      SELECT t.typelem WHERE t.typcategory = 'A' AND t.typelem <> 0
      UNION ALL
      SELECT a.atttypid
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'c'
      WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT rg.rngsubtype FROM pg_range rg WHERE rg.rngtypid = t.oid
      UNION ALL
      SELECT rg.rngtypid FROM pg_range rg WHERE rg.rngmultitypid = t.oid
    ) AS part (oid)
  )
SELECT r.root, n.nspname
FROM type_parts r
JOIN pg_type t ON t.oid = r.oid
JOIN pg_namespace n ON n.oid = t.typnamespace
GROUP BY r.root, n.nspname
ORDER BY r.root, n.nspname COLLATE "C"
)sql";

// Views: the rule that defines each (its query tree as pg_node_tree text, parsed by
// view_target_origins()), for the relations $1 (an oid[]) that are views or materialized
// views; other relations come back with a NULL rule, so that the caller learns which of
// the origins it asked about are tables. Asked first for the catalog's views, then for the
// relations their columns come from, until no view is left unread (a view of a view).
constexpr const char* kViewRulesSql = R"sql(
SELECT c.oid, c.relkind, r.ev_action::text
FROM pg_class c
LEFT JOIN pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN'
                       AND c.relkind IN ('v', 'm')
WHERE c.oid = ANY ($1::oid[])
)sql";

// The primary keys and foreign keys of the tables $1 (an oid[]) that views expose columns
// of, wherever the tables are: an exposed view often stands for a table of a private
// schema. `unique` says whether a foreign key's columns are a primary or unique key of
// their table (the relationship is then one-to-one), compared as sets as the catalog's own
// relationships compare them.
constexpr const char* kViewKeyConstraintsSql = R"sql(
SELECT con.contype, con.conname,
       con.conrelid, sn.nspname, sc.relname, con.conkey,
       con.confrelid, rn.nspname, rc.relname, con.confkey,
       con.contype = 'f' AND EXISTS (
         SELECT 1 FROM pg_constraint u
         WHERE u.conrelid = con.conrelid AND u.contype IN ('p', 'u')
           AND u.conkey @> con.conkey AND u.conkey <@ con.conkey)
FROM pg_constraint con
JOIN pg_class sc ON sc.oid = con.conrelid
JOIN pg_namespace sn ON sn.oid = sc.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'f') AND con.conparentid = 0
  AND (con.conrelid = ANY ($1::oid[])
       OR (con.contype = 'f' AND con.confrelid = ANY ($1::oid[])))
ORDER BY con.oid
)sql";

// The full query texts, concatenated once per process.
struct Queries {
  std::string relations;
  std::string columns;
  std::string constraints;
  std::string functions;
  std::string type_schemas;
};

const Queries& queries() {
  static const Queries built = [] {
    const std::string prefix(kCommonCte);
    return Queries{prefix + std::string(kRelationsTail), prefix + std::string(kColumnsTail),
                   prefix + std::string(kConstraintsTail), prefix + std::string(kFunctionsTail),
                   prefix + std::string(kTypeSchemasTail)};
  }();
  return built;
}

// Result column positions, in the order of each SELECT list above.
enum RelationField : int { kRelOid, kRelSchema, kRelName, kRelKind, kRelUpdatable, kRelRowType };

enum ColumnField : int {
  kColRelOid,
  kColAttnum,
  kColName,
  kColType,
  kColBaseType,
  kColTypeOid,
  kColNullable,
  kColDefault,
  kColGenerated,
  kColIdentity,
};

enum ConstraintField : int {
  kConType,
  kConName,
  kConRelOid,
  kConSchema,
  kConTable,
  kConKey,
  kConRefRelOid,
  kConRefSchema,
  kConRefTable,
  kConRefKey,
};

enum AttributeField : int { kAttRelOid, kAttNum, kAttName };

enum ViewRuleField : int { kRuleRelOid, kRuleRelKind, kRuleAction };

// kViewKeyConstraintsSql: the constraint fields, then whether the key is unique.
constexpr int kConUnique = kConRefKey + 1;

enum FunctionField : int {
  kFnOid,
  kFnSchema,
  kFnName,
  kFnVolatility,
  kFnReturnsSet,
  kFnReturnTypeOid,
  kFnReturnType,
  kFnReturnsVoid,
  kFnReturnsCompositeType,
  kFnReturnRelSchema,
  kFnReturnRelName,
  kFnDefaultCount,
  kFnArgOrd,
  kFnArgTypeOid,
  kFnArgType,
  kFnArgMode,
  kFnArgName,
};

enum TypeSchemaField : int { kTsTypeOid, kTsSchema };

// pg_relation_is_updatable() reports one bit per CmdType (1 << CMD_x).
constexpr uint32_t kUpdatableBit = 1u << 2;
constexpr uint32_t kInsertableBit = 1u << 3;
constexpr uint32_t kDeletableBit = 1u << 4;

// attgenerated came with PostgreSQL 12; nothing older is supported.
constexpr int kMinServerVersion = 120000;

// ---------------------------------------------------------------------------------------
// libpq plumbing

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnCloser>;

struct ResultCloser {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultCloser>;

// libpq messages end in a newline and may span lines (a hint on a tab-indented second
// line); callers want one line, so every whitespace run that contains a line break
// becomes a single space and the ends are trimmed.
std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  bool pending_space = false;
  for (const char ch : message) {
    if (ch == '\n' || ch == '\r') {
      pending_space = true;
      continue;
    }
    if (pending_space && (ch == ' ' || ch == '\t')) continue;
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(ch);
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

// The text form of a text[] value: every element double-quoted, with the two characters
// that are special inside quotes (backslash and double quote) escaped.
std::string text_array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (const char ch : item) {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string oid_array_literal(const std::vector<uint32_t>& oids) {
  std::string out = "{";
  for (const uint32_t oid : oids) {
    if (out.size() > 1) out.push_back(',');
    out += std::to_string(oid);
  }
  out.push_back('}');
  return out;
}

// Parses the text form of an int2[] such as "{3,1}". Attnums are plain integers, so
// there is no quoting; a "[lo:hi]=" dimension prefix (never produced for constraint
// keys, which start at 1) is skipped rather than misread as numbers.
std::vector<int16_t> parse_attnums(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    const size_t equals = text.find('=');
    text.remove_prefix(equals == std::string_view::npos ? text.size() : equals + 1);
  }
  std::vector<int16_t> attnums;
  const char* pos = text.data();
  const char* const end = pos + text.size();
  while (pos < end) {
    int16_t value = 0;
    const auto [next, error] = std::from_chars(pos, end, value);
    if (error == std::errc()) {
      attnums.push_back(value);
      pos = next;
    } else {
      ++pos;  // a brace or a comma
    }
  }
  return attnums;
}

// Where a view's column comes from: PostgreSQL records, for each entry of a query's
// target list that is a plain column reference (renamed or not; not an expression, not
// a cast), the table and column it reads (resorigtbl, resorigcol; 0 otherwise).
struct TargetOrigin {
  int16_t resno = 0;   // the view's column (its attnum)
  uint32_t table = 0;  // the relation read, 0 when the entry is not a plain reference
  int16_t column = 0;
};

// A reader of the pg_node_tree text format (PostgreSQL's outfuncs.c): nodes are
// `{NAME :field value ...}`, lists `(...)`, and every other value one token, in which
// whitespace, parentheses, braces and backslashes are escaped with a backslash. A Const's
// value is the one field of several tokens (`:constvalue 4 [ 1 0 0 0 ]`); tokens that
// are not a field name are skipped, which covers it.
class NodeText {
 public:
  explicit NodeText(std::string_view text) : text_(text) {}

  // Moves past `expected` (after any whitespace); false when something else is there.
  bool take(char expected) {
    space();
    if (pos_ >= text_.size() || text_[pos_] != expected) return false;
    ++pos_;
    return true;
  }
  bool at(char expected) {
    space();
    return pos_ < text_.size() && text_[pos_] == expected;
  }
  bool done() {
    space();
    return pos_ >= text_.size();
  }
  std::string_view token() {
    space();
    const size_t begin = pos_;
    while (pos_ < text_.size()) {
      const char ch = text_[pos_];
      if (ch == '\\') {
        pos_ = std::min(pos_ + 2, text_.size());
        continue;
      }
      if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '(' || ch == ')' || ch == '{' ||
          ch == '}') {
        break;
      }
      ++pos_;
    }
    return text_.substr(begin, pos_ - begin);
  }
  // Skips one value: a node or list with everything in it, or a token.
  void skip() {
    space();
    if (pos_ >= text_.size()) return;
    if (text_[pos_] != '{' && text_[pos_] != '(') {
      token();
      return;
    }
    size_t depth = 0;
    while (pos_ < text_.size()) {
      const char ch = text_[pos_];
      if (ch == '\\') {
        pos_ = std::min(pos_ + 2, text_.size());
        continue;
      }
      ++pos_;
      if (ch == '{' || ch == '(') {
        ++depth;
      } else if (ch == '}' || ch == ')') {
        if (--depth == 0) return;
      }
    }
  }
  // Reads the fields of the node just entered (after its name) up to its closing brace,
  // calling on_field(name) at each field name: it either reads the value or returns
  // false to have it skipped. False when the text ends first.
  template <typename OnField>
  bool fields(OnField on_field) {
    while (!done()) {
      if (take('}')) return true;
      if (at('{') || at('(')) {
        skip();
        continue;
      }
      if (at(')')) return false;
      const std::string_view name = token();
      if (name.empty()) return false;
      if (name.front() == ':' && !on_field(name)) skip();
    }
    return false;
  }
  template <typename Number>
  Number number() {
    const std::string_view text = token();
    Number value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }

 private:
  void space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// The origins of a view's columns, from its rule's action (pg_rewrite.ev_action as text: a
// list holding the view's one Query). Only the Query's own target list counts: entries
// of subqueries, CTEs and sublinks describe other queries. Junk entries are not columns.
// Text it cannot follow gives no origins (the view then exposes no keys), never an error.
std::vector<TargetOrigin> view_target_origins(std::string_view action) {
  std::vector<TargetOrigin> origins;
  NodeText text(action);
  if (!text.take('(') || !text.take('{') || text.token() != "QUERY") return origins;
  bool ok = true;
  text.fields([&](std::string_view field) {
    if (field != ":targetList") return false;
    if (!text.take('(')) {
      text.token();  // <>: no columns
      return true;
    }
    while (!text.take(')')) {
      if (!text.take('{') || text.token() != "TARGETENTRY") {
        ok = false;
        return true;
      }
      TargetOrigin origin;
      bool junk = false;
      ok = ok && text.fields([&](std::string_view name) {
        if (name == ":resno") {
          origin.resno = text.number<int16_t>();
        } else if (name == ":resorigtbl") {
          origin.table = text.number<uint32_t>();
        } else if (name == ":resorigcol") {
          origin.column = text.number<int16_t>();
        } else if (name == ":resjunk") {
          junk = text.token() == "true";
        } else {
          return false;
        }
        return true;
      });
      if (!ok) return true;
      if (!junk && origin.resno > 0) origins.push_back(origin);
    }
    return true;
  });
  if (!ok) origins.clear();
  return origins;
}

// Libraries must not write to stderr behind the caller's back.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

// Typed, zero-copy reads of a text-format result. Values stay owned by the PGresult.
class Rows {
 public:
  explicit Rows(const PGresult* result) : result_(result), count_(PQntuples(result)) {}

  int count() const { return count_; }
  bool is_null(int row, int field) const { return PQgetisnull(result_, row, field) != 0; }
  std::string_view text(int row, int field) const {
    return {PQgetvalue(result_, row, field), static_cast<size_t>(PQgetlength(result_, row, field))};
  }
  std::string string(int row, int field) const { return std::string(text(row, field)); }
  std::optional<std::string> optional_string(int row, int field) const {
    if (is_null(row, field)) return std::nullopt;
    return string(row, field);
  }
  // Booleans come back as "t"/"f"; NULL reads as false.
  bool flag(int row, int field) const { return PQgetvalue(result_, row, field)[0] == 't'; }
  char code(int row, int field) const { return PQgetvalue(result_, row, field)[0]; }
  // Oids, attnums and small counts; NULL (an empty string) reads as 0.
  uint32_t number(int row, int field) const {
    const std::string_view value = text(row, field);
    uint32_t parsed = 0;
    std::from_chars(value.data(), value.data() + value.size(), parsed);
    return parsed;
  }

 private:
  const PGresult* result_;
  int count_;
};

// A connection that remembers the first failure as a one-line message.
class Session {
 public:
  explicit Session(PGconn* conn) : conn_(conn) {}

  const std::string& error() const { return error_; }

  // Runs statements that return no rows (simple protocol, so several may be chained).
  bool command(const char* sql, std::string_view what) {
    ResultHandle result(PQexec(conn_, sql));
    if (result && PQresultStatus(result.get()) == PGRES_COMMAND_OK) return true;
    fail(result.get(), what);
    return false;
  }

  // Runs a query with at most one parameter, in text format; `param` null for none.
  ResultHandle query(const char* sql, const char* param, std::string_view what) {
    const char* const values[] = {param};
    ResultHandle result(PQexecParams(conn_, sql, param != nullptr ? 1 : 0, nullptr,
                                     param != nullptr ? values : nullptr, nullptr, nullptr,
                                     /*resultFormat=*/0));
    if (result && PQresultStatus(result.get()) == PGRES_TUPLES_OK) return result;
    fail(result.get(), what);
    return nullptr;
  }

 private:
  void fail(const PGresult* result, std::string_view what) {
    // The primary message alone reads best on one line; the connection-level message
    // covers a NULL result (out of memory, connection lost).
    const char* primary =
        result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    error_ = "catalog introspection failed (" + std::string(what) +
             "): " + one_line(primary != nullptr ? primary : PQerrorMessage(conn_));
  }

  PGconn* conn_;
  std::string error_;
};

// ---------------------------------------------------------------------------------------
// Assembly

RelationKind relation_kind(char relkind) {
  switch (relkind) {
    case 'v':
      return RelationKind::view;
    case 'm':
      return RelationKind::materialized_view;
    case 'f':
      return RelationKind::foreign_table;
    case 'p':
      return RelationKind::partitioned_table;
    default:
      return RelationKind::table;
  }
}

Volatility volatility(char provolatile) {
  switch (provolatile) {
    case 'i':
      return Volatility::immutable;
    case 's':
      return Volatility::stable;
    default:
      return Volatility::volatile_;
  }
}

// NULL proargmodes means every argument is IN; the row then carries an empty mode.
ParamMode param_mode(std::string_view mode) {
  switch (mode.empty() ? 'i' : mode.front()) {
    case 'o':
      return ParamMode::out;
    case 'b':
      return ParamMode::inout;
    case 'v':
      return ParamMode::variadic;
    case 't':
      return ParamMode::table;
    default:
      return ParamMode::in;
  }
}

bool is_input(ParamMode mode) {
  return mode == ParamMode::in || mode == ParamMode::inout || mode == ParamMode::variadic;
}

// Marks the last `default_count` input parameters (pronargdefaults counts inputs only).
void mark_defaults(Function& function, uint32_t default_count) {
  for (auto it = function.params.rbegin(); it != function.params.rend() && default_count > 0;
       ++it) {
    if (!is_input(it->mode)) continue;
    it->has_default = true;
    --default_count;
  }
}

// Fills a Catalog from the query results, keeping what is needed to resolve keys: each
// relation's position by oid and its columns' attnums.
class CatalogBuilder {
 public:
  explicit CatalogBuilder(Catalog& catalog) : catalog_(catalog) {}

  static std::vector<std::string> strings(const Rows& rows) {
    std::vector<std::string> out;
    out.reserve(rows.count());
    for (int row = 0; row < rows.count(); ++row) out.push_back(rows.string(row, 0));
    return out;
  }

  void add_relations(const Rows& rows) {
    catalog_.relations.reserve(rows.count());
    relation_index_.reserve(rows.count());
    for (int row = 0; row < rows.count(); ++row) {
      relation_index_.emplace(rows.number(row, kRelOid),
                              static_cast<uint32_t>(catalog_.relations.size()));
      relation_oids_.push_back(rows.number(row, kRelOid));
      Relation& relation = catalog_.relations.emplace_back();
      relation.schema = rows.string(row, kRelSchema);
      relation.name = rows.string(row, kRelName);
      relation.kind = relation_kind(rows.code(row, kRelKind));
      const uint32_t updatable = rows.number(row, kRelUpdatable);
      relation.insertable = (updatable & kInsertableBit) != 0;
      relation.updatable = (updatable & kUpdatableBit) != 0;
      relation.deletable = (updatable & kDeletableBit) != 0;
      relation.row_type_oid = rows.number(row, kRelRowType);
    }
    attnums_.resize(catalog_.relations.size());
  }

  void add_columns(const Rows& rows) {
    uint32_t current_oid = 0;  // no relation has oid 0
    std::optional<uint32_t> index;
    for (int row = 0; row < rows.count(); ++row) {
      // Rows of one relation are adjacent in practice; look the relation up only when
      // the oid changes, but stay correct if they are not.
      if (const uint32_t oid = rows.number(row, kColRelOid); oid != current_oid) {
        current_oid = oid;
        index = find_relation(oid);
      }
      if (!index) continue;  // cannot happen: both queries read `rels` in one snapshot
      Column& column = catalog_.relations[*index].columns.emplace_back();
      column.name = rows.string(row, kColName);
      column.type = rows.string(row, kColType);
      column.base_type = rows.string(row, kColBaseType);
      column.type_oid = rows.number(row, kColTypeOid);
      column.nullable = rows.flag(row, kColNullable);
      column.default_expr = rows.optional_string(row, kColDefault);
      column.generated = rows.flag(row, kColGenerated);
      column.identity = rows.flag(row, kColIdentity);
      attnums_[*index].push_back(static_cast<int16_t>(rows.number(row, kColAttnum)));
    }
    for (uint32_t index = 0; index < catalog_.relations.size(); ++index) {
      sort_columns(catalog_.relations[index].columns, attnums_[index]);
    }
  }

  // The relations at either end of a foreign key in `rows` that are not in the catalog,
  // whose column names must be read separately.
  std::vector<uint32_t> foreign_relations(const Rows& rows) const {
    std::vector<uint32_t> oids;
    for (int row = 0; row < rows.count(); ++row) {
      if (rows.code(row, kConType) != 'f') continue;
      for (const int field : {kConRelOid, kConRefRelOid}) {
        const uint32_t oid = rows.number(row, field);
        if (!find_relation(oid)) oids.push_back(oid);
      }
    }
    std::sort(oids.begin(), oids.end());
    oids.erase(std::unique(oids.begin(), oids.end()), oids.end());
    return oids;
  }

  void add_foreign_attributes(const Rows& rows) {
    for (int row = 0; row < rows.count(); ++row) {
      attributes_read_.insert(rows.number(row, kAttRelOid));
      foreign_attributes_.emplace(attribute_key(rows.number(row, kAttRelOid),
                                                static_cast<int16_t>(rows.number(row, kAttNum))),
                                  rows.string(row, kAttName));
    }
  }

  // Returns false, with *error set, when a key names a column that was not read (which
  // would mean the queries disagree about the snapshot).
  bool add_constraints(const Rows& rows, std::string* error) {
    for (int row = 0; row < rows.count(); ++row) {
      const uint32_t relation_oid = rows.number(row, kConRelOid);
      const std::string_view attnums = rows.text(row, kConKey);
      if (const char type = rows.code(row, kConType); type != 'f') {
        // A primary or unique key. Those of relations the catalog does not expose (a
        // partition's own constraints) are dropped.
        const auto index = find_relation(relation_oid);
        if (!index) continue;
        std::vector<std::string> columns;
        if (!column_names(relation_oid, attnums, &columns)) {
          *error = unknown_column(rows, row, kConSchema, kConTable);
          return false;
        }
        Relation& relation = catalog_.relations[*index];
        if (type == 'p') {
          relation.primary_key = std::move(columns);
        } else {
          relation.unique_keys.push_back(std::move(columns));
        }
        continue;
      }
      ForeignKey& key = catalog_.foreign_keys.emplace_back();
      key.name = rows.string(row, kConName);
      key.schema = rows.string(row, kConSchema);
      key.table = rows.string(row, kConTable);
      key.ref_schema = rows.string(row, kConRefSchema);
      key.ref_table = rows.string(row, kConRefTable);
      if (!column_names(relation_oid, attnums, &key.columns)) {
        *error = unknown_column(rows, row, kConSchema, kConTable);
        return false;
      }
      if (!column_names(rows.number(row, kConRefRelOid), rows.text(row, kConRefKey),
                        &key.ref_columns) ||
          key.ref_columns.size() != key.columns.size()) {
        *error = unknown_column(rows, row, kConRefSchema, kConRefTable);
        return false;
      }
    }
    // Listed by name, so that snapshots diff well.
    std::sort(catalog_.foreign_keys.begin(), catalog_.foreign_keys.end(),
              [](const ForeignKey& a, const ForeignKey& b) {
                return std::tie(a.schema, a.table, a.name) < std::tie(b.schema, b.table, b.name);
              });
    return true;
  }

  // ---- Views (PostgREST's view key dependencies)

  // The catalog's views and materialized views, whose rules are read first.
  std::vector<uint32_t> view_oids() const {
    std::vector<uint32_t> oids;
    for (uint32_t index = 0; index < catalog_.relations.size(); ++index) {
      const RelationKind kind = catalog_.relations[index].kind;
      if (kind == RelationKind::view || kind == RelationKind::materialized_view) {
        oids.push_back(relation_oids_[index]);
      }
    }
    return oids;
  }

  void add_view_rules(const Rows& rows) {
    for (int row = 0; row < rows.count(); ++row) {
      const uint32_t oid = rows.number(row, kRuleRelOid);
      rules_read_.insert(oid);
      if (rows.is_null(row, kRuleAction)) continue;  // a table
      view_origins_[oid] = view_target_origins(rows.text(row, kRuleAction));
    }
  }

  // The relations that views read columns of and whose rules were not asked for yet:
  // views among them are followed to the tables beneath.
  std::vector<uint32_t> unread_origins() const {
    std::vector<uint32_t> oids;
    for (const auto& [view, origins] : view_origins_) {
      for (const TargetOrigin& origin : origins) {
        if (origin.table != 0 && !rules_read_.contains(origin.table)) oids.push_back(origin.table);
      }
    }
    std::sort(oids.begin(), oids.end());
    oids.erase(std::unique(oids.begin(), oids.end()), oids.end());
    return oids;
  }

  // Follows each column of the catalog's views down through views of views to the table
  // column it reads, and returns those tables. A chain is cut where a view's column is
  // not a plain reference; the depth bound only guards against a malformed rule.
  std::vector<uint32_t> resolve_view_origins() {
    std::vector<uint32_t> tables;
    for (const uint32_t view : view_oids()) {
      const auto found = view_origins_.find(view);
      if (found == view_origins_.end()) continue;
      std::vector<TargetOrigin>& resolved = base_origins_[view];
      for (TargetOrigin origin : found->second) {
        for (int depth = 0; origin.table != 0 && depth < 100; ++depth) {
          const auto below = view_origins_.find(origin.table);
          if (below == view_origins_.end()) break;  // a table
          const auto entry =
              std::find_if(below->second.begin(), below->second.end(),
                           [&](const TargetOrigin& e) { return e.resno == origin.column; });
          origin.table = entry == below->second.end() ? 0 : entry->table;
          origin.column = entry == below->second.end() ? 0 : entry->column;
        }
        if (origin.table == 0 || view_origins_.contains(origin.table)) continue;
        resolved.push_back(origin);
        tables.push_back(origin.table);
      }
    }
    std::sort(tables.begin(), tables.end());
    tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
    return tables;
  }

  // The relations at either end of the constraints in `rows` whose column names have not
  // been read.
  std::vector<uint32_t> unnamed_relations(const Rows& rows) const {
    std::vector<uint32_t> oids;
    for (int row = 0; row < rows.count(); ++row) {
      for (const int field : {kConRelOid, kConRefRelOid}) {
        const uint32_t oid = rows.number(row, field);
        if (oid != 0 && !find_relation(oid) && !attributes_read_.contains(oid)) {
          oids.push_back(oid);
        }
      }
    }
    std::sort(oids.begin(), oids.end());
    oids.erase(std::unique(oids.begin(), oids.end()), oids.end());
    return oids;
  }

  // The keys each view exposes (kViewKeyConstraintsSql rows), and the foreign keys they
  // name that the catalog does not have yet. After add_constraints().
  bool add_view_keys(const Rows& rows, std::string* error) {
    // The constraints on each table, and the foreign keys to it.
    std::unordered_map<uint32_t, std::vector<int>> declared_on;
    std::unordered_map<uint32_t, std::vector<int>> referencing;
    for (int row = 0; row < rows.count(); ++row) {
      declared_on[rows.number(row, kConRelOid)].push_back(row);
      if (rows.code(row, kConType) == 'f')
        referencing[rows.number(row, kConRefRelOid)].push_back(row);
    }
    std::vector<int> named;  // foreign keys a view key names
    const size_t first_key = catalog_.view_keys.size();
    for (uint32_t index = 0; index < catalog_.relations.size(); ++index) {
      const auto found = base_origins_.find(relation_oids_[index]);
      if (found == base_origins_.end()) continue;
      const Relation& view = catalog_.relations[index];
      const std::vector<TargetOrigin>& origins = found->second;
      // The view's columns exposing (table, attnum), in the view's column order.
      const auto exposing = [&](uint32_t table, int16_t attnum) {
        std::vector<std::string> names;
        for (const TargetOrigin& origin : origins) {
          if (origin.table != table || origin.column != attnum) continue;
          if (const std::string* name = column_name(relation_oids_[index], origin.resno)) {
            names.push_back(*name);
          }
        }
        return names;
      };
      std::vector<uint32_t> tables;
      for (const TargetOrigin& origin : origins) tables.push_back(origin.table);
      std::sort(tables.begin(), tables.end());
      tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
      const auto add = [&](uint32_t table, int row, ViewKeyKind kind) {
        const std::vector<int16_t> attnums = parse_attnums(
            rows.text(row, kind == ViewKeyKind::referenced_key ? kConRefKey : kConKey));
        ViewKey key;
        for (const int16_t attnum : attnums) {
          std::vector<std::string> names = exposing(table, attnum);
          if (names.empty()) return;  // only keys the view exposes whole
          key.columns.push_back(std::move(names));
        }
        if (key.columns.empty()) return;
        key.schema = view.schema;
        key.view = view.name;
        key.kind = kind;
        key.table_schema = rows.string(row, kConSchema);
        key.table = rows.string(row, kConTable);
        key.constraint = rows.string(row, kConName);
        key.unique = kind == ViewKeyKind::foreign_key && rows.flag(row, kConUnique);
        catalog_.view_keys.push_back(std::move(key));
        if (kind != ViewKeyKind::primary_key) named.push_back(row);
      };
      for (const uint32_t table : tables) {
        if (const auto on = declared_on.find(table); on != declared_on.end()) {
          for (const int row : on->second) {
            add(table, row,
                rows.code(row, kConType) == 'p' ? ViewKeyKind::primary_key
                                                : ViewKeyKind::foreign_key);
          }
        }
        if (const auto to = referencing.find(table); to != referencing.end()) {
          for (const int row : to->second) add(table, row, ViewKeyKind::referenced_key);
        }
      }
    }
    // Listed by view, then constraint, so that snapshots diff well.
    std::sort(catalog_.view_keys.begin() + static_cast<std::ptrdiff_t>(first_key),
              catalog_.view_keys.end(), [](const ViewKey& a, const ViewKey& b) {
                return std::tie(a.schema, a.view, a.table_schema, a.table, a.constraint, a.kind) <
                       std::tie(b.schema, b.view, b.table_schema, b.table, b.constraint, b.kind);
              });
    // The foreign keys between tables outside the schemas (the others are there already).
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    const auto listed = [&](const ForeignKey& key) {
      const auto at = std::lower_bound(catalog_.foreign_keys.begin(), catalog_.foreign_keys.end(),
                                       key, [](const ForeignKey& a, const ForeignKey& b) {
                                         return std::tie(a.schema, a.table, a.name) <
                                                std::tie(b.schema, b.table, b.name);
                                       });
      return at != catalog_.foreign_keys.end() && at->schema == key.schema &&
             at->table == key.table && at->name == key.name;
    };
    std::vector<ForeignKey> added;
    for (const int row : named) {
      ForeignKey key;
      key.name = rows.string(row, kConName);
      key.schema = rows.string(row, kConSchema);
      key.table = rows.string(row, kConTable);
      key.ref_schema = rows.string(row, kConRefSchema);
      key.ref_table = rows.string(row, kConRefTable);
      if (listed(key)) continue;
      if (!column_names(rows.number(row, kConRelOid), rows.text(row, kConKey), &key.columns)) {
        *error = unknown_column(rows, row, kConSchema, kConTable);
        return false;
      }
      if (!column_names(rows.number(row, kConRefRelOid), rows.text(row, kConRefKey),
                        &key.ref_columns) ||
          key.ref_columns.size() != key.columns.size()) {
        *error = unknown_column(rows, row, kConRefSchema, kConRefTable);
        return false;
      }
      added.push_back(std::move(key));
    }
    if (added.empty()) return true;
    std::move(added.begin(), added.end(), std::back_inserter(catalog_.foreign_keys));
    std::sort(catalog_.foreign_keys.begin(), catalog_.foreign_keys.end(),
              [](const ForeignKey& a, const ForeignKey& b) {
                return std::tie(a.schema, a.table, a.name) < std::tie(b.schema, b.table, b.name);
              });
    return true;
  }

  void add_functions(const Rows& rows) {
    uint32_t current_oid = 0;
    Function* function = nullptr;
    uint32_t default_count = 0;
    for (int row = 0; row < rows.count(); ++row) {
      // Rows are ordered by function, then parameter position.
      if (const uint32_t oid = rows.number(row, kFnOid);
          function == nullptr || oid != current_oid) {
        if (function != nullptr) mark_defaults(*function, default_count);
        current_oid = oid;
        function = &catalog_.functions.emplace_back();
        function->schema = rows.string(row, kFnSchema);
        function->name = rows.string(row, kFnName);
        function->volatility = volatility(rows.code(row, kFnVolatility));
        function->returns_set = rows.flag(row, kFnReturnsSet);
        function->return_type_oid = rows.number(row, kFnReturnTypeOid);
        function->return_type = rows.string(row, kFnReturnType);
        function->returns_void = rows.flag(row, kFnReturnsVoid);
        function->returns_composite = rows.flag(row, kFnReturnsCompositeType);
        function->return_relation_schema = rows.optional_string(row, kFnReturnRelSchema);
        function->return_relation_name = rows.optional_string(row, kFnReturnRelName);
        default_count = rows.number(row, kFnDefaultCount);
      }
      if (rows.is_null(row, kFnArgOrd)) continue;  // no parameters
      FunctionParam& param = function->params.emplace_back();
      param.name = rows.string(row, kFnArgName);  // NULL or '' when unnamed
      param.type = rows.string(row, kFnArgType);
      param.type_oid = rows.number(row, kFnArgTypeOid);
      param.mode = param_mode(rows.text(row, kFnArgMode));
      // OUT, INOUT and TABLE parameters make the result a row (a `record` whose columns
      // are those parameters), even when there is only one.
      if (param.mode != ParamMode::in && param.mode != ParamMode::variadic) {
        function->returns_composite = true;
      }
    }
    if (function != nullptr) mark_defaults(*function, default_count);
  }

  // Fills each function's return_type_schemas and each parameter's type_schemas from
  // the rows of kTypeSchemasTail (type oid, schema it reaches), in the rows' order.
  void add_type_schemas(const Rows& rows) {
    std::unordered_map<uint32_t, std::vector<std::string>> reached;
    for (int row = 0; row < rows.count(); ++row) {
      reached[rows.number(row, kTsTypeOid)].push_back(rows.string(row, kTsSchema));
    }
    const auto schemas_of = [&](uint32_t type_oid) {
      const auto found = reached.find(type_oid);
      return found == reached.end() ? std::vector<std::string>() : found->second;
    };
    for (Function& function : catalog_.functions) {
      function.return_type_schemas = schemas_of(function.return_type_oid);
      for (FunctionParam& param : function.params) param.type_schemas = schemas_of(param.type_oid);
    }
  }

 private:
  static uint64_t attribute_key(uint32_t relation_oid, int16_t attnum) {
    return (uint64_t{relation_oid} << 16) | static_cast<uint16_t>(attnum);
  }

  std::optional<uint32_t> find_relation(uint32_t oid) const {
    const auto found = relation_index_.find(oid);
    if (found == relation_index_.end()) return std::nullopt;
    return found->second;
  }

  // Puts columns in attnum order (a no-op check in practice), keeping attnums parallel.
  static void sort_columns(std::vector<Column>& columns, std::vector<int16_t>& attnums) {
    if (std::is_sorted(attnums.begin(), attnums.end())) return;
    std::vector<uint32_t> order(attnums.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return attnums[a] < attnums[b]; });
    std::vector<Column> sorted_columns;
    std::vector<int16_t> sorted_attnums;
    sorted_columns.reserve(columns.size());
    sorted_attnums.reserve(attnums.size());
    for (const uint32_t i : order) {
      sorted_columns.push_back(std::move(columns[i]));
      sorted_attnums.push_back(attnums[i]);
    }
    columns = std::move(sorted_columns);
    attnums = std::move(sorted_attnums);
  }

  const std::string* column_name(uint32_t relation_oid, int16_t attnum) const {
    if (const auto index = find_relation(relation_oid)) {
      const std::vector<int16_t>& attnums = attnums_[*index];
      const auto found = std::lower_bound(attnums.begin(), attnums.end(), attnum);
      if (found == attnums.end() || *found != attnum) return nullptr;
      return &catalog_.relations[*index].columns[found - attnums.begin()].name;
    }
    const auto found = foreign_attributes_.find(attribute_key(relation_oid, attnum));
    return found == foreign_attributes_.end() ? nullptr : &found->second;
  }

  // The names of the key columns `attnums_text` (an int2[] in text form), in key order.
  bool column_names(uint32_t relation_oid, std::string_view attnums_text,
                    std::vector<std::string>* names) const {
    const std::vector<int16_t> attnums = parse_attnums(attnums_text);
    names->reserve(attnums.size());
    for (const int16_t attnum : attnums) {
      const std::string* name = column_name(relation_oid, attnum);
      if (name == nullptr) return false;
      names->push_back(*name);
    }
    return !names->empty();
  }

  static std::string unknown_column(const Rows& rows, int row, int schema_field, int table_field) {
    return "catalog introspection failed (constraints): a column of constraint " +
           rows.string(row, kConName) + " on " + rows.string(row, schema_field) + "." +
           rows.string(row, table_field) + " was not found";
  }

  Catalog& catalog_;
  std::unordered_map<uint32_t, uint32_t> relation_index_;  // oid -> position in relations
  std::vector<std::vector<int16_t>> attnums_;              // per relation, parallel to its columns
  std::unordered_map<uint64_t, std::string> foreign_attributes_;  // see attribute_key()
  std::unordered_set<uint32_t> attributes_read_;  // relations in foreign_attributes_
  std::vector<uint32_t> relation_oids_;           // parallel to the catalog's relations
  std::unordered_set<uint32_t> rules_read_;       // relations kViewRulesSql was asked about
  // The origins of the columns of every view read, and of the catalog's views resolved
  // to table columns.
  std::unordered_map<uint32_t, std::vector<TargetOrigin>> view_origins_;
  std::unordered_map<uint32_t, std::vector<TargetOrigin>> base_origins_;
};

}  // namespace

std::shared_ptr<Catalog> introspect_catalog(const std::string& conninfo,
                                            const std::vector<std::string>& schemas,
                                            std::string* error) {
  std::string ignored;
  if (error == nullptr) error = &ignored;

  // Deduplicate (keeping the first occurrence) so a schema named twice is not
  // introspected twice. A NUL cannot pass through libpq's C strings, and no PostgreSQL
  // identifier contains one.
  std::vector<std::string> wanted;
  wanted.reserve(schemas.size());
  {
    std::unordered_set<std::string_view> seen;
    for (const std::string& schema : schemas) {
      if (schema.find('\0') != std::string::npos) {
        *error = "invalid schema name: contains a NUL character";
        return nullptr;
      }
      if (seen.insert(schema).second) wanted.push_back(schema);
    }
  }
  const std::string schemas_param = text_array_literal(wanted);

  ConnHandle conn(PQconnectdb(conninfo.c_str()));
  if (!conn) {
    *error = "cannot connect: out of memory";
    return nullptr;
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    *error = one_line(PQerrorMessage(conn.get()));
    if (error->empty()) *error = "cannot connect";
    return nullptr;
  }
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  if (PQserverVersion(conn.get()) < kMinServerVersion) {
    *error = "catalog introspection needs PostgreSQL 12 or later (server version " +
             std::to_string(PQserverVersion(conn.get())) + ")";
    return nullptr;
  }
  // Snapshot text is UTF-8 whatever the database or the client environment says.
  if (PQsetClientEncoding(conn.get(), "UTF8") != 0) {
    *error =
        "catalog introspection failed (client encoding): " + one_line(PQerrorMessage(conn.get()));
    return nullptr;
  }

  // Every early return closes the connection, which rolls the transaction back.
  Session session(conn.get());
  const auto fail = [&]() -> std::shared_ptr<Catalog> {
    *error = session.error();
    return nullptr;
  };
  if (!session.command(kBeginSql, "begin")) return fail();

  const Queries& sql = queries();
  const char* const param = schemas_param.c_str();
  const ResultHandle schema_rows = session.query(kSchemasSql, param, "schemas");
  if (!schema_rows) return fail();
  const ResultHandle role_rows = session.query(kRolesSql, nullptr, "roles");
  if (!role_rows) return fail();
  const ResultHandle relation_rows = session.query(sql.relations.c_str(), param, "relations");
  if (!relation_rows) return fail();
  const ResultHandle column_rows = session.query(sql.columns.c_str(), param, "columns");
  if (!column_rows) return fail();
  const ResultHandle constraint_rows = session.query(sql.constraints.c_str(), param, "constraints");
  if (!constraint_rows) return fail();

  auto catalog = std::make_shared<Catalog>();
  CatalogBuilder builder(*catalog);
  builder.add_relations(Rows(relation_rows.get()));
  builder.add_columns(Rows(column_rows.get()));

  // Foreign keys reaching outside the catalog need those tables' column names too.
  if (const std::vector<uint32_t> foreign = builder.foreign_relations(Rows(constraint_rows.get()));
      !foreign.empty()) {
    const std::string oids_param = oid_array_literal(foreign);
    const ResultHandle attribute_rows =
        session.query(kForeignAttributesSql, oids_param.c_str(), "foreign key columns");
    if (!attribute_rows) return fail();
    builder.add_foreign_attributes(Rows(attribute_rows.get()));
  }

  // Views: the origins of their columns, followed through views of views, and the keys
  // of the tables beneath (only when the schemas hold a view).
  ResultHandle view_key_rows;
  if (std::vector<uint32_t> pending = builder.view_oids(); !pending.empty()) {
    for (int round = 0; !pending.empty() && round < 100; ++round) {
      const std::string oids_param = oid_array_literal(pending);
      const ResultHandle rule_rows = session.query(kViewRulesSql, oids_param.c_str(), "views");
      if (!rule_rows) return fail();
      builder.add_view_rules(Rows(rule_rows.get()));
      pending = builder.unread_origins();
    }
    if (const std::vector<uint32_t> tables = builder.resolve_view_origins(); !tables.empty()) {
      const std::string oids_param = oid_array_literal(tables);
      view_key_rows = session.query(kViewKeyConstraintsSql, oids_param.c_str(), "view keys");
      if (!view_key_rows) return fail();
      if (const std::vector<uint32_t> unnamed =
              builder.unnamed_relations(Rows(view_key_rows.get()));
          !unnamed.empty()) {
        const std::string unnamed_param = oid_array_literal(unnamed);
        const ResultHandle attribute_rows =
            session.query(kForeignAttributesSql, unnamed_param.c_str(), "view key columns");
        if (!attribute_rows) return fail();
        builder.add_foreign_attributes(Rows(attribute_rows.get()));
      }
    }
  }

  const ResultHandle function_rows = session.query(sql.functions.c_str(), param, "functions");
  if (!function_rows) return fail();
  const ResultHandle type_schema_rows =
      session.query(sql.type_schemas.c_str(), param, "function type schemas");
  if (!type_schema_rows) return fail();
  if (!session.command("COMMIT", "commit")) return fail();

  catalog->schemas = CatalogBuilder::strings(Rows(schema_rows.get()));
  catalog->roles = CatalogBuilder::strings(Rows(role_rows.get()));
  if (!builder.add_constraints(Rows(constraint_rows.get()), error)) return nullptr;
  if (view_key_rows && !builder.add_view_keys(Rows(view_key_rows.get()), error)) return nullptr;
  builder.add_functions(Rows(function_rows.get()));
  builder.add_type_schemas(Rows(type_schema_rows.get()));

  catalog->finalize();
  return catalog;
}

}  // namespace pgrest
