// Engine::translate: the stages called in order. Each stage returns a value or an Error;
// nothing throws past this file.
#include <new>
#include <optional>
#include <utility>

#include "common/arena.hpp"
#include "common/errors.hpp"
#include "decode/query_string.hpp"
#include "emit/emit.hpp"
#include "parse/parse.hpp"
#include "resolve/resolve.hpp"

namespace pgrest {

struct CompiledConfig {
  resolve::ClaimPath role_claim;
};

namespace {

Expected<bool> check_bounds(const Request& request, const Limits& limits) {
  if (request.path.size() > limits.max_path_bytes) {
    return errors::limit_exceeded("The path is longer than " +
                                  std::to_string(limits.max_path_bytes) + " bytes");
  }
  if (request.query.size() > limits.max_query_bytes) {
    return errors::make(
        414, "PGRX414", "URI too long",
        "The query string is longer than " + std::to_string(limits.max_query_bytes) + " bytes");
  }
  size_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) header_bytes += name.size() + value.size();
  if (header_bytes > limits.max_header_bytes) {
    return errors::make(431, "PGRX431", "Request header fields too large");
  }
  if (request.body && request.body->size() > limits.max_body_bytes) {
    return errors::make(413, "PGRX413", "Payload too large");
  }
  return true;
}

}  // namespace

namespace {

// What a read builds on its way to the SQL, in the translation's arena.
struct ReadScratch {
  arena::Vector<decode::QueryParam> params;
  ast::Query query;
  plan::ReadPlan read;
};

// A read into `out`, which is either fresh or a translation whose buffers are reused:
// every field is set here, and the statements' text and parameters are rewritten.
// Runs inside an arena::Scope.
std::optional<Error> translate_read(const Catalog& catalog, const Config& config,
                                    const CompiledConfig& compiled, const Request& request,
                                    const decode::Target& target, Translation& out) {
  ReadScratch scratch;
  if (auto decoded = decode::decode_query_string(request.query, config.limits.max_query_params,
                                                 scratch.params);
      !decoded) {
    return std::move(decoded.error());
  }
  if (auto parsed = parse::parse_query(scratch.params, config.limits, false, scratch.query);
      !parsed) {
    return std::move(parsed.error());
  }
  if (auto resolved = resolve::resolve_read(catalog, config, compiled.role_claim, request, target,
                                            scratch.query, scratch.read);
      !resolved) {
    return std::move(resolved.error());
  }
  plan::ReadPlan& read = scratch.read;
  out.status = 200;
  out.read_only = true;
  out.rollback = false;
  out.media_type = read.media_type;
  out.singular = read.format == plan::OutputFormat::json_object;
  out.count_query.reset();
  out.count_threshold.reset();
  out.max_affected.reset();
  out.expect_one_row = false;
  emit::emit_prelude(std::move(read.context), out.prelude);
  out.query.params.clear();
  emit::emit_read(read, config, out);
  return std::nullopt;
}

Result translate_read(const Catalog& catalog, const Config& config, const CompiledConfig& compiled,
                      const Request& request, const decode::Target& target) {
  Translation translation;
  if (auto error = translate_read(catalog, config, compiled, request, target, translation)) {
    return std::move(*error);
  }
  return translation;
}

Result translate_rpc(const Catalog& catalog, const Config& config, const CompiledConfig& compiled,
                     const Request& request, const decode::Target& target) {
  auto params = decode::decode_query_string(request.query, config.limits.max_query_params);
  if (!params) return std::move(params.error());
  const bool url_arguments = request.method != "POST";
  auto query = parse::parse_query(*params, config.limits, url_arguments);
  if (!query) return std::move(query.error());
  auto rpc = resolve::resolve_rpc(catalog, config, compiled.role_claim, request, target,
                                  std::move(*query));
  if (!rpc) return std::move(rpc.error());

  Translation translation;
  translation.status = rpc->status;
  translation.read_only = rpc->read_only;
  translation.rollback = rpc->rollback;
  translation.max_affected = rpc->max_affected;
  translation.media_type = rpc->plan->media_type;
  translation.singular = rpc->plan->format == plan::OutputFormat::json_object &&
                         rpc->plan->shape == plan::RpcPlan::Shape::row_set;
  translation.prelude = emit::emit_prelude(std::move(rpc->plan->context));
  emit::emit_rpc(*rpc->plan, config, translation);
  return translation;
}

Result translate_write(const Catalog& catalog, const Config& config, const CompiledConfig& compiled,
                       const Request& request, const decode::Target& target) {
  auto params = decode::decode_query_string(request.query, config.limits.max_query_params);
  if (!params) return std::move(params.error());
  auto query = parse::parse_query(*params, config.limits);
  if (!query) return std::move(query.error());
  auto write = resolve::resolve_write(catalog, config, compiled.role_claim, request, target,
                                      std::move(*query));
  if (!write) return std::move(write.error());

  Translation translation;
  translation.status = write->status;
  translation.read_only = false;
  translation.rollback = write->rollback;
  translation.media_type = write->plan.media_type;
  translation.singular =
      write->plan.representation && write->plan.format == plan::OutputFormat::json_object;
  translation.max_affected = write->max_affected;
  translation.expect_one_row = write->plan.kind == plan::WriteKind::put;
  translation.prelude = emit::emit_prelude(std::move(write->plan.context));
  emit::emit_write(write->plan, translation);
  return translation;
}

}  // namespace

Engine::Engine(std::shared_ptr<const Catalog> catalog, Config config)
    : catalog_(std::move(catalog)), config_(std::move(config)) {
  auto compiled = std::make_unique<CompiledConfig>();
  // parse_config_json has validated the key already; an invalid one set through the
  // C++ API leaves the path empty, so every request takes the anon role.
  if (auto path = resolve::parse_claim_path(config_.role_claim_key)) {
    compiled->role_claim = std::move(*path);
  }
  compiled_ = std::move(compiled);
}

Engine::~Engine() = default;

void Engine::swap_catalog(std::shared_ptr<const Catalog> catalog) noexcept {
  std::shared_ptr<const Catalog> previous;
  {
    const std::lock_guard<std::mutex> lock(catalog_mutex_);
    previous = std::exchange(catalog_, std::move(catalog));
  }
  // `previous` (possibly the last reference to a large snapshot) is released unlocked.
}

std::shared_ptr<const Catalog> Engine::catalog() const noexcept {
  const std::lock_guard<std::mutex> lock(catalog_mutex_);
  return catalog_;
}

Result Engine::translate(const Request& request) const noexcept {
  // First, so that everything the stages allocate in the arena is gone when it closes.
  const arena::Scope scope;
  try {
    // One snapshot for the whole request, even if another thread swaps it meanwhile.
    const std::shared_ptr<const Catalog> catalog = this->catalog();
    if (!catalog) {
      return errors::make(503, "PGRST002", "Could not query the database for the schema cache.");
    }
    auto bounded = check_bounds(request, config_.limits);
    if (!bounded) return std::move(bounded.error());
    auto target = decode::decode_path(request.path);
    if (!target) return std::move(target.error());

    const std::string& method = request.method;
    switch (target->kind) {
      case decode::Target::Kind::root:
        return errors::make(404, "PGRST126", "Root endpoint metadata is disabled");
      case decode::Target::Kind::function:
        if (method != "GET" && method != "HEAD" && method != "POST") {
          return errors::make(405, "PGRST101", "Cannot use the " + method + " method on RPC");
        }
        return translate_rpc(*catalog, config_, *compiled_, request, *target);
      case decode::Target::Kind::relation:
        if (method == "GET" || method == "HEAD") {
          return translate_read(*catalog, config_, *compiled_, request, *target);
        }
        if (method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE") {
          return translate_write(*catalog, config_, *compiled_, request, *target);
        }
        return errors::make(405, "PGRST117", "Unsupported HTTP method: " + method);
    }
    return errors::make(404, "PGRST125", "Invalid path specified in request URL");
  } catch (const std::bad_alloc&) {
    return errors::make(413, "PGRX413", "Request too large to translate");
  } catch (...) {
    return errors::make(400, "PGRX100", "Request could not be translated");
  }
}

Translator::Translator(const Engine& engine) : engine_(engine), result_(Translation{}) {}

Translator::~Translator() = default;

const Result& Translator::translate(const Request& request) noexcept {
  const arena::Scope scope;  // Engine::translate's, below, then nests in it
  try {
    const std::shared_ptr<const Catalog> catalog = engine_.catalog();
    const bool plain_read = catalog && (request.method == "GET" || request.method == "HEAD") &&
                            check_bounds(request, engine_.config_.limits).ok();
    if (plain_read) {
      auto target = decode::decode_path(request.path);
      if (target && target->kind == decode::Target::Kind::relation) {
        // Reuse the previous translation's buffers when there is one.
        if (!result_.ok()) result_ = Result(Translation{});
        Translation& out = std::get<0>(result_.value_);
        if (auto error = translate_read(*catalog, engine_.config_, *engine_.compiled_, request,
                                        *target, out)) {
          result_ = Result(std::move(*error));
        }
        return result_;
      }
    }
    // Everything else (writes, functions, refusals before parsing) as Engine::translate.
    result_ = engine_.translate(request);
  } catch (const std::bad_alloc&) {
    result_ = Result(errors::make(413, "PGRX413", "Request too large to translate"));
  } catch (...) {
    result_ = Result(errors::make(400, "PGRX100", "Request could not be translated"));
  }
  return result_;
}

}  // namespace pgrest
