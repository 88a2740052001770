// The contract JSON helpers: config and request parsing, result and error rendering.
// Rendered JSON is always checked by parsing it back with simdjson, never by comparing
// text, so the tests hold the contract's shape rather than one formatting of it.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pgrest/engine.hpp"

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// A parsed document together with the parser that owns its memory.
struct Parsed {
  std::unique_ptr<simdjson::dom::parser> parser = std::make_unique<simdjson::dom::parser>();
  element root;
};

Parsed reparse(const std::string& json) {
  Parsed parsed;
  const auto code = parsed.parser->parse(simdjson::padded_string(json)).get(parsed.root);
  EXPECT_EQ(code, simdjson::SUCCESS) << "not valid JSON: " << json;
  return parsed;
}

std::vector<std::string> keys_of(element value) {
  std::vector<std::string> keys;
  object obj;
  EXPECT_EQ(value.get(obj), simdjson::SUCCESS);
  for (const auto field : obj) keys.emplace_back(field.key);
  return keys;
}

std::string string_at(element value, std::string_view key) {
  std::string_view text;
  EXPECT_EQ(value[key].get(text), simdjson::SUCCESS) << key;
  return std::string(text);
}

int64_t int_at(element value, std::string_view key) {
  int64_t number = 0;
  EXPECT_EQ(value[key].get(number), simdjson::SUCCESS) << key;
  return number;
}

bool bool_at(element value, std::string_view key) {
  bool flag = false;
  EXPECT_EQ(value[key].get(flag), simdjson::SUCCESS) << key;
  return flag;
}

bool null_at(element value, std::string_view key) {
  element member;
  return value[key].get(member) == simdjson::SUCCESS && member.is_null();
}

// ---------------------------------------------------------------------------------------
// Config

std::string config_error(std::string_view json) {
  std::string error;
  EXPECT_FALSE(pgrest::parse_config_json(json, &error).has_value()) << json;
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << "messages are one line";
  return error;
}

TEST(ConfigJson, EmptyObjectKeepsDefaults) {
  std::string error;
  const auto config = pgrest::parse_config_json("{}", &error);
  ASSERT_TRUE(config.has_value()) << error;
  const pgrest::Config defaults;
  EXPECT_EQ(config->schemas, std::vector<std::string>{"public"});
  EXPECT_EQ(config->managed_schemas, std::vector<std::string>{"ai"});
  EXPECT_EQ(config->anon_role, std::optional<std::string>("anon"));
  EXPECT_EQ(config->role_claim_key, ".role");
  EXPECT_FALSE(config->max_rows.has_value());
  EXPECT_FALSE(config->pre_request.has_value());
  EXPECT_FALSE(config->aggregates_enabled);
  EXPECT_EQ(config->limits.max_query_bytes, defaults.limits.max_query_bytes);
  EXPECT_EQ(config->limits.max_nesting, defaults.limits.max_nesting);
  EXPECT_EQ(config->limits.max_list_items, defaults.limits.max_list_items);
}

TEST(ConfigJson, ContractDefaultsDocumentParses) {
  std::string error;
  const auto config = pgrest::parse_config_json(R"({
    "schemas": ["public"], "managed_schemas": ["ai"], "anon_role": "anon",
    "role_claim_key": ".role", "max_rows": null, "pre_request": null,
    "aggregates_enabled": false})",
                                                &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(config->anon_role, std::optional<std::string>("anon"));
  EXPECT_FALSE(config->max_rows.has_value());
}

TEST(ConfigJson, EveryKey) {
  std::string error;
  const auto config = pgrest::parse_config_json(R"({
    "schemas": ["api", "public"],
    "managed_schemas": [],
    "anon_role": null,
    "role_claim_key": ".app.role",
    "max_rows": 0,
    "pre_request": "auth.check",
    "aggregates_enabled": true,
    "limits": {"max_query_bytes": 1, "max_path_bytes": 2, "max_header_bytes": 3,
               "max_body_bytes": 4, "max_query_params": 5, "max_nesting": 6,
               "max_list_items": 7}})",
                                                &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(config->schemas, (std::vector<std::string>{"api", "public"}));
  EXPECT_TRUE(config->managed_schemas.empty());
  EXPECT_FALSE(config->anon_role.has_value());
  EXPECT_EQ(config->role_claim_key, ".app.role");
  EXPECT_EQ(config->max_rows, std::optional<int64_t>(0));
  EXPECT_EQ(config->pre_request, std::optional<std::string>("auth.check"));
  EXPECT_TRUE(config->aggregates_enabled);
  EXPECT_EQ(config->limits.max_query_bytes, 1u);
  EXPECT_EQ(config->limits.max_path_bytes, 2u);
  EXPECT_EQ(config->limits.max_header_bytes, 3u);
  EXPECT_EQ(config->limits.max_body_bytes, 4u);
  EXPECT_EQ(config->limits.max_query_params, 5u);
  EXPECT_EQ(config->limits.max_nesting, 6u);
  EXPECT_EQ(config->limits.max_list_items, 7u);
}

TEST(ConfigJson, PartialLimitsKeepOtherDefaults) {
  std::string error;
  const auto config = pgrest::parse_config_json(R"({"limits": {"max_nesting": 8}})", &error);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(config->limits.max_nesting, 8u);
  EXPECT_EQ(config->limits.max_body_bytes, pgrest::Limits{}.max_body_bytes);
  EXPECT_EQ(config->max_rows, std::nullopt);
}

TEST(ConfigJson, LargeMaxRows) {
  const auto config = pgrest::parse_config_json(R"({"max_rows": 9223372036854775807})", nullptr);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->max_rows, std::optional<int64_t>(INT64_MAX));
}

TEST(ConfigJson, UnknownKeyIsNamed) {
  EXPECT_NE(config_error(R"({"schemas": ["public"], "max_row": 10})").find("max_row"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"limits": {"max_depth": 3}})").find("limits.max_depth"),
            std::string::npos);
}

TEST(ConfigJson, UnknownKeyWithControlCharactersStaysOneLine) {
  const std::string error = config_error("{\"bad\\nkey\": 1}");
  EXPECT_NE(error.find("bad\\nkey"), std::string::npos) << error;
}

TEST(ConfigJson, WrongTypesNameKeyAndExpectedType) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"schemas": "public"})", "schemas"},
      {R"({"schemas": []})", "schemas"},
      {R"({"schemas": [1]})", "schemas"},
      {R"({"schemas": [""]})", "schemas"},
      {R"({"schemas": null})", "schemas"},
      {R"({"managed_schemas": "ai"})", "managed_schemas"},
      {R"({"managed_schemas": [null]})", "managed_schemas"},
      {R"({"anon_role": 1})", "anon_role"},
      {R"({"anon_role": false})", "anon_role"},
      {R"({"role_claim_key": null})", "role_claim_key"},
      {R"({"role_claim_key": ["a"]})", "role_claim_key"},
      {R"({"max_rows": -1})", "max_rows"},
      {R"({"max_rows": 1.5})", "max_rows"},
      {R"({"max_rows": "10"})", "max_rows"},
      {R"({"max_rows": 18446744073709551615})", "max_rows"},
      {R"({"pre_request": {}})", "pre_request"},
      {R"({"aggregates_enabled": "true"})", "aggregates_enabled"},
      {R"({"aggregates_enabled": 1})", "aggregates_enabled"},
      {R"({"aggregates_enabled": null})", "aggregates_enabled"},
      {R"({"limits": []})", "limits"},
      {R"({"limits": null})", "limits"},
      {R"({"limits": {"max_nesting": 0}})", "limits.max_nesting"},
      {R"({"limits": {"max_nesting": -4}})", "limits.max_nesting"},
      {R"({"limits": {"max_body_bytes": "1"}})", "limits.max_body_bytes"},
      {R"({"limits": {"max_list_items": 2.0}})", "limits.max_list_items"},
  };
  for (const auto& [json, key] : cases) {
    const std::string error = config_error(json);
    EXPECT_NE(error.find("\"" + std::string(key) + "\""), std::string::npos)
        << json << " -> " << error;
    EXPECT_NE(error.find("expected"), std::string::npos) << json << " -> " << error;
  }
}

TEST(ConfigJson, MessagesSayWhatWasExpected) {
  EXPECT_NE(config_error(R"({"aggregates_enabled": 1})").find("true or false"), std::string::npos);
  EXPECT_NE(config_error(R"({"max_rows": -1})").find("non-negative integer"), std::string::npos);
  EXPECT_NE(config_error(R"({"anon_role": 1})").find("string or null"), std::string::npos);
  EXPECT_NE(config_error(R"({"limits": {"max_nesting": 0}})").find("positive integer"),
            std::string::npos);
}

TEST(ConfigJson, DuplicateKeysAreRefused) {
  EXPECT_NE(config_error(R"({"managed_schemas": ["ai"], "managed_schemas": []})").find("duplicate"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"limits": {"max_nesting": 2, "max_nesting": 3}})")
                .find("limits.max_nesting"),
            std::string::npos);
}

TEST(ConfigJson, NotJsonOrNotAnObject) {
  EXPECT_NE(config_error("{").find("JSON"), std::string::npos);
  EXPECT_NE(config_error("").find("JSON"), std::string::npos);
  EXPECT_NE(config_error("[]").find("object"), std::string::npos);
  EXPECT_NE(config_error("null").find("object"), std::string::npos);
}

TEST(ConfigJson, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(pgrest::parse_config_json("{\"x\": 1}", nullptr).has_value());
}

// ---------------------------------------------------------------------------------------
// Request

pgrest::Request parse_ok(std::string_view json) {
  auto parsed = pgrest::parse_request_json(json);
  if (const auto* error = std::get_if<pgrest::Error>(&parsed)) {
    ADD_FAILURE() << json << " -> " << error->details.value_or("(no details)");
    return {};
  }
  return std::get<pgrest::Request>(std::move(parsed));
}

// Every invalid request is the same 400 refusal; only details vary.
std::string parse_refused(std::string_view json) {
  auto parsed = pgrest::parse_request_json(json);
  const auto* error = std::get_if<pgrest::Error>(&parsed);
  if (error == nullptr) {
    ADD_FAILURE() << "accepted: " << json.substr(0, 200);
    return {};
  }
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->code, "PGRX001");
  EXPECT_EQ(error->message, "Invalid translation request");
  EXPECT_FALSE(error->hint.has_value());
  EXPECT_TRUE(error->details.has_value());
  return error->details.value_or("");
}

TEST(RequestJson, Minimal) {
  const pgrest::Request request = parse_ok(R"({"method":"GET","path":"/films"})");
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path, "/films");
  EXPECT_EQ(request.query, "");
  EXPECT_TRUE(request.headers.empty());
  EXPECT_FALSE(request.body.has_value());
  EXPECT_FALSE(request.claims_json.has_value());
  EXPECT_FALSE(request.via_api_layer);
}

TEST(RequestJson, Full) {
  const pgrest::Request request = parse_ok(R"({
    "method": "POST",
    "path": "/rpc/f%20x",
    "query": "select=id,title&year=gte.2000",
    "headers": {"Prefer": "count=exact", "Accept": "application/json"},
    "body": "{\"a\": 1}",
    "claims": {"role": "authenticated", "sub": "7c1e"},
    "via_api_layer": true
  })");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/rpc/f%20x");
  EXPECT_EQ(request.query, "select=id,title&year=gte.2000");
  ASSERT_EQ(request.headers.size(), 2u);
  EXPECT_EQ(request.headers[0], (std::pair<std::string, std::string>{"Prefer", "count=exact"}));
  EXPECT_EQ(request.headers[1],
            (std::pair<std::string, std::string>{"Accept", "application/json"}));
  EXPECT_EQ(request.body, std::optional<std::string>("{\"a\": 1}"));
  EXPECT_EQ(request.claims_json,
            std::optional<std::string>(R"({"role":"authenticated","sub":"7c1e"})"));
  EXPECT_TRUE(request.via_api_layer);
}

TEST(RequestJson, NullOptionalsAreAbsent) {
  const pgrest::Request request = parse_ok(
      R"({"method":"GET","path":"/a","query":null,"headers":null,"body":null,"claims":null})");
  EXPECT_EQ(request.query, "");
  EXPECT_TRUE(request.headers.empty());
  EXPECT_FALSE(request.body.has_value());
  EXPECT_FALSE(request.claims_json.has_value());
}

TEST(RequestJson, EmptyBodyIsNotNull) {
  const pgrest::Request request = parse_ok(R"({"method":"POST","path":"/a","body":""})");
  EXPECT_EQ(request.body, std::optional<std::string>(""));
}

TEST(RequestJson, ClaimsAreMinified) {
  const pgrest::Request request = parse_ok(
      "{\"method\":\"GET\",\"path\":\"/a\",\"claims\":{\n  \"role\" : \"web\\u00e9\\\"x\" ,\n"
      "  \"nested\" : { \"list\" : [ 1 , 2.5 , true , null , \"\\n\" ] },\n  \"empty\": {}\n}}");
  ASSERT_TRUE(request.claims_json.has_value());
  const std::string& claims = *request.claims_json;
  EXPECT_EQ(claims.find(' '), std::string::npos) << claims;
  EXPECT_EQ(claims.find('\n'), std::string::npos) << claims;
  const Parsed reparsed = reparse(claims);
  EXPECT_EQ(keys_of(reparsed.root), (std::vector<std::string>{"role", "nested", "empty"}));
  EXPECT_EQ(string_at(reparsed.root, "role"), "web\xC3\xA9\"x");
  simdjson::dom::array list;
  ASSERT_EQ(reparsed.root["nested"]["list"].get(list), simdjson::SUCCESS);
  EXPECT_EQ(list.size(), 5u);
  std::string_view newline;
  ASSERT_EQ(list.at(4).get(newline), simdjson::SUCCESS);
  EXPECT_EQ(newline, "\n");
}

TEST(RequestJson, EmptyClaimsObjectIsKept) {
  const pgrest::Request request = parse_ok(R"({"method":"GET","path":"/a","claims":{}})");
  EXPECT_EQ(request.claims_json, std::optional<std::string>("{}"));
}

TEST(RequestJson, HeadersKeepNamesAndOrder) {
  const pgrest::Request request = parse_ok(R"({"method":"GET","path":"/a","headers":{
    "x-Z": "1", "Accept": "text/csv", "a": "", "PREFER": "return=minimal", "accept": "x"}})");
  const std::vector<std::pair<std::string, std::string>> expected = {{"x-Z", "1"},
                                                                     {"Accept", "text/csv"},
                                                                     {"a", ""},
                                                                     {"PREFER", "return=minimal"},
                                                                     {"accept", "x"}};
  EXPECT_EQ(request.headers, expected);
}

TEST(RequestJson, UnknownKeysAreIgnored) {
  const pgrest::Request request =
      parse_ok(R"({"method":"GET","future":{"x":[1]},"path":"/a","trace_id":7})");
  EXPECT_EQ(request.path, "/a");
}

TEST(RequestJson, InvalidJson) {
  for (const std::string_view json :
       {std::string_view("{"), std::string_view(""), std::string_view("garbage"),
        std::string_view("{\"method\":\"GET\",\"path\":\"/a\"} extra"),
        std::string_view("{\"method\":\"GET\" \"path\":\"/a\"}"),
        std::string_view("{\"method\":\"GET\",\"path\":\"/\xFF\"}")}) {
    EXPECT_NE(parse_refused(json).find("not valid JSON"), std::string::npos) << json;
  }
}

TEST(RequestJson, NotAnObject) {
  for (const std::string_view json : {"[]", "null", "\"GET /a\"", "42"}) {
    EXPECT_NE(parse_refused(json).find("object"), std::string::npos) << json;
  }
}

TEST(RequestJson, MissingRequiredFields) {
  EXPECT_NE(parse_refused(R"({"path":"/a"})").find("\"method\""), std::string::npos);
  EXPECT_NE(parse_refused(R"({"method":"GET"})").find("\"path\""), std::string::npos);
  EXPECT_NE(parse_refused("{}").find("required"), std::string::npos);
}

TEST(RequestJson, WrongTypesNameTheField) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"method":1,"path":"/a"})", "\"method\""},
      {R"({"method":null,"path":"/a"})", "\"method\""},
      {R"({"method":"GET","path":["/a"]})", "\"path\""},
      {R"({"method":"GET","path":null})", "\"path\""},
      {R"({"method":"GET","path":"/a","query":{}})", "\"query\""},
      {R"({"method":"GET","path":"/a","query":5})", "\"query\""},
      {R"({"method":"GET","path":"/a","headers":[]})", "\"headers\""},
      {R"({"method":"GET","path":"/a","headers":"Accept: x"})", "\"headers\""},
      {R"({"method":"GET","path":"/a","headers":{"Accept":1}})", "\"Accept\""},
      {R"({"method":"GET","path":"/a","headers":{"Accept":null}})", "\"Accept\""},
      {R"({"method":"GET","path":"/a","headers":{"Accept":["x"]}})", "\"Accept\""},
      {R"({"method":"GET","path":"/a","body":{"a":1}})", "\"body\""},
      {R"({"method":"GET","path":"/a","body":false})", "\"body\""},
      {R"({"method":"GET","path":"/a","claims":"{}"})", "\"claims\""},
      {R"({"method":"GET","path":"/a","claims":[]})", "\"claims\""},
      {R"({"method":"GET","path":"/a","claims":true})", "\"claims\""},
  };
  for (const auto& [json, field] : cases) {
    const std::string details = parse_refused(json);
    EXPECT_NE(details.find(field), std::string::npos) << json << " -> " << details;
  }
}

TEST(RequestJson, ViaApiLayerMustBeABoolean) {
  EXPECT_FALSE(parse_ok(R"({"method":"GET","path":"/a","via_api_layer":false})").via_api_layer);
  EXPECT_TRUE(parse_ok(R"({"method":"GET","path":"/a","via_api_layer":true})").via_api_layer);
  for (const std::string_view json : {
           R"({"method":"GET","path":"/a","via_api_layer":"true"})",
           R"({"method":"GET","path":"/a","via_api_layer":1})",
           R"({"method":"GET","path":"/a","via_api_layer":null})",
           R"({"method":"GET","path":"/a","via_api_layer":{}})",
       }) {
    EXPECT_NE(parse_refused(json).find("\"via_api_layer\""), std::string::npos) << json;
  }
}

TEST(RequestJson, DuplicateKnownKeysAreRefused) {
  EXPECT_NE(parse_refused(R"({"method":"GET","path":"/a","via_api_layer":false,
                              "via_api_layer":true})")
                .find("\"via_api_layer\""),
            std::string::npos);
  EXPECT_NE(parse_refused(R"({"method":"GET","path":"/a","path":"/b"})").find("\"path\""),
            std::string::npos);
}

TEST(RequestJson, OversizedInputIsRefusedBeforeParsing) {
  // Not even valid JSON: the size check must come first.
  const std::string huge((size_t{128} << 20) + 1, ' ');
  EXPECT_NE(parse_refused(huge).find("larger than"), std::string::npos);
}

TEST(RequestJson, LargeDocumentsParse) {
  // Above the size where the per-thread parser is reused.
  const std::string body(3 << 20, 'x');
  const pgrest::Request request =
      parse_ok(R"({"method":"POST","path":"/a","body":")" + body + "\"}");
  EXPECT_EQ(request.body, std::optional<std::string>(body));
  EXPECT_EQ(parse_ok(R"({"method":"GET","path":"/small"})").path, "/small");
}

// ---------------------------------------------------------------------------------------
// Result

pgrest::Translation sample_translation() {
  pgrest::Translation translation;
  translation.status = 201;
  translation.read_only = false;
  translation.rollback = true;
  translation.media_type = "text/csv";
  translation.singular = true;
  translation.prelude.sql = "select set_config('role', $1, true)";
  translation.prelude.params = {std::string("anon"), std::nullopt};
  translation.query.sql = "select 1";
  translation.query.params = {std::string("2000")};
  return translation;
}

TEST(ResultJson, Success) {
  const std::string json = pgrest::result_to_json(pgrest::Result(sample_translation()));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  const Parsed parsed = reparse(json);
  EXPECT_EQ(keys_of(parsed.root),
            (std::vector<std::string>{"ok", "status", "read_only", "rollback", "media_type",
                                      "singular", "prelude", "query"}));
  EXPECT_TRUE(bool_at(parsed.root, "ok"));
  EXPECT_EQ(int_at(parsed.root, "status"), 201);
  EXPECT_FALSE(bool_at(parsed.root, "read_only"));
  EXPECT_TRUE(bool_at(parsed.root, "rollback"));
  EXPECT_EQ(string_at(parsed.root, "media_type"), "text/csv");
  EXPECT_TRUE(bool_at(parsed.root, "singular"));

  const element prelude = parsed.root["prelude"];
  EXPECT_EQ(keys_of(prelude), (std::vector<std::string>{"sql", "params"}));
  EXPECT_EQ(string_at(prelude, "sql"), "select set_config('role', $1, true)");
  simdjson::dom::array params;
  ASSERT_EQ(prelude["params"].get(params), simdjson::SUCCESS);
  ASSERT_EQ(params.size(), 2u);
  std::string_view first;
  ASSERT_EQ(params.at(0).get(first), simdjson::SUCCESS);
  EXPECT_EQ(first, "anon");
  EXPECT_TRUE(params.at(1).is_null());

  const element query = parsed.root["query"];
  EXPECT_EQ(string_at(query, "sql"), "select 1");
  ASSERT_EQ(query["params"].get(params), simdjson::SUCCESS);
  ASSERT_EQ(params.size(), 1u);
}

TEST(ResultJson, EmptyStatementsAndDefaults) {
  const std::string json = pgrest::result_to_json(pgrest::Result(pgrest::Translation{}));
  const Parsed parsed = reparse(json);
  EXPECT_EQ(int_at(parsed.root, "status"), 200);
  EXPECT_TRUE(bool_at(parsed.root, "read_only"));
  EXPECT_FALSE(bool_at(parsed.root, "rollback"));
  EXPECT_EQ(string_at(parsed.root, "media_type"), "application/json");
  EXPECT_FALSE(bool_at(parsed.root, "singular"));
  EXPECT_EQ(string_at(parsed.root["prelude"], "sql"), "");
  simdjson::dom::array params;
  ASSERT_EQ(parsed.root["query"]["params"].get(params), simdjson::SUCCESS);
  EXPECT_EQ(params.size(), 0u);
}

TEST(ResultJson, CountQueryOnlyWhenPresent) {
  pgrest::Translation translation = sample_translation();
  {
    const Parsed parsed = reparse(pgrest::result_to_json(pgrest::Result(translation)));
    EXPECT_EQ(parsed.root["count_query"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_EQ(parsed.root["count_threshold"].error(), simdjson::NO_SUCH_FIELD);
  }
  translation.count_query = pgrest::Statement{"explain (format json) select $1", {"x"}};
  translation.count_threshold = 1000;
  const Parsed parsed = reparse(pgrest::result_to_json(pgrest::Result(translation)));
  EXPECT_EQ(keys_of(parsed.root).back(), "count_threshold");
  EXPECT_EQ(string_at(parsed.root["count_query"], "sql"), "explain (format json) select $1");
  simdjson::dom::array params;
  ASSERT_EQ(parsed.root["count_query"]["params"].get(params), simdjson::SUCCESS);
  EXPECT_EQ(params.size(), 1u);
  EXPECT_EQ(int_at(parsed.root, "count_threshold"), 1000);

  translation.count_threshold.reset();
  const Parsed without_threshold = reparse(pgrest::result_to_json(pgrest::Result(translation)));
  EXPECT_EQ(without_threshold.root["count_threshold"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_TRUE(without_threshold.root["count_query"].is_object());
}

TEST(ResultJson, RefusalWithNulls) {
  const pgrest::Error error{404, "PGRST205", "Could not find the table", std::nullopt,
                            std::nullopt};
  const std::string json = pgrest::result_to_json(pgrest::Result(error));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  const Parsed parsed = reparse(json);
  EXPECT_EQ(keys_of(parsed.root), (std::vector<std::string>{"ok", "status", "error"}));
  EXPECT_FALSE(bool_at(parsed.root, "ok"));
  EXPECT_EQ(int_at(parsed.root, "status"), 404);
  const element body = parsed.root["error"];
  EXPECT_EQ(keys_of(body), (std::vector<std::string>{"code", "message", "details", "hint"}));
  EXPECT_EQ(string_at(body, "code"), "PGRST205");
  EXPECT_EQ(string_at(body, "message"), "Could not find the table");
  EXPECT_TRUE(null_at(body, "details"));
  EXPECT_TRUE(null_at(body, "hint"));
}

TEST(ResultJson, RefusalWithDetailsAndHint) {
  const pgrest::Error error{400, "PGRST100", "failed to parse", "unexpected \"x\"",
                            "try \"select=*\""};
  const Parsed parsed = reparse(pgrest::result_to_json(pgrest::Result(error)));
  EXPECT_EQ(string_at(parsed.root["error"], "details"), "unexpected \"x\"");
  EXPECT_EQ(string_at(parsed.root["error"], "hint"), "try \"select=*\"");
}

TEST(ResultJson, ErrorToJsonIsTheErrorObject) {
  const pgrest::Error error{406, "PGRST116", "JSON object requested", "0 rows", std::nullopt};
  const std::string json = pgrest::error_to_json(error);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  const Parsed parsed = reparse(json);
  EXPECT_EQ(keys_of(parsed.root), (std::vector<std::string>{"code", "message", "details", "hint"}));
  EXPECT_EQ(string_at(parsed.root, "code"), "PGRST116");
  EXPECT_EQ(string_at(parsed.root, "details"), "0 rows");
  EXPECT_TRUE(null_at(parsed.root, "hint"));
}

TEST(ResultJson, EscapesQuotesControlCharactersAndInvalidUtf8) {
  const std::string tricky = std::string("a\"b\\c\nd\re\tf") + '\0' + "\x01\x1f\x7f" +
                             "\xC3\xA9 \xF0\x9F\x98\x80 </script>";
  const std::string invalid = "x\xFFy\xC3";  // a stray byte and a truncated sequence
  pgrest::Translation translation;
  translation.query.sql = tricky;
  translation.query.params = {tricky, invalid, std::nullopt, std::string()};
  translation.prelude.sql = invalid;
  const std::string json = pgrest::result_to_json(pgrest::Result(translation));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.find('\r'), std::string::npos);
  const Parsed parsed = reparse(json);  // simdjson also validates UTF-8
  EXPECT_EQ(string_at(parsed.root["query"], "sql"), tricky);
  EXPECT_EQ(string_at(parsed.root["prelude"], "sql"), "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  simdjson::dom::array params;
  ASSERT_EQ(parsed.root["query"]["params"].get(params), simdjson::SUCCESS);
  ASSERT_EQ(params.size(), 4u);
  std::string_view text;
  ASSERT_EQ(params.at(0).get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, tricky);
  ASSERT_EQ(params.at(1).get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  EXPECT_TRUE(params.at(2).is_null());
  ASSERT_EQ(params.at(3).get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "");

  const pgrest::Error error{400, "PGRST100", tricky, invalid, tricky};
  const Parsed refused = reparse(pgrest::result_to_json(pgrest::Result(error)));
  EXPECT_EQ(string_at(refused.root["error"], "message"), tricky);
  EXPECT_EQ(string_at(refused.root["error"], "details"), "x\xEF\xBF\xBDy\xEF\xBF\xBD");
}

TEST(ResultJson, RequestErrorRendersAsA400Result) {
  auto parsed = pgrest::parse_request_json("not json");
  ASSERT_TRUE(std::holds_alternative<pgrest::Error>(parsed));
  const Parsed result =
      reparse(pgrest::result_to_json(pgrest::Result(std::get<pgrest::Error>(parsed))));
  EXPECT_FALSE(bool_at(result.root, "ok"));
  EXPECT_EQ(int_at(result.root, "status"), 400);
  EXPECT_EQ(string_at(result.root["error"], "code"), "PGRX001");
  EXPECT_TRUE(null_at(result.root["error"], "hint"));
}

}  // namespace

// Found by fuzz_request_json: config values the engine would otherwise ignore quietly.
TEST(ConfigJsonValidation, RefusesUnusableRoleClaimKeysAndPreRequests) {
  for (const char* json : {R"({"role_claim_key":"role"})", R"({"role_claim_key":""})",
                           R"({"pre_request":".check_request"})", R"({"pre_request":"public."})",
                           R"({"pre_request":""})", R"({"pre_request":"a.b.c"})"}) {
    std::string error;
    EXPECT_FALSE(pgrest::parse_config_json(json, &error).has_value()) << json;
    EXPECT_FALSE(error.empty());
  }
  for (const char* json :
       {R"({"role_claim_key":".app_metadata.roles[0]"})",
        R"({"pre_request":"public.check_request"})", R"({"pre_request":"check_request"})"}) {
    std::string error;
    EXPECT_TRUE(pgrest::parse_config_json(json, &error).has_value()) << json << ": " << error;
  }
}
