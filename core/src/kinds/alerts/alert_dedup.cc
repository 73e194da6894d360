// The AlertDedup kind (docs/alerts.md): the loader of its spec and the stateless preview
// that `verdict eval` gives for one document. The stream itself (state across calls)
// lives in core/src/alerts/stream.cc and is driven by Engine::alerts_push.
#include <algorithm>

#include "kinds/alerts/spec.h"
#include "time/time.h"
#include "kinds/registry.h"
#include "policy/kind.h"
#include "policy/legacy.h"
#include "verdict/json_writer.h"

namespace verdict::alerts {

int64_t Window::next_change(int64_t t) const {
  constexpr int64_t kMinute = 60 * datetime::kNanosPerSecond;
  constexpr int64_t kDay = 1440 * kMinute;
  // Local midnight at or before t.
  const int offset = when.offset;
  int64_t local = t + offset * kMinute;
  int64_t day = local >= 0 ? local / kDay : -((-local + kDay - 1) / kDay);
  int64_t midnight = day * kDay - offset * kMinute;
  int64_t best = midnight + 8 * kDay;
  for (int d = 0; d <= 8; ++d) {
    int64_t base = midnight + d * kDay;
    if (base > t && base < best) best = base;
    for (const TimeRange& r : when.times)
      for (int m : {r.start, r.end}) {
        int64_t c = base + m * kMinute;
        if (c > t && c < best) best = c;
      }
  }
  return best;
}

bool in_any_window(const Spec& spec, const std::vector<int>& windows, int64_t t) {
  for (int w : windows)
    if (spec.windows[static_cast<size_t>(w)].contains(t)) return true;
  return false;
}

}  // namespace verdict::alerts

namespace verdict::policy {
namespace {

using json = nlohmann::ordered_json;
using namespace verdict::alerts;

class Loader {
 public:
  Loader(PolicyBuilder& b, AlertDedupPolicy& p) : b_(b), p_(p) {}

  void load(const json& spec) {
    const std::string sp = b_.spec_pointer();
    b_.only_keys(spec, sp, {"dedup", "route", "inhibit_rules", "cmdb_inhibition", "windows", "silences", "rate_limits", "flap",
                            "send_resolved", "time", "description"});
    Spec& s = p_.spec;
    if (const json* d = b_.get(spec, sp, "dedup", false, json::value_t::object)) {
      std::string dp = pointer_join(sp, "dedup");
      b_.only_keys(*d, dp, {"key", "reopen_window"});
      auto k = d->find("key");
      if (k != d->end()) {
        std::string kp = pointer_join(dp, "key");
        if (k->is_string()) {
          std::string m = k->get<std::string>();
          if (m == "auto") s.key_mode = KeyMode::kAuto;
          else if (m == "fingerprint") s.key_mode = KeyMode::kFingerprint;
          else if (m == "source") s.key_mode = KeyMode::kSource;
          else b_.fail(kp, ErrorCode::kInvalidPolicy, "key is \"auto\", \"fingerprint\", \"source\" or {\"labels\": [...]}");
        } else if (k->is_object()) {
          b_.only_keys(*k, kp, {"labels"});
          s.key_mode = KeyMode::kLabels;
          strings(*k, kp, "labels", s.key_labels, true);
          if (s.key_labels.empty()) b_.fail(kp, ErrorCode::kInvalidPolicy, "name at least one label for the key");
        } else {
          b_.fail(kp, ErrorCode::kInvalidPolicy, "key is \"auto\", \"fingerprint\", \"source\" or {\"labels\": [...]}");
        }
      }
      duration(*d, dp, "reopen_window", s.reopen_window, true);
    }
    if (const json* ws = b_.get(spec, sp, "windows", false, json::value_t::object)) load_windows(*ws, pointer_join(sp, "windows"));
    const json* route = b_.get(spec, sp, "route", true, json::value_t::object);
    if (route) {
      Route defaults;
      defaults.receiver = "default";
      defaults.group_by = {"alertname"};
      defaults.group_wait = 30 * datetime::kNanosPerSecond;
      defaults.group_interval = 5 * 60 * datetime::kNanosPerSecond;
      defaults.repeat_interval = 4 * 3600 * datetime::kNanosPerSecond;
      load_route(*route, pointer_join(sp, "route"), s.route, defaults, "", 0);
    }
    if (const json* rules = b_.get(spec, sp, "inhibit_rules", false, json::value_t::array)) {
      std::string rp = pointer_join(sp, "inhibit_rules");
      for (size_t i = 0; i < rules->size(); ++i) {
        const json& r = (*rules)[i];
        std::string p = pointer_join(rp, i);
        if (!r.is_object()) {
          b_.fail(p, ErrorCode::kInvalidPolicy, "an inhibition rule is {\"source_matchers\": [...], \"target_matchers\": [...], \"equal\": [...]}");
          continue;
        }
        b_.only_keys(r, p, {"name", "source_matchers", "target_matchers", "equal", "description"});
        InhibitRule rule;
        rule.name = "rule-" + std::to_string(i + 1);
        if (const json* n = b_.get(r, p, "name", false, json::value_t::string)) rule.name = n->get<std::string>();
        matchers(r, p, "source_matchers", rule.source, true);
        matchers(r, p, "target_matchers", rule.target, true);
        strings(r, p, "equal", rule.equal, false);
        s.inhibit_rules.push_back(std::move(rule));
      }
    }
    if (const json* ci = b_.get(spec, sp, "cmdb_inhibition", false, json::value_t::object)) {
      std::string cp = pointer_join(sp, "cmdb_inhibition");
      b_.only_keys(*ci, cp, {"label", "max_depth"});
      s.cmdb_inhibition = true;
      if (const json* l = b_.get(*ci, cp, "label", false, json::value_t::string)) s.cmdb_label = l->get<std::string>();
      if (const json* d = b_.get(*ci, cp, "max_depth", false, json::value_t::number_unsigned)) {
        uint64_t v = d->get<uint64_t>();
        if (v < 1 || v > 64) b_.fail(pointer_join(cp, "max_depth"), ErrorCode::kInvalidPolicy, "max_depth is 1 to 64");
        else s.cmdb_max_depth = static_cast<uint32_t>(v);
      }
    }
    if (const json* sils = b_.get(spec, sp, "silences", false, json::value_t::array)) load_silences(*sils, pointer_join(sp, "silences"));
    if (const json* rls = b_.get(spec, sp, "rate_limits", false, json::value_t::array)) {
      std::string rp = pointer_join(sp, "rate_limits");
      for (size_t i = 0; i < rls->size(); ++i) {
        const json& r = (*rls)[i];
        std::string p = pointer_join(rp, i);
        if (!r.is_object()) {
          b_.fail(p, ErrorCode::kInvalidPolicy, "a rate limit is {\"name\": ..., \"by\": [labels], \"max\": N, \"per\": \"1m\"}");
          continue;
        }
        b_.only_keys(r, p, {"name", "by", "max", "per", "description"});
        RateLimit rl;
        rl.name = "limit-" + std::to_string(i + 1);
        if (const json* n = b_.get(r, p, "name", false, json::value_t::string)) rl.name = n->get<std::string>();
        strings(r, p, "by", rl.by, false);
        if (const json* m = b_.get(r, p, "max", true, json::value_t::number_unsigned)) {
          uint64_t v = m->get<uint64_t>();
          if (v < 1 || v > 0xffffffffu) b_.fail(pointer_join(p, "max"), ErrorCode::kInvalidPolicy, "max is a positive count");
          else rl.max = static_cast<uint32_t>(v);
        }
        duration(r, p, "per", rl.per, false);
        if (rl.per <= 0) rl.per = datetime::kNanosPerSecond;
        s.rate_limits.push_back(std::move(rl));
      }
    }
    if (const json* f = b_.get(spec, sp, "flap", false, json::value_t::object)) {
      std::string fp = pointer_join(sp, "flap");
      b_.only_keys(*f, fp, {"changes", "within"});
      if (const json* n = b_.get(*f, fp, "changes", true, json::value_t::number_unsigned)) {
        uint64_t v = n->get<uint64_t>();
        if (v < 2 || v > 64) b_.fail(pointer_join(fp, "changes"), ErrorCode::kInvalidPolicy, "changes is 2 to 64");
        else s.flap_changes = static_cast<uint32_t>(v);
      }
      duration(*f, fp, "within", s.flap_within, false);
    }
    if (const json* sr = b_.get(spec, sp, "send_resolved", false, json::value_t::boolean)) s.send_resolved = sr->get<bool>();
    if (const json* t = b_.get(spec, sp, "time", false, json::value_t::object)) {
      std::string tp = pointer_join(sp, "time");
      b_.only_keys(*t, tp, {"max_future", "max_late", "max_gap"});
      duration(*t, tp, "max_future", s.max_future, true);
      duration(*t, tp, "max_late", s.max_late, true);
      duration(*t, tp, "max_gap", s.max_gap, true);
    }
  }

 private:
  void strings(const json& obj, const std::string& p, const char* key, std::vector<std::string>& out, bool required) {
    const json* a = b_.get(obj, p, key, required, json::value_t::array);
    if (!a) return;
    for (size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_string()) {
        b_.fail(pointer_join(pointer_join(p, key), i), ErrorCode::kInvalidPolicy, "expected a string");
        continue;
      }
      out.push_back((*a)[i].get<std::string>());
    }
  }

  void duration(const json& obj, const std::string& p, const char* key, int64_t& out, bool optional) {
    const json* v = b_.get(obj, p, key, !optional, json::value_t::string);
    if (!v) return;
    std::string why;
    auto d = datetime::parse_duration(v->get<std::string>(), &why);
    if (!d || *d < 0) {
      b_.fail(pointer_join(p, key), ErrorCode::kInvalidPolicy, "a duration like \"30s\", \"5m\" or \"4h\"" + (why.empty() ? "" : ": " + why));
      return;
    }
    out = *d;
  }

  void matchers(const json& obj, const std::string& p, const char* key, std::vector<LabelMatcher>& out, bool required) {
    const json* ms = b_.get(obj, p, key, required, json::value_t::array);
    if (!ms) return;
    for (size_t i = 0; i < ms->size(); ++i) {
      std::string mp = pointer_join(pointer_join(p, key), i);
      if (!(*ms)[i].is_string()) {
        b_.fail(mp, ErrorCode::kInvalidPolicy, "a matcher is a string like severity=\"critical\"");
        continue;
      }
      LabelMatcher m;
      std::string why;
      if (!parse_label_matcher((*ms)[i].get<std::string>(), m, why, b_.limits.max_regex_memory)) {
        b_.fail(mp, why.rfind("invalid regex", 0) == 0 ? ErrorCode::kInvalidRegex : ErrorCode::kInvalidPolicy, why);
        continue;
      }
      out.push_back(std::move(m));
    }
  }

  int window_index(const std::string& name) const {
    for (size_t i = 0; i < p_.spec.windows.size(); ++i)
      if (p_.spec.windows[i].name == name) return static_cast<int>(i);
    return -1;
  }

  void window_list(const json& obj, const std::string& p, const char* key, std::vector<int>& out) {
    const json* ws = b_.get(obj, p, key, false, json::value_t::array);
    if (!ws) return;
    for (size_t i = 0; i < ws->size(); ++i) {
      int idx = (*ws)[i].is_string() ? window_index((*ws)[i].get<std::string>()) : -1;
      if (idx < 0) b_.fail(pointer_join(pointer_join(p, key), i), ErrorCode::kUnknownName, "no window of that name in spec.windows");
      else out.push_back(idx);
    }
  }

  void load_route(const json& r, const std::string& p, Route& route, const Route& parent, const std::string& parent_key, int depth) {
    if (depth > 32) {
      b_.fail(p, ErrorCode::kLimitExceeded, "routes nest deeper than 32 levels");
      return;
    }
    b_.only_keys(r, p, {"name", "matchers", "continue", "receiver", "group_by", "group_wait", "group_interval", "repeat_interval",
                        "mute_windows", "active_windows", "routes", "description"});
    route.receiver = parent.receiver;
    route.group_by = parent.group_by;
    route.group_all = parent.group_all;
    route.group_wait = parent.group_wait;
    route.group_interval = parent.group_interval;
    route.repeat_interval = parent.repeat_interval;
    route.name = depth == 0 ? "root" : "route";
    if (const json* n = b_.get(r, p, "name", false, json::value_t::string)) route.name = n->get<std::string>();
    if (depth == 0 && r.contains("matchers")) b_.fail(pointer_join(p, "matchers"), ErrorCode::kInvalidPolicy, "the root route matches every alert: it has no matchers");
    matchers(r, p, "matchers", route.matchers, false);
    sort_matchers(route.matchers);
    if (const json* c = b_.get(r, p, "continue", false, json::value_t::boolean)) route.cont = c->get<bool>();
    if (const json* rc = b_.get(r, p, "receiver", false, json::value_t::string)) route.receiver = rc->get<std::string>();
    if (r.contains("group_by")) {
      route.group_by.clear();
      route.group_all = false;
      strings(r, p, "group_by", route.group_by, false);
      if (std::find(route.group_by.begin(), route.group_by.end(), "...") != route.group_by.end()) {
        if (route.group_by.size() != 1) b_.fail(pointer_join(p, "group_by"), ErrorCode::kInvalidPolicy, "\"...\" (all labels) stands alone in group_by");
        route.group_all = true;
        route.group_by.clear();
      }
      std::sort(route.group_by.begin(), route.group_by.end());
      route.group_by.erase(std::unique(route.group_by.begin(), route.group_by.end()), route.group_by.end());
    }
    duration(r, p, "group_wait", route.group_wait, true);
    duration(r, p, "group_interval", route.group_interval, true);
    duration(r, p, "repeat_interval", route.repeat_interval, true);
    if (route.group_interval <= 0) b_.fail(p, ErrorCode::kInvalidPolicy, "group_interval must be more than 0");
    window_list(r, p, "mute_windows", route.mute_windows);
    window_list(r, p, "active_windows", route.active_windows);
    // Alertmanager's Route.Key(): the parent's key, "/", then this route's matchers.
    route.key = parent_key.empty() ? "" : parent_key + "/";
    route.key.push_back('{');
    for (size_t i = 0; i < route.matchers.size(); ++i) {
      if (i) route.key.push_back(',');
      route.matchers[i].append_string(route.key);
    }
    route.key.push_back('}');
    if (const json* children = b_.get(r, p, "routes", false, json::value_t::array)) {
      for (size_t i = 0; i < children->size(); ++i) {
        std::string cp = pointer_join(pointer_join(p, "routes"), i);
        if (!(*children)[i].is_object()) {
          b_.fail(cp, ErrorCode::kInvalidPolicy, "a route is an object");
          continue;
        }
        Route child;
        load_route((*children)[i], cp, child, route, route.key, depth + 1);
        route.routes.push_back(std::move(child));
      }
    }
  }

  void load_windows(const json& ws, const std::string& wp) {
    for (auto it = ws.begin(); it != ws.end(); ++it) {
      std::string p = pointer_join(wp, it.key());
      Window w;
      w.name = it.key();
      load_weekly_window(b_, it.value(), p, 0, w.when);
      p_.spec.windows.push_back(std::move(w));
    }
  }

  void load_silences(const json& sils, const std::string& sp) {
    for (size_t i = 0; i < sils.size(); ++i) {
      const json& s = sils[i];
      std::string p = pointer_join(sp, i);
      if (!s.is_object()) {
        b_.fail(p, ErrorCode::kInvalidPolicy, "a silence is {\"id\": ..., \"matchers\": [...], \"startsAt\": ..., \"endsAt\": ...}");
        continue;
      }
      b_.only_keys(s, p, {"id", "matchers", "startsAt", "endsAt", "windows", "comment", "createdBy"});
      Silence sil;
      if (const json* id = b_.get(s, p, "id", true, json::value_t::string)) sil.id = id->get<std::string>();
      for (const Silence& other : p_.spec.silences)
        if (other.id == sil.id) b_.fail(pointer_join(p, "id"), ErrorCode::kInvalidPolicy, "another silence has the id \"" + sil.id + "\"");
      matchers(s, p, "matchers", sil.matchers, true);
      if (sil.matchers.empty() && s.contains("matchers")) b_.fail(pointer_join(p, "matchers"), ErrorCode::kInvalidPolicy, "a silence needs at least one matcher");
      if (const json* c = b_.get(s, p, "comment", false, json::value_t::string)) sil.comment = c->get<std::string>();
      if (const json* c = b_.get(s, p, "createdBy", false, json::value_t::string)) sil.created_by = c->get<std::string>();
      window_list(s, p, "windows", sil.windows);
      bool has_window = s.contains("windows");
      const json* st = b_.get(s, p, "startsAt", !has_window, json::value_t::string);
      const json* en = b_.get(s, p, "endsAt", !has_window, json::value_t::string);
      if (has_window && (st || en)) b_.fail(p, ErrorCode::kInvalidPolicy, "a silence is either recurring (windows) or has startsAt and endsAt");
      if (!has_window && st && en) {
        std::string why;
        auto a = datetime::parse_rfc3339(st->get<std::string>(), &why);
        if (!a) b_.fail(pointer_join(p, "startsAt"), ErrorCode::kInvalidPolicy, "not an RFC 3339 time: " + why);
        auto b = datetime::parse_rfc3339(en->get<std::string>(), &why);
        if (!b) b_.fail(pointer_join(p, "endsAt"), ErrorCode::kInvalidPolicy, "not an RFC 3339 time: " + why);
        if (a && b && *b < *a) b_.fail(pointer_join(p, "endsAt"), ErrorCode::kInvalidPolicy, "the silence ends before it starts");
        if (a) sil.starts_at = *a;
        if (b) sil.ends_at = *b;
      }
      p_.spec.silences.push_back(std::move(sil));
    }
  }

  PolicyBuilder& b_;
  AlertDedupPolicy& p_;
};

void preview_alert(const Spec& spec, Value a, std::string_view shape, const EvalRequest& req, JsonWriter& w, std::vector<Error>& errors) {
  thread_local Event ev;
  std::string why = read_event(a, shape, ev);
  w.begin_object();
  if (!why.empty()) {
    w.key("error").string(why);
    w.end_object();
    errors.push_back(Error(ErrorCode::kWrongType, why));
    return;
  }
  std::string hex;
  append_hex16(hex, fingerprint(ev.labels));
  w.key("fingerprint").string(hex);
  if (!ev.source_key.empty()) w.key("source_key").string(ev.source_key);
  const char* status = ev.status == EventStatus::kFiring ? "firing" : ev.status == EventStatus::kResolved ? "resolved"
                       : ev.status == EventStatus::kAcknowledged ? "acknowledged" : "pending";
  w.key("status").string(status);
  std::vector<const Route*> routes;
  std::function<bool(const Route&)> match = [&](const Route& r) {
    if (!matches_all(r.matchers, ev.labels)) return false;
    size_t before = routes.size();
    for (const Route& c : r.routes)
      if (match(c) && !c.cont) break;
    if (routes.size() == before) routes.push_back(&r);
    return true;
  };
  match(spec.route);
  w.key("groups").begin_array();
  for (const Route* r : routes) {
    std::string key = r->key + ":";
    LabelView gl;
    for (const auto& l : ev.labels)
      if (r->group_all || std::find(r->group_by.begin(), r->group_by.end(), l.first) != r->group_by.end()) gl.push_back(l);
    append_label_set(key, gl);
    w.begin_object().key("key").string(key).key("receiver").string(r->receiver).key("route").string(r->name).end_object();
  }
  w.end_array();
  w.key("silenced_by").begin_array();
  if (req.has_now)
    for (const Silence& s : spec.silences) {
      bool on = s.recurring() ? in_any_window(spec, s.windows, req.now) : (s.starts_at <= req.now && req.now <= s.ends_at);
      if (on && matches_all(s.matchers, ev.labels)) w.string(s.id);
    }
  w.end_array();
  w.key("inhibition").begin_object().key("source_of").begin_array();
  for (const InhibitRule& r : spec.inhibit_rules)
    if (matches_all(r.source, ev.labels)) w.string(r.name);
  w.end_array().key("target_of").begin_array();
  for (const InhibitRule& r : spec.inhibit_rules)
    if (matches_all(r.target, ev.labels)) w.string(r.name);
  w.end_array().end_object();
  w.end_object();
}

}  // namespace

// Stateless: what the policy says about each alert of one document on its own (fingerprint,
// groups, receivers, policy silences active at now, inhibition rules it takes part in).
// Deduplication, timers and inhibition by other alerts need the stream (alerts_push).
std::unique_ptr<Decision> AlertDedupPolicy::new_decision() const { return std::make_unique<JsonTextDecision>(); }

void AlertDedupPolicy::decide(const DecisionContext& dc, const DecisionInput& input, lang::EvalContext&, Decision& out,
                              std::vector<Error>& errors) const {
  auto& d = static_cast<JsonTextDecision&>(out);
  d.clear();
  EvalRequest req = legacy_request(dc, input);
  JsonWriter& decision = d.decision;
  Value in = req.input;
  decision.begin_object().key("stateless").boolean(true).key("alerts").begin_array();
  if (in.is_array()) {
    in.for_each_item([&](Value a) {
      preview_alert(spec, a, "alertmanager", req, decision, errors);
      return true;
    });
  } else if (in.get("alerts").is_array()) {
    in.get("alerts").for_each_item([&](Value a) {
      preview_alert(spec, a, "alertmanager", req, decision, errors);
      return true;
    });
  } else if (in.get("event_action").exists()) {
    preview_alert(spec, in, "pagerduty", req, decision, errors);
  } else {
    preview_alert(spec, in, "plain", req, decision, errors);
  }
  decision.end_array().end_object();
}

std::unique_ptr<CompiledPolicy> load_alert_dedup(const json& spec, PolicyBuilder& b) {
  auto p = std::make_unique<AlertDedupPolicy>();
  Loader loader(b, *p);
  loader.load(spec);
  return p;
}

}  // namespace verdict::policy

namespace verdict::kinds {

policy::KindInfo alert_dedup_kind() {
  return {"AlertDedup", "alerts", "a stream of alerts", {policy::Format::kJson, policy::Format::kText},
          policy::load_alert_dedup, nullptr};
}

}  // namespace verdict::kinds
