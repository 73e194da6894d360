// The registry of policy kinds: the top of the kinds layer. One entry per folder under
// core/src/kinds/; the engine, the CLI (through the engine), the C ABI and the service find
// a kind only here.
#pragma once

#include <string_view>
#include <vector>

#include "policy/kind.h"

namespace verdict::kinds {

// Every kind verdict knows, in a stable order: Rules, TriageRouting, ChangeRisk,
// ErrorBudget, AlertDedup.
const std::vector<policy::KindInfo>& all();
// The kind named `name` ("TriageRouting"), or null.
const policy::KindInfo* find(std::string_view name);
// The kind a command runs ("triage" -> TriageRouting), or null.
const policy::KindInfo* for_command(std::string_view command);

// Each kind's own entry, defined in its folder.
policy::KindInfo rules_kind();          // kinds/rules/rules.cc
policy::KindInfo triage_kind();         // kinds/triage/triage.cc
policy::KindInfo change_risk_kind();    // kinds/change/change_risk.cc
policy::KindInfo error_budget_kind();   // kinds/budget/error_budget.cc
policy::KindInfo alert_dedup_kind();    // kinds/alerts/alert_dedup.cc

}  // namespace verdict::kinds
