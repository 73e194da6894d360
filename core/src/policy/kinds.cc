#include "policy/kinds.h"

namespace verdict::policy {

const std::vector<std::pair<std::string, KindLoader>>& policy_kinds() {
  static const std::vector<std::pair<std::string, KindLoader>> kinds = {
      {"Rules", load_rules},
      {"TriageRouting", load_triage},
      {"ChangeRisk", load_change_risk},
      {"ErrorBudget", load_budget},
      {"AlertDedup", load_alert_dedup},
  };
  return kinds;
}

}  // namespace verdict::policy
