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
  std::string_view shape;  // "native", "servicenow", "jira", "alertmanager"
  std::string json;        // the canonical incident as JSON
  // canonical field -> source path read (both static strings)
  std::vector<std::pair<std::string_view, std::string_view>> fields;
};

// Fills `out` (reused across calls: its buffers keep their memory).
void canonicalize(Value input, Canonical& out);

}  // namespace verdict::triage
