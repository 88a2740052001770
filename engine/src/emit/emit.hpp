// Stage 4, emit: a bound plan becomes SQL text with `$n` placeholders and the parameter
// values. The SQL text depends only on the shape of the request, never on its values,
// so hosts can cache prepared statements by text.
#pragma once

#include "pgrest/engine.hpp"
#include "resolve/plan.hpp"

namespace pgrest::emit {

// The per-request settings statement, in PostgREST's order. The rvalue overload moves the
// context's strings (claims and headers JSON can be long) into the parameters.
Statement emit_prelude(const plan::Context& context);
Statement emit_prelude(plan::Context&& context);
// Into `out`, reusing its text and parameter buffers.
void emit_prelude(plan::Context&& context, Statement& out);

// The main read statement (and the count statement for planned/estimated counts), written
// into out.query, whose text buffer it reuses; out.query.params must be empty.
void emit_read(const plan::ReadPlan& read, const Config& config, Translation& out);

// A read whose root node is `root` (the plan's own root, or a function's rows); `read`
// supplies the output format, count and HEAD-ness.
void emit_read_node(const plan::ReadNode& root, const plan::ReadPlan& read, const Config& config,
                    Translation& out);

// A function call: scalars and sets of scalars directly, rows as a read over the call.
void emit_rpc(const plan::RpcPlan& rpc, const Config& config, Translation& out);

// INSERT/UPDATE/DELETE inside `pgrst_source`, then the returned rows shaped as asked.
void emit_write(const plan::WritePlan& write, Translation& out);

}  // namespace pgrest::emit
