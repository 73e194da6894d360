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
// and is left out of the policies, never silently dropped.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace verdict::alertmanager {

struct ImportProblem {
  std::string pointer;  // into the configuration ("/route/routes/2/match_re")
  bool at_key = false;  // the key at `pointer` (an unknown key), not its value
  std::string message;
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
