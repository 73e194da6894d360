// Policy documents and the interface every kind implements.
//
// A policy file holds one policy document or an array of them, each with the envelope
// {apiVersion, kind, metadata, spec}. load_policies() reads the envelope and hands `spec`
// to the kind's loader (found in the kind registry, policy/kind.h), which compiles each
// expression once into an immutable CompiledPolicy. A decision is then:
//
//   engine:  DecisionContext dc = ...;            // now, CMDB, kind data, explain: shared code
//            begin(ctx, dc);                      // the expression context, once per decision
//            policy.decide(dc, input, ctx, *decision, errors);
//            decision->write_json(w) / write_text(out) / ...   // the kind's renderers
//
// Thread-safety: a CompiledPolicy is immutable and may be shared by many threads; a
// Decision and an EvalContext belong to one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lang/program.h"
#include "policy/json_source.h"
#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict {
class CmdbIndex;
class JsonWriter;
}  // namespace verdict

namespace verdict::policy {

struct KindInfo;
class KindData;

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

// What a decision concluded, for exit codes: allowed, needs review, denied.
enum class Outcome { kAllowed = 0, kReview = 1, kDenied = 2 };

// Everything a decision reads besides its input and the policy. Built once per call by
// the engine (shared code, the same for every kind) and handed to begin() and decide().
struct DecisionContext {
  bool has_now = false;
  int64_t now = 0;                   // ns since the epoch, UTC
  bool explain = false;              // the decision records its trace
  const CmdbIndex* cmdb = nullptr;   // the bundle's CMDB (never null in an engine)
  const KindData* data = nullptr;    // the bundle data of this policy's kind, or null
  std::string_view bundle;           // the bundle digest, "sha256:..."
};

// Starts a decision on `ctx` from `dc`: the only place where `now`, the CMDB and explain
// reach the expression context, and every slot is unbound.
void begin(lang::EvalContext& ctx, const DecisionContext& dc);

// One decision's input.
struct DecisionInput {
  Value document;                    // per-document kinds: one document or NDJSON line
  std::string_view raw;              // whole-input kinds (whole_input()): the bytes
  std::string_view source;           // the input's name, for error positions
  DocumentReader* reader = nullptr;  // whole-input kinds parse `raw` with it
};

// A line-oriented text sink for the text renderers, with the escaping every renderer
// needs: control characters from untrusted input are never printed raw.
class TextOut {
 public:
  explicit TextOut(std::string& out) : out_(out) {}
  TextOut& operator<<(std::string_view s);  // control characters (but \n) as \xNN
  TextOut& operator<<(const char* s) { return *this << std::string_view(s); }
  TextOut& operator<<(int64_t n);
  TextOut& operator<<(int n) { return *this << static_cast<int64_t>(n); }
  TextOut& operator<<(size_t n) { return *this << static_cast<int64_t>(n); }
  TextOut& operator<<(double x);            // as JSON writes it (the same digits natively and in Wasm)
  TextOut& raw(std::string_view s) { out_.append(s); return *this; }
  std::string& str() { return out_; }

 private:
  std::string& out_;
};

// Output formats. Every kind renders json and text; kinds whose decisions gate CI also
// junit (one <testcase> per decision) and github (workflow annotations); ErrorBudget also
// svg (its burn-down chart, one document per decision).
enum class Format : uint8_t { kJson, kText, kJunit, kGithub, kSvg };
const char* format_name(Format f);

// Around one decision, for the renderers: what the engine knows of it.
struct DecisionHeader {
  std::string_view policy, version, kind;
  std::string_view bundle;
  std::string_view now;       // RFC 3339, "" when not set
  std::string_view source;    // input name
  size_t line = 0;            // NDJSON line (0: a single document); a record's line in its document
  std::string_view record;    // a record of an API envelope: its JSON pointer ("/result/3"), else ""
  bool explain = false;
  const std::vector<Error>* errors = nullptr;
};

// A decision of one kind, as typed C++ values. The kind fills it in decide() and renders
// it through its renderers; nothing is written as JSON to be read back. An engine keeps
// one Decision per policy and reuses it (clear() keeps the memory).
class Decision {
 public:
  virtual ~Decision() = default;
  virtual void clear() = 0;
  virtual Outcome outcome() const = 0;
  // The "decision" member of the result object.
  virtual void write_json(JsonWriter& w) const = 0;
  // The "explain" member (called only for decisions made with explain).
  virtual void write_explain(JsonWriter& w) const = 0;
  // The decision for people: indented lines after the header the engine writes.
  virtual void write_text(TextOut& out, bool explain) const = 0;
  // CI formats (kinds whose info lists them): one JUnit <testcase> element; GitHub
  // workflow commands (::error file=...::message), one per line.
  virtual void write_junit(std::string& out, const DecisionHeader& h) const;
  virtual void write_github(std::string& out, const DecisionHeader& h) const;
  // A chart of the decision as one SVG document (kinds whose info lists Format::kSvg).
  virtual void write_svg(std::string& out, const DecisionHeader& h) const;
};

class CompiledPolicy {
 public:
  virtual ~CompiledPolicy() = default;

  const KindInfo& info() const { return *info_; }
  const char* kind() const;
  // True for a kind whose one decision needs the whole input (ErrorBudget: an SLO's status
  // needs all of its series): the engine hands it the raw bytes instead of one decision
  // per document or NDJSON line.
  virtual bool whole_input() const { return false; }
  // True for a kind that reads API envelopes itself (AlertDedup: a webhook's alerts are one
  // batch). For the others the engine decides on each record of an envelope
  // (document/envelope.h) as on one document.
  virtual bool reads_envelopes() const { return false; }

  virtual std::unique_ptr<Decision> new_decision() const = 0;
  // Makes one decision into `out` (which the kind clears first). `ctx` was begun for this
  // decision by the engine: begin(ctx, dc). Evaluation errors are appended to `errors`
  // with the policy file's positions; the decision still completes.
  virtual void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
                      std::vector<Error>& errors) const = 0;

  const Metadata& meta() const { return meta_; }
  const JsonSource& source() const { return *source_; }
  const std::vector<Error>& warnings() const { return warnings_; }
  const std::string& canonical() const { return canonical_; }  // for the bundle digest

  // A run-time error from `expr` located in the policy file.
  Error locate(const Expr& expr, const Error& e) const;
  // Evaluates `e`; an error value is also appended to `errors`, located in the policy file.
  lang::Val evaluate(const Expr& e, lang::EvalContext& ctx, std::vector<Error>& errors) const;

 protected:
  Metadata meta_;
  std::shared_ptr<const JsonSource> source_;
  std::vector<Error> warnings_;
  std::string canonical_;
  const KindInfo* info_ = nullptr;
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
  void warn(const std::string& pointer, ErrorCode code, std::string message, bool at_key = false) {
    warnings.push_back(error(pointer, code, std::move(message), at_key));
  }
  void finish(CompiledPolicy& p, const KindInfo& info, Metadata meta, std::string canonical);
};

struct LoadResult {
  std::vector<std::shared_ptr<const CompiledPolicy>> policies;  // one per document in the file
  std::vector<Error> errors;    // empty when everything loaded
  std::vector<Error> warnings;  // lint findings that do not stop loading
};

// Loads one file: a policy document, or a JSON array of policy documents, whose kinds are
// looked up in `kinds` (the registry, kinds/registry.h).
LoadResult load_policies(std::string_view text, const std::string& source, const lang::ExprLimits& limits,
                         const std::vector<KindInfo>& kinds);

// Writes errors as a JSON array (decisions, the C ABI's error objects).
void write_errors(JsonWriter& w, const std::vector<Error>& errors);

// Explanations: the field paths `program` read since `from`, as "values": {path: value}.
void write_reads(JsonWriter& w, const lang::Program& program, const lang::EvalContext& ctx, size_t from);

// A recorded read, kept past the decision's arena (typed explanations hold these).
struct ReadValue {
  std::string path;
  std::string json;  // the value as JSON
};
// The reads `program` made since `from`, copied out of the arena.
void copy_reads(const lang::Program& program, const lang::EvalContext& ctx, size_t from, std::vector<ReadValue>& out);
void write_read_values(JsonWriter& w, const std::vector<ReadValue>& reads);  // "values": {...}

}  // namespace verdict::policy
