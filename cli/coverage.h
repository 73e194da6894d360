// `verdict test --coverage` (docs/policies.md, "Coverage"): which parts of each policy
// no test case exercised. The parts are read from the policy files (with their positions);
// what a case exercised is read from what its evaluation reported (the explain trace and
// the decision), never guessed from the test's text:
//
//   kind           part            exercised when a case's decision ...
//   Rules          rule            matched it (explain.rules[].matched)
//   TriageRouting  route           matched it (explain.routes[].matched)
//   ChangeRisk     factor          applied it (explain.factors[].applies)
//                  gate            applied it (explain.gates[].applies)
//                  window          overlapped the change (explain.context.windows.NAME.overlaps)
//   ErrorBudget    burn-rate alert fired (slos[].alerts[].firing)
//                  threshold       fired (explain.thresholds[].fired)
//   AlertDedup     route           took an alert into a group, or notified (explain: "route")
//                  inhibit rule    inhibited an alert (an output line's inhibited_by.rule)
//                  silence         silenced an alert (silenced_by)
//                  window          was in effect when a route notified or was muted (explain:
//                                  "windows"), or when a silence that names it silenced an alert
//                  rate limit      held an alert back (rate_limit)
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace verdict::cli {

class Coverage {
 public:
  struct Part {
    std::string what;  // "rule", "route", "factor", ...
    std::string name;  // its name (a route: its path, "root/payments/payments-db")
    int64_t line = 0, column = 0;
    bool covered = false;
  };
  struct Policy {
    std::string name, kind, file;
    std::vector<Part> parts;
    std::map<std::string, std::vector<std::string>> silence_windows;  // AlertDedup: silence id -> its windows
  };

  // Reads the policies of a file (a policy or a bundle) and their parts, once per file.
  // `file` is the name to print. Returns the names of its policies (empty: not readable).
  std::vector<std::string> add_file(const std::string& file, const std::string& text);

  // What one decision exercised: the JSON of an evaluation with explain (policy.name,
  // decision, explain).
  void record_decision(const nlohmann::ordered_json& result);
  // What one output line of an AlertDedup stream exercised, for the named policy.
  void record_alert_line(const std::string& policy, const nlohmann::ordered_json& line);

  // The kind of a policy read by add_file ("" when unknown).
  std::string kind_of(const std::string& policy) const;

  // Covered parts over all parts, in percent (100 when there are no parts).
  double percent() const;
  // "coverage: default-triage (policies/triage/default.json): 12/14 routes ... 85.7%" and
  // one "  FILE:LINE:COLUMN: route root/x not exercised" line per part no case exercised.
  void write_text(std::ostream& out) const;
  nlohmann::ordered_json to_json() const;

 private:
  Part* find(const std::string& policy, const std::string& what, const std::string& name);
  std::map<std::string, Policy> policies_;  // by policy name
  std::vector<std::string> files_;
};

}  // namespace verdict::cli
