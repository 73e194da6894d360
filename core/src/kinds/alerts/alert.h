// The pieces of AlertDedup that do not hold state (docs/alerts.md): label sets and
// Alertmanager's fingerprint, label matchers with Alertmanager's syntax and string form,
// the canonical alert event read from any accepted input shape, and the compiled spec.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verdict/document.h"

namespace verdict::alerts {

// A label set as (name, value) pairs sorted by name; views into a document or a state.
using LabelView = std::vector<std::pair<std::string_view, std::string_view>>;

// Alertmanager's fingerprint (prometheus/common model.LabelSet.Fingerprint): 64-bit FNV-1a
// over the label names and values sorted by name, each followed by the byte 0xff.
// {alertname="alert1", severity="critical"} -> 0x0223b772b51c29e1.
uint64_t fingerprint(const LabelView& sorted);
// FNV-1a 64 of one string (source dedup keys, equal-label keys).
uint64_t fnv1a(std::string_view s, uint64_t h = 14695981039346656037ULL);
// "%016x".
void append_hex16(std::string& out, uint64_t v);
// The value of label `name`, "" when the set does not have it (Alertmanager's meaning).
std::string_view label_value(const LabelView& sorted, std::string_view name);
// Sorts by name (insertion sort: label sets are small).
void sort_labels(LabelView& labels);

// Go's %q of a string (model.LabelSet.String uses it): \" \\ \n \t \r, other control
// bytes as \x.., printable UTF-8 kept.
void append_go_quoted(std::string& out, std::string_view s);
// model.LabelSet.String(): {a="1", b="2"} (sorted, ", " between pairs).
void append_label_set(std::string& out, const LabelView& sorted);

enum class MatchOp : uint8_t { kEq = 0, kNe = 1, kRe = 2, kNotRe = 3 };

// One label matcher: name="v", name!="v", name=~"re", name!~"re" (RE2, anchored).
struct LabelMatcher {
  std::string name;
  std::string value;
  MatchOp op = MatchOp::kEq;
  std::shared_ptr<RE2> re;
  bool matches(std::string_view v) const;
  bool matches(const LabelView& labels) const { return matches(label_value(labels, name)); }
  // Alertmanager's Matcher.String(): name + op + "value" (OpenMetrics escaping).
  void append_string(std::string& out) const;
};

// Parses `text`; on failure `why` says what is wrong.
bool parse_label_matcher(std::string_view text, LabelMatcher& m, std::string& why, int64_t max_regex_memory);
bool matches_all(const std::vector<LabelMatcher>& ms, const LabelView& labels);
// Alertmanager's labels.Matchers order: by name, then value, then type.
void sort_matchers(std::vector<LabelMatcher>& ms);

// ---- the canonical event --------------------------------------------------------------

enum class EventStatus : uint8_t { kFiring, kResolved, kAcknowledged, kPending };

struct Event {
  std::string_view shape;         // "alertmanager", "prometheus", "pagerduty", "plain"
  EventStatus status = EventStatus::kFiring;
  LabelView labels;               // sorted
  std::string_view source_key;    // PagerDuty dedup_key, Alertmanager fingerprint, plain dedup_key
  bool has_at = false;            // `at` (or PagerDuty payload.timestamp): the event's own time
  int64_t at = 0;
  bool has_starts = false, has_ends = false;
  int64_t starts_at = 0, ends_at = 0;
  Value annotations;
};

// Reads one alert object of a given shape into `ev` (its label vector is reused).
// Returns "" or the problem, naming the field (e.g. "labels.severity is a number; label
// values are strings").
std::string read_event(Value alert, std::string_view shape, Event& ev);

// Writes `t` (ns since the epoch) as RFC 3339 UTC into `out` without allocating:
// 2025-03-14T08:03:30.007Z (fraction only when non-zero, trailing zeros trimmed).
void append_rfc3339(std::string& out, int64_t t);

}  // namespace verdict::alerts
