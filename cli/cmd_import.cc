// `verdict import alertmanager FILE.yml`: converts an Alertmanager configuration into two
// policies (docs/alerts.md, "Importing an Alertmanager configuration"):
//   NAME-routing  TriageRouting: the route tree; each route's team is its receiver
//   NAME-dedup    AlertDedup: the same tree with group_by and the timers, inhibit_rules,
//                 time_intervals / mute_time_intervals as windows
// and reports on stderr everything it could not convert. Native only (yaml-cpp).
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace verdict::cli {
namespace {

using json = nlohmann::ordered_json;

// yaml-cpp throws on the type of a missing member (a "zombie" node): ask IsDefined first.
bool is_map(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
bool is_seq(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }
bool is_scalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }

struct Importer {
  std::vector<std::string> problems;
  std::set<std::string> receivers_used;
  std::set<std::string> windows;  // converted time intervals
  int route_count = 0;

  void problem(const YAML::Node& n, const std::string& what) {
    std::string where;
    if (n.IsDefined() && n.Mark().line >= 0) where = "line " + std::to_string(n.Mark().line + 1) + ": ";
    problems.push_back(where + what);
  }

  static std::string scalar(const YAML::Node& n) { return is_scalar(n) ? n.Scalar() : std::string(); }

  static std::string quote(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out + "\"";
  }

  // The matchers of a route or rule side: `matchers` (strings), `match` and `match_re` (maps).
  json matchers(const YAML::Node& n, const char* new_key, const char* eq_key, const char* re_key) {
    json out = json::array();
    if (YAML::Node m = n[eq_key]; is_map(m))
      for (auto it = m.begin(); it != m.end(); ++it) out.push_back(it->first.Scalar() + "=" + quote(scalar(it->second)));
    if (YAML::Node m = n[re_key]; is_map(m))
      for (auto it = m.begin(); it != m.end(); ++it) out.push_back(it->first.Scalar() + "=~" + quote(scalar(it->second)));
    if (YAML::Node m = n[new_key]; is_seq(m)) {
      for (const auto& s : m) {
        std::string text = scalar(s);
        // One matcher per string; a "{a="1",b="2"}" list in one string is not converted.
        if (!text.empty() && text.front() == '{') {
          problem(s, "matcher list \"" + text + "\" in one string is not converted: write one matcher per item");
          continue;
        }
        out.push_back(text);
      }
    }
    return out;
  }

  // Triage matchers read labels: `labels.NAME` keeps Alertmanager's meaning (a missing label is "").
  static json triage_matchers(const json& ms) {
    json out = json::array();
    for (const auto& m : ms) out.push_back("labels." + m.get<std::string>());
    return out;
  }

  void route(const YAML::Node& r, json& triage, json& dedup, const std::string& path, bool root) {
    std::string receiver = scalar(r["receiver"]);
    json ms = matchers(r, "matchers", "match", "match_re");
    std::string name = path;
    ++route_count;
    triage = json::object();
    dedup = json::object();
    if (!receiver.empty()) receivers_used.insert(receiver);
    // Route names carry the receiver ("receiver@path") so that a decision's routes name them.
    triage["name"] = (receiver.empty() ? std::string("inherit") : receiver) + "@" + name;
    dedup["name"] = triage["name"];
    if (!root && !ms.empty()) {
      triage["matchers"] = triage_matchers(ms);
      dedup["matchers"] = ms;
    }
    if (!root && r["continue"].IsDefined()) {
      bool c = r["continue"].as<bool>(false);
      triage["continue"] = c;
      dedup["continue"] = c;
    }
    if (!receiver.empty()) {
      triage["team"] = receiver;
      dedup["receiver"] = receiver;
    }
    if (YAML::Node g = r["group_by"]; is_seq(g)) {
      json gb = json::array();
      for (const auto& l : g) gb.push_back(scalar(l));
      dedup["group_by"] = gb;
    }
    for (const char* t : {"group_wait", "group_interval", "repeat_interval"})
      if (YAML::Node v = r[t]; is_scalar(v)) {
        std::string d = v.Scalar();
        if (d.find('y') != std::string::npos) problem(v, std::string(t) + " " + d + " uses years: not converted");
        else dedup[t] = d;
      }
    for (const auto& [am, ours] : {std::pair<const char*, const char*>{"mute_time_intervals", "mute_windows"}, {"active_time_intervals", "active_windows"}}) {
      if (YAML::Node v = r[am]; is_seq(v)) {
        json ws = json::array();
        for (const auto& w : v) {
          if (windows.count(scalar(w))) ws.push_back(scalar(w));
          else problem(w, std::string(am) + " names \"" + scalar(w) + "\", which was not converted (see above) or does not exist");
        }
        if (!ws.empty()) dedup[ours] = ws;
      }
    }
    for (auto it = r.begin(); it != r.end(); ++it) {
      std::string k = it->first.Scalar();
      static const std::set<std::string> known = {"receiver", "matchers", "match", "match_re", "continue", "group_by", "group_wait",
                                                  "group_interval", "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes"};
      if (!known.count(k)) problem(it->first, "route key \"" + k + "\" is not converted");
    }
    if (YAML::Node children = r["routes"]; is_seq(children)) {
      json tr = json::array(), dr = json::array();
      for (size_t i = 0; i < children.size(); ++i) {
        json t, d;
        route(children[i], t, d, path + "." + std::to_string(i), false);
        tr.push_back(t);
        dr.push_back(d);
      }
      triage["routes"] = tr;
      dedup["routes"] = dr;
    }
  }

  static std::string hhmm(const std::string& s) { return s.size() == 4 ? "0" + s : s; }

  void time_intervals(const YAML::Node& list, json& out) {
    if (!is_seq(list)) return;
    for (const auto& ti : list) {
      std::string name = scalar(ti["name"]);
      json times = json::array();
      bool ok = true;
      YAML::Node ranges = ti["time_intervals"];
      for (const auto& tr : ranges) {
        for (auto it = tr.begin(); it != tr.end(); ++it) {
          std::string k = it->first.Scalar();
          if (k != "times" && k != "weekdays" && k != "location") {
            problem(it->first, "time interval \"" + name + "\": " + k + " is not converted (only weekdays, times and location UTC)");
            ok = false;
          }
        }
        std::string loc = scalar(tr["location"]);
        if (!loc.empty() && loc != "UTC") {
          problem(tr["location"], "time interval \"" + name + "\": location " + loc + " is not converted (only UTC)");
          ok = false;
        }
        json days = json::array();
        static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
        auto day_index = [](const std::string& d) {
          for (int i = 0; i < 7; ++i)
            if (d == kDays[i]) return i;
          return -1;
        };
        for (const auto& wd : tr["weekdays"]) {
          std::string w = scalar(wd);
          size_t colon = w.find(':');
          int a = day_index(colon == std::string::npos ? w : w.substr(0, colon));
          int b = colon == std::string::npos ? a : day_index(w.substr(colon + 1));
          if (a < 0 || b < 0) {
            problem(wd, "time interval \"" + name + "\": weekday " + w + " not understood");
            ok = false;
            continue;
          }
          for (int d = a;; d = (d + 1) % 7) {
            days.push_back(std::string(kDays[d]).substr(0, 3));
            if (d == b) break;
          }
        }
        json base = json::object();
        if (!days.empty()) base["days"] = days;
        YAML::Node ts = tr["times"];
        if (is_seq(ts) && ts.size() > 0) {
          for (const auto& t : ts) {
            json r = base;
            r["start"] = hhmm(scalar(t["start_time"]));
            r["end"] = hhmm(scalar(t["end_time"]));
            times.push_back(r);
          }
        } else {
          times.push_back(base);
        }
      }
      if (!ok) continue;
      windows.insert(name);
      out[name] = {{"timezone", "UTC"}, {"times", times}};
    }
  }
};

}  // namespace

int cmd_import_alertmanager(const std::string& file, const std::string& name, const std::string& out_path) {
  std::string text, why;
  if (!read_file(file, text, why)) {
    std::cerr << "verdict: " << why << "\n";
    return kExitUsage;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::cerr << file << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": invalid YAML: " << e.msg << "\n";
    return kExitInvalid;
  }
  if (!is_map(root) || !is_map(root["route"])) {
    std::cerr << file << ": not an Alertmanager configuration (no route)\n";
    return kExitInvalid;
  }
  Importer im;
  json windows = json::object();
  try {
    im.time_intervals(root["time_intervals"], windows);
    im.time_intervals(root["mute_time_intervals"], windows);
    json triage_route, dedup_route;
    im.route(root["route"], triage_route, dedup_route, "0", true);
    json inhibit = json::array();
    if (YAML::Node rules = root["inhibit_rules"]; is_seq(rules)) {
      for (size_t i = 0; i < rules.size(); ++i) {
        json r = json::object();
        r["name"] = "inhibit-" + std::to_string(i + 1);
        r["source_matchers"] = im.matchers(rules[i], "source_matchers", "source_match", "source_match_re");
        r["target_matchers"] = im.matchers(rules[i], "target_matchers", "target_match", "target_match_re");
        json eq = json::array();
        for (const auto& l : rules[i]["equal"]) eq.push_back(Importer::scalar(l));
        r["equal"] = eq;
        inhibit.push_back(r);
      }
    }
    std::set<std::string> declared;
    if (YAML::Node rs = root["receivers"]; is_seq(rs)) {
      for (const auto& r : rs) {
        std::string rn = Importer::scalar(r["name"]);
        declared.insert(rn);
        for (auto it = r.begin(); it != r.end(); ++it)
          if (it->first.Scalar() != "name")
            im.problem(it->first, "receiver \"" + rn + "\": " + it->first.Scalar() + " is not converted (the policies name the receiver; delivery stays with your notifier)");
      }
    }
    for (const auto& used : im.receivers_used)
      if (!declared.count(used)) im.problem(root["route"], "receiver \"" + used + "\" is used by a route but not declared");
    for (const char* k : {"global", "templates"})
      if (root[k].IsDefined()) im.problem(root[k], std::string(k) + " is not converted");

    std::string root_receiver = Importer::scalar(root["route"]["receiver"]);
    json routing = {{"apiVersion", "verdict/v1"},
                    {"kind", "TriageRouting"},
                    {"metadata", {{"name", name + "-routing"}, {"description", "imported from " + file + " by verdict import alertmanager"}}},
                    {"spec", {{"defaults", {{"team", root_receiver}, {"notify", "page"}}}, {"route", triage_route}}}};
    json dedup_spec = {{"route", dedup_route}};
    if (!windows.empty()) dedup_spec["windows"] = windows;
    if (!inhibit.empty()) dedup_spec["inhibit_rules"] = inhibit;
    json dedup = {{"apiVersion", "verdict/v1"},
                  {"kind", "AlertDedup"},
                  {"metadata", {{"name", name + "-dedup"}, {"description", "imported from " + file + " by verdict import alertmanager"}}},
                  {"spec", dedup_spec}};
    json both = json::array({routing, dedup});
    std::string doc = both.dump(2) + "\n";
    if (out_path.empty() || out_path == "-") {
      std::cout << doc;
    } else {
      std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
      f << doc;
      if (!f) {
        std::cerr << "verdict: cannot write " << out_path << "\n";
        return kExitUsage;
      }
    }
  } catch (const YAML::Exception& e) {
    std::cerr << file << ":" << e.mark.line + 1 << ": unexpected structure: " << e.msg << "\n";
    return kExitInvalid;
  }
  std::cerr << file << ": " << im.route_count << " routes, " << im.windows.size() << " time intervals converted; "
            << im.problems.size() << " item" << (im.problems.size() == 1 ? "" : "s") << " not converted\n";
  for (const auto& p : im.problems) std::cerr << "  " << file << ": " << p << "\n";
  return kExitOk;
}

}  // namespace verdict::cli
