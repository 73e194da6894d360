// Alert events (docs/alerts.md "Inputs"): label sets and Alertmanager's fingerprint, and the
// reading of one alert of any accepted shape (an Alertmanager webhook or API alert, a
// Prometheus alert, a PagerDuty Events v2 event, a plain JSON alert) into an AlertEvent.
// AlertDedup's stream reads every event through read_alert (its hot path: no allocation in
// the steady state); the canonical alert record a policy binds (shapes.h, map_alert) is
// made from the same AlertEvent.
//
// Views (labels, keys) point into the input document: valid while it lives. Not
// thread-safe per event; the functions are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verdict/document.h"

namespace verdict::shapes {

// A label set as (name, value) pairs sorted by name.
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

// Where an alert came from: the envelope decides (a webhook's or an API array's items are
// Alertmanager alerts, `data.alerts` Prometheus's, `event_action` PagerDuty's).
enum class AlertShape : uint8_t { kAlertmanager, kPrometheus, kPagerDuty, kPlain };
const char* alert_shape_name(AlertShape s);  // "alertmanager", "prometheus", "pagerduty", "plain"

enum class AlertStatus : uint8_t { kFiring, kResolved, kAcknowledged, kPending };
const char* alert_status_name(AlertStatus s);  // "firing", "resolved", "acknowledged", "pending"

struct AlertEvent {
  AlertShape shape = AlertShape::kPlain;
  AlertStatus status = AlertStatus::kFiring;
  LabelView labels;               // sorted
  std::string_view source_key;    // PagerDuty dedup_key, Alertmanager fingerprint, plain dedup_key
  bool has_at = false;            // `at` (or PagerDuty payload.timestamp): the event's own time
  int64_t at = 0;
  bool has_starts = false, has_ends = false;
  int64_t starts_at = 0, ends_at = 0;
  Value annotations;              // Alertmanager annotations; PagerDuty: the payload
  // As written, for the canonical record: the time fields read and the generator URL.
  Value at_text, starts_text, ends_text, generator_url;
  std::string_view at_from, starts_from;  // "at" / "payload.timestamp"; "startsAt" / "activeAt"
  std::string_view key_from;              // "dedup_key" / "fingerprint"
};

// Reads one alert object of shape `shape` into `ev` (its label vector is reused). Returns ""
// or the problem, naming the field ("labels.severity is a number; label values are strings").
std::string read_alert(Value alert, AlertShape shape, AlertEvent& ev);

// The shape of one document read on its own (a Rules policy with input "alert"): PagerDuty
// when it has `event_action`; Prometheus when it has `activeAt` or `state`; Alertmanager when
// it has `startsAt`, `endsAt`, `generatorURL` or `fingerprint`; else plain.
AlertShape detect_alert_shape(Value doc);

}  // namespace verdict::shapes
