// pgrest: the command-line form of the translation contract (translate-contract.md).
//
// Exit status: 0 when the tool did its job (a refused or malformed request is a result,
// not a failure), 1 when the catalog, the config, the database or stdin/stdout is
// unusable, 2 for a usage error. Every problem is exactly one line on stderr, because
// hosts and acceptance checks read it as one.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The C ABI only, as any other host of the library would use it.
#include "pgrest.h"

#ifndef PGREST_VERSION
#define PGREST_VERSION "unknown"
#endif

namespace {

constexpr int kExitUnusable = 1;
constexpr int kExitUsage = 2;

// One byte more than parse_request_json accepts (128 MiB): a longer request is cut here so
// memory stays bounded, and the kept prefix is still refused by parse_request_json with
// its ordinary 400 result, so the stream goes on.
constexpr size_t kMaxRequestBytes = (size_t{128} << 20) + 1;

constexpr std::string_view kMainHelp =
    "pgrest " PGREST_VERSION
    " - PostgREST-compatible query translator\n"
    "\n"
    "usage:\n"
    "  pgrest catalog --db CONNINFO [--schemas public,ai]\n"
    "  pgrest translate --catalog FILE [--config FILE] [--jsonl] [REQUEST_JSON]\n"
    "  pgrest --help | --version\n"
    "\n"
    "Run 'pgrest catalog --help' or 'pgrest translate --help' for details.\n";

constexpr std::string_view kTranslateHelp =
    "usage: pgrest translate --catalog FILE [--config FILE] [--jsonl] [REQUEST_JSON]\n"
    "\n"
    "Translates requests into SQL against a catalog snapshot (from 'pgrest catalog').\n"
    "  --catalog FILE  the catalog snapshot JSON (required)\n"
    "  --config FILE   the config JSON (default: the contract's defaults)\n"
    "  --jsonl         read one request per stdin line, write one result per line\n"
    "Without --jsonl, reads one request from REQUEST_JSON, or else all of stdin, and\n"
    "writes one result line. A refused or malformed request is a result with \"ok\": false.\n"
    "Exit status: 1 when the catalog or config is unusable, 2 on a usage error.\n";

std::string catalog_help() {
  return "usage: pgrest catalog --db CONNINFO [--schemas SCHEMA,...]\n"
         "\n"
         "Connects with libpq (CONNINFO is any libpq connection string or URI),\n"
         "introspects the schemas (default: " +
         std::string(pgrest_default_schemas()) +
         ", those of them that exist)\n"
         "and prints the catalog snapshot JSON on stdout. Every schema named in --schemas\n"
         "must exist.\n"
         "Exit status: 1 when it cannot connect or introspect or a schema does not exist,\n"
         "2 on a usage error.\n";
}

// Paths, arguments and library messages can hold newlines or control characters; they
// are flattened so a message stays one line whatever the input.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (byte < 0x20 || byte == 0x7F) {
      out += '?';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void print_error(std::string_view command, std::string_view message) noexcept {
  try {
    const std::string line = std::string(command) + ": " + one_line(message) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    std::fputs("pgrest: out of memory\n", stderr);
  }
  std::fflush(stderr);
}

int usage_error(std::string_view command, const std::string& message) {
  print_error(command, message + "; see pgrest --help");
  return kExitUsage;
}

std::string arg_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Writes text and flushes, so a host reading results line by line sees each at once.
bool write_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) return false;
  return std::fflush(stdout) == 0;
}

int stdout_failed(std::string_view command) {
  print_error(command, std::string("cannot write to stdout: ") + std::strerror(errno));
  return kExitUnusable;
}

int print_help(std::string_view text) {
  return write_stdout(text) ? 0 : stdout_failed("pgrest");
}

bool read_file(const std::string& path, std::string* contents, std::string* error) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) {
    *error = std::strerror(errno);
    return false;
  }
  contents->clear();
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    contents->append(buffer, got);
  }
  if (std::ferror(file.get())) {
    *error = std::strerror(errno);  // e.g. EISDIR when the path is a directory
    return false;
  }
  return true;
}

// Reads file descriptor 0 with read(2) rather than stdio: fread() waits until its whole
// buffer is full, so a host that writes one request and waits for the result would
// deadlock. Lines have no length limit of their own beyond kMaxRequestBytes, past which
// the rest of a line is read and dropped.
class StdinReader {
 public:
  // The next line without its '\n'. False at the end of input: a last line without '\n'
  // is still returned, but the empty text after a final '\n' is not a line.
  bool next_line(std::string& line) {
    line.clear();
    bool started = false;
    for (;;) {
      if (begin_ == end_ && !fill()) return started;
      const char* start = buffer_.data() + begin_;
      const size_t available = end_ - begin_;
      const auto* newline = static_cast<const char*>(std::memchr(start, '\n', available));
      const size_t length = newline != nullptr ? static_cast<size_t>(newline - start) : available;
      append_capped(line, start, length);
      started = true;
      if (newline != nullptr) {
        begin_ += length + 1;
        return true;
      }
      begin_ = end_;
    }
  }

  void read_all(std::string& text) {
    text.clear();
    while (begin_ != end_ || fill()) {
      append_capped(text, buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
    }
  }

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  static void append_capped(std::string& text, const char* data, size_t size) {
    if (text.size() < kMaxRequestBytes) {
      text.append(data, std::min(size, kMaxRequestBytes - text.size()));
    }
  }

  bool fill() {
    if (done_) return false;
    begin_ = 0;
    end_ = 0;
    for (;;) {
      const ssize_t got = ::read(STDIN_FILENO, buffer_.data(), buffer_.size());
      if (got > 0) {
        end_ = static_cast<size_t>(got);
        return true;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) error_ = std::strerror(errno);
      done_ = true;
      return false;
    }
  }

  std::vector<char> buffer_ = std::vector<char>(size_t{1} << 20);
  size_t begin_ = 0;
  size_t end_ = 0;
  bool done_ = false;
  std::string error_;
};

// Owners of the C ABI's handles.
struct CatalogDeleter {
  void operator()(pgrest_catalog* catalog) const noexcept { pgrest_catalog_destroy(catalog); }
};
struct EngineDeleter {
  void operator()(pgrest_engine* engine) const noexcept { pgrest_engine_destroy(engine); }
};
struct ResultDeleter {
  void operator()(pgrest_result* result) const noexcept { pgrest_result_destroy(result); }
};
using CatalogHandle = std::unique_ptr<pgrest_catalog, CatalogDeleter>;
using EngineHandle = std::unique_ptr<pgrest_engine, EngineDeleter>;
using ResultHandle = std::unique_ptr<pgrest_result, ResultDeleter>;

// The message of a failed C ABI call: the library's, else the status's name.
std::string take_error(char* message, pgrest_status status) {
  std::string text = message != nullptr ? std::string(message) : pgrest_status_string(status);
  pgrest_free_string(message);
  return text;
}

// A failure of the call itself (not a refused request) ends the tool like an exception
// from the engine did: main() reports it.
[[noreturn]] void throw_status(pgrest_status status) {
  if (status == PGREST_OUT_OF_MEMORY) throw std::bad_alloc();
  throw std::runtime_error(pgrest_status_string(status));
}

// One result line. A request that does not parse is answered like a refused one: the
// contract wants a result for every input, never a failure of the tool.
std::string translate_one(const pgrest_engine* engine, std::string_view json) {
  pgrest_result* raw = nullptr;
  const pgrest_status status = pgrest_translate_json(engine, json.data(), json.size(), &raw);
  const ResultHandle result(raw);
  if (status != PGREST_OK) throw_status(status);
  const char* text = pgrest_result_json(result.get());
  if (text == nullptr) throw std::bad_alloc();
  std::string out(text);
  out += '\n';
  return out;
}

// "--name VALUE" or "--name=VALUE".
enum class Take : uint8_t { no_match, taken, missing };

Take take_option(const std::vector<std::string_view>& args, size_t& i, std::string_view name,
                 std::optional<std::string>& value) {
  const std::string_view arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) return Take::missing;
    value = std::string(args[++i]);
    return Take::taken;
  }
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=') {
    value = std::string(arg.substr(name.size() + 1));
    return Take::taken;
  }
  return Take::no_match;
}

bool is_help(std::string_view arg) {
  return arg == "--help" || arg == "-h";
}

int run_catalog(const std::vector<std::string_view>& args) {
  constexpr std::string_view kCommand = "pgrest catalog";
  std::optional<std::string> db;
  std::optional<std::string> schema_list;
  for (size_t i = 0; i < args.size(); ++i) {
    if (is_help(args[i])) return print_help(catalog_help());
    bool matched = false;
    for (auto [name, value] : {std::pair{"--db", &db}, std::pair{"--schemas", &schema_list}}) {
      const Take take = take_option(args, i, name, *value);
      if (take == Take::missing) {
        return usage_error(kCommand, std::string("option ") + name + " needs a value");
      }
      matched = matched || take == Take::taken;
    }
    if (matched) continue;
    if (args[i].size() > 1 && args[i][0] == '-') {
      return usage_error(kCommand, "unknown option " + arg_quoted(args[i]));
    }
    return usage_error(kCommand, "unexpected argument " + arg_quoted(args[i]));
  }
  if (!db) return usage_error(kCommand, "missing --db CONNINFO");

  char* json = nullptr;
  char* message = nullptr;
  const pgrest_status status = pgrest_catalog_introspect(
      db->c_str(), schema_list ? schema_list->c_str() : nullptr, &json, &message);
  const std::unique_ptr<char, void (*)(char*)> owned_json(json, &pgrest_free_string);
  if (status == PGREST_INVALID_ARGUMENT && schema_list) {
    // The one invalid argument left is the list itself (an empty name).
    pgrest_free_string(message);
    return usage_error(kCommand, "--schemas has an empty schema name");
  }
  if (status == PGREST_OUT_OF_MEMORY) {
    pgrest_free_string(message);
    throw std::bad_alloc();
  }
  if (status != PGREST_OK) {
    // The message is libpq's or the introspection's; the conninfo (which may hold a
    // password) is never echoed.
    print_error(kCommand, take_error(message, status));
    return kExitUnusable;
  }
  if (!write_stdout(json)) return stdout_failed(kCommand);
  return 0;
}

int run_translate(const std::vector<std::string_view>& args) {
  constexpr std::string_view kCommand = "pgrest translate";
  std::optional<std::string> catalog_path;
  std::optional<std::string> config_path;
  bool jsonl = false;
  std::vector<std::string_view> positional;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    // A request is JSON, so it never starts with '-'; "--" is accepted all the same.
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (is_help(arg)) return print_help(kTranslateHelp);
    if (arg == "--jsonl") {
      jsonl = true;
      continue;
    }
    bool matched = false;
    for (auto [name, value] :
         {std::pair{"--catalog", &catalog_path}, std::pair{"--config", &config_path}}) {
      const Take take = take_option(args, i, name, *value);
      if (take == Take::missing) {
        return usage_error(kCommand, std::string("option ") + name + " needs a value");
      }
      matched = matched || take == Take::taken;
    }
    if (!matched) return usage_error(kCommand, "unknown option " + arg_quoted(arg));
  }
  if (!catalog_path) return usage_error(kCommand, "missing --catalog FILE");
  if (positional.size() > 1) return usage_error(kCommand, "more than one REQUEST_JSON argument");
  if (jsonl && !positional.empty()) {
    return usage_error(kCommand, "--jsonl reads requests from stdin, not from an argument");
  }

  std::string text;
  std::string error;
  if (!read_file(*catalog_path, &text, &error)) {
    print_error(kCommand, "cannot read catalog " + arg_quoted(*catalog_path) + ": " + error);
    return kExitUnusable;
  }
  pgrest_catalog* raw_catalog = nullptr;
  char* message = nullptr;
  pgrest_status status = pgrest_catalog_load_json(text.data(), text.size(), &raw_catalog, &message);
  const CatalogHandle catalog(raw_catalog);
  if (status != PGREST_OK) {
    if (status != PGREST_INVALID_JSON) {
      pgrest_free_string(message);
      throw_status(status);
    }
    print_error(kCommand, "invalid catalog snapshot " + arg_quoted(*catalog_path) + ": " +
                              take_error(message, status));
    return kExitUnusable;
  }
  text = std::string();  // the snapshot text is not needed any more
  if (config_path && !read_file(*config_path, &text, &error)) {
    print_error(kCommand, "cannot read config " + arg_quoted(*config_path) + ": " + error);
    return kExitUnusable;
  }
  // Without --config, NULL: the contract's defaults.
  pgrest_engine* raw_engine = nullptr;
  status = pgrest_engine_create(catalog.get(), config_path ? text.data() : nullptr, text.size(),
                                &raw_engine, &message);
  const EngineHandle engine(raw_engine);
  if (status != PGREST_OK) {
    if (status != PGREST_INVALID_JSON || !config_path) {
      pgrest_free_string(message);
      throw_status(status);
    }
    print_error(kCommand,
                "invalid config " + arg_quoted(*config_path) + ": " + take_error(message, status));
    return kExitUnusable;
  }
  text = std::string();

  StdinReader input;
  if (!jsonl) {
    std::string request;
    if (positional.empty()) {
      input.read_all(request);
    } else {
      request = std::string(positional.front());
    }
    if (!input.error().empty()) {
      print_error(kCommand, "cannot read stdin: " + input.error());
      return kExitUnusable;
    }
    if (!write_stdout(translate_one(engine.get(), request))) return stdout_failed(kCommand);
    return 0;
  }
  std::string line;
  while (input.next_line(line)) {
    if (!write_stdout(translate_one(engine.get(), line))) return stdout_failed(kCommand);
  }
  if (!input.error().empty()) {
    print_error(kCommand, "cannot read stdin: " + input.error());
    return kExitUnusable;
  }
  return 0;
}

int run(const std::vector<std::string_view>& args) {
  if (args.empty()) return usage_error("pgrest", "missing command");
  const std::string_view command = args.front();
  const std::vector<std::string_view> rest(args.begin() + 1, args.end());
  if (is_help(command)) return print_help(kMainHelp);
  if (command == "--version" || command == "-V") {
    return print_help("pgrest " PGREST_VERSION "\n");
  }
  if (command == "catalog") return run_catalog(rest);
  if (command == "translate") return run_translate(rest);
  if (command.size() > 1 && command[0] == '-') {
    return usage_error("pgrest", "unknown option " + arg_quoted(command));
  }
  return usage_error("pgrest", "unknown command " + arg_quoted(command));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string_view>(argv + 1, argv + argc));
  } catch (const std::exception& exception) {
    // No allocation here: the exception may well be bad_alloc.
    print_error("pgrest: internal error", exception.what());
  } catch (...) {
    print_error("pgrest", "internal error");
  }
  return kExitUnusable;
}
