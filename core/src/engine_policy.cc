// Engine: the bundle (policies + data), its digest, and evaluation.
#include <algorithm>

#include "change/change.h"
#include "cmdb/cmdb.h"
#include "lang/time_util.h"
#include "policy/policy.h"
#include "sha256.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

namespace verdict {

struct Engine::State {
  lang::ExprLimits limits;
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> policies;
  std::vector<std::pair<std::string, std::string>> data;  // (source, text)
  // Per data file: its change data, read once when it was loaded, and whether it also
  // holds CMDB documents (only those files are read again when the CMDB index is rebuilt).
  std::vector<std::shared_ptr<const change::ChangeData>> data_changes;
  std::vector<bool> data_has_cmdb;
  std::unique_ptr<CmdbIndex> cmdb;
  std::unique_ptr<change::ChangeData> changes;  // scheduled changes, windows, budget status
  bool cmdb_dirty = false;
  std::vector<std::pair<std::string, std::string>> window_names;  // (name, source) of loaded data windows
  std::string digest;
  lang::EvalContext ctx;
  DocumentReader scratch;
  JsonWriter decision, explain, out;  // reused across decisions: they keep their memory
};

Engine::Engine(EngineOptions options)
    : options_(options), reader_(options.limits), state_(std::make_unique<State>()) {
  state_->limits.regex_sets = options.regex_sets;
  state_->limits.parse.max_expression_bytes = options.expressions.max_expression_bytes;
  state_->limits.parse.max_depth = options.expressions.max_nesting;
  state_->limits.max_steps = options.expressions.max_steps;
  state_->limits.max_list_size = options.expressions.max_list_size;
  state_->limits.max_regex_memory = options.expressions.max_regex_memory;
  state_->ctx = lang::EvalContext(state_->limits);
}

Engine::~Engine() = default;

namespace {

std::string load_json(const LoadReport& r) {
  JsonWriter w;
  w.begin_object().key("ok").boolean(r.ok()).key("loaded").begin_array();
  for (const auto& n : r.loaded) w.string(n);
  w.end_array().key("errors");
  policy::write_errors(w, r.errors);
  w.key("warnings");
  policy::write_errors(w, r.warnings);
  w.end_object();
  return w.take();
}

}  // namespace

LoadReport Engine::load_policies(std::string_view text, const std::string& source) {
  LoadReport report;
  policy::LoadResult r = policy::load_policies(text, source, state_->limits);
  report.errors = std::move(r.errors);
  report.warnings = std::move(r.warnings);
  if (report.errors.empty()) {
    for (auto& p : r.policies) {
      report.loaded.push_back(p->meta().name);
      auto same = std::find_if(state_->policies.begin(), state_->policies.end(),
                               [&](const auto& q) { return q->meta().name == p->meta().name; });
      if (same != state_->policies.end()) {
        Error w(ErrorCode::kInvalidPolicy, "policy \"" + p->meta().name + "\" replaces the one of that name loaded before");
        w.source = source;
        report.warnings.push_back(std::move(w));
        *same = std::move(p);
      }
      else state_->policies.push_back(std::move(p));
    }
    state_->digest.clear();
  }
  report.json = load_json(report);
  return report;
}

LoadReport Engine::lint(std::string_view text, const std::string& source) const {
  LoadReport report;
  policy::LoadResult r = policy::load_policies(text, source, state_->limits);
  for (auto& p : r.policies) report.loaded.push_back(p->meta().name);
  report.errors = std::move(r.errors);
  report.warnings = std::move(r.warnings);
  report.json = load_json(report);
  return report;
}

// Adds one data file (a JSON document, or NDJSON of entities) to the CMDB index or the
// change data: each document (or NDJSON line) holding scheduled changes, change windows or
// error-budget status goes to `changes`, anything else to the CMDB. Input errors and
// warnings go to `errors` / `warnings` when given.
void Engine::add_data(CmdbIndex& index, change::ChangeData& changes, std::string_view text, const std::string& source,
                      std::vector<Error>* errors, std::vector<Error>* warnings) {
  std::vector<Error> errs, warns;
  auto route = [&](Document doc, std::string_view doc_text, size_t line) {
    size_t e0 = errs.size(), w0 = warns.size();
    size_t took = changes.add(doc.root(), doc_text, source, errs, warns);
    if (line > 0)
      for (size_t i = e0; i < errs.size(); ++i)
        if (errs[i].line == 0) errs[i].line = line;
    if (line > 0)
      for (size_t i = w0; i < warns.size(); ++i)
        if (warns[i].line == 0) warns[i].line = line;
    if (took == 0) (void)index.add(std::move(doc), source);
  };
  if (reader_.is_ndjson(text)) {
    reader_.read_ndjson(text, [&](const StreamItem& item) {
      if (item.error) {
        Error e = *item.error;
        e.source = source;
        errs.push_back(std::move(e));
        return true;
      }
      // Copy the line into its own Document: the stream's view is reused.
      std::string_view line_text(text.data() + item.offset, item.length);
      auto doc = reader_.read(line_text);
      if (doc.ok()) route(std::move(doc).value(), line_text, item.line);
      return true;
    });
  } else {
    auto doc = reader_.read(text);
    if (!doc.ok()) {
      Error e = doc.error();
      e.source = source;
      errs.push_back(std::move(e));
    } else {
      route(std::move(doc).value(), text, 0);
    }
  }
  if (errors)
    for (auto& e : errs) errors->push_back(std::move(e));
  if (warnings)
    for (auto& e : warns) warnings->push_back(std::move(e));
}

LoadReport Engine::load_data(std::string_view text, const std::string& source) {
  LoadReport report;
  // Check that it reads before keeping it: one document, or NDJSON of entities.
  CmdbIndex probe;
  change::ChangeData probe_changes;
  add_data(probe, probe_changes, text, source, &report.errors, &report.warnings);
  probe.finalize();
  for (const Error& p : probe.problems()) {
    Error w = p;
    if (w.source.empty()) w.source = source;
    report.warnings.push_back(std::move(w));
  }
  // Window names are unique across data files (expressions read windows.NAME).
  for (const auto& w : probe_changes.windows())
    for (const auto& [name, src] : state_->window_names)
      if (name == w.name) {
        Error e(ErrorCode::kDuplicateKey, "a change window named \"" + name + "\" is already loaded from " + src);
        e.source = source;
        report.errors.push_back(std::move(e));
      }
  if (report.errors.empty()) {
    if (probe.size() == 0 && probe_changes.changes().empty() && probe_changes.windows().empty() && probe_changes.budget().empty()) {
      Error e(ErrorCode::kInvalidPolicy,
              "no data found: expected a CMDB (native, ServiceNow or Backstage shape), scheduled changes, change windows or an "
              "error-budget status document");
      e.source = source;
      report.errors.push_back(std::move(e));
    } else {
      state_->data.emplace_back(source, std::string(text));
      for (const auto& w : probe_changes.windows()) state_->window_names.emplace_back(w.name, source);
      state_->data_has_cmdb.push_back(probe.size() > 0 || !probe.problems().empty());
      state_->data_changes.push_back(std::make_shared<const change::ChangeData>(std::move(probe_changes)));
      state_->cmdb_dirty = true;
      state_->digest.clear();
      report.loaded.push_back(source);
    }
  }
  report.json = load_json(report);
  return report;
}

void Engine::clear() {
  state_->policies.clear();
  state_->data.clear();
  state_->data_changes.clear();
  state_->data_has_cmdb.clear();
  state_->cmdb.reset();
  state_->changes.reset();
  state_->window_names.clear();
  state_->cmdb_dirty = false;
  state_->digest.clear();
  alerts_.reset();  // AlertDedup stream state
}

std::vector<std::string> Engine::policy_names() const {
  std::vector<std::string> names;
  for (const auto& p : state_->policies) names.push_back(p->meta().name);
  return names;
}

std::string Engine::bundle_digest() {
  if (!state_->digest.empty()) return state_->digest;
  std::vector<const policy::CompiledPolicy*> sorted;
  for (const auto& p : state_->policies) sorted.push_back(p.get());
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->meta().name < b->meta().name; });
  Sha256 h;
  for (const auto* p : sorted) {
    h.update("policy\n");
    h.update(p->canonical());
    h.update("\n");
  }
  for (const auto& [src, text] : state_->data) {
    h.update("data\n");
    h.update(text);
    h.update("\n");
  }
  state_->digest = "sha256:" + h.hex_digest();
  return state_->digest;
}

EvalReport Engine::evaluate(std::string_view input, const EvalOptions& options) {
  EvalReport report;
  auto fail = [&](Error e) {
    if (e.source.empty()) e.source = options.source;
    JsonWriter w;
    w.begin_object().key("ok").boolean(false).key("errors");
    policy::write_errors(w, {e});
    w.end_object();
    report.errors.push_back(std::move(e));
    report.json = w.take();
    report.worst = DecisionClass::kError;
    if (options.sink) {
      options.sink(report.json);
      report.json.clear();
    }
    return report;
  };
  // Which policy.
  const policy::CompiledPolicy* pol = nullptr;
  if (options.policy.empty()) {
    if (state_->policies.size() == 1) pol = state_->policies[0].get();
    else if (state_->policies.empty()) return fail(Error(ErrorCode::kNotFound, "no policy is loaded"));
    else return fail(Error(ErrorCode::kNotFound, "several policies are loaded: name the one to evaluate"));
  } else {
    for (const auto& p : state_->policies)
      if (p->meta().name == options.policy) pol = p.get();
    if (!pol) return fail(Error(ErrorCode::kNotFound, "no policy named \"" + options.policy + "\" is loaded"));
  }
  // When.
  policy::EvalRequest req;
  req.explain = options.explain;
  std::string now_text;
  if (!options.now.empty()) {
    std::string why;
    auto t = lang::parse_rfc3339(options.now, &why);
    if (!t) return fail(Error(ErrorCode::kInvalidArgument, "invalid now '" + options.now + "': " + why));
    req.now = *t;
    req.has_now = true;
    now_text = lang::format_rfc3339(*t);
  }
  // Data.
  (void)current_cmdb();  // rebuilds the CMDB index and the change data when the data changed
  req.cmdb = state_->cmdb.get();
  req.changes = state_->changes.get();
  req.scratch = &state_->scratch;
  const std::string digest = bundle_digest();

  JsonWriter& out = state_->out;
  auto decide_one = [&](Value root, size_t line, bool stream) {
    std::vector<Error> errors;
    JsonWriter& decision = state_->decision;
    JsonWriter& explain = state_->explain;
    decision.clear();
    explain.clear();
    req.input = root;
    policy::Outcome o = pol->decide(req, state_->ctx, decision, options.explain ? &explain : nullptr, errors);
    out.clear();
    out.begin_object().key("ok").boolean(errors.empty());
    if (stream) out.key("line").number(static_cast<int64_t>(line));
    out.key("policy").begin_object().key("name").string(pol->meta().name);
    if (!pol->meta().version.empty()) out.key("version").string(pol->meta().version);
    out.key("kind").string(pol->kind()).end_object();
    out.key("bundle").string(digest);
    if (req.has_now) out.key("now").string(now_text);
    out.key("decision").raw(decision.view());
    out.key("errors");
    policy::write_errors(out, errors);
    if (options.explain) out.key("explain").raw(explain.view());
    out.end_object();
    DecisionClass c = !errors.empty() ? DecisionClass::kError
                      : o == policy::Outcome::kDenied ? DecisionClass::kDenied
                      : o == policy::Outcome::kReview ? DecisionClass::kReview
                                                      : DecisionClass::kAllowed;
    if (static_cast<int>(c) > static_cast<int>(report.worst)) report.worst = c;
    for (auto& e : errors) report.errors.push_back(std::move(e));
    ++report.decisions;
    return out.view();
  };

  // A kind that needs the whole input for its one decision (ErrorBudget) parses the bytes
  // itself, whatever their format: one decision, no "line".
  if (pol->whole_input()) {
    req.raw = input;
    req.source = options.source;
    req.reader = &reader_;
    report.json = std::string(decide_one(Value(), 1, false));
    if (options.sink) {
      options.sink(report.json);
      report.json.clear();
    }
    return report;
  }

  InputFormat format = options.format;
  if (format == InputFormat::kAuto) format = reader_.is_ndjson(input) ? InputFormat::kNdjson : InputFormat::kJson;
  if (format == InputFormat::kNdjson) {
    std::string all;
    if (!options.sink) all.reserve(input.size() * 2);
    reader_.read_ndjson(input, [&](const StreamItem& item) {
      if (options.sink) all.clear();
      if (item.document) {
        all += decide_one(item.document->root(), item.line, true);
      } else {
        Error e = *item.error;
        e.source = options.source;
        JsonWriter w;
        w.begin_object().key("ok").boolean(false).key("line").number(static_cast<int64_t>(item.line)).key("errors");
        policy::write_errors(w, {e});
        w.end_object();
        all += w.view();
        report.errors.push_back(std::move(e));
        report.worst = DecisionClass::kError;
      }
      all.push_back('\n');
      if (options.sink) options.sink(all);
      return true;
    });
    if (!options.sink) report.json = std::move(all);
  } else {
    auto doc = reader_.read(input);
    if (!doc.ok()) return fail(doc.error());
    report.json = std::string(decide_one(doc.value().root(), 1, false));
    if (options.sink) {
      options.sink(report.json);
      report.json.clear();
    }
  }
  return report;
}

// ---- for AlertDedup streams (engine_alerts.cc) ----------------------------------------

std::vector<std::shared_ptr<const policy::CompiledPolicy>> Engine::loaded_policies() const { return state_->policies; }

// Builds the CMDB index and the change data when the data changed (evaluate() and the
// AlertDedup streams).
const CmdbIndex* Engine::current_cmdb() {
  if (state_->cmdb_dirty) {
    state_->cmdb = std::make_unique<CmdbIndex>();
    state_->changes = std::make_unique<change::ChangeData>();
    for (size_t i = 0; i < state_->data.size(); ++i) {
      if (state_->data_has_cmdb[i]) {
        change::ChangeData read_before;  // this file's change data was kept when it was loaded
        add_data(*state_->cmdb, read_before, state_->data[i].second, state_->data[i].first, nullptr, nullptr);
      }
      state_->changes->append(*state_->data_changes[i]);
    }
    state_->cmdb->finalize();
    state_->changes->finalize();
    state_->cmdb_dirty = false;
  }
  return state_->cmdb.get();
}

}  // namespace verdict
