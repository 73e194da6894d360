// `verdict import alertmanager FILE.yml`: converts an Alertmanager configuration into two
// policies (docs/alerts.md, "Importing an Alertmanager configuration"): NAME-routing
// (TriageRouting) and NAME-dedup (AlertDedup). The conversion is the core's Alertmanager
// module (core/src/alertmanager/config.h: Alertmanager's matcher parser, route tree and time
// intervals); this file reads the YAML into JSON with the core's one YAML reader
// (core/src/document/yaml.h: every scalar as text, as Alertmanager's Go reader fills its
// string fields; each key's and value's line and column by JSON pointer), and reports on
// stderr, at FILE:LINE:COLUMN, everything that was not converted. The import is lossless or fails (exit 3): what Alertmanager refuses, or a
// time restriction that cannot be converted, always fails; what Alertmanager accepts but verdict
// cannot convert (a receiver's integrations, global settings) passes with --allow-lossy only.
#include <cerrno>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "alertmanager/config.h"
#include "cli/common.h"
#include "document/yaml.h"

namespace verdict::cli {

int cmd_import_alertmanager(const std::string& file, const std::string& name, const std::string& out_path, bool allow_lossy) {
  std::string text, why;
  if (!read_file(file, text, why)) {
    std::cerr << "verdict: " << why << "\n";
    return read_failure_exit();
  }
  yaml::Options yo;
  yo.scalars = yaml::Scalars::kText;
  yo.pointers = true;
  auto converted = yaml::to_ndjson(text, yo);
  if (!converted.ok()) {
    Error e = converted.error();
    e.source = file;
    std::cerr << e.to_string() << "\n";
    return kExitInvalid;
  }
  const yaml::Converted& c = converted.value();
  if (c.documents > 1) {  // Alertmanager reads the first document only: the rest would be lost
    yaml::Position second;
    c.positions.value_at(1, "", second);
    std::cerr << file << ":" << second.line << ":" << second.column
              << ": a second YAML document; an Alertmanager configuration is one document\n";
    return kExitInvalid;
  }
  nlohmann::ordered_json config = c.documents == 0 ? nlohmann::ordered_json(nullptr)
                                                    : nlohmann::ordered_json::parse(c.ndjson, nullptr, false);
  alertmanager::ImportResult r = alertmanager::import_config(config, name, file);
  if (!r.ok) {
    std::cerr << file << ": not an Alertmanager configuration (no route)\n";
    return kExitInvalid;
  }
  // Each problem at its place: the key (an unknown key) or the value, else the nearest parent.
  size_t invalid = 0, time_restrictions = 0, lost = 0;
  auto where = [&](const alertmanager::ImportProblem& p) -> std::string {
    for (std::string ptr = p.pointer;; ptr = ptr.substr(0, ptr.rfind('/'))) {
      yaml::Position at;
      if (p.at_key && ptr == p.pointer ? c.positions.key_at(0, ptr, at) : c.positions.value_at(0, ptr, at))
        return file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
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
