// Loaders of the policy kinds, registered in kinds.cc.
#pragma once

#include <memory>

#include "policy/policy.h"

namespace verdict::policy {

std::unique_ptr<CompiledPolicy> load_rules(const nlohmann::ordered_json& spec, PolicyBuilder& b);
std::unique_ptr<CompiledPolicy> load_triage(const nlohmann::ordered_json& spec, PolicyBuilder& b);
std::unique_ptr<CompiledPolicy> load_change_risk(const nlohmann::ordered_json& spec, PolicyBuilder& b);
std::unique_ptr<CompiledPolicy> load_budget(const nlohmann::ordered_json& spec, PolicyBuilder& b);
std::unique_ptr<CompiledPolicy> load_alert_dedup(const nlohmann::ordered_json& spec, PolicyBuilder& b);

// Explanations: the field paths `program` read since `from`, as "values": {path: value}.
void write_reads(JsonWriter& w, const lang::Program& program, const lang::EvalContext& ctx, size_t from);

}  // namespace verdict::policy
