// The pieces of AlertDedup that do not hold state (docs/alerts.md), under the names the
// stream uses: alert events, label sets and Alertmanager's fingerprint (document/alert.h,
// the shape layer), Alertmanager's matchers and string forms (alertmanager/matcher.h), and
// the writing of times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alertmanager/matcher.h"
#include "document/alert.h"

namespace verdict::alerts {

using shapes::append_hex16;
using shapes::fingerprint;
using shapes::fnv1a;
using shapes::label_value;
using shapes::LabelView;
using shapes::sort_labels;
using shapes::AlertShape;
using EventStatus = shapes::AlertStatus;
using Event = shapes::AlertEvent;

using alertmanager::append_go_quoted;
using alertmanager::append_label_set;
using alertmanager::MatchOp;
using LabelMatcher = alertmanager::Matcher;

// Whether every matcher matches `labels` (a missing label is "", Alertmanager's meaning).
inline bool matches_all(const std::vector<LabelMatcher>& ms, const LabelView& labels) {
  for (const auto& m : ms)
    if (!m.matches(label_value(labels, m.name))) return false;
  return true;
}

// The same, with `charge(matcher, value)` called before each regex matcher is matched (its
// work grows with the value): false from it ends the match with false.
template <class Charge>
bool matches_all(const std::vector<LabelMatcher>& ms, const LabelView& labels, Charge&& charge) {
  for (const auto& m : ms) {
    std::string_view v = label_value(labels, m.name);
    if (m.is_regex() && !charge(m, v)) return false;
    if (!m.matches(v)) return false;
  }
  return true;
}

// Reads matcher strings of run-time silences and snapshots: Alertmanager's syntax, a string
// may hold a list. Appends to `out`; on failure `why` says what is wrong.
bool parse_silence_matchers(std::string_view text, std::vector<LabelMatcher>& out, std::string& why);

// Writes `t` (ns since the epoch) as RFC 3339 UTC into `out` without allocating:
// 2025-03-14T08:03:30.007Z (fraction only when non-zero, trailing zeros trimmed).
void append_rfc3339(std::string& out, int64_t t);

}  // namespace verdict::alerts
