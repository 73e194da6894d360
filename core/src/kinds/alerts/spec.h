// The compiled spec of an AlertDedup policy (docs/alerts.md): immutable once loaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alertmanager/route.h"
#include "kinds/alerts/alert.h"
#include "policy/policy.h"
#include "policy/windows.h"

namespace verdict::alerts {

enum class KeyMode : uint8_t { kAuto, kFingerprint, kSource, kLabels };

using policy::TimeRange;

struct Window {
  std::string name;
  policy::TimeWindow when;  // weekly ranges in a time zone (policy/windows.h)
  bool contains(int64_t t) const { return when.contains(t); }
  // A time after `t`, at or before the first at which contains() changes (a range's start or
  // end, a local midnight, a transition of the zone); within 8 days.
  int64_t next_change(int64_t t) const;
};

// Alertmanager's RouteOpts: what a route of the grouping tree says, inherited by its
// children except the time intervals (as in Alertmanager).
struct RouteOpts {
  std::string receiver;
  std::vector<std::string> group_by;   // sorted
  bool group_all = false;              // group_by: ["..."]
  int64_t group_wait = 0, group_interval = 0, repeat_interval = 0;
  std::vector<int> mute_windows, active_windows;  // indexes into Spec::windows
  std::string key;                     // Alertmanager's Route.Key(): {}/{severity="critical"}
  // A child starts with these (and its key from this route's).
  RouteOpts inherited() const {
    RouteOpts o = *this;
    o.mute_windows.clear();
    o.active_windows.clear();
    return o;
  }
};

// A node of the grouping tree (Alertmanager's route; alertmanager/route.h): matchers sorted
// as Alertmanager sorts them.
using Route = alertmanager::Route<RouteOpts>;

struct InhibitRule {
  std::string name;
  std::vector<LabelMatcher> source, target;
  std::vector<std::string> equal;
};

struct Silence {
  std::string id;
  std::vector<LabelMatcher> matchers;
  int64_t starts_at = 0, ends_at = 0;  // active when starts_at <= t <= ends_at
  std::vector<int> windows;            // recurring: active while t is in one of them (then no start/end)
  std::string comment, created_by;
  bool recurring() const { return !windows.empty(); }
};

struct RateLimit {
  std::string name;
  std::vector<std::string> by;  // labels forming the key
  uint32_t max = 0;             // admissions per key and window
  int64_t per = 0;              // window length (windows are aligned to the epoch)
};

struct Spec {
  KeyMode key_mode = KeyMode::kAuto;
  std::vector<std::string> key_labels;  // kLabels
  int64_t reopen_window = 0;            // a firing event this soon after resolve continues the alert
  uint64_t max_alerts = 1000000;        // alerts tracked at once; a new one beyond is refused (an error)
  Route route;
  std::vector<InhibitRule> inhibit_rules;
  bool cmdb_inhibition = false;
  std::string cmdb_label = "ci";
  uint32_t cmdb_max_depth = 16;
  std::vector<Window> windows;
  std::vector<Silence> silences;
  std::vector<RateLimit> rate_limits;
  uint32_t flap_changes = 0;            // 0: no flap detection
  int64_t flap_within = 0;
  bool send_resolved = true;
  int64_t max_future = 5LL * 60 * 1000000000LL;     // an event time beyond now + this is an error
  int64_t max_late = 24LL * 3600 * 1000000000LL;    // an event time before clock - this is an error
  int64_t max_gap = 30LL * 86400 * 1000000000LL;    // an event time or now after clock + this is an error
};

// Whether `t` falls inside one of `windows` (indexes into spec.windows).
bool in_any_window(const Spec& spec, const std::vector<int>& windows, int64_t t);

}  // namespace verdict::alerts

namespace verdict::policy {

// The AlertDedup kind: its spec, and a stateless preview for `verdict eval`.
class AlertDedupPolicy : public CompiledPolicy {
 public:
  std::unique_ptr<Decision> new_decision() const override;
  bool reads_envelopes() const override { return true; }  // a webhook's alerts are one preview
  void decide(const DecisionContext& dc, const DecisionInput& in, lang::EvalContext& ctx, Decision& out,
              std::vector<Error>& errors) const override;
  alerts::Spec spec;
};

}  // namespace verdict::policy
