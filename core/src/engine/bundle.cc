// Engine: the bundle (policies + data), its digest, and evaluation. Every kind is reached
// through the registry (kinds/registry.h); the decision context is set up here, once, the
// same way for every kind; decisions are rendered from their typed form by their kind.
#include <algorithm>
#include <map>
#include <optional>

#include "cmdb/cmdb.h"
#include "document/envelope.h"
#include "document/sha256.h"
#include "document/yaml.h"
#include "kinds/registry.h"
#include "policy/kind.h"
#include "policy/policy.h"
#include "policy/render.h"
#include "time/time.h"
#include "verdict/engine.h"
#include "verdict/json_writer.h"

namespace verdict {

// One data file, read once when it was loaded.
struct Engine::DataSet {
  std::string source;
  std::string text;                                          // for the bundle digest
  std::vector<std::shared_ptr<const Document>> cmdb_docs;    // documents (or NDJSON lines) of the CMDB
  std::vector<std::unique_ptr<policy::KindData>> kind_data;  // per kind (registry order); null: none
  bool has_cmdb = false;
  std::optional<servicenow::Config> servicenow;              // the file's `servicenow` settings
};

struct Engine::State {
  lang::ExprLimits limits;
  std::vector<std::shared_ptr<const policy::CompiledPolicy>> policies;
  std::vector<std::unique_ptr<DataSet>> data;
  // Built from `data` when it changed: the CMDB index and each kind's merged data.
  std::unique_ptr<CmdbIndex> cmdb;
  std::vector<std::unique_ptr<policy::KindData>> kind_data;
  bool data_dirty = true;
  std::string digest;
  lang::EvalContext ctx;
  DocumentReader scratch;
  // One typed decision per policy, reused across decisions (they keep their memory).
  std::map<const policy::CompiledPolicy*, std::unique_ptr<policy::Decision>> decisions;
  JsonWriter out;
  std::string text;
};

Engine::Engine(EngineOptions options)
    : options_(options), reader_(options.limits), state_(std::make_unique<State>()) {
  state_->limits.regex_sets = options.regex_sets;
  state_->limits.parse.max_expression_bytes = options.expressions.max_expression_bytes;
  state_->limits.parse.max_depth = options.expressions.max_nesting;
  state_->limits.max_steps = options.expressions.max_steps;
  state_->limits.max_list_size = options.expressions.max_list_size;
  state_->limits.max_regex_memory = options.expressions.max_regex_memory;
  state_->limits.max_string_bytes = options.expressions.max_string_bytes;
  state_->limits.max_value_bytes = options.expressions.max_value_bytes;
  state_->limits.max_policy_bytes = options.policies.max_bytes;
  state_->limits.max_policy_depth = options.policies.max_depth;
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

size_t kind_index(const policy::KindInfo& info) {
  const auto& all = kinds::all();
  for (size_t i = 0; i < all.size(); ++i)
    if (&all[i] == &info) return i;
  return all.size();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Engine::kinds() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const policy::KindInfo& k : kinds::all()) out.emplace_back(std::string(k.name), std::string(k.command));
  return out;
}

LoadReport Engine::load_policies(std::string_view text, const std::string& source) {
  LoadReport report;
  policy::LoadResult r = policy::load_policies(text, source, state_->limits, kinds::all());
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
        state_->decisions.erase(same->get());
        *same = std::move(p);
      } else {
        state_->policies.push_back(std::move(p));
      }
    }
    state_->digest.clear();
  }
  report.json = load_json(report);
  return report;
}

LoadReport Engine::lint(std::string_view text, const std::string& source) const {
  LoadReport report;
  policy::LoadResult r = policy::load_policies(text, source, state_->limits, kinds::all());
  for (auto& p : r.policies) report.loaded.push_back(p->meta().name);
  report.errors = std::move(r.errors);
  report.warnings = std::move(r.warnings);
  report.json = load_json(report);
  return report;
}

// Reads one data file (a JSON document, or NDJSON of entities) into `set`: each document
// (or NDJSON line) that a kind's data takes goes there, anything else to the CMDB.
void Engine::add_data(DataSet& set, std::string_view text, const std::string& source, std::vector<Error>* errors,
                      std::vector<Error>* warnings) {
  const auto& all = kinds::all();
  set.kind_data.resize(all.size());
  for (size_t k = 0; k < all.size(); ++k)
    if (all[k].new_data && !set.kind_data[k]) set.kind_data[k] = all[k].new_data();
  std::vector<Error> errs, warns;
  auto route = [&](Document doc, std::string_view doc_text, size_t line) {
    size_t e0 = errs.size(), w0 = warns.size();
    size_t took = 0;
    for (auto& kd : set.kind_data)
      if (kd && took == 0) took = kd->add(doc.root(), doc_text, source, errs, warns);
    if (line > 0) {
      for (size_t i = e0; i < errs.size(); ++i)
        if (errs[i].line == 0) errs[i].line = static_cast<int64_t>(line);
      for (size_t i = w0; i < warns.size(); ++i)
        if (warns[i].line == 0) warns[i].line = static_cast<int64_t>(line);
    }
    if (took == 0) set.cmdb_docs.push_back(std::make_shared<const Document>(std::move(doc)));
  };
  // One document is parsed once (a CMDB export is usually one pretty-printed document:
  // detecting NDJSON first would parse it twice); only when it does not read as one
  // document does the format decide how its errors are told.
  auto whole = reader_.read(text);
  if (whole.ok()) {
    route(std::move(whole).value(), text, 0);
  } else if (reader_.is_ndjson(text)) {
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
    Error e = whole.error();
    e.source = source;
    errs.push_back(std::move(e));
  }
  if (errors)
    for (auto& e : errs) errors->push_back(std::move(e));
  if (warnings)
    for (auto& e : warns) warnings->push_back(std::move(e));
}

LoadReport Engine::load_data(std::string_view text, const std::string& source) {
  LoadReport report;
  auto set = std::make_unique<DataSet>();
  set->source = source;
  add_data(*set, text, source, &report.errors, &report.warnings);
  // The ServiceNow instance's settings, once for all files (docs/servicenow.md).
  const servicenow::Config* loaded_config = nullptr;
  for (const auto& d : state_->data)
    if (d->servicenow) loaded_config = &*d->servicenow;
  for (const auto& d : set->cmdb_docs) {
    Value config = d->root().get("servicenow");
    if (!config.exists()) continue;
    servicenow::Config c;
    std::string why = servicenow::read_config(config, c);
    if (why.empty() && ((set->servicenow && !(*set->servicenow == c)) || (loaded_config && !(*loaded_config == c))))
      why = "servicenow: the settings differ from those loaded before; give them once";
    if (!why.empty()) {
      Error e(ErrorCode::kInvalidPolicy, why);
      e.source = source;
      report.errors.push_back(std::move(e));
    } else {
      set->servicenow = c;
    }
  }
  // The CMDB documents index on their own (their problems are warnings).
  // The file on its own decides whether it holds a CMDB and tells its problems; whether
  // its references resolve is told with the CMDB loaded before, so that a cmdb_rel_ci export
  // loaded after its cmdb_ci export is not warned about (docs/servicenow.md).
  const servicenow::Config* config = set->servicenow ? &*set->servicenow : loaded_config;
  CmdbIndex probe;
  if (config) probe.set_servicenow(*config);
  for (const auto& d : set->cmdb_docs) (void)probe.add(d, source);
  probe.finalize();
  CmdbIndex joint;
  bool any_unresolved = false;
  for (const Error& p : probe.problems()) any_unresolved = any_unresolved || p.code == ErrorCode::kNotFound;
  if (any_unresolved) {
    if (config) joint.set_servicenow(*config);
    for (const auto& d : state_->data)
      for (const auto& doc : d->cmdb_docs) (void)joint.add(doc, d->source);
    for (const auto& d : set->cmdb_docs) (void)joint.add(d, source);
    joint.finalize();
  }
  auto warn = [&](const Error& p) {
    Error w = p;
    if (w.source.empty()) w.source = source;
    report.warnings.push_back(std::move(w));
  };
  for (const Error& p : probe.problems())
    if (p.code != ErrorCode::kNotFound) warn(p);
  for (const Error& p : joint.problems())
    if (p.code == ErrorCode::kNotFound && (p.source.empty() || p.source == source)) warn(p);
  set->has_cmdb = probe.size() > 0 || !probe.problems().empty();
  if (!set->has_cmdb) set->cmdb_docs.clear();
  // Each kind's data merges with what is loaded (two windows of one name are an error).
  const auto& all = kinds::all();
  bool any_kind_data = false;
  for (size_t k = 0; k < all.size(); ++k) {
    if (!set->kind_data[k] || set->kind_data[k]->empty()) continue;
    any_kind_data = true;
    auto trial = all[k].new_data();
    std::vector<Error> conflicts;
    for (const auto& d : state_->data)
      if (d->kind_data.size() > k && d->kind_data[k]) trial->append(*d->kind_data[k], conflicts);
    conflicts.clear();  // conflicts among files already loaded were reported when they loaded
    trial->append(*set->kind_data[k], conflicts);
    for (Error& e : conflicts) {
      if (e.source.empty()) e.source = source;
      report.errors.push_back(std::move(e));
    }
  }
  if (report.errors.empty() && !set->has_cmdb && !any_kind_data && !set->servicenow) {
    Error e(ErrorCode::kInvalidPolicy,
            "no data found: expected a CMDB (native, ServiceNow or Backstage shape), scheduled changes, change windows or an "
            "error-budget status document");
    e.source = source;
    report.errors.push_back(std::move(e));
  }
  if (report.errors.empty()) {
    set->text.assign(text);
    state_->data.push_back(std::move(set));
    state_->data_dirty = true;
    state_->digest.clear();
    report.loaded.push_back(source);
  }
  report.json = load_json(report);
  return report;
}

void Engine::clear() {
  state_->policies.clear();
  state_->data.clear();
  state_->cmdb.reset();
  state_->kind_data.clear();
  state_->decisions.clear();
  state_->data_dirty = true;
  state_->digest.clear();
  alerts_.reset();  // AlertDedup stream state
}

std::vector<std::string> Engine::policy_names() const {
  std::vector<std::string> names;
  for (const auto& p : state_->policies) names.push_back(p->meta().name);
  return names;
}

std::vector<PolicyInfo> Engine::policies() const {
  std::vector<PolicyInfo> out;
  for (const auto& p : state_->policies)
    out.push_back({p->meta().name, p->kind(), p->meta().version, p->meta().description, p->source().source()});
  return out;
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
  for (const auto& d : state_->data) {
    h.update("data\n");
    h.update(d->text);
    h.update("\n");
  }
  state_->digest = "sha256:" + h.hex_digest();
  return state_->digest;
}

namespace {
// "a TriageRouting", "an ErrorBudget", "an AlertDedup".
std::string a_kind(std::string_view k) {
  bool vowel = !k.empty() && std::string_view("AEIOU").find(k[0]) != std::string_view::npos;
  return std::string(vowel ? "an " : "a ") + std::string(k);
}
}  // namespace

Result<const policy::CompiledPolicy*> Engine::select_policy(const std::string& name, const std::string& kind) const {
  auto describe = [&](const policy::CompiledPolicy& p) { return "\"" + p.meta().name + "\" (" + p.kind() + ")"; };
  if (!name.empty()) {
    for (const auto& p : state_->policies) {
      if (p->meta().name != name) continue;
      if (!kind.empty() && kind != p->kind())
        return Error(ErrorCode::kWrongKind, "policy \"" + name + "\" is " + a_kind(p->kind()) + " policy; this needs " + a_kind(kind) + " policy");
      return p.get();
    }
    return Error(ErrorCode::kNotFound, "no policy named \"" + name + "\" is loaded");
  }
  std::vector<const policy::CompiledPolicy*> of_kind;
  for (const auto& p : state_->policies)
    if (kind.empty() || kind == p->kind()) of_kind.push_back(p.get());
  if (of_kind.size() == 1) return of_kind[0];
  if (of_kind.empty()) {
    if (state_->policies.empty()) return Error(ErrorCode::kNotFound, "no policy is loaded");
    if (state_->policies.size() == 1)
      return Error(ErrorCode::kWrongKind, "policy " + describe(*state_->policies[0]) + " is " + a_kind(state_->policies[0]->kind()) +
                                              " policy; this needs " + a_kind(kind) + " policy");
    std::string list;
    for (const auto& p : state_->policies) list += (list.empty() ? "" : ", ") + describe(*p);
    return Error(ErrorCode::kWrongKind, "no " + kind + " policy is loaded (loaded: " + list + ")");
  }
  std::string list;
  for (const auto* p : of_kind) list += (list.empty() ? "" : ", ") + describe(*p);
  return Error(ErrorCode::kAmbiguous, "several " + (kind.empty() ? std::string() : kind + " ") +
                                          "policies are loaded: name the one to use (-e NAME): " + list);
}

namespace {

void write_header_text(std::string& out, const policy::DecisionHeader& h) {
  policy::TextOut t(out);
  if (h.line > 0) t << "line " << h.line;
  if (!h.record.empty()) t << (h.line > 0 ? " " : "") << h.record;
  if (h.line > 0 || !h.record.empty()) t << ": ";
  t << h.policy << " (" << h.kind << ")";
  if (!h.now.empty()) t << " at " << h.now;
  t << "\n";
}

// An input that gave no decision (a broken NDJSON line, an unreadable document), in `format`.
void render_failure(std::string& out, OutputFormat format, const policy::DecisionHeader& h, const std::vector<Error>& errors,
                    std::string_view command) {
  switch (format) {
    case OutputFormat::kJson: {
      JsonWriter w;
      w.begin_object().key("ok").boolean(false);
      if (h.line > 0) w.key("line").number(static_cast<int64_t>(h.line));
      if (!h.record.empty()) w.key("record").string(h.record);
      w.key("errors");
      policy::write_errors(w, errors);
      w.end_object();
      out.append(w.view());
      break;
    }
    case OutputFormat::kText: {
      policy::TextOut t(out);
      if (h.line > 0) t << "line " << h.line;
  if (!h.record.empty()) t << (h.line > 0 ? " " : "") << h.record;
  if (h.line > 0 || !h.record.empty()) t << ": ";
      for (const Error& e : errors) t << "error: " << e.to_string() << "\n";
      break;
    }
    case OutputFormat::kJunit: {
      std::string name = std::string(h.source) + ":" + std::to_string(h.line > 0 ? h.line : 1);
      out += "    <testcase classname=\"verdict.";
      policy::append_xml(out, command);
      out += "\" name=\"";
      policy::append_xml(out, name);
      out += "\" file=\"";
      policy::append_xml(out, h.source);
      out += "\" line=\"" + std::to_string(h.line > 0 ? h.line : 1) + "\">\n      <error type=\"invalid_input\" message=\"";
      policy::append_xml(out, errors.empty() ? std::string("error") : errors[0].message);
      out += "\">";
      for (const Error& e : errors) {
        policy::append_xml(out, "error: " + e.message);
        out += "\n";
      }
      out += "</error>\n    </testcase>\n";
      break;
    }
    case OutputFormat::kGithub: {
      for (const Error& e : errors) {
        out += "::error file=";
        policy::append_gh_property(out, h.source);
        out += ",line=" + std::to_string(e.line > 0 ? e.line : (h.line > 0 ? static_cast<int64_t>(h.line) : 1));
        out += ",title=";
        policy::append_gh_property(out, "verdict " + std::string(command) + ": invalid input");
        out += "::";
        policy::append_gh_data(out, e.message);
        out += "\n";
      }
      break;
    }
    case OutputFormat::kSvg: break;  // no chart without a decision: the errors are in the report
  }
}

}  // namespace

EvalReport Engine::evaluate(std::string_view given, const EvalOptions& options) {
  EvalReport report;
  std::string_view input = given;
  auto count = [&](DecisionClass c) {
    ++report.by_class[static_cast<int>(c)];
    if (static_cast<int>(c) > static_cast<int>(report.worst)) report.worst = c;
  };
  const std::string_view command =
      options.kind.empty() ? std::string_view("eval")
                           : (kinds::find(options.kind) && !kinds::find(options.kind)->command.empty() ? kinds::find(options.kind)->command
                                                                                                      : std::string_view("eval"));
  auto emit = [&](std::string& s) {
    if (options.sink) {
      options.sink(s);
      s.clear();
    }
  };
  auto fail = [&](Error e) {
    if (e.source.empty()) e.source = options.source;
    policy::DecisionHeader h;
    h.source = options.source;
    std::string s;
    render_failure(s, options.output, h, {e}, command);
    report.errors.push_back(std::move(e));
    count(DecisionClass::kError);
    report.json = std::move(s);
    emit(report.json);
    return report;
  };
  if (!options.kind.empty() && !kinds::find(options.kind))
    return fail(Error(ErrorCode::kInvalidArgument, "unknown policy kind \"" + options.kind + "\""));
  // YAML is read as the NDJSON it converts to; errors are placed back in the YAML text.
  std::optional<yaml::Converted> from_yaml;
  if (options.format == InputFormat::kYaml) {
    auto converted = yaml::to_ndjson(given);
    if (!converted.ok()) return fail(converted.error());
    from_yaml = std::move(converted.value());
    input = from_yaml->ndjson;
  }
  auto place_in_yaml = [&](Error& e) {
    if (!from_yaml || e.source != options.source) return;
    yaml::Position at;
    if (e.line > 0 && from_yaml->positions.find(e.line, e.column, at)) {
      e.line = at.line;
      e.column = at.column;
    } else {
      e.line = 0;  // nowhere in particular: the input as a whole
      e.column = 0;
    }
    e.offset = -1;
  };
  auto yaml_line = [&](size_t line) -> size_t {  // a converted line: where its YAML document starts
    yaml::Position at;
    if (!from_yaml || line == 0 || !from_yaml->positions.find(static_cast<int64_t>(line), 1, at)) return line;
    return static_cast<size_t>(at.line);
  };
  auto selected = select_policy(options.policy, options.kind);
  if (!selected.ok()) return fail(selected.error());
  const policy::CompiledPolicy* pol = selected.value();
  report.policy = pol->meta().name;
  const policy::KindInfo& info = pol->info();
  if (options.output == OutputFormat::kJunit && !info.renders(policy::Format::kJunit))
    return fail(Error(ErrorCode::kInvalidArgument, std::string(info.name) + " decisions have no JUnit form (formats: json, text)"));
  if (options.output == OutputFormat::kGithub && !info.renders(policy::Format::kGithub))
    return fail(Error(ErrorCode::kInvalidArgument, std::string(info.name) + " decisions have no GitHub form (formats: json, text)"));
  if (options.output == OutputFormat::kSvg && !info.renders(policy::Format::kSvg))
    return fail(Error(ErrorCode::kInvalidArgument, std::string(info.name) + " decisions have no SVG form"));

  // The decision context: the same for every kind, set up once per call.
  policy::DecisionContext dc;
  dc.explain = options.explain;
  std::string now_text;
  if (!options.now.empty()) {
    std::string why;
    auto t = datetime::parse_rfc3339(options.now, &why);
    if (!t) return fail(Error(ErrorCode::kInvalidArgument, "invalid now '" + options.now + "': " + why));
    dc.now = *t;
    dc.has_now = true;
    now_text = datetime::format_rfc3339(*t);
  }
  dc.cmdb = current_cmdb();  // rebuilds the CMDB index and the kinds' data when the data changed
  size_t ki = kind_index(info);
  dc.data = ki < state_->kind_data.size() ? state_->kind_data[ki].get() : nullptr;
  const std::string digest = bundle_digest();
  dc.bundle = digest;

  auto& slot = state_->decisions[pol];
  if (!slot) slot = pol->new_decision();
  policy::Decision& decision = *slot;
  std::vector<Error> errors;

  policy::DecisionHeader header;
  header.policy = pol->meta().name;
  header.version = pol->meta().version;
  header.kind = pol->kind();
  header.bundle = digest;
  header.now = now_text;
  header.source = options.source;
  header.explain = options.explain;
  header.errors = &errors;

  std::string& out_text = state_->text;
  // Decides on `in` and appends the rendered decision to out_text.
  // `record`: the JSON pointer of a record of an envelope, which starts at `line`, `column`
  // and byte `offset` of the input: input errors about it are placed there.
  auto decide_one = [&](const policy::DecisionInput& in, size_t line, std::string_view record = {}, size_t column = 0,
                        size_t offset = 0) {
    errors.clear();
    policy::begin(state_->ctx, dc);
    pol->decide(dc, in, state_->ctx, decision, errors);
    header.line = line;
    header.record = record;
    policy::Outcome o = decision.outcome();
    DecisionClass c = !errors.empty() ? DecisionClass::kError
                      : o == policy::Outcome::kDenied ? DecisionClass::kDenied
                      : o == policy::Outcome::kReview ? DecisionClass::kReview
                                                      : DecisionClass::kAllowed;
    count(c);
    ++report.decisions;
    for (Error& e : errors) {
      if (e.source.empty() && e.line == 0) {
        e.source = options.source;
        if (!record.empty()) {
          e.line = static_cast<int64_t>(line);
          e.column = static_cast<int64_t>(column);
          e.offset = static_cast<int64_t>(offset);
        }
      }
      place_in_yaml(e);
    }
    if (from_yaml) {
      line = yaml_line(line);
      header.line = line;
    }
    switch (options.output) {
      case OutputFormat::kJson: {
        JsonWriter& out = state_->out;
        out.clear();
        if (options.decision_only) {
          decision.write_json(out);
          out_text.append(out.view());
          if (options.explain && out.view().size() >= 2 && out.view().front() == '{') {
            out_text.pop_back();  // the decision object's '}': explain goes in as its last member
            if (out.view().size() > 2) out_text.push_back(',');
            out_text += "\"explain\":";
            out.clear();
            decision.write_explain(out);
            out_text.append(out.view());
            out_text.push_back('}');
          }
          break;
        }
        out.begin_object().key("ok").boolean(errors.empty());
        if (line > 0) out.key("line").number(static_cast<int64_t>(line));
        if (!record.empty()) out.key("record").string(record);
        out.key("policy").begin_object().key("name").string(pol->meta().name);
        if (!pol->meta().version.empty()) out.key("version").string(pol->meta().version);
        out.key("kind").string(pol->kind()).end_object();
        out.key("bundle").string(digest);
        if (dc.has_now) out.key("now").string(now_text);
        out.key("decision");
        decision.write_json(out);
        out.key("errors");
        policy::write_errors(out, errors);
        if (options.explain) {
          out.key("explain");
          decision.write_explain(out);
        }
        out.end_object();
        out_text.append(out.view());
        break;
      }
      case OutputFormat::kText: {
        if (!options.decision_only) write_header_text(out_text, header);
        policy::TextOut t(out_text);
        decision.write_text(t, options.explain);
        if (options.decision_only) break;
        for (const Error& e : errors) t << "  error: " << e.to_string() << "\n";
        t << "  bundle " << digest << "\n";
        break;
      }
      case OutputFormat::kJunit: decision.write_junit(out_text, header); break;
      case OutputFormat::kGithub: decision.write_github(out_text, header); break;
      case OutputFormat::kSvg: decision.write_svg(out_text, header); break;
    }
    for (Error& e : errors) report.errors.push_back(std::move(e));
  };
  auto flush = [&](bool stream) {
    if (stream && options.output == OutputFormat::kJson) out_text.push_back('\n');
    if (options.sink) {
      options.sink(out_text);
      out_text.clear();
    }
  };
  out_text.clear();

  // A kind that needs the whole input for its one decision (ErrorBudget) parses the bytes
  // itself, whatever their format: one decision, no "line".
  if (pol->whole_input()) {
    policy::DecisionInput in;
    in.raw = input;
    in.source = options.source;
    in.reader = &reader_;
    decide_one(in, 0);
    flush(false);
    report.json = std::move(out_text);
    out_text.clear();
    return report;
  }

  // One document: a record, or an API envelope of records (document/envelope.h), each
  // decided on as one document, at its own line and JSON pointer. `text` is the document's
  // JSON text and `line` its first line in the input.
  std::string record_pointer;
  auto decide_document = [&](Value root, std::string_view text, size_t line, size_t text_offset, bool stream) {
    shapes::Envelope env;
    if (!pol->reads_envelopes()) env = shapes::detect_envelope(root);
    policy::DecisionInput in;
    in.source = options.source;
    if (env.kind == shapes::EnvelopeKind::kNone) {
      in.document = root;
      decide_one(in, stream ? line : 0);
      flush(stream);
      return;
    }
    const std::vector<shapes::RecordPosition> at = shapes::record_positions(text, env);
    shapes::for_each_record(env, [&](Value record, size_t i) {
      if (report.stopped) return;
      if (options.stop && options.stop()) {
        report.stopped = true;
        return;
      }
      const shapes::RecordPosition p = i < at.size() ? at[i] : shapes::RecordPosition{};
      record_pointer = env.pointer(i);
      in.document = record;
      decide_one(in, line + p.lines_before, record_pointer, p.column, text_offset + p.offset);
      flush(true);
    });
  };

  InputFormat format = from_yaml ? InputFormat::kNdjson : options.format;
  if (format == InputFormat::kAuto) format = reader_.is_ndjson(input) ? InputFormat::kNdjson : InputFormat::kJson;
  if (format == InputFormat::kNdjson) {
    if (!options.sink) out_text.reserve(input.size() * 2);
    reader_.read_ndjson(input, [&](const StreamItem& item) {
      const size_t line = item.line + options.lines_before;
      if (options.stop && options.stop()) {
        report.stopped = true;
        return false;
      }
      if (item.document) {
        decide_document(item.document->root(), input.substr(item.offset, item.length), line,
                        item.offset + options.bytes_before, true);
        return true;
      } else {
        Error e = *item.error;
        e.source = options.source;
        if (e.line > 0) e.line += static_cast<int64_t>(options.lines_before);
        if (e.offset >= 0) e.offset += static_cast<int64_t>(options.bytes_before);
        place_in_yaml(e);
        header.line = yaml_line(line);
        render_failure(out_text, options.output, header, {e}, command);
        report.errors.push_back(std::move(e));
        count(DecisionClass::kError);
      }
      flush(true);
      return true;
    });
    report.json = std::move(out_text);
    out_text.clear();
  } else {
    auto doc = reader_.read(input);
    if (!doc.ok()) return fail(doc.error());
    decide_document(doc.value().root(), input, 1, 0, false);
    report.json = std::move(out_text);
    out_text.clear();
  }
  return report;
}

bool Engine::decides_on_whole_input(const EvalOptions& options) const {
  auto selected = select_policy(options.policy, options.kind);
  return selected.ok() && selected.value()->whole_input();
}

std::string junit_document(std::string_view suite, size_t tests, size_t failures, size_t errors, std::string_view testcases) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string name;
  policy::append_xml(name, suite);
  std::string counts = "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
                       std::to_string(errors) + "\"";
  out += "<testsuites name=\"" + name + "\" " + counts + ">\n";
  out += "  <testsuite name=\"" + name + "\" " + counts + ">\n";
  out.append(testcases);
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

// ---- for AlertDedup streams (alert_streams.cc) ------------------------------------------

std::vector<std::shared_ptr<const policy::CompiledPolicy>> Engine::loaded_policies() const { return state_->policies; }

// Builds the CMDB index and each kind's data when the data changed (evaluate() and the
// AlertDedup streams). The documents were parsed when their files were loaded.
const CmdbIndex* Engine::current_cmdb() {
  if (state_->data_dirty || !state_->cmdb) {
    state_->cmdb = std::make_unique<CmdbIndex>();
    const auto& all = kinds::all();
    state_->kind_data.clear();
    state_->kind_data.resize(all.size());
    for (size_t k = 0; k < all.size(); ++k)
      if (all[k].new_data) state_->kind_data[k] = all[k].new_data();
    std::vector<Error> ignored;  // conflicts were refused when the files loaded
    for (const auto& d : state_->data)
      if (d->servicenow) state_->cmdb->set_servicenow(*d->servicenow);
    for (const auto& d : state_->data) {
      for (const auto& doc : d->cmdb_docs) (void)state_->cmdb->add(doc, d->source);
      for (size_t k = 0; k < all.size() && k < d->kind_data.size(); ++k)
        if (d->kind_data[k] && state_->kind_data[k]) state_->kind_data[k]->append(*d->kind_data[k], ignored);
    }
    state_->cmdb->finalize();
    for (auto& kd : state_->kind_data)
      if (kd) kd->finalize();
    state_->data_dirty = false;
  }
  return state_->cmdb.get();
}

}  // namespace verdict
