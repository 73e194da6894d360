// The ErrorBudget kind's spec and its typed decision: the error-budget status document
// (docs/budget.md), with its renderers. One decision covers every SLO of the input:
//
//   spec (BudgetSpec, read once at load) + input (sli.h: SLO definitions and their series)
//     --decide (error_budget.cc)--> BudgetDecision { SloStatus per SLO, the summary }
//     --write_json--> the status document      --write_text--> the table and details
//     --write_explain--> the thresholds traced --write_svg--> the burn-down chart
//
// Every number a renderer shows is the value the document holds (fractions and rates rounded to
// 6 decimals), so the text, the chart and the document never disagree.
//
// A BudgetDecision points into its policy's spec (alert rules, thresholds, windows): it is
// valid while the policy lives. Not thread-safe (one per engine); reusable after clear().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "document/schema.h"
#include "kinds/budget/sli.h"
#include "lang/value.h"
#include "policy/policy.h"
#include "time/time.h"

namespace verdict::budget {

// A threshold of the budget policy: reached when budget_consumed >= `consumed` (when given)
// and `when` holds (when given); its actions then apply to the SLO.
struct Threshold {
  std::string name;
  bool has_consumed = false;
  double consumed = 0;
  bool has_when = false;
  policy::Expr when;
  std::vector<std::string> actions;
  std::string message;
};

// A window as the policy writes it ("1h") and its length.
struct BurnWindow {
  std::string text;
  int64_t ns = 0;
};

// What an ErrorBudget policy says (its spec), read once at load (docs/budget.md, "The policy").
struct BudgetSpec {
  std::vector<AlertRule> alerts;
  std::vector<BurnWindow> burn_windows;
  BurnWindow exhaustion{"1h", 3600 * datetime::kNanosPerSecond};
  std::vector<Threshold> thresholds;
  std::vector<std::string> freeze_actions{"freeze_releases"};
  int64_t burndown_points = 60;
};

enum class SloState : uint8_t { kOk, kWarning, kExhausted, kNoData };
enum class BurnState : uint8_t { kOk, kTicket, kPage, kNoData };
const char* state_name(SloState s);  // "ok", "warning", "exhausted", "no_data"
const char* burn_name(BurnState s);  // "ok", "ticket", "page", "no_data"

// A value that may be unknown (null in JSON): a burn rate over a window without events.
struct Maybe {
  bool known = false;
  double value = 0;
};

// One burn-rate alert of the policy, judged for one SLO.
struct AlertState {
  double factor = 0;  // for this SLO's window
  Maybe long_burn, short_burn;
  bool firing = false;
  bool disabled = false;  // its severity is disabled by the SLO's Sloth alerting
};

// The status of one SLO: one item of the document's "slos". Numbers are kept as computed;
// every renderer (and the `slo` binding) shows fractions, rates and percentages rounded to 6
// decimals (round6), as the document writes them.
struct SloStatus {
  SloDef def;
  SloState status = SloState::kNoData;
  BurnState burn = BurnState::kNoData;
  bool has_data = false;                // events in the window; else the budget fields are null
  double remaining = 0, consumed = 0;   // fractions of the budget
  double compliance = 0;                // percent
  double good = 0, bad = 0, total = 0;  // events in the window
  double budget = 0;                    // the budget in events (budget_left = budget - bad)
  bool freeze = false;
  std::vector<std::string_view> actions;  // of the reached thresholds, in policy order, no repeats
  std::vector<const Threshold*> fired;    // the reached thresholds, in policy order
  int64_t window_start = 0;
  std::vector<Maybe> burn_rates;          // per BudgetSpec::burn_windows
  std::vector<AlertState> alerts;         // per rules_for(def, BudgetSpec::alerts)
  bool exhaustion_known = false;          // else null: no burn, or beyond ~150 years
  int64_t exhaustion_seconds = 0;
  size_t samples = 0, in_window = 0, after_now = 0, input_errors = 0;
  int64_t first = 0, last = 0;            // of the samples, when samples > 0
  struct Point {
    int64_t t;
    double remaining;  // null when !has_data
  };
  std::vector<Point> burndown;            // empty when burndown_points is 0

  bool reached(const Threshold* t) const;
};

// The computed status of one SLO as the threshold conditions read it: the `slo` variable.
// Its schema is what the checker reads, so an unknown field is a lint error; the binding
// sets every field of it, in schema order (both in error_budget.cc).
const Schema& slo_schema();
lang::Val bind_slo(const SloStatus& s, const BudgetSpec& spec, lang::Arena& arena);

// The ErrorBudget decision: the error-budget status document.
class BudgetDecision : public policy::Decision {
 public:
  const BudgetSpec* spec = nullptr;
  std::string_view policy;   // the policy's name
  bool has_now = false;      // without `now` there is nothing to decide: an empty status
  int64_t at = 0;
  std::vector<SloStatus> slos;
  size_t counts[4] = {0, 0, 0, 0};  // per SloState
  std::vector<std::string> frozen;  // services whose releases are frozen, in SLO order
  std::vector<std::string> notes;   // documents of the input read but not used (InputReader::notes)
  policy::Outcome out = policy::Outcome::kAllowed;

  // Explanations: each threshold considered for each SLO.
  struct ThresholdTrace {
    size_t slo;
    const Threshold* threshold;
    bool fired;
    std::vector<policy::ReadValue> reads;
  };
  bool explained = false;
  std::vector<ThresholdTrace> trace;

  void clear() override;
  policy::Outcome outcome() const override { return out; }
  void write_json(JsonWriter& w) const override;
  void write_explain(JsonWriter& w) const override;
  // What `verdict budget` prints: with explain, each threshold considered first.
  void write_text(policy::TextOut& out, bool explain) const override;
  // One SVG document: a panel per SLO with budget remaining over the window, the policy's
  // thresholds and the 0% line (Format::kSvg).
  void write_svg(std::string& out, const policy::DecisionHeader& h) const override;
};

}  // namespace verdict::budget
