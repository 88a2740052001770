// Stage 3, resolve: the syntax tree, the request's headers and claims, checked against
// the catalog snapshot and the config. Produces a bound plan or a PostgREST-style
// refusal (unknown names, managed schemas, bad ranges, unacceptable media types...).
#pragma once

#include "common/expected.hpp"
#include "decode/query_string.hpp"
#include "parse/ast.hpp"
#include "resolve/plan.hpp"

namespace pgrest::resolve {

// A parsed role_claim_key (`.role`, `.app_metadata.role`, `.roles[0]`).
struct ClaimPath {
  struct Step {
    bool is_index = false;
    std::string key;
    size_t index = 0;
  };
  std::vector<Step> steps;
};

// Parses a role_claim_key; nullopt when it is not a valid path.
std::optional<ClaimPath> parse_claim_path(std::string_view text);

Expected<plan::ReadPlan> resolve_read(const Catalog& catalog, const Config& config,
                                      const ClaimPath& role_claim, const Request& request,
                                      const decode::Target& target, ast::Query query);
// The same into `read` (reset first): the plan is built in place, never moved.
Expected<bool> resolve_read(const Catalog& catalog, const Config& config,
                            const ClaimPath& role_claim, const Request& request,
                            const decode::Target& target, const ast::Query& query,
                            plan::ReadPlan& read);

// What the engine tells the host beyond the SQL for a write.
struct WriteOutcome {
  plan::WritePlan plan;
  int status = 201;
  bool rollback = false;
  std::optional<int64_t> max_affected;
};

Expected<WriteOutcome> resolve_write(const Catalog& catalog, const Config& config,
                                     const ClaimPath& role_claim, const Request& request,
                                     const decode::Target& target, ast::Query query);

struct RpcOutcome {
  std::unique_ptr<plan::RpcPlan> plan;  // stable address: nodes point at plan->call
  int status = 200;
  bool read_only = true;
  bool rollback = false;                // Prefer: tx=rollback
  std::optional<int64_t> max_affected;  // Prefer: max-affected with handling=strict
};

Expected<RpcOutcome> resolve_rpc(const Catalog& catalog, const Config& config,
                                 const ClaimPath& role_claim, const Request& request,
                                 const decode::Target& target, ast::Query query);

}  // namespace pgrest::resolve
