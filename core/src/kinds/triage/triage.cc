// The TriageRouting kind (docs/triage.md): the canonical incident, priority from
// an impact x urgency matrix, a routing tree with Alertmanager's semantics, time
// windows, and the team from the route or the CMDB owner.
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmdb/cmdb.h"
#include "time/time.h"
#include "policy/windows.h"
#include "document/shapes.h"
#include "kinds/registry.h"
#include "policy/bind.h"
#include "policy/kind.h"
#include "policy/legacy.h"
#include "verdict/documents.h"
#include "verdict/json_writer.h"

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;

// ---- matchers ---------------------------------------------------------------

enum class MatchOp { kEq, kNe, kRe, kNotRe };

struct Matcher {
  std::string text;   // as written
  std::string name;   // label, field or dotted path
  int name_id = -1;   // index of `name` in the policy's list of matcher names (per-decision cache)
  MatchOp op = MatchOp::kEq;
  std::string value;
  std::shared_ptr<RE2> re;  // anchored, for =~ and !~
};

// Parses `name="value"`, `name!="value"`, `name=~"re"`, `name!~"re"` (value may be unquoted).
bool parse_matcher(const std::string& text, Matcher& m, std::string& why, int64_t max_mem) {
  m.text = text;
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  while (i < text.size() && (isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' || text[i] == '.' || text[i] == '-')) ++i;
  m.name = text.substr(start, i - start);
  if (m.name.empty()) {
    why = "a matcher starts with a label name, as in service=\"payments\"";
    return false;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (text.compare(i, 2, "=~") == 0) { m.op = MatchOp::kRe; i += 2; }
  else if (text.compare(i, 2, "!~") == 0) { m.op = MatchOp::kNotRe; i += 2; }
  else if (text.compare(i, 2, "!=") == 0) { m.op = MatchOp::kNe; i += 2; }
  else if (i < text.size() && text[i] == '=') { m.op = MatchOp::kEq; i += 1; }
  else {
    why = "expected =, !=, =~ or !~ after the label name";
    return false;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
    char q = text[i++];
    std::string v;
    while (i < text.size() && text[i] != q) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        char e = text[i + 1];
        // Keep regex escapes (\d, \.) as written; unescape quotes and backslashes.
        if (e == q || e == '\\') { v.push_back(e); i += 2; continue; }
      }
      v.push_back(text[i++]);
    }
    if (i >= text.size()) {
      why = "unterminated quoted value";
      return false;
    }
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i != text.size()) {
      why = "unexpected text after the value";
      return false;
    }
    m.value = v;
  } else {
    size_t end = text.size();
    while (end > i && text[end - 1] == ' ') --end;
    m.value = text.substr(i, end - i);
  }
  if (m.op == MatchOp::kRe || m.op == MatchOp::kNotRe) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(max_mem);
    m.re = std::make_shared<RE2>("^(?:" + m.value + ")$", opts);
    if (!m.re->ok()) {
      why = "invalid regex: " + m.re->error() + " (RE2 syntax)";
      return false;
    }
  }
  return true;
}

// ---- windows ----------------------------------------------------------------

struct Window {
  std::string name;
  TimeWindow tw;  // weekly ranges (policy/windows.h)
  bool contains(int64_t now_ns) const { return tw.contains(now_ns); }
};

// ---- routes -----------------------------------------------------------------

struct Settings {
  std::optional<std::string> team, escalation, notify, runbook;
  std::optional<int64_t> priority_adjust;
  std::vector<std::pair<std::string, std::string>> labels;
};

struct Route;

// Regex matchers of sibling routes on one field, matched in one pass (RE2::Set).
struct SetGroup {
  std::string name;  // the field
  int name_id = -1;
  std::unique_ptr<RE2::Set> set;
  std::vector<std::pair<uint32_t, uint32_t>> members;  // (child index, matcher index), by pattern index
};

struct Route {
  std::string name;
  std::vector<Matcher> matchers;
  std::vector<Matcher> any;
  Expr when;
  bool has_when = false;
  std::vector<int> active_windows, mute_windows;
  bool cont = false;
  Settings settings;
  std::vector<Route> children;
  std::vector<SetGroup> sets;
};

// Per child: which of its matchers were decided by a SetGroup, and how.
struct Precomputed {
  uint64_t known = 0;
  uint64_t result = 0;
};

struct DeriveRule {
  Expr when;
  std::string value;
  std::string reason;
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
};

// Values of matcher names for one decision, looked up once each (many routes test
// the same label). Reused across decisions on a thread.
struct LabelCache {
  std::vector<uint8_t> have;
  std::vector<std::string_view> values;
  std::vector<std::string> texts;  // JSON text of non-string values
  void reset(size_t n) {
    have.assign(n, 0);
    values.resize(n);
    texts.resize(n);
  }
};

// The record being decided on this thread (matchers read it).
const shapes::Record*& current_record() {
  thread_local const shapes::Record* r = nullptr;
  return r;
}

bool matcher_matches(const Matcher& m, std::string_view value) {
  switch (m.op) {
    case MatchOp::kEq: return value == m.value;
    case MatchOp::kNe: return value != m.value;
    case MatchOp::kRe: return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *m.re);
    case MatchOp::kNotRe: return !RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *m.re);
  }
  return false;
}

class TriagePolicy : public CompiledPolicy {
 public:
  std::unique_ptr<Decision> new_decision() const override { return std::make_unique<JsonTextDecision>(); }

  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override {
    auto& d = static_cast<JsonTextDecision&>(out);
    d.clear();
    d.out = decide_json(legacy_request(dc, in), ctx, d.decision, dc.explain ? &d.explain : nullptr, errors);
  }

  TriageSpec spec;

  Outcome decide_json(const EvalRequest& req, lang::EvalContext& ctx, JsonWriter& decision, JsonWriter* explain,
                      std::vector<Error>& errors) const {
    // 1. The canonical incident (the one shape mapping), bound as a value.
    thread_local shapes::Record canon(shapes::incident_schema());
    shapes::map_incident(req.input, canon);
    const shapes::Record& incident = canon;
    current_record() = &canon;
    ctx.bind(0, bind_record(canon, ctx.arena()));
    ctx.bind(1, req.input);
    ctx.bind(2, lang::Val::null());  // `priority` is not known while impact and urgency are derived
    // windows: {name: bool}
    lang::ValMap& wm = ctx.arena().new_map();
    for (const Window& w : spec.windows) wm.emplace_back(w.name, req.has_now ? lang::Val::boolean(w.contains(req.now)) : lang::Val::null());
    ctx.bind(3, lang::Val::map_of(&wm));

    std::vector<std::string> reasons;
    if (explain) explain->begin_object();

    // 2. Priority.
    auto level = [&](const char* field, const std::vector<std::string>& levels, const std::vector<DeriveRule>& derive,
                     const std::string& fallback, std::string& from) -> size_t {
      const shapes::FieldValue& given_value = incident[static_cast<size_t>(incident.schema().find(field))];
      if (given_value.kind == shapes::FieldValue::kDoc && !given_value.doc.is_null() && !given_value.doc.is_string())
        reasons.push_back(std::string(field) + " \"" + given_value.doc.to_json() + "\" in the input is not one of the matrix's values");
      std::string_view given = incident.text(static_cast<size_t>(incident.schema().find(field)));
      if (!given.empty()) {
        for (size_t i = 0; i < levels.size(); ++i) {
          if (levels[i].size() == given.size() &&
              std::equal(given.begin(), given.end(), levels[i].begin(),
                         [](char a, char b) { return tolower(static_cast<unsigned char>(a)) == tolower(static_cast<unsigned char>(b)); })) {
            from = "input";
            reasons.push_back(std::string(field) + " " + levels[i] + " from the input");
            return i;
          }
        }
        reasons.push_back(std::string(field) + " \"" + std::string(given) + "\" in the input is not one of the matrix's values");
      }
      for (const DeriveRule& r : derive) {
        lang::Val v = evaluate(r.when, ctx, errors);
        if (lang::truthy(v)) {
          for (size_t i = 0; i < levels.size(); ++i) {
            if (levels[i] == r.value) {
              from = "derive: " + (r.reason.empty() ? r.when.text : r.reason);
              reasons.push_back(std::string(field) + " " + r.value + " derived: " + (r.reason.empty() ? r.when.text : r.reason));
              return i;
            }
          }
        }
      }
      from = "default";
      for (size_t i = 0; i < levels.size(); ++i)
        if (levels[i] == fallback) return i;
      return levels.size() / 2;
    };
    std::string impact_from, urgency_from;
    size_t ii = level("impact", spec.impact, spec.derive_impact, spec.default_impact, impact_from);
    size_t ui = level("urgency", spec.urgency, spec.derive_urgency, spec.default_urgency, urgency_from);
    int64_t base = spec.matrix[ii][ui];
    lang::ValMap& pm = ctx.arena().new_map();
    pm.emplace_back("number", lang::Val::integer(base));
    std::string& base_name = ctx.arena().new_string();  // lives as long as the decision
    base_name = priority_name(base);
    pm.emplace_back("name", lang::Val::str(base_name));
    pm.emplace_back("impact", lang::Val::str(spec.impact[ii]));
    pm.emplace_back("urgency", lang::Val::str(spec.urgency[ui]));
    ctx.bind(2, lang::Val::map_of(&pm));

    // 3. Routing, depth-first with Alertmanager's semantics.
    cache().reset(spec.matcher_names.size());
    std::vector<std::vector<const Route*>> matched;
    std::vector<const Route*> path{&spec.root};
    if (explain) explain->key("routes").begin_array();
    if (explain) explain_route(*explain, path, true, {}, ctx, 0, nullptr);
    walk(spec.root, path, matched, req, ctx, explain, errors);
    if (explain) explain->end_array();

    // 4. Settings of the first match, inherited along its path.
    Settings s = spec.defaults;
    const std::vector<const Route*>& first = matched.front();
    bool team_from_route = false;
    for (const Route* r : first) {
      const Settings& rs = r->settings;
      if (rs.team) { s.team = rs.team; team_from_route = true; }
      if (rs.escalation) s.escalation = rs.escalation;
      if (rs.notify) s.notify = rs.notify;
      if (rs.runbook) s.runbook = rs.runbook;
      if (rs.priority_adjust) s.priority_adjust = rs.priority_adjust;
      for (const auto& label : rs.labels) {
        auto it = std::find_if(s.labels.begin(), s.labels.end(), [&](const auto& kv) { return kv.first == label.first; });
        if (it != s.labels.end()) it->second = label.second;
        else s.labels.push_back(label);
      }
    }
    std::string team, team_from;
    if (team_from_route) {
      team = *s.team;
      team_from = "route";
    } else {
      std::string_view ci = incident.text(shapes::incident::kCi);
      const CmdbIndex::Item* item = (req.cmdb && !ci.empty()) ? req.cmdb->find(ci) : nullptr;
      if (item && !item->owner.empty()) {
        team = item->owner;
        team_from = "cmdb";
        reasons.push_back("team " + team + ": CMDB owner of " + std::string(ci));
      } else if (s.team) {
        team = *s.team;
        team_from = "default";
      }
    }
    int64_t number = base;
    int64_t lowest = INT64_MAX, highest_number = 1;
    for (const auto& row : spec.matrix)
      for (int64_t v : row) {
        highest_number = std::max(highest_number, v);
        lowest = std::min(lowest, v);
      }
    if (lowest == INT64_MAX) lowest = 1;
    if (s.priority_adjust) {
      number = std::clamp<int64_t>(base + *s.priority_adjust, lowest, highest_number);
      if (number != base)
        reasons.push_back("priority adjusted by " + std::to_string(*s.priority_adjust) + " on route " + first.back()->name);
      else if (*s.priority_adjust != 0)
        reasons.push_back("priority adjustment " + std::to_string(*s.priority_adjust) + " on route " + first.back()->name +
                          " has no effect: " + priority_name(base) + " is already at the end of the matrix");
    }

    if (explain) explain->end_object();

    decision.begin_object();
    decision.key("priority").begin_object();
    decision.key("number").number(number).key("name").string(priority_name(number));
    decision.key("impact").string(spec.impact[ii]).key("urgency").string(spec.urgency[ui]);
    decision.key("impact_from").string(impact_from).key("urgency_from").string(urgency_from);
    if (number != base) decision.key("before_adjustment").string(priority_name(base));
    decision.end_object();
    if (!team.empty()) decision.key("team").string(team).key("team_from").string(team_from);
    else decision.key("team").null();
    write_opt(decision, "escalation", s.escalation);
    write_opt(decision, "notify", s.notify);
    write_opt(decision, "runbook", s.runbook);
    decision.key("labels").begin_object();
    for (const auto& [k, v] : s.labels) decision.key(k).string(v);
    decision.end_object();
    decision.key("route");
    write_path(decision, first);
    decision.key("routes").begin_array();
    for (const auto& m : matched) write_path(decision, m);
    decision.end_array();
    std::string route_reason = "route " + path_text(first);
    for (const Route* r : first) {
      for (const Matcher& m : r->matchers) route_reason += "; " + m.text;
      if (r->has_when) route_reason += "; " + r->when.text;
    }
    reasons.insert(reasons.begin(), route_reason);
    decision.key("reasons").begin_array();
    for (const auto& r : reasons) decision.string(r);
    decision.end_array();
    decision.key("input").begin_object().key("shape").string(canon.shape()).key("fields").begin_object();
    for (uint8_t f : canon.order())
      if (!canon.from(f).empty()) decision.key(canon.schema()[f].name).string(canon.from(f));
    decision.end_object().end_object();
    decision.end_object();
    return Outcome::kAllowed;
  }

 private:
  std::string priority_name(int64_t n) const {
    if (!spec.names.empty() && n >= 1 && static_cast<size_t>(n) <= spec.names.size()) return spec.names[static_cast<size_t>(n - 1)];
    return "P" + std::to_string(n);
  }

  static void write_opt(JsonWriter& w, const char* key, const std::optional<std::string>& v) {
    w.key(key);
    if (v) w.string(*v);
    else w.null();
  }

  static std::string path_text(const std::vector<const Route*>& path) {
    std::string s;
    for (const Route* r : path) s += (s.empty() ? "" : "/") + r->name;
    return s;
  }

  static void write_path(JsonWriter& w, const std::vector<const Route*>& path) {
    w.begin_object().key("name").string(path.back()->name).key("path").begin_array();
    for (const Route* r : path) w.string(r->name);
    w.end_array().end_object();
  }

  std::string_view cached_value(const Matcher& m) const {
    LabelCache& c = cache();
    size_t id = static_cast<size_t>(m.name_id);
    if (!c.have[id]) {
      c.values[id] = current_record()->lookup(m.name, c.texts[id]);
      c.have[id] = 1;
    }
    return c.values[id];
  }

  static LabelCache& cache() {
    thread_local LabelCache c;
    return c;
  }

  bool matches(const Route& r, const EvalRequest& req, lang::EvalContext& ctx, std::vector<Error>& errors,
               std::vector<std::pair<const Matcher*, std::pair<std::string, bool>>>* seen, size_t& reads_from,
               const Precomputed& pre) const {
    for (size_t k = 0; k < r.matchers.size(); ++k) {
      const Matcher& m = r.matchers[k];
      std::string_view v = cached_value(m);
      bool ok = k < 64 && (pre.known >> k & 1) ? (pre.result >> k & 1) != 0 : matcher_matches(m, v);
      if (seen) seen->push_back({&m, {std::string(v), ok}});
      if (!ok) return false;
    }
    if (!r.any.empty()) {
      bool any = false;
      for (const Matcher& m : r.any) {
        std::string_view v = cached_value(m);
        bool ok = matcher_matches(m, v);
        if (seen) seen->push_back({&m, {std::string(v), ok}});
        if (ok) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    if (!r.active_windows.empty()) {
      bool inside = false;
      for (int w : r.active_windows) inside = inside || (req.has_now && spec.windows[static_cast<size_t>(w)].contains(req.now));
      if (!inside) return false;
    }
    for (int w : r.mute_windows)
      if (req.has_now && spec.windows[static_cast<size_t>(w)].contains(req.now)) return false;
    if (r.has_when) {
      reads_from = ctx.reads().size();
      return lang::truthy(evaluate(r.when, ctx, errors));
    }
    return true;
  }

  void explain_route(JsonWriter& w, const std::vector<const Route*>& path, bool ok,
                     const std::vector<std::pair<const Matcher*, std::pair<std::string, bool>>>& seen,
                     const lang::EvalContext& ctx, size_t reads_from, const Error* error) const {
    w.begin_object().key("path").begin_array();
    for (const Route* r : path) w.string(r->name);
    w.end_array().key("matched").boolean(ok);
    if (!seen.empty()) {
      w.key("matchers").begin_array();
      for (const auto& [m, res] : seen)
        w.begin_object().key("matcher").string(m->text).key("value").string(res.first).key("matched").boolean(res.second).end_object();
      w.end_array();
    }
    const Route* r = path.back();
    if (r->has_when) {
      w.key("when").string(r->when.text);
      write_reads(w, *r->when.program, ctx, reads_from);
    }
    if (error) w.key("error").string(error->message);
    w.end_object();
  }

  void walk(const Route& node, std::vector<const Route*>& path, std::vector<std::vector<const Route*>>& out,
            const EvalRequest& req, lang::EvalContext& ctx, JsonWriter* explain, std::vector<Error>& errors) const {
    bool any_child = false;
    // One pass per field over the children's regexes on it (RE2::Set), instead of one
    // match per child; the children read the outcome below.
    std::vector<Precomputed> pre(node.sets.empty() ? 0 : node.children.size());
    if (!node.sets.empty()) {
      std::vector<int> hits;
      for (const SetGroup& g : node.sets) {
        LabelCache& c = cache();
        size_t id = static_cast<size_t>(g.name_id);
        if (!c.have[id]) {
          c.values[id] = current_record()->lookup(g.name, c.texts[id]);
          c.have[id] = 1;
        }
        std::string_view v = c.values[id];
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
      for (uint32_t ci = 0; ci < node.children.size(); ++ci) {
        const Route& ch = node.children[ci];
        for (uint32_t k = 0; k < ch.matchers.size() && k < 64; ++k)
          if ((pre[ci].known >> k & 1) && ch.matchers[k].op == MatchOp::kNotRe) pre[ci].result ^= uint64_t{1} << k;
      }
    }
    static const Precomputed kNone;
    for (size_t ci = 0; ci < node.children.size(); ++ci) {
      const Route& child = node.children[ci];
      std::vector<std::pair<const Matcher*, std::pair<std::string, bool>>> seen;
      size_t reads_from = ctx.reads().size();
      size_t errors_before = errors.size();
      bool ok = matches(child, req, ctx, errors, explain ? &seen : nullptr, reads_from, pre.empty() ? kNone : pre[ci]);
      path.push_back(&child);
      if (explain) explain_route(*explain, path, ok, seen, ctx, reads_from, errors.size() > errors_before ? &errors.back() : nullptr);
      if (ok) {
        any_child = true;
        walk(child, path, out, req, ctx, explain, errors);
      }
      path.pop_back();
      if (ok && !child.cont) break;
    }
    if (!any_child) out.push_back(path);
  }
};

// ---- loading ----------------------------------------------------------------

class Loader {
 public:
  Loader(PolicyBuilder& b, TriagePolicy& p) : b_(b), p_(p) {
    env_.add("incident", lang::StaticType::kDyn, &shapes::incident_schema());
    env_.add("input", lang::StaticType::kDyn);
    env_.add("priority", lang::StaticType::kMap);
    env_.add("windows", lang::StaticType::kMap);
  }

  void load(const json& spec) {
    const std::string sp = b_.spec_pointer();
    b_.only_keys(spec, sp, {"timezone", "priority", "windows", "defaults", "route", "description"});
    load_offset(b_, spec, sp, "timezone", default_offset_);
    load_priority(spec, sp);
    if (const json* ws = b_.get(spec, sp, "windows", false, json::value_t::object)) load_windows(*ws, pointer_join(sp, "windows"));
    if (const json* d = b_.get(spec, sp, "defaults", false, json::value_t::object)) {
      std::string dp = pointer_join(sp, "defaults");
      b_.only_keys(*d, dp, {"team", "escalation", "notify", "runbook", "labels"});
      load_settings(*d, dp, p_.spec.defaults);
    }
    const json* root = b_.get(spec, sp, "route", true, json::value_t::object);
    if (root) {
      load_route(*root, pointer_join(sp, "route"), p_.spec.root, 0);
      if (!p_.spec.root.matchers.empty() || !p_.spec.root.any.empty() || p_.spec.root.has_when)
        b_.warnings.push_back(b_.error(pointer_join(sp, "route"), ErrorCode::kInvalidPolicy,
                                       "the root route matches every input: its matchers and when are ignored (as in Alertmanager)"));
      p_.spec.root.matchers.clear();
      p_.spec.root.any.clear();
      p_.spec.root.has_when = false;
    }
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
      load_weekly_window(b_, it.value(), p, default_offset_, w.tw);
      p_.spec.windows.push_back(std::move(w));
    }
  }

  void load_settings(const json& r, const std::string& p, Settings& s) {
    auto str = [&](const char* key, std::optional<std::string>& out) {
      if (const json* v = b_.get(r, p, key, false, json::value_t::string)) out = v->get<std::string>();
    };
    str("team", s.team);
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
        s.labels.emplace_back(it.key(), it.value().get<std::string>());
      }
    }
  }

  void load_matchers(const json& r, const std::string& p, const char* key, std::vector<Matcher>& out) {
    const json* ms = b_.get(r, p, key, false, json::value_t::array);
    if (!ms) return;
    for (size_t i = 0; i < ms->size(); ++i) {
      std::string mp = pointer_join(pointer_join(p, key), i);
      if (!(*ms)[i].is_string()) {
        b_.fail(mp, ErrorCode::kInvalidPolicy, "a matcher is a string like service=\"payments\"");
        continue;
      }
      Matcher m;
      std::string why;
      if (!parse_matcher((*ms)[i].get<std::string>(), m, why, b_.limits.max_regex_memory)) {
        b_.fail(mp, why.rfind("invalid regex", 0) == 0 ? ErrorCode::kInvalidRegex : ErrorCode::kInvalidPolicy, why);
        continue;
      }
      auto& names = p_.spec.matcher_names;
      auto it = std::find(names.begin(), names.end(), m.name);
      m.name_id = static_cast<int>(it - names.begin());
      if (it == names.end()) names.push_back(m.name);
      out.push_back(std::move(m));
    }
  }

  int window_index(const std::string& name) const {
    for (size_t i = 0; i < p_.spec.windows.size(); ++i)
      if (p_.spec.windows[i].name == name) return static_cast<int>(i);
    return -1;
  }

  void load_route(const json& r, const std::string& p, Route& route, int depth) {
    if (depth > 32) {
      b_.fail(p, ErrorCode::kLimitExceeded, "routes nest deeper than 32 levels");
      return;
    }
    b_.only_keys(r, p, {"name", "matchers", "any", "when", "active_windows", "mute_windows", "continue", "routes",
                        "team", "escalation", "notify", "runbook", "labels", "priority_adjust", "description"});
    if (const json* n = b_.get(r, p, "name", depth > 0, json::value_t::string)) route.name = n->get<std::string>();
    if (route.name.empty()) route.name = depth == 0 ? "root" : "route";
    load_matchers(r, p, "matchers", route.matchers);
    load_matchers(r, p, "any", route.any);
    auto w = r.find("when");
    if (w != r.end()) route.has_when = b_.compile(*w, pointer_join(p, "when"), env_, route.when);
    for (const char* key : {"active_windows", "mute_windows"}) {
      if (const json* ws = b_.get(r, p, key, false, json::value_t::array)) {
        for (size_t i = 0; i < ws->size(); ++i) {
          int idx = (*ws)[i].is_string() ? window_index((*ws)[i].get<std::string>()) : -1;
          if (idx < 0) {
            b_.fail(pointer_join(pointer_join(p, key), i), ErrorCode::kUnknownName, "no window of that name in spec.windows");
            continue;
          }
          (std::string(key) == "active_windows" ? route.active_windows : route.mute_windows).push_back(idx);
        }
      }
    }
    if (const json* c = b_.get(r, p, "continue", false, json::value_t::boolean)) route.cont = c->get<bool>();
    load_settings(r, p, route.settings);
    if (const json* children = b_.get(r, p, "routes", false, json::value_t::array)) {
      for (size_t i = 0; i < children->size(); ++i) {
        std::string cp = pointer_join(pointer_join(p, "routes"), i);
        if (!(*children)[i].is_object()) {
          b_.fail(cp, ErrorCode::kInvalidPolicy, "a route is an object");
          continue;
        }
        Route child;
        load_route((*children)[i], cp, child, depth + 1);
        // Lint: a child after one that matches everything without continue is unreachable.
        if (!route.children.empty()) {
          const Route& prev = route.children.back();
          bool catch_all = prev.matchers.empty() && prev.any.empty() && !prev.has_when && prev.active_windows.empty() &&
                           prev.mute_windows.empty() && !prev.cont;
          if (catch_all)
            b_.warnings.push_back(b_.error(cp, ErrorCode::kInvalidPolicy,
                                           "route \"" + child.name + "\" is unreachable: route \"" + prev.name +
                                               "\" before it matches everything and has no continue"));
        }
        route.children.push_back(std::move(child));
      }
    }
    if (b_.limits.regex_sets) build_sets(route);
  }

  // Groups the children's regex matchers by field; a field tested by 4 or more
  // children gets one RE2::Set (anchored at both ends, like the matchers).
  void build_sets(Route& route) {
    std::vector<std::string> names;
    for (const Route& c : route.children)
      for (const Matcher& m : c.matchers)
        if ((m.op == MatchOp::kRe || m.op == MatchOp::kNotRe) && std::find(names.begin(), names.end(), m.name) == names.end())
          names.push_back(m.name);
    for (const std::string& name : names) {
      SetGroup g;
      g.name = name;
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_max_mem(b_.limits.max_regex_memory * 8);
      g.set = std::make_unique<RE2::Set>(opts, RE2::ANCHOR_BOTH);
      bool ok = true;
      for (uint32_t ci = 0; ci < route.children.size() && ok; ++ci) {
        const Route& c = route.children[ci];
        for (uint32_t k = 0; k < c.matchers.size() && k < 64; ++k) {
          const Matcher& m = c.matchers[k];
          if ((m.op != MatchOp::kRe && m.op != MatchOp::kNotRe) || m.name != name) continue;
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
      route.sets.push_back(std::move(g));
    }
  }

  PolicyBuilder& b_;
  TriagePolicy& p_;
  lang::Environment env_;
  int default_offset_ = 0;
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
