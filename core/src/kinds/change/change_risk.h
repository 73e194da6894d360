// The ChangeRisk kind (docs/change.md), inside its folder: the compiled spec, the steps of
// a decision as functions of typed values, and the typed decision with its renderers.
//
// A decision, step by step (ChangeRiskPolicy::decide):
//   1. read_change      the canonical change (document/change.h) and its problems
//   2. blast_radius     targets in the CMDB, the items that depend on them, services, tiers
//   3. find_conflicts   overlapping scheduled changes: same item, related item, double booking
//   4. check_windows    blackout and maintenance windows, and every window's state
//   5. check_budget     error-budget status of the services the change touches
//   6. change_history   failure rates of the team and the assignee
//   -- bind             change, blast, conflicts, windows, budget, history as expression values
//   7. score_factors    factors -> points -> score 0..100
//   8. risk_class, auto_approve   the class and its outcome; delegated auto-approval
//   9. check_gates, apply_finding_rules, final_outcome
//  10. check_approvals  the approvals the outcome needs, and whether they are present
// Steps 1-6 and 10 read typed values only; 7-9 evaluate the policy's expressions.
//
// Thread-safety: a ChangeRiskPolicy is immutable; a ChangeDecision belongs to one thread.
// A ChangeDecision refers to its policy and to the bundle's CMDB and change data: it is
// rendered while the engine's data are unchanged (the engine renders right after decide).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cmdb/cmdb.h"
#include "kinds/change/change_data.h"
#include "lang/value.h"
#include "policy/policy.h"
#include "time/time.h"

namespace verdict::change {

// Outcomes in increasing order of severity; "note" findings are listed but change nothing.
enum Action : int { kNote = -1, kAutoApprove = 0, kPeerReview = 1, kCabReview = 2, kDeny = 3 };
const char* action_name(int action);
// The action named `s`, or -2 when it is not one (or not allowed here).
int parse_action(std::string_view s, bool allow_note, bool allow_auto);

// What a finding is about. All but kGate are found by verdict itself, and spec.findings
// sets their actions.
enum class FindingType : uint8_t {
  kSameItem,            // another scheduled change on the same item overlaps
  kRelatedItem,         // a change on a parent or child item (one dependency away) overlaps
  kDoubleBooked,        // the assignee has another change at the same time
  kOutsideMaintenance,  // a target has maintenance windows and the change is not inside one
  kBlackout,            // a target is in a blackout window
  kRelatedBlackout,     // an item of the blast radius is in a blackout window
  kBudgetExhausted,     // a service the change touches has no error budget left
  kBudgetFreeze,        // the error-budget policy froze releases of a touched service
  kBudgetBurning,       // a touched service burns its budget fast enough to page or ticket
  kUnknownTarget,       // a target is not in the CMDB
  kNoTargets,           // the change names no target items
  kGate,                // a gate of the policy holds
};
constexpr size_t kDetectedTypes = static_cast<size_t>(FindingType::kGate);
const char* finding_type_name(FindingType t);  // "same_item", ..., "gate"
int default_action(FindingType t);
// The detected type named `name` ("same_item"), or nullopt.
std::optional<FindingType> detected_type(std::string_view name);

struct Finding {
  FindingType type = FindingType::kGate;
  std::string name;          // the window, SLO or gate, "" for none
  std::string message;
  int action = kPeerReview;
  std::string item, other;   // the item concerned, the other change
  std::string_view exception;  // the reason of the policy's exception that set the action
  bool fixed = false;        // the action is the window's own, not spec.findings'
};

// ---- the compiled spec ---------------------------------------------------------------

struct Exception {
  policy::Expr when;
  int action = kPeerReview;
  std::string reason;
};

struct FindingRule {
  int action = kPeerReview;
  std::vector<Exception> except;
};

struct Factor {
  std::string name, reason;
  bool has_when = false;
  policy::Expr when;
  bool points_expr = false;
  double points = 0;
  policy::Expr points_program;
};

struct RiskClass {
  std::string name;
  bool has_below = false;
  double below = 0;
  int outcome = kPeerReview;
};

struct Requirement {
  int64_t count = 1;
  std::vector<std::string> from;  // roles or teams (case-insensitive)
};

struct Gate {
  std::string name, message;
  policy::Expr when;
  int action = kCabReview;
};

struct Spec {
  datetime::Zone zone;             // of windows without their own timezone
  datetime::Zone servicenow_zone;  // of ServiceNow dates without a zone
  uint32_t max_depth = 6;
  size_t max_items = 50;
  int64_t history_window = 90LL * 24 * 3600 * datetime::kNanosPerSecond;
  std::vector<Factor> factors;
  std::vector<RiskClass> classes;
  bool has_delegation = false;
  policy::Expr delegation_when;
  size_t delegation_max_class = 0;
  std::string delegation_reason;
  std::vector<Requirement> approvals[4];  // by outcome
  std::vector<Gate> gates;
  std::vector<ChangeWindow> windows;
  FindingRule findings[kDetectedTypes];
};

// The variables of ChangeRisk expressions, in environment order.
enum Slot : int32_t { kChangeVar, kInputVar, kBlastVar, kConflictsVar, kBudgetVar, kWindowsVar, kHistoryVar, kScoreVar, kClassVar };

// ---- steps 1-6: the context, as typed values ---------------------------------------

// 1. Reads the change into `c`; its problems, a document that is not a change, and a
// missing start or end are input errors ("input field start: ...").
void read_change(Value input, const ChangeOptions& options, Change& c, std::vector<Error>& errors);

// 2. Targets and blast radius.
struct BlastItem {
  uint32_t item;   // index into the CMDB's items()
  uint32_t depth;  // smallest depth from any target
  uint32_t via;    // the target (index into the change's targets) it was reached from at that depth
};
struct BlastRadius {
  const CmdbIndex* cmdb = nullptr;
  std::vector<int64_t> targets;  // per target of the change: its CMDB item, or -1
  std::vector<BlastItem> items;  // every dependent item (not the targets), by depth then id
  uint32_t max_depth = 0;        // the deepest of items
  int64_t min_tier = 0;          // the most critical tier of targets and items; 0: none known
  std::vector<std::string_view> services;  // the services `items` reach
  std::vector<std::string_view> touched;   // the services the change touches: its own, its targets'
  void clear();
};
void blast_radius(const Change& c, const CmdbIndex* cmdb, uint32_t max_depth, BlastRadius& out, std::vector<Finding>& findings);

// 3. Conflicts with the other scheduled changes (none unless the change is timed()).
struct Conflict {
  FindingType type;       // kSameItem, kRelatedItem or kDoubleBooked
  uint32_t change;        // index into ChangeData::changes()
  std::string_view item;  // the target or related item ("" when double booked)
  const char* relation;   // "", "a dependency" or "a dependent"
};
void find_conflicts(const Change& c, const BlastRadius& blast, const ChangeData* data, std::vector<Conflict>& out,
                    std::vector<Finding>& findings);

// 4. Windows: the policy's, then the data files'. Each window's state is listed once per
// name (a data window named like a policy window is checked but not listed again).
struct WindowState {
  const ChangeWindow* window;
  bool applies = false;   // its scope takes in a target or a service of the change
  bool overlaps = false;  // it overlaps the change's interval
  bool covers = false;    // it covers the whole interval
};
void check_windows(const Change& c, const BlastRadius& blast, const std::vector<ChangeWindow>& policy_windows, const ChangeData* data,
                   std::vector<WindowState>& out, std::vector<Finding>& findings);

// 5. Error budgets of the services the change touches.
struct BudgetState {
  std::vector<const BudgetSlo*> services;
  bool exhausted = false, freeze = false, burning = false;
  std::optional<double> min_remaining;
  std::vector<std::string_view> actions;  // the budget policies' actions, each once
  void clear();
};
void check_budget(const std::vector<std::string_view>& touched, const ChangeData* data, BudgetState& out, std::vector<Finding>& findings);

// 6. History: the changes of the team and of the assignee that finished in the window
// before the change's start.
struct HistoryState {
  int64_t window = 0;
  ChangeData::History team, assignee;
};
void change_history(const Change& c, const ChangeData* data, int64_t window, HistoryState& out);

// The context of steps 1-6 as expression values (in `arena`; valid while the context and
// the arena's current contents live): what `change`, `blast`, ... read.
lang::Val bind_blast(const Change& c, const BlastRadius& b, size_t max_items, lang::Arena& arena);
lang::Val bind_conflicts(const std::vector<Conflict>& conflicts, const ChangeData* data, lang::Arena& arena);
lang::Val bind_windows(const std::vector<WindowState>& windows, lang::Arena& arena);
lang::Val bind_budget(const BudgetState& b, lang::Arena& arena);
lang::Val bind_budget_services(const BudgetState& b, lang::Arena& arena);
lang::Val bind_history(const HistoryState& h, lang::Arena& arena);

// ---- steps 7-10 --------------------------------------------------------------------------

class ChangeRiskPolicy;

// 7. Factors: the points of each that applies; the score is their sum, rounded, 0..100.
struct AppliedFactor {
  const Factor* factor;
  double points;
};
struct FactorTrace {  // explain
  const Factor* factor;
  bool applies = false;
  double points = 0;
  std::vector<policy::ReadValue> reads;
};
int64_t score_factors(const ChangeRiskPolicy& p, lang::EvalContext& ctx, std::vector<AppliedFactor>& applied,
                      std::vector<FactorTrace>* trace, std::vector<Error>& errors);

// 8. The class of a score (index into spec.classes), and delegated auto-approval.
size_t risk_class(const std::vector<RiskClass>& classes, int64_t score);
struct AutoApproveTrace {  // explain
  bool eligible = false, applies = false;
  std::vector<policy::ReadValue> reads;
};
bool auto_approve(const ChangeRiskPolicy& p, size_t cls, lang::EvalContext& ctx, std::optional<AutoApproveTrace>* trace,
                  std::vector<Error>& errors);

// 9. Gates (each that holds is a finding), the policy's actions for the findings with
// their exceptions, and the outcome: the most severe of `start` and every finding.
struct GateTrace {  // explain
  const Gate* gate;
  bool applies = false;
  std::vector<policy::ReadValue> reads;
};
void check_gates(const ChangeRiskPolicy& p, lang::EvalContext& ctx, std::vector<Finding>& findings, std::vector<GateTrace>* trace,
                 std::vector<Error>& errors);
void apply_finding_rules(const ChangeRiskPolicy& p, lang::EvalContext& ctx, std::vector<Finding>& findings, std::vector<Error>& errors);
int final_outcome(int start, const std::vector<Finding>& findings);

// 10. The approvals `outcome` needs (peer and CAB review), who gave them, and whether all
// are present. Nobody approves their own change; each user counts once per requirement.
struct RequiredApproval {
  const Requirement* requirement;
  std::vector<std::string_view> by;
  int64_t missing() const { return std::max<int64_t>(0, requirement->count - static_cast<int64_t>(by.size())); }
};
struct Approvals {
  std::vector<RequiredApproval> required;
  bool satisfied = false;  // a review whose every requirement is met (false for other outcomes)
};
void check_approvals(const Spec& spec, int outcome, const Change& c, Approvals& out);

// "denied", "approved" or "needs_approval".
const char* status_of(int outcome, const Approvals& approvals);

// ---- the decision ----------------------------------------------------------------------

class ChangeDecision : public policy::Decision {
 public:
  explicit ChangeDecision(const ChangeRiskPolicy& p) : policy_(&p) {}

  void clear() override;
  policy::Outcome outcome() const override;
  void write_json(JsonWriter& w) const override;
  void write_explain(JsonWriter& w) const override;
  void write_text(policy::TextOut& out, bool explain) const override;
  void write_junit(std::string& out, const policy::DecisionHeader& h) const override;
  void write_github(std::string& out, const policy::DecisionHeader& h) const override;

  const char* status() const { return status_of(outcome_action, approvals); }
  std::string label() const;     // "CHG-5203 postgres-payments-01: raise ..." ("(no id)" without one)
  std::string headline() const;  // "denied (deny), risk 70/100 high"

  // Filled by decide(), step by step.
  const ChangeData* data = nullptr;
  Change change;
  BlastRadius blast;
  std::vector<Conflict> conflicts;
  std::vector<WindowState> windows;
  BudgetState budget;
  HistoryState history;
  std::vector<Finding> findings;
  std::vector<AppliedFactor> factors;
  int64_t score = 0;
  size_t risk_class = 0;
  bool auto_approved = false;
  int outcome_action = kAutoApprove;
  Approvals approvals;
  // With explain.
  bool explained = false;
  std::vector<FactorTrace> factor_trace;
  std::optional<AutoApproveTrace> auto_trace;
  std::vector<GateTrace> gate_trace;

 private:
  const ChangeRiskPolicy* policy_;
  mutable lang::Arena render_arena_;  // the context's values, built again to be written
  void write_body(policy::TextOut& out) const;  // the text, without explanations
};

class ChangeRiskPolicy : public policy::CompiledPolicy {
 public:
  std::unique_ptr<policy::Decision> new_decision() const override { return std::make_unique<ChangeDecision>(*this); }
  void decide(const policy::DecisionContext& dc, const policy::DecisionInput& in, lang::EvalContext& ctx, policy::Decision& out,
              std::vector<Error>& errors) const override;
  Spec spec;
};

std::unique_ptr<policy::CompiledPolicy> load_change_risk(const nlohmann::ordered_json& spec, policy::PolicyBuilder& b);

}  // namespace verdict::change
