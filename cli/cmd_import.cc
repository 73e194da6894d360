// `verdict import alertmanager FILE.yml`: converts an Alertmanager configuration into two
// policies (docs/alerts.md, "Importing an Alertmanager configuration"): NAME-routing
// (TriageRouting) and NAME-dedup (AlertDedup). The conversion is the core's Alertmanager
// module (core/src/alertmanager/config.h: Alertmanager's matcher parser, route tree and time
// intervals); this file reads the YAML (yaml-cpp, native only) into JSON, keeping each
// value's line and column, and reports on stderr, at FILE:LINE:COLUMN, everything that was
// not converted. The import is lossless or fails (exit 3): what Alertmanager refuses, or a
// time restriction that cannot be converted, always fails; what Alertmanager accepts but verdict
// cannot convert (a receiver's integrations, global settings) passes with --allow-lossy only.
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
struct Position {
  int line = 0, column = 0;  // 1-based
};
struct Lines {
  std::map<std::string, Position> value, key;  // JSON pointer -> where in the YAML
};

Position at(const YAML::Mark& m) { return {m.line + 1, m.column + 1}; }

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
  if (n.IsDefined() && n.Mark().line >= 0) lines.value[pointer] = at(n.Mark());
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
    if (it->first.Mark().line >= 0) lines.key[p] = at(it->first.Mark());
    o[k] = to_json(it->second, p, lines, budget, ancestors);
  }
  ancestors.pop_back();
  return o;
}

}  // namespace

int cmd_import_alertmanager(const std::string& file, const std::string& name, const std::string& out_path, bool allow_lossy) {
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
  // Each problem at its place: the key (an unknown key) or the value, else the nearest parent.
  size_t invalid = 0, time_restrictions = 0, lost = 0;
  auto where = [&](const alertmanager::ImportProblem& p) -> std::string {
    for (std::string ptr = p.pointer;; ptr = ptr.substr(0, ptr.rfind('/'))) {
      const auto& table = p.at_key && ptr == p.pointer ? lines.key : lines.value;
      if (auto it = table.find(ptr); it != table.end())
        return file + ":" + std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
      if (ptr.empty()) return file;
    }
  };
  for (const auto& p : r.problems) {
    invalid += p.kind == alertmanager::ProblemKind::kInvalid;
    time_restrictions += p.kind == alertmanager::ProblemKind::kTimeRestriction;
    lost += p.kind == alertmanager::ProblemKind::kLost;
  }
  const bool fails = invalid + time_restrictions > 0 || (lost > 0 && !allow_lossy);
  for (const auto& p : r.problems) {
    const char* label = p.kind == alertmanager::ProblemKind::kInvalid ? "error" : p.kind == alertmanager::ProblemKind::kLost ? "lost" : "error (time restriction)";
    std::cerr << where(p) << ": " << label << ": " << p.message << "\n";
  }
  if (fails) {
    std::cerr << file << ": not imported: ";
    if (invalid) std::cerr << invalid << " error" << (invalid == 1 ? "" : "s") << " Alertmanager refuses too (amtool check-config)" << (time_restrictions + lost ? ", " : "");
    if (time_restrictions)
      std::cerr << time_restrictions << " time restriction" << (time_restrictions == 1 ? "" : "s") << " that cannot be converted" << (lost ? ", " : "");
    if (lost) std::cerr << lost << " item" << (lost == 1 ? "" : "s") << " that would be lost" << (invalid + time_restrictions ? "" : " (--allow-lossy imports without them)");
    std::cerr << "\n";
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
  std::cerr << file << ": " << r.routes << " routes, " << r.intervals << " time intervals converted; ";
  if (lost) std::cerr << lost << " item" << (lost == 1 ? "" : "s") << " lost (--allow-lossy), listed above\n";
  else std::cerr << "nothing lost\n";
  return kExitOk;
}

}  // namespace verdict::cli
