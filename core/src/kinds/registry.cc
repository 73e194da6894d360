#include "kinds/registry.h"

namespace verdict::kinds {

const std::vector<policy::KindInfo>& all() {
  static const std::vector<policy::KindInfo> table = {
      rules_kind(), triage_kind(), change_risk_kind(), error_budget_kind(), alert_dedup_kind(),
  };
  return table;
}

const policy::KindInfo* find(std::string_view name) {
  for (const policy::KindInfo& k : all())
    if (k.name == name) return &k;
  return nullptr;
}

const policy::KindInfo* for_command(std::string_view command) {
  for (const policy::KindInfo& k : all())
    if (!k.command.empty() && k.command == command) return &k;
  return nullptr;
}

}  // namespace verdict::kinds
