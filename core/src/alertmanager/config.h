// An Alertmanager configuration converted into verdict policies (`verdict import
// alertmanager`; docs/alerts.md "Importing an Alertmanager configuration"):
//
//   NAME-routing  TriageRouting: the route tree; each route's team is its receiver and its
//                 name RECEIVER@PATH; matchers read labels (`labels.NAME`)
//   NAME-dedup    AlertDedup: the same tree with receiver, group_by, the timers and the time
//                 intervals as windows, and the inhibition rules
//
// The configuration comes as JSON (the caller reads the YAML; scalars may be strings), so
// that problems are JSON pointers into it, which the caller turns into lines. Matchers are
// read with Alertmanager's parser (matcher.h), routes into its tree (route.h), time
// intervals converted by time_intervals.h. Whatever cannot be converted exactly is a problem
// and is left out of the policies, never silently dropped; what Alertmanager itself refuses
// (unknown keys at every level it reads strictly, undeclared receivers, ...) is a problem too.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace verdict::alertmanager {

// What the import could not carry over. `verdict import alertmanager` fails (exit 3) on any
// problem; with --allow-lossy it writes the policies anyway when every problem is a kLost.
enum class ProblemKind {
  kLost,             // valid for Alertmanager, not converted (a receiver's integrations, global, ...)
  kInvalid,          // Alertmanager refuses the configuration (amtool check-config fails)
  kTimeRestriction,  // a route's time interval that cannot be converted: never dropped
};

struct ImportProblem {
  std::string pointer;  // into the configuration ("/route/routes/2/match_re")
  bool at_key = false;  // the key at `pointer` (an unknown key), not its value
  std::string message;
  ProblemKind kind = ProblemKind::kInvalid;
};

struct ImportResult {
  nlohmann::ordered_json policies = nlohmann::ordered_json::array();  // [NAME-routing, NAME-dedup]
  std::vector<ImportProblem> problems;
  int routes = 0;     // routes converted
  int intervals = 0;  // time intervals converted
  bool ok = false;    // false: not an Alertmanager configuration (no route); see problems
};

// `name` is the base name of the policies; `source` goes into their descriptions.
ImportResult import_config(const nlohmann::ordered_json& config, const std::string& name, const std::string& source);

}  // namespace verdict::alertmanager
