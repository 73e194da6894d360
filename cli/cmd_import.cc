// `verdict import alertmanager FILE.yml`: converts an Alertmanager configuration into two
// policies (docs/alerts.md, "Importing an Alertmanager configuration"): NAME-routing
// (TriageRouting) and NAME-dedup (AlertDedup). The conversion is the core's Alertmanager
// module (core/src/alertmanager/config.h: Alertmanager's matcher parser, route tree and time
// intervals); this file reads the YAML (yaml-cpp, native only) into JSON, keeping each
// value's line, and reports on stderr, with lines, everything that was not converted.
#include <cerrno>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "alertmanager/config.h"
#include "cli/common.h"
#include "cli/yaml_limits.h"

namespace verdict::cli {
namespace {

using json = nlohmann::ordered_json;

// yaml-cpp throws on the type of a missing member (a "zombie" node): ask IsDefined first.
struct Lines {
  std::map<std::string, int> value, key;  // JSON pointer -> 1-based line
};

std::string escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

// The YAML document as JSON (scalars as strings, null as null), with the line of every value
// and key by JSON pointer.
// Aliases, cycles and depth are bounded by `budget` (yaml_limits.h).
json to_json(const YAML::Node& n, const std::string& pointer, Lines& lines, YamlBudget& budget, std::vector<YAML::Node>& ancestors) {
  if (n.IsDefined() && !budget.enter(n, ancestors)) return nullptr;
  if (n.IsDefined() && n.Mark().line >= 0) lines.value[pointer] = n.Mark().line + 1;
  if (!n.IsDefined() || n.IsNull()) return nullptr;
  if (n.IsScalar()) return n.Scalar();
  ancestors.push_back(n);
  if (n.IsSequence()) {
    json a = json::array();
    for (size_t i = 0; i < n.size() && budget.ok(); ++i)
      a.push_back(to_json(n[i], pointer + "/" + std::to_string(i), lines, budget, ancestors));
    ancestors.pop_back();
    return a;
  }
  json o = json::object();
  for (auto it = n.begin(); it != n.end() && budget.ok(); ++it) {
    std::string k = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
    std::string p = pointer + "/" + escape(k);
    if (it->first.Mark().line >= 0) lines.key[p] = it->first.Mark().line + 1;
    o[k] = to_json(it->second, p, lines, budget, ancestors);
  }
  ancestors.pop_back();
  return o;
}

}  // namespace

int cmd_import_alertmanager(const std::string& file, const std::string& name, const std::string& out_path) {
  std::string text, why;
  if (!read_file(file, text, why)) {
    std::cerr << "verdict: " << why << "\n";
    return read_failure_exit();
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::cerr << file << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": invalid YAML: " << e.msg << "\n";
    return kExitInvalid;
  }
  Lines lines;
  json config;
  try {
    YamlBudget budget(text.size());
    std::vector<YAML::Node> ancestors;
    config = to_json(root, "", lines, budget, ancestors);
    if (!budget.ok()) {
      std::cerr << file << ":" << budget.line() << ": " << budget.why() << "\n";
      return kExitInvalid;
    }
  } catch (const YAML::Exception& e) {
    std::cerr << file << ":" << e.mark.line + 1 << ": unexpected structure: " << e.msg << "\n";
    return kExitInvalid;
  }
  alertmanager::ImportResult r = alertmanager::import_config(config, name, file);
  if (!r.ok) {
    std::cerr << file << ": not an Alertmanager configuration (no route)\n";
    return kExitInvalid;
  }
  std::string doc = r.policies.dump(2) + "\n";
  if (out_path.empty() || out_path == "-") {
    std::cout << doc;
  } else {
    errno = 0;
    std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
    f << doc;
    if (!f) {
      std::cerr << "verdict: cannot write " << out_path << os_reason() << "\n";
      return kExitUsage;
    }
  }
  std::cerr << file << ": " << r.routes << " routes, " << r.intervals << " time intervals converted; " << r.problems.size() << " item"
            << (r.problems.size() == 1 ? "" : "s") << " not converted\n";
  for (const auto& p : r.problems) {
    const auto& table = p.at_key ? lines.key : lines.value;
    auto it = table.find(p.pointer);
    std::cerr << "  " << file << ": ";
    if (it != table.end()) std::cerr << "line " << it->second << ": ";
    std::cerr << p.message << "\n";
  }
  return kExitOk;
}

}  // namespace verdict::cli
