// Compile once, evaluate many: the checker turns a parsed expression into an
// immutable Program against an Environment (the variables a policy kind binds);
// evaluate() runs it against a per-request EvalContext.
//
//   Environment env;
//   env.add("incident", StaticType::kMap, &shapes::incident_schema());
//   auto prog = compile("incident.labels.service in ['payments', 'auth']", env, {});
//   EvalContext ctx;  ctx.bind(0, doc.root());
//   Val v = evaluate(*prog, ctx);
//
// Program: immutable, shareable across threads. EvalContext: one per thread; reuse it
// (its arena keeps memory) so that steady-state evaluation does not allocate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lang/ast.h"
#include "lang/parser.h"
#include "lang/value.h"
#include "document/schema.h"
#include "verdict/documents.h"
#include "verdict/result.h"

namespace verdict {
class CmdbIndex;
}

namespace verdict::lang {

// Limits on compiling and evaluating expressions (docs/language.md, "Limits").
struct ExprLimits {
  ParseLimits parse;
  int64_t max_regex_memory = 1 << 20;  // RE2 max_mem per pattern (bounds its program size)
  uint64_t max_steps = 100000;         // evaluation steps per decision (nodes + macro iterations)
  size_t max_list_size = 10000;        // items in a list built during evaluation
  size_t max_string_bytes = 1 << 20;   // a string built during evaluation
  uint64_t max_value_bytes = 16u << 20;  // a list or map built during evaluation, written as JSON (val_weight)
  uint32_t max_blast_depth = 16;       // cmdb.blast_radius walk depth
  size_t max_policy_bytes = size_t{16} << 20;  // one policy file (checked before it is parsed)
  size_t max_policy_depth = 128;               // nesting of arrays and objects in a policy file
  bool regex_sets = true;              // TriageRouting: RE2::Set over sibling routes' regexes
};

struct Variable {
  std::string name;
  StaticType type = StaticType::kDyn;
  const Schema* schema = nullptr;  // a canonical document: its fields are checked (document/schema.h)
};

class Environment {
 public:
  int32_t add(std::string name, StaticType type = StaticType::kDyn, const Schema* schema = nullptr);
  int32_t find(std::string_view name) const;
  const std::vector<Variable>& vars() const { return vars_; }
  bool cmdb = true;  // whether cmdb.* functions are available

 private:
  std::vector<Variable> vars_;
};

// A warning the checker found that does not stop loading (e.g. a comparison that is always false).
struct Diagnostic {
  Error error;
  bool warning = false;
};

struct Program {
  Ast ast;
  int32_t num_slots = 0;            // environment variables + macro variables
  std::vector<std::string> paths;   // field paths read (for explanations), by path_id
  std::vector<Diagnostic> warnings;
  StaticType result_type() const { return ast.nodes[static_cast<size_t>(ast.root)].type; }
};

// Parses and checks `text`. Errors carry the byte offset in `text`.
Result<std::shared_ptr<const Program>> compile(std::string_view text, const Environment& env, const ExprLimits& limits);

struct FieldRead {
  int32_t path_id;
  Val value;
};

// Everything a decision reads besides its input bindings. Set in one call
// (EvalContext::begin_decision), so that no decision can see what an earlier one set.
struct DecisionSetup {
  const CmdbIndex* cmdb = nullptr;  // cmdb.* look-ups; null: they find nothing
  bool has_now = false;             // `now`; without it, expressions using it fail
  int64_t now = 0;
  bool explain = false;             // record every field path read and its value
};

class EvalContext {
 public:
  explicit EvalContext(const ExprLimits& limits = {}) : limits_(limits) {}

  // Starts a decision: sets what it reads (now, CMDB, explain), unbinds every slot (a slot
  // the caller does not bind reads as null, never an earlier decision's value) and clears
  // the arena, errors, reads and the step count.
  void begin_decision(const DecisionSetup& setup);
  // Starts another item of the same decision (ErrorBudget: one SLO after another): clears
  // the arena, errors, reads and the step count; keeps the setup and the bindings.
  void begin_item();

  // Binds environment variable `slot` for the next evaluations.
  void bind(int32_t slot, Val v);
  void bind(int32_t slot, Value doc) { bind(slot, Val::from_doc(doc)); }

  const std::vector<Error>& errors() const { return errors_; }
  const std::vector<FieldRead>& reads() const { return reads_; }
  uint64_t steps() const { return steps_; }
  Arena& arena() { return arena_; }

  // Internals used by the evaluator and builtins.
  Val fail(ErrorCode code, std::string message, uint32_t pos);
  const ExprLimits& limits() const { return limits_; }
  std::vector<Val>& slots() { return slots_; }
  const CmdbIndex* cmdb() const { return setup_.cmdb; }
  bool has_now() const { return setup_.has_now; }
  int64_t now() const { return setup_.now; }
  bool explain() const { return setup_.explain; }
  void record(int32_t path_id, const Val& v) { reads_.push_back({path_id, v}); }
  bool step() { return ++steps_ <= limits_.max_steps; }
  // Work over `bytes` (a regex match, a comparison of strings or lists): one step per 64 bytes.
  bool charge(uint64_t bytes) {
    steps_ += bytes / 64;
    return steps_ <= limits_.max_steps;
  }

 private:
  ExprLimits limits_;
  DecisionSetup setup_;
  std::vector<Val> slots_;
  Arena arena_;
  std::vector<Error> errors_;
  std::vector<FieldRead> reads_;
  uint64_t steps_ = 0;
};

// Evaluates the program. Never throws: failures are a kError value whose details are in
// ctx.errors() (offsets relative to the expression text).
Val evaluate(const Program& program, EvalContext& ctx);

// Truth of a condition: true only for boolean true. null (a missing field) is false.
inline bool truthy(const Val& v) { return v.k == VK::kBool && v.b; }

}  // namespace verdict::lang
