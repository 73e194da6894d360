// The AlertDedup kind (docs/alerts.md): the loader of its spec and the stateless preview
// that `verdict eval` gives for one document. The stream itself (state across calls)
// lives in core/src/alerts/stream.cc and is driven by Engine::alerts_push.
#include <algorithm>

#include "alertmanager/route.h"
#include "document/envelope.h"
#include "kinds/alerts/spec.h"
#include "time/time.h"
#include "kinds/registry.h"
#include "policy/kind.h"
#include "verdict/json_writer.h"

namespace verdict::alerts {

int64_t Window::next_change(int64_t t) const { return when.next_change(t); }

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
      b_.only_keys(*d, dp, {"key", "reopen_window", "max_alerts"});
      if (const json* m = b_.get(*d, dp, "max_alerts", false, json::value_t::number_unsigned)) {
        if (m->get<uint64_t>() == 0) b_.fail(pointer_join(dp, "max_alerts"), ErrorCode::kInvalidPolicy, "max_alerts is at least 1");
        else s.max_alerts = m->get<uint64_t>();
      }
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
      // Alertmanager's DefaultRouteOpts (and its default receiver's name).
      RouteOpts& d = s.route.opts;
      d.receiver = "default";
      d.group_by = {"alertname"};
      d.group_wait = 30 * datetime::kNanosPerSecond;
      d.group_interval = 5 * 60 * datetime::kNanosPerSecond;
      d.repeat_interval = 4 * 3600 * datetime::kNanosPerSecond;
      load_route(*route, pointer_join(sp, "route"), s.route, 0);
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
    alertmanager::load_matchers(b_, obj, p, key, alertmanager::Syntax{false, b_.limits.max_regex_memory}, out, required);
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

  // One route; its opts start as its parent's (RouteOpts::inherited), the root's as
  // Alertmanager's defaults.
  void load_route(const json& r, const std::string& p, Route& route, int depth) {
    b_.only_keys(r, p, {"name", "matchers", "continue", "receiver", "group_by", "group_wait", "group_interval", "repeat_interval",
                        "mute_windows", "active_windows", "routes", "description"});
    RouteOpts& o = route.opts;
    route.name = depth == 0 ? "root" : "route";
    if (const json* n = b_.get(r, p, "name", false, json::value_t::string)) route.name = n->get<std::string>();
    if (depth == 0 && r.contains("matchers")) b_.fail(pointer_join(p, "matchers"), ErrorCode::kInvalidPolicy, "the root route matches every alert: it has no matchers");
    matchers(r, p, "matchers", route.matchers, false);
    alertmanager::sort_matchers(route.matchers);
    if (const json* c = b_.get(r, p, "continue", false, json::value_t::boolean)) route.cont = c->get<bool>();
    if (const json* rc = b_.get(r, p, "receiver", false, json::value_t::string)) o.receiver = rc->get<std::string>();
    if (r.contains("group_by")) {
      o.group_by.clear();
      o.group_all = false;
      strings(r, p, "group_by", o.group_by, false);
      if (std::find(o.group_by.begin(), o.group_by.end(), "...") != o.group_by.end()) {
        if (o.group_by.size() != 1) b_.fail(pointer_join(p, "group_by"), ErrorCode::kInvalidPolicy, "\"...\" (all labels) stands alone in group_by");
        o.group_all = true;
        o.group_by.clear();
      }
      std::sort(o.group_by.begin(), o.group_by.end());
      o.group_by.erase(std::unique(o.group_by.begin(), o.group_by.end()), o.group_by.end());
    }
    duration(r, p, "group_wait", o.group_wait, true);
    duration(r, p, "group_interval", o.group_interval, true);
    duration(r, p, "repeat_interval", o.repeat_interval, true);
    if (o.group_interval <= 0) b_.fail(p, ErrorCode::kInvalidPolicy, "group_interval must be more than 0");
    window_list(r, p, "mute_windows", o.mute_windows);
    window_list(r, p, "active_windows", o.active_windows);
    // Alertmanager's Route.Key(): the parent's key (the inherited one), "/", this route's matchers.
    o.key = alertmanager::route_key(o.key, route.matchers);
    alertmanager::load_children(b_, r, p, route, depth,
                                [&](const json& c, const std::string& cp, Route& child, int d) { load_route(c, cp, child, d); });
  }

  void load_windows(const json& ws, const std::string& wp) {
    for (auto it = ws.begin(); it != ws.end(); ++it) {
      std::string p = pointer_join(wp, it.key());
      Window w;
      w.name = it.key();
      load_weekly_window(b_, it.value(), p, datetime::Zone(), w.when);
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

// The stateless preview of one alert: what the policy says about it on its own.
struct PreviewAlert {
  std::string error;       // the alert could not be read: why (nothing else is set)
  std::string fingerprint;
  std::string source_key;
  shapes::AlertStatus status = shapes::AlertStatus::kFiring;
  std::vector<std::pair<std::string, const Route*>> groups;  // group key, route
  std::vector<const Silence*> silenced_by;
  std::vector<const InhibitRule*> source_of, target_of;
};

class AlertPreviewDecision : public Decision {
 public:
  // The alerts of the document; entries past `count` are kept for their memory.
  std::vector<PreviewAlert> alerts;
  size_t count = 0;

  PreviewAlert& next() {
    if (count == alerts.size()) alerts.emplace_back();
    PreviewAlert& a = alerts[count++];
    a.error.clear();
    a.fingerprint.clear();
    a.source_key.clear();
    a.status = shapes::AlertStatus::kFiring;
    a.groups.clear();
    a.silenced_by.clear();
    a.source_of.clear();
    a.target_of.clear();
    return a;
  }
  void clear() override { count = 0; }
  Outcome outcome() const override { return Outcome::kAllowed; }

  void write_json(JsonWriter& w) const override {
    w.begin_object().key("stateless").boolean(true).key("alerts").begin_array();
    for (size_t i = 0; i < count; ++i) {
      const PreviewAlert& a = alerts[i];
      w.begin_object();
      if (!a.error.empty()) {
        w.key("error").string(a.error).end_object();
        continue;
      }
      w.key("fingerprint").string(a.fingerprint);
      if (!a.source_key.empty()) w.key("source_key").string(a.source_key);
      w.key("status").string(shapes::alert_status_name(a.status));
      w.key("groups").begin_array();
      for (const auto& [key, route] : a.groups)
        w.begin_object().key("key").string(key).key("receiver").string(route->opts.receiver).key("route").string(route->name).end_object();
      w.end_array().key("silenced_by").begin_array();
      for (const Silence* s : a.silenced_by) w.string(s->id);
      w.end_array().key("inhibition").begin_object().key("source_of").begin_array();
      for (const InhibitRule* r : a.source_of) w.string(r->name);
      w.end_array().key("target_of").begin_array();
      for (const InhibitRule* r : a.target_of) w.string(r->name);
      w.end_array().end_object().end_object();
    }
    w.end_array().end_object();
  }
  void write_explain(JsonWriter& w) const override { w.begin_object().end_object(); }

  void write_text(TextOut& o, bool) const override {
    o << "  stateless preview: " << count << " alert" << (count == 1 ? "" : "s")
      << " (deduplication, timers and inhibition by other alerts need a stream: verdict alerts)\n";
    for (size_t i = 0; i < count; ++i) {
      const PreviewAlert& a = alerts[i];
      o << "  alert " << i + 1 << ": ";
      if (!a.error.empty()) {
        o << "error: " << a.error << "\n";
        continue;
      }
      o << a.fingerprint << " " << shapes::alert_status_name(a.status);
      if (!a.source_key.empty()) o << " (source key " << a.source_key << ")";
      o << "\n";
      for (const auto& [key, route] : a.groups)
        o << "    group " << key << " -> " << route->opts.receiver << " (route " << route->name << ")\n";
      if (!a.silenced_by.empty()) {
        o << "    silenced by";
        for (const Silence* s : a.silenced_by) o << " " << s->id;
        o << "\n";
      }
      if (!a.source_of.empty()) {
        o << "    inhibits as the source of";
        for (const InhibitRule* r : a.source_of) o << " " << r->name;
        o << "\n";
      }
      if (!a.target_of.empty()) {
        o << "    can be inhibited as the target of";
        for (const InhibitRule* r : a.target_of) o << " " << r->name;
        o << "\n";
      }
    }
  }
};

void preview_alert(const Spec& spec, Value item, AlertShape shape, const DecisionContext& dc, lang::EvalContext& ctx,
                   AlertPreviewDecision& d, std::vector<Error>& errors) {
  thread_local Event ev;
  thread_local std::vector<const Route*> routes, path;
  PreviewAlert& a = d.next();
  std::string why = shapes::read_alert(item, shape, ev);
  if (!why.empty()) {
    errors.push_back(Error(ErrorCode::kWrongType, why));
    a.error = std::move(why);
    return;
  }
  append_hex16(a.fingerprint, fingerprint(ev.labels));
  a.source_key.assign(ev.source_key);
  a.status = ev.status;
  // Regex matchers are charged to the decision's steps by the bytes of the label (a step per
  // 64 bytes), as the stream charges a new alert; the first charge over the budget is an error.
  std::string over;
  auto charge = [&](const LabelMatcher& m, std::string_view v, const std::string& where) {
    if (!over.empty()) return false;
    if (ctx.charge(v.size())) return true;
    over = "evaluation exceeded " + std::to_string(ctx.limits().max_steps) +
           " steps (limit max_steps; a regex match costs a step per 64 bytes): the matcher " + m.text + " of " + where +
           " over " + m.name + " of " + std::to_string(v.size()) + " bytes";
    return false;
  };
  auto refuse = [&]() {
    errors.push_back(Error(ErrorCode::kLimitExceeded, over));
    a.groups.clear();
    a.silenced_by.clear();
    a.source_of.clear();
    a.target_of.clear();
    a.error = over;
  };
  routes.clear();
  if (!alertmanager::match_routes(
          spec.route, [&](std::string_view name) { return label_value(ev.labels, name); },
          [&](const Route& r, const LabelMatcher& m, std::string_view v) { return charge(m, v, "route " + r.opts.key); },
          routes, path))
    return refuse();
  for (const Route* r : routes) {
    std::string key = r->opts.key + ":";
    LabelView gl;
    for (const auto& l : ev.labels)
      if (r->opts.group_all || std::find(r->opts.group_by.begin(), r->opts.group_by.end(), l.first) != r->opts.group_by.end())
        gl.push_back(l);
    append_label_set(key, gl);
    a.groups.emplace_back(std::move(key), r);
  }
  if (dc.has_now)
    for (const Silence& s : spec.silences) {
      bool on = s.recurring() ? in_any_window(spec, s.windows, dc.now) : (s.starts_at <= dc.now && dc.now <= s.ends_at);
      if (on && matches_all(s.matchers, ev.labels, [&](const LabelMatcher& m, std::string_view v) {
            return charge(m, v, "silence \"" + s.id + "\"");
          }))
        a.silenced_by.push_back(&s);
    }
  for (size_t i = 0; i < spec.inhibit_rules.size(); ++i) {
    const InhibitRule& r = spec.inhibit_rules[i];
    if (matches_all(r.source, ev.labels, [&](const LabelMatcher& m, std::string_view v) {
          return charge(m, v, "inhibit_rules[" + std::to_string(i) + "].source_matchers");
        }))
      a.source_of.push_back(&r);
  }
  for (size_t i = 0; i < spec.inhibit_rules.size(); ++i) {
    const InhibitRule& r = spec.inhibit_rules[i];
    if (matches_all(r.target, ev.labels, [&](const LabelMatcher& m, std::string_view v) {
          return charge(m, v, "inhibit_rules[" + std::to_string(i) + "].target_matchers");
        }))
      a.target_of.push_back(&r);
  }
  if (!over.empty()) refuse();
}

}  // namespace

// Stateless: what the policy says about each alert of one document on its own (fingerprint,
// groups, receivers, policy silences active at now, inhibition rules it takes part in).
// Deduplication, timers and inhibition by other alerts need the stream (alerts_push). The
// alerts are read as the stream reads them (document/alert.h).
std::unique_ptr<Decision> AlertDedupPolicy::new_decision() const { return std::make_unique<AlertPreviewDecision>(); }

void AlertDedupPolicy::decide(const DecisionContext& dc, const DecisionInput& input, lang::EvalContext& ctx, Decision& out,
                              std::vector<Error>& errors) const {
  auto& d = static_cast<AlertPreviewDecision&>(out);
  d.clear();
  Value in = input.document;
  auto each = [&](Value list, AlertShape shape) {
    list.for_each_item([&](Value a) {
      preview_alert(spec, a, shape, dc, ctx, d, errors);
      return true;
    });
  };
  // The envelopes that carry alerts (document/envelope.h): an array (GET /api/v2/alerts), an
  // Alertmanager or Grafana webhook, a Prometheus /api/v1/alerts answer.
  shapes::Envelope env = shapes::detect_envelope(in);
  if (env.kind == shapes::EnvelopeKind::kArray || env.kind == shapes::EnvelopeKind::kAlertmanagerWebhook ||
      env.kind == shapes::EnvelopeKind::kGrafanaWebhook)
    each(env.records, AlertShape::kAlertmanager);
  else if (env.kind == shapes::EnvelopeKind::kPrometheus) each(env.records, AlertShape::kPrometheus);
  else if (in.get("alerts").is_array()) each(in.get("alerts"), AlertShape::kAlertmanager);  // a bare {"alerts": [...]}
  else if (in.get("data").get("alerts").is_array()) each(in.get("data").get("alerts"), AlertShape::kPrometheus);
  else if (in.get("event_action").exists()) preview_alert(spec, in, AlertShape::kPagerDuty, dc, ctx, d, errors);
  else preview_alert(spec, in, AlertShape::kPlain, dc, ctx, d, errors);
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
