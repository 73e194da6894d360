// Policy documents: the envelope (apiVersion, kind, metadata, spec), the compiled
// form every kind shares, and the registry of kinds. A kind's loader compiles
// each expression once; a CompiledPolicy is immutable and evaluated many times.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lang/program.h"
#include "policy/json_source.h"
#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict {
class CmdbIndex;
class JsonWriter;
}  // namespace verdict

namespace verdict::change {
class ChangeData;
}

namespace verdict::policy {

struct Metadata {
  std::string name;
  std::string version;
  std::string description;
};

// One compiled expression and where it came from, to place run-time errors.
struct Expr {
  std::shared_ptr<const lang::Program> program;
  std::string pointer;  // JSON pointer of the string in the policy file
  std::string text;
};

// Everything a decision reads besides the policy.
struct EvalRequest {
  Value input;
  int64_t now = 0;
  bool has_now = false;
  bool explain = false;
  const CmdbIndex* cmdb = nullptr;
  // Scheduled changes, change windows, error-budget status and change history from the
  // bundle's data files (ChangeRisk).
  const change::ChangeData* changes = nullptr;
  // A reader for documents a kind builds during a decision (e.g. TriageRouting's
  // canonical incident). Not the one that read `input`: that one's view must stay valid.
  DocumentReader* scratch = nullptr;
  // Kinds that read the whole input as one evaluation (whole_input()): the input's bytes,
  // its name for error positions, and a reader free for them to parse it with.
  std::string_view raw;
  std::string_view source;
  DocumentReader* reader = nullptr;
};

// What a decision concluded, for exit codes: allowed, needs review, denied.
enum class Outcome { kAllowed, kReview, kDenied };

class CompiledPolicy {
 public:
  virtual ~CompiledPolicy() = default;
  virtual const char* kind() const = 0;
  // The variable the input document is bound to (e.g. "incident").
  virtual std::string input_name() const = 0;
  // True for a kind whose one decision needs the whole input (ErrorBudget: an SLO's
  // status needs all of its series). The engine then hands it the raw bytes (req.raw)
  // instead of one decision per document or NDJSON line.
  virtual bool whole_input() const { return false; }

  // Writes the kind's decision object as the next value of `decision`, and, when
  // req.explain, its trace as the next value of `explain`. Evaluation errors are
  // appended to `errors` with the policy file's positions; the decision still completes.
  virtual Outcome decide(const EvalRequest& req, lang::EvalContext& ctx, JsonWriter& decision, JsonWriter* explain,
                         std::vector<Error>& errors) const = 0;

  const Metadata& meta() const { return meta_; }
  const JsonSource& source() const { return *source_; }
  const std::vector<Error>& warnings() const { return warnings_; }
  const std::string& canonical() const { return canonical_; }  // for the bundle digest

  // A run-time error from `expr` located in the policy file.
  Error locate(const Expr& expr, const Error& e) const;

 protected:
  // Evaluates `e`; an error value is also appended to `errors`, located in the policy file.
  lang::Val evaluate(const Expr& e, lang::EvalContext& ctx, std::vector<Error>& errors) const;

 public:

 protected:
  Metadata meta_;
  std::shared_ptr<const JsonSource> source_;
  std::vector<Error> warnings_;
  std::string canonical_;
  friend struct PolicyBuilder;
};

// Shared by the kinds' loaders: reads typed members with positioned errors and
// compiles expressions, collecting every error (not only the first) for lint.
struct PolicyBuilder {
  std::shared_ptr<const JsonSource> src;
  std::string base;  // JSON pointer of the policy document in its file ("" or "/3")
  lang::ExprLimits limits;
  std::vector<Error> errors;
  std::vector<Error> warnings;
  std::string spec_pointer() const { return base + "/spec"; }

  const nlohmann::ordered_json* get(const nlohmann::ordered_json& obj, const std::string& pointer, const char* key, bool required,
                            nlohmann::ordered_json::value_t type);
  // Every key of `obj` must be in `allowed`.
  void only_keys(const nlohmann::ordered_json& obj, const std::string& pointer, std::initializer_list<const char*> allowed);
  bool compile(const nlohmann::ordered_json& value, const std::string& pointer, const lang::Environment& env, Expr& out);
  Error error(const std::string& pointer, ErrorCode code, std::string message, bool at_key = false) const {
    return src->error_at(pointer, code, std::move(message), at_key);
  }
  void fail(const std::string& pointer, ErrorCode code, std::string message, bool at_key = false) {
    errors.push_back(error(pointer, code, std::move(message), at_key));
  }
  void finish(CompiledPolicy& p, Metadata meta, std::string canonical);
};

using KindLoader = std::function<std::unique_ptr<CompiledPolicy>(const nlohmann::ordered_json& spec, PolicyBuilder& b)>;

// The kinds verdict knows. A kind registers its loader here (policy/kinds.cc).
const std::vector<std::pair<std::string, KindLoader>>& policy_kinds();

struct LoadResult {
  std::vector<std::shared_ptr<const CompiledPolicy>> policies;  // one per document in the file
  std::vector<Error> errors;    // empty when everything loaded
  std::vector<Error> warnings;  // lint findings that do not stop loading
};

// Loads one file: a policy document, or a JSON array of policy documents.
LoadResult load_policies(std::string_view text, const std::string& source, const lang::ExprLimits& limits);

// Document kinds by the variable name a policy binds its input to.
DocumentKind kind_for_variable(std::string_view name);

// Writes a Val for decisions; also the error objects of the C ABI.
void write_errors(JsonWriter& w, const std::vector<Error>& errors);

}  // namespace verdict::policy
