// verdict/engine.h: the engine, the one object a host creates.
//
// An Engine owns a DocumentReader (so simdjson's parser and buffers are reused
// across calls), the loaded policies and data (the bundle) and the CMDB index. Every call
// produces a JSON result, `{"ok": true, ...}` or `{"ok": false, "errors": [...]}`,
// which is what the C ABI and the command line hand out.
//
//   verdict::Engine engine;
//   verdict::ReadReport r = engine.read(bytes, {});
//   std::cout << r.json;   // {"ok":true,"format":"ndjson","read":12,"failed":0,...}
//
//   engine.load_policies(policy_text, "triage.json");   // LoadReport: errors with file:line:column
//   engine.load_data(cmdb_text, "cmdb.json");
//   verdict::EvalOptions opt;  opt.now = "2026-03-02T10:00:00Z";  opt.explain = true;
//   verdict::EvalReport d = engine.evaluate(incident_json, opt);  // d.json: the decision
//
// Not thread-safe: one Engine per thread (they share nothing). Not copyable.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict {

class CmdbIndex;
namespace policy {
class CompiledPolicy;
}

// The version of verdict, e.g. "0.1.0".
const char* version();
// The version of the IANA time zone database compiled in (from Debian's tzdata), e.g. "2025b".
const char* tzdata_version();

// kYaml (Engine::evaluate only): YAML, one or more documents (OpenSLO, Sloth), read as if each
// were one NDJSON line, with every error placed at the YAML text's own line and column (and a
// decision's "line" the line its YAML document starts at). Scalars are typed by the YAML 1.2
// core schema; a key given twice, alias bombs and cycles are errors (docs/yaml.md).
enum class InputFormat { kAuto, kJson, kNdjson, kYaml };

// Limits of the policy language (docs/language.md, "Limits"); exceeding one is a load
// error or a failed evaluation with a reason, never a hang.
struct ExpressionLimits {
  size_t max_expression_bytes = 16384;  // source text of one expression
  size_t max_nesting = 64;              // nesting of sub-expressions
  uint64_t max_steps = 100000;          // evaluation steps per decision
  size_t max_list_size = 10000;         // items in a list built during evaluation
  int64_t max_regex_memory = 1 << 20;   // RE2 program memory of one pattern
  size_t max_string_bytes = 1 << 20;    // a string built during evaluation (concatenation, string())
  uint64_t max_value_bytes = 16u << 20; // a list or map built during evaluation, as JSON, nested values included
};

// Limits of a policy or data file as the loader reads it (docs/limits.md): checked before
// the file is parsed (its size) or as it is parsed (its depth), so that loading stays linear.
struct PolicyLimits {
  size_t max_bytes = size_t{16} << 20;  // one policy file
  size_t max_depth = 128;               // nesting of arrays and objects in a policy file
};

struct EngineOptions {
  Limits limits;
  ExpressionLimits expressions;
  PolicyLimits policies;
  // Sibling routes whose regex matchers test the same field are matched in one pass
  // with RE2::Set. Off only to measure what it gains (bench/bench_eval.cc).
  bool regex_sets = true;
};

struct ReadOptions {
  InputFormat format = InputFormat::kAuto;
  bool include_values = false;  // add each document's canonical JSON to the report
  bool summaries = true;        // list each document; false: counts and errors only
  std::string source;           // file name for error messages ("" for none)
};

// What one document (or one record of an API envelope) said about itself, as its kind's
// mapping reads it.
struct DocumentSummary {
  size_t line = 1;      // 1-based line (NDJSON) or 1 for a single document; a record's own line
  std::string record;   // a record of an API envelope (a webhook, a Table API answer): its JSON pointer
  size_t bytes = 0;
  std::string kind;     // incident, change, alert, ci, sli, unknown
  std::string id;
  std::string title;
  std::string service;
  size_t fields = 0;    // top-level members (or items, for an array)
};

struct ReadReport {
  InputFormat format = InputFormat::kJson;  // what the input was read as
  size_t read = 0;
  size_t failed = 0;
  std::vector<DocumentSummary> documents;
  std::vector<Error> errors;
  std::string json;     // the report as JSON (the C ABI's result)
  bool ok() const { return errors.empty(); }
};

// The result of loading or linting policies or data.
struct LoadReport {
  std::vector<std::string> loaded;  // names of the policies (or data sources) loaded
  std::vector<Error> errors;        // nothing from a file with errors is loaded
  std::vector<Error> warnings;      // lint findings that do not stop loading
  std::string json;                 // {"ok":..,"loaded":[..],"errors":[..],"warnings":[..]}
  bool ok() const { return errors.empty(); }
};

// How decisions are written: JSON (the result objects, NDJSON for streams), text for people,
// or the CI formats of kinds that gate CI (kinds' `formats`): JUnit <testcase> elements and
// GitHub workflow annotations; ErrorBudget also as an SVG chart (the decision alone, one
// document). Rendered from the typed decision by the policy's kind.
enum class OutputFormat { kJson, kText, kJunit, kGithub, kSvg };

struct EvalOptions {
  std::string policy;            // the policy to evaluate; "" when exactly one (of `kind`) is loaded
  // The kind the caller needs ("ChangeRisk"), or "" for any. A policy of another kind is a
  // kWrongKind error naming both kinds; with several of this kind loaded and no `policy`,
  // a kAmbiguous error lists them.
  std::string kind;
  OutputFormat output = OutputFormat::kJson;
  std::string now;               // RFC 3339; "" leaves `now` unset (expressions using it fail)
  bool explain = false;          // add the trace of rules considered and values read
  // The decision alone, without what the engine writes around it, for a front end that
  // prints one kind's own document (`verdict budget`: the error-budget status): JSON is the
  // `decision` object (with `explain` as its last member when explaining); text is the kind's
  // lines without the header, error and bundle lines. Errors are in EvalReport::errors.
  bool decision_only = false;
  InputFormat format = InputFormat::kAuto;
  std::string source;            // input name for error positions
  // When set, each decision line (with its newline, for NDJSON input) goes to the sink as it
  // is made, and EvalReport::json stays empty: a stream of any length in bounded memory.
  std::function<void(std::string_view)> sink;
  // Where `input` begins in a longer NDJSON stream that a front end hands over in pieces (the
  // CLI reading a pipe as it arrives): added to the lines and byte offsets of decisions and
  // errors, so that they count from the start of the stream.
  size_t lines_before = 0;
  size_t bytes_before = 0;
  // Asked before each NDJSON line and each record of an envelope (an API response holding
  // many records) is decided: true ends the evaluation there, with the decisions made so far
  // and EvalReport::stopped set (a front end's deadline: `verdict serve
  // --request-timeout-ms`). The core reads no clock; the front end's function does.
  std::function<bool()> stop;
};

// How a decision ended, for exit codes (worst over a stream).
enum class DecisionClass { kAllowed = 0, kReview = 1, kDenied = 2, kError = 3 };

struct EvalReport {
  std::string json;              // the decisions in the output format (JSON: one object, or NDJSON)
  std::vector<Error> errors;     // input errors and evaluation errors, positioned
  size_t decisions = 0;
  size_t by_class[4] = {0, 0, 0, 0};  // decisions (and failed lines) per DecisionClass
  DecisionClass worst = DecisionClass::kAllowed;
  std::string policy;            // the policy that decided ("" when none was found)
  bool stopped = false;          // EvalOptions::stop ended the stream before its end
  bool ok() const { return errors.empty(); }
};

// A loaded policy, as GET /v1/policies and `verdict lint` list them.
struct PolicyInfo {
  std::string name, kind, version, description, source;
};

// ---- AlertDedup streams (docs/alerts.md) ---------------------------------------------

struct AlertOptions {
  std::string policy;            // the AlertDedup policy; "" when exactly one is loaded
  std::string now;               // RFC 3339 receipt time of this batch; "" to use event times only
  // RFC 3339: when the batch was received, for its events without an `at` (instead of their
  // startsAt), without `now`'s checks and closing flush. "" (and no now): an event without
  // `at` is at its startsAt.
  std::string received;
  InputFormat format = InputFormat::kAuto;
  std::string source;            // input name for error positions
  // When set, output lines go to the sink as they are made and AlertReport::json stays empty.
  std::function<void(std::string_view)> sink;
  // As in EvalOptions: where `input` begins in a stream handed over in pieces.
  size_t lines_before = 0;
  size_t bytes_before = 0;
  // false: `now` is the receipt time of these events only, and the notifications due by then
  // wait for a later call (a front end feeding one input in pieces gives now to every piece
  // and flushes with the last, so the output is the same as for the input in one call).
  bool flush_at_now = true;
  // The policy's parts behind each decision (docs/alerts.md, "Explain"): each group an alert
  // joins names its route ("route": the path of route names), each notification its route and
  // the route's windows in effect, and a notification a route's windows held back is written
  // as a "muted" line. `verdict test --coverage` reads these.
  bool explain = false;
};

struct AlertReport {
  std::string json;              // NDJSON: one line per alert decision, notification, silence or error
  std::vector<Error> errors;     // bad lines and bad alerts (the stream went on), or why nothing ran
  bool ok() const { return errors.empty(); }
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads one JSON document or an NDJSON stream and reports what was read. Broken
  // NDJSON lines are reported with their line and column; the others are read.
  ReadReport read(std::string_view data, const ReadOptions& options);

  // Policies: one policy document or an array of them (JSON, comments allowed).
  // A file with any error loads nothing; a policy with the name of a loaded one replaces it.
  LoadReport load_policies(std::string_view text, const std::string& source);
  // Static checks only; nothing is loaded.
  LoadReport lint(std::string_view text, const std::string& source) const;
  // Data documents, JSON or NDJSON: the CMDB (native, ServiceNow or Backstage shapes),
  // scheduled changes, change windows and error-budget status (docs/change.md).
  LoadReport load_data(std::string_view text, const std::string& source);
  // Forgets every policy and data document.
  void clear();

  // "sha256:..." over the loaded policies and data: which rules and data decided.
  std::string bundle_digest();
  std::vector<std::string> policy_names() const;
  std::vector<PolicyInfo> policies() const;
  // The policy kinds verdict knows ("Rules", "TriageRouting", ...), and the CLI command of each.
  static std::vector<std::pair<std::string, std::string>> kinds();

  // Evaluates a policy on one document or on each line of an NDJSON stream.
  EvalReport evaluate(std::string_view input, const EvalOptions& options);
  // Whether the policy that evaluate() would use with these options makes one decision from
  // the whole input (ErrorBudget: a series) rather than one per document; false when no
  // policy would be selected (evaluate() reports why).
  bool decides_on_whole_input(const EvalOptions& options) const;

  DocumentReader& reader() { return reader_; }

  // ---- AlertDedup streams (engine_alerts.cc) -------------------------------------------
  // The engine keeps one stream state per AlertDedup policy across calls (clear() forgets it).
  // Pushes alert events (any accepted shape, JSON or NDJSON); flushes group notifications due
  // at or before each event's time, and at `now` when given.
  AlertReport alerts_push(std::string_view input, const AlertOptions& options);
  // {"ok":true,"streams":[{policy, events, notifications, noise_reduction_pct, by_decision, ...}]}
  std::string alerts_stats();
  // When the next group flush of the stream of `policy` ("" when exactly one AlertDedup policy is
  // loaded) is due, in nanoseconds since the Unix epoch; none when nothing is scheduled (or the
  // stream has no state yet). A service runs its timers on this: a push with `now` at or after
  // it sends what is due.
  std::optional<int64_t> alerts_next_flush(const std::string& policy = "");
  // The whole state of every stream as one versioned JSON document.
  std::string alerts_snapshot();
  // Replaces the state with a snapshot. A corrupt or version-mismatched snapshot, or one naming
  // a policy that is not loaded, is an error and the state in use is kept.
  Status alerts_restore(std::string_view snapshot);

 private:
  struct AlertStreams;
  std::shared_ptr<AlertStreams> alerts_;
  // For alert_streams.cc: the loaded policies and the CMDB index (built when data changed).
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> loaded_policies() const;
  const CmdbIndex* current_cmdb();
  // The policy a call means: by name, or the only one of `kind` ("" for any).
  Result<const policy::CompiledPolicy*> select_policy(const std::string& name, const std::string& kind) const;

  struct State;
  struct DataSet;
  void add_data(DataSet& set, std::string_view text, const std::string& source, std::vector<Error>* errors,
                std::vector<Error>* warnings);
  EngineOptions options_;
  DocumentReader reader_;
  std::unique_ptr<State> state_;
};

// Wraps JUnit <testcase> elements (OutputFormat::kJunit) in one <testsuites> document.
std::string junit_document(std::string_view suite, size_t tests, size_t failures, size_t errors, std::string_view testcases);

// {"code":"invalid_json","message":"...","source":"f.json","offset":12,"line":1,"column":13}
// (source, offset, line and column only when known).
void write_error_json(class JsonWriter& w, const Error& e);

}  // namespace verdict
