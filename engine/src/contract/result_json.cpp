// The contract's result JSON: one line, keys in the contract's order, optional members
// only when present. Strings go through json::append_string, so SQL or parameters holding
// quotes, control characters or invalid UTF-8 still give valid JSON.
#include <string>

#include "common/json_writer.hpp"
#include "pgrest/engine.hpp"

namespace pgrest {

namespace {

void write_statement(json::Writer& writer, std::string_view key, const Statement& statement) {
  writer.key(key).begin_object().key("sql").value(statement.sql).key("params").begin_array();
  for (const Param& param : statement.params) writer.value(param);
  writer.end_array().end_object();
}

void write_error(json::Writer& writer, const Error& error) {
  // One key and its value per line, so the code reads like the contract.
  // clang-format off
  writer.begin_object()
      .key("code").value(error.code)
      .key("message").value(error.message);
  // clang-format on
  // PGRST201 sends its candidates as a JSON array, as PostgREST does.
  if (error.details && error.details_is_json) {
    writer.key("details").raw(*error.details);
  } else {
    writer.key("details").value(error.details);
  }
  writer.key("hint").value(error.hint).end_object();
}

}  // namespace

std::string result_to_json(const Result& result) {
  std::string out;
  json::Writer writer(out);
  writer.begin_object();
  if (!result.ok()) {
    const Error& error = result.error();
    writer.key("ok").value(false).key("status").value(error.status).key("error");
    write_error(writer, error);
    writer.end_object();
    return out;
  }
  const Translation& translation = result.translation();
  // clang-format off
  writer.key("ok").value(true)
      .key("status").value(translation.status)
      .key("read_only").value(translation.read_only)
      .key("rollback").value(translation.rollback)
      .key("media_type").value(translation.media_type)
      .key("singular").value(translation.singular);
  // clang-format on
  write_statement(writer, "prelude", translation.prelude);
  write_statement(writer, "query", translation.query);
  if (translation.count_query) write_statement(writer, "count_query", *translation.count_query);
  if (translation.count_threshold) {
    writer.key("count_threshold").value(*translation.count_threshold);
  }
  if (translation.max_affected) writer.key("max_affected").value(*translation.max_affected);
  if (translation.expect_one_row) writer.key("expect_one_row").value(true);
  writer.end_object();
  return out;
}

std::string error_to_json(const Error& error) {
  std::string out;
  json::Writer writer(out);
  write_error(writer, error);
  return out;
}

}  // namespace pgrest
