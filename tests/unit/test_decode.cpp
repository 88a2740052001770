// Unit tests of stage 1 (decode/query_string.hpp: query string, percent-decoding, path)
// and of the request-header grammars (parse/headers.hpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decode/query_string.hpp"
#include "parse/headers.hpp"

namespace {

using namespace pgrest;  // NOLINT

using Pair = std::pair<std::string, std::optional<std::string>>;
using Pairs = std::vector<Pair>;

Pairs ToPairs(const arena::Vector<decode::QueryParam>& params) {
  Pairs out;
  for (const decode::QueryParam& param : params) out.emplace_back(param.key, param.value);
  return out;
}

constexpr size_t kManyParams = 512;

// ------------------------------------------------------------------ query string

TEST(DecodeQueryString, SplitsAndDecodes) {
  const std::pair<std::string, Pairs> cases[] = {
      {"", {}},
      {"a=1&b=2", {{"a", "1"}, {"b", "2"}}},
      {"a=x+y", {{"a", "x y"}}},
      {"a+b=1", {{"a b", "1"}}},
      {"a=%2B", {{"a", "+"}}},
      {"a=%2b", {{"a", "+"}}},
      {"a=%22", {{"a", "\""}}},
      {"a=%25", {{"a", "%"}}},
      {"a=%2541", {{"a", "%41"}}},
      {"a=%20x%20", {{"a", " x "}}},
      {"a=%zz", {{"a", "%zz"}}},
      {"a=%z1", {{"a", "%z1"}}},
      {"a=x%", {{"a", "x%"}}},
      {"a=x%4", {{"a", "x%4"}}},
      {"a=%2", {{"a", "%2"}}},
      {"a=%%41", {{"a", "%A"}}},
      {"a=", {{"a", ""}}},
      {"a", {{"a", std::nullopt}}},
      {"a&b", {{"a", std::nullopt}, {"b", std::nullopt}}},
      {"a=&b", {{"a", ""}, {"b", std::nullopt}}},
      {"a=1&&b=2", {{"a", "1"}, {"b", "2"}}},
      {"&&&", {}},
      {"&a=1&", {{"a", "1"}}},
      {"=x", {{"", "x"}}},
      {"=", {{"", ""}}},
      {"a=b=c", {{"a", "b=c"}}},
      {"a=x%26b=c", {{"a", "x&b=c"}}},
      {"a%3Db=c", {{"a=b", "c"}}},
      {"a=%C3%A9", {{"a", "\xC3\xA9"}}},
      {"a=%c3%a9", {{"a", "\xC3\xA9"}}},
      {"%C3%A9=1", {{"\xC3\xA9", "1"}}},
      {"a=%E2%82%AC", {{"a", "\xE2\x82\xAC"}}},
      {"a=%F0%9F%98%80", {{"a", "\xF0\x9F\x98\x80"}}},
      {"a=na\xC3\xAFve", {{"a", "na\xC3\xAFve"}}},
      {"select=id,name&id=eq.1&order=id.desc",
       {{"select", "id,name"}, {"id", "eq.1"}, {"order", "id.desc"}}},
      {"a=1&a=2", {{"a", "1"}, {"a", "2"}}},
  };
  for (const auto& [raw, expected] : cases) {
    SCOPED_TRACE("?" + raw);
    const auto result = decode::decode_query_string(raw, kManyParams);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(ToPairs(*result), expected);
  }
}

// PostgreSQL text cannot hold NUL and identifiers end there (found by fuzz_translate).
TEST(DecodeQueryString, RefusesNul) {
  for (const char* raw : {"a=%00", "a%00=1", "select=metadata->%00"}) {
    SCOPED_TRACE(raw);
    const auto result = decode::decode_query_string(raw, 100);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "PGRST100");
    EXPECT_EQ(result.error().status, 400);
  }
  EXPECT_EQ(decode::decode_path("/fi%00lms").error().code, "PGRST125");
}

TEST(DecodeQueryString, InvalidUtf8IsRefused) {
  const std::pair<std::string, std::string> cases[] = {
      {"a=%C3%28", "The value of a is not valid UTF-8 after percent-decoding"},
      {"a=%FF", "The value of a is not valid UTF-8 after percent-decoding"},
      {"a=%C3", "The value of a is not valid UTF-8 after percent-decoding"},
      {"a=%ED%A0%80", "The value of a is not valid UTF-8 after percent-decoding"},
      {"a=%C0%80", "The value of a is not valid UTF-8 after percent-decoding"},
      {"a=%F4%90%80%80", "The value of a is not valid UTF-8 after percent-decoding"},
      {"a=\xFF", "The value of a is not valid UTF-8 after percent-decoding"},
      {"ok=1&b=x%80", "The value of b is not valid UTF-8 after percent-decoding"},
      {"%FF=1", "The parameter name is not valid UTF-8 after percent-decoding"},
      {"%FF", "The parameter name is not valid UTF-8 after percent-decoding"},
  };
  for (const auto& [raw, details] : cases) {
    SCOPED_TRACE("?" + raw);
    const auto result = decode::decode_query_string(raw, kManyParams);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 400);
    EXPECT_EQ(result.error().code, "PGRST100");
    EXPECT_EQ(result.error().message, "Invalid UTF-8 in the query string");
    EXPECT_EQ(result.error().details.value_or(""), details);
  }
}

TEST(DecodeQueryString, TooManyParams) {
  const auto three = decode::decode_query_string("a=1&b&c=3", 3);
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three->size(), 3u);

  // Empty segments do not count.
  const auto with_empty = decode::decode_query_string("&a=1&&b=2&&&c=3&", 3);
  ASSERT_TRUE(with_empty.ok()) << with_empty.error().message;
  EXPECT_EQ(with_empty->size(), 3u);

  const auto four = decode::decode_query_string("a=1&b&c=3&d=", 3);
  ASSERT_FALSE(four.ok());
  EXPECT_EQ(four.error().status, 400);
  EXPECT_EQ(four.error().code, "PGRX101");
  EXPECT_EQ(four.error().message, "Request exceeds a limit");
  EXPECT_EQ(four.error().details.value_or(""), "The query string has more than 3 parameters");

  const auto none_allowed = decode::decode_query_string("a=1", 0);
  ASSERT_FALSE(none_allowed.ok());
  EXPECT_EQ(none_allowed.error().code, "PGRX101");
  EXPECT_EQ(none_allowed.error().details.value_or(""),
            "The query string has more than 0 parameters");
}

TEST(DecodePercent, PlusAsSpaceOnlyWhenAsked) {
  const struct {
    std::string text;
    std::string without_plus;
    std::string with_plus;
  } cases[] = {
      {"a+b", "a+b", "a b"}, {"a%2Bb", "a+b", "a+b"},  {"a%20b", "a b", "a b"},
      {"++", "++", "  "},    {"%41%42", "AB", "AB"},   {"%4g", "%4g", "%4g"},
      {"%", "%", "%"},       {"100%", "100%", "100%"}, {"", "", ""},
      {"%2F", "/", "/"},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.text);
    EXPECT_EQ(decode::percent_decode(row.text, false), row.without_plus);
    EXPECT_EQ(decode::percent_decode(row.text, true), row.with_plus);
  }
}

// ------------------------------------------------------------------ path

using Kind = decode::Target::Kind;

TEST(DecodePath, Targets) {
  const struct {
    std::string path;
    Kind kind;
    std::string name;
  } cases[] = {
      {"/films", Kind::relation, "films"},
      {"films", Kind::relation, "films"},
      {"/rpc/add", Kind::function, "add"},
      {"/rpc", Kind::relation, "rpc"},
      {"/", Kind::root, ""},
      {"", Kind::root, ""},
      {"/films%20x", Kind::relation, "films x"},
      {"/films+x", Kind::relation, "films+x"},
      {"/na%C3%AFve", Kind::relation, "na\xC3\xAFve"},
      {"/rpc/%C3%A9", Kind::function, "\xC3\xA9"},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.path);
    const auto result = decode::decode_path(row.path);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(static_cast<int>(result->kind), static_cast<int>(row.kind));
    EXPECT_EQ(result->name, row.name);
  }
}

TEST(DecodePath, InvalidPaths) {
  const std::string cases[] = {"/a/b", "//films", "/rpc/a/b", "/rpc//add",
                               "//",   "/a//",    "/x/rpc",   "/RPC/add"};
  for (const std::string& path : cases) {
    SCOPED_TRACE(path);
    const auto result = decode::decode_path(path);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 404);
    EXPECT_EQ(result.error().code, "PGRST125");
    EXPECT_EQ(result.error().message, "Invalid path specified in request URL");
    EXPECT_FALSE(result.error().details.has_value());
  }
}

TEST(DecodePath, InvalidUtf8) {
  const std::string cases[] = {"/%FF", "/rpc/%C3%28", "/\xFF"};
  for (const std::string& path : cases) {
    SCOPED_TRACE(path);
    const auto result = decode::decode_path(path);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 404);
    EXPECT_EQ(result.error().code, "PGRST125");
    EXPECT_EQ(result.error().details.value_or(""), "The path is not valid UTF-8");
  }
}

// In PostgREST a trailing slash is an empty path segment (WAI pathInfo ["films",""]),
// which is not a valid resource path.
TEST(DecodePath, TrailingSlashIsAnEmptySegment) {
  for (const std::string_view path : {"/rpc/", "/films/"}) {
    SCOPED_TRACE(path);
    const auto result = decode::decode_path(path);
    ASSERT_FALSE(result.ok()) << "kind " << static_cast<int>(result->kind) << " name "
                              << result->name;
    EXPECT_EQ(result.error().code, "PGRST125");
  }
}

// Regression: the whole path is percent-decoded before it is split on `/`, so an
// encoded slash (%2F) inside a name acts as a separator: `/rpc%2Fadd` calls function add
// and `/a%2Fb` is a 404. Segments must be split first, then decoded (as WAI does), making
// these the relations "rpc/add" and "a/b".
TEST(DecodePath, EncodedSlashIsPartOfTheName) {
  for (const std::string_view path : {"/rpc%2Fadd", "/a%2Fb"}) {
    SCOPED_TRACE(path);
    const auto result = decode::decode_path(path);
    ASSERT_TRUE(result.ok()) << result.error().code;
    EXPECT_EQ(static_cast<int>(result->kind), static_cast<int>(Kind::relation));
    EXPECT_EQ(result->name, path == "/a%2Fb" ? "a/b" : "rpc/add");
  }
}

// ------------------------------------------------------------------ Accept

std::string Describe(const headers::MediaRange& range) {
  std::string out = range.type + "/" + range.subtype;
  for (const auto& [name, value] : range.params) out += ";" + name + "=" + value;
  char quality[32];
  std::snprintf(quality, sizeof quality, " q=%g", range.quality);
  return out + quality;
}

std::vector<std::string> Describe(const std::vector<headers::MediaRange>& ranges) {
  std::vector<std::string> out;
  for (const headers::MediaRange& range : ranges) out.push_back(Describe(range));
  return out;
}

TEST(HeadersAccept, ParsesAndOrdersByQuality) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {"application/json", {"application/json q=1"}},
      {"*/*", {"*/* q=1"}},
      {"Application/JSON", {"application/json q=1"}},
      {"TEXT/CSV;Q=0.3", {"text/csv q=0.3"}},
      {"text/csv;q=0.5, application/json", {"application/json q=1", "text/csv q=0.5"}},
      {"text/plain;q=0.1,text/csv;q=0.9,application/json",
       {"application/json q=1", "text/csv q=0.9", "text/plain q=0.1"}},
      {"text/*;q=0.8, */*;q=0.1", {"text/* q=0.8", "*/* q=0.1"}},
      // Equal q-values: the more specific first (parameters minus wildcards), as wai's
      // parseHttpAccept orders them for PostgREST.
      {"*/*, text/csv", {"text/csv q=1", "*/* q=1"}},
      {"text/*,*/*,a/b", {"a/b q=1", "text/* q=1", "*/* q=1"}},
      {"a/b,a/c;nulls=stripped", {"a/c;nulls=stripped q=1", "a/b q=1"}},
      {"*/*;q=0.5,text/csv;q=0.4", {"*/* q=0.5", "text/csv q=0.4"}},
      // Stable for equal q-values.
      {"a/b;q=0.5,c/d;q=0.5,e/f", {"e/f q=1", "a/b q=0.5", "c/d q=0.5"}},
      {"a/b,c/d", {"a/b q=1", "c/d q=1"}},
      {"application/vnd.pgrst.object+json;nulls=stripped",
       {"application/vnd.pgrst.object+json;nulls=stripped q=1"}},
      {"application/vnd.pgrst.plan+json;for=\"application/json\";options=analyze|verbose",
       {"application/vnd.pgrst.plan+json;for=application/json;options=analyze|verbose q=1"}},
      {"a/b;CharSet=\"UTF-8\"", {"a/b;charset=UTF-8 q=1"}},
      {"a/b;x=1;q=0.5;y=2", {"a/b;x=1;y=2 q=0.5"}},
      {"a/b ; q=0.25", {"a/b q=0.25"}},
      {"a/b;q=\"0.5\"", {"a/b q=0.5"}},
      {"a/b;x=\"a\\\"b\"", {"a/b;x=a\"b q=1"}},
      {"a/b;q=2", {"a/b q=1"}},
      {"a/b;q=-1", {"a/b q=0"}},
      {"a/b;q=0", {"a/b q=0"}},
      {"a/b;q=abc", {"a/b q=0"}},
      {"a/b, ,c/d", {"a/b q=1", "c/d q=1"}},
      {"a/b,", {"a/b q=1"}},
      {",a/b", {"a/b q=1"}},
      {"a/b,\tc/d", {"a/b q=1", "c/d q=1"}},
      {"", {}},
      {", ,", {}},
  };
  for (const auto& [header, expected] : cases) {
    SCOPED_TRACE("Accept: " + header);
    const auto result = headers::parse_accept(header);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(Describe(*result), expected);
  }
}

TEST(HeadersAccept, GarbageIsNullopt) {
  const std::string cases[] = {"garbage", "a/",     "/b",
                               "a/b;",    "a/b;x",  "text/html extra",
                               "a b/c",   "a/b;=1", "a/b;x=\"unterminated",
                               "a/b/c"};
  for (const std::string& header : cases) {
    SCOPED_TRACE("Accept: " + header);
    const auto result = headers::parse_accept(header);
    EXPECT_FALSE(result.has_value()) << Describe(*result).size() << " ranges";
  }
}

// ------------------------------------------------------------------ Prefer

TEST(HeadersPrefer, SplitsIntoTrimmedTokens) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {"return=representation", {"return=representation"}},
      {"return=minimal, count=exact", {"return=minimal", "count=exact"}},
      {"handling=strict,tx=rollback", {"handling=strict", "tx=rollback"}},
      {" a ,  b,,c ", {"a", "b", "c"}},
      {"\ta\t,\tb", {"a", "b"}},
      {"missing=default; x", {"missing=default; x"}},
      {"", {}},
      {",", {}},
      {" , , ", {}},
  };
  for (const auto& [header, expected] : cases) {
    SCOPED_TRACE("Prefer: " + header);
    EXPECT_EQ(headers::parse_prefer(header), expected);
  }
}

// ------------------------------------------------------------------ Range

TEST(HeadersRange, Parses) {
  const struct {
    std::string header;
    int64_t first;
    std::optional<int64_t> last;
  } cases[] = {
      {"0-9", 0, 9},
      {"5-", 5, std::nullopt},
      {"10-5", 10, 5},
      {"007-010", 7, 10},
      {"0-0", 0, 0},
      {"9223372036854775807-", INT64_MAX, std::nullopt},
      {"0-9223372036854775807", 0, INT64_MAX},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE("Range: " + row.header);
    const auto result = headers::parse_range(row.header);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->first, row.first);
    EXPECT_EQ(result->last, row.last);
  }
}

TEST(HeadersRange, IgnoredForms) {
  const std::string cases[] = {"a-b",
                               "-5",
                               "items=0-9",
                               "99999999999999999999-1",
                               "0-99999999999999999999",
                               "9223372036854775808-",
                               "",
                               "-",
                               " 0-9",
                               "0-9 ",
                               "0-9,20-29",
                               "0",
                               "0--9",
                               "+1-2"};
  for (const std::string& header : cases) {
    SCOPED_TRACE("Range: " + header);
    const auto result = headers::parse_range(header);
    EXPECT_FALSE(result.has_value()) << result->first;
  }
}

// ------------------------------------------------------------------ Cookie

TEST(HeadersCookies, Parses) {
  using Cookies = std::vector<std::pair<std::string, std::string>>;
  const std::pair<std::string, Cookies> cases[] = {
      {"a=1; b=2", {{"a", "1"}, {"b", "2"}}},
      {"a=1;b=2", {{"a", "1"}, {"b", "2"}}},
      {"a=1;\tb=2", {{"a", "1"}, {"b", "2"}}},
      {"a=1 ; b=2", {{"a", "1"}, {"b", "2"}}},
      {"a=\"x y\"; b=2", {{"a", "x y"}, {"b", "2"}}},
      {"a=\"q\\\"x\"", {{"a", "q\"x"}}},
      {"a=\"\"", {{"a", ""}}},
      {"a=", {{"a", ""}}},
      {"a=1=2", {{"a", "1=2"}}},
      {"junk; a=1; =x; b", {{"a", "1"}}},
      {";;a=1", {{"a", "1"}}},
      {"a=1;", {{"a", "1"}}},
      {" a = 1 ", {}},
      {"", {}},
      {"session=abc.def-ghi_jkl", {{"session", "abc.def-ghi_jkl"}}},
      {"a=1; a=2", {{"a", "1"}, {"a", "2"}}},
  };
  for (const auto& [header, expected] : cases) {
    SCOPED_TRACE("Cookie: " + header);
    EXPECT_EQ(headers::parse_cookies(header), expected);
  }
}

}  // namespace
