// The change data of a bundle, for the ChangeRisk kind (docs/change.md): the other
// scheduled changes (with an index for conflict detection), the change history (failure
// rates), change windows from data files, and the error-budget status per service. The
// canonical change itself is the shape layer's (document/change.h).
//
// Thread-safety: ChangeData is built on one thread; after finalize() its const methods may
// be called from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "document/change.h"
#include "policy/kind.h"
#include "policy/windows.h"
#include "verdict/document.h"
#include "verdict/result.h"

namespace verdict::change {

using shapes::Approval;
using shapes::Change;
using shapes::ChangeOptions;
using shapes::FieldProblem;
using shapes::Lifecycle;

// A change window: a name, a type, when (weekly ranges and/or explicit ranges) and a scope.
struct Scope {
  bool all = true;  // no scope given: everything
  std::vector<std::string> items, services, classes;
  std::vector<int64_t> tiers;
};

struct ChangeWindow {
  std::string name;
  std::string type;     // "blackout", "maintenance" or "window" (a named window for expressions)
  std::string message;  // shown in findings
  std::string action;   // overrides the finding's action when set
  std::string source;   // "policy" or the data file
  policy::TimeWindow when;
  Scope scope;
};

// Error-budget status per service, from error_budget_status documents (docs/budget.md).
struct BudgetSlo {
  std::string slo, service, status, burn_state;
  std::optional<double> remaining, consumed;
  bool freeze = false;
  std::vector<std::string> actions;
  std::string source;
};

class ChangeData : public policy::KindData {
 public:
  // Adds the change documents, change windows and error-budget status documents in `doc`
  // (`text` is its JSON text, read again for positions when it holds windows). Returns how
  // many documents or entries it took (0: not change data). Errors (a malformed window, an
  // unsupported status version) mean the file should not be loaded; warnings (a scheduled
  // change without a zone, an entry that is not a change) are reported and the rest is kept.
  size_t add(Value doc, std::string_view text, const std::string& source, std::vector<Error>& errors,
             std::vector<Error>& warnings) override;
  // Adds everything `other` (a ChangeData) holds (before finalize()); a window named like one
  // already here is an error (expressions read windows.NAME).
  void append(const policy::KindData& other, std::vector<Error>& errors) override;
  void finalize() override;
  bool empty() const override { return changes_.empty() && windows_.empty() && budget_.empty(); }

  const std::vector<Change>& changes() const { return changes_; }
  const std::vector<ChangeWindow>& windows() const { return windows_; }
  const std::vector<BudgetSlo>& budget() const { return budget_; }

  // Scheduled changes (not done, not cancelled) that target `item` (id or name, as written)
  // and overlap [a, b). Appends indexes into changes().
  void overlapping_on_target(std::string_view item, int64_t a, int64_t b, std::vector<uint32_t>& out) const;
  // Scheduled changes assigned to `assignee` that overlap [a, b).
  void overlapping_for_assignee(std::string_view assignee, int64_t a, int64_t b, std::vector<uint32_t>& out) const;

  struct History {
    int64_t finished = 0, failed = 0;
  };
  // Finished changes of a team (or assignee) that ended in [a, b).
  History team_history(std::string_view team, int64_t a, int64_t b) const;
  History assignee_history(std::string_view assignee, int64_t a, int64_t b) const;

 private:
  struct Span {
    int64_t start, end;
    uint32_t change;
  };
  struct SpanList {
    std::vector<Span> spans;  // sorted by start
    int64_t longest = 0;      // the longest span, to bound the backward scan
  };
  struct Finished {
    int64_t end;
    bool failed;
  };
  static void overlapping(const std::unordered_map<std::string, SpanList>& index, std::string_view key, int64_t a, int64_t b,
                          std::vector<uint32_t>& out);
  static History history(const std::unordered_map<std::string, std::vector<Finished>>& index, std::string_view key, int64_t a,
                         int64_t b);

  std::vector<Change> changes_;
  std::vector<ChangeWindow> windows_;
  std::vector<BudgetSlo> budget_;
  std::unordered_map<std::string, SpanList> by_target_, by_assignee_;
  std::unordered_map<std::string, std::vector<Finished>> team_done_, assignee_done_;
  bool finalized_ = false;
};

// Reads one window object (policy spec or data file) through `b`; `default_zone` applies
// when it has no timezone. Returns false when it had errors (they are in b.errors).
bool load_window(policy::PolicyBuilder& b, const nlohmann::ordered_json& v, const std::string& pointer,
                 const datetime::Zone& default_zone, ChangeWindow& out);

}  // namespace verdict::change
