#include "cli/coverage.h"

#include <algorithm>
#include <cstdio>

#include "policy/json_source.h"

namespace verdict::cli {
namespace {

using json = nlohmann::ordered_json;
using policy::JsonSource;
using policy::pointer_join;

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string string_at(const json& obj, const char* key, const std::string& fallback = "") {
  const json* v = member(obj, key);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

bool true_at(const json& obj, const char* key) {
  const json* v = member(obj, key);
  return v && v->is_boolean() && v->get<bool>();
}

std::string percent_text(size_t covered, size_t total) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", total ? 100.0 * static_cast<double>(covered) / static_cast<double>(total) : 100.0);
  return buf;
}

// The parts of one policy, with their positions in the file.
class PartReader {
 public:
  PartReader(const JsonSource& src, Coverage::Policy& out) : src_(src), out_(out) {}

  void read(const json& spec, const std::string& sp) {
    const std::string& kind = out_.kind;
    if (kind == "Rules") list(spec, sp, "rules", "rule", "");
    if (kind == "TriageRouting") {
      if (const json* r = member(spec, "route")) route(*r, pointer_join(sp, "route"), "", 0);
      if (const json* ws = member(spec, "windows"); ws && ws->is_object())
        for (auto it = ws->begin(); it != ws->end(); ++it) add("window", it.key(), pointer_join(pointer_join(sp, "windows"), it.key()));
    }
    if (kind == "ChangeRisk") {
      list(spec, sp, "factors", "factor", "");
      list(spec, sp, "gates", "gate", "");
      if (const json* ws = member(spec, "windows"); ws && ws->is_object())
        for (auto it = ws->begin(); it != ws->end(); ++it) add("window", it.key(), pointer_join(pointer_join(sp, "windows"), it.key()));
    }
    if (kind == "ErrorBudget") {
      list(spec, sp, "alerts", "burn-rate alert", "");
      list(spec, sp, "thresholds", "threshold", "");
    }
    if (kind == "AlertDedup") {
      if (const json* r = member(spec, "route")) route(*r, pointer_join(sp, "route"), "", 0);
      list(spec, sp, "inhibit_rules", "inhibit rule", "rule-");
      if (const json* ss = member(spec, "silences"); ss && ss->is_array())
        for (size_t i = 0; i < ss->size(); ++i) {
          const json& s = (*ss)[i];
          std::string id = string_at(s, "id");
          if (id.empty()) continue;
          add("silence", id, pointer_join(pointer_join(sp, "silences"), i));
          if (const json* ws = member(s, "windows"); ws && ws->is_array())
            for (const json& w : *ws)
              if (w.is_string()) out_.silence_windows[id].push_back(w.get<std::string>());
        }
      if (const json* ws = member(spec, "windows"); ws && ws->is_object())
        for (auto it = ws->begin(); it != ws->end(); ++it) add("window", it.key(), pointer_join(pointer_join(sp, "windows"), it.key()));
      list(spec, sp, "rate_limits", "rate limit", "");
    }
  }

 private:
  void add(const std::string& what, const std::string& name, const std::string& pointer) {
    Error at = src_.error_at(pointer, ErrorCode::kOk, "");
    out_.parts.push_back({what, name, at.line, at.column, false});
  }

  // Named items of an array; an item without a name is `unnamed` + its 1-based index
  // (AlertDedup's inhibit rules are "rule-1", ... as the kind names them).
  void list(const json& spec, const std::string& sp, const char* key, const char* what, const std::string& unnamed) {
    const json* items = member(spec, key);
    if (!items || !items->is_array()) return;
    for (size_t i = 0; i < items->size(); ++i) {
      std::string name = string_at((*items)[i], "name", unnamed.empty() ? "" : unnamed + std::to_string(i + 1));
      if (!name.empty()) add(what, name, pointer_join(pointer_join(sp, key), i));
    }
  }

  // The route tree: each route by its path of names (the root is "root" when unnamed). An
  // unnamed route below it is "route" in TriageRouting's trace and "route-N" (its place among
  // its siblings) in AlertDedup's.
  void route(const json& r, const std::string& p, const std::string& parent, int depth, size_t index = 0) {
    if (!r.is_object()) return;
    std::string unnamed = depth == 0 ? "root" : out_.kind == "AlertDedup" ? "route-" + std::to_string(index + 1) : "route";
    std::string name = string_at(r, "name", unnamed);
    if (depth > 0 && out_.kind == "AlertDedup" && name == "route") name = unnamed;  // as the kind's trace names it
    std::string path = parent.empty() ? name : parent + "/" + name;
    add("route", path, p);
    if (const json* kids = member(r, "routes"); kids && kids->is_array())
      for (size_t i = 0; i < kids->size(); ++i) route((*kids)[i], pointer_join(pointer_join(p, "routes"), i), path, depth + 1, i);
  }

  const JsonSource& src_;
  Coverage::Policy& out_;
};

}  // namespace

std::vector<std::string> Coverage::add_file(const std::string& file, const std::string& text) {
  std::vector<std::string> names;
  auto src = JsonSource::parse(text, file);
  if (!src.ok()) return names;
  const json& root = src.value().root();
  auto one = [&](const json& p, const std::string& base) {
    std::string name = p.is_object() && member(p, "metadata") ? string_at(*member(p, "metadata"), "name") : "";
    if (name.empty()) return;
    names.push_back(name);
    if (policies_.count(name)) return;  // read once, however many test files load it
    Policy& pol = policies_[name];
    pol.name = name;
    pol.kind = string_at(p, "kind");
    pol.file = file;
    if (const json* spec = member(p, "spec")) PartReader(src.value(), pol).read(*spec, pointer_join(base, "spec"));
  };
  if (root.is_array()) {
    for (size_t i = 0; i < root.size(); ++i) one(root[i], pointer_join("", i));
  } else {
    one(root, "");
  }
  return names;
}

Coverage::Part* Coverage::find(const std::string& policy, const std::string& what, const std::string& name) {
  auto it = policies_.find(policy);
  if (it == policies_.end()) return nullptr;
  for (Part& p : it->second.parts)
    if (p.what == what && p.name == name) return &p;
  return nullptr;
}

std::string Coverage::kind_of(const std::string& policy) const {
  auto it = policies_.find(policy);
  return it == policies_.end() ? "" : it->second.kind;
}

void Coverage::record_decision(const json& result) {
  const json* pol = member(result, "policy");
  if (!pol) return;
  const std::string name = string_at(*pol, "name");
  const json empty = json::object();
  const json* ex = member(result, "explain");
  const json& explain = ex ? *ex : empty;
  const json* dec = member(result, "decision");
  const json& decision = dec ? *dec : empty;
  auto mark = [&](const std::string& what, const std::string& part) {
    if (Part* p = find(name, what, part)) p->covered = true;
  };
  // Each trace entry whose flag is true marks the part it names.
  auto trace = [&](const json& from, const char* list, const char* key, const char* flag, const std::string& what) {
    const json* items = member(from, list);
    if (!items || !items->is_array()) return;
    for (const json& t : *items) {
      if (!true_at(t, flag)) continue;
      const json* k = member(t, key);
      if (k && k->is_string()) {
        mark(what, k->get<std::string>());
      } else if (k && k->is_array()) {  // a route's path of names
        std::string path;
        for (const json& s : *k) path += (path.empty() ? "" : "/") + (s.is_string() ? s.get<std::string>() : s.dump());
        mark(what, path);
      }
    }
  };
  trace(explain, "rules", "rule", "matched", "rule");
  trace(explain, "routes", "path", "matched", "route");
  // TriageRouting: a window is exercised when a route tried it (active_windows or
  // mute_windows) while it was in effect, or an expression read windows.NAME as true.
  if (const json* routes = member(explain, "routes"); routes && routes->is_array())
    for (const json& t : *routes) {
      if (const json* ws = member(t, "windows"); ws && ws->is_object())
        for (auto it = ws->begin(); it != ws->end(); ++it)
          if (it.value().is_boolean() && it.value().get<bool>()) mark("window", it.key());
      if (const json* vs = member(t, "values"); vs && vs->is_object())
        for (auto it = vs->begin(); it != vs->end(); ++it)
          if (it.key().rfind("windows.", 0) == 0 && it.value().is_boolean() && it.value().get<bool>()) mark("window", it.key().substr(8));
    }
  trace(explain, "factors", "name", "applies", "factor");
  trace(explain, "gates", "name", "applies", "gate");
  trace(explain, "thresholds", "threshold", "fired", "threshold");
  if (const json* ctx = member(explain, "context"))
    if (const json* ws = member(*ctx, "windows"); ws && ws->is_object())
      for (auto it = ws->begin(); it != ws->end(); ++it)
        if (true_at(it.value(), "overlaps")) mark("window", it.key());
  if (const json* slos = member(decision, "slos"); slos && slos->is_array())
    for (const json& s : *slos) trace(s, "alerts", "name", "firing", "burn-rate alert");
}

void Coverage::record_alert_line(const std::string& policy, const json& line) {
  auto mark = [&](const std::string& what, const std::string& name) {
    if (Part* p = find(policy, what, name)) p->covered = true;
  };
  if (const json* by = member(line, "inhibited_by")) mark("inhibit rule", string_at(*by, "rule"));
  if (const json* rl = member(line, "rate_limit"); rl && rl->is_string()) mark("rate limit", rl->get<std::string>());
  // A silence silences only while one of its windows (if it has any) is in effect.
  if (const json* s = member(line, "silenced_by"); s && s->is_string()) {
    mark("silence", s->get<std::string>());
    auto pol = policies_.find(policy);
    if (pol != policies_.end())
      if (auto it = pol->second.silence_windows.find(s->get<std::string>()); it != pol->second.silence_windows.end())
        for (const std::string& w : it->second) mark("window", w);
  }
  // The explain trace (AlertOptions::explain): the route of each group an alert joined, and of
  // a notification (sent, or "muted" by its windows) with the route's windows in effect.
  if (const json* gs = member(line, "groups"); gs && gs->is_array())
    for (const json& g : *gs) mark("route", string_at(g, "route"));
  if (const json* r = member(line, "route"); r && r->is_string()) mark("route", r->get<std::string>());
  if (const json* ws = member(line, "windows"); ws && ws->is_array())
    for (const json& w : *ws)
      if (w.is_string()) mark("window", w.get<std::string>());
}

double Coverage::percent() const {
  size_t covered = 0, total = 0;
  for (const auto& [name, pol] : policies_)
    for (const Part& p : pol.parts) {
      ++total;
      covered += p.covered ? 1 : 0;
    }
  return total ? 100.0 * static_cast<double>(covered) / static_cast<double>(total) : 100.0;
}

void Coverage::write_text(std::ostream& out) const {
  size_t all_covered = 0, all_total = 0;
  for (const auto& [name, pol] : policies_) {
    // Per kind of part: "routes 12/14".
    std::vector<std::pair<std::string, std::pair<size_t, size_t>>> by_what;
    size_t covered = 0;
    for (const Part& p : pol.parts) {
      auto it = std::find_if(by_what.begin(), by_what.end(), [&](const auto& e) { return e.first == p.what; });
      if (it == by_what.end()) it = by_what.insert(by_what.end(), {p.what, {0, 0}});
      it->second.first += p.covered ? 1 : 0;
      ++it->second.second;
      covered += p.covered ? 1 : 0;
    }
    out << "coverage: " << name << " (" << pol.kind << ", " << pol.file << "): " << percent_text(covered, pol.parts.size());
    if (pol.parts.empty()) out << " (nothing to cover)";
    for (size_t i = 0; i < by_what.size(); ++i)
      out << (i ? ", " : " (") << by_what[i].first << "s " << by_what[i].second.first << "/" << by_what[i].second.second
          << (i + 1 == by_what.size() ? ")" : "");
    out << "\n";
    for (const Part& p : pol.parts)
      if (!p.covered) out << "  " << pol.file << ":" << p.line << ":" << p.column << ": " << p.what << " " << p.name << " not exercised\n";
    all_covered += covered;
    all_total += pol.parts.size();
  }
  out << "coverage: " << percent_text(all_covered, all_total) << " (" << all_covered << " of " << all_total << " parts of "
      << policies_.size() << " polic" << (policies_.size() == 1 ? "y" : "ies") << ")\n";
}

json Coverage::to_json() const {
  json doc = {{"policies", json::array()}};
  size_t all_covered = 0, all_total = 0;
  for (const auto& [name, pol] : policies_) {
    json missed = json::array();
    size_t covered = 0;
    for (const Part& p : pol.parts) {
      if (p.covered) ++covered;
      else missed.push_back({{"part", p.what}, {"name", p.name}, {"file", pol.file}, {"line", p.line}, {"column", p.column}});
    }
    double pct = pol.parts.empty() ? 100.0 : 100.0 * static_cast<double>(covered) / static_cast<double>(pol.parts.size());
    doc["policies"].push_back({{"name", name}, {"kind", pol.kind}, {"file", pol.file}, {"covered", covered},
                               {"total", pol.parts.size()}, {"percent", pct}, {"not_covered", missed}});
    all_covered += covered;
    all_total += pol.parts.size();
  }
  doc["covered"] = all_covered;
  doc["total"] = all_total;
  doc["percent"] = percent();
  return doc;
}

}  // namespace verdict::cli
