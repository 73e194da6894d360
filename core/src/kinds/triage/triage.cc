// The TriageRouting kind (docs/triage.md): the canonical incident, priority from an
// impact x urgency matrix, Alertmanager's routing tree (alertmanager/route.h) with
// Alertmanager's matchers (alertmanager/matcher.h, plus field paths), `any` matchers, `when`
// expressions and time windows, and the team from the route or the CMDB owner. Decisions
// are typed (TriageDecision) and render themselves as JSON, explanations and text.
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alertmanager/route.h"
#include "cmdb/cmdb.h"
#include "document/shapes.h"
#include "kinds/registry.h"
#include "policy/bind.h"
#include "policy/kind.h"
#include "policy/windows.h"
#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;
using alertmanager::Matcher;
using alertmanager::MatchOp;

struct Window {
  std::string name;
  TimeWindow tw;  // weekly ranges (policy/windows.h)
  bool contains(int64_t now_ns) const { return tw.contains(now_ns); }
};

// What a route sets. A route's settings are effective ones: its parent's, with what the route
// itself says over them (the root's parent is spec.defaults); labels merge along the path.
struct Settings {
  std::optional<std::string> team, escalation, notify, runbook;
  std::optional<int64_t> priority_adjust;
  std::vector<std::pair<std::string, std::string>> labels;
  bool team_from_route = false;  // a route of the path (not the defaults) names the team
};

// Regex matchers of sibling routes on one field, matched in one pass (RE2::Set).
struct SetGroup {
  std::string name;  // the field
  int name_id = -1;
  std::unique_ptr<RE2::Set> set;
  std::vector<std::pair<uint32_t, uint32_t>> members;  // (child index, matcher index), by pattern index
};

// TriageRouting's per-route options (alertmanager::Route<TriageOpts>): the effective
// settings, and the conditions besides the matchers, which are not inherited.
struct TriageOpts {
  Settings settings;
  std::vector<Matcher> any;  // at least one must match (when there are any)
  Expr when;
  bool has_when = false;
  std::vector<int> active_windows, mute_windows;
  std::vector<SetGroup> sets;  // over this route's children's regex matchers
  // Written once when the policy loads (the decision writes them as they are): the route's
  // path as the decision's JSON {"name":...,"path":[...]}, and its reason (the path, its
  // matchers and whens) as text and as a JSON string.
  std::string path_text, path_json, reason, reason_json;
  std::string pointer;  // the route's JSON pointer in the policy file (for run-time errors)
  TriageOpts inherited() const {
    TriageOpts o;
    o.settings = settings;
    return o;
  }
};

using Route = alertmanager::Route<TriageOpts>;
using Path = std::vector<const Route*>;

// Per child: which of its matchers were decided by a SetGroup, and how.
struct Precomputed {
  uint64_t known = 0;
  uint64_t result = 0;
};

// Where impact or urgency came from ("input", "default", "derive: ..."), as text and JSON.
struct LevelFrom {
  std::string text, json;
};

struct DeriveRule {
  Expr when;
  std::string value;
  std::string reason;
  LevelFrom from;  // "derive: REASON" (or the condition)
};

struct TriageSpec {
  std::vector<std::string> impact, urgency, names;
  std::vector<std::vector<int64_t>> matrix;
  std::vector<DeriveRule> derive_impact, derive_urgency;
  std::string default_impact, default_urgency;
  std::vector<Window> windows;
  Settings defaults;
  Route root;
  std::vector<std::string> matcher_names;  // distinct names read by matchers
  // Derived from the matrix: its range, and the name of every priority number in it.
  int64_t lowest = 1, highest = 1;
  std::vector<std::string> priority_names, priority_json;  // [n - 1]: the name, and as a JSON string
  std::vector<std::string> impact_json, urgency_json;       // the levels as JSON strings
  const std::string& priority_name(int64_t n) const { return priority_names[static_cast<size_t>(n - 1)]; }
};


void append_path(TextOut& o, const Route* const* path, size_t n) {
  for (size_t i = 0; i < n; ++i) o << (i ? "/" : "") << path[i]->name;
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

const LevelFrom& from_input() {
  static const LevelFrom f{"input", "\"input\""};
  return f;
}
const LevelFrom& from_default() {
  static const LevelFrom f{"default", "\"default\""};
  return f;
}

// A list of strings whose memory is kept across decisions.
struct Strings {
  std::vector<std::string> items;
  size_t size = 0;
  std::string& add() {
    if (size == items.size()) items.emplace_back();
    std::string& s = items[size++];
    s.clear();
    return s;
  }
  const std::string* begin() const { return items.data(); }
  const std::string* end() const { return items.data() + size; }
};

// ---- the decision -------------------------------------------------------------------------

class TriageDecision : public Decision {
 public:
  struct MatcherSeen {
    const Matcher* matcher;
    std::string value;
    bool matched;
  };
  // explain: a route tried, with what its matchers saw and what its `when` read.
  struct RouteTried {
    Path path;
    bool matched = false;
    std::vector<MatcherSeen> matchers;
    std::vector<ReadValue> reads;
    std::vector<std::pair<int, bool>> windows;  // the route's active/mute windows checked: in effect?
    std::string error;
  };

  // Priority.
  int64_t number = 0, base = 0;
  size_t impact = 0, urgency = 0;  // indexes of the spec's levels
  const LevelFrom* impact_from = nullptr;
  const LevelFrom* urgency_from = nullptr;
  // Team and the first match's effective settings (escalation, notify, runbook, labels).
  bool has_team = false;
  std::string team;
  const char* team_from = "";
  const Settings* settings = nullptr;
  // Every matched route (a path's last), in order; the first decides.
  std::vector<const Route*> matched;
  Strings reasons;  // after the first route's own reason
  Strings owned;    // strings the members above may point to
  // The canonical incident: its shape, and the "field":"from" members of input.fields.
  std::string_view shape;
  std::vector<const std::string*> fields;
  // explain
  std::vector<RouteTried> tried;
  size_t tried_count = 0;
  const TriageSpec* spec = nullptr;

  void clear() override {
    number = base = 0;
    impact = urgency = 0;
    impact_from = urgency_from = nullptr;
    has_team = false;
    team.clear();
    team_from = "";
    settings = nullptr;
    matched.clear();
    reasons.size = 0;
    owned.size = 0;
    shape = {};
    fields.clear();
    tried_count = 0;
  }
  Outcome outcome() const override { return Outcome::kAllowed; }

  RouteTried& try_route(const Path& path) {
    if (tried_count == tried.size()) tried.emplace_back();
    RouteTried& t = tried[tried_count++];
    t.path.assign(path.begin(), path.end());
    t.matched = false;
    t.matchers.clear();
    t.reads.clear();
    t.windows.clear();
    t.error.clear();
    return t;
  }

  void write_json(JsonWriter& w) const override {
    w.begin_object().key("priority").begin_object();
    w.key("number").number(number).key("name").raw(spec->priority_json[static_cast<size_t>(number - 1)]);
    w.key("impact").raw(spec->impact_json[impact]).key("urgency").raw(spec->urgency_json[urgency]);
    w.key("impact_from").raw(impact_from->json).key("urgency_from").raw(urgency_from->json);
    if (number != base) w.key("before_adjustment").raw(spec->priority_json[static_cast<size_t>(base - 1)]);
    w.end_object();
    if (has_team) w.key("team").string(team).key("team_from").string(team_from);
    else w.key("team").null();
    auto opt = [&](const char* key, const std::optional<std::string>& v) {
      w.key(key);
      if (v) w.string(*v);
      else w.null();
    };
    opt("escalation", settings->escalation);
    opt("notify", settings->notify);
    opt("runbook", settings->runbook);
    w.key("labels").begin_object();
    for (const auto& [k, v] : settings->labels) w.key(k).string(v);
    w.end_object();
    w.key("route").raw(matched[0]->opts.path_json);
    w.key("routes").begin_array();
    for (const Route* r : matched) w.raw(r->opts.path_json);
    w.end_array().key("reasons").begin_array().raw(matched[0]->opts.reason_json);
    for (const std::string& r : reasons) w.string(r);
    w.end_array();
    w.key("input").begin_object().key("shape").string(shape).key("fields").begin_object();
    for (const std::string* member : fields) w.raw(*member);  // "field":"from"
    w.end_object().end_object();
    w.end_object();
  }

  void write_explain(JsonWriter& w) const override {
    w.begin_object().key("routes").begin_array();
    for (size_t i = 0; i < tried_count; ++i) {
      const RouteTried& t = tried[i];
      w.begin_object().key("path").begin_array();
      for (const Route* r : t.path) w.string(r->name);
      w.end_array().key("matched").boolean(t.matched);
      if (!t.matchers.empty()) {
        w.key("matchers").begin_array();
        for (const MatcherSeen& m : t.matchers)
          w.begin_object().key("matcher").string(m.matcher->text).key("value").string(m.value).key("matched").boolean(m.matched).end_object();
        w.end_array();
      }
      if (!t.windows.empty()) {
        w.key("windows").begin_object();
        for (const auto& [wi, in] : t.windows) w.key(spec->windows[static_cast<size_t>(wi)].name).boolean(in);
        w.end_object();
      }
      const Route* r = t.path.back();
      if (r->opts.has_when) {
        w.key("when").string(r->opts.when.text);
        write_read_values(w, t.reads);
      }
      if (!t.error.empty()) w.key("error").string(t.error);
      w.end_object();
    }
    w.end_array().end_object();
  }

  void write_text(TextOut& o, bool explain) const override {
    o << "  priority " << spec->priority_name(number) << " (impact " << spec->impact[impact] << " [" << impact_from->text
      << "], urgency " << spec->urgency[urgency] << " [" << urgency_from->text << "])\n";
    o << "  team ";
    if (has_team) o << team << " [" << team_from << "]";
    else o << "(none)";
    o << ", notify " << (settings->notify ? std::string_view(*settings->notify) : std::string_view("-"));
    if (settings->escalation) o << ", escalation " << *settings->escalation;
    o << "\n";
    if (settings->runbook) o << "  runbook " << *settings->runbook << "\n";
    o << "  route ";
    o << matched[0]->opts.path_text;
    if (matched.size() > 1) o << " (+" << matched.size() - 1 << " more with continue)";
    o << "\n";
    o << "    - " << matched[0]->opts.reason << "\n";
    for (const std::string& r : reasons) o << "    - " << r << "\n";
    o << "  input shape " << shape << "\n";
    if (!explain) return;
    JsonWriter q;
    for (size_t i = 0; i < tried_count; ++i) {
      const RouteTried& t = tried[i];
      o << "  " << (t.matched ? "[x] " : "[ ] ");
      append_path(o, t.path.data(), t.path.size());
      o << "\n";
      for (const MatcherSeen& m : t.matchers) {
        q.clear();
        q.string(m.value);
        o << "        " << m.matcher->text << "  (value " << q.view() << ": " << (m.matched ? "match" : "no match") << ")\n";
      }
      for (const auto& [wi, in] : t.windows)
        o << "        window " << spec->windows[static_cast<size_t>(wi)].name << "  (" << (in ? "in effect" : "not in effect") << ")\n";
      const Route* r = t.path.back();
      if (r->opts.has_when) {
        o << "        when " << r->opts.when.text << "\n";
        for (const ReadValue& v : t.reads) o << "          " << v.path << " = " << v.json << "\n";
      }
    }
  }
};

// ---- deciding -----------------------------------------------------------------------------

// Values of matcher names for one decision, looked up once each (many routes test the same
// label). Reused across decisions on a thread.
struct LabelCache {
  std::vector<uint8_t> have;
  std::vector<std::string_view> values;
  std::vector<std::string> texts;  // JSON text of non-string values
  const shapes::Record* record = nullptr;
  void reset(size_t n, const shapes::Record& r) {
    have.assign(n, 0);
    values.resize(n);
    texts.resize(n);
    record = &r;
  }
  std::string_view value(const std::string& name, int name_id) {
    size_t id = static_cast<size_t>(name_id);
    if (!have[id]) {
      values[id] = record->lookup(name, texts[id]);
      have[id] = 1;
    }
    return values[id];
  }
};

class TriagePolicy : public CompiledPolicy {
 public:
  TriageSpec spec;

  std::unique_ptr<Decision> new_decision() const override {
    auto d = std::make_unique<TriageDecision>();
    d->spec = &spec;
    return d;
  }

  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override;

 private:
  struct Walk;
  size_t level(const char* field, size_t field_index, const std::vector<std::string>& levels, const std::vector<DeriveRule>& derive,
               const std::string& fallback, const LevelFrom*& from, const shapes::Record& incident, TriageDecision& d,
               lang::EvalContext& ctx, std::vector<Error>& errors) const;
};

// The priority level of `field` (impact or urgency): from the input, else the first derive
// rule that holds, else the default.
size_t TriagePolicy::level(const char* field, size_t field_index, const std::vector<std::string>& levels,
                           const std::vector<DeriveRule>& derive, const std::string& fallback, const LevelFrom*& from,
                           const shapes::Record& incident, TriageDecision& d, lang::EvalContext& ctx, std::vector<Error>& errors) const {
  const shapes::FieldValue& given_value = incident[field_index];
  if (given_value.kind == shapes::FieldValue::kDoc && !given_value.doc.is_null() && !given_value.doc.is_string())
    d.reasons.add().append(field).append(" \"").append(given_value.doc.to_json()).append("\" in the input is not one of the matrix's values");
  std::string_view given = incident.text(field_index);
  if (!given.empty()) {
    for (size_t i = 0; i < levels.size(); ++i) {
      if (levels[i].size() == given.size() &&
          std::equal(given.begin(), given.end(), levels[i].begin(),
                     [](char a, char b) { return tolower(static_cast<unsigned char>(a)) == tolower(static_cast<unsigned char>(b)); })) {
        from = &from_input();
        d.reasons.add().append(field).append(" ").append(levels[i]).append(" from the input");
        return i;
      }
    }
    d.reasons.add().append(field).append(" \"").append(given).append("\" in the input is not one of the matrix's values");
  }
  for (const DeriveRule& r : derive) {
    lang::Val v = evaluate(r.when, ctx, errors);
    if (lang::truthy(v)) {
      for (size_t i = 0; i < levels.size(); ++i) {
        if (levels[i] == r.value) {
          const std::string& why = r.reason.empty() ? r.when.text : r.reason;
          from = &r.from;
          d.reasons.add().append(field).append(" ").append(r.value).append(" derived: ").append(why);
          return i;
        }
      }
    }
  }
  from = &from_default();
  for (size_t i = 0; i < levels.size(); ++i)
    if (levels[i] == fallback) return i;
  return levels.size() / 2;
}

// The routing walk (alertmanager::walk) with TriageRouting's conditions, the RE2::Set pass
// over a route's children, and the explanation.
struct TriagePolicy::Walk {
  const TriagePolicy& p;
  const DecisionContext& dc;
  lang::EvalContext& ctx;
  std::vector<Error>& errors;
  TriageDecision& d;
  LabelCache& cache;
  std::vector<Precomputed>& stack;  // the RE2::Set outcomes of the routes being walked
  bool over_budget = false;          // the step budget is spent: no more route is tried

  // A regex matcher's work, like the language's matches(), is charged to the decision's step
  // budget by the bytes it may touch (a step per 64 bytes): 1,000 routes of a DFA-heavy
  // pattern over a 1 MiB title are 16 million steps, not 1,000 matches. The first charge over
  // the budget is an error at the route; after it no route is tried.
  // `m`: the matcher, or null for the RE2::Set pass over the children of `r`.
  bool charge(const Route& r, const Matcher* m, std::string_view field, std::string_view v) {
    if (over_budget) return false;
    if (ctx.charge(v.size())) return true;
    over_budget = true;
    std::string what = m ? "the matcher " + m->text + " of route \"" + r.name + "\""
                         : "the regex matchers of the routes under \"" + r.name + "\"";
    errors.push_back(p.source().error_at(r.opts.pointer, ErrorCode::kLimitExceeded,
                                         "evaluation exceeded " + std::to_string(ctx.limits().max_steps) +
                                             " steps (limit max_steps; a regex match costs a step per 64 bytes): " + what +
                                             " over " + std::string(field) + " of " + std::to_string(v.size()) + " bytes"));
    return false;
  }
  bool spent() const { return over_budget || ctx.steps() > ctx.limits().max_steps; }

  // The children's outcomes of one route's sets, popped when its children are done.
  struct Sets {
    std::vector<Precomputed>* stack;
    size_t base;
    bool any;
    Sets(std::vector<Precomputed>* s, size_t b, bool a) : stack(s), base(b), any(a) {}
    Sets(const Sets&) = delete;
    ~Sets() {
      if (any) stack->resize(base);
    }
    const Precomputed& operator[](size_t child) const {
      static const Precomputed kNone;
      return any ? (*stack)[base + child] : kNone;
    }
  };

  // Before a matching route's children are tried: one pass per field over their regexes on
  // it (RE2::Set) instead of one match per child; the children read the outcome.
  Sets enter(const Route& node) {
    if (node.opts.sets.empty()) return Sets(&stack, 0, false);
    const size_t base = stack.size();
    stack.resize(base + node.routes.size());
    Precomputed* pre = stack.data() + base;
    thread_local std::vector<int> hits;
    for (const SetGroup& g : node.opts.sets) {
      std::string_view v = cache.value(g.name, g.name_id);
      // One pass over the value for all the set's patterns: charged once (a child whose
      // matchers the set did not decide is charged when it matches them one by one).
      if (!charge(node, nullptr, g.name, v)) break;
      hits.clear();
      RE2::Set::ErrorInfo info{RE2::Set::kNoError};
      bool any = g.set->Match(re2::StringPiece(v.data(), v.size()), &hits, &info);
      if (!any && info.kind != RE2::Set::kNoError) continue;  // e.g. DFA out of memory: match one by one
      for (const auto& [child, k] : g.members) pre[child].known |= uint64_t{1} << k;
      for (int h : hits) {
        const auto& [child, k] = g.members[static_cast<size_t>(h)];
        pre[child].result |= uint64_t{1} << k;
      }
    }
    // !~ is the negation of the set's answer.
    for (uint32_t ci = 0; ci < node.routes.size(); ++ci) {
      const Route& ch = node.routes[ci];
      for (uint32_t k = 0; k < ch.matchers.size() && k < 64; ++k)
        if ((pre[ci].known >> k & 1) && ch.matchers[k].op == MatchOp::kNotRe) pre[ci].result ^= uint64_t{1} << k;
    }
    return Sets(&stack, base, true);
  }

  bool matches(const Route& r, size_t index, Sets& sets, const Path& path) {
    if (spent()) return false;  // the error is already there; trying more routes would only add cost
    TriageDecision::RouteTried* t = dc.explain ? &d.try_route(path) : nullptr;
    size_t errors_before = errors.size();
    bool ok = route_matches(r, sets[index], t);
    if (t) {
      t->matched = ok;
      if (errors.size() > errors_before) t->error = errors.back().message;
    }
    return ok;
  }

  void leaf(const Path& path) { d.matched.push_back(path.back()); }

  bool route_matches(const Route& r, const Precomputed& pre, TriageDecision::RouteTried* t) {
    for (size_t k = 0; k < r.matchers.size(); ++k) {
      const Matcher& m = r.matchers[k];
      std::string_view v = cache.value(m.name, m.name_id);
      bool ok = false;
      if (k < 64 && (pre.known >> k & 1)) ok = (pre.result >> k & 1) != 0;
      else if (!m.is_regex() || charge(r, &m, m.name, v)) ok = m.matches(v);
      else return false;
      if (t) t->matchers.push_back({&m, std::string(v), ok});
      if (!ok) return false;
    }
    if (!r.opts.any.empty()) {
      bool any = false;
      for (const Matcher& m : r.opts.any) {
        std::string_view v = cache.value(m.name, m.name_id);
        if (m.is_regex() && !charge(r, &m, m.name, v)) return false;
        bool ok = m.matches(v);
        if (t) t->matchers.push_back({&m, std::string(v), ok});
        if (ok) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    const auto& windows = p.spec.windows;
    if (!r.opts.active_windows.empty()) {
      bool inside = false;
      for (int w : r.opts.active_windows) {
        bool in = dc.has_now && windows[static_cast<size_t>(w)].contains(dc.now);
        if (t) t->windows.emplace_back(w, in);
        inside = inside || in;
      }
      if (!inside) return false;
    }
    for (int w : r.opts.mute_windows) {
      bool in = dc.has_now && windows[static_cast<size_t>(w)].contains(dc.now);
      if (t) t->windows.emplace_back(w, in);
      if (in) return false;
    }
    if (r.opts.has_when) {
      size_t reads_from = ctx.reads().size();
      bool ok = lang::truthy(p.evaluate(r.opts.when, ctx, errors));
      if (t) copy_reads(*r.opts.when.program, ctx, reads_from, t->reads);
      return ok;
    }
    return true;
  }
};

void TriagePolicy::decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
                          std::vector<Error>& errors) const {
  auto& d = static_cast<TriageDecision&>(out);
  d.clear();
  // 1. The canonical incident (the one shape mapping), bound as a value.
  thread_local shapes::Record incident(shapes::incident_schema());
  std::vector<std::string> date_problems;  // a ServiceNow date that does not read: an input error
  shapes::map_incident(in.document, incident, dc.cmdb ? &dc.cmdb->servicenow_config() : nullptr, &date_problems);
  for (auto& p : date_problems) errors.push_back(Error(ErrorCode::kInvalidArgument, std::move(p)));
  // A document of no known shape is never decided on silently: not an object is an error, an
  // object read as native without saying what it is about gets a reason that says so.
  const bool unknown_shape = !shapes::is_known_incident(in.document, incident);
  if (unknown_shape && !in.document.is_object())
    errors.push_back(Error(ErrorCode::kWrongType, std::string("not an object but ") + type_name(in.document.type()) +
                                                      ": TriageRouting reads an incident, ticket or alert"));
  else if (unknown_shape)
    d.reasons.add().append(
        "the input has no known shape (no kind and no field of an incident; not a ServiceNow incident, "
        "a Jira issue, a PagerDuty incident or an alert): read as a native incident");
  ctx.bind(0, bind_record(incident, ctx.arena()));
  ctx.bind(1, in.document);
  ctx.bind(2, lang::Val::null());  // `priority` is not known while impact and urgency are derived
  lang::ValMap& wm = ctx.arena().new_map();  // windows: {name: bool}
  for (const Window& w : spec.windows) wm.emplace_back(w.name, dc.has_now ? lang::Val::boolean(w.contains(dc.now)) : lang::Val::null());
  ctx.bind(3, lang::Val::map_of(&wm));
  // 2. Priority.
  size_t ii = level("impact", shapes::incident::kImpact, spec.impact, spec.derive_impact, spec.default_impact, d.impact_from,
                    incident, d, ctx, errors);
  size_t ui = level("urgency", shapes::incident::kUrgency, spec.urgency, spec.derive_urgency, spec.default_urgency, d.urgency_from,
                    incident, d, ctx, errors);
  d.impact = ii;
  d.urgency = ui;
  d.base = d.number = spec.matrix[ii][ui];
  lang::ValMap& pm = ctx.arena().new_map();
  pm.emplace_back("number", lang::Val::integer(d.base));
  pm.emplace_back("name", lang::Val::str(spec.priority_name(d.base)));
  pm.emplace_back("impact", lang::Val::str(spec.impact[ii]));
  pm.emplace_back("urgency", lang::Val::str(spec.urgency[ui]));
  ctx.bind(2, lang::Val::map_of(&pm));

  // 3. Routing, depth-first with Alertmanager's semantics.
  thread_local LabelCache cache;
  thread_local std::vector<Precomputed> stack;
  thread_local Path path;
  cache.reset(spec.matcher_names.size(), incident);
  stack.clear();
  if (dc.explain) d.try_route({&spec.root}).matched = true;
  Walk walk{*this, dc, ctx, errors, d, cache, stack};
  alertmanager::walk(spec.root, walk, path);

  // 4. The first match's effective settings, and the team.
  const Route* leaf = d.matched[0];
  const Settings& s = leaf->opts.settings;
  d.settings = &s;
  if (s.team_from_route) {
    d.has_team = true;
    d.team = *s.team;
    d.team_from = "route";
  } else {
    std::string_view ci = incident.text(shapes::incident::kCi);
    const CmdbIndex::Item* item = (dc.cmdb && !ci.empty()) ? dc.cmdb->find(ci) : nullptr;
    if (item && !item->owner.empty()) {
      d.has_team = true;
      d.team = item->owner;
      d.team_from = "cmdb";
      d.reasons.add().append("team ").append(d.team).append(": CMDB owner of ").append(ci);
    } else if (s.team) {
      d.has_team = true;
      d.team = *s.team;
      d.team_from = "default";
    }
  }
  if (s.priority_adjust) {
    d.number = std::clamp<int64_t>(d.base + *s.priority_adjust, spec.lowest, spec.highest);
    if (d.number != d.base)
      d.reasons.add().append("priority adjusted by ").append(std::to_string(*s.priority_adjust)).append(" on route ").append(leaf->name);
    else if (*s.priority_adjust != 0)
      d.reasons.add()
          .append("priority adjustment ")
          .append(std::to_string(*s.priority_adjust))
          .append(" on route ")
          .append(leaf->name)
          .append(" has no effect: ")
          .append(spec.priority_name(d.base))
          .append(" is already at the end of the matrix");
  }
  // input.fields: each "field":"from" member written once per thread (the mapping's `from`
  // strings are few and fixed), then reused.
  d.shape = incident.shape();
  thread_local std::vector<std::vector<std::pair<std::string, std::string>>> members(incident.schema().size());
  for (uint8_t f : incident.order()) {
    std::string_view from = incident.from(f);
    if (from.empty()) continue;
    auto& known = members[f];
    const std::string* member = nullptr;
    for (const auto& [k, text] : known)
      if (k == from) member = &text;
    if (!member) {
      std::string* text = &d.owned.add();
      if (known.size() < 16) text = &known.emplace_back(std::string(from), std::string()).second;
      append_json_string(*text, incident.schema()[f].name);
      text->push_back(':');
      append_json_string(*text, from);
      member = text;
    }
    d.fields.push_back(member);
  }
}

// ---- loading ------------------------------------------------------------------------------

class Loader {
 public:
  Loader(PolicyBuilder& b, TriagePolicy& p) : b_(b), p_(p) {
    env_.add("incident", lang::StaticType::kDyn, &shapes::incident_schema());
    env_.add("input", lang::StaticType::kDyn);
    env_.add("priority", lang::StaticType::kMap);
    env_.add("windows", lang::StaticType::kMap);
    syntax_.field_paths = true;  // verdict's extension: names may be field paths (docs/triage.md)
    syntax_.max_regex_memory = b.limits.max_regex_memory;
  }

  void load(const json& spec) {
    const std::string sp = b_.spec_pointer();
    b_.only_keys(spec, sp, {"timezone", "priority", "windows", "defaults", "route", "description"});
    load_zone(b_, spec, sp, "timezone", default_zone_);
    load_priority(spec, sp);
    if (const json* ws = b_.get(spec, sp, "windows", false, json::value_t::object)) load_windows(*ws, pointer_join(sp, "windows"));
    if (const json* d = b_.get(spec, sp, "defaults", false, json::value_t::object)) {
      std::string dp = pointer_join(sp, "defaults");
      b_.only_keys(*d, dp, {"team", "escalation", "notify", "runbook", "labels"});
      load_settings(*d, dp, p_.spec.defaults, false);
    }
    const json* root = b_.get(spec, sp, "route", true, json::value_t::object);
    if (root) {
      Route& r = p_.spec.root;
      r.opts.settings = p_.spec.defaults;
      load_route(*root, pointer_join(sp, "route"), r, 0);
      if (!r.matchers.empty() || !r.opts.any.empty() || r.opts.has_when)
        b_.warnings.push_back(b_.error(pointer_join(sp, "route"), ErrorCode::kInvalidPolicy,
                                       "the root route matches every input: its matchers and when are ignored (as in Alertmanager)"));
      r.matchers.clear();
      r.opts.any.clear();
      r.opts.has_when = false;
      std::vector<const Route*> path;
      describe_routes(r, path);
    }
    finish_priority();
  }

 private:
  void load_priority(const json& spec, const std::string& sp) {
    TriageSpec& t = p_.spec;
    t.impact = {"high", "medium", "low"};
    t.urgency = {"high", "medium", "low"};
    t.matrix = {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}};
    t.default_impact = "medium";
    t.default_urgency = "medium";
    const json* pr = b_.get(spec, sp, "priority", false, json::value_t::object);
    if (!pr) return;
    std::string pp = pointer_join(sp, "priority");
    b_.only_keys(*pr, pp, {"impact", "urgency", "matrix", "names", "derive", "default"});
    auto strings = [&](const char* key, std::vector<std::string>& out) {
      if (const json* a = b_.get(*pr, pp, key, false, json::value_t::array)) {
        out.clear();
        for (size_t i = 0; i < a->size(); ++i) {
          if (!(*a)[i].is_string()) {
            b_.fail(pointer_join(pointer_join(pp, key), i), ErrorCode::kInvalidPolicy, "expected a string");
            continue;
          }
          out.push_back((*a)[i].get<std::string>());
        }
        if (out.empty()) b_.fail(pointer_join(pp, key), ErrorCode::kInvalidPolicy, std::string(key) + " needs at least one value");
      }
    };
    strings("impact", t.impact);
    strings("urgency", t.urgency);
    strings("names", t.names);
    if (const json* m = b_.get(*pr, pp, "matrix", false, json::value_t::array)) {
      t.matrix.clear();
      std::string mp = pointer_join(pp, "matrix");
      if (m->size() != t.impact.size())
        b_.fail(mp, ErrorCode::kInvalidPolicy, "the matrix has " + std::to_string(m->size()) + " rows but impact has " + std::to_string(t.impact.size()) + " values");
      for (size_t r = 0; r < m->size(); ++r) {
        const json& row = (*m)[r];
        std::vector<int64_t> vals;
        if (!row.is_array() || row.size() != t.urgency.size()) {
          b_.fail(pointer_join(mp, r), ErrorCode::kInvalidPolicy, "each matrix row has one priority per urgency value (" + std::to_string(t.urgency.size()) + ")");
          continue;
        }
        for (size_t c = 0; c < row.size(); ++c) {
          if (!row[c].is_number_integer() || row[c].get<int64_t>() < 1) {
            b_.fail(pointer_join(pointer_join(mp, r), c), ErrorCode::kInvalidPolicy, "a priority is a positive integer (1 is the highest)");
            vals.push_back(1);
            continue;
          }
          vals.push_back(row[c].get<int64_t>());
        }
        t.matrix.push_back(std::move(vals));
      }
    } else if (t.impact.size() != 3 || t.urgency.size() != 3) {
      b_.fail(pp, ErrorCode::kInvalidPolicy, "impact and urgency are not 3 values each: give a matrix");
    }
    if (t.matrix.size() != t.impact.size()) {
      t.matrix.assign(t.impact.size(), std::vector<int64_t>(t.urgency.size(), 1));
    }
    if (const json* d = b_.get(*pr, pp, "derive", false, json::value_t::object)) {
      std::string dp = pointer_join(pp, "derive");
      b_.only_keys(*d, dp, {"impact", "urgency"});
      load_derive(*d, dp, "impact", t.impact, t.derive_impact);
      load_derive(*d, dp, "urgency", t.urgency, t.derive_urgency);
    }
    if (const json* d = b_.get(*pr, pp, "default", false, json::value_t::object)) {
      std::string dp = pointer_join(pp, "default");
      b_.only_keys(*d, dp, {"impact", "urgency"});
      if (const json* v = b_.get(*d, dp, "impact", false, json::value_t::string)) t.default_impact = v->get<std::string>();
      if (const json* v = b_.get(*d, dp, "urgency", false, json::value_t::string)) t.default_urgency = v->get<std::string>();
    }
    if (std::find(t.impact.begin(), t.impact.end(), t.default_impact) == t.impact.end())
      b_.fail(pp, ErrorCode::kInvalidPolicy, "the default impact \"" + t.default_impact + "\" is not one of the impact values");
    if (std::find(t.urgency.begin(), t.urgency.end(), t.default_urgency) == t.urgency.end())
      b_.fail(pp, ErrorCode::kInvalidPolicy, "the default urgency \"" + t.default_urgency + "\" is not one of the urgency values");
  }

  void load_derive(const json& d, const std::string& dp, const char* key, const std::vector<std::string>& levels,
                   std::vector<DeriveRule>& out) {
    const json* rules = b_.get(d, dp, key, false, json::value_t::array);
    if (!rules) return;
    std::string rp = pointer_join(dp, key);
    for (size_t i = 0; i < rules->size(); ++i) {
      const json& r = (*rules)[i];
      std::string p = pointer_join(rp, i);
      if (!r.is_object()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "a derive rule is {\"when\": ..., \"value\": ...}");
        continue;
      }
      b_.only_keys(r, p, {"when", "value", "reason"});
      DeriveRule dr;
      const json* v = b_.get(r, p, "value", true, json::value_t::string);
      if (v) {
        dr.value = v->get<std::string>();
        if (std::find(levels.begin(), levels.end(), dr.value) == levels.end())
          b_.fail(pointer_join(p, "value"), ErrorCode::kInvalidPolicy, "\"" + dr.value + "\" is not one of the " + key + " values");
      }
      if (const json* reason = b_.get(r, p, "reason", false, json::value_t::string)) dr.reason = reason->get<std::string>();
      auto w = r.find("when");
      if (w == r.end()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "missing \"when\"");
        continue;
      }
      if (b_.compile(*w, pointer_join(p, "when"), env_, dr.when)) out.push_back(std::move(dr));
    }
  }

  void load_windows(const json& ws, const std::string& wp) {
    for (auto it = ws.begin(); it != ws.end(); ++it) {
      std::string p = pointer_join(wp, it.key());
      Window w;
      w.name = it.key();
      load_weekly_window(b_, it.value(), p, default_zone_, w.tw);
      p_.spec.windows.push_back(std::move(w));
    }
  }

  // The matrix's range and the name of every priority number in it.
  void finish_priority() {
    TriageSpec& t = p_.spec;
    int64_t lowest = INT64_MAX, highest = 1;
    for (const auto& row : t.matrix)
      for (int64_t v : row) {
        highest = std::max(highest, v);
        lowest = std::min(lowest, v);
      }
    if (lowest == INT64_MAX) lowest = 1;
    t.lowest = lowest;
    t.highest = highest;
    t.priority_names.clear();
    for (int64_t n = 1; n <= highest; ++n)
      t.priority_names.push_back(!t.names.empty() && static_cast<size_t>(n) <= t.names.size() ? t.names[static_cast<size_t>(n - 1)]
                                                                                              : "P" + std::to_string(n));
    t.priority_json.clear();
    for (const std::string& n : t.priority_names) t.priority_json.push_back(json_string(n));
    for (const std::string& l : t.impact) t.impact_json.push_back(json_string(l));
    for (const std::string& l : t.urgency) t.urgency_json.push_back(json_string(l));
    for (auto* rules : {&t.derive_impact, &t.derive_urgency})
      for (DeriveRule& r : *rules) {
        r.from.text = "derive: " + (r.reason.empty() ? r.when.text : r.reason);
        r.from.json = json_string(r.from.text);
      }
  }

  // What the decision writes of each route as it is: its path and its reason.
  void describe_routes(Route& r, std::vector<const Route*>& path) {
    path.push_back(&r);
    TriageOpts& o = r.opts;
    o.path_text.clear();
    for (const Route* p : path) o.path_text.append(o.path_text.empty() ? "" : "/").append(p->name);
    JsonWriter w;
    w.begin_object().key("name").string(r.name).key("path").begin_array();
    for (const Route* p : path) w.string(p->name);
    w.end_array().end_object();
    o.path_json.assign(w.view());
    o.reason = "route " + o.path_text;
    for (const Route* p : path) {
      for (const Matcher& m : p->matchers) o.reason.append("; ").append(m.text);
      if (p->opts.has_when) o.reason.append("; ").append(p->opts.when.text);
    }
    o.reason_json = json_string(o.reason);
    for (Route& c : r.routes) describe_routes(c, path);
    path.pop_back();
  }

  // Reads the settings a route (or the defaults) states into `s`, over what `s` holds.
  void load_settings(const json& r, const std::string& p, Settings& s, bool route) {
    auto str = [&](const char* key, std::optional<std::string>& out) {
      if (const json* v = b_.get(r, p, key, false, json::value_t::string)) {
        out = v->get<std::string>();
        return true;
      }
      return false;
    };
    if (str("team", s.team) && route) s.team_from_route = true;
    str("escalation", s.escalation);
    str("runbook", s.runbook);
    if (const json* v = b_.get(r, p, "notify", false, json::value_t::string)) {
      s.notify = v->get<std::string>();
      if (*s.notify != "page" && *s.notify != "ticket" && *s.notify != "none")
        b_.fail(pointer_join(p, "notify"), ErrorCode::kInvalidPolicy, "notify is \"page\", \"ticket\" or \"none\"");
    }
    if (const json* v = b_.get(r, p, "priority_adjust", false, json::value_t::number_integer)) s.priority_adjust = v->get<int64_t>();
    if (const json* l = b_.get(r, p, "labels", false, json::value_t::object)) {
      for (auto it = l->begin(); it != l->end(); ++it) {
        if (!it.value().is_string()) {
          b_.fail(pointer_join(pointer_join(p, "labels"), it.key()), ErrorCode::kInvalidPolicy, "label values are strings");
          continue;
        }
        auto same = std::find_if(s.labels.begin(), s.labels.end(), [&](const auto& kv) { return kv.first == it.key(); });
        if (same != s.labels.end()) same->second = it.value().get<std::string>();
        else s.labels.emplace_back(it.key(), it.value().get<std::string>());
      }
    }
  }

  // Gives each matcher the slot of its name in the per-decision value cache.
  void number_names(std::vector<Matcher>& ms) {
    auto& names = p_.spec.matcher_names;
    for (Matcher& m : ms) {
      auto it = std::find(names.begin(), names.end(), m.name);
      m.name_id = static_cast<int32_t>(it - names.begin());
      if (it == names.end()) names.push_back(m.name);
    }
  }

  // `any`: each string is one alternative, one matcher.
  void load_any(const json& r, const std::string& p, std::vector<Matcher>& out) {
    const json* ms = b_.get(r, p, "any", false, json::value_t::array);
    if (!ms) return;
    for (size_t i = 0; i < ms->size(); ++i) {
      std::string mp = pointer_join(pointer_join(p, "any"), i);
      if (!(*ms)[i].is_string()) {
        b_.fail(mp, ErrorCode::kInvalidPolicy, "a matcher is a string like service=\"payments\"");
        continue;
      }
      std::vector<Matcher> one;
      Error e;
      if (!alertmanager::parse_matchers((*ms)[i].get<std::string>(), syntax_, one, e)) b_.fail(mp, e.code, e.message);
      else if (one.size() != 1)
        b_.fail(mp, ErrorCode::kInvalidPolicy, "an item of \"any\" is one matcher (each item is one alternative), not " + std::to_string(one.size()));
      else out.push_back(std::move(one[0]));
    }
  }

  int window_index(const std::string& name) const {
    for (size_t i = 0; i < p_.spec.windows.size(); ++i)
      if (p_.spec.windows[i].name == name) return static_cast<int>(i);
    return -1;
  }

  // One route: its settings start as its parent's (TriageOpts::inherited), the root's as
  // spec.defaults.
  void load_route(const json& r, const std::string& p, Route& route, int depth) {
    b_.only_keys(r, p, {"name", "matchers", "any", "when", "active_windows", "mute_windows", "continue", "routes",
                        "team", "escalation", "notify", "runbook", "labels", "priority_adjust", "description"});
    if (const json* n = b_.get(r, p, "name", depth > 0, json::value_t::string)) route.name = n->get<std::string>();
    if (route.name.empty()) route.name = depth == 0 ? "root" : "route";
    route.opts.pointer = p;
    alertmanager::load_matchers(b_, r, p, "matchers", syntax_, route.matchers);
    load_any(r, p, route.opts.any);
    number_names(route.matchers);
    number_names(route.opts.any);
    auto w = r.find("when");
    if (w != r.end()) route.opts.has_when = b_.compile(*w, pointer_join(p, "when"), env_, route.opts.when);
    for (const char* key : {"active_windows", "mute_windows"}) {
      if (const json* ws = b_.get(r, p, key, false, json::value_t::array)) {
        for (size_t i = 0; i < ws->size(); ++i) {
          int idx = (*ws)[i].is_string() ? window_index((*ws)[i].get<std::string>()) : -1;
          if (idx < 0) {
            b_.fail(pointer_join(pointer_join(p, key), i), ErrorCode::kUnknownName, "no window of that name in spec.windows");
            continue;
          }
          (std::string(key) == "active_windows" ? route.opts.active_windows : route.opts.mute_windows).push_back(idx);
        }
      }
    }
    if (const json* c = b_.get(r, p, "continue", false, json::value_t::boolean)) route.cont = c->get<bool>();
    load_settings(r, p, route.opts.settings, true);
    alertmanager::load_children(b_, r, p, route, depth, [&](const json& c, const std::string& cp, Route& child, int d) {
      load_route(c, cp, child, d);
      // Lint: a child after one that matches everything without continue is unreachable.
      if (route.routes.empty()) return;
      const Route& prev = route.routes.back();
      bool catch_all = prev.matchers.empty() && prev.opts.any.empty() && !prev.opts.has_when && prev.opts.active_windows.empty() &&
                       prev.opts.mute_windows.empty() && !prev.cont;
      if (catch_all)
        b_.warnings.push_back(b_.error(cp, ErrorCode::kInvalidPolicy,
                                       "route \"" + child.name + "\" is unreachable: route \"" + prev.name +
                                           "\" before it matches everything and has no continue"));
    });
    if (b_.limits.regex_sets) build_sets(route);
  }

  // Groups the children's regex matchers by field; a field tested by 4 or more children
  // gets one RE2::Set (anchored at both ends, like the matchers).
  void build_sets(Route& route) {
    std::vector<std::string> names;
    for (const Route& c : route.routes)
      for (const Matcher& m : c.matchers)
        if (m.is_regex() && std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
    for (const std::string& name : names) {
      SetGroup g;
      g.name = name;
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_max_mem(b_.limits.max_regex_memory * 8);
      g.set = std::make_unique<RE2::Set>(opts, RE2::ANCHOR_BOTH);
      bool ok = true;
      for (uint32_t ci = 0; ci < route.routes.size() && ok; ++ci) {
        const Route& c = route.routes[ci];
        for (uint32_t k = 0; k < c.matchers.size() && k < 64; ++k) {
          const Matcher& m = c.matchers[k];
          if (!m.is_regex() || m.name != name) continue;
          if (g.set->Add(m.value, nullptr) < 0) {
            ok = false;
            break;
          }
          g.name_id = m.name_id;
          g.members.emplace_back(ci, k);
        }
      }
      // Too few to gain, or a pattern or program RE2::Set rejects: match one by one.
      if (!ok || g.members.size() < 4 || !g.set->Compile()) continue;
      route.opts.sets.push_back(std::move(g));
    }
  }

  PolicyBuilder& b_;
  TriagePolicy& p_;
  lang::Environment env_;
  alertmanager::Syntax syntax_;
  datetime::Zone default_zone_;  // UTC unless the spec gives a timezone
};

std::unique_ptr<CompiledPolicy> load_triage(const json& spec, PolicyBuilder& b) {
  auto p = std::make_unique<TriagePolicy>();
  Loader loader(b, *p);
  loader.load(spec);
  return p;
}

}  // namespace
}  // namespace verdict::policy

namespace verdict::kinds {

policy::KindInfo triage_kind() {
  return {"TriageRouting", "triage", "an incident, ticket or alert", {policy::Format::kJson, policy::Format::kText},
          policy::load_triage, nullptr};
}

}  // namespace verdict::kinds
