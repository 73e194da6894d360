// Maps an incident, ticket or alert in any of the accepted shapes (native,
// ServiceNow incident, Jira issue, Alertmanager/Prometheus alert) into the one
// canonical incident that TriageRouting policies read (docs/triage.md).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "verdict/document.h"

namespace verdict::triage {

struct Canonical {
  std::string shape;  // "native", "servicenow", "jira", "alertmanager"
  std::string json;   // the canonical incident as JSON
  std::vector<std::pair<std::string, std::string>> fields;  // canonical field -> source path read
};

Canonical canonicalize(Value input);

}  // namespace verdict::triage
