#include "alertmanager/config.h"

#include <set>

#include "alertmanager/matcher.h"
#include "alertmanager/route.h"
#include "alertmanager/time_intervals.h"
#include "policy/json_source.h"
#include "time/time.h"

namespace verdict::alertmanager {

namespace {

using json = nlohmann::ordered_json;
using policy::pointer_join;

std::string scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return {};
}

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// A YAML 1.1 boolean, as Go's yaml.v2 reads one for a bool field.
bool yaml_bool(const json& v, bool& out) {
  if (v.is_boolean()) {
    out = v.get<bool>();
    return true;
  }
  static const char* const kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON"};
  static const char* const kFalse[] = {"false", "False", "FALSE", "no", "No", "NO", "n", "N", "off", "Off", "OFF"};
  std::string s = scalar(v);
  for (const char* t : kTrue)
    if (s == t) {
      out = true;
      return true;
    }
  for (const char* f : kFalse)
    if (s == f) {
      out = false;
      return true;
    }
  return false;
}

// Prometheus's model.Duration ("1y2w3d4h5m6s7ms") as a duration verdict reads: a year is 365
// days there, so "1y" becomes "365d". "" when it is not one.
std::string duration(const std::string& d) {
  std::string out;
  size_t i = 0;
  while (i < d.size()) {
    size_t start = i;
    while (i < d.size() && d[i] >= '0' && d[i] <= '9') ++i;
    if (i == start || i - start > 9) return {};
    std::string digits = d.substr(start, i - start);
    int64_t n = 0;
    for (char c : digits) n = n * 10 + (c - '0');
    size_t u = i;
    while (i < d.size() && d[i] >= 'a' && d[i] <= 'z') ++i;
    std::string unit = d.substr(u, i - u);
    if (unit == "y") out += std::to_string(n * 365) + "d";
    else out += digits + unit;
  }
  std::string why;
  auto v = datetime::parse_duration(out, &why);
  return v && *v >= 0 ? out : std::string();
}

// What an Alertmanager route says itself (config.Route), read into alertmanager::Route. The
// importer writes what each route says; the policies' kinds do the inheriting.
struct ImportOpts {
  std::string receiver;
  std::string path;  // 0.2.1: the route's place in the tree
  bool has_continue = false;
  const json* group_by = nullptr;
  std::vector<std::pair<std::string, std::string>> timers;  // group_wait, group_interval, repeat_interval
  std::vector<std::string> mute_windows, active_windows;
  ImportOpts inherited() const { return {}; }
};
using ImportRoute = Route<ImportOpts>;

struct Importer {
  explicit Importer(ImportResult& r) : res(r) {}
  ImportResult& res;
  std::set<std::string> receivers_used;
  std::set<std::string> windows;  // converted time intervals
  std::set<std::string> defined;  // every time interval named in the configuration
  const Syntax syntax{};          // Alertmanager's own: no field paths

  void problem(std::string pointer, std::string message, bool at_key = false, ProblemKind kind = ProblemKind::kInvalid) {
    res.problems.push_back({std::move(pointer), at_key, std::move(message), kind});
  }
  void lost(std::string pointer, std::string message, bool at_key = false) {
    problem(std::move(pointer), std::move(message), at_key, ProblemKind::kLost);
  }

  // The matchers of a route or of one side of an inhibition rule: `eq_key` and `re_key`
  // (maps: match / match_re, NewMatcher) and `list_key` (strings: matchers, ParseMatchers).
  // False when one cannot be read (a problem says which).
  bool matchers(const json& obj, const std::string& p, const char* list_key, const char* eq_key, const char* re_key,
                std::vector<Matcher>& out) {
    bool ok = true;
    for (auto [key, op] : {std::pair<const char*, MatchOp>{eq_key, MatchOp::kEq}, {re_key, MatchOp::kRe}}) {
      const json* m = member(obj, key);
      if (!m || !m->is_object()) continue;
      for (auto it = m->begin(); it != m->end(); ++it) {
        Matcher one;
        Error e;
        // Alertmanager keeps a match_re value as its anchored regexp (config.Regexp.String()),
        // which its route keys show: {service=~"^(?:payments-.*)$"}. The same here.
        std::string value = scalar(it.value());
        if (op == MatchOp::kRe) value = "^(?:" + value + ")$";
        if (!new_matcher(op, it.key(), value, syntax, one, e)) {
          problem(pointer_join(pointer_join(p, key), it.key()), std::string(key) + " " + it.key() + ": " + e.message);
          ok = false;
          continue;
        }
        out.push_back(std::move(one));
      }
    }
    if (const json* list = member(obj, list_key); list && list->is_array()) {
      for (size_t i = 0; i < list->size(); ++i) {
        Error e;
        if (!parse_matchers(scalar((*list)[i]), syntax, out, e)) {
          problem(pointer_join(pointer_join(p, list_key), i), std::string(list_key) + ": " + e.message);
          ok = false;
        }
      }
    }
    return ok;
  }

  // Reads route `r` (at `p`) into `route`; false when it cannot be converted (then neither it
  // nor its children are).
  bool route(const json& r, const std::string& p, ImportRoute& route, const std::string& path, bool root) {
    ImportOpts& o = route.opts;
    o.path = path;
    o.receiver = member(r, "receiver") ? scalar(r["receiver"]) : std::string();
    if (!matchers(r, p, "matchers", "match", "match_re", route.matchers)) {
      problem(p, "the route at " + path + " is not converted, nor the routes below it (a matcher could not be read)");
      return false;
    }
    if (root && o.receiver.empty()) problem(p, "the root route has no receiver, which Alertmanager refuses (it is the default)");
    if (root && !route.matchers.empty()) {
      problem(p, "the root route has matchers, which Alertmanager refuses (the root matches every alert): they are not converted");
      route.matchers.clear();
    }
    if (const json* c = member(r, "continue")) {
      if (root) {
        problem(pointer_join(p, "continue"), "continue on the root route, which Alertmanager refuses: not converted");
      } else if (!yaml_bool(*c, route.cont)) {
        problem(pointer_join(p, "continue"), "continue is not a boolean: not converted");
      } else {
        o.has_continue = true;
      }
    }
    if (!o.receiver.empty()) receivers_used.insert(o.receiver);
    if (const json* g = member(r, "group_by"); g && g->is_array()) {
      o.group_by = g;
      std::set<std::string> seen;
      for (size_t i = 0; i < g->size(); ++i) {
        std::string l = scalar((*g)[i]);
        if (!seen.insert(l).second) problem(pointer_join(pointer_join(p, "group_by"), i), "group_by names " + l + " twice, which Alertmanager refuses");
      }
      if (seen.count("...") && seen.size() > 1)
        problem(pointer_join(p, "group_by"), "group_by has '...' and other labels, which Alertmanager refuses");
    }
    for (const char* t : {"group_wait", "group_interval", "repeat_interval"}) {
      const json* v = member(r, t);
      if (!v) continue;
      std::string d = duration(scalar(*v));
      if (d.empty()) {
        problem(pointer_join(p, t), std::string(t) + " " + scalar(*v) + " is not a duration (Alertmanager refuses it)");
      } else if (std::string(t) != "group_wait" && datetime::parse_duration(d, nullptr).value_or(-1) == 0) {
        problem(pointer_join(p, t), std::string(t) + " is zero, which Alertmanager refuses");
      } else {
        o.timers.emplace_back(t, d);
      }
    }
    for (const auto& [am, ours] : {std::pair<const char*, std::vector<std::string>*>{"mute_time_intervals", &o.mute_windows},
                                   {"active_time_intervals", &o.active_windows}}) {
      const json* v = member(r, am);
      if (!v || !v->is_array()) continue;
      if (root && !v->empty()) problem(pointer_join(p, am), std::string("the root route has ") + am + ", which Alertmanager refuses");
      for (size_t i = 0; i < v->size(); ++i) {
        std::string w = scalar((*v)[i]);
        std::string at = pointer_join(pointer_join(p, am), i);
        if (windows.count(w)) ours->push_back(w);
        else if (!defined.count(w)) problem(at, std::string(am) + " names \"" + w + "\", which is not defined (Alertmanager refuses it)");
        else
          problem(at, std::string(am) + " names \"" + w + "\", which cannot be converted (see above): the route at " + path +
                      " would lose its time restriction, which an import never drops",
                  false, ProblemKind::kTimeRestriction);
      }
    }
    static const std::set<std::string> known = {"receiver", "matchers", "match", "match_re", "continue", "group_by", "group_wait",
                                                "group_interval", "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes"};
    for (auto it = r.begin(); it != r.end(); ++it)
      if (!known.count(it.key()))
        problem(pointer_join(p, it.key()), "route key \"" + it.key() + "\" is not a key of a route (Alertmanager refuses it)", true);
    ++res.routes;
    if (const json* children = member(r, "routes"); children && children->is_array()) {
      for (size_t i = 0; i < children->size(); ++i) {
        std::string cp = pointer_join(pointer_join(p, "routes"), i);
        if (!(*children)[i].is_object()) {
          problem(cp, "a route is a map (Alertmanager refuses this one)");
          continue;
        }
        ImportRoute child;
        if (this->route((*children)[i], cp, child, path + "." + std::to_string(i), false)) route.routes.push_back(std::move(child));
      }
    }
    return true;
  }

  static std::string route_name(const ImportRoute& r) {
    return (r.opts.receiver.empty() ? std::string("inherit") : r.opts.receiver) + "@" + r.opts.path;
  }

  // TriageRouting: matchers read labels (`labels.NAME` keeps Alertmanager's meaning that a
  // missing label is ""); each route's team is its receiver.
  static json triage_route(const ImportRoute& r) {
    json t = json::object();
    t["name"] = route_name(r);
    if (!r.matchers.empty()) {
      json ms = json::array();
      for (const Matcher& m : r.matchers) ms.push_back("labels." + m.to_string());
      t["matchers"] = ms;
    }
    if (r.opts.has_continue) t["continue"] = r.cont;
    if (!r.opts.receiver.empty()) t["team"] = r.opts.receiver;
    if (!r.routes.empty()) {
      json rs = json::array();
      for (const ImportRoute& c : r.routes) rs.push_back(triage_route(c));
      t["routes"] = rs;
    }
    return t;
  }

  static json dedup_route(const ImportRoute& r) {
    json d = json::object();
    d["name"] = route_name(r);
    if (!r.matchers.empty()) {
      json ms = json::array();
      for (const Matcher& m : r.matchers) ms.push_back(m.to_string());
      d["matchers"] = ms;
    }
    if (r.opts.has_continue) d["continue"] = r.cont;
    if (!r.opts.receiver.empty()) d["receiver"] = r.opts.receiver;
    if (r.opts.group_by) {
      json gb = json::array();
      for (const json& l : *r.opts.group_by) gb.push_back(scalar(l));
      d["group_by"] = gb;
    }
    for (const auto& [k, v] : r.opts.timers) d[k] = v;
    if (!r.opts.mute_windows.empty()) d["mute_windows"] = r.opts.mute_windows;
    if (!r.opts.active_windows.empty()) d["active_windows"] = r.opts.active_windows;
    if (!r.routes.empty()) {
      json rs = json::array();
      for (const ImportRoute& c : r.routes) rs.push_back(dedup_route(c));
      d["routes"] = rs;
    }
    return d;
  }

  void time_intervals(const json& config, const char* key, json& out) {
    const json* list = member(config, key);
    if (!list || !list->is_array()) return;
    for (size_t i = 0; i < list->size(); ++i) {
      if (const json* n = member((*list)[i], "name")) defined.insert(scalar(*n));
    }
    for (size_t i = 0; i < list->size(); ++i) {
      std::string p = pointer_join(pointer_join("", key), i);
      std::vector<IntervalProblem> problems;
      json window;
      bool ok = convert_time_interval((*list)[i], window, problems);
      for (IntervalProblem& ip : problems)
        problem(p + ip.pointer, std::move(ip.message), ip.at_key, ip.refused ? ProblemKind::kInvalid : ProblemKind::kLost);
      if (!ok) continue;
      std::string name = scalar((*list)[i]["name"]);
      if (windows.count(name)) {
        problem(pointer_join(p, "name"), "time interval \"" + name + "\" is defined twice, which Alertmanager refuses: the second is not converted");
        continue;
      }
      windows.insert(name);
      out[name] = window;
      ++res.intervals;
    }
  }
};

}  // namespace

ImportResult import_config(const json& config, const std::string& name, const std::string& source) {
  ImportResult res;
  Importer im{res};
  const json* root_route = member(config, "route");
  if (!root_route || !root_route->is_object()) {
    im.problem("", "not an Alertmanager configuration (no route)");
    return res;
  }
  json windows = json::object();
  im.time_intervals(config, "time_intervals", windows);
  im.time_intervals(config, "mute_time_intervals", windows);
  ImportRoute root;
  im.route(*root_route, "/route", root, "0", true);
  json inhibit = json::array();
  if (const json* rules = member(config, "inhibit_rules"); rules && rules->is_array()) {
    for (size_t i = 0; i < rules->size(); ++i) {
      const json& r = (*rules)[i];
      std::string p = pointer_join(pointer_join("", "inhibit_rules"), i);
      std::vector<Matcher> source_ms, target_ms;
      bool ok = im.matchers(r, p, "source_matchers", "source_match", "source_match_re", source_ms);
      ok = im.matchers(r, p, "target_matchers", "target_match", "target_match_re", target_ms) && ok;
      if (!ok) {
        im.problem(p, "inhibition rule " + std::to_string(i + 1) + " is not converted (a matcher could not be read)");
        continue;
      }
      static const std::set<std::string> known = {"source_matchers", "source_match", "source_match_re", "target_matchers",
                                                  "target_match", "target_match_re", "equal"};
      for (auto it = r.begin(); it != r.end(); ++it)
        if (!known.count(it.key()))
          im.problem(pointer_join(p, it.key()), "\"" + it.key() + "\" is not a key of an inhibition rule (Alertmanager refuses it)", true);
      json rule = json::object();
      rule["name"] = "inhibit-" + std::to_string(i + 1);
      json s = json::array(), t = json::array(), eq = json::array();
      for (const Matcher& m : source_ms) s.push_back(m.to_string());
      for (const Matcher& m : target_ms) t.push_back(m.to_string());
      if (const json* e = member(r, "equal"); e && e->is_array())
        for (const json& l : *e) eq.push_back(scalar(l));
      rule["source_matchers"] = s;
      rule["target_matchers"] = t;
      rule["equal"] = eq;
      inhibit.push_back(rule);
    }
  }
  // Receivers: the policies name them; their integrations (delivery) stay with the notifier.
  static const std::set<std::string> integrations = {
      "email_configs",    "pagerduty_configs", "slack_configs",   "webhook_configs",  "opsgenie_configs",
      "wechat_configs",   "pushover_configs",  "victorops_configs", "sns_configs",    "telegram_configs",
      "discord_configs",  "webex_configs",     "msteams_configs", "msteamsv2_configs", "jira_configs",
      "rocketchat_configs", "incidentio_configs"};
  std::set<std::string> declared;
  if (const json* rs = member(config, "receivers"); rs && rs->is_array()) {
    for (size_t i = 0; i < rs->size(); ++i) {
      const json& r = (*rs)[i];
      const std::string p = pointer_join(pointer_join("", "receivers"), i);
      if (!r.is_object()) {
        im.problem(p, "a receiver is a map (Alertmanager refuses this one)");
        continue;
      }
      std::string rn = member(r, "name") ? scalar(r["name"]) : std::string();
      if (rn.empty()) im.problem(p, "a receiver without a name, which Alertmanager refuses");
      else if (!declared.insert(rn).second) im.problem(pointer_join(p, "name"), "receiver \"" + rn + "\" is declared twice, which Alertmanager refuses");
      for (auto it = r.begin(); it != r.end(); ++it) {
        if (it.key() == "name") continue;
        if (integrations.count(it.key()))
          im.lost(pointer_join(p, it.key()),
                  "receiver \"" + rn + "\": " + it.key() + " is not converted (the policies name the receiver; delivery stays with your notifier)", true);
        else
          im.problem(pointer_join(p, it.key()), "receiver \"" + rn + "\": " + it.key() + " is not a key of a receiver (Alertmanager refuses it)", true);
      }
    }
  }
  for (const auto& used : im.receivers_used)
    if (!declared.count(used)) im.problem("/route", "receiver \"" + used + "\" is used by a route but not declared (Alertmanager refuses it)");
  // global: each setting is named (resolve_timeout changes when an alert without endsAt resolves).
  static const std::set<std::string> global_keys = {
      "resolve_timeout", "http_config", "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username", "smtp_auth_password",
      "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_identity", "smtp_require_tls", "smtp_tls_config",
      "smtp_force_implicit_tls", "slack_api_url", "slack_api_url_file", "pagerduty_url", "opsgenie_api_url", "opsgenie_api_key",
      "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret", "wechat_api_corp_id", "victorops_api_url",
      "victorops_api_key", "victorops_api_key_file", "telegram_api_url", "webex_api_url", "jira_api_url", "rocketchat_api_url",
      "rocketchat_token", "rocketchat_token_file", "rocketchat_token_id", "rocketchat_token_id_file"};
  if (const json* g = member(config, "global")) {
    if (g->is_object()) {
      for (auto it = g->begin(); it != g->end(); ++it) {
        const std::string p = pointer_join(pointer_join("", "global"), it.key());
        if (global_keys.count(it.key())) im.lost(p, "global " + it.key() + " is not converted", true);
        else im.problem(p, "global " + it.key() + " is not a key of global (Alertmanager refuses it)", true);
      }
    } else if (!g->is_null()) {
      im.problem("/global", "global is a map (Alertmanager refuses this one)");
    }
  }
  if (const json* t = member(config, "templates"); t && !(t->is_array() && t->empty()) && !t->is_null())
    im.lost("/templates", "templates is not converted (notification templates stay with your notifier)", true);
  // Keys Alertmanager knows that the import does not convert, then keys it does not know.
  static const std::set<std::string> top = {"global", "templates", "route", "inhibit_rules", "receivers", "time_intervals",
                                            "mute_time_intervals"};
  static const std::set<std::string> known_lost = {"tracing"};
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (top.count(it.key())) continue;
    if (known_lost.count(it.key())) im.lost(pointer_join("", it.key()), it.key() + " is not converted", true);
    else im.problem(pointer_join("", it.key()), it.key() + " is not a key of an Alertmanager configuration (Alertmanager refuses it)", true);
  }

  const std::string description = "imported from " + source + " by verdict import alertmanager";
  json routing = {{"apiVersion", "verdict/v1"},
                  {"kind", "TriageRouting"},
                  {"metadata", {{"name", name + "-routing"}, {"description", description}}},
                  {"spec", {{"defaults", {{"team", root.opts.receiver}, {"notify", "page"}}}, {"route", Importer::triage_route(root)}}}};
  json dedup_spec = {{"route", Importer::dedup_route(root)}};
  if (!windows.empty()) dedup_spec["windows"] = windows;
  if (!inhibit.empty()) dedup_spec["inhibit_rules"] = inhibit;
  json dedup = {{"apiVersion", "verdict/v1"},
                {"kind", "AlertDedup"},
                {"metadata", {{"name", name + "-dedup"}, {"description", description}}},
                {"spec", dedup_spec}};
  res.policies = json::array({routing, dedup});
  res.ok = true;
  return res;
}

}  // namespace verdict::alertmanager
